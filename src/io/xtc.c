/* xtc.c - GROMACS XTC trajectories (compressed coordinates)
 *
 * An XTC file is a run of frames in XDR (big-endian) with nothing before the
 * first: per frame, int32 magic (1995), natoms, step, float32 time (ps), the
 * 3x3 float32 box (nm, vectors as rows), natoms again, then the coordinates.
 * Up to 9 atoms they are plain float32 (nm).  Above, they are integers
 * (round(x * precision)) packed by Frans van Hoesel's xdr3dfcoord scheme:
 * float32 precision, int32 minint[3], maxint[3], smallidx, the byte count
 * (int64 under magic 2023, GROMACS's format for very large systems) and the
 * bytes, padded to a multiple of 4.
 *
 * The packed stream is one MSB-first bit string.  Each step codes one atom
 * "big": its three integers relative to minint, packed together as one
 * mixed-radix number of bitsize bits (radices sizeint = maxint - minint + 1),
 * or, when a range exceeds 2^24, as three fields of their own widths.  Then
 * a flag bit: 1 means a 5-bit code follows, code = run + is_smaller + 1 with
 * run a multiple of 3; 0 means "the same run as last time".  run/3 atoms
 * follow "small": each as a mixed-radix triple of smallidx bits with radix
 * magicints[smallidx], a delta from the atom before it, offset by half the
 * radix.  The first small atom comes before the big one in atom order (the
 * writer swaps them: in water, O-H deltas are smaller than H-O-H ones).
 * After the run, smallidx moves by is_smaller (-1, 0, +1).
 *
 * Frames have no fixed size: the byte count gives the next frame's offset,
 * which is how skip() moves on without decoding.  Every field that sizes
 * something is checked before it is used: natoms against the first frame,
 * the byte count against what natoms atoms can need and against the file,
 * runs against the atoms left, smallidx against the table, and the bit
 * reader against the byte count.  Every decoded integer must lie within
 * [minint, maxint] (writers compute those bounds over all atoms), which
 * catches most damage inside the packed bytes.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

#define XTC_MAGIC 1995
#define XTC_MAGIC_LARGE 2023       /* same coding, 64-bit byte count */
#define XTC_MAX_ATOMS 100000000    /* as for DCD: refuses garbage headers */
#define XTC_BASE_HEADER 56         /* magic .. box, natoms again */
#define XTC_FIRSTIDX 9             /* smallest usable magicints index */
#define XTC_LASTIDX 72             /* largest */
/* The smallest precision (integers per nm) a frame may have.  A packed
 * coordinate is an int32 v, read as float32(v * float32(1 / precision)) * 10
 * Å; for |v| <= 2^31 that stays below FLT_MAX (3.4e38) when precision >=
 * 2^31 * 10 / FLT_MAX = 6.3e-29, so from this bound up every integer the
 * format can hold decodes to a finite float, and no decoded coordinate
 * needs a check of its own.  Below it, 1 / precision itself overflows for
 * subnormal values (a precision of 1.4e-45 makes every coordinate inf or
 * NaN).  GROMACS writes 1000 (0.001 nm) by default; nothing near the bound
 * is a real setting, so it refuses only damage. */
#define XTC_MIN_PRECISION 1e-28f
/* Most packed bits one big atom and its run can take: 3 x 32 + 1 + 5 for the
 * big atom and its flags, 10 x 72 for a run of 10 small atoms.  The buffer
 * holds this many zero bytes past the data, so the reader checks its
 * position once per big atom instead of once per field. */
#define XTC_SLACK ((3 * 32 + 6 + 10 * XTC_LASTIDX) / 8 + 16)

/* Radix of the small triples for each smallidx: about 2^(smallidx/3), so a
 * triple fits in smallidx bits.  The values are fixed by the format. */
