/* vox_bench.c - `vox-bench`: reproducible benchmarks of vox, and a regression gate
 *
 *   vox-bench run [--quick] [-o FILE] [--data DIR] [--synthetic DIR] [--resolutions LIST]
 *                 [--isa LIST] [--budget SECONDS] [--filter TEXT] [--gate-set] [--callgrind]
 *                 [--no-kernels]
 *   vox-bench compare BASE NEW [--gate] [--force] [--threshold PCT] [--tolerance PCT] [--confirm N]
 *   vox-bench kernels [--quick] [-o FILE]            (kernels.c)
 *   vox-bench threads [--quick] [--max-threads N] ... (threads.c)
 *   vox-bench startup [--vox PATH]... [--rounds N] [-o FILE] (startup.c)
 *
 * A structure case runs the whole per-structure job of `vox analyze` (read,
 * parse, clean, align, analyse, render the outputs) in a fresh process, so
 * its peak RSS is its own: one warm-up, then repetitions until the time
 * budget is spent (at least 3), every repetition checked to give the same
 * output checksum.  Kernel micro-cases time one kernel on a synthetic grid.
 * A reference workload timed in the same run turns every case into a ratio
 * that survives a slower or busier machine.  With --callgrind each case runs
 * once under valgrind and records the instructions executed in vox's own
 * code (libc and the kernel excluded): a count that is exactly repeatable,
 * which is what the CI gate compares.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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
#define SCHEMA 1

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

static double median_of(const cJSON *o) { return cJSON_GetObjectItem(o, "median")->valuedouble; }

/* ---- child processes: one case each --------------------------------------- */

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
        *sum = vox_bench_fnv1a(vox_bench_fnv1a(VOX_FNV_OFFSET, df, dl), cif, cl);
    }
    vox_free(df);
    vox_free(cif);
    vox_result_free(&r);
    vox_structure_free(&s);
    return ok;
}

static void print_json(cJSON *o)
{
    char *txt = cJSON_PrintUnformatted(o);
    printf("%s\n", txt);
    free(txt);
    cJSON_Delete(o);
}

/* `vox-bench case FILE RES BUDGET` (BUDGET "once": one repetition, no warm-up). */
static int run_case(const char *path, double res, const char *budget_arg)
{
    vox_ctx *ctx;
    if (vox_ctx_create(&ctx, NULL) != VOX_OK)
        return 1;
    int once = !strcmp(budget_arg, "once");
    double budget = once ? 0 : atof(budget_arg);
    static double stage[VOX_STAGE_COUNT][MAX_REPS], total[MAX_REPS], render[MAX_REPS];
    vox_stats st;
    double t;
    uint64_t sum = 0, first = 0;
    int n = 0;
    if (!once && !one_rep(ctx, path, res, &st, &t, &first)) { /* warm-up */
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "error", vox_ctx_last_error_detail(ctx));
        print_json(e);
        vox_ctx_destroy(&ctx);
        return 0;
    }
    double start = now();
    while (n < MAX_REPS && (once ? n < 1 : (n < 3 || now() - start < budget))) {
        int ok = one_rep(ctx, path, res, &st, &total[n], &sum);
        if (ok && once)
            first = sum;
        if (!ok || sum != first) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "error", ok ? "a repetition gave a different result" : vox_ctx_last_error_detail(ctx));
            print_json(e);
            vox_ctx_destroy(&ctx);
            return 0;
        }
        double staged = 0;
        for (int k = 0; k < VOX_STAGE_COUNT; k++) {
            stage[k][n] = st.seconds[k];
            staged += st.seconds[k];
        }
        render[n] = total[n] - staged;
        n++;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "isa", vox_ctx_isa(ctx));
    cJSON_AddNumberToObject(o, "reps", n);
    cJSON *stages = cJSON_AddObjectToObject(o, "stages");
    for (int k = 0; k < VOX_STAGE_COUNT; k++)
        cJSON_AddItemToObject(stages, vox_stage_name((vox_stage)k), summary(stage[k], n));
    cJSON_AddItemToObject(stages, "render", summary(render, n));
    cJSON *tot = summary(total, n);
    double med = median_of(tot);
    cJSON_AddItemToObject(o, "total", tot);
    cJSON *work = cJSON_AddObjectToObject(o, "work");
    cJSON_AddNumberToObject(work, "atoms", (double)st.atoms);
    cJSON_AddNumberToObject(work, "points", (double)st.points);
    cJSON_AddNumberToObject(work, "voxels", (double)st.voxels);
    cJSON *wps = cJSON_AddObjectToObject(o, "work_per_second");
    cJSON_AddNumberToObject(wps, "atoms", (double)st.atoms / med);
    cJSON_AddNumberToObject(wps, "points", (double)st.points / med);
    cJSON_AddNumberToObject(wps, "voxels", (double)st.voxels / med);
    cJSON *dims = cJSON_AddArrayToObject(o, "grid");
    for (int a = 0; a < 3; a++) cJSON_AddItemToArray(dims, cJSON_CreateNumber(st.dims[a]));
    char hex[20];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)first);
    cJSON_AddStringToObject(o, "checksum", hex);
    print_json(o);
    vox_ctx_destroy(&ctx);
    return 0;
}

