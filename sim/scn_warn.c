/*
 * scn_warn.c — warnings about valid scenarios: settings that the simulator accepts but that
 * make part of the scenario inert (a schedule entry that never takes effect, a timer that
 * cannot fire before the horizon, a coupon no promotion honours, a station nothing visits)
 * or a threshold that cannot fail. Each check is one small function in the table k_checks;
 * a check warns only when the outcome is certain from the scenario alone (lower bounds of
 * distributions, the process definition, the strategy's descriptor), with one exception
 * documented at its function: the schedule check uses expected arrivals.
 *
 * Messages read "FILE:LINE:COL: warning: PATH: WHAT", like the loader's errors; a value set
 * with --set has no position and reads "FILE: warning: PATH: WHAT". The list of checks and
 * their exact wording is in docs/scenarios.md ("Warnings").
 */
#include "scn.h"

#include "inv.h"
#include "rpt_metric.h"
#include "sim_rate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scn__wctx {
    const scn_scenario *s;     /* the scenario */
    const jsn_doc      *doc;   /* its document, for positions; may be NULL */
    const scn_warn_opts *wo;   /* strategies in force */
    os_diag            *out;   /* where warnings go */
    int                 count; /* warnings added */
} scn__wctx;

/* The node at a dotted path with [i] indexes ("customers.segments[1].coupon"), or NULL.
 * Keys may not contain '.' or '['; threshold keys (which do) are looked up directly. */
static const cJSON *scn__find(const jsn_doc *doc, const char *path)
{
    const cJSON *n = doc ? jsn_root(doc) : NULL;
    const char *p = path;
    while (n && *p) {
        if (*p == '.') { p++; continue; }
        if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            if (*end != ']' || !cJSON_IsArray(n)) return NULL;
            n = cJSON_GetArrayItem(n, (int)i);
            p = end + 1;
            continue;
        }
        size_t len = strcspn(p, ".[");
        char key[128];
        if (len >= sizeof key || !cJSON_IsObject(n)) return NULL;
        memcpy(key, p, len);
        key[len] = '\0';
        n = cJSON_GetObjectItemCaseSensitive(n, key);
        p += len;
    }
    return n;
}

