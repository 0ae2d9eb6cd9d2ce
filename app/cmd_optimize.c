/*
 * cmd_optimize.c — `ordersim optimize SCENARIO --param PATH=SPEC ... --objective max:FIGURE`:
 * the best setting under constraints, with the statistics of reports/rpt_optimize.h.
 *
 * Candidates are the grid of the --param values (as in sweep; `--strategy all` adds the
 * strategy as a categorical parameter). Replication r of every candidate uses seed + r
 * (common random numbers, as in sweep). Looks follow a schedule fixed before any data:
 * n0 replications for every candidate, then doubling up to --replications (default 32);
 * only candidates still alive get more. Every run is recorded in the results DB under one
 * optimize id (batch), with the candidate as sweep point; `--resume ID` replays the looks
 * from the recorded runs and runs only what is missing, so an interrupted optimize ends
 * as an uninterrupted one would have. The run budget counts every complete run of the id
 * and is never exceeded: a look that would pass it gives each alive candidate as many
 * replications as the budget allows, equally.
 */
#include "cli.h"
#include "rpt_report.h"
#include "pth.h"
#include "cmd_common.h"
#include "rpt_db.h"
#include "rpt_optimize.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPT_MAX_CAND 1024
#define OPT_MAX_PARAMS 9     /* 8 --param and the strategy of --strategy all */

/* A figure the search reads from each run: a scenario figure, or a swept parameter's value. */
typedef struct opt__fig {
    rpt_ref ref;        /* when param < 0 */
    int     param;      /* index of the --param whose value is the figure, or -1 */
} opt__fig;

typedef struct opt__ctx {
    const cli_opts  *o;
    rpt_opt_problem  p;
    opt__fig         fig[RPT_OPT_MAX_FIG];
    cmd_param       *params;
    int              nparams;
    double          *pval;      /* ncand x nparams numeric values (NAN when not a number) */
    rpt_opt_cand    *c;
    scn_scenario   **scn;       /* per candidate */
    int              spent;     /* complete runs recorded under the id */
    int              budget_runs;   /* --budget in runs, 0 when none */
    int              cap_runs;      /* the search's cap: budget_runs, or the recorded runs when rebuilding */
    double           budget_seconds;
    double           run_seconds; /* wall time of the runs this invocation did */
    int              ran;       /* runs this invocation did */
    bool             rebuild;   /* report --optimize: never run, only replay */
    int              rmax;      /* most replications per candidate */
    cli_budget       est;       /* the candidates' cost, each at rmax replications */
} opt__ctx;

static double opt__now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The figure's value in one run (NAN when the run has no such station or a null metric). */
static double opt__value(const opt__ctx *x, int cand, const rpt_run *r, int k)
{
    const opt__fig *f = &x->fig[k];
    if (f->param >= 0) return x->pval[(size_t)cand * (size_t)x->nparams + (size_t)f->param];
    return rpt_ref_run_value(r, &f->ref);
}

/* Resolves a figure name: a swept parameter's path, else a metric or stations.NAME.FIGURE.
 * Prints a positioned message and returns false when it is neither. */
static bool opt__figure(opt__ctx *x, const char *flag, const char *text, const char *name, int col0, opt__fig *f)
{
    f->param = -1;
    for (int i = 0; i < x->nparams; i++)
        if (strcmp(x->params[i].path, name) == 0) { f->param = i; return true; }
    char err[512];
    int col = 0;
    if (rpt_ref_parse(name, scn_station_names, SCN_STATIONS, &f->ref, err, sizeof err, &col)) return true;
    fprintf(stderr, "ordersim: %s '%s': column %d: %s (or a --param path)\n  %s\n  %*s^\n", flag, text, col0 + col + 1, err, text,
            col0 + col, "");
    return false;
}