/* `vox-bench kernel-case NAME BUDGET`. */
static int run_kernel_case(const char *name, const char *budget_arg)
{
    int reps = !strcmp(budget_arg, "once") ? 1 : 15;
    double secs[64], units = 0;
    if (!vox_bench_kernel_case(name, reps, secs, &units)) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "error", "unknown kernel case");
        print_json(e);
        return 0;
    }
    cJSON *o = cJSON_CreateObject();
    vox_ctx *ctx;
    if (vox_ctx_create(&ctx, NULL) == VOX_OK) {
        cJSON_AddStringToObject(o, "isa", vox_ctx_isa(ctx));
        vox_ctx_destroy(&ctx);
    }
    cJSON_AddNumberToObject(o, "reps", reps);
    cJSON *tot = summary(secs, reps);
    double med = median_of(tot);
    cJSON_AddItemToObject(o, "total", tot);
    cJSON *wps = cJSON_AddObjectToObject(o, "work_per_second");
    cJSON_AddNumberToObject(wps, "units", units / med);
    print_json(o);
    return 0;
}

/* Instructions executed in the objects of our own binary (self cost only),
 * from a callgrind output written with --compress-strings=no --compress-pos=no. */
static double callgrind_own_instructions(const char *out_file, const char *self)
{
    FILE *f = fopen(out_file, "r");
    if (!f)
        return -1;
    char line[8192];
    int ours = 0, skip_next = 0;
    double sum = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "ob=", 3)) {
            line[strcspn(line, "\n")] = '\0';
            ours = !strcmp(line + 3, self);
        } else if (!strncmp(line, "calls=", 6)) {
            skip_next = 1; /* the next cost line is the call's inclusive cost */
        } else if ((line[0] >= '0' && line[0] <= '9') || line[0] == '+' || line[0] == '-') {
            if (skip_next) {
                skip_next = 0;
                continue;
            }
            if (ours) {
                char *sp = strchr(line, ' ');
                if (sp) sum += strtod(sp + 1, NULL);
            }
        }
    }
    fclose(f);
    return sum;
}

