/* Tests of the order rules of the core, each with amounts computed by hand: membership
 * tiers stacking with the promotions by priority, points awarded at payment and given back
 * by refunds and returns, partial returns with discount restitution, a buyer's refund
 * before shipping and a merchant's cancellation at picking (units written off). */
#include <criterion/criterion.h>
#include <string.h>

#include "proc.h"

/* Catalog: SKU 0 at 200.00, SKU 1 at 150.00, SKU 2 at 10.00; plenty of stock. */
static const proc_sku rules_skus[3] = {
    { .stock = 100, .price = 20000 }, { .stock = 100, .price = 15000 }, { .stock = 100, .price = 1000 },
};

static promo_def threshold_30_at_300(void)
{
    return (promo_def){ .id = "spend300", .type = PROMO_THRESHOLD_OFF, .amount = 3000, .threshold = 30000, .priority = 1,
                        .stackable = true, .budget = PROMO_UNLIMITED, .return_budget = true };
}

static promo_def coupon_20(void)
{
    return (promo_def){ .id = "WELCOME", .type = PROMO_COUPON, .amount = 2000, .priority = 2, .stackable = true,
                        .budget = PROMO_UNLIMITED, .return_budget = true };
}

static proc_engine *rules_engine(const promo_def *promos, int n_promos, const proc_tier *tiers, int n_tiers)
{
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find("reduce_on_order"),
                      .n_skus = 3, .skus = rules_skus, .n_promos = n_promos, .promos = promos,
                      .n_tiers = n_tiers, .tiers = tiers, .ledger = true };
    return proc_create(&c);
}

static os_money promo_remaining_of(const proc_engine *pe) { return promo_remaining(proc_promotions(pe), 0); }

static void rules_clean(const proc_engine *pe)
{
    os_diag d;
    os_diag_init(&d);
    int bad = proc_check(pe, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(bad, 0);
    os_diag_fini(&d);
}

/* Places an order of one unit of each SKU listed, pays it, and returns it. */
static ord_order *rules_paid(proc_engine *pe, const char *coupon, uint8_t tier, int n, const uint32_t *skus)
{
    proc_order_req rq = { .buyer = 1, .customer = 1, .coupon = coupon, .tier = tier, .n_lines = n };
    for (int i = 0; i < n; i++) rq.lines[i] = (inv_line){ skus[i], 1 };
    ord_order *o = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 0, &o), OS_OK);
    cr_assert_eq(proc_apply(pe, o, FSM_PAY, FSM_BUYER, 1, NULL, NULL), OS_OK);
    return o;
}

/* Takes a paid order through production, shipping and delivery to a return request. */
static void rules_to_return(proc_engine *pe, ord_order *o)
{
    static const fsm_action path[] = { FSM_PRODUCE, FSM_SHIP, FSM_DELIVER };
    for (int i = 0; i < 3; i++) cr_assert_eq(proc_apply(pe, o, path[i], FSM_SYSTEM, 2 + i, NULL, NULL), OS_OK);
    cr_assert_eq(proc_apply(pe, o, FSM_RETURN_REQUEST, FSM_BUYER, 6, NULL, NULL), OS_OK);
}

