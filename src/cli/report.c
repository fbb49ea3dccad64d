/* report.c - the offline HTML report of the `vox` command: finding and
 * copying its assets, the page of one structure, the index of an output
 * directory, and `vox report DIR`.
 *
 * Every page is one HTML file with its data embedded as JSON; the viewer
 * (3Dmol.js, installed from npm by scripts/setup.sh) and the page's own
 * script and style sit once in DIR/vox-report/ and are referred to by a
 * relative path, so a page works from a file:// URL with no network and the
 * pages of a directory share one copy.  The templates come from
 * share/report/; their placeholders say how each value is escaped
 * (src/io/write_html.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cJSON.h>

#include "cli.h"
#include "dirlock.h"
#include "internal.h"
#include "readers.h"
#include "report.h"
#include "write_html.h"

#ifndef VOX_REPORT_DATADIR
#define VOX_REPORT_DATADIR "/usr/local/share/vox/report"
#endif

/* ---- files ------------------------------------------------------------------------- */

/* path opened for reading when it is a regular file, else NULL (errno EINVAL
 * for anything else): a FIFO, a device or a socket named like a run's file
 * would block the read, or never end. */
static FILE *open_regular(const char *path)
{
    /* O_NONBLOCK: opening a FIFO without a writer must not wait for one */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f)
        close(fd);
    return f;
}

/* The whole file (NUL-terminated), or NULL; at most max bytes. */
static char *read_all(const char *path, size_t max, size_t *len)
{
    FILE *f = open_regular(path);
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    while (b) {
        if (n == cap) {
            if (cap >= max) {
                free(b);
                b = NULL;
                errno = EFBIG; /* what the caller says of it */
                break;
            }
            cap *= 2;
            char *nb = realloc(b, cap + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (b && ferror(f)) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        if (len) *len = n;
    }
    return b;
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static const char *const TEMPLATES[] = {"page.html", "index.html", "report.js", "report.css"};

/* 1 when dir holds every template. */
static int has_templates(const char *dir)
{
    char p[PATH_MAX + 64];
    for (size_t i = 0; i < sizeof TEMPLATES / sizeof TEMPLATES[0]; i++) {
        snprintf(p, sizeof p, "%.4000s/%s", dir, TEMPLATES[i]);
        if (!is_file(p))
            return 0;
    }
    return 1;
}


/* Why a report template is not one vox writes pages from (the pages vox validate accepts start
 * and end so, and hold the data), or NULL. */
static const char *template_fault(const char *text, size_t len)
{
    static const char head[] = "<!DOCTYPE html>", tail[] = "</html>\n";
    if (len < sizeof head - 1 || memcmp(text, head, sizeof head - 1))
        return "start";
    if (len < sizeof tail - 1 || memcmp(text + len - (sizeof tail - 1), tail, sizeof tail - 1))
        return "end";
    return strstr(text, "{{json:data}}") ? NULL : "data";
}

int report_find_assets(report_assets *a, char *err, size_t cap)
{
    memset(a, 0, sizeof *a);
    char exe[PATH_MAX] = "", exe_dir[PATH_MAX] = ".";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(exe_dir, sizeof exe_dir, "%s", exe);
        }
    }
    /* candidates: (templates folder, where npm put the viewer in a build tree) */
    char cand[4][PATH_MAX], npm[PATH_MAX];
    size_t nc = 0;
    const char *env = getenv("VOX_REPORT_ASSETS");
    if (env && *env) snprintf(cand[nc++], PATH_MAX, "%.4000s", env);
    snprintf(cand[nc++], PATH_MAX, "%.4000s/share/report", exe_dir);
    snprintf(cand[nc++], PATH_MAX, "%.4000s/../share/vox/report", exe_dir);
    snprintf(cand[nc++], PATH_MAX, "%.4000s", VOX_REPORT_DATADIR);
    snprintf(npm, sizeof npm, "%.4000s/npm/node_modules/3dmol", exe_dir);
    vox_buf tried = {0};
    for (size_t i = 0; i < nc; i++) {
        char viewer[PATH_MAX + 64], lic[PATH_MAX + 64];
        vox_buf_printf(&tried, "%s%s", i ? ", " : "", cand[i]);
        if (!has_templates(cand[i])) {
            /* a folder named on purpose is not passed over for another without a word */
            if (i == 0 && env && *env) {
                snprintf(err, cap, "VOX_REPORT_ASSETS=%s: page.html, index.html, report.js and report.css are not "
                         "all there (unset it to use this vox's own report files)", env);
                vox_buf_free(&tried);
                return 0;
            }
            continue;
        }
        snprintf(viewer, sizeof viewer, "%.4000s/3Dmol-min.js", cand[i]);
        snprintf(lic, sizeof lic, "%.4000s/3Dmol-LICENSE.txt", cand[i]);
        if (!is_file(viewer) && i == (env && *env ? 1u : 0u)) { /* the build tree: the viewer where npm put it */
            snprintf(viewer, sizeof viewer, "%.4000s/build/3Dmol-min.js", npm);
            snprintf(lic, sizeof lic, "%.4000s/LICENSE", npm);
        }
        if (!is_file(viewer)) {
            vox_buf_puts(&tried, " (no 3Dmol-min.js)");
            continue;
        }
        snprintf(a->dir, sizeof a->dir, "%.4000s", cand[i]);
        snprintf(a->viewer, sizeof a->viewer, "%.4000s", viewer);
        if (is_file(lic)) snprintf(a->license, sizeof a->license, "%.4000s", lic);
        char p[PATH_MAX + 32];
        snprintf(p, sizeof p, "%s/page.html", a->dir);
        a->page = read_all(p, 1 << 20, &a->page_len);
        snprintf(p, sizeof p, "%s/index.html", a->dir);
        a->index = read_all(p, 1 << 20, &a->index_len);
        const char *bad = !a->page ? "page.html" : !a->index ? "index.html" : NULL;
        if (bad) {
            snprintf(err, cap, "cannot read the report template %s/%s: %s", a->dir, bad,
                     errno == EFBIG ? "over 1 MiB" : strerror(errno));
            report_free_assets(a);
            vox_buf_free(&tried);
            return 0;
        }
        /* pages vox's own checks (vox validate, --resume) would refuse: said now, before any
         * structure is analysed (empty templates wrote empty pages, exit 0) */
        const char *fault = template_fault(a->page, a->page_len) ? "page.html"
                            : template_fault(a->index, a->index_len) ? "index.html"
                                                                     : NULL;
        if (fault) {
            snprintf(err, cap, "the report template %s/%s is not vox's: it must start with <!DOCTYPE html>, hold "
                     "{{json:data}} and end with </html>", a->dir, fault);
            report_free_assets(a);
            vox_buf_free(&tried);
            return 0;
        }
        vox_buf_free(&tried);
        return 1;
    }
    snprintf(err, cap,
             "the HTML report's files (page.html, index.html, report.js, report.css and the 3Dmol.js viewer "
             "3Dmol-min.js) were not found in %s; run scripts/setup.sh (it installs the viewer with npm) or set "
             "VOX_REPORT_ASSETS to a folder that has them",
             tried.data ? tried.data : "");
    vox_buf_free(&tried);
    return 0;
}

void report_free_assets(report_assets *a)
{
    if (!a)
        return;
    free(a->page);
    free(a->index);
    a->page = a->index = NULL;
}

/* dst gets src's bytes unless it already has them. */
static int copy_if_different(const char *src, const char *dst, char *err, size_t cap)
{
    size_t n = 0, m = 0;
    char *data = read_all(src, (size_t)64 << 20, &n);
    if (!data) {
        snprintf(err, cap, "cannot read %s: %s", src, strerror(errno));
        return 0;
    }
    char *have = read_all(dst, n + 1, &m);
    int same = have && m == n && !memcmp(have, data, n);
    free(have);
    /* no sync: a copy that `vox report` can make again (README "Durability") */
    int ok = same || vox_write_file_atomic_why(dst, data, n, VOX_SYNC_NONE, err, cap) == VOX_OK;
    free(data);
    return ok;
}

/* The files report_install_assets puts into DIR/vox-report/: file i's name, and where its bytes
 * come from (from[cap]); 0 past the last, and for the viewer's licence when none was found. */
static int installed_asset(const report_assets *a, size_t i, const char **name, char *from, size_t cap)
{
    static const char *const names[] = {"3Dmol-min.js", "3Dmol-LICENSE.txt", "report.js", "report.css"};
    if (i >= sizeof names / sizeof names[0])
        return 0;
    *name = names[i];
    if (i == 0) snprintf(from, cap, "%s", a->viewer);
    else if (i == 1) snprintf(from, cap, "%s", a->license); /* "" when not found: not installed */
    else snprintf(from, cap, "%.4000s/%s", a->dir, names[i]);
    return 1;
}

/* What DIR/vox-report is when it is there but not a directory of its own, or
 * NULL (a directory, or missing).  A symbolic link is not followed: the
 * assets written into it and the temporaries cleaned from it would be
 * another folder's, outside the output directory. */
static const char *assets_folder_fault(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0 || S_ISDIR(sb.st_mode))
        return NULL;
    if (S_ISLNK(sb.st_mode))
        return "a symbolic link, which vox does not follow";
    const char *what;
    vox_file_kind(path, &what);
    return what;
}

