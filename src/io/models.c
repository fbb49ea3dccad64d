/* models.c - the models of a multi-model PDB (MODEL/ENDMDL) or mmCIF
 * (atom_site.pdbx_PDB_model_num) file read as trajectory frames.
 *
 * The file is streamed line by line, so memory does not depend on the
 * number of models.  Each model must list the same atoms in the same order
 * as the first (the topology: model 1 loaded as a structure); a frame's
 * coordinates are its ATOM/HETATM records (PDB) or atom_site rows (mmCIF)
 * in file order, parsed with the loaders' own number parser so a model
 * read as a frame gives the same floats as the model loaded as a file.
 * Since a frame is only coordinates, an atom listed out of place would lend
 * its coordinates to another atom without a sign, so every later model's
 * atoms are compared with the first model's (atom_id below). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fixed_cols.h"
#include "frames.h"

/* natoms while the first model is being counted */
#define COUNTING ((size_t)-1)

/* ---- atom identities ----------------------------------------------------- */

/* What names an atom, and so must match the first model's atom at the same
 * place: atom name, altloc, residue name, chain, residue number and
 * insertion code, as the loaders read them (pdb.c; cif.c prefers auth_*
 * items over label_*).  The altloc is compared because a file with
 * alternate locations lists each conformer as its own atom, and swapping
 * the A and B rows would move one conformer's coordinates onto the other.
 * The element is not: given the atom and residue names it is fixed, its
 * PDB columns are optional (blank in some writers' records, inferred from
 * the name when so), and vox takes elements from the topology, never from a
 * frame, so it cannot send coordinates to the wrong atom.  Record names
 * (ATOM/HETATM) and serial numbers do not name an atom either: some writers
 * renumber serials per model. */
enum { ID_NAME, ID_ALTLOC, ID_RES_NAME, ID_CHAIN, ID_RES_NUM, ID_INS_CODE, ID_FIELDS };

/* Each field holds up to 8 bytes, zero-padded (PDB columns trimmed of
 * blanks, as pdb.c trims them; mmCIF values as written), so two atoms
 * compare as one memcmp of a fixed size and the first model costs one
 * growing array, not an allocation per atom.  Longer mmCIF values are
 * compared on their first 8 bytes: the loaders keep at most 7 (vox_atom's
 * fields in internal.h), so atoms that differ only further on are the same
 * atom to vox anyway. */
enum { ID_WIDTH = 8 };
/* PDB columns 13-27 (0-based 12-26): the fields above and nothing else */
enum { PDB_ID_COL = 12, PDB_ID_COLS = 15 };
typedef struct atom_id {
    char f[ID_FIELDS][ID_WIDTH];
    /* PDB: the first model's columns 13-27 as written (blank past the end
     * of a short line), so a later line with the same bytes there, nearly
     * every line of a valid file, is the same atom by one comparison */
    char raw[PDB_ID_COLS];
    /* the first model: the atom's line, for vox_frames_check_atoms' messages */
    uint64_t line;
} atom_id;

static const struct id_field {
    const char *what;    /* in messages */
    int col, width;      /* PDB: 0-based first column and width */
    const char *pdb_cols; /* PDB: the columns, 1-based as the format documents them */
    const char *cif[2];  /* mmCIF: the atom_site items, the first present is read */
} id_fields[ID_FIELDS] = {
    [ID_NAME] = {"atom name", 12, 4, "columns 13-16", {"auth_atom_id", "label_atom_id"}},
    [ID_ALTLOC] = {"altloc", 16, 1, "column 17", {"label_alt_id", NULL}},
    /* column 21 too: CHARMM and NAMD write four-letter residue names (POPC,
     * TIP3) into columns 18-21, where 18-20 alone would not tell POPC from POPE */
    [ID_RES_NAME] = {"residue name", 17, 4, "columns 18-21", {"auth_comp_id", "label_comp_id"}},
    [ID_CHAIN] = {"chain", 21, 1, "column 22", {"auth_asym_id", "label_asym_id"}},
    [ID_RES_NUM] = {"residue number", 22, 4, "columns 23-26", {"auth_seq_id", "label_seq_id"}},
    [ID_INS_CODE] = {"insertion code", 26, 1, "column 27", {"pdbx_PDB_ins_code", NULL}},
};

/* An ATOM/HETATM record's identity; missing columns of a short line are
 * blank.  Every field is at most 4 columns, so it is copied byte by byte
 * into a record zeroed at once. */
static void pdb_atom_id(const char *l, size_t len, atom_id *id)
{
    memset(id, 0, sizeof *id);
    for (int f = 0; f < ID_FIELDS; f++) {
        size_t a = (size_t)id_fields[f].col, b = a + (size_t)id_fields[f].width;
        if (b > len) b = len;
        while (a < b && l[a] == ' ') a++;
        while (b > a && l[b - 1] == ' ') b--;
        for (char *d = id->f[f]; a < b;) *d++ = l[a++];
    }
    for (size_t c = 0; c < PDB_ID_COLS; c++)
        id->raw[c] = PDB_ID_COL + c < len ? l[PDB_ID_COL + c] : ' ';
}

/* "1st", "2nd", "3rd", "4th", ... "11th", "12th", "13th", "21st": an atom's
 * place in its model, which cannot be mistaken for a 0- or 1-based index. */
