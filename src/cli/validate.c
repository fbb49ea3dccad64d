/* validate.c - `vox validate`: checks inputs and an output directory without analysing
 *
 * Inputs (files, directories, --manifest, --from-summary, as vox analyze takes them): each
 * is read with the analysis's own loader and limits, cleaned and aligned as vox analyze
 * would, and its grid at the chosen resolution predicted (vox_estimate_grid): voxels and
 * peak memory against --max-grid-voxels and --max-memory.  An output directory: every
 * structure the inputs (or, without inputs, the directory's run.summary.json) plan has
 * outputs that exist and validate - the rule --resume trusts - and the summary agrees with
 * them.  The exit code says which check failed (usage_validate lists them).
 */
#include <dirent.h>
#include <errno.h>
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
            "structure the inputs plan (without inputs: every entry of DIR/run.summary.json) has outputs\n"
            "that exist and validate, as --resume requires, and the summary agrees with them.\n"
            "\n"
            "options (vox analyze's meanings):\n"
            "  --output-dir DIR              the output directory to check\n"
            "  --resolution A                voxel edge (default 3.0)\n"
            "  --assembly-policy P           biological, asymmetric or auto (default biological)\n"
            "  --keep-non-protein            keep waters, ligands and nucleic acids\n"
            "  --no-align                    coordinates as they are\n"
            "  --max-grid-voxels N           grid limit (default 2147483647, at most 4294967295)\n"
            "  --max-memory SIZE             flag inputs predicted to need more (K, M, G suffixes)\n"
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
            "  2  usage error\n"
            "  3  an input cannot be analysed (unreadable, not PDB or mmCIF, malformed, no atoms left)\n"
            "  4  an input would not fit: grid over --max-grid-voxels (or 2^32 - 1), or memory over --max-memory\n"
            "  5  the output directory is incomplete or inconsistent (outputs missing or invalid, failed or\n"
            "     planned entries, a summary that disagrees with the files, no summary)\n"
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
    if (ge.over_limit) {
        unsigned long long limit = c->max_grid_voxels ? c->max_grid_voxels : 2147483647ull;
        snprintf(detail + n, sizeof detail - (size_t)n, ": over the grid limit of %llu voxels (--max-grid-voxels; a "
                 "coarser --resolution needs fewer)", limit > 4294967295ull ? 4294967295ull : limit);
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
    char label[128];
    const char *path;         /* the input, for messages */
    const cJSON *record;      /* the summary's record, or NULL */
    const char *section;      /* the summary section it is in, or NULL */
} planned;

static int label_in(const planned *p, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(p[i].label, label))
            return 1;
    return 0;
}

/* The summary's counts agree with its lists, and each result's record with its annotation. */
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

