/*
 * sim_fault.h — fault windows (docs/scenarios.md "Faults"): when a part of the system is out
 * or slow. Pure queries over the scenario's `faults` list, so every part that a fault can
 * target (payment, the stock store and its cache, the order service, the warehouse, each
 * service) asks the same question the same way.
 *
 * A window is [at, at + duration). During an outage a request arriving at the target fails at
 * once, requests in service complete, queued ones wait for the end (and time out if the
 * target has a timeout); `slow` multiplies the service time of services that start inside
 * the window by `factor` (overlapping slow windows multiply).
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include "scn.h"

#include <stdbool.h>

/* True when `target` (for SCN_FT_SERVICE: service number `svc`) is out at time t. */
bool sim_fault_out(const scn_scenario *s, scn_fault_target target, int svc, double t);
/* The factor on service times starting at t: the product of the slow windows in force, 1
 * when none. */
double sim_fault_factor(const scn_scenario *s, scn_fault_target target, int svc, double t);
/* The end of the outage of `target` in force at t (the latest end of the outages that
 * overlap at t, following chained windows), or t itself when none is. */
double sim_fault_out_until(const scn_scenario *s, scn_fault_target target, int svc, double t);
/* True when the scenario has any fault on `target` (any service, for SCN_FT_SERVICE with svc
 * -1): the simulator then arms the windows' ends. */
bool sim_fault_any(const scn_scenario *s, scn_fault_target target, int svc);

#endif
