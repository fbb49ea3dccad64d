/* trajectory_descriptors.h - `vox trajectory --write descriptors`: each frame's volumes with
 * their descriptors and lining residues, one CSV row per row of frames.csv
 * (trajectory_descriptors.c) */
#ifndef VOX_TRAJECTORY_DESCRIPTORS_H
#define VOX_TRAJECTORY_DESCRIPTORS_H

#include <stdint.h>
#include <stdio.h>

#include "vox/vox.h"

/* The residue label of each analysed atom ("A:ASP145", "TRP63B" without a chain), made once:
 * the names are the same in every frame. */
typedef struct traj_labels {
    char (*text)[40];
    size_t n;
} traj_labels;

extern const char TRAJ_DESCRIPTORS_HEADER[];

/* Labels of every atom of s (the analysed structure, any frame); 0: out of memory. */
int traj_labels_make(traj_labels *l, const vox_structure *s);
void traj_labels_free(traj_labels *l);

/* The row of volume j of r (analysed with descriptors; v its record, track -1 for none);
 * 0: out of memory (nothing written). */
int traj_descriptors_row(FILE *f, const traj_labels *l, int64_t frame, const vox_result *r, size_t j,
                         const vox_volume *v, int track);

#endif
