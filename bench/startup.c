/* startup.c - `vox-bench startup`: what a whole `vox analyze` process costs, against its own analysis
 *
 *   vox-bench startup [--vox PATH]... [--data DIR] [--rounds N] [--no-batch] [-o FILE]
 *
 * 1. Context creation, in a fresh process (`vox-bench ctx-case`): the first
 *    vox_ctx_create of the process (it discovers the topology), then the
 *    median of later create + destroy pairs, and of a context created while
 *    another one is alive.
 * 2. Whole processes: `vox analyze --threads 1 --stage-timings` of 4jpn.pdb at
 *    2.0 and 3.0 A and of 1l2y.pdb at 3.0 A (outputs written as by default),
 *    each process's CPU time (user + system, from wait4) and the CPU time of
 *    its analysis stages (load to metrics) as it prints it itself ("cpu=";
 *    a vox that prints only wall times gives those, marked "wall"); the
 *    figure is their ratio, taken in the same process, which a busy machine
 *    moves far less than either time.
 * 3. A batch: one `vox analyze` of the shared files under 1.5 MB other than
 *    the 60-mer 7odw at 3.0 A: structures per CPU-second of the process.
 *
 * With several --vox binaries (say main's and this branch's), every round
 * runs each of them in turn, so their ratios come from the same minutes of
 * the machine; the medians over --rounds are printed and written with -o.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
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

#define MAX_VOX 4
#define MAX_ROUNDS 200
#define MAX_FILES 256

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_self(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    if (n <= 0) return -1;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- 1. context creation, in this (fresh) process ---------------------- */

int vox_bench_ctx_case(void)
{
    vox_options o;
    vox_options_init(&o);
    o.profile = "";
    vox_ctx *ctx = NULL;
    double c0 = cpu_self(), w0 = now();
    if (vox_ctx_create(&ctx, &o) != VOX_OK) return 1;
    double first_cpu = cpu_self() - c0, first_wall = now() - w0;
    vox_ctx_destroy(&ctx);
    enum { N = 101 };
    double later[N], beside[N];
    for (int i = 0; i < N; i++) {
        w0 = now();
        vox_ctx_create(&ctx, &o);
        vox_ctx_destroy(&ctx);
        later[i] = now() - w0;
    }
    vox_ctx *owner = NULL;
    vox_ctx_create(&owner, &o);
    for (int i = 0; i < N; i++) {
        w0 = now();
        vox_ctx_create(&ctx, &o);
        vox_ctx_destroy(&ctx);
        beside[i] = now() - w0;
    }
    vox_ctx_destroy(&owner);
    printf("{\"first_cpu_s\": %.9f, \"first_wall_s\": %.9f, \"later_wall_s\": %.9f, \"beside_wall_s\": %.9f}\n",
           first_cpu, first_wall, median(later, N), median(beside, N));
    return 0;
}

static cJSON *ctx_figures(const char *self)
{
    int fd[2];
    if (pipe(fd) != 0) return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl(self, self, "ctx-case", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[1024];
    size_t len = 0;
    ssize_t k;
    while (len < sizeof buf - 1 && (k = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)k;
    buf[len] = '\0';
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? cJSON_Parse(buf) : NULL;
}

/* ---- 2. and 3. whole processes ------------------------------------------ */

typedef struct run {
    double cpu, wall, stages; /* seconds; stages: sum of the printed stage totals, -1 if none */
    int stages_cpu;           /* 1: the stages' CPU time ("cpu="), 0: their wall time (older vox) */
    int ok;
} run;

/* Runs argv with stdout to /dev/null and stderr captured; sums the
 * "total=MS" of every "stages (ms):" line. */
static run run_process(char *const argv[], int accept_failures)
{
    run r = {0, 0, -1, 0, 0};
    char errf[] = "/tmp/vox-bench-startup.XXXXXX";
    int efd = mkstemp(errf);
    if (efd < 0) return r;
    unlink(errf);
    double w0 = now();
    pid_t pid = fork();
    if (pid == 0) {
        int nul = open("/dev/null", O_WRONLY);
        dup2(nul, 1);
        dup2(efd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
        close(efd);
        return r;
    }
    r.wall = now() - w0;
    r.cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
            1e-6 * (double)ru.ru_stime.tv_usec;
    /* exit 1: some structure failed, as some shared files do by design (no protein) */
    r.ok = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || (accept_failures && WEXITSTATUS(status) == 1));
    lseek(efd, 0, SEEK_SET);
    FILE *f = fdopen(efd, "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        const char *t = strstr(line, "stages (ms):");
        const char *total = t ? strstr(t, " total=") : NULL, *cpu = total ? strstr(total, " cpu=") : NULL;
        if (cpu) r.stages_cpu = 1;
        if (total) r.stages = (r.stages < 0 ? 0 : r.stages) + atof(cpu ? cpu + 5 : total + 7) / 1e3;
    }
    if (f) fclose(f);
    else close(efd);
    return r;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX + 256];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
    rmdir(dir);
}

static int corpus(const char *folder, char *out, size_t n, int *count)
{
    DIR *d = opendir(folder);
    if (!d) return 0;
    struct dirent *e;
    *count = 0;
    size_t len = 0;
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || (strcmp(dot, ".pdb") && strcmp(dot, ".cif")) || strstr(e->d_name, "7odw")) continue;
        char p[PATH_MAX + 256];
        snprintf(p, sizeof p, "%s/%s", folder, e->d_name);
        struct stat sb;
        if (stat(p, &sb) != 0 || sb.st_size >= 1500000) continue;
        int w = snprintf(out + len, n - len, "%s/%s\n", folder, e->d_name);
        if (w < 0 || (size_t)w >= n - len) break;
        len += (size_t)w;
        (*count)++;
    }
    closedir(d);
    return *count > 0;
}

