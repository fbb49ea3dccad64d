/* test_profile.c - tuning profiles through the public API: every kind of file, and the topology defaults
 *
 * Builds profiles around this machine's own fingerprint (vox_ctx_fingerprint_json)
 * and checks the status a context reports, the settings it uses, and that
 * nothing (corrupt, truncated, oversized, newer, foreign, out of range) ever
 * fails context creation.  The defaults on synthetic topologies come from
 * HWLOC_SYNTHETIC.  Usage: test_profile TMPDIR
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "check.h"
#include "vox/vox.h"

static char *fingerprint_text;

/* Status (and, when settings is not NULL, the settings JSON) of a context
 * created with profile text json (or path when json is NULL). */
static vox_profile_status status_of(const char *json, const char *path, cJSON **settings)
{
    vox_options o;
    vox_options_init(&o);
    o.profile_json = json;
    o.profile = path;
    vox_ctx *ctx = NULL;
    vox_status st = vox_ctx_create(&ctx, &o);
    CHECK(st == VOX_OK, "a profile never fails a context: %s", vox_strerror(st));
    if (st != VOX_OK)
        return (vox_profile_status)-1;
    vox_profile_status ps = vox_ctx_profile_status(ctx);
    if (settings) {
        char *js = vox_ctx_settings_json(ctx);
        *settings = cJSON_Parse(js);
        vox_free(js);
    }
    vox_ctx_destroy(&ctx);
    return ps;
}

/* One machine entry with this fingerprint and the same setting everywhere. */
static cJSON *entry(const char *variant, int tile, int threads)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToObject(e, "fingerprint", cJSON_Parse(fingerprint_text));
    cJSON_AddStringToObject(e, "rigor", "test");
    cJSON *s = cJSON_AddObjectToObject(e, "settings");
    static const char *const kernels[] = {"bin_points", "occlusion", "first_shell", "label_components"};
    for (int k = 0; k < 4; k++) {
        cJSON *per = cJSON_AddObjectToObject(s, kernels[k]);
        static const char *const classes[] = {"small", "medium", "large"};
        for (int c = 0; c < 3; c++) {
            cJSON *v = cJSON_AddObjectToObject(per, classes[c]);
            cJSON_AddStringToObject(v, "variant", variant);
            cJSON_AddNumberToObject(v, "tile_kib", tile + c);
            cJSON_AddNumberToObject(v, "threads", threads);
        }
    }
    cJSON_AddItemToObject(e, "measurements", cJSON_CreateArray());
    return e;
}

static char *doc_with(cJSON *e, int schema)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "format", "vox-profile");
    cJSON_AddNumberToObject(d, "schema", schema);
    cJSON *m = cJSON_AddArrayToObject(d, "machines");
    cJSON_AddItemToArray(m, e);
    char *text = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    return text;
}

static int setting(cJSON *settings, const char *kernel, const char *cls, const char *field)
{
    cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(settings, "kernels"), kernel), cls), field);
    return v ? v->valueint : -1;
}

static const char *variant_of(cJSON *settings, const char *kernel, const char *cls)
{
    cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(settings, "kernels"), kernel), cls), "variant");
    return v && cJSON_IsString(v) ? v->valuestring : "";
}

/* The settings name, per kernel, the code that runs: the chosen variant's,
 * or the level below it that the variant leaves the kernel to (labelling
 * is scalar code under every vector variant; binning has its own). */
static void test_code_that_runs(void)
{
    char isas[256];
    snprintf(isas, sizeof isas, "%s", vox_available_isas());
    for (char *isa = strtok(isas, ","); isa; isa = strtok(NULL, ",")) {
        vox_options o;
        vox_options_init(&o);
        o.isa = isa;
        o.threads = 1;
        vox_ctx *ctx = NULL;
        CHECK(vox_ctx_create(&ctx, &o) == VOX_OK, "context with isa %s", isa);
        char *js = vox_ctx_settings_json(ctx);
        cJSON *s = cJSON_Parse(js);
        cJSON *k = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "kernels"), "label_components");
        cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "kernels"), "bin_points");
        const char *lcode = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(k, "small"), "code"));
        const char *bcode = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "small"), "code"));
        CHECK(!strcmp(variant_of(s, "label_components", "small"), isa) && lcode && !strcmp(lcode, "scalar"),
              "%s: labelling is variant %s, code %s", isa, variant_of(s, "label_components", "small"), lcode ? lcode : "?");
        CHECK(bcode && !strcmp(bcode, isa), "%s: binning runs its own code (%s)", isa, bcode ? bcode : "?");
        cJSON_Delete(s);
        vox_free(js);
        vox_ctx_destroy(&ctx);
    }
}

