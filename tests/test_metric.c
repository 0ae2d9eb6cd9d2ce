/* Tests for the metric table (reports/rpt_metric.h): every row is complete, what derives
 * from it (compare's verdict table, the breakdown columns, the oversold and percentile
 * rules) agrees with it, and docs/metrics.md lists every metric with the unit and direction
 * the binary uses. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"

/* docs/metrics.md, read whole (the tests run from the repository root). Caller frees. */
static char *metric_doc(void)
{
    FILE *f = fopen("docs/metrics.md", "rb");
    cr_assert(f, "docs/metrics.md not found (run the tests from the repository root)");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert(fread(s, 1, (size_t)n, f) == (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

/* The line of `doc` that starts with `prefix`, copied into buf, or NULL. */
static const char *doc_line(const char *doc, const char *prefix, char *buf, size_t n)
{
    size_t k = strlen(prefix);
    for (const char *p = doc; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, prefix, k) != 0) continue;
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len >= n) len = n - 1;
        memcpy(buf, p, len);
        buf[len] = 0;
        return buf;
    }
    return NULL;
}

/* True when `text` names metric `name` as a whole word. */
static bool names(const char *text, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
        bool before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        bool after = !(isalnum((unsigned char)p[k]) || p[k] == '_');
        if (before && after) return true;
    }
    return false;
}

Test(metric, every_row_declares_a_unit_a_summary_and_a_name_found_again)
{
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        const char *name = rpt_metric_name((rpt_metric)m);
        cr_expect((unsigned)rpt_metric_unit((rpt_metric)m) < RPT_UNIT_COUNT, "%s: no unit", name);
        cr_expect(strcmp(rpt_metric_unit_label((rpt_metric)m, NULL), "") != 0, "%s: empty unit label", name);
        const char *sum = rpt_metric_summary((rpt_metric)m);
        cr_expect(sum[0] && strlen(sum) <= 100 && !strchr(sum, '\n'), "%s: the summary must be one short line", name);
        cr_expect_eq(rpt_metric_find(name), m, "%s is not found by its name", name);
    }
    cr_expect_eq(rpt_metric_find("no_such_metric"), -1);
    cr_expect_str_eq(rpt_metric_name(RPT_METRIC_COUNT), "?");
}

Test(metric, units_are_what_each_metric_counts)
{
    cr_expect_eq(rpt_metric_unit(RPT_M_orders_paid), RPT_U_ORDERS);
    cr_expect_eq(rpt_metric_unit(RPT_M_customers_served), RPT_U_CUSTOMERS);
    cr_expect_eq(rpt_metric_unit(RPT_M_locked_unit_seconds), RPT_U_UNIT_SECONDS);
    cr_expect_eq(rpt_metric_unit(RPT_M_revenue), RPT_U_MONEY);
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_revenue, "EUR"), "EUR");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_revenue, ""), "money");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_throughput_paid_per_s, "EUR"), "orders/s");
    cr_expect_str_eq(rpt_unit_label(RPT_UNIT_COUNT, NULL), "");
}

Test(metric, the_verdict_table_is_the_flagged_rows_in_position_order)
{
    rpt_metric t[RPT_METRIC_COUNT];
    int n = rpt_metric_verdict_table(t);
    const rpt_metric expected[] = { RPT_M_oversold_units, RPT_M_oversold_orders, RPT_M_revenue_at_risk,
        RPT_M_genuine_orders_served, RPT_M_genuine_orders_paid, RPT_M_orders_paid, RPT_M_units_sold, RPT_M_locked_stock_peak,
        RPT_M_locked_unit_seconds, RPT_M_malicious_locked_unit_seconds, RPT_M_genuine_rejected_while_locked,
        RPT_M_payments_rejected_revalidation, RPT_M_orders_refunded, RPT_M_unsold_units_end, RPT_M_revenue,
        RPT_M_order_to_pay_p95, RPT_M_sellout_time, RPT_M_genuine_customers_lost_to_locks };
    cr_assert_eq(n, (int)(sizeof expected / sizeof expected[0]));
    for (int i = 0; i < n; i++)
        cr_expect_eq(t[i], expected[i], "position %d: %s, expected %s", i + 1, rpt_metric_name(t[i]), rpt_metric_name(expected[i]));
}

Test(metric, oversold_percentile_and_null_rules_come_from_the_flags)
{
    int over = 0;
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        if (rpt_metric_counts_oversold((rpt_metric)m)) {
            over++;
            cr_expect_neq(rpt_metric_better((rpt_metric)m), 0, "%s counts oversold orders but has no direction to withhold",
                          rpt_metric_name((rpt_metric)m));
        }
        int pop = rpt_metric_percentile_of((rpt_metric)m);
        if (pop >= 0) {
            cr_expect_eq(rpt_metric_unit((rpt_metric)pop), RPT_U_ORDERS, "%s: a percentile is taken over orders",
                         rpt_metric_name((rpt_metric)m));
            cr_expect(rpt_metric_may_be_null((rpt_metric)m));
        }
    }
    cr_expect_eq(over, 7);
    cr_expect(rpt_metric_counts_oversold(RPT_M_revenue));
    cr_expect(!rpt_metric_counts_oversold(RPT_M_genuine_orders_served));
    cr_expect_eq(rpt_metric_percentile_of(RPT_M_order_to_pay_p95), RPT_M_orders_paid);
    cr_expect_eq(rpt_metric_percentile_of(RPT_M_orders_paid), -1);
    cr_expect(rpt_metric_may_be_null(RPT_M_sellout_time));
    cr_expect(!rpt_metric_may_be_null(RPT_M_revenue));
}