/* Parses --objective, --subject-to, --budget and --delta into the problem. */
static int opt__parse_goals(opt__ctx *x)
{
    const cli_opts *o = x->o;
    rpt_opt_problem *p = &x->p;
    p->nobj = o->nobjectives;
    for (int k = 0; k < o->nobjectives; k++) {
        const char *t = o->objectives[k];
        if (strncmp(t, "max:", 4) == 0) p->sense[k] = 1;
        else if (strncmp(t, "min:", 4) == 0) p->sense[k] = -1;
        else {
            fprintf(stderr, "ordersim optimize: bad --objective '%s': expected max:FIGURE or min:FIGURE\n", t);
            return CLI_USAGE;
        }
        if (strlen(t + 4) >= sizeof p->obj_name[k]) { fprintf(stderr, "ordersim optimize: --objective '%s' is too long\n", t); return CLI_USAGE; }
        snprintf(p->obj_name[k], sizeof p->obj_name[k], "%s", t + 4);
        if (!opt__figure(x, "--objective", t, t + 4, 4, &x->fig[k])) return CLI_DATA;
    }
    p->ncons = o->nsubject_to;
    for (int j = 0; j < o->nsubject_to; j++) {
        const char *t = o->subject_to[j];
        rpt_cond cond;
        char err[512];
        int col = 0;
        if (!rpt_cond_parse(t, scn_station_names, SCN_STATIONS, &cond, err, sizeof err, &col)) {
            fprintf(stderr, "ordersim: --subject-to '%s': column %d: %s\n  %s\n  %*s^\n", t, col + 1, err, t, col, "");
            return CLI_DATA;
        }
        if (cond.op == CND_EQ || cond.op == CND_NE) {
            fprintf(stderr, "ordersim optimize: --subject-to '%s': use <, <=, >= or > (an interval cannot show == or !=)\n", t);
            return CLI_USAGE;
        }
        p->cons_op[j] = cond.op;
        p->cons_value[j] = cond.value;
        snprintf(p->cons_name[j], sizeof p->cons_name[j], "%s", cond.name);
        x->fig[p->nobj + j] = (opt__fig){ .ref = cond.ref, .param = -1 };
    }
    p->alpha = 0.05;
    if (o->delta) {
        char *end;
        errno = 0;
        p->delta = strtod(o->delta, &end);
        if (end == o->delta || *end || errno || !(p->delta >= 0) || !isfinite(p->delta)) {
            fprintf(stderr, "ordersim optimize: bad --delta '%s': expected a number >= 0 in the objective's unit\n", o->delta);
            return CLI_USAGE;
        }
    }
    if (o->opt_budget) {
        char *end;
        errno = 0;
        double v = strtod(o->opt_budget, &end);
        double unit = !*end ? 0 : strcmp(end, "s") == 0 ? 1 : strcmp(end, "m") == 0 ? 60 : strcmp(end, "h") == 0 ? 3600 : -1;
        if (end == o->opt_budget || errno || !(v > 0) || unit < 0 || (unit == 0 && (v != floor(v) || v > 1e9))) {
            fprintf(stderr, "ordersim optimize: bad --budget '%s': expected a number of runs (e.g. 200) or a duration (30s, 5m, 1h)\n", o->opt_budget);
            return CLI_USAGE;
        }
        if (unit == 0) x->budget_runs = (int)v;
        else x->budget_seconds = v * unit;
    }
    return CLI_OK;
}

/* Builds the candidates: the grid of --param values (last varies fastest), each loaded as
 * a scenario with the values as --set edits. */
static int opt__candidates(opt__ctx *x, int *ncand)
{
    const cli_opts *o = x->o;
    int n = 1;
    for (int i = 0; i < x->nparams; i++) {
        n *= x->params[i].n;
        if (n > OPT_MAX_CAND) {
            fprintf(stderr, "ordersim optimize: at most %d candidates\n", OPT_MAX_CAND);
            return CLI_USAGE;
        }
    }
    *ncand = n;
    x->c = xcalloc((size_t)n, sizeof *x->c);
    x->scn = xcalloc((size_t)n, sizeof *x->scn);
    x->pval = xcalloc((size_t)n * (size_t)(x->nparams ? x->nparams : 1), sizeof *x->pval);
    cli_opts po = *o;
    po.no_warnings = true;   /* the base scenario's warnings were printed once */
    po.budget = &x->est;     /* one estimate for the whole optimize (opt__check_cost) */
    po.replications = x->rmax;
    po.runs_per_replication = 1;
    int rc = CLI_OK;
    for (int cand = 0; cand < n; cand++) {
        rpt_opt_cand_init(&x->c[cand]);
        int rem = cand;
        int vi[OPT_MAX_PARAMS];
        for (int i = x->nparams - 1; i >= 0; i--) {
            vi[i] = rem % x->params[i].n;
            rem /= x->params[i].n;
        }
        char assign[OPT_MAX_PARAMS][320];
        size_t used = 0;
        for (int i = 0; i < x->nparams; i++) {
            const char *v = x->params[i].values[vi[i]];
            snprintf(assign[i], sizeof assign[i], "%s=%s", x->params[i].path, v);
            used += (size_t)snprintf(x->c[cand].params + used, used < 256 ? 256 - used : 0, "%s%s", i ? "," : "", assign[i]);
            char *end;
            double d = strtod(v, &end);
            x->pval[(size_t)cand * (size_t)x->nparams + (size_t)i] = end != v && !*end ? d : NAN;
            if (po.nsets < CLI_MAX_SETS) po.sets[po.nsets++] = assign[i];
        }
        if (!rc) rc = cli_load(o->args[0], &po, &x->scn[cand]);
        po.nsets = o->nsets;
    }
    for (int k = 0; k < x->p.nobj && !rc; k++)
        if (x->fig[k].param >= 0)
            for (int cand = 0; cand < n; cand++)
                if (!isfinite(x->pval[(size_t)cand * (size_t)x->nparams + (size_t)x->fig[k].param])) {
                    fprintf(stderr, "ordersim optimize: --objective %s: the parameter's value in candidate %d (%s) is not a number\n",
                            x->p.obj_name[k], cand, x->c[cand].params);
                    return CLI_USAGE;
                }
    return rc;
}

