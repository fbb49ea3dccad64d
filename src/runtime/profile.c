/* profile.c - reading voxtune's profile: defaults, parsing, migration, matching, applying (profile.h) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"

void vox_tuning_defaults(const vox_team *team, int isa, vox_tuning *t)
{
    /* A tile is half a core's L2: the planes a thread works on stay in its
     * cache while their neighbours are read.  Binning and labelling are the
     * exceptions, one slab per thread: each binning slab re-reads the atoms
     * and offsets in reach of it (many thin slabs measured 1.6x slower at
     * 1.2e7 voxels), and labelling joins its slabs plane by plane on one
     * thread (1-plane slabs measured 2.4x slower at 1.7e7 voxels on 16
     * cores).  Small grids use at most 4 threads (their stages take well
     * under a millisecond; more threads cost more than they save); larger
     * grids use every thread. */
    int tile = (int)(team->l2 / 2 / 1024);
    if (tile < VOX_TILE_KIB_MIN) tile = VOX_TILE_KIB_MIN;
    for (int k = 0; k < VOX_TK_COUNT; k++)
        for (int c = 0; c < VOX_SC_COUNT; c++) {
            vox_setting *s = &t->s[k][c];
            s->isa = isa;
            s->tile_kib = k == VOX_TK_MOMENTS                                   ? 0
                          : k == VOX_TK_LABELS || k == VOX_TK_BIN_POINTS ? VOX_TILE_KIB_MAX
                                                                          : tile;
            s->threads = c == VOX_SC_SMALL ? (team->cores < 4 ? team->cores : 4) : 0;
        }
    t->batch = (vox_batch_split){0, 0}; /* unmeasured: one job of every thread */
}

int vox_profile_default_path(char *out, size_t size)
{
    const char *p = getenv("VOX_PROFILE");
    if (p) /* set: that file, or none when empty */
        return snprintf(out, size, "%s", p) < (int)size;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg == '/')
        return snprintf(out, size, "%s/vox/profile.json", xdg) < (int)size;
    const char *home = getenv("HOME");
    if (home && *home)
        return snprintf(out, size, "%s/.config/vox/profile.json", home) < (int)size;
    return 0;
}

int vox_profile_system_path(int index, char *out, size_t size)
{
    const char *dirs = getenv("XDG_CONFIG_DIRS");
    if (!dirs || !*dirs)
        return index == 0 && snprintf(out, size, "/etc/vox/profile.json") < (int)size;
    for (const char *p = dirs; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n && p[0] == '/' && index-- == 0) /* relative entries are ignored, as the XDG spec says */
            return snprintf(out, size, "%.*s/vox/profile.json", (int)n, p) < (int)size;
        p += n + (colon ? 1 : 0);
    }
    return 0;
}

/* ---- parsing and migration ---------------------------------------------- */

static cJSON *fail(cJSON *doc, vox_profile_status st, vox_profile_status *status, char *why, size_t n,
                   const char *msg)
{
    cJSON_Delete(doc);
    *status = st;
    snprintf(why, n, "%s", msg);
    return NULL;
}

/* Schema 1: { format, schema: 1, fingerprint, rigor, settings: {kernel: {variant, tile_kib, threads}},
 * measurements } -> schema 2: one machine, the setting copied to every size class. */