typedef struct pcase {
    const char *name, *file, *res; /* file NULL: the batch */
} pcase;

int vox_bench_startup(int argc, char **argv, const char *self)
{
    const char *vox[MAX_VOX], *data = "../shared/data", *out = NULL;
    int nvox = 0, rounds = 9, batch = 1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--vox") && i + 1 < argc && nvox < MAX_VOX) vox[nvox++] = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-batch")) batch = 0;
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else {
            fprintf(stderr, "usage: vox-bench startup [--vox PATH]... [--data DIR] [--rounds N (9)] [--no-batch] [-o FILE]\n");
            return 2;
        }
    }
    if (rounds < 1) rounds = 1;
    if (rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
    char default_vox[PATH_MAX];
    if (!nvox) { /* the vox next to this build's bench/ */
        snprintf(default_vox, sizeof default_vox, "%s", self);
        char *slash = strrchr(default_vox, '/');
        if (slash) *slash = '\0';
        slash = strrchr(default_vox, '/');
        if (slash) *slash = '\0';
        strncat(default_vox, "/vox", sizeof default_vox - strlen(default_vox) - 1);
        vox[nvox++] = default_vox;
    }
    char structures[PATH_MAX], f4jpn[PATH_MAX + 16], f1l2y[PATH_MAX + 16];
    snprintf(structures, sizeof structures, "%s/structures", data);
    snprintf(f4jpn, sizeof f4jpn, "%s/4jpn.pdb", structures);
    snprintf(f1l2y, sizeof f1l2y, "%s/1l2y.pdb", structures);
    if (access(f4jpn, R_OK) != 0 || access(f1l2y, R_OK) != 0) {
        printf("vox-bench startup: %s has no 4jpn.pdb / 1l2y.pdb: skipped\n", structures);
        return 0;
    }

    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema", 1);
    cJSON_AddStringToObject(root, "tool", "vox-bench startup");
    vox_bench_machine(root);
    vox_bench_build(root);

    cJSON *ctx = ctx_figures(self);
    if (ctx) {
        const double first = cJSON_GetObjectItem(ctx, "first_wall_s")->valuedouble,
                     later = cJSON_GetObjectItem(ctx, "later_wall_s")->valuedouble,
                     beside = cJSON_GetObjectItem(ctx, "beside_wall_s")->valuedouble;
        printf("vox_ctx_create (this build): first of the process %.3f ms (CPU %.3f ms), later %.3f ms, "
               "beside another context %.3f ms\n",
               first * 1e3, cJSON_GetObjectItem(ctx, "first_cpu_s")->valuedouble * 1e3, later * 1e3, beside * 1e3);
        cJSON_AddItemToObject(root, "ctx_create", ctx);
    }

    static char list[1 << 16];
    int nfiles = 0;
    char *files[MAX_FILES];
    if (batch && corpus(structures, list, sizeof list, &nfiles)) {
        int k = 0;
        for (char *p = list; *p && k < MAX_FILES; k++) {
            files[k] = p;
            char *nl = strchr(p, '\n');
            *nl = '\0';
            p = nl + 1;
        }
        nfiles = k;
    } else {
        batch = 0;
    }
    const pcase cases[] = {
        {"4jpn.pdb@2.0", f4jpn, "2.0"}, {"4jpn.pdb@3.0", f4jpn, "3.0"}, {"1l2y.pdb@3.0", f1l2y, "3.0"},
        {"batch@3.0", NULL, "3.0"},
    };
    const int ncases = batch ? 4 : 3;
    static run runs[4][MAX_VOX][MAX_ROUNDS];
    char dir[] = "/tmp/vox-bench-startup-out.XXXXXX";
    if (!mkdtemp(dir)) return 1;
    printf("%d rounds, each running every case with every vox in turn (one thread, outputs written to %s)\n", rounds,
           dir);
    for (int r = 0; r < rounds; r++) {
        for (int c = 0; c < ncases; c++)
            for (int v = 0; v < nvox; v++) {
                char *args[MAX_FILES + 16];
                int a = 0;
                args[a++] = (char *)vox[v];
                args[a++] = "analyze";
                args[a++] = "--threads";
                args[a++] = "1";
                /* one job, whatever split a tuning profile here measured: the figures compare builds */
                args[a++] = "--jobs";
                args[a++] = "1";
                args[a++] = "--quiet";
                args[a++] = "--overwrite";
                args[a++] = "--stage-timings";
                args[a++] = "--progress-interval";
                args[a++] = "0";
                args[a++] = "--resolution";
                args[a++] = (char *)cases[c].res;
                args[a++] = "--output-dir";
                args[a++] = dir;
                if (cases[c].file) args[a++] = (char *)cases[c].file;
                else
                    for (int f = 0; f < nfiles; f++) args[a++] = files[f];
                args[a] = NULL;
                runs[c][v][r] = run_process(args, cases[c].file == NULL);
                remove_tree(dir);
                mkdir(dir, 0700);
            }
        fprintf(stderr, "\rround %d/%d", r + 1, rounds);
    }
    fprintf(stderr, "\n");
    rmdir(dir);

    cJSON *jc = cJSON_AddArrayToObject(root, "cases");
    printf("\n%-14s %-36s %10s %13s %10s %9s\n", "case", "vox", "CPU ms", "stages ms", "CPU/stages", "vs first");
    for (int c = 0; c < ncases; c++) {
        double base_cpu = -1;
        for (int v = 0; v < nvox; v++) {
            double cpu[MAX_ROUNDS], wall[MAX_ROUNDS], st[MAX_ROUNDS], ratio[MAX_ROUNDS];
            int n = 0, ns = 0, failed = 0, stages_cpu = 0;
            for (int r = 0; r < rounds; r++) {
                const run *x = &runs[c][v][r];
                if (!x->ok) {
                    failed++;
                    continue;
                }
                cpu[n] = x->cpu;
                wall[n++] = x->wall;
                if (x->stages > 0) {
                    stages_cpu = x->stages_cpu;
                    st[ns] = x->stages;
                    ratio[ns++] = x->cpu / x->stages;
                }
            }
            double mc = median(cpu, n), mw = median(wall, n), ms = median(st, ns), mr = median(ratio, ns);
            if (v == 0) base_cpu = mc;
            const int per_structure = !cases[c].file;
            printf("%-14s %-36.36s %10.2f %8.2f %4s %10.2f %8.2fx", cases[c].name, vox[v], mc * 1e3, ms * 1e3,
                   stages_cpu ? "cpu" : "wall", mr, base_cpu > 0 && mc > 0 ? base_cpu / mc : 0);
            if (per_structure && mc > 0) printf("  %.0f structures/CPU-s (%d files)", nfiles / mc, nfiles);
            if (failed) printf("  (%d runs failed)", failed);
            printf("\n");
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "case", cases[c].name);
            cJSON_AddStringToObject(e, "vox", vox[v]);
            cJSON_AddNumberToObject(e, "runs", n);
            cJSON_AddNumberToObject(e, "cpu_s", mc);
            cJSON_AddNumberToObject(e, "wall_s", mw);
            cJSON_AddNumberToObject(e, "stages_s", ms);
            cJSON_AddStringToObject(e, "stages_clock", stages_cpu ? "cpu" : "wall");
            cJSON_AddNumberToObject(e, "cpu_over_stages", mr);
            if (per_structure) {
                cJSON_AddNumberToObject(e, "structures", nfiles);
                cJSON_AddNumberToObject(e, "structures_per_cpu_s", mc > 0 ? nfiles / mc : 0);
            }
            cJSON_AddItemToArray(jc, e);
        }
    }
    int rc = vox_bench_write_json(root, out);
    cJSON_Delete(root);
    return rc;
}
