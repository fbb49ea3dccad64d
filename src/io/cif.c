/* cif.c - mmCIF parser with biotite 0.37 semantics (ALGORITHM.md §2.3, §2.7, §2.8)
 *
 * A small tokenizer reads the first data block into categories (each a
 * table of string values); only atom_site, the three assembly categories
 * and cell are interpreted.  Semicolon text fields are joined line by line
 * with no separator after trimming, as biotite does, so an operator list
 * wrapped over several lines reads as one string.
 */
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_masks.h"
#include "fixed_cols.h"
#include "internal.h"
#include "number_word.h"
#include "swar.h"

typedef struct sv {
    const char *p;
    uint32_t len;
    uint32_t line;
} sv;

typedef struct category {
    char name[64];
    size_t namelen; /* strlen(name), kept: get_cat compares it for every tag */
    char (*items)[64];
    size_t nitems, itemcap;
    sv *vals; /* row-major: nrows * nitems; only when kept */
    size_t nvals, cap;
    int kept;     /* a category vox reads (kept_category): its values are stored, others only counted */
    sv last;      /* the last value of one that is not kept, for a message about its loop's end */
    const char *loop_first, *loop_end; /* a loop's values being read: its text from loop_first on */
    uint32_t loop_line; /* the line of its loop_, when it is one (0: single values) */
} category;

typedef struct cif_doc {
    category *cats;
    size_t ncats;
    char **arena; /* joined text fields */
    size_t narena;
    int later_blocks; /* the file goes on past the first data block, which is all that is read */
} cif_doc;

static void doc_free(cif_doc *d)
{
    for (size_t i = 0; i < d->ncats; i++) {
        free(d->cats[i].items);
        free(d->cats[i].vals);
    }
    free(d->cats);
    for (size_t i = 0; i < d->narena; i++)
        free(d->arena[i]);
    free(d->arena);
}

static size_t nrows(const category *c) { return c->nitems ? c->nvals / c->nitems : 0; }

static category *find_cat(const cif_doc *d, const char *name)
{
    for (size_t i = 0; i < d->ncats; i++)
        if (strcmp(d->cats[i].name, name) == 0)
            return &d->cats[i];
    return NULL;
}

/* Whether c has the item of len bytes (as add_item would store it) already. */
static int has_item(const category *c, const char *item, size_t len)
{
    const size_t n = len < 63 ? len : 63;
    for (size_t i = 0; i < c->nitems; i++)
        if (!strncmp(c->items[i], item, n) && c->items[i][n] == '\0')
            return 1;
    return 0;
}

static int find_item(const category *c, const char *item)
{
    if (!c)
        return -1;
    for (size_t i = 0; i < c->nitems; i++)
        if (strcmp(c->items[i], item) == 0)
            return (int)i;
    return -1;
}

static const sv *cell(const category *c, size_t row, int item) { return &c->vals[row * c->nitems + (size_t)item]; }

/* ---- tokenizer ------------------------------------------------------- */

typedef struct lexer {
    const char *p, *end;
    uint32_t line;
    int at_line_start;
    uint32_t open_text; /* a text field that never ends: the line of its opening ';' */
} lexer;

/* next_token's failures (its *err): */
enum { LEX_OOM = 1, LEX_OPEN_TEXT = 2 };

enum { TOK_EOF, TOK_VALUE, TOK_QUOTED, TOK_TEXT };

/* isspace() of the C locale (space, \t, \n, \v, \f, \r) as a table: the
 * lexer asks it for nearly every byte of the file. */
