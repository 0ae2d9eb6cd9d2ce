/*
 * cmd_check.c — `ordersim check SCENARIO.json [--baseline FILE|--baseline-run ID]`: the
 * regression gate. Runs the scenario, evaluates its thresholds, compares every metric with a
 * baseline under per-metric tolerances, prints what changed, exits 1 on a regression.
 *
 * A regression is a change in a metric's worse direction beyond its tolerance; a
 * directionless money figure that moved is a change to review (failing under
 * --fail-on-change); other directionless figures are reported as changed. Tolerances: "5%"
 * relative, "2.5" absolute, "ci" an interval that excludes 0: of the paired differences when
 * the baseline's replications have this run's seeds, else both sides' 95% intervals; "*" sets
 * the default (docs/regression.md).
 */
#include "cli.h"
#include "cmd_common.h"
#include "rpt_db.h"
#include "rpt_doc.h"
#include "rpt_stats.h"
#include "sfw.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct chk__tol {
    char kind;     /* 'r' relative, 'a' absolute, 'c' confidence interval */
    double v;      /* fraction or absolute amount */
} chk__tol;

/* Every figure the check compares: the metrics, then each station's figures
 * (stations.NAME.FIGURE), with the baseline's value and interval. */
#define CHK_FIGS (RPT_METRIC_COUNT + SCN_STATIONS * RPT_ST_FIGURES)
typedef struct chk__figs {
    char     name[CHK_FIGS][96];  /* as printed and as named in --tolerance */
    rpt_ref  ref[CHK_FIGS];       /* what each names */
    double   base[CHK_FIGS];      /* baseline mean, NAN when absent */
    double   bci[CHK_FIGS];       /* baseline 95% half-width, NAN when absent */
    chk__tol tol[CHK_FIGS];       /* tolerance */
    int      nb;                  /* baseline replications with their own values (per_replication, or
                                     a one-replication summary); 0: means only (an older baseline) */
    uint64_t *bseed;              /* their seeds (nb) */
    double   *brep;               /* brep[fig * nb + r]: baseline replication r's value, NAN when absent */
} chk__figs;

/* Names every figure: metrics first, then stations.NAME.FIGURE in the simulator's order. */
static void chk__name_figs(chk__figs *f)
{
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        snprintf(f->name[m], sizeof f->name[m], "%s", rpt_metric_name((rpt_metric)m));
        f->ref[m] = (rpt_ref){ .metric = m };
    }
    for (int k = 0; k < SCN_STATIONS; k++)
        for (int g = 0; g < RPT_ST_FIGURES; g++) {
            int i = RPT_METRIC_COUNT + k * RPT_ST_FIGURES + g;
            snprintf(f->name[i], sizeof f->name[i], "stations.%s.%s", scn_station_names[k], rpt_st_figure_name((rpt_st_figure)g));
            f->ref[i] = (rpt_ref){ .metric = -1, .figure = (rpt_st_figure)g };
            snprintf(f->ref[i].station, sizeof f->ref[i].station, "%s", scn_station_names[k]);
        }
    for (int i = 0; i < CHK_FIGS; i++) f->base[i] = f->bci[i] = NAN;
}

static void chk__free(chk__figs *f)
{
    free(f->bseed);
    free(f->brep);
    free(f);
}

/* Figure m of one replication (NAN when the run does not report it). */
static double chk__run_value(const chk__figs *f, int m, const rpt_run *run)
{
    if (m < RPT_METRIC_COUNT) return run->m[m];
    for (int j = 0; j < run->nstations; j++)
        if (strcmp(run->st[j].name, f->ref[m].station) == 0) return rpt_st_value(&run->st[j], f->ref[m].figure);
    return NAN;
}

/* True when the baseline's replications are this run's, seed for seed: replication r is
 * then compared with replication r (the same random numbers). Writes why in note. */
