/* readers.h - what the command reads back: manifests, run summaries, checkpoints, and a
 * structure's outputs (what --resume and vox validate trust).  Each reader works on text,
 * so the fuzz targets (tests/fuzz/) call exactly the code the command runs. */
#ifndef VOX_CLI_READERS_H
#define VOX_CLI_READERS_H

#include <stddef.h>

#include <cJSON.h>

#include "cli.h"

/* One input of a run, before it becomes an entry. */
typedef struct input {
    char *path;
    char *source;   /* label given by a manifest or summary, or NULL */
    char pdb_id[8];
    cJSON *members;
    char *error;    /* cannot run: recorded as failed with this message */
    int by_id;      /* a manifest's pdb_id without input_path: path is its download */
    int unnamed;    /* a manifest entry with no usable path or id: path is "<manifest>#k" */
} input;

typedef struct paths {
    input *p;
    size_t n, cap;
} paths;

/* Appends an input for path p (NULL on allocation failure). */
input *add_input(paths *ps, const char *p);
void paths_free(paths *ps);

/* A whole file as NUL-terminated text; NULL with errno set when it is
 * unreadable, over max bytes (EFBIG) or holds a NUL byte (EILSEQ), which
 * it finds in the first piece read that has one, so /dev/zero fails at
 * once.  text_file_error: what such an errno means, in words. */
char *read_text_file(const char *path, size_t max, size_t *len);
const char *text_file_error(int err);
/* JSON text as vox and volumizer write it: a path's bytes that are not
 * UTF-8 (a Latin-1 file name) appear as lone surrogate escapes \udc80 ..
 * \udcff (Python's json with surrogateescape), which cJSON refuses, and
 * the whole document with them.  json_lone_surrogates rewrites them in
 * place: with to_bytes, each \udcXX as the byte XX it stands for (cJSON
 * passes bytes through, so a path reads back as the file's own name) and
 * any other lone surrogate as \ufffd; without, every lone surrogate as
 * \ufffd (for display).  json_parse parses text so mended (whole: nothing
 * but blanks after the value); NULL text or not JSON: NULL. */
void json_lone_surrogates(char *t, int to_bytes);
cJSON *json_parse(const char *text, int whole);
/* Whose record a run.summary.json is: a vox analyze run's (its "results", how many) or a vox
 * trajectory run's (frames_done and config.topology; config.label, when the summary names it,
 * in label, else ""); SUMMARY_NONE when the file is missing, unreadable or neither. */
enum { SUMMARY_NONE, SUMMARY_ANALYZE, SUMMARY_TRAJECTORY };
typedef struct summary_owner {
    int kind;
    int structures;
    char label[256];
    char input[4096]; /* a trajectory run's: the file its frames came from, absolute
                         (config.frames_file); "" when not said (an earlier vox's) */
    long frames_done; /* a trajectory run's frames analysed */
} summary_owner;
void summary_owner_of(const char *path, summary_owner *o);
void summary_owner_of_doc(const cJSON *doc, summary_owner *o); /* the same, of a summary already parsed */
/* A file parsed as JSON, as json_parse (NULL: unreadable or not JSON). */
cJSON *read_json(const char *path);
/* read_json, and when it gives NULL, why in why[cap] (unreadable; or where the JSON breaks). */
cJSON *read_json_why(const char *path, char *why, size_t cap);

/* volumizer's manifest (text of the file at manifest_path): its entries are
 * appended to ps, paths relative to the manifest's folder, PDB ids looked up
 * in the download directory.  0 with the reason in why when it is not one. */
int manifest_entries(const char *text, const char *manifest_path, const run_config *c, paths *ps, char *why,
                     size_t cap);
/* --from-summary: the entries of an earlier run's summary, from the sections
 * `only` names (failed, skipped, planned, all); "all" once each.  0 when the
 * text is not a run summary, with why (where the JSON breaks, what is
 * missing, a NUL in a string).  An entry without an input path is left out
 * with a line in notes (NULL: none). */
int summary_entries(const char *text, const char *only, paths *ps, vox_buf *notes, char *why, size_t cap);
/* --resume reads the checkpoint for the record: what it says about it (its
 * format, entries, settings that changed since) goes to notes, one line each.
 * text NULL: the file is missing or unreadable (exists: whether it is there). */
void checkpoint_notes(const char *text, int exists, const char *path, const run_config *c, vox_buf *notes);

/* An annotation's "volumes": a list of objects, each of a type hub, pore,
 * pocket or cavity (what vox analyze writes; "volumes": [1, 2, 3] is none). */
int annotation_volumes_typed(const cJSON *vols);
/* <label>.annotation.json text: it names this label and the CIF at cif_path,
 * its volumes are typed and their count matches its list.  1 and the record
 * in o, or 0 with the reason in why. */
int annotation_valid(const char *text, const char *label, const char *cif_path, outcome *o, char *why, size_t cap);
/* <label>.df.json text: pandas' columns orient, every column with the same rows. */
int df_json_valid(const char *text);
/* --resume's and vox validate's rule: every output the configuration asks
 * for exists and validates.  0 with the first reason in why. */
int outputs_valid(const run_config *c, const char *label, const char *cif, const char *json, outcome *o, char *why,
                  size_t cap);

/* An entry's label and input path, and the input (its rank in from) that holds it: two
 * entries are one structure when both agree (two inputs of one run may share a label, a.pdb
 * and a.cif: the second fails as a collision, in whichever shard runs it). */
typedef struct merge_label {
    char *label;
    char *path;
    int input;
    int analysed; /* in "results": its outputs were written */
    int label_used; /* failed as a later input of a label an earlier input of the plan has */
} merge_label;

/* vox merge-summaries: summaries added one by one, then the merged document. */
typedef struct summary_merge {
    cJSON *arrays[4]; /* results, errors, skipped, planned */
    long long total[4];
    cJSON *config;
    cJSON *from;
    merge_label *labels; /* every entry's, to find one in two inputs */
    size_t nlabels, cap;
    int oom;
} summary_merge;

void merge_begin(summary_merge *m);
/* 0 when doc is not a run summary (m unchanged). */
int merge_add(summary_merge *m, const cJSON *doc, const char *name);
/* 1 when no entry's label is in two of the inputs added (a summary given
 * twice or copied, two runs over one structure: it would be counted twice);
 * else says which (the first few) on stderr, and 0 (also out of memory). */
int merge_entries_once(summary_merge *m);
/* The merged summary (m is emptied); NULL when out of memory. */
cJSON *merge_end(summary_merge *m);
void merge_abort(summary_merge *m);

/* A regular file that starts and ends as its writer writes it (head and tail
 * of at most 32 bytes); with whole, moreover no NUL anywhere (an output that
 * is not synced: a power loss may leave zeroed blocks). */
int file_ends(const char *path, const char *head, const char *tail, int whole);

#define SUMMARY_SCHEMA 1
#define CHECKPOINT_SCHEMA 1

#endif
