/*
 * fit_trip.h — the round trip of a fit: the same figures measured on an order log and on
 * the orders of one run of the scenario fitted to it (volume, paid share, created -> paid
 * quartiles and p90, orders per hour of the day), so a fit report can put the log's value
 * beside the simulated one for each.
 *
 * The run writes its orders in the order-log format (sim_opts.orders_csv) to a temporary
 * file that is read back with the log reader, so both sides go through the same code.
 */
#ifndef FIT_TRIP_H
#define FIT_TRIP_H

#include "scn.h"

#include <stddef.h>

typedef struct fit_trip {
    double orders;          /* orders created in the window */
    double paid;            /* of which paid (at any time) */
    double share;           /* paid / orders (NAN without orders) */
    double q[3];            /* created -> paid at 25%, 50%, 90% of paid orders, seconds (NAN: none) */
    double hod[24];         /* orders created per hour of the day (UTC) */
} fit_trip;

/* The figures of the orders created in [w0, w1) (seconds since the epoch); created[i] and
 * paid[i] are order i's times (paid NAN when never paid). */
void fit_trip_summarize(const double *created, const double *paid, size_t n, double w0, double w1, fit_trip *out);
/* Runs s once at `seed` and measures its orders as if its time 0 were w0 (seconds since the
 * epoch), over [w0, w0 + s->horizon). OS_EIO (message in diag) when the temporary log
 * cannot be written or read; OS_EDATA when the run fails its invariants. */
os_status fit_trip_simulate(const scn_scenario *s, uint64_t seed, double w0, fit_trip *out, os_diag *diag);
/* Pearson correlation of two series of n values (NAN when either is constant). */
double fit_trip_corr(const double *a, const double *b, int n);

#endif
