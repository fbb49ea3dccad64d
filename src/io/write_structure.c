/* write_structure.c - annotated structures: PDB lines (§13.3) and the CLI's mmCIF (§13.5),
 * with volumes as pseudo-atoms at voxel centres (§13.4) */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixed3.h"
#include "internal.h"
#include "utf8.h"

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

/* A name as one PDB line of text can hold it: a line break inside it (a
 * name built in memory, or an mmCIF text field) would start a record of its
 * own, another control character (a tab, \001) makes a file vox itself
 * refuses as binary data, and a byte that is not UTF-8 makes the file text no
 * reader decodes, so each becomes '?', as the CIF writer writes such a value
 * (*replaced set for the warning).  Returns name itself when it holds none
 * (every printable ASCII name). */
static int control_char(unsigned char c) { return c < 0x20 || c == 0x7f; }

static const char *one_line(const char *name, char *buf, size_t cap, int *replaced)
{
    int plain = 1;
    for (const unsigned char *c = (const unsigned char *)name; *c && plain; c++)
        plain = !control_char(*c) && *c < 0x80;
    if (plain)
        return name;
    snprintf(buf, cap, "%s", name);
    for (char *c = buf; *c; c++)
        if (control_char((unsigned char)*c)) {
            *c = '?';
            *replaced = 1;
        }
    if (vox_utf8_scrub(buf, strlen(buf)))
        *replaced = 1;
    return buf;
}

static void pdb_line(vox_buf *b, size_t serial, const char *name, const char *res, const char *chain, int resid,
                     const float xyz[3], double bfac, const char *element)
{
    char name4[8];
    size_t ln = strlen(name);
    if (ln == 1) snprintf(name4, sizeof name4, " %s  ", name);
    else if (ln == 2) snprintf(name4, sizeof name4, " %s ", name);
    else if (ln == 3) snprintf(name4, sizeof name4, " %s", name);
    else { /* four bytes, less a UTF-8 character they would cut in two (a name from an mmCIF file) */
        int keep = 4;
        while (keep > 0 && ((unsigned char)name[keep] & 0xC0) == 0x80)
            keep--;
        snprintf(name4, sizeof name4, "%.*s", keep, name);
    }
    vox_buf_printf(b, "ATOM  %5zu %s %s %s%4d    %8.3f%8.3f%8.3f  1.00%6.2f           %s\n", serial, name4, res,
                   chain, resid, (double)xyz[0], (double)xyz[1], (double)xyz[2], bfac, element);
}

