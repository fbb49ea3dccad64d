/* cli.h - what the parts of the `vox` command share: the run configuration and one
 * structure's outcome (vox.c parses options and analyses one structure; batch.c runs
 * the whole list: jobs, progress, checkpoint, resume, shards, summary) */
#ifndef VOX_CLI_H
#define VOX_CLI_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>
#include <stdio.h>

#include <cJSON.h>

#include "exports.h"
#include "option_values.h"
#include "internal.h"
#include "vox/vox.h"

/* The library's warnings through the command: each distinct line is printed
 * once (every context of a batch would otherwise repeat a bad VOX_THREADS). */
typedef struct cli_log {
    pthread_mutex_t lock;
    char **seen;
    size_t n;
} cli_log;

void cli_log_init(cli_log *l);
void cli_log_line(void *cookie, const char *line); /* a vox_log_fn; cookie: the cli_log */
void cli_log_free(cli_log *l);
/* Why vox_ctx_create failed, naming the option or variable and its value
 * (isa_option: --isa's value or NULL). */
void explain_ctx_error(vox_status st, const char *isa_option, char *out, size_t cap);
/* What getopt_long refused, as a user reads it: arg the word it stopped at (argv[optind - 1]),
 * optopt its optopt.  "unknown option '-x'" for a letter of a cluster such as -xh (arg is then
 * not that word), "option '--quiet' takes no value" for --quiet=1, "ambiguous option '--out'
 * (--output-dir, --output-frame)" for a prefix of several, else "unknown option '--bogus'". */
struct option;
void cli_option_error(const struct option *opts, const char *arg, int optopt, char *out, size_t cap);

/* The most shards of one array: vox merge-summaries and vox validate look for every K of N, and a
 * Slurm array holds far fewer tasks (its MaxArraySize is at most 4,000,001, 1001 by default). */
#define VOX_MAX_SHARDS 1000000L
/* The end of the error of a later input whose label an earlier input of the plan has: batch.c
 * writes it, and merge-summaries knows such an entry by it (one file listed twice is in two shards). */
#define LABEL_USED_ERROR "is used by an earlier input of this run"

typedef struct run_config {
    const char **inputs;
    size_t ninputs;
    const char *output_dir;
    double resolution;
    int min_voxels;
    int has_min_volume;
    double min_volume;
    int include_hubs, necked, keep_non_protein, overwrite, reannotate, fail_fast, quiet, align, stage_timings;
    int frame_signs;            /* a vox_frame_signs: --frame-signs volumizer (default) | canonical */
    const char *connectivity;
    int merge_gap;
    const char *assembly;
    const char *backend;
    const char *isa;
    int threads;                /* per structure; 0: all cores with --jobs 1, else 1 */
    const char *profile;        /* tuning profile path (NULL: $VOX_PROFILE or the default) */
    unsigned long long max_grid_voxels;
    unsigned long long max_input_bytes; /* 0: the library's default (1 GiB) */
    unsigned long long max_memory;      /* 0: none; else skip structures predicted to need more (bytes) */
    int write_df, write_pdb;
    int write_html;                  /* --write html: <label>.html pages and index.html (report.c) */
    const struct report_assets *report; /* the report's files, found before the run (NULL: no pages) */
    vox_output_frame output_frame; /* of the annotated CIF/PDB coordinates */
    export_config exports;         /* --write descriptors,vina,pymol,chimerax,dx (exports.c) */
    const export_leftovers *leftovers; /* per-volume exports the output directory held at the start (batch.c) */
    size_t *pages_removed; /* earlier pages of structures written again without html (atomic adds; NULL: not counted) */
    /* batch runs */
    int jobs;                   /* structures analysed at once; 0: not given (batch.c resolves it) */
    double progress_interval;   /* seconds between progress lines when stderr is not a terminal; <= 0: none */
    const char *progress_jsonl; /* event stream file */
    const char *checkpoint;     /* NULL: <output-dir>/run.checkpoint.json */
    int no_checkpoint, resume, dry_run;
    int wait_lock;              /* another run holds the output directory: wait for it instead of failing */
    long num_shards, shard_index; /* 0 / -1: no sharding */
    const char *failures_manifest;
    const char *manifest;       /* volumizer manifest: structures[] with input_path and/or pdb_id */
    const char *from_summary;   /* replay entries of an earlier run.summary.json ... */
    const char *only;           /* ... from these sections: failed (default), skipped, planned, all */
    const char *download_dir;   /* where <ID>.cif[.gz] of pdb_id entries are looked for (default <output-dir>/downloads) */
    cli_log *log;               /* the library's warnings, once each */
} run_config;

typedef struct outcome {
    int ok;
    char error[1200];
    char error_type[48];
    size_t num_volumes;
    const char *largest_type;
    double largest_volume;
    vox_buf out, err; /* what to print on stdout / stderr (printed in order by the batch runner) */
    int skipped;             /* not analysed: --max-memory (the reason below) */
    char skip_reason[400];
    unsigned long long predicted_bytes;
} outcome;