/* Adds one warning about `node` (may be NULL: no position) at `path`. */
static void scn__warn(scn__wctx *cx, const cJSON *node, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void scn__warn(scn__wctx *cx, const cJSON *node, const char *path, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line, col;
    if (node && cx->doc && jsn_where(cx->doc, node, false, &line, &col))
        os_diag_add(cx->out, "%s:%d:%d: warning: %s: %s", cx->s->file, line, col, path, what);
    else
        os_diag_add(cx->out, "%s: warning: %s: %s", cx->s->file, path, what);
    cx->count++;
}

/* The smallest value a distribution can draw (normal is truncated at 0; exp and lognormal
 * reach down to 0). */
static double scn__dist_min(const sim_dist *d)
{
    switch (d->kind) {
    case SIM_CONST: return d->a;
    case SIM_UNIFORM: return d->a < d->b ? d->a : d->b;
    case SIM_EMPIRICAL: {
        double m = INFINITY;
        for (int i = 0; i < d->n; i++) m = d->values[i] < m ? d->values[i] : m;
        return d->n ? m : 0;
    }
    default: return 0;
    }
}

/* A duration for messages: "100 s", "2 h", "7 d" when whole, else seconds. */
static const char *scn__fmt_dur(double s, char *buf, size_t n)
{
    if (s >= 86400 && fmod(s, 86400) == 0) snprintf(buf, n, "%g d", s / 86400);
    else if (s >= 3600 && fmod(s, 3600) == 0) snprintf(buf, n, "%g h", s / 3600);
    else if (s >= 60 && fmod(s, 60) == 0) snprintf(buf, n, "%g min", s / 60);
    else snprintf(buf, n, "%.6g s", s);
    return buf;
}

/* True when some segment places orders that can be paid: a pay probability above 0 (bots
 * have 0 unless set: scalpers). */
static bool scn__anyone_pays(const scn_scenario *s)
{
    for (int i = 0; i < s->n_segments; i++)
        if (s->segments[i].pay_probability > 0) return true;
    return false;
}

/* True when the process has a transition taking `action`. */
static bool scn__has_action(const fsm_def *def, fsm_action action)
{
    for (int i = 0; i < fsm_transition_count(def); i++)
        if (fsm_transition_at(def, i)->action == action) return true;
    return false;
}

/* The processes orders of the scenario may follow: its own first, then those segments and
 * catalog entries name (mixed processes). Returns how many. */
static const fsm_def *scn__fsm_number(const scn_scenario *s, int n)
{
    return n <= 0 ? s->fsm : s->more_fsms[n - 1];
}

/* Adds process number n to the set `used` (a bit per process number). */
static unsigned scn__use(unsigned used, int n) { return used | 1u << (n < 0 ? 0 : n); }

/* The processes orders of segment `seg` can follow (seg < 0: of any segment): the segment's
 * own (the scenario's unless it names one) and those of goods with their own (catalog
 * "process"), each once, into out; returns how many. A process nobody's orders follow (the
 * scenario's, when every segment names another) is not among them. */
static int scn__fsms_of(const scn_scenario *s, int seg, const fsm_def **out)
{
    unsigned used = 0;
    for (int i = 0; i < s->n_segments; i++)
        if (seg < 0 || i == seg) used = scn__use(used, s->segments[i].process);
    for (int k = 0; k < s->n_skus; k++)
        if (s->skus[k].process >= 0) used = scn__use(used, s->skus[k].process);
    int n = 0;
    for (int p = 0; p <= s->n_more_fsms; p++)
        if (used & 1u << p) out[n++] = scn__fsm_number(s, p);
    return n;
}

static int scn__fsms(const scn_scenario *s, const fsm_def **out)
{
    return scn__fsms_of(s, -1, out);
}

/* True when some order is paid before it is produced (payment goes through the payment
 * station); false when every process is cash on delivery, where the buyer pays the courier. */
static bool scn__pays_first(const scn_scenario *s)
{
    const fsm_def *f[4];
    int n = scn__fsms(s, f);
    for (int i = 0; i < n; i++)
        if (fsm_row(f[i], fsm_initial(f[i]), FSM_PAY) != NULL) return true;
    return false;
}

/* True when some process of the scenario has a transition with this action. */
static bool scn__any_has_action(const scn_scenario *s, fsm_action action)
{
    const fsm_def *f[4];
    int n = scn__fsms(s, f);
    for (int i = 0; i < n; i++)
        if (scn__has_action(f[i], action)) return true;
    return false;
}

/* ---- the checks ------------------------------------------------------------------------ */

/* A schedule entry at or after the time customers.max_customers is reached changes a rate
 * no customer arrives under. The time is where the expected arrivals (the integral of the
 * rate) reach the cap; with Poisson arrivals the real moment varies by about
 * sqrt(max_customers) arrivals, so an entry right at that time may still see a few. */
static void scn__w_schedule_after_cap(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    if (s->max_customers == UINT64_MAX || !s->n_sched) return;
    double cap = (double)s->max_customers, L = 0, t = 0, rate = s->rate, reached = INFINITY;
    if (sim_rate_shaped(s)) {
        sim_rate it;
        sim_rate_init(&it, s);
        reached = sim_rate_invert(&it, cap, s->horizon);
    }
    for (int i = 0; i <= s->n_sched && !isfinite(reached) && !sim_rate_shaped(s); i++) {
        double end = i < s->n_sched ? s->sched_at[i] : INFINITY;
        if (rate > 0 && L + rate * (end - t) >= cap) reached = t + (cap - L) / rate;
        else if (isfinite(end)) L += rate * (end - t);
        if (i < s->n_sched) { t = s->sched_at[i]; rate = s->sched_rate[i]; }
    }
    if (!isfinite(reached) || reached >= s->horizon) return;
    char r[32], a[32];
    for (int i = 0; i < s->n_sched; i++) {
        if (s->sched_at[i] < reached || s->sched_at[i] >= s->horizon) continue;
        char p[96];
        snprintf(p, sizeof p, "customers.arrivals.schedule[%d].at", i);
        scn__warn(cx, scn__find(cx->doc, p), p,
                  "this entry (at %s) never takes effect: customers.max_customers (%llu) is reached at t = %s "
                  "(expected arrivals), after which no customer arrives",
                  scn__fmt_dur(s->sched_at[i], a, sizeof a), (unsigned long long)s->max_customers, scn__fmt_dur(reached, r, sizeof r));
    }
}

/* A schedule entry at or after the horizon never takes effect. */
static void scn__w_schedule_after_horizon(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    char a[32], h[32];
    for (int i = 0; i < s->n_sched; i++) {
        if (s->sched_at[i] < s->horizon) continue;
        char p[96];
        snprintf(p, sizeof p, "customers.arrivals.schedule[%d].at", i);
        scn__warn(cx, scn__find(cx->doc, p), p, "this entry (at %s) never takes effect: it is at or after the horizon (%s)",
                  scn__fmt_dur(s->sched_at[i], a, sizeof a), scn__fmt_dur(s->horizon, h, sizeof h));
    }
}

/* Levels that start at or after the horizon never take effect (one warning for them all,
 * at the first). */
static void scn__w_levels_after_horizon(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    int first = -1;
    for (int i = 1; i < s->n_levels && first < 0; i++)
        if ((double)i * s->levels_every - s->levels_offset >= s->horizon) first = i;
    if (first < 0) return;
    char p[96], a[32], h[32];
    snprintf(p, sizeof p, "customers.arrivals.levels.values[%d]", first);
    scn__warn(cx, scn__find(cx->doc, p), p, "this level and the %d after it never take effect: it starts at %s, at or after the horizon (%s)",
              s->n_levels - first - 1, scn__fmt_dur((double)first * s->levels_every - s->levels_offset, a, sizeof a),
              scn__fmt_dur(s->horizon, h, sizeof h));
}

/* Returns are requested return_delay after delivery, and delivery takes at least the
 * smallest delivery time, so a segment whose earliest return is at or after the horizon
 * returns nothing. */
static void scn__w_returns_after_horizon(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    double dmin = scn__dist_min(&s->delivery);
    char e[32], h[32];
    for (int i = 0; i < s->n_segments; i++) {
        const scn_segment *g = &s->segments[i];
        double earliest = dmin + scn__dist_min(&g->return_delay);
        if (g->return_probability <= 0 || earliest < s->horizon) continue;
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].return_probability", i);
        scn__warn(cx, scn__find(cx->doc, p), p,
                  "no return can happen within the horizon (%s): the earliest is %s after an order "
                  "(fulfilment.delivery at least %.6g s + return_delay at least %.6g s)",
                  scn__fmt_dur(s->horizon, h, sizeof h), scn__fmt_dur(earliest, e, sizeof e), dmin, scn__dist_min(&g->return_delay));
    }
}

/* A buyer's refund request comes refund_delay after payment: never within the run when the
 * smallest delay is at least the horizon. */
static void scn__w_refunds_after_horizon(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    char h[32], e[32];
    for (int i = 0; i < s->n_segments; i++) {
        const scn_segment *g = &s->segments[i];
        double earliest = scn__dist_min(&g->refund_delay);
        if (g->refund_probability <= 0 || earliest < s->horizon) continue;
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].refund_probability", i);
        scn__warn(cx, scn__find(cx->doc, p), p, "no refund request can happen within the horizon (%s): refund_delay is at "
                  "least %s after payment", scn__fmt_dur(s->horizon, h, sizeof h), scn__fmt_dur(earliest, e, sizeof e));
    }
}