static const unsigned char blank[256] = {['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1};
#define IS_BLANK(c) (blank[(unsigned char)(c)])

/* The first byte at or after p that is not a space. */
static inline const char *skip_spaces(const char *p, const char *end)
{
    while (p < end && *p == ' ') p++;
    return p;
}

/* The first blank (or end) at or after p. */
static inline const char *word_end(const char *p, const char *end)
{
    while (p < end && !IS_BLANK(*p)) p++;
    return p;
}

static int next_token(lexer *lx, cif_doc *d, sv *out, int *oom)
{
    for (;;) {
        /* blanks are exactly what ends a bare word below (isspace), so every
         * token advances: \v or \f in a damaged file cannot stall the lexer */
        const char *p = lx->p, *end = lx->end;
        while (p < end && IS_BLANK(*p)) {
            if (*p == ' ') { /* runs of spaces align the columns */
                p = skip_spaces(p + 1, end);
                lx->at_line_start = 0;
                continue;
            }
            if (*p == '\n') {
                lx->line++;
                lx->at_line_start = 1;
            } else if (*p != '\r') {
                lx->at_line_start = 0;
            }
            p++;
        }
        lx->p = p;
        if (lx->p >= lx->end)
            return TOK_EOF;
        if (*lx->p == '#') {
            while (lx->p < lx->end && *lx->p != '\n') lx->p++;
            continue;
        }
        break;
    }
    uint32_t line = lx->line;
    if (*lx->p == ';' && lx->at_line_start) {
        /* text field: up to a line that starts with ';' */
        const char *s = lx->p + 1;
        size_t cap = 64, n = 0;
        char *buf = malloc(cap);
        if (!buf) { *oom = 1; return TOK_EOF; }
        const char *q = s;
        for (;;) {
            const char *nl = memchr(q, '\n', (size_t)(lx->end - q));
            const char *le = nl ? nl : lx->end;
            /* trim the line and append it */
            const char *a = q, *b = le;
            while (a < b && isspace((unsigned char)*a)) a++;
            while (b > a && isspace((unsigned char)b[-1])) b--;
            if (n + (size_t)(b - a) + 1 > cap) {
                while (n + (size_t)(b - a) + 1 > cap) cap *= 2;
                char *nb = realloc(buf, cap);
                if (!nb) { free(buf); *oom = 1; return TOK_EOF; }
                buf = nb;
            }
            memcpy(buf + n, a, (size_t)(b - a));
            n += (size_t)(b - a);
            if (!nl) { /* the file ends inside the field: nothing after it can be read right */
                free(buf);
                lx->open_text = line;
                *oom = LEX_OPEN_TEXT;
                return TOK_EOF;
            }
            lx->line++;
            q = nl + 1;
            if (q < lx->end && *q == ';') { q++; break; }
        }
        buf[n] = '\0';
        char **na = realloc(d->arena, (d->narena + 1) * sizeof *na);
        if (!na) { free(buf); *oom = 1; return TOK_EOF; }
        d->arena = na;
        d->arena[d->narena++] = buf;
        lx->p = q;
        lx->at_line_start = 0;
        *out = (sv){buf, (uint32_t)n, line};
        return TOK_TEXT;
    }
    lx->at_line_start = 0;
    if (*lx->p == '\'' || *lx->p == '"') {
        char qc = *lx->p;
        const char *s = lx->p + 1, *q = s;
        while (q < lx->end && *q != '\n') {
            if (*q == qc && (q + 1 >= lx->end || isspace((unsigned char)q[1])))
                break;
            q++;
        }
        if (q < lx->end && *q == qc) {
            *out = (sv){s, (uint32_t)(q - s), line};
            lx->p = q + 1;
            return TOK_QUOTED;
        }
        /* unterminated quote: read it as a bare word */
    }
    const char *s = lx->p, *end = lx->end, *q = word_end(s, end);
    lx->p = q;
    *out = (sv){s, (uint32_t)(q - s), line};
    return TOK_VALUE;
}

/* Bytes that cannot start a bare word: blanks, '#', quotes and ';' (a text
 * field at a line's start). */
static const unsigned char not_bare[256] = {['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1,
                                            ['#'] = 1,  ['\''] = 1, ['"'] = 1,  [';'] = 1};

/* word_end, eight bytes at a time where eight remain: the first byte below
 * 0x21 of a word (x - 0x21 per byte borrows only from bytes below it, and
 * the lowest such byte is exact), then the table says whether it is a blank
 * (a control byte that is not one belongs to the word). */
static inline const char *word_end_fast(const char *p, const char *end)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        const uint64_t low = (x - 0x21 * ones) & ~x & highs;
        if (!low) {
            p += 8;
            continue;
        }
        p += __builtin_ctzll(low) >> 3;
        if (IS_BLANK(*p))
            return p;
        p++;
    }
    return word_end(p, end);
}

/* skip_spaces, eight bytes at a time where eight remain: the first byte
 * that is not a space. */
static inline const char *spaces_end(const char *p, const char *end)
{
    while (end - p >= 8) {
        const uint64_t other = ~vox_swar_eq(vox_text_bits(p, 8), ' ') & VOX_SWAR_HIGHS;
        if (other)
            return p + (__builtin_ctzll(other) >> 3);
        p += 8;
    }
    return skip_spaces(p, end);
}

/* The common token inline: blanks made of spaces and line ends, then a bare
 * word that is not a comment, a quote or a text field; anything else goes
 * to next_token.  Same tokens, same line numbers. */
static inline int next_token_fast(lexer *lx, cif_doc *d, sv *out, int *oom)
{
    const char *p = lx->p, *end = lx->end;
    uint32_t line = lx->line;
    int at_start = lx->at_line_start;
    for (; p < end; p++) {
        if (*p == ' ') at_start = 0;
        else if (*p == '\n') line++, at_start = 1;
        else break;
    }
    if (p < end && (!not_bare[(unsigned char)*p] || (*p == ';' && !at_start))) {
        const char *q = word_end_fast(p, end);
        *out = (sv){p, (uint32_t)(q - p), line};
        lx->p = q;
        lx->line = line;
        lx->at_line_start = 0;
        return TOK_VALUE;
    }
    lx->p = p;
    lx->line = line;
    lx->at_line_start = at_start;
    return next_token(lx, d, out, oom);
}

static int sv_eq(const sv *v, const char *s) { return v->len == strlen(s) && memcmp(v->p, s, v->len) == 0; }
static int sv_prefix(const sv *v, const char *s) { size_t n = strlen(s); return v->len >= n && memcmp(v->p, s, n) == 0; }

/* Whether vox reads category name (vox_parse_cif's find_cat calls).  The
 * values of the others are counted, for the check of a loop's shape, but
 * not stored: a file's big loops besides atom_site (atom_site_anisotrop,
 * pdbx_poly_seq_scheme, ...) would be megabytes of memory written once,
 * never read, and faulted in again at every load of a batch. */
static int kept_category(const char *name, size_t nlen)
{
    static const char *const read[] = {"atom_site", "cell", "pdbx_struct_assembly", "pdbx_struct_assembly_gen",
                                       "pdbx_struct_oper_list"};
    for (size_t i = 0; i < sizeof read / sizeof *read; i++)
        if (strlen(read[i]) == nlen && !memcmp(read[i], name, nlen))
            return 1;
    return 0;
}

static category *get_cat(cif_doc *d, const char *name, size_t nlen)
{
    for (size_t i = 0; i < d->ncats; i++)
        if (d->cats[i].namelen == nlen && memcmp(d->cats[i].name, name, nlen) == 0)
            return &d->cats[i];
    category *nc = realloc(d->cats, (d->ncats + 1) * sizeof *nc);
    if (!nc)
        return NULL;
    d->cats = nc;
    category *c = &d->cats[d->ncats++];
    memset(c, 0, sizeof *c);
    size_t n = nlen < sizeof c->name - 1 ? nlen : sizeof c->name - 1;
    memcpy(c->name, name, n);
    c->namelen = strlen(c->name); /* a NUL in the name ends it, as strlen did at each look-up */
    c->kept = kept_category(name, nlen);
    return c;
}

static int add_item(category *c, const char *name, size_t len)
{
    if (c->nitems == c->itemcap) { /* doubling, not a realloc per tag */
        const size_t cap = c->itemcap ? 2 * c->itemcap : 8;
        char (*ni)[64] = realloc(c->items, cap * sizeof *ni);
        if (!ni)
            return 0;
        c->items = ni;
        c->itemcap = cap;
    }
    size_t n = len < 63 ? len : 63;
    memcpy(c->items[c->nitems], name, n);
    c->items[c->nitems][n] = '\0';
    c->nitems++;
    return 1;
}

static int grow_vals(category *c, size_t cap)
{
    sv *nv = realloc(c->vals, cap * sizeof *nv);
    if (!nv)
        return 0;
    c->vals = nv;
    c->cap = cap;
    return 1;
}

/* Room for more values.  A loop's values at their first regrowth past 16384
 * (at p, in the loop's text) get room for as many as the text so far predicts
 * for the rest of the input: the atom_site loops of a batch's files were
 * regrown and copied a dozen times each (11 M instructions of realloc in 28
 * files).  At most one value per two bytes; when that much cannot be had,
 * the values go on doubling.  Only big loops: predicting from the first 256
 * values gave every small loop megabytes of room, and loading 2axd.cif
 * repeatedly in one process took twice as long (fresh mappings each time). */
static int grow_for(category *c, const char *p)
{
    if (c->loop_first && c->nvals >= 16384 && p > c->loop_first) {
        const double done = (double)(p - c->loop_first), all = (double)(c->loop_end - c->loop_first);
        double want = (double)c->nvals * all / done * 1.02 + (double)c->nitems;
        if (want > all / 2 + (double)c->nitems) want = all / 2 + (double)c->nitems;
        c->loop_first = NULL; /* once per loop */
        if (want > (double)c->cap * 2 && grow_vals(c, (size_t)want))
            return 1;
    }
    return grow_vals(c, c->cap ? c->cap * 2 : 256);
}

static inline int add_val(category *c, const sv *v)
{
    if (!c->kept) {
        c->last = *v;
        c->nvals++;
        return 1;
    }
    if (c->nvals == c->cap && !grow_for(c, v->p))
        return 0;
    /* field by field: the token was just stored field by field, and one
     * 16-byte load of it would wait for those stores to retire */
    sv *to = &c->vals[c->nvals++];
    to->p = v->p;
    to->len = v->len;
    to->line = v->line;
    return 1;
}

/* The first bytes of the words that may end a loop's values. */
static const unsigned char may_end_loop[256] = {['_'] = 1, ['l'] = 1, ['d'] = 1};

/* Whether a bare word ends a loop's values: a tag, loop_ or a new data block. */
static inline int ends_loop(const char *p, size_t len)
{
    return may_end_loop[(unsigned char)p[0]] &&
           (p[0] == '_' || (p[0] == 'l' && len == 5 && !memcmp(p, "loop_", 5)) ||
            (p[0] == 'd' && len >= 5 && !memcmp(p, "data_", 5)));
}

/* What the block run does with a word by its first byte: take it (0), hand
 * it to the scalar code (WORD_HAND_OVER: it cannot start a bare word), or
 * see whether it ends the loop (WORD_MAY_END_LOOP). */
enum { WORD_HAND_OVER = 1, WORD_MAY_END_LOOP = 2 };
static const unsigned char word_class[256] = {['#'] = WORD_HAND_OVER, ['\''] = WORD_HAND_OVER,
                                              ['"'] = WORD_HAND_OVER, [';'] = WORD_HAND_OVER,
                                              ['_'] = WORD_MAY_END_LOOP, ['l'] = WORD_MAY_END_LOOP,
                                              ['d'] = WORD_MAY_END_LOOP};

/* How loop_blocks stopped. */
enum { BLOCKS_HAND_OVER, BLOCKS_CONTROL, BLOCKS_LOOP_ENDS, BLOCKS_OOM };

/* A loop's bare words from *pp on, 64 bytes at a time: a block's spaces and
 * line ends as one mask (byte_masks.h), each word's start and end a bit scan
 * of it, its line the lines counted below its start.  It stops
 * - with fewer than 64 bytes left, or at a word for the scalar code (a
 *   quote, '#', ';', or a word longer than a block): BLOCKS_HAND_OVER, *pp
 *   at the word or the blanks before the end;
 * - at a block with another control byte (a '\t', a '\r' of CRLF lines):
 *   BLOCKS_CONTROL, *pp at the block, which the scalar code then reads;
 * - at the word that ends the loop: BLOCKS_LOOP_ENDS, the word in *ending,
 *   *pp after it;
 * - out of memory: BLOCKS_OOM.
 * *pp is at a token boundary on entry (after a word, a quote's closing
 * quote, a comment, a text field), so a word may start at its first byte.
 * Same tokens and lines as the scalar code; *line and *at_start follow. */
static int loop_blocks(category *c, const char **pp, const char *end, uint32_t *line, int *at_start, sv *ending)
{
    const char *p = *pp;
    uint32_t ln = *line;
    /* the values kept in locals: stores through vals cannot then be taken
     * to change c's fields between two words */
    sv *vals = c->vals, last = c->last;
    size_t n = c->nvals, cap = c->cap;
    const int kept = c->kept;
    int status = BLOCKS_HAND_OVER;
    while (end - p >= 64) {
        const byte_masks m = vox_byte_masks64(p);
        if (m.control) {
            status = BLOCKS_CONTROL;
            break;
        }
        uint64_t starts = ~m.blank & ((m.blank << 1) | 1), nls = m.newline;
        /* The common block first: every word in it an ordinary value.  Its
         * words are taken without asking each whether it ends the loop,
         * needs the scalar code or finds room, and their first bytes' classes
         * are or'ed together: when that shows a word of another kind, the
         * block is taken again below, word by word, from the same state.  A
         * last word that may run on past the block is left to the next one,
         * which starts at it.  Room for 32 values (a block holds at most 32
         * words) makes every store safe; with less, the slow path grows it. */
        uint64_t whole = starts;
        unsigned adv = 64;
        if (!(m.blank >> 63)) {
            adv = 63u - (unsigned)__builtin_clzll(starts); /* byte 63 is in a word: it has a start */
            whole ^= 1ull << adv;
        }
        if (adv > 0 && (!kept || cap - n >= 32)) {
            const uint64_t inside = adv == 64 ? ~0ull : (1ull << adv) - 1;
            unsigned cls = 0;
            size_t k = n;
            uint32_t l = ln;
            uint64_t st = whole, nl = m.newline & inside;
            if (kept) {
                const uint64_t blank = m.blank;
                sv *to = vals + n;
                while (st) {
                    /* the words before the next line end: one line number */
                    const uint64_t seg = st & ((nl & (0 - nl)) - 1);
                    st ^= seg;
                    for (uint64_t q = seg; q; q &= q - 1) {
                        const uint64_t s = (uint64_t)__builtin_ctzll(q);
                        cls |= word_class[(unsigned char)p[s]];
                        to->p = p + s;
                        to->len = (uint32_t)__builtin_ctzll(blank >> s);
                        to->line = l;
                        to++;
                    }
                    if (nl) {
                        l++;
                        nl &= nl - 1;
                    }
                }
                k = (size_t)(to - vals);
            } else {
                for (uint64_t q = st; q; q &= q - 1) {
                    cls |= word_class[(unsigned char)p[__builtin_ctzll(q)]];
                    k++;
                }
                if (whole && !cls) { /* the last word, for a message about the loop's end */
                    const unsigned s = 63u - (unsigned)__builtin_clzll(whole);
                    uint32_t at = l;
                    for (uint64_t b = nl & ((1ull << s) - 1); b; b &= b - 1) at++;
                    last = (sv){p + s, (uint32_t)__builtin_ctzll(m.blank >> s), at};
                }
            }
            if (!cls) {
                for (; nl; nl &= nl - 1) l++;
                n = k;
                ln = l;
                *at_start = (int)((m.newline >> (adv - 1)) & 1);
                p += adv;
                continue;
            }
        }
        int next_nl = nls ? __builtin_ctzll(nls) : 64;
        int cut = -1; /* a word to stop at: one for the scalar code, or one that runs past the block */
        while (starts) {
            const int s = __builtin_ctzll(starts);
            while (s > next_nl) { /* the line ends before this word */
                ln++;
                nls &= nls - 1;
                next_nl = nls ? __builtin_ctzll(nls) : 64;
            }
            const uint64_t rest = m.blank >> s;
            const char *w = p + s;
            const unsigned cls = word_class[(unsigned char)*w];
            if (!rest || (cls & WORD_HAND_OVER)) {
                cut = s;
                break;
            }
            const uint32_t len = (uint32_t)__builtin_ctzll(rest);
            if (cls && ends_loop(w, len)) {
                c->nvals = n;
                c->last = last;
                *ending = (sv){w, len, ln};
                *pp = w + len;
                *line = ln;
                *at_start = 0;
                return BLOCKS_LOOP_ENDS;
            }
            if (!kept) {
                last = (sv){w, len, ln};
            } else {
                if (n == cap) {
                    c->nvals = n;
                    if (!grow_for(c, w))
                        return BLOCKS_OOM;
                    vals = c->vals;
                    cap = c->cap;
                }
                vals[n].p = w;
                vals[n].len = len;
                vals[n].line = ln;
            }
            n++;
            starts &= starts - 1;
        }
        if (cut < 0) { /* every word of the block read; it ends in blanks */
            for (; nls; nls &= nls - 1) ln++;
            *at_start = (int)(m.newline >> 63);
            p += 64;
            continue;
        }
        if (cut > 0)
            *at_start = (int)((m.newline >> (cut - 1)) & 1);
        p += cut;
        if (cut == 0 || (word_class[(unsigned char)*p] & WORD_HAND_OVER))
            break; /* a word longer than a block, or one for the scalar code */
    }
    c->nvals = n;
    c->last = last;
    *pp = p;
    *line = ln;
    return status;
}

/* A loop's values into c, from the token already read (*tok, *kind) up to
 * the one that ends the loop, left in *tok and *kind for the caller (or
 * TOK_EOF, *tok then the last value).  The common case - bare words between
 * spaces and line ends - runs here without a call per token; anything else
 * (quotes, comments, text fields, other blanks) goes through next_token.
 * Same tokens and line numbers as next_token_fast.  0 when out of memory or
 * on a lexer failure (*oom set). */
static int loop_values(lexer *lx, cif_doc *d, category *c, sv *tok, int *kind, int *oom)
{
    c->loop_first = tok->p; /* where the values begin: for grow_for */
    c->loop_end = lx->end;
    for (;;) {
        if (*kind == TOK_EOF)
            return 1;
        if (*kind == TOK_VALUE && ends_loop(tok->p, tok->len))
            return 1;
        if (!add_val(c, tok))
            return 0;
        /* the fast run: bare words until something else shows */
        const char *p = lx->p, *end = lx->end;
        uint32_t line = lx->line;
        int at_start = lx->at_line_start;
        const char *scalar_until = p; /* a block with other control bytes: read here, not in blocks */
        for (;;) {
            if (end - p >= 64 && p >= scalar_until) {
                sv ending;
                const int how = loop_blocks(c, &p, end, &line, &at_start, &ending);
                if (how == BLOCKS_OOM)
                    return 0;
                if (how == BLOCKS_LOOP_ENDS) {
                    lx->p = p;
                    lx->line = line;
                    lx->at_line_start = 0;
                    *tok = ending;
                    *kind = TOK_VALUE;
                    return 1;
                }
                if (how == BLOCKS_CONTROL)
                    scalar_until = p + 64;
                /* otherwise one word here, then the blocks again */
            }
            while (p < end) {
                if (*p == ' ') { /* runs of spaces align the columns: eight at a time */
                    at_start = 0;
                    p = p + 1 < end && p[1] == ' ' ? spaces_end(p + 1, end) : p + 1;
                } else if (*p == '\n') {
                    line++, at_start = 1;
                    p++;
                } else {
                    break;
                }
            }
            if (p >= end || (not_bare[(unsigned char)*p] && !(*p == ';' && !at_start)))
                break; /* the end, or a token for next_token */
            const char *q = word_end_fast(p, end);
            const sv v = {p, (uint32_t)(q - p), line};
            at_start = 0;
            if (ends_loop(p, v.len)) {
                lx->p = q;
                lx->line = line;
                lx->at_line_start = 0;
                *tok = v;
                *kind = TOK_VALUE;
                return 1;
            }
            if (!add_val(c, &v))
                return 0;
            p = q;
        }
        if (c->nvals) /* the last value, for a message about the loop's end */
            *tok = c->kept ? c->vals[c->nvals - 1] : c->last;
        lx->p = p;
        lx->line = line;
        lx->at_line_start = at_start;
        sv next;
        *kind = next_token(lx, d, &next, oom);
        if (*oom)
            return 0;
        if (*kind != TOK_EOF)
            *tok = next;
    }
}

/* Splits "_cat.item" at the dot. */
static int split_tag(const sv *t, size_t *catlen, const char **item, size_t *itemlen)
{
    const char *dot = memchr(t->p, '.', t->len);
    if (!dot)
        return 0;
    *catlen = (size_t)(dot - t->p) - 1;
    *item = dot + 1;
    *itemlen = t->len - (size_t)(dot - t->p) - 1;
    return 1;
}

static vox_status lex_error(vox_ctx *ctx, const vox_text *t, const lexer *lx, int err)
{
    if (err == LEX_OPEN_TEXT)
        return vox_fail(ctx, VOX_E_PARSE,
                        "%s:%u: the text field starting at line %u (a line beginning with ';') never ends: expected a "
                        "line beginning with ';' to close it before the end of the file", t->name, lx->open_text,
                        lx->open_text);
    return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
}

static vox_status tokenize(vox_ctx *ctx, const vox_text *t, cif_doc *d)
{
    lexer lx = {t->data, t->data + t->len, 1, 1, 0};
    sv tok;
    int oom = 0, kind;
    int in_block = 0;
    /* pending token (one-token look-ahead after a loop's values) */
    int have = 0;
    for (;;) {
        if (!have)
            kind = next_token_fast(&lx, d, &tok, &oom);
        have = 0;
        if (oom)
            return lex_error(ctx, t, &lx, oom);
        if (kind == TOK_EOF)
            break;
        if (kind == TOK_VALUE && sv_prefix(&tok, "data_")) {
            if (in_block) {
                d->later_blocks = 1; /* only the first data block is read (biotite's first block) */
                break;
            }
            in_block = 1;
            continue;
        }
        if (!in_block)
            return vox_fail(ctx, VOX_E_PARSE, "%s:%u: expected 'data_' before '%.*s'", t->name, tok.line,
                            (int)(tok.len > 40 ? 40 : tok.len), tok.p);
        if (kind == TOK_VALUE && sv_eq(&tok, "loop_")) {
            category *c = NULL;
            const uint32_t loop_line = tok.line;
            for (;;) {
                kind = next_token_fast(&lx, d, &tok, &oom);
                if (oom)
                    return lex_error(ctx, t, &lx, oom);
                if (kind != TOK_VALUE || tok.len < 2 || tok.p[0] != '_')
                    break;
                size_t cl, il;
                const char *item;
                if (!split_tag(&tok, &cl, &item, &il))
                    return vox_fail(ctx, VOX_E_PARSE, "%s:%u: loop tag '%.*s' has no category", t->name,
                                    tok.line, (int)tok.len, tok.p);
                if (!c) {
                    c = get_cat(d, tok.p + 1, cl);
                    if (!c)
                        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
                    if (c->nitems) { /* a repeated category: start it afresh */
                        c->nitems = 0;
                        c->nvals = 0;
                    }
                    c->loop_line = loop_line;
                }
                /* a column given twice in a category vox reads: which copy is meant cannot be told
                 * (the trajectory reader took the last, this one the first) */
                if (c->kept && has_item(c, item, il))
                    return vox_fail(ctx, VOX_E_PARSE, "%s:%u: '%.*s' is given twice in the loop of line %u", t->name,
                                    tok.line, (int)tok.len, tok.p, loop_line);
                if (!add_item(c, item, il))
                    return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
            }
            if (!c)
                return vox_fail(ctx, VOX_E_PARSE, "%s:%u: 'loop_' without tags", t->name, tok.line);
            const int read = loop_values(&lx, d, c, &tok, &kind, &oom);
            c->loop_first = NULL;
            if (!read)
                return oom ? lex_error(ctx, t, &lx, oom)
                           : vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
            if (c->nvals % c->nitems != 0)
                return vox_fail(ctx, VOX_E_PARSE,
                                "%s:%u: loop of '_%s' has %zu values, not a multiple of its %zu columns",
                                t->name, tok.line, c->name, c->nvals, c->nitems);
            have = 1;
            continue;
        }
        if (kind == TOK_VALUE && tok.p[0] == '_') {
            size_t cl, il;
            const char *item;
            if (!split_tag(&tok, &cl, &item, &il))
                return vox_fail(ctx, VOX_E_PARSE, "%s:%u: tag '%.*s' has no category", t->name, tok.line,
                                (int)tok.len, tok.p);
            sv val;
            uint32_t tagline = tok.line;
            int vk = next_token(&lx, d, &val, &oom);
            if (oom)
                return lex_error(ctx, t, &lx, oom);
            if (vk == TOK_EOF)
                return vox_fail(ctx, VOX_E_PARSE, "%s:%u: tag '%.*s' has no value", t->name, tagline,
                                (int)tok.len, tok.p);
            category *c = get_cat(d, tok.p + 1, cl);
            if (!c)
                return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
            /* a single value of a category vox reads that is a loop, or given before: added to a
             * loop's items it shifted every row after the first */
            if (c->kept && c->loop_line)
                return vox_fail(ctx, VOX_E_PARSE, "%s:%u: '%.*s' is a single value of a category given as a loop at "
                                "line %u (its rows would be read shifted)", t->name, tagline, (int)tok.len, tok.p,
                                c->loop_line);
            if (c->kept && has_item(c, item, il))
                return vox_fail(ctx, VOX_E_PARSE, "%s:%u: '%.*s' is given twice", t->name, tagline, (int)tok.len, tok.p);
            if (!add_item(c, item, il) || !add_val(c, &val))
                return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
            continue;
        }
        return vox_fail(ctx, VOX_E_PARSE, "%s:%u: unexpected value '%.*s' outside a loop", t->name, tok.line,
                        (int)(tok.len > 40 ? 40 : tok.len), tok.p);
    }
    if (!in_block)
        return vox_fail(ctx, VOX_E_PARSE, "%s: no 'data_' block: not an mmCIF file", t->name);
    return VOX_OK;
}

/* ---- atom_site --------------------------------------------------------- */

/* How many of v's bytes a field of maxlen keeps: all of them when they fit,
 * else maxlen less the start of a UTF-8 character cut in two (biotite keeps
 * so many characters, vox so many bytes: a cut character would be a broken
 * name in every output, and a warning blaming the input). */
static inline size_t kept_bytes(const sv *v, size_t maxlen)
{
    if (v->len <= maxlen)
        return v->len;
    size_t n = maxlen;
    while (n > 0 && ((unsigned char)v->p[n] & 0xC0) == 0x80) /* v->p[n]: the first byte left out */
        n--;
    return n;
}

static inline void copy_trunc(char *dst, size_t cap, const sv *v, size_t maxlen)
{
    size_t n = kept_bytes(v, maxlen);
    if (n > cap - 1) n = cap - 1;
    /* names of a few bytes: a loop, not a call to memcpy per field */
    for (size_t i = 0; i < n; i++) dst[i] = v->p[i];
    dst[n] = '\0';
}

static int sv_double(const sv *v, double *out) { return vox_parse_number(v->p, v->len, out); }

/* Where atom_site's values may be read a word at a time: a value whose
 * first byte is at least 9 bytes before the text's end (number_word.h reads
 * p[0] to p[8]).  Others - the text's last bytes, a text field's value in
 * its own buffer - are read byte by byte. */
typedef struct word_room {
    uintptr_t first; /* the text's first byte; 0 when it has less than 9 (no value is at 0) */
    size_t span;     /* the last offset with 9 bytes after it */
} word_room;

static inline int in_words(const word_room *w, const sv *v)
{
    /* as integers: a text field's buffer is another object, which C's
     * pointer comparison may not be asked about */
    return (uintptr_t)v->p - w->first <= w->span;
}

/* copy_trunc for one of an atom's 8-byte fields (4 for the element), a
 * word at a time where the value allows: the first min(len, maxlen) bytes,
 * zeros after them - the bytes memset and copy_trunc leave. */
static inline void copy_field(char *dst, size_t cap, const sv *v, size_t maxlen, const word_room *w)
{
    if (!in_words(w, v)) {
        copy_trunc(dst, cap, v, maxlen);
        return;
    }
    const size_t n = kept_bytes(v, maxlen); /* <= maxlen < cap <= 8 */
    vox_cols_store(dst, vox_text_bits(v->p, 8) & ((1ull << (8 * n)) - 1), cap);
}

/* sv_double, the common short numbers as one word. */
static inline int sv_double_fast(const sv *v, const word_room *w, double *out)
{
    return (in_words(w, v) && vox_number_word(v->p, v->len, out)) || vox_parse_number(v->p, v->len, out);
}

static int sv_int(const sv *v, long *out)
{
    /* the common case, a sign and up to 9 digits, without the copy: what strtol gives */
    const uint32_t sign = v->len && (v->p[0] == '-' || v->p[0] == '+');
    if (v->len > sign && v->len - sign <= 9) {
        long x = 0;
        uint32_t i = sign;
        while (i < v->len && (unsigned)(v->p[i] - '0') < 10) x = x * 10 + (v->p[i++] - '0');
        if (i == v->len) {
            *out = v->p[0] == '-' ? -x : x;
            return 1;
        }
    }
    char b[32];
    if (v->len == 0 || v->len >= sizeof b)
        return 0;
    memcpy(b, v->p, v->len);
    b[v->len] = '\0';
    char *end;
    *out = strtol(b, &end, 10);
    return *end == '\0';
}

static int is_null(const sv *v) { return v->len == 1 && (v->p[0] == '.' || v->p[0] == '?'); }

typedef struct atom_cols {
    int chain, res_id, ins, res_name, atom, element, group, x, y, z, alt, label_asym, model;
} atom_cols;

static int first_of(const category *c, const char *a, const char *b)
{
    int i = find_item(c, a);
    return i >= 0 || !b ? i : find_item(c, b);
}

/* Reads rows [r0, r1) of atom_site. */
static vox_status read_atoms(vox_ctx *ctx, const vox_text *t, const category *c, const atom_cols *k,
                             size_t r0, size_t r1, vox_atoms *out)
{
    if (!vox_atoms_reserve(out, r1 - r0))
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
    static const char *const axis[3] = {"Cartn_x", "Cartn_y", "Cartn_z"};
    const word_room wr = {t->len >= 9 ? (uintptr_t)t->data : 0, t->len >= 9 ? t->len - 9 : 0};
    for (size_t r = r0; r < r1; r++) {
        /* built in place: the room is reserved above, and out->n moves
         * only once the atom is whole */
        vox_atom *a = &out->a[out->n];
        memset(a, 0, sizeof *a);
        const sv *row = cell(c, r, 0);
        if (k->chain >= 0) copy_field(a->chain, sizeof a->chain, &row[k->chain], 4, &wr);
        if (k->res_id >= 0) {
            const sv *v = &row[k->res_id];
            long id = -1;
            if (!is_null(v) && !sv_int(v, &id))
                return vox_fail(ctx, VOX_E_PARSE, "%s:%u: atom_site residue number '%.*s' is not an integer",
                                t->name, v->line, (int)v->len, v->p);
            /* a residue number is 32 bits in vox_atom and the API; a larger
             * one was cut to its low bits, another residue's number */
            if (id < INT32_MIN || id > INT32_MAX)
                return vox_fail(ctx, VOX_E_PARSE,
                                "%s:%u: atom_site residue number '%.*s' is out of range (expected -2147483648 to "
                                "2147483647)",
                                t->name, v->line, (int)v->len, v->p);
            a->res_id = (int)id;
        }
        if (k->ins >= 0) {
            const sv *v = &row[k->ins];
            a->ins_code = is_null(v) || v->len == 0 ? 0 : v->p[0];
        }
        if (k->res_name >= 0) copy_field(a->res_name, sizeof a->res_name, &row[k->res_name], 3, &wr);
        if (k->atom >= 0) copy_field(a->name, sizeof a->name, &row[k->atom], 6, &wr);
        if (k->element >= 0) copy_field(a->element, sizeof a->element, &row[k->element], 2, &wr);
        if (k->group >= 0) a->hetero = sv_eq(&row[k->group], "HETATM");
        if (k->alt >= 0) {
            const sv *v = &row[k->alt];
            a->altloc = v->len ? v->p[0] : 0;
            if (a->altloc == '.' || a->altloc == '?') a->altloc = 0;
        }
        if (k->label_asym >= 0) copy_field(a->label_asym, sizeof a->label_asym, &row[k->label_asym], 7, &wr);
        const int xyz[3] = {k->x, k->y, k->z};
        for (int q = 0; q < 3; q++) {
            double v;
            const sv *s = &row[xyz[q]];
            if (!sv_double_fast(s, &wr, &v))
                return vox_fail(ctx, VOX_E_PARSE, "%s:%u: atom_site.%s '%.*s' is not a number", t->name,
                                s->line, axis[q], (int)(s->len > 30 ? 30 : s->len), s->p);
            if (!vox_coord_fits_f32(v))
                return vox_fail(ctx, VOX_E_PARSE, "%s:%u: atom_site.%s '%.*s' is out of range: " VOX_COORD_RANGE,
                                t->name, s->line, axis[q], (int)(s->len > 30 ? 30 : s->len), s->p);
            a->xyz[q] = (float)v;
        }
        out->n++;
    }
    return VOX_OK;
}

/* ---- assemblies ---------------------------------------------------------- */

typedef struct oper {
    char id[32];
    double R[3][3], T[3];
} oper;

static vox_status read_opers(vox_ctx *ctx, const vox_text *t, const category *ol, oper **out, size_t *nout)
{
    int id = find_item(ol, "id");
    int m[3][3], v[3];
    char name[32];
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            snprintf(name, sizeof name, "matrix[%d][%d]", i + 1, j + 1);
            m[i][j] = find_item(ol, name);
        }
        snprintf(name, sizeof name, "vector[%d]", i + 1);
        v[i] = find_item(ol, name);
    }
    size_t n = nrows(ol);
    oper *ops = calloc(n ? n : 1, sizeof *ops);
    if (!ops)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
    for (size_t r = 0; r < n; r++) {
        if (id >= 0) copy_trunc(ops[r].id, sizeof ops[r].id, cell(ol, r, id), 31);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (m[i][j] < 0 || !sv_double(cell(ol, r, m[i][j]), &ops[r].R[i][j])) {
                    free(ops);
                    return vox_fail(ctx, VOX_E_ASSEMBLY, "%s: pdbx_struct_oper_list row %zu: matrix[%d][%d] missing or not a number",
                                    t->name, r + 1, i + 1, j + 1);
                }
            }
            if (v[i] < 0 || !sv_double(cell(ol, r, v[i]), &ops[r].T[i])) {
                free(ops);
                return vox_fail(ctx, VOX_E_ASSEMBLY, "%s: pdbx_struct_oper_list row %zu: vector[%d] missing or not a number",
                                t->name, r + 1, i + 1);
            }
        }
    }
    *out = ops;
    *nout = n;
    return VOX_OK;
}

