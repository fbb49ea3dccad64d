/* voxtune.c - the autotuner: measures vox's kernels on this machine and stores the best settings
 *
 *   voxtune [--quick] [--time-limit S] [--output PATH] [--only K,...] [--classes C,...]
 *   voxtune --show [--output PATH]    what a profile holds, and what this machine would use
 *   voxtune --check [--output PATH]   exit 0 only when vox uses the profile as it is on this machine
 *   voxtune --print-fingerprint       this machine's fingerprint (JSON)
 *
 * The profile goes to --output, else (--system) the system-wide profile
 * ($XDG_CONFIG_DIRS' first directory/vox/profile.json, else
 * /etc/vox/profile.json), else $VOX_PROFILE, else
 * $XDG_CONFIG_HOME/vox/profile.json (~/.config/vox/profile.json).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "profile.h"
#include "search.h"
#include "store.h"

enum { EXIT_USAGE = 2 };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: voxtune [options]\n\n"
            "Measures vox's kernels on synthetic grids of each size class (small < 1 Mi voxels,\n"
            "medium < 16 Mi, large) over kernel variants x tile sizes x thread counts, and writes\n"
            "the fastest settings, this machine's fingerprint and every measurement to a JSON profile\n"
            "that libvox reads when a context is created.  Results never depend on the profile.\n\n"
            "  --quick              small and medium grids, 5 repetitions (under 30 s); large copies medium\n"
            "  --time-limit S       stop measuring after S seconds (default: 25 with --quick, 600)\n"
            "  --output PATH        the profile (default: $VOX_PROFILE, else\n"
            "                       $XDG_CONFIG_HOME/vox/profile.json or ~/.config/vox/profile.json)\n"
            "  --system             the system-wide profile instead, read by every user whose own profile\n"
            "                       has no entry for this machine: <first of $XDG_CONFIG_DIRS>/vox/profile.json,\n"
            "                       else /etc/vox/profile.json (usually needs root)\n"
            "  --only K[,K...]      tune only these kernels: bin_points, occlusion, first_shell,\n"
            "                       label_components, moments, and\n"
            "                       batch: the split of the machine into jobs x threads per job that\n"
            "                       analyses the most small structures per second (vox analyze of many\n"
            "                       files uses it when --jobs is not given)\n"
            "  --classes C[,C...]   only these size classes: small, medium, large\n"
            "                       (with --only or --classes, what is not measured keeps the settings of\n"
            "                       the profile's entry for this machine, else the defaults; a run that\n"
            "                       measures nothing leaves the profile as it was)\n"
            "  --show               print the profile's machines and what this machine uses; no measuring\n"
            "  --check              exit 0 only when vox uses the profile on this machine: an exact entry,\n"
            "                       every value in range (else vox's reason)\n"
            "  --print-fingerprint  print this machine's fingerprint (JSON) and exit\n"
            "  --help\n");
}

/* The file a profile path names: a symbolic link (a profile kept in a dotfiles repository and linked
 * into ~/.config) is followed, dangling or not, so that the rename that writes the profile replaces the
 * link's target and not the link.  0 when the resolved path does not fit. */
static int follow_links(const char *path, char *out, size_t size)
{
    if (snprintf(out, size, "%s", path) >= (int)size)
        return 0;
    for (int hops = 0; hops < 40; hops++) { /* as many as the kernel follows (ELOOP) */
        struct stat sb;
        char target[4096], next[8192];
        if (lstat(out, &sb) != 0 || !S_ISLNK(sb.st_mode))
            return 1;
        ssize_t n = readlink(out, target, sizeof target - 1);
        if (n < 0 || n >= (ssize_t)sizeof target - 1)
            return 1; /* unreadable: the link itself, as before */
        target[n] = 0;
        const char *slash = strrchr(out, '/');
        if (target[0] == '/' || !slash)
            snprintf(next, sizeof next, "%s", target);
        else
            snprintf(next, sizeof next, "%.*s/%s", (int)(slash - out), out, target);
        if (snprintf(out, size, "%s", next) >= (int)size)
            return 0;
    }
    return 1;
}

static int list_has(const char *list, const char *name)
{
    if (!list) return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (l == n && !strncmp(p, name, n)) return 1;
        p += l + (comma ? 1 : 0);
    }
    return 0;
}

