/* load.c - reading structure files: gzip detection by magic bytes, format
 * detection by content (the suffix only breaks ties), dispatch to the parsers
 *
 * Input is streamed: the first bytes (after decompression) are tested as
 * they arrive - binary data, or text that is neither PDB nor mmCIF, is
 * refused after at most PROBE_BYTES - and the text is never allowed to grow
 * past the input limit (vox_load_params.max_input_bytes), so a gzip bomb,
 * /dev/zero or a huge file costs at most the limit in memory, and usually
 * almost nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

#define PROBE_BYTES ((size_t)65536) /* the first bytes tested for binary data and the format */
#define CHUNK ((size_t)65536)       /* bytes read from a file at a time */
/* A file at least this big is read into pages mapped and populated in one
 * call: read() into fresh malloc'ed memory takes one page fault per 4 KiB,
 * which on a VM cost more than the copy.  A 1 MB file, median of 41 processes:
 * 0.81 ms into malloc'ed pages, 0.72 ms with vox_prefault_write on them,
 * 0.46 ms into this mapping - hence a mapping of its own, not the helper. */
#define MAP_TEXT_BYTES ((size_t)256 << 10)

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

enum { FMT_UNKNOWN, FMT_PDB, FMT_CIF, FMT_UNDECIDED };

static const char *const pdb_records[] = {"ATOM  ", "HETATM", "HEADER", "REMARK", "CRYST1", "MODEL ",
                                          "TITLE ", "COMPND", "SOURCE", "EXPDTA", "AUTHOR", "ATOM"};

/* The format from the first bytes alone: "data_" after blank and comment
 * lines is mmCIF, a PDB record name is PDB.  When the text seen so far is
 * all blank and comment lines, or ends inside what may still become a record
 * name, and more may follow (!complete): FMT_UNDECIDED. */
static int sniff_text(const char *data, size_t len, int complete)
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
    size_t rest = (size_t)(end - p);
    if (rest >= 5 && memcmp(p, "data_", 5) == 0)
        return FMT_CIF;
    int prefix = !complete && rest < 5 && memcmp(p, "data_", rest) == 0;
    for (size_t i = 0; i < sizeof pdb_records / sizeof pdb_records[0]; i++) {
        size_t n = strlen(pdb_records[i]);
        if (rest >= n && memcmp(p, pdb_records[i], n) == 0)
            return FMT_PDB;
        prefix |= !complete && rest < n && memcmp(p, pdb_records[i], rest) == 0;
    }
    return prefix ? FMT_UNDECIDED : FMT_UNKNOWN;
}

static int sniff_content(const char *data, size_t len)
{
    return sniff_text(data, len, 1);
}

int vox_looks_like_structure(const void *head, size_t n)
{
    const unsigned char *b = head;
    return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) || sniff_content(head, n) != FMT_UNKNOWN;
}

/* The format a file's name suggests: it only breaks ties. */
static int suffix_format(const char *name)
{
    if (has_suffix(name, ".pdb") || has_suffix(name, ".ent") || has_suffix(name, ".pdb.gz") ||
        has_suffix(name, ".ent.gz"))
        return FMT_PDB;
    if (has_suffix(name, ".cif") || has_suffix(name, ".mmcif") || has_suffix(name, ".cif.gz") ||
        has_suffix(name, ".mmcif.gz"))
        return FMT_CIF;
    return FMT_UNKNOWN;
}

int vox_named_as_structure(const char *name) { return suffix_format(name) != FMT_UNKNOWN; }

/* ---- streaming the text in ----------------------------------------------- */

typedef struct source {
    const char *name;
    int fd;                     /* a file, or -1: memory */
    const unsigned char *mem;   /* memory: the whole input */
    size_t mem_len, mem_off;
    unsigned char *chunk;       /* a file: the last bytes read */
} source;

