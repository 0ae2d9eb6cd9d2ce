/*
 * sim_model.c — the behaviour generators and the event loop. See sim_model.h.
 *
 * Every random decision draws from its own stream keyed by (seed, purpose, customer, order
 * index), so two strategies see the same customers making the same choices: common random
 * numbers without bookkeeping. Events that name an order carry its id as well as its
 * pointer, because orders are pooled: an event for an order that has since closed (and whose
 * slot may hold a newer order) finds a different id and does nothing.
 */
#include "sim_model.h"

#include "olog.h"
#include "proc.h"
#include "sim_admit.h"
#include "sim_fault.h"
#include "sim_lost.h"
#include "sim_queue.h"
#include "sim_station.h"
#include "sim_rate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum sim__ev {
    EV_ARRIVAL = 1, EV_STATION_DONE, EV_PAY_START, EV_DELIVER, EV_TIMER, EV_CANCEL, EV_MODIFY,
    EV_RETURN, EV_SAMPLE, EV_SESSION_TIMEOUT, EV_RETRY, EV_REFUND, EV_MODIFY_ADDRESS,
    EV_STATION_TIMEOUT,  /* u32 the station: its queue's head may have waited its timeout */
    EV_ADMIT_GATE, EV_ADMIT_LEAVE,
    EV_FAULT_END,        /* u32 the station: an outage of it ended, its queue may start */
    EV_ROW_DONE,         /* u64 the stock row: its operation's hold ended */
    EV_ROW_TIMEOUT       /* u64 the stock row: a lock in its queue may have waited its timeout */
};
enum sim__st { ST_ORDER = 0, ST_PAY = 1, ST_WH = 2, ST_COUNT = 3 };
_Static_assert(ST_COUNT <= SCN_STATIONS, "scn_station_names lists the simulator's stations in this order");

/* An order-service job that is a read (order list or detail) rather than an order
 * creation: bit 30 of sim_job.b, the read's number in bits 20..29 (docs/scenarios.md). */
#define SIM__READ (1u << 30)
/* A payment job abandoned at its payment.timeout while in service (sim_job.b of a payment,
 * otherwise 0; it rides in the completion event's flags). */
#define SIM__ABANDONED 1u

/* Row operations of the stock store (see "the stock store" below). */
enum sim__op {
    SIM__OP_TAKE = 1,   /* a creation's lock of step k: commits when the row has the units */
    SIM__OP_UNTAKE,     /* a creation's rollback of step k after a later step failed */
    SIM__OP_CHECKOUT,   /* a payment start's lock of step k */
    SIM__OP_UNCHECKOUT, /* its rollback */
    SIM__OP_DEDUCT,     /* a successful payment's deduct of step k */
    SIM__OP_GIVE        /* units given back (b of them) or written off (b = 0): available at commit */
};
#define SIM__C_OP(c)    ((c) & 0xFu)
#define SIM__C_STEP(c)  (((c) >> 4) & 0xFu)
#define SIM__C_HELD     (1u << 8)   /* the order service's server is held until the chain ends */
#define SIM__C_TIMEDOUT (1u << 9)   /* the chain failed by a timeout (its rollbacks run) */
#define SIM__C(op, step, flags) ((uint16_t)((op) | (unsigned)(step) << 4 | (flags)))


typedef struct sim__model {
    const scn_scenario *s;
    uint64_t     seed;
    proc_engine *pe;
    sim_queue   *q;
    rpt_run     *out;
    double       now, warmup, horizon;
    sim_station  st[ST_COUNT];
    /* arrivals */
    sim_rng      arr_rng;
    uint64_t     next_cust;   /* id of the next customer */
    double       L;           /* cumulative-rate target of the next arrival */
    int          nseg;        /* rate segments */
    double      *seg_start, *seg_rate, *seg_cum;
    int          cur_seg;
    sim_rate     rate;        /* the walk of a shaped rate (profile, levels); unused otherwise */
    double      *demand_cum;  /* catalog demand weights, cumulative, normalised */
    double       seg_cum_share[SCN_MAX_SEGMENTS];
    /* accumulators */
    double       m[RPT_METRIC_COUNT];
    double       locked_area, mal_area, last_t;
    int64_t      locked_peak;
    double       sellout;
    int64_t      paid_bin, paid_bin_n, paid_bin_max, paid_interval;
    uint64_t     events;
    double       refused_unpaid; /* cash-on-delivery parcels refused: unpaid orders closed */
    double       at_risk_cents;  /* captured for backordered (oversold, not refunded) orders; exact in cents */
    double       closed_unpaid;  /* orders closed (terminal) without ever paying */
    const inv_totals *tot;    /* the inventory's totals, read on every event */
    FILE        *orders_csv;  /* the order log being written, or NULL */
    /* breakdowns (docs/metrics.md): the run's cells per dimension (rpt_run.bd), and the
     * column of each figure in them (-1: the dimension does not break it down) */
    double      *bd_v[RPT_BD_DIMS];
    int          bd_ncols[RPT_BD_DIMS];
    int8_t       bd_col[RPT_BD_DIMS][RPT_BD_FIGURES];
    /* mixed processes: every process's states merged by name (state series, ledger codes) */
    int          n_fsms;                              /* processes in the run */
    int          nstates;                             /* distinct state names */
    int8_t       state_code[PROC_MAX_FSMS][FSM_MAX_STATES]; /* (process, state) -> merged index */
    const char  *state_name[RPT_MAX_STATES];          /* merged index -> name */
    bool         state_terminal[RPT_MAX_STATES];      /* terminal in the first process that has it */
    /* issue 15 items 1-4 */
    int64_t     *display;     /* stock shown per SKU as of the last refresh (NULL: exact or none) */
    double       display_next;/* time of the next display refresh */
    uint8_t     *served;      /* bit per customer: got a served order (customers_served) */
    size_t       served_cap;  /* bytes in served */
    /* the system around the rules */
    sim_admit   *adm;         /* admission (rate limit, waiting room, sold-out flag), NULL: none */
    /* the stock store (NULL rows: instant) */
    int          store_rows;  /* rows */
    int          store_b;     /* rows per SKU */
    sim_station *rows;        /* owned: one station (one server) per row */
    sim_job     *row_cur;     /* owned: the operation each row is serving */
    uint8_t     *row_waiting; /* owned: the row waits in conn_wait */
    int64_t     *pend;        /* owned, per SKU: units the core shows available that row operations may not take yet */
    sim_station  inv_st;      /* every row together: the inventory station */
    int          conn_busy;   /* operations holding a row (store.connections caps it) */
    int         *conn_wait;   /* owned: FIFO of rows whose head waits for a connection */
    size_t       conn_head, conn_len, conn_cap;
    struct sim__creq *creq;   /* owned: the lines of creation chains in flight (drawn once each) */
    int         *creq_free;   /* owned: free slots of creq */
    int          creq_n, creq_nfree;
    sim_lost    *lost;        /* turn-aways and wasted locks (genuine_customers_lost_to_locks) */
} sim__model;
_Static_assert(sizeof ((scn_scenario *)0)->more_fsms / sizeof(const fsm_def *) == PROC_MAX_FSMS - 1,
               "a scenario names at most as many processes as the engine runs");

static bool sim__counting(const sim__model *m) { return m->now >= m->warmup; }

/* aux: order index (16 bits) | segment << 16 | SIM__RETRIED once a retry was decided for it
 * | SIM__ASK_RETURN / SIM__ASK_REFUND while the buyer's return or refund request is on its
 * way | SIM__LINGER once the order ended (terminal, keeping money) with such a request still
 * to come: it stays in the pool, closed to everything else, until the request arrives and is
 * refused (docs/metrics.md, returns_refused_window and refunds_refused). */
#define SIM__RETRIED    (1u << 31)
#define SIM__ASK_RETURN (1u << 30)
#define SIM__ASK_REFUND (1u << 29)
#define SIM__LINGER     (1u << 28)
static int sim__segi(const ord_order *o) { return (int)((o->aux >> 16) & 0xFFu); }

/* ---- counting, with breakdowns -------------------------------------------------------- */

/* Adds v to figure f of row `row` of dimension d, when d breaks f down. */
static void sim__bd(sim__model *m, int d, int row, int f, double v)
{
    int c = m->bd_col[d][f];
    if (c >= 0) m->bd_v[d][(size_t)row * (size_t)m->bd_ncols[d] + (size_t)c] += v;
}

/* The order's payment channel, kept on the order: its row of by_channel (row 0, "default",
 * when the scenario lists no channels). */
static int sim__channel(const ord_order *o) { return o->channel; }

/* Counts a request that may not become an order: the total and its segment's row. */
static void sim__count_seg(sim__model *m, rpt_metric k, double v, int segi)
{
    if (!sim__counting(m)) return;
    m->m[k] += v;
    sim__bd(m, RPT_BD_SEGMENT, segi, k, v);
}

/* Counts an order's metric: the total, its segment's row and its channel's row. */
static void sim__count_o(sim__model *m, rpt_metric k, double v, const ord_order *o)
{
    if (!sim__counting(m)) return;
    m->m[k] += v;
    sim__bd(m, RPT_BD_SEGMENT, sim__segi(o), k, v);
    sim__bd(m, RPT_BD_CHANNEL, sim__channel(o), k, v);
}

/* Splits `cents` of an order over its lines in proportion to their list value, in whole
 * cents (the last line takes the remainder, so the parts add up exactly), into parts[]. */
static void sim__parts(const sim__model *m, const ord_order *o, os_money cents, os_money parts[ORD_MAX_LINES])
{
    os_money_total list = 0;
    for (int i = 0; i < o->n_lines; i++) list += (os_money_total)m->s->skus[o->lines[i].sku].price * o->lines[i].qty;
    os_money left = cents;
    for (int i = 0; i < o->n_lines; i++) {
        os_money_total line = (os_money_total)m->s->skus[o->lines[i].sku].price * o->lines[i].qty;
        parts[i] = i + 1 == o->n_lines ? left : list > 0 ? (os_money)((os_money_total)cents * line / list) : 0;
        left -= parts[i];
    }
}

/* Adds each line's part of `cents` (sim__parts) / div to the line's SKU row of figure k. */
static void sim__split_sku(sim__model *m, int k, os_money cents, const ord_order *o, double div)
{
    if (m->bd_col[RPT_BD_SKU][k] < 0) return;
    os_money parts[ORD_MAX_LINES];
    sim__parts(m, o, cents, parts);
    for (int i = 0; i < o->n_lines; i++) sim__bd(m, RPT_BD_SKU, (int)o->lines[i].sku, k, (double)parts[i] / div);
}

/* Line k's part of `cents` of the order as sim__split_sku books it. */
static os_money sim__line_share(const sim__model *m, const ord_order *o, int k, os_money cents)
{
    os_money parts[ORD_MAX_LINES];
    sim__parts(m, o, cents, parts);
    return parts[k];
}

/* Counts money of an order (cents): the total in currency units as before, its segment's
 * and channel's rows, and its SKUs' rows split by list value. */
static void sim__count_money(sim__model *m, rpt_metric k, os_money cents, const ord_order *o)
{
    if (!sim__counting(m)) return;
    sim__count_o(m, k, (double)cents / 100, o);
    sim__split_sku(m, k, cents, o, 100);
}

/* Counts units of a paid order: the total, segment and channel rows, and per SKU each
 * line's units (on_hand NULL) or each line's shortfall qty - max(on-hand before the
 * payment, 0) (on_hand: the lines' on-hand before it; the sale was from on-hand). */
static void sim__count_units(sim__model *m, rpt_metric k, double units, const ord_order *o, const int64_t *on_hand)
{
    if (!sim__counting(m)) return;
    sim__count_o(m, k, units, o);
    for (int i = 0; i < o->n_lines; i++) {
        int64_t q = o->lines[i].qty;
        if (on_hand) q = q > (on_hand[i] > 0 ? on_hand[i] : 0) ? q - (on_hand[i] > 0 ? on_hand[i] : 0) : 0;
        sim__bd(m, RPT_BD_SKU, (int)o->lines[i].sku, k, (double)q);
    }
}

/* A backordered order's captured money is at risk: kept in cents (exact) in the total and
 * in the rows; sim__finish turns the rows into currency units. */
static void sim__count_at_risk(sim__model *m, const ord_order *o)
{
    m->at_risk_cents += (double)o->captured;
    sim__bd(m, RPT_BD_SEGMENT, sim__segi(o), RPT_M_revenue_at_risk, (double)o->captured);
    sim__bd(m, RPT_BD_CHANNEL, sim__channel(o), RPT_M_revenue_at_risk, (double)o->captured);
    sim__split_sku(m, RPT_M_revenue_at_risk, o->captured, o, 1);
}

/* The discount each promotion gave a paid order, in its row. */
static void sim__count_promotions(sim__model *m, const ord_order *o)
{
    if (!sim__counting(m)) return;
    for (int i = 0; i < o->price.n; i++)
        sim__bd(m, RPT_BD_PROMOTION, o->price.promo[i], RPT_M_discount_total, (double)o->price.amount[i] / 100);
}

/* ---- time integrals ------------------------------------------------------------------ */

/* Advances the locked-stock integrals to t (clipped to [warmup, horizon]). Called before
 * anything that can change locks, i.e. at the start of every event. */
static void sim__advance(sim__model *m, double t)
{
    double a = m->last_t > m->warmup ? m->last_t : m->warmup;
    double b = t < m->horizon ? t : m->horizon;
    if (b > a) {
        m->locked_area += (double)m->tot->locked * (b - a);
        m->mal_area += (double)m->tot->locked_malicious * (b - a);
    }
    if (t > m->last_t) m->last_t = t;
}

/* The interval stations count in. */
static sim_span sim__span(const sim__model *m) { return (sim_span){ m->warmup, m->horizon }; }

/* ---- scheduling helpers -------------------------------------------------------------- */

static sim_handle sim__at(sim__model *m, double t, uint16_t type, void *ptr, uint64_t u64, uint32_t u32)
{
    sim_event ev = { .t = t, .type = type, .u32 = u32, .u64 = u64, .ptr = ptr };
    return sim_queue_push(m->q, &ev);
}

static bool sim__alive(const ord_order *o, uint64_t id) { return (o->flags & ORD_LIVE) && o->id == id && !(o->aux & SIM__LINGER); }
/* The order ended but waits for a request still to come (SIM__LINGER). */
static bool sim__lingers(const ord_order *o, uint64_t id) { return (o->flags & ORD_LIVE) && o->id == id && (o->aux & SIM__LINGER); }

static uint64_t sim__cust(const ord_order *o) { return o->customer; }
static uint32_t sim__j(const ord_order *o) { return o->aux & 0xFFFFu; }
static const scn_segment *sim__seg(const sim__model *m, const ord_order *o) { return &m->s->segments[sim__segi(o)]; }

/* Draws from a distribution with the decision's own stream. A constant needs no stream; a
 * one-uniform law computes only the state word its draw reads (sim_dist_draw_once). */
static double sim__draw(const sim__model *m, const sim_dist *d, uint32_t purpose, uint64_t cust, uint64_t sub)
{
    return sim_dist_draw_once(d, m->seed, purpose, cust, sub);
}

static double sim__u(const sim__model *m, uint32_t purpose, uint64_t cust, uint64_t sub)
{
    return sim_rng_once(m->seed, purpose, cust, sub);
}

/* The unpaid order's expiry deadline: creation + the initial state's expiry timer, or
 * INFINITY when the process has none. Derived, not stored: it never changes. */
static double sim__deadline(const sim__model *m, const ord_order *o)
{
    const fsm_transition *tm = fsm_timer(proc_fsm_of(m->pe, o), fsm_initial(proc_fsm_of(m->pe, o)));
    return tm && tm->action == FSM_EXPIRE ? o->t_created + scn_timer_seconds(m->s, tm) : INFINITY;
}

/* Arms the timer of the state the order is in. A timer armed `now + its constant delay`
 * goes to the FIFO lane of its kind (see sim_queue.h); one re-armed at an earlier deadline
 * (after a failed payment) falls back to the heap inside the queue. */
static void sim__arm(sim__model *m, ord_order *o, const fsm_transition *t, double at)
{
    sim_event ev = { .t = at, .type = EV_TIMER, .u32 = t->action, .u64 = o->id, .ptr = o };
    o->timer = sim_queue_push_lane(m->q, &ev, t->after_kind % SIM_QUEUE_LANES);
}

