/* fuzz_common.h - what the libFuzzer targets share: a quiet one-thread context made once,
 * and a file in /dev/shm (tmpfs) that holds the current input for readers that take a path */
#ifndef VOX_FUZZ_COMMON_H
#define VOX_FUZZ_COMMON_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vox/vox.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A bug the target itself detected (two paths disagreeing): libFuzzer saves the input. */
#define FUZZ_ASSERT(cond)                                                              \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                   \
        }                                                                              \
    } while (0)

static inline void fuzz_quiet(void *cookie, const char *line)
{
    (void)cookie;
    (void)line;
}

/* One thread, no profile file, warnings dropped, a small grid cap. */
static inline vox_ctx *fuzz_context(uint64_t max_grid_voxels)
{
    vox_options o;
    vox_options_init(&o);
    o.threads = 1;
    o.profile = "";
    o.log = fuzz_quiet;
    if (max_grid_voxels)
        o.max_grid_voxels = max_grid_voxels;
    vox_ctx *ctx = NULL;
    if (vox_ctx_create(&ctx, &o) != VOX_OK)
        abort();
    return ctx;
}

/* Replaces the content of path with data (the file is made once, then rewritten). */
static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    close(fd);
}

/* A per-process path in /dev/shm (else /tmp) with the given suffix. */
static inline void fuzz_temp_path(char *out, size_t cap, const char *suffix)
{
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(out, cap, "%s/vox-fuzz-%ld%s", dir, (long)getpid(), suffix);
}

/* The input as a NUL-terminated string (the readers take text). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (!t)
        abort();
    memcpy(t, data, size);
    t[size] = '\0';
    return t;
}

#endif
