/* parse.c - `vox-bench parse`: how fast the readers turn text into atoms, in MB/s of one core
 *
 *   vox-bench parse [FILE]... [--data DIR] [--lib PATH]... [--rounds N] [--loads N] [-o FILE]
 *
 * Each file (default: 4jpn.pdb, 1igy.pdb, 4jpn.cif, 2axd.cif, 4jpp.cif and
 * 5eil.cif of --data DIR/structures: one model each, no assembly copies, so
 * the text is the work) is read into memory once; a round loads it --loads
 * times with vox_load_buffer on a one-thread context and keeps the best CPU
 * time of this thread (the reader alone: no disk, no other process's time).
 * The figure is the median over --rounds of those bests, as MB/s of the
 * file's bytes (10^6 bytes per second; gzip-compressed files count their
 * compressed bytes).
 *
 * With --lib PATH (given once per build, e.g. main's libvox.so and a
 * change's), every library is opened with dlopen and the rounds alternate
 * between them, so that both see the same machine; the ratio to the first
 * library is printed per file.  Without --lib the library linked into
 * vox-bench is measured.
 */
#include <dlfcn.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "bench.h"
#include "vox/vox.h"

/* The calls a round makes, from the linked library or from one opened with dlopen. */
typedef struct reader_lib {
    const char *name;
    void (*options_init)(vox_options *);
    vox_status (*ctx_create)(vox_ctx **, const vox_options *);
    void (*ctx_destroy)(vox_ctx **);
    vox_status (*load_buffer)(vox_ctx *, const void *, size_t, const char *, const vox_load_params *,
                              vox_structure **);
    void (*structure_free)(vox_structure **);
    const char *(*last_error)(const vox_ctx *);
    void *handle;
    vox_ctx *ctx;
} reader_lib;