/* Every name in list must be one of names[0..n). */
static int list_valid(const char *list, const char *opt, const char *(*name)(int), int n)
{
    if (!list) return 1;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        int found = 0;
        for (int i = 0; i < n; i++) found |= strlen(name(i)) == l && !strncmp(p, name(i), l);
        if (!found) {
            fprintf(stderr, "voxtune: %s: unknown name '%.*s' (expected", opt, (int)l, p);
            for (int i = 0; i < n; i++) fprintf(stderr, "%s %s", i ? "," : "", name(i));
            fprintf(stderr, ")\n");
            return 0;
        }
        p += l + (comma ? 1 : 0);
    }
    return 1;
}

static const char *kernel_name(int i) { return vox_tuned_kernel_name((vox_tuned_kernel)i); }
/* --only's names: the kernels, then the batch step */
static const char *step_name(int i) { return i < VOX_TK_COUNT ? kernel_name(i) : "batch"; }
static const char *class_name(int i) { return vox_size_class_name((vox_size_class)i); }

static cJSON *settings_json(const vox_tuning *t)
{
    cJSON *s = cJSON_CreateObject();
    for (int k = 0; k < VOX_TK_COUNT; k++) {
        cJSON *per = cJSON_AddObjectToObject(s, kernel_name(k));
        for (int c = 0; c < VOX_SC_COUNT; c++) {
            cJSON *e = cJSON_AddObjectToObject(per, class_name(c));
            cJSON_AddStringToObject(e, "variant", vox_isa_name(t->s[k][c].isa));
            cJSON_AddNumberToObject(e, "tile_kib", t->s[k][c].tile_kib);
            cJSON_AddNumberToObject(e, "threads", t->s[k][c].threads);
        }
    }
    return s;
}

static int setting_equal(const vox_setting *a, const vox_setting *b)
{
    return a->isa == b->isa && a->tile_kib == b->tile_kib && a->threads == b->threads;
}

static double median_of(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The tuned settings as a one-machine profile for this machine (cJSON_free it). */
static char *profile_text(vox_ctx *ctx, const vox_tuning *tuned)
{
    cJSON *doc = cJSON_CreateObject(), *entry = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "format", VOX_PROFILE_FORMAT);
    cJSON_AddNumberToObject(doc, "schema", VOX_PROFILE_SCHEMA);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "machines"), entry);
    cJSON_AddItemToObject(entry, "fingerprint", vox_fingerprint(ctx));
    cJSON_AddItemToObject(entry, "settings", settings_json(tuned));
    char *json = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return json;
}

/* What the settings change end to end: whole vox_analyze runs of the class's
 * workload (a protein-like blob with cavities, pockets and a tunnel) in a
 * context with the defaults and one with the tuned settings (given as a
 * profile, as a user's context reads them), alike in threads and binding,
 * timed alternately; medians in *t_def and *t_tuned.  0 when it could not
 * be measured. */
static int end_to_end(vox_ctx *ctx, const vox_workload *w, const vox_tuning *tuned, int reps, double *t_def,
                      double *t_tuned)
{
    char *json = profile_text(ctx, tuned);
    vox_ctx *c[2] = {NULL, NULL};
    int ok = json != NULL;
    for (int i = 0; ok && i < 2; i++) {
        vox_options o;
        vox_options_init(&o);
        o.threads = ctx->team->threads;
        o.bind = ctx->team->bind == VOX_BIND_CORES ? "cores" : ctx->team->bind == VOX_BIND_PUS ? "pus" : "none";
        o.profile_json = i ? json : "";
        ok = vox_ctx_create(&c[i], &o) == VOX_OK && (!i || vox_ctx_profile_status(c[i]) == VOX_PROFILE_EXACT);
    }
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = w->resolution;
    double *dt[2] = {malloc((size_t)reps * sizeof(double)), malloc((size_t)reps * sizeof(double))};
    ok = ok && dt[0] && dt[1];
    for (int r = -1; ok && r < reps; r++) /* r = -1: warm-up (scratch, page faults) */
        for (int j = 0; ok && j < 2; j++) {
            const int i = (r & 1) ? 1 - j : j; /* alternate which goes first */
            vox_result *res = NULL;
            const double t0 = vox_tune_now();
            ok = vox_analyze(c[i], &w->st, &ap, &res) == VOX_OK;
            if (r >= 0) dt[i][r] = vox_tune_now() - t0;
            vox_result_free(&res);
        }
    if (ok) {
        *t_def = median_of(dt[0], reps);
        *t_tuned = median_of(dt[1], reps);
    }
    free(dt[0]);
    free(dt[1]);
    vox_ctx_destroy(&c[0]);
    vox_ctx_destroy(&c[1]);
    cJSON_free(json);
    return ok;
}

