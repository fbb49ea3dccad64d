/* batch.c - `vox analyze` over many structures: directory inputs, shards, parallel jobs,
 * progress, an atomically rewritten checkpoint, --resume, --dry-run and the run summary
 *
 * Nothing a finished structure wrote is ever lost: each output is renamed
 * into place complete, and --resume trusts only outputs that validate
 * (volumizer's rule, ALGORITHM.md §14.4) - the checkpoint is a record for
 * people and tools, never read back.  A kill -9 therefore costs at most the
 * structures in flight; their temporary files are removed by the next run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "dirlock.h"
#include "mpi_link.h"
#include "report.h"
#include "pyjson.h"
#include "readers.h"
#include "walk.h"


enum { E_PENDING, E_OK, E_FAILED, E_SKIPPED, E_PLANNED };

typedef struct entry {
    char *path;
    char label[256];
    char pdb_id[8];       /* from a manifest, or "" */
    cJSON *members;       /* cluster_member_pdb_ids from a manifest, or NULL */
    char *early_error;    /* an entry that cannot run (e.g. a PDB id with no local file) */
    int duplicate;        /* an earlier entry has the same label */
    int by_id;            /* named by its pdb_id alone: path is its download */
    int unnamed;          /* a manifest entry with no usable path or id: path is "<manifest>#k" */
    int listed;           /* from a manifest or summary (not an argument, which may be a folder to search) */
    int state;
    outcome oc;
} entry;

typedef struct batch {
    const run_config *c;
    entry *e;
    size_t n;
    pthread_mutex_t lock;
    size_t next, done, failed, skipped;
    int stop;                 /* --fail-fast after a failure */
    size_t printed;           /* entries whose output went to the terminal, in order */
    double start, last_progress, last_checkpoint;
    size_t checkpoint_done;   /* b->done when the checkpoint was last written (SIZE_MAX: never) */
    size_t progress_lines;    /* progress lines printed (not on a terminal) */
    int tty;
    FILE *jsonl;
    const char *jsonl_path; /* --progress-jsonl, for messages */
    char checkpoint[PATH_MAX];
    char plan[24];            /* plan_fingerprint: under MPI every rank's must be rank 0's */
    cJSON *shard_plan;        /* a shard's: the whole plan it took its share of (shard_plan_json) */
} batch;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void iso_now(char out[64])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 64, "%s.%06ld+00:00", base, (long)(ts.tv_nsec / 1000));
}

/* ---- inputs ----------------------------------------------------------------- */

static void add_path(paths *ps, const char *p) { add_input(ps, p); }
static void add_walked(void *ps, const char *p) { add_path(ps, p); }

/* ---- manifests, summaries, checkpoint, outputs (readers.c) --------------------- */

static int add_manifest(paths *ps, const run_config *c)
{
    char why[256];
    char *text = read_text_file(c->manifest, (size_t)1 << 30, NULL);
    int ok = manifest_entries(text, c->manifest, c, ps, why, sizeof why);
    if (!ok)
        fprintf(stderr, "vox analyze: %s: %s\n", c->manifest, text ? why : text_file_error(errno));
    free(text);
    return ok;
}

static int shard_of(const cJSON *doc, long *k, long *n);

/* Each line of notes on stderr as "vox analyze: [FILE: ]line". */
static void print_notes(const vox_buf *notes, const char *file)
{
    for (const char *line = notes->data, *nl; line && *line && (nl = strchr(line, '\n')); line = nl + 1)
        fprintf(stderr, "vox analyze: %s%s%.*s\n", file ? file : "", file ? ": " : "", (int)(nl - line), line);
}

/* *own: the summary is this very shard's (its settings say shard K of N, as this run's
 * --num-shards N --shard-index K): a Slurm array replaying each task's failures with
 * --from-summary OUT/run.shard-$K-of-N.summary.json.  Its entries are this shard's
 * already; taking every N-th of them again would leave the others undone. */
static int add_summary(paths *ps, const run_config *c, int *own, cJSON **own_plan)
{
    char *text = read_text_file(c->from_summary, (size_t)1 << 30, NULL);
    char why[256] = "";
    vox_buf notes = {0};
    int ok = summary_entries(text, c->only, ps, &notes, why, sizeof why);
    if (!ok)
        fprintf(stderr, "vox analyze: %s: %s\n", c->from_summary, text ? why : text_file_error(errno));
    if (ok)
        print_notes(&notes, c->from_summary);
    vox_buf_free(&notes);
    cJSON *doc = ok && c->num_shards > 1 ? json_parse(text, 1) : NULL;
    long k, n;
    *own = doc && shard_of(doc, &k, &n) && n == c->num_shards && k == c->shard_index;
    /* its entries are a part of the plan that summary's run shared out: still that plan */
    const cJSON *plan = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "config"), "shard_plan");
    if (*own && cJSON_IsObject(plan))
        *own_plan = cJSON_Duplicate(plan, 1);
    cJSON_Delete(doc);
    free(text);
    return ok;
}

/* On --resume, an existing checkpoint is read for the record. */
static void read_checkpoint(const batch *b)
{
    if (!b->checkpoint[0])
        return;
    char *text = read_text_file(b->checkpoint, (size_t)1 << 30, NULL);
    vox_buf notes = {0};
    checkpoint_notes(text, access(b->checkpoint, F_OK) == 0, b->checkpoint, b->c, &notes);
    free(text);
    print_notes(&notes, NULL);
    vox_buf_free(&notes);
}

/* An entry's annotated mmCIF and annotation JSON, as volumizer names them (the output folder joined
 * with the label's names): made when needed, not kept per entry (two paths of PATH_MAX each made
 * an entry 10 KB, a million-entry plan 10 GB).  0 when they do not fit a path. */
static int entry_outputs(const run_config *c, const entry *e, char cif[PATH_MAX], char json[PATH_MAX])
{
    char name[sizeof e->label + 32];
    snprintf(name, sizeof name, "%s.annotated.cif", e->label);
    int fits = py_join(c->output_dir, name, cif, PATH_MAX);
    snprintf(name, sizeof name, "%s.annotation.json", e->label);
    return py_join(c->output_dir, name, json, PATH_MAX) && fits;
}

/* --resume's rule (readers.c): every output this run asks for exists and validates. */
static int valid_outputs(const run_config *c, const entry *e, outcome *o)
{
    char why[PATH_MAX + 300], cif[PATH_MAX], json[PATH_MAX];
    entry_outputs(c, e, cif, json);
    return outputs_valid(c, e->label, cif, json, o, why, sizeof why);
}

/* The files a run of vox analyze writes (their stray temporaries are removed at start-up), besides the
 * exports (exports.c names those) and the report's pages and folder (report.c names those): each
 * structure's, <label> and one of these, and the run's records. */
static const char *const structure_outputs[] = {".annotation.json", ".annotated.cif", ".df.json", ".annotated.pdb"};
static const char *const run_record_suffixes[] = {".summary.json", ".checkpoint.json", ".failures.json"};
#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

/* What killed runs left in the output directory: temporaries of its outputs whose writer is dead. */
static void remove_dead_runs_temporaries(const char *dir)
{
    const char *suffixes[COUNT_OF(structure_outputs) + COUNT_OF(run_record_suffixes) + 8];
    size_t n = 0;
    for (size_t i = 0; i < COUNT_OF(structure_outputs); i++)
        suffixes[n++] = structure_outputs[i];
    for (size_t i = 0; i < COUNT_OF(run_record_suffixes); i++)
        suffixes[n++] = run_record_suffixes[i];
    unsigned kind;
    for (size_t i = 0; exports_kind_at(i, &kind) && n < sizeof suffixes / sizeof *suffixes; i++)
        suffixes[n++] = exports_kind_suffix(kind);
    remove_dead_temporaries(dir, NULL, suffixes, n);
    report_remove_dead_temporaries(dir);
}

/* ---- records, summary, checkpoint ------------------------------------------- */

