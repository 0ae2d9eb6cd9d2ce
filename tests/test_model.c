/* Model rules checked by hand that no shipped scenario exercises, so the golden outputs
 * would not notice them break (each found by a surviving mutation, tests/mutations.txt). */
#include <criterion/criterion.h>
#include <string.h>

#include "sim_model.h"

static scn_scenario *scenario(const char *text)
{
    jsn_doc *doc;
    os_diag d;
    os_diag_init(&d);
    cr_assert_eq(jsn_parse("test.json", text, strlen(text), &doc, &d), OS_OK);
    scn_scenario *s = NULL;
    os_status st = scn_from_doc(doc, &s, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(st, OS_OK);
    jsn_free(doc);
    os_diag_fini(&d);
    return s;
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
    cr_expect_eq(r.m[RPT_orders_created], 5);
    cr_expect_eq(r.m[RPT_locked_stock_peak], 30, "peak %g", r.m[RPT_locked_stock_peak]);
    cr_expect_eq(r.m[RPT_locked_unit_seconds], 1800, "unit-seconds %g", r.m[RPT_locked_unit_seconds]);
    rpt_run_fini(&r);
    scn_free(s);
}
