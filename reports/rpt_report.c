/*
 * rpt_report.c — report.md, report.html and gnuplot charts. See rpt_report.h.
 *
 * Everything is produced inside a private work directory made by mkdtemp (mode 0700, so
 * nothing can be planted in it) and then renamed into the report directory one file at a
 * time; rename replaces a planted symlink rather than following it. Charts show replication
 * 0 of each strategy (all strategies share its seed: common random numbers).
 */
#define _GNU_SOURCE   /* renameat2(RENAME_EXCHANGE): replace a directory in one step */
#include "rpt_report.h"
#include "pth.h"

#include "rpt_doc.h"
#include "rpt_stats.h"
#include "rpt_verdict.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void rpt_gp_string(FILE *out, const char *s)
{
    fputc('\'', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\'') fputs("''", out);
        else if (*p < 32 || *p == 127) fputc(' ', out);
        else fputc(*p, out);
    }
    fputc('\'', out);
}

typedef struct rpt__ax { double div; const char *label; } rpt__ax;

static rpt__ax rpt__axis(double horizon)
{
    if (horizon <= 2 * 3600) return (rpt__ax){ 60, "time (minutes)" };
    if (horizon <= 3 * 86400) return (rpt__ax){ 3600, "time (hours)" };
    return (rpt__ax){ 86400, "time (days)" };
}

/* Column c of run r at row, as charted: counts within the interval and counts since the
 * start of flows and rejections become rates per minute (a terminal state's count since the
 * start is not charted as a rate: the state chart leaves it out). */
static double rpt__chart_value(const rpt_series *s, size_t row, int c)
{
    double dt = s->nrows > 1 ? s->v[(size_t)s->ncols] - s->v[0] : 1;
    const double *v = s->v + row * (size_t)s->ncols;
    const rpt_col *col = &s->cols[c];
    bool rate = col->kind == RPT_COL_FLOW || col->kind == RPT_COL_REJECTION;
    if (rate && col->count == RPT_COUNT_INTERVAL) return v[c] * 60.0 / dt;
    if (rate && col->count == RPT_COUNT_CUMULATIVE) return row ? (v[c] - v[(size_t)c - (size_t)s->ncols]) * 60.0 / dt : 0;
    return v[c];
}

/* True when column `name` is 0 at every row of every replication (or absent). */
static bool rpt__all_zero(const rpt_summary *sum, const char *name)
{
    for (int i = 0; i < sum->n; i++) {
        const rpt_series *s = &sum->runs[i].series;
        int c = rpt_series_find(s, name);
        if (c < 0) continue;
        for (size_t row = 0; row < s->nrows; row++)
            if (s->v[row * (size_t)s->ncols + (size_t)c] != 0) return false;
    }
    return true;
}

/* Writes series_K.dat (per column: mean over replications, 95% band low, high) and
 * latency_K.dat (the order-to-pay distribution over all replications) for strategy k.
 * Replications share the sample times; rows beyond the shortest replication are dropped. */
