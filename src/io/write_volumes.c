/* write_volumes.c - <label>.volumes.json: every volume with its descriptors, lining residues and
 * atoms, and its boxes in the input and the aligned frame (README "Descriptors")
 *
 * Strings from the structure file go through vox_json_text (every control
 * character, quote and backslash escaped, non-ASCII as \u escapes, bytes
 * that are not UTF-8 as U+FFFD, which the caller is told of), so the
 * document parses everywhere and round-trips every name that is text.  The lining atoms are listed once
 * in a table ("atoms", rows of "atom_fields") and each volume names them by
 * index: a document for thousands of lining atoms stays small and quick to
 * write.  Lengths are written with 3 decimals (mÅ), fractions and the
 * hydropathy with 4, formatted here without printf.
 *
 * Most of the document is the atoms table (4jpn.pdb at 2.0 Å: 4,025 rows,
 * 200 of its 290 KB), so rows are written by direct stores into the buffer,
 * with one room check for several; a name needs no escaping in all but
 * hostile files, which a test a byte tells (plain_run), and only a name
 * that fails it goes through vox_json_text.  What the volumes repeat of
 * the table (a residue's text, an atom's index) is copied from it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "decimal.h"
#include "exact17.h"
#include "internal.h"

/* Output straight into the buffer: p runs in b->data, with room up to end
 * checked in pieces (jw_room), and b->len is set from p only where the
 * buffer's own functions write (vox_json_text) and at the end.  Copying
 * through a local block cost a third of an instruction a byte.  Out of
 * memory, writing goes on in spill (thrown away) so no writer needs a test;
 * the render then fails with b->oom. */
typedef struct jw {
    vox_buf *b;
    char *p, *end;
    int replaced; /* a name's byte that is not UTF-8 was written as U+FFFD */
    char spill[8192];
} jw;

/* The most one piece between room checks writes: an atom's row, its four
 * names at their longest escaped (seven bytes of "\u00XX"), is 230 bytes. */
#define JW_ROOM 320
/* The atoms table checks the room once for JW_ROWS rows. */
#define JW_ROWS 16

/* p and end from the buffer (after the buffer's functions wrote to it). */
static void jw_resume(jw *w)
{
    if (w->b->oom) {
        w->p = w->spill;
        w->end = w->spill + sizeof w->spill;
        return;
    }
    w->p = w->b->data + w->b->len;
    w->end = w->b->data + w->b->cap - 1; /* the terminator's byte kept */
}

/* b->len from p (before the buffer's functions write to it). */
static void jw_sync(jw *w)
{
    if (!w->b->oom)
        w->b->len = (size_t)(w->p - w->b->data);
}

/* Room for n more bytes: the buffer doubled (vox_buf_tail) as needed. */
static void jw_grow(jw *w, size_t n)
{
    jw_sync(w);
    if (!w->b->oom)
        (void)vox_buf_tail(w->b, n > w->b->len ? n : w->b->len);
    jw_resume(w);
}

/* Room for n <= sizeof spill more bytes at the returned pointer (w->p). */
static inline char *jw_room(jw *w, size_t n)
{
    if ((size_t)(w->end - w->p) < n)
        jw_grow(w, n);
    return w->p;
}

