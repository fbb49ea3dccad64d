/* classify.c - topology of a buried component (ALGORITHM.md §9) and the neck rules (§10)
 *
 * Set membership is one byte of flag bits per grid voxel, one bit per set.
 * Every set used here is a subset of the component Q, so a set is emptied
 * by clearing its bit over Q (or over the list that filled it): the cost per
 * component is proportional to its size, never to the grid (volumizer
 * rebuilds Python sets of the whole first shell for every group), and the
 * grid costs one byte per voxel instead of a word per set.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"

enum { S_D = 1, S_SUPPORT = 2, S_COMP = 4, S_A = 8, S_B = 16, S_VISIT = 32, S_SHELL = 64, S_UNION = 128 };

typedef struct vlist {
    uint32_t *v;
    size_t n, cap;
} vlist;

struct vox_classifier {
    const uint8_t *state;
    const int32_t *labels;
    int dims[3];
    size_t sx, sy, total;
    vox_connectivity mode;
    int gap, refine;
    uint8_t *flags;            /* S_* bits per voxel; all clear between components */
    const uint32_t *q;         /* the component being classified */
    size_t nq;
    int32_t label;             /* its label */
    uint32_t *pred;
    uint32_t *layer; /* BFS depth, valid where stamp[S_VISIT] is current */
    vlist queue, dlist, comps, shells, tmp, bridge;
    size_t *comp_start, *comp_len; /* mouth components, largest first */
    size_t *order, *es, *el;       /* scratch per component */
    int *use;
    size_t ncomps, comp_cap;
    size_t shell_start[3], shell_len[3];
};

static int push(vlist *l, uint32_t v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        uint32_t *p = realloc(l->v, cap * sizeof *p);
        if (!p)
            return 0;
        l->v = p;
        l->cap = cap;
    }
    l->v[l->n++] = v;
    return 1;
}

/* Empties set s: its members all lie in Q. */
static void reset(vox_classifier *c, int s)
{
    const uint8_t keep = (uint8_t)~s;
    for (size_t t = 0; t < c->nq; t++)
        c->flags[c->q[t]] &= keep;
}
/* Empties set s whose members are exactly list[0..n). */
static void reset_list(vox_classifier *c, int s, const uint32_t *list, size_t n)
{
    const uint8_t keep = (uint8_t)~s;
    for (size_t t = 0; t < n; t++)
        c->flags[list[t]] &= keep;
}
static inline int in(const vox_classifier *c, int s, uint32_t v) { return (c->flags[v] & s) != 0; }
static inline void put(vox_classifier *c, int s, uint32_t v) { c->flags[v] |= (uint8_t)s; }

vox_classifier *vox_classifier_new(const uint8_t *state, const int32_t *labels, const int dims[3],
                                   vox_connectivity mode, int merge_gap, int refine, vox_scratch *flags,
                                   vox_scratch *pred, vox_scratch *layer)
{
    vox_classifier *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->state = state;
    c->labels = labels;
    memcpy(c->dims, dims, sizeof c->dims);
    c->sx = (size_t)dims[1] * dims[2];
    c->sy = (size_t)dims[2];
    c->total = (size_t)dims[0] * c->sx;
    c->mode = mode;
    c->gap = merge_gap;
    c->refine = refine;
    c->flags = vox_scratch_get_zeroed(flags, c->total);
    c->pred = vox_scratch_get(pred, c->total * sizeof *c->pred);
    c->layer = vox_scratch_get(layer, c->total * sizeof *c->layer);
    if (!c->flags || !c->pred || !c->layer) {
        vox_classifier_free(c);
        return NULL;
    }
    return c;
}

void vox_classifier_free(vox_classifier *c)
{
    if (!c)
        return;
    free(c->comp_start); free(c->comp_len); free(c->order); free(c->es); free(c->el); free(c->use);
    free(c->queue.v); free(c->dlist.v); free(c->comps.v); free(c->shells.v); free(c->tmp.v); free(c->bridge.v);
    free(c);
}

static void coords(const vox_classifier *c, uint32_t f, int *i, int *j, int *k)
{
    *i = (int)(f / c->sx);
    *j = (int)((f / c->sy) % (size_t)c->dims[1]);
    *k = (int)(f % c->sy);
}