void sanitize_label(const char *in, size_t n, char *out, size_t cap);
/* --write's comma-separated list (df-json, pdb, html and the exports' kinds) into c, for vox `cmd`:
 * 1, or 0 having said on stderr what is wrong (an empty or unknown item).  Any length. */
int write_list_parse(const char *cmd, const char *list, run_config *c);
/* str(pathlib.PurePosixPath(p)) in place, and str(PurePosixPath(dir) / name)
 * into out (common.c): the paths volumizer writes.  py_join returns 0, out
 * empty, when the normalised path does not fit out. */
void py_path(char *p);
int py_join(const char *dir, const char *name, char *out, size_t cap);
/* printf into out; too long, its start and end kept with " ... " between (the end is the reason). */
void error_text(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* p absolute, its existing leading folders resolved (realpath for a file that exists); 0 when it does not fit. */
int resolve_path(const char *p, char *out, size_t cap);
/* The file name of label's page: <label>.html, index.structure.html for "index" (common.c). */
void page_name(const char *label, char *out, size_t cap);
void make_label(const char *path, char *out, size_t cap);
int normalize_pdb_id(const char *in, char out[8]);
int mkdir_p(const char *dir);
/* Why dir cannot be used as a folder after mkdir_p or access failed with err: what is there
 * instead (a file, a symbolic link to nothing), else strerror(err); in buf or static text. */
const char *directory_fault(const char *dir, int err, char *buf, size_t cap);
/* Temporary files (NAME.tmp.PID.XXXXXX) that a killed writer left in dir: only those whose
 * writer's pid is dead, so a live run's in-flight files stay; only targets that start with
 * prefix (NULL: any) and end with one of the suffixes (none given: any). */
void remove_dead_temporaries(const char *dir, const char *prefix, const char *const *suffixes, size_t nsuffixes);
/* The run's own record `what` ("summary" or "checkpoint") in the output directory:
 * DIR/run.<what>.json, or for shard K of N > 1 DIR/run.shard-K-of-N.<what>.json, so that
 * the shards of a batch can share a directory (vox merge-summaries joins them). */
void run_record_path(const run_config *c, const char *what, char *out, size_t cap);
/* 1 when a file name in an output directory is a run's record `what` as run_record_path
 * names it, for any shard (run.<what>.json, run.shard-K-of-N.<what>.json): what finds
 * every shard's record in a folder the shards share. */
int run_record_name(const char *name, const char *what);
/* K and N of a shard's run record, from the last component of path
 * (run.shard-K-of-N.<what>.json): 1, else 0 with *k = *n = -1. */
int run_record_shard(const char *path, long *k, long *n);
/* Where a run record stands among a folder's records, as vox report and vox validate rank them
 * (the newest record naming a label decides for it): by modification time; at one time a
 * checkpoint below a summary, and a shard's or another summary below run.summary.json, since a
 * finished run writes them in that order; then by name, the same order on every machine. */
typedef struct run_record_rank {
    struct timespec mtime;
    int kind; /* run_record_kind */
    const char *name;
} run_record_rank;
/* 0 a checkpoint (any shard's), 1 another summary, 2 run.summary.json. */
int run_record_kind(const char *name);
/* qsort's answer for x and y, older first. */
int run_record_older(const run_record_rank *x, const run_record_rank *y);
/* "3.2 GiB", "512 MiB", "900 B". */
void format_bytes(unsigned long long n, char out[32]);
/* The analysis parameters a run's options give. */
void analyze_params_of(const run_config *c, vox_analyze_params *ap);
/* Analyses one structure and writes its outputs; never prints. */
void analyze_one(vox_ctx *ctx, const run_config *c, const char *input, const char *label, const char *cif_path,
                 const char *json_path, outcome *o);
cJSON *config_json(const run_config *c);

/* Runs every input; returns the exit code. */
int run_batch(const run_config *c);
/* MPI: loaded and initialised only when started by an MPI launcher (mpi_link.h);
 * 0 (after a message) when the launcher is there but MPI cannot start. */
int batch_mpi_start(int *argc, char ***argv);
void batch_mpi_end(void);
/* `vox trajectory --topology TOP --trajectory TRAJ --output-dir DIR ...` (trajectory.c) */
int cmd_trajectory(int argc, char **argv);
/* The first line of <label>.frames.csv (trajectory.c), by which vox report knows one. */
extern const char frames_csv_header[];
/* `vox validate [PATH ...] [--output-dir DIR]`: inputs and outputs checked without analysing (validate.c) */
int cmd_validate(int argc, char **argv);
/* `vox merge-summaries OUT S1 S2 ...` */
int cmd_merge_summaries(int argc, char **argv);

/* The library prints nothing unless verbose; the command shows its warnings
 * (a bad VOX_THREADS, a failed bind) on stderr through this logger, cookie
 * being the command's name ("vox analyze"). */
static inline void cli_log_stderr(void *cookie, const char *line)
{
    fprintf(stderr, "%s: %s\n", cookie ? (const char *)cookie : "vox", line);
}

#endif