static const oper *find_oper(const oper *ops, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ops[i].id, id) == 0)
            return &ops[i];
    return NULL;
}

#define MAX_PIECES 8
#define MAX_IDS 4096

typedef struct expr {
    size_t npieces;
    size_t count[MAX_PIECES];
    char (*ids[MAX_PIECES])[32];
} expr;

static void expr_free(expr *e)
{
    for (size_t i = 0; i < e->npieces; i++)
        free(e->ids[i]);
}

/* Operator expression: ')' deleted, split at '(', empties dropped, pieces
 * reversed; a piece is a range "a-b", a comma list, or one id. */
static vox_status parse_expr(vox_ctx *ctx, const vox_text *t, const sv *v, expr *e)
{
    memset(e, 0, sizeof *e); /* first: the caller frees e after any failure */
    char buf[4096];
    size_t n = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        if (v->p[i] == ')')
            continue;
        if (n + 1 == sizeof buf) /* not cut: the rest would name other operators than the file's */
            return vox_fail(ctx, VOX_E_ASSEMBLY, "%s:%u: operator expression of %u characters, more than the %zu vox "
                            "reads", t->name, v->line, v->len, sizeof buf - 1);
        buf[n++] = v->p[i];
    }
    buf[n] = '\0';
    char *pieces[MAX_PIECES];
    size_t np = 0;
    char *save, *tok = strtok_r(buf, "(", &save);
    while (tok) {
        if (*tok) {
            if (np == MAX_PIECES)
                return vox_fail(ctx, VOX_E_ASSEMBLY, "%s:%u: operator expression has more than %d parts",
                                t->name, v->line, MAX_PIECES);
            pieces[np++] = tok;
        }
        tok = strtok_r(NULL, "(", &save);
    }
    for (size_t q = 0; q < np; q++) {
        char *p = pieces[np - 1 - q];
        char (*ids)[32] = malloc(MAX_IDS * sizeof *ids);
        if (!ids)
            return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
        e->ids[e->npieces] = ids;
        size_t cnt = 0;
        if (strchr(p, '-')) {
            char *dash = strchr(p, '-');
            *dash = '\0';
            char *e1, *e2;
            long a = strtol(p, &e1, 10), b = strtol(dash + 1, &e2, 10);
            if (!*p || *e1 || !dash[1] || *e2) {
                e->npieces++;
                return vox_fail(ctx, VOX_E_ASSEMBLY,
                                "%s:%u: operator range '%s-%s' is not of the form a-b (mixed ranges are not supported)",
                                t->name, v->line, p, dash + 1);
            }
            if (b >= a && (unsigned long)b - (unsigned long)a >= MAX_IDS) {
                e->npieces++;
                return vox_fail(ctx, VOX_E_ASSEMBLY, "%s:%u: operator range '%s-%s' has more than the %d operators vox "
                                "reads in one part", t->name, v->line, p, dash + 1, MAX_IDS);
            }
            for (long x = a; x <= b; x++)
                snprintf(ids[cnt++], 32, "%ld", x);
        } else {
            char *s2, *id = strtok_r(p, ",", &s2);
            for (; id; id = strtok_r(NULL, ",", &s2)) {
                if (cnt == MAX_IDS) {
                    e->npieces++;
                    return vox_fail(ctx, VOX_E_ASSEMBLY, "%s:%u: operator list has more than the %d operators vox reads "
                                    "in one part", t->name, v->line, MAX_IDS);
                }
                snprintf(ids[cnt++], 32, "%s", id);
            }
        }
        e->count[e->npieces++] = cnt;
    }
    return VOX_OK;
}

