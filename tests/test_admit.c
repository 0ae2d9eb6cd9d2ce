/* Tests for admission (docs/scenarios.md "Admission"): the rate limit's and the waiting
 * room's bounds on what they let in by every time t, hand-computed cases of the waiting room
 * (gate, patience, capacity) and of the sold-out flag, and the default path untouched. The
 * waiting room is also checked against an independent SimPy model (tests/cli/t_peer.sh). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_text.h"

/* A genuine segment that orders one unit and never pays; stock never runs out; the order
 * service is instant, so a visit let in creates its order at that instant. */
#define ADMIT_BASE(arrivals, extra) \
    "{\"name\":\"admit\",\"horizon\":\"60s\",\"catalog\":[{\"sku\":\"a\",\"stock\":100000000,\"price\":10}]," \
    "\"customers\":{\"arrivals\":" arrivals ",\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0}]}" extra "}"

/* Runs text with the ledger, returns the creation times (caller frees) and their count. */
static double *creations(const char *text, rpt_run *r, size_t *n)
{
    scn_text_run(text, r, true);
    double *t = calloc(r->ntrans + 1, sizeof *t);
    *n = 0;
    for (size_t i = 0; i < r->ntrans; i++)
        if (r->trans[i].from == -1) t[(*n)++] = r->trans[i].t;
    return t;
}

Test(admit, rate_limit_never_admits_more_than_rate_t_plus_burst)
{
    rpt_run r;
    size_t n;
    double *t = creations(ADMIT_BASE("{\"rate\":200}", ",\"admission\":{\"rate_limit\":{\"rate\":20,\"burst\":10}}"), &r, &n);
    cr_assert_gt(r.m[RPT_M_customers_shed], 0, "the limit binds");
    cr_expect_eq(r.m[RPT_M_customers], (double)n + r.m[RPT_M_customers_shed], "every visit is let in or shed");
    for (size_t k = 0; k < n; k++)
        cr_assert_leq((double)(k + 1), 20 * t[k] + 10 + 1e-9, "%zu admitted by t=%g", k + 1, t[k]);
    /* and it lets in what it may: the bucket refills 20 per second */
    cr_expect_geq((double)n, 0.95 * 20 * 60, "%zu admitted", n);
    free(t);
    rpt_run_fini(&r);
}

Test(admit, waiting_room_never_admits_more_than_release_rate_t_plus_one)
{
    rpt_run r;
    size_t n;
    double *t = creations(ADMIT_BASE("{\"rate\":100}", ",\"admission\":{\"waiting_room\":{\"release_rate\":10}}"), &r, &n);
    for (size_t k = 0; k < n; k++) {
        cr_assert_leq((double)(k + 1), 10 * t[k] + 1 + 1e-9, "%zu admitted by t=%g", k + 1, t[k]);
        if (k) cr_assert_geq(t[k] - t[k - 1], 0.1 - 1e-12, "admissions at least 1/R apart");
    }
    cr_expect_geq((double)n, 10 * 60 - 1, "the gate runs at its rate while customers wait: %zu", n);
    cr_expect_eq(r.m[RPT_M_customers_shed], 0, "no capacity: nobody shed");
    /* the waiting room is a station of the run */
    cr_assert_eq(r.nstations, 4);
    cr_expect_str_eq(r.st[3].name, "waiting_room");
    cr_expect_eq(r.st[3].served, (double)n);
    cr_expect_gt(r.st[3].wait_mean, 10, "the queue grows at 90 per second");
    free(t);
    rpt_run_fini(&r);
}

/* Customers at 0, 1, 2, 3, 4 s; the gate lets one in every 2 s; patience 2.5 s. c0 enters at
 * once (empty room, free gate); c1 waits to 2; c2 to 4; c3 (arrived 3) would go in at 6 but
 * leaves at 5.5; c4 (arrived 4) goes in at 6. Waits 0, 1, 2, 2. */
Test(admit, waiting_room_hand_computed_gate_and_patience)
{
    rpt_run r;
    size_t n;
    double *t = creations(ADMIT_BASE("{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":5",
                                     ",\"admission\":{\"waiting_room\":{\"release_rate\":0.5,"
                                     "\"patience\":{\"dist\":\"const\",\"value\":\"2.5s\"}}}"), &r, &n);
    cr_assert_eq(n, 4);
    double want[] = { 0, 2, 4, 6 };
    for (size_t k = 0; k < n; k++) cr_expect_float_eq(t[k], want[k], 1e-12, "admission %zu at %g", k, t[k]);
    cr_expect_eq(r.m[RPT_M_customers_left_waiting_room], 1);
    cr_expect_float_eq(r.st[3].wait_mean, 1.25, 1e-9);
    cr_expect_eq(r.st[3].queue_max, 2);
    free(t);
    rpt_run_fini(&r);
}