static inline void jw_raw(jw *w, const char *s, size_t n)
{
    if ((size_t)(w->end - w->p) < n) {
        jw_grow(w, n);
        if ((size_t)(w->end - w->p) < n) /* out of memory, and longer than spill */
            return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

#define jw_lit(w, s) jw_raw((w), (s), sizeof(s) - 1)

static void jw_puts(jw *w, const char *s) { jw_raw(w, s, strlen(s)); }

static void jw_c(jw *w, char c)
{
    *jw_room(w, 1) = c;
    w->p++;
}

/* Integers straight into the buffer (decimal.h). */
static inline void jw_uint(jw *w, unsigned long long v)
{
    char *o = jw_room(w, 20);
    w->p = o + vox_fmt_u64(v, o);
}

static inline void jw_int(jw *w, long long v)
{
    char *o = jw_room(w, 21);
    w->p = o + vox_fmt_i64(v, o);
}

/* The fraction f < 10^dec (dec 3 or 4) as dec digits at o, two per lookup. */
static inline void put_frac(char *o, unsigned f, int dec)
{
    if (dec == 4) {
        memcpy(o, vox_digit_pairs + 2 * (f / 100), 2);
    } else {
        o[0] = (char)('0' + f / 100);
        o--;
    }
    memcpy(o + 2, vox_digit_pairs + 2 * (f % 100), 2);
}

/* v with dec (3 or 4) decimals at o (32 bytes of room), rounded half to
 * even on v * 10^dec, as rint does (not printf's rounding of v's exact
 * value); the end, or NULL where v is not finite or so large that
 * v * 10^dec > 9e15 (never a length or a fraction): jw_fixed_slow then. */
static inline char *fixed_at(char *o, double v, int dec)
{
    const double x = v * (dec == 4 ? 10000.0 : 1000.0);
    if (!(fabs(x) < 9e15)) /* NaN and infinities too */
        return NULL;
    /* a negative x that rounds to zero gives +0 here: no sign written */
    const double m = vox_rint_exact(x);
    const uint64_t u = (uint64_t)(int64_t)fabs(m), ip = dec == 4 ? u / 10000 : u / 1000; /* < 9e15 < 2^63 */
    *o = '-';
    o += m < 0;
    o += vox_fmt_u64(ip, o);
    *o = '.';
    put_frac(o + 1, (unsigned)(u - ip * (dec == 4 ? 10000 : 1000)), dec);
    return o + 1 + dec;
}

/* What fixed_at leaves: null when v is not finite, else printf's answer. */
static void jw_fixed_slow(jw *w, double v, int dec)
{
    if (!isfinite(v)) {
        jw_lit(w, "null");
        return;
    }
    char tmp[400];
    int n = snprintf(tmp, sizeof tmp, "%.*f", dec, v);
    jw_raw(w, tmp, n > 0 ? (size_t)n : 0);
}

/* Python's repr, the shortest exact digits (slow: a few numbers only). */
static void jw_repr(jw *w, double v)
{
    char s[64];
    vox_fmt_repr(v, s);
    jw_raw(w, s, strlen(s));
}

/* Every digit (the transform): "%.17g" (exact17.h), with a point. */
static void jw_exact(jw *w, double v)
{
    char *o = jw_room(w, VOX_FMT_G17_MAX + 2);
    const size_t n = vox_fmt_g17(v == 0.0 ? 0.0 : v, o);
    w->p = o + n;
    if (!memchr(o, '.', n) && !memchr(o, 'e', n) && !memchr(o, 'n', n))
        jw_lit(w, ".0");
}

/* A string through vox_json_text, into the buffer at o; the pointer past
 * it, with room for what the rest of a batch of rows may write. */
static char *jw_json(jw *w, char *o, const char *s)
{
    w->p = o;
    jw_sync(w);
    if (!w->b->oom)
        vox_json_text(w->b, s, &w->replaced);
    jw_resume(w);
    return jw_room(w, JW_ROWS * JW_ROOM);
}

/* The bytes a JSON string holds as they are: printable ASCII but the quote
 * and the backslash (json.dumps writes these so, with ensure_ascii).  The
 * terminator is not one, so a run of them stops at it. */
static const uint8_t json_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00: control characters */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: the quote escaped */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: the backslash escaped */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70: DEL escaped; 0x80 on: not ASCII */
};

/* The plain bytes f starts with, up to size - 1 (the longest name a field of
 * size bytes holds): one test a byte, no loop (a name is a few bytes, and a
 * counted loop costs more than the tests). */
static inline size_t plain_run(const char *f, size_t size)
{
    const unsigned char *u = (const unsigned char *)f;
    if (!json_plain[u[0]]) return 0;
    if (!json_plain[u[1]]) return 1;
    if (!json_plain[u[2]]) return 2;
    if (size == 4 || !json_plain[u[3]]) return 3;
    if (!json_plain[u[4]]) return 4;
    if (!json_plain[u[5]]) return 5;
    if (!json_plain[u[6]]) return 6;
    return 7;
}

/* A name field of size 8 or 4 bytes as a JSON string at o (room for it
 * checked: 2 + size bytes are stored even for a shorter name).  Plain bytes
 * up to the terminator are copied as they are, which is what
 * vox_json_text writes for them; anything else (a byte to escape, or no
 * terminator in the field) goes through vox_json_text. */
static inline char *put_name(jw *w, char *o, const char *field, size_t size)
{
    const size_t n = plain_run(field, size);
    if (field[n])
        return jw_json(w, o, field);
    o[0] = '"';
    memcpy(o + 1, field, size);
    o[n + 1] = '"';
    return o + n + 2;
}

static inline char *put_sep(char *o)
{
    memcpy(o, ", ", 2);
    return o + 2;
}

/* The residue fields of atom a: chain, number, insertion code, name, at o
 * (JW_ROOM bytes of room). */
static char *put_residue(jw *w, char *o, const vox_atom *a)
{
    o = put_sep(put_name(w, o, a->chain, sizeof a->chain));
    o = put_sep(o + vox_fmt_i64(a->res_id, o));
    const unsigned char c = (unsigned char)a->ins_code;
    if (!c) {
        memcpy(o, "\"\"", 2);
        o += 2;
    } else if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        o[0] = '"';
        o[1] = (char)c;
        o[2] = '"';
        o += 3;
    } else {
        const char ins[2] = {(char)c, '\0'};
        o = jw_json(w, o, ins);
    }
    return put_name(w, put_sep(o), a->res_name, sizeof a->res_name);
}

