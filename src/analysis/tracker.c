/* tracker.c - volumes of successive frames linked into tracks, and how often
 * each voxel is part of a volume (occupancy), on one fixed lattice.
 *
 * Frames come in order, each analysed on the same lattice (vox_analyze with
 * has_grid: origin + k * resolution), so a voxel means the same place in
 * every frame.  The tracker keeps one array over the union of the frames'
 * grids (grown when a frame reaches further) holding, per voxel, the track
 * that last held it and the frame it did; memory depends on the lattice,
 * never on the number of frames.
 *
 * The linking rule (README, "Tracking"):
 *   - the overlap of a volume with a track is the number of the volume's
 *     voxels that belonged to the track's latest volume (and that no later
 *     volume has taken since);
 *   - only tracks seen in one of the last max_gap + 1 frames can continue;
 *   - pairs (volume, track) with overlap > 0 are taken greedily by overlap
 *     (larger first), then by the track's last frame (more recent first),
 *     then track id, then the volume's table row; each volume continues at
 *     most one track and each track at most one volume;
 *   - so a split keeps the track in its larger-overlap part and the others
 *     start new tracks; a merge continues the track with the larger overlap
 *     and the others end (or resume later within the gap);
 *   - a volume that continues no track starts one (ids in order of first
 *     appearance, from 0); the type may change along a track (all types
 *     seen are reported).
 * Occluded groups (not rows of the table) are not tracked. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct track {
    int64_t first_frame, last_frame; /* input frame indices */
    int64_t last_seq;                /* sequence number of the last frame it was seen in */
    int64_t present;
    unsigned types;
    double mean, m2, vmin, vmax;
} track;

enum { N_OCC = 5 }; /* hub, pore, pocket, cavity, any */

struct vox_tracker {
    vox_tracker_params p;
    uint64_t max_voxels;    /* vox_tracker_set_limits (0: none but the 32-bit one) */
    int max_growth;
    int64_t seq;            /* frames added */
    /* The input index of the last frame added (valid when has_last): the
     * next must be larger.  A frame added twice would count in occupancy
     * twice and link volumes to the tracks they already continue; one
     * that goes back would make a track's first_frame later than its
     * last.  In the checkpoint since format 3: a frame without volumes
     * leaves no trace in the tracks. */
    int has_last;
    int64_t last_frame;
    int64_t lo[3], dims[3]; /* the lattice box held, in lattice units from p.origin */
    int32_t *owner;         /* track that last held the voxel, -1: none */
    int64_t *owner_seq;     /* the frame (sequence number) it held it in */
    uint32_t *count[N_OCC]; /* occupancy counts (p.occupancy) */
    track *tracks;
    size_t ntracks, cap;
};

void vox_tracker_params_init(vox_tracker_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->resolution = 3.0;
    p->max_gap = 1;
    p->occupancy = 1;
}

vox_status vox_tracker_create(vox_ctx *ctx, const vox_tracker_params *params, vox_tracker **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!params || !out)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_tracker_create: %s",
                        !params ? "the parameters are NULL" : "out is NULL");
    *out = NULL;
    vox_clear_error(ctx);
    vox_tracker_params p;
    vox_tracker_params_init(&p);
    vox_status taken = vox_params_take(ctx, &p, sizeof p, params, "vox_tracker_params");
    if (taken != VOX_OK)
        return taken;
    if (!isfinite(p.resolution) || !(p.resolution > 0.0) || p.max_gap < 0)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "tracker: resolution must be positive and max_gap >= 0 (got %g, %d)",
                        p.resolution, p.max_gap);
    for (int a = 0; a < 3; a++)
        if (!isfinite(p.origin[a]))
            return vox_fail(ctx, VOX_E_INVALID_ARG, "tracker: the lattice origin must be finite");
    vox_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the tracker");
    t->p = p;
    *out = t;
    return VOX_OK;
}

void vox_tracker_free(vox_tracker **t)
{
    if (!t || !*t)
        return;
    free((*t)->owner);
    free((*t)->owner_seq);
    for (int i = 0; i < N_OCC; i++) free((*t)->count[i]);
    free((*t)->tracks);
    free(*t);
    *t = NULL;
}

static size_t box_size(const int64_t d[3]) { return (size_t)(d[0] * d[1] * d[2]); }

