/* exports.c - `vox-bench exports`: what the descriptors and their exports add to `vox analyze`
 *
 *   vox-bench exports [FILE] [--data DIR] [--resolution A] [--rounds N] [--threads N] [-o FILE]
 *
 * In one process, rounds alternate two jobs on the same structure (default
 * 4jpn.pdb of --data DIR/structures at 2.0 A, one thread):
 *   plain: load, prepare, vox_analyze, render the df JSON and annotated CIF
 *          (what `vox-bench run` times as the per-structure job);
 *   full:  the same with vox_analyze_params.descriptors = 1, plus every
 *          export `vox analyze --write descriptors,vina,pymol,chimerax,dx`
 *          renders (volumes JSON, a Vina box and a DX map per pocket, cavity
 *          and pore, the two scripts).
 * It prints the best and median time of each, the overhead of full over
 * plain (the budget is 10 %), the same for vox_analyze alone plus
 * the export renders, and checks that the plain outputs are the same bytes
 * in both jobs (descriptors change no volumizer output).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "bench.h"
#include "vox/vox.h"

/* Wall time, or with one thread the CPU time of this thread: on a shared
 * machine it leaves out the time other processes hold the CPU, which is
 * most of the noise of a loaded VM (wall time is printed as well). */
static int use_cpu_time;

