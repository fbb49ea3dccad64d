/* readers.c - what the command reads back: manifests, run summaries, checkpoints and a
 * structure's outputs
 *
 * Everything here reads files that people, other tools or a killed run
 * wrote, so nothing is trusted: types are checked before use, numbers are
 * compared as doubles before any integer cast, and a reader never crashes,
 * loops or leaks on any text (tests/fuzz/ holds their fuzz targets).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pyjson.h"
#include "readers.h"

#define MAX_JSON_BYTES ((size_t)1 << 30) /* a summary of a million structures is a few hundred MB */

input *add_input(paths *ps, const char *p)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 64;
        input *np = realloc(ps->p, cap * sizeof *np);
        if (!np)
            return NULL;
        ps->p = np;
        ps->cap = cap;
    }
    char *copy = strdup(p ? p : "");
    if (!copy)
        return NULL;
    input *in = &ps->p[ps->n++];
    memset(in, 0, sizeof *in);
    in->path = copy;
    return in;
}

void paths_free(paths *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->p[i].path);
        free(ps->p[i].source);
        free(ps->p[i].error);
        cJSON_Delete(ps->p[i].members);
    }
    free(ps->p);
    memset(ps, 0, sizeof *ps);
}

char *read_text_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 1 >= cap) {
            size_t nc = cap ? 2 * cap : 65536;
            if (nc > max + 1) nc = max + 1;
            if (nc <= n + 1) { /* over max */
                free(buf);
                close(fd);
                errno = EFBIG;
                return NULL;
            }
            char *nb = realloc(buf, nc);
            if (!nb) {
                free(buf);
                close(fd);
                return NULL;
            }
            buf = nb;
            cap = nc;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        /* text holds no NUL: a device such as /dev/zero or a binary file
         * given as a manifest stops here, not at the size cap */
        if (memchr(buf + n, '\0', (size_t)r)) {
            free(buf);
            close(fd);
            errno = EILSEQ;
            return NULL;
        }
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

const char *text_file_error(int err)
{
    if (err == EILSEQ)
        return "holds a NUL byte: not a text file";
    if (err == EFBIG)
        return "too large: over 1 GiB";
    return strerror(err);
}

/* 1 and the value when s starts with 4 hex digits. */
static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)s[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return 0;
        *v = *v << 4 | (unsigned)d;
    }
    return 1;
}

void json_lone_surrogates(char *t, int to_bytes)
{
    char *out = t;
    for (const char *p = t; *p;) {
        unsigned v, w;
        if (*p != '\\') {
            *out++ = *p++;
            continue;
        }
        if (p[1] != 'u' || !hex4(p + 2, &v)) { /* another escape (or \\): copied whole */
            *out++ = *p++;
            if (*p)
                *out++ = *p++;
            continue;
        }
        if (v >= 0xD800 && v <= 0xDBFF && p[6] == '\\' && p[7] == 'u' && hex4(p + 8, &w) && w >= 0xDC00 &&
            w <= 0xDFFF) { /* a pair: a code point past U+FFFF */
            memmove(out, p, 12);
            out += 12;
            p += 12;
            continue;
        }
        if (to_bytes && v >= 0xDC80 && v <= 0xDCFF) { /* surrogateescape: the byte itself */
            *out++ = (char)(v & 0xFF);
            p += 6;
            continue;
        }
        memmove(out, p, 6);
        if (v >= 0xD800 && v <= 0xDFFF)
            memcpy(out + 2, "fffd", 4);
        out += 6;
        p += 6;
    }
    *out = '\0';
}

cJSON *json_parse(const char *text, int whole)
{
    if (!text)
        return NULL;
    /* most run files name no such file: parsed as they are */
    if (!strstr(text, "\\ud") && !strstr(text, "\\uD"))
        return cJSON_ParseWithOpts(text, NULL, whole);
    char *copy = strdup(text);
    if (!copy)
        return NULL;
    json_lone_surrogates(copy, 1);
    cJSON *j = cJSON_ParseWithOpts(copy, NULL, whole);
    free(copy);
    return j;
}

cJSON *read_json(const char *path) { return read_json_why(path, NULL, 0); }

cJSON *read_json_why(const char *path, char *why, size_t cap)
{
    char *text = read_text_file(path, MAX_JSON_BYTES, NULL);
    const int err = errno;
    cJSON *j = json_parse(text, 1); /* one document: more after it is a damaged file, or two run together */
    if (!j && why) {
        if (!text)
            snprintf(why, cap, "cannot read it: %s", text_file_error(err));
        else
            vox_json_fault(text, why, cap); /* (its scanner takes the lone surrogates json_parse mends) */
    }
    free(text);
    return j;
}

void summary_owner_of(const char *path, summary_owner *o)
{
    cJSON *j = vox_file_kind(path, NULL) == VOX_PATH_REGULAR ? read_json(path) : NULL;
    summary_owner_of_doc(j, o);
    cJSON_Delete(j);
}

