/* trajectory.c - `vox trajectory`: the volumes of every frame of an MD
 * trajectory, analysed in-process (one topology load, then new coordinates
 * per frame: no text, no new allocations), written as one CSV row per frame
 * and volume plus a run summary */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_TOP = 1000, O_TRAJ, O_OUT, O_RES, O_ALIGN, O_START, O_STOP, O_STRIDE, O_QUIET, O_HELP, O_FRAMES };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vox trajectory --topology TOP --trajectory TRAJ --output-dir DIR [options]\n"
            "\n"
            "Analyses every frame of a trajectory (DCD) whose atoms are those of TOP (PDB or mmCIF,\n"
            "model 1, asymmetric unit, in the same order).  Writes DIR/<label>.frames.csv (one row per\n"
            "frame and volume; label = the trajectory file's stem) and DIR/run.summary.json.\n"
            "\n"
            "  --topology PATH      PDB or mmCIF file with the trajectory's atoms\n"
            "  --trajectory PATH    DCD file (CHARMM, NAMD, OpenMM, MDAnalysis)\n"
            "  --output-dir DIR     where the files go (created)\n"
            "  --resolution A       voxel edge in angstroms (default 3.0)\n"
            "  --align each|none    each (default): every frame prepared as `vox analyze` prepares a\n"
            "                       structure; none: coordinates as given\n"
            "  --frame-signs F      volumizer (default) or canonical: the aligned frame, as for\n"
            "                       `vox analyze --frame-signs`\n"
            "  --start N            first frame (0-based, default 0)\n"
            "  --stop N             stop before frame N (default: the end)\n"
            "  --stride N           every Nth frame from --start (default 1)\n"
            "  --quiet              no progress lines\n"
            "\n"
            "Residue names that MD force fields write (CYX, HIE, HID, HSD, HISE, ...) count as amino\n"
            "acids; hydrogens are removed as for PDB entries.  Exit: 0 every frame done, 1 an error\n"
            "(a frame that cannot be read: the frames before it are written), 2 a usage error.\n");
}

static int parse_long(const char *s, long lo, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo)
        return 0;
    *out = v;
    return 1;
}

/* frames.csv: the columns of volumizer's table per frame (track stays empty: no tracking with --align each). */
static void csv_row(vox_buf *b, int64_t frame, const vox_frame_info *fi, const vox_volume *v)
{
    char t[32] = "";
    if (fi->has_time)
        snprintf(t, sizeof t, "%.6f", fi->time_ps);
    vox_buf_printf(b, "%lld,%s,%s,%d,,%zu,%.10g,%.10g,%.10g,%.10g,%.6f,%.6f,%.6f,", (long long)frame, t,
                   vox_volume_type_name(v->type), v->id, v->num_voxels, v->volume, v->x, v->y, v->z, v->centre[0],
                   v->centre[1], v->centre[2]);
    if (v->has_circularity) vox_buf_printf(b, "%.10g", v->circularity);
    vox_buf_putc(b, ',');
    if (v->has_uniformity) vox_buf_printf(b, "%.10g", v->uniformity);
    vox_buf_putc(b, '\n');
}

