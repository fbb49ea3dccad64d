/* validate.c - `vox validate`: checks inputs and an output directory without analysing
 *
 * Inputs (files, directories, --manifest, --from-summary, as vox analyze takes them): each
 * is read with the analysis's own loader and limits, cleaned and aligned as vox analyze
 * would, and its grid at the chosen resolution predicted (vox_estimate_grid): voxels and
 * peak memory against --max-grid-voxels and --max-memory.  An output directory: every
 * structure the inputs (or, without inputs, the directory's run records: run.summary.json,
 * each shard's run.shard-K-of-N.summary.json, and their checkpoints, the newest naming a
 * structure deciding, as vox report reads them) plan has outputs that exist and validate -
 * the rule --resume trusts - and the records agree with them.  The exit code says which
 * check failed (usage_validate lists them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cJSON.h>

#include "cli.h"
#include "pyjson.h"
#include "dirlock.h"
#include "readers.h"
#include "report.h"
#include "walk.h"

enum {
    V_OK = 0,
    V_USAGE = 2,
    V_BAD_INPUT = 3,  /* an input cannot be analysed */
    V_TOO_LARGE = 4,  /* an input would not fit: grid or memory */
    V_OUTPUTS = 5,    /* the output directory is incomplete or inconsistent */
    V_IN_USE = 6      /* a run holds the output directory's lock */
};

static void usage_validate(FILE *f)
{
    fprintf(f,
            "usage: vox validate [options] [PATH ...] [--output-dir DIR]\n"
            "\n"
            "Checks without analysing.  Inputs (files, directories, --manifest, --from-summary): each is\n"
            "read, its format recognised, its atoms counted before and after cleaning, its assembly built,\n"
            "and its grid at --resolution predicted (voxels, peak memory).  An output directory: every\n"
            "structure the inputs plan (without inputs: every entry of the run records in DIR -\n"
            "run.summary.json, each shard's run.shard-K-of-N.summary.json and their checkpoints, the newest\n"
            "naming a structure deciding) has outputs that exist and validate, as --resume requires, and\n"
            "the records agree with them; a shard that did not finish or left no record is named.\n"
            "\n"
            "options (vox analyze's meanings):\n"
            "  --output-dir DIR              the output directory to check\n"
            "  --resolution A                voxel edge (default 3.0)\n"
            "  --assembly-policy P           biological, asymmetric or auto (default biological)\n"
            "  --keep-non-protein            keep waters, ligands and nucleic acids\n"
            "  --no-align                    coordinates as they are\n"
            "  --max-grid-voxels N           grid limit (default 2147483647, at most 4294967295)\n"
            "  --max-memory SIZE             flag inputs predicted to need more (K, M, G, T suffixes)\n"
            "  --max-input-bytes SIZE        input text limit (default 1G)\n"
            "  --write LIST                  the run wrote these too: df-json, pdb, html, descriptors, vina,\n"
            "                                pymol, chimerax, dx (default: as its summary says)\n"
            "  --box-types LIST              the types with vina/dx files (default: as the summary says, else\n"
            "                                pocket,cavity,pore)\n"
            "  --manifest PATH, --from-summary PATH [--only ...], --download-dir DIR   inputs as vox analyze\n"
            "  --json                        the report as one JSON document on stdout\n"
            "  --quiet                       print only what is wrong\n"
            "\n"
            "exit codes (the first that applies):\n"
            "  0  everything checked is valid\n"
            "  2  usage error (or a folder of another run than vox analyze's: a vox trajectory run's)\n"
            "  3  an input cannot be analysed (unreadable, not PDB or mmCIF, malformed, no atoms left)\n"
            "  4  an input would not fit: grid over --max-grid-voxels (or 2^32 - 1), or memory over --max-memory\n"
            "  5  the output directory is incomplete or inconsistent (outputs missing or invalid, failed or\n"
            "     planned entries, a summary that disagrees with the files, no summary, a run or shard that\n"
            "     did not finish)\n"
            "  6  a run is writing to the output directory now (its lock is held): it was not checked\n");
}

typedef struct report {
    int quiet, json;
    cJSON *inputs, *outputs, *notes;
    int worst; /* the lowest non-zero exit code met, or 0 */
} report;

static void flag(report *rp, int code)
{
    if (code && (!rp->worst || code < rp->worst))
        rp->worst = code;
}

/* One line of the text report (and one record of the JSON one). */
static void say(report *rp, cJSON *list, const char *status, const char *what, const char *detail, cJSON *extra)
{
    int bad = strcmp(status, "ok") != 0;
    if (!rp->json && (bad || !rp->quiet))
        printf("%-9s %s: %s\n", status, what, detail);
    if (rp->json) {
        cJSON *r = extra ? extra : cJSON_CreateObject();
        cJSON_AddStringToObject(r, "status", status);
        cJSON_AddStringToObject(r, "name", what);
        cJSON_AddStringToObject(r, "detail", detail);
        cJSON_AddItemToArray(list, r);
    } else {
        cJSON_Delete(extra);
    }
}

/* The format the file's first bytes show: "PDB", "mmCIF", "gzip-compressed PDB", ... (regular files only). */
static void format_of(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "%s", "by content");
    if (vox_file_kind(path, NULL) != VOX_PATH_REGULAR)
        return;
    gzFile g = gzopen(path, "rb");
    if (!g)
        return;
    char head[4096];
    int n = gzread(g, head, sizeof head - 1);
    int plain = gzdirect(g);
    gzclose(g);
    if (n <= 0)
        return;
    head[n] = '\0';
    const char *p = head;
    for (;;) { /* blank and comment lines first, as the loader skips them */
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (*p != '#') break;
        while (*p && *p != '\n') p++;
    }
    snprintf(out, cap, "%s%s", plain ? "" : "gzip-compressed ", !strncmp(p, "data_", 5) ? "mmCIF" : "PDB");
}

static vox_assembly_policy policy_of(const char *name)
{
    return !strcmp(name, "asymmetric") ? VOX_ASSEMBLY_ASYMMETRIC : !strcmp(name, "auto") ? VOX_ASSEMBLY_AUTO
                                                                                          : VOX_ASSEMBLY_BIOLOGICAL;
}