Test(rules, member_threshold_and_coupon_stack_by_priority)
{
    /* Lines 200 + 150 = 350. Gold 10% at priority 0: 35 off -> 315; spend 300 get 30: 315 >=
     * 300 -> 285; coupon 20 -> 265. A non-member pays 350 - 30 - 20 = 300. */
    promo_def pr[2] = { threshold_30_at_300(), coupon_20() };
    proc_tier gold = { .name = "gold", .discount_bp = 1000, .priority = 0, .stackable = true, .points_per_unit = 5 };
    proc_engine *pe = rules_engine(pr, 2, &gold, 1);
    const uint32_t two[2] = { 0, 1 };
    ord_order *m = rules_paid(pe, "WELCOME", 1, 2, two);
    cr_expect_eq(m->price.n, 3);
    cr_expect_eq(m->price.amount[0], 3500);
    cr_expect_eq(m->price.amount[1], 3000);
    cr_expect_eq(m->price.amount[2], 2000);
    cr_expect_eq(m->captured, 26500);
    ord_order *n = rules_paid(pe, "WELCOME", 0, 2, two);
    cr_expect_eq(n->captured, 30000);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, a_member_discount_later_in_priority_applies_to_what_is_left)
{
    /* Gold 10% at priority 5, after the threshold (1) and the coupon (2): 350 -> 320 -> 300,
     * then 10% of 300 = 30 -> 270. */
    promo_def pr[2] = { threshold_30_at_300(), coupon_20() };
    proc_tier gold = { .name = "gold", .discount_bp = 1000, .priority = 5, .stackable = true };
    proc_engine *pe = rules_engine(pr, 2, &gold, 1);
    const uint32_t two[2] = { 0, 1 };
    cr_expect_eq(rules_paid(pe, "WELCOME", 1, 2, two)->captured, 27000);
    proc_destroy(pe);
}

Test(rules, a_non_stackable_tier_excludes_the_promotions_after_it)
{
    /* Gold 10% non-stackable at priority 0: 350 -> 315 and nothing else applies. */
    promo_def pr[2] = { threshold_30_at_300(), coupon_20() };
    proc_tier gold = { .name = "gold", .discount_bp = 1000, .priority = 0, .stackable = false };
    proc_engine *pe = rules_engine(pr, 2, &gold, 1);
    const uint32_t two[2] = { 0, 1 };
    ord_order *o = rules_paid(pe, "WELCOME", 1, 2, two);
    cr_expect_eq(o->price.n, 1);
    cr_expect_eq(o->captured, 31500);
    proc_destroy(pe);
}

Test(rules, an_order_of_an_unknown_tier_is_refused)
{
    proc_engine *pe = rules_engine(NULL, 0, NULL, 0);
    proc_order_req rq = { .buyer = 1, .customer = 1, .tier = 1, .n_lines = 1, .lines = { { 0, 1 } } };
    ord_order *o = NULL;
    cr_expect_eq(proc_create_order(pe, &rq, 0, &o), OS_EINVAL);
    proc_destroy(pe);
}