static void test_round_trip(void)
{
    char *text = doc_with(entry("scalar", 64, 1), 2);
    cJSON *s = NULL;
    CHECK(status_of(text, NULL, &s) == VOX_PROFILE_EXACT, "own fingerprint: exact");
    CHECK(setting(s, "occlusion", "medium", "tile_kib") == 65 && setting(s, "label_components", "large", "tile_kib") == 66,
          "tile sizes read per kernel and class");
    CHECK(setting(s, "first_shell", "small", "threads") == 1, "threads read");
    CHECK(!strcmp(variant_of(s, "bin_points", "small"), "scalar"), "variant read: %s", variant_of(s, "bin_points", "small"));
    cJSON_Delete(s);
    free(text);
}

static void test_bad_files(const char *tmp)
{
    char *good = doc_with(entry("scalar", 64, 1), 2);
    /* truncated at every eighth byte: always corrupt, never a crash */
    size_t n = strlen(good);
    int all = 1;
    for (size_t cut = 0; cut + 1 < n; cut += 8) {
        char *t = strndup(good, cut);
        vox_profile_status st = status_of(t, NULL, NULL);
        all &= st == VOX_PROFILE_DEFAULTS_CORRUPT || (cut == 0 && st == VOX_PROFILE_DEFAULTS_ABSENT);
        free(t);
    }
    CHECK(all, "every truncation of a profile reads as corrupt");
    CHECK(status_of("{\"format\": \"vox-profile\", \"schema\": 2, \"machines\": [", NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "truncated");
    CHECK(status_of("not json at all", NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "garbage");
    /* a whole profile followed by more: a damaged file (a shorter one written over a longer one in place,
     * two concatenated), never read as its first document */
    size_t gl = strlen(good);
    char *tail = malloc(2 * gl + 16);
    snprintf(tail, 2 * gl + 16, "%s\ngarbage", good);
    CHECK(status_of(tail, NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "bytes after the profile");
    snprintf(tail, 2 * gl + 16, "%s%s", good, good);
    CHECK(status_of(tail, NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "two profiles one after the other");
    snprintf(tail, 2 * gl + 16, "%s \n\t\r\n", good);
    CHECK(status_of(tail, NULL, NULL) != VOX_PROFILE_DEFAULTS_CORRUPT, "trailing white space is fine");
    free(tail);
    CHECK(status_of("[1, 2, 3]", NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "an array");
    CHECK(status_of("{\"format\": \"other\", \"schema\": 2, \"machines\": []}", NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "format");
    CHECK(status_of("{\"format\": \"vox-profile\", \"schema\": \"2\", \"machines\": []}", NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "schema type");
    CHECK(status_of("{\"format\": \"vox-profile\", \"schema\": 2, \"machines\": {}}", NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "machines type");
    CHECK(status_of("{\"format\": \"vox-profile\", \"schema\": 2, \"machines\": [7]}", NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "entry type");
    /* wrong types and out-of-range values inside the entry */
    cJSON *e = entry("scalar", 64, 1);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "settings"), "occlusion"), "small"),
                              "tile_kib", cJSON_CreateString("big"));
    char *t = doc_with(e, 2);
    CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "tile of the wrong type");
    free(t);
    t = doc_with(entry("scalar", 1, 1), 2);
    CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_OUT_OF_RANGE, "tile below 4 KiB");
    free(t);
    /* numbers no integer type holds: refused by range, never cast (UBSan checks the cast) */
    static const double huge[] = {1e50, -1e50, 1e19, 3e9};
    for (size_t h = 0; h < sizeof huge / sizeof huge[0]; h++) {
        e = entry("scalar", 64, 1);
        cJSON *small = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "settings"), "occlusion"), "small");
        cJSON_ReplaceItemInObject(small, h % 2 ? "threads" : "tile_kib", cJSON_CreateNumber(huge[h]));
        t = doc_with(e, 2);
        CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_OUT_OF_RANGE, "value %g refused", huge[h]);
        free(t);
    }
    CHECK(status_of("{\"format\": \"vox-profile\", \"schema\": 1e10, \"machines\": []}", NULL, NULL) ==
              VOX_PROFILE_DEFAULTS_CORRUPT, "schema 1e10");
    CHECK(status_of("{\"format\": \"vox-profile\", \"schema\": -1e300, \"machines\": []}", NULL, NULL) ==
              VOX_PROFILE_DEFAULTS_CORRUPT, "schema -1e300");
    t = doc_with(entry("scalar", 64, -2), 2);
    CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_OUT_OF_RANGE, "negative threads");
    free(t);
    t = doc_with(entry("sse9", 64, 1), 2);
    CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_OUT_OF_RANGE, "unknown variant");
    free(t);
    /* a misspelt name in the settings: the setting was left at its default, unsaid, and --check passed */
    static const char *const misspelt[][2] = {{"settings", "ocllusion"}, {"occlusion", "smal"}, {"small", "tile_kb"}};
    for (size_t m = 0; m < sizeof misspelt / sizeof *misspelt; m++) {
        e = entry("scalar", 64, 1);
        cJSON *settings = cJSON_GetObjectItem(e, "settings"), *occ = cJSON_GetObjectItem(settings, "occlusion");
        cJSON *where = m == 0 ? settings : m == 1 ? occ : cJSON_GetObjectItem(occ, "small");
        cJSON_AddNumberToObject(where, misspelt[m][1], 64);
        t = doc_with(e, 2);
        CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "a misspelt name in %s (%s) is refused",
              misspelt[m][0], misspelt[m][1]);
        free(t);
    }
    /* oversized: a file over 16 MiB is refused before parsing */
    char path[512];
    snprintf(path, sizeof path, "%s/oversized.json", tmp);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL, "cannot write %s", path);
    if (f) {
        fputs("{\"format\": \"vox-profile\", \"schema\": 2, \"pad\": \"", f);
        for (int i = 0; i < 17 * 1024; i++) {
            char kib[1024];
            memset(kib, 'x', sizeof kib);
            fwrite(kib, 1, sizeof kib, f);
        }
        fputs("\", \"machines\": []}", f);
        fclose(f);
        CHECK(status_of(NULL, path, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "oversized file");
    }
    CHECK(status_of(NULL, "/nonexistent/vox/profile.json", NULL) == VOX_PROFILE_DEFAULTS_ABSENT, "missing file");
    CHECK(status_of(NULL, "", NULL) == VOX_PROFILE_DEFAULTS_ABSENT, "no profile asked for");
    CHECK(status_of(NULL, tmp, NULL) == VOX_PROFILE_DEFAULTS_CORRUPT, "a directory is not a profile");
    /* a FIFO with no writer: opening it for reading would wait forever (the alarm ends a hang as a failure) */
    snprintf(path, sizeof path, "%s/profile.fifo", tmp);
    unlink(path);
    if (mkfifo(path, 0600) == 0) {
        alarm(20);
        vox_options o;
        vox_options_init(&o);
        o.profile = path;
        vox_ctx *ctx = NULL;
        CHECK(vox_ctx_create(&ctx, &o) == VOX_OK, "a FIFO profile never fails a context");
        alarm(0);
        CHECK(ctx && vox_ctx_profile_status(ctx) == VOX_PROFILE_DEFAULTS_CORRUPT &&
                  strstr(vox_ctx_profile_detail(ctx), "FIFO"),
              "a FIFO is refused as not a regular file, at once: %s", ctx ? vox_ctx_profile_detail(ctx) : "");
        vox_ctx_destroy(&ctx);
        unlink(path);
    }
    vox_options od;
    vox_options_init(&od);
    od.profile = tmp;
    vox_ctx *dctx = NULL;
    if (vox_ctx_create(&dctx, &od) == VOX_OK)
        CHECK(strstr(vox_ctx_profile_detail(dctx), "directory") != NULL, "the detail says a directory: %s",
              vox_ctx_profile_detail(dctx));
    vox_ctx_destroy(&dctx);
    free(good);
}

