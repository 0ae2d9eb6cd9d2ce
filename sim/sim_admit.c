/*
 * sim_admit.c — the rate limit, the waiting room and the sold-out flag. See sim_admit.h.
 *
 * The waiting room is a FIFO ring addressed by sequence number (entry `seq` sits at
 * seq & (cap - 1)), so a patience event can find its visit in O(1) and mark it gone; the gate
 * skips gone entries. `waiting` counts the visits still there (what `capacity` bounds).
 */
#include "sim_admit.h"

#include "os.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sim__wait {
    double   arrived;   /* when the visit joined the room */
    uint64_t cust;      /* the customer */
    uint32_t visit;     /* the simulator's visit word */
    bool     gone;      /* its patience ended while it waited */
} sim__wait;

struct sim_admit {
    scn_admission cfg;        /* the scenario's settings (copied) */
    double    tokens, t_tok;  /* the bucket's tokens as of t_tok */
    double    last_in;        /* time of the latest admission through the gate (-INFINITY: none) */
    bool      gate_armed;     /* a gate event is scheduled */
    sim__wait *ring;          /* cap entries, cap a power of two */
    uint64_t  head, tail;     /* sequence numbers: [head, tail) are in the ring */
    uint64_t  cap;
    int64_t   waiting;        /* entries not gone */
    int64_t   qmax;           /* most visits waiting at once */
    rpt_hist  wait;           /* waits of admitted visits (counted ones) */
    double   *flag_until;     /* per SKU: flagged while now < flag_until */
    int       n_skus;
};

sim_admit *sim_admit_create(const scn_admission *a, int n_skus)
{
    sim_admit *s = xcalloc(1, sizeof *s);
    s->cfg = *a;
    s->tokens = a->rl_burst;
    s->t_tok = 0;
    s->last_in = -INFINITY;
    rpt_hist_init(&s->wait);
    s->n_skus = n_skus;
    if (a->sold_out_flag) {
        s->flag_until = xcalloc((size_t)n_skus, sizeof *s->flag_until);
        for (int i = 0; i < n_skus; i++) s->flag_until[i] = -INFINITY;
    }
    return s;
}

void sim_admit_destroy(sim_admit *a)
{
    if (!a) return;
    free(a->ring);
    free(a->flag_until);
    free(a);
}

bool sim_admit_rate(sim_admit *a, double now)
{
    if (!a->cfg.rate_limit) return true;
    if (now > a->t_tok) {
        a->tokens += (now - a->t_tok) * a->cfg.rl_rate;
        if (a->tokens > a->cfg.rl_burst) a->tokens = a->cfg.rl_burst;
        a->t_tok = now;
    }
    if (a->tokens < 1) return false;
    a->tokens -= 1;
    return true;
}

/* The earliest time the gate may let the next visit in. */
static double sim__gate_free(const sim_admit *a) { return a->last_in + 1.0 / a->cfg.wr_rate; }

/* Doubles the ring, keeping every entry at its sequence number's new slot. */
static void sim__ring_grow(sim_admit *a)
{
    uint64_t nc = a->cap ? a->cap * 2 : 256;
    sim__wait *nr = xmalloc((size_t)nc * sizeof *nr);
    for (uint64_t q = a->head; q < a->tail; q++) nr[q & (nc - 1)] = a->ring[q & (a->cap - 1)];
    free(a->ring);
    a->ring = nr;
    a->cap = nc;
}

sim_room_verdict sim_admit_room_arrive(sim_admit *a, double now, uint64_t cust, uint32_t visit, bool counting,
                                       uint64_t *seq, double *gate)
{
    *gate = INFINITY;
    *seq = 0;
    if (!a->cfg.waiting_room) return SIM_ROOM_IN;
    if (a->waiting == 0 && now >= sim__gate_free(a)) {
        a->last_in = now;
        if (counting) rpt_hist_add(&a->wait, 0);
        return SIM_ROOM_IN;
    }
    if (a->waiting >= a->cfg.wr_capacity) return SIM_ROOM_SHED;
    if (a->tail - a->head == a->cap) sim__ring_grow(a);
    *seq = a->tail;
    a->ring[a->tail++ & (a->cap - 1)] = (sim__wait){ now, cust, visit, false };
    if (++a->waiting > a->qmax) a->qmax = a->waiting;
    if (!a->gate_armed) {
        a->gate_armed = true;
        double g = sim__gate_free(a);
        *gate = g > now ? g : now;
    }
    return SIM_ROOM_WAIT;
}

bool sim_admit_room_release(sim_admit *a, double now, bool counting, uint64_t *cust, uint32_t *visit, double *next)
{
    *next = INFINITY;
    a->gate_armed = false;
    while (a->head < a->tail && a->ring[a->head & (a->cap - 1)].gone) a->head++;
    if (a->head == a->tail) return false;
    sim__wait w = a->ring[a->head++ & (a->cap - 1)];
    a->waiting--;
    a->last_in = now;
    if (counting) rpt_hist_add(&a->wait, now - w.arrived);
    *cust = w.cust;
    *visit = w.visit;
    if (a->waiting > 0) {
        a->gate_armed = true;
        *next = sim__gate_free(a);
    }
    return true;
}

bool sim_admit_room_leave(sim_admit *a, uint64_t seq)
{
    if (seq < a->head || seq >= a->tail) return false;
    sim__wait *w = &a->ring[seq & (a->cap - 1)];
    if (w->gone) return false;
    w->gone = true;
    a->waiting--;
    return true;
}

int64_t sim_admit_room_waiting(const sim_admit *a) { return a->waiting; }

void sim_admit_flag(sim_admit *a, uint32_t k, double now)
{
    if (a->flag_until && (int)k < a->n_skus) a->flag_until[k] = now + a->cfg.flag_ttl;
}

bool sim_admit_flagged(const sim_admit *a, uint32_t k, double now)
{
    return a->flag_until && (int)k < a->n_skus && now < a->flag_until[k];
}

void sim_admit_station(const sim_admit *a, rpt_station *st)
{
    memset(st, 0, sizeof *st);
    snprintf(st->name, sizeof st->name, "waiting_room");
    const rpt_hist *h = &a->wait;
    st->served = (double)h->count;
    st->queue_max = (double)a->qmax;
    if (h->count) {
        st->wait_mean = st->response_mean = rpt_hist_mean(h);
        st->wait_p50 = st->response_p50 = rpt_hist_quantile(h, 0.50);
        st->wait_p95 = st->response_p95 = rpt_hist_quantile(h, 0.95);
        st->wait_p99 = st->response_p99 = rpt_hist_quantile(h, 0.99);
    }
}
