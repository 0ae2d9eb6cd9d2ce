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

static void rpt__html(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* Markdown-safe text: no newlines (they would end a table row) and no pipes. */
/* Writes user text (a scenario name or description) into Markdown as plain text: HTML
 * special characters as entities (no raw HTML reaches a renderer), Markdown punctuation
 * backslash-escaped (no links, emphasis, headings or table cells), a table's '|' as '/',
 * and control characters as spaces. */
static void rpt__md(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) fputc(' ', out);
        else if (c == '<') fputs("&lt;", out);
        else if (c == '>') fputs("&gt;", out);
        else if (c == '&') fputs("&amp;", out);
        else if (c == '|') fputc('/', out);
        else if (strchr("\\`*_{}[]()#+-.!~", c)) { fputc('\\', out); fputc(c, out); }
        else fputc(c, out);
    }
}

typedef struct rpt__ax { double div; const char *label; } rpt__ax;

static rpt__ax rpt__axis(double horizon)
{
    if (horizon <= 2 * 3600) return (rpt__ax){ 60, "time (minutes)" };
    if (horizon <= 3 * 86400) return (rpt__ax){ 3600, "time (hours)" };
    return (rpt__ax){ 86400, "time (days)" };
}

static int rpt__col(const rpt_series *s, const char *name)
{
    for (int c = 0; c < s->ncols; c++)
        if (strcmp(s->cols[c], name) == 0) return c;
    return -1;
}