/* Stores one finished run's figures in its candidate. */
static void opt__store(opt__ctx *x, int cand, const rpt_run *r)
{
    double row[RPT_OPT_MAX_FIG];
    int w = x->p.nobj + x->p.ncons;
    for (int k = 0; k < w; k++) row[k] = opt__value(x, cand, r, k);
    rpt_opt_cand_set(&x->c[cand], r->replication, row, w);
}

/* Loads the complete runs recorded under `id` (for --resume). A run of another candidate
 * text than this invocation's is refused: the arguments differ. The same (candidate,
 * replication) twice keeps the first. */
static int opt__load(opt__ctx *x, const char *id)
{
    os_diag d;
    os_diag_init(&d);
    rpt_db *db = NULL;
    int64_t *ids = NULL;
    int n = 0, rc = CLI_OK;
    /* a resume writes next (and may need an older schema upgraded); a rebuild only reads */
    rpt_db_mode mode = x->rebuild ? RPT_DB_READ : RPT_DB_WRITE;
    if ((rc = cli_db_open(x->o, x->o->db, mode, &db)) == CLI_OK && rpt_db_batch_runs(db, id, &ids, &n, &d) != OS_OK) rc = CLI_IO;
    _Static_assert(OPT_MAX_CAND <= RPT_DB_MAX_POINTS, "a recorded candidate is read back in the range optimize has");
    for (int i = 0; i < n && !rc; i++) {
        rpt_run r;
        rpt_run_init(&r);
        os_status lst = rpt_db_load(db, ids[i], &r, NULL, &d);
        if (lst != OS_OK) rc = os_exit_code(lst);
        else if (r.sweep_point < 0 || r.sweep_point >= x->p.ncand || strcmp(r.sweep_params, x->c[r.sweep_point].params) != 0) {
            fprintf(stderr, "ordersim optimize: run %lld of %s is candidate %d (%s), not one of this command's candidates: "
                    "--resume needs the same scenario, --param, --objective, --subject-to and --seed\n",
                    (long long)ids[i], id, r.sweep_point, r.sweep_params);
            rc = CLI_USAGE;
        } else {
            rpt_opt_cand *c = &x->c[r.sweep_point];
            if (r.replication < c->cap && c->have[r.replication])
                fprintf(stderr, "note: %s candidate %d replication %d was recorded more than once: kept the first\n", id,
                        r.sweep_point, r.replication);
            else {
                opt__store(x, r.sweep_point, &r);
                x->spent++;
            }
        }
        rpt_run_fini(&r);
    }
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    free(ids);
    rpt_db_close(db);
    if (!rc && n == 0) {
        fprintf(stderr, "ordersim optimize: no complete runs of '%s' in %s to resume\n", id, x->o->db);
        rc = CLI_USAGE;
    }
    return rc;
}

/* The number of contiguous replications a candidate has, from 0. */
static int opt__have(const rpt_opt_cand *c)
{
    int n = 0;
    while (n < c->cap && c->have[n]) n++;
    return n;
}

/* Runs that bringing every alive candidate to `target` replications costs. */
static int opt__cost(const opt__ctx *x, int target)
{
    int cost = 0;
    for (int i = 0; i < x->p.ncand; i++) {
        const rpt_opt_cand *c = &x->c[i];
        if (c->state != RPT_OPT_ALIVE) continue;
        for (int r = 0; r < target; r++) cost += !(r < c->cap && c->have[r]);
    }
    return cost;
}

/* Runs the missing (candidate, replication) units up to `target` for alive candidates
 * (with a shard, only every shard_n-th unit), recording each. */