/* Grows the held box to cover [lo, lo + dims); existing values move along. */
static int grow(vox_tracker *t, const int64_t lo[3], const int64_t dims[3])
{
    int64_t nlo[3], ndims[3];
    int same = t->owner != NULL;
    for (int a = 0; a < 3; a++) {
        int64_t hi = t->owner ? t->lo[a] + t->dims[a] : lo[a] + dims[a];
        nlo[a] = t->owner && t->lo[a] < lo[a] ? t->lo[a] : lo[a];
        int64_t want = lo[a] + dims[a];
        ndims[a] = (hi > want ? hi : want) - nlo[a];
        if (!t->owner || nlo[a] != t->lo[a] || ndims[a] != t->dims[a])
            same = 0;
    }
    if (same)
        return 1;
    double total = (double)ndims[0] * (double)ndims[1] * (double)ndims[2];
    if (total > 4294967295.0)
        return 0;
    size_t n = box_size(ndims);
    int32_t *owner = malloc(n * sizeof *owner);
    int64_t *oseq = malloc(n * sizeof *oseq);
    uint32_t *cnt[N_OCC] = {0};
    int ok = owner && oseq;
    for (int i = 0; ok && t->p.occupancy && i < N_OCC; i++) ok = (cnt[i] = calloc(n, sizeof *cnt[i])) != NULL;
    if (!ok) {
        free(owner);
        free(oseq);
        for (int i = 0; i < N_OCC; i++) free(cnt[i]);
        return 0;
    }
    for (size_t i = 0; i < n; i++) owner[i] = -1, oseq[i] = -1;
    if (t->owner) {
        for (int64_t x = 0; x < t->dims[0]; x++)
            for (int64_t y = 0; y < t->dims[1]; y++) {
                size_t src = (size_t)((x * t->dims[1] + y) * t->dims[2]);
                size_t dst = (size_t)(((x + t->lo[0] - nlo[0]) * ndims[1] + (y + t->lo[1] - nlo[1])) * ndims[2] +
                                      (t->lo[2] - nlo[2]));
                size_t len = (size_t)t->dims[2];
                memcpy(owner + dst, t->owner + src, len * sizeof *owner);
                memcpy(oseq + dst, t->owner_seq + src, len * sizeof *oseq);
                for (int i = 0; t->p.occupancy && i < N_OCC; i++)
                    memcpy(cnt[i] + dst, t->count[i] + src, len * sizeof *cnt[i]);
            }
    }
    free(t->owner);
    free(t->owner_seq);
    for (int i = 0; i < N_OCC; i++) free(t->count[i]), t->count[i] = cnt[i];
    t->owner = owner;
    t->owner_seq = oseq;
    memcpy(t->lo, nlo, sizeof nlo);
    memcpy(t->dims, ndims, sizeof ndims);
    return 1;
}

typedef struct pair {
    size_t row;
    int32_t track;
    size_t overlap;
} pair;

static int cmp_pairs(const void *pa, const void *pb)
{
    const pair *a = pa, *b = pb;
    if (a->overlap != b->overlap)
        return a->overlap > b->overlap ? -1 : 1;
    return 0;
}

/* overlap desc, then the track's last frame desc, then track id, then row */
static void sort_pairs(const vox_tracker *t, pair *p, size_t n)
{
    for (size_t i = 1; i < n; i++) { /* insertion sort: a stable, total order without globals */
        pair x = p[i];
        size_t j = i;
        while (j > 0) {
            const pair *y = &p[j - 1];
            int c = cmp_pairs(y, &x);
            if (c == 0) {
                int64_t ly = t->tracks[y->track].last_seq, lx = t->tracks[x.track].last_seq;
                c = ly != lx ? (ly > lx ? -1 : 1)
                             : y->track != x.track ? (y->track < x.track ? -1 : 1) : (y->row < x.row ? -1 : 1);
            }
            if (c <= 0)
                break;
            p[j] = p[j - 1];
            j--;
        }
        p[j] = x;
    }
}

static int new_track(vox_tracker *t)
{
    if (t->ntracks == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        track *nt = realloc(t->tracks, cap * sizeof *nt);
        if (!nt)
            return -1;
        t->tracks = nt;
        t->cap = cap;
    }
    memset(&t->tracks[t->ntracks], 0, sizeof *t->tracks);
    t->tracks[t->ntracks].last_seq = -1;
    return (int)t->ntracks++;
}

