/* Tests of the stock store (inventory.store, docs/scenarios.md "Stock store"): a row lock
 * against queueing theory and cases computed by hand, timeouts, every strategy's row
 * operations and the invariants under each. */
#include <math.h>

#include "scn_text.h"
#include "rpt_stats.h"

/* One SKU with plenty of stock, Poisson arrivals at RATE, nobody pays (creation locks only:
 * no expiry, cancel or payment reaches the row), a const hold of 10 ms. */
#define STORE_BASE(RATE, HORIZON, STORE)                                                              \
    "{\"name\": \"row\", \"horizon\": \"" HORIZON "\", \"seed\": 1,"                                    \
    " \"catalog\": [{\"sku\": \"hot\", \"stock\": 100000000, \"price\": 10.0}],"                         \
    " \"inventory\": {\"strategy\": \"reduce_on_order\", \"order_expiry\": \"100h\", \"store\": " STORE "}," \
    " \"customers\": {\"arrivals\": {\"rate\": " RATE "}, \"segments\": [{\"name\": \"g\", \"share\": 1, \"pay_probability\": 0}]}}"

static const rpt_station *store_station(const rpt_run *r, const char *name)
{
    for (int k = 0; k < r->nstations; k++)
        if (strcmp(r->st[k].name, name) == 0) return &r->st[k];
    return NULL;
}

/* Above saturation (200 requests/s against a 10 ms hold) one row completes at most
 * 1/h = 100 operations per second: over 100 s at most 100 / 0.01 + 1 = 10,001 creations,
 * and, the row never idle once the queue builds, at least 99% of that. */
Test(store, a_row_lock_completes_at_most_one_operation_per_hold)
{
    rpt_run r;
    scn_text_run(STORE_BASE("200", "100s", "{\"kind\": \"row_lock\", \"hold\": {\"dist\": \"const\", \"value\": \"10ms\"}}"), &r, false);
    double created = r.m[RPT_M_orders_created];
    cr_expect_leq(created, 100.0 / 0.01 + 1, "created %.0f", created);
    cr_expect_geq(created, 0.99 * 100.0 / 0.01, "created %.0f", created);
    const rpt_station *inv = store_station(&r, "inventory");
    cr_assert(inv);
    cr_expect_gt(inv->utilization, 0.99);
    cr_expect_eq(r.nsub, 1);
    cr_expect_str_eq(r.sub[0].st.name, "hot");
    rpt_run_fini(&r);
}

/* Below saturation the row is an M/D/1 queue: lambda 80/s, D 10 ms, rho 0.8, mean wait
 * Wq = rho D / (2 (1 - rho)) = 0.8 x 0.01 / 0.4 = 0.02 s. 20 replications of 500 s (40,000
 * operations each): the 95% interval of the mean wait must cover 0.02, and be narrow
 * (under 5% of it) so that the test can fail. Utilization must be rho. */
Test(theory, a_row_lock_below_saturation_waits_as_md1)
{
    scn_scenario *s = scn_text(STORE_BASE("80", "500s", "{\"kind\": \"row_lock\", \"hold\": {\"dist\": \"const\", \"value\": \"10ms\"}}"));
    enum { N = 20 };
    double w[N], u = 0, sum = 0;
    for (int i = 0; i < N; i++) {
        rpt_run r;
        rpt_run_init(&r);
        sim_opts o = { .seed = 100 + (uint64_t)i };
        cr_assert_eq(sim_run(s, &o, &r), OS_OK);
        cr_assert(r.invariants_ok);
        const rpt_station *inv = store_station(&r, "inventory");
        cr_assert(inv);
        w[i] = inv->wait_mean;
        u += inv->utilization / N;
        sum += w[i];
        rpt_run_fini(&r);
    }
    double mean = sum / N, ss = 0;
    for (int i = 0; i < N; i++) ss += (w[i] - mean) * (w[i] - mean);
    double half = rpt_t95(N - 1) * sqrt(ss / (N - 1) / N);
    cr_log_info("row lock M/D/1: Wq %.5f +/- %.5f (theory 0.02), utilization %.4f (0.8)", mean, half, u);
    cr_expect_leq(fabs(mean - 0.02), half, "Wq %.5f +/- %.5f, theory 0.02", mean, half);
    cr_expect_lt(half, 0.001);
    cr_expect_float_eq(u, 0.8, 0.01);
    scn_free(s);
}

/* inventory.store.timeout: a lock that waited longer than 50 ms for its row fails and its
 * request is rejected (requests_timed_out); no lock that started waited longer, and the row
 * still completes at most 1/h per second. At 200/s against 100/s about half time out. */