/* The next raw bytes: *got = 0 at the end of the input. */
static vox_status source_read(vox_ctx *ctx, source *src, const unsigned char **data, size_t *got)
{
    if (src->fd < 0) {
        *data = src->mem + src->mem_off;
        *got = src->mem_len - src->mem_off;
        src->mem_off = src->mem_len;
        return VOX_OK;
    }
    for (;;) {
        ssize_t n = read(src->fd, src->chunk, CHUNK);
        if (n >= 0) {
            *data = src->chunk;
            *got = (size_t)n;
            return VOX_OK;
        }
        if (errno != EINTR)
            return vox_fail(ctx, VOX_E_IO, "%s: read error: %s", src->name, strerror(errno));
    }
}

typedef struct text_sink {
    const char *name;
    char *buf;
    size_t len, cap;
    size_t limit;   /* text longer than this is refused */
    int gz;         /* the text comes out of gzip */
    int probed;     /* the first bytes were tested */
    int fmt;        /* what they say: FMT_* */
    int fallback;   /* the format the name suggests (ties only) */
    int mapped;     /* buf is an anonymous mapping (MAP_TEXT_BYTES), not malloc'ed */
} text_sink;

static void sink_free(text_sink *t)
{
    if (t->mapped)
        munmap(t->buf, t->cap);
    else
        free(t->buf);
    t->buf = NULL;
}

/* The text moved into a populated mapping of cap bytes (a file whose size is
 * known); on any failure it stays where it is, which only costs the faults. */
static void sink_map(text_sink *t, size_t cap)
{
    if (t->mapped || cap < MAP_TEXT_BYTES)
        return;
    void *m = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED)
        return;
    if (t->len)
        memcpy(m, t->buf, t->len);
    free(t->buf);
    t->buf = m;
    t->cap = cap;
    t->mapped = 1;
}

/* Nothing that follows can make the text acceptable: stop reading. */
static int hopeless(const text_sink *t) { return t->probed && t->fmt == FMT_UNKNOWN && t->fallback == FMT_UNKNOWN; }

/* NUL bytes and most control characters never occur in PDB or mmCIF text:
 * the bytes below 0x20 other than \t \n \v \f \r. */
static inline size_t is_control_byte(unsigned char c) { return c < 0x20 && !((0x3E00u >> c) & 1u); }

static size_t count_control_bytes(const unsigned char *p, size_t n)
{
    size_t bad = 0, i = 0;
    /* eight bytes at a time: (w - 0x20..) & ~w has a byte's high bit set for
     * some byte below 0x20 exactly when the word holds one (Bit Twiddling
     * Hacks' "hasless"), so only words with a newline or worse are looked into */
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (((w - 0x2020202020202020ull) & ~w & 0x8080808080808080ull) == 0)
            continue;
        for (size_t k = 0; k < 8; k++) bad += is_control_byte(p[i + k]);
    }
    for (; i < n; i++) bad += is_control_byte(p[i]);
    return bad;
}

/* The compressors whose files users have besides gzip (bzip2: the wwPDB
 * archive's mirrors, xz and zstd: packed trajectories' topologies, zip:
 * downloads), by their magic bytes: NULL when none.  vox reads only gzip, and
 * such a file was refused as "binary data", which did not tell what to do. */
