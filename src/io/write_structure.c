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
    for (size_t i = 0; i < s->atoms.n; i++)
        if (!idset_has(&u, s->atoms.a[i].chain))
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

/* "%.3f" of a binary32 value without printf: v * 1000 is exact in binary64
 * (24 + 10 significant bits), so rint() rounds the exact decimal value half
 * to even, exactly as glibc's printf does. */
static void fmt_fixed3(float f, char *out)
{
    double scaled = rint((double)f * 1000.0);
    if (!(fabs(scaled) < 9e15)) { /* not reachable for coordinates; keep printf's answer */
        snprintf(out, 40, "%.3f", (double)f);
        return;
    }
    int neg = signbit(scaled) || (scaled == 0.0 && signbit(f));
    long long m = (long long)fabs(scaled);
    char *o = out;
    if (neg) *o++ = '-';
    o += fmt_long((long)(m / 1000), o);
    int frac = (int)(m % 1000);
    o[0] = '.';
    o[1] = (char)('0' + frac / 100);
    o[2] = (char)('0' + frac / 10 % 10);
    o[3] = (char)('0' + frac % 10);
    o[4] = '\0';
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
 * spaces (double quotes when the value has a single quote).  One scan.
 * Values biotite would write unreadably (names are data from any file) go
 * through cif_value_unusual; returns 1 when a character was replaced. */
static int cif_value(char out[40], const char *raw)
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
    if (!n) { out[0] = '.'; out[1] = '\0'; return 0; }
    if (other && !squote) /* a space inside a trimmed value is an inner one */
        other = memchr(a, '"', n) || memchr(a, ' ', n);
    char q = squote ? '"' : other ? '\'' : 0;
    if (control || (!q && reserved(a, n)) || (q == '"' && closes_early(a, n, '"')))
        return cif_value_unusual(out, a, n);
    size_t k = 0;
    if (q) out[k++] = q;
    memcpy(out + k, a, n);
    k += n;
    if (q) out[k++] = q;
    out[k] = '\0';
    return 0;
}

/* The combined atom list (protein, then pseudo-atoms) seen row by row, so
 * the writer needs two passes (widths, then text) but no copy of the rows. */
typedef struct cif_atoms {
    const vox_structure *s;
    const vox_result *r;
    const size_t *order; /* groups in pseudo-atom order */
    int input_frame;
    size_t ngroups;
    char chains[5][8];
    char (*ents)[8]; /* entity chain ids, first appearance order */
    size_t nent;
    int *replaced;   /* set when a name had characters mmCIF cannot hold */
} cif_atoms;

static size_t entity_of(const cif_atoms *ca, const char *chain)
{
    for (size_t e = 0; e < ca->nent; e++)
        if (strcmp(ca->ents[e], chain) == 0)
            return e;
    return 0;
}

/* Calls fn(cookie, row index, values) for every row. */
static void cif_rows(const cif_atoms *ca, void (*fn)(void *, size_t, char (*)[40]), void *cookie)
{
    char v[NCOL][40];
    size_t k = 0;
    for (size_t i = 0; i < ca->s->atoms.n; i++, k++) {
        const vox_atom *a = &ca->s->atoms.a[i];
        char ins[2] = {a->ins_code, '\0'};
        cif_value(v[0], a->hetero ? "HETATM" : "ATOM");
        *ca->replaced |= cif_value(v[1], a->element);
        *ca->replaced |= cif_value(v[2], a->name);
        *ca->replaced |= cif_value(v[4], a->res_name);
        *ca->replaced |= cif_value(v[5], a->chain);
        fmt_long((long)entity_of(ca, a->chain) + 1, v[6]);
        fmt_long(a->res_id, v[7]);
        *ca->replaced |= cif_value(v[8], ins);
        strcpy(v[13], "0.00");
        float p[3];
        out_xyz(ca->r, ca->input_frame, a->xyz, p);
        for (int c = 0; c < 3; c++)
            fmt_fixed3(p[c], v[14 + c]);
        fmt_long((long)k + 1, v[18]);
        fn(cookie, k, v);
    }
    for (size_t q = 0; q < ca->ngroups; q++) {
        const vox_group *g = &ca->r->groups[ca->order[q]];
        for (size_t t = 0; t < g->n; t++, k++) {
            float vc[3], c[3];
            vox_voxel_centre(ca->r, g->voxels[t], vc);
            out_xyz(ca->r, ca->input_frame, vc, c);
            cif_value(v[0], "ATOM");
            cif_value(v[1], pseudo_elem[g->type]);
            cif_value(v[2], pseudo_elem[g->type]);
            cif_value(v[4], pseudo_res[g->type]);
            cif_value(v[5], ca->chains[g->type]);
            fmt_long((long)entity_of(ca, ca->chains[g->type]) + 1, v[6]);
            fmt_long(g->id, v[7]);
            cif_value(v[8], "");
            strcpy(v[13], g->surface && g->surface[t] ? "50.00" : "0.00");
            for (int a = 0; a < 3; a++)
                fmt_fixed3(c[a], v[14 + a]);
            fmt_long((long)k + 1, v[18]);
            fn(cookie, k, v);
        }
    }
}

