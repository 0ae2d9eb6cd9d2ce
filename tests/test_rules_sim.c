/* The order rules in the simulator, with results computed by hand: membership tiers and
 * points, refunds before shipping, a merchant's cancellation at picking, refused returns and
 * partial returns with restitution; metamorphic relations between runs that differ in one
 * probability (common random numbers make them exact); and the loader's messages for the
 * rules' keys. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_text.h"

/* Two SKUs, 200.00 and 150.00, 1000 units each; 10 customers a second for 10 s, each
 * ordering one unit of both (a 350.00 basket) and paying at once; "spend 300 get 30 off".
 * SEG adds keys to the one segment, TOP keys at the top level (after a comma). */
static const char *const rules_base =
    "{\"name\":\"rules\",\"horizon\":\"%s\",\"catalog\":[{\"sku\":\"a\",\"stock\":1000,\"price\":200},"
    "{\"sku\":\"b\",\"stock\":1000,\"price\":150}],"
    "\"promotions\":[{\"id\":\"spend300\",\"type\":\"threshold_off\",\"value\":30,\"threshold\":300,\"priority\":1}],"
    "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":10},\"max_customers\":100,"
    "\"segments\":[{\"name\":\"g\",\"share\":1,\"basket_size\":{\"dist\":\"const\",\"value\":2}%s}]}%s}";

static os_status rules_load(const char *horizon, const char *seg, const char *top, scn_scenario **s, char *msg, size_t n)
{
    char text[4096];
    snprintf(text, sizeof text, rules_base, horizon, seg, top);
    return scn_text_try(text, NULL, s, msg, n);
}

/* Runs the scenario at seed 1 and returns its metrics in *r (caller finishes r). */
static void rules_run(const char *horizon, const char *seg, const char *top, rpt_run *r)
{
    scn_scenario *s;
    cr_assert_eq(rules_load(horizon, seg, top, &s, NULL, 0), OS_OK);
    rpt_run_init(r);
    sim_opts o = { .seed = 1, .ledger = true, .check_every_event = true };
    cr_assert_eq(sim_run(s, &o, r), OS_OK);
    for (int i = 0; i < r->violations.count; i++) cr_log_error("%s", r->violations.msgs[i]);
    cr_assert(r->invariants_ok);
    scn_free(s);
}

/* The value of figure f in row `row` of breakdown dimension d. */
static double cell(const rpt_run *r, rpt_bd_dim d, int row, int f)
{
    int c = rpt_bd_column(d, f);
    cr_assert(c >= 0, "%s does not break down %s", rpt_bd_key(d), rpt_bd_figure_name(f));
    cr_assert(row < r->bd[d].nrows);
    return r->bd[d].v[(size_t)row * (size_t)r->bd[d].ncols + (size_t)c];
}

Test(rules_sim, members_earn_points_and_a_stacked_discount)
{
    /* Gold: 10% at priority 0, 3 points a unit. Every customer: 350 -> 315 -> 285 (the
     * threshold still reached), 2 units = 6 points. 100 customers: 28,500 captured, 6,500
     * discount, 600 points. */
    rpt_run r;
    rules_run("1h", ",\"tier\":\"gold\"",
              ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"discount_percent\":10,\"priority\":0,\"points_per_unit\":3}]}", &r);
    cr_expect_eq(r.m[RPT_M_orders_paid], 100);
    cr_expect_eq(r.m[RPT_M_captured_total], 28500, "%g", r.m[RPT_M_captured_total]);
    cr_expect_eq(r.m[RPT_M_discount_total], 6500, "%g", r.m[RPT_M_discount_total]);
    cr_expect_eq(r.m[RPT_M_points_awarded], 600);
    cr_expect_eq(r.m[RPT_M_points_returned], 0);
    /* by_promotion: the tier is a promotion after the scenario's (10% of 350 = 35, x 100) */
    cr_assert_eq(r.bd[RPT_BD_PROMOTION].nrows, 2);
    cr_expect_str_eq(r.bd[RPT_BD_PROMOTION].keys[1], "gold");
    cr_expect_eq(cell(&r, RPT_BD_PROMOTION, 1, RPT_M_discount_total), 3500);
    cr_expect_eq(cell(&r, RPT_BD_PROMOTION, 0, RPT_M_discount_total), 3000);
    /* by_sku: each line's unit earns 3 points */
    cr_expect_eq(cell(&r, RPT_BD_SKU, 0, RPT_M_points_awarded), 300);
    cr_expect_eq(cell(&r, RPT_BD_SKU, 1, RPT_M_points_awarded), 300);
    rpt_run_fini(&r);
}

Test(rules_sim, a_tier_mix_gives_each_customer_one_tier_or_none)
{
    /* Half gold (4 points a unit), a quarter silver (1), a quarter nobody: the points are
     * 8 x gold + 2 x silver customers, somewhere between, and not all customers' worth. */
    rpt_run r;
    rules_run("1h", ",\"tier\":{\"gold\":0.5,\"silver\":0.25}",
              ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"points_per_unit\":4},{\"name\":\"silver\",\"points_per_unit\":1}]}", &r);
    double p = r.m[RPT_M_points_awarded];
    cr_expect(p > 2 * 100 * 0.25 && p < 8 * 100, "points %g", p);
    cr_expect(p != 800 && p != 200, "points %g: not everyone in one tier", p);
    rpt_run_fini(&r);
}