static const uint32_t magicints[XTC_LASTIDX + 1] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 10, 12, 16, 20, 25, 32, 40, 50, 64,
    80, 101, 128, 161, 203, 256, 322, 406, 512, 645, 812, 1024, 1290,
    1625, 2048, 2580, 3250, 4096, 5060, 6501, 8192, 10321, 13003,
    16384, 20642, 26007, 32768, 41285, 52015, 65536, 82570, 104031,
    131072, 165140, 208063, 262144, 330280, 416127, 524287, 660561,
    832255, 1048576, 1321122, 1664510, 2097152, 2642245, 3329021,
    4194304, 5284491, 6658042, 8388607, 10568983, 13316085, 16777216};

typedef struct xtc_state {
    uint64_t next_off;   /* byte offset of frame fr->next_index */
    uint64_t pos;        /* where the stream stands (saves a seek per frame) */
    unsigned char *buf;  /* one frame's packed bytes + XTC_SLACK zeros */
    size_t cap;
    struct divider *small; /* by smallidx: magicints[] as dividers */
} xtc_state;

/* One frame's header, as read. */
typedef struct xtc_head {
    int32_t magic, natoms, step, lsize;
    float time, box[9];
    float precision;
    int32_t minint[3], maxint[3], smallidx;
    uint64_t nbytes;     /* packed bytes (before padding) */
    uint64_t size;       /* the whole frame */
} xtc_head;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static float bef32(const unsigned char *p)
{
    uint32_t v = be32(p);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

int vox_xtc_sniff(const unsigned char *h, size_t n)
{
    if (n < 8)
        return 0;
    int32_t magic = (int32_t)be32(h), natoms = (int32_t)be32(h + 4);
    return (magic == XTC_MAGIC || magic == XTC_MAGIC_LARGE) && natoms > 0;
}

/* ---- bit reader ----------------------------------------------------- */

typedef struct bits {
    const unsigned char *p;
    uint64_t pos; /* in bits from p */
} bits;

/* The 64 bits starting at bit pos, MSB first; at least 57 of them are real. */
static inline uint64_t peek64(const unsigned char *p, uint64_t pos)
{
    uint64_t w;
    memcpy(&w, p + (pos >> 3), 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w << (pos & 7);
}

/* The next n bits (1 <= n <= 32) as an unsigned number. */
static inline uint32_t get_bits(bits *b, int n)
{
    uint64_t w = peek64(b->p, b->pos);
    b->pos += (unsigned)n;
    return (uint32_t)(w >> (64 - n));
}

/* ---- division by a frame's radices ---------------------------------------
 *
 * Unpacking divides every packed number twice by radices that stay fixed
 * for a whole frame (or a whole file: the small-atom table).  A hardware
 * 64-bit division costs tens of cycles; multiplying by a precomputed
 * reciprocal costs a few (Granlund and Montgomery, "Division by invariant
 * integers using multiplication", PLDI 1994, fig. 4.1): with l =
 * ceil(log2 d) and m = floor(2^64 (2^l - d) / d) + 1, t = mulhi(m, n) and
 * q = (t + ((n - t) >> 1)) >> (l - 1) is floor(n / d) for every 64-bit n.
 * Exact, so the results do not depend on which path ran. */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 xtc_u128;
#endif

typedef struct divider {
    uint64_t d, m;
    int sh1, sh2;
} divider;

static divider divider_for(uint32_t d) /* d >= 1 */
{
    divider v = {d, 0, 0, 0};
    int l = 0;
    while (l < 32 && ((uint64_t)1 << l) < d) l++;
#ifdef __SIZEOF_INT128__
    v.m = (uint64_t)(((xtc_u128)(((uint64_t)1 << l) - d) << 64) / d) + 1;
#endif
    v.sh1 = l > 0;
    v.sh2 = l > 0 ? l - 1 : 0;
    return v;
}

static inline uint64_t div_by(const divider *v, uint64_t n)
{
#ifdef __SIZEOF_INT128__
    uint64_t t = (uint64_t)(((xtc_u128)v->m * n) >> 64);
    return (t + ((n - t) >> v->sh1)) >> v->sh2;
#else
    return n / v->d;
#endif
}

/* Numbers over 56 bits (up to 72: three radices of 2^24): long division
 * by each radix, base 256. */
static void get_ints_long(bits *b, int nb, const uint32_t s[3], uint32_t n[3])
{
    unsigned bytes[10] = {0};
    int nbytes = 0;
    for (; nb > 8; nb -= 8) bytes[nbytes++] = get_bits(b, 8);
    bytes[nbytes++] = get_bits(b, nb);
    for (int i = 2; i > 0; i--) {
        uint64_t rem = 0;
        for (int j = nbytes - 1; j >= 0; j--) {
            rem = rem << 8 | bytes[j];
            bytes[j] = (unsigned)(rem / s[i]);
            rem %= s[i];
        }
        n[i] = (uint32_t)rem;
    }
    n[0] = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

/* Three integers packed as one number N = (n0 * s1 + n1) * s2 + n2 of nb
 * bits.  The format sends N least significant byte first, each byte as 8
 * bits (the top, partial byte as its nb % 8 bits), so the bytes of N come
 * in the reverse of their order in the stream.  n0 takes the low 32 bits of
 * what is left after the two divisions, as the format's reference reader
 * does (only a damaged stream leaves more). */
static inline void get_ints(bits *b, int nb, const divider *s1, const divider *s2, uint32_t n[3])
{
    if (nb <= 56) { /* one window holds them: reverse the bytes in a register */
        uint64_t t = peek64(b->p, b->pos) >> (64 - nb);
        b->pos += (unsigned)nb;
        int full = nb >> 3, r = nb & 7;
        uint64_t v = r ? (t & ((1u << r) - 1)) << (8 * full) : 0;
        if (full)
            v |= __builtin_bswap64((t >> r) << (64 - 8 * full));
        uint64_t q = div_by(s2, v);
        n[2] = (uint32_t)(v - q * s2->d);
        v = div_by(s1, q);
        n[1] = (uint32_t)(q - v * s1->d);
        n[0] = (uint32_t)v;
        return;
    }
    get_ints_long(b, nb, (uint32_t[3]){0, (uint32_t)s1->d, (uint32_t)s2->d}, n);
}

/* Bits needed for a number below size (size >= 1): its bit length. */
static int bits_for(uint64_t size)
{
    int n = 0;
    while (n < 64 && (size >> n) != 0) n++;
    return n;
}

/* Bits the big triple takes: the bit length of s0 * s1 * s2 (each < 2^24,
 * so the product needs up to 72 bits: kept as a 32-bit high part and a
 * 48-bit low part). */
static int bits_for_product(const uint32_t s[3])
{
    uint64_t a = (uint64_t)s[0] * s[1];              /* < 2^48 */
    uint64_t lo = (a & 0xffffffffu) * s[2];          /* < 2^56 */
    uint64_t hi = (a >> 32) * s[2] + (lo >> 32);     /* the product >> 32 */
    return hi >> 32 ? 32 + bits_for(hi) : bits_for(hi << 32 | (lo & 0xffffffffu));
}

/* ---- units ------------------------------------------------------------ */

/* Å from the packed integer v.  This is, bit for bit, what MDAnalysis (and
 * every libxdrfile-based reader) returns: the reference decoder multiplies
 * in float32, v * inv_precision with inv_precision = (float)(1.0 /
 * precision), and MDAnalysis scales nm to Å in place in its float32 array
 * (x *= 10.0, a float32 multiply): Å = float32(float32(v * float32(1 /
 * precision)) * 10).  Checked against the shared 1aki-md run, whose DCD
 * MDAnalysis wrote from the XTC: all 201 frames equal with memcmp.  Of its
 * 1,181,880 values, other formulas miss many: float32(v * (1.0 / precision))
 * * 10 and float32(v / precision) * 10 differ in 50 %, float32 throughout
 * with one factor float32(1 / precision * 10) in 36 %, float32(v / 100) in
 * 57 %, float32 of the whole product in double in 29 %. */
static inline float to_angstrom(int32_t v, float inv_precision)
{
    float nm = (float)v * inv_precision;
    return nm * 10.0f;
}

/* ---- frames ----------------------------------------------------------- */

static void xtc_close(void *state)
{
    xtc_state *x = state;
    if (x) {
        free(x->buf);
        free(x->small);
    }
    free(x);
}

static vox_status seek_to(vox_ctx *ctx, vox_frames *fr, xtc_state *x, uint64_t off, int64_t k)
{
    if (x->pos == off)
        return VOX_OK;
    if (fseeko(fr->f, (off_t)off, SEEK_SET) != 0)
        return vox_fail(ctx, VOX_E_IO, "%s: frame %lld at byte offset %llu: seek error", fr->path, (long long)k,
                        (unsigned long long)off);
    x->pos = off;
    return VOX_OK;
}

static vox_status read_exact(vox_ctx *ctx, vox_frames *fr, xtc_state *x, void *p, size_t n, int64_t k, uint64_t off)
{
    if (fread(p, 1, n, fr->f) != n) {
        x->pos = UINT64_MAX; /* unknown: seek next time */
        return vox_fail(ctx, VOX_E_IO, "%s: frame %lld at byte offset %llu: read error", fr->path, (long long)k,
                        (unsigned long long)off);
    }
    x->pos += n;
    return VOX_OK;
}

/* Reads and checks the header of frame k at off; afterwards the stream
 * stands at the coordinates (the packed bytes, or the plain floats). */
static vox_status read_head(vox_ctx *ctx, vox_frames *fr, xtc_state *x, int64_t k, uint64_t off, xtc_head *h)
{
    const unsigned long long o = (unsigned long long)off;
    const uint64_t left = fr->file_size - off;
    unsigned char b[XTC_BASE_HEADER + 40];
    vox_status st = seek_to(ctx, fr, x, off, k);
    if (st != VOX_OK)
        return st;
    if (left < XTC_BASE_HEADER)
        return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu is truncated: the file ends after %llu bytes, inside its header",
                        fr->path, (long long)k, o, (unsigned long long)left);
    if ((st = read_exact(ctx, fr, x, b, XTC_BASE_HEADER, k, off)) != VOX_OK)
        return st;
    h->magic = (int32_t)be32(b);
    h->natoms = (int32_t)be32(b + 4);
    h->step = (int32_t)be32(b + 8);
    h->time = bef32(b + 12);
    for (int i = 0; i < 9; i++) h->box[i] = bef32(b + 16 + 4 * i);
    h->lsize = (int32_t)be32(b + 52);
    if (h->magic != XTC_MAGIC && h->magic != XTC_MAGIC_LARGE)
        return vox_fail(ctx, VOX_E_PARSE,
                        "%s: frame %lld at byte offset %llu: magic number %d, expected %d (no XTC frame starts here: the file is damaged, or the previous frame's byte count is wrong)",
                        fr->path, (long long)k, o, h->magic, XTC_MAGIC);
    if (fr->natoms && (size_t)h->natoms != fr->natoms)
        return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: natoms is %d, the first frame has %zu",
                        fr->path, (long long)k, o, h->natoms, fr->natoms);
    if (h->lsize != h->natoms)
        return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: the coordinate count is %d, the header's natoms %d",
                        fr->path, (long long)k, o, h->lsize, h->natoms);
    if (h->natoms <= 9) { /* plain float32 coordinates */
        h->size = XTC_BASE_HEADER + 12 * (uint64_t)h->natoms;
        h->nbytes = 0;
    } else {
        size_t more = h->magic == XTC_MAGIC_LARGE ? 40 : 36;
        if (left < XTC_BASE_HEADER + more)
            return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu is truncated: the file ends after %llu bytes, inside its %zu-byte header",
                            fr->path, (long long)k, o, (unsigned long long)left, XTC_BASE_HEADER + more);
        if ((st = read_exact(ctx, fr, x, b + XTC_BASE_HEADER, more, k, off)) != VOX_OK)
            return st;
        const unsigned char *p = b + XTC_BASE_HEADER;
        h->precision = bef32(p);
        for (int c = 0; c < 3; c++) {
            h->minint[c] = (int32_t)be32(p + 4 + 4 * c);
            h->maxint[c] = (int32_t)be32(p + 16 + 4 * c);
        }
        h->smallidx = (int32_t)be32(p + 28);
        if (h->magic == XTC_MAGIC_LARGE)
            h->nbytes = (uint64_t)be32(p + 32) << 32 | be32(p + 36);
        else
            h->nbytes = be32(p + 32);
        if (!(h->precision >= XTC_MIN_PRECISION) || !isfinite(h->precision))
            return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: field precision is %g, expected a "
                            "finite number of at least %g (integers per nm: 1000 for 0.001 nm)",
                            fr->path, (long long)k, o, (double)h->precision, (double)XTC_MIN_PRECISION);
        for (int c = 0; c < 3; c++)
            if (h->minint[c] > h->maxint[c])
                return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: %c range is %d to %d, expected minint <= maxint",
                                fr->path, (long long)k, o, "xyz"[c], h->minint[c], h->maxint[c]);
        if (h->smallidx < XTC_FIRSTIDX || h->smallidx > XTC_LASTIDX)
            return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: smallidx is %d, expected %d to %d",
                            fr->path, (long long)k, o, h->smallidx, XTC_FIRSTIDX, XTC_LASTIDX);
        /* Each atom takes at most 102 bits (13 bytes) when coded big, 72 small. */
        uint64_t most = 13 * (uint64_t)h->natoms + 16;
        if (h->nbytes > most)
            return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: byte count is %llu, more than %d atoms can need (%llu)",
                            fr->path, (long long)k, o, (unsigned long long)h->nbytes, h->natoms, (unsigned long long)most);
        h->size = XTC_BASE_HEADER + more + ((h->nbytes + 3) & ~(uint64_t)3);
    }
    if (h->size > left)
        return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu is truncated: the file ends after %llu of its %llu bytes",
                        fr->path, (long long)k, o, (unsigned long long)left, (unsigned long long)h->size);
    return VOX_OK;
}

