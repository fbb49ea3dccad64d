/* test_tracker.c - the library pieces under `vox trajectory --align reference|none`:
 * least-squares superposition (a known rotation is recovered, never a reflection),
 * analysis on a fixed lattice (results sit on it, the grid grows by whole voxels,
 * the structure's own grid is unchanged without it), and the tracker (one track for
 * a pocket seen in every frame, occupancy fractions, a save/restore round trip that
 * continues exactly as the uninterrupted tracker, results off the lattice refused; damaged
 * checkpoints and frames far from the held lattice refused with a detail).
 *   test_tracker SYNTHETIC_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vox/vox.h"

static void rotate(const double R[3][3], const float *in, float *out, size_t n, const double t[3])
{
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++)
            out[3 * i + a] = (float)(R[a][0] * in[3 * i] + R[a][1] * in[3 * i + 1] + R[a][2] * in[3 * i + 2] + t[a]);
}

static void test_superpose(void)
{
    enum { N = 50 };
    float ref[3 * N], mob[3 * N];
    unsigned seed = 12345;
    for (int i = 0; i < 3 * N; i++) {
        seed = seed * 1103515245u + 12345u;
        ref[i] = (float)((seed >> 8) % 20000) / 1000.0f - 10.0f;
    }
    /* mobile = Q^T (ref - t): superposing it back must give Q */
    double c = cos(0.7), s = sin(0.7);
    double Q[3][3] = {{c, -s, 0}, {s, c, 0}, {0, 0, 1}}, QT[3][3], shift[3] = {0, 0, 0};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) QT[a][b] = Q[b][a];
    rotate(QT, ref, mob, N, shift);
    for (int i = 0; i < N; i++) mob[3 * i] += 5.0f, mob[3 * i + 2] -= 3.0f;
    vox_transform t;
    t.size = sizeof t;
    double cref[3], rmsd = -1;
    CHECK(vox_superpose(ref, mob, N, &t, cref, &rmsd) == VOX_OK, "superpose");
    double maxd = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) maxd = fmax(maxd, fabs(t.rotation[a][b] - Q[a][b]));
    CHECK(maxd < 1e-6 && rmsd < 1e-4, "recovered rotation off by %g, rmsd %g", maxd, rmsd);
    /* a mirror image is fitted by a proper rotation (determinant +1), with a large rmsd */
    for (int i = 0; i < N; i++) mob[3 * i] = -ref[3 * i], mob[3 * i + 1] = ref[3 * i + 1], mob[3 * i + 2] = ref[3 * i + 2];
    CHECK(vox_superpose(ref, mob, N, &t, cref, &rmsd) == VOX_OK, "superpose mirror");
    const double(*R)[3] = t.rotation;
    double det = R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) - R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) +
                 R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
    CHECK(fabs(det - 1.0) < 1e-9 && rmsd > 0.5, "mirror: det %g rmsd %g", det, rmsd);
    CHECK(vox_superpose(ref, mob, 2, &t, cref, NULL) == VOX_E_INVALID_ARG, "n < 3 refused");
    CHECK(vox_superpose(NULL, mob, N, &t, cref, NULL) == VOX_E_INVALID_ARG, "NULL refused");
    mob[7] = NAN; /* no fit, not a NaN rotation with an RMSD of 0 */
    CHECK(vox_superpose(ref, mob, N, &t, cref, &rmsd) == VOX_E_INVALID_ARG, "a NaN coordinate refused");
}

static vox_result *analyse(vox_ctx *ctx, vox_structure *s, const vox_analyze_params *ap)
{
    vox_result *r = NULL;
    vox_status st = vox_analyze(ctx, s, ap, &r);
    CHECK(st == VOX_OK, "analyse: %s", vox_ctx_last_error_detail(ctx));
    return r;
}

