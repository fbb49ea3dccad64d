/* test_fork.c - a process forked after libvox ran threads can still analyse
 *
 * A code that links libvox and forks workers (a C driver, Python's
 * multiprocessing "fork") used to hang in the child: libvox's threads are
 * OpenMP's, and GCC's runtime cannot start a team in a process forked after
 * it ran one (the region waits for threads the fork did not copy).  In such
 * a child every team runs one thread.  Each child here is killed by an alarm
 * if it hangs; it must give the parent's volumes, with a context inherited
 * through the fork and with a new one asking for two threads.
 *
 * Usage: test_fork SYNTHETIC_DIR */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_setup.h"
#include "check.h"
#include "vox/vox.h"

static const char *dir;

static vox_ctx *two_thread_ctx(void)
{
    vox_options o;
    vox_options_init(&o);
    o.profile = "";
    o.threads = 2;
    vox_ctx *ctx = NULL;
    return vox_ctx_create(&ctx, &o) == VOX_OK ? ctx : NULL;
}

/* The volumes' voxel counts of pocket_box.pdb at 1.0 A, as one number (0: failed). */
static unsigned long long analyse(vox_ctx *ctx)
{
    vox_structure *s = load_synthetic(ctx, dir, "pocket_box.pdb");
    vox_result *r = NULL;
    vox_analyze_params p;
    vox_analyze_params_init(&p);
    p.resolution = 1.0;
    unsigned long long sum = 0;
    if (s && vox_prepare(ctx, s, NULL) == VOX_OK && vox_analyze(ctx, s, &p, &r) == VOX_OK) {
        sum = 1;
        for (size_t i = 0; i < vox_result_count(r); i++) {
            vox_volume v = {.size = sizeof v};
            vox_result_volume(r, i, &v);
            sum = sum * 1000003ull + v.num_voxels;
        }
    }
    vox_result_free(&r);
    vox_structure_free(&s);
    return sum;
}

/* Runs fn in a forked child under a 60 s alarm; 1 when it exited 0. */
static int in_child(int (*fn)(vox_ctx *, unsigned long long), vox_ctx *parent, unsigned long long want,
                    const char *what)
{
    fflush(NULL);
    const pid_t pid = fork();
    if (pid == 0) {
        alarm(60);
        _exit(fn(parent, want) ? 0 : 1);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 0;
    if (WIFSIGNALED(status))
        fprintf(stderr, "  %s: the child died of signal %d%s\n", what, WTERMSIG(status),
                WTERMSIG(status) == SIGALRM ? " (hung for 60 s)" : "");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int with_inherited(vox_ctx *parent, unsigned long long want)
{
    /* and says so: the count a caller sizes its own work by */
    if (vox_ctx_threads(parent) != 1) {
        fprintf(stderr, "  vox_ctx_threads of the inherited context in the child: %d, expected 1\n",
                vox_ctx_threads(parent));
        return 0;
    }
    return analyse(parent) == want;
}

static int with_new_context(vox_ctx *parent, unsigned long long want)
{
    (void)parent;
    vox_ctx *ctx = two_thread_ctx();
    const int ok = ctx && vox_ctx_threads(ctx) == 1 && analyse(ctx) == want;
    vox_ctx_destroy(&ctx);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_fork SYNTHETIC_DIR\n");
        return 2;
    }
    dir = argv[1];
    vox_ctx *ctx = two_thread_ctx();
    if (!ctx)
        return 1;
    if (vox_ctx_threads(ctx) < 2) {
        printf("SKIP: a context of two threads has %d here\n", vox_ctx_threads(ctx));
        vox_ctx_destroy(&ctx);
        return 77;
    }
    const unsigned long long want = analyse(ctx); /* the parent's team has run */
    CHECK(want > 1, "the parent analyses pocket_box.pdb");
    CHECK(in_child(with_inherited, ctx, want, "inherited context"),
          "a child forked after vox ran threads analyses with the inherited context, as the parent did");
    CHECK(in_child(with_new_context, ctx, want, "new context"),
          "a child forked after vox ran threads analyses with a new context of two threads, as the parent did");
    CHECK(analyse(ctx) == want, "the parent still analyses with its threads after the forks");
    CHECK(vox_ctx_threads(ctx) == 2, "the parent's context still has its two threads");
    vox_ctx_destroy(&ctx);
    return check_report();
}
