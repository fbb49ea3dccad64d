/* common.c - what the parts of the `vox` command share: PDB ids, paths as volumizer writes
 * them, page names, sizes, the output directory, the library's warnings, and the run's
 * configuration as JSON (labels: label.c) */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "cli.h"
#include "pyjson.h"

int write_list_parse(const char *cmd, const char *list, run_config *c)
{
    if (exports_list_has_empty_item(list)) {
        fprintf(stderr, "vox %s: --write: an empty item in '%s' (expected a comma-separated list of df-json, pdb, "
                        "html, %s)\n", cmd, list, exports_kind_names());
        return 0;
    }
    for (const char *t = list; *t;) {
        const size_t n = strcspn(t, ",");
        char item[32] = ""; /* longer than every kind's name: unknown */
        if (n < sizeof item)
            memcpy(item, t, n), item[n] = '\0';
        if (!strcmp(item, "df-json")) c->write_df = 1;
        else if (!strcmp(item, "pdb")) c->write_pdb = 1;
        else if (!strcmp(item, "html")) c->write_html = 1;
        else if (!item[0] || !exports_kind(&c->exports, item)) {
            fprintf(stderr, "vox %s: --write: unknown output '%.*s' (expected df-json, pdb, html, %s)\n", cmd,
                    (int)(n < 200 ? n : 200), t, exports_kind_names());
            return 0;
        }
        t += n + (t[n] == ',');
    }
    return 1;
}

/* str(pathlib.PurePosixPath(p)), in place: volumizer keeps every path as
 * a Path, so the paths it writes (input_path, output_structure_cif, the
 * summary's) are normalised so: one slash for several, but exactly two
 * leading ones kept (POSIX gives them a meaning of their own); "." parts
 * dropped; no slash at the end; ".." kept (through a link it may lead
 * elsewhere than the part before it); "." when nothing else is left.  The
 * path names the same file, and is never longer (an empty one stays
 * empty). */
void py_path(char *p)
{
    if (!p[0])
        return;
    size_t lead = 0, w = 0;
    while (p[lead] == '/') lead++;
    const size_t root = lead == 2 ? 2 : lead ? 1 : 0;
    w = root;
    for (size_t r = lead; p[r];) {
        size_t e = r;
        while (p[e] && p[e] != '/') e++;
        const int dot = e - r == 1 && p[r] == '.';
        if (!dot) {
            if (w > root)
                p[w++] = '/';
            memmove(p + w, p + r, e - r);
            w += e - r;
        }
        while (p[e] == '/') e++;
        r = e;
    }
    for (size_t i = 0; i < root; i++) p[i] = '/';
    if (w == 0)
        p[w++] = '.';
    p[w] = '\0';
}

/* str(PurePosixPath(dir) / name) for a dir already so normalised: name
 * alone under ".", dir's own root not doubled; then normalised.  Joined
 * and normalised whole, then fitted to out: 0, with out empty, when the
 * result does not fit (cut short, it would name another file). */
int py_join(const char *dir, const char *name, char *out, size_t cap)
{
    const int alone = name[0] == '/' || !strcmp(dir, ".") || !dir[0]; /* Path("") / name is name */
    const size_t nd = alone ? 0 : strlen(dir), nn = strlen(name);
    char *joined = malloc(nd + nn + 2);
    if (!joined) {
        out[0] = '\0';
        return 0;
    }
    if (alone)
        memcpy(joined, name, nn + 1);
    else
        sprintf(joined, "%s%s%s", dir, dir[nd - 1] == '/' ? "" : "/", name);
    py_path(joined);
    const size_t n = strlen(joined);
    const int fits = n < cap;
    if (fits)
        memcpy(out, joined, n + 1);
    else
        out[0] = '\0';
    free(joined);
    return fits;
}

/* printf into out; a message too long for it keeps its start and its end
 * with " ... " between them, not its start alone: its end is the reason
 * (a file's path comes first, and one near PATH_MAX filled the room).  The
 * cuts fall between UTF-8 sequences. */