static cJSON *record(const run_config *c, const entry *e)
{
    cJSON *r = cJSON_CreateObject();
    char pid[8];
    int has_pid = e->pdb_id[0] ? (strcpy(pid, e->pdb_id), 1) : normalize_pdb_id(e->label, pid);
    cJSON_AddStringToObject(r, "source", e->label);
    if (e->state == E_FAILED) {
        cJSON_AddStringToObject(r, "input_path", e->path);
        cJSON_AddStringToObject(r, "error", e->oc.error);
        cJSON_AddStringToObject(r, "error_type", e->oc.error_type);
        char repr[1400];
        const char *msg = strlen(e->oc.error) > strlen(e->oc.error_type) + 2 ? e->oc.error + strlen(e->oc.error_type) + 2 : "";
        snprintf(repr, sizeof repr, "%s(%s)", e->oc.error_type, msg);
        cJSON_AddStringToObject(r, "error_repr", repr);
        cJSON_AddNullToObject(r, "traceback");
        if (e->members) cJSON_AddItemToObject(r, "cluster_member_pdb_ids", cJSON_Duplicate(e->members, 1));
        return r;
    }
    cJSON_AddItemToObject(r, "pdb_id", pyjson_str_or_null(has_pid ? pid : NULL));
    cJSON_AddStringToObject(r, "input_path", e->path);
    char cif[PATH_MAX], json[PATH_MAX];
    entry_outputs(c, e, cif, json);
    cJSON_AddStringToObject(r, "structure_output", cif);
    cJSON_AddStringToObject(r, "annotation_output", json);
    if (e->members) cJSON_AddItemToObject(r, "cluster_member_pdb_ids", cJSON_Duplicate(e->members, 1));
    if (e->state == E_PLANNED)
        return r;
    if (e->state == E_SKIPPED && e->oc.skipped) { /* --max-memory: not analysed */
        cJSON_AddStringToObject(r, "reason", "over_max_memory");
        cJSON_AddStringToObject(r, "detail", e->oc.skip_reason);
        cJSON_AddItemToObject(r, "predicted_bytes", pyjson_int((long long)e->oc.predicted_bytes));
        return r;
    }
    if (e->state == E_SKIPPED)
        cJSON_AddStringToObject(r, "reason", "resume_existing_outputs");
    cJSON_AddItemToObject(r, "num_volumes", pyjson_int((long long)e->oc.num_volumes));
    cJSON_AddItemToObject(r, "largest_type", pyjson_str_or_null(e->oc.largest_type));
    cJSON_AddItemToObject(r, "largest_volume", e->oc.largest_type ? pyjson_float(e->oc.largest_volume) : cJSON_CreateNull());
    return r;
}

/* The summary (or, for the checkpoint, its entries so far) in volumizer's layout. */
static cJSON *records_json(const batch *b, int checkpoint)
{
    cJSON *root = cJSON_CreateObject();
    if (checkpoint) {
        char ts[64];
        iso_now(ts);
        cJSON_AddItemToObject(root, "checkpoint_format", pyjson_int(1));
        cJSON_AddItemToObject(root, "schema", pyjson_int(CHECKPOINT_SCHEMA));
        cJSON_AddStringToObject(root, "updated_at", ts);
        cJSON_AddItemToObject(root, "signature", config_json(b->c));
    } else {
        cJSON_AddItemToObject(root, "schema", pyjson_int(SUMMARY_SCHEMA));
        cJSON_AddItemToObject(root, "config", config_json(b->c));
    }
    if (b->shard_plan)
        cJSON_AddItemToObject(cJSON_GetObjectItem(root, checkpoint ? "signature" : "config"), "shard_plan",
                              cJSON_Duplicate(b->shard_plan, 1));
    cJSON *arr[5] = {NULL, cJSON_CreateArray(), cJSON_CreateArray(), cJSON_CreateArray(), cJSON_CreateArray()};
    size_t count[5] = {0};
    for (size_t i = 0; i < b->n; i++) {
        if (b->e[i].state == E_PENDING)
            continue;
        cJSON_AddItemToArray(arr[b->e[i].state], record(b->c, &b->e[i]));
        count[b->e[i].state]++;
    }
    if (!checkpoint) {
        cJSON_AddItemToObject(root, "num_processed", pyjson_int((long long)count[E_OK]));
        cJSON_AddItemToObject(root, "num_failed", pyjson_int((long long)count[E_FAILED]));
        cJSON_AddItemToObject(root, "num_skipped", pyjson_int((long long)count[E_SKIPPED]));
        cJSON_AddItemToObject(root, "num_planned", pyjson_int((long long)count[E_PLANNED]));
    }
    cJSON_AddItemToObject(root, "results", arr[E_OK]);
    cJSON_AddItemToObject(root, "errors", arr[E_FAILED]);
    cJSON_AddItemToObject(root, "skipped", arr[E_SKIPPED]);
    cJSON_AddItemToObject(root, "planned", arr[E_PLANNED]);
    return root;
}

/* Writes a JSON document atomically; on failure says why (the message names the path). */
static int write_json_file(const char *cmd, const char *path, const cJSON *root)
{
    vox_buf buf = {0};
    pyjson_print(&buf, root);
    char why[PATH_MAX + 256] = "out of memory";
    int ok = !buf.oom && vox_write_file_atomic_msg(path, buf.data ? buf.data : "", buf.len, why, sizeof why) == VOX_OK;
    if (!ok)
        fprintf(stderr, "vox %s: %s\n", cmd, why);
    vox_buf_free(&buf);
    return ok;
}

static void write_checkpoint(batch *b)
{
    if (!b->checkpoint[0])
        return;
    cJSON *j = records_json(b, 1);
    write_json_file("analyze", b->checkpoint, j);
    cJSON_Delete(j);
    b->last_checkpoint = now();
    b->checkpoint_done = b->done;
}

/* ---- progress ---------------------------------------------------------------- */

/* Progress events that cannot be written (a full disk, a FIFO whose reader
 * went away) stop with one warning; the run goes on. */
static void stop_events(batch *b)
{
    fprintf(stderr, "vox analyze: warning: cannot write progress events to %s: %s; no more are written\n",
            b->jsonl_path, strerror(errno));
    fclose(b->jsonl);
    b->jsonl = NULL;
}

/* --progress-jsonl PATH opened for writing, or NULL after saying why.  A
 * FIFO with no reader is not waited for (opening it would block the run,
 * holding the folder's lock, until one came). */
static FILE *open_events(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd < 0) {
        fprintf(stderr, "vox analyze: cannot write %s: %s (no progress events)\n", path,
                errno == ENXIO ? "a FIFO (named pipe) that no process reads" : strerror(errno));
        return NULL;
    }
    const int flags = fcntl(fd, F_GETFL);
    FILE *f = flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "vox analyze: cannot write %s: %s (no progress events)\n", path, strerror(errno));
        close(fd);
    }
    return f;
}

static void event(batch *b, const char *name, const entry *e, const char *extra_key, const char *extra_str,
                  long extra_num)
{
    if (!b->jsonl)
        return;
    char ts[64];
    iso_now(ts);
    vox_buf l = {0};
    vox_buf_printf(&l, "{\"ts\": \"%s\", \"event\": \"%s\"", ts, name);
    if (e) {
        vox_buf_puts(&l, ", \"source\": ");
        vox_json_string(&l, e->label);
        vox_buf_puts(&l, ", \"input_path\": ");
        vox_json_string(&l, e->path);
    }
    if (extra_key && extra_str) {
        vox_buf_printf(&l, ", \"%s\": ", extra_key);
        vox_json_string(&l, extra_str);
    } else if (extra_key) {
        vox_buf_printf(&l, ", \"%s\": %ld", extra_key, extra_num);
    }
    vox_buf_puts(&l, "}\n");
    if (l.data && (fputs(l.data, b->jsonl) < 0 || fflush(b->jsonl) != 0))
        stop_events(b);
    vox_buf_free(&l);
}

static void progress(batch *b, int final)
{
    double t = now(), el = t - b->start;
    double rate = el > 0 ? (double)b->done / el : 0;
    double eta = rate > 0 ? (double)(b->n - b->done) / rate : 0;
    if (b->tty) {
        if (!final && t - b->last_progress < 0.1)
            return;
        int width = 30, fill = b->n ? (int)((double)b->done / (double)b->n * width) : width;
        fprintf(stderr, "\r[%.*s%.*s] %zu/%zu %3.0f%% %.1f/s ETA %.0fs failed %zu", fill,
                "##############################", width - fill, "..............................", b->done, b->n,
                b->n ? 100.0 * (double)b->done / (double)b->n : 100.0, rate, eta, b->failed);
        if (final)
            fputc('\n', stderr);
    } else {
        if (b->c->progress_interval <= 0 || (!final && t - b->last_progress < b->c->progress_interval))
            return;
        /* --quiet: the closing line only ends a series of progress lines, it never stands alone */
        if (final && b->c->quiet && !b->progress_lines)
            return;
        fprintf(stderr, "vox analyze: %zu/%zu done (%zu failed, %zu skipped), %.1f structures/s, ETA %.0f s\n",
                b->done, b->n, b->failed, b->skipped, rate, eta);
        b->progress_lines++;
    }
    b->last_progress = t;
}

/* ---- the workers --------------------------------------------------------------- */

/* Slurm's time limit and scancel send SIGTERM, then SIGKILL 30 s later (KillWait); Ctrl-C sends
 * SIGINT.  The first of either stops the run: no entry is started after it, the structures in
 * flight finish, the checkpoint is written as each does (before, the last one could be a second and
 * several entries old), and the run ends with the signal's status, 128 + its number, and no
 * summary (it did not finish).  A second signal takes its default action at once.  A handler and
 * a flag, not a thread that waits for the signal: a second thread made every single-threaded run
 * pay glibc's locking, 6 ms of a 40 ms run.  (The flag is process-wide, as the signal is.) */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
    static const char note[] = "vox analyze: stopping once the structures in flight are done; the checkpoint lists every "
                               "one finished (a second signal stops at once)\n";
    ssize_t unused = write(2, note, sizeof note - 1);
    (void)unused;
}

typedef struct stop_signals {
    struct sigaction term, intr; /* the dispositions before */
    int set;
} stop_signals;