int report_install_assets(const report_assets *a, const char *dir, char *err, size_t cap)
{
    char to[PATH_MAX + 64], from[PATH_MAX + 64];
    snprintf(to, sizeof to, "%s/%s", dir, REPORT_ASSET_DIR);
    const char *fault = assets_folder_fault(to);
    if (fault) {
        snprintf(err, cap, "cannot install the report's viewer, script and style into %s: it is %s, not a directory: "
                 "remove it", to, fault);
        return 0;
    }
    if (mkdir_p(to) != 0) {
        snprintf(err, cap, "cannot create %s: %s", to, strerror(errno));
        return 0;
    }
    const char *name;
    for (size_t i = 0; installed_asset(a, i, &name, from, sizeof from); i++) {
        snprintf(to, sizeof to, "%s/%s/%s", dir, REPORT_ASSET_DIR, name);
        if (from[0] && !copy_if_different(from, to, err, cap))
            return 0;
    }
    return 1;
}

/* What is wrong with a file of the folder's report that should hold want[n] (NULL: this vox's
 * copy was not found, so only that it is a non-empty text), or NULL when nothing is; *removal:
 * 1 when it must be removed before vox report can write it (not a regular file). */
static const char *asset_fault(const char *path, const char *want, size_t n, int *removal)
{
    const char *what = NULL;
    vox_path_kind kind = vox_file_kind(path, &what);
    *removal = kind != VOX_PATH_NONE && kind != VOX_PATH_REGULAR;
    if (kind == VOX_PATH_NONE)
        return "missing";
    if (*removal)
        return "not a regular file";
    size_t m = 0;
    char *have = read_all(path, want ? n + 1 : (size_t)64 << 20, &m);
    const char *fault = !have ? "cannot be read"
                        : want && (m != n || memcmp(have, want, n)) ? "not the copy this vox installs (cut short, "
                                                                      "damaged, or another version's)"
                        : m == 0                                      ? "empty"
                        : memchr(have, 0, m)                          ? "holds NUL bytes (blocks lost to a power loss)"
                                                                      : NULL;
    free(have);
    return fault;
}