static int in_list(const char *s, const sv *list)
{
    /* split on ',' without trimming */
    size_t n = strlen(s);
    uint32_t a = 0;
    while (a <= list->len) {
        uint32_t b = a;
        while (b < list->len && list->p[b] != ',') b++;
        if (b - a == n && memcmp(list->p + a, s, n) == 0)
            return 1;
        a = b + 1;
    }
    return 0;
}

static vox_status build_assembly(vox_ctx *ctx, const vox_text *t, const cif_doc *d, const vox_atoms *base,
                                 vox_atoms *out)
{
    const category *gen = find_cat(d, "pdbx_struct_assembly_gen");
    const category *ol = find_cat(d, "pdbx_struct_oper_list");
    int ga = find_item(gen, "assembly_id"), ge = find_item(gen, "oper_expression"),
        gl = find_item(gen, "asym_id_list");
    if (ga < 0 || ge < 0 || gl < 0 || nrows(gen) == 0)
        return vox_fail(ctx, VOX_E_ASSEMBLY, "%s: pdbx_struct_assembly_gen lacks assembly_id, oper_expression or asym_id_list",
                        t->name);
    oper *ops = NULL;
    size_t nops = 0;
    vox_status st = read_opers(ctx, t, ol, &ops, &nops);
    if (st != VOX_OK)
        return st;
    const sv *asm_id = cell(gen, 0, ga);
    for (size_t r = 0; r < nrows(gen) && st == VOX_OK; r++) {
        const sv *rid = cell(gen, r, ga);
        if (rid->len != asm_id->len || memcmp(rid->p, asm_id->p, rid->len) != 0)
            continue;
        expr e;
        st = parse_expr(ctx, t, cell(gen, r, ge), &e);
        if (st != VOX_OK) {
            expr_free(&e);
            break;
        }
        const sv *list = cell(gen, r, gl);
        /* Cartesian product, first piece slowest; each tuple applied left to right */
        size_t total = 1;
        for (size_t q = 0; q < e.npieces; q++) /* saturating: 8 pieces of 4096 ids pass 2^64 */
            total = e.count[q] && total > SIZE_MAX / e.count[q] ? SIZE_MAX : total * e.count[q];
        if (e.npieces == 0) total = 0;
        /* the atoms this row adds, reserved at once (no regrowth and copy) */
        size_t listed = 0;
        for (size_t a = 0, b; a < base->n; a = b) { /* by runs of one asym id, as below */
            for (b = a + 1; b < base->n && vox_same_name(base->a[b].label_asym, base->a[a].label_asym); b++) {}
            if (in_list(base->a[a].label_asym, list)) listed += b - a;
        }
        /* a few lines of operators can ask for billions of copies: refused
         * before the first one is made, not when memory runs out */
        size_t adds;
        const int huge = __builtin_mul_overflow(listed, total, &adds) || adds > SIZE_MAX - out->n;
        if (huge || out->n + adds > t->max_atoms) {
            const sv *ex = cell(gen, r, ge);
            char count[64], ops[32] = "countless";
            if (total != SIZE_MAX)
                snprintf(ops, sizeof ops, "%zu", total);
            if (huge || total == SIZE_MAX)
                snprintf(count, sizeof count, "more than %zu", t->max_atoms);
            else
                snprintf(count, sizeof count, "%zu", out->n + adds);
            st = vox_fail(ctx, VOX_E_ASSEMBLY,
                          "%s:%u: assembly %.*s would hold %s atoms (%zu atoms x %s operations of '%.*s'%s), more than "
                          "the %zu atoms the input limit allows (one %d-byte line each): raise --max-input-bytes "
                          "(vox_load_params.max_input_bytes) or load the asymmetric unit (--assembly-policy asymmetric)",
                          t->name, ex->line, (int)asm_id->len, asm_id->p, count, listed,
                          ops,
                          (int)(ex->len > 60 ? 60 : ex->len), ex->p, out->n ? ", after the earlier rows' atoms" : "",
                          t->max_atoms, VOX_BYTES_PER_ATOM_LINE);
            expr_free(&e);
            break;
        }
        if (total && listed && listed <= (SIZE_MAX / sizeof(vox_atom)) / total)
            (void)vox_atoms_reserve(out, listed * total);
        for (size_t combo = 0; combo < total && st == VOX_OK; combo++) {
            const oper *seq[MAX_PIECES];
            size_t rem = combo;
            for (size_t q = e.npieces; q-- > 0;) {
                const char *id = e.ids[q][rem % e.count[q]];
                rem /= e.count[q];
                seq[q] = find_oper(ops, nops, id);
                if (!seq[q])
                    st = vox_fail(ctx, VOX_E_ASSEMBLY, "%s: operator '%s' of assembly %.*s is not in pdbx_struct_oper_list",
                                  t->name, id, (int)asm_id->len, asm_id->p);
            }
            /* atoms come in runs of one asym id: its membership is looked up once per run */
            const char *run_asym = NULL;
            int run_in = 0;
            for (size_t a = 0; a < base->n && st == VOX_OK; a++) {
                if (!run_asym || !vox_same_name(run_asym, base->a[a].label_asym)) {
                    run_asym = base->a[a].label_asym;
                    run_in = in_list(run_asym, list);
                }
                if (!run_in)
                    continue;
                const vox_atom *src = &base->a[a];
                double x[3] = {src->xyz[0], src->xyz[1], src->xyz[2]};
                for (size_t q = 0; q < e.npieces; q++) {
                    double y[3];
                    for (int i = 0; i < 3; i++)
                        y[i] = seq[q]->R[i][0] * x[0] + seq[q]->R[i][1] * x[1] + seq[q]->R[i][2] * x[2] + seq[q]->T[i];
                    memcpy(x, y, sizeof x);
                }
                /* copied into the room reserved above, then changed there.
                 * Changing a local copy and storing it whole took 15% longer on
                 * 7odw.cif's big assembly than the push before (timed; fewer
                 * instructions, so likely the wide reads of fresh narrow stores) */
                if (out->n < out->cap)
                    out->a[out->n++] = *src;
                else if (!vox_atoms_push(out, src)) {
                    st = vox_fail(ctx, VOX_E_NOMEM, "out of memory building the assembly of %s", t->name);
                    break;
                }
                vox_atom *c = &out->a[out->n - 1];
                for (int i = 0; i < 3; i++) c->xyz[i] = (float)x[i];
                c->label_asym[0] = '\0';
            }
        }
        expr_free(&e);
    }
    free(ops);
    return st;
}