void summary_owner_of_doc(const cJSON *j, summary_owner *o)
{
    memset(o, 0, sizeof *o);
    const cJSON *cfg = cJSON_GetObjectItem(j, "config"), *results = cJSON_GetObjectItem(j, "results"),
                *label = cJSON_GetObjectItem(cfg, "label");
    if (cJSON_IsArray(results)) {
        o->kind = SUMMARY_ANALYZE;
        o->structures = cJSON_GetArraySize(results);
    } else if (cJSON_IsNumber(cJSON_GetObjectItem(j, "frames_done")) &&
               cJSON_IsString(cJSON_GetObjectItem(cfg, "topology"))) {
        o->kind = SUMMARY_TRAJECTORY;
        o->frames_done = (long)cJSON_GetObjectItem(j, "frames_done")->valuedouble;
        if (cJSON_IsString(label))
            snprintf(o->label, sizeof o->label, "%s", label->valuestring);
        const cJSON *input = cJSON_GetObjectItem(cfg, "frames_file");
        if (cJSON_IsString(input) && strlen(input->valuestring) < sizeof o->input)
            snprintf(o->input, sizeof o->input, "%s", input->valuestring);
    }
}

/* ---- manifests ---------------------------------------------------------------- */

static void lower_id(const char *id, char out[8])
{
    size_t i = 0;
    for (; id[i] && i < 7; i++) out[i] = (char)(id[i] >= 'A' && id[i] <= 'Z' ? id[i] + 32 : id[i]);
    out[i] = '\0';
}

/* A local copy of a PDB entry: <download-dir>/<ID>.cif, then .cif.gz (either case). */
static int find_download(const run_config *c, const char *id, char *out, size_t cap)
{
    char dl[PATH_MAX];
    if (c->download_dir) snprintf(dl, sizeof dl, "%s", c->download_dir);
    else py_join(c->output_dir, "downloads", dl, sizeof dl);
    char lower[8];
    lower_id(id, lower);
    const char *names[2] = {id, lower};
    static const char *const ext[2] = {".cif", ".cif.gz"};
    char name[24];
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < 2; k++) {
            snprintf(name, sizeof name, "%.8s%s", names[k], ext[e]);
            if (py_join(dl, name, out, cap) && access(out, R_OK) == 0)
                return 1;
        }
    snprintf(name, sizeof name, "%.8s.cif", id);
    py_join(dl, name, out, cap); /* empty when too long: the message says so */
    return 0;
}

int manifest_entries(const char *text, const char *manifest_path, const run_config *c, paths *ps, char *why,
                     size_t cap)
{
    /* one document: more after it (two manifests run together by cat) is refused, as json.load does */
    cJSON *j = json_parse(text, 1);
    const cJSON *list = cJSON_GetObjectItem(j, "structures");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        char fault[200] = "cannot read it as JSON";
        if (!j && text)
            vox_json_fault(text, fault, sizeof fault);
        snprintf(why, cap, "%s", j ? "a manifest needs a non-empty \"structures\" list" : fault);
        cJSON_Delete(j);
        return 0;
    }
    /* Path(manifest).parent: its relative entries are joined to it as pathlib joins */
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s", manifest_path);
    py_path(base);
    char *slash = strrchr(base, '/');
    if (slash == base || (slash == base + 1 && base[0] == '/')) slash[1] = '\0'; /* the root's own */
    else if (slash) *slash = '\0';
    else snprintf(base, sizeof base, ".");
    int k = 0, ok = 1;
    const cJSON *it;
    cJSON_ArrayForEach(it, list) {
        k++;
        const cJSON *ip = cJSON_GetObjectItem(it, "input_path"), *id = cJSON_GetObjectItem(it, "pdb_id"),
                    *src = cJSON_GetObjectItem(it, "source"), *mem = cJSON_GetObjectItem(it, "cluster_member_pdb_ids");
        char path[PATH_MAX] = "", nid[8] = "";
        int has_id = cJSON_IsString(id) && normalize_pdb_id(id->valuestring, nid);
        int has_path = cJSON_IsString(ip) && ip->valuestring[0];
        char *error = NULL;
        if (has_path) {
            if (!py_join(base, ip->valuestring, path, sizeof path)) {
                /* cut short, it would name another file (a folder, even): refused */
                char msg[PATH_MAX + 200];
                snprintf(msg, sizeof msg, "ValueError: %s: structures[%d]: its input_path is longer than a path "
                         "may be (%d bytes), even with its ./ and // parts dropped", manifest_path, k - 1,
                         PATH_MAX - 1);
                error = strdup(msg);
                snprintf(path, sizeof path, "%s#%d", manifest_path, k - 1);
            }
        } else if (has_id) {
            if (!find_download(c, nid, path, sizeof path)) {
                char msg[PATH_MAX + 200];
                if (path[0])
                    snprintf(msg, sizeof msg, "NetworkError: %s needs downloading (no %s or .gz): vox does not use "
                             "the network; put the file in the download directory (--download-dir) and run again",
                             nid, path);
                else
                    snprintf(msg, sizeof msg, "ValueError: %s: the download directory's path, %s, is too long "
                             "(over %d bytes) to look the file up in (give a shorter --download-dir)", nid,
                             c->download_dir ? c->download_dir : "<output-dir>/downloads", PATH_MAX - 1);
                error = strdup(msg);
            }
        } else {
            char msg[PATH_MAX + 100];
            snprintf(msg, sizeof msg, "ValueError: %s: structures[%d] has neither input_path nor a valid pdb_id",
                     manifest_path, k - 1);
            error = strdup(msg);
            snprintf(path, sizeof path, "%s#%d", manifest_path, k - 1);
        }
        input *in = add_input(ps, path);
        if (!in) {
            free(error);
            ok = 0;
            snprintf(why, cap, "out of memory");
            break;
        }
        in->error = error;
        in->by_id = has_id && !has_path;
        in->unnamed = error && (has_path || !has_id) && !strncmp(path, manifest_path, strlen(manifest_path)) &&
                      path[strlen(manifest_path)] == '#';
        if (has_id) memcpy(in->pdb_id, nid, sizeof in->pdb_id);
        if (cJSON_IsString(src) && src->valuestring[0]) in->source = strdup(src->valuestring);
        else if (has_id && !has_path) {
            char lower[8];
            lower_id(nid, lower);
            in->source = strdup(lower);
        }
        if (cJSON_IsArray(mem)) in->members = cJSON_Duplicate(mem, 1);
    }
    cJSON_Delete(j);
    return ok;
}