cJSON *vox_bench_spawn(const char *self, const char *kind, const char *a1, const char *a2, const char *budget,
                       const char *isa, int callgrind)
{
    int fd[2];
    if (pipe(fd) != 0)
        return NULL;
    char cg_out[64];
    snprintf(cg_out, sizeof cg_out, "/tmp/vox-bench-cg.%ld", (long)getpid());
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        if (isa)
            setenv("VOX_ISA", isa, 1);
        if (callgrind) {
            /* hwloc's x86 backend executes CPUID, which valgrind does not
             * emulate: leave it out (the Linux backend still gives the topology) */
            setenv("HWLOC_COMPONENTS", "-x86", 1);
            char outarg[96];
            snprintf(outarg, sizeof outarg, "--callgrind-out-file=%s", cg_out);
            if (a2)
                execlp("valgrind", "valgrind", "-q", "--tool=callgrind", outarg, "--compress-strings=no",
                       "--compress-pos=no", self, kind, a1, a2, budget, (char *)NULL);
            else
                execlp("valgrind", "valgrind", "-q", "--tool=callgrind", outarg, "--compress-strings=no",
                       "--compress-pos=no", self, kind, a1, budget, (char *)NULL);
        } else if (a2) {
            execl(self, self, kind, a1, a2, budget, (char *)NULL);
        } else {
            execl(self, self, kind, a1, budget, (char *)NULL);
        }
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
    if (!o) {
        if (callgrind && WIFEXITED(status) && WEXITSTATUS(status) == 127)
            fprintf(stderr, "vox-bench: valgrind not found (apt-get install valgrind)\n");
        return NULL;
    }
    if (callgrind) {
        double ir = callgrind_own_instructions(cg_out, self);
        unlink(cg_out);
        if (ir >= 0)
            cJSON_AddNumberToObject(o, "instructions", ir);
    } else {
        cJSON_AddNumberToObject(o, "peak_rss_kb", (double)ru.ru_maxrss);
    }
    return o;
}

/* ---- the reference workload ----------------------------------------------- */

/* A fixed mix of arithmetic and memory traffic; every case's median is also
 * reported as a multiple of its time, measured in the same run. */
static double reference_seconds(void)
{
    size_t n = (size_t)8 << 20;
    uint32_t *a = malloc(n * sizeof *a);
    if (!a)
        return 0;
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        uint32_t x = 12345;
        for (size_t i = 0; i < n; i++) {
            x = x * 1664525u + 1013904223u;
            a[i] = x ^ (x >> 13);
        }
        uint64_t s = 0;
        for (size_t i = 0; i < n; i += 7) s += a[(i * 2654435761u) % n];
        double t = now() - t0;
        if (t < best) best = t;
        if (s == 42) fputc(' ', stderr); /* keeps the loop */
    }
    free(a);
    return best;
}

/* ---- run ------------------------------------------------------------------ */

static int add_dir(char ***files, size_t *n, const char *dir, const char *only)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || !(l > 4 && (!strcmp(e->d_name + l - 4, ".pdb") || !strcmp(e->d_name + l - 4, ".cif"))))
            continue;
        if (only && !strstr(e->d_name, only))
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

/* The cases the CI gate runs under callgrind: small, fast, and covering every stage. */
static const char *const gate_structures[] = {"pocket_box.pdb@2.0", "pore_box.pdb@3.0", "1aki.pdb@2.0",
                                              "4jpn.pdb@2.0", "3o5r.pdb@1.0", NULL};

static int in_gate_set(const char *name)
{
    for (int i = 0; gate_structures[i]; i++)
        if (!strcmp(gate_structures[i], name)) return 1;
    return 0;
}

static void print_row(const cJSON *c)
{
    const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
    const cJSON *err = cJSON_GetObjectItem(c, "error");
    if (err) {
        printf("%-30s error: %s\n", name, err->valuestring);
        return;
    }
    const cJSON *ir = cJSON_GetObjectItem(c, "instructions");
    const cJSON *rss = cJSON_GetObjectItem(c, "peak_rss_kb");
    double ms = 1e3 * median_of(cJSON_GetObjectItem(c, "total"));
    printf("%-30s %6d %10.3f", name, cJSON_GetObjectItem(c, "reps")->valueint, ms);
    if (rss) printf(" %8.1f", rss->valuedouble / 1024.0);
    else printf(" %8s", "-");
    if (ir) printf(" %14.0f", ir->valuedouble);
    const cJSON *st = cJSON_GetObjectItem(c, "stages");
    if (st) {
        printf("  ");
        for (const cJSON *s = st->child; s; s = s->next)
            printf(" %s=%.3f", s->string, 1e3 * median_of(s));
    }
    printf("\n");
    fflush(stdout);
}

static void add_case(cJSON *cases, cJSON *c, const char *name, double ref)
{
    cJSON_AddStringToObject(c, "name", name);
    const cJSON *tot = cJSON_GetObjectItem(c, "total");
    if (tot && ref > 0)
        cJSON_AddNumberToObject(c, "ref_ratio", median_of(tot) / ref);
    cJSON_AddItemToArray(cases, c);
    print_row(c);
}

