/* Read traffic on the order service (docs/scenarios.md, segment "reads"): order-list and
 * order-detail requests each order brings, served by stations.order_service beside order
 * creation; hand-computed utilization and a metamorphic relation. */
#include <math.h>
#include <stdio.h>

#include "scn_text.h"

static const rpt_station *order_service(const rpt_run *r)
{
    cr_assert_str_eq(r->st[0].name, "order_service");
    return &r->st[0];
}

Test(reads, two_reads_per_order_add_their_service_to_the_order_service)
{
    /* Ten customers at 0, 1, ..., 9 s; one server. Each creation takes 10 ms, then the
     * order's two reads take 100 ms each, one after the other: busy 0.21 s per customer,
     * 2.1 s over the 10 s horizon (0.21), 30 requests served, the second read waiting
     * 0.1 s (mean wait 0.1 / 3 s). */
    const char *text =
        "{\"name\":\"reads\",\"horizon\":\"10s\",\"catalog\":[{\"sku\":\"a\",\"stock\":100,\"price\":1}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":10,"
        "\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0%s}]},"
        "\"stations\":{\"order_service\":{\"servers\":1,\"service\":{\"dist\":\"const\",\"value\":\"10ms\"}}}}";
    char buf[1024];
    rpt_run r;
    snprintf(buf, sizeof buf, text, ",\"reads\":{\"per_order\":2,\"service\":{\"dist\":\"const\",\"value\":\"100ms\"}}");
    scn_text_run(buf, &r, false);
    cr_expect_eq(r.m[RPT_M_order_reads], 20);
    cr_expect_eq(r.m[RPT_M_orders_created], 10);
    cr_expect(fabs(order_service(&r)->utilization - 0.21) < 1e-12, "utilization %.17g", order_service(&r)->utilization);
    cr_expect_eq(order_service(&r)->served, 30);
    cr_expect(fabs(order_service(&r)->wait_mean - 0.1 / 3) < 1e-12, "wait mean %.17g", order_service(&r)->wait_mean);
    int c = rpt_bd_column(RPT_BD_SEGMENT, RPT_M_order_reads);
    cr_expect_eq(r.bd[RPT_BD_SEGMENT].v[c], 20, "the segment's row");
    /* The station's mean service is the mix served: (10 x 0.01 + 20 x 0.1) / 30 = 0.07 s, so
     * the sweep's analytic bound (servers / (visits x mean service)) is 1 / (3 x 0.07) = 1 / 0.21
     * customers/s, the busy time per customer above, not 1 / (3 x 0.01). */
    cr_expect(fabs(order_service(&r)->mean_service - 0.07) < 1e-12, "mean service %.17g", order_service(&r)->mean_service);
    rpt_run_fini(&r);
    /* Without reads: 10 ms per customer, 0.01, and the mean service the scenario's exactly. */
    snprintf(buf, sizeof buf, text, "");
    scn_text_run(buf, &r, false);
    cr_expect_eq(r.m[RPT_M_order_reads], 0);
    cr_expect(fabs(order_service(&r)->utilization - 0.01) < 1e-12, "utilization %.17g", order_service(&r)->utilization);
    cr_expect_eq(order_service(&r)->mean_service, 0.01);
    rpt_run_fini(&r);
}

Test(reads, a_fractional_per_order_is_the_mean)
{
    const char *text =
        "{\"name\":\"reads\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":100000,\"price\":1}],"
        "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":2000,"
        "\"segments\":[{\"name\":\"g\",\"share\":1,\"reads\":{\"per_order\":1.5,\"service\":{\"dist\":\"exp\",\"mean\":\"5ms\"}}}]}}";
    rpt_run r;
    scn_text_run(text, &r, false);
    cr_expect_eq(r.m[RPT_M_orders_created], 2000);
    /* 2000 + Binomial(2000, 0.5): within 5 standard deviations (22.4 each) of 3000. */
    cr_expect(fabs(r.m[RPT_M_order_reads] - 3000) < 112, "reads %g", r.m[RPT_M_order_reads]);
    rpt_run_fini(&r);
}

Test(reads, more_reads_never_lower_order_service_utilization)
{
    /* Metamorphic: the same customers with more reads per order keep the order service at
     * least as busy, under every strategy (the reads' service draws are their own). */
    const inv_strategy *const *strategies = inv_strategies();   /* every strategy: a new one is tested too */
    static const double per[] = { 0, 0.5, 1, 2, 5 };
    const char *text =
        "{\"name\":\"reads\",\"horizon\":\"30m\",\"catalog\":[{\"sku\":\"a\",\"stock\":300,\"price\":10},"
        "{\"sku\":\"b\",\"stock\":200,\"price\":4}],\"inventory\":{\"strategy\":\"%s\",\"order_expiry\":\"5m\"},"
        "\"customers\":{\"arrivals\":{\"process\":\"poisson\",\"rate\":2},"
        "\"segments\":[{\"name\":\"g\",\"share\":0.8,\"pay_probability\":0.7,\"think_time\":{\"dist\":\"exp\",\"mean\":\"1m\"},"
        "\"reads\":{\"per_order\":%g,\"service\":{\"dist\":\"exp\",\"mean\":\"150ms\"}}},"
        "{\"name\":\"bots\",\"share\":0.2,\"malicious\":true,\"orders_per_visit\":3}]},"
        "\"stations\":{\"order_service\":{\"servers\":2,\"service\":{\"dist\":\"exp\",\"mean\":\"100ms\"}}}}";
    for (int k = 0; strategies[k]; k++) {
        double prev = -1, first = -1;
        for (size_t i = 0; i < sizeof per / sizeof per[0]; i++) {
            char buf[2048];
            snprintf(buf, sizeof buf, text, strategies[k]->name, per[i]);
            rpt_run r;
            scn_text_run(buf, &r, false);
            double u = order_service(&r)->utilization;
            cr_expect(u >= prev, "%s: %g reads per order: utilization %g < %g with fewer", strategies[k]->name, per[i], u, prev);
            if (first < 0) first = u;
            prev = u;
            rpt_run_fini(&r);
        }
        cr_expect(prev > first + 0.1, "%s: the reads made a difference (%g -> %g)", strategies[k]->name, first, prev);
    }
}

Test(reads, reads_need_a_service_distribution)
{
    const char *text =
        "{\"name\":\"reads\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":1,\"price\":1}],"
        "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"reads\":{\"per_order\":2}}]}}";
    const char *msg = scn_text_error(text);
    cr_expect(strstr(msg, "customers.segments[0].reads"), "%s", msg);
}
