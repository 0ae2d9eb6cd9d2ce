/* Tests of the invariant checkers themselves (inv_check, promo_check, proc_check): each test
 * starts from a state the checker must accept, corrupts exactly one thing (a counter, a
 * total, a ledger row, a budget, an order's state or money) and expects the exact messages.
 * A checker that returns "fine" whatever it is shown fails here, not in production. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "inv_int.h"
#include "proc.h"

/* Runs a check's result against the exact messages expected, in order. */
static void expect_msgs(int bad, os_diag *d, const char *const *want, int n)
{
    for (int i = 0; i < d->count; i++) cr_log_info("got: %s", d->msgs[i]);
    cr_expect_eq(bad, n, "the checker counted %d breaches, expected %d", bad, n);
    cr_assert_eq(d->count, n, "the checker gave %d messages, expected %d", d->count, n);
    for (int i = 0; i < n; i++) cr_expect_str_eq(d->msgs[i], want[i]);
    os_diag_fini(d);
}
#define EXPECT_MSGS(bad, d, ...)                                                     \
    do {                                                                             \
        const char *const want_[] = { __VA_ARGS__ };                                 \
        expect_msgs((bad), (d), want_, (int)(sizeof want_ / sizeof want_[0]));       \
    } while (0)

static void expect_clean_inv(const inv_store *s)
{
    os_diag d;
    os_diag_init(&d);
    int bad = inv_check(s, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(bad, 0);
    os_diag_fini(&d);
}

/* Writable views of what the store hands out read-only: corrupting them is the point. */
static inv_counts *counts(inv_store *s, uint32_t sku) { return (inv_counts *)inv_sku(s, sku); }
static inv_totals *totals(inv_store *s) { return (inv_totals *)inv_totals_of(s); }

/* Two SKUs (10 and 5 units) and one movement of every kind, so a replay that mishandles any
 * kind disagrees with the counters. Hand-computed end state, SKU 0: locked 2 (both a bot's),
 * sold 3 + 4 = 7, on_hand 10 - 7 + 1 = 4, restocked 1, written off 1; SKU 1: sold 7 with
 * on_hand 5 -> oversold 2, on_hand -2. */
static inv_store *busy_store(bool ledger)
{
    const int64_t stock[2] = { 10, 5 };
    inv_store *s = inv_create(2, stock, ledger);
    inv_line a = { 0, 3 }, b = { 0, 2 }, c = { 0, 4 }, over = { 1, 7 };
    cr_assert_eq(inv_lock(s, &a, 1, false, 1, 1.0), OS_OK);
    cr_assert_eq(inv_lock(s, &b, 1, true, 2, 2.0), OS_OK);
    inv_line b1 = { 0, 1 };
    cr_assert_eq(inv_lock(s, &b1, 1, true, 3, 2.5), OS_OK);
    inv_sell_locked(s, &a, 1, false, 1, 3.0);
    inv_unlock(s, &b1, 1, true, 3, 3.5);
    int64_t short0 = -1, short1 = -1;
    cr_assert_eq(inv_sell(s, &c, 1, false, 4, 4.0, &short0), OS_OK);
    cr_assert_eq(inv_sell(s, &over, 1, true, 5, 5.0, &short1), OS_OK);
    inv_restock(s, 0, 1, 1, 6.0);
    inv_write_off(s, 0, 1, 1, 7.0);
    cr_assert_eq(short0, 0);
    cr_assert_eq(short1, 2);
    return s;
}

Test(inv_check, accepts_a_store_after_every_kind_of_movement)
{
    for (int ledger = 0; ledger < 2; ledger++) {
        inv_store *s = busy_store(ledger);
        const inv_counts *a = inv_sku(s, 0), *b = inv_sku(s, 1);
        cr_expect_eq(a->locked, 2);
        cr_expect_eq(a->locked_malicious, 2);
        cr_expect_eq(a->sold, 7);
        cr_expect_eq(a->on_hand, 4);
        cr_expect_eq(a->restocked, 1);
        cr_expect_eq(a->written_off, 1);
        cr_expect_eq(a->oversold, 0);
        cr_expect_eq(b->sold, 7);
        cr_expect_eq(b->on_hand, -2);
        cr_expect_eq(b->oversold, 2);
        cr_expect_eq(inv_total_locked(s), 2);
        cr_expect_eq(inv_total_locked_malicious(s), 2);
        cr_expect_eq(inv_total_sold(s), 14);
        cr_expect_eq(inv_total_oversold(s), 2);
        cr_expect_eq(inv_skus_out(s), 1); /* SKU 1: available -2 */
        cr_expect_eq(inv__ledger_len(s), ledger ? 9u : 0u);
        expect_clean_inv(s);
        inv_destroy(s);
    }
}

Test(inv_check, catches_an_on_hand_counter_off_by_one)
{
    inv_store *s = busy_store(false);
    counts(s, 0)->on_hand++;
    os_diag d = { 0 };
    EXPECT_MSGS(inv_check(s, &d), &d, "stock: SKU 0 on_hand 5 != stock0 10 + restocked 1 - sold 7");
    inv_destroy(s);
}

Test(inv_check, with_the_ledger_also_catches_it_by_replay)
{
    inv_store *s = busy_store(true);
    counts(s, 0)->on_hand++;
    os_diag d = { 0 };
    EXPECT_MSGS(inv_check(s, &d), &d,
                "stock: SKU 0 counters differ from the ledger replay (on_hand 5 vs 4, locked 2 vs 2, sold 7 vs 7)",
                "stock: SKU 0 on_hand 5 != stock0 10 + restocked 1 - sold 7");
    inv_destroy(s);
}

Test(inv_check, catches_a_ledger_row_with_a_wrong_quantity)
{
    inv_store *s = busy_store(true);
    inv_move *m = inv__ledger_row(s, 0); /* lock of 3 units by order 1 */
    cr_assert_not_null(m);
    cr_assert_eq(m->kind, INV_LOCK);
    m->qty = 2;
    os_diag d = { 0 };
    EXPECT_MSGS(inv_check(s, &d), &d,
                "stock: SKU 0 counters differ from the ledger replay (on_hand 4 vs 4, locked 2 vs 1, sold 7 vs 7)");
    inv_destroy(s);
}

/* Changing the kind of one row must disagree with the counters whatever the kind: the replay
 * has to tell every kind apart. */
/* Inline text, not pointers: Criterion re-executes the binary for each test. */
typedef struct kind_case { size_t row; uint8_t kind; char msg[128]; } kind_case;
static kind_case kind_cases[] = {
    { 0, INV_UNLOCK, "stock: SKU 0 counters differ from the ledger replay (on_hand 4 vs 4, locked 2 vs -4, sold 7 vs 7)" },
    { 3, INV_SELL, "stock: SKU 0 counters differ from the ledger replay (on_hand 4 vs 4, locked 2 vs 5, sold 7 vs 7)" },
    { 4, INV_LOCK, "stock: SKU 0 counters differ from the ledger replay (on_hand 4 vs 4, locked 2 vs 4, sold 7 vs 7)" },
    { 5, INV_SELL_LOCKED, "stock: SKU 0 counters differ from the ledger replay (on_hand 4 vs 4, locked 2 vs -2, sold 7 vs 7)" },
    { 7, INV_WRITE_OFF, "stock: SKU 0 counters differ from the ledger replay (on_hand 4 vs 3, locked 2 vs 2, sold 7 vs 7)" },
    { 8, INV_RESTOCK, "stock: SKU 0 counters differ from the ledger replay (on_hand 4 vs 5, locked 2 vs 2, sold 7 vs 7)" },
};
ParameterizedTestParameters(inv_check, catches_a_ledger_row_of_the_wrong_kind)
{
    return cr_make_param_array(kind_case, kind_cases, sizeof kind_cases / sizeof kind_cases[0]);
}
ParameterizedTest(kind_case *k, inv_check, catches_a_ledger_row_of_the_wrong_kind)
{
    inv_store *s = busy_store(true);
    /* Rows: 0 lock 3, 1 lock 2 (bot), 2 lock 1 (bot), 3 sell_locked 3, 4 unlock 1 (bot),
     * 5 sell 4, 6 sell 7 on SKU 1, 7 restock 1, 8 write_off 1. */
    cr_assert_eq(inv__ledger_len(s), 9u);
    inv_move *m = inv__ledger_row(s, k->row);
    cr_assert_not_null(m);
    m->kind = k->kind;
    os_diag d = { 0 };
    int bad = inv_check(s, &d);
    cr_assert_geq(d.count, 1);
    cr_expect_geq(bad, 1);
    cr_expect_str_eq(d.msgs[0], k->msg);
    os_diag_fini(&d);
    inv_destroy(s);
}

Test(inv_check, catches_more_bot_locks_than_locks)
{
    inv_store *s = busy_store(false);
    counts(s, 0)->locked_malicious = 3;
    os_diag d = { 0 };
    EXPECT_MSGS(inv_check(s, &d), &d, "stock: SKU 0 locked 2 / malicious 3 out of range",
                "stock: totals drifted from the per-SKU counters");
    inv_destroy(s);
}

Test(inv_check, catches_a_negative_lock)
{
    const int64_t stock[1] = { 10 };
    inv_store *s = inv_create(1, stock, false);
    counts(s, 0)->locked = -1;
    totals(s)->locked = -1; /* keep the totals consistent: only the range is wrong */
    os_diag d = { 0 };
    EXPECT_MSGS(inv_check(s, &d), &d, "stock: SKU 0 locked -1 / malicious 0 out of range");
    inv_destroy(s);
}

Test(inv_check, catches_more_units_returned_than_sold)
{
    inv_store *s = busy_store(false);
    counts(s, 0)->written_off = 7;
    os_diag d = { 0 };
    EXPECT_MSGS(inv_check(s, &d), &d, "stock: SKU 0 returned 8 units but sold only 7");
    inv_destroy(s);
}

/* Each running total is compared with the sum of the per-SKU counters. */
ParameterizedTestParameters(inv_check, catches_each_drifted_total)
{
    static int fields[] = { 0, 1, 2, 3, 4 };
    return cr_make_param_array(int, fields, 5);
}
ParameterizedTest(int *field, inv_check, catches_each_drifted_total)
{
    inv_store *s = busy_store(false);
    inv_totals *t = totals(s);
    switch (*field) {
    case 0: t->locked++; break;
    case 1: t->locked_malicious--; break;
    case 2: t->sold++; break;
    case 3: t->oversold++; break;
    default: t->out++; break;
    }
    os_diag d = { 0 };
    EXPECT_MSGS(inv_check(s, &d), &d, "stock: totals drifted from the per-SKU counters");
    inv_destroy(s);
}

/* ---- promo_check ---------------------------------------------------------------------- */

static promo_book *book_with_budget(os_money budget, bool give_back)
{
    promo_def d = { .type = PROMO_FIXED_OFF, .amount = 500, .priority = 1, .stackable = true,
                    .budget = budget, .return_budget = give_back };
    snprintf(d.id, sizeof d.id, "%s", "spring");
    return promo_create(&d, 1);
}

Test(promo_check, accepts_budgets_consumed_and_given_back_once)
{
    promo_book *b = book_with_budget(1000, true);
    promo_result r;
    promo_apply(b, 3000, NULL, &r);
    cr_expect_eq(r.discount, 500);
    cr_expect_eq(promo_remaining(b, 0), 500);
    os_diag d = { 0 };
    cr_expect_eq(promo_check(b, &d), 0);
    promo_give_back(b, &r);
    cr_expect_eq(promo_remaining(b, 0), 1000);
    cr_expect_eq(promo_check(b, &d), 0);
    cr_expect_eq(d.count, 0);
    os_diag_fini(&d);
    promo_destroy(b);
}

Test(promo_check, catches_a_budget_given_back_twice)
{
    promo_book *b = book_with_budget(1000, true);
    promo_result r;
    promo_apply(b, 3000, NULL, &r);
    promo_give_back(b, &r);
    promo_give_back(b, &r); /* the bug: a refunded order gives its discount back again */
    os_diag d = { 0 };
    EXPECT_MSGS(promo_check(b, &d), &d, "promotion spring: remaining budget 1500 outside [0, 1000]");
    promo_destroy(b);
}

Test(promo_check, catches_a_budget_below_zero)
{
    promo_book *b = book_with_budget(1000, true);
    promo_result r = { .n = 1, .promo = { 0 }, .amount = { -1200 } }; /* a forged negative give-back */
    promo_give_back(b, &r);
    os_diag d = { 0 };
    EXPECT_MSGS(promo_check(b, &d), &d, "promotion spring: remaining budget -200 outside [0, 1000]");
    promo_destroy(b);
}

Test(promo_check, ignores_unlimited_budgets)
{
    promo_book *b = book_with_budget(PROMO_UNLIMITED, true);
    promo_result r;
    promo_apply(b, 3000, NULL, &r);
    cr_expect_eq(r.discount, 500);
    os_diag d = { 0 };
    cr_expect_eq(promo_check(b, &d), 0);
    os_diag_fini(&d);
    promo_destroy(b);
}

/* ---- proc_check ----------------------------------------------------------------------- */

static proc_engine *engine(const char *strategy)
{
    static proc_sku skus[2];
    skus[0] = (proc_sku){ .stock = 10, .price = 10000, .warehouse = 0 };
    skus[1] = (proc_sku){ .stock = 10, .price = 2500, .warehouse = 1 };
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find(strategy), .n_skus = 2,
                      .skus = skus, .ledger = true };
    cr_assert_not_null(c.strategy);
    return proc_create(&c);
}