/* What the end-to-end comparison decided for a size class. */
enum { E2E_UNMEASURED, E2E_KEPT, E2E_DEFAULTS, E2E_WITHIN_NOISE };
static const struct {
    const char *name;    /* in the profile */
    const char *message; /* printed */
    int timed;           /* both end-to-end times were measured */
} e2e_verdicts[] = {
    [E2E_UNMEASURED] = {"unmeasured", "not measured: the defaults' and the tuned settings' runs failed", 0},
    [E2E_KEPT] = {"kept", "the tuned settings kept", 1},
    [E2E_DEFAULTS] = {"defaults", "nothing tuned differs from the defaults: no gain to show", 0},
    [E2E_WITHIN_NOISE] = {"within-noise", "not 3 % faster (within a quiet machine's noise): the defaults kept", 1},
};

/* --show and --check.  ctx has read the profile at path as any context does:
 * what it made of it (vox_ctx_profile_status) is the verdict, so a fitting
 * entry with a value vox refuses is not reported as exact. */
static int show_or_check(vox_ctx *ctx, const char *path, int check)
{
    vox_profile_status st;
    char why[256];
    int err;
    cJSON *doc = vox_profile_read_file(path, &st, why, sizeof why, &err);
    if (!doc && st == VOX_PROFILE_DEFAULTS_ABSENT) {
        printf("%s: no profile (run voxtune to make one)\n", path);
        return 1;
    }
    if (!doc) {
        printf("%s: %s: %s\n", path, vox_profile_status_name(st), why);
        return 1;
    }
    const vox_profile_status used = vox_ctx_profile_status(ctx);
    const char *detail = vox_ctx_profile_detail(ctx);
    const int refused = used != VOX_PROFILE_EXACT && used != VOX_PROFILE_PARTIAL;
    if (check) {
        cJSON_Delete(doc);
        printf("%s: %s%s%s\n", path, vox_profile_status_name(used), refused && detail[0] ? ": " : "",
               refused ? detail : "");
        return used == VOX_PROFILE_EXACT ? 0 : 1;
    }
    cJSON *fp = vox_fingerprint(ctx);
    /* the entry the library applies: the first of those that fit best */
    vox_profile_status best = VOX_PROFILE_DEFAULTS_FOREIGN;
    int chosen = -1, i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(doc, "machines")) {
        vox_profile_status s = vox_profile_match(m, fp);
        if (s < best) {
            best = s;
            chosen = i;
        }
        i++;
    }
    i = 0;
    printf("%s: schema %d, %d machine(s)\n", path, cJSON_GetObjectItemCaseSensitive(doc, "schema")->valueint,
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "machines")));
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(doc, "machines")) {
        const int this_one = i == chosen;
        const vox_profile_status s = this_one ? used : vox_profile_match(m, fp);
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(m, "fingerprint");
        const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(f, "cpu"), *topo = cJSON_GetObjectItemCaseSensitive(f, "topology");
        const cJSON *model = cJSON_GetObjectItemCaseSensitive(cpu, "model"), *cores = cJSON_GetObjectItemCaseSensitive(topo, "cores");
        const cJSON *rigor = cJSON_GetObjectItemCaseSensitive(m, "rigor"), *created = cJSON_GetObjectItemCaseSensitive(m, "created");
        printf("  [%d] %s, %d cores, rigor %s, %s: %s for this machine%s%s\n", i++,
               cJSON_IsString(model) ? model->valuestring : "?", cJSON_IsNumber(cores) ? cores->valueint : 0,
               cJSON_IsString(rigor) ? rigor->valuestring : "?", cJSON_IsString(created) ? created->valuestring : "?",
               vox_profile_status_name(s), this_one && refused && detail[0] ? ": " : "",
               this_one && refused ? detail : "");
    }
    cJSON_Delete(fp);
    cJSON_Delete(doc);
    char *js = vox_ctx_settings_json(ctx);
    printf("this machine uses: %s\n", js ? js : "?");
    free(js);
    return 0;
}

/* What this run found, for the entry vox_profile_store makes under its lock
 * (new_entry): the run's settings, and which of them it measured. */