vox_status vox_tracker_add(vox_ctx *ctx, vox_tracker *t, int64_t frame, const vox_result *r, int *track_ids)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!t || !r)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_tracker_add: the %s is NULL", !t ? "tracker" : "result");
    vox_clear_error(ctx);
    if (t->has_last && frame <= t->last_frame)
        return vox_fail(ctx, VOX_E_INVALID_ARG,
                        "tracker: frame %lld after frame %lld: vox_tracker_add takes frames in increasing order, "
                        "each once", (long long)frame, (long long)t->last_frame);
    const double s = t->p.resolution;
    if (fabs(r->resolution - s) > 1e-12 * s)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "tracker: the result's resolution %g differs from the tracker's %g",
                        r->resolution, s);
    int64_t off[3], dims[3];
    for (int a = 0; a < 3; a++) {
        double k = (r->origin[a] - t->p.origin[a]) / s;
        off[a] = (int64_t)llround(k);
        dims[a] = r->dims[a];
        if (fabs(k - (double)off[a]) > 1e-6)
            return vox_fail(ctx, VOX_E_INVALID_ARG,
                            "tracker: the result's grid is not on the tracker's lattice (axis %c off by %g voxels; "
                            "analyse frames with has_grid and the same origin)", "xyz"[a], k - (double)off[a]);
    }
    /* The box the lattice would grow to, in f64 (off comes from the result's
     * origin and may be anywhere), and the voxels held before this frame. */
    double held = 0.0, frame_v = 1.0, box = 1.0;
    if (t->owner)
        held = (double)box_size(t->dims);
    for (int a = 0; a < 3; a++) {
        double flo = (double)off[a], fhi = flo + (double)dims[a];
        double blo = t->owner ? fmin(flo, (double)t->lo[a]) : flo;
        double bhi = t->owner ? fmax(fhi, (double)(t->lo[a] + t->dims[a])) : fhi;
        /* the box's ends in voxels from the origin are 32-bit in a checkpoint (box_plausible):
         * a lattice past them could be saved but never restored */
        if (blo < (double)INT32_MIN || bhi > (double)INT32_MAX)
            return vox_fail(ctx, VOX_E_GRID_TOO_LARGE,
                            "tracker: frame %lld's grid lies %.3g voxels from the tracker's origin along %c, past the "
                            "2^31 voxels a lattice reaches: give the tracker an origin near the frames (the first "
                            "frame's vox_result_grid_origin)",
                            (long long)frame, fabs(blo) > fabs(bhi) ? blo : bhi, "xyz"[a]);
        frame_v *= (double)dims[a];
        box *= bhi - blo;
    }
    if (t->owner) {
        /* Frames of one run sit on one lattice and overlap, or nearly (they
         * are aligned, or move little between frames), so the held box grows
         * by about a frame at a time.  A frame far from everything held
         * (a damaged state, a lattice mixed up) would make the box mostly
         * empty and possibly huge: refuse a box over GROW_FACTOR times the
         * voxels of what is held plus the frame, before allocating it. */
        enum { GROW_FACTOR = 64 };
        if (box > GROW_FACTOR * (held + frame_v))
            return vox_fail(ctx, VOX_E_INVALID_ARG,
                            "tracker: frame %lld's grid (%d x %d x %d at lattice %lld %lld %lld) is far from the %lld x %lld "
                            "x %lld voxels held (at %lld %lld %lld): the lattice would grow to %.0f voxels, over %d times "
                            "what the frames cover (frames of one run must be analysed on one lattice, and aligned)",
                            (long long)frame, r->dims[0], r->dims[1], r->dims[2], (long long)off[0], (long long)off[1],
                            (long long)off[2], (long long)t->dims[0], (long long)t->dims[1], (long long)t->dims[2],
                            (long long)t->lo[0], (long long)t->lo[1], (long long)t->lo[2], box, (int)GROW_FACTOR);
    }
    /* The box is memory (12 to 32 bytes a voxel): bounded as a frame's grid
     * is, and a frame that would multiply it at once (one atom far from the
     * rest: a frame's own grid may be long and thin, within the analysis's
     * limit, and still make the box huge) is refused when asked. */
    const double cap = t->max_voxels && (double)t->max_voxels < 4294967295.0 ? (double)t->max_voxels
                                                                                 : 4294967295.0;
    if (box > held && box > cap)
        return vox_fail(ctx, VOX_E_GRID_TOO_LARGE,
                        "tracker: frame %lld's grid (%d x %d x %d voxels at lattice %lld %lld %lld) would grow the "
                        "lattice (the union of the frames' grids) from %.0f to %.0f voxels, over the limit of %.0f",
                        (long long)frame, r->dims[0], r->dims[1], r->dims[2], (long long)off[0], (long long)off[1],
                        (long long)off[2], held, box, cap);
    if (t->owner && t->max_growth > 0 && box > (double)t->max_growth * held)
        return vox_fail(ctx, VOX_E_GRID_TOO_LARGE,
                        "tracker: frame %lld's grid (%d x %d x %d voxels at lattice %lld %lld %lld) would grow the "
                        "lattice (the union of the frames' grids) from %.0f to %.0f voxels in one frame, over %d times: "
                        "an atom far from the others, a damaged frame?",
                        (long long)frame, r->dims[0], r->dims[1], r->dims[2], (long long)off[0], (long long)off[1],
                        (long long)off[2], held, box, t->max_growth);
    if (!grow(t, off, dims))
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the tracker's lattice");
    const int64_t seq = t->seq;
    const size_t sy = (size_t)r->dims[2], sx = (size_t)r->dims[1] * sy;
    /* lattice index of a result voxel */
