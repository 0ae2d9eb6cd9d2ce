/*
 * cmd_sweep.c — `ordersim sweep SCENARIO --param PATH=FROM:TO:STEP` (or PATH=a,b,c; several
 * --param make a grid): the capacity report. Each (point, replication) is an independent
 * unit seeded with seed + replication, so results do not depend on how units are spread
 * over threads or shards. `--shard K/N` runs units K-1, K-1+N, ... into its own DB; a sharded
 * sweep's id is a hash of the resolved scenario, the parameters, the seed, the replications,
 * the strategy and the build, so every shard agrees on it; an unsharded sweep's id adds a
 * random part, unique per invocation. `ordersim report --sweep ID` rebuilds the report from
 * the (merged) DB, keeping one run per (point, replication).
 */
#include "cli.h"
#include "cmd_common.h"
#include "rpt_capacity.h"
#include "rpt_db.h"
#include "rpt_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parses PATH=FROM:TO:STEP or PATH=a,b,c (shared with optimize, see cmd_common.h). */
bool cmd_param_parse(const char *spec, cmd_param *p, char *why, size_t wn)
{
    const char *eq = strchr(spec, '=');
    snprintf(why, wn, "expected PATH=FROM:TO:STEP (FROM <= TO, STEP > 0) or PATH=a,b,c");
    if (!eq || eq == spec) return false;
    if ((size_t)(eq - spec) >= sizeof p->path) {
        snprintf(why, wn, "the path is longer than %zu characters", sizeof p->path - 1);
        return false;
    }
    memcpy(p->path, spec, (size_t)(eq - spec));
    p->path[eq - spec] = '\0';
    const char *v = eq + 1;
    p->n = 0;
    double from, to, step;
    char extra;
    if (!strchr(v, ',') && sscanf(v, "%lf:%lf:%lf%c", &from, &to, &step, &extra) == 3) {
        if (!(step > 0) || !isfinite(from) || !isfinite(to) || to < from) return false;
        for (int i = 0;; i++) {
            double x = from + i * step;
            if (x > to + step * 1e-9) break;
            if (p->n == CMD_PARAM_MAX_VALUES) {
                snprintf(why, wn, "more than %d values", CMD_PARAM_MAX_VALUES);
                return false;
            }
            snprintf(p->values[p->n++], 64, "%.10g", x);
        }
        return p->n > 0;
    }
    for (const char *t = v;; t++) {   /* empty items (a,,b) are skipped */
        size_t len = strcspn(t, ",");
        if (len && p->n == CMD_PARAM_MAX_VALUES) { snprintf(why, wn, "more than %d values", CMD_PARAM_MAX_VALUES); return false; }
        if (len >= sizeof p->values[0]) { snprintf(why, wn, "value %d is longer than %zu characters", p->n + 1, sizeof p->values[0] - 1); return false; }
        if (len) snprintf(p->values[p->n++], sizeof p->values[0], "%.*s", (int)len, t);
        t += len;
        if (!*t) break;
    }
    return p->n > 0;
}

bool cmd_param_fits(const cmd_param *p, int n, int nsets, char *why, size_t wn)
{
    if (nsets + n > CLI_MAX_SETS) {
        snprintf(why, wn, "%d --set and %d --param are more than the %d edits a scenario takes", nsets, n, CLI_MAX_SETS);
        return false;
    }
    size_t text = 0;
    for (int i = 0; i < n; i++) {
        size_t longest = 0;
        for (int k = 0; k < p[i].n; k++) if (strlen(p[i].values[k]) > longest) longest = strlen(p[i].values[k]);
        text += (i ? 1 : 0) + strlen(p[i].path) + 1 + longest;
    }
    if (text >= 256) {
        snprintf(why, wn, "a point's parameters (\"PATH=VALUE,...\") take up to %zu characters, more than the 255 recorded per run", text);
        return false;
    }
    return true;
}

_Static_assert(RPT_DB_MAX_POINTS == RPT_CAP_MAX_POINTS, "a recorded sweep point is read back in the range a sweep has");

static uint64_t swp__fnv(uint64_t h, const char *t)
{
    for (; *t; t++) h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
    return h;
}

/* Whether a swept scenario path (len characters) is a load: the arrival rate, a schedule
 * entry's rate, or the customer cap. Only for a load do a knee, a bottleneck and an analytic
 * bound mean anything. */
