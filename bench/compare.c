/* compare.c - `vox-bench compare BASE NEW`: a fair comparison of two result files
 *
 * Cases are matched by name.  Output checksums must be equal: a change in
 * results is never a performance question.  A case that fails the same way
 * in both files is not a change; one that starts or stops failing (or fails
 * differently) is.  Files from different builds (compiler, build type,
 * optimisation, sanitizers, flags) are refused: their instruction counts and
 * times differ by several percent for reasons that are not regressions.
 *
 * With --gate (CI), the verdict rests on deterministic measures only: the
 * instructions executed in vox's own code (callgrind), which are exactly
 * repeatable for a given binary, so any increase above --threshold (default
 * 2%) is a regression; the functions whose counts grew most are printed, and
 * the new run's callgrind output of that case is pointed at (and copied to
 * --keep-callgrind DIR).  A case of BASE missing from NEW fails the gate
 * unless --allow-missing.  Wall times are reported as time ratios and as
 * ratios of the reference-normalised times; without --gate a wall-time
 * regression above --tolerance (default 5%) fails only after --confirm
 * re-runs (default 3) of that case (kernel cases too) on this machine, with
 * BASE's thread count and profile, all confirm it in reference-normalised
 * time - shared VMs vary by up to 2x.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "bench.h"
#include "internal.h" /* vox_json_fault */

static cJSON *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "vox-bench compare: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    /* read to the end rather than seek: a pipe (compare base.json <(jq ... new.json), /dev/stdin) has no
     * size; a result file with every function's count is a few MiB, so 256 MiB is no result file */
    const size_t max = (size_t)256 << 20;
    size_t cap = 1 << 16, got = 0;
    char *b = malloc(cap + 1);
    while (b) {
        size_t k = fread(b + got, 1, cap - got, f);
        got += k;
        if (k == 0 || got >= max) break;
        if (got == cap) {
            char *p = realloc(b, cap * 2 + 1);
            if (!p) { free(b); b = NULL; break; }
            b = p;
            cap *= 2;
        }
    }
    const int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (!b || read_errno || got >= max) {
        fprintf(stderr, "vox-bench compare: cannot read %s: %s\n", path,
                read_errno ? strerror(read_errno) : b ? "256 MiB or more: not a result file" : "out of memory");
        free(b);
        return NULL;
    }
    b[got] = '\0';
    /* a NUL ends the text for the parser, which would take the document before it for the whole file */
    if (memchr(b, 0, got)) {
        fprintf(stderr, "vox-bench compare: %s holds a NUL byte: a damaged file, not a vox-bench result file\n", path);
        free(b);
        return NULL;
    }
    /* the whole text one document: two results concatenated, or junk after one, is a damaged file */
    cJSON *o = cJSON_ParseWithOpts(b, NULL, 1);
    char why[300] = "JSON, but with no \"cases\" list";
    if (!o)
        vox_json_fault(b, why, sizeof why);
    free(b);
    if (!o || !cJSON_IsArray(cJSON_GetObjectItem(o, "cases"))) {
        fprintf(stderr, "vox-bench compare: %s is not a vox-bench result file (%s)\n", path, why);
        cJSON_Delete(o);
        return NULL;
    }
    const cJSON *schema = cJSON_GetObjectItem(o, "schema");
    if (!cJSON_IsNumber(schema) || schema->valuedouble != 1.0) {
        fprintf(stderr, "vox-bench compare: %s has an unknown schema (this vox-bench reads schema 1)\n", path);
        cJSON_Delete(o);
        return NULL;
    }
    /* a case named twice (a hand-merged file): which one to compare is not for compare to guess */
    const cJSON *cases = cJSON_GetObjectItem(o, "cases"), *x, *y;
    cJSON_ArrayForEach(x, cases) {
        const cJSON *nx = cJSON_GetObjectItem(x, "name");
        for (y = x->next; cJSON_IsString(nx) && y; y = y->next) {
            const cJSON *ny = cJSON_GetObjectItem(y, "name");
            if (cJSON_IsString(ny) && !strcmp(nx->valuestring, ny->valuestring)) {
                fprintf(stderr, "vox-bench compare: %s holds the case '%s' twice: which to compare is unclear\n",
                        path, nx->valuestring);
                cJSON_Delete(o);
                return NULL;
            }
        }
    }
    return o;
}