static const char *ordinal(size_t n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

typedef struct models_state {
    int cif;
    char *line;
    size_t cap;
    uint64_t line_no;
    uint64_t offset; /* byte offset of the next line */
    /* mmCIF atom_site loop */
    int ncols, cx, cy, cz, cmodel;
    char model[32];  /* model number of the frame being read */
    int in_loop;
    int done;
    int pending;     /* the current line is the first row of the next model */
    int end_split;   /* PDB: a frame was ended by END, not ENDMDL */
    int next_block;  /* mmCIF: the atom_site loop has ended: 1 at a data_ line, 2 before one */
    int cid[ID_FIELDS];      /* mmCIF: the column of each identity field, -1 where there is none */
    int cid_item[ID_FIELDS]; /* mmCIF: which of id_fields[].cif that column is (for messages) */
    /* the first model's atoms, recorded while it is counted; later models are compared with them */
    atom_id *ids;
    size_t ids_cap;
    /* the first model's records; fr->natoms, the frame's atoms, is fewer
     * when the loaders drop alternate locations (altloc_drops) */
    size_t nrec;
    /* NULL when every record is a frame atom; else per record whether it
     * is dropped, and per frame atom its record */
    unsigned char *drop;
    size_t *rec;
    /* the first model, as frame 0's messages name it */
    uint64_t first_start;
    char first_model[32];
    /* mmCIF: the item that names each identity field in the first model's
     * data block (vox_frames_check_atoms quotes the first model's values,
     * and by then a later block's loop may name them by others) */
    const char *first_item[ID_FIELDS];
} models_state;

static void models_close(void *p)
{
    models_state *m = p;
    if (m) {
        free(m->line);
        free(m->ids);
        free(m->drop);
        free(m->rec);
    }
    free(m);
}

/* Records atom i of the first model (while it is counted) or compares atom i
 * of a later model with it: -1 when they agree (or on recording), the first
 * field that differs, or -2 when out of memory. */
static int id_check(struct vox_frames *fr, models_state *m, size_t i, const atom_id *id)
{
    if (fr->natoms != COUNTING) {
        if (memcmp(m->ids[i].f, id->f, sizeof id->f) == 0)
            return -1;
        int f = 0;
        while (memcmp(m->ids[i].f[f], id->f[f], ID_WIDTH) == 0) f++;
        return f;
    }
    if (i == m->ids_cap) {
        size_t cap = m->ids_cap ? 2 * m->ids_cap : 1024;
        atom_id *p = cap <= SIZE_MAX / sizeof *p ? realloc(m->ids, cap * sizeof *p) : NULL;
        if (!p)
            return -2;
        m->ids = p;
        m->ids_cap = cap;
    }
    m->ids[i] = *id;
    return -1;
}

/* Whether the atoms of the frame being read are to be recorded or compared:
 * not when frame 0, the first model itself, is read again after the count. */
static int id_wanted(const struct vox_frames *fr) { return fr->natoms == COUNTING || fr->next_index > 0; }

static vox_status id_nomem(vox_ctx *ctx, const struct vox_frames *fr)
{
    return vox_fail(ctx, VOX_E_NOMEM, "out of memory reading the first model of %s", fr->path);
}

/* The loaders keep, of a residue's alternate locations, the atoms without
 * altloc and those with the residue's first letter (vox_altloc_first), so
 * a topology with altlocs has fewer atoms than its file has records.  The
 * frames drop the same records of every model (later models list the first
 * model's records, altlocs included), so that a file with altlocs is its
 * own trajectory and goes with its topology.  A residue is a run of records
 * with the same number, insertion code, chain and residue name, the name
 * as the loaders keep it (3 characters).  0 when out of memory. */
static int same_res(const atom_id *a, const atom_id *b)
{
    return !memcmp(a->f[ID_RES_NUM], b->f[ID_RES_NUM], ID_WIDTH) &&
           !memcmp(a->f[ID_INS_CODE], b->f[ID_INS_CODE], ID_WIDTH) &&
           !memcmp(a->f[ID_CHAIN], b->f[ID_CHAIN], ID_WIDTH) && !memcmp(a->f[ID_RES_NAME], b->f[ID_RES_NAME], 3);
}

static int altloc_drops(struct vox_frames *fr, models_state *m)
{
    const size_t n = m->nrec;
    fr->natoms = n;
    size_t any = 0;
    while (any < n && vox_altloc_kept(m->ids[any].f[ID_ALTLOC][0], 0)) any++;
    if (any == n) /* nearly every file: each record is an atom */
        return 1;
    m->drop = malloc(n);
    m->rec = malloc(n * sizeof *m->rec);
    if (!m->drop || !m->rec)
        return 0;
    size_t kept = 0;
    for (size_t start = 0, stop; start < n; start = stop) {
        for (stop = start + 1; stop < n && same_res(&m->ids[start], &m->ids[stop]);) stop++;
        const char first = vox_altloc_first_letter(&m->ids[start].f[ID_ALTLOC][0], stop - start, sizeof *m->ids);
        for (size_t i = start; i < stop; i++) {
            m->drop[i] = !vox_altloc_kept(m->ids[i].f[ID_ALTLOC][0], first);
            if (!m->drop[i]) m->rec[kept++] = i;
        }
    }
    fr->natoms = kept;
    return 1;
}

/* The first model's records: what a later model must have. */
static size_t records(const struct vox_frames *fr, const models_state *m)
{
    return fr->natoms == COUNTING ? COUNTING : m->nrec;
}

/* Next line (without the newline); 0 at the end of the file.  A line ends
 * at '\n', '\r\n' or a lone '\r', as in Python's universal newlines
 * (volumizer's reading, and load.c's). */
static int next_line(struct vox_frames *fr, models_state *m, size_t *len, uint64_t *at)
{
    size_t n = 0, ends = 0; /* the line end's bytes */
    int c, nul = 0;
    *at = m->offset;
    while ((c = getc(fr->f)) != EOF) {
        if (c == '\n' || c == '\r') {
            ends = 1;
            if (c == '\r') {
                const int after = getc(fr->f);
                if (after == '\n')
                    ends = 2;
                else if (after != EOF)
                    ungetc(after, fr->f);
            }
            break;
        }
        if (n + 2 > m->cap) {
            size_t cap = m->cap ? 2 * m->cap : 256;
            if (cap > (1u << 20))
                return -1; /* a line over 1 MiB is not a structure file */
            char *nl = realloc(m->line, cap);
            if (!nl)
                return -1;
            m->line = nl;
            m->cap = cap;
        }
        nul |= c == '\0';
        m->line[n++] = (char)c;
    }
    if (!ends && n == 0)
        return 0;
    if (nul) /* a field read up to it would end there: "2\0.646" read as 2 */
        return -2;
    m->offset += n + ends;
    if (!m->line) {
        m->line = malloc(m->cap = 256);
        if (!m->line) return -1;
    }
    m->line[n] = '\0';
    *len = n;
    m->line_no++;
    return 1;
}

/* next_line's failure r (-1: a line over 1 MiB, or no memory for it; -2: a NUL byte) as the error
 * of the line it read; hint: what a long line suggests, or "". */
static vox_status line_fault(vox_ctx *ctx, const struct vox_frames *fr, const models_state *m, int r, const char *hint)
{
    if (r == -2)
        return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: a NUL byte in the line (binary data, or a damaged file)", fr->path,
                        (unsigned long long)m->line_no + 1);
    return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: a line longer than 1 MiB%s", fr->path, (unsigned long long)m->line_no + 1,
                    hint);
}

