/* Tests for the report model and its writers (reports/rpt_doc.c): numbers for people, and
 * the same document rendered to Markdown, HTML, text and JSON carrying the same content. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rpt_doc.h"
#include "rpt_report.h"

static const char *fmt(double v, double ci, const char *unit, const char *cur)
{
    static char buf[128];
    rpt_num_format(v, ci, unit, cur, buf, sizeof buf);
    return buf;
}

Test(doc, interval_sets_the_digits_and_thousands_are_separated)
{
    cr_expect_str_eq(fmt(23797.3, 540.2, "", NULL), "23,797 \u00b1 540");
    cr_expect_str_eq(fmt(1.23456, 0.0234, "s", NULL), "1.235 \u00b1 0.023 s");
    cr_expect_str_eq(fmt(118857523.7, 2699094.9, "", NULL), "118,857,524 \u00b1 2,700,000");
}

Test(doc, no_number_uses_exponent_notation)
{
    cr_expect_str_eq(fmt(1.2084e8, NAN, "", NULL), "120,840,000");
    cr_expect_str_eq(fmt(1.5e-5, NAN, "s", NULL), "0.000015 s");
    cr_expect_str_eq(fmt(123456789.5, NAN, "", NULL), "123,456,790");
    cr_expect_str_eq(fmt(-1234.5, NAN, "", NULL), "-1,234");
}

Test(doc, plus_minus_is_hidden_when_every_replication_agreed)
{
    cr_expect_str_eq(fmt(0, 0, "", NULL), "0");
    cr_expect_str_eq(fmt(665, 0, "orders", NULL), "665 orders");
    cr_expect_str_eq(fmt(665, NAN, "orders", NULL), "665 orders");
    cr_expect_str_eq(fmt(NAN, NAN, "s", NULL), "-");
    /* equal replications summed in a different order differ in the last bits: no ± */
    cr_expect_str_eq(fmt(100.00000000000001, 1.4e-14, "%", NULL), "100%");
}

Test(doc, money_has_two_decimals_and_the_scenarios_currency)
{
    cr_expect_str_eq(fmt(1234.5, NAN, "money", "EUR"), "1,234.50 EUR");
    cr_expect_str_eq(fmt(1234.5, NAN, "money", NULL), "1,234.50");
    cr_expect_str_eq(fmt(99.8, NAN, "%", NULL), "99.8%");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_revenue, "EUR"), "EUR");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_orders_paid, NULL), "orders");
}

/* Renders d with a writer into a string (caller frees). */
static char *render(const rpt_doc *d, int which)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    if (which == 0) rpt_doc_write_md(d, f);
    else if (which == 1) rpt_doc_write_html(d, f, NULL);
    else if (which == 2) rpt_doc_write_text(d, f);
    else rpt_doc_write_json(d, f);
    fclose(f);
    return buf;
}

Test(doc, every_writer_carries_the_same_cells)
{
    rpt_doc *d = rpt_doc_create("t <x>", "EUR");
    rpt_doc_summary(d, "Recommendation: a.");
    rpt_doc_warning(d, "warehouse at 99.8%% utilization");
    rpt_doc_section(d, "metrics", "Metrics");
    static const char *const h[] = { "metric", "value", "verdict" };
    rpt_doc_table(d, 3, h);
    rpt_doc_text(d, "revenue");
    rpt_doc_num(d, 118857523.7, 2699094.9, "money");
    rpt_doc_verdict(d, "better", RPT_TONE_GOOD);
    const char *want[] = { "Recommendation: a.", "99.8% utilization", "Metrics", "revenue", "118,857,524 \u00b1 2,700,000 EUR", "better" };
    for (int w = 0; w < 3; w++) {
        char *out = render(d, w);
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) cr_expect(strstr(out, want[i]), "writer %d lacks '%s'", w, want[i]);
        cr_expect(!strstr(out, "e+0"), "writer %d prints an exponent", w);
        free(out);
    }
    char *html = render(d, 1);
    cr_expect(strstr(html, "<td class=\"good\">better</td>"), "verdict cells are coloured");
    cr_expect(strstr(html, "t &lt;x&gt;"), "text is escaped");
    free(html);
    char *json = render(d, 3);
    cr_expect(strstr(json, "\"value\": 118857523.7"), "JSON keeps full precision: %s", json);
    cr_expect(strstr(json, "\"unit\": \"EUR\""));
    free(json);
    rpt_doc_destroy(d);
}

Test(doc, junit_has_one_testcase_per_gate_and_a_failure_for_each_failed_one)
{
    rpt_gate g[3] = {
        { .name = "order_to_pay_p95", .rule = "< 600", .unit = "s", .value = 346, .base = NAN, .pass = true, .status = "pass" },
        { .name = "oversold_units", .rule = "== 0", .unit = "units", .value = 12, .base = NAN, .pass = false, .status = "FAIL" },
        { .baseline = true, .name = "a<b&\"c\"", .rule = "5%", .value = 2, .base = 1, .pass = false, .status = "REGRESSED" },
    };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rpt_gate_write_junit(g, 3, "suite", f);
    fclose(f);
    int cases = 0, failures = 0;
    for (const char *p = buf; (p = strstr(p, "<testcase ")); p++) cases++;
    for (const char *p = buf; (p = strstr(p, "<failure ")); p++) failures++;
    cr_expect_eq(cases, 3);
    cr_expect_eq(failures, 2);
    cr_expect(strstr(buf, "tests=\"3\" failures=\"2\""));
    cr_expect(strstr(buf, "a&lt;b&amp;&quot;c&quot;"), "names are escaped: %s", buf);
    free(buf);
}
