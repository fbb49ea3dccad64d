/* common/depth_tmpl.h - the depth searches eight voxels along z at a time, compiled once per ISA
 *
 * Include after defining VOX_FN(name).  The same searches as the scalar
 * reference (scalar/depth.c), for a block of eight consecutive k at once:
 * D of a block by a search outwards along x over G, each block of G
 * computed the first time a search reads it, by a search outwards along y
 * over H.  A search stops once r^2 reaches the lowest value so far in every
 * lane it must answer; every lane it goes on for only sees more candidates,
 * so each value is still the exact minimum, the reference's integer.
 *
 * Lanes: the lanes of G past the grid's end (k >= dims[2]) read whatever
 * follows in H (VOX_DEPTH_SLACK keeps that in bounds) and are never asked
 * for; a G block is searched until all its other lanes are exact, because
 * later searches of the plane read any of them; a D search only until its
 * wanted lanes are.  The memo holds G as blocks of pd0 x eight lanes (the
 * block of k0 = 8b at (b * pd0 + i) * 8); marks has a bit per block used.
 */
#include <string.h>

#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

typedef uint32_t VOX_FN(u32x8) __attribute__((vector_size(32)));

static inline VOX_FN(u32x8) VOX_FN(load8)(const uint32_t *p)
{
    VOX_FN(u32x8) v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline VOX_FN(u32x8) VOX_FN(splat8)(uint32_t x)
{
    return (VOX_FN(u32x8)){x, x, x, x, x, x, x, x};
}

/* Lane by lane minimum. */
static inline VOX_FN(u32x8) VOX_FN(min8)(VOX_FN(u32x8) a, VOX_FN(u32x8) b)
{
#if defined(__AVX2__)
    __m256i x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    x = _mm256_min_epu32(x, y);
    memcpy(&a, &x, sizeof a);
    return a;
#elif defined(__ARM_NEON)
    uint32x4_t a0, a1, b0, b1;
    memcpy(&a0, &a, sizeof a0);
    memcpy(&a1, (const char *)&a + sizeof a0, sizeof a1);
    memcpy(&b0, &b, sizeof b0);
    memcpy(&b1, (const char *)&b + sizeof b0, sizeof b1);
    a0 = vminq_u32(a0, b0);
    a1 = vminq_u32(a1, b1);
    memcpy(&a, &a0, sizeof a0);
    memcpy((char *)&a + sizeof a0, &a1, sizeof a1);
    return a;
#else
    const VOX_FN(u32x8) lt = (VOX_FN(u32x8))(a < b);
    return (a & lt) | (b & ~lt);
#endif
}

typedef int32_t VOX_FN(i32x8) __attribute__((vector_size(32)));

/* Whether any lane of v is above x, both below 2^31 (every H, G and D is
 * below 2^30, and a search's r^2 stops one step past the values it
 * compares with): a signed comparison, which every ISA has. */
static inline int VOX_FN(any_above)(VOX_FN(u32x8) v, uint32_t x)
{
    const VOX_FN(i32x8) gt = (VOX_FN(i32x8))v > (VOX_FN(i32x8))VOX_FN(splat8)(x);
#if defined(__AVX2__)
    __m256i m;
    memcpy(&m, &gt, sizeof m);
    return !_mm256_testz_si256(m, m);
#elif defined(__ARM_NEON)
    uint32x4_t lo, hi;
    memcpy(&lo, &gt, sizeof lo);
    memcpy(&hi, (const char *)&gt + sizeof lo, sizeof hi);
    return vmaxvq_u32(vorrq_u32(lo, hi)) != 0;
#else
    return (gt[0] | gt[1] | gt[2] | gt[3] | gt[4] | gt[5] | gt[6] | gt[7]) != 0;
#endif
}

/* The lanes below n (n >= 1) as all-ones, the others 0. */
static inline VOX_FN(u32x8) VOX_FN(lanes_below)(size_t n)
{
    const VOX_FN(u32x8) lane = {0, 1, 2, 3, 4, 5, 6, 7};
    return (VOX_FN(u32x8))(lane < VOX_FN(splat8)(n < 8 ? (uint32_t)n : 8u));
}

/* The lanes whose bit of m is set as all-ones. */
static inline VOX_FN(u32x8) VOX_FN(lanes_of)(unsigned m)
{
    const VOX_FN(u32x8) bit = {1, 2, 4, 8, 16, 32, 64, 128};
    return (VOX_FN(u32x8))((VOX_FN(splat8)(m) & bit) != VOX_FN(splat8)(0));
}

/* A block of G: min over r of r^2 + H[+-r * hy] lane by lane, from c (H of
 * the block's row), until every lane of `exact` is. */
static VOX_FN(u32x8) VOX_FN(g_block)(const uint32_t *c, ptrdiff_t hy, VOX_FN(u32x8) exact)
{
    VOX_FN(u32x8) best = VOX_FN(load8)(c);
    uint32_t r2 = 1, step = 3;
    for (ptrdiff_t off = hy; VOX_FN(any_above)(best & exact, r2); off += hy) {
        const VOX_FN(u32x8) near = VOX_FN(min8)(VOX_FN(load8)(c - off), VOX_FN(load8)(c + off));
        best = VOX_FN(min8)(best, VOX_FN(splat8)(r2) + near);
        r2 += step;
        step += 2;
    }
    return best;
}

/* G of the block at memo entry gb + 8 q (x = q, padded), computed if unknown. */
static inline VOX_FN(u32x8) VOX_FN(g_at)(uint32_t *gb, ptrdiff_t q, const uint32_t *hc, size_t hx, size_t hy,
                                         VOX_FN(u32x8) exact)
{
    uint32_t *at = gb + 8 * q;
    if (at[0] != VOX_DEPTH_UNKNOWN) /* lane 0 is in the grid: never unknown once computed */
        return VOX_FN(load8)(at);
    const VOX_FN(u32x8) g = VOX_FN(g_block)(hc + q * (ptrdiff_t)hx, (ptrdiff_t)hy, exact);
    memcpy(at, &g, sizeof g);
    return g;
}

static void VOX_FN(depth_plane)(const vox_depth_grid *g, size_t j, uint32_t *memo, uint64_t *marks)
{
    const size_t d0 = (size_t)g->dims[0], d1 = (size_t)g->dims[1], d2 = (size_t)g->dims[2];
    const size_t words = (d2 + 63) / 64, blocks = (d2 + 7) / 8;
    const size_t pd0 = d0 + 2, hy = d2 + 2, hx = (d1 + 2) * hy;
    /* H of the plane's rows in the padded plane x = 0 */
    const uint32_t *hj = g->h + (j + 1) * hy + 1;
    for (size_t i = 0; i < d0; i++) {
        const size_t row = i * d1 + j;
        const ptrdiff_t q = (ptrdiff_t)i + 1;
        for (size_t w = 0; w < words; w++) {
            const size_t kw = 64 * w;
            uint64_t word = g->want ? g->want[row * words + w] : ~(uint64_t)0;
            if (d2 - kw < 64)
                word &= ~(uint64_t)0 >> (64 - (d2 - kw));
            /* the blocks with a wanted voxel, a byte of word each */
            while (word) {
                const unsigned lane0 = (unsigned)__builtin_ctzll(word) & ~7u, m = (unsigned)(word >> lane0) & 0xffu;
                word &= ~((uint64_t)0xff << lane0);
                const size_t k0 = kw + lane0, b = k0 / 8;
                marks[b / 64] |= (uint64_t)1 << (b % 64);
                const VOX_FN(u32x8) exact = VOX_FN(lanes_below)(d2 - k0), wanted = VOX_FN(lanes_of)(m);
                uint32_t *gb = memo + b * pd0 * 8;
                const uint32_t *hc = hj + k0;
                VOX_FN(u32x8) best = VOX_FN(g_at)(gb, q, hc, hx, hy, exact);
                uint32_t r2 = 1, step = 3;
                for (ptrdiff_t r = 1; VOX_FN(any_above)(best & wanted, r2); r++) {
                    const VOX_FN(u32x8) lo = VOX_FN(g_at)(gb, q - r, hc, hx, hy, exact);
                    const VOX_FN(u32x8) hi = VOX_FN(g_at)(gb, q + r, hc, hx, hy, exact);
                    best = VOX_FN(min8)(best, VOX_FN(splat8)(r2) + VOX_FN(min8)(lo, hi));
                    r2 += step;
                    step += 2;
                }
                uint32_t *out = g->d2 + row * d2 + k0;
                for (unsigned t = m; t; t &= t - 1) {
                    const unsigned l = (unsigned)__builtin_ctz(t);
                    out[l] = best[l];
                }
            }
        }
    }
    for (size_t w = 0; w < (blocks + 63) / 64; w++) {
        for (uint64_t m = marks[w]; m; m &= m - 1)
            memset(memo + (64 * w + (size_t)__builtin_ctzll(m)) * pd0 * 8, 0xff, pd0 * 8 * sizeof *memo);
        marks[w] = 0;
    }
}
