/* report_trajectory.c - the HTML page of a trajectory (`vox trajectory --write html`):
 * each track's volume against time (or each type's, without tracking), the tracks, and a
 * 3D view of a few frames.
 *
 * The curves come from the run's final <label>.frames.csv and <label>.tracks.csv, so a
 * resumed run's page covers every frame.  The 3D frames are kept while the run goes, bounded:
 * at most REPORT_FRAMES of the frames analysed in this process, evenly spread (every
 * step-th, the step doubling whenever more would be kept), each as its rendered JSON.
 * Curves are binned to at most REPORT_BINS points (the mean over each bin's frames) and
 * show the REPORT_SERIES tracks with the largest volume summed over the frames. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "internal.h"
#include "report.h"
#include "report_trajectory.h"
#include "write_html.h"

#define REPORT_FRAMES 8
#define REPORT_BINS 600
#define REPORT_SERIES 12
#define REPORT_TRACK_ROWS 200

typedef struct kept_frame {
    int64_t ordinal; /* among the frames analysed in this process */
    vox_buf json;
} kept_frame;

struct report_traj {
    report_assets assets;
    kept_frame kept[REPORT_FRAMES + 1];
    int nkept;
    int64_t step, seen;
    float *scratch; /* the kept atoms of one frame */
};

report_traj *report_traj_begin(const char *dir, const char *who)
{
    report_traj *t = calloc(1, sizeof *t);
    if (!t) {
        fprintf(stderr, "%s: out of memory\n", who);
        return NULL;
    }
    if (!report_begin_run(&t->assets, dir, who)) {
        free(t);
        return NULL;
    }
    t->step = 1;
    return t;
}

void report_traj_free(report_traj **tp)
{
    report_traj *t = tp ? *tp : NULL;
    if (!t)
        return;
    for (int i = 0; i < t->nkept; i++) vox_buf_free(&t->kept[i].json);
    free(t->scratch);
    report_free_assets(&t->assets);
    free(t);
    *tp = NULL;
}

/* The frame as the page draws it: the analysed atoms and the volumes in the input frame
 * (with --align reference: the first frame's input frame, into which every frame was
 * superposed). */
static int render_frame(report_traj *t, const frame_engine *e, const frame_slot *sl, const int *track_ids, vox_buf *b)
{
    if (!t->scratch && !(t->scratch = malloc(3 * (e->nkept ? e->nkept : 1) * sizeof *t->scratch)))
        return 0;
    const float *src = e->mode == ALIGN_REFERENCE ? sl->work : sl->xyz;
    for (size_t i = 0; i < e->nkept; i++) memcpy(t->scratch + 3 * i, src + 3 * e->kept[i], 3 * sizeof(float));
    const vox_transform *to_input = e->mode == ALIGN_REFERENCE ? &e->to_aligned : NULL;
    vox_buf_printf(b, "{\"index\":%lld,\"time\":", (long long)sl->index);
    /* as frames.csv writes it: %.6g kept 6 digits, one value for the frames of a long run */
    if (sl->info.has_time && isfinite(sl->info.time_ps)) vox_buf_printf(b, "%.6f", sl->info.time_ps);
    else vox_buf_puts(b, "null");
    vox_buf_putc(b, ',');
    vox_html_coords(b, t->scratch, e->nkept, to_input);
    vox_buf_putc(b, ',');
    if (vox_html_volumes(NULL, b, sl->result, to_input, 1, track_ids) != VOX_OK)
        return 0;
    vox_buf_putc(b, '}');
    return !b->oom;
}

int report_traj_frame(report_traj *t, const frame_engine *e, const frame_slot *sl, const int *track_ids)
{
    int64_t n = t->seen++;
    if (n % t->step)
        return 1;
    if (t->nkept == REPORT_FRAMES) { /* twice the step: every other kept frame goes */
        t->step *= 2;
        int k = 0;
        for (int i = 0; i < t->nkept; i++) {
            if (t->kept[i].ordinal % t->step == 0) t->kept[k++] = t->kept[i];
            else vox_buf_free(&t->kept[i].json);
        }
        t->nkept = k;
        if (n % t->step)
            return 1;
    }
    kept_frame *f = &t->kept[t->nkept];
    memset(f, 0, sizeof *f);
    f->ordinal = n;
    if (!render_frame(t, e, sl, track_ids, &f->json)) {
        vox_buf_free(&f->json);
        return 0;
    }
    t->nkept++;
    return 1;
}