static void trimmed(const sv *v, char *out, size_t cap)
{
    uint32_t a = 0, b = v->len;
    while (a < b && isspace((unsigned char)v->p[a])) a++;
    while (b > a && isspace((unsigned char)v->p[b - 1])) b--;
    size_t n = b - a < cap - 1 ? b - a : cap - 1;
    memcpy(out, v->p + a, n);
    out[n] = '\0';
}

/* Sets of asym ids (7 characters kept, as the loader keeps them), of any
 * size: a large complex has thousands, since every ligand and ion gets its
 * own.  Gathered with repeats, then sorted and made unique. */
typedef struct id_list {
    char (*id)[8];
    size_t n, cap;
} id_list;

static int id_push(id_list *l, const char *id)
{
    if (l->n == l->cap) {
        const size_t cap = l->cap ? 2 * l->cap : 64;
        char (*p)[8] = realloc(l->id, cap * sizeof *p);
        if (!p)
            return 0;
        l->id = p;
        l->cap = cap;
    }
    memcpy(l->id[l->n++], id, 8);
    return 1;
}

static int id_cmp(const void *a, const void *b) { return strcmp(a, b); }

static void id_unique(id_list *l)
{
    if (l->n)
        qsort(l->id, l->n, sizeof *l->id, id_cmp);
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!k || strcmp(l->id[k - 1], l->id[i]) != 0)
            memcpy(l->id[k++], l->id[i], 8);
    l->n = k;
}

