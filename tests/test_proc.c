/* Tests for the process engine and the inventory strategies: each strategy's effect on the
 * counters for create / pay / cancel / expire / refund / return, the oversell case, risk
 * control, and a property test of random (action, actor) sequences against the invariants. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "proc.h"

static proc_engine *engine(const char *strategy, const char *process, int64_t stock, bool revalidate,
                           bool refund, bool ledger)
{
    static proc_sku skus[2];
    skus[0] = (proc_sku){ .stock = stock, .price = 10000, .warehouse = 0 };
    skus[1] = (proc_sku){ .stock = stock, .price = 2500, .warehouse = 1 };
    proc_config c = { .fsm = fsm_builtin(process), .strategy = inv_strategy_find(strategy),
                      .opts = { .revalidate = revalidate, .oversell_refund = refund },
                      .n_skus = 2, .skus = skus, .ledger = ledger };
    cr_assert_not_null(c.fsm);
    cr_assert_not_null(c.strategy);
    return proc_create(&c);
}

static ord_order *place(proc_engine *pe, uint64_t buyer, int32_t qty, os_status want)
{
    proc_order_req rq = { .buyer = buyer, .customer = buyer, .n_lines = 1, .lines = { { 0, qty } } };
    ord_order *o = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 1.0, &o), want);
    return o;
}

static const inv_counts *sku0(proc_engine *pe) { return inv_sku(proc_inventory(pe), 0); }

static void assert_invariants(proc_engine *pe)
{
    os_diag d;
    os_diag_init(&d);
    int bad = proc_check(pe, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(bad, 0);
    os_diag_fini(&d);
}

static void pay(proc_engine *pe, ord_order *o, proc_result *res)
{
    cr_assert_eq(proc_pay_start(pe, o, 2.0), OS_OK);
    cr_assert_eq(proc_apply(pe, o, FSM_PAY, FSM_BUYER, 3.0, NULL, res), OS_OK);
}

Test(strategy, reduce_on_order_locks_at_create_and_sells_at_pay)
{
    proc_engine *pe = engine("reduce_on_order", "b2c", 10, false, false, true);
    ord_order *o = place(pe, 1, 3, OS_OK);
    cr_expect_eq(sku0(pe)->locked, 3);
    cr_expect_eq(inv_available(sku0(pe)), 7);
    proc_result r;
    pay(pe, o, &r);
    cr_expect_eq(sku0(pe)->locked, 0);
    cr_expect_eq(sku0(pe)->sold, 3);
    cr_expect_eq(sku0(pe)->on_hand, 7);
    cr_expect_eq(proc_captured(pe), 30000);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(strategy, reduce_on_order_rejects_when_locks_use_up_the_stock)
{
    proc_engine *pe = engine("reduce_on_order", "b2c", 5, false, false, true);
    place(pe, 1, 3, OS_OK);
    place(pe, 2, 3, OS_ESTOCK);     /* only 2 available: locked units are not available */
    place(pe, 3, 2, OS_OK);
    cr_expect_eq(inv_available(sku0(pe)), 0);
    cr_expect_eq(inv_skus_out(proc_inventory(pe)), 1);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(strategy, cancel_and_expiry_release_the_lock)
{
    proc_engine *pe = engine("reduce_on_order", "b2c", 10, false, false, true);
    ord_order *a = place(pe, 1, 4, OS_OK), *b = place(pe, 2, 2, OS_OK);
    cr_expect_eq(sku0(pe)->locked, 6);
    cr_assert_eq(proc_apply(pe, a, FSM_CANCEL, FSM_BUYER, 5, NULL, NULL), OS_OK);
    cr_expect_eq(sku0(pe)->locked, 2);
    cr_assert_eq(proc_apply(pe, b, FSM_EXPIRE, FSM_SYSTEM, 900, NULL, NULL), OS_OK);
    cr_expect_eq(sku0(pe)->locked, 0);
    cr_expect_eq(inv_available(sku0(pe)), 10);
    cr_expect_str_eq(fsm_state_name(proc_fsm(pe), b->state), "expired");
    assert_invariants(pe);
    proc_close(pe, a);
    proc_close(pe, b);
    cr_expect_eq(ord_live(proc_orders(pe)), 0);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(strategy, refund_before_shipping_puts_units_back)
{
    proc_engine *pe = engine("reduce_on_order", "b2c", 10, false, false, true);
    ord_order *o = place(pe, 1, 2, OS_OK);
    pay(pe, o, NULL);
    cr_assert_eq(proc_apply(pe, o, FSM_PRODUCE, FSM_SYSTEM, 4, NULL, NULL), OS_OK);
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_REFUND, FSM_MERCHANT, 5, NULL, &r), OS_OK);
    cr_expect_eq(r.refund, 20000);
    cr_expect_eq(sku0(pe)->on_hand, 10);
    cr_expect_eq(sku0(pe)->restocked, 2);
    cr_expect_eq(proc_refunded(pe), 20000);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(strategy, return_restocks_or_writes_off_and_refunds)
{
    proc_engine *pe = engine("reduce_on_payment", "b2c", 10, false, false, true);
    ord_order *a = place(pe, 1, 1, OS_OK), *b = place(pe, 2, 1, OS_OK);
    static const fsm_action path[] = { FSM_PRODUCE, FSM_SHIP, FSM_DELIVER, FSM_RETURN_REQUEST, FSM_RETURN_RECEIVE };
    static const fsm_actor who[] = { FSM_SYSTEM, FSM_MERCHANT, FSM_SYSTEM, FSM_BUYER, FSM_MERCHANT };
    ord_order *os[2] = { a, b };
    for (int k = 0; k < 2; k++) {
        pay(pe, os[k], NULL);
        for (int i = 0; i < 5; i++) {
            proc_args args = { .restock = k == 0 };
            cr_assert_eq(proc_apply(pe, os[k], path[i], who[i], 10 + i, &args, NULL), OS_OK);
        }
    }
    cr_expect_eq(sku0(pe)->sold, 2);
    cr_expect_eq(sku0(pe)->restocked, 1);
    cr_expect_eq(sku0(pe)->written_off, 1);
    cr_expect_eq(sku0(pe)->on_hand, 9);
    cr_expect_eq(proc_refunded(pe), 20000);
    cr_expect_str_eq(fsm_state_name(proc_fsm(pe), a->state), "returned");
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(strategy, reduce_on_payment_does_not_lock_and_oversells_when_payments_race)
{
    proc_engine *pe = engine("reduce_on_payment", "b2c", 1, false, false, true);
    ord_order *a = place(pe, 1, 1, OS_OK), *b = place(pe, 2, 1, OS_OK);  /* both see 1 available */
    cr_expect_eq(sku0(pe)->locked, 0);
    proc_result ra, rb;
    pay(pe, a, &ra);
    pay(pe, b, &rb);
    cr_expect_eq(ra.shortfall, 0);
    cr_expect_eq(rb.shortfall, 1);
    cr_expect_eq(sku0(pe)->sold, 2);
    cr_expect_eq(sku0(pe)->oversold, 1);
    cr_expect_eq(sku0(pe)->on_hand, -1);
    assert_invariants(pe);   /* allowed for this strategy */
    proc_destroy(pe);
}

Test(strategy, reduce_on_payment_with_refund_policy_refunds_the_oversold_order)
{
    proc_engine *pe = engine("reduce_on_payment", "b2c", 1, false, true, true);
    ord_order *a = place(pe, 1, 1, OS_OK), *b = place(pe, 2, 1, OS_OK);
    pay(pe, a, NULL);
    proc_result rb;
    pay(pe, b, &rb);
    cr_expect(rb.oversell_refund);
    cr_expect_eq(rb.shortfall, 1);
    cr_expect_eq(rb.refund, 10000);
    cr_expect_str_eq(fsm_state_name(proc_fsm(pe), b->state), "refunded");
    cr_expect_eq(sku0(pe)->sold, 1);
    cr_expect_eq(sku0(pe)->on_hand, 0);
    cr_expect_eq(proc_captured(pe) - proc_refunded(pe), 10000);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(strategy, revalidation_rejects_a_payment_when_stock_is_gone)
{
    proc_engine *pe = engine("reduce_on_payment", "b2c", 1, true, false, true);
    ord_order *a = place(pe, 1, 1, OS_OK), *b = place(pe, 2, 1, OS_OK);
    pay(pe, a, NULL);
    cr_expect_eq(proc_pay_start(pe, b, 4.0), OS_ESTOCK);
    cr_expect_str_eq(fsm_state_name(proc_fsm(pe), b->state), "rejected");
    cr_expect_eq(sku0(pe)->oversold, 0);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(strategy, reserve_on_checkout_locks_at_payment_start_and_releases_on_failure)
{
    proc_engine *pe = engine("reserve_on_checkout", "b2c", 1, false, false, true);
    ord_order *a = place(pe, 1, 1, OS_OK), *b = place(pe, 2, 1, OS_OK);
    cr_expect_eq(sku0(pe)->locked, 0);
    cr_assert_eq(proc_pay_start(pe, a, 2.0), OS_OK);
    cr_expect_eq(sku0(pe)->locked, 1);
    cr_expect_eq(proc_pay_start(pe, b, 2.5), OS_ESTOCK);  /* the one unit is reserved */
    cr_assert_eq(proc_pay_fail(pe, a, 3.0), OS_OK);
    cr_expect_eq(sku0(pe)->locked, 0);
    cr_expect_str_eq(fsm_state_name(proc_fsm(pe), a->state), "pending_payment");
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(strategy, cod_locks_at_creation_even_under_reduce_on_payment)
{
    proc_engine *pe = engine("reduce_on_payment", "cod", 1, false, false, true);
    ord_order *o = place(pe, 1, 1, OS_OK);
    cr_expect_eq(sku0(pe)->locked, 1);
    place(pe, 2, 1, OS_ESTOCK);
    static const fsm_action path[] = { FSM_PRODUCE, FSM_SHIP, FSM_DELIVER, FSM_PAY };
    static const fsm_actor who[] = { FSM_SYSTEM, FSM_MERCHANT, FSM_SYSTEM, FSM_BUYER };
    for (int i = 0; i < 4; i++) cr_assert_eq(proc_apply(pe, o, path[i], who[i], 5 + i, NULL, NULL), OS_OK);
    cr_expect_eq(sku0(pe)->sold, 1);
    cr_expect_eq(sku0(pe)->locked, 0);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(proc, a_forbidden_action_changes_nothing_and_is_counted)
{
    proc_engine *pe = engine("reduce_on_order", "b2c", 10, false, false, true);
    ord_order *o = place(pe, 1, 1, OS_OK);
    ord_order before = *o;
    cr_expect_eq(proc_apply(pe, o, FSM_SHIP, FSM_MERCHANT, 2, NULL, NULL), OS_EFORBIDDEN);
    cr_expect_eq(proc_apply(pe, o, FSM_EXPIRE, FSM_BUYER, 2, NULL, NULL), OS_EFORBIDDEN);
    cr_expect_eq(memcmp(&before, o, sizeof before), 0);
    cr_expect_eq(proc_forbidden(pe), 2);
    proc_destroy(pe);
}

Test(proc, modify_adjusts_the_lock_and_the_price)
{
    proc_engine *pe = engine("reduce_on_order", "b2c", 5, false, false, true);
    ord_order *o = place(pe, 1, 2, OS_OK);
    proc_args up = { .new_qty = 4 }, too_many = { .new_qty = 6 }, down = { .new_qty = 1 };
    cr_assert_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 2, &up, NULL), OS_OK);
    cr_expect_eq(sku0(pe)->locked, 4);
    cr_expect_eq(o->price.payable, 40000);
    cr_expect_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 3, &too_many, NULL), OS_ESTOCK);
    cr_expect_eq(o->lines[0].qty, 4);
    cr_assert_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 4, &down, NULL), OS_OK);
    cr_expect_eq(sku0(pe)->locked, 1);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(proc, payment_splits_an_order_by_warehouse)
{
    proc_engine *pe = engine("reduce_on_order", "b2c", 5, false, false, true);
    proc_order_req rq = { .buyer = 1, .n_lines = 2, .lines = { { 0, 1 }, { 1, 2 } } };
    ord_order *o;
    cr_assert_eq(proc_create_order(pe, &rq, 1, &o), OS_OK);
    cr_expect_eq(o->price.list_total, 10000 + 2 * 2500);
    pay(pe, o, NULL);
    cr_expect_eq(o->n_sub, 2);
    cr_expect_eq(o->sub_wh[0], 0);
    cr_expect_eq(o->sub_wh[1], 1);
    proc_destroy(pe);
}