static bool swp__is_load(const char *path, size_t len)
{
    static const char *const loads[] = { "customers.arrivals.rate", "customers.max_customers" };
    for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++)
        if (len == strlen(loads[i]) && strncmp(path, loads[i], len) == 0) return true;
    static const char pre[] = "customers.arrivals.schedule[", post[] = "].rate";
    size_t a = sizeof pre - 1, b = sizeof post - 1;
    if (len <= a + b || strncmp(path, pre, a) != 0 || strncmp(path + len - b, post, b) != 0) return false;
    for (size_t k = a; k < len - b; k++)
        if (path[k] < '0' || path[k] > '9') return false;
    return true;
}

/* Whether every parameter of a point's "PATH=VALUE,..." text is a load. */
static bool swp__params_load(const char *params)
{
    bool any = false;
    for (const char *p = params; *p;) {
        size_t item = strcspn(p, ","), eq = strcspn(p, "=");
        if (eq > item) return false;
        if (!swp__is_load(p, eq)) return false;
        any = true;
        p += item + (p[item] == ',');
    }
    return any;
}

/* A load sweep's analysis reads its points as increasing loads and its SLO as an upper
 * bound ("the highest load meeting it"). Refuses what would make that reading false: a load
 * listed out of ascending order (exit 2), or an SLO that is not < or <= (exit 65), which
 * would turn the capacity answer upside down. A parameter study takes any order and any
 * comparison (it only says at which points the SLO holds). */
static int swp__load_rules(const cmd_param *params, int n, const cli_opts *o, const rpt_cond *slo)
{
    for (int i = 0; i < n; i++)
        if (!swp__is_load(params[i].path, strlen(params[i].path))) return CLI_OK;
    for (int i = 0; i < n; i++)
        for (int k = 1; k < params[i].n; k++) {
            char *e1, *e2;
            double a = strtod(params[i].values[k - 1], &e1), b = strtod(params[i].values[k], &e2);
            if (*e1 || *e2 || !(b > a)) {
                fprintf(stderr, "ordersim sweep: --param %s: a load sweep lists its loads in ascending order "
                        "(found %s then %s)\n", params[i].path, params[i].values[k - 1], params[i].values[k]);
                return CLI_USAGE;
            }
        }
    if (o->slo && !cnd_op_upper(slo->op)) {
        fprintf(stderr, "ordersim sweep: --slo '%s': in a load sweep the SLO is an upper bound (< or <=) and the "
                "answer is the highest load meeting it; for a lower bound (for example a throughput), sweep it "
                "with --metric and read the table\n", o->slo);
        return CLI_DATA;
    }
    return CLI_OK;
}

/* Prints a positioned message about a bad --slo or --metric value. */
static void swp__bad(const char *flag, const char *text, int col, const char *err)
{
    fprintf(stderr, "ordersim: %s '%s': column %d: %s\n  %s\n  %*s^\n", flag, text, col + 1, err, text, col, "");
}

/* Parses --slo and --metric against the station names the runs have. Bad input (an unknown
 * figure or station, a malformed condition) prints a positioned message and returns
 * CLI_DATA, never a finding. */
static int swp__options(const cli_opts *o, const char *const *stations, int nst, rpt_cond *slo, rpt_cond *metrics)
{
    char err[512];
    int col;
    if (o->slo && !rpt_cond_parse(o->slo, stations, nst, slo, err, sizeof err, &col)) {
        swp__bad("--slo", o->slo, col, err);
        return CLI_DATA;
    }
    for (int i = 0; i < o->nmetrics; i++) {
        memset(&metrics[i], 0, sizeof metrics[i]);
        if (strlen(o->metrics[i]) >= sizeof metrics[i].name) {
            swp__bad("--metric", o->metrics[i], 0, "figure name too long");
            return CLI_DATA;
        }
        snprintf(metrics[i].name, sizeof metrics[i].name, "%s", o->metrics[i]);
        if (!rpt_ref_parse(o->metrics[i], stations, nst, &metrics[i].ref, err, sizeof err, &col)) {
            swp__bad("--metric", o->metrics[i], col, err);
            return CLI_DATA;
        }
    }
    return CLI_OK;
}

