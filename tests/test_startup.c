/* test_startup.c - start-up of a context (internal API, linked statically): the machine's
 * topology is discovered once per process, thread-safely, without hwloc's I/O plugins and
 * without leaving anything in the environment; the default threads and binding of contexts
 * created off the main thread, while other contexts are alive, or in a narrowed thread.
 * Timings are measured by bench/startup.c, never here. */
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "team.h"
#include "topology.h"

/* 1 when a file whose path contains name is mapped into this process. */
static int mapped(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return 0;
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

static int plugins_installed(void)
{
    static const char *const dirs[] = {"/usr/lib/x86_64-linux-gnu/hwloc/hwloc_pci.so",
                                       "/usr/lib/aarch64-linux-gnu/hwloc/hwloc_pci.so", "/usr/lib64/hwloc/hwloc_pci.so",
                                       "/usr/lib/hwloc/hwloc_pci.so"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (access(dirs[i], R_OK) == 0) return 1;
    return 0;
}

static vox_ctx *create(int threads, const char *bind)
{
    vox_options o;
    vox_options_init(&o);
    o.profile = "";
    o.threads = threads;
    o.bind = bind;
    vox_ctx *ctx = NULL;
    return vox_ctx_create(&ctx, &o) == VOX_OK ? ctx : NULL;
}

/* A child process whose user set HWLOC_PLUGINS_BLACKLIST (empty: blacklist
 * nothing): vox keeps the user's value, so installed plugins do load. */
static void test_user_blacklist_kept(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("HWLOC_PLUGINS_BLACKLIST", "", 1);
        vox_ctx *ctx = create(1, NULL);
        const char *v = getenv("HWLOC_PLUGINS_BLACKLIST");
        int ok = ctx && v && !*v && (!plugins_installed() || mapped("hwloc_pci"));
        vox_ctx_destroy(&ctx);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "HWLOC_PLUGINS_BLACKLIST set by the user (empty) is kept and the plugins load (status %d)", status);
}

/* A thread that waits on a pipe until the test closes it. */
static void *wait_on(void *arg)
{
    char c;
    while (read(*(int *)arg, &c, 1) > 0) {}
    return NULL;
}

/* A child process whose host has started a thread of its own before its
 * first context: that thread may call getenv at any time, and setenv may
 * free the environ array it reads, so vox leaves the environment alone
 * (the plugins then load, when installed: slower, the same answers). */
static void test_threaded_host_environment_untouched(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fds[2];
        pthread_t t;
        if (pipe(fds) != 0 || pthread_create(&t, NULL, wait_on, &fds[0]) != 0)
            _exit(2);
        vox_ctx *ctx = create(1, NULL);
        const int ok = ctx && getenv("HWLOC_PLUGINS_BLACKLIST") == NULL && (!plugins_installed() || mapped("hwloc_pci"));
        vox_ctx_destroy(&ctx);
        close(fds[1]);
        pthread_join(t, NULL);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a host with a thread of its own: the environment is not changed to keep the plugins out (status %d)",
          status);
}

static void test_plugins_not_loaded(void)
{
    vox_ctx *ctx = create(0, NULL);
    CHECK(ctx != NULL, "a context");
    CHECK(getenv("HWLOC_PLUGINS_BLACKLIST") == NULL, "the environment is left as it was");
    static const char *const plugins[] = {"hwloc_pci", "hwloc_opencl", "hwloc_gl", "hwloc_xml_libxml", "libxml2",
                                          "libOpenCL", "libX11"};
    for (size_t i = 0; i < sizeof plugins / sizeof plugins[0]; i++)
        CHECK(!mapped(plugins[i]), "%s is not mapped into the process", plugins[i]);
    vox_ctx_destroy(&ctx);
}

/* sched_setaffinity, counted: hwloc's calls resolve to this definition. */
static int setaffinity_calls;
int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
    setaffinity_calls++;
    return (int)syscall(SYS_sched_setaffinity, pid, size, set);
}

/* In a child (before any thread exists): how many times discovering the
 * topology moved the thread, with HWLOC_COMPONENTS set to components (NULL: unset). */
static int discovery_binds(const char *components)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (components) setenv("HWLOC_COMPONENTS", components, 1);
        else unsetenv("HWLOC_COMPONENTS");
        setaffinity_calls = 0;
        int shared = 0;
        hwloc_topology_t t = vox_topology_acquire(&shared);
        _exit(t ? (setaffinity_calls > 100 ? 100 : setaffinity_calls) : 255);
    }
    int status = 0;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

/* On Linux x86 hwloc's x86 component (CPUID on every PU in turn) is left out
 * unless HWLOC_COMPONENTS asks for it (topology.c). */