/* A cancellation after payment is attempted cancel_after_pay_delay after payment. */
static void scn__w_cancel_after_pay_after_horizon(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    char e[32], h[32];
    for (int i = 0; i < s->n_segments; i++) {
        const scn_segment *g = &s->segments[i];
        double earliest = scn__dist_min(&g->cancel_after_pay_delay);
        if (g->cancel_after_pay_probability <= 0 || earliest < s->horizon) continue;
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].cancel_after_pay_probability", i);
        scn__warn(cx, scn__find(cx->doc, p), p,
                  "no cancellation after payment can happen within the horizon (%s): cancel_after_pay_delay is at least %s",
                  scn__fmt_dur(s->horizon, h, sizeof h), scn__fmt_dur(earliest, e, sizeof e));
    }
}

/* fulfilment.auto_confirm_after and complete_after, when written in the scenario: inert when
 * the process has no such timer, or when the timer alone is as long as the horizon (it
 * starts at the earliest at t = 0, so it cannot fire). Defaults are not reported. */
static void scn__w_fulfilment_timers(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    static const struct { const char *key; fsm_after kind; } timers[] = {
        { "auto_confirm_after", FSM_AFTER_AUTO_CONFIRM }, { "complete_after", FSM_AFTER_COMPLETE } };
    for (size_t k = 0; k < sizeof timers / sizeof timers[0]; k++) {
        char p[64];
        snprintf(p, sizeof p, "fulfilment.%s", timers[k].key);
        const cJSON *node = scn__find(cx->doc, p);
        if (!node) continue;
        double v = timers[k].kind == FSM_AFTER_AUTO_CONFIRM ? s->auto_confirm_after : s->complete_after;
        bool used = false;
        const fsm_def *f[4];
        int nf = scn__fsms(s, f);
        for (int j = 0; j < nf; j++)
            for (int i = 0; i < fsm_transition_count(f[j]); i++) used |= fsm_transition_at(f[j], i)->after_kind == timers[k].kind;
        char a[32], h[32];
        if (!used)
            scn__warn(cx, node, p, "the process \"%s\"%s has no %s timer, so this setting is not used", fsm_name(s->fsm),
                      s->n_more_fsms ? " (nor any other process of the scenario)" : "", timers[k].key);
        else if (v >= s->horizon)
            scn__warn(cx, node, p, "this timer (%s) cannot fire within the horizon (%s)", scn__fmt_dur(v, a, sizeof a),
                      scn__fmt_dur(s->horizon, h, sizeof h));
    }
}

/* A segment's coupon counts only if a promotion of type coupon has that id. */
static void scn__w_coupon_unmatched(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    for (int i = 0; i < s->n_segments; i++) {
        const char *c = s->segments[i].coupon;
        if (!c[0]) continue;
        const promo_def *same = NULL;
        for (int k = 0; k < s->n_promos; k++)
            if (strcmp(s->promos[k].id, c) == 0 && (!same || s->promos[k].type == PROMO_COUPON)) same = &s->promos[k];
        if (same && same->type == PROMO_COUPON) continue;
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].coupon", i);
        if (same)
            scn__warn(cx, scn__find(cx->doc, p), p, "coupon \"%s\" matches no promotion: promotion \"%s\" is of type %s, not coupon",
                      c, c, promo_type_name(same->type));
        else
            scn__warn(cx, scn__find(cx->doc, p), p, "coupon \"%s\" matches no promotion (no promotion of type coupon has id \"%s\")", c, c);
    }
}

/* A coupon's per_customer limit matters only if some segment presents the coupon. */
static void scn__w_per_customer_unused(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    for (int k = 0; k < s->n_promos; k++) {
        if (s->promos[k].per_customer <= 0) continue;
        bool presented = false;
        for (int i = 0; i < s->n_segments && !presented; i++) presented = strcmp(s->segments[i].coupon, s->promos[k].id) == 0;
        if (presented) continue;
        char p[96];
        snprintf(p, sizeof p, "promotions[%d].per_customer", k);
        scn__warn(cx, scn__find(cx->doc, p), p, "no effect: no segment presents coupon \"%s\" (customers.segments[].coupon)",
                  s->promos[k].id);
    }
}

/* A modelled station (servers given) that no request can reach: the payment station when
 * nobody pays or the process takes payment at the door (cash on delivery), the warehouse
 * when the process never produces or produces only paid orders and nobody pays. */
static void scn__w_station_unreached(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    bool pays = scn__anyone_pays(s), first = scn__pays_first(s);
    if (s->pay_servers > 0 && (!pays || !first))
        scn__warn(cx, scn__find(cx->doc, "payment.servers"), "payment.servers",
                  "no request reaches the payment station: %s", !first ? "the process takes payment on delivery, not through it"
                                                                        : "no segment pays (pay_probability 0)");
    if (s->warehouse.servers > 0 && (!scn__any_has_action(s, FSM_PRODUCE) || (first && !pays)))
        scn__warn(cx, scn__find(cx->doc, "stations.warehouse"), "stations.warehouse",
                  "no request reaches the warehouse station: %s", !scn__any_has_action(s, FSM_PRODUCE)
                      ? "the process never produces an order" : "orders are produced after payment and no segment pays");
}

/* True when no strategy in force can oversell (or the process locks at creation). */
static bool scn__never_oversells(const scn__wctx *cx)
{
    const fsm_def *f[4];
    int nf = scn__fsms(cx->s, f);
    bool all_on_create = true;
    for (int i = 0; i < nf; i++) all_on_create &= fsm_stock_hook_of(f[i]) == FSM_STOCK_ON_CREATE;
    if (all_on_create) return true;
    if (!cx->wo || !cx->wo->all_strategies) {
        const char *name = cx->wo && cx->wo->strategy ? cx->wo->strategy : cx->s->strategy;
        const inv_strategy *st = inv_strategy_find(name);
        return st && !inv_strategy_may_oversell(st);
    }
    for (const inv_strategy *const *st = inv_strategies(); *st; st++)
        if (inv_strategy_may_oversell(*st)) return false;
    return true;
}

