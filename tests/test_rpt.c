/* Tests for the verdicts and the recommendation (reports/rpt_verdict.c), on summaries built
 * by hand so every number is known: each case states what a naive reading would conclude
 * and checks that the verdict does not. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"
#include "rpt_doc.h"
#include "rpt_verdict.h"

#define REPS 3

/* Three replications of one strategy, all metrics 0 except those set afterwards. */
typedef struct strat {
    rpt_run     runs[REPS];
    rpt_summary sum;
} strat;

static strat *strat_new(const char *name)
{
    strat *s = calloc(1, sizeof *s);
    cr_assert(s);
    for (int r = 0; r < REPS; r++) {
        rpt_run_init(&s->runs[r]);
        snprintf(s->runs[r].strategy, sizeof s->runs[r].strategy, "%s", name);
        s->runs[r].seed = 42 + (uint64_t)r;
    }
    return s;
}

/* Sets metric m of replication r = 0, 1, 2 to the three values given. */
static void set3(strat *s, rpt_metric m, double a, double b, double c)
{
    s->runs[0].m[m] = a;
    s->runs[1].m[m] = b;
    s->runs[2].m[m] = c;
}

static void summarize(strat *s) { rpt_summarize(s->runs, REPS, &s->sum); }

static void strat_free(strat *s)
{
    for (int r = 0; r < REPS; r++) rpt_run_fini(&s->runs[r]);
    free(s);
}

/* Builds summaries of the three strategies in order into out (copies). */
static void three(strat *a, strat *b, strat *c, rpt_summary out[3])
{
    summarize(a);
    summarize(b);
    summarize(c);
    out[0] = a->sum;
    out[1] = b->sum;
    out[2] = c->sum;
}

static bool why_has(const rpt_recommendation *r, const char *needle)
{
    for (int i = 0; i < r->nwhy; i++)
        if (strstr(r->why[i], needle)) return true;
    return false;
}

Test(verdict, a_recommendation_never_names_a_strategy_that_oversold_when_another_did_not)
{
    /* The overseller serves the most genuine orders and takes the most money; a ranking on
     * those figures would name it. It must not be named while another never oversold. */
    strat *over = strat_new("overseller"), *b = strat_new("b"), *c = strat_new("c");
    set3(over, RPT_M_genuine_orders_served, 1000, 1010, 990);
    set3(over, RPT_M_genuine_orders_paid, 5000, 5100, 4900);
    set3(over, RPT_M_revenue, 9e6, 9.1e6, 8.9e6);
    set3(over, RPT_M_oversold_units, 4000, 4090, 3910);
    set3(over, RPT_M_oversold_orders, 4000, 4090, 3910);
    set3(b, RPT_M_genuine_orders_served, 600, 610, 605);
    set3(b, RPT_M_genuine_orders_paid, 600, 610, 605);
    set3(c, RPT_M_genuine_orders_served, 500, 505, 498);
    set3(c, RPT_M_genuine_orders_paid, 500, 505, 498);
    rpt_summary s[3];
    three(over, b, c, s);
    rpt_recommendation rec;
    rpt_recommend(s, 3, &rec);
    for (int i = 0; i < rec.nwhy; i++) cr_log_info("why: %s", rec.why[i]);
    cr_expect_eq(rec.strategy, 1, "b dominates c and never oversold; got %d", rec.strategy);
    cr_expect(why_has(&rec, "overseller is excluded"));
    /* b is named on intervals from 3 replications: the recommendation says to confirm it */
    cr_expect(why_has(&rec, "This rests on 3 replications") && why_has(&rec, "confirm with 10 or more"));
    s[1].n = RPT_FIRM_REPLICATIONS;   /* the same with enough replications: no such caveat */
    rpt_recommend(s, 3, &rec);
    cr_expect_eq(rec.strategy, 1);
    cr_expect_not(why_has(&rec, "This rests on"));
    s[1].n = REPS;
    /* Only the overseller and one other: still the other, whatever they serve (named by
     * exclusion, which needs no interval: no caveat). */
    rpt_recommend(s, 2, &rec);
    cr_expect_eq(rec.strategy, 1);
    cr_expect_not(why_has(&rec, "This rests on"));
    /* When the two that never oversold cannot be separated, nobody is named: not the
     * overseller either. */
    set3(c, RPT_M_genuine_orders_served, 605, 600, 610);
    three(over, b, c, s);
    rpt_recommend(s, 3, &rec);
    cr_expect_eq(rec.strategy, -1, "got %d", rec.strategy);
    cr_expect(why_has(&rec, "indistinguishable"));
    strat_free(over);
    strat_free(b);
    strat_free(c);
}

