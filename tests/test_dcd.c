/* test_dcd.c - the DCD reader: files it writes itself (both byte orders, 32- and
 * 64-bit markers, with and without unit cell, fixed atoms, truncated, a header
 * that disagrees with its records, garbage), and the shared GROMACS run's DCD
 * against its multi-model PDB.
 *   test_dcd WORK_DIR [TRAJECTORY_DIR]  (../shared/data/trajectories/1aki-md; skipped when absent) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vox/vox.h"

typedef struct dcd_opts {
    int big_endian, marker64, cell, namnf, natom_header, truncate_bytes;
    int nonfinite; /* frame 1's atom 1 (0-based) y: 1 NaN, 2 +inf, 3 -inf */
} dcd_opts;

static FILE *out;
static dcd_opts O;
static const double *frame1_cell; /* non-NULL: frame 1's unit-cell record (A, gamma, B, beta, alpha, C) */

static void put_bytes(const void *p, size_t n, size_t width)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i += width)
        for (size_t j = 0; j < width; j++)
            fputc(b[i + (O.big_endian ? width - 1 - j : j)], out);
}
static void put_i32(int32_t v) { put_bytes(&v, 4, 4); }
static void put_marker(int64_t v)
{
    if (O.marker64) put_bytes(&v, 8, 8);
    else put_i32((int32_t)v);
}

/* Writes frames of natom atoms: atom i of frame k at (i + k/10, 2i, -i). */
static void write_dcd(const char *path, int natom, int frames)
{
    out = fopen(path, "wb");
    put_marker(84);
    fputs("CORD", out);
    int32_t ic[20] = {0};
    ic[0] = frames; ic[1] = 10; ic[2] = 5; ic[8] = O.namnf; ic[10] = O.cell; ic[19] = 24;
    float delta = 0.0409097f;
    memcpy(&ic[9], &delta, 4);
    for (int i = 0; i < 20; i++) put_i32(ic[i]);
    put_marker(84);
    put_marker(4 + 80);
    put_i32(1);
    char title[80];
    memset(title, ' ', sizeof title);
    fwrite(title, 1, 80, out);
    put_marker(4 + 80);
    put_marker(4);
    put_i32(O.natom_header ? O.natom_header : natom);
    put_marker(4);
    for (int k = 0; k < frames; k++) {
        if (O.cell) {
            double cell[6] = {50, 90, 60, 90, 90, 70};
            if (k == 1 && frame1_cell) memcpy(cell, frame1_cell, sizeof cell);
            put_marker(48);
            put_bytes(cell, 48, 8);
            put_marker(48);
        }
        for (int c = 0; c < 3; c++) {
            put_marker(4 * natom);
            for (int i = 0; i < natom; i++) {
                float v = c == 0 ? (float)i + (float)k / 10.0f : c == 1 ? 2.0f * (float)i : -(float)i;
                if (O.nonfinite && k == 1 && i == 1 && c == 1)
                    v = O.nonfinite == 1 ? NAN : O.nonfinite == 2 ? INFINITY : -INFINITY;
                put_bytes(&v, 4, 4);
            }
            put_marker(4 * natom);
        }
    }
    long size = ftell(out);
    fclose(out);
    if (O.truncate_bytes && truncate(path, size - O.truncate_bytes) != 0) perror("truncate");
}

