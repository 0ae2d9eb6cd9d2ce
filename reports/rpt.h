/*
 * rpt.h — the run-results record and what is computed from it.
 *
 * The simulator fills an rpt_run; this module never sees the simulator. The metrics are one
 * table (rpt_metric.h), so the JSON keys, the tables, the DB rows, the breakdowns and
 * compare's verdicts all come from one row per metric and cannot drift.
 */
#ifndef RPT_H
#define RPT_H

#include "cnd.h"
#include "os.h"
#include "rpt_metric.h"

#include <stdio.h>

/* ---- histogram ----------------------------------------------------------------------- */

/* A fixed-size log-linear histogram of non-negative values (seconds): 64 sub-buckets per
 * power of two from 2^-20 s (about 1 us) to 2^31 s, relative bucket width <= 1/64. Values
 * below the range go to bucket 0. Quantiles return the bucket midpoint clamped to the exact
 * observed min and max, so a constant sample gives its exact value. Memory is fixed (26 KB). */
#define RPT_HIST_SUB    64
#define RPT_HIST_OCT    51
#define RPT_HIST_MINEXP (-20)
typedef struct rpt_hist {
    uint64_t count;                                  /* values recorded */
    double   sum;                                    /* their sum (exact mean) */
    double   min, max;                               /* exact extremes */
    uint32_t b[RPT_HIST_OCT * RPT_HIST_SUB + 1];     /* bucket counts */
} rpt_hist;

void rpt_hist_init(rpt_hist *h);
void rpt_hist_add(rpt_hist *h, double v);
/* The q-quantile (0..1); NaN when empty. */
double rpt_hist_quantile(const rpt_hist *h, double q);
double rpt_hist_mean(const rpt_hist *h);
/* Lower bound and width of bucket i, for charts. */
double rpt_hist_bucket_low(int i);
int rpt_hist_bucket_count(void);

/* ---- the record of one run ------------------------------------------------------------ */

/* Stations a run can report: the built-ins (order_service, payment, warehouse, inventory,
 * inventory_db, waiting_room) and the services a scenario declares. A station may also carry
 * a row per SKU (rpt_run.sub: stations.inventory.skus.SKU.FIGURE), without limit here. */
#define RPT_MAX_STATIONS 16
#define RPT_NAME_MAX 64

/* ---- breakdowns ------------------------------------------------------------------------ */

/* Breakdowns (docs/metrics.md, "Breakdowns"): the dimensions are in rpt_metric.h and each
 * metric's row says which dimensions split it. */
/* The most rows a breakdown dimension can have (the catalog's limit is the largest). */
#define RPT_BD_MAX_ROWS 4096

/* Figures that exist only in a breakdown, numbered after the metrics. X(name, unit, dimension). */
#define RPT_BD_EXTRA_LIST(X)                          \
    X(budget_left,  RPT_U_MONEY, RPT_BD_PROMOTION)    \
    X(budget_skips, RPT_U_SKIPS, RPT_BD_PROMOTION)

enum {
    RPT_BD__BEFORE_EXTRAS = RPT_METRIC_COUNT - 1,
#define RPT__E(name, unit, dim) RPT_BD_##name,
    RPT_BD_EXTRA_LIST(RPT__E)
#undef RPT__E
    RPT_BD_FIGURES            /* metrics + extras: the figure numbers a breakdown column uses */
};

/* One dimension's breakdown: a row per key, a column per figure the dimension covers. */
typedef struct rpt_bd {
    int     nrows;                   /* keys (0: the dimension is empty in this run) */
    int     ncols;                   /* rpt_bd_columns(dim) */
    char  (*keys)[RPT_NAME_MAX];     /* owned: row names */
    double *v;                       /* owned: nrows x ncols values, row-major; NAN = null */
} rpt_bd;

/* The dimension's JSON key ("by_segment") and row label ("segment"). */
const char *rpt_bd_key(rpt_bd_dim d);
const char *rpt_bd_label(rpt_bd_dim d);
/* The figures (metric numbers, or RPT_BD_* extras) a dimension breaks down, in column order;
 * returns how many. Derived from the metric rows' breakdowns column (rpt.c). */
int rpt_bd_columns(rpt_bd_dim d, const int **figures);
/* The column of figure f in dimension d, or -1 when d does not break f down. */
int rpt_bd_column(rpt_bd_dim d, int f);
/* Name and unit of a breakdown figure (a metric's, or an extra's). */
const char *rpt_bd_figure_name(int f);
rpt_unit rpt_bd_figure_unit(int f);
/* True when a figure's rows must add up to the run's total of the same metric. */
bool rpt_bd_additive(int f);


