/*
 * fit_trip.c — measuring a log and a run of its fitted scenario alike. See fit_trip.h.
 */
#include "fit_trip.h"

#include "olog.h"
#include "sim_model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fit__cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The p-quantile of a sorted sample, interpolated between order statistics. */
static double fit__quantile(const double *x, size_t n, double p)
{
    if (!n) return NAN;
    double h = p * (double)(n - 1);
    size_t lo = (size_t)h;
    return lo + 1 < n ? x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]) : x[lo];
}

void fit_trip_summarize(const double *created, const double *paid, size_t n, double w0, double w1, fit_trip *out)
{
    memset(out, 0, sizeof *out);
    double *d = xmalloc((n ? n : 1) * sizeof *d);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double t = created[i];
        if (!(t >= w0 && t < w1)) continue;
        out->orders++;
        double day = t - 86400 * floor(t / 86400);
        out->hod[(int)(day / 3600) % 24]++;
        if (!isnan(paid[i])) {
            out->paid++;
            if (paid[i] >= t) d[m++] = paid[i] - t;
        }
    }
    qsort(d, m, sizeof *d, fit__cmp);
    static const double ps[3] = { 0.25, 0.5, 0.9 };
    for (int k = 0; k < 3; k++) out->q[k] = fit__quantile(d, m, ps[k]);
    out->share = out->orders > 0 ? out->paid / out->orders : NAN;
    free(d);
}

double fit_trip_corr(const double *a, const double *b, int n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
    for (int i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

os_status fit_trip_simulate(const scn_scenario *s, uint64_t seed, double w0, fit_trip *out, os_diag *diag)
{
    const char *dir = getenv("TMPDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/ordersim-fit-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        os_diag_add(diag, "%s: cannot create the round trip's temporary order log: %s", path, strerror(errno));
        if (fd >= 0) { close(fd); unlink(path); }
        return OS_EIO;
    }
    sim_orders_csv_header(f);
    rpt_run r;
    rpt_run_init(&r);
    sim_opts so = { .seed = seed, .orders_csv = f };
    os_status st = sim_run(s, &so, &r);
    bool inv = r.invariants_ok;
    rpt_run_fini(&r);
    if (fclose(f) != 0 && st == OS_OK) {
        os_diag_add(diag, "%s: cannot write the round trip's temporary order log: %s", path, strerror(errno));
        st = OS_EIO;
    }
    if (st == OS_OK && !inv) {
        os_diag_add(diag, "the round trip's run of the fitted scenario broke its invariants");
        st = OS_EDATA;
    }
    olog *l = NULL;
    if (st == OS_OK) {
        olog_opts lo = { .max_bad = 0 };
        os_diag notes;
        os_diag_init(&notes);
        st = olog_read(path, &lo, &l, diag, &notes);
        os_diag_fini(&notes);
    }
    unlink(path);
    if (st != OS_OK) return st;
    /* One order per order_id (its lines are consecutive rows); times shifted so the run's
     * time 0 is w0. */
    double shift = w0 - SIM_LOG_EPOCH;
    double *c = xmalloc((size_t)(l->n ? l->n : 1) * sizeof *c), *p = xmalloc((size_t)(l->n ? l->n : 1) * sizeof *p);
    size_t n = 0;
    int prev = -2;
    for (int i = 0; i < l->n; i++) {
        const olog_row *row = &l->rows[i];
        if (row->order >= 0 && row->order == prev) continue;
        prev = row->order;
        c[n] = row->t[OLOG_T_CREATED] + shift;
        p[n] = row->t[OLOG_T_PAID] + shift;
        n++;
    }
    fit_trip_summarize(c, p, n, w0, w0 + s->horizon, out);
    free(c);
    free(p);
    olog_free(l);
    return OS_OK;
}