static ord_order *place(proc_engine *pe, uint64_t buyer, uint32_t sku, int32_t qty)
{
    proc_order_req rq = { .buyer = buyer, .customer = buyer, .n_lines = 1, .lines = { { sku, qty } } };
    ord_order *o = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 1.0, &o), OS_OK);
    return o;
}

static void pay(proc_engine *pe, ord_order *o)
{
    cr_assert_eq(proc_pay_start(pe, o, 2.0), OS_OK);
    cr_assert_eq(proc_apply(pe, o, FSM_PAY, FSM_BUYER, 3.0, NULL, NULL), OS_OK);
}

static int check(proc_engine *pe, os_diag *d)
{
    os_diag_init(d);
    return proc_check(pe, d);
}

/* Order 1: 3 units of SKU 0, paid (10000 x 3 = 30000 captured). Order 2: 2 units of SKU 1,
 * unpaid, holding its lock under reduce_on_order. Order 3: cancelled and closed. */
static proc_engine *busy_engine(ord_order **paid, ord_order **open)
{
    proc_engine *pe = engine("reduce_on_order");
    *paid = place(pe, 1, 0, 3);
    pay(pe, *paid);
    *open = place(pe, 2, 1, 2);
    ord_order *gone = place(pe, 3, 0, 1);
    cr_assert_eq(proc_apply(pe, gone, FSM_CANCEL, FSM_BUYER, 4.0, NULL, NULL), OS_OK);
    proc_close(pe, gone);
    os_diag d;
    int bad = check(pe, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(bad, 0);
    os_diag_fini(&d);
    return pe;
}

Test(proc_check, catches_an_order_in_a_state_its_process_lacks)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    open->state = 200;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "order 2: state 200 is not a state of process b2c",
                "stock: SKU 1 inventory says 2 locked (0 malicious), open orders hold 0 (0)",
                "orders: 0 in state pending_payment, but the engine counted 1");
    proc_destroy(pe);
}

