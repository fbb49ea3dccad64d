/* amino_acids.c - the residue-name test of the cleaning step (biotite 0.37's list, §3) */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Generated at build time from data/amino_acids.txt (sorted, code-point order),
 * and the same names as sorted integers (bytes c0 | c1 << 8 | c2 << 16). */
extern const char *const vox_amino_acid_table[];
extern const size_t vox_amino_acid_table_len;
extern const unsigned vox_amino_acid_keys[];

static int cmp_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

/* Called for every atom: a binary search over integers, no string comparison. */
int vox_is_amino_acid(const char *res_name)
{
    unsigned key = 0;
    for (int i = 0; res_name[i]; i++) {
        if (i == 3) /* every name of the list has 1 to 3 bytes */
            return 0;
        key |= (unsigned)(unsigned char)res_name[i] << (8 * i);
    }
    size_t lo = 0, hi = vox_amino_acid_table_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (vox_amino_acid_keys[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return key && lo < vox_amino_acid_table_len && vox_amino_acid_keys[lo] == key;
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
