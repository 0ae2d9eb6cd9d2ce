/*
 * fit.c — distribution fitting. See fit.h.
 *
 * Model choice: a family with more parameters always fits a sample at least as closely, so
 * the KS distance alone would always pick the mixture. A simpler family is kept unless a
 * more complex one beats it by more than 0.5 / sqrt(n), a fraction of the distance that
 * sampling noise alone produces (about 0.87 / sqrt(n) on average for the true law).
 */
#include "fit.h"

#include "os.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *fit_family_name(fit_family f)
{
    static const char *const n[] = { "exp", "lognormal", "mixture", "empirical" };
    return (unsigned)f < FIT_NFAMILIES ? n[f] : "?";
}

static double fit__log(double x) { return log(x > FIT_MIN_VALUE ? x : FIT_MIN_VALUE); }

/* Standard normal CDF. */
static double fit__phi(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

double fit_exp_mean(const double *x, size_t n, double trunc)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    double m = n ? s / (double)n : 0;
    if (!(trunc > 0) || !(m > 0) || m >= trunc) return m;
    /* Right-truncated at T: EM with the values beyond T as missing data. Each step adds the
     * expected number of unseen values, n e^(-T/m) / (1 - e^(-T/m)), each with the
     * conditional mean T + m (memoryless). */
    for (int it = 0; it < 1000; it++) {
        double p = exp(-trunc / m), miss = (double)n * p / (1 - p);
        double next = (s + miss * (trunc + m)) / ((double)n + miss);
        if (fabs(next - m) < 1e-10 * m) { m = next; break; }
        m = next;
    }
    return m;
}

/* The untruncated maximum-likelihood lognormal: mean and standard deviation of the logs. */
static void fit__lognormal_plain(const double *x, size_t n, double *median, double *sigma)
{
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++) m += fit__log(x[i]);
    m /= (double)n;
    for (size_t i = 0; i < n; i++) v += (fit__log(x[i]) - m) * (fit__log(x[i]) - m);
    *median = exp(m);
    *sigma = n > 1 ? sqrt(v / (double)n) : 0;
}


/* EM for a k-component normal mixture on the logs y (from the start values in mu, sd, w),
 * right-truncated at tau (INFINITY: none). Truncation is handled by treating the values
 * beyond tau as missing data (the classic EM for truncated samples): each step adds, per
 * component, the expected number of unseen values n w_j (1 - Phi(a_j)) / F(tau), a_j =
 * (tau - mu_j) / sd_j, with the moments of a normal truncated below at tau (E[z] = lambda,
 * E[z^2] = 1 + a lambda, lambda = phi(a) / (1 - Phi(a))). Returns the iterations used. */
static int fit__em(const double *y, size_t n, int k, double tau, double floor_sd, double *mu, double *sd, double *w)
{
    double *r = xmalloc(n * (size_t)k * sizeof *r);
    double prev = -INFINITY;
    int it;
    for (it = 0; it < 500; it++) {
        double ll = 0;
        for (size_t i = 0; i < n; i++) {       /* E step, in log space for stability */
            double lp[FIT_MAX_K], mx = -INFINITY;
            for (int j = 0; j < k; j++) {
                double z = (y[i] - mu[j]) / sd[j];
                lp[j] = log(w[j] > 1e-300 ? w[j] : 1e-300) - log(sd[j]) - 0.5 * z * z;
                if (lp[j] > mx) mx = lp[j];
            }
            double s = 0;
            for (int j = 0; j < k; j++) s += exp(lp[j] - mx);
            for (int j = 0; j < k; j++) r[i * (size_t)k + (size_t)j] = exp(lp[j] - mx) / s;
            ll += mx + log(s);
        }
        double Ft = 1, tail[FIT_MAX_K] = { 0 };
        if (isfinite(tau)) {
            Ft = 0;
            for (int j = 0; j < k; j++) {
                tail[j] = 1 - fit__phi((tau - mu[j]) / sd[j]);
                Ft += w[j] * (1 - tail[j]);
            }
            if (Ft < 1e-12) Ft = 1e-12;
            ll -= (double)n * log(Ft);         /* the truncated likelihood */
        }
        double tot = 0, nw[FIT_MAX_K];
        for (int j = 0; j < k; j++) {          /* M step */
            double sw = 0, sy = 0, syy = 0;
            for (size_t i = 0; i < n; i++) {
                double q = r[i * (size_t)k + (size_t)j];
                sw += q; sy += q * y[i]; syy += q * y[i] * y[i];
            }
            if (tail[j] > 1e-12) {             /* the unseen values beyond tau */
                double a = (tau - mu[j]) / sd[j];
                double lam = 0.3989422804014327 * exp(-0.5 * a * a) / tail[j];
                double m = (double)n * w[j] * tail[j] / Ft;
                double e1 = mu[j] + sd[j] * lam;
                double e2 = mu[j] * mu[j] + 2 * mu[j] * sd[j] * lam + sd[j] * sd[j] * (1 + a * lam);
                sw += m; sy += m * e1; syy += m * e2;
            }
            nw[j] = sw;
            tot += sw;
            if (sw < 1e-9) continue;           /* an empty component keeps its place */
            mu[j] = sy / sw;
            double v = syy / sw - mu[j] * mu[j];
            sd[j] = v > 0 ? sqrt(v) : 0;
            if (sd[j] < floor_sd) sd[j] = floor_sd;
        }
        for (int j = 0; j < k; j++) w[j] = nw[j] / tot;
        if (ll - prev < 1e-8 * (double)n) break;
        prev = ll;
    }
    free(r);
    return it;
}

