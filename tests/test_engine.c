/* Process-engine rules that no shipped scenario exercises, so neither the golden outputs nor
 * the engine's main suite would notice them break (each was found by a surviving mutation,
 * tests/mutations.txt): an action on an order whose payment is in flight, and a custom
 * process that returns money or goods twice. */
#include <criterion/criterion.h>
#include <string.h>

#include "proc.h"

static proc_engine *engine_for(const fsm_def *fsm, const char *strategy)
{
    static proc_sku skus[1];
    skus[0] = (proc_sku){ .stock = 10, .price = 10000, .warehouse = 0 };
    proc_config c = { .fsm = fsm, .strategy = inv_strategy_find(strategy), .n_skus = 1, .skus = skus,
                      .ledger = true };
    return proc_create(&c);
}

static ord_order *place(proc_engine *pe, int32_t qty)
{
    proc_order_req rq = { .buyer = 1, .customer = 1, .n_lines = 1, .lines = { { 0, qty } } };
    ord_order *o = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 1.0, &o), OS_OK);
    return o;
}

static void expect_invariants(proc_engine *pe)
{
    os_diag d;
    os_diag_init(&d);
    int bad = proc_check(pe, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_expect_eq(bad, 0);
    os_diag_fini(&d);
}

Test(engine, an_order_whose_payment_is_in_flight_cannot_be_cancelled_or_expired)
{
    proc_engine *pe = engine_for(fsm_builtin("b2c"), "reduce_on_order");
    ord_order *o = place(pe, 2);
    int pending = o->state;
    cr_assert_eq(proc_pay_start(pe, o, 2.0), OS_OK);
    cr_expect_eq(proc_apply(pe, o, FSM_CANCEL, FSM_BUYER, 2.5, NULL, NULL), OS_EFORBIDDEN);
    cr_expect_eq(proc_apply(pe, o, FSM_EXPIRE, FSM_SYSTEM, 2.5, NULL, NULL), OS_EFORBIDDEN);
    cr_expect_eq(proc_forbidden(pe), 2);
    cr_expect_eq(o->state, pending, "nothing moved");
    cr_expect(o->holds_lock, "the lock stays with the paying order");
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->locked, 2);
    /* The payment itself still completes. */
    cr_expect_eq(proc_apply(pe, o, FSM_PAY, FSM_BUYER, 3.0, NULL, NULL), OS_OK);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->sold, 2);
    expect_invariants(pe);
    proc_destroy(pe);
}

/* A process in which a refunded order is not closed: the goods may still come back. Odd, but
 * a user may write it, and the engine's money and stock must stay right. */
static const char *const refund_then_return =
    "{\"name\": \"refund_then_return\", \"states\": [\"pending_payment\", \"paid\", \"refunded_open\", \"returned\"],"
    " \"initial\": \"pending_payment\", \"terminal\": [\"returned\"], \"transitions\": ["
    " {\"from\": \"pending_payment\", \"action\": \"pay\", \"to\": \"paid\", \"actors\": [\"buyer\"]},"
    " {\"from\": \"paid\", \"action\": \"refund\", \"to\": \"refunded_open\", \"actors\": [\"merchant\"]},"
    " {\"from\": \"refunded_open\", \"action\": \"return_receive\", \"to\": \"returned\", \"actors\": [\"merchant\"]}]}";

Test(engine, a_second_return_of_money_or_goods_returns_nothing_more)
{
    jsn_doc *doc = NULL;
    os_diag d;
    os_diag_init(&d);
    cr_assert_eq(jsn_parse("p.json", refund_then_return, strlen(refund_then_return), &doc, &d), OS_OK);
    fsm_def *fsm = NULL;
    os_status st = fsm_load(doc, &fsm, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(st, OS_OK);
    jsn_free(doc);
    os_diag_fini(&d);

    proc_engine *pe = engine_for(fsm, "reduce_on_order");
    ord_order *o = place(pe, 3);
    cr_assert_eq(proc_apply(pe, o, FSM_PAY, FSM_BUYER, 2.0, NULL, NULL), OS_OK);
    proc_result r;
    cr_assert_eq(proc_apply(pe, o, FSM_REFUND, FSM_MERCHANT, 3.0, NULL, &r), OS_OK);
    cr_expect_eq(r.refund, 30000);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->restocked, 3);
    proc_args back = { .restock = true };
    cr_assert_eq(proc_apply(pe, o, FSM_RETURN_RECEIVE, FSM_MERCHANT, 4.0, &back, &r), OS_OK);
    cr_expect_eq(r.refund, 0, "the money went back already");
    cr_expect_eq(o->refunded, 30000);
    cr_expect_eq(proc_refunded(pe), 30000);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->restocked, 3, "the units went back already");
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->on_hand, 10);
    expect_invariants(pe);
    proc_close(pe, o);
    expect_invariants(pe);
    proc_destroy(pe);
    fsm_free(fsm);
}

Test(engine, an_order_may_not_name_one_sku_on_two_lines)
{
    proc_engine *pe = engine_for(fsm_builtin("b2c"), "reduce_on_order");
    proc_order_req rq = { .buyer = 1, .customer = 1, .n_lines = 2, .lines = { { 0, 1 }, { 0, 2 } } };
    ord_order *o = NULL;
    cr_expect_eq(proc_create_order(pe, &rq, 1.0, &o), OS_EINVAL);
    cr_expect_null(o);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->locked, 0, "nothing locked");
    cr_expect_eq(ord_live(proc_orders(pe)), 0u);
    proc_destroy(pe);
}

Test(engine, promotions_of_equal_priority_apply_in_definition_order)
{
    /* Both stackable, same priority. In definition order: 10% of 10000 = 1000, then 500 off
     * the 9000 left: payable 8500. The other way round would give 10000 - 500 = 9500, minus
     * 10% = 950: 8550. */
    promo_def defs[2] = {
        { .id = "tenpct", .type = PROMO_PERCENT_OFF, .percent_bp = 1000, .priority = 5, .stackable = true,
          .budget = PROMO_UNLIMITED },
        { .id = "fiver", .type = PROMO_FIXED_OFF, .amount = 500, .priority = 5, .stackable = true,
          .budget = PROMO_UNLIMITED },
    };
    promo_book *b = promo_create(defs, 2);
    promo_result r;
    promo_apply(b, 10000, NULL, &r);
    cr_expect_eq(r.payable, 8500);
    cr_assert_eq(r.n, 2);
    cr_expect_eq(r.promo[0], 0);
    cr_expect_eq(r.amount[0], 1000);
    cr_expect_eq(r.amount[1], 500);
    promo_destroy(b);
    /* A lower priority number goes first whatever the definition order. */
    defs[1].priority = 4;
    b = promo_create(defs, 2);
    promo_apply(b, 10000, NULL, &r);
    cr_expect_eq(r.payable, 8550);
    cr_expect_eq(r.promo[0], 1);
    promo_destroy(b);
}
