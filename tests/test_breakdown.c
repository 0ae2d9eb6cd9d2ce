/* Breakdowns (docs/metrics.md, "Breakdowns"): counts and amounts per segment, SKU,
 * promotion and payment channel, computed by hand; the check that every breakdown adds up
 * to its total, shown to catch one corrupted cell; and metamorphic relations. */
#include <math.h>
#include <stdio.h>

#include "scn_text.h"

/* Runs a scenario text at seed 1 into r (caller finis r); its invariants may be broken. */
static void run_text(const char *text, rpt_run *r)
{
    scn_scenario *s = scn_text(text);
    rpt_run_init(r);
    sim_opts o = { .seed = 1 };
    cr_assert_eq(sim_run(s, &o, r), OS_OK);
    scn_free(s);
}

/* The value of figure f in row `row` of dimension d. */
static double cell(const rpt_run *r, rpt_bd_dim d, int row, int f)
{
    int c = rpt_bd_column(d, f);
    cr_assert(c >= 0, "%s does not break down %s", rpt_bd_key(d), rpt_bd_figure_name(f));
    cr_assert(row < r->bd[d].nrows);
    return r->bd[d].v[(size_t)row * (size_t)r->bd[d].ncols + (size_t)c];
}

/* Four customers, each buying one of SKU a (200.00) and one of b (100.00): list 300. A
 * fixed 30 off with a budget of 100 covers three orders (90), leaving 10: the fourth order
 * skips it and pays 300. Paid per order 270 = a's 2/3 (180) + b's 1/3 (90); the fourth
 * 200 + 100. So a: captured 3 x 180 + 200 = 740, discount 3 x 20 = 60; b: 370 and 30. */
static const char *const two_skus =
    "{\"name\":\"bd\",\"horizon\":\"1h\","
    "\"catalog\":[{\"sku\":\"a\",\"stock\":100,\"price\":%s},{\"sku\":\"b\",\"stock\":100,\"price\":%s}],"
    "\"promotions\":[{\"id\":\"thirty\",\"type\":\"fixed_off\",\"value\":%s%s}],"
    "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":4,"
    "\"segments\":[{\"name\":\"g\",\"share\":1,\"basket_size\":{\"dist\":\"const\",\"value\":2},"
    "\"pay_probability\":1,\"think_time\":{\"dist\":\"const\",\"value\":1}}]},"
    "\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":1},\"failure_probability\":0}}";

Test(breakdown, money_splits_over_skus_by_list_value_and_promotions_keep_their_budget)
{
    char text[1024];
    snprintf(text, sizeof text, two_skus, "200", "100", "30", ",\"budget\":100");
    rpt_run r;
    run_text(text, &r);
    cr_assert(r.invariants_ok, "%s", r.violations.count ? r.violations.msgs[0] : "");
    cr_assert_eq(r.m[RPT_M_orders_paid], 4);
    cr_expect_str_eq(r.bd[RPT_BD_SKU].keys[0], "a");
    cr_expect_str_eq(r.bd[RPT_BD_SKU].keys[1], "b");
    cr_expect_eq(cell(&r, RPT_BD_SKU, 0, RPT_M_captured_total), 740);
    cr_expect_eq(cell(&r, RPT_BD_SKU, 1, RPT_M_captured_total), 370);
    cr_expect_eq(cell(&r, RPT_BD_SKU, 0, RPT_M_discount_total), 60);
    cr_expect_eq(cell(&r, RPT_BD_SKU, 1, RPT_M_discount_total), 30);
    cr_expect_eq(cell(&r, RPT_BD_SKU, 0, RPT_M_units_sold), 4);
    cr_expect_eq(cell(&r, RPT_BD_SKU, 1, RPT_M_unsold_units_end), 96);
    cr_expect_eq(cell(&r, RPT_BD_SKU, 0, RPT_M_revenue), 740);
    cr_expect_str_eq(r.bd[RPT_BD_PROMOTION].keys[0], "thirty");
    cr_expect_eq(cell(&r, RPT_BD_PROMOTION, 0, RPT_M_discount_total), 90);
    cr_expect_eq(cell(&r, RPT_BD_PROMOTION, 0, RPT_BD_budget_left), 10);
    cr_expect_eq(cell(&r, RPT_BD_PROMOTION, 0, RPT_BD_budget_skips), 1);
    cr_expect_eq(cell(&r, RPT_BD_SEGMENT, 0, RPT_M_customers), 4);
    cr_expect_eq(cell(&r, RPT_BD_SEGMENT, 0, RPT_M_captured_total), 1110);
    cr_expect_str_eq(r.bd[RPT_BD_CHANNEL].keys[0], "default");
    cr_expect_eq(r.bd[RPT_BD_CHANNEL].nrows, 1);
    cr_expect_eq(cell(&r, RPT_BD_CHANNEL, 0, RPT_M_orders_paid), 4);
    rpt_run_fini(&r);
}

