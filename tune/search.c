/* search.c - measuring a kernel's stage with one setting, and the three-pass search (search.h) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "search.h"

double vox_tune_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run_once(vox_tuner *t, vox_workload *w, vox_tuned_kernel k, const vox_stage_plan *plan)
{
    vox_team *team = t->ctx->team;
    switch (k) {
    case VOX_TK_BIN_POINTS:
        vox_stage_bin(team, plan, &w->sh, &w->g, w->occ);
        break;
    case VOX_TK_OCCLUSION:
        vox_stage_occlusion(team, plan, w->occ, w->dims, w->state, &w->lines, &w->partials);
        break;
    case VOX_TK_FIRST_SHELL:
        vox_stage_first_shell(team, plan, w->state, w->shelled, w->dims);
        break;
    case VOX_TK_LABELS: {
        vox_components c;
        vox_stage_components(team, plan, w->shelled, w->dims, w->labels, w->queue, &w->join, &w->starts, &c);
        break;
    }
    default: {
        double mean[3], scatter[6];
        plan->k->moments((const float *const *)(float *const[3]){w->ax[0].centres, w->ax[1].centres, w->ax[2].centres},
                         w->dims, w->group, w->ngroup, mean, scatter);
        break;
    }
    }
}

const char *vox_tune_eta(vox_tuner *t)
{
    /* the searches so far at their mean pace, never past the time limit */
    const double now = vox_tune_now(), spent = now - t->start;
    double left = t->finished > 0 ? spent / t->finished * (t->steps - t->finished) : -1.0;
    if (t->deadline > 0 && (left < 0 || now + left > t->deadline))
        left = t->deadline - now;
    if (left < 0)
        snprintf(t->eta, sizeof t->eta, "?");
    else if (left < 100)
        snprintf(t->eta, sizeof t->eta, "%.0f s", left);
    else
        snprintf(t->eta, sizeof t->eta, "%.0f min", left / 60.0);
    return t->eta;
}

double vox_tune_measure(vox_tuner *t, vox_workload *w, vox_tuned_kernel k, const vox_setting *s)
{
    if (t->deadline > 0 && vox_tune_now() > t->deadline) {
        t->truncated = 1;
        return -1.0;
    }
    vox_stage_plan plan;
    plan.k = &t->ctx->tables[s->isa];
    plan.threads = s->threads;
    plan.tile_kib = s->tile_kib;
    double best = INFINITY;
    run_once(t, w, k, &plan); /* warm-up: caches, pages, the thread pool */
    for (int r = 0; r < t->reps; r++) {
        double t0 = vox_tune_now();
        run_once(t, w, k, &plan);
        double dt = vox_tune_now() - t0;
        if (dt < best) best = dt;
    }
    int threads = vox_team_width(t->ctx->team, s->threads, (size_t)w->dims[0]);
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "kernel", vox_tuned_kernel_name(k));
    cJSON_AddStringToObject(m, "size_class", vox_size_class_name(w->cls));
    cJSON_AddNumberToObject(m, "voxels", (double)w->total);
    cJSON_AddStringToObject(m, "variant", vox_isa_name(s->isa));
    cJSON_AddNumberToObject(m, "tile_kib", s->tile_kib);
    cJSON_AddNumberToObject(m, "threads", k == VOX_TK_MOMENTS ? 1 : threads);
    cJSON_AddNumberToObject(m, "seconds", best);
    cJSON_AddItemToArray(t->measurements, m);
    t->done++;
    if (t->show_progress) { /* one line rewritten in place on a terminal */
        fprintf(stderr, "\rvoxtune: [%d/%d, ETA %s] %3d measured  %-16s %-6s %-6s tile %7d KiB  %2d threads  %9.3f ms   ",
                t->finished + 1, t->steps, vox_tune_eta(t), t->done, vox_tuned_kernel_name(k), vox_size_class_name(w->cls),
                vox_isa_name(s->isa), s->tile_kib, k == VOX_TK_MOMENTS ? 1 : threads, best * 1e3);
        fflush(stderr);
    }
    return best;
}

