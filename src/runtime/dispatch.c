/* dispatch.c - CPU-feature detection (once, thread-safe) and kernel-table selection
 *
 * The table is chosen per context: vox_options.isa, then $VOX_ISA, then the
 * best ISA this CPU and build can run.  Asking for an ISA the CPU or build
 * lacks is an error (VOX_E_ISA_UNAVAILABLE), never a SIGILL later.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tuning.h"
#include "vox_config.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define VOX_X86 1
#elif defined(__aarch64__)
#include <sys/auxv.h>
#define VOX_ARM64 1
#endif

enum { F_AVX2 = 1, F_AVX512 = 2, F_NEON = 4 };

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static unsigned detected_levels;   /* F_* bits: what this CPU (and OS) can run */
static char detected_features[256];

#ifdef VOX_X86
static unsigned long long read_xcr0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif

static void append(const char *name)
{
    size_t len = strlen(detected_features);
    snprintf(detected_features + len, sizeof detected_features - len, "%s%s", len ? "," : "", name);
}

static void detect(void)
{
#ifdef VOX_X86
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return;
    int sse2 = !!(d & (1u << 26)), fma = !!(c & (1u << 12)), osxsave = !!(c & (1u << 27)),
        avx = !!(c & (1u << 28));
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_ok = (xcr0 & 0x6) == 0x6, zmm_ok = (xcr0 & 0xE6) == 0xE6;
    unsigned b7 = 0, c7 = 0, d7 = 0, a7 = 0;
    __get_cpuid_count(7, 0, &a7, &b7, &c7, &d7);
    int avx2 = !!(b7 & (1u << 5)), bmi2 = !!(b7 & (1u << 8)), f512 = !!(b7 & (1u << 16)),
        dq = !!(b7 & (1u << 17)), bw = !!(b7 & (1u << 30)), vl = !!(b7 & (1u << 31));
    if (sse2) append("sse2");
    if (avx && ymm_ok) append("avx");
    if (avx2 && ymm_ok) append("avx2");
    if (fma && ymm_ok) append("fma");
    if (bmi2) append("bmi2");
    if (f512 && zmm_ok) append("avx512f");
    if (dq && zmm_ok) append("avx512dq");
    if (bw && zmm_ok) append("avx512bw");
    if (vl && zmm_ok) append("avx512vl");
    if (avx && avx2 && fma && bmi2 && ymm_ok)
        detected_levels |= F_AVX2;
    if ((detected_levels & F_AVX2) && f512 && dq && bw && vl && zmm_ok)
        detected_levels |= F_AVX512;
#elif defined(VOX_ARM64)
    unsigned long hw = getauxval(AT_HWCAP);
    if (hw & (1ul << 1)) { /* HWCAP_ASIMD */
        append("asimd");
        detected_levels |= F_NEON;
    }
#endif
    if (!detected_features[0])
        append("none");
}

const char *vox_cpu_features(void)
{
    pthread_once(&detect_once, detect);
    return detected_features;
}

#if VOX_HAVE_AVX2
extern const vox_kernels vox_kernels_avx2;
#endif
#if VOX_HAVE_AVX512
extern const vox_kernels vox_kernels_avx512;
#endif
#if VOX_HAVE_NEON
extern const vox_kernels vox_kernels_neon;
#endif

/* ISAs known to vox, each with the level its table is laid over (a table
 * may leave kernels NULL: they come from the level below).  table is NULL
 * where this build has no variant: such an ISA is reported unavailable. */
static const struct {
    const char *name;
    unsigned need;
    int parent;
    const vox_kernels *table;
} isa_ladder[] = {
    {"scalar", 0, -1, &vox_kernels_scalar},
#if VOX_HAVE_AVX2
    {"avx2", F_AVX2, 0, &vox_kernels_avx2},
#else
    {"avx2", F_AVX2, 0, NULL},
#endif
#if VOX_HAVE_AVX512
    {"avx512", F_AVX512, 1, &vox_kernels_avx512},
#else
    {"avx512", F_AVX512, 1, NULL},
#endif
#if VOX_HAVE_NEON
    {"neon", F_NEON, 0, &vox_kernels_neon},
#else
    {"neon", F_NEON, 0, NULL},
#endif
};
#define N_ISA (sizeof isa_ladder / sizeof isa_ladder[0])
_Static_assert(N_ISA == VOX_ISA_COUNT, "internal.h's VOX_ISA_COUNT names every ISA of the ladder");

