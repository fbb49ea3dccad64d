/* pdb.c - PDB text parser with biotite 0.37 semantics (ALGORITHM.md §2.2, §2.6)
 *
 * Fixed columns, lines padded to 80 characters, hybrid-36 residue numbers,
 * element inferred from the atom name when columns 77-78 are blank, and the
 * REMARK 350 biological assembly.  An assembly that biotite would reject
 * with InvalidFileError makes volumizer fall back to the whole file with
 * every model; that fallback (and its quirks) is reproduced here.
 */
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixed_cols.h"
#include "internal.h"

typedef struct line_view {
    const char *p;
    size_t len;
    size_t no; /* 1-based line number */
} line_view;

static char col(const line_view *l, size_t c) { return c < l->len ? l->p[c] : ' '; }

/* isspace() of the C locale, which is what trimming has always used. */
static inline int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Copies columns [a, b) trimmed into out (size cap).  Columns past the end of
 * the line are blanks, which trimming removes: only the line is read. */
static inline void field(const line_view *l, size_t a, size_t b, char *out, size_t cap)
{
    if (b - a > cap - 1) b = a + cap - 1; /* as many columns as fit, then trimmed */
    if (b > l->len) b = l->len;
    const char *p = l->p;
    while (a < b && is_space(p[a])) a++;
    while (b > a && is_space(p[b - 1])) b--;
    const size_t n = b > a ? b - a : 0;
    /* a few columns: a loop, not a call to memcpy per field */
    for (size_t i = 0; i < n; i++) out[i] = p[a + i];
    out[n] = '\0';
}

static int starts(const line_view *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l->len >= n && memcmp(l->p, prefix, n) == 0;
}

/* Python float(): the whole trimmed text must be a number. */
static int parse_float(const char *s, double *out) { return vox_parse_number(s, strlen(s), out); }

/* The two layouts PDB files use, coordinates "%8.3f", occupancy and
 * B-factor "%6.2f", a word at a time (fixed_cols.h). */
static int parse_8_3(const char *p, double *out) { return vox_fixed_cols(p, 8, 3, out); }
static int parse_6_2(const char *p, double *out) { return vox_fixed_cols(p, 6, 2, out); }

/* The same on columns [a, b) of a line, without copying; b - a = 8 or 6:
 * the layouts above are tried first. */
static int parse_cols(const line_view *l, size_t a, size_t b, double *out)
{
    if (b <= l->len && (b - a == 8 ? parse_8_3(l->p + a, out) : b - a == 6 && parse_6_2(l->p + a, out)))
        return 1;
    if (b <= l->len)
        return vox_parse_number(l->p + a, b - a, out);
    char buf[16];
    field(l, a, b, buf, sizeof buf);
    return parse_float(buf, out);
}

static int base36(const char *s, long *out)
{
    long v = 0;
    for (; *s; s++) {
        int d;
        if (isdigit((unsigned char)*s)) d = *s - '0';
        else if (isalpha((unsigned char)*s)) d = toupper((unsigned char)*s) - 'A' + 10;
        else return 0;
        v = v * 36 + d;
    }
    *out = v;
    return 1;
}

int vox_hybrid36(const char *text, int *out)
{
    /* the common case, a plain decimal number, without strtol */
    const char *d = text + (*text == '-' || *text == '+');
    if (*d && d - text + strlen(d) <= 9) {
        long v = 0;
        const char *q = d;
        while ((unsigned)(*q - '0') < 10) v = v * 10 + (*q++ - '0');
        if (!*q) {
            *out = (int)(*text == '-' ? -v : v);
            return 1;
        }
    }
    char *end;
    long v = strtol(text, &end, 10);
    if (*text && *end == '\0') {
        *out = (int)v;
        return 1;
    }
    size_t len = strlen(text);
    long b;
    if (!len || !base36(text, &b))
        return 0;
    long p36 = 1, p10 = 1;
    for (size_t i = 0; i + 1 < len; i++) p36 *= 36;
    for (size_t i = 0; i < len; i++) p10 *= 10;
    if (isupper((unsigned char)text[0])) *out = (int)(b - 10 * p36 + p10);
    else if (islower((unsigned char)text[0])) *out = (int)(b + 16 * p36 + p10);
    else return 0;
    return 1;
}

