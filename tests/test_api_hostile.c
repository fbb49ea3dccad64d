/* test_api_hostile.c - what an in-process caller (an MD or HPC code) may hand the library
 * by mistake or on purpose, and what it must get back: a clear error naming what was wrong,
 * never a write past its buffers, NaN coordinates or a document broken by a name.
 *
 * Usage: test_api_hostile SYNTHETIC_DIR */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "api_setup.h"
#include "vox/vox.h"

static const char *dir;
static vox_ctx *ctx;

static vox_structure *load(const char *name)
{
    return load_synthetic(ctx, dir, name);
}

/* Output records whose size is under the size field's own (a caller's
 * 4-byte garbage, or a struct of another ABI): refused, and not one byte
 * written past the size field.  They filled 4 bytes, then wrote the size
 * back over 8, and reported success. */
static void test_small_records(void)
{
    vox_structure *s = load("pocket_box.pdb");
    vox_result *r = NULL;
    CHECK(s && vox_prepare(ctx, s, NULL) == VOX_OK && vox_analyze(ctx, s, NULL, &r) == VOX_OK,
          "load + prepare + analyse pocket_box.pdb");
    static const char *const names[] = {"vox_structure_atom", "vox_structure_transform", "vox_result_transform",
                                        "vox_ctx_get_stats", "vox_estimate_grid", "vox_superpose",
                                        "vox_frames_next"};
    float *all = malloc(3 * (s ? vox_structure_atom_count(s) : 0) * sizeof *all + 1), ref[12], centre_xyz[12];
    if (s)
        vox_structure_coords(s, all);
    memcpy(ref, all, sizeof ref); /* four atoms of it */
    memcpy(centre_xyz, all, sizeof ref);
    free(all);
    double centroid[3], rmsd;
    /* a trajectory of its own (two models of three atoms), so the test needs no other test's files */
    char traj[] = "/tmp/vox-hostile-XXXXXX.pdb";
    const int fd = mkstemps(traj, 4);
    FILE *tf = fd >= 0 ? fdopen(fd, "w") : NULL;
    for (int m = 1; tf && m <= 2; m++) {
        fprintf(tf, "MODEL     %4d\n", m);
        for (int i = 0; i < 3; i++)
            fprintf(tf, "ATOM  %5d  CA  ALA A%4d    %8.3f%8.3f%8.3f  1.00  0.00           C\n", i + 1, i + 1,
                    3.8 * i, 0.5 * m, 0.0);
        fprintf(tf, "ENDMDL\n");
    }
    if (tf)
        fclose(tf);
    vox_frames *fr = NULL;
    CHECK(tf && vox_frames_open(ctx, traj, &fr) == VOX_OK, "open a two-model PDB: %s", vox_ctx_last_error_detail(ctx));
    float *frame = fr ? malloc(3 * vox_frames_atom_count(fr) * sizeof *frame + 1) : NULL;
    for (int which = 0; which < 7; which++) {
        union {
            vox_atom_info atom;
            vox_transform transform;
            vox_stats stats;
            vox_grid_estimate estimate;
            vox_frame_info frame;
            unsigned char bytes[1024];
        } u;
        memset(&u, 0xab, sizeof u);
        u.atom.size = 4; /* every record starts with its size_t */
        vox_status st = which == 0   ? vox_structure_atom(s, 0, &u.atom)
                        : which == 1 ? vox_structure_transform(s, &u.transform)
                        : which == 2 ? vox_result_transform(r, &u.transform)
                        : which == 3 ? vox_ctx_get_stats(ctx, &u.stats)
                        : which == 4 ? vox_estimate_grid(ctx, s, NULL, &u.estimate)
                        : which == 5 ? vox_superpose(ref, centre_xyz, 4, &u.transform, centroid, &rmsd)
                        : fr         ? vox_frames_next(ctx, fr, frame, &u.frame, &(int){0})
                                     : VOX_E_INVALID_ARG;
        size_t touched = 0;
        for (size_t i = sizeof u.atom.size; i < sizeof u.bytes; i++) touched += u.bytes[i] != 0xab;
        CHECK(st == VOX_E_INVALID_ARG && touched == 0 && u.atom.size == 4,
              "%s with a 4-byte record: status %d, size now %zu, %zu bytes written past the size", names[which],
              (int)st, u.atom.size, touched);
    }
    free(frame);
    vox_frames_close(&fr);
    unlink(traj);
    vox_result_free(&r);
    vox_structure_free(&s);
}

