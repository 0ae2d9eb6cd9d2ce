/*
 * sim_rng.h — random streams and distributions.
 *
 * The generator is xoshiro256** (Blackman & Vigna), seeded through splitmix64 from a key
 * (seed, purpose, id, sub). Every decision point of every customer has its own key, e.g.
 * (seed, SIM_P_THINK, customer 17, order 0), so a rule change that skips or adds a draw
 * for one decision shifts no other draw: comparing strategies uses common random numbers
 * by construction, and results do not depend on event order. Seeding costs four splitmix64
 * steps (a few ns), which is why a stream per decision is affordable.
 *
 * Everything is inline: draws sit on the per-event path.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct sim_rng { uint64_t s[4]; } sim_rng;

/* Purposes: one per kind of decision. Append only: renumbering changes every result. */
enum sim_purpose {
    SIM_P_ARRIVAL = 1, SIM_P_SEGMENT, SIM_P_BASKET, SIM_P_SKU, SIM_P_QTY, SIM_P_THINK,
    SIM_P_PAY_DECISION, SIM_P_CANCEL, SIM_P_MODIFY, SIM_P_MODIFY_QTY, SIM_P_RETURN,
    SIM_P_RETURN_DELAY, SIM_P_PAY_DELAY, SIM_P_PAY_FAIL, SIM_P_ORDER_SERVICE,
    SIM_P_WAREHOUSE, SIM_P_DELIVERY, SIM_P_RESTOCK, SIM_P_RISK, SIM_P_CANCEL_PAID, SIM_P_CANCEL_PAID_DELAY,
    SIM_P_READS, SIM_P_READ_SERVICE,
    SIM_P_ABANDON, SIM_P_RETRY, SIM_P_RETRY_DELAY,
    /* order rules: membership, refunds, merchant actions, partial returns */
    SIM_P_TIER, SIM_P_REFUND, SIM_P_REFUND_DELAY, SIM_P_MERCHANT_CANCEL, SIM_P_RETURN_REJECT, SIM_P_RETURN_LINE,
    SIM_P_CHANNEL,
    /* the shipping address changed */
    SIM_P_MODIFY_ADDRESS, SIM_P_MODIFY_ADDRESS_DELAY, SIM_P_NEW_ADDRESS,
    /* the system around the rules: waiting-room patience, calls to the services */
    SIM_P_PATIENCE, SIM_P_SVC_TIME, SIM_P_SVC_FAIL,
    /* the stock store: a row operation's hold */
    SIM_P_ROW_HOLD
};

static inline uint64_t sim__splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t sim__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* Folds a key into the splitmix64 state that seeds its stream. Distinct keys give
 * independent-looking streams: the key is folded one field at a time, so (1,2) and (2,1)
 * differ. */
static inline uint64_t sim__key(uint64_t seed, uint32_t purpose, uint64_t id, uint64_t sub)
{
    uint64_t x = seed;
    uint64_t h = sim__splitmix(&x);
    x = h ^ ((uint64_t)purpose * 0xD6E8FEB86659FD93ULL);
    h = sim__splitmix(&x);
    x = h ^ id;
    h = sim__splitmix(&x);
    return h ^ (sub * 0xA0761D6478BD642FULL);
}

/* Seeds a stream from its key. */
static inline void sim_rng_init(sim_rng *r, uint64_t seed, uint32_t purpose, uint64_t id, uint64_t sub)
{
    uint64_t x = sim__key(seed, purpose, id, sub);
    for (int i = 0; i < 4; i++) r->s[i] = sim__splitmix(&x);
}