static int migrate_v1(cJSON *doc)
{
    cJSON *entry = cJSON_CreateObject();
    cJSON *machines = cJSON_CreateArray();
    cJSON *settings2 = cJSON_CreateObject();
    if (!entry || !machines || !settings2) {
        cJSON_Delete(entry); cJSON_Delete(machines); cJSON_Delete(settings2);
        return 0;
    }
    const char *moved[] = {"fingerprint", "rigor", "created", "measurements"};
    for (size_t i = 0; i < sizeof moved / sizeof moved[0]; i++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(doc, moved[i]);
        if (v) cJSON_AddItemToObject(entry, moved[i], v);
    }
    cJSON *settings1 = cJSON_GetObjectItemCaseSensitive(doc, "settings");
    cJSON *k;
    cJSON_ArrayForEach(k, settings1) {
        cJSON *per_class = cJSON_CreateObject();
        for (int c = 0; c < VOX_SC_COUNT && per_class; c++)
            cJSON_AddItemToObject(per_class, vox_size_class_name((vox_size_class)c), cJSON_Duplicate(k, 1));
        if (per_class && k->string) cJSON_AddItemToObject(settings2, k->string, per_class);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "settings");
    cJSON_AddItemToObject(entry, "settings", settings2);
    cJSON_AddItemToArray(machines, entry);
    cJSON_AddItemToObject(doc, "machines", machines);
    cJSON_ReplaceItemInObjectCaseSensitive(doc, "schema", cJSON_CreateNumber(VOX_PROFILE_SCHEMA));
    cJSON_AddNumberToObject(doc, "migrated_from", 1);
    return 1;
}

cJSON *vox_profile_parse(const char *text, size_t len, vox_profile_status *status, char *why, size_t n)
{
    if (len > VOX_PROFILE_MAX_BYTES)
        return fail(NULL, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, "the profile is larger than 16 MiB");
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!doc) {
        char msg[160];
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        snprintf(msg, sizeof msg, "not valid JSON (truncated or corrupt) near byte %zu", at);
        return fail(NULL, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, msg);
    }
    /* anything but white space after the document: a damaged file (a shorter profile written in place
     * over a longer one, two concatenated), not one to read as its first document */
    size_t at = (size_t)(end - text);
    while (at < len && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r'))
        at++;
    if (at < len) {
        char msg[160];
        snprintf(msg, sizeof msg, "not valid JSON: more after the document, at byte %zu", at);
        return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, msg);
    }
    if (!cJSON_IsObject(doc))
        return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, "the profile is not a JSON object");
    cJSON *format = cJSON_GetObjectItemCaseSensitive(doc, "format");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, VOX_PROFILE_FORMAT) != 0)
        return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, "field \"format\": expected \"vox-profile\"");
    cJSON *schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
    /* the range is checked on the double first: casting 1e10 to int is undefined */
    if (!cJSON_IsNumber(schema) || !(schema->valuedouble >= 1 && schema->valuedouble <= INT_MAX) ||
        schema->valuedouble != floor(schema->valuedouble))
        return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, "field \"schema\": expected a positive integer");
    if (schema->valueint > VOX_PROFILE_SCHEMA) {
        char msg[160];
        snprintf(msg, sizeof msg, "schema %d is newer than this vox reads (%d): run voxtune of this version",
                 schema->valueint, VOX_PROFILE_SCHEMA);
        return fail(doc, VOX_PROFILE_DEFAULTS_NEWER_SCHEMA, status, why, n, msg);
    }
    if (schema->valueint == 1) {
        if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "fingerprint")) ||
            !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "settings")))
            return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n,
                        "schema 1: expected objects \"fingerprint\" and \"settings\"");
        if (!migrate_v1(doc))
            return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, "out of memory migrating schema 1");
    }
    cJSON *machines = cJSON_GetObjectItemCaseSensitive(doc, "machines");
    if (!cJSON_IsArray(machines))
        return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, "field \"machines\": expected an array");
    int i = 0;
    cJSON *m;
    cJSON_ArrayForEach(m, machines) {
        char msg[160];
        if (!cJSON_IsObject(m) || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(m, "fingerprint")) ||
            !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(m, "settings"))) {
            snprintf(msg, sizeof msg, "machines[%d]: expected an object with objects \"fingerprint\" and \"settings\"", i);
            return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, msg);
        }
        cJSON *meas = cJSON_GetObjectItemCaseSensitive(m, "measurements");
        if (meas && !cJSON_IsArray(meas)) {
            snprintf(msg, sizeof msg, "machines[%d].measurements: expected an array", i);
            return fail(doc, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, msg);
        }
        i++;
    }
    *status = VOX_PROFILE_EXACT;
    why[0] = 0;
    return doc;
}