#define CELL(f)                                                                                                   \
    ((size_t)((((int64_t)((f) / sx) + off[0] - t->lo[0]) * t->dims[1] + ((int64_t)(((f) / sy) % (size_t)r->dims[1]) + \
                                                                          off[1] - t->lo[1])) * t->dims[2] +      \
              ((int64_t)((f) % sy) + off[2] - t->lo[2])))
    size_t nrows = r->n_typed;
    pair *pairs = NULL;
    size_t np = 0, pcap = 0;
    int32_t *seen = NULL; /* candidate tracks of one row, counted */
    size_t *cnt = NULL;
    vox_status st = VOX_OK;
    if (t->ntracks) {
        seen = malloc(t->ntracks * sizeof *seen);
        cnt = calloc(t->ntracks, sizeof *cnt);
        if (!seen || !cnt)
            st = vox_fail(ctx, VOX_E_NOMEM, "out of memory for tracking");
    }
    for (size_t i = 0; st == VOX_OK && t->ntracks && i < nrows; i++) {
        const vox_group *g = &r->groups[i];
        size_t nseen = 0;
        for (size_t v = 0; v < g->n; v++) {
            size_t c = CELL(g->voxels[v]);
            int32_t tr = t->owner[c];
            if (tr < 0 || t->owner_seq[c] != t->tracks[tr].last_seq || t->tracks[tr].last_seq < seq - 1 - t->p.max_gap)
                continue;
            if (cnt[tr]++ == 0)
                seen[nseen++] = tr;
        }
        for (size_t k = 0; k < nseen; k++) {
            if (np == pcap) {
                size_t nc = pcap ? 2 * pcap : 32;
                pair *q = realloc(pairs, nc * sizeof *q);
                if (!q) {
                    st = vox_fail(ctx, VOX_E_NOMEM, "out of memory for tracking");
                    break;
                }
                pairs = q;
                pcap = nc;
            }
            pairs[np++] = (pair){i, seen[k], cnt[seen[k]]};
            cnt[seen[k]] = 0;
        }
    }
    int *ids = NULL;
    if (st == VOX_OK && !(ids = malloc((nrows ? nrows : 1) * sizeof *ids)))
        st = vox_fail(ctx, VOX_E_NOMEM, "out of memory for tracking");
    if (st == VOX_OK) {
        sort_pairs(t, pairs, np);
        for (size_t i = 0; i < nrows; i++) ids[i] = -1;
        /* a track may continue only once: mark taken tracks by their last_seq */
        for (size_t k = 0; k < np; k++) {
            if (ids[pairs[k].row] >= 0 || t->tracks[pairs[k].track].last_seq == seq)
                continue;
            ids[pairs[k].row] = pairs[k].track;
            t->tracks[pairs[k].track].last_seq = seq;
        }
        for (size_t i = 0; i < nrows && st == VOX_OK; i++) {
            if (ids[i] < 0 && (ids[i] = new_track(t)) < 0)
                st = vox_fail(ctx, VOX_E_NOMEM, "out of memory for tracking");
        }
    }
    if (st == VOX_OK) {
        for (size_t i = 0; i < nrows; i++) {
            const vox_group *g = &r->groups[i];
            track *tr = &t->tracks[ids[i]];
            if (tr->present == 0) {
                tr->first_frame = frame;
                tr->vmin = tr->vmax = g->volume;
            }
            tr->last_frame = frame;
            tr->last_seq = seq;
            tr->present++;
            tr->types |= 1u << g->type;
            double d = g->volume - tr->mean; /* Welford */
            tr->mean += d / (double)tr->present;
            tr->m2 += d * (g->volume - tr->mean);
            if (g->volume < tr->vmin) tr->vmin = g->volume;
            if (g->volume > tr->vmax) tr->vmax = g->volume;
            for (size_t v = 0; v < g->n; v++) {
                size_t c = CELL(g->voxels[v]);
                t->owner[c] = ids[i];
                t->owner_seq[c] = seq;
                if (t->p.occupancy) {
                    t->count[g->type][c]++;
                    t->count[N_OCC - 1][c]++;
                }
            }
            if (track_ids)
                track_ids[i] = ids[i];
        }
        for (size_t i = nrows; track_ids && i < r->n; i++) track_ids[i] = -1;
        t->seq++;
        t->has_last = 1;
        t->last_frame = frame;
    }
