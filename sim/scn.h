/*
 * scn.h — scenarios: the JSON format of docs/scenarios.md, loaded and validated into a struct the
 * simulator reads. Every key, default and unit is in docs/scenarios.md.
 *
 * Loading reports every defect in a file at once (file:line:col, JSON path, what was found,
 * what was expected, "did you mean" for misspelt keys) and returns OS_EDATA with no scenario,
 * so nothing runs on bad input.
 */
#ifndef SCN_H
#define SCN_H

#include "fsm.h"
#include "jsn.h"
#include "proc.h"
#include "promo.h"
#include "rpt.h"
#include "sim_rng.h"

#define SCN_MAX_SEGMENTS   16
#define SCN_MAX_SCHEDULE   8784   /* a year of hourly rates */
#define SCN_MAX_PROFILE    10080  /* profile weights: a week by the minute */
#define SCN_MAX_LEVELS     100000 /* levels: 273 years of daily levels */
#define SCN_MAX_THRESHOLDS 64
#define SCN_MAX_WAREHOUSES 16
#define SCN_MAX_SKUS       4096
#define SCN_NAME_MAX       64
#define SCN_MAX_MERCHANTS  16
#define SCN_MAX_CHANNELS   8

typedef struct scn_sku {
    char     sku[SCN_NAME_MAX];      /* identifier */
    int64_t  stock;                  /* initial units */
    os_money price;                  /* cents */
    char     category[SCN_NAME_MAX]; /* free text */
    int32_t  max_per_user;           /* 0 = no limit */
    double   demand_weight;          /* relative popularity, > 0 */
    int      warehouse;              /* index into scn_scenario.warehouses */
    int      process;                /* the goods' own process: -1 none, else a process number (scn_scenario.fsm is 0) */
    int      merchant;               /* index into scn_scenario.merchants */
} scn_sku;

typedef struct scn_channel {
    char     name[SCN_NAME_MAX];     /* card, wallet, bank transfer... */
    double   share;                  /* fraction of orders paid through it */
    sim_dist delay;                  /* its payment delay (default: payment.delay) */
    double   failure_p;              /* its failure probability (default: payment's) */
} scn_channel;

typedef struct scn_segment {
    char     name[SCN_NAME_MAX];     /* label */
    double   share;                  /* fraction of customers */
    bool     malicious;              /* a bot: pays only with pay_probability > 0 (a scalper) */
    sim_dist quantity;               /* units per line (rounded, >= 1) */
    sim_dist basket;                 /* distinct SKUs per order (rounded, >= 1) */
    double   pay_probability;        /* pays (after think); bots default to 0 */
    sim_dist think;                  /* seconds from order to payment start */
    double   cancel_probability;     /* genuine: cancels the unpaid order at create + think */
    double   modify_probability;     /* genuine: changes the quantity at create + think/2 */
    double   cancel_after_pay_probability; /* paid: the buyer tries to cancel (the process decides) */
    sim_dist cancel_after_pay_delay; /* seconds from payment to that attempt */
    double   return_probability;     /* paid: returns after delivery */
    sim_dist return_delay;           /* seconds from delivery to the return request */
    int      orders_per_visit;       /* bots: orders placed at arrival */
    int      accounts_per_visit;     /* bots: accounts they are spread across (<= 64) */
    char     coupon[PROMO_ID_MAX];   /* coupon presented, "" for none */
    int      process;                /* its orders' process: -1 the scenario's, else a process number */
    double   reads_per_order;        /* order-list / order-detail requests per order (mean; 0 = none) */
    sim_dist read_service;           /* their service time at the order service, seconds */
    /* issue 15 items 1-4 */
    double   checkout_abandon_probability; /* starts payment, abandons it (session times out) */
    double   retry_probability;      /* tries again after a stock-out, expiry or failed payment */
    int      retry_max;              /* at most this many retries per order of a visit */
    sim_dist retry_delay;            /* seconds from the failure to the retry */
    int      n_tier_mix;             /* membership: tiers in the mix (0 = no member) */
    uint8_t  tier_of[PROC_MAX_TIERS];/* the mix's tiers, 1-based */
    double   tier_cum[PROC_MAX_TIERS];/* cumulative shares (the rest: no member) */
    double   refund_probability;     /* paid: the buyer asks for a refund before shipping */
    sim_dist refund_delay;           /* seconds from payment to that request */
    bool     return_one_line;        /* return_lines "one": one line of a multi-line order comes back */
    /* issue 15 item 10 */
    double   modify_address_probability; /* changes the order's shipping address */
    sim_dist modify_address_delay;   /* seconds from creation to that change (default: think) */
} scn_segment;