typedef struct input {
    char *path, *data;
    size_t len;
} input;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int open_lib(reader_lib *l, const char *path)
{
    l->name = path ? path : "linked";
    if (!path) {
        l->options_init = vox_options_init;
        l->ctx_create = vox_ctx_create;
        l->ctx_destroy = vox_ctx_destroy;
        l->load_buffer = vox_load_buffer;
        l->structure_free = vox_structure_free;
        l->last_error = vox_ctx_last_error_detail;
    } else {
        /* RTLD_LOCAL: each library's calls stay inside it, so two builds can sit side by side */
        if (!(l->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
            fprintf(stderr, "vox-bench parse: cannot open %s: %s\n", path, dlerror());
            return 0;
        }
        *(void **)&l->options_init = dlsym(l->handle, "vox_options_init");
        *(void **)&l->ctx_create = dlsym(l->handle, "vox_ctx_create");
        *(void **)&l->ctx_destroy = dlsym(l->handle, "vox_ctx_destroy");
        *(void **)&l->load_buffer = dlsym(l->handle, "vox_load_buffer");
        *(void **)&l->structure_free = dlsym(l->handle, "vox_structure_free");
        *(void **)&l->last_error = dlsym(l->handle, "vox_ctx_last_error_detail");
        if (!l->options_init || !l->ctx_create || !l->ctx_destroy || !l->load_buffer || !l->structure_free ||
            !l->last_error) {
            fprintf(stderr, "vox-bench parse: %s lacks the vox_* calls this needs\n", path);
            return 0;
        }
    }
    vox_options o;
    l->options_init(&o);
    o.threads = 1;
    o.profile = "";
    if (l->ctx_create(&l->ctx, &o) != VOX_OK) {
        fprintf(stderr, "vox-bench parse: %s: cannot create a context\n", l->name);
        return 0;
    }
    return 1;
}

static int read_input(input *in, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    in->path = strdup(path);
    in->data = NULL;
    in->len = 0;
    size_t cap = 0;
    for (;;) {
        if (in->len == cap) {
            cap = cap ? 2 * cap : 1 << 20;
            char *d = realloc(in->data, cap);
            if (!d)
                break;
            in->data = d;
        }
        const size_t got = fread(in->data + in->len, 1, cap - in->len, f);
        in->len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    return in->path && in->data;
}

/* The best CPU time of `loads` loads of in; negative when the load fails. */
static double best_of(reader_lib *l, const input *in, int loads)
{
    double best = -1.0;
    for (int k = 0; k < loads; k++) {
        vox_structure *s = NULL;
        const double t0 = cpu_now();
        const vox_status rc = l->load_buffer(l->ctx, in->data, in->len, in->path, NULL, &s);
        const double t = cpu_now() - t0;
        l->structure_free(&s);
        if (rc != VOX_OK) {
            fprintf(stderr, "vox-bench parse: %s with %s: %s\n", in->path, l->name, l->last_error(l->ctx));
            return -1.0;
        }
        if (best < 0.0 || t < best)
            best = t;
    }
    return best;
}

static const char parse_usage[] =
    "usage: vox-bench parse [FILE]... [--data DIR] [--lib PATH]... (at most 8) [--rounds N (11)] [--loads N (5)]\n"
    "                       [-o FILE]\n"
    "MB/s of vox_load_buffer on one core: per round the best CPU time of N loads, the median over the\n"
    "rounds; with --lib, builds of libvox.so alternated in one process (bench/README.md).\n";

int vox_bench_parse(int argc, char **argv)
{
    const char *data = "../shared/data", *out = NULL;
    const char *libs[8];
    int nlibs = 0, rounds = 11, loads = 5;
    enum { O_DATA = 256, O_LIB, O_ROUNDS, O_LOADS };
    static const struct option opts[] = {{"data", required_argument, 0, O_DATA},     {"lib", required_argument, 0, O_LIB},
                                         {"rounds", required_argument, 0, O_ROUNDS}, {"loads", required_argument, 0, O_LOADS},
                                         {"help", no_argument, 0, 'h'},              {0, 0, 0, 0}};
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (ch) {
        case O_DATA: data = optarg; break;
        case O_LIB:
            if (nlibs == 8) {
                fprintf(stderr, "vox-bench parse: at most 8 --lib\n%s", parse_usage);
                return 2;
            }
            libs[nlibs++] = optarg;
            break;
        case O_ROUNDS:
            if (!vox_bench_opt_int("parse", "rounds", optarg, 1, 10000, &rounds)) return 2;
            break;
        case O_LOADS:
            if (!vox_bench_opt_int("parse", "loads", optarg, 1, 10000, &loads)) return 2;
            break;
        case 'o': out = optarg; break;
        case 'h': fputs(parse_usage, stdout); return 0;
        default: return vox_bench_opt_error("parse", ch, argv, parse_usage);
        }
    }
    int nin = 0;
    input *in = calloc((size_t)argc + 6, sizeof *in);
    if (!in)
        return 1;
    for (int i = optind; i < argc; i++) {
        if (!read_input(&in[nin], argv[i])) {
            fprintf(stderr, "vox-bench parse: cannot read %s\n", argv[i]);
            return 1;
        }
        nin++;
    }
    if (nin == 0) {
        static const char *const defaults[] = {"4jpn.pdb", "1igy.pdb", "4jpn.cif", "2axd.cif", "4jpp.cif", "5eil.cif"};
        for (int i = 0; i < 6; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/structures/%s", data, defaults[i]);
            if (read_input(&in[nin], path))
                nin++;
        }
        if (nin == 0) {
            printf("vox-bench parse: no structures under %s/structures: skipped\n", data);
            free(in);
            return 0;
        }
    }
    const int nl = nlibs ? nlibs : 1;
    reader_lib lib[8];
    memset(lib, 0, sizeof lib);
    double *best = malloc((size_t)nl * (size_t)nin * (size_t)rounds * sizeof *best);
    int ok = best != NULL;
    for (int l = 0; ok && l < nl; l++) ok = open_lib(&lib[l], nlibs ? libs[l] : NULL);
    /* a warm-up load of each, then rounds alternating the libraries (and which goes first) */
    for (int l = 0; ok && l < nl; l++)
        for (int f = 0; ok && f < nin; f++) ok = best_of(&lib[l], &in[f], 1) >= 0.0;
    for (int r = 0; ok && r < rounds; r++)
        for (int q = 0; ok && q < nl; q++) {
            const int l = (q + r) % nl;
            for (int f = 0; ok && f < nin; f++) {
                const double t = best_of(&lib[l], &in[f], loads);
                ok = t >= 0.0;
                best[((size_t)l * (size_t)nin + (size_t)f) * (size_t)rounds + (size_t)r] = t;
            }
        }
    int rc = ok ? 0 : 1;
    if (ok) {
        printf("vox_load_buffer, one thread, CPU time: per round the best of %d loads, the median of %d rounds\n",
               loads, rounds);
        cJSON *root = cJSON_CreateObject();
        cJSON_AddNumberToObject(root, "schema", 1);
        cJSON_AddStringToObject(root, "tool", "vox-bench parse");
        vox_bench_machine(root);
        vox_bench_build(root);
        cJSON_AddNumberToObject(root, "rounds", rounds);
        cJSON_AddNumberToObject(root, "loads_per_round", loads);
        cJSON *cases = cJSON_AddArrayToObject(root, "cases");
        for (int f = 0; f < nin; f++) {
            double first = 0.0;
            for (int l = 0; l < nl; l++) {
                double *v = &best[((size_t)l * (size_t)nin + (size_t)f) * (size_t)rounds];
                const double med = vox_bench_median(v, rounds); /* sorts v: v[0] is the best */
                const double mbs = (double)in[f].len / med / 1e6;
                if (l == 0)
                    first = med;
                printf("  %-44s %-28s %8.3f ms  %7.0f MB/s", in[f].path, lib[l].name, med * 1e3, mbs);
                if (l > 0)
                    printf("  %.2fx the first", first / med);
                printf("\n");
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "file", in[f].path);
                cJSON_AddNumberToObject(e, "bytes", (double)in[f].len);
                cJSON_AddStringToObject(e, "lib", lib[l].name);
                cJSON_AddNumberToObject(e, "cpu_s", med);
                cJSON_AddNumberToObject(e, "best_cpu_s", v[0]);
                cJSON_AddNumberToObject(e, "mb_per_s", mbs);
                if (l > 0)
                    cJSON_AddNumberToObject(e, "speedup_over_first", first / med);
                cJSON_AddItemToArray(cases, e);
            }
        }
        rc = vox_bench_write_json(root, out);
        cJSON_Delete(root);
    }
    for (int l = 0; l < nl; l++) {
        if (lib[l].ctx)
            lib[l].ctx_destroy(&lib[l].ctx);
        /* the libraries stay open: their threads or atexit handlers may still refer to them */
    }
    for (int f = 0; f < nin; f++) {
        free(in[f].path);
        free(in[f].data);
    }
    free(in);
    free(best);
    return rc;
}
