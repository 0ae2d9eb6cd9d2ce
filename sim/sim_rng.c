/*
 * sim_rng.c — the non-inline parts of the distributions.
 */
#include "sim_rng.h"

#include "os.h"

#include <string.h>

static const char *const sim__dist_names[] = {
#define SIM__DN(code, name) name,
    SIM_DIST_LIST(SIM__DN)
#undef SIM__DN
};

const char *sim_dist_name(sim_dist_kind k) { return (unsigned)k < SIM_DIST_COUNT ? sim__dist_names[k] : "?"; }

int sim_dist_parse(const char *s) { return os_name_find(sim__dist_names, SIM_DIST_COUNT, s); }

double sim_dist_mean(const sim_dist *d)
{
    switch (d->kind) {
    case SIM_CONST: return d->a;
    case SIM_EXP: return d->a;
    case SIM_UNIFORM: return (d->a + d->b) / 2;
    case SIM_NORMAL: return d->a;
    case SIM_LOGNORMAL: return d->a * exp(d->b * d->b / 2);
    case SIM_EMPIRICAL: {
        double m = 0, prev = 0;
        for (int i = 0; i < d->n; i++) {
            m += d->values[i] * (d->cum[i] - prev);
            prev = d->cum[i];
        }
        return m;
    }
    case SIM_MIXTURE: {
        double m = 0, prev = 0;
        for (int i = 0; i < d->n; i++) {
            m += d->values[2 * i] * exp(d->values[2 * i + 1] * d->values[2 * i + 1] / 2) * (d->cum[i] - prev);
            prev = d->cum[i];
        }
        return m;
    }
    default: return 0;
    }
}

double sim_dist_draw_mixture(const sim_dist *d, sim_rng *r)
{
    double u = sim_rng_uniform(r);
    int lo = 0, hi = d->n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (u < d->cum[mid]) hi = mid; else lo = mid + 1;
    }
    return d->values[2 * lo] * exp(d->values[2 * lo + 1] * sim_rng_normal(r));
}
