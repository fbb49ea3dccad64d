/* write_structure.c - annotated structures: PDB lines (§13.3) and the CLI's mmCIF (§13.5),
 * with volumes as pseudo-atoms at voxel centres (§13.4) */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const pseudo_res[5] = {"HUB", "POR", "POK", "CAV", "OCC"};
static const char *const pseudo_elem[5] = {"F", "O", "N", "S", "H"};
static const char *const default_chain[5] = {"A", "B", "C", "D", "E"};
static const char chain_pool[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

typedef struct idset {
    char (*v)[8];
    size_t n;
} idset;

static int idset_has(const idset *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], id) == 0)
            return 1;
    return 0;
}

void vox_pseudo_chains(const vox_structure *s, char chains[5][8])
{
    idset u = {malloc((s->atoms.n + 8) * sizeof *u.v), 0};
    if (!u.v) {
        for (int t = 0; t < 5; t++) strcpy(chains[t], default_chain[t]);
        return;
    }
    for (size_t i = 0; i < s->atoms.n; i++) /* a chain's atoms mostly follow each other */
        if ((i == 0 || !vox_same_name(s->atoms.a[i].chain, s->atoms.a[i - 1].chain)) && !idset_has(&u, s->atoms.a[i].chain))
            strcpy(u.v[u.n++], s->atoms.a[i].chain);
    int empty = u.n == 0;
    for (int t = 0; t < 5; t++) {
        strcpy(chains[t], default_chain[t]);
        if (!empty && idset_has(&u, default_chain[t])) {
            for (const char *p = chain_pool; *p; p++) {
                char id[2] = {*p, '\0'};
                if (!idset_has(&u, id)) {
                    strcpy(chains[t], id);
                    break;
                }
            }
        }
        if (!empty)
            strcpy(u.v[u.n++], chains[t]);
    }
    free(u.v);
}

/* (type, id, table index) of one group: the sort key travels with the
 * entry, so ordering needs no shared state and renders may run on many
 * threads at once. */
typedef struct pseudo_key {
    int type, id;
    size_t index;
} pseudo_key;