/* fault's text: what is wrong, what the file is for, and how to make it again. */
static void say_fault(void (*fault)(void *, const char *, const char *), void *arg, const char *path, const char *why,
                      const char *role, int removal)
{
    char text[512];
    snprintf(text, sizeof text, "%s, and %s (%s`vox report DIR` writes it again)", why, role,
             removal ? "remove it, then " : "");
    fault(arg, path, text);
}

int report_check_files(const char *dir, void (*fault)(void *arg, const char *path, const char *why), void *arg)
{
    report_assets a;
    char err[4096], from[PATH_MAX + 64], path[PATH_MAX + 64];
    const int found = report_find_assets(&a, err, sizeof err);
    int faults = 0, removal;
    const char *name, *why;
    snprintf(path, sizeof path, "%.4000s/%s", dir, REPORT_ASSET_DIR);
    const char *what = assets_folder_fault(path);
    const vox_path_kind folder = what ? VOX_PATH_OTHER : vox_file_kind(path, NULL);
    if (folder != VOX_PATH_DIRECTORY) {
        char text[300];
        if (folder == VOX_PATH_NONE) snprintf(text, sizeof text, "missing");
        else snprintf(text, sizeof text, "not a directory (%s)", what);
        say_fault(fault, arg, path, text, "it holds the viewer, script and style of every page",
                  folder != VOX_PATH_NONE);
        faults++;
    }
    for (size_t i = 0; folder == VOX_PATH_DIRECTORY && installed_asset(&a, i, &name, from, sizeof from); i++) {
        if (i == 1) /* the viewer's licence: a text for the reader, no page loads it */
            continue;
        size_t n = 0;
        char *want = found ? read_all(from, (size_t)64 << 20, &n) : NULL;
        snprintf(path, sizeof path, "%.4000s/%s/%s", dir, REPORT_ASSET_DIR, name);
        if ((why = asset_fault(path, want, n, &removal)))
            say_fault(fault, arg, path, why, "every page loads it", removal), faults++;
        free(want);
    }
    snprintf(path, sizeof path, "%.4000s/index.html", dir);
    const vox_path_kind index = vox_file_kind(path, NULL);
    why = index == VOX_PATH_NONE                                   ? "missing"
          : index != VOX_PATH_REGULAR                              ? "not a regular file"
          : !file_ends(path, "<!DOCTYPE html>", "</html>\n", 1) ? "not whole (cut short, or NUL bytes)"
                                                                  : NULL;
    if (why)
        say_fault(fault, arg, path, why, "it is the folder's index of its pages",
                  index != VOX_PATH_NONE && index != VOX_PATH_REGULAR), faults++;
    report_free_assets(&a); /* (report_find_assets left it empty when it found none) */
    return faults;
}

int report_begin_run(report_assets *a, const char *dir, const char *who)
{
    char err[4096];
    if (!report_find_assets(a, err, sizeof err)) {
        fprintf(stderr, "%s: --write html: %s\n", who, err);
        return 0;
    }
    if (!report_install_assets(a, dir, err, sizeof err)) {
        fprintf(stderr, "%s: --write html: %s\n", who, err);
        report_free_assets(a);
        return 0;
    }
    return 1;
}

int report_end_run(const report_assets *a, const char *dir, const char *who)
{
    char err[4096];
    /* a file of the folder that cannot be read is warned of, not a failure of this run */
    if (report_write_index(a, dir, who, NULL, err, sizeof err))
        return 1;
    fprintf(stderr, "%s: %s\n", who, err);
    return 0;
}

/* ---- the title of a structure file ----------------------------------------------------- */

static void trim_append(char *out, size_t cap, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    size_t have = strlen(out);
    if (!n || have + 2 >= cap)
        return;
    snprintf(out + have, cap - have, "%s%.*s", have ? " " : "", (int)n, s);
}

/* An mmCIF value on its line: blanks around it dropped (a wwPDB file's
 * line may end in one), then its quotes. */
static void append_value(char *out, size_t cap, const char *v)
{
    size_t vl = strlen(v);
    while (vl && isspace((unsigned char)*v)) v++, vl--;
    while (vl && isspace((unsigned char)v[vl - 1])) vl--;
    if (vl >= 2 && (v[0] == '\'' || v[0] == '"') && v[vl - 1] == v[0])
        trim_append(out, cap, v + 1, vl - 2);
    else
        trim_append(out, cap, v, vl);
}

void report_read_title(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    /* a regular file only: a FIFO or a pipe (/dev/stdin) was read once, by
     * the loader, and opening it again would wait for a writer for ever */
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return;
    gzFile f = gzopen(path, "rb"); /* plain files read through too */
    if (!f)
        return;
    char line[4096];
    int in_text = 0, want_value = 0;
    /* the title is near the top: PDB TITLE records come before the atoms, and
     * mmCIF's _struct category before _atom_site; a bounded number of lines */
    for (int k = 0; k < 20000 && gzgets(f, line, sizeof line); k++) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (in_text) { /* an mmCIF text field: ;...; */
            if (line[0] == ';')
                break;
            trim_append(out, cap, line, n);
            continue;
        }
        if (want_value) {
            if (line[0] == ';') {
                in_text = 1;
                trim_append(out, cap, line + 1, n - 1);
                continue;
            }
            append_value(out, cap, line);
            break;
        }
        if (!strncmp(line, "TITLE ", 6)) {
            trim_append(out, cap, n > 10 ? line + 10 : "", n > 10 ? (n > 80 ? 70 : n - 10) : 0);
            continue;
        }
        if (!strncmp(line, "ATOM  ", 6) || !strncmp(line, "HETATM", 6) || !strncmp(line, "MODEL ", 6) ||
            !strncmp(line, "_atom_site.", 11))
            break;
        if (!strncmp(line, "_struct.title", 13) && (isspace((unsigned char)line[13]) || !line[13])) {
            char *v = line + 13;
            while (isspace((unsigned char)*v)) v++;
            if (!*v) {
                want_value = 1;
                continue;
            }
            append_value(out, cap, v);
            break;
        }
    }
    gzclose(f);
    if (!strcmp(out, "?") || !strcmp(out, "."))
        out[0] = '\0';
}

