/* Mixed processes (docs/scenarios.md, "Mixed processes"): a segment's or a SKU's own
 * process, each order following its own machine in one run; hand-computed cases and a
 * metamorphic relation. */
#include <math.h>
#include <stdio.h>

#include "scn_text.h"

static double served(const rpt_run *r, const char *station)
{
    for (int k = 0; k < r->nstations; k++)
        if (strcmp(r->st[k].name, station) == 0) return r->st[k].served;
    cr_assert_fail("no station %s", station);
    return NAN;
}

/* Four buyers at 0, 1, 2, 3 s, each paying 1 s later (payment 1 s): paid at 2..5 s. Under
 * virtual an order completes complete_after (10 min) after payment, long before the 1 h
 * horizon, and never reaches the warehouse; under b2c it is produced (60 s at the one
 * warehouse server), shipped, delivered at once and would confirm only after 7 days. */
static const char *const four =
    "{\"name\":\"mixed\",\"horizon\":\"1h\","
    "\"catalog\":[{\"sku\":\"a\",\"stock\":100,\"price\":10%s},{\"sku\":\"b\",\"stock\":100,\"price\":10%s}],"
    "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":4,"
    "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,\"basket_size\":{\"dist\":\"const\",\"value\":%d},"
    "\"think_time\":{\"dist\":\"const\",\"value\":1}%s}]},"
    "\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":1}},"
    "\"stations\":{\"warehouse\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":60}}},"
    "\"fulfilment\":{\"complete_after\":\"10m\"}}";

Test(mixed, a_virtual_segment_completes_without_the_warehouse_beside_b2c)
{
    char text[2048];
    rpt_run r;
    snprintf(text, sizeof text, four, "", "", 1, "");
    scn_text_run(text, &r, false);
    cr_expect_str_eq(r.process, "b2c");
    cr_expect_eq(r.m[RPT_M_orders_paid], 4);
    cr_expect_eq(r.m[RPT_M_orders_completed], 0, "b2c confirms only after 7 days");
    cr_expect_eq(served(&r, "warehouse"), 4);
    rpt_run_fini(&r);

    snprintf(text, sizeof text, four, "", "", 1, ",\"process\":\"virtual\"");
    scn_text_run(text, &r, false);
    cr_expect_str_eq(r.process, "b2c+virtual");
    cr_expect_eq(r.m[RPT_M_orders_paid], 4);
    cr_expect_eq(r.m[RPT_M_orders_completed], 4, "virtual completes 10 min after payment");
    cr_expect_eq(served(&r, "warehouse"), 0, "virtual goods are never produced");
    rpt_run_fini(&r);
}

Test(mixed, the_goods_process_wins_when_every_line_agrees_else_the_segments)
{
    char text[2048];
    rpt_run r;
    /* One-line orders of virtual goods by a cash-on-delivery segment: the goods decide. */
    snprintf(text, sizeof text, four, ",\"process\":\"virtual\"", ",\"process\":\"virtual\"", 1, ",\"process\":\"cod\"");
    scn_text_run(text, &r, false);
    cr_expect_eq(r.m[RPT_M_orders_completed], 4);
    cr_expect_eq(served(&r, "warehouse"), 0);
    cr_expect_eq(r.m[RPT_M_order_to_pay_p99], 2, "paid online: think 1 s + payment 1 s");
    rpt_run_fini(&r);
    /* Two-line orders of a virtual and a physical SKU: the lines disagree, the segment's cash
     * on delivery decides: produced first (60 s each at the one server), paid at the door. */
    snprintf(text, sizeof text, four, ",\"process\":\"virtual\"", "", 2, ",\"process\":\"cod\"");
    scn_text_run(text, &r, false);
    cr_expect_eq(served(&r, "warehouse"), 4);
    cr_expect_eq(r.m[RPT_M_orders_completed], 0);
    cr_expect_eq(r.m[RPT_M_orders_paid], 4);
    /* created at 0..3 s, produced one after another in [0, 60), [60, 120), ...: paid at 60, 120,
     * 180, 240 s, i.e. 60, 119, 178, 237 s after creation; the median (nearest rank) is 119 s,
     * read from the histogram within its bucket width (1/64). */
    cr_expect(fabs(r.m[RPT_M_order_to_pay_p50] - 119) <= 119.0 / 64, "p50 %g", r.m[RPT_M_order_to_pay_p50]);
    rpt_run_fini(&r);
}