Test(rules_sim, a_refund_asked_before_shipping_is_granted_after_it_refused)
{
    /* Refund asked 10 s after payment. With a warehouse taking 60 s, every order is still in
     * production: 100 refunds of 320, every unit back on sale. Without a warehouse station
     * the order ships at payment: every request is refused. */
    rpt_run r;
    rules_run("1h", ",\"refund_probability\":1,\"refund_delay\":{\"dist\":\"const\",\"value\":10}",
              ",\"stations\":{\"warehouse\":{\"servers\":1000,\"service\":{\"dist\":\"const\",\"value\":60}}}", &r);
    cr_expect_eq(r.m[RPT_M_orders_refunded_by_buyer], 100);
    cr_expect_eq(r.m[RPT_M_orders_refunded], 100);
    cr_expect_eq(r.m[RPT_M_refund_total], 32000);
    cr_expect_eq(r.m[RPT_M_revenue], 0);
    cr_expect_eq(r.m[RPT_M_unsold_units_end], 2000);
    rpt_run_fini(&r);
    rules_run("1h", ",\"refund_probability\":1,\"refund_delay\":{\"dist\":\"const\",\"value\":10}", "", &r);
    cr_expect_eq(r.m[RPT_M_orders_refunded_by_buyer], 0);
    cr_expect_eq(r.m[RPT_M_refunds_refused], 100);
    cr_expect_eq(r.m[RPT_M_unsold_units_end], 1800);
    rpt_run_fini(&r);
}

Test(rules_sim, a_merchant_cancel_refunds_in_full_and_writes_the_units_off)
{
    rpt_run r;
    rules_run("1h", "", ",\"fulfilment\":{\"merchant_cancel_probability\":1}", &r);
    cr_expect_eq(r.m[RPT_M_orders_cancelled_by_merchant], 100);
    cr_expect_eq(r.m[RPT_M_refund_total], 32000);
    cr_expect_eq(r.m[RPT_M_unsold_units_end], 1800, "written off, not back on sale");
    cr_expect_eq(r.m[RPT_M_orders_completed], 0);
    rpt_run_fini(&r);
}

Test(rules_sim, a_refused_return_keeps_the_money)
{
    rpt_run r;
    rules_run("2h", ",\"return_probability\":1,\"return_delay\":{\"dist\":\"const\",\"value\":60}",
              ",\"fulfilment\":{\"return_reject_probability\":1}", &r);
    cr_expect_eq(r.m[RPT_M_returns_rejected], 100);
    cr_expect_eq(r.m[RPT_M_orders_returned], 0);
    cr_expect_eq(r.m[RPT_M_refund_total], 0);
    cr_expect_eq(r.m[RPT_M_revenue], 32000);
    rpt_run_fini(&r);
}

Test(rules_sim, one_line_back_refunds_120_or_170_and_takes_back_what_the_kept_line_no_longer_earns)
{
    /* Each order pays 320; the 150 line back refunds 120, the 200 line 170. With k orders
     * returning the 150 line: refund = 120 k + 170 (100 - k). Of the 30 the order loses, the
     * returned line's own share (by list value: 30 x 150 / 350 = 12.86, or 30 x 200 / 350 =
     * 17.14) leaves with it; the rest is what the kept line no longer earns, taken back:
     * 17.14 when the 150 line comes back, 12.86 when the 200 line does. */
    rpt_run r;
    rules_run("2h", ",\"return_probability\":1,\"return_delay\":{\"dist\":\"const\",\"value\":60},\"return_lines\":\"one\"", "", &r);
    cr_expect_eq(r.m[RPT_M_orders_returned_partly], 100);
    cr_expect_eq(r.m[RPT_M_orders_returned], 0);
    double k = (17000 - r.m[RPT_M_refund_total]) / 50;
    cr_expect(k > 0 && k < 100 && k == (double)(int)k, "refund %g is not 120 k + 170 (100 - k)", r.m[RPT_M_refund_total]);
    cr_expect(fabs(r.m[RPT_M_discount_taken_back] - (17.14 * k + 12.86 * (100 - k))) < 1e-6, "taken back %.17g",
              r.m[RPT_M_discount_taken_back]);
    /* by SKU: a returned line's SKU earns nothing from the order any more, and the kept
     * line's SKU what the order now nets (the 200 dress kept in k orders, the 150 coat in
     * 100 - k), never a negative revenue; what is taken back belongs to the kept line */
    cr_expect(fabs(cell(&r, RPT_BD_SKU, 0, RPT_M_revenue) - 200 * k) < 1e-6, "dress revenue %.17g", cell(&r, RPT_BD_SKU, 0, RPT_M_revenue));
    cr_expect(fabs(cell(&r, RPT_BD_SKU, 1, RPT_M_revenue) - 150 * (100 - k)) < 1e-6, "coat revenue %.17g",
              cell(&r, RPT_BD_SKU, 1, RPT_M_revenue));
    cr_expect(fabs(cell(&r, RPT_BD_SKU, 0, RPT_M_refund_total) + cell(&r, RPT_BD_SKU, 1, RPT_M_refund_total) - r.m[RPT_M_refund_total]) < 1e-6);
    cr_expect(fabs(cell(&r, RPT_BD_SKU, 0, RPT_M_discount_taken_back) - 17.14 * k) < 1e-6);
    cr_expect(fabs(cell(&r, RPT_BD_SKU, 1, RPT_M_discount_taken_back) - 12.86 * (100 - k)) < 1e-6);
    cr_expect_eq(cell(&r, RPT_BD_SEGMENT, 0, RPT_M_orders_returned_partly), 100);
    rpt_run_fini(&r);
}