const char *vox_other_compressor(const void *head, size_t n)
{
    const unsigned char *b = head;
    static const struct { const char *name; unsigned char len, magic[6]; } kinds[] = {
        {"bzip2", 3, {'B', 'Z', 'h'}},
        {"xz", 6, {0xfd, '7', 'z', 'X', 'Z', 0x00}},
        {"zstd", 4, {0x28, 0xb5, 0x2f, 0xfd}},
        {"zip", 4, {'P', 'K', 0x03, 0x04}},
        {"Unix compress (.Z)", 2, {0x1f, 0x9d}},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (n >= kinds[i].len && memcmp(b, kinds[i].magic, kinds[i].len) == 0 &&
            (i != 0 || (n > 3 && b[3] >= '1' && b[3] <= '9'))) /* bzip2: "BZh" and the block size digit */
            return kinds[i].name;
    return NULL;
}

/* Binary data or a foreign format in the first bytes: refused now, whatever follows. */
static vox_status probe(vox_ctx *ctx, text_sink *t, int complete)
{
    size_t n = t->len < PROBE_BYTES ? t->len : PROBE_BYTES;
    const char *packed = vox_other_compressor(t->buf, n);
    if (packed)
        return vox_fail(ctx, VOX_E_FORMAT,
                        "%s: %s-compressed data%s: vox reads PDB and mmCIF text, plain or gzip-compressed; decompress "
                        "it first (or recompress it with gzip)", t->name, packed, t->gz ? " inside the gzip data" : "");
    size_t bad = count_control_bytes((const unsigned char *)t->buf, n);
    if (bad)
        return vox_fail(ctx, VOX_E_FORMAT, "%s: binary data (%zu control bytes in the first %zu%s): not a PDB or mmCIF file",
                        t->name, bad, n, t->gz ? " after gzip decompression" : "");
    t->probed = 1;
    t->fmt = sniff_text(t->buf, t->len, complete);
    return VOX_OK;
}

static vox_status too_large(vox_ctx *ctx, const text_sink *t, const char *how)
{
    return vox_fail(ctx, t->gz ? VOX_E_DECOMPRESS : VOX_E_IO,
                    "%s: %s more than %llu bytes, the input limit (raise it with --max-input-bytes or "
                    "vox_load_params.max_input_bytes)", t->name, how, (unsigned long long)t->limit);
}

/* Room for n more bytes (and the terminating NUL), never past the limit. */
static vox_status sink_reserve(vox_ctx *ctx, text_sink *t, size_t n)
{
    if (n > t->limit - t->len)
        return too_large(ctx, t, t->gz ? "decompresses to" : "has");
    if (t->len + n + 1 <= t->cap)
        return VOX_OK;
    size_t want = t->len + n + 1, cap = t->cap ? t->cap : CHUNK + 1;
    while (cap < want) cap = cap > (SIZE_MAX >> 1) ? want : cap * 2;
    if (cap > t->limit + 1) cap = t->limit + 1;
    if (t->mapped) { /* the file grew after its size was taken */
        void *m = mremap(t->buf, t->cap, cap, MREMAP_MAYMOVE);
        if (m == MAP_FAILED)
            return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
        t->buf = m;
        t->cap = cap;
        return VOX_OK;
    }
    char *nb = realloc(t->buf, cap);
    if (!nb)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t->name);
    t->buf = nb;
    t->cap = cap;
    return VOX_OK;
}

/* After new text arrived: the probe, once PROBE_BYTES are in. */
static vox_status sink_after(vox_ctx *ctx, text_sink *t)
{
    if (!t->probed && t->len >= PROBE_BYTES)
        return probe(ctx, t, 0);
    return VOX_OK;
}