/* ---- matching ------------------------------------------------------------ */

static int same(const cJSON *a, const cJSON *b, const char *path)
{
    /* path: "cpu", "isa.levels", ... one level of nesting at most */
    char first[32];
    const char *dot = strchr(path, '.');
    size_t l = dot ? (size_t)(dot - path) : strlen(path);
    snprintf(first, sizeof first, "%.*s", (int)l, path);
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, first), *y = cJSON_GetObjectItemCaseSensitive(b, first);
    if (dot) {
        x = cJSON_GetObjectItemCaseSensitive(x, dot + 1);
        y = cJSON_GetObjectItemCaseSensitive(y, dot + 1);
    }
    return x && y && cJSON_Compare(x, y, 1);
}

vox_profile_status vox_profile_match(const cJSON *entry, const cJSON *fp)
{
    const cJSON *theirs = cJSON_GetObjectItemCaseSensitive(entry, "fingerprint");
    /* same CPU, same ISA levels and quirks, same kernels: the per-core values carry over */
    static const char *const core[] = {"cpu", "isa", "kernel_set"};
    for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
        if (!same(theirs, fp, core[i]))
            return VOX_PROFILE_DEFAULTS_FOREIGN;
    static const char *const rest[] = {"topology", "compiler", "library"};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        if (!same(theirs, fp, rest[i]))
            return VOX_PROFILE_PARTIAL;
    return VOX_PROFILE_EXACT;
}

/* ---- settings ------------------------------------------------------------ */

static int get_int(const cJSON *o, const char *name, int lo, int hi, int *out, const char *where, char *why,
                   size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v)
        return 1; /* keep the default */
    if (!cJSON_IsNumber(v)) {
        snprintf(why, n, "%s.%s: expected a number", where, name);
        return -1;
    }
    /* range first, on the double: casting 1e50 to an integer type is undefined */
    if (!(v->valuedouble >= lo && v->valuedouble <= hi) || v->valuedouble != floor(v->valuedouble)) {
        snprintf(why, n, "%s.%s: expected an integer from %d to %d", where, name, lo, hi);
        return 0;
    }
    *out = (int)v->valuedouble;
    return 1;
}

/* 1 when every member of o is named in names[0 .. count); else why says
 * which is not (a misspelt key was a setting silently left at its default). */
static int only_known(const cJSON *o, const char *where, const char *(*name)(int), int count, char *why, size_t n)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, o) {
        int known = 0;
        for (int i = 0; i < count && !known; i++) known = m->string && !strcmp(m->string, name(i));
        if (!known) {
            char list[160] = "";
            for (int i = 0; i < count; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", name(i));
            snprintf(why, n, "%s.%s: not a name vox knows here (%s)", where, m->string ? m->string : "?", list);
            return 0;
        }
    }
    return 1;
}

static const char *kernel_name_of(int k) { return vox_tuned_kernel_name((vox_tuned_kernel)k); }
static const char *class_name_of(int c) { return vox_size_class_name((vox_size_class)c); }
static const char *setting_name_of(int i)
{
    static const char *const names[] = {"variant", "tile_kib", "threads"};
    return names[i];
}

