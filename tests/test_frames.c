/* test_frames.c - structures from memory and frames: arrays give what files give,
 * new coordinates give what a fresh load of those coordinates gives, the
 * recorded transform maps aligned atoms back onto the input, bad arrays are
 * refused with the atom and field named, and memory stays flat over frames;
 * a reference frame (vox_reference) carries a moved copy of the reference
 * back onto the reference's aligned coordinates, and vox_result_lattice puts
 * later analyses on the reference's lattice; the models of a PDB or mmCIF
 * ensemble read as frames must list the first model's atoms in its order,
 * and its first model the topology's (vox_frames_check_atoms).
 *   test_frames SYNTHETIC_DIR [STRUCTURES_DIR]  (the second is ../shared/data/structures; skipped when absent) */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "vox/vox.h"

/* A structure's atoms as owned arrays (the input of vox_structure_from_arrays). */
typedef struct arrays {
    vox_atom_arrays a;
    float *xyz;
    char (*names)[4][8]; /* element, atom name, residue name, chain */
    const char **ptr[4];
    int32_t *res_id;
    char *ins;
    uint8_t *het;
    float box[9];
} arrays;

static int arrays_of(const vox_structure *s, arrays *o)
{
    size_t n = vox_structure_atom_count(s);
    memset(o, 0, sizeof *o);
    o->xyz = malloc(3 * n * sizeof *o->xyz);
    o->names = malloc(n * sizeof *o->names);
    for (int f = 0; f < 4; f++) o->ptr[f] = malloc(n * sizeof(char *));
    o->res_id = malloc(n * sizeof *o->res_id);
    o->ins = malloc(n);
    o->het = malloc(n);
    for (size_t i = 0; i < n; i++) {
        vox_atom_info ai;
        memset(&ai, 0, sizeof ai);
        ai.size = sizeof ai;
        if (vox_structure_atom(s, i, &ai) != VOX_OK) return 0;
        memcpy(o->xyz + 3 * i, ai.xyz, sizeof ai.xyz);
        memcpy(o->names[i][0], ai.element, sizeof ai.element);
        memcpy(o->names[i][1], ai.atom_name, 8);
        memcpy(o->names[i][2], ai.res_name, 8);
        memcpy(o->names[i][3], ai.chain, 8);
        for (int f = 0; f < 4; f++) o->ptr[f][i] = o->names[i][f];
        o->res_id[i] = ai.res_id;
        o->ins[i] = ai.ins_code;
        o->het[i] = ai.hetero;
    }
    vox_atom_arrays_init(&o->a);
    o->a.count = n;
    o->a.xyz = o->xyz;
    o->a.element = o->ptr[0];
    o->a.atom_name = o->ptr[1];
    o->a.res_name = o->ptr[2];
    o->a.chain = o->ptr[3];
    o->a.res_id = o->res_id;
    o->a.ins_code = o->ins;
    o->a.hetero = o->het;
    if (vox_structure_box(s, o->box)) o->a.box = o->box;
    return 1;
}

static void arrays_free(arrays *o)
{
    free(o->xyz);
    free(o->names);
    for (int f = 0; f < 4; f++) free(o->ptr[f]);
    free(o->res_id);
    free(o->ins);
    free(o->het);
}

/* Prepares s, analyses it and renders every document into one string (NULL on error). */
static char *documents(vox_ctx *ctx, vox_structure *s, int prepare, double res)
{
    if (prepare && vox_prepare(ctx, s, NULL) != VOX_OK) return strdup(vox_ctx_last_error_detail(ctx));
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = res;
    vox_result *r = NULL;
    if (vox_analyze(ctx, s, &ap, &r) != VOX_OK) return strdup(vox_ctx_last_error_detail(ctx));
    vox_payload_info pi;
    vox_payload_info_init(&pi);
    pi.source = "x";
    vox_render_params rp = {.size = sizeof rp, .payload = &pi, .include_hubs = 1, .output_frame = VOX_FRAME_ALIGNED};
    size_t total = 0;
    char *all = NULL;
    for (int d = VOX_DOC_DF_JSON; d <= VOX_DOC_CIF; d++) {
        char *doc = NULL;
        size_t len = 0;
        if (vox_render(ctx, (vox_document)d, s, r, &rp, &doc, &len) != VOX_OK) {
            free(all);
            vox_result_free(&r);
            return NULL;
        }
        all = realloc(all, total + len + 1);
        memcpy(all + total, doc, len);
        total += len;
        all[total] = '\0';
        vox_free(doc);
    }
    vox_result_free(&r);
    return all;
}

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* From a file, and from its atoms as arrays: the same documents. */
static void check_arrays_equal_file(vox_ctx *ctx, const char *path, double res)
{
    vox_structure *f = NULL, *m = NULL;
    if (vox_load_file(ctx, path, NULL, &f) != VOX_OK) {
        printf("  (%s does not load: %s)\n", path, vox_ctx_last_error_detail(ctx));
        return;
    }
    arrays ar;
    CHECK(arrays_of(f, &ar), "%s: atom accessor", path);
    CHECK(vox_structure_from_arrays(ctx, &ar.a, &m) == VOX_OK, "%s: %s", path, vox_ctx_last_error_detail(ctx));
    char *df = documents(ctx, f, 1, res), *dm = m ? documents(ctx, m, 1, res) : NULL;
    CHECK(df && same(df, dm), "%s at %g A: arrays and file give different documents", path, res);
    free(df);
    free(dm);
    arrays_free(&ar);
    vox_structure_free(&f);
    vox_structure_free(&m);
}

/* vox_atom_arrays.input_number: the caller's numbers for its atoms (an
 * AtomGroup's positions, with the alternate locations it left out counted)
 * are what vox_atom_info and the volumes JSON report as input_index, in a
 * copy too; vox_structure_kept_atoms still counts the atoms given. */
static void check_input_numbers(vox_ctx *ctx, const char *path)
{
    vox_structure *f = NULL, *m = NULL, *c = NULL;
    if (vox_load_file(ctx, path, NULL, &f) != VOX_OK)
        return;
    arrays ar;
    arrays_of(f, &ar);
    const size_t n = vox_structure_atom_count(f);
    size_t *numbers = malloc(n * sizeof *numbers);
    for (size_t i = 0; i < n; i++) numbers[i] = 3 * i + 7;
    ar.a.input_number = numbers;
    CHECK(vox_structure_from_arrays(ctx, &ar.a, &m) == VOX_OK && vox_prepare(ctx, m, NULL) == VOX_OK, "%s: %s", path,
          vox_ctx_last_error_detail(ctx));
    free(numbers); /* copied: the structure keeps its own */
    vox_result *r = NULL;
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = 2.0;
    ap.descriptors = 1;
    CHECK(m && vox_analyze(ctx, m, &ap, &r) == VOX_OK, "%s: analyse: %s", path, vox_ctx_last_error_detail(ctx));
    CHECK(m && vox_structure_copy(ctx, m, &c) == VOX_OK, "copy");
    const size_t kept = vox_structure_atom_count(m);
    size_t *idx = malloc((kept ? kept : 1) * sizeof *idx);
    vox_structure_kept_atoms(m, idx);
    int info_ok = 1, copy_ok = 1;
    for (size_t i = 0; m && c && i < kept; i++) {
        vox_atom_info a = {.size = sizeof a}, b = {.size = sizeof b};
        vox_structure_atom(m, i, &a);
        vox_structure_atom(c, i, &b);
        info_ok &= a.input_index == 3 * idx[i] + 7 && idx[i] < n;
        copy_ok &= b.input_index == a.input_index;
    }
    CHECK(info_ok, "%s: vox_atom_info.input_index is the caller's number, kept_atoms the array index", path);
    CHECK(copy_ok, "%s: a copy keeps the numbers", path);
    char *doc = NULL;
    size_t len = 0;
    vox_render_params rp;
    vox_render_params_init(&rp);
    CHECK(r && vox_render(ctx, VOX_DOC_VOLUMES_JSON, m, r, &rp, &doc, &len) == VOX_OK, "volumes JSON");
    /* the first atom row: [index, input_index, ... */
    const char *row = doc ? strstr(doc, "\"atoms\": [") : NULL;
    size_t at = 0, number = 0;
    CHECK(row && sscanf(row, "\"atoms\": [ [%zu, %zu", &at, &number) == 2 && at < kept && number == 3 * idx[at] + 7,
          "%s: the volumes JSON reports the caller's number: %.80s", path, row ? row : "(no atoms)");
    vox_free(doc);
    free(idx);
    vox_result_free(&r);
    vox_structure_free(&c);
    vox_structure_free(&m);
    vox_structure_free(&f);
    arrays_free(&ar);
}

/* A second frame given to a prepared structure gives what a fresh structure
 * with those coordinates gives; going back gives the first frame's answer;
 * the transform maps the aligned atoms back onto the input. */