/* Writes series_K.dat and latency_K.dat for strategy k. */
static int rpt__data(const char *work, int k, const rpt_run *r, double div)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/series_%d.dat", work, k);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const rpt_series *s = &r->series;
    fprintf(f, "#");
    for (int c = 0; c < s->ncols; c++) fprintf(f, " %s", s->cols[c]);
    fprintf(f, "\n");
    double dt = s->nrows > 1 ? s->v[(size_t)s->ncols] - s->v[0] : 1;
    int paid = rpt__col(s, "paid_in_interval");
    for (size_t row = 0; row < s->nrows; row++) {
        const double *v = s->v + row * (size_t)s->ncols;
        fprintf(f, "%.10g", v[0] / div);
        for (int c = 1; c < s->ncols; c++) {
            double x = c == paid ? v[c] * 60.0 / dt : v[c]; /* paid per minute */
            if (isfinite(x)) fprintf(f, " %.10g", x);
            else fprintf(f, " NaN");
        }
        fprintf(f, "\n");
    }
    if (fclose(f) != 0) return -1;
    snprintf(path, sizeof path, "%s/latency_%d.dat", work, k);
    f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "# order_to_pay_seconds cumulative_fraction\n");
    uint64_t seen = 0;
    for (int b = 0; b < rpt_hist_bucket_count(); b++) {
        if (!r->order_to_pay.b[b]) continue;
        seen += r->order_to_pay.b[b];
        double hi = b + 1 < rpt_hist_bucket_count() ? rpt_hist_bucket_low(b + 1) : rpt_hist_bucket_low(b) * 2;
        fprintf(f, "%.10g %.10g\n", hi, (double)seen / (double)r->order_to_pay.count);
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* A chart: name, title, y label, and which column(s) of which strategies to plot. */
static void rpt__chart_head(FILE *gp, const char *file, const char *title, const char *xl, const char *yl, bool logx)
{
    fprintf(gp, "set output '%s.png'\nset title ", file);
    rpt_gp_string(gp, title);
    fprintf(gp, "\nset xlabel ");
    rpt_gp_string(gp, xl);
    fprintf(gp, "\nset ylabel ");
    rpt_gp_string(gp, yl);
    fprintf(gp, "\n%s\n", logx ? "set logscale x" : "unset logscale x");
}

/* Emits the plot twice: PNG, then SVG (same settings). `plot` is the plot command. */
static void rpt__chart_plot(FILE *gp, const char *file, const char *plot)
{
    fprintf(gp, "set terminal pngcairo size 1000,520 font 'DejaVu Sans,10' noenhanced\nset output '%s.png'\n%s\n", file, plot);
    fprintf(gp, "set terminal svg size 1000,520 font 'DejaVu Sans,10' noenhanced background '#ffffff'\nset output '%s.svg'\n%s\nunset output\n", file, plot);
}

/* Writes charts.gp; returns the number of charts and their names in names[]. */
static int rpt__script(FILE *gp, const rpt_report_in *in, char names[][64], int max)
{
    int n = 0;
    const rpt_run *r0 = &in->sums[0].runs[0];
    rpt__ax ax = rpt__axis(r0->horizon);
    fprintf(gp, "# drawn by ordersim; re-run with: gnuplot charts.gp\nset encoding utf8\nset grid\nset key outside right top\n"
                "set datafile missing 'NaN'\nset termoption noenhanced\n");
    char title[512], plot[8192];
    static const char *const stock_cols[] = { "available", "locked", "sold", "oversold" };
    static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b" };
    if (in->n == 1) {
        snprintf(title, sizeof title, "%s - stock over time (%s)", in->title, r0->strategy);
        size_t used = (size_t)snprintf(plot, sizeof plot, "plot ");
        for (int k = 0; k < 4; k++) {
            int c = rpt__col(&r0->series, stock_cols[k]);
            used += (size_t)snprintf(plot + used, sizeof plot - used, "%s'series_0.dat' using 1:%d with lines lw 2 lc rgb '%s' title '%s'",
                                     k ? ", " : "", c + 1, colors[k], stock_cols[k]);
        }
        snprintf(names[n], 64, "stock");
        rpt__chart_head(gp, names[n], title, ax.label, "units", false);
        rpt__chart_plot(gp, names[n++], plot);
    } else {
        for (int k = 0; k < 4 && n < max; k++) {
            snprintf(title, sizeof title, "%s - %s stock by strategy", in->title, stock_cols[k]);
            size_t used = (size_t)snprintf(plot, sizeof plot, "plot ");
            for (int s = 0; s < in->n; s++) {
                int c = rpt__col(&in->sums[s].runs[0].series, stock_cols[k]);
                used += (size_t)snprintf(plot + used, sizeof plot - used, "%s'series_%d.dat' using 1:%d with lines lw 2 lc rgb '%s' title '%s'",
                                         s ? ", " : "", s, c + 1, colors[s % 6], in->sums[s].runs[0].strategy);
            }
            snprintf(names[n], 64, "stock_%s", stock_cols[k]);
            rpt__chart_head(gp, names[n], title, ax.label, "units", false);
            rpt__chart_plot(gp, names[n++], plot);
        }
    }
    /* Orders by state: open orders per non-terminal state, one chart per strategy. */
    for (int s = 0; s < in->n && n < max; s++) {
        const rpt_run *r = &in->sums[s].runs[0];
        snprintf(title, sizeof title, "%s - open orders by state (%s)", in->title, r->strategy);
        size_t used = (size_t)snprintf(plot, sizeof plot, "plot ");
        int lines = 0;
        static const char *const open_states[] = { "state.pending_payment", "state.paid", "state.in_production",
                                                    "state.shipped", "state.delivered", "state.confirmed",
                                                    "state.return_requested", "state.placed" };
        for (size_t q = 0; q < sizeof open_states / sizeof open_states[0]; q++) {
            int c = rpt__col(&r->series, open_states[q]);
            if (c < 0) continue;
            used += (size_t)snprintf(plot + used, sizeof plot - used, "%s'series_%d.dat' using 1:%d with lines lw 2 title '%s'",
                                     lines++ ? ", " : "", s, c + 1, open_states[q] + 6);
        }
        if (!lines) continue;
        snprintf(names[n], 64, in->n == 1 ? "orders_by_state" : "orders_by_state_%d", s);
        rpt__chart_head(gp, names[n], title, ax.label, "orders", false);
        rpt__chart_plot(gp, names[n++], plot);
    }
    /* Paid per minute and order-to-pay latency, strategies overlaid. */
    for (int which = 0; which < 2 && n < max; which++) {
        snprintf(title, sizeof title, which ? "%s - order-to-pay latency (cumulative)" : "%s - payments per minute", in->title);
        size_t used = (size_t)snprintf(plot, sizeof plot, "plot ");
        for (int s = 0; s < in->n; s++) {
            const rpt_run *r = &in->sums[s].runs[0];
            if (which)
                used += (size_t)snprintf(plot + used, sizeof plot - used, "%s'latency_%d.dat' using 1:2 with steps lw 2 lc rgb '%s' title '%s'",
                                         s ? ", " : "", s, colors[s % 6], r->strategy);
            else
                used += (size_t)snprintf(plot + used, sizeof plot - used, "%s'series_%d.dat' using 1:%d with lines lw 2 lc rgb '%s' title '%s'",
                                         s ? ", " : "", s, rpt__col(&r->series, "paid_in_interval") + 1, colors[s % 6], r->strategy);
        }
        bool any = false;
        for (int s = 0; s < in->n; s++) any |= in->sums[s].runs[0].order_to_pay.count > 0;
        if (which && !any) continue;
        snprintf(names[n], 64, which ? "order_to_pay" : "paid_per_minute");
        rpt__chart_head(gp, names[n], title, which ? "order to payment (seconds, log scale)" : ax.label,
                        which ? "fraction of paid orders" : "paid orders per minute", which);
        rpt__chart_plot(gp, names[n++], plot);
    }
    return n;
}

/* A parameter study: study.dat (a row per point, labelled by its parameters) and one chart
 * per chosen figure against the point. Returns the number of charts (at most max). */
static int rpt__study_script(FILE *gp, const char *work, const rpt_report_in *in, char names[][64], int max)
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
    fprintf(gp, "# drawn by ordersim; re-run with: gnuplot charts.gp\nset encoding utf8\nset grid\nset key outside right top\n"
                "set datafile missing 'NaN'\nset termoption noenhanced\nset offsets 0.3, 0.3, 0, 0\n");
    int n = 0;
    for (int m = 0; m < c->nmetrics && n < max; m++) {
        char plot[512], title[512];
        snprintf(plot, sizeof plot, "plot 'study.dat' using 1:%d:xticlabels(2) with linespoints lw 2 pt 7 lc rgb '#1f77b4' title '%s'",
                 m + 3, c->metrics[m].name);
        snprintf(names[n], 64, "study_%d", m + 1);
        snprintf(title, sizeof title, "%s - %s against %s", in->title, c->metrics[m].name, xl);
        rpt__chart_head(gp, names[n], title, xl, c->metrics[m].name, false);
        rpt__chart_plot(gp, names[n++], plot);
    }
    return n;
}

