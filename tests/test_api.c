/* test_api.c - the public API: contexts, loading from paths and memory (plain and gzip),
 * results, writers, errors, and several contexts running concurrently in threads */
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "vox/vox.h"

static const char *dir;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

static void *gzip(const char *data, size_t len, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, len) + 64;
    unsigned char *out = malloc(cap);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    *outlen = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* Full analysis of a file into df JSON + CIF text (the thread test's unit of work). */
static int analyze_to_text(vox_ctx *ctx, const char *path, double res, char **df, char **cif)
{
    vox_structure *s = NULL;
    vox_result *r = NULL;
    if (vox_load_file(ctx, path, NULL, &s) != VOX_OK) return 0;
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = res;
    int ok = vox_prepare(ctx, s, NULL) == VOX_OK && vox_analyze(ctx, s, &ap, &r) == VOX_OK;
    vox_render_params rp = {sizeof rp, NULL, 1, VOX_FRAME_ALIGNED};
    ok = ok && vox_render(ctx, VOX_DOC_DF_JSON, s, r, NULL, df, NULL) == VOX_OK &&
         vox_render(ctx, VOX_DOC_CIF, s, r, &rp, cif, NULL) == VOX_OK;
    vox_result_free(&r);
    vox_structure_free(&s);
    return ok;
}

static const char *const boxes[] = {"cavity_box.pdb", "pocket_box.pdb", "pore_box.pdb", "hub_box.pdb"};
#define NBOX 4
static char *serial_df[NBOX], *serial_cif[NBOX];

typedef struct job { int id, mismatches, failures; } job;

static void *worker(void *arg)
{
    job *j = arg;
    vox_ctx *ctx;
    if (vox_ctx_create(&ctx, NULL) != VOX_OK) { j->failures++; return NULL; }
    for (int round = 0; round < 3; round++)
        for (int b = 0; b < NBOX; b++) {
            int k = (b + j->id + round) % NBOX; /* different threads on different files at once */
            char path[4096], *df = NULL, *cif = NULL;
            snprintf(path, sizeof path, "%s/%s", dir, boxes[k]);
            if (!analyze_to_text(ctx, path, 2.0, &df, &cif)) j->failures++;
            else if (strcmp(df, serial_df[k]) || strcmp(cif, serial_cif[k])) j->mismatches++;
            vox_free(df);
            vox_free(cif);
        }
    vox_ctx_destroy(&ctx);
    return NULL;
}

static void test_threads(void)
{
    vox_ctx *ctx;
    vox_ctx_create(&ctx, NULL);
    for (int b = 0; b < NBOX; b++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, boxes[b]);
        CHECK(analyze_to_text(ctx, path, 2.0, &serial_df[b], &serial_cif[b]), "serial %s", boxes[b]);
    }
    vox_ctx_destroy(&ctx);
    enum { NT = 6 };
    pthread_t th[NT];
    job jobs[NT];
    for (int t = 0; t < NT; t++) {
        jobs[t] = (job){t, 0, 0};
        pthread_create(&th[t], NULL, worker, &jobs[t]);
    }
    for (int t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
        CHECK(jobs[t].failures == 0 && jobs[t].mismatches == 0, "thread %d: %d failures, %d outputs differ from serial",
              t, jobs[t].failures, jobs[t].mismatches);
    }
    for (int b = 0; b < NBOX; b++) { vox_free(serial_df[b]); vox_free(serial_cif[b]); }
}