/* n (at most 8) atoms from arrays, residues numbered from 1. */
static vox_structure *from_names(size_t n, const float *xyz, const char *const *el, const char *const *nm,
                                 const char *const *rn)
{
    static const int32_t rid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    vox_atom_arrays a;
    vox_atom_arrays_init(&a);
    a.count = n; a.xyz = xyz; a.element = el; a.atom_name = nm; a.res_name = rn; a.res_id = rid;
    vox_structure *s = NULL;
    vox_status st = vox_structure_from_arrays(ctx, &a, &s);
    CHECK(st == VOX_OK, "%zu atoms from arrays: %s", n, vox_ctx_last_error_detail(ctx));
    return s;
}

/* Four atoms (CA of ALA), from arrays. */
static vox_structure *four_atoms(const float xyz[12])
{
    static const char *const el[4] = {"C", "C", "C", "C"}, *const nm[4] = {"CA", "CA", "CA", "CA"},
                             *const rn[4] = {"ALA", "ALA", "ALA", "ALA"};
    return from_names(4, xyz, el, nm, rn);
}

/* four_atoms prepared without alignment: the coordinates as given. */
static vox_structure *unaligned_four_atoms(const float xyz[12])
{
    vox_structure *s = four_atoms(xyz);
    vox_prepare_params pp;
    vox_prepare_params_init(&pp);
    pp.align = 0;
    CHECK(vox_prepare(ctx, s, &pp) == VOX_OK, "prepare four atoms unaligned: %s", vox_ctx_last_error_detail(ctx));
    return s;
}

static int all_finite(const vox_structure *s)
{
    size_t n = vox_structure_atom_count(s);
    float *xyz = malloc((3 * n + 1) * sizeof *xyz);
    int ok = xyz != NULL;
    vox_structure_coords(s, xyz);
    for (size_t i = 0; ok && i < 3 * n; i++) ok = isfinite(xyz[i]);
    free(xyz);
    return ok;
}

/* Finite coordinates whose sum or rotation overflows f32 (an MD code's
 * uninitialised or exploded frame: 3e38 is a float).  vox_prepare refused
 * them with the SVD's "failed (info -2)" in volumizer's frame, or returned
 * VOX_OK with NaN or infinite coordinates (vox_analyze then said "the grid
 * has no voxels along x").  Now both frames say that the coordinates are
 * too large, naming an atom, and so does vox_structure_set_coords. */