void error_text(char *out, size_t cap, const char *fmt, ...)
{
    char whole[PATH_MAX * 2 + 1024];
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(whole, sizeof whole, fmt, ap);
    va_end(ap);
    const size_t len = n < 0 ? 0 : (size_t)n < sizeof whole ? (size_t)n : sizeof whole - 1;
    if (len < cap || cap < 64) {
        snprintf(out, cap, "%s", whole);
        return;
    }
    static const char gap[] = " ... ";
    size_t head = (cap - sizeof gap) / 3, tail = cap - sizeof gap - head;
    while (head > 0 && ((unsigned char)whole[head] & 0xC0) == 0x80) head--;     /* not inside a sequence */
    while (tail > 0 && ((unsigned char)whole[len - tail] & 0xC0) == 0x80) tail--;
    memcpy(out, whole, head);
    memcpy(out + head, gap, sizeof gap - 1);
    memcpy(out + head + sizeof gap - 1, whole + len - tail, tail);
    out[head + sizeof gap - 1 + tail] = '\0';
}

/* p absolute: realpath's answer when the file exists, else its longest
 * existing leading folders resolved and the rest as given (normalised; a
 * ".." or a dangling link in that rest is kept, which names the same file,
 * where Path.resolve() would spell it otherwise).  0 when it does not fit. */
int resolve_path(const char *p, char *out, size_t cap)
{
    char real[PATH_MAX];
    if (realpath(p, real))
        return snprintf(out, cap, "%s", real) < (int)cap;
    char cwd[PATH_MAX] = "";
    if (p[0] != '/' && !getcwd(cwd, sizeof cwd))
        return 0;
    char *full = malloc(strlen(cwd) + strlen(p) + 2);
    if (!full)
        return 0;
    sprintf(full, "%s%s%s", cwd, p[0] == '/' ? "" : "/", p);
    py_path(full);
    int fits = 0;
    for (char *cut = strrchr(full, '/'); cut; ) {
        const char keep = *cut;
        *cut = '\0';
        const int found = realpath(cut == full ? "/" : full, real) != NULL;
        *cut = keep;
        if (found) {
            fits = snprintf(out, cap, "%s%s", strcmp(real, "/") ? real : "", cut) < (int)cap;
            break;
        }
        char *prev = cut;
        while (prev > full && *--prev != '/') {}
        cut = prev < cut && *prev == '/' ? prev : NULL;
    }
    free(full);
    return fits;
}

/* The file name of a structure's page (--write html, vox report):
 * <label>.html, but index.structure.html for the label "index", whose
 * own name is the run's index page. */
void page_name(const char *label, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", label, strcmp(label, "index") ? ".html" : ".structure.html");
}

/* volumizer's PDB id rule: trimmed, 4 alphanumeric characters, upper-cased. */
int normalize_pdb_id(const char *in, char out[8])
{
    while (*in == ' ' || *in == '\t') in++;
    size_t n = strlen(in);
    while (n && (in[n - 1] == ' ' || in[n - 1] == '\t')) n--;
    if (n != 4)
        return 0;
    for (int i = 0; i < 4; i++) {
        if (!isalnum((unsigned char)in[i]))
            return 0;
        out[i] = (char)toupper((unsigned char)in[i]);
    }
    out[4] = '\0';
    return 1;
}

void format_bytes(unsigned long long n, char out[32])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    snprintf(out, 32, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

int mkdir_p(const char *dir)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat sb;
    return stat(tmp, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
}

const char *directory_fault(const char *dir, int err, char *buf, size_t cap)
{
    struct stat lsb, sb;
    const char *what = NULL;
    if (lstat(dir, &lsb) == 0 && S_ISLNK(lsb.st_mode) && stat(dir, &sb) != 0) {
        char target[PATH_MAX];
        const ssize_t n = readlink(dir, target, sizeof target - 1);
        snprintf(buf, cap, "it is a symbolic link to %s%.*s%s, which %s", n > 0 ? "'" : "", n > 0 ? (int)n : 0, target,
                 n > 0 ? "'" : "", errno == ELOOP ? "loops" : "does not exist");
        return buf;
    }
    const vox_path_kind kind = vox_file_kind(dir, &what);
    if (kind != VOX_PATH_DIRECTORY && kind != VOX_PATH_NONE) {
        snprintf(buf, cap, "it is %s, not a directory", what);
        return buf;
    }
    return strerror(err);
}

void cli_log_init(cli_log *l)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
}

