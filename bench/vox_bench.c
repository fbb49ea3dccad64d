/* vox_bench.c - `vox-bench`: per-stage and end-to-end timings of vox analyze
 *
 *   vox-bench run [--quick] [-o FILE] [--data DIR] [--synthetic DIR]
 *                 [--resolutions 3.0,2.0] [--isa scalar,avx2,...] [--budget SECONDS] [--filter TEXT]
 *   vox-bench kernels [--quick] [-o FILE]       (see kernels.c)
 *
 * Cases: every structure in DATA/structures (default ../shared/data, when
 * present) and the generated synthetic boxes, at each resolution.  Each case
 * runs in a fresh process (so its peak RSS is its own): one warm-up, then
 * repetitions of load + prepare + analyze + rendering the outputs until the
 * time budget is spent (at least 3).  Reported: min / median / p90 of every
 * stage and of the whole, work per second, peak RSS, and a checksum of the
 * outputs (so an optimised-away or wrong result shows).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "bench.h"
#include "vox/vox.h"

#define MAX_REPS 2000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static cJSON *summary(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "min", v[0]);
    cJSON_AddNumberToObject(o, "median", n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
    cJSON_AddNumberToObject(o, "p90", v[(int)floor(0.9 * (n - 1))]);
    return o;
}

/* One repetition: the whole per-structure job of `vox analyze`, outputs in memory. */
static int one_rep(vox_ctx *ctx, const char *path, double res, vox_stats *st, double *total, uint64_t *sum)
{
    double t0 = now();
    vox_structure *s = NULL;
    vox_result *r = NULL;
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = res;
    char *df = NULL, *cif = NULL;
    size_t dl = 0, cl = 0;
    int ok = vox_load_file(ctx, path, NULL, &s) == VOX_OK && vox_prepare(ctx, s, NULL) == VOX_OK &&
             vox_analyze(ctx, s, &ap, &r) == VOX_OK &&
             vox_render(ctx, VOX_DOC_DF_JSON, s, r, NULL, &df, &dl) == VOX_OK &&
             vox_render(ctx, VOX_DOC_CIF, s, r, NULL, &cif, &cl) == VOX_OK;
    *total = now() - t0;
    if (ok) {
        vox_ctx_get_stats(ctx, st);
        *sum = fnv1a(fnv1a(1469598103934665603ull, df, dl), cif, cl);
    }
    vox_free(df);
    vox_free(cif);
    vox_result_free(&r);
    vox_structure_free(&s);
    return ok;
}

/* `vox-bench case FILE RES BUDGET`: runs one case, prints its JSON on stdout. */
static int run_case(const char *path, double res, double budget)
{
    vox_ctx *ctx;
    if (vox_ctx_create(&ctx, NULL) != VOX_OK)
        return 1;
    static double stage[VOX_STAGE_COUNT][MAX_REPS], total[MAX_REPS], write_t[MAX_REPS];
    vox_stats st;
    double t;
    uint64_t sum = 0, first = 0;
    if (!one_rep(ctx, path, res, &st, &t, &first)) { /* warm-up, and the error path */
        printf("{\"error\":\"%s\"}\n", vox_ctx_last_error_detail(ctx));
        vox_ctx_destroy(&ctx);
        return 0;
    }
    int n = 0;
    double start = now();
    while (n < MAX_REPS && (n < 3 || now() - start < budget)) {
        if (!one_rep(ctx, path, res, &st, &total[n], &sum) || sum != first) {
            printf("{\"error\":\"repetition %d gave a different result\"}\n", n);
            vox_ctx_destroy(&ctx);
            return 0;
        }
        double staged = 0;
        for (int k = 0; k < VOX_STAGE_COUNT; k++) {
            stage[k][n] = st.seconds[k];
            staged += st.seconds[k];
        }
        write_t[n] = total[n] - staged; /* rendering the outputs */
        n++;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "reps", n);
    cJSON *stages = cJSON_AddObjectToObject(o, "stages");
    for (int k = 0; k < VOX_STAGE_COUNT; k++)
        cJSON_AddItemToObject(stages, vox_stage_name((vox_stage)k), summary(stage[k], n));
    cJSON_AddItemToObject(stages, "render", summary(write_t, n));
    cJSON_AddItemToObject(o, "total", summary(total, n));
    cJSON_AddNumberToObject(o, "atoms", (double)st.atoms);
    cJSON_AddNumberToObject(o, "points", (double)st.points);
    cJSON_AddNumberToObject(o, "voxels", (double)st.voxels);
    cJSON *dims = cJSON_AddArrayToObject(o, "grid");
    for (int a = 0; a < 3; a++) cJSON_AddItemToArray(dims, cJSON_CreateNumber(st.dims[a]));
    char hex[20];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)first);
    cJSON_AddStringToObject(o, "checksum", hex);
    char *txt = cJSON_PrintUnformatted(o);
    printf("%s\n", txt);
    free(txt);
    cJSON_Delete(o);
    vox_ctx_destroy(&ctx);
    return 0;
}

