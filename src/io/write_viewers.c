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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "internal.h"

/* PyMOL and ChimeraX both know these colour names. */
static const char *const type_colour[5] = {"magenta", "orange", "cyan", "red", "gray"};

/* Serial-number ranges [lo, hi], built by appending ascending serials. */
typedef struct ranges {
    size_t (*v)[2];
    size_t n, cap;
    int oom;
} ranges;

static void ranges_add(ranges *r, size_t lo, size_t hi)
{
    if (r->n && r->v[r->n - 1][1] + 1 == lo) {
        r->v[r->n - 1][1] = hi;
        return;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        size_t(*p)[2] = realloc(r->v, cap * sizeof *p);
        if (!p) {
            r->oom = 1;
            return;
        }
        r->v = p;
        r->cap = cap;
    }
    r->v[r->n][0] = lo;
    r->v[r->n][1] = hi;
    r->n++;
}

/* Every atom of the lining residues of group g, as serial ranges. */
static void lining_ranges(const vox_group *g, ranges *out)
{
    out->n = 0;
    for (size_t t = 0; t < g->d.nresidues; t++) ranges_add(out, g->d.residues[t] + 1, g->d.residue_ends[t]);
}

/* One volume as the scripts show it. */
typedef struct shown_volume {
    char name[48];        /* vox_<type>_<id> */
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
        snprintf(v->name, sizeof v->name, "vox_%s_%d", vox_volume_type_name(g->type), g->id);
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

/* A number with all its digits, always with a point: PyMOL's C side takes
 * a Python int in a matrix for garbage (it crashed on one in our tests). */
static void put_float(vox_buf *b, double v)
{
    char t[40];
    snprintf(t, sizeof t, "%.17g", v == 0.0 ? 0.0 : v); /* no "-0" */
    vox_buf_puts(b, t);
    if (!strpbrk(t, ".e"))
        vox_buf_puts(b, ".0");
}

/* Lines are put in pieces, numbers formatted by decimal.h: no printf. */
static void put3(vox_buf *b, const char *a, const char *c, const char *d)
{
    vox_buf_puts(b, a);
    vox_buf_puts(b, c);
    vox_buf_puts(b, d);
}

static void put_line_end(vox_buf *b, const char *s)
{
    vox_buf_puts(b, s);
    vox_buf_putc(b, '\n');
}

/* "lo-hi" and then tail, as one piece. */
static void put_range(vox_buf *b, size_t lo, size_t hi, const char *tail)
{
    char t[64], *o = t;
    o += vox_fmt_u64(lo, o);
    *o++ = '-';
    o += vox_fmt_u64(hi, o);
    const size_t n = strlen(tail); /* "", "\n" or ")\n" */
    memcpy(o, tail, n);
    vox_buf_put(b, t, (size_t)(o - t) + n);
}

/* The parts both scripts share: the volumes, the lining ranges' buffer. */
typedef struct script {
    shown_volume *vols;
    size_t n;
    ranges lining;
    char radius_text[VOX_FMT_FIXED_MAX]; /* "%.3f" of half a voxel edge: the spheres fill their voxels */
} script;

static vox_status script_begin(const vox_structure *s, const vox_result *r, const vox_render_params *p, script *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->vols = malloc((r->n + 1) * sizeof *sc->vols);
    if (!sc->vols)
        return VOX_E_NOMEM;
    sc->n = shown_volumes(s, r, p->include_hubs, sc->vols);
    if (sc->n == (size_t)-1) {
        free(sc->vols);
        return VOX_E_NOMEM;
    }
    vox_fmt_fixed(0.5 * r->resolution, 3, sc->radius_text);
    return VOX_OK;
}

static vox_status script_end(script *sc, vox_buf *b)
{
    int oom = sc->lining.oom;
    free(sc->lining.v);
    free(sc->vols);
    return oom || b->oom ? VOX_E_NOMEM : VOX_OK;
}

/* PyMOL: `id` takes "a-b+c-d"; long lists are split over several select
 * commands so no line grows past a few kilobytes. */
#define PYMOL_RANGES_PER_LINE 64

vox_status vox_render_pymol(const vox_structure *s, const vox_result *r, const vox_render_params *p, vox_buf *b)
{
    script sc;
    if (script_begin(s, r, p, &sc) != VOX_OK)
        return VOX_E_NOMEM;
    /* PyMOL splits every line at semicolons, comments too: none here */
    put3(b, "# vox ", vox_version(),
         ": the volumes of one structure for PyMOL (pymol FILE.pml, run from this folder).\n"
         "# Atoms are picked by serial number (id), one object per volume, coloured by type\n"
         "# (hub magenta, pore orange, pocket cyan, cavity red, occluded gray), lining residues as sticks.\n");
    vox_buf_puts(b, "delete vox_*\n");
    put3(b, "load ", p->structure_file, ", vox_structure\n");
    double m[3][4];
    if (to_input(r, p, m)) {
        /* the file is in the aligned frame: move it onto the input frame (numbers only) */
        vox_buf_puts(b, "/cmd.transform_object(\"vox_structure\", [");
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 4; c++) {
                put_float(b, m[a][c]);
                vox_buf_puts(b, ", ");
            }
        vox_buf_puts(b, "0.0, 0.0, 0.0, 1.0], homogenous=1)\n");
    }
    vox_buf_puts(b, "hide everything, vox_structure\n");
    vox_buf_puts(b, "show cartoon, vox_structure and id ");
    put_range(b, 1, s->atoms.n, "\n");
    for (size_t v = 0; v < sc.n; v++) {
        const shown_volume *sv = &sc.vols[v];
        put3(b, "create ", sv->name, ", vox_structure and id ");
        put_range(b, sv->first, sv->last, "\n");
        put3(b, "alter ", sv->name, ", vdw=");
        put_line_end(b, sc.radius_text);
        put3(b, "show spheres, ", sv->name, "\n");
        put3(b, "color ", sv->colour, ", ");
        put_line_end(b, sv->name);
        lining_ranges(sv->g, &sc.lining);
        if (!sc.lining.n)
            continue;
        put3(b, "select ", sv->name, "_lining, none\n");
        for (size_t k = 0; k < sc.lining.n; k++) {
            if (k % PYMOL_RANGES_PER_LINE == 0) {
                put3(b, "select ", sv->name, "_lining, ");
                put3(b, "", sv->name, "_lining or (vox_structure and id ");
            } else {
                vox_buf_putc(b, '+');
            }
            const int last = k % PYMOL_RANGES_PER_LINE == PYMOL_RANGES_PER_LINE - 1 || k + 1 == sc.lining.n;
            put_range(b, sc.lining.v[k][0], sc.lining.v[k][1], last ? ")\n" : "");
        }
        put3(b, "show sticks, ", sv->name, "_lining\n");
    }
    vox_buf_puts(b, "rebuild\ndeselect\nzoom vox_structure\n");
    return script_end(&sc, b);
}

