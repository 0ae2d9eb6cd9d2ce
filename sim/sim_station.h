/*
 * sim_station.h — a station: a FIFO queue in front of `servers` identical servers, with the
 * figures reports read (waits, responses, utilization, the peak of the sample windows).
 *
 * The station decides nothing about what a request is or how long it takes: the model draws
 * the service time and schedules the completion; the station holds the queue, the busy
 * servers and the integrals. One type serves every kind of station the model declares (the
 * order service, payment, the warehouse, one row lock per SKU or bucket, the cache server,
 * the services around an order), so a model keeps them in arrays and indexes them.
 *
 * Timeouts: a station may bound how long a request waits in its queue. Because the queue is
 * FIFO and the timeout is one constant per station, the first request that can time out
 * (not SIM_JOB_PATIENT) always has the earliest deadline: the model keeps one timer per
 * station, at that deadline (sim_station_deadline), and at that instant takes every expired
 * request out (sim_station_pop_expired), wherever it sits behind patient ones. A request
 * that has started service is never timed out.
 *
 * Integrals count [warmup, horizon) only; waits and responses are recorded for requests
 * whose service starts in that interval. Fields are the station's own: only sim_station_*
 * touch them (the struct is public so that a model can keep stations in arrays).
 */
#ifndef SIM_STATION_H
#define SIM_STATION_H

#include "rpt.h"
#include "sim_rng.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A request at a station: what the model needs to resume it when it completes. */
typedef struct sim_job {
    double   arrived;   /* when it joined the station */
    uint64_t a;         /* the model's: a customer or an order id */
    void    *ptr;       /* the model's: an order, or NULL */
    uint32_t b;         /* the model's small payload */
    uint16_t c;         /* the model's: more payload */
    uint16_t flags;     /* the station's: SIM_JOB_PATIENT */
} sim_job;
/* A request that never times out, even at a station with a timeout (a release of stock). */
#define SIM_JOB_PATIENT 1u

typedef struct sim_station {
    const char *name;   /* for reports (not owned) */
    int         servers;/* 0 = unlimited and instantaneous (the model's choice what that means) */
    const sim_dist *service; /* service time (not owned; the model may draw others) */
    double      timeout;/* seconds a request may wait in the queue; INFINITY = no bound */
    int         busy;   /* servers in use */
    sim_job    *q;      /* owned: FIFO ring */
    size_t      head, len, cap;
    size_t      qmax;   /* longest queue */
    double      busy_area, last_t; /* busy server-seconds after warmup */
    rpt_hist    wait;   /* waits of requests started in [warmup, horizon) */
    rpt_hist    response; /* wait + service of the same requests */
    double      win_area, win_last, win_start; /* busy server-seconds in the current sample window */
    double      util_peak; /* highest utilization of a finished sample window */
    uint64_t    n_other;   /* counted requests whose service is not `service` (order reads) */
    double      demand_other; /* the sum of those requests' mean service times */
    uint64_t    timeouts;  /* requests timed out in the queue in [warmup, horizon) */
    bool        timer;     /* the model has a deadline timer pending for this station */
} sim_station;

/* The window of time a station counts in: [warmup, horizon). */
typedef struct sim_span {
    double warmup, horizon;
} sim_span;

/* Initialises a station on the caller's memory (zeroed figures, empty queue); `name` and
 * `service` are borrowed and must outlive it. timeout <= 0 or INFINITY: no bound. */
void sim_station_init(sim_station *st, const char *name, int servers, const sim_dist *service, double timeout);
/* Frees the queue. */
void sim_station_fini(sim_station *st);

/* Advances the busy integrals to now. Call before busy changes. (The functions on every
 * request's path are inline: a call per request into another file cost 2.6% of the
 * instructions of a run.) */