static bool chk__pairing(const chk__figs *f, const rpt_run *runs, int n, char *note, size_t len)
{
    bool same = f->nb == n;
    for (int r = 0; same && r < n; r++) same = f->bseed[r] == runs[r].seed;
    if (same && n > 1)
        snprintf(note, len, "Paired: each of the %d replications is compared with the baseline's replication of the same seed "
                 "(%llu to %llu); a figure's interval is that of the paired differences.", n,
                 (unsigned long long)runs[0].seed, (unsigned long long)runs[n - 1].seed);
    else if (same)
        snprintf(note, len, "One replication on each side (seed %llu): no interval, the tolerance alone decides.",
                 (unsigned long long)runs[0].seed);
    else if (f->nb == 0)
        snprintf(note, len, "Unpaired: the baseline keeps no per-replication values (written by an older build): each figure "
                 "is judged by its two 95%% intervals, which misses changes smaller than their sum.");
    else
        snprintf(note, len, "Unpaired: the baseline's %d replication%s (seeds from %llu) are not this run's %d (seeds from %llu): "
                 "each figure is judged by its two 95%% intervals%s.", f->nb, f->nb == 1 ? "" : "s",
                 (unsigned long long)f->bseed[0], n, (unsigned long long)runs[0].seed,
                 f->nb == 1 || n == 1 ? " (a side with one replication has none: the tolerance alone decides)" : "");
    return same;
}

/* The paired differences of figure m (current replication r minus baseline replication r,
 * over the replications where both have a value): their mean in *mean and the 95%
 * half-width in *hw (NAN with fewer than two). Returns how many pairs. */
static int chk__paired(const chk__figs *f, int m, const rpt_run *runs, int n, double *mean, double *hw)
{
    double *d = xcalloc((size_t)n, sizeof *d), sum = 0, ss = 0;
    int k = 0;
    for (int r = 0; r < n; r++) {
        double c = chk__run_value(f, m, &runs[r]), b = f->brep[(size_t)m * (size_t)f->nb + (size_t)r];
        if (isfinite(c) && isfinite(b)) sum += d[k++] = c - b;
    }
    *mean = k ? sum / k : NAN;
    for (int i = 0; i < k; i++) ss += (d[i] - *mean) * (d[i] - *mean);
    *hw = k > 1 ? rpt_t95(k - 1) * sqrt(ss / (k - 1) / k) : NAN;
    free(d);
    return k;
}

static bool chk__parse_tol(const char *s, chk__tol *t)
{
    char *end;
    if (strcmp(s, "ci") == 0) { t->kind = 'c'; t->v = 0; return true; }
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v < 0) return false;
    if (strcmp(end, "%") == 0) { t->kind = 'r'; t->v = v / 100; return true; }
    if (*end == '\0') { t->kind = 'a'; t->v = v; return true; }
    return false;
}

/* Fills f->tol[] from the spec; returns false (with a message) on a bad spec. */
static bool chk__tolerances(const char *spec, bool have_ci, chk__figs *f)
{
    chk__tol def = have_ci ? (chk__tol){ 'c', 0 } : (chk__tol){ 'r', 0.05 };
    for (int m = 0; m < CHK_FIGS; m++) f->tol[m] = def;
    if (!spec) return true;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        chk__tol t;
        if (!eq || !chk__parse_tol(eq + 1, &t)) {
            fprintf(stderr, "ordersim check: bad tolerance '%s': expected METRIC=5%% | METRIC=2.5 | METRIC=ci (METRIC may be * or stations.NAME.FIGURE)\n", item);
            return false;
        }
        *eq = '\0';
        if (strcmp(item, "*") == 0) {
            for (int m = 0; m < CHK_FIGS; m++) f->tol[m] = t;
            continue;
        }
        int m = 0;
        while (m < CHK_FIGS && strcmp(f->name[m], item) != 0) m++;
        if (m == CHK_FIGS) {
            rpt_ref r;
            char err[512];
            int col;
            if (!rpt_ref_parse(item, scn_station_names, SCN_STATIONS, &r, err, sizeof err, &col))
                fprintf(stderr, "ordersim check: --tolerance: %s\n", err);
            else
                fprintf(stderr, "ordersim check: unknown figure '%s' in --tolerance\n", item);
            return false;
        }
        f->tol[m] = t;
    }
    return true;
}

/* Reads `arr` (at `what`) as a list of nb numbers or nulls into out[0..nb) (NAN for null);
 * absent: all NAN (a figure an older build did not write). False (message printed) when it
 * is something else. */
