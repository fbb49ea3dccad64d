/* test_xtc.c - the XTC reader.  Files the test packs with its own encoder
 * (written from the format description, choosing at random where GROMACS
 * follows fixed rules, so every legal choice gets decoded): plain floats up
 * to 9 atoms; packed frames with runs of 1 to 10 small atoms, smallidx
 * moving both ways, the flag-0 "same run again", ranges over 2^24 (three
 * separate fields), packed numbers over 56 bits, several precisions, magic
 * 2023; skipping; damaged files (truncated in the header and in the data,
 * absurd natoms and byte counts, bad magic, precision, smallidx and ranges,
 * runs past the last atom, data that does not decode).  With the shared
 * GROMACS run: traj.xtc equals traj.dcd (MDAnalysis wrote it from the XTC)
 * bit for bit in every frame, and broken/truncated.xtc fails at frame 10.
 *   test_xtc WORK_DIR [TRAJECTORY_DIR]   (../shared/data/trajectories/1aki-md; skipped when absent)
 *   test_xtc --dump FILE.xtc OUT         (each frame: int64 step, float64 time, float32 box[9],
 *                                         float32 xyz[3 natoms]; read by test_xtc_mdanalysis.py) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vox/vox.h"

static const uint32_t magicints[73] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 10, 12, 16, 20, 25, 32, 40, 50, 64,
    80, 101, 128, 161, 203, 256, 322, 406, 512, 645, 812, 1024, 1290,
    1625, 2048, 2580, 3250, 4096, 5060, 6501, 8192, 10321, 13003,
    16384, 20642, 26007, 32768, 41285, 52015, 65536, 82570, 104031,
    131072, 165140, 208063, 262144, 330280, 416127, 524287, 660561,
    832255, 1048576, 1321122, 1664510, 2097152, 2642245, 3329021,
    4194304, 5284491, 6658042, 8388607, 10568983, 13316085, 16777216};

static uint64_t rng_state;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* ---- the test's encoder ------------------------------------------------ */

typedef struct bitbuf {
    unsigned char *p;
    size_t nbits;
} bitbuf;

/* n bits of v, most significant first (bit by bit: slow and obviously right) */
static void put_bits(bitbuf *b, int n, uint64_t v)
{
    for (int i = n - 1; i >= 0; i--) {
        if (v >> i & 1)
            b->p[b->nbits >> 3] |= (unsigned char)(0x80 >> (b->nbits & 7));
        b->nbits++;
    }
}

/* The big number (v0 * s1 + v1) * s2 + v2 in base-256 digits, least first. */
static int mixed_radix(const uint32_t s[3], const uint32_t v[3], unsigned char *digits)
{
    int nd = 0;
    for (uint64_t t = v[0]; t; t >>= 8) digits[nd++] = t & 0xff;
    for (int i = 1; i < 3; i++) {
        uint64_t carry = v[i];
        for (int j = 0; j < nd; j++) {
            carry += (uint64_t)digits[j] * s[i];
            digits[j] = carry & 0xff;
            carry >>= 8;
        }
        for (; carry; carry >>= 8) digits[nd++] = carry & 0xff;
    }
    return nd;
}

static int bit_length(uint64_t v)
{
    int n = 0;
    for (; v; v >>= 1) n++;
    return n;
}

/* Bits for numbers below s0 * s1 * s2, from the product's digits. */
static int product_bits(const uint32_t s[3])
{
    unsigned char d[16];
    uint32_t v[3] = {s[0], 0, 0};
    int nd = mixed_radix(s, v, d); /* s0 * s1 * s2 */
    return 8 * (nd - 1) + bit_length(d[nd - 1]);
}

/* The format sends the digits least significant first, 8 bits each, the
 * last one with the bits left. */
static void put_ints(bitbuf *b, int nb, const uint32_t s[3], const uint32_t v[3])
{
    unsigned char d[16] = {0};
    mixed_radix(s, v, d);
    int j = 0;
    for (; nb > 8; nb -= 8) put_bits(b, 8, d[j++]);
    put_bits(b, nb, d[j]);
}

typedef struct enc {
    int magic;         /* 1995 or 2023 */
    int smallidx;      /* the first one; 0: at random from 9 to 16 */
    int flat;          /* every atom big, no runs (one run code at the start) */
    int bad_run_at_end, bad_smallidx;
    long nbytes_patch; /* > 0: the byte count written instead of the real one (the data stays) */
} enc;

static enc E;

static void put_be32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
    fwrite(b, 1, 4, f);
}
static void put_bef(FILE *f, float x)
{
    uint32_t v;
    memcpy(&v, &x, 4);
    put_be32(f, v);
}