/* write_given, box_types_given: --write and --box-types were given here (else the summary says). */
static void check_outputs(report *rp, run_config *c, const paths *inputs, int have_inputs, int write_given,
                          int box_types_given)
{
    char holder[512] = "", sum_path[PATH_MAX], d[PATH_MAX + 400];
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
    run_record_path(c, "summary", sum_path, sizeof sum_path);
    cJSON *sum = read_json(sum_path);
    if (!cJSON_IsObject(sum) || !cJSON_IsArray(cJSON_GetObjectItem(sum, "results"))) {
        say(rp, rp->outputs, "invalid", sum_path,
            access(sum_path, F_OK) ? "missing: the run did not finish (its checkpoint, if any, lists what was done)"
                                   : "not a run summary (damaged?)",
            NULL);
        flag(rp, V_OUTPUTS);
        cJSON_Delete(sum);
        sum = NULL;
        if (!have_inputs)
            return;
    } else {
        check_summary_counts(rp, sum, sum_path);
    }
    /* the extra outputs the run wrote and its docking boxes' types: as asked here, else as the summary's config says */
    const cJSON *config = cJSON_GetObjectItem(sum, "config"), *it;
    const cJSON *w = cJSON_GetObjectItem(config, "write"), *types = cJSON_GetObjectItem(config, "box_types");
    if (!write_given && cJSON_IsArray(w))
        cJSON_ArrayForEach(it, w) {
            if (!cJSON_IsString(it)) continue;
            if (!strcmp(it->valuestring, "df-json")) c->write_df = 1;
            else if (!strcmp(it->valuestring, "pdb")) c->write_pdb = 1;
            else if (!strcmp(it->valuestring, "html")) c->write_html = 1;
            else exports_kind(&c->exports, it->valuestring);
        }
    if (!box_types_given && cJSON_IsArray(types) && cJSON_GetArraySize(types) > 0) {
        c->exports.box_types = 0;
        cJSON_ArrayForEach(it, types) {
            int t = cJSON_IsString(it) ? exports_type_of(it->valuestring) : -1;
            if (t >= 0) c->exports.box_types |= EXPORT_TYPE_BIT(t);
        }
    }
    /* the plan: the inputs given, else every entry of the summary */
    size_t cap = (have_inputs ? inputs->n : 0) + 16, n = 0;
    static const char *const sections[4] = {"results", "skipped", "errors", "planned"};
    for (int k = 0; k < 4; k++) cap += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(sum, sections[k]));
    planned *plan = calloc(cap, sizeof *plan);
    if (!plan) {
        cJSON_Delete(sum);
        return;
    }
    for (int k = 0; k < 4 && sum; k++)
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(sum, sections[k])) {
            const cJSON *src = cJSON_GetObjectItem(it, "source"), *ip = cJSON_GetObjectItem(it, "input_path");
            if (!cJSON_IsString(src) || n >= cap)
                continue;
            planned *p = &plan[n++];
            snprintf(p->label, sizeof p->label, "%s", src->valuestring);
            p->path = cJSON_IsString(ip) ? ip->valuestring : src->valuestring;
            p->record = it;
            p->section = sections[k];
        }
    size_t from_summary = n;
    if (have_inputs) {
        for (size_t i = 0; i < inputs->n && n < cap; i++) {
            char label[128];
            if (inputs->p[i].source) sanitize_label(inputs->p[i].source, strlen(inputs->p[i].source), label, sizeof label);
            else make_label(inputs->p[i].path, label, sizeof label);
            int known = 0;
            for (size_t q = 0; q < from_summary && !known; q++)
                known = !strcmp(plan[q].label, label);
            if (!known) {
                snprintf(plan[n].label, sizeof plan[n].label, "%s", label);
                plan[n++].path = inputs->p[i].path;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        planned *p = &plan[i];
        if (have_inputs && p->section) { /* with inputs, only the planned ones count */
            int wanted = 0;
            for (size_t q = 0; q < inputs->n && !wanted; q++) {
                char label[128];
                if (inputs->p[q].source) sanitize_label(inputs->p[q].source, strlen(inputs->p[q].source), label, sizeof label);
                else make_label(inputs->p[q].path, label, sizeof label);
                wanted = !strcmp(label, p->label);
            }
            if (!wanted)
                continue;
        }
        if (p->section && !strcmp(p->section, "errors")) {
            const cJSON *err = cJSON_GetObjectItem(p->record, "error");
            snprintf(d, sizeof d, "failed in the run: %s", cJSON_IsString(err) ? err->valuestring : "(no message)");
            say(rp, rp->outputs, "failed", p->label, d, NULL);
            flag(rp, V_OUTPUTS);
            continue;
        }
        if (p->section && !strcmp(p->section, "planned")) {
            say(rp, rp->outputs, "missing", p->label, "planned only (a --dry-run): never analysed", NULL);
            flag(rp, V_OUTPUTS);
            continue;
        }
        const cJSON *reason = cJSON_GetObjectItem(p->record, "reason");
        if (cJSON_IsString(reason) && !strcmp(reason->valuestring, "over_max_memory")) {
            const cJSON *det = cJSON_GetObjectItem(p->record, "detail");
            snprintf(d, sizeof d, "skipped by the run: %s", cJSON_IsString(det) ? det->valuestring : "over --max-memory");
            say(rp, rp->outputs, "missing", p->label, d, NULL);
            flag(rp, V_OUTPUTS);
            continue;
        }
        char cif[PATH_MAX], json[PATH_MAX], why[PATH_MAX + 300];
        snprintf(cif, sizeof cif, "%s/%s.annotated.cif", c->output_dir, p->label);
        snprintf(json, sizeof json, "%s/%s.annotation.json", c->output_dir, p->label);
        outcome o;
        memset(&o, 0, sizeof o);
        if (!outputs_valid(c, p->label, cif, json, &o, why, sizeof why)) {
            say(rp, rp->outputs, "invalid", p->label, why, NULL);
            flag(rp, V_OUTPUTS);
            continue;
        }
        /* the summary's record agrees with the annotation */
        const cJSON *nv = cJSON_GetObjectItem(p->record, "num_volumes"), *lt = cJSON_GetObjectItem(p->record, "largest_type");
        if (p->record && (!cJSON_IsNumber(nv) || nv->valuedouble != (double)o.num_volumes ||
                          (cJSON_IsString(lt) ? !o.largest_type || strcmp(lt->valuestring, o.largest_type)
                                              : o.largest_type != NULL))) {
            snprintf(d, sizeof d, "the summary's record (num_volumes, largest_type) disagrees with %s", json);
            say(rp, rp->outputs, "invalid", p->label, d, NULL);
            flag(rp, V_OUTPUTS);
            continue;
        }
        if (have_inputs && sum && !p->section) {
            snprintf(d, sizeof d, "outputs valid, but %s does not list this structure", sum_path);
            say(rp, rp->outputs, "invalid", p->label, d, NULL);
            flag(rp, V_OUTPUTS);
            continue;
        }
        snprintf(d, sizeof d, "outputs complete (%zu volumes)", o.num_volumes);
        say(rp, rp->outputs, "ok", p->label, d, NULL);
    }
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
            char label[128];
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
    DIR *sub = opendir(assets); /* the report's folder: its files are written the same way */
    while (sub && (de = readdir(sub))) {
        size_t tl;
        long pid;
        stray += vox_temp_owner(de->d_name, &tl, &pid);
    }
    if (sub)
        closedir(sub);
    if (stray) {
        snprintf(d, sizeof d, "%zu temporary file(s) of an interrupted run (the next vox analyze here removes them)", stray);
        say(rp, rp->notes, "note", c->output_dir, d, NULL);
    }
    free(plan);
    cJSON_Delete(sum);
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
    int write_given = 0, box_types_given = 0;
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
        char *end;
        switch (ch) {
        case O_OUT: c.output_dir = optarg; break;
        case O_INPUT: given[ngiven++] = optarg; break;
        case O_RES:
            errno = 0;
            c.resolution = strtod(optarg, &end);
            if (*end || errno || !isfinite(c.resolution) || c.resolution <= 0) {
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
            errno = 0;
            c.max_grid_voxels = strtoull(optarg, &end, 10);
            if (*end || errno || !*optarg || *optarg == '-' || c.max_grid_voxels == 0 || c.max_grid_voxels > 4294967295ull) {
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
            char buf[256];
            snprintf(buf, sizeof buf, "%s", optarg);
            for (char *save, *t = strtok_r(buf, ",", &save); t && rc < 0; t = strtok_r(NULL, ",", &save)) {
                if (!strcmp(t, "df-json")) c.write_df = 1;
                else if (!strcmp(t, "pdb")) c.write_pdb = 1;
                else if (!strcmp(t, "html")) c.write_html = 1;
                else if (!exports_kind(&c.exports, t)) {
                    fprintf(stderr, "vox validate: --write: unknown output '%s' (expected df-json, pdb, html, %s)\n", t,
                            exports_kind_names());
                    rc = V_USAGE;
                }
            }
            write_given = 1;
            break;
        }
        case O_BOXTYPES:
            if (exports_option(&c.exports, "validate", "--box-types", optarg) != 0)
                rc = V_USAGE;
            box_types_given = 1;
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
        default:
            fprintf(stderr, "vox validate: unknown option '%s' (see vox validate --help)\n", argv[optind - 1]);
            rc = V_USAGE;
        }
    }
    for (int i = optind; rc < 0 && i < argc; i++)
        given[ngiven++] = argv[i];
    if (rc < 0 && !ngiven && !c.manifest && !c.from_summary && !c.output_dir) {
        fprintf(stderr, "vox validate: nothing to check: give inputs (paths, --manifest, --from-summary) and/or "
                        "--output-dir\n");
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
            say(&rp, rp.inputs, "invalid", c.manifest, text ? why : strerror(errno), NULL);
            flag(&rp, V_BAD_INPUT);
        }
        free(text);
    }
    if (c.from_summary) {
        char *text = read_text_file(c.from_summary, (size_t)1 << 30, NULL);
        if (!summary_entries(text, c.only, &ps)) {
            say(&rp, rp.inputs, "invalid", c.from_summary, text ? "not a run summary" : strerror(errno), NULL);
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
        rc = st == VOX_E_ISA_UNKNOWN ? V_USAGE : 1;
    } else {
        for (size_t i = 0; i < ps.n; i++)
            check_input(&rp, ctx, &c, &ps.p[i]);
        if (check_dir)
            check_outputs(&rp, &c, &ps, ps.n > 0, write_given, box_types_given);
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
        char *txt = cJSON_Print(doc);
        if (txt) printf("%s\n", txt);
        free(txt);
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