static int opt__run(opt__ctx *x, cli_rec *rec, const char *id, int target, int shard_k, int shard_n)
{
    int total = opt__cost(x, target), m = 0, u = 0;
    if (!total) return CLI_OK;
    cli_unit *units = xcalloc((size_t)total, sizeof *units);
    rpt_run *runs = xcalloc((size_t)total, sizeof *runs);
    uint64_t seed = cli_seed(x->o, x->scn[0]);
    for (int i = 0; i < x->p.ncand; i++) {
        rpt_opt_cand *c = &x->c[i];
        if (c->state != RPT_OPT_ALIVE) continue;
        for (int r = 0; r < target; r++) {
            if (r < c->cap && c->have[r]) continue;
            if (u++ % shard_n != shard_k - 1) continue;
            units[m] = (cli_unit){ x->scn[i], x->o->strategy, seed + (uint64_t)r, r, i, c->params, &runs[m], OS_OK };
            m++;
        }
    }
    double t0 = opt__now();
    int lrc = cli_run_units(units, m, x->o, rec, id);
    x->run_seconds += opt__now() - t0;
    x->ran += m;
    if (lrc) {   /* a run stopped by the loop guard has no results: nothing to rank */
        for (int k = 0; k < m; k++) rpt_run_fini(&runs[k]);
        free(units);
        free(runs);
        return lrc;
    }
    bool ok = true;
    for (int k = 0; k < m; k++) {
        ok &= runs[k].invariants_ok;
        opt__store(x, units[k].point, &runs[k]);
        rpt_run_fini(&runs[k]);
    }
    x->spent += m;
    free(units);
    free(runs);
    if (!ok) {
        fprintf(stderr, "ordersim optimize: invariants violated in a run\n");
        return CLI_INTERNAL;
    }
    return CLI_OK;
}

typedef void (*opt__writer)(const rpt_opt_problem *, const rpt_opt_cand *, const rpt_opt_info *, FILE *);

/* Writes dir/name through a fresh temporary file (O_EXCL, so a planted symlink is never
 * followed) renamed into place, so a good report is never replaced by a half-written one.
 * Returns 0, or -1 with a message printed. */
static int opt__write(const char *dir, const char *name, opt__writer w, const rpt_opt_problem *p, const rpt_opt_cand *c,
                      const rpt_opt_info *info)
{
    char tmp[1200], path[1200];
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = mkstemp(tmp);
    if (fd >= 0) (void)fchmod(fd, 0644);   /* a report, readable like the others */
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "ordersim optimize: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0) { close(fd); unlink(tmp); }
        return -1;
    }
    w(p, c, info, f);
    bool ok = !ferror(f);
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "ordersim optimize: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static uint64_t opt__fnv(uint64_t h, const char *t)
{
    for (; *t; t++) h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
    return (h ^ 0x1f) * 0x100000001b3ULL;
}

/* The search: looks on the fixed schedule until settled, out of looks or out of budget.
 * Writes why it stopped into `stopped`. */
static int opt__search(opt__ctx *x, cli_rec *rec, const char *id, int n0, int rmax, int shard_k, int shard_n,
                       int *looks_done, const char **stopped)
{
    double t0 = opt__now();
    int target = n0, rc = CLI_OK;
    *stopped = "the planned looks are used up (every alive candidate has --replications replications)";
    for (int look = 1; look <= x->p.looks; look++) {
        if (look > 1 && x->budget_seconds > 0 && x->ran > 0) {
            /* do not start a look the time budget cannot pay for (estimated from this
             * invocation's runs) */
            double each = x->run_seconds / x->ran / (x->o->jobs > 0 ? x->o->jobs : 1);
            if (opt__now() - t0 + each * opt__cost(x, target) > x->budget_seconds) { *stopped = "the time budget is used up"; break; }
        }
        int t = target;
        if (x->cap_runs > 0)
            while (t > 0 && x->spent + opt__cost(x, t) > x->cap_runs) t--;
        bool short_look = t < target;
        int have_min = INT32_MAX;
        for (int i = 0; i < x->p.ncand; i++)
            if (x->c[i].state == RPT_OPT_ALIVE && opt__have(&x->c[i]) < have_min) have_min = opt__have(&x->c[i]);
        if (short_look && t <= have_min) {
            *stopped = x->rebuild ? "rebuilt from the recorded runs; the search had not finished (continue it with --resume)"
                                  : "the run budget is used up";
            break;
        }
        if ((rc = opt__run(x, rec, id, t, shard_k, shard_n))) return rc;
        if (shard_n > 1) { *stopped = "shard: only the first look runs; merge the shards and --resume"; *looks_done = 1; return CLI_OK; }
        /* each candidate's data for this look: what it has up to the look's size (a replayed
         * look must see what the original saw, not later replications) */
        for (int i = 0; i < x->p.ncand; i++) {
            int h = opt__have(&x->c[i]);
            if (x->c[i].state == RPT_OPT_ALIVE) x->c[i].n = h < t ? h : t;
        }
        rpt_opt_update(&x->p, x->c, look);
        *looks_done = look;
        if (rpt_opt_settled(&x->p, x->c)) { *stopped = "settled: more replications cannot change the answer"; break; }
        if (short_look) {
            *stopped = x->rebuild ? "rebuilt from the recorded runs; the search had not finished (continue it with --resume)"
                                  : "the run budget is used up";
            break;
        }
        target = target * 2 < rmax ? target * 2 : rmax;
    }
    return rc;
}

/* The arguments that define an optimize (not where it writes or how fast), as tokens
 * separated by \x1e, for `report --optimize ID`. The scenario path is made absolute. */