/* ---- summaries ------------------------------------------------------------------- */

int summary_entries(const char *text, const char *only, paths *ps, vox_buf *notes, char *why, size_t cap)
{
    cJSON *j = json_parse(text, 1); /* one document: two summaries run together are refused */
    if (!cJSON_IsObject(j) || !cJSON_IsArray(cJSON_GetObjectItem(j, "results"))) {
        const size_t len = text ? strlen(text) : 0, at = text ? vox_json_first_bad_byte(text, len, NULL) : 0;
        if (!j && at < len) snprintf(why, cap, "not a run summary: not valid JSON at byte offset %zu of %zu", at, len);
        else if (!j) snprintf(why, cap, "not a run summary: %s", len ? "its JSON ends early (truncated?)" : "empty");
        else snprintf(why, cap, "not a run summary: no \"results\" list");
        cJSON_Delete(j);
        return 0;
    }
    /* a "\u0000" in a string would cut a path short at it, and another file would be analysed */
    if (strstr(text, "\\u0000")) {
        snprintf(why, cap, "not a run summary: it holds \\u0000 (a NUL) in a string, which no path holds");
        cJSON_Delete(j);
        return 0;
    }
    if (!only) only = "failed";
    const char *sections[4];
    int ns = 0;
    if (!strcmp(only, "failed") || !strcmp(only, "all")) sections[ns++] = "errors";
    if (!strcmp(only, "skipped") || !strcmp(only, "all")) sections[ns++] = "skipped";
    if (!strcmp(only, "planned") || !strcmp(only, "all")) sections[ns++] = "planned";
    if (!strcmp(only, "all")) sections[ns++] = "results";
    size_t first = ps->n;
    int ok = 1;
    for (int k = 0; k < ns && ok; k++) {
        const cJSON *it;
        int index = -1;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, sections[k])) {
            index++;
            const cJSON *src = cJSON_GetObjectItem(it, "source"), *ip = cJSON_GetObjectItem(it, "input_path");
            if (!cJSON_IsString(ip) || !ip->valuestring[0]) {
                if (notes)
                    vox_buf_printf(notes, "note: %s[%d] (%.100s) has no input path: it is not replayed\n", sections[k],
                                   index, cJSON_IsString(src) ? src->valuestring : "no label");
                continue;
            }
            int dup = 0; /* "all" is de-duplicated by (label, path) */
            for (size_t q = first; q < ps->n && !dup; q++)
                dup = !strcmp(ps->p[q].path, ip->valuestring) &&
                      !strcmp(ps->p[q].source ? ps->p[q].source : "", cJSON_IsString(src) ? src->valuestring : "");
            if (dup)
                continue;
            input *in = add_input(ps, ip->valuestring);
            if (!in) {
                ok = 0;
                break;
            }
            if (cJSON_IsString(src)) in->source = strdup(src->valuestring);
            const cJSON *mem = cJSON_GetObjectItem(it, "cluster_member_pdb_ids");
            if (cJSON_IsArray(mem)) in->members = cJSON_Duplicate(mem, 1);
        }
    }
    cJSON_Delete(j);
    return ok;
}

/* ---- checkpoints ------------------------------------------------------------------ */

/* Older schemas (volumizer's, without "schema") are migrated in memory, newer
 * ones are not trusted, and settings that differ from this run's are pointed out. */
void checkpoint_notes(const char *text, int exists, const char *path, const run_config *c, vox_buf *notes)
{
    cJSON *j = json_parse(text, 0);
    if (!j) {
        if (exists)
            vox_buf_printf(notes, "note: %s is unreadable or truncated; resuming from the outputs\n", path);
        return;
    }
    const cJSON *schema = cJSON_GetObjectItem(j, "schema"), *fmt = cJSON_GetObjectItem(j, "checkpoint_format");
    /* compared as doubles: any number may be in a damaged file */
    double version = cJSON_IsNumber(schema) ? schema->valuedouble : 0;
    if (!cJSON_IsObject(j) || !cJSON_IsNumber(fmt) || fmt->valuedouble != 1 || !(version >= 0) ||
        version > CHECKPOINT_SCHEMA || version != floor(version)) {
        vox_buf_printf(notes, "note: %s was written by a newer or unknown tool; resuming from the outputs\n", path);
        cJSON_Delete(j);
        return;
    }
    size_t done = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(j, "results")) +
                  (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(j, "skipped"));
    vox_buf_printf(notes, "resuming: %s%s lists %zu finished entries\n", path,
                   version == 0 ? " (older format, migrated)" : "", done);
    const cJSON *sig = cJSON_GetObjectItem(j, "signature");
    cJSON *now_sig = config_json(c);
    static const char *const keys[] = {"resolution", "min_voxels", "min_volume", "surface_connectivity",
                                       "merge_mouth_gap_voxels", "assembly_policy", "keep_non_protein",
                                       "box_padding", "box_types", "align", "frame_signs", "output_frame",
                                       "include_hubs", "necked_pocket_cavity"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0] && cJSON_IsObject(sig); k++) {
        const cJSON *a = cJSON_GetObjectItem(sig, keys[k]), *b = cJSON_GetObjectItem(now_sig, keys[k]);
        /* the checkpoint read back holds plain numbers (2.5, 100), this run's
         * configuration pyjson floats ("2.5", "100.0"): compared by value */
        if (a && b && !pyjson_equal(a, b)) {
            char *x = pyjson_text(a), *y = pyjson_text(b);
            /* the annotation records the resolution, the volumes JSON the padding: outputs_valid redoes the
             * structures made with another */
            if (!strcmp(keys[k], "resolution") ||
                (!strcmp(keys[k], "box_padding") && (c->exports.kinds & (EXPORT_DESCRIPTORS | EXPORT_VINA))))
                vox_buf_printf(notes, "note: %s was %.200s in the checkpoint's run and is %.200s now: the "
                                      "structures it analysed are analysed again\n", keys[k], x ? x : "?", y ? y : "?");
            else
                vox_buf_printf(notes, "warning: %s was %.200s in the checkpoint's run and is %.200s now: outputs kept "
                                      "from that run used the old setting\n", keys[k], x ? x : "?", y ? y : "?");
            free(x);
            free(y);
        }
    }
    cJSON_Delete(now_sig);
    cJSON_Delete(j);
}