/* ChimeraX: one serial range is the intersection of two attribute tests,
 * put as one piece. */
static void cxc_range(vox_buf *b, size_t lo, size_t hi)
{
    static const char ge[] = "(#1@@serial_number>=", le[] = " & #1@@serial_number<=";
    char t[sizeof ge + sizeof le + 48], *o = t;
    memcpy(o, ge, sizeof ge - 1);
    o += sizeof ge - 1;
    o += vox_fmt_u64(lo, o);
    memcpy(o, le, sizeof le - 1);
    o += sizeof le - 1;
    o += vox_fmt_u64(hi, o);
    *o++ = ')';
    vox_buf_put(b, t, (size_t)(o - t));
}

vox_status vox_render_chimerax(const vox_structure *s, const vox_result *r, const vox_render_params *p,
                               vox_buf *b)
{
    script sc;
    if (script_begin(s, r, p, &sc) != VOX_OK)
        return VOX_E_NOMEM;
    put3(b, "# vox ", vox_version(),
         ": the volumes of one structure for ChimeraX (open FILE.cxc in a new session:\n"
         "# the structure becomes model #1).  Atoms are picked by serial number, one named selection\n"
         "# per volume, coloured by type (hub magenta, pore orange, pocket cyan, cavity red,\n"
         "# occluded gray), lining residues as sticks.\n");
    put3(b, "open ", p->structure_file, "\n");
    double m[3][4];
    if (to_input(r, p, m)) {
        /* the file is in the aligned frame: place the model in the input frame */
        vox_buf_puts(b, "view matrix models #1");
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 4; c++) {
                vox_buf_putc(b, ',');
                put_float(b, m[a][c]);
            }
        vox_buf_putc(b, '\n');
    }
    vox_buf_puts(b, "hide #1 atoms\n");
    vox_buf_puts(b, "cartoon #1\n");
    for (size_t v = 0; v < sc.n; v++) {
        const shown_volume *sv = &sc.vols[v];
        put3(b, "name frozen ", sv->name, " ");
        cxc_range(b, sv->first, sv->last);
        put3(b, "\nshow ", sv->name, " atoms\n");
        put3(b, "style ", sv->name, " sphere\n");
        put3(b, "size ", sv->name, " atomRadius ");
        put_line_end(b, sc.radius_text);
        put3(b, "color ", sv->name, " ");
        put_line_end(b, sv->colour);
        lining_ranges(sv->g, &sc.lining);
        if (!sc.lining.n)
            continue;
        put3(b, "name frozen ", sv->name, "_lining ");
        for (size_t k = 0; k < sc.lining.n; k++) {
            if (k) vox_buf_puts(b, " | ");
            cxc_range(b, sc.lining.v[k][0], sc.lining.v[k][1]);
        }
        put3(b, "\nshow ", sv->name, "_lining atoms\n");
        put3(b, "style ", sv->name, "_lining stick\n");
    }
    vox_buf_puts(b, "view #1\n");
    return script_end(&sc, b);
}
