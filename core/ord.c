/*
 * ord.c — the order pool: chunks of ORD_CHUNK orders, a free list threaded through
 * next_free (slot index + 1, 0 = end), ids handed out in allocation order.
 */
#include "ord.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ORD_CHUNK 4096

struct ord_pool {
    ord_order **chunks;    /* chunk pointers */
    size_t      nchunks;   /* chunks allocated */
    uint32_t    free_head; /* slot index + 1 of the first free order, 0 = none */
    size_t      live;      /* allocated orders */
    uint64_t    next_id;   /* id of the next order */
};

static ord_order *ord__slot(const ord_pool *p, size_t i) { return &p->chunks[i / ORD_CHUNK][i % ORD_CHUNK]; }

ord_pool *ord_pool_create(void)
{
    ord_pool *p = xcalloc(1, sizeof *p);
    p->next_id = 1;
    return p;
}

void ord_pool_destroy(ord_pool *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->nchunks; i++) free(p->chunks[i]);
    free(p->chunks);
    free(p);
}

ord_order *ord_alloc(ord_pool *p)
{
    if (!p->free_head) {
        size_t base = p->nchunks * ORD_CHUNK;
        OS_ASSERT(base + ORD_CHUNK < UINT32_MAX);
        p->chunks = xrealloc(p->chunks, (p->nchunks + 1) * sizeof *p->chunks);
        p->chunks[p->nchunks++] = xcalloc(ORD_CHUNK, sizeof(ord_order));
        /* Thread the new chunk onto the free list in ascending order. */
        for (size_t i = ORD_CHUNK; i-- > 0;) {
            ord__slot(p, base + i)->next_free = p->free_head;
            p->free_head = (uint32_t)(base + i + 1);
        }
    }
    uint32_t idx = p->free_head - 1;
    ord_order *o = ord__slot(p, idx);
    p->free_head = o->next_free;
    memset(o, 0, sizeof *o);
    o->id = p->next_id++;
    o->flags = ORD_LIVE;
    o->slot = idx;
    p->live++;
    return o;
}

void ord_release(ord_pool *p, ord_order *o)
{
    OS_ASSERT(o->flags & ORD_LIVE);
    uint32_t idx = o->slot;
    OS_ASSERT(idx < p->nchunks * ORD_CHUNK && ord__slot(p, idx) == o);
    o->flags = 0;
    o->next_free = p->free_head;
    p->free_head = idx + 1;
    p->live--;
}

size_t ord_live(const ord_pool *p) { return p->live; }
uint64_t ord_next_id(const ord_pool *p) { return p->next_id; }

ord_order *ord_next_live(const ord_pool *p, size_t *cursor)
{
    size_t n = p->nchunks * ORD_CHUNK;
    while (*cursor < n) {
        ord_order *o = ord__slot(p, (*cursor)++);
        if (o->flags & ORD_LIVE) return o;
    }
    return NULL;
}

void ord_note_time(ord_order *o, fsm_action action, double t)
{
    double ms = (t - o->t_created) * 1000.0 + 1.0;
    uint64_t v = ms >= 1099511627775.0 ? 1099511627775ULL : ms < 1.0 ? 1u : (uint64_t)ms;   /* 40 bits */
    o->at_ms[action] = (uint32_t)v;
    o->at_hi[action] = (uint8_t)(v >> 32);
}

double ord_time_of(const ord_order *o, fsm_action action)
{
    uint64_t v = (uint64_t)o->at_hi[action] << 32 | o->at_ms[action];
    return v ? o->t_created + (double)(v - 1) / 1000.0 : NAN;
}