static void test_overflowing_coordinates(void)
{
    static const float same_sign[12] = {3e38f, 3e38f, 3e38f, 3.1e38f, 3e38f, 3e38f,
                                        3e38f, 3.2e38f, 3e38f, 3e38f, 3e38f, 3.3e38f};
    /* centred fine, but the diagonal's length is over FLT_MAX once it is the x axis */
    static const float spread[12] = {3e38f, 3e38f, 0, -3e38f, -3e38f, 0, 0, 0, 1, 0, 0, -1};
    static const float fine[12] = {0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 3};
    for (int signs = 0; signs < 2; signs++)
        for (int k = 0; k < 2; k++) {
            vox_structure *s = four_atoms(k ? spread : same_sign);
            vox_prepare_params pp;
            vox_prepare_params_init(&pp);
            pp.frame_signs = signs ? VOX_FRAME_SIGNS_CANONICAL : VOX_FRAME_SIGNS_VOLUMIZER;
            vox_status st = vox_prepare(ctx, s, &pp);
            const char *d = vox_ctx_last_error_detail(ctx);
            CHECK(st == VOX_E_INVALID_ARG && strstr(d, "too large") && strstr(d, "atom "),
                  "frame %d, %s: prepare gave %d (%s), coordinates %s", signs, k ? "spread" : "same sign", (int)st,
                  d, all_finite(s) ? "finite" : "NOT finite");
            vox_structure_free(&s);
            /* the same frame given to a prepared structure */
            s = four_atoms(fine);
            CHECK(vox_prepare(ctx, s, &pp) == VOX_OK, "prepare four good atoms: %s", vox_ctx_last_error_detail(ctx));
            st = vox_structure_set_coords(ctx, s, k ? spread : same_sign, 4);
            d = vox_ctx_last_error_detail(ctx);
            CHECK(st == VOX_E_INVALID_ARG && strstr(d, "too large"), "frame %d, %s: set_coords gave %d (%s)", signs,
                  k ? "spread" : "same sign", (int)st, d);
            vox_structure_free(&s);
        }
}

/* A fixed lattice whose origin is among the atoms but whose grid_dims is
 * huge: refused as too large, and the detail names grid_dims.  It said "the
 * lattice's origin 0 along x is so far from the atoms (-17.8 .. 18.4)",
 * which sent the caller to the wrong field. */
static void test_lattice_dims_named(void)
{
    vox_structure *s = load("pocket_box.pdb");
    CHECK(s && vox_prepare(ctx, s, NULL) == VOX_OK, "load + prepare pocket_box.pdb");
    for (int axis = 0; axis < 3; axis++) {
        vox_analyze_params p;
        vox_analyze_params_init(&p);
        p.has_grid = 1;
        for (int a = 0; a < 3; a++) {
            p.grid_origin[a] = 0.0; /* inside the atoms (-17.8 .. 18.4) */
            p.grid_dims[a] = 30;
        }
        p.grid_dims[axis] = INT_MAX;
        vox_result *r = NULL;
        vox_status st = vox_analyze(ctx, s, &p, &r);
        const char *d = vox_ctx_last_error_detail(ctx);
        char want[32];
        snprintf(want, sizeof want, "grid_dims %c", "xyz"[axis]);
        CHECK(st == VOX_E_GRID_TOO_LARGE && r == NULL && strstr(d, want) && !strstr(d, "far from"),
              "grid_dims %c = INT_MAX: status %d (%s)", "xyz"[axis], (int)st, d);
        vox_result_free(&r);
    }
    vox_structure_free(&s);
}

static char *render_cif(vox_structure *s)
{
    vox_result *r = NULL;
    char *cif = NULL;
    size_t len;
    if (vox_prepare(ctx, s, NULL) != VOX_OK || vox_analyze(ctx, s, NULL, &r) != VOX_OK ||
        vox_render(ctx, VOX_DOC_CIF, s, r, NULL, &cif, &len) != VOX_OK)
        fprintf(stderr, "render_cif: %s\n", vox_ctx_last_error_detail(ctx));
    vox_result_free(&r);
    return cif;
}

/* Names as a PDB file's columns give them: the header says the element is
 * what columns 77-78 hold, and vox_structure_from_arrays holds what loading
 * a PDB file with the same atoms gives.  The loader trims the columns and
 * infers a blank element from the atom name; the arrays kept " C" and ""
 * as they were, so the element was unknown (default radius), a hydrogen
 * " H" or "" survived cleaning, and " CA " was no C-alpha: other volumes. */
