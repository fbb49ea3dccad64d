/* team.h - the threads of a context: hwloc topology, thread count, placement and pinning
 *
 * A context uses the process's topology (topology.h) and decides, once, how
 * many threads its parallel regions may use and where they would run.
 * Pinning happens only inside vox's own parallel regions and each thread's
 * previous binding is restored when the region ends, so a caller's threads
 * leave vox as they entered it.  The one process-wide fact a team reads is
 * how many other contexts are alive: a context created while others exist,
 * or off the main thread, does not own the machine (see vox_options.threads
 * and .bind in vox.h), so two contexts never pin threads to the same cores.
 */
#ifndef VOX_TEAM_H
#define VOX_TEAM_H

#include <hwloc.h>

#include "internal.h"

typedef enum vox_bind_mode { VOX_BIND_AUTO, VOX_BIND_CORES, VOX_BIND_PUS, VOX_BIND_NONE } vox_bind_mode;

/* Used when hwloc reports no such cache (VMs, qemu): stated in README "Threads". */
#define VOX_DEFAULT_L1D_BYTES (32u << 10)
#define VOX_DEFAULT_L2_BYTES (1u << 20)
#define VOX_DEFAULT_L3_BYTES (32u << 20)

typedef struct vox_team {
    hwloc_topology_t topo;          /* the process's (topology.h), or a private simulated one */
    int topo_shared;                /* 1: the process's topology, never destroyed here */
    int counted;                    /* counted among the process's live contexts */
    int cores, pus, packages, numa; /* in the cpuset this process may use */
    int threads;                    /* ceiling for every parallel region */
    const char *threads_source;     /* "option", "VOX_THREADS", "OMP_NUM_THREADS", "cores", ... */
    vox_bind_mode bind_asked, bind; /* bind: what is done (NONE when skipped) */
    char bind_reason[160];
    int nplaces;
    hwloc_bitmap_t *places; /* per thread slot (threads entries) when binding */
    hwloc_bitmap_t *saved;  /* per thread slot: the binding to restore */
    size_t l1d, l2, l3;     /* bytes, per core / shared; defaults where unknown */
    int caches_from_hwloc;  /* bit 0: l1d, 1: l2, 2: l3 reported by hwloc */
    vox_ctx *ctx;           /* for the warning */
} vox_team;

/* threads: 0 = $VOX_THREADS, else $OMP_NUM_THREADS, else one per core.  bind: NULL = $VOX_BIND,
 * else "auto".  A bad option is an error; a bad environment value is a
 * warning and the default. */
VOX_HIDDEN vox_status vox_team_init(vox_ctx *ctx, vox_team *team, int threads, const char *bind);
VOX_HIDDEN void vox_team_free(vox_team *team);
VOX_HIDDEN const char *vox_bind_mode_name(vox_bind_mode m);

/* Work of one parallel region: fn(arg, item, thread) for item in [0, n). */
typedef void (*vox_team_fn)(void *arg, size_t item, int thread);

/* STATIC: contiguous blocks of items per thread, the same every time;
 * DYNAMIC: first come, first served (items of very uneven cost). */
typedef enum vox_schedule { VOX_SCHED_STATIC, VOX_SCHED_DYNAMIC } vox_schedule;

/* Runs the items on min(threads, team->threads, n) threads (1: inline, no
 * region, no pinning; also when called from inside an OpenMP region, so a
 * threaded caller is never oversubscribed).  Static scheduling gives the
 * same items to the same threads in every region, which keeps first-touched
 * pages next to the threads that use them.  Returns the thread count used. */
VOX_HIDDEN int vox_team_run(vox_team *team, int threads, size_t n, vox_schedule sched, vox_team_fn fn, void *arg);

/* The number of threads vox_team_run would use for n items. */
VOX_HIDDEN int vox_team_width(const vox_team *team, int threads, size_t n);

/* The threads the team's regions can run: team->threads, or 1 in a
 * process forked after vox ran threads (vox_team_width says why). */
VOX_HIDDEN int vox_team_threads(const vox_team *team);

#endif