/* Writes a sweep as JSON (docs/json.md): every point's parameters, offered load and
 * summary, then the analysis (knee, bottleneck, bound, SLO) with null where none. */
static void swp__json(const char *sweep_id, const char *title, const rpt_capacity *c, const rpt_point *pts, FILE *out)
{
    const rpt_run *r0 = &pts[0].sum.runs[0];
    fprintf(out, "{\n  \"sweep_id\": ");
    jsn_write_str(out, sweep_id);
    fprintf(out, ",\n  \"scenario\": ");
    jsn_write_str(out, title);
    fprintf(out, ",\n  \"kind\": \"%s\",\n  \"points\": [", c->load ? "load" : "study");
    for (int i = 0; i < c->n; i++) {
        fprintf(out, "%s\n    {\"point\": %d, \"params\": ", i ? "," : "", i);
        jsn_write_str(out, pts[i].params);
        fprintf(out, ", \"offered_per_s\": ");
        jsn_write_num(out, c->offered[i]);
        fprintf(out, ", \"slo_ok\": %s, \"summary\": ", !c->has_slo ? "null" : c->slo_ok[i] ? "true" : "false");
        rpt_write_json(&pts[i].sum, out, false, 4);
        fprintf(out, "}");
    }
    fprintf(out, "\n  ],\n  \"knee\": ");
    if (c->knee >= 0) fprintf(out, "%d", c->knee);
    else fprintf(out, "null");
    fprintf(out, ",\n  \"knee_reason\": ");
    if (c->knee >= 0) jsn_write_str(out, c->knee_reason);
    else fprintf(out, "null");
    fprintf(out, ",\n  \"bottleneck\": ");
    if (c->bottleneck >= 0) jsn_write_str(out, r0->st[c->bottleneck].name);
    else fprintf(out, "null");
    fprintf(out, ",\n  \"bound_per_s\": ");
    jsn_write_num(out, c->bound_station >= 0 ? c->bound_min : NAN);
    fprintf(out, ",\n  \"bound_station\": ");
    if (c->bound_station >= 0) jsn_write_str(out, r0->st[c->bound_station].name);
    else fprintf(out, "null");
    fprintf(out, ",\n  \"slo\": ");
    if (!c->has_slo) fprintf(out, "null");
    else {
        fprintf(out, "{\"condition\": ");
        char cond[200];
        snprintf(cond, sizeof cond, "%s %s %.17g", c->slo.name, cnd_op_name(c->slo.op), c->slo.value);
        jsn_write_str(out, cond);
        fprintf(out, ", \"highest_load_per_s\": ");
        jsn_write_num(out, c->slo_load);
        fprintf(out, ", \"below\": ");
        if (c->slo_below >= 0) fprintf(out, "%d", c->slo_below);
        else fprintf(out, "null");
        fprintf(out, ", \"above\": ");
        if (c->slo_above >= 0) fprintf(out, "%d", c->slo_above);
        else fprintf(out, "null");
        fprintf(out, ", \"finding\": ");
        jsn_write_str(out, c->slo_finding);
        fprintf(out, "}");
    }
    fprintf(out, "\n}\n");
}

/* Groups complete runs into points in point order and analyses them; prints and reports.
 * The same (point, replication) recorded twice (a shard run twice, a normal cluster retry)
 * is kept once, the first recorded, and said so: counting it twice would fake precision. */