Test(metric, each_dimension_has_exactly_the_columns_its_rows_name)
{
    for (int d = 0; d < RPT_BD_DIMS; d++) {
        const int *fs;
        int n = rpt_bd_columns((rpt_bd_dim)d, &fs);
        bool seen[RPT_BD_FIGURES] = { false };
        for (int c = 0; c < n; c++) {
            cr_assert(fs[c] >= 0 && fs[c] < RPT_BD_FIGURES);
            cr_expect(!seen[fs[c]], "%s: %s twice", rpt_bd_key((rpt_bd_dim)d), rpt_bd_figure_name(fs[c]));
            seen[fs[c]] = true;
            cr_expect_eq(rpt_bd_column((rpt_bd_dim)d, fs[c]), c);
        }
        for (int m = 0; m < RPT_METRIC_COUNT; m++)
            cr_expect_eq(seen[m], (rpt_metric_breakdowns((rpt_metric)m) >> d) & 1u, "%s: %s", rpt_bd_key((rpt_bd_dim)d),
                         rpt_metric_name((rpt_metric)m));
    }
    /* Spot checks of the column order the outputs have always had. */
    const int *fs;
    rpt_bd_columns(RPT_BD_SEGMENT, &fs);
    cr_expect_eq(fs[0], RPT_M_customers);
    cr_expect_eq(fs[8], RPT_M_orders_created);
    rpt_bd_columns(RPT_BD_PROMOTION, &fs);
    cr_expect_eq(fs[1], RPT_BD_budget_left);
    cr_expect_eq(rpt_bd_figure_unit(RPT_BD_budget_skips), RPT_U_SKIPS);
}

/* docs/metrics.md's table has a row "| NAME | UNIT | BETTER | definition |" for every metric
 * and none for a metric the binary does not have. */
Test(metric, docs_list_every_metric_with_its_unit_and_direction)
{
    char *doc = metric_doc();
    char line[4096], prefix[128];
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        const char *name = rpt_metric_name((rpt_metric)m);
        snprintf(prefix, sizeof prefix, "| %s | ", name);
        if (!doc_line(doc, prefix, line, sizeof line)) {
            cr_expect_fail("docs/metrics.md has no row for %s", name);
            continue;
        }
        int b = rpt_metric_better((rpt_metric)m);
        char want[256];
        snprintf(want, sizeof want, "| %s | %s | %s | ", name, rpt_metric_unit_label((rpt_metric)m, NULL),
                 b > 0 ? "higher" : b < 0 ? "lower" : "-");
        cr_expect(strncmp(line, want, strlen(want)) == 0, "docs/metrics.md: \"%.80s\", expected it to start \"%s\"", line, want);
    }
    /* Every row of the metrics table names a metric. */
    const char *t = strstr(doc, "| metric | unit | better | definition |");
    cr_assert(t, "docs/metrics.md: the metrics table's header is missing");
    t = strchr(strchr(t, '\n') + 1, '\n') + 1;     /* past the header and the |---| line */
    for (; strncmp(t, "| ", 2) == 0; t = strchr(t, '\n') + 1) {
        char name[128];
        cr_assert(sscanf(t, "| %127[a-z0-9_] |", name) == 1);
        cr_expect_geq(rpt_metric_find(name), 0, "docs/metrics.md lists \"%s\", which is no metric", name);
    }
    free(doc);
}

/* The breakdown table and the verdict rule in docs/metrics.md name the metrics the rows say. */
Test(metric, docs_name_the_breakdowns_and_the_oversold_rule_of_the_rows)
{
    char *doc = metric_doc();
    char line[8192], chan[8192];
    cr_assert(doc_line(doc, "| payment channel |", chan, sizeof chan));
    const struct { rpt_bd_dim d; const char *prefix; } rows[] = {
        { RPT_BD_SEGMENT, "| segment |" }, { RPT_BD_CHANNEL, "| payment channel |" },
        { RPT_BD_SKU, "| SKU |" }, { RPT_BD_PROMOTION, "| promotion |" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cr_assert(doc_line(doc, rows[i].prefix, line, sizeof line), "docs/metrics.md: no breakdown row %s", rows[i].prefix);
        for (int m = 0; m < RPT_METRIC_COUNT; m++) {
            const char *name = rpt_metric_name((rpt_metric)m);
            bool split = (rpt_metric_breakdowns((rpt_metric)m) >> rows[i].d) & 1u;
            /* The segment row says "and the order figures below": the channel row's list. */
            bool named = names(line, name) || (rows[i].d == RPT_BD_SEGMENT && names(chan, name));
            cr_expect_eq(named, split, "docs/metrics.md %s: %s is %s, but the row %s", rows[i].prefix, name,
                         split ? "split" : "not split", named ? "names it" : "does not name it");
        }
    }
    cr_assert(doc_line(doc, "| `higher` / `lower` |", line, sizeof line));
    for (int m = 0; m < RPT_METRIC_COUNT; m++)
        if (rpt_metric_counts_oversold((rpt_metric)m))
            cr_expect(names(line, rpt_metric_name((rpt_metric)m)), "docs/metrics.md's verdict rule omits %s",
                      rpt_metric_name((rpt_metric)m));
    free(doc);
}