#undef CELL
    free(ids);
    free(pairs);
    free(seen);
    free(cnt);
    return st;
}

vox_status vox_tracker_set_limits(vox_tracker *t, uint64_t max_voxels, int max_growth)
{
    if (!t || max_growth < 0)
        return VOX_E_INVALID_ARG;
    t->max_voxels = max_voxels;
    t->max_growth = max_growth;
    return VOX_OK;
}

int64_t vox_tracker_frame_count(const vox_tracker *t) { return t ? t->seq : 0; }
size_t vox_tracker_track_count(const vox_tracker *t) { return t ? t->ntracks : 0; }

vox_status vox_tracker_track(const vox_tracker *t, size_t index, vox_track *out)
{
    if (!t || !out || out->size < sizeof out->size || index >= t->ntracks)
        return VOX_E_INVALID_ARG;
    const track *tr = &t->tracks[index];
    vox_track o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.id = (int)index;
    o.types = tr->types;
    o.frames_present = tr->present;
    o.fraction = t->seq ? (double)tr->present / (double)t->seq : 0.0;
    o.first_frame = tr->first_frame;
    o.last_frame = tr->last_frame;
    o.volume_mean = tr->mean;
    o.volume_sd = tr->present > 1 ? sqrt(tr->m2 / (double)(tr->present - 1)) : NAN;
    o.volume_min = tr->vmin;
    o.volume_max = tr->vmax;
    size_t n = out->size < sizeof o ? out->size : sizeof o;
    memcpy(out, &o, n);
    out->size = n;
    return VOX_OK;
}

static void fill_track(const void *t, size_t index, void *record) { vox_tracker_track(t, index, record); }

size_t vox_tracker_tracks(const vox_tracker *t, size_t first, size_t n, vox_track *out)
{
    return vox_fill_records(t, t ? t->ntracks : 0, first, n, out, fill_track);
}

vox_status vox_tracker_occupancy(const vox_tracker *t, int type, int dims[3], double origin[3], float *fraction)
{
    if (!t || type < -1 || type > VOX_CAVITY || !t->p.occupancy)
        return VOX_E_INVALID_ARG;
    for (int a = 0; a < 3; a++) {
        if (dims) dims[a] = (int)t->dims[a];
        if (origin) origin[a] = t->p.origin[a] + (double)t->lo[a] * t->p.resolution;
    }
    if (fraction && t->owner) {
        const uint32_t *c = t->count[type < 0 ? N_OCC - 1 : type];
        size_t n = box_size(t->dims);
        for (size_t i = 0; i < n; i++) fraction[i] = (float)((double)c[i] / (double)t->seq);
    }
    return VOX_OK;
}

