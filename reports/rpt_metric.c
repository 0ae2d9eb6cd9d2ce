/*
 * rpt_metric.c — the metric table (one row per metric, RPT_METRIC_LIST) and what derives
 * from it. See rpt_metric.h.
 */
#include "rpt_metric.h"
#include "os.h"

#include <string.h>

static const char *const rpt__unit_labels[] = {
#define RPT__UL(id, label) label,
    RPT_UNIT_LIST(RPT__UL)
#undef RPT__UL
};
_Static_assert(OS_COUNT_OF(rpt__unit_labels) == RPT_UNIT_COUNT, "one label per unit");

const char *rpt_unit_label(rpt_unit u, const char *currency)
{
    if (u == RPT_U_MONEY && currency && *currency) return currency;
    return (unsigned)u < RPT_UNIT_COUNT ? rpt__unit_labels[u] : "";
}

/* One metric's row, as the table holds it. */
typedef struct rpt__row {
    const char *name;      /* JSON key, DB row, condition name */
    rpt_unit    unit;      /* what it counts */
    rpt_better  better;    /* which way is better */
    unsigned    flags;     /* RPT_MF_* */
    unsigned    bd;        /* RPT_BDM_*: the dimensions that split it */
    const char *summary;   /* one line for people */
} rpt__row;

static const rpt__row rpt__rows[] = {
#define RPT__ROW(name_, unit_, better_, flags_, bd_, summary_) \
    [RPT_M_##name_] = { #name_, unit_, better_, flags_, bd_, summary_ },
    RPT_METRIC_LIST(RPT__ROW)
#undef RPT__ROW
};
_Static_assert(OS_COUNT_OF(rpt__rows) == RPT_METRIC_COUNT, "one row per metric");
_Static_assert(RPT_METRIC_COUNT < 0xFFFF, "RPT_MF_PERCENTILE_OF keeps a metric id in 16 bits");

/* The names alone, for os_name_find. */
static const char *const rpt__names[] = {
#define RPT__N(name_, unit_, better_, flags_, bd_, summary_) #name_,
    RPT_METRIC_LIST(RPT__N)
#undef RPT__N
};
_Static_assert(OS_COUNT_OF(rpt__names) == RPT_METRIC_COUNT, "one name per metric");

static const rpt__row *rpt__row_of(rpt_metric m) { return (unsigned)m < RPT_METRIC_COUNT ? &rpt__rows[m] : NULL; }

const char *rpt_metric_name(rpt_metric m) { return rpt__row_of(m) ? rpt__rows[m].name : "?"; }
rpt_unit rpt_metric_unit(rpt_metric m) { return rpt__row_of(m) ? rpt__rows[m].unit : RPT_UNIT_COUNT; }
int rpt_metric_better(rpt_metric m) { return rpt__row_of(m) ? (int)rpt__rows[m].better : 0; }
const char *rpt_metric_summary(rpt_metric m) { return rpt__row_of(m) ? rpt__rows[m].summary : ""; }
unsigned rpt_metric_breakdowns(rpt_metric m) { return rpt__row_of(m) ? rpt__rows[m].bd : 0; }
int rpt_metric_find(const char *name) { return os_name_find(rpt__names, RPT_METRIC_COUNT, name); }
const char *rpt_metric_closest(const char *name) { return os_name_closest(rpt__names, RPT_METRIC_COUNT, name, 3); }

const char *rpt_metric_unit_label(rpt_metric m, const char *currency)
{
    return rpt_unit_label(rpt_metric_unit(m), currency);
}

rpt_gate_dir rpt_metric_gate(rpt_metric m)
{
    int b = rpt_metric_better(m);
    if (b) return b > 0 ? RPT_GATE_HIGHER : RPT_GATE_LOWER;
    return rpt__row_of(m) && (rpt__rows[m].flags & RPT_MF_REVIEW) ? RPT_GATE_REVIEW : RPT_GATE_INFO;
}

bool rpt_metric_counts_oversold(rpt_metric m)
{
    return rpt__row_of(m) && (rpt__rows[m].flags & RPT_MF_COUNTS_OVERSOLD);
}

int rpt_metric_percentile_of(rpt_metric m)
{
    return rpt__row_of(m) ? (int)((rpt__rows[m].flags >> 16) & 0xFFFF) - 1 : -1;
}

bool rpt_metric_may_be_null(rpt_metric m)
{
    return rpt__row_of(m) && ((rpt__rows[m].flags & RPT_MF_MAY_BE_NULL) || rpt_metric_percentile_of(m) >= 0);
}

int rpt_metric_verdict_table(rpt_metric *out)
{
    int n = 0;
    for (unsigned pos = 1; pos <= 0xFF; pos++)
        for (int m = 0; m < RPT_METRIC_COUNT; m++)
            if (((rpt__rows[m].flags >> 8) & 0xFF) == pos) out[n++] = (rpt_metric)m;
    return n;
}
