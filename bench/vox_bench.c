/* vox_bench.c - `vox-bench`: reproducible benchmarks of vox, and a regression gate
 *
 *   vox-bench run [--quick] [-o FILE] [--data DIR] [--synthetic DIR] [--resolutions LIST]
 *                 [--cases FILE|DIR | --gate-set] [--callgrind] [--callgrind-dir DIR]
 *                 [--isa LIST] [--budget SECONDS] [--filter TEXT] [--no-kernels]
 *   vox-bench compare BASE NEW [--gate] [--force] [--allow-missing] [--threshold PCT] ... (compare.c)
 *   vox-bench kernels [--quick] [-o FILE]            (kernels.c)
 *   vox-bench threads [--quick] [--max-threads N] ... (threads.c)
 *   vox-bench startup [--vox PATH]... [--rounds N] [-o FILE] (startup.c)
 *   vox-bench exports [FILE] [--resolution A] ...     (exports.c)
 *   vox-bench parse [FILE]... [--lib PATH]... ...      (parse.c)
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
#include <ctype.h>
#include <dirent.h>
#include <getopt.h>
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
    vox_stats st = {.size = sizeof st};
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

/* The self cost (instructions) of every function of our own binary, from a
 * callgrind output written with --compress-strings=no --compress-pos=no:
 * the total goes to *total and, when functions is not NULL, each function's
 * share to functions[name].  0 when the file cannot be read. */
static int callgrind_costs(const char *out_file, const char *self, double *total, cJSON *functions)
{
    FILE *f = fopen(out_file, "r");
    if (!f)
        return 0;
    char line[8192], fn[1024] = "";
    int ours = 0, skip_next = 0;
    double sum = 0, fn_sum = 0;
    /* costs of the current function are summed in fn_sum and flushed into
     * the map when the function changes (a function's records may come in
     * several blocks: add to what is there) */
#define FLUSH()                                                                      \
    do {                                                                             \
        if (functions && fn[0] && fn_sum > 0) {                                      \
            cJSON *prev = cJSON_GetObjectItemCaseSensitive(functions, fn);                       \
            if (prev) cJSON_SetNumberValue(prev, prev->valuedouble + fn_sum);        \
            else cJSON_AddNumberToObject(functions, fn, fn_sum);                     \
        }                                                                            \
        fn_sum = 0;                                                                  \
    } while (0)
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "ob=", 3)) {
            line[strcspn(line, "\n")] = '\0';
            ours = !strcmp(line + 3, self);
        } else if (!strncmp(line, "fn=", 3)) {
            FLUSH();
            size_t len = strcspn(line + 3, "\n");
            if (len >= sizeof fn) len = sizeof fn - 1; /* C++ names can be long: a prefix is enough */
            memcpy(fn, line + 3, len);
            fn[len] = '\0';
        } else if (!strncmp(line, "calls=", 6)) {
            skip_next = 1; /* the next cost line is the call's inclusive cost */
        } else if ((line[0] >= '0' && line[0] <= '9') || line[0] == '+' || line[0] == '-' || line[0] == '*') {
            if (skip_next) {
                skip_next = 0;
                continue;
            }
            if (ours) {
                char *sp = strchr(line, ' ');
                if (sp) {
                    double c = strtod(sp + 1, NULL);
                    sum += c;
                    fn_sum += c;
                }
            }
        }
    }
    FLUSH();
#undef FLUSH
    fclose(f);
    *total = sum;
    return 1;
}