static void test_schemas(void)
{
    char *t = doc_with(entry("scalar", 64, 1), 3);
    CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_NEWER_SCHEMA, "newer schema");
    free(t);
    /* schema 1: one machine at the top level, one setting per kernel */
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "format", "vox-profile");
    cJSON_AddNumberToObject(d, "schema", 1);
    cJSON_AddItemToObject(d, "fingerprint", cJSON_Parse(fingerprint_text));
    cJSON_AddStringToObject(d, "rigor", "quick");
    cJSON *s = cJSON_AddObjectToObject(d, "settings");
    cJSON *occ = cJSON_AddObjectToObject(s, "occlusion");
    cJSON_AddStringToObject(occ, "variant", "scalar");
    cJSON_AddNumberToObject(occ, "tile_kib", 96);
    cJSON_AddNumberToObject(occ, "threads", 1);
    cJSON_AddItemToObject(d, "measurements", cJSON_CreateArray());
    t = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    cJSON *set = NULL;
    CHECK(status_of(t, NULL, &set) == VOX_PROFILE_EXACT, "schema 1 migrated");
    CHECK(setting(set, "occlusion", "small", "tile_kib") == 96 && setting(set, "occlusion", "large", "tile_kib") == 96,
          "schema 1's one setting applies to every size class");
    cJSON_Delete(set);
    free(t);
}

