/* Tests of the results statistics: the histogram's quantiles, summaries over replications and
 * paired verdicts against values computed by hand (the arithmetic is in the comments), and
 * the JSON writers (string escaping, round-trip numbers, null for NaN). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt_stats.h"
#include "rpt_verdict.h"
#include "rpt.h"
#include "jsn.h"

/* ---- histogram ------------------------------------------------------------------------ */

Test(hist, quantiles_of_one_to_a_hundred_are_the_bucket_midpoints)
{
    rpt_hist h;
    rpt_hist_init(&h);
    for (int v = 1; v <= 100; v++) rpt_hist_add(&h, v);
    /* Nearest rank: p50 is the 50th value, 50 = 2^5 x (1 + 36/64), the bucket [50, 50.5):
     * midpoint 50.25. p95: 95 = 2^6 x (1 + 31/64), bucket [95, 96): 95.5. p99: [99, 100):
     * 99.5. p100: [100, 101) -> 100.5, clamped to the exact max 100. q = 0 takes rank 1:
     * bucket [1, 1 + 1/64) -> 1.0078125. Mean: 5050 / 100 = 50.5. */
    cr_expect_eq(h.count, 100u);
    cr_expect_float_eq(rpt_hist_quantile(&h, 0.50), 50.25, 1e-12);
    cr_expect_float_eq(rpt_hist_quantile(&h, 0.95), 95.5, 1e-12);
    cr_expect_float_eq(rpt_hist_quantile(&h, 0.99), 99.5, 1e-12);
    cr_expect_float_eq(rpt_hist_quantile(&h, 1.00), 100.0, 1e-12);
    cr_expect_float_eq(rpt_hist_quantile(&h, 0.0), 1.0078125, 1e-12);
    cr_expect_float_eq(rpt_hist_mean(&h), 50.5, 1e-12);
    cr_expect_eq(h.min, 1.0);
    cr_expect_eq(h.max, 100.0);
}

Test(hist, a_constant_sample_gives_its_exact_value)
{
    rpt_hist h;
    rpt_hist_init(&h);
    for (int i = 0; i < 3; i++) rpt_hist_add(&h, 0.3);
    /* 0.3 lies inside a bucket whose midpoint is not 0.3: the clamp to [min, max] makes it exact. */
    cr_expect_eq(rpt_hist_quantile(&h, 0.5), 0.3);
    cr_expect_eq(rpt_hist_quantile(&h, 0.99), 0.3);
    cr_expect_float_eq(rpt_hist_mean(&h), 0.3, 1e-15);
}

Test(hist, values_below_a_microsecond_report_the_exact_minimum)
{
    rpt_hist h;
    rpt_hist_init(&h);
    rpt_hist_add(&h, 1e-9);
    rpt_hist_add(&h, 2.0);
    cr_expect_eq(rpt_hist_quantile(&h, 0.5), 1e-9);
    /* 2 = 2^1 x (1 + 0/64): bucket [2, 2.03125) -> 2.015625, clamped to the max 2. */
    cr_expect_eq(rpt_hist_quantile(&h, 1.0), 2.0);
}

Test(hist, an_empty_histogram_has_no_quantile)
{
    rpt_hist h;
    rpt_hist_init(&h);
    cr_expect(isnan(rpt_hist_quantile(&h, 0.5)));
    cr_expect_eq(h.count, 0u);
}

Test(hist, buckets_are_log_linear)
{
    /* Bucket i = 64 x octave + sub starts at 2^(octave - 20) x (1 + sub/64). */
    cr_expect_eq(rpt_hist_bucket_low(0), ldexp(1.0, -20));
    cr_expect_eq(rpt_hist_bucket_low(64 * 20), 1.0);
    cr_expect_eq(rpt_hist_bucket_low(64 * 20 + 32), 1.5);
    cr_expect_eq(rpt_hist_bucket_count(), RPT_HIST_OCT * RPT_HIST_SUB + 1);
}

/* ---- summaries and paired verdicts ---------------------------------------------------- */

