/* avx2/grid.c - the grid kernels and the avx2 table (common/grid_tmpl.h) built with the avx2 flags */
#define VOX_FN(name) name##_avx2
#define VOX_ISA_NAME "avx2"
#include "grid_tmpl.h"