void cli_log_line(void *cookie, const char *line)
{
    cli_log *l = cookie;
    pthread_mutex_lock(&l->lock);
    int seen = 0;
    for (size_t i = 0; i < l->n && !seen; i++)
        seen = !strcmp(l->seen[i], line);
    if (!seen) {
        fprintf(stderr, "vox: %s\n", line);
        char **p = realloc(l->seen, (l->n + 1) * sizeof *p);
        char *copy = strdup(line);
        if (p && copy) {
            l->seen = p;
            l->seen[l->n++] = copy;
        } else {
            if (p) l->seen = p;
            free(copy);
        }
    }
    pthread_mutex_unlock(&l->lock);
}

void cli_log_free(cli_log *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->seen[i]);
    free(l->seen);
    pthread_mutex_destroy(&l->lock);
}

void explain_ctx_error(vox_status st, const char *isa_option, char *out, size_t cap)
{
    const char *env = getenv("VOX_ISA");
    char source[160];
    if (isa_option && *isa_option)
        snprintf(source, sizeof source, "--isa '%s'", isa_option);
    else
        snprintf(source, sizeof source, "VOX_ISA='%s'", env ? env : "");
    if (st == VOX_E_ISA_UNKNOWN)
        snprintf(out, cap, "%s: unknown instruction set (expected scalar, avx2, avx512 or neon; this machine runs %s)",
                 source, vox_available_isas());
    else if (st == VOX_E_ISA_UNAVAILABLE)
        snprintf(out, cap, "%s: not available on this CPU or build (it runs %s)", source, vox_available_isas());
    else
        snprintf(out, cap, "cannot set up the library: %s", vox_strerror(st));
}

void cli_option_error(const struct option *opts, const char *arg, int optopt, char *out, size_t cap)
{
    if (strncmp(arg, "--", 2) != 0 || (optopt > 0 && optopt < 128 && arg[0] == '-' && arg[1] != '-')) {
        if (optopt > 0 && optopt < 128)
            snprintf(out, cap, "unknown option '-%c'", optopt);
        else
            snprintf(out, cap, "unknown option '%s'", arg);
        return;
    }
    const char *name = arg + 2;
    const size_t n = strcspn(name, "=");
    size_t matches = 0;
    const struct option *exact = NULL, *last = NULL; /* the option named in full; the last it begins */
    for (const struct option *o = opts; o->name; o++) {
        if (strncmp(o->name, name, n))
            continue;
        matches++;
        last = o;
        if (strlen(o->name) == n)
            exact = o;
    }
    const struct option *meant = exact ? exact : matches == 1 ? last : NULL;
    if (meant && name[n] == '=') {
        snprintf(out, cap, "option '--%s' takes no value", meant->name);
    } else if (!meant && matches > 1) {
        size_t k = (size_t)snprintf(out, cap, "ambiguous option '--%.*s' (", (int)n, name);
        const char *sep = "";
        for (const struct option *o = opts; o->name && k < cap; o++)
            if (!strncmp(o->name, name, n)) {
                k += (size_t)snprintf(out + k, cap - k, "%s--%s", sep, o->name);
                sep = ", ";
            }
        if (k < cap)
            snprintf(out + k, cap - k, ")");
    } else {
        snprintf(out, cap, "unknown option '--%.*s'", (int)n, name);
    }
}