Test(proc_check, catches_an_order_moved_behind_the_engines_back)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    paid->state = (uint8_t)fsm_state_index(proc_fsm(pe), "shipped");
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "orders: 0 in state paid, but the engine counted 1",
                "orders: 1 in state shipped, but the engine counted 0");
    proc_destroy(pe);
}

Test(proc_check, catches_a_refund_larger_than_the_capture)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    paid->refunded = 30001;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "order 1: refunded 30001 more than captured 30000",
                "money: captured 30000 != refunded 0 + kept -1");
    proc_destroy(pe);
}

Test(proc_check, catches_a_negative_refund)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    paid->refunded = -1;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "order 1: refunded -1 more than captured 30000",
                "money: captured 30000 != refunded 0 + kept 30001");
    proc_destroy(pe);
}

Test(proc_check, catches_a_paid_order_that_captured_the_wrong_amount)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    paid->captured = 29999;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "order 1: captured 29999 but payable 30000",
                "money: captured 30000 != refunded 0 + kept 29999");
    proc_destroy(pe);
}

Test(proc_check, catches_money_captured_from_an_unpaid_order)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    open->captured = 5;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "money: captured 30000 != refunded 0 + kept 30005");
    proc_destroy(pe);
}

Test(proc_check, catches_a_price_whose_discount_does_not_add_up)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    open->price.discount = 1;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "order 2: list 5000 - discount 1 != payable 5000");
    proc_destroy(pe);
}