/* §2.8: an mmCIF whose first assembly is exactly the identity applied to
 * every chain loads as plain model 1 under the "auto" policy. */
static int identity_shortcut(const cif_doc *d, const category *as)
{
    const category *pa = find_cat(d, "pdbx_struct_assembly");
    const category *gen = find_cat(d, "pdbx_struct_assembly_gen");
    const category *ol = find_cat(d, "pdbx_struct_oper_list");
    int pid = find_item(pa, "id");
    if (!pa || pid < 0 || nrows(pa) == 0 || !gen || !ol || !as)
        return 0;
    int ga = find_item(gen, "assembly_id"), ge = find_item(gen, "oper_expression"),
        gl = find_item(gen, "asym_id_list");
    if (ga < 0 || ge < 0 || gl < 0)
        return 0;
    const sv *sel = cell(pa, 0, pid);
    /* the union of the gen rows' asym lists, and the ids atom_site uses: no
     * bound on either (out of memory: no shortcut, the assembly path) */
    id_list uni = {0}, seen = {0};
    int ok = 0;
    size_t rows = 0;
    for (size_t r = 0; r < nrows(gen); r++) {
        const sv *rid = cell(gen, r, ga);
        if (rid->len != sel->len || memcmp(rid->p, sel->p, rid->len) != 0)
            continue;
        const sv *ex = cell(gen, r, ge);
        char e[64];
        size_t n = 0;
        for (uint32_t i = 0; i < ex->len && n + 1 < sizeof e; i++)
            if (ex->p[i] != ' ') e[n++] = ex->p[i];
        e[n] = '\0';
        if (strcmp(e, "1") != 0 && strcmp(e, "(1)") != 0)
            goto done;
        rows++;
        const sv *list = cell(gen, r, gl);
        uint32_t a = 0;
        while (a <= list->len) {
            uint32_t b = a;
            while (b < list->len && list->p[b] != ',') b++;
            sv piece = {list->p + a, b - a, 0};
            char id[8] = {0};
            trimmed(&piece, id, sizeof id);
            if (*id && !id_push(&uni, id))
                goto done;
            a = b + 1;
        }
    }
    id_unique(&uni);
    if (rows == 0 || uni.n == 0)
        goto done;
    int oid = find_item(ol, "id");
    if (oid < 0)
        goto done;
    int found = 0;
    for (size_t r = 0; r < nrows(ol) && !found; r++) {
        char id[32];
        trimmed(cell(ol, r, oid), id, sizeof id);
        if (strcmp(id, "1") != 0)
            continue;
        found = 1;
        char name[32];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double v;
                snprintf(name, sizeof name, "matrix[%d][%d]", i + 1, j + 1);
                int c = find_item(ol, name);
                if (c < 0 || !sv_double(cell(ol, r, c), &v) || fabs(v - (i == j)) > 1e-6)
                    goto done;
            }
            double v;
            snprintf(name, sizeof name, "vector[%d]", i + 1);
            int c = find_item(ol, name);
            if (c < 0 || !sv_double(cell(ol, r, c), &v) || fabs(v) > 1e-6)
                goto done;
        }
    }
    if (!found)
        goto done;
    int col = find_item(as, "label_asym_id");
    if (col < 0)
        col = find_item(as, "auth_asym_id");
    if (col < 0)
        goto done;
    const sv *prev = NULL; /* atoms come in runs of one asym id: one id per run */
    for (size_t r = 0; r < nrows(as); r++) {
        const sv *v = cell(as, r, col);
        if (v->len == 0 || is_null(v))
            continue;
        if (prev && prev->len == v->len && memcmp(prev->p, v->p, v->len) == 0)
            continue;
        prev = v;
        char id[8] = {0};
        copy_trunc(id, sizeof id, v, 7);
        if (!id_push(&seen, id))
            goto done;
    }
    id_unique(&seen);
    ok = seen.n == uni.n;
    for (size_t q = 0; ok && q < seen.n; q++)
        ok = strcmp(seen.id[q], uni.id[q]) == 0;
