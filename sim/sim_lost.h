/*
 * sim_lost.h — genuine customers lost to wasted locks (the metric
 * genuine_customers_lost_to_locks, docs/metrics.md).
 *
 * The simulator reports two kinds of facts as they happen: a genuine customer turned away
 * (stock-out rejection or a display showing 0) while units of the SKU it wanted were locked,
 * attributed to the first line whose SKU was short (available < quantity) with units locked;
 * and a wasted lock: units of a SKU an order held from t0 to t1 and gave back without paying
 * (it expired or was cancelled unpaid, or its checkout lock went with a failed or abandoned
 * payment after which the order cannot pay). At the end of the run each wasted unit is
 * matched to at most one customer turned away for that SKU within its hold [t0, t1] who was
 * never served: greedily, wasted locks in order of release, each unit to the earliest such
 * customer not yet counted. The count is what the wasted locks cost, never more than the
 * units they held; locks that were later paid for (busy locks) cost nothing here.
 *
 * Memory: one record per turn-away (after warmup) and per wasted line, kept for the run.
 */
#ifndef SIM_LOST_H
#define SIM_LOST_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_lost sim_lost;

/* Creates an empty record for a catalog of n SKUs. Caller destroys. */
sim_lost *sim_lost_create(int n_skus);
void sim_lost_destroy(sim_lost *l);
/* A genuine customer turned away at time t for SKU `sku` (units of it locked then). */
void sim_lost_away(sim_lost *l, double t, uint64_t customer, uint32_t sku);
/* `units` of SKU `sku` were locked from t0 to t1 by an order that never paid for them.
 * Calls come in order of t1. */
void sim_lost_wasted(sim_lost *l, double t0, double t1, uint32_t sku, int64_t units);
/* The customers the wasted units cost (see above); `served(ctx, customer)` says whether a
 * customer got a served order (such a customer is not lost). */
int64_t sim_lost_count(sim_lost *l, bool (*served)(const void *ctx, uint64_t customer), const void *ctx);

#endif