int vox_profile_apply_settings(const cJSON *entry, int partial, vox_tuning *t, char *why, size_t n)
{
    vox_tuning next = *t;
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(entry, "settings");
    if (cJSON_IsObject(settings) && !only_known(settings, "settings", kernel_name_of, VOX_TK_COUNT, why, n))
        return -1;
    for (int k = 0; k < VOX_TK_COUNT; k++) {
        const cJSON *per_class = cJSON_GetObjectItemCaseSensitive(settings, vox_tuned_kernel_name((vox_tuned_kernel)k));
        if (!per_class)
            continue;
        if (!cJSON_IsObject(per_class)) {
            snprintf(why, n, "settings.%s: expected an object", vox_tuned_kernel_name((vox_tuned_kernel)k));
            return -1;
        }
        char kernel_where[64];
        snprintf(kernel_where, sizeof kernel_where, "settings.%s", vox_tuned_kernel_name((vox_tuned_kernel)k));
        if (!only_known(per_class, kernel_where, class_name_of, VOX_SC_COUNT, why, n))
            return -1;
        for (int c = 0; c < VOX_SC_COUNT; c++) {
            char where[96];
            snprintf(where, sizeof where, "settings.%s.%s", vox_tuned_kernel_name((vox_tuned_kernel)k),
                     vox_size_class_name((vox_size_class)c));
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(per_class, vox_size_class_name((vox_size_class)c));
            if (!o)
                continue;
            if (!cJSON_IsObject(o)) {
                snprintf(why, n, "%s: expected an object", where);
                return -1;
            }
            if (!only_known(o, where, setting_name_of, 3, why, n))
                return -1;
            vox_setting *s = &next.s[k][c];
            const cJSON *variant = cJSON_GetObjectItemCaseSensitive(o, "variant");
            if (variant) {
                if (!cJSON_IsString(variant)) {
                    snprintf(why, n, "%s.variant: expected a string", where);
                    return -1;
                }
                int isa = vox_isa_index(variant->valuestring);
                if (!vox_isa_usable(isa)) {
                    snprintf(why, n, "%s.variant: \"%s\" is not a variant this machine and build run", where,
                             variant->valuestring);
                    return 0;
                }
                s->isa = isa;
            }
            int lo = k == VOX_TK_MOMENTS ? 0 : VOX_TILE_KIB_MIN;
            int threads = s->threads, r;
            if ((r = get_int(o, "tile_kib", lo, VOX_TILE_KIB_MAX, &s->tile_kib, where, why, n)) != 1 ||
                (r = get_int(o, "threads", 0, VOX_THREADS_MAX, &threads, where, why, n)) != 1)
                return r;
            if (!partial) /* another topology: its thread counts mean nothing here */
                s->threads = threads;
        }
    }
    const cJSON *batch = cJSON_GetObjectItemCaseSensitive(entry, "batch");
    if (batch && !partial) { /* another topology: its split means nothing here */
        if (!cJSON_IsObject(batch)) {
            snprintf(why, n, "batch: expected an object");
            return -1;
        }
        vox_batch_split b = {0, 0};
        int r;
        if ((r = get_int(batch, "jobs", 1, VOX_MAX_JOBS, &b.jobs, "batch", why, n)) != 1 ||
            (r = get_int(batch, "threads_per_job", 1, VOX_THREADS_MAX, &b.threads_per_job, "batch", why, n)) != 1)
            return r;
        if (!b.jobs || !b.threads_per_job) {
            snprintf(why, n, "batch: expected both jobs and threads_per_job");
            return -1;
        }
        next.batch = b;
    }
    *t = next;
    return 1;
}

/* ---- the context's profile ---------------------------------------------- */