/* ---- a structure page ------------------------------------------------------------------------ */

void report_page_path(const char *dir, const char *label, char *out, size_t cap)
{
    char name[300];
    page_name(label, name, sizeof name);
    snprintf(out, cap, "%s/%s", dir, name);
}

int report_remove_page(const char *dir, const char *label)
{
    char p[PATH_MAX];
    report_page_path(dir, label, p, sizeof p);
    struct stat sb;
    return lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) && unlink(p) == 0;
}

vox_status report_structure_page(vox_ctx *ctx, const report_assets *a, const char *dir, const char *label,
                                 const char *input, const vox_structure *s, const vox_result *r, int include_hubs,
                                 staged_set *set)
{
    char title[1024], path[PATH_MAX], res[64], subtitle[1400];
    report_read_title(input, title, sizeof title);
    vox_html_info info = {label, title, input, include_hubs};
    vox_buf data = {0}, page = {0};
    vox_status st = vox_html_structure_data(ctx, s, r, &info, &data);
    if (st == VOX_OK) {
        double resolution;
        int dims[3];
        vox_result_grid(r, dims, &resolution);
        snprintf(res, sizeof res, "%g", resolution);
        snprintf(subtitle, sizeof subtitle, "%s", title);
        char heading[400];
        snprintf(heading, sizeof heading, "%s", label);
        char page_title[400];
        snprintf(page_title, sizeof page_title, "%s - vox", label);
        const vox_html_field fields[] = {{"title", page_title}, {"heading", heading}, {"subtitle", subtitle},
                                         {"kind", "structure"}, {"version", vox_version()}, {"data", data.data}};
        st = vox_html_fill(ctx, "page.html", a->page, a->page_len, fields, sizeof fields / sizeof fields[0], &page);
    }
    if (st == VOX_OK) {
        report_page_path(dir, label, path, sizeof path);
        /* no sync of its own, as the exports: --resume checks the page (README "Durability") */
        char err[PATH_MAX + 256];
        if (!staged_write(set, path, page.data, page.len, VOX_SYNC_NONE, err, sizeof err))
            st = vox_fail(ctx, VOX_E_IO, "%s", err);
    }
    vox_buf_free(&data);
    vox_buf_free(&page);
    return st;
}

/* ---- the index of an output directory ------------------------------------------------------------ */

/* What the index says of a structure.  The rows come from the run summaries
 * and checkpoints in the folder, one per entry, whatever its label: a batch
 * where two inputs share a label (the second fails) has a row for each.  For
 * each label the newest of those files that names it decides, so a later run
 * outweighs an earlier run's leftover summary.  <label>.annotation.json gives
 * the volumes of the entry that made it: the label's analysed entry, or one
 * the run skipped (--resume kept its outputs) or has yet to do; never one that
 * failed or that --max-memory skipped (not analysed: any outputs are an
 * earlier run's), so it is shown as such and its row does not link a page an
 * earlier run left.  An annotation file no summary names (a folder whose
 * summaries are gone) is a row of its own, done. */
typedef struct row {
    char label[256];
    int status;          /* 0 done, 1 failed, 2 skipped, 3 planned */
    char *input, *error, *largest_type;
    double largest_volume;
    int has_largest;
    long counts[4];      /* hub pore pocket cavity; -1 unknown (a result without its annotation file) */
    long volumes;        /* -1 unknown */
    int taken;           /* an annotation row given to a summary entry */
    int not_analysed;    /* skipped by --max-memory: its outputs are not this run's (as vox validate reads it) */
    size_t file, order;  /* a summary entry: its file's rank (newer higher) and its place there */
} row;

typedef struct rows {
    row *r;
    size_t n, cap;
} rows;

static row *new_row(rows *rs, const char *label, int status)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 64;
        row *nr = realloc(rs->r, cap * sizeof *nr);
        if (!nr)
            return NULL;
        rs->r = nr;
        rs->cap = cap;
    }
    row *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->label, sizeof r->label, "%s", label);
    r->status = status;
    return r;
}

static void free_rows(rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->r[i].input), free(rs->r[i].error), free(rs->r[i].largest_type);
    }
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

static int by_label(const void *a, const void *b)
{
    return strcmp(((const row *)a)->label, ((const row *)b)->label);
}