/* A sweep: points.dat and three charts (throughput with the bound and the knee, p95, and
 * utilization against offered load). Returns the number of charts. */
static int rpt__capacity_script(FILE *gp, const char *work, const rpt_report_in *in, char names[][64])
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
        fprintf(f, "%.10g %.10g %.10g %.10g %.10g %.10g", c->offered[i], s->mean[RPT_throughput_paid_per_s],
                s->mean[RPT_throughput_completed_per_s], s->mean[RPT_order_to_pay_p50], s->mean[RPT_order_to_pay_p95],
                s->mean[RPT_order_to_pay_p99]);
        for (int k = 0; k < r0->nstations; k++) fprintf(f, " %.10g %.10g", 100 * s->st_mean[k][0], s->st_mean[k][2]);
        for (int k = 0; k < r0->nstations; k++) fprintf(f, " %.10g", s->st_mean[k][RPT_ST_RESPONSE_P95]);
        fprintf(f, "\n");
    }
    if (fclose(f) != 0) return -1;
    fprintf(gp, "# drawn by ordersim; re-run with: gnuplot charts.gp\nset encoding utf8\nset grid\nset key outside right top\n"
                "set datafile missing 'NaN'\nset termoption noenhanced\nset xlabel 'offered load (customers/s)'\n");
    int n = 0;
    char plot[4096], title[512];
    size_t used = 0;
    if (c->knee >= 0)
        fprintf(gp, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 lw 2 lc rgb '#d62728'\n"
                    "set label 1 'knee' at %.10g, graph 0.95 offset 0.5,0 tc rgb '#d62728'\n",
                c->offered[c->knee], c->offered[c->knee], c->offered[c->knee]);
    used = (size_t)snprintf(plot, sizeof plot, "plot x with lines dt 3 lc rgb '#999999' title 'offered = served', "
                            "'points.dat' using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'paid/s', "
                            "'points.dat' using 1:3 with linespoints lw 2 pt 5 lc rgb '#2ca02c' title 'completed/s'");
    if (c->bound_station >= 0 && isfinite(c->bound_min))
        snprintf(plot + used, sizeof plot - used, ", %.10g with lines lw 2 dt 4 lc rgb '#ff7f0e' title 'analytic bound (%s)'",
                 c->bound_min * (in->points[0].sum.mean[RPT_throughput_paid_per_s] / (c->offered[0] > 0 ? c->offered[0] : 1)),
                 r0->st[c->bound_station].name);
    snprintf(names[n], 64, "throughput");
    snprintf(title, sizeof title, "%s - throughput against offered load", in->title);
    rpt__chart_head(gp, names[n], title, "offered load (customers/s)", "orders per second", false);
    rpt__chart_plot(gp, names[n++], plot);
    used = (size_t)snprintf(plot, sizeof plot, "set logscale y\nplot 'points.dat' using 1:5 with linespoints lw 2 pt 7 lc rgb '#d62728' title 'order-to-pay p95'");
    for (int k = 0; k < r0->nstations; k++)
        if (r0->st[k].servers)
            used += (size_t)snprintf(plot + used, sizeof plot - used, ", 'points.dat' using 1:($%d > 0 ? $%d : 1e-3) with linespoints lw 2 title '%s wait p95'",
                                     8 + 2 * k, 8 + 2 * k, r0->st[k].name);
    for (int k = 0; k < r0->nstations; k++)
        if (r0->st[k].servers)
            used += (size_t)snprintf(plot + used, sizeof plot - used, ", 'points.dat' using 1:($%d > 0 ? $%d : 1e-3) with linespoints lw 2 dt 2 title '%s response p95'",
                                     7 + 2 * r0->nstations + k, 7 + 2 * r0->nstations + k, r0->st[k].name);
    snprintf(plot + used, sizeof plot - used, "\nunset logscale y");
    snprintf(names[n], 64, "latency_p95");
    snprintf(title, sizeof title, "%s - p95 latency against offered load (waits shown from 1 ms)", in->title);
    rpt__chart_head(gp, names[n], title, "offered load (customers/s)", "seconds (log scale)", false);
    rpt__chart_plot(gp, names[n++], plot);
    used = (size_t)snprintf(plot, sizeof plot, "set yrange [0:105]\nplot ");
    int lines = 0;
    for (int k = 0; k < r0->nstations; k++) {
        if (!r0->st[k].servers) continue;
        used += (size_t)snprintf(plot + used, sizeof plot - used, "%s'points.dat' using 1:%d with linespoints lw 2 title '%s'",
                                 lines++ ? ", " : "", 7 + 2 * k, r0->st[k].name);
    }
    snprintf(plot + used, sizeof plot - used, "%s\nset autoscale y", lines ? "" : "0 notitle");
    snprintf(names[n], 64, "utilization");
    snprintf(title, sizeof title, "%s - station utilization against offered load", in->title);
    rpt__chart_head(gp, names[n], title, "offered load (customers/s)", "utilization (%)", false);
    rpt__chart_plot(gp, names[n++], plot);
    fprintf(gp, "unset arrow 1\nunset label 1\n");
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