static void test_names_as_pdb_columns(void)
{
    vox_structure *file = load("pocket_box.pdb");
    CHECK(file != NULL, "load pocket_box.pdb");
    const size_t n = vox_structure_atom_count(file);
    float *xyz = malloc(3 * (n + 1) * sizeof *xyz);
    const char **el = malloc((n + 1) * sizeof *el), **nm = malloc((n + 1) * sizeof *nm),
               **rn = malloc((n + 1) * sizeof *rn), **ch = malloc((n + 1) * sizeof *ch);
    int32_t *rid = malloc((n + 1) * sizeof *rid);
    vox_atom_info *info = calloc(n + 1, sizeof *info);
    vox_structure_coords(file, xyz);
    for (size_t i = 0; i < n; i++) {
        info[i].size = sizeof info[i];
        vox_structure_atom(file, i, &info[i]);
        rid[i] = info[i].res_id;
    }
    char *want = render_cif(file);
    vox_structure_free(&file);
    static const char *const how[] = {"element \"\"", "element \" C\"", "atom_name \" CA \"", "res_name \"ALA \"",
                                      "chain \" A\"", "a hydrogen with element \"\""};
    for (int v = 0; v < 6; v++) {
        for (size_t i = 0; i < n; i++) {
            el[i] = v == 0 ? "" : v == 1 ? " C" : info[i].element;
            nm[i] = v == 2 && strcmp(info[i].atom_name, "CA") == 0 ? " CA " : info[i].atom_name;
            rn[i] = v == 3 && strcmp(info[i].res_name, "ALA") == 0 ? "ALA " : info[i].res_name;
            ch[i] = v == 4 && strcmp(info[i].chain, "A") == 0 ? " A" : info[i].chain;
        }
        size_t count = n;
        if (v == 5) { /* one more atom: a hydrogen that cleaning removes, as from a PDB file */
            memcpy(xyz + 3 * n, xyz, 3 * sizeof *xyz);
            el[n] = "";
            nm[n] = "HA";
            rn[n] = info[n - 1].res_name;
            ch[n] = info[n - 1].chain;
            rid[n] = info[n - 1].res_id;
            count = n + 1;
        }
        vox_atom_arrays a;
        vox_atom_arrays_init(&a);
        a.count = count; a.xyz = xyz; a.element = el; a.atom_name = nm; a.res_name = rn; a.res_id = rid; a.chain = ch;
        vox_structure *s = NULL;
        vox_status st = vox_structure_from_arrays(ctx, &a, &s);
        char *got = st == VOX_OK ? render_cif(s) : NULL;
        CHECK(want && got && strcmp(want, got) == 0, "%s: the annotated mmCIF differs from the PDB file's (%s)",
              how[v], st == VOX_OK ? "built" : vox_ctx_last_error_detail(ctx));
        free(got);
        vox_structure_free(&s);
    }
    free(want);
    free(xyz); free(el); free(nm); free(rn); free(ch); free(rid); free(info);
}

/* Line breaks in names built in memory (the arrays take any text, as an
 * mmCIF text field may hold it): the annotated PDB holds each record on one
 * line, the break written as '?' as the CIF writer writes it.  Before, an
 * atom named "C\nEND" ended the structure's records half-way through a line. */
