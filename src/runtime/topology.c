/* topology.c - the machine's hwloc topology, discovered once per process (topology.h) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"

/* hwloc's plugins that discover I/O devices or parse XML with libxml2: vox
 * reads none of what they find, and loading them maps X11, OpenCL, libxml2
 * and ICU into the process (about 100 shared libraries on Debian 12).
 * hwloc matches each plugin's file name as a substring of this list. */
static const char io_plugins[] =
    "hwloc_pci,hwloc_opencl,hwloc_gl,hwloc_cuda,hwloc_nvml,hwloc_rsmi,hwloc_levelzero,hwloc_xml_libxml";

/* 1 when the calling thread is the process's only thread (Linux:
 * /proc/self/status), 0 when there are others or it cannot tell.  Changing
 * the environment is safe only then: getenv in another thread of the host
 * may read environ while setenv reallocates it (glibc frees the old array). */
static int only_thread(void)
{
#ifdef __linux__
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    int threads = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "Threads:", 8)) {
            threads = atoi(line + 8);
            break;
        }
    fclose(f);
    return threads == 1;
#else
    return 0;
#endif
}

static hwloc_topology_t load(void)
{
    hwloc_topology_t topo = NULL;
    /* the plugins are kept out through the environment, which hwloc reads
     * as it initialises; only while no other thread can read it: a host
     * that starts its threads first gets the plugins loaded (slower, the
     * same answers) unless it sets HWLOC_PLUGINS_BLACKLIST itself */
    const int set_here = getenv("HWLOC_PLUGINS_BLACKLIST") == NULL && only_thread(); /* the user's value wins */
    if (set_here) setenv("HWLOC_PLUGINS_BLACKLIST", io_plugins, 0);
    int err = hwloc_topology_init(&topo);
    if (set_here) unsetenv("HWLOC_PLUGINS_BLACKLIST");
    if (err != 0)
        return NULL;
    /* What team.c and fingerprint.c read, nothing else (PUs, NUMA nodes and
     * the machine are always kept by hwloc). */
    hwloc_topology_set_all_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    static const hwloc_obj_type_t kept[] = {HWLOC_OBJ_PACKAGE, HWLOC_OBJ_CORE, HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE,
                                            HWLOC_OBJ_L3CACHE};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        hwloc_topology_set_type_filter(topo, kept[i], HWLOC_TYPE_FILTER_KEEP_ALL);
#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__)) && HWLOC_API_VERSION >= 0x00020100
    /* On Linux the linux component finds the packages, cores, caches and the
     * CPU's vendor and model (sysfs, /proc/cpuinfo); the x86 component would
     * find the same again with CPUID, binding the thread to every PU in turn
     * (0.15-0.25 ms of the 1.2 ms discovery on a 2-vCPU VM, more with more
     * PUs).  The fingerprint is the same without it.  HWLOC_COMPONENTS, when
     * set, still decides. */
    const char *components = getenv("HWLOC_COMPONENTS");
    if (!components || !*components)
        hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
#endif
#if HWLOC_API_VERSION >= 0x00020800
    /* nor distance matrices, memory attributes or CPU kinds (hwloc >= 2.8) */
    hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_NO_DISTANCES | HWLOC_TOPOLOGY_FLAG_NO_MEMATTRS |
                                       HWLOC_TOPOLOGY_FLAG_NO_CPUKINDS);
#endif
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return NULL;
    }
    return topo;
}

static pthread_once_t machine_once = PTHREAD_ONCE_INIT;
static hwloc_topology_t machine; /* written once under machine_once, read-only after */

static void discover_machine(void) { machine = load(); }

static int simulated(void)
{
    static const char *const vars[] = {"HWLOC_SYNTHETIC", "HWLOC_XMLFILE", "HWLOC_FSROOT", "HWLOC_CPUID_PATH"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return 1;
    }
    return 0;
}

hwloc_topology_t vox_topology_acquire(int *shared)
{
    if (simulated()) {
        *shared = 0;
        return load();
    }
    *shared = 1;
    pthread_once(&machine_once, discover_machine);
    return machine;
}

void vox_topology_release(hwloc_topology_t topo, int shared)
{
    if (topo && !shared)
        hwloc_topology_destroy(topo);
}