static int swp__report(const cli_opts *o, const char *sweep_id, const char *title, const char *description, const char *currency,
                       const os_diag *scn_warnings, rpt_run *runs, int nruns, const char *dir, const char *command)
{
    int npts = 0;
    for (int i = 0; i < nruns; i++) {
        OS_ASSERT(runs[i].sweep_point >= 0 && runs[i].sweep_point < RPT_DB_MAX_POINTS);   /* checked where read */
        if (runs[i].sweep_point + 1 > npts) npts = runs[i].sweep_point + 1;
    }
    if (npts < 1 || npts > RPT_CAP_MAX_POINTS) {
        fprintf(stderr, "ordersim: no sweep points to report (%d)\n", npts);
        return CLI_USAGE;
    }
    /* the stations of every point: a swept key may add one (inventory.store.kind=instant,row_lock) */
    const char *stations[RPT_MAX_STATIONS];
    int nst = 0;
    for (int i = 0; i < nruns; i++)
        for (int k = 0; k < runs[i].nstations; k++) {
            int j = 0;
            while (j < nst && strcmp(stations[j], runs[i].st[k].name) != 0) j++;
            if (j == nst && nst < RPT_MAX_STATIONS) stations[nst++] = runs[i].st[k].name;
        }
    rpt_cond slo, metrics[16];
    int rc = swp__options(o, stations, nst, &slo, metrics);
    if (rc) return rc;
    rpt_point *pts = xcalloc((size_t)npts, sizeof *pts);
    rpt_run **grouped = xcalloc((size_t)npts, sizeof *grouped);
    int *count = xcalloc((size_t)npts, sizeof *count);
    for (int i = 0; i < nruns; i++) count[runs[i].sweep_point]++;
    for (int p = 0; p < npts; p++) {
        if (!count[p]) {
            fprintf(stderr, "ordersim: sweep point %d has no complete run (a shard missing from the merge?)\n", p);
            rc = CLI_USAGE;
            goto out;
        }
        grouped[p] = xcalloc((size_t)count[p], sizeof(rpt_run));
        int k = 0;
        for (int i = 0; i < nruns; i++)
            if (runs[i].sweep_point == p) grouped[p][k++] = runs[i];   /* shallow: runs[] keeps ownership */
        /* replications in order (stable: the first recorded first), so summaries do not
         * depend on the order runs arrived in */
        for (int a = 1; a < k; a++)
            for (int b = a; b > 0 && grouped[p][b].replication < grouped[p][b - 1].replication; b--) {
                rpt_run t = grouped[p][b]; grouped[p][b] = grouped[p][b - 1]; grouped[p][b - 1] = t;
            }
        int kept = 0;
        for (int a = 0; a < k; a++) {
            if (kept && grouped[p][a].replication == grouped[p][kept - 1].replication) {
                fprintf(stderr, "note: sweep point %d (%s) replication %d was recorded more than once (a shard run twice?): "
                        "kept the first, dropped a duplicate\n", p, grouped[p][a].sweep_params, grouped[p][a].replication);
                continue;
            }
            grouped[p][kept++] = grouped[p][a];
        }
        rpt_summarize(grouped[p], kept, &pts[p].sum);
        snprintf(pts[p].params, sizeof pts[p].params, "%s", grouped[p][0].sweep_params);
    }
    rpt_capacity *cap = xcalloc(1, sizeof *cap);
    rpt_capacity_opts co = { .load = swp__params_load(pts[0].params), .slo = o->slo ? &slo : NULL,
                             .nmetrics = o->nmetrics, .metrics = metrics };
    rpt_capacity_analyze(pts, npts, &co, cap);
    if (o->json) swp__json(sweep_id, title, cap, pts, stdout);
    else if (!o->quiet) {
        printf("sweep %s: %d points x %d replications (%s)\n\n", title, npts, pts[0].sum.n, cap->load ? "load sweep" : "parameter study");
        rpt_capacity_write_table(cap, pts, stdout);
    }
    bool ok = true;
    for (int p = 0; p < npts; p++) ok &= pts[p].sum.invariants_ok;
    if (!o->no_report) {
        os_diag d;
        os_diag_init(&d);
        rpt_report_in in = { .title = title, .description = description, .command = command, .n = 1,
                             .sums = &pts[npts - 1].sum, .cap = cap, .points = pts, .currency = currency,
                             .generator = "ordersim " ORDERSIM_VERSION,
                             .scn_warnings = (const char *const *)scn_warnings->msgs, .nscn_warnings = scn_warnings->count };
        int charts = 0;
        if (rpt_report_write(dir, &in, &charts, &d) != OS_OK) rc = CLI_IO;
        else if (!o->quiet && !o->json) printf("report: %s/report.html (%d charts; also report.md, report.txt, report.json)\n", dir, charts);
        os_diag_print(&d, stderr);
        os_diag_fini(&d);
    }
    free(cap);
    if (!ok) {
        fprintf(stderr, "ordersim: invariants violated in the sweep\n");
        rc = CLI_INTERNAL;
    }
out:
    for (int p = 0; p < npts; p++) free(grouped[p]);
    free(grouped);
    free(count);
    free(pts);
    return rc;
}