/* After a transition: re-arm the state's timer if the state changed, close terminal orders.
 * Returns true when the order was closed (the pointer is then dead). */
static void sim__log_order(const sim__model *m, const ord_order *o);

static bool sim__after(sim__model *m, ord_order *o, const proc_result *res)
{
    if (res->from != res->to) {
        sim_queue_cancel(m->q, o->timer);
        o->timer = 0;
        if (res->timer) sim__arm(m, o, res->timer, m->now + scn_timer_seconds(m->s, res->timer));
    }
    if (fsm_is_terminal(proc_fsm_of(m->pe, o), o->state)) {
        sim_queue_cancel(m->q, o->timer);
        o->timer = 0;
        if (m->orders_csv) sim__log_order(m, o);
        if (!(o->flags & ORD_PAID) && sim__counting(m)) m->closed_unpaid++;
        /* a return or refund the buyer will still ask for is refused when it comes, not lost */
        if ((o->aux & (SIM__ASK_RETURN | SIM__ASK_REFUND)) && o->captured > o->refunded) o->aux |= SIM__LINGER;
        else proc_close(m->pe, o);
        return true;
    }
    return false;
}

/* ---- the order log (run --orders-csv) ------------------------------------------------ */


void sim_orders_csv_header(FILE *f)
{
    fputs("order_id,customer_id,status,created_at,paid_at,cancelled_at,shipped_at,delivered_at,returned_at,"
          "sku,quantity,price,channel\n", f);
}

/* Writes a time column: empty when the action never happened. */
static void sim__log_time(FILE *f, double t)
{
    char buf[40] = "";
    if (!isnan(t)) olog_format_iso(SIM_LOG_EPOCH + t, buf, sizeof buf);
    fprintf(f, ",%s", buf);
}

/* Writes an order's rows (one per line) when it closes or when the run ends. String work
 * on the event path, but only with --orders-csv. An expired or rejected order's closing
 * time goes in cancelled_at; its status tells which. */
static void sim__log_order(const sim__model *m, const ord_order *o)
{
    FILE *f = m->orders_csv;
    double closed = ord_time_of(o, FSM_CANCEL);
    if (isnan(closed)) closed = ord_time_of(o, FSM_EXPIRE);
    if (isnan(closed)) closed = ord_time_of(o, FSM_REJECT);
    double ret = ord_time_of(o, FSM_RETURN_REQUEST);
    if (isnan(ret)) ret = ord_time_of(o, FSM_RETURN_RECEIVE);
    for (int i = 0; i < o->n_lines; i++) {
        fprintf(f, "o%llu,c%llu,", (unsigned long long)o->id, (unsigned long long)o->buyer);
        olog_put_field(f, fsm_state_name(proc_fsm_of(m->pe, o), o->state));
        sim__log_time(f, o->t_created);
        sim__log_time(f, ord_time_of(o, FSM_PAY));
        sim__log_time(f, closed);
        sim__log_time(f, ord_time_of(o, FSM_SHIP));
        sim__log_time(f, ord_time_of(o, FSM_DELIVER));
        sim__log_time(f, ret);
        const scn_sku *k = &m->s->skus[o->lines[i].sku];
        fputc(',', f);
        olog_put_field(f, k->sku);
        fprintf(f, ",%d,%lld.%02lld,", (int)o->lines[i].qty, (long long)(k->price / 100), (long long)(k->price % 100));
        /* the payment channel when the scenario has channels, else the segment */
        olog_put_field(f, m->s->n_channels ? m->s->channels[o->channel].name : sim__seg(m, o)->name);
        fputc('\n', f);
    }
}

/* ---- stations ----------------------------------------------------------------------- */

static void sim__job_done(sim__model *m, int which, const sim_job *job);
static bool sim__take_start(sim__model *m, uint64_t cust, uint32_t j, int segi, bool held);
/* What the order's lines had before a core call that may give stock back. */
typedef struct sim__snap {
    int      n;
    inv_line lines[ORD_MAX_LINES];
    int64_t  avail[ORD_MAX_LINES], on_hand[ORD_MAX_LINES];
    uint64_t id;
} sim__snap;

static void sim__snap_take(const sim__model *m, const ord_order *o, sim__snap *sn);
static void sim__give_back(sim__model *m, const sim__snap *sn);
static void sim__chain_step(sim__model *m, const sim_job *job, unsigned op, int k, unsigned flags);
static void sim__job_timed_out(sim__model *m, int which, const sim_job *job);
static void sim__job_failed_outage(sim__model *m, int which, const sim_job *job);
static void sim__start(sim__model *m, int which, const sim_job *job);
static void sim__arm_station(sim__model *m, int which);

/* The payment delay and failure probability of the order's payment channel (payment's own
 * when the scenario lists no channels). */
static const sim_dist *sim__pay_delay(const sim__model *m, const ord_order *o)
{
    return m->s->n_channels ? &m->s->channels[o->channel].delay : &m->s->pay_delay;
}
static double sim__pay_failure_p(const sim__model *m, const ord_order *o)
{
    return m->s->n_channels ? m->s->channels[o->channel].failure_p : m->s->pay_failure_p;
}

static double sim__service_time(const sim__model *m, int which, const sim_job *job)
{
    const sim_station *st = &m->st[which];
    if (which == ST_ORDER && (job->b & SIM__READ)) {
        const scn_segment *g = &m->s->segments[(job->b >> 16) & 0xFu];
        return sim__draw(m, &g->read_service, SIM_P_READ_SERVICE, job->a, (uint64_t)(job->b & 0xFFFFu) << 10 | ((job->b >> 20) & 0x3FFu));
    }
    if (which == ST_ORDER) return sim__draw(m, st->service, SIM_P_ORDER_SERVICE, job->a, job->b & 0xFFFFu);
    const ord_order *o = job->ptr;
    if (which == ST_PAY) return sim__draw(m, sim__pay_delay(m, o), SIM_P_PAY_DELAY, sim__cust(o), sim__j(o));
    return sim__draw(m, st->service, SIM_P_WAREHOUSE, sim__cust(o), (uint64_t)sim__j(o) * 64 + job->b);
}

/* A request's mean service time when it is not the station's own `service` (an order read:
 * its segment's reads.service), else a negative number. */
static double sim__other_mean(const sim__model *m, int which, const sim_job *job)
{
    if (which == ST_ORDER && (job->b & SIM__READ)) return sim_dist_mean(&m->s->segments[(job->b >> 16) & 0xFu].read_service);
    return -1;
}

/* ---- faults (sim_fault.c): outages and slow windows of the stations ------------------ */

/* The fault target a station answers to. */
static scn_fault_target sim__st_target(int which)
{
    return which == ST_ORDER ? SCN_FT_ORDER_SERVICE : which == ST_PAY ? SCN_FT_PAYMENT : SCN_FT_WAREHOUSE;
}

/* True when station `which` is out now (never without faults). */
static bool sim__st_out(const sim__model *m, int which)
{
    return m->s->n_faults && sim_fault_out(m->s, sim__st_target(which), -1, m->now);
}

/* Starts as many queued requests as there are free servers, unless the station is still
 * out: the end of one of its outages. */
static void sim__fault_end(sim__model *m, int which)
{
    if (sim__st_out(m, which)) return;
    sim_job job;
    while (sim_station_take(&m->st[which], &job)) sim__start(m, which, &job);
}

/* Starts service: the warehouse begins production of the order's first sub-order then. */
static void sim__start(sim__model *m, int which, const sim_job *job)
{
    sim_station *st = &m->st[which];
    /* An order cancelled while it queued is not produced: its slot frees at once. */
    bool dead = which != ST_ORDER && !sim__alive(job->ptr, job->a);
    double service = dead ? 0 : sim__service_time(m, which, job);
    if (m->s->n_faults && !dead) service *= sim_fault_factor(m->s, sim__st_target(which), -1, m->now);
    sim_job j = *job;
    if (which == ST_PAY && !dead && job->arrived + m->s->pay_timeout < m->now + service) {
        /* payment.timeout covers queue and service: a payment that would finish after its
         * deadline is abandoned at the deadline, freeing its server then (finishing exactly
         * at the deadline is in time) */
        service = job->arrived + m->s->pay_timeout - m->now;
        j.b |= SIM__ABANDONED;
    }
    job = &j;
    /* an order cancelled or refunded while it queued was never served: no wait to report */
    if (!dead) sim_station_record(st, m->now, sim__span(m), job->arrived, service, sim__other_mean(m, which, job));
    sim_station_seize(st, m->now, sim__span(m));
    if (which == ST_WH) {
        ord_order *o = job->ptr;
        if (sim__alive(o, job->a) && fsm_row(proc_fsm_of(m->pe, o), o->state, FSM_PRODUCE)) {
            proc_result res;
            if (proc_apply(m->pe, o, FSM_PRODUCE, FSM_SYSTEM, m->now, NULL, &res) == OS_OK) sim__after(m, o, &res);
        }
    }
    sim_event ev = { .t = m->now + service, .type = EV_STATION_DONE, .u32 = (uint32_t)which,
                     .u64 = job->a, .ptr = job->ptr };
    /* The job's b and arrival ride in the event: u32 holds the station, so pack b into flags. */
    ev.flags = (uint16_t)(job->b & 0xFFFFu);
    ev.u32 |= (job->b >> 16) << 8;
    sim_queue_push(m->q, &ev);
}

static void sim__arrive(sim__model *m, int which, sim_job job)
{
    sim_station *st = &m->st[which];
    job.arrived = m->now;
    if (m->s->n_faults && sim__st_out(m, which)) {
        /* an outage: a request arriving fails at once; the warehouse's work waits for the
         * end (a paid order is not failed: it is produced late) */
        if (which != ST_WH) { sim__job_failed_outage(m, which, &job); return; }
        if (st->servers > 0) { sim_station_enqueue(st, &job); return; }
    }
    if (st->servers == 0) {              /* not modelled: no queue, no service time */
        sim_station_record(st, m->now, sim__span(m), m->now, 0, -1);
        if (which == ST_WH) {
            ord_order *o = job.ptr;
            if (sim__alive(o, job.a) && fsm_row(proc_fsm_of(m->pe, o), o->state, FSM_PRODUCE)) {
                proc_result res;
                if (proc_apply(m->pe, o, FSM_PRODUCE, FSM_SYSTEM, m->now, NULL, &res) == OS_OK) sim__after(m, o, &res);
            }
        }
        sim__job_done(m, which, &job);
        return;
    }
    if (sim_station_idle(st)) {
        sim__start(m, which, &job);
        return;
    }
    sim_station_enqueue(st, &job);
    sim__arm_station(m, which);
}

/* Keeps one deadline timer pending for a station with a timeout and a queue: at its head's
 * deadline (sim_station.h). */
static void sim__arm_station(sim__model *m, int which)
{
    sim_station *st = &m->st[which];
    double dl = sim_station_deadline(st);
    if (st->timer || !isfinite(dl)) return;
    st->timer = true;
    sim__at(m, dl, EV_STATION_TIMEOUT, NULL, 0, (uint32_t)which);
}

/* A station's deadline timer: every queued request whose deadline has come leaves the queue
 * unserved (sim__job_timed_out says what that means for it); the timer is re-armed for the
 * new head. A head that has time left (the one it was armed for started service) only
 * re-arms. */
static void sim__station_timeout(sim__model *m, int which)
{
    sim_station *st = &m->st[which];
    st->timer = false;
    sim_job job;
    while (sim_station_pop_expired(st, m->now, sim__span(m), &job)) sim__job_timed_out(m, which, &job);
    sim__arm_station(m, which);
}

static void sim__station_done(sim__model *m, const sim_event *ev)
{
    int which = (int)(ev->u32 & 0xFF);
    sim_job job = { 0, ev->u64, ev->ptr, (uint32_t)ev->flags | ((ev->u32 >> 8) << 16), 0, 0 };
    /* Under a row store a creation that locks keeps its server until its rows commit. */
    if (which == ST_ORDER && m->rows && !(job.b & SIM__READ) &&
        sim__take_start(m, job.a, job.b & 0xFFFFu, (int)(job.b >> 16), true))
        return;
    sim_job next;
    if (m->s->n_faults && sim__st_out(m, which)) sim_station_vacate(&m->st[which], m->now, sim__span(m));  /* queued ones wait */
    else if (sim_station_release(&m->st[which], m->now, sim__span(m), &next)) sim__start(m, which, &next);
    sim__job_done(m, which, &job);
}

/* ---- behaviour ---------------------------------------------------------------------- */

/* Rounds a count draw (>= 0) to the nearest integer, at least 1. */
static int sim__round_count(double x) { return x < 1.5 ? 1 : x >= 1000000 ? 1000000 : (int)(x + 0.5); }

static uint32_t sim__pick_sku(const sim__model *m, sim_rng *r)
{
    double u = sim_rng_uniform(r);
    int lo = 0, hi = m->s->n_skus - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (u < m->demand_cum[mid]) hi = mid; else lo = mid + 1;
    }
    return (uint32_t)lo;
}

static void sim__served(sim__model *m, const ord_order *o);
static void sim__retry_order(sim__model *m, ord_order *o);
static void sim__flag_stockout(sim__model *m, const inv_line *lines, int n);
static void sim__away(sim__model *m, uint64_t cust, const inv_line *l, int n);

/* Membership points of the order's tier per unit (0 for a non-member). */
static int32_t sim__ppu(const sim__model *m, const ord_order *o)
{
    return o->tier ? m->s->tiers[o->tier - 1].points_per_unit : 0;
}

/* Counts membership points of an order: the total, segment and channel rows, and per SKU
 * each line's units x the tier's points per unit (`back`: only that line, a partial return);
 * the last line takes the remainder, so the rows add up to `points` exactly. */
static void sim__count_points(sim__model *m, rpt_metric k, uint32_t points, const ord_order *o, const inv_line *back)
{
    if (!sim__counting(m) || points == 0) return;
    sim__count_o(m, k, (double)points, o);
    const inv_line *l = back ? back : o->lines;
    int n = back ? 1 : o->n_lines;
    int64_t left = points;
    for (int i = 0; i < n; i++) {
        int64_t part = i + 1 == n ? left : (int64_t)l[i].qty * sim__ppu(m, o);
        left -= part;
        sim__bd(m, RPT_BD_SKU, (int)l[i].sku, k, (double)part);
    }
}

/* Counts what an action gave back, in the totals and the breakdowns: the money (per SKU split
 * over the order's lines by list value, or all on the returned line's SKU when `back` is the
 * line of a partial return), the membership points, and the discount a partial return took
 * back. */
static void sim__count_refund(sim__model *m, const proc_result *res, const ord_order *o, const inv_line *back, os_money back_share)
{
    if (!sim__counting(m)) return;
    if (back) {
        /* A partial return, per SKU: the returned line gets back its part of the capture
         * (back_share, as its SKU was booked at payment), so its revenue is 0; the rest of the
         * refund, negative when the kept lines lost a discount, goes to the kept lines (o's
         * lines now), so their revenue is what the order now nets. */
        sim__count_o(m, RPT_M_refund_total, (double)res->refund / 100, o);
        sim__bd(m, RPT_BD_SKU, (int)back->sku, RPT_M_refund_total, (double)back_share / 100);
        sim__split_sku(m, RPT_M_refund_total, res->refund - back_share, o, 100);
    } else {
        sim__count_money(m, RPT_M_refund_total, res->refund, o);
    }
    sim__count_points(m, RPT_M_points_returned, res->points_back, o, back);
    /* what is taken back is the kept lines' lost discount: theirs */
    if (res->discount_back) sim__count_money(m, RPT_M_discount_taken_back, res->discount_back, o);
}