static int rpt__data(const char *work, int k, const rpt_summary *sum, double div)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/series_%d.dat", work, k);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const rpt_series *s = &sum->runs[0].series;
    size_t rows = s->nrows;
    for (int i = 1; i < sum->n; i++)
        if (sum->runs[i].series.nrows < rows) rows = sum->runs[i].series.nrows;
    fprintf(f, "# t");
    for (int c = 1; c < s->ncols; c++) fprintf(f, " %s %s_lo %s_hi", s->cols[c].name, s->cols[c].name, s->cols[c].name);
    fprintf(f, "\n");
    double *xs = xcalloc((size_t)sum->n, sizeof *xs);
    for (size_t row = 0; row < rows; row++) {
        fprintf(f, "%.10g", s->v[row * (size_t)s->ncols] / div);
        for (int c = 1; c < s->ncols; c++) {
            int m = 0;
            for (int i = 0; i < sum->n; i++) {
                int ci = rpt_series_find(&sum->runs[i].series, s->cols[c].name);
                if (ci >= 0) xs[m++] = rpt__chart_value(&sum->runs[i].series, row, ci);
            }
            double mean = NAN, hw = NAN;
            rpt_mean_ci(xs, m, &mean, &hw);
            if (!isfinite(hw)) hw = 0;
            double lo = mean - hw;
            if (lo < 0 && !s->cols[c].signed_level) lo = 0;   /* counts are never negative */
            if (isfinite(mean)) fprintf(f, " %.10g %.10g %.10g", mean, lo, mean + hw);
            else fprintf(f, " NaN NaN NaN");
        }
        fprintf(f, "\n");
    }
    free(xs);
    if (fclose(f) != 0) return -1;
    snprintf(path, sizeof path, "%s/latency_%d.dat", work, k);
    f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "# order_to_pay_seconds cumulative_fraction\n");
    uint64_t seen = 0, total = 0;
    for (int i = 0; i < sum->n; i++) total += sum->runs[i].order_to_pay.count;
    for (int b = 0; b < rpt_hist_bucket_count(); b++) {
        uint64_t cnt = 0;
        for (int i = 0; i < sum->n; i++) cnt += sum->runs[i].order_to_pay.b[b];
        if (!cnt) continue;
        seen += cnt;
        double hi = b + 1 < rpt_hist_bucket_count() ? rpt_hist_bucket_low(b + 1) : rpt_hist_bucket_low(b) * 2;
        fprintf(f, "%.10g %.10g\n", hi, (double)seen / (double)total);
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* A plot command being built, with the title of every element in drawing order (the SVG
 * groups gnuplot_plot_N get these as hover titles). */
typedef struct rpt__plot {
    char   cmd[8192];   /* "plot ..." */
    size_t used;
    int    n;           /* elements */
    char   titles[48][128];
} rpt__plot;

static void rpt__plot_begin(rpt__plot *p, const char *pre)
{
    p->n = 0;
    p->used = (size_t)snprintf(p->cmd, sizeof p->cmd, "%splot ", pre ? pre : "");
}

/* Appends one element `spec` ("'file' using 1:2 with lines ...") titled `title` (NULL:
 * notitle, hover text `hover`). */
static void rpt__plot_add(rpt__plot *p, const char *spec, const char *title, const char *hover)
{
    if (p->used >= sizeof p->cmd - 1 || p->n >= 48) return;
    p->used += (size_t)snprintf(p->cmd + p->used, sizeof p->cmd - p->used, "%s%s ", p->n ? ", " : "", spec);
    if (p->used >= sizeof p->cmd) { p->used = sizeof p->cmd - 1; return; }
    if (title) {
        /* a single-quoted gnuplot string: quotes doubled, control characters dropped */
        p->used += (size_t)snprintf(p->cmd + p->used, sizeof p->cmd - p->used, "title '");
        for (const char *c = title; *c && p->used + 3 < sizeof p->cmd; c++) {
            if (*c == '\'') p->cmd[p->used++] = '\'';
            p->cmd[p->used++] = (unsigned char)*c < 32 ? ' ' : *c;
        }
        p->cmd[p->used++] = '\'';
        p->cmd[p->used] = '\0';
    } else {
        p->used += (size_t)snprintf(p->cmd + p->used, sizeof p->cmd - p->used, "notitle");
    }
    if (p->used >= sizeof p->cmd) p->used = sizeof p->cmd - 1;
    snprintf(p->titles[p->n++], sizeof p->titles[0], "%s", title ? title : hover ? hover : "");
}

/* A mean line with its 95% band (when there are replications) for series column `col`. */
static void rpt__plot_band(rpt__plot *p, int k, const rpt_series *s, const char *col, const char *color, const char *title, int reps)
{
    int c = rpt_series_find(s, col);
    if (c < 0) return;
    int mean = 2 + 3 * (c - 1);
    char spec[400], hover[200];
    if (reps > 1) {
        snprintf(spec, sizeof spec, "'series_%d.dat' using 1:%d:%d with filledcurves fc rgb '%s' fs transparent solid 0.18 noborder", k, mean + 1,
                 mean + 2, color);
        snprintf(hover, sizeof hover, "%s: 95%% band", title);
        rpt__plot_add(p, spec, NULL, hover);
    }
    snprintf(spec, sizeof spec, "'series_%d.dat' using 1:%d with lines lw 2.5 lc rgb '%s'", k, mean, color);
    rpt__plot_add(p, spec, title, NULL);
}

/* Chart settings: output names, title, labels, axis kind. */
static void rpt__chart_head(FILE *gp, const char *scenario, const char *title, const char *xl, const char *yl, bool logx)
{
    char full[800];
    snprintf(full, sizeof full, "%s: %s", scenario, title);
    fprintf(gp, "set title ");
    rpt_gp_string(gp, full);
    fprintf(gp, "\nset xlabel ");
    rpt_gp_string(gp, xl);
    fprintf(gp, "\nset ylabel ");
    rpt_gp_string(gp, yl);
    fprintf(gp, "\n%s\n", logx ? "set logscale x" : "unset logscale x");
}

/* Emits the plot twice: PNG, then SVG (same settings), and NAME.titles: the hover title of
 * every element, one a line, which the HTML writer puts into the SVG. */
static int rpt__chart_plot(FILE *gp, const char *work, const char *file, const rpt__plot *p, const char *post)
{
    fprintf(gp, "set terminal pngcairo size 1000,580 font 'DejaVu Sans,16' noenhanced\nset output '%s.png'\n%s\n", file, p->cmd);
    fprintf(gp, "set terminal svg size 1000,580 font 'DejaVu Sans,16' noenhanced background '#ffffff'\nset output '%s.svg'\n%s\nunset output\n%s\n",
            file, p->cmd, post ? post : "");
    char path[1400];
    snprintf(path, sizeof path, "%s/%s.titles", work, file);
    FILE *t = fopen(path, "w");
    if (!t) return -1;
    for (int i = 0; i < p->n; i++) fprintf(t, "%s\n", p->titles[i]);
    return fclose(t) == 0 ? 0 : -1;
}

/* The common preamble: grid, the legend inside the plot on an opaque box. */
static void rpt__preamble(FILE *gp)
{
    fprintf(gp, "# drawn by ordersim; re-run with: gnuplot charts.gp\nset encoding utf8\nset grid lc rgb '#dddddd'\n"
                "set key inside top right opaque box lc rgb '#cccccc' samplen 2\nset datafile missing 'NaN'\nset termoption noenhanced\n");
}

/* "TITLE (WHAT)" into buf: a time chart's caption names what its lines are. */
static const char *rpt__with(const char *title, const char *what, char *buf, size_t n)
{
    snprintf(buf, n, "%s (%s)", title, what);
    return buf;
}

/* Records a chart's name and title; returns the new count. */
static int rpt__named(char names[][64], char titles[][200], int n, const char *name, const char *title)
{
    snprintf(names[n], 64, "%.63s", name);
    snprintf(titles[n], 200, "%.199s", title);
    return n + 1;
}

/* Writes charts.gp for a run or a comparison; returns the number of charts (names and
 * titles in names[] and titles[]), or -1 when a file cannot be written. */
static int rpt__script(FILE *gp, const char *work, const rpt_report_in *in, char names[][64], char titles[][200], int max)
{
    int n = 0;
    const rpt_summary *s0 = &in->sums[0];
    const rpt_run *r0 = &s0->runs[0];
    rpt__ax ax = rpt__axis(r0->horizon);
    rpt__preamble(gp);
    char title[512], what[160], xl[160], full[800];
    int reps = s0->n;
    if (reps > 1) snprintf(what, sizeof what, "mean of %d replications, 95%% band", reps);
    else snprintf(what, sizeof what, "one replication, seed %llu", (unsigned long long)r0->seed);
    /* the legend says what the lines are; headroom above the data keeps it off the lines */
    fprintf(gp, "set key title ");
    rpt_gp_string(gp, reps > 1 ? "mean, 95% band" : "one replication");
    fprintf(gp, "\nset offsets 0, 0, graph 0.3, 0\n");
    /* a sell-out in the first tenth of the horizon is squashed against 0: log time axis */
    double sell = s0->mean[RPT_M_sellout_time];
    bool early = isfinite(sell) && sell < 0.1 * r0->horizon;
    snprintf(xl, sizeof xl, "%s%s", ax.label, early ? ", log scale (the sell-out comes early)" : "");
    /* on a log axis: from the first sample after 0 to the horizon */
    double dt = r0->series.nrows > 1 ? r0->series.v[(size_t)r0->series.ncols] - r0->series.v[0] : r0->horizon;
    char xr[200];
    if (early) snprintf(xr, sizeof xr, "set xrange [%.10g:%.10g]\n", dt / ax.div, r0->horizon / ax.div);
    else snprintf(xr, sizeof xr, "set xrange [0:%.10g]\n", r0->horizon / ax.div);
    static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf" };
    rpt__plot p;
    /* Fault windows (outages, slow periods) shaded behind the time charts, labelled at the
     * top; the latency chart, whose x axis is not time, drops them. */
    char shade[RPT_MAX_WINDOWS * 200 + 1] = "";
    size_t sl = 0;
    for (int i = 0; i < r0->nwindows && sl < sizeof shade - 200; i++) {
        const rpt_window *w = &r0->windows[i];
        sl += (size_t)snprintf(shade + sl, sizeof shade - sl, "set object %d rect from %.10g, graph 0 to %.10g, graph 1 behind "
                               "fillcolor rgb '#f4cccc' fillstyle solid 0.6 noborder\nset label %d '%s' at %.10g, graph 0.97 "
                               "font ',11' tc rgb '#990000'\n", i + 1, w->t0 / ax.div, w->t1 / ax.div, i + 1, w->label, w->t0 / ax.div);
    }
    const char *unshade = r0->nwindows ? "unset object\nunset label\n" : "";
    fprintf(gp, "%s", shade);
    const char *logpre = xr;
    char xr0[240];
    snprintf(xr0, sizeof xr0, "%sset yrange [0:*]\n", xr);
    if (in->n == 1) {
        snprintf(title, sizeof title, "Stock over time, %s", r0->strategy);
        rpt__plot_begin(&p, logpre);
        int k = 0;
        for (int c = 1; c < r0->series.ncols; c++) {
            const rpt_col *col = &r0->series.cols[c];
            if (col->kind != RPT_COL_STOCK) continue;
            if (!rpt__all_zero(s0, col->name)) rpt__plot_band(&p, 0, &r0->series, col->name, colors[k % 8], col->label, reps);
            k++;
        }
        if (p.n) {
            rpt__chart_head(gp, in->title, title, xl, "units", early);
            if (rpt__chart_plot(gp, work, "stock", &p, NULL)) return -1;
            n = rpt__named(names, titles, n, "stock", rpt__with(title, what, full, sizeof full));
        }
    } else {
        for (int c = 1; c < r0->series.ncols && n < max; c++) {
            const rpt_col *col = &r0->series.cols[c];
            if (col->kind != RPT_COL_STOCK) continue;
            snprintf(title, sizeof title, "Stock %s by strategy", col->label);
            rpt__plot_begin(&p, logpre);
            for (int s = 0; s < in->n; s++)
                if (!rpt__all_zero(&in->sums[s], col->name))
                    rpt__plot_band(&p, s, &in->sums[s].runs[0].series, col->name, colors[s % 8], in->sums[s].runs[0].strategy, reps);
            if (!p.n) continue;
            char name[80];
            snprintf(name, sizeof name, "stock_%s", col->name);
            rpt__chart_head(gp, in->title, title, xl, "units", early);
            if (rpt__chart_plot(gp, work, name, &p, NULL)) return -1;
            n = rpt__named(names, titles, n, name, rpt__with(title, what, full, sizeof full));
        }
    }
    /* Open orders per non-terminal state of the process actually used, one chart per strategy. */
    for (int s = 0; s < in->n && n < max; s++) {
        const rpt_summary *sum = &in->sums[s];
        const rpt_series *ser = &sum->runs[0].series;
        snprintf(title, sizeof title, "Open orders by state, process %s, %s", sum->runs[0].process, sum->runs[0].strategy);
        rpt__plot_begin(&p, xr0);
        int lines = 0;
        for (int c = 1; c < ser->ncols; c++) {
            const rpt_col *col = &ser->cols[c];
            if (col->kind != RPT_COL_STATE || col->count == RPT_COUNT_CUMULATIVE || rpt__all_zero(sum, col->name)) continue;
            rpt__plot_band(&p, s, ser, col->name, colors[lines++ % 8], col->label, reps);
        }
        if (!lines) continue;
        char name[64];
        snprintf(name, sizeof name, in->n == 1 ? "orders_by_state" : "orders_by_state_%d", s);
        rpt__chart_head(gp, in->title, title, xl, "open orders", early);
        if (rpt__chart_plot(gp, work, name, &p, "set yrange [*:*]")) return -1;
        n = rpt__named(names, titles, n, name, rpt__with(title, what, full, sizeof full));
    }
    /* Arrivals and payments per minute; rejections by reason; queues per station. */
    for (int chart = 0; chart < 3 && n < max; chart++) {
        for (int s = 0; s < in->n && n < max; s++) {
            const rpt_summary *sum = &in->sums[s];
            const rpt_series *ser = &sum->runs[0].series;
            const char *strat = sum->runs[0].strategy;
            rpt__plot_begin(&p, xr0);
            int lines = 0;
            const char *name_base = chart == 0 ? "flow" : chart == 1 ? "rejections" : "queues";
            const char *yl = chart == 2 ? "requests waiting" : "per minute";
            static const rpt_col_kind kinds[] = { RPT_COL_FLOW, RPT_COL_REJECTION, RPT_COL_QUEUE };
            static const int first_color[] = { 0, 1, 4 };
            if (chart == 0) snprintf(title, sizeof title, "Arrivals and payments per minute, %s", strat);
            else if (chart == 1) snprintf(title, sizeof title, "Rejections by reason per minute, %s", strat);
            else snprintf(title, sizeof title, "Queue length per station, %s", strat);
            for (int c = 1; c < ser->ncols; c++) {
                const rpt_col *col = &ser->cols[c];
                if (col->kind != kinds[chart] || rpt__all_zero(sum, col->name)) continue;
                rpt__plot_band(&p, s, ser, col->name, colors[first_color[chart] + (chart == 2 ? lines++ % 4 : lines++)], col->label, reps);
            }
            if (!lines) continue;
            char name[64];
            snprintf(name, sizeof name, in->n == 1 ? "%s" : "%s_%d", name_base, s);
            rpt__chart_head(gp, in->title, title, xl, yl, early);
            if (rpt__chart_plot(gp, work, name, &p, "set yrange [*:*]")) return -1;
            n = rpt__named(names, titles, n, name, rpt__with(title, what, full, sizeof full));
        }
    }
    /* Order-to-pay latency over all replications, strategies overlaid. */
    bool any = false;
    for (int s = 0; s < in->n; s++) any |= in->sums[s].mean[RPT_M_orders_paid] > 0;
    if (any && n < max) {
        snprintf(title, sizeof title, "Order-to-pay latency, cumulative (all %d replication%s)", reps, reps == 1 ? "" : "s");
        rpt__plot_begin(&p, "set xrange [*:*]\n");
        for (int s = 0; s < in->n; s++) {
            char spec[200];
            snprintf(spec, sizeof spec, "'latency_%d.dat' using 1:2 with steps lw 2.5 lc rgb '%s'", s, colors[s % 8]);
            rpt__plot_add(&p, spec, in->sums[s].runs[0].strategy, NULL);
        }
        fprintf(gp, "%sset key inside bottom right\nset key title ''\nset offsets 0, 0, 0, 0\n", unshade);
        rpt__chart_head(gp, in->title, title, "order to payment (seconds, log scale)", "fraction of paid orders", true);
        if (rpt__chart_plot(gp, work, "order_to_pay", &p, "set key inside top right\nunset logscale x")) return -1;
        n = rpt__named(names, titles, n, "order_to_pay", title);
    }
    return n;
}

/* A parameter study: study.dat (a row per point, labelled by its parameters) and one chart
 * per chosen figure against the point. Returns the number of charts (at most max). */
static int rpt__study_script(FILE *gp, const char *work, const rpt_report_in *in, char names[][64], char titles[][200], int max)
{
    const rpt_capacity *c = in->cap;
    char path[2400];
    snprintf(path, sizeof path, "%s/study.dat", work);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "# point label");
    for (int m = 0; m < c->nmetrics; m++) fprintf(f, " %s", c->metrics[m].name);
    fprintf(f, "\n");
    for (int i = 0; i < c->n; i++) {
        /* the label: the values only when one parameter is swept, else PATH=VALUE pairs */
        const char *p = in->points[i].params, *eq = strchr(p, '=');
        const char *label = eq && !strchr(p, ',') ? eq + 1 : p;
        fprintf(f, "%d \"", i);
        for (const char *q = label; *q; q++) fputc(*q == '"' || *q == '\\' || (unsigned char)*q < 32 ? '\'' : *q, f);
        fprintf(f, "\"");
        for (int m = 0; m < c->nmetrics; m++) {
            double v;
            rpt_ref_value(&in->points[i].sum, &c->metrics[m].ref, &v);
            fprintf(f, " %.10g", v);
        }
        fprintf(f, "\n");
    }
    if (fclose(f) != 0) return -1;
    const char *p0 = in->points[0].params, *eq = strchr(p0, '=');
    char xl[300];
    if (eq && !strchr(p0, ',')) snprintf(xl, sizeof xl, "%.*s", (int)(eq - p0), p0);
    else snprintf(xl, sizeof xl, "sweep point");
    rpt__preamble(gp);
    fprintf(gp, "set offsets 0.3, 0.3, 0, 0\n");
    int n = 0;
    for (int m = 0; m < c->nmetrics && n < max; m++) {
        char spec[512], title[512], name[64];
        rpt__plot p;
        rpt__plot_begin(&p, NULL);
        snprintf(spec, sizeof spec, "'study.dat' using 1:%d:xticlabels(2) with linespoints lw 2.5 pt 7 lc rgb '#1f77b4'", m + 3);
        rpt__plot_add(&p, spec, c->metrics[m].name, NULL);
        snprintf(name, sizeof name, "study_%d", m + 1);
        snprintf(title, sizeof title, "%s against %s", c->metrics[m].name, xl);
        rpt__chart_head(gp, in->title, title, xl, c->metrics[m].name, false);
        if (rpt__chart_plot(gp, work, name, &p, NULL)) return -1;
        n = rpt__named(names, titles, n, name, title);
    }
    return n;
}