/* by label, the newest file first, then in the file's order */
static int by_label_newest(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    if (c)
        return c;
    if (x->file != y->file)
        return x->file > y->file ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* the index's order: by label, then as the deciding file lists them */
static int by_label_order(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

static char *dup_str(const cJSON *j)
{
    return cJSON_IsString(j) ? strdup(j->valuestring) : NULL;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && !strcmp(s + n - m, suffix);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Who writes the index, and how many of the run's files it could not read. */
typedef struct index_log {
    const char *who;
    int unreadable;
} index_log;

#define RUN_FILE_MAX ((size_t)256 << 20)
/* An annotation JSON lists volumes only (a 60-mer's at 1 Å is under a megabyte); a parsed file
 * takes some 40 times its size, so a larger one is refused rather than read. */
#define ANNOTATION_FILE_MAX ((size_t)16 << 20)

/* The JSON object in dir/name, lone surrogates mended; NULL, after a warning
 * naming the file and what is wrong with it, when there is none: a damaged
 * or truncated file must not just shorten the index without a word. */
static cJSON *load_run_file(const char *dir, const char *name, index_log *log, size_t max)
{
    char p[PATH_MAX + 300], why[160];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    errno = 0;
    size_t len = 0;
    char *text = read_all(p, max, &len);
    cJSON *j = NULL;
    if (!text) {
        if (errno == EINVAL) snprintf(why, sizeof why, "not a regular file");
        else if (errno) snprintf(why, sizeof why, "cannot be read (%s)", strerror(errno));
        else snprintf(why, sizeof why, "larger than %zu MB", max >> 20);
    } else {
        json_lone_surrogates(text, 0); /* shown, not matched: U+FFFD */
        j = cJSON_Parse(text);
        if (!j) {
            size_t at = vox_json_first_bad_byte(text, len, NULL);
            if (!len) snprintf(why, sizeof why, "empty (0 bytes), not JSON");
            else if (at >= len) snprintf(why, sizeof why, "not valid JSON: it ends early, at byte %zu (truncated?)", len);
            else snprintf(why, sizeof why, "not valid JSON at byte offset %zu of %zu", at, len);
        } else if (!cJSON_IsObject(j)) {
            snprintf(why, sizeof why, "not a JSON object");
            cJSON_Delete(j);
            j = NULL;
        }
    }
    free(text);
    if (!j) {
        fprintf(stderr, "%s: warning: %s: %s; its entries are left out of the index\n", log->who, p, why);
        log->unreadable++;
    }
    return j;
}

static void add_annotation(rows *rs, const char *dir, const char *name, index_log *log)
{
    cJSON *j = load_run_file(dir, name, log, ANNOTATION_FILE_MAX);
    char label[256];
    snprintf(label, sizeof label, "%.*s", (int)(strlen(name) - strlen(".annotation.json")), name);
    /* vox analyze's annotation: "volumes" a list of volumes with a known type (any JSON object
     * was a finished structure, "volumes": [1, 2, 3] five volumes of no type) */
    if (j && !annotation_volumes_typed(cJSON_GetObjectItem(j, "volumes"))) {
        fprintf(stderr, "%s: warning: %s/%s: not an annotation of vox analyze (its \"volumes\" is not a list of "
                        "typed volumes); its entries are left out of the index\n", log->who, dir, name);
        log->unreadable++;
        cJSON_Delete(j);
        j = NULL;
    }
    row *r = cJSON_IsObject(j) ? new_row(rs, label, 0) : NULL;
    if (r) {
        r->input = dup_str(cJSON_GetObjectItem(j, "input_path"));
        const cJSON *lt = cJSON_GetObjectItem(j, "largest_type"), *lv = cJSON_GetObjectItem(j, "largest_volume");
        r->largest_type = dup_str(lt);
        r->has_largest = cJSON_IsNumber(lv);
        r->largest_volume = r->has_largest ? lv->valuedouble : 0;
        static const char *const types[4] = {"hub", "pore", "pocket", "cavity"};
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(j, "volumes")) {
            const cJSON *t = cJSON_GetObjectItem(v, "type");
            for (int k = 0; k < 4 && cJSON_IsString(t); k++)
                if (!strcmp(t->valuestring, types[k])) r->counts[k]++;
            r->volumes++;
        }
    }
    cJSON_Delete(j);
}

/* Every entry of a run summary or checkpoint: analysed (results), failed
 * (errors), skipped, planned; file is the file's rank. */
static void add_summary(rows *rs, const char *dir, const char *name, size_t file, index_log *log)
{
    cJSON *j = load_run_file(dir, name, log, RUN_FILE_MAX);
    static const char *const lists[4] = {"results", "errors", "skipped", "planned"};
    size_t order = 0;
    for (int k = 0; k < 4 && cJSON_IsObject(j); k++) {
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, lists[k])) {
            const cJSON *src = cJSON_GetObjectItem(e, "source");
            row *r = cJSON_IsString(src) ? new_row(rs, src->valuestring, k) : NULL;
            if (!r)
                continue;
            r->file = file;
            r->order = order++;
            r->input = dup_str(cJSON_GetObjectItem(e, "input_path"));
            r->error = k ? dup_str(cJSON_GetObjectItem(e, "error")) : NULL;
            const cJSON *reason = cJSON_GetObjectItem(e, "reason");
            if (k == 2 && cJSON_IsString(reason) && !strcmp(reason->valuestring, "over_max_memory")) {
                /* skipped without being analysed (--max-memory): its reason is the row's error */
                const cJSON *detail = cJSON_GetObjectItem(e, "detail");
                const char *why = cJSON_IsString(detail) ? detail->valuestring : reason->valuestring;
                r->not_analysed = 1;
                free(r->error);
                r->error = malloc(strlen(why) + 32);
                if (r->error)
                    sprintf(r->error, "skipped: %s", why);
            }
            if (k == 0) { /* the summary's own figures, for a result whose annotation file is gone */
                const cJSON *nv = cJSON_GetObjectItem(e, "num_volumes"), *lv = cJSON_GetObjectItem(e, "largest_volume");
                r->largest_type = dup_str(cJSON_GetObjectItem(e, "largest_type"));
                r->has_largest = cJSON_IsNumber(lv);
                r->largest_volume = r->has_largest ? lv->valuedouble : 0;
                r->volumes = cJSON_IsNumber(nv) ? (long)nv->valuedouble : -1;
                for (int t = 0; t < 4; t++) r->counts[t] = -1;
            }
        }
    }
    cJSON_Delete(j);
}

/* Gives entry e the volumes of the annotation row a (which it takes). */
static void take_annotation(row *e, row *a)
{
    e->status = 0;
    free(e->error);
    e->error = NULL;
    free(e->largest_type);
    e->largest_type = a->largest_type;
    a->largest_type = NULL;
    if (!e->input) {
        e->input = a->input;
        a->input = NULL;
    }
    e->has_largest = a->has_largest;
    e->largest_volume = a->largest_volume;
    memcpy(e->counts, a->counts, sizeof e->counts);
    e->volumes = a->volumes;
    a->taken = 1;
}

