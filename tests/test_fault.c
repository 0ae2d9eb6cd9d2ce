/* Tests for fault windows (docs/scenarios.md "Faults"): during an outage a request arriving at
 * the target fails at once, requests in service complete, queued ones wait for the end; a slow
 * window multiplies the service time of services that start inside it. Hand-computed cases and
 * a loaded payment outage checked from the ledger. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_text.h"

/* Poisson 5/s orders that start paying at once (think 0); payments take 2 s on 50 servers;
 * the payment provider is out from 100 s to 400 s. No payment that joined during the outage
 * completes; the only payments done inside it are those in service when it began (done by
 * 102 s); payments arriving in it fail at once. */
Test(fault, no_payment_completes_inside_a_payment_outage)
{
    const char *text =
        "{\"name\":\"out\",\"horizon\":\"600s\",\"catalog\":[{\"sku\":\"a\",\"stock\":100000,\"price\":10}],"
        "\"customers\":{\"arrivals\":{\"rate\":5},\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,"
        "\"think_time\":{\"dist\":\"const\",\"value\":0}}]},"
        "\"payment\":{\"servers\":50,\"delay\":{\"dist\":\"const\",\"value\":2}},"
        "\"faults\":[{\"target\":\"payment\",\"at\":\"100s\",\"duration\":\"300s\",\"kind\":\"outage\"}]}";
    rpt_run r;
    scn_text_run(text, &r, true);
    int pay = -1;
    for (int a = 0; a < r.nactions; a++)
        if (strcmp(r.actions[a], "pay") == 0) pay = a;
    cr_assert_geq(pay, 0);
    size_t early = 0, inside = 0, after = 0;
    for (size_t i = 0; i < r.ntrans; i++) {
        const rpt_trans *t = &r.trans[i];
        if (t->action != pay) continue;
        if (t->t >= 100 && t->t < 400) {
            inside++;
            cr_expect_leq(t->t, 102, "a payment completed at %g, inside the outage", t->t);
        }
        if (t->t < 100) early++;
        if (t->t >= 400) after++;
    }
    cr_expect_gt(early, 300);
    cr_expect_gt(after, 600);
    cr_expect_leq(inside, 30, "only the few in service at 100 s: %zu", inside);
    /* about 5/s x 300 s failed at once */
    cr_expect_gt(r.m[RPT_M_requests_failed_outage], 1300);
    cr_expect_lt(r.m[RPT_M_requests_failed_outage], 1700);
    /* a failed payment leaves its order open until its 15 min expiry, past the horizon */
    cr_expect_geq(r.m[RPT_M_orders_open_end], r.m[RPT_M_requests_failed_outage]);
    rpt_run_fini(&r);
}

/* The order service (one server, 10 s) is out from 5 s to 20 s; requests at 0..7 s. R0 is in
 * service at 5 and completes at 10; R1..R4 queued and wait; R5..R7 arrive in the outage and
 * fail at once; from 20 the queue runs again: R1 done at 30, R2 40, R3 50, R4 60. */
Test(fault, order_service_outage_hand_computed)
{
    rpt_run r;
    scn_text_run("{\"name\":\"os\",\"horizon\":\"100s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":10}],"
                 "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":8,"
                 "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0}]},"
                 "\"stations\":{\"order_service\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":10}}},"
                 "\"faults\":[{\"target\":\"stations.order_service\",\"at\":5,\"duration\":15}]}", &r, true);
    cr_expect_eq(r.m[RPT_M_orders_created], 5);
    cr_expect_eq(r.m[RPT_M_requests_failed_outage], 3);
    double want[] = { 10, 30, 40, 50, 60 };
    size_t k = 0;
    for (size_t i = 0; i < r.ntrans && k < 5; i++)
        if (r.trans[i].from == -1) { cr_expect_float_eq(r.trans[i].t, want[k], 1e-9, "creation %zu at %g", k, r.trans[i].t); k++; }
    cr_expect_eq(k, 5);
    rpt_run_fini(&r);
}

