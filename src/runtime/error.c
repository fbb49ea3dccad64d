/* error.c - status strings and the per-context error detail */
#include <stdio.h>
#include <stdlib.h>
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

/* Details quote pieces of broken input files: keep them printable, so a
 * message is safe on a terminal and in JSON.  Valid UTF-8 (file names)
 * stays; control characters and invalid bytes become '?'. */
static void make_printable(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        int ok = len > 0;
        for (int i = 1; ok && i < len; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (!ok || (len == 1 && (*p < 0x20 || *p == 0x7F))) {
            *p++ = '?';
            continue;
        }
        p += len;
    }
}

/* The end of a detail kept when one is longer than the room for it: a
 * message names its file first and says what is wrong last. */
#define DETAIL_TAIL 1024

vox_status vox_fail(vox_ctx *ctx, vox_status st, const char *fmt, ...)
{
    if (ctx) {
        va_list ap, again;
        va_start(ap, fmt);
        va_copy(again, ap);
        const int n = vsnprintf(ctx->detail, sizeof ctx->detail, fmt, ap);
        va_end(ap);
        /* cut in the middle, not at the end, so that the reason stays (a
         * name longer than the room otherwise took all of it) */
        char *whole = n >= (int)sizeof ctx->detail ? malloc((size_t)n + 1) : NULL;
        if (whole) {
            vsnprintf(whole, (size_t)n + 1, fmt, again);
            static const char gap[] = " [...] ";
            const size_t head = sizeof ctx->detail - 1 - DETAIL_TAIL - (sizeof gap - 1);
            memcpy(ctx->detail + head, gap, sizeof gap - 1);
            memcpy(ctx->detail + head + sizeof gap - 1, whole + (size_t)n - DETAIL_TAIL, DETAIL_TAIL + 1);
            free(whole);
        }
        va_end(again);
        make_printable(ctx->detail);
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