static void check_frames(vox_ctx *ctx, const char *path)
{
    vox_structure *s = NULL;
    CHECK(vox_load_file(ctx, path, NULL, &s) == VOX_OK, "%s", path);
    if (!s) return;
    arrays ar;
    arrays_of(s, &ar);
    size_t n = vox_structure_input_atom_count(s);
    CHECK(n == vox_structure_atom_count(s), "input count before prepare");
    float *c0 = malloc(3 * n * sizeof *c0), *c1 = malloc(3 * n * sizeof *c1);
    memcpy(c0, ar.xyz, 3 * n * sizeof *c0);
    for (size_t i = 0; i < 3 * n; i++) /* a breathing, shifted frame */
        c1[i] = c0[i] * 1.03f + (float)((i * 7919) % 13) * 0.05f + 4.0f;
    char *d0 = documents(ctx, s, 1, 2.0);

    /* transform: aligned atoms back in the input frame */
    vox_transform t;
    memset(&t, 0, sizeof t);
    t.size = sizeof t;
    CHECK(vox_structure_transform(s, &t) == VOX_OK, "transform");
    size_t k = vox_structure_kept_atoms(s, NULL);
    size_t *kept = malloc(k * sizeof *kept);
    vox_structure_kept_atoms(s, kept);
    float *al = malloc(3 * k * sizeof *al);
    vox_structure_coords(s, al);
    vox_transform_to_input(&t, al, k);
    double worst = 0;
    for (size_t i = 0; i < k; i++)
        for (int c = 0; c < 3; c++) {
            double d = fabs((double)al[3 * i + c] - c0[3 * kept[i] + c]);
            if (d > worst) worst = d;
        }
    CHECK(worst < 1e-3, "%s: aligned atoms mapped back differ from the input by %g A", path, worst);
    double det = t.rotation[0][0] * (t.rotation[1][1] * t.rotation[2][2] - t.rotation[1][2] * t.rotation[2][1]) -
                 t.rotation[0][1] * (t.rotation[1][0] * t.rotation[2][2] - t.rotation[1][2] * t.rotation[2][0]) +
                 t.rotation[0][2] * (t.rotation[1][0] * t.rotation[2][1] - t.rotation[1][1] * t.rotation[2][0]);
    CHECK(fabs(det - 1.0) < 1e-9, "rotation determinant %g", det);

    CHECK(vox_structure_set_coords(ctx, s, c1, n) == VOX_OK, "set_coords: %s", vox_ctx_last_error_detail(ctx));
    char *d1 = documents(ctx, s, 0, 2.0);
    vox_structure *fresh = NULL;
    ar.a.xyz = c1;
    CHECK(vox_structure_from_arrays(ctx, &ar.a, &fresh) == VOX_OK, "fresh");
    char *d1f = fresh ? documents(ctx, fresh, 1, 2.0) : NULL;
    CHECK(same(d1, d1f), "%s: a new frame differs from a fresh structure with its coordinates", path);
    CHECK(!same(d0, d1), "%s: the breathing frame should change the documents", path);
    CHECK(vox_structure_set_coords(ctx, s, c0, n) == VOX_OK, "set_coords back");
    char *d0b = documents(ctx, s, 0, 2.0);
    CHECK(same(d0, d0b), "%s: back to the first frame, a different answer", path);

    /* bad frames */
    CHECK(vox_structure_set_coords(ctx, s, c0, n - 1) == VOX_E_INVALID_ARG, "short frame");
    char want[128];
    snprintf(want, sizeof want, "the frame has %zu atoms, the structure's topology has %zu", n - 1, n);
    CHECK(strstr(vox_ctx_last_error_detail(ctx), want) != NULL, "detail: %s", vox_ctx_last_error_detail(ctx));
    c1[3 * 2 + 1] = NAN;
    CHECK(vox_structure_set_coords(ctx, s, c1, n) == VOX_E_INVALID_ARG, "NaN frame");
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "atom 2 (0-based): y coordinate") != NULL, "detail: %s",
          vox_ctx_last_error_detail(ctx));
    free(d0); free(d1); free(d1f); free(d0b); free(c0); free(c1); free(kept); free(al);
    arrays_free(&ar);
    vox_structure_free(&fresh);
    vox_structure_free(&s);
}

static void check_bad_arrays(vox_ctx *ctx)
{
    float xyz[6] = {0, 0, 0, 1, 1, 1};
    const char *el[2] = {"C", "N"}, *nm[2] = {"CA", "N"}, *rn[2] = {"ALA", "ALA"}, *longname[2] = {"CA", "NAMEISLONG"};
    int32_t rid[2] = {1, 1};
    vox_atom_arrays a;
    vox_atom_arrays_init(&a);
    a.count = 2; a.xyz = xyz; a.element = el; a.atom_name = nm; a.res_name = rn; a.res_id = rid;
    vox_structure *s = NULL;
    CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_OK, "minimal arrays");
    CHECK(vox_structure_input_atom_count(s) == 2, "count");
    vox_structure_free(&s);
    a.res_name = NULL;
    CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_E_INVALID_ARG && !s, "missing res_name");
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "res_name") != NULL, "%s", vox_ctx_last_error_detail(ctx));
    a.res_name = rn;
    a.atom_name = longname;
    CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_E_INVALID_ARG, "long name");
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "atom 1: atom_name 'NAMEISLONG'") != NULL, "%s",
          vox_ctx_last_error_detail(ctx));
    a.atom_name = nm;
    xyz[4] = INFINITY;
    CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_E_INVALID_ARG, "infinite coordinate");
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "atom 1 (0-based): y coordinate") != NULL, "%s", vox_ctx_last_error_detail(ctx));
    xyz[4] = 0.0f;
    /* a unit cell the annotated mmCIF cannot write (nan, inf), or no cell at all (zeros, a vector of no
     * length, vectors in one plane): refused naming it, as the Python package refuses it; before, the
     * cell was kept and written as "_cell.length_a nan" */
    static const struct { float box[9]; const char *says; } cells[] = {
        {{NAN, 0, 0, 0, 50, 0, 0, 0, 50}, "box[0][0]"},
        {{50, 0, 0, 0, INFINITY, 0, 0, 0, 50}, "box[1][1]"},
        {{3e38f, 3e38f, 0, 0, 50, 0, 0, 0, 50}, "row 0"},
        {{0, 0, 0, 0, 0, 0, 0, 0, 0}, "all zeros"},
        {{50, 0, 0, 0, 0, 0, 0, 0, 50}, "row 1 is a zero-length"},
        {{50, 0, 0, 0, 50, 0, 0, 0, 1e-4f}, "row 2 is a cell vector"},
        {{50, 0, 0, 100, 0, 0, 0, 0, 50}, "one plane"},
    };
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
        a.box = cells[i].box;
        CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_E_INVALID_ARG && !s &&
                  strstr(vox_ctx_last_error_detail(ctx), cells[i].says),
              "cell %zu refused, naming %s: %s", i, cells[i].says, vox_ctx_last_error_detail(ctx));
        vox_structure_free(&s);
    }
    static const float cell[9] = {50, 0, 0, 0, 60, 0, 10, 0, 70};
    float back[9];
    a.box = cell;
    CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_OK && vox_structure_box(s, back) == 1 &&
              !memcmp(back, cell, sizeof back),
          "a cell kept as given: %s", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&s);
    a.box = NULL;
    a.count = 0;
    CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_E_NO_ATOMS, "no atoms");
    CHECK(vox_structure_from_arrays(ctx, NULL, &s) == VOX_E_INVALID_ARG, "NULL arrays");
}

