/* buf.c - growable text buffer and atomic file writes (temporary file + rename, fsync where asked) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void *vox_scratch_get_zeroed(vox_scratch *s, size_t bytes)
{
    if (bytes <= s->cap)
        return s->p;
    free(s->p);
    s->p = calloc(bytes, 1);
    s->cap = s->p ? bytes : 0;
    return s->p;
}

vox_status vox_write_file_atomic_sync(vox_ctx *ctx, const char *path, const char *data, size_t len, unsigned sync)
{
    if (!path || !*path)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "no output path given");
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory writing %s", path);
    /* Same directory as the target, so rename() is atomic; mkstemp keeps
     * concurrent writers of the same path from sharing a temporary file. */
    snprintf(tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd >= 0 && fchmod(fd, 0644) != 0) {
        close(fd);
        unlink(tmp);
        fd = -1;
    }
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return vox_fail(ctx, VOX_E_IO, "cannot write %s: %s", path, strerror(e));
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            return vox_fail(ctx, VOX_E_IO, "cannot write %s: %s", path, strerror(e));
        }
        off += (size_t)w;
    }
    if (((sync & VOX_SYNC_DATA) && fdatasync(fd) != 0) || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return vox_fail(ctx, VOX_E_IO, "cannot write %s: %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return vox_fail(ctx, VOX_E_IO, "cannot write %s: %s", path, strerror(e));
    }
    free(tmp);
    if ((sync & VOX_SYNC_DIR) && vox_sync_dir_of(path) != 0)
        return vox_fail(ctx, VOX_E_IO, "cannot sync the directory of %s: %s", path, strerror(errno));
    return VOX_OK;
}

vox_status vox_write_file_atomic(vox_ctx *ctx, const char *path, const char *data, size_t len)
{
    return vox_write_file_atomic_sync(ctx, path, data, len, VOX_SYNC_DATA);
}

int vox_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    /* some filesystems cannot sync a directory: the rename is all they offer */
    return rc != 0 && (errno == EINVAL || errno == EROFS) ? 0 : rc;
}

int vox_sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return -1;
    int rc = vox_sync_dir(dir);
    free(dir);
    return rc;
}