/* The log of the truncation point, INFINITY for none. */
static double fit__tau(double trunc) { return trunc > 0 && isfinite(trunc) ? log(trunc) : INFINITY; }

void fit_lognormal(const double *x, size_t n, double trunc, double *median, double *sigma)
{
    fit__lognormal_plain(x, n, median, sigma);
    if (!isfinite(fit__tau(trunc)) || n < 2 || !(*sigma > 0)) return;
    double *y = xmalloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) y[i] = fit__log(x[i]);
    double mu = log(*median), sd = *sigma, w = 1;
    fit__em(y, n, 1, fit__tau(trunc), 1e-3 + 1e-3 * sd, &mu, &sd, &w);
    free(y);
    *median = exp(mu);
    *sigma = sd;
}

int fit_mixture(const double *x, size_t n, int k, double trunc, double *w, double *med, double *sig)
{
    double mu[FIT_MAX_K], sd[FIT_MAX_K];
    double m0, s0;
    fit__lognormal_plain(x, n, &m0, &s0);
    double floor_sd = 1e-3 + 1e-3 * s0;
    for (int j = 0; j < k; j++) {
        /* Start at the sample's quantiles (x is sorted): deterministic, and separated modes
         * begin in different components. */
        size_t idx = (size_t)(((double)j + 0.5) / k * (double)n);
        if (idx >= n) idx = n - 1;
        mu[j] = fit__log(x[idx]);
        sd[j] = s0 / k > floor_sd ? s0 / k : floor_sd;
        w[j] = 1.0 / k;
    }
    double *y = xmalloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) y[i] = fit__log(x[i]);
    int it = fit__em(y, n, k, fit__tau(trunc), floor_sd, mu, sd, w);
    free(y);
    /* Components in increasing median: a stable order for reports and tests. */
    for (int a = 0; a < k; a++)
        for (int b = a + 1; b < k; b++)
            if (mu[b] < mu[a]) {
                double t = mu[a]; mu[a] = mu[b]; mu[b] = t;
                t = sd[a]; sd[a] = sd[b]; sd[b] = t;
                t = w[a]; w[a] = w[b]; w[b] = t;
            }
    for (int j = 0; j < k; j++) { med[j] = exp(mu[j]); sig[j] = sd[j]; }
    return it;
}

/* Lognormal CDF; sigma 0 is a step at the median. */
static double fit__logn_cdf(double t, double median, double sigma)
{
    if (t <= 0) return 0;
    if (sigma <= 0) return t >= median ? 1 : 0;
    return fit__phi((log(t) - log(median)) / sigma);
}

double fit_cdf(const fit_result *f, double t)
{
    switch (f->family) {
    case FIT_EXP: return t <= 0 ? 0 : 1 - exp(-t / f->mean);
    case FIT_LOGNORMAL: return fit__logn_cdf(t, f->median, f->sigma);
    case FIT_MIXTURE: {
        double c = 0;
        for (int j = 0; j < f->k; j++) c += f->w[j] * fit__logn_cdf(t, f->med[j], f->sig[j]);
        return c;
    }
    case FIT_EMPIRICAL: {
        /* The scenario draws each quantile with probability 1 / nq: a step function. */
        int c = 0;
        while (c < f->nq && f->q[c] <= t) c++;
        return (double)c / f->nq;
    }
    default: return 0;
    }
}

double fit_cdf_seen(const fit_result *f, double t)
{
    if (!(f->trunc > 0) || f->family == FIT_EMPIRICAL) return fit_cdf(f, t);
    if (t >= f->trunc) return 1;
    double ft = fit_cdf(f, f->trunc);
    return ft > 0 ? fit_cdf(f, t) / ft : 0;
}

/* The seen CDF just left of t: differs from fit_cdf_seen only for the empirical step
 * function. */
