/*
 * sim_queue.c — radix heap + 4-ary heap + FIFO lanes, with pooled payloads and lazy
 * cancellation. See sim_queue.h.
 *
 * Invariants: heap[i] <= heap[4i+1..4i+4] in (t, seq) order; pool[slot].gen is odd while the
 * slot holds a scheduled event and even once it is popped or cancelled, so a handle
 * (slot << 32 | gen) is live exactly when its gen still matches.
 *
 * Radix heap: the key of a time t >= 0 is the bit pattern of t + 0.0 (-0 becomes +0) read as
 * an unsigned integer, which orders like the doubles. `rlast` is the least key of the last
 * refill; every radix entry has key >= rlast and sits in bucket 0 when key == rlast, else in
 * bucket (level, digit): level the highest 8-bit digit where key and rlast differ, digit the
 * key's value there (greater than rlast's). Lower levels, then lower digits, hold smaller
 * keys, so bucket 0 holds the radix heap's least key; a refill empties the lowest non-empty
 * bucket into lower levels around its least key, the new rlast (each entry moves a few
 * times in all, about log256 of the pending count). An entry's bucket is a function of its
 * key alone (given rlast): entries with equal keys share a bucket and keep their push order
 * through every refill (a refill appends in order to buckets that are empty), so bucket 0
 * pops in scheduling order. A push below rlast, or of a time that is not >= 0 (negative,
 * NaN), goes to the 4-ary heap, as does every push while that heap is small; the pop takes
 * the least (t, seq) of the radix head, the heap's root and the lanes' heads.
 */
#include "sim_queue.h"

#include "os.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIM__RBITS   8                       /* bits per radix digit */
#define SIM__RDIGITS (1 << SIM__RBITS)        /* buckets per level */
#define SIM__RLEVELS (64 / SIM__RBITS)        /* levels */
#define SIM__RWORDS  (SIM__RDIGITS / 64)      /* bitmap words per level */
#define SIM__BUCKETS (1 + SIM__RLEVELS * SIM__RDIGITS) /* bucket 0, then (level, digit) */
#define SIM__HEAP_SMALL 32  /* pushes go to the 4-ary heap while it holds fewer entries */
#define SIM__RKEEP   64     /* a bucket emptied by a refill keeps at most this many entries' room */

typedef struct sim__entry {
    double   t;      /* fire time */
    uint64_t seq;    /* scheduling order */
    uint32_t slot;   /* payload slot */
} sim__entry;

typedef struct sim__slot {
    sim_event ev;    /* payload */
    uint32_t  gen;   /* odd while scheduled */
    uint32_t  next;  /* free-list link (slot + 1), 0 = end */
} sim__slot;

typedef struct sim__bucket {
    sim__entry *e;      /* entries in push order */
    size_t      len, cap;
    uint64_t    min;    /* least key in e (UINT64_MAX when empty) */
} sim__bucket;

typedef struct sim__lane {
    sim__entry *e;      /* ring of entries, sorted by (t, seq) */
    size_t      head, len, cap;
} sim__lane;

struct sim_queue {
    sim__lane   lane[SIM_QUEUE_LANES]; /* FIFO lanes for constant-delay timers */
    int         nlanes;             /* lanes ever used: 1 + the highest index pushed to */
    sim__bucket rb[SIM__BUCKETS]; /* the radix heap */
    size_t      r0head; /* next entry of bucket 0 to pop */
    size_t      rn;     /* entries in the radix heap, cancelled ones included */
    uint64_t    rbits[SIM__RLEVELS][SIM__RWORDS]; /* bit per non-empty (level, digit) bucket */
    uint32_t    rlevels;/* bit per level with a non-empty bucket */
    uint64_t    rlast;  /* the radix heap's least key as of the last refill */
    sim__entry *heap;   /* the 4-ary heap: pushes the radix heap cannot take */
    size_t      n, cap; /* entries used / allocated */
    sim__slot  *slots;  /* payload pool */
    uint32_t    nslots, capslots; /* used / allocated slots */
    uint32_t    free_head; /* slot + 1, 0 = none */
    uint64_t    seq;    /* next sequence number */
};

sim_queue *sim_queue_create(void)
{
    sim_queue *q = xcalloc(1, sizeof *q);
    for (int i = 0; i < SIM__BUCKETS; i++) q->rb[i].min = UINT64_MAX;
    return q;
}