static void stop_signals_catch(stop_signals *s)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART | SA_RESETHAND; /* the library's reads and writes go on; a second signal kills */
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    s->set = sigaction(SIGTERM, &sa, &s->term) == 0 && sigaction(SIGINT, &sa, &s->intr) == 0;
}

static void stop_signals_release(stop_signals *s)
{
    if (!s->set)
        return;
    sigaction(SIGTERM, &s->term, NULL);
    sigaction(SIGINT, &s->intr, NULL);
}


/* A message line on stderr with the control characters of file names in it (a newline, an escape
 * sequence that clears a terminal) written '?': one line a message, as a log parser reads them.
 * The records keep the names exactly (JSON escapes them). */
static void print_message(const char *prefix, const char *path, const char *what, const char *text)
{
    vox_buf line = {0};
    vox_buf_printf(&line, "%s: %s: %s%s", prefix, path, what, text);
    for (size_t i = 0; i < line.len; i++)
        if ((unsigned char)line.data[i] < 0x20 || line.data[i] == 0x7f)
            line.data[i] = '?';
    if (line.data)
        fprintf(stderr, "%s\n", line.data);
    vox_buf_free(&line);
}

/* Prints, in input order, every finished entry's table and messages. */
static void flush_output(batch *b)
{
    while (b->printed < b->n && b->e[b->printed].state != E_PENDING) {
        entry *e = &b->e[b->printed++];
        if (b->tty && (e->oc.out.len || e->oc.err.len))
            fputs("\r\033[K", stderr);
        if (e->oc.out.data) fputs(e->oc.out.data, stdout);
        if (e->oc.err.data) fputs(e->oc.err.data, stderr);
        if (e->state == E_FAILED)
            print_message("vox analyze", e->path, "", e->oc.error);
        if (e->state == E_SKIPPED && e->oc.skipped)
            print_message("vox analyze", e->path, "skipped: ", e->oc.skip_reason);
        vox_buf_free(&e->oc.out);
        vox_buf_free(&e->oc.err);
    }
    fflush(stdout);
}

static void finish(batch *b, entry *e, int state)
{
    pthread_mutex_lock(&b->lock);
    e->state = state;
    b->done++;
    if (state == E_FAILED) {
        b->failed++;
        if (b->c->fail_fast)
            b->stop = 1;
        event(b, "structure_failed", e, "error", e->oc.error, 0);
    } else if (state == E_SKIPPED) {
        b->skipped++;
        event(b, "structure_skipped", e, "reason", e->oc.skipped ? "over_max_memory" : "resume_existing_outputs", 0);
    } else if (state == E_OK) {
        event(b, "structure_succeeded", e, "num_volumes", NULL, (long)e->oc.num_volumes);
    }
    flush_output(b);
    progress(b, 0);
    /* at most once a second (it lists every entry), and at once when a signal stops the run */
    if (stop_signal || now() - b->last_checkpoint >= 1.0)
        write_checkpoint(b);
    pthread_mutex_unlock(&b->lock);
}

/* One entry's work, without touching the shared state: returns its state. */
static int compute_entry(const batch *b, vox_ctx *ctx, entry *e)
{
    /* an entry that failed before it ran (a manifest entry without a path or id) says its own error, not a
     * clash of the label it was given */
    if (e->early_error) {
        memset(&e->oc, 0, sizeof e->oc);
        error_text(e->oc.error, sizeof e->oc.error, "%s", e->early_error);
        const char *colon = strchr(e->early_error, ':');
        snprintf(e->oc.error_type, sizeof e->oc.error_type, "%.*s", colon ? (int)(colon - e->early_error) : 8,
                 colon ? e->early_error : "VoxError");
        return E_FAILED;
    }
    if (e->duplicate) {
        memset(&e->oc, 0, sizeof e->oc);
        snprintf(e->oc.error_type, sizeof e->oc.error_type, "ValueError");
        error_text(e->oc.error, sizeof e->oc.error, "ValueError: label '%s' of %s " LABEL_USED_ERROR,
                 e->label, e->path);
        return E_FAILED;
    }
    struct stat sb, out;
    if (stat(e->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        memset(&e->oc, 0, sizeof e->oc);
        snprintf(e->oc.error_type, sizeof e->oc.error_type, "IOError");
        if (stat(b->c->output_dir, &out) == 0 && out.st_dev == sb.st_dev && out.st_ino == sb.st_ino)
            error_text(e->oc.error, sizeof e->oc.error,
                     "IOError: %s: the output directory, which is not searched for inputs (vox's outputs are not "
                     "structures to analyse): give another --output-dir", e->path);
        else if (e->listed) /* an entry names one structure file: a folder is not searched */
            error_text(e->oc.error, sizeof e->oc.error,
                     "IOError: %s: a directory, not a structure file: a manifest's or summary's entry names one file "
                     "(give the directory as an argument of vox analyze to search it)", e->path);
        else
            error_text(e->oc.error, sizeof e->oc.error,
                     "IOError: %s: no structure files (PDB or mmCIF, optionally gzip-compressed) in this directory",
                     e->path);
        return E_FAILED;
    }
    if (b->c->resume && valid_outputs(b->c, e, &e->oc))
        return E_SKIPPED;
    /* --resume redoes outputs that do not validate, replacing them (§14.4) */
    run_config redo = *b->c;
    redo.overwrite |= b->c->resume;
    char cif[PATH_MAX], json[PATH_MAX];
    entry_outputs(b->c, e, cif, json);
    analyze_one(ctx, &redo, e->path, e->label, cif, json, &e->oc);
    return e->oc.skipped ? E_SKIPPED : e->oc.ok ? E_OK : E_FAILED;
}

static vox_ctx *worker_context(const run_config *c)
{
    vox_options o;
    vox_options_init(&o);
    o.isa = c->isa;
    o.profile = c->profile;
    /* several jobs already fill the cores: one thread each unless asked */
    o.threads = c->threads ? c->threads : c->jobs > 1 && !getenv("VOX_THREADS") ? 1 : 0;
    if (c->max_grid_voxels)
        o.max_grid_voxels = c->max_grid_voxels;
    if (c->log) {
        o.log = cli_log_line;
        o.log_cookie = c->log;
    }
    vox_ctx *ctx = NULL;
    vox_ctx_create(&ctx, &o);
    return ctx;
}

/* Takes the next entry (and announces it), or returns n when there is none. */
static size_t take(batch *b)
{
    pthread_mutex_lock(&b->lock);
    size_t i = b->next < b->n && !b->stop && !stop_signal ? b->next++ : b->n;
    if (i < b->n)
        event(b, "structure_started", &b->e[i], NULL, NULL, 0);
    pthread_mutex_unlock(&b->lock);
    return i;
}

static void *worker(void *arg)
{
    batch *b = arg;
    vox_ctx *ctx = worker_context(b->c);
    for (size_t i; (i = take(b)) < b->n;) {
        int state = compute_entry(b, ctx, &b->e[i]);
        finish(b, &b->e[i], state);
    }
    vox_ctx_destroy(&ctx);
    return NULL;
}

/* ---- MPI: entries handed out one at a time by rank 0 ----------------------------
 *
 * Every rank builds the same entry list.  Workers ask rank 0 for an entry,
 * analyse it and write its outputs themselves, then send back its outcome
 * (as JSON) with the next request; rank 0 hands out entries as requests
 * come (a rank that finishes early simply asks again), works on entries
 * itself in between, and alone prints, reports progress, and writes the
 * checkpoint and the summary. */
enum { TAG_REQ = 1, TAG_WORK = 2 };
/* The process's MPI (mpi_link.h): ranks > 1 only under mpirun with the module loaded. */
static mpi_link mpi;

int batch_mpi_start(int *argc, char ***argv)
{
    char err[2300];
    if (mpi_link_start(argc, argv, &mpi, err, sizeof err))
        return 1;
    fprintf(stderr, "vox: %s\n", err);
    return 0;
}

void batch_mpi_end(void) { mpi_link_end(&mpi); }

#define FNV_OFFSET 1469598103934665603ull

/* h and string s hashed on (FNV-1a), its NUL too: "ab" then "c" is not "a" then "bc". */
static unsigned long long fnv1a(unsigned long long h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        h = (h ^ *p) * 1099511628211ull;
        if (!*p)
            return h;
    }
}

/* The entries in order (path and label each), hashed: ranks hand out entries by index, so each
 * worker's list must be rank 0's.  Every rank lists the inputs itself; a folder that changes
 * between their listings, or a shared file system that shows a new file late on one host, gives
 * one rank another list, whose index i is another structure (or none).  As 16 hex digits, the
 * form a worker's first request carries it in. */
static void plan_fingerprint(const batch *b, char hex[24])
{
    unsigned long long h = FNV_OFFSET;
    for (size_t i = 0; i < b->n; i++)
        h = fnv1a(fnv1a(h, b->e[i].path ? b->e[i].path : ""), b->e[i].label);
    snprintf(hex, 24, "%016llx", h ^ (unsigned long long)b->n);
}

