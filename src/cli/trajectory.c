/* trajectory.c - `vox trajectory`: the volumes of every frame of an MD
 * trajectory or of the models of an ensemble, analysed in-process on one
 * context per job (frame_engine.c), written as one CSV row per frame and
 * volume, with tracks and occupancy maps on a common lattice, a checkpoint
 * for --resume, and a run summary.
 *
 * Resuming: rows go to <label>.frames.csv.part as frames are done; every
 * couple of seconds the part file is flushed and <label>.checkpoint records
 * (atomically) how far it is valid, the next frame, and the tracker's state.
 * --resume truncates the part file to that length, restores the tracker and
 * continues, so the final files equal an uninterrupted run's.  The final
 * files appear by rename once the run is over. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"
#include "dirlock.h"
#include "frame_engine.h"
#include "pyjson.h"
#include "readers.h"
#include "staged.h"
#include "report.h"
#include "report_trajectory.h"
#include "trajectory_descriptors.h"

enum {
    O_TOP = 1000, O_TRAJ, O_OUT, O_RES, O_ALIGN, O_FIT, O_START, O_STOP, O_STRIDE, O_JOBS, O_THREADS, O_WRITE,
    O_GAP, O_RESUME, O_CKPT, O_MAXGRID, O_MAXIN, O_FRAMES, O_WAITLOCK, O_QUIET, O_HELP
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vox trajectory --topology TOP [--trajectory TRAJ] --output-dir DIR [options]\n"
            "\n"
            "Analyses every frame of a trajectory whose atoms are those of TOP (PDB or mmCIF, model 1,\n"
            "asymmetric unit, in the same order); without --trajectory the models of TOP are the frames.\n"
            "Writes DIR/<label>.frames.csv (one row per frame and volume; label = the trajectory file's\n"
            "stem, the topology's for ensembles), <label>.tracks.csv (with tracking), the occupancy maps\n"
            "<label>.occupancy[.<type>].dx (--write occupancy), the page <label>.trajectory.html\n"
            "(--write html) and DIR/run.summary.json.\n"
            "\n"
            "  --topology PATH      PDB or mmCIF file with the trajectory's atoms\n"
            "  --trajectory PATH    DCD (CHARMM, NAMD, OpenMM, MDAnalysis), XTC (GROMACS), or multi-model\n"
            "                       PDB/mmCIF; recognised by content\n"
            "  --output-dir DIR     where the files go (created)\n"
            "  --resolution A       voxel edge in angstroms (default 3.0)\n"
            "  --align MODE         each (default): every frame prepared as `vox analyze` prepares a\n"
            "                       structure; reference: every frame superposed onto the first\n"
            "                       (least squares) and analysed on the first frame's grid; none:\n"
            "                       coordinates as given, on the first frame's grid.  reference and\n"
            "                       none link volumes into tracks\n"
            "  --fit heavy|ca       atoms superposed with --align reference (default heavy: every\n"
            "                       analysed atom; ca: the C-alpha atoms)\n"
            "  --frame-signs F      volumizer (default) or canonical: the aligned frame, as for\n"
            "                       `vox analyze --frame-signs`\n"
            "  --start N            first frame (0-based, default 0)\n"
            "  --stop N             stop before frame N (default: the end)\n"
            "  --stride N           every Nth frame from --start (default 1)\n"
            "  --jobs N             frames analysed at once, one context each (default: the cores\n"
            "                       this process may use); outputs do not depend on it\n"
            "  --threads N          threads per frame (default 1)\n"
            "  --write LIST         occupancy: occupancy maps (OpenDX) in the first frame's input\n"
            "                       coordinates; html: an offline page (volume against time, 3D\n"
            "                       view of some frames) and DIR/index.html; descriptors:\n"
            "                       <label>.descriptors.csv, per row of frames.csv the volume's depth,\n"
            "                       hydropathy, atom classes, openings and lining residues;\n"
            "                       comma-separated\n"
            "  --track-gap N        frames a track may be missing and still continue (default 1)\n"
            "  --resume             continue an interrupted run from its checkpoint (none: start;\n"
            "                       one that cannot be used, from other settings or damaged: refused)\n"
            "  --max-grid-voxels N  refuse frames whose grid has more than N voxels (default 2147483647);\n"
            "                       with --align reference or none also a frame that would grow the\n"
            "                       tracking lattice (all frames' grids) past N, and, when not given, one\n"
            "                       that would grow it over 64 times at once (an atom far from the rest)\n"
            "  --max-input-bytes SIZE  refuse topology text (after gzip decompression) longer than\n"
            "                       SIZE bytes (K, M, G, T; default 1G)\n"
            "  --checkpoint-every S seconds between checkpoints (default 2; 0: after every batch)\n"
            "  --wait-lock          when another run holds the output directory, wait for it\n"
            "                       (default: fail at once, naming it)\n"
            "  --quiet              no progress\n"
            "\n"
            "Residue names that MD force fields write (CYX, HIE, HID, HSD, HISE, ...) count as amino\n"
            "acids; hydrogens are removed as for PDB entries.  Exit: 0 every frame done, 1 an error\n"
            "(a frame that cannot be read or analysed: the frames before it are written), 2 a usage\n"
            "error.\n");
}

/* Without --max-grid-voxels, a frame may not grow the tracking lattice more than this many
 * times at once (vox_tracker_params.max_growth). */
#define TRACK_MAX_GROWTH 64

typedef struct traj_opts {
    const char *top, *traj, *outdir, *align;
    double res, ckpt_every;
    unsigned long long max_grid, max_input;
    long start, stop, stride, jobs, threads, gap;
    int fit_ca, occupancy, resume, quiet, canonical_signs, html, descriptors, wait_lock, gap_given, max_grid_given;
} traj_opts;

/* An integer option of at least lo. */
static int parse_long(const char *s, long lo, long *out)
{
    long v;
    if (!cli_integer(s, &v) || v < lo)
        return 0;
    *out = v;
    return 1;
}

static int usable_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        n = CPU_COUNT(&set);
#endif
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* frames.csv: the columns of volumizer's table per frame, and the track */
static void csv_row(FILE *f, int64_t frame, const vox_frame_info *fi, const vox_volume *v, int track)
{
    char tr[16] = "";
    if (track >= 0)
        snprintf(tr, sizeof tr, "%d", track);
    /* the time straight into the file: %.6f of a time near the float range (1e35 ps, which an
     * XTC can hold) has 40 digits, and cut to a buffer's width it would be another number */
    fprintf(f, "%lld,", (long long)frame);
    if (fi->has_time)
        fprintf(f, "%.6f", fi->time_ps);
    fprintf(f, ",%s,%d,%s,%zu,%.10g,%.10g,%.10g,%.10g,%.6f,%.6f,%.6f,", vox_volume_type_name(v->type), v->id, tr, v->num_voxels, v->volume, v->x, v->y, v->z, v->centre[0],
            v->centre[1], v->centre[2]);
    if (v->has_circularity) fprintf(f, "%.10g", v->circularity);
    fputc(',', f);
    if (v->has_uniformity) fprintf(f, "%.10g", v->uniformity);
    fputc('\n', f);
}

const char frames_csv_header[] =
    "frame,time,type,id,track,voxels,volume,x,y,z,centre_x,centre_y,centre_z,circularity,uniformity\n";

/* A whole number with all its digits (a raw JSON node): --start, --stop and --stride may be
 * past 2^53, where a double would print another number. */
static cJSON *json_whole(long v)
{
    char t[32];
    snprintf(t, sizeof t, "%ld", v);
    return cJSON_CreateRaw(t);
}

/* ---- checkpoint ------------------------------------------------------------ */

#define CKPT_MAGIC "VOXTRJ04" /* 02: the page's kept frames (--write html) after the tracker; 03: the
                                 descriptors rows' length (--write descriptors) after the frames';
                                 04: a CRC-32 of the rest at the end */
#define CKPT_COST_RATIO 32.0

/* settings_text's room: two resolved paths of up to PATH_MAX and the rest (a string cut short
 * would leave out the settings after the paths, and a checkpoint of other ones would match) */
#define SETTINGS_MAX (2 * PATH_MAX + 2048)

typedef struct checkpoint {
    char settings[SETTINGS_MAX];
    int64_t next_k, done;
    uint64_t csv_len;
    uint64_t desc_len; /* the valid bytes of <label>.descriptors.csv.part (0 without) */
    char *tracker;
    size_t tracker_len;
    char *report; /* report_traj_save's bytes (--write html), else none */
    size_t report_len;
    int present; /* checkpoint_read found a file, usable or not */
} checkpoint;

static uLong crc_text(uLong crc, const char *text, size_t cap)
{
    return crc32_z(crc, (const unsigned char *)text, strnlen(text, cap) + 1);
}