Test(rules, returning_the_150_line_refunds_120_and_takes_the_threshold_back)
{
    /* Lines 200 + 150 with "spend 300 get 30 off" pay 320. The 150 line comes back: the 200
     * left no longer reach 300, so they pay 200; the refund is 320 - 200 = 120 (the line's
     * paid share 150 - 30 x 150/350, less the 30 x 200/350 the kept line no longer gets). */
    promo_def pr = threshold_30_at_300();
    pr.budget = 10000;
    proc_engine *pe = rules_engine(&pr, 1, NULL, 0);
    const uint32_t two[2] = { 0, 1 };
    ord_order *o = rules_paid(pe, NULL, 0, 2, two);
    cr_assert_eq(o->captured, 32000);
    cr_expect_eq(promo_remaining_of(pe), 7000);
    rules_to_return(pe, o);
    proc_args a = { .restock = true, .line = 2 };
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_RETURN_RECEIVE, FSM_MERCHANT, 7, &a, &r), OS_OK);
    cr_expect(r.partial);
    cr_expect_eq(r.refund, 12000, "refund %lld", (long long)r.refund);
    cr_expect_eq(r.discount_back, 1714, "taken back: the kept line's 30 x 200/350, not the returned line's own share");
    cr_expect_eq(o->refunded, 12000);
    cr_expect_eq(o->price.payable, 20000);
    cr_expect_eq(o->n_lines, 1);
    cr_expect_eq(o->lines[0].sku, 0);
    cr_expect_eq(promo_remaining_of(pe), 10000, "the 30 taken back returns to the budget");
    cr_expect_eq(inv_sku(proc_inventory(pe), 1)->on_hand, 100, "the 150 line is back on sale");
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->on_hand, 99, "the kept line stays sold");
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, returning_the_200_line_refunds_200_minus_the_30)
{
    /* The 200 line comes back: the 150 left pay 150, the refund is 320 - 150 = 170. */
    promo_def pr = threshold_30_at_300();
    proc_engine *pe = rules_engine(&pr, 1, NULL, 0);
    const uint32_t two[2] = { 0, 1 };
    ord_order *o = rules_paid(pe, NULL, 0, 2, two);
    rules_to_return(pe, o);
    proc_args a = { .restock = false, .line = 1 };
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_RETURN_RECEIVE, FSM_MERCHANT, 7, &a, &r), OS_OK);
    cr_expect_eq(r.refund, 17000);
    cr_expect_eq(r.discount_back, 1286, "the kept 150 line's 30 x 150/350");
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->written_off, 1);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, a_percent_off_leaves_with_its_line_and_nothing_is_taken_back)
{
    /* 10% off lines 200 + 150: pay 315. The 150 line comes back: the 200 left still get
     * their 10% (pay 180), the refund is 315 - 180 = 135, and nothing is taken back: the 15
     * the order no longer gets was the returned line's own discount. */
    promo_def pr = { .id = "pct", .type = PROMO_PERCENT_OFF, .percent_bp = 1000, .priority = 0, .stackable = true,
                     .budget = PROMO_UNLIMITED, .return_budget = true };
    proc_engine *pe = rules_engine(&pr, 1, NULL, 0);
    const uint32_t two[2] = { 0, 1 };
    ord_order *o = rules_paid(pe, NULL, 0, 2, two);
    cr_assert_eq(o->captured, 31500);
    rules_to_return(pe, o);
    proc_args a = { .restock = true, .line = 2 };
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_RETURN_RECEIVE, FSM_MERCHANT, 7, &a, &r), OS_OK);
    cr_expect_eq(r.refund, 13500);
    cr_expect_eq(r.discount_back, 0, "taken back %lld", (long long)r.discount_back);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, a_partial_refund_is_never_negative)
{
    /* "Spend 355 get 30 off": lines 200 + 10 + 150 = 360 pay 330. Returning the 10 line
     * leaves 350 < 355: priced again the kept lines would pay 350, 20 more than the buyer
     * paid. The refund stops at 0 and the order keeps 20 of the 30 discount. */
    promo_def pr = threshold_30_at_300();
    pr.threshold = 35500;
    proc_engine *pe = rules_engine(&pr, 1, NULL, 0);
    const uint32_t three[3] = { 0, 2, 1 };
    ord_order *o = rules_paid(pe, NULL, 0, 3, three);
    cr_assert_eq(o->captured, 33000);
    rules_to_return(pe, o);
    proc_args a = { .restock = true, .line = 2 };
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_RETURN_RECEIVE, FSM_MERCHANT, 7, &a, &r), OS_OK);
    cr_expect_eq(r.refund, 0);
    cr_expect_eq(o->price.payable, 33000);
    cr_expect_eq(o->price.discount, 2000);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, a_one_line_order_comes_back_whole)
{
    promo_def pr = threshold_30_at_300();
    proc_engine *pe = rules_engine(&pr, 1, NULL, 0);
    const uint32_t one[1] = { 0 };
    ord_order *o = rules_paid(pe, NULL, 0, 1, one);
    rules_to_return(pe, o);
    proc_args a = { .restock = true, .line = 1 };
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_RETURN_RECEIVE, FSM_MERCHANT, 7, &a, &r), OS_OK);
    cr_expect(!r.partial);
    cr_expect_eq(r.refund, 20000);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, points_are_awarded_at_payment_and_returned_with_the_line_or_the_refund)
{
    /* Gold earns 5 points a unit. Order A: 2 units of SKU 0 + 1 of SKU 1 = 15 points; order B:
     * 1 unit = 5. Returning A's SKU 1 line gives 5 back; refunding B gives 5 back. */
    proc_tier gold = { .name = "gold", .discount_bp = 0, .stackable = true, .points_per_unit = 5 };
    proc_engine *pe = rules_engine(NULL, 0, &gold, 1);
    proc_order_req rq = { .buyer = 1, .customer = 1, .tier = 1, .n_lines = 2, .lines = { { 0, 2 }, { 1, 1 } } };
    ord_order *a = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 0, &a), OS_OK);
    proc_result r;
    cr_assert_eq(proc_apply(pe, a, FSM_PAY, FSM_BUYER, 1, NULL, &r), OS_OK);
    cr_expect_eq(r.points_awarded, 15);
    const uint32_t one[1] = { 2 };
    ord_order *b = rules_paid(pe, NULL, 1, 1, one);
    cr_expect_eq(proc_points_awarded(pe), 20);
    rules_to_return(pe, a);
    proc_args ar = { .restock = true, .line = 2 };
    cr_assert_eq(proc_apply(pe, a, FSM_RETURN_RECEIVE, FSM_MERCHANT, 7, &ar, &r), OS_OK);
    cr_expect_eq(r.points_back, 5);
    cr_expect_eq(a->points, 10);
    cr_assert_eq(proc_apply(pe, b, FSM_REFUND, FSM_MERCHANT, 8, NULL, &r), OS_OK);
    cr_expect_eq(r.points_back, 5);
    cr_expect_eq(proc_points_returned(pe), 10);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, a_refund_before_shipping_puts_the_units_back_and_the_budget_too)
{
    promo_def pr = threshold_30_at_300();
    pr.budget = 3000;
    proc_engine *pe = rules_engine(&pr, 1, NULL, 0);
    const uint32_t two[2] = { 0, 1 };
    ord_order *o = rules_paid(pe, NULL, 0, 2, two);
    cr_assert_eq(promo_remaining_of(pe), 0);
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_REFUND, FSM_MERCHANT, 2, NULL, &r), OS_OK);
    cr_expect_eq(r.refund, 32000);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->on_hand, 100);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->written_off, 0);
    cr_expect_eq(promo_remaining_of(pe), 3000);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, a_merchant_cancel_at_picking_writes_the_units_off)
{
    proc_engine *pe = rules_engine(NULL, 0, NULL, 0);
    const uint32_t two[2] = { 0, 1 };
    ord_order *o = rules_paid(pe, NULL, 0, 2, two);
    cr_assert_eq(proc_apply(pe, o, FSM_PRODUCE, FSM_SYSTEM, 2, NULL, NULL), OS_OK);
    proc_args a = { .write_off = true };
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_REFUND, FSM_MERCHANT, 3, &a, &r), OS_OK);
    cr_expect_eq(r.refund, 35000);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->on_hand, 99, "not put back on sale");
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->written_off, 1);
    cr_expect_eq(inv_sku(proc_inventory(pe), 1)->written_off, 1);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, a_paid_order_splits_per_warehouse_and_merchant)
{
    /* SKU 0 and 2 at warehouse 0 from merchant 0, SKU 1 at warehouse 0 from merchant 1:
     * lines 0, 1, 2 make two sub-orders, (0, 0) and (0, 1), in line order. */
    static const proc_sku skus[3] = { { .stock = 9, .price = 100 }, { .stock = 9, .price = 100, .merchant = 1 },
                                      { .stock = 9, .price = 100 } };
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find("reduce_on_order"), .n_skus = 3, .skus = skus };
    proc_engine *pe = proc_create(&c);
    const uint32_t three[3] = { 0, 1, 2 };
    ord_order *o = rules_paid(pe, NULL, 0, 3, three);
    cr_expect_eq(o->n_sub, 2);
    cr_expect_eq(o->sub_merchant[0], 0);
    cr_expect_eq(o->sub_merchant[1], 1);
    cr_expect_eq(o->sub_wh[1], 0);
    proc_destroy(pe);
}