Test(rules_sim, an_address_change_before_shipping_is_made_and_after_it_refused)
{
    /* Every customer changes the address 5 s after ordering. With a warehouse taking 60 s,
     * every order is in production then: 100 changes. Without a warehouse station the order
     * ships at payment: 100 refusals (also in forbidden_actions). A virtual order has no
     * address: nobody tries. */
    const char *seg = ",\"modify_address_probability\":1,\"modify_address_delay\":{\"dist\":\"const\",\"value\":5}";
    rpt_run r;
    rules_run("1h", seg, ",\"stations\":{\"warehouse\":{\"servers\":1000,\"service\":{\"dist\":\"const\",\"value\":60}}}", &r);
    cr_expect_eq(r.m[RPT_M_addresses_modified], 100);
    cr_expect_eq(r.m[RPT_M_address_changes_refused], 0);
    cr_expect_eq(r.m[RPT_M_forbidden_actions], 0);
    cr_expect_eq(cell(&r, RPT_BD_SEGMENT, 0, RPT_M_addresses_modified), 100);
    rpt_run_fini(&r);
    rules_run("1h", seg, "", &r);
    cr_expect_eq(r.m[RPT_M_addresses_modified], 0);
    cr_expect_eq(r.m[RPT_M_address_changes_refused], 100);
    cr_expect_eq(r.m[RPT_M_forbidden_actions], 100);
    rpt_run_fini(&r);
    rules_run("1h", seg, ",\"process\":\"virtual\"", &r);
    cr_expect_eq(r.m[RPT_M_addresses_modified] + r.m[RPT_M_address_changes_refused] + r.m[RPT_M_forbidden_actions], 0);
    rpt_run_fini(&r);
}

/* ---- metamorphic relations (same seed: the same customers draw the same numbers) ------ */

/* Membership with no discount changes no price: every figure but the points is as without
 * members, and each unit paid earns the tier's points. */
Test(rules_sim, a_tier_without_discount_changes_nothing_but_the_points)
{
    const char *seg = ",\"pay_probability\":0.8,\"think_time\":{\"dist\":\"exp\",\"mean\":30},\"return_probability\":0.3,"
                      "\"return_delay\":{\"dist\":\"const\",\"value\":60},\"refund_probability\":0.1";
    char member[512];
    snprintf(member, sizeof member, "%s,\"tier\":\"gold\"", seg);
    rpt_run a, b;
    rules_run("2h", seg, "", &a);
    rules_run("2h", member, ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"points_per_unit\":2}]}", &b);
    for (int k = 0; k < RPT_METRIC_COUNT; k++) {
        if (k == RPT_M_points_awarded || k == RPT_M_points_returned) continue;
        cr_expect(a.m[k] == b.m[k] || (a.m[k] != a.m[k] && b.m[k] != b.m[k]), "%s: %.17g vs %.17g",
                  rpt_metric_name((rpt_metric)k), a.m[k], b.m[k]);
    }
    cr_expect_eq(b.m[RPT_M_points_awarded], 2 * b.m[RPT_M_units_sold]);
    cr_expect(b.m[RPT_M_points_returned] > 0 && b.m[RPT_M_points_returned] < b.m[RPT_M_points_awarded], "%g returned",
              b.m[RPT_M_points_returned]);
    rpt_run_fini(&a);
    rpt_run_fini(&b);
}

/* A tier discount applied after the threshold promotion (priority 5 > 1): the threshold is
 * decided on the full 350, so each order pays 320 x (1 - d); a bigger d never raises what
 * members pay. */
Test(rules_sim, a_bigger_tier_discount_after_the_threshold_never_raises_what_members_pay)
{
    static const int d[] = { 0, 5, 10, 20 };
    double last = INFINITY;
    for (int i = 0; i < 4; i++) {
        char top[256];
        snprintf(top, sizeof top, ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"discount_percent\":%d,\"priority\":5}]}", d[i]);
        rpt_run r;
        rules_run("1h", ",\"tier\":\"gold\"", top, &r);
        cr_expect_eq(r.m[RPT_M_captured_total], 100 * 320 * (100 - d[i]) / 100.0, "%d%%: %g", d[i], r.m[RPT_M_captured_total]);
        cr_expect(r.m[RPT_M_captured_total] <= last);
        last = r.m[RPT_M_captured_total];
        rpt_run_fini(&r);
    }
}

/* The worded relation "a bigger member discount never costs a member more" is false when the
 * tier applies before a threshold promotion: 350 - 10% = 315 still reaches 300 and pays 285,
 * 350 - 15% = 297.50 misses it and pays 297.50 (docs/validation.md). */
Test(rules_sim, a_bigger_tier_discount_before_a_threshold_can_cost_members_more)
{
    rpt_run r10, r15;
    rules_run("1h", ",\"tier\":\"gold\"", ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"discount_percent\":10,\"priority\":0}]}", &r10);
    rules_run("1h", ",\"tier\":\"gold\"", ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"discount_percent\":15,\"priority\":0}]}", &r15);
    cr_expect_eq(r10.m[RPT_M_captured_total], 28500);
    cr_expect_eq(r15.m[RPT_M_captured_total], 29750);
    rpt_run_fini(&r10);
    rpt_run_fini(&r15);
}

/* The address has no stock or money effect, so changing it moves nothing else: every
 * metric but the two address counts and forbidden_actions (the refusals) is as without. */