static const char *const elements[] = {
    "H", "HE", "LI", "BE", "B", "C", "N", "O", "F", "NE", "NA", "MG", "AL", "SI", "P", "S", "CL", "AR",
    "K", "CA", "SC", "TI", "V", "CR", "MN", "FE", "CO", "NI", "CU", "ZN", "GA", "GE", "AS", "SE", "BR",
    "KR", "RB", "SR", "Y", "ZR", "NB", "MO", "TC", "RU", "RH", "PD", "AG", "CD", "IN", "SN", "SB", "TE",
    "I", "XE", "CS", "BA", "LA", "CE", "PR", "ND", "PM", "SM", "EU", "GD", "TB", "DY", "HO", "ER", "TM",
    "YB", "LU", "HF", "TA", "W", "RE", "OS", "IR", "PT", "AU", "HG", "TL", "PB", "BI", "PO", "AT", "RN",
    "FR", "RA", "AC", "TH", "PA", "U", "NP", "PU", "AM", "CM", "BK", "CF", "ES", "FM", "MD", "NO", "LR",
    "RF", "DB", "SG", "BH", "HS", "MT", "DS", "RG", "CN", "NH", "FL", "MC", "LV", "TS", "OG"};

static int is_element(const char *s)
{
    for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++)
        if (strcmp(elements[i], s) == 0)
            return 1;
    return 0;
}

/* biotite's guess when the element columns are blank (also for atom arrays, structure.c). */
void vox_infer_element(const char *atom_name, char out[4])
{
    char n[8];
    size_t k = 0;
    for (const char *s = atom_name; *s && k + 1 < sizeof n; s++)
        if (!isdigit((unsigned char)*s))
            n[k++] = (char)toupper((unsigned char)*s);
    n[k] = '\0';
    out[0] = '\0';
    if (!k)
        return;
    if (strchr("CNOSH", n[0])) {
        out[0] = n[0];
        out[1] = '\0';
        return;
    }
    char two[3] = {n[0], k > 1 ? n[1] : '\0', '\0'};
    char one[2] = {n[0], '\0'};
    if (k > 1 && is_element(two)) strcpy(out, two);
    else if (is_element(one)) strcpy(out, one);
}

/* The usual line: coordinates, occupancy and B-factor all in their fixed
 * layouts (fixed_cols.h), tested together with one branch.  1 and the
 * coordinates, else 0 and parse_numbers decides.  Such values are below
 * 10^4, so within float range. */
static int fixed_numbers(const line_view *l, float xyz[3])
{
    if (l->len < 66)
        return 0;
    double x, y, z, o, b;
    const int ok = vox_fixed_cols(l->p + 30, 8, 3, &x) & vox_fixed_cols(l->p + 38, 8, 3, &y) &
                   vox_fixed_cols(l->p + 46, 8, 3, &z) & vox_fixed_cols(l->p + 54, 6, 2, &o) &
                   vox_fixed_cols(l->p + 60, 6, 2, &b);
    xyz[0] = (float)x;
    xyz[1] = (float)y;
    xyz[2] = (float)z;
    return ok;
}

/* The same numbers in any text Python's float() takes, field by field, and
 * the message for the first one that is not a number. */
static vox_status parse_numbers(vox_ctx *ctx, const vox_text *t, const line_view *l, float xyz[3])
{
    char buf[16];
    static const char *const axis[3] = {"x", "y", "z"};
    for (int c = 0; c < 3; c++) {
        double v;
        if (!parse_cols(l, 30 + 8 * (size_t)c, 38 + 8 * (size_t)c, &v)) {
            field(l, 30 + 8 * (size_t)c, 38 + 8 * (size_t)c, buf, sizeof buf);
            return vox_fail(ctx, VOX_E_PARSE,
                            "%s:%zu: %s coordinate '%s' (columns %d-%d) is not a number%s", t->name,
                            l->no, axis[c], buf, 31 + 8 * c, 38 + 8 * c,
                            l->len < (size_t)(38 + 8 * c) ? " (line too short)" : "");
        }
        if (!vox_coord_fits_f32(v)) {
            field(l, 30 + 8 * (size_t)c, 38 + 8 * (size_t)c, buf, sizeof buf);
            return vox_fail(ctx, VOX_E_PARSE, "%s:%zu: %s coordinate '%s' (columns %d-%d) is out of range: " VOX_COORD_RANGE,
                            t->name, l->no, axis[c], buf, 31 + 8 * c, 38 + 8 * c);
        }
        xyz[c] = (float)v;
    }
    /* biotite parses occupancy and B-factor even though volumizer never
     * uses them: a blank or bad field fails the whole file. */
    double dummy;
    if (!parse_cols(l, 54, 60, &dummy)) {
        field(l, 54, 60, buf, sizeof buf);
        return vox_fail(ctx, VOX_E_PARSE, "%s:%zu: occupancy '%s' (columns 55-60) is not a number",
                        t->name, l->no, buf);
    }
    if (!parse_cols(l, 60, 66, &dummy)) {
        field(l, 60, 66, buf, sizeof buf);
        return vox_fail(ctx, VOX_E_PARSE, "%s:%zu: B-factor '%s' (columns 61-66) is not a number",
                        t->name, l->no, buf);
    }
    return VOX_OK;
}