/* True when station k's response p95 is the order-to-pay p95 at every point of the sweep,
 * within 2% (on the chart's log scale the two lines would lie on each other). */
static bool rpt__o2p_coincides(const rpt_report_in *in, int k)
{
    for (int i = 0; i < in->cap->n; i++) {
        double a = in->points[i].sum.mean[RPT_M_order_to_pay_p95], b = in->points[i].sum.st_mean[k][RPT_ST_RESPONSE_P95];
        if (!(a > 0 && b > 0) || fabs(a - b) > 0.02 * fmax(a, b)) return false;
    }
    return true;
}
/* A sweep: points.dat and three charts (throughput with the bound and the knee, p95, and
 * utilization against offered load). Returns the number of charts. */
static int rpt__capacity_script(FILE *gp, const char *work, const rpt_report_in *in, char names[][64], char titles[][200])
{
    const rpt_capacity *c = in->cap;
    const rpt_run *r0 = &in->points[0].sum.runs[0];
    char path[2400];
    snprintf(path, sizeof path, "%s/points.dat", work);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "# offered_per_s paid_per_s completed_per_s o2p_p50 o2p_p95 o2p_p99");
    for (int k = 0; k < r0->nstations; k++) fprintf(f, " util_%s wait_p95_%s", r0->st[k].name, r0->st[k].name);
    for (int k = 0; k < r0->nstations; k++) fprintf(f, " response_p95_%s", r0->st[k].name);
    fprintf(f, "\n");
    for (int i = 0; i < c->n; i++) {
        const rpt_summary *s = &in->points[i].sum;
        fprintf(f, "%.10g %.10g %.10g %.10g %.10g %.10g", c->offered[i], s->mean[RPT_M_throughput_paid_per_s],
                s->mean[RPT_M_throughput_completed_per_s], s->mean[RPT_M_order_to_pay_p50], s->mean[RPT_M_order_to_pay_p95],
                s->mean[RPT_M_order_to_pay_p99]);
        for (int k = 0; k < r0->nstations; k++) fprintf(f, " %.10g %.10g", 100 * s->st_mean[k][0], s->st_mean[k][2]);
        for (int k = 0; k < r0->nstations; k++) fprintf(f, " %.10g", s->st_mean[k][RPT_ST_RESPONSE_P95]);
        fprintf(f, "\n");
    }
    if (fclose(f) != 0) return -1;
    rpt__preamble(gp);
    fprintf(gp, "set key inside top left\n");
    int n = 0;
    char title[512], spec[512];
    rpt__plot p;
    if (c->knee >= 0)
        fprintf(gp, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 lw 2 lc rgb '#d62728'\n"
                    "set label 1 'knee' at %.10g, graph 0.95 offset 0.5,0 tc rgb '#d62728'\n",
                c->offered[c->knee], c->offered[c->knee], c->offered[c->knee]);
    rpt__plot_begin(&p, NULL);
    rpt__plot_add(&p, "x with lines dt 3 lc rgb '#999999'", "offered = served", NULL);
    rpt__plot_add(&p, "'points.dat' using 1:2 with linespoints lw 2.5 pt 7 lc rgb '#1f77b4'", "paid/s", NULL);
    bool completed = false;
    for (int i = 0; i < c->n; i++) completed |= in->points[i].sum.mean[RPT_M_throughput_completed_per_s] > 0;
    if (completed) rpt__plot_add(&p, "'points.dat' using 1:3 with linespoints lw 2.5 pt 5 lc rgb '#2ca02c'", "completed/s", NULL);
    if (c->bound_station >= 0 && isfinite(c->bound_min)) {
        char t[160];
        snprintf(spec, sizeof spec, "%.10g with lines lw 2 dt 4 lc rgb '#ff7f0e'",
                 c->bound_min * (in->points[0].sum.mean[RPT_M_throughput_paid_per_s] / (c->offered[0] > 0 ? c->offered[0] : 1)));
        snprintf(t, sizeof t, "analytic bound (%s)", r0->st[c->bound_station].name);
        rpt__plot_add(&p, spec, t, NULL);
    }
    snprintf(title, sizeof title, "Throughput against offered load (mean of %d replication%s per point)", in->points[0].sum.n,
             in->points[0].sum.n == 1 ? "" : "s");
    rpt__chart_head(gp, in->title, title, "offered load (customers/s)", "orders per second", false);
    if (rpt__chart_plot(gp, work, "throughput", &p, NULL)) return -1;
    n = rpt__named(names, titles, n, "throughput", title);
    rpt__plot_begin(&p, "set logscale y\nset key inside bottom right\n");
    /* a station whose response p95 is order-to-pay p95 at every point would be drawn under
     * it: it is named in the order-to-pay line's title instead */
    char o2p[400] = "order-to-pay p95";
    bool same[RPT_MAX_STATIONS] = { false };
    for (int k = 0; k < r0->nstations; k++)
        if (r0->st[k].servers && (same[k] = rpt__o2p_coincides(in, k)))
            snprintf(o2p + strlen(o2p), sizeof o2p - strlen(o2p), " = %s response p95", r0->st[k].name);
    rpt__plot_add(&p, "'points.dat' using 1:5 with linespoints lw 3 pt 7 ps 1.3 lc rgb '#d62728'", o2p, NULL);
    static const char *const stc[] = { "#2ca02c", "#9467bd", "#8c564b", "#17becf" };
    for (int k = 0; k < r0->nstations; k++)
        if (r0->st[k].servers) {
            /* a wait that is 0 at every point is left out (it would sit on the 1 ms floor) */
            bool waits = false;
            for (int i = 0; i < c->n; i++) waits |= in->points[i].sum.st_mean[k][RPT_ST_WAIT_P95] > 0;
            char t[160];
            if (waits) {
                snprintf(spec, sizeof spec, "'points.dat' using 1:($%d > 0 ? $%d : 1e-3) with linespoints lw 2 pt 6 lc rgb '%s'", 8 + 2 * k,
                         8 + 2 * k, stc[k % 4]);
                snprintf(t, sizeof t, "%s wait p95", r0->st[k].name);
                rpt__plot_add(&p, spec, t, NULL);
            }
            if (same[k]) continue;
            snprintf(spec, sizeof spec, "'points.dat' using 1:($%d > 0 ? $%d : 1e-3) with linespoints lw 2 dt 2 pt 4 lc rgb '%s'",
                     7 + 2 * r0->nstations + k, 7 + 2 * r0->nstations + k, stc[k % 4]);
            snprintf(t, sizeof t, "%s response p95", r0->st[k].name);
            rpt__plot_add(&p, spec, t, NULL);
        }
    snprintf(title, sizeof title, "p95 latency against offered load (waits shown from 1 ms)");
    rpt__chart_head(gp, in->title, title, "offered load (customers/s)", "seconds (log scale)", false);
    if (rpt__chart_plot(gp, work, "latency_p95", &p, "unset logscale y\nset key inside top left")) return -1;
    n = rpt__named(names, titles, n, "latency_p95", title);
    rpt__plot_begin(&p, "set yrange [0:105]\nset key inside bottom right\n");
    for (int k = 0; k < r0->nstations; k++) {
        if (!r0->st[k].servers) continue;
        snprintf(spec, sizeof spec, "'points.dat' using 1:%d with linespoints lw 2.5", 7 + 2 * k);
        rpt__plot_add(&p, spec, r0->st[k].name, NULL);
    }
    if (!p.n) rpt__plot_add(&p, "0", NULL, "no station has a server limit");
    snprintf(title, sizeof title, "Station utilization against offered load");
    rpt__chart_head(gp, in->title, title, "offered load (customers/s)", "utilization (%)", false);
    if (rpt__chart_plot(gp, work, "utilization", &p, "set autoscale y\nset key inside top left\nunset arrow 1\nunset label 1")) return -1;
    n = rpt__named(names, titles, n, "utilization", title);
    return n;
}

/* Runs gnuplot in `work`; returns 0 on success, -1 when it is missing or failed. */
/* What an interrupted process must clean up: the work directory being built and the
 * gnuplot child. rpt_report_abort (called from another thread) takes the lock and keeps it,
 * so after an abort nothing new is started. */