/* The summaries and checkpoints oldest first, as vox validate ranks them (run_record_older). */
static int by_age(const void *a, const void *b) { return run_record_older(a, b); }

/* The index's rows from the files of dir (names: the summaries, checkpoints
 * and annotation files there, sorted), as the comment on struct row says. */
static void index_rows(rows *out, const char *dir, char **names, size_t nn, index_log *log)
{
    rows ann = {0}, ent = {0};
    for (size_t i = 0; i < nn; i++)
        if (names[i] && has_suffix(names[i], ".annotation.json"))
            add_annotation(&ann, dir, names[i], log);
    run_record_rank *sf = calloc(nn ? nn : 1, sizeof *sf);
    size_t ns = 0;
    for (size_t i = 0; sf && i < nn; i++) {
        /* every shard's checkpoint, not only run.checkpoint.json: a shard killed (or still running)
         * before its summary is written is known by its checkpoint alone */
        int ckpt = names[i] && run_record_name(names[i], "checkpoint");
        if (!names[i] || (!ckpt && !has_suffix(names[i], "summary.json")))
            continue;
        char p[PATH_MAX + 300];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (stat(p, &sb) != 0)
            continue;
        sf[ns].name = names[i];
        sf[ns].mtime = sb.st_mtim;
        sf[ns].kind = run_record_kind(names[i]);
        ns++;
    }
    if (ns) qsort(sf, ns, sizeof *sf, by_age);
    for (size_t i = 0; i < ns; i++) add_summary(&ent, dir, sf[i].name, i, log);
    free(sf);
    if (ann.n) qsort(ann.r, ann.n, sizeof *ann.r, by_label);
    if (ent.n) qsort(ent.r, ent.n, sizeof *ent.r, by_label_newest);
    /* per label: the entries of the newest file naming it, then its annotation */
    for (size_t i = 0, j; i < ent.n; i = j) {
        for (j = i + 1; j < ent.n && !strcmp(ent.r[j].label, ent.r[i].label); j++) {}
        size_t keep = i;
        while (keep < j && ent.r[keep].file == ent.r[i].file) keep++;
        row key;
        snprintf(key.label, sizeof key.label, "%s", ent.r[i].label);
        row *a = ann.n ? bsearch(&key, ann.r, ann.n, sizeof *ann.r, by_label) : NULL;
        /* the analysed entry first, then one skipped or planned (its outputs are kept) */
        for (int pass = 0; pass < 2 && a && !a->taken; pass++)
            for (size_t k = i; k < keep && !a->taken; k++)
                if (pass == 0 ? ent.r[k].status == 0 : ent.r[k].status >= 2 && !ent.r[k].not_analysed)
                    take_annotation(&ent.r[k], a);
        if (a)
            a->taken = 1; /* named by a newer run that did not make it (it failed): not a row of its own */
        for (size_t k = i; k < keep; k++) {
            row *r = new_row(out, "", 0);
            if (!r)
                break;
            *r = ent.r[k];
            memset(&ent.r[k], 0, sizeof ent.r[k]); /* its strings moved */
        }
    }
    for (size_t i = 0; i < ann.n; i++) {
        if (ann.r[i].taken)
            continue;
        row *r = new_row(out, "", 0);
        if (!r)
            break;
        *r = ann.r[i];
        memset(&ann.r[i], 0, sizeof ann.r[i]);
    }
    free_rows(&ann);
    free_rows(&ent);
    if (out->n) qsort(out->r, out->n, sizeof *out->r, by_label_order);
}

/* The rows of a trajectory's CSV file (lines after the header). */
/* Why path is not a frames table vox trajectory wrote (not a regular file, empty, another
 * first line), or NULL when it is one. */
static const char *frames_csv_fault(const char *path)
{
    FILE *f = open_regular(path);
    if (!f)
        return errno == EINVAL ? "not a regular file" : strerror(errno);
    const size_t n = strlen(frames_csv_header);
    char head[256];
    const size_t got = fread(head, 1, n < sizeof head ? n : sizeof head, f);
    fclose(f);
    if (got == 0)
        return "empty";
    return got == n && !memcmp(head, frames_csv_header, n) ? NULL
                                                           : "not a frames table of vox trajectory (another first line)";
}

static long count_rows(const char *path)
{
    FILE *f = open_regular(path);
    long lines = 0;
    for (int c, at_start = 1; f && (c = getc(f)) != EOF; at_start = c == '\n')
        lines += at_start;
    if (f)
        fclose(f);
    return lines > 0 ? lines - 1 : 0;
}


static const char *const STATUS[4] = {"done", "failed", "skipped", "planned"};