static const cJSON *find_case(const cJSON *root, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "cases")) {
        const cJSON *n = cJSON_GetObjectItem(c, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
            return c;
    }
    return NULL;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double median_ms(const cJSON *c)
{
    const cJSON *t = cJSON_GetObjectItem(c, "total");
    return t ? 1e3 * num(t, "median") : NAN;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* ---- builds ------------------------------------------------------------- */

/* What makes two builds' counts comparable.  Fields older files lack are
 * compared only when both have them; compiler and build type always. */
static const struct {
    const char *key, *what;
    int required;
} build_fields[] = {
    {"compiler", "compiler", 1},        {"build_type", "build type", 1}, {"optimization", "optimization", 0},
    {"sanitize", "sanitizers", 0},      {"flags", "flags", 0},
};

static void describe_build(char *out, size_t cap, const cJSON *b)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof build_fields / sizeof build_fields[0]; i++) {
        const cJSON *v = cJSON_GetObjectItem(b, build_fields[i].key);
        if (!cJSON_IsString(v)) continue;
        int n = snprintf(out + k, cap - k, "%s%s '%s'", k ? ", " : "", build_fields[i].what, v->valuestring);
        if (n < 0 || (size_t)n >= cap - k) break;
        k += (size_t)n;
    }
    if (!k) snprintf(out, cap, "no build record");
}

/* One line saying what a result file is: the revision and build that ran it, the machine, the threads,
 * the mode and where its cases came from (a CI log must say what the gate compared). */
static void describe_file(const char *label, const char *path, const cJSON *root)
{
    const cJSON *b = cJSON_GetObjectItem(root, "build"), *m = cJSON_GetObjectItem(root, "machine");
    const cJSON *thr = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "threads"), "count");
    const char *rev = str(b, "git_revision"), *mode = str(root, "mode"), *from = str(root, "cases_from");
    char threads[32] = "threads ?";
    if (cJSON_IsNumber(thr))
        snprintf(threads, sizeof threads, "%g thread%s", thr->valuedouble, thr->valuedouble == 1 ? "" : "s");
    printf("%-4s %s: vox %s%s%s%s, %s %s, %s (%s), %s, %s%s%s\n", label, path, *str(b, "version") ? str(b, "version") : "?",
           *rev ? " (" : "", rev, *rev ? ")" : "", *str(b, "compiler") ? str(b, "compiler") : "compiler ?",
           *str(b, "build_type") ? str(b, "build_type") : "build type ?", *str(m, "cpu_model") ? str(m, "cpu_model") : "?",
           *str(m, "key") ? str(m, "key") : "no machine key", threads, *mode ? mode : "mode ?", *from ? ", cases " : "",
           from);
}

/* 1 when the two files come from comparable builds; otherwise the message
 * names both builds and what differs. */
static int same_build(const cJSON *base, const cJSON *neu, const char *bpath, const char *npath, char *why, size_t cap)
{
    const cJSON *bb = cJSON_GetObjectItem(base, "build"), *nb = cJSON_GetObjectItem(neu, "build");
    char diff[256] = "";
    size_t k = 0;
    for (size_t i = 0; i < sizeof build_fields / sizeof build_fields[0]; i++) {
        const cJSON *x = cJSON_GetObjectItem(bb, build_fields[i].key), *y = cJSON_GetObjectItem(nb, build_fields[i].key);
        int differs;
        if (cJSON_IsString(x) && cJSON_IsString(y)) differs = strcmp(x->valuestring, y->valuestring) != 0;
        else differs = build_fields[i].required;
        if (differs) {
            int n = snprintf(diff + k, sizeof diff - k, "%s%s", k ? ", " : "", build_fields[i].what);
            if (n > 0 && (size_t)n < sizeof diff - k) k += (size_t)n;
        }
    }
    if (!k)
        return 1;
    char bd[512], nd[512];
    describe_build(bd, sizeof bd, bb);
    describe_build(nd, sizeof nd, nb);
    snprintf(why, cap,
             "the files come from different builds (%s differ%s):\n  %s: %s\n  %s: %s\n"
             "instruction counts and times of different builds differ by several percent without any regression: "
             "build NEW as BASE was built (same compiler, meson -Dbuildtype=...), or refresh the baseline with this build",
             diff, strchr(diff, ',') ? "" : "s", bpath, bd, npath, nd);
    return 0;
}

