/*
 * test_capacity.c — the reports module's decision helpers: the one condition grammar (thresholds,
 * --slo) and the sweep analysis (SLO interpolation, load sweep vs parameter study), on
 * hand-built points whose answers are computed by hand.
 */
#include "rpt.h"
#include "rpt_capacity.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static const char *const stations[] = { "order_service", "payment", "warehouse" };

/* Three points, one replication each: 100 s spans with 1000, 2000 and 3000 customers
 * (offered 10, 20, 30 customers/s), order-service response p95 1, 3 and 7 s. */
static rpt_run runs[3];
static rpt_point pts[3];

static void build(void)
{
    const double p95[3] = { 1, 3, 7 };
    for (int i = 0; i < 3; i++) {
        rpt_run_init(&runs[i]);
        runs[i].horizon = 110;
        runs[i].warmup = 10;
        runs[i].m[RPT_M_customers] = 1000.0 * (i + 1);
        runs[i].m[RPT_M_throughput_paid_per_s] = 10.0 * (i + 1);
        runs[i].m[RPT_M_order_to_pay_p95] = 100.0 * (i + 1);
        runs[i].nstations = 3;
        for (int k = 0; k < 3; k++) snprintf(runs[i].st[k].name, RPT_NAME_MAX, "%s", stations[k]);
        runs[i].st[0].servers = 8;
        runs[i].st[0].mean_service = 0.1;
        runs[i].st[0].served = runs[i].m[RPT_M_customers];
        runs[i].st[0].response_p95 = p95[i];
        runs[i].st[0].utilization = 0.3 * (i + 1);
        rpt_summarize(&runs[i], 1, &pts[i].sum);
        snprintf(pts[i].params, sizeof pts[i].params, "customers.arrivals.rate=%d", 10 * (i + 1));
    }
}

static void teardown(void)
{
    for (int i = 0; i < 3; i++) rpt_run_fini(&runs[i]);
}

static rpt_cond cond(const char *text)
{
    rpt_cond c;
    char err[256];
    int col;
    cr_assert(rpt_cond_parse(text, stations, 3, &c, err, sizeof err, &col), "%s: %s", text, err);
    return c;
}

Test(capacity, slo_load_is_interpolated_between_the_bracketing_points, .init = build, .fini = teardown)
{
    /* response p95 3 s at 20/s (meets < 5), 7 s at 30/s (fails): 20 + (5 - 3) x (30 - 20) / (7 - 3) = 25 */
    rpt_cond slo = cond("stations.order_service.response_p95 < 5");
    rpt_capacity_opts o = { .load = true, .slo = &slo };
    static rpt_capacity c;
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect_eq(c.slo_below, 1);
    cr_expect_eq(c.slo_above, 2);
    cr_expect(fabs(c.slo_load - 25.0) < 1e-9, "slo load %.17g", c.slo_load);
    cr_expect_eq(c.knee, 2, "the knee is where the SLO first fails");
    cr_expect(strstr(c.slo_finding, "about 25 customers/s") != NULL, "%s", c.slo_finding);
}

Test(capacity, slo_reports_when_it_fails_at_the_lowest_load_or_never, .init = build, .fini = teardown)
{
    static rpt_capacity c;
    rpt_cond slo = cond("stations.order_service.response_p95<0.5");
    rpt_capacity_opts o = { .load = true, .slo = &slo };
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect(isnan(c.slo_load));
    cr_expect(strstr(c.slo_finding, "fails already at the lowest load") != NULL, "%s", c.slo_finding);
    slo = cond("order_to_pay_p95<=300");
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect_eq(c.slo_below, 2);
    cr_expect_eq(c.slo_above, -1);
    cr_expect(strstr(c.slo_finding, "holds at every point") != NULL, "%s", c.slo_finding);
}

Test(capacity, a_parameter_study_has_no_knee_bottleneck_or_bound, .init = build, .fini = teardown)
{
    static rpt_capacity c;
    rpt_capacity_opts o = { .load = false };
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect_eq(c.knee, -1);
    cr_expect_eq(c.bottleneck, -1);
    cr_expect_eq(c.bound_station, -1);
    cr_expect(c.nmetrics > 0 && strcmp(c.metrics[0].name, "orders_paid") == 0, "default figures");
    o.load = true;
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect_eq(c.bottleneck, 0);
    cr_expect_eq(c.bound_station, 0);
}

