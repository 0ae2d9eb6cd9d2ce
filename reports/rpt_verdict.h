/*
 * rpt_verdict.h — compare's verdicts on paired differences and its recommendation, built
 * once as data (rpt_verdict.c) and rendered by every writer. docs/metrics.md states the rules.
 */
#ifndef RPT_VERDICT_H
#define RPT_VERDICT_H

#include "rpt.h"


/* What a paired difference says, b against a. docs/metrics.md defines each word. */
#define RPT_VERDICT_LIST(X)                                                              \
    X(RPT_V_SAME,           "same")            /* equal, or the 95% interval includes 0 */ \
    X(RPT_V_BETTER,         "better")          /* the interval excludes 0, good direction */ \
    X(RPT_V_WORSE,          "worse")           /* the interval excludes 0, bad direction */ \
    X(RPT_V_HIGHER,         "higher")          /* significant, but not scored */           \
    X(RPT_V_LOWER,          "lower")           /* significant, but not scored */           \
    X(RPT_V_NOT_COMPARABLE, "not comparable")  /* the values describe different things */

typedef enum rpt_verdict_word {
#define RPT__V(code, text) code,
    RPT_VERDICT_LIST(RPT__V)
#undef RPT__V
    RPT_V_COUNT
} rpt_verdict_word;

/* One metric's verdict, built once as data and rendered by each writer (text, Markdown,
 * JSON), so the outputs cannot disagree. */
typedef struct rpt_verdict {
    rpt_metric       metric;
    double           diff;      /* mean over replication pairs of b - a; NAN with no pair */
    double           ci;        /* its Student-t 95% half-width; NAN with fewer than 2 pairs */
    int              pairs;     /* replication pairs where both values exist */
    rpt_verdict_word word;
    bool             single;    /* one pair: no interval, the word is a point comparison */
    char             why[400];  /* why the verdict is not the plain reading of diff, or "" */
} rpt_verdict;

/* The word as printed ("not comparable"). */
const char *rpt_verdict_word_name(rpt_verdict_word w);

/* Paired comparison of metric m between two summaries whose replication r used the same
 * seed (common random numbers). The rules, in order:
 *   - no pair with both values: not comparable;
 *   - a percentile over paid orders (order_to_pay_p*) when some replication pair paid a
 *     different number of orders: not comparable, the populations differ;
 *   - no difference, or a 95% interval that includes 0: same;
 *   - a metric with no better direction: higher / lower;
 *   - a metric that counts oversold orders (orders paid, units sold, revenue, ...) when
 *     either side oversold: higher / lower, never scored (an oversold order is no benefit);
 *   - else better / worse.
 * With one pair there is no interval: `single` is set and the point difference decides. */
void rpt_verdict_of(const rpt_summary *a, const rpt_summary *b, rpt_metric m, rpt_verdict *out);
/* Writes the verdict's word, with " (1 run)" when single, into buf (always terminated). */
void rpt_verdict_label(const rpt_verdict *v, char *buf, size_t n);

/* Which strategy to use, and why, as data. */
#define RPT_WHY_MAX 12
/* Below this many replications a recommendation that rests on intervals (one strategy
 * dominating the others) says that it should be confirmed with more. */
#define RPT_FIRM_REPLICATIONS 5
typedef struct rpt_recommendation {
    int  strategy;                 /* index into the summaries; -1 when none can be named */
    int  nwhy;                     /* reasons used */
    char why[RPT_WHY_MAX][512];    /* the reasons, in order, full sentences */
} rpt_recommendation;

/* Recommends among n summaries of the same scenario under different strategies (common
 * random numbers). A strategy that oversold in any replication, or broke an invariant, is
 * never named while another did not; among the rest, the one with the most
 * genuine_orders_served is named only when its paired 95% interval against every other
 * excludes 0 (with one replication nothing is separated). Otherwise strategy is -1 and
 * `why` says which strategies are indistinguishable. */
void rpt_recommend(const rpt_summary *sums, int n, rpt_recommendation *out);

#endif