/* ---- where a regression comes from --------------------------------------- */

typedef struct fn_diff {
    const char *name;
    double base, neu;
} fn_diff;

static int by_increase(const void *a, const void *b)
{
    const fn_diff *x = a, *y = b;
    double dx = x->neu - x->base, dy = y->neu - y->base;
    if (dx != dy) return dx < dy ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* The functions whose self instruction counts grew most (then the largest
 * decreases, for moved code), from the per-function counts of both files. */
static void print_top_functions(const cJSON *bc, const cJSON *nc, int top)
{
    const cJSON *bf = cJSON_GetObjectItem(bc, "functions"), *nf = cJSON_GetObjectItem(nc, "functions");
    if (!cJSON_IsObject(bf) || !cJSON_IsObject(nf)) {
        printf("    (no per-function counts in %s: written by an older vox-bench; re-run it with --callgrind)\n",
               !cJSON_IsObject(bf) ? "BASE" : "NEW");
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(bf) + (size_t)cJSON_GetArraySize(nf), k = 0;
    fn_diff *d = calloc(n ? n : 1, sizeof *d);
    if (!d) return;
    const cJSON *it;
    cJSON_ArrayForEach(it, bf) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(nf, it->string);
        d[k++] = (fn_diff){it->string, it->valuedouble, cJSON_IsNumber(m) ? m->valuedouble : 0};
    }
    cJSON_ArrayForEach(it, nf)
        if (!cJSON_GetObjectItemCaseSensitive(bf, it->string))
            d[k++] = (fn_diff){it->string, 0, it->valuedouble};
    qsort(d, k, sizeof *d, by_increase);
    printf("    functions by instruction difference (self cost, NEW - BASE):\n");
    printf("    %14s %14s %14s  %s\n", "difference", "base", "new", "function");
    int shown = 0;
    for (size_t i = 0; i < k && shown < top && d[i].neu > d[i].base; i++, shown++)
        printf("    %+14.0f %14.0f %14.0f  %s\n", d[i].neu - d[i].base, d[i].base, d[i].neu, d[i].name);
    int dec = 0;
    for (size_t i = k; i-- > 0 && dec < (top < 3 ? top : 3) && d[i].neu < d[i].base; dec++)
        printf("    %+14.0f %14.0f %14.0f  %s\n", d[i].neu - d[i].base, d[i].base, d[i].neu, d[i].name);
    free(d);
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    int ok = in && out;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in) fclose(in);
    if (out && fclose(out) != 0) ok = 0;
    return ok;
}

/* Points at the new run's callgrind output of a regressed case (kept by
 * `run --callgrind`, relative to the NEW file's folder) and copies it into
 * keep_dir when given. */
static void point_at_callgrind(const cJSON *nc, const char *npath, const char *keep_dir)
{
    const char *rel = str(nc, "callgrind_out");
    if (!*rel) {
        printf("    (NEW kept no callgrind output: run it with --callgrind -o FILE or --callgrind-dir DIR)\n");
        return;
    }
    char path[PATH_MAX];
    const char *slash = strrchr(npath, '/');
    if (rel[0] == '/' || !slash) snprintf(path, sizeof path, "%s", rel);
    else snprintf(path, sizeof path, "%.*s/%s", (int)(slash - npath), npath, rel);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("    callgrind output %s: no longer there\n", path);
        return;
    }
    fclose(f);
    if (keep_dir) {
        char to[2 * PATH_MAX];
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        snprintf(to, sizeof to, "%s/%s", keep_dir, base);
        if ((mkdir(keep_dir, 0777) == 0 || errno == EEXIST) && copy_file(path, to))
            printf("    callgrind output: %s (kept as %s; callgrind_annotate %s)\n", path, to, to);
        else
            printf("    callgrind output: %s (could not copy it to %s)\n", path, keep_dir);
    } else {
        printf("    callgrind output: %s (callgrind_annotate %s)\n", path, path);
    }
}