/* Why a metric (an rpt_metric id, or -1) is certainly 0 in this scenario, or NULL when it can move. */
static const char *scn__stuck_reason(const scn__wctx *cx, int metric, char *buf, size_t n)
{
    const scn_scenario *s = cx->s;
    switch (metric) {
    case RPT_M_oversold_units: case RPT_M_oversold_orders: case RPT_M_revenue_at_risk: {
        if (!scn__never_oversells(cx)) return NULL;
        if (fsm_stock_hook_of(s->fsm) == FSM_STOCK_ON_CREATE && !s->n_more_fsms)
            snprintf(buf, n, "the process \"%s\" commits stock at creation, which never oversells", fsm_name(s->fsm));
        else if (cx->wo && cx->wo->all_strategies)
            snprintf(buf, n, "no strategy can oversell");
        else
            snprintf(buf, n, "strategy %s never oversells", cx->wo && cx->wo->strategy ? cx->wo->strategy : s->strategy);
        return buf;
    }
    case RPT_M_malicious_locked_unit_seconds: {
        for (int i = 0; i < s->n_segments; i++)
            if (s->segments[i].malicious) return NULL;
        return "no segment is malicious";
    }
    case RPT_M_units_bought_by_bots: {
        for (int i = 0; i < s->n_segments; i++)
            if (s->segments[i].malicious && s->segments[i].pay_probability > 0) return NULL;
        return "no malicious segment has a pay_probability above 0";
    }
    case RPT_M_retries: {
        for (int i = 0; i < s->n_segments; i++)
            if (s->segments[i].retry_max > 0 && s->segments[i].retry_probability > 0) return NULL;
        return "no segment retries";
    }
    case RPT_M_payment_sessions_abandoned: {
        for (int i = 0; i < s->n_segments; i++)
            if (s->segments[i].checkout_abandon_probability > 0 && scn__pays_first(s)) return NULL;
        return "no segment abandons checkout (or the process takes payment on delivery)";
    }
    case RPT_M_customers_turned_away_by_display: case RPT_M_turned_away_while_available: {
        if (s->display) return NULL;
        return "customers see no stock (inventory.display is not set)";
    }
    case RPT_M_points_awarded: case RPT_M_points_returned: {
        for (int i = 0; i < s->n_tiers; i++)
            if (s->tiers[i].points_per_unit > 0) return NULL;
        return "no membership tier earns points";
    }
    case RPT_M_orders_refunded_by_buyer: case RPT_M_refunds_refused: {
        for (int i = 0; i < s->n_segments; i++)
            if (s->segments[i].refund_probability > 0) return NULL;
        return "no segment has a refund_probability above 0";
    }
    case RPT_M_orders_cancelled_by_merchant: {
        if (s->merchant_cancel_p > 0) return NULL;
        return "fulfilment.merchant_cancel_probability is 0";
    }
    case RPT_M_returns_rejected: {
        if (s->return_reject_p > 0) return NULL;
        return "fulfilment.return_reject_probability is 0";
    }
    case RPT_M_orders_returned_partly: case RPT_M_discount_taken_back: {
        for (int i = 0; i < s->n_segments; i++)
            if (s->segments[i].return_one_line && s->segments[i].return_probability > 0) return NULL;
        return "no returning segment has return_lines \"one\"";
    }
    case RPT_M_addresses_modified: case RPT_M_address_changes_refused: {
        for (int i = 0; i < s->n_segments; i++)
            if (s->segments[i].modify_address_probability > 0) return NULL;
        return "no segment has a modify_address_probability above 0";
    }
    case RPT_M_customers_shed:
        if (s->admission.rate_limit || (s->admission.waiting_room && s->admission.wr_capacity != INT64_MAX)) return NULL;
        return "no admission rate_limit and no waiting_room capacity";
    case RPT_M_customers_left_waiting_room:
        if (s->admission.waiting_room && s->admission.wr_has_patience) return NULL;
        return "no admission waiting_room with a patience";
    case RPT_M_customers_turned_away_by_flag:
        if (s->admission.sold_out_flag) return NULL;
        return "no admission sold_out_flag";
    case RPT_M_requests_timed_out:
        if (isfinite(s->order_service.timeout)) return NULL;
        return "stations.order_service has no timeout";
    case RPT_M_payments_timed_out:
        if (isfinite(s->pay_timeout) && scn__pays_first(s)) return NULL;
        return "payment has no timeout, or the process takes payment on delivery";
    case RPT_M_requests_failed_outage:
        for (int i = 0; i < s->n_faults; i++)
            if (!s->faults[i].slow && (s->faults[i].target == SCN_FT_PAYMENT || s->faults[i].target == SCN_FT_ORDER_SERVICE) &&
                s->faults[i].at < s->horizon)
                return NULL;
        return "no outage of payment or stations.order_service within the horizon";
    case RPT_M_orders_returned: {
        if (!scn__pays_first(s)) return NULL;   /* cash on delivery: refusals count as returns */
        for (int i = 0; i < s->n_segments; i++)
            if (s->segments[i].return_probability > 0) return NULL;
        return "no segment has a return_probability above 0";
    }
    default:
        return NULL;
    }
}

