/* avx512/grid.c - the grid kernels and the avx512 table (common/grid_tmpl.h) built with the avx512 flags */
#define VOX_FN(name) name##_avx512
#define VOX_ISA_NAME "avx512"
#include "grid_tmpl.h"