/* ---- a structure's outputs ---------------------------------------------------------- */

/* An output file's JSON, nothing after it but blanks: cJSON_Parse stops at the end of the first
 * value, and a file with more after it is not what vox wrote. */
static cJSON *parse_whole(const char *text) { return json_parse(text, 1); }

/* Path(p).expanduser() of volumizer's resume check: "~" and "~/..." under
 * $HOME (else the user's home in the password file), "~user/..." under that
 * user's home; p itself otherwise, or when there is no such home. */
static const char *expand_user(const char *p, char *out, size_t cap)
{
    if (p[0] != '~')
        return p;
    const char *slash = strchr(p, '/'), *rest = slash ? slash : p + strlen(p);
    const char *home = NULL;
    if (rest == p + 1) {
        home = getenv("HOME");
        if (!home || !home[0]) {
            const struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
    } else {
        char user[256];
        snprintf(user, sizeof user, "%.*s", (int)(rest - p - 1), p + 1);
        const struct passwd *pw = getpwnam(user);
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || (size_t)snprintf(out, cap, "%s%s", home, rest) >= cap)
        return p;
    return out;
}

int annotation_volumes_typed(const cJSON *vols)
{
    int typed = cJSON_IsArray(vols);
    const cJSON *v, *listed = typed ? vols : NULL; /* (the macro does not parenthesize its argument) */
    cJSON_ArrayForEach(v, listed) {
        const cJSON *t = cJSON_GetObjectItem(v, "type");
        const int type = cJSON_IsString(t) ? exports_type_of(t->valuestring) : -1;
        typed = typed && type >= 0 && type != VOX_OCCLUDED;
    }
    return typed;
}

int annotation_valid(const char *text, const char *label, const char *cif_path, outcome *o, char *why, size_t cap)
{
    cJSON *j = text ? parse_whole(text) : NULL;
    const cJSON *src = cJSON_GetObjectItem(j, "source"), *cif = cJSON_GetObjectItem(j, "output_structure_cif"),
                *num = cJSON_GetObjectItem(j, "num_volumes"), *vols = cJSON_GetObjectItem(j, "volumes"),
                *in = cJSON_GetObjectItem(j, "input_path");
    char want[PATH_MAX], got[PATH_MAX], home[PATH_MAX];
    const char *bad = NULL;
    if (!cJSON_IsObject(j))
        bad = "not a JSON object (truncated or damaged)";
    else if (!cJSON_IsString(src) || strcmp(src->valuestring, label) != 0)
        bad = "its \"source\" is not this structure's label";
    else if (!in)
        bad = "no \"input_path\"";
    else if (!cJSON_IsString(cif) || !cif->valuestring[0] || !realpath(cif_path, want) ||
             !realpath(expand_user(cif->valuestring, home, sizeof home), got) || strcmp(want, got) != 0)
        bad = "its \"output_structure_cif\" is not this structure's CIF";
    /* the count is compared as a double: a cast of 1e300 to an integer is undefined */
    else if (!cJSON_IsNumber(num) || !cJSON_IsArray(vols) || num->valuedouble != (double)cJSON_GetArraySize(vols))
        bad = "\"num_volumes\" does not match its \"volumes\" list";
    /* untyped volumes need no box or map: a list of numbers passed, with every Vina and DX file gone */
    else if (!annotation_volumes_typed(vols))
        bad = "its \"volumes\" is not a list of typed volumes (hub, pore, pocket, cavity)";
    if (bad) {
        snprintf(why, cap, "%s", bad);
        cJSON_Delete(j);
        return 0;
    }
    memset(o, 0, sizeof *o);
    o->ok = 1;
    o->num_volumes = (size_t)cJSON_GetArraySize(vols);
    const cJSON *lt = cJSON_GetObjectItem(j, "largest_type"), *lv = cJSON_GetObjectItem(j, "largest_volume");
    static const char *const types[] = {"hub", "pore", "pocket", "cavity"};
    for (int t = 0; t < 4 && cJSON_IsString(lt); t++)
        if (!strcmp(lt->valuestring, types[t])) o->largest_type = types[t];
    o->largest_volume = cJSON_IsNumber(lv) ? lv->valuedouble : 0;
    cJSON_Delete(j);
    return 1;
}

int df_json_valid(const char *text)
{
    /* a table without rows is "{}" (volumizer's to_json of an empty frame); else columns of equal length */
    cJSON *j = text ? parse_whole(text) : NULL;
    const cJSON *first = j ? j->child : NULL, *col;
    int ok = cJSON_IsObject(j) && (!first || cJSON_IsObject(cJSON_GetObjectItem(j, "id")));
    if (ok)
        cJSON_ArrayForEach(col, j) ok = ok && cJSON_IsObject(col) && cJSON_GetArraySize(col) == cJSON_GetArraySize(first);
    cJSON_Delete(j);
    return ok;
}

/* Whether fd's bytes hold no NUL.  vox writes text only, and the outputs it
 * does not sync (README "Durability") can come back from a power loss with
 * zeroed blocks inside their full length: a NUL is such a block. */
static int no_nul_bytes(int fd)
{
    char buf[1 << 16];
    ssize_t got;
    off_t at = 0;
    while ((got = pread(fd, buf, sizeof buf, at)) > 0) {
        if (memchr(buf, 0, (size_t)got))
            return 0;
        at += got;
    }
    return got == 0;
}

int file_ends(const char *path, const char *head, const char *tail, int whole)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return 0;
    struct stat sb;
    char a[32] = "", z[32] = "";
    size_t hl = strlen(head), tl = strlen(tail);
    int ok = hl <= sizeof a && tl <= sizeof z && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
             (size_t)sb.st_size >= hl + tl &&
             pread(fd, a, hl, 0) == (ssize_t)hl && pread(fd, z, tl, sb.st_size - (off_t)tl) == (ssize_t)tl &&
             !memcmp(a, head, hl) && !memcmp(z, tail, tl) && (!whole || no_nul_bytes(fd));
    close(fd);
    return ok;
}