/* The residue number of columns 23-26 in any form hybrid36 takes, or the message. */
static vox_status residue_number(vox_ctx *ctx, const vox_text *t, const line_view *l, int *out)
{
    char buf[16];
    field(l, 22, 26, buf, sizeof buf);
    if (!vox_hybrid36(buf, out))
        return vox_fail(ctx, VOX_E_PARSE, "%s:%zu: residue number '%s' (columns 23-26) is not a number",
                        t->name, l->no, buf);
    return VOX_OK;
}

static vox_status parse_atom(vox_ctx *ctx, const vox_text *t, const line_view *l, vox_atom *a)
{
    vox_status st;
    memset(a, 0, sizeof *a);
    /* index_lines keeps only lines that start with "ATOM" or "HETATM" */
    a->hetero = l->p[0] == 'H';
    if (l->len >= 26) {
        /* the names trimmed a word at a time, stored over the zeros (the
         * terminator included); a residue number of plain digits read at once */
        size_t n;
        vox_cols_store(a->name, vox_cols_trim(l->p, 16, 4, &n), sizeof a->name);
        vox_cols_store(a->res_name, vox_cols_trim(l->p, 20, 3, &n), sizeof a->res_name);
        vox_cols_store(a->chain, vox_cols_trim(l->p, 22, 1, &n), sizeof a->chain);
        const uint64_t res = vox_cols_trim(l->p, 26, 4, &n);
        if (!vox_cols_digits4(res, n, &a->res_id) && (st = residue_number(ctx, t, l, &a->res_id)) != VOX_OK)
            return st;
    } else {
        field(l, 12, 16, a->name, sizeof a->name);
        field(l, 17, 20, a->res_name, sizeof a->res_name);
        field(l, 21, 22, a->chain, sizeof a->chain);
        if ((st = residue_number(ctx, t, l, &a->res_id)) != VOX_OK)
            return st;
    }
    a->altloc = col(l, 16) == ' ' ? 0 : col(l, 16);
    a->ins_code = col(l, 26) == ' ' ? 0 : col(l, 26);
    if (!fixed_numbers(l, a->xyz) && (st = parse_numbers(ctx, t, l, a->xyz)) != VOX_OK)
        return st;
    if (l->len >= 78) {
        size_t n;
        vox_cols_store(a->element, vox_cols_trim(l->p, 78, 2, &n), sizeof a->element);
    } else {
        field(l, 76, 78, a->element, sizeof a->element);
    }
    if (!a->element[0])
        vox_infer_element(a->name, a->element);
    return VOX_OK;
}

/* The lines a PDB file is read for, found in one scan: the ATOM/HETATM
 * lines, the REMARK 350 lines and the first CRYST1 line (views into the
 * text); the other lines are only counted. */
typedef struct pdb_doc {
    line_view *atoms; /* ATOM and HETATM lines, in file order */
    size_t natoms, atoms_cap;
    line_view *remark350;
    size_t nremark350, remark350_cap;
    line_view cryst1;
    int has_cryst1;
    size_t *model_first; /* per model: index into atoms of its first atom; nmodels + 1 entries */
    size_t nmodels, models_cap;
} pdb_doc;

static void doc_free(pdb_doc *d)
{
    free(d->atoms);
    free(d->remark350);
    free(d->model_first);
}

/* inline: once per atom line, where a call (which GCC chose for the three
 * callers) cost 26 instructions per atom; the room rarely runs out */
static inline int push_line(line_view **v, size_t *n, size_t *cap, line_view l)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        line_view *p = realloc(*v, c * sizeof *p);
        if (!p)
            return 0;
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = l;
    return 1;
}

