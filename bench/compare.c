/* compare.c - `vox-bench compare BASE NEW`: a fair comparison of two result files
 *
 * Cases are matched by name.  Output checksums must be equal: a change in
 * results is never a performance question.  With --gate (CI), the verdict
 * rests on deterministic measures only: the instructions executed in vox's
 * own code (callgrind), which are exactly repeatable for a given binary, so
 * any increase above --threshold (default 2%) is a regression.  Wall times
 * are reported as time ratios and as ratios of the reference-normalised
 * times; without --gate a wall-time regression above --tolerance (default
 * 5%) fails only after --confirm re-runs (default 3) of that case on this
 * machine all confirm it - shared VMs vary by up to 2x.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "bench.h"

static cJSON *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "vox-bench compare: cannot read %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    cJSON *o = cJSON_Parse(b);
    free(b);
    if (!o || !cJSON_IsArray(cJSON_GetObjectItem(o, "cases"))) {
        fprintf(stderr, "vox-bench compare: %s is not a vox-bench result file\n", path);
        cJSON_Delete(o);
        return NULL;
    }
    const cJSON *schema = cJSON_GetObjectItem(o, "schema");
    if (!cJSON_IsNumber(schema) || schema->valueint > 1) {
        fprintf(stderr, "vox-bench compare: %s has an unknown schema\n", path);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static const cJSON *find_case(const cJSON *root, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "cases")) {
        const cJSON *n = cJSON_GetObjectItem(c, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
            return c;
    }
    return NULL;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double median_ms(const cJSON *c)
{
    const cJSON *t = cJSON_GetObjectItem(c, "total");
    return t ? 1e3 * num(t, "median") : NAN;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Re-runs a structure case here `times` times; 1 when every run is slower
 * than base by more than tol (in reference-normalised time). */
static int confirm(const char *self, const cJSON *base, const cJSON *c, double tol, int times)
{
    if (strcmp(str(c, "kind"), "structure") != 0)
        return 1; /* kernel micro-cases: the wall figure stands */
    char rs[32];
    snprintf(rs, sizeof rs, "%.17g", num(c, "resolution"));
    for (int t = 0; t < times; t++) {
        cJSON *r = vox_bench_spawn(self, "case", str(c, "file"), rs, "0.5", NULL, 0);
        if (!r)
            return 0;
        double ratio = median_ms(r) / median_ms(base);
        cJSON_Delete(r);
        printf("    re-run %d: %.3fx of base\n", t + 1, ratio);
        if (!(ratio > 1.0 + tol))
            return 0;
    }
    return 1;
}