Test(rules_sim, address_changes_move_no_other_metric)
{
    const char *top = ",\"stations\":{\"warehouse\":{\"servers\":1,\"service\":{\"dist\":\"exp\",\"mean\":20}}}";
    rpt_run a, b;
    rules_run("1h", ",\"pay_probability\":0.8,\"think_time\":{\"dist\":\"exp\",\"mean\":30}", top, &a);
    rules_run("1h", ",\"pay_probability\":0.8,\"think_time\":{\"dist\":\"exp\",\"mean\":30},\"modify_address_probability\":0.7,"
              "\"modify_address_delay\":{\"dist\":\"exp\",\"mean\":600}", top, &b);
    cr_expect(b.m[RPT_M_addresses_modified] > 0 && b.m[RPT_M_address_changes_refused] > 0, "%g changed, %g refused",
              b.m[RPT_M_addresses_modified], b.m[RPT_M_address_changes_refused]);
    for (int k = 0; k < RPT_METRIC_COUNT; k++) {
        if (k == RPT_M_addresses_modified || k == RPT_M_address_changes_refused || k == RPT_M_forbidden_actions) continue;
        /* time integrals are summed over more event times: equal to the last bits */
        cr_expect(a.m[k] == b.m[k] || fabs(a.m[k] - b.m[k]) <= 1e-9 * fabs(a.m[k]) || (a.m[k] != a.m[k] && b.m[k] != b.m[k]),
                  "%s: %.17g vs %.17g", rpt_metric_name((rpt_metric)k), a.m[k], b.m[k]);
    }
    cr_expect_eq(b.m[RPT_M_forbidden_actions] - a.m[RPT_M_forbidden_actions], b.m[RPT_M_address_changes_refused]);
    rpt_run_fini(&a);
    rpt_run_fini(&b);
}

/* With no other effect, a customer who would change the address at p still does at a
 * higher p, and meets the order in the same state: neither count ever falls. */
Test(rules_sim, a_higher_modify_address_probability_never_changes_fewer_addresses)
{
    static const char *const p[] = { "0.1", "0.4", "0.7", "1" };
    double last = -1, refused_last = -1, first = -1;
    for (int i = 0; i < 4; i++) {
        char seg[256];
        snprintf(seg, sizeof seg, ",\"modify_address_probability\":%s,\"modify_address_delay\":{\"dist\":\"exp\",\"mean\":30}", p[i]);
        rpt_run r;
        rules_run("1h", seg, ",\"stations\":{\"warehouse\":{\"servers\":1000,\"service\":{\"dist\":\"exp\",\"mean\":30}}}", &r);
        cr_expect(r.m[RPT_M_addresses_modified] >= last, "p %s: %g changed < %g", p[i], r.m[RPT_M_addresses_modified], last);
        cr_expect(r.m[RPT_M_address_changes_refused] >= refused_last);
        last = r.m[RPT_M_addresses_modified];
        refused_last = r.m[RPT_M_address_changes_refused];
        if (first < 0) first = last + refused_last;
        rpt_run_fini(&r);
    }
    cr_expect(last > 0 && refused_last > 0, "both outcomes occur: %g changed, %g refused", last, refused_last);
    cr_expect(first < last + refused_last, "p 0.1: %g attempts, not fewer than at p 1", first);
}

/* The requests (granted + refused) never fall: the paid orders are the same and a customer
 * who asks at p asks at any higher p. The granted count alone is not a law: a refunded order
 * leaves the warehouse queue, so the others ship sooner and their requests may come too late
 * (docs/validation.md). */
Test(rules_sim, a_higher_refund_probability_never_brings_fewer_refund_requests)
{
    static const char *const p[] = { "0.1", "0.4", "0.7", "1" };
    double last = -1;
    for (int i = 0; i < 4; i++) {
        char seg[256];
        snprintf(seg, sizeof seg, ",\"refund_probability\":%s,\"refund_delay\":{\"dist\":\"exp\",\"mean\":30}", p[i]);
        rpt_run r;
        rules_run("1h", seg, ",\"stations\":{\"warehouse\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":20}}}", &r);
        double n = r.m[RPT_M_orders_refunded_by_buyer] + r.m[RPT_M_refunds_refused];
        cr_expect(n >= last, "refund_probability %s: %g requests, fewer than %g", p[i], n, last);
        last = n;
        rpt_run_fini(&r);
    }
}

Test(rules_sim, a_higher_reject_probability_never_rejects_fewer_returns)
{
    static const char *const p[] = { "0", "0.3", "0.6", "0.9" };
    double last = -1, returned_last = 1e9;
    for (int i = 0; i < 4; i++) {
        char top[256];
        snprintf(top, sizeof top, ",\"fulfilment\":{\"return_reject_probability\":%s}", p[i]);
        rpt_run r;
        rules_run("2h", ",\"return_probability\":0.5,\"return_delay\":{\"dist\":\"const\",\"value\":60}", top, &r);
        cr_expect(r.m[RPT_M_returns_rejected] >= last, "reject %s: %g rejected < %g", p[i], r.m[RPT_M_returns_rejected], last);
        cr_expect(r.m[RPT_M_orders_returned] <= returned_last);
        last = r.m[RPT_M_returns_rejected];
        returned_last = r.m[RPT_M_orders_returned];
        rpt_run_fini(&r);
    }
}

