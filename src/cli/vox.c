/* vox.c - the `vox` command: `vox analyze` (a drop-in for volumizer's analyze), `vox info`
 *
 * Exit codes follow volumizer: 0 success, 1 when any structure failed,
 * 2 for a usage error.  Every output file is written atomically.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "internal.h"
#include "pyjson.h"
#include "report.h"
#include "vox/vox.h"

#define EXIT_USAGE 2

static void usage_analyze(FILE *f)
{
    fprintf(f,
            "usage: vox analyze [options] [--input PATH | PATH ...] --output-dir DIR\n"
            "\n"
            "Finds and measures cavities, pockets, pores (and hubs) of protein structures,\n"
            "with volumizer's results.  Inputs: PDB or mmCIF files, optionally gzip-compressed.\n"
            "\n"
            "Per input it writes <label>.annotation.json and <label>.annotated.cif into the\n"
            "output directory, prints the volumes, and writes run.summary.json at the end.\n"
            "\n"
            "options (volumizer's names and defaults):\n"
            "  --input PATH                  a structure file (positional paths work too)\n"
            "  --output-dir DIR              output directory (required)\n"
            "  --resolution A                voxel edge in angstroms (default 3.0)\n"
            "  --min-voxels N                keep volumes with >= N voxels (default 4)\n"
            "  --min-volume A3               keep volumes with volume >= A3\n"
            "  --include-hubs                keep hub rows and HUB atoms in the outputs\n"
            "  --no-necked-pocket-cavity     turn off the neck refinement\n"
            "  --surface-connectivity M      6, 18, 26 or custom18 (default custom18)\n"
            "  --merge-mouth-gap-voxels N    mouth-merge gap (default 1; negative disables)\n"
            "  --assembly-policy P           biological, asymmetric or auto (default biological)\n"
            "  --keep-non-protein            keep waters, ligands and nucleic acids\n"
            "  --overwrite | --reannotate    replace existing outputs\n"
            "  --fail-fast                   stop at the first failed structure\n"
            "  --backend B                   auto, native or python (accepted; vox is native)\n"
            "batch runs:\n"
            "  PATH ...                      files and directories (searched recursively, by content, .gz too)\n"
            "  --jobs N                      analyse N structures at once (default 1; for several\n"
            "                                structures, the tuning profile's measured split when voxtune\n"
            "                                made one: N jobs x threads per job, see vox info)\n"
            "  --resume                      skip structures whose outputs exist and validate\n"
            "  --wait-lock                   when another run holds the output directory, wait for it\n"
            "                                (default: fail at once, naming the other run)\n"
            "  --checkpoint PATH | --no-checkpoint   record of the run (default <output-dir>/run.checkpoint.json)\n"
            "  --progress-interval S         progress line every S seconds when stderr is not a terminal\n"
            "                                (default 30; 0 disables); a progress bar on a terminal\n"
            "  --progress-jsonl FILE         volumizer's progress events, one JSON object per line\n"
            "  --num-shards N --shard-index K   analyse the entries at positions p with p mod N = K; shards\n"
            "                                may share an output directory (run.shard-K-of-N.summary.json each;\n"
            "                                join them with vox merge-summaries)\n"
            "  --failures-manifest PATH      write the failed entries as a replayable manifest\n"
            "  --dry-run                     list what would run, analyse nothing\n"
            "  --manifest PATH               volumizer's manifest: structures[] with input_path and/or pdb_id\n"
            "  --download-dir DIR            where <ID>.cif[.gz] of pdb_id entries are found (default\n"
            "                                <output-dir>/downloads; vox itself never downloads)\n"
            "  --from-summary PATH [--only failed|skipped|planned|all]   replay an earlier run's entries\n"
            "  (under mpirun -np P, the entries are spread over the ranks; rank 0 writes the summary)\n"
            "vox options:\n"
            "  --no-align                    use the input coordinates as they are\n"
            "  --frame-signs F               volumizer (default): volumizer's aligned frame, bit for bit\n"
            "                                (its SVD signs as on reference LAPACK); canonical: vox's own\n"
            "                                sign rule, independent of rounding (third moment positive)\n"
            "  --write LIST                  also write, comma-separated: df-json (<label>.df.json), pdb\n"
            "                                (<label>.annotated.pdb), descriptors (<label>.volumes.json),\n"
            "                                vina (<label>.<type>-<id>.vina.txt), dx (<label>.<type>-<id>.dx),\n"
            "                                pymol (<label>.pml), chimerax (<label>.cxc), html (<label>.html,\n"
            "                                a page with a 3D view, and index.html; offline); boxes, maps and\n"
            "                                scripts are in the input frame (README \"Descriptors\")\n"
            "  --box-padding A               docking boxes: A angstroms around the volume (default 4)\n"
            "  --box-types LIST              types with vina/dx files: hub, pore, pocket, cavity, occluded,\n"
            "                                all (default pocket,cavity,pore; hubs need --include-hubs)\n"
            "  --max-grid-voxels N           refuse grids larger than N voxels (default 2147483647)\n"
            "  --output-frame F              aligned (default: volumizer's frame) or input: the annotated\n"
            "                                CIF/PDB coordinates in the input file's frame\n"
            "  --max-memory SIZE             skip (with the reason in the summary) structures whose predicted\n"
            "                                peak memory at this resolution is over SIZE (K, M, G, T suffixes)\n"
            "  --max-input-bytes SIZE        refuse structure text (after gzip decompression) longer than\n"
            "                                SIZE bytes (K, M, G, T; default 1G), checked while reading\n"
            "  --isa NAME                    scalar|avx2|avx512|neon (default: best available)\n"
            "  --threads N                   threads per structure (default: $VOX_THREADS, else one per\n"
            "                                core with --jobs 1 and 1 with more jobs); same results for any N\n"
            "  --profile PATH                voxtune profile (default: $VOX_PROFILE, else\n"
            "                                $XDG_CONFIG_HOME/vox/profile.json); \"\" for none\n"
            "  --stage-timings               print per-stage times to stderr (and the CPU time of the\n"
            "                                thread that ran them: all of it with --threads 1)\n"
            "  --quiet                       do not print the volume tables\n"
            "  -h, --help                    this help\n");
}

static void usage_main(FILE *f)
{
    fprintf(f,
            "usage: vox [--version] [--help] <command> [options]\n"
            "\n"
            "commands:\n"
            "  analyze   find and measure the occluded volumes of structures (vox analyze --help)\n"
            "  trajectory  the volumes of every frame of an MD trajectory (vox trajectory --help)\n"
            "  merge-summaries OUT S1 S2 ...   merge the run summaries of shards\n"
            "  validate  check inputs and an output directory without analysing (vox validate --help)\n"
            "  report DIR  (re)build DIR/index.html, the HTML report of an output directory\n"
            "  info      version, build, CPU features and the kernels in use\n");
}

/* value when it is one of choices (NULL-terminated); otherwise a usage
 * message naming the option and the choices, and NULL. */
