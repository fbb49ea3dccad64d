/* app.c - a consumer of the installed library, as another project builds one: only <vox/vox.h>
 * and pkg-config (tests/test_consumer.py builds it against an installed prefix, dynamically and
 * statically).  Prints the volumes of one structure file. */
#include <stdio.h>

#include <vox/vox.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: app STRUCTURE\n");
        return 2;
    }
    vox_ctx *ctx = NULL;
    vox_structure *s = NULL;
    vox_result *r = NULL;
    vox_analyze_params p;
    vox_analyze_params_init(&p);
    if (vox_ctx_create(&ctx, NULL) != VOX_OK || vox_load_file(ctx, argv[1], NULL, &s) != VOX_OK ||
        vox_prepare(ctx, s, NULL) != VOX_OK || vox_analyze(ctx, s, &p, &r) != VOX_OK) {
        fprintf(stderr, "app: %s\n", ctx ? vox_ctx_last_error_detail(ctx) : "no context");
        vox_structure_free(&s);
        vox_ctx_destroy(&ctx);
        return 1;
    }
    printf("vox %s (header %s): %zu volumes\n", vox_version(), VOX_VERSION_STRING, vox_result_count(r));
    for (size_t i = 0; i < vox_result_count(r); i++) {
        vox_volume v = {.size = sizeof v}; /* output structs: the caller sets size */
        if (vox_result_volume(r, i, &v) == VOX_OK)
            printf("%s %d %.1f\n", vox_volume_type_name(v.type), v.id, v.volume);
    }
    vox_result_free(&r);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
    return 0;
}