/* The topology as analysed (its atoms, names and prepared coordinates), as a CRC-32: what a
 * resumed run must find again.  Its content, not its file's size and time: a topology read from
 * a FIFO or a pipe has neither, and a file touched but not changed is the same topology. */
static uint32_t topology_fingerprint(const vox_structure *s)
{
    uLong crc = crc32_z(0L, Z_NULL, 0);
    for (size_t i = 0, n = vox_structure_atom_count(s); i < n; i++) {
        vox_atom_info a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        vox_structure_atom(s, i, &a);
        const uint64_t index = a.input_index;
        const unsigned char flags[2] = {(unsigned char)a.ins_code, a.hetero};
        crc = crc32_z(crc, (const unsigned char *)a.xyz, sizeof a.xyz);
        crc = crc32_z(crc, (const unsigned char *)&a.res_id, sizeof a.res_id);
        crc = crc32_z(crc, (const unsigned char *)&index, sizeof index);
        crc = crc32_z(crc, flags, sizeof flags);
        crc = crc_text(crc, a.element, sizeof a.element);
        crc = crc_text(crc, a.atom_name, sizeof a.atom_name);
        crc = crc_text(crc, a.res_name, sizeof a.res_name);
        crc = crc_text(crc, a.chain, sizeof a.chain);
    }
    return (uint32_t)crc;
}

/* What must not change between a run and its resumption (jobs and threads may). */
static void settings_text(const traj_opts *o, const vox_structure *top, char *out, size_t cap)
{
    struct stat b;
    memset(&b, 0, sizeof b);
    stat(o->traj ? o->traj : o->top, &b);
    /* the files by their resolved paths: ./x.xtc, /abs/x.xtc or another working directory are one
     * file, and its checkpoint must resume it (a pipe or a name that no longer resolves: as given) */
    char *top_path = realpath(o->top, NULL), *traj_path = o->traj ? realpath(o->traj, NULL) : NULL;
    snprintf(out, cap, "top=%s atoms=%zu content=%08x|traj=%s size=%lld mtime=%lld|res=%.17g|align=%s|fit=%s|"
             "start=%ld|stop=%ld|stride=%ld|gap=%ld|occupancy=%d|signs=%d|html=%d|descriptors=%d",
             top_path ? top_path : o->top, vox_structure_input_atom_count(top), topology_fingerprint(top),
             traj_path ? traj_path : o->traj ? o->traj : "", (long long)b.st_size, (long long)b.st_mtime, o->res,
             o->align, o->fit_ca ? "ca" : "heavy", o->start, o->stop, o->stride, o->gap, o->occupancy,
             o->canonical_signs, o->html, o->descriptors);
    free(top_path);
    free(traj_path);
}

/* The first of settings_text's |-separated parts in which two settings differ, as "was A, is B". */
static void settings_difference(const char *was, const char *is, char *out, size_t cap)
{
    while (*was || *is) {
        const size_t a = strcspn(was, "|"), b = strcspn(is, "|");
        if (a != b || memcmp(was, is, a) != 0) {
            snprintf(out, cap, "%.*s, now %.*s", (int)(a < 600 ? a : 600), was, (int)(b < 600 ? b : 600), is);
            return;
        }
        was += a + (was[a] == '|');
        is += b + (is[b] == '|');
    }
    snprintf(out, cap, "the same settings");
}

/* The tracker's state is as large as the lattice: the header goes in front of it in its own
 * buffer (grown, the state moved up) rather than both copied into a third.  c->tracker then
 * holds the whole file, c->tracker_len stays the state's length. */
static int checkpoint_write(vox_ctx *ctx, const char *path, checkpoint *c, char *err, size_t cap)
{
    size_t slen = strlen(c->settings);
    size_t head = 8 + sizeof(uint64_t) + slen + 2 * sizeof(int64_t) + 3 * sizeof(uint64_t);
    size_t n = head + c->tracker_len + sizeof(uint64_t) + c->report_len + sizeof(uint32_t);
    char *b = realloc(c->tracker, n), *w = b;
    if (!b) {
        snprintf(err, cap, "out of memory for the checkpoint");
        return 0;
    }
    c->tracker = b;
    uint64_t sl = slen, tl = c->tracker_len, rl = c->report_len;
    if (tl) memmove(b + head, b, tl);
    memcpy(b + head + tl, &rl, sizeof rl);
    if (rl) memcpy(b + head + tl + sizeof rl, c->report, rl);
    memcpy(w, CKPT_MAGIC, 8), w += 8;
    memcpy(w, &sl, sizeof sl), w += sizeof sl;
    memcpy(w, c->settings, slen), w += slen;
    memcpy(w, &c->next_k, sizeof c->next_k), w += sizeof c->next_k;
    memcpy(w, &c->done, sizeof c->done), w += sizeof c->done;
    memcpy(w, &c->csv_len, sizeof c->csv_len), w += sizeof c->csv_len;
    memcpy(w, &c->desc_len, sizeof c->desc_len), w += sizeof c->desc_len;
    memcpy(w, &tl, sizeof tl);
    /* a damaged (or edited) checkpoint would resume into outputs that miss rows: the CRC tells */
    const uint32_t crc = (uint32_t)crc32_z(0L, (const unsigned char *)b, n - sizeof crc);
    memcpy(b + n - sizeof crc, &crc, sizeof crc);
    int ok = vox_write_file_atomic(ctx, path, b, n) == VOX_OK;
    if (!ok)
        snprintf(err, cap, "%s", vox_ctx_last_error_detail(ctx));
    return ok;
}

/* n bytes at offset at of f into dst; 0 when the file does not hold them. */
static int read_at(FILE *f, uint64_t at, void *dst, size_t n)
{
    return fseeko(f, (off_t)at, SEEK_SET) == 0 && fread(dst, 1, n, f) == n;
}

/* The CRC-32 of f's first n bytes, read in chunks (no more memory than a chunk); 0 on a read
 * error (and then *ok is 0). */
static uint32_t crc_of(FILE *f, uint64_t n, int *ok)
{
    static const size_t CHUNK = 1 << 20;
    unsigned char *buf = malloc(CHUNK);
    uLong crc = crc32_z(0L, Z_NULL, 0);
    *ok = buf && fseeko(f, 0, SEEK_SET) == 0;
    while (*ok && n > 0) {
        const size_t want = n < CHUNK ? (size_t)n : CHUNK;
        *ok = fread(buf, 1, want, f) == want;
        crc = crc32_z(crc, buf, want);
        n -= want;
    }
    free(buf);
    return (uint32_t)crc;
}

/* 1 read, 0 none or unusable (why says which).  Nothing a file says is trusted before it is
 * checked: first the layout (the lengths it declares must add up to its size, so a file cut,
 * grown or padded is refused from its header), then the CRC of the whole (read in chunks), and
 * only then is memory given to its parts. */
static int checkpoint_read(const char *path, checkpoint *c, char *why, size_t cap)
{
    const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    const int open_errno = errno;
    struct stat sb;
    FILE *f = NULL;
    c->present = 1;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || !(f = fdopen(fd, "rb"))) {
        if (fd >= 0)
            close(fd);
        /* only a checkpoint that is not there lets --resume start from the first frame: one that
         * cannot be read is an interrupted run all the same */
        c->present = fd >= 0 || open_errno != ENOENT;
        if (!c->present)
            snprintf(why, cap, "no checkpoint %s", path);
        else if (fd < 0)
            snprintf(why, cap, "cannot read the checkpoint %s: %s", path, strerror(open_errno));
        else
            snprintf(why, cap, "cannot read the checkpoint %s", path);
        return 0;
    }
    const uint64_t size = (uint64_t)sb.st_size;
    char magic[8] = {0};
    uint64_t sl = 0, tl = 0, rl = 0, at = 8;
    uint32_t crc = 0;
    int ok = read_at(f, 0, magic, 8) && !memcmp(magic, CKPT_MAGIC, 8) && read_at(f, at, &sl, sizeof sl) &&
             sl < sizeof c->settings && read_at(f, at += sizeof sl, c->settings, (size_t)sl);
    if (ok) {
        c->settings[sl] = '\0';
        int64_t head[2];
        uint64_t lens[2];
        ok = read_at(f, at += sl, head, sizeof head) && read_at(f, at += sizeof head, lens, sizeof lens) &&
             read_at(f, at += sizeof lens, &tl, sizeof tl);
        c->next_k = head[0], c->done = head[1];
        c->csv_len = lens[0], c->desc_len = lens[1];
        at += sizeof tl;
    }
    /* layout: header, tl bytes of tracker state, rl, rl bytes of page state, the CRC */
    ok = ok && tl <= size && at + tl + sizeof rl + sizeof crc <= size && read_at(f, at + tl, &rl, sizeof rl) &&
         rl == size - (at + tl + sizeof rl + sizeof crc) && read_at(f, size - sizeof crc, &crc, sizeof crc) &&
         c->next_k >= 0 && c->done >= 0 && c->done <= c->next_k && c->csv_len >= strlen(frames_csv_header);
    int read_ok = 0;
    ok = ok && crc == crc_of(f, size - sizeof crc, &read_ok) && read_ok;
    if (ok && tl) {
        c->tracker = malloc((size_t)tl);
        ok = c->tracker && read_at(f, at, c->tracker, (size_t)tl);
        c->tracker_len = (size_t)tl;
    }
    if (ok && rl) {
        c->report = malloc((size_t)rl);
        ok = c->report && read_at(f, at + tl + sizeof rl, c->report, (size_t)rl);
        c->report_len = (size_t)rl;
    }
    fclose(f);
    if (!ok) {
        free(c->tracker);
        free(c->report);
        c->tracker = c->report = NULL;
        c->settings[0] = '\0'; /* nothing of it is used */
        /* another format (VOXTRJ01, 02; a later vox's) is not damage: say whose it is */
        if (!memcmp(magic, CKPT_MAGIC, 6) && magic[6] >= '0' && magic[6] <= '9' && magic[7] >= '0' &&
            magic[7] <= '9' && memcmp(magic, CKPT_MAGIC, 8))
            snprintf(why, cap, "the checkpoint %s is in format %.2s of %s vox, which this one does not read", path,
                     magic + 6, memcmp(magic, CKPT_MAGIC, 8) < 0 ? "an older" : "a newer");
        else
            snprintf(why, cap, "the checkpoint %s is damaged", path);
    }
    return ok;
}