void sim_queue_destroy(sim_queue *q)
{
    if (!q) return;
    for (int i = 0; i < SIM_QUEUE_LANES; i++) free(q->lane[i].e);
    for (int i = 0; i < SIM__BUCKETS; i++) free(q->rb[i].e);
    free(q->heap);
    free(q->slots);
    free(q);
}

static inline bool sim__less(const sim__entry *a, const sim__entry *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* Takes a payload slot for ev and returns it (gen now odd: scheduled). */
static uint32_t sim__take_slot(sim_queue *q, const sim_event *ev)
{
    uint32_t slot;
    if (q->free_head) {
        slot = q->free_head - 1;
        q->free_head = q->slots[slot].next;
    } else {
        if (q->nslots == q->capslots) {
            q->capslots = q->capslots ? q->capslots * 2 : 1024;
            q->slots = xrealloc(q->slots, q->capslots * sizeof *q->slots);
        }
        slot = q->nslots++;
        q->slots[slot].gen = 0;
    }
    sim__slot *s = &q->slots[slot];
    s->ev = *ev;
    s->gen++;
    return slot;
}

static void sim__heap_insert(sim_queue *q, sim__entry e)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 1024;
        q->heap = xrealloc(q->heap, q->cap * sizeof *q->heap);
    }
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!sim__less(&e, &q->heap[p])) break;
        q->heap[i] = q->heap[p];
        i = p;
    }
    q->heap[i] = e;
}

/* The radix key of a time t >= 0 (stored normalised: -0 as +0). */
static inline uint64_t sim__tkey(double t)
{
    uint64_t k;
    memcpy(&k, &t, sizeof k);
    return k;
}

/* Appends e (key k >= rlast) to its bucket. */
static inline void sim__radix_insert(sim_queue *q, sim__entry e, uint64_t k)
{
    uint64_t x = k ^ q->rlast;
    sim__bucket *B = &q->rb[0];
    if (x) {
        int level = (63 - __builtin_clzll(x)) / SIM__RBITS;
        unsigned digit = (unsigned)(k >> (level * SIM__RBITS)) & (SIM__RDIGITS - 1);
        B = &q->rb[1 + level * SIM__RDIGITS + (int)digit];
        q->rbits[level][digit / 64] |= 1ull << (digit % 64);
        q->rlevels |= 1u << level;
    }
    if (B->len == B->cap) {
        B->cap = B->cap ? B->cap * 2 : 16;
        B->e = xrealloc(B->e, B->cap * sizeof *B->e);
    }
    B->e[B->len++] = e;
    if (k < B->min) B->min = k;
}

/* With bucket 0 used up: takes the lowest non-empty bucket, makes its least key the new
 * rlast and spreads its entries (in order) over the levels below, so bucket 0 fills again.
 * Does nothing when the radix heap is empty. A large emptied bucket gives its memory back,
 * so buckets used once at a peak do not hold it for the rest of the run. */
static void sim__radix_refill(sim_queue *q)
{
    q->rb[0].len = 0;
    q->rb[0].min = UINT64_MAX;
    q->r0head = 0;
    if (!q->rlevels) return;
    int level = __builtin_ctz(q->rlevels), w = 0;
    uint64_t *bits = q->rbits[level];
    while (!bits[w]) w++;
    int digit = w * 64 + __builtin_ctzll(bits[w]);
    bits[w] &= bits[w] - 1;   /* clears the lowest set bit: this bucket's */
    bool any = false;
    for (int i = w; i < SIM__RWORDS; i++) any |= bits[i] != 0;
    if (!any) q->rlevels &= ~(1u << level);
    sim__bucket *B = &q->rb[1 + level * SIM__RDIGITS + digit];
    q->rlast = B->min;
    for (size_t i = 0; i < B->len; i++) sim__radix_insert(q, B->e[i], sim__tkey(B->e[i].t));
    B->len = 0;
    B->min = UINT64_MAX;
    if (B->cap > SIM__RKEEP) {
        free(B->e);
        B->e = NULL;
        B->cap = 0;
    }
}

/* Whether a push at t (normalised) goes to the radix heap: not while the 4-ary heap is small
 * (a handful of pending events cost less there, e.g. a single-server queue's two), and only
 * for a time >= 0 whose key is >= rlast. Never in the benchmark's heap-only build. */
static inline bool sim__radix_takes(const sim_queue *q, double t)
{
#ifdef SIM_QUEUE_HEAP_ONLY   /* tools/queue_hold.c's baseline */
    (void)q;
    (void)t;
    return false;
#else
    return q->n >= SIM__HEAP_SMALL && t >= 0.0 && sim__tkey(t) >= q->rlast;
#endif
}