static size_t typed_rows(const vox_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < vox_result_count(r); i++) {
        vox_volume v = {.size = sizeof v};
        vox_result_volume(r, i, &v);
        n += v.type != VOX_OCCLUDED;
    }
    return n;
}

/* A damaged checkpoint is refused with VOX_E_PARSE, no tracker and a detail containing want. */
static void expect_refused(vox_ctx *ctx, const char *data, size_t len, const char *want, const char *what)
{
    vox_tracker *bad = NULL;
    vox_status st = vox_tracker_restore(ctx, data, len, &bad);
    CHECK(st == VOX_E_PARSE && !bad && strstr(vox_ctx_last_error_detail(ctx), want), "%s: status %d, detail \"%s\"",
          what, (int)st, vox_ctx_last_error_detail(ctx));
    vox_tracker_free(&bad);
}

/* Checkpoints: a valid one restores to the same bytes; damage anywhere (a
 * shifted lattice box, flipped bits, a cut, an old format) is refused with a
 * detail, never restored into a tracker that allocates gigabytes later. */
static void test_damaged_checkpoints(vox_ctx *ctx, const char *blob, size_t blen)
{
    vox_tracker *again = NULL;
    char *blob2 = NULL;
    size_t blen2 = 0;
    CHECK(vox_tracker_restore(ctx, blob, blen, &again) == VOX_OK && vox_tracker_save(again, &blob2, &blen2) == VOX_OK &&
              blen2 == blen && !memcmp(blob, blob2, blen),
          "restore then save gives the same bytes");
    vox_free(blob2);
    vox_tracker_free(&again);
    char *d = malloc(blen);
    /* lo[0] shifted by 100000: follows the magic, the parameters and the frame count */
    const size_t lo_at = 8 + sizeof(vox_tracker_params) + sizeof(int64_t);
    int64_t lo0;
    memcpy(d, blob, blen);
    memcpy(&lo0, d + lo_at, sizeof lo0);
    lo0 += 100000;
    memcpy(d + lo_at, &lo0, sizeof lo0);
    expect_refused(ctx, d, blen, "checksum", "lo[0] shifted by 100000");
    /* one flipped bit, at positions all over the state (the checksum included) */
    int refused = 0, tries = 0;
    for (size_t at = 0; at < blen; at += 1 + blen / 97, tries++) {
        memcpy(d, blob, blen);
        d[at] ^= (char)(1u << (at % 8));
        vox_tracker *bad = NULL;
        refused += vox_tracker_restore(ctx, d, blen, &bad) == VOX_E_PARSE && !bad && vox_ctx_last_error_detail(ctx)[0];
        vox_tracker_free(&bad);
    }
    CHECK(refused == tries, "flipped bits: %d of %d damaged checkpoints refused", refused, tries);
    memcpy(d, blob, blen);
    expect_refused(ctx, d, blen - 1, "damaged", "cut by one byte");
    expect_refused(ctx, d, 12, "damaged", "only a header");
    memcpy(d, "VOXTRK01", 8); /* the format without a checksum */
    expect_refused(ctx, d, blen, "format 1", "format 1");
    memcpy(d, "VOXTRK02", 8); /* the format without the last frame added */
    expect_refused(ctx, d, blen, "format 2", "format 2");
    memcpy(d, "NOTATRK!", 8);
    expect_refused(ctx, d, blen, "not a vox tracker checkpoint", "another file");
    free(d);
}

