/* fuzz_pipeline.c - the whole pipeline on small inputs: load, prepare, estimate, analyse with
 * descriptors on a small grid cap, render every document, the descriptors' ones per volume too.
 * The input's last byte chooses the settings, its length's parity the exports' frame; the rest
 * is the structure text.  Checked: the estimate is the grid the analysis built; every document
 * renders; the volumes JSON parses; the PyMOL and ChimeraX scripts hold no name from the file
 * (script_safety.h), whatever names it has; the lining lists ascend within the structure and
 * the descriptors are in range. */
#include <math.h>

#include <cJSON.h>

#include "fuzz_common.h"
#include "script_safety.h"

static vox_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context((uint64_t)1 << 18);
    return 0;
}

/* Volume i's descriptors: in range, lining atoms ascending within the
 * structure, residues ascending, no more residues than atoms. */
static void check_descriptors(const vox_structure *s, const vox_result *r, size_t i)
{
    vox_descriptors d = {.size = sizeof d};
    FUZZ_ASSERT(vox_result_descriptors(r, i, &d) == VOX_OK);
    FUZZ_ASSERT(d.depth_mean > 0.0 && d.depth_mean <= d.depth_max && isfinite(d.depth_max));
    FUZZ_ASSERT(d.num_lining_residues <= d.num_lining_atoms);
    const double classes = d.apolar_fraction + d.polar_fraction + d.charged_fraction;
    FUZZ_ASSERT(classes >= 0.0 && classes <= 1.0 + 1e-12);
    FUZZ_ASSERT(!d.has_hydropathy || (d.hydropathy >= -4.5 && d.hydropathy <= 4.5));
    const size_t natoms = vox_structure_atom_count(s), n = d.num_lining_atoms;
    size_t *atoms = malloc((n + d.num_lining_residues + 1) * sizeof *atoms), *firsts = atoms + n;
    FUZZ_ASSERT(atoms != NULL);
    FUZZ_ASSERT(vox_result_lining_atoms(r, i, atoms) == n);
    FUZZ_ASSERT(vox_result_lining_residues(r, i, firsts) == d.num_lining_residues);
    for (size_t t = 0; t < n; t++) FUZZ_ASSERT(atoms[t] < natoms && (t == 0 || atoms[t - 1] < atoms[t]));
    for (size_t t = 0; t < d.num_lining_residues; t++)
        FUZZ_ASSERT(firsts[t] <= atoms[n - 1] && (t == 0 || firsts[t - 1] < firsts[t]));
    free(atoms);
}

/* Renders a document that must render; returns it (vox_free it). */
static char *must_render(vox_document doc, const vox_structure *s, const vox_result *r, const vox_render_params *p)
{
    char *out = NULL;
    size_t len = 0;
    FUZZ_ASSERT(vox_render(ctx, doc, s, r, p, &out, &len) == VOX_OK && out && strlen(out) == len);
    return out;
}

/* The descriptors' documents: the volumes JSON parses, the scripts are
 * safe, a Vina box and a DX map render for every volume. */
static void render_exports(const vox_structure *s, const vox_result *r, vox_output_frame frame)
{
    vox_render_params p;
    vox_render_params_init(&p);
    p.output_frame = frame;
    p.include_hubs = 1;
    p.source = "fuzz";
    p.structure_file = "fuzz.annotated.cif";
    char *json = must_render(VOX_DOC_VOLUMES_JSON, s, r, &p);
    cJSON *parsed = cJSON_Parse(json);
    FUZZ_ASSERT(parsed != NULL);
    cJSON_Delete(parsed);
    vox_free(json);
    for (vox_document doc = VOX_DOC_PYMOL; doc <= VOX_DOC_CHIMERAX; doc++) {
        char *script = must_render(doc, s, r, &p);
        FUZZ_ASSERT(vox_test_unsafe_script(script, stderr) == 0);
        vox_free(script);
    }
    for (size_t i = 0; i < vox_result_count(r); i++) {
        p.volume = i;
        vox_free(must_render(VOX_DOC_VINA, s, r, &p));
        vox_free(must_render(VOX_DOC_DX, s, r, &p));
    }
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
    ap.descriptors = 1;
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
            check_descriptors(s, r, i);
        }
        render_exports(s, r, size & 1 ? VOX_FRAME_INPUT : VOX_FRAME_ALIGNED);
        double fa, fb, fc;
        FUZZ_ASSERT(vox_secondary_structure(ctx, s, &fa, &fb, &fc) == VOX_OK);
    }
    vox_result_free(&r);
    vox_structure_free(&s);
    return 0;
}
