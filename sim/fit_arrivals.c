/*
 * fit_arrivals.c — the arrival rate of an order log. See fit_arrivals.h.
 */
#include "fit_arrivals.h"

#include "os.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIT_ARR_DAY_MIN 50.0   /* orders per day, on average, for daily levels (else weekly) */

static long fit__floordiv(long a, long b) { long q = a / b; return q * b > a ? q - 1 : q; }

int fit_arr_phase(long h, int period_h)
{
    long x = period_h == 168 ? h - FIT_ARR_WEEK0 : h;
    long r = x - fit__floordiv(x, period_h) * period_h;
    return (int)r;
}

long fit_arr_level_of(long h, int level_h)
{
    return fit__floordiv(level_h == 168 ? h - FIT_ARR_WEEK0 : h, level_h);
}

double fit_arr_rate(const fit_arr *a, long h)
{
    double r = a->rate * a->w[fit_arr_phase(h, a->period_h)];
    if (a->level_h && a->nlev) {
        long j = fit_arr_level_of(h, a->level_h) - a->lev_first;
        r *= a->lev[j < 0 ? 0 : j >= a->nlev ? a->nlev - 1 : j];
    }
    return r;
}

/* Standard normal upper tail. */
static double fit__q(double z) { return 0.5 * erfc(z / sqrt(2.0)); }

/* Upper tail of the chi-square law with df degrees of freedom at x (Wilson-Hilferty: the
 * cube root of chi2 / df is close to normal; within 0.001 of the exact tail for df >= 3). */
static double fit__chi2_tail(double x, double df)
{
    if (df <= 0) return 1;
    double v = 2 / (9 * df);
    return fit__q((cbrt(x / df) - (1 - v)) / sqrt(v));
}

/* The profile alone: weight of each hour of the period = its count / its exposure,
 * normalised to mean 1 over the period; hours observed under a minute get the mean. */
static void fit__profile(const fit_arr_in *in, int period_h, const double *lev_of_h, double *w)
{
    double c[168] = { 0 }, e[168] = { 0 };
    for (long k = 0; k < in->nh; k++) {
        int p = fit_arr_phase(in->h0 + k, period_h);
        c[p] += in->count[k];
        e[p] += in->expo[k] * (lev_of_h ? lev_of_h[k] : 1);
    }
    double tc = 0, te = 0;
    for (int p = 0; p < period_h; p++) { tc += c[p]; te += e[p]; }
    double mean = te > 0 ? tc / te : 0, m = 0;
    for (int p = 0; p < period_h; p++) w[p] = e[p] >= 60 && mean > 0 ? c[p] / e[p] / mean : 1;
    for (int p = 0; p < period_h; p++) m += w[p] / period_h;
    for (int p = 0; p < period_h; p++) w[p] = m > 0 ? w[p] / m : 1;
}