static int cmp_type_id(const void *x, const void *y)
{
    const pseudo_key *a = x, *b = y;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Pseudo-atom order: HUB groups by id, then POR, POK, CAV, OCC (§13.4);
 * (type, id) is unique, so the order is total. */
size_t vox_pseudo_order(const vox_result *r, int include_hubs, size_t *order)
{
    pseudo_key *k = malloc((r->n + 1) * sizeof *k);
    size_t n = 0;
    if (!k)
        return (size_t)-1;
    for (size_t i = 0; i < r->n; i++)
        if (r->groups[i].type != VOX_HUB || include_hubs)
            k[n++] = (pseudo_key){(int)r->groups[i].type, r->groups[i].id, i};
    qsort(k, n, sizeof *k, cmp_type_id);
    for (size_t i = 0; i < n; i++) order[i] = k[i].index;
    free(k);
    return n;
}

/* A coordinate as written: the aligned frame, or mapped back onto the
 * input frame with the transform the result was computed under. */
static void out_xyz(const vox_result *r, int input_frame, const float in[3], float out[3])
{
    if (!input_frame) {
        memcpy(out, in, 3 * sizeof *out);
        return;
    }
    for (int c = 0; c < 3; c++)
        out[c] = (float)(r->rot[0][c] * in[0] + r->rot[1][c] * in[1] + r->rot[2][c] * in[2] + r->centroid[c]);
}

static void pdb_line(vox_buf *b, size_t serial, const char *name, const char *res, const char *chain, int resid,
                     const float xyz[3], double bfac, const char *element)
{
    char name4[8];
    size_t ln = strlen(name);
    if (ln == 1) snprintf(name4, sizeof name4, " %s  ", name);
    else if (ln == 2) snprintf(name4, sizeof name4, " %s ", name);
    else if (ln == 3) snprintf(name4, sizeof name4, " %s", name);
    else snprintf(name4, sizeof name4, "%.4s", name);
    vox_buf_printf(b, "ATOM  %5zu %s %s %s%4d    %8.3f%8.3f%8.3f  1.00%6.2f           %s\n", serial, name4, res,
                   chain, resid, (double)xyz[0], (double)xyz[1], (double)xyz[2], bfac, element);
}

vox_status vox_render_pdb(const vox_structure *s, const vox_result *r, int input_frame, vox_buf *b)
{
    for (size_t i = 0; i < s->atoms.n; i++) {
        const vox_atom *a = &s->atoms.a[i];
        float p[3];
        out_xyz(r, input_frame, a->xyz, p);
        pdb_line(b, i, a->name, a->res_name, a->chain, a->res_id, p, 0.0, a->element);
    }
    vox_buf_puts(b, "END\n");
    char chains[5][8];
    vox_pseudo_chains(s, chains);
    size_t *order = malloc((r->n + 1) * sizeof *order);
    if (!order)
        return VOX_E_NOMEM;
    size_t ng = vox_pseudo_order(r, 1, order), serial = 0;
    if (ng == (size_t)-1) {
        free(order);
        return VOX_E_NOMEM;
    }
    for (size_t q = 0; q < ng; q++) {
        const vox_group *g = &r->groups[order[q]];
        for (size_t t = 0; t < g->n; t++) {
            float v[3], c[3];
            vox_voxel_centre(r, g->voxels[t], v);
            out_xyz(r, input_frame, v, c);
            pdb_line(b, serial++, pseudo_elem[g->type], pseudo_res[g->type], chains[g->type], g->id, c,
                     g->surface && g->surface[t] ? 50.0 : 0.0, pseudo_elem[g->type]);
        }
    }
    vox_buf_puts(b, "END\n");
    free(order);
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}

/* ---- mmCIF ---------------------------------------------------------------- */

#define NCOL 19
static const char *const cif_cols[NCOL] = {
    "group_PDB", "type_symbol", "label_atom_id", "label_alt_id", "label_comp_id", "label_asym_id",
    "label_entity_id", "label_seq_id", "pdbx_PDB_ins_code", "auth_seq_id", "auth_comp_id", "auth_asym_id",
    "auth_atom_id", "B_iso_or_equiv", "Cartn_x", "Cartn_y", "Cartn_z", "pdbx_PDB_model_num", "id"};

/* "%d" without printf. */
static size_t fmt_long(long v, char *out)
{
    char tmp[24];
    size_t n = 0;
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t k = 0;
    if (v < 0) out[k++] = '-';
    while (n) out[k++] = tmp[--n];
    out[k] = '\0';
    return k;
}

/* "00" "01" ... "99": two decimal digits per lookup. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

/* "%.3f" of a binary32 value without printf, into a value slot of at least
 * 24 bytes: v * 1000 is exact in binary64
 * (24 + 10 significant bits), so rint() rounds the exact decimal value half
 * to even, exactly as glibc's printf does. */
static size_t fmt_fixed3(float f, char *out)
{
    double scaled = rint((double)f * 1000.0);
    if (!(fabs(scaled) < 9e15)) { /* not reachable for coordinates; keep printf's answer */
        snprintf(out, 40, "%.3f", (double)f);
        return strlen(out);
    }
    int neg = signbit(scaled) || (scaled == 0.0 && signbit(f));
    unsigned long long m = (unsigned long long)fabs(scaled), ip = m / 1000;
    const unsigned frac = (unsigned)(m % 1000);
    /* written backwards from the end of a scratch: the fraction, then the
     * integer part two digits at a time, then the sign */
    char tmp[64], *e = tmp + 32, *p = e - 4;
    memset(e, 0, 8); /* the fixed-size copy below reads at most 6 bytes past e: all defined */
    p[0] = '.';
    p[1] = (char)('0' + frac / 100);
    memcpy(p + 2, digit_pairs + 2 * (frac % 100), 2);
    while (ip >= 100) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * (ip % 100), 2);
        ip /= 100;
    }
    if (ip >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * ip, 2);
    } else {
        *--p = (char)('0' + ip);
    }
    if (neg) *--p = '-';
    const size_t n = (size_t)(e - p); /* at most 18: |scaled| < 9e15 */
    /* one fixed-size copy instead of a call (out is a row's value slot, 40
     * bytes: what lies past the NUL is overwritten by the next value) */
    memcpy(out, p, 24);
    out[n] = '\0';
    return n;
}