/* A threshold on a metric that is 0 whatever happens cannot tell anything. */
static void scn__w_threshold_stuck(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    const cJSON *th = scn__find(cx->doc, "thresholds");
    for (int i = 0; i < s->n_thresholds; i++) {
        const scn_threshold *t = &s->thresholds[i];
        char why[160];
        const char *r = scn__stuck_reason(cx, rpt_metric_find(t->name), why, sizeof why);
        if (!r) continue;
        char p[128];
        snprintf(p, sizeof p, "thresholds.%s", t->name);
        scn__warn(cx, th ? cJSON_GetObjectItemCaseSensitive(th, t->name) : NULL, p,
                  "%s is always 0 here (%s), so this threshold %s", t->name, r,
                  cnd_op_holds(t->op, 0, t->value) ? "always passes" : "always fails");
    }
}

/* A retry that can never happen: max 0, or probability 0. */
static void scn__w_retry_inert(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    for (int i = 0; i < s->n_segments; i++) {
        const scn_segment *g = &s->segments[i];
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].retry", i);
        const cJSON *node = scn__find(cx->doc, p);
        if (!node) continue;
        if (g->retry_max == 0 || g->retry_probability == 0)
            scn__warn(cx, node, p, "nobody retries: %s", g->retry_max == 0 ? "max is 0" : "probability is 0");
    }
}

/* Checkout abandonment that decides everything, or nothing: a segment that always abandons
 * never pays (its pay_probability is inert); under cash on delivery nobody pays online, so
 * nobody abandons a payment session. */
static void scn__w_abandon(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    for (int i = 0; i < s->n_segments; i++) {
        const scn_segment *g = &s->segments[i];
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].checkout_abandon_probability", i);
        if (g->checkout_abandon_probability > 0 && !scn__pays_first(s))
            scn__warn(cx, scn__find(cx->doc, p), p, "never happens: the process takes payment on delivery, there is no payment session");
        else if (g->checkout_abandon_probability == 1 && g->pay_probability > 0)
            scn__warn(cx, scn__find(cx->doc, p), p, "every customer of the segment abandons checkout, so its pay_probability (%g) has no effect",
                      g->pay_probability);
    }
}

/* Abandoned payment sessions whose timeout hides them: a timeout at or past the horizon never
 * fires (payment_sessions_abandoned stays 0 while the sessions hold their orders to the end),
 * and one longer than the order expiry keeps orders past it (an order paying cannot expire). */
static void scn__w_session_timeout(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    bool abandons = false;
    for (int i = 0; i < s->n_segments; i++) abandons |= s->segments[i].checkout_abandon_probability > 0;
    if (!abandons || !scn__pays_first(s)) return;
    const char *p = "payment.session_timeout";
    const cJSON *node = scn__find(cx->doc, p);
    char a[32], b[32];
    if (s->session_timeout >= s->horizon)
        scn__warn(cx, node, p, "an abandoned session (%s) never times out within the horizon (%s): payment_sessions_abandoned "
                  "stays 0 while abandoned orders hold what payment start took to the end of the run",
                  scn__fmt_dur(s->session_timeout, a, sizeof a), scn__fmt_dur(s->horizon, b, sizeof b));
    else if (s->session_timeout > s->order_expiry)
        scn__warn(cx, node, p, "an abandoned session holds its order for %s, longer than inventory.order_expiry (%s): an order "
                  "paying cannot expire, so the session, not the expiry, decides how long abandoning customers hold stock",
                  scn__fmt_dur(s->session_timeout, a, sizeof a), scn__fmt_dur(s->order_expiry, b, sizeof b));
}

/* Segment settings the model ignores: reads where the order service is not modelled (it
 * serves them instantly: reads.service has no effect), several orders or accounts per visit
 * on a genuine segment (only bots place several orders at once). */
static void scn__w_segment_inert(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    for (int i = 0; i < s->n_segments; i++) {
        const scn_segment *g = &s->segments[i];
        char p[96];
        if (g->reads_per_order > 0 && s->order_service.servers == 0) {
            snprintf(p, sizeof p, "customers.segments[%d].reads.service", i);
            scn__warn(cx, scn__find(cx->doc, p), p, "has no effect: stations.order_service is not modelled, so reads are "
                      "served at once (order_reads still counts them)");
        }
        static const char *const keys[] = { "orders_per_visit", "accounts_per_visit" };
        int vals[2] = { g->orders_per_visit, g->accounts_per_visit };
        for (int k = 0; k < 2; k++)
            if (!g->malicious && vals[k] > 1) {
                snprintf(p, sizeof p, "customers.segments[%d].%s", i, keys[k]);
                scn__warn(cx, scn__find(cx->doc, p), p, "has no effect on a genuine segment: only malicious segments place "
                          "several orders per visit");
            }
    }
}

/* A display nobody reads, or one that never refreshes within the run. */
static void scn__w_display(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    if (!s->display) return;
    bool genuine = false;
    for (int i = 0; i < s->n_segments; i++) genuine |= !s->segments[i].malicious;
    char b[32];
    if (!genuine)
        scn__warn(cx, scn__find(cx->doc, "inventory.display"), "inventory.display",
                  "no genuine segment: bots order whatever the page shows, so the display turns nobody away");
    else if (s->display_refresh >= s->horizon)
        scn__warn(cx, scn__find(cx->doc, "inventory.display.refresh"), "inventory.display.refresh",
                  "the page never refreshes within the horizon (%s): customers see the opening stock all run",
                  scn__fmt_dur(s->horizon, b, sizeof b));
}

/* ---- the order rules: membership, refunds, merchant actions, partial returns, payment
 * channels, the shipping address ---------------------------------------------------------- */

/* True when some process of the scenario allows `action` from its initial state. */
static bool scn__any_initial_has(const scn_scenario *s, fsm_action action)
{
    const fsm_def *f[4];
    int n = scn__fsms(s, f);
    for (int i = 0; i < n; i++)
        if (fsm_row(f[i], fsm_initial(f[i]), action) != NULL) return true;
    return false;
}