cJSON *config_json(const run_config *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "command", "analyze");
    cJSON_AddItemToObject(o, "input", c->ninputs == 1 ? cJSON_CreateString(c->inputs[0]) : cJSON_CreateNull());
    cJSON_AddNullToObject(o, "pdb_id");
    cJSON_AddItemToObject(o, "manifest", pyjson_str_or_null(c->manifest));
    cJSON_AddItemToObject(o, "from_summary", pyjson_str_or_null(c->from_summary));
    cJSON_AddStringToObject(o, "from_summary_only", c->only ? c->only : "failed");
    cJSON_AddNullToObject(o, "cluster_identity");
    cJSON_AddNullToObject(o, "max_structures");
    cJSON_AddItemToObject(o, "num_shards", c->num_shards > 0 ? pyjson_int(c->num_shards) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "shard_index", c->num_shards > 0 ? pyjson_int(c->shard_index) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "cluster_method_filters", cJSON_CreateArray());
    cJSON_AddFalseToObject(o, "cluster_allow_all_methods");
    cJSON_AddNullToObject(o, "cluster_max_resolution");
    cJSON_AddItemToObject(o, "cluster_max_residues", pyjson_int(20000));
    cJSON_AddNullToObject(o, "metadata_cache");
    cJSON_AddFalseToObject(o, "no_metadata_cache");
    cJSON_AddNullToObject(o, "write_manifest");
    cJSON_AddItemToObject(o, "failures_manifest", pyjson_str_or_null(c->failures_manifest));
    cJSON_AddItemToObject(o, "checkpoint", pyjson_str_or_null(c->checkpoint));
    cJSON_AddBoolToObject(o, "no_checkpoint", c->no_checkpoint);
    cJSON_AddItemToObject(o, "progress_jsonl", pyjson_str_or_null(c->progress_jsonl));
    cJSON_AddItemToObject(o, "progress_interval", pyjson_float(c->progress_interval));
    cJSON_AddStringToObject(o, "output_dir", c->output_dir);
    char dl[PATH_MAX];
    py_join(c->output_dir, "downloads", dl, sizeof dl);
    cJSON_AddStringToObject(o, "download_dir", c->download_dir ? c->download_dir : dl);
    cJSON_AddItemToObject(o, "resolution", pyjson_float(c->resolution));
    cJSON_AddStringToObject(o, "assembly_policy", c->assembly);
    cJSON_AddItemToObject(o, "min_voxels", pyjson_int(c->min_voxels));
    cJSON_AddItemToObject(o, "min_volume", c->has_min_volume ? pyjson_float(c->min_volume) : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "surface_connectivity", c->connectivity);
    cJSON_AddItemToObject(o, "merge_mouth_gap_voxels", pyjson_int(c->merge_gap));
    cJSON_AddStringToObject(o, "backend", c->backend);
    cJSON_AddBoolToObject(o, "keep_non_protein", c->keep_non_protein);
    cJSON_AddBoolToObject(o, "include_hubs", c->include_hubs);
    cJSON_AddBoolToObject(o, "necked_pocket_cavity", c->necked);
    cJSON_AddItemToObject(o, "jobs", pyjson_int(c->jobs));
    cJSON_AddItemToObject(o, "analysis_workers", pyjson_int(c->fail_fast ? 1 : c->jobs));
    cJSON_AddItemToObject(o, "timeout", pyjson_float(60.0));
    cJSON_AddItemToObject(o, "worker_timeout_seconds", pyjson_float(1800.0));
    cJSON_AddItemToObject(o, "retries", pyjson_int(2));
    cJSON_AddItemToObject(o, "retry_delay", pyjson_float(1.0));
    cJSON_AddBoolToObject(o, "overwrite", c->overwrite);
    cJSON_AddBoolToObject(o, "reannotate", c->reannotate);
    cJSON_AddBoolToObject(o, "resume", c->resume);
    cJSON_AddBoolToObject(o, "dry_run", c->dry_run);
    /* vox's own: the extra outputs asked for (vox validate checks them), and the limits */
    cJSON *w = cJSON_AddArrayToObject(o, "write");
    if (c->write_df) cJSON_AddItemToArray(w, cJSON_CreateString("df-json"));
    if (c->write_pdb) cJSON_AddItemToArray(w, cJSON_CreateString("pdb"));
    if (c->write_html) cJSON_AddItemToArray(w, cJSON_CreateString("html"));
    unsigned bit;
    for (size_t i = 0; exports_kind_at(i, &bit); i++)
        if (c->exports.kinds & bit) cJSON_AddItemToArray(w, cJSON_CreateString(exports_kind_at(i, NULL)));
    /* the docking boxes' settings: which volumes have Vina and DX files, and their size */
    cJSON_AddItemToObject(o, "box_padding", pyjson_float(c->exports.box_padding));
    cJSON *types = cJSON_AddArrayToObject(o, "box_types");
    for (int t = VOX_HUB; t <= VOX_OCCLUDED; t++)
        if (c->exports.box_types & EXPORT_TYPE_BIT(t))
            cJSON_AddItemToArray(types, cJSON_CreateString(vox_volume_type_name((vox_volume_type)t)));
    /* the frame settings, which change the volumes (--no-align, --frame-signs) or the annotated
     * structure's coordinates (--output-frame): shards that differ in them are no one run */
    cJSON_AddBoolToObject(o, "align", c->align);
    cJSON_AddStringToObject(o, "frame_signs", c->frame_signs == VOX_FRAME_SIGNS_CANONICAL ? "canonical" : "volumizer");
    cJSON_AddStringToObject(o, "output_frame", c->output_frame == VOX_FRAME_INPUT ? "input" : "aligned");
    cJSON_AddItemToObject(o, "max_memory", c->max_memory ? pyjson_int((long long)c->max_memory) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "max_input_bytes", c->max_input_bytes ? pyjson_int((long long)c->max_input_bytes)
                                                                    : cJSON_CreateNull());
    return o;
}