Test(mixed, the_ledger_and_state_series_merge_states_by_name)
{
    char text[2048];
    rpt_run r;
    snprintf(text, sizeof text, four, "", "", 1, ",\"process\":\"virtual\"");
    scn_text_run(text, &r, true);
    cr_expect_eq(r.nstates, 13, "virtual's 7 states are all b2c state names");
    snprintf(text, sizeof text, four, ",\"process\":\"cod\"", "", 1, "");
    rpt_run_fini(&r);
    scn_text_run(text, &r, true);
    cr_expect_str_eq(r.process, "b2c+cod");
    cr_expect_eq(r.nstates, 15, "cod adds placed and refused");
    bool placed = false;
    for (int c = 1; c < r.series.ncols; c++) placed |= strcmp(r.series.cols[c].name, "state.placed") == 0;
    cr_expect(placed, "a state series for cod's placed");
    for (size_t i = 0; i < r.ntrans; i++) cr_expect(r.trans[i].to < r.nstates);
    rpt_run_fini(&r);
}

/* Genuine buyers and bots, stock to spare, payments unlimited. */
static const char *const ample =
    "{\"name\":\"ample\",\"horizon\":\"3h\","
    "\"catalog\":[{\"sku\":\"a\",\"stock\":100000,\"price\":19.99},{\"sku\":\"b\",\"stock\":100000,\"price\":5}],"
    "\"inventory\":{\"strategy\":\"%s\"},"
    "\"customers\":{\"arrivals\":{\"process\":\"poisson\",\"rate\":0.1},"
    "\"segments\":[{\"name\":\"genuine\",\"share\":0.8,\"basket_size\":{\"dist\":\"uniform\",\"min\":1,\"max\":2},"
    "\"pay_probability\":0.7,\"think_time\":{\"dist\":\"exp\",\"mean\":\"3m\"},\"cancel_probability\":0.05%s},"
    "{\"name\":\"bots\",\"share\":0.2,\"malicious\":true,\"orders_per_visit\":2,\"accounts_per_visit\":2}]},"
    "\"payment\":{\"delay\":{\"dist\":\"exp\",\"mean\":\"20s\"},\"failure_probability\":0.05},"
    "\"stations\":{\"warehouse\":{\"servers\":2,\"service\":{\"dist\":\"exp\",\"mean\":\"2m\"}}},"
    "\"fulfilment\":{\"delivery\":{\"dist\":\"exp\",\"mean\":\"20m\"}}}";

Test(mixed, switching_a_segment_to_virtual_moves_no_count_before_payment)
{
    /* Metamorphic: with stock to spare nothing couples the orders, and the machines agree up
     * to payment, so switching the genuine segment to virtual leaves every segment's
     * customers, orders created, paid, expired and cancelled and money captured exactly as
     * they were, under every strategy; only fulfilment changes (no warehouse work). */
    const inv_strategy *const *strategies = inv_strategies();   /* every strategy: a new one is tested too */
    static const int same[] = { RPT_M_customers, RPT_M_orders_created, RPT_M_orders_paid, RPT_M_orders_expired, RPT_M_orders_cancelled,
                                RPT_M_captured_total, RPT_M_units_sold };
    for (int k = 0; strategies[k]; k++) {
        char a_text[2048], b_text[2048];
        snprintf(a_text, sizeof a_text, ample, strategies[k]->name, "");
        snprintf(b_text, sizeof b_text, ample, strategies[k]->name, ",\"process\":\"virtual\"");
        rpt_run a, b;
        scn_text_run(a_text, &a, false);
        scn_text_run(b_text, &b, false);
        cr_assert(a.m[RPT_M_orders_paid] > 50);
        for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
            cr_expect_eq(a.m[same[i]], b.m[same[i]], "%s: %s", strategies[k]->name, rpt_metric_name((rpt_metric)same[i]));
            int c = rpt_bd_column(RPT_BD_SEGMENT, same[i]);
            for (int row = 0; row < 2; row++)
                cr_expect_eq(a.bd[RPT_BD_SEGMENT].v[(size_t)row * (size_t)a.bd[RPT_BD_SEGMENT].ncols + (size_t)c],
                             b.bd[RPT_BD_SEGMENT].v[(size_t)row * (size_t)b.bd[RPT_BD_SEGMENT].ncols + (size_t)c],
                             "%s: segment %d %s", strategies[k]->name, row, rpt_metric_name((rpt_metric)same[i]));
        }
        cr_expect_gt(served(&a, "warehouse"), 0);
        cr_expect_eq(served(&b, "warehouse"), 0, "only the genuine segment paid, and it is virtual now");
        rpt_run_fini(&a);
        rpt_run_fini(&b);
    }
}

Test(mixed, an_unknown_process_on_a_segment_is_refused_with_its_path)
{
    char text[2048];
    snprintf(text, sizeof text, four, "", "", 1, ",\"process\":\"digital\"");
    const char *msg = scn_text_error(text);
    cr_expect(strstr(msg, "customers.segments[0].process: unknown process \"digital\", expected b2c, virtual, cod"), "%s", msg);
}
