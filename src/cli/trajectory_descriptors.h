/* trajectory_descriptors.h - `vox trajectory --write descriptors`: each frame's volumes with
 * their descriptors and lining residues, one CSV row per row of frames.csv
 * (trajectory_descriptors.c) */
#ifndef VOX_TRAJECTORY_DESCRIPTORS_H
#define VOX_TRAJECTORY_DESCRIPTORS_H

#include <stdint.h>
#include <stdio.h>

#include "vox/vox.h"

/* The writer's state: the residue label of each analysed atom ("A:ASP145", "TRP63B" without a
 * chain), made once (the names are the same in every frame), and room for a volume's lining
 * residues, reused row after row. */
typedef struct traj_descriptors {
    char (*text)[72];
    size_t n;
    int replaced; /* a name byte that is not UTF-8 was written as U+FFFD */
    size_t *first; /* a volume's lining residues (their first atoms) */
    size_t cap;
} traj_descriptors;

extern const char TRAJ_DESCRIPTORS_HEADER[];

/* The writer for s (the analysed structure, any frame: its atoms' labels); 0: out of memory. */
int traj_descriptors_begin(traj_descriptors *l, const vox_structure *s);
void traj_descriptors_end(traj_descriptors *l);

/* The row of volume j of r (analysed with descriptors; v its record, track -1 for none);
 * 0: out of memory (nothing written). */
int traj_descriptors_row(FILE *f, traj_descriptors *l, int64_t frame, const vox_result *r, size_t j,
                         const vox_volume *v, int track);

#endif