static bool chk__list(const char *path, const char *what, const cJSON *arr, int nb, double *out)
{
    for (int r = 0; r < nb; r++) out[r] = NAN;
    if (!arr) return true;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != nb) {
        fprintf(stderr, "%s: per_replication.%s: found %s, expected a list of %d numbers (one per seed)\n", path, what,
                cJSON_IsArray(arr) ? "a list of another length" : jsn_type_name(arr), nb);
        return false;
    }
    int r = 0;
    for (const cJSON *v = arr->child; v; v = v->next, r++) {
        if (!cJSON_IsNumber(v) && !cJSON_IsNull(v)) {
            fprintf(stderr, "%s: per_replication.%s[%d]: found %s, expected a number or null\n", path, what, r, jsn_type_name(v));
            return false;
        }
        out[r] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    }
    return true;
}

/* The baseline's own replications (docs/regression.md, "Pairing"): "per_replication" (seeds,
 * and each figure's values), or, for a one-replication summary, its "seed" and means. A
 * summary of several replications without them (an older build) leaves nb = 0: unpaired. */
static int chk__baseline_reps(const char *path, const cJSON *root, chk__figs *f)
{
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(root, "per_replication");
    if (!pr) {
        const cJSON *reps = cJSON_GetObjectItemCaseSensitive(root, "replications"), *seed = cJSON_GetObjectItemCaseSensitive(root, "seed");
        if ((reps && !(cJSON_IsNumber(reps) && reps->valuedouble == 1)) || !cJSON_IsNumber(seed) || seed->valuedouble < 0) return CLI_OK;
        f->nb = 1;
        f->bseed = xcalloc(1, sizeof *f->bseed);
        f->brep = xcalloc(CHK_FIGS, sizeof *f->brep);
        f->bseed[0] = (uint64_t)seed->valuedouble;
        for (int k = 0; k < CHK_FIGS; k++) f->brep[k] = f->base[k];
        return CLI_OK;
    }
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(pr, "seeds");
    int nb = cJSON_IsArray(seeds) ? cJSON_GetArraySize(seeds) : 0;
    if (nb < 1) {
        fprintf(stderr, "%s: per_replication.seeds: found %s, expected a list of the replications' seeds\n", path,
                seeds ? (cJSON_IsArray(seeds) ? "an empty list" : jsn_type_name(seeds)) : "nothing");
        return CLI_DATA;
    }
    f->nb = nb;
    f->bseed = xcalloc((size_t)nb, sizeof *f->bseed);
    f->brep = xcalloc((size_t)CHK_FIGS * (size_t)nb, sizeof *f->brep);
    int r = 0;
    for (const cJSON *v = seeds->child; v; v = v->next, r++) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble != floor(v->valuedouble)) {
            fprintf(stderr, "%s: per_replication.seeds[%d]: found %s, expected a seed (a whole number >= 0)\n", path, r, jsn_type_name(v));
            return CLI_DATA;
        }
        f->bseed[r] = (uint64_t)v->valuedouble;
    }
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(pr, "metrics"), *sts = cJSON_GetObjectItemCaseSensitive(pr, "stations");
    for (int k = 0; k < CHK_FIGS; k++) {
        char what[160];
        const cJSON *arr;
        if (k < RPT_METRIC_COUNT) {
            arr = cJSON_GetObjectItemCaseSensitive(ms, f->name[k]);
            snprintf(what, sizeof what, "metrics.%s", f->name[k]);
        } else {
            arr = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sts, f->ref[k].station), rpt_st_figure_name(f->ref[k].figure));
            snprintf(what, sizeof what, "stations.%s.%s", f->ref[k].station, rpt_st_figure_name(f->ref[k].figure));
        }
        if (!chk__list(path, what, arr, nb, &f->brep[(size_t)k * (size_t)nb])) return CLI_DATA;
    }
    return CLI_OK;
}

/* Reads a baseline summary (run --json, or compare --json: the entry of `strategy`, the
 * strategy in force). A baseline that is not an ordersim summary (no "metrics" object, none
 * of our metrics in it, or a metric that is neither a number nor null) is bad input: 65,
 * never a "regression"; so is one of another strategy (like is compared with like). A
 * baseline of another scenario is compared, with a warning. */
