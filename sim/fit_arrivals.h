/*
 * fit_arrivals.h — fitting an order log's arrival rate as a periodic profile (hour of the
 * day or of the week) times levels that follow the log (one per day or per week), from the
 * orders created in each hour of the log. The fit is the Poisson maximum-likelihood one
 * (iterative proportional fitting of the two factors, each hour weighted by how long it
 * was observed). Levels are kept only when the log's daily (weekly) totals vary more than
 * chance would make them vary around the profile alone (a chi-square dispersion test at the
 * 1% level); otherwise the profile repeats unchanged, as a stationary shop's would.
 *
 * Hours are counted since 1970-01-01T00:00Z (UTC); days start at midnight and weeks on
 * Monday 00:00 (hour 96 of the epoch), so profile weight 0 is midnight (Monday midnight).
 */
#ifndef FIT_ARRIVALS_H
#define FIT_ARRIVALS_H

#include <stdbool.h>

#define FIT_ARR_WEEK0 96L   /* 1970-01-05T00:00Z, a Monday, in hours since the epoch */

typedef struct fit_arr_in {
    const double *count;     /* orders created in hour h0 + k, k < nh */
    const double *expo;      /* seconds of that hour inside the observed span (0..3600) */
    long          nh, h0;    /* hours, and the first one (hours since the epoch) */
    int           period_h;  /* profile period: 24, 168, or 0 to choose */
    int           level_h;   /* level length: 24, 168, 0 for none, -1 to choose */
} fit_arr_in;

typedef struct fit_arr {
    int     period_h;        /* the profile period chosen: 24 or 168 hours */
    int     level_h;         /* the level length chosen: 24 or 168 hours, 0 = no levels */
    double  rate;            /* mean rate over the observed span, per second */
    double  w[168];          /* profile weights (mean 1), index = hour of the day / week */
    long    nlev;            /* levels (0 when level_h is 0) */
    double *lev;             /* owned: level j's factor (the rate is rate x w x lev) */
    long    lev_first;       /* the first level's index: level j starts at hour
                                align + (lev_first + j) x level_h */
    long    level_tested;    /* the level length the dispersion test used (0: not run) */
    double  chi2, df, p;     /* the test: statistic, degrees of freedom, p-value (NAN: not run) */
    char    why[320];        /* how the period and levels were chosen, for reports */
} fit_arr;

/* Fits the rate. The caller finalises *out with fit_arr_free. count and expo must cover at
 * least one observed second. */
void fit_arr_fit(const fit_arr_in *in, fit_arr *out);
void fit_arr_free(fit_arr *a);
/* The hour of the period of absolute hour h (0 .. period_h - 1). */
int fit_arr_phase(long h, int period_h);
/* The level index (absolute, see lev_first) of hour h for levels of level_h hours. */
long fit_arr_level_of(long h, int level_h);
/* The fitted rate in absolute hour h, per second (the last level holds after the end,
 * the first before the start). */
double fit_arr_rate(const fit_arr *a, long h);

#endif
