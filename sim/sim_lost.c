/*
 * sim_lost.c — genuine customers lost to wasted locks. See sim_lost.h.
 */
#include "sim_lost.h"

#include "os.h"

#include <stdlib.h>
#include <string.h>

typedef struct sim__away { double t; uint64_t cust; uint32_t sku; } sim__away;
typedef struct sim__waste { double t0, t1; int64_t units; uint32_t sku; } sim__waste;

struct sim_lost {
    int         n;            /* SKUs */
    sim__away  *a;            /* turn-aways, in time order */
    size_t      na, ca;
    sim__waste *w;            /* wasted locks, in order of release */
    size_t      nw, cw;
};

sim_lost *sim_lost_create(int n_skus)
{
    sim_lost *l = xcalloc(1, sizeof *l);
    l->n = n_skus;
    return l;
}

void sim_lost_destroy(sim_lost *l)
{
    if (!l) return;
    free(l->a);
    free(l->w);
    free(l);
}

void sim_lost_away(sim_lost *l, double t, uint64_t customer, uint32_t sku)
{
    if (l->na == l->ca) {
        l->ca = l->ca ? l->ca * 2 : 1024;
        l->a = xrealloc(l->a, l->ca * sizeof *l->a);
    }
    l->a[l->na++] = (sim__away){ t, customer, sku };
}

void sim_lost_wasted(sim_lost *l, double t0, double t1, uint32_t sku, int64_t units)
{
    if (units <= 0) return;
    if (l->nw == l->cw) {
        l->cw = l->cw ? l->cw * 2 : 256;
        l->w = xrealloc(l->w, l->cw * sizeof *l->w);
    }
    l->w[l->nw++] = (sim__waste){ t0, t1, units, sku };
}

/* The first index >= i not yet used (path-halving over the skip links). */
static size_t sim__next(size_t *nxt, size_t i)
{
    while (nxt[i] != i) {
        nxt[i] = nxt[nxt[i]];
        i = nxt[i];
    }
    return i;
}

int64_t sim_lost_count(sim_lost *l, bool (*served)(const void *ctx, uint64_t customer), const void *ctx)
{
    if (!l->na || !l->nw) return 0;
    /* The turn-aways bucketed by SKU, each bucket in time order and followed by a sentinel
     * slot (never usable), so that a skip link never leaves its bucket. */
    size_t *start = xcalloc((size_t)l->n + 1, sizeof *start);
    for (size_t i = 0; i < l->na; i++) start[l->a[i].sku + 1]++;
    for (int k = 0; k < l->n; k++) start[k + 1] += start[k] + 1;
    size_t total = start[l->n] + 1;
    size_t *fill = xcalloc((size_t)l->n, sizeof *fill);
    sim__away *b = xcalloc(total, sizeof *b);
    size_t *nxt = xcalloc(total, sizeof *nxt);
    uint64_t maxc = 0;
    for (size_t i = 0; i < l->na; i++) {
        const sim__away *e = &l->a[i];
        b[start[e->sku] + fill[e->sku]++] = *e;
        if (e->cust > maxc) maxc = e->cust;
    }
    for (size_t i = 0; i < total; i++) nxt[i] = i;
    /* served customers are not lost: their entries are used up front */
    for (int k = 0; k < l->n; k++)
        for (size_t i = start[k]; i < start[k] + fill[k]; i++)
            if (served(ctx, b[i].cust)) nxt[i] = i + 1;
    uint8_t *counted = xcalloc((size_t)(maxc / 8 + 1), 1);
    int64_t lost = 0;
    for (size_t w = 0; w < l->nw; w++) {
        const sim__waste *x = &l->w[w];
        size_t lo = start[x->sku], hi = start[x->sku] + fill[x->sku];
        while (lo < hi) {   /* the first turn-away at or after the lock began */
            size_t mid = lo + (hi - lo) / 2;
            if (b[mid].t < x->t0) lo = mid + 1; else hi = mid;
        }
        int64_t units = x->units;
        size_t end = start[x->sku] + fill[x->sku];
        for (size_t i = sim__next(nxt, lo); units > 0 && i < end && b[i].t <= x->t1; i = sim__next(nxt, i)) {
            nxt[i] = i + 1;   /* used: by this unit, or its customer was counted already */
            uint64_t c = b[i].cust;
            uint8_t bit = (uint8_t)(1u << (c % 8));
            if (counted[c / 8] & bit) continue;
            counted[c / 8] |= bit;
            lost++;
            units--;
        }
    }
    free(counted);
    free(nxt);
    free(b);
    free(fill);
    free(start);
    return lost;
}