static void test_line_breaks_in_names(void)
{
    vox_structure *file = load("pocket_box.pdb");
    CHECK(file != NULL, "load pocket_box.pdb");
    const size_t n = vox_structure_atom_count(file);
    float *xyz = malloc(3 * n * sizeof *xyz);
    const char **el = malloc(n * sizeof *el), **nm = malloc(n * sizeof *nm), **rn = malloc(n * sizeof *rn),
               **ch = malloc(n * sizeof *ch);
    int32_t *rid = malloc(n * sizeof *rid);
    vox_atom_info *info = calloc(n, sizeof *info);
    vox_structure_coords(file, xyz);
    for (size_t i = 0; i < n; i++) {
        info[i].size = sizeof info[i];
        vox_structure_atom(file, i, &info[i]);
        rid[i] = info[i].res_id;
        el[i] = info[i].element;
        nm[i] = i == 0 ? "C\nEND" : i == 1 ? "C\001\tX" : info[i].atom_name;
        rn[i] = info[i].res_name; /* (another residue name would be a ligand, which cleaning removes) */
        ch[i] = i == 2 ? "A\r\nB" : info[i].chain;
    }
    vox_structure_free(&file);
    vox_atom_arrays a;
    vox_atom_arrays_init(&a);
    a.count = n; a.xyz = xyz; a.element = el; a.atom_name = nm; a.res_name = rn; a.res_id = rid; a.chain = ch;
    vox_structure *s = NULL;
    vox_result *r = NULL;
    char *pdb = NULL;
    size_t len = 0;
    CHECK(vox_structure_from_arrays(ctx, &a, &s) == VOX_OK && vox_prepare(ctx, s, NULL) == VOX_OK &&
              vox_analyze(ctx, s, NULL, &r) == VOX_OK && vox_render(ctx, VOX_DOC_PDB, s, r, NULL, &pdb, &len) == VOX_OK,
          "line breaks in names: built, analysed, rendered (%s)", vox_ctx_last_error_detail(ctx));
    size_t bad = 0, atoms = 0;
    for (const char *l = pdb; l && *l;) {
        const char *e = strchr(l, '\n');
        const size_t ln = e ? (size_t)(e - l) : strlen(l);
        if (ln >= 6 && strncmp(l, "ATOM  ", 6) == 0) atoms++;
        else if (!(ln == 3 && strncmp(l, "END", 3) == 0)) bad++;
        if (memchr(l, '\r', ln)) bad++;
        l = e ? e + 1 : l + ln;
    }
    CHECK(pdb && bad == 0 && atoms >= n, "line breaks in names: %zu lines are not whole records", bad);
    CHECK(pdb && strstr(pdb, " C?EN ") && strstr(pdb, " A??B "), "line breaks in names: written as '?'");
    /* every other control character too, as the annotated mmCIF writes them (a tab stayed, and \001 was written
     * raw: vox then refused its own file as binary data) */
    CHECK(pdb && strstr(pdb, " C??X ") && !strchr(pdb, '\t') && !strchr(pdb, '\001'), "control characters in names: '?'");
    vox_free(pdb);
    vox_result_free(&r);
    vox_structure_free(&s);
    free(xyz); free(el); free(nm); free(rn); free(ch); free(rid); free(info);
}

/* max_grid_voxels refuses grids larger than it, not grids that fit: the
 * quick upper bound from the atoms' extent (the largest radius of the whole
 * table, two spare voxels per axis) refused a grid of exactly the limit, at
 * 3 A (1716 voxels, "about 2.18e+03") and at 0.5 A (298351 voxels, bounded
 * by 386389), and vox_estimate_grid called that grid over the limit. */
static void test_grid_at_the_limit(void)
{
    vox_structure *s = load("pocket_box.pdb");
    CHECK(s && vox_prepare(ctx, s, NULL) == VOX_OK, "load + prepare pocket_box.pdb");
    static const double resolutions[2] = {3.0, 0.5};
    for (int k = 0; k < 2; k++) {
        vox_analyze_params p;
        vox_analyze_params_init(&p);
        p.resolution = resolutions[k];
        vox_grid_estimate e;
        e.size = sizeof e;
        CHECK(vox_estimate_grid(ctx, s, &p, &e) == VOX_OK && !e.approximate, "exact estimate at %g A",
              p.resolution);
        for (int under = 0; under < 2; under++) {
            vox_options o;
            vox_options_init(&o);
            o.profile = "";
            o.threads = 1;
            o.max_grid_voxels = e.voxels - (uint64_t)under;
            vox_ctx *c = NULL;
            CHECK(vox_ctx_create(&c, &o) == VOX_OK, "a context with max_grid_voxels %llu",
                  (unsigned long long)o.max_grid_voxels);
            vox_result *r = NULL;
            vox_status st = vox_analyze(c, s, &p, &r);
            vox_grid_estimate at;
            at.size = sizeof at;
            vox_status est = vox_estimate_grid(c, s, &p, &at);
            if (!under)
                CHECK(st == VOX_OK && est == VOX_OK && !at.over_limit && !at.approximate && at.voxels == e.voxels,
                      "%g A, a grid of %llu voxels under a limit of as many: analyse %d (%s), estimate over %d, "
                      "approximate %d, %llu voxels", p.resolution, (unsigned long long)e.voxels, (int)st,
                      vox_ctx_last_error_detail(c), at.over_limit, at.approximate, (unsigned long long)at.voxels);
            else
                CHECK(st == VOX_E_GRID_TOO_LARGE && est == VOX_OK && at.over_limit,
                      "%g A, a grid of %llu voxels, one over the limit: analyse %d, estimate over %d", p.resolution,
                      (unsigned long long)e.voxels, (int)st, at.over_limit);
            vox_result_free(&r);
            vox_ctx_destroy(&c);
        }
    }
    vox_structure_free(&s);
}

