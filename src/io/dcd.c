/* dcd.c - DCD trajectories (CHARMM, NAMD, X-PLOR, OpenMM, MDAnalysis)
 *
 * A DCD file is Fortran unformatted records: each is a byte count, the
 * bytes, the same count again.  The header is three records (84 bytes:
 * "CORD" + 20 int32 ICNTRL; the titles; NATOM), then every frame is an
 * optional unit-cell record (6 float64: A, gamma, B, beta, alpha, C), the
 * X, Y and Z records (NATOM float32 each, Å) and, in 4D files, a fourth.
 * The byte order and the marker width (4, or 8 in some old 64-bit builds)
 * are read off the first marker, which must say 84.  Every frame has the
 * same size, so a frame is read whole and its markers checked: a file that
 * disagrees with its own header is refused at the frame where it does.
 * NSET (the frame count in the header) is not trusted: writers that stop
 * early leave it wrong; the end of the file decides.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

#define DCD_MAX_ATOMS 100000000 /* far above any simulated system; refuses garbage headers */
#define AKMA_PS 0.04888821      /* CHARMM's AKMA time unit in ps */

typedef struct dcd_state {
    int swap;            /* the file's byte order is not ours */
    int marker;          /* 4 or 8 */
    int has_cell, has_4d;
    int32_t istart, nsavc;
    double delta;        /* AKMA time units */
    uint64_t header_end; /* offset of frame 0 */
    size_t frame_bytes;
    unsigned char *buf;  /* one frame, allocated at the first read */
} dcd_state;

static uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }

static int32_t get_i32(const dcd_state *d, const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return (int32_t)(d->swap ? bswap32(v) : v);
}

static int64_t get_marker(const dcd_state *d, const unsigned char *p)
{
    if (d->marker == 4)
        return get_i32(d, p);
    uint64_t v;
    memcpy(&v, p, 8);
    return (int64_t)(d->swap ? __builtin_bswap64(v) : v);
}