static int cmd_sweep(cli_opts *o)
{
    if (o->nargs != 1 || o->nparams < 1) {
        fprintf(stderr, "ordersim sweep: expected SCENARIO.json and at least one --param PATH=FROM:TO:STEP\n");
        return CLI_USAGE;
    }
    cmd_param *params = xcalloc((size_t)o->nparams, sizeof *params);
    int npts = 1, rc = CLI_OK;
    for (int i = 0; i < o->nparams; i++) {
        char why[160];
        if (!cmd_param_parse(o->params[i], &params[i], why, sizeof why)) {
            fprintf(stderr, "ordersim sweep: bad --param '%.80s%s': %s\n", o->params[i], strlen(o->params[i]) > 80 ? "..." : "", why);
            free(params);
            return CLI_USAGE;
        }
        npts *= params[i].n;
        if (npts > 1024) {
            fprintf(stderr, "ordersim sweep: at most 1024 points in one sweep\n");
            free(params);
            return CLI_USAGE;
        }
    }
    char fwhy[200];
    if (!cmd_param_fits(params, o->nparams, o->nsets, fwhy, sizeof fwhy)) {
        fprintf(stderr, "ordersim sweep: %s\n", fwhy);
        free(params);
        return CLI_USAGE;
    }
    int shard_k = 1, shard_n = 1;
    if (o->shard) {
        char extra;
        if (sscanf(o->shard, "%d/%d%c", &shard_k, &shard_n, &extra) != 2 || shard_n < 1 || shard_k < 1 || shard_k > shard_n) {
            fprintf(stderr, "ordersim sweep: bad --shard '%s': expected K/N with 1 <= K <= N\n", o->shard);
            free(params);
            return CLI_USAGE;
        }
    }
    {   /* bad --slo / --metric is bad input: say so before any run */
        rpt_cond slo, metrics[16];
        int orc = swp__options(o, scn_station_names, SCN_STATIONS, &slo, metrics);
        if (!orc) orc = swp__load_rules(params, o->nparams, o, &slo);
        if (orc) { free(params); return orc; }
    }
    /* Load the base scenario (for the sweep id) and every point's variant. */
    scn_scenario *base;
    if ((rc = cli_load(o->args[0], o, &base))) { free(params); return rc; }
    uint64_t h = swp__fnv(0xcbf29ce484222325ULL, base->resolved_json);
    char tmp[64];
    for (int i = 0; i < o->nparams; i++) h = swp__fnv(swp__fnv(h, "\x1f"), o->params[i]);
    snprintf(tmp, sizeof tmp, "%llu/%d", (unsigned long long)cli_seed(o, base), o->replications);
    h = swp__fnv(h, tmp);
    const char *strategy = o->strategy ? o->strategy : base->strategy;
    h = swp__fnv(swp__fnv(h, "\x1f"), strategy);
    h = swp__fnv(swp__fnv(h, "\x1f"), ORDERSIM_VERSION);
    /* The id names the strategy; an unsharded sweep adds a random part so two invocations
     * never share an id. The shards of one sweep must agree on it, so a sharded sweep's id
     * is the hash alone (a shard run twice is then a retry, deduplicated when reported). */
    char sweep_id[33], nonce[33];
    rpt_db_uuid(nonce);
    char abbrev[4] = "";
    for (int i = 0, k = 0; strategy[i] && k < 3; i++)   /* reduce_on_order -> roo */
        if (i == 0 || strategy[i - 1] == '_') abbrev[k++] = strategy[i];
    if (shard_n > 1) snprintf(sweep_id, sizeof sweep_id, "sweep-%s-%016llx", abbrev, (unsigned long long)h);
    else snprintf(sweep_id, sizeof sweep_id, "sweep-%s-%012llx%.6s", abbrev, (unsigned long long)(h >> 16), nonce);

    scn_scenario **pts = xcalloc((size_t)npts, sizeof *pts);
    char (*ptxt)[256] = xcalloc((size_t)npts, sizeof *ptxt);
    cli_opts po = *o;
    po.no_warnings = true;   /* the base scenario's warnings were printed once */
    cli_budget budget = { 0 };
    po.budget = &budget;
    for (int p = 0; p < npts && !rc; p++) {
        int rem = p;
        char assign[8][320];
        size_t used = 0;
        ptxt[p][0] = '\0';
        for (int i = o->nparams - 1; i >= 0; i--) {   /* last parameter varies fastest */
            int vi = rem % params[i].n;
            rem /= params[i].n;
            snprintf(assign[i], sizeof assign[i], "%s=%s", params[i].path, params[i].values[vi]);
        }
        for (int i = 0; i < o->nparams; i++) {
            used += (size_t)snprintf(ptxt[p] + used, used < 256 ? 256 - used : 0, "%s%s", i ? "," : "", assign[i]);
            if (po.nsets < CLI_MAX_SETS) po.sets[po.nsets++] = assign[i];
        }
        rc = cli_load(o->args[0], &po, &pts[p]);
        po.nsets = o->nsets;
    }
    /* One estimate for the whole sweep (this shard's share of it), not one per point. */
    if (!rc) {
        cli_budget mine_b = budget;
        double share = 1.0 / shard_n;
        mine_b.runs *= share, mine_b.events *= share, mine_b.seconds *= share, mine_b.series_rows *= share;
        mine_b.ledger_rows *= share, mine_b.text_bytes *= share, mine_b.db_bytes *= share, mine_b.held_bytes *= share;
        rc = cli_budget_check(&mine_b, o, o->args[0]);
    }
    int total = npts * o->replications, mine = 0;
    cli_unit *units = xcalloc((size_t)total, sizeof *units);
    rpt_run *runs = xcalloc((size_t)total, sizeof *runs);
    for (int u = 0; u < total && !rc; u++) {
        if (u % shard_n != shard_k - 1) continue;
        int p = u / o->replications, r = u % o->replications;
        units[mine] = (cli_unit){ pts[p], o->strategy, cli_seed(o, base) + (uint64_t)r, r, p, ptxt[p], &runs[mine], OS_OK };
        mine++;
    }
    cli_rec *rec = NULL;
    if (!rc) rec = cli_rec_open(o, base, "sweep", &rc);
    if (!rc) {
        cli_rec_batch(rec, sweep_id);
        int lrc = cli_run_units(units, mine, o, rec, sweep_id);
        for (int i = 0; i < mine; i++) {
            runs[i].sweep_point = units[i].point;
            snprintf(runs[i].sweep_params, sizeof runs[i].sweep_params, "%s", units[i].params);
        }
        rc = cli_rec_close(rec, o);
        if (lrc) rc = lrc;             /* a run stopped by the loop guard */
    }
    if (!rc) {
        if (shard_n > 1) {
            bool ok = true;
            for (int i = 0; i < mine; i++) ok &= runs[i].invariants_ok;
            if (!o->quiet)
                printf("shard %d/%d of %s: %d of %d runs recorded in %s\nmerge the shards with `ordersim merge OUT.db SHARD.db...`, "
                       "then `ordersim report --sweep %s --db OUT.db`\n", shard_k, shard_n, sweep_id, mine, total, o->db, sweep_id);
            if (!ok) rc = CLI_INTERNAL;
        } else {
            char dir[1024], command[1024];
            cli_out_dir(o, base, dir, sizeof dir);
            if (!o->out) strncat(dir, "/sweep", sizeof dir - strlen(dir) - 1);
            snprintf(command, sizeof command, "ordersim sweep %s (%s)", base->file, sweep_id);
            rc = swp__report(o, sweep_id, base->name, base->description, base->currency, &base->warnings, runs, mine, dir, command);
            if (!o->quiet && !o->json) printf("sweep id: %s\n", sweep_id);
        }
    }
    for (int i = 0; i < mine; i++) rpt_run_fini(&runs[i]);
    for (int p = 0; p < npts; p++) scn_free(pts[p]);
    free(runs);
    free(units);
    free(pts);
    free(ptxt);
    free(params);
    scn_free(base);
    return rc;
}