static int starts(const char *l, const char *p) { return strncmp(l, p, strlen(p)) == 0; }

/* ---- PDB ---------------------------------------------------------------- */

/* The number in columns [a, a + 8) of a line that holds all of them (the
 * caller refuses a line that ends before a + 8: the columns left of a cut
 * field, "  -3.2" of "  -3.250", would read as another number). */
static int pdb_coord(const char *l, size_t a, double *v) { return vox_parse_number(l + a, 8, v); }

static vox_status pdb_read(vox_ctx *ctx, struct vox_frames *fr, float *xyz, vox_frame_info *info, int *got)
{
    models_state *m = fr->state;
    size_t len, natoms = 0, kept = 0; /* records, and of them the frame's atoms */
    uint64_t at, start = m->offset;
    int r, in_model = 0, any = 0;
    int64_t k = fr->next_index;
    while ((r = next_line(fr, m, &len, &at)) > 0) {
        const char *l = m->line;
        if (starts(l, "MODEL")) {
            if (any || in_model) { /* a MODEL line without ENDMDL before it ends the frame */
                fseek(fr->f, (long)at, SEEK_SET);
                m->offset = at;
                m->line_no--;
                break;
            }
            in_model = 1;
            start = at;
            continue;
        }
        if (starts(l, "ENDMDL")) {
            if (any || in_model) break;
            continue;
        }
        /* END without MODEL/ENDMDL ends a frame too: VMD writes a multi-frame PDB so, and
         * `cat frame*.pdb` gives one; MDAnalysis reads each as a frame */
        if (starts(l, "END") && (l[3] == '\0' || l[3] == ' ')) {
            if (any && !in_model) {
                m->end_split = 1;
                break;
            }
            continue;
        }
        if (!starts(l, "ATOM  ") && !starts(l, "HETATM"))
            continue;
        if (!any) start = in_model ? start : at;
        any = 1;
        if (natoms == records(fr, m))
            return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld (model at byte %llu): more than the first model's %zu atoms",
                            fr->path, (long long)k, (unsigned long long)start, m->nrec);
        /* the same columns 13-27 byte for byte: the same atom, no fields taken apart */
        if (id_wanted(fr) && (fr->natoms == COUNTING || len < PDB_ID_COL + PDB_ID_COLS ||
                              memcmp(l + PDB_ID_COL, m->ids[natoms].raw, PDB_ID_COLS) != 0)) {
            atom_id id;
            pdb_atom_id(l, len, &id);
            id.line = m->line_no;
            const int f = id_check(fr, m, natoms, &id);
            if (f == -2)
                return id_nomem(ctx, fr);
            if (f >= 0)
                return vox_fail(ctx, VOX_E_PARSE,
                                "%s:%llu: frame %lld (model at byte %llu): its %zu%s atom has %s '%.8s' (%s), the "
                                "first model '%.8s': every model must list the first model's atoms in the same order",
                                fr->path, (unsigned long long)m->line_no, (long long)k, (unsigned long long)start,
                                natoms + 1, ordinal(natoms + 1), id_fields[f].what, id.f[f], id_fields[f].pdb_cols,
                                m->ids[natoms].f[f]);
        }
        if (m->drop && m->drop[natoms]) {
            natoms++;
            continue;
        }
        if (xyz)
            for (int c = 0; c < 3; c++) {
                double v;
                /* as pdb.c, which loads model 1, refuses such a line (it reads on to the B-factor) */
                if (len < 38 + 8 * (size_t)c)
                    return vox_fail(ctx, VOX_E_PARSE,
                                    "%s:%llu: frame %lld: %c coordinate (columns %d-%d) is cut short: the line ends "
                                    "at column %zu, expected a number in all 8 columns", fr->path,
                                    (unsigned long long)m->line_no, (long long)k, "xyz"[c], 31 + 8 * c, 38 + 8 * c,
                                    len);
                if (!pdb_coord(l, 30 + 8 * (size_t)c, &v))
                    return vox_fail(ctx, VOX_E_PARSE,
                                    "%s:%llu: frame %lld: %c coordinate (columns %d-%d) is not a number", fr->path,
                                    (unsigned long long)m->line_no, (long long)k, "xyz"[c], 31 + 8 * c, 38 + 8 * c);
                if (!vox_coord_fits_f32(v)) { /* as pdb.c refuses it in model 1 */
                    char text[9];
                    size_t n;
                    const uint64_t trimmed = vox_cols_trim(l, 38 + 8 * (size_t)c, 8, &n);
                    vox_cols_store(text, trimmed, n);
                    text[n] = '\0';
                    return vox_fail(ctx, VOX_E_PARSE,
                                    "%s:%llu: frame %lld: %c coordinate '%s' (columns %d-%d) is out of range: "
                                    VOX_COORD_RANGE, fr->path, (unsigned long long)m->line_no, (long long)k,
                                    "xyz"[c], text, 31 + 8 * c, 38 + 8 * c);
                }
                xyz[3 * kept + (size_t)c] = (float)v;
            }
        natoms++;
        kept++;
    }
    if (r < 0)
        return line_fault(ctx, fr, m, r, " (not a PDB file?)");
    if (!any) {
        /* a MODEL without atoms (before ENDMDL, the next MODEL or the end of a cut file) is a
         * frame that cannot be read, not the end: the models after it would be dropped unsaid */
        if (in_model) {
            char first[64] = "";
            if (fr->natoms != COUNTING)
                snprintf(first, sizeof first, ", the first model has %zu", m->nrec);
            return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld (model at byte %llu) has no atoms: no ATOM/HETATM "
                            "records before %s%s", fr->path, (long long)k, (unsigned long long)start,
                            r == 0 ? "the end of the file" : "its ENDMDL or the next MODEL", first);
        }
        *got = 0;
        return VOX_OK;
    }
    if (fr->natoms == COUNTING) {
        m->nrec = natoms;
        m->first_start = start;
    } else if (natoms != m->nrec)
        return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld (model at byte %llu) has %zu atoms, the first model %zu",
                        fr->path, (long long)k, (unsigned long long)start, natoms, m->nrec);
    info->index = k;
    info->offset = start;
    *got = 1;
    return VOX_OK;
}

