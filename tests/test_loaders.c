/* test_loaders.c - structure files as users have them: line ends, compressors and layouts
 * that real files come in, read the way volumizer (biotite 0.37) reads them, or refused with
 * a message naming the file, the place and what was expected.  Every input is generated here.
 *
 * Usage: test_loaders DIR (a folder of its own is made in DIR, and removed) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_setup.h"
#include "check.h"
#include "vox/vox.h"

static const char *tmpdir;
static vox_ctx *ctx;

/* A small PDB text: nres alanines of five atoms, one model or two (MODEL/ENDMDL). */
static char *pdb_text(int nres, int models, const char *eol)
{
    size_t cap = (size_t)(nres * 5 + 8) * (size_t)models * 100 + 256, n = 0;
    char *t = malloc(cap);
    static const char *const names[5] = {"N", "CA", "C", "O", "CB"}, *const elem[5] = {"N", "C", "C", "O", "C"};
    for (int m = 1; m <= models; m++) {
        if (models > 1)
            n += (size_t)snprintf(t + n, cap - n, "MODEL     %4d%s", m, eol);
        for (int r = 1, k = 1; r <= nres; r++)
            for (int a = 0; a < 5; a++, k++)
                n += (size_t)snprintf(t + n, cap - n,
                                      "ATOM  %5d  %-3s ALA A%4d    %8.3f%8.3f%8.3f  1.00 20.00           %2s%s", k,
                                      names[a], r, 3.8 * r + 0.5 * a + 0.1 * m, 1.1 * a, 0.3 * a, elem[a], eol);
        if (models > 1)
            n += (size_t)snprintf(t + n, cap - n, "ENDMDL%s", eol);
    }
    snprintf(t + n, cap - n, "END%s", eol);
    return t;
}

/* The same atoms as an mmCIF text. */
static char *cif_text(int nres, const char *eol)
{
    size_t cap = (size_t)nres * 5 * 100 + 1024, n = 0;
    char *t = malloc(cap);
    static const char *const cols[] = {"group_PDB", "id", "type_symbol", "label_atom_id", "label_comp_id",
                                       "label_asym_id", "label_seq_id", "Cartn_x", "Cartn_y", "Cartn_z"};
    n += (size_t)snprintf(t + n, cap - n, "data_t%s#%sloop_%s", eol, eol, eol);
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
        n += (size_t)snprintf(t + n, cap - n, "_atom_site.%s%s", cols[c], eol);
    static const char *const names[5] = {"N", "CA", "C", "O", "CB"}, *const elem[5] = {"N", "C", "C", "O", "C"};
    for (int r = 1, k = 1; r <= nres; r++)
        for (int a = 0; a < 5; a++, k++)
            n += (size_t)snprintf(t + n, cap - n, "ATOM %d %s %s ALA A %d %.3f %.3f %.3f%s", k, elem[a], names[a], r,
                                  3.8 * r + 0.5 * a + 0.1, 1.1 * a, 0.3 * a, eol);
    snprintf(t + n, cap - n, "#%s", eol);
    return t;
}

static vox_structure *from_text(const char *text, const char *name)
{
    vox_structure *s = NULL;
    if (vox_load_buffer(ctx, text, strlen(text), name, NULL, &s) != VOX_OK)
        fprintf(stderr, "  %s: %s\n", name, vox_ctx_last_error_detail(ctx));
    return s;
}

/* Whether two structures hold the same atoms (names, residues, coordinates). */
static int same_atoms(const vox_structure *a, const vox_structure *b)
{
    if (!a || !b || vox_structure_atom_count(a) != vox_structure_atom_count(b))
        return 0;
    for (size_t i = 0; i < vox_structure_atom_count(a); i++) {
        vox_atom_info x = {.size = sizeof x}, y = {.size = sizeof y};
        vox_structure_atom(a, i, &x);
        vox_structure_atom(b, i, &y);
        if (memcmp(x.xyz, y.xyz, sizeof x.xyz) || strcmp(x.atom_name, y.atom_name) || strcmp(x.res_name, y.res_name) ||
            strcmp(x.chain, y.chain) || strcmp(x.element, y.element) || x.res_id != y.res_id)
            return 0;
    }
    return 1;
}