/* Six atoms from arrays, two of them water (removed by cleaning): kept
 * atoms 1, 2, 4, 5 of the input. */
static vox_structure *with_water(const float xyz[18])
{
    static const char *const el[6] = {"O", "C", "C", "O", "C", "C"}, *const nm[6] = {"O", "CA", "CA", "O", "CA", "CA"},
                             *const rn[6] = {"HOH", "ALA", "ALA", "HOH", "ALA", "ALA"};
    return from_names(6, xyz, el, nm, rn);
}

/* A vox_prepare that fails in its alignment (an exploded first frame) has
 * cleaned the atoms already.  Retried after a good frame, it cleaned them
 * again and recorded indices into the cleaned array, not the input (kept
 * atoms 1, 2, 4, 5 became 0, 1, 2, 3), so atoms took other atoms'
 * coordinates from every later frame.  Now the retry
 * keeps naming input atoms, and a retry that would clean otherwise (the
 * atoms it would keep are gone) is refused. */
static void test_prepare_retried(void)
{
    static const float good[18] = {9, 9, 9, 0, 0, 0, 3, 0, 0, 7, 7, 7, 0, 3, 0, 0, 0, 3};
    float bad[18];
    memcpy(bad, good, sizeof bad);
    bad[3] = bad[6] = 3e38f; /* x of kept atoms 1 and 2: the centred sum overflows */
    vox_structure *s = with_water(bad);
    vox_status st = vox_prepare(ctx, s, NULL);
    CHECK(st == VOX_E_INVALID_ARG && strstr(vox_ctx_last_error_detail(ctx), "too large"),
          "exploded first frame: prepare gave %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    CHECK(vox_structure_set_coords(ctx, s, good, 6) == VOX_OK, "a good frame: %s", vox_ctx_last_error_detail(ctx));
    vox_prepare_params other;
    vox_prepare_params_init(&other);
    other.keep_non_protein = 1;
    st = vox_prepare(ctx, s, &other);
    CHECK(st == VOX_E_INVALID_ARG && strstr(vox_ctx_last_error_detail(ctx), "keep_non_protein = 0"),
          "a retry that would keep the removed water: %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    st = vox_prepare(ctx, s, NULL);
    CHECK(st == VOX_OK, "retried with the same settings: %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    size_t kept[8] = {0};
    const size_t nk = vox_structure_kept_atoms(s, kept);
    CHECK(nk == 4 && kept[0] == 1 && kept[1] == 2 && kept[2] == 4 && kept[3] == 5,
          "kept input atoms after the retry: %zu: %zu %zu %zu %zu (want 1 2 4 5)", nk, kept[0], kept[1], kept[2],
          kept[3]);
    /* and the same as a structure prepared once */
    vox_structure *fresh = with_water(good);
    CHECK(vox_prepare(ctx, fresh, NULL) == VOX_OK, "prepare the good frame");
    float a[12], b[12];
    vox_structure_coords(s, a);
    vox_structure_coords(fresh, b);
    CHECK(!memcmp(a, b, sizeof a), "retried and fresh structures hold the same aligned atoms");
    vox_structure_free(&fresh);
    vox_structure_free(&s);
    /* a cleaning that left no atom: its retry with the same settings says so again (it was told the
     * settings differed: they were recorded only when cleaning left atoms) */
    vox_prepare_params md;
    vox_prepare_params_init(&md);
    md.md_residue_names = 1;
    static const char *const el[3] = {"O", "O", "O"}, *const nm[3] = {"O", "O", "O"}, *const rn[3] = {"HOH", "HOH", "HOH"};
    static const float wxyz[9] = {0, 0, 0, 3, 0, 0, 0, 3, 0};
    vox_structure *w = from_names(3, wxyz, el, nm, rn);
    CHECK(vox_prepare(ctx, w, &md) == VOX_E_NO_ATOMS, "water alone: no atoms left");
    st = vox_prepare(ctx, w, &md);
    CHECK(st == VOX_E_NO_ATOMS, "its retry with the same settings: %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    vox_structure_free(&w);
}

/* A frame vox_structure_set_coords takes but cannot align (it fails once
 * rotated): the structure kept the half-aligned coordinates, and
 * vox_analyze and vox_estimate_grid then spoke of an infinite grid and
 * --max-grid-voxels.  Now both say the last frame could not be aligned,
 * until a good frame comes. */
static void test_unaligned_frame_refused(void)
{
    static const float fine[12] = {0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 3};
    static const float spread[12] = {3e38f, 3e38f, 0, -3e38f, -3e38f, 0, 0, 0, 1, 0, 0, -1};
    vox_structure *s = four_atoms(fine);
    CHECK(vox_prepare(ctx, s, NULL) == VOX_OK, "prepare four atoms");
    CHECK(vox_structure_set_coords(ctx, s, spread, 4) == VOX_E_INVALID_ARG, "the exploded frame is refused");
    vox_result *r = NULL;
    vox_status st = vox_analyze(ctx, s, NULL, &r);
    CHECK(st == VOX_E_INVALID_ARG && strstr(vox_ctx_last_error_detail(ctx), "could not align"),
          "analyse after it: %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    vox_grid_estimate e = {.size = sizeof e};
    st = vox_estimate_grid(ctx, s, NULL, &e);
    CHECK(st == VOX_E_INVALID_ARG && strstr(vox_ctx_last_error_detail(ctx), "could not align"),
          "estimate after it: %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    vox_result_free(&r);
    CHECK(vox_structure_set_coords(ctx, s, fine, 4) == VOX_OK, "a good frame again");
    st = vox_analyze(ctx, s, NULL, &r);
    CHECK(st == VOX_OK, "analyse the good frame: %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    vox_result_free(&r);
    vox_structure_free(&s);
    /* the same from vox_prepare, which rotates the atoms before it finds them too large: a retry with
     * align = 0 took the half-rotated coordinates (infinities) as the frame and said VOX_OK */
    s = four_atoms(spread);
    CHECK(vox_prepare(ctx, s, NULL) == VOX_E_INVALID_ARG, "prepare refuses the exploded frame");
    vox_prepare_params raw;
    vox_prepare_params_init(&raw);
    raw.align = 0;
    st = vox_prepare(ctx, s, &raw);
    CHECK(st == VOX_E_INVALID_ARG && strstr(vox_ctx_last_error_detail(ctx), "could not align"),
          "a retry with align = 0 on the rotated atoms: %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    CHECK(vox_structure_set_coords(ctx, s, fine, 4) == VOX_OK && vox_prepare(ctx, s, &raw) == VOX_OK,
          "after a new frame it prepares: %s", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&s);
}

/* vox_reference_apply on an exploded frame (finite values near FLT_MAX)
 * returned VOX_OK with infinities in out, which vox_structure_set_coords
 * then blamed on the caller's frame.  It also left the previous call's
 * error detail in place on success, as vox_tracker_create did. */
static void test_superposed_overflow(void)
{
    static const float fine[12] = {0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 3};
    vox_structure *s = unaligned_four_atoms(fine);
    vox_reference *ref = NULL;
    CHECK(vox_reference_create(ctx, s, fine, 4, NULL, &ref) == VOX_OK, "reference: %s", vox_ctx_last_error_detail(ctx));
    float exploded[12], out[12];
    for (int i = 0; i < 12; i++) exploded[i] = i % 2 ? 3e38f : -3e38f;
    vox_status st = vox_reference_apply(ctx, ref, exploded, 4, 0, out);
    CHECK(st == VOX_E_INVALID_ARG && strstr(vox_ctx_last_error_detail(ctx), "superposed"),
          "an exploded frame superposed: %d (%s)", (int)st, vox_ctx_last_error_detail(ctx));
    st = vox_reference_apply(ctx, ref, fine, 4, 0, out);
    CHECK(st == VOX_OK && !vox_ctx_last_error_detail(ctx)[0], "a good frame after it: %d, detail '%s'", (int)st,
          vox_ctx_last_error_detail(ctx));
    vox_reference_apply(ctx, ref, exploded, 4, 0, out); /* an error detail again */
    vox_tracker_params tp;
    vox_tracker_params_init(&tp);
    vox_tracker *t = NULL;
    st = vox_tracker_create(ctx, &tp, &t);
    CHECK(st == VOX_OK && !vox_ctx_last_error_detail(ctx)[0], "tracker created: %d, detail '%s'", (int)st,
          vox_ctx_last_error_detail(ctx));
    vox_tracker_free(&t);
    vox_reference_free(&ref);
    vox_structure_free(&s);
}

/* With descriptors, an axis longer than the depth transform takes (32,766
 * voxels) was refused only by the depth stage, after the whole analysis,
 * and not at all where no volume was found; vox_estimate_grid did not
 * foresee it.  Now both refuse it up front, whatever the volumes. */
static void test_depth_axis_up_front(void)
{
    static const float far[12] = {0, 0, 0, 110000, 0, 0, 0, 3, 0, 0, 0, 3};
    vox_structure *s = unaligned_four_atoms(far);
    for (int descriptors = 0; descriptors < 2; descriptors++) {
        vox_analyze_params ap;
        vox_analyze_params_init(&ap);
        ap.resolution = 3.0;
        ap.descriptors = descriptors;
        vox_grid_estimate e = {.size = sizeof e};
        vox_status st = vox_estimate_grid(ctx, s, &ap, &e);
        CHECK(st == VOX_OK && e.dims[0] > 32766 && e.over_limit == descriptors,
              "descriptors %d: estimate %d, %d voxels along x, over_limit %d", descriptors, (int)st, e.dims[0],
              e.over_limit);
        vox_result *r = NULL;
        st = vox_analyze(ctx, s, &ap, &r);
        CHECK(descriptors ? st == VOX_E_GRID_TOO_LARGE && strstr(vox_ctx_last_error_detail(ctx), "along x") &&
                                strstr(vox_ctx_last_error_detail(ctx), "32766")
                          : st == VOX_OK,
              "descriptors %d: analyse gave %d (%s)", descriptors, (int)st, vox_ctx_last_error_detail(ctx));
        vox_result_free(&r);
    }
    vox_structure_free(&s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_api_hostile SYNTHETIC_DIR\n");
        return 2;
    }
    dir = argv[1];
    if (!(ctx = one_thread_ctx()))
        return 1;
    test_small_records();
    test_overflowing_coordinates();
    test_lattice_dims_named();
    test_names_as_pdb_columns();
    test_line_breaks_in_names();
    test_grid_at_the_limit();
    test_prepare_retried();
    test_unaligned_frame_refused();
    test_superposed_overflow();
    test_depth_axis_up_front();
    vox_ctx_destroy(&ctx);
    return check_report();
}