static void test_context(void)
{
    CHECK(vox_version_number() == VOX_VERSION_NUMBER && !strcmp(vox_version(), VOX_VERSION_STRING), "version");
    CHECK(strcmp(vox_strerror(VOX_E_PARSE), "malformed structure file") == 0 && vox_strerror((vox_status)-999)[0],
          "strerror");
    vox_ctx *ctx = (vox_ctx *)1;
    vox_options o;
    vox_options_init(&o);
    o.isa = "scalar";
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK && !strcmp(vox_ctx_isa(ctx), "scalar"), "scalar on request");
    CHECK(strstr(vox_ctx_describe(ctx), "isa=scalar") != NULL, "describe: %s", vox_ctx_describe(ctx));
    vox_ctx_destroy(&ctx);
    CHECK(ctx == NULL, "destroy NULLs the handle");
    vox_ctx_destroy(&ctx);
    o.isa = "neon-or-so";
    CHECK(vox_ctx_create(&ctx, &o) == VOX_E_ISA_UNKNOWN && ctx == NULL, "unknown ISA");
    /* an ISA that exists but this build/CPU cannot run is refused, never a SIGILL */
    const char *avail = vox_available_isas();
    const char *absent = !strstr(avail, "neon") ? "neon" : "avx512";
    o.isa = absent;
    CHECK(vox_ctx_create(&ctx, &o) == VOX_E_ISA_UNAVAILABLE, "%s unavailable (available: %s)", absent, avail);
    setenv("VOX_ISA", "bogus", 1);
    CHECK(vox_ctx_create(&ctx, NULL) == VOX_E_ISA_UNKNOWN, "VOX_ISA=bogus refused");
    setenv("VOX_ISA", "scalar", 1);
    CHECK(vox_ctx_create(&ctx, NULL) == VOX_OK && strstr(vox_ctx_describe(ctx), "VOX_ISA"), "VOX_ISA honoured");
    vox_ctx_destroy(&ctx);
    unsetenv("VOX_ISA");
}