static int push_model(pdb_doc *d, size_t first)
{
    if (d->nmodels + 1 >= d->models_cap) {
        size_t c = d->models_cap ? d->models_cap * 2 : 16;
        size_t *p = realloc(d->model_first, c * sizeof *p);
        if (!p)
            return 0;
        d->model_first = p;
        d->models_cap = c;
    }
    d->model_first[d->nmodels++] = first;
    return 1;
}

/* Model m holds the atom lines from its MODEL line up to the next MODEL
 * line; atoms before the first MODEL line belong to no model (biotite).
 * Without MODEL lines the whole file is model 1. */
static vox_status index_lines(vox_ctx *ctx, const vox_text *t, pdb_doc *d)
{
    const char *p = t->data, *end = t->data + t->len;
    size_t no = 0;
    /* room for as many atom lines as 80-column lines fit in the text: no
     * regrowth (and copy) of the index; untouched room costs no memory */
    d->atoms_cap = t->len / 81 + 16;
    d->atoms = malloc(d->atoms_cap * sizeof *d->atoms);
    int ok = d->atoms != NULL;
    if (ok)
        vox_prefault_write(d->atoms, d->atoms_cap * sizeof *d->atoms);
    while (ok && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t len = (size_t)(e - p);
        if (len && p[len - 1] == '\r')
            len--;
        const line_view l = {p, len, ++no};
        switch (len >= 4 ? p[0] : 0) {
        case 'A': if (starts(&l, "ATOM")) ok = push_line(&d->atoms, &d->natoms, &d->atoms_cap, l); break;
        case 'H': if (starts(&l, "HETATM")) ok = push_line(&d->atoms, &d->natoms, &d->atoms_cap, l); break;
        case 'M': if (starts(&l, "MODEL")) ok = push_model(d, d->natoms); break;
        case 'R':
            if (starts(&l, "REMARK 350")) ok = push_line(&d->remark350, &d->nremark350, &d->remark350_cap, l);
            break;
        case 'C':
            if (!d->has_cryst1 && starts(&l, "CRYST1")) {
                d->cryst1 = l;
                d->has_cryst1 = 1;
            }
            break;
        default: break;
        }
        p = nl ? nl + 1 : end;
    }
    if (ok && d->nmodels == 0) /* no MODEL line: one model of every atom */
        ok = push_model(d, 0);
    if (ok && push_model(d, d->natoms)) /* the end of the last model, not a model */
        d->nmodels--;
    else
        ok = 0;
    return ok ? VOX_OK : vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
}

static vox_status load_model(vox_ctx *ctx, const vox_text *t, const pdb_doc *d, size_t m, vox_atoms *out)
{
    if (!vox_atoms_reserve(out, d->model_first[m + 1] - d->model_first[m]))
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
    for (size_t k = d->model_first[m]; k < d->model_first[m + 1]; k++) { /* parsed in place */
        vox_status st = parse_atom(ctx, t, &d->atoms[k], &out->a[out->n]);
        if (st != VOX_OK)
            return st;
        out->n++;
    }
    vox_altloc_first(out);
    return VOX_OK;
}

/* Outcome of the REMARK 350 step: built, or rejected the way biotite
 * rejects it (InvalidFileError: volumizer falls back to the raw file). */
enum { ASM_OK = 0, ASM_FALLBACK = 1 };

static int str_in(const char *s, char ids[][8], size_t n)
{
    for (size_t i = 0; i < n; i++) /* one masked word compare each, as strcmp decides it */
        if (vox_same_name(ids[i], s))
            return 1;
    return 0;
}