/* put_residue's text for atom a at o (room for 64 bytes) where no name
 * needs escaping, as in all but hostile files; NULL where one does (then
 * put_residue, which calls vox_json_text for it). */
static inline char *plain_residue(char *o, const vox_atom *a)
{
    const size_t nc = plain_run(a->chain, sizeof a->chain), nr = plain_run(a->res_name, sizeof a->res_name);
    const unsigned char c = (unsigned char)a->ins_code;
    if (a->chain[nc] || a->res_name[nr] || (c && !json_plain[c]))
        return NULL;
    o[0] = '"'; /* put_name's stores */
    memcpy(o + 1, a->chain, sizeof a->chain);
    o[nc + 1] = '"';
    o = put_sep(o + nc + 2);
    o = put_sep(o + vox_fmt_i64(a->res_id, o));
    if (!c) {
        memcpy(o, "\"\"", 2);
        o += 2;
    } else {
        o[0] = '"';
        o[1] = (char)c;
        o[2] = '"';
        o += 3;
    }
    o = put_sep(o);
    o[0] = '"';
    memcpy(o + 1, a->res_name, sizeof a->res_name);
    o[nr + 1] = '"';
    return o + nr + 2;
}

/* The lining atoms and where the atoms table wrote their residues' text:
 * the volumes' lining residues copy it from there instead of writing it
 * again (4jpn.pdb: 873 residues, 651 of them different, a fifth of what
 * the volumes cost). */
typedef struct lining_index {
    /* per atom: 0 not in the table; else a row (1 until it is written), the
     * number of digits of its index in bits 0-6, and ROW_TEXT where its
     * residue text starts in it */
    uint8_t *rows;
    /* digits[i]: the digits of i and ", ", for the lining atoms' lists to
     * copy where i has at most 6; text[i], where ROW_TEXT: the residue
     * text's offset in the buffer times 256 plus its length.  Read only
     * where set. */
    uint64_t *digits, *text;
} lining_index;

#define ROW_TEXT 0x80

/* The same residue as put_residue writes it: the same bytes (number,
 * insertion code, the name and chain fields whole), or else what
 * vox_same_residue tells, as it ignores what follows a name's terminator. */
static inline int same_residue(const vox_atom *a, const vox_atom *b)
{
    if (a->res_id != b->res_id || a->ins_code != b->ins_code)
        return 0;
    return (memcmp(a->res_name, b->res_name, 8) == 0 && memcmp(a->chain, b->chain, 8) == 0) ||
           vox_same_residue(a, b);
}

/* len bytes from src to o, len <= 32 without a call: src lies far enough
 * before o (a row or more) that the 32 bytes read may pass its end. */
static inline char *copy_text(char *o, const char *src, size_t len)
{
    if (len <= 32) {
        uint64_t t[4]; /* all read before any is written */
        memcpy(t, src, 32);
        memcpy(o, t, 32);
    } else {
        memmove(o, src, len);
    }
    return o + len;
}

/* Slots of the table of tail_text, looked up in pairs (a miss writes the
 * text and takes the pair's empty slot, else its first). */
#define TAIL_SLOTS 256