/* `ordersim report --sweep ID`: the capacity report from the (merged) DB. */
int cmd_sweep_report(cli_opts *o, const char *sweep_id)
{
    os_diag d;
    os_diag_init(&d);
    rpt_db *db = NULL;
    int64_t *ids = NULL;
    int n = 0, rc = CLI_OK;
    rc = cli_db_open(o, o->db, RPT_DB_READ, &db);
    if (!rc && rpt_db_batch_runs(db, sweep_id, &ids, &n, &d) != OS_OK) rc = CLI_IO;
    rpt_run *runs = xcalloc((size_t)(n ? n : 1), sizeof *runs);
    char *json = NULL, currency[16] = "";
    for (int i = 0; i < n; i++) rpt_run_init(&runs[i]);
    for (int i = 0; i < n && !rc; i++) {
        os_status st = rpt_db_load(db, ids[i], &runs[i], i ? NULL : &json, &d);
        if (st != OS_OK) rc = os_exit_code(st);
        else if (runs[i].sweep_point < 0) {
            os_diag_add(&d, "%s: run %lld of sweep %s has no sweep point: not a run this program recorded for a sweep", o->db,
                        (long long)ids[i], sweep_id);
            rc = CLI_DATA;
        }
    }
    cli_recorded_currency(json, currency, sizeof currency);
    /* the warnings of the first recorded run's scenario (its point's --param applied) */
    os_diag warn;
    os_diag_init(&warn);
    if (n > 0) cli_recorded_warnings(json, runs[0].strategy, &warn);
    free(json);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    if (!rc && n == 0) {
        fprintf(stderr, "ordersim report: no complete runs of sweep '%s' in %s\n", sweep_id, o->db);
        rc = CLI_USAGE;
    }
    if (!rc) {
        char dir[1024], command[256];
        if (o->out) snprintf(dir, sizeof dir, "%s", o->out);
        else snprintf(dir, sizeof dir, "out/%s", sweep_id);
        snprintf(command, sizeof command, "ordersim report --sweep %s", sweep_id);
        rc = swp__report(o, sweep_id, runs[0].scenario, "Capacity report rebuilt from the results database.", currency, &warn, runs, n, dir, command);
    }
    os_diag_fini(&warn);
    for (int i = 0; i < n; i++) rpt_run_fini(&runs[i]);
    free(runs);
    free(ids);
    rpt_db_close(db);
    return rc;
}

