/*
 * rpt_metric.h — the metrics: one row per metric, everything else derived from it.
 *
 * A row says what a metric counts (its unit), which way is better, how compare and check
 * treat it (flags) and which breakdown dimensions split it; the enum ids, the names (JSON
 * keys, DB rows, conditions), the units of every table, compare's verdict table, the
 * "counts oversold orders" and percentile rules of the verdicts, the breakdown columns and
 * the check of docs/metrics.md (tests/test_metric.c) all come from RPT_METRIC_LIST. Code
 * names a metric by its id, RPT_M_<name>, so renaming a row fails to compile wherever the
 * old name is used. docs/metrics.md defines each metric in full.
 */
#ifndef RPT_METRIC_H
#define RPT_METRIC_H

#include <stdbool.h>

/* ---- units: what a metric counts ------------------------------------------------------ */

/* X(ID, label): the label is what tables print after a value (money prints the currency). */
#define RPT_UNIT_LIST(X)                 \
    X(ORDERS,       "orders")            \
    X(CUSTOMERS,    "customers")         \
    X(PAYMENTS,     "payments")          \
    X(UNITS,        "units")             \
    X(UNIT_SECONDS, "unit-seconds")      \
    X(SECONDS,      "s")                 \
    X(ORDERS_PER_S, "orders/s")          \
    X(MONEY,        "money")             \
    X(RETURNS,      "returns")           \
    X(ACTIONS,      "actions")           \
    X(REQUESTS,     "requests")          \
    X(SESSIONS,     "sessions")          \
    X(POINTS,       "points")            \
    X(SUB_ORDERS,   "sub-orders")        \
    X(CHANGES,      "changes")           \
    X(SKIPS,        "skips")

typedef enum rpt_unit {
#define RPT__UE(id, label) RPT_U_##id,
    RPT_UNIT_LIST(RPT__UE)
#undef RPT__UE
    RPT_UNIT_COUNT
} rpt_unit;

/* The label of unit u ("orders", "unit-seconds"); money is `currency` when one is given. */
const char *rpt_unit_label(rpt_unit u, const char *currency);

/* ---- breakdown dimensions -------------------------------------------------------------- */

/* Counts and amounts broken down by a dimension (docs/metrics.md, "Breakdowns"). A dimension
 * is a row key every order (or request) carries. X(ID, JSON key, row label). A new dimension
 * is one line here, its mask in the rows that it splits and its key in the simulator. */
#define RPT_BD_DIM_LIST(X)                                   \
    X(SEGMENT,   "by_segment",   "segment")                  \
    X(SKU,       "by_sku",       "SKU")                      \
    X(PROMOTION, "by_promotion", "promotion")                \
    X(CHANNEL,   "by_channel",   "payment channel")

typedef enum rpt_bd_dim {
#define RPT__D(id, key, label) RPT_BD_##id,
    RPT_BD_DIM_LIST(RPT__D)
#undef RPT__D
    RPT_BD_DIMS
} rpt_bd_dim;

/* The breakdowns column of a row: which dimensions split the metric. An order carries its
 * segment and its payment channel, so whatever counts orders or their money is split by
 * both (RPT_BDM_ORDER); a SKU owns units and, in proportion to list value, money. */
#define RPT_BDM_SEGMENT   (1u << RPT_BD_SEGMENT)
#define RPT_BDM_SKU       (1u << RPT_BD_SKU)
#define RPT_BDM_PROMOTION (1u << RPT_BD_PROMOTION)
#define RPT_BDM_CHANNEL   (1u << RPT_BD_CHANNEL)
#define RPT_BDM_ORDER     (RPT_BDM_SEGMENT | RPT_BDM_CHANNEL)

/* ---- the rows --------------------------------------------------------------------------- */

/* Which way is better: compare's verdicts and the conditions' "worse" read it. */
typedef enum rpt_better { RPT_LOWER = -1, RPT_NEITHER = 0, RPT_HIGHER = 1 } rpt_better;