/* The text after an atom's residue in its row and before the next row's
 * index, `, "NAME", "EL"],\n    [` (the last row's seven bytes of the
 * next one taken back at the end), kept
 * for the atom names and elements met before in the document: a table
 * holds mostly a few dozen of them (N, CA, C, O, CB with their elements),
 * so a row's tests and stores of two names become one look-up and one
 * copy.  Only plain names (plain_run) are kept: a name to escape is
 * written each time, as before. */
typedef struct tail_text {
    uint32_t element; /* the element field's 4 bytes */
    uint32_t len;     /* the text's length */
    char text[32];    /* at most 3 + 7 + 4 + 3 + 2 + 7 bytes */
} tail_text;

/* The table: the name fields' 8 bytes apart, the only part cleared for a
 * document (2 kB, not 12). */
typedef struct tail_table {
    uint64_t name[TAIL_SLOTS]; /* TAIL_EMPTY: a free slot */
    tail_text slot[TAIL_SLOTS];
} tail_table;

/* No kept name has these bytes: 0xff is not plain, and a name that is not
 * plain is never kept.  Every slot starts so (memset 0xff), so a look-up
 * compares the name without a test of the slot being in use. */
#define TAIL_EMPTY (~0ull)

/* The slot of a name: the top 8 bits of its product by an odd constant
 * (the pair h, h ^ 1 shares its collisions: O and OD1 took turns in one
 * slot).  The element is compared, not hashed: an atom name nearly always
 * comes with one element, and a product saved is a tenth of a row. */
static inline size_t tail_slot(uint64_t name) { return (size_t)((name * 0x9e3779b97f4a7c15ull) >> 56); }

/* The tail of atom a's row at o, from tails or written (and kept there
 * when plain). */
static inline char *put_tail(jw *w, char *o, const vox_atom *a, tail_table *tails)
{
    uint64_t name;
    uint32_t element;
    memcpy(&name, a->name, sizeof name);
    memcpy(&element, a->element, sizeof element);
    size_t h = tail_slot(name);
    const tail_text *t = &tails->slot[h];
    if (tails->name[h] == name && t->element == element) {
        memcpy(o, t->text, sizeof t->text);
        return o + t->len;
    }
    t = &tails->slot[h ^ 1];
    if (tails->name[h ^ 1] == name && t->element == element) {
        memcpy(o, t->text, sizeof t->text);
        return o + t->len;
    }
    if (tails->name[h] != TAIL_EMPTY && tails->name[h ^ 1] == TAIL_EMPTY) /* the empty one of the two, else the first */
        h ^= 1;
    const size_t n = plain_run(a->name, sizeof a->name), m = plain_run(a->element, sizeof a->element);
    if (a->name[n] || a->element[m]) { /* a name to escape: vox_json_text */
        o = put_sep(put_name(w, put_sep(o), a->name, sizeof a->name));
        o = put_name(w, o, a->element, sizeof a->element);
        return VOX_PUT(o, "],\n    [");
    }
    /* fixed lengths (no call), each piece's surplus overwritten by the next */
    tail_text *k = &tails->slot[h];
    char *e = k->text;
    memcpy(e, ", \"", 3);
    memcpy(e + 3, a->name, 8);
    e += 3 + n;
    memcpy(e, "\", \"", 4);
    memcpy(e + 4, a->element, 4);
    e += 4 + m;
    memcpy(e, "\"],\n    [", 9);
    tails->name[h] = name;
    k->element = element;
    k->len = (uint32_t)(e + 9 - k->text);
    memcpy(o, k->text, sizeof k->text);
    return o + k->len;
}

/* A function kept out of its caller: inlined, a loop's variables no
 * longer stayed in registers. */
#if defined(__GNUC__)
#define JW_NOINLINE __attribute__((noinline))
#else
#define JW_NOINLINE
#endif

/* The lining atoms' rows, in structure order; whether there was one.  A
 * residue's atoms follow one another, so its text, made for the first row,
 * is copied from a local block for the rest: the residue it holds is kept
 * in locals (a char stored through o may alias any field, so the compiler
 * would read a memo atom's fields again for every row).  The room is
 * checked once for JW_ROWS rows (jw_json keeps as much after a name it
 * escapes). */