/* A membership tier nobody is in (no segment's tier names it with a share above 0), or one
 * that gives neither a discount nor points. */
static void scn__w_tiers(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    for (int t = 0; t < s->n_tiers; t++) {
        bool used = false;
        for (int i = 0; i < s->n_segments; i++) {
            const scn_segment *g = &s->segments[i];
            for (int k = 0; k < g->n_tier_mix; k++)
                used |= g->share > 0 && g->tier_of[k] == t + 1 && g->tier_cum[k] - (k ? g->tier_cum[k - 1] : 0) > 0;
        }
        char p[64];
        snprintf(p, sizeof p, "membership.tiers[%d]", t);
        if (!used)
            scn__warn(cx, scn__find(cx->doc, p), p, "nobody is in tier \"%s\": no segment's tier names it (with a share above 0)",
                      s->tiers[t].name);
        else if (s->tiers[t].discount_bp == 0 && s->tiers[t].points_per_unit == 0)
            scn__warn(cx, scn__find(cx->doc, p), p, "tier \"%s\" gives no discount and no points: its members are treated like "
                      "everyone else", s->tiers[t].name);
    }
}

/* Refunds asked for that can never be granted: the segment never pays, the process has no
 * refund, or every order ships the moment it is paid (no warehouse station, and every
 * process that refunds produces first). */
static void scn__w_refund(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    for (int i = 0; i < s->n_segments; i++) {
        const scn_segment *g = &s->segments[i];
        if (g->refund_probability <= 0) continue;
        /* the processes this segment's orders follow */
        const fsm_def *f[4];
        int nf = scn__fsms_of(s, i, f);
        bool refunds = false, before_ship = false;
        for (int k = 0; k < nf; k++) {
            if (!scn__has_action(f[k], FSM_REFUND)) continue;
            refunds = true;
            before_ship |= !scn__has_action(f[k], FSM_PRODUCE) || s->warehouse.servers > 0;
        }
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].refund_probability", i);
        if (g->pay_probability == 0)
            scn__warn(cx, scn__find(cx->doc, p), p, "nobody asks for a refund: the segment never pays (pay_probability 0)");
        else if (!refunds)
            scn__warn(cx, scn__find(cx->doc, p), p, "every request is refused: the process has no refund");
        else if (!before_ship)
            scn__warn(cx, scn__find(cx->doc, p), p, "every request is refused: without stations.warehouse an order is produced "
                      "and shipped the moment it is paid");
    }
}

/* return_lines "one" where it changes nothing: the segment returns nothing, or its orders
 * have one line each. */
static void scn__w_return_lines(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    for (int i = 0; i < s->n_segments; i++) {
        const scn_segment *g = &s->segments[i];
        if (!g->return_one_line) continue;
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].return_lines", i);
        if (g->return_probability == 0)
            scn__warn(cx, scn__find(cx->doc, p), p, "no effect: the segment returns nothing (return_probability 0)");
        else if (s->n_skus == 1 || (g->basket.kind == SIM_CONST && g->basket.a < 1.5 && !s->trace))
            scn__warn(cx, scn__find(cx->doc, p), p, "no effect: every order of the segment has one line, so a return brings "
                      "the whole order back");
    }
}

/* The merchant's actions where they cannot happen: a cancellation at picking when no order
 * is picked or no process refunds, a refusal of returns when nobody returns or no process
 * refuses returns. */
static void scn__w_merchant(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    if (s->merchant_cancel_p > 0 && (!scn__any_has_action(s, FSM_PRODUCE) || !scn__any_has_action(s, FSM_REFUND)))
        scn__warn(cx, scn__find(cx->doc, "fulfilment.merchant_cancel_probability"), "fulfilment.merchant_cancel_probability",
                  "never happens: %s", !scn__any_has_action(s, FSM_PRODUCE) ? "the process never produces an order, so nothing is picked"
                                                                            : "the process has no refund, so a paid order cannot be cancelled");
    if (s->return_reject_p > 0) {
        bool returns = !scn__pays_first(s);
        for (int i = 0; i < s->n_segments; i++) returns |= s->segments[i].return_probability > 0;
        if (!returns || !scn__any_has_action(s, FSM_RETURN_REJECT))
            scn__warn(cx, scn__find(cx->doc, "fulfilment.return_reject_probability"), "fulfilment.return_reject_probability",
                      "never happens: %s", !returns ? "no segment returns anything (return_probability 0)" : "the process has no return_reject");
    }
}

/* Payment channels that no order uses: a share of 0, or payment on delivery (the courier
 * takes the money: the channels' delays and failures are not used). */
static void scn__w_channels(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    if (!s->n_channels) return;
    if (!scn__pays_first(s)) {
        scn__warn(cx, scn__find(cx->doc, "payment.channels"), "payment.channels", "the process takes payment on delivery: the "
                  "channels' delays and failure probabilities are not used (orders still record their channel)");
        return;
    }
    for (int i = 0; i < s->n_channels; i++) {
        char p[64];
        snprintf(p, sizeof p, "payment.channels[%d].share", i);
        if (s->channels[i].share == 0)
            scn__warn(cx, scn__find(cx->doc, p), p, "no order pays through channel \"%s\" (share 0)", s->channels[i].name);
    }
}

/* An address change under processes that have none (virtual goods have no address). */
static void scn__w_modify_address(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    if (scn__any_initial_has(s, FSM_MODIFY_ADDRESS)) return;
    for (int i = 0; i < s->n_segments; i++) {
        if (s->segments[i].modify_address_probability <= 0) continue;
        char p[96];
        snprintf(p, sizeof p, "customers.segments[%d].modify_address_probability", i);
        scn__warn(cx, scn__find(cx->doc, p), p, "never happens: no process of the scenario allows modify_address from its "
                  "initial state (virtual goods have no shipping address)");
    }
}

