/* Tests of the event queue (sim_queue): the pop order is exactly (time, scheduling order)
 * whether events sit in the heap or in FIFO lanes, cancelled events never fire, stale handles
 * are refused, payloads come back intact, and all of it survives growth past the initial
 * capacities (1024 heap entries, slots and lane entries) and a lane ring that wraps. */
#include <criterion/criterion.h>
#include <math.h>

#include "sim_queue.h"

static sim_event ev_at(double t, uint64_t id)
{
    return (sim_event){ .t = t, .type = (uint16_t)(id % 7), .flags = (uint16_t)(id % 3), .u32 = (uint32_t)id * 3u,
                        .u64 = id, .ptr = NULL };
}

/* Pops everything; checks (t, id) is non-decreasing in t and, within a time, in id (the
 * callers push ids in scheduling order). Returns how many popped. */
static size_t drain_in_order(sim_queue *q)
{
    sim_event e;
    size_t n = 0;
    double last_t = -INFINITY;
    uint64_t last_id = 0;
    while (sim_queue_pop(q, &e)) {
        cr_assert(e.t > last_t || (e.t == last_t && e.u64 > last_id),
                  "popped (%g, %llu) after (%g, %llu)", e.t, (unsigned long long)e.u64, last_t,
                  (unsigned long long)last_id);
        cr_assert_eq(e.u32, (uint32_t)e.u64 * 3u, "payload intact");
        cr_assert_eq(e.type, e.u64 % 7);
        cr_assert_eq(e.flags, e.u64 % 3);
        last_t = e.t;
        last_id = e.u64;
        n++;
    }
    return n;
}

Test(queue, same_instant_events_pop_in_scheduling_order_across_heap_and_lanes)
{
    sim_queue *q = sim_queue_create();
    /* Ids 1..12 at t = 5, alternating heap, lane 0, lane 3; then earlier events at t = 1. */
    for (uint64_t id = 1; id <= 12; id++) {
        sim_event e = ev_at(5.0, id);
        if (id % 3 == 0) sim_queue_push(q, &e);
        else sim_queue_push_lane(q, &e, id % 3 == 1 ? 0 : 3);
    }
    sim_event early = ev_at(1.0, 100);
    sim_queue_push(q, &early);
    sim_event e;
    cr_assert(sim_queue_pop(q, &e));
    cr_expect_eq(e.u64, 100u, "the earliest time first, whatever its source");
    for (uint64_t id = 1; id <= 12; id++) {
        cr_assert(sim_queue_pop(q, &e));
        cr_expect_eq(e.u64, id, "tie at t = 5: expected id %llu, got %llu", (unsigned long long)id,
                     (unsigned long long)e.u64);
    }
    cr_expect_not(sim_queue_pop(q, &e), "empty");
    sim_queue_destroy(q);
}

Test(queue, a_lane_push_earlier_than_the_lane_tail_still_pops_in_time_order)
{
    sim_queue *q = sim_queue_create();
    sim_event a = ev_at(10.0, 1), b = ev_at(4.0, 2), c = ev_at(7.0, 3), d = ev_at(10.0, 4);
    sim_queue_push_lane(q, &a, 2);
    sim_queue_push_lane(q, &b, 2); /* earlier than the lane's tail: must go to the heap */
    sim_queue_push_lane(q, &c, 2);
    sim_queue_push_lane(q, &d, 2); /* equal to the tail's time: may stay in the lane */
    const uint64_t want[] = { 2, 3, 1, 4 };
    sim_event e;
    for (int i = 0; i < 4; i++) {
        cr_assert(sim_queue_pop(q, &e));
        cr_expect_eq(e.u64, want[i], "pop %d: expected %llu, got %llu", i, (unsigned long long)want[i],
                     (unsigned long long)e.u64);
    }
    cr_expect_not(sim_queue_pop(q, &e));
    sim_queue_destroy(q);
}

/* A deterministic scramble of times in [0, 1000) with many ties (integers / 4). */
static double scrambled_time(uint64_t i) { return (double)((i * 2654435761u) % 4000u) / 4.0; }

