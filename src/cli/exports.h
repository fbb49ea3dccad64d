/* exports.h - `vox analyze --write descriptors,vina,pymol,chimerax,dx`: the per-volume exports
 * (README "Descriptors"), parsed and written apart from volumizer's outputs */
#ifndef VOX_CLI_EXPORTS_H
#define VOX_CLI_EXPORTS_H

#include <stddef.h>

#include "export_leftovers.h"
#include "staged.h"
#include "vox/vox.h"

enum {
    EXPORT_DESCRIPTORS = 1, /* <label>.volumes.json */
    EXPORT_VINA = 2,        /* <label>.<type>-<id>.vina.txt */
    EXPORT_PYMOL = 4,       /* <label>.pml */
    EXPORT_CHIMERAX = 8,    /* <label>.cxc */
    EXPORT_DX = 16          /* <label>.<type>-<id>.dx */
};

/* The bit of a volume type in export_config.box_types. */
#define EXPORT_TYPE_BIT(t) (1u << (unsigned)(t))

typedef struct export_config {
    unsigned kinds;     /* EXPORT_* bits */
    double box_padding; /* Å (--box-padding, default 4) */
    unsigned box_types; /* bit (1 << vox_volume_type) per type with Vina and DX files (--box-types) */
    int box_types_given; /* --box-types was given (a later one joins its list, as --write's do) */
} export_config;

void exports_defaults(export_config *e);
/* 1 when name is one of the kinds above (and records it), else 0. */
int exports_kind(export_config *e, const char *name);
/* The names of the kinds, for messages: "descriptors, vina, pymol, chimerax, dx". */
const char *exports_kind_names(void);
/* The i-th kind (in the order above) and its bit; NULL past the last. */
const char *exports_kind_at(size_t i, unsigned *bit);
/* How the files of a kind end: ".volumes.json", ".vina.txt", ".pml", ".cxc", ".dx". */
const char *exports_kind_suffix(unsigned kind);
/* Whether a comma-separated option list (--write, --box-types) has an empty
 * item ("", "a,,b", "a,"), which strtok would pass over without a word. */
int exports_list_has_empty_item(const char *list);
/* The volume type called name ("pocket", ...), or -1. */
int exports_type_of(const char *name);
/* The files of one structure, in dir, as exports_write names them (0 when the
 * path does not fit): kind EXPORT_DESCRIPTORS, EXPORT_PYMOL or EXPORT_CHIMERAX
 * for the per-structure files, EXPORT_VINA or EXPORT_DX for one volume's. */
int exports_structure_file(char *path, size_t cap, const char *dir, const char *label, unsigned kind);
int exports_volume_file(char *path, size_t cap, const char *dir, const char *label, vox_volume_type type, int id,
                        unsigned kind);
/* --box-padding VALUE / --box-types LIST of `vox cmd`: 0, or prints a usage message and returns 2. */
int exports_option(export_config *e, const char *cmd, const char *option, const char *value);
/* Whether vox_analyze must compute descriptors. */
int exports_need_descriptors(const export_config *e);
/* Renders every asked export of one structure and stages it into set (each
 * beside its file in dir, renamed with the structure's other outputs by
 * staged_commit); on failure returns the error (detail in ctx), and the
 * caller discards the set.  cif_frame: the frame of <label>.annotated.cif,
 * which the scripts open.  After the commit, export_leftovers_remove takes
 * away the earlier boxes and maps of this label not written again. */
vox_status exports_stage(vox_ctx *ctx, const export_config *e, const char *dir, const char *label, int include_hubs,
                         vox_output_frame cif_frame, const vox_structure *s, const vox_result *r, staged_set *set);

#endif