static void check_input(report *rp, vox_ctx *ctx, const run_config *c, const input *in)
{
    char detail[2048], fmt[64];
    if (in->error) {
        say(rp, rp->inputs, "invalid", in->path, in->error, NULL);
        flag(rp, V_BAD_INPUT);
        return;
    }
    vox_load_params lp;
    vox_load_params_init(&lp);
    lp.max_input_bytes = c->max_input_bytes;
    lp.assembly = policy_of(c->assembly);
    vox_structure *s = NULL;
    if (vox_load_file(ctx, in->path, &lp, &s) != VOX_OK) {
        say(rp, rp->inputs, "invalid", in->path, vox_ctx_last_error_detail(ctx), NULL);
        flag(rp, V_BAD_INPUT);
        return;
    }
    format_of(in->path, fmt, sizeof fmt);
    size_t loaded = vox_structure_atom_count(s), asym = loaded;
    char assembly[160];
    snprintf(assembly, sizeof assembly, "%s", c->assembly);
    if (lp.assembly != VOX_ASSEMBLY_ASYMMETRIC && vox_file_kind(in->path, NULL) == VOX_PATH_REGULAR) {
        /* the asymmetric unit too, to say what the assembly made of it */
        vox_structure *a = NULL;
        lp.assembly = VOX_ASSEMBLY_ASYMMETRIC;
        if (vox_load_file(ctx, in->path, &lp, &a) == VOX_OK)
            asym = vox_structure_atom_count(a);
        vox_structure_free(&a);
        if (asym && loaded != asym)
            snprintf(assembly, sizeof assembly, "%s: %zu atoms built from the asymmetric unit's %zu", c->assembly,
                     loaded, asym);
        else
            snprintf(assembly, sizeof assembly, "%s: the asymmetric unit as it is", c->assembly);
    }
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.keep_non_protein = c->keep_non_protein;
    pp.align = c->align;
    if (vox_prepare(ctx, s, &pp) != VOX_OK) {
        snprintf(detail, sizeof detail, "%s, %zu atoms read; %s", fmt, loaded, vox_ctx_last_error_detail(ctx));
        say(rp, rp->inputs, "invalid", in->path, detail, NULL);
        flag(rp, V_BAD_INPUT);
        vox_structure_free(&s);
        return;
    }
    size_t kept = vox_structure_atom_count(s);
    vox_analyze_params ap;
    analyze_params_of(c, &ap);
    ap.descriptors = exports_need_descriptors(&c->exports); /* as vox analyze asks: its axis limit too */
    vox_grid_estimate ge;
    memset(&ge, 0, sizeof ge);
    ge.size = sizeof ge;
    vox_status st = vox_estimate_grid(ctx, s, &ap, &ge);
    vox_structure_free(&s);
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "format", fmt);
    cJSON_AddNumberToObject(rec, "atoms_read", (double)loaded);
    cJSON_AddNumberToObject(rec, "atoms_after_cleaning", (double)kept);
    cJSON_AddStringToObject(rec, "assembly", assembly);
    if (st != VOX_OK) {
        snprintf(detail, sizeof detail, "%s, %zu atoms after cleaning; %s", fmt, kept, vox_ctx_last_error_detail(ctx));
        say(rp, rp->inputs, "invalid", in->path, detail, rec);
        flag(rp, V_BAD_INPUT);
        return;
    }
    char mem[32], lim[32];
    format_bytes(ge.bytes, mem);
    cJSON *dims = cJSON_AddArrayToObject(rec, "grid");
    for (int a = 0; a < 3; a++) cJSON_AddItemToArray(dims, cJSON_CreateNumber(ge.dims[a]));
    cJSON_AddNumberToObject(rec, "voxels", (double)ge.voxels);
    cJSON_AddNumberToObject(rec, "predicted_bytes", (double)ge.bytes);
    int n = snprintf(detail, sizeof detail, "%s, %zu atoms read, %zu after cleaning, assembly %s; at %g A the grid is "
                     "%s%d x %d x %d = %llu voxels, predicted peak memory %s", fmt, loaded, kept, assembly,
                     c->resolution, ge.approximate ? "at least about " : "", ge.dims[0], ge.dims[1], ge.dims[2],
                     (unsigned long long)ge.voxels, mem);
    const char *status = "ok";
    unsigned long long limit = c->max_grid_voxels ? c->max_grid_voxels : 2147483647ull;
    if (limit > 4294967295ull)
        limit = 4294967295ull;
    if (ge.over_limit && ap.descriptors && (double)ge.voxels <= (double)limit) {
        /* the voxels are within the limit: an axis is over the one descriptors take */
        snprintf(detail + n, sizeof detail - (size_t)n, ": an axis is over the %d voxels descriptors take (--write "
                 "descriptors and the exports need them; a coarser --resolution needs fewer)", VOX_DEPTH_MAX_AXIS);
        status = "too-large";
    } else if (ge.over_limit) {
        snprintf(detail + n, sizeof detail - (size_t)n, ": over the grid limit of %llu voxels (--max-grid-voxels; a "
                 "coarser --resolution needs fewer)", limit);
        status = "too-large";
    } else if (c->max_memory && ge.bytes > c->max_memory) {
        format_bytes(c->max_memory, lim);
        snprintf(detail + n, sizeof detail - (size_t)n, ": over --max-memory %s", lim);
        status = "too-large";
    }
    say(rp, rp->inputs, status, in->path, detail, rec);
    if (strcmp(status, "ok"))
        flag(rp, V_TOO_LARGE);
}

/* ---- the output directory ------------------------------------------------------------ */

typedef struct planned {
    char label[256];
    const char *path;         /* the input, for messages */
    const cJSON *record;      /* the run record's entry, or NULL */
    const char *section;      /* the section it is in, or NULL */
    const char *from;         /* the run record's file name, or NULL */
    size_t rank, seq;         /* its file's rank (newer higher); its place in the folder's records */
} planned;

static int label_in(const planned *p, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(p[i].label, label))
            return 1;
    return 0;
}

/* An entry's verdict; in the JSON report with the run record it comes from. */
static void say_entry(report *rp, const char *status, const planned *p, const char *detail)
{
    cJSON *extra = NULL;
    if (rp->json && p->from) {
        extra = cJSON_CreateObject();
        cJSON_AddStringToObject(extra, "record", p->from);
    }
    say(rp, rp->outputs, status, p->label, detail, extra);
}

