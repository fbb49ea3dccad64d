/* load.c - reading structure files: gzip detection by magic bytes, format
 * detection by content (the suffix only breaks ties), dispatch to the parsers */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>

#include "internal.h"

#define MAX_INPUT_BYTES ((size_t)4 << 30) /* 4 GiB of text: refuse anything larger */

static vox_status gunzip(vox_ctx *ctx, const char *name, const unsigned char *in, size_t inlen,
                         char **out, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return vox_fail(ctx, VOX_E_NOMEM, "%s: cannot start gzip decoder", name);
    size_t cap = inlen * 4 + 4096, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        inflateEnd(&zs);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory decompressing %s", name);
    }
    zs.next_in = (unsigned char *)in;
    zs.avail_in = (uInt)(inlen > UINT32_MAX ? UINT32_MAX : inlen);
    int rc = Z_OK;
    for (;;) {
        if (len + 1 >= cap) { /* keep a byte for the terminating NUL */
            if (cap >= MAX_INPUT_BYTES) {
                free(buf);
                inflateEnd(&zs);
                return vox_fail(ctx, VOX_E_DECOMPRESS, "%s: decompresses to more than 4 GiB", name);
            }
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                inflateEnd(&zs);
                return vox_fail(ctx, VOX_E_NOMEM, "out of memory decompressing %s", name);
            }
            buf = nb;
        }
        zs.next_out = (unsigned char *)buf + len;
        size_t room = cap - len;
        zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        rc = inflate(&zs, Z_NO_FLUSH);
        len = (size_t)((char *)zs.next_out - buf);
        if (rc == Z_STREAM_END) {
            /* concatenated gzip members (as `cat a.gz b.gz` makes) continue */
            if (zs.avail_in > 0 && zs.next_in[0] == 0x1f) {
                inflateReset(&zs);
                continue;
            }
            break;
        }
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0)) {
            int truncated = rc == Z_BUF_ERROR;
            const char *why = zs.msg ? zs.msg : "bad data";
            vox_status st = truncated ? vox_fail(ctx, VOX_E_DECOMPRESS, "%s: truncated gzip data (unexpected end of file)", name)
                                      : vox_fail(ctx, VOX_E_DECOMPRESS, "%s: corrupt gzip data (%s)", name, why);
            free(buf);
            inflateEnd(&zs);
            return st;
        }
        if (zs.avail_in == 0 && rc == Z_OK && zs.avail_out > 0) {
            free(buf);
            inflateEnd(&zs);
            return vox_fail(ctx, VOX_E_DECOMPRESS, "%s: truncated gzip data (unexpected end of file)", name);
        }
    }
    inflateEnd(&zs);
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return VOX_OK;
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    if (n < m)
        return 0;
    for (size_t i = 0; i < m; i++) {
        char c = name[n - m + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return 0;
    }
    return 1;
}

enum { FMT_UNKNOWN, FMT_PDB, FMT_CIF };

/* The format from the first bytes alone: "data_" after blank and comment
 * lines is mmCIF, a PDB record name is PDB. */
static int sniff_content(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    /* skip blank and comment lines: mmCIF files may start with '#' lines */
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
        if (p < end && *p == '#') {
            while (p < end && *p != '\n') p++;
            continue;
        }
        break;
    }
    if ((size_t)(end - p) >= 5 && memcmp(p, "data_", 5) == 0)
        return FMT_CIF;
    static const char *const records[] = {"ATOM  ", "HETATM", "HEADER", "REMARK", "CRYST1", "MODEL ",
                                          "TITLE ", "COMPND", "SOURCE", "EXPDTA", "AUTHOR", "ATOM"};
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++)
        if ((size_t)(end - p) >= strlen(records[i]) && memcmp(p, records[i], strlen(records[i])) == 0)
            return FMT_PDB;
    return FMT_UNKNOWN;
}

