/* batch.c - voxtune's batch step (batch.h) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* One timed run of a split: its jobs' contexts and the shared counter. */
typedef struct batch_run {
    const vox_workload *w;
    vox_ctx **ctx; /* one per job */
    int units;
    int next;      /* the next unit handed out (atomic) */
    int failed;    /* atomic */
} batch_run;

typedef struct job_arg {
    batch_run *run;
    int job;
} job_arg;

/* What a batch job does per structure, minus the file system: analyse,
 * then render the annotated CIF and the table. */
static int one_unit(vox_ctx *ctx, const vox_workload *w)
{
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = w->resolution;
    vox_result *res = NULL;
    int ok = vox_analyze(ctx, &w->st, &ap, &res) == VOX_OK;
    static const vox_document docs[2] = {VOX_DOC_CIF, VOX_DOC_DF_JSON};
    for (int d = 0; ok && d < 2; d++) {
        char *text = NULL;
        size_t len = 0;
        ok = vox_render(ctx, docs[d], &w->st, res, NULL, &text, &len) == VOX_OK;
        vox_free(text);
    }
    vox_result_free(&res);
    return ok;
}

static void *job(void *arg)
{
    job_arg *a = arg;
    batch_run *run = a->run;
    for (;;) {
        const int i = __atomic_fetch_add(&run->next, 1, __ATOMIC_RELAXED);
        if (i >= run->units || __atomic_load_n(&run->failed, __ATOMIC_RELAXED))
            break;
        if (!one_unit(run->ctx[a->job], run->w))
            __atomic_store_n(&run->failed, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* Seconds for run->units units on jobs threads (the calling thread is job 0); < 0 on failure. */
static double time_split(batch_run *run, int jobs)
{
    pthread_t th[VOX_MAX_JOBS];
    job_arg args[VOX_MAX_JOBS];
    run->next = 0;
    run->failed = 0;
    const double t0 = vox_tune_now();
    int started = 1;
    for (int j = 0; j < jobs; j++) args[j] = (job_arg){run, j};
    for (int j = 1; j < jobs; j++, started++)
        if (pthread_create(&th[j], NULL, job, &args[j]) != 0)
            break;
    job(&args[0]);
    for (int j = 1; j < started; j++) pthread_join(th[j], NULL);
    const double dt = vox_tune_now() - t0;
    /* a job that could not start leaves its share to the others: still a failure to measure */
    return run->failed || started < jobs ? -1.0 : dt;
}

static double median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            const double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int vox_tune_batch(vox_tuner *t, const vox_workload *w, const char *profile_json, vox_batch_outcome *out)
{
    memset(out, 0, sizeof *out);
    const int threads = t->ctx->team->threads;
    /* the splits: 1, 2, 4, ... jobs and one per thread, threads / jobs threads each */
    for (int jobs = 1; out->nsplits < VOX_TUNE_MAX_SPLITS; jobs = jobs * 2 < threads ? jobs * 2 : threads) {
        if (jobs > VOX_MAX_JOBS) break;
        out->split[out->nsplits++] = (vox_batch_figure){jobs, threads / jobs, -1.0};
        if (jobs == threads) break;
    }
    vox_ctx **ctx[VOX_TUNE_MAX_SPLITS] = {NULL};
    double *secs[VOX_TUNE_MAX_SPLITS] = {NULL};
    int ok = 1, reps = 0;
    for (int s = 0; ok && s < out->nsplits; s++) {
        const vox_batch_figure *f = &out->split[s];
        ctx[s] = calloc((size_t)f->jobs, sizeof *ctx[s]);
        secs[s] = calloc((size_t)t->reps, sizeof *secs[s]);
        ok = ctx[s] && secs[s];
        for (int j = 0; ok && j < f->jobs; j++) {
            vox_options o; /* as vox analyze's workers: their threads, the profile's settings */
            vox_options_init(&o);
            o.threads = f->threads_per_job;
            o.profile_json = profile_json;
            ok = vox_ctx_create(&ctx[s][j], &o) == VOX_OK;
        }
    }
    /* enough units that every job takes several, and the splits are timed in turn */
    batch_run run = {w, NULL, 6 * threads < 12 ? 12 : 6 * threads, 0, 0};
    for (int s = 0; ok && s < out->nsplits; s++) { /* warm-up: pools, scratch, pages */
        run.ctx = ctx[s];
        ok = time_split(&run, out->split[s].jobs) >= 0;
    }
    for (int r = 0; ok && r < t->reps; r++) {
        if (t->deadline > 0 && vox_tune_now() > t->deadline) {
            t->truncated = 1;
            break;
        }
        for (int i = 0; ok && i < out->nsplits; i++) {
            const int s = (i + r) % out->nsplits; /* rotate which goes first */
            run.ctx = ctx[s];
            secs[s][r] = time_split(&run, out->split[s].jobs);
            ok = secs[s][r] > 0;
        }
        if (ok) reps++;
    }
    ok = ok && reps > 0;
    for (int s = 0; ok && s < out->nsplits; s++) {
        vox_batch_figure *f = &out->split[s];
        f->per_second = run.units / median(secs[s], reps);
        if (f->per_second > out->split[out->best].per_second) out->best = s;
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "kernel", "batch");
        cJSON_AddNumberToObject(m, "voxels", (double)w->total);
        cJSON_AddNumberToObject(m, "jobs", f->jobs);
        cJSON_AddNumberToObject(m, "threads_per_job", f->threads_per_job);
        cJSON_AddNumberToObject(m, "structures_per_second", f->per_second);
        cJSON_AddItemToArray(t->measurements, m);
        t->done++;
    }
    out->kept = ok && out->best != 0 && out->split[out->best].per_second > 1.03 * out->split[0].per_second;
    for (int s = 0; s < out->nsplits; s++) {
        for (int j = 0; ctx[s] && j < out->split[s].jobs; j++) vox_ctx_destroy(&ctx[s][j]);
        free(ctx[s]);
        free(secs[s]);
    }
    return ok;
}
