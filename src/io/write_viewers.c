/* write_viewers.c - PyMOL (.pml) and ChimeraX (.cxc) scripts that show the volumes and their
 * lining residues on the annotated structure (README "Descriptors")
 *
 * Both scripts open the annotated mmCIF (protein, then the pseudo-atoms of
 * §13.4) and pick atoms by their serial numbers (_atom_site.id: protein atom
 * i is i + 1, the pseudo-atoms follow in §13.4's order).  No chain, residue
 * or atom name from the structure file is ever written into a script: those
 * are data, and in PyMOL a line may run Python (`/...`, `python`) and `;`
 * separates commands.  Every word a script holds is made here: object names
 * vox_<type>_<id>, colours, numbers, and the structure file's name, which
 * vox_render accepts only from a plain character set.  When that file is in
 * the aligned frame, the script moves it onto the input frame (one line of
 * numbers: PyMOL's transform_object, ChimeraX's view matrix), so volumes,
 * lining residues, boxes and maps all sit on the user's own file.
 *
 * A script's length is bounded before it is written (script_bound), its
 * buffer reserved once, and every piece stored at a cursor: a script was
 * some 40,000 small appends, each a call with its own room check, and the
 * lining ranges went through a growing array first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "decimal.h"
#include "exact17.h"
#include "internal.h"

/* PyMOL and ChimeraX both know these colour names. */
static const char *const type_colour[5] = {"magenta", "orange", "cyan", "red", "gray"};

/* One volume as the scripts show it. */
typedef struct shown_volume {
    char name[48];        /* vox_<type>_<id> */
    size_t name_len;
    const char *colour;
    size_t first, last;   /* the pseudo-atoms' serials */
    const vox_group *g;
} shown_volume;

/* The volumes the annotated mmCIF holds, in its order, with their serials.
 * Returns the count, or (size_t)-1 when out of memory. */
static size_t shown_volumes(const vox_structure *s, const vox_result *r, int include_hubs, shown_volume *out)
{
    size_t *order = malloc((r->n + 1) * sizeof *order);
    if (!order)
        return (size_t)-1;
    size_t n = vox_pseudo_order(r, include_hubs, order), serial = s->atoms.n + 1;
    if (n == (size_t)-1) {
        free(order);
        return n;
    }
    for (size_t q = 0; q < n; q++) {
        const vox_group *g = &r->groups[order[q]];
        shown_volume *v = &out[q];
        char *e = vox_put_str(VOX_PUT(v->name, "vox_"), vox_volume_type_name(g->type)); /* < 48: "vox_occluded_-2147483648" */
        *e++ = '_';
        e += vox_fmt_i64(g->id, e);
        *e = '\0';
        v->name_len = (size_t)(e - v->name);
        v->colour = type_colour[g->type];
        v->first = serial;
        v->last = serial + g->n - 1;
        v->g = g;
        serial += g->n;
    }
    free(order);
    return n;
}

/* The rigid motion that takes the structure file's coordinates to the
 * input frame (input = R^T aligned + centroid), as rows of [M | t]; 0 when
 * the file is in the input frame already or the two frames are one. */
static int to_input(const vox_result *r, const vox_render_params *p, double m[3][4])
{
    if (p->output_frame == VOX_FRAME_INPUT)
        return 0;
    int identity = 1;
    for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++) {
            m[a][b] = r->rot[b][a];
            identity &= m[a][b] == (a == b ? 1.0 : 0.0);
        }
        m[a][3] = r->centroid[a];
        identity &= m[a][3] == 0.0;
    }
    return !identity;
}

/* A number with all its digits ("%.17g", exact17.h), always with a point:
 * PyMOL's C side takes a Python int in a matrix for garbage (it crashed on
 * one in our tests).  At most VOX_FMT_G17_MAX + 1 bytes. */
static char *put_float(char *o, double v)
{
    const size_t n = vox_fmt_g17(v == 0.0 ? 0.0 : v, o); /* no "-0" */
    if (!memchr(o, '.', n) && !memchr(o, 'e', n))
        return VOX_PUT(o + n, ".0");
    return o + n;
}

/* "lo-hi" (41 bytes at most). */
static char *put_range(char *o, size_t lo, size_t hi)
{
    o += vox_fmt_u64(lo, o);
    *o++ = '-';
    return o + vox_fmt_u64(hi, o);
}

/* The parts both scripts share. */
typedef struct script {
    shown_volume *vols;
    size_t n;
    char radius_text[VOX_FMT_FIXED_MAX]; /* "%.3f" of half a voxel edge: the spheres fill their voxels */
    size_t radius_len;
} script;

/* PyMOL: `id` takes "a-b+c-d"; long lists are split over several select
 * commands so no line grows past a few kilobytes. */
#define PYMOL_RANGES_PER_LINE 64

/* The most either script may hold: its fixed text (under 1 kB), the file's
 * name and the version, the transform (12 numbers), and per volume its
 * lines (each under 100 bytes besides the name and the radius) and per
 * lining residue one range at most (ChimeraX's, 86 bytes with two 20-digit
 * numbers), PyMOL's line heads once per PYMOL_RANGES_PER_LINE of them. */