static int chk__baseline_file(const char *path, const scn_scenario *s, const char *strategy, chk__figs *f)
{
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc;
    os_status st = jsn_load_file(path, &doc, &d);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    if (st != OS_OK) return os_exit_code(st);
    const cJSON *top = jsn_root(doc), *root = top;
    const cJSON *strats = cJSON_IsObject(top) ? cJSON_GetObjectItemCaseSensitive(top, "strategies") : NULL;
    if (strats) root = cJSON_GetObjectItemCaseSensitive(strats, strategy);
    const cJSON *bs = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "strategy") : NULL;
    if (!strats && cJSON_IsString(bs) && strcmp(bs->valuestring, strategy) != 0) {
        char a[96];
        fprintf(stderr, "%s: the baseline ran strategy '%s', this check runs '%s': no like-for-like comparison "
                "(write a baseline under '%s', or give --strategy)\n", path, rpt_printable(bs->valuestring, a, sizeof a),
                strategy, strategy);
        jsn_free(doc);
        return CLI_DATA;
    }
    const cJSON *m = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "metrics") : NULL;
    const cJSON *ci = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "ci95") : NULL;
    if (!cJSON_IsObject(m)) {
        if (strats) fprintf(stderr, "%s: the baseline has no entry for strategy '%s' (the one this check runs): no like-for-like "
                            "comparison\n", path, strategy);
        else fprintf(stderr, "%s: not an ordersim summary: no \"metrics\" object (write one with `ordersim run --json`)\n", path);
        jsn_free(doc);
        return CLI_DATA;
    }
    int found = 0;
    for (int k = 0; k < RPT_METRIC_COUNT; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, rpt_metric_name((rpt_metric)k));
        const cJSON *c = cJSON_IsObject(ci) ? cJSON_GetObjectItemCaseSensitive(ci, rpt_metric_name((rpt_metric)k)) : NULL;
        if (v && !cJSON_IsNumber(v) && !cJSON_IsNull(v)) {
            fprintf(stderr, "%s: metrics.%s: found %s, expected a number or null: not an ordersim summary\n", path,
                    rpt_metric_name((rpt_metric)k), jsn_type_name(v));
            jsn_free(doc);
            return CLI_DATA;
        }
        found += v != NULL;
        f->base[k] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        f->bci[k] = cJSON_IsNumber(c) ? c->valuedouble : NAN;
    }
    if (!found) {
        fprintf(stderr, "%s: not an ordersim summary: none of the %d metrics is in \"metrics\" (write one with "
                "`ordersim run --json`)\n", path, RPT_METRIC_COUNT);
        jsn_free(doc);
        return CLI_DATA;
    }
    const cJSON *sc = cJSON_IsObject(top) ? cJSON_GetObjectItemCaseSensitive(top, "scenario") : NULL;
    if (cJSON_IsString(sc) && strcmp(sc->valuestring, s->name) != 0) {
        char a[96], b[96];
        fprintf(stderr, "%s: warning: the baseline is of scenario '%s', this check runs '%s': differences may not be regressions\n",
                path, rpt_printable(sc->valuestring, a, sizeof a), rpt_printable(s->name, b, sizeof b));
    }
    /* Station figures: "stations": {NAME: {FIGURE: value}}; a baseline written before a
     * figure existed lacks it, and that figure is then not compared. */
    const cJSON *sts = cJSON_GetObjectItemCaseSensitive(root, "stations"), *stci = cJSON_GetObjectItemCaseSensitive(root, "stations_ci95");
    for (int k = RPT_METRIC_COUNT; k < CHK_FIGS; k++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sts, f->ref[k].station),
                                                          rpt_st_figure_name(f->ref[k].figure));
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stci, f->ref[k].station),
                                                          rpt_st_figure_name(f->ref[k].figure));
        f->base[k] = cJSON_IsNumber(a) ? a->valuedouble : NAN;
        f->bci[k] = cJSON_IsNumber(b) ? b->valuedouble : NAN;
    }
    int prc = chk__baseline_reps(path, root, f);
    jsn_free(doc);
    return prc;
}

/* Every threshold must name a figure the run reports: one that does not is a broken
 * scenario (65), not a failed check. Returns how many are unknown (messages printed). */
static int chk__unknown_thresholds(const scn_scenario *s, const rpt_summary *sum)
{
    int bad = 0;
    for (int i = 0; i < s->n_thresholds; i++) {
        double v;
        if (rpt_ref_value(sum, &s->thresholds[i].ref, &v)) continue;
        fprintf(stderr, "%s: thresholds.%s: the run reports no such figure (docs/metrics.md)\n", s->file, s->thresholds[i].name);
        bad++;
    }
    return bad;
}