/* The occupancy map's values: count / frames, as %.6g. */
typedef struct occupancy_cells {
    const uint32_t *count;
    double frames;
} occupancy_cells;

static size_t occupancy_text(const void *cookie, size_t i, char *out)
{
    const occupancy_cells *c = cookie;
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%.6g", (double)c->count[i] / c->frames);
    memcpy(out, tmp, (size_t)n);
    return (size_t)n;
}

vox_status vox_render_occupancy_dx(vox_ctx *ctx, const vox_tracker *t, int type, const vox_transform *to_input,
                                   char **out, size_t *len)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!t || !out || !len)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_render_occupancy_dx: %s is NULL",
                        !t ? "the tracker" : !out ? "out" : "len");
    if (type < -1 || type > VOX_CAVITY)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_render_occupancy_dx: type %d: expected -1 (any) or 0 to 3", type);
    *out = NULL;
    *len = 0;
    vox_clear_error(ctx);
    if (!t->p.occupancy || !t->owner)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "occupancy: the tracker %s",
                        !t->p.occupancy ? "was created without occupancy" : "has no frames");
    double R[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, c[3] = {0, 0, 0};
    if (to_input) {
        memcpy(R, to_input->rotation, sizeof R);
        memcpy(c, to_input->centroid, sizeof c);
    }
    const double s = t->p.resolution;
    double o[3]; /* centre of voxel 0, aligned frame, then input frame */
    for (int a = 0; a < 3; a++) o[a] = t->p.origin[a] + ((double)t->lo[a] + 0.5) * s;
    double oi[3];
    for (int k = 0; k < 3; k++) oi[k] = R[0][k] * o[0] + R[1][k] * o[1] + R[2][k] * o[2] + c[k];
    vox_buf b = {0};
    const char *names[] = {"hub", "pore", "pocket", "cavity", "any"};
    char comment[160], name[32];
    snprintf(comment, sizeof comment,
             "vox occupancy: fraction of %lld frames in which the voxel is part of a volume of type %s",
             (long long)t->seq, names[type < 0 ? 4 : type]);
    snprintf(name, sizeof name, "occupancy %s", names[type < 0 ? 4 : type]);
    occupancy_cells cells = {t->count[type < 0 ? N_OCC - 1 : type], (double)t->seq};
    vox_dx_field f;
    memset(&f, 0, sizeof f);
    f.comment = comment;
    f.name = name;
    for (int a = 0; a < 3; a++) {
        f.counts[a] = (long long)t->dims[a];
        f.origin[a] = oi[a];
        for (int k = 0; k < 3; k++) /* the aligned axis a in input coordinates is row a of R */
            f.delta[a][k] = s * R[a][k];
    }
    f.text = occupancy_text;
    f.cookie = &cells;
    vox_render_dx(&f, &b);
    if (b.oom) {
        vox_buf_free(&b);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory rendering the occupancy map");
    }
    *out = b.data;
    *len = b.len;
    return VOX_OK;
}

/* ---- checkpoints: the whole state as bytes (same machine: native byte order) ----
 *
 * Format 2: "VOXTRK02", the parameters, seq, lo[3], dims[3], the track count,
 * the tracks, then per voxel of the box owner, owner_seq and (occupancy) the
 * five counts, and last a 64-bit checksum of every byte before it.  Format 1
 * ("VOXTRK01") had no checksum: a damaged lo or dims passed its size checks
 * and made the next vox_tracker_add allocate gigabytes, so it is refused
 * rather than read.  A checkpoint only resumes a run on the machine that
 * wrote it (vox trajectory --resume starts again when it is refused), so
 * refusing costs at most a rerun, where accepting would keep the hole. */

#define TRACKER_MAGIC "VOXTRK03" /* 03: the last frame added (has_last, last_frame) after the track count */
#define TRACKER_MAGIC_V2 "VOXTRK02"
#define TRACKER_MAGIC_V1 "VOXTRK01"
#define TRACKER_SUM_BYTES 8

/* A checksum for damage, not for attacks: 64-bit words folded with an odd
 * multiply and a rotation, both bijective, so a change confined to one word
 * always changes the sum; the length seeds it, the tail is folded bytewise. */