static void test_foreign_and_partial(void)
{
    cJSON *e = entry("scalar", 64, 1);
    cJSON *cpu = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "fingerprint"), "cpu");
    cJSON_ReplaceItemInObject(cpu, "model", cJSON_CreateString("Some Other CPU 9000"));
    char *t = doc_with(e, 2);
    CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_FOREIGN, "other CPU: foreign");
    free(t);
    e = entry("scalar", 64, 1);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(e, "fingerprint"), "kernel_set", cJSON_CreateString("0000000000000000"));
    t = doc_with(e, 2);
    CHECK(status_of(t, NULL, NULL) == VOX_PROFILE_DEFAULTS_FOREIGN, "other kernels: foreign");
    free(t);
    /* same CPU, other topology: tiles kept, threads re-derived */
    e = entry("scalar", 64, 1);
    cJSON *topo = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "fingerprint"), "topology");
    cJSON_ReplaceItemInObject(topo, "cores", cJSON_CreateNumber(512));
    t = doc_with(e, 2);
    cJSON *s = NULL, *d = NULL;
    CHECK(status_of(t, NULL, &s) == VOX_PROFILE_PARTIAL, "other topology: partial");
    status_of(NULL, "", &d);
    CHECK(setting(s, "occlusion", "small", "tile_kib") == 64, "partial keeps the tile");
    CHECK(setting(s, "occlusion", "medium", "threads") == setting(d, "occlusion", "medium", "threads"),
          "partial re-derives the threads (%d vs default %d)", setting(s, "occlusion", "medium", "threads"),
          setting(d, "occlusion", "medium", "threads"));
    cJSON_Delete(s);
    cJSON_Delete(d);
    free(t);
    /* several machines in one file: the one matching this machine is used */
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "format", "vox-profile");
    cJSON_AddNumberToObject(doc, "schema", 2);
    cJSON *m = cJSON_AddArrayToObject(doc, "machines");
    e = entry("scalar", 200, 1);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "fingerprint"), "cpu"), "model", cJSON_CreateString("Node type B"));
    cJSON_AddItemToArray(m, e);
    cJSON_AddItemToArray(m, entry("scalar", 80, 1));
    t = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    CHECK(status_of(t, NULL, &s) == VOX_PROFILE_EXACT && setting(s, "first_shell", "small", "tile_kib") == 80,
          "a shared file: this machine's entry");
    cJSON_Delete(s);
    free(t);
}