int report_write_index(const report_assets *a, const char *dir, const char *who, int *unreadable, char *err,
                       size_t cap)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, cap, "cannot read the directory %s: %s", dir, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t nn = 0, ncap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *s = de->d_name;
        if (!has_suffix(s, ".annotation.json") && !has_suffix(s, "summary.json") && !run_record_name(s, "checkpoint") &&
            !has_suffix(s, ".frames.csv"))
            continue;
        if (nn == ncap) {
            ncap = ncap ? 2 * ncap : 256;
            char **nb = realloc(names, ncap * sizeof *names);
            if (!nb) break;
            names = nb;
        }
        names[nn++] = strdup(s);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, by_name);
    rows rs = {0};
    index_log log = {who, 0};
    index_rows(&rs, dir, names, nn, &log);
    if (unreadable)
        *unreadable = log.unreadable;
    vox_buf b = {0};
    vox_buf_puts(&b, "{\"kind\":\"index\",\"version\":");
    vox_html_json_string(&b, vox_version());
    vox_buf_puts(&b, ",\"dir\":");
    vox_html_json_string(&b, dir);
    vox_buf_puts(&b, ",\"structures\":[");
    size_t shown = 0;
    for (size_t i = 0; i < rs.n; i++) {
        row *r = &rs.r[i];
        char page[PATH_MAX + 300];
        report_page_path(dir, r->label, page, sizeof page);
        /* only a structure done links its page: the label's page is not a
         * failed, skipped or planned entry's (it may be an earlier run's, or
         * the other input's of a label collision); a label vox never makes,
         * one with a slash (a hand-edited summary), would link a page
         * outside the folder */
        int linked = r->status == 0 && !strchr(r->label, '/') && is_file(page);
        vox_buf_puts(&b, shown++ ? ",{\"label\":" : "{\"label\":");
        vox_html_json_string(&b, r->label);
        vox_buf_printf(&b, ",\"status\":\"%s\",\"page\":%s,", STATUS[r->status], linked ? "true" : "false");
        if (linked) { /* the page's file name: the index links it */
            char name[300];
            page_name(r->label, name, sizeof name);
            vox_buf_puts(&b, "\"href\":");
            vox_html_json_string(&b, name);
            vox_buf_puts(&b, ",");
        }
        vox_buf_puts(&b, "\"input\":");
        vox_html_json_string(&b, r->input);
        if (r->status == 0) {
            static const char *const types[4] = {"hub", "pore", "pocket", "cavity"};
            if (r->volumes >= 0) vox_buf_printf(&b, ",\"volumes\":%ld", r->volumes);
            else vox_buf_puts(&b, ",\"volumes\":null");
            for (int t = 0; t < 4; t++) {
                if (r->counts[t] >= 0) vox_buf_printf(&b, ",\"%s\":%ld", types[t], r->counts[t]);
                else vox_buf_printf(&b, ",\"%s\":null", types[t]);
            }
            vox_buf_puts(&b, ",\"largest_type\":");
            if (r->largest_type) vox_html_json_string(&b, r->largest_type);
            else vox_buf_puts(&b, "null");
            if (r->has_largest && isfinite(r->largest_volume)) vox_buf_printf(&b, ",\"largest_volume\":%.17g", r->largest_volume);
            else vox_buf_puts(&b, ",\"largest_volume\":null");
        }
        if (r->error) {
            vox_buf_puts(&b, ",\"error\":");
            vox_html_json_string(&b, r->error);
        }
        vox_buf_putc(&b, '}');
    }
    vox_buf_puts(&b, "],\"trajectories\":[");
    shown = 0;
    /* a trajectory's frames: its run's (frames.csv cannot tell: a frame without volumes has no
     * row there), known when the folder's summary is that trajectory's */
    char summary_path[PATH_MAX + 32];
    snprintf(summary_path, sizeof summary_path, "%s/run.summary.json", dir);
    summary_owner owner;
    summary_owner_of(summary_path, &owner);
    for (size_t i = 0; i < nn; i++) {
        if (!names[i] || !has_suffix(names[i], ".frames.csv")) continue;
        char label[256], p[PATH_MAX + 600];
        snprintf(label, sizeof label, "%.*s", (int)(strlen(names[i]) - strlen(".frames.csv")), names[i]);
        long ntracks = 0;
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        const char *fault = frames_csv_fault(p);
        if (fault) { /* as an unreadable annotation: named, left out, exit 1 */
            fprintf(stderr, "%s: warning: %s: %s; it is left out of the index\n", who, p, fault);
            if (unreadable)
                (*unreadable)++;
            continue;
        }
        const long nrows = count_rows(p);
        const long frames = owner.kind == SUMMARY_TRAJECTORY && !strcmp(owner.label, label) ? owner.frames_done : -1;
        snprintf(p, sizeof p, "%s/%s.tracks.csv", dir, label);
        int has_tracks = is_file(p);
        if (has_tracks) {
            long tr = 0;
            FILE *f = open_regular(p);
            char line[512];
            while (f && fgets(line, sizeof line, f)) tr++;
            if (f) fclose(f);
            ntracks = tr > 0 ? tr - 1 : 0;
        }
        snprintf(p, sizeof p, "%s/%s.trajectory.html", dir, label);
        vox_buf_puts(&b, shown++ ? ",{\"label\":" : "{\"label\":");
        vox_html_json_string(&b, label);
        if (frames >= 0) vox_buf_printf(&b, ",\"frames\":%ld", frames);
        else vox_buf_puts(&b, ",\"frames\":null");
        vox_buf_printf(&b, ",\"rows\":%ld,\"tracks\":", nrows);
        if (has_tracks) vox_buf_printf(&b, "%ld", ntracks);
        else vox_buf_puts(&b, "null");
        vox_buf_printf(&b, ",\"page\":%s}", is_file(p) ? "true" : "false");
    }
    vox_buf_puts(&b, "]}");
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
    free_rows(&rs);
    int ok = !b.oom;
    vox_buf page = {0};
    if (!ok) {
        snprintf(err, cap, "out of memory for the index of %s", dir);
    } else {
        /* the directory's own name, for the heading */
        char heading[512];
        const char *base = dir + strlen(dir);
        while (base > dir && base[-1] == '/') base--;
        const char *end = base;
        while (base > dir && base[-1] != '/') base--;
        snprintf(heading, sizeof heading, "%.*s", (int)(end - base), base);
        if (!heading[0]) snprintf(heading, sizeof heading, "%s", dir);
        const vox_html_field fields[] = {{"title", heading}, {"heading", heading}, {"subtitle", dir},
                                         {"kind", "index"}, {"version", vox_version()}, {"data", b.data}};
        vox_ctx *none = NULL;
        ok = vox_html_fill(none, "index.html", a->index, a->index_len, fields, sizeof fields / sizeof fields[0], &page) ==
             VOX_OK;
        if (!ok) {
            snprintf(err, cap, "index.html: a placeholder is not known (the report templates in %s are damaged)", a->dir);
        } else {
            char path[PATH_MAX + 32];
            snprintf(path, sizeof path, "%s/index.html", dir);
            /* no sync: the index is made again from the folder by `vox report` */
            ok = vox_write_file_atomic_why(path, page.data, page.len, VOX_SYNC_NONE, err, cap) == VOX_OK;
        }
    }
    vox_buf_free(&b);
    vox_buf_free(&page);
    return ok;
}

