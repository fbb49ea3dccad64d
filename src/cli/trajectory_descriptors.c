/* trajectory_descriptors.c - the rows of <label>.descriptors.csv (`vox trajectory --write
 * descriptors`): per frame and volume, in the order of frames.csv, the volume's descriptors
 * (README "Descriptors") and its lining residues.
 *
 * Names are data: a residue label is written inside one double-quoted CSV field, so commas and
 * quotes (doubled) in a chain or residue name cannot start a new field or row, and white space
 * or control bytes in a name become '_' so that the labels stay separated by single spaces, and
 * a byte that is not UTF-8 (a Latin-1 chain, a name cut short in its fixed field) is U+FFFD, as
 * in the volumes JSON, so that the file stays UTF-8 for the readers that insist on it (pandas).
 * vox.analyze_trajectory(descriptors=True) makes the same labels. */
#include <stdlib.h>
#include <string.h>

#include "trajectory_descriptors.h"
#include "utf8.h"

const char TRAJ_DESCRIPTORS_HEADER[] =
    "frame,type,id,track,depth_max,depth_mean,hydropathy,apolar_fraction,polar_fraction,charged_fraction,"
    "num_lining_atoms,num_lining_residues,num_openings,opening_area,lining_residues\n";

/* A name field (up to cap bytes, NUL-terminated or full) appended at out[*at], within room
 * (room holds every name of an atom with each byte as U+FFFD, three bytes). */
static void put_name(traj_descriptors *l, char *out, size_t room, size_t *at, const char *name, size_t cap)
{
    size_t n = 0;
    while (n < cap && name[n])
        n++;
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0, len; i < n && *at + 4 < room; i += len) {
        if (vox_utf8_next(s + i, n - i, &len) < 0) {
            memcpy(out + *at, "\xef\xbf\xbd", 3);
            *at += 3;
            l->replaced = 1;
        } else if (len == 1) {
            out[(*at)++] = s[i] <= ' ' || s[i] == 0x7f ? '_' : (char)s[i];
        } else {
            memcpy(out + *at, s + i, len);
            *at += len;
        }
    }
    out[*at] = '\0';
}

int traj_descriptors_begin(traj_descriptors *l, const vox_structure *s)
{
    memset(l, 0, sizeof *l);
    l->n = vox_structure_atom_count(s);
    l->text = malloc((l->n ? l->n : 1) * sizeof *l->text);
    if (!l->text)
        return 0;
    const size_t room = sizeof l->text[0];
    for (size_t i = 0; i < l->n; i++) {
        vox_atom_info a = {.size = sizeof a};
        vox_structure_atom(s, i, &a);
        char *t = l->text[i];
        size_t at = 0;
        t[0] = '\0';
        put_name(l, t, room, &at, a.chain, sizeof a.chain);
        if (at && at + 1 < room) {
            t[at++] = ':';
            t[at] = '\0';
        }
        put_name(l, t, room, &at, a.res_name, sizeof a.res_name);
        const int w = snprintf(t + at, room - at, "%d", (int)a.res_id);
        at = w > 0 && at + (size_t)w < room ? at + (size_t)w : room - 1;
        const char ins[2] = {a.ins_code, 0};
        put_name(l, t, room, &at, ins, 1);
    }
    return 1;
}

void traj_descriptors_end(traj_descriptors *l)
{
    free(l->text);
    free(l->first);
    memset(l, 0, sizeof *l);
}

/* The label as a CSV field's text: a '"' doubled. */
static void put_quoted(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
}

int traj_descriptors_row(FILE *f, traj_descriptors *l, int64_t frame, const vox_result *r, size_t j,
                         const vox_volume *v, int track)
{
    const size_t n = vox_result_lining_residues(r, j, NULL);
    if (n > l->cap) {
        size_t *grown = realloc(l->first, n * sizeof *grown);
        if (!grown)
            return 0;
        l->first = grown;
        l->cap = n;
    }
    vox_result_lining_residues(r, j, l->first);
    vox_descriptors d = {.size = sizeof d};
    if (vox_result_descriptors(r, j, &d) != VOX_OK)
        memset(&d, 0, sizeof d); /* (not reached: the frames were analysed with descriptors) */
    char tr[16] = "", hyd[32] = "";
    if (track >= 0)
        snprintf(tr, sizeof tr, "%d", track);
    if (d.has_hydropathy)
        snprintf(hyd, sizeof hyd, "%.10g", d.hydropathy);
    fprintf(f, "%lld,%s,%d,%s,%.10g,%.10g,%s,%.10g,%.10g,%.10g,%zu,%zu,%zu,%.10g,\"", (long long)frame,
            vox_volume_type_name(v->type), v->id, tr, d.depth_max, d.depth_mean, hyd, d.apolar_fraction,
            d.polar_fraction, d.charged_fraction, d.num_lining_atoms, d.num_lining_residues, d.num_openings,
            d.opening_area);
    for (size_t t = 0; t < n; t++) {
        if (t)
            fputc(' ', f);
        if (l->first[t] < l->n)
            put_quoted(f, l->text[l->first[t]]);
    }
    fputs("\"\n", f);
    return 1;
}