static void check_synthetic(vox_ctx *ctx, const char *dir)
{
    char path[4096];
    for (int variant = 0; variant < 8; variant++) {
        memset(&O, 0, sizeof O);
        O.big_endian = variant & 1;
        O.marker64 = (variant >> 1) & 1;
        O.cell = (variant >> 2) & 1;
        snprintf(path, sizeof path, "%s/synthetic-%d.dcd", dir, variant);
        write_dcd(path, 7, 4);
        vox_frames *f = NULL;
        CHECK(vox_frames_open(ctx, path, &f) == VOX_OK, "variant %d: %s", variant, vox_ctx_last_error_detail(ctx));
        if (!f) continue;
        CHECK(vox_frames_atom_count(f) == 7 && !strcmp(vox_frames_format(f), "dcd"), "variant %d header", variant);
        float xyz[21];
        int got = 0, n = 0, ok = 1;
        vox_frame_info fi;
        memset(&fi, 0, sizeof fi);
        fi.size = sizeof fi;
        while (vox_frames_next(ctx, f, xyz, &fi, &got) == VOX_OK && got) {
            ok &= fi.index == n && xyz[3 * 6] == 6.0f + (float)n / 10.0f && xyz[3 * 6 + 1] == 12.0f && xyz[3 * 6 + 2] == -6.0f;
            ok &= fi.has_time && fabs(fi.time_ps - (10.0 + 5.0 * n) * 0.0409097f * 0.04888821) < 1e-9;
            ok &= fi.has_box == O.cell && (!O.cell || (fabsf(fi.box[0] - 50) < 1e-4f && fabsf(fi.box[8] - 70) < 1e-4f));
            n++;
        }
        CHECK(ok && n == 4, "variant %d: %d frames read, values %s", variant, n, ok ? "right" : "wrong");
        vox_frames_close(&f);
        CHECK(f == NULL, "close NULLs");
    }
    /* skip, then read */
    memset(&O, 0, sizeof O);
    snprintf(path, sizeof path, "%s/skip.dcd", dir);
    write_dcd(path, 3, 5);
    vox_frames *f = NULL;
    vox_frames_open(ctx, path, &f);
    int got;
    float xyz[9];
    vox_frame_info fi;
    memset(&fi, 0, sizeof fi);
    fi.size = sizeof fi;
    vox_frames_skip(ctx, f, NULL, &got);
    vox_frames_skip(ctx, f, NULL, &got);
    CHECK(vox_frames_next(ctx, f, xyz, &fi, &got) == VOX_OK && got && fi.index == 2 && xyz[0] == 0.2f, "skip twice");
    vox_frames_close(&f);

    /* bad files: each refused with a message that names what is wrong */
    struct { dcd_opts o; vox_status open_st, read_st; int frames_ok; const char *want; } bad[] = {
        {{0, 0, 0, 3, 0, 0, 0}, VOX_E_FORMAT, VOX_OK, 0, "3 fixed atoms (NAMNF)"},
        {{0, 0, 0, 0, -5, 0, 0}, VOX_E_PARSE, VOX_OK, 0, "NATOM is -5"},
        {{0, 0, 0, 0, 2000000000, 0, 0}, VOX_E_PARSE, VOX_OK, 0, "NATOM is 2000000000"},
        {{0, 0, 0, 0, 4, 0, 0}, VOX_OK, VOX_E_PARSE, 0, "frame 0 at byte offset 196: the x record"},
        {{0, 0, 1, 0, 0, 10, 0}, VOX_OK, VOX_E_PARSE, 2, "frame 2 at byte offset"},
        /* a coordinate that is not finite: frame 1 (byte 196 + 60; 220 + 84 with 64-bit markers)
         * refused, naming the atom and axis */
        {{0, 0, 0, 0, 0, 0, 1}, VOX_OK, VOX_E_PARSE, 1,
         "frame 1 at byte offset 256: atom 1 (0-based): y coordinate is not a finite number (nan)"},
        {{1, 0, 0, 0, 0, 0, 2}, VOX_OK, VOX_E_PARSE, 1,
         "frame 1 at byte offset 256: atom 1 (0-based): y coordinate is not a finite number (inf)"},
        {{0, 1, 0, 0, 0, 0, 3}, VOX_OK, VOX_E_PARSE, 1,
         "frame 1 at byte offset 304: atom 1 (0-based): y coordinate is not a finite number (-inf)"},
    };
    for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
        O = bad[b].o;
        snprintf(path, sizeof path, "%s/bad-%zu.dcd", dir, b);
        write_dcd(path, 3, 3);
        f = NULL;
        vox_status st = vox_frames_open(ctx, path, &f);
        CHECK(st == bad[b].open_st, "bad %zu: open gave %d", b, (int)st);
        int n = 0;
        if (f) {
            while ((st = vox_frames_next(ctx, f, xyz, NULL, &got)) == VOX_OK && got) n++;
            CHECK(st == bad[b].read_st && n == bad[b].frames_ok, "bad %zu: read gave %d after %d frames", b, (int)st, n);
            vox_frames_close(&f);
        }
        CHECK(strstr(vox_ctx_last_error_detail(ctx), bad[b].want) != NULL, "bad %zu: detail '%s'", b,
              vox_ctx_last_error_detail(ctx));
    }
    /* a unit cell no crystal has is no box: frame 1 of 3 gets one (lengths not finite or not
     * positive, angles outside (0, 180) or not finite, angles no three vectors make, a length
     * past float range); frames 0 and 2 keep theirs, and every frame's coordinates are read.
     * Before, all but C = 0 and gamma = NaN gave frame 1 a box, of inf or NaN for some. */
    static const struct { const char *what; double cell[6]; } cells[] = {
        {"A = inf", {INFINITY, 90, 60, 90, 90, 70}},    {"A = -50", {-50, 90, 60, 90, 90, 70}},
        {"B = NaN", {50, 90, NAN, 90, 90, 70}},         {"C = 0", {50, 90, 60, 90, 90, 0}},
        {"alpha = 190", {50, 90, 60, 90, 190, 70}},     {"beta = 180", {50, 90, 60, 180, 90, 70}},
        {"gamma = NaN", {50, NAN, 60, 90, 90, 70}},     {"alpha = inf", {50, 90, 60, 90, INFINITY, 70}},
        {"beta = -inf", {50, 90, 60, -INFINITY, 90, 70}},
        {"alpha + beta < gamma", {50, 120, 60, 30, 30, 70}}, {"A = 1e39", {1e39, 90, 60, 90, 90, 70}},
    };
    for (size_t c = 0; c < sizeof cells / sizeof *cells; c++) {
        memset(&O, 0, sizeof O);
        O.cell = 1;
        frame1_cell = cells[c].cell;
        snprintf(path, sizeof path, "%s/cell-%zu.dcd", dir, c);
        write_dcd(path, 3, 3);
        frame1_cell = NULL;
        f = NULL;
        CHECK(vox_frames_open(ctx, path, &f) == VOX_OK, "cell %s: open", cells[c].what);
        if (!f) continue;
        int n = 0, boxes = 0, zero = 1;
        vox_status st;
        while ((st = vox_frames_next(ctx, f, xyz, &fi, &got)) == VOX_OK && got) {
            boxes |= fi.has_box << n;
            if (n == 1)
                for (int i = 0; i < 9; i++) zero &= fi.box[i] == 0.0f;
            n++;
        }
        CHECK(st == VOX_OK && n == 3 && boxes == 5 && zero, "cell %s: %d frames (%s), boxes %d%d%d, frame 1's box %s",
              cells[c].what, n, st == VOX_OK ? "ok" : vox_ctx_last_error_detail(ctx), boxes & 1, boxes >> 1 & 1,
              boxes >> 2 & 1, zero ? "zero" : "set");
        vox_frames_close(&f);
    }

    snprintf(path, sizeof path, "%s/garbage.dcd", dir);
    out = fopen(path, "wb");
    fputs("this is not a trajectory\n", out);
    fclose(out);
    CHECK(vox_frames_open(ctx, path, &f) == VOX_E_FORMAT && !f, "garbage");
    CHECK(vox_frames_open(ctx, dir, &f) == VOX_E_IO, "a directory");
}

