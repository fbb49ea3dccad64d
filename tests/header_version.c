/* header_version.c - vox/version.h compiles on its own */
#include "vox/version.h"
int main(void) { return VOX_VERSION_NUMBER > 0 ? 0 : 1; }