cJSON *vox_profile_read_file(const char *path, vox_profile_status *status, char *why, size_t n, int *err)
{
    *err = 0;
    /* O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever;
     * whatever is not a regular file is refused before a byte is read */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int missing = errno == ENOENT || errno == ENOTDIR;
        if (!missing) *err = errno;
        return fail(NULL, missing ? VOX_PROFILE_DEFAULTS_ABSENT : VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n,
                    missing ? "no such file (run voxtune to make one)" : strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        *err = errno;
        close(fd);
        return fail(NULL, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, strerror(*err));
    }
    if (!S_ISREG(sb.st_mode)) {
        char msg[160];
        snprintf(msg, sizeof msg, "it is %s, not a regular file",
                 S_ISDIR(sb.st_mode)    ? "a directory"
                 : S_ISFIFO(sb.st_mode) ? "a FIFO (named pipe)"
                 : S_ISCHR(sb.st_mode)  ? "a character device"
                 : S_ISBLK(sb.st_mode)  ? "a block device"
                 : S_ISSOCK(sb.st_mode) ? "a socket"
                                        : "something else");
        close(fd);
        return fail(NULL, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, msg);
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        *err = errno;
        close(fd);
        return fail(NULL, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n, strerror(*err));
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    while (buf && len <= VOX_PROFILE_MAX_BYTES) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            char *p = realloc(buf, cap * 2 + 1);
            if (!p) { free(buf); buf = NULL; break; }
            buf = p;
            cap *= 2;
        }
    }
    int read_failed = ferror(f);
    if (read_failed) *err = errno ? errno : EIO;
    fclose(f);
    if (!buf || read_failed) {
        free(buf);
        return fail(NULL, VOX_PROFILE_DEFAULTS_CORRUPT, status, why, n,
                    buf ? "cannot read the file" : "out of memory reading the profile");
    }
    buf[len] = 0;
    cJSON *doc = vox_profile_parse(buf, len, status, why, n); /* refuses more than 16 MiB itself */
    free(buf);
    return doc;
}

/* Applies doc's entry that fits this machine best, and says how it went. */
static void use_document(vox_ctx *ctx, const cJSON *doc, vox_profile_info *pi)
{
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(doc, "migrated_from");
    const cJSON *schema = from ? from : cJSON_GetObjectItemCaseSensitive(doc, "schema");
    pi->schema = schema ? schema->valueint : 0;
    cJSON *fp = vox_fingerprint(ctx);
    const cJSON *best = NULL, *m;
    vox_profile_status best_st = VOX_PROFILE_DEFAULTS_FOREIGN;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(doc, "machines")) {
        vox_profile_status s = fp ? vox_profile_match(m, fp) : VOX_PROFILE_DEFAULTS_FOREIGN;
        if (s < best_st) {
            best_st = s;
            best = m;
        }
    }
    cJSON_Delete(fp);
    char why[256];
    int applied = best ? vox_profile_apply_settings(best, best_st == VOX_PROFILE_PARTIAL, ctx->tuning, why, sizeof why) : 0;
    if (!best) {
        pi->status = VOX_PROFILE_DEFAULTS_FOREIGN;
        snprintf(pi->detail, sizeof pi->detail, "no entry for this CPU and kernel set (run voxtune here)");
    } else if (applied != 1) {
        pi->status = applied < 0 ? VOX_PROFILE_DEFAULTS_CORRUPT : VOX_PROFILE_DEFAULTS_OUT_OF_RANGE;
        snprintf(pi->detail, sizeof pi->detail, "%s", why);
    } else {
        pi->status = best_st;
        if (best_st == VOX_PROFILE_PARTIAL)
            snprintf(pi->detail, sizeof pi->detail, "other topology, compiler or version: thread counts re-derived");
        else if (pi->schema < VOX_PROFILE_SCHEMA)
            snprintf(pi->detail, sizeof pi->detail, "migrated from schema %d", pi->schema);
    }
}