/* idx < 0: a worker's first request, which carries its plan (n entries, fingerprint). */
static char *outcome_json(long idx, int state, const outcome *o, const batch *b)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "i", (double)idx);
    cJSON_AddNumberToObject(j, "state", state);
    if (idx < 0) {
        cJSON_AddStringToObject(j, "plan", b->plan);
        cJSON_AddNumberToObject(j, "n", (double)b->n);
    }
    if (idx >= 0) {
        cJSON_AddNumberToObject(j, "ok", o->ok);
        cJSON_AddNumberToObject(j, "num_volumes", (double)o->num_volumes);
        cJSON_AddStringToObject(j, "largest_type", o->largest_type ? o->largest_type : "");
        cJSON_AddNumberToObject(j, "largest_volume", o->largest_volume);
        cJSON_AddStringToObject(j, "error", o->error);
        cJSON_AddStringToObject(j, "error_type", o->error_type);
        cJSON_AddStringToObject(j, "out", o->out.data ? o->out.data : "");
        cJSON_AddStringToObject(j, "err", o->err.data ? o->err.data : "");
        cJSON_AddNumberToObject(j, "skipped", o->skipped);
        cJSON_AddStringToObject(j, "skip_reason", o->skip_reason);
        cJSON_AddNumberToObject(j, "predicted_bytes", (double)o->predicted_bytes);
    }
    char *txt = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return txt;
}

static long apply_outcome(batch *b, const cJSON *j, int *state)
{
    long i = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "i"));
    if (i >= 0 && (size_t)i < b->n) {
        outcome *o = &b->e[i].oc;
        memset(o, 0, sizeof *o);
        *state = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "state"));
        o->ok = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "ok"));
        o->num_volumes = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "num_volumes"));
        const char *lt = cJSON_GetStringValue(cJSON_GetObjectItem(j, "largest_type"));
        static const char *const types[] = {"hub", "pore", "pocket", "cavity"};
        for (int t = 0; t < 4 && lt; t++)
            if (!strcmp(lt, types[t])) o->largest_type = types[t];
        o->largest_volume = cJSON_GetNumberValue(cJSON_GetObjectItem(j, "largest_volume"));
        error_text(o->error, sizeof o->error, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(j, "error")));
        snprintf(o->error_type, sizeof o->error_type, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(j, "error_type")));
        vox_buf_puts(&o->out, cJSON_GetStringValue(cJSON_GetObjectItem(j, "out")));
        vox_buf_puts(&o->err, cJSON_GetStringValue(cJSON_GetObjectItem(j, "err")));
        o->skipped = cJSON_IsTrue(cJSON_GetObjectItem(j, "skipped")) || cJSON_GetNumberValue(cJSON_GetObjectItem(j, "skipped")) == 1;
        snprintf(o->skip_reason, sizeof o->skip_reason, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(j, "skip_reason")));
        o->predicted_bytes = (unsigned long long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "predicted_bytes"));
    }
    return i;
}

/* A worker's first request says its plan; any other request passes.  Says why a worker is left out. */
static int same_plan(batch *b, const cJSON *j, int src)
{
    const cJSON *i = cJSON_GetObjectItem(j, "i");
    int first = cJSON_IsNumber(i) && i->valuedouble < 0, ok = 1;
    if (first) {
        const char *theirs = cJSON_GetStringValue(cJSON_GetObjectItem(j, "plan"));
        double n = cJSON_GetNumberValue(cJSON_GetObjectItem(j, "n"));
        ok = theirs && !strcmp(theirs, b->plan);
        if (!ok) {
            pthread_mutex_lock(&b->lock);
            fprintf(stderr, "vox analyze: rank %d listed other inputs than rank 0 (%.0f entries, rank 0 %zu, or the "
                    "same number in another order or under other names): a folder changed while the ranks listed it, "
                    "or the file system shows it differently on that rank's host; rank %d analyses nothing, the other "
                    "ranks do rank 0's list\n", src, isnan(n) ? -1.0 : n, b->n, src);
            pthread_mutex_unlock(&b->lock);
        }
    }
    return ok;
}

static void mpi_worker(batch *b)
{
    vox_ctx *ctx = worker_context(b->c);
    long idx = -1;
    int state = 0;
    for (;;) {
        char *txt = outcome_json(idx, state, idx >= 0 ? &b->e[idx].oc : NULL, b);
        mpi.send(txt, (int)strlen(txt) + 1, 0, TAG_REQ);
        free(txt);
        if (idx >= 0) {
            vox_buf_free(&b->e[idx].oc.out);
            vox_buf_free(&b->e[idx].oc.err);
        }
        long next = -1;
        if (mpi.recv(&next, (int)sizeof next, 0, TAG_WORK) != 0)
            next = -1;
        if (next < 0 || (size_t)next >= b->n) /* past this rank's list: rank 0 would not send it (plan) */
            break;
        idx = next;
        state = compute_entry(b, ctx, &b->e[idx]);
    }
    vox_ctx_destroy(&ctx);
}

/* Rank 0's dispatcher: answers the workers' requests while rank 0's own
 * analysis runs in the ordinary worker loop; it polls with short sleeps so
 * it does not take a core from that analysis. */
static void *mpi_dispatcher(void *arg)
{
    batch *b = arg;
    int active = mpi.ranks - 1;
    const struct timespec nap = {0, 500000};
    while (active > 0) {
        int src = 0, len = 0;
        if (!mpi.poll(TAG_REQ, &src, &len)) {
            nanosleep(&nap, NULL);
            continue;
        }
        char *txt = malloc((size_t)len + 1);
        if (!txt || mpi.recv(txt, len, src, TAG_REQ) != 0) {
            fprintf(stderr, "vox analyze: rank 0 cannot receive from rank %d (%d bytes)\n", src, len);
            abort(); /* MPI aborts the job: the other ranks would wait for an answer forever */
        }
        txt[len] = '\0';
        cJSON *req = cJSON_Parse(txt);
        free(txt);
        if (!same_plan(b, req, src)) { /* this rank's index i is not rank 0's entry i: it gets none */
            cJSON_Delete(req);
            long none = -1;
            mpi.send(&none, (int)sizeof none, src, TAG_WORK);
            active--;
            continue;
        }
        int state = 0;
        long done = apply_outcome(b, req, &state);
        cJSON_Delete(req);
        if (done >= 0)
            finish(b, &b->e[done], state);
        size_t i = take(b);
        long give = i < b->n ? (long)i : -1;
        mpi.send(&give, (int)sizeof give, src, TAG_WORK);
        if (give < 0)
            active--;
    }
    return NULL;
}

static void mpi_coordinator(batch *b)
{
    pthread_t th;
    pthread_create(&th, NULL, mpi_dispatcher, b);
    worker(b); /* rank 0 analyses too, taking entries from the same queue */
    pthread_join(th, NULL);
}

static void write_failures_manifest(const batch *b, const char *path, const char *summary_path)
{
    cJSON *root = cJSON_CreateObject();
    char ts[64];
    iso_now(ts);
    cJSON_AddItemToObject(root, "manifest_format", pyjson_int(1));
    cJSON_AddStringToObject(root, "created_at", ts);
    cJSON_AddStringToObject(root, "source_command", "analyze");
    cJSON_AddStringToObject(root, "source_summary", summary_path);
    cJSON_AddItemToObject(root, "num_failed", pyjson_int((long long)b->failed));
    cJSON *arr = cJSON_AddArrayToObject(root, "structures");
    for (size_t i = 0; i < b->n; i++) {
        if (b->e[i].state != E_FAILED)
            continue;
        cJSON *s = cJSON_CreateObject();
        char abs[PATH_MAX];
        cJSON_AddStringToObject(s, "source", b->e[i].label);
        /* a PDB id stays one (its replay finds the file in the download folder, .cif or .cif.gz);
         * a path is made absolute, missing or not, so the manifest replays from any folder (a path
         * relative to where this run started was read against the manifest's own folder) */
        if (b->e[i].by_id)
            cJSON_AddStringToObject(s, "pdb_id", b->e[i].pdb_id);
        else if (b->e[i].unnamed) /* no file to name ("<manifest>#k" is none): why, for whoever fixes the entry */
            cJSON_AddStringToObject(s, "error", b->e[i].oc.error);
        else
            cJSON_AddStringToObject(s, "input_path", resolve_path(b->e[i].path, abs, sizeof abs) ? abs : b->e[i].path);
        cJSON_AddItemToArray(arr, s);
    }
    write_json_file("analyze", path, root);
    cJSON_Delete(root);
}

/* qsort_r's order of entry indices: by label, then by index (the entries
 * come as its context, not through a file-static). */
static int cmp_label_then_index(const void *x, const void *y, void *entries)
{
    const entry *e = entries;
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    int c = strcmp(e[a].label, e[b].label);
    return c ? c : (a > b) - (a < b);
}

/* Marks every entry whose label an earlier entry already has (sorted once:
 * thousands of inputs must not cost a comparison of every pair). */
