/*
 * risk.c — risk control. One open-addressing hash map keyed by user, with every counter a
 * user has packed into its slot (the unpaid-order count, then the units held of each SKU
 * that has a limit), so an order costs one probe however many limited lines it has. Linear
 * probing with backward-shift deletion: a user whose counters all return to zero is removed,
 * so memory stays bounded by the users with something open or limited.
 */
#include "risk.h"

#include <stdlib.h>
#include <string.h>

/* A slot: the key (user + 1; 0 = empty), the unpaid-order count, then the units held of
 * each limited SKU. */
typedef struct risk__map {
    int64_t *s;       /* cap slots of `stride` words each */
    size_t   cap;     /* power of two */
    size_t   used;    /* live users */
    size_t   stride;  /* words per slot: 2 + limited SKUs */
} risk__map;

struct risk_ctl {
    int       n;            /* SKUs */
    int32_t  *limit;        /* per-SKU per-user limit, 0 = none */
    int32_t  *col;          /* per-SKU word in a slot (2 + limited index), 0 = no limit */
    int32_t   max_unpaid;   /* 0 = no cap */
    bool      track;        /* something is limited or capped: the map is used */
    int       extra0;       /* word of the caller's counter 0 (risk_add_counters), 0 = none */
    risk__map map;          /* user -> [unpaid, units of limited SKU 0, 1, ...] */
};

static uint64_t risk__hash(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int64_t *risk__at(const risk__map *m, size_t i) { return m->s + i * m->stride; }

/* Copies one slot (a few words: a loop beats a memcpy call). */
static void risk__copy(const risk__map *m, int64_t *to, const int64_t *from)
{
    for (size_t w = 0; w < m->stride; w++) to[w] = from[w];
}

/* The slot holding `user`, or the empty slot where it would go. */
static size_t risk__slot(const risk__map *m, uint64_t user)
{
    size_t i = (size_t)risk__hash(user) & (m->cap - 1);
    for (;;) {
        uint64_t k = (uint64_t)risk__at(m, i)[0];
        if (!k || k == user + 1) return i;
        i = (i + 1) & (m->cap - 1);
    }
}

/* The user's counters, or NULL when it has none. */
static const int64_t *risk__find(const risk__map *m, uint64_t user)
{
    if (!m->cap) return NULL;
    const int64_t *e = risk__at(m, risk__slot(m, user));
    return e[0] ? e : NULL;
}

static void risk__grow(risk__map *m)
{
    risk__map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->s = xcalloc(m->cap * m->stride, sizeof *m->s);
    for (size_t i = 0; i < old.cap; i++) {
        const int64_t *e = risk__at(&old, i);
        if (e[0]) risk__copy(m, risk__at(m, risk__slot(m, (uint64_t)e[0] - 1)), e);
    }
    free(old.s);
}

/* The user's counters, created (all zero) when absent. */
static int64_t *risk__get(risk__map *m, uint64_t user)
{
    if (m->used * 2 >= m->cap) risk__grow(m);
    int64_t *e = risk__at(m, risk__slot(m, user));
    if (!e[0]) {   /* a free slot may hold the counters of an entry a deletion moved away */
        for (size_t w = 1; w < m->stride; w++) e[w] = 0;
        e[0] = (int64_t)(user + 1);
        m->used++;
    }
    return e;
}

/* Removes the user at slot i when all its counters are zero. Backward-shift deletion keeps
 * probe chains intact without tombstones. */
static void risk__drop_if_idle(risk__map *m, int64_t *e)
{
    for (size_t c = 1; c < m->stride; c++)
        if (e[c]) return;
    size_t i = (size_t)(e - m->s) / m->stride;
    e[0] = 0;
    m->used--;
    for (size_t j = i;;) {
        j = (j + 1) & (m->cap - 1);
        int64_t *ej = risk__at(m, j);
        if (!ej[0]) break;
        size_t home = (size_t)risk__hash((uint64_t)ej[0] - 1) & (m->cap - 1);
        bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            risk__copy(m, risk__at(m, i), ej);
            ej[0] = 0;
            i = j;
        }
    }
}

risk_ctl *risk_create(int n, const int32_t *max_per_user, int32_t max_unpaid)
{
    risk_ctl *r = xcalloc(1, sizeof *r);
    r->n = n;
    r->limit = xcalloc((size_t)(n ? n : 1), sizeof *r->limit);
    r->col = xcalloc((size_t)(n ? n : 1), sizeof *r->col);
    if (max_per_user) memcpy(r->limit, max_per_user, (size_t)n * sizeof *r->limit);
    int ncol = 2;   /* word 0 is the key, word 1 the unpaid count */
    for (int i = 0; i < n; i++)
        if (r->limit[i] > 0) r->col[i] = ncol++;
    r->max_unpaid = max_unpaid;
    r->track = ncol > 2 || max_unpaid > 0;
    r->map.stride = (size_t)ncol;
    return r;
}