Test(verdict, every_strategy_oversold_names_none)
{
    strat *a = strat_new("a"), *b = strat_new("b"), *c = strat_new("c");
    set3(a, RPT_M_oversold_units, 1, 0, 0);
    set3(a, RPT_M_oversold_orders, 1, 0, 0);
    set3(b, RPT_M_oversold_units, 5, 5, 5);
    set3(b, RPT_M_oversold_orders, 5, 5, 5);
    set3(c, RPT_M_oversold_units, 0, 0, 2);
    set3(c, RPT_M_oversold_orders, 0, 0, 1);
    rpt_summary s[3];
    three(a, b, c, s);
    rpt_recommendation rec;
    rpt_recommend(s, 3, &rec);
    cr_expect_eq(rec.strategy, -1);
    cr_expect(why_has(&rec, "none can be recommended"));
    strat_free(a);
    strat_free(b);
    strat_free(c);
}

Test(verdict, a_difference_whose_interval_includes_0_is_same_and_indistinguishable)
{
    /* 1000 vs 999.67: a point ranking would pick a. Paired differences -2, +3, -2: mean
     * -0.33, half-width 4.303 x sd(2.89)/sqrt(3) = 7.2, so the interval includes 0. */
    strat *a = strat_new("a"), *b = strat_new("b"), *c = strat_new("c");
    set3(a, RPT_M_genuine_orders_served, 1000, 998, 1002);
    set3(b, RPT_M_genuine_orders_served, 998, 1001, 1000);
    set3(c, RPT_M_genuine_orders_served, 10, 11, 12);
    rpt_summary s[3];
    three(a, b, c, s);
    rpt_verdict v;
    rpt_verdict_of(&s[0], &s[1], RPT_M_genuine_orders_served, &v);
    cr_expect_eq(v.word, RPT_V_SAME, "got %s", rpt_verdict_word_name(v.word));
    cr_expect(fabs(v.diff + 1.0 / 3) < 1e-9);
    cr_expect(v.ci > fabs(v.diff));
    cr_expect(strstr(v.why, "includes 0"));
    rpt_recommendation rec;
    rpt_recommend(s, 3, &rec);
    cr_expect_eq(rec.strategy, -1);
    cr_expect(why_has(&rec, "a and b are indistinguishable"));
    /* A clear gap is a verdict and a recommendation. */
    rpt_verdict_of(&s[2], &s[0], RPT_M_genuine_orders_served, &v);
    cr_expect_eq(v.word, RPT_V_BETTER);
    set3(b, RPT_M_genuine_orders_served, 900, 899, 903);
    three(a, b, c, s);
    rpt_recommend(s, 3, &rec);
    cr_expect_eq(rec.strategy, 0);
    strat_free(a);
    strat_free(b);
    strat_free(c);
}

