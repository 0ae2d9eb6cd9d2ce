/* Tests of the order pool: sequential ids, zeroed live orders, slot reuse after release,
 * iteration over live orders only (across chunk boundaries), and the compact action times
 * (millisecond resolution, truncation, saturation, "never" as NaN). */
#include <criterion/criterion.h>
#include <math.h>

#include "ord.h"

Test(ord, ids_are_sequential_and_orders_start_zeroed_and_live)
{
    ord_pool *p = ord_pool_create();
    cr_expect_eq(ord_next_id(p), 1u);
    ord_order *a = ord_alloc(p), *b = ord_alloc(p);
    cr_expect_eq(a->id, 1u);
    cr_expect_eq(b->id, 2u);
    cr_expect_eq(ord_next_id(p), 3u);
    cr_expect_eq(a->flags, ORD_LIVE);
    cr_expect_eq(a->captured, 0);
    cr_expect_eq(a->holds_lock, false);
    cr_expect_eq(ord_live(p), 2u);
    a->captured = 99;
    a->flags |= ORD_PAID;
    ord_release(p, a);
    cr_expect_eq(ord_live(p), 1u);
    ord_order *c = ord_alloc(p);
    cr_expect_eq(c, a, "the released slot is reused first");
    cr_expect_eq(c->id, 3u, "ids are never reused");
    cr_expect_eq(c->captured, 0, "a reused order is zeroed");
    cr_expect_eq(c->flags, ORD_LIVE);
    ord_pool_destroy(p);
}

Test(ord, iteration_sees_exactly_the_live_orders_across_chunks)
{
    ord_pool *p = ord_pool_create();
    enum { N = 10000 }; /* more than two chunks of 4096 */
    static ord_order *all[N];
    for (int i = 0; i < N; i++) all[i] = ord_alloc(p);
    for (int i = 0; i < N; i += 3) ord_release(p, all[i]);
    size_t want = N - (N + 2) / 3;
    cr_expect_eq(ord_live(p), want);
    size_t cur = 0, seen = 0;
    uint64_t last = 0;
    for (ord_order *o; (o = ord_next_live(p, &cur));) {
        cr_assert_neq((o->id - 1) % 3, 0, "order %llu was released", (unsigned long long)o->id);
        cr_assert_gt(o->id, last, "slots are handed out in ascending order");
        last = o->id;
        seen++;
    }
    cr_expect_eq(seen, want);
    /* Released slots come back before new chunks are taken, most recently released first. */
    ord_order *r = ord_alloc(p);
    cr_expect_eq(r, all[N - 1 - (N - 1) % 3]);
    ord_pool_destroy(p);
}

Test(ord, action_times_keep_milliseconds_for_any_horizon)
{
    ord_pool *p = ord_pool_create();
    ord_order *o = ord_alloc(p);
    o->t_created = 100.0;
    cr_expect(isnan(ord_time_of(o, FSM_PAY)), "never happened");
    ord_note_time(o, FSM_PAY, 100.0);
    cr_expect_eq(ord_time_of(o, FSM_PAY), 100.0, "at creation: stored as 1, read back as 0 ms");
    ord_note_time(o, FSM_PAY, 112.3456);
    /* 12.3456 s = 12345.6 ms, truncated to 12345 ms: 100 + 12.345. */
    cr_expect_float_eq(ord_time_of(o, FSM_PAY), 112.345, 1e-9);
    ord_note_time(o, FSM_SHIP, 100.0 + 60 * 86400.0 + 0.25); /* 60 days: beyond 32-bit milliseconds (49.7 days) */
    cr_expect_float_eq(ord_time_of(o, FSM_SHIP), 100.0 + 60 * 86400.0 + 0.25, 1e-6);
    ord_note_time(o, FSM_DELIVER, 100.0 + ORD_MAX_AGE - 1.5);   /* the longest horizon a scenario may have */
    cr_expect_float_eq(ord_time_of(o, FSM_DELIVER), 100.0 + ORD_MAX_AGE - 1.5, 1e-6);
    ord_note_time(o, FSM_CANCEL, 99.0); /* before creation: clamped to creation */
    cr_expect_eq(ord_time_of(o, FSM_CANCEL), 100.0);
    ord_pool_destroy(p);
}
