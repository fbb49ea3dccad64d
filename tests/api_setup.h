/* api_setup.h - the C API tests' shared set-up: a context of one thread without a tuning profile,
 * and one of the structures tests/gen_structures.c generates */
#ifndef VOX_TEST_API_SETUP_H
#define VOX_TEST_API_SETUP_H

#include <stdio.h>

#include "vox/vox.h"

/* A context with one thread and no profile (the tests' results must not
 * depend on the machine's tuning); NULL, after a message, when none. */
static inline vox_ctx *one_thread_ctx(void)
{
    vox_options o;
    vox_options_init(&o);
    o.profile = "";
    o.threads = 1;
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK) {
        fprintf(stderr, "cannot create a context\n");
        return NULL;
    }
    return ctx;
}

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