Test(verdict, one_replication_separates_nothing)
{
    strat *a = strat_new("a"), *b = strat_new("b");
    set3(a, RPT_M_genuine_orders_served, 1000, 0, 0);
    set3(b, RPT_M_genuine_orders_served, 10, 0, 0);
    rpt_summarize(a->runs, 1, &a->sum);
    rpt_summarize(b->runs, 1, &b->sum);
    rpt_summary s[2] = { a->sum, b->sum };
    rpt_verdict v;
    rpt_verdict_of(&s[1], &s[0], RPT_M_genuine_orders_served, &v);
    cr_expect(v.single);
    char label[64];
    rpt_verdict_label(&v, label, sizeof label);
    cr_expect_str_eq(label, "better (1 run)");
    rpt_recommendation rec;
    rpt_recommend(s, 2, &rec);
    cr_expect_eq(rec.strategy, -1);
    cr_expect(why_has(&rec, "one replication"));
    strat_free(a);
    strat_free(b);
}

Test(verdict, a_percentile_over_different_paid_orders_is_not_comparable)
{
    /* b's p95 is lower only because its slow payers never reached payment. */
    strat *a = strat_new("a"), *b = strat_new("b");
    set3(a, RPT_M_orders_paid, 1000, 1000, 1000);
    set3(b, RPT_M_orders_paid, 800, 810, 790);
    set3(a, RPT_M_order_to_pay_p95, 300, 310, 305);
    set3(b, RPT_M_order_to_pay_p95, 100, 104, 99);
    summarize(a);
    summarize(b);
    rpt_verdict v;
    rpt_verdict_of(&a->sum, &b->sum, RPT_M_order_to_pay_p95, &v);
    cr_expect_eq(v.word, RPT_V_NOT_COMPARABLE, "got %s", rpt_verdict_word_name(v.word));
    cr_expect(strstr(v.why, "different orders"), "%s", v.why);
    /* The same paid orders: the percentile is compared. */
    set3(b, RPT_M_orders_paid, 1000, 1000, 1000);
    summarize(b);
    rpt_verdict_of(&a->sum, &b->sum, RPT_M_order_to_pay_p95, &v);
    cr_expect_eq(v.word, RPT_V_BETTER, "got %s", rpt_verdict_word_name(v.word));
    strat_free(a);
    strat_free(b);
}

Test(verdict, orders_paid_and_revenue_from_oversold_orders_are_never_scored_better)
{
    strat *a = strat_new("a"), *b = strat_new("b");
    set3(b, RPT_M_oversold_orders, 100, 110, 90);
    set3(a, RPT_M_orders_paid, 1000, 1000, 1000);
    set3(b, RPT_M_orders_paid, 1100, 1110, 1090);
    set3(a, RPT_M_revenue, 1e5, 1e5, 1e5);
    set3(b, RPT_M_revenue, 1.1e5, 1.11e5, 1.09e5);
    set3(a, RPT_M_genuine_orders_served, 1000, 1000, 1000);
    set3(b, RPT_M_genuine_orders_served, 900, 905, 895);
    summarize(a);
    summarize(b);
    static const rpt_metric unscored[] = { RPT_M_orders_paid, RPT_M_revenue };
    for (size_t i = 0; i < sizeof unscored / sizeof unscored[0]; i++) {
        rpt_verdict v;
        rpt_verdict_of(&a->sum, &b->sum, unscored[i], &v);
        cr_expect_eq(v.word, RPT_V_HIGHER, "%s: got %s", rpt_metric_name(unscored[i]), rpt_verdict_word_name(v.word));
        cr_expect(strstr(v.why, "oversold"));
    }
    rpt_verdict v;
    rpt_verdict_of(&a->sum, &b->sum, RPT_M_genuine_orders_served, &v);
    cr_expect_eq(v.word, RPT_V_WORSE, "served orders are scored: got %s", rpt_verdict_word_name(v.word));
    /* Without oversell on either side, more paid orders is better. */
    set3(b, RPT_M_oversold_orders, 0, 0, 0);
    summarize(b);
    rpt_verdict_of(&a->sum, &b->sum, RPT_M_orders_paid, &v);
    cr_expect_eq(v.word, RPT_V_BETTER);
    strat_free(a);
    strat_free(b);
}