typedef struct scn_station {
    int      servers;                /* 0: unlimited servers, no service time (not modelled) */
    sim_dist service;                /* service time, seconds */
    double   timeout;                /* a request that waited longer in the queue fails; INFINITY = none */
} scn_station;

/* ---- the system around the rules (docs/scenarios.md "Admission", "Services", "Faults") ---- */

#define SCN_MAX_SERVICES 8
#define SCN_MAX_FAULTS   32

/* A service an order calls while it is created (product, promotion, membership...). */
typedef enum scn_role { SCN_ROLE_PRODUCT, SCN_ROLE_PROMOTION, SCN_ROLE_MEMBERSHIP, SCN_ROLE_OTHER } scn_role;
typedef struct scn_service {
    char     name[SCN_NAME_MAX];     /* its station's name: stations.NAME.* */
    scn_role role;                   /* what a degraded call gives up (promotion, membership) */
    int      servers;                /* >= 1 */
    sim_dist service;                /* service time of one call, seconds */
    double   failure_p;              /* a call fails (after its service) */
    double   timeout;                /* a call that waited longer in the queue fails; INFINITY = none */
    int      retries;                /* further calls after a failed one */
    bool     degrade;                /* on_failure "degrade" (promotion, membership only), else reject */
} scn_service;

/* Overload protection before the order service, once per customer visit. */
typedef struct scn_admission {
    bool     rate_limit;             /* a token bucket */
    double   rl_rate, rl_burst;      /* tokens per second, bucket size (default 1) */
    bool     waiting_room;           /* a queue let in at release_rate */
    double   wr_rate;                /* admissions per second */
    int64_t  wr_capacity;            /* customers waiting at most; INT64_MAX = unlimited */
    bool     wr_has_patience;        /* customers leave when their patience ends */
    sim_dist wr_patience;            /* seconds a customer waits at most */
    bool     sold_out_flag;          /* a stock-out sets the SKU's flag for ttl */
    double   flag_ttl;               /* seconds */
} scn_admission;

/* A fault window on one part of the system. */
typedef enum scn_fault_target {
    SCN_FT_PAYMENT, SCN_FT_INVENTORY, SCN_FT_CACHE, SCN_FT_ORDER_SERVICE, SCN_FT_WAREHOUSE, SCN_FT_SERVICE
} scn_fault_target;
typedef struct scn_fault {
    scn_fault_target target;
    int      service;                /* SCN_FT_SERVICE: index into scn_scenario.services */
    double   at, duration;           /* the window [at, at + duration), seconds */
    bool     slow;                   /* kind "slow" (service times x factor), else "outage" */
    double   factor;                 /* slow: >= 1 */
} scn_fault;
/* The stock store (inventory.store, docs/scenarios.md "Stock store"): where a SKU's stock
 * lives and what a stock operation costs. */
typedef enum scn_store_kind { SCN_STORE_INSTANT, SCN_STORE_ROW_LOCK, SCN_STORE_BUCKETS, SCN_STORE_CACHE } scn_store_kind;
/* The store's keys, as bits of scn_store.given (which ones the scenario sets). */
#define SCN_STORE_KEY_LIST(X) X(HOLD, "hold") X(CONNECTIONS, "connections") X(TIMEOUT, "timeout") \
    X(BUCKETS, "buckets") X(PROBES, "probes") X(SYNC_DELAY, "sync_delay") X(DB_HOLD, "db_hold")    \
    X(ON_CACHE_LOSS, "on_cache_loss")
