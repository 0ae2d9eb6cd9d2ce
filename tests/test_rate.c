/* Tests for the shaped arrival rate (sim_rate.c; docs/scenarios.md, customers.arrivals
 * profile and levels): the walker's cumulative rate against a hand-computed hour-by-hour
 * sum, arrivals per hour of the day against the profile (chi-square), deterministic
 * arrivals at the exact inverse, and the loader's refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "olog.h"
#include "scn_text.h"
#include "sim_rate.h"

/* A 14-day shop: a diurnal profile starting at 10:00 and daily levels (a dip, a surge). */
#define RATE_SHOP(proc, rate) "{\"name\":\"prof\",\"horizon\":\"14d\",\"seed\":3,\"catalog\":[{\"sku\":\"a\",\"stock\":100000000,\"price\":5}]," \
    "\"customers\":{\"arrivals\":{\"process\":\"" proc "\",\"rate\":" rate "," \
    "\"profile\":{\"period\":\"1d\",\"weights\":[1,1,1,1,1,1,2,3,4,5,6,6,6,6,5,4,3,3,3,2,2,1,1,1],\"offset\":\"10h\"}," \
    "\"levels\":{\"every\":\"1d\",\"values\":[1,1,1,1,1,0.5,0.5,2,2,2,2,2,1,1],\"offset\":\"10h\"}}," \
    "\"segments\":[{\"name\":\"g\",\"share\":1}]}}"

static const double rate_w[24] = { 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 5, 4, 3, 3, 3, 2, 2, 1, 1, 1 };
static const double rate_lv[14] = { 1, 1, 1, 1, 1, 0.5, 0.5, 2, 2, 2, 2, 2, 1, 1 };

/* The rate in hour h of the run (time 0 is 10:00 of day 0), computed by hand. */
static double rate_by_hand(int h, double rate)
{
    double mean = 0;
    for (int i = 0; i < 24; i++) mean += rate_w[i] / 24;
    int li = (h + 10) / 24;
    return rate * rate_w[(h + 10) % 24] / mean * rate_lv[li > 13 ? 13 : li];
}

Test(rate, cumulative_rate_matches_the_hour_by_hour_sum)
{
    scn_scenario *s = scn_text(RATE_SHOP("poisson", "0.05"));
    cr_assert(sim_rate_shaped(s));
    double L = 0;
    for (int h = 0; h < 336; h++) {
        L += 3600 * rate_by_hand(h, 0.05);
        double got = sim_rate_cum(s, (h + 1) * 3600.0);
        cr_assert(fabs(got - L) < 1e-9 * L, "hour %d: %.12g vs %.12g by hand", h, got, L);
    }
    /* Inside an hour the rate is constant: half an hour holds half of it. */
    cr_assert_float_eq(sim_rate_cum(s, 1800), 1800 * rate_by_hand(0, 0.05), 1e-9);
    sim_estimate e;
    sim_estimate_run(s, &e);
    cr_assert_float_eq(e.customers, L, 1e-6 * L, "the run estimate uses the shaped rate");
    scn_free(s);
}

/* Runs the scenario with its order log in a temporary file; counts creations per hour of
 * the run into n[336]. */
static void rate_counts(const char *text, double n[336])
{
    scn_scenario *s = scn_text(text);
    FILE *f = tmpfile();
    cr_assert(f);
    rpt_run r;
    rpt_run_init(&r);
    sim_opts o = { .seed = s->seed, .orders_csv = f };
    cr_assert_eq(sim_run(s, &o, &r), OS_OK);
    cr_assert(r.invariants_ok);
    rewind(f);
    char line[512];
    memset(n, 0, 336 * sizeof *n);
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        for (int k = 0; k < 3 && p; k++) p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        if (!p) continue;
        char *e = strchr(p, ',');
        if (e) *e = 0;
        double t;
        if (!olog_parse_iso(p, &t)) continue;
        int h = (int)floor((t - 1767571200.0) / 3600);
        cr_assert(h >= 0 && h < 336);
        n[h]++;
    }
    fclose(f);
    rpt_run_fini(&r);
    scn_free(s);
}

Test(rate, poisson_arrivals_follow_profile_and_levels, .timeout = 60)
{
    double n[336], chi = 0, tot = 0, expect = 0;
    rate_counts(RATE_SHOP("poisson", "0.01"), n);
    for (int h = 0; h < 336; h++) {
        double e = 3600 * rate_by_hand(h, 0.01);
        chi += (n[h] - e) * (n[h] - e) / e;
        tot += n[h];
        expect += e;
    }
    /* 336 hours: the chi-square's 99.9% point for 336 degrees of freedom is about 431. */
    cr_assert_lt(chi, 431, "chi-square %.1f over 336 hours", chi);
    cr_assert_lt(fabs(tot - expect), 4 * sqrt(expect), "%.0f arrivals, %.1f expected", tot, expect);
    /* The surge days hold four times the dip days' arrivals: the levels are applied. */
    double dip = 0, surge = 0;
    for (int h = 0; h < 336; h++) {
        int d = (h + 10) / 24;
        if (d == 5 || d == 6) dip += n[h];
        if (d == 7 || d == 8) surge += n[h];
    }
    cr_assert(surge > 3.5 * dip && surge < 4.5 * dip, "surge %.0f, dip %.0f", surge, dip);
}