Test(verdict, a_tie_on_served_orders_is_broken_only_by_dominance_on_the_costs)
{
    /* a and b serve exactly the same genuine orders. b locks stock for far fewer
     * unit-seconds (differences -1000, -1100, -900: interval -1000 +/- 248) and is no worse
     * on the other costs: b dominates a and is named. */
    strat *a = strat_new("a"), *b = strat_new("b");
    set3(a, RPT_M_genuine_orders_served, 1000, 1000, 1000);
    set3(b, RPT_M_genuine_orders_served, 1000, 1000, 1000);
    set3(a, RPT_M_locked_unit_seconds, 5000, 5100, 4900);
    set3(b, RPT_M_locked_unit_seconds, 4000, 4000, 4000);
    rpt_summary s[2];
    summarize(a);
    summarize(b);
    s[0] = a->sum;
    s[1] = b->sum;
    rpt_recommendation rec;
    /* No buyer was turned away while stock was locked (stock to spare): locks harm nobody,
     * so they separate nothing. */
    rpt_recommend(s, 2, &rec);
    cr_expect_eq(rec.strategy, -1, "locks that turned nobody away are no cost; got %d", rec.strategy);
    /* Once locks turned buyers away (equally under both here), b's fewer locks count. */
    set3(a, RPT_M_genuine_rejected_while_locked, 10, 10, 10);
    set3(b, RPT_M_genuine_rejected_while_locked, 10, 10, 10);
    summarize(a);
    summarize(b);
    s[0] = a->sum;
    s[1] = b->sum;
    rpt_recommend(s, 2, &rec);
    for (int i = 0; i < rec.nwhy; i++) cr_log_info("why: %s", rec.why[i]);
    cr_expect_eq(rec.strategy, 1, "got %d", rec.strategy);
    cr_expect(why_has(&rec, "b is better on locked_unit_seconds (-1,000 \u00b1 250) and worse on nothing"));   /* 248 to two digits */
    /* Now b also tells more buyers "sold out" after they started to pay: a trade-off, and
     * nobody is named. */
    set3(b, RPT_M_payments_rejected_revalidation, 50, 60, 55);
    summarize(b);
    s[1] = b->sum;
    rpt_recommend(s, 2, &rec);
    for (int i = 0; i < rec.nwhy; i++) cr_log_info("why: %s", rec.why[i]);
    cr_expect_eq(rec.strategy, -1, "got %d", rec.strategy);
    cr_expect(why_has(&rec, "a trade-off"));
    cr_expect(why_has(&rec, "No strategy dominates"));
    strat_free(a);
    strat_free(b);
}

Test(verdict, a_percentile_is_not_comparable_when_stock_ran_short_even_with_equal_paid_counts)
{
    /* Both pay exactly 1000 orders in every replication, and b's p95 is far lower. With spare
     * stock (no buyer turned away) the same customers pay under both, so the difference is
     * real: "better". Once b turned buyers away at checkout, which 1000 paid depends on the
     * strategy (slow payers dropped): "not comparable", whatever the counts say. */
    strat *a = strat_new("a"), *b = strat_new("b");
    set3(a, RPT_M_orders_paid, 1000, 1000, 1000);
    set3(b, RPT_M_orders_paid, 1000, 1000, 1000);
    set3(a, RPT_M_order_to_pay_p95, 320, 330, 310);
    set3(b, RPT_M_order_to_pay_p95, 60, 62, 64);
    summarize(a);
    summarize(b);
    rpt_verdict v;
    rpt_verdict_of(&a->sum, &b->sum, RPT_M_order_to_pay_p95, &v);
    cr_expect_eq(v.word, RPT_V_BETTER, "spare stock: got %s (%s)", rpt_verdict_word_name(v.word), v.why);
    set3(b, RPT_M_payments_rejected_revalidation, 25000, 25100, 24900);
    summarize(b);
    rpt_verdict_of(&a->sum, &b->sum, RPT_M_order_to_pay_p95, &v);
    cr_expect_eq(v.word, RPT_V_NOT_COMPARABLE, "got %s", rpt_verdict_word_name(v.word));
    cr_expect(strstr(v.why, "stock ran short (25,000 rejected for stock-out or at checkout under b, 0 under a)"), "%s", v.why);
    strat_free(a);
    strat_free(b);
}

