/* ctx.c - context lifecycle, option defaults, describe string and stage statistics */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define VOX_DEFAULT_MAX_GRID_VOXELS ((uint64_t)INT32_MAX)

const char *vox_version(void) { return VOX_VERSION_STRING; }
unsigned vox_version_number(void) { return VOX_VERSION_NUMBER; }

void vox_options_init(vox_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->max_grid_voxels = VOX_DEFAULT_MAX_GRID_VOXELS;
}

/* The library's only output: to the caller's logger, or to stderr when the
 * context is verbose (vox_options.verbose or VOX_VERBOSE); nothing otherwise. */
static void log_line(const vox_ctx *ctx, const char *line)
{
    if (ctx->opts.log)
        ctx->opts.log(ctx->opts.log_cookie, line);
    else if (ctx->opts.verbose > 0)
        fprintf(stderr, "vox: %s\n", line);
}

void vox_warn(vox_ctx *ctx, const char *fmt, ...)
{
    char line[512];
    int n = snprintf(line, sizeof line, "warning: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t used = strlen(ctx->warnings);
    if (used + 3 < sizeof ctx->warnings)
        snprintf(ctx->warnings + used, sizeof ctx->warnings - used, "%s%s", used ? "; " : "", line + n);
    log_line(ctx, line);
}

/* Where a failed vox_ctx_create leaves its detail: there is no context to
 * ask, so it goes into the caller's vox_options.error_detail buffer. */
static vox_status create_failed(const vox_options *opts, vox_status st, const char *detail)
{
    if (opts && opts->size >= offsetof(vox_options, error_detail_size) + sizeof opts->error_detail_size &&
        opts->error_detail && opts->error_detail_size > 0)
        snprintf(opts->error_detail, opts->error_detail_size, "%s", detail);
    return st;
}

/* VOX_VERBOSE: unset, empty or 0 is quiet, a positive integer verbose;
 * anything else is quiet and a warning (kept for vox_ctx_describe). */
static int parse_verbose(const char *v, int *bad)
{
    char *end;
    *bad = 0;
    if (!v || !*v)
        return 0;
    long n = strtol(v, &end, 10);
    if (*end || n < 0) {
        *bad = 1;
        return 0;
    }
    return n > 0;
}

/* The team, tuning and profile records of a context, in one allocation. */
typedef struct ctx_parts {
    vox_team team;
    vox_tuning tuning;
    vox_profile_info profile;
} ctx_parts;

vox_status vox_ctx_create(vox_ctx **out, const vox_options *opts)
{
    if (!out)
        return create_failed(opts, VOX_E_INVALID_ARG, "vox_ctx_create: out is NULL");
    *out = NULL;
    vox_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return create_failed(opts, VOX_E_NOMEM, "vox_ctx_create: out of memory for the context");
    vox_options_init(&ctx->opts);
    if (opts && vox_params_size(opts) < sizeof(size_t)) { /* checked before vox_params_take: no context yet */
        free(ctx);
        return create_failed(opts, VOX_E_INVALID_ARG, "vox_options.size is under sizeof(size_t): set the struct up "
                             "with vox_options_init (or set size to sizeof(vox_options))");
    }
    vox_params_take(NULL, &ctx->opts, sizeof ctx->opts, opts, "vox_options");
    if (ctx->opts.max_grid_voxels == 0)
        ctx->opts.max_grid_voxels = VOX_DEFAULT_MAX_GRID_VOXELS;
    const char *env_verbose = getenv("VOX_VERBOSE");
    int bad_verbose;
    if (parse_verbose(env_verbose, &bad_verbose) && ctx->opts.verbose <= 0)
        ctx->opts.verbose = 1;
    if (bad_verbose)
        vox_warn(ctx, "VOX_VERBOSE='%s' is not 0 or a positive number: not verbose", env_verbose);

    ctx_parts *parts = calloc(1, sizeof *parts);
    if (!parts) {
        free(ctx);
        return create_failed(opts, VOX_E_NOMEM, "vox_ctx_create: out of memory for the context");
    }
    ctx->team = &parts->team;
    ctx->tuning = &parts->tuning;
    ctx->profile = &parts->profile;
    vox_status st = vox_select_kernels(ctx, ctx->opts.isa);
    if (st == VOX_OK)
        st = vox_team_init(ctx, ctx->team, ctx->opts.threads, ctx->opts.bind);
    if (st != VOX_OK) {
        create_failed(opts, st, ctx->detail);
        free(parts);
        free(ctx);
        return st;
    }
    vox_profile_load(ctx);
    int n = snprintf(ctx->describe, sizeof ctx->describe, "isa=%s (%s) kernels=%s threads=%d (%s) %s; profile %s%s%s",
                     ctx->k->isa, ctx->isa_reason, ctx->k->isa, ctx->team->threads, ctx->team->threads_source,
                     ctx->team->bind_reason, vox_profile_status_name(ctx->profile->status),
                     ctx->warnings[0] ? "; warnings: " : "", ctx->warnings);
    if (n >= (int)sizeof ctx->describe) /* a line for people: cut, and say so */
        memcpy(ctx->describe + sizeof ctx->describe - 4, "...", 4);
    if (ctx->opts.verbose > 0)
        log_line(ctx, ctx->describe);
    *out = ctx;
    return VOX_OK;
}

void vox_ctx_destroy(vox_ctx **ctx)
{
    if (!ctx || !*ctx)
        return;
    for (int i = 0; i < VOX_WS_COUNT; i++)
        free((*ctx)->ws[i].p);
    for (int i = 0; i < (*ctx)->n_metrics_ws; i++)
        free((*ctx)->metrics_ws[i].p);
    free((*ctx)->metrics_ws);
    vox_team_free((*ctx)->team);
    free((ctx_parts *)(void *)(*ctx)->team); /* the parts block starts with the team */
    free(*ctx);
    *ctx = NULL;
}

const char *vox_ctx_describe(const vox_ctx *ctx) { return ctx ? ctx->describe : ""; }
const char *vox_ctx_isa(const vox_ctx *ctx) { return ctx ? ctx->k->isa : ""; }
vox_profile_status vox_ctx_profile_status(const vox_ctx *ctx)
{
    return ctx ? ctx->profile->status : VOX_PROFILE_DEFAULTS_ABSENT;
}
const char *vox_ctx_profile_path(const vox_ctx *ctx) { return ctx ? ctx->profile->path : ""; }
const char *vox_ctx_profile_detail(const vox_ctx *ctx) { return ctx ? ctx->profile->detail : ""; }
int vox_ctx_threads(const vox_ctx *ctx) { return ctx ? vox_team_threads(ctx->team) : 1; }

char *vox_ctx_fingerprint_json(const vox_ctx *ctx)
{
    if (!ctx)
        return NULL;
    cJSON *fp = vox_fingerprint(ctx);
    char *out = fp ? cJSON_Print(fp) : NULL;
    cJSON_Delete(fp);
    return out;
}

char *vox_ctx_settings_json(const vox_ctx *ctx)
{
    if (!ctx)
        return NULL;
    const vox_team *t = ctx->team;
    const int threads = vox_team_threads(t); /* 1 in a process forked after vox ran threads */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "threads", threads);
    cJSON_AddStringToObject(o, "threads_from", threads < t->threads ? "fork (OpenMP cannot start threads in a process forked after vox ran threads)" : t->threads_source);
    cJSON_AddStringToObject(o, "bind", vox_bind_mode_name(t->bind_asked));
    cJSON_AddStringToObject(o, "binding", t->bind_reason);
    cJSON *topo = cJSON_AddObjectToObject(o, "topology");
    cJSON_AddNumberToObject(topo, "cores", t->cores);
    cJSON_AddNumberToObject(topo, "pus", t->pus);
    cJSON_AddNumberToObject(topo, "l2_kib", (double)(t->l2 >> 10));
    cJSON_AddNumberToObject(topo, "l3_kib", (double)(t->l3 >> 10));
    cJSON_AddStringToObject(topo, "caches", t->caches_from_hwloc == 7 ? "hwloc" : "defaults where hwloc has none");
    cJSON *pr = cJSON_AddObjectToObject(o, "profile");
    cJSON_AddStringToObject(pr, "path", ctx->profile->path);
    cJSON_AddStringToObject(pr, "status", vox_profile_status_name(ctx->profile->status));
    cJSON_AddStringToObject(pr, "detail", ctx->profile->detail);
    cJSON *k = cJSON_AddObjectToObject(o, "kernels");
    for (int i = 0; i < VOX_TK_COUNT; i++) {
        cJSON *per = cJSON_AddObjectToObject(k, vox_tuned_kernel_name((vox_tuned_kernel)i));
        for (int c = 0; c < VOX_SC_COUNT; c++) {
            const vox_setting *s = &ctx->tuning->s[i][c];
            cJSON *e = cJSON_AddObjectToObject(per, vox_size_class_name((vox_size_class)c));
            const int isa = ctx->isa_forced ? ctx->isa_index : s->isa;
            cJSON_AddStringToObject(e, "variant", vox_isa_name(isa));
            cJSON_AddStringToObject(e, "code", vox_kernel_code_isa(isa, (vox_tuned_kernel)i));
            cJSON_AddNumberToObject(e, "tile_kib", s->tile_kib);
            cJSON_AddNumberToObject(e, "threads", s->threads == 0 || s->threads > threads ? threads : s->threads);
        }
    }
    int jobs, per_job;
    const int tuned = vox_ctx_batch_split(ctx, &jobs, &per_job);
    cJSON *b = cJSON_AddObjectToObject(o, "batch");
    cJSON_AddNumberToObject(b, "jobs", jobs);
    cJSON_AddNumberToObject(b, "threads_per_job", per_job);
    cJSON_AddStringToObject(b, "from", tuned ? "profile" : "defaults");
    char *out = cJSON_Print(o); /* NULL when out of memory */
    cJSON_Delete(o);
    return out;
}

