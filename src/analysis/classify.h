/* classify.h - topology classification and neck refinement of one buried component */
#ifndef VOX_CLASSIFY_H
#define VOX_CLASSIFY_H

#include "internal.h"

typedef struct vox_classifier vox_classifier;

/* Work space for one grid; reused for every component of that grid.  The
 * per-voxel arrays come from the context's scratch (flags stay zero between
 * uses).  Several classifiers (one per thread) may share those arrays and
 * classify distinct components at once: a component only writes, and only
 * reads the flags of, its own voxels. */
VOX_HIDDEN vox_classifier *vox_classifier_new(const uint8_t *state, const int32_t *labels, const int dims[3],
                                              vox_connectivity mode, int merge_gap, int refine,
                                              vox_scratch *flags, vox_scratch *pred, vox_scratch *layer);
VOX_HIDDEN void vox_classifier_free(vox_classifier *c);

/* Classifies the component q[0..n) (ascending flat indices, all with
 * labels == label, n >= 5): its topology (§9), its final type after the
 * neck rules (§10) and its final surface flags (surface[i] for q[i]).
 * Returns 0 on allocation failure. */
VOX_HIDDEN int vox_classify(vox_classifier *c, const uint32_t *q, size_t n, int32_t label,
                            vox_volume_type *topology, vox_volume_type *final_type, uint8_t *surface,
                            size_t *nsurf);
/* Number of mouth components found by the last vox_classify (0 for cavities). */
VOX_HIDDEN size_t vox_classifier_mouths(const vox_classifier *c);
/* For each of those mouths, the voxel faces it shares with
 * bulk solvent: face neighbours that are first-shell exposed voxels (§7.2;
 * a buried voxel's exposed neighbours all are) plus faces on the grid's
 * boundary (outside the grid is solvent, as §9.1 counts it), into
 * faces[vox_classifier_mouths(c)], largest first. */
VOX_HIDDEN void vox_classifier_mouth_faces(const vox_classifier *c, uint32_t *faces);
/* volumizer's "wrapped" hub test on the 6 direction-bucket counts sorted
 * in descending order: five directions populated (b[4] >= 0.4 * b[0]). */
VOX_HIDDEN int vox_wrapped_hub_spread(const size_t b[6]);

#endif