static float get_f32(const dcd_state *d, const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    if (d->swap) v = bswap32(v);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

static double get_f64(const dcd_state *d, const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    if (d->swap) v = __builtin_bswap64(v);
    double f;
    memcpy(&f, &v, 8);
    return f;
}

int vox_dcd_sniff(const unsigned char *h, size_t n)
{
    static const unsigned char le32[8] = {84, 0, 0, 0, 'C', 'O', 'R', 'D'}, be32[8] = {0, 0, 0, 84, 'C', 'O', 'R', 'D'};
    static const unsigned char le64[12] = {84, 0, 0, 0, 0, 0, 0, 0, 'C', 'O', 'R', 'D'};
    static const unsigned char be64[12] = {0, 0, 0, 0, 0, 0, 0, 84, 'C', 'O', 'R', 'D'};
    return (n >= 8 && (!memcmp(h, le32, 8) || !memcmp(h, be32, 8))) ||
           (n >= 12 && (!memcmp(h, le64, 12) || !memcmp(h, be64, 12)));
}

/* Reads one header record whose payload must be `want` bytes (0: any, up
 * to cap) into p; returns the payload length, or -1 after recording why. */
static long header_record(vox_ctx *ctx, vox_frames *fr, dcd_state *d, const char *what, unsigned char *p,
                          size_t want, size_t cap)
{
    unsigned char m[8];
    long pos = ftell(fr->f);
    if (fread(m, 1, (size_t)d->marker, fr->f) != (size_t)d->marker)
        return vox_fail(ctx, VOX_E_PARSE, "%s: DCD header ends before its %s record (byte offset %ld)", fr->path,
                        what, pos), -1;
    int64_t len = get_marker(d, m);
    if (len < 0 || (want && (size_t)len != want) || (!want && (size_t)len > cap))
        return vox_fail(ctx, VOX_E_PARSE, "%s: DCD %s record at byte offset %ld says %lld bytes, expected %zu",
                        fr->path, what, pos, (long long)len, want ? want : cap), -1;
    if (fread(p, 1, (size_t)len, fr->f) != (size_t)len || fread(m, 1, (size_t)d->marker, fr->f) != (size_t)d->marker)
        return vox_fail(ctx, VOX_E_PARSE, "%s: DCD header ends inside its %s record (byte offset %ld)", fr->path,
                        what, pos), -1;
    if (get_marker(d, m) != len)
        return vox_fail(ctx, VOX_E_PARSE, "%s: DCD %s record at byte offset %ld: its closing marker says %lld, not %lld",
                        fr->path, what, pos, (long long)get_marker(d, m), (long long)len), -1;
    return (long)len;
}

static void dcd_close(void *state)
{
    dcd_state *d = state;
    if (d)
        free(d->buf);
    free(d);
}

static vox_status dcd_read(vox_ctx *ctx, vox_frames *fr, float *xyz, vox_frame_info *info, int *got)
{
    dcd_state *d = fr->state;
    int64_t k = fr->next_index;
    uint64_t off = d->header_end + (uint64_t)k * d->frame_bytes;
    if (off >= fr->file_size)
        return VOX_OK; /* the end */
    if (fr->file_size - off < d->frame_bytes)
        return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu is truncated: the file ends after %llu of its %zu bytes",
                        fr->path, (long long)k, (unsigned long long)off, (unsigned long long)(fr->file_size - off),
                        d->frame_bytes);
    if (!d->buf && !(d->buf = malloc(d->frame_bytes)))
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for a %zu-byte DCD frame", d->frame_bytes);
    if (fseeko(fr->f, (off_t)off, SEEK_SET) != 0 || fread(d->buf, 1, d->frame_bytes, fr->f) != d->frame_bytes)
        return vox_fail(ctx, VOX_E_IO, "%s: frame %lld at byte offset %llu: read error", fr->path, (long long)k,
                        (unsigned long long)off);
    const size_t m = (size_t)d->marker, coord = 4 * fr->natoms;
    const unsigned char *p = d->buf;
    static const char *const names[] = {"unit-cell", "x", "y", "z", "fourth-dimension"};
    const unsigned char *rec[5] = {NULL, NULL, NULL, NULL, NULL};
    for (int r = d->has_cell ? 0 : 1; r < (d->has_4d ? 5 : 4); r++) {
        size_t want = r == 0 ? 48 : coord;
        int64_t a = get_marker(d, p), b = get_marker(d, p + m + want);
        if (a != (int64_t)want || b != (int64_t)want)
            return vox_fail(ctx, VOX_E_PARSE,
                            "%s: frame %lld at byte offset %llu: the %s record at byte offset %llu says %lld bytes, expected %zu (%s)",
                            fr->path, (long long)k, (unsigned long long)off, names[r],
                            (unsigned long long)(off + (uint64_t)(p - d->buf)), (long long)(a != (int64_t)want ? a : b),
                            want, r == 0 ? "6 float64" : "4 bytes for each of the header's NATOM atoms");
        rec[r] = p + m;
        p += 2 * m + want;
    }
    if (xyz) {
        for (size_t i = 0; i < fr->natoms; i++)
            for (int c = 0; c < 3; c++)
                xyz[3 * i + c] = get_f32(d, rec[1 + c] + 4 * i);
        /* float32 records hold inf and NaN as well (a blown-up simulation writes them on) */
        const size_t bad = vox_first_nonfinite(xyz, 3 * fr->natoms);
        if (bad < 3 * fr->natoms)
            /* the atom's 0-based index, as vox_structure_set_coords names it */
            return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: atom %zu (0-based): %c coordinate is not a "
                            "finite number (%g)", fr->path, (long long)k, (unsigned long long)off, bad / 3,
                            "xyz"[bad % 3], (double)xyz[bad]);
    }
    info->index = k;
    info->offset = off;
    if (d->delta > 0 && d->nsavc > 0) {
        info->time_ps = ((double)d->istart + (double)k * d->nsavc) * d->delta * AKMA_PS;
        info->has_time = isfinite(info->time_ps); /* an infinite DELTA is no time */
    }
    if (rec[0]) {
        double u[6];
        for (int i = 0; i < 6; i++) u[i] = get_f64(d, rec[0] + 8 * i);
        double ang[3] = {u[4], u[3], u[1]}; /* alpha, beta, gamma */
        /* Older CHARMM and NAMD store the cosines of the angles, newer ones degrees. */
        if (fabs(ang[0]) <= 1.0 && fabs(ang[1]) <= 1.0 && fabs(ang[2]) <= 1.0)
            for (int i = 0; i < 3; i++) ang[i] = acos(ang[i]) * 180.0 / M_PI;
        /* A cell no crystal has is no box (writers without periodic boundaries leave zeros,
         * damage leaves anything): lengths finite and positive, angles inside (0, 180) (the
         * comparisons are false for NaN), and a box that is all finite floats, which also
         * refuses lengths past float range and angles no three vectors make (alpha + beta <
         * gamma: vox_box_from_cell takes the square root of a negative number). */
        int ok = 1;
        for (int i = 0; i < 3; i++) {
            const double len = u[i == 0 ? 0 : i == 1 ? 2 : 5];
            ok &= len > 0 && isfinite(len) && ang[i] > 0 && ang[i] < 180;
        }
        if (ok) {
            float box[3][3];
            vox_box_from_cell(box, u[0], u[2], u[5], ang[0], ang[1], ang[2]);
            if (vox_first_nonfinite(&box[0][0], 9) == 9) {
                memcpy(info->box, box, sizeof box);
                info->has_box = 1;
            }
        }
    }
    *got = 1;
    return VOX_OK;
}