static size_t script_bound(const script *sc, const vox_render_params *p)
{
    size_t n = 2048 + strlen(p->structure_file) + strlen(vox_version()) + 12 * (VOX_FMT_G17_MAX + 4);
    for (size_t v = 0; v < sc->n; v++) {
        const size_t name = sc->vols[v].name_len, nres = sc->vols[v].g->d.nresidues;
        n += 1024 + 12 * name + 2 * sc->radius_len + 96 * nres + (nres / PYMOL_RANGES_PER_LINE + 1) * (2 * name + 96);
    }
    return n;
}

/* The volumes, and the script's buffer reserved (script_bound): its cursor,
 * or NULL when out of memory. */
static char *script_begin(const vox_structure *s, const vox_result *r, const vox_render_params *p, script *sc,
                          vox_buf *b)
{
    memset(sc, 0, sizeof *sc);
    sc->vols = malloc((r->n + 1) * sizeof *sc->vols);
    if (!sc->vols)
        return NULL;
    sc->n = shown_volumes(s, r, p->include_hubs, sc->vols);
    if (sc->n == (size_t)-1) {
        free(sc->vols);
        sc->vols = NULL;
        return NULL;
    }
    sc->radius_len = vox_fmt_fixed(0.5 * r->resolution, 3, sc->radius_text);
    char *o = vox_buf_tail(b, script_bound(sc, p));
    if (!o) {
        free(sc->vols);
        sc->vols = NULL;
    }
    return o;
}

/* The script's length from the cursor; the volumes freed. */
static vox_status script_end(script *sc, vox_buf *b, char *o)
{
    free(sc->vols);
    vox_cursor_end(b, o);
    return VOX_OK;
}

/* One range of a volume's lining in PyMOL's select lines: the k-th, which
 * opens a line (and closes the one before) every PYMOL_RANGES_PER_LINE. */
static char *pml_range(char *o, const shown_volume *sv, size_t k, size_t lo, size_t hi)
{
    if (k % PYMOL_RANGES_PER_LINE == 0) {
        if (k)
            o = VOX_PUT(o, ")\n");
        o = vox_put(VOX_PUT(o, "select "), sv->name, sv->name_len);
        o = vox_put(VOX_PUT(o, "_lining, "), sv->name, sv->name_len);
        o = VOX_PUT(o, "_lining or (vox_structure and id ");
    } else {
        *o++ = '+';
    }
    return put_range(o, lo, hi);
}

/* Every atom of the lining residues of a volume, as serial ranges (a
 * residue's atoms are [first + 1, end], and a range takes in the next
 * residue when that one starts where it ends), in PyMOL's select lines. */
static char *pml_lining(char *o, const shown_volume *sv)
{
    const vox_group_desc *d = &sv->g->d;
    if (!d->nresidues)
        return o;
    o = VOX_PUT(vox_put(VOX_PUT(o, "select "), sv->name, sv->name_len), "_lining, none\n");
    size_t k = 0, lo = d->residues[0] + 1, hi = d->residue_ends[0];
    for (size_t t = 1; t < d->nresidues; t++) {
        if (hi == d->residues[t]) {
            hi = d->residue_ends[t];
            continue;
        }
        o = pml_range(o, sv, k++, lo, hi);
        lo = d->residues[t] + 1;
        hi = d->residue_ends[t];
    }
    o = VOX_PUT(pml_range(o, sv, k, lo, hi), ")\n");
    return VOX_PUT(vox_put(VOX_PUT(o, "show sticks, "), sv->name, sv->name_len), "_lining\n");
}

vox_status vox_render_pymol(const vox_structure *s, const vox_result *r, const vox_render_params *p, vox_buf *b)
{
    script sc;
    char *o = script_begin(s, r, p, &sc, b);
    if (!o)
        return VOX_E_NOMEM;
    /* PyMOL splits every line at semicolons, comments too: none here */
    o = vox_put_str(VOX_PUT(o, "# vox "), vox_version());
    o = VOX_PUT(o, ": the volumes of one structure for PyMOL (pymol FILE.pml, run from this folder).\n"
               "# Atoms are picked by serial number (id), one object per volume, coloured by type\n"
               "# (hub magenta, pore orange, pocket cyan, cavity red, occluded gray), lining residues as sticks.\n"
               "delete vox_*\n"
               "load ");
    o = VOX_PUT(vox_put_str(o, p->structure_file), ", vox_structure\n");
    double m[3][4];
    if (to_input(r, p, m)) {
        /* the file is in the aligned frame: move it onto the input frame (numbers only) */
        o = VOX_PUT(o, "/cmd.transform_object(\"vox_structure\", [");
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 4; c++) o = VOX_PUT(put_float(o, m[a][c]), ", ");
        o = VOX_PUT(o, "0.0, 0.0, 0.0, 1.0], homogenous=1)\n");
    }
    o = VOX_PUT(o, "hide everything, vox_structure\n"
               "show cartoon, vox_structure and id ");
    o = VOX_PUT(put_range(o, 1, s->atoms.n), "\n");
    for (size_t v = 0; v < sc.n; v++) {
        const shown_volume *sv = &sc.vols[v];
        o = VOX_PUT(vox_put(VOX_PUT(o, "create "), sv->name, sv->name_len), ", vox_structure and id ");
        o = VOX_PUT(put_range(o, sv->first, sv->last), "\n");
        o = VOX_PUT(vox_put(VOX_PUT(o, "alter "), sv->name, sv->name_len), ", vdw=");
        o = VOX_PUT(vox_put(o, sc.radius_text, sc.radius_len), "\n");
        o = VOX_PUT(vox_put(VOX_PUT(o, "show spheres, "), sv->name, sv->name_len), "\n");
        o = VOX_PUT(vox_put_str(VOX_PUT(o, "color "), sv->colour), ", ");
        o = VOX_PUT(vox_put(o, sv->name, sv->name_len), "\n");
        o = pml_lining(o, sv);
    }
    o = VOX_PUT(o, "rebuild\ndeselect\nzoom vox_structure\n");
    return script_end(&sc, b, o);
}