/* A frame whose packed coordinates do not decode. */
static vox_status damaged(vox_ctx *ctx, const vox_frames *fr, int64_t k, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static vox_status damaged(vox_ctx *ctx, const vox_frames *fr, int64_t k, uint64_t off, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: %s", fr->path, (long long)k,
                    (unsigned long long)off, why);
}

/* Unpacks the frame's atoms from x->buf (h->nbytes bytes, zeros after). */
static vox_status unpack(vox_ctx *ctx, vox_frames *fr, const xtc_state *x, const xtc_head *h, int64_t k,
                         uint64_t off, float *xyz)
{
    const size_t n = fr->natoms;
    const float inv = (float)(1.0 / (double)h->precision);
    int64_t lo[3], hi[3];
    uint32_t sizeint[3];
    int bitsizeint[3], large = 0;
    for (int c = 0; c < 3; c++) {
        lo[c] = h->minint[c];
        hi[c] = h->maxint[c];
        uint64_t span = (uint64_t)(hi[c] - lo[c]) + 1; /* <= 2^32 */
        sizeint[c] = (uint32_t)span;                    /* used only when <= 2^24 */
        bitsizeint[c] = span > 0xffffffffu ? 32 : bits_for(span);
        large |= span > 0xffffff;
    }
    /* Ranges over 2^24 cannot be multiplied together: three fields. */
    const int bitsize = large ? 0 : bits_for_product(sizeint);
    const divider big[3] = {divider_for(1), divider_for(large ? 1 : sizeint[1]), divider_for(large ? 1 : sizeint[2])};
    const uint64_t end = 8 * h->nbytes;
    bits b = {x->buf, 0};
    int smallidx = h->smallidx, run = 0;
    size_t i = 0;
#define XTC_BAD(...) damaged(ctx, fr, k, off, __VA_ARGS__)
    while (i < n) {
        int64_t a[3];
        uint32_t u[3];
        if (large)
            for (int c = 0; c < 3; c++) u[c] = get_bits(&b, bitsizeint[c]);
        else
            get_ints(&b, bitsize, &big[1], &big[2], u);
        if (b.pos > end)
            return XTC_BAD("the %llu packed bytes end inside atom %zu (1-based) of %zu: the byte count is wrong or the data damaged",
                           (unsigned long long)h->nbytes, i + 1, n);
        for (int c = 0; c < 3; c++) a[c] = lo[c] + u[c];
        if (a[0] > hi[0] || a[1] > hi[1] || a[2] > hi[2])
            return XTC_BAD("atom %zu (1-based) decodes outside the frame's bounds: the packed coordinates are damaged", i + 1);
        int is_smaller = 0;
        if (get_bits(&b, 1)) {
            int code = (int)get_bits(&b, 5);
            is_smaller = code % 3 - 1;
            run = code - code % 3;
        }
        if (run > 0) {
            if (smallidx < XTC_FIRSTIDX || smallidx > XTC_LASTIDX)
                return XTC_BAD("at atom %zu (1-based) the small-integer index is %d, outside %d to %d: the packed coordinates are damaged",
                               i + 1, smallidx, XTC_FIRSTIDX, XTC_LASTIDX);
            if ((size_t)(run / 3) > n - i - 1)
                return XTC_BAD("a run of %d atoms after atom %zu (1-based) goes past the last atom (%zu): the packed coordinates are damaged",
                               run / 3, i + 1, n);
            const divider *sz = &x->small[smallidx];
            const int64_t half = magicints[smallidx] / 2;
            const int64_t *prev = a;
            int64_t t[10][3];
            for (int r = 0; r < run / 3; r++) {
                get_ints(&b, smallidx, sz, sz, u);
                for (int c = 0; c < 3; c++) {
                    t[r][c] = prev[c] + u[c] - half;
                    if (t[r][c] < lo[c] || t[r][c] > hi[c])
                        return XTC_BAD("atom %zu (1-based) decodes outside the frame's bounds: the packed coordinates are damaged",
                                       i + 2 + (size_t)r);
                }
                prev = t[r];
            }
            /* the first small atom is the big one's predecessor */
            for (int c = 0; c < 3; c++) xyz[3 * i + c] = to_angstrom((int32_t)t[0][c], inv);
            for (int c = 0; c < 3; c++) xyz[3 * i + 3 + c] = to_angstrom((int32_t)a[c], inv);
            for (int r = 1; r < run / 3; r++)
                for (int c = 0; c < 3; c++) xyz[3 * (i + 1 + (size_t)r) + c] = to_angstrom((int32_t)t[r][c], inv);
            i += 1 + (size_t)(run / 3);
        } else {
            for (int c = 0; c < 3; c++) xyz[3 * i + c] = to_angstrom((int32_t)a[c], inv);
            i++;
        }
        if (b.pos > end)
            return XTC_BAD("the %llu packed bytes end inside atom %zu (1-based) of %zu: the byte count is wrong or the data damaged",
                           (unsigned long long)h->nbytes, i, n);
        smallidx += is_smaller;
    }
#undef XTC_BAD
    return VOX_OK;
}

