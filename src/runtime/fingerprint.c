/* fingerprint.c - what identifies a machine and build for a tuning profile
 *
 * cpu: vendor, family, model and name as hwloc reports them; isa: the
 * features and ISA levels the dispatcher detected plus quirk bits that
 * change timings; topology: hwloc's counts and cache sizes; compiler,
 * library version and kernel-set hash (kernels/kernel_set_hash.py).
 */
#include <stdio.h>
#include <string.h>

#include "kernel_set.h"
#include "profile.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static const char *package_info(hwloc_topology_t topo, const char *name)
{
    hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    const char *v = pkg ? hwloc_obj_get_info_by_name(pkg, name) : NULL;
    if (!v) { /* some backends put it on the root */
        hwloc_obj_t root = hwloc_get_root_obj(topo);
        v = root ? hwloc_obj_get_info_by_name(root, name) : NULL;
    }
    return v ? v : "";
}

/* Quirks: facts about the CPU that change timings but not what runs. */
static cJSON *quirks(void)
{
    cJSON *q = cJSON_CreateArray();
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (q && __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31)))
        cJSON_AddItemToArray(q, cJSON_CreateString("hypervisor")); /* timings shared with other guests */
    unsigned a7 = 0, b7 = 0, c7 = 0, d7 = 0;
    __get_cpuid_count(7, 0, &a7, &b7, &c7, &d7);
    if (q && (b7 & (1u << 16)) && !strstr(vox_available_isas(), "avx512"))
        cJSON_AddItemToArray(q, cJSON_CreateString("avx512-unused")); /* CPU has it, OS or build does not */
#endif
    return q;
}

static const char *compiler(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

/* The machine's cores and PUs: every one the process may ever run on (its
 * cgroup's), not the launcher's affinity mask (taskset, srun --cpu-bind),
 * which the team narrows itself to: a profile tuned under taskset is the
 * same machine's and applies outside it. */
static void machine_size(const vox_team *t, int *cores, int *pus)
{
    hwloc_const_cpuset_t all = hwloc_topology_get_allowed_cpuset(t->topo);
    int n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE), c = 0;
    for (int i = 0; i < n; i++)
        if (hwloc_bitmap_intersects(hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_CORE, (unsigned)i)->cpuset, all))
            c++;
    *pus = hwloc_bitmap_weight(all);
    if (*pus <= 0) *pus = t->pus;
    *cores = c > 0 ? c : *pus;
}

cJSON *vox_fingerprint(const vox_ctx *ctx)
{
    const vox_team *t = ctx->team;
    int cores, pus;
    machine_size(t, &cores, &pus);
    cJSON *fp = cJSON_CreateObject();
    cJSON *cpu = cJSON_AddObjectToObject(fp, "cpu");
    cJSON *isa = cJSON_AddObjectToObject(fp, "isa");
    cJSON *topo = cJSON_AddObjectToObject(fp, "topology");
    if (!fp || !cpu || !isa || !topo) {
        cJSON_Delete(fp);
        return NULL;
    }
    cJSON_AddStringToObject(cpu, "vendor", package_info(t->topo, "CPUVendor"));
    cJSON_AddStringToObject(cpu, "family", package_info(t->topo, "CPUFamilyNumber"));
    cJSON_AddStringToObject(cpu, "model_number", package_info(t->topo, "CPUModelNumber"));
    cJSON_AddStringToObject(cpu, "model", package_info(t->topo, "CPUModel"));
    cJSON_AddStringToObject(isa, "features", vox_cpu_features());
    cJSON_AddStringToObject(isa, "levels", vox_available_isas());
    cJSON *q = quirks();
    if (q) cJSON_AddItemToObject(isa, "quirks", q);
    cJSON_AddNumberToObject(topo, "packages", t->packages);
    cJSON_AddNumberToObject(topo, "numa_nodes", t->numa);
    cJSON_AddNumberToObject(topo, "cores", cores);
    cJSON_AddNumberToObject(topo, "pus", pus);
    cJSON_AddNumberToObject(topo, "l1d_kib", (double)(t->l1d >> 10));
    cJSON_AddNumberToObject(topo, "l2_kib", (double)(t->l2 >> 10));
    cJSON_AddNumberToObject(topo, "l3_kib", (double)(t->l3 >> 10));
    cJSON_AddStringToObject(topo, "caches", t->caches_from_hwloc == 7 ? "hwloc" : t->caches_from_hwloc ? "partly defaults" : "defaults");
    cJSON_AddStringToObject(fp, "compiler", compiler());
    cJSON_AddStringToObject(fp, "library", vox_version());
    cJSON_AddStringToObject(fp, "kernel_set", VOX_KERNEL_SET_HASH);
    return fp;
}