/* ---- the kept frames in a checkpoint ------------------------------------------------------
 * A resumed run must keep the frames an uninterrupted one keeps, some of which were analysed
 * before the interruption: the checkpoint carries them as rendered (at most REPORT_FRAMES,
 * whatever the run's length), with the step and the count, native byte order as the rest of
 * the checkpoint (same machine). */

#define REPORT_STATE_MAGIC "VOXRPT01"

int report_traj_save(const report_traj *t, vox_buf *b)
{
    int32_t n = t->nkept;
    vox_buf_put(b, REPORT_STATE_MAGIC, 8);
    vox_buf_put(b, (const char *)&t->step, sizeof t->step);
    vox_buf_put(b, (const char *)&t->seen, sizeof t->seen);
    vox_buf_put(b, (const char *)&n, sizeof n);
    for (int i = 0; i < t->nkept; i++) {
        uint64_t len = t->kept[i].json.len;
        vox_buf_put(b, (const char *)&t->kept[i].ordinal, sizeof t->kept[i].ordinal);
        vox_buf_put(b, (const char *)&len, sizeof len);
        vox_buf_put(b, t->kept[i].json.data, t->kept[i].json.len);
    }
    return !b->oom;
}

int report_traj_restore(report_traj *t, const char *data, size_t len)
{
    const char *r = data, *end = data + len;
    int64_t step, seen;
    int32_t n;
#define TAKE(dst, sz) ((size_t)(end - r) >= (sz) ? (memcpy((dst), r, (sz)), r += (sz), 1) : 0)
    if (!data || len < 8 || memcmp(data, REPORT_STATE_MAGIC, 8) != 0)
        return 0;
    r += 8;
    if (!TAKE(&step, sizeof step) || !TAKE(&seen, sizeof seen) || !TAKE(&n, sizeof n) || step < 1 ||
        (step & (step - 1)) || seen < 0 || n < 0 || n > REPORT_FRAMES)
        return 0;
    for (int i = 0; i < t->nkept; i++) vox_buf_free(&t->kept[i].json);
    t->nkept = 0;
    int64_t prev = -1;
    for (int32_t i = 0; i < n; i++) {
        kept_frame *f = &t->kept[i];
        uint64_t fl;
        memset(f, 0, sizeof *f);
        if (!TAKE(&f->ordinal, sizeof f->ordinal) || !TAKE(&fl, sizeof fl) || fl > (uint64_t)(end - r) ||
            f->ordinal <= prev || f->ordinal >= seen || f->ordinal % step)
            goto bad;
        vox_buf_put(&f->json, r, (size_t)fl);
        r += fl;
        t->nkept = i + 1;
        if (f->json.oom)
            goto bad;
        prev = f->ordinal;
    }
#undef TAKE
    if (r != end)
        goto bad;
    t->step = step;
    t->seen = seen;
    return 1;
bad:
    for (int i = 0; i < t->nkept; i++) vox_buf_free(&t->kept[i].json);
    t->nkept = 0;
    return 0;
}

/* ---- the curves, from frames.csv ------------------------------------------------------- */

typedef struct csv_row {
    int64_t frame;
    int has_time;
    double time;
    int type;  /* 0..3 */
    int track; /* -1: none */
    double volume;
} csv_row;

/* One data row of frames.csv (frame,time,type,id,track,voxels,volume,...); 0 for the header
 * or a line that is not one. */
static int parse_row(char *line, csv_row *r)
{
    char *f[8];
    int n = 0;
    for (char *p = line; n < 8;) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = '\0';
        p = c + 1;
    }
    if (n < 7)
        return 0;
    char *end;
    r->frame = strtoll(f[0], &end, 10);
    if (end == f[0] || *end)
        return 0;
    r->has_time = f[1][0] != '\0';
    r->time = r->has_time ? strtod(f[1], NULL) : 0.0;
    r->type = -1;
    for (int t = 0; t <= VOX_CAVITY; t++)
        if (!strcmp(f[2], vox_volume_type_name((vox_volume_type)t))) r->type = t;
    r->track = f[4][0] ? atoi(f[4]) : -1;
    r->volume = strtod(f[6], NULL);
    return r->type >= 0;
}