/* Inflates everything src gives (the first raw bytes already in data/got). */
static vox_status inflate_all(vox_ctx *ctx, source *src, const unsigned char *data, size_t got, text_sink *t)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return vox_fail(ctx, VOX_E_NOMEM, "%s: cannot start gzip decoder", t->name);
    vox_status st = VOX_OK;
    int ended = 0; /* the last member ended */
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)(got > UINT32_MAX ? UINT32_MAX : got);
    size_t pending = got - zs.avail_in; /* memory inputs over 4 GiB: fed in pieces */
    for (;;) {
        if (zs.avail_in == 0) {
            if (pending) {
                zs.avail_in = (uInt)(pending > UINT32_MAX ? UINT32_MAX : pending);
                pending -= zs.avail_in;
            } else {
                const unsigned char *more;
                if ((st = source_read(ctx, src, &more, &got)) != VOX_OK)
                    break;
                if (got == 0) {
                    if (!ended)
                        st = vox_fail(ctx, VOX_E_DECOMPRESS, "%s: truncated gzip data (unexpected end of file)", t->name);
                    break;
                }
                zs.next_in = (unsigned char *)more;
                zs.avail_in = (uInt)got; /* a chunk: well under 4 GiB */
            }
        }
        if (ended) {
            /* concatenated gzip members (as `cat a.gz b.gz` makes) continue,
             * and zero bytes after a member are padding, as Python's gzip
             * (volumizer's reader) takes them; anything else is refused, as it
             * refuses it (BadGzipFile), not ignored */
            while (zs.avail_in && *zs.next_in == 0) {
                zs.next_in++;
                zs.avail_in--;
            }
            if (zs.avail_in == 0)
                continue;
            if (zs.next_in[0] != 0x1f) {
                st = vox_fail(ctx, VOX_E_DECOMPRESS, "%s: data after the gzip data that is not a gzip member (a file "
                              "with something appended to it?)", t->name);
                break;
            }
            inflateReset(&zs);
            ended = 0;
        }
        if ((st = sink_reserve(ctx, t, 1)) != VOX_OK)
            break;
        size_t room = t->cap - 1 - t->len; /* the cap never passes the limit */
        zs.next_out = (unsigned char *)t->buf + t->len;
        zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        int rc = inflate(&zs, Z_NO_FLUSH);
        t->len = (size_t)((char *)zs.next_out - t->buf);
        if (rc == Z_STREAM_END) {
            ended = 1;
        } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && (zs.avail_out == 0 || zs.avail_in == 0))) {
            st = vox_fail(ctx, VOX_E_DECOMPRESS, "%s: corrupt gzip data (%s)", t->name, zs.msg ? zs.msg : "bad data");
            break;
        }
        if ((st = sink_after(ctx, t)) != VOX_OK)
            break;
        if (hopeless(t))
            break; /* refused by the caller, without reading the rest */
    }
    inflateEnd(&zs);
    return st;
}

/* The rest of a file whose size is known and reserved: read() into the text
 * itself, no copy through the chunk (a file that grew meanwhile goes on in
 * reserved pieces, never past the limit). */