/* ---- mmCIF -------------------------------------------------------------- */

/* Splits a data line into tokens (quotes as CIF 1.1: a quote ends a value
 * only when followed by white space).  Returns the count, or -1. */
static int cif_tokens(char *l, char **tok, int max)
{
    int n = 0;
    char *p = l;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '#')
            return n;
        if (n == max)
            return -1;
        if (*p == '\'' || *p == '"') {
            char q = *p++;
            tok[n++] = p;
            while (*p && !(*p == q && (p[1] == ' ' || p[1] == '\t' || !p[1]))) p++;
            if (!*p)
                return -1;
            *p++ = '\0';
        } else {
            tok[n++] = p;
            while (*p && *p != ' ' && *p != '\t') p++;
            if (*p) *p++ = '\0';
        }
    }
}

enum { MAX_COLS = 64 };

/* Field f of an atom_site row: "" where the loop has no such item, and for
 * '.' and '?' (inapplicable, unknown), which both say there is no value.
 * Values are compared as written, as cif.c reads them. */
static const char *cif_id_value(const models_state *m, char **tok, int f)
{
    const char *v = m->cid[f] >= 0 ? tok[m->cid[f]] : "";
    return (v[0] == '.' || v[0] == '?') && !v[1] ? "" : v;
}

/* Whether a record's field holds v: v's first ID_WIDTH bytes, zero-padded. */
static int id_holds(const char *field, const char *v)
{
    size_t j = 0;
    for (; j < ID_WIDTH && v[j]; j++)
        if (field[j] != v[j])
            return 0;
    return j == ID_WIDTH || field[j] == 0;
}

/* No atom_site columns known: the state before a loop's items are read. */
static void forget_columns(models_state *m)
{
    m->ncols = 0;
    m->cx = m->cy = m->cz = m->cmodel = -1;
    for (int f = 0; f < ID_FIELDS; f++) m->cid[f] = -1, m->cid_item[f] = 2;
}

/* Reads up to the first atom_site row: the loop's columns.  later: a data block after the
 * first, where the end of the file without an atom_site loop is the end of the frames. */