Test(breakdown, an_odd_cent_goes_to_the_last_line_so_the_parts_add_up_exactly)
{
    /* List 1.00 + 2.00 = 3.00, 0.01 off: 2.99 paid. The first line takes its share rounded
     * down, the last line the rest: a first gives a 299 x 100 / 300 = 99.67 -> 99 cents and
     * b 200; b first gives b 199 and a 100. Either way each order's parts are whole cents
     * adding up to 299. */
    char text[1024];
    snprintf(text, sizeof text, two_skus, "1", "2", "0.01", "");
    rpt_run r;
    run_text(text, &r);
    cr_assert(r.invariants_ok, "%s", r.violations.count ? r.violations.msgs[0] : "");
    cr_assert_eq(r.m[RPT_M_orders_paid], 4);
    double a = cell(&r, RPT_BD_SKU, 0, RPT_M_captured_total), b = cell(&r, RPT_BD_SKU, 1, RPT_M_captured_total);
    cr_expect(fabs(a + b - 4 * 2.99) < 1e-9, "a %.17g + b %.17g", a, b);
    cr_expect(a >= 4 * 0.99 - 1e-9 && a <= 4 * 1.00 + 1e-9, "a: %.17g", a);
    cr_expect(fabs(a * 100 - round(a * 100)) < 1e-6, "a in whole cents: %.17g", a);
    cr_expect(fabs(cell(&r, RPT_BD_PROMOTION, 0, RPT_M_discount_total) - 0.04) < 1e-12);
    cr_expect(isnan(cell(&r, RPT_BD_PROMOTION, 0, RPT_BD_budget_left)), "no budget: unlimited, null");
    rpt_run_fini(&r);
}

#define BOTS(name, share) "{\"name\":\"" name "\",\"share\":" share ",\"malicious\":true,\"orders_per_visit\":3,\"accounts_per_visit\":3}"
#define ONE_BOT_SEGMENT BOTS("bots", "0.3")

/* Two segments, two SKUs, bots, returns, cancellations and overselling: every breakdown
 * of every strategy adds up. */
static const char *const busy =
    "{\"name\":\"busy\",\"horizon\":\"2h\","
    "\"catalog\":[{\"sku\":\"a\",\"stock\":40,\"price\":19.99},{\"sku\":\"b\",\"stock\":25,\"price\":7.5}],"
    "\"promotions\":[{\"id\":\"ten\",\"type\":\"percent_off\",\"value\":10,\"priority\":1,\"stackable\":true,\"budget\":30},"
    "{\"id\":\"big\",\"type\":\"threshold_off\",\"value\":5,\"threshold\":25,\"priority\":2,\"stackable\":true}],"
    "\"inventory\":{\"strategy\":\"%s\",\"oversell\":\"%s\",\"order_expiry\":\"10m\"},"
    "\"customers\":{\"arrivals\":{\"process\":\"poisson\",\"rate\":0.05},"
    "\"segments\":[{\"name\":\"genuine\",\"share\":0.7,\"basket_size\":{\"dist\":\"uniform\",\"min\":1,\"max\":2},"
    "\"quantity\":{\"dist\":\"uniform\",\"min\":1,\"max\":3},\"pay_probability\":0.8,"
    "\"think_time\":{\"dist\":\"exp\",\"mean\":\"2m\"},\"cancel_probability\":0.05,\"modify_probability\":0.1,"
    "\"return_probability\":0.3,\"return_delay\":{\"dist\":\"exp\",\"mean\":\"5m\"}},"
    "%s]},"
    "\"payment\":{\"delay\":{\"dist\":\"exp\",\"mean\":\"3m\"},\"failure_probability\":0.1},"
    "\"fulfilment\":{\"delivery\":{\"dist\":\"exp\",\"mean\":\"5m\"},\"auto_confirm_after\":\"20m\",\"complete_after\":\"20m\"}}";

Test(breakdown, every_breakdown_adds_up_under_every_strategy_and_oversell_policy)
{
    const inv_strategy *const *strategies = inv_strategies();   /* every strategy: a new one is tested too */
    static const char *const policies[] = { "allow", "refund" };
    for (int i = 0; strategies[i]; i++)
        for (int j = 0; j < 2; j++) {
            char text[4096];
            snprintf(text, sizeof text, busy, strategies[i]->name, policies[j], ONE_BOT_SEGMENT);
            rpt_run r;
            run_text(text, &r);
            cr_expect(r.invariants_ok, "%s/%s: %s", strategies[i]->name, policies[j], r.violations.count ? r.violations.msgs[0] : "");
            cr_expect_eq(r.bd[RPT_BD_SEGMENT].nrows, 2);
            cr_expect(r.m[RPT_M_orders_paid] > 0);
            os_diag d;
            os_diag_init(&d);
            cr_expect_eq(rpt_bd_check(&r, &d), 0);
            os_diag_fini(&d);
            rpt_run_fini(&r);
        }
}

