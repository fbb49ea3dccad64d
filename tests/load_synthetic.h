/* load_synthetic.h - loads one of the structures tests/gen_structures.c generates, for the C tests */
#ifndef VOX_TEST_LOAD_SYNTHETIC_H
#define VOX_TEST_LOAD_SYNTHETIC_H

#include <stdio.h>

#include "vox/vox.h"

/* dir/name loaded with the default parameters; NULL when it cannot be
 * (the test's CHECK says so, with the context's detail). */
static inline vox_structure *load_synthetic(vox_ctx *ctx, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    vox_structure *s = NULL;
    vox_load_file(ctx, path, NULL, &s);
    return s;
}

#endif