static JW_NOINLINE size_t put_atoms(jw *w, const vox_structure *s, const lining_index *x)
{
    /* in locals: the compiler reloads what a char store might change */
    const vox_atom *const atoms = s->atoms.a;
    const size_t *const kept = s->kept, *const numbers = s->input_number, natoms = s->atoms.n;
    uint8_t *const lines = x->rows;
    uint64_t *const digits_of = x->digits, *const text_of = x->text;
    const vox_atom *memo = NULL; /* the atom whose residue text memo_text holds; NULL: none */
    /* memo's residue (compared only while memo is set) */
    int memo_res_id = 0;
    char memo_ins = 0;
    uint64_t memo_name = 0, memo_chain = 0;
    /* memo's text, out of the buffer (which an escaped name may move),
     * with room for the 32 bytes a row's copy reads */
    char memo_text[256 + 32];
    size_t memo_len = 0, i = 0;
    /* the last row's index: its text with ", " (digits_of), the next
     * index, the last digit (9: none to step) and its unit in the text */
    uint64_t last_digits = 0, last_unit = 0;
    size_t next_i = (size_t)-1, n = 0;
    unsigned last_digit = 9;
    tail_table tails;
    memset(tails.name, 0xff, sizeof tails.name);
    /* each row ends with the next one's "," and line and "[" (put_tail):
     * the first one's line here, and what follows the last taken back */
    char *o = VOX_PUT(jw_room(w, JW_ROWS * JW_ROOM), "\n    [");
    size_t rows = 0;
    for (;;) {
        w->p = o;
        o = jw_room(w, JW_ROWS * JW_ROOM);
        for (size_t k = 0; k < JW_ROWS; k++, i++) {
            while (!lines[i]) i++; /* lines[natoms] is set: it stops there */
            if (i == natoms) {
                /* (out of memory, o may be where spill starts) */
                w->p = w->b->oom ? w->spill : o - (rows ? 7 : 6);
                return rows != 0;
            }
            const vox_atom *a = &atoms[i];
            rows++;
            /* the index and ", ", kept for the lining atoms' lists; the
             * input index, mostly the same number, copied.  Most rows
             * follow the atom before (a residue's atoms): then the index
             * is the last one's text with its last digit one more, unless
             * that digit is a 9 (or the index too long for 8 bytes) */
            size_t j = kept ? kept[i] : i; /* vox_structure_input_number */
            if (numbers)
                j = numbers[j];
            uint64_t digits;
            if (i == next_i && last_digit < 9) {
                digits = last_digits + last_unit;
                last_digit++;
                memcpy(o, &digits, 8);
            } else {
                n = vox_fmt_u64(i, o);
                put_sep(o + n);
                memcpy(&digits, o, 8); /* 8 bytes read before any is written: they may overlap */
                last_digit = n <= 6 ? (unsigned)(i % 10) : 9;
                last_unit = 1ull << (8 * (n - 1));
            }
            last_digits = digits;
            next_i = i + 1;
            digits_of[i] = digits;
            uint8_t row = (uint8_t)n;
            o += n + 2;
            if (j == i && n <= 6) {
                memcpy(o, &digits, 8);
                o += n + 2;
            } else {
                o = put_sep(o + vox_fmt_u64(j, o));
            }
            uint64_t res_name, chain;
            char *e;
            memcpy(&res_name, a->res_name, 8);
            memcpy(&chain, a->chain, 8);
            if (memo && a->res_id == memo_res_id && a->ins_code == memo_ins &&
                ((res_name == memo_name && chain == memo_chain) || vox_same_residue(a, memo))) {
                memcpy(o, memo_text, 32); /* a fixed length (memo_len <= 32 as a rule): no call */
                if (memo_len > 32)
                    memcpy(o + 32, memo_text + 32, memo_len - 32);
                o += memo_len;
            } else if (!w->b->oom && (e = plain_residue(memo_text, a)) != NULL) {
                /* a residue with plain names: its text made in memo_text,
                 * then copied as the rows after it will be */
                memo = a;
                memo_res_id = a->res_id;
                memo_ins = a->ins_code;
                memo_name = res_name;
                memo_chain = chain;
                memo_len = (size_t)(e - memo_text); /* under 64 */
                text_of[i] = (uint64_t)(o - w->b->data) << 8 | memo_len;
                row |= ROW_TEXT;
                memcpy(o, memo_text, 32);
                if (memo_len > 32)
                    memcpy(o + 32, memo_text + 32, memo_len - 32);
                o += memo_len;
            } else {
                /* kept as an offset: vox_json_text may move the buffer */
                const int live = !w->b->oom;
                const size_t at = live ? (size_t)(o - w->b->data) : 0;
                o = put_residue(w, o, a);
                memo = NULL;
                if (live && !w->b->oom && (size_t)(o - w->b->data) - at < 256) {
                    memo = a;
                    memo_res_id = a->res_id;
                    memo_ins = a->ins_code;
                    memo_name = res_name;
                    memo_chain = chain;
                    memo_len = (size_t)(o - w->b->data) - at;
                    memcpy(memo_text, w->b->data + at, memo_len);
                    text_of[i] = (uint64_t)at << 8 | memo_len;
                    row |= ROW_TEXT;
                }
            }
            lines[i] = row;
            o = put_tail(w, o, a, &tails);
        }
    }
}