/* A regular file's text, refused when it holds a NUL: the parsers would stop
 * there and take a whole document followed by zeroed blocks for complete. */
static int regular_text(const char *path, char **text)
{
    *text = vox_file_kind(path, NULL) == VOX_PATH_REGULAR ? read_text_file(path, MAX_JSON_BYTES, NULL) : NULL;
    return *text != NULL;
}

/* <label>.volumes.json text: vox's volumes JSON of this label.  Its volumes
 * other than occluded groups must be the annotation's (same resolution, same
 * count), so a volumes JSON left by a run with other settings is not taken
 * for this one's.  The parsed document, or NULL. */
static cJSON *volumes_json_of(const char *text, const char *label, const cJSON *annotation)
{
    cJSON *j = text ? parse_whole(text) : NULL;
    const cJSON *fmt = cJSON_GetObjectItem(j, "format"), *src = cJSON_GetObjectItem(j, "source"),
                *res = cJSON_GetObjectItem(j, "resolution"), *vols = cJSON_GetObjectItem(j, "volumes"),
                *ares = cJSON_GetObjectItem(annotation, "resolution"),
                *avols = cJSON_GetObjectItem(annotation, "volumes"), *v;
    int ok = cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "vox-volumes") && cJSON_IsString(src) &&
             !strcmp(src->valuestring, label) && cJSON_IsArray(vols) && cJSON_IsNumber(res) && cJSON_IsNumber(ares) &&
             res->valuedouble == ares->valuedouble && cJSON_IsArray(avols);
    /* as many volumes of each type as the annotation (occluded groups are the volumes JSON's alone):
     * a count of all of them took 9 cavities for 9 pockets */
    int per_type[VOX_OCCLUDED + 1] = {0};
    const cJSON *listed = ok ? vols : NULL;
    cJSON_ArrayForEach(v, listed) {
        const cJSON *type = cJSON_GetObjectItem(v, "type");
        const int t = cJSON_IsString(type) ? exports_type_of(type->valuestring) : -1;
        ok = ok && t >= 0;
        if (t >= 0 && t != VOX_OCCLUDED)
            per_type[t]++;
    }
    listed = ok ? avols : NULL;
    cJSON_ArrayForEach(v, listed) {
        const cJSON *type = cJSON_GetObjectItem(v, "type");
        const int t = cJSON_IsString(type) ? exports_type_of(type->valuestring) : -1;
        ok = ok && t >= 0 && t != VOX_OCCLUDED;
        if (ok)
            per_type[t]--;
    }
    for (int t = 0; t < VOX_OCCLUDED; t++) ok = ok && per_type[t] == 0;
    if (!ok) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* A Vina configuration as vox writes it, read whole (it is a few lines):
 * its comment line, then center_x .. size_z, each "key = number" with a
 * finite number and nothing else, sizes not negative.  A file damaged in
 * its middle (a number overwritten) is not complete, though its head and
 * tail are.  Its comment gives the box's padding ("box of its voxels + 4 A
 * on each side", with every digit it needs): it must be padding, so that a
 * box of another --box-padding is not taken for this run's. */