static double now(void)
{
    struct timespec ts;
    clock_gettime(use_cpu_time ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct timing {
    double job, analyze, exports; /* seconds */
    uint64_t plain_sum;           /* df JSON + CIF */
    size_t documents;
    /* the documents rendered, kept until the job's time is taken: hashing
     * them (about 1 ns a byte, a megabyte for the CIF) is the bench's work,
     * not vox's, and so is reading a clock around each hash (a system call
     * for the CPU clock) */
    char **out;
    size_t *len, n, cap;
} timing;

/* Renders one document and keeps it in t; 0 on failure. */
static int render(vox_ctx *ctx, vox_document doc, const vox_structure *s, const vox_result *r,
                  const vox_render_params *p, timing *t)
{
    if (t->n == t->cap) {
        const size_t cap = t->cap ? 2 * t->cap : 64;
        char **out = realloc(t->out, cap * sizeof *out);
        if (out)
            t->out = out;
        size_t *len = realloc(t->len, cap * sizeof *len);
        if (len)
            t->len = len;
        if (!out || !len)
            return 0;
        t->cap = cap;
    }
    if (vox_render(ctx, doc, s, r, p, &t->out[t->n], &t->len[t->n]) != VOX_OK)
        return 0;
    t->n++;
    return 1;
}

/* Frees the documents t holds (their room kept for the next job). */
static void documents_clear(timing *t)
{
    for (size_t i = 0; i < t->n; i++) vox_free(t->out[i]);
    t->n = 0;
}

static void timing_free(timing *t)
{
    documents_clear(t);
    free(t->out);
    free(t->len);
}

/* The hash of documents [from, to) of t. */
static uint64_t hash_documents(const timing *t, size_t from, size_t to)
{
    uint64_t sum = VOX_FNV_OFFSET;
    for (size_t i = from; i < to; i++) sum = vox_bench_fnv1a(sum, t->out[i], t->len[i]);
    return sum;
}

static int one_job(vox_ctx *ctx, const char *path, double res, int full, timing *t)
{
    documents_clear(t);
    t->job = t->analyze = t->exports = 0.0;
    t->documents = 0;
    double t0 = now();
    vox_structure *s = NULL;
    vox_result *r = NULL;
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = res;
    ap.descriptors = full;
    int ok = vox_load_file(ctx, path, NULL, &s) == VOX_OK && vox_prepare(ctx, s, NULL) == VOX_OK;
    double ta = now();
    ok = ok && vox_analyze(ctx, s, &ap, &r) == VOX_OK;
    t->analyze = now() - ta;
    ok = ok && render(ctx, VOX_DOC_DF_JSON, s, r, NULL, t) && render(ctx, VOX_DOC_CIF, s, r, NULL, t);
    if (ok && full) {
        double te = now();
        vox_render_params p;
        vox_render_params_init(&p);
        p.output_frame = VOX_FRAME_INPUT;
        p.source = "bench";
        ok = render(ctx, VOX_DOC_VOLUMES_JSON, s, r, &p, t);
        /* the scripts open the annotated CIF the plain job wrote (aligned frame) */
        p.structure_file = "bench.annotated.cif";
        p.output_frame = VOX_FRAME_ALIGNED;
        ok = ok && render(ctx, VOX_DOC_PYMOL, s, r, &p, t) && render(ctx, VOX_DOC_CHIMERAX, s, r, &p, t);
        p.output_frame = VOX_FRAME_INPUT;
        t->documents = 3;
        for (size_t i = 0; ok && i < vox_result_count(r); i++) {
            vox_volume v = {.size = sizeof v};
            vox_result_volume(r, i, &v);
            if (v.type != VOX_POCKET && v.type != VOX_CAVITY && v.type != VOX_PORE)
                continue;
            p.volume = i;
            ok = render(ctx, VOX_DOC_VINA, s, r, &p, t) && render(ctx, VOX_DOC_DX, s, r, &p, t);
            t->documents += 2;
        }
        t->exports = now() - te;
    }
    t->job = now() - t0;
    t->plain_sum = ok && t->n >= 2 ? hash_documents(t, 0, 2) : 0;
    vox_result_free(&r);
    vox_structure_free(&s);
    return ok;
}

static int measure(vox_ctx *ctx, const char *file, double res, int rounds, int threads, const char *clock_name,
                   const char *out);

int vox_bench_exports(int argc, char **argv)
{
    const char *data = "../shared/data", *file = NULL, *out = NULL;
    double res = 2.0;
    int rounds = 21, threads = 1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--resolution") && i + 1 < argc) res = atof(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (argv[i][0] != '-' && !file) file = argv[i];
        else {
            fprintf(stderr, "usage: vox-bench exports [FILE] [--data DIR] [--resolution A] [--rounds N] "
                            "[--threads N] [-o FILE]\n");
            return 2;
        }
    }
    if (rounds < 3 || rounds > 1000 || !(res > 0) || threads < 1) {
        fprintf(stderr, "vox-bench exports: --rounds 3..1000, --resolution > 0, --threads >= 1\n");
        return 2;
    }
    char path[4096];
    if (!file) {
        snprintf(path, sizeof path, "%s/structures/4jpn.pdb", data);
        file = path;
    }
    FILE *probe = fopen(file, "rb");
    if (!probe) {
        printf("vox-bench exports: %s not found: skipped\n", file);
        return 0;
    }
    fclose(probe);
    vox_options o;
    vox_options_init(&o);
    o.threads = threads;
    o.profile = "";
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK) {
        fprintf(stderr, "vox-bench exports: cannot create a context\n");
        return 1;
    }
    int rc = 0;
    for (int clock = 0; clock < 2 && rc == 0; clock++) {
        use_cpu_time = clock == 0;
        if (use_cpu_time && threads != 1)
            continue; /* several threads: only wall time means anything */
        rc = measure(ctx, file, res, rounds, threads, use_cpu_time ? "CPU time (this thread)" : "wall time",
                     clock == 1 || threads != 1 ? out : NULL);
    }
    vox_ctx_destroy(&ctx);
    return rc;
}