Test(risk, limits_unpaid_orders_and_units_per_user)
{
    proc_sku sku = { .stock = 100, .price = 100, .max_per_user = 2 };
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find("reduce_on_order"), .n_skus = 1, .skus = &sku,
                      .max_unpaid_per_user = 2 };
    proc_engine *pe = proc_create(&c);
    ord_order *a = place(pe, 7, 1, OS_OK);
    place(pe, 7, 2, OS_ELIMIT);          /* 1 + 2 > 2 units */
    ord_order *b = place(pe, 7, 1, OS_OK);
    place(pe, 8, 1, OS_OK);
    cr_assert_eq(proc_apply(pe, a, FSM_EXPIRE, FSM_SYSTEM, 5, NULL, NULL), OS_OK);
    cr_assert_eq(proc_apply(pe, b, FSM_CANCEL, FSM_BUYER, 5, NULL, NULL), OS_OK);
    ord_order *d = place(pe, 7, 2, OS_OK);   /* closed unpaid orders gave their units back */
    place(pe, 7, 1, OS_ELIMIT);
    cr_assert_eq(proc_pay_start(pe, d, 6), OS_OK);
    proc_destroy(pe);

    c.skus = &(proc_sku){ .stock = 100, .price = 100 };
    pe = proc_create(&c);
    place(pe, 9, 1, OS_OK);
    place(pe, 9, 1, OS_OK);
    place(pe, 9, 1, OS_ERISK);           /* third unpaid order */
    proc_order_req rq = { .buyer = 10, .flagged = true, .n_lines = 1, .lines = { { 0, 1 } } };
    ord_order *o;
    cr_expect_eq(proc_create_order(pe, &rq, 1, &o), OS_ERISK);
    proc_destroy(pe);
}

