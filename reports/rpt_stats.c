/*
 * rpt_stats.c — Student-t quantiles and the mean with its 95% interval. See rpt_stats.h.
 */
#include "rpt_stats.h"
#include "os.h"

#include <math.h>

/* The continued fraction of the regularized incomplete beta function (modified Lentz). */
static double rpt__betacf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15) break;
    }
    return h;
}

/* I_x(a, b). */
static double rpt__ibeta(double a, double b, double x)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
    if (x < (a + 1) / (a + b + 2)) return bt * rpt__betacf(a, b, x) / a;
    return 1 - bt * rpt__betacf(b, a, 1 - x) / b;
}

/* P(T <= t) for t >= 0. */
static double rpt__t_cdf(double t, int df)
{
    double x = df / (df + t * t);
    return 1 - 0.5 * rpt__ibeta(df / 2.0, 0.5, x);
}

double rpt_t_quantile(double p, int df)
{
    OS_ASSERT(p > 0 && p < 1 && df >= 1);
    if (p < 0.5) return -rpt_t_quantile(1 - p, df);
    if (p == 0.5) return 0;
    double lo = 0, hi = 1;
    while (rpt__t_cdf(hi, df) < p && hi < 1e12) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (rpt__t_cdf(mid, df) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

double rpt_t95(int df)
{
    static const double t[] = { 0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
    if (df < 1) return NAN;
    if (df <= 30) return t[df];
    return 1.959964 + 2.37 / df; /* within 0.002 of the exact quantile for df > 30 */
}

/* Mean and Student-t half-width of the finite values among xs (see rpt_stats.h). */
void rpt_mean_ci(const double *xs, int n, double *mean, double *ci)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(xs[i])) { s += xs[i]; k++; }
    if (!k) { *mean = *ci = NAN; return; }
    *mean = s / k;
    if (k < 2) { *ci = NAN; return; }
    double ss = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(xs[i])) ss += (xs[i] - *mean) * (xs[i] - *mean);
    *ci = rpt_t95(k - 1) * sqrt(ss / (k - 1) / k);
}