/* Defaults on synthetic topologies: one thread per core, tiles from the L2, no pinning. */
static void test_synthetic_topologies(void)
{
    setenv("HWLOC_SYNTHETIC", "pack:2 core:8 pu:2", 1);
    cJSON *s = NULL;
    status_of(NULL, "", &s);
    CHECK(cJSON_GetObjectItem(s, "threads")->valueint == 16, "2 x 8 cores: 16 threads, got %d",
          cJSON_GetObjectItem(s, "threads")->valueint);
    CHECK(setting(s, "occlusion", "small", "tile_kib") == 512, "no cache information: the 1 MiB L2 default, half of it per tile");
    CHECK(setting(s, "occlusion", "small", "threads") == 4 && setting(s, "occlusion", "large", "threads") == 16,
          "small grids use 4 threads, large ones all");
    CHECK(strstr(cJSON_GetObjectItem(s, "binding")->valuestring, "not pinned") != NULL, "a synthetic topology is never pinned to");
    cJSON_Delete(s);
    setenv("HWLOC_SYNTHETIC", "pack:1 l3:1(size=8388608) l2:4(size=262144) core:1 pu:1", 1);
    status_of(NULL, "", &s);
    CHECK(cJSON_GetObjectItem(s, "threads")->valueint == 4, "4 cores");
    CHECK(setting(s, "first_shell", "medium", "tile_kib") == 128, "a 256 KiB L2: 128 KiB tiles, got %d",
          setting(s, "first_shell", "medium", "tile_kib"));
    CHECK(setting(s, "label_components", "medium", "tile_kib") == 1048576, "labelling: one slab per thread");
    cJSON_Delete(s);
    setenv("HWLOC_SYNTHETIC", "core:1 pu:1", 1);
    status_of(NULL, "", &s);
    CHECK(cJSON_GetObjectItem(s, "threads")->valueint == 1, "one core: one thread");
    cJSON_Delete(s);
    unsetenv("HWLOC_SYNTHETIC");
}

static void test_thread_options(void)
{
    vox_options o;
    vox_options_init(&o);
    o.profile = "";
    vox_ctx *ctx = NULL;
    o.bind = "sideways";
    CHECK(vox_ctx_create(&ctx, &o) == VOX_E_INVALID_ARG, "an unknown bind option is an error");
    o.bind = "none";
    o.threads = 3;
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK && vox_ctx_threads(ctx) == 3, "threads option");
    CHECK(ctx && strstr(vox_ctx_describe(ctx), "bind=none"), "bind=none: %s", ctx ? vox_ctx_describe(ctx) : "");
    vox_ctx_destroy(&ctx);
    o.bind = NULL;
    o.threads = 0;
    setenv("VOX_THREADS", "5", 1);
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK && vox_ctx_threads(ctx) == 5, "VOX_THREADS");
    vox_ctx_destroy(&ctx);
    setenv("VOX_THREADS", "many", 1);
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK && vox_ctx_threads(ctx) >= 1, "a bad VOX_THREADS is a warning");
    vox_ctx_destroy(&ctx);
    unsetenv("VOX_THREADS");
    setenv("OMP_PROC_BIND", "close", 1);
    o.threads = 2;
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK && strstr(vox_ctx_describe(ctx), "OMP_PROC_BIND"),
          "OMP_PROC_BIND set: vox does not pin: %s", ctx ? vox_ctx_describe(ctx) : "");
    vox_ctx_destroy(&ctx);
    unsetenv("OMP_PROC_BIND");
    o.threads = 0;
    setenv("OMP_NUM_THREADS", "6,2", 1);
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK && vox_ctx_threads(ctx) == 6, "OMP_NUM_THREADS when VOX_THREADS is unset");
    vox_ctx_destroy(&ctx);
    setenv("VOX_THREADS", "2", 1);
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK && vox_ctx_threads(ctx) == 2, "VOX_THREADS wins over OMP_NUM_THREADS");
    vox_ctx_destroy(&ctx);
    unsetenv("VOX_THREADS");
    unsetenv("OMP_NUM_THREADS");
    setenv("VOX_BIND", "sideways", 1);
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK, "a bad VOX_BIND is a warning");
    vox_ctx_destroy(&ctx);
    unsetenv("VOX_BIND");
}