void fit_arr_fit(const fit_arr_in *in, fit_arr *a)
{
    memset(a, 0, sizeof *a);
    a->chi2 = a->df = a->p = NAN;
    double tc = 0, te = 0;
    for (long k = 0; k < in->nh; k++) { tc += in->count[k]; te += in->expo[k]; }
    if (te < 3600) te = 3600;                  /* a log of under an hour: one hour of flat traffic */
    a->rate = tc / te;
    double days = te / 86400;
    int level_h = in->level_h;
    bool chose_level = level_h < 0;
    if (chose_level) level_h = tc / (days > 1 ? days : 1) >= FIT_ARR_DAY_MIN ? 24 : 168;
    int period_h = in->period_h ? in->period_h : level_h == 168 ? 168 : 24;
    a->period_h = period_h;
    fit__profile(in, period_h, NULL, a->w);
    if (level_h <= 0) {
        snprintf(a->why, sizeof a->why, "a profile per hour of the %s, repeated (no levels: --levels none)", period_h == 24 ? "day" : "week");
        return;
    }
    /* Levels: totals and profile-weighted exposures per level. */
    long l0 = fit_arr_level_of(in->h0, level_h), l1 = fit_arr_level_of(in->h0 + in->nh - 1, level_h);
    long nl = l1 - l0 + 1;
    double *lc = xcalloc((size_t)nl, sizeof *lc), *le = xcalloc((size_t)nl, sizeof *le);
    double *levh = xmalloc((size_t)in->nh * sizeof *levh);
    for (long k = 0; k < in->nh; k++) lc[fit_arr_level_of(in->h0 + k, level_h) - l0] += in->count[k];
    /* The dispersion test: the level totals against the profile alone. */
    double x2 = 0;
    long used = 0;
    for (long k = 0; k < in->nh; k++) le[fit_arr_level_of(in->h0 + k, level_h) - l0] += in->expo[k] * a->w[fit_arr_phase(in->h0 + k, period_h)];
    for (long j = 0; j < nl; j++) {
        double e = a->rate * le[j];
        if (e <= 0) continue;
        x2 += (lc[j] - e) * (lc[j] - e) / e;
        used++;
    }
    a->level_tested = level_h;
    a->chi2 = x2;
    a->df = (double)(used - 1);
    a->p = used >= 2 ? fit__chi2_tail(x2, a->df) : 1;
    const char *unit = level_h == 24 ? "daily" : "weekly";
    if (chose_level && (used < 2 || a->p >= 0.01)) {
        snprintf(a->why, sizeof a->why, "a profile per hour of the %s, repeated: the %ld %s totals vary no more than chance "
                 "around it (chi-square %.1f on %.0f degrees of freedom, p = %.3g >= 0.01), so no levels",
                 period_h == 24 ? "day" : "week", used, unit, x2, a->df, a->p);
        free(lc); free(le); free(levh);
        return;
    }
    /* Iterative proportional fitting: levels given the profile, the profile given the levels. */
    double *lev = xmalloc((size_t)nl * sizeof *lev);
    for (long j = 0; j < nl; j++) lev[j] = 1;
    for (int it = 0; it <= 200; it++) {
        memset(le, 0, (size_t)nl * sizeof *le);
        for (long k = 0; k < in->nh; k++) le[fit_arr_level_of(in->h0 + k, level_h) - l0] += in->expo[k] * a->w[fit_arr_phase(in->h0 + k, period_h)];
        double change = 0;
        for (long j = 0; j < nl; j++) {
            double v = le[j] > 0 ? lc[j] / (a->rate * le[j]) : 1;
            change = fmax(change, fabs(v - lev[j]));
            lev[j] = v;
        }
        for (long k = 0; k < in->nh; k++) levh[k] = lev[fit_arr_level_of(in->h0 + k, level_h) - l0];
        if (change < 1e-9 || it == 200) break;   /* ends on a levels step: every level's total is matched */
        fit__profile(in, period_h, levh, a->w);
    }
    /* The levels' exposure-weighted mean is 1, so `rate` stays the span's mean rate. */
    double num = 0, den = 0;
    for (long k = 0; k < in->nh; k++) {
        double x = in->expo[k] * a->w[fit_arr_phase(in->h0 + k, period_h)];
        num += x * levh[k];
        den += x;
    }
    double scale = den > 0 && num > 0 ? num / den : 1;
    for (long j = 0; j < nl; j++) lev[j] /= scale;
    a->rate *= scale;
    a->level_h = level_h;
    a->nlev = nl;
    a->lev = lev;
    a->lev_first = l0;
    if (chose_level)
        snprintf(a->why, sizeof a->why, "a profile per hour of the %s times %s levels: the %ld %s totals vary more than chance "
                 "around the profile alone (chi-square %.1f on %.0f degrees of freedom, p = %.3g < 0.01)",
                 period_h == 24 ? "day" : "week", unit, used, unit, x2, a->df, a->p);
    else
        snprintf(a->why, sizeof a->why, "a profile per hour of the %s times %s levels (--levels)", period_h == 24 ? "day" : "week", unit);
    free(lc); free(le); free(levh);
}

void fit_arr_free(fit_arr *a)
{
    if (!a) return;
    free(a->lev);
    a->lev = NULL;
}
