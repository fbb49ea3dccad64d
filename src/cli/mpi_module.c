/* mpi_module.c - the MPI calls of `mpirun vox analyze`, built as the module
 * vox-mpi.so that mpi_link.c loads only under an MPI launcher (mpi_link.h
 * says why).  Rank 0's dispatcher thread is the only thread of a process that
 * calls MPI after initialisation, hence MPI_THREAD_SERIALIZED. */
#include <mpi.h>

#include "mpi_link.h"

static int send_bytes(const void *buf, int bytes, int dest, int tag)
{
    return MPI_Send(buf, bytes, MPI_BYTE, dest, tag, MPI_COMM_WORLD) != MPI_SUCCESS;
}

static int recv_bytes(void *buf, int bytes, int src, int tag)
{
    return MPI_Recv(buf, bytes, MPI_BYTE, src < 0 ? MPI_ANY_SOURCE : src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
           MPI_SUCCESS;
}

static int poll_bytes(int tag, int *src, int *bytes)
{
    int flag = 0;
    MPI_Status st;
    if (MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS || !flag)
        return 0;
    *src = st.MPI_SOURCE;
    MPI_Get_count(&st, MPI_BYTE, bytes);
    return 1;
}

static int bcast_bytes(void *buf, int bytes, int root)
{
    return MPI_Bcast(buf, bytes, MPI_BYTE, root, MPI_COMM_WORLD) != MPI_SUCCESS;
}

static void finalize(void) { MPI_Finalize(); }

__attribute__((visibility("default"))) int vox_mpi_module_start(int *argc, char ***argv, mpi_link *m)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->ranks);
    m->send = send_bytes;
    m->recv = recv_bytes;
    m->poll = poll_bytes;
    m->bcast = bcast_bytes;
    m->finalize = finalize;
    return 0;
}