Test(units, each_count_is_labelled_by_what_it_counts)
{
    /* customers, sessions and read requests are not orders (a red-team pass found them
     * labelled "orders"); a count declared without a unit counts orders */
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_customers_served, NULL), "customers");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_customers_turned_away_by_display, NULL), "customers");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_turned_away_while_available, NULL), "customers");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_payment_sessions_abandoned, NULL), "sessions");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_order_reads, NULL), "requests");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_payments_rejected_revalidation, NULL), "payments");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_orders_paid, NULL), "orders");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_points_awarded, NULL), "points");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_refunds_refused, NULL), "requests");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_returns_rejected, NULL), "returns");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_sub_orders, NULL), "sub-orders");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_addresses_modified, NULL), "changes");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_orders_refunded_by_buyer, NULL), "orders");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_revenue, "EUR"), "EUR");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_revenue, ""), "money");
    cr_expect_str_eq(rpt_metric_unit_label(RPT_M_locked_unit_seconds, NULL), "unit-seconds");
}

Test(verdict, strategies_equal_on_everything_weighed_are_equivalent_not_a_trade_off)
{
    /* Ample stock: the same served orders and costs under every strategy; locks differ but
     * turned no buyer away, so they are not weighed. No strategy is named, and the reason is
     * that they are equivalent here, not a trade-off. */
    strat *a = strat_new("a"), *b = strat_new("b"), *c = strat_new("c");
    set3(a, RPT_M_genuine_orders_served, 600, 610, 605);
    set3(b, RPT_M_genuine_orders_served, 600, 610, 605);
    set3(c, RPT_M_genuine_orders_served, 600, 610, 605);
    set3(a, RPT_M_locked_unit_seconds, 5000, 5100, 4900);
    rpt_summary s[3];
    three(a, b, c, s);
    rpt_recommendation rec;
    rpt_recommend(s, 3, &rec);
    for (int i = 0; i < rec.nwhy; i++) cr_log_info("why: %s", rec.why[i]);
    cr_expect_eq(rec.strategy, -1);
    cr_expect(why_has(&rec, "they are equivalent on genuine orders served and every cost weighed"));
    cr_expect(why_has(&rec, "locked_unit_seconds is weighed only when a genuine buyer was turned away"));
    cr_expect_not(why_has(&rec, "trade-off"));
    strat_free(a);
    strat_free(b);
    strat_free(c);
}

Test(rpt, every_metric_has_a_gate_direction_and_directionless_money_is_to_review)
{
    /* docs/regression.md, "Gate directions": exactly the directionless money figures are
     * changes to review; a metric with a better direction gates on it; the rest is info. */
    int review = 0;
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        rpt_gate_dir g = rpt_metric_gate((rpt_metric)m);
        int b = rpt_metric_better((rpt_metric)m);
        if (b) cr_expect_eq((int)g, b, "%s", rpt_metric_name((rpt_metric)m));
        else if (rpt_metric_unit((rpt_metric)m) == RPT_U_MONEY) { cr_expect_eq(g, RPT_GATE_REVIEW); review++; }
        else cr_expect_eq(g, RPT_GATE_INFO, "%s", rpt_metric_name((rpt_metric)m));
    }
    cr_expect_eq(rpt_metric_gate(RPT_M_discount_total), RPT_GATE_REVIEW);
    cr_expect_eq(rpt_metric_gate(RPT_M_captured_total), RPT_GATE_REVIEW);
    cr_expect_eq(rpt_metric_gate(RPT_M_discount_taken_back), RPT_GATE_REVIEW);
    cr_expect_eq(review, 3);
    cr_expect_eq(rpt_metric_gate(RPT_M_revenue), RPT_GATE_HIGHER);
    cr_expect_eq(rpt_metric_gate(RPT_M_refund_total), RPT_GATE_LOWER);
}