Test(proc_check, catches_a_negative_payable)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    open->price.list_total = -100;
    open->price.payable = -100;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "order 2: list -100 - discount 0 != payable -100");
    proc_destroy(pe);
}

Test(proc_check, catches_a_lock_the_order_forgot)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    open->holds_lock = false;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d,
                "stock: SKU 1 inventory says 2 locked (0 malicious), open orders hold 0 (0)");
    proc_destroy(pe);
}

Test(proc_check, catches_a_lock_counted_for_the_wrong_kind_of_buyer)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    open->flags |= ORD_MALICIOUS;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d,
                "stock: SKU 1 inventory says 2 locked (0 malicious), open orders hold 2 (2)");
    proc_destroy(pe);
}

Test(proc_check, catches_an_oversell_under_a_strategy_that_must_not)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    inv_counts *c = (inv_counts *)inv_sku(proc_inventory(pe), 0);
    c->oversold = 1;
    ((inv_totals *)inv_totals_of(proc_inventory(pe)))->oversold = 1; /* only the strategy rule breaks */
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d,
                "stock: SKU 0 counters differ from the ledger replay (on_hand 7 vs 7, locked 0 vs 0, sold 3 vs 3)",
                "stock: SKU 0 oversold 1 units (on hand 7) under reduce_on_order, which must never oversell");
    proc_destroy(pe);
}