typedef struct run_findings {
    vox_ctx *ctx;
    const vox_tuning *defaults, *tuned;
    const char *only, *path;
    int quick, partial, truncated, batch_measured;
    const int *measured;           /* [VOX_SC_COUNT] */
    int measured_setting[VOX_TK_COUNT][VOX_SC_COUNT];
    const cJSON *measurements, *end_to_end, *batch; /* copied into the entry (batch: NULL when not measured) */
    const vox_batch_outcome *batch_outcome;
} run_findings;

static void keep_earlier(cJSON *entry, const cJSON *earlier, const char *only, const int measured[VOX_SC_COUNT],
                         int batch_measured);

/* This machine's entry from the run's findings and current, the entry the
 * profile holds now: a run of some kernels or classes keeps current's
 * settings and figures for the rest (another voxtune may have written them
 * since this one read the file at its start). */
static cJSON *new_entry(const cJSON *current, void *arg)
{
    const run_findings *f = arg;
    vox_tuning settings = *f->tuned;
    if (f->partial) {
        vox_tuning now = *f->defaults;
        char why[256];
        if (current && vox_profile_apply_settings(current, 0, &now, why, sizeof why) != 1) {
            fprintf(stderr, "voxtune: the entry of %s for this machine is not usable now (%s): what this run did not "
                            "measure keeps its defaults\n", f->path, why);
            current = NULL;
            now = *f->defaults;
        }
        for (int k = 0; k < VOX_TK_COUNT; k++)
            for (int c = 0; c < VOX_SC_COUNT; c++)
                if (!f->measured_setting[k][c]) settings.s[k][c] = now.s[k][c];
    } else {
        current = NULL; /* a whole run replaces the entry */
    }
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddItemToObject(entry, "fingerprint", vox_fingerprint(f->ctx));
    char when[32];
    time_t t = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    cJSON_AddStringToObject(entry, "created", when);
    cJSON_AddStringToObject(entry, "rigor", f->quick ? "quick" : "normal");
    cJSON_AddBoolToObject(entry, "complete", (!f->truncated && !f->partial) ||
                                                 (current && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(current, "complete"))));
    cJSON_AddNumberToObject(entry, "threads", f->ctx->team->threads);
    cJSON_AddItemToObject(entry, "settings", settings_json(&settings));
    cJSON_AddItemToObject(entry, "measurements", cJSON_Duplicate(f->measurements, 1));
    cJSON_AddItemToObject(entry, "end_to_end", cJSON_Duplicate(f->end_to_end, 1));
    if (f->batch) {
        const vox_batch_outcome *b = f->batch_outcome;
        if (b->kept) { /* what contexts read: the split */
            cJSON *split = cJSON_AddObjectToObject(entry, "batch");
            cJSON_AddNumberToObject(split, "jobs", b->split[b->best].jobs);
            cJSON_AddNumberToObject(split, "threads_per_job", b->split[b->best].threads_per_job);
        }
        cJSON_AddItemToObject(entry, "batch_end_to_end", cJSON_Duplicate(f->batch, 1));
    }
    if (current)
        keep_earlier(entry, current, f->only, f->measured, f->batch_measured);
    return entry;
}

/* This machine's entry (the same fingerprint) in the profile at path, or
 * NULL; *doc gets the document that holds it (cJSON_Delete it). */
static const cJSON *earlier_entry(vox_ctx *ctx, const char *path, cJSON **doc)
{
    vox_profile_status st;
    char why[256];
    int err;
    *doc = vox_profile_read_file(path, &st, why, sizeof why, &err);
    cJSON *fp = vox_fingerprint(ctx);
    const cJSON *machines = cJSON_GetObjectItemCaseSensitive(*doc, "machines");
    const int i = vox_profile_machine_index(machines, fp);
    cJSON_Delete(fp);
    return i < 0 ? NULL : cJSON_GetArrayItem(machines, i);
}

/* Into entry, what the earlier entry of this machine holds for what this
 * run did not measure: the batch split and its figures, the measurements of
 * other kernels and classes, the end-to-end verdicts of other classes. */
