/* bench.h - helpers shared by the vox-bench subcommands */
#ifndef VOX_BENCH_H
#define VOX_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cJSON.h>

#define VOX_FNV_OFFSET 1469598103934665603ull

/* FNV-1a over n bytes, continuing from h (start with VOX_FNV_OFFSET). */
static inline uint64_t vox_bench_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static inline int vox_bench_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (n >= 1), sorting v in place. */
static inline double vox_bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, vox_bench_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Adds the "machine" object: CPU identity, ISA, topology, caches and a key
 * that decides whether two results are comparable in wall time. */
void vox_bench_machine(cJSON *root);
/* Adds the "build" object (version, git revision, compiler, flags, type). */
void vox_bench_build(cJSON *root);
/* Writes root as JSON to path (when not NULL); returns an exit code. */
int vox_bench_write_json(const cJSON *root, const char *path);
/* `vox-bench kernels`. */
int vox_bench_kernels(int argc, char **argv);
/* One kernel micro-case by name ("occlusion@64^3", "bin_points@1e6", ...):
 * runs it reps times with the context's ISA and stores the seconds of each
 * repetition in secs (reps <= 64); returns 0 for an unknown name. */
int vox_bench_kernel_case(const char *name, int reps, double *secs, double *units);
/* The names of the kernel micro-cases of `vox-bench run`. */
extern const char *const vox_bench_kernel_cases[];
/* `vox-bench threads`: thread scaling per kernel and end to end, tuned vs default. */
int vox_bench_threads(int argc, char **argv);
/* `vox-bench startup`: whole `vox analyze` processes against their own stages (startup.c). */
int vox_bench_startup(int argc, char **argv, const char *self);
/* `vox-bench ctx-case`: vox_ctx_create timings of this fresh process, as JSON on stdout. */
int vox_bench_ctx_case(void);
/* `vox-bench exports`: descriptors and exports against the plain job (exports.c). */
int vox_bench_exports(int argc, char **argv);
/* `vox-bench parse`: the readers' MB/s on one core, builds of libvox alternated (parse.c). */
int vox_bench_parse(int argc, char **argv);
/* The time of a fixed workload (best of 5): times divided by it compare across
 * moments of a shared machine's load better than raw times (vox_bench.c). */
double vox_bench_reference_seconds(void);
/* `vox-bench compare`. */
int vox_bench_compare(int argc, char **argv, const char *self);
/* Runs `self case` / `self kernel-case` for one case in a child process;
 * with callgrind, under valgrind: the case gets "instructions" (self cost of
 * our own binary) and "functions" (that cost per function), and the
 * callgrind output is kept at keep_callgrind (NULL: removed). */
cJSON *vox_bench_spawn(const char *self, const char *kind, const char *a1, const char *a2, const char *budget,
                       const char *isa, int callgrind, const char *keep_callgrind);

/* Option values (options.c): 1 when arg is a number in range, else a usage
 * message naming cmd and --opt, and 0. */
int vox_bench_opt_double(const char *cmd, const char *opt, const char *arg, double min, double *out);
int vox_bench_opt_int(const char *cmd, const char *opt, const char *arg, long min, long max, int *out);
/* A getopt_long error ('?' or ':'): the message and usage; returns 2. */
int vox_bench_opt_error(const char *cmd, int ch, char *const *argv, const char *usage);

#endif
