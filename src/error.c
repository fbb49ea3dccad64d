/* error.c - status strings and the per-context error detail */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static const char *const status_text[] = {
    [0] = "success",
    [1] = "invalid argument",
    [2] = "out of memory",
    [3] = "input/output error",
    [4] = "malformed structure file",
    [5] = "unknown or unsupported file format",
    [6] = "no atoms to analyse",
    [7] = "too few atoms (alignment needs at least 3)",
    [8] = "grid too large",
    [9] = "empty grid axis",
    [10] = "instruction set not available on this CPU or build",
    [11] = "unknown instruction set name",
    [12] = "corrupt or truncated gzip data",
    [13] = "assembly cannot be built",
    [14] = "internal error",
};

const char *vox_strerror(vox_status status)
{
    int i = -(int)status;
    if (i < 0 || i >= (int)(sizeof status_text / sizeof status_text[0]) || !status_text[i])
        return "unknown status";
    return status_text[i];
}

vox_status vox_fail(vox_ctx *ctx, vox_status st, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->detail, sizeof ctx->detail, fmt, ap);
        va_end(ap);
    }
    return st;
}

void vox_clear_error(vox_ctx *ctx)
{
    if (ctx)
        ctx->detail[0] = '\0';
}

const char *vox_ctx_last_error_detail(const vox_ctx *ctx)
{
    return ctx ? ctx->detail : "";
}

double vox_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