static char *opt__args_text(const cli_opts *o)
{
    size_t cap = 4096, len = 0;
    char *buf = xcalloc(cap, 1);
    char path[4096], cwd[2048];
    const char *scn = o->args[0];
    if (scn[0] != '/' && getcwd(cwd, sizeof cwd)) {
        snprintf(path, sizeof path, "%s/%s", cwd, scn);
        scn = path;
    }
    const char *tok[2 * (CLI_MAX_SETS + 8 + 2 + 8 + 6) + 1];
    char num[2][32];
    int n = 0;
    tok[n++] = scn;
    for (int i = 0; i < o->nsets; i++) { tok[n++] = "--set"; tok[n++] = o->sets[i]; }
    for (int i = 0; i < o->nparams; i++) { tok[n++] = "--param"; tok[n++] = o->params[i]; }
    for (int i = 0; i < o->nobjectives; i++) { tok[n++] = "--objective"; tok[n++] = o->objectives[i]; }
    for (int i = 0; i < o->nsubject_to; i++) { tok[n++] = "--subject-to"; tok[n++] = o->subject_to[i]; }
    if (o->has_seed) { snprintf(num[0], sizeof num[0], "%llu", (unsigned long long)o->seed); tok[n++] = "--seed"; tok[n++] = num[0]; }
    if (o->has_replications) { snprintf(num[1], sizeof num[1], "%d", o->replications); tok[n++] = "--replications"; tok[n++] = num[1]; }
    if (o->delta) { tok[n++] = "--delta"; tok[n++] = o->delta; }
    if (o->strategy_all || o->strategy) { tok[n++] = "--strategy"; tok[n++] = o->strategy_all ? "all" : o->strategy; }
    if (o->force) tok[n++] = "--force";
    if (o->opt_budget) { tok[n++] = "--budget"; tok[n++] = o->opt_budget; }
    for (int i = 0; i < n; i++) {
        size_t l = strlen(tok[i]);
        while (len + l + 2 > cap) { cap *= 2; buf = realloc(buf, cap); OS_ASSERT(buf); }
        memcpy(buf + len, tok[i], l);
        len += l;
        buf[len++] = i + 1 < n ? '\x1e' : '\0';
    }
    buf[len] = '\0';
    return buf;
}

static int opt__main(cli_opts *o, bool rebuild);

/* The command line as the report shows it: every argument that defines the optimize,
 * values with spaces or shell characters single-quoted. */
static void opt__command(const cli_opts *o, const char *file, char *buf, size_t n)
{
    char *args = opt__args_text(o);
    size_t used = (size_t)snprintf(buf, n, "ordersim optimize %s", file);
    char *save = NULL, *t = strtok_r(args, "\x1e", &save);   /* the first token is the scenario */
    while ((t = strtok_r(NULL, "\x1e", &save)) && used < n) {
        bool quote = t[strcspn(t, " <>'()[]{}*?$;&|\"")] != '\0';
        used += (size_t)snprintf(buf + used, n - used, quote ? " '%s'" : " %s", t);
    }
    free(args);
}

/* One cost estimate for the whole optimize, checked against the limits (CLI_LIMIT_HOURS,
 * CLI_LIMIT_BYTES; --force passes them). x->est holds every candidate at rmax replications,
 * the most the search can run; it is cut to the runs it can actually make: a run budget,
 * a time budget (at min(--jobs, CPUs) threads), or a shard's share of the first look. Run
 * records are held one look at a time, so memory counts the largest look only. */
static int opt__check_cost(const opt__ctx *x, int ncand, int n0, int shard_n)
{
    cli_budget b = x->est;
    double full = (double)ncand * x->rmax, runs = full;
    if (shard_n > 1) runs = (double)ncand * n0 / shard_n;
    if (x->budget_runs > 0 && x->budget_runs < runs) runs = x->budget_runs;
    if (x->budget_seconds > 0 && b.seconds > 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        double threads = x->o->jobs > 1 ? x->o->jobs : 1;
        if (cpus > 0 && threads > (double)cpus) threads = (double)cpus;
        double fit = full * x->budget_seconds * threads / b.seconds;   /* runs the time budget pays for */
        if (fit < runs) runs = fit > ncand * 2.0 ? fit : ncand * 2.0;
    }
    double share = runs / full, look = (double)n0;   /* the largest look, in replications */
    for (int n = n0; n < x->rmax;) {
        int next = n * 2 < x->rmax ? n * 2 : x->rmax;
        if (next - n > look) look = next - n;
        n = next;
    }
    double held = (double)ncand * look / full;
    if (held > share) held = share;
    b.runs *= share, b.events *= share, b.seconds *= share, b.series_rows *= share;
    b.ledger_rows *= share, b.text_bytes *= share, b.db_bytes *= share;
    b.held_bytes *= held;
    return cli_budget_check(&b, x->o, x->o->args[0]);
}