static int cmd_check(cli_opts *o)
{
    if (o->nargs != 1) {
        fprintf(stderr, "ordersim check: expected one scenario file\n");
        return CLI_USAGE;
    }
    if (o->baseline && o->baseline_run >= 0) {
        fprintf(stderr, "ordersim check: give --baseline or --baseline-run, not both\n");
        return CLI_USAGE;
    }
    scn_scenario *s;
    int rc = cli_load(o->args[0], o, &s);
    if (rc) return rc;
    chk__figs *fig = xcalloc(1, sizeof *fig);
    chk__name_figs(fig);
    bool have_base = o->baseline || o->baseline_run >= 0;
    const char *strategy = o->strategy ? o->strategy : s->strategy;
    if (o->junit) rc = cli_check_output(o, "check", "--junit", o->junit);
    if (rc) { free(fig); scn_free(s); return rc; }
    if (o->baseline) rc = chk__baseline_file(o->baseline, s, strategy, fig);
    else if (o->baseline_run >= 0) {
        os_diag d;
        os_diag_init(&d);
        rpt_db *db = NULL;
        rpt_run r;
        rpt_run_init(&r);
        rc = cli_db_open(o, o->db, RPT_DB_READ, &db);
        os_status st = rc ? OS_OK : rpt_db_load(db, o->baseline_run, &r, NULL, &d);
        os_diag_print(&d, stderr);
        os_diag_fini(&d);
        rpt_db_close(db);
        if (!rc) rc = st == OS_ENOTFOUND ? CLI_USAGE : os_exit_code(st);   /* a run id not in the DB is bad usage */
        if (!rc && strcmp(r.strategy, strategy) != 0) {
            fprintf(stderr, "%s: run %lld ran strategy '%s', this check runs '%s': no like-for-like comparison\n", o->db,
                    o->baseline_run, r.strategy, strategy);
            rc = CLI_DATA;
        }
        for (int k = 0; k < RPT_METRIC_COUNT; k++) fig->base[k] = r.m[k];
        for (int k = RPT_METRIC_COUNT; k < CHK_FIGS; k++)
            for (int j = 0; j < r.nstations; j++)
                if (strcmp(r.st[j].name, fig->ref[k].station) == 0) fig->base[k] = rpt_st_value(&r.st[j], fig->ref[k].figure);
        if (!rc) {   /* one replication: its seed and values */
            fig->nb = 1;
            fig->bseed = xcalloc(1, sizeof *fig->bseed);
            fig->brep = xcalloc(CHK_FIGS, sizeof *fig->brep);
            fig->bseed[0] = r.seed;
            for (int k = 0; k < CHK_FIGS; k++) fig->brep[k] = fig->base[k];
        }
        rpt_run_fini(&r);
    }
    if (!rc && !chk__tolerances(o->tolerance, have_base && o->replications > 1 && !isnan(fig->bci[RPT_M_orders_paid]), fig)) rc = CLI_USAGE;
    if (rc) { chk__free(fig); scn_free(s); return rc; }

    rpt_run *runs = xcalloc((size_t)o->replications, sizeof *runs);
    int dbrc;
    cli_rec *rec = cli_rec_open(o, s, "check", &dbrc);
    if (!rec) { free(runs); chk__free(fig); scn_free(s); return dbrc; }
    int lrc = cli_run_replications(s, o->strategy, o, runs, rec);
    if (lrc) {                         /* stopped by the loop guard: nothing to judge */
        cli_rec_close(rec, o);
        for (int r = 0; r < o->replications; r++) rpt_run_fini(&runs[r]);
        free(runs);
        chk__free(fig);
        scn_free(s);
        return lrc;
    }
    rpt_summary sum;
    rpt_summarize(runs, o->replications, &sum);
    FILE *out = o->quiet || o->json ? NULL : stdout;
    /* every rule as data: the thresholds, then each figure compared with the baseline */
    rpt_gate *gates = xcalloc((size_t)(s->n_thresholds + CHK_FIGS), sizeof *gates);
    int ngates = s->n_thresholds;
    int failed = cmd_thresholds(s, &sum, gates);
    int regressions = 0, changed = 0, reviews = 0;
    char note[512] = "";
    bool paired = have_base && chk__pairing(fig, runs, o->replications, note, sizeof note);
    if (have_base) {
        for (int m = 0; m < CHK_FIGS; m++) {
            double b = fig->base[m], c = NAN, cci = NAN;
            bool station = m >= RPT_METRIC_COUNT;
            rpt_ref_value(&sum, &fig->ref[m], &c);
            if (!station) cci = sum.ci95[m];
            else
                for (int j = 0; j < sum.runs[0].nstations; j++)
                    if (strcmp(sum.runs[0].st[j].name, fig->ref[m].station) == 0) cci = sum.st_ci95[j][fig->ref[m].figure];
            if (!isfinite(b) && !isfinite(c)) continue;
            if (station && !isfinite(b)) continue;   /* not in the baseline: nothing to compare */
            double diff = isfinite(b) && isfinite(c) ? c - b : NAN, pmean = NAN, phw = NAN;
            /* paired: the mean and interval of the replications' differences (seed for seed) */
            int npairs = paired && isfinite(diff) ? chk__paired(fig, m, runs, o->replications, &pmean, &phw) : 0;
            if (npairs) diff = pmean;
            rpt_gate *g = &gates[ngates++];
            g->baseline = true;
            snprintf(g->name, sizeof g->name, "%s", fig->name[m]);
            snprintf(g->unit, sizeof g->unit, "%s", rpt_ref_unit(&fig->ref[m]));
            g->value = c;
            g->base = b;
            g->pass = true;
            if (!station && !isfinite(b) && !rpt_metric_may_be_null((rpt_metric)m)) {
                /* A metric this build always reports is missing from the baseline: the
                 * baseline comes from an older build. New, not a regression. */
                snprintf(g->status, sizeof g->status, "new (not in the baseline)");
                continue;
            }
            bool beyond;
            const chk__tol *t = &fig->tol[m];
            switch (t->kind) {
            case 'c':
                if (npairs > 1) {
                    beyond = fabs(diff) > phw;
                    snprintf(g->rule, sizeof g->rule, "ci (paired)");
                } else {
                    double w = (isfinite(fig->bci[m]) ? fig->bci[m] : 0) + (isfinite(cci) ? cci : 0);
                    beyond = !isfinite(diff) || fabs(diff) > w;
                    snprintf(g->rule, sizeof g->rule, "ci (unpaired)");
                }
                break;
            case 'a': beyond = !isfinite(diff) || fabs(diff) > t->v; snprintf(g->rule, sizeof g->rule, "%g", t->v); break;
            default: beyond = !isfinite(diff) || fabs(diff) > t->v * fabs(b); snprintf(g->rule, sizeof g->rule, "%g%%", 100 * t->v); break;
            }
            int gate = station ? rpt_st_figure_better(fig->ref[m].figure) : (int)rpt_metric_gate((rpt_metric)m);
            /* Paid orders, units and revenue that include oversold orders are no benefit. */
            if (!station && rpt_metric_counts_oversold((rpt_metric)m) &&
                (fig->base[RPT_M_oversold_orders] > 0 || sum.mean[RPT_M_oversold_orders] > 0))
                gate = RPT_GATE_INFO;
            const char *status = "ok";
            if (beyond && isfinite(diff) && diff != 0) {
                if (gate == RPT_GATE_REVIEW) {
                    status = o->fail_on_change ? "CHANGED (to review)" : "changed (to review)";
                    reviews++;
                    g->pass = !o->fail_on_change;
                } else if (gate == RPT_GATE_INFO) { status = "changed"; changed++; }
                else if ((diff > 0) == (gate > 0)) { status = "improved"; changed++; }
                else { status = "REGRESSED"; regressions++; g->pass = false; }
            } else if (beyond && !isfinite(diff)) {
                bool directed = gate == RPT_GATE_HIGHER || gate == RPT_GATE_LOWER;
                status = directed ? "REGRESSED (appeared/vanished)" : "changed";
                if (directed) { regressions++; g->pass = false; }
                else changed++;
            }
            snprintf(g->status, sizeof g->status, "%s", status);
        }
    }
    int review_fails = o->fail_on_change ? reviews : 0;
    /* the terminal shows the report's own text (thresholds and baseline tables included) */
    cmd_print(o, s, &sum, "check", gates, ngates, have_base, have_base ? note : NULL);
    if (out && have_base)
        fprintf(out, "\n%d regression%s, %d change%s to review%s, %d other change%s beyond tolerance\n%s\n", regressions,
                regressions == 1 ? "" : "s", reviews, reviews == 1 ? "" : "s", o->fail_on_change ? " (failing: --fail-on-change)" : "",
                changed, changed == 1 ? "" : "s", note);
    char painted[64];
    int bad = failed + regressions + review_fails;
    if (out) fprintf(out, "\n%s\n", cli_paint(out, bad ? "check FAILED" : "check passed", !bad, painted, sizeof painted));
    if (o->json) {
        printf("{\n  \"passed\": %s,\n  \"failed_thresholds\": %d,\n  \"regressions\": %d,\n  \"changes_to_review\": %d,\n"
               "  \"changes\": %d,\n  \"pairing\": ", bad ? "false" : "true", failed, regressions, reviews, changed);
        if (have_base) jsn_write_str(stdout, paired ? (o->replications > 1 ? "paired" : "one replication per side") : "unpaired");
        else fputs("null", stdout);
        printf(",\n  \"pairing_note\": ");
        if (have_base) jsn_write_str(stdout, note);
        else fputs("null", stdout);
        printf(",\n  \"rules\": ");
        rpt_gate_write_json(gates, ngates, stdout);
        printf(",\n  \"summary\": ");
        rpt_write_json(&sum, stdout, true, 2);
        printf("\n}\n");
    }
    if (o->junit) {
        sfw_file *j = NULL;
        os_diag d;
        os_diag_init(&d);
        char suite[300];
        snprintf(suite, sizeof suite, "ordersim check %s", s->name);
        if (sfw_open(o->junit, &j, &d) == OS_OK) {
            rpt_gate_write_junit(gates, ngates, suite, sfw_stream(j));
            if (sfw_commit(j, &d) != OS_OK) rc = CLI_IO;
        } else rc = CLI_IO;
        os_diag_print(&d, stderr);
        os_diag_fini(&d);
    }
    dbrc = cli_rec_close(rec, o);
    int rrc = cmd_record(o, s, &sum, "check", gates, ngates, have_base, have_base ? note : NULL);
    if (!rc) rc = rrc;
    if (dbrc) rc = dbrc;
    free(gates);
    if (!rc && bad) rc = CLI_FAILED;
    if (chk__unknown_thresholds(s, &sum) && rc != CLI_IO) rc = CLI_DATA;
    if (!sum.invariants_ok) rc = CLI_INTERNAL;
    for (int r = 0; r < o->replications; r++) rpt_run_fini(&runs[r]);
    free(runs);
    chk__free(fig);
    scn_free(s);
    return rc;
}