static vox_status xtc_read(vox_ctx *ctx, vox_frames *fr, float *xyz, vox_frame_info *info, int *got)
{
    xtc_state *x = fr->state;
    const int64_t k = fr->next_index;
    const uint64_t off = x->next_off;
    if (off >= fr->file_size)
        return VOX_OK; /* the end */
    xtc_head h;
    memset(&h, 0, sizeof h);
    vox_status st = read_head(ctx, fr, x, k, off, &h);
    if (st != VOX_OK)
        return st;
    if (xyz && h.natoms <= 9) {
        unsigned char p[9 * 12];
        if ((st = read_exact(ctx, fr, x, p, 12 * (size_t)h.natoms, k, off)) != VOX_OK)
            return st;
        for (int i = 0; i < 3 * h.natoms; i++) xyz[i] = bef32(p + 4 * i) * 10.0f; /* as MDAnalysis: float32 nm x 10 */
        /* a plain float may be inf or NaN, or finite in nm and past float range in Å; either
         * would reach the analysis (the atom's 0-based index, as vox_structure_set_coords names it) */
        const size_t bad = vox_first_nonfinite(xyz, 3 * (size_t)h.natoms);
        if (bad < 3 * (size_t)h.natoms) {
            const float nm = bef32(p + 4 * bad);
            if (!isfinite(nm))
                return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: atom %zu (0-based): %c coordinate is not "
                                "a finite number (%g nm)", fr->path, (long long)k, (unsigned long long)off, bad / 3,
                                "xyz"[bad % 3], (double)nm);
            return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld at byte offset %llu: atom %zu (0-based): %c coordinate is %g nm, "
                            "beyond the float range in Å (at most %g nm)", fr->path, (long long)k,
                            (unsigned long long)off, bad / 3, "xyz"[bad % 3], (double)nm, (double)(FLT_MAX / 10.0f));
        }
    } else if (xyz) {
        size_t need = (size_t)h.nbytes + XTC_SLACK;
        if (need > x->cap) {
            unsigned char *nb = realloc(x->buf, need);
            if (!nb)
                return vox_fail(ctx, VOX_E_NOMEM, "out of memory for a %llu-byte XTC frame",
                                (unsigned long long)h.nbytes);
            x->buf = nb;
            x->cap = need;
        }
        if ((st = read_exact(ctx, fr, x, x->buf, (size_t)h.nbytes, k, off)) != VOX_OK)
            return st;
        memset(x->buf + h.nbytes, 0, XTC_SLACK);
        if ((st = unpack(ctx, fr, x, &h, k, off, xyz)) != VOX_OK)
            return st;
    }
    info->index = k;
    info->offset = off;
    /* a time that is not a number is no time: every consumer writes it so (frames.csv, Python) */
    info->has_time = isfinite(h.time);
    info->time_ps = info->has_time ? h.time : 0.0;
    info->has_step = 1;
    info->step = h.step;
    int box_set = 0;
    for (int i = 0; i < 9; i++) {
        info->box[i] = h.box[i] * 10.0f;
        box_set |= h.box[i] != 0.0f;
    }
    info->has_box = box_set; /* GROMACS writes zeros without periodic boundaries */
    if (!box_set)
        memset(info->box, 0, sizeof info->box);
    x->next_off = off + h.size;
    *got = 1;
    return VOX_OK;
}

vox_status vox_xtc_open(vox_ctx *ctx, vox_frames *fr)
{
    xtc_state *x = calloc(1, sizeof *x);
    if (!x)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory opening %s", fr->path);
    vox_frames_attach(fr, "xtc", xtc_read, xtc_close, x);
    x->pos = UINT64_MAX;
    if (!(x->small = calloc(XTC_LASTIDX + 1, sizeof *x->small)))
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory opening %s", fr->path);
    for (int i = XTC_FIRSTIDX; i <= XTC_LASTIDX; i++) x->small[i] = divider_for(magicints[i]);
    unsigned char h[8];
    if (fread(h, 1, sizeof h, fr->f) != sizeof h)
        return vox_fail(ctx, VOX_E_PARSE, "%s: XTC header truncated", fr->path);
    int32_t natoms = (int32_t)be32(h + 4);
    if (natoms <= 0 || natoms > XTC_MAX_ATOMS)
        return vox_fail(ctx, VOX_E_PARSE, "%s: XTC frame 0 says natoms is %d, expected 1 to %d atoms", fr->path, natoms,
                        XTC_MAX_ATOMS);
    fr->natoms = (size_t)natoms;
    return VOX_OK;
}