static void mark_duplicate_labels(batch *b)
{
    size_t *order = malloc((b->n + 1) * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < b->n; i++) order[i] = i;
    qsort_r(order, b->n, sizeof *order, cmp_label_then_index, b->e);
    /* an entry that cannot run (its own error: no file for its PDB id, no path) takes no label: it
     * writes nothing, and its label (a manifest's own name, say) must not fail a real input */
    const char *held = NULL;
    for (size_t k = 0; k < b->n; k++) {
        entry *e = &b->e[order[k]];
        if (e->early_error)
            continue;
        e->duplicate = held && !strcmp(e->label, held);
        held = e->label;
    }
    free(order);
}

/* The whole plan a shard takes its share of: how many entries and their labels in order (hashed).  The
 * tasks of a Slurm array start when the queue lets them; a folder that gains or loses a structure in
 * between gives two tasks different lists, so p mod N no longer splits one list (an entry falls to a
 * shard that already ran, or to two) and merge-summaries must refuse them.  The labels, not the paths,
 * so that tasks spelling the same inputs differently (relative, absolute) agree. */
static cJSON *shard_plan_json(const batch *b)
{
    unsigned long long h = FNV_OFFSET;
    for (size_t i = 0; i < b->n; i++)
        h = fnv1a(h, b->e[i].label);
    char hex[24];
    snprintf(hex, sizeof hex, "%016llx", h);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "inputs", pyjson_int((long long)b->n));
    cJSON_AddStringToObject(o, "labels", hex);
    return o;
}

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        vox_buf_free(&b->e[i].oc.out);
        vox_buf_free(&b->e[i].oc.err);
        free(b->e[i].path);
        free(b->e[i].early_error);
        cJSON_Delete(b->e[i].members);
    }
    free(b->e);
    cJSON_Delete(b->shard_plan);
    pthread_mutex_destroy(&b->lock);
}

/* A file vox will write by renaming a new one over it must be a regular file or absent, and its
 * name short enough for its temporary's: said before the run, not after hours of it. */
static int replaceable(const char *option, const char *path, const char *instead)
{
    char why[PATH_MAX + 300];
    if (vox_check_name_length(path, why, sizeof why) != VOX_OK) {
        fprintf(stderr, "vox analyze: %s: %s\n", option, why);
        return 0;
    }
    const char *what;
    vox_path_kind k = vox_file_kind(path, &what);
    if (k == VOX_PATH_NONE || k == VOX_PATH_REGULAR)
        return 1;
    fprintf(stderr, "vox analyze: %s %s: it is %s, not a regular file; vox writes this file by renaming a new one over "
                    "it, which would replace it: give a file path%s\n", option, path, what, instead);
    return 0;
}

/* Where a path lies: the identity of its folder and its last component (the path need not exist),
 * and the file's own identity when it does. */
typedef struct place {
    const char *base;
    dev_t dir_dev, dev;
    ino_t dir_ino, ino;
    int dir_ok, exists;
} place;

static place place_of(const char *path)
{
    place p = {0};
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    p.base = slash ? slash + 1 : path;
    snprintf(dir, sizeof dir, "%.*s", slash ? (slash == path ? 1 : (int)(slash - path)) : 1, slash ? path : ".");
    struct stat sb;
    if (stat(dir, &sb) == 0) {
        p.dir_ok = 1;
        p.dir_dev = sb.st_dev;
        p.dir_ino = sb.st_ino;
    }
    if (stat(path, &sb) == 0) {
        p.exists = 1;
        p.dev = sb.st_dev;
        p.ino = sb.st_ino;
    }
    return p;
}

/* Whether a name's part after its label (".annotation.json", ".pocket-0.vina.txt") is one a run
 * writes: its outputs, the exports, its page. */
static int written_name(const char *rest)
{
    const size_t n = strlen(rest);
    if (!strcmp(rest, ".html") || !strcmp(rest, ".structure.html"))
        return 1;
    for (size_t i = 0; i < COUNT_OF(structure_outputs); i++) {
        const size_t m = strlen(structure_outputs[i]);
        if (n >= m && !strcmp(rest + n - m, structure_outputs[i]))
            return 1;
    }
    unsigned kind;
    for (size_t i = 0; exports_kind_at(i, &kind); i++) {
        const char *suffix = exports_kind_suffix(kind);
        const size_t m = suffix ? strlen(suffix) : 0;
        if (m && n >= m && !strcmp(rest + n - m, suffix))
            return 1;
    }
    return 0;
}

/* One file under two names: the same folder and name, or (both there) the same file. */
static int same_place(const place *a, const place *b)
{
    if (a->exists && b->exists)
        return a->dev == b->dev && a->ino == b->ino;
    return a->dir_ok && b->dir_ok && a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino && !strcmp(a->base, b->base);
}

/* The run's record files (--checkpoint, --progress-jsonl, --failures-manifest) must not be one of
 * its inputs, one another, or a file the run writes in its output directory: the events file is
 * truncated at the start (an input named there was gone before it was read) and the others are
 * renamed over their path (the summary or a structure's annotation replaced by a manifest).
 * Said before anything is written; 0 after saying which. */
static int records_apart(const batch *b, const run_config *c, int quiet)
{
    char default_ckpt[PATH_MAX];
    run_record_path(c, "checkpoint", default_ckpt, sizeof default_ckpt);
    const struct { const char *option, *path; } rec[] = {
        {"--checkpoint", c->no_checkpoint ? NULL : c->checkpoint ? c->checkpoint : default_ckpt},
        {"--progress-jsonl", c->progress_jsonl},
        {"--failures-manifest", c->failures_manifest}};
    enum { NREC = sizeof rec / sizeof *rec };
    place at[NREC];
    const place out = place_of(c->output_dir), own_ckpt = place_of(default_ckpt);
    char why[PATH_MAX + 400] = "";
    for (size_t i = 0; i < NREC && !why[0]; i++) {
        if (!rec[i].path)
            continue;
        at[i] = place_of(rec[i].path);
        for (size_t j = 0; j < i && !why[0]; j++)
            if (rec[j].path && same_place(&at[i], &at[j]))
                snprintf(why, sizeof why, "%s and %s name one file, %s", rec[j].option, rec[i].option, rec[i].path);
        for (size_t k = 0; k < b->n && !why[0]; k++) {
            const entry *e = &b->e[k];
            if (!e->path)
                continue;
            /* a record that is not there yet can only be an input of its own name (a stat an entry
             * otherwise) */
            const char *slash = strrchr(e->path, '/');
            if (!at[i].exists && strcmp(at[i].base, slash ? slash + 1 : e->path))
                continue;
            const place in = place_of(e->path);
            if (same_place(&at[i], &in))
                snprintf(why, sizeof why, "%s %s is an input of this run (%s): writing it would destroy it", rec[i].option,
                         rec[i].path, e->path);
        }
        /* in the output directory: the run's own files (the checkpoint's default path, however
         * spelled, is the checkpoint's) */
        const int in_out = at[i].dir_ok && out.exists && out.dev == at[i].dir_dev && out.ino == at[i].dir_ino;
        if (why[0] || !in_out || (i == 0 && same_place(&at[i], &own_ckpt)))
            continue;
        const char *base = at[i].base;
        if (run_record_name(base, "summary") || run_record_name(base, "checkpoint") || !strcmp(base, ".vox.lock") ||
            !strcmp(base, "index.html"))
            snprintf(why, sizeof why, "%s %s is one of the output directory's run files", rec[i].option, rec[i].path);
        for (size_t k = 0; k < b->n && !why[0]; k++) {
            const size_t n = strlen(b->e[k].label);
            if (n && !strncmp(base, b->e[k].label, n) && base[n] == '.' && written_name(base + n))
                snprintf(why, sizeof why, "%s %s is where this run writes an output of '%s'", rec[i].option,
                         rec[i].path, b->e[k].label);
        }
    }
    if (why[0] && !quiet)
        fprintf(stderr, "vox analyze: %s: give it another path\n", why);
    return !why[0];
}

static int run_batch_stoppable(const run_config *c);

int run_batch(const run_config *c)
{
    /* (under MPI the launcher stops the ranks; rank 0's checkpoints stand) */
    stop_signals caught = {0};
    if (mpi.ranks <= 1)
        stop_signals_catch(&caught);
    const int rc = run_batch_stoppable(c);
    stop_signals_release(&caught);
    return rc;
}

