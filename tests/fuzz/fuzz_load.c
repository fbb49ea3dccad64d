/* fuzz_load.c - the structure loaders (PDB, mmCIF, gzip; FUZZ_NAME picks the suffix that breaks
 * ties): every input is loaded twice, from memory and streamed from a file, and both must agree */
#include "fuzz_common.h"

#ifndef FUZZ_NAME
#define FUZZ_NAME "input.pdb"
#endif

static vox_ctx *ctx;
static char path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context(0);
    fuzz_temp_path(path, sizeof path, "-" FUZZ_NAME);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vox_load_params lp;
    vox_load_params_init(&lp);
    lp.max_input_bytes = 4u << 20; /* the limit is part of what is fuzzed: small, so bombs stay cheap */
    lp.assembly = size ? (vox_assembly_policy)(data[size - 1] % 3) : VOX_ASSEMBLY_BIOLOGICAL;
    vox_structure *a = NULL, *b = NULL;
    vox_status sa = vox_load_buffer(ctx, data, size, path, &lp, &a);
    fuzz_write_file(path, data, size);
    vox_status sb = vox_load_file(ctx, path, &lp, &b);
    /* memory in one piece, a file in 64 KiB chunks: the same answer */
    FUZZ_ASSERT(sa == sb);
    FUZZ_ASSERT((a == NULL) == (b == NULL));
    if (a && b) {
        size_t n = vox_structure_atom_count(a);
        FUZZ_ASSERT(n > 0 && n == vox_structure_atom_count(b));
        float *xa = malloc(3 * n * sizeof *xa), *xb = malloc(3 * n * sizeof *xb);
        FUZZ_ASSERT(xa && xb);
        vox_structure_coords(a, xa);
        vox_structure_coords(b, xb);
        FUZZ_ASSERT(!memcmp(xa, xb, 3 * n * sizeof *xa));
        free(xa);
        free(xb);
    } else {
        FUZZ_ASSERT(vox_ctx_last_error_detail(ctx)[0]); /* every refusal says why */
    }
    vox_structure_free(&a);
    vox_structure_free(&b);
    return 0;
}