static int vina_complete(const char *path, double padding)
{
    static const char *const keys[6] = {"center_x", "center_y", "center_z", "size_x", "size_y", "size_z"};
    static const char before[] = "; box of its voxels + ", after[] = " A on each side";
    char *text = NULL;
    int ok = regular_text(path, &text) && !strncmp(text, "# vox ", 6);
    const char *l = ok ? strchr(text, '\n') : NULL;
    const char *said = l ? strstr(text, before) : NULL;
    /* the padding as a number: the comment writes every digit it needs (write_vina.c) */
    char *past = NULL;
    const double was = said && said < l ? strtod(said + sizeof before - 1, &past) : NAN;
    ok = l != NULL && past && was == padding && !strncmp(past, after, sizeof after - 1);
    for (int k = 0; ok && k < 6; k++) {
        l++; /* past the line break */
        const size_t n = strlen(keys[k]);
        ok = !strncmp(l, keys[k], n) && !strncmp(l + n, " = ", 3);
        char *end = NULL;
        const double v = ok ? strtod(l + n + 3, &end) : 0.0;
        /* a decimal number, as vox writes it and Vina reads it (strtod also takes 0x10, inf) */
        const size_t digits = ok ? strspn(l + n + 3, "+-.0123456789eE") : 0;
        ok = ok && l[n + 3] != ' ' && l[n + 3] != '\t' && end != l + n + 3 && end == l + n + 3 + digits &&
             *end == '\n' && isfinite(v) && (k < 3 || v >= 0.0);
        l = end;
    }
    ok = ok && l[1] == '\0';
    free(text);
    return ok;
}

/* The Vina and DX files of the volumes listed in volumes ({"type", "id"}
 * objects) whose type --box-types asks for: with occluded set, only the
 * occluded groups' (listed by the volumes JSON), else every other type's
 * (listed by the annotation). */
static int volume_files_valid(const run_config *c, const char *label, const cJSON *volumes, int occluded, char *why,
                              size_t cap)
{
    static const unsigned per_volume[2] = {EXPORT_VINA, EXPORT_DX};
    const export_config *e = &c->exports;
    const cJSON *v;
    cJSON_ArrayForEach(v, volumes) {
        const cJSON *type = cJSON_GetObjectItem(v, "type"), *id = cJSON_GetObjectItem(v, "id");
        int t = cJSON_IsString(type) ? exports_type_of(type->valuestring) : -1;
        if (t < 0 || (t == VOX_OCCLUDED) != occluded || !(e->box_types & EXPORT_TYPE_BIT(t)))
            continue;
        /* compared as a double first: a cast of 1e300 to an integer is undefined */
        if (!cJSON_IsNumber(id) || id->valuedouble != floor(id->valuedouble) || fabs(id->valuedouble) > 1e9) {
            snprintf(why, cap, "%s/%s: a volume's id is not an integer", c->output_dir, label);
            return 0;
        }
        for (int k = 0; k < 2; k++) {
            if (!(e->kinds & per_volume[k]))
                continue;
            char path[PATH_MAX];
            int vina = per_volume[k] == EXPORT_VINA;
            if (!exports_volume_file(path, sizeof path, c->output_dir, label, (vox_volume_type)t, (int)id->valuedouble,
                                     per_volume[k]) ||
                !(vina ? vina_complete(path, e->box_padding) : file_ends(path, "# vox ", "\"data\" value 3\n", 1))) {
                snprintf(why, cap, "%s: missing, not a complete %s%s", path, vina ? "Vina configuration" : "OpenDX map",
                         vina ? ", or of another --box-padding" : "");
                return 0;
            }
        }
    }
    return 1;
}

/* --write descriptors,vina,pymol,chimerax,dx: each export the run asks for
 * exists and is complete.  Which volumes need Vina and DX files: every volume
 * of the --box-types the annotation lists (hubs, pores, pockets, cavities);
 * occluded groups are listed only in the volumes JSON, so without it they
 * cannot be counted and the structure is never taken as complete. */
static int exports_valid(const run_config *c, const char *label, const char *annotation_text, char *why, size_t cap)
{
    const export_config *e = &c->exports;
    if (!e->kinds)
        return 1;
    char path[PATH_MAX], *text = NULL;
    cJSON *annotation = json_parse(annotation_text, 0), *volumes = NULL;
    int ok = 1;
    if (e->kinds & EXPORT_DESCRIPTORS) {
        ok = exports_structure_file(path, sizeof path, c->output_dir, label, EXPORT_DESCRIPTORS) &&
             regular_text(path, &text) && (volumes = volumes_json_of(text, label, annotation)) != NULL;
        if (!ok)
            snprintf(why, cap, "%s: missing, not a complete volumes JSON, or not of the annotation's volumes", path);
        free(text);
        /* its boxes are of the padding this run asks for (a run with another --box-padding is not this one's) */
        const cJSON *pad = cJSON_GetObjectItem(volumes, "box_padding");
        if (ok && (!cJSON_IsNumber(pad) || pad->valuedouble != e->box_padding)) {
            snprintf(why, cap, "%s: its boxes have a padding of %g A, this run asks for %g A", path,
                     cJSON_IsNumber(pad) ? pad->valuedouble : NAN, e->box_padding);
            ok = 0;
        }
    }
    static const struct { unsigned kind; const char *tail, *what; } scripts[] = {
        {EXPORT_PYMOL, "zoom vox_structure\n", "PyMOL script"}, {EXPORT_CHIMERAX, "view #1\n", "ChimeraX script"}};
    for (size_t k = 0; k < 2 && ok; k++) {
        if (!(e->kinds & scripts[k].kind))
            continue;
        ok = exports_structure_file(path, sizeof path, c->output_dir, label, scripts[k].kind) &&
             file_ends(path, "# vox ", scripts[k].tail, 1);
        if (!ok)
            snprintf(why, cap, "%s: missing, or not a complete %s", path, scripts[k].what);
    }
    if (ok && (e->kinds & (EXPORT_VINA | EXPORT_DX))) {
        ok = volume_files_valid(c, label, cJSON_GetObjectItem(annotation, "volumes"), 0, why, cap);
        if (ok && (e->box_types & EXPORT_TYPE_BIT(VOX_OCCLUDED))) {
            ok = volumes && volume_files_valid(c, label, cJSON_GetObjectItem(volumes, "volumes"), 1, why, cap);
            if (!volumes)
                snprintf(why, cap, "%s/%s: the Vina/DX files of occluded groups cannot be checked: only the volumes "
                         "JSON (--write descriptors) lists the groups", c->output_dir, label);
        }
    }
    cJSON_Delete(volumes);
    cJSON_Delete(annotation);
    return ok;
}