/* Counts a successful payment. on_hand: each line's on-hand before it (per-SKU shortfall). */
static void sim__paid(sim__model *m, ord_order *o, const proc_result *res, const int64_t *on_hand)
{
    bool genuine = !(o->flags & ORD_MALICIOUS);
    int64_t units = 0;
    for (int i = 0; i < o->n_lines; i++) units += o->lines[i].qty;
    sim__count_o(m, RPT_M_orders_paid, 1, o);
    if (genuine) sim__count_o(m, RPT_M_genuine_orders_paid, 1, o);
    /* Served: the stock covered every line. An oversold order (backordered, or refunded at
     * once under oversell=refund) is paid but not served; money kept for a backordered one
     * is at risk until stock covers it. */
    if (genuine && res->shortfall == 0) {
        sim__count_o(m, RPT_M_genuine_orders_served, 1, o);
        sim__served(m, o);
    }
    if (!genuine && !res->oversell_refund) sim__count_units(m, RPT_M_units_bought_by_bots, (double)units, o, NULL);
    if (res->shortfall > 0 && !res->oversell_refund && sim__counting(m)) sim__count_at_risk(m, o);
    if (!res->oversell_refund) sim__count_units(m, RPT_M_units_sold, (double)units, o, NULL);
    if (res->shortfall > 0) {
        sim__count_units(m, RPT_M_oversold_units, (double)res->shortfall, o, on_hand);
        sim__count_o(m, RPT_M_oversold_orders, 1, o);
    }
    sim__count_money(m, RPT_M_captured_total, o->captured, o);
    sim__count_money(m, RPT_M_discount_total, o->price.discount, o);
    sim__count_promotions(m, o);
    sim__count_points(m, RPT_M_points_awarded, res->points_awarded, o, NULL);
    sim__count_o(m, RPT_M_sub_orders, (double)o->n_sub, o);
    if (res->oversell_refund) {
        sim__count_o(m, RPT_M_orders_refunded, 1, o);
        sim__count_refund(m, res, o, NULL, 0);
    }
    if (sim__counting(m)) {
        rpt_hist_add(&m->out->order_to_pay, m->now - o->t_created);
        m->paid_interval++;
        int64_t bin = (int64_t)floor(m->now);
        if (bin != m->paid_bin) {
            if (m->paid_bin_n > m->paid_bin_max) m->paid_bin_max = m->paid_bin_n;
            m->paid_bin = bin;
            m->paid_bin_n = 0;
        }
        m->paid_bin_n++;
    }
}

/* Sends a paid order's sub-orders to the warehouse when the process produces it. */
static void sim__to_warehouse(sim__model *m, ord_order *o)
{
    if (!fsm_row(proc_fsm_of(m->pe, o), o->state, FSM_PRODUCE)) return;
    o->sub_done = 0;
    int n = o->n_sub ? o->n_sub : 1;
    uint64_t id = o->id;
    for (int k = 0; k < n; k++) {
        sim__arrive(m, ST_WH, (sim_job){ .a = id, .ptr = o, .b = (uint32_t)k });
        if (!sim__alive(o, id)) return;
    }
}

/* Applies `pay` and what follows it: accounting, then production. */
static void sim__apply_pay(sim__model *m, ord_order *o)
{
    proc_result res;
    int64_t on_hand[ORD_MAX_LINES];
    for (int i = 0; i < o->n_lines; i++) on_hand[i] = inv_sku(proc_inventory(m->pe), o->lines[i].sku)->on_hand;
    os_status st = proc_apply(m->pe, o, FSM_PAY, FSM_BUYER, m->now, NULL, &res);
    if (st == OS_ESTOCK) {                          /* implicit payment start was rejected */
        sim__count_o(m, RPT_M_payments_rejected_revalidation, 1, o);
        sim__flag_stockout(m, o->lines, o->n_lines);
        sim__retry_order(m, o);
        proc_result r2 = { .from = -1, .to = o->state };
        sim__after(m, o, &r2);
        return;
    }
    if (st != OS_OK) return;
    sim__paid(m, o, &res, on_hand);
    if (sim__after(m, o, &res)) return;
    const scn_segment *g = sim__seg(m, o);
    if (g->cancel_after_pay_probability > 0 &&
        sim__u(m, SIM_P_CANCEL_PAID, sim__cust(o), sim__j(o)) < g->cancel_after_pay_probability) {
        double d = sim__draw(m, &g->cancel_after_pay_delay, SIM_P_CANCEL_PAID_DELAY, sim__cust(o), sim__j(o));
        sim__at(m, m->now + d, EV_CANCEL, o, o->id, 1);   /* 1: an attempt on a paid order */
    }
    if (g->refund_probability > 0 && sim__u(m, SIM_P_REFUND, sim__cust(o), sim__j(o)) < g->refund_probability) {
        double d = sim__draw(m, &g->refund_delay, SIM_P_REFUND_DELAY, sim__cust(o), sim__j(o));
        sim__at(m, m->now + d, EV_REFUND, o, o->id, 0);
        o->aux |= SIM__ASK_REFUND;
    }
    sim__to_warehouse(m, o);
}

/* The customer's membership tier (1-based, 0 = none): the segment's, or drawn from its mix. */
static uint8_t sim__tier(const sim__model *m, const scn_segment *g, uint64_t cust)
{
    if (g->n_tier_mix == 0) return 0;
    double u = g->n_tier_mix == 1 && g->tier_cum[0] >= 1 ? 0 : sim__u(m, SIM_P_TIER, cust, 0);
    for (int i = 0; i < g->n_tier_mix; i++)
        if (u < g->tier_cum[i]) return g->tier_of[i];
    return 0;
}

/* The payment channel of the customer's j-th order, drawn by share (0 without channels). */
static uint8_t sim__draw_channel(const sim__model *m, uint64_t cust, uint32_t j)
{
    if (m->s->n_channels < 2) return 0;
    double u = sim__u(m, SIM_P_CHANNEL, cust, j), c = 0;
    for (int i = 0; i + 1 < m->s->n_channels; i++)
        if (u < (c += m->s->channels[i].share)) return (uint8_t)i;
    return (uint8_t)(m->s->n_channels - 1);
}

/* ---- issue 15 items 9-12: read traffic ------------------------------------------------ */

/* The order's reads (order list, order detail) join the order service when it is created:
 * floor(per_order), plus one with probability equal to the fraction. Counted in
 * order_reads as they arrive (docs/metrics.md). The order may close before they are
 * served; they are requests of the customer, not of the order. */
static void sim__reads(sim__model *m, const ord_order *o, uint64_t cust, uint32_t j, int segi)
{
    const scn_segment *g = &m->s->segments[segi];
    double whole = floor(g->reads_per_order), frac = g->reads_per_order - whole;
    int n = (int)whole + (frac > 0 && sim__u(m, SIM_P_READS, cust, j) < frac);
    sim__count_o(m, RPT_M_order_reads, n, o);
    for (int k = 0; k < n; k++)
        sim__arrive(m, ST_ORDER, (sim_job){ .a = cust, .b = j | (uint32_t)segi << 16 | (uint32_t)k << 20 | SIM__READ });
}

/* The process an order follows (docs/scenarios.md, "Mixed processes"): its SKUs' when every
 * line names the same one, else its segment's, else the scenario's (number 0). */
static uint8_t sim__process_of(const scn_scenario *s, const scn_segment *g, const proc_order_req *rq)
{
    int p = s->skus[rq->lines[0].sku].process;
    for (int i = 1; i < rq->n_lines; i++)
        if (s->skus[rq->lines[i].sku].process != p) p = -1;
    if (p < 0) p = g->process;
    return (uint8_t)(p < 0 ? 0 : p);
}


/* Draws order j's lines for customer `cust` of segment g into rq (n_lines, lines): from the
 * log for a replayed arrival that has lines, else basket size, SKUs and quantities from the
 * order's own streams (so drawing them twice gives the same lines). */
static void sim__lines(const sim__model *m, uint64_t cust, uint32_t j, const scn_segment *g, proc_order_req *rq)
{
    const scn_scenario *s = m->s;
    int maxl = s->n_skus < ORD_MAX_LINES ? s->n_skus : ORD_MAX_LINES;
    int n = sim__round_count(sim__draw(m, &g->basket, SIM_P_BASKET, cust, j));
    if (n > maxl) n = maxl;
    /* Streams only where there is a choice: one SKU needs no pick, a constant quantity no draw. */
    sim_rng rs, rqn;
    if (s->n_skus > 1) sim_rng_init(&rs, m->seed, SIM_P_SKU, cust, j);
    if (g->quantity.kind != SIM_CONST) sim_rng_init(&rqn, m->seed, SIM_P_QTY, cust, j);
    for (int i = 0; i < n; i++) {
        uint32_t sku = 0;
        for (int tries = 0; s->n_skus > 1; tries++) {
            sku = tries < 64 ? sim__pick_sku(m, &rs) : (sku + 1) % (uint32_t)s->n_skus;
            bool dup = false;
            for (int k = 0; k < i; k++) dup |= rq->lines[k].sku == sku;
            if (!dup) break;
        }
        double q = g->quantity.kind == SIM_CONST ? g->quantity.a : sim_dist_draw(&g->quantity, &rqn);
        rq->lines[i] = (inv_line){ sku, sim__round_count(q) };
    }
    rq->n_lines = n;
    if (s->trace && s->trace_nlines[cust] > 0) {
        /* The logged lines: SKU as logged, quantity as logged (or drawn when absent). */
        n = 0;
        for (int i = 0; i < s->trace_nlines[cust]; i++) {
            int32_t k = s->trace_line0[cust] + i, q = s->trace_qty[k];
            if (q == 0) q = sim__round_count(g->quantity.kind == SIM_CONST ? g->quantity.a : sim_dist_draw(&g->quantity, &rqn));
            int at = -1;
            for (int e = 0; e < n; e++) if (rq->lines[e].sku == (uint32_t)s->trace_sku[k]) at = e;
            if (at >= 0) rq->lines[at].qty = rq->lines[at].qty + q > 1000000 ? 1000000 : rq->lines[at].qty + q;
            else rq->lines[n++] = (inv_line){ (uint32_t)s->trace_sku[k], q };
        }
        rq->n_lines = n;
    }
}

/* ---- retries, the stock shown to customers, customers served ------------------------ */

/* Orders a visit places at once: a bot's orders_per_visit, else one. The retry of order j is
 * order j + stride (its own random streams), so j / stride is the attempt. */
static uint32_t sim__stride(const scn_segment *g) { return g->malicious ? (uint32_t)g->orders_per_visit : 1u; }

/* Order j of a customer failed (stock-out rejection at creation or at payment, expiry, failed
 * payment): the customer tries again, as a new order j + stride after retry.delay, with
 * probability retry.probability and at most retry.max times (the loader keeps the order
 * index below 2^16). */
static void sim__retry(sim__model *m, uint64_t cust, uint32_t j, int segi)
{
    const scn_segment *g = &m->s->segments[segi];
    uint32_t stride = sim__stride(g);
    if (g->retry_max == 0 || g->retry_probability <= 0 || j / stride >= (uint32_t)g->retry_max) return;
    if (sim__u(m, SIM_P_RETRY, cust, j) >= g->retry_probability) return;
    double d = sim__draw(m, &g->retry_delay, SIM_P_RETRY_DELAY, cust, j);
    sim__at(m, m->now + d, EV_RETRY, NULL, cust, (j + stride) | (uint32_t)segi << 16);
}

/* sim__retry for a live order, at most once per order (a failed payment is followed by the
 * order's expiry: one failure, one retry). */
static void sim__retry_order(sim__model *m, ord_order *o)
{
    if (o->aux & SIM__RETRIED) return;
    o->aux |= SIM__RETRIED;
    sim__retry(m, sim__cust(o), sim__j(o), sim__segi(o));
}

/* Refreshes the stock shown to customers: available units per SKU as they are now, which is
 * as they were at the latest refresh time <= t (called before the first event at or after a
 * refresh time; nothing changes between events). */
static void sim__display_refresh(sim__model *m, double t)
{
    const inv_store *inv = proc_inventory(m->pe);
    for (int i = 0; i < inv_sku_count(inv); i++) m->display[i] = inv_available(inv_sku(inv, (uint32_t)i));
    double r = m->s->display_refresh;
    m->display_next = (floor(t / r) + 1) * r;
}

/* True when the page shows 0 available for a line of rq: the customer does not order. */
static bool sim__shown_out(const sim__model *m, const proc_order_req *rq)
{
    const inv_store *inv = proc_inventory(m->pe);
    for (int i = 0; i < rq->n_lines; i++) {
        uint32_t k = rq->lines[i].sku;
        if ((m->display ? m->display[k] : inv_available(inv_sku(inv, k))) <= 0) return true;
    }
    return false;
}

/* Order j of a customer goes to the order service, unless the stock shown turns a genuine
 * customer away (bots order through the API whatever the page shows). */
static void sim__order_request(sim__model *m, uint64_t cust, uint32_t j, int segi)
{
    const scn_segment *g = &m->s->segments[segi];
    if (m->s->display && !g->malicious) {
        proc_order_req rq;
        sim__lines(m, cust, j, g, &rq);
        if (sim__shown_out(m, &rq)) {
            const inv_store *inv = proc_inventory(m->pe);
            sim__count_seg(m, RPT_M_customers_turned_away_by_display, 1, segi);
            if (inv_can_lock(inv, rq.lines, rq.n_lines)) sim__count_seg(m, RPT_M_turned_away_while_available, 1, segi);
            /* the page showed 0 because units sat locked: a genuine buyer turned away while
             * locked, as an order the service rejects would be (what compare weighs) */
            else if (m->tot->locked > 0 && inv_short_while_locked(inv, rq.lines, rq.n_lines)) {
                sim__count_seg(m, RPT_M_genuine_rejected_while_locked, 1, segi);
                sim__away(m, cust, rq.lines, rq.n_lines);
            }
            return;
        }
    }
    sim__arrive(m, ST_ORDER, (sim_job){ .a = cust, .b = j | (uint32_t)segi << 16 });
}

/* ---- admission (sim_admit.c): once per visit, before the order service ---------------- */

/* The orders of a visit go to the order service: `visit` is j | segment << 16, where j is 0
 * for a new visit (all its orders_per_visit orders) or the index of a retried order (that
 * order alone). */
static void sim__visit_orders(sim__model *m, uint64_t cust, uint32_t visit)
{
    uint32_t j = visit & 0xFFFFu;
    int segi = (int)(visit >> 16);
    const scn_segment *g = &m->s->segments[segi];
    uint32_t n = j == 0 && g->malicious ? (uint32_t)g->orders_per_visit : 1u;
    for (uint32_t k = 0; k < n; k++) sim__order_request(m, cust, j + k, segi);
}

/* The sold-out flag: true when every SKU the visit's orders want is flagged now (the visit is
 * then turned away, counted once). */
static bool sim__flag_turns_away(sim__model *m, uint64_t cust, uint32_t visit)
{
    if (!m->s->admission.sold_out_flag) return false;
    uint32_t j = visit & 0xFFFFu;
    int segi = (int)(visit >> 16);
    const scn_segment *g = &m->s->segments[segi];
    uint32_t n = j == 0 && g->malicious ? (uint32_t)g->orders_per_visit : 1u;
    for (uint32_t k = 0; k < n; k++) {
        proc_order_req rq;
        sim__lines(m, cust, j + k, g, &rq);
        for (int i = 0; i < rq.n_lines; i++)
            if (!sim_admit_flagged(m->adm, rq.lines[i].sku, m->now)) return false;
    }
    sim__count_seg(m, RPT_M_customers_turned_away_by_flag, 1, segi);
    return true;
}

/* A visit let in (at once, or by the waiting room's gate) meets the sold-out flag, then its
 * orders go on. */
static void sim__admitted(sim__model *m, uint64_t cust, uint32_t visit)
{
    if (!sim__flag_turns_away(m, cust, visit)) sim__visit_orders(m, cust, visit);
}

/* A visit (a new customer, or a retry) arrives: rate limit, waiting room, sold-out flag, in
 * that order, then its orders. Without admission it goes straight on (no draw, no state). */
static void sim__visit(sim__model *m, uint64_t cust, uint32_t visit)
{
    if (!m->adm) { sim__visit_orders(m, cust, visit); return; }
    int segi = (int)(visit >> 16);
    if (!sim_admit_rate(m->adm, m->now)) { sim__count_seg(m, RPT_M_customers_shed, 1, segi); return; }
    uint64_t seq;
    double gate;
    switch (sim_admit_room_arrive(m->adm, m->now, cust, visit, sim__counting(m), &seq, &gate)) {
    case SIM_ROOM_SHED: sim__count_seg(m, RPT_M_customers_shed, 1, segi); return;
    case SIM_ROOM_IN: sim__admitted(m, cust, visit); return;
    case SIM_ROOM_WAIT: break;
    }
    if (isfinite(gate)) sim__at(m, gate, EV_ADMIT_GATE, NULL, 0, 0);
    const scn_admission *a = &m->s->admission;
    if (a->wr_has_patience) {
        double p = sim__draw(m, &a->wr_patience, SIM_P_PATIENCE, cust, visit & 0xFFFFu);
        sim__at(m, m->now + p, EV_ADMIT_LEAVE, NULL, seq, visit);
    }
}

