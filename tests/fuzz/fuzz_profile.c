/* fuzz_profile.c - the tuning-profile reader: any text given as vox_options.profile_json is
 * parsed, migrated, matched against this machine and applied, or refused with a status */
#include "fuzz_common.h"
#include "profile.h"

static vox_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context(0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    /* what vox_ctx_create does with the text, on a context made once (no topology reload) */
    ctx->opts.profile_json = text[0] ? text : " ";
    vox_profile_load(ctx);
    FUZZ_ASSERT(ctx->profile->status <= VOX_PROFILE_DEFAULTS_OUT_OF_RANGE);
    char *settings = vox_ctx_settings_json(ctx);
    FUZZ_ASSERT(settings);
    vox_free(settings);
    ctx->opts.profile_json = NULL;
    free(text);
    return 0;
}