/* Face neighbours inside the grid, in the order -x, +x, -y, +y, -z, +z. */
static int face_neighbours(const vox_classifier *c, uint32_t f, uint32_t out[6])
{
    int i, j, k, m = 0;
    coords(c, f, &i, &j, &k);
    if (i > 0) out[m++] = f - (uint32_t)c->sx;
    if (i < c->dims[0] - 1) out[m++] = f + (uint32_t)c->sx;
    if (j > 0) out[m++] = f - (uint32_t)c->sy;
    if (j < c->dims[1] - 1) out[m++] = f + (uint32_t)c->sy;
    if (k > 0) out[m++] = f - 1;
    if (k < c->dims[2] - 1) out[m++] = f + 1;
    return m;
}

static inline int in_q(const vox_classifier *c, uint32_t f, int32_t label) { return c->labels[f] == label; }

/* ---- surface sets and mouths (§9.1, §9.2) ------------------------------ */

static int direct_surface(vox_classifier *c, const uint32_t *q, size_t n)
{
    c->dlist.n = 0;
    for (size_t t = 0; t < n; t++) {
        uint32_t f = q[t];
        int i, j, k;
        coords(c, f, &i, &j, &k);
        int boundary = i == 0 || j == 0 || k == 0 || i == c->dims[0] - 1 || j == c->dims[1] - 1 ||
                       k == c->dims[2] - 1;
        int touch = boundary;
        if (!touch) {
            uint32_t nb[6];
            int m = face_neighbours(c, f, nb);
            for (int u = 0; u < m && !touch; u++)
                touch = (c->state[nb[u]] & VOX_V_FIRST_SHELL) != 0;
        }
        if (touch) {
            put(c, S_D, f);
            put(c, S_SUPPORT, f);
            if (!push(&c->dlist, f))
                return 0;
        }
    }
    /* S1: the rest of Q touching D; support = D + S1 */
    for (size_t t = 0; t < n; t++) {
        uint32_t f = q[t];
        if (in(c, S_D, f))
            continue;
        uint32_t nb[6];
        int m = face_neighbours(c, f, nb);
        for (int u = 0; u < m; u++)
            if (in(c, S_D, nb[u])) {
                put(c, S_SUPPORT, f);
                break;
            }
    }
    return 1;
}

static int step_allowed(const vox_classifier *c, uint32_t f, int di, int dj, int dk)
{
    int nz = (di != 0) + (dj != 0) + (dk != 0);
    if (nz == 1)
        return 1;
    if (c->mode == VOX_CONNECT_6)
        return 0;
    if (nz == 3)
        return c->mode == VOX_CONNECT_26;
    if (c->mode != VOX_CONNECT_CUSTOM18)
        return 1; /* 18 and 26: every edge step */
    /* custom18: an edge step needs one of its two face intermediates in the support set */
    long s = (long)c->sx, y = (long)c->sy;
    long a, b;
    if (di && dj) { a = (long)f + di * s; b = (long)f + dj * y; }
    else if (di && dk) { a = (long)f + di * s; b = (long)f + dk; }
    else { a = (long)f + dj * y; b = (long)f + dk; }
    return in(c, S_SUPPORT, (uint32_t)a) || in(c, S_SUPPORT, (uint32_t)b);
}

/* Groups D into mouth components; comps holds their voxels, sorted by size
 * (descending, stable). */
static int reserve_comps(vox_classifier *c, size_t n)
{
    if (n <= c->comp_cap)
        return 1;
    size_t cap = n < 64 ? 64 : n;
    size_t *p[5];
    for (int i = 0; i < 5; i++) {
        p[i] = malloc(cap * sizeof(size_t));
        if (!p[i]) {
            while (i-- > 0) free(p[i]);
            return 0;
        }
    }
    int *use = malloc(cap * sizeof *use);
    if (!use) {
        for (int i = 0; i < 5; i++) free(p[i]);
        return 0;
    }
    free(c->comp_start); free(c->comp_len); free(c->order); free(c->es); free(c->el); free(c->use);
    c->comp_start = p[0]; c->comp_len = p[1]; c->order = p[2]; c->es = p[3]; c->el = p[4];
    c->use = use;
    c->comp_cap = cap;
    return 1;
}