static inline void sim_station_advance(sim_station *st, double now, sim_span sp)
{
    double a = st->last_t > sp.warmup ? st->last_t : sp.warmup;
    double b = now < sp.horizon ? now : sp.horizon;
    if (b > a) st->busy_area += st->busy * (b - a);
    st->last_t = now;
    /* The sample-window integral is a separate accumulator so that splitting it at sample
     * times leaves busy_area (and so utilization) bit-identical to a run without windows. */
    double wa = st->win_last > sp.warmup ? st->win_last : sp.warmup;
    if (b > wa) st->win_area += st->busy * (b - wa);
    st->win_last = now;
}
/* Closes the current sample window at now (a sample time or the horizon): its utilization,
 * busy server-seconds over servers x its length inside [warmup, horizon), raises util_peak. */
void sim_station_window(sim_station *st, double now, sim_span sp);

/* True when a server is free for a request arriving now. */
static inline bool sim_station_idle(const sim_station *st) { return st->busy < st->servers; }
/* Takes a server (the caller checked sim_station_idle). */
static inline void sim_station_seize(sim_station *st, double now, sim_span sp)
{
    sim_station_advance(st, now, sp);
    st->busy++;
}
/* Records the wait and response of a request whose service starts now, and, when its mean
 * service is not the station's own (`other_mean` >= 0), that demand. */
static inline void sim_station_record(sim_station *st, double now, sim_span sp, double arrived, double service, double other_mean)
{
    if (now >= sp.horizon || now < sp.warmup) return;
    rpt_hist_add(&st->wait, now - arrived);
    rpt_hist_add(&st->response, (now - arrived) + service);
    if (other_mean >= 0) { st->n_other++; st->demand_other += other_mean; }
}
/* Queues a request behind the others. */
void sim_station_enqueue(sim_station *st, const sim_job *job);
/* Takes the head out of a non-empty queue (sim_station_release's and sim_station_pop's step). */
static inline void sim_station_pop_head(sim_station *st, sim_job *out)
{
    *out = st->q[st->head];
    st->head = (st->head + 1) % st->cap;
    st->len--;
}
/* Gives back a server; when a request is queued, takes it out into *next and returns true
 * (the caller starts it, which seizes the server again). */
static inline bool sim_station_release(sim_station *st, double now, sim_span sp, sim_job *next)
{
    sim_station_advance(st, now, sp);
    st->busy--;
    if (!st->len) return false;
    sim_station_pop_head(st, next);
    return true;
}
/* Gives back a server and leaves the queue as it is (the caller decides when the head starts). */
static inline void sim_station_free(sim_station *st, double now, sim_span sp)
{
    sim_station_advance(st, now, sp);
    st->busy--;
}
/* Takes the head of the queue out into *out; false when the queue is empty. */
bool sim_station_pop(sim_station *st, sim_job *out);
/* The earliest deadline (arrived + timeout) of a queued request that can time out, or
 * INFINITY when there is none or no timeout. */
double sim_station_deadline(const sim_station *st);
/* Takes out the request of sim_station_deadline when that deadline is at or before now,
 * counting it in `timeouts` when now is in [warmup, horizon); false when it has time left. */
bool sim_station_pop_expired(sim_station *st, double now, sim_span sp, sim_job *out);

/* Gives back a server without taking the next request (the station is out: queued requests
 * wait for the end of the outage, sim_station_take). */
void sim_station_vacate(sim_station *st, double now, sim_span sp);
/* Takes the head of the queue into *next when a server is free; false otherwise (the caller
 * starts it, which seizes the server). */
bool sim_station_take(sim_station *st, sim_job *next);

/* Counts a request that timed out in service (a payment abandoned at its deadline) in
 * `timeouts`, when now is in [warmup, horizon). */
void sim_station_count_timeout(sim_station *st, double now, sim_span sp);

/* Fills a report record's figures from the station at the horizon (`span` the counted
 * length; modelled false reports an unmodelled station: servers and utilizations 0). The
 * name and mean service are the caller's. Closes the last sample window. */
void sim_station_report(sim_station *st, double now, sim_span sp, bool modelled, rpt_station *out);

#endif
