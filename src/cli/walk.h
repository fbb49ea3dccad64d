/* walk.h - the structure files under directory inputs: each directory entered once (device +
 * inode), each file planned once (real path), only regular files opened, skips said */
#ifndef VOX_CLI_WALK_H
#define VOX_CLI_WALK_H

#include <stddef.h>

#include "internal.h"

typedef struct walk walk;

walk *walk_new(void); /* NULL when out of memory */
void walk_free(walk *w);
/* Records a file given explicitly: 1 the first time its real path is seen
 * (or when it has none: a missing file), 0 when it was planned already. */
int walk_claim_file(walk *w, const char *path);
/* Calls add(cookie, path) for each structure file under dir, recursively,
 * in sorted order: a file named as a structure (.pdb .ent .cif .mmcif, each
 * optionally .gz) whatever it holds, so that an empty or damaged one fails
 * with its error; another file when its content is a structure's, as the
 * loader decides. */
void walk_dir(walk *w, const char *dir, void (*add)(void *cookie, const char *path), void *cookie);
/* Passes over dir (an existing directory) wherever the walk meets it: the
 * output directory inside an input directory holds vox's own outputs, which
 * a second run would otherwise take for structures (x.annotated.cif). */
void walk_exclude_output(walk *w, const char *dir);
/* What was left out: "PATH: skipped: why", in the order met. */
size_t walk_skipped(const walk *w);
const char *walk_note(const walk *w, size_t i);

#endif
