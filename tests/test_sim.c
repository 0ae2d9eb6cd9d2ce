/* Tests for the simulator: agreement with queueing theory, Little's law, hand-computed
 * deterministic scenarios per strategy, reproducibility and common random numbers. The
 * tolerances are justified in docs/validation.md. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_text.h"

/* Builds a scenario from JSON text, with optional --set edits. */
static scn_scenario *scenario_set(const char *text, const char *set)
{
    const char *sets[] = { set, NULL };
    return scn_text_sets(text, set ? sets : NULL);
}

static scn_scenario *scenario(const char *text) { return scenario_set(text, NULL); }

static void run(const scn_scenario *s, const char *strategy, uint64_t seed, rpt_run *r)
{
    rpt_run_init(r);
    sim_opts o = { .strategy = strategy, .seed = seed, .ledger = true };
    cr_assert_eq(sim_run(s, &o, r), OS_OK);
    for (int i = 0; i < r->violations.count; i++) cr_log_error("%s", r->violations.msgs[i]);
    cr_assert(r->invariants_ok, "invariants hold");
}

/* Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = l/mu. */
static double erlang_c(int c, double a)
{
    double b = 1; /* Erlang B by recursion */
    for (int k = 1; k <= c; k++) b = a * b / (k + a * b);
    double rho = a / c;
    return b / (1 - rho + rho * b);
}

static char *queue_scenario(char *buf, size_t n, double rate, int servers, double mean, const char *horizon)
{
    snprintf(buf, n,
             "{\"name\":\"mmc\",\"horizon\":\"%s\",\"warmup\":\"2000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":1000000000,\"price\":1}],"
             "\"customers\":{\"arrivals\":{\"rate\":%g},\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0}]},"
             "\"stations\":{\"order_service\":{\"servers\":%d,\"service\":{\"dist\":\"exp\",\"mean\":%g}}},"
             "\"inventory\":{\"order_expiry\":\"1s\"}}",
             horizon, rate, servers, mean);
    return buf;
}

Test(theory, mm1_mean_wait_matches_the_formula)
{
    /* lambda 0.5, mu 1: Wq = rho / (mu - lambda) = 1 s. 400,000 s gives ~200,000 waits;
     * the standard error of the mean is ~0.012 s (docs/validation.md), so 5% is > 4 SE. */
    char buf[1024];
    scn_scenario *s = scenario(queue_scenario(buf, sizeof buf, 0.5, 1, 1.0, "400000s"));
    rpt_run r;
    run(s, NULL, 7, &r);
    double wq = 0.5 / (1.0 - 0.5);
    cr_log_info("M/M/1: simulated Wq %.4f s, theory %.4f s, utilization %.4f (theory 0.5), %.0f served",
                r.st[0].wait_mean, wq, r.st[0].utilization, r.st[0].served);
    cr_expect(fabs(r.st[0].wait_mean - wq) / wq < 0.05);
    cr_expect(fabs(r.st[0].utilization - 0.5) < 0.01);
    rpt_run_fini(&r);
    scn_free(s);
}

Test(theory, mm1_response_time_matches_the_formula)
{
    /* lambda 0.5, mu 1: the response time (wait + service) of M/M/1 FCFS is exponential with
     * rate mu - lambda, so W = 1 / (mu - lambda) = 2 s, median ln 2 / 0.5 = 1.386 s and p95
     * ln 20 / 0.5 = 5.991 s. The same 400,000 s run as above: the mean's standard error is
     * ~0.015 s, so 5% (0.1 s) is > 6 SE. */
    char buf[1024];
    scn_scenario *s = scenario(queue_scenario(buf, sizeof buf, 0.5, 1, 1.0, "400000s"));
    rpt_run r;
    run(s, NULL, 7, &r);
    const rpt_station *st = &r.st[0];
    double w = 1.0 / (1.0 - 0.5);
    cr_log_info("M/M/1: simulated W %.4f s (theory %.4f), p50 %.4f (%.4f), p95 %.4f (%.4f); utilization %.4f, peak %.4f",
                st->response_mean, w, st->response_p50, log(2.0) * w, st->response_p95, log(20.0) * w, st->utilization,
                st->utilization_peak);
    cr_expect(fabs(st->response_mean - w) / w < 0.05, "W %.4f, theory %.4f", st->response_mean, w);
    cr_expect(fabs(st->response_p50 - log(2.0) * w) / (log(2.0) * w) < 0.05);
    cr_expect(fabs(st->response_p95 - log(20.0) * w) / (log(20.0) * w) < 0.05);
    /* wait + service: the mean response exceeds the mean wait by the mean service (1 s) */
    cr_expect(fabs(st->response_mean - st->wait_mean - 1.0) < 0.05);
    /* the busiest sample window is at least the average and at most full */
    cr_expect(st->utilization_peak >= st->utilization && st->utilization_peak <= 1.0);
    rpt_run_fini(&r);
    scn_free(s);
}