/* Pinning happens inside vox's regions only: the caller's affinity is the
 * same after an analysis, and the results are the same pinned or not. */
static void test_binding_restored(void)
{
    char pdb[16384]; /* 152 atoms of 81 bytes */
    size_t n = 0;
    int serial = 1;
    for (int i = 0; i < 6; i++) /* a hollow cube of atoms: a cavity inside */
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 6; k++) {
                if (i > 0 && i < 5 && j > 0 && j < 5 && k > 0 && k < 5) continue;
                n += (size_t)snprintf(pdb + n, sizeof pdb - n,
                                      "ATOM  %5d  CA  ALA A%4d    %8.3f%8.3f%8.3f  1.00  0.00           C\n", serial,
                                      serial, i * 1.9, j * 1.9, k * 1.9);
                serial++;
            }
    uint64_t first = 0;
    static const char *const binds[] = {"cores", "pus", "none"};
    for (int b = 0; b < 3; b++) {
        vox_options o;
        vox_options_init(&o);
        o.profile = "";
        o.threads = 2;
        o.bind = binds[b];
        vox_ctx *ctx = NULL;
        vox_structure *st = NULL;
        vox_result *r = NULL;
        cpu_set_t before, after;
        CPU_ZERO(&before);
        CPU_ZERO(&after);
        sched_getaffinity(0, sizeof before, &before);
        int ok = vox_ctx_create(&ctx, &o) == VOX_OK && vox_load_buffer(ctx, pdb, n, "cube.pdb", NULL, &st) == VOX_OK;
        vox_prepare_params pp;
        vox_prepare_params_init(&pp);
        pp.align = 0;
        vox_analyze_params ap;
        vox_analyze_params_init(&ap);
        ap.resolution = 0.5;
        ok = ok && vox_prepare(ctx, st, &pp) == VOX_OK && vox_analyze(ctx, st, &ap, &r) == VOX_OK;
        sched_getaffinity(0, sizeof after, &after);
        CHECK(ok, "analysis with bind=%s: %s", binds[b], ctx ? vox_ctx_last_error_detail(ctx) : "");
        CHECK(CPU_EQUAL(&before, &after), "bind=%s: the caller's affinity is restored", binds[b]);
        char *json = NULL;
        size_t len = 0;
        if (ok && vox_render(ctx, VOX_DOC_DF_JSON, st, r, NULL, &json, &len) == VOX_OK) {
            uint64_t h = 1469598103934665603ull;
            for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)json[i]) * 1099511628211ull;
            if (!first) first = h;
            CHECK(h == first, "bind=%s gives the same table", binds[b]);
            CHECK(strstr(json, "cavity") != NULL, "the cube has a cavity: %.200s", json);
        }
        vox_free(json);
        vox_result_free(&r);
        vox_structure_free(&st);
        vox_ctx_destroy(&ctx);
    }
}

int main(int argc, char **argv)
{
    const char *tmp = argc > 1 ? argv[1] : "/tmp";
    unsetenv("VOX_PROFILE");
    unsetenv("VOX_THREADS");
    unsetenv("OMP_NUM_THREADS");
    unsetenv("OMP_PROC_BIND");
    unsetenv("OMP_PLACES");
    unsetenv("HWLOC_SYNTHETIC");
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, NULL) != VOX_OK) return 1;
    fingerprint_text = vox_ctx_fingerprint_json(ctx);
    vox_ctx_destroy(&ctx);
    test_round_trip();
    test_code_that_runs();
    test_bad_files(tmp);
    test_schemas();
    test_foreign_and_partial();
    test_synthetic_topologies();
    test_thread_options();
    test_binding_restored();
    vox_free(fingerprint_text);
    return check_report();
}
