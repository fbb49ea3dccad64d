/* vox/version.h - compile-time version of the vox library */
#ifndef VOX_VERSION_H
#define VOX_VERSION_H

#define VOX_VERSION_MAJOR 0
#define VOX_VERSION_MINOR 1
#define VOX_VERSION_PATCH 0
#define VOX_VERSION_STRING "0.1.0"

/* One integer that grows with every release: 0xMMmmpp. */
#define VOX_VERSION_NUMBER \
    ((VOX_VERSION_MAJOR << 16) | (VOX_VERSION_MINOR << 8) | VOX_VERSION_PATCH)

#endif