static vox_status cif_header(vox_ctx *ctx, struct vox_frames *fr, models_state *m, int later)
{
    size_t len;
    uint64_t at;
    int r, in_loop = 0, rowless = 0; /* rowless: atom_site loops seen without rows */
    forget_columns(m);
    while ((r = next_line(fr, m, &len, &at)) > 0) {
        char *l = m->line;
        while (*l == ' ' || *l == '\t') l++;
        if (starts(l, "loop_")) {
            /* a loop of atom_site items without rows, then another: the columns are the new
             * loop's alone (the old ones' indices would point past its rows' values) */
            rowless += in_loop && m->ncols > 0;
            in_loop = 1;
            forget_columns(m);
            continue;
        }
        if (in_loop && starts(l, "_atom_site.")) {
            const char *name = l + 11;
            size_t nl = strcspn(name, " \t");
            if (m->ncols == MAX_COLS)
                return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: atom_site has more than %d columns", fr->path,
                                (unsigned long long)m->line_no, MAX_COLS);
            int *slot = nl == 7 && !strncmp(name, "Cartn_x", 7)              ? &m->cx
                        : nl == 7 && !strncmp(name, "Cartn_y", 7)            ? &m->cy
                        : nl == 7 && !strncmp(name, "Cartn_z", 7)            ? &m->cz
                        : nl == 18 && !strncmp(name, "pdbx_PDB_model_num", 18) ? &m->cmodel
                                                                               : NULL;
            /* twice: which copy is meant cannot be told (vox_load_file refuses it too) */
            if (slot && *slot >= 0)
                return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: '_atom_site.%.*s' is given twice in the loop", fr->path,
                                (unsigned long long)m->line_no, (int)nl, name);
            if (slot)
                *slot = m->ncols;
            for (int f = 0; f < ID_FIELDS; f++)
                for (int pref = 0; pref < m->cid_item[f]; pref++) { /* the preferred item wins in any order */
                    const char *item = id_fields[f].cif[pref];
                    if (item && strlen(item) == nl && !strncmp(name, item, nl)) {
                        m->cid[f] = m->ncols;
                        m->cid_item[f] = pref;
                    }
                }
            m->ncols++;
            continue;
        }
        if (in_loop && m->ncols > 0) {
            if (!*l || *l == '#') /* blank and comment lines before the first row */
                continue;
            if (*l == '_' || starts(l, "data_")) {
                /* an atom_site loop without rows: no frames here, look on (before, its first
                 * line past the items was taken for a row, and the frames ended there) */
                forget_columns(m);
                in_loop = 0;
                rowless++;
                continue;
            }
            if (m->cx < 0 || m->cy < 0 || m->cz < 0)
                return vox_fail(ctx, VOX_E_PARSE, "%s: atom_site has no Cartn_x/Cartn_y/Cartn_z columns", fr->path);
            /* the first row: read again by the first frame */
            fseek(fr->f, (long)at, SEEK_SET);
            m->offset = at;
            m->line_no--;
            return VOX_OK;
        }
        if (l[0] == '_') in_loop = 0;
    }
    if (r < 0)
        return line_fault(ctx, fr, m, r, "");
    if (later) {
        m->done = 1;
        return VOX_OK;
    }
    rowless += in_loop && m->ncols > 0; /* a loop at the end of the file, its items the last lines */
    if (rowless)
        return vox_fail(ctx, VOX_E_FORMAT, "%s: not a trajectory file vox reads: its %d atom_site loop%s no rows "
                        "(expected an mmCIF file with atoms)", fr->path, rowless, rowless == 1 ? " has" : "s have");
    return vox_fail(ctx, VOX_E_FORMAT, "%s: not a trajectory file vox reads: no atom_site loop (expected an mmCIF "
                    "file with atoms)", fr->path);
}

