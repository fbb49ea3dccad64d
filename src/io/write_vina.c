/* write_vina.c - one volume's docking box as an AutoDock Vina configuration (README "Descriptors")
 *
 * Vina reads `name = value` lines and ignores `#` comments; the box is the
 * volume's voxel cubes grown by the padding, axis-parallel in the frame
 * asked for (the input frame for docking on the user's file).
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "decimal.h"
#include "internal.h"

/* The padding as "%g" writes it when that gives it back (4: "4"), else its
 * shortest digits that do: "%g" wrote 123.4567 as 123.457, and --resume,
 * which reads the padding a box was made with from this comment, took the
 * box for one of 123.457.  At most VOX_FMT_G_MAX bytes either way. */
static char *put_padding(char *o, double v)
{
    const size_t n = vox_fmt_g(v, o);
    if (strtod(o, NULL) == v)
        return o + n;
    char repr[64];
    vox_fmt_repr(v, repr);
    const size_t m = strlen(repr);
    memcpy(o, repr, m);
    return o + m;
}

vox_status vox_render_vina(const vox_result *r, const vox_render_params *p, vox_buf *b)
{
    const vox_group *g = &r->groups[p->volume];
    vox_box box;
    box.size = sizeof box;
    vox_status st = vox_result_box(r, p->volume, p->output_frame, p->box_padding, &box);
    if (st != VOX_OK)
        return st;
    /* "# vox VERSION: TYPE ID, N voxels at %g A; box of its voxels + P A on each side, FRAME frame", and
     * the box: numbers without printf (decimal.h), written at a cursor
     * into a buffer reserved once (as some thirty appends, each with its
     * room check, they cost three times what the numbers do): the fixed
     * text is under 200 bytes, the version and the type name are counted,
     * two integers and two "%g" take 21 and VOX_FMT_G_MAX bytes at most,
     * six "%.3f" VOX_FMT_FIXED_MAX with their keys */
    const char *const version = vox_version(), *const type = vox_volume_type_name(g->type);
    const size_t version_len = strlen(version), type_len = strlen(type);
    char *o = vox_buf_tail(b, 256 + version_len + type_len + 2 * 21 + 2 * VOX_FMT_G_MAX + 6 * (VOX_FMT_FIXED_MAX + 12));
    if (!o)
        return VOX_E_NOMEM;
    o = VOX_PUT(o, "# vox ");
    o = vox_put(o, version, version_len);
    o = VOX_PUT(o, ": ");
    o = vox_put(o, type, type_len);
    *o++ = ' ';
    o += vox_fmt_i64(g->id, o);
    o = VOX_PUT(o, ", ");
    o += vox_fmt_u64(g->n, o);
    o = VOX_PUT(o, " voxels at ");
    o += vox_fmt_g(r->resolution, o);
    o = VOX_PUT(o, " A; box of its voxels + ");
    o = put_padding(o, p->box_padding);
    if (p->output_frame == VOX_FRAME_INPUT)
        o = VOX_PUT(o, " A on each side, input frame\n");
    else
        o = VOX_PUT(o, " A on each side, aligned frame\n");
    static const char keys[6][12] = {"center_x = ", "center_y = ", "center_z = ", "size_x = ", "size_y = ", "size_z = "};
    for (int k = 0; k < 6; k++) {
        const size_t key_len = k < 3 ? 11 : 9;
        o = vox_put(o, keys[k], key_len);
        o += vox_fmt_fixed(k < 3 ? box.centre[k] : box.extent[k - 3], 3, o);
        *o++ = '\n';
    }
    vox_cursor_end(b, o);
    return VOX_OK;
}
