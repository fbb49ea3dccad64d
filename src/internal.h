/* internal.h - types and helpers shared by the library's translation units (not installed) */
#ifndef VOX_INTERNAL_H
#define VOX_INTERNAL_H

#include <float.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vox/vox.h"
#include "kernels.h"

#define VOX_HIDDEN __attribute__((visibility("hidden")))

/* ---- atoms and structures --------------------------------------------- */

/* One atom as volumizer (biotite 0.37) annotates it.  Fixed-size strings keep
 * the whole structure in one allocation; the limits are those of the formats
 * after biotite's truncation (chain 4, residue 3 in mmCIF, atom name 6). */
typedef struct vox_atom {
    float xyz[3];
    int res_id;
    char name[8];
    char res_name[8];
    char chain[8];
    char element[4];
    char ins_code;   /* 0: none */
    char altloc;     /* 0: none; only meaningful while loading */
    uint8_t hetero;
    char label_asym[8]; /* mmCIF label_asym_id, only while building an assembly */
} vox_atom;

/* strcmp(a, b) == 0 for two of an atom's fixed-size name fields, each
 * holding a NUL-terminated string, as one masked 64-bit comparison: the
 * bytes up to and including a's first NUL must agree, whatever follows it in
 * either.  x and y hold the fields' bytes, the first in the lowest bits.  It
 * runs for every atom where residues are told apart (P-SEA, altlocs, lining,
 * the CIF writer), where strcmp was a call per atom and field. */
static inline uint64_t vox_text_upto(uint64_t x)
{
    /* the bytes through x's first zero byte: bit 7 of the lowest zero byte is
     * exact (bytes above it do not matter); none, as the fields guarantee,
     * would keep all 8 */
    const uint64_t zero = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
    return zero ? ((zero & (0 - zero)) << 1) - 1 : ~0ull;
}

static inline int vox_same_text(uint64_t x, uint64_t y) { return ((x ^ y) & vox_text_upto(x)) == 0; }

/* A field's n <= 8 bytes in memory order, the first in the lowest bits and
 * zeros above (a terminator where a short field has none). */
static inline uint64_t vox_text_bits(const char *v, size_t n)
{
    uint64_t x = 0;
    memcpy(&x, v, n);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

static inline int vox_same_name(const char a[8], const char b[8])
{
    return vox_same_text(vox_text_bits(a, 8), vox_text_bits(b, 8));
}
static inline int vox_same_element(const char a[4], const char b[4])
{
    return vox_same_text(vox_text_bits(a, 4), vox_text_bits(b, 4));
}

/* The same residue: number, insertion code, chain and name (biotite's residue starts). */
static inline int vox_same_residue(const vox_atom *a, const vox_atom *b)
{
    return a->res_id == b->res_id && a->ins_code == b->ins_code && vox_same_name(a->chain, b->chain) &&
           vox_same_name(a->res_name, b->res_name);
}

typedef struct vox_atoms {
    vox_atom *a;
    size_t n, cap;
} vox_atoms;

struct vox_structure {
    vox_atoms atoms;
    int has_box;
    float box[3][3];   /* unit-cell vectors (rows), never rotated */
    int prepared;
    vox_prepare_params prep; /* how it was prepared: vox_structure_set_coords repeats it */
    size_t n_input;    /* atoms before cleaning (the length of a frame's coordinates) */
    size_t *kept;      /* after vox_prepare: input index of each atom; NULL: identity */
    /* 1 once cleaned, with the cleaning's settings: a vox_prepare that failed
     * after cleaning (its alignment refused the frame, or no atom was left)
     * leaves the atoms cleaned, and a retry must clean as it did (the atoms
     * it removed are gone) */
    int cleaned, cleaned_keep_non_protein, cleaned_md_names;
    /* 1 while the coordinates are a frame vox_prepare or vox_structure_set_coords
     * could not align (it may have rotated them before it failed): analyses and
     * a retried vox_prepare refuse them until vox_structure_set_coords gives a frame */
    int unaligned_frame;
    size_t *input_number; /* per input atom, the number outputs report for it (vox_atom_arrays); NULL: its index */
    double rot[3][3];  /* input -> aligned: rot * (x - centroid); identity until aligned */
    double centroid[3];
    /* Who this structure is, for results (vox_render refuses a result with a
     * structure it was not computed from): identity is drawn when it is built
     * (vox_structure_stamp), generation counts coordinate changes
     * (vox_structure_set_coords); vox_prepare is told by `prepared`. */
    uint64_t identity;
    uint64_t generation;
};

/* The longest grid axis descriptors take: their depth transform counts in
 * 32-bit squared steps over the axis padded by one voxel each side
 * (descriptors.c).  vox_analyze and vox_estimate_grid check it up front. */
#define VOX_DEPTH_MAX_AXIS 32766

/* The bulk readers (vox_result_volumes, vox_tracker_tracks): records
 * first .. first + n - 1 of total, each filled by fill(src, index, record),
 * at the caller's stride: the size field (a size_t at offset 0) of out's
 * first record.  Returns how many were filled (result.c). */
typedef void (*vox_record_fill)(const void *src, size_t index, void *record);
VOX_HIDDEN size_t vox_fill_records(const void *src, size_t total, size_t first, size_t n, void *out,
                                   vox_record_fill fill);

/* The index of the first value of v[0, n) that is inf or NaN, or n.  A
 * frame's coordinates reach the analysis as they are, where one of them
 * would spoil every distance; nearly every frame has none, so one pass
 * without branches (a float whose exponent bits are all ones) decides, and
 * only a frame that has one is searched. */
static inline int vox_f32_nonfinite(float x)
{
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return (b & 0x7f800000u) == 0x7f800000u; /* inf or NaN: every exponent bit set */
}

static inline size_t vox_first_nonfinite(const float *v, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) any |= vox_f32_nonfinite(v[i]);
    if (!any)
        return n;
    size_t i = 0;
    while (i < n && !vox_f32_nonfinite(v[i])) i++;
    return i;
}