static double fit__cdf_left(const fit_result *f, double t)
{
    if (f->family != FIT_EMPIRICAL) return fit_cdf_seen(f, t);
    int c = 0;
    while (c < f->nq && f->q[c] < t) c++;
    return (double)c / f->nq;
}

double fit_ks(const double *x, size_t n, const fit_result *f)
{
    double d = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && x[j] == x[i]) j++;     /* ties: the empirical CDF jumps once */
        /* sup |Fn - F| is reached at a sample point or just left of one. */
        double F = fit_cdf_seen(f, x[i]), Fl = fit__cdf_left(f, x[i]);
        double lo = (double)i / (double)n, hi = (double)j / (double)n;
        if (fabs(Fl - lo) > d) d = fabs(Fl - lo);
        if (fabs(hi - F) > d) d = fabs(hi - F);
        i = j;
    }
    return d;
}

static int fit__cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void fit_best(double *x, size_t n, double ks_max, double trunc, fit_result *out)
{
    memset(out, 0, sizeof *out);
    qsort(x, n, sizeof *x, fit__cmp);
    out->n = n;
    out->trunc = trunc > 0 && isfinite(trunc) ? trunc : 0;
    for (int f = 0; f < FIT_NFAMILIES; f++) out->ks_of[f] = NAN;
    out->ks_max = ks_max >= 0 ? ks_max : fmax(0.05, 1.36 / sqrt((double)n));
    double margin = 0.5 / sqrt((double)n);
    fit_result c = *out, best;
    c.family = FIT_EXP;
    c.mean = fit_exp_mean(x, n, c.trunc);
    if (!(c.mean > 0)) c.mean = FIT_MIN_VALUE;
    c.ks = out->ks_of[FIT_EXP] = fit_ks(x, n, &c);
    best = c;
    c.family = FIT_LOGNORMAL;
    fit_lognormal(x, n, c.trunc, &c.median, &c.sigma);
    c.ks = out->ks_of[FIT_LOGNORMAL] = fit_ks(x, n, &c);
    if (c.ks < best.ks - margin) best = c;
    double mix_ks = INFINITY;
    for (int k = 2; k <= FIT_MAX_K && n >= 10 * (size_t)k; k++) {
        c.family = FIT_MIXTURE;
        c.k = k;
        fit_mixture(x, n, k, c.trunc, c.w, c.med, c.sig);
        c.ks = fit_ks(x, n, &c);
        if (c.ks < mix_ks) mix_ks = c.ks;
        if (c.ks < best.ks - margin) best = c;
    }
    if (isfinite(mix_ks)) out->ks_of[FIT_MIXTURE] = mix_ks;
    if (best.ks > out->ks_max) {
        c.family = FIT_EMPIRICAL;
        c.nq = n < FIT_MAX_Q ? (int)n : FIT_MAX_Q;
        for (int i = 0; i < c.nq; i++) {
            double p = ((double)i + 0.5) / c.nq * (double)(n - 1);
            size_t lo = (size_t)p;
            double fr = p - (double)lo;
            c.q[i] = lo + 1 < n ? x[lo] * (1 - fr) + x[lo + 1] * fr : x[lo];
        }
        c.ks = out->ks_of[FIT_EMPIRICAL] = fit_ks(x, n, &c);
        best = c;
    }
    memcpy(best.ks_of, out->ks_of, sizeof best.ks_of);
    best.ks_max = out->ks_max;
    *out = best;
}

void fit_to_dist(const fit_result *f, double *arena, sim_dist *out)
{
    memset(out, 0, sizeof *out);
    switch (f->family) {
    case FIT_EXP: out->kind = SIM_EXP; out->a = f->mean; break;
    case FIT_LOGNORMAL: out->kind = SIM_LOGNORMAL; out->a = f->median; out->b = f->sigma; break;
    case FIT_MIXTURE: {
        out->kind = SIM_MIXTURE;
        out->n = f->k;
        double c = 0;
        for (int j = 0; j < f->k; j++) {
            arena[2 * j] = f->med[j];
            arena[2 * j + 1] = f->sig[j];
            arena[2 * f->k + j] = (c += f->w[j]);
        }
        for (int j = 0; j < f->k; j++) arena[2 * f->k + j] /= c;
        arena[3 * f->k - 1] = 1;
        out->values = arena;
        out->cum = arena + 2 * f->k;
        break;
    }
    case FIT_EMPIRICAL:
        out->kind = SIM_EMPIRICAL;
        out->n = f->nq;
        for (int i = 0; i < f->nq; i++) { arena[i] = f->q[i]; arena[f->nq + i] = (double)(i + 1) / f->nq; }
        arena[2 * f->nq - 1] = 1;
        out->values = arena;
        out->cum = arena + f->nq;
        break;
    default: break;
    }
}