/* Atom f's residue fields (put_residue) copied from the atoms table: from
 * its first row at or after f, when that row is of f's residue and its
 * text was kept there; else written. */
static char *put_residue_again(jw *w, char *o, const vox_structure *s, const lining_index *x, size_t f)
{
    size_t i = f;
    while (i < s->atoms.n && !x->rows[i]) i++;
    if (i < s->atoms.n && (x->rows[i] & ROW_TEXT) && !w->b->oom && same_residue(&s->atoms.a[i], &s->atoms.a[f]))
        return copy_text(o, w->b->data + (x->text[i] >> 8), x->text[i] & 255);
    return put_residue(w, o, &s->atoms.a[f]);
}

/* Room for the most a volume's head (put_head: its fields up to the
 * boxes, the areas' list aside) stores between room checks: some 450
 * bytes of text, the type's name, three integers and 32 numbers of at most
 * 32 bytes (1.6 kB). */
#define HEAD_ROOM 2048

/* v with dec (3 or 4) decimals at o (fixed_at), null when not finite;
 * the end, with HEAD_ROOM after it (where printf wrote, the buffer's room
 * is checked again). */
static inline char *put_fixed(jw *w, char *o, double v, int dec)
{
    char *e = fixed_at(o, v, dec);
    if (e)
        return e;
    w->p = o;
    jw_fixed_slow(w, v, dec);
    return jw_room(w, HEAD_ROOM);
}

/* "[x, y, z]" with 3 decimals at o. */
static char *put_vec(jw *w, char *o, const double v[3])
{
    *o++ = '[';
    o = put_sep(put_fixed(w, o, v[0], 3));
    o = put_sep(put_fixed(w, o, v[1], 3));
    o = put_fixed(w, o, v[2], 3);
    *o++ = ']';
    return o;
}

/* The bounding and docking boxes at o, in both frames. */
static char *put_boxes(jw *w, char *o, const vox_result *r, size_t index, double padding)
{
    static const int slot[2] = {1, 0}; /* vox_volume_bounds: [0] aligned, [1] input */
    double lo[2][3], hi[2][3];
    vox_volume_bounds(r, index, lo, hi);
    o = VOX_PUT(o, "      \"bounding_box\": {");
    for (int f = 0; f < 2; f++) {
        o = f ? VOX_PUT(o, ", \"aligned\": {\"min\": ") : VOX_PUT(o, "\"input\": {\"min\": ");
        o = VOX_PUT(put_vec(w, o, lo[slot[f]]), ", \"max\": ");
        o = put_vec(w, o, hi[slot[f]]);
        *o++ = '}';
    }
    /* the docking box is the bounding box grown by the padding on every side */
    o = VOX_PUT(o, "},\n      \"docking_box\": {");
    for (int f = 0; f < 2; f++) {
        double centre[3], size[3];
        for (int a = 0; a < 3; a++) {
            const double l = lo[slot[f]][a] - padding, h = hi[slot[f]][a] + padding;
            centre[a] = 0.5 * (l + h);
            size[a] = h - l;
        }
        o = f ? VOX_PUT(o, ", \"aligned\": {\"center\": ") : VOX_PUT(o, "\"input\": {\"center\": ");
        o = VOX_PUT(put_vec(w, o, centre), ", \"size\": ");
        o = put_vec(w, o, size);
        *o++ = '}';
    }
    return VOX_PUT(o, "},\n");
}

/* A volume's fields up to its boxes, at a cursor: their room checked once
 * (HEAD_ROOM), but for the openings' areas, where a dozen may be. */