vox_status vox_dcd_open(vox_ctx *ctx, vox_frames *fr)
{
    dcd_state *d = calloc(1, sizeof *d);
    if (!d)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory opening %s", fr->path);
    vox_frames_attach(fr, "dcd", dcd_read, dcd_close, d);
    unsigned char h[12];
    if (fread(h, 1, sizeof h, fr->f) != sizeof h)
        return vox_fail(ctx, VOX_E_PARSE, "%s: DCD header truncated", fr->path);
    d->marker = memcmp(h + 4, "CORD", 4) == 0 ? 4 : 8;
    d->swap = d->marker == 4 ? h[0] == 0 : h[0] == 0 && h[7] == 84;
    rewind(fr->f);
    unsigned char hdr[84], titles[4 + 80 * 1000], nat[4];
    if (header_record(ctx, fr, d, "first (CORD + ICNTRL)", hdr, 84, 0) < 0)
        return VOX_E_PARSE;
    int32_t ic[20];
    for (int i = 0; i < 20; i++) ic[i] = get_i32(d, hdr + 4 + 4 * i);
    int charmm = ic[19] != 0;
    d->istart = ic[1];
    d->nsavc = ic[2];
    if (ic[0] < 0)
        return vox_fail(ctx, VOX_E_PARSE, "%s: DCD header NSET is %d, expected a frame count >= 0", fr->path, ic[0]);
    if (ic[8] != 0)
        return vox_fail(ctx, VOX_E_FORMAT,
                        "%s: the DCD has %d fixed atoms (NAMNF); fixed-atom DCDs are not supported: write all atoms every frame",
                        fr->path, ic[8]);
    if (charmm) {
        d->delta = get_f32(d, hdr + 4 + 4 * 9);
        d->has_cell = ic[10] != 0;
        d->has_4d = ic[11] != 0;
    } else {
        d->delta = get_f64(d, hdr + 4 + 4 * 9); /* X-PLOR: a float64 over ICNTRL[9..10], no unit cell */
    }
    long tl = header_record(ctx, fr, d, "title", titles, 0, sizeof titles);
    if (tl < 0)
        return VOX_E_PARSE;
    if (tl < 4 || get_i32(d, titles) < 0 || (long)(4 + 80 * (long)get_i32(d, titles)) != tl)
        return vox_fail(ctx, VOX_E_PARSE, "%s: DCD title record of %ld bytes does not hold NTITLE = %d lines of 80 bytes",
                        fr->path, tl, tl >= 4 ? get_i32(d, titles) : -1);
    if (header_record(ctx, fr, d, "NATOM", nat, 4, 0) < 0)
        return VOX_E_PARSE;
    int32_t natom = get_i32(d, nat);
    if (natom <= 0 || natom > DCD_MAX_ATOMS)
        return vox_fail(ctx, VOX_E_PARSE, "%s: DCD header NATOM is %d, expected 1 to %d atoms", fr->path, natom,
                        DCD_MAX_ATOMS);
    fr->natoms = (size_t)natom;
    d->header_end = (uint64_t)ftell(fr->f);
    size_t m2 = 2 * (size_t)d->marker, coord = 4 * fr->natoms;
    d->frame_bytes = (d->has_cell ? 48 + m2 : 0) + (size_t)(d->has_4d ? 4 : 3) * (coord + m2);
    return VOX_OK;
}