/* Whether a coordinate read as a double fits the float vox computes in: a
 * finite double past +-FLT_MAX would become inf (NaN fails too).  The
 * readers that refuse it end their message with VOX_COORD_RANGE. */
static inline int vox_coord_fits_f32(double v) { return v >= -FLT_MAX && v <= FLT_MAX; }
#define VOX_COORD_RANGE "coordinates must be within +-3.4e38, the 32-bit float range"

/* VOX_E_INVALID_ARG naming the first atom and axis whose coordinate is not
 * finite, among n atoms (x,y,z triples); VOX_OK when all are (structure.c). */
VOX_HIDDEN vox_status vox_check_coords(vox_ctx *ctx, const float *xyz, size_t n);

/* The element biotite guesses from an atom name when a PDB file's element
 * columns are blank; "" when it finds none (pdb.c). */
VOX_HIDDEN void vox_infer_element(const char *atom_name, char out[4]);

/* Gives a newly built structure its identity (structure.c). */
VOX_HIDDEN void vox_structure_stamp(vox_ctx *ctx, vox_structure *s);
/* What outputs report as atom i's input index: its index before cleaning, or the caller's
 * number for that atom (vox_atom_arrays.input_number). */
VOX_HIDDEN size_t vox_structure_input_number(const vox_structure *s, size_t i);
/* Fills a caller's vox_transform (up to its size) from a rotation and centroid:
 * what vox_structure_transform and vox_result_transform give. */
VOX_HIDDEN vox_status vox_transform_export(const double rot[3][3], const double centroid[3], vox_transform *out);

VOX_HIDDEN int vox_atoms_push(vox_atoms *v, const vox_atom *a);
/* Makes room for n more atoms; 0 on allocation failure. */
VOX_HIDDEN int vox_atoms_reserve(vox_atoms *v, size_t n);
VOX_HIDDEN void vox_atoms_free(vox_atoms *v);

/* ---- context ------------------------------------------------------------ */

/* Grow-only scratch buffers kept by a context between analyses: a program
 * that analyses many structures or frames with one context pays the page
 * faults of the grid arrays once.  Released by vox_ctx_destroy. */
enum {
    VOX_WS_OCC, VOX_WS_STATE, VOX_WS_LABELS, VOX_WS_QUEUE, VOX_WS_LINES, VOX_WS_FLAGS, VOX_WS_PRED,
    VOX_WS_LAYER, VOX_WS_PARTIALS, VOX_WS_JOIN, VOX_WS_STARTS, VOX_WS_ALIGN, VOX_WS_COUNT
};

typedef struct vox_scratch {
    void *p;
    size_t cap;
} vox_scratch;