int vox_looks_like_structure(const void *head, size_t n)
{
    const unsigned char *b = head;
    return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) || sniff_content(head, n) != FMT_UNKNOWN;
}

/* The content decides; the suffix only breaks ties. */
static int sniff(const char *data, size_t len, const char *name)
{
    int fmt = sniff_content(data, len);
    if (fmt != FMT_UNKNOWN)
        return fmt;
    if (has_suffix(name, ".pdb") || has_suffix(name, ".ent") || has_suffix(name, ".pdb.gz") ||
        has_suffix(name, ".ent.gz"))
        return FMT_PDB;
    if (has_suffix(name, ".cif") || has_suffix(name, ".mmcif") || has_suffix(name, ".cif.gz") ||
        has_suffix(name, ".mmcif.gz"))
        return FMT_CIF;
    return FMT_UNKNOWN;
}

/* Parses data[0..len).  owned: 0, data is the caller's; BUF_MALLOC, a malloc'ed
 * buffer with room for a NUL at data[len] that load_text may use and frees;
 * BUF_MAPPED, the same but the caller unmaps it. */
enum { BUF_MALLOC = 1, BUF_MAPPED = 2 };
/* Frees the parsed text unless it is a mapped file buffer (the caller's). */
static void release(char *plain, const char *data, int owned)
{
    if (!(owned == BUF_MAPPED && plain == data))
        free(plain);
}

static vox_status load_text(vox_ctx *ctx, unsigned char *data, size_t len, int owned, const char *name,
                            const vox_load_params *params, vox_structure **out)
{
    vox_load_params lp;
    vox_load_params_init(&lp);
    if (params)
        memcpy(&lp, params, params->size && params->size < sizeof lp ? params->size : sizeof lp);
    char *plain = NULL;
    size_t plen = 0;
    if ((unsigned)lp.assembly > VOX_ASSEMBLY_AUTO || len == 0) {
        if (owned == BUF_MALLOC) free(data);
        return len == 0 ? vox_fail(ctx, VOX_E_PARSE, "%s: empty file", name)
                        : vox_fail(ctx, VOX_E_INVALID_ARG, "unknown assembly policy %d", (int)lp.assembly);
    }
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        vox_status st = gunzip(ctx, name, data, len, &plain, &plen);
        if (owned == BUF_MALLOC) free(data);
        if (st != VOX_OK)
            return st;
        if (plen == 0) {
            free(plain);
            return vox_fail(ctx, VOX_E_PARSE, "%s: empty file (after gzip decompression)", name);
        }
    } else if (owned) { /* parse the file buffer in place: no copy */
        plain = (char *)data;
        plain[len] = '\0';
        plen = len;
    } else {
        plain = malloc(len + 1);
        if (!plain)
            return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", name);
        memcpy(plain, data, len);
        plain[len] = '\0';
        plen = len;
    }
    /* NUL bytes and most control characters never occur in PDB or mmCIF text */
    size_t bad = 0, probe = plen < 65536 ? plen : 65536;
    for (size_t i = 0; i < probe; i++) {
        unsigned char c = (unsigned char)plain[i];
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v'))
            bad++;
    }
    if (bad) {
        release(plain, (char *)data, owned);
        return vox_fail(ctx, VOX_E_FORMAT, "%s: binary data (%zu control bytes in the first %zu): not a PDB or mmCIF file",
                        name, bad, probe);
    }
    int fmt = sniff(plain, plen, name);
    if (fmt == FMT_UNKNOWN) {
        release(plain, (char *)data, owned);
        return vox_fail(ctx, VOX_E_FORMAT,
                        "%s: not a PDB or mmCIF file (expected 'data_' for mmCIF or PDB records such as ATOM/HETATM/HEADER)",
                        name);
    }
    vox_structure *s = calloc(1, sizeof *s);
    if (!s) {
        release(plain, (char *)data, owned);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", name);
    }
    vox_text t = {name, plain, plen};
    vox_status st = fmt == FMT_CIF ? vox_parse_cif(ctx, &t, lp.assembly, s) : vox_parse_pdb(ctx, &t, lp.assembly, s);
    release(plain, (char *)data, owned);
    if (st == VOX_OK && s->atoms.n == 0)
        st = vox_fail(ctx, VOX_E_NO_ATOMS, "%s: no atoms in model 1", name);
    if (st != VOX_OK) {
        vox_structure_free(&s);
        return st;
    }
    s->n_input = s->atoms.n;
    vox_structure_reset_transform(s);
    *out = s;
    return VOX_OK;
}