/* The summary's counts agree with its lists. */
static void check_summary_counts(report *rp, const cJSON *sum, const char *path)
{
    static const char *const lists[4] = {"results", "errors", "skipped", "planned"};
    static const char *const counts[4] = {"num_processed", "num_failed", "num_skipped", "num_planned"};
    for (int k = 0; k < 4; k++) {
        const cJSON *n = cJSON_GetObjectItem(sum, counts[k]), *l = cJSON_GetObjectItem(sum, lists[k]);
        if (!cJSON_IsArray(l) || !cJSON_IsNumber(n) || n->valuedouble != (double)cJSON_GetArraySize(l)) {
            char d[256];
            snprintf(d, sizeof d, "\"%s\" does not match its \"%s\" list", counts[k], lists[k]);
            say(rp, rp->outputs, "invalid", path, d, NULL);
            flag(rp, V_OUTPUTS);
        }
    }
}

/* One run record of the folder (run.summary.json, run.checkpoint.json, and each
 * shard's run.shard-K-of-N.summary.json and checkpoint), as vox report reads them. */
typedef struct run_file {
    char name[256];
    struct timespec mtime;
    int kind;          /* run_record_kind */
    long shard, shards; /* K and N of a shard's record; -1 otherwise */
    cJSON *doc;        /* NULL when it is not a run record (damaged) */
    int decides;       /* the newest record naming at least one label */
} run_file;

/* Oldest first, as vox report ranks them (run_record_older). */
static int file_by_age(const void *a, const void *b)
{
    const run_file *x = a, *y = b;
    const run_record_rank rx = {x->mtime, x->kind, x->name}, ry = {y->mtime, y->kind, y->name};
    return run_record_older(&rx, &ry);
}

/* By label, the newest file's entries first; ties in their file's order. */
static int plan_by_label_newest(const void *a, const void *b)
{
    const planned *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    if (c)
        return c;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int plan_by_seq(const void *a, const void *b)
{
    const planned *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The folder's run records, read and ranked oldest first; *nf of them.  A
 * folder a Slurm array shares has no run.summary.json until the shards'
 * summaries are merged, and may keep an older run's beside newer shards, so
 * every record is read and, as in vox report, the newest naming a label decides. */
static run_file *read_run_files(report *rp, const char *dir, size_t *nf)
{
    *nf = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    run_file *f = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        int ckpt = run_record_name(de->d_name, "checkpoint");
        if ((!ckpt && !run_record_name(de->d_name, "summary")) || strlen(de->d_name) >= sizeof f->name)
            continue;
        if (n == cap) {
            run_file *nb = realloc(f, (cap = cap ? 2 * cap : 16) * sizeof *f);
            if (!nb)
                break;
            f = nb;
        }
        run_file *r = &f[n];
        memset(r, 0, sizeof *r);
        snprintf(r->name, sizeof r->name, "%s", de->d_name);
        char p[PATH_MAX + 300];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, r->name);
        if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        r->mtime = sb.st_mtim;
        run_record_shard(r->name, &r->shard, &r->shards);
        r->kind = run_record_kind(r->name);
        char why[512] = "";
        r->doc = read_json_why(p, why, sizeof why);
        if (!cJSON_IsObject(r->doc) || !cJSON_IsArray(cJSON_GetObjectItem(r->doc, "results"))) {
            /* vox trajectory writes its own run.summary.json (frames_done, config.topology): naming it
             * damaged would send the user after a fault that is not there. */
            summary_owner owner;
            summary_owner_of_doc(r->doc, &owner);
            const int trajectory = !ckpt && owner.kind == SUMMARY_TRAJECTORY;
            /* a trajectory's folder is not incomplete or inconsistent (exit 5): it is not what vox validate
             * checks, which is a usage matter (exit 2) */
            say(rp, rp->outputs, trajectory ? "unchecked" : "invalid", p,
                trajectory ? "the summary of a vox trajectory run: vox validate checks the outputs of vox analyze; "
                             "vox trajectory --resume checks and completes a trajectory's files (a folder where both "
                             "ran keeps only the later run's run.summary.json)"
                           : ckpt ? (why[0] ? why : "not a run checkpoint: JSON, but with no \"results\" list")
                                  : (why[0] ? why : "not a run summary: JSON, but with no \"results\" list"),
                NULL);
            flag(rp, trajectory ? V_USAGE : V_OUTPUTS);
            cJSON_Delete(r->doc);
            r->doc = NULL;
        } else if (!ckpt) {
            check_summary_counts(rp, r->doc, p);
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(f, n, sizeof *f, file_by_age);
    *nf = n;
    return f;
}

static const run_file *find_file(const run_file *f, size_t nf, const char *name)
{
    for (size_t i = 0; i < nf; i++)
        if (!strcmp(f[i].name, name))
            return &f[i];
    return NULL;
}

/* The entries a run record lists: results, errors, skipped and planned. */
static int record_entries(const cJSON *doc)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(doc, "results")) + cJSON_GetArraySize(cJSON_GetObjectItem(doc, "errors")) +
           cJSON_GetArraySize(cJSON_GetObjectItem(doc, "skipped")) +
           cJSON_GetArraySize(cJSON_GetObjectItem(doc, "planned"));
}

/* What the records say of the run as a whole: a record that decides something
 * but whose run did not finish (a checkpoint with no newer summary beside it:
 * killed, or still running elsewhere), and a shard of an array with no record
 * at all (never ran here, or killed before its first checkpoint).  Either way
 * the entries it had not reached are not known without the inputs. */
