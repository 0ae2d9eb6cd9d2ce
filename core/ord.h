/*
 * ord.h — orders and the pool they live in.
 *
 * An order is a record the process engine (proc_) owns and mutates; other modules read it.
 * Its struct is public, unlike other stateful objects, because the simulator reads its
 * fields on every event and an accessor per field would cost on the hot path; only proc.c
 * writes to the fields marked (proc), and the simulator owns the fields marked (caller).
 *
 * The record is kept small (about 280 bytes) because memory follows orders in flight: a
 * shop with a week-long after-sale window holds a week of orders.
 *
 * Orders come from a pool of fixed-size chunks with a free list: no malloc per order, and
 * memory follows orders in flight, not orders ever made (a closed order returns to the pool).
 */
#ifndef ORD_H
#define ORD_H

#include "fsm.h"
#include "inv.h"
#include "promo.h"

#define ORD_MAX_LINES 8
/* The longest an order's recorded times stay exact to the millisecond after its creation
 * (40-bit milliseconds, ~34.8 years); a scenario's horizon may not be longer. */
#define ORD_MAX_AGE 1099511627.0

enum {
    ORD_MALICIOUS = 1u << 0, /* placed by a bot */
    ORD_PAYING    = 1u << 1, /* a payment is in flight */
    ORD_PAID      = 1u << 2, /* money captured */
    ORD_SOLD      = 1u << 3, /* units deducted from stock */
    ORD_SETTLED   = 1u << 4, /* closed without payment: risk control was told once */
    ORD_PROMO_BACK= 1u << 5, /* promotion budgets given back (at most once) */
    ORD_PARTIAL   = 1u << 6, /* lines came back: captured - refunded is the kept lines' payable */
    ORD_LIVE      = 1u << 7, /* allocated from the pool */
};

typedef struct ord_order {
    uint64_t     id;                          /* (proc) sequential from 1 */
    uint64_t     buyer;                       /* (proc) account that placed it */
    uint64_t     customer;                    /* (proc) visitor behind the account */
    uint8_t      state;                       /* (proc) index in the process definition */
    uint8_t      flags;                       /* (proc) ORD_* bits */
    uint8_t      n_lines;                     /* (proc) lines in use */
    uint8_t      n_sub;                       /* (proc) sub-orders made at payment: one per
                                                 distinct (warehouse, merchant) of the lines */
    uint8_t      channel;                     /* (proc) payment channel (the payment record) */
    bool         holds_lock;                  /* (proc) units locked in inventory */
    uint8_t      fsm;                         /* (proc) the process it follows (proc_fsm_of) */
    uint8_t      tier;                        /* (proc) membership tier, 1-based; 0 = none */
    uint32_t     points;                      /* (proc) membership points held: awarded at
                                                 payment, less those returned */
    uint32_t     address;                     /* (proc) shipping address id */
    inv_line     lines[ORD_MAX_LINES];        /* (proc) SKU and quantity; unit prices and
                                                 warehouses are the catalog's, fixed for a run */
    uint8_t      sub_wh[ORD_MAX_LINES];       /* (proc) warehouse of each sub-order */
    uint8_t      sub_merchant[ORD_MAX_LINES]; /* (proc) merchant of each sub-order */
    promo_result price;                       /* (proc) list total, discounts, payable */
    os_money     captured;                    /* (proc) money taken by payment */
    os_money     refunded;                    /* (proc) money given back */
    double       t_created;                   /* (proc) virtual time of creation */
    uint32_t     at_ms[FSM_ACTION_COUNT];     /* (proc) last time each action was applied, as
                                                 1 + milliseconds after creation (0 = never),
                                                 low 32 bits; see ord_time_of */
    uint8_t      at_hi[FSM_ACTION_COUNT];     /* (proc) its bits 32..39: exact to the millisecond
                                                 for 34.8 years after creation (ORD_MAX_AGE) */
    double       t_hop;                       /* (proc) virtual time of the last transition */
    uint32_t     hops;                        /* (proc) transitions made at t_hop (loop guard) */
    uint64_t     timer;                       /* (caller) handle of the armed timer, 0 = none */
    uint32_t     aux;                         /* (caller) free for the simulator */
    uint8_t      sub_done;                    /* (caller) sub-orders the warehouse finished */
    uint32_t     slot;                        /* (pool) index in the pool */
    uint32_t     next_free;                   /* (pool) free-list link */
} ord_order;

typedef struct ord_pool ord_pool;

/* Creates an empty pool. Caller destroys with ord_pool_destroy (which frees every order). */
ord_pool *ord_pool_create(void);
void ord_pool_destroy(ord_pool *p);
/* Returns a zeroed order marked ORD_LIVE with the next id. Owned by the pool. */
ord_order *ord_alloc(ord_pool *p);
/* The id the next ord_alloc will hand out. */
uint64_t ord_next_id(const ord_pool *p);
/* Returns an order to the pool; the pointer is dead afterwards. */
void ord_release(ord_pool *p, ord_order *o);
/* Orders currently allocated. */
size_t ord_live(const ord_pool *p);
/* Iterates live orders: start with *cursor = 0; returns NULL at the end. */
ord_order *ord_next_live(const ord_pool *p, size_t *cursor);
/* Records that `action` happened at time t (compact, millisecond resolution, exact up to
 * ORD_MAX_AGE seconds after creation). */
void ord_note_time(ord_order *o, fsm_action action, double t);
/* When `action` last happened to the order (to the millisecond), or NAN if never. */
double ord_time_of(const ord_order *o, fsm_action action);

#endif