static pthread_mutex_t rpt__live_mu = PTHREAD_MUTEX_INITIALIZER;
static char  rpt__live_work[1100];   /* work directory in progress, "" when none */
static pid_t rpt__live_child;        /* gnuplot's pid (and process group), 0 when none */
static bool  rpt__aborted;           /* rpt_report_abort ran: start nothing */

/* Removes a directory and the plain files in it (report directories are flat); entries are
 * unlinked, never followed. Returns 0 when the directory is gone. */
static int rpt__rmflat(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char p[2400];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    return rmdir(dir) == 0 || errno == ENOENT ? 0 : -1;
}

void rpt_report_abort(void)
{
    pthread_mutex_lock(&rpt__live_mu);   /* kept: the process is ending */
    rpt__aborted = true;
    if (rpt__live_child > 0) {
        kill(-rpt__live_child, SIGKILL);
        kill(rpt__live_child, SIGKILL);
        waitpid(rpt__live_child, NULL, 0);
    }
    /* The writer may still be adding a file while we empty the directory: try again. */
    for (int k = 0; rpt__live_work[0] && k < 50 && rpt__rmflat(rpt__live_work) != 0; k++) {
        struct timespec t = { 0, 2000000L };
        nanosleep(&t, NULL);
    }
}

static int rpt__gnuplot(const char *work, os_diag *diag)
{
    /* The child must not inherit unflushed output: it would write it a second time. */
    fflush(NULL);
    pthread_mutex_lock(&rpt__live_mu);
    pid_t pid = rpt__aborted ? -1 : fork();
    if (pid > 0) rpt__live_child = pid;
    if (pid != 0) pthread_mutex_unlock(&rpt__live_mu);
    if (pid < 0) return -1;
    if (pid == 0) {
        /* Its own process group, so an abort stops gnuplot and anything it starts; the
         * signals the parent blocks (for its signal thread) are unblocked again. */
        setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (chdir(work) != 0) _exit(126);
        FILE *log = freopen("gnuplot.log", "w", stderr);
        (void)log;
        if (!freopen("/dev/null", "w", stdout)) _exit(126);
        execlp("gnuplot", "gnuplot", "charts.gp", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    pthread_mutex_lock(&rpt__live_mu);
    rpt__live_child = 0;
    pthread_mutex_unlock(&rpt__live_mu);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        os_diag_add(diag, "note: gnuplot is not installed; charts were skipped (make deps installs it)");
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        os_diag_add(diag, "note: gnuplot failed (see gnuplot.log in the report directory); charts were skipped");
        return -1;
    }
    return 0;
}

/* ---- the report as data --------------------------------------------------------------- */

/* A metric's mean as people read it ("23,797 ± 540 orders"). */
static void rpt__mfmt(const rpt_summary *s, rpt_metric m, const char *currency, char *buf, size_t n)
{
    rpt_num_format(s->mean[m], s->ci95[m], rpt_metric_unit_label(m, NULL), currency, buf, n);   /* money: "money" */
}

/* "2 h", "10 min", "45 s": a duration in the largest whole unit that reads well. */
static void rpt__dur(double sec, char *buf, size_t n)
{
    char v[64];
    if (sec >= 2 * 86400) { rpt_num_format(sec / 86400, NAN, "d", NULL, v, sizeof v); }
    else if (sec >= 2 * 3600) { rpt_num_format(sec / 3600, NAN, "h", NULL, v, sizeof v); }
    else if (sec >= 120) { rpt_num_format(sec / 60, NAN, "min", NULL, v, sizeof v); }
    else rpt_num_format(sec, NAN, "s", NULL, v, sizeof v);
    snprintf(buf, n, "%s", v);
}

/* A count metric's mean for a sentence, without its unit ("23,797 ± 540"). */
static const char *rpt__cnt(const rpt_summary *s, rpt_metric m, char *buf, size_t n)
{
    rpt_num_format(s->mean[m], s->ci95[m], "", NULL, buf, n);
    return buf;
}

/* The summary of one strategy's run in a sentence. */
static void rpt__run_summary(rpt_doc *d, const rpt_summary *s, const char *cur)
{
    char served[96], created[96], p95[96];
    rpt__cnt(s, RPT_M_genuine_orders_served, served, sizeof served);
    rpt__cnt(s, RPT_M_orders_created, created, sizeof created);
    rpt__mfmt(s, RPT_M_order_to_pay_p95, cur, p95, sizeof p95);
    const rpt_run *r = &s->runs[0];
    rpt_doc_summary(d, "Under %s, %s genuine orders were served (paid and covered by stock) of %s created; order-to-pay p95 %s.",
                    r->strategy, served, created, p95);
    if (s->mean[RPT_M_oversold_units] > 0) {
        char u[96], o[96];
        rpt__cnt(s, RPT_M_oversold_units, u, sizeof u);
        rpt__cnt(s, RPT_M_oversold_orders, o, sizeof o);
        rpt_doc_summary(d, "It oversold %s units in %s orders.", u, o);
    }
}

/* True when a strategy may be weighed against the recommended one for a trade-off. */
static bool rpt__clean(const rpt_summary *s) { return s->invariants_ok && !(s->mean[RPT_M_oversold_orders] > 0); }

/* The recommendation and its main trade-off: the key metrics on which the recommended
 * strategy is significantly worse than another that did not oversell (paired verdicts);
 * when every other strategy oversold, against those, and said so. */
static void rpt__compare_summary(rpt_doc *d, const rpt_report_in *in, const char *cur)
{
    rpt_recommendation rec;
    rpt_recommend(in->sums, in->n, &rec);
    if (rec.strategy < 0) {
        rpt_doc_summary(d, "No recommendation: no strategy dominates.");
        for (int i = 0; i < rec.nwhy && i < 2; i++) rpt_doc_summary(d, "%s", rec.why[i]);
        return;
    }
    const rpt_summary *best = &in->sums[rec.strategy];
    char served[96];
    rpt_doc_summary(d, "Recommendation: %s, which served %s genuine orders.", best->runs[0].strategy,
                    rpt__cnt(best, RPT_M_genuine_orders_served, served, sizeof served));
    for (int i = 0; i < rec.nwhy && i < 2; i++) rpt_doc_summary(d, "%s", rec.why[i]);
    bool any_clean = false;
    for (int k = 0; k < in->n; k++) any_clean |= k != rec.strategy && rpt__clean(&in->sums[k]);
    int shown = 0;
    for (int i = 0; i < in->nverdict_metrics && shown < 2; i++) {
        rpt_metric m = in->verdict_metrics[i];
        for (int k = 0; k < in->n && shown < 2; k++) {
            if (k == rec.strategy || (any_clean && !rpt__clean(&in->sums[k]))) continue;
            rpt_verdict v;
            rpt_verdict_of(&in->sums[k], best, m, &v);
            if (v.word != RPT_V_WORSE) continue;
            char a[96], b[96];
            rpt__mfmt(best, m, cur, a, sizeof a);
            rpt__mfmt(&in->sums[k], m, cur, b, sizeof b);
            rpt_doc_summary(d, "Trade-off: it is worse than %s%s on %s (%s against %s).", in->sums[k].runs[0].strategy,
                            any_clean ? "" : " (which oversold)", rpt_metric_name(m), a, b);
            shown++;
        }
    }
    if (!shown) rpt_doc_summary(d, "Trade-off: none on the key metrics: it is nowhere significantly worse than %s.",
                                any_clean ? "another strategy that did not oversell" : "another strategy");
}

/* The capacity in one line: the highest load that still followed, and what bounds it. */
static void rpt__capacity_summary(rpt_doc *d, const rpt_report_in *in)
{
    const rpt_capacity *c = in->cap;
    const rpt_run *r0 = &in->points[0].sum.runs[0];
    char a[96], b[96];
    const char *by = c->bottleneck >= 0 ? r0->st[c->bottleneck].name : NULL;
    if (c->knee > 0) {
        /* the headline to two significant digits: it is bracketed by two points anyway */
        double cap = c->offered[c->knee - 1], p = pow(10, floor(log10(cap)) - 1);
        rpt_num_format(round(cap / p) * p, NAN, "customers/s", NULL, a, sizeof a);
        rpt_num_format(c->offered[c->knee], NAN, "customers/s", NULL, b, sizeof b);
        rpt_doc_summary(d, "Capacity: ~%s%s%s.", a, by ? ", bound by " : "", by ? by : "");
        rpt_doc_summary(d, "That is the highest load measured before saturation; at %s %s.", b, c->knee_reason);
    } else if (c->knee == 0) {
        rpt_num_format(c->offered[0], NAN, "customers/s", NULL, a, sizeof a);
        rpt_doc_summary(d, "Capacity: below %s, the lowest load of this sweep%s%s (%s).", a, by ? "; bound by " : "", by ? by : "", c->knee_reason);
    } else {
        rpt_num_format(c->offered[c->n - 1], NAN, "customers/s", NULL, a, sizeof a);
        rpt_doc_summary(d, "Capacity: above %s, the highest load of this sweep (throughput kept following offered load)%s%s.", a,
                        by ? "; the busiest station is " : "", by ? by : "");
    }
    if (c->bound_station >= 0 && isfinite(c->bound_min)) {
        rpt_num_format(c->bound_min, NAN, "customers/s", NULL, a, sizeof a);
        rpt_doc_summary(d, "Analytic bound: %s (%s).", a, r0->st[c->bound_station].name);
    }
    if (c->has_slo) {
        char v[96];
        if (isfinite(c->slo_load)) {
            rpt_num_format(c->slo_load, NAN, "customers/s", NULL, a, sizeof a);
            rpt_num_format(c->slo.value, NAN, "", NULL, v, sizeof v);
            if (c->slo_above >= 0)
                rpt_doc_summary(d, "SLO %s %s %s holds up to about %s (interpolated between points %d and %d).", c->slo.name,
                                cnd_op_name(c->slo.op), v, a, c->slo_below, c->slo_above);
            else
                rpt_doc_summary(d, "SLO %s %s %s holds at every point, up to %s.", c->slo.name, cnd_op_name(c->slo.op), v, a);
        } else {
            rpt_num_format(c->slo.value, NAN, "", NULL, v, sizeof v);
            rpt_doc_summary(d, "SLO %s %s %s is not met at any load of this sweep.", c->slo.name, cnd_op_name(c->slo.op), v);
        }
    }
}

/* Warnings: broken invariants, overselling, failed gates, stations that saturated. */
static void rpt__warnings(rpt_doc *d, const rpt_report_in *in, const rpt_summary *sums, int n, const char *cur)
{
    /* the scenario's own warnings first (the word "warning" is the writers'), then what the
     * runs showed */
    for (int i = 0; i < in->nscn_warnings; i++) {
        const char *w = in->scn_warnings[i], *k = strstr(w, ": warning: ");
        if (k) rpt_doc_warning(d, "scenario %.*s: %s", (int)(k - w), w, k + strlen(": warning: "));
        else rpt_doc_warning(d, "scenario: %s", w);
    }
    if (in->cap && *in->cap->effect_note) rpt_doc_warning(d, "sweep: %s", in->cap->effect_note);
    for (int k = 0; k < n; k++) {
        const rpt_summary *s = &sums[k];
        const rpt_run *r = &s->runs[0];
        if (!s->invariants_ok) rpt_doc_warning(d, "%s: invariants VIOLATED (see Invariants); the numbers cannot be trusted", r->strategy);
        if (s->mean[RPT_M_oversold_units] > 0) {
            char u[96];
            rpt__mfmt(s, RPT_M_oversold_units, cur, u, sizeof u);
            rpt_doc_warning(d, "%s oversold %s", r->strategy, u);
        }
    }
    /* saturated stations, one warning per station naming the strategies */
    for (int st = 0; st < sums[0].runs[0].nstations; st++) {
        char who[600] = "";
        size_t used = 0;
        double peak_max = 0, mean_max = 0;
        for (int k = 0; k < n; k++) {
            const rpt_summary *s = &sums[k];
            const rpt_run *r = &s->runs[0];
            double peak = s->st_mean[st][RPT_ST_UTILIZATION_PEAK];
            if (st >= r->nstations || !(r->st[st].servers > 0) || !(peak >= 0.95)) continue;
            /* how long replication 0 spent at >= 95% (sample windows), when the series has it */
            char t[64] = "";
            int c = -1;
            for (int k2 = 1; k2 < r->series.ncols && c < 0; k2++)
                if (r->series.cols[k2].kind == RPT_COL_UTILIZATION && strcmp(r->series.cols[k2].label, r->st[st].name) == 0) c = k2;
            if (c > 0 && r->series.nrows > 1) {
                double dt = r->series.v[(size_t)r->series.ncols] - r->series.v[0], busy = 0;
                for (size_t row = 1; row < r->series.nrows; row++)
                    if (r->series.v[row * (size_t)r->series.ncols + (size_t)c] >= 0.95) busy += dt;
                if (busy < 0.05 * (r->horizon - r->warmup)) continue;   /* a burst, not a saturation */
                rpt__dur(busy, t, sizeof t);
            }
            if (peak > peak_max) peak_max = peak;
            if (s->st_mean[st][RPT_ST_UTILIZATION] > mean_max) mean_max = s->st_mean[st][RPT_ST_UTILIZATION];
            used += (size_t)snprintf(who + used, used < sizeof who ? sizeof who - used : 0, "%s%s%s%s%s", used ? ", " : "",
                                     n > 1 ? r->strategy : "", n > 1 && *t ? " " : "", *t ? "for " : "", t);
            if (used >= sizeof who) used = sizeof who - 1;
        }
        if (!peak_max) continue;
        char p[64], mean[64];
        rpt_num_format(100 * peak_max, NAN, "%", NULL, p, sizeof p);
        rpt_num_format(100 * mean_max, NAN, "%", NULL, mean, sizeof mean);
        rpt_doc_warning(d, "%s at %s peak utilization%s%s%s%s; mean over the horizon %s%s: requests queue there",
                        sums[0].runs[0].st[st].name, p, *who ? "; at 95% or more " : "", *who && n > 1 ? "under " : "", who,
                        *who ? " (replication 0)" : "", n > 1 ? "up to " : "", mean);
    }
    for (int i = 0; i < in->ngates; i++)
        if (!in->gates[i].pass)
            rpt_doc_warning(d, "%s %s: %s %s", in->gates[i].baseline ? "baseline" : "threshold", in->gates[i].status, in->gates[i].name,
                            in->gates[i].rule);
}

/* The thresholds and baseline sections: present in every report, saying so when empty. */
static void rpt__gates(rpt_doc *d, const rpt_report_in *in)
{
    rpt_doc_section(d, "thresholds", "Thresholds");
    if (!in->nthresholds) rpt_doc_para(d, "The scenario sets no thresholds (\"thresholds\" in the scenario; ordersim check gates on them).");
    else {
        static const char *const h[] = { "metric", "rule", "value", "result" };
        rpt_doc_table(d, 4, h);
        for (int i = 0; i < in->ngates; i++) {
            const rpt_gate *g = &in->gates[i];
            if (g->baseline) continue;
            rpt_doc_text(d, g->name);
            rpt_doc_text(d, g->rule);
            rpt_doc_num(d, g->value, NAN, g->unit);
            rpt_doc_pass(d, g->pass, g->status);
        }
    }
    rpt_doc_section(d, "baseline", "Baseline comparison");
    if (!in->has_baseline) { rpt_doc_para(d, "No baseline was compared (ordersim check --baseline FILE compares one)."); return; }
    int same = 0, shown = 0;
    for (int i = 0; i < in->ngates; i++) same += in->gates[i].baseline && strcmp(in->gates[i].status, "ok") == 0 && in->gates[i].value == in->gates[i].base;
    static const char *const h[] = { "metric", "baseline", "current", "change", "tolerance", "status" };
    for (int i = 0; i < in->ngates; i++) {
        const rpt_gate *g = &in->gates[i];
        if (!g->baseline || (strcmp(g->status, "ok") == 0 && g->value == g->base)) continue;
        if (!shown++) rpt_doc_table(d, 6, h);
        rpt_doc_text(d, g->name);
        rpt_doc_num(d, g->base, NAN, g->unit);
        rpt_doc_num(d, g->value, NAN, g->unit);
        rpt_doc_num(d, g->value - g->base, NAN, g->unit);
        rpt_doc_text(d, g->rule);
        rpt_doc_pass(d, g->pass, g->status);
    }
    rpt_doc_para(d, "%d figure%s compared; %d identical to the baseline%s.", shown + same, shown + same == 1 ? "" : "s", same,
                 shown ? ", the others above" : "");
    if (in->baseline_note) rpt_doc_para(d, "%s", in->baseline_note);
}

/* The verdict table of compare: each strategy against the reference, coloured cells. */
static void rpt__verdicts(rpt_doc *d, const rpt_report_in *in, const char *cur)
{
    const char *rn = in->sums[in->reference].runs[0].strategy;
    char title[200];
    snprintf(title, sizeof title, "Verdicts against %s (paired differences, 95%% intervals)", rn);
    rpt_doc_section(d, "verdicts", title);
    const char *h[2 + 2 * 8];
    char hb[8][2][160];
    int nc = 0;
    h[nc++] = "metric";
    h[nc++] = "unit";
    for (int k = 0, j = 0; k < in->n && j < 8; k++) {
        if (k == in->reference) continue;
        snprintf(hb[j][0], sizeof hb[j][0], "%s - %s", in->sums[k].runs[0].strategy, rn);
        snprintf(hb[j][1], sizeof hb[j][1], "verdict (%s)", in->sums[k].runs[0].strategy);
        h[nc++] = hb[j][0];
        h[nc++] = hb[j][1];
        j++;
    }
    rpt_doc_table(d, nc, h);
    for (int i = 0; i < in->nverdict_metrics; i++) {
        rpt_metric m = in->verdict_metrics[i];
        bool money = rpt_metric_unit(m) == RPT_U_MONEY;
        rpt_doc_text(d, rpt_metric_name(m));
        rpt_doc_text(d, rpt_metric_unit_label(m, cur));
        for (int k = 0, j = 0; k < in->n && j < 8; k++) {
            if (k == in->reference) continue;
            j++;
            rpt_verdict v;
            rpt_verdict_of(&in->sums[in->reference], &in->sums[k], m, &v);
            rpt_doc_num(d, v.diff, v.ci, money ? "money" : "");
            char label[480], w[64];
            rpt_verdict_label(&v, w, sizeof w);
            snprintf(label, sizeof label, "%s%s%s", w, v.why[0] ? ": " : "", v.why);
            rpt_doc_verdict(d, label, v.word == RPT_V_BETTER ? RPT_TONE_GOOD : v.word == RPT_V_WORSE ? RPT_TONE_BAD
                                      : v.word == RPT_V_SAME ? RPT_TONE_SAME : RPT_TONE_NONE);
        }
    }
}

/* A load sweep's tables: one row per point, narrow enough for a page, then the stations. */
static void rpt__capacity_tables(rpt_doc *d, const rpt_report_in *in)
{
    const rpt_capacity *c = in->cap;
    const rpt_run *r0 = &in->points[0].sum.runs[0];
    rpt_doc_section(d, "capacity", c->load ? "Capacity" : "Parameter study");
    if (c->load) {
        static const char *const h[] = { "point", "parameters", "offered", "paid", "efficiency", "order-to-pay p95", "oversold", "note" };
        rpt_doc_table(d, 8, h);
        for (int i = 0; i < c->n; i++) {
            const rpt_summary *s = &in->points[i].sum;
            char pt[16];
            snprintf(pt, sizeof pt, "%d", i);
            rpt_doc_text(d, pt);
            rpt_doc_text(d, in->points[i].params);
            rpt_doc_num(d, c->offered[i], NAN, "customers/s");
            rpt_doc_num(d, s->mean[RPT_M_throughput_paid_per_s], s->ci95[RPT_M_throughput_paid_per_s], "orders/s");
            rpt_doc_num(d, 100 * c->efficiency[i], NAN, "%");
            rpt_doc_num(d, s->mean[RPT_M_order_to_pay_p95], s->ci95[RPT_M_order_to_pay_p95], "s");
            rpt_doc_num(d, s->mean[RPT_M_oversold_units], s->ci95[RPT_M_oversold_units], "units");
            char note[200] = "";
            if (i == c->knee) snprintf(note, sizeof note, "knee");
            if (c->has_slo) snprintf(note + strlen(note), sizeof note - strlen(note), "%sSLO %s", *note ? "; " : "", c->slo_ok[i] ? "ok" : "FAIL");
            if (c->has_slo) rpt_doc_verdict(d, note, c->slo_ok[i] ? RPT_TONE_GOOD : RPT_TONE_BAD);
            else rpt_doc_text(d, note);
        }
        if (c->knee >= 0) rpt_doc_para(d, "Saturation at point %d (%s): %s.", c->knee, in->points[c->knee].params, c->knee_reason);
        else rpt_doc_para(d, "Saturation was not reached in this range (efficiency stayed within 5%% of the lowest load's%s).",
                          c->has_slo ? " and the SLO held" : "");
        /* stations: utilization and response p95 per point (the wide figures of the CSV/JSON
         * stay there: waits per percentile are in `ordersim report --sweep ID --json`) */
        rpt_doc_section(d, "capacity_stations", "Stations across the sweep");
        const char *h2[2 + 2 * RPT_MAX_STATIONS];
        char hb[RPT_MAX_STATIONS][2][96];
        int nc = 0, idx[RPT_MAX_STATIONS], ns = 0;
        h2[nc++] = "point";
        h2[nc++] = "offered";
        for (int k = 0; k < r0->nstations; k++) {
            if (!r0->st[k].servers) continue;
            idx[ns++] = k;
            snprintf(hb[k][0], sizeof hb[k][0], "%s utilization", r0->st[k].name);
            snprintf(hb[k][1], sizeof hb[k][1], "%s response p95", r0->st[k].name);
            h2[nc++] = hb[k][0];
            h2[nc++] = hb[k][1];
        }
        if (ns) {
            rpt_doc_table(d, nc, h2);
            for (int i = 0; i < c->n; i++) {
                const rpt_summary *s = &in->points[i].sum;
                char pt[16];
                snprintf(pt, sizeof pt, "%d", i);
                rpt_doc_text(d, pt);
                rpt_doc_num(d, c->offered[i], NAN, "customers/s");
                for (int j = 0; j < ns; j++) {
                    rpt_doc_num(d, 100 * s->st_mean[idx[j]][RPT_ST_UTILIZATION], 100 * s->st_ci95[idx[j]][RPT_ST_UTILIZATION], "%");
                    rpt_doc_num(d, s->st_mean[idx[j]][RPT_ST_RESPONSE_P95], s->st_ci95[idx[j]][RPT_ST_RESPONSE_P95], "s");
                }
            }
            static const char *const h3[] = { "station", "servers", "mean service", "capacity", "visits per customer", "bound" };
            rpt_doc_para(d, "Analytic bound: servers / mean service time, per customer through the measured visit ratio.");
            rpt_doc_table(d, 6, h3);
            for (int j = 0; j < ns; j++) {
                int k = idx[j];
                rpt_doc_text(d, r0->st[k].name);
                rpt_doc_num(d, r0->st[k].servers, NAN, "");
                rpt_doc_num(d, r0->st[k].mean_service, NAN, "s");
                rpt_doc_num(d, c->capacity[k], NAN, "requests/s");
                rpt_doc_num(d, c->visits[k], NAN, "");
                rpt_doc_num(d, c->bound[k], NAN, "customers/s");
            }
        } else {
            rpt_doc_para(d, "No station has a server limit in this scenario: there is no station bound.");
        }
    }
    if (c->nmetrics) {
        if (c->load) rpt_doc_section(d, "capacity_metrics", "Chosen figures across the sweep");
        const char *h[2 + RPT_CAP_MAX_METRICS + 1];
        int nc = 0;
        h[nc++] = "point";
        h[nc++] = "parameters";
        for (int m = 0; m < c->nmetrics; m++) h[nc++] = c->metrics[m].name;
        if (c->has_slo && !c->load) h[nc++] = "SLO";
        rpt_doc_table(d, nc, h);
        for (int i = 0; i < c->n; i++) {
            char pt[16];
            snprintf(pt, sizeof pt, "%d", i);
            rpt_doc_text(d, pt);
            rpt_doc_text(d, in->points[i].params);
            for (int m = 0; m < c->nmetrics; m++) {
                double v = NAN;
                rpt_ref_value(&in->points[i].sum, &c->metrics[m].ref, &v);
                const rpt_ref *r = &c->metrics[m].ref;
                const char *u = r->metric >= 0 ? rpt_metric_unit_label((rpt_metric)r->metric, NULL) : "";
                rpt_doc_num(d, v, NAN, u);
            }
            if (c->has_slo && !c->load) rpt_doc_verdict(d, c->slo_ok[i] ? "ok" : "FAIL", c->slo_ok[i] ? RPT_TONE_GOOD : RPT_TONE_BAD);
        }
        if (!c->load)
            rpt_doc_para(d, "The swept parameter is not a load (arrival rate, a schedule rate or max_customers), so there is no "
                            "saturation point, bottleneck or analytic bound; compare the figures across points.");
    }
}

/* The metrics table: every metric with its unit, one column per strategy. */
static void rpt__metrics(rpt_doc *d, const rpt_report_in *in, const rpt_summary *sums, int n, const char *title)
{
    rpt_doc_section(d, "metrics", title);
    const char *h[2 + 16];
    int nc = 0;
    h[nc++] = "metric";
    h[nc++] = "unit";
    for (int s = 0; s < n && s < 16; s++) h[nc++] = sums[s].runs[0].strategy;
    rpt_doc_table(d, nc, h);
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        rpt_doc_text(d, rpt_metric_name((rpt_metric)m));
        rpt_doc_text(d, rpt_metric_unit_label((rpt_metric)m, in->currency));
        bool money = rpt_metric_unit((rpt_metric)m) == RPT_U_MONEY;
        for (int s = 0; s < n && s < 16; s++) rpt_doc_num(d, sums[s].mean[m], sums[s].ci95[m], money ? "money" : "");
    }
    rpt_doc_para(d, "Means over %d replication%s; ± is the 95%% confidence half-width (hidden when every replication agreed).",
                 sums[0].n, sums[0].n == 1 ? "" : "s");
}

