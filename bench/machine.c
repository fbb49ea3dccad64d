/* machine.c - what a benchmark result was measured on: CPU identity, ISA, topology, build
 *
 * The fingerprint's "key" (CPU vendor, family, model, the ISA vox runs and
 * the detected feature bits) decides whether two result files are
 * comparable in wall time; cache sizes and the topology are recorded for
 * the reader.  hwloc is loaded without I/O discovery, which keeps it fast.
 */
#include <hwloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "revision.h"
#include "vox/vox.h"

static uint64_t fnv(uint64_t h, const char *s) { return vox_bench_fnv1a(h, s, strlen(s)); }

static const char *info(hwloc_obj_t o, const char *name)
{
    const char *v = o ? hwloc_obj_get_info_by_name(o, name) : NULL;
    return v ? v : "";
}

void vox_bench_machine(cJSON *root)
{
    cJSON *m = cJSON_AddObjectToObject(root, "machine");
    hwloc_topology_t topo;
    char vendor[128] = "", model[256] = "", family[32] = "", modelnum[32] = "", synth[1024] = "";
    int cores = 0, pus = 0;
    unsigned long long cache[4] = {0, 0, 0, 0};
    if (hwloc_topology_init(&topo) == 0) {
        hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_DONT_CHANGE_BINDING);
        if (hwloc_topology_load(topo) == 0) {
            hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
            snprintf(vendor, sizeof vendor, "%s", info(pkg, "CPUVendor"));
            snprintf(model, sizeof model, "%s", info(pkg, "CPUModel"));
            snprintf(family, sizeof family, "%s", info(pkg, "CPUFamilyNumber"));
            snprintf(modelnum, sizeof modelnum, "%s", info(pkg, "CPUModelNumber"));
            cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
            pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
            static const hwloc_obj_type_t levels[4] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE};
            for (int l = 0; l < 4; l++) {
                hwloc_obj_t c = hwloc_get_obj_by_type(topo, levels[l], 0);
                if (c && c->attr) cache[l] = c->attr->cache.size;
            }
            if (hwloc_topology_export_synthetic(topo, synth, sizeof synth,
                                                HWLOC_TOPOLOGY_EXPORT_SYNTHETIC_FLAG_IGNORE_MEMORY) < 0)
                snprintf(synth, sizeof synth, "cores:%d pus:%d", cores, pus);
        }
        hwloc_topology_destroy(topo);
    }
    vox_ctx *ctx;
    const char *isa = "none";
    if (vox_ctx_create(&ctx, NULL) == VOX_OK) {
        isa = vox_ctx_isa(ctx);
        vox_ctx_destroy(&ctx);
    }
    cJSON_AddStringToObject(m, "cpu_vendor", vendor);
    cJSON_AddStringToObject(m, "cpu_model", model);
    cJSON_AddStringToObject(m, "cpu_family_number", family);
    cJSON_AddStringToObject(m, "cpu_model_number", modelnum);
    cJSON_AddStringToObject(m, "cpu_features", vox_cpu_features());
    cJSON_AddStringToObject(m, "isa", isa);
    cJSON_AddNumberToObject(m, "cores", cores);
    cJSON_AddNumberToObject(m, "pus", pus);
    cJSON_AddNumberToObject(m, "online_cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON *c = cJSON_AddObjectToObject(m, "caches_bytes");
    static const char *const names[4] = {"L1d", "L2", "L3", "L4"};
    for (int l = 0; l < 4; l++)
        if (cache[l]) cJSON_AddNumberToObject(c, names[l], (double)cache[l]);
    cJSON_AddStringToObject(m, "topology", synth);
    char key[40];
    uint64_t h = fnv(VOX_FNV_OFFSET, vendor);
    h = fnv(h, family);
    h = fnv(h, modelnum);
    h = fnv(h, model);
    h = fnv(h, vox_cpu_features());
    h = fnv(h, isa);
    snprintf(key, sizeof key, "%016llx", (unsigned long long)h);
    cJSON_AddStringToObject(m, "key", key);
}

void vox_bench_build(cJSON *root)
{
    cJSON *b = cJSON_AddObjectToObject(root, "build");
    cJSON_AddStringToObject(b, "version", vox_version());
    cJSON_AddStringToObject(b, "git_revision", VOX_BENCH_GIT_REVISION);
#if defined(__clang__)
    cJSON_AddStringToObject(b, "compiler", "clang " __clang_version__);
#else
    cJSON_AddStringToObject(b, "compiler", "gcc " __VERSION__);
#endif
    cJSON_AddStringToObject(b, "flags", VOX_BENCH_C_FLAGS);
    cJSON_AddStringToObject(b, "build_type", VOX_BENCH_BUILD_TYPE);
    /* what else changes the instructions executed: `compare` refuses files
     * whose builds differ in any of these */
    cJSON_AddStringToObject(b, "optimization", VOX_BENCH_OPTIMIZATION);
    cJSON_AddStringToObject(b, "sanitize", VOX_BENCH_SANITIZE);
}
