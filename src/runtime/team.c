/* team.c - hwloc topology, thread count, placement and per-region pinning of a context (team.h) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "team.h"
#include "topology.h"

const char *vox_bind_mode_name(vox_bind_mode m)
{
    static const char *const names[] = {"auto", "cores", "pus", "none"};
    return (unsigned)m <= VOX_BIND_NONE ? names[m] : "?";
}

static int parse_bind(const char *s, vox_bind_mode *out)
{
    for (int m = VOX_BIND_AUTO; m <= VOX_BIND_NONE; m++)
        if (!strcmp(s, vox_bind_mode_name((vox_bind_mode)m))) {
            *out = (vox_bind_mode)m;
            return 1;
        }
    return 0;
}

/* A positive decimal count, at most VOX_MAX_THREADS (a list "8,2" gives its
 * first element); 0 when s is anything else. */
static int parse_count(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    while (*end == ' ') end++;
    return (end != s && (!*end || *end == ',') && v > 0 && v <= VOX_MAX_THREADS) ? (int)v : 0;
}

static size_t cache_size(hwloc_topology_t topo, hwloc_obj_type_t type, int bit, int *known)
{
    hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, 0);
    if (o && o->attr && o->attr->cache.size) {
        *known |= bit;
        return (size_t)o->attr->cache.size;
    }
    return 0;
}

/* Thread slots, one place each: the cores (or the PUs, spread over the
 * cores first) of usable, in hwloc's logical order, repeated if needed. */
static int make_places(vox_team *t, hwloc_const_bitmap_t usable, vox_bind_mode mode)
{
    int ncores = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
    hwloc_bitmap_t *list = calloc((size_t)(t->pus > 0 ? t->pus : 1) + (size_t)ncores, sizeof *list);
    if (!list)
        return 0;
    int n = 0;
    if (mode == VOX_BIND_CORES) {
        for (int c = 0; c < ncores; c++) {
            hwloc_obj_t core = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_CORE, (unsigned)c);
            if (!hwloc_bitmap_intersects(core->cpuset, usable)) continue;
            list[n] = hwloc_bitmap_alloc();
            if (list[n]) hwloc_bitmap_and(list[n], core->cpuset, usable);
            n++;
        }
    } else {
        for (int rank = 0, added = 1; added; rank++) { /* the rank-th PU of every core */
            added = 0;
            for (int c = 0; c < ncores; c++) {
                hwloc_obj_t core = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_CORE, (unsigned)c);
                int r = 0;
                for (int pu = hwloc_bitmap_first(core->cpuset); pu >= 0; pu = hwloc_bitmap_next(core->cpuset, pu)) {
                    if (!hwloc_bitmap_isset(usable, (unsigned)pu)) continue;
                    if (r++ != rank) continue;
                    list[n] = hwloc_bitmap_alloc();
                    if (list[n]) hwloc_bitmap_only(list[n], (unsigned)pu);
                    n++;
                    added = 1;
                }
            }
        }
    }
    if (n == 0) {
        free(list);
        return 0;
    }
    t->places = calloc((size_t)t->threads, sizeof *t->places);
    t->saved = calloc((size_t)t->threads, sizeof *t->saved);
    int ok = t->places && t->saved;
    for (int s = 0; ok && s < t->threads; s++) {
        t->places[s] = hwloc_bitmap_dup(list[s % n]);
        t->saved[s] = hwloc_bitmap_alloc();
        ok = t->places[s] && t->saved[s];
    }
    for (int i = 0; i < n; i++) hwloc_bitmap_free(list[i]);
    free(list);
    t->nplaces = n;
    return ok;
}

static void free_places(vox_team *t)
{
    for (int s = 0; s < t->threads; s++) {
        if (t->places) hwloc_bitmap_free(t->places[s]);
        if (t->saved) hwloc_bitmap_free(t->saved[s]);
    }
    free(t->places);
    free(t->saved);
    t->places = t->saved = NULL;
}

/* Contexts alive in this process (teams initialised and not yet freed): a
 * context created while others exist does not own the machine. */
static atomic_int live_teams;

static int on_main_thread(void) { return gettid() == getpid(); }

/* The default thread count and its source when neither the option nor the
 * environment gives one (see vox_options.threads in vox.h). */
static void default_threads(vox_team *t, int narrowed, int owner, int others)
{
    if (narrowed) {
        t->threads = t->cores;
        t->threads_source = "cores of the calling thread's affinity mask";
    } else if (owner) {
        t->threads = t->cores;
        t->threads_source = "cores";
    } else {
        t->threads = 1;
        t->threads_source = others ? "one: other contexts are active" : "one: created off the main thread";
    }
}