/* Re-runs a structure case here `times` times; 1 when every run is slower
 * than base by more than tol (in reference-normalised time). */
/* Re-runs case c of NEW (kernel or structure, its ISA) `times` times on this
 * machine with the settings BASE was run with (its thread count and profile:
 * `run` gives its cases one thread and no profile unless told otherwise,
 * and a re-run with every thread on a shared machine would be many times
 * slower) and compares each with the base case bc in reference-normalised
 * time: the re-run's median over a reference measured just before it,
 * against the base's ref_ratio (raw times where the base has none).  1 when
 * every re-run confirms a slowdown above tol. */
static int confirm(const char *self, const cJSON *base_run, const cJSON *bc, const cJSON *c, double tol, int times,
                   char *why, size_t why_size)
{
    char threads[32], rs[32];
    const cJSON *thr = cJSON_GetObjectItem(cJSON_GetObjectItem(base_run, "threads"), "count");
    snprintf(threads, sizeof threads, "%d", cJSON_IsNumber(thr) && thr->valueint > 0 ? thr->valueint : 1);
    const char *profile = str(cJSON_GetObjectItem(base_run, "profile"), "path");
    setenv("VOX_THREADS", threads, 1);
    setenv("VOX_PROFILE", profile, 1);
    const int kernel = !strcmp(str(c, "kind"), "kernel");
    const char *name = str(c, "name"), *slash = strchr(name, '/');
    snprintf(rs, sizeof rs, "%.17g", num(c, "resolution"));
    const double base_ref_ratio = num(bc, "ref_ratio");
    for (int t = 0; t < times; t++) {
        const double ref = vox_bench_reference_seconds();
        const char *kname = strncmp(name, "kernel:", 7) ? name : name + 7;
        cJSON *r = kernel ? vox_bench_spawn(self, "kernel-case", kname, NULL, "0.5", NULL, 0, NULL)
                          : vox_bench_spawn(self, "case", str(c, "file"), rs, "0.5", slash ? str(c, "isa") : NULL, 0,
                                            NULL);
        /* a re-run without a time says nothing about noise: it is reported, never taken for "not confirmed" */
        const cJSON *err = r ? cJSON_GetObjectItem(r, "error") : NULL;
        if (!r || err || !(median_ms(r) > 0)) {
            snprintf(why, why_size, "%s", !r ? "the case process gave no result"
                                          : err ? (cJSON_IsString(err) ? err->valuestring : "an error")
                                                : "no median");
            cJSON_Delete(r);
            return -1;
        }
        const int normalised = ref > 0 && !isnan(base_ref_ratio);
        const double ratio = normalised ? median_ms(r) / (1e3 * ref) / base_ref_ratio : median_ms(r) / median_ms(bc);
        cJSON_Delete(r);
        printf("    re-run %d: %.3fx of base (%s)\n", t + 1, ratio, normalised ? "reference-normalised" : "wall time");
        if (!(ratio > 1.0 + tol))
            return 0;
    }
    return 1;
}

static const char compare_usage[] =
    "usage: vox-bench compare BASE.json NEW.json [--gate] [--force] [--allow-missing] [--threshold PCT (2)]\n"
    "                         [--tolerance PCT (5)] [--confirm N (3)] [--top N (10)] [--keep-callgrind DIR]\n";

/* Files that are not comparable as they are (another build, another thread count): the gate
 * refuses them, and so does a plain compare unless --force, which compares the wall times with a
 * note.  0: refused, said on stderr. */
static int comparable_anyway(const char *why, int gate, int force)
{
    if (gate || !force) {
        fprintf(stderr, "vox-bench compare: %s%s\n", why,
                gate ? "" : " (without --gate, --force compares the wall times anyway)");
        return 0;
    }
    printf("note: %s\n(compared with --force: wall times only, expect differences)\n", why);
    return 1;
}