static void check_runs(report *rp, const char *dir, const run_file *f, size_t nf)
{
    char d[PATH_MAX + 600], p[PATH_MAX + 300];
    for (size_t i = 0; i < nf; i++) {
        if (f[i].kind != 0 || !f[i].doc || !f[i].decides)
            continue;
        char sum[300];
        size_t stem = strlen(f[i].name) - strlen("checkpoint.json");
        snprintf(sum, sizeof sum, "%.*ssummary.json", (int)stem, f[i].name);
        const run_file *s = find_file(f, nf, sum);
        if (s && file_by_age(s, &f[i]) > 0)
            continue; /* its run finished: the summary was written last */
        snprintf(p, sizeof p, "%s/%s", dir, f[i].name);
        /* (the checkpoint is named by p: the summary is the one older than it, or missing) */
        snprintf(d, sizeof d, "%s %s%s: the run did not finish (killed, or still running on another host); the %d "
                 "entries it lists are checked here, the ones it had not reached are not known (give the inputs too, "
                 "or re-run it with --resume)", s ? "newer than its summary" : "no summary", sum,
                 s ? " (written when a run ends)" : " beside it",
                 record_entries(f[i].doc));
        say(rp, rp->outputs, "incomplete", p, d, NULL);
        flag(rp, V_OUTPUTS);
    }
    /* a merged summary that lists fewer entries than the plan its shards shared: a shard merged from
     * its checkpoint (killed, or out of time), whose unreached entries are in no record (it passed,
     * exit 0, once the merge had hidden the checkpoint behind a newer summary) */
    for (size_t i = 0; i < nf; i++) {
        if (f[i].kind == 0 || !f[i].doc || !f[i].decides || !cJSON_GetObjectItem(f[i].doc, "merged_from"))
            continue;
        const cJSON *plan = cJSON_GetObjectItem(cJSON_GetObjectItem(f[i].doc, "config"), "shard_plan");
        const cJSON *inputs = cJSON_GetObjectItem(plan, "inputs");
        const int listed = record_entries(f[i].doc);
        if (!cJSON_IsNumber(inputs) || inputs->valuedouble <= (double)listed)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, f[i].name);
        snprintf(d, sizeof d, "a merged summary listing %d of the %.0f entries its shards planned: a shard was merged "
                 "from its checkpoint (killed, or out of time), and the entries it had not reached are in no record "
                 "(run that shard again with --resume, then merge again)", listed, inputs->valuedouble);
        say(rp, rp->outputs, "incomplete", p, d, NULL);
        flag(rp, V_OUTPUTS);
    }
    /* the shards of an array whose records still decide something: every K of N has one.  A shard
     * that had no entries decides nothing, yet its array is as current as it is unless a newer
     * record of another run follows it (before, a folder holding only such a shard's records
     * passed, exit 0, while the shards that own every entry never ran). */
    int *counts = calloc(nf ? nf : 1, sizeof *counts);
    if (!counts)
        return;
    for (size_t i = 0; i < nf; i++) {
        counts[i] = f[i].shards >= 1 && f[i].decides;
        if (counts[i] || f[i].shards < 1 || !f[i].doc || record_entries(f[i].doc) != 0)
            continue;
        counts[i] = 1;
        for (size_t q = i + 1; q < nf && counts[i]; q++) /* f is oldest first */
            counts[i] = f[q].shards == f[i].shards;
    }
    for (size_t i = 0; i < nf; i++) {
        if (!counts[i])
            continue;
        int first = 1; /* each N once: at its first record that counts */
        for (size_t q = 0; q < i && first; q++)
            first = !(f[q].shards == f[i].shards && counts[q]);
        long missing = 0; /* named one by one up to 10, then counted: an array may have thousands of tasks */
        for (long k = 0; first && k < f[i].shards; k++) { /* N <= VOX_MAX_SHARDS (run_record_shard) */
            int seen = 0;
            for (size_t q = 0; q < nf && !seen; q++)
                seen = f[q].shards == f[i].shards && f[q].shard == k;
            if (seen || ++missing > 10)
                continue;
            snprintf(d, sizeof d, "shard %ld of %ld (--shard-index %ld) has no run.shard-%ld-of-%ld.summary.json or "
                     "checkpoint here: it never ran into this folder, or was killed before its first checkpoint; its "
                     "entries are not known (give the inputs too, or run it with --resume)", k, f[i].shards, k, k,
                     f[i].shards);
            say(rp, rp->outputs, "incomplete", dir, d, NULL);
            flag(rp, V_OUTPUTS);
        }
        if (missing > 10) {
            snprintf(d, sizeof d, "and %ld more shards of %ld have no record here", missing - 10, f[i].shards);
            say(rp, rp->outputs, "incomplete", dir, d, NULL);
        }
    }
    free(counts);
}

/* c with the resolution (unless given here) and box padding of a run record's settings (its
 * "config", a checkpoint's "signature"). */
static void made_with(run_config *c, const cJSON *config, int resolution_given)
{
    const cJSON *res = cJSON_GetObjectItem(config, "resolution"), *pad = cJSON_GetObjectItem(config, "box_padding");
    if (!resolution_given && cJSON_IsNumber(res) && isfinite(res->valuedouble) && res->valuedouble > 0)
        c->resolution = res->valuedouble;
    if (cJSON_IsNumber(pad) && isfinite(pad->valuedouble) && pad->valuedouble >= 0)
        c->exports.box_padding = pad->valuedouble;
}

/* write_given, box_types_given, resolution_given: --write, --box-types and --resolution were given here (else
 * the records say; the box padding always comes from them). */
/* A file of the folder's report that is not as vox writes it (report_check_files). */
static void report_file_fault(void *arg, const char *path, const char *why)
{
    report *rp = arg;
    char d[512];
    snprintf(d, sizeof d, "%s", why);
    say(rp, rp->outputs, "invalid", path, d, NULL);
    flag(rp, V_OUTPUTS);
}