int vox_bench_compare(int argc, char **argv, const char *self)
{
    const char *bpath = NULL, *npath = NULL;
    int gate = 0, force = 0, times = 3;
    double threshold = 0.02, tol = 0.05;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--gate")) gate = 1;
        else if (!strcmp(argv[i], "--force")) force = 1;
        else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) threshold = atof(argv[++i]) / 100.0;
        else if (!strcmp(argv[i], "--tolerance") && i + 1 < argc) tol = atof(argv[++i]) / 100.0;
        else if (!strcmp(argv[i], "--confirm") && i + 1 < argc) times = atoi(argv[++i]);
        else if (!bpath) bpath = argv[i];
        else if (!npath) npath = argv[i];
        else {
            fprintf(stderr, "vox-bench compare: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!bpath || !npath) {
        fprintf(stderr, "usage: vox-bench compare BASE.json NEW.json [--gate] [--force] [--threshold PCT] "
                        "[--tolerance PCT] [--confirm N]\n");
        return 2;
    }
    cJSON *base = load(bpath), *neu = base ? load(npath) : NULL;
    if (!base || !neu) {
        cJSON_Delete(base);
        return 2;
    }
    const char *bkey = str(cJSON_GetObjectItem(base, "machine"), "key");
    const char *nkey = str(cJSON_GetObjectItem(neu, "machine"), "key");
    int same_machine = !strcmp(bkey, nkey);
    if (!same_machine && !force && !gate) {
        fprintf(stderr, "vox-bench compare: the files come from different machines (%s: %s, %s: %s); wall times are "
                        "not comparable (use --force to compare anyway, or --gate for instruction counts)\n",
                bpath, str(cJSON_GetObjectItem(base, "machine"), "cpu_model"), npath,
                str(cJSON_GetObjectItem(neu, "machine"), "cpu_model"));
        cJSON_Delete(base);
        cJSON_Delete(neu);
        return 2;
    }
    printf("%-30s %10s %10s %7s %7s %16s %16s %8s  verdict\n", "case", "base ms", "new ms", "time", "norm",
           "base instr", "new instr", "instr");
    int failures = 0, matched = 0, missing = 0;
    const cJSON *bc;
    cJSON_ArrayForEach(bc, cJSON_GetObjectItem(base, "cases")) {
        const char *name = str(bc, "name");
        const cJSON *nc = find_case(neu, name);
        if (!nc) {
            printf("%-30s missing in %s\n", name, npath);
            missing++;
            continue;
        }
        matched++;
        if (cJSON_GetObjectItem(nc, "error") || cJSON_GetObjectItem(bc, "error")) {
            printf("%-30s error: %s\n", name, cJSON_GetObjectItem(nc, "error") ? str(nc, "error") : str(bc, "error"));
            failures++;
            continue;
        }
        double bms = median_ms(bc), nms = median_ms(nc);
        double time_ratio = nms / bms;
        double norm_ratio = num(nc, "ref_ratio") / num(bc, "ref_ratio");
        double bir = num(bc, "instructions"), nir = num(nc, "instructions");
        double ir_ratio = nir / bir;
        const char *verdict = "ok";
        const char *bsum = str(bc, "checksum"), *nsum = str(nc, "checksum");
        if (strcmp(str(bc, "isa"), str(nc, "isa")) != 0) {
            printf("%-30s not comparable: kernels %s in %s, %s in %s\n", name, str(bc, "isa"), bpath, str(nc, "isa"), npath);
            missing++;
            continue;
        }
        if (*bsum && *nsum && strcmp(bsum, nsum)) {
            verdict = "OUTPUT CHANGED (checksum)";
            failures++;
        } else if (gate) {
            if (isnan(nir) || isnan(bir)) {
                verdict = "NO INSTRUCTION COUNT (run with --callgrind)";
                failures++;
            } else if (ir_ratio > 1.0 + threshold) {
                verdict = "REGRESSION (instructions)";
                failures++;
            } else if (ir_ratio < 1.0 - threshold) {
                verdict = "faster (instructions); refresh the baseline";
            } else if ((isnan(norm_ratio) ? time_ratio : norm_ratio) > 1.0 + tol && same_machine) {
                verdict = "ok (wall time slower, not confirmed: the gate counts instructions)";
            }
        } else {
            double r = same_machine || isnan(norm_ratio) ? time_ratio : norm_ratio;
            if (r > 1.0 + tol) {
                printf("%-30s %10.3f %10.3f %6.3fx  suspected regression: confirming\n", name, bms, nms, r);
                if (confirm(self, bc, nc, tol, times)) {
                    verdict = "REGRESSION (wall time, confirmed)";
                    failures++;
                } else {
                    verdict = "ok (not confirmed on re-runs: noise)";
                }
            }
        }
        printf("%-30s %10.3f %10.3f %6.3fx %6.3fx %16.0f %16.0f %7.4fx  %s\n", name, bms, nms, time_ratio, norm_ratio,
               bir, nir, ir_ratio, verdict);
    }
    printf("%d cases compared, %d missing, %d regressions or changes\n", matched, missing, failures);
    if (!same_machine)
        printf("note: different machines (%s vs %s): %s\n", bkey, nkey,
               gate ? "the gate compares instruction counts, which do not depend on the machine"
                    : "compared with --force");
    cJSON_Delete(base);
    cJSON_Delete(neu);
    return failures || matched == 0 ? 1 : 0;
}
