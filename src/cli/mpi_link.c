/* mpi_link.c - finding and loading the MPI module (mpi_link.h) */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpi_link.h"

#ifndef VOX_MPI_MODULE_DIR
#define VOX_MPI_MODULE_DIR ""
#endif

static void *try_open(const char *path, char *tried, size_t cap)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        size_t n = strlen(tried);
        snprintf(tried + n, cap - n, "%s%s", n ? "; " : "", dlerror());
    }
    return h;
}

int mpi_link_start(int *argc, char ***argv, mpi_link *m, char *err, size_t cap)
{
    memset(m, 0, sizeof *m);
    m->size = sizeof *m;
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK"))
        return 1; /* a plain `vox` never touches MPI */
    char tried[2048] = "", path[PATH_MAX + 32];
    void *h = NULL;
    const char *env = getenv("VOX_MPI_MODULE");
    if (env && *env) {
        h = try_open(env, tried, sizeof tried);
        if (!h) { /* a module named on purpose is not passed over for another without a word */
            snprintf(err, cap, "vox's MPI module cannot be loaded from VOX_MPI_MODULE=%s (%s): unset it to use this "
                     "vox's own", env, tried);
            return 0;
        }
    }
    if (!h) { /* beside the executable: the build tree */
        ssize_t n = readlink("/proc/self/exe", path, PATH_MAX);
        if (n > 0) {
            path[n] = '\0';
            char *slash = strrchr(path, '/');
            if (slash) {
                snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "vox-mpi.so");
                if (access(path, F_OK) == 0)
                    h = try_open(path, tried, sizeof tried);
            }
        }
    }
    if (!h && VOX_MPI_MODULE_DIR[0]) { /* where meson installs it */
        snprintf(path, sizeof path, "%s/vox-mpi.so", VOX_MPI_MODULE_DIR);
        h = try_open(path, tried, sizeof tried);
    }
    if (!h) {
        snprintf(err, cap, "started by an MPI launcher, but vox's MPI module cannot be loaded (%s)%s",
                 tried[0] ? tried : "not found",
                 VOX_MPI_MODULE_DIR[0] ? "" : "; this vox was built without MPI (meson -Dmpi=enabled)");
        return 0;
    }
    vox_mpi_module_start_fn start = (vox_mpi_module_start_fn)dlsym(h, VOX_MPI_MODULE_ENTRY);
    if (!start || start(argc, argv, m) != 0) {
        snprintf(err, cap, "vox's MPI module: %s", start ? "MPI_Init_thread failed" : dlerror());
        m->ranks = 0;
        return 0;
    }
    return 1; /* the module stays loaded for the life of the process */
}

void mpi_link_end(mpi_link *m)
{
    if (m->ranks && m->finalize)
        m->finalize();
    m->ranks = 0;
}