/* ---- the system around the rules: timeouts, admission, services, faults ------------------ */

/* A timeout at or past the horizon: no request can wait that long within the run. */
static void scn__w_timeouts(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    char a[32], b[32];
    struct { const char *path; double t; } tt[2 + SCN_MAX_SERVICES] = {
        { "payment.timeout", s->pay_timeout }, { "stations.order_service.timeout", s->order_service.timeout } };
    char paths[SCN_MAX_SERVICES][48];
    int n = 2;
    for (int i = 0; i < s->n_services; i++) {
        snprintf(paths[i], sizeof paths[i], "services[%d].timeout", i);
        tt[n].path = paths[i];
        tt[n++].t = s->services[i].timeout;
    }
    for (int i = 0; i < n; i++)
        if (isfinite(tt[i].t) && tt[i].t >= s->horizon)
            scn__warn(cx, scn__find(cx->doc, tt[i].path), tt[i].path, "%s is not shorter than the horizon (%s): nothing can "
                      "time out within the run", scn__fmt_dur(tt[i].t, a, sizeof a), scn__fmt_dur(s->horizon, b, sizeof b));
    if (isfinite(s->pay_timeout) && s->pay_timeout < s->horizon && !scn__pays_first(s))
        scn__warn(cx, scn__find(cx->doc, "payment.timeout"), "payment.timeout", "the process takes payment on delivery, not "
                  "through the payment station: no payment can time out");
}

/* Admission that cannot bind: a rate limit or a waiting room faster than deterministic
 * arrivals (gaps of 1/rate: the bucket refills, the gate is free, before the next visit) with
 * no retries; a bucket as large as every visit there can be; patience past the horizon. */
static void scn__w_admission(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    const scn_admission *a = &s->admission;
    double peak = s->rate;
    for (int i = 0; i < s->n_sched; i++) peak = s->sched_rate[i] > peak ? s->sched_rate[i] : peak;
    bool retries = false;
    for (int i = 0; i < s->n_segments; i++) retries |= s->segments[i].retry_max > 0 && s->segments[i].retry_probability > 0;
    bool steady = s->deterministic && !s->trace && !retries;
    char a1[32];
    if (a->rate_limit) {
        const char *p = "admission.rate_limit";
        if (steady && a->rl_rate >= peak)
            scn__warn(cx, scn__find(cx->doc, p), p, "cannot bind: arrivals are deterministic at most %g per second and the "
                      "limit refills %g per second, so no visit is ever shed", peak, a->rl_rate);
        else if (s->max_customers != UINT64_MAX && !retries && a->rl_burst >= (double)s->max_customers)
            scn__warn(cx, scn__find(cx->doc, p), p, "cannot bind: the burst (%g) covers every visit of the run (max_customers %llu)",
                      a->rl_burst, (unsigned long long)s->max_customers);
    }
    if (a->waiting_room) {
        const char *p = "admission.waiting_room";
        if (steady && a->wr_rate >= peak)
            scn__warn(cx, scn__find(cx->doc, p), p, "cannot bind: arrivals are deterministic at most %g per second and the "
                      "gate lets %g per second in, so every visit enters at once", peak, a->wr_rate);
        else if (a->wr_has_patience && scn__dist_min(&a->wr_patience) >= s->horizon)
            scn__warn(cx, scn__find(cx->doc, "admission.waiting_room.patience"), "admission.waiting_room.patience",
                      "never ends within the horizon (%s): nobody leaves the waiting room", scn__fmt_dur(s->horizon, a1, sizeof a1));
    }
    if (a->sold_out_flag && a->flag_ttl >= s->horizon)
        scn__warn(cx, scn__find(cx->doc, "admission.sold_out_flag.ttl"), "admission.sold_out_flag.ttl",
                  "is not shorter than the horizon (%s): the first stock-out of a SKU turns away every later visit that wants "
                  "only it, for the rest of the run", scn__fmt_dur(s->horizon, a1, sizeof a1));
}

/* Service settings that change nothing: on_failure "degrade" on a role that has nothing to
 * give up (it rejects), retries or on_failure on a service that never fails or times out. */
static void scn__w_services(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    bool faulted[SCN_MAX_SERVICES] = { false };
    for (int i = 0; i < s->n_faults; i++)
        if (s->faults[i].target == SCN_FT_SERVICE && !s->faults[i].slow && s->faults[i].service >= 0)
            faulted[s->faults[i].service] = true;
    for (int i = 0; i < s->n_services; i++) {
        const scn_service *v = &s->services[i];
        char p[64];
        bool fails = v->failure_p > 0 || isfinite(v->timeout) || faulted[i];
        if (v->degrade && v->role != SCN_ROLE_PROMOTION && v->role != SCN_ROLE_MEMBERSHIP) {
            snprintf(p, sizeof p, "services[%d].on_failure", i);
            scn__warn(cx, scn__find(cx->doc, p), p, "\"degrade\" applies to the promotion and membership roles only: a failed "
                      "call of service \"%s\" rejects the order", v->name);
        }
        if (v->retries > 0 && !fails) {
            snprintf(p, sizeof p, "services[%d].retries", i);
            scn__warn(cx, scn__find(cx->doc, p), p, "never used: service \"%s\" never fails (failure_probability 0, no timeout, "
                      "no outage)", v->name);
        }
    }
    if (s->service_calls_parallel && s->n_services < 2)
        scn__warn(cx, scn__find(cx->doc, "service_calls"), "service_calls", "\"parallel\" changes nothing with %s",
                  s->n_services ? "one service" : "no services");
}

/* Faults that cannot matter: a window that starts at or after the horizon, one that ends
 * before the warmup (nothing it does is counted), one on a station that is not modelled, a
 * slow window on a payment that takes no time. */