/* A frame with a row, and its time. */
typedef struct frame_time {
    int64_t frame;
    double time;
} frame_time;

/* The time of (fractional) frame fr from the n frames' times t (frames and times rising, n >= 2):
 * exact at those frames, on the line between the two around fr, and the nearest two's line past
 * either end (the frames without rows have no time in the table). */
static double time_at(const frame_time *t, size_t n, double fr)
{
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) { /* the last frame at or below fr, within [0, n - 2] */
        const size_t mid = lo + (hi - lo) / 2;
        if ((double)t[mid].frame <= fr) lo = mid;
        else hi = mid;
    }
    hi = lo + 1;
    const double span = (double)(t[hi].frame - t[lo].frame);
    return t[lo].time + (fr - (double)t[lo].frame) * (t[hi].time - t[lo].time) / span;
}

typedef struct series_acc {
    double *sum;
    int64_t *present; /* frames of the bin in which the series is there */
} series_acc;

static int cmp_total(const void *a, const void *b, void *totals)
{
    const double *t = totals;
    int x = *(const int *)a, y = *(const int *)b;
    return t[x] < t[y] ? 1 : t[x] > t[y] ? -1 : x - y;
}

/* "series":{...} from the rows; frames analysed: first + k * stride, k < nframes. */
static int write_series(vox_buf *b, const char *csv, int64_t first, int64_t stride, int64_t nframes, int by_track,
                        char *err, size_t cap)
{
    FILE *f = fopen(csv, "r");
    if (!f) {
        snprintf(err, cap, "cannot read %s: %s", csv, strerror(errno));
        return 0;
    }
    char line[1024];
    csv_row r;
    /* pass 1: the tracks' summed volumes (which to draw), and the time of each frame with a row: the
     * axis is in time when they rise with the frames (a trajectory saved at irregular times, too: the
     * axis was drawn from the first two frames' step), else in frames (time restarting in files
     * joined together, or no time) */
    double *total = NULL;
    int ntracks = 0, ok = 1, timed = 1;
    frame_time *times = NULL;
    size_t ntimes = 0, times_cap = 0;
    while (ok && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!parse_row(line, &r)) continue;
        if (!r.has_time || !isfinite(r.time)) /* (inf would reach the page's JSON as "inf") */
            timed = 0;
        else if (timed && (!ntimes || r.frame != times[ntimes - 1].frame)) {
            if (ntimes && (r.frame < times[ntimes - 1].frame || !(r.time > times[ntimes - 1].time)))
                timed = 0;
            else if (ntimes == times_cap) {
                times_cap = times_cap ? 2 * times_cap : 256;
                frame_time *nt = realloc(times, times_cap * sizeof *nt);
                if (!nt) { ok = 0; break; }
                times = nt;
            }
            if (timed) times[ntimes].frame = r.frame, times[ntimes++].time = r.time;
        }
        if (by_track && r.track >= 0) {
            if (r.track >= ntracks) {
                int n = r.track + 1 > 2 * ntracks ? r.track + 1 : 2 * ntracks;
                double *nt = realloc(total, (size_t)n * sizeof *nt);
                if (!nt) { ok = 0; break; }
                for (int k = ntracks; k < n; k++) nt[k] = 0;
                total = nt, ntracks = n;
            }
            total[r.track] += r.volume;
        }
    }
    int nser = by_track ? 0 : 4, *ids = NULL;
    if (ok && by_track) {
        ids = malloc((ntracks ? (size_t)ntracks : 1) * sizeof *ids);
        if (!ids) ok = 0;
        for (int k = 0; ok && k < ntracks; k++) if (total[k] > 0) ids[nser++] = k;
        if (ok) qsort_r(ids, (size_t)nser, sizeof *ids, cmp_total, total);
        if (nser > REPORT_SERIES) nser = REPORT_SERIES;
    }
    int64_t nbins = nframes < REPORT_BINS ? nframes : REPORT_BINS;
    if (nbins < 1) nbins = 1;
    series_acc *acc = ok ? calloc((size_t)nser + 1, sizeof *acc) : NULL;
    int64_t *in_bin = ok ? calloc((size_t)nbins, sizeof *in_bin) : NULL;
    if (!acc || !in_bin) ok = 0;
    for (int s = 0; ok && s < nser; s++) {
        acc[s].sum = calloc((size_t)nbins, sizeof *acc[s].sum);
        acc[s].present = calloc((size_t)nbins, sizeof *acc[s].present);
        if (!acc[s].sum || !acc[s].present) ok = 0;
    }
    /* pass 2: sums per bin; a series is "present" in a frame that has a row of it */
    int64_t last_frame = INT64_MIN;
    int *seen = ok ? calloc((size_t)nser + 1, sizeof *seen) : NULL;
    if (!seen) ok = 0;
    rewind(f);
    for (int64_t k = 0; k < nframes && ok; k++) in_bin[k * nbins / nframes]++;
    while (ok && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!parse_row(line, &r) || r.frame < first || (r.frame - first) % stride) continue;
        int64_t k = (r.frame - first) / stride;
        if (k >= nframes) continue;
        int64_t bin = k * nbins / nframes;
        if (r.frame != last_frame) {
            memset(seen, 0, ((size_t)nser + 1) * sizeof *seen);
            last_frame = r.frame;
        }
        int s = -1;
        if (!by_track) s = r.type;
        else for (int q = 0; q < nser; q++) if (ids[q] == r.track) s = q;
        if (s < 0) continue;
        acc[s].sum[bin] += r.volume;
        if (!seen[s]) acc[s].present[bin]++, seen[s] = 1;
    }
    fclose(f);
    if (ok) {
        timed = timed && ntimes >= 2;
        vox_buf_printf(b, "\"series\":{\"by\":\"%s\",\"xlabel\":\"%s\",\"x\":[", by_track ? "track" : "type",
                       timed ? "time (ps)" : "frame");
        for (int64_t q = 0; q < nbins; q++) { /* each bin at its middle frame */
            int64_t k0 = (q * nframes + nbins - 1) / nbins, k1 = ((q + 1) * nframes + nbins - 1) / nbins - 1;
            double fr = (double)first + (double)stride * 0.5 * (double)(k0 + k1);
            /* times as frames.csv writes them, frames whole or halves (%.6g made bins of a long run one value) */
            if (q) vox_buf_putc(b, ',');
            if (timed) vox_buf_printf(b, "%.6f", time_at(times, ntimes, fr));
            else vox_buf_printf(b, "%.1f", fr);
        }
        vox_buf_puts(b, "],\"sets\":[");
        int shown = 0;
        for (int s = 0; s < nser; s++) {
            int any = 0;
            for (int64_t q = 0; q < nbins; q++) any |= acc[s].present[q] > 0;
            if (!any) continue;
            if (by_track) vox_buf_printf(b, "%s{\"name\":\"track %d\",\"y\":[", shown++ ? "," : "", ids[s]);
            else vox_buf_printf(b, "%s{\"name\":\"%s\",\"y\":[", shown++ ? "," : "", vox_volume_type_name((vox_volume_type)s));
            for (int64_t q = 0; q < nbins; q++) {
                if (q) vox_buf_putc(b, ',');
                if (acc[s].present[q] && in_bin[q]) vox_buf_printf(b, "%.1f", acc[s].sum[q] / (double)in_bin[q]);
                else vox_buf_puts(b, "null");
            }
            vox_buf_puts(b, "]}");
        }
        vox_buf_puts(b, "],\"note\":");
        char note[400];
        if (by_track)
            snprintf(note, sizeof note, "The %d tracks with the largest volume summed over the frames%s; each point is "
                     "the mean over %s (0 where the track is absent, a gap where it is absent throughout).",
                     shown, ntracks > nser ? " (of all tracks)" : "", nbins < nframes ? "a bin of frames" : "one frame");
        else
            snprintf(note, sizeof note, "The summed volume of each type per frame%s (no tracks: every frame has its own "
                     "frame of reference with --align each).", nbins < nframes ? ", averaged over bins of frames" : "");
        vox_html_json_string(b, note);
        vox_buf_putc(b, '}');
    } else {
        snprintf(err, cap, "out of memory for the curves of %s", csv);
    }
    for (int s = 0; acc && s < nser; s++) free(acc[s].sum), free(acc[s].present);
    free(acc), free(in_bin), free(seen), free(ids), free(total), free(times);
    return ok;
}

