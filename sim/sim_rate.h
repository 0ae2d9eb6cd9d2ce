/*
 * sim_rate.h — a scenario's arrival rate as a function of time, walked segment by segment:
 * the base rate (`rate`, then each `schedule` entry from its time), times the profile's
 * weight in force (the weights normalised to mean 1, repeating every `profile.period`),
 * times the level in force (`levels.values[i]` from i x `levels.every` - `levels.offset`,
 * the last one holding). The product is piecewise constant; its breakpoints are computed
 * from integer bin indexes carried along, so a walk over years of hourly bins never drifts.
 *
 * Arrivals are drawn by inverting the cumulative rate (docs/scenarios.md, customers). A
 * scenario without a profile and levels is drawn by sim_model.c's own table of schedule
 * segments, as before; this walker serves the shaped ones, the run estimate and warnings.
 */
#ifndef SIM_RATE_H
#define SIM_RATE_H

#include "scn.h"

#include <stdint.h>

typedef struct sim_rate {
    const scn_scenario *s;   /* the scenario (borrowed) */
    double  t0, t1;          /* the current segment [t0, t1); t1 is INFINITY for the last */
    double  r;               /* its rate, per second */
    double  cum;             /* expected arrivals over [0, t0) */
    int     si;              /* schedule entries already in force */
    int64_t pj;              /* profile bin since the period's start before time 0 */
    int64_t li;              /* level in force */
} sim_rate;

/* True when the scenario shapes its rate with a profile or levels. */
bool sim_rate_shaped(const scn_scenario *s);
/* Starts a walk at the segment holding time 0 (caller's memory, nothing to free). */
void sim_rate_init(sim_rate *it, const scn_scenario *s);
/* Moves to the next segment; does nothing on the last. */
void sim_rate_next(sim_rate *it);
/* The time at which the expected arrivals since 0 reach L (L at or after every earlier
 * call's: the walk only moves forward), or INFINITY when that is at or after `limit`
 * or never. */
double sim_rate_invert(sim_rate *it, double L, double limit);
/* Expected arrivals over [0, t). */
double sim_rate_cum(const scn_scenario *s, double t);

#endif