Test(rules_sim, returning_one_line_never_refunds_more_than_returning_all)
{
    rpt_run all, one;
    const char *seg = ",\"return_probability\":0.6,\"return_delay\":{\"dist\":\"exp\",\"mean\":600}";
    char seg1[256];
    snprintf(seg1, sizeof seg1, "%s,\"return_lines\":\"one\"", seg);
    rules_run("2h", seg, "", &all);
    rules_run("2h", seg1, "", &one);
    cr_expect_eq(all.m[RPT_M_orders_returned], one.m[RPT_M_orders_returned_partly], "the same customers return");
    cr_expect(one.m[RPT_M_refund_total] < all.m[RPT_M_refund_total], "one %g, all %g", one.m[RPT_M_refund_total],
              all.m[RPT_M_refund_total]);
    cr_expect(one.m[RPT_M_revenue] > all.m[RPT_M_revenue]);
    rpt_run_fini(&all);
    rpt_run_fini(&one);
}

/* ---- the loader ------------------------------------------------------------------------ */

static void rules_expect_error(const char *seg, const char *top, const char *want)
{
    scn_scenario *s;
    char msg[512];
    cr_expect_eq(rules_load("1h", seg, top, &s, msg, sizeof msg), OS_EDATA);
    cr_expect(strstr(msg, want) != NULL, "got \"%s\", expected \"%s\"", msg, want);
    scn_free(s);
}

Test(rules_sim, the_loader_names_what_is_wrong_with_the_rules_keys)
{
    const char *gold = ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"discount_percent\":5}]}";
    rules_expect_error(",\"tier\":\"platinum\"", gold,
                       "customers.segments[0].tier: unknown tier \"platinum\", expected a name from membership.tiers");
    rules_expect_error(",\"tier\":{\"gold\":1.5}", gold, "customers.segments[0].tier.gold: found a number out of range, expected a share from 0 to 1");
    rules_expect_error(",\"tier\":\"gold\"", ",\"membership\":{\"tiers\":[{\"name\":\"gold\"},{\"name\":\"gold\"}]}",
                       "membership.tiers[1].name: tier \"gold\" is listed twice");
    rules_expect_error("", ",\"membership\":{\"tiers\":[{\"name\":\"spend300\"}]}",
                       "membership.tiers[0].name: \"spend300\" is also a promotion's id (promotions[0]); expected a distinct name");
    rules_expect_error("", ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"discount_percent\":120}]}",
                       "membership.tiers[0].discount_percent: found 120, expected a number from 0 to 100");
    rules_expect_error(",\"return_lines\":\"some\"", "", "customers.segments[0].return_lines: found \"some\", expected \"all\" or \"one\"");
    rules_expect_error(",\"refund_probability\":2", "", "customers.segments[0].refund_probability: found 2, expected a number from 0 to 1");
    rules_expect_error("", ",\"fulfilment\":{\"merchant_cancel_probabilty\":0.1}", "merchant_cancel_probability");
    rules_expect_error("", ",\"membership\":{\"tiers\":[]}", "membership.tiers: found an empty array, expected an array of 1 to");
    rules_expect_error(",\"modify_address_probability\":1.5", "",
                       "customers.segments[0].modify_address_probability: found 1.5, expected a number from 0 to 1");
    rules_expect_error(",\"modify_address_delay\":{\"dist\":\"const\"}", "", "customers.segments[0].modify_address_delay");
}

Test(rules_sim, the_address_change_comes_a_think_time_after_creation_unless_told_otherwise)
{
    scn_scenario *s;
    cr_assert_eq(rules_load("1h", ",\"think_time\":{\"dist\":\"const\",\"value\":7},\"modify_address_probability\":0.5", "",
                            &s, NULL, 0), OS_OK);
    cr_expect_eq(s->segments[0].modify_address_probability, 0.5);
    cr_expect_eq(s->segments[0].modify_address_delay.kind, SIM_CONST);
    cr_expect_eq(s->segments[0].modify_address_delay.a, 7);
    scn_free(s);
    cr_assert_eq(rules_load("1h", ",\"think_time\":{\"dist\":\"const\",\"value\":7},\"modify_address_delay\":{\"dist\":\"const\",\"value\":\"2m\"}",
                            "", &s, NULL, 0), OS_OK);
    cr_expect_eq(s->segments[0].modify_address_delay.a, 120);
    scn_free(s);
}

/* ---- splitting by merchant and payment channels --------------------------------------- */

/* Three SKUs: a and b in warehouse w1, c in w2; MERCHANTS sets b's and c's merchant keys.
 * Every customer orders one of each and pays at once; PAY is the payment object. */
static void channels_run(const char *merchant_b, const char *pay, rpt_run *r)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"name\":\"split\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":1000,\"price\":10,\"warehouse\":\"w1\"},"
             "{\"sku\":\"b\",\"stock\":1000,\"price\":10,\"warehouse\":\"w1\"%s},"
             "{\"sku\":\"c\",\"stock\":1000,\"price\":10,\"warehouse\":\"w2\"}],"
             "\"inventory\":{\"order_expiry\":\"30m\"},"
             "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":10},\"max_customers\":100,"
             "\"segments\":[{\"name\":\"g\",\"share\":1,\"basket_size\":{\"dist\":\"const\",\"value\":3}}]},"
             "\"payment\":%s}", merchant_b, pay);
    scn_scenario *s = scn_text(text);
    rpt_run_init(r);
    sim_opts o = { .seed = 1, .ledger = true };
    cr_assert_eq(sim_run(s, &o, r), OS_OK);
    cr_assert(r->invariants_ok);
    scn_free(s);
}