static vox_status cif_read(vox_ctx *ctx, struct vox_frames *fr, float *xyz, vox_frame_info *info, int *got)
{
    models_state *m = fr->state;
    int64_t k = fr->next_index;
    *got = 0;
next_block:
    if (!m->done && m->next_block) {
        /* the next data block's atom_site loop (cat frame*.cif): its models are frames too,
         * its columns read anew */
        size_t len;
        uint64_t at;
        int r = 1;
        while (m->next_block == 2 && (r = next_line(fr, m, &len, &at)) > 0) {
            const char *l = m->line;
            while (*l == ' ' || *l == '\t') l++;
            if (starts(l, "data_")) m->next_block = 1;
        }
        if (r < 0)
            return line_fault(ctx, fr, m, r, "");
        m->next_block = 0;
        if (r == 0)
            m->done = 1;
        else {
            vox_status st = cif_header(ctx, fr, m, 1);
            if (st != VOX_OK)
                return st;
        }
    }
    if (m->done)
        return VOX_OK;
    size_t len, natoms = 0, kept = 0; /* records, and of them the frame's atoms */
    uint64_t at, start = m->offset;
    int r;
    char *tok[MAX_COLS];
    char model[32] = "";
    while ((r = next_line(fr, m, &len, &at)) > 0) {
        char *l = m->line;
        while (*l == ' ' || *l == '\t') l++;
        if (!*l || *l == '#')
            continue;
        if (*l == ';') /* a value: only a tag can end a loop, and a text field follows a tag */
            return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: frame %lld: a ';' text field in the atom_site loop (the frames "
                                              "of an mmCIF trajectory are read one row per line)",
                            fr->path, (unsigned long long)m->line_no, (long long)k);
        if (*l == '_' || starts(l, "loop_") || starts(l, "data_")) {
            /* the loop has ended; a later data block may have models of its own */
            m->next_block = starts(l, "data_") ? 1 : 2;
            break;
        }
        int n = cif_tokens(l, tok, MAX_COLS);
        if (n != m->ncols)
            return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: frame %lld: an atom_site row with %d values, expected %d (the frames of "
                                            "an mmCIF trajectory are read one row per line: a wrapped row or a ';' "
                                            "text field is not read)",
                            fr->path, (unsigned long long)m->line_no, (long long)k, n, m->ncols);
        const char *mn = m->cmodel >= 0 ? tok[m->cmodel] : "1";
        if (natoms == 0) {
            snprintf(model, sizeof model, "%s", mn);
            start = at;
        } else if (strcmp(model, mn) != 0) { /* the next model starts here */
            fseek(fr->f, (long)at, SEEK_SET);
            m->offset = at;
            m->line_no--;
            break;
        }
        if (natoms == records(fr, m))
            return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: frame %lld (model %s): more than the first model's %zu atoms",
                            fr->path, (unsigned long long)m->line_no, (long long)k, model, m->nrec);
        if (id_wanted(fr)) {
            /* compared value by value in place; the record is built only to be kept or reported */
            int f = 0;
            if (fr->natoms != COUNTING)
                while (f < ID_FIELDS && id_holds(m->ids[natoms].f[f], cif_id_value(m, tok, f))) f++;
            if (f < ID_FIELDS) {
                atom_id id;
                memset(&id, 0, sizeof id);
                for (int g = 0; g < ID_FIELDS; g++) {
                    const char *v = cif_id_value(m, tok, g);
                    for (size_t j = 0; j < ID_WIDTH && v[j]; j++) id.f[g][j] = v[j];
                }
                id.line = m->line_no;
                f = id_check(fr, m, natoms, &id);
                if (f == -2)
                    return id_nomem(ctx, fr);
                if (f >= 0)
                    return vox_fail(ctx, VOX_E_PARSE,
                                    "%s:%llu: frame %lld (model %s, byte %llu): its %zu%s atom has %s '%.8s' (%s), "
                                    "the first model '%.8s': every model must list the first model's atoms in the "
                                    "same order",
                                    fr->path, (unsigned long long)m->line_no, (long long)k, model,
                                    (unsigned long long)start, natoms + 1, ordinal(natoms + 1), id_fields[f].what,
                                    id.f[f],
                                    /* a later data block may lack an item the first had: cid_item is
                                     * then 2, past the two names id_fields[f].cif holds */
                                    m->cid[f] >= 0 ? id_fields[f].cif[m->cid_item[f]]
                                                   : "no such atom_site item in this data block",
                                    m->ids[natoms].f[f]);
            }
        }
        if (m->drop && m->drop[natoms]) {
            natoms++;
            continue;
        }
        if (xyz) {
            const int cols[3] = {m->cx, m->cy, m->cz};
            for (int c = 0; c < 3; c++) {
                double v;
                const char *s = tok[cols[c]];
                if (!vox_parse_number(s, strlen(s), &v))
                    return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: frame %lld: Cartn_%c '%s' is not a number", fr->path,
                                    (unsigned long long)m->line_no, (long long)k, "xyz"[c], s);
                if (!vox_coord_fits_f32(v)) /* as cif.c refuses it in model 1 */
                    return vox_fail(ctx, VOX_E_PARSE, "%s:%llu: frame %lld: Cartn_%c '%.30s' is out of range: "
                                    VOX_COORD_RANGE, fr->path, (unsigned long long)m->line_no, (long long)k,
                                    "xyz"[c], s);
                xyz[3 * kept + (size_t)c] = (float)v;
            }
        }
        natoms++;
        kept++;
    }
    if (r < 0)
        return line_fault(ctx, fr, m, r, "");
    if (r == 0)
        m->done = 1;
    if (natoms == 0) /* a loop that ended before its first row: the frames go on in a later block */
        goto next_block;
    if (fr->natoms == COUNTING) {
        m->nrec = natoms;
        m->first_start = start;
        snprintf(m->first_model, sizeof m->first_model, "%s", model);
        for (int f = 0; f < ID_FIELDS; f++)
            m->first_item[f] = m->cid[f] >= 0 ? id_fields[f].cif[m->cid_item[f]] : "no such atom_site item";
    } else if (natoms != m->nrec)
        return vox_fail(ctx, VOX_E_PARSE, "%s: frame %lld (model %s, byte %llu) has %zu atoms, the first model %zu",
                        fr->path, (long long)k, model, (unsigned long long)start, natoms, m->nrec);
    info->index = k;
    info->offset = start;
    *got = 1;
    return VOX_OK;
}

/* ---- the first model against a topology --------------------------------- */

/* A topology's name fields come cut by its loader (pdb.c keeps residue
 * names' columns 18-20, cif.c at most 6 bytes of an atom name and 3 of a
 * residue name), while the first model's are kept to 8 bytes, so a name
 * agrees when it is the model's or the model's cut to the loader's width:
 * CHARMM's POPC, read as POP from the topology, is the model's POPC. */
static const size_t id_cut[ID_FIELDS] = {[ID_NAME] = 6, [ID_RES_NAME] = 3};

static int name_agrees(const char *t, const char *v, size_t cut)
{
    const size_t n = strnlen(t, ID_WIDTH);
    return memcmp(t, v, n) == 0 && (n == ID_WIDTH || v[n] == 0 || n >= cut);
}

/* Whether atom names t and v are one hydrogen named by two conventions:
 * PDB files before format version 3 (2007) and some older tools put a
 * hydrogen's number first, "1HB" ("2HG1"), where version 3, GROMACS,
 * MDAnalysis and OpenMM put it last, "HB1" ("HG12"), so a topology and a
 * trajectory written by two of them name it both ways.  Only names whose
 * other letters begin with H or D (deuterium): no heavy atom is named so. */