static void test_load_analyze(void)
{
    vox_ctx *ctx;
    vox_ctx_create(&ctx, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/pore_box.pdb", dir);
    size_t len;
    char *text = slurp(path, &len);
    CHECK(text != NULL, "read %s", path);
    vox_structure *a = NULL, *b = NULL, *c = NULL;
    CHECK(vox_load_file(ctx, path, NULL, &a) == VOX_OK, "load file");
    CHECK(vox_load_buffer(ctx, text, len, "mem.pdb", NULL, &b) == VOX_OK, "load buffer");
    size_t zlen;
    void *z = gzip(text, len, &zlen);
    CHECK(vox_load_buffer(ctx, z, zlen, "no-suffix", NULL, &c) == VOX_OK, "load gzip buffer: %s",
          vox_ctx_last_error_detail(ctx));
    CHECK(vox_structure_atom_count(a) > 1000 && vox_structure_atom_count(a) == vox_structure_atom_count(b) &&
              vox_structure_atom_count(a) == vox_structure_atom_count(c), "same atoms three ways");
    /* truncated gzip: a clear error */
    vox_structure *bad = NULL;
    CHECK(vox_load_buffer(ctx, z, zlen / 2, "half.pdb.gz", NULL, &bad) == VOX_E_DECOMPRESS && bad == NULL &&
              strstr(vox_ctx_last_error_detail(ctx), "half.pdb.gz"), "truncated gzip: %s", vox_ctx_last_error_detail(ctx));
    free(z);
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.align = 0;
    CHECK(vox_prepare(ctx, a, &pp) == VOX_OK, "prepare");
    CHECK(vox_prepare(ctx, a, &pp) == VOX_E_INVALID_ARG, "prepare twice refused");
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = 2.0;
    vox_result *r = NULL;
    CHECK(vox_analyze(ctx, a, &ap, &r) == VOX_OK && vox_result_count(r) >= 1, "analyze");
    vox_volume v;
    CHECK(vox_result_volume(r, 0, &v) == VOX_OK && v.type == VOX_PORE && v.volume == v.num_voxels * 8.0 &&
              v.x >= v.y && v.y >= v.z && v.num_surface_voxels > 0 && v.num_surface_voxels < v.num_voxels,
          "largest is a pore: %s %g", vox_volume_type_name(v.type), v.volume);
    float *xyz = malloc(v.num_voxels * 3 * sizeof *xyz);
    uint8_t *surf = malloc(v.num_voxels);
    CHECK(vox_result_voxels(r, 0, xyz, surf) == VOX_OK, "voxels");
    size_t ns = 0;
    double cx = 0;
    for (size_t i = 0; i < v.num_voxels; i++) { ns += surf[i]; cx += xyz[3 * i]; }
    CHECK(ns == v.num_surface_voxels && fabs(cx / v.num_voxels - v.centre[0]) < 1e-6, "surface flags and centre");
    free(xyz);
    free(surf);
    CHECK(vox_result_volume(r, vox_result_count(r), &v) == VOX_E_INVALID_ARG, "index out of range");
    int dims[3];
    double res;
    vox_result_grid(r, dims, &res);
    CHECK(res == 2.0 && dims[0] > 10, "grid");
    vox_stats st;
    vox_ctx_get_stats(ctx, &st);
    CHECK(st.voxels == (uint64_t)dims[0] * dims[1] * dims[2] && st.points > st.atoms, "stats");
    /* writers: file and memory agree */
    char out[4096], *mem = NULL;
    snprintf(out, sizeof out, "%s/api_test.df.json", dir);
    size_t mlen;
    CHECK(vox_write_df_json(ctx, r, out) == VOX_OK && vox_render(ctx, VOX_DOC_DF_JSON, a, r, NULL, &mem, &mlen) == VOX_OK,
          "df json");
    size_t flen;
    char *file = slurp(out, &flen);
    CHECK(file && flen == mlen && !memcmp(file, mem, mlen) && mem[0] == '{', "file == memory");
    free(file);
    vox_free(mem);
    unlink(out);
    CHECK(vox_write_df_json(ctx, r, "/nonexistent-dir/x.json") == VOX_E_IO &&
              strstr(vox_ctx_last_error_detail(ctx), "/nonexistent-dir/x.json"), "unwritable path: %s",
          vox_ctx_last_error_detail(ctx));
    double fa, fb, fc;
    CHECK(vox_secondary_structure(ctx, a, &fa, &fb, &fc) == VOX_OK, "P-SEA runs");
    vox_result_free(&r);
    CHECK(r == NULL, "result free NULLs");
    /* resolution checks and the grid limit */
    ap.resolution = 0.0;
    CHECK(vox_analyze(ctx, a, &ap, &r) == VOX_E_INVALID_ARG, "resolution 0 refused");
    ap.resolution = 0.001;
    CHECK(vox_analyze(ctx, a, &ap, &r) == VOX_E_GRID_TOO_LARGE && strstr(vox_ctx_last_error_detail(ctx), "voxels"),
          "absurd resolution refused before allocating: %s", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&a);
    vox_structure_free(&b);
    vox_structure_free(&c);
    free(text);
    /* too few atoms to align, and no protein left */
    vox_structure *s = NULL;
    const char *two = "ATOM      1  CA  ALA A   1       0.000   0.000   0.000  1.00  0.00           C\n"
                      "ATOM      2  CA  ALA A   2       3.800   0.000   0.000  1.00  0.00           C\n";
    CHECK(vox_load_buffer(ctx, two, strlen(two), "two.pdb", NULL, &s) == VOX_OK && vox_prepare(ctx, s, NULL) == VOX_E_TOO_FEW_ATOMS,
          "two atoms cannot be aligned");
    vox_structure_free(&s);
    const char *water = "HETATM    1  O   HOH A   1       0.000   0.000   0.000  1.00  0.00           O\n";
    CHECK(vox_load_buffer(ctx, water, strlen(water), "w.pdb", NULL, &s) == VOX_OK && vox_prepare(ctx, s, NULL) == VOX_E_NO_ATOMS,
          "water only: no protein");
    vox_structure_free(&s);
    const char *cif = "data_x\nloop_\n_atom_site.group_PDB\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                      "ATOM 1.0 2.0\n";
    CHECK(vox_load_buffer(ctx, cif, strlen(cif), "nz.cif", NULL, &s) == VOX_E_PARSE &&
              strstr(vox_ctx_last_error_detail(ctx), "Cartn_z"), "missing column: %s", vox_ctx_last_error_detail(ctx));
    vox_ctx_destroy(&ctx);
}

/* The two frames: volumizer's (default) and the canonical one are the same
 * axes with possibly other signs; frame_signs follows the size-field rules
 * and is repeated by vox_structure_set_coords; a bad value is refused. */
static void test_frame_signs(void)
{
    vox_ctx *ctx;
    vox_ctx_create(&ctx, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/pocket_box.pdb", dir);
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    CHECK(pp.frame_signs == VOX_FRAME_SIGNS_VOLUMIZER, "the default frame is volumizer's");
    float *xyz[3] = {NULL, NULL, NULL};
    size_t n[3] = {0, 0, 0};
    vox_structure *s[3] = {NULL, NULL, NULL};
    for (int k = 0; k < 3; k++) {
        vox_prepare_params p;
        vox_prepare_params_init(&p);
        if (k == 1) p.frame_signs = VOX_FRAME_SIGNS_CANONICAL;
        if (k == 2) { /* a caller built before the field: its size (then sizeof, padding included) ends before it */
            size_t end = offsetof(vox_prepare_params, reserved), al = _Alignof(vox_prepare_params);
            p.size = (end + al - 1) / al * al;
            CHECK(p.size <= offsetof(vox_prepare_params, frame_signs), "frame_signs lies beyond the old size");
            p.reserved = 0x5a5a5a5a; /* the old padding: anything */
            p.frame_signs = 99;
        }
        CHECK(vox_load_file(ctx, path, NULL, &s[k]) == VOX_OK && vox_prepare(ctx, s[k], &p) == VOX_OK,
              "prepare %d: %s", k, vox_ctx_last_error_detail(ctx));
        n[k] = vox_structure_atom_count(s[k]);
        xyz[k] = malloc(3 * n[k] * sizeof(float));
        vox_structure_coords(s[k], xyz[k]);
    }
    CHECK(n[0] == n[1] && n[0] == n[2] && !memcmp(xyz[0], xyz[2], 3 * n[0] * sizeof(float)),
          "an old-size prepare params gets the default frame");
    double worst = 0;
    for (int ax = 0; ax < 3; ax++) {
        double dot = 0;
        for (size_t i = 0; i < n[0]; i++) dot += (double)xyz[0][3 * i + ax] * xyz[1][3 * i + ax];
        for (size_t i = 0; i < n[0]; i++) {
            double d = fabs(xyz[0][3 * i + ax] - (dot < 0 ? -1 : 1) * xyz[1][3 * i + ax]);
            worst = d > worst ? d : worst;
        }
    }
    CHECK(worst < 1e-3, "the canonical frame is the default one up to axis signs (%g A)", worst);
    for (int k = 0; k < 2; k++) {
        vox_transform t = {.size = sizeof t};
        vox_structure_transform(s[k], &t);
        double (*r)[3] = t.rotation;
        double det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
                     r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
        CHECK(fabs(det - 1) < 1e-9, "frame %d is a proper rotation (det %g)", k, det);
    }
    /* a new frame with the same coordinates is aligned the same way again, in the chosen frame */
    for (int k = 0; k < 2; k++) {
        vox_structure *raw = NULL;
        vox_load_file(ctx, path, NULL, &raw);
        size_t nin = vox_structure_input_atom_count(raw);
        float *in = malloc(3 * nin * sizeof *in), *again = malloc(3 * n[k] * sizeof *again);
        vox_structure_coords(raw, in);
        CHECK(vox_structure_set_coords(ctx, s[k], in, nin) == VOX_OK, "set_coords %d", k);
        vox_structure_coords(s[k], again);
        CHECK(!memcmp(again, xyz[k], 3 * n[k] * sizeof *again), "set_coords repeats frame %d bit for bit", k);
        free(in);
        free(again);
        vox_structure_free(&raw);
    }
    /* an unknown frame is refused before anything changes; the structure can still be prepared */
    vox_structure *b = NULL;
    vox_prepare_params bad;
    vox_prepare_params_init(&bad);
    bad.frame_signs = 7;
    CHECK(vox_load_file(ctx, path, NULL, &b) == VOX_OK && vox_prepare(ctx, b, &bad) == VOX_E_INVALID_ARG &&
              strstr(vox_ctx_last_error_detail(ctx), "frame_signs"), "frame_signs 7: %s", vox_ctx_last_error_detail(ctx));
    CHECK(vox_structure_atom_count(b) == vox_structure_input_atom_count(b) && vox_prepare(ctx, b, NULL) == VOX_OK,
          "refused prepare left the structure as loaded");
    vox_structure_free(&b);
    /* 3 and 4 atoms (dgesdd's path without the QR step), collinear and coincident atoms */
    const char *small[] = {
        "ATOM      1  CA  ALA A   1       1.000   2.000   3.000  1.00  0.00           C\n"
        "ATOM      2  CA  ALA A   2       4.800   0.500   3.000  1.00  0.00           C\n"
        "ATOM      3  CA  ALA A   3       2.000   5.000   1.000  1.00  0.00           C\n",
        "ATOM      1  CA  ALA A   1       1.000   2.000   3.000  1.00  0.00           C\n"
        "ATOM      2  CA  ALA A   2       4.800   0.500   3.000  1.00  0.00           C\n"
        "ATOM      3  CA  ALA A   3       2.000   5.000   1.000  1.00  0.00           C\n"
        "ATOM      4  CA  ALA A   4      -2.000   1.000   0.000  1.00  0.00           C\n",
        "ATOM      1  CA  ALA A   1       0.000   0.000   0.000  1.00  0.00           C\n"
        "ATOM      2  CA  ALA A   2       1.000   1.000   1.000  1.00  0.00           C\n"
        "ATOM      3  CA  ALA A   3       2.000   2.000   2.000  1.00  0.00           C\n",
        "ATOM      1  CA  ALA A   1       5.000   5.000   5.000  1.00  0.00           C\n"
        "ATOM      2  CA  ALA A   2       5.000   5.000   5.000  1.00  0.00           C\n"
        "ATOM      3  CA  ALA A   3       5.000   5.000   5.000  1.00  0.00           C\n"};
    for (int k = 0; k < 4; k++)
        for (int f = 0; f < 2; f++) {
            vox_structure *t = NULL;
            vox_prepare_params p;
            vox_prepare_params_init(&p);
            p.frame_signs = f ? VOX_FRAME_SIGNS_CANONICAL : VOX_FRAME_SIGNS_VOLUMIZER;
            CHECK(vox_load_buffer(ctx, small[k], strlen(small[k]), "small.pdb", NULL, &t) == VOX_OK &&
                      vox_prepare(ctx, t, &p) == VOX_OK, "small structure %d, frame %d: %s", k, f,
                  vox_ctx_last_error_detail(ctx));
            float c[12];
            vox_structure_coords(t, c);
            size_t m = vox_structure_atom_count(t);
            double var[3] = {0, 0, 0};
            for (size_t i = 0; i < m; i++)
                for (int ax = 0; ax < 3; ax++) var[ax] += (double)c[3 * i + ax] * c[3 * i + ax];
            CHECK(var[0] + 1e-6 >= var[1] && var[1] + 1e-6 >= var[2], "small structure %d, frame %d: variances %g "
                  "%g %g not in decreasing order", k, f, var[0], var[1], var[2]);
            vox_structure_free(&t);
        }
    for (int k = 0; k < 3; k++) {
        vox_structure_free(&s[k]);
        free(xyz[k]);
    }
    vox_ctx_destroy(&ctx);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_api DIR (the folder gen_structures wrote)\n");
        return 2;
    }
    dir = argv[1];
    test_context();
    test_load_analyze();
    test_threads();
    test_frame_signs();
    return check_report();
}