static const char *rpt__fmt(rpt_metric m, double v, char *buf, size_t n)
{
    if (!isfinite(v)) snprintf(buf, n, "-");
    else if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, n, "%.0f", v);
    else if (fabs(v) >= 100) snprintf(buf, n, "%.1f", v);
    else snprintf(buf, n, "%.4g", v);
    (void)m;
    return buf;
}

static void rpt__write_md(FILE *f, const rpt_report_in *in, char names[][64], int ncharts)
{
    fprintf(f, "# ordersim report: ");
    rpt__md(f, in->title);
    fprintf(f, "\n\n");
    if (in->description && *in->description) { rpt__md(f, in->description); fprintf(f, "\n\n"); }
    const rpt_run *r0 = &in->sums[0].runs[0];
    fprintf(f, "- command: `%s`\n- process: %s, seed %llu, replications %d, horizon %.0f s\n\n", in->command ? in->command : "",
            r0->process, (unsigned long long)r0->seed, in->sums[0].n, r0->horizon);
    if (in->conclusion) { fprintf(f, "## Conclusion\n\n%s\n\n", in->conclusion); }
    if (in->cap) {
        fprintf(f, "## %s\n\n```\n", in->cap->load ? "Capacity" : "Parameter study");
        rpt_capacity_write_table(in->cap, in->points, f);
        fprintf(f, "```\n\n");
    }
    fprintf(f, !in->cap ? "## Metrics\n\n| metric | unit |" : in->cap->load ? "## Metrics at the highest load\n\n| metric | unit |"
                                                                : "## Metrics at the last point\n\n| metric | unit |");
    for (int s = 0; s < in->n; s++) fprintf(f, " %s |", in->sums[s].runs[0].strategy);
    fprintf(f, "\n|---|---|");
    for (int s = 0; s < in->n; s++) fprintf(f, "---:|");
    fprintf(f, "\n");
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        fprintf(f, "| %s | %s |", rpt_metric_name((rpt_metric)m), rpt_metric_unit((rpt_metric)m));
        for (int s = 0; s < in->n; s++) {
            char a[64], b[64];
            rpt__fmt((rpt_metric)m, in->sums[s].mean[m], a, sizeof a);
            if (in->sums[s].n > 1 && isfinite(in->sums[s].ci95[m])) fprintf(f, " %s +/- %s |", a, rpt__fmt((rpt_metric)m, in->sums[s].ci95[m], b, sizeof b));
            else fprintf(f, " %s |", a);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n## Stations\n\n| strategy | station | servers | utilization | utilization peak | wait mean (s) | wait p95 (s) | queue max |"
               " response mean (s) | response p95 (s) | response p99 (s) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int s = 0; s < in->n; s++)
        for (int k = 0; k < in->sums[s].runs[0].nstations; k++) {
            const rpt_station *st = &in->sums[s].runs[0].st[k];
            char srv[16];
            if (st->servers) snprintf(srv, sizeof srv, "%d", st->servers);
            else snprintf(srv, sizeof srv, "unlimited");
            const double *m = in->sums[s].st_mean[k];
            fprintf(f, "| %s | %s | %s | %.1f%% | %.1f%% | %.4g | %.4g | %.0f | %.4g | %.4g | %.4g |\n", in->sums[s].runs[0].strategy,
                    st->name, srv, 100 * m[RPT_ST_UTILIZATION], 100 * m[RPT_ST_UTILIZATION_PEAK], m[RPT_ST_WAIT_MEAN],
                    m[RPT_ST_WAIT_P95], m[RPT_ST_QUEUE_MAX], m[RPT_ST_RESPONSE_MEAN], m[RPT_ST_RESPONSE_P95], m[RPT_ST_RESPONSE_P99]);
        }
    fprintf(f, "\n## Invariants\n\n");
    for (int s = 0; s < in->n; s++) {
        fprintf(f, "- %s: %s\n", in->sums[s].runs[0].strategy, in->sums[s].invariants_ok ? "all hold (stock conservation, money conservation, states, no forbidden oversell)" : "VIOLATED");
        for (int i = 0; i < in->sums[s].n; i++)
            for (int v = 0; v < in->sums[s].runs[i].violations.count; v++) { fprintf(f, "  - "); rpt__md(f, in->sums[s].runs[i].violations.msgs[v]); fprintf(f, "\n"); }
    }
    if (in->extra_md) fprintf(f, "\n%s\n", in->extra_md);
    if (ncharts) {
        fprintf(f, "\n## Charts\n\n");
        for (int c = 0; c < ncharts; c++) fprintf(f, "![%s](%s.png)\n\n", names[c], names[c]);
    } else {
        fprintf(f, "\n_Charts were skipped (gnuplot unavailable or failed)._\n");
    }
}

/* Appends the contents of an SVG file without its XML prolog. */
static void rpt__inline_svg(FILE *out, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[8192];
    bool started = false;
    while (fgets(line, sizeof line, f)) {
        if (!started && !strstr(line, "<svg")) continue;
        started = true;
        fputs(line, out);
    }
    fclose(f);
}

static void rpt__write_html(FILE *f, const char *work, const rpt_report_in *in, char names[][64], int ncharts)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ordersim: ");
    rpt__html(f, in->title);
    fprintf(f, "</title>\n<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
               "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}td.n{text-align:right}"
               "th{background:#f3f3f3}.ok{color:#2a7}.bad{color:#c22;font-weight:bold}svg{max-width:100%%;height:auto}</style></head><body>\n");
    fprintf(f, "<h1>ordersim report: ");
    rpt__html(f, in->title);
    fprintf(f, "</h1>\n<p>");
    rpt__html(f, in->description ? in->description : "");
    fprintf(f, "</p>\n<p><code>");
    rpt__html(f, in->command ? in->command : "");
    fprintf(f, "</code></p>\n");
    if (in->conclusion) {
        fprintf(f, "<h2>Conclusion</h2>\n<pre style=\"white-space:pre-wrap;font-family:inherit\">");
        rpt__html(f, in->conclusion);
        fprintf(f, "</pre>\n");
    }
    if (in->extra_md) {   /* compare's verdict table: the same text report.md shows */
        fprintf(f, "<h2>Details</h2>\n<pre>");
        rpt__html(f, in->extra_md);
        fprintf(f, "</pre>\n");
    }
    if (in->cap) {
        fprintf(f, "<h2>%s</h2>\n<pre>", in->cap->load ? "Capacity" : "Parameter study");
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        if (mem) {
            rpt_capacity_write_table(in->cap, in->points, mem);
            fclose(mem);
            rpt__html(f, buf);
            free(buf);
        }
        fprintf(f, "</pre>\n");
    }
    fprintf(f, "<h2>Metrics</h2>\n<table><tr><th>metric</th><th>unit</th>");
    for (int s = 0; s < in->n; s++) { fprintf(f, "<th>"); rpt__html(f, in->sums[s].runs[0].strategy); fprintf(f, "</th>"); }
    fprintf(f, "</tr>\n");
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        fprintf(f, "<tr><td>%s</td><td>%s</td>", rpt_metric_name((rpt_metric)m), rpt_metric_unit((rpt_metric)m));
        for (int s = 0; s < in->n; s++) {
            char a[64], b[64];
            rpt__fmt((rpt_metric)m, in->sums[s].mean[m], a, sizeof a);
            if (in->sums[s].n > 1 && isfinite(in->sums[s].ci95[m])) fprintf(f, "<td class=n>%s &plusmn; %s</td>", a, rpt__fmt((rpt_metric)m, in->sums[s].ci95[m], b, sizeof b));
            else fprintf(f, "<td class=n>%s</td>", a);
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table>\n<h2>Invariants</h2>\n<ul>");
    for (int s = 0; s < in->n; s++) {
        fprintf(f, "<li>");
        rpt__html(f, in->sums[s].runs[0].strategy);
        fprintf(f, ": <span class=%s>%s</span></li>", in->sums[s].invariants_ok ? "ok" : "bad", in->sums[s].invariants_ok ? "all hold" : "VIOLATED");
    }
    fprintf(f, "</ul>\n<h2>Charts</h2>\n");
    if (!ncharts) fprintf(f, "<p><em>Charts were skipped (gnuplot unavailable or failed).</em></p>\n");
    for (int c = 0; c < ncharts; c++) {
        char path[2400];
        snprintf(path, sizeof path, "%s/%s.svg", work, names[c]);
        fprintf(f, "<figure>\n");
        rpt__inline_svg(f, path);
        fprintf(f, "</figure>\n");
    }
    fprintf(f, "</body></html>\n");
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

os_status rpt_report_write(const char *dir, const rpt_report_in *in, int *charts, os_diag *diag)
{
    *charts = 0;
    /* The report is built in a work directory beside `dir` (same file system) and put in
     * place with one rename: readers see the old report or the new, never a mix. */
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
    char target[1100];
    snprintf(target, sizeof target, "%s/%s", parent, base);
    if (rpt_mkdirs(target, true) != 0) {
        os_diag_add(diag, "%s: cannot create the report directory: %s", dir, strerror(errno));
        return OS_EIO;
    }
    struct stat tsb;
    if (lstat(target, &tsb) == 0) {
        char found[256];
        if (!S_ISDIR(tsb.st_mode)) {
            os_diag_add(diag, "%s: exists and is not a directory; it was left untouched", dir);
            return OS_EIO;
        }
        if (!rpt__replaceable(target, found, sizeof found)) {
            os_diag_add(diag, "%s: exists and is not an ordersim report directory ('%s'); it was left untouched: "
                        "choose another --out", dir, found);
            return OS_EIO;
        }
    }
    char work[1100], aside[1100];
    snprintf(work, sizeof work, "%s/.%s.work-XXXXXX", parent, base);
    snprintf(aside, sizeof aside, "%s/.%s.old-%ld", parent, base, (long)getpid());
    pthread_mutex_lock(&rpt__live_mu);
    bool made = !rpt__aborted && mkdtemp(work) != NULL;
    int made_errno = errno;
    if (made) snprintf(rpt__live_work, sizeof rpt__live_work, "%s", work);
    pthread_mutex_unlock(&rpt__live_mu);
    if (!made) {
        os_diag_add(diag, "%s: cannot create the report directory (nor its work directory beside it): %s", dir,
                    strerror(made_errno));
        return OS_EIO;
    }
    os_status st = OS_OK;
    char names[16][64];
    int n = 0;
    rpt__ax ax = rpt__axis(in->sums[0].runs[0].horizon);
    for (int s = 0; s < in->n && !in->cap; s++)
        if (rpt__data(work, s, &in->sums[s].runs[0], ax.div) != 0) {
            os_diag_add(diag, "%s: cannot write chart data: %s", dir, strerror(errno));
            st = OS_EIO;
            goto cleanup;
        }
    char path[2400];
    snprintf(path, sizeof path, "%s/charts.gp", work);
    FILE *gp = fopen(path, "w");
    if (!gp) { os_diag_add(diag, "%s: %s", path, strerror(errno)); st = OS_EIO; goto cleanup; }
    n = !in->cap ? rpt__script(gp, in, names, 16) : in->cap->load ? rpt__capacity_script(gp, work, in, names)
                                                        : rpt__study_script(gp, work, in, names, 16);
    if (n < 0) { fclose(gp); os_diag_add(diag, "%s: cannot write chart data", dir); st = OS_EIO; goto cleanup; }
    if (fclose(gp) != 0) { os_diag_add(diag, "%s: write failed", path); st = OS_EIO; goto cleanup; }
    if (rpt__gnuplot(work, diag) == 0) {
        int ok = 0;
        for (int c = 0; c < n; c++) {
            struct stat sb;
            char p2[2400];
            snprintf(p2, sizeof p2, "%s/%s.png", work, names[c]);
            bool png = stat(p2, &sb) == 0 && sb.st_size > 0;
            snprintf(p2, sizeof p2, "%s/%s.svg", work, names[c]);
            if (png && stat(p2, &sb) == 0 && sb.st_size > 0) memmove(names[ok++], names[c], sizeof names[c]);
        }
        if (ok < n) os_diag_add(diag, "note: gnuplot drew %d of %d charts", ok, n);
        n = ok;
    } else {
        n = 0;
    }
    *charts = n;
    snprintf(path, sizeof path, "%s/report.md", work);
    FILE *md = fopen(path, "w");
    if (!md) { os_diag_add(diag, "%s: %s", path, strerror(errno)); st = OS_EIO; goto cleanup; }
    rpt__write_md(md, in, names, n);
    if (fclose(md) != 0) { os_diag_add(diag, "%s: write failed (disk full?)", path); st = OS_EIO; goto cleanup; }
    snprintf(path, sizeof path, "%s/report.html", work);
    FILE *html = fopen(path, "w");
    if (!html) { os_diag_add(diag, "%s: %s", path, strerror(errno)); st = OS_EIO; goto cleanup; }
    rpt__write_html(html, work, in, names, n);
    if (fclose(html) != 0) { os_diag_add(diag, "%s: write failed (disk full?)", path); st = OS_EIO; goto cleanup; }
    snprintf(path, sizeof path, "%s/" RPT_REPORT_MARKER, work);
    FILE *mk = fopen(path, "w");
    if (!mk || fputs("written by ordersim; this directory is replaced as a whole by the next report\n", mk) < 0 ||
        fclose(mk) != 0) {
        os_diag_add(diag, "%s: write failed (disk full?)", path);
        st = OS_EIO;
        goto cleanup;
    }
    /* mkdtemp made it private (0700); a report is as readable as any new directory. */
    mode_t mask = umask(022);
    umask(mask);
    chmod(work, 0777 & ~mask);
    st = rpt__install(work, target, aside, diag);
cleanup:
    /* On failure nothing at `dir` changed; whatever is left at `work` (the failed attempt, or
     * the previous report after an exchange) is removed. */
    pthread_mutex_lock(&rpt__live_mu);
    if (!rpt__aborted) {
        rpt__rmflat(work);
        rpt__live_work[0] = '\0';
    }
    pthread_mutex_unlock(&rpt__live_mu);
    return st;
}

int rpt_gnuplot_run(const char *dir, os_diag *diag) { return rpt__gnuplot(dir, diag); }
void rpt_inline_svg(FILE *out, const char *path) { rpt__inline_svg(out, path); }
void rpt_html_text(FILE *out, const char *s) { rpt__html(out, s); }