Test(theory, utilization_peak_sees_an_overload_the_average_hides)
{
    /* One server, 1 s service; 0.2 arrivals/s except 2/s from 1000 s to 1200 s: the station
     * is saturated for those 200 s (peak 100% in a 10 s window) while the average over the
     * hour stays low. */
    const char *text =
        "{\"name\":\"burst\",\"horizon\":\"3600s\",\"catalog\":[{\"sku\":\"a\",\"stock\":100000000,\"price\":1}],"
        "\"inventory\":{\"strategy\":\"reduce_on_order\",\"order_expiry\":\"1h\"},"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":0.2,\"schedule\":[{\"at\":\"1000s\",\"rate\":2},"
        "{\"at\":\"1200s\",\"rate\":0.2}]},\"segments\":[{\"name\":\"b\",\"share\":1,\"pay_probability\":0}]},"
        "\"stations\":{\"order_service\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":\"1s\"}}},"
        "\"report\":{\"sample_every\":\"10s\"}}";
    scn_scenario *s = scenario(text);
    rpt_run r;
    run(s, NULL, 1, &r);
    const rpt_station *st = &r.st[0];
    cr_log_info("burst: utilization %.4f, peak %.4f", st->utilization, st->utilization_peak);
    cr_expect(st->utilization < 0.5, "average %.4f", st->utilization);
    cr_expect(st->utilization_peak == 1.0, "peak %.17g", st->utilization_peak);
    rpt_run_fini(&r);
    scn_free(s);
}

Test(theory, mmc_mean_wait_matches_erlang_c)
{
    /* c = 4, lambda 3, mu 1 (rho 0.75): Wq = C(4, 3) / (c mu - lambda) = 0.5094 s. One run of
     * 450,000 s has a standard deviation of ~1.2% (measured over 20 seeds), so 5% is > 4 SD. */
    char buf[1024];
    scn_scenario *s = scenario(queue_scenario(buf, sizeof buf, 3.0, 4, 1.0, "450000s"));
    rpt_run r;
    run(s, NULL, 11, &r);
    double wq = erlang_c(4, 3.0) / (4.0 - 3.0);
    cr_log_info("M/M/4: simulated Wq %.4f s, Erlang C %.4f s, utilization %.4f", r.st[0].wait_mean, wq, r.st[0].utilization);
    cr_expect(fabs(r.st[0].wait_mean - wq) / wq < 0.05);
    cr_expect(fabs(r.st[0].utilization - 0.75) < 0.01);
    rpt_run_fini(&r);
    scn_free(s);
}

