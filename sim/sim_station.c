/*
 * sim_station.c — a FIFO multi-server station and its figures. See sim_station.h.
 */
#include "sim_station.h"

#include "os.h"

#include <math.h>
#include <stdlib.h>

void sim_station_init(sim_station *st, const char *name, int servers, const sim_dist *service, double timeout)
{
    *st = (sim_station){ .name = name, .servers = servers, .service = service,
                         .timeout = timeout > 0 ? timeout : INFINITY };
    rpt_hist_init(&st->wait);
    rpt_hist_init(&st->response);
}

void sim_station_fini(sim_station *st)
{
    free(st->q);
    st->q = NULL;
    st->len = st->cap = st->head = 0;
}

void sim_station_window(sim_station *st, double now, sim_span sp)
{
    double wa = st->win_last > sp.warmup ? st->win_last : sp.warmup;
    double b = now < sp.horizon ? now : sp.horizon;
    if (b > wa) st->win_area += st->busy * (b - wa);
    st->win_last = now;
    /* Windows of zero length (before warmup) count nothing. */
    double from = st->win_start > sp.warmup ? st->win_start : sp.warmup;
    if (b > from && st->servers > 0) {
        double u = st->win_area / ((double)st->servers * (b - from));
        if (u > st->util_peak) st->util_peak = u;
    }
    st->win_area = 0;
    st->win_start = now;
}

void sim_station_enqueue(sim_station *st, const sim_job *job)
{
    if (st->len == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 256;
        sim_job *nq = xmalloc(nc * sizeof *nq);
        for (size_t i = 0; i < st->len; i++) nq[i] = st->q[(st->head + i) % st->cap];
        free(st->q);
        st->q = nq;
        st->cap = nc;
        st->head = 0;
    }
    st->q[(st->head + st->len++) % st->cap] = *job;
    if (st->len > st->qmax) st->qmax = st->len;
}

bool sim_station_pop(sim_station *st, sim_job *out)
{
    if (!st->len) return false;
    sim_station_pop_head(st, out);
    return true;
}

/* The queue position (0 = head) of the first request that can time out, or len. Patient
 * requests are rare (releases), so the scan is short. */
static size_t sim__station_first_impatient(const sim_station *st)
{
    size_t i = 0;
    while (i < st->len && (st->q[(st->head + i) % st->cap].flags & SIM_JOB_PATIENT)) i++;
    return i;
}

double sim_station_deadline(const sim_station *st)
{
    if (!st->len || !isfinite(st->timeout)) return INFINITY;
    size_t i = sim__station_first_impatient(st);
    return i < st->len ? st->q[(st->head + i) % st->cap].arrived + st->timeout : INFINITY;
}

bool sim_station_pop_expired(sim_station *st, double now, sim_span sp, sim_job *out)
{
    if (!st->len || !isfinite(st->timeout)) return false;
    size_t i = sim__station_first_impatient(st);
    if (i == st->len || !(st->q[(st->head + i) % st->cap].arrived + st->timeout <= now)) return false;
    *out = st->q[(st->head + i) % st->cap];
    /* close the gap: the patient requests before it move one place back, keeping their order */
    for (size_t k = i; k > 0; k--) st->q[(st->head + k) % st->cap] = st->q[(st->head + k - 1) % st->cap];
    st->head = (st->head + 1) % st->cap;
    st->len--;
    if (now >= sp.warmup && now < sp.horizon) st->timeouts++;
    return true;
}

void sim_station_vacate(sim_station *st, double now, sim_span sp)
{
    sim_station_advance(st, now, sp);
    st->busy--;
}

bool sim_station_take(sim_station *st, sim_job *next)
{
    if (!st->len || st->busy >= st->servers) return false;
    sim_station_pop_head(st, next);
    return true;
}

void sim_station_count_timeout(sim_station *st, double now, sim_span sp)
{
    if (now >= sp.warmup && now < sp.horizon) st->timeouts++;
}

void sim_station_report(sim_station *st, double now, sim_span sp, bool modelled, rpt_station *o)
{
    double span = sp.horizon - sp.warmup;
    sim_station_advance(st, now, sp);
    o->servers = modelled ? st->servers : 0;
    o->utilization = modelled ? st->busy_area / ((double)st->servers * span) : 0;
    o->wait_mean = st->wait.count ? rpt_hist_mean(&st->wait) : 0;
    o->wait_p50 = st->wait.count ? rpt_hist_quantile(&st->wait, 0.50) : 0;
    o->wait_p95 = st->wait.count ? rpt_hist_quantile(&st->wait, 0.95) : 0;
    o->wait_p99 = st->wait.count ? rpt_hist_quantile(&st->wait, 0.99) : 0;
    o->queue_max = (double)st->qmax;
    o->served = (double)st->wait.count;
    o->response_mean = st->response.count ? rpt_hist_mean(&st->response) : 0;
    o->response_p50 = st->response.count ? rpt_hist_quantile(&st->response, 0.50) : 0;
    o->response_p95 = st->response.count ? rpt_hist_quantile(&st->response, 0.95) : 0;
    o->response_p99 = st->response.count ? rpt_hist_quantile(&st->response, 0.99) : 0;
    sim_station_window(st, now, sp);
    o->utilization_peak = modelled ? st->util_peak : 0;
    o->timeouts = (double)st->timeouts;
}