/* Returns at least bytes of scratch (contents unspecified), NULL on OOM. */
VOX_HIDDEN void *vox_scratch_get(vox_scratch *s, size_t bytes);
/* Same, but zero-filled when (re)allocated; callers keep it zero after use. */
VOX_HIDDEN void *vox_scratch_get_zeroed(vox_scratch *s, size_t bytes);
/* Same as vox_scratch_get, for scratch the calling thread is about to write
 * whole: prefaulted (vox_prefault_write) when newly allocated. */
VOX_HIDDEN void *vox_scratch_get_written(vox_scratch *s, size_t bytes);

#define VOX_ISA_COUNT 4 /* scalar, avx2, avx512, neon: the dispatch ladder */

struct vox_ctx {
    vox_options opts;
    const vox_kernels *k; /* this context's kernel table: &tables[isa_index] */
    int isa_index;        /* its ISA in the ladder */
    int isa_forced;       /* it was asked for (option, VOX_ISA): the profile's variants are not used */
    vox_kernels tables[VOX_ISA_COUNT]; /* every ISA this CPU runs, ladder-filled (per-kernel variant choices) */
    struct vox_team *team;             /* threads and placement (team.h) */
    struct vox_tuning *tuning;         /* active settings (tuning.h) */
    struct vox_profile_info *profile;  /* where they came from (profile.h) */
    char isa_reason[320];
    char detail[4096 + 1024]; /* room for a path of PATH_MAX and what is said of it (error.c) */
    char describe[1024];
    char warnings[512];   /* every warning so far, "; "-separated (vox_ctx_describe shows them) */
    uint64_t structures_built; /* mixed into each structure's identity */
    vox_stats stats;
    vox_scratch ws[VOX_WS_COUNT];
    vox_scratch *metrics_ws; /* per thread of the metrics stage */
    int n_metrics_ws;
};