/* run_batch, under the stop signals' handler. */
static int run_batch_stoppable(const run_config *c)
{
    const char *what;
    vox_path_kind out_kind = vox_file_kind(c->output_dir, &what);
    if (out_kind != VOX_PATH_NONE && out_kind != VOX_PATH_DIRECTORY) {
        fprintf(stderr, "vox analyze: cannot use output directory '%s': it is %s, not a directory\n", c->output_dir,
                what);
        return 1;
    }
    if ((c->checkpoint && !c->no_checkpoint && !replaceable("--checkpoint", c->checkpoint, " (or --no-checkpoint)")) ||
        (c->failures_manifest && !replaceable("--failures-manifest", c->failures_manifest, "")))
        return 2;
    /* the library set up first: a bad --isa or VOX_ISA is a usage error that makes no folder */
    vox_options o;
    vox_options_init(&o);
    o.isa = c->isa;
    o.profile = c->profile;
    o.threads = c->threads;
    if (c->log) {
        o.log = cli_log_line;
        o.log_cookie = c->log;
    }
    char detail[1024] = "";
    o.error_detail = detail;
    o.error_detail_size = sizeof detail;
    vox_ctx *probe = NULL;
    vox_status st = vox_ctx_create(&probe, &o);
    if (st != VOX_OK) {
        char why[512];
        explain_ctx_error(st, c->isa, why, sizeof why);
        fprintf(stderr, "vox analyze: %s\n", why);
        return st == VOX_E_ISA_UNKNOWN || st == VOX_E_ISA_UNAVAILABLE ? 2 : 1;
    }
    /* the profile's split of this machine for batches (voxtune), used below when --jobs is not given */
    int split_jobs = 1, split_threads = 0;
    const int split_tuned = vox_ctx_batch_split(probe, &split_jobs, &split_threads);
    /* a profile named (--profile, else $VOX_PROFILE) and not used: a warning, --quiet or not (it hides
     * only the volume tables); the library says nothing of it unless verbose */
    vox_profile_status ps = vox_ctx_profile_status(probe);
    const char *env_profile = getenv("VOX_PROFILE");
    const char *named = c->profile ? c->profile : env_profile;
    if (named && *named && ps != VOX_PROFILE_EXACT && ps != VOX_PROFILE_PARTIAL)
        fprintf(stderr, "vox analyze: warning: %s%s: %s: %s; using the default settings\n",
                c->profile ? "--profile " : "VOX_PROFILE=", named, vox_profile_status_name(ps),
                vox_ctx_profile_detail(probe));
    vox_ctx_destroy(&probe);
    if (mkdir_p(c->output_dir) != 0 || access(c->output_dir, W_OK | X_OK) != 0) {
        char why[PATH_MAX + 100];
        fprintf(stderr, "vox analyze: cannot write to output directory '%s': %s\n", c->output_dir,
                directory_fault(c->output_dir, errno, why, sizeof why));
        return 1;
    }
    /* the folders of the run's other files made as volumizer makes them
     * (path.parent.mkdir(parents=True)), before any analysis: a checkpoint
     * that cannot be written is said at once, not after hours */
    const struct { const char *option, *path; } files[] = {
        {"--checkpoint", c->no_checkpoint ? NULL : c->checkpoint},
        {"--progress-jsonl", c->progress_jsonl},
        {"--failures-manifest", c->failures_manifest}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (!files[i].path || !strchr(files[i].path, '/'))
            continue;
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", files[i].path);
        char *slash = strrchr(parent, '/');
        slash[slash == parent ? 1 : 0] = '\0';
        if (mkdir_p(parent) != 0 || access(parent, W_OK | X_OK) != 0) {
            fprintf(stderr, "vox analyze: %s %s: cannot write to its folder %s: %s\n", files[i].option, files[i].path,
                    parent, strerror(errno));
            return 1;
        }
    }
    /* One run per output directory (or the shards of one batch): this
     * process (under MPI, rank 0 for all ranks) holds the directory's lock
     * until it exits, and only then removes what dead runs left behind,
     * before anyone writes. */
    int lock_fd = -1, locked = 1;
    if (mpi.ranks <= 1 || mpi.rank == 0) {
        char why[PATH_MAX + 512];
        /* a shard removes them only when no other shard holds the directory (dirlock.h) */
        lock_fd = c->num_shards > 1 ? dirlock_take_shard(c->output_dir, c->wait_lock, "analyze", c->shard_index,
                                                         c->num_shards, remove_dead_runs_temporaries, why, sizeof why)
                                    : dirlock_take(c->output_dir, c->wait_lock, "analyze", why, sizeof why);
        if (lock_fd < 0)
            fprintf(stderr, "vox analyze: %s\n", why);
        locked = lock_fd != -1;
        if (locked && c->num_shards <= 1)
            remove_dead_runs_temporaries(c->output_dir);
    }
    /* the folder's run record: a vox trajectory run's is not replaced (vox trajectory keeps an
     * analyze run's the same way); sharded runs write records of their own names */
    if (locked && c->num_shards <= 1 && (mpi.ranks <= 1 || mpi.rank == 0)) {
        char sum_path[PATH_MAX];
        run_record_path(c, "summary", sum_path, sizeof sum_path);
        summary_owner s;
        summary_owner_of(sum_path, &s);
        if (s.kind == SUMMARY_TRAJECTORY) {
            fprintf(stderr, "vox analyze: %s is the summary of the vox trajectory run%s%s%s; this run's summary "
                    "would replace it: give this run its own --output-dir (or move that file away)\n", sum_path,
                    s.label[0] ? " '" : "", s.label, s.label[0] ? "'" : "");
            locked = 0;
        }
    }
    if (mpi.ranks > 1)
        mpi.bcast(&locked, (int)sizeof locked, 0);
    if (!locked)
        return 1;

    /* the input list: arguments in order, directories expanded; then this shard */
    paths all = {0};
    walk *wk = walk_new();
    walk_exclude_output(wk, c->output_dir);
    for (size_t i = 0; i < c->ninputs && wk; i++) {
        size_t before = all.n;
        if (vox_file_kind(c->inputs[i], NULL) == VOX_PATH_DIRECTORY)
            walk_dir(wk, c->inputs[i], add_walked, &all);
        else /* named explicitly: read as given (a FIFO too), and not planned again from a directory */
            walk_claim_file(wk, c->inputs[i]);
        /* a file, a missing path, or a directory without structures: its own entry and error */
        if (all.n == before)
            add_path(&all, c->inputs[i]);
    }
    if (!wk) {
        fprintf(stderr, "vox analyze: out of memory listing the inputs\n");
        return 1;
    }
    for (size_t i = 0; i < walk_skipped(wk) && i < 20; i++)
        fprintf(stderr, "vox analyze: note: %s\n", walk_note(wk, i));
    if (walk_skipped(wk) > 20)
        fprintf(stderr, "vox analyze: note: ... and %zu more skipped\n", walk_skipped(wk) - 20);
    walk_free(wk);
    const size_t walked = all.n; /* from here on, a manifest's or summary's entries */
    int own_shard = 0, ok = !c->manifest || add_manifest(&all, c);
    size_t replayed = all.n; /* from here on, --from-summary's entries */
    cJSON *own_plan = NULL;
    if (!ok || (c->from_summary && !add_summary(&all, c, &own_shard, &own_plan))) {
        paths_free(&all);
        return 1;
    }
    batch b;
    memset(&b, 0, sizeof b);
    b.c = c;
    b.e = calloc(all.n + 1, sizeof *b.e);
    for (size_t p = 0; p < all.n; p++) {
        input *in = &all.p[p];
        entry *e = &b.e[b.n++];
        e->path = in->path;
        e->early_error = in->error;
        e->by_id = in->by_id;
        e->unnamed = in->unnamed;
        e->listed = p >= walked;
        e->members = in->members;
        strcpy(e->pdb_id, in->pdb_id);
        if (in->source) sanitize_label(in->source, strlen(in->source), e->label, sizeof e->label);
        else make_label(e->path, e->label, sizeof e->label);
        free(in->source);
        char cif[PATH_MAX], json[PATH_MAX];
        if (!entry_outputs(c, e, cif, json) && !e->early_error) { /* cut short, the paths would name other files */
            char msg[sizeof e->oc.error];
            error_text(msg, sizeof msg, "OSError: %s/%s.annotation.json: the output's path is longer than a path may "
                       "be (%d bytes)", c->output_dir, e->label, PATH_MAX - 1);
            e->early_error = strdup(msg);
        }
    }
    free(all.p);
    /* duplicates over the whole plan, then this shard's entries: a label that two inputs share
     * fails at its later input whichever shard runs it, as in one unsharded run */
    mark_duplicate_labels(&b);
    if (!records_apart(&b, c, mpi.ranks > 1 && mpi.rank > 0)) {
        batch_free(&b);
        return 2;
    }
    if (c->num_shards > 1)
        b.shard_plan = own_plan ? own_plan : shard_plan_json(&b);
    else
        cJSON_Delete(own_plan);
    if (c->num_shards > 0) {
        size_t kept = 0;
        for (size_t p = 0; p < b.n; p++) {
            entry *e = &b.e[p];
            if ((long)(p % (size_t)c->num_shards) != c->shard_index && !(own_shard && p >= replayed)) {
                free(e->path); free(e->early_error); cJSON_Delete(e->members);
                continue;
            }
            b.e[kept++] = *e;
        }
        b.n = kept;
        entry *own = realloc(b.e, (kept + 1) * sizeof *b.e); /* a shard keeps memory for its own entries only */
        if (own)
            b.e = own;
    }
    /* --jobs not given: one job, or for several structures the profile's
     * measured split (jobs x threads per job; --threads and $VOX_THREADS
     * still set the threads).  Outputs are the same for any split. */
    run_config resolved = *c;
    if (resolved.jobs == 0) {
        resolved.jobs = 1;
        if (split_tuned && b.n > 1 && mpi.ranks <= 1 && !c->fail_fast && split_jobs > 1) {
            resolved.jobs = (size_t)split_jobs < b.n ? split_jobs : (int)b.n;
            if (!c->threads && !getenv("VOX_THREADS"))
                resolved.threads = split_threads;
        }
    }
    /* the per-volume exports already in the directory, listed once before this
     * process writes any (under MPI each rank lists them for its own entries:
     * a structure removes only files of its own label) */
    export_leftovers *leftovers = c->dry_run ? NULL : export_leftovers_find(c->output_dir);
    resolved.leftovers = leftovers;
    b.c = &resolved;
    plan_fingerprint(&b, b.plan);
    pthread_mutex_init(&b.lock, NULL);
    if (mpi.ranks > 1 && mpi.rank > 0) { /* a worker rank: analyse what rank 0 hands out, report back */
        if (!c->dry_run)
            mpi_worker(&b);
        batch_free(&b);
        export_leftovers_free(leftovers);
        return 0;
    }
    b.tty = isatty(2) && c->progress_interval > 0;
    /* the checkpoint is rewritten at most once a second, the first time a second
     * into the run: a short run writes it once, at its end (one sync, not two) */
    b.start = b.last_progress = b.last_checkpoint = now();
    b.checkpoint_done = SIZE_MAX;
    if (!c->no_checkpoint) {
        if (c->checkpoint) snprintf(b.checkpoint, sizeof b.checkpoint, "%s", c->checkpoint);
        else run_record_path(c, "checkpoint", b.checkpoint, sizeof b.checkpoint);
    }
    /* the default path as a given one (run_batch checks that): a FIFO there blocked --resume's read
     * for ever, and a run without --resume could not write it but exited 0 */
    if (!c->no_checkpoint && !c->checkpoint &&
        !replaceable("the checkpoint", b.checkpoint, " (--checkpoint PATH, or --no-checkpoint)")) {
        batch_free(&b);
        export_leftovers_free(leftovers);
        return 2;
    }
    if (c->resume)
        read_checkpoint(&b);
    if (c->progress_jsonl) {
        b.jsonl = open_events(c->progress_jsonl);
        b.jsonl_path = c->progress_jsonl;
    }
    if (b.jsonl) {
        char ts[64];
        iso_now(ts);
        if (fprintf(b.jsonl, "{\"ts\": \"%s\", \"event\": \"run_started\", \"total_structures\": %zu, \"dry_run\": %s, "
                             "\"resume\": %s}\n", ts, b.n, c->dry_run ? "true" : "false", c->resume ? "true" : "false") < 0 ||
            fflush(b.jsonl) != 0)
            stop_events(&b);
    }
    if (c->dry_run) {
        for (size_t i = 0; i < b.n; i++) {
            b.e[i].state = E_PLANNED;
            event(&b, "structure_planned", &b.e[i], NULL, NULL, 0);
            if (!c->quiet) printf("planned %s -> %s\n", b.e[i].path, b.e[i].label);
        }
    }
    else if (mpi.ranks > 1) {
        mpi_coordinator(&b);
        progress(&b, 1);
    }
    else {
        int jobs = b.c->jobs;
        if ((size_t)jobs > b.n) jobs = b.n ? (int)b.n : 1;
        if (c->fail_fast) jobs = 1; /* stop exactly at the first failure, as volumizer */
        pthread_t *th = calloc((size_t)jobs, sizeof *th);
        for (int t = 1; t < jobs; t++)
            pthread_create(&th[t], NULL, worker, &b);
        worker(&b);
        for (int t = 1; t < jobs; t++)
            pthread_join(th[t], NULL);
        free(th);
        if (stop_signal && b.done < b.n) {
            if (b.checkpoint_done != b.done)
                write_checkpoint(&b);
            fprintf(stderr, "vox analyze: %s: stopped with %zu of %zu entries done; %s%s\n", strsignal(stop_signal),
                    b.done, b.n, b.checkpoint[0] ? b.checkpoint : "no checkpoint (--no-checkpoint)",
                    b.checkpoint[0] ? " lists them: run again with --resume to go on" : "");
            if (b.jsonl)
                fflush(b.jsonl);
            fflush(stdout);
            _exit(128 + stop_signal);
        }
        progress(&b, 1);
    }
    /* the checkpoint before the summary, so that a finished run's summary is its newest record: vox report and
     * vox validate let the newest record naming a structure decide, and a checkpoint newer than its summary
     * means a later run (a --resume, say) was killed */
    if (b.checkpoint_done != b.done || c->dry_run) /* unless it already lists every entry */
        write_checkpoint(&b);
    char sum_path[PATH_MAX];
    run_record_path(c, "summary", sum_path, sizeof sum_path);
    cJSON *sum = records_json(&b, 0);
    int rc = b.failed ? 1 : 0;
    if (!write_json_file("analyze", sum_path, sum))
        rc = 1;
    cJSON_Delete(sum);
    if (c->report && !report_end_run(c->report, c->output_dir, "vox analyze"))
        rc = 1;
    if (c->failures_manifest)
        write_failures_manifest(&b, c->failures_manifest, sum_path);
    if (b.jsonl) {
        size_t planned = c->dry_run ? b.n : 0;
        char ts[64];
        iso_now(ts);
        fprintf(b.jsonl, "{\"ts\": \"%s\", \"event\": \"run_completed\", \"exit_code\": %d, \"num_processed\": %zu, "
                         "\"num_failed\": %zu, \"num_skipped\": %zu, \"num_planned\": %zu}\n", ts, rc,
                b.done - b.failed - b.skipped, b.failed, b.skipped, planned);
        if (fflush(b.jsonl) != 0 || ferror(b.jsonl))
            stop_events(&b);
        else
            fclose(b.jsonl);
    }
    batch_free(&b);
    export_leftovers_free(leftovers);
    if (lock_fd >= 0)
        close(lock_fd);
    return rc;
}

