/* cursor.h - text stored at a cursor into room reserved once (vox_buf_tail)
 *
 * The export writers (DX maps, Vina boxes, the viewer scripts) bound a
 * document's length first, reserve that much, and store each piece at a
 * cursor: one memcpy a piece, with no room check and no growth, where some
 * thirty appends each checking its room cost more than the numbers did.
 * vox_cursor_end makes what was stored the buffer's text.
 */
#ifndef VOX_CURSOR_H
#define VOX_CURSOR_H

#include <string.h>

#include "internal.h"

/* n bytes of s at o; the end. */
static inline char *vox_put(char *o, const char *s, size_t n)
{
    memcpy(o, s, n);
    return o + n;
}

/* A string literal at o, without its terminator; the end. */
#define VOX_PUT(o, lit) vox_put((o), (lit), sizeof(lit) - 1)

static inline char *vox_put_str(char *o, const char *s) { return vox_put(o, s, strlen(s)); }

/* The text of b ends at o, a cursor into the room vox_buf_tail gave. */
static inline void vox_cursor_end(vox_buf *b, char *o)
{
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

#endif