/* Records a formatted detail message on ctx and returns st. */
VOX_HIDDEN vox_status vox_fail(vox_ctx *ctx, vox_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
VOX_HIDDEN void vox_clear_error(vox_ctx *ctx);
/* Copies a caller's input struct (its first field a size_t size, set by
 * its init function) over the defaults in dst (room bytes): the first size
 * bytes, dst's size then room.  NULL given leaves the defaults.  A size
 * under sizeof(size_t) is VOX_E_INVALID_ARG, naming type (params.c). */
VOX_HIDDEN vox_status vox_params_take(vox_ctx *ctx, void *dst, size_t room, const void *given, const char *type);
/* The size field of an input struct. */
VOX_HIDDEN size_t vox_params_size(const void *given);
/* A warning: kept for vox_ctx_describe, and one line "warning: ..." through
 * the context's logger when it has one, else on stderr when verbose (the
 * library prints nothing otherwise). */
VOX_HIDDEN void vox_warn(vox_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
VOX_HIDDEN double vox_now(void);

/* ---- growable text buffer ---------------------------------------------- */

typedef struct vox_buf {
    char *data;
    size_t len, cap;
    int oom;
} vox_buf;

VOX_HIDDEN void vox_buf_put(vox_buf *b, const char *s, size_t n);
VOX_HIDDEN void vox_buf_puts(vox_buf *b, const char *s);
VOX_HIDDEN void vox_buf_putc(vox_buf *b, char c);
/* printf's "%llu", "%lld" and "%.*f" (places 0-9), without printf (decimal.h). */
VOX_HIDDEN void vox_buf_put_uint(vox_buf *b, unsigned long long v);
VOX_HIDDEN void vox_buf_put_int(vox_buf *b, long long v);
VOX_HIDDEN void vox_buf_put_fixed(vox_buf *b, double v, int places);
VOX_HIDDEN void vox_buf_printf(vox_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
VOX_HIDDEN void vox_buf_free(vox_buf *b);
/* Room for n more bytes (and the NUL) at b->data + b->len, about to be
 * written whole (large rooms prefaulted); NULL when out of memory (b->oom). */
VOX_HIDDEN char *vox_buf_tail(vox_buf *b, size_t n);
/* Faults in the pages of a large range the caller is about to write (buf.c). */
VOX_HIDDEN void vox_prefault_write(void *p, size_t n);

/* ---- files (files.c) ----------------------------------------------------- */

typedef enum vox_path_kind {
    VOX_PATH_NONE,      /* nothing there (or it cannot be looked at) */
    VOX_PATH_REGULAR,   /* a regular file */
    VOX_PATH_DIRECTORY,
    VOX_PATH_OTHER      /* a device, FIFO, socket, ... */
} vox_path_kind;

/* What is at path, symbolic links followed; *what (may be NULL) names it
 * for messages: "a regular file", "a character device", "a FIFO (named pipe)"... */
VOX_HIDDEN vox_path_kind vox_file_kind(const char *path, const char **what);

/* Writes data to path through a temporary file in the same directory and a
 * rename: whatever happens to the process, path holds its old content or
 * all of data, never part of it.  A target that exists and is not a regular
 * file is refused (VOX_E_IO).  Surviving a power loss also needs
 * VOX_SYNC_DATA (the data is on disk before the rename) and, for the rename
 * itself, VOX_SYNC_DIR (the directory is synced after it): README
 * "Durability" says which outputs get which. */
enum { VOX_SYNC_NONE = 0, VOX_SYNC_DATA = 1, VOX_SYNC_DIR = 2 };
VOX_HIDDEN vox_status vox_write_file_atomic_sync(vox_ctx *ctx, const char *path, const char *data, size_t len,
                                                 unsigned sync);
/* The same without a context: why it failed goes to why[cap] (errno may
 * no longer say, the temporary file's cleanup having run since). */
VOX_HIDDEN vox_status vox_write_file_atomic_why(const char *path, const char *data, size_t len, unsigned sync,
                                                char *why, size_t cap);
/* The same with VOX_SYNC_DATA. */
VOX_HIDDEN vox_status vox_write_file_atomic(vox_ctx *ctx, const char *path, const char *data, size_t len);
/* fsync of a directory, or of the one holding path (0: done, or the
 * filesystem cannot sync directories; -1 and errno otherwise). */
VOX_HIDDEN int vox_sync_dir(const char *dir);
VOX_HIDDEN int vox_sync_dir_of(const char *path);
/* vox_render then vox_write_file_atomic_sync (vox_write_document with a sync policy). */
VOX_HIDDEN vox_status vox_write_document_sync(vox_ctx *ctx, vox_document doc, const vox_structure *s,
                                              const vox_result *r, const vox_render_params *p, const char *path,
                                              unsigned sync);
/* The same without a context: the message goes to why[cap]. */
VOX_HIDDEN vox_status vox_write_file_atomic_msg(const char *path, const char *data, size_t len, char *why, size_t cap);
/* The two halves, for outputs that must appear together: vox_stage_file
 * writes and fsyncs PATH.tmp.<pid>.XXXXXX (*tmp, malloc'ed), vox_commit_file
 * renames it over path (refusing a target that is not a regular file) and
 * frees tmp whatever happens; vox_discard_file removes and frees it. */
VOX_HIDDEN vox_status vox_stage_file(const char *path, const char *data, size_t len, char **tmp, char *why, size_t cap);
/* vox_stage_file with a sync policy (VOX_SYNC_DATA: fdatasync before it is renamed). */
/* A new temporary beside path, PATH.tmp.<pid>.XXXXXX into tmp[n], opened for writing with mode
 * 0666 less the umask (every output's); the descriptor, or -1 with errno (files.c). */
VOX_HIDDEN int vox_create_temp(char *tmp, size_t n, const char *path);
/* VOX_OK when path's temporary name, NAME.tmp.PID.XXXXXX, fits NAME_MAX whatever the pid; else
 * VOX_E_IO with why (the writers check it; a command checks its run files' names before a run). */
VOX_HIDDEN vox_status vox_check_name_length(const char *path, char *why, size_t cap);
/* Where JSON text of len bytes stops being JSON: the offset of the first byte no JSON document
 * could have there, or len when each byte could; then *complete (may be NULL) says whether the
 * document ended (1) or the text is one cut short (0), and it is 2 where the offset is a container
 * nested deeper than 1000 levels (which cJSON does not read).  Lone surrogate escapes (\udce9, which
 * vox writes for bytes of file names) are syntax like any \uXXXX (json_fault.c). */
VOX_HIDDEN size_t vox_json_first_bad_byte(const char *t, size_t len, int *complete);
/* Why text that cJSON refused is not one JSON document, and where (line, column, byte; or that
 * it is cut short, or empty), for messages (json_fault.c). */
VOX_HIDDEN void vox_json_fault(const char *text, char *out, size_t cap);
VOX_HIDDEN vox_status vox_stage_file_sync(const char *path, const char *data, size_t len, unsigned sync, char **tmp,
                                          char *why, size_t cap);
VOX_HIDDEN vox_status vox_commit_file(char *tmp, const char *path, char *why, size_t cap);
VOX_HIDDEN void vox_discard_file(char *tmp);
/* 1 when a directory entry is one of these temporaries: *target_len is the
 * length of the target's name, *pid its writer (0 for the older form
 * NAME.tmp.XXXXXX, which carries none). */
VOX_HIDDEN int vox_temp_owner(const char *name, size_t *target_len, long *pid);

/* ---- number formatting (fmt.c) ------------------------------------------ */

/* ultrajson "modp" double formatting with 10 decimals (pandas to_json). */
VOX_HIDDEN void vox_fmt_modp(double v, char out[64]);
/* Python repr() of a float: shortest round-trip digits. */
VOX_HIDDEN void vox_fmt_repr(double v, char out[64]);
/* A volume as the annotation JSON holds it: v through the df JSON's 10 decimals, read back
 * (69.12000000000002 -> 69.12), so that every file recording a volume agrees with it. */
VOX_HIDDEN double vox_record_value(double v);
/* Python round(v, 4) (correctly rounded, half-even on the exact value). */
VOX_HIDDEN double vox_round4(double v);
/* numpy round(v, 3): rint(v * 1000) / 1000. */
VOX_HIDDEN double vox_round3_np(double v);
/* JSON string with Python json.dumps escaping (ASCII only); bytes that are
 * not UTF-8 as lone surrogates (Python's surrogateescape). */
VOX_HIDDEN void vox_json_string(vox_buf *b, const char *s);
/* The same, but bytes that are not UTF-8 as U+FFFD, *replaced set to 1 when
 * there was one: text every JSON parser takes (vox's own documents). */
VOX_HIDDEN void vox_json_text(vox_buf *b, const char *s, int *replaced);

/* ---- loading (io.c, pdb.c, cif.c, assembly.c) --------------------------- */

typedef struct vox_text {
    const char *name; /* for messages */
    const char *data; /* NUL-terminated */
    size_t len;
    /* the most atoms an assembly may make: as many as the input limit lets a
     * file list, one 81-byte line each (an assembly multiplies a few lines) */
    size_t max_atoms;
} vox_text;

/* Structure text longer than this is refused unless vox_load_params.max_input_bytes says otherwise. */
#define VOX_DEFAULT_MAX_INPUT_BYTES ((uint64_t)1 << 30)
/* An 80-column PDB record and its line end: the input limit over this is the
 * most atoms an assembly may hold (vox_text.max_atoms; 13.2 million by default). */
#define VOX_BYTES_PER_ATOM_LINE 81

/* 1 when the first n bytes of a file look like a structure file: gzip data,
 * or mmCIF / PDB text (the loader's own content test). */
VOX_HIDDEN int vox_looks_like_structure(const void *head, size_t n);
/* 1 when a file's name ends as a structure file's (.pdb .ent .cif .mmcif,
 * each optionally .gz, in any case): the loader's own list. */
VOX_HIDDEN int vox_named_as_structure(const char *name);
/* The compressor other than gzip whose data the first n bytes are (bzip2,
 * xz, zstd, zip, compress), which vox does not read; NULL when none. */
VOX_HIDDEN const char *vox_other_compressor(const void *head, size_t n);

/* A decimal number of n characters (blanks around allowed), as Python's
 * float() reads it; 0 when it is not a finite number. */
VOX_HIDDEN int vox_parse_number(const char *s, size_t n, double *out);
/* 1 when s[0..n) is a decimal number as people write one: an optional sign, digits with an
 * optional point (or a point and digits), an optional exponent; nothing else (no white space,
 * no NUL, no C hexadecimal "0x1p4", no inf or nan), which strtod would also take. */
VOX_HIDDEN int vox_decimal_text(const char *s, size_t n);

/* A PDB residue number (columns 23-26, trimmed) as the loader reads it:
 * decimal, or hybrid-36 past 9999; 0 when it is neither (pdb.c).  models.c
 * reads a trajectory's residue numbers with it, so that a model and the
 * topology loaded from the same text agree. */
VOX_HIDDEN int vox_hybrid36(const char *text, int *out);

VOX_HIDDEN vox_status vox_parse_pdb(vox_ctx *ctx, const vox_text *t, vox_assembly_policy policy,
                                    vox_structure *s);
VOX_HIDDEN vox_status vox_parse_cif(vox_ctx *ctx, const vox_text *t, vox_assembly_policy policy,
                                    vox_structure *s);
/* Keeps atoms without altloc or with their residue's first letter altloc. */
VOX_HIDDEN void vox_altloc_first(vox_atoms *v);
/* The rule of vox_altloc_first for one residue's n altlocs, read at alt,
 * alt + stride, ... (so any array of records can be given): the residue's
 * first alphabetic altloc (0: none), and whether an atom with altloc c is
 * kept given that letter. */
VOX_HIDDEN char vox_altloc_first_letter(const char *alt, size_t n, size_t stride);
VOX_HIDDEN int vox_altloc_kept(char c, char first);
/* The error of an assembly built from a model with atoms that holds none (its records name
 * chains the model does not have): VOX_E_NO_ATOMS, naming the model's chains and the way out;
 * records: where the assembly was read ("REMARK 350", "pdbx_struct_assembly_gen"). */
VOX_HIDDEN vox_status vox_assembly_without_atoms(vox_ctx *ctx, const char *name, const char *records,
                                                 const vox_atoms *model);
/* biotite's generic loader, for a file of several models without a usable assembly: model
 * (the file's model number index + 1, atoms in more) is appended to v as copies of the first
 * per_model atoms of v (model 1's annotations) with more's coordinates; more is freed.  Models
 * of another atom count are VOX_E_PARSE: "NAME: WHY, and its NMODELS models have different atom
 * counts ...". */
VOX_HIDDEN vox_status vox_stack_model(vox_ctx *ctx, vox_atoms *v, size_t per_model, vox_atoms *more, size_t index,
                                      size_t nmodels, const char *name, const char *why);
/* Renames the chains of assembly copies (volumizer's de-duplication). */
VOX_HIDDEN vox_status vox_dedup_chains(vox_atoms *v);
/* Unit cell (lengths Å, angles degrees) to box vectors, as biotite does. */
VOX_HIDDEN void vox_box_from_cell(float box[3][3], double a, double b, double c,
                                  double alpha, double beta, double gamma);
VOX_HIDDEN int vox_is_amino_acid(const char *res_name);
/* The same, plus the residue names MD force fields write (CYX, HIE, HSD, HISE, ...). */
VOX_HIDDEN int vox_is_md_amino_acid(const char *res_name);
VOX_HIDDEN size_t vox_amino_acid_count(void);

/* ---- analysis ----------------------------------------------------------- */

/* numpy's eigh / eigvalsh, i.e. reference LAPACK dsyevd (uplo L), bit for bit:
 * ascending eigenvalues, eigenvectors in the columns of v. */
VOX_HIDDEN void vox_eigh3(const double a[3][3], double w[3], double v[3][3]);
VOX_HIDDEN void vox_eigvalsh2(double a11, double a21, double a22, double *lo, double *hi);

/* Centres and rotates the atoms onto their principal axes, in the frame
 * s->prep.frame_signs names, and records the transform in s->rot and
 * s->centroid. */
VOX_HIDDEN vox_status vox_align_structure(vox_ctx *ctx, vox_structure *s);
/* The identity transform: s->rot = I, s->centroid = 0. */
VOX_HIDDEN void vox_structure_reset_transform(vox_structure *s);

/* A group's descriptors (descriptors.c, lining.c), when the analysis was
 * asked for them. */
typedef struct vox_group_desc {
    double depth_max, depth_mean;  /* Å */
    size_t *lining;                /* structure atom indices, ascending */
    size_t nlining;
    size_t *residues;              /* first atom of each lining residue, ascending */
    size_t *residue_ends;          /* one past each one's last atom (the scripts select whole residues) */
    size_t nresidues;
    int has_hydropathy;
    double hydropathy;
    size_t apolar, polar, charged; /* lining atoms per class */
    /* vox_volume_bounds' answer, kept by vox_describe_groups: the volumes
     * JSON and every docking box read it, and renders of one result may run
     * on several threads at once, so it is filled before any of them rather
     * than on first use */
    int has_bounds;
    double bounds_lo[2][3], bounds_hi[2][3];
} vox_group_desc;

typedef struct vox_group {
    vox_volume_type type;
    vox_volume_type topology; /* type before refinement */
    int id;
    uint32_t *voxels; /* flat indices, ascending */
    uint8_t *surface; /* per voxel 1/0 */
    size_t n, nsurf;
    double volume;
    double len[3];
    double centre[3];
    int has_circ, has_unif;
    double circ, unif;
    /* with descriptors: the mouths classification found (§9.2), largest
     * first, as the voxel faces each shares with bulk solvent */
    int has_mouths;
    size_t nmouths;
    uint32_t *mouth_faces;
    vox_group_desc d;
} vox_group;

struct vox_result {
    vox_group *groups; /* table order: typed rows, then occluded */
    size_t n, n_typed;
    int dims[3];
    double resolution;
    double origin[3];  /* lower edge of voxel 0 per axis */
    double rot[3][3];  /* the structure's input -> aligned transform when it was analysed */
    double centroid[3];
    float *centres[3]; /* voxel centre per axis index */
    /* the structure it was computed from, as it was then (vox_render checks) */
    uint64_t structure_identity, structure_generation;
    int structure_prepared;
    double step[3];    /* voxel edge per axis (§6.2: (hi - lo) / n, or the lattice's resolution) */
    int has_desc;      /* the groups' descriptors were computed */
    size_t natoms;     /* atoms of the analysed structure (writers check the structure they get) */
};

/* Frees what a group owns (voxels, surface, mouths, descriptors). */
VOX_HIDDEN void vox_group_free(vox_group *g);

/* ---- descriptors (descriptors.c, lining.c) ------------------------------ */

/* Computes every group's descriptors from the analysis' state grid (§7:
 * VOX_V_EXPOSED marks bulk solvent) and the analysed structure. */
VOX_HIDDEN vox_status vox_describe_groups(vox_ctx *ctx, const vox_structure *st, const uint8_t *state,
                                          vox_result *r);
/* Squared distances, in voxel steps, from the voxels of the grid (dims, flat
 * as grids) to the nearest bulk-solvent voxel: state & VOX_V_EXPOSED, or
 * outside the grid.  want (NULL: every voxel): per grid row (i, j), flat
 * i * dims[1] + j, (dims[2] + 63) / 64 words, bit k % 64 of word k / 64 set
 * where voxel k of the row is wanted; d2 is written there only.  work:
 * scratch of one uint32 per voxel of the grid padded by one on each side
 * ((dims + 2) per axis), and VOX_DEPTH_SLACK more (kernels.h).  method: VOX_EDT_AUTO (the one expected to be
 * cheaper), or one of them (the tests compare both): the same integers. */
enum { VOX_EDT_AUTO, VOX_EDT_SEARCH, VOX_EDT_ENVELOPE };
VOX_HIDDEN vox_status vox_bulk_distance2(vox_ctx *ctx, const uint8_t *state, const int dims[3],
                                         const uint64_t *want, int method, uint32_t *work, uint32_t *d2);
/* Fills every group's lining atoms and residues, atom classes and
 * hydropathy. */
VOX_HIDDEN vox_status vox_find_lining(vox_ctx *ctx, const vox_structure *st, vox_result *r);
/* The box of a volume's voxel cubes, [0] aligned and [1] input frame
 * (vox_result_box without padding, both frames in one pass); kept in the
 * group's descriptors once they exist. */
VOX_HIDDEN void vox_volume_bounds(const vox_result *r, size_t index, double lo[2][3], double hi[2][3]);
/* The largest docking-box padding (Å) vox_result_box and the documents
 * take: a padding near DBL_MAX made the box's size inf ("size_x = inf"),
 * and one past some 1e15 Å loses the box's centre to rounding (at 1e17 the
 * centre is off by angstroms); a million angstroms keeps it to 1e-10 Å. */
#define VOX_BOX_PADDING_MAX 1e6
/* Centre of voxel f (aligned frame). */
VOX_HIDDEN void vox_voxel_centre(const vox_result *r, uint32_t f, float c[3]);

/* The end of the grid row (one i and j, the z axis fastest) that voxel t of
 * v (flat indices, ascending, n of them) lies in: the first voxel after t
 * in another row, or n.  row is the row's length (dims[2]).  Row by row,
 * the i and j of a volume's voxels are two divisions per row, not per voxel. */
static inline size_t vox_row_end(const uint32_t *v, size_t n, size_t t, size_t row)
{
    const size_t next_row = ((size_t)v[t] / row + 1) * row;
    size_t e = t + 1;
    while (e < n && v[e] < next_row) e++;
    return e;
}

/* Fills g's axial lengths, centre and cross-section values; scratch holds
 * the per-voxel work arrays.  Returns 0 on allocation failure. */
VOX_HIDDEN int vox_group_metrics(const vox_kernels *k, vox_group *g, float *const centres[3],
                                 const int dims[3], vox_scratch *scratch);
VOX_HIDDEN void vox_psea(const vox_structure *s, double *alpha, double *beta, double *coil);
/* The same with the CA contacts of short strands counted over every pair
 * (vox_psea searches a grid of cells): the tests' reference. */
VOX_HIDDEN void vox_psea_all_pairs(const vox_structure *s, double *alpha, double *beta, double *coil);

/* Renders a document into b. */
VOX_HIDDEN vox_status vox_render_df_json(const vox_result *r, vox_buf *b);
VOX_HIDDEN vox_status vox_render_payload(const vox_structure *s, const vox_result *r,
                                         const vox_payload_info *info, vox_buf *b);
/* *replaced: set when a name's line break or byte that is not UTF-8 was written as '?'. */
VOX_HIDDEN vox_status vox_render_pdb(const vox_structure *s, const vox_result *r, int input_frame, vox_buf *b,
                                    int *replaced);
/* replaced (may be NULL): set to 1 when a name held characters mmCIF cannot
 * hold on one line (written as '?'). */
VOX_HIDDEN vox_status vox_render_cif(const vox_structure *s, const vox_result *r, int include_hubs,
                                     int input_frame, vox_buf *b, int *replaced);
/* Chain id of each volume type's pseudo-atoms (collision avoidance, §13.4). */
VOX_HIDDEN void vox_pseudo_chains(const vox_structure *s, char chains[5][8]);
/* The groups in pseudo-atom order (§13.4: HUB by id, then POR, POK, CAV,
 * OCC; HUB only with include_hubs) into order[r->n]; returns the count,
 * or (size_t)-1 when out of memory. */
VOX_HIDDEN size_t vox_pseudo_order(const vox_result *r, int include_hubs, size_t *order);

/* The exports of the descriptors (write_volumes.c, write_viewers.c, write_dx.c). */
VOX_HIDDEN vox_status vox_render_volumes_json(const vox_structure *s, const vox_result *r,
                                              const vox_render_params *p, vox_buf *b, int *replaced);
VOX_HIDDEN vox_status vox_render_vina(const vox_result *r, const vox_render_params *p, vox_buf *b);
VOX_HIDDEN vox_status vox_render_pymol(const vox_structure *s, const vox_result *r, const vox_render_params *p,
                                       vox_buf *b);
VOX_HIDDEN vox_status vox_render_chimerax(const vox_structure *s, const vox_result *r,
                                          const vox_render_params *p, vox_buf *b);
VOX_HIDDEN vox_status vox_render_volume_dx(const vox_result *r, const vox_render_params *p, vox_buf *b);

/* An OpenDX scalar field on a regular grid (PyMOL, VMD, ChimeraX read it):
 * counts points along each axis, the first point, one step vector per axis
 * (rows), and per point (x slowest, z fastest) a value that text writes
 * into out (at most 32 characters, no terminator), returning its length. */
typedef struct vox_dx_field {
    const char *comment;  /* the first line, after "# " */
    const char *name;     /* the field object's name */
    long long counts[3];
    double origin[3];
    double delta[3][3];
    size_t (*text)(const void *cookie, size_t index, char *out);
    const void *cookie;
} vox_dx_field;

VOX_HIDDEN void vox_render_dx(const vox_dx_field *f, vox_buf *b);

/* ---- dispatch ----------------------------------------------------------- */

/* Fills ctx->tables for every ISA this CPU runs and points ctx->k at the
 * chosen one (option, $VOX_ISA, or the best ISA here). */
VOX_HIDDEN vox_status vox_select_kernels(vox_ctx *ctx, const char *want);
/* The dispatch ladder's ISAs by index: -1 for an unknown name. */
VOX_HIDDEN int vox_isa_index(const char *name);
VOX_HIDDEN const char *vox_isa_name(int isa);
VOX_HIDDEN int vox_isa_usable(int isa);

#endif
