/*
 * sim_fault.c — fault windows. See sim_fault.h. A scenario lists at most SCN_MAX_FAULTS, so a
 * linear scan is the whole index; nothing is called on the default path (no faults).
 */
#include "sim_fault.h"

/* True when fault f is on `target` (and service svc). */
static bool sim__on(const scn_fault *f, scn_fault_target target, int svc)
{
    return f->target == target && (target != SCN_FT_SERVICE || svc < 0 || f->service == svc);
}

static bool sim__in(const scn_fault *f, double t) { return t >= f->at && t < f->at + f->duration; }

bool sim_fault_out(const scn_scenario *s, scn_fault_target target, int svc, double t)
{
    for (int i = 0; i < s->n_faults; i++) {
        const scn_fault *f = &s->faults[i];
        if (!f->slow && sim__on(f, target, svc) && sim__in(f, t)) return true;
    }
    return false;
}

double sim_fault_factor(const scn_scenario *s, scn_fault_target target, int svc, double t)
{
    double k = 1;
    for (int i = 0; i < s->n_faults; i++) {
        const scn_fault *f = &s->faults[i];
        if (f->slow && sim__on(f, target, svc) && sim__in(f, t)) k *= f->factor;
    }
    return k;
}

double sim_fault_out_until(const scn_scenario *s, scn_fault_target target, int svc, double t)
{
    double end = t;
    for (bool grew = true; grew;) {
        grew = false;
        for (int i = 0; i < s->n_faults; i++) {
            const scn_fault *f = &s->faults[i];
            if (!f->slow && sim__on(f, target, svc) && sim__in(f, end) && f->at + f->duration > end) {
                end = f->at + f->duration;
                grew = true;
            }
        }
    }
    return end;
}

bool sim_fault_any(const scn_scenario *s, scn_fault_target target, int svc)
{
    for (int i = 0; i < s->n_faults; i++)
        if (sim__on(&s->faults[i], target, svc)) return true;
    return false;
}