/* Groups D into mouth components; comps holds their voxels, sorted by size
 * (descending, stable: ties keep discovery order). */
static int mouths(vox_classifier *c)
{
    c->comps.n = 0;
    c->tmp.n = 0;
    if (!reserve_comps(c, c->dlist.n + 2))
        return 0;
    size_t *starts = c->es, *lens = c->el, ncomp = 0;
    for (size_t t = 0; t < c->dlist.n; t++) {
        uint32_t seed = c->dlist.v[t];
        if (in(c, S_COMP, seed))
            continue;
        size_t start = c->tmp.n;
        put(c, S_COMP, seed);
        if (!push(&c->tmp, seed))
            return 0;
        for (size_t h = start; h < c->tmp.n; h++) {
            uint32_t f = c->tmp.v[h];
            int i, j, k;
            coords(c, f, &i, &j, &k);
            for (int di = -1; di <= 1; di++) {
                if (i + di < 0 || i + di >= c->dims[0]) continue;
                for (int dj = -1; dj <= 1; dj++) {
                    if (j + dj < 0 || j + dj >= c->dims[1]) continue;
                    for (int dk = -1; dk <= 1; dk++) {
                        if (!di && !dj && !dk) continue;
                        if (k + dk < 0 || k + dk >= c->dims[2]) continue;
                        uint32_t w = (uint32_t)((long)f + di * (long)c->sx + dj * (long)c->sy + dk);
                        /* D lies in Q: test membership first, so a diagonal
                         * neighbour in another component (classified by another
                         * thread at the same time) is never read */
                        if (!in_q(c, w, c->label) || !in(c, S_D, w) || in(c, S_COMP, w)) continue;
                        if (!step_allowed(c, f, di, dj, dk)) continue;
                        put(c, S_COMP, w);
                        if (!push(&c->tmp, w))
                            return 0;
                    }
                }
            }
        }
        starts[ncomp] = start;
        lens[ncomp] = c->tmp.n - start;
        ncomp++;
    }
    c->ncomps = ncomp;
    size_t *order = c->order;
    for (size_t a = 0; a < ncomp; a++) order[a] = a;
    for (size_t a = 1; a < ncomp; a++) /* stable insertion sort: mouths are few */
        for (size_t b = a; b > 0 && lens[order[b - 1]] < lens[order[b]]; b--) {
            size_t t = order[b]; order[b] = order[b - 1]; order[b - 1] = t;
        }
    for (size_t a = 0; a < ncomp; a++) {
        c->comp_start[a] = c->comps.n;
        c->comp_len[a] = lens[order[a]];
        for (size_t t = 0; t < lens[order[a]]; t++)
            if (!push(&c->comps, c->tmp.v[starts[order[a]] + t]))
                return 0;
    }
    return 1;
}

/* Shell(C) = C plus its face neighbours in Q, appended to shells; set s
 * (S_A, S_B or S_SHELL, empty on entry) marks it. */