Test(capacity, conditions_name_metrics_and_station_figures_or_say_where_they_are_wrong)
{
    rpt_cond c;
    char err[256];
    int col;
    cr_assert(rpt_cond_parse("order_to_pay_p95<600", stations, 3, &c, err, sizeof err, &col));
    cr_expect_eq(c.ref.metric, RPT_M_order_to_pay_p95);
    cr_expect_eq(c.op, CND_LT);
    cr_expect_eq(c.value, 600);
    cr_assert(rpt_cond_parse(" stations.payment.utilization_peak >= 0.9", stations, 3, &c, err, sizeof err, &col));
    cr_expect_eq(c.ref.metric, -1);
    cr_expect_str_eq(c.ref.station, "payment");
    cr_expect_eq(c.ref.figure, RPT_ST_UTILIZATION_PEAK);
    cr_expect_eq(c.op, CND_GE);
    cr_expect_not(rpt_cond_parse("stations.order_servic.response_p95<2", stations, 3, &c, err, sizeof err, &col));
    cr_expect_eq(col, 9);
    cr_expect(strstr(err, "did you mean \"order_service\"") != NULL, "%s", err);
    cr_expect_not(rpt_cond_parse("stations.order_service.respons_p95<2", stations, 3, &c, err, sizeof err, &col));
    cr_expect_eq(col, 23);
    cr_expect(strstr(err, "response_p95") != NULL, "%s", err);
    cr_expect_not(rpt_cond_parse("order_to_pay_p95=<2", stations, 3, &c, err, sizeof err, &col));
    cr_expect_eq(col, 16);
    cr_expect_not(rpt_cond_parse("ordrs_paid>1", stations, 3, &c, err, sizeof err, &col));
    cr_expect(strstr(err, "did you mean \"orders_paid\"") != NULL, "%s", err);
    /* one comparator for every operator */
    cr_expect(cnd_op_holds(CND_LT, 1, 2) && !cnd_op_holds(CND_LT, 2, 2));
    cr_expect(cnd_op_holds(CND_LE, 2, 2) && cnd_op_holds(CND_GE, 2, 2) && cnd_op_holds(CND_EQ, 2, 2));
    cr_expect(cnd_op_holds(CND_NE, 1, 2) && cnd_op_holds(CND_GT, 3, 2) && !cnd_op_holds(CND_GT, 2, 2));
}

Test(capacity, a_sweep_that_moved_nothing_says_so_and_names_a_metric_that_did_move, .init = build, .fini = teardown)
{
    static rpt_capacity c;
    rpt_capacity_opts o = { .load = false };
    /* the three points differ (customers, throughput, p95): no note */
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect_str_eq(c.effect_note, "");
    cr_expect_eq(c.metrics_moved, 5, "customers, throughput_paid_per_s, order_to_pay_p95 and order_service's "
                 "response_p95 and utilization moved: %d", c.metrics_moved);
    /* the same results at every point (a NAN sellout time included): "no metric moved" */
    for (int i = 0; i < 3; i++) {
        runs[i].m[RPT_M_customers] = 1000;
        runs[i].m[RPT_M_throughput_paid_per_s] = 10;
        runs[i].m[RPT_M_order_to_pay_p95] = 100;
        runs[i].m[RPT_M_sellout_time] = NAN;
        runs[i].st[0].served = 1000;
        runs[i].st[0].response_p95 = 1;
        runs[i].st[0].utilization = 0.3 * (1 + 1e-12 * i);   /* the same to 9 digits */
        rpt_summarize(&runs[i], 1, &pts[i].sum);
    }
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect_eq(c.metrics_moved, 0);
    cr_expect(strstr(c.effect_note, "no metric moved: all 3 points gave the same results") != NULL, "%s", c.effect_note);
    o.load = true;   /* also for a load sweep whose load parameter changed nothing */
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect(strstr(c.effect_note, "no metric moved") != NULL, "%s", c.effect_note);
    /* a station figure moves: that is an effect */
    runs[1].st[0].utilization = 0.4;
    rpt_summarize(&runs[1], 1, &pts[1].sum);
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect_eq(c.metrics_moved, 1);
    cr_expect_str_eq(c.effect_note, "");
    runs[1].st[0].utilization = 0.3;
    rpt_summarize(&runs[1], 1, &pts[1].sum);
    /* only a figure that is not shown moves: the study says which */
    o.load = false;
    runs[2].m[RPT_M_orders_expired] = 5;
    rpt_summarize(&runs[2], 1, &pts[2].sum);
    rpt_capacity_analyze(pts, 3, &o, &c);
    cr_expect_eq(c.metrics_moved, 1);
    cr_expect(strstr(c.effect_note, "none of the figures shown moved across the 3 points, but 1 other figure did "
                                    "(for example orders_expired)") != NULL, "%s", c.effect_note);
}
