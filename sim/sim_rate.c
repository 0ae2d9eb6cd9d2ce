/*
 * sim_rate.c — the arrival rate walker. See sim_rate.h.
 */
#include "sim_rate.h"

#include <math.h>

bool sim_rate_shaped(const scn_scenario *s) { return s->n_profile > 0 || s->n_levels > 0; }

/* The end of profile bin j: (j + 1) bin widths after the period's start before time 0. */
static double sim__prof_end(const scn_scenario *s, int64_t j)
{
    return s->n_profile ? (double)(j + 1) * (s->profile_period / s->n_profile) - s->profile_offset : INFINITY;
}

/* The end of level i; the last level never ends. */
static double sim__level_end(const scn_scenario *s, int64_t i)
{
    return s->n_levels && i + 1 < s->n_levels ? (double)(i + 1) * s->levels_every - s->levels_offset : INFINITY;
}

/* Fills the current segment's end and rate from the indexes. */
static void sim__rate_fill(sim_rate *it)
{
    const scn_scenario *s = it->s;
    double base = it->si ? s->sched_rate[it->si - 1] : s->rate;
    double end = it->si < s->n_sched ? s->sched_at[it->si] : INFINITY;
    double pe = sim__prof_end(s, it->pj), le = sim__level_end(s, it->li);
    if (pe < end) end = pe;
    if (le < end) end = le;
    double r = base;
    if (s->n_profile) r *= s->profile_w[it->pj % s->n_profile];
    if (s->n_levels) r *= s->levels[it->li];
    it->t1 = end;
    it->r = r;
}

void sim_rate_init(sim_rate *it, const scn_scenario *s)
{
    *it = (sim_rate){ .s = s };
    while (it->si < s->n_sched && s->sched_at[it->si] <= 0) it->si++;
    if (s->n_profile) {
        it->pj = (int64_t)floor(s->profile_offset / (s->profile_period / s->n_profile));
        if (it->pj >= s->n_profile) it->pj = s->n_profile - 1;
        while (it->pj > 0 && sim__prof_end(s, it->pj - 1) > 0) it->pj--;   /* rounding at a bin edge */
        while (sim__prof_end(s, it->pj) <= 0) it->pj++;
    }
    if (s->n_levels)
        while (sim__level_end(s, it->li) <= 0) it->li++;
    sim__rate_fill(it);
}

void sim_rate_next(sim_rate *it)
{
    const scn_scenario *s = it->s;
    double t = it->t1;
    if (!isfinite(t)) return;
    it->cum += it->r * (t - it->t0);
    it->t0 = t;
    while (it->si < s->n_sched && s->sched_at[it->si] <= t) it->si++;
    if (s->n_profile)
        while (sim__prof_end(s, it->pj) <= t) it->pj++;
    if (s->n_levels)
        while (sim__level_end(s, it->li) <= t) it->li++;
    sim__rate_fill(it);
}

double sim_rate_invert(sim_rate *it, double L, double limit)
{
    for (;;) {
        if (it->r > 0 && (!isfinite(it->t1) || L < it->cum + it->r * (it->t1 - it->t0)))
            return it->t0 + (L - it->cum) / it->r;
        if (!isfinite(it->t1) || it->t1 >= limit) return INFINITY;
        sim_rate_next(it);
    }
}

double sim_rate_cum(const scn_scenario *s, double t)
{
    sim_rate it;
    sim_rate_init(&it, s);
    while (it.t1 < t) sim_rate_next(&it);
    return it.cum + (t > it.t0 ? it.r * (t - it.t0) : 0);
}