int vox_ctx_batch_split(const vox_ctx *ctx, int *jobs, int *threads_per_job)
{
    int j = 1, t = ctx ? vox_team_threads(ctx->team) : 1, tuned = 0;
    if (ctx && ctx->tuning->batch.jobs > 0) {
        j = ctx->tuning->batch.jobs;
        t = ctx->tuning->batch.threads_per_job;
        tuned = 1;
    }
    if (jobs) *jobs = j;
    if (threads_per_job) *threads_per_job = t;
    return tuned;
}

vox_status vox_ctx_get_stats(const vox_ctx *ctx, vox_stats *out)
{
    /* a size under its own field's is no struct of ours: writing the field back would overrun it */
    if (!ctx || !out || out->size < sizeof out->size)
        return VOX_E_INVALID_ARG;
    vox_stats st = ctx->stats;
    st.size = sizeof st;
    size_t n = out->size < sizeof st ? out->size : sizeof st; /* an older caller's struct: its fields only */
    memcpy(out, &st, n);
    out->size = n;
    return VOX_OK;
}

const char *vox_stage_name(vox_stage stage)
{
    static const char *const names[VOX_STAGE_COUNT] = {
        [VOX_STAGE_LOAD] = "load",         [VOX_STAGE_PREPARE] = "prepare",
        [VOX_STAGE_SHELLS] = "shells",     [VOX_STAGE_GRID] = "grid",
        [VOX_STAGE_BURIED] = "buried",     [VOX_STAGE_COMPONENTS] = "components",
        [VOX_STAGE_CLASSIFY] = "classify", [VOX_STAGE_METRICS] = "metrics",
    };
    return (unsigned)stage < VOX_STAGE_COUNT ? names[stage] : "unknown";
}

void vox_load_params_init(vox_load_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->assembly = VOX_ASSEMBLY_BIOLOGICAL;
}

void vox_prepare_params_init(vox_prepare_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->align = 1;
}

void vox_analyze_params_init(vox_analyze_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->resolution = 3.0;
    p->min_voxels = 4;
    p->connectivity = VOX_CONNECT_CUSTOM18;
    p->merge_mouth_gap = 1;
    p->neck_refinement = 1;
}

void vox_payload_info_init(vox_payload_info *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
}

void vox_free(void *p) { free(p); }