/* "tracks":[...] from tracks.csv: every track, or the REPORT_TRACK_ROWS largest. */
static void write_tracks(vox_buf *b, const char *path, const char *label)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    vox_buf_puts(b, "\"tracks\":[");
    if (!f) {
        vox_buf_puts(b, "]");
        return;
    }
    typedef struct trow { int id; char types[64]; long frames; double fraction, mean, sd, min, max; long first, last; int has_sd; } trow;
    trow *rows = NULL;
    size_t n = 0, cap = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        trow t;
        memset(&t, 0, sizeof t);
        char sd[64] = "";
        if (sscanf(line, "%d,%63[^,],%ld,%lf,%ld,%ld,%lf,%63[^,],%lf,%lf", &t.id, t.types, &t.frames, &t.fraction,
                   &t.first, &t.last, &t.mean, sd, &t.min, &t.max) == 10) {
            t.has_sd = 1;
            t.sd = strtod(sd, NULL);
        } else if (sscanf(line, "%d,%63[^,],%ld,%lf,%ld,%ld,%lf,,%lf,%lf", &t.id, t.types, &t.frames, &t.fraction,
                          &t.first, &t.last, &t.mean, &t.min, &t.max) != 9) {
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            trow *nr = realloc(rows, cap * sizeof *nr);
            if (!nr) break;
            rows = nr;
        }
        rows[n++] = t;
    }
    fclose(f);
    /* the largest (frames x mean volume) when there are too many, listed by id */
    size_t keep = n;
    if (n > REPORT_TRACK_ROWS) {
        double *score = malloc(n * sizeof *score);
        int *idx = malloc(n * sizeof *idx);
        if (score && idx) {
            for (size_t i = 0; i < n; i++) score[i] = (double)rows[i].frames * rows[i].mean, idx[i] = (int)i;
            qsort_r(idx, n, sizeof *idx, cmp_total, score);
            char *mark = calloc(n, 1);
            if (mark) {
                for (size_t i = 0; i < REPORT_TRACK_ROWS; i++) mark[idx[i]] = 1;
                size_t k = 0;
                for (size_t i = 0; i < n; i++) if (mark[i]) rows[k++] = rows[i];
                keep = k;
                free(mark);
            }
        }
        free(score), free(idx);
    }
    for (size_t i = 0; i < keep; i++) {
        trow *t = &rows[i];
        vox_buf_printf(b, "%s{\"id\":%d,\"types\":", i ? "," : "", t->id);
        vox_html_json_string(b, t->types);
        vox_buf_printf(b, ",\"frames\":%ld,\"fraction\":%.6g,\"first\":%ld,\"last\":%ld,\"mean\":%.10g,\"sd\":", t->frames,
                       t->fraction, t->first, t->last, t->mean);
        if (t->has_sd && isfinite(t->sd)) vox_buf_printf(b, "%.10g", t->sd);
        else vox_buf_puts(b, "null");
        vox_buf_printf(b, ",\"min\":%.10g,\"max\":%.10g}", t->min, t->max);
    }
    vox_buf_puts(b, "]");
    if (keep < n) {
        char note[600];
        snprintf(note, sizeof note, "The %zu tracks with the largest volume summed over the frames, of %zu; "
                 "%s.tracks.csv has them all.", keep, n, label);
        vox_buf_puts(b, ",\"tracks_note\":");
        vox_html_json_string(b, note);
    }
    free(rows);
}