static void scn__w_faults(scn__wctx *cx)
{
    const scn_scenario *s = cx->s;
    char a[32], b[32];
    for (int i = 0; i < s->n_faults; i++) {
        const scn_fault *f = &s->faults[i];
        char p[48];
        snprintf(p, sizeof p, "faults[%d]", i);
        const cJSON *node = scn__find(cx->doc, p);
        if (f->at >= s->horizon)
            scn__warn(cx, node, p, "starts at %s, not before the horizon (%s): it never happens",
                      scn__fmt_dur(f->at, a, sizeof a), scn__fmt_dur(s->horizon, b, sizeof b));
        else if (f->at + f->duration <= s->warmup)
            scn__warn(cx, node, p, "ends at %s, before the warmup (%s) ends: nothing it does is counted",
                      scn__fmt_dur(f->at + f->duration, a, sizeof a), scn__fmt_dur(s->warmup, b, sizeof b));
        else if (f->target == SCN_FT_INVENTORY || f->target == SCN_FT_CACHE)
            scn__warn(cx, node, p, "the stock store does not model %s faults yet: the fault changes nothing",
                      f->target == SCN_FT_CACHE ? "cache" : "inventory");
        else if (f->target == SCN_FT_ORDER_SERVICE && s->order_service.servers == 0)
            scn__warn(cx, node, p, "stations.order_service is not modelled (no servers): %s",
                      f->slow ? "its requests take no time, slow or not" : "an outage is applied to arrivals only");
        else if (f->target == SCN_FT_WAREHOUSE && s->warehouse.servers == 0)
            scn__warn(cx, node, p, "stations.warehouse is not modelled (no servers): the fault changes nothing");
        else if (f->target == SCN_FT_PAYMENT && f->slow && !scn__pays_first(s))
            scn__warn(cx, node, p, "the process takes payment on delivery, not through the payment station: the fault changes nothing");
        else if (f->target == SCN_FT_PAYMENT && f->slow && s->n_channels == 0 && s->pay_delay.kind == SIM_CONST && s->pay_delay.a == 0)
            scn__warn(cx, node, p, "payment.delay is 0: a slow payment still takes no time");
    }
}

/* inventory.store: a key of another kind than the one chosen is ignored (so that a sweep
 * over the kind runs every point); a timeout at or beyond the horizon never fires. */
static void scn__w_store(scn__wctx *cx)
{
    const scn_store *st = &cx->s->store;
    static const char *const kinds[] = { "instant", "row_lock", "buckets", "cache" };
    static const char *const names[] = {
#define SCN__SK(id, name) name,
        SCN_STORE_KEY_LIST(SCN__SK)
#undef SCN__SK
    };
    /* which kinds use each key (bit per scn_store_kind) */
    enum { RL = 1 << SCN_STORE_ROW_LOCK, BU = 1 << SCN_STORE_BUCKETS, CA = 1 << SCN_STORE_CACHE };
    static const unsigned used[SCN_SK_COUNT] = { [SCN_SK_HOLD_BIT] = RL | BU | CA, [SCN_SK_CONNECTIONS_BIT] = RL | BU,
        [SCN_SK_TIMEOUT_BIT] = RL | BU | CA, [SCN_SK_BUCKETS_BIT] = BU, [SCN_SK_PROBES_BIT] = BU,
        [SCN_SK_SYNC_DELAY_BIT] = CA, [SCN_SK_DB_HOLD_BIT] = CA, [SCN_SK_ON_CACHE_LOSS_BIT] = CA };
    for (int i = 0; i < SCN_SK_COUNT; i++) {
        if (!(st->given & (1u << i)) || (used[i] & (1u << st->kind))) continue;
        char p[64], to[64] = "";
        snprintf(p, sizeof p, "inventory.store.%s", names[i]);
        for (int k = 1; k < 4; k++)
            if (used[i] & (1u << k)) snprintf(to + strlen(to), sizeof to - strlen(to), "%s%s", *to ? ", " : "", kinds[k]);
        scn__warn(cx, scn__find(cx->doc, p), p, "ignored: the store's kind is \"%s\" (this key applies to %s)",
                  kinds[st->kind], to);
    }
    char a[32], b[32];
    if (st->kind != SCN_STORE_INSTANT && (st->given & (1u << SCN_SK_TIMEOUT_BIT)) && st->timeout >= cx->s->horizon)
        scn__warn(cx, scn__find(cx->doc, "inventory.store.timeout"), "inventory.store.timeout",
                  "an operation cannot wait %s before the horizon (%s): it never times out", scn__fmt_dur(st->timeout, a, sizeof a),
                  scn__fmt_dur(cx->s->horizon, b, sizeof b));
}

static void (*const k_checks[])(scn__wctx *) = {
    scn__w_schedule_after_cap,  scn__w_schedule_after_horizon, scn__w_levels_after_horizon, scn__w_returns_after_horizon, scn__w_refunds_after_horizon,
    scn__w_cancel_after_pay_after_horizon, scn__w_fulfilment_timers, scn__w_coupon_unmatched, scn__w_per_customer_unused,
    scn__w_station_unreached,   scn__w_threshold_stuck,
    scn__w_retry_inert, scn__w_abandon, scn__w_session_timeout, scn__w_segment_inert, scn__w_display,
    scn__w_tiers, scn__w_refund, scn__w_return_lines, scn__w_merchant, scn__w_channels, scn__w_modify_address,
    scn__w_timeouts, scn__w_admission, scn__w_services, scn__w_faults,
    scn__w_store,
};

int scn_warn(const scn_scenario *s, const jsn_doc *doc, const scn_warn_opts *wo, os_diag *warn)
{
    scn__wctx cx = { s, doc, wo, warn, 0 };
    for (size_t i = 0; i < sizeof k_checks / sizeof k_checks[0]; i++) k_checks[i](&cx);
    return cx.count;
}