static vox_status pdb_assembly(vox_ctx *ctx, const vox_text *t, const pdb_doc *d, const vox_atoms *base,
                               vox_atoms *out, int *outcome, char *why, size_t whycap)
{
    *outcome = ASM_FALLBACK;
    /* REMARK 350 text from column 11 on, the first such line dropped */
    size_t n = 0;
    line_view *rl = malloc((d->nremark350 + 1) * sizeof *rl);
    /* the atoms of the chain set at hand, by index: its chains are tested
     * once, not once per transformation */
    size_t *sel = malloc((base->n + 1) * sizeof *sel), nsel = 0;
    if (!rl || !sel) {
        free(rl);
        free(sel);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
    }
    int first = d->nremark350 == 0;
    for (size_t i = 1; i < d->nremark350; i++) {
        const line_view *l = &d->remark350[i];
        rl[n++] = (line_view){l->len > 11 ? l->p + 11 : l->p + l->len, l->len > 11 ? l->len - 11 : 0, l->no};
    }
    vox_status st = VOX_OK;
    if (first) {
        snprintf(why, whycap, "no REMARK 350");
        goto done;
    }
    size_t bstart = n, bstop = n;
    for (size_t i = 0; i < n; i++) {
        if (!starts(&rl[i], "BIOMOLECULE"))
            continue;
        if (bstart == n) bstart = i;
        else { bstop = i; break; }
    }
    if (bstart == n) {
        snprintf(why, whycap, "no BIOMOLECULE in REMARK 350");
        goto done;
    }
    /* chain sets: from each APPLY line to the next one (or the block end) */
    size_t set = bstart + 1;
    while (set < bstop && !starts(&rl[set], "APPLY THE FOLLOWING TO CHAINS")) set++;
    vox_atoms result = {0};
    while (set < bstop) {
        size_t next = set + 1;
        while (next < bstop && !starts(&rl[next], "APPLY THE FOLLOWING TO CHAINS")) next++;
        char ids[256][8];
        memset(ids, 0, sizeof ids); /* vox_same_name reads all 8 bytes of each */
        size_t nids = 0, j = set;
        for (; j < next; j++) {
            if (!starts(&rl[j], "APPLY THE FOLLOWING TO CHAINS:") &&
                !starts(&rl[j], "                   AND CHAINS:"))
                break;
            size_t c = 30;
            while (c <= rl[j].len) {
                size_t e = c;
                while (e < rl[j].len && rl[j].p[e] != ',') e++;
                line_view piece = {rl[j].p + (c < rl[j].len ? c : rl[j].len), c < rl[j].len ? e - c : 0, 0};
                if (nids < 256) field(&piece, 0, piece.len, ids[nids++], 8);
                c = e + 1;
            }
        }
        if (j == next) {
            snprintf(why, whycap, "no BIOMT records for the chosen assembly");
            vox_atoms_free(&result);
            goto done;
        }
        size_t ntl = next - j;
        if (ntl % 3 != 0) {
            snprintf(why, whycap, "invalid number of transformation vectors (line %zu)", rl[j].no);
            vox_atoms_free(&result);
            goto done;
        }
        for (size_t tr = 0; tr < ntl / 3; tr++) {
            double R[3][3], T[3];
            for (int r = 0; r < 3; r++) {
                const line_view *l = &rl[j + tr * 3 + (size_t)r];
                char tmp[128];
                size_t ln = l->len < sizeof tmp - 1 ? l->len : sizeof tmp - 1;
                memcpy(tmp, l->p, ln);
                tmp[ln] = '\0';
                char *tok = strtok(tmp, " \t");
                int k = 0, count = 0;
                double vals[4];
                while (tok) {
                    if (k >= 2) {
                        double v;
                        if (!parse_float(tok, &v)) {
                            vox_atoms_free(&result);
                            st = vox_fail(ctx, VOX_E_PARSE, "%s:%zu: BIOMT value '%s' is not a number",
                                          t->name, l->no, tok);
                            goto done;
                        }
                        if (count < 4) vals[count] = v;
                        count++;
                    }
                    k++;
                    tok = strtok(NULL, " \t");
                }
                if (count != 4) {
                    snprintf(why, whycap, "invalid number of transformation vector elements (line %zu)", l->no);
                    vox_atoms_free(&result);
                    goto done;
                }
                R[r][0] = vals[0]; R[r][1] = vals[1]; R[r][2] = vals[2]; T[r] = vals[3];
            }
            /* the set's atoms, found on its first transformation */
            if (tr == 0) {
                nsel = 0;
                for (size_t a = 0; a < base->n; a++)
                    if (str_in(base->a[a].chain, ids, nids))
                        sel[nsel++] = a;
                /* BIOMT lines can ask for more copies than memory holds: refused
                 * before the first one is made, not when memory runs out */
                const size_t copies = ntl / 3;
                if (nsel && (copies > (t->max_atoms - result.n) / nsel || result.n > t->max_atoms)) {
                    const int uncountable = copies > (SIZE_MAX - result.n) / nsel; /* a size_t cannot say how many */
                    st = vox_fail(ctx, VOX_E_ASSEMBLY,
                                  "%s:%zu: the biological assembly would hold %s%zu atoms (%zu atoms x %zu BIOMT "
                                  "transformations%s), more than the %zu atoms the input limit allows (one %d-byte line "
                                  "each): raise --max-input-bytes (vox_load_params.max_input_bytes) or load the "
                                  "asymmetric unit (--assembly-policy asymmetric)",
                                  t->name, rl[set].no, uncountable ? "more than " : "",
                                  uncountable ? t->max_atoms : result.n + nsel * copies, nsel,
                                  copies, result.n ? ", after the earlier chain sets' atoms" : "", t->max_atoms,
                                  VOX_BYTES_PER_ATOM_LINE);
                    vox_atoms_free(&result); /* after the message, which counts its atoms */
                    goto done;
                }
            }
            /* room for this transformation's copies, growing at least twofold as pushing one by one did */
            if (!vox_atoms_reserve(&result, nsel > result.n ? nsel : result.n)) {
                vox_atoms_free(&result);
                st = vox_fail(ctx, VOX_E_NOMEM, "out of memory building the assembly of %s", t->name);
                goto done;
            }
            for (size_t i = 0; i < nsel; i++) {
                vox_atom c = base->a[sel[i]];
                double x = c.xyz[0], y = c.xyz[1], z = c.xyz[2];
                for (int r = 0; r < 3; r++)
                    c.xyz[r] = (float)(R[r][0] * x + R[r][1] * y + R[r][2] * z + T[r]);
                result.a[result.n++] = c;
            }
        }
        set = next;
    }
    *out = result;
    *outcome = ASM_OK;
done:
    free(rl);
    free(sel);
    return st;
}