static void test_lattice_and_tracker(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/pocket_box.pdb", dir);
    vox_ctx *ctx = NULL;
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK, "ctx");
    vox_structure *s = NULL;
    CHECK(vox_load_file(ctx, path, NULL, &s) == VOX_OK, "load %s", path);
    if (!s) return;
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.align = 0;
    CHECK(vox_prepare(ctx, s, &pp) == VOX_OK, "prepare");
    size_t n = vox_structure_input_atom_count(s);
    float *xyz0 = malloc(3 * n * sizeof *xyz0), *xyz = malloc(3 * n * sizeof *xyz);
    vox_structure_coords(s, xyz0);

    vox_analyze_params ap;
    vox_analyze_params_init(&ap);
    ap.resolution = 2.0;
    vox_result *own = analyse(ctx, s, &ap);
    int dims[3];
    double origin[3];
    vox_result_grid(own, dims, NULL);
    vox_result_grid_origin(own, origin);
    /* the same structure on its own lattice: the same volumes */
    ap.has_grid = 1;
    memcpy(ap.grid_origin, origin, sizeof origin);
    memcpy(ap.grid_dims, dims, sizeof dims);
    vox_result *lat = analyse(ctx, s, &ap);
    CHECK(vox_result_count(lat) == vox_result_count(own), "lattice: %zu rows, own grid %zu", vox_result_count(lat),
          vox_result_count(own));
    double o2[3];
    vox_result_grid_origin(lat, o2);
    CHECK(!memcmp(o2, origin, sizeof o2), "lattice origin kept");
    /* moved by 4.5 voxels along x: the grid grows by whole voxels and stays on the lattice */
    for (size_t i = 0; i < n; i++) {
        xyz[3 * i] = xyz0[3 * i] - 9.0f;
        xyz[3 * i + 1] = xyz0[3 * i + 1];
        xyz[3 * i + 2] = xyz0[3 * i + 2];
    }
    CHECK(vox_structure_set_coords(ctx, s, xyz, n) == VOX_OK, "set coords");
    vox_result *moved = analyse(ctx, s, &ap);
    int d3[3];
    vox_result_grid(moved, d3, NULL);
    vox_result_grid_origin(moved, o2);
    double k = (origin[0] - o2[0]) / 2.0;
    CHECK(k >= 4.0 && fabs(k - round(k)) < 1e-9 && o2[1] == origin[1] && d3[0] >= dims[0] + 4 && d3[1] == dims[1],
          "grown by %g voxels below x, dims %d -> %d", k, dims[0], d3[0]);
    /* the voxel indices are the result's voxels */
    vox_volume v0 = {.size = sizeof v0};
    vox_result_volume(moved, 0, &v0);
    uint32_t *flat = malloc(v0.num_voxels * sizeof *flat);
    float *cent = malloc(3 * v0.num_voxels * sizeof *cent);
    CHECK(vox_result_voxel_indices(moved, 0, flat) == VOX_OK && vox_result_voxels(moved, 0, cent, NULL) == VOX_OK,
          "voxels");
    int ok = 1;
    for (size_t i = 0; i < v0.num_voxels; i++) {
        int ix = (int)(flat[i] / (uint32_t)(d3[1] * d3[2]));
        ok &= fabs(cent[3 * i] - (o2[0] + (ix + 0.5) * 2.0)) < 1e-4;
        ok &= i == 0 || flat[i] > flat[i - 1];
    }
    CHECK(ok, "voxel indices ascending and matching the centres");
    free(flat);
    free(cent);

    /* tracker: the same pocket in every frame (moved along x on the lattice) */
    vox_tracker_params tp;
    vox_tracker_params_init(&tp);
    tp.resolution = 2.0;
    memcpy(tp.origin, origin, sizeof origin);
    vox_tracker *tk = NULL, *tk2 = NULL;
    CHECK(vox_tracker_create(ctx, &tp, &tk) == VOX_OK, "tracker");
    int ids[64];
    char *blob = NULL;
    size_t blen = 0;
    for (int f = 0; f < 6; f++) {
        for (size_t i = 0; i < n; i++) xyz[3 * i] = xyz0[3 * i] + (f % 2) * 0.3f;
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *r = analyse(ctx, s, &ap);
        CHECK(vox_result_count(r) <= 64, "rows");
        CHECK(vox_tracker_add(ctx, tk, f, r, ids) == VOX_OK, "add frame %d", f);
        for (size_t i = 0; i < typed_rows(r); i++) CHECK(ids[i] == (int)i || f > 0, "frame 0 track ids %d", ids[i]);
        if (tk2) {
            int ids2[64];
            CHECK(vox_tracker_add(ctx, tk2, f, r, ids2) == VOX_OK, "add to restored");
            CHECK(!memcmp(ids, ids2, vox_result_count(r) * sizeof *ids), "restored tracker links frame %d alike", f);
        }
        if (f == 2) {
            CHECK(vox_tracker_save(tk, &blob, &blen) == VOX_OK, "save");
            CHECK(vox_tracker_restore(ctx, blob, blen, &tk2) == VOX_OK, "restore");
            vox_tracker *bad = NULL;
            CHECK(vox_tracker_restore(ctx, blob, blen - 1, &bad) == VOX_E_PARSE && !bad, "a truncated state is refused");
        }
        vox_result_free(&r);
    }
    vox_track t;
    t.size = sizeof t;
    CHECK(vox_tracker_track(tk, 0, &t) == VOX_OK && t.frames_present == 6 && t.fraction == 1.0 &&
              t.first_frame == 0 && t.last_frame == 5,
          "track 0: %lld frames", (long long)t.frames_present);
    CHECK(vox_tracker_track_count(tk) == vox_tracker_track_count(tk2), "restored: same track count");
    { /* frames in increasing order, each once: frame 5 again, or an earlier frame, is refused and changes
       * nothing (it linked volumes to tracks a second time and counted the frame twice); so on the
       * tracker restored after frame 2 and given frames 3-5, and on one restored after frame 2 alone */
        for (size_t i = 0; i < n; i++) xyz[3 * i] = xyz0[3 * i];
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *r = analyse(ctx, s, &ap);
        char *before = NULL, *after = NULL;
        size_t lb = 0, la = 0;
        vox_tracker_save(tk, &before, &lb);
        static const int again[3] = {5, 3, -1};
        for (int j = 0; j < 3; j++) {
            char want[128];
            snprintf(want, sizeof want, "tracker: frame %d after frame 5: vox_tracker_add takes frames in increasing "
                     "order, each once", again[j]);
            CHECK(vox_tracker_add(ctx, tk, again[j], r, NULL) == VOX_E_INVALID_ARG &&
                      strstr(vox_ctx_last_error_detail(ctx), want) && vox_tracker_frame_count(tk) == 6,
                  "frame %d after frame 5: %s", again[j], vox_ctx_last_error_detail(ctx));
            CHECK(vox_tracker_add(ctx, tk2, again[j], r, NULL) == VOX_E_INVALID_ARG && vox_tracker_frame_count(tk2) == 6,
                  "restored: frame %d after frame 5: %s", again[j], vox_ctx_last_error_detail(ctx));
        }
        vox_tracker_save(tk, &after, &la);
        CHECK(lb == la && !memcmp(before, after, lb), "refused frames leave the state as it was");
        vox_free(before);
        vox_free(after);
        vox_tracker *tk3 = NULL;
        CHECK(vox_tracker_restore(ctx, blob, blen, &tk3) == VOX_OK && vox_tracker_add(ctx, tk3, 2, r, NULL) ==
                  VOX_E_INVALID_ARG && vox_tracker_add(ctx, tk3, 3, r, NULL) == VOX_OK && vox_tracker_frame_count(tk3) == 4,
              "restored after frame 2: frame 2 refused, frame 3 taken: %s", vox_ctx_last_error_detail(ctx));
        vox_tracker_free(&tk3);
        vox_result_free(&r);
    }
    { /* the last frame added is part of the state: one without volumes (every atom at the first one's
       * place: nothing buried) is remembered across a checkpoint and refused again (before format 3 a restored tracker
       * knew only its tracks' last frames, and took it twice) */
        vox_tracker *tq = NULL, *tr = NULL;
        CHECK(vox_tracker_create(ctx, &tp, &tq) == VOX_OK, "tracker");
        for (size_t i = 0; i < 3 * n; i++) xyz[i] = xyz0[i];
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *full = analyse(ctx, s, &ap);
        for (size_t i = 0; i < 3 * n; i++) xyz[i] = xyz0[i % 3];
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *none = analyse(ctx, s, &ap);
        CHECK(full && none && typed_rows(full) > 0 && vox_result_count(none) == 0, "a frame with volumes, one without: %zu",
              none ? vox_result_count(none) : 99);
        char *state = NULL;
        size_t ls = 0;
        CHECK(vox_tracker_add(ctx, tq, 0, full, NULL) == VOX_OK && vox_tracker_add(ctx, tq, 1, none, NULL) == VOX_OK &&
                  vox_tracker_save(tq, &state, &ls) == VOX_OK && vox_tracker_restore(ctx, state, ls, &tr) == VOX_OK,
              "frames 0 and 1 added, saved, restored: %s", vox_ctx_last_error_detail(ctx));
        CHECK(tr && vox_tracker_add(ctx, tr, 1, none, NULL) == VOX_E_INVALID_ARG &&
                  strstr(vox_ctx_last_error_detail(ctx), "frame 1 after frame 1") &&
                  vox_tracker_add(ctx, tr, 2, full, NULL) == VOX_OK,
              "restored: frame 1 (no volumes) refused again, frame 2 taken: %s", vox_ctx_last_error_detail(ctx));
        vox_free(state);
        vox_tracker_free(&tq);
        vox_tracker_free(&tr);
        vox_result_free(&full);
        vox_result_free(&none);
    }
    { /* all tracks at once: the same records as one by one, clipped to the tracks */
        const size_t nt = vox_tracker_track_count(tk);
        vox_track *all = calloc(nt + 1, sizeof *all);
        all[0].size = sizeof *all;
        CHECK(vox_tracker_tracks(tk, 0, nt + 3, all) == nt, "tracks: clipped");
        int same = 1;
        for (size_t i = 0; i < nt; i++) {
            vox_track one;
            memset(&one, 0, sizeof one);
            one.size = sizeof one;
            vox_tracker_track(tk, i, &one);
            same &= one.id == all[i].id && one.frames_present == all[i].frames_present &&
                    one.volume_mean == all[i].volume_mean && one.types == all[i].types;
        }
        CHECK(same, "tracks: each record equals vox_tracker_track's");
        CHECK(vox_tracker_tracks(tk, nt, 1, all) == 0 && vox_tracker_tracks(NULL, 0, 1, all) == 0, "tracks: none");
        free(all);
    }
    int od[3];
    double oo[3];
    CHECK(vox_tracker_occupancy(tk, -1, od, oo, NULL) == VOX_OK, "occupancy dims");
    float *occ = malloc((size_t)od[0] * od[1] * od[2] * sizeof *occ);
    vox_tracker_occupancy(tk, -1, NULL, NULL, occ);
    float mx = 0;
    for (size_t i = 0; i < (size_t)od[0] * od[1] * od[2]; i++) mx = occ[i] > mx ? occ[i] : mx;
    CHECK(mx == 1.0f, "some voxel occupied in every frame (max %g)", mx);
    char *dx = NULL;
    size_t dlen = 0;
    CHECK(vox_render_occupancy_dx(ctx, tk, -1, NULL, &dx, &dlen) == VOX_OK && dx && strstr(dx, "object 1 class gridpositions"),
          "dx");
    vox_free(dx);
    free(occ);
    { /* the restored tracker continued exactly as the uninterrupted one */
        char *b1 = NULL, *b2 = NULL;
        size_t l1 = 0, l2 = 0;
        CHECK(vox_tracker_save(tk, &b1, &l1) == VOX_OK && vox_tracker_save(tk2, &b2, &l2) == VOX_OK && l1 == l2 &&
                  !memcmp(b1, b2, l1),
              "restored and uninterrupted trackers end in the same state");
        vox_free(b1);
        vox_free(b2);
    }
    test_damaged_checkpoints(ctx, blob, blen);
    { /* a frame on the lattice but 5000 voxels from everything held: refused before allocating the
       * box between (a damaged state or mixed-up lattices, never a real trajectory) */
        vox_analyze_params far = ap;
        far.grid_origin[0] += 10000.0;
        for (size_t i = 0; i < n; i++) xyz[3 * i] = xyz0[3 * i] + 10000.0f;
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *fr = analyse(ctx, s, &far);
        CHECK(vox_tracker_add(ctx, tk, 6, fr, NULL) == VOX_E_INVALID_ARG &&
                  strstr(vox_ctx_last_error_detail(ctx), "far from") && vox_tracker_frame_count(tk) == 6,
              "a far frame: %s", vox_ctx_last_error_detail(ctx));
        vox_result_free(&fr);
        for (size_t i = 0; i < n; i++) xyz[3 * i] = xyz0[3 * i];
        vox_structure_set_coords(ctx, s, xyz, n);
    }
    { /* a tracker whose origin lies 2^31 voxels or more from the frames (1e10 A at 2 A): its lattice's
       * box could not be saved (a checkpoint holds 32-bit voxel ends, and vox_tracker_restore refused
       * what vox_tracker_save wrote): the frame is refused, naming the origin, and nothing changes */
        vox_tracker_params far = tp;
        far.origin[0] += 1e10;
        vox_tracker *tf = NULL;
        for (size_t i = 0; i < 3 * n; i++) xyz[i] = xyz0[i];
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *r0 = analyse(ctx, s, &ap);
        CHECK(vox_tracker_create(ctx, &far, &tf) == VOX_OK, "tracker far away");
        CHECK(vox_tracker_add(ctx, tf, 0, r0, NULL) == VOX_E_GRID_TOO_LARGE &&
                  strstr(vox_ctx_last_error_detail(ctx), "origin"),
              "a grid 5e9 voxels from the tracker's origin is refused: %s", vox_ctx_last_error_detail(ctx));
        CHECK(vox_tracker_frame_count(tf) == 0, "nothing added");
        far.origin[0] = tp.origin[0] + 1e9; /* 5e8 voxels: within reach, and saved and restored */
        vox_tracker_free(&tf);
        CHECK(vox_tracker_create(ctx, &far, &tf) == VOX_OK && vox_tracker_add(ctx, tf, 0, r0, NULL) == VOX_OK,
              "5e8 voxels away: taken (%s)", vox_ctx_last_error_detail(ctx));
        char *saved = NULL;
        size_t slen = 0;
        vox_tracker *back = NULL;
        CHECK(vox_tracker_save(tf, &saved, &slen) == VOX_OK && vox_tracker_restore(ctx, saved, slen, &back) == VOX_OK,
              "... and restored from its checkpoint (%s)", vox_ctx_last_error_detail(ctx));
        vox_free(saved);
        vox_tracker_free(&back);
        vox_tracker_free(&tf);
        vox_result_free(&r0);
    }
    { /* limits (vox_tracker_set_limits): one atom 200 A away grows the box about tenfold at once,
       * within the analysis's limit: refused with max_growth 4, taken without; a frame one voxel
       * beyond a max_voxels of the box held is refused; nothing changes when refused */
        vox_tracker *tl = NULL;
        CHECK(vox_tracker_create(ctx, &tp, &tl) == VOX_OK, "tracker for limits");
        for (size_t i = 0; i < 3 * n; i++) xyz[i] = xyz0[i];
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *r0 = analyse(ctx, s, &ap);
        CHECK(vox_tracker_add(ctx, tl, 0, r0, NULL) == VOX_OK, "limits: frame 0");
        int d0[3];
        vox_tracker_occupancy(tl, -1, d0, NULL, NULL);
        const uint64_t held = (uint64_t)d0[0] * (uint64_t)d0[1] * (uint64_t)d0[2];
        xyz[0] = xyz0[0] + 200.0f;
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *far1 = analyse(ctx, s, &ap);
        CHECK(vox_tracker_set_limits(tl, 0, 4) == VOX_OK && vox_tracker_set_limits(NULL, 0, 4) == VOX_E_INVALID_ARG &&
                  vox_tracker_set_limits(tl, 0, -1) == VOX_E_INVALID_ARG, "set limits");
        CHECK(vox_tracker_add(ctx, tl, 1, far1, NULL) == VOX_E_GRID_TOO_LARGE &&
                  strstr(vox_ctx_last_error_detail(ctx), "frame 1's grid") &&
                  strstr(vox_ctx_last_error_detail(ctx), "over 4 times") && vox_tracker_frame_count(tl) == 1,
              "one far atom, max_growth 4: %s", vox_ctx_last_error_detail(ctx));
        int d1[3];
        vox_tracker_occupancy(tl, -1, d1, NULL, NULL);
        CHECK(!memcmp(d0, d1, sizeof d0), "refused: the box is unchanged");
        CHECK(vox_tracker_set_limits(tl, 0, 0) == VOX_OK && vox_tracker_add(ctx, tl, 1, far1, NULL) == VOX_OK,
              "one far atom without limits: %s", vox_ctx_last_error_detail(ctx));
        vox_tracker_free(&tl);
        CHECK(vox_tracker_create(ctx, &tp, &tl) == VOX_OK && vox_tracker_add(ctx, tl, 0, r0, NULL) == VOX_OK &&
                  vox_tracker_set_limits(tl, held, 0) == VOX_OK, "tracker for max_voxels");
        for (size_t i = 0; i < 3 * n; i++) xyz[i] = xyz0[i] - (i % 3 == 0 ? 2.0f : 0.0f);
        vox_structure_set_coords(ctx, s, xyz, n);
        vox_result *moved1 = analyse(ctx, s, &ap);
        CHECK(vox_tracker_add(ctx, tl, 1, moved1, NULL) == VOX_E_GRID_TOO_LARGE &&
                  strstr(vox_ctx_last_error_detail(ctx), "over the limit") && vox_tracker_frame_count(tl) == 1,
              "max_voxels = the box held, a frame one voxel beyond: %s", vox_ctx_last_error_detail(ctx));
        CHECK(vox_tracker_add(ctx, tl, 1, r0, NULL) == VOX_OK, "max_voxels: a frame inside the box is taken");
        vox_tracker_free(&tl);
        vox_result_free(&r0);
        vox_result_free(&far1);
        vox_result_free(&moved1);
        for (size_t i = 0; i < 3 * n; i++) xyz[i] = xyz0[i];
        vox_structure_set_coords(ctx, s, xyz, n);
    }
    /* a result that is not on the lattice is refused */
    ap.grid_origin[0] += 0.5;
    vox_result *off = analyse(ctx, s, &ap);
    CHECK(vox_tracker_add(ctx, tk, 6, off, NULL) == VOX_E_INVALID_ARG &&
              strstr(vox_ctx_last_error_detail(ctx), "lattice"),
          "off-lattice: %s", vox_ctx_last_error_detail(ctx));
    vox_result_free(&off);
    free(blob);
    vox_tracker_free(&tk);
    vox_tracker_free(&tk2);
    vox_result_free(&own);
    vox_result_free(&lat);
    vox_result_free(&moved);
    free(xyz0);
    free(xyz);
    vox_structure_free(&s);
    vox_ctx_destroy(&ctx);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_tracker SYNTHETIC_DIR\n");
        return 2;
    }
    test_superpose();
    test_lattice_and_tracker(argv[1]);
    return check_report();
}
