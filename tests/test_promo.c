/* Tests for promotions: worked amounts for each type, priority, stacking and budgets. */
#include <criterion/criterion.h>

#include <stdio.h>

#include "promo.h"

static promo_def pct(const char *id, int percent, int prio, bool stack)
{
    promo_def p = { .type = PROMO_PERCENT_OFF, .percent_bp = percent * 100, .priority = prio,
                    .stackable = stack, .budget = PROMO_UNLIMITED, .return_budget = true };
    snprintf(p.id, sizeof p.id, "%s", id);
    return p;
}

static promo_def fixed(const char *id, promo_type t, os_money amount, os_money threshold, int prio, bool stack)
{
    promo_def p = { .type = t, .amount = amount, .threshold = threshold, .priority = prio,
                    .stackable = stack, .budget = PROMO_UNLIMITED, .return_budget = true };
    snprintf(p.id, sizeof p.id, "%s", id);
    return p;
}

Test(promo, percent_off_rounds_the_discount_down)
{
    promo_def d = pct("sale10", 10, 1, true);
    promo_book *b = promo_create(&d, 1);
    promo_result r;
    promo_apply(b, 499999, NULL, &r);   /* 4999.99 -> 10% = 499.999 -> 499.99 */
    cr_expect_eq(r.discount, 49999);
    cr_expect_eq(r.payable, 450000);
    promo_destroy(b);
}

Test(promo, stacked_promotions_apply_in_priority_order_to_the_running_amount)
{
    /* Defined out of order: priority decides. 30000 -> threshold (spend 300 get 30) ->
     * 27000 -> 10% off -> 24300 -> fixed 5 off -> 23800. */
    promo_def d[3] = { pct("pct10", 10, 2, true), fixed("spend300", PROMO_THRESHOLD_OFF, 3000, 30000, 1, true),
                       fixed("five", PROMO_FIXED_OFF, 500, 0, 3, true) };
    promo_book *b = promo_create(d, 3);
    promo_result r;
    promo_apply(b, 30000, NULL, &r);
    cr_expect_eq(r.n, 3);
    cr_expect_eq(r.promo[0], 1);
    cr_expect_eq(r.amount[0], 3000);
    cr_expect_eq(r.amount[1], 2700);
    cr_expect_eq(r.amount[2], 500);
    cr_expect_eq(r.payable, 23800);
    cr_expect_eq(r.list_total - r.discount, r.payable);
    promo_destroy(b);
}

Test(promo, threshold_uses_the_amount_after_earlier_discounts)
{
    /* 30000 -10% = 27000 < 30000: the threshold promotion no longer applies. */
    promo_def d[2] = { pct("pct10", 10, 1, true), fixed("spend300", PROMO_THRESHOLD_OFF, 3000, 30000, 2, true) };
    promo_book *b = promo_create(d, 2);
    promo_result r;
    promo_apply(b, 30000, NULL, &r);
    cr_expect_eq(r.n, 1);
    cr_expect_eq(r.payable, 27000);
    promo_destroy(b);
}

Test(promo, a_non_stackable_promotion_excludes_the_rest)
{
    promo_def d[2] = { pct("exclusive20", 20, 1, false), fixed("five", PROMO_FIXED_OFF, 500, 0, 2, true) };
    promo_book *b = promo_create(d, 2);
    promo_result r;
    promo_apply(b, 10000, NULL, &r);
    cr_expect_eq(r.n, 1);
    cr_expect_eq(r.payable, 8000);
    promo_destroy(b);
    /* ...and is skipped when something applied before it. */
    promo_def e[2] = { fixed("five", PROMO_FIXED_OFF, 500, 0, 1, true), pct("exclusive20", 20, 2, false) };
    b = promo_create(e, 2);
    promo_apply(b, 10000, NULL, &r);
    cr_expect_eq(r.n, 1);
    cr_expect_eq(r.payable, 9500);
    promo_destroy(b);
}