enum {
#define SCN__SK(id, name) SCN_SK_##id##_BIT,
    SCN_STORE_KEY_LIST(SCN__SK)
#undef SCN__SK
    SCN_SK_COUNT
};
typedef struct scn_store {
    scn_store_kind kind;             /* instant (default): stock operations are free and immediate */
    sim_dist hold;                   /* seconds a row operation holds its row (cache: the cache server) */
    int      connections;            /* operations holding a row at once, over all SKUs; 0 = no cap */
    double   timeout;                /* an operation that waited longer for its row fails; INFINITY = none */
    int      buckets;                /* buckets: rows per SKU (>= 2, default 8) */
    int      probes;                 /* buckets: further buckets tried (default 1) */
    sim_dist sync_delay, db_hold;    /* cache: delay before a change reaches its row, row write time */
    bool     reload_from_db;         /* cache: on_cache_loss "reload_from_db" (else reject_until_synced) */
    unsigned given;                  /* bit SCN_SK_*_BIT per key the scenario sets */
} scn_store;

/* A threshold is a condition on a figure (reports' one grammar: rpt_cond). */
typedef rpt_cond scn_threshold;

/* The built-in stations, in report order (stations.NAME.FIGURE names them): order_service,
 * payment, warehouse always; inventory and inventory_db when the stock store is not instant;
 * waiting_room with one. A run reports the ones its scenario declares. */
#define SCN_STATIONS 6
extern const char *const scn_station_names[SCN_STATIONS];

typedef struct scn_scenario {
    char        name[SCN_NAME_MAX];  /* scenario name */
    char       *description;         /* owned, may be "" */
    char        currency[8];         /* ISO 4217 code for money in reports, "" when none */
    char       *file;                /* owned: where it was loaded from */
    os_diag     warnings;            /* owned: its warnings (scn_warn) as cli_load found them, for the report */
    uint64_t    seed;
    double      horizon, warmup;     /* seconds */
    int         n_skus;
    scn_sku    *skus;                /* owned */
    int         n_warehouses;
    char        warehouses[SCN_MAX_WAREHOUSES][SCN_NAME_MAX];
    int         n_merchants;
    char        merchants[SCN_MAX_MERCHANTS][SCN_NAME_MAX];
    int         n_promos;
    promo_def   promos[PROMO_MAX];
    int         n_tiers;             /* membership tiers (n_promos + n_tiers <= PROMO_MAX) */
    proc_tier   tiers[PROC_MAX_TIERS];
    char        strategy[SCN_NAME_MAX];
    double      order_expiry;        /* seconds */
    bool        revalidate;
    bool        oversell_refund;
    int32_t     max_unpaid;          /* risk */
    double      bot_detect_p, false_positive_p;
    bool        deterministic;       /* arrivals */
    double      rate;                /* before the first schedule entry, per second */
    int         n_sched;
    double      sched_at[SCN_MAX_SCHEDULE], sched_rate[SCN_MAX_SCHEDULE];
    /* The rate's shape (sim_rate.h): rate x profile weight x level, all piecewise constant. */
    int         n_profile;           /* profile bins, 0 = no profile */
    double     *profile_w;           /* owned: the weights normalised to mean 1 */
    double      profile_period;      /* seconds; bin j covers [j, j + 1) x period / n_profile of it */
    double      profile_offset;      /* seconds into the period at time 0 */
    int         n_levels;            /* levels, 0 = none */
    double     *levels;              /* owned: factors, level i from i x every - offset (the last holds) */
    double      levels_every;        /* seconds */
    double      levels_offset;       /* seconds into the first level's interval at time 0 */
    uint64_t    max_customers;       /* UINT64_MAX = no cap */
    /* Trace replay (arrivals.process "trace"): one arrival per logged order, in time order. */
    bool        trace;               /* arrivals come from a log */
    int         n_trace;             /* arrivals */
    double     *trace_t;             /* owned: arrival times, seconds after the first, / speedup */
    uint64_t   *trace_cust;          /* owned: the customer (distinct customer_id, else the arrival) */
    int32_t    *trace_line0;         /* owned: first line of each arrival in trace_sku/qty */
    int32_t    *trace_nlines;        /* owned: lines of each arrival (0: draw them as usual) */
    int32_t    *trace_sku;           /* owned: catalog index per line */
    int32_t    *trace_qty;           /* owned: units per line, 0 = draw the segment's quantity */
    int         n_segments;
    scn_segment segments[SCN_MAX_SEGMENTS];
    sim_dist    pay_delay;
    double      pay_failure_p;
    int         pay_servers;         /* 0 = unlimited */
    double      session_timeout;     /* seconds an abandoned payment session holds the order */
    double      pay_timeout;         /* payment.timeout: a payment not done this long after joining fails; INFINITY = none */
    bool        display;             /* customers see the stock (inventory.display) */
    double      display_refresh;     /* seconds between refreshes of the shown stock, 0 = exact */
    int         n_channels;          /* payment channels; 0 = one channel, payment's own */
    scn_channel channels[SCN_MAX_CHANNELS];
    scn_station order_service, warehouse;
    scn_admission admission;         /* all off by default */
    int         n_services;          /* services called while an order is created */
    scn_service services[SCN_MAX_SERVICES];
    bool        service_calls_parallel; /* "service_calls": "parallel" (default sequential) */
    int         n_faults;
    scn_fault   faults[SCN_MAX_FAULTS];
    scn_store   store;               /* inventory.store */
    sim_dist    delivery;
    double      auto_confirm_after, complete_after, restock_p;
    double      merchant_cancel_p;   /* a produced order is cancelled at picking (shortfall) */
    double      return_reject_p;     /* the merchant refuses a return request */
    char        process[256];        /* built-in name or file path as given */
    const fsm_def *fsm;              /* resolved process, number 0 (owned unless built-in) */
    int         n_more_fsms;         /* further processes segments and SKUs name, numbered 1.. */
    const fsm_def *more_fsms[3];     /* built-ins, or `fsm` itself never: docs/scenarios.md "Mixed processes" */
    int         n_thresholds;
    scn_threshold thresholds[SCN_MAX_THRESHOLDS];
    double      sample_every;        /* seconds */
    char       *resolved_json;       /* owned: the scenario after --set, compact JSON */
    uint64_t    hash;                /* FNV-1a of resolved_json */
    double     *arena_d;             /* owned: empirical values and weights */
    size_t      arena_n, arena_cap;
} scn_scenario;

