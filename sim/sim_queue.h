/*
 * sim_queue.h — the event queue: earliest (time, seq) first.
 *
 * seq is a counter taken when an event is scheduled, so events at the same instant run in
 * the order they were scheduled (FIFO ties, as libuv orders equal timers). Event payloads
 * live in a pool with a free list; the queue's structures hold (time, seq, slot) only, so
 * moving an entry moves 24 bytes. Scheduling returns a handle (slot and generation);
 * cancelling by handle marks the event dead in O(1) and the pop skips it (lazy deletion),
 * which costs less than removing it from the middle of a heap for timers that are mostly
 * cancelled (expiry after payment).
 *
 * Where events wait: a radix heap keyed by the time's bits (most events: times only move
 * forward in a simulation, so a push is never earlier than what the radix heap last
 * handed out; pushing is O(1) and each entry is moved a few times before it pops, where a
 * heap sifts through log(n) levels on every pop), a 4-ary heap (while few events are
 * pending, and for the rare push earlier than the radix heap's last refill or at a negative
 * time), and FIFO lanes.
 *
 * Lanes: timers armed with one constant delay (every order's expiry is created + 15 min) fire
 * in the order they were armed, so they need no heap: each lane is a FIFO of (time, seq)
 * entries, O(1) to push and pop. A push whose time is earlier than its lane's last entry goes
 * to the heaps instead, so lanes are always sorted whatever the caller does. The pop takes
 * the least (time, seq) among the radix heap's head, the 4-ary heap's root and the lanes'
 * heads: exactly the order a single heap would give.
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_event {
    double   t;        /* when it fires */
    uint16_t type;     /* the model's event type */
    uint16_t flags;    /* the model's bits */
    uint32_t u32;      /* small payload */
    uint64_t u64;      /* payload, e.g. an order id or customer id */
    void    *ptr;      /* payload, e.g. an order */
} sim_event;

typedef uint64_t sim_handle;  /* 0 is never a live handle */

typedef struct sim_queue sim_queue;

/* Creates an empty queue. Caller destroys. */
sim_queue *sim_queue_create(void);
void sim_queue_destroy(sim_queue *q);

/* Schedules a copy of *ev at ev->t. Returns its handle. */
sim_handle sim_queue_push(sim_queue *q, const sim_event *ev);
#define SIM_QUEUE_LANES 8
/* Schedules into FIFO lane `lane` (0..SIM_QUEUE_LANES-1) when that keeps the lane sorted,
 * else as sim_queue_push does. Same contract as sim_queue_push. */
sim_handle sim_queue_push_lane(sim_queue *q, const sim_event *ev, int lane);
/* Cancels a scheduled event; a stale or zero handle is ignored. Returns true if cancelled. */
bool sim_queue_cancel(sim_queue *q, sim_handle h);
/* Removes the earliest live event into *out; false when none is left. */
bool sim_queue_pop(sim_queue *q, sim_event *out);

#endif
