/* exports.c - `vox analyze --write descriptors,vina,pymol,chimerax,dx` (README "Descriptors")
 *
 * Every file is written atomically (temporary file, rename) without an
 * fsync of its own: --resume checks each export before it keeps a
 * structure, so one emptied by a power loss is redone (README
 * "Durability"), and a batch asking for a box and a map per pocket does
 * not pay dozens of syncs per structure.  When one fails, the ones this
 * structure already got are removed, so a structure has all of its
 * exports or none.  Boxes and maps are in the
 * input frame, the frame a docking program or a viewer uses for the user's
 * file; the scripts show the annotated mmCIF there too.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exports.h"
#include "option_values.h"
#include "internal.h"

/* Each kind's name and file: "<label><suffix>", or for the per-volume kinds
 * "<label>.<type>-<id><suffix>". */
static const struct {
    const char *name;
    unsigned bit;
    const char *suffix;
} kinds[] = {
    {"descriptors", EXPORT_DESCRIPTORS, ".volumes.json"}, {"vina", EXPORT_VINA, ".vina.txt"},
    {"pymol", EXPORT_PYMOL, ".pml"}, {"chimerax", EXPORT_CHIMERAX, ".cxc"}, {"dx", EXPORT_DX, ".dx"},
};

void exports_defaults(export_config *e)
{
    memset(e, 0, sizeof *e);
    e->box_padding = 4.0;
    e->box_types = EXPORT_TYPE_BIT(VOX_POCKET) | EXPORT_TYPE_BIT(VOX_CAVITY) | EXPORT_TYPE_BIT(VOX_PORE);
}

int exports_kind(export_config *e, const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(name, kinds[i].name)) {
            e->kinds |= kinds[i].bit;
            return 1;
        }
    return 0;
}

const char *exports_kind_names(void) { return "descriptors, vina, pymol, chimerax, dx"; }

const char *exports_kind_at(size_t i, unsigned *bit)
{
    if (i >= sizeof kinds / sizeof *kinds)
        return NULL;
    if (bit)
        *bit = kinds[i].bit;
    return kinds[i].name;
}

int exports_list_has_empty_item(const char *list)
{
    const size_t n = strlen(list);
    return !n || list[0] == ',' || list[n - 1] == ',' || strstr(list, ",,") != NULL;
}

int exports_type_of(const char *name)
{
    for (int t = VOX_HUB; t <= VOX_OCCLUDED; t++)
        if (!strcmp(name, vox_volume_type_name((vox_volume_type)t)))
            return t;
    return -1;
}

const char *exports_kind_suffix(unsigned kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (kinds[i].bit == kind)
            return kinds[i].suffix;
    return NULL;
}

int exports_option(export_config *e, const char *cmd, const char *option, const char *value)
{
    if (!strcmp(option, "--box-padding")) {
        /* decimal only, as every number option (cli_number): strtod also takes C's hexadecimal
         * (0x10 = 16), which no one means by angstroms, and skips white space in front */
        double d;
        if (!cli_number(value, &d) || d < 0 || d > 1000) {
            fprintf(stderr, "vox %s: --box-padding: expected angstroms from 0 to 1000, got '%s'\n", cmd, value);
            return 2;
        }
        e->box_padding = d + 0.0; /* -0 is 0: the boxes and the Vina comment print no "-0" */
        return 0;
    }
    /* --box-types; an empty item would be passed over without a word */
    if (exports_list_has_empty_item(value)) {
        fprintf(stderr, "vox %s: --box-types: an empty item in '%s' (expected hub, pore, pocket, cavity, "
                        "occluded or all, comma-separated)\n", cmd, value);
        return 2;
    }
    char buf[256];
    if (snprintf(buf, sizeof buf, "%s", value) >= (int)sizeof buf) {
        fprintf(stderr, "vox %s: --box-types: list too long\n", cmd);
        return 2;
    }
    unsigned types = 0;
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const int type = exports_type_of(t);
        if (!strcmp(t, "all"))
            types |= EXPORT_TYPE_BIT(VOX_HUB) | EXPORT_TYPE_BIT(VOX_PORE) | EXPORT_TYPE_BIT(VOX_POCKET) |
                     EXPORT_TYPE_BIT(VOX_CAVITY) | EXPORT_TYPE_BIT(VOX_OCCLUDED);
        else if (type >= 0)
            types |= EXPORT_TYPE_BIT(type);
        else {
            fprintf(stderr, "vox %s: --box-types: unknown type '%s' (expected hub, pore, pocket, cavity, "
                            "occluded or all, comma-separated)\n", cmd, t);
            return 2;
        }
    }
    /* not 0: no item is empty, and every other one named a type or failed; given again, the lists
     * join (the last list alone was kept) */
    e->box_types = (e->box_types_given ? e->box_types : 0) | types;
    e->box_types_given = 1;
    return 0;
}

int exports_need_descriptors(const export_config *e)
{
    return (e->kinds & (EXPORT_DESCRIPTORS | EXPORT_PYMOL | EXPORT_CHIMERAX)) != 0;
}