Test(breakdown, the_check_catches_one_corrupted_cell)
{
    char text[4096];
    snprintf(text, sizeof text, busy, "reduce_on_payment", "allow", ONE_BOT_SEGMENT);
    rpt_run r;
    run_text(text, &r);
    cr_assert(r.invariants_ok);
    struct { rpt_bd_dim d; int row, f; double delta; const char *msg; } cases[] = {
        { RPT_BD_SEGMENT, 1, RPT_M_orders_created, 1, "breakdown by_segment: orders_created: rows add up to" },
        { RPT_BD_SKU, 0, RPT_M_units_sold, -1, "breakdown by_sku: units_sold: rows add up to" },
        { RPT_BD_SKU, 1, RPT_M_revenue, 0.02, "breakdown by_sku: revenue: rows add up to" },
        { RPT_BD_PROMOTION, 0, RPT_M_discount_total, 0.5, "breakdown by_promotion: discount_total: rows add up to" },
        { RPT_BD_CHANNEL, 0, RPT_M_orders_paid, 1, "breakdown by_channel: orders_paid: rows add up to" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int c = rpt_bd_column(cases[k].d, cases[k].f);
        double *v = &r.bd[cases[k].d].v[(size_t)cases[k].row * (size_t)r.bd[cases[k].d].ncols + (size_t)c];
        *v += cases[k].delta;
        os_diag d;
        os_diag_init(&d);
        cr_expect_eq(rpt_bd_check(&r, &d), 1, "case %zu", k);
        cr_expect(d.count == 1 && strstr(d.msgs[0], cases[k].msg), "case %zu: %s", k, d.count ? d.msgs[0] : "(none)");
        os_diag_fini(&d);
        *v -= cases[k].delta;
    }
    /* Money within a cent is floating-point order, not a breach. */
    int c = rpt_bd_column(RPT_BD_SEGMENT, RPT_M_captured_total);
    r.bd[RPT_BD_SEGMENT].v[c] += 0.001;
    os_diag d;
    os_diag_init(&d);
    cr_expect_eq(rpt_bd_check(&r, &d), 0);
    os_diag_fini(&d);
    rpt_run_fini(&r);
}

Test(breakdown, splitting_a_segment_in_two_identical_halves_splits_its_row_and_moves_no_total)
{
    /* Metamorphic: the segment draw and every later decision are keyed by customer, so two
     * copies of a segment with half its share each see the same customers doing the same
     * things: every metric is unchanged and the halves' rows add up to the whole's. */
    char one[4096], two[4096];
    snprintf(one, sizeof one, busy, "reduce_on_order", "allow", ONE_BOT_SEGMENT);
    snprintf(two, sizeof two, busy, "reduce_on_order", "allow", BOTS("bots_a", "0.15") "," BOTS("bots_b", "0.15"));
    rpt_run a, b;
    run_text(one, &a);
    run_text(two, &b);
    cr_assert(a.invariants_ok && b.invariants_ok);
    cr_assert_eq(b.bd[RPT_BD_SEGMENT].nrows, 3);
    for (int m = 0; m < RPT_METRIC_COUNT; m++)
        cr_expect(a.m[m] == b.m[m] || (isnan(a.m[m]) && isnan(b.m[m])), "%s: %g vs %g", rpt_metric_name((rpt_metric)m), a.m[m], b.m[m]);
    const int *fs;
    int n = rpt_bd_columns(RPT_BD_SEGMENT, &fs);
    for (int c = 0; c < n; c++) {
        double whole = a.bd[RPT_BD_SEGMENT].v[(size_t)1 * (size_t)n + (size_t)c];
        double halves = b.bd[RPT_BD_SEGMENT].v[(size_t)1 * (size_t)n + (size_t)c] + b.bd[RPT_BD_SEGMENT].v[(size_t)2 * (size_t)n + (size_t)c];
        cr_expect(fabs(whole - halves) <= 1e-6 * fmax(1, fabs(whole)), "%s: %g vs %g", rpt_bd_figure_name(fs[c]), whole, halves);
        cr_expect_eq(a.bd[RPT_BD_SEGMENT].v[c], b.bd[RPT_BD_SEGMENT].v[c], "genuine %s", rpt_bd_figure_name(fs[c]));
    }
    cr_expect(b.bd[RPT_BD_SEGMENT].v[(size_t)1 * (size_t)n] > 0 && b.bd[RPT_BD_SEGMENT].v[(size_t)2 * (size_t)n] > 0,
              "both halves have customers");
    rpt_run_fini(&a);
    rpt_run_fini(&b);
}