static int cmd_optimize(cli_opts *o) { return opt__main(o, false); }

int cmd_optimize_report(cli_opts *o, const char *id)
{
    os_diag d;
    os_diag_init(&d);
    rpt_db *db = NULL;
    char *text = NULL, key[64];
    snprintf(key, sizeof key, "optimize:%.40s", id);
    int orc = cli_db_open(o, o->db, RPT_DB_READ, &db);
    if (orc) {
        os_diag_fini(&d);
        return orc;
    }
    os_status st = rpt_db_meta_get(db, key, &text, &d);
    rpt_db_close(db);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    if (st == OS_ENOTFOUND) {
        fprintf(stderr, "ordersim report: no optimize '%s' in %s\n", id, o->db);
        return CLI_USAGE;
    }
    if (st != OS_OK) return CLI_IO;
    char *argv[2 * (CLI_MAX_SETS + 8 + 2 + 8 + 6) + 1];
    int argc = 0;
    for (char *save = NULL, *t = strtok_r(text, "\x1e", &save); t && argc < (int)(sizeof argv / sizeof argv[0]); t = strtok_r(NULL, "\x1e", &save))
        argv[argc++] = t;
    cli_opts r;
    int rc = cli_parse(&cmd_optimize_entry, argc, argv, &r);
    if (!rc) {
        r.db = o->db;
        r.out = o->out;
        r.json = o->json;
        r.quiet = o->quiet;
        r.no_report = o->no_report;
        r.resume = id;
        rc = opt__main(&r, true);
    }
    free(text);
    return rc;
}