/* ---- vox merge-summaries ------------------------------------------------------ */

/* K and N of a summary (or checkpoint) written by shard K of N > 1, from its settings; 0 otherwise. */
static int shard_of(const cJSON *doc, long *k, long *n)
{
    const cJSON *cfg = cJSON_GetObjectItem(doc, "config");
    if (!cJSON_IsObject(cfg))
        cfg = cJSON_GetObjectItem(doc, "signature"); /* a checkpoint's settings */
    const cJSON *jn = cJSON_GetObjectItem(cfg, "num_shards"), *jk = cJSON_GetObjectItem(cfg, "shard_index");
    if (!cJSON_IsNumber(jn) || !cJSON_IsNumber(jk) || jn->valuedouble < 2 || jn->valuedouble > (double)VOX_MAX_SHARDS ||
        jk->valuedouble < 0 || jk->valuedouble >= jn->valuedouble)
        return 0;
    *n = (long)jn->valuedouble;
    *k = (long)jk->valuedouble;
    return 1;
}

/* 1 when one of the count inputs (k, n) is shard s of n_s. */
static int shard_given(const long *k, const long *n, int count, long s, long n_s)
{
    for (int q = 0; q < count; q++)
        if (n[q] == n_s && k[q] == s) return 1;
    return 0;
}

/* Every shard of each array given exactly once: a Slurm array's summaries are merged with a glob
 * (run.shard-*-of-N.summary.json), which silently misses a shard killed before its summary and would
 * merge a shard given twice twice.  Says what is wrong on stderr; 0 when something is. */
static int shards_complete(char **names, const long *k, const long *n, int count)
{
    int ok = 1, unknown = 0; /* summaries that do not say which shard wrote them (n -1): each may be a missing one */
    for (int i = 0; i < count; i++) unknown += n[i] < 0;
    for (int i = 0; i < count; i++) {
        if (n[i] < 2)
            continue;
        int first = 1; /* each N once */
        for (int q = 0; q < i && first; q++) first = n[q] != n[i];
        for (int q = i + 1; q < count; q++)
            if (n[q] == n[i] && k[q] == k[i]) {
                fprintf(stderr, "vox merge-summaries: shard %ld of %ld is given twice (%s and %s): its entries would "
                        "be counted twice\n", k[i], n[i], names[i], names[q]);
                ok = 0;
            }
        /* the shards of this N that no input names: when the summaries that
         * name no shard are enough to be them, the merge goes on, saying so */
        long missing = 0;
        for (long s = 0; first && s < n[i]; s++) missing += !shard_given(k, n, count, s, n[i]);
        if (missing && missing <= unknown) {
            fprintf(stderr, "vox merge-summaries: note: %ld shard%s of %ld %s not named by any input; the %d input%s "
                    "that say%s no shard %s taken for %s\n", missing, missing == 1 ? "" : "s", n[i],
                    missing == 1 ? "is" : "are", unknown, unknown == 1 ? "" : "s", unknown == 1 ? "s" : "",
                    unknown == 1 ? "is" : "are", missing == 1 ? "it" : "them");
            continue;
        }
        long told = 0;
        for (long s = 0; first && missing && s < n[i]; s++) {
            if (shard_given(k, n, count, s, n[i]))
                continue;
            ok = 0;
            if (++told > 10) { /* a forged num_shards must not print a million lines */
                fprintf(stderr, "vox merge-summaries: ... and %ld more shards of %ld are missing\n", missing - 10, n[i]);
                break;
            }
            /* where the shards' summaries are, the missing one's checkpoint would be */
            const char *slash = strrchr(names[i], '/');
            char ckpt[PATH_MAX];
            snprintf(ckpt, sizeof ckpt, "%.*srun.shard-%ld-of-%ld.checkpoint.json", slash ? (int)(slash - names[i] + 1) : 0,
                     names[i], s, n[i]);
            char where[PATH_MAX + 80] = "";
            if (access(ckpt, F_OK) == 0)
                snprintf(where, sizeof where, " (%s exists: the shard was killed or is still running)", ckpt);
            fprintf(stderr, "vox merge-summaries: shard %ld of %ld (--shard-index %ld) is missing: no summary of it "
                    "among the inputs%s; re-run it with --resume, then merge again (or give its checkpoint to merge "
                    "only the entries it finished)\n", s, n[i], s, where);
        }
    }
    return ok;
}