/* The waiting room's gate opens: the first visit still waiting goes in; the gate re-arms
 * 1/release_rate later while visits wait. */
static void sim__admit_gate(sim__model *m)
{
    uint64_t cust;
    uint32_t visit;
    double next;
    bool in = sim_admit_room_release(m->adm, m->now, sim__counting(m), &cust, &visit, &next);
    if (isfinite(next)) sim__at(m, next, EV_ADMIT_GATE, NULL, 0, 0);
    if (in) sim__admitted(m, cust, visit);
}

/* A stock-out rejection of a request for these lines flags each SKU that could not be
 * served (available below the line's quantity) for the sold-out flag's ttl. */
static void sim__flag_stockout(sim__model *m, const inv_line *lines, int n)
{
    if (!m->adm || !m->s->admission.sold_out_flag) return;
    const inv_store *inv = proc_inventory(m->pe);
    for (int i = 0; i < n; i++)
        if (inv_available(inv_sku(inv, lines[i].sku)) < lines[i].qty) sim_admit_flag(m->adm, lines[i].sku, m->now);
}

/* Counts the customer of a served order in customers_served, once per customer (a bit per
 * customer id; the bitmap grows by doubling). */
static void sim__served(sim__model *m, const ord_order *o)
{
    uint64_t cust = sim__cust(o);
    size_t byte = (size_t)(cust / 8);
    if (byte >= m->served_cap) {
        size_t nc = m->served_cap ? m->served_cap : 1024;
        while (nc <= byte) nc *= 2;
        m->served = xrealloc(m->served, nc);
        memset(m->served + m->served_cap, 0, nc - m->served_cap);
        m->served_cap = nc;
    }
    uint8_t bit = (uint8_t)(1u << (cust % 8));
    if (m->served[byte] & bit) return;
    m->served[byte] |= bit;
    sim__count_seg(m, RPT_M_customers_served, 1, sim__segi(o));
}

/* A genuine customer turned away (stock-out or display) while units of a wanted SKU were
 * locked: recorded against the first line whose SKU was short and had units locked
 * (genuine_customers_lost_to_locks, sim_lost.h). */
static void sim__away(sim__model *m, uint64_t cust, const inv_line *l, int n)
{
    if (!sim__counting(m)) return;
    const inv_store *inv = proc_inventory(m->pe);
    for (int i = 0; i < n; i++) {
        const inv_counts *c = inv_sku(inv, l[i].sku);
        if (inv_available(c) < l[i].qty && c->locked > 0) {
            sim_lost_away(m->lost, m->now, cust, l[i].sku);
            return;
        }
    }
}

/* The order gave back, unpaid, the lock it held since t0: its units were locked for nothing. */
static void sim__wasted(sim__model *m, const ord_order *o, double t0)
{
    for (int i = 0; i < o->n_lines; i++) sim_lost_wasted(m->lost, t0, m->now, o->lines[i].sku, o->lines[i].qty);
}

/* Whether a customer got a served order (for sim_lost_count). */
static bool sim__was_served(const void *ctx, uint64_t cust)
{
    const sim__model *m = ctx;
    size_t byte = (size_t)(cust / 8);
    return byte < m->served_cap && (m->served[byte] >> (cust % 8) & 1u);
}

/* Gives back what payment start took (the checkout lock under reserve_on_checkout) and lets
 * the order expire again at its original deadline, at once if that has passed. A checkout
 * lock given back so is wasted: the order is not paid again. `t0` is when the payment
 * started (or a lower bound of its hold). */
static void sim__unpay(sim__model *m, ord_order *o, double t0)
{
    bool held = o->holds_lock;
    sim__snap sn;
    sim__snap_take(m, o, &sn);
    proc_pay_fail(m->pe, o, m->now);
    sim__give_back(m, &sn);
    if (held && !o->holds_lock) sim__wasted(m, o, t0);
    const fsm_transition *tm = fsm_timer(proc_fsm_of(m->pe, o), o->state);
    double dl = sim__deadline(m, o);
    if (tm) sim__arm(m, o, tm, dl > m->now ? dl : m->now);
}

/* An abandoned payment session times out (payment.session_timeout after it started). */
static void sim__session_timeout(sim__model *m, ord_order *o)
{
    if (!(o->flags & ORD_PAYING)) return;
    sim__unpay(m, o, m->now - m->s->session_timeout);
    sim__count_o(m, RPT_M_payment_sessions_abandoned, 1, o);
}

/* What the customer does with a new unpaid order, each at create + think and only before the
 * expiry deadline: modify it (genuine), start a payment session and abandon it, cancel
 * (genuine), or pay. A bot that neither pays nor abandons does nothing: its order expires. */
static void sim__plan(sim__model *m, ord_order *o, const scn_segment *g, uint64_t cust, uint32_t j)
{
    if (g->malicious && g->pay_probability == 0 && g->checkout_abandon_probability == 0) return;
    double think = sim__draw(m, &g->think, SIM_P_THINK, cust, j);
    uint64_t id = o->id;
    if (!g->malicious && g->modify_probability > 0 && sim__u(m, SIM_P_MODIFY, cust, j) < g->modify_probability)
        sim__at(m, m->now + think / 2, EV_MODIFY, o, id, 0);
    if (g->checkout_abandon_probability > 0 && sim__u(m, SIM_P_ABANDON, cust, j) < g->checkout_abandon_probability) {
        if (m->now + think < sim__deadline(m, o)) sim__at(m, m->now + think, EV_PAY_START, o, id, 1); /* 1: abandoned */
    } else if (!g->malicious && g->cancel_probability > 0 && sim__u(m, SIM_P_CANCEL, cust, j) < g->cancel_probability) {
        sim__at(m, m->now + think, EV_CANCEL, o, id, 0);
    } else if (sim__u(m, SIM_P_PAY_DECISION, cust, j) < g->pay_probability && m->now + think < sim__deadline(m, o)) {
        sim__at(m, m->now + think, EV_PAY_START, o, id, 0);
    }
}

/* Request j of a customer was turned away for stock: counted, and the customer may retry. */
static void sim__stockout(sim__model *m, uint64_t cust, uint32_t j, int segi, const proc_order_req *rq)
{
    const scn_segment *g = &m->s->segments[segi];
    sim__count_seg(m, RPT_M_orders_rejected_stockout, 1, segi);
    sim__flag_stockout(m, rq->lines, rq->n_lines);
    if (!g->malicious && m->tot->locked > 0 && inv_short_while_locked(proc_inventory(m->pe), rq->lines, rq->n_lines)) {
        sim__count_seg(m, RPT_M_genuine_rejected_while_locked, 1, segi);
        sim__away(m, cust, rq->lines, rq->n_lines);
    }
    sim__retry(m, cust, j, segi);
}

static void sim__create(sim__model *m, uint64_t cust, uint32_t j, int segi)
{
    const scn_scenario *s = m->s;
    const scn_segment *g = &s->segments[segi];
    proc_order_req rq = { .customer = cust, .malicious = g->malicious, .coupon = g->coupon[0] ? g->coupon : NULL,
                          .tier = sim__tier(m, g, cust), .channel = sim__draw_channel(m, cust, j) };
    /* A replayed arrival buys as its logged customer (per-user limits see one account). */
    uint64_t who = s->trace ? s->trace_cust[cust] : cust;
    rq.buyer = who * 64 + (uint64_t)(g->malicious ? j % (uint32_t)g->accounts_per_visit : 0);
    rq.address = (uint32_t)(cust * 2654435761u);
    sim__lines(m, cust, j, g, &rq);
    rq.fsm = sim__process_of(s, g, &rq);
    double p_flag = g->malicious ? s->bot_detect_p : s->false_positive_p;
    rq.flagged = p_flag > 0 && sim__u(m, SIM_P_RISK, cust, j) < p_flag;

    ord_order *o;
    int64_t refused = proc_coupons_refused(m->pe);
    os_status st = proc_create_order(m->pe, &rq, m->now, &o);
    if (st == OS_ERISK || st == OS_ELIMIT) { sim__count_seg(m, RPT_M_orders_blocked_risk, 1, segi); return; }
    if (st == OS_ESTOCK) {
        sim__stockout(m, cust, j, segi, &rq);
        return;
    }
    OS_ASSERT(st == OS_OK);
    o->aux = j | (uint32_t)segi << 16;
    sim__count_o(m, RPT_M_orders_created, 1, o);
    if (proc_coupons_refused(m->pe) > refused) sim__count_o(m, RPT_M_coupon_uses_refused, 1, o);
    if (g->reads_per_order > 0) sim__reads(m, o, cust, j, segi);
    const fsm_def *def = proc_fsm_of(m->pe, o);
    const fsm_transition *tm = fsm_timer(def, o->state);
    if (tm) sim__arm(m, o, tm, m->now + scn_timer_seconds(s, tm));
    if (g->modify_address_probability > 0 && fsm_row(def, o->state, FSM_MODIFY_ADDRESS) &&
        sim__u(m, SIM_P_MODIFY_ADDRESS, cust, j) < g->modify_address_probability)
        sim__at(m, m->now + sim__draw(m, &g->modify_address_delay, SIM_P_MODIFY_ADDRESS_DELAY, cust, j),
                EV_MODIFY_ADDRESS, o, o->id, 0);
    if (fsm_row(def, o->state, FSM_PAY)) sim__plan(m, o, g, cust, j);
    else sim__to_warehouse(m, o);                 /* cash on delivery: produce first */
}

/* A payment not done within payment.timeout of joining the payment station: a failed
 * payment (docs/scenarios.md "payment"): it captures nothing, deducts nothing; what payment
 * start took comes back (reserve_on_checkout: the checkout lock), the order keeps a lock
 * taken at creation and expires at its deadline (at once if passed); the customer may retry. */
static void sim__pay_timed_out(sim__model *m, ord_order *o)
{
    sim__count_o(m, RPT_M_payments_timed_out, 1, o);
    sim__unpay(m, o, m->now - m->s->pay_timeout);   /* it joined the payment station then */
    sim__retry_order(m, o);
}

/* A request arrived at a station during its outage and failed at once (counted in
 * requests_failed_outage): an order request is rejected (the customer may retry), a read is
 * dropped, a payment has failed (nothing captured; as a failed payment: docs/scenarios.md). */
static void sim__job_failed_outage(sim__model *m, int which, const sim_job *job)
{
    if (which == ST_ORDER) {
        if (job->b & SIM__READ) return;
        int segi = (int)(job->b >> 16) & 0xFF;
        sim__count_seg(m, RPT_M_requests_failed_outage, 1, segi);
        sim__retry(m, job->a, job->b & 0xFFFFu, segi);
        return;
    }
    OS_ASSERT(which == ST_PAY);
    ord_order *o = job->ptr;
    if (!sim__alive(o, job->a)) return;
    sim__count_seg(m, RPT_M_requests_failed_outage, 1, sim__segi(o));
    sim__unpay(m, o, m->now);   /* it reached the payment station just now */
    sim__retry_order(m, o);
}

/* A request left a station's queue at its timeout without being served: an order request
 * is rejected (the customer may retry), a read is dropped, a payment has failed. */
static void sim__job_timed_out(sim__model *m, int which, const sim_job *job)
{
    if (which == ST_ORDER) {
        if (job->b & SIM__READ) return;
        int segi = (int)(job->b >> 16) & 0xFF;
        sim__count_seg(m, RPT_M_requests_timed_out, 1, segi);
        sim__retry(m, job->a, job->b & 0xFFFFu, segi);
        return;
    }
    OS_ASSERT(which == ST_PAY);   /* the warehouse has no timeout */
    ord_order *o = job->ptr;
    if (sim__alive(o, job->a)) sim__pay_timed_out(m, o);
}

static void sim__job_done(sim__model *m, int which, const sim_job *job)
{
    if (which == ST_ORDER) {
        if (job->b & SIM__READ) return;
        if (m->rows && sim__take_start(m, job->a, job->b & 0xFFFFu, (int)(job->b >> 16), false)) return;
        sim__create(m, job->a, job->b & 0xFFFFu, (int)(job->b >> 16));
        return;
    }
    ord_order *o = job->ptr;
    if (!sim__alive(o, job->a)) return;
    if (which == ST_PAY) {
        if (job->b & SIM__ABANDONED) {
            sim_station_count_timeout(&m->st[ST_PAY], m->now, sim__span(m));
            sim__pay_timed_out(m, o);
            return;
        }
        double pf = sim__pay_failure_p(m, o);
        bool fail = pf > 0 && sim__u(m, SIM_P_PAY_FAIL, sim__cust(o), sim__j(o)) < pf;
        if (fail) {
            /* The order is not paid again: it expires at its original deadline, at once if
             * passed; the customer may retry with a new order. */
            /* the checkout lock was held at least through the payment's own delay (its time
             * queued for a payment server is not known here: a shorter hold, never a longer) */
            sim__unpay(m, o, m->now - sim__draw(m, sim__pay_delay(m, o), SIM_P_PAY_DELAY, sim__cust(o), sim__j(o)));
            sim__retry_order(m, o);
            return;
        }
        if (m->rows && proc_pay_deducts(m->pe, o)) {
            /* the deduct holds the rows of the order's lines, one at a time */
            sim_job deduct = { .a = o->id, .ptr = o };
            sim__chain_step(m, &deduct, SIM__OP_DEDUCT, 0, 0);
            return;
        }
        sim__apply_pay(m, o);
        return;
    }
    /* warehouse: the last sub-order ships the order, unless picking finds a shortfall */
    if (++o->sub_done < (o->n_sub ? o->n_sub : 1)) return;
    proc_result res;
    if (m->s->merchant_cancel_p > 0 &&
        sim__u(m, SIM_P_MERCHANT_CANCEL, sim__cust(o), sim__j(o)) < m->s->merchant_cancel_p) {
        proc_args a = { .write_off = true };     /* the units are not there: written off */
        sim__snap sn;
        sim__snap_take(m, o, &sn);
        if (proc_apply(m->pe, o, FSM_REFUND, FSM_MERCHANT, m->now, &a, &res) == OS_OK) {
            sim__give_back(m, &sn);
            sim__count_o(m, RPT_M_orders_cancelled_by_merchant, 1, o);
            sim__count_o(m, RPT_M_orders_refunded, 1, o);
            sim__count_refund(m, &res, o, NULL, 0);
            sim__after(m, o, &res);
            return;
        }
    }
    if (proc_apply(m->pe, o, FSM_SHIP, FSM_SYSTEM, m->now, NULL, &res) != OS_OK) return;
    if (sim__after(m, o, &res)) return;
    double d = sim__draw(m, &m->s->delivery, SIM_P_DELIVERY, sim__cust(o), sim__j(o));
    sim__at(m, m->now + d, EV_DELIVER, o, o->id, 0);
}

static void sim__deliver(sim__model *m, ord_order *o)
{
    proc_result res;
    if (proc_apply(m->pe, o, FSM_DELIVER, FSM_SYSTEM, m->now, NULL, &res) != OS_OK) return;
    if (sim__after(m, o, &res)) return;
    const scn_segment *g = sim__seg(m, o);
    uint64_t cust = sim__cust(o);
    uint32_t j = sim__j(o);
    uint64_t id = o->id;
    if (!(o->flags & ORD_PAID) && fsm_row(proc_fsm_of(m->pe, o), o->state, FSM_PAY)) {
        /* Cash on delivery: the buyer pays the courier, or refuses the parcel. */
        if (sim__u(m, SIM_P_PAY_DECISION, cust, j) < g->pay_probability) {
            sim__apply_pay(m, o);
        } else {
            proc_args args = { .restock = true };
            sim__snap sn;
            sim__snap_take(m, o, &sn);
            if (proc_apply(m->pe, o, FSM_RETURN_RECEIVE, FSM_SYSTEM, m->now, &args, &res) == OS_OK) {
                sim__give_back(m, &sn);
                sim__count_o(m, RPT_M_orders_returned, 1, o);
                if (sim__counting(m)) m->refused_unpaid++;
                sim__after(m, o, &res);
            }
            return;
        }
        if (!sim__alive(o, id)) return;
    }
    if ((o->flags & ORD_PAID) && g->return_probability > 0 && sim__u(m, SIM_P_RETURN, cust, j) < g->return_probability) {
        double d = sim__draw(m, &g->return_delay, SIM_P_RETURN_DELAY, cust, j);
        sim__at(m, m->now + d, EV_RETURN, o, id, 0);
        o->aux |= SIM__ASK_RETURN;
    }
}