Test(rules, the_payment_record_keeps_the_channel)
{
    proc_engine *pe = rules_engine(NULL, 0, NULL, 0);
    proc_order_req rq = { .buyer = 1, .customer = 1, .channel = 2, .n_lines = 1, .lines = { { 0, 1 } } };
    ord_order *o = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 0, &o), OS_OK);
    cr_assert_eq(proc_apply(pe, o, FSM_PAY, FSM_BUYER, 1, NULL, NULL), OS_OK);
    cr_expect_eq(o->channel, 2);
    proc_destroy(pe);
}

/* One address change of order o to `addr` at time t: the result, and the stock counters of
 * SKU 0 and the order's money must not move. */
static os_status rules_change_address(proc_engine *pe, ord_order *o, uint32_t addr, double t)
{
    inv_counts before = *inv_sku(proc_inventory(pe), 0);
    os_money captured = o->captured, refunded = o->refunded, payable = o->price.payable;
    int state = o->state;
    proc_args a = { .new_address = addr };
    os_status st = proc_apply(pe, o, FSM_MODIFY_ADDRESS, FSM_BUYER, t, &a, NULL);
    cr_expect_eq(memcmp(&before, inv_sku(proc_inventory(pe), 0), sizeof before), 0, "stock moved");
    cr_expect_eq(o->captured, captured);
    cr_expect_eq(o->refunded, refunded);
    cr_expect_eq(o->price.payable, payable);
    cr_expect_eq(o->state, state, "an address change keeps the state");
    return st;
}

