/*
 * fit.h — fitting delay distributions to samples: exponential and lognormal by maximum
 * likelihood, a mixture of lognormals by expectation-maximisation (two or three components,
 * on the logs), each scored by its Kolmogorov-Smirnov distance to the sample; the simplest
 * family that fits about as well as the best is kept, and an empirical distribution of
 * quantiles replaces them all when none fits (KS above a limit).
 *
 * Everything is deterministic (no random restarts): the same sample gives the same fit.
 */
#ifndef FIT_H
#define FIT_H

#include "sim_rng.h"

#include <stddef.h>

#define FIT_MAX_K     3     /* mixture components tried: 2 and 3 */
#define FIT_MAX_Q     100   /* quantiles kept by the empirical fallback */
#define FIT_MIN_VALUE 1e-3  /* a delay of 0 is read as 1 ms for the lognormal families (logs keep ms) */

typedef enum fit_family { FIT_EXP, FIT_LOGNORMAL, FIT_MIXTURE, FIT_EMPIRICAL, FIT_NFAMILIES } fit_family;

typedef struct fit_result {
    size_t     n;                       /* sample size */
    fit_family family;                  /* the family kept */
    double     mean;                    /* exp: mean */
    double     median, sigma;           /* lognormal */
    int        k;                       /* mixture: components */
    double     w[FIT_MAX_K], med[FIT_MAX_K], sig[FIT_MAX_K]; /* mixture: weight, median, sigma */
    int        nq;                      /* empirical: quantiles */
    double     q[FIT_MAX_Q];            /* empirical: values at probabilities (i + 0.5) / nq */
    double     ks;                      /* KS distance of the family kept */
    double     ks_of[FIT_NFAMILIES];    /* KS of each family tried (NAN when not tried) */
    double     ks_max;                  /* the limit applied */
    double     trunc;                   /* values above it were never seen (0: none) */
} fit_result;

/* The family's name as a scenario writes it ("exp", "lognormal", "mixture", "empirical"). */
const char *fit_family_name(fit_family f);
/* Maximum-likelihood fits. x need not be sorted. `trunc` > 0: the sample is right-truncated
 * there (values above it could not be seen, e.g. think times past the order expiry: such a
 * buyer's order expired), and the fit is of the whole law, by EM with the unseen values as
 * missing data; 0: no truncation. */
double fit_exp_mean(const double *x, size_t n, double trunc);
void fit_lognormal(const double *x, size_t n, double trunc, double *median, double *sigma);
/* EM for a k-component lognormal mixture (k <= FIT_MAX_K), started from the sample's
 * quantiles; returns the iterations used. x must be sorted ascending. */
int fit_mixture(const double *x, size_t n, int k, double trunc, double *w, double *med, double *sig);
/* The fitted CDF at t (of the whole law, truncation ignored). */
double fit_cdf(const fit_result *f, double t);
/* The CDF of the values that can be seen: fit_cdf(t) / fit_cdf(trunc) below f->trunc. */
double fit_cdf_seen(const fit_result *f, double t);
/* KS distance between the sorted sample and fit_cdf_seen. */
double fit_ks(const double *sorted, size_t n, const fit_result *f);
/* Sorts x in place and fits every family (truncated at `trunc`, 0 for none); keeps the best
 * (see the file comment). ks_max < 0 means the default: the larger of 0.05 and the 5%
 * critical value 1.36 / sqrt(n). n >= 1. */
void fit_best(double *x, size_t n, double ks_max, double trunc, fit_result *out);
/* The fit as a scenario distribution; `arena` must hold 3 * FIT_MAX_Q doubles and outlives
 * the distribution (mixture pairs and weights, or empirical values and weights). */
void fit_to_dist(const fit_result *f, double *arena, sim_dist *out);

#endif
