/* Tests for the strategy descriptors (core/inv.h): the facts each descriptor states (when
 * it locks, when it deducts, whether it may oversell) are what its hooks do, for every
 * strategy inv_strategies() lists, so a new strategy is checked without editing this file. */
#include <criterion/criterion.h>
#include <string.h>

#include "inv.h"

/* The moment at which the hooks first locked and first deducted, found by running one
 * order of 1 unit through creation, payment start and payment on a store of `stock`. */
typedef struct observed {
    inv_moment locked, deducted;
} observed;

static void note(const inv_store *s, inv_moment at, observed *o)
{
    const inv_counts *c = inv_sku(s, 0);
    if (o->locked == INV_AT_NEVER && c->locked > 0) o->locked = at;
    if (o->deducted == INV_AT_NEVER && c->sold > 0) o->deducted = at;
}

static observed observe(const inv_strategy *st)
{
    int64_t stock = 5;
    inv_store *s = inv_create(1, &stock, true);
    inv_line line = { 0, 1 };
    bool holds = false;
    inv_req r = { &line, 1, false, 1, 0, &holds };
    inv_opts opts = { .revalidate = false, .oversell_refund = false };
    observed o = { INV_AT_NEVER, INV_AT_NEVER };
    cr_assert_eq(st->on_create(s, &opts, &r), OS_OK, "%s: creation with stock to spare", st->name);
    note(s, INV_AT_ORDER_CREATION, &o);
    cr_assert_eq(st->on_pay_start(s, &opts, &r), OS_OK, "%s: payment start with stock to spare", st->name);
    note(s, INV_AT_PAYMENT_START, &o);
    int64_t shortfall = -1;
    cr_assert_eq(st->on_pay_success(s, &opts, &r, &shortfall), OS_OK, "%s: payment", st->name);
    note(s, INV_AT_PAYMENT, &o);
    cr_expect_eq(shortfall, 0);
    cr_expect_eq(inv_sku(s, 0)->locked, 0, "%s: a paid order holds no lock", st->name);
    cr_expect(!holds);
    os_diag d;
    os_diag_init(&d);
    cr_expect_eq(inv_check(s, &d), 0);
    os_diag_fini(&d);
    inv_destroy(s);
    return o;
}

Test(strategy, each_descriptor_says_when_its_hooks_lock_and_deduct)
{
    int n = 0;
    for (const inv_strategy *const *st = inv_strategies(); *st; st++, n++) {
        observed o = observe(*st);
        cr_expect_eq(o.locked, (*st)->locks_at, "%s locks at %s, its descriptor says %s", (*st)->name, inv_moment_name(o.locked),
                     inv_moment_name((*st)->locks_at));
        cr_expect_eq(o.deducted, (*st)->deducts_at, "%s deducts at %s, its descriptor says %s", (*st)->name,
                     inv_moment_name(o.deducted), inv_moment_name((*st)->deducts_at));
        cr_expect_eq(inv_strategy_find((*st)->name), *st);
        cr_expect((*st)->summary && (*st)->summary[0]);
    }
    cr_expect_geq(n, 3);
}

/* Two buyers want the last unit: both are created, both start paying, both pay (when the
 * strategy lets them). Only a strategy that says it may oversell ends below zero. */
Test(strategy, only_a_strategy_that_says_so_oversells_the_last_unit)
{
    for (const inv_strategy *const *st = inv_strategies(); *st; st++) {
        int64_t stock = 1;
        inv_store *s = inv_create(1, &stock, false);
        inv_line line = { 0, 1 };
        bool holds[2] = { false, false };
        inv_opts opts = { .revalidate = false, .oversell_refund = false };
        inv_req r[2] = { { &line, 1, false, 1, 0, &holds[0] }, { &line, 1, false, 2, 0, &holds[1] } };
        bool alive[2] = { true, true };
        for (int k = 0; k < 2; k++) alive[k] = (*st)->on_create(s, &opts, &r[k]) == OS_OK;
        for (int k = 0; k < 2; k++)
            if (alive[k]) alive[k] = (*st)->on_pay_start(s, &opts, &r[k]) == OS_OK;
        for (int k = 0; k < 2; k++) {
            int64_t shortfall = 0;
            if (alive[k]) (*st)->on_pay_success(s, &opts, &r[k], &shortfall);
        }
        bool oversold = inv_sku(s, 0)->on_hand < 0 || inv_sku(s, 0)->oversold > 0;
        cr_expect_eq(oversold, inv_strategy_may_oversell(*st), "%s: oversold %d, may_oversell %d", (*st)->name, oversold,
                     inv_strategy_may_oversell(*st));
        inv_destroy(s);
    }
}

Test(strategy, cash_on_delivery_runs_creation_under_a_strategy_that_locks_then)
{
    const inv_strategy *st = inv_strategy_locking_at(INV_AT_ORDER_CREATION);
    cr_assert_not_null(st);
    cr_expect_eq(st->locks_at, INV_AT_ORDER_CREATION);
    cr_expect_str_eq(inv_moment_name(INV_AT_PAYMENT_START), "payment_start");
    cr_expect_str_eq(inv_moment_name(INV_MOMENT_COUNT), "?");
}