/* ---- property test ------------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

typedef struct prop_case { char strategy[24], process[12]; bool refund, revalidate; } prop_case; /* inline: see test_fsm.c */
static prop_case prop_cases[] = {
    { "reduce_on_order", "b2c", false, false },     { "reduce_on_payment", "b2c", false, false },
    { "reduce_on_payment", "b2c", true, true },     { "reserve_on_checkout", "b2c", false, false },
    { "reduce_on_order", "virtual", false, false }, { "reduce_on_payment", "cod", false, false },
    { "reserve_on_checkout", "cod", false, false },
};

ParameterizedTestParameters(property, random_action_sequences_keep_every_invariant)
{
    return cr_make_param_array(prop_case, prop_cases, sizeof prop_cases / sizeof prop_cases[0]);
}

ParameterizedTest(prop_case *pc, property, random_action_sequences_keep_every_invariant)
{
    proc_engine *pe = engine(pc->strategy, pc->process, 200, pc->revalidate, pc->refund, true);
    ord_order *live[64] = { 0 };
    int accepted = 0, forbidden = 0;
    for (int step = 0; step < 4000; step++) {
        double t = step;
        int slot = (int)rnd(64);
        if (!live[slot]) {
            proc_order_req rq = { .buyer = rnd(10), .malicious = rnd(4) == 0, .n_lines = 1 + (int)rnd(2) };
            rq.lines[0] = (inv_line){ rnd(2), 1 + (int32_t)rnd(3) };
            rq.lines[1] = (inv_line){ 1 - rq.lines[0].sku, 1 + (int32_t)rnd(3) };
            ord_order *o;
            if (proc_create_order(pe, &rq, t, &o) == OS_OK) live[slot] = o;
        } else {
            ord_order *o = live[slot];
            int what = (int)rnd(FSM_ACTION_COUNT + 2);
            fsm_actor actor = (fsm_actor)rnd(FSM_ACTOR_COUNT);
            if (rnd(2)) {
                /* Half the time take a row the state has, so the walk goes deep. */
                int k = (int)rnd((uint32_t)fsm_transition_count(proc_fsm(pe)));
                for (int j = 0; j < fsm_transition_count(proc_fsm(pe)); j++) {
                    const fsm_transition *tr = fsm_transition_at(proc_fsm(pe), (k + j) % fsm_transition_count(proc_fsm(pe)));
                    if (tr->from != o->state) continue;
                    what = tr->action;
                    if (rnd(4)) /* usually an actor the row allows */
                        for (int a = 0; a < FSM_ACTOR_COUNT; a++)
                            if (tr->actors & FSM_ACTOR_BIT(a)) { actor = (fsm_actor)a; break; }
                    break;
                }
            }
            os_status st;
            if (what == FSM_ACTION_COUNT) st = proc_pay_start(pe, o, t);
            else if (what == FSM_ACTION_COUNT + 1) st = proc_pay_fail(pe, o, t);
            else {
                proc_args args = { .restock = rnd(2), .new_qty = 1 + (int32_t)rnd(4) };
                st = proc_apply(pe, o, (fsm_action)what, actor, t, &args, NULL);
            }
            accepted += st == OS_OK;
            forbidden += st == OS_EFORBIDDEN;
            if (fsm_is_terminal(proc_fsm(pe), o->state)) {
                proc_close(pe, o);
                live[slot] = NULL;
            }
        }
        os_diag d;
        os_diag_init(&d);
        int bad = proc_check(pe, &d);
        if (bad) {
            for (int i = 0; i < d.count; i++) cr_log_error("step %d: %s", step, d.msgs[i]);
        }
        os_diag_fini(&d);
        cr_assert_eq(bad, 0, "invariants hold after step %d", step);
    }
    cr_log_info("%s/%s: %d actions accepted, %d forbidden", pc->process, pc->strategy, accepted, forbidden);
    cr_expect_gt(accepted, 1000, "the walk exercised real transitions");
    cr_expect_gt(forbidden, 100, "and forbidden ones");
    proc_destroy(pe);
}

