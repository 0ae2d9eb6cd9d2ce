/*
 * rpt_capacity.h — analysis of a sweep. Two kinds, chosen by the caller:
 *
 *  - a load sweep (the swept parameter is a load): per point, offered load against
 *    throughput, latency and station utilization; the saturation point (the knee); the
 *    bottleneck station; and the analytic bound implied by the stations' capacities;
 *  - a parameter study (anything else): a table of chosen figures against the parameter,
 *    and no knee, bottleneck or bound, which would be meaningless there.
 *
 * Definitions (docs/capacity.md):
 *  - offered load = customers arriving per second (customers / (horizon - warmup));
 *  - efficiency = throughput_paid_per_s / offered load;
 *  - the knee is the first point whose efficiency falls below 95% of the first point's, or
 *    whose SLO (e.g. order_to_pay_p95 < 600) fails;
 *  - the bottleneck is the station with the highest utilization at the knee (at the last
 *    point when there is no knee);
 *  - a station's capacity is servers / mean service time (requests per second); its visit
 *    ratio is requests served per customer, measured at the lowest load; the analytic bound
 *    is min over stations of capacity / visit ratio, in customers per second;
 *  - the SLO's highest load: the first point whose SLO fails and the point before it
 *    bracket it; between them the figure is interpolated linearly in offered load and the
 *    load where it crosses the SLO's bound is the answer.
 */
#ifndef RPT_CAPACITY_H
#define RPT_CAPACITY_H

#include "rpt.h"

#define RPT_CAP_MAX_POINTS 1024
#define RPT_CAP_MAX_METRICS 16

typedef struct rpt_point {
    char        params[256];   /* "PATH=VALUE,..." */
    rpt_summary sum;           /* over the point's replications */
} rpt_point;

/* What to analyse (owned by the caller, read during rpt_capacity_analyze only). */
typedef struct rpt_capacity_opts {
    bool            load;      /* the swept parameters are loads: knee, bottleneck, bound */
    const rpt_cond *slo;       /* the SLO, or NULL */
    int             nmetrics;  /* chosen figures: a parameter study's (0: the defaults), extra columns of a load sweep */
    const rpt_cond *metrics;   /* their names and references (op and value unused) */
} rpt_capacity_opts;

typedef struct rpt_capacity {
    int    n;                                   /* points */
    bool   load;                                /* a load sweep (else a parameter study) */
    double offered[RPT_CAP_MAX_POINTS];         /* offered load per point, customers/s */
    double efficiency[RPT_CAP_MAX_POINTS];      /* throughput / offered */
    int    knee;                                /* index of the knee, -1 when none in the range (or not a load sweep) */
    char   knee_reason[400];                  /* why it is the knee */
    int    bottleneck;                          /* station index, -1 when no station is modelled or not a load sweep */
    double capacity[RPT_MAX_STATIONS];          /* requests/s, 0 when unlimited */
    double visits[RPT_MAX_STATIONS];            /* requests per customer */
    double bound[RPT_MAX_STATIONS];             /* customers/s the station can take, INFINITY when unlimited */
    double bound_min;                           /* the analytic bound, customers/s */
    int    bound_station;                       /* which station sets it, -1 when none */
    bool   has_slo;                             /* an SLO was given */
    rpt_cond slo;                               /* the SLO */
    double slo_value[RPT_CAP_MAX_POINTS];       /* the SLO figure at each point */
    bool   slo_ok[RPT_CAP_MAX_POINTS];          /* the SLO holds at the point */
    int    slo_below, slo_above;                /* the points bracketing the highest load meeting the SLO, -1 when none */
    double slo_load;                            /* that load, customers/s (interpolated); NAN when none */
    char   slo_finding[1200];                  /* the SLO's answer in words */
    int    nmetrics;                            /* chosen figures (a parameter study's, or a load sweep's extra columns) */
    rpt_cond metrics[RPT_CAP_MAX_METRICS];      /* their names and references */
    int    metrics_moved;                       /* metrics whose mean differs between two points */
    char   effect_note[400];                    /* "" or why the sweep may show nothing: no metric,
                                                   or none of the chosen figures, moved */
} rpt_capacity;

/* The figures a parameter study shows when none is chosen, NULL-terminated. */
extern const char *const rpt_capacity_default_metrics[];

/* Analyses n points (1 <= n <= RPT_CAP_MAX_POINTS) in sweep order (for a load sweep, of
 * increasing load). */
void rpt_capacity_analyze(const rpt_point *pts, int n, const rpt_capacity_opts *opts, rpt_capacity *out);
/* Writes the table and the findings. */
void rpt_capacity_write_table(const rpt_capacity *c, const rpt_point *pts, FILE *out);

#endif