/* Scalar first, then every level up to isa, each overriding what it provides. */
static void fill_table(vox_kernels *t, size_t isa)
{
    size_t chain[N_ISA], n = 0;
    for (int i = (int)isa; i >= 0; i = isa_ladder[i].parent)
        chain[n++] = (size_t)i;
    *t = vox_kernels_scalar;
    while (n-- > 0) {
        const vox_kernels *src = isa_ladder[chain[n]].table;
        if (!src) continue;
        if (src->bin_points) t->bin_points = src->bin_points;
        if (src->line_extremes) t->line_extremes = src->line_extremes;
        if (src->occlusion) t->occlusion = src->occlusion;
        if (src->first_shell) t->first_shell = src->first_shell;
        if (src->label_components) t->label_components = src->label_components;
        if (src->moments) t->moments = src->moments;
        if (src->depth_plane) {
            t->depth_plane = src->depth_plane;
            t->depth_lanes = src->depth_lanes;
        }
        t->isa = src->isa;
    }
}

const void *vox_tuned_kernel_fn(const vox_kernels *t, vox_tuned_kernel k)
{
    switch (k) {
    case VOX_TK_BIN_POINTS: return (const void *)t->bin_points;
    case VOX_TK_OCCLUSION: return (const void *)t->occlusion;
    case VOX_TK_FIRST_SHELL: return (const void *)t->first_shell;
    case VOX_TK_LABELS: return (const void *)t->label_components;
    case VOX_TK_MOMENTS: return (const void *)t->moments;
    default: return NULL;
    }
}

const char *vox_kernel_code_isa(int isa, vox_tuned_kernel k)
{
    for (int i = isa >= 0 && (size_t)isa < N_ISA ? isa : 0; i >= 0; i = isa_ladder[i].parent)
        if (isa_ladder[i].table && vox_tuned_kernel_fn(isa_ladder[i].table, k))
            return isa_ladder[i].name;
    return "scalar";
}

static int isa_runs_here(size_t i)
{
    return isa_ladder[i].table && (detected_levels & isa_ladder[i].need) == isa_ladder[i].need;
}

int vox_isa_index(const char *name)
{
    for (size_t i = 0; i < N_ISA; i++)
        if (name && !strcmp(isa_ladder[i].name, name))
            return (int)i;
    return -1;
}

const char *vox_isa_name(int i) { return i >= 0 && (size_t)i < N_ISA ? isa_ladder[i].name : "?"; }

int vox_isa_usable(int i)
{
    pthread_once(&detect_once, detect);
    return i >= 0 && (size_t)i < N_ISA && isa_runs_here((size_t)i);
}

/* The context's table (isa), and one table per ISA this CPU runs, for the
 * per-kernel variant choices of a tuning profile. */
static void fill_context(vox_ctx *ctx, size_t isa, int forced)
{
    ctx->isa_index = (int)isa;
    ctx->isa_forced = forced;
    for (size_t i = 0; i < N_ISA; i++)
        if (isa_runs_here(i))
            fill_table(&ctx->tables[i], i);
    ctx->k = &ctx->tables[isa];
}

static char available_list[64];
static pthread_once_t list_once = PTHREAD_ONCE_INIT;

static void fill_available(void)
{
    pthread_once(&detect_once, detect);
    for (size_t i = 0; i < N_ISA; i++) {
        if (!isa_runs_here(i))
            continue;
        size_t len = strlen(available_list);
        snprintf(available_list + len, sizeof available_list - len, "%s%s", len ? "," : "",
                 isa_ladder[i].name);
    }
}

const char *vox_available_isas(void)
{
    pthread_once(&list_once, fill_available);
    return available_list;
}

vox_status vox_select_kernels(vox_ctx *ctx, const char *want)
{
    pthread_once(&detect_once, detect);
    const char *source = "option";
    if (!want || !*want) {
        want = getenv("VOX_ISA");
        source = "forced by VOX_ISA";
        if (want && !*want)
            want = NULL;
    }
    size_t best = 0;
    for (size_t i = 0; i < N_ISA; i++)
        if (isa_runs_here(i))
            best = i;
    if (!want) {
        fill_context(ctx, best, 0);
        snprintf(ctx->isa_reason, sizeof ctx->isa_reason, "detected %s", detected_features);
        return VOX_OK;
    }
    for (size_t i = 0; i < N_ISA; i++) {
        if (strcmp(isa_ladder[i].name, want) != 0)
            continue;
        if (!isa_runs_here(i))
            return vox_fail(ctx, VOX_E_ISA_UNAVAILABLE,
                            "ISA '%s' requested (%s) is not available: this CPU and build can run %s",
                            want, source, isa_ladder[best].name);
        fill_context(ctx, i, 1);
        snprintf(ctx->isa_reason, sizeof ctx->isa_reason, "%s; best here %s", source,
                 isa_ladder[best].name);
        return VOX_OK;
    }
    return vox_fail(ctx, VOX_E_ISA_UNKNOWN, "unknown ISA '%s' (%s): expected scalar, avx2, avx512 or neon",
                    want, source);
}