Test(queue, thousands_of_heap_events_pop_sorted_by_time_then_scheduling_order)
{
    sim_queue *q = sim_queue_create();
    for (uint64_t id = 1; id <= 5000; id++) {
        sim_event e = ev_at(scrambled_time(id), id);
        sim_queue_push(q, &e);
    }
    cr_expect_eq(drain_in_order(q), 5000u);
    sim_queue_destroy(q);
}

Test(queue, mixed_heap_and_lane_traffic_with_pops_in_between_stays_ordered)
{
    /* A model-like pattern: at each step pop one event and schedule two, one constant-delay
     * timer into a lane and one random delay into the heap, so heap and lanes interleave
     * and the lane ring wraps and grows. Every popped event must be the least (t, seq). */
    sim_queue *q = sim_queue_create();
    uint64_t next = 1;
    sim_event e = ev_at(0.0, next++);
    sim_queue_push(q, &e);
    double now = 0;
    uint64_t last_id = 0;
    size_t popped = 0;
    while (sim_queue_pop(q, &e)) {
        cr_assert(e.t > now || (e.t == now && e.u64 > last_id), "(%g, %llu) after (%g, %llu)", e.t,
                  (unsigned long long)e.u64, now, (unsigned long long)last_id);
        now = e.t;
        last_id = e.u64;
        popped++;
        if (next < 6000) {
            sim_event timer = ev_at(now + 15.0, next++);
            sim_queue_push_lane(q, &timer, 1);
            double delay = scrambled_time(next) / 50.0;
            sim_event other = ev_at(now + delay, next++);
            sim_queue_push(q, &other);
        }
    }
    cr_expect_eq(popped, (size_t)(next - 1));
    sim_queue_destroy(q);
}

Test(queue, a_lane_that_wraps_then_grows_keeps_its_order)
{
    sim_queue *q = sim_queue_create();
    uint64_t id = 1;
    for (; id <= 1000; id++) {
        sim_event e = ev_at((double)id, id);
        sim_queue_push_lane(q, &e, 5);
    }
    sim_event e;
    for (uint64_t i = 1; i <= 600; i++) {
        cr_assert(sim_queue_pop(q, &e));
        cr_assert_eq(e.u64, i);
    }
    /* 400 left near the ring's end; 1500 more wrap past the start and force a regrow. */
    for (; id <= 2500; id++) {
        sim_event f = ev_at((double)id, id);
        sim_queue_push_lane(q, &f, 5);
    }
    for (uint64_t i = 601; i <= 2500; i++) {
        cr_assert(sim_queue_pop(q, &e));
        cr_assert_eq(e.u64, i, "expected %llu, got %llu", (unsigned long long)i, (unsigned long long)e.u64);
    }
    cr_expect_not(sim_queue_pop(q, &e));
    sim_queue_destroy(q);
}

Test(queue, cancelled_events_never_fire_from_the_heap_or_a_lane)
{
    sim_queue *q = sim_queue_create();
    sim_handle h[3000];
    for (uint64_t id = 1; id <= 3000; id++) {
        sim_event e = ev_at(scrambled_time(id), id);
        h[id - 1] = id % 2 ? sim_queue_push(q, &e) : sim_queue_push_lane(q, &e, (int)(id % 4));
    }
    size_t cancelled = 0;
    for (uint64_t id = 1; id <= 3000; id++)
        if (id % 3 == 0) {
            cr_expect(sim_queue_cancel(q, h[id - 1]), "cancel of a live event succeeds");
            cancelled++;
        }
    sim_event e;
    size_t n = 0;
    while (sim_queue_pop(q, &e)) {
        cr_assert_neq(e.u64 % 3, 0, "event %llu was cancelled but fired", (unsigned long long)e.u64);
        n++;
    }
    cr_expect_eq(n, 3000 - cancelled);
    sim_queue_destroy(q);
}

Test(queue, cancelling_the_next_event_exposes_the_one_after)
{
    sim_queue *q = sim_queue_create();
    sim_event a = ev_at(1.0, 1), b = ev_at(2.0, 2), c = ev_at(1.5, 3);
    sim_handle ha = sim_queue_push(q, &a);
    sim_queue_push(q, &b);
    sim_handle hc = sim_queue_push_lane(q, &c, 0);
    cr_assert(sim_queue_cancel(q, ha));
    cr_assert(sim_queue_cancel(q, hc));
    sim_event e;
    cr_assert(sim_queue_pop(q, &e));
    cr_expect_eq(e.u64, 2u);
    cr_expect_not(sim_queue_pop(q, &e));
    sim_queue_destroy(q);
}