Test(proc_check, accepts_an_oversell_under_a_strategy_that_may)
{
    proc_engine *pe = engine("reduce_on_payment");
    ord_order *a = place(pe, 1, 0, 8), *b = place(pe, 2, 0, 8);
    pay(pe, a);
    pay(pe, b);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->oversold, 6);
    os_diag d;
    int bad = check(pe, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_expect_eq(bad, 0);
    os_diag_fini(&d);
    proc_destroy(pe);
}

Test(proc_check, reports_what_the_inventory_checker_finds)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    ((inv_totals *)inv_totals_of(proc_inventory(pe)))->sold++;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "stock: totals drifted from the per-SKU counters");
    proc_destroy(pe);
}

/* Membership points and partial returns: an engine whose one tier earns 2 points a unit and a
 * paid two-line order (3 x 100.00 + 2 x 25.00 = 350.00, 10 points) whose SKU 1 line came back:
 * it keeps 300.00 and 6 points; 50.00 and 4 points went back. */
static proc_engine *returned_engine(ord_order **o)
{
    static proc_sku skus[2];
    skus[0] = (proc_sku){ .stock = 10, .price = 10000 };
    skus[1] = (proc_sku){ .stock = 10, .price = 2500 };
    proc_tier t = { .name = "gold", .stackable = true, .points_per_unit = 2 };
    proc_config c = { .fsm = fsm_builtin("b2c"), .strategy = inv_strategy_find("reduce_on_order"), .n_skus = 2,
                      .skus = skus, .ledger = true, .n_tiers = 1, .tiers = &t };
    proc_engine *pe = proc_create(&c);
    proc_order_req rq = { .buyer = 1, .customer = 1, .tier = 1, .n_lines = 2, .lines = { { 0, 3 }, { 1, 2 } } };
    cr_assert_eq(proc_create_order(pe, &rq, 1.0, o), OS_OK);
    pay(pe, *o);
    static const fsm_action path[] = { FSM_PRODUCE, FSM_SHIP, FSM_DELIVER };
    for (int i = 0; i < 3; i++) cr_assert_eq(proc_apply(pe, *o, path[i], FSM_SYSTEM, 4.0 + i, NULL, NULL), OS_OK);
    cr_assert_eq(proc_apply(pe, *o, FSM_RETURN_REQUEST, FSM_BUYER, 8.0, NULL, NULL), OS_OK);
    proc_args a = { .restock = true, .line = 2 };
    cr_assert_eq(proc_apply(pe, *o, FSM_RETURN_RECEIVE, FSM_MERCHANT, 9.0, &a, NULL), OS_OK);
    cr_assert_eq((*o)->refunded, 5000);
    cr_assert_eq((*o)->points, 6);
    os_diag d;
    int bad = check(pe, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(bad, 0);
    os_diag_fini(&d);
    return pe;
}

Test(proc_check, accepts_points_and_a_partial_return_once_the_order_closes)
{
    ord_order *o;
    proc_engine *pe = returned_engine(&o);
    proc_close(pe, o);
    os_diag d;
    int bad = check(pe, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_expect_eq(bad, 0, "the closed order's 6 points and 300.00 are kept, not lost");
    os_diag_fini(&d);
    proc_destroy(pe);
}

Test(proc_check, catches_points_held_that_were_never_awarded)
{
    ord_order *o;
    proc_engine *pe = returned_engine(&o);
    o->points = 7;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "points: awarded 10 != returned 4 + held 7");
    proc_destroy(pe);
}

Test(proc_check, catches_points_of_an_order_that_never_paid)
{
    ord_order *paid, *open;
    proc_engine *pe = busy_engine(&paid, &open);
    open->points = 1;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "points: awarded 0 != returned 0 + held 1");
    proc_destroy(pe);
}

Test(proc_check, catches_a_partial_return_that_refunded_more_than_restitution)
{
    ord_order *o;
    proc_engine *pe = returned_engine(&o);
    o->refunded = 5001;
    os_diag d;
    EXPECT_MSGS(check(pe, &d), &d, "order 1: keeps 29999 after a partial return, but its kept lines' payable is 30000",
                "money: captured 35000 != refunded 5000 + kept 29999");
    proc_destroy(pe);
}
