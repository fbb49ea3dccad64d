/* neon/grid.c - the grid kernels and the neon table (common/grid_tmpl.h) built with the neon flags */
#define VOX_FN(name) name##_neon
#define VOX_ISA_NAME "neon"
#include "grid_tmpl.h"