/* Packs atoms v[n][3] (n > 9) and writes everything after the box. */
static void write_packed(FILE *f, const int32_t (*v)[3], int n, float precision)
{
    int32_t lo[3] = {INT32_MAX, INT32_MAX, INT32_MAX}, hi[3] = {INT32_MIN, INT32_MIN, INT32_MIN};
    for (int i = 0; i < n; i++)
        for (int c = 0; c < 3; c++) {
            if (v[i][c] < lo[c]) lo[c] = v[i][c];
            if (v[i][c] > hi[c]) hi[c] = v[i][c];
        }
    uint32_t size[3];
    int large = 0, fieldbits[3];
    for (int c = 0; c < 3; c++) {
        size[c] = (uint32_t)((int64_t)hi[c] - lo[c] + 1);
        large |= size[c] > 0xffffff;
        fieldbits[c] = bit_length(size[c]);
    }
    int bitsize = large ? 0 : product_bits(size);
    int smallidx = E.smallidx ? E.smallidx : 9 + (int)(rng() % 8), first = smallidx;
    bitbuf b = {calloc(32 * (size_t)n + 64, 1), 0};
    int prevrun = 0;
    for (int i = 0; i < n;) {
        const uint32_t sz = magicints[smallidx];
        const int64_t half = sz / 2;
        /* how many small atoms may follow, and how many fit */
        int cap = (int)(rng() % 11);
        if (rng() % 3 == 0) cap = prevrun / 3; /* often the same run again: flag 0 */
        if (cap > n - i - 1) cap = n - i - 1;
        if (E.flat) cap = 0;
        if (E.bad_run_at_end && cap > n - i - 2) cap = n - i - 2 > 0 ? n - i - 2 : 0; /* the last atom comes alone */
        int r = 0;
        for (; r < cap; r++) { /* small atom r: i (r = 0), then i + 2, i + 3, ... */
            int at = r == 0 ? i : i + r + 1, prev = r == 0 ? i + 1 : r == 1 ? i : at - 1;
            int ok = 1;
            for (int c = 0; c < 3; c++) {
                int64_t d = (int64_t)v[at][c] - v[prev][c] + half;
                ok &= d >= 0 && d < sz;
            }
            if (!ok) break;
        }
        int is_smaller = (int)(rng() % 3) - 1;
        if (smallidx + is_smaller < 9 || smallidx + is_smaller > 72 || (r == 10 && is_smaller == 1) || E.flat)
            is_smaller = 0;
        int big = r ? i + 1 : i;
        uint32_t u[3];
        for (int c = 0; c < 3; c++) u[c] = (uint32_t)((int64_t)v[big][c] - lo[c]);
        if (large)
            for (int c = 0; c < 3; c++) put_bits(&b, fieldbits[c], u[c]);
        else
            put_ints(&b, bitsize, size, u);
        if (E.bad_smallidx && i == 0) { /* smallidx 9 - 1, then a run that would need it */
            put_bits(&b, 1, 1);
            put_bits(&b, 5, 0 - 1 + 1);
            put_ints(&b, bitsize, size, u);
            put_bits(&b, 1, 1);
            put_bits(&b, 5, 3 + 0 + 1);
            break;
        }
        if (E.bad_run_at_end && i == n - 1) { /* a run of one after the last atom */
            put_bits(&b, 1, 1);
            put_bits(&b, 5, 3 + 0 + 1);
            break;
        }
        if (3 * r != prevrun || is_smaller != 0 || rng() % 4 == 0) {
            put_bits(&b, 1, 1);
            put_bits(&b, 5, (uint64_t)(3 * r + is_smaller + 1));
            prevrun = 3 * r;
        } else {
            put_bits(&b, 1, 0);
        }
        for (int k = 0; k < r; k++) {
            int at = k == 0 ? i : i + k + 1, prev = k == 0 ? i + 1 : k == 1 ? i : at - 1;
            for (int c = 0; c < 3; c++) u[c] = (uint32_t)((int64_t)v[at][c] - v[prev][c] + half);
            uint32_t s3[3] = {sz, sz, sz};
            put_ints(&b, smallidx, s3, u);
        }
        i += r ? r + 1 : 1;
        smallidx += is_smaller;
    }
    size_t nbytes = (b.nbits + 7) / 8;
    put_bef(f, precision);
    for (int c = 0; c < 3; c++) put_be32(f, (uint32_t)lo[c]);
    for (int c = 0; c < 3; c++) put_be32(f, (uint32_t)hi[c]);
    put_be32(f, (uint32_t)first);
    uint64_t said = E.nbytes_patch > 0 ? (uint64_t)E.nbytes_patch : nbytes;
    if (E.magic == 2023)
        put_be32(f, (uint32_t)(said >> 32));
    put_be32(f, (uint32_t)said);
    fwrite(b.p, 1, nbytes, f);
    for (size_t pad = nbytes; pad % 4; pad++) fputc(0, f);
    free(b.p);
}