/* qsort's and bsearch's order of two labels (pointers to them). */
static int text_order(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static void check_outputs(report *rp, run_config *c, const paths *inputs, int have_inputs, int write_given,
                          int box_types_given, int resolution_given)
{
    char holder[512] = "", d[PATH_MAX + 400];
    if (dirlock_held(c->output_dir, holder, sizeof holder)) {
        snprintf(d, sizeof d, "a run is writing to it now (%s): check again when it has finished", holder);
        say(rp, rp->outputs, "in-use", c->output_dir, d, NULL);
        flag(rp, V_IN_USE);
        return;
    }
    if (vox_file_kind(c->output_dir, NULL) != VOX_PATH_DIRECTORY) {
        say(rp, rp->outputs, "invalid", c->output_dir, "not a directory", NULL);
        flag(rp, V_OUTPUTS);
        return;
    }
    size_t nf = 0;
    run_file *files = read_run_files(rp, c->output_dir, &nf);
    const cJSON *newest = NULL; /* the newest readable record, for the run's settings */
    for (size_t i = nf; i-- > 0 && !newest;)
        newest = files[i].doc;
    if (!newest) {
        char sum_path[PATH_MAX];
        run_record_path(c, "summary", sum_path, sizeof sum_path);
        if (!nf) {
            say(rp, rp->outputs, "invalid", sum_path, "missing, and no run.shard-K-of-N.summary.json or checkpoint "
                "either: the run did not finish, or did not write here", NULL);
            flag(rp, V_OUTPUTS);
        }
        if (!have_inputs) {
            free(files);
            return;
        }
    }
    /* the extra outputs the run wrote and its docking boxes' types: as asked here, else as the newest record's
     * settings say (a checkpoint's "signature" is the summary's "config") */
    const cJSON *config = cJSON_GetObjectItem(newest, "config"), *it;
    if (!config)
        config = cJSON_GetObjectItem(newest, "signature");
    const cJSON *w = cJSON_GetObjectItem(config, "write"), *types = cJSON_GetObjectItem(config, "box_types");
    if (!write_given && cJSON_IsArray(w))
        cJSON_ArrayForEach(it, w) {
            if (!cJSON_IsString(it)) continue;
            if (!strcmp(it->valuestring, "df-json")) c->write_df = 1;
            else if (!strcmp(it->valuestring, "pdb")) c->write_pdb = 1;
            else if (!strcmp(it->valuestring, "html")) c->write_html = 1;
            else exports_kind(&c->exports, it->valuestring);
        }
    /* the outputs were made at the record's resolution and padding: outputs_valid holds them to those
     * (an entry of a record, to that record's: settings_of) */
    made_with(c, config, resolution_given);
    if (!box_types_given && cJSON_IsArray(types) && cJSON_GetArraySize(types) > 0) {
        c->exports.box_types = 0;
        cJSON_ArrayForEach(it, types) {
            int t = cJSON_IsString(it) ? exports_type_of(it->valuestring) : -1;
            if (t >= 0) c->exports.box_types |= EXPORT_TYPE_BIT(t);
        }
    }
    /* the plan: every entry of the records, the newest record naming a label deciding; then the inputs given */
    size_t cap = (have_inputs ? inputs->n : 0) + 16, n = 0, seq = 0;
    static const char *const sections[4] = {"results", "skipped", "errors", "planned"};
    for (size_t i = 0; i < nf; i++)
        for (int k = 0; k < 4; k++) cap += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(files[i].doc, sections[k]));
    planned *plan = calloc(cap, sizeof *plan);
    if (!plan) {
        for (size_t i = 0; i < nf; i++) cJSON_Delete(files[i].doc);
        free(files);
        return;
    }
    /* seq: the records in name order (shard 0, 1, ..., then run.summary.json), each in its sections' order */
    size_t *by_name = calloc(nf ? nf : 1, sizeof *by_name);
    for (size_t i = 0; by_name && i < nf; i++) {
        size_t at = 0;
        for (size_t q = 0; q < nf; q++) at += strcmp(files[q].name, files[i].name) < 0;
        by_name[at] = i;
    }
    for (size_t b = 0; by_name && b < nf; b++) {
        const run_file *f = &files[by_name[b]];
        for (int k = 0; k < 4; k++)
            cJSON_ArrayForEach(it, cJSON_GetObjectItem(f->doc, sections[k])) {
                const cJSON *src = cJSON_GetObjectItem(it, "source"), *ip = cJSON_GetObjectItem(it, "input_path");
                if (!cJSON_IsString(src) || n >= cap)
                    continue;
                planned *p = &plan[n++];
                snprintf(p->label, sizeof p->label, "%s", src->valuestring);
                p->path = cJSON_IsString(ip) ? ip->valuestring : src->valuestring;
                p->record = it;
                p->section = sections[k];
                p->from = f->name;
                p->rank = by_name[b];
                p->seq = seq++;
            }
    }
    free(by_name);
    /* per label, only the entries of the newest record naming it (two inputs labelled alike are two entries) */
    if (n)
        qsort(plan, n, sizeof *plan, plan_by_label_newest);
    size_t kept = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && !strcmp(plan[j].label, plan[i].label); j++) {}
        files[plan[i].rank].decides = 1;
        for (size_t k = i; k < j && plan[k].rank == plan[i].rank; k++)
            plan[kept++] = plan[k];
    }
    n = kept;
    if (n)
        qsort(plan, n, sizeof *plan, plan_by_seq);
    check_runs(rp, c->output_dir, files, nf);
    size_t from_records = n;
    /* the inputs' labels, made once, and both lists sorted for look-ups: comparing every input with
     * every record took 43 s at 32,000 entries (N^2) */
    char (*in_label)[256] = have_inputs ? malloc((inputs->n ? inputs->n : 1) * sizeof *in_label) : NULL;
    const char **in_sorted = have_inputs ? malloc((inputs->n ? inputs->n : 1) * sizeof *in_sorted) : NULL;
    const char **rec_sorted = malloc((from_records ? from_records : 1) * sizeof *rec_sorted);
    if ((have_inputs && (!in_label || !in_sorted)) || !rec_sorted) {
        say(rp, rp->outputs, "invalid", c->output_dir, "out of memory", NULL);
        flag(rp, V_OUTPUTS);
        goto done;
    }
    for (size_t q = 0; q < from_records; q++) rec_sorted[q] = plan[q].label;
    qsort(rec_sorted, from_records, sizeof *rec_sorted, text_order);
    if (have_inputs) {
        for (size_t i = 0; i < inputs->n; i++) {
            if (inputs->p[i].source) sanitize_label(inputs->p[i].source, strlen(inputs->p[i].source), in_label[i], 256);
            else make_label(inputs->p[i].path, in_label[i], 256);
            in_sorted[i] = in_label[i];
        }
        qsort(in_sorted, inputs->n, sizeof *in_sorted, text_order);
        for (size_t i = 0; i < inputs->n && n < cap; i++) {
            const char *key = in_label[i];
            if (!bsearch(&key, rec_sorted, from_records, sizeof *rec_sorted, text_order)) {
                memset(&plan[n], 0, sizeof plan[n]); /* past the records' entries kept: not cleared */
                snprintf(plan[n].label, sizeof plan[n].label, "%s", in_label[i]);
                plan[n++].path = inputs->p[i].path;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        planned *p = &plan[i];
        if (have_inputs && p->section) { /* with inputs, only the planned ones count */
            const char *key = p->label;
            if (!bsearch(&key, in_sorted, inputs->n, sizeof *in_sorted, text_order))
                continue;
        }
        /* which record says so: in a folder of shards the user re-runs that shard */
        char from[320] = "";
        if (p->from)
            snprintf(from, sizeof from, " (from %s)", p->from);
        if (p->section && !strcmp(p->section, "errors")) {
            const cJSON *err = cJSON_GetObjectItem(p->record, "error");
            snprintf(d, sizeof d, "failed in the run%s: %s", from, cJSON_IsString(err) ? err->valuestring : "(no message)");
            say_entry(rp, "failed", p, d);
            flag(rp, V_OUTPUTS);
            continue;
        }
        /* the entry's outputs were made with its own record's settings: the shards of one folder may
         * differ (merge-summaries refuses them, but each shard's files are its run's) */
        run_config made = *c;
        if (p->from && p->rank < nf && files[p->rank].doc) {
            const cJSON *own = cJSON_GetObjectItem(files[p->rank].doc, "config");
            made_with(&made, own ? own : cJSON_GetObjectItem(files[p->rank].doc, "signature"), resolution_given);
        }
        char cif[PATH_MAX], json[PATH_MAX], why[PATH_MAX + 300];
        snprintf(cif, sizeof cif, "%s/%s.annotated.cif", c->output_dir, p->label);
        snprintf(json, sizeof json, "%s/%s.annotation.json", c->output_dir, p->label);
        outcome o;
        memset(&o, 0, sizeof o);
        if (p->section && !strcmp(p->section, "planned")) {
            /* a --dry-run into a finished folder replaces its records (as
             * volumizer's does) but not its outputs: those still count */
            if (outputs_valid(&made, p->label, cif, json, &o, why, sizeof why)) {
                snprintf(d, sizeof d, "outputs complete (%zu volumes) of an earlier run; the newest record%s is a "
                         "--dry-run that planned it", o.num_volumes, from);
                say_entry(rp, "ok", p, d);
                continue;
            }
            /* outputs there that are not this plan's (another resolution, say) are named: they exist */
            if (access(json, F_OK) == 0)
                snprintf(d, sizeof d, "planned only (a --dry-run), and the outputs there are not its: %s%s", why,
                         from);
            else
                snprintf(d, sizeof d, "planned only (a --dry-run): never analysed%s", from);
            say_entry(rp, "missing", p, d);
            flag(rp, V_OUTPUTS);
            continue;
        }
        const cJSON *reason = cJSON_GetObjectItem(p->record, "reason");
        if (cJSON_IsString(reason) && !strcmp(reason->valuestring, "over_max_memory")) {
            const cJSON *det = cJSON_GetObjectItem(p->record, "detail");
            snprintf(d, sizeof d, "skipped by the run%s: %s", from, cJSON_IsString(det) ? det->valuestring
                                                                                          : "over --max-memory");
            say_entry(rp, "missing", p, d);
            flag(rp, V_OUTPUTS);
            continue;
        }
        if (!outputs_valid(&made, p->label, cif, json, &o, why, sizeof why)) {
            snprintf(d, sizeof d, "%s%s", why, from);
            say_entry(rp, "invalid", p, d);
            flag(rp, V_OUTPUTS);
            continue;
        }
        /* the record agrees with the annotation */
        const cJSON *nv = cJSON_GetObjectItem(p->record, "num_volumes"), *lt = cJSON_GetObjectItem(p->record, "largest_type"),
                    *lv = cJSON_GetObjectItem(p->record, "largest_volume");
        if (p->record && (!cJSON_IsNumber(nv) || nv->valuedouble != (double)o.num_volumes ||
                          (cJSON_IsString(lt) ? !o.largest_type || strcmp(lt->valuestring, o.largest_type)
                                              : o.largest_type != NULL) ||
                          /* both printed from one double: equal when the files agree; null only without
                           * volumes */
                          (cJSON_IsNumber(lv) ? !o.largest_type || lv->valuedouble != o.largest_volume
                                              : o.largest_type != NULL))) {
            snprintf(d, sizeof d, "the record of %s (num_volumes, largest_type, largest_volume) disagrees with %s",
                     p->from, json);
            say_entry(rp, "invalid", p, d);
            flag(rp, V_OUTPUTS);
            continue;
        }
        if (have_inputs && newest && !p->section) {
            snprintf(d, sizeof d, "outputs valid, but no run record in %s (run.summary.json, run.shard-K-of-N.summary.json "
                     "or their checkpoints) lists this structure", c->output_dir);
            say_entry(rp, "invalid", p, d);
            flag(rp, V_OUTPUTS);
            continue;
        }
        snprintf(d, sizeof d, "outputs complete (%zu volumes)", o.num_volumes);
        say_entry(rp, "ok", p, d);
    }
    /* the pages' shared files: without them no page shows */
    if (c->write_html)
        report_check_files(c->output_dir, report_file_fault, rp);
    /* what a killed run leaves: noted, not an error (the next run removes it) */
    DIR *dir = opendir(c->output_dir);
    struct dirent *de;
    size_t stray = 0;
    while (dir && (de = readdir(dir))) {
        size_t tl;
        long pid;
        stray += vox_temp_owner(de->d_name, &tl, &pid);
        const char *suffix = strstr(de->d_name, ".annotation.json");
        if (suffix && !suffix[16] && !strstr(de->d_name, ".tmp.")) {
            char label[256];
            snprintf(label, sizeof label, "%.*s", (int)(suffix - de->d_name), de->d_name);
            if (!label_in(plan, n, label)) {
                snprintf(d, sizeof d, "%s is not in the plan (another run's output?)", de->d_name);
                say(rp, rp->notes, "note", c->output_dir, d, NULL);
            }
        }
    }
    if (dir)
        closedir(dir);
    char assets[PATH_MAX];
    snprintf(assets, sizeof assets, "%.*s/%s", PATH_MAX - 16, c->output_dir, REPORT_ASSET_DIR);
    /* the report's folder: its files are written the same way (a link to another folder is not
     * followed: report_check_files names it) */
    int fd = open(assets, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *sub = fd >= 0 ? fdopendir(fd) : NULL;
    if (fd >= 0 && !sub)
        close(fd);
    while (sub && (de = readdir(sub))) {
        size_t tl;
        long pid;
        stray += vox_temp_owner(de->d_name, &tl, &pid);
    }
    if (sub)
        closedir(sub);
    if (stray) {
        snprintf(d, sizeof d,
                 "%zu temporary file(s) of an interrupted run (the next vox analyze that finds the folder free of "
                 "other runs removes them)", stray);
        say(rp, rp->notes, "note", c->output_dir, d, NULL);
    }
done:
    free(in_label), free(in_sorted), free(rec_sorted);
    free(plan);
    for (size_t i = 0; i < nf; i++) cJSON_Delete(files[i].doc);
    free(files);
}

static void add_walked(void *ps, const char *p) { add_input(ps, p); }

int cmd_validate(int argc, char **argv)
{
    run_config c;
    memset(&c, 0, sizeof c);
    c.resolution = 3.0;
    c.min_voxels = 4;
    c.necked = 1;
    c.align = 1;
    c.connectivity = "custom18";
    c.merge_gap = 1;
    c.assembly = "biological";
    c.backend = "auto";
    c.jobs = 1;
    c.shard_index = -1;
    exports_defaults(&c.exports);
    int write_given = 0, resolution_given = 0;
    report rp;
    memset(&rp, 0, sizeof rp);
    enum { O_OUT = 256, O_RES, O_ASM, O_KEEP, O_NOALIGN, O_MAXGRID, O_MAXMEM, O_MAXIN, O_WRITE, O_MANIFEST, O_FROMSUM,
           O_ONLY, O_DLDIR, O_JSON, O_QUIET, O_INPUT, O_BOXTYPES };
    static const struct option opts[] = {
        {"output-dir", required_argument, 0, O_OUT}, {"resolution", required_argument, 0, O_RES},
        {"assembly-policy", required_argument, 0, O_ASM}, {"keep-non-protein", no_argument, 0, O_KEEP},
        {"no-align", no_argument, 0, O_NOALIGN}, {"max-grid-voxels", required_argument, 0, O_MAXGRID},
        {"max-memory", required_argument, 0, O_MAXMEM}, {"max-input-bytes", required_argument, 0, O_MAXIN},
        {"write", required_argument, 0, O_WRITE}, {"box-types", required_argument, 0, O_BOXTYPES},
        {"manifest", required_argument, 0, O_MANIFEST},
        {"from-summary", required_argument, 0, O_FROMSUM}, {"only", required_argument, 0, O_ONLY},
        {"download-dir", required_argument, 0, O_DLDIR}, {"json", no_argument, 0, O_JSON},
        {"quiet", no_argument, 0, O_QUIET}, {"input", required_argument, 0, O_INPUT},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char **given = calloc((size_t)argc + 1, sizeof *given);
    size_t ngiven = 0;
    if (!given)
        return 1;
    int ch, rc = -1;
    optind = 1;
    opterr = 0;
    while (rc < 0 && (ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (ch) {
        case O_OUT: c.output_dir = optarg; break;
        case O_INPUT: given[ngiven++] = optarg; break;
        case O_RES:
            resolution_given = 1;
            if (!cli_number(optarg, &c.resolution) || c.resolution <= 0) {
                fprintf(stderr, "vox validate: --resolution: expected a positive number of angstroms, got '%s'\n", optarg);
                rc = V_USAGE;
            }
            break;
        case O_ASM:
            if (strcmp(optarg, "biological") && strcmp(optarg, "asymmetric") && strcmp(optarg, "auto")) {
                fprintf(stderr, "vox validate: --assembly-policy: expected biological, asymmetric or auto, got '%s'\n", optarg);
                rc = V_USAGE;
            }
            c.assembly = optarg;
            break;
        case O_KEEP: c.keep_non_protein = 1; break;
        case O_NOALIGN: c.align = 0; break;
        case O_MAXGRID:
            long grid = 0;
            const int grid_ok = cli_integer(optarg, &grid) && grid >= 1 && grid <= 4294967295L;
            c.max_grid_voxels = grid_ok ? (unsigned long long)grid : 0;
            if (!grid_ok) {
                fprintf(stderr, "vox validate: --max-grid-voxels: expected an integer from 1 to 4294967295, got '%s'\n",
                        optarg);
                rc = V_USAGE;
            }
            break;
        case O_MAXMEM:
        case O_MAXIN: {
            unsigned long long v;
            if (!parse_size(optarg, &v) || v == 0) {
                fprintf(stderr, "vox validate: %s: expected a positive byte count such as 4G, got '%s'\n",
                        ch == O_MAXMEM ? "--max-memory" : "--max-input-bytes", optarg);
                rc = V_USAGE;
            }
            if (ch == O_MAXMEM) c.max_memory = v;
            else c.max_input_bytes = v;
            break;
        }
        case O_WRITE: {
            if (!write_list_parse("validate", optarg, &c)) {
                rc = V_USAGE;
                break;
            }
            write_given = 1;
            break;
        }
        case O_BOXTYPES:
            if (exports_option(&c.exports, "validate", "--box-types", optarg) != 0)
                rc = V_USAGE;
            break;
        case O_MANIFEST: c.manifest = optarg; break;
        case O_FROMSUM: c.from_summary = optarg; break;
        case O_ONLY:
            if (strcmp(optarg, "failed") && strcmp(optarg, "skipped") && strcmp(optarg, "planned") && strcmp(optarg, "all")) {
                fprintf(stderr, "vox validate: --only: expected failed, skipped, planned or all, got '%s'\n", optarg);
                rc = V_USAGE;
            }
            c.only = optarg;
            break;
        case O_DLDIR: c.download_dir = optarg; break;
        case O_JSON: rp.json = 1; break;
        case O_QUIET: rp.quiet = 1; break;
        case 'h': usage_validate(stdout); rc = 0; break;
        case ':': fprintf(stderr, "vox validate: option '%s' needs a value\n", argv[optind - 1]); rc = V_USAGE; break;
        default: {
            char why[600];
            cli_option_error(opts, argv[optind - 1], optopt, why, sizeof why);
            fprintf(stderr, "vox validate: %s (see vox validate --help)\n", why);
            rc = V_USAGE;
        }
        }
    }
    for (int i = optind; rc < 0 && i < argc; i++)
        given[ngiven++] = argv[i];
    if (rc < 0 && !ngiven && !c.manifest && !c.from_summary && !c.output_dir) {
        fprintf(stderr, "vox validate: nothing to check: give inputs (paths, --manifest, --from-summary) and/or "
                        "--output-dir\n");
        rc = V_USAGE;
    }
    /* an empty path names nothing: a usage error naming it, as in vox analyze */
    if (rc < 0 && c.output_dir && !*c.output_dir) {
        fprintf(stderr, "vox validate: --output-dir: an empty path (expected a path)\n");
        rc = V_USAGE;
    }
    for (size_t i = 0; rc < 0 && i < ngiven; i++)
        if (!*given[i]) {
            fprintf(stderr, "vox validate: an empty input path (expected a structure file or directory)\n");
            rc = V_USAGE;
        }
    /* options that would do nothing: said, as vox analyze says them (they were passed over) */
    if (rc < 0 && c.only && !c.from_summary) {
        fprintf(stderr, "vox validate: --only chooses the entries of --from-summary PATH: add it, or leave --only out\n");
        rc = V_USAGE;
    }
    /* (a --write that asks for descriptors holds the inputs to their grid limit: it does something alone) */
    const int write_idle = write_given && !exports_need_descriptors(&c.exports);
    if (rc < 0 && (write_idle || c.exports.box_types_given) && !c.output_dir) {
        fprintf(stderr, "vox validate: %s says which outputs to check in --output-dir DIR: add it, or leave %s out\n",
                write_idle ? "--write" : "--box-types", write_idle ? "--write" : "--box-types");
        rc = V_USAGE;
    }
    if (rc >= 0) {
        free(given);
        return rc;
    }
    char dl[PATH_MAX];
    if (!c.output_dir) { /* manifests look for PDB ids in <output-dir>/downloads */
        snprintf(dl, sizeof dl, ".");
        c.output_dir = dl;
    }
    int check_dir = c.output_dir != dl;
    rp.inputs = cJSON_CreateArray();
    rp.outputs = cJSON_CreateArray();
    rp.notes = cJSON_CreateArray();
    paths ps = {0};
    walk *wk = walk_new();
    if (check_dir) /* as vox analyze plans: its outputs are not inputs */
        walk_exclude_output(wk, c.output_dir);
    for (size_t i = 0; i < ngiven && wk; i++) {
        size_t before = ps.n;
        if (vox_file_kind(given[i], NULL) == VOX_PATH_DIRECTORY)
            walk_dir(wk, given[i], add_walked, &ps);
        else
            walk_claim_file(wk, given[i]);
        if (ps.n == before) {
            input *in = add_input(&ps, given[i]);
            if (in && vox_file_kind(given[i], NULL) == VOX_PATH_DIRECTORY) {
                char m[PATH_MAX + 100];
                snprintf(m, sizeof m, "no structure files (PDB or mmCIF, optionally gzip-compressed) in this directory");
                in->error = strdup(m);
            }
        }
    }
    for (size_t i = 0; wk && i < walk_skipped(wk); i++)
        say(&rp, rp.notes, "note", "inputs", walk_note(wk, i), NULL);
    walk_free(wk);
    char why[512];
    if (c.manifest) {
        char *text = read_text_file(c.manifest, (size_t)1 << 30, NULL);
        if (!manifest_entries(text, c.manifest, &c, &ps, why, sizeof why)) {
            say(&rp, rp.inputs, "invalid", c.manifest, text ? why : text_file_error(errno), NULL);
            flag(&rp, V_BAD_INPUT);
        }
        free(text);
    }
    if (c.from_summary) {
        char *text = read_text_file(c.from_summary, (size_t)1 << 30, NULL);
        char sw[256] = "";
        if (!summary_entries(text, c.only, &ps, NULL, sw, sizeof sw)) {
            say(&rp, rp.inputs, "invalid", c.from_summary, text ? sw : text_file_error(errno), NULL);
            flag(&rp, V_BAD_INPUT);
        }
        free(text);
    }
    cli_log log;
    cli_log_init(&log);
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    o.log = cli_log_line;
    o.log_cookie = &log;
    if (c.max_grid_voxels)
        o.max_grid_voxels = c.max_grid_voxels;
    vox_ctx *ctx = NULL;
    vox_status st = vox_ctx_create(&ctx, &o);
    if (st != VOX_OK) {
        explain_ctx_error(st, NULL, why, sizeof why);
        fprintf(stderr, "vox validate: %s\n", why);
        rc = st == VOX_E_ISA_UNKNOWN || st == VOX_E_ISA_UNAVAILABLE ? V_USAGE : 1;
    } else {
        for (size_t i = 0; i < ps.n; i++)
            check_input(&rp, ctx, &c, &ps.p[i]);
        if (check_dir)
            check_outputs(&rp, &c, &ps, ps.n > 0, write_given, c.exports.box_types_given, resolution_given);
        rc = rp.worst;
    }
    vox_ctx_destroy(&ctx);
    cli_log_free(&log);
    if (rp.json && st == VOX_OK) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddNumberToObject(doc, "exit_code", rc);
        cJSON_AddItemToObject(doc, "inputs", rp.inputs);
        cJSON_AddItemToObject(doc, "outputs", rp.outputs);
        cJSON_AddItemToObject(doc, "notes", rp.notes);
        vox_buf txt = {0}; /* as the summaries: bytes of a path that are not UTF-8 as \udcXX escapes */
        pyjson_print(&txt, doc);
        if (!txt.oom && txt.data) printf("%s\n", txt.data);
        vox_buf_free(&txt);
        cJSON_Delete(doc);
    } else {
        cJSON_Delete(rp.inputs);
        cJSON_Delete(rp.outputs);
        cJSON_Delete(rp.notes);
    }
    paths_free(&ps);
    free(given);
    return rc;
}