static inline uint64_t sim_rng_next(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = sim__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sim__rotl(s[3], 45);
    return out;
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double sim_rng_uniform(sim_rng *r) { return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53; }
/* Uniform on (0, 1]: safe for log(). */
static inline double sim_rng_uniform_pos(sim_rng *r) { return 1.0 - sim_rng_uniform(r); }
/* Exponential with the given mean. */
static inline double sim_rng_exp(sim_rng *r, double mean) { return -mean * log(sim_rng_uniform_pos(r)); }
/* Standard normal by the polar Box-Muller method (no cached second value, so a stream's
 * n-th draw never depends on whether an earlier call happened). */
static inline double sim_rng_normal(sim_rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * sim_rng_uniform(r) - 1.0;
        v = 2.0 * sim_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}
/* One draw from a fresh stream for the key: the common case of one decision, one value.
 * It equals the first sim_rng_uniform of sim_rng_init's stream, computed from the only state
 * word that first output reads (s[1]), so it costs five splitmix steps instead of seven plus
 * a generator step. */
static inline double sim_rng_once(uint64_t seed, uint32_t purpose, uint64_t id, uint64_t sub)
{
    uint64_t x = sim__key(seed, purpose, id, sub);
    (void)sim__splitmix(&x);
    uint64_t s1 = sim__splitmix(&x);
    return (double)((sim__rotl(s1 * 5, 7) * 9) >> 11) * 0x1.0p-53;
}

/* ---- distributions ---------------------------------------------------------------- */

#define SIM_DIST_LIST(X) X(SIM_CONST, "const") X(SIM_EXP, "exp") X(SIM_UNIFORM, "uniform") \
    X(SIM_NORMAL, "normal") X(SIM_LOGNORMAL, "lognormal") X(SIM_EMPIRICAL, "empirical") \
    X(SIM_MIXTURE, "mixture")
typedef enum sim_dist_kind {
#define SIM__D(code, name) code,
    SIM_DIST_LIST(SIM__D)
#undef SIM__D
    SIM_DIST_COUNT
} sim_dist_kind;

typedef struct sim_dist {
    sim_dist_kind kind;   /* which family */
    double a;             /* const value / exp mean / uniform min / normal mean / lognormal median */
    double b;             /* uniform max / normal sd / lognormal sigma */
    int n;                /* empirical: number of values; mixture: number of components */
    const double *values; /* empirical values; mixture: (median, sigma) pairs of its lognormal
                             components (owned by the scenario) */
    const double *cum;    /* empirical or mixture cumulative weights, normalised to end at 1 */
} sim_dist;

/* A draw from a mixture of lognormals: the component by weight, then a lognormal draw, both
 * from the same stream. Out of line: rare, and it keeps the common draws small. */
double sim_dist_draw_mixture(const sim_dist *d, sim_rng *r);

/* The empirical law's value for the uniform u in [0, 1): the first cumulative weight above u. */
static inline double sim__empirical(const sim_dist *d, double u)
{
    int lo = 0, hi = d->n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (u < d->cum[mid]) hi = mid; else lo = mid + 1;
    }
    return d->values[lo];
}

/* Draws one value. Normal is truncated at 0 by drawing again (so the result is >= 0). */
static inline double sim_dist_draw(const sim_dist *d, sim_rng *r)
{
    switch (d->kind) {
    case SIM_CONST: return d->a;
    case SIM_EXP: return sim_rng_exp(r, d->a);
    case SIM_UNIFORM: return d->a + (d->b - d->a) * sim_rng_uniform(r);
    case SIM_NORMAL: {
        double x;
        int tries = 0;
        do x = d->a + d->b * sim_rng_normal(r); while (x < 0 && ++tries < 1000);
        return x < 0 ? 0 : x;
    }
    case SIM_LOGNORMAL: return d->a * exp(d->b * sim_rng_normal(r));
    case SIM_EMPIRICAL: return sim__empirical(d, sim_rng_uniform(r));
    case SIM_MIXTURE: return sim_dist_draw_mixture(d, r);
    default: return 0;
    }
}

/* One value of d from a fresh stream for the key: exactly sim_dist_draw on sim_rng_init's
 * stream (same bits), but a law that reads one uniform (exp, uniform, empirical) takes it
 * from sim_rng_once, so the stream's other three state words are never computed. */
static inline double sim_dist_draw_once(const sim_dist *d, uint64_t seed, uint32_t purpose, uint64_t id,
                                        uint64_t sub)
{
    switch (d->kind) {
    case SIM_CONST: return d->a;
    case SIM_EXP: return -d->a * log(1.0 - sim_rng_once(seed, purpose, id, sub));
    case SIM_UNIFORM: return d->a + (d->b - d->a) * sim_rng_once(seed, purpose, id, sub);
    case SIM_EMPIRICAL: return sim__empirical(d, sim_rng_once(seed, purpose, id, sub));
    default: {
        sim_rng r;
        sim_rng_init(&r, seed, purpose, id, sub);
        return sim_dist_draw(d, &r);
    }
    }
}

/* The distribution's exact mean (normal: of the untruncated law). */
double sim_dist_mean(const sim_dist *d);
/* The name of a distribution kind; -1 from parse when unknown. */
const char *sim_dist_name(sim_dist_kind k);
int sim_dist_parse(const char *s);

#endif