vox_status vox_render_pdb(const vox_structure *s, const vox_result *r, int input_frame, vox_buf *b, int *replaced)
{
    for (size_t i = 0; i < s->atoms.n; i++) {
        const vox_atom *a = &s->atoms.a[i];
        float p[3];
        out_xyz(r, input_frame, a->xyz, p);
        /* the structure's names only: the pseudo-atoms' below are vox's own */
        char safe[4][16];
        pdb_line(b, i, one_line(a->name, safe[0], sizeof safe[0], replaced),
                 one_line(a->res_name, safe[1], sizeof safe[1], replaced), one_line(a->chain, safe[2], sizeof safe[2], replaced),
                 a->res_id, p, 0.0, one_line(a->element, safe[3], sizeof safe[3], replaced));
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
    if (vox_utf8_scrub(v, n)) /* a text file's value is text */
        replaced = 1;
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
        control |= c < 0x20 || c == 0x7f || c >= 0x80; /* non-ASCII: checked below, rarely met */
    }
    n = last;
    if (!n) { out[0] = '.'; out[1] = '\0'; return 1; }
    if (control && !memchr(a, 0x7f, n)) { /* non-ASCII bytes are unusual only when they are not UTF-8 */
        control = !vox_utf8_valid(a, n);
        for (size_t i = 0; i < n && !control; i++) control = (unsigned char)a[i] < 0x20;
    }
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

/* ---- the atom_site table ------------------------------------------------
 *
 * Most of a row's 19 columns repeat.  group_PDB, type_symbol, label_atom_id,
 * label_alt_id and auth_atom_id depend on the atom's kind (record, element,
 * name: a structure has a few hundred), and the eight columns from
 * label_comp_id to auth_asym_id on its residue alone.  Pass 1 gives every row
 * a kind and a residue, each escaped once when first met, keeps the row's
 * coordinates in the frame written, and finds every column's width (the
 * widest value + 1).  Pass 2 lays out every kind's and residue's columns
 * once, padded, and writes the rows, all of one length: a few block copies,
 * the coordinates formatted in place, the id. */

enum { BLOCK = 16 };                       /* the unit of the block copies */
static const char spaces[BLOCK] = "                ";

/* The columns of a kind: group_PDB, type_symbol, label_atom_id (which
 * auth_atom_id repeats); the key is the record and the name fields' bytes
 * through their NUL. */
typedef struct atom_kind {
    uint64_t name_key;
    uint32_t element_key;
    uint8_t hetero, len[3];
    char text[3][16]; /* escaped: at most 7 characters + 2 quotes */
} atom_kind;

/* The columns of a residue: label_comp_id, label_asym_id, label_entity_id,
 * label_seq_id, pdbx_PDB_ins_code (the auth_* columns repeat them). */
enum { R_COMP, R_ASYM, R_ENTITY, R_SEQ, R_INS, NR };
typedef struct residue_values {
    uint8_t len[NR];
    char text[NR][24]; /* names: 7 characters + 2 quotes; numbers: 20 digits */
} residue_values;

typedef struct cif_row {
    float xyz[3];        /* in the frame written */
    uint32_t kind, residue;
    uint8_t surface;     /* a surface voxel: B 50.00 */
} cif_row;

typedef struct atom_site {
    atom_kind *kinds;
    size_t nkinds, kinds_cap;
    uint32_t *slots; /* open addressing: kind index + 1, 0 empty */
    size_t nslots;
    residue_values *res;
    size_t nres, res_cap;
    cif_row *rows;
    size_t nrows;
    size_t w_kind[3], w_res[NR], w_b; /* widest values */
    float hi[3], lo[3];   /* per axis, the largest value without a sign bit and the most negative with one */
    int has_hi[3], has_lo[3];
    int any;  /* a name had characters a one-line mmCIF value cannot hold */
    int oom;
} atom_site;

/* p with room for need items of each bytes (*cap of them): p itself, or a
 * larger copy; NULL when out of memory (p is still the caller's). */
static void *grown(void *p, size_t *cap, size_t need, size_t each)
{
    if (need <= *cap)
        return p;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need) cap2 *= 2;
    void *q = realloc(p, cap2 * each);
    if (q)
        *cap = cap2;
    return q;
}

static void widen(size_t *w, size_t n)
{
    if (n > *w) *w = n;
}

/* A new kind from its three values (escaped here); its index, or -1 when out of memory. */
static long kind_add(atom_site *t, const char *group, const char *type, const char *atom)
{
    atom_kind *kinds = grown(t->kinds, &t->kinds_cap, t->nkinds + 1, sizeof *t->kinds);
    if (!kinds) {
        t->oom = 1;
        return -1;
    }
    t->kinds = kinds;
    atom_kind *k = &kinds[t->nkinds];
    memset(k, 0, sizeof *k);
    const char *const v[3] = {group, type, atom};
    for (int c = 0; c < 3; c++) {
        char out[40];
        const size_t n = cif_value(out, v[c], &t->any);
        memcpy(k->text[c], out, n + 1); /* n <= 9: the fields hold at most 7 characters */
        k->len[c] = (uint8_t)n;
        widen(&t->w_kind[c], n);
    }
    return (long)t->nkinds++;
}

static size_t kind_hash(uint64_t name, uint32_t element, int hetero)
{
    return (size_t)(((name ^ ((uint64_t)element << 32 | (uint64_t)hetero << 31)) * 0x9E3779B97F4A7C15ull) >> 32);
}

/* The kind of a structure's atom, added when new; -1 when out of memory. */
static long kind_of(atom_site *t, const vox_atom *a)
{
    const uint64_t nx = vox_text_bits(a->name, sizeof a->name), name = nx & vox_text_upto(nx);
    const uint64_t ex = vox_text_bits(a->element, sizeof a->element);
    const uint32_t element = (uint32_t)(ex & vox_text_upto(ex));
    const size_t mask = t->nslots - 1;
    size_t h = kind_hash(name, element, a->hetero) & mask;
    for (; t->slots[h]; h = (h + 1) & mask) {
        const atom_kind *k = &t->kinds[t->slots[h] - 1];
        if (k->name_key == name && k->element_key == element && k->hetero == a->hetero)
            return (long)t->slots[h] - 1;
    }
    const long i = kind_add(t, a->hetero ? "HETATM" : "ATOM", a->element, a->name);
    if (i < 0)
        return -1;
    t->kinds[i].name_key = name;
    t->kinds[i].element_key = element;
    t->kinds[i].hetero = a->hetero;
    t->slots[h] = (uint32_t)i + 1;
    if (2 * t->nkinds > t->nslots) { /* keep the table at most half full */
        uint32_t *old = t->slots;
        const size_t n_old = t->nslots;
        uint32_t *slots = calloc(2 * n_old, sizeof *slots);
        if (!slots) {
            t->oom = 1;
            return -1;
        }
        t->slots = slots;
        t->nslots = 2 * n_old;
        for (size_t s = 0; s < n_old; s++) {
            if (!old[s]) continue;
            const atom_kind *k = &t->kinds[old[s] - 1];
            size_t g = kind_hash(k->name_key, k->element_key, k->hetero) & (t->nslots - 1);
            while (t->slots[g]) g = (g + 1) & (t->nslots - 1);
            t->slots[g] = old[s];
        }
        free(old);
    }
    return i;
}