/* MD residue names count as amino acids only when asked: PDB entries keep biotite's list. */
static void check_md_names(vox_ctx *ctx)
{
    float xyz[12] = {0, 0, 0, 1.5f, 0, 0, 0, 1.5f, 0, 0, 0, 1.5f};
    const char *el[4] = {"C", "S", "C", "H"}, *nm[4] = {"CA", "SG", "CA", "HA"};
    const char *rn[4] = {"CYX", "CYX", "HIE", "HSD"};
    int32_t rid[4] = {1, 1, 2, 3};
    vox_atom_arrays a;
    vox_atom_arrays_init(&a);
    a.count = 4; a.xyz = xyz; a.element = el; a.atom_name = nm; a.res_name = rn; a.res_id = rid;
    vox_structure *s = NULL;
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.align = 0;
    vox_structure_from_arrays(ctx, &a, &s);
    CHECK(vox_prepare(ctx, s, &pp) == VOX_E_NO_ATOMS, "CYX/HIE are not in biotite's list");
    vox_structure_free(&s);
    vox_structure_from_arrays(ctx, &a, &s);
    pp.md_residue_names = 1;
    CHECK(vox_prepare(ctx, s, &pp) == VOX_OK && vox_structure_atom_count(s) == 3,
          "MD names kept, hydrogen removed: %zu atoms", vox_structure_atom_count(s));
    size_t kept[3] = {0};
    vox_structure_kept_atoms(s, kept);
    CHECK(kept[0] == 0 && kept[1] == 1 && kept[2] == 2, "kept input indices");
    vox_structure_free(&s);
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* After the first frames, more frames of the same size grow no memory. */
static void check_flat_memory(vox_ctx *ctx, const char *path)
{
    vox_structure *s = NULL;
    if (vox_load_file(ctx, path, NULL, &s) != VOX_OK) return;
    size_t n = vox_structure_input_atom_count(s);
    float *c0 = malloc(3 * n * sizeof *c0), *c = malloc(3 * n * sizeof *c);
    vox_structure_coords(s, c0);
    vox_prepare(ctx, s, NULL);
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    long at100 = 0;
    int bad = 0;
    for (int f = 1; f <= 10000; f++) {
        for (size_t i = 0; i < 3 * n; i++)
            c[i] = c0[i] * (1.0f + 0.02f * (float)sin(f * 0.01 + (double)(i % 5)));
        vox_result *r = NULL;
        if (vox_structure_set_coords(ctx, s, c, n) != VOX_OK || vox_analyze(ctx, s, &ap, &r) != VOX_OK) bad++;
        vox_result_free(&r);
        if (f == 100) at100 = peak_rss_kib();
    }
    long at10000 = peak_rss_kib();
    CHECK(bad == 0, "%d frames failed", bad);
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer keeps freed blocks in a quarantine (256 MB by default), so RSS grows by design */
    printf("SKIP: peak RSS check under AddressSanitizer (%ld KiB after 100 frames, %ld after 10000)\n", at100, at10000);
#else
    CHECK(at10000 <= at100 + at100 / 20, "peak RSS %ld KiB after 10000 frames, %ld after 100", at10000, at100);
    printf("  peak RSS after 100 frames %ld KiB, after 10000 %ld KiB\n", at100, at10000);
#endif
    free(c0); free(c);
    vox_structure_free(&s);
}

/* A rigidly moved copy of the reference comes back where the reference's own
 * aligned atoms are; the reference itself gets vox_prepare's coordinates bit
 * for bit; misuse is refused with a detail. */
static void check_reference(vox_ctx *ctx, const char *path)
{
    vox_structure *s = NULL, *aligned = NULL;
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.align = 0;
    CHECK(vox_load_file(ctx, path, NULL, &s) == VOX_OK && vox_prepare(ctx, s, &pp) == VOX_OK, "%s", path);
    CHECK(vox_load_file(ctx, path, NULL, &aligned) == VOX_OK && vox_prepare(ctx, aligned, NULL) == VOX_OK, "%s", path);
    if (!s || !aligned) return;
    size_t n = vox_structure_input_atom_count(s), k = vox_structure_atom_count(s);
    size_t *kept = malloc(k * sizeof *kept);
    vox_structure_kept_atoms(s, kept);
    float *x0 = calloc(3 * n, sizeof *x0), *x1 = malloc(3 * n * sizeof *x1), *out = malloc(3 * n * sizeof *out);
    float *want = malloc(3 * k * sizeof *want);
    /* the input coordinates: an unprepared copy's atoms */
    vox_structure *raw = NULL;
    vox_load_file(ctx, path, NULL, &raw);
    vox_structure_coords(raw, x0);
    vox_structure_coords(aligned, want);
    const double c = cos(0.7), sn = sin(0.7); /* a rotation about z and a shift */
    for (size_t i = 0; i < n; i++) {
        const float *p = x0 + 3 * i;
        x1[3 * i] = (float)(c * p[0] - sn * p[1] + 11.0);
        x1[3 * i + 1] = (float)(sn * p[0] + c * p[1] - 3.0);
        x1[3 * i + 2] = p[2] + 5.0f;
    }
    vox_reference *r = NULL;
    CHECK(vox_reference_create(ctx, s, x0, n, NULL, &r) == VOX_OK, "create: %s", vox_ctx_last_error_detail(ctx));
    CHECK(vox_reference_apply(ctx, r, x0, n, 1, out) == VOX_OK, "apply to the reference");
    int exact = 1;
    for (size_t i = 0; i < k; i++) exact &= !memcmp(out + 3 * kept[i], want + 3 * i, 3 * sizeof *out);
    CHECK(exact, "%s: the reference frame does not get vox_prepare's coordinates", path);
    CHECK(vox_reference_apply(ctx, r, x1, n, 0, out) == VOX_OK, "apply to a moved copy");
    double worst = 0;
    for (size_t i = 0; i < k; i++)
        for (int a = 0; a < 3; a++) worst = fmax(worst, fabs((double)out[3 * kept[i] + a] - want[3 * i + a]));
    CHECK(worst < 1e-3, "%s: a moved copy lands %g A from the reference", path, worst);
    vox_transform t0, t1;
    t0.size = t1.size = sizeof t0;
    vox_reference_transform(r, &t0);
    vox_structure_transform(aligned, &t1);
    CHECK(!memcmp(t0.rotation, t1.rotation, sizeof t0.rotation) && !memcmp(t0.centroid, t1.centroid, sizeof t0.centroid),
          "%s: the reference's transform is vox_prepare's", path);

    /* the lattice: a frame analysed on the reference's lattice gives its origin and dimensions */
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = 2.0;
    vox_result *res = NULL, *res2 = NULL;
    vox_reference_apply(ctx, r, x0, n, 1, out);
    CHECK(vox_structure_set_coords(ctx, s, out, n) == VOX_OK && vox_analyze(ctx, s, &ap, &res) == VOX_OK, "analyse");
    CHECK(vox_result_lattice(res, &ap) == VOX_OK && ap.has_grid == 1, "lattice");
    vox_reference_apply(ctx, r, x1, n, 0, out);
    CHECK(vox_structure_set_coords(ctx, s, out, n) == VOX_OK && vox_analyze(ctx, s, &ap, &res2) == VOX_OK, "analyse 2");
    double o1[3], o2[3];
    int d1[3], d2[3];
    vox_result_grid_origin(res, o1);
    vox_result_grid_origin(res2, o2);
    vox_result_grid(res, d1, NULL);
    vox_result_grid(res2, d2, NULL);
    CHECK(!memcmp(o1, o2, sizeof o1) && !memcmp(d1, d2, sizeof d1), "%s: the moved copy is on another lattice", path);
    CHECK(vox_result_count(res) == vox_result_count(res2), "%s: the moved copy has other volumes", path);
    CHECK(vox_result_lattice(NULL, &ap) == VOX_E_INVALID_ARG, "NULL result");
    /* the lattice includes the voxel edge: params freshly set (3.0 Å by default) get r's */
    vox_analyze_params fresh;
    vox_analyze_params_init(&fresh);
    CHECK(vox_result_lattice(res, &fresh) == VOX_OK && fresh.resolution == 2.0, "%s: the lattice's resolution %g",
          path, fresh.resolution);

    /* misuse */
    vox_reference *bad = NULL;
    CHECK(vox_reference_create(ctx, aligned, x0, n, NULL, &bad) == VOX_E_INVALID_ARG && !bad, "aligned structure");
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "align = 0") != NULL, "detail: %s", vox_ctx_last_error_detail(ctx));
    CHECK(vox_reference_create(ctx, s, x0, n - 1, NULL, &bad) == VOX_E_INVALID_ARG, "short frame");
    CHECK(vox_reference_apply(ctx, r, x0, n + 1, 0, out) == VOX_E_INVALID_ARG, "long frame");
    vox_reference_params rp;
    vox_reference_params_init(&rp);
    rp.fit = 7;
    CHECK(vox_reference_create(ctx, s, x0, n, &rp, &bad) == VOX_E_INVALID_ARG, "unknown fit");
    x0[4] = NAN;
    CHECK(vox_reference_create(ctx, s, x0, n, NULL, &bad) == VOX_E_INVALID_ARG, "NaN reference");
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "atom 1") != NULL, "detail: %s", vox_ctx_last_error_detail(ctx));
    vox_result_free(&res);
    vox_result_free(&res2);
    vox_reference_free(&r);
    vox_reference_free(&r); /* twice: a no-op */
    vox_structure_free(&s);
    vox_structure_free(&aligned);
    vox_structure_free(&raw);
    free(kept); free(x0); free(x1); free(out); free(want);
}

/* The models of an ensemble, as vox_frames reads them: three models of one
 * alanine (N CA C O, one atom per line) where model 3 may list other atoms. */
static const char *const ala[4] = {" N  ", " CA ", " C  ", " O  "};

/* Three models of the alanine (atom lines 2-5, 8-11, 14-17), each atom line
 * handed to edit (when not NULL) before it is written: model m, atom i, the
 * line (room for 96 bytes), and the caller's arg. */
typedef void (*line_edit)(int m, int i, char line[96], const void *arg);

static void write_ala_models(const char *path, line_edit edit, const void *arg)
{
    FILE *f = fopen(path, "w");
    for (int m = 0; m < 3; m++) {
        fprintf(f, "MODEL     %4d\n", m + 1);
        for (int i = 0; i < 4; i++) {
            char line[96];
            snprintf(line, sizeof line, "ATOM  %5d %s ALA A   1    %8.3f%8.3f%8.3f  1.00  0.00           %c", i + 1,
                     ala[i], 1.5 * i, 0.1 * m, -3.25, ala[i][1]);
            if (edit)
                edit(m, i, line, arg);
            fprintf(f, "%s\n", line);
        }
        fprintf(f, "ENDMDL\n");
    }
    fprintf(f, "END\n");
    fclose(f);
}