Test(rules_sim, sub_orders_count_one_per_warehouse_and_merchant)
{
    /* Warehouses only: (w1: a, b) + (w2: c) = 2 sub-orders per order, 200 in all. With b from
     * another merchant: (w1, default: a) + (w1, m2: b) + (w2: c) = 3 each, 300. */
    rpt_run r;
    channels_run("", "{}", &r);
    cr_expect_eq(r.m[RPT_M_orders_paid], 100);
    cr_expect_eq(r.m[RPT_M_sub_orders], 200);
    rpt_run_fini(&r);
    channels_run(",\"merchant\":\"m2\"", "{}", &r);
    cr_expect_eq(r.m[RPT_M_sub_orders], 300);
    rpt_run_fini(&r);
}

Test(rules_sim, each_channel_pays_with_its_own_delay_and_failures)
{
    /* Card: 5 s, never fails; bank transfer: 1 h, always fails. Only card orders are paid,
     * each 5 s after creation; the rest expire. The payment station's mean service is the
     * share-weighted mean 0.5 x 5 + 0.5 x 3600. */
    rpt_run r;
    channels_run("", "{\"channels\":[{\"name\":\"card\",\"share\":0.5,\"delay\":{\"dist\":\"const\",\"value\":5}},"
                 "{\"name\":\"bank\",\"share\":0.5,\"delay\":{\"dist\":\"const\",\"value\":60},\"failure_probability\":1}]}", &r);
    double paid = r.m[RPT_M_orders_paid];
    cr_expect(paid > 30 && paid < 70, "paid %g", paid);
    cr_expect_eq(paid + r.m[RPT_M_orders_expired], 100);
    cr_expect(fabs(r.m[RPT_M_order_to_pay_p99] - 5) < 1e-9, "p99 %.17g: only card orders pay", r.m[RPT_M_order_to_pay_p99]);
    cr_expect_eq(r.st[1].mean_service, 32.5, "%g", r.st[1].mean_service);
    /* by_channel: one row per channel, named as the scenario names them */
    cr_assert_eq(r.bd[RPT_BD_CHANNEL].nrows, 2);
    cr_expect_str_eq(r.bd[RPT_BD_CHANNEL].keys[0], "card");
    cr_expect_str_eq(r.bd[RPT_BD_CHANNEL].keys[1], "bank");
    cr_expect_eq(cell(&r, RPT_BD_CHANNEL, 0, RPT_M_orders_paid), paid);
    cr_expect_eq(cell(&r, RPT_BD_CHANNEL, 1, RPT_M_orders_paid), 0);
    cr_expect_eq(cell(&r, RPT_BD_CHANNEL, 1, RPT_M_orders_expired), 100 - paid);
    rpt_run_fini(&r);
}

Test(rules_sim, one_channel_like_the_payment_itself_changes_nothing)
{
    /* Metamorphic: a channel with payment's own delay and failure probability (and two
     * identical ones sharing the orders) leave every metric as it was. */
    const char *base = "{\"delay\":{\"dist\":\"exp\",\"mean\":30},\"failure_probability\":0.2";
    char plain[256], one[512], two[512];
    snprintf(plain, sizeof plain, "%s}", base);
    snprintf(one, sizeof one, "%s,\"channels\":[{\"name\":\"card\",\"share\":1}]}", base);
    snprintf(two, sizeof two, "%s,\"channels\":[{\"name\":\"card\",\"share\":0.3},{\"name\":\"wallet\",\"share\":0.7}]}", base);
    rpt_run a, b, c;
    channels_run("", plain, &a);
    channels_run("", one, &b);
    channels_run("", two, &c);
    cr_expect(a.m[RPT_M_orders_expired] > 0, "payments fail");
    for (int k = 0; k < RPT_METRIC_COUNT; k++) {
        cr_expect(a.m[k] == b.m[k] || (a.m[k] != a.m[k] && b.m[k] != b.m[k]), "%s: %g vs %g", rpt_metric_name((rpt_metric)k), a.m[k], b.m[k]);
        cr_expect(a.m[k] == c.m[k] || (a.m[k] != a.m[k] && c.m[k] != c.m[k]), "%s: %g vs %g", rpt_metric_name((rpt_metric)k), a.m[k], c.m[k]);
    }
    rpt_run_fini(&a);
    rpt_run_fini(&b);
    rpt_run_fini(&c);
}

Test(rules_sim, the_loader_names_what_is_wrong_with_the_channels)
{
    static const struct { const char *pay, *want; } cases[] = {
        { "{\"channels\":[{\"name\":\"card\",\"share\":0.5}]}", "payment.channels: the channels' shares sum to 0.5, expected 1" },
        { "{\"channels\":[{\"name\":\"card\",\"share\":0.5},{\"name\":\"card\",\"share\":0.5}]}",
          "payment.channels[1].name: channel \"card\" is listed twice (also payment.channels[0])" },
        { "{\"channels\":[]}", "payment.channels: found an empty array, expected an array of 1 to 8 channels" },
        { "{\"channels\":[{\"name\":\"card\",\"share\":1,\"failure_probability\":1.5}]}",
          "payment.channels[0].failure_probability: found 1.5, expected a number from 0 to 1" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "{\"name\":\"c\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":1}],"
                 "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]},\"payment\":%s}", cases[i].pay);
        const char *got = scn_text_error(text);
        cr_expect(strstr(got, cases[i].want), "got \"%s\", expected \"%s\"", got, cases[i].want);
    }
}