Test(queue, stale_and_zero_handles_are_refused)
{
    sim_queue *q = sim_queue_create();
    sim_event a = ev_at(1.0, 1), b = ev_at(2.0, 2);
    cr_expect_not(sim_queue_cancel(q, 0), "zero is never live");
    cr_expect_not(sim_queue_cancel(q, (sim_handle)77 << 32 | 1u), "a slot never used");
    sim_handle ha = sim_queue_push(q, &a);
    cr_expect_neq(ha, 0u);
    cr_expect(sim_queue_cancel(q, ha));
    cr_expect_not(sim_queue_cancel(q, ha), "a second cancel of the same handle is refused");
    sim_event e;
    cr_expect_not(sim_queue_pop(q, &e), "the cancelled event does not fire");

    /* The freed slot is reused: the old handle must not cancel the new event. */
    sim_handle hb = sim_queue_push(q, &b);
    cr_expect_neq(hb, ha);
    cr_expect_eq(hb >> 32, ha >> 32, "same slot reused");
    cr_expect_not(sim_queue_cancel(q, ha), "a stale handle to a reused slot is refused");
    cr_assert(sim_queue_pop(q, &e));
    cr_expect_eq(e.u64, 2u);
    cr_expect_not(sim_queue_cancel(q, hb), "an event that fired cannot be cancelled");

    /* Same through a lane. */
    sim_event c = ev_at(3.0, 3), d = ev_at(4.0, 4);
    sim_handle hc = sim_queue_push_lane(q, &c, 1);
    cr_assert(sim_queue_pop(q, &e));
    sim_handle hd = sim_queue_push_lane(q, &d, 1);
    cr_expect_not(sim_queue_cancel(q, hc));
    cr_assert(sim_queue_pop(q, &e));
    cr_expect_eq(e.u64, 4u);
    cr_expect_not(sim_queue_cancel(q, hd));
    sim_queue_destroy(q);
}

Test(queue, an_empty_queue_pops_nothing_and_leaves_the_output_alone)
{
    sim_queue *q = sim_queue_create();
    sim_event e = ev_at(9.0, 9);
    cr_expect_not(sim_queue_pop(q, &e));
    cr_expect_eq(e.u64, 9u);
    sim_queue_destroy(q);
}

/* ---- against a reference: every pop is the least live (t, scheduling order) ------------ */

typedef struct ref_ev {
    double     t;      /* when it fires */
    sim_handle h;      /* its handle */
    bool       live;   /* scheduled, not yet popped or cancelled */
} ref_ev;

/* A fixed pseudo-random sequence (splitmix64), so a failure reproduces. */
static uint64_t ref_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* The id of the least live reference event by (t, id), or 0 when none is live. */
static uint64_t ref_least(const ref_ev *r, uint64_t n)
{
    uint64_t best = 0;
    for (uint64_t id = 1; id <= n; id++)
        if (r[id].live && (!best || r[id].t < r[best].t)) best = id;   /* ids ascend: ties keep the first */
    return best;
}

/* A time for the next push, relative to the last popped time `now`: mostly later by a spread
 * of scales (so the radix heap's levels all fill), sometimes equal to now or to an earlier
 * push (ties), sometimes earlier than now (must still pop in order), at -0.0, negative,
 * infinite or enormous. */
static double ref_time(uint64_t *x, double now, const ref_ev *r, uint64_t n)
{
    uint64_t u = ref_next(x);
    double frac = (double)(u >> 11) / 9007199254740992.0;
    switch (u % 16) {
    case 0: return now;
    case 1: return n ? r[1 + ref_next(x) % n].t : now;         /* the same time as an earlier push */
    case 2: return now - frac * 50;                          /* earlier than the last pop */
    case 3: return (u >> 8) % 4 ? -0.0 : -frac;             /* -0.0 and negative times */
    case 4: return (u >> 8) % 8 ? now + 1e12 * frac : INFINITY;
    case 5: return now + frac * 1e-9;
    default: return now + frac * (double)(1u << (u >> 4) % 12);
    }
}

/* Runs `steps` random operations (push, lane push, cancel, pop) against the reference,
 * growing to a few thousand pending and draining to empty at least once. */