static char *write_tmp(const char *name, const char *text)
{
    char *path = malloc(strlen(tmpdir) + strlen(name) + 2);
    sprintf(path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

/* Files saved with classic Mac line ends (a lone CR) are read by volumizer
 * line by line like any other: Python's universal newlines end a line at
 * '\r'.  vox split lines at '\n' only, so such a PDB file was one line (one
 * atom, then "alignment needs at least 3 atoms"), an mmCIF file one comment
 * after its first '#' ("no atom_site category"), and a multi-model PDB read
 * as frames had "no atoms". */
static void test_cr_line_ends(void)
{
    char *lf = pdb_text(4, 1, "\n"), *cr = pdb_text(4, 1, "\r"), *crlf = pdb_text(4, 1, "\r\n");
    vox_structure *a = from_text(lf, "lf.pdb"), *b = from_text(cr, "cr.pdb"), *c = from_text(crlf, "crlf.pdb");
    CHECK(a && vox_structure_atom_count(a) == 20, "LF PDB: 20 atoms");
    CHECK(same_atoms(a, b), "CR-only PDB: the LF file's 20 atoms, got %zu", b ? vox_structure_atom_count(b) : 0);
    CHECK(same_atoms(a, c), "CR LF PDB: the LF file's atoms");
    /* a lone CR among LF line ends ends its line too */
    char *mixed = strdup(lf);
    *strchr(mixed, '\n') = '\r';
    vox_structure *d = from_text(mixed, "mixed.pdb");
    CHECK(same_atoms(a, d), "a lone CR between two ATOM records ends the first");
    /* from a file, the same */
    char *path = write_tmp("cr.pdb", cr);
    vox_structure *e = NULL;
    CHECK(vox_load_file(ctx, path, NULL, &e) == VOX_OK && same_atoms(a, e), "CR-only PDB file: %s",
          vox_ctx_last_error_detail(ctx));
    vox_structure_free(&a), vox_structure_free(&b), vox_structure_free(&c), vox_structure_free(&d);
    vox_structure_free(&e);
    unlink(path);
    free(path), free(lf), free(cr), free(crlf), free(mixed);

    char *clf = cif_text(4, "\n"), *ccr = cif_text(4, "\r");
    a = from_text(clf, "lf.cif");
    b = from_text(ccr, "cr.cif");
    CHECK(a && vox_structure_atom_count(a) == 20 && same_atoms(a, b), "CR-only mmCIF: the LF file's 20 atoms");
    vox_structure_free(&a), vox_structure_free(&b);
    free(clf), free(ccr);

    /* the models of a CR-only PDB as trajectory frames */
    char *mlf = pdb_text(4, 2, "\n"), *mcr = pdb_text(4, 2, "\r");
    char *plf = write_tmp("models-lf.pdb", mlf), *pcr = write_tmp("models-cr.pdb", mcr);
    float xa[2][60], xb[2][60];
    int frames[2] = {0, 0};
    for (int v = 0; v < 2; v++) {
        vox_frames *fr = NULL;
        if (vox_frames_open(ctx, v ? pcr : plf, &fr) != VOX_OK || vox_frames_atom_count(fr) != 20) {
            fprintf(stderr, "  %s: %s\n", v ? pcr : plf, vox_ctx_last_error_detail(ctx));
            vox_frames_close(&fr);
            continue;
        }
        for (int got = 1; got && frames[v] < 3;) {
            vox_frame_info info = {.size = sizeof info};
            if (vox_frames_next(ctx, fr, v ? xb[frames[v] & 1] : xa[frames[v] & 1], &info, &got) != VOX_OK) {
                fprintf(stderr, "  frame %d: %s\n", frames[v], vox_ctx_last_error_detail(ctx));
                break;
            }
            frames[v] += got;
        }
        vox_frames_close(&fr);
    }
    CHECK(frames[0] == 2 && frames[1] == 2 && !memcmp(xa, xb, sizeof xa),
          "CR-only models as frames: 2 frames as with LF (%d, %d)", frames[0], frames[1]);
    unlink(plf), unlink(pcr);
    free(plf), free(pcr), free(mlf), free(mcr);
}

/* Structure files packed by another compressor than gzip (PDB mirrors
 * serve .bz2, archives .xz, .zst or .zip): refused with a message naming
 * the compressor and what vox reads, not "binary data (N control bytes)",
 * which left the user guessing.  The first bytes of real files of each kind. */
static void test_other_compressors(void)
{
    static const struct { const char *name, *kind; unsigned char bytes[16]; size_t len; } cases[] = {
        {"1abc.pdb.bz2", "bzip2", {'B', 'Z', 'h', '9', '1', 'A', 'Y', '&', 'S', 'Y', 0x8c, 0x01, 0x7d, 0x00, 0x02, 0x10}, 16},
        {"1abc.cif.xz", "xz", {0xfd, '7', 'z', 'X', 'Z', 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46, 0x02, 0x00, 0x21, 0x01}, 16},
        {"1abc.pdb.zst", "zstd", {0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x5b, 0xb5, 0x01, 0x00, 0x41, 0x54, 0x4f, 0x4d}, 13},
        {"1abc.zip", "zip", {'P', 'K', 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x5a, 0x7b}, 12},
        {"1abc.pdb.Z", "compress", {0x1f, 0x9d, 0x90, 0x41, 0xa8, 0x3c, 0x9a, 0x02}, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        vox_structure *s = NULL;
        const vox_status st = vox_load_buffer(ctx, cases[i].bytes, cases[i].len, cases[i].name, NULL, &s);
        const char *d = vox_ctx_last_error_detail(ctx);
        CHECK(st == VOX_E_FORMAT && !s && strstr(d, cases[i].name) && strstr(d, cases[i].kind) && strstr(d, "gzip"),
              "%s: refused naming %s and what vox reads: %s", cases[i].name, cases[i].kind, d);
        vox_structure_free(&s);
    }
    /* a text that merely starts with "BZh" is not bzip2 */
    vox_structure *s = NULL;
    vox_load_buffer(ctx, "BZh is no record\n", 17, "x.pdb", NULL, &s);
    CHECK(!strstr(vox_ctx_last_error_detail(ctx), "bzip2"), "'BZh ' text: %s", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&s);
}

/* The auto policy's identity shortcut (ALGORITHM.md §2.8) on a file with
 * more than 256 asym ids, as large complexes have (each ligand and ion gets
 * one): volumizer loads it as plain model 1, chains as written.  vox kept at
 * most 256 ids on each side of the comparison and so never took the shortcut
 * there: it built the identity assembly and renamed the chains that recur
 * (protein 'A', then ligands of 'A' again), unlike volumizer. */
static void test_identity_shortcut_many_asym_ids(void)
{
    enum { NASYM = 300 };
    size_t cap = 1 << 20, n = 0;
    char *t = malloc(cap);
    n += (size_t)snprintf(t + n, cap - n,
                          "data_big\n_pdbx_struct_assembly.id 1\n_pdbx_struct_assembly.details author_defined_assembly\n"
                          "loop_\n_pdbx_struct_assembly_gen.assembly_id\n_pdbx_struct_assembly_gen.oper_expression\n"
                          "_pdbx_struct_assembly_gen.asym_id_list\n1 1 ");
    for (int i = 0; i < NASYM; i++) n += (size_t)snprintf(t + n, cap - n, "%sX%d", i ? "," : "", i);
    n += (size_t)snprintf(t + n, cap - n,
                          "\n_pdbx_struct_oper_list.id 1\n_pdbx_struct_oper_list.type 'identity operation'\n");
    for (int i = 1; i <= 3; i++) {
        for (int j = 1; j <= 3; j++)
            n += (size_t)snprintf(t + n, cap - n, "_pdbx_struct_oper_list.matrix[%d][%d] %d\n", i, j, i == j);
        n += (size_t)snprintf(t + n, cap - n, "_pdbx_struct_oper_list.vector[%d] 0\n", i);
    }
    n += (size_t)snprintf(t + n, cap - n,
                          "loop_\n_atom_site.group_PDB\n_atom_site.type_symbol\n_atom_site.label_atom_id\n"
                          "_atom_site.label_comp_id\n_atom_site.label_asym_id\n_atom_site.auth_asym_id\n"
                          "_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n");
    /* asym ids X0.. in turn on chains A and B: blocks A, B, A, ... recur */
    for (int i = 0; i < NASYM; i++)
        n += (size_t)snprintf(t + n, cap - n, "ATOM C CA ALA X%d %c %d %d.0 %d.5 0.0\n", i, i % 2 ? 'B' : 'A', i + 1,
                              i % 17, i % 13);
    vox_load_params asym, autop;
    vox_load_params_init(&asym);
    vox_load_params_init(&autop);
    asym.assembly = VOX_ASSEMBLY_ASYMMETRIC;
    autop.assembly = VOX_ASSEMBLY_AUTO;
    vox_structure *a = NULL, *b = NULL;
    CHECK(vox_load_buffer(ctx, t, n, "many.cif", &asym, &a) == VOX_OK, "asymmetric: %s", vox_ctx_last_error_detail(ctx));
    CHECK(vox_load_buffer(ctx, t, n, "many.cif", &autop, &b) == VOX_OK, "auto: %s", vox_ctx_last_error_detail(ctx));
    vox_atom_info x = {.size = sizeof x};
    CHECK(b && vox_structure_atom(b, 2, &x) == VOX_OK && !strcmp(x.chain, "A") && same_atoms(a, b),
          "auto with %d asym ids: the identity shortcut, chains as written (third atom's chain '%s', expected 'A')",
          NASYM, b ? x.chain : "?");
    vox_structure_free(&a), vox_structure_free(&b);
    free(t);
}

/* An assembly multiplies the atoms a file lists: a few kilobytes of mmCIF
 * (200 operators, the expression "(1-200)(1-200)(1-200)") asked for 8
 * million copies of the model, and vox allocated until memory ran out (a
 * minute and 3.7 GB before failing under a 4 GB ulimit; the OOM killer
 * without one), and REMARK 350 BIOMT lines do the same for PDB.  The
 * assembly may hold at most as many atoms as the input limit lets a file
 * list (one 81-byte line each), refused before any copy is made. */
static void test_assembly_bomb(void)
{
    size_t cap = 1 << 16, n = 0;
    char *t = malloc(cap);
    n += (size_t)snprintf(t + n, cap - n,
                          "data_bomb\nloop_\n_pdbx_struct_assembly_gen.assembly_id\n_pdbx_struct_assembly_gen.oper_expression\n"
                          "_pdbx_struct_assembly_gen.asym_id_list\n1 '(1-200)(1-200)(1-200)' A\nloop_\n_pdbx_struct_oper_list.id\n");
    for (int i = 1; i <= 3; i++)
        for (int j = 1; j <= 4; j++)
            n += (size_t)snprintf(t + n, cap - n, j < 4 ? "_pdbx_struct_oper_list.matrix[%d][%d]\n" : "_pdbx_struct_oper_list.vector[%d]\n",
                                  i, j);
    for (int k = 1; k <= 200; k++)
        n += (size_t)snprintf(t + n, cap - n, "%d 1 0 0 %d 0 1 0 0 0 0 1 0\n", k, k);
    n += (size_t)snprintf(t + n, cap - n,
                          "loop_\n_atom_site.group_PDB\n_atom_site.type_symbol\n_atom_site.label_atom_id\n_atom_site.label_comp_id\n"
                          "_atom_site.label_asym_id\n_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n");
    for (int a = 0; a < 20; a++) n += (size_t)snprintf(t + n, cap - n, "ATOM C CA ALA A %d %d.0 1.0 2.0\n", a + 1, a);
    vox_structure *s = NULL;
    vox_status st = vox_load_buffer(ctx, t, n, "bomb.cif", NULL, &s);
    const char *d = vox_ctx_last_error_detail(ctx);
    CHECK(st == VOX_E_ASSEMBLY && !s && strstr(d, "bomb.cif") && strstr(d, "160000000") && strstr(d, "max-input-bytes"),
          "mmCIF assembly of 8 million copies of 20 atoms refused, naming the count and the limit: %s", d);
    vox_structure_free(&s);
    /* the same under a limit it fits: 20 atoms x 8000000 = 160 million atoms need 12.96 GB of input limit;
     * a smaller bomb, (1-200)(1-10) = 2000 copies = 40000 atoms, loads with the default */
    char *two = strstr(t, "'(1-200)(1-200)(1-200)'");
    memcpy(two, "'(1-200)(1-10)'        ", 23);
    CHECK(vox_load_buffer(ctx, t, n, "fits.cif", NULL, &s) == VOX_OK && vox_structure_atom_count(s) == 40000,
          "2000 copies of 20 atoms load: %s", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&s);
    vox_load_params small;
    vox_load_params_init(&small);
    small.max_input_bytes = 40000 * 81 - 1;
    st = vox_load_buffer(ctx, t, n, "fits.cif", &small, &s);
    CHECK(st == VOX_E_ASSEMBLY && !s, "one atom over the limit's share: refused (%s)", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&s);
    small.max_input_bytes = 40000 * 81;
    CHECK(vox_load_buffer(ctx, t, n, "fits.cif", &small, &s) == VOX_OK, "exactly the limit's share: loads (%s)",
          vox_ctx_last_error_detail(ctx));
    vox_structure_free(&s);
    free(t);

    /* PDB: 300 BIOMT transforms of 2000 atoms, 600000 atoms, under a 10 MB input limit (129453 atoms) */
    cap = 300 * 3 * 80 + 2000 * 82 + 4096;
    t = malloc(cap);
    n = (size_t)snprintf(t, cap, "REMARK 350 BIOMOLECULES\nREMARK 350 BIOMOLECULE: 1\n"
                                 "REMARK 350 APPLY THE FOLLOWING TO CHAINS: A\n");
    for (int k = 1; k <= 300; k++)
        for (int r = 1; r <= 3; r++)
            n += (size_t)snprintf(t + n, cap - n, "REMARK 350   BIOMT%d %3d  %d.000000  %d.000000  %d.000000  %d.00000\n", r,
                                  k, r == 1, r == 2, r == 3, k);
    for (int a = 0; a < 2000; a++)
        n += (size_t)snprintf(t + n, cap - n, "ATOM  %5d  CA  ALA A%4d    %8.3f   1.000   2.000  1.00 20.00           C\n",
                              a + 1, a % 9999 + 1, a * 0.5);
    small.max_input_bytes = 10u << 20;
    st = vox_load_buffer(ctx, t, n, "bomb.pdb", &small, &s);
    d = vox_ctx_last_error_detail(ctx);
    CHECK(st == VOX_E_ASSEMBLY && !s && strstr(d, "bomb.pdb") && strstr(d, "600000 atoms"),
          "PDB assembly of 600000 atoms over a 10 MB limit refused: %s", d);
    vox_structure_free(&s);
    small.max_input_bytes = 600000 * 81;
    CHECK(vox_load_buffer(ctx, t, n, "bomb.pdb", &small, &s) == VOX_OK && vox_structure_atom_count(s) == 600000,
          "the same under a limit of its size: loads (%s)", vox_ctx_last_error_detail(ctx));
    vox_structure_free(&s);
    free(t);
}

/* An assembly whose records name chains the model does not have (a file whose chains were
 * renamed, REMARK 350 or pdbx_struct_assembly_gen left as they were): refused naming the model's
 * chains and the asymmetric policy, which loads it.  Before: "no atoms in model 1", of a model
 * with atoms. */
static void test_assembly_of_other_chains(void)
{
    static const char pdb[] =
        "REMARK 350\nREMARK 350 BIOMOLECULE: 1\nREMARK 350 APPLY THE FOLLOWING TO CHAINS: A\n"
        "REMARK 350   BIOMT1   1  1.000000  0.000000  0.000000        0.00000\n"
        "REMARK 350   BIOMT2   1  0.000000  1.000000  0.000000        0.00000\n"
        "REMARK 350   BIOMT3   1  0.000000  0.000000  1.000000        0.00000\n"
        "ATOM      1  CA  ALA B   1       0.000   1.000   2.000  1.00 20.00           C\n"
        "ATOM      2  CA  ALA C   2       3.800   1.000   2.000  1.00 20.00           C\n";
    static const char cif[] =
        "data_x\nloop_\n_pdbx_struct_assembly_gen.assembly_id\n_pdbx_struct_assembly_gen.oper_expression\n"
        "_pdbx_struct_assembly_gen.asym_id_list\n1 1 A\nloop_\n_pdbx_struct_oper_list.id\n"
        "_pdbx_struct_oper_list.matrix[1][1]\n_pdbx_struct_oper_list.matrix[1][2]\n_pdbx_struct_oper_list.matrix[1][3]\n"
        "_pdbx_struct_oper_list.vector[1]\n_pdbx_struct_oper_list.matrix[2][1]\n_pdbx_struct_oper_list.matrix[2][2]\n"
        "_pdbx_struct_oper_list.matrix[2][3]\n_pdbx_struct_oper_list.vector[2]\n_pdbx_struct_oper_list.matrix[3][1]\n"
        "_pdbx_struct_oper_list.matrix[3][2]\n_pdbx_struct_oper_list.matrix[3][3]\n_pdbx_struct_oper_list.vector[3]\n"
        "1 1 0 0 0 0 1 0 0 0 0 1 0\n"
        "loop_\n_atom_site.group_PDB\n_atom_site.type_symbol\n_atom_site.label_atom_id\n_atom_site.label_comp_id\n"
        "_atom_site.label_asym_id\n_atom_site.auth_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n"
        "ATOM C CA ALA B 1 0.0 1.0 2.0\nATOM C CA ALA B 2 3.8 1.0 2.0\n";
    const struct { const char *text, *name, *records, *chains; } cases[] = {
        {pdb, "renamed.pdb", "REMARK 350", "chains 'B', 'C'"}, {cif, "renamed.cif", "pdbx_struct_assembly_gen", "chain 'B'"}};
    for (int i = 0; i < 2; i++) {
        vox_structure *s = NULL;
        vox_status st = vox_load_buffer(ctx, cases[i].text, strlen(cases[i].text), cases[i].name, NULL, &s);
        const char *d = vox_ctx_last_error_detail(ctx);
        CHECK(st == VOX_E_NO_ATOMS && !s && strstr(d, cases[i].name) && strstr(d, cases[i].records) &&
                  strstr(d, cases[i].chains) && strstr(d, "--assembly-policy asymmetric"),
              "%s: an assembly of chains the model does not have is named as such: %s", cases[i].name, d);
        vox_structure_free(&s);
        vox_load_params lp;
        vox_load_params_init(&lp);
        lp.assembly = VOX_ASSEMBLY_ASYMMETRIC;
        CHECK(vox_load_buffer(ctx, cases[i].text, strlen(cases[i].text), cases[i].name, &lp, &s) == VOX_OK &&
                  vox_structure_atom_count(s) == 2,
              "%s: the asymmetric unit loads (%s)", cases[i].name, vox_ctx_last_error_detail(ctx));
        vox_structure_free(&s);
    }
}

/* An operator expression of more than 8 parenthesised parts, "(1)(1)(1)(1)(1)(1)(1)(1)(1)":
 * refused with a message, as it was meant to be; the refusal returned before
 * the parts' list was cleared, and the caller freed whatever the stack held
 * there ("free(): invalid pointer", abort). */
static void test_nine_part_expression(void)
{
    const char *t = "data_nine\nloop_\n_pdbx_struct_assembly_gen.assembly_id\n_pdbx_struct_assembly_gen.oper_expression\n"
                    "_pdbx_struct_assembly_gen.asym_id_list\n1 '(1)(1)(1)(1)(1)(1)(1)(1)(1)' A\n"
                    "_pdbx_struct_oper_list.id 1\n_pdbx_struct_oper_list.matrix[1][1] 1\n_pdbx_struct_oper_list.matrix[1][2] 0\n"
                    "_pdbx_struct_oper_list.matrix[1][3] 0\n_pdbx_struct_oper_list.matrix[2][1] 0\n"
                    "_pdbx_struct_oper_list.matrix[2][2] 1\n_pdbx_struct_oper_list.matrix[2][3] 0\n"
                    "_pdbx_struct_oper_list.matrix[3][1] 0\n_pdbx_struct_oper_list.matrix[3][2] 0\n"
                    "_pdbx_struct_oper_list.matrix[3][3] 1\n_pdbx_struct_oper_list.vector[1] 0\n"
                    "_pdbx_struct_oper_list.vector[2] 0\n_pdbx_struct_oper_list.vector[3] 0\n"
                    "loop_\n_atom_site.group_PDB\n_atom_site.label_atom_id\n_atom_site.label_comp_id\n"
                    "_atom_site.label_asym_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n"
                    "ATOM CA ALA A 1.0 2.0 3.0\n";
    vox_structure *s = NULL;
    /* the stack below this call filled with what a freed pointer is not */
    volatile char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (char)(0x5a + i);
    const vox_status st = vox_load_buffer(ctx, t, strlen(t), "nine.cif", NULL, &s);
    const char *d = vox_ctx_last_error_detail(ctx);
    CHECK(st == VOX_E_ASSEMBLY && !s && strstr(d, "nine.cif:6:") && strstr(d, "more than 8 parts"), "%s", d);
    vox_structure_free(&s);
}

/* Operator expressions past parse_expr's fixed room: a range of more than
 * 4096 operators, or a comma list of more, was cut at 4096 without a word
 * (fewer copies than the file asks for), and an expression over 4095
 * characters was cut off wherever that fell.  Refused now, naming the row. */
static void test_long_operator_expressions(void)
{
    static const char *const exprs[3] = {"(1-5000)", "long list", "long text"};
    for (int c = 0; c < 3; c++) {
        size_t cap = 1 << 20, n = 0;
        char *t = malloc(cap);
        n += (size_t)snprintf(t + n, cap - n,
                              "data_ops\nloop_\n_pdbx_struct_assembly_gen.assembly_id\n_pdbx_struct_assembly_gen.oper_expression\n"
                              "_pdbx_struct_assembly_gen.asym_id_list\n1 ");
        if (c == 0)
            n += (size_t)snprintf(t + n, cap - n, "'(1-5000)'");
        else
            for (int k = 1; k <= 5000; k++) n += (size_t)snprintf(t + n, cap - n, "%s%d", k > 1 ? "," : "", c == 1 ? k : 1);
        n += (size_t)snprintf(t + n, cap - n, " A\nloop_\n_pdbx_struct_oper_list.id\n");
        for (int i = 1; i <= 3; i++)
            for (int j = 1; j <= 4; j++)
                n += (size_t)snprintf(t + n, cap - n,
                                      j < 4 ? "_pdbx_struct_oper_list.matrix[%d][%d]\n" : "_pdbx_struct_oper_list.vector[%d]\n", i, j);
        for (int k = 1; k <= 5000; k++) n += (size_t)snprintf(t + n, cap - n, "%d 1 0 0 0 0 1 0 0 0 0 1 0\n", k);
        n += (size_t)snprintf(t + n, cap - n,
                              "loop_\n_atom_site.group_PDB\n_atom_site.label_atom_id\n_atom_site.label_comp_id\n"
                              "_atom_site.label_asym_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n"
                              "ATOM CA ALA A 1.0 2.0 3.0\n");
        vox_structure *s = NULL;
        const vox_status st = vox_load_buffer(ctx, t, n, "ops.cif", NULL, &s);
        const char *d = vox_ctx_last_error_detail(ctx);
        CHECK(st == VOX_E_ASSEMBLY && !s && strstr(d, "ops.cif:6:"), "%s: refused naming the row, not cut (%zu atoms): %s",
              exprs[c], s ? vox_structure_atom_count(s) : 0, d);
        vox_structure_free(&s);
        free(t);
    }
}

/* An mmCIF residue number past 32 bits: cut to its low bits before
 * (3000000000 became -1294967296, another residue's number); refused now,
 * naming the line.  The 32-bit ends still load. */
static void test_residue_number_range(void)
{
    static const char *const ids[4] = {"3000000000", "-2147483649", "2147483647", "-2147483648"};
    for (int c = 0; c < 4; c++) {
        char t[1024];
        snprintf(t, sizeof t,
                 "data_big\nloop_\n_atom_site.group_PDB\n_atom_site.label_atom_id\n_atom_site.label_comp_id\n"
                 "_atom_site.label_asym_id\n_atom_site.label_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                 "_atom_site.Cartn_z\nATOM CA ALA A 1 1.0 2.0 3.0\nATOM CA ALA A %s 4.0 2.0 3.0\n",
                 ids[c]);
        vox_structure *s = NULL;
        const vox_status st = vox_load_buffer(ctx, t, strlen(t), "big.cif", NULL, &s);
        const char *d = vox_ctx_last_error_detail(ctx);
        if (c < 2) {
            CHECK(st == VOX_E_PARSE && !s && strstr(d, "big.cif:12:") && strstr(d, ids[c]) && strstr(d, "out of range"),
                  "residue number %s: refused naming the line (%s)", ids[c], d);
        } else {
            vox_atom_info a = {.size = sizeof a};
            CHECK(st == VOX_OK && s && vox_structure_atom(s, 1, &a) == VOX_OK && a.res_id == atoi(ids[c]),
                  "residue number %s loads as itself (%s)", ids[c], st == VOX_OK ? "" : d);
        }
        vox_structure_free(&s);
    }
}

/* Names longer than their field keep whole UTF-8 characters: a chain "aéé"
 * (5 bytes) in a 4-byte chain field is "aé", not "a" + the first byte of é
 * (a broken name in every output, and a warning blaming valid input).  Short
 * names and ASCII names keep their bytes as before. */
static void test_utf8_names_cut_whole(void)
{
    static const struct { const char *chain, *atom, *res, *want_chain, *want_atom, *want_res; } cases[] = {
        {"a\xc3\xa9\xc3\xa9", "CA", "ALA", "a\xc3\xa9", "CA", "ALA"},
        {"\xe8\x9b\x8b\xe7\x99\xbd", "C\xc3\xa9\xc3\xa9\xc3\xa9", "\xc3\xa9\xc3\xa9", "\xe8\x9b\x8b",
         "C\xc3\xa9\xc3\xa9", "\xc3\xa9"},
        {"\xf0\x9f\x98\x80x", "CA", "GLY", "\xf0\x9f\x98\x80", "CA", "GLY"},
        {"ABCDE", "ABCDEFGH", "ALAX", "ABCD", "ABCDEF", "ALA"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char t[1024];
        snprintf(t, sizeof t,
                 "data_u\nloop_\n_atom_site.group_PDB\n_atom_site.label_atom_id\n_atom_site.label_comp_id\n"
                 "_atom_site.auth_asym_id\n_atom_site.label_seq_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                 "_atom_site.Cartn_z\nATOM %s %s %s 1 1.0 2.0 3.0\n",
                 cases[c].atom, cases[c].res, cases[c].chain);
        vox_structure *s = NULL;
        vox_atom_info a = {.size = sizeof a};
        CHECK(vox_load_buffer(ctx, t, strlen(t), "u.cif", NULL, &s) == VOX_OK && vox_structure_atom(s, 0, &a) == VOX_OK,
              "case %zu loads: %s", c, vox_ctx_last_error_detail(ctx));
        CHECK(!strcmp(a.chain, cases[c].want_chain) && !strcmp(a.atom_name, cases[c].want_atom) &&
                  !strcmp(a.res_name, cases[c].want_res),
              "case %zu: chain '%s', atom '%s', residue '%s'", c, a.chain, a.atom_name, a.res_name);
        vox_structure_free(&s);
    }
}

/* An mmCIF file whose first data block has an atom_site loop without rows
 * (an ensemble written with an empty block first, say).  vox reads the
 * first data block, as volumizer does; it said "no atom_site category",
 * which the file has, and did not say that later blocks are not read. */
static void test_empty_atom_site_loop(void)
{
    static const char empty[] = "data_empty\n#\nloop_\n_atom_site.id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n"
                                "_atom_site.Cartn_z\n#\n";
    char *atoms = cif_text(3, "\n");
    char *both = malloc(sizeof empty + strlen(atoms));
    strcpy(both, empty);
    strcat(both, atoms);
    const struct { const char *text, *want, *not_want; } cases[] = {
        {empty, "atom_site loop has no rows", "later data blocks"},
        {both, "atom_site loop has no rows", NULL},
        {"data_x\n_entry.id x\n", "no atom_site category", "later data blocks"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        vox_structure *s = NULL;
        const vox_status st = vox_load_buffer(ctx, cases[i].text, strlen(cases[i].text), "e.cif", NULL, &s);
        const char *d = vox_ctx_last_error_detail(ctx);
        CHECK(st == VOX_E_PARSE && !s && strstr(d, "e.cif") && strstr(d, cases[i].want) &&
                  (i != 1 || strstr(d, "later data blocks")) && (!cases[i].not_want || !strstr(d, cases[i].not_want)),
              "case %zu: says '%s'%s: %s", i, cases[i].want, i == 1 ? " and that later blocks are not read" : "", d);
        vox_structure_free(&s);
    }
    free(both);
    free(atoms);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_loaders TMPDIR (a folder for the generated files)\n");
        return 2;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/loaders-XXXXXX", argv[1]);
    tmpdir = mkdtemp(dir);
    ctx = one_thread_ctx();
    if (!ctx || !tmpdir)
        return 1;
    test_cr_line_ends();
    test_other_compressors();
    test_identity_shortcut_many_asym_ids();
    test_assembly_bomb();
    test_assembly_of_other_chains();
    test_nine_part_expression();
    test_long_operator_expressions();
    test_residue_number_range();
    test_empty_atom_site_loop();
    test_utf8_names_cut_whole();
    vox_ctx_destroy(&ctx);
    rmdir(tmpdir);
    return check_report();
}