/* Columns [at, at + n) of a line set to text (n bytes, as many as it has). */
static void put_columns(char *line, int at, const char *text, int n) { memcpy(line + at, text, (size_t)n); }

/* Model 3 with other atom names (4 columns each) and residue name (3). */
typedef struct model3_names {
    const char *const *names;
    const char *res;
} model3_names;

static void rename_model3(int m, int i, char line[96], const void *arg)
{
    const model3_names *n = arg;
    if (m == 2) {
        put_columns(line, 12, n->names[i], 4);
        put_columns(line, 17, n->res, 3);
    }
}

static void write_models_pdb(const char *path, const char *const model3[4], const char *model3_res)
{
    const model3_names n = {model3, model3_res};
    write_ala_models(path, rename_model3, &n);
}

/* Reads (or skips) frames until one fails or none is left; returns the failing status or VOX_OK and
 * how many frames were read. */
static vox_status read_all(vox_ctx *ctx, const char *path, int skip, int *frames)
{
    vox_frames *f = NULL;
    *frames = 0;
    vox_status st = vox_frames_open(ctx, path, &f);
    if (st != VOX_OK) return st;
    float xyz[12];
    int got = 1;
    while (got && (st = skip ? vox_frames_skip(ctx, f, NULL, &got) : vox_frames_next(ctx, f, xyz, NULL, &got)) ==
                      VOX_OK)
        *frames += got;
    vox_frames_close(&f);
    return st;
}

static void check_model_atoms(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", path[64], want[256];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/ens.pdb", dir);
    /* a model is 15 + 4 * 79 + 7 bytes (MODEL, four atom lines, ENDMDL): model 3 starts at byte 676, its
     * atom lines at line 14 */
    const char *swapped[4] = {" N  ", " C  ", " CA ", " O  "};
    const char *left[4] = {"N   ", "CA  ", "C   ", "O   "}; /* justified otherwise: the same names */
    int frames = 0;
    write_models_pdb(path, ala, "ALA");
    CHECK(read_all(ctx, path, 0, &frames) == VOX_OK && frames == 3, "valid ensemble: %d frames: %s", frames,
          vox_ctx_last_error_detail(ctx));
    write_models_pdb(path, left, "ALA");
    CHECK(read_all(ctx, path, 0, &frames) == VOX_OK && frames == 3, "names justified otherwise: %d frames: %s", frames,
          vox_ctx_last_error_detail(ctx));
    write_models_pdb(path, swapped, "ALA");
    snprintf(want, sizeof want, "%s:15: frame 2 (model at byte 676): its 2nd atom has atom name 'C' (columns 13-16), "
             "the first model 'CA'", path);
    for (int skip = 0; skip < 2; skip++) {
        CHECK(read_all(ctx, path, skip, &frames) == VOX_E_PARSE && frames == 2, "swapped lines (%s): %d frames",
              skip ? "skipped" : "read", frames);
        CHECK(strstr(vox_ctx_last_error_detail(ctx), want) != NULL, "swapped lines: %s",
              vox_ctx_last_error_detail(ctx));
    }
    write_models_pdb(path, ala, "GLY");
    CHECK(read_all(ctx, path, 0, &frames) == VOX_E_PARSE && frames == 2 &&
              strstr(vox_ctx_last_error_detail(ctx), "its 1st atom has residue name 'GLY' (columns 18-21), the first "
                     "model 'ALA'"), "renamed residue: %s", vox_ctx_last_error_detail(ctx));
    unlink(path);

    /* mmCIF: auth_atom_id is what names the atom (as the loader reads it), label_atom_id not */
    snprintf(path, sizeof path, "%s/ens.cif", dir);
    for (int c = 0; c < 3; c++) {
        FILE *f = fopen(path, "w");
        fprintf(f, "data_ens\nloop_\n_atom_site.group_PDB\n_atom_site.id\n_atom_site.label_atom_id\n"
                   "_atom_site.label_comp_id\n_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                   "_atom_site.Cartn_z\n_atom_site.auth_atom_id\n_atom_site.pdbx_PDB_model_num\n");
        for (int m = 0; m < 3; m++)
            for (int i = 0; i < 4; i++) {
                static const char *const names[4] = {"N", "CA", "C", "O"};
                const int j = m == 2 && c == 1 && (i == 1 || i == 2) ? 3 - i : i; /* case 1: rows swapped */
                const char *name = names[j];
                fprintf(f, "ATOM %d %s %s 1 %.3f %.3f 0 %s %d\n", 4 * m + i + 1, c == 2 && m == 2 ? "XX" : name,
                        "ALA", 1.5 * j, 0.1 * m, name, m + 1);
            }
        fprintf(f, "#\n");
        fclose(f);
        vox_status st = read_all(ctx, path, 0, &frames);
        if (c == 1)
            CHECK(st == VOX_E_PARSE && frames == 2 &&
                      strstr(vox_ctx_last_error_detail(ctx), "frame 2 (model 3, byte ") &&
                      strstr(vox_ctx_last_error_detail(ctx), "its 2nd atom has atom name 'C' (auth_atom_id), the "
                             "first model 'CA'"), "mmCIF, swapped rows: %s", vox_ctx_last_error_detail(ctx));
        else /* case 0 is valid; in case 2 only label_atom_id differs, which names no atom beside auth_atom_id */
            CHECK(st == VOX_OK && frames == 3, "mmCIF case %d: %d frames: %s", c, frames,
                  vox_ctx_last_error_detail(ctx));
    }
    unlink(path);
    rmdir(dir);
}

/* Model 2's last atom (line 11): no number in its x columns, or named OXT. */
static void spoil_x(int m, int i, char line[96], const void *arg)
{
    (void)arg;
    if (m == 1 && i == 3)
        put_columns(line, 30, "     abc", 8);
}

static void rename_oxt(int m, int i, char line[96], const void *arg)
{
    (void)arg;
    if (m == 1 && i == 3)
        put_columns(line, 12, " OXT", 4);
}

/* An error is the reader's last word: three models, the last atom line of
 * the second with no number in its x columns (read), or another atom name
 * (read or skipped).  The reader stops inside model 2, so before errors
 * were kept, the next call went on at its ENDMDL and returned model 3 as
 * frame 1.  Every later next or skip must give the same status and detail;
 * reopening reads frame 0 again. */
static void check_sticky_errors(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", path[64], first[1024];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/bad2.pdb", dir);
    static const char *const want[2] = {":11: frame 1: x coordinate (columns 31-38) is not a number",
                                        ":11: frame 1 (model at byte 338): its 4th atom has atom name 'OXT'"};
    for (int c = 0; c < 3; c++) {
        const int bad_x = c == 0, skip = c == 2;
        write_ala_models(path, bad_x ? spoil_x : rename_oxt, NULL);
        vox_frames *fr = NULL;
        float xyz[12];
        int got = 0;
        vox_frame_info fi;
        memset(&fi, 0, sizeof fi);
        fi.size = sizeof fi;
        CHECK(vox_frames_open(ctx, path, &fr) == VOX_OK, "case %d: open: %s", c, vox_ctx_last_error_detail(ctx));
        if (!fr) continue;
        CHECK(vox_frames_next(ctx, fr, xyz, &fi, &got) == VOX_OK && got && fi.index == 0, "case %d: frame 0", c);
        vox_status st = skip ? vox_frames_skip(ctx, fr, NULL, &got) : vox_frames_next(ctx, fr, xyz, NULL, &got);
        snprintf(first, sizeof first, "%s", vox_ctx_last_error_detail(ctx));
        CHECK(st == VOX_E_PARSE && strstr(first, want[!bad_x]), "case %d: frame 1: %d, %s", c, (int)st, first);
        for (int again = 0; again < 3; again++) {
            got = 1;
            fi.index = -1;
            st = (again + skip) % 2 ? vox_frames_skip(ctx, fr, &fi, &got) : vox_frames_next(ctx, fr, xyz, &fi, &got);
            CHECK(st == VOX_E_PARSE && !got && !strcmp(vox_ctx_last_error_detail(ctx), first),
                  "case %d: call %d after the error: %d (got %d, frame %lld), '%s'", c, again + 1, (int)st, got,
                  (long long)fi.index, vox_ctx_last_error_detail(ctx));
        }
        vox_frames_close(&fr);
        CHECK(vox_frames_open(ctx, path, &fr) == VOX_OK && vox_frames_next(ctx, fr, xyz, &fi, &got) == VOX_OK && got &&
                  fi.index == 0 && xyz[3] == 1.5f,
              "case %d: reopened: frame 0 again", c);
        vox_frames_close(&fr);
    }
    unlink(path);
    rmdir(dir);
}

/* Model 2's last atom line (line 11) ends at the column *arg says. */
static void cut_line(int m, int i, char line[96], const void *arg)
{
    if (m == 1 && i == 3)
        line[*(const int *)arg] = '\0';
}