typedef struct rpt_station {
    char   name[RPT_NAME_MAX]; /* "order_service", "payment", "warehouse" */
    int    servers;            /* 0 = unlimited (not modelled) */
    double mean_service;       /* seconds, from the scenario (for the analytic bound) */
    double utilization;        /* busy server-seconds / (servers x horizon) */
    double wait_mean;          /* seconds queued before service, requests started before horizon */
    double wait_p50;           /* seconds */
    double wait_p95;           /* seconds */
    double wait_p99;           /* seconds */
    double queue_max;          /* longest queue seen */
    double served;             /* requests whose service started */
    double response_mean;      /* seconds: wait + service, same requests as the waits */
    double response_p50;       /* seconds */
    double response_p95;       /* seconds */
    double response_p99;       /* seconds */
    double utilization_peak;   /* the highest utilization over the sample windows */
    double timeouts;           /* requests that waited in the queue longer than the station's timeout */
} rpt_station;

/* A station's row for one key (a SKU's row lock under the inventory station): the same
 * figures, reported as stations.PARENT.skus.NAME.FIGURE. */
typedef struct rpt_station_row {
    int         parent;        /* index into rpt_run.st */
    rpt_station st;            /* st.name is the key (the SKU) */
} rpt_station_row;

/* What a series column holds. The simulator declares each column once, with a descriptor
 * (rpt_series_columns); the charts, the DB and the warnings read the descriptors and never
 * match column names, so a custom process's states are charted like the built-ins' and a
 * new column is one declaration in the simulator. X(id, name). */
#define RPT_COL_KIND_LIST(X)                                                                   \
    X(TIME,        "time")        /* "t", virtual seconds (column 0) */                       \
    X(STOCK,       "stock")       /* units of stock at the sample, summed over SKUs */       \
    X(STATE,       "state")       /* orders in one state of the process */                   \
    X(FLOW,        "flow")        /* a rate: customers arriving, orders paying */            \
    X(REJECTION,   "rejection")   /* a rate: orders turned away, by reason */                \
    X(QUEUE,       "queue")       /* a station figure: requests waiting at the sample */     \
    X(UTILIZATION, "utilization") /* a station figure: busy fraction of the sample window */
typedef enum rpt_col_kind {
#define RPT__K(id, name) RPT_COL_##id,
    RPT_COL_KIND_LIST(RPT__K)
#undef RPT__K
    RPT_COL_KINDS
} rpt_col_kind;

/* How a column's values accumulate: a level read at the sample, a count within the sample
 * interval, or a count since the warmup (charts plot the last two per minute). */
#define RPT_COL_COUNT_LIST(X) X(LEVEL, "level") X(INTERVAL, "interval") X(CUMULATIVE, "cumulative")
typedef enum rpt_col_count {
#define RPT__C(id, name) RPT_COUNT_##id,
    RPT_COL_COUNT_LIST(RPT__C)
#undef RPT__C
    RPT_COL_COUNTS
} rpt_col_count;

typedef struct rpt_col {
    char          name[RPT_NAME_MAX];  /* the key in the DB and in chart data ("cum.customers", "state.paid") */
    char          label[RPT_NAME_MAX]; /* what a legend says: "arrivals", a state's or a station's name */
    char          unit[16];            /* "s", "units", "orders", "customers", "requests", "fraction" */
    rpt_col_kind  kind;
    rpt_col_count count;
    bool          signed_level;        /* may go below 0 (available stock under oversell); the charts
                                          clamp every other column's band at 0 */
} rpt_col;

/* The names of kinds and counts (for the DB); the _find functions return -1 when unknown. */
const char *rpt_col_kind_name(rpt_col_kind k);
int rpt_col_kind_find(const char *name);
const char *rpt_col_count_name(rpt_col_count c);
int rpt_col_count_find(const char *name);

/* Time series: a row per sample, each column declared once. */
#define RPT_MAX_COLS 64
typedef struct rpt_series {
    int     ncols;                          /* columns, including "t" first */
    rpt_col cols[RPT_MAX_COLS];             /* what each column holds */
    size_t  nrows, cap;                     /* rows used / allocated */
    double *v;                              /* nrows x ncols values, row-major */
} rpt_series;

/* One order transition, kept with --ledger ("which orders oversold, and when?"). */
typedef struct rpt_trans {
    double   t;          /* virtual time */
    uint64_t order;      /* order id */
    int32_t  shortfall;  /* units oversold by this payment */
    int8_t   from, to;   /* state indexes into rpt_run.states; from = -1 at creation */
    uint8_t  action;     /* index into rpt_run.actions */
    uint8_t  actor;      /* index into rpt_run.actors */
} rpt_trans;

#define RPT_MAX_STATES 64   /* merged states of a run's processes (a file's 32 + the built-ins' 17 names) */
#define RPT_MAX_ACTIONS 16

