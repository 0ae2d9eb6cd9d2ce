/*
 * rpt_stats.h — the statistics the results are read with: Student-t quantiles and the mean
 * of a sample with its 95% half-width. One module, so an interval is computed one way in the
 * summaries, compare's verdicts, sweep's analysis and optimize's elimination.
 */
#ifndef RPT_STATS_H
#define RPT_STATS_H

/* Two-sided 95% Student-t quantile for df degrees of freedom (a table to 30, then within
 * 0.002 of the exact value); NAN for df < 1. */
double rpt_t95(int df);
/* The p-quantile (0 < p < 1) of Student's t with df >= 1 degrees of freedom. */
double rpt_t_quantile(double p, int df);
/* Mean and Student-t 95% half-width of the finite values among xs[0..n): NAN mean when
 * none is finite, NAN half-width when fewer than 2 are. */
void rpt_mean_ci(const double *xs, int n, double *mean, double *ci);

#endif