/* A later model's atom line cut inside its coordinate columns (its last
 * atom, line 11: columns 31-38 x, 39-46 y, 47-54 z): refused naming the
 * line, frame and field, as the loader refuses such a line in model 1.
 * Cut inside z, the columns left ("  -3.2" of "  -3.250") were read as a
 * number before. */
static void check_cut_coordinates(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", path[64], want[128];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/cut.pdb", dir);
    static const int cut_at[3] = {34, 42, 52}; /* the line's length: inside x, y, z */
    for (int c = 0; c < 3; c++) {
        write_ala_models(path, cut_line, &cut_at[c]);
        int frames = 0;
        vox_status st = read_all(ctx, path, 0, &frames);
        snprintf(want, sizeof want, ":11: frame 1: %c coordinate (columns %d-%d) is cut short: the line ends at column %d",
                 "xyz"[c], 31 + 8 * c, 38 + 8 * c, cut_at[c]);
        CHECK(st == VOX_E_PARSE && frames == 1 && strstr(vox_ctx_last_error_detail(ctx), want),
              "cut at column %d: %d after %d frames: %s", cut_at[c], (int)st, frames, vox_ctx_last_error_detail(ctx));
    }
    unlink(path);
    rmdir(dir);
}

/* Model 2's 3rd atom (line 10) with the y text *arg (right-aligned in columns 39-46). */
static void set_y(int m, int i, char line[96], const void *arg)
{
    if (m == 1 && i == 2) {
        char y[9];
        snprintf(y, sizeof y, "%8s", (const char *)arg);
        put_columns(line, 38, y, 8);
    }
}

/* The three models as one mmCIF atom_site loop (rows on lines 10-21), model
 * 2's 3rd atom (line 17) with the y text y3. */
static void write_ala_models_cif(const char *path, const char *y3)
{
    FILE *f = fopen(path, "w");
    fprintf(f, "data_nf\nloop_\n_atom_site.group_PDB\n_atom_site.auth_atom_id\n_atom_site.auth_comp_id\n"
               "_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n"
               "_atom_site.pdbx_PDB_model_num\n");
    for (int m = 0; m < 3; m++)
        for (int i = 0; i < 4; i++) {
            char y[16];
            snprintf(y, sizeof y, "%.3f", 0.1 * m);
            fprintf(f, "ATOM %s ALA 1 %.3f %s 0 %d\n", ala[i] + 1, 1.5 * i, m == 1 && i == 2 ? y3 : y, m + 1);
        }
    fclose(f);
}

/* A later model's coordinate past float range: finite as a double, inf as
 * the float vox keeps ('inf' and 'nan' themselves are not numbers to the
 * parser).  Refused naming the line, frame and field, as the loaders refuse
 * them in model 1; before, frame 1 held an inf.  PDB (model 2's 3rd atom,
 * line 10) and mmCIF (model 2's 3rd row, line 17). */
static void check_nonfinite_models(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", path[64], want[160];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    static const char *const bad[3] = {"1e39", "-4e38", "1e300"};
    for (int cif = 0; cif < 2; cif++)
        for (int b = 0; b < 3; b++) {
            snprintf(path, sizeof path, "%s/nonfinite.%s", dir, cif ? "cif" : "pdb");
            if (cif)
                write_ala_models_cif(path, bad[b]);
            else
                write_ala_models(path, set_y, bad[b]);
            int frames = 0;
            vox_status st = read_all(ctx, path, 0, &frames);
            if (cif)
                snprintf(want, sizeof want, ":17: frame 1: Cartn_y '%s' is out of range: coordinates must be within "
                         "+-3.4e38", bad[b]);
            else
                snprintf(want, sizeof want, ":10: frame 1: y coordinate '%s' (columns 39-46) is out of range: "
                         "coordinates must be within +-3.4e38", bad[b]);
            CHECK(st == VOX_E_PARSE && frames == 1 && strstr(vox_ctx_last_error_detail(ctx), want),
                  "%s y = %s: %d after %d frames: %s", cif ? "mmCIF" : "PDB", bad[b], (int)st, frames,
                  vox_ctx_last_error_detail(ctx));
        }
    unlink(path);
    snprintf(path, sizeof path, "%s/nonfinite.pdb", dir);
    unlink(path);
    rmdir(dir);
}

/* Every atom record of the first model an alternate location that is
 * dropped (altloc "1", as the loaders drop numeric ones): nothing is left
 * to read, and open says so.  It opened with 0 atoms before (the DCD
 * fuzzer found it on binary text), which no caller can analyse. */
static void set_altloc_1(int m, int i, char line[96], const void *arg)
{
    (void)m;
    (void)i;
    (void)arg;
    line[16] = '1';
}

static void check_all_altlocs_dropped(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", path[64];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/alt.pdb", dir);
    write_ala_models(path, set_altloc_1, NULL);
    vox_frames *f = NULL;
    vox_status st = vox_frames_open(ctx, path, &f);
    CHECK(st == VOX_E_FORMAT && !f &&
              strstr(vox_ctx_last_error_detail(ctx), "alt.pdb: the first model has no atoms to read: each of its 4 "
                     "atom records has an alternate location that vox drops (an altloc in column 17"),
          "PDB, every altloc 1: %d: %s", (int)st, vox_ctx_last_error_detail(ctx));
    vox_frames_close(&f);
    unlink(path);
    snprintf(path, sizeof path, "%s/alt.cif", dir);
    FILE *c = fopen(path, "w");
    fprintf(c, "data_alt\nloop_\n_atom_site.group_PDB\n_atom_site.auth_atom_id\n_atom_site.label_alt_id\n"
               "_atom_site.auth_comp_id\n_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
               "_atom_site.Cartn_z\n_atom_site.pdbx_PDB_model_num\n");
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < 4; i++) fprintf(c, "ATOM %s 2 ALA 1 %.3f 0.0 0.0 %d\n", ala[i] + 1, 1.5 * i, m + 1);
    fclose(c);
    st = vox_frames_open(ctx, path, &f);
    CHECK(st == VOX_E_FORMAT && !f && strstr(vox_ctx_last_error_detail(ctx), "(a label_alt_id that is not a letter)"),
          "mmCIF, every label_alt_id 2: %d: %s", (int)st, vox_ctx_last_error_detail(ctx));
    vox_frames_close(&f);
    unlink(path);
    rmdir(dir);
}

/* An atom_site loop without rows, then another loop: the second loop's
 * columns alone count.  The first loop's column numbers (the model number
 * in column 9, the names) were kept and read past the second loop's three
 * values (ASan: a heap read out of bounds; found by the DCD fuzzer). */
static void check_cif_loop_without_rows(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", path[64];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/two-loops.cif", dir);
    FILE *c = fopen(path, "w");
    fprintf(c, "data_x\nloop_\n_atom_site.group_PDB\n_atom_site.auth_atom_id\n_atom_site.label_alt_id\n"
               "_atom_site.auth_comp_id\n_atom_site.auth_seq_id\n_atom_site.auth_asym_id\n_atom_site.Cartn_x\n"
               "_atom_site.Cartn_y\n_atom_site.Cartn_z\n_atom_site.pdbx_PDB_model_num\n"
               "loop_\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n1.5 2.5 3.5\n");
    fclose(c);
    vox_frames *f = NULL;
    vox_status st = vox_frames_open(ctx, path, &f);
    CHECK(st == VOX_OK && vox_frames_atom_count(f) == 1, "two loops: %d, %zu atoms: %s", (int)st,
          f ? vox_frames_atom_count(f) : 0, vox_ctx_last_error_detail(ctx));
    if (st == VOX_OK) {
        float xyz[3] = {0, 0, 0};
        int got = 0;
        st = vox_frames_next(ctx, f, xyz, NULL, &got);
        CHECK(st == VOX_OK && got && xyz[0] == 1.5f && xyz[1] == 2.5f && xyz[2] == 3.5f,
              "two loops: frame 0: %d %d (%g %g %g): %s", (int)st, got, xyz[0], xyz[1], xyz[2],
              vox_ctx_last_error_detail(ctx));
        st = vox_frames_next(ctx, f, xyz, NULL, &got);
        CHECK(st == VOX_OK && !got, "two loops: one frame");
    }
    vox_frames_close(&f);
    unlink(path);
    rmdir(dir);
}

/* mmCIF frames from two data blocks (cat frame*.cif), the second without an
 * atom_site item the first has: its atoms lack the first model's chain or
 * insertion code, and the message names the item as absent.  It took the
 * item's name from id_fields[f].cif[2], past the two names the table holds:
 * for the chain another field's description, for the insertion code a read
 * past the end of the table. */
