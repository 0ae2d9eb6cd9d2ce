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

struct sim_queue {
    sim__entry *heap;   /* the heap */
    size_t      n, cap; /* entries used / allocated */
    size_t      peak;   /* most entries at once */
    sim__slot  *slots;  /* payload pool */
    uint32_t    nslots, capslots; /* used / allocated slots */
    uint32_t    free_head; /* slot + 1, 0 = none */
    uint64_t    seq;    /* next sequence number */
    size_t      live;   /* scheduled and not cancelled */
};

sim_queue *sim_queue_create(void)
{
    sim_queue *q = xcalloc(1, sizeof *q);
    return q;
}

void sim_queue_destroy(sim_queue *q)
{
    if (!q) return;
    free(q->heap);
    free(q->slots);
    free(q);
}

static inline bool sim__less(const sim__entry *a, const sim__entry *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

sim_handle sim_queue_push(sim_queue *q, const sim_event *ev)
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
    s->gen++; /* now odd: scheduled */
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 1024;
        q->heap = xrealloc(q->heap, q->cap * sizeof *q->heap);
    }
    sim__entry e = { ev->t, q->seq++, slot };
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!sim__less(&e, &q->heap[p])) break;
        q->heap[i] = q->heap[p];
        i = p;
    }
    q->heap[i] = e;
    if (q->n > q->peak) q->peak = q->n;
    q->live++;
    return ((uint64_t)slot << 32) | s->gen;
}

bool sim_queue_cancel(sim_queue *q, sim_handle h)
{
    if (!h) return false;
    uint32_t slot = (uint32_t)(h >> 32), gen = (uint32_t)h;
    if (slot >= q->nslots || q->slots[slot].gen != gen || !(gen & 1u)) return false;
    q->slots[slot].gen++; /* even: dead; the heap entry is skipped when it surfaces */
    q->live--;
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

/* Drops cancelled entries from the top so the root is live (or the heap is empty). */
static void sim__skip_dead(sim_queue *q)
{
    while (q->n && !(q->slots[q->heap[0].slot].gen & 1u)) {
        uint32_t slot = q->heap[0].slot;
        sim__pop_root(q);
        sim__free_slot(q, slot);
    }
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
    sim__skip_dead(q);
    if (!q->n) return false;
    uint32_t slot = q->heap[0].slot;
    sim__pop_root(q);
    *out = q->slots[slot].ev;
    q->slots[slot].gen++;
    sim__free_slot(q, slot);
    q->live--;
    return true;
}

double sim_queue_peek_time(sim_queue *q)
{
    sim__skip_dead(q);
    return q->n ? q->heap[0].t : INFINITY;
}

size_t sim_queue_size(const sim_queue *q) { return q->live; }
size_t sim_queue_peak(const sim_queue *q) { return q->peak; }
