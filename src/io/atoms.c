/* atoms.c - atom arrays and the annotation rules shared by both parsers:
 * altloc "first", assembly chain renaming and unit-cell vectors (§2.4, §2.9) */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int vox_atoms_push(vox_atoms *v, const vox_atom *a)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        vox_atom *p = realloc(v->a, cap * sizeof *p);
        if (!p)
            return 0;
        v->a = p;
        v->cap = cap;
    }
    v->a[v->n++] = *a;
    return 1;
}

int vox_atoms_reserve(vox_atoms *v, size_t n)
{
    if (v->n + n <= v->cap)
        return 1;
    vox_atom *p = realloc(v->a, (v->n + n) * sizeof *p);
    if (!p)
        return 0;
    v->a = p;
    v->cap = v->n + n;
    vox_prefault_write(p + v->n, n * sizeof *p); /* reserved to be filled */
    return 1;
}

void vox_atoms_free(vox_atoms *v)
{
    free(v->a);
    memset(v, 0, sizeof *v);
}


/* A residue keeps its atoms without altloc plus those carrying the first
 * alphabetic altloc seen in it; numeric altlocs ("1", "2") are dropped. */
static int no_altloc(char c) { return c == 0 || c == '.' || c == '?' || c == ' '; }

char vox_altloc_first_letter(const char *alt, size_t n, size_t stride)
{
    for (size_t i = 0; i < n; i++, alt += stride)
        if (isalpha((unsigned char)*alt))
            return *alt;
    return 0;
}

int vox_altloc_kept(char c, char first) { return no_altloc(c) || (first && c == first); }

void vox_altloc_first(vox_atoms *v)
{
    /* most files have no altlocs: then every atom stays, and the residues
     * need not be walked */
    size_t any = 0;
    while (any < v->n && no_altloc(v->a[any].altloc)) any++;
    if (any == v->n)
        return;
    size_t out = 0, start = 0;
    while (start < v->n) {
        size_t stop = start + 1;
        while (stop < v->n && vox_same_residue(&v->a[start], &v->a[stop]))
            stop++;
        const char first = vox_altloc_first_letter(&v->a[start].altloc, stop - start, sizeof *v->a);
        for (size_t i = start; i < stop; i++)
            if (vox_altloc_kept(v->a[i].altloc, first))
                v->a[out++] = v->a[i];
        start = stop;
    }
    v->n = out;
}

static const char pool_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* The k-th id of the pool: 1-character ids, then 2, 3 and 4 characters
 * over the same 62 symbols in lexicographic order. */
static int pool_id(size_t k, char out[8])
{
    size_t width = 1, count = 62;
    while (k >= count) {
        k -= count;
        if (++width > 4)
            return 0;
        count *= 62;
    }
    for (size_t i = width; i-- > 0;) {
        out[i] = pool_alphabet[k % 62];
        k /= 62;
    }
    out[width] = '\0';
    return 1;
}

typedef struct block {
    size_t start, stop;
    int copy;
    int orig; /* index into the original-id list */
} block;

vox_status vox_dedup_chains(vox_atoms *v)
{
    if (v->n == 0)
        return VOX_OK;
    size_t nb = 0;
    block *b = malloc(v->n * sizeof *b);
    char (*orig)[8] = malloc(v->n * sizeof *orig);
    char (*seen)[8] = malloc(v->n * sizeof *seen);
    if (!b || !orig || !seen) {
        free(b); free(orig); free(seen);
        return VOX_E_NOMEM;
    }
    for (size_t i = 0; i < v->n;) {
        size_t j = i + 1;
        while (j < v->n && vox_same_name(v->a[j].chain, v->a[i].chain))
            j++;
        b[nb++] = (block){i, j, 0, 0};
        i = j;
    }
    /* a block whose id was already seen in the current copy opens a new copy */
    int copy = 0;
    size_t nseen = 0;
    for (size_t k = 0; k < nb; k++) {
        const char *id = v->a[b[k].start].chain;
        int dup = 0;
        for (size_t s = 0; s < nseen && !dup; s++)
            dup = strcmp(seen[s], id) == 0;
        if (dup) {
            copy++;
            nseen = 0;
        }
        strcpy(seen[nseen++], id);
        b[k].copy = copy;
    }
    int ncopies = copy + 1;
    if (ncopies == 1 && nb == 1) {
        /* one chain: a drop of more than 10 in residue number starts a copy */
        size_t nb2 = 0;
        size_t start = 0;
        for (size_t i = 0; i + 1 < v->n; i++) {
            if (v->a[i + 1].res_id - v->a[i].res_id < -10) {
                b[nb2] = (block){start, i + 1, (int)nb2, 0};
                nb2++;
                start = i + 1;
            }
        }
        b[nb2] = (block){start, v->n, (int)nb2, 0};
        nb = nb2 + 1;
        ncopies = (int)nb;
    }
    if (ncopies == 1) {
        free(b); free(orig); free(seen);
        return VOX_OK;
    }
    size_t norig = 0;
    for (size_t k = 0; k < nb; k++) {
        const char *id = v->a[b[k].start].chain;
        size_t o = 0;
        while (o < norig && strcmp(orig[o], id) != 0)
            o++;
        if (o == norig)
            strcpy(orig[norig++], id);
        b[k].orig = (int)o;
    }
    /* map[o][c] for c >= 1: ids are drawn for every (original, copy) pair,
     * originals reserved up front */
    char (*map)[8] = calloc(norig * (size_t)ncopies, sizeof *map);
    if (!map) {
        free(b); free(orig); free(seen);
        return VOX_E_NOMEM;
    }
    size_t k = 0;
    for (size_t o = 0; o < norig; o++) {
        strcpy(map[o * (size_t)ncopies], orig[o]);
        for (int c = 1; c < ncopies; c++) {
            char cand[8];
            for (;;) {
                if (!pool_id(k++, cand)) {
                    strcpy(cand, orig[o]); /* pool exhausted: keep the id */
                    break;
                }
                int used = 0;
                for (size_t q = 0; q < norig && !used; q++)
                    used = strcmp(orig[q], cand) == 0;
                if (!used)
                    break;
            }
            strcpy(map[o * (size_t)ncopies + (size_t)c], cand);
        }
    }
    for (size_t q = 0; q < nb; q++) {
        const char *id = map[(size_t)b[q].orig * (size_t)ncopies + (size_t)b[q].copy];
        for (size_t i = b[q].start; i < b[q].stop; i++)
            strcpy(v->a[i].chain, id);
    }
    free(map); free(b); free(orig); free(seen);
    return VOX_OK;
}