static void test_no_cpuid_walk(void)
{
#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__))
    const int plain = discovery_binds(NULL), asked = discovery_binds("linux,x86");
    CHECK(plain == 0, "the discovery does not move the thread (%d sched_setaffinity calls)", plain);
    CHECK(asked != 255 && (asked > 0 || sysconf(_SC_NPROCESSORS_ONLN) < 2),
          "with HWLOC_COMPONENTS=linux,x86 the x86 component runs (%d calls): the count above means something", asked);
#endif
}

typedef struct acquired {
    hwloc_topology_t topo;
    int shared;
} acquired;

static void *acquire_thread(void *arg)
{
    acquired *a = arg;
    a->topo = vox_topology_acquire(&a->shared);
    return NULL;
}

static void test_topology_once(void)
{
    int shared = 0;
    hwloc_topology_t first = vox_topology_acquire(&shared);
    CHECK(first && shared, "the machine's topology");
    enum { N = 8 };
    pthread_t th[N];
    acquired a[N];
    for (int i = 0; i < N; i++) pthread_create(&th[i], NULL, acquire_thread, &a[i]);
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        CHECK(a[i].topo == first && a[i].shared, "thread %d gets the same topology", i);
    }
    vox_ctx *c1 = create(1, NULL), *c2 = create(1, NULL);
    CHECK(c1 && c2 && c1->team->topo == first && c2->team->topo == first, "contexts share it");
    vox_ctx_destroy(&c1);
    vox_ctx_destroy(&c2);
    /* only the object types vox reads: no groups, dies, I/O or misc objects */
    static const hwloc_obj_type_t dropped[] = {HWLOC_OBJ_GROUP, HWLOC_OBJ_DIE, HWLOC_OBJ_PCI_DEVICE,
                                               HWLOC_OBJ_OS_DEVICE, HWLOC_OBJ_BRIDGE, HWLOC_OBJ_MISC,
                                               HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_MEMCACHE};
    for (size_t i = 0; first && i < sizeof dropped / sizeof dropped[0]; i++) {
        enum hwloc_type_filter_e f;
        CHECK(hwloc_topology_get_type_filter(first, dropped[i], &f) == 0 && f == HWLOC_TYPE_FILTER_KEEP_NONE,
              "type %s is filtered out", hwloc_obj_type_string(dropped[i]));
        CHECK(hwloc_get_nbobjs_by_type(first, dropped[i]) == 0, "no %s objects", hwloc_obj_type_string(dropped[i]));
    }
    CHECK(first && hwloc_get_nbobjs_by_type(first, HWLOC_OBJ_PU) > 0 && hwloc_get_nbobjs_by_type(first, HWLOC_OBJ_CORE) > 0,
          "PUs and cores are kept");

    /* a simulated machine is the context's own */
    setenv("HWLOC_SYNTHETIC", "pack:1 core:3 pu:1", 1);
    vox_ctx *sim = create(0, NULL);
    unsetenv("HWLOC_SYNTHETIC");
    CHECK(sim && sim->team->topo != first && !sim->team->topo_shared && sim->team->cores == 3,
          "HWLOC_SYNTHETIC: a private topology of 3 cores");
    vox_ctx_destroy(&sim);
    int again = 0;
    CHECK(vox_topology_acquire(&again) == first && again, "the machine's topology is unchanged afterwards");
}

typedef struct made {
    int narrow;        /* bind the thread to its first allowed CPU first */
    int threads;
    const char *bind;
    int got_threads;
    char describe[1024];
} made;

static void *create_thread(void *arg)
{
    made *m = arg;
    if (m->narrow) {
        cpu_set_t all, one;
        CPU_ZERO(&one);
        if (sched_getaffinity(0, sizeof all, &all) == 0)
            for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &all)) {
                    CPU_SET(c, &one);
                    break;
                }
        pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    }
    vox_ctx *ctx = create(m->threads, m->bind);
    m->got_threads = ctx ? vox_ctx_threads(ctx) : -1;
    snprintf(m->describe, sizeof m->describe, "%s", ctx ? vox_ctx_describe(ctx) : "(no context)");
    vox_ctx_destroy(&ctx);
    return NULL;
}

static void run_in_thread(made *m)
{
    pthread_t th;
    if (pthread_create(&th, NULL, create_thread, m) == 0) pthread_join(th, NULL);
    else m->got_threads = -1;
}