/* A slow window: payments that start in [0, 50) take 3 x 2 s. One customer at 0 (paid at 6),
 * the next at 60 s (paid 2 s later): order_to_pay p99 6, p50 the smaller. */
Test(fault, slow_multiplies_service_started_inside)
{
    rpt_run r;
    scn_text_run("{\"name\":\"slow\",\"horizon\":\"100s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":10}],"
                 "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":0.016666666666666666},\"max_customers\":2,"
                 "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,\"think_time\":{\"dist\":\"const\",\"value\":0}}]},"
                 "\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":2}},"
                 "\"faults\":[{\"target\":\"payment\",\"at\":0,\"duration\":50,\"kind\":\"slow\",\"factor\":3}]}", &r, false);
    cr_expect_eq(r.m[RPT_M_orders_paid], 2);
    cr_expect_float_eq(r.m[RPT_M_order_to_pay_p99], 6, 1e-9);
    cr_expect_float_eq(r.m[RPT_M_order_to_pay_p50], 2, 0.04, "%g (a histogram bucket: 1.6%%)", r.m[RPT_M_order_to_pay_p50]);
    cr_expect_eq(r.nwindows, 1, "the window is handed to the charts");
    cr_expect_str_eq(r.windows[0].label, "payment slow x3");
    rpt_run_fini(&r);
}

/* A warehouse outage holds paid orders' production until it ends: nothing is lost. One paid
 * order at 0 (payment instant), warehouse 1 server of 5 s, out from 0 to 30: shipped at 35. */
Test(fault, warehouse_outage_delays_production)
{
    rpt_run r;
    scn_text_run("{\"name\":\"wh\",\"horizon\":\"100s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":10}],"
                 "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":1,"
                 "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,\"think_time\":{\"dist\":\"const\",\"value\":0}}]},"
                 "\"stations\":{\"warehouse\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":5}}},"
                 "\"faults\":[{\"target\":\"stations.warehouse\",\"at\":0,\"duration\":30}]}", &r, true);
    int ship = -1;
    for (int a = 0; a < r.nactions; a++)
        if (strcmp(r.actions[a], "ship") == 0) ship = a;
    double shipped = -1;
    for (size_t i = 0; i < r.ntrans; i++)
        if (r.trans[i].action == ship) shipped = r.trans[i].t;
    cr_expect_float_eq(shipped, 35, 1e-9, "shipped at %g", shipped);
    cr_expect_eq(r.st[2].wait_mean, 30);
    rpt_run_fini(&r);
}

/* A payment outage with a payment timeout: payments queued when the outage starts wait and
 * time out at their deadline inside it. One server of 10 s, timeout 15 s, outage 5..100 s;
 * payments join at 0, 1, 2 s: P0 completes at 10 (in service at 5); P1 and P2 wait, time
 * out at 16 and 17. */
Test(fault, queued_payments_time_out_during_an_outage)
{
    rpt_run r;
    scn_text_run("{\"name\":\"pq\",\"horizon\":\"200s\",\"catalog\":[{\"sku\":\"a\",\"stock\":10,\"price\":10}],"
                 "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":3,"
                 "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1,\"think_time\":{\"dist\":\"const\",\"value\":0}}]},"
                 "\"payment\":{\"servers\":1,\"delay\":{\"dist\":\"const\",\"value\":10},\"timeout\":\"15s\"},"
                 "\"faults\":[{\"target\":\"payment\",\"at\":5,\"duration\":95}]}", &r, false);
    cr_expect_eq(r.m[RPT_M_orders_paid], 1);
    cr_expect_eq(r.m[RPT_M_payments_timed_out], 2);
    cr_expect_eq(r.m[RPT_M_requests_failed_outage], 0, "nobody arrived during it");
    rpt_run_fini(&r);
}
