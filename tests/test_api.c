/* test_api.c - the public API: contexts, loading from paths and memory (plain and gzip),
 * results, writers, errors, and several contexts running concurrently in threads */
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    vox_render_params rp = {.size = sizeof rp, .include_hubs = 1, .output_frame = VOX_FRAME_ALIGNED};
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
    /* one thread limit everywhere: the option stops where --threads and VOX_THREADS do */
    vox_options_init(&o);
    o.threads = VOX_MAX_THREADS + 1;
    CHECK(vox_ctx_create(&ctx, &o) == VOX_E_INVALID_ARG && ctx == NULL, "threads over VOX_MAX_THREADS refused");
    o.threads = 100000;
    CHECK(vox_ctx_create(&ctx, &o) == VOX_E_INVALID_ARG && ctx == NULL, "threads 100000 refused");
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
    /* the input limit holds for text and for what gzip data decompresses to */
    vox_load_params small;
    vox_load_params_init(&small);
    small.max_input_bytes = 1000;
    vox_structure *big = NULL;
    CHECK(vox_load_buffer(ctx, text, len, "long.pdb", &small, &big) == VOX_E_IO && big == NULL &&
              strstr(vox_ctx_last_error_detail(ctx), "more than 1000 bytes"),
          "text over max_input_bytes: %s", vox_ctx_last_error_detail(ctx));
    CHECK(vox_load_buffer(ctx, z, zlen, "long.pdb.gz", &small, &big) == VOX_E_DECOMPRESS && big == NULL &&
              strstr(vox_ctx_last_error_detail(ctx), "decompresses to more than 1000 bytes"),
          "gzip over max_input_bytes: %s", vox_ctx_last_error_detail(ctx));
    small.max_input_bytes = len;
    CHECK(vox_load_buffer(ctx, z, zlen, "exact.pdb.gz", &small, &big) == VOX_OK, "text of exactly the limit loads: %s",
          vox_ctx_last_error_detail(ctx));
    vox_structure_free(&big);
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
    vox_volume v = {.size = sizeof v};
    CHECK(vox_result_volume(r, 0, &v) == VOX_OK && v.size == sizeof v && v.type == VOX_PORE && v.volume == v.num_voxels * 8.0 &&
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
    /* the estimate is the grid vox_analyze built */
    vox_grid_estimate ge;
    memset(&ge, 0, sizeof ge);
    ge.size = sizeof ge;
    CHECK(vox_estimate_grid(ctx, a, &ap, &ge) == VOX_OK && !memcmp(ge.dims, dims, sizeof dims) &&
              ge.voxels == (uint64_t)dims[0] * dims[1] * dims[2] && ge.bytes > 24 * ge.voxels && !ge.over_limit &&
              !ge.approximate,
          "estimate: %d %d %d", ge.dims[0], ge.dims[1], ge.dims[2]);
    ap.resolution = 0.001;
    CHECK(vox_estimate_grid(ctx, a, &ap, &ge) == VOX_OK && ge.over_limit && ge.approximate && ge.voxels > 1e12,
          "estimate of an absurd grid: over the limit, bounded");
    ap.resolution = 2.0;
    vox_structure *unprepared = NULL;
    vox_result *never = NULL;
    CHECK(vox_load_file(ctx, path, NULL, &unprepared) == VOX_OK &&
              vox_analyze(ctx, unprepared, &ap, &never) == VOX_E_INVALID_ARG &&
              strstr(vox_ctx_last_error_detail(ctx), "not prepared") &&
              vox_estimate_grid(ctx, unprepared, &ap, &ge) == VOX_E_INVALID_ARG,
          "an unprepared structure is refused: %s", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&unprepared);

    vox_stats st = {.size = sizeof st};
    CHECK(vox_ctx_get_stats(ctx, &st) == VOX_OK && st.size == sizeof st &&
              st.voxels == (uint64_t)dims[0] * dims[1] * dims[2] && st.points > st.atoms, "stats");
    { /* on a fixed lattice (has_grid, as trajectories analyse): the lattice vox_analyze builds, not the
       * structure's own grid; the origin shifted 40 A below x grows the grid by 20 voxels */
        vox_analyze_params lp = ap;
        vox_result *lr = NULL;
        int ldims[3];
        CHECK(vox_result_lattice(r, &lp) == VOX_OK && lp.has_grid, "lattice");
        lp.grid_origin[0] -= 40.0;
        memset(&ge, 0, sizeof ge);
        ge.size = sizeof ge;
        CHECK(vox_analyze(ctx, a, &lp, &lr) == VOX_OK, "analyze on the shifted lattice");
        vox_result_grid(lr, ldims, NULL);
        CHECK(ldims[0] == dims[0] + 20 && ldims[1] == dims[1] && ldims[2] == dims[2], "shifted lattice %d %d %d",
              ldims[0], ldims[1], ldims[2]);
        CHECK(vox_estimate_grid(ctx, a, &lp, &ge) == VOX_OK && !memcmp(ge.dims, ldims, sizeof ldims) &&
                  ge.voxels == (uint64_t)ldims[0] * ldims[1] * ldims[2] && !ge.over_limit && !ge.approximate,
              "estimate on a fixed lattice: %d %d %d, vox_analyze built %d %d %d", ge.dims[0], ge.dims[1], ge.dims[2],
              ldims[0], ldims[1], ldims[2]);
        vox_result_free(&lr);
    }
    /* output structs: the caller's size decides how much is filled */
    vox_stats zero;
    memset(&zero, 0, sizeof zero);
    CHECK(vox_ctx_get_stats(ctx, &zero) == VOX_E_INVALID_ARG && vox_ctx_get_stats(ctx, NULL) == VOX_E_INVALID_ARG,
          "stats: size 0 or NULL refused");
    vox_volume vz;
    memset(&vz, 0, sizeof vz);
    CHECK(vox_result_volume(r, 0, &vz) == VOX_E_INVALID_ARG, "volume: size 0 refused");
    /* a caller built with an older, shorter vox_volume (up to and including the volume field) gets
     * exactly those bytes, and nothing past them is touched */
    unsigned char raw[sizeof(vox_volume) + 16];
    memset(raw, 0xAB, sizeof raw);
    vox_volume *older = (vox_volume *)(void *)raw;
    size_t old_size = offsetof(vox_volume, volume) + sizeof older->volume;
    older->size = old_size;
    int untouched = 1;
    CHECK(vox_result_volume(r, 0, older) == VOX_OK && older->size == old_size && older->volume == v.volume &&
              older->id == v.id, "an older, shorter struct is filled up to its size");
    for (size_t i = old_size; i < sizeof raw; i++) untouched &= raw[i] == 0xAB;
    CHECK(untouched, "nothing past the caller's size is written");
    /* all volumes at once: the same records as one by one, at the caller's stride, clipped to the table */
    {
        const size_t nv = vox_result_count(r);
        vox_volume *all = calloc(nv + 1, sizeof *all);
        all[0].size = sizeof *all;
        CHECK(vox_result_volumes(r, 0, nv + 5, all) == nv, "volumes: clipped to the table");
        int same = 1;
        for (size_t i = 0; i < nv; i++) {
            vox_volume one = {.size = sizeof one};
            vox_result_volume(r, i, &one);
            same &= !memcmp(&one, &all[i], sizeof one);
        }
        CHECK(same, "volumes: each record equals vox_result_volume's");
        unsigned char *packed = malloc(nv * old_size + 16);
        memset(packed, 0xAB, nv * old_size + 16);
        ((vox_volume *)(void *)packed)->size = old_size;
        CHECK(nv < 2 || vox_result_volumes(r, 1, 1, (vox_volume *)(void *)packed) == 1, "volumes: from an index");
        CHECK(vox_result_volumes(r, 0, nv, (vox_volume *)(void *)packed) == nv, "volumes: older records");
        int packed_ok = packed[nv * old_size] == 0xAB;
        for (size_t i = 0; i < nv; i++) {
            const vox_volume *o = (const vox_volume *)(void *)(packed + i * old_size);
            packed_ok &= o->size == old_size && o->id == all[i].id && o->volume == all[i].volume;
        }
        CHECK(packed_ok, "volumes: an older caller's records at its own stride, nothing past them");
        CHECK(vox_result_volumes(r, nv, 1, all) == 0 && vox_result_volumes(NULL, 0, 1, all) == 0, "volumes: none");
        all[0].size = 0;
        CHECK(vox_result_volumes(r, 0, 1, all) == 0, "volumes: size 0 refused");
        free(all);
        free(packed);
    }
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
    /* a target that exists and is not a regular file is refused and left as it is */
    char sp[] = "/tmp/vox-api-XXXXXX";
    if (mkdtemp(sp)) {
        char fifo[64], link[64];
        snprintf(fifo, sizeof fifo, "%s/fifo", sp);
        snprintf(link, sizeof link, "%s/to-null", sp);
        CHECK(mkfifo(fifo, 0600) == 0 && symlink("/dev/null", link) == 0, "FIFO and link made");
        CHECK(vox_write_df_json(ctx, r, fifo) == VOX_E_IO && strstr(vox_ctx_last_error_detail(ctx), "FIFO"),
              "df json onto a FIFO refused: %s", vox_ctx_last_error_detail(ctx));
        CHECK(vox_write_annotated_pdb(ctx, a, r, link) == VOX_E_IO &&
                  strstr(vox_ctx_last_error_detail(ctx), "character device"),
              "pdb onto a link to /dev/null refused: %s", vox_ctx_last_error_detail(ctx));
        struct stat fs, ls, ns;
        CHECK(stat(fifo, &fs) == 0 && S_ISFIFO(fs.st_mode) && lstat(link, &ls) == 0 && S_ISLNK(ls.st_mode) &&
                  stat("/dev/null", &ns) == 0 && S_ISCHR(ns.st_mode), "FIFO, link and /dev/null left as they were");
        unlink(fifo);
        unlink(link);
        rmdir(sp);
    }
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

/* The mmCIF tokenizer reads words eight bytes at a time where eight remain:
 * the same atoms whatever the blanks between the values (one space, runs
 * of spaces, tabs, CR LF), with words that straddle eight-byte boundaries,
 * a control byte inside a word (part of it, not a blank), and the last
 * value ending the text with no line end. */
static void test_cif_layouts(void)
{
    vox_ctx *ctx;
    vox_ctx_create(&ctx, NULL);
    const char *head = "data_t\nloop_\n_atom_site.group_PDB\n_atom_site.id\n_atom_site.type_symbol\n"
                       "_atom_site.label_atom_id\n_atom_site.label_comp_id\n_atom_site.label_asym_id\n"
                       "_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n";
    const char *rows[2][3] = {{"ATOM 1 C CA ALA A 1 1.25 -2.5 3.125", "ATOM 2 N N\001X GLYCINE7 B 20 10.5 0.0 -7.75",
                               "HETATM 3 O O HOH C 300 123456.5 -0.001 42"},
                              {"ATOM\t  1     C  CA     ALA A 1  1.25   -2.5  3.125  ",
                               "ATOM   2 N N\001X    GLYCINE7\tB\t20 10.5 0.0        -7.75",
                               "HETATM        3 O O HOH C 300 123456.5 -0.001 42"}};
    const char *ends[2][3] = {{"\n", "\n", ""}, {"\r\n", "\n", ""}};
    vox_structure *s[2] = {NULL, NULL};
    for (int v = 0; v < 2; v++) {
        /* the loader refuses control bytes in a file's first 64 KiB: comments first */
        const size_t cap = 70000 + 1024;
        char *text = malloc(cap);
        size_t n = (size_t)snprintf(text, cap, "data_t\n");
        while (n < 70000) n += (size_t)snprintf(text + n, cap - n, "# %s\n", "a comment line to pass the binary probe");
        n += (size_t)snprintf(text + n, cap - n, "%s", head + strlen("data_t\n"));
        for (int r = 0; r < 3; r++) n += (size_t)snprintf(text + n, cap - n, "%s%s", rows[v][r], ends[v][r]);
        CHECK(vox_load_buffer(ctx, text, n, "layout.cif", NULL, &s[v]) == VOX_OK, "layout %d: %s", v,
              vox_ctx_last_error_detail(ctx));
        free(text);
    }
    CHECK(s[0] && s[1] && vox_structure_atom_count(s[0]) == 3 && vox_structure_atom_count(s[1]) == 3,
          "three atoms in both layouts");
    for (size_t i = 0; s[0] && s[1] && i < vox_structure_atom_count(s[0]) && i < 3; i++) {
        vox_atom_info a = {.size = sizeof a}, b = {.size = sizeof b};
        vox_structure_atom(s[0], i, &a);
        vox_structure_atom(s[1], i, &b);
        CHECK(!memcmp(a.xyz, b.xyz, sizeof a.xyz) && !strcmp(a.atom_name, b.atom_name) &&
                  !strcmp(a.res_name, b.res_name) && !strcmp(a.chain, b.chain) && a.res_id == b.res_id,
              "atom %zu read the same in both layouts", i);
    }
    vox_atom_info a = {.size = sizeof a};
    CHECK(s[1] && vox_structure_atom(s[1], 1, &a) == VOX_OK && !strcmp(a.atom_name, "N\001X") && a.res_id == 20 &&
              a.xyz[2] == -7.75f, "a control byte stays inside its word: '%s'", a.atom_name);
    CHECK(s[1] && vox_structure_atom(s[1], 2, &a) == VOX_OK && a.xyz[2] == 42.0f && a.res_id == 300,
          "the last value, at the end of the text, is read whole");
    vox_structure_free(&s[0]);
    vox_structure_free(&s[1]);
    vox_ctx_destroy(&ctx);
}

/* A deterministic generator for the blank runs below (xorshift64). */
static uint64_t layout_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Appends a blank between two loop values: mostly runs of 1-140 spaces (the
 * reader scans 64-byte blocks, so runs shorter and longer than a block, at
 * every offset), sometimes a line end (LF or CR LF), a comment, a tab. */
static size_t layout_blank(char *t, size_t n, uint64_t *x, uint32_t *line)
{
    const unsigned r = (unsigned)(layout_rand(x) % 100);
    if (r < 70) {
        const size_t k = 1 + (size_t)(layout_rand(x) % (r < 50 ? 3 : 140));
        memset(t + n, ' ', k);
        return n + k;
    }
    if (r < 85) {
        memcpy(t + n, r < 80 ? "\n" : "\r\n", r < 80 ? 1 : 2);
        (*line)++;
        return n + (r < 80 ? 1 : 2);
    }
    if (r < 92) {
        n += (size_t)sprintf(t + n, "  # note %u\n", r);
        (*line)++;
        return n;
    }
    memcpy(t + n, " \t ", 3);
    return n + 3;
}

/* The loop reader's 64-byte blocks (and its scalar path where a block has a
 * tab or a CR) give the same words and the same line numbers as the file
 * says, whatever the blanks: 600 atoms with known values between random
 * blanks, with quoted values, words longer than a block and words that
 * begin like loop_ or data_ in a column vox does not read, and a loop of a
 * category it does not read after them; then a bad coordinate deep in the
 * loop is reported at its own line, and a loop that is only counted at
 * its end. */
static void test_cif_blocks(void)
{
    vox_ctx *ctx;
    vox_ctx_create(&ctx, NULL);
    enum { ATOMS = 600 };
    const size_t cap = ATOMS * 2400 + 4096;
    char *t = malloc(cap);
    for (int round = 0; round < 6; round++) {
        uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(round + 1);
        const int bad = round == 5 ? 457 : -1; /* the atom whose x coordinate is not a number */
        size_t n = (size_t)sprintf(t, "data_blocks\nloop_\n_atom_site.group_PDB\n_atom_site.label_atom_id\n"
                                      "_atom_site.label_comp_id\n_atom_site.auth_asym_id\n_atom_site.auth_seq_id\n"
                                      "_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n"
                                      "_atom_site.type_symbol\n_atom_site.pdbx_note\n");
        uint32_t line = 13, bad_line = 0; /* the first value's line */
        for (int a = 0; a < ATOMS; a++) {
            const int note = (int)(layout_rand(&x) % 6);
            char notes[6][160];
            snprintf(notes[0], sizeof notes[0], "plain%d", a);
            snprintf(notes[1], sizeof notes[1], "'quoted %d'", a);
            snprintf(notes[2], sizeof notes[2], "long%0120d", a);
            snprintf(notes[3], sizeof notes[3], "loopy%d", a);
            snprintf(notes[4], sizeof notes[4], "dataish");
            snprintf(notes[5], sizeof notes[5], "\"it's %d\"", a);
            const char *val[10];
            char name[16], res[8], chain[8], id[16], xs[32], ys[32], zs[32];
            snprintf(name, sizeof name, "C%d", a % 97);
            snprintf(res, sizeof res, "R%02d", a % 89);
            snprintf(chain, sizeof chain, "%c", 'A' + a % 26);
            snprintf(id, sizeof id, "%d", a - 50);
            snprintf(xs, sizeof xs, a == bad ? "1.2.3" : "%d.%03d", a % 211 - 100, a % 997);
            snprintf(ys, sizeof ys, "%d.5", -a);
            snprintf(zs, sizeof zs, "%d.25", a * 3);
            val[0] = a % 7 ? "ATOM" : "HETATM";
            val[1] = name, val[2] = res, val[3] = chain, val[4] = id, val[5] = xs, val[6] = ys, val[7] = zs;
            val[8] = "C", val[9] = notes[note];
            for (int v = 0; v < 10; v++) {
                if (a == bad && v == 5)
                    bad_line = line;
                n += (size_t)sprintf(t + n, "%s", val[v]);
                n = layout_blank(t, n, &x, &line);
            }
        }
        /* a loop vox does not read after it: counted, not kept, and the atoms stay as they are */
        n += (size_t)sprintf(t + n, "\nloop_\n_atom_site_anisotrop.id\n_atom_site_anisotrop.U11\n");
        for (int a = 0; a < ATOMS; a++) {
            n += (size_t)sprintf(t + n, "%d 0.%04d", a + 1, a);
            n = layout_blank(t, n, &x, &line);
        }
        vox_structure *s = NULL;
        const vox_status rc = vox_load_buffer(ctx, t, n, "blocks.cif", NULL, &s);
        if (bad >= 0) {
            char want[64];
            snprintf(want, sizeof want, "blocks.cif:%u:", bad_line);
            CHECK(rc == VOX_E_PARSE && strstr(vox_ctx_last_error_detail(ctx), want) &&
                      strstr(vox_ctx_last_error_detail(ctx), "'1.2.3'"),
                  "the bad coordinate is reported at line %u: %s", bad_line, vox_ctx_last_error_detail(ctx));
            continue;
        }
        CHECK(rc == VOX_OK && vox_structure_atom_count(s) == ATOMS, "round %d: %d atoms read (%s)", round, ATOMS,
              vox_ctx_last_error_detail(ctx));
        int wrong = 0;
        for (size_t a = 0; s && a < vox_structure_atom_count(s); a++) {
            vox_atom_info i = {.size = sizeof i};
            char name[16], res[8];
            snprintf(name, sizeof name, "C%zu", a % 97);
            snprintf(res, sizeof res, "R%02zu", a % 89);
            if (vox_structure_atom(s, a, &i) != VOX_OK || strcmp(i.atom_name, name) || strcmp(i.res_name, res) ||
                i.chain[0] != 'A' + (int)(a % 26) || i.res_id != (int)a - 50 || i.hetero != (a % 7 == 0) ||
                i.xyz[0] != (float)((int)(a % 211) - 100 + (double)(a % 997) / 1000 * ((int)(a % 211) - 100 < 0 ? -1 : 1)) ||
                i.xyz[1] != (float)(-(double)a - 0.5 * (a > 0 ? 1 : -1)) || i.xyz[2] != (float)(3.0 * (double)a + 0.25))
                wrong++;
        }
        CHECK(wrong == 0, "round %d: every atom's values as written (%d differ)", round, wrong);
        vox_structure_free(&s);
    }
    /* a loop vox does not read is still checked for its shape: 3 values in 2 columns */
    const char *odd = "data_x\nloop_\n_atom_site.group_PDB\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                      "_atom_site.Cartn_z\nATOM 1 2 3\nloop_\n_atom_site_anisotrop.id\n_atom_site_anisotrop.U11\n"
                      "1 0.5\n2\n";
    vox_structure *s = NULL;
    CHECK(vox_load_buffer(ctx, odd, strlen(odd), "odd.cif", NULL, &s) == VOX_E_PARSE &&
              strstr(vox_ctx_last_error_detail(ctx), "odd.cif:12: loop of '_atom_site_anisotrop' has 3 values"),
          "a loop that is only counted is still checked: %s", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&s);
    free(t);
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

/* No public function crashes on NULL: each does what the header says with it.
 * (Every function of vox.h is called here; a new one must be added.) */
static void test_null_arguments(void)
{
    vox_options_init(NULL);
    vox_load_params_init(NULL);
    vox_prepare_params_init(NULL);
    vox_analyze_params_init(NULL);
    vox_payload_info_init(NULL);
    vox_atom_arrays_init(NULL);
    CHECK(vox_strerror(VOX_E_INVALID_ARG) && vox_version() && vox_version_number() && vox_available_isas() &&
              vox_cpu_features() && vox_stage_name(VOX_STAGE_COUNT) && vox_volume_type_name((vox_volume_type)99) &&
              vox_profile_status_name((vox_profile_status)99),
          "static strings");
    CHECK(vox_ctx_create(NULL, NULL) == VOX_E_INVALID_ARG, "ctx_create(NULL)");
    vox_ctx_destroy(NULL);
    vox_ctx *none = NULL;
    vox_ctx_destroy(&none);
    CHECK(!strcmp(vox_ctx_last_error_detail(NULL), "") && !strcmp(vox_ctx_describe(NULL), "") &&
              !strcmp(vox_ctx_isa(NULL), "") && !strcmp(vox_ctx_profile_path(NULL), "") &&
              !strcmp(vox_ctx_profile_detail(NULL), "") && vox_ctx_threads(NULL) == 1 &&
              vox_ctx_profile_status(NULL) == VOX_PROFILE_DEFAULTS_ABSENT && !vox_ctx_settings_json(NULL) &&
              !vox_ctx_fingerprint_json(NULL),
          "context getters on NULL");
    vox_stats stats;
    vox_ctx_get_stats(NULL, &stats);
    vox_ctx *ctx = NULL;
    CHECK(vox_ctx_create(&ctx, NULL) == VOX_OK, "context");
    vox_ctx_get_stats(ctx, NULL);
    vox_structure *s = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/pore_box.pdb", dir);
    CHECK(vox_load_file(NULL, path, NULL, &s) == VOX_E_INVALID_ARG && vox_load_file(ctx, NULL, NULL, &s) == VOX_E_INVALID_ARG &&
              vox_load_file(ctx, path, NULL, NULL) == VOX_E_INVALID_ARG, "load_file NULLs");
    CHECK(vox_load_buffer(NULL, "x", 1, NULL, NULL, &s) == VOX_E_INVALID_ARG &&
              vox_load_buffer(ctx, NULL, 5, NULL, NULL, &s) == VOX_E_INVALID_ARG &&
              vox_load_buffer(ctx, "x", 1, NULL, NULL, NULL) == VOX_E_INVALID_ARG, "load_buffer NULLs");
    CHECK(vox_structure_from_arrays(NULL, NULL, &s) == VOX_E_INVALID_ARG &&
              vox_structure_from_arrays(ctx, NULL, &s) == VOX_E_INVALID_ARG &&
              vox_structure_from_arrays(ctx, NULL, NULL) == VOX_E_INVALID_ARG, "from_arrays NULLs");
    vox_structure_free(NULL);
    vox_structure_free(&s);
    float xyz[9] = {0}, box[9];
    vox_atom_info ai;
    vox_transform tr;
    memset(&ai, 0, sizeof ai);
    memset(&tr, 0, sizeof tr);
    ai.size = sizeof ai;
    tr.size = sizeof tr;
    CHECK(vox_structure_atom_count(NULL) == 0 && vox_structure_input_atom_count(NULL) == 0 &&
              vox_structure_box(NULL, box) == 0 && vox_structure_kept_atoms(NULL, NULL) == 0 &&
              vox_structure_atom(NULL, 0, &ai) == VOX_E_INVALID_ARG &&
              vox_structure_transform(NULL, &tr) == VOX_E_INVALID_ARG,
          "structure getters on NULL");
    vox_structure_coords(NULL, xyz);
    vox_transform_to_input(NULL, xyz, 3);
    vox_transform_to_input(&tr, NULL, 3);
    CHECK(vox_structure_set_coords(NULL, NULL, xyz, 3) == VOX_E_INVALID_ARG &&
              vox_prepare(NULL, NULL, NULL) == VOX_E_INVALID_ARG && vox_prepare(ctx, NULL, NULL) == VOX_E_INVALID_ARG,
          "set_coords, prepare on NULL");
    CHECK(vox_load_file(ctx, path, NULL, &s) == VOX_OK, "load");
    vox_structure_coords(s, NULL);
    CHECK(vox_structure_atom(s, 0, NULL) == VOX_E_INVALID_ARG && vox_structure_transform(s, NULL) == VOX_E_INVALID_ARG &&
              vox_structure_box(s, NULL) == 0 && vox_structure_set_coords(ctx, s, NULL, 3) == VOX_E_INVALID_ARG,
          "structure functions with a NULL output");
    vox_grid_estimate ge;
    memset(&ge, 0, sizeof ge);
    ge.size = sizeof ge;
    CHECK(vox_estimate_grid(NULL, s, NULL, &ge) == VOX_E_INVALID_ARG && vox_estimate_grid(ctx, NULL, NULL, &ge) ==
              VOX_E_INVALID_ARG && vox_estimate_grid(ctx, s, NULL, NULL) == VOX_E_INVALID_ARG, "estimate NULLs");
    vox_result *r = NULL;
    CHECK(vox_analyze(NULL, s, NULL, &r) == VOX_E_INVALID_ARG && vox_analyze(ctx, NULL, NULL, &r) == VOX_E_INVALID_ARG &&
              vox_analyze(ctx, s, NULL, NULL) == VOX_E_INVALID_ARG, "analyze NULLs");
    CHECK(vox_prepare(ctx, s, NULL) == VOX_OK && vox_analyze(ctx, s, NULL, &r) == VOX_OK, "prepare and analyze");
    vox_volume v;
    int dims[3] = {-1, -1, -1};
    double res = -1;
    CHECK(vox_result_count(NULL) == 0 && vox_result_volume(NULL, 0, &v) == VOX_E_INVALID_ARG &&
              vox_result_volume(r, 0, NULL) == VOX_E_INVALID_ARG && vox_result_voxels(NULL, 0, NULL, NULL) == VOX_E_INVALID_ARG &&
              vox_result_voxels(r, 0, NULL, NULL) == VOX_OK, "result getters on NULL");
    vox_result_grid(NULL, dims, &res);
    CHECK(dims[0] == -1 && res == -1, "result_grid(NULL) leaves its outputs");
    vox_result_grid(r, NULL, NULL);
    char *doc = NULL;
    size_t len = 0;
    CHECK(vox_render(NULL, VOX_DOC_DF_JSON, s, r, NULL, &doc, &len) == VOX_E_INVALID_ARG &&
              vox_render(ctx, VOX_DOC_DF_JSON, s, NULL, NULL, &doc, &len) == VOX_E_INVALID_ARG &&
              vox_render(ctx, VOX_DOC_PDB, NULL, r, NULL, &doc, &len) == VOX_E_INVALID_ARG &&
              vox_render(ctx, VOX_DOC_DF_JSON, s, r, NULL, NULL, &len) == VOX_E_INVALID_ARG, "render NULLs");
    CHECK(vox_render(ctx, VOX_DOC_DF_JSON, NULL, r, NULL, &doc, NULL) == VOX_OK, "render: len may be NULL");
    vox_free(doc);
    vox_free(NULL);
    CHECK(vox_write_df_json(NULL, r, "/tmp/x") == VOX_E_INVALID_ARG && vox_write_df_json(ctx, NULL, "/tmp/x") == VOX_E_INVALID_ARG &&
              vox_write_df_json(ctx, r, NULL) == VOX_E_INVALID_ARG &&
              vox_write_annotation_payload(ctx, NULL, r, NULL, "/tmp/x") == VOX_E_INVALID_ARG &&
              vox_write_annotated_pdb(ctx, s, r, NULL) == VOX_E_INVALID_ARG &&
              vox_write_annotated_cif(ctx, NULL, r, 0, "/tmp/x") == VOX_E_INVALID_ARG, "writers with NULLs");
    double a, b, c;
    CHECK(vox_secondary_structure(NULL, s, &a, &b, &c) == VOX_E_INVALID_ARG &&
              vox_secondary_structure(ctx, s, NULL, &b, &c) == VOX_E_INVALID_ARG, "secondary structure NULLs");
    vox_frames *f = NULL;
    int got = 0;
    CHECK(vox_frames_open(NULL, path, &f) == VOX_E_INVALID_ARG && vox_frames_open(ctx, NULL, &f) == VOX_E_INVALID_ARG &&
              vox_frames_open(ctx, path, NULL) == VOX_E_INVALID_ARG && vox_frames_atom_count(NULL) == 0 &&
              !strcmp(vox_frames_format(NULL), "") && vox_frames_next(ctx, NULL, xyz, NULL, &got) == VOX_E_INVALID_ARG &&
              vox_frames_skip(ctx, NULL, NULL, &got) == VOX_E_INVALID_ARG, "frames on NULL");
    vox_frames_close(NULL);
    vox_frames_close(&f);
    vox_result_free(NULL);
    vox_result_free(&r);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
}

/* The annotated CIF's atom_site table: every row the same length, every
 * column starting at the same place in every row and as wide as its widest
 * value + 1, coordinates as printf's "%.3f" of the structure's atoms, ids
 * counting rows.  Returns the number of rows. */
static size_t check_cif_columns(const char *cif, const vox_structure *s, const char *label)
{
    const size_t atoms = vox_structure_atom_count(s);
    size_t rows = 0, line_len = 0, start[20] = {0}, widest[19] = {0}, bad_layout = 0, bad_value = 0;
    for (const char *l = strstr(cif, "\nATOM"); l && (l[1] == 'A' || l[1] == 'H'); l = strchr(l + 1, '\n')) {
        const char *row = l + 1, *end = strchr(row, '\n');
        size_t at[20], n = 0, i = 0;
        const size_t len = (size_t)(end - row);
        while (i < len && n < 19) { /* values have no spaces here */
            at[n] = i;
            size_t k = i;
            while (k < len && row[k] != ' ') k++;
            if (k - i > widest[n]) widest[n] = k - i;
            n++;
            while (k < len && row[k] == ' ') k++;
            i = k;
        }
        at[19] = len;
        if (rows == 0) {
            memcpy(start, at, sizeof at);
            line_len = len;
        }
        bad_layout += n != 19 || len != line_len || memcmp(at, start, sizeof at) != 0;
        if (rows < atoms && n == 19) {
            vox_atom_info ai;
            memset(&ai, 0, sizeof ai);
            ai.size = sizeof ai;
            vox_structure_atom(s, rows, &ai);
            for (int c = 0; c < 3; c++) {
                char want[40];
                const int wn = snprintf(want, sizeof want, "%.3f", (double)ai.xyz[c]);
                bad_value += strncmp(row + at[14 + c], want, (size_t)wn) != 0 || row[at[14 + c] + (size_t)wn] != ' ';
            }
        }
        char id[24];
        const int idn = snprintf(id, sizeof id, "%zu", rows + 1);
        bad_value += n != 19 || strncmp(row + at[18], id, (size_t)idn) != 0;
        rows++;
    }
    size_t bad_width = 0;
    for (int c = 0; c < 19; c++) bad_width += start[c + 1] - start[c] != widest[c] + 1;
    CHECK(rows >= atoms && atoms > 0 && !bad_layout && !bad_width && !bad_value,
          "%s: %zu rows (%zu atoms), %zu misaligned, %zu columns not widest + 1, %zu values not printf's", label, rows,
          atoms, bad_layout, bad_width, bad_value);
    return rows;
}

/* check_cif_columns on atoms whose coordinates' widths a sign bit or a carry
 * decides (-0.0 is "-0.000", 9.9996 is "10.000"), with kinds and residues of
 * several widths, HETATM records and insertion codes; and on a structure
 * with volumes of every type (pseudo-atoms, B 50.00 on their surfaces). */
static void test_cif_columns(void)
{
    enum { N = 125 };
    static float xyz[3 * N];
    static const char *const elements[3] = {"C", "N", "O"}, *const names[4] = {"CA", "N", "OXT", "CB"};
    static const char *const residues[2] = {"ALA", "GLY"}, *const chains[2] = {"A", "BB"};
    const char *el[N], *nm[N], *rn[N], *ch[N];
    int32_t rid[N];
    char ins[N];
    uint8_t het[N];
    for (int i = 0; i < N; i++) {
        xyz[3 * i] = 1.0f + 1.6f * (float)(i % 5);
        xyz[3 * i + 1] = 1.0f + 1.6f * (float)(i / 5 % 5);
        xyz[3 * i + 2] = 1.0f + 1.6f * (float)(i / 25);
        el[i] = elements[i % 3];
        nm[i] = names[i % 4];
        rn[i] = residues[i / 10 % 2];
        ch[i] = chains[i >= 60];
        rid[i] = i / 10 * 37 - 5;
        ins[i] = i / 10 == 3 ? 'A' : '\0';
        het[i] = i / 10 == 7;
    }
    static const float special[6] = {-0.0f, -0.0004f, 9.9996f, 0.0004f, -9.9996f, -0.0f};
    memcpy(xyz, special, sizeof special);
    vox_atom_arrays aa;
    vox_atom_arrays_init(&aa);
    aa.count = N;
    aa.xyz = xyz;
    aa.element = el;
    aa.atom_name = nm;
    aa.res_name = rn;
    aa.res_id = rid;
    aa.ins_code = ins;
    aa.chain = ch;
    aa.hetero = het;
    vox_ctx *ctx = NULL;
    vox_structure *s = NULL;
    vox_result *r = NULL;
    char *cif = NULL;
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.keep_non_protein = 1;
    pp.align = 0;
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = 1.0;
    vox_render_params rp;
    vox_render_params_init(&rp);
    rp.include_hubs = 1;
    int ok = vox_ctx_create(&ctx, NULL) == VOX_OK && vox_structure_from_arrays(ctx, &aa, &s) == VOX_OK &&
             vox_prepare(ctx, s, &pp) == VOX_OK && vox_analyze(ctx, s, &ap, &r) == VOX_OK &&
             vox_render(ctx, VOX_DOC_CIF, s, r, &rp, &cif, NULL) == VOX_OK;
    CHECK(ok, "cif columns: analysed and rendered (%s)", ctx ? vox_ctx_last_error_detail(ctx) : "no context");
    if (ok) {
        check_cif_columns(cif, s, "cif columns, special coordinates");
        CHECK(strstr(cif, " -0.000 ") && strstr(cif, " 10.000 ") && strstr(cif, " -10.000 ") && strstr(cif, "HETATM") &&
                  strstr(cif, " 0.000 "),
              "cif columns: the signed zeros, the carries and the HETATM records are written");
    }
    vox_free(cif);
    cif = NULL;
    vox_result_free(&r);
    vox_structure_free(&s);
    char path[4096];
    snprintf(path, sizeof path, "%s/hub_box.pdb", dir);
    ok = vox_load_file(ctx, path, NULL, &s) == VOX_OK && vox_prepare(ctx, s, NULL) == VOX_OK &&
         vox_analyze(ctx, s, &ap, &r) == VOX_OK && vox_render(ctx, VOX_DOC_CIF, s, r, &rp, &cif, NULL) == VOX_OK;
    CHECK(ok, "cif columns: hub_box analysed and rendered");
    if (ok) {
        const size_t rows = check_cif_columns(cif, s, "cif columns, hub_box with its volumes");
        CHECK(rows > vox_structure_atom_count(s) && strstr(cif, " 50.00 ") && strstr(cif, " HUB "),
              "cif columns: pseudo-atoms with surface B factors follow the atoms (%zu rows)", rows);
    }
    vox_free(cif);
    vox_result_free(&r);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
}

/* vox_structure_copy: a prepared copy analyses as its original does (after the original is gone, so
 * nothing is shared), takes new coordinates as a prepared structure does, and is a structure of its own:
 * a result of the original does not render with it. */
static void test_structure_copy(void)
{
    vox_ctx *ctx;
    vox_ctx_create(&ctx, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/pocket_box.pdb", dir);
    vox_structure *s = NULL, *c = NULL, *n = NULL;
    CHECK(vox_structure_copy(ctx, NULL, &c) == VOX_E_INVALID_ARG && c == NULL, "copy of NULL");
    CHECK(vox_load_file(ctx, path, NULL, &s) == VOX_OK && vox_prepare(ctx, s, NULL) == VOX_OK, "load, prepare");
    CHECK(vox_structure_copy(ctx, s, NULL) == VOX_E_INVALID_ARG && vox_structure_copy(NULL, s, &c) == VOX_E_INVALID_ARG,
          "NULL out or context");
    CHECK(vox_structure_copy(ctx, s, &c) == VOX_OK && c != NULL, "copy: %s", vox_ctx_last_error_detail(ctx));
    const size_t nin = vox_structure_input_atom_count(s);
    CHECK(vox_structure_input_atom_count(c) == nin && vox_structure_atom_count(c) == vox_structure_atom_count(s) &&
              vox_structure_kept_atoms(c, NULL) == vox_structure_kept_atoms(s, NULL), "same atoms");
    CHECK(vox_prepare(ctx, c, NULL) == VOX_E_INVALID_ARG, "the copy is prepared already");
    /* one frame of new coordinates, given to both: the input atoms moved apart a little */
    vox_structure *raw = NULL;
    CHECK(vox_load_file(ctx, path, NULL, &raw) == VOX_OK, "load again");
    float *xyz = malloc(3 * nin * sizeof *xyz);
    vox_structure_coords(raw, xyz);
    for (size_t i = 0; i < 3 * nin; i++) xyz[i] *= 1.03f;
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = 2.0;
    vox_result *rs = NULL, *rc = NULL;
    char *ds = NULL, *dc = NULL, *dx = NULL;
    CHECK(vox_structure_set_coords(ctx, s, xyz, nin) == VOX_OK && vox_analyze(ctx, s, &ap, &rs) == VOX_OK &&
              vox_render(ctx, VOX_DOC_DF_JSON, s, rs, NULL, &ds, NULL) == VOX_OK, "original: %s",
          vox_ctx_last_error_detail(ctx));
    CHECK(vox_render(ctx, VOX_DOC_CIF, c, rs, NULL, &dx, NULL) == VOX_E_INVALID_ARG && dx == NULL &&
              strstr(vox_ctx_last_error_detail(ctx), "another structure"),
          "a result of the original does not render with the copy");
    vox_result_free(&rs);
    vox_structure_free(&s);
    CHECK(vox_structure_set_coords(ctx, c, xyz, nin) == VOX_OK && vox_analyze(ctx, c, &ap, &rc) == VOX_OK &&
              vox_render(ctx, VOX_DOC_DF_JSON, c, rc, NULL, &dc, NULL) == VOX_OK, "copy: %s",
          vox_ctx_last_error_detail(ctx));
    CHECK(ds && dc && strcmp(ds, dc) == 0 && strstr(ds, "pocket"), "the copy analyses as the original");
    CHECK(vox_structure_copy(ctx, c, &n) == VOX_OK && vox_structure_atom_count(n) == vox_structure_atom_count(c),
          "a copy of a copy");
    vox_free(ds);
    vox_free(dc);
    free(xyz);
    vox_result_free(&rc);
    vox_structure_free(&n);
    vox_structure_free(&c);
    vox_structure_free(&raw);
    vox_ctx_destroy(&ctx);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_api DIR (the folder gen_structures wrote)\n");
        return 2;
    }
    dir = argv[1];
    test_null_arguments();
    test_context();
    test_load_analyze();
    test_threads();
    test_frame_signs();
    test_cif_layouts();
    test_cif_blocks();
    test_cif_columns();
    test_structure_copy();
    return check_report();
}