/* Renders one document and stages it beside path (no sync of its own:
 * README "Durability" says why --resume needs none).  A path the writer
 * refuses (a FIFO, a directory: "choose another path") refuses the
 * structure before anything of it is replaced. */
static vox_status stage_one(vox_ctx *ctx, staged_set *set, vox_document doc, const vox_structure *s,
                            const vox_result *r, const vox_render_params *p, const char *path)
{
    char *text = NULL, err[PATH_MAX + 256];
    size_t len = 0;
    vox_status st = vox_render(ctx, doc, s, r, p, &text, &len);
    if (st != VOX_OK)
        return st;
    const int ok = staged_write(set, path, text, len, VOX_SYNC_NONE, err, sizeof err);
    vox_free(text);
    return ok ? VOX_OK : vox_fail(ctx, VOX_E_IO, "%s", err);
}

/* path = the formatted name; 0 when it does not fit. */
static int make_path(char *path, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int make_path(char *path, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(path, cap, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < cap;
}

int exports_structure_file(char *path, size_t cap, const char *dir, const char *label, unsigned kind)
{
    const char *suffix = exports_kind_suffix(kind);
    return suffix && !(kind & (EXPORT_VINA | EXPORT_DX)) && make_path(path, cap, "%s/%s%s", dir, label, suffix);
}

int exports_volume_file(char *path, size_t cap, const char *dir, const char *label, vox_volume_type type, int id,
                        unsigned kind)
{
    const char *suffix = exports_kind_suffix(kind);
    return suffix && (kind & (EXPORT_VINA | EXPORT_DX)) &&
           make_path(path, cap, "%s/%s.%s-%d%s", dir, label, vox_volume_type_name(type), id, suffix);
}

vox_status exports_stage(vox_ctx *ctx, const export_config *e, const char *dir, const char *label, int include_hubs,
                         vox_output_frame cif_frame, const vox_structure *s, const vox_result *r, staged_set *set)
{
    if (!e->kinds)
        return VOX_OK;
    vox_status st = VOX_OK;
    char path[PATH_MAX];
    vox_render_params p;
    vox_render_params_init(&p);
    p.include_hubs = include_hubs;
    p.box_padding = e->box_padding;
    p.output_frame = VOX_FRAME_INPUT;
    p.source = label;
    if (e->kinds & EXPORT_DESCRIPTORS) {
        st = exports_structure_file(path, sizeof path, dir, label, EXPORT_DESCRIPTORS)
                 ? stage_one(ctx, set, VOX_DOC_VOLUMES_JSON, s, r, &p, path) : VOX_E_IO;
    }
    /* per volume: the types asked for, hubs only where the outputs keep them */
    for (size_t i = 0; st == VOX_OK && (e->kinds & (EXPORT_VINA | EXPORT_DX)) && i < vox_result_count(r); i++) {
        vox_volume v = {.size = sizeof v};
        vox_result_volume(r, i, &v);
        if (!(e->box_types & EXPORT_TYPE_BIT(v.type)) || (v.type == VOX_HUB && !include_hubs))
            continue;
        p.volume = i;
        if (e->kinds & EXPORT_VINA) {
            st = exports_volume_file(path, sizeof path, dir, label, v.type, v.id, EXPORT_VINA)
                     ? stage_one(ctx, set, VOX_DOC_VINA, s, r, &p, path) : VOX_E_IO;
        }
        if (st == VOX_OK && (e->kinds & EXPORT_DX)) {
            st = exports_volume_file(path, sizeof path, dir, label, v.type, v.id, EXPORT_DX)
                     ? stage_one(ctx, set, VOX_DOC_DX, s, r, &p, path) : VOX_E_IO;
        }
    }
    if (st == VOX_OK && (e->kinds & (EXPORT_PYMOL | EXPORT_CHIMERAX))) {
        /* the scripts open <label>.annotated.cif from their own folder and
         * move it onto the input frame when it was written aligned; a
         * label may start with '-' (volumizer keeps it: "-neg.pdb"), which
         * a script would read as an option, so that name goes through ./ */
        char cif[PATH_MAX];
        if (!make_path(cif, sizeof cif, "%s%s.annotated.cif", label[0] == '-' ? "./" : "", label))
            st = VOX_E_IO;
        p.structure_file = cif;
        p.output_frame = cif_frame;
        if (st == VOX_OK && (e->kinds & EXPORT_PYMOL))
            st = exports_structure_file(path, sizeof path, dir, label, EXPORT_PYMOL)
                     ? stage_one(ctx, set, VOX_DOC_PYMOL, s, r, &p, path) : VOX_E_IO;
        if (st == VOX_OK && (e->kinds & EXPORT_CHIMERAX))
            st = exports_structure_file(path, sizeof path, dir, label, EXPORT_CHIMERAX)
                     ? stage_one(ctx, set, VOX_DOC_CHIMERAX, s, r, &p, path) : VOX_E_IO;
    }
    return st;
}