/* n runs whose orders_paid, orders_expired and customers are v[i]; sellout_time null. */
static void runs_of(rpt_run *r, int n, const double *v)
{
    for (int i = 0; i < n; i++) {
        rpt_run_init(&r[i]);
        r[i].m[RPT_M_orders_paid] = v[i];
        r[i].m[RPT_M_orders_expired] = v[i];
        r[i].m[RPT_M_customers] = v[i];
        r[i].m[RPT_M_sellout_time] = NAN;
        r[i].invariants_ok = true;
    }
}

static void fini_runs(rpt_run *r, int n)
{
    for (int i = 0; i < n; i++) rpt_run_fini(&r[i]);
}

Test(summary, mean_and_student_t_interval_match_the_hand_computation)
{
    rpt_run r[3];
    const double v[3] = { 10, 12, 14 };
    runs_of(r, 3, v);
    rpt_summary s;
    rpt_summarize(r, 3, &s);
    /* Mean 12; sample variance ((-2)^2 + 0 + 2^2) / 2 = 4; standard error sqrt(4 / 3) =
     * 1.1547005; t(0.975, df 2) = 4.303 (the table's value); half-width 4.303 x 1.1547005 =
     * 4.968676. */
    cr_expect_float_eq(s.mean[RPT_M_orders_paid], 12.0, 1e-12);
    cr_expect_float_eq(s.ci95[RPT_M_orders_paid], 4.968676416, 1e-8);
    cr_expect(isnan(s.mean[RPT_M_sellout_time]), "null in every run: null mean");
    cr_expect(s.invariants_ok);
    r[1].invariants_ok = false;
    rpt_summarize(r, 3, &s);
    cr_expect_not(s.invariants_ok, "one broken run breaks the summary");
    fini_runs(r, 3);
}

Test(summary, one_run_has_a_mean_but_no_interval)
{
    rpt_run r[1];
    const double v[1] = { 7 };
    runs_of(r, 1, v);
    rpt_summary s;
    rpt_summarize(r, 1, &s);
    cr_expect_eq(s.mean[RPT_M_orders_paid], 7.0);
    cr_expect(isnan(s.ci95[RPT_M_orders_paid]));
    fini_runs(r, 1);
}

Test(summary, t_quantiles_come_from_the_table_then_the_approximation)
{
    cr_expect(isnan(rpt_t95(0)));
    cr_expect_eq(rpt_t95(1), 12.706);
    cr_expect_eq(rpt_t95(30), 2.042);
    /* 1.959964 + 2.37 / 40 = 2.019214 (exact quantile 2.021). */
    cr_expect_float_eq(rpt_t95(40), 2.019214, 1e-9);
}

/* The verdict's label ("better", "worse (1 run)"...) for metric m, b against a. */
static const char *label(const rpt_summary *a, const rpt_summary *b, rpt_metric m, rpt_verdict *v)
{
    static char buf[64];
    rpt_verdict_of(a, b, m, v);
    rpt_verdict_label(v, buf, sizeof buf);
    return buf;
}

Test(paired, small_differences_within_the_interval_are_the_same)
{
    rpt_run a[3], b[3];
    const double va[3] = { 10, 12, 14 }, vb[3] = { 11, 14, 15 };
    runs_of(a, 3, va);
    runs_of(b, 3, vb);
    rpt_summary sa, sb;
    rpt_summarize(a, 3, &sa);
    rpt_summarize(b, 3, &sb);
    rpt_verdict v;
    /* Differences 1, 2, 1: mean 4/3; variance ((1/3)^2 + (2/3)^2 + (1/3)^2) / 2 = 1/3;
     * standard error sqrt(1/3 / 3) = 1/3; half-width 4.303 / 3 = 1.434333 > 1.333. */
    cr_expect_str_eq(label(&sa, &sb, RPT_M_orders_paid, &v), "same");
    cr_expect_float_eq(v.diff, 4.0 / 3.0, 1e-12);
    cr_expect_float_eq(v.ci, 4.303 / 3.0, 1e-12);
    cr_expect_eq(v.pairs, 3);
    cr_expect_str_eq(v.why, "the 95% interval includes 0");
    fini_runs(a, 3);
    fini_runs(b, 3);
}