static void put_head(jw *w, const vox_result *r, size_t index, double padding)
{
    const vox_group *g = &r->groups[index];
    vox_descriptors d;
    d.size = sizeof d;
    vox_result_descriptors(r, index, &d);
    char *o = VOX_PUT(jw_room(w, HEAD_ROOM), "    {\n      \"id\": ");
    o += vox_fmt_i64(g->id, o);
    o = vox_put_str(VOX_PUT(o, ", \"type\": \""), vox_volume_type_name(g->type));
    o = VOX_PUT(o, "\", \"num_voxels\": ");
    o += vox_fmt_u64(g->n, o);
    o = put_fixed(w, VOX_PUT(o, ", \"volume\": "), g->volume, 3);
    o = put_fixed(w, VOX_PUT(o, ",\n      \"depth\": {\"max\": "), d.depth_max, 3);
    o = put_fixed(w, VOX_PUT(o, ", \"mean\": "), d.depth_mean, 3);
    o = put_fixed(w, VOX_PUT(o, "},\n      \"hydropathy\": "), d.has_hydropathy ? d.hydropathy : NAN, 4);
    o = put_fixed(w, VOX_PUT(o, ",\n      \"lining_atom_fractions\": {\"apolar\": "), d.apolar_fraction, 4);
    o = put_fixed(w, VOX_PUT(o, ", \"polar\": "), d.polar_fraction, 4);
    o = put_fixed(w, VOX_PUT(o, ", \"charged\": "), d.charged_fraction, 4);
    o = VOX_PUT(o, "},\n      \"openings\": ");
    if (d.has_openings) {
        o = VOX_PUT(o, "{\"count\": ");
        o += vox_fmt_u64(d.num_openings, o);
        o = put_fixed(w, VOX_PUT(o, ", \"area\": "), d.opening_area, 3);
        o = VOX_PUT(o, ", \"areas\": [");
        for (size_t m = 0; m < g->nmouths; m++) {
            if ((size_t)(w->end - o) < HEAD_ROOM) {
                w->p = o;
                o = jw_room(w, HEAD_ROOM);
            }
            if (m)
                o = put_sep(o);
            o = put_fixed(w, o, (double)g->mouth_faces[m] * r->resolution * r->resolution, 3);
        }
        o = VOX_PUT(o, "]}");
    } else {
        o = VOX_PUT(o, "null");
    }
    w->p = put_boxes(w, VOX_PUT(o, ",\n"), r, index, padding);
}

static void put_volume(jw *b, const vox_structure *s, const vox_result *r, const lining_index *x, size_t index,
                       double padding)
{
    const vox_group *g = &r->groups[index];
    put_head(b, r, index, padding);
    jw_lit(b, "      \"lining_residues\": [");
    for (size_t t = 0; t < g->d.nresidues; t++) {
        char *o = jw_room(b, JW_ROOM);
        if (t) o = put_sep(o);
        *o++ = '[';
        o = put_sep(put_residue_again(b, o, s, x, g->d.residues[t]));
        o += vox_fmt_u64(g->d.residues[t], o);
        *o++ = ']';
        b->p = o;
    }
    jw_lit(b, "],\n      \"lining_atoms\": [");
    /* "i, " as the atoms table wrote it, one room check for 16; the last
     * ", " taken back */
    const size_t *const lining = g->d.lining, nlining = g->d.nlining;
    const uint8_t *const rows = x->rows;
    const uint64_t *const digits_of = x->digits;
    const int short_indices = s->atoms.n <= 1000000; /* every index has at most 6 digits: no test each */
    for (size_t t = 0; t < nlining;) {
        char *o = jw_room(b, 16 * 22);
        const size_t e = nlining - t < 16 ? nlining : t + 16;
        if (short_indices) {
            for (; t < e; t++) {
                const size_t f = lining[t];
                memcpy(o, &digits_of[f], 8);
                o += (rows[f] & ~ROW_TEXT) + 2;
            }
        } else {
            for (; t < e; t++) {
                const size_t f = lining[t], n = rows[f] & ~ROW_TEXT;
                if (n <= 6) {
                    memcpy(o, &digits_of[f], 8);
                    o += n + 2;
                } else {
                    o = put_sep(o + vox_fmt_u64(f, o));
                }
            }
        }
        b->p = o;
    }
    if (nlining)
        b->p -= 2;
    jw_lit(b, "]\n    }");
}