/* A new residue from its names and numbers; its index, or -1 when out of memory. */
static long residue_add(atom_site *t, const char *comp, const char *asym, long entity, long seq, const char *ins)
{
    residue_values *res = grown(t->res, &t->res_cap, t->nres + 1, sizeof *t->res);
    if (!res) {
        t->oom = 1;
        return -1;
    }
    t->res = res;
    residue_values *v = &res[t->nres];
    char out[40];
    const char *const names[NR] = {comp, asym, NULL, NULL, ins};
    const long numbers[NR] = {0, 0, entity, seq, 0};
    for (int c = 0; c < NR; c++) {
        const size_t n = names[c] ? cif_value(out, names[c], &t->any) : fmt_long(numbers[c], out);
        memcpy(v->text[c], out, n + 1); /* n <= 20 */
        v->len[c] = (uint8_t)n;
        widen(&t->w_res[c], n);
    }
    return (long)t->nres++;
}

/* One more row, its coordinates mapped into the frame written. */
static void row_add(atom_site *t, const vox_result *r, int input_frame, const float xyz[3], long kind, long residue,
                    int surface)
{
    cif_row *w = &t->rows[t->nrows++];
    out_xyz(r, input_frame, xyz, w->xyz);
    for (int c = 0; c < 3; c++) {
        const float v = w->xyz[c];
        if (signbit(v)) {
            if (!t->has_lo[c] || v < t->lo[c]) t->lo[c] = v;
            t->has_lo[c] = 1;
        } else {
            if (!t->has_hi[c] || v > t->hi[c]) t->hi[c] = v;
            t->has_hi[c] = 1;
        }
    }
    w->kind = (uint32_t)kind;
    w->residue = (uint32_t)residue;
    w->surface = (uint8_t)surface;
    widen(&t->w_b, surface ? 5 : 4);
}

static void atom_site_free(atom_site *t)
{
    free(t->kinds);
    free(t->slots);
    free(t->res);
    free(t->rows);
}

/* n bytes from src to dst in whole blocks: up to BLOCK - 1 bytes past n are
 * written (src must have them), for the next column to cover. */
static void copy_blocks(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i += BLOCK) memcpy(dst + i, src + i, BLOCK);
}

/* A value of n bytes padded with spaces to width: what the block moves
 * bring past the end is left for the next column to cover.  src must have
 * BLOCK bytes when n <= BLOCK. */
static void put_padded(char *dst, const char *src, size_t n, size_t width)
{
    if (n <= BLOCK) memcpy(dst, src, BLOCK);
    else memcpy(dst, src, n);
    const size_t pad = width - n;
    if (pad <= BLOCK) memcpy(dst + n, spaces, BLOCK);
    else memset(dst + n, ' ', pad);
}

/* Values laid out in columns from width[0]: texts[c] of lengths len[c],
 * each padded to width[c], into a block of room bytes filled with spaces. */
static void lay_out(char *block, size_t room, const char *const *texts, const uint8_t *len, const size_t *width,
                    int n)
{
    memset(block, ' ', room);
    size_t at = 0;
    for (int c = 0; c < n; c++) {
        memcpy(block + at, texts[c], len[c]);
        at += width[c];
    }
}

static size_t round_up(size_t n) { return (n + BLOCK - 1) / BLOCK * BLOCK; }