static int opt__main(cli_opts *o, bool rebuild)
{
    if (o->nargs != 1 || (o->nparams < 1 && !o->strategy_all) || o->nobjectives < 1) {
        fprintf(stderr, "ordersim optimize: expected SCENARIO.json, at least one --param PATH=SPEC (or --strategy all) "
                        "and --objective max:FIGURE|min:FIGURE\n");
        return CLI_USAGE;
    }
    opt__ctx x = { .o = o, .rebuild = rebuild };
    int rc = CLI_OK, ncand = 0;
    x.params = xcalloc(OPT_MAX_PARAMS, sizeof *x.params);
    char why[200];
    for (int i = 0; i < o->nparams; i++)
        if (!cmd_param_parse(o->params[i], &x.params[x.nparams++], why, sizeof why)) {
            fprintf(stderr, "ordersim optimize: bad --param '%.80s%s': %s\n", o->params[i], strlen(o->params[i]) > 80 ? "..." : "", why);
            free(x.params);
            return CLI_USAGE;
        }
    if (o->strategy_all) {
        cmd_param *sp = &x.params[x.nparams++];
        snprintf(sp->path, sizeof sp->path, "inventory.strategy");
        for (const inv_strategy *const *st = inv_strategies(); *st && sp->n < CMD_PARAM_MAX_VALUES; st++)
            snprintf(sp->values[sp->n++], sizeof sp->values[0], "%s", (*st)->name);
    }
    if (!cmd_param_fits(x.params, x.nparams, o->nsets, why, sizeof why)) {
        fprintf(stderr, "ordersim optimize: %s\n", why);
        free(x.params);
        return CLI_USAGE;
    }
    int shard_k = 1, shard_n = 1;
    if (o->shard) {
        char extra;
        if (sscanf(o->shard, "%d/%d%c", &shard_k, &shard_n, &extra) != 2 || shard_n < 1 || shard_k < 1 || shard_k > shard_n) {
            fprintf(stderr, "ordersim optimize: bad --shard '%s': expected K/N with 1 <= K <= N\n", o->shard);
            free(x.params);
            return CLI_USAGE;
        }
    }
    if ((rc = opt__parse_goals(&x))) { free(x.params); return rc; }
    x.cap_runs = x.budget_runs;
    int rmax = o->has_replications ? o->replications : 32;
    if (rmax < 2) {
        fprintf(stderr, "ordersim optimize: --replications is the most per candidate and must be at least 2 (intervals need 2)\n");
        free(x.params);
        return CLI_USAGE;
    }
    x.rmax = rmax;
    scn_scenario *base = NULL;
    if (o->strategy_all) o->warn_all_strategies = true;   /* warnings assume every strategy runs */
    cli_budget base_cost = { 0 };   /* the base scenario is never run: its cost is not counted */
    cli_opts bo = *o;
    bo.budget = &base_cost;
    if ((rc = cli_load(o->args[0], &bo, &base))) { free(x.params); return rc; }
    if ((rc = opt__candidates(&x, &ncand))) goto out;
    x.p.ncand = ncand;
    /* the schedule: n0 for every candidate, then doubling up to rmax; fixed before any data */
    int n0 = rmax < 3 ? rmax : 3;
    if (x.budget_runs > 0 && x.budget_runs < 3 * ncand) n0 = 2;
    if (x.budget_runs > 0 && x.budget_runs < 2 * ncand) {
        fprintf(stderr, "ordersim optimize: a budget of %d runs cannot give %d candidates the 2 replications each needs for an "
                        "interval: raise --budget to at least %d or narrow the --param values\n", x.budget_runs, ncand, 2 * ncand);
        rc = CLI_USAGE;
        goto out;
    }
    x.p.looks = 1;
    for (int n = n0; n < rmax; n = n * 2 < rmax ? n * 2 : rmax) x.p.looks++;
    if (!rebuild && (rc = opt__check_cost(&x, ncand, n0, shard_n))) goto out;

    /* The id: a hash of everything that defines the candidates and the decisions (not the
     * budget, so a resume may extend it). Shards share the hash-only id; otherwise a random
     * part makes every invocation's id its own. */
    uint64_t h = opt__fnv(0xcbf29ce484222325ULL, base->resolved_json);
    for (int i = 0; i < x.nparams; i++) {
        h = opt__fnv(h, x.params[i].path);
        for (int v = 0; v < x.params[i].n; v++) h = opt__fnv(h, x.params[i].values[v]);
    }
    for (int k = 0; k < o->nobjectives; k++) h = opt__fnv(h, o->objectives[k]);
    for (int j = 0; j < o->nsubject_to; j++) h = opt__fnv(h, o->subject_to[j]);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%llu/%d/%.17g/%s/%s", (unsigned long long)cli_seed(o, base), rmax, x.p.delta,
             o->strategy ? o->strategy : "", ORDERSIM_VERSION);
    h = opt__fnv(h, tmp);
    char hex[17], id[33], nonce[33];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
    rpt_db_uuid(nonce);
    if (o->resume) {
        if (strlen(o->resume) > 32 || strncmp(o->resume, "opt-", 4) != 0 || strncmp(o->resume + 4, hex, 12) != 0) {
            fprintf(stderr, "ordersim optimize: --resume %s: that optimize was started with other arguments (scenario, --set, "
                            "--param, --objective, --subject-to, --seed, --replications, --delta or --strategy differ), "
                            "or it is not an optimize id\n", o->resume);
            rc = CLI_USAGE;
            goto out;
        }
        snprintf(id, sizeof id, "%s", o->resume);
        if ((rc = opt__load(&x, id))) goto out;
        if (rebuild) x.cap_runs = x.spent;
    } else if (shard_n > 1) snprintf(id, sizeof id, "opt-%s", hex);
    else snprintf(id, sizeof id, "opt-%.12s%.6s", hex, nonce);

    double t0 = opt__now();
    cli_opts qo = *o;
    qo.quiet = o->quiet || o->json;
    cli_rec *rec = cli_rec_open(&qo, base, "optimize", &rc);
    if (rc) goto out;
    cli_rec_batch(rec, id);
    if (!rebuild) {
        char key[64], *args = opt__args_text(o);
        os_diag d;
        os_diag_init(&d);
        snprintf(key, sizeof key, "optimize:%s", id);
        rpt_db *mdb = NULL;
        if ((rc = cli_db_open(o, o->db, RPT_DB_WRITE, &mdb)) == CLI_OK && rpt_db_meta_put(mdb, key, args, &d) != OS_OK) rc = CLI_IO;
        rpt_db_close(mdb);
        os_diag_print(&d, stderr);
        os_diag_fini(&d);
        free(args);
        if (rc) { cli_rec_close(rec, &qo); goto out; }
    }
    int looks_done = 0;
    const char *stopped = "";
    rc = opt__search(&x, rec, id, n0, rmax, shard_k, shard_n, &looks_done, &stopped);
    int rrc = cli_rec_close(rec, &qo);
    if (!rc) rc = rrc;
    if (rc) goto out;
    double wall = opt__now() - t0;
    if (shard_n > 1) {
        if (!o->quiet)
            printf("shard %d/%d of %s: %d runs (the first look) recorded in %s\nmerge the shards with `ordersim merge OUT.db SHARD.db...`, "
                   "then continue with the same arguments and `--resume %s --db OUT.db`\n", shard_k, shard_n, id, x.ran, o->db, id);
        goto out;
    }
    char command[2048];
    opt__command(o, base->file, command, sizeof command);
    rpt_opt_info info = { .id = id, .scenario = base->name, .command = command, .runs = x.spent, .budget_runs = x.budget_runs,
                          .budget_seconds = x.budget_seconds, .looks_done = looks_done, .stopped = stopped, .nparams = x.nparams };
    for (int i = 0; i < x.nparams; i++) info.param_path[i] = x.params[i].path;
    if (o->json) rpt_opt_write_json(&x.p, x.c, &info, stdout);
    else if (!o->quiet) {
        rpt_opt_write_text(&x.p, x.c, &info, stdout);
        printf("ran %d runs in this invocation, wall %.2f s\n", x.ran, wall);
    }
    if (!o->no_report) {
        char dir[1024];
        cli_out_dir(o, base, dir, sizeof dir);
        if (!o->out) strncat(dir, "/optimize", sizeof dir - strlen(dir) - 1);
        /* an ordersim report directory: built beside `dir`, put in place in one rename, never
         * into a folder of the user's own files */
        rpt_dir *rd = NULL;
        os_diag rdd;
        os_diag_init(&rdd);
        bool ok = rpt_dir_begin(dir, &rd, &rdd) == OS_OK;
        if (ok && (opt__write(rpt_dir_work(rd), "report.md", rpt_opt_write_md, &x.p, x.c, &info) ||
                   opt__write(rpt_dir_work(rd), "report.html", rpt_opt_write_html, &x.p, x.c, &info))) {
            rpt_dir_abort(rd);
            ok = false;
        } else if (ok) ok = rpt_dir_commit(rd, &rdd) == OS_OK;   /* frees rd */
        os_diag_print(&rdd, stderr);
        if (!ok) rc = CLI_IO;
        else if (!o->quiet && !o->json) printf("report: %s/report.html (also report.md)\n", dir);
        os_diag_fini(&rdd);
    }