Test(theory, locked_stock_follows_littles_law)
{
    /* Bots at 2 orders/s, 3 units each, each lock held for the 300 s expiry:
     * mean locked = lambda x quantity x expiry = 1800 units (docs/validation.md: SE ~0.5%). */
    const char *text =
        "{\"name\":\"little\",\"horizon\":\"21000s\",\"warmup\":\"1000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":100000000,\"price\":1}],"
        "\"inventory\":{\"strategy\":\"reduce_on_order\",\"order_expiry\":\"300s\"},"
        "\"customers\":{\"arrivals\":{\"rate\":2},\"segments\":[{\"name\":\"bots\",\"share\":1,\"malicious\":true,"
        "\"quantity\":{\"dist\":\"const\",\"value\":3}}]}}";
    scn_scenario *s = scenario(text);
    rpt_run r;
    run(s, NULL, 3, &r);
    double want = 2.0 * 3 * 300;
    cr_log_info("Little: mean locked %.2f units, lambda*q*T = %.0f", r.m[RPT_M_locked_stock_mean], want);
    cr_expect(fabs(r.m[RPT_M_locked_stock_mean] - want) / want < 0.02);
    cr_expect_eq(r.m[RPT_M_malicious_locked_unit_seconds], r.m[RPT_M_locked_unit_seconds]);
    rpt_run_fini(&r);
    scn_free(s);
}

/* 20 genuine customers at t = 0, 1, ..., 19 want one unit each of 10; each starts paying 30 s
 * after ordering; payment takes exactly 5 s on unlimited servers; nothing fails. */
static const char *hand_text =
    "{\"name\":\"hand\",\"horizon\":\"1000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":100}],"
    "\"inventory\":{\"order_expiry\":\"15m\"},"
    "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":20,"
    "\"segments\":[{\"name\":\"g\",\"share\":1,\"think_time\":{\"dist\":\"const\",\"value\":\"30s\"}}]},"
    "\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":\"5s\"}}}";

typedef struct hand_case {
    char strategy[24];
    bool revalidate, refund;
    double created, rejected_stock, paid, oversold, rejected_reval, locked_peak;
    double served, at_risk, refunded;
} hand_case;

/* Served and at-risk figures, by hand: payments happen in customer order (customer k pays
 * at k + 35), so the first 10 payments take the 10 units and every later payment is short
 * of exactly one unit. genuine_orders_served counts paid genuine orders with no shortfall;
 * revenue_at_risk is the money captured (100.00 per order, no promotion) for those with a
 * shortfall that were not refunded at once. */
static hand_case hand_cases[] = {
    /* reduce_on_order: customers 0-9 lock the 10 units; 10-19 are turned away at creation.
     * All 10 payments are covered: served 10, nothing at risk. */
    { "reduce_on_order", false, false, 10, 10, 10, 0, 0, 10, 10, 0, 0 },
    /* reduce_on_payment: nobody has paid before t = 35, so all 20 order and all 20 pay:
     * 10 units oversold. Payments of customers 0-9 are covered (served 10); customers
     * 10-19 are backordered: 10 x 100.00 = 1000.00 captured for orders stock does not cover. */
    { "reduce_on_payment", false, false, 20, 0, 20, 10, 0, 0, 10, 1000, 0 },
    /* The same burst with oversell=refund: the same 20 payments (orders_paid counts the
     * refunded ones), but customers 10-19 are refunded at once: served 10, at risk 0,
     * refunded 10. */
    { "reduce_on_payment", false, true, 20, 0, 20, 10, 0, 0, 10, 0, 10 },
    /* with revalidation at payment start (t = k + 30), on-hand then is 10 - #sales before
     * it; customer k - 5's sale happens at the same instant but was scheduled later (at
     * k + 25 > k), so it runs after: k passes iff k - 5 <= 9. 15 pay, 5 oversold, 5 rejected.
     * Customers 0-9 are served; 10-14 are backordered: 5 x 100.00 at risk. */
    { "reduce_on_payment", true, false, 20, 0, 15, 5, 5, 0, 10, 500, 0 },
    /* reserve_on_checkout: the first 10 to start paying lock the units; 10 rejected. At
     * t = k + 30 the new lock comes before k - 5's sale (same tie rule): peak 6 locked. */
    { "reserve_on_checkout", false, false, 20, 0, 10, 0, 10, 6, 10, 0, 0 },
};

ParameterizedTestParameters(hand, deterministic_scenarios_match_hand_computation)
{
    return cr_make_param_array(hand_case, hand_cases, sizeof hand_cases / sizeof hand_cases[0]);
}