static const char TRAJ_COLUMNS[] =
    "[[\"type\",\"type\",-1],[\"id\",\"id\",-1],[\"track\",\"track\",-1],[\"volume\",\"volume (\\u00c5\\u00b3)\",1],"
    "[\"voxels\",\"voxels\",-1],[\"x\",\"x (\\u00c5)\",2],[\"y\",\"y (\\u00c5)\",2],[\"z\",\"z (\\u00c5)\",2],"
    "[\"circularity\",\"circularity\",3],[\"uniformity\",\"uniformity\",3]]";

int report_traj_finish(report_traj *t, const frame_engine *e, const report_traj_run *run, staged_set *out, char *err,
                       size_t cap)
{
    char csv_path[PATH_MAX], tracks_path[PATH_MAX], path[PATH_MAX], title[1024];
    snprintf(csv_path, sizeof csv_path, "%s/%s.frames.csv", run->dir, run->label);
    snprintf(tracks_path, sizeof tracks_path, "%s/%s.tracks.csv", run->dir, run->label);
    /* the run's tables, staged beside their final names */
    const char *csv = staged_source(out, csv_path), *tracks = staged_source(out, tracks_path);
    report_read_title(e->topology, title, sizeof title);
    static const char *const notes[3] = {
        "Each frame in its own coordinates, as in the trajectory file (with --align each every frame is analysed "
        "in its own aligned frame and mapped back).",
        "Every frame superposed onto the first analysed frame (--align reference), in that frame's input "
        "coordinates; a voxel is the same place in every frame.",
        "Coordinates as given (--align none), on the first frame's lattice."};
    vox_buf b = {0};
    vox_buf_puts(&b, "{\"kind\":\"trajectory\",\"version\":");
    vox_html_json_string(&b, vox_version());
    vox_buf_puts(&b, ",\"label\":");
    vox_html_json_string(&b, run->label);
    vox_buf_puts(&b, ",\"title\":");
    vox_html_json_string(&b, title);
    vox_buf_puts(&b, ",\"topology\":");
    vox_html_json_string(&b, e->topology);
    vox_buf_puts(&b, ",\"trajectory\":");
    if (run->trajectory) vox_html_json_string(&b, run->trajectory);
    else vox_buf_puts(&b, "null");
    vox_buf_printf(&b, ",\"frames\":%lld,\"align\":", (long long)run->nframes);
    vox_html_json_string(&b, run->align);
    vox_buf_printf(&b, ",\"resolution\":%.17g,\"columns\":%s,", run->resolution, TRAJ_COLUMNS);
    int ok = write_series(&b, csv, run->first, run->stride, run->nframes, run->tracking, err, cap);
    if (ok) {
        vox_buf_putc(&b, ',');
        write_tracks(&b, run->tracking ? tracks : NULL, run->label); /* not an earlier run's tracks.csv */
        vox_buf_puts(&b, ",\"frame_note\":");
        vox_html_json_string(&b, notes[e->mode == ALIGN_EACH ? 0 : e->mode == ALIGN_REFERENCE ? 1 : 2]);
        char fnote[300];
        snprintf(fnote, sizeof fnote, "%d frame%s of this run, evenly spread (one analysed frame in %lld), kept for "
                 "the 3D view.", t->nkept, t->nkept == 1 ? "" : "s", (long long)t->step);
        vox_buf_puts(&b, ",\"frames_note\":");
        vox_html_json_string(&b, fnote);
        vox_buf_puts(&b, ",\"protein\":{");
        vox_html_topology(&b, e->w[0].s);
        vox_buf_puts(&b, "},\"frames3d\":[");
        for (int i = 0; i < t->nkept; i++) {
            if (i) vox_buf_putc(&b, ',');
            vox_buf_put(&b, t->kept[i].json.data, t->kept[i].json.len);
        }
        vox_buf_puts(&b, "]}");
        if (b.oom) {
            ok = 0;
            snprintf(err, cap, "out of memory for the page of %s", run->label);
        }
    }
    vox_buf page = {0};
    if (ok) {
        char heading[300], page_title[320];
        snprintf(heading, sizeof heading, "%s", run->label);
        snprintf(page_title, sizeof page_title, "%s - vox trajectory", run->label);
        const vox_html_field fields[] = {{"title", page_title}, {"heading", heading}, {"subtitle", title},
                                         {"kind", "trajectory"}, {"version", vox_version()}, {"data", b.data}};
        ok = vox_html_fill(NULL, "page.html", t->assets.page, t->assets.page_len, fields,
                           sizeof fields / sizeof fields[0], &page) == VOX_OK;
        if (!ok) snprintf(err, cap, "page.html: a placeholder is not known (the report templates in %s are damaged)",
                          t->assets.dir);
    }
    if (ok) {
        snprintf(path, sizeof path, "%s/%s.trajectory.html", run->dir, run->label);
        ok = staged_write(out, path, page.data, page.len, VOX_SYNC_DATA, err, cap);
    }
    vox_buf_free(&b);
    vox_buf_free(&page);
    return ok;
}

int report_traj_index(const report_traj *t, const char *dir, char *err, size_t cap)
{
    return report_write_index(&t->assets, dir, "vox trajectory", NULL, err, cap);
}