/* The analysis settings of a run record (a summary's config, a checkpoint's
 * signature) that shape its results: shards of one run share them all. */
static const cJSON *record_settings(const cJSON *doc)
{
    const cJSON *c = cJSON_GetObjectItem(doc, "config");
    return cJSON_IsObject(c) ? c : cJSON_GetObjectItem(doc, "signature");
}

/* The first of those settings in which records a and b differ (both
 * having it), or NULL. */
static const char *settings_differ(const cJSON *a, const cJSON *b)
{
    /* what the outputs depend on; not the limits (--max-memory and the like: each entry records
     * whether it failed or was skipped) nor how the shard ran (jobs, threads, progress) */
    static const char *const keys[] = {"command", "resolution", "min_voxels", "min_volume", "surface_connectivity",
                                       "merge_mouth_gap_voxels", "assembly_policy", "keep_non_protein", "include_hubs",
                                       "necked_pocket_cavity", "num_shards", "align", "frame_signs", "output_frame",
                                       "write", "box_padding", "box_types"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const cJSON *x = cJSON_GetObjectItem(a, keys[i]), *y = cJSON_GetObjectItem(b, keys[i]);
        if (x && y && !cJSON_Compare(x, y, 1))
            return keys[i];
    }
    return NULL;
}

int cmd_merge_summaries(int argc, char **argv)
{
    /* --help or -h anywhere asks for the help (stdout, exit 0), as in every other command */
    int help = 0;
    for (int i = 1; i < argc; i++) help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
    if (argc < 3 || help) {
        fprintf(help ? stdout : stderr,
                "usage: vox merge-summaries OUT.json SUMMARY1.json SUMMARY2.json ...\n\n"
                "Merges the run summaries of shards (--num-shards/--shard-index) into one.  Every shard of an\n"
                "array must be given once; a shard killed before its summary can be given by its checkpoint\n"
                "(run.shard-K-of-N.checkpoint.json), which lists only the entries it finished.\n");
        return help ? 0 : 2;
    }
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-') {
            fprintf(stderr, "vox merge-summaries: unknown option %s: the merged file is the first argument "
                    "(vox merge-summaries OUT.json S1 S2 ...)\n", argv[i]);
            return 2;
        }
    /* a forgotten OUT makes the first shard's record the output: say so rather than call that shard missing */
    const char *out_base = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
    if ((run_record_name(out_base, "summary") || run_record_name(out_base, "checkpoint")) &&
        strncmp(out_base, "run.summary", 11) && access(argv[1], F_OK) == 0) {
        fprintf(stderr, "vox merge-summaries: %s is a shard's run record, not the merged file to write: the merged "
                "file is the first argument (vox merge-summaries OUT.json S1 S2 ...)\n", argv[1]);
        return 2;
    }
    long *ks = calloc((size_t)argc, sizeof *ks), *ns = calloc((size_t)argc, sizeof *ns);
    if (!ks || !ns) {
        free(ks), free(ns);
        fprintf(stderr, "vox merge-summaries: out of memory\n");
        return 1;
    }
    char too_long[PATH_MAX + 300];
    if (vox_check_name_length(argv[1], too_long, sizeof too_long) != VOX_OK) {
        fprintf(stderr, "vox merge-summaries: %s\n", too_long);
        free(ks), free(ns);
        return 2;
    }
    summary_merge m;
    merge_begin(&m);
    cJSON *first = NULL; /* the first record's settings: every other must have them */
    for (int i = 2; i < argc; i++) {
        struct stat sb;
        const int found = stat(argv[i], &sb) == 0;
        if (!found || !S_ISREG(sb.st_mode)) {
            fprintf(stderr, "vox merge-summaries: cannot read %s: %s; %s not written\n", argv[i],
                    !found ? strerror(errno) : "not a regular file", argv[1]);
            cJSON_Delete(first);
            merge_abort(&m);
            free(ks), free(ns);
            return 1;
        }
        char why[512] = "";
        cJSON *j = read_json_why(argv[i], why, sizeof why);
        int added = merge_add(&m, j, argv[i]);
        const char *differ = NULL;
        if (added && !first)
            first = cJSON_Duplicate(record_settings(j), 1);
        else if (added)
            differ = settings_differ(first, record_settings(j));
        const cJSON *pa = cJSON_GetObjectItem(first, "shard_plan"), *pb = cJSON_GetObjectItem(record_settings(j), "shard_plan");
        if (added && !differ && pa && pb && !cJSON_Compare(pa, pb, 1)) {
            double na = cJSON_GetNumberValue(cJSON_GetObjectItem(pa, "inputs")),
                   nb = cJSON_GetNumberValue(cJSON_GetObjectItem(pb, "inputs"));
            fprintf(stderr, "vox merge-summaries: %s and %s are shards of arrays over different inputs (%.0f inputs, "
                    "%.0f inputs%s): the inputs changed between the shards' starts, so positions p mod N did not split "
                    "one list, and some structures may have fallen to no shard or to two; re-run every shard with "
                    "--resume over one list (a folder that no longer changes, or a manifest), then merge; %s not "
                    "written\n", argv[2], argv[i], isnan(na) ? -1.0 : na, isnan(nb) ? -1.0 : nb,
                    na == nb ? ", other labels or order" : "", argv[1]);
            cJSON_Delete(j);
            cJSON_Delete(first);
            merge_abort(&m);
            free(ks), free(ns);
            return 1;
        }
        if (differ) {
            char *x = cJSON_PrintUnformatted(cJSON_GetObjectItem(first, differ)),
                 *y = cJSON_PrintUnformatted(cJSON_GetObjectItem(record_settings(j), differ));
            fprintf(stderr, "vox merge-summaries: %s and %s are not shards of one run: their %s differs (%s, %s); %s "
                    "not written\n", argv[2], argv[i], differ, x ? x : "?", y ? y : "?", argv[1]);
            free(x), free(y);
            cJSON_Delete(j);
            cJSON_Delete(first);
            merge_abort(&m);
            free(ks), free(ns);
            return 1;
        }
        if (added && !shard_of(j, &ks[i - 2], &ns[i - 2])) {
            /* an older or hand-made summary without the shard fields: its name may still say */
            const cJSON *cfg = cJSON_GetObjectItem(j, "config");
            if (!run_record_shard(argv[i], &ks[i - 2], &ns[i - 2]) || ns[i - 2] < 2 || ks[i - 2] < 0 ||
                ks[i - 2] >= ns[i - 2])
                ns[i - 2] = cJSON_GetObjectItem(cfg ? cfg : cJSON_GetObjectItem(j, "signature"), "num_shards") ? 0 : -1;
        }
        if (added && cJSON_GetObjectItem(j, "checkpoint_format"))
            fprintf(stderr, "vox merge-summaries: note: %s is a checkpoint: the entries its run had not reached when "
                    "it was written are not in the merged summary\n", argv[i]);
        cJSON_Delete(j);
        if (!added) {
            fprintf(stderr, "vox merge-summaries: %s is not a vox/volumizer run summary (%s)\n", argv[i],
                    why[0] ? why : "JSON, but with no \"results\" list");
            cJSON_Delete(first);
            merge_abort(&m);
            free(ks), free(ns);
            return 1;
        }
    }
    cJSON_Delete(first);
    int complete = shards_complete(argv + 2, ks, ns, argc - 2);
    if (!merge_entries_once(&m))
        complete = 0;
    free(ks), free(ns);
    if (!complete) {
        fprintf(stderr, "vox merge-summaries: %s not written\n", argv[1]);
        merge_abort(&m);
        return 1;
    }
    long long total[4];
    memcpy(total, m.total, sizeof total);
    cJSON *out = merge_end(&m);
    if (!out) {
        fprintf(stderr, "vox merge-summaries: out of memory\n");
        return 1;
    }
    int ok = write_json_file("merge-summaries", argv[1], out);
    cJSON_Delete(out);
    if (ok)
        printf("merged %d summaries into %s: %lld processed, %lld failed, %lld skipped, %lld planned\n", argc - 2,
               argv[1], total[0], total[1], total[2], total[3]);
    return ok ? 0 : 1;
}