ParameterizedTest(hand_case *c, hand, deterministic_scenarios_match_hand_computation)
{
    scn_scenario *s = scenario_set(hand_text, c->revalidate ? "inventory.revalidate_before_payment=true"
                                              : c->refund   ? "inventory.oversell=refund" : NULL);
    cr_assert_eq(s->revalidate, c->revalidate);
    rpt_run r;
    run(s, c->strategy, 1, &r);
    cr_expect_eq(r.m[RPT_M_customers], 20);
    cr_expect_eq(r.m[RPT_M_orders_created], c->created, "%s: created %g", c->strategy, r.m[RPT_M_orders_created]);
    cr_expect_eq(r.m[RPT_M_orders_rejected_stockout], c->rejected_stock, "rejected %g", r.m[RPT_M_orders_rejected_stockout]);
    cr_expect_eq(r.m[RPT_M_orders_paid], c->paid, "paid %g", r.m[RPT_M_orders_paid]);
    cr_expect_eq(r.m[RPT_M_oversold_units], c->oversold, "oversold %g", r.m[RPT_M_oversold_units]);
    cr_expect_eq(r.m[RPT_M_payments_rejected_revalidation], c->rejected_reval, "reval %g", r.m[RPT_M_payments_rejected_revalidation]);
    cr_expect_eq(r.m[RPT_M_locked_stock_peak], c->locked_peak, "peak %g", r.m[RPT_M_locked_stock_peak]);
    cr_expect_eq(r.m[RPT_M_order_to_pay_p50], 35, "order to pay is exactly 30 + 5 s");
    cr_expect_eq(r.m[RPT_M_order_to_pay_p99], 35);
    cr_expect_eq(r.m[RPT_M_genuine_orders_paid], c->paid, "genuine paid %g", r.m[RPT_M_genuine_orders_paid]);
    cr_expect_eq(r.m[RPT_M_genuine_orders_served], c->served, "served %g", r.m[RPT_M_genuine_orders_served]);
    cr_expect_eq(r.m[RPT_M_revenue_at_risk], c->at_risk, "at risk %g", r.m[RPT_M_revenue_at_risk]);
    cr_expect_eq(r.m[RPT_M_orders_refunded], c->refunded, "refunded %g", r.m[RPT_M_orders_refunded]);
    cr_expect_eq(r.m[RPT_M_units_sold], c->paid - c->refunded);
    cr_expect_eq(r.m[RPT_M_revenue], 100 * (c->paid - c->refunded));
    rpt_run_fini(&r);
    scn_free(s);
}

Test(hand, reduce_on_order_locks_for_exactly_the_expiry)
{
    /* 5 bots at t = 0..4 lock one unit each for 60 s: 300 unit-seconds, peak 5. */
    const char *text =
        "{\"name\":\"bots\",\"horizon\":\"1000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":1}],"
        "\"inventory\":{\"order_expiry\":\"60s\"},"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":5,"
        "\"segments\":[{\"name\":\"b\",\"share\":1,\"malicious\":true}]}}";
    scn_scenario *s = scenario(text);
    rpt_run r;
    run(s, NULL, 1, &r);
    cr_expect_eq(r.m[RPT_M_locked_unit_seconds], 300);
    cr_expect_eq(r.m[RPT_M_malicious_locked_unit_seconds], 300);
    cr_expect_eq(r.m[RPT_M_locked_stock_peak], 5);
    cr_expect_eq(r.m[RPT_M_orders_expired], 5);
    cr_expect_eq(r.m[RPT_M_locked_stock_mean], 0.3);
    rpt_run_fini(&r);
    scn_free(s);
}

/* Two SKUs, genuine customers who never pay (their orders hold locks until the horizon
 * under reduce_on_order); each wants one unit of a or b, picked at random. SKU b has
 * plenty, so every stock-out rejection is for a. */
static const char *two_sku_text =
    "{\"name\":\"two_sku\",\"horizon\":\"100s\",\"catalog\":[{\"sku\":\"a\",\"stock\":0,\"price\":1},"
    "{\"sku\":\"b\",\"stock\":1000,\"price\":1}],\"inventory\":{\"order_expiry\":\"15m\"},"
    "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":60,"
    "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0}]}}";