sim_handle sim_queue_push(sim_queue *q, const sim_event *ev)
{
    uint32_t slot = sim__take_slot(q, ev);
    double t = ev->t + 0.0;   /* -0 -> +0; anything else unchanged */
    if (sim__radix_takes(q, t)) {
        sim__radix_insert(q, (sim__entry){ t, q->seq++, slot }, sim__tkey(t));
        q->rn++;
    } else {
        sim__heap_insert(q, (sim__entry){ ev->t, q->seq++, slot });
    }
    return ((uint64_t)slot << 32) | q->slots[slot].gen;
}

sim_handle sim_queue_push_lane(sim_queue *q, const sim_event *ev, int lane)
{
    OS_ASSERT(lane >= 0 && lane < SIM_QUEUE_LANES);
    sim__lane *l = &q->lane[lane];
    if (l->len && ev->t < l->e[(l->head + l->len - 1) % l->cap].t) return sim_queue_push(q, ev);
    if (lane >= q->nlanes) q->nlanes = lane + 1;
    uint32_t slot = sim__take_slot(q, ev);
    if (l->len == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 1024;
        sim__entry *ne = xmalloc(nc * sizeof *ne);
        for (size_t i = 0; i < l->len; i++) ne[i] = l->e[(l->head + i) % l->cap];
        free(l->e);
        l->e = ne;
        l->cap = nc;
        l->head = 0;
    }
    l->e[(l->head + l->len++) % l->cap] = (sim__entry){ ev->t, q->seq++, slot };
    return ((uint64_t)slot << 32) | q->slots[slot].gen;
}

bool sim_queue_cancel(sim_queue *q, sim_handle h)
{
    if (!h) return false;
    uint32_t slot = (uint32_t)(h >> 32), gen = (uint32_t)h;
    if (slot >= q->nslots || q->slots[slot].gen != gen || !(gen & 1u)) return false;
    q->slots[slot].gen++; /* even: dead; the heap entry is skipped when it surfaces */
    return true;
}

/* Removes the heap's root. */
static void sim__pop_root(sim_queue *q)
{
    sim__entry last = q->heap[--q->n];
    size_t i = 0, n = q->n;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n) break;
        size_t best = c, end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            if (sim__less(&q->heap[k], &q->heap[best])) best = k;
        if (!sim__less(&q->heap[best], &last)) break;
        q->heap[i] = q->heap[best];
        i = best;
    }
    if (n) q->heap[i] = last;
}

static void sim__free_slot(sim_queue *q, uint32_t slot)
{
    q->slots[slot].next = q->free_head;
    q->free_head = slot + 1;
}

/* Removes the least (t, seq) entry of the radix heap, the 4-ary heap and the lanes' heads
 * and returns its slot; false when all are empty. A cancelled entry is removed like a live
 * one: the caller skips it when it surfaces (lazy deletion), so no source is checked for
 * cancelled entries ahead of time. */
static bool sim__take_least(sim_queue *q, uint32_t *slot)
{
    const sim__entry *b = NULL;
    int src = -2;   /* -3 radix heap, -1 4-ary heap, else a lane */
    if (q->rn) {
        if (q->r0head == q->rb[0].len) sim__radix_refill(q);
        b = &q->rb[0].e[q->r0head];
        src = -3;
    }
    if (q->n && (!b || sim__less(&q->heap[0], b))) {
        b = &q->heap[0];
        src = -1;
    }
    for (int i = 0; i < q->nlanes; i++) {
        const sim__lane *l = &q->lane[i];
        if (l->len && (!b || sim__less(&l->e[l->head], b))) {
            b = &l->e[l->head];
            src = i;
        }
    }
    if (src == -2) return false;
    *slot = b->slot;
    if (src == -3) {
        q->r0head++;
        q->rn--;
    } else if (src == -1) {
        sim__pop_root(q);
    } else {
        sim__lane *l = &q->lane[src];
        l->head = l->head + 1 == l->cap ? 0 : l->head + 1;
        l->len--;
    }
    return true;
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
    uint32_t slot;
    while (sim__take_least(q, &slot)) {
        sim__slot *s = &q->slots[slot];
        bool live = s->gen & 1u;
        if (live) {
            *out = s->ev;
            s->gen++;
        }
        sim__free_slot(q, slot);
        if (live) return true;
    }
    return false;
}