static void check_cif_blocks(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", path[64];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/blocks.cif", dir);
    static const char *const names[4] = {"N", "CA", "C", "O"};
    for (int drop = 0; drop < 3; drop++) { /* the second block lacks: 0 nothing, 1 the chain, 2 the ins code */
        FILE *f = fopen(path, "w");
        for (int b = 0; b < 2; b++) {
            fprintf(f, "data_frame%d\nloop_\n_atom_site.group_PDB\n_atom_site.auth_atom_id\n"
                       "_atom_site.auth_comp_id\n%s_atom_site.auth_seq_id\n%s_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                       "_atom_site.Cartn_z\n_atom_site.pdbx_PDB_model_num\n", b,
                    b && drop == 1 ? "" : "_atom_site.auth_asym_id\n", b && drop == 2 ? "" : "_atom_site.pdbx_PDB_ins_code\n");
            for (int i = 0; i < 4; i++)
                fprintf(f, "ATOM %s ALA %s1 %s%.3f %.3f 0 1\n", names[i], b && drop == 1 ? "" : "B ",
                        b && drop == 2 ? "" : "A ", 1.5 * i, 0.1 * b);
            fprintf(f, "#\n");
        }
        fclose(f);
        int frames = 0;
        vox_status st = read_all(ctx, path, 0, &frames);
        const char *d = vox_ctx_last_error_detail(ctx);
        if (drop == 0)
            CHECK(st == VOX_OK && frames == 2, "two data blocks: %d frames: %s", frames, d);
        else
            CHECK(st == VOX_E_PARSE && frames == 1 &&
                      strstr(d, drop == 1 ? ":29: frame 1 (model 1, byte 611): its 1st atom has chain '' (no such "
                                            "atom_site item in this data block), the first model 'B'"
                                          : ":29: frame 1 (model 1, byte 606): its 1st atom has insertion code '' "
                                            "(no such atom_site item in this data block), the first model 'A'"),
                  "second block without the %s: %d after %d frames: %s", drop == 1 ? "chain" : "insertion code",
                  (int)st, frames, d);
    }
    unlink(path);
    rmdir(dir);
}

/* ---- a model file against its topology (vox_frames_check_atoms) ---------- */

typedef struct top_atom {
    const char *name, *res; /* columns 13-16 and 18-21 as written */
    char chain;
    int res_id;
} top_atom;

/* Residue 1 (ALA, chain A, with one hydrogen) and residue 2 (POPC written
 * into columns 18-21, as CHARMM writes it, chain B); the loader reads POP. */
static const top_atom top_atoms[8] = {
    {" N  ", "ALA ", 'A', 1}, {" CA ", "ALA ", 'A', 1}, {" HA ", "ALA ", 'A', 1}, {" C  ", "ALA ", 'A', 1},
    {" O  ", "ALA ", 'A', 1}, {" N  ", "POPC", 'B', 2}, {" CA ", "POPC", 'B', 2}, {" C  ", "POPC", 'B', 2},
};

/* n atoms of `atoms`, as `models` models (a plain file without MODEL lines when models is 0) */
static void write_atoms_pdb(const char *path, const top_atom *atoms, int n, int models)
{
    FILE *f = fopen(path, "w");
    for (int m = 0; m < (models ? models : 1); m++) {
        if (models) fprintf(f, "MODEL     %4d\n", m + 1);
        for (int i = 0; i < n; i++)
            fprintf(f, "ATOM  %5d %-4s %-4s%c%4d    %8.3f%8.3f%8.3f  1.00  0.00          %2c\n", i + 1, atoms[i].name,
                    atoms[i].res, atoms[i].chain, atoms[i].res_id, 1.5 * i, 0.7 * (i % 3) + 0.1 * m, 0.4 * (i % 2),
                    atoms[i].name[1]);
        if (models) fprintf(f, "ENDMDL\n");
    }
    fprintf(f, "END\n");
    fclose(f);
}

/* The status of checking the model file against the topology, loaded as is
 * (prepared = 0) or prepared; the detail is the context's. */
static vox_status check_pair(vox_ctx *ctx, const char *top, const char *traj, int prepared)
{
    vox_structure *s = NULL;
    vox_frames *f = NULL;
    vox_load_params lp;
    vox_load_params_init(&lp);
    lp.assembly = VOX_ASSEMBLY_ASYMMETRIC; /* model 1, as `vox trajectory` loads a topology */
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.keep_non_protein = 1;
    vox_status st = vox_load_file(ctx, top, &lp, &s);
    if (st == VOX_OK && prepared) st = vox_prepare(ctx, s, &pp);
    if (st == VOX_OK) st = vox_frames_open(ctx, traj, &f);
    if (st == VOX_OK) st = vox_frames_check_atoms(ctx, f, s, top);
    vox_frames_close(&f);
    vox_structure_free(&s);
    return st;
}

/* check_pair refuses the pair with a message that holds want. */
static int refused(vox_ctx *ctx, const char *top, const char *traj, int prepared, const char *want)
{
    return check_pair(ctx, top, traj, prepared) == VOX_E_INVALID_ARG && strstr(vox_ctx_last_error_detail(ctx), want);
}