static int shown(const vox_group *g, int include_hubs) { return g->type != VOX_HUB || include_hubs; }

vox_status vox_render_volumes_json(const vox_structure *s, const vox_result *r, const vox_render_params *p,
                                   vox_buf *out, int *replaced)
{
    /* the atoms that line any volume written, each once */
    lining_index x;
    x.rows = calloc(s->atoms.n + 1, 1);
    /* read only where written */
    x.digits = malloc((s->atoms.n ? s->atoms.n : 1) * sizeof *x.digits);
    x.text = malloc((s->atoms.n ? s->atoms.n : 1) * sizeof *x.text);
    if (!x.rows || !x.digits || !x.text) {
        free(x.rows);
        free(x.digits);
        free(x.text);
        return VOX_E_NOMEM;
    }
    uint8_t *lines = x.rows;
    lines[s->atoms.n] = 1; /* put_atoms' sentinel */
    size_t nlining = 0, nresidues = 0, nvol = 0;
    for (size_t i = 0; i < r->n; i++)
        if (shown(&r->groups[i], p->include_hubs)) {
            const vox_group *g = &r->groups[i];
            for (size_t t = 0; t < g->d.nlining; t++) lines[g->d.lining[t]] = 1;
            nlining += g->d.nlining;
            nresidues += g->d.nresidues;
            nvol++;
        }
    /* one allocation for most documents (it grows if not): about 50 bytes a
     * row of the atoms table, 6 an index, 32 a residue and 720 the rest of a
     * volume (4jpn.pdb: 324 kB for 292) */
    const size_t rows = nlining < s->atoms.n ? nlining : s->atoms.n;
    (void)vox_buf_tail(out, 1024 + 50 * rows + 6 * nlining + 32 * nresidues + 720 * nvol);
    jw w;
    w.b = out;
    w.replaced = 0;
    jw_resume(&w);
    jw *b = &w;
    jw_lit(b, "{\n  \"format\": \"vox-volumes\",\n  \"schema\": 1,\n  \"vox_version\": \"");
    jw_puts(b, vox_version());
    jw_lit(b, "\",\n  \"source\": ");
    if (p->source) b->p = jw_json(b, b->p, p->source);
    else jw_lit(b, "null");
    jw_lit(b, ",\n  \"resolution\": ");
    jw_repr(b, r->resolution);
    jw_lit(b, ",\n  \"box_padding\": ");
    jw_repr(b, p->box_padding);
    jw_lit(b, ",\n  \"hydropathy_scale\": \"Kyte-Doolittle\",\n  \"input_to_aligned\": {\"rotation\": [");
    for (int a = 0; a < 3; a++) {
        jw_puts(b, a ? ", [" : "[");
        for (int c = 0; c < 3; c++) {
            if (c) jw_lit(b, ", ");
            jw_exact(b, r->rot[a][c]);
        }
        jw_c(b, ']');
    }
    jw_lit(b, "], \"centroid\": [");
    for (int c = 0; c < 3; c++) {
        if (c) jw_lit(b, ", ");
        jw_exact(b, r->centroid[c]);
    }
    jw_puts(b, "]},\n  \"atom_fields\": [\"index\", \"input_index\", \"chain\", \"res_id\", \"ins_code\", "
               "\"res_name\", \"atom_name\", \"element\"],\n"
               "  \"residue_fields\": [\"chain\", \"res_id\", \"ins_code\", \"res_name\", \"first_atom\"],\n"
               "  \"atoms\": [");
    const size_t written = put_atoms(b, s, &x);
    jw_puts(b, !written ? "],\n  \"volumes\": [" : "\n  ],\n  \"volumes\": [");
    size_t count = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!shown(&r->groups[i], p->include_hubs))
            continue;
        jw_puts(b, count++ ? ",\n" : "\n");
        put_volume(b, s, r, &x, i, p->box_padding);
    }
    jw_puts(b, count ? "\n  ]\n}\n" : "]\n}\n");
    free(x.rows);
    free(x.digits);
    free(x.text);
    jw_sync(b);
    if (!out->oom)
        out->data[out->len] = '\0';
    *replaced = w.replaced;
    return out->oom ? VOX_E_NOMEM : VOX_OK;
}