static void sim__return(sim__model *m, ord_order *o)
{
    proc_result res;
    o->aux &= ~SIM__ASK_RETURN;
    if (proc_apply(m->pe, o, FSM_RETURN_REQUEST, FSM_BUYER, m->now, NULL, &res) != OS_OK) {
        sim__count_o(m, RPT_M_returns_refused_window, 1, o);
        return;
    }
    if (sim__after(m, o, &res)) return;
    uint64_t cust = sim__cust(o);
    uint32_t j = sim__j(o);
    if (m->s->return_reject_p > 0 && sim__u(m, SIM_P_RETURN_REJECT, cust, j) < m->s->return_reject_p) {
        if (proc_apply(m->pe, o, FSM_RETURN_REJECT, FSM_MERCHANT, m->now, NULL, &res) == OS_OK) {
            sim__count_o(m, RPT_M_returns_rejected, 1, o);
            sim__after(m, o, &res);
            return;
        }
    }
    proc_args args = { .restock = sim__u(m, SIM_P_RESTOCK, cust, j) < m->s->restock_p };
    if (sim__seg(m, o)->return_one_line && o->n_lines > 1) {
        /* one line comes back, drawn uniformly */
        int k = (int)(sim__u(m, SIM_P_RETURN_LINE, cust, j) * o->n_lines);
        args.line = (uint8_t)(1 + (k < o->n_lines ? k : o->n_lines - 1));
    }
    inv_line back = args.line ? o->lines[args.line - 1] : o->lines[0];   /* the line a partial return brings */
    os_money back_share = args.line ? sim__line_share(m, o, args.line - 1, o->captured) : 0;
    sim__snap sn;
    sim__snap_take(m, o, &sn);
    if (proc_apply(m->pe, o, FSM_RETURN_RECEIVE, FSM_MERCHANT, m->now, &args, &res) != OS_OK) return;
    sim__give_back(m, &sn);
    sim__count_o(m, res.partial ? RPT_M_orders_returned_partly : RPT_M_orders_returned, 1, o);
    sim__count_refund(m, &res, o, res.partial ? &back : NULL, back_share);
    sim__after(m, o, &res);
}

/* The buyer asks for a refund after paying: granted by the merchant while the process allows
 * it (before shipping, under b2c), counted as refused otherwise. Stock sold is put back on
 * sale, promotions and points come back with the money. */
static void sim__refund(sim__model *m, ord_order *o)
{
    proc_result res;
    sim__snap sn;
    sim__snap_take(m, o, &sn);
    o->aux &= ~SIM__ASK_REFUND;
    if (proc_apply(m->pe, o, FSM_REFUND, FSM_MERCHANT, m->now, NULL, &res) != OS_OK) {
        sim__count_o(m, RPT_M_refunds_refused, 1, o);
        return;
    }
    sim__give_back(m, &sn);
    sim__count_o(m, RPT_M_orders_refunded, 1, o);
    sim__count_o(m, RPT_M_orders_refunded_by_buyer, 1, o);
    sim__count_refund(m, &res, o, NULL, 0);
    sim__after(m, o, &res);
}

/* A return or refund request reaches an order that has ended (completed) meanwhile: the
 * process refuses it, as it refuses one that comes late to an open order, and it is counted
 * (returns_refused_window, refunds_refused); the order then leaves the pool unless another
 * request is still to come. */
static void sim__late_request(sim__model *m, ord_order *o, int type)
{
    bool ret = type == EV_RETURN;
    o->aux &= ret ? ~SIM__ASK_RETURN : ~SIM__ASK_REFUND;
    os_status st = proc_apply(m->pe, o, ret ? FSM_RETURN_REQUEST : FSM_REFUND, ret ? FSM_BUYER : FSM_MERCHANT, m->now, NULL, NULL);
    OS_ASSERT(st != OS_OK);   /* a terminal state has no transition (lint) */
    sim__count_o(m, ret ? RPT_M_returns_refused_window : RPT_M_refunds_refused, 1, o);
    if (!(o->aux & (SIM__ASK_RETURN | SIM__ASK_REFUND))) proc_close(m->pe, o);
}

static void sim__timer(sim__model *m, ord_order *o, fsm_action action)
{
    o->timer = 0;
    proc_result res;
    bool held = o->holds_lock;
    sim__snap sn;
    sim__snap_take(m, o, &sn);
    if (proc_apply(m->pe, o, action, FSM_SYSTEM, m->now, NULL, &res) != OS_OK) return;
    sim__give_back(m, &sn);
    if (held && res.settled && !o->holds_lock) sim__wasted(m, o, o->t_created);   /* locked at creation */
    if (action == FSM_EXPIRE && res.settled) {
        sim__count_o(m, RPT_M_orders_expired, 1, o);
        sim__retry_order(m, o);
    }
    if (fsm_is_terminal(proc_fsm_of(m->pe, o), res.to) && action == FSM_COMPLETE) sim__count_o(m, RPT_M_orders_completed, 1, o);
    sim__after(m, o, &res);
}

/* ---- the stock store (inventory.store; docs/scenarios.md "Stock store") ----------------- */

/* Under row_lock (and buckets) each SKU's stock is a database row: every stock operation
 * holds its row for `hold`, one at a time per row in FIFO order; it takes effect (commits)
 * when its hold ends. The core still keeps the stock counters and applies each change when
 * the model calls it; the store decides WHEN: a creation's or checkout's lock is called
 * into the core once every line's row operation has committed, a deduct once the last
 * line's has, and a release or restock the core has already applied is held back from new
 * operations (m->pend) until its own row operation commits. A row operation's check reads
 * the committed stock: the core's available units minus m->pend.
 *
 * A chain of row operations (a basket's lines, in catalog order) is carried by its jobs:
 * sim_job.c holds the operation and the step (the line's rank in catalog order), a for a
 * creation the customer (b: order index | segment << 16), for an order's operation the
 * order id (ptr the order), for a release the order id and b the units given back. */
/* True when a connection is free for a row operation (no cap, or fewer holding rows). */
static bool sim__conn_free(const sim__model *m)
{
    return m->s->store.connections == 0 || m->conn_busy < m->s->store.connections;
}

/* The rank-k line of lines[] in catalog order (SKU index), for chains that take rows one
 * at a time in that order (no deadlock). */
static inv_line sim__step_line(const inv_line *lines, int n, int k)
{
    int idx[ORD_MAX_LINES];
    for (int i = 0; i < n; i++) {
        int at = i;
        while (at > 0 && lines[idx[at - 1]].sku > lines[i].sku) { idx[at] = idx[at - 1]; at--; }
        idx[at] = i;
    }
    return lines[idx[k]];
}

/* The row of a SKU (row_lock: one per SKU). */
static int sim__row_of(const sim__model *m, uint32_t sku) { return (int)sku * m->store_b; }

static void sim__row_start(sim__model *m, int r, const sim_job *job);

/* Keeps one deadline timer pending for a row with a timeout and a waiting lock. */
static void sim__arm_row(sim__model *m, int r)
{
    sim_station *st = &m->rows[r];
    double dl = sim_station_deadline(st);
    if (st->timer || !isfinite(dl)) return;
    st->timer = true;
    sim__at(m, dl, EV_ROW_TIMEOUT, NULL, (uint64_t)r, 0);
}

/* Queues row r for the next free connection (once). */
static void sim__conn_wait(sim__model *m, int r)
{
    if (m->row_waiting[r]) return;
    m->row_waiting[r] = 1;
    if (m->conn_len == m->conn_cap) {
        size_t nc = m->conn_cap ? m->conn_cap * 2 : 64;
        int *nq = xmalloc(nc * sizeof *nq);
        for (size_t i = 0; i < m->conn_len; i++) nq[i] = m->conn_wait[(m->conn_head + i) % m->conn_cap];
        free(m->conn_wait);
        m->conn_wait = nq;
        m->conn_cap = nc;
        m->conn_head = 0;
    }
    m->conn_wait[(m->conn_head + m->conn_len++) % m->conn_cap] = r;
}

/* A row operation joins row r: it starts at once when the row and a connection are free,
 * else waits in the row's FIFO (a free row without a connection waits for one). */
static void sim__row_arrive(sim__model *m, int r, sim_job job)
{
    sim_station *st = &m->rows[r];
    job.arrived = m->now;
    if (sim_station_idle(st) && st->len == 0 && sim__conn_free(m)) {
        sim__row_start(m, r, &job);
        return;
    }
    sim_station_enqueue(st, &job);
    sim__arm_row(m, r);
    if (sim_station_idle(st)) sim__conn_wait(m, r);
}

/* Starts the operation on row r: it holds the row (and a connection) for a drawn hold. The
 * inventory station (every row) and, with buckets, the SKU's figures count it too. */
static void sim__row_start(sim__model *m, int r, const sim_job *job)
{
    double hold = sim__draw(m, &m->s->store.hold, SIM_P_ROW_HOLD, job->a, (uint64_t)job->b << 16 | job->c);
    sim_span sp = sim__span(m);
    sim_station_record(&m->rows[r], m->now, sp, job->arrived, hold, -1);
    sim_station_record(&m->inv_st, m->now, sp, job->arrived, hold, -1);
    sim_station_seize(&m->rows[r], m->now, sp);
    sim_station_seize(&m->inv_st, m->now, sp);
    m->conn_busy++;
    m->row_cur[r] = *job;
    sim__at(m, m->now + hold, EV_ROW_DONE, NULL, (uint64_t)r, 0);
}

/* Hands a freed connection to the first row waiting for one that can use it. */
static void sim__conn_next(sim__model *m)
{
    while (m->conn_len && sim__conn_free(m)) {
        int r = m->conn_wait[m->conn_head];
        m->conn_head = (m->conn_head + 1) % m->conn_cap;
        m->conn_len--;
        m->row_waiting[r] = 0;
        sim_job job;
        if (sim_station_idle(&m->rows[r]) && sim_station_pop(&m->rows[r], &job)) sim__row_start(m, r, &job);
    }
}

static void sim__row_commit(sim__model *m, int r, const sim_job *job);

/* A row operation's hold ended: the row and its connection are free (the row's next
 * operation starts, or the row waits for a connection behind rows already waiting), then
 * the operation commits. */
static void sim__row_done(sim__model *m, int r)
{
    sim_job job = m->row_cur[r], next;
    sim_span sp = sim__span(m);
    sim_station_free(&m->rows[r], m->now, sp);
    sim_station_free(&m->inv_st, m->now, sp);
    m->conn_busy--;
    if (m->rows[r].len) {
        if (m->conn_len == 0 && sim_station_pop(&m->rows[r], &next)) sim__row_start(m, r, &next);
        else sim__conn_wait(m, r);
    }
    sim__conn_next(m);
    sim__row_commit(m, r, &job);
}

/* Units of SKU k a row operation may take now: committed stock (the core's available units
 * less what is held back by operations in flight). */
static int64_t sim__committed(const sim__model *m, uint32_t sku)
{
    return inv_available(inv_sku(proc_inventory(m->pe), sku)) - m->pend[sku];
}

/* The customer's request j (segment segi) as it will be placed: its lines and process. */
static void sim__request_lines(const sim__model *m, uint64_t cust, uint32_t j, int segi, proc_order_req *rq)
{
    const scn_segment *g = &m->s->segments[segi];
    sim__lines(m, cust, j, g, rq);
    rq->fsm = sim__process_of(m->s, g, rq);
}

/* A creation chain's request: its lines, drawn once when the chain starts. A TAKE or UNTAKE
 * job's ptr is its slot + 1 (creation chains have no order yet). */
typedef struct sim__creq {
    int      n;
    inv_line lines[ORD_MAX_LINES];
} sim__creq;

static int sim__creq_new(sim__model *m, const proc_order_req *rq)
{
    if (!m->creq_nfree) {
        int n = m->creq_n ? m->creq_n * 2 : 64;
        m->creq = xrealloc(m->creq, (size_t)n * sizeof *m->creq);
        m->creq_free = xrealloc(m->creq_free, (size_t)n * sizeof *m->creq_free);
        for (int i = n - 1; i >= m->creq_n; i--) m->creq_free[m->creq_nfree++] = i;
        m->creq_n = n;
    }
    int k = m->creq_free[--m->creq_nfree];
    m->creq[k].n = rq->n_lines;
    memcpy(m->creq[k].lines, rq->lines, (size_t)rq->n_lines * sizeof rq->lines[0]);
    return k;
}
static const sim__creq *sim__creq_of(const sim__model *m, const sim_job *job) { return &m->creq[(uintptr_t)job->ptr - 1]; }

static void sim__create(sim__model *m, uint64_t cust, uint32_t j, int segi);
static void sim__stockout(sim__model *m, uint64_t cust, uint32_t j, int segi, const proc_order_req *rq);
static void sim__paying(sim__model *m, ord_order *o, bool abandoned);

/* Gives back the order service's server a creation held through its row operations. */
static void sim__order_release(sim__model *m)
{
    sim_job next;
    if (sim_station_release(&m->st[ST_ORDER], m->now, sim__span(m), &next)) sim__start(m, ST_ORDER, &next);
}

/* A creation's chain ended: every line taken (the order is created from the committed
 * units), or failed and rolled back (a stock-out, or a timeout: requests_timed_out). */
static void sim__take_end(sim__model *m, const sim_job *job, bool ok)
{
    uint64_t cust = job->a;
    uint32_t j = job->b & 0xFFFFu;
    int segi = (int)(job->b >> 16);
    const sim__creq *cr = sim__creq_of(m, job);
    proc_order_req rq = { .n_lines = cr->n };
    memcpy(rq.lines, cr->lines, (size_t)cr->n * sizeof cr->lines[0]);
    m->creq_free[m->creq_nfree++] = (int)((uintptr_t)job->ptr - 1);
    if (ok) {
        for (int i = 0; i < rq.n_lines; i++) m->pend[rq.lines[i].sku] -= rq.lines[i].qty;
        sim__create(m, cust, j, segi);
    } else if (job->c & SIM__C_TIMEDOUT) {
        sim__count_seg(m, RPT_M_requests_timed_out, 1, segi);
        sim__retry(m, cust, j, segi);
    } else {
        sim__stockout(m, cust, j, segi, &rq);
    }
    if (job->c & SIM__C_HELD) sim__order_release(m);
}

/* A payment start's checkout chain ended: every line locked (the core takes the lock and
 * the payment goes on), or failed and rolled back: the order is rejected at payment. An
 * order that closed meanwhile (expired while its locks queued) gives its units straight back. */
static void sim__checkout_end(sim__model *m, const sim_job *job, bool ok)
{
    ord_order *o = job->ptr;
    bool alive = sim__alive(o, job->a);
    if (ok && alive)
        for (int i = 0; i < o->n_lines; i++) m->pend[o->lines[i].sku] -= o->lines[i].qty;
    if (!alive) return;   /* its taken units were released with it (sim__give_back) */
    bool abandoned = job->b & 1u;
    if (ok) {
        sim__paying(m, o, abandoned);
        return;
    }
    proc_result res;
    if (proc_apply(m->pe, o, FSM_REJECT, FSM_SYSTEM, m->now, NULL, &res) != OS_OK) return;
    sim__count_o(m, RPT_M_payments_rejected_revalidation, 1, o);
    if (job->c & SIM__C_TIMEDOUT) sim__count_o(m, RPT_M_requests_timed_out, 1, o);
    sim__retry_order(m, o);
    sim__after(m, o, &res);
}

/* The lines of the chain a job belongs to. */
static int sim__chain_lines(const sim__model *m, const sim_job *job, inv_line lines[ORD_MAX_LINES])
{
    unsigned op = SIM__C_OP(job->c);
    if (op == SIM__OP_TAKE || op == SIM__OP_UNTAKE) {
        const sim__creq *cr = sim__creq_of(m, job);
        memcpy(lines, cr->lines, (size_t)cr->n * sizeof *lines);
        return cr->n;
    }
    const ord_order *o = job->ptr;
    memcpy(lines, o->lines, (size_t)o->n_lines * sizeof *lines);
    return o->n_lines;
}