/* the label/auth copies and the constant columns */
static void fill_copies(char (*v)[40])
{
    static const int from[4] = {7, 4, 5, 2}, to[4] = {9, 10, 11, 12};
    v[3][0] = '.';
    v[3][1] = '\0';
    for (int c = 0; c < 4; c++)
        memcpy(v[to[c]], v[from[c]], strlen(v[from[c]]) + 1);
    v[17][0] = '1';
    v[17][1] = '\0';
}

static void measure_row(void *cookie, size_t k, char (*v)[40])
{
    size_t *w = cookie;
    (void)k;
    fill_copies(v);
    for (int c = 0; c < NCOL; c++) {
        size_t l = strlen(v[c]);
        if (l > w[c]) w[c] = l;
    }
}

typedef struct emit_ctx {
    vox_buf *b;
    const size_t *w;
} emit_ctx;

static void emit_row(void *cookie, size_t k, char (*v)[40])
{
    emit_ctx *e = cookie;
    (void)k;
    fill_copies(v);
    char line[NCOL * 41 + 2];
    size_t n = 0;
    for (int c = 0; c < NCOL; c++) { /* left-aligned, padded to the column width + 1 */
        size_t l = strlen(v[c]);
        memcpy(line + n, v[c], l);
        memset(line + n + l, ' ', e->w[c] + 1 - l);
        n += e->w[c] + 1;
    }
    line[n++] = '\n';
    vox_buf_put(e->b, line, n);
}

static int add_entity(cif_atoms *ca, const char *chain)
{
    for (size_t e = 0; e < ca->nent; e++)
        if (strcmp(ca->ents[e], chain) == 0)
            return 0;
    strcpy(ca->ents[ca->nent++], chain);
    return 1;
}

vox_status vox_render_cif(const vox_structure *s, const vox_result *r, int include_hubs, int input_frame, vox_buf *b,
                          int *replaced)
{
    int any = 0;
    cif_atoms ca = {s, r, NULL, input_frame, 0, {{0}}, NULL, 0, &any};
    size_t *order = malloc((r->n + 1) * sizeof *order);
    ca.ents = malloc((s->atoms.n + 6) * sizeof *ca.ents);
    int *polymer = calloc(s->atoms.n + 6, sizeof *polymer);
    if (!order || !ca.ents || !polymer) {
        free(order); free(ca.ents); free(polymer);
        return VOX_E_NOMEM;
    }
    ca.order = order;
    ca.ngroups = vox_pseudo_order(r, include_hubs, order);
    if (ca.ngroups == (size_t)-1) {
        free(order); free(ca.ents); free(polymer);
        return VOX_E_NOMEM;
    }
    vox_pseudo_chains(s, ca.chains);
    /* entity ids: one per chain id in order of first appearance; "polymer"
     * when the entity has a residue that is not a pseudo-atom */
    for (size_t i = 0; i < s->atoms.n; i++) {
        add_entity(&ca, s->atoms.a[i].chain);
        polymer[entity_of(&ca, s->atoms.a[i].chain)] = 1;
    }
    for (size_t q = 0; q < ca.ngroups; q++)
        if (r->groups[order[q]].n)
            add_entity(&ca, ca.chains[r->groups[order[q]].type]);

    size_t w[NCOL] = {0};
    cif_rows(&ca, measure_row, w);
    vox_buf_puts(b, "data_structure\n#\nloop_\n");
    for (int c = 0; c < NCOL; c++)
        vox_buf_printf(b, "_atom_site.%s \n", cif_cols[c]);
    emit_ctx e = {b, w};
    cif_rows(&ca, emit_row, &e);
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
    for (size_t e2 = 0; e2 < ca.nent; e2++) {
        size_t l = (size_t)snprintf(num, sizeof num, "%zu", e2 + 1);
        if (l > ew[0]) ew[0] = l;
        l = polymer[e2] ? 7 : 11;
        if (l > ew[1]) ew[1] = l;
    }
    vox_buf_puts(b, "loop_\n_entity.id \n_entity.type \n");
    for (size_t e2 = 0; e2 < ca.nent; e2++) {
        snprintf(num, sizeof num, "%zu", e2 + 1);
        vox_buf_printf(b, "%-*s%-*s\n", (int)ew[0] + 1, num, (int)ew[1] + 1, polymer[e2] ? "polymer" : "non-polymer");
    }
    vox_buf_puts(b, "#\n");
    free(order); free(ca.ents); free(polymer);
    if (replaced)
        *replaced = any;
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}