/* ---- vox report DIR ------------------------------------------------------------------------------- */

void report_remove_dead_temporaries(const char *dir)
{
    static const char *const pages[] = {".html"};
    remove_dead_temporaries(dir, NULL, pages, 1);
    char assets[PATH_MAX];
    if (snprintf(assets, sizeof assets, "%s/%s", dir, REPORT_ASSET_DIR) < (int)sizeof assets &&
        !assets_folder_fault(assets)) /* never through a link to another folder */
        remove_dead_temporaries(assets, NULL, NULL, 0);
}

/* Whether dir holds a file that report_write_index makes a row of. */
static int holds_a_run(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int found = 0;
    while (d && !found && (de = readdir(d))) {
        char p[PATH_MAX + 300];
        found = (has_suffix(de->d_name, ".annotation.json") || has_suffix(de->d_name, "summary.json") ||
                 run_record_name(de->d_name, "checkpoint") || has_suffix(de->d_name, ".frames.csv")) &&
                snprintf(p, sizeof p, "%s/%s", dir, de->d_name) < (int)sizeof p &&
                vox_file_kind(p, NULL) != VOX_PATH_DIRECTORY; /* a folder named like one is no run's file */
    }
    if (d)
        closedir(d);
    return found;
}

int cmd_report(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: vox report DIR\n\n"
               "(Re)builds DIR/index.html from the files already in DIR: one row per entry of the run\n"
               "summaries and checkpoints there (run.checkpoint.json and every shard's, so a shard killed\n"
               "before its summary still counts; for each label, the newest file naming it decides), and per\n"
               "<label>.annotation.json no summary names, with its status, largest type and volume, counts\n"
               "per type and, when it is done, a link to its page (<label>.html, written by vox analyze\n"
               "--write html); a structure that failed has its error and no link, even where an earlier\n"
               "run's page is still in DIR.  One row per trajectory\n"
               "(<label>.frames.csv; page <label>.trajectory.html).  It also puts the viewer and the page\n"
               "script into DIR/vox-report/.  Works after a batch, a --resume or shards merged into one\n"
               "directory.  The pages open from a file:// URL with no network.\n");
        return 0;
    }
    /* "--" ends the options: vox report -- -out (a folder named -out) */
    const int after_dashes = argc == 3 && !strcmp(argv[1], "--");
    if (!(argc == 2 && argv[1][0] != '-') && !after_dashes) {
        fprintf(stderr, "usage: vox report DIR (see vox report --help; vox report -- DIR for a DIR starting with '-')\n");
        return 2;
    }
    const char *dir = argv[after_dashes ? 2 : 1];
    struct stat sb;
    if (!*dir) {
        fprintf(stderr, "vox report: the directory given is an empty string\n");
        return 2;
    }
    if (stat(dir, &sb) != 0) {
        fprintf(stderr, "vox report: '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        const char *what;
        vox_file_kind(dir, &what);
        fprintf(stderr, "vox report: '%s' is %s, not a directory\n", dir, what);
        return 1;
    }
    /* a folder without a run of vox is not written into (vox report ~ by
     * mistake must not leave an index and a viewer in one's home) */
    if (!holds_a_run(dir)) {
        fprintf(stderr, "vox report: %s holds no run of vox analyze or vox trajectory (no run.summary.json, run "
                        "checkpoint, <label>.annotation.json or <label>.frames.csv): nothing written\n", dir);
        return 1;
    }
    report_assets a;
    char err[4096];
    if (!report_find_assets(&a, err, sizeof err)) {
        fprintf(stderr, "vox report: %s\n", err);
        return 1;
    }
    /* Temporaries are removed only when no run holds dir; then the lock is kept shared while the
     * index is written (shards may start, each removing nothing while it is held: dirlock.c), so
     * no run can take this one's temporaries for a dead run's.  A run that holds dir is not waited
     * for: the index shows the run as its files stand now (its end writes index.html again). */
    char why[1024], holder[512] = "";
    int lock = dirlock_take(dir, 0, "report", why, sizeof why);
    if (lock >= 0) {
        report_remove_dead_temporaries(dir);
        (void)flock(lock, LOCK_SH); /* if it fails, the lock stays exclusive: nothing lost */
    } else if (dirlock_held(dir, holder, sizeof holder)) {
        fprintf(stderr, "vox report: note: a run is writing to %s now (%s): the index shows it as it stands, and "
                        "no temporary file is removed\n", dir, holder);
    } else { /* a lock file vox cannot use (a link, a FIFO, a directory): said, as vox analyze says it */
        fprintf(stderr, "vox report: warning: %s; the index is written without the folder's lock, and no temporary "
                        "file is removed\n", why);
    }
    int unreadable = 0;
    int ok = report_install_assets(&a, dir, err, sizeof err) &&
             report_write_index(&a, dir, "vox report", &unreadable, err, sizeof err);
    report_free_assets(&a);
    if (!ok) {
        fprintf(stderr, "vox report: %s\n", err);
        return 1;
    }
    printf("%s/index.html\n", dir);
    /* the index is written, but it is not the whole run: say so in the exit status too */
    if (unreadable) {
        fprintf(stderr, "vox report: %s/index.html written without the %d file%s above\n", dir, unreadable,
                unreadable == 1 ? "" : "s");
        return 1;
    }
    return 0;
}