/* The same customers with capacity 1 and no patience: c0 in at 0, c1 waits (to 2), c2 finds
 * the room empty at 2 but the gate just used (waits, to 4), c3 finds c2 waiting: shed; c4 at
 * 4 comes after the gate let c2 in: waits, in at 6. */
Test(admit, waiting_room_hand_computed_capacity)
{
    rpt_run r;
    size_t n;
    double *t = creations(ADMIT_BASE("{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":5",
                                     ",\"admission\":{\"waiting_room\":{\"release_rate\":0.5,\"capacity\":1}}"), &r, &n);
    cr_assert_eq(n, 4);
    double want[] = { 0, 2, 4, 6 };
    for (size_t k = 0; k < n; k++) cr_expect_float_eq(t[k], want[k], 1e-12, "admission %zu at %g", k, t[k]);
    cr_expect_eq(r.m[RPT_M_customers_shed], 1);
    free(t);
    rpt_run_fini(&r);
}

/* One unit; customers at 0..4 s. c0 locks it; c1 is rejected (stock-out) at 1 and flags the SKU
 * until 3.5; c2 and c3 are turned away by the flag; c4 at 4 reaches the order service again,
 * is rejected and re-arms the flag. */
Test(admit, sold_out_flag_hand_computed)
{
    rpt_run r;
    scn_text_run("{\"name\":\"flag\",\"horizon\":\"60s\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":10}],"
                 "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":5,"
                 "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0}]},"
                 "\"admission\":{\"sold_out_flag\":{\"ttl\":\"2.5s\"}}}", &r, false);
    cr_expect_eq(r.m[RPT_M_orders_created], 1);
    cr_expect_eq(r.m[RPT_M_orders_rejected_stockout], 2);
    cr_expect_eq(r.m[RPT_M_customers_turned_away_by_flag], 2);
    rpt_run_fini(&r);
}

/* A bot visit of 3 orders takes one token for all of them: 5 visits at 1 per second against a
 * bucket of 2 refilling 0.5 per second: t=0 tokens 2 -> 1 (pass); t=1 1.5 -> 0.5 (pass);
 * t=2 1.0 -> 0 (pass); t=3 0.5 (shed); t=4 1.0 -> 0 (pass): 4 visits, 12 orders. */
Test(admit, rate_limit_is_once_per_visit)
{
    rpt_run r;
    scn_text_run("{\"name\":\"visit\",\"horizon\":\"60s\",\"catalog\":[{\"sku\":\"a\",\"stock\":1000,\"price\":10}],"
                 "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":5,"
                 "\"segments\":[{\"name\":\"b\",\"share\":1,\"malicious\":true,\"orders_per_visit\":3}]},"
                 "\"admission\":{\"rate_limit\":{\"rate\":0.5,\"burst\":2}}}", &r, false);
    cr_expect_eq(r.m[RPT_M_customers_shed], 1);
    cr_expect_eq(r.m[RPT_M_orders_created], 12);
    rpt_run_fini(&r);
}

/* Without admission nothing is counted and the run is the same as before (the golden outputs
 * hold the byte-identity; here the metrics are 0). */
Test(admit, off_by_default)
{
    rpt_run r;
    scn_text_run(ADMIT_BASE("{\"rate\":50}", ""), &r, false);
    cr_expect_eq(r.m[RPT_M_customers_shed] + r.m[RPT_M_customers_left_waiting_room] + r.m[RPT_M_customers_turned_away_by_flag], 0);
    cr_expect_eq(r.nstations, 3);
    rpt_run_fini(&r);
}

/* A retry is a new visit: it passes the rate limit again. One unit, customers at 0 and 1 s;
 * c1 is rejected for stock at 1 and retries 10 s later; a bucket of 2 tokens refilling 0.01
 * per second is empty by then (c0 and c1 took both): the retry is shed. */
Test(admit, a_retry_passes_admission_again)
{
    rpt_run r;
    scn_text_run("{\"name\":\"retry\",\"horizon\":\"60s\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":10}],"
                 "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":2,"
                 "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0,"
                 "\"retry\":{\"probability\":1,\"max\":1,\"delay\":{\"dist\":\"const\",\"value\":10}}}]},"
                 "\"admission\":{\"rate_limit\":{\"rate\":0.01,\"burst\":2}}}", &r, false);
    cr_expect_eq(r.m[RPT_M_retries], 1);
    cr_expect_eq(r.m[RPT_M_customers_shed], 1, "the retry met an empty bucket");
    cr_expect_eq(r.m[RPT_M_orders_rejected_stockout], 1);
    rpt_run_fini(&r);
}
