/* topology.h - the machine's hwloc topology, discovered once per process
 *
 * Discovering a topology costs milliseconds (hwloc reads /sys and /proc and,
 * on x86, runs CPUID on every PU), so the machine's topology is discovered
 * once, lazily, by the first context of the process, and shared by every
 * context after it.  It is never modified after discovery: hwloc allows any
 * thread to query it and to bind with it concurrently.
 *
 * Only the object types vox reads are kept (packages, cores, PUs, NUMA nodes
 * and the L1d/L2/L3 caches), and hwloc's I/O plugins (PCI, OpenCL, GL,
 * CUDA, NVML, ROCm SMI, Level Zero, libxml2), whose libraries would be mapped
 * into the process, are not loaded: see vox_topology_acquire.
 */
#ifndef VOX_TOPOLOGY_H
#define VOX_TOPOLOGY_H

#include <hwloc.h>

#include "internal.h"

/* The topology a context uses.  *shared = 1: the process's topology of this
 * machine (never destroyed).  *shared = 0: a private one, loaded because
 * HWLOC_SYNTHETIC, HWLOC_XMLFILE, HWLOC_FSROOT or HWLOC_CPUID_PATH describes
 * another machine; release it with vox_topology_release.  NULL when hwloc
 * cannot initialise or load a topology.
 *
 * Unless HWLOC_PLUGINS_BLACKLIST is set (even empty), it is set to the I/O
 * plugins' names while hwloc initialises (plugins are loaded then, once per
 * process while any topology exists) and unset again, when the caller is
 * the process's only thread (another could be reading the environment);
 * this is the only time vox touches the environment. */
VOX_HIDDEN hwloc_topology_t vox_topology_acquire(int *shared);
VOX_HIDDEN void vox_topology_release(hwloc_topology_t topo, int shared);

#endif
