/* fuzz_dcd.c - the DCD trajectory reader (through vox_frames_open on a file): every frame is read
 * or refused with a message naming it, and a header's atom count never makes it allocate more
 * than the file can hold */
#include "fuzz_common.h"

static vox_ctx *ctx;
static char path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context(0);
    fuzz_temp_path(path, sizeof path, ".dcd");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write_file(path, data, size);
    vox_frames *f = NULL;
    if (vox_frames_open(ctx, path, &f) != VOX_OK) {
        FUZZ_ASSERT(!f && vox_ctx_last_error_detail(ctx)[0]);
        return 0;
    }
    size_t n = vox_frames_atom_count(f);
    FUZZ_ASSERT(n > 0);
    /* a frame holds 12 bytes per atom: more atoms than the file has bytes for are only skipped */
    float *xyz = n <= size / 12 ? malloc(3 * n * sizeof *xyz) : NULL;
    for (int k = 0; k < 64; k++) {
        vox_frame_info fi;
        memset(&fi, 0, sizeof fi);
        fi.size = sizeof fi;
        int got = 0;
        vox_status st = xyz && k % 2 == 0 ? vox_frames_next(ctx, f, xyz, &fi, &got) : vox_frames_skip(ctx, f, &fi, &got);
        if (st != VOX_OK) {
            FUZZ_ASSERT(vox_ctx_last_error_detail(ctx)[0]);
            break;
        }
        if (!got)
            break;
        FUZZ_ASSERT(fi.index == k);
    }
    free(xyz);
    vox_frames_close(&f);
    FUZZ_ASSERT(f == NULL);
    return 0;
}
