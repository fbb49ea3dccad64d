/* search.h - voxtune's measurements and its search over variants, tiles and threads
 *
 * For one kernel and size class the search goes in three passes, each
 * keeping the best of the one before (a full cross product would take
 * minutes): the variant (every distinct kernel function this CPU runs, at
 * the default tile and all threads), then the tile (default / 4 ... x 4,
 * and one slab per thread), then the thread count (1, 2, 4, ... and all),
 * where the fewest threads within 3% of the fastest win: a smaller team
 * leaves cores to the caller for no measurable loss.  Finally the choice
 * and the default are measured alternately, and the default stays unless
 * the choice is faster there too.
 */
#ifndef VOX_TUNE_SEARCH_H
#define VOX_TUNE_SEARCH_H

#include <cJSON.h>

#include "workload.h"

typedef struct vox_tuner {
    vox_ctx *ctx;
    int reps;            /* repetitions per measurement (best of) */
    double deadline;     /* monotonic seconds; 0: none */
    int truncated;       /* the deadline stopped a search */
    cJSON *measurements; /* every measurement, for the profile */
    int done;            /* measurements so far (progress line) */
    int steps;           /* kernel x size-class searches in all */
    int finished;        /* searches finished (the running one is finished + 1) */
    double start;        /* when measuring began (vox_tune_now) */
    char eta[32];        /* vox_tune_eta's text */
    int show_progress;
} vox_tuner;

double vox_tune_now(void);

/* The smaller of two times, where a negative time means "not measured". */
static inline double vox_tune_min(double a, double b) { return a < 0 || (b >= 0 && b < a) ? b : a; }

/* Best-of-reps seconds of kernel k with setting s on w; < 0 past the deadline. */
/* Time left, as text: the searches so far at their pace, capped by the limit. */
const char *vox_tune_eta(vox_tuner *t);
double vox_tune_measure(vox_tuner *t, vox_workload *w, vox_tuned_kernel k, const vox_setting *s);

/* Searches k on w from the default setting *s (replaced by the choice);
 * *t_default and *t_chosen get their times (< 0: not measured). */
void vox_tune_search(vox_tuner *t, vox_workload *w, vox_tuned_kernel k, vox_setting *s, double *t_default,
                     double *t_chosen);

#endif