cJSON *vox_bench_spawn(const char *self, const char *kind, const char *a1, const char *a2, const char *budget,
                       const char *isa, int callgrind, const char *keep_callgrind)
{
    int fd[2];
    if (pipe(fd) != 0)
        return NULL;
    char cg_tmp[64];
    snprintf(cg_tmp, sizeof cg_tmp, "/tmp/vox-bench-cg.%ld", (long)getpid());
    const char *cg_out = keep_callgrind ? keep_callgrind : cg_tmp;
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
            char outarg[PATH_MAX + 32];
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
        if (callgrind && !keep_callgrind)
            unlink(cg_tmp);
        return NULL;
    }
    if (callgrind) {
        double ir;
        cJSON *fns = cJSON_CreateObject();
        if (callgrind_costs(cg_out, self, &ir, fns)) {
            cJSON_AddNumberToObject(o, "instructions", ir);
            cJSON_AddItemToObject(o, "functions", fns);
        } else {
            cJSON_Delete(fns);
        }
        if (!keep_callgrind)
            unlink(cg_tmp);
    } else {
        cJSON_AddNumberToObject(o, "peak_rss_kb", (double)ru.ru_maxrss);
    }
    return o;
}

/* ---- the reference workload ----------------------------------------------- */

/* A fixed mix of arithmetic and memory traffic; every case's median is also
 * reported as a multiple of its time, measured in the same run. */
double vox_bench_reference_seconds(void)
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

/* ---- which cases run ------------------------------------------------------ */

/* A structure case: a file at one resolution (named "<file name>@<res>"). */
typedef struct structure_case {
    char *path;
    double res;
    char name[300];
} structure_case;

typedef struct selection {
    structure_case *s;
    size_t n, cap;
    unsigned char kernel[16]; /* 1: vox_bench_kernel_cases[i] runs */
    char source[PATH_MAX + 32];
    int errors;               /* missing files, bad lines: the run refuses to start */
} selection;

static int is_structure_name(const char *name)
{
    static const char *const ext[] = {".pdb", ".cif", ".ent", ".mmcif", ".pdb.gz", ".cif.gz", ".ent.gz", ".mmcif.gz", NULL};
    size_t l = strlen(name);
    for (int i = 0; ext[i]; i++) {
        size_t e = strlen(ext[i]);
        if (l > e && !strcmp(name + l - e, ext[i]))
            return 1;
    }
    return 0;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void add_structure(selection *sel, const char *path, double res)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char name[300];
    /* one decimal (the names every baseline has: 2.0, 1.5), or as many as tell this resolution from
     * every other: 1.26 and 1.3 were both "@1.3", one case measured and the other dropped, and a
     * list changed from 2.0 to 2.04 compared the two as one case */
    char r[40];
    snprintf(r, sizeof r, "%.1f", res);
    for (int digits = 2; strtod(r, NULL) != res && digits <= 17; digits++) snprintf(r, sizeof r, "%.*g", digits, res);
    snprintf(name, sizeof name, "%s@%s", base, r);
    for (size_t i = 0; i < sel->n; i++)
        if (!strcmp(sel->s[i].name, name)) {
            if (strcmp(sel->s[i].path, path) != 0) {
                fprintf(stderr, "vox-bench run: two cases would be named %s (%s and %s): rename one file\n", name,
                        sel->s[i].path, path);
                sel->errors++;
            }
            return; /* listed twice: once is enough */
        }
    if (sel->n == sel->cap) {
        sel->cap = sel->cap ? 2 * sel->cap : 16;
        sel->s = realloc(sel->s, sel->cap * sizeof *sel->s);
    }
    structure_case *c = &sel->s[sel->n++];
    c->path = strdup(path);
    c->res = res;
    snprintf(c->name, sizeof c->name, "%s", name);
}

static void free_selection(selection *sel)
{
    for (size_t i = 0; i < sel->n; i++) free(sel->s[i].path);
    free(sel->s);
}

static int parse_resolutions(const char *list, double *res, int max)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    int n = 0;
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *end;
        double v = strtod(t, &end);
        if (end == t || *end || !(v > 0) || !isfinite(v) || n == max)
            return 0;
        res[n++] = v;
    }
    return n;
}

static int kernel_index(const char *name)
{
    for (int k = 0; vox_bench_kernel_cases[k]; k++)
        if (!strcmp(vox_bench_kernel_cases[k], name))
            return k;
    return -1;
}

/* Where a structure named in a list is: as given (relative to the list's
 * folder), else in DATA/structures, else in the synthetic folder. */