/* The flags column of a row (0 or an | of these):
 *  RPT_MF_COUNTS_OVERSOLD   counts oversold orders (backordered, or refunded at once) as if
 *                           they were sales: its direction is not applied when a side
 *                           oversold (compare's verdicts, check's baseline gate);
 *  RPT_MF_PERCENTILE_OF(m)  a percentile over the orders metric m counts: only compared when
 *                           both sides have the same count in every replication pair; may
 *                           be null (no order to take it over);
 *  RPT_MF_MAY_BE_NULL       a run may leave it null (no value), for another reason;
 *  RPT_MF_VERDICT(pos)      shown in compare's verdict table, at position pos (1, 2, ...);
 *  RPT_MF_REVIEW            no better direction, but `check` treats a change beyond the
 *                           tolerance as a change to review (failing under
 *                           --fail-on-change): the directionless money figures. */
#define RPT_MF_COUNTS_OVERSOLD  (1u << 0)
#define RPT_MF_MAY_BE_NULL      (1u << 1)
#define RPT_MF_REVIEW           (1u << 2)
#define RPT_MF_VERDICT(pos)     ((unsigned)(pos) << 8)
#define RPT_MF_PERCENTILE_OF(m) (((unsigned)RPT_M_##m + 1u) << 16)

/* X(name, unit, better, flags, breakdowns, summary): one row per metric, in the order of the
 * JSON keys and the tables (append a new metric at the end). summary is one line for people;
 * docs/metrics.md holds the full definition. */
