/*
 * rpt_int.h — helpers shared by the reports module's files; nothing outside reports/
 * includes it.
 */
#ifndef RPT_INT_H
#define RPT_INT_H

/* Mean and Student-t 95% half-width of the finite values among xs[0..n): NAN mean when
 * none is finite, NAN half-width when fewer than 2 are. */
void rpt__mean_ci(const double *xs, int n, double *mean, double *ci);

#endif
