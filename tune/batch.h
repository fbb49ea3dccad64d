/* batch.h - voxtune's batch step: how to split this machine for many small structures
 *
 * A batch (vox analyze of a directory, thousands of structures at 3 A) runs
 * one structure after another in each job, and a small structure's work is
 * mostly serial: its grid stages take well under a millisecond and its
 * outputs are rendered by one thread.  Several jobs of fewer threads may
 * then analyse more structures per second than one job of every thread.
 * The step times every split jobs x threads-per-job of the tuning context's
 * threads on the same work, one small structure analysed and its annotated
 * CIF and table rendered per unit, the units handed to the jobs from one
 * counter; the splits are timed in turn, reps times, and their medians
 * compared.  The default (one job of every thread) stays unless a split is
 * 3 % faster, beyond a quiet machine's noise.
 */
#ifndef VOX_TUNE_BATCH_H
#define VOX_TUNE_BATCH_H

#include "search.h"

/* One split's figure. */
typedef struct vox_batch_figure {
    int jobs, threads_per_job;
    double per_second; /* structures per second (median); < 0: not measured */
} vox_batch_figure;

#define VOX_TUNE_MAX_SPLITS 16

typedef struct vox_batch_outcome {
    vox_batch_figure split[VOX_TUNE_MAX_SPLITS]; /* [0]: the default, one job of every thread */
    int nsplits;
    int best;  /* index of the fastest split */
    int kept;  /* 1: split[best] is 3 % faster than the default and goes into the profile */
} vox_batch_outcome;

/* Measures the splits on the small structure of w with the tuned settings
 * (profile_json, as a user's contexts read them).  0 when it could not be
 * measured (out of memory, the deadline, a failed analysis). */
int vox_tune_batch(vox_tuner *t, const vox_workload *w, const char *profile_json, vox_batch_outcome *out);

#endif
