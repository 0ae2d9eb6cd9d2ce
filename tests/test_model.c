/* Model rules checked by hand that no shipped scenario exercises, so the golden outputs
 * would not notice them break (each found by a surviving mutation, tests/mutations.txt). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "scn_text.h"

static scn_scenario *scenario(const char *text)
{
    return scn_text(text);
}

Test(model, count_draws_round_to_the_nearest_integer)
{
    /* 5 bots at t = 0..4, each ordering quantity 2.6 -> 3 units of each of basket 1.5 -> 2
     * SKUs, locked for 60 s under reduce_on_order: 6 units per order, peak 5 x 6 = 30 units,
     * 30 units x 60 s = 1800 unit-seconds. (Truncation would give 1 x 2 = 2 units per order.) */
    const char *text =
        "{\"name\":\"round\",\"horizon\":\"1000s\",\"catalog\":[{\"sku\":\"a\",\"stock\":100,\"price\":1},"
        "{\"sku\":\"b\",\"stock\":100,\"price\":1}],"
        "\"inventory\":{\"strategy\":\"reduce_on_order\",\"order_expiry\":\"60s\"},"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":5,"
        "\"segments\":[{\"name\":\"b\",\"share\":1,\"malicious\":true,"
        "\"quantity\":{\"dist\":\"const\",\"value\":2.6},\"basket_size\":{\"dist\":\"const\",\"value\":1.5}}]}}";
    scn_scenario *s = scenario(text);
    rpt_run r;
    rpt_run_init(&r);
    sim_opts o = { .seed = 1, .ledger = true };
    cr_assert_eq(sim_run(s, &o, &r), OS_OK);
    cr_expect(r.invariants_ok);
    cr_expect_eq(r.m[RPT_M_orders_created], 5);
    cr_expect_eq(r.m[RPT_M_locked_stock_peak], 30, "peak %g", r.m[RPT_M_locked_stock_peak]);
    cr_expect_eq(r.m[RPT_M_locked_unit_seconds], 1800, "unit-seconds %g", r.m[RPT_M_locked_unit_seconds]);
    rpt_run_fini(&r);
    scn_free(s);
}

/* Loads a scenario whose two segments have the given shares; returns the status and the
 * first message in msg. */
static os_status load_shares(const char *a, const char *b, char *msg, size_t n)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"name\":\"s\",\"horizon\":\"10s\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":1}],"
             "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"x\",\"share\":%s},"
             "{\"name\":\"y\",\"share\":%s}]}}", a, b);
    scn_scenario *s;
    os_status st = scn_text_try(text, NULL, &s, msg, n);
    scn_free(s);
    return st;
}

Test(loader, segment_shares_must_sum_to_one_within_rounding)
{
    char msg[256];
    /* 0.1 + 0.9 is exactly 1 in doubles; 0.3 + 0.7 is 0.99999999999999989: both accepted. */
    cr_expect_eq(load_shares("0.1", "0.9", msg, sizeof msg), OS_OK, "%s", msg);
    cr_expect_eq(load_shares("0.3", "0.7", msg, sizeof msg), OS_OK, "%s", msg);
    /* 0.5 + 0.499 = 0.999: a tenth of a percent of the customers would belong to nobody. */
    cr_expect_eq(load_shares("0.5", "0.499", msg, sizeof msg), OS_EDATA);
    cr_expect(strstr(msg, "customers.segments: the segments' shares sum to 0.999, expected 1") != NULL, "%s", msg);
}

Test(model, the_confirm_and_complete_timers_each_take_their_own_duration)
{
    /* One customer pays at once; delivery is immediate. Confirmation after 1 h, completion
     * 10 h later: completed at 11 h, inside the 12 h horizon. Were either timer to take the
     * other's length, completion would come at 20 h (both 10 h) or at 2 h (both 1 h): only
     * 11 h passes both checks below (completed by 12 h, not yet by 10.5 h). */
    const char *text =
        "{\"name\":\"timers\",\"horizon\":\"%s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":1}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":1,"
        "\"segments\":[{\"name\":\"g\",\"share\":1}]},"
        "\"fulfilment\":{\"auto_confirm_after\":\"1h\",\"complete_after\":\"10h\"}}";
    const char *horizons[2] = { "12h", "10.5h" };
    const double want[2] = { 1, 0 };
    for (int i = 0; i < 2; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, text, horizons[i]);
        scn_scenario *s = scenario(buf);
        rpt_run r;
        rpt_run_init(&r);
        sim_opts o = { .seed = 1, .ledger = true };
        cr_assert_eq(sim_run(s, &o, &r), OS_OK);
        cr_expect(r.invariants_ok);
        cr_expect_eq(r.m[RPT_M_orders_paid], 1);
        cr_expect_eq(r.m[RPT_M_orders_completed], want[i], "horizon %s: completed %g", horizons[i],
                     r.m[RPT_M_orders_completed]);
        rpt_run_fini(&r);
        scn_free(s);
    }
}