const cli_cmd cmd_sweep_entry = {
    .name = "sweep",
    .usage = "SCENARIO.json --param PATH=FROM:TO:STEP|PATH=a,b,c [--param ...] [--replications R] [--jobs J]\n"
             "       [--slo 'FIGURE<NUMBER'] [--metric FIGURE]... [--strategy NAME] [--shard K/N] [--set PATH=VALUE]...\n"
             "       [--db FILE] [--out DIR] [--no-report]",
    .summary = "Sweeps parameters: a capacity report for a load (knee, bottleneck, bound), else a parameter study.",
    .help = "Several --param make a grid (the last varies fastest). Replication r of every point uses seed + r.\n"
            "A load sweep (every --param is customers.arrivals.rate, customers.arrivals.schedule[N].rate or\n"
            "customers.max_customers) finds the saturation point, the bottleneck and the analytic bound; any other\n"
            "sweep is a parameter study: a table and charts of chosen figures against the parameter.\n"
            "  --slo FIGURE<NUMBER          e.g. order_to_pay_p95<600 or stations.order_service.response_p95<2: in a\n"
            "                               load sweep an upper bound (< or <=; loads listed in ascending order), the\n"
            "                               answer the highest load meeting it, interpolated between the points that\n"
            "                               bracket it, and the knee is also where it first fails; in a parameter\n"
            "                               study any of < <= == != >= >, marked at each point\n"
            "  --metric FIGURE              a parameter study's figures (repeatable; a metric or stations.NAME.FIGURE;\n"
            "                               default orders_paid, throughput_paid_per_s, order_to_pay_p95,\n"
            "                               oversold_units, locked_stock_mean, unsold_units_end, revenue);\n"
            "                               in a load sweep, extra columns of the table\n"
            "  --shard K/N                  run only units K-1, K-1+N, ... (unit = point x replication) into --db;\n"
            "                               merge the shard DBs and run `ordersim report --sweep ID` (docs/cluster.md)\n"
            "The report goes to out/<scenario>/sweep/ (or --out).\n"
            "  --strict                     exit 65 when the scenario has warnings (always printed to stderr first;\n"
            "                               see ordersim validate --help)\n"
            "Exit: 0 ok, 2 usage, 65 bad scenario or bad --slo/--metric, 70 invariant broken, 74 I/O error.\n",
    .options = CLI_OPTS_LOAD CLI_OPTS_RUN CLI_OPTS_DB CLI_OPTS_REPORT "json quiet strategy param shard slo metric",
    .exec = cmd_sweep,
};