const cli_cmd cmd_check_entry = {
    .name = "check",
    .usage = "SCENARIO.json [--baseline FILE | --baseline-run ID] [--tolerance SPEC] [--fail-on-change] [--replications R]\n"
             "       [--set PATH=VALUE]... [--json] [--junit FILE]",
    .summary = "Regression gate: the scenario's thresholds, and every metric against a baseline; exit 1 on a regression.",
    .help = "  --baseline FILE      a summary written by `ordersim run --json` (or compare --json)\n"
            "  --baseline-run ID    a run recorded in the results database\n"
            "  --tolerance SPEC     comma list of METRIC=TOL; TOL is 5% (relative), 2.5 (absolute) or ci (the 95% interval\n"
            "                       of the paired differences excludes 0 when the baseline has this run's seeds, else the\n"
            "                       difference exceeds both intervals); METRIC * sets the default (ci with replications, else 5%)\n"
            "  --fail-on-change     a directionless money figure (captured_total, discount_total, ...) that moved beyond\n"
            "                       its tolerance fails the check (without it: reported as a change to review)\n"
            "  --json               print the verdict, every rule (thresholds, baseline figures) and the summary as JSON\n"
            "  --junit FILE         write JUnit XML: one testcase per threshold and per baseline figure\n"
            "Exit: 0 passed, 1 a threshold failed, a metric regressed or (--fail-on-change) a change to review, 2 usage, 65 bad scenario, a run\n"
            "stopped by the loop guard, a baseline that is not an ordersim summary (malformed, empty, foreign) or a\n"
            "threshold on a figure the run does not report, 70 invariant, 74 I/O. A baseline of another scenario is\n"
            "compared with a warning.\n",
    .options = CLI_OPTS_LOAD CLI_OPTS_RUN CLI_OPTS_TRACE CLI_OPTS_DB CLI_OPTS_REPORT "json quiet strategy baseline baseline-run tolerance fail-on-change junit",
    .exec = cmd_check,
};