Test(rules_sim, an_order_refunded_while_it_queues_for_the_warehouse_is_not_a_wait)
{
    /* Four orders paid at 60, 160, 260 and 360 s into a one-picker warehouse taking an hour
     * each; every buyer asks for a refund 10 s after paying. The first is being picked (it is
     * served: wait 0); the three others are refunded while they queue and leave the queue
     * unserved: no wait is reported for them (they had read as ~55 minutes each). */
    const char *text =
        "{\"name\":\"q\",\"horizon\":\"1d\",\"catalog\":[{\"sku\":\"a\",\"stock\":100,\"price\":200}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":0.01},\"max_customers\":4,"
        "\"segments\":[{\"name\":\"ref\",\"share\":1,\"think_time\":{\"dist\":\"const\",\"value\":\"1m\"},"
        "\"refund_probability\":1,\"refund_delay\":{\"dist\":\"const\",\"value\":\"10s\"}}]},"
        "\"stations\":{\"warehouse\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":\"1h\"}}}}";
    rpt_run r;
    scn_text_run(text, &r, true);
    const rpt_station *wh = &r.st[2];
    cr_assert_str_eq(wh->name, "warehouse");
    cr_expect_eq(r.m[RPT_M_orders_paid], 4);
    cr_expect_eq(wh->served, 1, "served %g", wh->served);
    cr_expect_eq(wh->wait_mean, 0, "wait mean %g", wh->wait_mean);
    cr_expect_eq(wh->queue_max, 3);
    rpt_run_fini(&r);
}

/* ---- correctness round three ------------------------------------------------------------ */

Test(rules_sim, a_return_or_refund_asked_after_the_order_completed_is_refused_and_counted)
{
    /* Delivered at payment (delivery 0), confirmed 10 min later, completed 10 min after that.
     * Every buyer asks for a return 30 min after delivery and for a refund 40 min after
     * paying: both come after completion and are refused, 100 each (the old simulator lost
     * them: 0 and 0). The money stays: 32,000 revenue, nothing open at the end. With a 25 min
     * horizon the requests come after it: nothing counted. */
    const char *top = ",\"fulfilment\":{\"auto_confirm_after\":\"10m\",\"complete_after\":\"10m\"}";
    const char *seg = ",\"return_probability\":1,\"return_delay\":{\"dist\":\"const\",\"value\":\"30m\"},"
                      "\"refund_probability\":1,\"refund_delay\":{\"dist\":\"const\",\"value\":\"40m\"}";
    rpt_run r;
    rules_run("1h", seg, top, &r);
    cr_expect_eq(r.m[RPT_M_orders_completed], 100);
    cr_expect_eq(r.m[RPT_M_returns_refused_window], 100, "late returns: %g", r.m[RPT_M_returns_refused_window]);
    cr_expect_eq(r.m[RPT_M_refunds_refused], 100, "late refunds: %g", r.m[RPT_M_refunds_refused]);
    cr_expect_eq(r.m[RPT_M_orders_returned], 0);
    cr_expect_eq(r.m[RPT_M_revenue], 32000);
    cr_expect_eq(r.m[RPT_M_orders_open_end], 0);
    cr_expect_eq(cell(&r, RPT_BD_SEGMENT, 0, RPT_M_returns_refused_window), 100);
    rpt_run_fini(&r);
    rules_run("25m", seg, top, &r);
    cr_expect_eq(r.m[RPT_M_orders_completed], 100);
    cr_expect_eq(r.m[RPT_M_returns_refused_window], 0);
    cr_expect_eq(r.m[RPT_M_refunds_refused], 0);
    cr_expect_eq(r.m[RPT_M_orders_open_end], 0, "an ended order waiting for a request is not open");
    rpt_run_fini(&r);
}

Test(rules_sim, a_limit_of_2_holds_through_modifications_for_51_accounts)
{
    /* 51 customers (one account each), limit 2 units per account; each orders 1 or 8 units
     * (an order of 8 is blocked), then modifies to 1 or 8 and pays. Every paid order holds at
     * most 2 units, so units_sold == orders_paid (each has 1); a modify to 8 is refused and
     * counted: modified + refused = created. The old engine let modifies through (up to 8
     * units an account). */
    scn_scenario *s = scn_text(
        "{\"name\":\"limit\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":1000,\"price\":100,\"max_per_user\":2}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":10},\"max_customers\":51,"
        "\"segments\":[{\"name\":\"g\",\"share\":1,\"quantity\":{\"dist\":\"empirical\",\"values\":[1,8],\"weights\":[1,1]},"
        "\"modify_probability\":1,\"think_time\":{\"dist\":\"const\",\"value\":10}}]}}");
    rpt_run r;
    rpt_run_init(&r);
    sim_opts o = { .seed = 1, .ledger = true, .check_every_event = true };
    cr_assert_eq(sim_run(s, &o, &r), OS_OK);
    cr_assert(r.invariants_ok);
    cr_expect_eq(r.m[RPT_M_orders_created] + r.m[RPT_M_orders_blocked_risk], 51);
    cr_expect_eq(r.m[RPT_M_orders_paid], r.m[RPT_M_orders_created]);
    cr_expect_eq(r.m[RPT_M_units_sold], r.m[RPT_M_orders_paid], "units %g for %g paid orders", r.m[RPT_M_units_sold], r.m[RPT_M_orders_paid]);
    cr_expect_gt(r.m[RPT_M_modifications_refused], 0);
    cr_expect_eq(r.m[RPT_M_orders_modified] + r.m[RPT_M_modifications_refused], r.m[RPT_M_orders_created]);
    cr_expect_eq(cell(&r, RPT_BD_SEGMENT, 0, RPT_M_modifications_refused), r.m[RPT_M_modifications_refused]);
    rpt_run_fini(&r);
    scn_free(s);
}

