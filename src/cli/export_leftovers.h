/* export_leftovers.h - the per-volume export files (Vina boxes, DX maps) an output directory held
 * before a run, so that a structure the run rewrites keeps only the ones it writes now */
#ifndef VOX_CLI_EXPORT_LEFTOVERS_H
#define VOX_CLI_EXPORT_LEFTOVERS_H

#include <stddef.h>

#include "staged.h"

typedef struct export_leftovers export_leftovers;

/* Lists the files of dir named exactly <label>.<type>-<digits>.vina.txt or
 * <label>.<type>-<digits>.dx, type one of vox's volume types.  One pass over
 * the directory, however many structures the run then writes.  NULL when
 * there is none, or the directory or the memory is lacking (then nothing is
 * removed later: the run's outputs are the same either way). */
export_leftovers *export_leftovers_find(const char *dir);
void export_leftovers_free(export_leftovers *l);

/* Removes from dir the listed files of label that are not among written
 * (the structure's files just renamed into place, as dir/name): the boxes
 * and maps of volumes, or types, that the structure no longer has.  Only
 * regular files go: a device node, FIFO, directory or symbolic link of such
 * a name is the user's, and stays.  Files of other labels are never
 * touched; l NULL does nothing. */
void export_leftovers_remove(const export_leftovers *l, const char *dir, const char *label,
                             const staged_set *written);

#endif
