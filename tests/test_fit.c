/* Tests for distribution fitting (sim/fit.c): each family recovers the parameters of a
 * sample generated with a fixed seed, the simplest adequate family is kept, a sample no
 * family fits falls back to empirical quantiles, and the mixture distribution the fit
 * writes draws what it says. Tolerances: with n = 20000 the standard error of a lognormal's
 * log-median is sigma / sqrt(n) (0.7% for sigma 1) and of an exponential mean 0.7%; the
 * bounds below are about 4 standard errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "fit.h"

#define N 20000

static double *sample(const sim_dist *d, size_t n, uint64_t seed)
{
    double *x = malloc(n * sizeof *x);
    sim_rng r;
    sim_rng_init(&r, seed, 1, 2, 3);
    for (size_t i = 0; i < n; i++) x[i] = sim_dist_draw(d, &r);
    return x;
}

Test(fit, recovers_an_exponential_mean)
{
    sim_dist d = { .kind = SIM_EXP, .a = 240 };
    double *x = sample(&d, N, 11);
    fit_result f;
    fit_best(x, N, -1, 0, &f);
    cr_expect_eq(f.family, FIT_EXP, "family %s", fit_family_name(f.family));
    cr_expect(fabs(f.mean / 240 - 1) < 0.03, "mean %g, expected 240", f.mean);
    cr_expect(f.ks < 0.02, "KS %g", f.ks);
    free(x);
}

Test(fit, recovers_a_lognormal_median_and_sigma)
{
    sim_dist d = { .kind = SIM_LOGNORMAL, .a = 7200, .b = 0.8 };
    double *x = sample(&d, N, 12);
    fit_result f;
    fit_best(x, N, -1, 0, &f);
    cr_expect_eq(f.family, FIT_LOGNORMAL, "family %s", fit_family_name(f.family));
    cr_expect(fabs(f.median / 7200 - 1) < 0.03, "median %g, expected 7200", f.median);
    cr_expect(fabs(f.sigma - 0.8) < 0.02, "sigma %g, expected 0.8", f.sigma);
    free(x);
}

Test(fit, recovers_a_two_mode_mixture_of_card_and_bank_payments)
{
    /* 70% pay by card in minutes, 30% by bank transfer in about a day. */
    double pairs[] = { 180, 0.6, 72000, 0.5 }, cum[] = { 0.7, 1.0 };
    sim_dist d = { .kind = SIM_MIXTURE, .n = 2, .values = pairs, .cum = cum };
    double *x = sample(&d, N, 13);
    fit_result f;
    fit_best(x, N, -1, 0, &f);
    cr_assert_eq(f.family, FIT_MIXTURE, "family %s", fit_family_name(f.family));
    /* A third component may split one mode; the two heaviest must be the true ones. */
    int a = 0, b = 1;
    if (f.k == 3) {
        int lo = f.w[0] < f.w[1] ? (f.w[0] < f.w[2] ? 0 : 2) : (f.w[1] < f.w[2] ? 1 : 2);
        a = lo == 0 ? 1 : 0;
        b = lo == 2 ? 1 : 2;
    }
    cr_expect(f.k == 2, "components %d", f.k);
    cr_expect(fabs(f.w[a] - 0.7) < 0.02, "card weight %g", f.w[a]);
    cr_expect(fabs(f.med[a] / 180 - 1) < 0.04, "card median %g", f.med[a]);
    cr_expect(fabs(f.sig[a] - 0.6) < 0.03, "card sigma %g", f.sig[a]);
    cr_expect(fabs(f.med[b] / 72000 - 1) < 0.05, "bank median %g", f.med[b]);
    cr_expect(fabs(f.sig[b] - 0.5) < 0.03, "bank sigma %g", f.sig[b]);
    /* One lognormal averages the two modes away: its KS distance shows it. */
    cr_expect(f.ks_of[FIT_LOGNORMAL] > 0.1, "lognormal KS %g", f.ks_of[FIT_LOGNORMAL]);
    free(x);
}

/* Keeps the values of x at or below t (a sample truncated at t); returns how many. */
static size_t truncate_at(double *x, size_t n, double t)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (x[i] <= t) x[k++] = x[i];
    return k;
}

Test(fit, recovers_a_lognormal_from_a_sample_truncated_at_the_expiry)
{
    /* Think times past the expiry are never seen (those orders expired): 16% cut away. A
     * fit of the seen values alone gives median ~6000 and sigma ~0.63. */
    sim_dist d = { .kind = SIM_LOGNORMAL, .a = 7200, .b = 0.8 };
    double *x = sample(&d, N, 16);
    size_t n = truncate_at(x, N, 16000);
    double med, sig;
    fit_lognormal(x, n, 16000, &med, &sig);
    cr_expect(fabs(med / 7200 - 1) < 0.04, "median %g, expected 7200", med);
    cr_expect(fabs(sig - 0.8) < 0.025, "sigma %g, expected 0.8", sig);
    double m = fit_exp_mean(x, n, 0);
    cr_expect(m < 0.9 * 7200 * exp(0.32), "the seen values alone have a smaller mean (%g)", m);
    free(x);
}

