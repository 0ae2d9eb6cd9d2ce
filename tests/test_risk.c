/* Tests for risk control's per-user table (core/risk.c): counters follow each user through
 * growth and deletions, and a user never inherits another's counts. */
#include <criterion/criterion.h>

#include "risk.h"

/* Thousands of users come and go (every other one closes its order unpaid, which deletes
 * its slot and shifts later slots back); a user seen for the first time must start from
 * zero: with a limit of 2 per user, its first two units are always admitted, its third never. */
Test(risk, a_new_user_never_inherits_the_counters_of_a_deleted_or_moved_one)
{
    int32_t limit[1] = { 2 };
    risk_ctl *r = risk_create(1, limit, 0);
    inv_line one = { 0, 1 };
    uint64_t next = 1;
    for (int round = 0; round < 40; round++) {
        uint64_t first = next;
        for (int i = 0; i < 500; i++, next++) {
            for (int k = 0; k < 2; k++)
                cr_assert_eq(risk_admit(r, next, &one, 1, false), OS_OK, "user %llu's unit %d (round %d)",
                             (unsigned long long)next, k + 1, round);
            cr_assert_eq(risk_admit(r, next, &one, 1, false), OS_ELIMIT, "user %llu's third unit",
                         (unsigned long long)next);
        }
        inv_line two = { 0, 2 };
        for (uint64_t u = first; u < next; u += 2) risk_on_closed_unpaid(r, u, &two, 1);
    }
    risk_destroy(r);
}

/* The unpaid-orders cap counts per user and comes back when an order is paid. */
Test(risk, the_unpaid_cap_is_per_user_and_freed_by_payment)
{
    risk_ctl *r = risk_create(1, NULL, 1);
    inv_line one = { 0, 1 };
    cr_assert_eq(risk_admit(r, 7, &one, 1, false), OS_OK);
    cr_assert_eq(risk_admit(r, 7, &one, 1, false), OS_ERISK);
    cr_assert_eq(risk_admit(r, 8, &one, 1, false), OS_OK);
    risk_on_paid(r, 7);
    cr_assert_eq(risk_admit(r, 7, &one, 1, false), OS_OK);
    risk_destroy(r);
}