Test(rate, deterministic_arrivals_sit_at_the_exact_inverse)
{
    scn_scenario *s = scn_text(RATE_SHOP("deterministic", "0.001"));
    sim_rate it;
    sim_rate_init(&it, s);
    double prev = -1;
    for (int k = 0; k < 400; k++) {
        double t = sim_rate_invert(&it, k, s->horizon);
        if (!isfinite(t)) break;
        cr_assert_gt(t, prev);
        cr_assert(fabs(sim_rate_cum(s, t) - k) < 1e-6, "arrival %d at %.3f s: cumulative %.9f", k, t, sim_rate_cum(s, t));
        prev = t;
    }
    scn_free(s);
}

Test(rate, a_profile_without_levels_repeats_and_an_offset_moves_bin_zero)
{
    /* Two bins of 12 h, weights 3:1 (normalised 1.5 and 0.5), offset 12 h: time 0 is in bin 1. */
    scn_scenario *s = scn_text("{\"name\":\"p\",\"horizon\":\"3d\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":1}],"
                               "\"customers\":{\"arrivals\":{\"rate\":1,\"profile\":{\"period\":\"1d\",\"weights\":[3,1],\"offset\":\"12h\"}},"
                               "\"segments\":[{\"name\":\"g\",\"share\":1}]}}");
    cr_assert_float_eq(sim_rate_cum(s, 43200), 0.5 * 43200, 1e-6);
    cr_assert_float_eq(sim_rate_cum(s, 86400), 2.0 * 43200, 1e-6);
    cr_assert_float_eq(sim_rate_cum(s, 3 * 86400), 3 * 86400.0, 1e-6);
    scn_free(s);
}

Test(rate, levels_multiply_the_schedule)
{
    /* rate 1 then the schedule's 2 from 1 h; levels of 30 min: 1, 0, 3 (holding). */
    scn_scenario *s = scn_text("{\"name\":\"p\",\"horizon\":\"3h\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":1}],"
                               "\"customers\":{\"arrivals\":{\"rate\":1,\"schedule\":[{\"at\":\"1h\",\"rate\":2}],"
                               "\"levels\":{\"every\":\"30m\",\"values\":[1,0,3]}},\"segments\":[{\"name\":\"g\",\"share\":1}]}}");
    cr_assert_float_eq(sim_rate_cum(s, 1800), 1800, 1e-6);
    cr_assert_float_eq(sim_rate_cum(s, 3600), 1800, 1e-6);
    cr_assert_float_eq(sim_rate_cum(s, 3 * 3600), 1800 + 3 * 2 * 7200.0, 1e-6);
    scn_free(s);
}

Test(rate, the_loader_refuses_bad_shapes_with_positions)
{
    static const struct { const char *arr, *msg; } cases[] = {
        { "\"profile\":{\"period\":\"1d\",\"weights\":[]}", "test.json:1:141: customers.arrivals.profile.weights: found an empty array, expected an array of 1 to 10080 weights" },
        { "\"profile\":{\"period\":\"1d\",\"weights\":[0,0]}", "customers.arrivals.profile.weights: every entry is 0, expected at least one weight > 0" },
        { "\"profile\":{\"period\":\"1d\",\"weights\":[1,-1]}", "customers.arrivals.profile.weights[1]: found -1, expected a number from 0 to 1e+09" },
        { "\"profile\":{\"period\":\"1d\",\"weights\":[1],\"offset\":\"1d\"}", "customers.arrivals.profile.offset: found 86400 s, expected a duration below period (86400 s)" },
        { "\"profile\":{\"period\":2,\"weights\":[1,1,1]}", "customers.arrivals.profile.weights: found 3 weights over a period of 2 s, expected bins of at least 1 s (at most 2 weights)" },
        { "\"profile\":{\"weights\":[1]}", "customers.arrivals.profile.period: missing required key \"period\"" },
        { "\"profile\":{\"period\":\"1d\",\"weights\":[1],\"phase\":1}", "customers.arrivals.profile.phase: unknown key" },
        { "\"levels\":{\"every\":0.5,\"values\":[1]}", "customers.arrivals.levels.every: found 0.5 s, expected a duration of at least 1 s" },
        { "\"levels\":{\"every\":\"1d\",\"values\":\"1\"}", "customers.arrivals.levels.values: found a string, expected an array of 1 to 100000 levels" },
        { "\"levels\":{\"every\":\"1d\",\"values\":[0]}", "customers.arrivals.levels.values: every entry is 0, expected at least one level > 0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text, "{\"name\":\"p\",\"horizon\":\"3h\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":1}],"
                 "\"customers\":{\"arrivals\":{\"rate\":1,%s},\"segments\":[{\"name\":\"g\",\"share\":1}]}}", cases[i].arr);
        const char *got = scn_text_error(text);
        cr_assert(strstr(got, cases[i].msg), "case %zu: got \"%s\", expected \"%s\"", i, got, cases[i].msg);
    }
}
