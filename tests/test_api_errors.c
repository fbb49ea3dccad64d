/* test_api_errors.c - the API cannot be misused quietly: every error path of every call that
 * takes a context sets a detail; vox_ctx_create's failures reach vox_options.error_detail;
 * results remember their structure (vox_render refuses another structure's result, or a
 * structure changed since); the library prints only through the logger, or to stderr when
 * verbose.
 *
 * Usage: test_api_errors SYNTHETIC_DIR TMP_DIR */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "api_setup.h"
#include "vox/vox.h"

static const char *dir, *tmp;
static vox_ctx *ctx;
static vox_structure *ok_s;
static vox_result *ok_r;

/* A successful call, which clears the detail, so that the next error's
 * detail is known to come from that error. */
static void reset(void)
{
    double a, b, c;
    CHECK(vox_secondary_structure(ctx, ok_s, &a, &b, &c) == VOX_OK && !vox_ctx_last_error_detail(ctx)[0],
          "a successful call clears the detail");
}

/* call fails with want (0: any error) and leaves a detail. */
#define EXPECT_ERROR(call, want)                                                                                   \
    do {                                                                                                           \
        reset();                                                                                                   \
        vox_status st_ = (call);                                                                                   \
        CHECK(st_ < 0 && ((want) == 0 || st_ == (want)), "%s: status %d (%s)", #call, (int)st_, vox_strerror(st_)); \
        CHECK(vox_ctx_last_error_detail(ctx)[0] != '\0', "%s: no detail", #call);                                \
    } while (0)

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static vox_structure *load(const char *name)
{
    return load_synthetic(ctx, dir, name);
}

static void test_ctx_create(void)
{
    char detail[256];
    vox_options o;
    vox_options_init(&o);
    o.error_detail = detail;
    o.error_detail_size = sizeof detail;
    o.profile = "";
    struct { const char *isa, *bind; int threads; vox_status want; const char *says; } cases[] = {
        {"bogus", NULL, 0, VOX_E_ISA_UNKNOWN, "bogus"},
        {NULL, "sideways", 0, VOX_E_INVALID_ARG, "sideways"},
        {NULL, NULL, -2, VOX_E_INVALID_ARG, "-2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vox_ctx *c = (vox_ctx *)&o; /* not NULL: must come back NULL */
        detail[0] = '\0';
        o.isa = cases[i].isa;
        o.bind = cases[i].bind;
        o.threads = cases[i].threads;
        vox_status st = vox_ctx_create(&c, &o);
        CHECK(st == cases[i].want && c == NULL && strstr(detail, cases[i].says),
              "vox_ctx_create case %zu: %d, detail '%s'", i, (int)st, detail);
    }
    /* an ISA this CPU or build lacks */
    static const char *const all[] = {"scalar", "avx2", "avx512", "neon"};
    const char *avail = vox_available_isas();
    for (int i = 0; i < 4; i++) {
        if (strstr(avail, all[i])) continue;
        vox_options_init(&o);
        o.error_detail = detail;
        o.error_detail_size = sizeof detail;
        o.isa = all[i];
        vox_ctx *c = NULL;
        detail[0] = '\0';
        vox_status st = vox_ctx_create(&c, &o);
        CHECK(st == VOX_E_ISA_UNAVAILABLE && strstr(detail, all[i]), "unavailable %s: %d '%s'", all[i], (int)st, detail);
        break;
    }
    vox_options_init(&o);
    o.error_detail = detail;
    o.error_detail_size = sizeof detail;
    detail[0] = '\0';
    CHECK(vox_ctx_create(NULL, &o) == VOX_E_INVALID_ARG && strstr(detail, "NULL"), "out NULL: '%s'", detail);
    setenv("VOX_ISA", "bogus", 1);
    vox_ctx *c = NULL;
    detail[0] = '\0';
    CHECK(vox_ctx_create(&c, &o) == VOX_E_ISA_UNKNOWN && strstr(detail, "VOX_ISA"),
          "a bad VOX_ISA is an error, as the header says: '%s'", detail);
    unsetenv("VOX_ISA");
    /* a small buffer: cut, NUL-terminated */
    char small[8];
    memset(small, 'x', sizeof small);
    o.error_detail = small;
    o.error_detail_size = sizeof small;
    o.isa = "bogus";
    CHECK(vox_ctx_create(&c, &o) == VOX_E_ISA_UNKNOWN && small[7] == '\0' && strlen(small) == 7, "cut detail");
    /* an older caller's struct without the detail fields is never written past */
    o.size = offsetof(vox_options, error_detail);
    CHECK(vox_ctx_create(&c, &o) == VOX_E_ISA_UNKNOWN, "an older vox_options");
    /* a struct never set up (size 0): refused, no context (there is no room for a detail) */
    memset(&o, 0, sizeof o);
    c = (vox_ctx *)&o;
    CHECK(vox_ctx_create(&c, &o) == VOX_E_INVALID_ARG && c == NULL, "vox_options with size 0 refused");
}

static void test_load_errors(void)
{
    char path[4096];
    vox_structure *s = NULL;
    EXPECT_ERROR(vox_load_file(ctx, NULL, NULL, &s), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_load_file(ctx, "x.pdb", NULL, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_load_file(ctx, "/nonexistent/x.pdb", NULL, &s), VOX_E_IO);
    EXPECT_ERROR(vox_load_file(ctx, tmp, NULL, &s), VOX_E_IO);
    snprintf(path, sizeof path, "%s/garbage.pdb", tmp);
    write_file(path, "this is not a structure\n");
    EXPECT_ERROR(vox_load_file(ctx, path, NULL, &s), 0);
    snprintf(path, sizeof path, "%s/badnum.pdb", tmp);
    write_file(path, "ATOM      1  CA  ALA A   1      11.104  abcde   5.000  1.00  0.00           C\n");
    EXPECT_ERROR(vox_load_file(ctx, path, NULL, &s), VOX_E_PARSE);
    EXPECT_ERROR(vox_load_buffer(ctx, NULL, 5, "x", NULL, &s), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_load_buffer(ctx, "ATOM", 4, "x", NULL, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_load_buffer(ctx, "\x1f\x8b\x08\x00garbage", 11, "x.gz", NULL, &s), 0);
    EXPECT_ERROR(vox_load_buffer(ctx, "", 0, "empty", NULL, &s), 0);
    CHECK(s == NULL, "no structure after errors");
    /* a long name keeps what is said of it: the detail was cut at 1023 bytes,
     * the reason with it (a missing file of a 1000-character path said only
     * the path); a name past the room keeps its start and the reason */
    /* a folder of this test's own that is missing: "/nonexistent", which a root process may have made, turned
     * the 1000-byte name's ENOENT into ENAMETOOLONG (its last part is over 255 bytes) */
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/missing/", tmp);
    const size_t prefix = strlen(missing);
    for (size_t len = 1000; len <= 12000; len += 11000) {
        char *name = malloc(len + 1);
        memset(name, 'x', len);
        memcpy(name, missing, prefix < len ? prefix : len);
        name[len] = '\0';
        EXPECT_ERROR(vox_load_file(ctx, name, NULL, &s), VOX_E_IO);
        const char *d = vox_ctx_last_error_detail(ctx);
        const char *reason = len < 4096 ? ": No such file or directory" : ": File name too long";
        CHECK(strncmp(d, missing, prefix) == 0 && strlen(d) > strlen(reason) &&
                  strcmp(d + strlen(d) - strlen(reason), reason) == 0 && (len < 4096) == (strstr(d, "[...]") == NULL),
              "a %zu-byte name: the detail ends with the reason (%zu bytes: ...%s)", len, strlen(d),
              d + (strlen(d) > 60 ? strlen(d) - 60 : 0));
        free(name);
    }
}

/* The loader's count of control bytes in the first 64 KiB (eight bytes at a
 * time) equals a plain count, whatever surrounds them: high bytes, the allowed
 * \t \n \v \f \r, bytes 0x1f/0x20 either side of the boundary, any alignment. */
static void test_control_bytes(void)
{
    enum { N = 70000 };
    unsigned char *buf = malloc(N);
    unsigned seed = 12345;
    for (int round = 0; round < 200 && buf; round++) {
        const char *head = "ATOM      1  CA  ALA A   1       0.000   0.000   0.000  1.00  0.00           C\n";
        size_t h = strlen(head), want = 0;
        memcpy(buf, head, h);
        for (size_t i = h; i < N; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) & 0x7fff;
            unsigned char c = r % 97 == 0 ? (unsigned char)(r % 32) /* a control or allowed byte */
                              : r % 5 == 0 ? (unsigned char)(0x80 + r % 128) : r % 7 == 0 ? (unsigned char)(0x1f + r % 3)
                                                                                       : (unsigned char)('A' + r % 26);
            if (round % 50 == 0) c = (unsigned char)(0x20 + r % 95); /* none */
            buf[i] = c;
            if (i < 65536 && c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r')
                want++;
        }
        vox_structure *s = NULL;
        vox_status st = vox_load_buffer(ctx, buf, N, "ctl.pdb", NULL, &s);
        char expect[128];
        snprintf(expect, sizeof expect, "(%zu control bytes in the first 65536)", want);
        if (want)
            CHECK(st == VOX_E_FORMAT && strstr(vox_ctx_last_error_detail(ctx), expect),
                  "round %d: %zu control bytes: %s", round, want, vox_ctx_last_error_detail(ctx));
        else
            CHECK(!strstr(vox_ctx_last_error_detail(ctx), "binary data"), "round %d: no control bytes: %s", round,
                  vox_ctx_last_error_detail(ctx));
        vox_structure_free(&s);
    }
    free(buf);
}

static void test_array_errors(void)
{
    float xyz[6] = {0, 0, 0, 1, 1, 1};
    const char *el[2] = {"C", "C"}, *nm[2] = {"CA", "CB"}, *rn[2] = {"ALA", "ALA"};
    const char *longname[2] = {"CA", "WAYTOOLONGNAME"};
    int32_t rid[2] = {1, 1};
    vox_atom_arrays a;
    vox_structure *s = NULL;
    vox_atom_arrays_init(&a);
    a.count = 2; a.xyz = xyz; a.element = el; a.atom_name = nm; a.res_name = rn; a.res_id = rid;
    EXPECT_ERROR(vox_structure_from_arrays(ctx, &a, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_structure_from_arrays(ctx, NULL, &s), VOX_E_INVALID_ARG);
    a.size = 0;
    EXPECT_ERROR(vox_structure_from_arrays(ctx, &a, &s), VOX_E_INVALID_ARG);
    a.size = sizeof a;
    a.count = 0;
    EXPECT_ERROR(vox_structure_from_arrays(ctx, &a, &s), 0);
    a.count = 2;
    a.res_id = NULL;
    EXPECT_ERROR(vox_structure_from_arrays(ctx, &a, &s), VOX_E_INVALID_ARG);
    a.res_id = rid;
    xyz[4] = NAN;
    EXPECT_ERROR(vox_structure_from_arrays(ctx, &a, &s), VOX_E_INVALID_ARG);
    xyz[4] = 1;
    a.atom_name = longname;
    EXPECT_ERROR(vox_structure_from_arrays(ctx, &a, &s), VOX_E_INVALID_ARG);
    a.atom_name = nm;
    CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_OK, "good arrays");
    EXPECT_ERROR(vox_structure_set_coords(ctx, NULL, xyz, 2), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_structure_set_coords(ctx, s, NULL, 2), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_structure_set_coords(ctx, s, xyz, 3), VOX_E_INVALID_ARG);
    xyz[0] = INFINITY;
    EXPECT_ERROR(vox_structure_set_coords(ctx, s, xyz, 2), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_prepare(ctx, NULL, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_prepare(ctx, s, NULL), 0); /* two atoms: too few to align */
    vox_structure_free(&s);
}

static void test_prepare_analyze_errors(void)
{
    vox_structure *s = load("pocket_box.pdb");
    vox_result *r = NULL;
    vox_analyze_params p;
    CHECK(s && vox_prepare(ctx, s, NULL) == VOX_OK, "load + prepare");
    EXPECT_ERROR(vox_prepare(ctx, s, NULL), VOX_E_INVALID_ARG); /* already prepared */
    EXPECT_ERROR(vox_analyze(ctx, NULL, NULL, &r), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_analyze(ctx, s, NULL, NULL), VOX_E_INVALID_ARG);
    vox_analyze_params_init(&p);
    p.resolution = -1;
    EXPECT_ERROR(vox_analyze(ctx, s, &p, &r), VOX_E_INVALID_ARG);
    vox_analyze_params_init(&p);
    p.connectivity = (vox_connectivity)7;
    EXPECT_ERROR(vox_analyze(ctx, s, &p, &r), VOX_E_INVALID_ARG);
    vox_analyze_params_init(&p);
    p.has_grid = 1;
    EXPECT_ERROR(vox_analyze(ctx, s, &p, &r), VOX_E_INVALID_ARG); /* dims 0 */
    /* a lattice whose origin is far from the atoms: refused at once (stepping
     * one voxel at a time towards it never ended), as too large, not empty */
    for (int far = 0; far < 3; far++) {
        static const double origin[3] = {-1e20, 1e20, -1e10};
        vox_analyze_params_init(&p);
        p.resolution = 2.0;
        p.has_grid = 1;
        p.grid_dims[0] = p.grid_dims[1] = p.grid_dims[2] = 1;
        p.grid_origin[0] = origin[far];
        EXPECT_ERROR(vox_analyze(ctx, s, &p, &r), VOX_E_GRID_TOO_LARGE);
        CHECK(strstr(vox_ctx_last_error_detail(ctx), "far from the atoms") != NULL, "the lattice's origin: %s",
              vox_ctx_last_error_detail(ctx));
    }
    vox_analyze_params_init(&p);
    p.has_min_volume = 1;
    p.min_volume = NAN;
    EXPECT_ERROR(vox_analyze(ctx, s, &p, &r), VOX_E_INVALID_ARG);
    vox_analyze_params_init(&p);
    p.resolution = 1e-4;
    EXPECT_ERROR(vox_analyze(ctx, s, &p, &r), VOX_E_GRID_TOO_LARGE);
    /* vox_estimate_grid's argument checks leave a detail too */
    vox_grid_estimate ge;
    memset(&ge, 0, sizeof ge);
    EXPECT_ERROR(vox_estimate_grid(ctx, s, NULL, &ge), VOX_E_INVALID_ARG); /* size 0 */
    ge.size = sizeof ge;
    EXPECT_ERROR(vox_estimate_grid(ctx, s, NULL, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_estimate_grid(ctx, NULL, NULL, &ge), VOX_E_INVALID_ARG);
    vox_analyze_params_init(&p);
    p.has_grid = 1;
    EXPECT_ERROR(vox_estimate_grid(ctx, s, &p, &ge), VOX_E_INVALID_ARG); /* dims 0 */
    CHECK(r == NULL, "no result after errors");
    vox_structure_free(&s);
    /* no protein after cleaning */
    vox_structure *w = NULL;
    const char *water = "HETATM    1  O   HOH A   1       0.000   0.000   0.000  1.00  0.00           O\n"
                        "HETATM    2  O   HOH A   2       3.000   0.000   0.000  1.00  0.00           O\n"
                        "HETATM    3  O   HOH A   3       0.000   3.000   0.000  1.00  0.00           O\n";
    CHECK(vox_load_buffer(ctx, water, strlen(water), "water.pdb", NULL, &w) == VOX_OK, "water loads");
    EXPECT_ERROR(vox_prepare(ctx, w, NULL), VOX_E_NO_ATOMS);
    vox_structure_free(&w);
}

static void test_frames_errors(void)
{
    char path[4096];
    vox_frames *f = NULL;
    float xyz[9];
    int got = 0;
    EXPECT_ERROR(vox_frames_open(ctx, NULL, &f), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_frames_open(ctx, "/nonexistent.dcd", &f), VOX_E_IO);
    EXPECT_ERROR(vox_frames_open(ctx, tmp, &f), VOX_E_IO);
    snprintf(path, sizeof path, "%s/garbage.pdb", tmp);
    EXPECT_ERROR(vox_frames_open(ctx, path, &f), 0);
    snprintf(path, sizeof path, "%s/models.pdb", tmp);
    write_file(path, "MODEL        1\n"
                     "ATOM      1  N   ALA A   1       0.000   0.000   0.000  1.00  0.00           N\n"
                     "ATOM      2  CA  ALA A   1       1.000   0.000   0.000  1.00  0.00           C\n"
                     "ATOM      3  C   ALA A   1       1.000   1.000   0.000  1.00  0.00           C\n"
                     "ENDMDL\nMODEL        2\n"
                     "ATOM      1  N   ALA A   1       0.000   0.000   1.000  1.00  0.00           N\n"
                     "ATOM      2  CA  ALA A   1       1.000   0.000   1.000  1.00  0.00           C\n"
                     "ATOM      3  C   ALA A   1       1.000   1.000   1.000  1.00  0.00           C\n"
                     "ENDMDL\nEND\n");
    reset();
    CHECK(vox_frames_open(ctx, path, &f) == VOX_OK && vox_frames_atom_count(f) == 3, "models open: %s",
          vox_ctx_last_error_detail(ctx));
    vox_frame_info info;
    memset(&info, 0, sizeof info);
    EXPECT_ERROR(vox_frames_next(ctx, NULL, xyz, NULL, &got), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_frames_next(ctx, f, NULL, NULL, &got), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_frames_next(ctx, f, xyz, NULL, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_frames_next(ctx, f, xyz, &info, &got), VOX_E_INVALID_ARG); /* info.size 0 */
    EXPECT_ERROR(vox_frames_skip(ctx, f, &info, &got), VOX_E_INVALID_ARG);
    vox_frames_close(&f);
}

static void test_tracker_errors(void)
{
    vox_tracker *t = NULL;
    vox_tracker_params tp;
    vox_tracker_params_init(&tp);
    char *doc = NULL;
    size_t len = 0;
    EXPECT_ERROR(vox_tracker_create(ctx, NULL, &t), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_tracker_create(ctx, &tp, NULL), VOX_E_INVALID_ARG);
    tp.size = 0;
    EXPECT_ERROR(vox_tracker_create(ctx, &tp, &t), VOX_E_INVALID_ARG);
    vox_tracker_params_init(&tp);
    tp.resolution = 0;
    EXPECT_ERROR(vox_tracker_create(ctx, &tp, &t), VOX_E_INVALID_ARG);
    vox_tracker_params_init(&tp);
    tp.resolution = 3.0;
    tp.origin[0] = 0.123456; /* ok_r's grid is not on this lattice */
    CHECK(vox_tracker_create(ctx, &tp, &t) == VOX_OK, "tracker");
    EXPECT_ERROR(vox_tracker_add(ctx, NULL, 0, ok_r, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_tracker_add(ctx, t, 0, NULL, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_tracker_add(ctx, t, 0, ok_r, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_render_occupancy_dx(ctx, NULL, -1, NULL, &doc, &len), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_render_occupancy_dx(ctx, t, 9, NULL, &doc, &len), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_render_occupancy_dx(ctx, t, -1, NULL, &doc, &len), VOX_E_INVALID_ARG); /* no frames */
    EXPECT_ERROR(vox_tracker_restore(ctx, NULL, 4, &t), VOX_E_INVALID_ARG);
    vox_tracker *u = NULL;
    EXPECT_ERROR(vox_tracker_restore(ctx, "VOXTRK01garbage", 15, &u), VOX_E_PARSE);
    vox_tracker_free(&t);
}

static void test_writer_errors(void)
{
    char *doc = NULL;
    size_t len = 0;
    char path[4096];
    vox_render_params rp = {.size = sizeof rp, .output_frame = (vox_output_frame)7};
    EXPECT_ERROR(vox_render(ctx, VOX_DOC_DF_JSON, ok_s, NULL, NULL, &doc, &len), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_render(ctx, VOX_DOC_DF_JSON, ok_s, ok_r, NULL, NULL, &len), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_render(ctx, (vox_document)42, ok_s, ok_r, NULL, &doc, &len), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_render(ctx, VOX_DOC_PDB, ok_s, ok_r, &rp, &doc, &len), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_render(ctx, VOX_DOC_PDB, NULL, ok_r, NULL, &doc, &len), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_write_document(ctx, VOX_DOC_DF_JSON, ok_s, ok_r, NULL, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_write_df_json(ctx, ok_r, "/nonexistent/dir/x.json"), VOX_E_IO);
    EXPECT_ERROR(vox_write_df_json(ctx, NULL, "x.json"), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_write_annotated_pdb(ctx, NULL, ok_r, "x.pdb"), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_write_annotated_cif(ctx, ok_s, ok_r, 0, NULL), VOX_E_INVALID_ARG);
    EXPECT_ERROR(vox_write_annotation_payload(ctx, NULL, ok_r, NULL, "x.json"), VOX_E_INVALID_ARG);
    double a, b, c;
    EXPECT_ERROR(vox_secondary_structure(ctx, NULL, &a, &b, &c), VOX_E_INVALID_ARG);
    snprintf(path, sizeof path, "%s/never.json", tmp);
    CHECK(access(path, F_OK) != 0, "nothing written on errors");
}

/* Input structs with a size under sizeof(size_t) (a struct never set up by
 * its init function, say zero-initialised) are refused, naming the struct
 * and its init function: before, such a vox_prepare_params was read as
 * align = 0 and the structure went unaligned without a word. */
static void test_input_sizes(void)
{
    vox_structure *s = load("pocket_box.pdb");
    vox_result *r = NULL;
    CHECK(s != NULL, "load");
    vox_prepare_params pp;
    memset(&pp, 0, sizeof pp);
    EXPECT_ERROR(vox_prepare(ctx, s, &pp), VOX_E_INVALID_ARG);
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "vox_prepare_params.size is 0") &&
              strstr(vox_ctx_last_error_detail(ctx), "vox_prepare_params_init"),
          "the prepare detail names the struct and its init: %s", vox_ctx_last_error_detail(ctx));
    CHECK(vox_prepare(ctx, s, NULL) == VOX_OK, "the refused call left the structure unprepared");
    vox_analyze_params ap;
    memset(&ap, 0, sizeof ap);
    EXPECT_ERROR(vox_analyze(ctx, s, &ap, &r), VOX_E_INVALID_ARG);
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "vox_analyze_params.size is 0") != NULL, "analyze: %s",
          vox_ctx_last_error_detail(ctx));
    vox_analyze_params_init(&ap);
    ap.size = sizeof ap.size; /* a header that had nothing after the size: every default */
    CHECK(vox_analyze(ctx, s, &ap, &r) == VOX_OK && vox_result_count(r) == vox_result_count(ok_r),
          "a size of only the size field takes every default");
    vox_load_params lp;
    memset(&lp, 0, sizeof lp);
    vox_structure *other = NULL;
    const char *pdb = "ATOM      1  CA  ALA A   1       0.000   0.000   0.000  1.00  0.00           C\n";
    EXPECT_ERROR(vox_load_buffer(ctx, pdb, strlen(pdb), "x.pdb", &lp, &other), VOX_E_INVALID_ARG);
    CHECK(other == NULL, "nothing loaded");
    vox_render_params rp;
    memset(&rp, 0, sizeof rp);
    char *doc = NULL;
    size_t len = 0;
    EXPECT_ERROR(vox_render(ctx, VOX_DOC_DF_JSON, s, r, &rp, &doc, &len), VOX_E_INVALID_ARG);
    vox_payload_info pi;
    memset(&pi, 0, sizeof pi);
    vox_render_params_init(&rp);
    rp.payload = &pi;
    EXPECT_ERROR(vox_render(ctx, VOX_DOC_PAYLOAD_JSON, s, r, &rp, &doc, &len), VOX_E_INVALID_ARG);
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "vox_payload_info") != NULL, "payload: %s",
          vox_ctx_last_error_detail(ctx));
    CHECK(doc == NULL, "nothing rendered");
    vox_result_free(&r);
    vox_structure_free(&s);
    /* vox_reference_create needs a structure prepared with align = 0 */
    vox_structure *ref = load("pocket_box.pdb");
    vox_prepare_params_init(&pp);
    pp.align = 0;
    CHECK(ref && vox_prepare(ctx, ref, &pp) == VOX_OK, "prepare without alignment");
    size_t n = vox_structure_input_atom_count(ref);
    float *xyz = calloc(3 * n + 1, sizeof *xyz);
    vox_reference *rf = NULL;
    vox_reference_params fp;
    memset(&fp, 0, sizeof fp);
    CHECK(xyz != NULL, "memory");
    EXPECT_ERROR(vox_reference_create(ctx, ref, xyz, n, &fp, &rf), VOX_E_INVALID_ARG);
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "vox_reference_params") != NULL, "reference: %s",
          vox_ctx_last_error_detail(ctx));
    CHECK(rf == NULL, "no reference");
    free(xyz);
    vox_structure_free(&ref);
}

/* Results remember the structure they were computed from, and its state. */
static void test_identity(void)
{
    vox_structure *s1 = load("pocket_box.pdb"), *s2 = load("pocket_box.pdb"), *s3 = load("pore_box.pdb");
    vox_result *r = NULL;
    char *doc = NULL, *again = NULL;
    size_t len = 0;
    CHECK(s1 && s2 && s3 && vox_prepare(ctx, s1, NULL) == VOX_OK && vox_prepare(ctx, s2, NULL) == VOX_OK &&
              vox_prepare(ctx, s3, NULL) == VOX_OK && vox_analyze(ctx, s1, NULL, &r) == VOX_OK,
          "two loads of one file and another file");
    static const vox_document docs[] = {VOX_DOC_PAYLOAD_JSON, VOX_DOC_PDB, VOX_DOC_CIF};
    for (int d = 0; d < 3; d++) {
        CHECK(vox_render(ctx, docs[d], s1, r, NULL, &doc, &len) == VOX_OK, "its own structure renders (doc %d)", d);
        vox_free(doc);
        doc = NULL;
        EXPECT_ERROR(vox_render(ctx, docs[d], s3, r, NULL, &doc, &len), VOX_E_INVALID_ARG);
        CHECK(strstr(vox_ctx_last_error_detail(ctx), "another structure") && doc == NULL && len == 0,
              "another structure is refused (doc %d): %s", d, vox_ctx_last_error_detail(ctx));
        EXPECT_ERROR(vox_render(ctx, docs[d], s2, r, NULL, &doc, &len), VOX_E_INVALID_ARG);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/mixed.cif", tmp);
    EXPECT_ERROR(vox_write_annotated_cif(ctx, s3, r, 0, path), VOX_E_INVALID_ARG);
    CHECK(access(path, F_OK) != 0, "no file for a mismatched pair");
    /* the df JSON needs only the result: any structure, or none */
    CHECK(vox_render(ctx, VOX_DOC_DF_JSON, NULL, r, NULL, &doc, &len) == VOX_OK, "df JSON without a structure");
    CHECK(vox_render(ctx, VOX_DOC_DF_JSON, s3, r, NULL, &again, &len) == VOX_OK && !strcmp(doc, again),
          "df JSON ignores the structure");
    vox_free(again);
    again = NULL;

    /* the next frame: same structure, new coordinates */
    size_t n = vox_structure_input_atom_count(s1);
    float *xyz = malloc(3 * n * sizeof *xyz);
    vox_structure *raw = load("pocket_box.pdb");
    vox_structure_coords(raw, xyz);
    for (size_t i = 0; i < 3 * n; i++) xyz[i] += 0.25f;
    CHECK(vox_structure_set_coords(ctx, s1, xyz, n) == VOX_OK, "set_coords");
    EXPECT_ERROR(vox_render(ctx, VOX_DOC_CIF, s1, r, NULL, &again, &len), VOX_E_INVALID_ARG);
    CHECK(strstr(vox_ctx_last_error_detail(ctx), "vox_structure_set_coords"), "the detail says what changed: %s",
          vox_ctx_last_error_detail(ctx));
    vox_volume v = {.size = sizeof v};
    CHECK(vox_render(ctx, VOX_DOC_DF_JSON, s1, r, NULL, &again, &len) == VOX_OK && !strcmp(doc, again) &&
              vox_result_count(r) > 0 && vox_result_volume(r, 0, &v) == VOX_OK,
          "the old result stays usable for what needs only the result");
    vox_free(again);
    again = NULL;
    vox_result *r2 = NULL;
    CHECK(vox_analyze(ctx, s1, NULL, &r2) == VOX_OK && vox_render(ctx, VOX_DOC_CIF, s1, r2, NULL, &again, &len) == VOX_OK,
          "analysing the new frame gives a result that renders with it");
    vox_free(again);
    vox_result_free(&r2);

    /* a structure is analysed only once prepared, so no result can predate its vox_prepare */
    vox_result *r3 = NULL;
    EXPECT_ERROR(vox_analyze(ctx, raw, NULL, &r3), VOX_E_INVALID_ARG);
    CHECK(r3 == NULL && strstr(vox_ctx_last_error_detail(ctx), "vox_prepare"), "says vox_prepare: %s",
          vox_ctx_last_error_detail(ctx));
    free(xyz);
    vox_free(doc);
    vox_result_free(&r);
    vox_structure_free(&raw);
    vox_structure_free(&s1);
    vox_structure_free(&s2);
    vox_structure_free(&s3);
}

static int logged;
static char last_line[512];
static void logger(void *cookie, const char *line)
{
    (void)cookie;
    logged++;
    snprintf(last_line, sizeof last_line, "%s", line);
}

/* Runs vox_ctx_create with stderr sent to a file; returns what reached stderr. */
static char *stderr_of_create(const vox_options *o, vox_ctx **out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/stderr.txt", tmp);
    fflush(stderr);
    int saved = dup(2), fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    dup2(fd, 2);
    close(fd);
    vox_ctx_create(out, o);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    static char text[4096];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = '\0';
    if (f) fclose(f);
    return text;
}

/* The header, README and behaviour agree: a bad VOX_* value (other than
 * VOX_ISA) is ignored with a warning, which goes to the logger, or to
 * stderr only when verbose, and is listed in vox_ctx_describe. */
static void test_printing(void)
{
    vox_options o;
    vox_options_init(&o);
    o.profile = "";
    vox_ctx *c = NULL;
    unsetenv("VOX_VERBOSE");
    setenv("VOX_THREADS", "many", 1);
    char *err = stderr_of_create(&o, &c);
    CHECK(c && err[0] == '\0', "not verbose, no logger: nothing on stderr ('%s')", err);
    CHECK(c && strstr(vox_ctx_describe(c), "warnings: VOX_THREADS='many'"), "describe lists the warning: %s",
          c ? vox_ctx_describe(c) : "");
    vox_ctx_destroy(&c);
    o.log = logger;
    logged = 0;
    err = stderr_of_create(&o, &c);
    CHECK(c && err[0] == '\0' && logged == 1 && strstr(last_line, "warning: VOX_THREADS='many'"),
          "a logger gets the warning, stderr nothing: %d '%s' '%s'", logged, last_line, err);
    vox_ctx_destroy(&c);
    o.log = NULL;
    setenv("VOX_VERBOSE", "1", 1);
    err = stderr_of_create(&o, &c);
    CHECK(c && strstr(err, "vox: warning: VOX_THREADS='many'"), "verbose: the warning on stderr: '%s'", err);
    vox_ctx_destroy(&c);
    unsetenv("VOX_THREADS");
    setenv("VOX_VERBOSE", "yes", 1);
    err = stderr_of_create(&o, &c);
    CHECK(c && err[0] == '\0' && strstr(vox_ctx_describe(c), "VOX_VERBOSE='yes'"),
          "a bad VOX_VERBOSE: quiet, and said in describe: '%s' %s", err, c ? vox_ctx_describe(c) : "");
    vox_ctx_destroy(&c);
    unsetenv("VOX_VERBOSE");
    setenv("VOX_BIND", "sideways", 1);
    o.log = logger;
    logged = 0;
    err = stderr_of_create(&o, &c);
    CHECK(c && logged == 1 && strstr(last_line, "VOX_BIND") && err[0] == '\0', "a bad VOX_BIND: a warning: %s",
          last_line);
    vox_ctx_destroy(&c);
    unsetenv("VOX_BIND");
}

/* Output records whose size is under the size field's own: refused, and
 * nothing written past those bytes (writing the size back overran them). */
static void test_record_sizes(void)
{
    union {
        vox_volume v;
        unsigned char bytes[sizeof(vox_volume)];
    } out;
    memset(&out, 0xab, sizeof out);
    out.v.size = 4;
    CHECK(vox_result_volume(ok_r, 0, &out.v) == VOX_E_INVALID_ARG, "vox_result_volume with a 4-byte record refused");
    CHECK(vox_result_volumes(ok_r, 0, 1, &out.v) == 0, "vox_result_volumes with a 4-byte record: nothing");
    size_t untouched = 0;
    for (size_t i = sizeof out.v.size; i < sizeof out; i++) untouched += out.bytes[i] == 0xab;
    CHECK(out.v.size == 4 && untouched == sizeof out - sizeof out.v.size, "a 4-byte record is left as it was");
    vox_box box;
    box.size = 7;
    CHECK(vox_result_box(ok_r, 0, VOX_FRAME_ALIGNED, 4.0, &box) == VOX_E_INVALID_ARG, "a 7-byte box refused");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_api_errors SYNTHETIC_DIR TMP_DIR\n");
        return 2;
    }
    dir = argv[1];
    static char t[4096];
    snprintf(t, sizeof t, "%s/api-errors.%d", argv[2], (int)getpid());
    mkdir(t, 0755);
    tmp = t;
    unsetenv("VOX_ISA");
    test_ctx_create();
    if (!(ctx = one_thread_ctx()))
        return 1;
    ok_s = load("pocket_box.pdb");
    if (!ok_s || vox_prepare(ctx, ok_s, NULL) != VOX_OK || vox_analyze(ctx, ok_s, NULL, &ok_r) != VOX_OK) {
        fprintf(stderr, "cannot analyse pocket_box.pdb: %s\n", vox_ctx_last_error_detail(ctx));
        return 1;
    }
    test_load_errors();
    test_control_bytes();
    test_array_errors();
    test_prepare_analyze_errors();
    test_frames_errors();
    test_tracker_errors();
    test_writer_errors();
    test_input_sizes();
    test_identity();
    test_printing();
    test_record_sizes();
    vox_result_free(&ok_r);
    vox_structure_free(&ok_s);
    vox_ctx_destroy(&ctx);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    return check_report();
}