/* Pass 2: the rows into b, each column padded to its widest value + 1. */
static void atom_site_write(atom_site *t, vox_buf *b)
{
    /* column widths (value + 1 space), in output order */
    const size_t wk[3] = {t->w_kind[0] + 1, t->w_kind[1] + 1, t->w_kind[2] + 1};
    size_t wr[NR];
    for (int c = 0; c < NR; c++) wr[c] = t->w_res[c] + 1;
    size_t w_xyz[3] = {0, 0, 0};
    for (int c = 0; c < 3; c++) {
        if (t->has_hi[c]) widen(&w_xyz[c], vox_fixed3_len(t->hi[c]));
        if (t->has_lo[c]) widen(&w_xyz[c], vox_fixed3_len(t->lo[c]));
    }
    size_t id_width = 1;
    for (size_t v = t->nrows; v >= 10; v /= 10) id_width++;
    /* cols 0-3: group, type, atom, alt ('.'); 4-11: comp asym entity seq ins seq comp asym;
     * 12: auth atom; 13: B; 14-16: x y z; 17: model ('1'); 18: id */
    const size_t head_len = wk[0] + wk[1] + wk[2] + 2;
    static const int res_cols[8] = {R_COMP, R_ASYM, R_ENTITY, R_SEQ, R_INS, R_SEQ, R_COMP, R_ASYM};
    size_t res_len = 0, res_w[8];
    for (int c = 0; c < 8; c++) res_len += res_w[c] = wr[res_cols[c]];
    const size_t o_res = head_len, o_tail = o_res + res_len, o_b = o_tail + wk[2], o_x = o_b + t->w_b + 1;
    const size_t o_model = o_x + w_xyz[0] + w_xyz[1] + w_xyz[2] + 3, o_id = o_model + 2;
    const size_t line = o_id + id_width + 1 + 1; /* + '\n' */

    /* every kind's and residue's columns, laid out once */
    const size_t head_room = round_up(head_len), tail_room = round_up(wk[2]), res_room = round_up(res_len);
    char *heads = malloc(t->nkinds * (head_room + tail_room) + 1);
    char *blocks = malloc(t->nres * res_room + 1);
    if (!heads || !blocks || (t->nrows && line * t->nrows / t->nrows != line)) {
        free(heads);
        free(blocks);
        b->oom = 1;
        return;
    }
    char *const tails = heads + t->nkinds * head_room;
    for (size_t k = 0; k < t->nkinds; k++) {
        const atom_kind *a = &t->kinds[k];
        const char *const texts[4] = {a->text[0], a->text[1], a->text[2], "."};
        const uint8_t len[4] = {a->len[0], a->len[1], a->len[2], 1};
        const size_t width[4] = {wk[0], wk[1], wk[2], 2};
        lay_out(heads + k * head_room, head_room, texts, len, width, 4);
        lay_out(tails + k * tail_room, tail_room, texts + 2, len + 2, width + 2, 1);
    }
    for (size_t q = 0; q < t->nres; q++) {
        const residue_values *v = &t->res[q];
        const char *texts[8];
        uint8_t len[8];
        for (int c = 0; c < 8; c++) {
            texts[c] = v->text[res_cols[c]];
            len[c] = v->len[res_cols[c]];
        }
        lay_out(blocks + q * res_room, res_room, texts, len, res_w, 8);
    }
    char b_text[2][BLOCK], model[BLOCK];
    memset(b_text, ' ', sizeof b_text);
    memcpy(b_text[0], "0.00", 4);
    memcpy(b_text[1], "50.00", 5);
    memset(model, ' ', sizeof model);
    model[0] = '1';

    /* room for the rows and what the last block moves bring past them */
    char *out = t->nrows ? vox_buf_tail(b, line * t->nrows + 64) : NULL;
    if (t->nrows && !out) {
        free(heads);
        free(blocks);
        return; /* vox_buf_tail set b->oom */
    }
    dec_counter id = {"0", 1};
    const size_t o_xyz[3] = {o_x, o_x + w_xyz[0] + 1, o_x + w_xyz[0] + w_xyz[1] + 2};
    for (size_t i = 0; i < t->nrows; i++, out += line) {
        const cif_row *w = &t->rows[i];
        copy_blocks(out, heads + w->kind * head_room, head_len);
        copy_blocks(out + o_res, blocks + w->residue * res_room, res_len);
        copy_blocks(out + o_tail, tails + w->kind * tail_room, wk[2]);
        memcpy(out + o_b, b_text[w->surface], BLOCK); /* B: at most 5 + 1 */
        for (int c = 0; c < 3; c++) {
            char *d = out + o_xyz[c];
            const size_t n = vox_fmt_fixed3(w->xyz[c], d), pad = w_xyz[c] + 1 - n;
            if (pad <= BLOCK) memcpy(d + n, spaces, BLOCK);
            else memset(d + n, ' ', pad);
        }
        memcpy(out + o_model, model, BLOCK);
        dec_next(&id);
        put_padded(out + o_id, id.d, id.n, id_width + 1);
        out[line - 1] = '\n';
    }
    b->len += line * t->nrows;
    if (t->nrows) b->data[b->len] = '\0';
    free(heads);
    free(blocks);
}