/* Whether the annotation JSON text records resolution (volumizer writes it as the run's float):
 * outputs of another resolution are not this run's, whatever a checkpoint says.  *was: the one
 * it records (NaN: none). */
static int made_at(const char *text, double resolution, double *was)
{
    cJSON *j = parse_whole(text);
    const cJSON *res = cJSON_GetObjectItem(j, "resolution");
    *was = cJSON_IsNumber(res) ? res->valuedouble : NAN;
    cJSON_Delete(j);
    return *was == resolution;
}

/* "made at W A, another resolution than the R A of this run", the numbers as
 * Python prints them: every digit they need (%g said "made at 2 A ...
 * than the 2 A" of 2.0000001 and 2). */
static void resolution_differs(const char *json, double was, double now, char *why, size_t cap)
{
    cJSON *a = pyjson_float(was), *b = pyjson_float(now);
    char *ta = pyjson_text(a), *tb = pyjson_text(b);
    snprintf(why, cap, "%s: made at %s A, another resolution than the %s A of this run", json, ta ? ta : "?",
             tb ? tb : "?");
    free(ta);
    free(tb);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

int outputs_valid(const run_config *c, const char *label, const char *cif, const char *json, outcome *o, char *why,
                  size_t cap)
{
    char df[PATH_MAX], pdb[PATH_MAX], *text = NULL;
    snprintf(df, sizeof df, "%s/%s.df.json", c->output_dir, label);
    snprintf(pdb, sizeof pdb, "%s/%s.annotated.pdb", c->output_dir, label);
    char page[PATH_MAX + 24], name[300];
    page_name(label, name, sizeof name);
    snprintf(page, sizeof page, "%s/%s", c->output_dir, name);
    int ok = 0;
    double was;
    char sub[256] = "";
    if (!regular_text(json, &text))
        snprintf(why, cap, "%s: missing or unreadable", json);
    else if (!file_ends(cif, "data_", "#\n", 0)) /* synced: complete once renamed */
        snprintf(why, cap, "%s: missing, or not a complete annotated mmCIF", cif);
    else if (c->write_pdb && !file_ends(pdb, "", "END\n", 0))
        snprintf(why, cap, "%s: missing, or not a complete annotated PDB", pdb);
    else if (c->write_html && !file_ends(page, "<!DOCTYPE html>", "</html>\n", 1)) /* --write html (report.c) */
        snprintf(why, cap, "%s: missing, or not a complete HTML page", page);
    else if (!annotation_valid(text, label, cif, o, sub, sizeof sub))
        snprintf(why, cap, "%s: %s", json, sub);
    else if (!made_at(text, c->resolution, &was))
        resolution_differs(json, was, c->resolution, why, cap);
    else
        ok = exports_valid(c, label, text, why, cap);
    free(text);
    if (ok && c->write_df) {
        ok = regular_text(df, &text) && df_json_valid(text);
        if (!ok)
            snprintf(why, cap, "%s: missing, or not a complete data-frame table", df);
        free(text);
    }
    return ok;
}

/* ---- merging summaries ---------------------------------------------------------------- */

static const char *const merge_lists[4] = {"results", "errors", "skipped", "planned"};

void merge_begin(summary_merge *m)
{
    memset(m, 0, sizeof *m);
    for (int k = 0; k < 4; k++) m->arrays[k] = cJSON_CreateArray();
    m->from = cJSON_CreateArray();
}

/* Records the entry's label as one of input's. */
static void merge_label_add(summary_merge *m, const cJSON *entry, int input, int analysed)
{
    const char *error = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "error"));
    const char *label = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "source"));
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "input_path"));
    if (!label || m->oom)
        return;
    if (m->nlabels == m->cap) {
        const size_t cap = m->cap ? 2 * m->cap : 256;
        merge_label *v = realloc(m->labels, cap * sizeof *v);
        if (!v) {
            m->oom = 1;
            return;
        }
        m->labels = v;
        m->cap = cap;
    }
    merge_label *l = &m->labels[m->nlabels];
    l->label = strdup(label);
    l->path = strdup(path ? path : "");
    if (!l->label || !l->path) {
        free(l->label);
        free(l->path);
        m->oom = 1;
        return;
    }
    l->input = input;
    l->analysed = analysed;
    l->label_used = !analysed && error && strstr(error, LABEL_USED_ERROR) != NULL;
    m->nlabels++;
}

static void merge_labels_free(summary_merge *m)
{
    for (size_t i = 0; i < m->nlabels; i++) {
        free(m->labels[i].label);
        free(m->labels[i].path);
    }
    free(m->labels);
    m->labels = NULL;
    m->nlabels = m->cap = 0;
}