/* ChimeraX: one serial range is the intersection of two attribute tests. */
static char *cxc_range(char *o, size_t lo, size_t hi)
{
    o = VOX_PUT(o, "(#1@@serial_number>=");
    o += vox_fmt_u64(lo, o);
    o = VOX_PUT(o, " & #1@@serial_number<=");
    o += vox_fmt_u64(hi, o);
    *o++ = ')';
    return o;
}

/* A volume's lining as pml_lining finds its ranges, joined by " | ". */
static char *cxc_lining(char *o, const shown_volume *sv)
{
    const vox_group_desc *d = &sv->g->d;
    if (!d->nresidues)
        return o;
    o = VOX_PUT(vox_put(VOX_PUT(o, "name frozen "), sv->name, sv->name_len), "_lining ");
    size_t lo = d->residues[0] + 1, hi = d->residue_ends[0];
    for (size_t t = 1; t < d->nresidues; t++) {
        if (hi == d->residues[t]) {
            hi = d->residue_ends[t];
            continue;
        }
        o = VOX_PUT(cxc_range(o, lo, hi), " | ");
        lo = d->residues[t] + 1;
        hi = d->residue_ends[t];
    }
    o = cxc_range(o, lo, hi);
    o = VOX_PUT(vox_put(VOX_PUT(o, "\nshow "), sv->name, sv->name_len), "_lining atoms\n");
    return VOX_PUT(vox_put(VOX_PUT(o, "style "), sv->name, sv->name_len), "_lining stick\n");
}

vox_status vox_render_chimerax(const vox_structure *s, const vox_result *r, const vox_render_params *p,
                               vox_buf *b)
{
    script sc;
    char *o = script_begin(s, r, p, &sc, b);
    if (!o)
        return VOX_E_NOMEM;
    o = vox_put_str(VOX_PUT(o, "# vox "), vox_version());
    o = VOX_PUT(o, ": the volumes of one structure for ChimeraX (open FILE.cxc in a new session:\n"
               "# the structure becomes model #1).  Atoms are picked by serial number, one named selection\n"
               "# per volume, coloured by type (hub magenta, pore orange, pocket cyan, cavity red,\n"
               "# occluded gray), lining residues as sticks.\n"
               "open ");
    o = VOX_PUT(vox_put_str(o, p->structure_file), "\n");
    double m[3][4];
    if (to_input(r, p, m)) {
        /* the file is in the aligned frame: place the model in the input frame */
        o = VOX_PUT(o, "view matrix models #1");
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 4; c++) o = put_float(VOX_PUT(o, ","), m[a][c]);
        *o++ = '\n';
    }
    o = VOX_PUT(o, "hide #1 atoms\n"
               "cartoon #1\n");
    for (size_t v = 0; v < sc.n; v++) {
        const shown_volume *sv = &sc.vols[v];
        o = VOX_PUT(vox_put(VOX_PUT(o, "name frozen "), sv->name, sv->name_len), " ");
        o = cxc_range(o, sv->first, sv->last);
        o = VOX_PUT(vox_put(VOX_PUT(o, "\nshow "), sv->name, sv->name_len), " atoms\n");
        o = VOX_PUT(vox_put(VOX_PUT(o, "style "), sv->name, sv->name_len), " sphere\n");
        o = VOX_PUT(vox_put(VOX_PUT(o, "size "), sv->name, sv->name_len), " atomRadius ");
        o = VOX_PUT(vox_put(o, sc.radius_text, sc.radius_len), "\n");
        o = VOX_PUT(vox_put(VOX_PUT(o, "color "), sv->name, sv->name_len), " ");
        o = VOX_PUT(vox_put_str(o, sv->colour), "\n");
        o = cxc_lining(o, sv);
    }
    o = VOX_PUT(o, "view #1\n");
    return script_end(&sc, b, o);
}