/* The breakdowns (docs/metrics.md): a table per dimension that has more than one row, a
 * line per figure and a column per key (per strategy and key when comparing). Figures that
 * are zero or null everywhere are left out; at most RPT__BD_SHOWN columns of keys, the
 * rest being in --json and the results DB. */
#define RPT__BD_SHOWN 16
static void rpt__breakdowns(rpt_doc *d, const rpt_report_in *in, const rpt_summary *sums, int n)
{
    bool any = false;
    for (int dim = 0; dim < RPT_BD_DIMS; dim++) {
        const rpt_bd *b0 = &sums[0].runs[0].bd[dim];
        if (b0->nrows < 2) continue;
        if (!any) rpt_doc_section(d, "breakdowns", "Breakdowns");
        any = true;
        int keys = b0->nrows < RPT__BD_SHOWN / n ? b0->nrows : RPT__BD_SHOWN / n > 0 ? RPT__BD_SHOWN / n : 1;
        char heads[2 + RPT__BD_SHOWN][RPT_NAME_MAX * 2];
        const char *h[2 + RPT__BD_SHOWN];
        int nc = 0;
        snprintf(heads[nc], sizeof heads[nc], "by %s", rpt_bd_label((rpt_bd_dim)dim));
        h[nc] = heads[nc]; nc++;
        h[nc++] = "unit";
        for (int st = 0; st < n && st < RPT__BD_SHOWN; st++)
            for (int k = 0; k < keys && nc < 2 + RPT__BD_SHOWN; k++) {
                if (n > 1) snprintf(heads[nc], sizeof heads[nc], "%s: %s", sums[st].runs[0].strategy, b0->keys[k]);
                else snprintf(heads[nc], sizeof heads[nc], "%s", b0->keys[k]);
                h[nc] = heads[nc]; nc++;
            }
        rpt_doc_table(d, nc, h);
        const int *fs;
        int nf = rpt_bd_columns((rpt_bd_dim)dim, &fs);
        for (int c = 0; c < nf; c++) {
            bool shown = false;
            for (int st = 0; st < n; st++)
                for (int k = 0; k < b0->nrows; k++) {
                    double v = rpt_bd_mean(&sums[st], (rpt_bd_dim)dim, k, c);
                    shown |= isfinite(v) && v != 0;
                }
            if (!shown) continue;
            bool money = rpt_bd_figure_unit(fs[c]) == RPT_U_MONEY;
            rpt_doc_text(d, rpt_bd_figure_name(fs[c]));
            rpt_doc_text(d, rpt_unit_label(rpt_bd_figure_unit(fs[c]), in->currency));
            for (int st = 0; st < n && st < RPT__BD_SHOWN; st++)
                for (int k = 0; k < keys && 2 + st * keys + k < 2 + RPT__BD_SHOWN; k++)
                    rpt_doc_num(d, rpt_bd_mean(&sums[st], (rpt_bd_dim)dim, k, c), NAN, money ? "money" : "");
        }
        if (keys < b0->nrows)
            rpt_doc_para(d, "The first %d of %d %ss are shown; `--json` and the results DB hold them all.", keys,
                         b0->nrows, rpt_bd_label((rpt_bd_dim)dim));
    }
    if (any)
        rpt_doc_para(d, "Means over %d replication%s. Each breakdown adds up to its metric's total (checked in every run); "
                        "a SKU's money is its lines' share of each order by list value; a null budget is unlimited.",
                     sums[0].n, sums[0].n == 1 ? "" : "s");
}

