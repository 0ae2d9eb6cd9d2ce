/*
 * risk.c — risk control. Two open-addressing hash maps (u64 key -> i64 count) with
 * backward-shift deletion, so entries that return to zero are removed and memory stays
 * bounded by what is open.
 */
#include "risk.h"

#include <stdlib.h>
#include <string.h>

typedef struct risk__ent {
    uint64_t key;     /* 0 = empty; real keys are stored +1 */
    int64_t  val;     /* count */
} risk__ent;

/* Key and value side by side: a probe touches one cache line, not two. */
typedef struct risk__map {
    risk__ent *e;     /* slots */
    size_t     cap;   /* power of two */
    size_t     used;  /* live entries */
} risk__map;

struct risk_ctl {
    int       n;            /* SKUs */
    int32_t  *limit;        /* per-SKU per-user limit, 0 = none */
    int32_t   max_unpaid;   /* 0 = no cap */
    bool      any_limit;    /* some SKU has a per-user limit */
    risk__map unpaid;       /* user -> unpaid orders */
    risk__map units;        /* (user, sku) -> units held or bought */
};

static uint64_t risk__hash(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static void risk__map_grow(risk__map *m);

static size_t risk__slot(const risk__map *m, uint64_t key)
{
    size_t i = (size_t)risk__hash(key) & (m->cap - 1);
    while (m->e[i].key && m->e[i].key != key + 1) i = (i + 1) & (m->cap - 1);
    return i;
}

static int64_t risk__get(const risk__map *m, uint64_t key)
{
    if (!m->cap) return 0;
    size_t i = risk__slot(m, key);
    return m->e[i].key ? m->e[i].val : 0;
}

/* Adds delta to key's count; removes the entry when it reaches zero. */
static void risk__add(risk__map *m, uint64_t key, int64_t delta)
{
    if (m->used * 2 >= m->cap) risk__map_grow(m);
    size_t i = risk__slot(m, key);
    if (!m->e[i].key) {
        if (delta == 0) return;
        m->e[i] = (risk__ent){ key + 1, 0 };
        m->used++;
    }
    m->e[i].val += delta;
    if (m->e[i].val != 0) return;
    /* Backward-shift deletion keeps probe chains intact without tombstones. */
    m->e[i].key = 0;
    m->used--;
    size_t j = i;
    for (;;) {
        j = (j + 1) & (m->cap - 1);
        if (!m->e[j].key) break;
        size_t home = (size_t)risk__hash(m->e[j].key - 1) & (m->cap - 1);
        bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->e[i] = m->e[j];
            m->e[j].key = 0;
            i = j;
        }
    }
}

static void risk__map_grow(risk__map *m)
{
    risk__map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->e = xcalloc(m->cap, sizeof *m->e);
    m->used = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.e[i].key) {
            m->e[risk__slot(m, old.e[i].key - 1)] = old.e[i];
            m->used++;
        }
    free(old.e);
}

risk_ctl *risk_create(int n, const int32_t *max_per_user, int32_t max_unpaid)
{
    risk_ctl *r = xcalloc(1, sizeof *r);
    r->n = n;
    r->limit = xcalloc((size_t)(n ? n : 1), sizeof *r->limit);
    if (max_per_user) memcpy(r->limit, max_per_user, (size_t)n * sizeof *r->limit);
    for (int i = 0; i < n; i++) r->any_limit |= r->limit[i] > 0;
    r->max_unpaid = max_unpaid;
    return r;
}

void risk_destroy(risk_ctl *r)
{
    if (!r) return;
    free(r->unpaid.e);
    free(r->units.e);
    free(r->limit);
    free(r);
}

static uint64_t risk__ukey(uint64_t user, uint32_t sku) { return user * 65536u + sku; }

os_status risk_admit(risk_ctl *r, uint64_t user, const inv_line *l, int n, bool flagged)
{
    if (flagged) return OS_ERISK;
    if (!r->any_limit && r->max_unpaid <= 0) return OS_OK;   /* nothing to track */
    if (r->max_unpaid > 0 && risk__get(&r->unpaid, user) >= r->max_unpaid) return OS_ERISK;
    for (int i = 0; i < n; i++) {
        int32_t lim = r->limit[l[i].sku];
        if (lim > 0 && risk__get(&r->units, risk__ukey(user, l[i].sku)) + l[i].qty > lim) return OS_ELIMIT;
    }
    if (r->max_unpaid > 0) risk__add(&r->unpaid, user, 1);
    for (int i = 0; i < n; i++)
        if (r->limit[l[i].sku] > 0) risk__add(&r->units, risk__ukey(user, l[i].sku), l[i].qty);
    return OS_OK;
}

void risk_on_paid(risk_ctl *r, uint64_t user)
{
    if (r->max_unpaid > 0) risk__add(&r->unpaid, user, -1);
}

void risk_on_closed_unpaid(risk_ctl *r, uint64_t user, const inv_line *l, int n)
{
    if (!r->any_limit && r->max_unpaid <= 0) return;
    if (r->max_unpaid > 0) risk__add(&r->unpaid, user, -1);
    for (int i = 0; i < n; i++)
        if (r->limit[l[i].sku] > 0) risk__add(&r->units, risk__ukey(user, l[i].sku), -l[i].qty);
}

void risk_on_modified(risk_ctl *r, uint64_t user, uint32_t sku, int32_t delta)
{
    if (r->limit[sku] > 0) risk__add(&r->units, risk__ukey(user, sku), delta);
}