static const char *choice(const char *option, const char *value, const char *const *choices)
{
    for (size_t i = 0; choices[i]; i++)
        if (!strcmp(value, choices[i]))
            return choices[i];
    fprintf(stderr, "vox analyze: %s: expected ", option);
    for (size_t i = 0; choices[i]; i++)
        fprintf(stderr, "%s%s", choices[i], !choices[i + 1] ? "" : !choices[i + 2] ? " or " : ", ");
    fprintf(stderr, ", got '%s'\n", value);
    return NULL;
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static void print_table(vox_buf *b, const char *label, const vox_result *r, int include_hubs)
{
    vox_buf_printf(b, "%s\n", label);
    vox_buf_printf(b, "  %4s  %-7s %12s %9s %9s %9s\n", "id", "type", "volume", "x", "y", "z");
    size_t shown = 0;
    for (size_t i = 0; i < vox_result_count(r); i++) {
        vox_volume v = {.size = sizeof v};
        vox_result_volume(r, i, &v);
        if (v.type == VOX_OCCLUDED || (v.type == VOX_HUB && !include_hubs))
            continue;
        vox_buf_printf(b, "  %4d  %-7s %12.1f %9.3f %9.3f %9.3f\n", v.id, vox_volume_type_name(v.type), v.volume, v.x,
                       v.y, v.z);
        shown++;
    }
    if (!shown)
        vox_buf_puts(b, "  (no volumes)\n");
}

static const char *error_type_of(vox_status st)
{
    switch (st) {
    case VOX_E_IO: return "IOError";
    case VOX_E_PARSE: return "ParseError";
    case VOX_E_FORMAT: return "FormatError";
    case VOX_E_DECOMPRESS: return "DecompressError";
    case VOX_E_NO_ATOMS: case VOX_E_TOO_FEW_ATOMS: return "ValueError";
    case VOX_E_GRID_TOO_LARGE: case VOX_E_EMPTY_GRID: return "GridError";
    case VOX_E_ASSEMBLY: return "AssemblyError";
    case VOX_E_NOMEM: return "MemoryError";
    default: return "VoxError";
    }
}

static void fail_with(outcome *o, vox_ctx *ctx, vox_status st)
{
    o->ok = 0;
    snprintf(o->error_type, sizeof o->error_type, "%s", error_type_of(st));
    const char *d = vox_ctx_last_error_detail(ctx);
    error_text(o->error, sizeof o->error, "%s: %s", o->error_type, d && *d ? d : vox_strerror(st));
}

static double stage_sum(const vox_stats *s)
{
    double t = 0;
    for (int i = 0; i < VOX_STAGE_COUNT; i++) t += s->seconds[i];
    return t;
}

/* CPU seconds of the calling thread: with one thread, the stages' own CPU
 * time, which a busy machine inflates far less than their wall time. */
static double thread_cpu(void)
{
    struct timespec ts;
    return clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 ? (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec : 0;
}

void analyze_params_of(const run_config *c, vox_analyze_params *ap)
{
    vox_analyze_params_init(ap);
    ap->resolution = c->resolution;
    ap->min_voxels = c->min_voxels;
    ap->has_min_volume = c->has_min_volume;
    ap->min_volume = c->min_volume;
    ap->connectivity = strcmp(c->connectivity, "6") == 0    ? VOX_CONNECT_6
                       : strcmp(c->connectivity, "18") == 0 ? VOX_CONNECT_18
                       : strcmp(c->connectivity, "26") == 0 ? VOX_CONNECT_26
                                                            : VOX_CONNECT_CUSTOM18;
    ap->merge_mouth_gap = c->merge_gap;
    ap->neck_refinement = c->necked;
}

/* A structure's outputs appear together: every document - the exports and
 * the page too - is rendered and written to its temporary file first, every
 * target checked, then the files are renamed in a fixed order,
 * <label>.annotation.json last - the file --resume reads first - so a run
 * killed between two renames leaves no annotation, and the structure is
 * redone.  A file that cannot be written (a FIFO or device node at its path,
 * a full disk) so fails the structure before any of its earlier files is
 * replaced; a rename that fails after that (EBUSY) leaves nothing of it.
 *
 * Durability (README "Durability"): the CIF, df.json and annotated PDB are
 * fdatasync'ed before their renames; the annotation JSON, exports and page
 * are not, since --resume checks them and redoes the structure.  When
 * REPLACING, the old JSON is removed before the first rename, so that a new
 * CIF never stands beside an old, valid JSON whether the run is killed or the
 * power fails in between.  The renames become durable with the directory at
 * the end of the run.  Before the renames, the boxes and maps of volumes the
 * structure no longer has go, and so does an earlier page when this run
 * writes none. */
static vox_status write_outputs(vox_ctx *ctx, const run_config *c, const vox_structure *s, const vox_result *r,
                                const char *label, const char *input, const char *cif_path, const char *json_path,
                                const char *df_path, const char *pdb_path, int replacing)
{
    vox_payload_info info;
    vox_payload_info_init(&info);
    info.source = label;
    info.input_path = input;
    info.output_structure_cif = cif_path;
    info.backend = "native";
    info.include_hubs = c->include_hubs;
    vox_render_params rp = {.size = sizeof rp, .payload = &info, .include_hubs = c->include_hubs,
                            .output_frame = c->output_frame};
    staged_set set = {0};
    /* descriptors and exports (--write descriptors,vina,...) and the HTML page, renamed first */
    vox_status st = exports_stage(ctx, &c->exports, c->output_dir, label, c->include_hubs, c->output_frame, s, r, &set);
    if (st == VOX_OK && c->report)
        st = report_structure_page(ctx, c->report, c->output_dir, label, input, s, r, c->include_hubs, &set);
    /* then volumizer's files, in rename order */
    const struct { vox_document doc; const char *path; int wanted; } f[4] = {
        {VOX_DOC_DF_JSON, df_path, c->write_df}, {VOX_DOC_PDB, pdb_path, c->write_pdb},
        {VOX_DOC_CIF, cif_path, 1}, {VOX_DOC_PAYLOAD_JSON, json_path, 1}};
    char why[PATH_MAX + 256] = "";
    for (int i = 0; i < 4 && st == VOX_OK; i++) {
        if (!f[i].wanted)
            continue;
        char *text = NULL;
        size_t len = 0;
        st = vox_render(ctx, f[i].doc, s, r, &rp, &text, &len);
        const unsigned sync = f[i].doc == VOX_DOC_PAYLOAD_JSON ? VOX_SYNC_NONE : VOX_SYNC_DATA;
        if (st == VOX_OK && !staged_write(&set, f[i].path, text, len, sync, why, sizeof why))
            st = VOX_E_IO;
        vox_free(text);
    }
    if (st == VOX_OK && replacing && unlink(json_path) != 0 && errno != ENOENT) {
        snprintf(why, sizeof why, "cannot replace %s: %s", json_path, strerror(errno));
        st = VOX_E_IO;
    }
    /* the earlier boxes and maps of volumes the structure no longer has, and an earlier page when this
     * run writes none, go before the renames: a run killed after the annotation's rename leaves none
     * of them beside it, which --resume would take for this run's (one killed before leaves the old
     * annotation, which lists a box gone, and the structure is redone) */
    if (st == VOX_OK) {
        export_leftovers_remove(c->leftovers, c->output_dir, label, &set);
        if (!c->report && report_remove_page(c->output_dir, label) && c->pages_removed)
            __atomic_fetch_add(c->pages_removed, 1, __ATOMIC_RELAXED);
    }
    if (st == VOX_OK && !staged_commit(&set, why, sizeof why)) {
        st = VOX_E_IO;
        for (size_t i = 0; i < set.committed; i++) unlink(set.v[i].path); /* nothing of this structure is left */
    }
    staged_discard(&set);
    if (st != VOX_OK && why[0])
        return vox_fail(ctx, st, "%s", why);
    return st; /* on an export's failure its detail is already in ctx */
}

void analyze_one(vox_ctx *ctx, const run_config *c, const char *input, const char *label, const char *cif_path,
                 const char *json_path, outcome *o)
{
    memset(o, 0, sizeof *o);
    char df_path[PATH_MAX], pdb_path[PATH_MAX];
    snprintf(df_path, sizeof df_path, "%s/%s.df.json", c->output_dir, label);
    snprintf(pdb_path, sizeof pdb_path, "%s/%s.annotated.pdb", c->output_dir, label);
    int have_cif = file_exists(cif_path), have_json = file_exists(json_path);
    if (have_cif != have_json) { /* a half-finished earlier run: clean it up */
        /* a regular file only: a device node, FIFO or directory at the name is
         * the user's, and writing the structure refuses it below */
        struct stat sb;
        const char *half = have_cif ? cif_path : json_path;
        if (lstat(half, &sb) == 0 && S_ISREG(sb.st_mode))
            unlink(half);
        have_cif = have_json = 0;
    }
    if ((have_cif || have_json) && !c->overwrite && !c->reannotate) {
        o->ok = 0;
        snprintf(o->error_type, sizeof o->error_type, "FileExistsError");
        error_text(o->error, sizeof o->error, "FileExistsError: outputs for '%s' already exist in %s (use --overwrite or --reannotate)",
                 label, c->output_dir);
        return;
    }
    vox_load_params lp;
    vox_load_params_init(&lp);
    lp.max_input_bytes = c->max_input_bytes;
    lp.assembly = strcmp(c->assembly, "asymmetric") == 0 ? VOX_ASSEMBLY_ASYMMETRIC
                  : strcmp(c->assembly, "auto") == 0   ? VOX_ASSEMBLY_AUTO
                                                       : VOX_ASSEMBLY_BIOLOGICAL;
    vox_structure *s = NULL;
    vox_result *r = NULL;
    const double cpu0 = thread_cpu();
    vox_status st = vox_load_file(ctx, input, &lp, &s);
    if (st == VOX_OK) {
        vox_prepare_params pp;
        vox_prepare_params_init(&pp);
        pp.keep_non_protein = c->keep_non_protein;
        pp.align = c->align;
        pp.frame_signs = c->frame_signs;
        st = vox_prepare(ctx, s, &pp);
    }
    vox_analyze_params ap;
    analyze_params_of(c, &ap);
    ap.descriptors = exports_need_descriptors(&c->exports);
    if (st == VOX_OK && c->max_memory) { /* --max-memory: skip, with the reason, what would not fit */
        vox_grid_estimate ge;
        memset(&ge, 0, sizeof ge);
        ge.size = sizeof ge;
        if (vox_estimate_grid(ctx, s, &ap, &ge) == VOX_OK && ge.bytes > c->max_memory) {
            char need[32], have[32];
            format_bytes(ge.bytes, need);
            format_bytes(c->max_memory, have);
            o->skipped = 1;
            o->predicted_bytes = ge.bytes;
            snprintf(o->skip_reason, sizeof o->skip_reason,
                     "predicted peak memory %s (grid %d x %d x %d = %llu voxels at %g A) is over --max-memory %s", need,
                     ge.dims[0], ge.dims[1], ge.dims[2], (unsigned long long)ge.voxels, c->resolution, have);
            vox_structure_free(&s);
            return;
        }
    }
    if (st == VOX_OK)
        st = vox_analyze(ctx, s, &ap, &r);
    const double stages_cpu = thread_cpu() - cpu0;
    if (st == VOX_OK)
        st = write_outputs(ctx, c, s, r, label, input, cif_path, json_path, df_path, pdb_path, have_json);
    if (st != VOX_OK) {
        fail_with(o, ctx, st);
    } else {
        o->ok = 1;
        double best = -1;
        for (size_t i = 0; i < vox_result_count(r); i++) {
            vox_volume v = {.size = sizeof v};
            vox_result_volume(r, i, &v);
            if (v.type == VOX_OCCLUDED || (v.type == VOX_HUB && !c->include_hubs))
                continue;
            o->num_volumes++;
            if (v.volume > best) {
                best = v.volume;
                o->largest_type = vox_volume_type_name(v.type);
                o->largest_volume = vox_record_value(v.volume); /* the annotation JSON's number */
            }
        }
        if (!c->quiet)
            print_table(&o->out, label, r, c->include_hubs);
        if (c->stage_timings) {
            vox_stats stt = {.size = sizeof stt};
            vox_ctx_get_stats(ctx, &stt);
            vox_buf_printf(&o->err, "%s: stages (ms):", label);
            for (int i = 0; i < VOX_STAGE_COUNT; i++)
                vox_buf_printf(&o->err, " %s=%.3f", vox_stage_name((vox_stage)i), 1e3 * stt.seconds[i]);
            vox_buf_printf(&o->err, " total=%.3f cpu=%.3f | atoms=%llu points=%llu grid=%dx%dx%d buried=%llu components=%llu\n",
                    1e3 * stage_sum(&stt), 1e3 * stages_cpu, (unsigned long long)stt.atoms, (unsigned long long)stt.points, stt.dims[0],
                    stt.dims[1], stt.dims[2], (unsigned long long)stt.buried_voxels,
                    (unsigned long long)stt.components);
        }
    }
    vox_result_free(&r);
    vox_structure_free(&s);
}

static void config_defaults(run_config *cfg, int argc)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->resolution = 3.0;
    cfg->min_voxels = 4;
    cfg->necked = 1;
    cfg->align = 1;
    cfg->connectivity = "custom18";
    cfg->merge_gap = 1;
    cfg->assembly = "biological";
    cfg->backend = "auto";
    cfg->jobs = 0; /* not given: 1, or the profile's batch split (batch.c) */
    cfg->progress_interval = 30.0;
    cfg->shard_index = -1;
    cfg->inputs = calloc((size_t)argc + 1, sizeof *cfg->inputs);
    exports_defaults(&cfg->exports);
}

/* Parses `vox analyze` options into cfg; returns -1 to go on, or an exit code. */
/* Whether "hub" is one of the items of a --box-types list ("all" does not
 * name it: it takes the hubs that are there). */
static int names_hub(const char *list)
{
    for (const char *t = list; t; t = strchr(t, ',')) {
        if (*t == ',') t++;
        if (!strncmp(t, "hub", 3) && (t[3] == ',' || !t[3]))
            return 1;
    }
    return 0;
}

static int parse_analyze(int argc, char **argv, run_config *cfg)
{
    if (!cfg->inputs)
        return 1;
    enum { O_INPUT = 256, O_OUT, O_RES, O_MINVOX, O_MINVOL, O_HUBS, O_NONECK, O_CONN, O_GAP, O_ASM, O_KEEP,
           O_OVER, O_REANN, O_FAILFAST, O_BACKEND, O_NOALIGN, O_WRITE, O_MAXGRID, O_ISA, O_TIMINGS, O_QUIET,
           O_JOBS, O_PINT, O_PJSONL, O_CKPT, O_NOCKPT, O_RESUME, O_DRY, O_NSHARDS, O_SHARD, O_FAILMAN,
           O_MANIFEST, O_FROMSUM, O_ONLY, O_DLDIR, O_THREADS, O_PROFILE, O_OUTFRAME, O_FRAMESIGNS, O_BOXPAD, O_BOXTYPES, O_WAITLOCK, O_MAXIN, O_MAXMEM };
    static const struct option opts[] = {
        {"input", required_argument, 0, O_INPUT}, {"output-dir", required_argument, 0, O_OUT},
        {"resolution", required_argument, 0, O_RES}, {"min-voxels", required_argument, 0, O_MINVOX},
        {"min-volume", required_argument, 0, O_MINVOL}, {"include-hubs", no_argument, 0, O_HUBS},
        {"no-necked-pocket-cavity", no_argument, 0, O_NONECK}, {"surface-connectivity", required_argument, 0, O_CONN},
        {"merge-mouth-gap-voxels", required_argument, 0, O_GAP}, {"assembly-policy", required_argument, 0, O_ASM},
        {"keep-non-protein", no_argument, 0, O_KEEP}, {"overwrite", no_argument, 0, O_OVER},
        {"reannotate", no_argument, 0, O_REANN}, {"fail-fast", no_argument, 0, O_FAILFAST},
        {"backend", required_argument, 0, O_BACKEND}, {"no-align", no_argument, 0, O_NOALIGN},
        {"frame-signs", required_argument, 0, O_FRAMESIGNS},
        {"write", required_argument, 0, O_WRITE}, {"max-grid-voxels", required_argument, 0, O_MAXGRID},
        {"output-frame", required_argument, 0, O_OUTFRAME},
        {"box-padding", required_argument, 0, O_BOXPAD}, {"box-types", required_argument, 0, O_BOXTYPES},
        {"isa", required_argument, 0, O_ISA}, {"stage-timings", no_argument, 0, O_TIMINGS},
        {"quiet", no_argument, 0, O_QUIET}, {"jobs", required_argument, 0, O_JOBS},
        {"progress-interval", required_argument, 0, O_PINT}, {"progress-jsonl", required_argument, 0, O_PJSONL},
        {"checkpoint", required_argument, 0, O_CKPT}, {"no-checkpoint", no_argument, 0, O_NOCKPT},
        {"resume", no_argument, 0, O_RESUME}, {"dry-run", no_argument, 0, O_DRY},
        {"num-shards", required_argument, 0, O_NSHARDS}, {"shard-index", required_argument, 0, O_SHARD},
        {"failures-manifest", required_argument, 0, O_FAILMAN}, {"manifest", required_argument, 0, O_MANIFEST},
        {"from-summary", required_argument, 0, O_FROMSUM}, {"only", required_argument, 0, O_ONLY},
        {"download-dir", required_argument, 0, O_DLDIR}, {"threads", required_argument, 0, O_THREADS},
        {"profile", required_argument, 0, O_PROFILE}, {"wait-lock", no_argument, 0, O_WAITLOCK},
        {"max-input-bytes", required_argument, 0, O_MAXIN}, {"max-memory", required_argument, 0, O_MAXMEM},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int ch, box_padding_given = 0;
    int hub_named = 0;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        double d;
        long l;
        switch (ch) {
        case O_INPUT: cfg->inputs[cfg->ninputs++] = optarg; break;
        case O_OUT: cfg->output_dir = optarg; break;
        case O_RES:
            if (!cli_number(optarg, &d) || d <= 0) {
                fprintf(stderr, "vox analyze: --resolution: expected a positive number of angstroms, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg->resolution = d;
            break;
        case O_MINVOX:
            if (!cli_integer(optarg, &l) || l < 0 || l > INT_MAX) {
                fprintf(stderr, "vox analyze: --min-voxels: expected a non-negative integer, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg->min_voxels = (int)l;
            break;
        case O_MINVOL:
            if (!cli_number(optarg, &d)) {
                fprintf(stderr, "vox analyze: --min-volume: expected a number of cubic angstroms, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg->has_min_volume = 1;
            cfg->min_volume = d;
            break;
        case O_HUBS: cfg->include_hubs = 1; break;
        case O_NONECK: cfg->necked = 0; break;
        case O_CONN: { /* volumizer trims and lower-cases the mode; the whole value is held to it (a
                        * copy cut at 15 bytes took "custom18   garbage" as custom18) */
            static const char *const modes[] = {"6", "18", "26", "custom18", NULL};
            const char *p = optarg;
            while (isspace((unsigned char)*p)) p++;
            size_t k = strlen(p);
            while (k && isspace((unsigned char)p[k - 1])) k--;
            cfg->connectivity = NULL;
            for (size_t i = 0; modes[i] && !cfg->connectivity; i++)
                if (strlen(modes[i]) == k && !strncasecmp(p, modes[i], k))
                    cfg->connectivity = modes[i];
            if (!cfg->connectivity && !choice("--surface-connectivity", optarg, modes))
                return EXIT_USAGE;
            break;
        }
        case O_GAP:
            if (!cli_integer(optarg, &l) || l < INT_MIN || l > INT_MAX) {
                fprintf(stderr, "vox analyze: --merge-mouth-gap-voxels: expected an integer, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg->merge_gap = (int)l;
            break;
        case O_ASM: {
            static const char *const policies[] = {"biological", "asymmetric", "auto", NULL};
            if (!(cfg->assembly = choice("--assembly-policy", optarg, policies)))
                return EXIT_USAGE;
            break;
        }
        case O_KEEP: cfg->keep_non_protein = 1; break;
        case O_OVER: cfg->overwrite = 1; break;
        case O_REANN: cfg->reannotate = 1; break;
        case O_FAILFAST: cfg->fail_fast = 1; break;
        case O_BACKEND: {
            static const char *const backends[] = {"auto", "native", "python", NULL};
            if (!(cfg->backend = choice("--backend", optarg, backends)))
                return EXIT_USAGE;
            break;
        }
        case O_NOALIGN: cfg->align = 0; break;
        case O_OUTFRAME: {
            static const char *const frames[] = {"aligned", "input", NULL};
            const char *f = choice("--output-frame", optarg, frames);
            if (!f)
                return EXIT_USAGE;
            cfg->output_frame = !strcmp(f, "input") ? VOX_FRAME_INPUT : VOX_FRAME_ALIGNED;
            break;
        }
        case O_FRAMESIGNS: {
            static const char *const frames[] = {"volumizer", "canonical", NULL};
            const char *f = choice("--frame-signs", optarg, frames);
            if (!f)
                return EXIT_USAGE;
            cfg->frame_signs = strcmp(f, "canonical") == 0 ? VOX_FRAME_SIGNS_CANONICAL : VOX_FRAME_SIGNS_VOLUMIZER;
            break;
        }
        case O_WRITE: {
            if (!write_list_parse("analyze", optarg, cfg))
                return EXIT_USAGE;
            break;
        }
        case O_BOXPAD:
        case O_BOXTYPES:
            if (exports_option(&cfg->exports, "analyze", ch == O_BOXPAD ? "--box-padding" : "--box-types", optarg))
                return EXIT_USAGE;
            if (ch == O_BOXPAD)
                box_padding_given = 1;
            else /* every list the option was given: a hub named in the first counts too */
                hub_named |= names_hub(optarg);
            break;
        case O_MAXGRID:
            if (!cli_integer(optarg, &l) || l <= 0 || (unsigned long long)l > 4294967295ull) {
                fprintf(stderr, "vox analyze: --max-grid-voxels: expected an integer from 1 to 4294967295 (2^32 - 1: "
                                "voxel numbers are 32-bit, no larger grid can be analysed), got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg->max_grid_voxels = (unsigned long long)l;
            break;
        case O_ISA: cfg->isa = optarg; break;
        case O_THREADS:
            if (!cli_integer(optarg, &l) || l < 1 || l > VOX_MAX_THREADS) {
                fprintf(stderr, "vox analyze: --threads: expected an integer from 1 to %d, got '%s'\n", VOX_MAX_THREADS,
                        optarg);
                return EXIT_USAGE;
            }
            cfg->threads = (int)l;
            break;
        case O_PROFILE: cfg->profile = optarg; break;
        case O_TIMINGS: cfg->stage_timings = 1; break;
        case O_QUIET: cfg->quiet = 1; break;
        case O_JOBS:
            if (!cli_integer(optarg, &l) || l < 1 || l > 4096) {
                fprintf(stderr, "vox analyze: --jobs: expected an integer from 1 to 4096, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg->jobs = (int)l;
            break;
        case O_PINT:
            if (!cli_number(optarg, &d) || d < 0) {
                fprintf(stderr, "vox analyze: --progress-interval: expected seconds >= 0, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg->progress_interval = d;
            break;
        case O_PJSONL: cfg->progress_jsonl = optarg; break;
        case O_CKPT: cfg->checkpoint = optarg; break;
        case O_NOCKPT: cfg->no_checkpoint = 1; break;
        case O_RESUME: cfg->resume = 1; break;
        case O_WAITLOCK: cfg->wait_lock = 1; break;
        case O_MAXMEM:
            if (!parse_size(optarg, &cfg->max_memory) || cfg->max_memory == 0) {
                fprintf(stderr, "vox analyze: --max-memory: expected a positive byte count such as 4G or 500M (at most 2^63 - 1 "
                                "bytes), got '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case O_MAXIN:
            if (!parse_size(optarg, &cfg->max_input_bytes) || cfg->max_input_bytes == 0) {
                fprintf(stderr, "vox analyze: --max-input-bytes: expected a positive byte count such as 500M or 2G (at "
                                "most 2^63 - 1 bytes), got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_DRY: cfg->dry_run = 1; break;
        case O_FAILMAN: cfg->failures_manifest = optarg; break;
        case O_MANIFEST: cfg->manifest = optarg; break;
        case O_FROMSUM: cfg->from_summary = optarg; break;
        case O_DLDIR: cfg->download_dir = optarg; break;
        case O_ONLY: {
            static const char *const sections[] = {"failed", "skipped", "planned", "all", NULL};
            if (!(cfg->only = choice("--only", optarg, sections)))
                return EXIT_USAGE;
            break;
        }
        case O_NSHARDS:
        case O_SHARD:
            if (!cli_integer(optarg, &l) || l < 0 || (ch == O_NSHARDS && l < 1) || l > VOX_MAX_SHARDS - (ch == O_SHARD)) {
                fprintf(stderr, "vox analyze: %s: expected an integer from %d to %ld, got '%s'\n",
                        ch == O_NSHARDS ? "--num-shards" : "--shard-index", ch == O_NSHARDS, VOX_MAX_SHARDS - (ch == O_SHARD),
                        optarg);
                return EXIT_USAGE;
            }
            if (ch == O_NSHARDS) cfg->num_shards = l;
            else cfg->shard_index = l;
            break;
        case 'h': usage_analyze(stdout); return 0;
        case ':':
            fprintf(stderr, "vox analyze: option '%s' needs a value\n", argv[optind - 1]);
            return EXIT_USAGE;
        default: {
            char why[600];
            cli_option_error(opts, argv[optind - 1], optopt, why, sizeof why);
            fprintf(stderr, "vox analyze: %s (see vox analyze --help)\n", why);
            return EXIT_USAGE;
        }
        }
    }
    for (int i = optind; i < argc; i++)
        cfg->inputs[cfg->ninputs++] = argv[i];
    /* an empty path names nothing: before, --checkpoint "" turned the checkpoint off while the
     * summary said it was on, and --failures-manifest "" was refused only after the run */
    const struct { const char *option, *value; } named[] = {
        {"--output-dir", cfg->output_dir},   {"--progress-jsonl", cfg->progress_jsonl},
        {"--checkpoint", cfg->checkpoint},   {"--failures-manifest", cfg->failures_manifest},
        {"--manifest", cfg->manifest},       {"--from-summary", cfg->from_summary}};
    /* (--download-dir "" is the current folder, as volumizer's Path(""), and --profile "" no profile) */
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (named[i].value && !*named[i].value) {
            fprintf(stderr, "vox analyze: %s: an empty path (expected a path)\n", named[i].option);
            return EXIT_USAGE;
        }
    for (size_t i = 0; i < cfg->ninputs; i++)
        if (!*cfg->inputs[i]) {
            fprintf(stderr, "vox analyze: an empty input path (expected a structure file or directory)\n");
            return EXIT_USAGE;
        }
    /* the paths as volumizer's Path objects hold them (py_path): what the
     * annotation and the summary say; argv's strings may be changed */
    for (size_t i = 0; i < cfg->ninputs; i++) py_path((char *)cfg->inputs[i]);
    const char **paths[] = {&cfg->output_dir, &cfg->progress_jsonl, &cfg->checkpoint, &cfg->failures_manifest,
                            &cfg->manifest, &cfg->from_summary, &cfg->download_dir};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (*paths[i]) py_path((char *)*paths[i]);
    /* options that would do nothing: said, as --fit without --align reference is */
    if (cfg->no_checkpoint && cfg->checkpoint) {
        fprintf(stderr, "vox analyze: --checkpoint PATH and --no-checkpoint: give one of them\n");
        return EXIT_USAGE;
    }
    if (cfg->only && !cfg->from_summary) {
        fprintf(stderr, "vox analyze: --only chooses the entries of --from-summary PATH: add it, or leave --only out\n");
        return EXIT_USAGE;
    }
    const unsigned boxes = EXPORT_VINA | EXPORT_DX;
    if (cfg->exports.box_types_given && !(cfg->exports.kinds & boxes)) {
        fprintf(stderr, "vox analyze: --box-types chooses the volumes that get Vina boxes and DX maps: add vina "
                        "and/or dx to --write\n");
        return EXIT_USAGE;
    }
    if (box_padding_given && !(cfg->exports.kinds & (EXPORT_VINA | EXPORT_DESCRIPTORS))) {
        fprintf(stderr, "vox analyze: --box-padding sizes the docking boxes of --write vina and descriptors: add "
                        "one of them to --write\n");
        return EXIT_USAGE;
    }
    if (hub_named && !cfg->include_hubs) {
        fprintf(stderr, "vox analyze: --box-types hub: hubs are in the outputs with --include-hubs only: add it, "
                        "or leave hub out\n");
        return EXIT_USAGE;
    }
    if (cfg->overwrite + cfg->reannotate + cfg->resume > 1) {
        fprintf(stderr, "vox analyze: --overwrite, --reannotate and --resume are mutually exclusive\n");
        return EXIT_USAGE;
    }
    if ((cfg->num_shards > 0) != (cfg->shard_index >= 0) || (cfg->num_shards > 0 && cfg->shard_index >= cfg->num_shards)) {
        fprintf(stderr, "vox analyze: --num-shards N and --shard-index K go together, with 0 <= K < N\n");
        return EXIT_USAGE;
    }
    if (!cfg->output_dir) {
        fprintf(stderr, "vox analyze: --output-dir is required\n");
        return EXIT_USAGE;
    }
    if (!cfg->ninputs && !cfg->manifest && !cfg->from_summary) {
        fprintf(stderr, "vox analyze: no input: give --input PATH, structure files or directories, --manifest or "
                        "--from-summary\n");
        return EXIT_USAGE;
    }
    return -1;
}

/* The folder's index.html after a run without --write html removed earlier pages (structures written
 * again without one): written again, so that it links no page that is gone; where this vox's report
 * files cannot be found, a note says so. */
static void refresh_index(const char *dir, size_t removed)
{
    char index[PATH_MAX + 16], err[4096];
    snprintf(index, sizeof index, "%s/index.html", dir);
    if (vox_file_kind(index, NULL) != VOX_PATH_REGULAR)
        return;
    report_assets a;
    int unreadable = 0;
    if (!report_find_assets(&a, err, sizeof err) ||
        !report_write_index(&a, dir, "vox analyze", &unreadable, err, sizeof err))
        fprintf(stderr, "vox analyze: note: the pages of %zu structure%s written again without --write html were "
                        "removed, and %s still links them: `vox report %s` writes it again\n", removed,
                removed == 1 ? "" : "s", index, dir);
    report_free_assets(&a);
}

static int cmd_analyze(int argc, char **argv)
{
    run_config c;
    config_defaults(&c, argc);
    cli_log log;
    cli_log_init(&log);
    c.log = &log;
    int rc = parse_analyze(argc, argv, &c);
    report_assets assets;
    if (rc < 0 && c.write_html && !c.dry_run && !report_begin_run(&assets, c.output_dir, "vox analyze"))
        rc = 1;
    size_t pages_removed = 0;
    c.pages_removed = &pages_removed;
    if (rc < 0) {
        c.report = c.write_html && !c.dry_run ? &assets : NULL;
        rc = run_batch(&c);
        report_free_assets(c.report ? &assets : NULL);
        if (pages_removed)
            refresh_index(c.output_dir, pages_removed);
        /* every rename of the run made durable at once (README "Durability");
         * not when the run did not start: its directory is not one, or not there */
        if (vox_file_kind(c.output_dir, NULL) == VOX_PATH_DIRECTORY && vox_sync_dir(c.output_dir) != 0)
            fprintf(stderr, "vox analyze: warning: cannot sync %s: %s\n", c.output_dir, strerror(errno));
    }
    free(c.inputs);
    cli_log_free(&log);
    return rc;
}


static int cmd_info(int argc, char **argv)
{
    int fingerprint = 0, settings = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--fingerprint")) fingerprint = 1;
        else if (!strcmp(argv[i], "--settings")) settings = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: vox info [--fingerprint | --settings]\n\n"
                   "Prints the version, build, detected CPU features, the kernels in use, the threads and\n"
                   "their binding, and the tuning profile (path, match status, active settings).\n"
                   "  --fingerprint   this machine's profile fingerprint (JSON)\n"
                   "  --settings      the active settings (JSON)\n");
            return 0;
        } else {
            fprintf(stderr, "vox info: unknown option '%s' (expected --fingerprint or --settings)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (fingerprint && settings) { /* one JSON document each: not both on one stdout */
        fprintf(stderr, "vox info: --fingerprint and --settings each print a JSON document: give one of them\n");
        return EXIT_USAGE;
    }
    vox_ctx *ctx = NULL;
    char detail[1024] = "";
    vox_options io;
    vox_options_init(&io);
    io.error_detail = detail;
    io.error_detail_size = sizeof detail;
    vox_status st = vox_ctx_create(&ctx, &io);
    char why[512] = "";
    if (st != VOX_OK)
        explain_ctx_error(st, NULL, why, sizeof why);
    if ((fingerprint || settings) && st != VOX_OK) {
        fprintf(stderr, "vox info: %s (%s)\n", why, detail);
        return 1;
    }
    if (fingerprint || settings) {
        char *js = fingerprint ? vox_ctx_fingerprint_json(ctx) : vox_ctx_settings_json(ctx);
        if (js) printf("%s\n", js);
        vox_free(js);
        vox_ctx_destroy(&ctx);
        return js ? 0 : 1;
    }
    printf("vox %s\n", vox_version());
    printf("build: %s, compiler %s %s, -ffp-contract=off\n",
#ifdef NDEBUG
           "release",
#else
           "debug assertions on",
#endif
#if defined(__clang__)
           "clang", __clang_version__
#else
           "gcc", __VERSION__
#endif
    );
    printf("cpu features: %s\n", vox_cpu_features());
    printf("mpi: %s\n", VOX_HAVE_MPI ? "yes (mpirun -np P vox analyze ... distributes the entries)" : "no (built without MPI)");
    printf("kernel variants available here: %s\n", vox_available_isas());
    if (st == VOX_OK) {
        printf("in use: %s\n", vox_ctx_describe(ctx));
        printf("threads: %d\n", vox_ctx_threads(ctx));
        const char *path = vox_ctx_profile_path(ctx), *detail = vox_ctx_profile_detail(ctx);
        printf("profile: %s\nprofile status: %s%s%s\n", path[0] ? path : "(none)",
               vox_profile_status_name(vox_ctx_profile_status(ctx)), detail[0] ? ": " : "", detail);
        char *js = vox_ctx_settings_json(ctx);
        cJSON *doc = js ? cJSON_Parse(js) : NULL;
        cJSON *kernels = cJSON_GetObjectItemCaseSensitive(doc, "kernels"), *k;
        printf("active settings (kernel: small / medium / large grids = variant, tile KiB, threads):\n");
        cJSON_ArrayForEach(k, kernels) {
            printf("  %-17s", k->string);
            cJSON *cls;
            const char *sep = "";
            cJSON_ArrayForEach(cls, k) {
                const char *variant = cJSON_GetObjectItemCaseSensitive(cls, "variant")->valuestring;
                const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cls, "code"));
                /* a variant that leaves this kernel to a level below says whose code runs */
                char label[64];
                if (code && strcmp(code, variant))
                    snprintf(label, sizeof label, "%s(%s code)", variant, code);
                else
                    snprintf(label, sizeof label, "%s", variant);
                printf("%s%s %d %d", sep, label,
                       cJSON_GetObjectItemCaseSensitive(cls, "tile_kib")->valueint,
                       cJSON_GetObjectItemCaseSensitive(cls, "threads")->valueint);
                sep = " / ";
            }
            printf("\n");
        }
        cJSON_Delete(doc);
        vox_free(js);
        int jobs, per_job;
        const int tuned = vox_ctx_batch_split(ctx, &jobs, &per_job);
        printf("batches of several structures: %d job%s x %d thread%s (%s)\n", jobs, jobs == 1 ? "" : "s", per_job,
               per_job == 1 ? "" : "s", tuned ? "measured by voxtune; --jobs overrides" : "default: no measured split");
    } else {
        printf("in use: none (%s; %s)\n", why, detail);
    }
    vox_ctx_destroy(&ctx);
    return st == VOX_OK ? 0 : 1;
}

static int run_command(int argc, char **argv);

int main(int argc, char **argv)
{
    /* A reader that goes away (vox analyze | head, a --progress-jsonl FIFO whose
     * reader exits) must not kill a run before its summary: writes to it fail
     * with EPIPE instead, the run goes on, and standard output's failure is
     * said at the end. */
    signal(SIGPIPE, SIG_IGN);
    /* a closed standard stream is /dev/null: the first file vox opens would get its number, and the
     * tables printed to "standard output" went into the folder's lock file */
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF && open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
            return 1;
    if (!batch_mpi_start(&argc, &argv))
        return 1;
    int rc = run_command(argc, argv);
    batch_mpi_end();
    errno = 0;
    const int flushed = fflush(stdout) == 0, e = errno;
    if (!flushed || ferror(stdout)) {
        /* the reason only when this flush failed: errno is another call's by now otherwise */
        fprintf(stderr, "vox: cannot write to standard output%s%s: what it printed is incomplete\n",
                !flushed && e ? ": " : "", !flushed && e ? strerror(e) : "");
        if (rc == 0)
            rc = 1;
    }
    return rc;
}

static int run_command(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("vox %s\n", vox_version());
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage_main(stdout);
        return 0;
    }
    if (!strcmp(cmd, "analyze"))
        return cmd_analyze(argc - 1, argv + 1);
    if (!strcmp(cmd, "trajectory"))
        return cmd_trajectory(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge-summaries"))
        return cmd_merge_summaries(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return cmd_info(argc, argv);
    if (cmd[0] == '-') /* volumizer's legacy routing: options without a command mean analyze */
        return cmd_analyze(argc, argv);
    fprintf(stderr, "vox: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return EXIT_USAGE;
}