void risk_destroy(risk_ctl *r)
{
    if (!r) return;
    free(r->map.s);
    free(r->col);
    free(r->limit);
    free(r);
}

/* True when some line is of a SKU with a per-user limit. */
static bool risk__limited(const risk_ctl *r, const inv_line *l, int n)
{
    for (int i = 0; i < n; i++)
        if (r->col[l[i].sku]) return true;
    return false;
}

os_status risk_admit(risk_ctl *r, uint64_t user, const inv_line *l, int n, bool flagged)
{
    if (flagged) return OS_ERISK;
    if (!r->track) return OS_OK;   /* nothing to track */
    const int64_t *e = risk__find(&r->map, user);
    if (e) {
        if (r->max_unpaid > 0 && e[1] >= r->max_unpaid) return OS_ERISK;
        for (int i = 0; i < n; i++) {
            int32_t c = r->col[l[i].sku];
            if (c && e[c] + l[i].qty > r->limit[l[i].sku]) return OS_ELIMIT;
        }
    } else {
        for (int i = 0; i < n; i++)
            if (r->col[l[i].sku] && l[i].qty > r->limit[l[i].sku]) return OS_ELIMIT;
    }
    if (r->max_unpaid <= 0 && !risk__limited(r, l, n)) return OS_OK;
    int64_t *w = risk__get(&r->map, user);
    if (r->max_unpaid > 0) w[1]++;
    for (int i = 0; i < n; i++)
        if (r->col[l[i].sku]) w[r->col[l[i].sku]] += l[i].qty;
    risk__drop_if_idle(&r->map, w);   /* e.g. a zero quantity on an uncapped user */
    return OS_OK;
}

/* Adds delta to the user's counter in word c (1: unpaid orders). */
static void risk__add(risk_ctl *r, uint64_t user, int32_t c, int64_t delta)
{
    if (!delta) return;
    int64_t *e = risk__get(&r->map, user);
    e[c] += delta;
    if (!e[c]) risk__drop_if_idle(&r->map, e);
}

void risk_on_paid(risk_ctl *r, uint64_t user)
{
    if (r->max_unpaid > 0) risk__add(r, user, 1, -1);
}

void risk_on_closed_unpaid(risk_ctl *r, uint64_t user, const inv_line *l, int n)
{
    if (!r->track) return;
    if (r->max_unpaid <= 0 && !risk__limited(r, l, n)) return;
    int64_t *e = risk__get(&r->map, user);
    if (r->max_unpaid > 0) e[1]--;
    for (int i = 0; i < n; i++)
        if (r->col[l[i].sku]) e[r->col[l[i].sku]] -= l[i].qty;
    risk__drop_if_idle(&r->map, e);
}

void risk_add_counters(risk_ctl *r, int n)
{
    OS_ASSERT(n >= 0 && r->map.cap == 0 && r->extra0 == 0);
    if (n == 0) return;
    r->extra0 = (int)r->map.stride;
    r->map.stride += (size_t)n;
    r->track = true;
}

int64_t risk_counter(const risk_ctl *r, uint64_t user, int k)
{
    OS_ASSERT(r->extra0 > 0 && r->extra0 + k < (int)r->map.stride);
    const int64_t *e = risk__find(&r->map, user);
    return e ? e[r->extra0 + k] : 0;
}

void risk_counter_add(risk_ctl *r, uint64_t user, int k, int64_t delta)
{
    OS_ASSERT(r->extra0 > 0 && r->extra0 + k < (int)r->map.stride);
    risk__add(r, user, r->extra0 + k, delta);
}

int risk_check(const risk_ctl *r, os_diag *diag)
{
    int bad = 0;
    for (size_t i = 0; i < r->map.cap; i++) {
        const int64_t *e = risk__at(&r->map, i);
        if (!e[0]) continue;
        for (size_t w = 1; w < r->map.stride; w++)
            if (e[w] < 0) {
                os_diag_add(diag, "risk: user %llu has counter %zu at %lld (given back more than taken)",
                            (unsigned long long)(e[0] - 1), w, (long long)e[w]);
                bad++;
            }
    }
    return bad;
}

bool risk_may_add(const risk_ctl *r, uint64_t user, uint32_t sku, int32_t delta)
{
    int32_t c = r->col[sku];
    if (!c || delta <= 0) return true;
    const int64_t *e = risk__find(&r->map, user);
    return (e ? e[c] : 0) + delta <= r->limit[sku];
}

void risk_on_modified(risk_ctl *r, uint64_t user, uint32_t sku, int32_t delta)
{
    if (r->col[sku]) risk__add(r, user, r->col[sku], delta);
}