int vox_bench_compare(int argc, char **argv, const char *self)
{
    const char *bpath = NULL, *npath = NULL, *keep_dir = NULL;
    int gate = 0, force = 0, times = 3, allow_missing = 0, top = 10;
    double threshold = 0.02, tol = 0.05;
    enum { O_GATE = 256, O_FORCE, O_ALLOW, O_THRESH, O_TOL, O_CONFIRM, O_TOP, O_KEEP };
    static const struct option opts[] = {
        {"gate", no_argument, 0, O_GATE},          {"force", no_argument, 0, O_FORCE},
        {"allow-missing", no_argument, 0, O_ALLOW}, {"threshold", required_argument, 0, O_THRESH},
        {"tolerance", required_argument, 0, O_TOL}, {"confirm", required_argument, 0, O_CONFIRM},
        {"top", required_argument, 0, O_TOP},      {"keep-callgrind", required_argument, 0, O_KEEP},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0}};
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (ch) {
        case O_GATE: gate = 1; break;
        case O_FORCE: force = 1; break;
        case O_ALLOW: allow_missing = 1; break;
        case O_THRESH:
            if (!vox_bench_opt_double("compare", "threshold", optarg, 0, &threshold)) return 2;
            threshold /= 100.0;
            break;
        case O_TOL:
            if (!vox_bench_opt_double("compare", "tolerance", optarg, 0, &tol)) return 2;
            tol /= 100.0;
            break;
        case O_CONFIRM:
            if (!vox_bench_opt_int("compare", "confirm", optarg, 0, 100, &times)) return 2;
            break;
        case O_TOP:
            if (!vox_bench_opt_int("compare", "top", optarg, 0, 100000, &top)) return 2;
            break;
        case O_KEEP: keep_dir = optarg; break;
        case 'h': fputs(compare_usage, stdout); return 0;
        default: return vox_bench_opt_error("compare", ch, argv, compare_usage);
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "vox-bench compare: expected two result files, got %d\n%s", argc - optind, compare_usage);
        return 2;
    }
    bpath = argv[optind];
    npath = argv[optind + 1];
    cJSON *base = load(bpath), *neu = base ? load(npath) : NULL;
    if (!base || !neu) {
        cJSON_Delete(base);
        return 2;
    }
    char why[2048];
    if (!same_build(base, neu, bpath, npath, why, sizeof why) && !comparable_anyway(why, gate, force)) {
        cJSON_Delete(base);
        cJSON_Delete(neu);
        return 2;
    }
    /* Another thread count is another computation of the same results: each extra slab adds its edges
     * (--threads 2 executes 1-9 % more of vox's instructions than 1 on the gate's cases) and the time
     * changes for the same reason; compared only when both files say (older ones may not). */
    const cJSON *bthr = cJSON_GetObjectItem(cJSON_GetObjectItem(base, "threads"), "count");
    const cJSON *nthr = cJSON_GetObjectItem(cJSON_GetObjectItem(neu, "threads"), "count");
    if (cJSON_IsNumber(bthr) && cJSON_IsNumber(nthr) && bthr->valuedouble != nthr->valuedouble) {
        snprintf(why, sizeof why,
                 "the files were run with different thread counts (%s: %g, %s: %g): instruction counts and times of "
                 "different thread counts differ without any regression: run both with the same vox-bench run --threads",
                 bpath, bthr->valuedouble, npath, nthr->valuedouble);
        if (!comparable_anyway(why, gate, force)) {
            cJSON_Delete(base);
            cJSON_Delete(neu);
            return 2;
        }
    }
    const char *bkey = str(cJSON_GetObjectItem(base, "machine"), "key");
    const char *nkey = str(cJSON_GetObjectItem(neu, "machine"), "key");
    int same_machine = !strcmp(bkey, nkey);
    if (!same_machine && !force && !gate) {
        fprintf(stderr, "vox-bench compare: the files come from different machines (%s: %s, %s: %s); wall times are "
                        "not comparable (use --force to compare anyway, or --gate for instruction counts)\n",
                bpath, str(cJSON_GetObjectItem(base, "machine"), "cpu_model"), npath,
                str(cJSON_GetObjectItem(neu, "machine"), "cpu_model"));
        cJSON_Delete(base);
        cJSON_Delete(neu);
        return 2;
    }
    describe_file("BASE", bpath, base);
    describe_file("NEW", npath, neu);
    if (gate)
        printf("gate: instructions executed in vox's own code (callgrind); a case more than %.3g %% above BASE "
               "regresses; wall times are shown, never judged\n", 100.0 * threshold);
    else
        printf("wall time: a case more than %.3g %% slower than BASE (reference-normalised across machines) is "
               "re-run %d time%s here and regresses only if every re-run confirms it\n",
               100.0 * tol, times, times == 1 ? "" : "s");
    printf("%-30s %10s %10s %7s %7s %16s %16s %8s  verdict\n", "case", "base ms", "new ms", "time", "norm",
           "base instr", "new instr", "instr");
    int failures = 0, matched = 0, missing = 0, both_fail = 0, not_comparable = 0, added = 0;
    const cJSON *bc;
    cJSON_ArrayForEach(bc, cJSON_GetObjectItem(base, "cases")) {
        const char *name = str(bc, "name");
        const cJSON *nc = find_case(neu, name);
        if (!nc) {
            printf("%-30s MISSING from %s%s\n", name, npath, allow_missing ? " (allowed: --allow-missing)" : "");
            missing++;
            if (!allow_missing) failures++;
            continue;
        }
        matched++;
        const cJSON *berr = cJSON_GetObjectItem(bc, "error"), *nerr = cJSON_GetObjectItem(nc, "error");
        if (berr || nerr) {
            if (berr && nerr && !strcmp(str(bc, "error"), str(nc, "error"))) {
                printf("%-30s fails in both (same error, not a change): %s\n", name, str(nc, "error"));
                both_fail++;
            } else if (berr && nerr) {
                printf("%-30s FAILS DIFFERENTLY: was \"%s\", now \"%s\"\n", name, str(bc, "error"), str(nc, "error"));
                failures++;
            } else if (nerr) {
                printf("%-30s STARTED FAILING: %s\n", name, str(nc, "error"));
                failures++;
            } else {
                printf("%-30s STOPPED FAILING (failed in %s: %s): the results changed, refresh the baseline\n", name,
                       bpath, str(bc, "error"));
                failures++;
            }
            continue;
        }
        if (strcmp(str(bc, "isa"), str(nc, "isa")) != 0) {
            printf("%-30s NOT COMPARABLE: kernels %s in %s, %s in %s%s\n", name, str(bc, "isa"), bpath, str(nc, "isa"),
                   npath, allow_missing ? " (allowed: --allow-missing)" : "");
            not_comparable++;
            if (!allow_missing) failures++;
            continue;
        }
        double bms = median_ms(bc), nms = median_ms(nc);
        double time_ratio = nms / bms;
        double norm_ratio = num(nc, "ref_ratio") / num(bc, "ref_ratio");
        double bir = num(bc, "instructions"), nir = num(nc, "instructions");
        double ir_ratio = nir / bir;
        const char *verdict = "ok";
        char regression[96];
        const char *bsum = str(bc, "checksum"), *nsum = str(nc, "checksum");
        int regressed = 0;
        if (*bsum && *nsum && strcmp(bsum, nsum)) {
            verdict = "OUTPUT CHANGED (checksum)";
            failures++;
        } else if ((!strcmp(str(bc, "kind"), "structure") || !strcmp(str(nc, "kind"), "structure")) && (!*bsum || !*nsum)) {
            /* vox-bench writes one for every structure case: without it, a changed output would pass */
            snprintf(regression, sizeof regression, "NO CHECKSUM (%s has none: the outputs cannot be compared)",
                     !*bsum ? "BASE" : "NEW");
            verdict = regression;
            failures++;
        } else if (gate) {
            if (isnan(nir) || isnan(bir)) {
                verdict = "NO INSTRUCTION COUNT (run with --callgrind)";
                failures++;
            } else if (!(bir > 0) || !(nir > 0) || isinf(bir) || isinf(nir)) {
                /* callgrind counted none of vox's code, or the file is damaged: no measurement to pass on */
                snprintf(regression, sizeof regression, "NO INSTRUCTION COUNT (%s has %.6g: not a measurement)",
                         !(bir > 0) || isinf(bir) ? "BASE" : "NEW", !(bir > 0) || isinf(bir) ? bir : nir);
                verdict = regression;
                failures++;
            } else if (ir_ratio > 1.0 + threshold) {
                snprintf(regression, sizeof regression, "REGRESSION (instructions, over the %.3g %% threshold)",
                         100.0 * threshold);
                verdict = regression;
                regressed = 1;
                failures++;
            } else if (ir_ratio < 1.0 - threshold) {
                verdict = "faster (instructions); refresh the baseline";
            } else if ((isnan(norm_ratio) ? time_ratio : norm_ratio) > 1.0 + tol && same_machine) {
                verdict = "ok (wall time slower, not confirmed: the gate counts instructions)";
            }
        } else if (!(bms > 0) || !(nms > 0) || isinf(bms) || isinf(nms)) {
            /* no median (a damaged or hand-made file): nothing to compare, and a ratio of it passes anything */
            const int in_base = !(bms > 0) || isinf(bms);
            const double bad = in_base ? bms : nms;
            if (isnan(bad))
                snprintf(regression, sizeof regression, "NO TIME (%s has no median)", in_base ? "BASE" : "NEW");
            else
                snprintf(regression, sizeof regression, "NO TIME (%s has a median of %.6g ms: not a measurement)",
                         in_base ? "BASE" : "NEW", bad);
            verdict = regression;
            failures++;
        } else {
            double r = same_machine || isnan(norm_ratio) ? time_ratio : norm_ratio;
            if (r > 1.0 + tol) {
                printf("%-30s %10.3f %10.3f %6.3fx  suspected regression: confirming\n", name, bms, nms, r);
                char rerun_why[256];
                const int confirmed = confirm(self, base, bc, nc, tol, times, rerun_why, sizeof rerun_why);
                if (confirmed < 0) {
                    verdict = "SUSPECTED REGRESSION (could not re-run here, see above: unconfirmed)";
                    printf("    could not re-run %s here: %s\n", name, rerun_why);
                    failures++;
                } else if (confirmed) {
                    verdict = "REGRESSION (wall time, confirmed)";
                    failures++;
                } else {
                    verdict = "ok (not confirmed on re-runs: noise)";
                }
            }
        }
        /* runs without callgrind have no instruction counts: "-", not nan */
        char bi[32] = "-", ni[32] = "-", ri[32] = "-";
        if (!isnan(bir)) snprintf(bi, sizeof bi, "%.0f", bir);
        if (!isnan(nir)) snprintf(ni, sizeof ni, "%.0f", nir);
        if (!isnan(ir_ratio) && bir > 0 && nir > 0) snprintf(ri, sizeof ri, "%.4fx", ir_ratio);
        printf("%-30s %10.3f %10.3f %6.3fx %6.3fx %16s %16s %8s  %s\n", name, bms, nms, time_ratio, norm_ratio, bi, ni, ri,
               verdict);
        if (regressed) {
            print_top_functions(bc, nc, top);
            point_at_callgrind(nc, npath, keep_dir);
        }
    }
    const cJSON *nc;
    cJSON_ArrayForEach(nc, cJSON_GetObjectItem(neu, "cases")) {
        if (!find_case(base, str(nc, "name"))) {
            printf("%-30s new case, not in %s: not gated\n", str(nc, "name"), bpath);
            added++;
        }
    }
    printf("%d cases compared, %d failing in both (not changes), %d missing, %d not comparable, %d new, "
           "%d regressions or changes\n",
           matched - both_fail - not_comparable, both_fail, missing, not_comparable, added, failures);
    if (gate && failures)
        printf("what to do: a regression is a change in vox's own instructions on the same build; find it with the "
               "functions and callgrind output above; if it is intended, refresh the baseline with the new build "
               "and commit it with the change (bench/README.md, \"After an intended change in performance\")\n");
    if (!same_machine)
        printf("note: different machines (%s vs %s): %s\n", bkey, nkey,
               gate ? "the gate compares instruction counts, which do not depend on the machine"
                    : "compared with --force");
    cJSON_Delete(base);
    cJSON_Delete(neu);
    return failures || matched == 0 ? 1 : 0;
}