static uint64_t checkpoint_sum(const char *b, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h = (h << 31) | (h >> 33);
    }
    for (; i < n; i++) h = ((h ^ (unsigned char)b[i]) * 0x100000001b3ull);
    h ^= h >> 29; /* spread the high bits of the last multiply down */
    return h * 0xbf58476d1ce4e5b9ull;
}

vox_status vox_tracker_save(const vox_tracker *t, char **out, size_t *len)
{
    if (!t || !out || !len)
        return VOX_E_INVALID_ARG;
    size_t n = t->owner ? box_size(t->dims) : 0;
    const int64_t has_last = t->has_last, last_frame = t->has_last ? t->last_frame : 0;
    size_t bytes = 8 + sizeof t->p + sizeof t->seq + sizeof t->lo + sizeof t->dims + sizeof t->ntracks +
                   sizeof has_last + sizeof last_frame +
                   t->ntracks * sizeof *t->tracks + n * (sizeof *t->owner + sizeof *t->owner_seq) +
                   (t->p.occupancy ? N_OCC * n * sizeof(uint32_t) : 0) + TRACKER_SUM_BYTES;
    char *b = malloc(bytes), *w = b;
    if (!b)
        return VOX_E_NOMEM;
#define PUT(src, sz) (memcpy(w, (src), (sz)), w += (sz))
    PUT(TRACKER_MAGIC, 8);
    PUT(&t->p, sizeof t->p);
    PUT(&t->seq, sizeof t->seq);
    PUT(t->lo, sizeof t->lo);
    PUT(t->dims, sizeof t->dims);
    PUT(&t->ntracks, sizeof t->ntracks);
    PUT(&has_last, sizeof has_last);
    PUT(&last_frame, sizeof last_frame);
    if (t->ntracks) PUT(t->tracks, t->ntracks * sizeof *t->tracks);
    if (n) {
        PUT(t->owner, n * sizeof *t->owner);
        PUT(t->owner_seq, n * sizeof *t->owner_seq);
        for (int i = 0; t->p.occupancy && i < N_OCC; i++) PUT(t->count[i], n * sizeof(uint32_t));
    }
    const uint64_t sum = checkpoint_sum(b, (size_t)(w - b));
    PUT(&sum, sizeof sum);
#undef PUT
    *out = b;
    *len = bytes;
    return VOX_OK;
}

/* The box a checkpoint describes: all dims 0 (no frame yet) or all >= 1,
 * and every edge inside the int32 range that results' grids and
 * vox_tracker_occupancy's dims use. */
static int box_plausible(const int64_t lo[3], const int64_t dims[3])
{
    if (dims[0] == 0 && dims[1] == 0 && dims[2] == 0)
        return 1;
    for (int a = 0; a < 3; a++)
        if (dims[a] < 1 || dims[a] > INT32_MAX || lo[a] < INT32_MIN || lo[a] > INT32_MAX - dims[a])
            return 0;
    return (double)dims[0] * (double)dims[1] * (double)dims[2] <= 4294967295.0;
}

vox_status vox_tracker_restore(vox_ctx *ctx, const char *data, size_t len, vox_tracker **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!data || !out)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_tracker_restore: %s is NULL", !data ? "data" : "out");
    *out = NULL;
    vox_clear_error(ctx);
    const char *why = "truncated";
    if (len < 8 || (memcmp(data, TRACKER_MAGIC, 8) != 0 && memcmp(data, TRACKER_MAGIC_V2, 8) != 0 &&
                    memcmp(data, TRACKER_MAGIC_V1, 8) != 0))
        return vox_fail(ctx, VOX_E_PARSE, "tracker checkpoint: not a vox tracker checkpoint (no VOXTRK header)");
    if (memcmp(data, TRACKER_MAGIC_V1, 8) == 0)
        return vox_fail(ctx, VOX_E_PARSE, "tracker checkpoint: format 1, written by an older vox without a checksum, "
                        "is no longer read (it cannot be told from a damaged one): start the run again");
    if (memcmp(data, TRACKER_MAGIC_V2, 8) == 0)
        return vox_fail(ctx, VOX_E_PARSE, "tracker checkpoint: format 2, written by an older vox, does not record the "
                        "last frame added (a frame without volumes could be added twice): start the run again");
    if (len < 8 + TRACKER_SUM_BYTES)
        goto bad;
    len -= TRACKER_SUM_BYTES;
    uint64_t sum;
    memcpy(&sum, data + len, sizeof sum);
    if (sum != checkpoint_sum(data, len)) {
        why = "the checksum does not match (the bytes were changed or cut)";
        goto bad;
    }
    const char *r = data + 8, *end = data + len;