static vox_status read_rest(vox_ctx *ctx, source *src, text_sink *t)
{
    for (;;) {
        /* into the reserved room; when it is full (the file was exactly its size, or grew), a
         * chunk-sized read tells which without growing the text for nothing */
        const size_t room = t->cap - 1 - t->len;
        unsigned char *dst = room ? (unsigned char *)t->buf + t->len : src->chunk;
        ssize_t n = read(src->fd, dst, room ? (room < 64 * CHUNK ? room : 64 * CHUNK) : CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return vox_fail(ctx, VOX_E_IO, "%s: read error: %s", src->name, strerror(errno));
        if (n == 0)
            return VOX_OK;
        if (!room) {
            vox_status st = sink_reserve(ctx, t, (size_t)n);
            if (st != VOX_OK)
                return st;
            memcpy(t->buf + t->len, src->chunk, (size_t)n);
        }
        t->len += (size_t)n;
    }
}

/* The whole text of the input, NUL-terminated, tested as it arrived.
 * size_hint: the file's size when known (one allocation), else 0. */
static vox_status read_text(vox_ctx *ctx, source *src, size_t size_hint, text_sink *t)
{
    const unsigned char *data;
    size_t got;
    vox_status st = source_read(ctx, src, &data, &got);
    if (st != VOX_OK)
        return st;
    if (got >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        t->gz = 1;
        return inflate_all(ctx, src, data, got, t);
    }
    if (size_hint > t->limit)
        return too_large(ctx, t, "has");
    int reserved = 0;
    while (got > 0) {
        /* in pieces, so the probe sees the first bytes before a big buffer is copied */
        size_t piece = got < CHUNK ? got : CHUNK;
        if (t->probed && !reserved && size_hint > t->len) { /* a file's size is known: one allocation */
            if (src->fd >= 0 && size_hint < t->limit)
                sink_map(t, size_hint + 1);
            if ((st = sink_reserve(ctx, t, size_hint - t->len)) != VOX_OK)
                return st;
            reserved = 1;
        }
        if ((st = sink_reserve(ctx, t, piece)) != VOX_OK)
            return st;
        memcpy(t->buf + t->len, data, piece);
        t->len += piece;
        data += piece;
        got -= piece;
        if ((st = sink_after(ctx, t)) != VOX_OK)
            return st;
        if (hopeless(t))
            return VOX_OK; /* refused by the caller, without reading the rest */
        if (got == 0 && reserved && src->fd >= 0) /* probed, room for the whole file: read straight into it */
            return read_rest(ctx, src, t);
        if (got == 0 && (st = source_read(ctx, src, &data, &got)) != VOX_OK)
            return st;
    }
    return VOX_OK;
}

/* A '\r' not followed by '\n' made a line end, in place.  volumizer reads
 * files through Python's universal newlines (biotite: open(path, "r") and
 * splitlines()), where a lone '\r' ends a line as '\n' does: a file saved
 * with classic Mac line ends is one line to a '\n' scan, which made it one
 * atom (PDB) or a comment to the end (mmCIF).  CR LF stays as it is (the
 * parsers drop the '\r'); a text without a '\r' costs one memchr. */
static void lone_cr_to_lf(char *p, size_t n)
{
    for (char *q = memchr(p, '\r', n), *end = p + n; q; q = memchr(q, '\r', (size_t)(end - q))) {
        if (q + 1 == end || q[1] != '\n')
            *q = '\n';
        if (++q == end)
            break;
    }
}

/* A NUL byte past the probe's first bytes (which count control bytes): the parsers read a
 * field up to it, so "  2\0.646" was an x of 2 and a name ended there, silently. */
static vox_status no_nul_byte(vox_ctx *ctx, const text_sink *t)
{
    const char *nul = memchr(t->buf, '\0', t->len);
    if (!nul)
        return VOX_OK;
    size_t line = 1;
    for (const char *p = t->buf; (p = memchr(p, '\n', (size_t)(nul - p))) != NULL; p++) line++;
    return vox_fail(ctx, VOX_E_PARSE, "%s:%zu: a NUL byte at byte %zu%s (binary data, or a damaged file)", t->name, line,
                    (size_t)(nul - t->buf), t->gz ? " of the decompressed text" : "");
}

/* Streams the input in, tests it, parses it. */
static vox_status load_source(vox_ctx *ctx, source *src, size_t size_hint, const vox_load_params *params,
                              vox_structure **out)
{
    vox_load_params lp;
    vox_load_params_init(&lp);
    vox_status taken = vox_params_take(ctx, &lp, sizeof lp, params, "vox_load_params");
    if (taken != VOX_OK)
        return taken;
    if ((unsigned)lp.assembly > VOX_ASSEMBLY_AUTO)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "unknown assembly policy %d", (int)lp.assembly);
    text_sink t = {.name = src->name,
                   .limit = lp.max_input_bytes ? lp.max_input_bytes : VOX_DEFAULT_MAX_INPUT_BYTES,
                   .fmt = FMT_UNKNOWN,
                   .fallback = suffix_format(src->name)};
    if (t.limit > SIZE_MAX - 1)
        t.limit = SIZE_MAX - 1;
    vox_status st = read_text(ctx, src, size_hint, &t);
    if (st == VOX_OK && t.len == 0)
        st = vox_fail(ctx, VOX_E_PARSE, "%s: empty file%s", t.name, t.gz ? " (after gzip decompression)" : "");
    if (st == VOX_OK && (!t.probed || t.fmt == FMT_UNDECIDED))
        st = probe(ctx, &t, 1);
    int fmt = t.fmt == FMT_CIF || t.fmt == FMT_PDB ? t.fmt : t.fallback;
    if (st == VOX_OK && fmt == FMT_UNKNOWN)
        st = vox_fail(ctx, VOX_E_FORMAT,
                      "%s: not a PDB or mmCIF file (expected 'data_' for mmCIF or PDB records such as ATOM/HETATM/HEADER)",
                      t.name);
    vox_structure *s = NULL;
    if (st == VOX_OK && !(s = calloc(1, sizeof *s)))
        st = vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", t.name);
    if (s)
        vox_structure_stamp(ctx, s); /* results remember the structure they came from */
    if (st == VOX_OK) {
        t.buf[t.len] = '\0';
        lone_cr_to_lf(t.buf, t.len);
        st = no_nul_byte(ctx, &t);
    }
    if (st == VOX_OK) {
        vox_text text = {t.name, t.buf, t.len, t.limit / VOX_BYTES_PER_ATOM_LINE};
        st = fmt == FMT_CIF ? vox_parse_cif(ctx, &text, lp.assembly, s) : vox_parse_pdb(ctx, &text, lp.assembly, s);
        if (st == VOX_OK && s->atoms.n == 0)
            st = vox_fail(ctx, VOX_E_NO_ATOMS, "%s: no atoms in model 1", t.name);
    }
    sink_free(&t);
    if (st != VOX_OK) {
        vox_structure_free(&s);
        return st;
    }
    s->n_input = s->atoms.n;
    vox_structure_reset_transform(s);
    *out = s;
    return VOX_OK;
}