/* Whether a process that kill(pid, 0) finds is exiting or a zombie: killed (kill -9, a Slurm time limit,
 * `timeout -s KILL`) and not yet reaped by its parent, it still answers kill() although it will never
 * write again, and a --resume started at once would keep its temporaries.  From /proc/PID/stat: the
 * state after the last ')' (the name may hold any), and PF_EXITING (0x4) among the flags, 9th field. */
static int pid_ending(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0; /* no /proc: trust kill() */
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    char state = 0;
    unsigned long flags = 0;
    if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2)
        return 0;
    return state == 'Z' || state == 'X' || state == 'x' || (flags & 0x4);
}

static int pid_alive(long pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM) && !pid_ending(pid);
}

void run_record_path(const run_config *c, const char *what, char *out, size_t cap)
{
    if (c->num_shards > 1)
        snprintf(out, cap, "%s/run.shard-%ld-of-%ld.%s.json", c->output_dir, c->shard_index, c->num_shards, what);
    else
        snprintf(out, cap, "%s/run.%s.json", c->output_dir, what);
}

/* digits, then the text that must follow them; NULL when there are none or it does not */
static const char *after_digits(const char *s, const char *then)
{
    const char *d = s;
    while (*d >= '0' && *d <= '9') d++;
    return d > s && !strncmp(d, then, strlen(then)) ? d + strlen(then) : NULL;
}

int run_record_name(const char *name, const char *what)
{
    if (strncmp(name, "run.", 4))
        return 0;
    const char *p = name + 4;
    /* K and N as run_record_path prints them (%ld of values >= 0): digits only */
    if (!strncmp(p, "shard-", 6) && (p = after_digits(p + 6, "-of-")) != NULL)
        p = after_digits(p, ".");
    const size_t n = strlen(what);
    return p && !strncmp(p, what, n) && !strcmp(p + n, ".json");
}

int run_record_shard(const char *path, long *k, long *n)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    /* N as vox analyze takes it: a larger one is no shard's (its K of N could not all be looked for) */
    if (sscanf(base, "run.shard-%ld-of-%ld.", k, n) == 2 && *n >= 1 && *n <= VOX_MAX_SHARDS && *k >= 0 && *k < *n)
        return 1;
    *k = *n = -1;
    return 0;
}

int run_record_kind(const char *name)
{
    return run_record_name(name, "checkpoint") ? 0 : !strcmp(name, "run.summary.json") ? 2 : 1;
}

int run_record_older(const run_record_rank *x, const run_record_rank *y)
{
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    return strcmp(x->name, y->name);
}

void remove_dead_temporaries(const char *dir, const char *prefix, const char *const *suffixes, size_t nsuffixes)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    const size_t pl = prefix ? strlen(prefix) : 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t tl;
        long pid;
        if (!vox_temp_owner(de->d_name, &tl, &pid) || pid_alive(pid))
            continue;
        if (tl < pl || (pl && memcmp(de->d_name, prefix, pl) != 0))
            continue;
        int match = nsuffixes == 0;
        for (size_t k = 0; !match && k < nsuffixes; k++) {
            size_t kl = strlen(suffixes[k]);
            match = tl >= kl && !memcmp(de->d_name + tl - kl, suffixes[k], kl);
        }
        if (match) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            unlink(p);
        }
    }
    closedir(d);
}
