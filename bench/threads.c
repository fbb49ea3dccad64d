/* threads.c - `vox-bench threads`: thread scaling per kernel and end to end, and tuned vs default
 *
 * On voxtune's synthetic blob at about 2e7 voxels (1.1e7 with --quick):
 *  - each grid stage (binning, occlusion, first shell, components) at 1, 2,
 *    4, ... N threads with the default tiles, and the four together;
 *  - the whole vox_analyze at each thread count, checking that every count
 *    gives the same table;
 *  - each kernel with the default setting and with the tuned one (the
 *    profile's, or - without a matching profile - chosen by voxtune's search
 *    in this run), measured alternately.
 * Every comparison is a ratio of times taken in the same run, round by
 * round (one timing of each configuration per round, best of the rounds), so
 * a noisy neighbour slows all of them alike.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "profile.h"
#include "search.h"

static uint64_t table_checksum(vox_ctx *ctx, const vox_structure *s, const vox_result *r)
{
    char *json = NULL;
    size_t len = 0;
    if (vox_render(ctx, VOX_DOC_DF_JSON, s, r, NULL, &json, &len) != VOX_OK)
        return 0;
    uint64_t h = vox_bench_fnv1a(VOX_FNV_OFFSET, json, len);
    vox_free(json);
    return h;
}

int vox_bench_threads(int argc, char **argv)
{
    const char *out = NULL, *profile = NULL;
    int quick = 0, max_threads = 0, side = 0, rounds = 7;
    static const char usage[] = "usage: vox-bench threads [--quick] [--max-threads N] [--side N] [--rounds N] "
                                "[--profile PATH] [-o FILE]\n";
    enum { O_QUICK = 256, O_MAXT, O_SIDE, O_ROUNDS, O_PROFILE };
    static const struct option opts[] = {
        {"quick", no_argument, 0, O_QUICK},  {"max-threads", required_argument, 0, O_MAXT},
        {"side", required_argument, 0, O_SIDE}, {"rounds", required_argument, 0, O_ROUNDS},
        {"profile", required_argument, 0, O_PROFILE}, {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (ch) {
        case O_QUICK: quick = 1; break;
        case O_MAXT:
            if (!vox_bench_opt_int("threads", "max-threads", optarg, 1, 4096, &max_threads)) return 2;
            break;
        case O_SIDE:
            if (!vox_bench_opt_int("threads", "side", optarg, 8, 2048, &side)) return 2;
            break;
        case O_ROUNDS:
            if (!vox_bench_opt_int("threads", "rounds", optarg, 1, 1000, &rounds)) return 2;
            break;
        case O_PROFILE: profile = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return vox_bench_opt_error("threads", ch, argv, usage);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vox-bench threads: unexpected argument '%s'\n%s", argv[optind], usage);
        return 2;
    }
    if (!side) side = quick ? 232 : 270; /* >= 1e7 voxels either way */
    if (quick && rounds > 3) rounds = 3;
    if (rounds < 1) rounds = 1;
    vox_options o;
    vox_options_init(&o);
    o.threads = max_threads > 0 ? max_threads : 0;
    o.profile = "";
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK)
        return 1;
    int all = ctx->team->threads;
    /* The contexts below are created while this one is alive, so "auto" would
     * not pin them (vox.h): give them the binding this one got, so that every
     * configuration is measured alike. */
    if (!o.bind && !getenv("VOX_BIND"))
        o.bind = vox_bind_mode_name(ctx->team->bind);
    int counts[32], ncounts = 0;
    for (int n = 1; n < all && ncounts < 31; n *= 2) counts[ncounts++] = n;
    counts[ncounts++] = all;

    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema", 1);
    cJSON_AddStringToObject(root, "tool", "vox-bench threads");
    vox_bench_machine(root);
    vox_bench_build(root);
    cJSON_AddStringToObject(root, "describe", vox_ctx_describe(ctx));

    vox_workload w;
    printf("building the workload (side %d)...\n", side);
    if (!vox_workload_build(ctx, VOX_SC_LARGE, side, &w)) {
        fprintf(stderr, "vox-bench threads: cannot build the workload (out of memory?)\n");
        vox_workload_free(&w);
        vox_ctx_destroy(&ctx);
        return 1;
    }
    cJSON_AddNumberToObject(root, "voxels", (double)w.total);
    cJSON_AddNumberToObject(root, "resolution", w.resolution);
    printf("grid %d x %d x %d = %.3g voxels at %.3f A, %zu atoms, %s\n", w.dims[0], w.dims[1], w.dims[2],
           (double)w.total, w.resolution, w.st.atoms.n, vox_ctx_describe(ctx));

    vox_tuner t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx;
    t.reps = 1;
    t.measurements = cJSON_CreateArray();
    const vox_size_class cls = vox_size_class_of(w.total);

    /* 1. scaling per grid stage */
    static const vox_tuned_kernel grid_kernels[4] = {VOX_TK_BIN_POINTS, VOX_TK_OCCLUSION, VOX_TK_FIRST_SHELL,
                                                     VOX_TK_LABELS};
    double secs[4][32];
    for (int k = 0; k < 4; k++)
        for (int c = 0; c < ncounts; c++) secs[k][c] = -1;
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < 4; k++)
            for (int c = 0; c < ncounts; c++) {
                vox_setting s = ctx->tuning->s[grid_kernels[k]][cls];
                s.threads = counts[c];
                secs[k][c] = vox_tune_min(secs[k][c], vox_tune_measure(&t, &w, grid_kernels[k], &s));
            }
    cJSON *scaling = cJSON_AddArrayToObject(root, "scaling");
    printf("\n%-18s", "threads");
    for (int c = 0; c < ncounts; c++) printf(" %9d", counts[c]);
    printf("\n");
    double grid_sum[32] = {0};
    for (int k = 0; k <= 4; k++) {
        const char *name = k < 4 ? vox_tuned_kernel_name(grid_kernels[k]) : "grid stages";
        double *row = k < 4 ? secs[k] : grid_sum;
        if (k < 4)
            for (int c = 0; c < ncounts; c++) grid_sum[c] += secs[k][c];
        printf("%-18s", name);
        for (int c = 0; c < ncounts; c++) printf(" %8.2fms", row[c] * 1e3);
        printf("\n%-18s", "  speedup");
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "kernel", name);
        cJSON *pts = cJSON_AddArrayToObject(e, "points");
        for (int c = 0; c < ncounts; c++) {
            printf(" %8.2fx ", row[0] / row[c]);
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "threads", counts[c]);
            cJSON_AddNumberToObject(p, "seconds", row[c]);
            cJSON_AddNumberToObject(p, "speedup", row[0] / row[c]);
            cJSON_AddItemToArray(pts, p);
        }
        printf("\n");
        cJSON_AddItemToArray(scaling, e);
    }

    /* 2. end to end, and one answer for every thread count */
    double e2e[32], stage[32][VOX_STAGE_COUNT];
    uint64_t sums[32];
    vox_ctx *cc[32];
    int ok = 1;
    for (int c = 0; c < ncounts; c++) {
        vox_options oc = o;
        oc.threads = counts[c];
        cc[c] = NULL;
        ok &= vox_ctx_create(&cc[c], &oc) == VOX_OK;
        e2e[c] = -1;
        sums[c] = 0;
    }
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = w.resolution;
    int e2e_rounds = rounds < 3 ? rounds : 3;
    for (int r = 0; ok && r < e2e_rounds; r++)
        for (int c = 0; c < ncounts; c++) {
            vox_result *res = NULL;
            double t0 = vox_tune_now();
            vox_status st = vox_analyze(cc[c], &w.st, &ap, &res);
            double dt = vox_tune_now() - t0;
            if (st != VOX_OK) { ok = 0; break; }
            if (e2e[c] < 0 || dt < e2e[c]) {
                vox_stats stats = {.size = sizeof stats};
                vox_ctx_get_stats(cc[c], &stats);
                memcpy(stage[c], stats.seconds, sizeof stage[c]);
            }
            e2e[c] = vox_tune_min(e2e[c], dt);
            if (r == 0) sums[c] = table_checksum(cc[c], &w.st, res);
            vox_result_free(&res);
        }
    int identical = ok;
    for (int c = 1; c < ncounts; c++) identical &= sums[c] == sums[0];
    printf("%-18s", "vox_analyze");
    for (int c = 0; c < ncounts; c++) printf(" %8.1fms", e2e[c] * 1e3);
    printf("\n%-18s", "  speedup");
    for (int c = 0; c < ncounts; c++) printf(" %8.2fx ", e2e[0] / e2e[c]);
    printf("\n  tables identical across thread counts: %s\n", identical ? "yes" : "NO");
    for (int st = VOX_STAGE_SHELLS; ok && st < VOX_STAGE_COUNT; st++) {
        printf("  %-16s", vox_stage_name((vox_stage)st));
        for (int c = 0; c < ncounts; c++) printf(" %8.1fms", stage[c][st] * 1e3);
        printf("\n");
    }
    cJSON *ee = cJSON_AddObjectToObject(root, "end_to_end");
    cJSON_AddBoolToObject(ee, "identical", identical);
    cJSON *pts = cJSON_AddArrayToObject(ee, "points");
    for (int c = 0; c < ncounts; c++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "threads", counts[c]);
        cJSON_AddNumberToObject(p, "seconds", e2e[c]);
        cJSON_AddNumberToObject(p, "speedup", e2e[0] / e2e[c]);
        cJSON *stg = cJSON_AddObjectToObject(p, "stages");
        for (int st = VOX_STAGE_SHELLS; ok && st < VOX_STAGE_COUNT; st++)
            cJSON_AddNumberToObject(stg, vox_stage_name((vox_stage)st), stage[c][st]);
        cJSON_AddItemToArray(pts, p);
        vox_ctx_destroy(&cc[c]);
    }

    /* 3. tuned versus default */
    vox_options op = o;
    op.profile = profile; /* NULL: $VOX_PROFILE or the default location */
    vox_ctx *pc = NULL;
    vox_tuning tuned = *ctx->tuning;
    const char *source = "profile";
    if (vox_ctx_create(&pc, &op) == VOX_OK &&
        (vox_ctx_profile_status(pc) == VOX_PROFILE_EXACT || vox_ctx_profile_status(pc) == VOX_PROFILE_PARTIAL)) {
        tuned = *pc->tuning;
        printf("\ntuned settings: %s (%s)\n", vox_ctx_profile_path(pc), vox_profile_status_name(vox_ctx_profile_status(pc)));
    } else {
        source = "searched in this run";
        printf("\nno matching profile (%s): voxtune's search picks the tuned settings now\n",
               pc ? vox_profile_status_name(vox_ctx_profile_status(pc)) : "?");
        vox_tuner st = t;
        st.reps = quick ? 2 : 3;
        for (int k = 0; k < VOX_TK_COUNT; k++) {
            double a, b;
            vox_tune_search(&st, &w, (vox_tuned_kernel)k, &tuned.s[k][cls], &a, &b);
        }
    }
    vox_ctx_destroy(&pc);
    cJSON *tv = cJSON_AddObjectToObject(root, "tuned_vs_default");
    cJSON_AddStringToObject(tv, "source", source);
    cJSON *rows = cJSON_AddArrayToObject(tv, "kernels");
    printf("%-17s %-28s %-28s %10s %10s %7s\n", "kernel", "default", "tuned", "default", "tuned", "ratio");
    for (int k = 0; k < VOX_TK_COUNT; k++) {
        vox_setting d = ctx->tuning->s[k][cls], u = tuned.s[k][cls];
        double td = -1, tu = -1;
        for (int r = 0; r < rounds; r++) {
            td = vox_tune_min(td, vox_tune_measure(&t, &w, (vox_tuned_kernel)k, &d));
            tu = vox_tune_min(tu, vox_tune_measure(&t, &w, (vox_tuned_kernel)k, &u));
        }
        char ds[64], us[64];
        snprintf(ds, sizeof ds, "%s/%dKiB/%dt", vox_isa_name(d.isa), d.tile_kib, d.threads ? d.threads : all);
        snprintf(us, sizeof us, "%s/%dKiB/%dt", vox_isa_name(u.isa), u.tile_kib, u.threads ? u.threads : all);
        printf("%-17s %-28s %-28s %8.2fms %8.2fms %6.2fx\n", vox_tuned_kernel_name((vox_tuned_kernel)k), ds, us,
               td * 1e3, tu * 1e3, td / tu);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "kernel", vox_tuned_kernel_name((vox_tuned_kernel)k));
        cJSON_AddStringToObject(e, "default", ds);
        cJSON_AddStringToObject(e, "tuned", us);
        cJSON_AddNumberToObject(e, "default_seconds", td);
        cJSON_AddNumberToObject(e, "tuned_seconds", tu);
        cJSON_AddNumberToObject(e, "ratio", td / tu);
        cJSON_AddItemToArray(rows, e);
    }
    cJSON_Delete(t.measurements);
    vox_workload_free(&w);
    vox_ctx_destroy(&ctx);
    int rc = vox_bench_write_json(root, out);
    cJSON_Delete(root);
    return identical ? rc : 1;
}
