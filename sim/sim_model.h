/*
 * sim_model.h — one simulation run: a scenario under a strategy and a seed, in virtual time,
 * driving the order core through the process engine, filling a results record.
 *
 * What happens when (arrivals, think times, payments, production, delivery, returns, timers)
 * is decided here; what is allowed and what it does is decided by the core. The exact
 * semantics are in docs/metrics.md.
 */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include "rpt.h"
#include "scn.h"

#include <stdio.h>

typedef struct sim_opts {
    const char *strategy;        /* override the scenario's strategy; NULL keeps it */
    uint64_t    seed;            /* the run's seed (replication r uses scenario seed + r) */
    int         replication;     /* recorded in the results */
    bool        check_every_event; /* run every invariant after each event (slow; debug) */
    bool        ledger;          /* keep the inventory ledger (replayed at the end) and every order transition */
    FILE       *orders_csv;      /* when not NULL: every order (one row per line) in the order-log format
                                    (docs/calibration.md), time 0 written as 2026-01-05T00:00:00Z */
} sim_opts;

#define SIM_LOG_EPOCH 1767571200.0   /* 2026-01-05T00:00:00Z, a Monday: time 0 in sim_opts.orders_csv */

/* Writes the order log's header row (the columns sim_run writes to sim_opts.orders_csv). */
void sim_orders_csv_header(FILE *f);

/* What a run of the scenario would cost, estimated from its parameters before running:
 * expected customers (the cumulative arrival rate over the horizon, capped), orders,
 * events, wall seconds at a conservative 1.5 M events/s, and peak memory from the orders in
 * flight (order rate x the longest time an order can stay open) at ~400 bytes each. */
typedef struct sim_estimate {
    double customers, orders, events, seconds, bytes;
} sim_estimate;
void sim_estimate_run(const scn_scenario *s, sim_estimate *e);

/* Runs the scenario. `out` must be initialised with rpt_run_init; it is filled with every
 * metric, station figure, series and invariant result. Returns OS_OK, or OS_EINVAL when the
 * strategy name is unknown. An invariant breach is reported in out, not as a status. */
os_status sim_run(const scn_scenario *s, const sim_opts *opts, rpt_run *out);

#endif