/* ---- progress ------------------------------------------------------------------ */

typedef struct progress {
    int tty, quiet;
    double t0, last;
    int64_t done0;
    uint64_t size;
    long start, stop;
} progress;

static void progress_show(progress *p, int64_t done, int64_t k, uint64_t offset, int final)
{
    if (p->quiet)
        return;
    double t = vox_now();
    if (!final && t - p->last < (p->tty ? 0.1 : 5.0))
        return;
    p->last = t;
    double frac = p->stop > p->start ? (double)(k - p->start) / (double)(p->stop - p->start)
                                     : p->size ? (double)offset / (double)p->size : 0.0;
    if (final || frac > 1.0)
        frac = 1.0;
    double el = t - p->t0, rate = el > 0 ? (double)(done - p->done0) / el : 0.0;
    double eta = frac > 0.0 ? el * (1.0 - frac) / frac : 0.0;
    if (p->tty) {
        int fill = (int)(frac * 30.0 + 0.5);
        fprintf(stderr, "\r[%.*s%.*s] %3.0f%% %lld frames %.1f frames/s ETA %.0fs ", fill,
                "##############################", 30 - fill, "..............................", 100.0 * frac,
                (long long)done, rate, eta);
        if (final) fputc('\n', stderr);
    } else {
        fprintf(stderr, "vox trajectory: %lld frames (%.0f%%), %.1f frames/s, ETA %.0f s\n", (long long)done,
                100.0 * frac, rate, eta);
    }
}

/* ---- the run --------------------------------------------------------------------- */

/* Removes path when it is a regular file or a link (only the link: never what it names). */
static void remove_if_file(const char *path)
{
    struct stat lb;
    if (lstat(path, &lb) == 0 && (S_ISREG(lb.st_mode) || S_ISLNK(lb.st_mode)))
        unlink(path);
}

/* A rows file being written: appended to when resumed (truncated to the checkpoint's length
 * before), else new with its header.  Its name is fixed (a resumed run finds it), so it is
 * opened without following a link (a link planted there would have the rows written into the
 * file it names, and be renamed into the final name), and a new one is created afresh: what
 * was there (an old rows file, a link) is removed first.  NULL after saying why in err. */
static FILE *open_part(const char *path, int resumed, const char *header, char *err, size_t cap)
{
    if (!resumed)
        remove_if_file(path);
    const int flags = resumed ? O_WRONLY | O_APPEND : O_WRONLY | O_CREAT | O_EXCL;
    const int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0666);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, cap, "cannot write %s: %s", path,
                 fd >= 0 || errno == ELOOP ? "it is not a regular file (a symbolic link is not followed)"
                                           : strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "ab");
    if (!f) {
        snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
        close(fd);
    } else if (!resumed) {
        fputs(header, f);
    }
    return f;
}

/* The first len bytes of the rows file open as fd copied into a file of its own (vox_create_temp:
 * the mode every output gets), renamed over path: a hard link elsewhere (a backup made with cp -al)
 * keeps its bytes while the resumed run appends to the copy.  0 after saying why in why (the link
 * is then left as it was). */
static int unshare_part(const char *path, int fd, uint64_t len, char *why, size_t cap)
{
    char tmp[PATH_MAX + 48]; /* room for the ".tmp.PID.XXXXXX" it adds (as vox_stage_file makes) */
    const int out = vox_create_temp(tmp, sizeof tmp, path);
    if (out < 0) {
        snprintf(why, cap, "cannot copy %s (it has other hard links): %s", path, strerror(errno));
        return 0;
    }
    char buf[1 << 16];
    int ok = 1;
    for (uint64_t at = 0; ok && at < len;) {
        const size_t want = len - at < sizeof buf ? (size_t)(len - at) : sizeof buf;
        const ssize_t n = pread(fd, buf, want, (off_t)at);
        ok = n > 0 && write(out, buf, (size_t)n) == n;
        at += n > 0 ? (uint64_t)n : 0;
    }
    ok = ok && fsync(out) == 0;
    ok = close(out) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        snprintf(why, cap, "cannot copy %s (it has other hard links): %s", path, errno ? strerror(errno) : "short read");
        unlink(tmp);
    }
    return ok;
}

/* Whether the rows file at path can be resumed at len (the checkpoint's count): 1 yes; 0 it is
 * not there (a finished run renamed it; nothing of an interrupted run is in it); -1 it cannot be
 * (shorter, not a regular file), said in why.  Nothing is changed. */
static int part_resumable(const char *path, uint64_t len, char *why, size_t cap)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(why, cap, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(why, cap, "%s is not a regular file", path);
        return -1;
    }
    if ((uint64_t)sb.st_size < len) {
        snprintf(why, cap, "%s holds %llu bytes, fewer than the %llu the checkpoint counted", path,
                 (unsigned long long)sb.st_size, (unsigned long long)len);
        return -1;
    }
    return 1;
}

/* A rows file cut back to the length a checkpoint counted (what was written after it is
 * written again); one with other links is copied first (unshare_part), never cut in place.
 * 0 after saying why in why. */
static int truncate_part(const char *path, uint64_t len, char *why, size_t cap)
{
    const int fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat sb;
    int ok = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size >= len;
    if (!ok)
        snprintf(why, cap, "cannot open %s: %s", path, fd < 0 ? strerror(errno) : "changed since it was looked at");
    else if (sb.st_nlink == 1 && ftruncate(fd, (off_t)len) != 0)
        ok = 0, snprintf(why, cap, "cannot cut %s back: %s", path, strerror(errno));
    else if (sb.st_nlink > 1)
        ok = unshare_part(path, fd, len, why, cap);
    if (fd >= 0)
        close(fd);
    return ok;
}

/* The rows file f (closed here) made durable and staged to be renamed from part_path to final
 * (kept on disk if the set is given up: --resume continues it); 0 after saying why in err. */
static int stage_part(staged_set *out, FILE *f, const char *part_path, const char *final, char *err, size_t cap)
{
    const int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    if (fclose(f) != 0 || bad) {
        snprintf(err, cap, "cannot write %s: %s", part_path, strerror(errno));
        return 0;
    }
    return staged_adopt(out, part_path, final, err, cap);
}

static void types_text(unsigned types, char *out, size_t cap)
{
    out[0] = '\0';
    for (int t = 0; t <= VOX_CAVITY; t++)
        if (types & (1u << t)) {
            size_t n = strlen(out);
            snprintf(out + n, cap - n, "%s%s", n ? ";" : "", vox_volume_type_name((vox_volume_type)t));
        }
}

static int stage_tracks(staged_set *out, const vox_tracker *tk, const char *path, char *err, size_t cap)
{
    vox_buf b = {0};
    vox_buf_puts(&b, "track,types,frames,fraction,first_frame,last_frame,volume_mean,volume_sd,volume_min,volume_max\n");
    for (size_t i = 0; i < vox_tracker_track_count(tk); i++) {
        vox_track t;
        t.size = sizeof t;
        vox_tracker_track(tk, i, &t);
        char types[64], sd[32] = "";
        types_text(t.types, types, sizeof types);
        if (!isnan(t.volume_sd)) snprintf(sd, sizeof sd, "%.10g", t.volume_sd);
        vox_buf_printf(&b, "%d,%s,%lld,%.6f,%lld,%lld,%.10g,%s,%.10g,%.10g\n", t.id, types, (long long)t.frames_present,
                       t.fraction, (long long)t.first_frame, (long long)t.last_frame, t.volume_mean, sd, t.volume_min,
                       t.volume_max);
    }
    int ok = !b.oom && staged_write(out, path, b.data, b.len, VOX_SYNC_DATA, err, cap);
    if (b.oom) snprintf(err, cap, "out of memory for %s", path);
    vox_buf_free(&b);
    return ok;
}