Test(promo, coupons_apply_only_when_presented)
{
    promo_def d = fixed("WELCOME", PROMO_COUPON, 1500, 0, 1, true);
    promo_book *b = promo_create(&d, 1);
    promo_result r;
    promo_apply(b, 10000, NULL, &r);
    cr_expect_eq(r.payable, 10000);
    promo_apply(b, 10000, "WELCOME", &r);
    cr_expect_eq(r.payable, 8500);
    promo_destroy(b);
}

Test(promo, a_discount_never_exceeds_the_amount)
{
    promo_def d = fixed("big", PROMO_FIXED_OFF, 50000, 0, 1, true);
    promo_book *b = promo_create(&d, 1);
    promo_result r;
    promo_apply(b, 1200, NULL, &r);
    cr_expect_eq(r.discount, 1200);
    cr_expect_eq(r.payable, 0);
    promo_destroy(b);
}

Test(promo, budget_runs_out_and_comes_back_on_give_back)
{
    promo_def d = fixed("ten", PROMO_FIXED_OFF, 1000, 0, 1, true);
    d.budget = 2500;
    promo_book *b = promo_create(&d, 1);
    promo_result r1, r2, r3;
    promo_apply(b, 5000, NULL, &r1);
    promo_apply(b, 5000, NULL, &r2);
    promo_apply(b, 5000, NULL, &r3);  /* 500 left < 1000: skipped, never partial */
    cr_expect_eq(r3.discount, 0);
    cr_expect_eq(promo_remaining(b, 0), 500);
    cr_expect_eq(promo_budget_skips(b, 0), 1);
    promo_give_back(b, &r1);
    cr_expect_eq(promo_remaining(b, 0), 1500);
    os_diag diag;
    os_diag_init(&diag);
    cr_expect_eq(promo_check(b, &diag), 0);
    os_diag_fini(&diag);
    promo_destroy(b);
}

Test(promo, budget_stays_spent_when_the_scenario_says_so)
{
    promo_def d = fixed("ten", PROMO_FIXED_OFF, 1000, 0, 1, true);
    d.budget = 2000;
    d.return_budget = false;
    promo_book *b = promo_create(&d, 1);
    promo_result r;
    promo_apply(b, 5000, NULL, &r);
    promo_give_back(b, &r);
    cr_expect_eq(promo_remaining(b, 0), 1000);
    promo_destroy(b);
}

Test(promo, the_stack_bound_counts_stackable_promotions_one_coupon_and_one_tier)
{
    /* Five "10 off" on 80.00: the book would carry four and pay 40.00 where the stack gives
     * 30.00, so the bound says 5 and names the fifth (index 4); the loader refuses it. */
    promo_def d[6];
    for (int i = 0; i < 5; i++) d[i] = fixed("f", PROMO_FIXED_OFF, 1000, 0, i, true);
    int culprit;
    cr_expect_eq(promo_stack_bound(d, 5, &culprit), 5);
    cr_expect_eq(culprit, 4);
    cr_expect_eq(promo_stack_bound(d, 4, &culprit), 4);
    cr_expect_eq(culprit, -1);
    /* one of them not stackable: it applies alone, the other four stack */
    d[2].stackable = false;
    cr_expect_eq(promo_stack_bound(d, 5, &culprit), 4);
    cr_expect_eq(culprit, -1);
    /* coupons count once (an order presents one), tiers once (an order has one tier) */
    d[2] = fixed("c1", PROMO_COUPON, 1000, 0, 0, true);
    d[3] = fixed("c2", PROMO_COUPON, 1000, 0, 0, true);
    d[4] = pct("gold", 10, 0, true);
    d[4].tier = 1;
    d[5] = pct("silver", 5, 0, true);
    d[5].tier = 2;
    cr_expect_eq(promo_stack_bound(d, 6, &culprit), 4);
    cr_expect_eq(culprit, -1);
    /* nothing stackable: one applies */
    for (int i = 0; i < 6; i++) d[i].stackable = false;
    cr_expect_eq(promo_stack_bound(d, 6, &culprit), 1);
    cr_expect_eq(promo_stack_bound(d, 0, &culprit), 0);
}