/* A window of time a report shades on its time charts (a fault: docs/scenarios.md "Faults"). */
#define RPT_MAX_WINDOWS 32
typedef struct rpt_window {
    double t0, t1;                     /* seconds */
    char   label[RPT_NAME_MAX];        /* "payment outage", "stations.warehouse slow x3" */
} rpt_window;

typedef struct rpt_run {
    char       scenario[RPT_NAME_MAX]; /* scenario name */
    char       strategy[RPT_NAME_MAX]; /* inventory strategy */
    char       process[RPT_NAME_MAX];  /* process name */
    uint64_t   seed;                   /* seed of this replication */
    int        replication;            /* 0-based */
    int        sweep_point;            /* sweep point index, -1 when not a sweep */
    char       sweep_params[256];      /* the point's "PATH=VALUE,..." */
    double     horizon;                /* seconds */
    double     warmup;                 /* seconds; rates divide by horizon - warmup */
    double     m[RPT_METRIC_COUNT];    /* metrics; NAN means null (sellout never happened) */
    int        nstations;
    rpt_station st[RPT_MAX_STATIONS];
    int        nsub;                   /* per-key rows of stations (per SKU), 0 for most runs */
    rpt_station_row *sub;              /* owned: nsub rows, grouped by parent, in catalog order */
    rpt_hist   order_to_pay;           /* latency distribution, for charts */
    rpt_series series;                 /* sampled time series */
    bool       invariants_ok;          /* every check passed */
    os_diag    violations;             /* what broke, if anything */
    uint64_t   events;                 /* events executed */
    double     wall_seconds;           /* wall time of the run (never in metrics) */
    uint64_t   peak_rss_bytes;         /* process peak RSS after the run */
    rpt_trans *trans;                  /* with --ledger: every transition, in order */
    size_t     ntrans, cap_trans;
    int        nstates, nactions, nactors;           /* names for trans */
    char       states[RPT_MAX_STATES][RPT_NAME_MAX];
    char       actions[RPT_MAX_ACTIONS][RPT_NAME_MAX];
    char       actors[4][RPT_NAME_MAX];
    rpt_bd     bd[RPT_BD_DIMS];        /* breakdowns; empty (nrows 0) when not filled */
    int        nwindows;               /* fault windows the charts shade (not stored in the DB) */
    rpt_window windows[RPT_MAX_WINDOWS];
} rpt_run;

/* Gives the run n zeroed per-key station rows (rpt_run.sub), replacing any. */
void rpt_sub_alloc(rpt_run *r, int n);

/* Gives the run's breakdown of dimension d nrows zeroed rows (keys ""), replacing any. */
void rpt_bd_alloc(rpt_run *r, rpt_bd_dim d, int nrows);
/* Checks that every additive column of every breakdown adds up to the run's metric: counts
 * exactly, money within a cent (amounts are summed in floating point in a different order).
 * Adds one message per breach ("breakdown by_segment: orders_paid: rows add up to 9, the
 * total is 10"); returns how many. */
int rpt_bd_check(const rpt_run *r, os_diag *diag);

/* Appends a transition to the run's ledger. */
void rpt_trans_add(rpt_run *r, const rpt_trans *t);

/* Zeroes a record (all metrics 0, no series). Release with rpt_run_fini. */
void rpt_run_init(rpt_run *r);
void rpt_run_fini(rpt_run *r);
/* Declares the series columns: "t" (kind RPT_COL_TIME) first, then the n given ones, copied. */
void rpt_series_columns(rpt_series *s, int n, const rpt_col *cols);
/* The index of the column named `name`, or -1. */
int rpt_series_find(const rpt_series *s, const char *name);
/* Appends one row of ncols values (t first). */
void rpt_series_add(rpt_series *s, const double *row);

/* ---- summaries over replications ------------------------------------------------------ */

/* Station figures kept in summaries; the first four are the ones docs/json.md lists first. X(name, better):
 * better is -1 when lower is better, 0 when neither (as for metrics). */
#define RPT_ST_FIGURE_LIST(X)   \
    X(UTILIZATION,      utilization,      0)  \
    X(WAIT_MEAN,        wait_mean,       -1)  \
    X(WAIT_P95,         wait_p95,        -1)  \
    X(QUEUE_MAX,        queue_max,       -1)  \
    X(WAIT_P50,         wait_p50,        -1)  \
    X(WAIT_P99,         wait_p99,        -1)  \
    X(RESPONSE_MEAN,    response_mean,   -1)  \
    X(RESPONSE_P50,     response_p50,    -1)  \
    X(RESPONSE_P95,     response_p95,    -1)  \
    X(RESPONSE_P99,     response_p99,    -1)  \
    X(UTILIZATION_PEAK, utilization_peak, 0)  \
    X(TIMEOUTS,         timeouts,        -1)