static void run_against_reference(uint64_t seed, int steps)
{
    sim_queue *q = sim_queue_create();
    ref_ev *r = calloc((size_t)steps + 2, sizeof *r);
    cr_assert(r);
    uint64_t x = seed, n = 0;
    double now = 0;
    size_t pops = 0, ties_checked = 0, cancels = 0;
    for (int step = 0; step < steps; step++) {
        uint64_t u = ref_next(&x) % 100;
        bool draining = (step / 4000) % 2 == 1;   /* alternate filling and draining phases */
        if (u < (draining ? 15u : 55u)) {
            double t = ref_time(&x, now, r, n);
            uint64_t id = ++n;
            sim_event e = ev_at(t, id);
            r[id] = (ref_ev){ t, sim_queue_push(q, &e), true };
        } else if (u < (draining ? 20u : 65u)) {
            int lane = (int)(ref_next(&x) % 3);
            double t = now + 15.0 * (lane + 1);              /* constant delay per lane */
            if (ref_next(&x) % 20 == 0) t = now - 1;         /* earlier than the lane's tail */
            uint64_t id = ++n;
            sim_event e = ev_at(t, id);
            r[id] = (ref_ev){ t, sim_queue_push_lane(q, &e, lane), true };
        } else if (u < 72 && n) {
            uint64_t id = 1 + ref_next(&x) % n;
            bool want = r[id].live;
            cr_assert_eq(sim_queue_cancel(q, r[id].h), want, "step %d: cancel of %llu (live %d)", step,
                         (unsigned long long)id, want);
            r[id].live = false;
            cancels += want;
        } else {
            uint64_t want = ref_least(r, n);
            sim_event e;
            bool got = sim_queue_pop(q, &e);
            cr_assert_eq(got, want != 0, "step %d: pop returned %d, reference has %s", step, got,
                         want ? "events" : "none");
            if (!got) continue;
            cr_assert_eq(e.u64, want, "step %d: popped id %llu at t=%.17g, expected id %llu at t=%.17g", step,
                         (unsigned long long)e.u64, e.t, (unsigned long long)want, r[want].t);
            cr_assert_eq(e.u32, (uint32_t)want * 3u, "payload intact");
            cr_assert(e.t == r[want].t && signbit(e.t) == signbit(r[want].t), "the time comes back as pushed");
            if (e.t == now) ties_checked++;
            r[want].live = false;
            if (e.t > now) now = e.t;
            if (isinf(now)) now = 1e15;   /* keep pushing finite times after an infinite pop */
            pops++;
        }
    }
    /* Drain: the rest comes out in order too. */
    for (uint64_t want = ref_least(r, n); want; want = ref_least(r, n)) {
        sim_event e;
        cr_assert(sim_queue_pop(q, &e));
        cr_assert_eq(e.u64, want, "drain: popped %llu, expected %llu", (unsigned long long)e.u64,
                     (unsigned long long)want);
        r[want].live = false;
    }
    sim_event e;
    cr_expect_not(sim_queue_pop(q, &e));
    cr_expect_gt(pops, (size_t)steps / 4);
    cr_expect_gt(ties_checked, 100u, "the sequence exercises same-time pops");
    cr_expect_gt(cancels, 100u);
    free(r);
    sim_queue_destroy(q);
}

Test(queue, random_pushes_lane_pushes_cancels_and_pops_match_a_reference_sort, .timeout = 60)
{
    run_against_reference(1, 24000);
    run_against_reference(20261201, 24000);
}

Test(queue, many_pending_events_at_few_distinct_times_pop_in_scheduling_order)
{
    /* 3,000 events over 7 distinct times, pushed in scrambled time order after a pop has moved
     * the queue's notion of "last popped" past zero: every tie must keep scheduling order. */
    sim_queue *q = sim_queue_create();
    sim_event first = ev_at(0.5, 1);
    sim_queue_push(q, &first);
    sim_event e;
    cr_assert(sim_queue_pop(q, &e));
    for (uint64_t id = 2; id <= 3000; id++) {
        sim_event f = ev_at(1.0 + (double)((id * 2654435761u) % 7u), id);
        sim_queue_push(q, &f);
    }
    cr_expect_eq(drain_in_order(q), 2999u);
    sim_queue_destroy(q);
}