#define GET(dst, sz)                                                                                  \
    do {                                                                                              \
        if ((size_t)(end - r) < (sz))                                                                 \
            goto bad;                                                                                 \
        memcpy((dst), r, (sz));                                                                       \
        r += (sz);                                                                                    \
    } while (0)
    vox_tracker_params p;
    GET(&p, sizeof p);
    if (p.size != sizeof p) {
        why = "the parameters' size is not this build's";
        goto bad;
    }
    vox_status st = vox_tracker_create(ctx, &p, out);
    if (st != VOX_OK)
        return st;
    vox_tracker *t = *out;
    int64_t lo[3], dims[3];
    size_t ntr;
    GET(&t->seq, sizeof t->seq);
    GET(lo, sizeof lo);
    GET(dims, sizeof dims);
    GET(&ntr, sizeof ntr);
    int64_t has_last, last_frame;
    GET(&has_last, sizeof has_last);
    GET(&last_frame, sizeof last_frame);
    if ((has_last != 0 && has_last != 1) || (has_last == 0) != (t->seq == 0) || (!has_last && last_frame)) {
        why = "the last frame added does not agree with the frame count";
        goto bad;
    }
    /* the checksum catches damage; these catch a consistent state that no
     * tracker can reach, before anything is allocated from it */
    if (t->seq < 0 || !box_plausible(lo, dims) || (t->seq == 0) != (dims[0] == 0) || (t->seq == 0 && ntr)) {
        why = "the frame count or the lattice box (lo, dims) is out of range";
        goto bad;
    }
    const size_t n = dims[0] ? box_size(dims) : 0;
    const double want = (double)ntr * sizeof(track) +
                        (double)n * (sizeof *t->owner + sizeof *t->owner_seq + (t->p.occupancy ? N_OCC * sizeof(uint32_t) : 0));
    if (want != (double)(end - r)) {
        why = "its size does not match the tracks and the lattice box it describes";
        goto bad;
    }
    for (size_t i = 0; i < ntr; i++)
        if (new_track(t) < 0)
            goto nomem;
    if (ntr) GET(t->tracks, ntr * sizeof *t->tracks);
    for (size_t i = 0; i < ntr; i++) {
        const track *k = &t->tracks[i];
        /* (a vox_tracker_add that ran out of memory may leave a new track
         * with present 0 and last_seq -1, or last_seq == seq) */
        if (k->present < 0 || k->present > t->seq || k->last_seq < -1 || k->last_seq > t->seq ||
            k->types >= 1u << (N_OCC - 1)) {
            why = "a track's frames or types are out of range";
            goto bad;
        }
    }
    for (size_t i = 0; i < ntr; i++) /* no track is seen after the last frame added (see has_last) */
        if (t->tracks[i].present > 0 && t->tracks[i].last_frame > last_frame) {
            why = "a track was seen after the last frame added";
            goto bad;
        }
    t->has_last = (int)has_last;
    t->last_frame = last_frame;
    if (n) {
        if (!grow(t, lo, dims))
            goto nomem;
        GET(t->owner, n * sizeof *t->owner);
        GET(t->owner_seq, n * sizeof *t->owner_seq);
        for (int i = 0; t->p.occupancy && i < N_OCC; i++) GET(t->count[i], n * sizeof(uint32_t));
        for (size_t i = 0; i < n; i++)
            if (t->owner[i] < -1 || t->owner[i] >= (int32_t)ntr || (t->owner[i] < 0) != (t->owner_seq[i] < 0) ||
                t->owner_seq[i] >= t->seq) {
                why = "a voxel's track or frame is out of range";
                goto bad;
            }
    }
    if (r != end)
        goto bad;
#undef GET
    return VOX_OK;
bad:
    vox_tracker_free(out);
    return vox_fail(ctx, VOX_E_PARSE, "tracker checkpoint: damaged: %s", why);
nomem:
    vox_tracker_free(out);
    return vox_fail(ctx, VOX_E_NOMEM, "out of memory restoring the tracker");
}
