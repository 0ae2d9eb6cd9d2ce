/* Tests for the timeouts (docs/scenarios.md "payment", "stations"): payment.timeout covers
 * queue and service (a payment in service at its deadline is abandoned, freeing its server;
 * finishing exactly at the deadline is in time), a timed-out payment is a failed payment for
 * each strategy, and stations.order_service.timeout rejects requests that waited too long.
 * Hand-computed cases, and a loaded case whose every payment response is checked. The
 * payment timeout is also checked against an independent SimPy model (t_peer_admission.sh). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_text.h"

/* Customers at 0, 1, 2 s (deterministic), each orders the one SKU and starts paying at once
 * (think 0); one payment server with a constant delay. */
#define PAY3(delay, timeout)                                                                                 \
    "{\"name\":\"pay3\",\"horizon\":\"1000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":10}],"      \
    "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":3,"           \
    "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,\"think_time\":{\"dist\":\"const\",\"value\":0}}]},"  \
    "\"payment\":{\"servers\":1,\"delay\":{\"dist\":\"const\",\"value\":\"" delay "\"},\"timeout\":\"" timeout "\"}}"

typedef struct pay_case {
    char   name[64];
    char   text[640];
    double paid, timed_out, resp_max;
} pay_case;

static pay_case pay_cases[] = {
    /* P0 0-10 paid; P1 (joined 1, deadline 16) starts 10, would end 20: abandoned at 16;
     * P2 (deadline 17) starts 16, abandoned at 17. Responses 10, 15, 15. */
    { "timeout 15 s, delay 10 s", PAY3("10s", "15s"), 1, 2, 15 },
    /* P0 finishes at 10 = its deadline: in time. P1 (deadline 11) starts 10, abandoned at 11;
     * P2 (deadline 12) starts 11, abandoned at 12. */
    { "finishing exactly at the deadline is in time", PAY3("10s", "10s"), 1, 2, 10 },
    /* Every payment takes longer than the timeout: P0 abandoned at 9, P1 at 10, P2 at 11. */
    { "timeout shorter than the delay", PAY3("10s", "9s"), 0, 3, 9 },
    /* A timeout the payments never reach changes nothing: 0-10, 10-20, 20-30. */
    { "timeout longer than any response", PAY3("10s", "100s"), 3, 0, 28 },
};

ParameterizedTestParameters(timeout, payment_hand_computed)
{
    return cr_make_param_array(pay_case, pay_cases, sizeof pay_cases / sizeof pay_cases[0]);
}

ParameterizedTest(pay_case *c, timeout, payment_hand_computed)
{
    rpt_run r;
    scn_text_run(c->text, &r, false);
    cr_expect_eq(r.m[RPT_M_orders_paid], c->paid, "%s: paid %g", c->name, r.m[RPT_M_orders_paid]);
    cr_expect_eq(r.m[RPT_M_payments_timed_out], c->timed_out, "%s: timed out %g", c->name, r.m[RPT_M_payments_timed_out]);
    cr_expect_eq(r.st[1].timeouts, c->timed_out, "%s: the payment station counts them", c->name);
    cr_expect_float_eq(r.st[1].response_p99, c->resp_max, 1e-9, "%s: longest response %g", c->name, r.st[1].response_p99);
    cr_expect_eq(r.m[RPT_M_units_sold], c->paid, "%s: a timed-out payment sells nothing", c->name);
    cr_expect_float_eq(r.m[RPT_M_captured_total], 10 * c->paid, 1e-9, "%s: and captures nothing", c->name);
    rpt_run_fini(&r);
}

/* Under load (Poisson 2/s, 3 servers of exponential mean 2 s: 67% busy, with bursts) and a
 * 3 s timeout: every paid order's payment took at most 3 s from payment start (think time is
 * 0: creation), and the station's longest response is at most 3 s. */
Test(timeout, a_payment_response_never_exceeds_payment_timeout)
{
    const char *text =
        "{\"name\":\"load\",\"horizon\":\"2000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":100000,\"price\":10}],"
        "\"customers\":{\"arrivals\":{\"rate\":2},\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,"
        "\"think_time\":{\"dist\":\"const\",\"value\":0}}]},"
        "\"payment\":{\"servers\":3,\"delay\":{\"dist\":\"exp\",\"mean\":\"2s\"},\"timeout\":\"3s\"}}";
    rpt_run r;
    scn_text_run(text, &r, true);
    cr_assert_gt(r.m[RPT_M_payments_timed_out], 100, "the timeout binds: %g", r.m[RPT_M_payments_timed_out]);
    cr_expect_eq(r.st[1].timeouts, r.m[RPT_M_payments_timed_out]);
    cr_expect_leq(r.st[1].response_p99, 3.0 + 1e-9, "%.17g", r.st[1].response_p99);   /* floating point: to the last bits */
    /* from the ledger: creation (= payment start) to the pay transition */
    double *created = calloc(r.ntrans + 2, sizeof *created);
    int pay = -1;
    for (int a = 0; a < r.nactions; a++)
        if (strcmp(r.actions[a], "pay") == 0) pay = a;
    cr_assert_geq(pay, 0);
    size_t n = 0;
    double worst = 0;
    for (size_t i = 0; i < r.ntrans; i++) {
        const rpt_trans *t = &r.trans[i];
        cr_assert_lt(t->order, r.ntrans + 2);
        if (t->from == -1) created[t->order] = t->t;
        else if (t->action == pay) {
            double d = t->t - created[t->order];
            worst = d > worst ? d : worst;
            n++;
        }
    }
    cr_expect_eq((double)n, r.m[RPT_M_orders_paid]);
    cr_expect_leq(worst, 3.0 + 1e-9, "a payment took %.17g s", worst);
    cr_expect_gt(worst, 2.9, "and some came close to the deadline: %g", worst);
    free(created);
    rpt_run_fini(&r);
}

