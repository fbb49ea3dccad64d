/* buf.c - growable text buffer and grow-only scratch memory */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decimal.h"
#include "internal.h"

static int buf_reserve(vox_buf *b, size_t extra)
{
    if (b->oom)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

/* Pages of [p, p + n) faulted in by one call when the range is large: a
 * buffer about to be written whole costs one trap, not one per 4 KiB page
 * (a 1 MB annotated CIF took 235).  It saves about a tenth of what the faults
 * cost (1 MB: 0.81 -> 0.72 ms on the development VM; a fresh MAP_POPULATE
 * mapping, as load.c uses, 0.46 ms).  Linux 5.14 and later; elsewhere, or on
 * any failure, the pages fault as they are written.  Only for memory the
 * calling thread writes (not the grids, whose pages are placed by the thread
 * that first touches them). */
void vox_prefault_write(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    if (n < ((size_t)256 << 10))
        return;
    const long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return;
    const uintptr_t mask = (uintptr_t)page - 1, a = ((uintptr_t)p + mask) & ~mask, e = ((uintptr_t)p + n) & ~mask;
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

char *vox_buf_tail(vox_buf *b, size_t n)
{
    if (!buf_reserve(b, n))
        return NULL;
    vox_prefault_write(b->data + b->len, n);
    return b->data + b->len;
}

void vox_buf_put(vox_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void vox_buf_puts(vox_buf *b, const char *s) { vox_buf_put(b, s, strlen(s)); }
void vox_buf_putc(vox_buf *b, char c) { vox_buf_put(b, &c, 1); }

void vox_buf_put_uint(vox_buf *b, unsigned long long v)
{
    char t[24];
    vox_buf_put(b, t, vox_fmt_u64(v, t));
}

void vox_buf_put_int(vox_buf *b, long long v)
{
    char t[24];
    vox_buf_put(b, t, vox_fmt_i64(v, t));
}

void vox_buf_put_fixed(vox_buf *b, double v, int places)
{
    char t[VOX_FMT_FIXED_MAX];
    vox_buf_put(b, t, vox_fmt_fixed(v, places, t));
}

void vox_buf_printf(vox_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        vox_buf_put(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void vox_buf_free(vox_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void *vox_scratch_get(vox_scratch *s, size_t bytes)
{
    if (bytes <= s->cap)
        return s->p;
    free(s->p);
    s->p = malloc(bytes);
    s->cap = s->p ? bytes : 0;
    return s->p;
}

void *vox_scratch_get_written(vox_scratch *s, size_t bytes)
{
    const int fresh = bytes > s->cap;
    void *p = vox_scratch_get(s, bytes);
    if (p && fresh)
        vox_prefault_write(p, bytes);
    return p;
}

void *vox_scratch_get_zeroed(vox_scratch *s, size_t bytes)
{
    if (bytes <= s->cap)
        return s->p;
    free(s->p);
    s->p = calloc(bytes, 1);
    s->cap = s->p ? bytes : 0;
    return s->p;
}