static int measure(vox_ctx *ctx, const char *file, double res, int rounds, int threads, const char *clock_name,
                   const char *out)
{
    double *plain = malloc((size_t)rounds * sizeof *plain), *full = malloc((size_t)rounds * sizeof *full);
    double *an_plain = malloc((size_t)rounds * sizeof *an_plain);
    double *an_full = malloc((size_t)rounds * sizeof *an_full);
    double *an_desc = malloc((size_t)rounds * sizeof *an_desc), *ex = malloc((size_t)rounds * sizeof *ex);
    int ok = plain && full && an_plain && an_full && an_desc && ex, same = 1;
    size_t documents = 0;
    timing a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    for (int w = 0; ok && w < 2; w++) /* warm-up: page in the context's scratch and the file */
        ok = one_job(ctx, file, res, 0, &a) && one_job(ctx, file, res, 1, &b);
    for (int k = 0; ok && k < rounds; k++) {
        /* alternate which job goes first, so a drifting machine favours neither */
        if (k % 2) ok = one_job(ctx, file, res, 1, &b) && one_job(ctx, file, res, 0, &a);
        else ok = one_job(ctx, file, res, 0, &a) && one_job(ctx, file, res, 1, &b);
        plain[k] = a.job;
        full[k] = b.job;
        an_plain[k] = a.analyze;
        an_full[k] = b.analyze + b.exports;
        an_desc[k] = b.analyze;
        ex[k] = b.exports;
        same &= a.plain_sum == b.plain_sum;
        documents = b.documents;
    }
    int rc = 0;
    if (!ok) {
        fprintf(stderr, "vox-bench exports: %s: %s\n", file, vox_ctx_last_error_detail(ctx));
        rc = 1;
    } else {
        double pmin = plain[0], fullmin = full[0], amin = an_plain[0], bmin = an_full[0];
        for (int k = 1; k < rounds; k++) {
            pmin = fmin(pmin, plain[k]);
            fullmin = fmin(fullmin, full[k]);
            amin = fmin(amin, an_plain[k]);
            bmin = fmin(bmin, an_full[k]);
        }
        double pm = vox_bench_median(plain, rounds), fm = vox_bench_median(full, rounds);
        double am = vox_bench_median(an_plain, rounds), bm = vox_bench_median(an_full, rounds);
        printf("%s at %g A, %d rounds, %d thread(s), %zu export documents per job, %s\n", file, res, rounds, threads,
               documents, clock_name);
        printf("  per-structure job   plain %8.3f ms (best %8.3f)   with descriptors+exports %8.3f ms (best %8.3f)"
               "   overhead %+.1f %% (best %+.1f %%)\n",
               1e3 * pm, 1e3 * pmin, 1e3 * fm, 1e3 * fullmin, 100 * (fm / pm - 1), 100 * (fullmin / pmin - 1));
        printf("  vox_analyze alone   plain %8.3f ms (best %8.3f)   with descriptors+exports %8.3f ms (best %8.3f)"
               "   overhead %+.1f %% (best %+.1f %%)\n",
               1e3 * am, 1e3 * amin, 1e3 * bm, 1e3 * bmin, 100 * (bm / am - 1), 100 * (bmin / amin - 1));
        printf("  of which: vox_analyze with descriptors %8.3f ms (+%.3f ms), the export renders %8.3f ms (medians)\n",
               1e3 * vox_bench_median(an_desc, rounds), 1e3 * (vox_bench_median(an_desc, rounds) - am), 1e3 * vox_bench_median(ex, rounds));
        printf("  volumizer's outputs with and without descriptors: %s\n", same ? "the same bytes" : "DIFFERENT");
        if (!same)
            rc = 1;
        if (out) {
            cJSON *root = cJSON_CreateObject();
            cJSON_AddStringToObject(root, "bench", "exports");
            vox_bench_machine(root);
            vox_bench_build(root);
            cJSON_AddStringToObject(root, "file", file);
            cJSON_AddNumberToObject(root, "resolution", res);
            cJSON_AddNumberToObject(root, "rounds", rounds);
            cJSON_AddNumberToObject(root, "threads", threads);
            cJSON_AddStringToObject(root, "clock", clock_name);
            cJSON_AddNumberToObject(root, "job_plain_median", pm);
            cJSON_AddNumberToObject(root, "job_full_median", fm);
            cJSON_AddNumberToObject(root, "job_overhead_median", fm / pm - 1);
            cJSON_AddNumberToObject(root, "analyze_plain_median", am);
            cJSON_AddNumberToObject(root, "analyze_full_median", bm);
            cJSON_AddNumberToObject(root, "analyze_overhead_median", bm / am - 1);
            cJSON_AddBoolToObject(root, "same_outputs", same);
            rc = vox_bench_write_json(root, out);
            cJSON_Delete(root);
        }
    }
    timing_free(&a);
    timing_free(&b);
    free(plain); free(full); free(an_plain); free(an_full); free(an_desc); free(ex);
    return rc;
}