Test(paired, a_consistent_difference_is_better_or_worse_by_the_metrics_direction)
{
    rpt_run a[3], b[3];
    const double va[3] = { 10, 12, 14 }, vb[3] = { 12, 14, 16 };
    runs_of(a, 3, va);
    runs_of(b, 3, vb);
    rpt_summary sa, sb;
    rpt_summarize(a, 3, &sa);
    rpt_summarize(b, 3, &sb);
    rpt_verdict v;
    /* Differences 2, 2, 2: mean 2, half-width 0: significant. */
    cr_expect_str_eq(label(&sa, &sb, RPT_M_orders_paid, &v), "better"); /* higher is better */
    cr_expect_eq(v.diff, 2.0);
    cr_expect_eq(v.ci, 0.0);
    cr_expect_str_eq(label(&sa, &sb, RPT_M_orders_expired, &v), "worse"); /* lower is better */
    cr_expect_str_eq(label(&sa, &sb, RPT_M_customers, &v), "higher");   /* no direction */
    cr_expect_str_eq(label(&sb, &sa, RPT_M_orders_paid, &v), "worse");
    cr_expect_eq(v.diff, -2.0);
    cr_expect_str_eq(label(&sb, &sa, RPT_M_orders_expired, &v), "better");
    cr_expect_str_eq(label(&sb, &sa, RPT_M_customers, &v), "lower");
    cr_expect_str_eq(label(&sa, &sa, RPT_M_orders_paid, &v), "same");
    cr_expect_str_eq(label(&sa, &sb, RPT_M_sellout_time, &v), "not comparable");
    fini_runs(a, 3);
    fini_runs(b, 3);
}

Test(paired, one_run_says_so)
{
    rpt_run a[1], b[1];
    const double va[1] = { 10 }, vb[1] = { 15 };
    runs_of(a, 1, va);
    runs_of(b, 1, vb);
    rpt_summary sa, sb;
    rpt_summarize(a, 1, &sa);
    rpt_summarize(b, 1, &sb);
    rpt_verdict v;
    cr_expect_str_eq(label(&sa, &sb, RPT_M_orders_paid, &v), "better (1 run)");
    cr_expect_eq(v.diff, 5.0);
    cr_expect(isnan(v.ci));
    cr_expect(v.single);
    cr_expect_str_eq(label(&sa, &sb, RPT_M_orders_expired, &v), "worse (1 run)");
    cr_expect_str_eq(label(&sa, &sb, RPT_M_customers, &v), "higher (1 run)");
    cr_expect_str_eq(label(&sb, &sa, RPT_M_customers, &v), "lower (1 run)");
    cr_expect_str_eq(label(&sa, &sa, RPT_M_customers, &v), "same");
    fini_runs(a, 1);
    fini_runs(b, 1);
}

/* ---- JSON writers ---------------------------------------------------------------------- */

/* Runs a writer into a memory buffer and returns the text (caller frees). */
static char *captured(void (*write)(FILE *, const void *), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    write(f, arg);
    fclose(f);
    return buf;
}
static void write_str(FILE *f, const void *s) { jsn_write_str(f, s); }
static void write_num(FILE *f, const void *v) { jsn_write_num(f, *(const double *)v); }

Test(json_writer, escapes_quotes_backslashes_and_control_characters)
{
    char *s = captured(write_str, "do\"ne\\x\n\t\x01 \xc3\xa9");
    cr_expect_str_eq(s, "\"do\\\"ne\\\\x\\n\\t\\u0001 \xc3\xa9\"");
    free(s);
}

