/* params.c - taking a caller's input parameter struct over the defaults
 *
 * Every input struct (vox_options, vox_load_params, vox_atom_arrays,
 * vox_prepare_params, vox_analyze_params, vox_render_params,
 * vox_reference_params, vox_tracker_params) starts with a size that its
 * init function sets.  The library copies only that many bytes over its own
 * defaults, so a caller built against an older, shorter header gets the
 * defaults of the fields added since.  A size under sizeof(size_t) cannot
 * be such a header: it is a struct never passed through its init function
 * (say, zero-initialised), whose zeros would otherwise be read as
 * settings (align = 0 for vox_prepare_params), so it is refused.
 */
#include <string.h>

#include "internal.h"

size_t vox_params_size(const void *given)
{
    size_t size;
    memcpy(&size, given, sizeof size); /* every input struct's first field */
    return size;
}

vox_status vox_params_take(vox_ctx *ctx, void *defaults, size_t room, const void *given, const char *type)
{
    if (!given)
        return VOX_OK;
    const size_t size = vox_params_size(given);
    if (size < sizeof size)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "%s.size is %zu: set the struct up with %s_init (or set size to "
                        "sizeof(%s))", type, size, type, type);
    memcpy(defaults, given, size < room ? size : room);
    memcpy(defaults, &room, sizeof room); /* the library's own size from here on */
    return VOX_OK;
}