Test(hand, a_sold_out_sku_is_not_a_rejection_while_locked_because_another_sku_is_locked)
{
    /* a never had stock; b's units are locked by unpaid orders. Rejections for a are not
     * caused by locks: 0, however many units of b are locked. */
    scn_scenario *s = scenario(two_sku_text);
    rpt_run r;
    run(s, "reduce_on_order", 1, &r);
    cr_assert_gt(r.m[RPT_M_orders_rejected_stockout], 0, "some customers wanted a");
    cr_assert_gt(r.m[RPT_M_locked_stock_peak], 0, "b is locked");
    cr_expect_eq(r.m[RPT_M_genuine_rejected_while_locked], 0, "got %g", r.m[RPT_M_genuine_rejected_while_locked]);
    rpt_run_fini(&r);
    scn_free(s);
}

Test(hand, a_rejection_for_a_locked_sku_counts)
{
    /* a has one unit, locked by the first customer who wants it until the horizon: every
     * later request for a is turned away while a is locked, so every stock-out counts. */
    scn_scenario *s = scenario_set(two_sku_text, "catalog[0].stock=1");
    rpt_run r;
    run(s, "reduce_on_order", 1, &r);
    cr_assert_gt(r.m[RPT_M_orders_rejected_stockout], 0);
    cr_expect_eq(r.m[RPT_M_genuine_rejected_while_locked], r.m[RPT_M_orders_rejected_stockout], "got %g of %g",
                 r.m[RPT_M_genuine_rejected_while_locked], r.m[RPT_M_orders_rejected_stockout]);
    rpt_run_fini(&r);
    scn_free(s);
}

static scn_scenario *load_file(const char *path, const char *const *sets, int n)
{
    scn_scenario *s = NULL;
    os_diag d;
    os_diag_init(&d);
    os_status st = scn_load(path, sets, n, &s, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    os_diag_fini(&d);
    cr_assert_eq(st, OS_OK);
    return s;
}

Test(repro, same_seed_gives_identical_results_and_another_seed_does_not)
{
    const char *sets[] = { "customers.max_customers=20000" };
    scn_scenario *s = load_file("scenarios/flash_sale.json", sets, 1);
    rpt_run a, b, c;
    run(s, "reduce_on_payment", 5, &a);
    run(s, "reduce_on_payment", 5, &b);
    run(s, "reduce_on_payment", 6, &c);
    cr_expect_eq(memcmp(a.m, b.m, sizeof a.m), 0, "bit-identical metrics");
    cr_expect_eq(a.events, b.events);
    cr_expect_eq(a.series.nrows, b.series.nrows);
    cr_expect_eq(memcmp(a.series.v, b.series.v, a.series.nrows * (size_t)a.series.ncols * sizeof(double)), 0);
    cr_expect_neq(a.m[RPT_M_order_to_pay_p50], c.m[RPT_M_order_to_pay_p50]);
    rpt_run_fini(&a);
    rpt_run_fini(&b);
    rpt_run_fini(&c);
    scn_free(s);
}

Test(repro, strategies_see_the_same_customers)
{
    /* With stock to spare the strategies cannot differ: common random numbers make every
     * customer's choices identical, so every metric but locking is equal. */
    const char *sets[] = { "customers.max_customers=20000", "catalog[0].stock=100000000", "risk.max_unpaid_orders_per_user=0",
                           "catalog[0].max_per_user=0" };
    scn_scenario *s = load_file("scenarios/flash_sale.json", sets, 4);
    rpt_run a, b, c;
    run(s, "reduce_on_order", 9, &a);
    run(s, "reduce_on_payment", 9, &b);
    run(s, "reserve_on_checkout", 9, &c);
    rpt_metric same[] = { RPT_M_customers, RPT_M_orders_created, RPT_M_orders_paid, RPT_M_orders_expired, RPT_M_orders_cancelled,
                          RPT_M_units_sold, RPT_M_order_to_pay_p50, RPT_M_order_to_pay_p99, RPT_M_revenue, RPT_M_orders_blocked_risk };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        cr_expect_eq(a.m[same[i]], b.m[same[i]], "%s", rpt_metric_name(same[i]));
        cr_expect_eq(a.m[same[i]], c.m[same[i]], "%s", rpt_metric_name(same[i]));
    }
    cr_expect_gt(a.m[RPT_M_locked_unit_seconds], 0);
    cr_expect_eq(b.m[RPT_M_locked_unit_seconds], 0);
    rpt_run_fini(&a);
    rpt_run_fini(&b);
    rpt_run_fini(&c);
    scn_free(s);
}