out:
    for (int i = 0; i < ncand; i++) {
        if (x.scn && x.scn[i]) scn_free(x.scn[i]);
        if (x.c) rpt_opt_cand_fini(&x.c[i]);
    }
    free(x.scn);
    free(x.c);
    free(x.pval);
    free(x.params);
    scn_free(base);
    return rc;
}

const cli_cmd cmd_optimize_entry = {
    .name = "optimize",
    .usage = "SCENARIO.json --param PATH=FROM:TO:STEP|PATH=a,b,c [--param ...] --objective max:FIGURE|min:FIGURE\n"
             "       [--objective ...] [--subject-to 'FIGURE OP NUMBER']... [--budget RUNS|DURATION] [--strategy NAME|all]\n"
             "       [--delta X] [--replications R] [--jobs J] [--json] [--resume ID] [--shard K/N] [--seed N]\n"
             "       [--set PATH=VALUE]... [--db FILE] [--out DIR] [--no-report] [--strict]",
    .summary = "Finds the best setting under constraints, with stated confidence (ranking and selection).",
    .help = "Candidates are the grid of --param values (as in sweep); --strategy all adds the strategy as a parameter.\n"
            "Replication r of every candidate uses seed + r (common random numbers).\n"
            "  --objective max:FIGURE        what to maximise or minimise: a metric, stations.NAME.FIGURE, or a --param path\n"
            "                                (its value is the figure, e.g. min:stations.order_service.servers); twice: a\n"
            "                                Pareto front of the two\n"
            "  --subject-to 'FIGURE OP N'    a constraint (OP one of < <= >= >), met when the 95% interval is on the allowed\n"
            "                                side: the upper bound for < and <=, the lower bound for >= and >\n"
            "  --budget RUNS|DURATION        at most RUNS runs in all (counted in the results DB, resumes included), or stop\n"
            "                                starting looks that would pass DURATION (30s, 5m, 1h)\n"
            "  --delta X                     indifference zone, in the objective's unit (default 0)\n"
            "  --replications R              at most R replications per candidate (default 32, at least 2)\n"
            "  --resume ID                   continue optimize ID from the results DB (same arguments; the budget may grow);\n"
            "                                with nothing left to run it rebuilds the answer and the report\n"
            "  --shard K/N                   run only the first look's units K-1, K-1+N, ...; merge, then --resume\n"
            "Search: n0 = 3 replications per candidate (2 when the budget is tight), then doubling for the candidates still\n"
            "alive; a candidate is eliminated when a constraint is shown broken at 95%, or when one shown feasible beats it\n"
            "by more than max(0, h - delta), h a paired Bonferroni half-width (docs/optimize.md states the guarantee).\n"
            "  --strict                      exit 65 when the scenario has warnings (printed once, for the base scenario)\n"
            "  --force                       run even when the one estimate for the whole optimize (every candidate at\n"
            "                                --replications, cut to --budget or a shard's share) passes the limits\n"
            "The report goes to out/<scenario>/optimize/report.html and report.md (or --out).\n"
            "Exit: 0 ok, 2 usage, 65 bad scenario or figure, or an estimate above the limits, 70 invariant broken, 74 I/O error.\n",
    .options = CLI_OPTS_LOAD CLI_OPTS_RUN CLI_OPTS_DB CLI_OPTS_REPORT "json quiet strategy param shard objective subject-to budget delta resume",
    .exec = cmd_optimize,
};