#define RPT_METRIC_LIST(X)                                                                                     \
    X(customers, RPT_U_CUSTOMERS, RPT_NEITHER, 0, RPT_BDM_SEGMENT,                                           \
      "arrivals in [warmup, horizon); a bot visit is one customer")                                            \
    X(orders_created, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                           \
      "creation requests that passed risk control and the stock check")                                      \
    X(orders_rejected_stockout, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_SEGMENT,                               \
      "creation requests rejected for too few available units")                                              \
    X(orders_blocked_risk, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_SEGMENT,                                    \
      "creation requests blocked by risk control")                                                           \
    X(orders_paid, RPT_U_ORDERS, RPT_HIGHER, RPT_MF_COUNTS_OVERSOLD | RPT_MF_VERDICT(6), RPT_BDM_ORDER,      \
      "successful payments, oversold ones included")                                                         \
    X(orders_expired, RPT_U_ORDERS, RPT_LOWER, 0, RPT_BDM_ORDER,                                             \
      "unpaid orders closed by the expiry timer")                                                            \
    X(orders_cancelled, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                         \
      "orders cancelled by the buyer")                                                                       \
    X(orders_refunded, RPT_U_ORDERS, RPT_LOWER, RPT_MF_VERDICT(13), RPT_BDM_ORDER,                           \
      "paid orders refunded before shipping")                                                                \
    X(orders_returned, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                          \
      "orders returned whole after delivery")                                                                \
    X(orders_completed, RPT_U_ORDERS, RPT_HIGHER, RPT_MF_COUNTS_OVERSOLD, RPT_BDM_ORDER,                     \
      "orders that reached completed")                                                                       \
    X(payments_rejected_revalidation, RPT_U_PAYMENTS, RPT_LOWER, RPT_MF_VERDICT(12), RPT_BDM_ORDER,          \
      "payments refused at payment start for want of stock")                                                 \
    X(units_sold, RPT_U_UNITS, RPT_HIGHER, RPT_MF_COUNTS_OVERSOLD | RPT_MF_VERDICT(7),                       \
      RPT_BDM_ORDER | RPT_BDM_SKU, "units of successful payments, oversold units included")                  \
    X(oversold_units, RPT_U_UNITS, RPT_LOWER, RPT_MF_VERDICT(1), RPT_BDM_ORDER | RPT_BDM_SKU,                \
      "units paid for that on-hand stock did not cover")                                                     \
    X(oversold_orders, RPT_U_ORDERS, RPT_LOWER, RPT_MF_VERDICT(2), RPT_BDM_ORDER,                            \
      "paid orders with a shortfall")                                                                        \
    X(locked_stock_peak, RPT_U_UNITS, RPT_LOWER, RPT_MF_VERDICT(8), 0,                                       \
      "the most units locked at once")                                                                       \
    X(locked_stock_mean, RPT_U_UNITS, RPT_LOWER, 0, 0,                                                       \
      "units locked on average over the measured time")                                                      \
    X(locked_unit_seconds, RPT_U_UNIT_SECONDS, RPT_LOWER, RPT_MF_VERDICT(9), 0,                              \
      "time integral of locked units")                                                                       \
    X(malicious_locked_unit_seconds, RPT_U_UNIT_SECONDS, RPT_LOWER, RPT_MF_VERDICT(10), 0,                   \
      "the part of locked_unit_seconds held by bots' orders")                                                \
    X(genuine_rejected_while_locked, RPT_U_ORDERS, RPT_LOWER, RPT_MF_VERDICT(11), RPT_BDM_SEGMENT,           \
      "genuine requests turned away while the units they wanted were locked")                                \
    X(unsold_units_end, RPT_U_UNITS, RPT_NEITHER, RPT_MF_VERDICT(14), RPT_BDM_SKU,                           \
      "units on hand at the horizon")                                                                        \
    X(sellout_time, RPT_U_SECONDS, RPT_NEITHER, RPT_MF_MAY_BE_NULL | RPT_MF_VERDICT(17), 0,                  \
      "first instant every SKU's available stock is <= 0; null if never")                                    \
    X(throughput_paid_per_s, RPT_U_ORDERS_PER_S, RPT_HIGHER, RPT_MF_COUNTS_OVERSOLD, 0,                      \
      "orders_paid per second of measured time")                                                             \
    X(throughput_completed_per_s, RPT_U_ORDERS_PER_S, RPT_HIGHER, RPT_MF_COUNTS_OVERSOLD, 0,                 \
      "orders_completed per second of measured time")                                                        \
    X(peak_paid_per_s, RPT_U_ORDERS_PER_S, RPT_NEITHER, 0, 0,                                                \
      "the most payments in one second")                                                                     \
    X(order_to_pay_p50, RPT_U_SECONDS, RPT_LOWER, RPT_MF_PERCENTILE_OF(orders_paid), 0,                      \
      "median time from creation to payment over paid orders")                                               \
    X(order_to_pay_p95, RPT_U_SECONDS, RPT_LOWER, RPT_MF_PERCENTILE_OF(orders_paid) | RPT_MF_VERDICT(16), 0, \
      "95th percentile of creation-to-payment time over paid orders")                                        \
    X(order_to_pay_p99, RPT_U_SECONDS, RPT_LOWER, RPT_MF_PERCENTILE_OF(orders_paid), 0,                      \
      "99th percentile of creation-to-payment time over paid orders")                                        \
    X(revenue, RPT_U_MONEY, RPT_HIGHER, RPT_MF_COUNTS_OVERSOLD | RPT_MF_VERDICT(15),                         \
      RPT_BDM_ORDER | RPT_BDM_SKU, "money captured minus money refunded")                                    \
    X(discount_total, RPT_U_MONEY, RPT_NEITHER, RPT_MF_REVIEW, RPT_BDM_ORDER | RPT_BDM_SKU | RPT_BDM_PROMOTION,          \
      "discounts on paid orders")                                                                            \
    X(refund_total, RPT_U_MONEY, RPT_LOWER, 0, RPT_BDM_ORDER | RPT_BDM_SKU,                                  \
      "money refunded")                                                                                      \
    X(orders_modified, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                          \
      "accepted changes of an unpaid order's quantity")                                                      \
    X(orders_open_end, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                          \
      "orders still open at the horizon")                                                                    \
    X(returns_refused_window, RPT_U_RETURNS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                  \
      "return requests the process refused")                                                                 \
    X(forbidden_actions, RPT_U_ACTIONS, RPT_NEITHER, 0, 0,                                                   \
      "actions the state machine refused")                                                                   \
    X(captured_total, RPT_U_MONEY, RPT_NEITHER, RPT_MF_REVIEW, RPT_BDM_ORDER | RPT_BDM_SKU,                              \
      "money captured by payments (gross)")                                                                  \
    X(genuine_orders_paid, RPT_U_ORDERS, RPT_HIGHER, RPT_MF_COUNTS_OVERSOLD | RPT_MF_VERDICT(5),             \
      RPT_BDM_ORDER, "paid orders of genuine customers, oversold ones included")                             \
    X(orders_cancelled_after_pay, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                               \
      "paid orders the buyer cancelled")                                                                     \
    X(genuine_orders_served, RPT_U_ORDERS, RPT_HIGHER, RPT_MF_VERDICT(4), RPT_BDM_ORDER,                     \
      "paid orders of genuine customers that stock fully covered")                                           \
    X(revenue_at_risk, RPT_U_MONEY, RPT_LOWER, RPT_MF_VERDICT(3), RPT_BDM_ORDER | RPT_BDM_SKU,               \
      "money captured for backordered orders")                                                               \
    X(order_reads, RPT_U_REQUESTS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                            \
      "read requests that reached the order service")                                                        \
    X(payment_sessions_abandoned, RPT_U_SESSIONS, RPT_NEITHER, 0, RPT_BDM_ORDER,                             \
      "payment sessions started, abandoned and timed out")                                                   \
    X(units_bought_by_bots, RPT_U_UNITS, RPT_LOWER, 0, RPT_BDM_ORDER | RPT_BDM_SKU,                          \
      "units paid for by malicious segments")                                                                \
    X(retries, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_SEGMENT,                                                \
      "new orders placed to try again after a failure")                                                      \
    X(customers_served, RPT_U_CUSTOMERS, RPT_HIGHER, 0, RPT_BDM_SEGMENT,                                     \
      "genuine customers with at least one served order")                                                    \
    X(customers_turned_away_by_display, RPT_U_CUSTOMERS, RPT_LOWER, 0, RPT_BDM_SEGMENT,                      \
      "genuine customers who saw 0 units displayed and did not order")                                       \
    X(turned_away_while_available, RPT_U_CUSTOMERS, RPT_LOWER, 0, RPT_BDM_SEGMENT,                           \
      "the part of those whose basket the stock could have covered")                                         \
    X(points_awarded, RPT_U_POINTS, RPT_NEITHER, 0, RPT_BDM_ORDER | RPT_BDM_SKU,                             \
      "membership points earned at payment")                                                                 \
    X(points_returned, RPT_U_POINTS, RPT_NEITHER, 0, RPT_BDM_ORDER | RPT_BDM_SKU,                            \
      "membership points given back by refunds and returns")                                                 \
    X(orders_refunded_by_buyer, RPT_U_ORDERS, RPT_LOWER, 0, RPT_BDM_ORDER,                                   \
      "refunds the buyer asked for and was granted")                                                         \
    X(refunds_refused, RPT_U_REQUESTS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                        \
      "refunds asked for that the process refused")                                                          \
    X(orders_cancelled_by_merchant, RPT_U_ORDERS, RPT_LOWER, 0, RPT_BDM_ORDER,                               \
      "paid orders the merchant cancelled at picking")                                                       \
    X(returns_rejected, RPT_U_RETURNS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                        \
      "return requests the merchant refused")                                                                \
    X(orders_returned_partly, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                   \
      "returns of one line of a multi-line order")                                                           \
    X(discount_taken_back, RPT_U_MONEY, RPT_NEITHER, RPT_MF_REVIEW, RPT_BDM_ORDER | RPT_BDM_SKU,                         \
      "discount withheld from the refunds of partly returned orders")                                        \
    X(sub_orders, RPT_U_SUB_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                           \
      "sub-orders made at payment, one per (warehouse, merchant) of an order")                               \
    X(addresses_modified, RPT_U_CHANGES, RPT_NEITHER, 0, RPT_BDM_ORDER,                                      \
      "shipping-address changes made")                                                                       \
    X(address_changes_refused, RPT_U_CHANGES, RPT_NEITHER, 0, RPT_BDM_ORDER,                                 \
      "shipping-address changes the process refused")                                                          \
    X(customers_shed, RPT_U_CUSTOMERS, RPT_LOWER, 0, RPT_BDM_SEGMENT,                                        \
      "visits shed by admission: rate limit or a full waiting room")                                         \
    X(customers_left_waiting_room, RPT_U_CUSTOMERS, RPT_LOWER, 0, RPT_BDM_SEGMENT,                           \
      "visits whose patience ended in the waiting room")                                                     \
    X(customers_turned_away_by_flag, RPT_U_CUSTOMERS, RPT_NEITHER, 0, RPT_BDM_SEGMENT,                       \
      "visits turned away because every SKU they wanted was flagged sold out")                               \
    X(requests_timed_out, RPT_U_REQUESTS, RPT_LOWER, 0, RPT_BDM_SEGMENT,                                     \
      "order requests rejected after waiting past a queue's timeout")                                           \
    X(payments_timed_out, RPT_U_PAYMENTS, RPT_LOWER, 0, RPT_BDM_ORDER,                                       \
      "payments not done within payment.timeout of joining the payment station")                             \
    X(requests_failed_outage, RPT_U_REQUESTS, RPT_LOWER, 0, RPT_BDM_SEGMENT,                                 \
      "order requests and payments that arrived at a part of the system during its outage")    \
    X(modifications_refused, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                    \
      "quantity modifications refused: past the per-user limit, or beyond the stock")                         \
    X(genuine_customers_lost_to_locks, RPT_U_CUSTOMERS, RPT_LOWER, RPT_MF_VERDICT(18), 0,                    \
      "genuine customers turned away while locks later wasted held the units they wanted")                    \
    X(coupon_uses_refused, RPT_U_ORDERS, RPT_NEITHER, 0, RPT_BDM_ORDER,                                      \
      "orders placed without their coupon: the account had used it per_customer times")