/* The per-SKU rows of station k shown in the report: at most RPT__SUB_SHOWN, the busiest
 * (first replication's utilization) first, so that the hot SKU is at the top. Returns how
 * many, their indexes in runs[0].sub in idx. */
#define RPT__SUB_SHOWN 10
static int rpt__sub_rows(const rpt_run *r0, int k, int idx[RPT__SUB_SHOWN])
{
    int n = 0;
    for (int j = 0; j < r0->nsub; j++) {
        if (r0->sub[j].parent != k) continue;
        int at = n < RPT__SUB_SHOWN ? n++ : RPT__SUB_SHOWN;
        while (at > 0 && r0->sub[idx[at - 1]].st.utilization < r0->sub[j].st.utilization) {
            if (at < RPT__SUB_SHOWN) idx[at] = idx[at - 1];
            at--;
        }
        if (at < RPT__SUB_SHOWN) idx[at] = j;
    }
    return n;
}

/* One station row's cells after the strategy and name: table t of rpt__stations. */
static void rpt__station_cells(rpt_doc *d, int t, const rpt_station *st, const double *m, const double *c)
{
    if (t == 0) {
        if (st->servers) rpt_doc_num(d, st->servers, NAN, "");
        else rpt_doc_text(d, "unlimited");
        rpt_doc_num(d, 100 * m[RPT_ST_UTILIZATION], 100 * c[RPT_ST_UTILIZATION], "%");
        rpt_doc_num(d, 100 * m[RPT_ST_UTILIZATION_PEAK], 100 * c[RPT_ST_UTILIZATION_PEAK], "%");
        rpt_doc_num(d, m[RPT_ST_QUEUE_MAX], c[RPT_ST_QUEUE_MAX], "requests");
    } else {
        rpt_doc_num(d, m[RPT_ST_WAIT_MEAN], c[RPT_ST_WAIT_MEAN], "s");
        rpt_doc_num(d, m[RPT_ST_WAIT_P95], c[RPT_ST_WAIT_P95], "s");
        rpt_doc_num(d, m[RPT_ST_RESPONSE_MEAN], c[RPT_ST_RESPONSE_MEAN], "s");
        rpt_doc_num(d, m[RPT_ST_RESPONSE_P95], c[RPT_ST_RESPONSE_P95], "s");
        rpt_doc_num(d, m[RPT_ST_RESPONSE_P99], c[RPT_ST_RESPONSE_P99], "s");
    }
}