/* Sends the chain's next operation: step k of operation op (a rollback goes down from the
 * failed step, an operation up). */
static void sim__chain_step(sim__model *m, const sim_job *job, unsigned op, int k, unsigned flags)
{
    sim_job next = *job;
    next.c = SIM__C(op, k, flags);
    next.flags = op == SIM__OP_TAKE || op == SIM__OP_CHECKOUT ? 0 : SIM_JOB_PATIENT;
    inv_line lines[ORD_MAX_LINES];
    int n = sim__chain_lines(m, &next, lines);
    inv_line l = sim__step_line(lines, n, k);
    sim__row_arrive(m, sim__row_of(m, l.sku), next);
}

/* A lock step failed (too few committed units, or its timeout): roll back the steps taken
 * before it, each its own row operation, from the last; with none, the chain ends. */
static void sim__chain_fail(sim__model *m, const sim_job *job, int k, bool timedout)
{
    unsigned op = SIM__C_OP(job->c);
    unsigned flags = (job->c & SIM__C_HELD) | (timedout ? SIM__C_TIMEDOUT : 0);
    bool take = op == SIM__OP_TAKE || op == SIM__OP_UNTAKE;
    if (k > 0) {
        sim__chain_step(m, job, take ? SIM__OP_UNTAKE : SIM__OP_UNCHECKOUT, k - 1, flags);
        return;
    }
    sim_job end = *job;
    end.c = (uint16_t)((job->c & ~SIM__C_TIMEDOUT) | (timedout ? SIM__C_TIMEDOUT : 0));
    if (take) sim__take_end(m, &end, false);
    else sim__checkout_end(m, &end, false);
}

/* A row operation committed: what it does (enum sim__op). */
static void sim__row_commit(sim__model *m, int r, const sim_job *job)
{
    unsigned op = SIM__C_OP(job->c);
    int k = (int)SIM__C_STEP(job->c);
    uint32_t sku = (uint32_t)(r / m->store_b);
    if (op == SIM__OP_GIVE) {
        m->pend[sku] -= job->b;
        return;
    }
    if ((op == SIM__OP_CHECKOUT || op == SIM__OP_UNCHECKOUT || op == SIM__OP_DEDUCT) && !sim__alive(job->ptr, job->a)) {
        /* the order closed while its chain was in flight: what its taken steps held back
         * came back when it closed (sim__give_back); the chain stops */
        return;
    }
    inv_line lines[ORD_MAX_LINES];
    int n = sim__chain_lines(m, job, lines);
    inv_line l = sim__step_line(lines, n, k);
    unsigned keep = job->c & (SIM__C_HELD | SIM__C_TIMEDOUT);
    switch (op) {
    case SIM__OP_TAKE:
    case SIM__OP_CHECKOUT:
        if (sim__committed(m, sku) < l.qty) { sim__chain_fail(m, job, k, false); return; }
        m->pend[sku] += l.qty;   /* taken: the core locks it when the chain ends */
        if (k + 1 < n) sim__chain_step(m, job, op, k + 1, keep);
        else if (op == SIM__OP_TAKE) sim__take_end(m, job, true);
        else sim__checkout_end(m, job, true);
        return;
    case SIM__OP_UNTAKE:
    case SIM__OP_UNCHECKOUT:
        m->pend[sku] -= l.qty;
        if (k > 0) { sim__chain_step(m, job, op, k - 1, keep); return; }
        if (op == SIM__OP_UNTAKE) sim__take_end(m, job, false);
        else sim__checkout_end(m, job, false);
        return;
    case SIM__OP_DEDUCT:
        if (k + 1 < n) sim__chain_step(m, job, op, k + 1, keep);
        else sim__apply_pay(m, job->ptr);
        return;
    default: OS_ASSERT(!"unknown row operation");
    }
}

/* A row's deadline timer: every lock that waited its timeout leaves the row's queue and its
 * chain fails (the request is rejected after its rollbacks). */
static void sim__row_timeout(sim__model *m, int r)
{
    sim_station *st = &m->rows[r];
    st->timer = false;
    sim_job job;
    while (sim_station_pop_expired(st, m->now, sim__span(m), &job)) {
        if (m->now >= m->warmup && m->now < m->horizon) m->inv_st.timeouts++;
        sim__chain_fail(m, &job, (int)SIM__C_STEP(job.c), true);
    }
    sim__arm_row(m, r);
}

/* A row store is on, and the request (order index j of the customer) locks at creation:
 * its chain of takes starts (the order service's server held when `held`). */
static bool sim__take_start(sim__model *m, uint64_t cust, uint32_t j, int segi, bool held)
{
    proc_order_req rq;
    sim__request_lines(m, cust, j, segi, &rq);
    if (!proc_create_locks(m->pe, rq.fsm)) return false;
    sim_job job = { .a = cust, .b = j | (uint32_t)segi << 16, .ptr = (void *)(uintptr_t)(sim__creq_new(m, &rq) + 1) };
    sim__chain_step(m, &job, SIM__OP_TAKE, 0, held ? SIM__C_HELD : 0);
    return true;
}

static void sim__snap_take(const sim__model *m, const ord_order *o, sim__snap *sn)
{
    sn->n = 0;
    if (!m->rows) return;
    sn->n = o->n_lines;
    sn->id = o->id;
    for (int i = 0; i < o->n_lines; i++) {
        const inv_counts *c = inv_sku(proc_inventory(m->pe), o->lines[i].sku);
        sn->lines[i] = o->lines[i];
        sn->avail[i] = inv_available(c);
        sn->on_hand[i] = c->on_hand;
    }
}

/* After a core call on an order (release at expiry or cancel, restock at a refund or return,
 * a write-off, a modify): each line whose stock changed is one row operation; units that
 * became available are held back until it commits. A checkout chain still in flight for
 * the order gives back its taken steps here (they were in m->pend, not in the core). */
static void sim__give_back(sim__model *m, const sim__snap *sn)
{
    for (int i = 0; i < sn->n; i++) {
        const inv_counts *c = inv_sku(proc_inventory(m->pe), sn->lines[i].sku);
        int64_t up = inv_available(c) - sn->avail[i];
        if (up == 0 && c->on_hand == sn->on_hand[i]) continue;
        if (up > 0) m->pend[sn->lines[i].sku] += up;
        sim_job job = { .a = sn->id, .b = (uint32_t)(up > 0 ? up : 0), .c = SIM__C(SIM__OP_GIVE, i, 0),
                        .flags = SIM_JOB_PATIENT };
        sim__row_arrive(m, sim__row_of(m, sn->lines[i].sku), job);
    }
}

/* Builds the store's rows and figures (none under instant: no cost, no draws). */
static void sim__store_setup(sim__model *m)
{
    const scn_store *st = &m->s->store;
    if (st->kind != SCN_STORE_ROW_LOCK) return;
    m->store_b = 1;
    int n = m->s->n_skus * m->store_b;
    m->rows = xcalloc((size_t)n, sizeof *m->rows);
    m->row_cur = xcalloc((size_t)n, sizeof *m->row_cur);
    m->row_waiting = xcalloc((size_t)n, 1);
    m->pend = xcalloc((size_t)m->s->n_skus, sizeof *m->pend);
    for (int r = 0; r < n; r++) sim_station_init(&m->rows[r], m->s->skus[r / m->store_b].sku, 1, &st->hold, st->timeout);
    m->store_rows = n;
    sim_station_init(&m->inv_st, "inventory", n, &st->hold, st->timeout);
}

/* The inventory station and its per-SKU rows in the run record. */
static void sim__store_report(sim__model *m, rpt_run *r)
{
    if (!m->rows) return;
    rpt_station *o = &r->st[r->nstations++];
    snprintf(o->name, sizeof o->name, "inventory");
    sim_station_report(&m->inv_st, m->now, sim__span(m), true, o);
    o->mean_service = sim_dist_mean(&m->s->store.hold);
    double qmax = 0;
    rpt_sub_alloc(r, m->s->n_skus);
    for (int k = 0; k < m->s->n_skus; k++) {
        rpt_station_row *row = &r->sub[k];
        row->parent = r->nstations - 1;
        snprintf(row->st.name, sizeof row->st.name, "%s", m->s->skus[k].sku);
        sim_station_report(&m->rows[k], m->now, sim__span(m), true, &row->st);
        row->st.mean_service = o->mean_service;
        if (row->st.queue_max > qmax) qmax = row->st.queue_max;
    }
    o->queue_max = qmax;   /* the longest queue at one row */
}

static void sim__store_close(sim__model *m)
{
    for (int r = 0; r < m->store_rows; r++) sim_station_fini(&m->rows[r]);
    sim_station_fini(&m->inv_st);
    free(m->rows);
    free(m->row_cur);
    free(m->row_waiting);
    free(m->pend);
    free(m->conn_wait);
    free(m->creq);
    free(m->creq_free);
}

/* ---- arrivals ----------------------------------------------------------------------- */

/* Inverts the cumulative rate: the time at which it reaches L, or INFINITY. */
static double sim__invert(sim__model *m, double L)
{
    if (sim_rate_shaped(m->s)) return sim_rate_invert(&m->rate, L, m->horizon);
    for (int i = m->cur_seg; i < m->nseg; i++) {
        bool last = i + 1 == m->nseg;
        if (m->seg_rate[i] > 0 && (last || L < m->seg_cum[i + 1])) {
            m->cur_seg = i;
            return m->seg_start[i] + (L - m->seg_cum[i]) / m->seg_rate[i];
        }
    }
    return INFINITY;
}

static void sim__schedule_arrival(sim__model *m)
{
    if (m->next_cust >= m->s->max_customers) return;
    if (m->s->trace) {                 /* replay: the k-th logged arrival */
        if (m->next_cust < (uint64_t)m->s->n_trace && m->s->trace_t[m->next_cust] < m->horizon)
            sim__at(m, m->s->trace_t[m->next_cust], EV_ARRIVAL, NULL, 0, 0);
        return;
    }
    double L = m->s->deterministic ? (double)m->next_cust : m->L + sim_rng_exp(&m->arr_rng, 1.0);
    if (!m->s->deterministic) m->L = L;
    double t = sim__invert(m, L);
    if (t < m->horizon) sim__at(m, t, EV_ARRIVAL, NULL, 0, 0);
}

static void sim__arrival(sim__model *m)
{
    uint64_t cust = m->next_cust++;
    int segi = 0;
    if (m->s->n_segments > 1) {   /* one segment needs no draw */
        double u = sim__u(m, SIM_P_SEGMENT, cust, 0);
        while (segi + 1 < m->s->n_segments && u >= m->seg_cum_share[segi]) segi++;
    }
    sim__count_seg(m, RPT_M_customers, 1, segi);
    sim__visit(m, cust, (uint32_t)segi << 16);
    sim__schedule_arrival(m);
}

/* ---- sampling ------------------------------------------------------------------------ */

/* The series' fixed columns, in the order sim__sample writes them (after t): stock levels,
 * payments in the interval, then the counts since the warmup of sim__sample's `cum`. */
static const rpt_col sim__fixed_cols[] = {
    { "available", "available", "units", RPT_COL_STOCK, RPT_COUNT_LEVEL, true },
    { "locked", "locked", "units", RPT_COL_STOCK, RPT_COUNT_LEVEL, false },
    { "sold", "sold", "units", RPT_COL_STOCK, RPT_COUNT_LEVEL, false },
    { "oversold", "oversold", "units", RPT_COL_STOCK, RPT_COUNT_LEVEL, false },
    { "paid_in_interval", "payments", "orders", RPT_COL_FLOW, RPT_COUNT_INTERVAL, false },
    { "cum.customers", "arrivals", "customers", RPT_COL_FLOW, RPT_COUNT_CUMULATIVE, false },
    { "cum.rejected_stockout", "stock-out", "orders", RPT_COL_REJECTION, RPT_COUNT_CUMULATIVE, false },
    { "cum.blocked_risk", "risk control", "orders", RPT_COL_REJECTION, RPT_COUNT_CUMULATIVE, false },
    { "cum.rejected_revalidation", "revalidation at payment", "orders", RPT_COL_REJECTION, RPT_COUNT_CUMULATIVE, false },
    { "cum.expired", "expired unpaid", "orders", RPT_COL_REJECTION, RPT_COUNT_CUMULATIVE, false },
};
#define SIM__FIXED_COLS ((int)(sizeof sim__fixed_cols / sizeof sim__fixed_cols[0]))

/* Declares the run's series columns, once: the fixed ones, a queue and a utilization per
 * station, and one per state of the run's processes, merged by name (orders open in it now,
 * or, for a terminal state, orders that entered it so far). */
static void sim__columns(const sim__model *m, rpt_series *series)
{
    rpt_col cols[RPT_MAX_COLS];
    int nc = 0;
    for (int i = 0; i < SIM__FIXED_COLS; i++) cols[nc++] = sim__fixed_cols[i];
    for (int i = 0; i < ST_COUNT; i++) {
        rpt_col q = { .unit = "requests", .kind = RPT_COL_QUEUE, .count = RPT_COUNT_LEVEL };
        snprintf(q.name, sizeof q.name, "queue.%s", scn_station_names[i]);
        snprintf(q.label, sizeof q.label, "%s", scn_station_names[i]);
        cols[nc++] = q;
        rpt_col u = { .unit = "fraction", .kind = RPT_COL_UTILIZATION, .count = RPT_COUNT_LEVEL };
        snprintf(u.name, sizeof u.name, "util.%s", scn_station_names[i]);
        snprintf(u.label, sizeof u.label, "%s", scn_station_names[i]);
        cols[nc++] = u;
    }
    for (int i = 0; i < m->nstates && nc < RPT_MAX_COLS - 1; i++) {
        rpt_col c = { .unit = "orders", .kind = RPT_COL_STATE,
                      .count = m->state_terminal[i] ? RPT_COUNT_CUMULATIVE : RPT_COUNT_LEVEL };
        snprintf(c.name, sizeof c.name, "state.%s", m->state_name[i]);
        snprintf(c.label, sizeof c.label, "%s", m->state_name[i]);
        cols[nc++] = c;
    }
    rpt_series_columns(series, nc, cols);
}

static void sim__sample(sim__model *m)
{
    const inv_store *inv = proc_inventory(m->pe);
    double row[RPT_MAX_COLS];
    int64_t avail = 0, sold = 0, over = 0;
    for (int i = 0; i < inv_sku_count(inv); i++) {
        const inv_counts *c = inv_sku(inv, (uint32_t)i);
        avail += inv_available(c);
        sold += c->sold;
        over += c->oversold;
    }
    int k = 0;
    row[k++] = m->now;
    row[k++] = (double)avail;
    row[k++] = (double)inv_total_locked(inv);
    row[k++] = (double)sold;
    row[k++] = (double)over;
    row[k++] = (double)m->paid_interval;
    m->paid_interval = 0;
    static const rpt_metric cum[] = { RPT_M_customers, RPT_M_orders_rejected_stockout, RPT_M_orders_blocked_risk,
                                      RPT_M_payments_rejected_revalidation, RPT_M_orders_expired };
    _Static_assert(sizeof cum / sizeof cum[0] == SIM__FIXED_COLS - 5, "a cum.* column per counted metric");
    for (int i = 0; i < 5; i++) row[k++] = m->m[cum[i]];
    if (m->rows) {   /* the stock store's windows (inventory's utilization_peak, per row) */
        sim_station_window(&m->inv_st, m->now, sim__span(m));
        for (int r = 0; r < m->store_rows; r++) sim_station_window(&m->rows[r], m->now, sim__span(m));
    }
    for (int i = 0; i < ST_COUNT; i++) {
        /* the utilization of the window that ends now (closing it changes no metric) */
        double peak = m->st[i].util_peak;
        m->st[i].util_peak = 0;
        sim_station_window(&m->st[i], m->now, sim__span(m));
        row[k++] = (double)m->st[i].len;
        row[k++] = m->st[i].util_peak;
        if (peak > m->st[i].util_peak) m->st[i].util_peak = peak;
    }
    /* Open orders per non-terminal state, orders that ever reached each terminal one; the
     * processes' states merged by name (paid of b2c and paid of virtual are one column). */
    for (int c = 0; c < m->nstates && k + c < RPT_MAX_COLS; c++) row[k + c] = 0;
    for (int p = 0; p < m->n_fsms; p++) {
        const fsm_def *def = proc_fsm_at(m->pe, p);
        for (int s = 0; s < fsm_state_count(def); s++) {
            int c = m->state_code[p][s];
            if (c >= 0 && k + c < RPT_MAX_COLS)
                row[k + c] += (double)(m->state_terminal[c] ? proc_entered_of(m->pe, p, s) : proc_in_state_of(m->pe, p, s));
        }
    }
    rpt_series_add(&m->out->series, row);
    if (m->now + m->s->sample_every < m->horizon) sim__at(m, m->now + m->s->sample_every, EV_SAMPLE, NULL, 0, 0);
}

