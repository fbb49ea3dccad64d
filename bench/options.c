/* options.c - command-line helpers shared by the vox-bench subcommands
 *
 * Every subcommand parses its options with getopt_long, as `vox` and
 * `voxtune` do; these helpers check the numbers, so "--threshold 2x" is a
 * usage error naming the option rather than a silent 2.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int vox_bench_opt_double(const char *cmd, const char *opt, const char *arg, double min, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (!*arg || *end || errno || !isfinite(v) || v < min) {
        fprintf(stderr, "vox-bench %s: --%s: expected a number >= %g, got '%s'\n", cmd, opt, min, arg);
        return 0;
    }
    *out = v;
    return 1;
}

int vox_bench_opt_int(const char *cmd, const char *opt, const char *arg, long min, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || errno || v < min || v > max || v > INT_MAX) {
        fprintf(stderr, "vox-bench %s: --%s: expected an integer from %ld to %ld, got '%s'\n", cmd, opt, min, max, arg);
        return 0;
    }
    *out = (int)v;
    return 1;
}

int vox_bench_opt_error(const char *cmd, int ch, char *const *argv, const char *usage)
{
    /* optind has moved past the offending word */
    char shortopt[3] = {'-', (char)optopt, '\0'};
    const char *word = optopt ? shortopt : optind > 0 ? argv[optind - 1] : "?";
    if (ch == ':')
        fprintf(stderr, "vox-bench %s: option '%s' needs a value\n", cmd, word);
    else
        fprintf(stderr, "vox-bench %s: unknown option '%s'\n", cmd, word);
    fputs(usage, stderr);
    return 2;
}