/* Loads a scenario file, applies `sets` ("PATH=VALUE", may be NULL when nsets is 0) and
 * validates it. On success *out is owned by the caller (scn_free). On failure returns
 * OS_EDATA (bad content, messages in diag), OS_EIO (unreadable) or OS_EINVAL (bad --set). */
os_status scn_load(const char *path, const char *const *sets, int nsets, scn_scenario **out, os_diag *diag);
/* What the warnings assume about the runs to come. */
typedef struct scn_warn_opts {
    const char *strategy;        /* the strategy in force; NULL: the scenario's own */
    bool        all_strategies;  /* every strategy will run (compare): a strategy-dependent
                                    warning needs to hold under each */
} scn_warn_opts;
/* scn_load, and on success adds the scenario's warnings (see scn_warn) to `warn` when it is
 * not NULL; `wo` may be NULL (the scenario's own strategy). */
os_status scn_load_warn(const char *path, const char *const *sets, int nsets, const scn_warn_opts *wo,
                        scn_scenario **out, os_diag *diag, os_diag *warn);
/* Checks a loaded scenario for settings that make part of it inert or misleading (a schedule
 * entry after max_customers is reached, a return or after-sale timer that cannot happen
 * within the horizon, a coupon no promotion matches, a station no request reaches, a
 * threshold on a metric that cannot move; docs/scenarios.md "Warnings"). Adds one message
 * per finding to `warn` ("FILE:LINE:COL: warning: PATH: WHAT"; positions come from `doc`,
 * the document `s` was built from, which may be NULL) and returns how many it added. */
int scn_warn(const scn_scenario *s, const jsn_doc *doc, const scn_warn_opts *wo, os_diag *warn);
/* The same from an already parsed document (the document is not consumed). */
os_status scn_from_doc(jsn_doc *doc, scn_scenario **out, os_diag *diag);
void scn_free(scn_scenario *s);
/* The name runs record for the scenario's processes: "b2c", or with mixed processes the
 * scenario's then the others segments and SKUs name, joined by '+' ("b2c+virtual"). */
void scn_process_label(const scn_scenario *s, char *buf, size_t n);
/* Resolves a timer kind of the process against the scenario's parameters. */
double scn_timer_seconds(const scn_scenario *s, const fsm_transition *t);

#endif