static void check_topology_atoms(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", top[64], traj[64], want[512];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(top, sizeof top, "%s/top.pdb", dir);
    snprintf(traj, sizeof traj, "%s/traj.pdb", dir);
    write_atoms_pdb(top, top_atoms, 8, 0);
    top_atom t[8];
    for (int prepared = 0; prepared < 2; prepared++) {
        /* the same atoms; then the chains relabelled (X, Y): both are the topology's */
        memcpy(t, top_atoms, sizeof t);
        write_atoms_pdb(traj, t, 8, 3);
        CHECK(check_pair(ctx, top, traj, prepared) == VOX_OK, "same atoms (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        for (int i = 0; i < 8; i++) t[i].chain = i < 5 ? 'X' : 'Y';
        write_atoms_pdb(traj, t, 8, 3);
        CHECK(check_pair(ctx, top, traj, prepared) == VOX_OK, "chains relabelled (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        /* the model itself is its own topology, whatever its names */
        CHECK(check_pair(ctx, traj, traj, prepared) == VOX_OK, "a model file and itself (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        /* CA and C of residue 1 swapped: line 3 of the model file (after MODEL), the 2nd atom */
        memcpy(t, top_atoms, sizeof t);
        t[1] = top_atoms[3], t[3] = top_atoms[1];
        write_atoms_pdb(traj, t, 8, 3);
        snprintf(want, sizeof want, "%s:3: frame 0 (model at byte 0): its 2nd atom has atom name 'C' (columns 13-16), "
                 "the topology %s 'CA': the trajectory must list the topology's atoms in the same order", traj, top);
        CHECK(refused(ctx, top, traj, prepared, want), "swapped atoms (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        /* residue 2 numbered 3 */
        memcpy(t, top_atoms, sizeof t);
        for (int i = 5; i < 8; i++) t[i].res_id = 3;
        write_atoms_pdb(traj, t, 8, 3);
        snprintf(want, sizeof want, "%s:7: frame 0 (model at byte 0): its 6th atom has residue number '3' (columns "
                 "23-26), the topology %s '2'", traj, top);
        CHECK(refused(ctx, top, traj, prepared, want), "renumbered residue (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        /* one chain where the topology has two (MDAnalysis writes X for every atom of a universe
         * without chain IDs), and the reverse: the same atoms */
        memcpy(t, top_atoms, sizeof t);
        for (int i = 0; i < 8; i++) t[i].chain = 'X';
        write_atoms_pdb(traj, t, 8, 3);
        CHECK(check_pair(ctx, top, traj, prepared) == VOX_OK, "chains merged (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        CHECK(check_pair(ctx, traj, top, prepared) == VOX_E_INVALID_ARG /* a plain file: the counts */ ||
                  check_pair(ctx, traj, traj, prepared) == VOX_OK, "itself merged (prepared %d)", prepared);
        /* a chain that begins an atom later than the topology's: its end moved, not merged */
        memcpy(t, top_atoms, sizeof t);
        for (int i = 0; i < 8; i++) t[i].chain = i < 6 ? 'P' : 'Q';
        write_atoms_pdb(traj, t, 8, 3);
        snprintf(want, sizeof want, "%s:8: frame 0 (model at byte 0): its 7th atom (line 8) begins chain 'Q' (column "
                 "22) after 'P', where the topology %s's chain 'B' goes on, while the topology's chain 'B' begins at "
                 "its 6th atom (line 7), where the trajectory's chain 'P' goes on", traj, top);
        CHECK(refused(ctx, top, traj, prepared, want), "chain moved (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        /* the hydrogen renamed: the prepared structure has no hydrogen, the loaded one has */
        memcpy(t, top_atoms, sizeof t);
        t[2].name = " HB ";
        write_atoms_pdb(traj, t, 8, 3);
        if (prepared) {
            CHECK(check_pair(ctx, top, traj, 1) == VOX_OK, "renamed hydrogen, prepared: %s",
                  vox_ctx_last_error_detail(ctx));
        } else {
            snprintf(want, sizeof want, "%s:4: frame 0 (model at byte 0): its 3rd atom has atom name 'HB' (columns "
                     "13-16), the topology %s 'HA'", traj, top);
            CHECK(refused(ctx, top, traj, 0, want),
                  "renamed hydrogen: %s", vox_ctx_last_error_detail(ctx));
        }
    }
    /* a hydrogen's number first (PDB before version 3: "1HA", "2HA") in the topology, last in the model
     * file (" HA1", " HA2", as GROMACS and MDAnalysis write it): the same atoms; the numbers crossed: not */
    {
        top_atom old_h[8], new_h[8];
        memcpy(old_h, top_atoms, sizeof old_h);
        memcpy(new_h, top_atoms, sizeof new_h);
        old_h[2].name = "1HA ", old_h[3].name = "2HA ";
        new_h[2].name = " HA1", new_h[3].name = " HA2";
        char top_h[96];
        snprintf(top_h, sizeof top_h, "%s/top_h.pdb", dir);
        write_atoms_pdb(top_h, old_h, 8, 0);
        write_atoms_pdb(traj, new_h, 8, 3);
        CHECK(check_pair(ctx, top_h, traj, 0) == VOX_OK, "hydrogen numbered first and last: %s",
              vox_ctx_last_error_detail(ctx));
        new_h[2].name = " HA2", new_h[3].name = " HA1";
        write_atoms_pdb(traj, new_h, 8, 3);
        snprintf(want, sizeof want, "%s:4: frame 0 (model at byte 0): its 3rd atom has atom name 'HA2' (columns "
                 "13-16), the topology %s '1HA'", traj, top_h);
        CHECK(refused(ctx, top_h, traj, 0, want), "hydrogen numbers crossed: %s", vox_ctx_last_error_detail(ctx));
        /* a heavy atom is not renamed so */
        old_h[2].name = "1CA ", new_h[2].name = " CA1", new_h[3].name = " HA2";
        write_atoms_pdb(top_h, old_h, 8, 0);
        write_atoms_pdb(traj, new_h, 8, 3);
        CHECK(check_pair(ctx, top_h, traj, 0) == VOX_E_INVALID_ARG, "a heavy atom's number moved: refused");
        remove(top_h);
    }
    /* an atom fewer: the counts */
    write_atoms_pdb(traj, top_atoms, 7, 2);
    snprintf(want, sizeof want, "the topology %s has 8 atoms, the trajectory %s has 7", top, traj);
    CHECK(refused(ctx, top, traj, 0, want),
          "counts: %s", vox_ctx_last_error_detail(ctx));
    /* mmCIF models: the item that names the field, the model number */
    snprintf(traj, sizeof traj, "%s/traj.cif", dir);
    FILE *f = fopen(traj, "w");
    fprintf(f, "data_t\nloop_\n_atom_site.group_PDB\n_atom_site.label_atom_id\n_atom_site.label_comp_id\n"
               "_atom_site.auth_asym_id\n_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
               "_atom_site.Cartn_z\n_atom_site.pdbx_PDB_model_num\n");
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < 8; i++) {
            char name[5];
            sscanf(top_atoms[i].name, "%4s", name);
            fprintf(f, "ATOM %s %s %c %d %.3f 0 0 %d\n", i == 4 ? "OXT" : name, top_atoms[i].res_id == 1 ? "ALA" : "POPC",
                    top_atoms[i].chain, top_atoms[i].res_id, 1.5 * i, m + 7);
        }
    fprintf(f, "#\n");
    fclose(f);
    snprintf(want, sizeof want, "%s:16: frame 0 (model 7, byte 218): its 5th atom has atom name 'OXT' (label_atom_id), "
             "the topology %s 'O'", traj, top);
    CHECK(refused(ctx, top, traj, 0, want),
          "mmCIF: %s", vox_ctx_last_error_detail(ctx));
    /* without a name for the structure, the message still reads */
    {
        vox_structure *s = NULL;
        vox_frames *fr = NULL;
        vox_load_params lp;
        vox_load_params_init(&lp);
        lp.assembly = VOX_ASSEMBLY_ASYMMETRIC;
        CHECK(vox_load_file(ctx, top, &lp, &s) == VOX_OK && vox_frames_open(ctx, traj, &fr) == VOX_OK &&
                  vox_frames_check_atoms(ctx, fr, s, NULL) == VOX_E_INVALID_ARG &&
                  strstr(vox_ctx_last_error_detail(ctx), "the topology (the structure given) 'O'") &&
                  !strstr(vox_ctx_last_error_detail(ctx), "(null)"),
              "no name: %s", vox_ctx_last_error_detail(ctx));
        vox_frames_close(&fr);
        vox_structure_free(&s);
    }
    /* two data blocks (cat frame*.cif) that name the atoms by other items: the first label_atom_id,
     * the second auth_atom_id.  Checked after every frame is read, the reader holds the second
     * block's columns; the message names the first model's item, where the name it quotes is. */
    {
        FILE *b = fopen(traj, "w");
        for (int blk = 0; blk < 2; blk++) {
            fprintf(b, "data_frame%d\nloop_\n_atom_site.group_PDB\n_atom_site.%s_atom_id\n_atom_site.label_comp_id\n"
                       "_atom_site.auth_asym_id\n_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                       "_atom_site.Cartn_z\n_atom_site.pdbx_PDB_model_num\n", blk, blk ? "auth" : "label");
            for (int i = 0; i < 8; i++) {
                char name[5];
                sscanf(top_atoms[i].name, "%4s", name);
                fprintf(b, "ATOM %s %s %c %d %.3f 0 0 1\n", i == 4 ? "OXT" : name,
                        top_atoms[i].res_id == 1 ? "ALA" : "POPC", top_atoms[i].chain, top_atoms[i].res_id, 1.5 * i);
            }
            fprintf(b, "#\n");
        }
        fclose(b);
        vox_structure *s = NULL;
        vox_frames *fr = NULL;
        vox_load_params lp;
        vox_load_params_init(&lp);
        lp.assembly = VOX_ASSEMBLY_ASYMMETRIC;
        float xyz[3 * 8];
        int got = 1, frames = 0;
        vox_status st = vox_load_file(ctx, top, &lp, &s);
        if (st == VOX_OK) st = vox_frames_open(ctx, traj, &fr);
        while (st == VOX_OK && got && (st = vox_frames_next(ctx, fr, xyz, NULL, &got)) == VOX_OK) frames += got;
        CHECK(st == VOX_OK && frames == 2, "two blocks read: %d frames: %s", frames, vox_ctx_last_error_detail(ctx));
        snprintf(want, sizeof want, "%s:16: frame 0 (model 1, byte 223): its 5th atom has atom name 'OXT' "
                 "(label_atom_id), the topology %s 'O'", traj, top);
        CHECK(st == VOX_OK && vox_frames_check_atoms(ctx, fr, s, top) == VOX_E_INVALID_ARG &&
                  strstr(vox_ctx_last_error_detail(ctx), want),
              "two blocks, checked after reading: %s", vox_ctx_last_error_detail(ctx));
        vox_frames_close(&fr);
        vox_structure_free(&s);
    }
    CHECK(vox_frames_check_atoms(ctx, NULL, NULL, NULL) == VOX_E_INVALID_ARG, "NULL frames");
    unlink(top);
    unlink(traj);
    snprintf(traj, sizeof traj, "%s/traj.pdb", dir);
    unlink(traj);
    rmdir(dir);
}

/* Writes a topology or model file of three waters numbered 9999, 10000 and
 * 10001: PDB with the number as `pdb_num` writes it into columns 23-26
 * (0: modulo 10000, as GROMACS and MDAnalysis; 1: hybrid-36), or mmCIF
 * whole (pdb_num -1); `shift` is added to the numbers written. */
static void write_waters(const char *path, int pdb_num, int models, int shift)
{
    static const char *const names[3] = {"OW", "HW1", "HW2"};
    static const char *const hy36[3] = {"9999", "A000", "A001"};
    FILE *f = fopen(path, "w");
    if (pdb_num < 0)
        fprintf(f, "data_w\nloop_\n_atom_site.group_PDB\n_atom_site.auth_atom_id\n_atom_site.auth_comp_id\n"
                   "_atom_site.auth_asym_id\n_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                   "_atom_site.Cartn_z\n_atom_site.pdbx_PDB_model_num\n");
    for (int m = 0; m < models; m++) {
        if (pdb_num >= 0) fprintf(f, "MODEL     %4d\n", m + 1);
        for (int r = 0; r < 3; r++)
            for (int a = 0; a < 3; a++) {
                const int num = 9999 + r + shift;
                const double x = 3.0 * r + 0.5 * a, y = 0.3 * a + 0.1 * m;
                if (pdb_num < 0)
                    fprintf(f, "HETATM %s SOL W %d %.3f %.3f 0 %d\n", names[a], num, x, y, m + 1);
                else if (pdb_num == 0)
                    fprintf(f, "HETATM%5d  %-3s SOL W%4d    %8.3f%8.3f%8.3f  1.00  0.00\n", 3 * r + a + 1, names[a],
                            num % 10000, x, y, 0.0);
                else
                    fprintf(f, "HETATM%5d  %-3s SOL W%4s    %8.3f%8.3f%8.3f  1.00  0.00\n", 3 * r + a + 1, names[a],
                            hy36[r], x, y, 0.0);
            }
        if (pdb_num >= 0) fprintf(f, "ENDMDL\n");
    }
    if (pdb_num < 0) fprintf(f, "#\n");
    fclose(f);
}

/* Residue numbers past 9999 and alternate locations against a topology:
 * the same atoms written by other writers pass. */
static void check_topology_writers(vox_ctx *ctx)
{
    char dir[] = "/tmp/vox-frames-XXXXXX", top[64], traj[64], want[512];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    static const char *const ext[3] = {"cif", "pdb", "pdb"};
    for (int tw = -1; tw <= 1; tw++)
        for (int mw = -1; mw <= 1; mw++) {
            snprintf(top, sizeof top, "%s/top%d.%s", dir, tw + 1, ext[tw + 1]);
            snprintf(traj, sizeof traj, "%s/traj%d.%s", dir, mw + 1, ext[mw + 1]);
            write_waters(top, tw, 1, 0);
            write_waters(traj, mw, 2, 0);
            for (int prepared = 0; prepared < 2; prepared++)
                CHECK(check_pair(ctx, top, traj, prepared) == VOX_OK, "residues past 9999 (%d against %d, prepared "
                      "%d): %s", tw, mw, prepared, vox_ctx_last_error_detail(ctx));
        }
    /* numbers 10000 apart are still told apart where neither is below 10000 (9999 and 19999 agree: either
     * may be a PDB writer's remainder), and so are numbers 1 apart */
    snprintf(top, sizeof top, "%s/top.cif", dir);
    snprintf(traj, sizeof traj, "%s/traj.cif", dir);
    write_waters(top, -1, 1, 0);
    write_waters(traj, -1, 2, 10000);
    CHECK(check_pair(ctx, top, traj, 0) == VOX_E_INVALID_ARG &&
              strstr(vox_ctx_last_error_detail(ctx), "residue number '20000' (auth_seq_id), the topology"),
          "residues 10000 apart: %s", vox_ctx_last_error_detail(ctx));
    snprintf(traj, sizeof traj, "%s/traj.pdb", dir);
    write_waters(traj, 0, 2, 1);
    CHECK(check_pair(ctx, top, traj, 0) == VOX_E_INVALID_ARG &&
              strstr(vox_ctx_last_error_detail(ctx), "residue number '0' (columns 23-26), the topology"),
          "residues 1 apart: %s", vox_ctx_last_error_detail(ctx));
    /* alternate locations: the loader keeps atom 2's A (of A and B) and drops atom 3's numeric 1; the model
     * file drops the same records from every model, so the file is its own trajectory, and its first frame
     * holds the topology's coordinates */
    snprintf(top, sizeof top, "%s/alt.pdb", dir);
    FILE *f = fopen(top, "w");
    for (int m = 0; m < 2; m++) {
        fprintf(f, "MODEL     %4d\n", m + 1);
        fprintf(f, "ATOM      1  N   ALA A   1       0.000   0.000   0.000  1.00  0.00           N\n");
        fprintf(f, "ATOM      2  CA AALA A   1       1.500   0.000   0.000  0.50  0.00           C\n");
        fprintf(f, "ATOM      3  CA BALA A   1       1.500   %d.000   0.000  0.50  0.00           C\n", 9 + m);
        fprintf(f, "ATOM      4  C  1ALA A   1       7.000   0.000   0.000  1.00  0.00           C\n");
        fprintf(f, "ATOM      5  C   ALA A   1       2.000   1.000   %d.000  1.00  0.00           C\n", m);
        fprintf(f, "ENDMDL\n");
    }
    fclose(f);
    /* the same atoms without altlocs, as an MD writer lists the conformer the topology holds */
    snprintf(traj, sizeof traj, "%s/noalt.pdb", dir);
    f = fopen(traj, "w");
    fprintf(f, "ATOM      1  N   ALA A   1       0.000   0.000   0.000  1.00  0.00           N\n");
    fprintf(f, "ATOM      2  CA  ALA A   1       1.500   0.000   0.000  1.00  0.00           C\n");
    fprintf(f, "ATOM      3  C   ALA A   1       2.000   1.000   0.000  1.00  0.00           C\n");
    fclose(f);
    for (int prepared = 0; prepared < 2; prepared++) {
        CHECK(check_pair(ctx, top, top, prepared) == VOX_OK, "altlocs, the file itself (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        CHECK(check_pair(ctx, traj, top, prepared) == VOX_OK, "altlocs against none (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
        CHECK(check_pair(ctx, top, traj, prepared) == VOX_OK, "none against altlocs (prepared %d): %s", prepared,
              vox_ctx_last_error_detail(ctx));
    }
    {
        vox_frames *fr = NULL;
        float xyz[9];
        int got = 0;
        CHECK(vox_frames_open(ctx, top, &fr) == VOX_OK && vox_frames_atom_count(fr) == 3 &&
                  vox_frames_next(ctx, fr, xyz, NULL, &got) == VOX_OK && got && xyz[3] == 1.5f && xyz[4] == 0.0f &&
                  xyz[8] == 0.0f && vox_frames_next(ctx, fr, xyz, NULL, &got) == VOX_OK && got && xyz[4] == 0.0f &&
                  xyz[8] == 1.0f,
              "altlocs: the kept records' coordinates: %s", vox_ctx_last_error_detail(ctx));
        vox_frames_close(&fr);
    }
    /* a later model with A and B swapped is still refused */
    snprintf(traj, sizeof traj, "%s/swapped.pdb", dir);
    f = fopen(traj, "w");
    for (int m = 0; m < 2; m++) {
        fprintf(f, "MODEL     %4d\n", m + 1);
        fprintf(f, "ATOM      1  N   ALA A   1       0.000   0.000   0.000  1.00  0.00           N\n");
        fprintf(f, "ATOM      2  CA %cALA A   1       1.500   0.000   0.000  0.50  0.00           C\n", m ? 'B' : 'A');
        fprintf(f, "ATOM      3  CA %cALA A   1       1.500   9.000   0.000  0.50  0.00           C\n", m ? 'A' : 'B');
        fprintf(f, "ATOM      4  C   ALA A   1       2.000   1.000   0.000  1.00  0.00           C\n");
        fprintf(f, "ENDMDL\n");
    }
    fclose(f);
    {
        vox_frames *fr = NULL;
        float xyz[9];
        int got = 0;
        snprintf(want, sizeof want, "%s:9: frame 1 (model at byte 338): its 2nd atom has altloc 'B' (column 17), the "
                 "first model 'A'", traj);
        CHECK(vox_frames_open(ctx, traj, &fr) == VOX_OK && vox_frames_next(ctx, fr, xyz, NULL, &got) == VOX_OK &&
                  vox_frames_next(ctx, fr, xyz, NULL, &got) == VOX_E_PARSE &&
                  strstr(vox_ctx_last_error_detail(ctx), want),
              "altlocs swapped in a later model: %s", vox_ctx_last_error_detail(ctx));
        vox_frames_close(&fr);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "rm");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_frames SYNTHETIC_DIR [STRUCTURES_DIR]\n");
        return 2;
    }
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    o.profile = "";
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK) return 1;
    const char *synth[] = {"cavity_box.pdb", "pocket_box.pdb", "pore_box.pdb", "hub_box.pdb"};
    char path[4096];
    for (size_t i = 0; i < sizeof synth / sizeof *synth; i++) {
        snprintf(path, sizeof path, "%s/%s", argv[1], synth[i]);
        check_arrays_equal_file(ctx, path, 2.0);
        check_frames(ctx, path);
    }
    check_bad_arrays(ctx);
    check_md_names(ctx);
    check_model_atoms(ctx);
    check_sticky_errors(ctx);
    check_cut_coordinates(ctx);
    check_nonfinite_models(ctx);
    check_all_altlocs_dropped(ctx);
    check_cif_loop_without_rows(ctx);
    check_cif_blocks(ctx);
    check_topology_atoms(ctx);
    check_topology_writers(ctx);
    snprintf(path, sizeof path, "%s/pocket_box.pdb", argv[1]);
    check_input_numbers(ctx, path);
    check_reference(ctx, path);
    snprintf(path, sizeof path, "%s/pocket_box.pdb", argv[1]);
    check_flat_memory(ctx, path);
    DIR *d = argc > 2 ? opendir(argv[2]) : NULL;
    if (!d) {
        printf("SKIP: structures from ../shared/data (not found)\n");
    } else {
        struct dirent *e;
        int files = 0;
        while ((e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if (l < 5 || (strcmp(e->d_name + l - 4, ".pdb") && strcmp(e->d_name + l - 4, ".cif"))) continue;
            snprintf(path, sizeof path, "%s/%s", argv[2], e->d_name);
            struct stat sb;
            /* the 60-mer 7odw (14 MB) takes seconds per analysis; the rest covers both formats */
            if (stat(path, &sb) != 0 || sb.st_size > 8 << 20) continue;
            check_arrays_equal_file(ctx, path, 3.0);
            files++;
        }
        closedir(d);
        printf("  %d shared structures: arrays == file\n", files);
    }
    vox_ctx_destroy(&ctx);
    return check_report();
}