static int find_structure(const char *name, const char *list_dir, const char *data, const char *synthetic,
                          char *out, size_t cap)
{
    if (name[0] == '/') {
        snprintf(out, cap, "%s", name);
        return is_file(out);
    }
    if (list_dir) {
        snprintf(out, cap, "%s/%s", list_dir, name);
        if (is_file(out)) return 1;
    }
    snprintf(out, cap, "%s/structures/%s", data, name);
    if (is_file(out)) return 1;
    if (synthetic) {
        snprintf(out, cap, "%s/%s", synthetic, name);
        if (is_file(out)) return 1;
    }
    return 0;
}

static int add_dir(char ***files, size_t *n, const char *dir, const char *only)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !is_structure_name(e->d_name))
            continue;
        if (only && !strstr(e->d_name, only))
            continue;
        char *p = malloc(strlen(dir) + strlen(e->d_name) + 2);
        sprintf(p, "%s/%s", dir, e->d_name);
        if (!is_file(p)) {
            free(p);
            continue;
        }
        *files = realloc(*files, (*n + 1) * sizeof **files);
        (*files)[(*n)++] = p;
    }
    closedir(d);
    return 1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every structure file of dir (sorted) at each resolution. */
static int select_dir(selection *sel, const char *dir, const char *only, const double *res, int nres)
{
    char **files = NULL;
    size_t n = 0;
    if (!add_dir(&files, &n, dir, only))
        return 0;
    qsort(files, n, sizeof *files, cmp_str);
    for (size_t i = 0; i < n; i++) {
        for (int r = 0; r < nres; r++) add_structure(sel, files[i], res[r]);
        free(files[i]);
    }
    free(files);
    return 1;
}

/* A list of cases, one a line ('#' starts a comment):
 *   FILE@RES[,RES...]   a structure at these resolutions
 *   FILE                a structure at every --resolutions value
 *   kernel:NAME         a kernel micro-case (kernel:all for every one)
 * FILE is absolute, relative to the list's folder, or a name in
 * DATA/structures or the --synthetic folder. */
