/* fuzz_cli.c - the command's JSON readers (src/cli/readers.c), one target per reader, chosen by
 * FUZZ_READER: manifest, summary (--from-summary), checkpoint (--resume's record), annotation
 * (--resume's and vox validate's trust in an annotation.json, and df.json), merge (merge-summaries
 * and the summary printer) */
#include "fuzz_common.h"

#include "cli.h"
#include "pyjson.h"
#include "readers.h"

#define READER_MANIFEST 1
#define READER_SUMMARY 2
#define READER_CHECKPOINT 3
#define READER_ANNOTATION 4
#define READER_MERGE 5

#ifndef FUZZ_READER
#error "FUZZ_READER must name the reader"
#endif

static run_config cfg;
static char cif_path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memset(&cfg, 0, sizeof cfg);
    cfg.output_dir = "/nonexistent/vox-fuzz-out";
    cfg.resolution = 3.0;
    cfg.min_voxels = 4;
    cfg.necked = 1;
    cfg.align = 1;
    cfg.connectivity = "custom18";
    cfg.merge_gap = 1;
    cfg.assembly = "biological";
    cfg.backend = "auto";
    cfg.jobs = 1;
    cfg.shard_index = -1;
    /* the annotation's CIF must exist for realpath; the seeds name this fixed path */
    snprintf(cif_path, sizeof cif_path, "/tmp/vox-fuzz-annotation.annotated.cif");
    fuzz_write_file(cif_path, (const uint8_t *)"data_x\n#\n", 9);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
#if FUZZ_READER == READER_MANIFEST || FUZZ_READER == READER_ANNOTATION
    char why[512] = "";
#endif
#if FUZZ_READER == READER_MANIFEST
    paths ps = {0};
    if (!manifest_entries(text, "/tmp/vox-fuzz-manifest/manifest.json", &cfg, &ps, why, sizeof why))
        FUZZ_ASSERT(why[0] && ps.n == 0);
    for (size_t i = 0; i < ps.n; i++)
        FUZZ_ASSERT(ps.p[i].path);
    paths_free(&ps);
#elif FUZZ_READER == READER_SUMMARY
    static const char *const only[4] = {"failed", "skipped", "planned", "all"};
    paths ps = {0};
    vox_buf notes = {0};
    char why[256] = "";
    /* a summary refused says why; one taken names each entry it leaves out */
    if (!summary_entries(text, only[size % 4], &ps, &notes, why, sizeof why))
        FUZZ_ASSERT(why[0] && ps.n == 0);
    FUZZ_ASSERT(!notes.oom);
    vox_buf_free(&notes);
    paths_free(&ps);
#elif FUZZ_READER == READER_CHECKPOINT
    vox_buf notes = {0};
    checkpoint_notes(text, 1, "run.checkpoint.json", &cfg, &notes);
    FUZZ_ASSERT(notes.len > 0 && !notes.oom);
    vox_buf_free(&notes);
#elif FUZZ_READER == READER_ANNOTATION
    outcome o;
    memset(&o, 0, sizeof o);
    if (annotation_valid(text, "fuzz", cif_path, &o, why, sizeof why))
        FUZZ_ASSERT(o.ok);
    else
        FUZZ_ASSERT(why[0]);
    (void)df_json_valid(text);
#elif FUZZ_READER == READER_MERGE
    cJSON *doc = cJSON_Parse(text);
    summary_merge m;
    merge_begin(&m);
    if (merge_add(&m, doc, "a.json") && merge_add(&m, doc, "b.json")) {
        cJSON *out = merge_end(&m);
        FUZZ_ASSERT(out);
        vox_buf b = {0};
        pyjson_print(&b, out);
        FUZZ_ASSERT(!b.oom && b.len > 0);
        vox_buf_free(&b);
        cJSON_Delete(out);
    } else {
        merge_abort(&m);
    }
    cJSON_Delete(doc);
#endif
    free(text);
    return 0;
}