/* Every error return carries a detail. */
static vox_status with_detail(vox_ctx *ctx, vox_status st, const char *name)
{
    if (st != VOX_OK && !vox_ctx_last_error_detail(ctx)[0])
        return vox_fail(ctx, st, "%s: %s", name, vox_strerror(st));
    return st;
}

vox_status vox_load_buffer(vox_ctx *ctx, const void *data, size_t len, const char *name,
                           const vox_load_params *params, vox_structure **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!out || (!data && len))
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_load_buffer: %s", !out ? "out is NULL" : "data is NULL but len is not 0");
    *out = NULL;
    vox_clear_error(ctx);
    double t0 = vox_now();
    source src = {name ? name : "<buffer>", -1, data, len, 0, NULL};
    vox_status st = load_source(ctx, &src, len, params, out);
    ctx->stats.seconds[VOX_STAGE_LOAD] = vox_now() - t0;
    return with_detail(ctx, st, name ? name : "<buffer>");
}

vox_status vox_load_file(vox_ctx *ctx, const char *path, const vox_load_params *params, vox_structure **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!path || !out)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_load_file: %s is NULL", !path ? "path" : "out");
    *out = NULL;
    vox_clear_error(ctx);
    double t0 = vox_now();
    struct stat sb;
    if (stat(path, &sb) != 0)
        return vox_fail(ctx, VOX_E_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return vox_fail(ctx, VOX_E_IO, "%s: is a directory, expected a structure file", path);
    /* a FIFO or device named explicitly is read as given (blocking until a writer comes) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return vox_fail(ctx, VOX_E_IO, "%s: %s", path, strerror(errno));
    unsigned char *chunk = malloc(CHUNK);
    if (!chunk) {
        close(fd);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading %s", path);
    }
    if (fstat(fd, &sb) != 0)
        sb.st_mode = 0;
    source src = {path, fd, NULL, 0, 0, chunk};
    size_t hint = S_ISREG(sb.st_mode) && sb.st_size > 0 ? (size_t)sb.st_size : 0;
    vox_status st = load_source(ctx, &src, hint, params, out);
    free(chunk);
    close(fd);
    ctx->stats.seconds[VOX_STAGE_LOAD] = vox_now() - t0;
    return with_detail(ctx, st, path);
}