int cmd_trajectory(int argc, char **argv)
{
    static const struct option opts[] = {
        {"topology", required_argument, 0, O_TOP},   {"trajectory", required_argument, 0, O_TRAJ},
        {"output-dir", required_argument, 0, O_OUT}, {"resolution", required_argument, 0, O_RES},
        {"align", required_argument, 0, O_ALIGN},    {"start", required_argument, 0, O_START},
        {"stop", required_argument, 0, O_STOP},      {"stride", required_argument, 0, O_STRIDE},
        {"quiet", no_argument, 0, O_QUIET},          {"help", no_argument, 0, O_HELP},
        {"frame-signs", required_argument, 0, O_FRAMES},
        {0, 0, 0, 0}};
    const char *top = NULL, *traj = NULL, *outdir = NULL, *align = "each", *frames = "volumizer";
    double res = 3.0;
    long start = 0, stop = -1, stride = 1;
    int quiet = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        char *end;
        switch (ch) {
        case O_TOP: top = optarg; break;
        case O_TRAJ: traj = optarg; break;
        case O_OUT: outdir = optarg; break;
        case O_RES: res = strtod(optarg, &end); ok = *optarg && !*end && res > 0; break;
        case O_ALIGN: align = optarg; ok = !strcmp(align, "each") || !strcmp(align, "none"); break;
        case O_FRAMES: frames = optarg; ok = !strcmp(frames, "volumizer") || !strcmp(frames, "canonical"); break;
        case O_START: ok = parse_long(optarg, 0, &start); break;
        case O_STOP: ok = parse_long(optarg, 0, &stop); break;
        case O_STRIDE: ok = parse_long(optarg, 1, &stride); break;
        case O_QUIET: quiet = 1; break;
        case 'h': case O_HELP: usage(stdout); return 0;
        default:
            fprintf(stderr, "vox trajectory: unknown option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "vox trajectory: invalid value '%s' for %s%s\n", optarg, argv[optind - 2],
                    ch == O_ALIGN    ? " (expected each or none)"
                    : ch == O_FRAMES ? " (expected volumizer or canonical)"
                    : ch == O_RES    ? " (expected a positive number)"
                                     : " (expected a whole number)");
            return 2;
        }
    }
    if (!top || !traj || !outdir || optind < argc) {
        fprintf(stderr, "vox trajectory: %s\n", optind < argc ? "unexpected argument" :
                        !top ? "--topology is required" : !traj ? "--trajectory is required" : "--output-dir is required");
        usage(stderr);
        return 2;
    }

    vox_options o;
    vox_options_init(&o);
    vox_ctx *ctx = NULL;
    vox_status st = vox_ctx_create(&ctx, &o);
    if (st != VOX_OK) {
        fprintf(stderr, "vox trajectory: %s\n", vox_strerror(st));
        return 1;
    }
    vox_structure *s = NULL;
    vox_frames *fr = NULL;
    vox_result *r = NULL;
    float *xyz = NULL;
    vox_buf csv = {0};
    int rc = 1;
    char err[1400] = "";
    int64_t done = 0, failed_frame = -1;
    double t0 = vox_now();
    vox_load_params lp;
    vox_load_params_init(&lp);
    lp.assembly = VOX_ASSEMBLY_ASYMMETRIC;
    if ((st = vox_load_file(ctx, top, &lp, &s)) != VOX_OK || (st = vox_frames_open(ctx, traj, &fr)) != VOX_OK) {
        snprintf(err, sizeof err, "%s", vox_ctx_last_error_detail(ctx));
        goto out;
    }
    size_t n = vox_frames_atom_count(fr);
    if (n != vox_structure_input_atom_count(s)) {
        snprintf(err, sizeof err, "the topology %s has %zu atoms, the trajectory %s has %zu", top,
                 vox_structure_input_atom_count(s), traj, n);
        goto out;
    }
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.align = !strcmp(align, "each");
    pp.md_residue_names = 1;
    pp.frame_signs = !strcmp(frames, "canonical") ? VOX_FRAME_SIGNS_CANONICAL : VOX_FRAME_SIGNS_VOLUMIZER;
    if ((st = vox_prepare(ctx, s, &pp)) != VOX_OK) {
        snprintf(err, sizeof err, "%s: %s", top, vox_ctx_last_error_detail(ctx));
        goto out;
    }
    if (mkdir_p(outdir) != 0) {
        snprintf(err, sizeof err, "cannot create the output directory %s: %s", outdir, strerror(errno));
        goto out;
    }
    xyz = malloc(3 * n * sizeof *xyz);
    if (!xyz) {
        snprintf(err, sizeof err, "out of memory for %zu atoms", n);
        goto out;
    }
    vox_buf_puts(&csv, "frame,time,type,id,track,voxels,volume,x,y,z,centre_x,centre_y,centre_z,circularity,uniformity\n");
    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = res;
    vox_frame_info fi;
    for (int64_t k = 0; stop < 0 || k < stop; k++) {
        memset(&fi, 0, sizeof fi);
        fi.size = sizeof fi;
        int got = 0, wanted = k >= start && (k - start) % stride == 0;
        st = wanted ? vox_frames_next(ctx, fr, xyz, &fi, &got) : vox_frames_skip(ctx, fr, &fi, &got);
        if (st != VOX_OK) {
            failed_frame = k;
            snprintf(err, sizeof err, "%s", vox_ctx_last_error_detail(ctx));
            break;
        }
        if (!got)
            break;
        if (!wanted)
            continue;
        if ((st = vox_structure_set_coords(ctx, s, xyz, n)) != VOX_OK || (st = vox_analyze(ctx, s, &ap, &r)) != VOX_OK) {
            failed_frame = k;
            snprintf(err, sizeof err, "%s: frame %lld: %s", traj, (long long)k, vox_ctx_last_error_detail(ctx));
            break;
        }
        for (size_t i = 0; i < vox_result_count(r); i++) {
            vox_volume v;
            vox_result_volume(r, i, &v);
            if (v.type != VOX_OCCLUDED)
                csv_row(&csv, k, &fi, &v);
        }
        vox_result_free(&r);
        done++;
        if (!quiet && done % 100 == 0)
            fprintf(stderr, "vox trajectory: %lld frames, %.1f frames/s\n", (long long)done,
                    (double)done / (vox_now() - t0));
    }
    char label[256], path[4096];
    make_label(traj, label, sizeof label);
    snprintf(path, sizeof path, "%s/%s.frames.csv", outdir, label);
    if (csv.oom || vox_write_file_atomic(ctx, path, csv.data, csv.len) != VOX_OK) {
        snprintf(err, sizeof err, "%s", csv.oom ? "out of memory" : vox_ctx_last_error_detail(ctx));
        goto out;
    }
    double secs = vox_now() - t0;
    cJSON *sum = cJSON_CreateObject(), *cfg = cJSON_AddObjectToObject(sum, "config");
    cJSON_AddStringToObject(cfg, "topology", top);
    cJSON_AddStringToObject(cfg, "trajectory", traj);
    cJSON_AddStringToObject(cfg, "format", vox_frames_format(fr));
    cJSON_AddNumberToObject(cfg, "resolution", res);
    cJSON_AddStringToObject(cfg, "align", align);
    cJSON_AddNumberToObject(cfg, "start", (double)start);
    if (stop >= 0) cJSON_AddNumberToObject(cfg, "stop", (double)stop);
    else cJSON_AddNullToObject(cfg, "stop");
    cJSON_AddNumberToObject(cfg, "stride", (double)stride);
    cJSON_AddNumberToObject(cfg, "atoms", (double)n);
    cJSON_AddNumberToObject(cfg, "analysed_atoms", (double)vox_structure_atom_count(s));
    cJSON_AddNumberToObject(sum, "frames_done", (double)done);
    cJSON *fails = cJSON_AddArrayToObject(sum, "failures");
    if (failed_frame >= 0) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "frame", (double)failed_frame);
        cJSON_AddStringToObject(f, "error", err);
        cJSON_AddItemToArray(fails, f);
    }
    cJSON_AddNumberToObject(sum, "seconds", secs);
    cJSON_AddNumberToObject(sum, "frames_per_second", secs > 0 ? (double)done / secs : 0.0);
    char *js = cJSON_Print(sum);
    cJSON_Delete(sum);
    snprintf(path, sizeof path, "%s/run.summary.json", outdir);
    int wrote = js && vox_write_file_atomic(ctx, path, js, strlen(js)) == VOX_OK;
    free(js);
    if (!wrote) {
        snprintf(err, sizeof err, "%s", vox_ctx_last_error_detail(ctx));
        goto out;
    }
    if (!quiet)
        fprintf(stderr, "vox trajectory: %lld frames in %.2f s (%.1f frames/s)\n", (long long)done, secs,
                secs > 0 ? (double)done / secs : 0.0);
    rc = failed_frame >= 0 ? 1 : 0;
out:
    if (err[0])
        fprintf(stderr, "vox trajectory: %s\n", err);
    vox_buf_free(&csv);
    free(xyz);
    vox_result_free(&r);
    vox_frames_close(&fr);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
    return rc;
}