static int hydrogen_renamed(const char *t, const char *v)
{
    const size_t n = strnlen(t, ID_WIDTH);
    if (n < 2 || n != strnlen(v, ID_WIDTH))
        return 0;
    const char *first = t[0] >= '0' && t[0] <= '9' ? t : v[0] >= '0' && v[0] <= '9' ? v : NULL;
    const char *last = first == t ? v : t;
    return first && (first[1] == 'H' || first[1] == 'D') && memcmp(first + 1, last, n - 1) == 0 &&
           last[n - 1] == first[0];
}

/* The topology atom's value of field f, as the messages print it. */
static void topology_value(const vox_atom *a, int f, char out[16])
{
    switch (f) {
    case ID_NAME: snprintf(out, 16, "%.7s", a->name); break;
    case ID_RES_NAME: snprintf(out, 16, "%.7s", a->res_name); break;
    case ID_CHAIN: snprintf(out, 16, "%.7s", a->chain); break;
    case ID_RES_NUM: snprintf(out, 16, "%d", a->res_id); break;
    case ID_ALTLOC: snprintf(out, 16, "%c", a->altloc ? a->altloc : '\0'); break;
    default: snprintf(out, 16, "%c", a->ins_code ? a->ins_code : '\0'); break;
    }
}

/* Whether residue numbers a and b (one the topology's, one the model's)
 * are the same residue's.  PDB's columns 23-26 hold numbers up to 9999:
 * GROMACS, MDAnalysis and OpenMM write a larger one modulo 10000 (a water
 * box has more residues), mmCIF and hybrid-36 writers write it whole, so
 * a number below 10000 agrees with a larger one that it is the remainder
 * of: a topology written one way goes with a trajectory written the other. */
static int same_res_num(int a, int b)
{
    if (a == b)
        return 1;
    return a >= 0 && b >= 0 && (a < 10000 || b < 10000) && a % 10000 == b % 10000;
}

/* The first field in which topology atom a and the first model's atom v
 * differ, or -1.  Atom and residue names by value (as cut above; a
 * hydrogen's number first or last, hydrogen_renamed); altloc and
 * insertion code as their one character (both loaders keep the first), a
 * blank altloc agreeing with any; the
 * residue number as a number, read as pdb.c reads it (cif.c's integers are
 * a subset) and compared by same_res_num, with a blank one (mmCIF '.' or no
 * such item) agreeing with the -1 or 0 cif.c gives it.  The chain is not
 * compared here (models_check_atoms). */
static int id_differs(const vox_atom *a, const atom_id *v)
{
    if (!name_agrees(a->name, v->f[ID_NAME], id_cut[ID_NAME]) && !hydrogen_renamed(a->name, v->f[ID_NAME]))
        return ID_NAME;
    /* a blank one agrees with a letter: the topology holds one conformer
     * (its loader's choice), which an MD writer lists without its letter */
    if (a->altloc && v->f[ID_ALTLOC][0] && a->altloc != v->f[ID_ALTLOC][0])
        return ID_ALTLOC;
    if (!name_agrees(a->res_name, v->f[ID_RES_NAME], id_cut[ID_RES_NAME]))
        return ID_RES_NAME;
    char num[ID_WIDTH + 1];
    memcpy(num, v->f[ID_RES_NUM], ID_WIDTH);
    num[ID_WIDTH] = '\0';
    int r;
    if (num[0] ? !vox_hybrid36(num, &r) || !same_res_num(r, a->res_id) : a->res_id != -1 && a->res_id != 0)
        return ID_RES_NUM;
    if (a->ins_code != v->f[ID_INS_CODE][0])
        return ID_INS_CODE;
    return -1;
}

/* Compares the first model with s's atoms: all of them before vox_prepare,
 * the kept ones after (each with the model's atom at its input index: the
 * others' coordinates are never used).  Chains are compared by where they
 * begin, not by name: writers fill a blank chain with their own letter
 * (the 1aki-md files: GROMACS leaves it blank, MDAnalysis writes X, gemmi
 * A), and some give every atom one chain (MDAnalysis writes X for a
 * universe without chain IDs, GROMACS blank for a topology with chains),
 * so a file may merge the other's chains, but not begin a chain where the
 * other's goes on while going on where the other's begins: that is atoms
 * of other chains, or the same atoms in another order.  One pass, one
 * comparison per atom. */
