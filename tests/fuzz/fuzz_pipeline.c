/* fuzz_pipeline.c - the whole pipeline on small inputs: load, prepare, estimate, analyse on a
 * small grid cap, render every document.  The input's last byte chooses the settings; the rest
 * is the structure text.  The estimate must be the grid the analysis built. */
#include "fuzz_common.h"

static vox_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context((uint64_t)1 << 18);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > (256u << 10))
        return 0;
    const uint8_t knobs = data[size - 1];
    vox_load_params lp;
    vox_load_params_init(&lp);
    lp.max_input_bytes = 1u << 20;
    vox_structure *s = NULL;
    if (vox_load_buffer(ctx, data, size - 1, "input.pdb", &lp, &s) != VOX_OK)
        return 0;
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.align = !(knobs & 1);
    pp.keep_non_protein = (knobs >> 1) & 1;
    pp.md_residue_names = (knobs >> 2) & 1;
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    static const double res[4] = {1.5, 2.0, 3.0, 4.0};
    ap.resolution = res[(knobs >> 3) & 3];
    ap.connectivity = (knobs >> 5) & 1 ? VOX_CONNECT_6 : VOX_CONNECT_CUSTOM18;
    ap.neck_refinement = !((knobs >> 6) & 1);
    ap.min_voxels = (knobs >> 7) ? 1 : 4;
    vox_result *r = NULL;
    vox_grid_estimate ge;
    memset(&ge, 0, sizeof ge);
    ge.size = sizeof ge;
    if (vox_prepare(ctx, s, &pp) == VOX_OK && vox_estimate_grid(ctx, s, &ap, &ge) == VOX_OK &&
        vox_analyze(ctx, s, &ap, &r) == VOX_OK) {
        int dims[3];
        double got;
        vox_result_grid(r, dims, &got);
        FUZZ_ASSERT(!ge.over_limit && !ge.approximate && !memcmp(dims, ge.dims, sizeof dims));
        vox_payload_info pi;
        vox_payload_info_init(&pi);
        pi.source = "fuzz";
        vox_render_params rp = {sizeof rp, &pi, knobs & 1};
        for (int d = VOX_DOC_DF_JSON; d <= VOX_DOC_CIF; d++) {
            char *doc = NULL;
            size_t len = 0;
            FUZZ_ASSERT(vox_render(ctx, (vox_document)d, s, r, &rp, &doc, &len) == VOX_OK && doc);
            vox_free(doc);
        }
        for (size_t i = 0; i < vox_result_count(r); i++) {
            vox_volume v = {.size = sizeof v};
            FUZZ_ASSERT(vox_result_volume(r, i, &v) == VOX_OK && v.num_voxels > 0);
        }
        double fa, fb, fc;
        FUZZ_ASSERT(vox_secondary_structure(ctx, s, &fa, &fb, &fc) == VOX_OK);
    }
    vox_result_free(&r);
    vox_structure_free(&s);
    return 0;
}