/* The GROMACS run: DCD frames 0-19 are ensemble20.pdb's models 1-20 (to
 * PDB's 0.001 Å), 201 frames 0.1 ps apart, and the broken files fail clearly. */
static void check_shared(vox_ctx *ctx, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/traj.dcd", dir);
    vox_frames *f = NULL;
    if (vox_frames_open(ctx, path, &f) != VOX_OK) {
        printf("SKIP: %s (not found)\n", path);
        return;
    }
    size_t n = vox_frames_atom_count(f);
    CHECK(n == 1960, "natoms %zu", n);
    float *xyz = malloc(3 * n * sizeof *xyz), *ref = malloc(3 * n * sizeof *ref);
    snprintf(path, sizeof path, "%s/ensemble20.pdb", dir);
    FILE *pdb = fopen(path, "r");
    char line[128];
    int frames = 0, good = 1;
    double worst = 0;
    vox_frame_info fi;
    memset(&fi, 0, sizeof fi);
    fi.size = sizeof fi;
    int got;
    while (vox_frames_next(ctx, f, xyz, &fi, &got) == VOX_OK && got) {
        good &= fabs(fi.time_ps - 0.1 * frames) < 1e-4 && fi.has_box && fabsf(fi.box[0] - 69.8f) < 0.5f;
        if (frames < 20) { /* the model's ATOM records */
            size_t i = 0;
            while (i < n && fgets(line, sizeof line, pdb))
                if (!strncmp(line, "ATOM", 4) || !strncmp(line, "HETATM", 6)) {
                    for (int c = 0; c < 3; c++) {
                        char col[9];
                        memcpy(col, line + 30 + 8 * c, 8);
                        col[8] = '\0';
                        double d = fabs(atof(col) - xyz[3 * i + c]);
                        if (d > worst) worst = d;
                    }
                    i++;
                }
        }
        frames++;
    }
    fclose(pdb);
    CHECK(frames == 201 && good, "%d frames, times and boxes %s", frames, good ? "right" : "wrong");
    CHECK(worst <= 0.0005 + 1e-6, "DCD vs ensemble20.pdb: %g A", worst);
    printf("  traj.dcd: %d frames; frames 0-19 within %g A of ensemble20.pdb\n", frames, worst);
    vox_frames_close(&f);

    snprintf(path, sizeof path, "%s/broken/natoms-header-patched.dcd", dir);
    CHECK(vox_frames_open(ctx, path, &f) == VOX_OK, "patched opens");
    vox_status st = vox_frames_next(ctx, f, xyz, NULL, &got);
    CHECK(st == VOX_E_PARSE && strstr(vox_ctx_last_error_detail(ctx), "frame 0 at byte offset"), "patched: %s",
          vox_ctx_last_error_detail(ctx));
    vox_frames_close(&f);
    snprintf(path, sizeof path, "%s/broken/natoms-mismatch.dcd", dir);
    CHECK(vox_frames_open(ctx, path, &f) == VOX_OK && vox_frames_atom_count(f) == 1959, "mismatch: 1959 atoms");
    vox_frames_close(&f);
    free(xyz);
    free(ref);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_dcd WORK_DIR [TRAJECTORY_DIR]\n");
        return 2;
    }
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    o.profile = "";
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK) return 1;
    check_synthetic(ctx, argv[1]);
    if (argc > 2) check_shared(ctx, argv[2]);
    vox_ctx_destroy(&ctx);
    return check_report();
}