done:
    free(uni.id);
    free(seen.id);
    return ok;
}

vox_status vox_parse_cif(vox_ctx *ctx, const vox_text *t, vox_assembly_policy policy, vox_structure *s)
{
    size_t *bounds = NULL;
    cif_doc d = {0};
    vox_atoms base = {0};
    vox_status st = tokenize(ctx, t, &d);
    if (st != VOX_OK)
        goto out;
    const category *as = find_cat(&d, "atom_site");
    if (!as || nrows(as) == 0) {
        /* volumizer reads the first data block only; a file whose later
         * blocks hold the atoms is told so */
        const char *later =
            d.later_blocks ? " (its first data block's: later data blocks are not read, as in volumizer)" : "";
        if (as)
            st = vox_fail(ctx, VOX_E_PARSE, "%s: its atom_site loop has no rows%s: an mmCIF structure needs atoms there",
                          t->name, later);
        else
            st = vox_fail(ctx, VOX_E_PARSE, "%s: no atom_site category%s: an mmCIF structure needs an atom_site loop",
                          t->name, later);
        goto out;
    }
    atom_cols k = {
        .chain = first_of(as, "auth_asym_id", "label_asym_id"),
        .res_id = first_of(as, "auth_seq_id", "label_seq_id"),
        .ins = find_item(as, "pdbx_PDB_ins_code"),
        .res_name = first_of(as, "auth_comp_id", "label_comp_id"),
        .atom = first_of(as, "auth_atom_id", "label_atom_id"),
        .element = find_item(as, "type_symbol"),
        .group = find_item(as, "group_PDB"),
        .x = find_item(as, "Cartn_x"),
        .y = find_item(as, "Cartn_y"),
        .z = find_item(as, "Cartn_z"),
        .alt = find_item(as, "label_alt_id"),
        .label_asym = find_item(as, "label_asym_id"),
        .model = find_item(as, "pdbx_PDB_model_num"),
    };
    if (k.x < 0 || k.y < 0 || k.z < 0) {
        st = vox_fail(ctx, VOX_E_PARSE, "%s: atom_site lacks the coordinate column _atom_site.%s", t->name,
                      k.x < 0 ? "Cartn_x" : k.y < 0 ? "Cartn_y" : "Cartn_z");
        goto out;
    }
    const category *cellc = find_cat(&d, "cell");
    if (cellc && nrows(cellc) > 0) {
        static const char *const keys[6] = {"length_a", "length_b", "length_c", "angle_alpha", "angle_beta", "angle_gamma"};
        double v[6];
        int ok = 1;
        for (int i = 0; i < 6 && ok; i++) {
            int c = find_item(cellc, keys[i]);
            ok = c >= 0 && sv_double(cell(cellc, 0, c), &v[i]);
        }
        if (ok) {
            vox_box_from_cell(s->box, v[0], v[1], v[2], v[3], v[4], v[5]);
            s->has_box = 1;
        }
    }
    /* models: contiguous runs in order of first appearance */
    size_t n = nrows(as);
    size_t nmodels = 1;
    bounds = malloc((n + 2) * sizeof *bounds);
    if (!bounds) {
        st = vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
        goto out;
    }
    bounds[0] = 0;
    if (k.model >= 0) {
        for (size_t r = 1; r < n; r++) {
            const sv *a = cell(as, r, k.model), *b = cell(as, r - 1, k.model);
            /* a model number is a byte or two: a loop, not a call to memcmp per atom */
            int same = a->len == b->len;
            for (uint32_t i = 0; same && i < a->len; i++) same = a->p[i] == b->p[i];
            if (!same)
                bounds[nmodels++] = r;
        }
    }
    bounds[nmodels] = n;
    st = read_atoms(ctx, t, as, &k, 0, bounds[1], &base);
    if (st != VOX_OK)
        goto out;
    vox_altloc_first(&base);
    int want_assembly = policy == VOX_ASSEMBLY_BIOLOGICAL ||
                        (policy == VOX_ASSEMBLY_AUTO && !identity_shortcut(&d, as));
    if (want_assembly && find_cat(&d, "pdbx_struct_assembly_gen") && find_cat(&d, "pdbx_struct_oper_list")) {
        vox_atoms assembled = {0};
        st = build_assembly(ctx, t, &d, &base, &assembled);
        if (st == VOX_OK && assembled.n == 0 && base.n > 0)
            st = vox_assembly_without_atoms(ctx, t->name, "pdbx_struct_assembly_gen", &base);
        if (st != VOX_OK) {
            vox_atoms_free(&assembled);
            goto out;
        }
        st = vox_dedup_chains(&assembled);
        if (st != VOX_OK) {
            vox_atoms_free(&assembled);
            st = vox_fail(ctx, st, "out of memory renaming chains of %s", t->name);
            goto out;
        }
        s->atoms = assembled;
        goto out;
    }
    if (want_assembly && nmodels > 1) {
        /* biotite's generic loader: every model, equal atom counts, annotations of model 1 */
        size_t per_model = base.n;
        if (per_model <= (SIZE_MAX / sizeof(vox_atom)) / nmodels)
            (void)vox_atoms_reserve(&base, per_model * (nmodels - 1));
        for (size_t m = 1; m < nmodels; m++) {
            vox_atoms more = {0};
            st = read_atoms(ctx, t, as, &k, bounds[m], bounds[m + 1], &more);
            if (st != VOX_OK) {
                vox_atoms_free(&more);
                goto out;
            }
            vox_altloc_first(&more);
            st = vox_stack_model(ctx, &base, per_model, &more, m, nmodels, t->name, "no assembly categories");
            if (st != VOX_OK)
                goto out;
        }
    }
    s->atoms = base;
    base = (vox_atoms){0};
out:
    free(bounds);
    vox_atoms_free(&base);
    doc_free(&d);
    return st;
}