/* ---- the run ------------------------------------------------------------------------- */

static void sim__setup(sim__model *m)
{
    const scn_scenario *s = m->s;
    m->nseg = s->n_sched + 1;
    m->seg_start = xcalloc((size_t)m->nseg, sizeof(double));
    m->seg_rate = xcalloc((size_t)m->nseg, sizeof(double));
    m->seg_cum = xcalloc((size_t)m->nseg, sizeof(double));
    m->seg_rate[0] = s->rate;
    for (int i = 0; i < s->n_sched; i++) {
        m->seg_start[i + 1] = s->sched_at[i];
        m->seg_rate[i + 1] = s->sched_rate[i];
    }
    for (int i = 1; i < m->nseg; i++)
        m->seg_cum[i] = m->seg_cum[i - 1] + m->seg_rate[i - 1] * (m->seg_start[i] - m->seg_start[i - 1]);
    sim_rate_init(&m->rate, s);
    m->demand_cum = xcalloc((size_t)s->n_skus, sizeof(double));
    double tot = 0;
    for (int i = 0; i < s->n_skus; i++) m->demand_cum[i] = (tot += s->skus[i].demand_weight);
    for (int i = 0; i < s->n_skus; i++) m->demand_cum[i] /= tot;
    m->demand_cum[s->n_skus - 1] = 1;
    double c = 0;
    for (int i = 0; i < s->n_segments; i++) m->seg_cum_share[i] = (c += s->segments[i].share);
    const sim_dist *svc[ST_COUNT] = { &s->order_service.service, &s->pay_delay, &s->warehouse.service };
    int servers[ST_COUNT] = { s->order_service.servers, s->pay_servers, s->warehouse.servers };
    double timeouts[ST_COUNT] = { s->order_service.timeout, s->pay_timeout, INFINITY };
    for (int i = 0; i < ST_COUNT; i++) {
        sim_station_init(&m->st[i], scn_station_names[i], servers[i], svc[i], timeouts[i]);
    }
    /* Payment with unlimited servers still takes its delay: model it as a station with
     * more servers than there can ever be payments in flight. */
    if (m->st[ST_PAY].servers == 0) m->st[ST_PAY].servers = 1 << 30;
    if (s->display && s->display_refresh > 0) m->display = xcalloc((size_t)s->n_skus, sizeof *m->display);
    const scn_admission *a = &s->admission;
    if (a->rate_limit || a->waiting_room || a->sold_out_flag) m->adm = sim_admit_create(a, s->n_skus);
}

/* Sizes the run's breakdowns from the scenario (no allocation per event afterwards) and
 * names their rows: segments, catalog SKUs, promotions, payment channels. */
static void sim__bd_setup(sim__model *m)
{
    _Static_assert(SCN_MAX_SKUS <= RPT_BD_MAX_ROWS && SCN_MAX_SEGMENTS <= RPT_BD_MAX_ROWS && PROMO_MAX <= RPT_BD_MAX_ROWS,
                   "every breakdown row fits what the DB reads back");
    const scn_scenario *s = m->s;
    int rows[RPT_BD_DIMS] = { [RPT_BD_SEGMENT] = s->n_segments, [RPT_BD_SKU] = s->n_skus,
                              [RPT_BD_PROMOTION] = s->n_promos + s->n_tiers,
                              [RPT_BD_CHANNEL] = s->n_channels ? s->n_channels : 1 };
    for (int d = 0; d < RPT_BD_DIMS; d++) {
        rpt_bd_alloc(m->out, (rpt_bd_dim)d, rows[d]);
        rpt_bd *b = &m->out->bd[d];
        for (int k = 0; k < b->nrows; k++) {
            const char *name = d == RPT_BD_SEGMENT ? s->segments[k].name : d == RPT_BD_SKU ? s->skus[k].sku
                             : d == RPT_BD_PROMOTION ? (k < s->n_promos ? s->promos[k].id : s->tiers[k - s->n_promos].name)
                             : s->n_channels ? s->channels[k].name : "default";
            snprintf(b->keys[k], RPT_NAME_MAX, "%s", name);
        }
        m->bd_v[d] = b->v;
        m->bd_ncols[d] = b->ncols;
        for (int f = 0; f < RPT_BD_FIGURES; f++) m->bd_col[d][f] = (int8_t)(b->nrows ? rpt_bd_column((rpt_bd_dim)d, f) : -1);
    }
}

/* Completes the breakdowns at the horizon: what is known only then (open orders, unsold
 * units, budgets) and what is derived (revenue = captured - refunded, money at risk from
 * cents), as the totals are. */
static void sim__bd_finish(sim__model *m)
{
    const inv_store *inv = proc_inventory(m->pe);
    size_t cur = 0;
    for (ord_order *o; (o = ord_next_live(proc_orders(m->pe), &cur));) {
        if (o->aux & SIM__LINGER) continue;   /* ended: waits only for a request to refuse */
        sim__bd(m, RPT_BD_SEGMENT, sim__segi(o), RPT_M_orders_open_end, 1);
        sim__bd(m, RPT_BD_CHANNEL, sim__channel(o), RPT_M_orders_open_end, 1);
    }
    for (int i = 0; i < inv_sku_count(inv); i++) {
        int64_t oh = inv_sku(inv, (uint32_t)i)->on_hand;
        sim__bd(m, RPT_BD_SKU, i, RPT_M_unsold_units_end, (double)(oh > 0 ? oh : 0));
    }
    for (int i = 0; i < m->s->n_promos + m->s->n_tiers; i++) {
        os_money left = promo_remaining(proc_promotions(m->pe), i);
        sim__bd(m, RPT_BD_PROMOTION, i, RPT_BD_budget_left, left == PROMO_UNLIMITED ? NAN : (double)left / 100);
        sim__bd(m, RPT_BD_PROMOTION, i, RPT_BD_budget_skips, (double)promo_budget_skips(proc_promotions(m->pe), i));
    }
    for (int d = 0; d < RPT_BD_DIMS; d++) {
        int rev = m->bd_col[d][RPT_M_revenue], cap = m->bd_col[d][RPT_M_captured_total], ref = m->bd_col[d][RPT_M_refund_total];
        int risk = m->bd_col[d][RPT_M_revenue_at_risk];
        for (int k = 0; k < m->out->bd[d].nrows; k++) {
            double *row = m->bd_v[d] + (size_t)k * (size_t)m->bd_ncols[d];
            if (rev >= 0) row[rev] = row[cap] - row[ref];
            if (risk >= 0) row[risk] /= 100;
        }
    }
}

/* The mean payment delay: over the channels by share, when there are channels. */
static double sim__pay_mean(const scn_scenario *s)
{
    if (!s->n_channels) return sim_dist_mean(&s->pay_delay);
    double mean = 0;
    for (int i = 0; i < s->n_channels; i++) mean += s->channels[i].share * sim_dist_mean(&s->channels[i].delay);
    return mean;
}

static void sim__finish(sim__model *m)
{
    const scn_scenario *s = m->s;
    rpt_run *r = m->out;
    m->now = m->horizon;
    sim__advance(m, m->horizon);
    double span = m->horizon - m->warmup;
    const inv_store *inv = proc_inventory(m->pe);
    int64_t unsold = 0;
    for (int i = 0; i < inv_sku_count(inv); i++) {
        const inv_counts *c = inv_sku(inv, (uint32_t)i);
        unsold += c->on_hand > 0 ? c->on_hand : 0;
    }
    int64_t open = 0, open_unpaid = 0;
    size_t cur = 0;
    for (ord_order *o; (o = ord_next_live(proc_orders(m->pe), &cur));) {
        if (o->aux & SIM__LINGER) continue;   /* ended (and logged): waits only for a request to refuse */
        open++;
        open_unpaid += !(o->flags & ORD_PAID);
    }
    if (m->orders_csv) {
        cur = 0;
        for (ord_order *o; (o = ord_next_live(proc_orders(m->pe), &cur));)
            if (!(o->aux & SIM__LINGER)) sim__log_order(m, o);
    }
    if (m->paid_bin_n > m->paid_bin_max) m->paid_bin_max = m->paid_bin_n;
    memcpy(r->m, m->m, sizeof r->m);
    r->m[RPT_M_locked_stock_peak] = (double)m->locked_peak;
    r->m[RPT_M_locked_unit_seconds] = m->locked_area;
    r->m[RPT_M_malicious_locked_unit_seconds] = m->mal_area;
    r->m[RPT_M_locked_stock_mean] = m->locked_area / span;
    r->m[RPT_M_unsold_units_end] = (double)unsold;
    r->m[RPT_M_sellout_time] = m->sellout;
    r->m[RPT_M_throughput_paid_per_s] = m->m[RPT_M_orders_paid] / span;
    r->m[RPT_M_throughput_completed_per_s] = m->m[RPT_M_orders_completed] / span;
    r->m[RPT_M_peak_paid_per_s] = (double)m->paid_bin_max;
    r->m[RPT_M_order_to_pay_p50] = rpt_hist_quantile(&r->order_to_pay, 0.50);
    r->m[RPT_M_order_to_pay_p95] = rpt_hist_quantile(&r->order_to_pay, 0.95);
    r->m[RPT_M_order_to_pay_p99] = rpt_hist_quantile(&r->order_to_pay, 0.99);
    r->m[RPT_M_revenue] = m->m[RPT_M_captured_total] - m->m[RPT_M_refund_total];
    r->m[RPT_M_revenue_at_risk] = m->at_risk_cents / 100;
    r->m[RPT_M_orders_open_end] = (double)open;
    r->m[RPT_M_forbidden_actions] = (double)proc_forbidden(m->pe);
    r->m[RPT_M_genuine_customers_lost_to_locks] = (double)sim_lost_count(m->lost, sim__was_served, m);
    r->nstations = 0;
    for (int i = 0; i < ST_COUNT; i++) {
        sim_station *st = &m->st[i];
        bool modelled = i == ST_PAY ? s->pay_servers > 0 : st->servers > 0;
        rpt_station *o = &r->st[r->nstations++];
        snprintf(o->name, sizeof o->name, "%s", st->name);
        sim_station_report(st, m->now, sim__span(m), modelled, o);
        /* the mean service demand of the requests served: the station's own service time (the
         * payment channels' by share), or, when other requests (order reads) shared the
         * station, their mix as served, so that the analytic bound (servers / demand per
         * customer) counts them at their own cost */
        o->mean_service = i == ST_PAY ? sim__pay_mean(s) : sim_dist_mean(st->service);
        if (st->n_other && st->wait.count)
            o->mean_service = ((double)(st->wait.count - st->n_other) * o->mean_service + st->demand_other) / (double)st->wait.count;
    }
    if (m->adm && s->admission.waiting_room && r->nstations < RPT_MAX_STATIONS)
        sim_admit_station(m->adm, &r->st[r->nstations++]);
    sim__store_report(m, r);
    sim__bd_finish(m);
    /* Invariants: the core's, plus the simulator's own bookkeeping, and every breakdown
     * adding up to its total. */
    int bad = proc_check(m->pe, &r->violations) + rpt_bd_check(r, &r->violations);
    if (m->warmup == 0) {
        /* Every order created is paid, closed unpaid, or still open unpaid. */
        if (r->m[RPT_M_orders_paid] + m->closed_unpaid + (double)open_unpaid != r->m[RPT_M_orders_created]) {
            os_diag_add(&r->violations, "orders: created %.0f != paid %.0f + closed unpaid %.0f + open unpaid %lld",
                        r->m[RPT_M_orders_created], r->m[RPT_M_orders_paid], m->closed_unpaid, (long long)open_unpaid);
            bad++;
        }
        /* The built-ins close unpaid orders only by expiry, cancellation, rejection at payment
         * and refusal at the door, so the metrics must add up exactly; a custom process may
         * close them by other actions too (a timer that cancels, say). */
        double closed = r->m[RPT_M_orders_paid] + r->m[RPT_M_orders_expired] + r->m[RPT_M_orders_cancelled] -
                        r->m[RPT_M_orders_cancelled_after_pay] + r->m[RPT_M_payments_rejected_revalidation] +
                        m->refused_unpaid + (double)open_unpaid;
        bool builtin = fsm_builtin(fsm_name(s->fsm)) == s->fsm;   /* the others are built-ins (scn__processes) */
        if (builtin && closed != r->m[RPT_M_orders_created]) {
            os_diag_add(&r->violations, "orders: created %.0f != paid %.0f + expired %.0f + cancelled unpaid %.0f + rejected %.0f"
                        " + refused at the door %.0f + open unpaid %lld", r->m[RPT_M_orders_created], r->m[RPT_M_orders_paid],
                        r->m[RPT_M_orders_expired], r->m[RPT_M_orders_cancelled] - r->m[RPT_M_orders_cancelled_after_pay],
                        r->m[RPT_M_payments_rejected_revalidation], m->refused_unpaid, (long long)open_unpaid);
            bad++;
        }
    }
    r->invariants_ok = bad == 0;
}

void sim_estimate_run(const scn_scenario *s, sim_estimate *e)
{
    /* Customers: the cumulative rate over [0, horizon), capped. */
    double L = 0, t = 0, rate = s->rate;
    for (int i = 0; i <= s->n_sched; i++) {
        double end = i < s->n_sched ? s->sched_at[i] : s->horizon;
        if (end > s->horizon) end = s->horizon;
        if (end > t) L += rate * (end - t);
        if (i < s->n_sched) { t = s->sched_at[i] > t ? s->sched_at[i] : t; rate = s->sched_rate[i]; }
    }
    if (sim_rate_shaped(s)) L = sim_rate_cum(s, s->horizon);
    if (s->trace) L = s->n_trace;
    e->customers = L < (double)s->max_customers ? L : (double)s->max_customers;
    double per = 0;
    for (int i = 0; i < s->n_segments; i++)
        per += s->segments[i].share * (s->segments[i].malicious ? s->segments[i].orders_per_visit : 1);
    e->orders = e->customers * per;
    e->events = e->customers + 4.0 * e->orders;
    for (int i = 0; i < s->n_segments; i++)   /* reads: one arrival and one completion each */
        e->events += 2.0 * e->customers * s->segments[i].share * (s->segments[i].malicious ? s->segments[i].orders_per_visit : 1) *
                     s->segments[i].reads_per_order;
    e->seconds = e->events / 1.5e6;
    /* An order stays open at most through expiry or, once paid, through fulfilment. */
    double open = s->order_expiry;
    double paid = sim_dist_mean(&s->delivery) + s->auto_confirm_after + s->complete_after;
    if (paid > open) open = paid;
    double span = s->horizon > 0 ? s->horizon : 1;
    double in_flight = e->orders / span * (open < span ? open : span);
    e->bytes = 64e6 + 400.0 * in_flight;
}

/* Merges the run's processes' states by name (process 0's first, in its order, then each
 * other process's new names) for the state series and the ledger's codes, and names the
 * run's process: "b2c", or "b2c+virtual" when segments or SKUs follow others. */
static void sim__states_setup(sim__model *m, rpt_run *out)
{
    m->n_fsms = 1 + m->s->n_more_fsms;
    m->nstates = 0;
    scn_process_label(m->s, out->process, sizeof out->process);
    for (int p = 0; p < m->n_fsms; p++) {
        const fsm_def *def = proc_fsm_at(m->pe, p);
        for (int st = 0; st < fsm_state_count(def); st++) {
            const char *name = fsm_state_name(def, st);
            int c = -1;
            for (int k = 0; k < m->nstates && c < 0; k++)
                if (strcmp(m->state_name[k], name) == 0) c = k;
            if (c < 0 && m->nstates < RPT_MAX_STATES) {
                c = m->nstates++;
                m->state_name[c] = name;
                m->state_terminal[c] = fsm_is_terminal(def, st);
            }
            OS_ASSERT(c >= 0);   /* the three built-ins have 17 distinct states; a file at most FSM_MAX_STATES */
            m->state_code[p][st] = (int8_t)c;
        }
    }
}