/* The id column counts rows: a decimal string incremented in place (the
 * next id without a division per digit). */
typedef struct dec_counter {
    char d[24]; /* digits, most significant first, NUL-terminated */
    size_t n;
} dec_counter;

static void dec_next(dec_counter *c)
{
    size_t i = c->n;
    while (i > 0 && c->d[i - 1] == '9') c->d[--i] = '0';
    if (i > 0) {
        c->d[i - 1]++;
        return;
    }
    memmove(c->d + 1, c->d, c->n + 1); /* 99..9 + 1: one digit more */
    c->d[0] = '1';
    c->n++;
}

/* A quoted value ends at its quote followed by a blank or the line's end:
 * 1 when quote q inside v[0..n) would end it early. */
static int closes_early(const char *v, size_t n, char q)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == q && (i + 1 == n || v[i + 1] == ' '))
            return 1;
    return 0;
}

/* v[0..n) starts with the lower-case word w (k characters), in any case. */
static int starts_ci(const char *v, size_t n, const char *w, size_t k)
{
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)v[i]) != w[i])
            return 0;
    return 1;
}

/* A bare value a CIF reader would take for something else: a comment, a
 * data name, a text field, a reserved word, "null" or "unknown".  One
 * switch on the first character: this runs for every value of every row. */
static int reserved(const char *v, size_t n)
{
    switch (v[0]) {
    case '_': case '#': case '$': case '[': case ']': case ';': return 1;
    case '.': case '?': return n == 1;
    case 'd': case 'D': return starts_ci(v, n, "data_", 5);
    case 's': case 'S': return starts_ci(v, n, "save_", 5) || (n == 5 && starts_ci(v, n, "stop_", 5));
    case 'l': case 'L': return n == 5 && starts_ci(v, n, "loop_", 5);
    case 'g': case 'G': return n == 7 && starts_ci(v, n, "global_", 7);
    default: return 0;
    }
}

/* What biotite's escaping leaves unsafe, made safe: control characters
 * (no one-line value can hold them) become '?', a reserved bare value is
 * quoted, and when both quote styles would end early the double quotes
 * become '?'.  Returns 1 when a character was replaced. */
static int cif_value_unusual(char out[40], const char *a, size_t n)
{
    char v[40];
    int replaced = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        if (c < 0x20 || c == 0x7f) {
            c = '?';
            replaced = 1;
        }
        v[i] = (char)c;
    }
    char q = memchr(v, '\'', n) ? '"' : memchr(v, '"', n) || memchr(v, ' ', n) ? '\'' : 0;
    if (!q && reserved(v, n))
        q = '\'';
    if (q == '"' && closes_early(v, n, '"')) {
        if (!closes_early(v, n, '\'')) {
            q = '\'';
        } else {
            for (size_t i = 0; i < n; i++)
                if (v[i] == '"') v[i] = '?';
            replaced = 1;
        }
    }
    size_t k = 0;
    if (q) out[k++] = q;
    memcpy(out + k, v, n);
    k += n;
    if (q) out[k++] = q;
    out[k] = '\0';
    return replaced;
}

/* biotite's value escaping: trim, empty -> '.', quote values with quotes or
 * spaces (double quotes when the value has a single quote).  One scan. */