static vox_status models_check_atoms(vox_ctx *ctx, const struct vox_frames *fr, const vox_structure *s,
                                     const char *name)
{
    const models_state *m = fr->state;
    const size_t n = s->atoms.n;
    /* the first kept atom (j > 0) where only the topology's chain begins,
     * and where only the model's does; 0: none yet */
    size_t t_only = 0, v_only = 0;
    for (size_t j = 0; j < n; j++) {
        const size_t i = s->kept ? s->kept[j] : j;
        if (i >= fr->natoms)
            return vox_fail(ctx, VOX_E_INTERNAL, "%s: atom %zu of %zu", fr->path, i, fr->natoms);
        const vox_atom *a = &s->atoms.a[j];
        const atom_id *v = &m->ids[m->rec ? m->rec[i] : i];
        int f = id_differs(a, v);
        if (f < 0 && j > 0) {
            const size_t ip = s->kept ? s->kept[j - 1] : j - 1;
            const atom_id *vp = &m->ids[m->rec ? m->rec[ip] : ip];
            const int t_new = strncmp(s->atoms.a[j - 1].chain, a->chain, sizeof a->chain) != 0;
            const int v_new = memcmp(vp->f[ID_CHAIN], v->f[ID_CHAIN], ID_WIDTH) != 0;
            if (t_new && !v_new && !t_only) t_only = j;
            if (v_new && !t_new && !v_only) v_only = j;
            if (t_only && v_only) f = ID_CHAIN;
        }
        if (f < 0)
            continue;
        char where[96], what[600], top[16];
        if (m->cif)
            snprintf(where, sizeof where, "model %s, byte %llu", m->first_model, (unsigned long long)m->first_start);
        else
            snprintf(where, sizeof where, "model at byte %llu", (unsigned long long)m->first_start);
        const char *field = m->cif ? m->first_item[f] : id_fields[f].pdb_cols;
        if (f == ID_CHAIN) {
            /* both kinds of change: the trajectory's (atom iv), then the topology's (atom it) */
            const size_t iv = s->kept ? s->kept[v_only] : v_only, it = s->kept ? s->kept[t_only] : t_only;
            const size_t ivp = s->kept ? s->kept[v_only - 1] : v_only - 1;
            const atom_id *cv = &m->ids[m->rec ? m->rec[iv] : iv], *cvp = &m->ids[m->rec ? m->rec[ivp] : ivp];
            const atom_id *ct = &m->ids[m->rec ? m->rec[it] : it];
            snprintf(what, sizeof what,
                     "its %zu%s atom (line %llu) begins chain '%.8s' (%s) after '%.8s', where the topology %s's "
                     "chain '%.7s' goes on, while the topology's chain '%.7s' begins at its %zu%s atom (line %llu), "
                     "where the trajectory's chain '%.8s' goes on: the trajectory's chains must begin where the topology's do "
                     "(one of the two may merge the other's chains, as a writer giving every atom one chain does)",
                     iv + 1, ordinal(iv + 1), (unsigned long long)cv->line, cv->f[ID_CHAIN], field,
                     cvp->f[ID_CHAIN], name, s->atoms.a[v_only].chain, s->atoms.a[t_only].chain, it + 1,
                     ordinal(it + 1), (unsigned long long)ct->line, ct->f[ID_CHAIN]);
        } else {
            topology_value(a, f, top);
            snprintf(what, sizeof what,
                     "its %zu%s atom has %s '%.8s' (%s), the topology %s '%s': the trajectory must list the "
                     "topology's atoms in the same order",
                     i + 1, ordinal(i + 1), id_fields[f].what, v->f[f], field, name, top);
        }
        return vox_fail(ctx, VOX_E_INVALID_ARG, "%s:%llu: frame 0 (%s): %s", fr->path, (unsigned long long)v->line,
                        where, what);
    }
    return VOX_OK;
}

int vox_models_sniff(const unsigned char *head, size_t n, int *cif)
{
    for (size_t i = 0; i < n; i++)
        if (head[i] == 0 || (head[i] < 32 && !isspace(head[i])) || head[i] > 126)
            return 0;
    size_t i = 0;
    while (i < n && isspace(head[i])) i++;
    *cif = (n - i >= 5 && !memcmp(head + i, "data_", 5)) || (i < n && head[i] == '#');
    return n > 0;
}

vox_status vox_models_open(vox_ctx *ctx, vox_frames *fr, int cif)
{
    models_state *m = calloc(1, sizeof *m);
    if (!m)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory opening %s", fr->path);
    m->cif = cif;
    vox_frames_attach(fr, cif ? "mmcif-models" : "pdb-models", cif ? cif_read : pdb_read, models_close, m);
    fr->check_atoms = models_check_atoms;
    vox_status st = cif ? cif_header(ctx, fr, m, 0) : VOX_OK;
    if (st != VOX_OK)
        return st;
    /* the atom count: the first model's, counted by one pass over it */
    uint64_t first = m->offset, line_no = m->line_no;
    vox_frame_info fi;
    memset(&fi, 0, sizeof fi);
    fi.size = sizeof fi;
    int got = 0;
    fr->natoms = COUNTING;
    st = fr->read(ctx, fr, NULL, &fi, &got);
    if (st != VOX_OK)
        return st;
    if (!got)
        return vox_fail(ctx, VOX_E_FORMAT, "%s: not a trajectory file vox reads: text without %s (expected DCD, "
                        "XTC, or PDB/mmCIF models)", fr->path, cif ? "atom_site rows" : "ATOM/HETATM records");
    if (!altloc_drops(fr, m))
        return id_nomem(ctx, fr);
    /* every record an alternate location that is dropped (a numeric or non-letter altloc, as the
     * structure loaders drop it): a frame of no atoms is nothing to analyse */
    if (fr->natoms == 0)
        return vox_fail(ctx, VOX_E_FORMAT, "%s: the first model has no atoms to read: each of its %zu atom records "
                        "has an alternate location that vox drops (%s that is not a letter)", fr->path, m->nrec,
                        cif ? "a label_alt_id" : "an altloc in column 17");
    if (m->end_split)
        fr->count_note = "; its frames are separated by END records (no MODEL/ENDMDL), which a structure read "
                         "from this file runs together: give one frame as --topology and this file as --trajectory";
    if (fseek(fr->f, (long)first, SEEK_SET) != 0)
        return vox_fail(ctx, VOX_E_IO, "%s: cannot seek back to the first model", fr->path);
    m->offset = first;
    m->line_no = line_no;
    m->done = 0;
    m->next_block = 0;
    return VOX_OK;
}