Test(json_writer, numbers_round_trip_and_nan_is_null)
{
    const double tenth = 0.1, big = 123456789012345678.0, nan_ = NAN, inf = INFINITY, whole = 3;
    char *s = captured(write_num, &tenth);
    cr_expect_eq(strtod(s, NULL), 0.1, "%s reads back as 0.1", s);
    free(s);
    s = captured(write_num, &big);
    cr_expect_eq(strtod(s, NULL), big);
    free(s);
    s = captured(write_num, &whole);
    cr_expect_str_eq(s, "3");
    free(s);
    s = captured(write_num, &nan_);
    cr_expect_str_eq(s, "null");
    free(s);
    s = captured(write_num, &inf);
    cr_expect_str_eq(s, "null");
    free(s);
}

/* ---- per-SKU station rows -------------------------------------------------------------- */

/* Two replications with an inventory station carrying rows for SKUs A and B: the condition
 * grammar names a row as stations.inventory.skus.SKU.FIGURE, its value is the mean over the
 * replications, and the JSON nests the rows under the station's "skus". */
Test(stations, a_per_sku_row_is_named_valued_and_written)
{
    static const char *const names[] = { "order_service", "payment", "warehouse", "inventory" };
    rpt_run runs[2];
    for (int i = 0; i < 2; i++) {
        rpt_run_init(&runs[i]);
        runs[i].nstations = 4;
        for (int k = 0; k < 4; k++) snprintf(runs[i].st[k].name, RPT_NAME_MAX, "%s", names[k]);
        rpt_sub_alloc(&runs[i], 2);
        runs[i].sub[0] = (rpt_station_row){ .parent = 3 };
        runs[i].sub[1] = (rpt_station_row){ .parent = 3 };
        snprintf(runs[i].sub[0].st.name, RPT_NAME_MAX, "A");
        snprintf(runs[i].sub[1].st.name, RPT_NAME_MAX, "B.x");
        runs[i].sub[0].st.wait_mean = 1 + i;          /* mean 1.5 */
        runs[i].sub[1].st.utilization = 0.25 * (i + 1); /* mean 0.375 */
    }
    rpt_cond c;
    char err[512];
    int col;
    cr_assert(rpt_cond_parse("stations.inventory.skus.A.wait_mean < 2", names, 4, &c, err, sizeof err, &col), "%s", err);
    cr_expect_str_eq(c.ref.station, "inventory");
    cr_expect_str_eq(c.ref.key, "A");
    cr_expect_eq(c.ref.figure, RPT_ST_WAIT_MEAN);
    rpt_summary s;
    rpt_summarize(runs, 2, &s);
    double v;
    cr_assert(rpt_ref_value(&s, &c.ref, &v));
    cr_expect_float_eq(v, 1.5, 1e-12);
    /* a SKU name with a dot: the figure is what follows the last dot */
    cr_assert(rpt_cond_parse("stations.inventory.skus.B.x.utilization>0", names, 4, &c, err, sizeof err, &col), "%s", err);
    cr_expect_str_eq(c.ref.key, "B.x");
    cr_assert(rpt_ref_value(&s, &c.ref, &v));
    cr_expect_float_eq(v, 0.375, 1e-12);
    cr_expect_float_eq(rpt_ref_run_value(&runs[1], &c.ref), 0.5, 1e-12);
    /* no such row */
    cr_assert(rpt_cond_parse("stations.inventory.skus.C.utilization>0", names, 4, &c, err, sizeof err, &col));
    cr_expect_not(rpt_ref_value(&s, &c.ref, &v));
    cr_expect_not(rpt_cond_parse("stations.inventory.skus.wait_mean>0", names, 4, &c, err, sizeof err, &col));
    cr_expect(strstr(err, "stations.inventory.skus.SKU.FIGURE") != NULL, "%s", err);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rpt_write_json(&s, f, false, 0);
    fclose(f);
    cr_expect(strstr(buf, "\"skus\": {\"A\": {\"utilization\": 0, \"wait_mean\": 1.5") != NULL, "%s", buf);
    cr_expect(strstr(buf, "\"B.x\": {\"utilization\": 0.375") != NULL, "%s", buf);
    free(buf);
    for (int i = 0; i < 2; i++) rpt_run_fini(&runs[i]);
}