static void keep_earlier(cJSON *entry, const cJSON *earlier, const char *only, const int measured[VOX_SC_COUNT],
                         int batch_measured)
{
    if (!batch_measured)
        for (int i = 0; i < 2; i++) {
            const char *name = i ? "batch_end_to_end" : "batch";
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(earlier, name);
            if (b) cJSON_AddItemToObject(entry, name, cJSON_Duplicate(b, 1));
        }
    cJSON *ms = cJSON_GetObjectItemCaseSensitive(entry, "measurements");
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(earlier, "measurements")) {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "kernel"));
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "size_class"));
        int now = 0;
        if (k && !strcmp(k, "batch"))
            now = batch_measured;
        else
            for (int cl = 0; k && c && cl < VOX_SC_COUNT; cl++)
                now |= measured[cl] && !strcmp(c, class_name(cl)) && list_has(only, k);
        if (!now) cJSON_AddItemToArray(ms, cJSON_Duplicate(m, 1));
    }
    cJSON *e2e = cJSON_GetObjectItemCaseSensitive(entry, "end_to_end");
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(earlier, "end_to_end")) {
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "size_class"));
        int now = 0;
        for (int cl = 0; c && cl < VOX_SC_COUNT; cl++) now |= measured[cl] && !strcmp(c, class_name(cl));
        if (!now) cJSON_AddItemToArray(e2e, cJSON_Duplicate(m, 1));
    }
}

