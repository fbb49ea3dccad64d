/* ctx.c - context lifecycle, option defaults, describe string and stage statistics */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define VOX_DEFAULT_MAX_GRID_VOXELS ((uint64_t)INT32_MAX)

const char *vox_version(void) { return VOX_VERSION_STRING; }
unsigned vox_version_number(void) { return VOX_VERSION_NUMBER; }

void vox_options_init(vox_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->max_grid_voxels = VOX_DEFAULT_MAX_GRID_VOXELS;
}

static void log_line(const vox_ctx *ctx, const char *line)
{
    if (ctx->opts.log)
        ctx->opts.log(ctx->opts.log_cookie, line);
    else
        fprintf(stderr, "vox: %s\n", line);
}

vox_status vox_ctx_create(vox_ctx **out, const vox_options *opts)
{
    if (!out)
        return VOX_E_INVALID_ARG;
    *out = NULL;
    vox_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return VOX_E_NOMEM;
    vox_options_init(&ctx->opts);
    if (opts) {
        /* Copy only the fields the caller's (possibly older) struct has. */
        size_t n = opts->size && opts->size < sizeof ctx->opts ? opts->size : sizeof ctx->opts;
        memcpy(&ctx->opts, opts, n);
        ctx->opts.size = sizeof ctx->opts;
    }
    if (ctx->opts.max_grid_voxels == 0)
        ctx->opts.max_grid_voxels = VOX_DEFAULT_MAX_GRID_VOXELS;
    const char *env_verbose = getenv("VOX_VERBOSE");
    if (env_verbose && atoi(env_verbose) > 0 && ctx->opts.verbose <= 0)
        ctx->opts.verbose = 1;

    vox_status st = vox_select_kernels(ctx, ctx->opts.isa);
    if (st != VOX_OK) {
        free(ctx);
        return st;
    }
    snprintf(ctx->describe, sizeof ctx->describe, "isa=%s (%s) kernels=%s", ctx->k->isa,
             ctx->isa_reason, ctx->k->isa);
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
    free(*ctx);
    *ctx = NULL;
}

const char *vox_ctx_describe(const vox_ctx *ctx) { return ctx ? ctx->describe : ""; }
const char *vox_ctx_isa(const vox_ctx *ctx) { return ctx ? ctx->k->isa : ""; }

void vox_ctx_get_stats(const vox_ctx *ctx, vox_stats *out)
{
    if (ctx && out)
        *out = ctx->stats;
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
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->assembly = VOX_ASSEMBLY_BIOLOGICAL;
}

void vox_prepare_params_init(vox_prepare_params *p)
{
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->align = 1;
}

void vox_analyze_params_init(vox_analyze_params *p)
{
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
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
}

void vox_free(void *p) { free(p); }