static void select_list(selection *sel, const char *list, const char *data, const char *synthetic,
                        const double *res, int nres)
{
    FILE *f = fopen(list, "r");
    if (!f) {
        fprintf(stderr, "vox-bench run: --cases %s: %s\n", list, strerror(errno));
        sel->errors++;
        return;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", list);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    char line[PATH_MAX + 64];
    for (int no = 1; fgets(line, sizeof line, f); no++) {
        line[strcspn(line, "#\r\n")] = '\0';
        char *p = line, *e;
        while (*p == ' ' || *p == '\t') p++;
        for (e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t'); e--) {}
        *e = '\0';
        if (!*p)
            continue;
        if (!strncmp(p, "kernel:", 7)) {
            int k = kernel_index(p + 7);
            if (!strcmp(p + 7, "all")) {
                for (int i = 0; vox_bench_kernel_cases[i]; i++) sel->kernel[i] = 1;
            } else if (k >= 0) {
                sel->kernel[k] = 1;
            } else {
                fprintf(stderr, "vox-bench run: %s:%d: unknown kernel case '%s' (known: all", list, no, p + 7);
                for (int i = 0; vox_bench_kernel_cases[i]; i++) fprintf(stderr, ", %s", vox_bench_kernel_cases[i]);
                fprintf(stderr, ")\n");
                sel->errors++;
            }
            continue;
        }
        double own[16];
        int nown = 0;
        char *at = strrchr(p, '@');
        if (at) {
            nown = parse_resolutions(at + 1, own, 16);
            if (!nown) {
                fprintf(stderr, "vox-bench run: %s:%d: '%s': expected FILE@RES[,RES...] with resolutions in A\n", list,
                        no, p);
                sel->errors++;
                continue;
            }
            *at = '\0';
        }
        char path[PATH_MAX];
        if (!find_structure(p, dir, data, synthetic, path, sizeof path)) {
            fprintf(stderr, "vox-bench run: %s:%d: structure '%s' not found (as given, in %s, in %s/structures%s%s)\n",
                    list, no, p, dir, data, synthetic ? ", in " : "", synthetic ? synthetic : "");
            sel->errors++;
            continue;
        }
        for (int r = 0; r < (nown ? nown : nres); r++) add_structure(sel, path, nown ? own[r] : res[r]);
    }
    fclose(f);
}

/* vox's own gate set: small, fast, and covering every stage; it needs
 * ../shared/data and the generated structures (--synthetic). */
static const char *const gate_structures[] = {"pocket_box.pdb@2.0", "pore_box.pdb@3.0", "1aki.pdb@2.0",
                                              "4jpn.pdb@2.0", "3o5r.pdb@1.0", NULL};

static void select_gate_set(selection *sel, const char *data, const char *synthetic)
{
    for (int i = 0; gate_structures[i]; i++) {
        char name[128], path[PATH_MAX];
        snprintf(name, sizeof name, "%s", gate_structures[i]);
        char *at = strrchr(name, '@');
        *at = '\0';
        if (!find_structure(name, NULL, data, synthetic, path, sizeof path)) {
            fprintf(stderr, "vox-bench run: --gate-set: %s not found in %s/structures%s%s\n", name, data,
                    synthetic ? " or " : "", synthetic ? synthetic : " (and no --synthetic folder given)");
            sel->errors++;
            continue;
        }
        add_structure(sel, path, atof(at + 1));
    }
    for (int k = 0; vox_bench_kernel_cases[k]; k++) sel->kernel[k] = 1;
    if (sel->errors)
        fprintf(stderr, "vox-bench run: --gate-set is vox's own set (vox's test structures and ../shared/data); "
                        "to gate your structures, list them with --cases FILE or --cases DIR\n");
}

/* ---- run ------------------------------------------------------------------ */

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

/* Where the callgrind output of a case is kept: DIR/<case name, safe>.callgrind. */
static void callgrind_file(char *out, size_t cap, const char *dir, const char *name)
{
    char safe[320];
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < sizeof safe; p++)
        safe[k++] = (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_') ? *p : '_';
    safe[k] = '\0';
    snprintf(out, cap, "%s/%s.callgrind", dir, safe);
}

static const char run_usage[] =
    "usage: vox-bench run [--quick] [-o FILE] [--data DIR] [--synthetic DIR] [--resolutions 3.0,2.0,1.0]\n"
    "                     [--cases FILE|DIR | --gate-set] [--callgrind] [--callgrind-dir DIR]\n"
    "                     [--isa scalar,avx2,...] [--budget SECONDS] [--filter TEXT] [--no-kernels]\n"
    "                     [--threads N (1)] [--profile PATH (none)]\n";

static int cmd_run(int argc, char **argv, const char *self)
{
    const char *out = NULL, *data = "../shared/data", *synthetic = NULL, *filter = NULL, *cases_path = NULL;
    const char *cg_dir_arg = NULL;
    char resolutions[128] = "3.0,2.0,1.0", isas[128] = "";
    double budget = 0.5;
    int quick = 0, gate = 0, callgrind = 0, kernels = 1, res_given = 0;
    const char *threads = "1", *profile = "";
    enum { O_QUICK = 256, O_THREADS, O_PROFILE, O_GATE, O_CASES, O_CG, O_CGDIR, O_NOK, O_DATA, O_SYN, O_FILTER,
           O_BUDGET, O_RES, O_ISA };
    static const struct option opts[] = {
        {"quick", no_argument, 0, O_QUICK},          {"threads", required_argument, 0, O_THREADS},
        {"profile", required_argument, 0, O_PROFILE}, {"gate-set", no_argument, 0, O_GATE},
        {"cases", required_argument, 0, O_CASES},    {"callgrind", no_argument, 0, O_CG},
        {"callgrind-dir", required_argument, 0, O_CGDIR}, {"no-kernels", no_argument, 0, O_NOK},
        {"output", required_argument, 0, 'o'},       {"data", required_argument, 0, O_DATA},
        {"synthetic", required_argument, 0, O_SYN},  {"filter", required_argument, 0, O_FILTER},
        {"budget", required_argument, 0, O_BUDGET},  {"resolutions", required_argument, 0, O_RES},
        {"isa", required_argument, 0, O_ISA},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int ch, nthreads;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (ch) {
        case O_QUICK: quick = 1; break;
        case O_THREADS:
            if (!vox_bench_opt_int("run", "threads", optarg, 1, 4096, &nthreads)) return 2;
            threads = optarg;
            break;
        case O_PROFILE: profile = optarg; break;
        case O_GATE: gate = 1; break;
        case O_CASES: cases_path = optarg; break;
        case O_CG: callgrind = 1; break;
        case O_CGDIR: cg_dir_arg = optarg; break;
        case O_NOK: kernels = 0; break;
        case 'o': out = optarg; break;
        case O_DATA: data = optarg; break;
        case O_SYN: synthetic = optarg; break;
        case O_FILTER: filter = optarg; break;
        case O_BUDGET:
            if (!vox_bench_opt_double("run", "budget", optarg, 0, &budget)) return 2;
            break;
        case O_RES: {
            double tmp[16];
            if (!parse_resolutions(optarg, tmp, 16)) {
                fprintf(stderr, "vox-bench run: --resolutions: expected positive numbers separated by commas, got '%s'\n",
                        optarg);
                return 2;
            }
            snprintf(resolutions, sizeof resolutions, "%s", optarg);
            res_given = 1;
            break;
        }
        case O_ISA: snprintf(isas, sizeof isas, "%s", optarg); break;
        case 'h': fputs(run_usage, stdout); return 0;
        default: return vox_bench_opt_error("run", ch, argv, run_usage);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vox-bench run: unexpected argument '%s'\n%s", argv[optind], run_usage);
        return 2;
    }
    if (gate && cases_path) {
        fprintf(stderr, "vox-bench run: --gate-set and --cases both choose the cases: give one\n");
        return 2;
    }
    if (cg_dir_arg && !callgrind) {
        fprintf(stderr, "vox-bench run: --callgrind-dir needs --callgrind\n");
        return 2;
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
    double res[16];
    int nres = parse_resolutions(resolutions, res, 16);

    selection sel;
    memset(&sel, 0, sizeof sel);
    char sdir[PATH_MAX];
    snprintf(sdir, sizeof sdir, "%s/structures", data);
    struct stat st;
    if (gate) {
        snprintf(sel.source, sizeof sel.source, "gate-set");
        select_gate_set(&sel, data, synthetic);
    } else if (cases_path && stat(cases_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(sel.source, sizeof sel.source, "dir:%s", cases_path);
        select_dir(&sel, cases_path, NULL, res, nres);
        if (sel.n == 0) {
            fprintf(stderr, "vox-bench run: --cases %s: no structure files (.pdb, .cif, .ent, optionally .gz)\n",
                    cases_path);
            sel.errors++;
        }
        if (kernels)
            for (int k = 0; vox_bench_kernel_cases[k]; k++) sel.kernel[k] = 1;
    } else if (cases_path) {
        snprintf(sel.source, sizeof sel.source, "list:%s", cases_path);
        select_list(&sel, cases_path, data, synthetic, res, nres);
        if (!kernels)
            memset(sel.kernel, 0, sizeof sel.kernel);
    } else {
        snprintf(sel.source, sizeof sel.source, "all");
        if (!select_dir(&sel, sdir, NULL, res, nres))
            fprintf(stderr, "vox-bench: %s not found: real structures skipped\n", sdir);
        if (synthetic)
            select_dir(&sel, synthetic, "_box", res, nres);
        if (kernels)
            for (int k = 0; vox_bench_kernel_cases[k]; k++) sel.kernel[k] = 1;
    }
    if (sel.errors) {
        fprintf(stderr, "vox-bench run: %d problem(s) with the cases: nothing was run\n", sel.errors);
        free_selection(&sel);
        return 2;
    }

    /* callgrind outputs are kept (for `compare` to point at a regressed
     * case's functions): in --callgrind-dir, else next to -o FILE */
    char cg_dir[PATH_MAX] = "", cg_rel[PATH_MAX] = "";
    if (callgrind && (cg_dir_arg || out)) {
        if (cg_dir_arg) {
            snprintf(cg_dir, sizeof cg_dir, "%s", cg_dir_arg);
        } else {
            snprintf(cg_dir, sizeof cg_dir, "%s", out);
            size_t l = strlen(cg_dir);
            if (l > 5 && !strcmp(cg_dir + l - 5, ".json")) cg_dir[l - 5] = '\0';
            strncat(cg_dir, ".callgrind", sizeof cg_dir - strlen(cg_dir) - 1);
            const char *b = strrchr(cg_dir, '/');
            snprintf(cg_rel, sizeof cg_rel, "%s", b ? b + 1 : cg_dir); /* relative to the JSON's folder */
        }
        if (mkdir(cg_dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "vox-bench run: cannot create %s: %s\n", cg_dir, strerror(errno));
            free_selection(&sel);
            return 1;
        }
    }

    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema", SCHEMA);
    cJSON_AddStringToObject(root, "tool", "vox-bench");
    vox_bench_machine(root);
    vox_bench_build(root);
    vox_ctx *ctx;
    if (vox_ctx_create(&ctx, NULL) == VOX_OK) {
        cJSON_AddStringToObject(root, "isa", vox_ctx_isa(ctx));
        cJSON_AddStringToObject(root, "describe", vox_ctx_describe(ctx));
        cJSON *prof = cJSON_AddObjectToObject(root, "profile");
        cJSON_AddStringToObject(prof, "path", vox_ctx_profile_path(ctx));
        cJSON_AddStringToObject(prof, "status", vox_profile_status_name(vox_ctx_profile_status(ctx)));
        const vox_profile_status ps = vox_ctx_profile_status(ctx);
        if (*profile && ps != VOX_PROFILE_EXACT && ps != VOX_PROFILE_PARTIAL) /* asked for, not used: say so */
            fprintf(stderr, "vox-bench run: --profile %s: %s (%s); the cases run with the defaults\n", profile,
                    vox_profile_status_name(ps), vox_ctx_profile_detail(ctx));
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
    cJSON_AddStringToObject(root, "cases_from", sel.source);
    double ref = vox_bench_reference_seconds();
    cJSON_AddNumberToObject(root, "reference_seconds", ref);
    cJSON *cases = cJSON_AddArrayToObject(root, "cases");
    char budget_s[32];
    if (callgrind) snprintf(budget_s, sizeof budget_s, "once");
    else snprintf(budget_s, sizeof budget_s, "%.17g", budget);
    printf("%-30s %6s %10s %8s %14s   stages (median ms)\n", "case", "reps", "total(ms)", "rss(MB)",
           callgrind ? "instructions" : "");

    int failed_to_run = 0;
    for (size_t i = 0; i < sel.n; i++) {
        const structure_case *sc = &sel.s[i];
        if (filter && !strstr(sc->name, filter)) continue;
        char il[128];
        snprintf(il, sizeof il, "%s", isas[0] ? isas : "-");
        for (char *save2, *isa = strtok_r(il, ",", &save2); isa; isa = strtok_r(NULL, ",", &save2)) {
            int default_isa = !strcmp(isa, "-");
            char rs[32], name[400], keep[PATH_MAX + 400];
            snprintf(rs, sizeof rs, "%.17g", sc->res);
            snprintf(name, sizeof name, "%s%s%s", sc->name, default_isa ? "" : "/", default_isa ? "" : isa);
            if (cg_dir[0]) callgrind_file(keep, sizeof keep, cg_dir, name);
            cJSON *c = vox_bench_spawn(self, "case", sc->path, rs, budget_s, default_isa ? NULL : isa, callgrind,
                                       cg_dir[0] ? keep : NULL);
            if (!c) {
                fprintf(stderr, "vox-bench: case %s failed to run\n", name);
                failed_to_run++;
                continue;
            }
            cJSON_AddStringToObject(c, "kind", "structure");
            cJSON_AddStringToObject(c, "file", sc->path);
            cJSON_AddNumberToObject(c, "resolution", sc->res);
            if (cg_dir[0]) {
                char kept[PATH_MAX + 400];
                callgrind_file(kept, sizeof kept, cg_rel[0] ? cg_rel : cg_dir, name);
                cJSON_AddStringToObject(c, "callgrind_out", kept);
            }
            add_case(cases, c, name, ref);
        }
    }
    for (int k = 0; vox_bench_kernel_cases[k]; k++) {
        if (!sel.kernel[k] || (filter && !strstr(vox_bench_kernel_cases[k], filter))) continue;
        char name[128], keep[PATH_MAX + 200];
        snprintf(name, sizeof name, "kernel:%s", vox_bench_kernel_cases[k]);
        if (cg_dir[0]) callgrind_file(keep, sizeof keep, cg_dir, name);
        cJSON *c = vox_bench_spawn(self, "kernel-case", vox_bench_kernel_cases[k], NULL, budget_s, NULL, callgrind,
                                   cg_dir[0] ? keep : NULL);
        if (!c) {
            fprintf(stderr, "vox-bench: case %s failed to run\n", name);
            failed_to_run++;
            continue;
        }
        cJSON_AddStringToObject(c, "kind", "kernel");
        if (cg_dir[0]) {
            char kept[PATH_MAX + 200];
            callgrind_file(kept, sizeof kept, cg_rel[0] ? cg_rel : cg_dir, name);
            cJSON_AddStringToObject(c, "callgrind_out", kept);
        }
        add_case(cases, c, name, ref);
    }
    int rc = vox_bench_write_json(root, out);
    cJSON_Delete(root);
    free_selection(&sel);
    if (failed_to_run)
        fprintf(stderr, "vox-bench run: %d case(s) could not be run (left out of the results)\n", failed_to_run);
    return rc ? rc : failed_to_run ? 1 : 0;
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

static void usage(FILE *to)
{
    fprintf(to,
            "%s"
            "       vox-bench compare BASE.json NEW.json [--gate] [--force] [--allow-missing] [--threshold PCT]\n"
            "                     [--tolerance PCT] [--confirm N] [--top N] [--keep-callgrind DIR]\n"
            "       vox-bench kernels [--quick] [-o FILE]\n"
            "       vox-bench threads [--quick] [--max-threads N] [--side N] [--rounds N] [--profile PATH] [-o FILE]\n"
            "       vox-bench startup [--vox PATH]... [--data DIR] [--rounds N] [--no-batch] [-o FILE]\n"
            "       vox-bench exports [FILE] [--data DIR] [--resolution A] [--rounds N] [--threads N] [-o FILE]\n"
            "       vox-bench parse [FILE]... [--data DIR] [--lib PATH]... [--rounds N] [--loads N] [-o FILE]\n"
            "Each subcommand's --help describes it; bench/README.md has the whole story.\n",
            run_usage);
}

int main(int argc, char **argv)
{
    /* the child side of one case (vox_bench_spawn): not for users */
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
    /* each subcommand sees itself as argv[0], as getopt_long expects */
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return cmd_run(argc - 1, argv + 1, self);
    if (argc >= 2 && !strcmp(argv[1], "compare"))
        return vox_bench_compare(argc - 1, argv + 1, self);
    if (argc >= 2 && !strcmp(argv[1], "kernels"))
        return vox_bench_kernels(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "threads"))
        return vox_bench_threads(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "startup"))
        return vox_bench_startup(argc - 2, argv + 2, self);
    if (argc >= 2 && !strcmp(argv[1], "exports"))
        return vox_bench_exports(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "parse"))
        return vox_bench_parse(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
