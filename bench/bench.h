/* bench.h - helpers shared by the vox-bench subcommands */
#ifndef VOX_BENCH_H
#define VOX_BENCH_H

#include <cJSON.h>

/* Adds the "machine" object (CPU model, online CPUs, detected features). */
void vox_bench_machine(cJSON *root);
/* Writes root as JSON to path (when not NULL); returns an exit code. */
int vox_bench_write_json(const cJSON *root, const char *path);
/* `vox-bench kernels`. */
int vox_bench_kernels(int argc, char **argv);

#endif