/* <label>.occupancy.dx (type -1: every type) or <label>.occupancy.<type>.dx. */
static void occupancy_path(const char *dir, const char *label, int type, char *path, size_t cap)
{
    if (type < 0) snprintf(path, cap, "%s/%s.occupancy.dx", dir, label);
    else snprintf(path, cap, "%s/%s.occupancy.%s.dx", dir, label, vox_volume_type_name((vox_volume_type)type));
}

static int stage_occupancy(vox_ctx *ctx, staged_set *out, const vox_tracker *tk, const vox_transform *t0,
                           const char *dir, const char *label, char *err, size_t cap)
{
    for (int type = -1; type <= VOX_CAVITY; type++) {
        char path[4096], *doc = NULL;
        size_t len = 0;
        occupancy_path(dir, label, type, path, sizeof path);
        if (vox_render_occupancy_dx(ctx, tk, type, t0, &doc, &len) != VOX_OK) {
            snprintf(err, cap, "%s", vox_ctx_last_error_detail(ctx));
            return 0;
        }
        int ok = staged_write(out, path, doc, len, VOX_SYNC_DATA, err, cap);
        vox_free(doc);
        if (!ok) return 0;
    }
    return 1;
}

/* What an earlier run of this label left that this run did not write (another --write, or
 * --align each, which has no tracks): removed, so that the folder holds one run's files (the
 * README: descriptors.csv has one row per row of frames.csv).  Only these fixed names of this
 * label, and only regular files or links; the flags: which kinds this run wrote. */
static void remove_unwritten_outputs(const char *dir, const char *label, int descriptors, int tracks, int occupancy,
                                     int html)
{
    char path[PATH_MAX];
    static const char *const kinds[3] = {"descriptors.csv", "tracks.csv", "trajectory.html"};
    const int wrote[3] = {descriptors, tracks, html};
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s.%s", dir, label, kinds[k]);
        if (!wrote[k]) remove_if_file(path);
    }
    if (!html) { /* the folder's index would list the page just removed (vox report DIR writes it again) */
        snprintf(path, sizeof path, "%s/index.html", dir);
        remove_if_file(path);
    }
    for (int type = -1; !occupancy && type <= VOX_CAVITY; type++) {
        occupancy_path(dir, label, type, path, sizeof path);
        remove_if_file(path);
    }
}