Test(fit, recovers_an_exponential_and_a_mixture_from_truncated_samples)
{
    sim_dist e = { .kind = SIM_EXP, .a = 240 };
    double *x = sample(&e, N, 17);
    size_t n = truncate_at(x, N, 480);   /* 13.5% cut away; standard error 1.5% */
    double m = fit_exp_mean(x, n, 480);
    cr_expect(fabs(m / 240 - 1) < 0.06, "mean %g, expected 240", m);
    free(x);
    /* The slow mode's upper tail passes the expiry: its sigma must not shrink. */
    double pairs[] = { 120, 0.5, 14400, 0.4 }, cum[] = { 0.7, 1.0 };
    sim_dist d = { .kind = SIM_MIXTURE, .n = 2, .values = pairs, .cum = cum };
    x = sample(&d, N, 18);
    n = truncate_at(x, N, 21600);        /* 4% of the slow mode cut away */
    fit_result f;
    fit_best(x, n, -1, 21600, &f);
    cr_assert_eq(f.family, FIT_MIXTURE, "family %s", fit_family_name(f.family));
    cr_assert_eq(f.k, 2);
    cr_expect(fabs(f.w[1] - 0.3) < 0.015, "slow weight %g", f.w[1]);
    cr_expect(fabs(f.med[1] / 14400 - 1) < 0.03, "slow median %g", f.med[1]);
    cr_expect(fabs(f.sig[1] - 0.4) < 0.02, "slow sigma %g", f.sig[1]);
    cr_expect(f.ks < 0.015, "KS against the truncated law %g", f.ks);
    free(x);
}

Test(fit, falls_back_to_empirical_quantiles_when_no_family_fits)
{
    /* Half the values 10 s, half 1000 s exactly: no continuous family comes close. */
    double *x = malloc(N * sizeof *x);
    for (int i = 0; i < N; i++) x[i] = i % 2 ? 1000 : 10;
    fit_result f;
    fit_best(x, N, 0.05, 0, &f);
    cr_assert_eq(f.family, FIT_EMPIRICAL, "family %s (KS %g)", fit_family_name(f.family), f.ks);
    cr_expect_eq(f.nq, FIT_MAX_Q);
    cr_expect_eq(f.q[0], 10);
    cr_expect_eq(f.q[FIT_MAX_Q - 1], 1000);
    cr_expect(f.ks <= 0.01, "empirical KS %g", f.ks);
    free(x);
}

Test(fit, ks_distance_is_exact_on_a_small_sample)
{
    /* Exponential mean 1 against the sample {1}: F(1) = 1 - 1/e; D = max(F, 1 - F). */
    double x[] = { 1 };
    fit_result f = { .family = FIT_EXP, .mean = 1 };
    double F = 1 - exp(-1);
    cr_expect(fabs(fit_ks(x, 1, &f) - fmax(F, 1 - F)) < 1e-12);
}

Test(fit, mixture_draws_have_the_mean_sim_dist_mean_reports)
{
    double pairs[] = { 2, 0.5, 50, 0.3 }, cum[] = { 0.25, 1.0 };
    sim_dist d = { .kind = SIM_MIXTURE, .n = 2, .values = pairs, .cum = cum };
    double want = 0.25 * 2 * exp(0.125) + 0.75 * 50 * exp(0.045);
    cr_expect(fabs(sim_dist_mean(&d) - want) < 1e-9);
    double *x = sample(&d, 200000, 14), s = 0;
    for (int i = 0; i < 200000; i++) s += x[i];
    cr_expect(fabs(s / 200000 / want - 1) < 0.01, "mean %g, expected %g", s / 200000, want);
    free(x);
}

Test(fit, the_written_distribution_has_the_fitted_cdf)
{
    fit_result f = { .family = FIT_MIXTURE, .k = 2, .w = { 0.4, 0.6 }, .med = { 10, 100 }, .sig = { 0.5, 0.5 } };
    double arena[3 * FIT_MAX_Q];
    sim_dist d;
    fit_to_dist(&f, arena, &d);
    cr_assert_eq(d.kind, SIM_MIXTURE);
    double *x = sample(&d, N, 15);
    fit_result g;
    fit_best(x, N, -1, 0, &g);               /* sorts x */
    /* The draws, scored against the fit they came from: within sampling noise (the 1%
     * critical value of KS is 1.63 / sqrt(n) = 0.0115). */
    double ks = fit_ks(x, N, &f);
    cr_expect(ks < 0.0115, "KS %g", ks);
    cr_expect_eq(g.family, FIT_MIXTURE);
    free(x);
}