/* Runs `self case ...` in a child; returns its JSON (parsed) with peak_rss_kb added. */
static cJSON *spawn_case(const char *self, const char *path, double res, double budget, const char *isa)
{
    int fd[2];
    if (pipe(fd) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        char r[32], b[32];
        snprintf(r, sizeof r, "%.17g", res);
        snprintf(b, sizeof b, "%.17g", budget);
        if (isa)
            setenv("VOX_ISA", isa, 1);
        execl(self, self, "case", path, r, b, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[65536];
    size_t len = 0;
    ssize_t k;
    while ((k = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)k;
    buf[len] = '\0';
    close(fd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return NULL;
    cJSON *o = cJSON_Parse(buf);
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "peak_rss_kb", (double)ru.ru_maxrss);
    return o;
}

static int add_dir(char ***files, size_t *n, const char *dir, const char *only_suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t l = strlen(e->d_name);
        if (!(l > 4 && (!strcmp(e->d_name + l - 4, ".pdb") || !strcmp(e->d_name + l - 4, ".cif"))))
            continue;
        if (only_suffix && !strstr(e->d_name, only_suffix))
            continue;
        char *p = malloc(strlen(dir) + l + 2);
        sprintf(p, "%s/%s", dir, e->d_name);
        *files = realloc(*files, (*n + 1) * sizeof **files);
        (*files)[(*n)++] = p;
    }
    closedir(d);
    return 1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void vox_bench_machine(cJSON *root)
{
    cJSON *m = cJSON_AddObjectToObject(root, "machine");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512], model[256] = "unknown";
    if (f) {
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10)) {
                char *c = strchr(line, ':');
                if (c) {
                    snprintf(model, sizeof model, "%s", c + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        fclose(f);
    }
    cJSON_AddStringToObject(m, "cpu", model);
    cJSON_AddNumberToObject(m, "online_cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON_AddStringToObject(m, "cpu_features", vox_cpu_features());
}

static int cmd_run(int argc, char **argv, const char *self)
{
    const char *out = NULL, *data = "../shared/data", *synthetic = NULL, *filter = NULL;
    char resolutions[128] = "3.0,2.0", isas[128] = "";
    double budget = 0.5;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) budget = 0.1;
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--synthetic") && i + 1 < argc) synthetic = argv[++i];
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
        else if (!strcmp(argv[i], "--budget") && i + 1 < argc) budget = atof(argv[++i]);
        else if (!strcmp(argv[i], "--resolutions") && i + 1 < argc) snprintf(resolutions, sizeof resolutions, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--isa") && i + 1 < argc) snprintf(isas, sizeof isas, "%s", argv[++i]);
        else {
            fprintf(stderr, "vox-bench run: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    char **files = NULL;
    size_t nfiles = 0;
    char sdir[4096];
    snprintf(sdir, sizeof sdir, "%s/structures", data);
    if (!add_dir(&files, &nfiles, sdir, NULL))
        fprintf(stderr, "vox-bench: %s not found: real structures skipped\n", sdir);
    if (synthetic)
        add_dir(&files, &nfiles, synthetic, "_box");
    qsort(files, nfiles, sizeof *files, cmp_str);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema", 1);
    cJSON_AddStringToObject(root, "tool", "vox-bench");
    cJSON_AddStringToObject(root, "version", vox_version());
    vox_bench_machine(root);
    vox_ctx *ctx;
    if (vox_ctx_create(&ctx, NULL) == VOX_OK) {
        cJSON_AddStringToObject(root, "isa", vox_ctx_isa(ctx));
        cJSON_AddStringToObject(root, "describe", vox_ctx_describe(ctx));
        vox_ctx_destroy(&ctx);
    }
    cJSON *cases = cJSON_AddArrayToObject(root, "cases");
    printf("%-26s %5s %6s %9s %9s %9s %9s %9s %9s %9s %8s\n", "case", "reps", "atoms", "load", "shells", "grid",
           "buried", "classify", "metrics", "total(ms)", "rss(MB)");
    for (size_t i = 0; i < nfiles; i++) {
        const char *base = strrchr(files[i], '/') + 1;
        if (filter && !strstr(base, filter)) continue;
        char rl[128];
        snprintf(rl, sizeof rl, "%s", resolutions);
        for (char *save, *t = strtok_r(rl, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
          double res = atof(t);
          char il[128];
          snprintf(il, sizeof il, "%s", isas[0] ? isas : "-");
          for (char *save2, *isa = strtok_r(il, ",", &save2); isa; isa = strtok_r(NULL, ",", &save2)) {
            int default_isa = !strcmp(isa, "-");
            cJSON *c = spawn_case(self, files[i], res, budget, default_isa ? NULL : isa);
            char name[512];
            if (default_isa)
                snprintf(name, sizeof name, "%s@%.1f", base, res);
            else
                snprintf(name, sizeof name, "%s@%.1f/%s", base, res, isa);
            if (!c) { fprintf(stderr, "vox-bench: case %s crashed\n", name); continue; }
            cJSON_AddStringToObject(c, "name", name);
            cJSON_AddStringToObject(c, "file", files[i]);
            cJSON_AddNumberToObject(c, "resolution", res);
            cJSON_AddItemToArray(cases, c);
            cJSON *err = cJSON_GetObjectItem(c, "error");
            if (err) { printf("%-26s error: %s\n", name, err->valuestring); continue; }
            cJSON *st = cJSON_GetObjectItem(c, "stages");
#define MED(obj, key) (1e3 * cJSON_GetObjectItem(cJSON_GetObjectItem(obj, key), "median")->valuedouble)
            double shells = MED(st, "shells"), grid = MED(st, "grid");
            printf("%-26s %5d %6d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %8.1f\n", name,
                   cJSON_GetObjectItem(c, "reps")->valueint, (int)cJSON_GetObjectItem(c, "atoms")->valuedouble,
                   MED(st, "load"), shells, grid, MED(st, "buried") + MED(st, "components"), MED(st, "classify"),
                   MED(st, "metrics"), MED(c, "total"), cJSON_GetObjectItem(c, "peak_rss_kb")->valuedouble / 1024.0);
            fflush(stdout);
          }
        }
    }
    int rc = vox_bench_write_json(root, out);
    cJSON_Delete(root);
    for (size_t i = 0; i < nfiles; i++) free(files[i]);
    free(files);
    return rc;
}

int vox_bench_write_json(const cJSON *root, const char *path)
{
    if (!path)
        return 0;
    char *txt = cJSON_Print(root);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(txt, f) >= 0;
    if (f && fclose(f) != 0) ok = 0;
    free(txt);
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "vox-bench: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        return 1;
    }
    printf("results written to %s\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "case") && argc == 5)
        return run_case(argv[2], atof(argv[3]), atof(argv[4]));
    if (argc >= 2 && !strcmp(argv[1], "kernels"))
        return vox_bench_kernels(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "run")) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) return 1;
        self[n] = '\0';
        return cmd_run(argc - 2, argv + 2, self);
    }
    fprintf(stderr, "usage: vox-bench run [--quick] [-o FILE] [--data DIR] [--synthetic DIR]\n"
                    "                     [--resolutions 3.0,2.0] [--isa LIST] [--budget SECONDS] [--filter TEXT]\n"
                    "       vox-bench kernels [--quick] [-o FILE]\n");
    return 2;
}