vox_status vox_render_cif(const vox_structure *s, const vox_result *r, int include_hubs, int input_frame, vox_buf *b,
                          int *replaced)
{
    char chains[5][8];
    size_t *order = malloc((r->n + 1) * sizeof *order);
    char (*ents)[8] = calloc(s->atoms.n + 6, sizeof *ents); /* zeroed: compared as whole 8-byte fields */
    int *polymer = calloc(s->atoms.n + 6, sizeof *polymer);
    size_t nrows = s->atoms.n;
    for (size_t i = 0; i < r->n; i++)
        if (r->groups[i].type != VOX_HUB || include_hubs) nrows += r->groups[i].n;
    atom_site t = {0};
    t.rows = malloc((nrows + 1) * sizeof *t.rows);
    if (t.rows)
        vox_prefault_write(t.rows, nrows * sizeof *t.rows); /* every row is filled */
    t.nslots = 256;
    t.slots = calloc(t.nslots, sizeof *t.slots);
    const size_t ngroups = order ? vox_pseudo_order(r, include_hubs, order) : (size_t)-1;
    if (!order || !ents || !polymer || !t.rows || !t.slots || ngroups == (size_t)-1) {
        free(order); free(ents); free(polymer);
        atom_site_free(&t);
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

    /* pass 1: every row's kind, residue and coordinates; the widths */
    last = 0;
    long residue = -1;
    const vox_atom *res_atom = NULL; /* the atoms of a residue are consecutive */
    for (size_t i = 0; i < s->atoms.n; i++) {
        const vox_atom *a = &s->atoms.a[i];
        const long kind = kind_of(&t, a);
        if (!res_atom || !vox_same_residue(a, res_atom)) {
            const char ins[2] = {a->ins_code, '\0'};
            residue = residue_add(&t, a->res_name, a->chain, (long)entity_of(ents, nent, a->chain, &last) + 1,
                                  a->res_id, ins);
            res_atom = a;
        }
        if (kind < 0 || residue < 0)
            break;
        row_add(&t, r, input_frame, a->xyz, kind, residue, 0);
    }
    for (size_t q = 0; q < ngroups && !t.oom; q++) {
        const vox_group *g = &r->groups[order[q]];
        if (!g->n) continue;
        /* the columns up to the insertion code are the same for the whole group */
        const long kind = kind_add(&t, "ATOM", pseudo_elem[g->type], pseudo_elem[g->type]);
        const long res = residue_add(&t, pseudo_res[g->type], chains[g->type],
                                     (long)entity_of(ents, nent, chains[g->type], &last) + 1, g->id, "");
        if (kind < 0 || res < 0)
            break;
        for (size_t u = 0; u < g->n; u++) {
            float vc[3];
            vox_voxel_centre(r, g->voxels[u], vc);
            row_add(&t, r, input_frame, vc, kind, res, g->surface && g->surface[u]);
        }
    }

    /* pass 2: the header and the rows */
    vox_buf_puts(b, "data_structure\n#\nloop_\n");
    for (int c = 0; c < NCOL; c++)
        vox_buf_printf(b, "_atom_site.%s \n", cif_cols[c]);
    if (t.oom) b->oom = 1;
    else atom_site_write(&t, b);
    atom_site_free(&t);
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
        for (int i = 0; i < 6; i++) {
            const double v = i < 3 ? len[i] : ang[i - 3];
            /* a degenerate cell (a zero length: CRYST1 0.000, as some tools write) gives NaN
             * angles; Python's '%5.3f' writes any NaN as "nan", glibc the x86 0/0's sign "-nan" */
            if (isnan(v))
                vox_buf_printf(b, "_cell.%-14s%*s\n", keys[i], i < 3 ? 6 : 5, "nan");
            else
                vox_buf_printf(b, "_cell.%-14s%*.3f\n", keys[i], i < 3 ? 6 : 5, v);
        }
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
        *replaced = t.any;
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}
