/* mpi_link.h - MPI for `mpirun -np P vox analyze`, loaded only when an MPI
 * launcher started the process.
 *
 * The MPI library (OpenMPI: libmpi, libopen-rte, libopen-pal, libevent,
 * libudev) costs every process about a millisecond of dynamic linking and
 * page faults, so `vox` does not link it: the few calls the batch needs live
 * in a module (vox-mpi.so, mpi_module.c) that mpi_link_start dlopens when
 * the environment shows an MPI launcher (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
 * PMIX_RANK).  Messages are bytes; every rank runs the same build. */
#ifndef VOX_CLI_MPI_LINK_H
#define VOX_CLI_MPI_LINK_H

#include <stddef.h>

/* What the module fills (its one exported symbol, VOX_MPI_MODULE_ENTRY). */
typedef struct mpi_link {
    size_t size;   /* = sizeof(mpi_link), set by the caller */
    int rank, ranks; /* this process and how many; ranks = 0: not under MPI */
    /* all return 0 on success */
    int (*send)(const void *buf, int bytes, int dest, int tag);
    int (*recv)(void *buf, int bytes, int src, int tag);
    /* a message with tag waits (from any rank): 1 with its source and length, 0 none */
    int (*poll)(int tag, int *src, int *bytes);
    int (*bcast)(void *buf, int bytes, int root);
    void (*finalize)(void);
} mpi_link;

#define VOX_MPI_MODULE_ENTRY "vox_mpi_module_start"
typedef int (*vox_mpi_module_start_fn)(int *argc, char ***argv, mpi_link *m);

/* Not under an MPI launcher: returns 1 with m->ranks = 0 and loads nothing.
 * Under one: loads the module ($VOX_MPI_MODULE, else vox-mpi.so beside the
 * executable, else the installed one), initialises MPI and returns 1; 0 with
 * err set when the module cannot be loaded or MPI cannot start. */
int mpi_link_start(int *argc, char ***argv, mpi_link *m, char *err, size_t cap);
void mpi_link_end(mpi_link *m);

#endif
