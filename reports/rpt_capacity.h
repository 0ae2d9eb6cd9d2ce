/*
 * rpt_capacity.h — capacity analysis of a sweep: per point, offered load against
 * throughput, latency and station utilization; the saturation point (the knee); the
 * bottleneck station; and the analytic bound implied by the stations' capacities.
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
 *    is min over stations of capacity / visit ratio, in customers per second.
 */
#ifndef RPT_CAPACITY_H
#define RPT_CAPACITY_H

#include "rpt.h"

typedef struct rpt_point {
    char        params[256];   /* "PATH=VALUE,..." */
    rpt_summary sum;           /* over the point's replications */
} rpt_point;

typedef struct rpt_capacity {
    int    n;                          /* points */
    double offered[1024];              /* offered load per point, customers/s */
    double efficiency[1024];           /* throughput / offered */
    int    knee;                       /* index of the knee, -1 when none in the range */
    char   knee_reason[160];           /* why it is the knee */
    int    bottleneck;                 /* station index, -1 when no station is modelled */
    double capacity[RPT_MAX_STATIONS]; /* requests/s, 0 when unlimited */
    double visits[RPT_MAX_STATIONS];   /* requests per customer */
    double bound[RPT_MAX_STATIONS];    /* customers/s the station can take, INFINITY when unlimited */
    double bound_min;                  /* the analytic bound, customers/s */
    int    bound_station;              /* which station sets it, -1 when none */
    char   slo[96];                    /* the SLO text, "" when none */
} rpt_capacity;

/* Analyses n points (n <= 1024) in order of increasing load. `slo` is "METRIC OP NUMBER"
 * (spaces optional, e.g. "order_to_pay_p95<600") or NULL. Returns false when the SLO does
 * not parse or names an unknown metric. */
bool rpt_capacity_analyze(const rpt_point *pts, int n, const char *slo, rpt_capacity *out);
/* Writes the capacity table and the findings. */
void rpt_capacity_write_table(const rpt_capacity *c, const rpt_point *pts, FILE *out);

#endif