vox_status vox_parse_pdb(vox_ctx *ctx, const vox_text *t, vox_assembly_policy policy, vox_structure *s)
{
    pdb_doc d = {0};
    vox_atoms base = {0};
    vox_status st = index_lines(ctx, t, &d);
    if (st != VOX_OK)
        goto out;
    if (d.natoms == 0) {
        st = vox_fail(ctx, VOX_E_PARSE, "%s: no ATOM or HETATM records", t->name);
        goto out;
    }
    if (d.has_cryst1) {
        char b[16];
        double v[6];
        static const size_t cols[7] = {6, 15, 24, 33, 40, 47, 54};
        int ok = 1;
        for (int c = 0; c < 6 && ok; c++) {
            field(&d.cryst1, cols[c], cols[c + 1], b, sizeof b);
            ok = parse_float(b, &v[c]);
        }
        if (ok) {
            vox_box_from_cell(s->box, v[0], v[1], v[2], v[3], v[4], v[5]);
            s->has_box = 1;
        }
    }
    st = load_model(ctx, t, &d, 0, &base);
    if (st != VOX_OK)
        goto out;
    if (policy == VOX_ASSEMBLY_ASYMMETRIC) {
        s->atoms = base;
        base = (vox_atoms){0};
        goto out;
    }
    int outcome;
    char why[128] = "";
    vox_atoms assembled = {0};
    st = pdb_assembly(ctx, t, &d, &base, &assembled, &outcome, why, sizeof why);
    if (st != VOX_OK)
        goto out;
    if (outcome == ASM_OK && assembled.n == 0 && base.n > 0) {
        st = vox_assembly_without_atoms(ctx, t->name, "REMARK 350", &base);
        goto out;
    }
    if (outcome == ASM_OK) {
        s->atoms = assembled;
        st = vox_dedup_chains(&s->atoms);
        if (st != VOX_OK)
            st = vox_fail(ctx, st, "out of memory renaming chains of %s", t->name);
        goto out;
    }
    /* biotite's generic loader: every model, which must all have the same
     * number of atoms; no assembly, no chain renaming. */
    size_t per_model = base.n;
    for (size_t m = 1; m < d.nmodels; m++) {
        vox_atoms more = {0};
        st = load_model(ctx, t, &d, m, &more);
        if (st != VOX_OK) {
            vox_atoms_free(&more);
            goto out;
        }
        char no_assembly[160];
        snprintf(no_assembly, sizeof no_assembly, "no usable assembly (%s)", why);
        st = vox_stack_model(ctx, &base, per_model, &more, m, d.nmodels, t->name, no_assembly);
        if (st != VOX_OK)
            goto out;
    }
    s->atoms = base;
    base = (vox_atoms){0};
out:
    vox_atoms_free(&base);
    doc_free(&d);
    return st;
}
