/* write_vina.c - one volume's docking box as an AutoDock Vina configuration (README "Descriptors")
 *
 * Vina reads `name = value` lines and ignores `#` comments; the box is the
 * volume's voxel cubes grown by the padding, axis-parallel in the frame
 * asked for (the input frame for docking on the user's file).
 */
#include "decimal.h"
#include "internal.h"

vox_status vox_render_vina(const vox_result *r, const vox_render_params *p, vox_buf *b)
{
    const vox_group *g = &r->groups[p->volume];
    vox_box box;
    box.size = sizeof box;
    vox_status st = vox_result_box(r, p->volume, p->output_frame, p->box_padding, &box);
    if (st != VOX_OK)
        return st;
    /* "# vox VERSION: TYPE ID, N voxels at %g A; box of its voxels + %g A on each side, FRAME frame", and
     * the box: numbers without printf (decimal.h) */
    char g_text[VOX_FMT_G_MAX];
    vox_buf_puts(b, "# vox ");
    vox_buf_puts(b, vox_version());
    vox_buf_puts(b, ": ");
    vox_buf_puts(b, vox_volume_type_name(g->type));
    vox_buf_putc(b, ' ');
    vox_buf_put_int(b, g->id);
    vox_buf_puts(b, ", ");
    vox_buf_put_uint(b, g->n);
    vox_buf_puts(b, " voxels at ");
    vox_buf_put(b, g_text, vox_fmt_g(r->resolution, g_text));
    vox_buf_puts(b, " A; box of its voxels + ");
    vox_buf_put(b, g_text, vox_fmt_g(p->box_padding, g_text));
    vox_buf_puts(b, p->output_frame == VOX_FRAME_INPUT ? " A on each side, input frame\n"
                                                       : " A on each side, aligned frame\n");
    static const char *const keys[6] = {"center_x = ", "center_y = ", "center_z = ", "size_x = ", "size_y = ", "size_z = "};
    for (int k = 0; k < 6; k++) {
        vox_buf_puts(b, keys[k]);
        vox_buf_put_fixed(b, k < 3 ? box.centre[k] : box.extent[k - 3], 3);
        vox_buf_putc(b, '\n');
    }
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}