static size_t cif_value(char out[40], const char *raw, int *replaced)
{
    const char *a = raw;
    while (*a == ' ' || *a == '\t') a++;
    size_t n = 0, last = 0;
    int squote = 0, other = 0, control = 0;
    for (; a[n] && n < 36; n++) {
        unsigned char c = (unsigned char)a[n];
        if (c != ' ' && c != '\t') last = n + 1;
        squote |= c == '\'';
        other |= c == '"' || c == ' ';
        control |= c < 0x20 || c == 0x7f;
    }
    n = last;
    if (!n) { out[0] = '.'; out[1] = '\0'; return 1; }
    if (other && !squote) /* a space inside a trimmed value is an inner one */
        other = memchr(a, '"', n) || memchr(a, ' ', n);
    char q = squote ? '"' : other ? '\'' : 0;
    if (control || (!q && reserved(a, n)) || (q == '"' && closes_early(a, n, '"'))) {
        *replaced |= cif_value_unusual(out, a, n);
        return strlen(out);
    }
    size_t k = 0;
    if (q) out[k++] = q;
    memcpy(out + k, a, n);
    k += n;
    if (q) out[k++] = q;
    out[k] = '\0';
    return k;
}

/* cif_value of an atom's short fields (element, atom name: a structure has
 * a few dozen distinct ones), remembered in a direct-mapped table keyed by
 * the field's bytes through its NUL: the escaping depends on the text
 * alone, so a hit gives the same bytes as the call. */
enum { MEMO_SLOTS = 64 };
typedef struct value_memo {
    uint64_t key[MEMO_SLOTS];
    uint8_t len[MEMO_SLOTS], used[MEMO_SLOTS], replaced[MEMO_SLOTS];
    char text[MEMO_SLOTS][16];
} value_memo;

static size_t memo_value(value_memo *m, const char *field, size_t field_size, char out[40], int *replaced)
{
    const uint64_t x = vox_text_bits(field, field_size), key = x & vox_text_upto(x);
    const size_t slot = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 58);
    if (!m->used[slot] || m->key[slot] != key) {
        char text[40];
        int rep = 0;
        const size_t n = cif_value(text, field, &rep);
        if (n >= sizeof m->text[0]) { /* longer than a slot (not for 7 characters): not kept */
            memcpy(out, text, n + 1);
            *replaced |= rep;
            return n;
        }
        memcpy(m->text[slot], text, n + 1);
        m->key[slot] = key;
        m->len[slot] = (uint8_t)n;
        m->replaced[slot] = (uint8_t)rep;
        m->used[slot] = 1;
    }
    memcpy(out, m->text[slot], sizeof m->text[0]); /* out is a 40-byte value slot */
    *replaced |= m->replaced[slot];
    return m->len[slot];
}

/* The atom_site table is written in two passes over a store of its values:
 * the first formats every distinct value of every row once (13 of the 19
 * columns; the others are copies or constants) and records its length, which
 * gives the column widths; the second lays out rows that, every column padded
 * to its width + 1, all have the same length, straight into the output. */
enum { V_GROUP, V_TYPE, V_ATOM, V_COMP, V_ASYM, V_ENTITY, V_SEQ, V_INS, V_B, V_X, V_Y, V_Z, V_ID, NV };

/* Output column -> stored value (-1: '.', -2: '1'): auth_* copy label_*. */
static const signed char col_value[NCOL] = {V_GROUP, V_TYPE, V_ATOM, -1,    V_COMP, V_ASYM, V_ENTITY,
                                            V_SEQ,   V_INS,  V_SEQ,  V_COMP, V_ASYM, V_ATOM, V_B,
                                            V_X,     V_Y,    V_Z,    -2,     V_ID};

typedef struct cif_store {
    char *text;           /* every row's values, back to back */
    size_t len, cap;
    uint8_t (*vlen)[NV];  /* per row */
    size_t rows;
    size_t w[NV];         /* widest value per stored column */
    int oom;
} cif_store;

static char *store_room(cif_store *t, size_t n)
{
    if (t->len + n > t->cap) {
        size_t cap = t->cap ? t->cap : 1 << 16;
        while (cap < t->len + n) cap *= 2;
        char *p = realloc(t->text, cap);
        if (!p) {
            t->oom = 1;
            return NULL;
        }
        t->text = p;
        t->cap = cap;
    }
    return t->text + t->len;
}

