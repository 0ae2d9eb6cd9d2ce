/*
 * sim_model.h — one simulation run: a scenario under a strategy and a seed, in virtual time,
 * driving the order core through the process engine, filling a results record.
 *
 * What happens when (arrivals, think times, payments, production, delivery, returns, timers)
 * is decided here; what is allowed and what it does is decided by the core. The exact
 * semantics are in docs/metrics.md and ../shared/CONTRACT.md.
 */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include "rpt.h"
#include "scn.h"

typedef struct sim_opts {
    const char *strategy;        /* override the scenario's strategy; NULL keeps it */
    uint64_t    seed;            /* the run's seed (replication r uses scenario seed + r) */
    int         replication;     /* recorded in the results */
    bool        check_every_event; /* run every invariant after each event (slow; debug) */
    bool        ledger;          /* keep the inventory ledger (replayed at the end) and every order transition */
} sim_opts;

/* Runs the scenario. `out` must be initialised with rpt_run_init; it is filled with every
 * metric, station figure, series and invariant result. Returns OS_OK, or OS_EINVAL when the
 * strategy name is unknown. An invariant breach is reported in out, not as a status. */
os_status sim_run(const scn_scenario *s, const sim_opts *opts, rpt_run *out);

#endif