/* Stations in two tables narrow enough for a page: load (utilization, queue), then times.
 * A station with per-SKU rows (the inventory's row locks) is followed by its busiest SKUs,
 * named stations.NAME.skus.SKU as conditions name them. */
static void rpt__stations(rpt_doc *d, const rpt_summary *sums, int n)
{
    rpt_doc_section(d, "stations", "Stations");
    static const char *const h1[] = { "strategy", "station", "servers", "utilization", "utilization peak", "queue max" };
    static const char *const h2[] = { "strategy", "station", "wait mean", "wait p95", "response mean", "response p95", "response p99" };
    for (int t = 0; t < 2; t++) {
        if (t == 0) rpt_doc_table(d, 6, h1);
        else rpt_doc_table(d, 7, h2);
        for (int s = 0; s < n; s++)
            for (int k = 0; k < sums[s].runs[0].nstations; k++) {
                const rpt_station *st = &sums[s].runs[0].st[k];
                const double *m = sums[s].st_mean[k], *c = sums[s].st_ci95[k];
                rpt_doc_text(d, sums[s].runs[0].strategy);
                rpt_doc_text(d, st->name);
                rpt__station_cells(d, t, st, m, c);
                int idx[RPT__SUB_SHOWN], ns = rpt__sub_rows(&sums[s].runs[0], k, idx);
                for (int j = 0; j < ns; j++) {
                    const rpt_station *sub = &sums[s].runs[0].sub[idx[j]].st;
                    double sm[RPT_ST_FIGURES], sc[RPT_ST_FIGURES];
                    for (int f = 0; f < RPT_ST_FIGURES; f++)
                        rpt_sub_value(&sums[s], st->name, sub->name, (rpt_st_figure)f, &sm[f], &sc[f]);
                    char name[RPT_NAME_MAX * 2 + 8];
                    snprintf(name, sizeof name, "%s.skus.%s", st->name, sub->name);
                    rpt_doc_text(d, sums[s].runs[0].strategy);
                    rpt_doc_text(d, name);
                    rpt__station_cells(d, t, sub, sm, sc);
                }
            }
    }
}

/* Builds the whole report; chart names and titles come from the chart script. */
/* The report as a document; ncharts < 0 leaves the Charts section out (names and titles
 * may then be NULL). */
static rpt_doc *rpt__build(const rpt_report_in *in, char names[][64], char titles[][200], int ncharts)
{
    const rpt_summary *sums = in->cap ? &in->points[in->cap->n - 1].sum : in->sums;
    int n = in->cap ? 1 : in->n;
    const char *cur = in->currency && *in->currency ? in->currency : NULL;
    char title[400];
    snprintf(title, sizeof title, "ordersim report: %s", in->title);
    rpt_doc *d = rpt_doc_create(title, cur);
    const rpt_run *r0 = &sums[0].runs[0];
    if (in->description && *in->description) rpt_doc_fact(d, "question", "%s", in->description);
    rpt_doc_fact(d, "command", "%s", in->command ? in->command : "");
    char hz[64], wu[64];
    rpt__dur(r0->horizon, hz, sizeof hz);
    rpt__dur(r0->warmup, wu, sizeof wu);
    rpt_doc_fact(d, "process", "%s", r0->process);
    if (!in->cap && n == 1) rpt_doc_fact(d, "strategy", "%s", r0->strategy);
    rpt_doc_fact(d, "seed", "%llu (replication r uses seed + r)", (unsigned long long)r0->seed - (unsigned long long)r0->replication);
    rpt_doc_fact(d, "replications", "%d", sums[0].n);
    rpt_doc_fact(d, "horizon", "%s (warmup %s)", hz, wu);
    if (in->cap) rpt_doc_fact(d, "sweep points", "%d", in->cap->n);
    rpt_doc_fact(d, "currency", "%s", cur ? cur : "none set (\"currency\" in the scenario)");
    time_t now = time(NULL);
    struct tm tm;
    char date[64] = "";
    if (gmtime_r(&now, &tm)) strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
    rpt_doc_fact(d, "generated", "%s by %s", date, in->generator ? in->generator : "ordersim");

    if (in->cap && in->cap->load) rpt__capacity_summary(d, in);
    else if (in->cap) {
        rpt_doc_summary(d, "Parameter study over %d points: the swept parameter is not a load, so this shows how the chosen figures move.", in->cap->n);
        if (in->cap->has_slo) rpt_doc_summary(d, "%s.", in->cap->slo_finding);
    } else if (n > 1) rpt__compare_summary(d, in, cur);
    else rpt__run_summary(d, &sums[0], cur);
    int failed = 0;
    for (int i = 0; i < in->ngates; i++) failed += !in->gates[i].pass;
    if (in->nthresholds || in->has_baseline)
    {
        if (failed) rpt_doc_summary(d, "Gate: %d of %d rules FAIL (see Thresholds and Baseline comparison).", failed, in->ngates);
        else rpt_doc_summary(d, "Gate: all %d rules pass.", in->ngates);
    }
    rpt__warnings(d, in, sums, n, cur);

    rpt__gates(d, in);
    if (in->cap) rpt__capacity_tables(d, in);
    if (!in->cap && n > 1 && in->nverdict_metrics) rpt__verdicts(d, in, cur);
    if (in->conclusion) {
        rpt_doc_section(d, "conclusion", "Conclusion");
        rpt_doc_para(d, "%s", in->conclusion);
    }
    rpt__metrics(d, in, sums, n, !in->cap ? "Metrics" : in->cap->load ? "Metrics at the highest load" : "Metrics at the last point");
    rpt__stations(d, sums, n);
    rpt__breakdowns(d, in, sums, n);
    rpt_doc_section(d, "invariants", "Invariants");
    for (int s = 0; s < n; s++) {
        rpt_doc_para(d, "- %s: %s", sums[s].runs[0].strategy,
                     sums[s].invariants_ok ? "all hold (stock conservation, money conservation, states, no forbidden oversell)" : "VIOLATED");
        for (int i = 0; i < sums[s].n; i++)
            for (int v = 0; v < sums[s].runs[i].violations.count; v++) rpt_doc_para(d, "- %s", sums[s].runs[i].violations.msgs[v]);
    }
    if (ncharts < 0) return d;          /* the terminal: charts are files of the report */
    rpt_doc_section(d, "charts", "Charts");
    if (!ncharts) rpt_doc_para(d, "Charts were skipped (gnuplot unavailable or failed).");
    for (int c = 0; c < ncharts; c++) rpt_doc_chart(d, names[c], titles[c]);
    return d;
}

void rpt_report_write_text(const rpt_report_in *in, FILE *out)
{
    rpt_doc *d = rpt__build(in, NULL, NULL, -1);
    rpt_doc_write_text(d, out);
    rpt_doc_destroy(d);
}
/* Writes report.md, report.html (charts inlined from work), report.txt and report.json
 * into work, all from the same document. */
static os_status rpt__write_doc(const char *work, const char *dir, const rpt_doc *doc, os_diag *diag)
{
    static const char *const files[] = { "report.md", "report.html", "report.txt", "report.json" };
    for (int i = 0; i < 4; i++) {
        char path[2400];
        snprintf(path, sizeof path, "%s/%s", work, files[i]);
        FILE *f = fopen(path, "w");
        if (!f) { os_diag_add(diag, "%s/%s: %s", dir, files[i], strerror(errno)); return OS_EIO; }
        switch (i) {
        case 0: rpt_doc_write_md(doc, f); break;
        case 1: rpt_doc_write_html(doc, f, work); break;
        case 2: rpt_doc_write_text(doc, f); break;
        default: rpt_doc_write_json(doc, f); break;
        }
        if (fclose(f) != 0) { os_diag_add(diag, "%s/%s: write failed (disk full?)", dir, files[i]); return OS_EIO; }
    }
    return OS_OK;
}

/* May `dir`, an existing directory, be replaced by a new report? When it carries the
 * marker a report writes, or (a report of an older ordersim) holds report.md or
 * report.html and otherwise only files a report consists of. Subdirectories (the reports
 * `report RUN_ID` and `sweep` nest inside) are allowed: they are carried over, never
 * removed. Never a directory of the user's own files (--out .). On refusal names a file. */