vox_status vox_team_init(vox_ctx *ctx, vox_team *t, int threads, const char *bind)
{
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
    t->bind_asked = VOX_BIND_AUTO;
    if (bind && *bind) {
        if (!parse_bind(bind, &t->bind_asked))
            return vox_fail(ctx, VOX_E_INVALID_ARG, "bind policy '%s': expected auto, cores, pus or none", bind);
    } else if ((bind = getenv("VOX_BIND")) && *bind && !parse_bind(bind, &t->bind_asked)) {
        vox_warn(ctx, "VOX_BIND='%s' is not auto, cores, pus or none: using auto", bind);
    }
    if (threads < 0 || threads > VOX_MAX_THREADS)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "thread count %d: expected 0 (automatic) or 1 to %d (VOX_MAX_THREADS)",
                        threads, VOX_MAX_THREADS);

    /* The topology: the process's, discovered once (topology.h) */
    t->topo = vox_topology_acquire(&t->topo_shared);
    if (!t->topo)
        return vox_fail(ctx, VOX_E_INTERNAL, "hwloc: cannot load the topology (check HWLOC_SYNTHETIC / HWLOC_XMLFILE)");
    const int others = atomic_fetch_add(&live_teams, 1);
    t->counted = 1;
    const int owner = others == 0 && on_main_thread();
    int this_system = hwloc_topology_is_thissystem(t->topo);
    hwloc_bitmap_t usable = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(t->topo));
    hwloc_bitmap_t mask = hwloc_bitmap_alloc();
    if (!usable || !mask) {
        hwloc_bitmap_free(usable);
        hwloc_bitmap_free(mask);
        vox_team_free(t);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the topology");
    }
    /* The calling thread's affinity mask, when narrower than the machine
     * (a launcher such as taskset, srun or mpirun --bind-to, or a program
     * that gave this thread its own cores), decides where we run: its cores
     * only, pinned to only when asked.  With OMP_PROC_BIND / OMP_PLACES the
     * OpenMP runtime has already bound the initial thread to its first
     * place: that is not a mask chosen for us. */
    const char *omp_bind = getenv("OMP_PROC_BIND"), *omp_places = getenv("OMP_PLACES");
    const int omp_binds = (omp_bind && *omp_bind) || (omp_places && *omp_places);
    int narrowed = 0;
    if (this_system && !omp_binds && hwloc_get_cpubind(t->topo, mask, HWLOC_CPUBIND_THREAD) == 0 &&
        !hwloc_bitmap_iszero(mask) && !hwloc_bitmap_isincluded(usable, mask)) {
        hwloc_bitmap_and(usable, usable, mask);
        narrowed = !hwloc_bitmap_iszero(usable);
        if (!narrowed) hwloc_bitmap_copy(usable, hwloc_topology_get_allowed_cpuset(t->topo));
    }
    int ncores = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
    for (int c = 0; c < ncores; c++)
        if (hwloc_bitmap_intersects(hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_CORE, (unsigned)c)->cpuset, usable))
            t->cores++;
    t->pus = hwloc_bitmap_weight(usable);
    if (t->pus <= 0) t->pus = 1;
    if (t->cores <= 0) t->cores = t->pus; /* no core level: count PUs */
    t->packages = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PACKAGE);
    t->numa = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);
    t->l1d = cache_size(t->topo, HWLOC_OBJ_L1CACHE, 1, &t->caches_from_hwloc);
    t->l2 = cache_size(t->topo, HWLOC_OBJ_L2CACHE, 2, &t->caches_from_hwloc);
    t->l3 = cache_size(t->topo, HWLOC_OBJ_L3CACHE, 4, &t->caches_from_hwloc);
    if (!t->l1d) t->l1d = VOX_DEFAULT_L1D_BYTES;
    if (!t->l2) t->l2 = VOX_DEFAULT_L2_BYTES;
    if (!t->l3) t->l3 = VOX_DEFAULT_L3_BYTES;

    const char *env;
    if (threads > 0) {
        t->threads = threads;
        t->threads_source = "option";
    } else if ((env = getenv("VOX_THREADS")) && *env) {
        t->threads = parse_count(env);
        t->threads_source = "VOX_THREADS";
        if (!t->threads) {
            default_threads(t, narrowed, owner, others);
            vox_warn(ctx, "VOX_THREADS='%s' is not a count from 1 to %d: ignored, the default count is used", env,
                     VOX_MAX_THREADS);
        }
    } else if ((env = getenv("OMP_NUM_THREADS")) && *env && parse_count(env)) {
        t->threads = parse_count(env); /* "8" or the first level of "8,2" */
        t->threads_source = "OMP_NUM_THREADS";
    } else {
        default_threads(t, narrowed, owner, others);
    }
#ifndef _OPENMP
    t->threads = 1;
    t->threads_source = "no OpenMP in this build";