static int parse_options(int argc, char **argv, traj_opts *o)
{
    static const struct option opts[] = {
        {"topology", required_argument, 0, O_TOP},   {"trajectory", required_argument, 0, O_TRAJ},
        {"output-dir", required_argument, 0, O_OUT}, {"resolution", required_argument, 0, O_RES},
        {"align", required_argument, 0, O_ALIGN},    {"fit", required_argument, 0, O_FIT},
        {"start", required_argument, 0, O_START},    {"stop", required_argument, 0, O_STOP},
        {"stride", required_argument, 0, O_STRIDE},  {"jobs", required_argument, 0, O_JOBS},
        {"threads", required_argument, 0, O_THREADS}, {"write", required_argument, 0, O_WRITE},
        {"track-gap", required_argument, 0, O_GAP},  {"resume", no_argument, 0, O_RESUME},
        {"checkpoint-every", required_argument, 0, O_CKPT}, {"frame-signs", required_argument, 0, O_FRAMES}, {"max-grid-voxels", required_argument, 0, O_MAXGRID},
        {"max-input-bytes", required_argument, 0, O_MAXIN},
        {"wait-lock", no_argument, 0, O_WAITLOCK},   {"quiet", no_argument, 0, O_QUIET},
        {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->align = "each";
    o->res = 3.0;
    o->stop = -1;
    o->stride = 1;
    o->jobs = 0;
    o->threads = 1;
    o->gap = 1;
    o->ckpt_every = 2.0;
    o->max_grid = 2147483647ULL;
    optind = 1;
    opterr = 0;
    int ch, li = -1;
    /* ':' first: a missing value is told from an unknown option; li names the option as
     * getopt_long matched it (also for --opt=value and abbreviations, where argv does not) */
    while ((li = -1, ch = getopt_long(argc, argv, ":h", opts, &li)) != -1) {
        int ok = 1;
        const char *expect = "a whole number";
        switch (ch) {
        case O_TOP: o->top = optarg; break;
        case O_TRAJ: o->traj = optarg; break;
        case O_OUT: o->outdir = optarg; break;
        case O_RES:
            ok = cli_number(optarg, &o->res) && o->res > 0;
            expect = "a positive number";
            break;
        case O_ALIGN:
            o->align = optarg;
            ok = !strcmp(optarg, "each") || !strcmp(optarg, "reference") || !strcmp(optarg, "none");
            expect = "each, reference or none";
            break;
        case O_FIT:
            ok = !strcmp(optarg, "heavy") || !strcmp(optarg, "ca");
            o->fit_ca = !strcmp(optarg, "ca");
            expect = "heavy or ca";
            break;
        case O_FRAMES:
            ok = !strcmp(optarg, "volumizer") || !strcmp(optarg, "canonical");
            o->canonical_signs = !strcmp(optarg, "canonical");
            expect = "volumizer or canonical";
            break;
        case O_WRITE: {
            ok = !exports_list_has_empty_item(optarg); /* '', 'html,': a list with a hole is a mistake */
            for (const char *w = optarg; *w && ok;) { /* any length: no copy to cut it short */
                const size_t n = strcspn(w, ",");
                if (n == 9 && !strncmp(w, "occupancy", n)) o->occupancy = 1;
                else if (n == 4 && !strncmp(w, "html", n)) o->html = 1;
                else if (n == 11 && !strncmp(w, "descriptors", n)) o->descriptors = 1;
                else ok = 0;
                w += n + (w[n] == ',');
            }
            expect = "a comma-separated list of occupancy, html, descriptors, without empty items";
            break;
        }
        case O_START:
        case O_STOP:
            ok = parse_long(optarg, 0, ch == O_START ? &o->start : &o->stop);
            expect = "a whole number from 0 to 9223372036854775807";
            break;
        case O_STRIDE: ok = parse_long(optarg, 1, &o->stride); expect = "a whole number >= 1"; break;
        case O_JOBS: ok = parse_long(optarg, 1, &o->jobs) && o->jobs <= 256; expect = "1 to 256"; break;
        case O_THREADS: ok = parse_long(optarg, 1, &o->threads) && o->threads <= VOX_MAX_THREADS; expect = "1 to 4096"; break;
        case O_GAP:
            ok = parse_long(optarg, 0, &o->gap) && o->gap <= 1000000;
            o->gap_given = 1;
            expect = "a whole number from 0 to 1000000";
            break;
        case O_MAXIN:
            ok = parse_size(optarg, &o->max_input) && o->max_input > 0;
            expect = "a positive byte count such as 500M or 2G";
            break;
        case O_RESUME: o->resume = 1; break;
        case O_WAITLOCK: o->wait_lock = 1; break;
        case O_MAXGRID: {
            long v = 0;
            ok = parse_long(optarg, 1, &v) && v <= 4294967295L;
            o->max_grid = (unsigned long long)v;
            o->max_grid_given = 1;
            expect = "1 to 4294967295";
            break;
        }
        case O_CKPT:
            ok = cli_number(optarg, &o->ckpt_every) && o->ckpt_every >= 0;
            expect = "seconds >= 0";
            break;
        case O_QUIET: o->quiet = 1; break;
        case 'h': case O_HELP: usage(stdout); return 0;
        case ':':
            fprintf(stderr, "vox trajectory: option '%s' needs a value (see vox trajectory --help)\n", argv[optind - 1]);
            return 2;
        default: {
            /* the names other MD tools use for these (MDAnalysis, mdtraj, gmx) */
            static const char *const alias[][2] = {{"--step", "--stride"}, {"--every", "--stride"},
                                                   {"--skip", "--stride"}, {"--begin", "--start"},
                                                   {"--first", "--start"}, {"--end", "--stop"},
                                                   {"--last", "--stop"}, {"--outdir", "--output-dir"},
                                                   {"--out-dir", "--output-dir"}};
            const char *a = argv[optind - 1], *hint = NULL;
            size_t an = strcspn(a, "=");
            for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
                if (strlen(alias[i][0]) == an && !strncmp(a, alias[i][0], an)) hint = alias[i][1];
            char why[600];
            cli_option_error(opts, a, optopt, why, sizeof why);
            fprintf(stderr, "vox trajectory: %s (%s%s%s)\n", why, hint ? "did you mean " : "",
                    hint ? hint : "see vox trajectory --help", hint ? "?" : "");
            usage(stderr);
            return 2;
        }
        }
        if (!ok) {
            fprintf(stderr, "vox trajectory: invalid value '%s' for --%s (expected %s)\n", optarg,
                    li >= 0 ? opts[li].name : "?", expect);
            return 2;
        }
    }
    if (!o->top || !o->outdir || optind < argc) {
        if (optind < argc)
            fprintf(stderr, "vox trajectory: unexpected argument '%s' (every input is given by an option: "
                            "--topology, --trajectory)\n", argv[optind]);
        else
            fprintf(stderr, "vox trajectory: %s\n", !o->top ? "--topology is required" : "--output-dir is required");
        usage(stderr);
        return 2;
    }
    /* an empty path names nothing (it was "cannot create the output directory : No such file") */
    const char *const empty = !*o->top ? "--topology" : !*o->outdir ? "--output-dir" : o->traj && !*o->traj ? "--trajectory"
                                                                                                      : NULL;
    if (empty) {
        fprintf(stderr, "vox trajectory: %s: an empty path (expected a path)\n", empty);
        return 2;
    }
    if (o->occupancy && !strcmp(o->align, "each")) {
        fprintf(stderr, "vox trajectory: --write occupancy needs one grid for all frames: use --align reference or "
                        "--align none (with --align each every frame has its own frame and grid)\n");
        return 2;
    }
    if (o->fit_ca && strcmp(o->align, "reference") != 0) {
        fprintf(stderr, "vox trajectory: --fit applies to --align reference only\n");
        return 2;
    }
    if (o->gap_given && !strcmp(o->align, "each")) {
        fprintf(stderr, "vox trajectory: --track-gap applies to --align reference or none (with --align each "
                        "volumes are not linked into tracks)\n");
        return 2;
    }
    if (o->stop >= 0 && o->stop <= o->start) {
        fprintf(stderr, "vox trajectory: --stop %ld is not after --start %ld: no frame selected (--stop is the "
                        "first frame not analysed)\n", o->stop, o->start);
        return 2;
    }
    if (o->jobs == 0)
        o->jobs = usable_cores();
    return -1;
}

/* Whether recorded names the file that given names; 1 also when recorded names no file. */
static int same_file(const char *recorded, const char *given)
{
    struct stat a, b;
    if (stat(recorded, &a) != 0)
        return 1;
    return stat(given, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* DIR/run.summary.json is the folder's one run record (README "vox trajectory"), so a
 * trajectory run would replace whatever run wrote it.  1, with the reason in why, when that
 * is another run's: a vox analyze run's (its structures, their failures: what --resume,
 * vox validate and vox report read) or another trajectory's (its label in config.label).
 * A summary that cannot be read is the earlier behaviour's business: replaced. */
static int other_runs_summary(const char *dir, const char *label, const char *input, char *why, size_t cap)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/run.summary.json", dir);
    summary_owner s;
    summary_owner_of(path, &s);
    if (s.kind == SUMMARY_ANALYZE)
        snprintf(why, cap, "%s is the summary of a vox analyze run (%d structure%s); this trajectory's summary "
                 "would replace it: give the trajectory its own --output-dir (or move that file away)", path,
                 s.structures, s.structures == 1 ? "" : "s");
    else if (s.kind == SUMMARY_TRAJECTORY && s.label[0] && strcmp(s.label, label) != 0)
        snprintf(why, cap, "%s is the summary of the trajectory '%s'; this one's ('%s') would replace it: give each "
                 "trajectory its own --output-dir (or move that file away)", path, s.label, label);
    else if (s.kind == SUMMARY_TRAJECTORY && s.input[0] && !same_file(s.input, input))
        /* the same label from another file (rep1/traj.xtc, then rep2/traj.xtc): its outputs would
         * be replaced.  The recorded path is absolute; one that names no file now (moved, or on
         * another machine) is given the benefit of the doubt */
        snprintf(why, cap, "%s is the summary of the trajectory '%s' read from %s; this one, from %s, has the same "
                 "label and would replace its files: give each trajectory its own --output-dir (or move that file "
                 "away)", path, s.label, s.input, input);
    else
        return 0;
    return 1;
}

int cmd_trajectory(int argc, char **argv)
{
    traj_opts o;
    int prc = parse_options(argc, argv, &o);
    if (prc >= 0)
        return prc;
    const char *traj = o.traj ? o.traj : o.top;
    align_mode mode = !strcmp(o.align, "each") ? ALIGN_EACH : !strcmp(o.align, "reference") ? ALIGN_REFERENCE : ALIGN_NONE;
    const int tracking = mode != ALIGN_EACH;
    char label[256], csv_path[4096], part_path[4200], ckpt_path[4096], path[4096];
    char desc_path[4096], desc_part_path[4200]; /* --write descriptors */
    make_label(traj, label, sizeof label);
    snprintf(csv_path, sizeof csv_path, "%s/%s.frames.csv", o.outdir, label);
    snprintf(part_path, sizeof part_path, "%s.part", csv_path);
    snprintf(desc_path, sizeof desc_path, "%s/%s.descriptors.csv", o.outdir, label);
    snprintf(desc_part_path, sizeof desc_part_path, "%s.part", desc_path);
    snprintf(ckpt_path, sizeof ckpt_path, "%s/%s.checkpoint", o.outdir, label);

    vox_options vo;
    vox_options_init(&vo);
    vo.threads = 1;
    vo.log = cli_log_stderr;
    vo.log_cookie = (void *)"vox trajectory";
    vox_ctx *ctx = NULL; /* for the readers and writers */
    const vox_status ctx_st = vox_ctx_create(&ctx, &vo);
    if (ctx_st != VOX_OK) {
        char why[512];
        explain_ctx_error(ctx_st, NULL, why, sizeof why);
        fprintf(stderr, "vox trajectory: %s\n", why);
        return ctx_st == VOX_E_ISA_UNKNOWN || ctx_st == VOX_E_ISA_UNAVAILABLE ? 2 : 1;
    }
    frame_engine e;
    memset(&e, 0, sizeof e);
    int engine_ok = 0;
    vox_frames *fr = NULL;
    vox_tracker *tk = NULL;
    FILE *part = NULL, *desc = NULL;
    traj_descriptors described = {0}; /* --write descriptors: the rows' writer */
    checkpoint ck;
    memset(&ck, 0, sizeof ck);
    report_traj *rep = NULL; /* --write html */
    int rc = 1;
    staged_set outputs = {0}; /* the final files (below) */
    char err[9000] = "", note[9000] = "";
    int64_t done = 0, failed_frame = -1, next_k = 0;
    int stopped = 0; /* a checkpoint could not be written */
    int resumed = 0;
    double t0 = vox_now();

    if (vox_frames_open(ctx, traj, &fr) != VOX_OK) {
        snprintf(err, sizeof err, "%s", vox_ctx_last_error_detail(ctx));
        goto out;
    }
    /* the engine compares the trajectory's atoms with the topology's (their
     * count; a model file's names too) before anything is written */
    if (!frame_engine_init(&e, o.top, fr, mode, o.fit_ca, o.canonical_signs, o.res, (int)o.jobs, (int)o.threads,
                           o.max_grid, o.max_input, 4, err, sizeof err))
        goto out;
    engine_ok = 1;
    /* the descriptors are computed only when asked for; the labels of their lining residues
     * from the analysed atoms (the same names in every frame and every job's copy) */
    e.ap.descriptors = o.descriptors;
    if (o.descriptors && !traj_descriptors_begin(&described, e.w[0].s)) {
        snprintf(err, sizeof err, "out of memory for the residue labels");
        goto out;
    }
    if (described.replaced) /* (as the volumes JSON warns) */
        fprintf(stderr, "vox trajectory: warning: descriptors.csv: bytes that are not UTF-8 in residue names "
                        "were written as U+FFFD\n");
    if (mkdir_p(o.outdir) != 0) {
        char why[PATH_MAX + 100];
        snprintf(err, sizeof err, "cannot create the output directory %s: %s", o.outdir,
                 directory_fault(o.outdir, errno, why, sizeof why));
        goto out;
    }
    /* One run per output directory, as for `vox analyze` (dirlock.c says why):
     * held until exit, taken before anything there is read, removed or written. */
    {
        char why[PATH_MAX + 512];
        const int lock_fd = dirlock_take(o.outdir, o.wait_lock, "trajectory", why, sizeof why);
        if (lock_fd == -1) {
            snprintf(err, sizeof err, "%s", why);
            goto out;
        }
        if (lock_fd == -2)
            fprintf(stderr, "vox trajectory: %s\n", why);
    }
    /* the folder's one run record: another run's is not replaced (its record would be lost) */
    if (other_runs_summary(o.outdir, label, traj, err, sizeof err))
        goto out;
    /* every file this run will write, and those it opens itself: never written over, or read from,
     * something that is not a regular file, which is found now rather than after the frames (the
     * atomic writer and staged_commit refuse the same) */
    {
        enum { NAMED = 4, MAPS = VOX_CAVITY + 2 }; /* summary, tracks, page, index; a map per type and all */
        char finals[NAMED + MAPS][PATH_MAX];
        const char *own[5 + NAMED + MAPS] = {part_path, csv_path};
        size_t nown = 2;
        if (o.descriptors) /* the descriptors' two only when asked for */
            own[nown++] = desc_part_path, own[nown++] = desc_path;
        /* the rows' part files, opened as they are and renamed onto the tables, come first: the rest
         * are written through a temporary */
        const size_t direct = nown;
        own[nown++] = ckpt_path;
        snprintf(finals[0], PATH_MAX, "%s/run.summary.json", o.outdir);
        own[nown++] = finals[0];
        if (tracking) {
            snprintf(finals[1], PATH_MAX, "%s/%s.tracks.csv", o.outdir, label);
            own[nown++] = finals[1];
        }
        if (o.html) {
            snprintf(finals[2], PATH_MAX, "%s/%s.trajectory.html", o.outdir, label);
            snprintf(finals[3], PATH_MAX, "%s/index.html", o.outdir);
            own[nown++] = finals[2], own[nown++] = finals[3];
        }
        for (int type = -1; o.occupancy && type <= VOX_CAVITY; type++) {
            occupancy_path(o.outdir, label, type, finals[NAMED + 1 + type], PATH_MAX);
            own[nown++] = finals[NAMED + 1 + type];
        }
        for (size_t i = 0; i < nown; i++) {
            const char *what = "";
            vox_path_kind kind = vox_file_kind(own[i], &what);
            if (kind == VOX_PATH_DIRECTORY || kind == VOX_PATH_OTHER) {
                snprintf(err, sizeof err, "%s is %s, not a regular file: nothing written", own[i], what);
                goto out;
            }
            /* the rest are written through a temporary NAME.tmp.PID.XXXXXX: a name too long for one failed
             * at the first checkpoint, or after the last frame, every time (--resume could not help) */
            char why[PATH_MAX + 512];
            const char *base = strrchr(own[i], '/') ? strrchr(own[i], '/') + 1 : own[i];
            if (i < direct && strlen(base) > NAME_MAX) {
                snprintf(err, sizeof err, "cannot write %s: its name is %zu bytes, over the %d a file name may have (a "
                         "shorter label or file name); nothing written", own[i], strlen(base), NAME_MAX);
                goto out;
            }
            if (i >= direct && vox_check_name_length(own[i], why, sizeof why) != VOX_OK) {
                snprintf(err, sizeof err, "%s; nothing written", why);
                goto out;
            }
        }
    }
    /* what killed runs left: this label's temporaries, the folder's run record's, and the report's
     * (index, pages, vox-report/), whose writers are dead (this run holds the folder's lock) */
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s.", label);
    remove_dead_temporaries(o.outdir, prefix, NULL, 0);
    static const char *const run_record[] = {"run.summary.json"};
    remove_dead_temporaries(o.outdir, NULL, run_record, 1);
    report_remove_dead_temporaries(o.outdir);
    if (o.html && !(rep = report_traj_begin(o.outdir, "vox trajectory")))
        goto out;
    char settings[SETTINGS_MAX];
    settings_text(&o, e.w[0].s, settings, sizeof settings);
    if (o.resume) {
        char why[4400];
        int other_settings = 0, refuse = 0;
        if (checkpoint_read(ckpt_path, &ck, why, sizeof why) && !strcmp(ck.settings, settings)) {
            /* the rows files, both looked at before either is cut, and the states restored before
             * that too: a refusal changes nothing */
            char fwhy[PATH_MAX + 200] = "", dwhy[PATH_MAX + 200] = "";
            const int fpart = part_resumable(part_path, ck.csv_len, fwhy, sizeof fwhy);
            const int dpart = o.descriptors ? part_resumable(desc_part_path, ck.desc_len, dwhy, sizeof dwhy) : 1;
            if (fpart == 0) {
                /* no rows of an interrupted run to keep: its run renamed them onto frames.csv (killed
                 * between that and the checkpoint's removal, or a commit that failed part way, whose
                 * message says to run again with --resume) */
                snprintf(note, sizeof note, "the checkpoint %s has no %s beside it (its run wrote its files)", ckpt_path,
                         part_path);
            } else if (fpart < 0 || dpart != 1) {
                snprintf(note, sizeof note, "the checkpoint %s does not match %s", ckpt_path,
                         fpart < 0 ? fwhy : dpart < 0 ? dwhy : desc_part_path);
                if (dpart == 0)
                    snprintf(note + strlen(note), sizeof note - strlen(note), ", which is not there");
                refuse = 1;
            } else if (tracking && vox_tracker_restore(ctx, ck.tracker, ck.tracker_len, &tk) != VOX_OK) {
                snprintf(note, sizeof note, "%s: %s", ckpt_path, vox_ctx_last_error_detail(ctx));
                refuse = 1;
            } else if (rep && !report_traj_restore(rep, ck.report, ck.report_len)) {
                /* (html is in the settings: the page's frames analysed before the interruption) */
                snprintf(note, sizeof note, "%s: the page's frames (--write html) in it are damaged", ckpt_path);
                refuse = 1;
            } else if (!truncate_part(part_path, ck.csv_len, fwhy, sizeof fwhy) ||
                       (o.descriptors && !truncate_part(desc_part_path, ck.desc_len, fwhy, sizeof fwhy))) {
                snprintf(note, sizeof note, "%s", fwhy);
                refuse = 1;
            } else {
                resumed = 1;
                next_k = ck.next_k;
                done = ck.done;
            }
            if (!resumed)
                vox_tracker_free(&tk);
        } else if (ck.settings[0]) {
            char diff[1400];
            settings_difference(ck.settings, settings, diff, sizeof diff);
            snprintf(note, sizeof note, "the checkpoint %s is from other settings (%s)", ckpt_path, diff);
            other_settings = refuse = 1;
        } else {
            snprintf(note, sizeof note, "%s", why);
            refuse = ck.present; /* damaged, unreadable, another version's: not "no checkpoint" */
        }
        /* A checkpoint that is there but cannot be used (a setting mistyped, a damaged file) is an
         * interrupted run's: starting again would truncate its rows, hours of frames perhaps, on
         * the strength of a typo. --resume only goes on; leaving it out starts again. */
        if (refuse) {
            snprintf(err, sizeof err, "not resuming: %s; its checkpoint and rows are kept: %sleave out --resume to "
                     "start again (which replaces its rows)", note,
                     other_settings ? "give the interrupted run's settings to resume it, or " : "");
            rc = other_settings ? 2 : 1;
            goto out;
        }
        if (note[0] && !o.quiet)
            fprintf(stderr, "vox trajectory: %s: starting from the first frame\n", note);
    }
    if (!(part = open_part(part_path, resumed, frames_csv_header, err, sizeof err)) ||
        (o.descriptors && !(desc = open_part(desc_part_path, resumed, TRAJ_DESCRIPTORS_HEADER, err, sizeof err))))
        goto out;
    if (!resumed)
        unlink(ckpt_path);
    /* a descriptors rows file an interrupted run with --write descriptors left: this run neither
     * resumes nor finishes it */
    const char *desc_part_kind = "";
    if (!o.descriptors && vox_file_kind(desc_part_path, &desc_part_kind) == VOX_PATH_REGULAR)
        unlink(desc_part_path);

    struct stat tsb;
    progress pg = {isatty(2), o.quiet, t0, 0.0, done, 0, o.start, o.stop};
    if (stat(traj, &tsb) == 0) pg.size = (uint64_t)tsb.st_size;

    int *track_ids = NULL;
    size_t track_cap = 0;
    double last_ckpt = vox_now();
    /* The checkpoint holds the tracker's whole state, which grows with the lattice and the
     * tracks (12 to 32 bytes a voxel, 80 a track): rewritten every --checkpoint-every seconds
     * it would cost ever more of the run (the total growing with the square of the frames).
     * So the next one waits at least CKPT_COST_RATIO times what the last one took: writing
     * checkpoints takes at most about 1 / CKPT_COST_RATIO of the run's time, whatever the state's
     * size; --checkpoint-every stays the least interval. */
    double ckpt_wait = o.ckpt_every;
    int reference_failed = 0; /* the first frame, analysed for the lattice, failed */
    int64_t k = 0;
    int eof = 0;
    while (!eof && failed_frame < 0) {
        /* read a batch of wanted frames (sequential: the readers stream) */
        int nb = 0;
        while (nb < e.nslots && (o.stop < 0 || k < o.stop)) {
            frame_slot *sl = &e.slots[nb];
            memset(&sl->info, 0, sizeof sl->info);
            sl->info.size = sizeof sl->info;
            int got = 0;
            int wanted = k >= o.start && (k - o.start) % o.stride == 0;
            int need = wanted && (k >= next_k || (tracking && !e.has_reference));
            vox_status st = need ? vox_frames_next(ctx, fr, sl->xyz, &sl->info, &got)
                                 : vox_frames_skip(ctx, fr, &sl->info, &got);
            if (st != VOX_OK) {
                failed_frame = k;
                snprintf(err, sizeof err, "%s", vox_ctx_last_error_detail(ctx));
                break;
            }
            if (!got) {
                eof = 1;
                break;
            }
            sl->index = k++;
            if (!need)
                continue;
            if (tracking && !e.has_reference) {
                char why[2048];
                if (!frame_engine_set_reference(&e, sl->index, sl->xyz, why, sizeof why)) {
                    failed_frame = sl->index;
                    reference_failed = 1;
                    snprintf(err, sizeof err, "%s: %s", traj, why); /* as a slot's error */
                    break;
                }
                if (!tk) {
                    vox_tracker_params tp;
                    vox_tracker_params_init(&tp);
                    tp.resolution = o.res;
                    memcpy(tp.origin, e.ap.grid_origin, sizeof tp.origin);
                    tp.max_gap = (int)o.gap;
                    tp.occupancy = o.occupancy;
                    if (vox_tracker_create(ctx, &tp, &tk) != VOX_OK) {
                        snprintf(err, sizeof err, "%s", vox_ctx_last_error_detail(ctx));
                        failed_frame = sl->index;
                        break;
                    }
                }
                /* the lattice is bounded as a frame's grid is; without --max-grid-voxels a frame
                 * that would multiply it at once (an atom far from the rest) is refused too, since
                 * the default limit is far beyond what a run of one molecule needs and the lattice
                 * costs 12 to 32 bytes a voxel (not in the checkpoint: set on a resumed one too) */
                vox_tracker_set_limits(tk, o.max_grid, o.max_grid_given ? 0 : TRACK_MAX_GROWTH);
                /* Frames on the lattice grow their grid to hold their atoms: one atom gone wild (a damaged
                 * frame, a bad fit) makes a grid of gigabytes, which the tracker's check refused only after
                 * its analysis.  Without --max-grid-voxels a frame's grid is bounded, before it is
                 * allocated, by TRACK_MAX_GROWTH times the first frame's (no molecule's drift needs more). */
                if (!o.max_grid_given) {
                    vox_options defaults; /* the contexts' limit: the bound is set only where it is smaller */
                    vox_options_init(&defaults);
                    const uint64_t bound = (uint64_t)TRACK_MAX_GROWTH * (uint64_t)e.ap.grid_dims[0] *
                                           (uint64_t)e.ap.grid_dims[1] * (uint64_t)e.ap.grid_dims[2];
                    e.ap.max_grid_voxels = bound < defaults.max_grid_voxels ? bound : 0;
                }
                if (sl->index < next_k) /* resumed past the first frame: it only set the reference */
                    continue;
            }
            nb++;
        }
        if (o.stop >= 0 && k >= o.stop)
            eof = 1;
        frame_engine_run(&e, nb);
        /* consume in frame order */
        for (int i = 0; i < nb; i++) {
            frame_slot *sl = &e.slots[i];
            if (sl->failed) {
                failed_frame = sl->index;
                snprintf(err, sizeof err, "%s: %s%s", traj, sl->error,
                         sl->status == VOX_E_GRID_TOO_LARGE && e.ap.max_grid_voxels /* the bound: the smaller limit */
                             ? ": a frame's grid may be at most 64 times the first frame's (a coordinate far from "
                               "the rest, in a damaged frame or after a bad fit); the frames before it are written; "
                               "--max-grid-voxels sets a limit of its own instead"
                             : "");
                break;
            }
            size_t nr = vox_result_count(sl->result);
            if (nr > track_cap) {
                free(track_ids);
                track_cap = nr * 2;
                track_ids = malloc(track_cap * sizeof *track_ids);
                if (!track_ids) {
                    snprintf(err, sizeof err, "out of memory");
                    failed_frame = sl->index;
                    break;
                }
            }
            vox_status ts = tk ? vox_tracker_add(ctx, tk, sl->index, sl->result, track_ids) : VOX_OK;
            if (ts != VOX_OK) {
                const char *why = vox_ctx_last_error_detail(ctx);
                snprintf(err, sizeof err, "%s: frame %lld: %s%s", traj, (long long)sl->index, why,
                         ts != VOX_E_GRID_TOO_LARGE ? ""
                         : !o.max_grid_given && strstr(why, "in one frame")
                             ? "; the frames before it are written (to analyse such frames anyway, give "
                               "--max-grid-voxels: it then bounds the lattice instead)"
                             : "; the frames before it are written (the limit is --max-grid-voxels; the lattice "
                               "holds 12 bytes a voxel, 32 with --write occupancy)");
                failed_frame = sl->index;
                break;
            }
            if (rep && !report_traj_frame(rep, &e, sl, tk ? track_ids : NULL)) {
                snprintf(err, sizeof err, "frame %lld: out of memory for the HTML page", (long long)sl->index);
                failed_frame = sl->index;
                break;
            }
            int rows_ok = 1;
            for (size_t j = 0; j < nr && rows_ok; j++) {
                vox_volume v = {.size = sizeof v};
                vox_result_volume(sl->result, j, &v);
                if (v.type == VOX_OCCLUDED)
                    continue;
                csv_row(part, sl->index, &sl->info, &v, tk ? track_ids[j] : -1);
                if (desc)
                    rows_ok = traj_descriptors_row(desc, &described, sl->index, sl->result, j, &v, tk ? track_ids[j] : -1);
            }
            if (!rows_ok) {
                snprintf(err, sizeof err, "frame %lld: out of memory for its descriptors", (long long)sl->index);
                failed_frame = sl->index;
                break;
            }
            vox_result_free(&sl->result);
            done++;
            next_k = sl->index + 1;
        }
        if (nb > 0)
            progress_show(&pg, done, k, e.slots[nb - 1].info.offset, 0);
        if (failed_frame < 0 && !eof && vox_now() - last_ckpt >= ckpt_wait) {
            const double ckpt_t0 = vox_now();
            /* the rows reach the kernel before the checkpoint that counts them */
            if (fflush(part) != 0 || (desc && fflush(desc) != 0)) {
                snprintf(err, sizeof err, "cannot write %s: %s", desc && ferror(desc) ? desc_part_path : part_path,
                         strerror(errno));
                stopped = 1;
                break;
            }
            free(ck.tracker);
            free(ck.report); /* (a resumed run's, as read) */
            ck.tracker = ck.report = NULL;
            ck.tracker_len = ck.report_len = 0;
            snprintf(ck.settings, sizeof ck.settings, "%s", settings);
            ck.next_k = next_k;
            ck.done = done;
            ck.csv_len = (uint64_t)ftell(part);
            ck.desc_len = desc ? (uint64_t)ftell(desc) : 0;
            vox_buf rb = {0};
            if ((tk && vox_tracker_save(tk, &ck.tracker, &ck.tracker_len) != VOX_OK) ||
                (rep && !report_traj_save(rep, &rb))) {
                vox_buf_free(&rb);
                snprintf(err, sizeof err, "out of memory for the checkpoint");
                stopped = 1;
                break;
            }
            ck.report = rb.data;
            ck.report_len = rb.len;
            int wrote_ck = checkpoint_write(ctx, ckpt_path, &ck, err, sizeof err);
            vox_buf_free(&rb);
            ck.report = NULL;
            ck.report_len = 0;
            if (!wrote_ck) {
                stopped = 1;
                break;
            }
            last_ckpt = vox_now();
            free(ck.tracker); /* not kept between checkpoints: as large as the lattice */
            ck.tracker = NULL;
            ck.tracker_len = 0;
            ckpt_wait = fmax(o.ckpt_every, CKPT_COST_RATIO * (last_ckpt - ckpt_t0));
        }
    }
    free(track_ids);
    if (stopped) /* not a frame that cannot be read: the run's own files cannot be written (a full disk) */
        goto not_replaced;
    if (resumed && reference_failed) {
        /* a resumed run whose first frame, read again for the lattice, failed (another --max-grid-voxels,
         * say): it analysed nothing, so the checkpoint and its rows stay for a --resume that can */
        const size_t n = strlen(err);
        snprintf(err + n, sizeof err - n, "; no frame was analysed: nothing written, and %s and its rows are kept "
                 "for --resume", ckpt_path);
        goto out;
    }
    if (done == 0) {
        /* no frame analysed: the first one failed, or the file ended before --start (--stop is after
         * it; an empty table with exit 0 would pass for a run whose frames have no volumes).  Nothing
         * is written: a header-only table would replace an earlier run's, and its tracks and maps
         * would go with it. */
        if (failed_frame >= 0) {
            const size_t n = strlen(err);
            snprintf(err + n, sizeof err - n, "; no frame was analysed: nothing written (the folder's earlier "
                     "finished files are kept)");
        } else if (k == 0)
            snprintf(err, sizeof err, "%s has no frames", traj);
        else
            snprintf(err, sizeof err, "%s has %lld frame%s (0 to %lld): --start %ld selects none", traj, (long long)k,
                     k == 1 ? "" : "s", (long long)k - 1, o.start);
        fclose(part);
        part = NULL;
        unlink(part_path);
        if (desc) {
            fclose(desc);
            desc = NULL;
            unlink(desc_part_path);
        }
        goto out;
    }
    progress_show(&pg, done, k, pg.size, 1);
    /* the final files: the rows (frames before a failure included), tracks, maps, page, summary,
     * staged first and renamed together once all are written (staged.h): a run that cannot write
     * one of them leaves the folder's earlier set whole, and its rows and checkpoint for --resume */
    {
        FILE *f = part;
        part = NULL;
        if (!stage_part(&outputs, f, part_path, csv_path, err, sizeof err))
            goto not_replaced;
        f = desc;
        desc = NULL;
        if (f && !stage_part(&outputs, f, desc_part_path, desc_path, err, sizeof err))
            goto not_replaced;
    }
    char msg[9000];
    if (tk && done > 0) {
        snprintf(path, sizeof path, "%s/%s.tracks.csv", o.outdir, label);
        if (!stage_tracks(&outputs, tk, path, msg, sizeof msg) ||
            (o.occupancy && !stage_occupancy(ctx, &outputs, tk, &e.to_aligned, o.outdir, label, msg, sizeof msg))) {
            snprintf(err, sizeof err, "%s", msg);
            goto not_replaced;
        }
    }
    if (rep && done > 0) {
        report_traj_run rr = {o.outdir, label, o.traj, o.align, o.res, o.start, o.stride, done, tracking};
        if (!report_traj_finish(rep, &e, &rr, &outputs, msg, sizeof msg)) {
            snprintf(err, sizeof err, "%s", msg);
            goto not_replaced;
        }
    }
    double secs = vox_now() - t0;
    cJSON *sum = cJSON_CreateObject(), *cfg = cJSON_AddObjectToObject(sum, "config");
    cJSON_AddStringToObject(cfg, "command", "trajectory");
    cJSON_AddStringToObject(cfg, "label", label);
    cJSON_AddStringToObject(cfg, "topology", o.top);
    if (o.traj) cJSON_AddStringToObject(cfg, "trajectory", o.traj);
    else cJSON_AddNullToObject(cfg, "trajectory");
    /* the frames' file, absolute: a later run into this folder tells it from another file of the
     * same label whatever its working directory (other_runs_summary) */
    char *frames_file = realpath(traj, NULL);
    cJSON_AddItemToObject(cfg, "frames_file", pyjson_str_or_null(frames_file));
    free(frames_file);
    cJSON_AddStringToObject(cfg, "format", vox_frames_format(fr));
    cJSON_AddNumberToObject(cfg, "resolution", o.res);
    cJSON_AddStringToObject(cfg, "align", o.align);
    if (mode == ALIGN_REFERENCE) cJSON_AddStringToObject(cfg, "fit", o.fit_ca ? "ca" : "heavy");
    if (mode != ALIGN_NONE) cJSON_AddStringToObject(cfg, "frame_signs", o.canonical_signs ? "canonical" : "volumizer");
    cJSON_AddItemToObject(cfg, "start", json_whole(o.start));
    if (o.stop >= 0) cJSON_AddItemToObject(cfg, "stop", json_whole(o.stop));
    else cJSON_AddNullToObject(cfg, "stop");
    cJSON_AddItemToObject(cfg, "stride", json_whole(o.stride));
    cJSON_AddNumberToObject(cfg, "jobs", (double)o.jobs);
    cJSON_AddNumberToObject(cfg, "threads", (double)o.threads);
    if (tracking) cJSON_AddNumberToObject(cfg, "track_gap", (double)o.gap);
    cJSON_AddBoolToObject(cfg, "occupancy", o.occupancy);
    cJSON_AddBoolToObject(cfg, "descriptors", o.descriptors);
    cJSON_AddNumberToObject(cfg, "atoms", (double)e.atoms);
    cJSON_AddNumberToObject(cfg, "analysed_atoms", (double)e.nkept);
    if (e.has_reference) {
        cJSON *g = cJSON_AddObjectToObject(cfg, "grid");
        cJSON_AddItemToObject(g, "origin", cJSON_CreateDoubleArray(e.ap.grid_origin, 3));
        cJSON_AddItemToObject(g, "dims", cJSON_CreateIntArray(e.ap.grid_dims, 3));
        cJSON_AddNumberToObject(g, "first_frame", (double)e.first_index);
    }
    cJSON_AddNumberToObject(sum, "frames_done", (double)done);
    if (tk) cJSON_AddNumberToObject(sum, "tracks", (double)vox_tracker_track_count(tk));
    cJSON_AddBoolToObject(sum, "resumed", resumed);
    cJSON *fails = cJSON_AddArrayToObject(sum, "failures");
    if (failed_frame >= 0) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "frame", (double)failed_frame);
        cJSON_AddStringToObject(f, "error", err);
        cJSON_AddItemToArray(fails, f);
    }
    cJSON_AddNumberToObject(sum, "seconds", secs);
    cJSON_AddNumberToObject(sum, "frames_per_second", secs > 0 ? (double)(done - pg.done0) / secs : 0.0);
    /* printed as vox analyze prints its summary: a path's bytes that are not UTF-8 (a Latin-1
     * file name) as Python's surrogate escapes (\udce9), so the document stays valid JSON */
    vox_buf js = {0};
    pyjson_print(&js, sum);
    cJSON_Delete(sum);
    snprintf(path, sizeof path, "%s/run.summary.json", o.outdir);
    int wrote = !js.oom && staged_write(&outputs, path, js.data ? js.data : "", js.len, VOX_SYNC_DATA, msg, sizeof msg);
    if (js.oom) snprintf(msg, sizeof msg, "out of memory for %s", path);
    vox_buf_free(&js);
    if (!wrote) {
        snprintf(err, sizeof err, "%s", msg);
        goto not_replaced;
    }
    if (!staged_commit(&outputs, msg, sizeof msg)) {
        snprintf(err, sizeof err, "%s", msg);
        if (outputs.committed > 0) {
            /* a rename failed halfway (EBUSY, EIO): the folder holds some of this run's files and some of
             * an earlier run's, so no summary may say that a run finished here */
            unlink(path);
            const size_t n = strlen(err);
            snprintf(err + n, sizeof err - n, "; %zu of this run's files were replaced before it, so %s is removed: "
                     "run again with --resume", outputs.committed, path);
            goto out;
        }
        goto not_replaced;
    }
    remove_unwritten_outputs(o.outdir, label, o.descriptors, tk && done > 0, o.occupancy && tk && done > 0,
                             rep && done > 0);
    /* the folder's index lists the frames the summary counts (frames.csv cannot: a frame
     * without volumes has no row there) */
    if (rep && done > 0 && !report_traj_index(rep, o.outdir, msg, sizeof msg)) {
        snprintf(err, sizeof err, "%s", msg);
        goto out;
    }
    unlink(ckpt_path);
    if (!o.quiet)
        fprintf(stderr, "vox trajectory: %lld frames in %.2f s (%.1f frames/s)%s\n", (long long)done, secs,
                secs > 0 ? (double)(done - pg.done0) / secs : 0.0, resumed ? ", resumed" : "");
    rc = failed_frame >= 0 ? 1 : 0;
    goto out;
not_replaced: {
    /* a file of the run could not be written: the earlier files stay, and the rows part file and
     * the last checkpoint for --resume */
    const size_t n = strlen(err);
    snprintf(err + n, sizeof err - n, "; nothing replaced: run again with --resume once it can be written");
}
out:
    staged_discard(&outputs);
    if (err[0])
        fprintf(stderr, "vox trajectory: %s\n", err);
    if (part)
        fclose(part);
    if (desc)
        fclose(desc);
    traj_descriptors_end(&described);
    free(ck.tracker);
    free(ck.report);
    report_traj_free(&rep);
    vox_tracker_free(&tk);
    if (engine_ok)
        frame_engine_free(&e);
    vox_frames_close(&fr);
    vox_ctx_destroy(&ctx);
    return rc;
}
