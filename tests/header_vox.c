/* header_vox.c - vox/vox.h compiles on its own */
#include "vox/vox.h"
int main(void) { return vox_version_number() == VOX_VERSION_NUMBER ? 0 : 1; }
