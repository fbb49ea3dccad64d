/* amino_acids.c - the residue-name test of the cleaning step (biotite 0.37's list, §3) */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Generated at build time from data/amino_acids.txt (sorted, code-point order). */
extern const char *const vox_amino_acid_table[];
extern const size_t vox_amino_acid_table_len;

static int cmp_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int vox_is_amino_acid(const char *res_name)
{
    return bsearch(res_name, vox_amino_acid_table, vox_amino_acid_table_len, sizeof(const char *),
                   cmp_name) != NULL;
}

/* Protonation, disulfide and terminal-state names of MD force fields that
 * biotite's 2022 CCD list lacks (HIP, GLH, LYN, HSE and CYM are in it and
 * stay there).  Kept apart so that PDB entries see exactly biotite's list. */
static const char *const md_names[] = {"ASH", "CYX", "HID", "HIE", "HISA", "HISB", "HISD", "HISE", "HISH",
                                       "HSD", "HSP"};

int vox_is_md_amino_acid(const char *res_name)
{
    if (vox_is_amino_acid(res_name))
        return 1;
    return bsearch(res_name, md_names, sizeof md_names / sizeof *md_names, sizeof *md_names, cmp_name) != NULL;
}

size_t vox_amino_acid_count(void) { return vox_amino_acid_table_len; }