/* The ledger observer: appends each transition after the warmup to the run. */
static void sim__observe(void *ctx, const ord_order *o, int action, fsm_actor actor, int from, int to, double t,
                         int64_t shortfall)
{
    sim__model *m = ctx;
    if (t < m->warmup) return;
    from = from >= 0 ? m->state_code[o->fsm][from] : -1;
    to = m->state_code[o->fsm][to];
    rpt_trans x = { .t = t, .order = o->id, .shortfall = (int32_t)shortfall, .from = (int8_t)from, .to = (int8_t)to,
                    .action = (uint8_t)action, .actor = (uint8_t)actor };
    rpt_trans_add(m->out, &x);
}

/* ---- the event handlers: one per event type ---------------------------------------------- */

/* Payment starts (revalidation, or the checkout lock, by the strategy): rejected for stock
 * (the customer may retry), or the order can no longer expire and the payment joins the
 * payment station - unless the buyer abandons it (checkout bots): then the session times
 * out after payment.session_timeout. */
static void sim__on_pay_start(sim__model *m, ord_order *o, bool abandoned)
{
    if (m->rows && proc_pay_start_locks(m->pe, o)) {
        /* The checkout's locks are under way: the order cannot expire meanwhile (as a started
         * payment cannot); the payment starts when they commit. */
        sim_queue_cancel(m->q, o->timer);
        o->timer = 0;
        sim_job job = { .a = o->id, .ptr = o, .b = abandoned };
        sim__chain_step(m, &job, SIM__OP_CHECKOUT, 0, 0);
        return;
    }
    sim__paying(m, o, abandoned);
}

/* The payment starts in the core (revalidation or checkout lock by the strategy) and goes
 * on: see sim__on_pay_start. */
static void sim__paying(sim__model *m, ord_order *o, bool abandoned)
{
    os_status st = proc_pay_start(m->pe, o, m->now);
    if (st == OS_ESTOCK) {
        sim__count_o(m, RPT_M_payments_rejected_revalidation, 1, o);
        sim__flag_stockout(m, o->lines, o->n_lines);
        sim__retry_order(m, o);
        proc_result r2 = { .from = -1, .to = o->state };
        sim__after(m, o, &r2);
    } else if (st == OS_OK) {
        sim_queue_cancel(m->q, o->timer);   /* a started payment cannot expire */
        o->timer = 0;
        if (abandoned) sim__at(m, m->now + m->s->session_timeout, EV_SESSION_TIMEOUT, o, o->id, 0);
        else sim__arrive(m, ST_PAY, (sim_job){ .a = o->id, .ptr = o });
    }
}

/* The buyer cancels: unpaid, or (paid_attempt) paid, where whether a paid order may be
 * cancelled is the process's decision; a refusal is counted in forbidden_actions. */
static void sim__on_cancel(sim__model *m, ord_order *o, bool paid_attempt)
{
    proc_result res;
    bool held = o->holds_lock;
    sim__snap sn;
    sim__snap_take(m, o, &sn);
    if (proc_apply(m->pe, o, FSM_CANCEL, FSM_BUYER, m->now, NULL, &res) != OS_OK) return;
    sim__give_back(m, &sn);
    if (held && res.settled && !o->holds_lock) sim__wasted(m, o, o->t_created);   /* locked at creation, never paid */
    if (paid_attempt || res.settled) sim__count_o(m, RPT_M_orders_cancelled, 1, o);
    if (paid_attempt) sim__count_o(m, RPT_M_orders_cancelled_after_pay, 1, o);
    sim__count_refund(m, &res, o, NULL, 0);
    sim__after(m, o, &res);
}

/* The buyer changes line 0's quantity to a drawn one; a custom process may move on modify.
 * A change past the per-user limit, or to more units than the stock gives, is refused and
 * counted (modifications_refused); the order stays as it was. */
static void sim__on_modify(sim__model *m, ord_order *o)
{
    const scn_segment *g = sim__seg(m, o);
    proc_args a = { .new_qty = sim__round_count(sim__draw(m, &g->quantity, SIM_P_MODIFY_QTY, sim__cust(o), sim__j(o))) };
    proc_result res;
    sim__snap sn;
    sim__snap_take(m, o, &sn);
    os_status st = proc_apply(m->pe, o, FSM_MODIFY, FSM_BUYER, m->now, &a, &res);
    if (st == OS_ELIMIT || st == OS_ESTOCK) sim__count_o(m, RPT_M_modifications_refused, 1, o);
    if (st != OS_OK) return;
    sim__give_back(m, &sn);
    sim__count_o(m, RPT_M_orders_modified, 1, o);
    sim__after(m, o, &res);
}

/* The buyer changes the order's shipping address to a new one: allowed while the process
 * has a modify_address row from the order's state (b2c and cod: until shipped; never while a
 * payment is in flight), with no effect on stock or money. A refusal is counted in
 * address_changes_refused (and forbidden_actions, like every refused action). */
static void sim__on_modify_address(sim__model *m, ord_order *o)
{
    proc_args a = { .new_address = (uint32_t)(sim__u(m, SIM_P_NEW_ADDRESS, sim__cust(o), sim__j(o)) * 4294967296.0) };
    proc_result res;
    if (proc_apply(m->pe, o, FSM_MODIFY_ADDRESS, FSM_BUYER, m->now, &a, &res) != OS_OK) {
        sim__count_o(m, RPT_M_address_changes_refused, 1, o);
        return;
    }
    sim__count_o(m, RPT_M_addresses_modified, 1, o);
    sim__after(m, o, &res);   /* a custom process may move on modify_address */
}

/* Runs the one handler of the event's type. An event naming an order whose slot has since
 * been closed (or reused by a newer order) does nothing. */
static void sim__dispatch(sim__model *m, const sim_event *ev)
{
    ord_order *o = ev->ptr;
    switch (ev->type) {
    case EV_ARRIVAL: sim__arrival(m); return;
    case EV_STATION_DONE: sim__station_done(m, ev); return;
    case EV_SAMPLE: sim__sample(m); return;
    case EV_STATION_TIMEOUT: sim__station_timeout(m, (int)ev->u32); return;
    case EV_ROW_DONE: sim__row_done(m, (int)ev->u64); return;
    case EV_ROW_TIMEOUT: sim__row_timeout(m, (int)ev->u64); return;
    case EV_RETRY:   /* u64 the customer, u32 the order index | segment << 16 */
        sim__count_seg(m, RPT_M_retries, 1, (int)(ev->u32 >> 16));
        sim__visit(m, ev->u64, ev->u32);
        return;
    case EV_ADMIT_GATE: sim__admit_gate(m); return;
    case EV_FAULT_END: sim__fault_end(m, (int)ev->u32); return;
    case EV_ADMIT_LEAVE:
        if (sim_admit_room_leave(m->adm, ev->u64)) sim__count_seg(m, RPT_M_customers_left_waiting_room, 1, (int)(ev->u32 >> 16));
        return;
    default: break;
    }
    if (!sim__alive(o, ev->u64)) {
        if ((ev->type == EV_RETURN || ev->type == EV_REFUND) && sim__lingers(o, ev->u64)) sim__late_request(m, o, ev->type);
        return;
    }
    switch (ev->type) {
    case EV_PAY_START: sim__on_pay_start(m, o, ev->u32 == 1); return;
    case EV_DELIVER: sim__deliver(m, o); return;
    case EV_TIMER: sim__timer(m, o, (fsm_action)ev->u32); return;
    case EV_CANCEL: sim__on_cancel(m, o, ev->u32 == 1); return;
    case EV_MODIFY: sim__on_modify(m, o); return;
    case EV_RETURN: sim__return(m, o); return;
    case EV_SESSION_TIMEOUT: sim__session_timeout(m, o); return;
    case EV_REFUND: sim__refund(m, o); return;
    case EV_MODIFY_ADDRESS: sim__on_modify_address(m, o); return;
    default: OS_ASSERT(!"unknown event type");
    }
}

/* After an event: true when the run must stop, because the engine's loop guard tripped
 * (*looped set: no summary) or, under check_every_event, an invariant broke. */
static bool sim__must_stop(sim__model *m, const sim_opts *opts, bool *looped)
{
    rpt_run *out = m->out;
    if (proc_loop_error(m->pe)) {
        os_diag_add(&out->violations, "%s", proc_loop_error(m->pe));
        *looped = true;
        return true;
    }
    if (opts->check_every_event && proc_check(m->pe, &out->violations) > 0) {
        os_diag_add(&out->violations, "(after event %llu at t=%.17g)", (unsigned long long)m->events, m->now);
        return true;
    }
    return false;
}

/* ---- one run ------------------------------------------------------------------------------ */

/* The ledger's name tables: the run's states (merged by name), actions (+ "create"), actors. */
static void sim__ledger_names(const sim__model *m, rpt_run *out)
{
    out->nstates = m->nstates;
    for (int i = 0; i < out->nstates; i++) snprintf(out->states[i], RPT_NAME_MAX, "%s", m->state_name[i]);
    out->nactions = FSM_ACTION_COUNT + 1;
    for (int i = 0; i < FSM_ACTION_COUNT; i++) snprintf(out->actions[i], RPT_NAME_MAX, "%s", fsm_action_name((fsm_action)i));
    snprintf(out->actions[FSM_ACTION_COUNT], RPT_NAME_MAX, "create");
    out->nactors = FSM_ACTOR_COUNT;
    for (int i = 0; i < FSM_ACTOR_COUNT; i++) snprintf(out->actors[i], RPT_NAME_MAX, "%s", fsm_actor_name((fsm_actor)i));
}

/* True when goods of their own process `p` (-1: none) are never produced: the process has
 * no `produce` transition (virtual goods). */
static bool sim__virtual_goods(const scn_scenario *s, int p)
{
    return p >= 0 && !fsm_has_action(p == 0 ? s->fsm : s->more_fsms[p - 1], FSM_PRODUCE);
}

/* Builds the model of one run: the order engine over the scenario's catalog and processes,
 * the event queue, stations, arrival streams and breakdown cells; labels `out` with what is
 * run and declares its series columns. sim__close frees. */
static void sim__open(sim__model *m, const scn_scenario *s, const sim_opts *opts, const inv_strategy *strat,
                      rpt_run *out)
{
    proc_sku *skus = xcalloc((size_t)s->n_skus, sizeof *skus);
    for (int i = 0; i < s->n_skus; i++)
        skus[i] = (proc_sku){ s->skus[i].stock, s->skus[i].price, s->skus[i].max_per_user, (uint8_t)s->skus[i].warehouse,
                              (uint8_t)s->skus[i].merchant, sim__virtual_goods(s, s->skus[i].process) };
    proc_config pc = { .fsm = s->fsm, .strategy = strat, .opts = { s->revalidate, s->oversell_refund },
                       .n_skus = s->n_skus, .skus = skus, .n_promos = s->n_promos, .promos = s->promos,
                       .max_unpaid_per_user = s->max_unpaid, .ledger = opts->ledger, .n_more_fsms = s->n_more_fsms,
                       .n_tiers = s->n_tiers, .tiers = s->tiers };
    for (int i = 0; i < s->n_more_fsms; i++) pc.more_fsms[i] = s->more_fsms[i];
    *m = (sim__model){ .s = s, .seed = opts->seed, .out = out, .warmup = s->warmup, .horizon = s->horizon,
                       .sellout = NAN, .paid_bin = -1, .orders_csv = opts->orders_csv };
    m->pe = proc_create(&pc);
    m->tot = inv_totals_of(proc_inventory(m->pe));
    free(skus);
    m->q = sim_queue_create();
    m->lost = sim_lost_create(s->n_skus);
    sim__setup(m);
    sim__store_setup(m);
    sim__bd_setup(m);
    sim_rng_init(&m->arr_rng, m->seed, SIM_P_ARRIVAL, 0, 0);

    snprintf(out->scenario, sizeof out->scenario, "%s", s->name);
    snprintf(out->strategy, sizeof out->strategy, "%s", strat->name);
    sim__states_setup(m, out);
    out->seed = opts->seed;
    out->replication = opts->replication;
    out->horizon = s->horizon;
    out->warmup = s->warmup;
    sim__columns(m, &out->series);
}

/* Arms the end of every station outage (its queue starts again then) and gives the run its
 * fault windows for the charts. Nothing without faults. */
static void sim__faults_setup(sim__model *m, rpt_run *out)
{
    static const char *const names[] = { "payment", "inventory", "cache", "stations.order_service", "stations.warehouse", "services" };
    const scn_scenario *s = m->s;
    for (int i = 0; i < s->n_faults; i++) {
        const scn_fault *f = &s->faults[i];
        double end = f->at + f->duration;
        int which = f->target == SCN_FT_PAYMENT ? ST_PAY : f->target == SCN_FT_ORDER_SERVICE ? ST_ORDER
                  : f->target == SCN_FT_WAREHOUSE ? ST_WH : -1;
        if (!f->slow && which >= 0 && end < m->horizon) sim__at(m, end, EV_FAULT_END, NULL, 0, (uint32_t)which);
        if (out->nwindows < RPT_MAX_WINDOWS && f->at < m->horizon) {
            rpt_window *w = &out->windows[out->nwindows++];
            w->t0 = f->at;
            w->t1 = end < m->horizon ? end : m->horizon;
            const char *tn = f->target == SCN_FT_SERVICE ? s->services[f->service].name : names[f->target];
            if (f->slow) snprintf(w->label, sizeof w->label, "%s slow x%g", tn, f->factor);
            else snprintf(w->label, sizeof w->label, "%s outage", tn);
            for (char *c = w->label; *c; c++)
                if (*c == '\'' || *c == '\\' || (unsigned char)*c < 32) *c = '_';   /* a gnuplot string */
        }
    }
}

/* Frees what sim__open built (not the run record). */
static void sim__close(sim__model *m)
{
    for (int i = 0; i < ST_COUNT; i++) sim_station_fini(&m->st[i]);
    sim__store_close(m);
    free(m->seg_start);
    free(m->seg_rate);
    free(m->seg_cum);
    free(m->demand_cum);
    free(m->display);
    free(m->served);
    sim_admit_destroy(m->adm);
    sim_lost_destroy(m->lost);
    sim_queue_destroy(m->q);
    proc_destroy(m->pe);
}

os_status sim_run(const scn_scenario *s, const sim_opts *opts, rpt_run *out)
{
    const char *sname = opts->strategy ? opts->strategy : s->strategy;
    const inv_strategy *strat = inv_strategy_find(sname);
    if (!strat) return OS_EINVAL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    sim__model m;
    sim__open(&m, s, opts, strat, out);
    if (opts->ledger) {
        sim__ledger_names(&m, out);
        proc_set_observer(m.pe, sim__observe, &m);
    }
    sim__at(&m, 0, EV_SAMPLE, NULL, 0, 0);
    sim__schedule_arrival(&m);
    sim__faults_setup(&m, out);
    int nskus = s->n_skus;
    if (inv_skus_out(proc_inventory(m.pe)) == nskus) m.sellout = 0;

    sim_event ev;
    bool looped = false;
    while (sim_queue_pop(m.q, &ev)) {
        if (ev.t >= m.horizon) break;
        if (m.display && ev.t >= m.display_next) sim__display_refresh(&m, ev.t);
        sim__advance(&m, ev.t);
        m.now = ev.t;
        m.events++;
        sim__dispatch(&m, &ev);
        if (m.tot->locked > m.locked_peak && sim__counting(&m)) m.locked_peak = m.tot->locked;
        if (m.tot->out == nskus && isnan(m.sellout)) m.sellout = m.now;
        if (sim__must_stop(&m, opts, &looped)) break;
    }
    if (!looped) sim__finish(&m);
    out->events = m.events;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    out->peak_rss_bytes = (uint64_t)ru.ru_maxrss * 1024u;
    sim__close(&m);
    return looped ? OS_EDATA : OS_OK;
}