/* One frame; returns its byte offset. */
static long write_frame(FILE *f, const int32_t (*v)[3], const float *plain, int n, int step, float time,
                        const float box[9], float precision)
{
    long off = ftell(f);
    put_be32(f, (uint32_t)(E.magic ? E.magic : 1995));
    put_be32(f, (uint32_t)n);
    put_be32(f, (uint32_t)step);
    put_bef(f, time);
    for (int i = 0; i < 9; i++) put_bef(f, box[i]);
    put_be32(f, (uint32_t)n);
    if (n <= 9)
        for (int i = 0; i < 3 * n; i++) put_bef(f, plain[i]);
    else
        write_packed(f, v, n, precision);
    return off;
}

/* ---- synthetic files --------------------------------------------------- */

/* Molecules of 1 to 4 atoms a few hundredths of a nm apart, scattered over
 * span integers per axis around -span/3 (negative and positive). */
static void molecules(int32_t (*v)[3], int n, int64_t span, int spread)
{
    for (int i = 0; i < n;) {
        int m = 1 + (int)(rng() % 4);
        int64_t ctr[3];
        for (int c = 0; c < 3; c++) ctr[c] = (int64_t)((((uint64_t)rng() << 31) ^ rng()) % (uint64_t)span) - span / 3;
        for (int j = 0; j < m && i < n; j++, i++)
            for (int c = 0; c < 3; c++) {
                int64_t x = ctr[c] + (int64_t)(rng() % (2 * (uint32_t)spread + 1)) - spread;
                v[i][c] = (int32_t)x;
            }
    }
}

static float angstrom(int32_t v, float precision)
{
    float inv = (float)(1.0 / (double)precision);
    float nm = (float)v * inv;
    return nm * 10.0f;
}

static vox_frame_info new_info(void)
{
    vox_frame_info fi;
    memset(&fi, 0, sizeof fi);
    fi.size = sizeof fi;
    return fi;
}

/* Writes `frames` frames of v (frame k moves every atom by k in x) and
 * checks every coordinate, the time, step and box. */
static void round_trip(vox_ctx *ctx, const char *path, const char *what, int32_t (*v)[3], int n, int frames,
                       const float *precisions)
{
    FILE *f = fopen(path, "wb");
    float box[9] = {5, 0, 0, 0, 6, 0, 2.5f, 3, 7};
    for (int k = 0; k < frames; k++) {
        for (int i = 0; i < n; i++) v[i][0] += k ? 1 : 0;
        write_frame(f, (const int32_t (*)[3])v, NULL, n, 100 * k, 0.5f * (float)k, box, precisions[k]);
    }
    fclose(f);
    for (int i = 0; i < n; i++) v[i][0] -= frames - 1;
    vox_frames *fr = NULL;
    CHECK(vox_frames_open(ctx, path, &fr) == VOX_OK, "%s: open: %s", what, vox_ctx_last_error_detail(ctx));
    if (!fr)
        return;
    CHECK(vox_frames_atom_count(fr) == (size_t)n && !strcmp(vox_frames_format(fr), "xtc"), "%s: header", what);
    float *xyz = malloc(12 * (size_t)n);
    int got, k = 0;
    size_t wrong = 0, meta = 0;
    vox_frame_info fi = new_info();
    vox_status st;
    while ((st = vox_frames_next(ctx, fr, xyz, &fi, &got)) == VOX_OK && got) {
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                float want = angstrom(v[i][c] + (c == 0 ? k : 0), precisions[k]);
                wrong += memcmp(&xyz[3 * i + c], &want, 4) != 0;
            }
        meta += fi.index != k || !fi.has_time || fi.time_ps != 0.5 * k || !fi.has_step || fi.step != 100 * k ||
                !fi.has_box || fi.box[0] != 50.0f || fi.box[4] != 60.0f || fi.box[6] != 25.0f || fi.box[8] != 70.0f;
        k++;
    }
    CHECK(st == VOX_OK && k == frames && wrong == 0 && meta == 0, "%s: %d frames (%s), %zu coordinates wrong, %zu headers wrong",
          what, k, st == VOX_OK ? "ok" : vox_ctx_last_error_detail(ctx), wrong, meta);
    vox_frames_close(&fr);
    free(xyz);
}