int merge_add(summary_merge *m, const cJSON *doc, const char *name)
{
    if (!cJSON_IsObject(doc) || !cJSON_IsArray(cJSON_GetObjectItem(doc, "results")))
        return 0;
    const int input = cJSON_GetArraySize(m->from);
    for (int k = 0; k < 4; k++) {
        const cJSON *a = cJSON_GetObjectItem(doc, merge_lists[k]), *it;
        if (!cJSON_IsArray(a))
            continue;
        cJSON_ArrayForEach(it, a) {
            cJSON_AddItemToArray(m->arrays[k], cJSON_Duplicate(it, 1));
            merge_label_add(m, it, input, k == 0);
        }
        m->total[k] += cJSON_GetArraySize(a);
    }
    if (!m->config && cJSON_IsObject(cJSON_GetObjectItem(doc, "config"))) {
        m->config = cJSON_Duplicate(cJSON_GetObjectItem(doc, "config"), 1);
        /* null whether or not the shard's config had them (a replace that finds no key would leak its item) */
        cJSON_DeleteItemFromObject(m->config, "num_shards");
        cJSON_DeleteItemFromObject(m->config, "shard_index");
        cJSON_AddNullToObject(m->config, "num_shards");
        cJSON_AddNullToObject(m->config, "shard_index");
    }
    cJSON_AddItemToArray(m->from, cJSON_CreateString(name));
    return 1;
}

/* By label, path, then the entries of a later input of a label first used
 * earlier after the others (so two others of one path from two inputs, a
 * summary given twice, stay neighbours), then input. */
static int label_order(const void *a, const void *b)
{
    const merge_label *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    if (!c)
        c = strcmp(x->path, y->path);
    if (!c)
        c = x->label_used - y->label_used;
    return c ? c : (x->input > y->input) - (x->input < y->input);
}

int merge_entries_once(summary_merge *m)
{
    if (m->oom) {
        fprintf(stderr, "vox merge-summaries: out of memory\n");
        return 0;
    }
    qsort(m->labels, m->nlabels, sizeof *m->labels, label_order);
    size_t twice = 0;
    /* per label (sorted together): one path in two inputs, or two inputs that both analysed it.  Two
     * inputs with one label may be two structures of one plan (4jpn.pdb, 4jpn.cif), the later failed
     * for its label; but two analysed entries of one label are one set of output files written twice
     * (one structure spelled two ways, in.pdb and /abs/in.pdb, or two structures). */
    for (size_t g = 0, end; g < m->nlabels; g = end) {
        end = g + 1;
        while (end < m->nlabels && !strcmp(m->labels[end].label, m->labels[g].label)) end++;
        const merge_label *a = NULL, *b = NULL, *analysed = NULL;
        for (size_t i = g; i < end && !a; i++) {
            const merge_label *x = &m->labels[i];
            /* (a plan listing one file twice puts it in two shards: one of them fails it for its label) */
            if (i > g && !strcmp(x[-1].path, x->path) && x[-1].input != x->input && !x[-1].label_used &&
                !x->label_used)
                a = x - 1, b = x;
            /* two analysed in different inputs: one of them is in another input than the first */
            else if (x->analysed && analysed && analysed->input != x->input)
                a = analysed, b = x;
            else if (x->analysed && !analysed)
                analysed = x;
        }
        if (!a || twice++ >= 5)
            continue;
        const char *fa = cJSON_GetStringValue(cJSON_GetArrayItem(m->from, a->input)),
                   *fb = cJSON_GetStringValue(cJSON_GetArrayItem(m->from, b->input));
        if (!strcmp(a->path, b->path))
            fprintf(stderr, "vox merge-summaries: %s is in both %s and %s (a summary given twice or copied, or two "
                    "runs over one structure): its entry would be counted twice\n", b->label, fa, fb);
        else
            fprintf(stderr, "vox merge-summaries: %s was analysed in both %s (as %s) and %s (as %s): one label's "
                    "outputs are one set of files, so one run's were written over the other's, and the structure "
                    "would be counted twice\n", a->label, fa, a->path, fb, b->path);
    }
    if (twice > 5)
        fprintf(stderr, "vox merge-summaries: ... and %zu more entries in two inputs\n", twice - 5);
    return twice == 0;
}

cJSON *merge_end(summary_merge *m)
{
    merge_labels_free(m);
    static const char *const counts[4] = {"num_processed", "num_failed", "num_skipped", "num_planned"};
    cJSON *out = cJSON_CreateObject();
    if (!out) {
        merge_abort(m);
        return NULL;
    }
    cJSON_AddItemToObject(out, "schema", pyjson_int(SUMMARY_SCHEMA));
    cJSON_AddItemToObject(out, "config", m->config ? m->config : cJSON_CreateNull());
    cJSON_AddItemToObject(out, "merged_from", m->from);
    for (int k = 0; k < 4; k++) cJSON_AddItemToObject(out, counts[k], pyjson_int(m->total[k]));
    for (int k = 0; k < 4; k++) cJSON_AddItemToObject(out, merge_lists[k], m->arrays[k]);
    memset(m, 0, sizeof *m);
    return out;
}

void merge_abort(summary_merge *m)
{
    merge_labels_free(m);
    for (int k = 0; k < 4; k++) cJSON_Delete(m->arrays[k]);
    cJSON_Delete(m->config);
    cJSON_Delete(m->from);
    memset(m, 0, sizeof *m);
}