vox_status vox_load_buffer(vox_ctx *ctx, const void *data, size_t len, const char *name,
                           const vox_load_params *params, vox_structure **out)
{
    if (!ctx || !out || (!data && len))
        return VOX_E_INVALID_ARG;
    *out = NULL;
    vox_clear_error(ctx);
    double t0 = vox_now();
    vox_status st = load_text(ctx, (unsigned char *)data, len, 0, name ? name : "<buffer>", params, out);
    ctx->stats.seconds[VOX_STAGE_LOAD] = vox_now() - t0;
    return st;
}

static void release_buffer(unsigned char *buf, size_t cap, int mapped)
{
    if (mapped) munmap(buf, cap);
    else free(buf);
}

vox_status vox_load_file(vox_ctx *ctx, const char *path, const vox_load_params *params, vox_structure **out)
{
    if (!ctx || !path || !out)
        return VOX_E_INVALID_ARG;
    *out = NULL;
    vox_clear_error(ctx);
    double t0 = vox_now();
    struct stat sb;
    if (stat(path, &sb) != 0)
        return vox_fail(ctx, VOX_E_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return vox_fail(ctx, VOX_E_IO, "%s: is a directory, expected a structure file", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return vox_fail(ctx, VOX_E_IO, "%s: %s", path, strerror(errno));
    size_t cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 65536, len = 0;
    /* A large file goes into memory mapped with its pages already present:
     * one kernel call instead of a page fault per 4 KiB, which costs a
     * fresh process about as much as the parsing itself. */
    int mapped = 0;
    unsigned char *buf = NULL;
    if (S_ISREG(sb.st_mode) && cap >= ((size_t)256 << 10) && cap < MAX_INPUT_BYTES) {
        void *m = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (m != MAP_FAILED) {
            buf = m;
            mapped = 1;
        }
    }
    if (!buf)
        buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", path);
    }
    for (;;) { /* up to cap - 1 bytes: one is kept for the terminating NUL */
        size_t want = cap - 1 - len, r = fread(buf + len, 1, want, f);
        len += r;
        if (r < want)
            break; /* end of file, or an error (ferror below) */
        int next = fgetc(f); /* full: grow only if the file has more (it grew since stat) */
        if (next == EOF)
            break;
        {
            if (cap >= MAX_INPUT_BYTES) {
                release_buffer(buf, cap, mapped);
                fclose(f);
                return vox_fail(ctx, VOX_E_IO, "%s: larger than 4 GiB", path);
            }
            unsigned char *nb = mapped ? malloc(cap * 2) : realloc(buf, cap * 2);
            if (nb && mapped) { /* the file grew since stat(): on the heap from here */
                memcpy(nb, buf, len);
                munmap(buf, cap);
                mapped = 0;
            }
            if (!nb) {
                release_buffer(buf, cap, mapped);
                fclose(f);
                return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", path);
            }
            buf = nb;
            cap *= 2;
            buf[len++] = (unsigned char)next;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        release_buffer(buf, cap, mapped);
        return vox_fail(ctx, VOX_E_IO, "%s: read error", path);
    }
    vox_status st = load_text(ctx, buf, len, mapped ? BUF_MAPPED : BUF_MALLOC, path, params, out);
    if (mapped)
        munmap(buf, cap);
    ctx->stats.seconds[VOX_STAGE_LOAD] = vox_now() - t0;
    return st;
}