/* One customer orders the only unit at 0 and starts paying at 5 s; the payment would take
 * 100 s but times out at 15 s; the order expires at 600 s. reduce_on_order keeps the lock
 * from 0 to the expiry (600 unit-seconds); reserve_on_checkout locks at payment start and
 * releases at the timeout (10); reduce_on_payment locks nothing. Nothing is paid or sold. */
typedef struct strat_case { char strategy[24]; double locked; } strat_case;
static strat_case strat_cases[] = { { "reduce_on_order", 600 }, { "reserve_on_checkout", 10 }, { "reduce_on_payment", 0 } };

ParameterizedTestParameters(timeout, payment_timeout_is_a_failed_payment_for_each_strategy)
{
    return cr_make_param_array(strat_case, strat_cases, 3);
}

ParameterizedTest(strat_case *c, timeout, payment_timeout_is_a_failed_payment_for_each_strategy)
{
    const char *text =
        "{\"name\":\"one\",\"horizon\":\"1000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":10}],"
        "\"inventory\":{\"order_expiry\":\"600s\"},"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":1,"
        "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,\"think_time\":{\"dist\":\"const\",\"value\":5}}]},"
        "\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":100},\"timeout\":\"10s\"}}";
    scn_scenario *s = scn_text(text);
    rpt_run r;
    rpt_run_init(&r);
    sim_opts o = { .seed = 1, .strategy = c->strategy, .ledger = true, .check_every_event = true };
    cr_assert_eq(sim_run(s, &o, &r), OS_OK);
    cr_assert(r.invariants_ok, "%s", r.violations.count ? r.violations.msgs[0] : "");
    cr_expect_eq(r.m[RPT_M_payments_timed_out], 1, "%s", c->strategy);
    cr_expect_eq(r.m[RPT_M_orders_paid] + r.m[RPT_M_units_sold] + r.m[RPT_M_captured_total], 0, "%s", c->strategy);
    cr_expect_float_eq(r.m[RPT_M_locked_unit_seconds], c->locked, 1e-9, "%s: %g", c->strategy, r.m[RPT_M_locked_unit_seconds]);
    cr_expect_eq(r.m[RPT_M_orders_expired], 1, "%s: the order expires at its deadline", c->strategy);
    rpt_run_fini(&r);
    scn_free(s);
}

/* A timed-out payment is a failed payment for the segment's retry: the customer places a new
 * order after the delay (here it times out too). */
Test(timeout, a_timed_out_payment_is_retried)
{
    const char *text =
        "{\"name\":\"retry\",\"horizon\":\"1000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":10}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":1,"
        "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,\"think_time\":{\"dist\":\"const\",\"value\":0},"
        "\"retry\":{\"probability\":1,\"max\":1,\"delay\":{\"dist\":\"const\",\"value\":5}}}]},"
        "\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":100},\"timeout\":\"10s\"}}";
    rpt_run r;
    scn_text_run(text, &r, false);
    cr_expect_eq(r.m[RPT_M_retries], 1);
    cr_expect_eq(r.m[RPT_M_orders_created], 2);
    cr_expect_eq(r.m[RPT_M_payments_timed_out], 2);
    rpt_run_fini(&r);
}

/* The order service: one server of 10 s, timeout 5 s, requests at 0, 1, 2, 3 s. R0 is served
 * (created at 10); R1 (deadline 6), R2 (7), R3 (8) leave the queue at their deadlines. */
Test(timeout, order_service_hand_computed)
{
    rpt_run r;
    scn_text_run("{\"name\":\"os\",\"horizon\":\"100s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":10}],"
                 "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":4,"
                 "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0}]},"
                 "\"stations\":{\"order_service\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":10},\"timeout\":\"5s\"}}}",
                 &r, false);
    cr_expect_eq(r.m[RPT_M_orders_created], 1);
    cr_expect_eq(r.m[RPT_M_requests_timed_out], 3);
    cr_expect_eq(r.st[0].timeouts, 3);
    cr_expect_eq(r.st[0].served, 1, "a request that timed out was never served");
    rpt_run_fini(&r);
}