#endif

    /* Where the threads go, if anywhere: automatically only when this
     * context owns the machine, so that two contexts never pin their
     * threads to the same cores; when asked, inside the calling thread's mask. */
    t->bind = VOX_BIND_NONE;
    if (t->bind_asked == VOX_BIND_NONE)
        snprintf(t->bind_reason, sizeof t->bind_reason, "not pinned (bind=none)");
    else if (omp_bind && *omp_bind)
        snprintf(t->bind_reason, sizeof t->bind_reason, "not pinned: OMP_PROC_BIND=%s decides", omp_bind);
    else if (omp_places && *omp_places)
        snprintf(t->bind_reason, sizeof t->bind_reason, "not pinned: OMP_PLACES=%s decides", omp_places);
    else if (!this_system)
        snprintf(t->bind_reason, sizeof t->bind_reason, "not pinned: the topology is not this machine's (HWLOC_SYNTHETIC/XML)");
    else if (t->threads == 1)
        snprintf(t->bind_reason, sizeof t->bind_reason, "not pinned: one thread");
    else if (t->bind_asked == VOX_BIND_AUTO && narrowed)
        snprintf(t->bind_reason, sizeof t->bind_reason,
                 "not pinned: the calling thread's affinity mask (%d PUs) decides", t->pus);
    else if (t->bind_asked == VOX_BIND_AUTO && !owner)
        snprintf(t->bind_reason, sizeof t->bind_reason, "not pinned: %s",
                 others ? "other contexts are active" : "created off the main thread");
    else {
        vox_bind_mode m = t->bind_asked;
        if (m == VOX_BIND_AUTO)
            m = t->threads <= t->cores ? VOX_BIND_CORES : VOX_BIND_PUS;
        if (make_places(t, usable, m)) {
            t->bind = m;
            snprintf(t->bind_reason, sizeof t->bind_reason, "pinned to %s%s inside vox's regions (%d places)",
                     vox_bind_mode_name(m), narrowed ? " of the calling thread's mask" : "", t->nplaces);
        } else {
            free_places(t);
            snprintf(t->bind_reason, sizeof t->bind_reason, "not pinned: no places found");
        }
    }
    hwloc_bitmap_free(usable);
    hwloc_bitmap_free(mask);
    return VOX_OK;
}

void vox_team_free(vox_team *t)
{
    free_places(t);
    vox_topology_release(t->topo, t->topo_shared);
    t->topo = NULL;
    if (t->counted)
        atomic_fetch_sub(&live_teams, 1);
    t->counted = 0;
}

/* Whether this process was forked after vox ran a team of threads here (or
 * its parent was).  GCC's OpenMP runtime cannot start a team in such a
 * child: the region waits for threads the fork did not copy, so a worker
 * that a driver or Python's multiprocessing forked hung in its first
 * analysis.  There every team runs one thread, which gives the same
 * results (every thread count does).  Process state by nature: it is the
 * OpenMP runtime's, not any context's. */
static atomic_int forked_after_threads;
static pthread_once_t fork_watch_once = PTHREAD_ONCE_INIT;

static void note_fork_in_child(void) { atomic_store(&forked_after_threads, 1); }

static void watch_forks(void) { pthread_atfork(NULL, NULL, note_fork_in_child); }

int vox_team_threads(const vox_team *t)
{
    return atomic_load_explicit(&forked_after_threads, memory_order_relaxed) ? 1 : t->threads;
}

int vox_team_width(const vox_team *t, int threads, size_t n)
{
    int w = vox_team_threads(t);
    if (threads > 0 && threads < w) w = threads;
    if ((size_t)w > n) w = n ? (int)n : 1;
#ifdef _OPENMP
    if (omp_in_parallel()) w = 1; /* inside the caller's own OpenMP region: no nested team */
#endif
    return w < 1 ? 1 : w;
}

int vox_team_run(vox_team *t, int threads, size_t n, vox_schedule sched, vox_team_fn fn, void *arg)
{
    (void)sched; /* without OpenMP every run is the loop below */
    int w = vox_team_width(t, threads, n);
    if (w == 1) {
        for (size_t i = 0; i < n; i++) fn(arg, i, 0);
        return 1;
    }
#ifdef _OPENMP
    pthread_once(&fork_watch_once, watch_forks); /* before the runtime's first team */
    int failed = 0;
#pragma omp parallel num_threads(w) reduction(| : failed)
    {
        int tid = omp_get_thread_num();
        int pinned = 0;
        if (t->bind != VOX_BIND_NONE && tid < t->threads) {
            if (hwloc_get_cpubind(t->topo, t->saved[tid], HWLOC_CPUBIND_THREAD) == 0) {
                pinned = hwloc_set_cpubind(t->topo, t->places[tid], HWLOC_CPUBIND_THREAD) == 0;
                failed |= !pinned;
            } else {
                failed = 1;
            }
        }
        if (sched == VOX_SCHED_STATIC) {
#pragma omp for schedule(static)
            for (size_t i = 0; i < n; i++) fn(arg, i, tid);
        } else {
#pragma omp for schedule(dynamic, 1)
            for (size_t i = 0; i < n; i++) fn(arg, i, tid);
        }
        if (pinned) /* leave the thread as we found it */
            hwloc_set_cpubind(t->topo, t->saved[tid], HWLOC_CPUBIND_THREAD);
    }
    if (failed) { /* a warning, never an error: stop trying and run unpinned */
        vox_warn(t->ctx, "could not pin a thread to its %s; running unpinned", vox_bind_mode_name(t->bind));
        snprintf(t->bind_reason, sizeof t->bind_reason, "not pinned: binding to %s failed",
                 vox_bind_mode_name(t->bind));
        t->bind = VOX_BIND_NONE;
    }
#endif
    return w;
}