Test(rules_sim, a_basket_of_a_virtual_and_a_physical_sku_sends_one_job_to_the_warehouse)
{
    /* 10 customers each buy a book (shipped, warehouse w1) and an e-book (virtual goods that
     * name a warehouse of their own): the order follows b2c; only the book is picked, so
     * 10 sub-orders and 10 warehouse jobs (the old split made 20). */
    scn_scenario *s = scn_text(
        "{\"name\":\"virt\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"book\",\"stock\":100,\"price\":10,\"warehouse\":\"w1\"},"
        "{\"sku\":\"ebook\",\"stock\":100,\"price\":5,\"warehouse\":\"digital\",\"process\":\"virtual\"}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":10},\"max_customers\":10,"
        "\"segments\":[{\"name\":\"g\",\"share\":1,\"basket_size\":{\"dist\":\"const\",\"value\":2}}]},"
        "\"stations\":{\"warehouse\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":1}}}}");
    rpt_run r;
    rpt_run_init(&r);
    sim_opts o = { .seed = 1, .ledger = true };
    cr_assert_eq(sim_run(s, &o, &r), OS_OK);
    cr_assert(r.invariants_ok);
    cr_expect_eq(r.m[RPT_M_orders_paid], 10);
    cr_expect_eq(r.m[RPT_M_sub_orders], 10, "sub-orders: %g", r.m[RPT_M_sub_orders]);
    int wh = -1;
    for (int i = 0; i < r.nstations; i++)
        if (strcmp(r.st[i].name, "warehouse") == 0) wh = i;
    cr_assert(wh >= 0);
    cr_expect_eq(r.st[wh].served, 10, "warehouse jobs: %g", r.st[wh].served);
    rpt_run_fini(&r);
    scn_free(s);
}

Test(rules_sim, a_coupon_limited_to_one_use_per_customer_discounts_one_order_per_account)
{
    /* 10 scalper visits, each 3 orders of one 100.00 unit on one account, all paid, coupon
     * "c10" (10.00 off). Unlimited: 30 discounts, 300.00 off, 2,700.00 captured. With
     * per_customer 1: the first order of each account carries it (open, then paid), the
     * other two are placed without it: 100.00 off, 2,900.00 captured, 20 refused. */
    const char *text =
        "{\"name\":\"pc\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":1000,\"price\":100}],"
        "\"promotions\":[{\"id\":\"c10\",\"type\":\"coupon\",\"value\":10%s}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":10,"
        "\"segments\":[{\"name\":\"scalpers\",\"share\":1,\"malicious\":true,\"pay_probability\":1,\"orders_per_visit\":3,"
        "\"accounts_per_visit\":1,\"coupon\":\"c10\"}]}}";
    const char *limits[] = { "", ",\"per_customer\":1" };
    const double discount[] = { 300, 100 }, captured[] = { 2700, 2900 }, refused[] = { 0, 20 };
    for (int k = 0; k < 2; k++) {
        char buf[1024];
        snprintf(buf, sizeof buf, text, limits[k]);
        scn_scenario *s = scn_text(buf);
        rpt_run r;
        rpt_run_init(&r);
        sim_opts o = { .seed = 1, .ledger = true, .check_every_event = true };
        cr_assert_eq(sim_run(s, &o, &r), OS_OK);
        cr_assert(r.invariants_ok);
        cr_expect_eq(r.m[RPT_M_orders_paid], 30);
        cr_expect_eq(r.m[RPT_M_discount_total], discount[k], "case %d: discount %g", k, r.m[RPT_M_discount_total]);
        cr_expect_eq(r.m[RPT_M_captured_total], captured[k]);
        cr_expect_eq(r.m[RPT_M_coupon_uses_refused], refused[k]);
        rpt_run_fini(&r);
        scn_free(s);
    }
}

Test(rules_sim, a_coupon_use_comes_back_when_the_order_closes_unpaid)
{
    /* One unit per order, nobody pays; each customer's expired order retries once 60 s
     * later on the same account: the first order's use came back at its expiry (10 s), so
     * the retry carries the coupon again: 20 orders, 0 refused. */
    scn_scenario *s = scn_text(
        "{\"name\":\"pc\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":1000,\"price\":100}],"
        "\"promotions\":[{\"id\":\"c10\",\"type\":\"coupon\",\"value\":10,\"per_customer\":1}],"
        "\"inventory\":{\"order_expiry\":\"10s\"},"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":10,"
        "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0,\"coupon\":\"c10\","
        "\"retry\":{\"probability\":1,\"max\":1,\"delay\":{\"dist\":\"const\",\"value\":60}}}]}}");
    rpt_run r;
    rpt_run_init(&r);
    sim_opts o = { .seed = 1, .ledger = true, .check_every_event = true };
    cr_assert_eq(sim_run(s, &o, &r), OS_OK);
    cr_assert(r.invariants_ok);
    cr_expect_eq(r.m[RPT_M_orders_created], 20);
    cr_expect_eq(r.m[RPT_M_coupon_uses_refused], 0);
    rpt_run_fini(&r);
    scn_free(s);
}