Test(flash_sale, reduce_on_order_never_oversells_and_reduce_on_payment_does)
{
    scn_scenario *s = load_file("scenarios/flash_sale.json", NULL, 0);
    rpt_run a, b;
    run(s, "reduce_on_order", s->seed, &a);
    run(s, "reduce_on_payment", s->seed, &b);
    cr_expect_eq(a.m[RPT_M_oversold_units], 0);
    cr_expect_gt(a.m[RPT_M_malicious_locked_unit_seconds], 0, "bots lock stock");
    cr_expect_gt(b.m[RPT_M_oversold_units], 0, "reduce on payment oversells");
    cr_expect_eq(b.m[RPT_M_locked_stock_peak], 0);
    rpt_run_fini(&a);
    rpt_run_fini(&b);
    scn_free(s);
}

Test(arrivals, deterministic_schedule_inverts_the_cumulative_rate)
{
    /* rate 1/s until 10 s, then 4/s: arrivals at 0..9 then 10, 10.25, ...: 10 + 4 x 10 in 20 s. */
    const char *text =
        "{\"name\":\"sched\",\"horizon\":\"20s\",\"catalog\":[{\"sku\":\"a\",\"stock\":0,\"price\":1}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1,\"schedule\":[{\"at\":\"10s\",\"rate\":4}]},"
        "\"segments\":[{\"name\":\"g\",\"share\":1}]}}";
    scn_scenario *s = scenario(text);
    rpt_run r;
    run(s, NULL, 1, &r);
    cr_expect_eq(r.m[RPT_M_customers], 50);
    cr_expect_eq(r.m[RPT_M_orders_rejected_stockout], 50);
    cr_expect_eq(r.m[RPT_M_sellout_time], 0, "sold out from the start");
    rpt_run_fini(&r);
    scn_free(s);
}

Test(arrivals, poisson_count_matches_the_rate)
{
    const char *text =
        "{\"name\":\"p\",\"horizon\":\"10000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":0,\"price\":1}],"
        "\"customers\":{\"arrivals\":{\"rate\":5},\"segments\":[{\"name\":\"g\",\"share\":1}]}}";
    scn_scenario *s = scenario(text);
    rpt_run r;
    run(s, NULL, 1, &r);
    /* 50,000 expected, sd 224: 1% is > 2 sd. */
    cr_expect(fabs(r.m[RPT_M_customers] - 50000) < 500, "customers %g", r.m[RPT_M_customers]);
    rpt_run_fini(&r);
    scn_free(s);
}

/* ---- distributions -------------------------------------------------------------------- */

typedef struct dist_case { sim_dist_kind kind; double a, b, mean, var; } dist_case;
static dist_case dist_cases[] = {
    { SIM_CONST, 3, 0, 3, 0 },
    { SIM_EXP, 2, 0, 2, 4 },
    { SIM_UNIFORM, 1, 5, 3, 16.0 / 12 },
    { SIM_NORMAL, 10, 2, 10, 4 },                                  /* truncation at 0 is negligible */
    { SIM_LOGNORMAL, 1, 0.5, 1.1331484530668263, 0.36322 },        /* e^(s^2/2), (e^(s^2)-1)e^(s^2) */
};

ParameterizedTestParameters(dist, draws_have_the_right_mean_and_variance)
{
    return cr_make_param_array(dist_case, dist_cases, sizeof dist_cases / sizeof dist_cases[0]);
}