static void check_synthetic(vox_ctx *ctx, const char *dir)
{
    char path[4096];
    rng_state = 1995;

    /* up to 9 atoms: plain float32 nm, read as float32 x 10 */
    snprintf(path, sizeof path, "%s/plain.xtc", dir);
    FILE *f = fopen(path, "wb");
    float plain[27], zero[9] = {0};
    for (int i = 0; i < 27; i++) plain[i] = (float)i * 0.123f - 1.0f;
    for (int k = 0; k < 3; k++) write_frame(f, NULL, plain, 9, k, 2.0f * (float)k, zero, 0);
    fclose(f);
    vox_frames *fr = NULL;
    CHECK(vox_frames_open(ctx, path, &fr) == VOX_OK && vox_frames_atom_count(fr) == 9, "plain: open");
    float xyz[27];
    int got, n = 0, ok = 1;
    vox_frame_info fi = new_info();
    while (fr && vox_frames_next(ctx, fr, xyz, &fi, &got) == VOX_OK && got) {
        for (int i = 0; i < 27; i++) ok &= xyz[i] == plain[i] * 10.0f;
        ok &= fi.time_ps == 2.0 * n && fi.step == n && !fi.has_box; /* a zero box is no box */
        n++;
    }
    CHECK(ok && n == 3, "plain floats: %d frames, values %s", n, ok ? "right" : "wrong");
    vox_frames_close(&fr);
    /* a plain coordinate whose Å (nm x 10) is past float32's 3.4e38 would be inf, and a NaN
     * one: refused, naming the frame, atom and axis; 3.4e37 nm is still a float in Å */
    for (int big = 0; big < 3; big++) {
        f = fopen(path, "wb");
        float three[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        write_frame(f, NULL, three, 3, 0, 0, zero, 0);
        three[7] = big == 2 ? NAN : big ? 1e38f : -3.4e37f;
        write_frame(f, NULL, three, 3, 1, 1, zero, 0);
        fclose(f);
        fr = NULL;
        vox_frames_open(ctx, path, &fr);
        n = 0;
        vox_status st;
        while ((st = vox_frames_next(ctx, fr, xyz, &fi, &got)) == VOX_OK && got) n++;
        if (big == 2) /* NaN: not past the range, not a number at all */
            CHECK(st == VOX_E_PARSE && n == 1 &&
                      strstr(vox_ctx_last_error_detail(ctx), "frame 1 at byte offset 92: atom 2 (0-based): y coordinate is "
                             "not a finite number (nan nm)"),
                  "plain NaN: %d after %d frames: %s", (int)st, n, vox_ctx_last_error_detail(ctx));
        else if (big)
            CHECK(st == VOX_E_PARSE && n == 1 &&
                      strstr(vox_ctx_last_error_detail(ctx), "frame 1 at byte offset 92: atom 2 (0-based): y coordinate is 1e+38 nm, "
                             "beyond the float range in Å (at most 3.40282e+37 nm)"),
                  "plain 1e38 nm: %d after %d frames: %s", (int)st, n, vox_ctx_last_error_detail(ctx));
        else
            CHECK(st == VOX_OK && n == 2 && isfinite(xyz[7]) && xyz[7] == -3.4e37f * 10.0f,
                  "plain -3.4e37 nm: %d after %d frames: %s", (int)st, n, vox_ctx_last_error_detail(ctx));
        vox_frames_close(&fr);
    }

    /* packed: ordinary ranges, all choices at random, several precisions per file */
    enum { N = 4000 };
    int32_t (*v)[3] = malloc(sizeof *v * N);
    const float prec3[3] = {1000, 100, 12345.678f};
    for (int seed = 0; seed < 6; seed++) {
        memset(&E, 0, sizeof E);
        rng_state = 7 + (uint64_t)seed;
        int n_atoms = seed == 0 ? 10 : seed == 1 ? 11 : 700 * seed;
        molecules(v, n_atoms, 8000, 40);
        snprintf(path, sizeof path, "%s/packed-%d.xtc", dir, seed);
        char what[64];
        snprintf(what, sizeof what, "packed seed %d (%d atoms)", seed, n_atoms);
        round_trip(ctx, path, what, v, n_atoms, 3, prec3);
    }
    const float prec1[3] = {1000, 1000, 1000};
    /* a range over 2^24: three fields of their own widths */
    memset(&E, 0, sizeof E);
    molecules(v, 500, 40000000, 30);
    snprintf(path, sizeof path, "%s/large.xtc", dir);
    round_trip(ctx, path, "range over 2^24", v, 500, 2, prec1);
    /* ranges of 2^21 to 2^23: the big number takes 63 to 69 bits */
    molecules(v, 500, 6000000, 30);
    snprintf(path, sizeof path, "%s/wide.xtc", dir);
    round_trip(ctx, path, "big numbers over 56 bits", v, 500, 2, prec1);
    /* small numbers over 56 bits: smallidx 60 (radix 2^20) */
    E.smallidx = 60;
    molecules(v, 500, 6000000, 300000);
    snprintf(path, sizeof path, "%s/wide-small.xtc", dir);
    round_trip(ctx, path, "small numbers over 56 bits", v, 500, 2, prec1);
    /* magic 2023: a 64-bit byte count */
    memset(&E, 0, sizeof E);
    E.magic = 2023;
    molecules(v, 900, 8000, 40);
    snprintf(path, sizeof path, "%s/magic2023.xtc", dir);
    round_trip(ctx, path, "magic 2023", v, 900, 3, prec3);
    /* no runs at all */
    memset(&E, 0, sizeof E);
    E.flat = 1;
    snprintf(path, sizeof path, "%s/flat.xtc", dir);
    round_trip(ctx, path, "no runs", v, 900, 2, prec1);

    /* skip, then read: the same frame as reading through */
    memset(&E, 0, sizeof E);
    molecules(v, 400, 8000, 40);
    snprintf(path, sizeof path, "%s/skip.xtc", dir);
    round_trip(ctx, path, "skip file", v, 400, 3, prec3);
    fr = NULL;
    vox_frames_open(ctx, path, &fr);
    float *a = malloc(12 * 400);
    vox_frames_skip(ctx, fr, NULL, &got);
    CHECK(vox_frames_skip(ctx, fr, &fi, &got) == VOX_OK && got && fi.index == 1 && fi.step == 100 && fi.has_box,
          "skip with info");
    CHECK(vox_frames_next(ctx, fr, a, &fi, &got) == VOX_OK && got && fi.index == 2 &&
              a[3 * 7] == angstrom(v[7][0] + 2, prec3[2]),
          "skip twice, then frame 2");
    CHECK(vox_frames_skip(ctx, fr, &fi, &got) == VOX_OK && !got, "skip at the end");
    vox_frames_close(&fr);
    free(a);

    /* damaged files: each refused with a message that names the frame, its
     * byte offset and what is wrong; skipping finds the same header errors */
    struct bad {
        const char *name;
        int frame;          /* the damaged frame (of 3, 40 atoms each) */
        long at, value;     /* the int32 at the frame's byte `at` := value (at < 0: none) */
        long cut;           /* > 0: the file ends this many bytes into the frame */
        int ones;           /* the frame's packed bytes all 0xff */
        enc e;              /* how the encoder damages the frame */
        vox_status open_st, read_st;
        int frames_ok, skip_finds;
        const char *want;
    } bad[] = {
        {"huge natoms", 0, 4, 2000000000, 0, 0, {0}, VOX_E_PARSE, VOX_OK, 0, 0, "natoms is 2000000000, expected 1 to"},
        {"natoms changes", 1, 4, 41, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1, "natoms is 41, the first frame has 40"},
        {"coordinate count", 1, 52, 39, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1, "the coordinate count is 39"},
        {"magic", 2, 0, 1996, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 2, 1, "magic number 1996, expected 1995"},
        {"precision 0", 1, 56, 0, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1, "field precision is 0"},
        /* float32 bit patterns: -1, NaN, +inf, 1e-30 (below the bound at which every int32
         * decodes to a finite float), 1e-45 (the smallest subnormal: 1/precision is inf) */
        {"precision -1", 1, 56, 0xbf800000, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1,
         "field precision is -1, expected a finite number of at least 1e-28"},
        {"precision NaN", 1, 56, 0x7fc00000, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1, "field precision is nan, expected"},
        {"precision inf", 1, 56, 0x7f800000, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1, "field precision is inf, expected"},
        {"precision 1e-30", 1, 56, 0x0da24260, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1,
         "field precision is 1e-30, expected a finite number of at least 1e-28"},
        {"precision 1e-45", 0, 56, 1, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 0, 1, "field precision is 1.4013e-45, expected"},
        {"smallidx 5", 0, 84, 5, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 0, 1, "smallidx is 5, expected 9 to 72"},
        {"smallidx 73", 0, 84, 73, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 0, 1, "smallidx is 73"},
        {"min > max", 1, 64, 100000, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1, "y range is 100000 to"},
        {"byte count absurd", 1, 88, 2147483647, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1,
         "byte count is 2147483647, more than 40 atoms can need"},
        {"byte count past the end", 2, 88, 500, 0, 0, {0}, VOX_OK, VOX_E_PARSE, 2, 1, "is truncated: the file ends after"},
        {"truncated data", 2, -1, 0, 100, 0, {0}, VOX_OK, VOX_E_PARSE, 2, 1, "is truncated: the file ends after 100 of its"},
        {"truncated header", 1, -1, 0, 70, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1,
         "is truncated: the file ends after 70 bytes, inside its 92-byte header"},
        {"truncated base header", 1, -1, 0, 30, 0, {0}, VOX_OK, VOX_E_PARSE, 1, 1,
         "is truncated: the file ends after 30 bytes, inside its header"},
        {"data all ones", 1, -1, 0, 0, 1, {0}, VOX_OK, VOX_E_PARSE, 1, 0, "atom 1 (1-based) decodes outside the frame's bounds"},
        {"byte count too small", 0, -1, 0, 0, 0, {.nbytes_patch = 4}, VOX_OK, VOX_E_PARSE, 0, 0,
         "the 4 packed bytes end inside atom 1 (1-based) of 40"},
        {"run past the end", 0, -1, 0, 0, 0, {.bad_run_at_end = 1}, VOX_OK, VOX_E_PARSE, 0, 0,
         "a run of 1 atoms after atom 40 (1-based) goes past the last atom"},
        {"smallidx below 9", 0, -1, 0, 0, 0, {.bad_smallidx = 1, .smallidx = 9}, VOX_OK, VOX_E_PARSE, 0, 0,
         "the small-integer index is 8, outside 9 to 72"},
    };
    for (size_t bi = 0; bi < sizeof bad / sizeof *bad; bi++) {
        const struct bad *b = &bad[bi];
        snprintf(path, sizeof path, "%s/bad-%zu.xtc", dir, bi);
        f = fopen(path, "wb");
        long off[4];
        float box[9] = {3, 0, 0, 0, 3, 0, 0, 0, 3};
        molecules(v, 40, 3000, 30);
        for (int k = 0; k < 3; k++) {
            E = k == b->frame ? b->e : (enc){0};
            off[k] = write_frame(f, (const int32_t (*)[3])v, NULL, 40, k, (float)k, box, 1000);
        }
        off[3] = ftell(f);
        if (b->at >= 0) {
            fseek(f, off[b->frame] + b->at, SEEK_SET);
            put_be32(f, (uint32_t)b->value);
        }
        if (b->ones) {
            fseek(f, off[b->frame] + 92, SEEK_SET);
            for (long i = off[b->frame] + 92; i < off[b->frame + 1]; i++) fputc(0xff, f);
        }
        fclose(f);
        if (b->cut > 0 && truncate(path, off[b->frame] + b->cut) != 0)
            perror("truncate");
        fr = NULL;
        vox_status st = vox_frames_open(ctx, path, &fr);
        CHECK(st == b->open_st, "%s: open gave %d: %s", b->name, (int)st, vox_ctx_last_error_detail(ctx));
        n = 0;
        float buf[120];
        char where[64];
        snprintf(where, sizeof where, "frame %d at byte offset %ld", b->frame, off[b->frame]);
        if (fr) {
            while ((st = vox_frames_next(ctx, fr, buf, NULL, &got)) == VOX_OK && got) n++;
            CHECK(st == b->read_st && n == b->frames_ok, "%s: read gave %d after %d frames", b->name, (int)st, n);
            CHECK(strstr(vox_ctx_last_error_detail(ctx), where) != NULL, "%s: '%s' does not name %s", b->name,
                  vox_ctx_last_error_detail(ctx), where);
            /* asked again: the same error, neither a crash nor the next frame */
            CHECK(vox_frames_next(ctx, fr, buf, NULL, &got) == b->read_st && !got, "%s: read after the error", b->name);
            vox_frames_close(&fr);
        }
        CHECK(strstr(vox_ctx_last_error_detail(ctx), b->want) != NULL, "%s: detail '%s', expected '%s'", b->name,
              vox_ctx_last_error_detail(ctx), b->want);
        if (b->skip_finds) {
            vox_frames_open(ctx, path, &fr);
            n = 0;
            while ((st = vox_frames_skip(ctx, fr, NULL, &got)) == VOX_OK && got) n++;
            CHECK(st == VOX_E_PARSE && n == b->frames_ok && strstr(vox_ctx_last_error_detail(ctx), b->want) &&
                      strstr(vox_ctx_last_error_detail(ctx), where),
                  "%s: skip gave %d after %d frames: %s", b->name, (int)st, n, vox_ctx_last_error_detail(ctx));
            vox_frames_close(&fr);
        }
    }
    memset(&E, 0, sizeof E);

    /* 3000 damaged copies of a packed file (bytes set at random, header
     * fields at extreme values, cut short): each read to its end gives
     * frames, then the end or an error naming a frame; never a crash (the
     * sanitizer build runs this too) */
    snprintf(path, sizeof path, "%s/fuzz-base.xtc", dir);
    f = fopen(path, "wb");
    float box[9] = {4, 0, 0, 0, 4, 0, 0, 0, 4};
    molecules(v, 300, 4000, 40);
    long offs[3];
    for (int k = 0; k < 3; k++) offs[k] = write_frame(f, (const int32_t (*)[3])v, NULL, 300, k, (float)k, box, 1000);
    long len = ftell(f);
    fclose(f);
    unsigned char *good = malloc((size_t)len), *data = malloc((size_t)len);
    f = fopen(path, "rb");
    CHECK(fread(good, 1, (size_t)len, f) == (size_t)len, "fuzz base");
    fclose(f);
    static const int32_t extremes[] = {0, 1, -1, INT32_MAX, INT32_MIN, 9, 72, 73, 299, 301, 1 << 24, 0x7f800000};
    float *buf = malloc(12 * 300);
    int fuzz_bad = 0, ended[3] = {0, 0, 0};
    snprintf(path, sizeof path, "%s/fuzz-case.xtc", dir);
    for (int c = 0; c < 3000; c++) {
        memcpy(data, good, (size_t)len);
        long size = len;
        int op = c % 3;
        if (op == 0) {
            for (int j = 1 + (int)(rng() % 8); j > 0; j--) data[rng() % (uint32_t)len] = (unsigned char)rng();
        } else if (op == 1) {
            long at = offs[rng() % 3] + 4 * (long)(rng() % 23);
            int32_t val = extremes[rng() % (sizeof extremes / sizeof *extremes)];
            for (int j = 0; j < 4; j++) data[at + j] = (unsigned char)((uint32_t)val >> (24 - 8 * j));
        } else {
            size = (long)(rng() % (uint32_t)len);
        }
        f = fopen(path, "wb");
        fwrite(data, 1, (size_t)size, f);
        fclose(f);
        fr = NULL;
        vox_status st = vox_frames_open(ctx, path, &fr);
        int frames = 0;
        if (fr) {
            while ((st = (c & 8 ? vox_frames_skip(ctx, fr, NULL, &got) : vox_frames_next(ctx, fr, buf, NULL, &got))) ==
                       VOX_OK && got)
                frames++;
            vox_frames_close(&fr);
        }
        ended[st == VOX_OK ? 0 : st == VOX_E_PARSE ? 1 : 2]++;
        if ((st != VOX_OK && st != VOX_E_PARSE && st != VOX_E_FORMAT) ||
            (st == VOX_E_PARSE && !strstr(vox_ctx_last_error_detail(ctx), "frame ")) || frames > 3) {
            if (fuzz_bad++ < 5)
                fprintf(stderr, "fuzz case %d: status %d after %d frames: %s\n", c, (int)st, frames,
                        vox_ctx_last_error_detail(ctx));
        }
    }
    CHECK(fuzz_bad == 0, "%d of 3000 damaged files ended without a clear error", fuzz_bad);
    printf("  3000 damaged XTCs: %d read to the end, %d refused with a frame named, %d not XTC\n", ended[0], ended[1],
           ended[2]);
    free(good);
    free(data);
    free(buf);
    free(v);
}

/* ---- the shared GROMACS run ------------------------------------------- */

static void check_shared(vox_ctx *ctx, const char *dir)
{
    char px[4096], pd[4096];
    snprintf(px, sizeof px, "%s/traj.xtc", dir);
    snprintf(pd, sizeof pd, "%s/traj.dcd", dir);
    vox_frames *x = NULL, *d = NULL;
    if (access(px, R_OK) != 0 || access(pd, R_OK) != 0) {
        printf("SKIP: %s (not found)\n", px);
        return;
    }
    CHECK(vox_frames_open(ctx, px, &x) == VOX_OK && vox_frames_open(ctx, pd, &d) == VOX_OK, "open: %s",
          vox_ctx_last_error_detail(ctx));
    if (!x || !d)
        return;
    size_t n = vox_frames_atom_count(x);
    CHECK(n == 1960 && vox_frames_atom_count(d) == n, "natoms %zu", n);
    float *a = malloc(12 * n), *b = malloc(12 * n);
    vox_frame_info fx = new_info(), fd = new_info();
    int gx, gd, frames = 0, same = 0, meta = 0;
    while (vox_frames_next(ctx, x, a, &fx, &gx) == VOX_OK && gx && vox_frames_next(ctx, d, b, &fd, &gd) == VOX_OK && gd) {
        same += !memcmp(a, b, 12 * n);
        int box_ok = 1;
        for (int i = 0; i < 9; i++) box_ok &= fabsf(fx.box[i] - fd.box[i]) < 2e-3f;
        meta += !(fabs(fx.time_ps - fd.time_ps) < 1e-5 && fx.step == 50 * frames && box_ok && fx.has_box);
        frames++;
    }
    CHECK(frames == 201 && same == 201 && meta == 0, "traj.xtc vs traj.dcd: %d frames, %d equal bit for bit, %d with other time/step/box",
          frames, same, meta);
    printf("  traj.xtc: %d frames, %d equal to traj.dcd bit for bit\n", frames, same);
    vox_frames_close(&x);
    vox_frames_close(&d);

    /* skipping lands on the same frames */
    vox_frames_open(ctx, px, &x);
    vox_frames_open(ctx, pd, &d);
    int ok = 1;
    for (int k = 0; k < 201; k++) {
        if (k % 7 == 3) {
            ok &= vox_frames_next(ctx, x, a, &fx, &gx) == VOX_OK && gx && fx.index == k;
            ok &= vox_frames_next(ctx, d, b, NULL, &gd) == VOX_OK && !memcmp(a, b, 12 * n);
        } else {
            ok &= vox_frames_skip(ctx, x, NULL, &gx) == VOX_OK && gx;
            ok &= vox_frames_skip(ctx, d, NULL, &gd) == VOX_OK;
        }
    }
    CHECK(ok && vox_frames_skip(ctx, x, NULL, &gx) == VOX_OK && !gx, "skipping through traj.xtc");
    vox_frames_close(&x);
    vox_frames_close(&d);

    snprintf(px, sizeof px, "%s/broken/truncated.xtc", dir);
    CHECK(vox_frames_open(ctx, px, &x) == VOX_OK, "truncated.xtc opens");
    vox_frames_open(ctx, pd, &d);
    frames = same = 0;
    vox_status st;
    while ((st = vox_frames_next(ctx, x, a, NULL, &gx)) == VOX_OK && gx) {
        vox_frames_next(ctx, d, b, NULL, &gd);
        same += !memcmp(a, b, 12 * n);
        frames++;
    }
    CHECK(st == VOX_E_PARSE && frames == 10 && same == 10 &&
              strstr(vox_ctx_last_error_detail(ctx), "frame 10 at byte offset 74948 is truncated: the file ends after 3787 of its 7484 bytes"),
          "truncated.xtc: %d frames, then '%s'", frames, vox_ctx_last_error_detail(ctx));
    vox_frames_close(&x);
    vox_frames_close(&d);
    free(a);
    free(b);
}

/* ---- --dump ------------------------------------------------------------- */

static int dump(const char *in, const char *out)
{
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    o.profile = "";
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK) return 1;
    vox_frames *fr = NULL;
    if (vox_frames_open(ctx, in, &fr) != VOX_OK) {
        fprintf(stderr, "%s\n", vox_ctx_last_error_detail(ctx));
        return 1;
    }
    size_t n = vox_frames_atom_count(fr);
    float *xyz = malloc(12 * n);
    FILE *f = fopen(out, "wb");
    vox_frame_info fi = new_info();
    int got;
    vox_status st;
    while ((st = vox_frames_next(ctx, fr, xyz, &fi, &got)) == VOX_OK && got) {
        int64_t step = fi.step;
        fwrite(&step, 8, 1, f);
        fwrite(&fi.time_ps, 8, 1, f);
        fwrite(fi.box, 4, 9, f);
        fwrite(xyz, 4, 3 * n, f);
    }
    if (st != VOX_OK)
        fprintf(stderr, "%s\n", vox_ctx_last_error_detail(ctx));
    fclose(f);
    free(xyz);
    vox_frames_close(&fr);
    vox_ctx_destroy(&ctx);
    return st == VOX_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--dump"))
        return dump(argv[2], argv[3]);
    if (argc < 2) {
        fprintf(stderr, "usage: test_xtc WORK_DIR [TRAJECTORY_DIR] | test_xtc --dump FILE.xtc OUT\n");
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