void vox_profile_load(vox_ctx *ctx)
{
    vox_profile_info *pi = ctx->profile;
    memset(pi, 0, sizeof *pi);
    vox_tuning_defaults(ctx->team, ctx->isa_index, ctx->tuning);
    pi->status = VOX_PROFILE_DEFAULTS_ABSENT;

    char why[256];
    vox_profile_status st;
    cJSON *doc;
    int default_path = 0; /* the user's default location was read: the system's may follow */
    const char *json = ctx->opts.profile_json;
    if (json && *json) {
        doc = vox_profile_parse(json, strlen(json), &st, why, sizeof why);
    } else if (json || (ctx->opts.profile && !*ctx->opts.profile)) {
        snprintf(pi->detail, sizeof pi->detail, "no profile asked for");
        return;
    } else {
        default_path = !ctx->opts.profile && !getenv("VOX_PROFILE");
        int ok = ctx->opts.profile ? snprintf(pi->path, sizeof pi->path, "%s", ctx->opts.profile) < (int)sizeof pi->path
                                   : vox_profile_default_path(pi->path, sizeof pi->path);
        if (!ok || !pi->path[0]) {
            const char *env = getenv("VOX_PROFILE"), *home = getenv("HOME");
            const char *given = ctx->opts.profile ? ctx->opts.profile : env;
            if (!ok && given)
                snprintf(pi->detail, sizeof pi->detail,
                         "the profile path%s is %zu bytes long; vox reads profiles at paths of up to %zu bytes",
                         ctx->opts.profile ? "" : " (VOX_PROFILE)", strlen(given), sizeof pi->path - 1);
            else if (!ok && home && *home)
                snprintf(pi->detail, sizeof pi->detail,
                         "the default profile path (under $XDG_CONFIG_HOME or $HOME) is longer than the %zu bytes "
                         "vox reads; set VOX_PROFILE", sizeof pi->path - 1);
            else
                snprintf(pi->detail, sizeof pi->detail, ok ? "no profile asked for (VOX_PROFILE is empty)"
                                                           : "no profile path (set VOX_PROFILE or HOME)");
            pi->path[0] = 0;
            return;
        }
        int err;
        doc = vox_profile_read_file(pi->path, &st, why, sizeof why, &err);
    }
    if (doc) {
        use_document(ctx, doc, pi);
        cJSON_Delete(doc);
    } else {
        pi->status = st;
        snprintf(pi->detail, sizeof pi->detail, "%s", why);
    }
    /* The user's default profile has nothing for this machine: the system's
     * (never when a profile was named: the option, its JSON text, $VOX_PROFILE). */
    if (default_path && (pi->status == VOX_PROFILE_DEFAULTS_ABSENT || pi->status == VOX_PROFILE_DEFAULTS_FOREIGN)) {
        char sys[sizeof pi->path];
        for (int i = 0; vox_profile_system_path(i, sys, sizeof sys); i++) {
            int err;
            vox_profile_status sst;
            cJSON *sd = vox_profile_read_file(sys, &sst, why, sizeof why, &err);
            if (!sd)
                continue;
            vox_profile_info save = *pi;
            vox_tuning keep = *ctx->tuning;
            snprintf(pi->path, sizeof pi->path, "%s", sys);
            pi->detail[0] = '\0'; /* the user's profile's, not this one's: use_document says its own */
            use_document(ctx, sd, pi);
            cJSON_Delete(sd);
            if (pi->status == VOX_PROFILE_EXACT || pi->status == VOX_PROFILE_PARTIAL) {
                if (!pi->detail[0])
                    snprintf(pi->detail, sizeof pi->detail, "the system-wide profile (the user's: %.260s)",
                             save.detail[0] ? save.detail : vox_profile_status_name(save.status));
                break;
            }
            *pi = save; /* nothing for this machine there either: as before */
            *ctx->tuning = keep;
        }
    }
    if (pi->status >= VOX_PROFILE_DEFAULTS_CORRUPT && ctx->opts.verbose > 0)
        vox_warn(ctx, "profile %s: %s; using defaults", pi->path[0] ? pi->path : "(JSON text)", pi->detail);
}

const char *vox_profile_status_name(vox_profile_status st)
{
    switch (st) {
    case VOX_PROFILE_EXACT: return "exact";
    case VOX_PROFILE_PARTIAL: return "partial";
    case VOX_PROFILE_DEFAULTS_ABSENT: return "defaults (absent)";
    case VOX_PROFILE_DEFAULTS_CORRUPT: return "defaults (corrupt)";
    case VOX_PROFILE_DEFAULTS_NEWER_SCHEMA: return "defaults (newer schema)";
    case VOX_PROFILE_DEFAULTS_FOREIGN: return "defaults (foreign machine)";
    case VOX_PROFILE_DEFAULTS_OUT_OF_RANGE: return "defaults (out of range)";
    }
    return "unknown";
}