ParameterizedTest(dist_case *c, dist, draws_have_the_right_mean_and_variance)
{
    sim_dist d = { .kind = c->kind, .a = c->a, .b = c->b };
    sim_rng r;
    sim_rng_init(&r, 1, 2, 3, 4);
    const int n = 400000;
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) {
        double x = sim_dist_draw(&d, &r);
        s += x;
        ss += x * x;
    }
    double mean = s / n, var = ss / n - mean * mean;
    /* Standard error of the mean is sqrt(var/n) <= 0.004 here; 5 SE plus rounding. */
    cr_expect(fabs(mean - c->mean) < 5 * sqrt(c->var / n) + 1e-12, "%s: mean %g, expected %g", sim_dist_name(c->kind), mean, c->mean);
    cr_expect(fabs(var - c->var) < 0.02 * c->var + 1e-12, "%s: variance %g, expected %g", sim_dist_name(c->kind), var, c->var);
    cr_expect(fabs(sim_dist_mean(&d) - c->mean) < 1e-9);
}

Test(dist, empirical_draws_follow_the_weights)
{
    double values[] = { 1, 2, 3 }, cum[] = { 0.2, 0.5, 1.0 };
    sim_dist d = { .kind = SIM_EMPIRICAL, .n = 3, .values = values, .cum = cum };
    sim_rng r;
    sim_rng_init(&r, 9, 9, 9, 9);
    int count[4] = { 0 };
    for (int i = 0; i < 100000; i++) count[(int)sim_dist_draw(&d, &r)]++;
    cr_expect(abs(count[1] - 20000) < 700 && abs(count[2] - 30000) < 800 && abs(count[3] - 50000) < 900,
              "%d %d %d", count[1], count[2], count[3]);
    cr_expect_eq(sim_dist_mean(&d), 0.2 * 1 + 0.3 * 2 + 0.5 * 3);
}

Test(dist, streams_with_different_keys_are_uncorrelated)
{
    /* Neighbouring customers' first draws: correlation of consecutive ids near 0. */
    const int n = 100000;
    double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        double x = sim_rng_once(42, SIM_P_THINK, (uint64_t)i, 0), y = sim_rng_once(42, SIM_P_THINK, (uint64_t)i + 1, 0);
        sx += x; sy += y; sxy += x * y; sxx += x * x; syy += y * y;
    }
    double cov = sxy / n - sx / n * sy / n, corr = cov / sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
    cr_expect(fabs(corr) < 0.015, "correlation %g", corr);
    cr_expect(fabs(sx / n - 0.5) < 0.005);
}

Test(dist, a_draw_from_a_fresh_stream_is_the_same_bits_the_short_way)
{
    /* sim_dist_draw_once skips the stream's unused state words for one-uniform laws; every
     * law must give exactly what sim_dist_draw gives on sim_rng_init's stream (results
     * depend on it: the model draws this way). */
    double values[] = { 1, 2, 3, 7.5 }, cum[] = { 0.1, 0.45, 0.9, 1.0 };
    const sim_dist laws[] = {
        { .kind = SIM_CONST, .a = 2.5 },
        { .kind = SIM_EXP, .a = 20e-3 },
        { .kind = SIM_UNIFORM, .a = 3, .b = 11 },
        { .kind = SIM_NORMAL, .a = 1, .b = 2 },
        { .kind = SIM_LOGNORMAL, .a = 60, .b = 1 },
        { .kind = SIM_EMPIRICAL, .n = 4, .values = values, .cum = cum },
    };
    for (size_t k = 0; k < sizeof laws / sizeof laws[0]; k++)
        for (uint64_t id = 0; id < 5000; id++) {
            sim_rng r;
            sim_rng_init(&r, 7, SIM_P_WAREHOUSE, id, id % 13);
            double slow = sim_dist_draw(&laws[k], &r);
            double fast = sim_dist_draw_once(&laws[k], 7, SIM_P_WAREHOUSE, id, id % 13);
            cr_assert(memcmp(&slow, &fast, sizeof slow) == 0, "%s, id %llu: %.17g the long way, %.17g the short way",
                      sim_dist_name(laws[k].kind), (unsigned long long)id, slow, fast);
        }
}
