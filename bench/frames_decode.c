/* frames_decode.c - `vox-frames-decode`: frames per CPU-second of the trajectory readers alone
 *
 *   build/bench/vox-frames-decode FILE [--repeat N]
 *
 * Reads every frame of FILE (DCD or XTC, through vox_frames_next: the XTC
 * decoder included), then skips through it (vox_frames_skip), N times each
 * (default 20), and prints one line per mode with frames per CPU-second and
 * microseconds per frame, best of the N passes (process CPU time, steadier
 * than wall time on a shared machine).  A checksum of every coordinate read
 * is printed too, so the work cannot be optimised away and two builds can be
 * compared.  Figures are printed, never asserted; bench/trajectory_throughput.py
 * runs it next to `vox trajectory`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vox/vox.h"

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One pass: reads (xyz) or skips every frame; returns the frame count, -1 on an error. */
static long pass(vox_ctx *ctx, const char *path, float *xyz, double *checksum)
{
    vox_frames *f = NULL;
    if (vox_frames_open(ctx, path, &f) != VOX_OK) {
        fprintf(stderr, "vox-frames-decode: %s\n", vox_ctx_last_error_detail(ctx));
        return -1;
    }
    size_t n = vox_frames_atom_count(f);
    long frames = 0;
    int got;
    vox_status st;
    while ((st = xyz ? vox_frames_next(ctx, f, xyz, NULL, &got) : vox_frames_skip(ctx, f, NULL, &got)) == VOX_OK &&
           got) {
        frames++;
        if (xyz)
            for (size_t i = 0; i < 3 * n; i++) *checksum += xyz[i];
    }
    vox_frames_close(&f);
    if (st != VOX_OK) {
        fprintf(stderr, "vox-frames-decode: %s\n", vox_ctx_last_error_detail(ctx));
        return -1;
    }
    return frames;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int repeat = 20;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!path || repeat < 1) {
        fprintf(stderr, "usage: vox-frames-decode FILE [--repeat N]\n");
        return 2;
    }
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    o.profile = "";
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK)
        return 1;
    vox_frames *f = NULL;
    if (vox_frames_open(ctx, path, &f) != VOX_OK) {
        fprintf(stderr, "vox-frames-decode: %s\n", vox_ctx_last_error_detail(ctx));
        return 1;
    }
    size_t natoms = vox_frames_atom_count(f);
    const char *format = vox_frames_format(f);
    printf("%s: %s, %zu atoms\n", path, format, natoms);
    vox_frames_close(&f);
    float *xyz = malloc(3 * natoms * sizeof *xyz);
    if (!xyz)
        return 1;
    for (int mode = 0; mode < 2; mode++) {
        double best = 1e300, checksum = 0;
        long frames = 0;
        for (int r = 0; r < repeat; r++) {
            double t0 = cpu_seconds();
            frames = pass(ctx, path, mode == 0 ? xyz : NULL, &checksum);
            double t = cpu_seconds() - t0;
            if (frames < 0)
                return 1;
            if (t < best)
                best = t;
        }
        if (best <= 0)
            best = 1e-9;
        printf("  %-4s %ld frames: %10.0f frames/CPU-s  %8.2f us/frame", mode == 0 ? "next" : "skip", frames,
               (double)frames / best, 1e6 * best / (double)(frames ? frames : 1));
        if (mode == 0)
            printf("  (checksum %.6e)", checksum / repeat);
        printf("\n");
    }
    free(xyz);
    vox_ctx_destroy(&ctx);
    return 0;
}