int main(int argc, char **argv)
{
    int quick = 0, show = 0, check = 0, print_fp = 0, system_wide = 0;
    double limit = -1;
    const char *output = NULL, *only = NULL, *classes = NULL;
    enum { O_QUICK = 256, O_LIMIT, O_OUT, O_ONLY, O_CLASSES, O_SHOW, O_CHECK, O_FP, O_SYSTEM };
    static const struct option opts[] = {
        {"quick", no_argument, 0, O_QUICK}, {"time-limit", required_argument, 0, O_LIMIT},
        {"output", required_argument, 0, O_OUT}, {"only", required_argument, 0, O_ONLY},
        {"classes", required_argument, 0, O_CLASSES}, {"show", no_argument, 0, O_SHOW},
        {"check", no_argument, 0, O_CHECK}, {"print-fingerprint", no_argument, 0, O_FP},
        {"system", no_argument, 0, O_SYSTEM},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case O_QUICK: quick = 1; break;
        case O_LIMIT: {
            char *end;
            limit = strtod(optarg, &end);
            if (end == optarg || *end || !(limit > 0)) {
                fprintf(stderr, "voxtune: --time-limit: expected a positive number of seconds, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case O_OUT: output = optarg; break;
        case O_ONLY: only = optarg; break;
        case O_CLASSES: classes = optarg; break;
        case O_SHOW: show = 1; break;
        case O_CHECK: check = 1; break;
        case O_FP: print_fp = 1; break;
        case O_SYSTEM: system_wide = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "voxtune: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!list_valid(only, "--only", step_name, VOX_TK_COUNT + 1) ||
        !list_valid(classes, "--classes", class_name, VOX_SC_COUNT))
        return EXIT_USAGE;
    char path[4096];
    if (output && system_wide) {
        fprintf(stderr, "voxtune: --output and --system name two profiles: give one\n");
        return EXIT_USAGE;
    }
    if (output && !output[0]) {
        fprintf(stderr, "voxtune: --output: an empty path (expected the profile file to write)\n");
        return EXIT_USAGE;
    }
    if (output) {
        if (snprintf(path, sizeof path, "%s", output) >= (int)sizeof path) {
            fprintf(stderr, "voxtune: --output: the path is %zu bytes long; voxtune writes profiles at paths of up "
                            "to %zu bytes\n", strlen(output), sizeof path - 1);
            return EXIT_USAGE;
        }
    } else if (system_wide) {
        if (!vox_profile_system_path(0, path, sizeof path)) {
            fprintf(stderr, "voxtune: --system: $XDG_CONFIG_DIRS holds no absolute directory\n");
            return EXIT_USAGE;
        }
    } else if (!vox_profile_default_path(path, sizeof path) || !path[0]) {
        fprintf(stderr, "voxtune: no profile path: give --output, or set VOX_PROFILE or HOME\n");
        return EXIT_USAGE;
    }

    vox_options o;
    vox_options_init(&o);
    o.profile = path; /* --show, --check: what this machine would use from it */
    if (!show && !check) o.profile_json = ""; /* measuring starts from the defaults */
    vox_ctx *ctx = NULL;
    vox_status st = vox_ctx_create(&ctx, &o);
    if (st != VOX_OK) {
        fprintf(stderr, "voxtune: cannot create a context: %s\n", vox_strerror(st));
        return 1;
    }
    if (print_fp) {
        char *js = vox_ctx_fingerprint_json(ctx);
        printf("%s\n", js ? js : "");
        vox_free(js);
        vox_ctx_destroy(&ctx);
        return js ? 0 : 1;
    }
    if (show || check) {
        int rc = show_or_check(ctx, path, check);
        vox_ctx_destroy(&ctx);
        return rc;
    }

    char linked[4096];
    if (!follow_links(path, linked, sizeof linked)) {
        fprintf(stderr, "voxtune: %s: the file its symbolic link names has too long a path; nothing measured\n", path);
        vox_ctx_destroy(&ctx);
        return 1;
    }
    if (strcmp(linked, path) != 0) {
        printf("voxtune: %s is a symbolic link: writing its target %s\n", path, linked);
        snprintf(path, sizeof path, "%s", linked);
    }
    /* minutes of measuring must not end in a profile that cannot be written */
    char werr[4096 + 512];
    if (!vox_profile_writable(path, werr, sizeof werr)) {
        fprintf(stderr, "voxtune: %s; nothing measured\n", werr);
        vox_ctx_destroy(&ctx);
        return 1;
    }

    vox_tuner t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx;
    t.reps = quick ? 5 : 9;
    t.measurements = cJSON_CreateArray();
    t.show_progress = isatty(2);
    const double start = vox_tune_now();
    t.start = start;
    t.deadline = start + (limit > 0 ? limit : quick ? 25.0 : 600.0);
    /* the size classes measured (--quick: the large one copies medium) */
    int wanted[VOX_SC_COUNT];
    for (int c = 0; c < VOX_SC_COUNT; c++) {
        wanted[c] = list_has(classes, class_name(c)) && !(quick && c == VOX_SC_LARGE);
        for (int k = 0; k < VOX_TK_COUNT; k++) t.steps += wanted[c] && list_has(only, kernel_name(k));
    }
    /* the batch split: small structures, so measured with the small class */
    const int want_batch = list_has(only, "batch") && list_has(classes, "small");
    t.steps += want_batch;
    const vox_tuning defaults = *ctx->tuning;
    /* a run of some kernels or classes keeps what an earlier run tuned for
     * the rest on this machine (its exact entry), not the defaults */
    const int partial = only || classes;
    cJSON *earlier_doc = NULL;
    const cJSON *earlier = partial ? earlier_entry(ctx, path, &earlier_doc) : NULL;
    vox_tuning base = defaults;
    char why[256];
    if (earlier && vox_profile_apply_settings(earlier, 0, &base, why, sizeof why) != 1) {
        fprintf(stderr, "voxtune: the earlier entry of %s is not usable (%s): the rest keep their defaults\n", path, why);
        base = defaults;
        earlier = NULL;
    }
    if (earlier)
        printf("voxtune: kernels and classes not measured keep the settings of %s's entry for this machine\n", path);
    vox_tuning tuned = base; /* overwritten where measured */
    vox_tuning chosen = base; /* the kernels' choices, before the end-to-end verdict (the table) */
    /* per class: end to end, default and tuned seconds, and the verdict (E2E_*) */
    double e2e[VOX_SC_COUNT][2] = {{0}};
    int verdict[VOX_SC_COUNT] = {E2E_UNMEASURED};
    static const int side[VOX_SC_COUNT] = {60, 150, 270};
    double gain[VOX_TK_COUNT][VOX_SC_COUNT][2];
    int measured[VOX_SC_COUNT] = {0};
    fprintf(stderr, "voxtune: %s tuning, %d threads (%s), profile %s\n", quick ? "quick" : "normal",
            ctx->team->threads, ctx->team->bind_reason, path);
    for (int c = 0; c < VOX_SC_COUNT; c++) {
        if (!wanted[c])
            continue;
        vox_workload w;
        if (!vox_workload_build(ctx, (vox_size_class)c, side[c], &w)) {
            fprintf(stderr, "\nvoxtune: cannot build the %s workload (out of memory?); keeping defaults\n", class_name(c));
            vox_workload_free(&w);
            continue;
        }
        for (int k = 0; k < VOX_TK_COUNT; k++) {
            gain[k][c][0] = gain[k][c][1] = -1;
            if (!list_has(only, kernel_name(k))) continue;
            vox_tune_search(&t, &w, (vox_tuned_kernel)k, &tuned.s[k][c], &gain[k][c][0], &gain[k][c][1]);
            t.finished++;
            if (!t.show_progress) /* logs: a line per kernel and class */
                fprintf(stderr, "voxtune: [%d/%d] %s %s: %d measurements so far, %.1f s, ETA %s\n", t.finished, t.steps,
                        kernel_name(k), class_name(c), t.done, vox_tune_now() - start, vox_tune_eta(&t));
        }
        measured[c] = 1;
        for (int k = 0; k < VOX_TK_COUNT; k++) chosen.s[k][c] = tuned.s[k][c];
        int same = 1;
        for (int k = 0; k < VOX_TK_COUNT; k++) same &= setting_equal(&tuned.s[k][c], &defaults.s[k][c]);
        if (same)
            verdict[c] = E2E_DEFAULTS;
        else if (end_to_end(ctx, &w, &tuned, t.reps, &e2e[c][0], &e2e[c][1])) {
            /* a choice must pay off in whole analyses too, beyond the 3 % a quiet machine wanders:
             * otherwise two runs could keep different settings for no real gain */
            verdict[c] = e2e[c][0] > 1.03 * e2e[c][1] ? E2E_KEPT : E2E_WITHIN_NOISE;
            if (verdict[c] == E2E_WITHIN_NOISE)
                for (int k = 0; k < VOX_TK_COUNT; k++)
                    if (list_has(only, kernel_name(k))) tuned.s[k][c] = defaults.s[k][c];
        }
        vox_workload_free(&w);
    }
    if (quick && measured[VOX_SC_MEDIUM] && list_has(classes, "large"))
        for (int k = 0; k < VOX_TK_COUNT; k++)
            if (list_has(only, kernel_name(k))) tuned.s[k][VOX_SC_LARGE] = tuned.s[k][VOX_SC_MEDIUM];
    vox_batch_outcome batch;
    int batch_measured = 0;
    if (want_batch) {
        vox_workload w;
        char *json = profile_text(ctx, &tuned);
        /* about 14 thousand voxels: a 300-residue protein at 3 A */
        if (json && vox_workload_build(ctx, VOX_SC_SMALL, 24, &w)) {
            if (t.show_progress)
                fprintf(stderr, "\rvoxtune: [%d/%d, ETA %s] batch: jobs x threads per job%40s", t.finished + 1, t.steps,
                        vox_tune_eta(&t), "");
            batch_measured = vox_tune_batch(&t, &w, json, &batch);
        }
        vox_workload_free(&w);
        cJSON_free(json);
        t.finished++;
        if (!t.show_progress)
            fprintf(stderr, "voxtune: [%d/%d] batch: %d measurements so far, %.1f s\n", t.finished, t.steps, t.done,
                    vox_tune_now() - start);
    }
    if (t.show_progress)
        fprintf(stderr, "\n");

    printf("voxtune: %d measurements in %.1f s%s\n", t.done, vox_tune_now() - start,
           !t.truncated ? "" : earlier ? " (time limit reached: the rest keep their earlier settings)"
                                       : " (time limit reached: the rest keep their defaults)");
    printf("%-17s %-7s %-7s %9s %8s %12s %12s %8s\n", "kernel", "class", "variant", "tile KiB", "threads",
           "default ms", "tuned ms", "ratio");
    for (int k = 0; k < VOX_TK_COUNT; k++)
        for (int c = 0; c < VOX_SC_COUNT; c++) {
            if (!measured[c] || !list_has(only, kernel_name(k)) || gain[k][c][0] < 0) continue;
            const vox_setting *s = &chosen.s[k][c];
            if (setting_equal(s, &defaults.s[k][c])) /* no gain is shown for the default itself */
                printf("%-17s %-7s %-7s %9d %8d %12.3f %12s %8s\n", kernel_name(k), class_name(c),
                       vox_isa_name(s->isa), s->tile_kib, s->threads, gain[k][c][0] * 1e3, "default", "-");
            else
                printf("%-17s %-7s %-7s %9d %8d %12.3f %12.3f %7.2fx\n", kernel_name(k), class_name(c),
                       vox_isa_name(s->isa), s->tile_kib, s->threads, gain[k][c][0] * 1e3, gain[k][c][1] * 1e3,
                       gain[k][c][1] > 0 ? gain[k][c][0] / gain[k][c][1] : 0.0);
        }
    cJSON *e2e_json = cJSON_CreateArray();
    for (int c = 0; c < VOX_SC_COUNT; c++) {
        if (!measured[c])
            continue;
        const int v = verdict[c], timed = e2e_verdicts[v].timed;
        if (timed)
            printf("end to end, %-6s whole vox_analyze: default %9.3f ms, tuned %9.3f ms, %.2fx: %s\n", class_name(c),
                   e2e[c][0] * 1e3, e2e[c][1] * 1e3, e2e[c][0] / e2e[c][1], e2e_verdicts[v].message);
        else
            printf("end to end, %-6s %s\n", class_name(c), e2e_verdicts[v].message);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "size_class", class_name(c));
        if (timed) {
            cJSON_AddNumberToObject(e, "default_seconds", e2e[c][0]);
            cJSON_AddNumberToObject(e, "tuned_seconds", e2e[c][1]);
        }
        cJSON_AddStringToObject(e, "verdict", e2e_verdicts[v].name);
        cJSON_AddItemToArray(e2e_json, e);
    }

    cJSON *batch_json = NULL;
    if (want_batch && !batch_measured)
        printf("batch of small structures: not measured (the time limit, or an analysis failed): one job of every "
               "thread stays\n");
    if (batch_measured) {
        batch_json = cJSON_CreateObject();
        cJSON *splits = cJSON_AddArrayToObject(batch_json, "splits");
        printf("batch of small structures (per second, analysed and rendered):");
        for (int s = 0; s < batch.nsplits; s++) {
            const vox_batch_figure *f = &batch.split[s];
            printf("%s %d x %d: %.1f", s ? "," : "", f->jobs, f->threads_per_job, f->per_second);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "jobs", f->jobs);
            cJSON_AddNumberToObject(e, "threads_per_job", f->threads_per_job);
            cJSON_AddNumberToObject(e, "structures_per_second", f->per_second);
            cJSON_AddItemToArray(splits, e);
        }
        const vox_batch_figure *b = &batch.split[batch.best], *d = &batch.split[0];
        char best[64], def[64];
        snprintf(best, sizeof best, "%d job%s x %d thread%s", b->jobs, b->jobs == 1 ? "" : "s", b->threads_per_job,
                 b->threads_per_job == 1 ? "" : "s");
        snprintf(def, sizeof def, "1 job x %d thread%s", d->threads_per_job, d->threads_per_job == 1 ? "" : "s");
        if (batch.kept)
            printf("\n  %s kept: %.2fx the default (%s)\n", best, b->per_second / d->per_second, def);
        else if (batch.best == 0)
            printf("\n  the default (%s) is the fastest: no split stored\n", def);
        else
            printf("\n  %s not 3 %% faster than the default (%.2fx, within noise): the default (%s) kept\n", best,
                   b->per_second / d->per_second, def);
        cJSON_AddStringToObject(batch_json, "verdict", batch.kept ? "kept" : batch.best == 0 ? "defaults" : "within-noise");
    }

    if (t.done == 0 && !batch_measured) {
        /* an entry of defaults (or of the earlier settings) would only hide
         * what an earlier run measured */
        fprintf(stderr, "voxtune: nothing was measured (the time limit, or no workload could be built): %s is left "
                        "as it was\n", path);
        cJSON_Delete(e2e_json);
        cJSON_Delete(batch_json);
        cJSON_Delete(t.measurements);
        cJSON_Delete(earlier_doc);
        vox_ctx_destroy(&ctx);
        return 1;
    }
    cJSON_Delete(earlier_doc);
    run_findings f = {.ctx = ctx, .defaults = &defaults, .tuned = &tuned, .only = only, .path = path, .quick = quick,
                      .partial = partial, .truncated = t.truncated, .batch_measured = batch_measured,
                      .measured = measured, .measurements = t.measurements, .end_to_end = e2e_json, .batch = batch_json,
                      .batch_outcome = &batch};
    /* the settings this run chose: its kernels in the classes it measured (--quick: large as medium) */
    for (int k = 0; k < VOX_TK_COUNT; k++)
        for (int c = 0; c < VOX_SC_COUNT; c++)
            f.measured_setting[k][c] = list_has(only, kernel_name(k)) &&
                                       (measured[c] || (c == VOX_SC_LARGE && quick && measured[VOX_SC_MEDIUM] &&
                                                        list_has(classes, "large")));
    char err[4096 + 512];
    int ok = vox_profile_store(ctx, path, new_entry, &f, err, sizeof err);
    cJSON_Delete(t.measurements);
    cJSON_Delete(e2e_json);
    cJSON_Delete(batch_json);
    if (ok) printf("voxtune: wrote %s\n", path);
    else fprintf(stderr, "voxtune: %s\n", err);
    vox_ctx_destroy(&ctx);
    return ok ? 0 : 1;
}