static int cmd_run(int argc, char **argv, const char *self)
{
    const char *out = NULL, *data = "../shared/data", *synthetic = NULL, *filter = NULL;
    char resolutions[128] = "3.0,2.0,1.0", isas[128] = "";
    double budget = 0.5;
    int quick = 0, gate = 0, callgrind = 0, kernels = 1, res_given = 0;
    const char *threads = "1", *profile = "";
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = argv[++i];
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc) profile = argv[++i];
        else if (!strcmp(argv[i], "--gate-set")) gate = 1;
        else if (!strcmp(argv[i], "--callgrind")) callgrind = 1;
        else if (!strcmp(argv[i], "--no-kernels")) kernels = 0;
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--synthetic") && i + 1 < argc) synthetic = argv[++i];
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
        else if (!strcmp(argv[i], "--budget") && i + 1 < argc) budget = atof(argv[++i]);
        else if (!strcmp(argv[i], "--resolutions") && i + 1 < argc) {
            snprintf(resolutions, sizeof resolutions, "%s", argv[++i]);
            res_given = 1;
        } else if (!strcmp(argv[i], "--isa") && i + 1 < argc) snprintf(isas, sizeof isas, "%s", argv[++i]);
        else {
            fprintf(stderr, "vox-bench run: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    /* Every case (each in its own process) runs with these: one thread and
     * no profile by default, so runs on different machines and the CI gate's
     * instruction counts compare like with like (`vox-bench threads` measures
     * scaling and profiles). */
    setenv("VOX_THREADS", threads, 1);
    setenv("VOX_PROFILE", profile, 1);
    if (quick) {
        budget = 0.05;
        if (!res_given) snprintf(resolutions, sizeof resolutions, "3.0,2.0");
    }
    char **files = NULL;
    size_t nfiles = 0;
    char sdir[PATH_MAX];
    snprintf(sdir, sizeof sdir, "%s/structures", data);
    if (!add_dir(&files, &nfiles, sdir, NULL))
        fprintf(stderr, "vox-bench: %s not found: real structures skipped\n", sdir);
    if (synthetic)
        add_dir(&files, &nfiles, synthetic, "_box");
    qsort(files, nfiles, sizeof *files, cmp_str);

    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema", SCHEMA);
    cJSON_AddStringToObject(root, "tool", "vox-bench");
    vox_bench_machine(root);
    vox_bench_build(root);
    vox_ctx *ctx;
    if (vox_ctx_create(&ctx, NULL) == VOX_OK) {
        cJSON_AddStringToObject(root, "isa", vox_ctx_isa(ctx));
        cJSON_AddStringToObject(root, "describe", vox_ctx_describe(ctx));
        vox_ctx_destroy(&ctx);
    }
    if (vox_ctx_create(&ctx, NULL) == VOX_OK) {
        cJSON *prof = cJSON_AddObjectToObject(root, "profile");
        cJSON_AddStringToObject(prof, "path", vox_ctx_profile_path(ctx));
        cJSON_AddStringToObject(prof, "status", vox_profile_status_name(vox_ctx_profile_status(ctx)));
        cJSON *thr = cJSON_AddObjectToObject(root, "threads");
        cJSON_AddNumberToObject(thr, "count", vox_ctx_threads(ctx));
        char *js = vox_ctx_settings_json(ctx);
        cJSON *set = js ? cJSON_Parse(js) : NULL;
        cJSON *b = cJSON_GetObjectItem(set, "binding");
        cJSON_AddStringToObject(thr, "binding", cJSON_IsString(b) ? b->valuestring : "?");
        cJSON_Delete(set);
        vox_free(js);
        vox_ctx_destroy(&ctx);
    }
    cJSON_AddStringToObject(root, "mode", callgrind ? "callgrind" : "time");
    double ref = reference_seconds();
    cJSON_AddNumberToObject(root, "reference_seconds", ref);
    cJSON *cases = cJSON_AddArrayToObject(root, "cases");
    char budget_s[32];
    if (callgrind) snprintf(budget_s, sizeof budget_s, "once");
    else snprintf(budget_s, sizeof budget_s, "%.17g", budget);
    printf("%-30s %6s %10s %8s %14s   stages (median ms)\n", "case", "reps", "total(ms)", "rss(MB)",
           callgrind ? "instructions" : "");

    for (size_t i = 0; i < nfiles; i++) {
        const char *base = strrchr(files[i], '/') + 1;
        if (filter && !strstr(base, filter)) continue;
        char rl[128];
        snprintf(rl, sizeof rl, "%s", resolutions);
        for (char *save, *t = strtok_r(rl, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            double res = atof(t);
            char plain[512];
            snprintf(plain, sizeof plain, "%s@%.1f", base, res);
            if (gate && !in_gate_set(plain)) continue;
            char il[128];
            snprintf(il, sizeof il, "%s", isas[0] ? isas : "-");
            for (char *save2, *isa = strtok_r(il, ",", &save2); isa; isa = strtok_r(NULL, ",", &save2)) {
                int default_isa = !strcmp(isa, "-");
                char rs[32], name[600];
                snprintf(rs, sizeof rs, "%.17g", res);
                snprintf(name, sizeof name, "%s%s%s", plain, default_isa ? "" : "/", default_isa ? "" : isa);
                cJSON *c = vox_bench_spawn(self, "case", files[i], rs, budget_s, default_isa ? NULL : isa, callgrind);
                if (!c) {
                    fprintf(stderr, "vox-bench: case %s failed to run\n", name);
                    continue;
                }
                cJSON_AddStringToObject(c, "kind", "structure");
                cJSON_AddStringToObject(c, "file", files[i]);
                cJSON_AddNumberToObject(c, "resolution", res);
                add_case(cases, c, name, ref);
            }
        }
    }
    if (kernels) {
        for (int k = 0; vox_bench_kernel_cases[k]; k++) {
            if (filter && !strstr(vox_bench_kernel_cases[k], filter)) continue;
            char name[128];
            snprintf(name, sizeof name, "kernel:%s", vox_bench_kernel_cases[k]);
            cJSON *c = vox_bench_spawn(self, "kernel-case", vox_bench_kernel_cases[k], NULL, budget_s, NULL, callgrind);
            if (!c) continue;
            cJSON_AddStringToObject(c, "kind", "kernel");
            add_case(cases, c, name, ref);
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
    char tmp[PATH_MAX];
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

static void usage(void)
{
    fprintf(stderr,
            "usage: vox-bench run [--quick] [-o FILE] [--data DIR] [--synthetic DIR] [--resolutions 3.0,2.0,1.0]\n"
            "                     [--isa scalar,avx2,...] [--budget SECONDS] [--filter TEXT] [--gate-set]\n"
            "                     [--callgrind] [--no-kernels] [--threads N (1)] [--profile PATH (none)]\n"
            "       vox-bench compare BASE.json NEW.json [--gate] [--force] [--threshold PCT] [--tolerance PCT]\n"
            "                     [--confirm N]\n"
            "       vox-bench kernels [--quick] [-o FILE]\n"
            "       vox-bench threads [--quick] [--max-threads N] [--side N] [--profile PATH] [-o FILE]\n"
            "       vox-bench startup [--vox PATH]... [--data DIR] [--rounds N] [--no-batch] [-o FILE]\n");
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "case"))
        return run_case(argv[2], atof(argv[3]), argv[4]);
    if (argc == 4 && !strcmp(argv[1], "kernel-case"))
        return run_kernel_case(argv[2], argv[3]);
    if (argc == 2 && !strcmp(argv[1], "ctx-case"))
        return vox_bench_ctx_case();
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return cmd_run(argc - 2, argv + 2, self);
    if (argc >= 2 && !strcmp(argv[1], "compare"))
        return vox_bench_compare(argc - 2, argv + 2, self);
    if (argc >= 2 && !strcmp(argv[1], "kernels"))
        return vox_bench_kernels(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "threads"))
        return vox_bench_threads(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "startup"))
        return vox_bench_startup(argc - 2, argv + 2, self);
    usage();
    return 2;
}
