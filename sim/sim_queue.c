/*
 * sim_queue.c — 4-ary heap with pooled payloads and lazy cancellation. See sim_queue.h.
 *
 * Invariants: heap[i] <= heap[4i+1..4i+4] in (t, seq) order; pool[slot].gen is odd while the
 * slot holds a scheduled event and even once it is popped or cancelled, so a handle
 * (slot << 32 | gen) is live exactly when its gen still matches.
 */
#include "sim_queue.h"

#include "os.h"

#include <math.h>
#include <stdlib.h>

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

typedef struct sim__lane {
    sim__entry *e;      /* ring of entries, sorted by (t, seq) */
    size_t      head, len, cap;
} sim__lane;

struct sim_queue {
    sim__lane   lane[SIM_QUEUE_LANES]; /* FIFO lanes for constant-delay timers */
    int         nlanes;             /* lanes ever used: 1 + the highest index pushed to */
    sim__entry *heap;   /* the heap */
    size_t      n, cap; /* entries used / allocated */
    sim__slot  *slots;  /* payload pool */
    uint32_t    nslots, capslots; /* used / allocated slots */
    uint32_t    free_head; /* slot + 1, 0 = none */
    uint64_t    seq;    /* next sequence number */
};

sim_queue *sim_queue_create(void)
{
    sim_queue *q = xcalloc(1, sizeof *q);
    return q;
}

void sim_queue_destroy(sim_queue *q)
{
    if (!q) return;
    for (int i = 0; i < SIM_QUEUE_LANES; i++) free(q->lane[i].e);
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

sim_handle sim_queue_push(sim_queue *q, const sim_event *ev)
{
    uint32_t slot = sim__take_slot(q, ev);
    sim__heap_insert(q, (sim__entry){ ev->t, q->seq++, slot });
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

/* Drops cancelled entries from the heap's top and the lanes' heads. */
static void sim__skip_dead(sim_queue *q)
{
    while (q->n && !(q->slots[q->heap[0].slot].gen & 1u)) {
        uint32_t slot = q->heap[0].slot;
        sim__pop_root(q);
        sim__free_slot(q, slot);
    }
    for (int i = 0; i < q->nlanes; i++) {
        sim__lane *l = &q->lane[i];
        while (l->len && !(q->slots[l->e[l->head].slot].gen & 1u)) {
            sim__free_slot(q, l->e[l->head].slot);
            l->head = (l->head + 1) % l->cap;
            l->len--;
        }
    }
}

/* The source of the least live entry: -1 for the heap, a lane index, or -2 when empty. */
static int sim__least(sim_queue *q)
{
    sim__skip_dead(q);
    int best = q->n ? -1 : -2;
    const sim__entry *b = q->n ? &q->heap[0] : NULL;
    for (int i = 0; i < q->nlanes; i++) {
        const sim__lane *l = &q->lane[i];
        if (l->len && (!b || sim__less(&l->e[l->head], b))) {
            b = &l->e[l->head];
            best = i;
        }
    }
    return best;
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
    int src = sim__least(q);
    if (src == -2) return false;
    uint32_t slot;
    if (src == -1) {
        slot = q->heap[0].slot;
        sim__pop_root(q);
    } else {
        sim__lane *l = &q->lane[src];
        slot = l->e[l->head].slot;
        l->head = (l->head + 1) % l->cap;
        l->len--;
    }
    *out = q->slots[slot].ev;
    q->slots[slot].gen++;
    sim__free_slot(q, slot);
    return true;
}