void vox_box_from_cell(float box[3][3], double a, double b, double c, double alpha, double beta,
                       double gamma)
{
    const double d2r = M_PI / 180.0;
    double ca = cos(alpha * d2r), cb = cos(beta * d2r), cg = cos(gamma * d2r), sg = sin(gamma * d2r);
    double cy = (ca - cb * cg) / sg;
    double cz = sqrt(1.0 - cb * cb - cy * cy);
    double v[3][3] = {{a, 0, 0}, {b * cg, b * sg, 0}, {c * cb, c * cy, c * cz}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            box[i][j] = (float)v[i][j];
}

vox_status vox_assembly_without_atoms(vox_ctx *ctx, const char *name, const char *records, const vox_atoms *model)
{
    /* the model's chains, each once, in order: a chain is a run of atoms, so a new run is compared
     * with the ten listed at most (the message names those), never with every atom before it */
    char listed[10][8], chains[160] = "";
    size_t nlisted = 0, len = 0;
    int more = 0;
    for (size_t i = 0; i < model->n; i++) {
        const char *c = model->a[i].chain;
        if (i > 0 && !strncmp(model->a[i - 1].chain, c, sizeof model->a[i].chain))
            continue;
        int seen = 0;
        for (size_t j = 0; j < nlisted && !seen; j++) seen = !strncmp(listed[j], c, sizeof listed[j]);
        if (seen)
            continue;
        if (nlisted == 10) {
            more = 1;
            continue;
        }
        memcpy(listed[nlisted], c, sizeof listed[nlisted]);
        int w = snprintf(chains + len, sizeof chains - len, "%s'%.8s'", nlisted ? ", " : "", c);
        len += w > 0 && (size_t)w < sizeof chains - len ? (size_t)w : 0;
        nlisted++;
    }
    return vox_fail(ctx, VOX_E_NO_ATOMS,
                    "%s: the biological assembly (%s) holds no atoms: the chains it names are not in model 1, "
                    "whose %zu atoms are in chain%s %s%s; the asymmetric unit is loaded with --assembly-policy "
                    "asymmetric (vox_load_params.assembly = VOX_ASSEMBLY_ASYMMETRIC)",
                    name, records, model->n, nlisted + (size_t)more == 1 ? "" : "s", chains, more ? " and others" : "");
}

vox_status vox_stack_model(vox_ctx *ctx, vox_atoms *v, size_t per_model, vox_atoms *more, size_t index,
                           size_t nmodels, const char *name, const char *why)
{
    vox_status st = VOX_OK;
    if (more->n != per_model)
        st = vox_fail(ctx, VOX_E_PARSE, "%s: %s, and its %zu models have different atom counts (model 1: %zu, model "
                      "%zu: %zu)", name, why, nmodels, per_model, index + 1, more->n);
    for (size_t a = 0; st == VOX_OK && a < more->n; a++) {
        vox_atom c = v->a[a];
        memcpy(c.xyz, more->a[a].xyz, sizeof c.xyz);
        if (!vox_atoms_push(v, &c))
            st = vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", name);
    }
    vox_atoms_free(more);
    return st;
}