Test(rules, the_address_may_change_until_shipped_with_no_stock_or_money_effect)
{
    /* b2c: awaiting payment, paid, in production: changed (7, 8, 9); shipped: refused,
     * counted as forbidden, the address stays 9. */
    proc_engine *pe = rules_engine(NULL, 0, NULL, 0);
    proc_order_req rq = { .buyer = 1, .customer = 1, .address = 5, .n_lines = 1, .lines = { { 0, 1 } } };
    ord_order *o = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 0, &o), OS_OK);
    cr_expect_eq(rules_change_address(pe, o, 7, 1), OS_OK);
    cr_expect_eq(o->address, 7);
    cr_assert_eq(proc_apply(pe, o, FSM_PAY, FSM_BUYER, 2, NULL, NULL), OS_OK);
    cr_expect_eq(rules_change_address(pe, o, 8, 3), OS_OK);
    cr_expect_eq(o->address, 8);
    cr_assert_eq(proc_apply(pe, o, FSM_PRODUCE, FSM_SYSTEM, 4, NULL, NULL), OS_OK);
    cr_expect_eq(rules_change_address(pe, o, 9, 5), OS_OK);
    cr_expect_eq(o->address, 9);
    cr_assert_eq(proc_apply(pe, o, FSM_SHIP, FSM_SYSTEM, 6, NULL, NULL), OS_OK);
    int64_t forbidden = proc_forbidden(pe);
    cr_expect_eq(rules_change_address(pe, o, 10, 7), OS_EFORBIDDEN);
    cr_expect_eq(o->address, 9);
    cr_expect_eq(proc_forbidden(pe), forbidden + 1);
    rules_clean(pe);
    proc_destroy(pe);
}

Test(rules, an_address_change_is_refused_while_a_payment_is_in_flight_and_by_the_system)
{
    proc_engine *pe = rules_engine(NULL, 0, NULL, 0);
    proc_order_req rq = { .buyer = 1, .customer = 1, .address = 5, .n_lines = 1, .lines = { { 0, 1 } } };
    ord_order *o = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 0, &o), OS_OK);
    proc_args a = { .new_address = 6 };
    cr_expect_eq(proc_apply(pe, o, FSM_MODIFY_ADDRESS, FSM_SYSTEM, 1, &a, NULL), OS_EFORBIDDEN, "buyer or merchant only");
    cr_assert_eq(proc_pay_start(pe, o, 2), OS_OK);
    cr_expect_eq(rules_change_address(pe, o, 6, 3), OS_EFORBIDDEN);
    cr_expect_eq(o->address, 5);
    rules_clean(pe);
    proc_destroy(pe);
}