typedef enum rpt_st_figure {
#define RPT__F(id, name, better) RPT_ST_##id,
    RPT_ST_FIGURE_LIST(RPT__F)
#undef RPT__F
    RPT_ST_FIGURES
} rpt_st_figure;
#define RPT_ST_CONTRACT 4
/* The figure's name ("utilization", "wait_p50"...); rpt_st_figure_find returns -1 for an
 * unknown name. */
const char *rpt_st_figure_name(rpt_st_figure f);
int rpt_st_figure_find(const char *name);
int rpt_st_figure_better(rpt_st_figure f);
/* The figure's value in a station record. */
double rpt_st_value(const rpt_station *st, rpt_st_figure f);
/* Sets the figure's value in a station record. */
void rpt_st_set(rpt_station *st, rpt_st_figure f, double v);

typedef struct rpt_summary {
    const rpt_run *runs;            /* the replications (not owned) */
    int     n;                      /* how many */
    double  mean[RPT_METRIC_COUNT]; /* mean over runs where the metric is not null; NAN if all null */
    double  ci95[RPT_METRIC_COUNT]; /* Student-t half-width; NAN when n < 2 */
    double  st_mean[RPT_MAX_STATIONS][RPT_ST_FIGURES]; /* indexed by rpt_st_figure */
    double  st_ci95[RPT_MAX_STATIONS][RPT_ST_FIGURES];
    bool    invariants_ok;          /* all runs passed */
    uint64_t events;                /* summed */
    double  wall_seconds;           /* summed */
    uint64_t peak_rss_bytes;        /* max */
} rpt_summary;

/* The mean over the summary's replications of breakdown cell (row, col) of dimension d; NAN
 * when no replication has a value (breakdowns are means over replications, without
 * intervals: docs/metrics.md). */
double rpt_bd_mean(const rpt_summary *s, rpt_bd_dim d, int row, int col);

/* The mean and 95% half-width (NAN with one run) over the summary's runs of figure f of the
 * row `key` of station `station`; false when the runs have no such row. */
bool rpt_sub_value(const rpt_summary *s, const char *station, const char *key, rpt_st_figure f, double *mean, double *ci);
/* Summarises n runs (n >= 1). */
void rpt_summarize(const rpt_run *runs, int n, rpt_summary *out);

/* ---- figure references and conditions (thresholds, --slo, tolerances) ------------------ */

/* A figure named in user input: a metric ("order_to_pay_p95") or a station figure
 * ("stations.order_service.response_p95"). */
typedef struct rpt_ref {
    int  metric;                   /* metric index, or -1 for a station figure */
    char station[RPT_NAME_MAX];    /* station name when metric < 0 */
    char key[RPT_NAME_MAX];        /* a per-SKU row (stations.NAME.skus.KEY.FIGURE), or "" */
    rpt_st_figure figure;          /* station figure when metric < 0 */
} rpt_ref;

/* "NAME OP NUMBER": a figure, a comparison and its right-hand side. */
typedef struct rpt_cond {
    char    name[96];              /* the figure as written */
    rpt_ref ref;                   /* what it names */
    cnd_op  op;                    /* comparison */
    double  value;                 /* right-hand side */
} rpt_cond;

/* Resolves a figure name. `stations` (n of them) are the station names the figure may
 * name. On failure returns false and writes what was wrong (with a "did you mean" when a
 * name is close) to err; *col gets the 0-based offset in `name` where the problem starts. */
bool rpt_ref_parse(const char *name, const char *const *stations, int n, rpt_ref *out, char *err, size_t errn, int *col);
/* Parses "NAME OP NUMBER" (spaces optional): the one grammar of --slo. On failure returns
 * false with the message in err and the 0-based column of the problem in *col. */
bool rpt_cond_parse(const char *text, const char *const *stations, int n, rpt_cond *out, char *err, size_t errn, int *col);
/* The referenced figure's mean in a summary; false when the summary has no such station. */
bool rpt_ref_value(const rpt_summary *s, const rpt_ref *r, double *out);
/* The referenced figure's value in one run; NAN when the run has no such station or row. */
double rpt_ref_run_value(const rpt_run *r, const rpt_ref *ref);
/* Whether lower (-1) or higher (+1) is better for the referenced figure, or 0. */
int rpt_ref_better(const rpt_ref *r);

/* Writes the JSON object (docs/json.md) for a summary (%.17g numbers, null for NAN). With
 * `engine` false the engine figures are left out (for byte-identical comparisons). */
void rpt_write_json(const rpt_summary *s, FILE *out, bool engine, int indent);

/* s made safe to print on a terminal or in a log, into buf (returned): control characters
 * (ESC, BEL, CR, newline...) and bytes that are not UTF-8 as \xNN; cut with
 * "... (N bytes in all)" when it does not fit (n >= 64). */
const char *rpt_printable(const char *s, char *buf, size_t n);

#endif