/* Money totals are 128-bit: 100 paid orders of 1,000,000 units at the largest price
 * (1e9 currency units) capture 1e19 cents, more than int64 holds, exactly and with the
 * money invariant intact (an int64 total was undefined behaviour here). */
Test(strategy, money_totals_do_not_overflow_64_bits)
{
    static proc_sku big[1] = { { .stock = 1000000000, .price = 100000000000LL, .warehouse = 0 } };
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find("reduce_on_order"), .n_skus = 1, .skus = big };
    proc_engine *pe = proc_create(&c);
    for (uint64_t b = 1; b <= 100; b++) {
        ord_order *o = place(pe, b, 1000000, OS_OK);
        proc_result r;
        pay(pe, o, &r);
    }
    os_money_total want = (os_money_total)100 * 1000000 * 100000000000LL;
    cr_expect(want > (os_money_total)INT64_MAX);
    cr_expect(proc_captured(pe) == want);
    assert_invariants(pe);
    proc_destroy(pe);
}

/* ---- correctness round three: modify keeps the coupon and the per-user limit ----------- */

Test(proc, a_modify_keeps_the_coupon_2_x_100_with_20_off_pays_180)
{
    /* 2 x 100.00 with the coupon "c20" (20.00 off): 180.00. Modified to the same quantity it
     * still pays 180.00 (the old engine re-priced without the coupon: 200.00); to 3 units,
     * 280.00; paid, 280.00 captured. */
    proc_sku sku = { .stock = 10, .price = 10000 };
    promo_def c20 = { .id = "c20", .type = PROMO_COUPON, .amount = 2000, .stackable = true, .budget = PROMO_UNLIMITED,
                      .return_budget = true };
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find("reduce_on_order"), .n_skus = 1, .skus = &sku,
                      .n_promos = 1, .promos = &c20, .ledger = true };
    proc_engine *pe = proc_create(&c);
    proc_order_req rq = { .buyer = 1, .coupon = "c20", .n_lines = 1, .lines = { { 0, 2 } } };
    ord_order *o;
    cr_assert_eq(proc_create_order(pe, &rq, 1, &o), OS_OK);
    cr_expect_eq(o->price.payable, 18000);
    proc_args same = { .new_qty = 2 }, three = { .new_qty = 3 };
    cr_assert_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 2, &same, NULL), OS_OK);
    cr_expect_eq(o->price.payable, 18000, "the coupon still applies after a modify: %lld", (long long)o->price.payable);
    cr_assert_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 3, &three, NULL), OS_OK);
    cr_expect_eq(o->price.payable, 28000);
    pay(pe, o, NULL);
    cr_expect_eq(o->captured, 28000);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(proc, a_modify_past_the_per_user_limit_is_refused_and_changes_nothing)
{
    /* Limit 2 per account. One unit ordered; a modify to 8 is refused (OS_ELIMIT), the order
     * keeps 1 unit, 1 locked; to 2 it is made; to 3 refused again. The account then holds 2:
     * another order of 1 is blocked; after a modify back to 1 it is admitted. */
    proc_sku sku = { .stock = 100, .price = 100, .max_per_user = 2 };
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find("reduce_on_order"), .n_skus = 1, .skus = &sku, .ledger = true };
    proc_engine *pe = proc_create(&c);
    ord_order *o = place(pe, 7, 1, OS_OK);
    proc_args eight = { .new_qty = 8 }, two = { .new_qty = 2 }, three = { .new_qty = 3 }, one = { .new_qty = 1 };
    cr_expect_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 2, &eight, NULL), OS_ELIMIT);
    cr_expect_eq(o->lines[0].qty, 1);
    cr_expect_eq(sku0(pe)->locked, 1);
    cr_expect_eq(o->price.payable, 100);
    cr_expect_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 3, &two, NULL), OS_OK);
    cr_expect_eq(sku0(pe)->locked, 2);
    cr_expect_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 4, &three, NULL), OS_ELIMIT);
    cr_expect_eq(o->lines[0].qty, 2);
    place(pe, 7, 1, OS_ELIMIT);
    cr_assert_eq(proc_apply(pe, o, FSM_MODIFY, FSM_BUYER, 5, &one, NULL), OS_OK);
    place(pe, 7, 1, OS_OK);
    assert_invariants(pe);
    proc_destroy(pe);
}

Test(proc, virtual_lines_make_no_sub_order)
{
    /* SKU 0 physical (warehouse 0), SKU 1 virtual goods (warehouse 1): an order of both
     * follows b2c and makes one sub-order, for the physical line only (was 2). */
    proc_sku skus[2] = { { .stock = 5, .price = 100, .warehouse = 0 },
                         { .stock = 5, .price = 100, .warehouse = 1, .virtual_goods = true } };
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find("reduce_on_order"), .n_skus = 2, .skus = skus };
    proc_engine *pe = proc_create(&c);
    proc_order_req rq = { .buyer = 1, .n_lines = 2, .lines = { { 1, 1 }, { 0, 1 } } };
    ord_order *o;
    cr_assert_eq(proc_create_order(pe, &rq, 1, &o), OS_OK);
    pay(pe, o, NULL);
    cr_expect_eq(o->n_sub, 1);
    cr_expect_eq(o->sub_wh[0], 0);
    proc_destroy(pe);
}
