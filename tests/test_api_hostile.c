/* test_api_hostile.c - what an in-process caller (an MD or HPC code) may hand the library
 * by mistake or on purpose, and what it must get back: a clear error naming what was wrong,
 * never a write past its buffers, NaN coordinates or a document broken by a name.
 *
 * Usage: test_api_hostile SYNTHETIC_DIR */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vox/vox.h"

static const char *dir;
static vox_ctx *ctx;

static vox_structure *load(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    vox_structure *s = NULL;
    vox_load_file(ctx, path, NULL, &s);
    return s;
}

/* Output records whose size is under the size field's own (a caller's
 * 4-byte garbage, or a struct of another ABI): refused, and not one byte
 * written past the size field.  They filled 4 bytes, then wrote the size
 * back over 8, and reported success. */
static void test_small_records(void)
{
    vox_structure *s = load("pocket_box.pdb");
    vox_result *r = NULL;
    CHECK(s && vox_prepare(ctx, s, NULL) == VOX_OK && vox_analyze(ctx, s, NULL, &r) == VOX_OK,
          "load + prepare + analyse pocket_box.pdb");
    static const char *const names[] = {"vox_structure_atom", "vox_structure_transform", "vox_result_transform",
                                        "vox_ctx_get_stats", "vox_estimate_grid"};
    for (int which = 0; which < 5; which++) {
        union {
            vox_atom_info atom;
            vox_transform transform;
            vox_stats stats;
            vox_grid_estimate estimate;
            unsigned char bytes[1024];
        } u;
        memset(&u, 0xab, sizeof u);
        u.atom.size = 4; /* every record starts with its size_t */
        vox_status st = which == 0   ? vox_structure_atom(s, 0, &u.atom)
                        : which == 1 ? vox_structure_transform(s, &u.transform)
                        : which == 2 ? vox_result_transform(r, &u.transform)
                        : which == 3 ? vox_ctx_get_stats(ctx, &u.stats)
                                     : vox_estimate_grid(ctx, s, NULL, &u.estimate);
        size_t touched = 0;
        for (size_t i = sizeof u.atom.size; i < sizeof u.bytes; i++) touched += u.bytes[i] != 0xab;
        CHECK(st == VOX_E_INVALID_ARG && touched == 0 && u.atom.size == 4,
              "%s with a 4-byte record: status %d, size now %zu, %zu bytes written past the size", names[which],
              (int)st, u.atom.size, touched);
    }
    vox_result_free(&r);
    vox_structure_free(&s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_api_hostile SYNTHETIC_DIR\n");
        return 2;
    }
    dir = argv[1];
    vox_options o;
    vox_options_init(&o);
    o.profile = "";
    o.threads = 1;
    if (vox_ctx_create(&ctx, &o) != VOX_OK) {
        fprintf(stderr, "cannot create a context\n");
        return 1;
    }
    test_small_records();
    vox_ctx_destroy(&ctx);
    return check_report();
}