static bool rpt__replaceable(const char *dir, char *found, size_t n)
{
    static const char *const kinds[] = { ".md", ".html", ".gp", ".log", ".dat", ".png", ".svg", NULL };
    DIR *d = opendir(dir);
    if (!d) { snprintf(found, n, "(unreadable: %s)", strerror(errno)); return false; }
    bool ok = true, marker = false, report = false, empty = true;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) continue;
        empty = false;
        if (strcmp(nm, RPT_REPORT_MARKER) == 0) { marker = true; continue; }
        report |= strcmp(nm, "report.md") == 0 || strcmp(nm, "report.html") == 0;
        char p[2400];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, nm);
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) continue;
        bool known = false;
        const char *dot = strrchr(nm, '.');
        for (int k = 0; kinds[k] && dot; k++) known |= strcmp(dot, kinds[k]) == 0;
        /* A symbolic link is only unlinked, never followed: allowed like a file. */
        if (!known || !(S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode))) {
            if (ok) snprintf(found, n, "%s", nm);
            ok = false;
        }
    }
    closedir(d);
    if (ok && !empty && !report && !marker) snprintf(found, n, "no report.md");
    return marker || empty || (ok && report);
}

/* Moves the subdirectories of the previous report (now at `old`) into the new one at
 * `dir`: nested reports are carried over by rename, never rewritten or lost. */
static void rpt__carry_subdirs(const char *old, const char *dir, os_diag *diag)
{
    DIR *d = opendir(old);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char from[2400], to[2400];
        struct stat sb;
        snprintf(from, sizeof from, "%s/%s", old, e->d_name);
        if (lstat(from, &sb) != 0 || !S_ISDIR(sb.st_mode)) continue;
        snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
        if (rename(from, to) != 0) os_diag_add(diag, "%s: could not carry over %s: %s (it is at %s)", dir, e->d_name, strerror(errno), from);
    }
    closedir(d);
}

/* Puts the finished work directory in place of `dir` in one step: a plain rename when
 * `dir` does not exist, else an atomic exchange (renameat2 RENAME_EXCHANGE) after which
 * the old report sits at `work` and is removed. Where the exchange is not supported, the
 * old directory is first moved aside (`aside`) and put back if the second rename fails. */
static os_status rpt__install(const char *work, const char *dir, const char *aside, os_diag *diag)
{
    if (rename(work, dir) == 0) return OS_OK;
    if (errno != EEXIST && errno != ENOTEMPTY && errno != EISDIR && errno != ENOTDIR) {
        os_diag_add(diag, "%s: cannot put the report in place: %s", dir, strerror(errno));
        return OS_EIO;
    }
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    if (renameat2(AT_FDCWD, work, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
        rpt__carry_subdirs(work, dir, diag);
        rpt__rmflat(work);
        return OS_OK;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        os_diag_add(diag, "%s: cannot replace the previous report: %s", dir, strerror(errno));
        return OS_EIO;
    }
#endif
    if (rename(dir, aside) != 0) {
        os_diag_add(diag, "%s: cannot move the previous report aside: %s", dir, strerror(errno));
        return OS_EIO;
    }
    if (rename(work, dir) != 0) {
        int e = errno;
        rename(aside, dir);
        os_diag_add(diag, "%s: cannot put the report in place: %s", dir, strerror(e));
        return OS_EIO;
    }
    rpt__carry_subdirs(aside, dir, diag);
    rpt__rmflat(aside);
    return OS_OK;
}

struct rpt_dir {
    char dir[1100];     /* as the user named it, for messages */
    char target[1100];  /* parent/base */
    char work[1100];    /* the private work directory beside it */
    char aside[1100];   /* where the old report goes when the exchange is not supported */
};

os_status rpt_dir_begin(const char *dir, rpt_dir **out, os_diag *diag)
{
    *out = NULL;
    char parent[800], base[128];
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    const char *slash = memrchr(dir, '/', len);
    size_t blen = slash ? len - (size_t)(slash + 1 - dir) : len;
    if (!len || blen == 0 || blen >= sizeof base || len >= sizeof parent) {
        os_diag_add(diag, "'%s': not a report directory name", dir);
        return OS_EIO;
    }
    memcpy(base, slash ? slash + 1 : dir, blen);
    base[blen] = '\0';
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        os_diag_add(diag, "%s: give the report its own directory (a name, not '.' or '..')", dir);
        return OS_EIO;
    }
    if (!slash) snprintf(parent, sizeof parent, ".");
    else if (slash == dir) snprintf(parent, sizeof parent, "/");
    else snprintf(parent, sizeof parent, "%.*s", (int)(slash - dir), dir);
    rpt_dir *r = xcalloc(1, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    snprintf(r->target, sizeof r->target, "%s/%s", parent, base);
    if (pth_mkdirs(r->target, true) != 0) {
        os_diag_add(diag, "%s: cannot create the report directory: %s", dir, strerror(errno));
        free(r);
        return OS_EIO;
    }
    struct stat tsb;
    if (lstat(r->target, &tsb) == 0) {
        char found[256];
        if (!S_ISDIR(tsb.st_mode)) {
            os_diag_add(diag, "%s: exists and is not a directory; it was left untouched", dir);
            free(r);
            return OS_EIO;
        }
        if (!rpt__replaceable(r->target, found, sizeof found)) {
            os_diag_add(diag, "%s: exists and is not an ordersim report directory ('%s'); it was left untouched: "
                        "choose another --out", dir, found);
            free(r);
            return OS_EIO;
        }
    }
    snprintf(r->work, sizeof r->work, "%s/.%s.work-XXXXXX", parent, base);
    snprintf(r->aside, sizeof r->aside, "%s/.%s.old-%ld", parent, base, (long)getpid());
    pthread_mutex_lock(&rpt__live_mu);
    bool made = !rpt__aborted && !rpt__live_work[0] && mkdtemp(r->work) != NULL;
    int made_errno = errno;
    if (made) snprintf(rpt__live_work, sizeof rpt__live_work, "%s", r->work);
    pthread_mutex_unlock(&rpt__live_mu);
    if (!made) {
        os_diag_add(diag, "%s: cannot create the report directory (nor its work directory beside it): %s", dir,
                    strerror(made_errno));
        free(r);
        return OS_EIO;
    }
    *out = r;
    return OS_OK;
}

const char *rpt_dir_work(const rpt_dir *r) { return r->work; }

/* Ends a report directory: on failure (or abort) nothing at `dir` changed; whatever is
 * left at `work` (the failed attempt, or the previous report after an exchange) is removed. */
static void rpt__dir_end(rpt_dir *r)
{
    pthread_mutex_lock(&rpt__live_mu);
    if (!rpt__aborted) {
        rpt__rmflat(r->work);
        rpt__live_work[0] = '\0';
    }
    pthread_mutex_unlock(&rpt__live_mu);
    free(r);
}

os_status rpt_dir_commit(rpt_dir *r, os_diag *diag)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/" RPT_REPORT_MARKER, r->work);
    FILE *mk = fopen(path, "wx");
    if (!mk || fputs("written by ordersim; this directory is replaced as a whole by the next report\n", mk) < 0 ||
        fclose(mk) != 0) {
        os_diag_add(diag, "%s: write failed (disk full?)", r->dir);
        rpt__dir_end(r);
        return OS_EIO;
    }
    /* mkdtemp made it private (0700); a report is as readable as any new directory. */
    mode_t mask = umask(022);
    umask(mask);
    chmod(r->work, 0777 & ~mask);
    os_status st = rpt__install(r->work, r->target, r->aside, diag);
    rpt__dir_end(r);
    return st;
}

void rpt_dir_abort(rpt_dir *r)
{
    if (r) rpt__dir_end(r);
}

os_status rpt_report_write(const char *dir, const rpt_report_in *in, int *charts, os_diag *diag)
{
    *charts = 0;
    /* The report is built in a work directory beside `dir` (same file system) and put in
     * place with one rename: readers see the old report or the new, never a mix. */
    rpt_dir *rd;
    os_status st = rpt_dir_begin(dir, &rd, diag);
    if (st != OS_OK) return st;
    const char *work = rpt_dir_work(rd);
    char names[24][64], titles[24][200];
    int n = 0;
    rpt__ax ax = rpt__axis(in->sums[0].runs[0].horizon);
    for (int s = 0; s < in->n && !in->cap; s++)
        if (rpt__data(work, s, &in->sums[s], ax.div) != 0) {
            os_diag_add(diag, "%s: cannot write chart data: %s", dir, strerror(errno));
            goto fail;
        }
    char path[2400];
    snprintf(path, sizeof path, "%s/charts.gp", work);
    FILE *gp = fopen(path, "w");
    if (!gp) { os_diag_add(diag, "%s: %s", path, strerror(errno)); goto fail; }
    n = !in->cap ? rpt__script(gp, work, in, names, titles, 24) : in->cap->load ? rpt__capacity_script(gp, work, in, names, titles)
                                                                 : rpt__study_script(gp, work, in, names, titles, 24);
    if (n < 0) { fclose(gp); os_diag_add(diag, "%s: cannot write chart data", dir); goto fail; }
    if (fclose(gp) != 0) { os_diag_add(diag, "%s: write failed", path); goto fail; }
    if (rpt__gnuplot(work, diag) == 0) {
        int ok = 0;
        for (int c = 0; c < n; c++) {
            struct stat sb;
            char p2[4096];
            snprintf(p2, sizeof p2, "%s/%s.png", work, names[c]);
            bool png = stat(p2, &sb) == 0 && sb.st_size > 0;
            snprintf(p2, sizeof p2, "%s/%s.svg", work, names[c]);
            if (png && stat(p2, &sb) == 0 && sb.st_size > 0) {
                memmove(names[ok], names[c], sizeof names[c]);
                memmove(titles[ok++], titles[c], sizeof titles[c]);
            }
        }
        if (ok < n) os_diag_add(diag, "note: gnuplot drew %d of %d charts", ok, n);
        n = ok;
    } else {
        n = 0;
    }
    *charts = n;
    rpt_doc *doc = rpt__build(in, names, titles, n);
    st = rpt__write_doc(work, dir, doc, diag);
    rpt_doc_destroy(doc);
    if (st != OS_OK) goto fail;
    return rpt_dir_commit(rd, diag);
fail:
    rpt_dir_abort(rd);
    return OS_EIO;
}

int rpt_gnuplot_run(const char *dir, os_diag *diag) { return rpt__gnuplot(dir, diag); }