Test(store, a_lock_that_waits_past_the_timeout_fails_its_request)
{
    rpt_run r;
    scn_text_run(STORE_BASE("200", "100s", "{\"kind\": \"row_lock\", \"hold\": {\"dist\": \"const\", \"value\": \"10ms\"}, \"timeout\": \"50ms\"}"),
                 &r, false);
    const rpt_station *inv = store_station(&r, "inventory");
    cr_assert(inv);
    cr_expect_gt(r.m[RPT_M_requests_timed_out], 0.4 * r.m[RPT_M_customers]);
    cr_expect_eq(r.m[RPT_M_requests_timed_out], inv->timeouts);
    /* every request is created or timed out, but for those still queued (or holding the
     * row) at the horizon: at most the longest queue + 1 */
    double done = r.m[RPT_M_orders_created] + r.m[RPT_M_requests_timed_out];
    cr_expect_leq(done, r.m[RPT_M_customers]);
    cr_expect_geq(done, r.m[RPT_M_customers] - inv->queue_max - 1, "created %g + timed out %g of %g", r.m[RPT_M_orders_created],
                  r.m[RPT_M_requests_timed_out], r.m[RPT_M_customers]);
    cr_expect_leq(inv->wait_p99, 0.05 * 1.02);
    cr_expect_leq(r.m[RPT_M_orders_created], 100.0 / 0.01 + 1);
    rpt_run_fini(&r);
}

/* By hand: stock 2, deterministic arrivals 1/s of one unit each, hold 0.5 s. Customer 0
 * arrives at 0, its lock commits at 0.5; customer 1 at 1 -> 1.5; customer 2 at 2 -> its
 * lock finds no stock at 2.5 and it is rejected after holding the row (a stock-out).
 * Order creation times are the commits: 0.5 and 1.5 (order_to_pay is not reached: nobody
 * pays), and the inventory served 3 operations without waiting; utilization 1.5 / 3. */
Test(store, a_creation_commits_when_its_hold_ends_and_a_failing_lock_holds_the_row_too)
{
    rpt_run r;
    scn_text_run("{\"name\": \"hand\", \"horizon\": \"3s\", \"seed\": 1,"
                 " \"catalog\": [{\"sku\": \"a\", \"stock\": 2, \"price\": 1.0}],"
                 " \"inventory\": {\"strategy\": \"reduce_on_order\", \"order_expiry\": \"1h\","
                 "   \"store\": {\"kind\": \"row_lock\", \"hold\": {\"dist\": \"const\", \"value\": \"0.5s\"}}},"
                 " \"customers\": {\"arrivals\": {\"process\": \"deterministic\", \"rate\": 1},"
                 "   \"segments\": [{\"name\": \"g\", \"share\": 1, \"pay_probability\": 0}]}}", &r, true);
    cr_expect_eq(r.m[RPT_M_orders_created], 2);
    cr_expect_eq(r.m[RPT_M_orders_rejected_stockout], 1);
    const rpt_station *inv = store_station(&r, "inventory");
    cr_assert(inv);
    cr_expect_eq(inv->served, 3);
    cr_expect_float_eq(inv->wait_mean, 0, 1e-12);
    cr_expect_float_eq(inv->utilization, 1.5 / 3, 1e-9);
    /* the ledger's creations are at the commits */
    int seen = 0;
    for (size_t i = 0; i < r.ntrans; i++)
        if (r.trans[i].from < 0) {
            cr_expect_float_eq(r.trans[i].t, seen ? 1.5 : 0.5, 1e-9, "creation %d at %g", seen, r.trans[i].t);
            seen++;
        }
    cr_expect_eq(seen, 2);
    rpt_run_fini(&r);
}

/* Every strategy under a row lock, with payments, failures, cancellations, expiries,
 * refunds and returns: every invariant holds after every event, and the row serves the
 * operations the strategy says (reduce_on_payment: deducts; the others: locks). */
Test(store, every_strategy_keeps_every_invariant_under_a_row_lock)
{
    const char *text =
        "{\"name\": \"mix\", \"horizon\": \"30m\", \"seed\": 1,"
        " \"catalog\": [{\"sku\": \"a\", \"stock\": 300, \"price\": 10.0}, {\"sku\": \"b\", \"stock\": 200, \"price\": 5.0}],"
        " \"inventory\": {\"order_expiry\": \"2m\", \"store\": {\"kind\": \"row_lock\", \"connections\": 1,"
        "   \"hold\": {\"dist\": \"exp\", \"mean\": \"20ms\"}, \"timeout\": \"1s\"}},"
        " \"payment\": {\"delay\": {\"dist\": \"exp\", \"mean\": \"20s\"}, \"failure_probability\": 0.2},"
        " \"customers\": {\"arrivals\": {\"rate\": 5}, \"segments\": [{\"name\": \"g\", \"share\": 1,"
        "   \"basket_size\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 2.4}, \"pay_probability\": 0.7, \"cancel_probability\": 0.1,"
        "   \"refund_probability\": 0.1, \"return_probability\": 0.1, \"think_time\": {\"dist\": \"exp\", \"mean\": \"60s\"}}]}}";
    scn_scenario *s = scn_text(text);
    for (const inv_strategy *const *st = inv_strategies(); *st; st++) {
        rpt_run r;
        rpt_run_init(&r);
        sim_opts o = { .seed = 5, .strategy = (*st)->name, .check_every_event = true };
        cr_assert_eq(sim_run(s, &o, &r), OS_OK);
        cr_expect(r.invariants_ok, "%s: %s", (*st)->name, r.violations.count ? r.violations.msgs[0] : "");
        const rpt_station *inv = store_station(&r, "inventory");
        cr_assert(inv);
        cr_expect_gt(inv->served, r.m[RPT_M_orders_paid], "%s: served %g", (*st)->name, inv->served);
        cr_expect_gt(r.m[RPT_M_orders_paid], 0);
        rpt_run_fini(&r);
    }
    scn_free(s);
}