/* Room for one more row's values, each formatted in place. */
static char *row_room(cif_store *t) { return t->oom ? NULL : store_room(t, NV * 40); }

/* Records the row just formatted at o (lengths l). */
static void row_done(cif_store *t, const size_t *l)
{
    uint8_t *vl = t->vlen[t->rows++];
    for (int i = 0; i < NV; i++) {
        vl[i] = (uint8_t)l[i];
        t->len += l[i];
        if (l[i] > t->w[i]) t->w[i] = l[i];
    }
}

/* Entity (0-based) of a chain id; last: a one-entry cache, atoms of a chain
 * being consecutive. */
static size_t entity_of(char (*ents)[8], size_t nent, const char chain[8], size_t *last)
{
    if (*last < nent && vox_same_name(ents[*last], chain))
        return *last;
    for (size_t e = 0; e < nent; e++)
        if (vox_same_name(ents[e], chain))
            return *last = e;
    return 0;
}

/* Room for n more bytes (and the NUL) at b->data + b->len; NULL when out of memory. */
static char *buf_tail(vox_buf *b, size_t n)
{
    if (b->oom)
        return NULL;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->oom = 1;
            return NULL;
        }
        b->data = p;
        b->cap = cap;
    }
    return b->data + b->len;
}

vox_status vox_render_cif(const vox_structure *s, const vox_result *r, int include_hubs, int input_frame, vox_buf *b,
                          int *replaced)
{
    int any = 0; /* a name had characters a one-line mmCIF value cannot hold */
    value_memo memo_store, *memo = &memo_store;
    memset(memo->used, 0, sizeof memo->used);
    char chains[5][8];
    size_t *order = malloc((r->n + 1) * sizeof *order);
    char (*ents)[8] = calloc(s->atoms.n + 6, sizeof *ents); /* zeroed: compared as whole 8-byte fields */
    int *polymer = calloc(s->atoms.n + 6, sizeof *polymer);
    size_t nrows = s->atoms.n;
    for (size_t i = 0; i < r->n; i++)
        if (r->groups[i].type != VOX_HUB || include_hubs) nrows += r->groups[i].n;
    cif_store t = {NULL, 0, 0, malloc((nrows + 1) * sizeof *t.vlen), 0, {0}, 0};
    if (!order || !ents || !polymer || !t.vlen) {
        free(order); free(ents); free(polymer); free(t.vlen);
        return VOX_E_NOMEM;
    }
    const size_t ngroups = vox_pseudo_order(r, include_hubs, order);
    if (ngroups == (size_t)-1) {
        free(order); free(ents); free(polymer); free(t.vlen);
        return VOX_E_NOMEM;
    }
    vox_pseudo_chains(s, chains);
    /* entity ids: one per chain id in order of first appearance; "polymer"
     * when the entity has a residue that is not a pseudo-atom */
    size_t nent = 0, last = 0;
    for (size_t i = 0; i < s->atoms.n; i++) {
        const char *chain = s->atoms.a[i].chain;
        if (!(last < nent && vox_same_name(ents[last], chain))) {
            size_t e = 0;
            while (e < nent && !vox_same_name(ents[e], chain)) e++;
            if (e == nent) strcpy(ents[nent++], chain);
            last = e;
        }
        polymer[last] = 1;
    }
    for (size_t q = 0; q < ngroups; q++) {
        const char *chain = chains[r->groups[order[q]].type];
        size_t e = 0;
        while (e < nent && strcmp(ents[e], chain) != 0) e++;
        if (r->groups[order[q]].n && e == nent) strcpy(ents[nent++], chain);
    }

    /* pass 1: the values of every row, formatted once, in place */
    size_t l[NV], k = 0;
    char *o;
    last = 0;
    dec_counter id = {"0", 1};
    /* the residue columns (comp, asym, entity, seq, ins) of the row before:
     * the atoms of a residue are consecutive, so most rows copy them */
    char res_text[5 * 40];
    size_t res_len = 0, res_l[5] = {0};
    const vox_atom *res_atom = NULL;
    for (size_t i = 0; i < s->atoms.n && (o = row_room(&t)); i++, k++) {
        const vox_atom *a = &s->atoms.a[i];
        if (a->hetero) {
            memcpy(o, "HETATM", 7);
            o += l[V_GROUP] = 6;
        } else {
            memcpy(o, "ATOM", 5);
            o += l[V_GROUP] = 4;
        }
        o += l[V_TYPE] = memo_value(memo, a->element, sizeof a->element, o, &any);
        o += l[V_ATOM] = memo_value(memo, a->name, sizeof a->name, o, &any);
        if (!res_atom || !vox_same_residue(a, res_atom)) {
            const char ins[2] = {a->ins_code, '\0'};
            char *p = res_text;
            p += res_l[0] = cif_value(p, a->res_name, &any);
            p += res_l[1] = cif_value(p, a->chain, &any);
            p += res_l[2] = fmt_long((long)entity_of(ents, nent, a->chain, &last) + 1, p);
            p += res_l[3] = fmt_long(a->res_id, p);
            p += res_l[4] = cif_value(p, ins, &any);
            res_len = (size_t)(p - res_text);
            res_atom = a;
        }
        memcpy(o, res_text, res_len);
        o += res_len;
        l[V_COMP] = res_l[0];
        l[V_ASYM] = res_l[1];
        l[V_ENTITY] = res_l[2];
        l[V_SEQ] = res_l[3];
        l[V_INS] = res_l[4];
        memcpy(o, "0.00", 4);
        o += l[V_B] = 4;
        float xyz[3];
        out_xyz(r, input_frame, a->xyz, xyz);
        for (int c = 0; c < 3; c++)
            o += l[V_X + c] = fmt_fixed3(xyz[c], o);
        dec_next(&id);
        memcpy(o, id.d, id.n + 1);
        l[V_ID] = id.n;
        row_done(&t, l);
    }
    for (size_t q = 0; q < ngroups && !t.oom; q++) {
        const vox_group *g = &r->groups[order[q]];
        if (!g->n) continue;
        /* the columns up to the insertion code are the same for the whole group */
        char head[6 * 40 + 48];
        size_t hl = 0;
        hl += l[V_GROUP] = cif_value(head + hl, "ATOM", &any);
        hl += l[V_TYPE] = cif_value(head + hl, pseudo_elem[g->type], &any);
        hl += l[V_ATOM] = cif_value(head + hl, pseudo_elem[g->type], &any);
        hl += l[V_COMP] = cif_value(head + hl, pseudo_res[g->type], &any);
        hl += l[V_ASYM] = cif_value(head + hl, chains[g->type], &any);
        hl += l[V_ENTITY] = fmt_long((long)entity_of(ents, nent, chains[g->type], &last) + 1, head + hl);
        hl += l[V_SEQ] = fmt_long(g->id, head + hl);
        hl += l[V_INS] = cif_value(head + hl, "", &any);
        for (size_t u = 0; u < g->n && (o = row_room(&t)); u++, k++) {
            float vc[3], c[3];
            vox_voxel_centre(r, g->voxels[u], vc);
            out_xyz(r, input_frame, vc, c);
            memcpy(o, head, hl);
            o += hl;
            const int surface = g->surface && g->surface[u];
            memcpy(o, surface ? "50.00" : "0.00", surface ? 5 : 4);
            o += l[V_B] = surface ? 5 : 4;
            for (int a = 0; a < 3; a++)
                o += l[V_X + a] = fmt_fixed3(c[a], o);
            dec_next(&id);
            memcpy(o, id.d, id.n + 1);
            l[V_ID] = id.n;
            row_done(&t, l);
        }
    }

    /* pass 2: the rows, each column padded to its width + 1 */
    size_t w[NCOL], offset[NCOL], line = 0;
    for (int c = 0; c < NCOL; c++) {
        w[c] = col_value[c] >= 0 ? t.w[col_value[c]] : 1;
        offset[c] = line;
        line += w[c] + 1;
    }
    line++; /* '\n' */
    vox_buf_puts(b, "data_structure\n#\nloop_\n");
    for (int c = 0; c < NCOL; c++)
        vox_buf_printf(b, "_atom_site.%s \n", cif_cols[c]);
    /* Each value is moved as 16 bytes (the store and the output have room
     * past their ends), then 16 spaces from its end: what the first move
     * brought along is blanked before the next column is written, and the
     * padding is done when it is under 16; rarer long values or paddings
     * take exact copies.  The last column's spaces may run into the next
     * line, which its own values then cover. */
    enum { CHUNK = 16 };
    static const char spaces[CHUNK] = "                ";
    char *out = !t.oom && t.rows && line * t.rows / t.rows == line && store_room(&t, CHUNK)
                    ? buf_tail(b, line * t.rows + CHUNK)
                    : NULL;
    if (out) {
        const char *val = t.text;
        for (size_t row = 0; row < t.rows; row++, out += line) {
            const uint8_t *vl = t.vlen[row];
            const char *start[NV];
            for (int i = 0; i < NV; i++) {
                start[i] = val;
                val += vl[i];
            }
            for (int c = 0; c < NCOL; c++) {
                char *d = out + offset[c];
                const int i = col_value[c];
                static const char dot[CHUNK] = ".", model[CHUNK] = "1";
                const char *src = i >= 0 ? start[i] : i == -1 ? dot : model;
                const size_t n = i >= 0 ? vl[i] : 1, pad = w[c] + 1 - n;
                if (n <= CHUNK) memcpy(d, src, CHUNK);
                else memcpy(d, src, n);
                if (pad <= CHUNK) memcpy(d + n, spaces, CHUNK);
                else memset(d + n, ' ', pad);
            }
            out[line - 1] = '\n';
        }
        b->len += line * t.rows;
        b->data[b->len] = '\0';
    } else if (t.oom || t.rows) {
        b->oom = 1;
    }
    free(t.text);
    free(t.vlen);
    vox_buf_puts(b, "#\n");
    if (s->has_box) {
        float len[3], ang[3];
        for (int i = 0; i < 3; i++)
            len[i] = sqrtf(s->box[i][0] * s->box[i][0] + s->box[i][1] * s->box[i][1] + s->box[i][2] * s->box[i][2]);
        static const int pair[3][2] = {{1, 2}, {0, 2}, {0, 1}};
        for (int i = 0; i < 3; i++) {
            const float *u = s->box[pair[i][0]], *v = s->box[pair[i][1]];
            float d = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
            ang[i] = acosf(d / (len[pair[i][0]] * len[pair[i][1]])) * (float)(180.0 / M_PI);
        }
        static const char *const keys[6] = {"length_a", "length_b", "length_c", "angle_alpha", "angle_beta", "angle_gamma"};
        for (int i = 0; i < 6; i++)
            vox_buf_printf(b, "_cell.%-14s%*.3f\n", keys[i], i < 3 ? 6 : 5, (double)(i < 3 ? len[i] : ang[i - 3]));
        vox_buf_puts(b, "#\n");
    }
    size_t ew[2] = {0, 0};
    char num[32];
    for (size_t e2 = 0; e2 < nent; e2++) {
        size_t n = (size_t)snprintf(num, sizeof num, "%zu", e2 + 1);
        if (n > ew[0]) ew[0] = n;
        n = polymer[e2] ? 7 : 11;
        if (n > ew[1]) ew[1] = n;
    }
    vox_buf_puts(b, "loop_\n_entity.id \n_entity.type \n");
    for (size_t e2 = 0; e2 < nent; e2++) {
        snprintf(num, sizeof num, "%zu", e2 + 1);
        vox_buf_printf(b, "%-*s%-*s\n", (int)ew[0] + 1, num, (int)ew[1] + 1, polymer[e2] ? "polymer" : "non-polymer");
    }
    vox_buf_puts(b, "#\n");
    free(order); free(ents); free(polymer);
    if (replaced)
        *replaced = any;
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}
