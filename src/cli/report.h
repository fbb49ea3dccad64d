/* report.h - the offline HTML report of the `vox` command: where its assets
 * are found, the page of one structure (`vox analyze --write html`), the
 * index of an output directory (`vox report DIR`), the page of a trajectory
 * (`vox trajectory --write html`, report_trajectory.c) */
#ifndef VOX_REPORT_H
#define VOX_REPORT_H

#include <limits.h>
#include <stdint.h>

#include "staged.h"
#include "vox/vox.h"

/* The folder, inside an output directory, that holds the one copy of the
 * viewer and of the page script and style every page refers to. */
#define REPORT_ASSET_DIR "vox-report"

/* What the pages need, found once per run (report_find_assets). */
typedef struct report_assets {
    char dir[PATH_MAX];     /* page.html index.html report.js report.css */
    char viewer[PATH_MAX];  /* 3Dmol-min.js (from npm) */
    char license[PATH_MAX]; /* the viewer's licence text ("" when not found) */
    char *page, *index;     /* the two templates' text */
    size_t page_len, index_len;
} report_assets;

/* Looks for the assets: $VOX_REPORT_ASSETS, then next to the vox executable
 * (<exe dir>/share/report: the build tree, with the viewer npm put in
 * <exe dir>/npm), then the installed <exe dir>/../share/vox/report and the
 * configured <datadir>/vox/report.  0 and a message naming every place tried
 * when none has them all. */
int report_find_assets(report_assets *a, char *err, size_t cap);
void report_free_assets(report_assets *a);
/* Copies the viewer, the script and the style into DIR/vox-report/ (only the
 * files that differ; each written atomically), creating DIR. */
int report_install_assets(const report_assets *a, const char *dir, char *err, size_t cap);

/* The folder's own report files held to what vox writes (vox validate): the viewer, script and
 * style in DIR/vox-report/ (where this vox finds its copies, their bytes; else present, not empty,
 * no NUL) and DIR/index.html (whole); fault(arg, path, why) for each that is not.  Returns how
 * many. */
int report_check_files(const char *dir, void (*fault)(void *arg, const char *path, const char *why), void *arg);

/* What killed runs left of the report: temporaries of pages and of the
 * index (<name>.html.tmp.PID.XXXXXX, or the older <name>.html.tmp.XXXXXX)
 * and of vox-report/'s files, whose writer is dead.  Only while no other run
 * holds dir (the caller holds its lock exclusively): a shard on another host
 * has a pid that says nothing here. */
void report_remove_dead_temporaries(const char *dir);

/* For a run that writes pages into dir: finds the assets and installs them
 * (report_find_assets, report_install_assets); on error prints "who: why"
 * and returns 0.  report_end_run writes dir/index.html. */
int report_begin_run(report_assets *a, const char *dir, const char *who);
int report_end_run(const report_assets *a, const char *dir, const char *who);

/* Stages DIR/<label>.html of one analysed structure into set (renamed with
 * the structure's other outputs by staged_commit).  The status is the
 * ctx's, with its detail. */
vox_status report_structure_page(vox_ctx *ctx, const report_assets *a, const char *dir, const char *label,
                                 const char *input, const vox_structure *s, const vox_result *r, int include_hubs,
                                 staged_set *set);
/* DIR/<label>.html, and its removal when it is a regular file (the page of a
 * structure that failed, or that a run wrote again without a page). */
void report_page_path(const char *dir, const char *label, char *out, size_t cap);
/* 1 when a page was removed. */
int report_remove_page(const char *dir, const char *label);

/* (Re)builds DIR/index.html from the files in DIR: one row per entry of the
 * run summaries and checkpoint there (for each label the newest file naming
 * it decides; label collisions keep a row per entry) and per
 * <label>.annotation.json no summary names; only an entry done links its
 * page.  One row per trajectory (<label>.frames.csv).  A run file that
 * cannot be read (damaged, truncated, not a regular file) is left out with a
 * warning "who: warning: PATH: why" on stderr; *unreadable (when not NULL)
 * gets how many. */
int report_write_index(const report_assets *a, const char *dir, const char *who, int *unreadable, char *err,
                       size_t cap);

/* The title of a structure file (PDB TITLE records, mmCIF _struct.title),
 * read from its first lines; "" when it has none. */
void report_read_title(const char *path, char *out, size_t cap);

/* `vox report DIR` */
int cmd_report(int argc, char **argv);

#endif
