/* report_trajectory.h - the HTML page of a trajectory (`vox trajectory --write html`,
 * report_trajectory.c): frames kept for the 3D view while the run goes, the page written
 * at its end */
#ifndef VOX_REPORT_TRAJECTORY_H
#define VOX_REPORT_TRAJECTORY_H

#include <stdint.h>

#include "frame_engine.h"
#include "internal.h"
#include "staged.h"

typedef struct report_traj report_traj;

/* What the page says about the run. */
typedef struct report_traj_run {
    const char *dir, *label;
    const char *trajectory; /* NULL: the topology's models */
    const char *align;      /* each, reference, none */
    double resolution;
    int64_t first, stride;  /* frames analysed: first + k * stride, k < nframes */
    int64_t nframes;
    int tracking;           /* 1: tracks (reference, none) */
} report_traj_run;

/* Finds the report's files and puts the viewer into dir/vox-report/; NULL after printing
 * "who: why". */
report_traj *report_traj_begin(const char *dir, const char *who);
/* A frame, in frame order, with its tracks (NULL without tracking); 0: out of memory. */
int report_traj_frame(report_traj *t, const frame_engine *e, const frame_slot *sl, const int *track_ids);
/* The frames kept so far, for a checkpoint (appended to b; 0: out of memory), and back on
 * --resume (0: the bytes are not such a state; then nothing is kept). */
int report_traj_save(const report_traj *t, vox_buf *b);
int report_traj_restore(report_traj *t, const char *data, size_t len);
/* Stages dir/<label>.trajectory.html in out (from the run's frames.csv and tracks.csv, staged
 * there before it, and the kept frames). */
int report_traj_finish(report_traj *t, const frame_engine *e, const report_traj_run *run, staged_set *out, char *err,
                       size_t cap);
/* Writes dir/index.html: after the run's summary, whose frame count it lists. */
int report_traj_index(const report_traj *t, const char *dir, char *err, size_t cap);
void report_traj_free(report_traj **t);

#endif
