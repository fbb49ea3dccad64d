/* avx2/bin_points.c - shell points into the occupancy grid, 8 atoms at a time (AVX2)
 *
 * fl32(c + o) in 8 float lanes, widened to 2 x 4 doubles; the first guess
 * floor((v - lo) * inv_step) is corrected against the edges until no lane
 * moves, which is exactly the scalar rule per lane (common/bin_point.h).
 * The edges are recomputed as (k * step) + lo in the lanes - the very
 * operations that built the edge table, so the same bits - which avoids
 * gathers (slow on AMD up to Zen 4).  Voxel stores stay scalar: AVX2 has
 * no scatter.
 */
#include <immintrin.h>

#include "bin_point.h"

/* e[k] for 4 lanes: (k * step) + lo, and hi for k == n */
static inline __m256d edge4(__m128i k, __m256d step, __m256d lo, __m256d hi, __m128i nvec)
{
    __m256d e = _mm256_add_pd(_mm256_mul_pd(_mm256_cvtepi32_pd(k), step), lo);
    __m256d last = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm_cmpeq_epi32(k, nvec)));
    return _mm256_blendv_pd(e, hi, last);
}

/* 4-lane version of vox_bin_correct(v, e, n, vox_bin_guess(...)) */
static inline __m128i bin4(__m256d v, int n, double lo, double hi, double step, double inv)
{
    const __m256d zero = _mm256_setzero_pd();
    const __m256i pick_low = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    __m256d t = _mm256_mul_pd(_mm256_sub_pd(v, _mm256_set1_pd(lo)), _mm256_set1_pd(inv));
    t = _mm256_min_pd(_mm256_max_pd(t, zero), _mm256_set1_pd((double)(n - 1)));
    __m128i k = _mm256_cvttpd_epi32(t);
    const __m128i z32 = _mm_setzero_si128(), top = _mm_set1_epi32(n - 1), one = _mm_set1_epi32(1);
    const __m128i nvec = _mm_set1_epi32(n);
    const __m256d vstep = _mm256_set1_pd(step), vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
    for (;;) { /* down while e[k] >= v */
        __m256d ek = edge4(k, vstep, vlo, vhi, nvec);
        __m256i ge = _mm256_castpd_si256(_mm256_cmp_pd(ek, v, _CMP_NLT_UQ));
        __m128i ge32 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(ge, pick_low));
        __m128i dec = _mm_and_si128(ge32, _mm_cmpgt_epi32(k, z32));
        if (_mm_testz_si128(dec, dec))
            break;
        k = _mm_add_epi32(k, dec); /* dec lanes are -1 */
    }
    for (;;) { /* up while e[k + 1] < v */
        __m256d ek1 = edge4(_mm_add_epi32(k, one), vstep, vlo, vhi, nvec);
        __m256i lt = _mm256_castpd_si256(_mm256_cmp_pd(ek1, v, _CMP_LT_OQ));
        __m128i lt32 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(lt, pick_low));
        __m128i inc = _mm_and_si128(lt32, _mm_cmpgt_epi32(top, k));
        if (_mm_testz_si128(inc, inc))
            break;
        k = _mm_sub_epi32(k, inc);
    }
    return k;
}

static inline __m256i bin8(__m256 x, const vox_grid_axes *g, int a)
{
    __m128i lo = bin4(_mm256_cvtps_pd(_mm256_castps256_ps128(x)), g->n[a], g->lo[a], g->hi[a], g->step[a], g->inv_step[a]);
    __m128i hi = bin4(_mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)), g->n[a], g->lo[a], g->hi[a], g->step[a], g->inv_step[a]);
    return _mm256_set_m128i(hi, lo);
}

static inline void bin_lanes_avx2(const float *cx, const float *cy, const float *cz, float ox, float oy, float oz,
                                  const vox_grid_axes *g, int32_t *i, int32_t *j, int32_t *k)
{
    _mm256_storeu_si256((__m256i *)i, bin8(_mm256_add_ps(_mm256_loadu_ps(cx), _mm256_set1_ps(ox)), g, 0));
    _mm256_storeu_si256((__m256i *)j, bin8(_mm256_add_ps(_mm256_loadu_ps(cy), _mm256_set1_ps(oy)), g, 1));
    _mm256_storeu_si256((__m256i *)k, bin8(_mm256_add_ps(_mm256_loadu_ps(cz), _mm256_set1_ps(oz)), g, 2));
}

#define VOX_FN(name) name##_avx2
#define VOX_LANES 8
#include "bin_driver_tmpl.h"