static int shell(vox_classifier *c, size_t comp, int32_t label, int s, size_t slot)
{
    c->shell_start[slot] = c->shells.n;
    const uint32_t *cv = c->comps.v + c->comp_start[comp];
    for (size_t t = 0; t < c->comp_len[comp]; t++) {
        if (!in(c, s, cv[t])) {
            put(c, s, cv[t]);
            if (!push(&c->shells, cv[t]))
                return 0;
        }
    }
    for (size_t t = 0; t < c->comp_len[comp]; t++) {
        uint32_t nb[6];
        int m = face_neighbours(c, cv[t], nb);
        for (int u = 0; u < m; u++)
            if (in_q(c, nb[u], label) && !in(c, s, nb[u])) {
                put(c, s, nb[u]);
                if (!push(&c->shells, nb[u]))
                    return 0;
            }
    }
    c->shell_len[slot] = c->shells.n - c->shell_start[slot];
    return 1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* §9.3: do the two mouth shells (sets A and B) merge within the gap?
 * Fills c->bridge with the bridge voxels. Returns 1 merge, 0 no, -1 OOM. */
static int bridge_test(vox_classifier *c, int32_t label)
{
    c->bridge.n = 0;
    const uint32_t *a = c->shells.v + c->shell_start[0];
    size_t na = c->shell_len[0];
    const uint32_t *b = c->shells.v + c->shell_start[1];
    for (size_t t = 0; t < c->shell_len[1]; t++)
        if (in(c, S_A, b[t]))
            return 1;
    /* multi-source BFS from A, seeded in ascending flat index */
    c->tmp.n = 0;
    for (size_t t = 0; t < na; t++)
        if (!push(&c->tmp, a[t]))
            return -1;
    uint32_t *seed = c->tmp.v;
    qsort(seed, na, sizeof *seed, cmp_u32);
    reset_list(c, S_VISIT, c->queue.v, c->queue.n);
    c->queue.n = 0;
    for (size_t t = 0; t < na; t++) {
        put(c, S_VISIT, seed[t]);
        c->layer[seed[t]] = 0;
        if (!push(&c->queue, seed[t]))
            return -1;
    }
    const long sx = (long)c->sx, sy = (long)c->sy;
    for (size_t h = 0; h < c->queue.n; h++) {
        uint32_t v = c->queue.v[h];
        uint32_t depth = c->layer[v];
        if ((long)depth >= (long)c->gap + 1)
            continue;
        int i, j, k;
        coords(c, v, &i, &j, &k);
        /* offset order -x, -y, -z, +z, +y, +x */
        long off[6];
        int ok[6] = {i > 0, j > 0, k > 0, k < c->dims[2] - 1, j < c->dims[1] - 1, i < c->dims[0] - 1};
        off[0] = -sx; off[1] = -sy; off[2] = -1; off[3] = 1; off[4] = sy; off[5] = sx;
        for (int u = 0; u < 6; u++) {
            if (!ok[u]) continue;
            uint32_t w = (uint32_t)((long)v + off[u]);
            if (!in_q(c, w, label) || in(c, S_VISIT, w)) continue;
            c->pred[w] = v;
            if (in(c, S_B, w)) {
                for (uint32_t x = v; !in(c, S_A, x); x = c->pred[x])
                    if (!in(c, S_B, x) && !push(&c->bridge, x))
                        return -1;
                return 1;
            }
            put(c, S_VISIT, w);
            c->layer[w] = depth + 1;
            if (!push(&c->queue, w))
                return -1;
        }
    }
    return 0;
}

/* ---- neck width (§10.3) ---------------------------------------------- */

/* Returns the neck width of shell w[0..nw) in Q, or -1 when undefined. */
static long neck_width(vox_classifier *c, const uint32_t *w, size_t nw, int32_t label)
{
    reset_list(c, S_VISIT, c->queue.v, c->queue.n);
    c->queue.n = 0;
    for (size_t t = 0; t < nw; t++) {
        put(c, S_VISIT, w[t]);
        c->layer[w[t]] = 0;
        if (!push(&c->queue, w[t]))
            return -2;
    }
    long neck = -1;
    size_t cumulative = 0, h = 0;
    uint32_t cur = 0;
    size_t count = 0;
    int done = 0;
    while (h < c->queue.n && !done) {
        uint32_t v = c->queue.v[h++];
        if (c->layer[v] != cur) {
            /* layer cur is complete */
            if (cur >= 1) {
                if (neck < 0 || (long)count < neck) neck = (long)count;
                cumulative += count;
                if (cumulative >= nw) { done = 1; break; }
            }
            cur = c->layer[v];
            count = 0;
        }
        if (c->layer[v] >= 1)
            count++;
        uint32_t nb[6];
        int m = face_neighbours(c, v, nb);
        for (int u = 0; u < m; u++)
            if (in_q(c, nb[u], label) && !in(c, S_VISIT, nb[u])) {
                put(c, S_VISIT, nb[u]);
                c->layer[nb[u]] = c->layer[v] + 1;
                if (!push(&c->queue, nb[u]))
                    return -2;
            }
    }
    if (!done && cur >= 1 && count > 0) {
        if (neck < 0 || (long)count < neck) neck = (long)count;
    }
    return neck;
}

static int necked(size_t mouth, size_t qn, long neck)
{
    if (mouth == 0 || qn <= mouth || neck < 0)
        return 0;
    return neck <= 1 && (double)(qn - mouth) / (double)mouth > 500.0;
}

/* ---- the decision ---------------------------------------------------- */

int vox_wrapped_hub_spread(const size_t b[6])
{
    return b[0] > 0 && (double)b[4] >= 0.4 * (double)b[0];
}

size_t vox_classifier_mouths(const vox_classifier *c) { return c->ncomps; }

void vox_classifier_mouth_faces(const vox_classifier *c, uint32_t *faces)
{
    for (size_t m = 0; m < c->ncomps; m++) {
        const uint32_t *cv = c->comps.v + c->comp_start[m];
        uint32_t count = 0;
        for (size_t t = 0; t < c->comp_len[m]; t++) {
            int i, j, k;
            coords(c, cv[t], &i, &j, &k);
            count += (uint32_t)((i == 0) + (i == c->dims[0] - 1) + (j == 0) + (j == c->dims[1] - 1) + (k == 0) +
                                (k == c->dims[2] - 1));
            uint32_t nb[6];
            int n = face_neighbours(c, cv[t], nb);
            for (int u = 0; u < n; u++)
                count += (c->state[nb[u]] & VOX_V_FIRST_SHELL) != 0;
        }
        faces[m] = count;
    }
    /* largest area first, as the descriptors publish them: the mouths come
     * by voxel count, and a mouth of fewer voxels can have more open faces */
    for (size_t m = 1; m < c->ncomps; m++) {
        const uint32_t f = faces[m];
        size_t at = m;
        for (; at > 0 && faces[at - 1] < f; at--) faces[at] = faces[at - 1];
        faces[at] = f;
    }
}

static int cmp_desc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int classify_component(vox_classifier *c, const uint32_t *q, size_t n, int32_t label,
                              vox_volume_type *topology, vox_volume_type *final_type, uint8_t *surface,
                              size_t *nsurf);

int vox_classify(vox_classifier *c, const uint32_t *q, size_t n, int32_t label, vox_volume_type *topology,
                 vox_volume_type *final_type, uint8_t *surface, size_t *nsurf)
{
    c->q = q;
    c->nq = n;
    c->label = label;
    int ok = classify_component(c, q, n, label, topology, final_type, surface, nsurf);
    reset(c, 0xFF); /* leave every flag clear for the next component */
    return ok;
}

static int classify_component(vox_classifier *c, const uint32_t *q, size_t n, int32_t label,
                              vox_volume_type *topology, vox_volume_type *final_type, uint8_t *surface,
                              size_t *nsurf)
{
    memset(surface, 0, n);
    *nsurf = 0;
    c->ncomps = 0;
    if (!direct_surface(c, q, n))
        return 0;
    if (c->dlist.n == 0) {
        *topology = *final_type = VOX_CAVITY;
        return 1;
    }
    if (!mouths(c))
        return 0;
    size_t k = c->ncomps;
    /* shells of the (up to) first components; for hubs every shell is
     * needed for the surface, so build them on demand below */
    c->shells.n = 0;
    int merge = 0;
    if (k == 2) {
        if (!shell(c, 0, label, S_A, 0) || !shell(c, 1, label, S_B, 1))
            return 0;
        if (c->gap >= 0) {
            merge = bridge_test(c, label);
            if (merge < 0)
                return 0;
        }
    }
    /* direction buckets (§9.4) around the mean integer coordinate of Q */
    double ci = 0, cj = 0, ck = 0;
    for (size_t t = 0; t < n; t++) {
        int i, j, kk;
        coords(c, q[t], &i, &j, &kk);
        ci += i; cj += j; ck += kk;
    }
    ci /= (double)n; cj /= (double)n; ck /= (double)n;
    size_t b[6] = {0, 0, 0, 0, 0, 0};
    for (size_t t = 0; t < c->dlist.n; t++) {
        int i, j, kk;
        coords(c, c->dlist.v[t], &i, &j, &kk);
        double d[3] = {i - ci, j - cj, kk - ck};
        int ax = 0;
        double best = d[0] < 0 ? -d[0] : d[0];
        for (int a = 1; a < 3; a++) {
            double m = d[a] < 0 ? -d[a] : d[a];
            if (m > best) { best = m; ax = a; }
        }
        b[2 * ax + (d[ax] >= 0 ? 1 : 0)]++;
    }
    qsort(b, 6, sizeof b[0], cmp_desc);
    vox_volume_type topo;
    if (k >= 3) topo = VOX_HUB;
    else if (k == 2) {
        if (vox_wrapped_hub_spread(b)) topo = VOX_HUB;
        else if (merge) topo = VOX_POCKET;
        else topo = VOX_PORE;
    } else if (c->dlist.n < 24) topo = VOX_POCKET;
    else if (b[0] > 0 && (double)b[2] >= 0.4 * (double)b[0]) topo = VOX_HUB;
    else if (b[0] > 0 && (double)b[1] >= 0.7 * (double)b[0]) topo = VOX_PORE;
    else topo = VOX_POCKET;
    *topology = topo;

    /* effective mouth shells (§10.2): collect their spans in c->shells */
    size_t eff = 0;
    size_t *es = c->es, *el = c->el;
    if (k == 2 && merge) {
        /* Shell(C0) + Shell(C1) + bridge, as one set */
        size_t start = c->shells.n;
        for (int s = 0; s < 2; s++)
            for (size_t t = 0; t < c->shell_len[s]; t++) {
                uint32_t v = c->shells.v[c->shell_start[s] + t];
                if (!in(c, S_SHELL, v)) { put(c, S_SHELL, v); if (!push(&c->shells, v)) return 0; }
            }
        for (size_t t = 0; t < c->bridge.n; t++) {
            uint32_t v = c->bridge.v[t];
            if (!in(c, S_SHELL, v)) { put(c, S_SHELL, v); if (!push(&c->shells, v)) return 0; }
        }
        es[0] = start;
        el[0] = c->shells.n - start;
        eff = 1;
    } else if (k == 2) {
        es[0] = c->shell_start[0]; el[0] = c->shell_len[0];
        es[1] = c->shell_start[1]; el[1] = c->shell_len[1];
        eff = 2;
    } else {
        size_t kept = k;
        for (size_t m = 0; m < kept; m++) {
            if (!shell(c, m, label, S_SHELL, 2))
                return 0;
            es[m] = c->shell_start[2];
            el[m] = c->shell_len[2];
            reset_list(c, S_SHELL, c->shells.v + es[m], el[m]);
        }
        eff = kept;
    }

    /* which effective shells make the final surface (§10.4) */
    int *use = c->use;
    for (size_t m = 0; m < eff; m++) use[m] = 1;
    vox_volume_type fin = topo;
    if (c->refine) {
        if (topo == VOX_POCKET) {
            if (eff == 1) {
                long nk = neck_width(c, c->shells.v + es[0], el[0], label);
                if (nk == -2) return 0;
                if (necked(el[0], n, nk)) fin = VOX_CAVITY;
            }
        } else if (topo == VOX_PORE) {
            if (eff == 0) {
                fin = VOX_CAVITY;
            } else if (eff == 1) {
                long nk = neck_width(c, c->shells.v + es[0], el[0], label);
                if (nk == -2) return 0;
                fin = necked(el[0], n, nk) ? VOX_CAVITY : VOX_POCKET;
            } else {
                size_t survive = 0;
                for (size_t m = 0; m < eff; m++) {
                    long nk = neck_width(c, c->shells.v + es[m], el[m], label);
                    if (nk == -2) return 0;
                    use[m] = !(nk >= 0 && nk <= 1);
                    survive += (size_t)use[m];
                }
                fin = survive == 0 ? VOX_CAVITY : survive == 1 ? VOX_POCKET : VOX_PORE;
            }
        }
    }
    *final_type = fin;
    if (fin == VOX_CAVITY)
        return 1;
    for (size_t m = 0; m < eff; m++) {
        if (!use[m]) continue;
        for (size_t t = 0; t < el[m]; t++)
            put(c, S_UNION, c->shells.v[es[m] + t]);
    }
    for (size_t t = 0; t < n; t++)
        if (in(c, S_UNION, q[t])) {
            surface[t] = 1;
            (*nsurf)++;
        }
    return 1;
}