static void test_threads_policy(void)
{
    /* alone on the main thread: the context owns the machine */
    vox_ctx *a = create(0, NULL);
    int cores = a ? a->team->cores : 0;
    if (a && !strcmp(a->team->threads_source, "no OpenMP in this build")) {
        printf("built without OpenMP: one thread everywhere, thread policy not checked\n");
        vox_ctx_destroy(&a);
        return;
    }
    CHECK(a && vox_ctx_threads(a) == cores && !strcmp(a->team->threads_source, "cores"),
          "the only context, on the main thread: one thread per core (%s)", a ? vox_ctx_describe(a) : "");
    if (a && cores > 1 && hwloc_topology_is_thissystem(a->team->topo))
        CHECK(a->team->bind == VOX_BIND_CORES, "and pinned to cores: %s", vox_ctx_describe(a));

    /* a second one while the first is alive: one thread, never pinned */
    vox_ctx *b = create(0, NULL);
    CHECK(b && vox_ctx_threads(b) == 1 && strstr(vox_ctx_describe(b), "other contexts are active"),
          "a second context: one thread: %s", b ? vox_ctx_describe(b) : "");
    vox_ctx *c = create(2, NULL);
    CHECK(c && vox_ctx_threads(c) == 2 && c->team->bind == VOX_BIND_NONE &&
              strstr(vox_ctx_describe(c), "not pinned: other contexts are active"),
          "asked for 2 threads while another context is alive: 2, not pinned: %s", c ? vox_ctx_describe(c) : "");
    vox_ctx *d = create(2, "cores");
    if (d && hwloc_topology_is_thissystem(d->team->topo) && d->team->pus > 1)
        CHECK(d->team->bind == VOX_BIND_CORES || d->team->bind == VOX_BIND_PUS, "bind=cores asked: pinned: %s",
              vox_ctx_describe(d));
    vox_ctx_destroy(&d);
    vox_ctx_destroy(&c);
    vox_ctx_destroy(&b);
    vox_ctx_destroy(&a);

    /* all gone: the next one on the main thread owns the machine again */
    a = create(0, NULL);
    CHECK(a && vox_ctx_threads(a) == cores, "after the others are destroyed: one per core again (%d)",
          a ? vox_ctx_threads(a) : -1);
    vox_ctx_destroy(&a);

    /* off the main thread */
    made m = {0};
    run_in_thread(&m);
    CHECK(m.got_threads == 1 && strstr(m.describe, "created off the main thread"),
          "a context created in another thread: one thread: %s", m.describe);
    /* in a thread given its own CPU: the cores of its mask */
    made n = {.narrow = 1};
    run_in_thread(&n);
    CHECK(n.got_threads == 1 && (cores == 1 || strstr(n.describe, "cores of the calling thread's affinity mask")),
          "a thread bound to one CPU: one thread from its mask: %s", n.describe);
    made p = {.narrow = 1, .threads = 2};
    run_in_thread(&p);
    CHECK(p.got_threads == 2 && !strstr(p.describe, "pinned to"),
          "2 threads asked in a narrowed thread: not pinned automatically: %s", p.describe);
}

/* A launcher's narrowed mask (taskset -c 0, a batch system's binding) made the first context take "the
 * cores of the calling thread's affinity mask", and the policy checks below failed where the test was
 * started narrowed.  They start from the whole machine (as much of it as the cpuset allows: the kernel
 * drops the rest of the mask) and narrow a thread themselves where they check a narrowed one. */
static void widen_affinity(void)
{
    cpu_set_t all;
    CPU_ZERO(&all);
    for (int c = 0; c < CPU_SETSIZE; c++) CPU_SET(c, &all);
    if (sched_setaffinity(0, sizeof all, &all) != 0) printf("note: the affinity mask could not be widened\n");
}

int main(void)
{
    widen_affinity(); /* before the topology is discovered and any thread exists */
    unsetenv("VOX_THREADS");
    unsetenv("OMP_NUM_THREADS");
    unsetenv("OMP_PROC_BIND");
    unsetenv("OMP_PLACES");
    unsetenv("VOX_BIND");
    unsetenv("HWLOC_SYNTHETIC");
    unsetenv("HWLOC_XMLFILE");
    unsetenv("HWLOC_FSROOT");
    unsetenv("HWLOC_CPUID_PATH");
    if (getenv("HWLOC_PLUGINS_BLACKLIST")) {
        printf("HWLOC_PLUGINS_BLACKLIST is set: the plugin checks need it unset\n");
        unsetenv("HWLOC_PLUGINS_BLACKLIST");
    }
    test_user_blacklist_kept(); /* forks: before any thread exists */
    test_no_cpuid_walk();       /* forks too */
    test_threaded_host_environment_untouched(); /* forks too */
    test_plugins_not_loaded();
    test_topology_once();
    test_threads_policy();
    return check_report();
}