typedef enum rpt_metric {
#define RPT__M(name, unit, better, flags, bd, summary) RPT_M_##name,
    RPT_METRIC_LIST(RPT__M)
#undef RPT__M
    RPT_METRIC_COUNT
} rpt_metric;

/* The row's facts. Out-of-range ids give "?", no unit and no flags. */
const char *rpt_metric_name(rpt_metric m);
rpt_unit rpt_metric_unit(rpt_metric m);
/* unit label of m (rpt_unit_label). */
const char *rpt_metric_unit_label(rpt_metric m, const char *currency);
/* +1 when higher is better, -1 when lower, 0 when neither. */
int rpt_metric_better(rpt_metric m);
const char *rpt_metric_summary(rpt_metric m);
/* The id of a metric name, or -1 for an unknown name. */
int rpt_metric_find(const char *name);
/* The metric name closest to a misspelt one (for "did you mean"), or NULL. */
const char *rpt_metric_closest(const char *name);
/* RPT_MF_COUNTS_OVERSOLD: an order stock does not cover is no benefit, so the direction of
 * such a metric must not be applied when a side oversold. */
bool rpt_metric_counts_oversold(rpt_metric m);
/* The orders metric a percentile is taken over (RPT_MF_PERCENTILE_OF), or -1. */
int rpt_metric_percentile_of(rpt_metric m);
/* True for metrics a run may leave null (percentiles, RPT_MF_MAY_BE_NULL); every other
 * metric always has a value, so a null one in a stored baseline means an older build lacked it. */
bool rpt_metric_may_be_null(rpt_metric m);
/* The dimensions that split m, as a mask of RPT_BDM_*. */
unsigned rpt_metric_breakdowns(rpt_metric m);
/* What `check` makes of a metric that moved beyond its tolerance (docs/regression.md, "Gate
 * directions"): the worse way of a metric with a better direction is a regression; a
 * RPT_MF_REVIEW figure is a change to review (failing under --fail-on-change); any other
 * directionless figure is reported as changed. */
typedef enum rpt_gate_dir {
    RPT_GATE_LOWER = -1,   /* lower is better */
    RPT_GATE_INFO = 0,     /* no better direction: reported */
    RPT_GATE_HIGHER = 1,   /* higher is better */
    RPT_GATE_REVIEW = 2,   /* no better direction, but money: a change to review */
} rpt_gate_dir;
rpt_gate_dir rpt_metric_gate(rpt_metric m);
/* Compare's verdict table: fills out (room for RPT_METRIC_COUNT) with the metrics flagged
 * RPT_MF_VERDICT, in position order; returns how many. */
int rpt_metric_verdict_table(rpt_metric *out);

#endif
