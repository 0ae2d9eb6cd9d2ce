/*
 * rpt_doc.h — a report as data, and the small writers that render it.
 *
 * A command builds one rpt_doc: a title, facts about the run (scenario, seed, horizon...),
 * a summary that answers the scenario's question, warnings, then sections holding
 * paragraphs, tables of typed cells (text, a number with its 95% interval and unit, a
 * verdict, a pass/fail) and charts. Text, Markdown, HTML and JSON are written from that one
 * structure by separate writers, so the formats cannot drift: a number is formatted by one
 * function (rpt_num_format) for all three human formats, and JSON keeps the raw value at
 * round-trip precision.
 *
 * Human numbers (docs/metrics.md, "How reports print numbers"): thousands separators; with
 * an interval, the half-width rounded to two significant digits and the value to the same
 * decimal place (23,797 ± 540); no interval, or an interval of 0 (every replication agreed),
 * hides the ±; money has two decimals and the scenario's currency; never exponent notation.
 */
#ifndef RPT_DOC_H
#define RPT_DOC_H

#include "rpt.h"

typedef struct rpt_doc rpt_doc;

/* What a cell holds; the tone colours verdicts and pass/fail in HTML. */
typedef enum rpt_cell_kind { RPT_CELL_TEXT, RPT_CELL_NUM, RPT_CELL_VERDICT, RPT_CELL_PASS } rpt_cell_kind;
typedef enum rpt_tone { RPT_TONE_NONE = 0, RPT_TONE_GOOD, RPT_TONE_BAD, RPT_TONE_SAME } rpt_tone;

/* Formats v (with half-width ci, NAN or 0 for none) for people into buf: see the file
 * comment. `unit` is appended after a space unless empty; the unit "money" prints as the
 * currency (nothing when currency is NULL or empty) and forces two decimals; "%" multiplies
 * nothing and is appended without a space. Non-finite v prints "-". Always terminated. */
void rpt_num_format(double v, double ci, const char *unit, const char *currency, char *buf, size_t n);

/* The unit to format a referenced figure with: "money" for money metrics (printed as the
 * currency), "s" for times, "requests" for queue lengths, "" for utilization (a fraction). */
const char *rpt_ref_unit(const rpt_ref *r);

/* Creates an empty document; caller frees with rpt_doc_destroy. `currency` (may be NULL)
 * is copied and used for "money" numbers. */
rpt_doc *rpt_doc_create(const char *title, const char *currency);
void rpt_doc_destroy(rpt_doc *d);

/* A fact about the run shown under the title ("seed", "1"); both copied. */
void rpt_doc_fact(rpt_doc *d, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A sentence of the summary at the top (copied). */
void rpt_doc_summary(rpt_doc *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A warning shown after the summary (copied). */
void rpt_doc_warning(rpt_doc *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Starts a new section; later paragraphs, tables and charts go into it. `id` is a short
 * stable name (JSON key, HTML anchor). */
void rpt_doc_section(rpt_doc *d, const char *id, const char *title);
/* A paragraph (copied); a line starting "- " is a list item. */
void rpt_doc_para(rpt_doc *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Starts a table in the current section with ncols column headings (copied). */
void rpt_doc_table(rpt_doc *d, int ncols, const char *const *heads);
/* Cells, filled row by row (a row ends after ncols cells). */
void rpt_doc_text(rpt_doc *d, const char *text);
void rpt_doc_num(rpt_doc *d, double v, double ci, const char *unit);
void rpt_doc_verdict(rpt_doc *d, const char *label, rpt_tone tone);
void rpt_doc_pass(rpt_doc *d, bool pass, const char *label);
/* A chart of the current section: `name` is the file stem (NAME.png, NAME.svg), `title`
 * what it shows. */
void rpt_doc_chart(rpt_doc *d, const char *name, const char *title);

/* Writers. `svg_dir` (HTML only, may be NULL) is where NAME.svg files are read from to be
 * inlined; without it the HTML links NAME.png. */
void rpt_doc_write_text(const rpt_doc *d, FILE *out);
void rpt_doc_write_md(const rpt_doc *d, FILE *out);
void rpt_doc_write_html(const rpt_doc *d, FILE *out, const char *svg_dir);
void rpt_doc_write_json(const rpt_doc *d, FILE *out);

/* ---- gates, JUnit and HTML helpers ------------------------------------------------------ */

/* One rule a gate evaluated: a scenario threshold, or a figure compared with a baseline.
 * `check` prints these, the report shows them, --junit writes one testcase for each. */
typedef struct rpt_gate {
    bool   baseline;        /* a baseline comparison (else a threshold) */
    char   name[96];        /* the figure ("order_to_pay_p95", "stations.payment.wait_p95") */
    char   rule[64];        /* "< 600", or the tolerance ("5%", "2.5", "ci") */
    char   unit[24];        /* the figure's unit, as rpt_num_format takes it */
    double value;           /* the current value (NAN when the figure is missing) */
    double base;            /* the baseline value, NAN for a threshold */
    bool   pass;            /* the rule holds (an improvement or a neutral change passes) */
    char   status[48];      /* "pass", "FAIL", "ok", "improved", "changed", "REGRESSED", "new" ... */
} rpt_gate;

/* Writes JUnit XML: one testsuite named `suite`, one testcase per gate (classname
 * "thresholds" or "baseline"), a <failure> for each that does not pass. */
void rpt_gate_write_junit(const rpt_gate *g, int n, const char *suite, FILE *out);
/* Writes the gates as a JSON array (%.17g numbers, null for missing). */
void rpt_gate_write_json(const rpt_gate *g, int n, FILE *out);

/* Copies an SVG file into out, from its <svg element on (for self-contained HTML). */
void rpt_inline_svg(FILE *out, const char *path);
/* Writes s escaped for HTML text. */
void rpt_html_text(FILE *out, const char *s);

#endif