/* Keeps the candidate when it is faster (times < 0 are not measured). */
static void consider(double dt, const vox_setting *cand, double *best, vox_setting *choice)
{
    if (dt >= 0 && (*best < 0 || dt < *best)) {
        *best = dt;
        *choice = *cand;
    }
}

void vox_tune_search(vox_tuner *t, vox_workload *w, vox_tuned_kernel k, vox_setting *s, double *t_default,
                     double *t_chosen)
{
    vox_ctx *ctx = t->ctx;
    vox_setting base = *s, choice = *s;
    double best = vox_tune_measure(t, w, k, &base);
    *t_default = best;
    /* 1. the variant: each distinct kernel function once (variants that
     * inherit a lower level's kernel are the same code) */
    const void *seen[VOX_ISA_COUNT + 1];
    int nseen = 0;
    seen[nseen++] = vox_tuned_kernel_fn(&ctx->tables[base.isa], k);
    for (int isa = 0; isa < VOX_ISA_COUNT; isa++) {
        if (!vox_isa_usable(isa)) continue;
        const void *fn = vox_tuned_kernel_fn(&ctx->tables[isa], k);
        int dup = 0;
        for (int i = 0; i < nseen; i++) dup |= seen[i] == fn;
        if (dup) continue;
        seen[nseen++] = fn;
        vox_setting cand = choice;
        cand.isa = isa;
        consider(vox_tune_measure(t, w, k, &cand), &cand, &best, &choice);
    }
    if (k != VOX_TK_MOMENTS) {
        /* 2. the tile */
        const int mult[] = {-4, -2, 2, 4};
        vox_setting start = choice;
        for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
            long tile = mult[i] < 0 ? start.tile_kib / -mult[i] : (long)start.tile_kib * mult[i];
            if (tile < VOX_TILE_KIB_MIN || tile > VOX_TILE_KIB_MAX) continue;
            vox_setting cand = start;
            cand.tile_kib = (int)tile;
            consider(vox_tune_measure(t, w, k, &cand), &cand, &best, &choice);
        }
        vox_setting whole = start; /* one slab per thread */
        whole.tile_kib = VOX_TILE_KIB_MAX;
        consider(vox_tune_measure(t, w, k, &whole), &whole, &best, &choice);
        /* 3. the threads: fewest within 3% of the fastest */
        int all = ctx->team->threads;
        double tt[32];
        int tn[32], nt = 0;
        for (int n = 1; n < all && nt < 31; n *= 2) {
            vox_setting cand = choice;
            cand.threads = n;
            tn[nt] = n;
            tt[nt++] = vox_tune_measure(t, w, k, &cand);
        }
        tn[nt] = 0; /* all */
        tt[nt++] = best;
        double fastest = -1;
        for (int i = 0; i < nt; i++) fastest = vox_tune_min(fastest, tt[i]);
        for (int i = 0; i < nt; i++)
            if (tt[i] >= 0 && tt[i] <= fastest * 1.03) {
                choice.threads = tn[i] >= all ? 0 : tn[i];
                best = tt[i];
                break;
            }
    }
    /* Confirm against the default, measured alternately: a choice that was
     * only lucky in a noisy moment must not replace it. */
    if (memcmp(&choice, &base, sizeof choice) != 0) {
        double td = -1, tc = -1;
        for (int r = 0; r < 3; r++) {
            td = vox_tune_min(td, vox_tune_measure(t, w, k, &base));
            tc = vox_tune_min(tc, vox_tune_measure(t, w, k, &choice));
        }
        if (td >= 0 && tc >= 0) {
            *t_default = td;
            if (tc >= td) { /* no better than the default: keep it */
                choice = base;
                tc = td;
            }
            best = tc;
        }
    }
    *s = choice;
    *t_chosen = best;
}
