/*
 * cmd_sweep.c — `ordersim sweep SCENARIO --param PATH=FROM:TO:STEP` (or PATH=a,b,c; several
 * --param make a grid): the capacity report. Each (point, replication) is an independent
 * unit seeded with seed + replication, so results do not depend on how units are spread
 * over threads or shards. `--shard K/N` runs units K-1, K-1+N, ... into its own DB; the sweep
 * id is a hash of the resolved scenario, the parameters, the seed and the replications, so
 * every shard agrees on it, and `ordersim report --sweep ID` rebuilds the capacity report
 * from the merged DB.
 */
#include "cli.h"
#include "cmd_common.h"
#include "rpt_capacity.h"
#include "rpt_db.h"
#include "rpt_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SWP_MAX_VALUES 1024

typedef struct swp__param {
    char path[256];                     /* the scenario key */
    int  n;                             /* values */
    char values[SWP_MAX_VALUES][64];    /* as --set text */
} swp__param;

/* Parses PATH=FROM:TO:STEP or PATH=a,b,c. */
static bool swp__parse(const char *spec, swp__param *p)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof p->path) return false;
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
            if (p->n == SWP_MAX_VALUES) return false;
            snprintf(p->values[p->n++], 64, "%.10g", x);
        }
        return p->n > 0;
    }
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (p->n == SWP_MAX_VALUES || strlen(t) >= 64) return false;
        snprintf(p->values[p->n++], 64, "%s", t);
    }
    return p->n > 0;
}

static uint64_t swp__fnv(uint64_t h, const char *t)
{
    for (; *t; t++) h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
    return h;
}

/* Groups complete runs into points in point order and analyses them; prints and reports. */
static int swp__report(const cli_opts *o, const char *title, const char *description, rpt_run *runs, int nruns,
                       const char *dir, const char *command)
{
    int npts = 0;
    for (int i = 0; i < nruns; i++) if (runs[i].sweep_point + 1 > npts) npts = runs[i].sweep_point + 1;
    if (npts < 1 || npts > 1024) {
        fprintf(stderr, "ordersim: no sweep points to report (%d)\n", npts);
        return CLI_USAGE;
    }
    rpt_point *pts = xcalloc((size_t)npts, sizeof *pts);
    rpt_run **grouped = xcalloc((size_t)npts, sizeof *grouped);
    int *count = xcalloc((size_t)npts, sizeof *count);
    for (int i = 0; i < nruns; i++) count[runs[i].sweep_point]++;
    int rc = CLI_OK;
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
        /* replications in order, so summaries do not depend on the order runs arrived in */
        for (int a = 1; a < k; a++)
            for (int b = a; b > 0 && grouped[p][b].replication < grouped[p][b - 1].replication; b--) {
                rpt_run t = grouped[p][b]; grouped[p][b] = grouped[p][b - 1]; grouped[p][b - 1] = t;
            }
        rpt_summarize(grouped[p], k, &pts[p].sum);
        snprintf(pts[p].params, sizeof pts[p].params, "%s", grouped[p][0].sweep_params);
    }
    rpt_capacity cap;
    if (!rpt_capacity_analyze(pts, npts, o->slo, &cap)) {
        fprintf(stderr, "ordersim: bad --slo '%s': expected METRIC<NUMBER, e.g. order_to_pay_p95<600\n", o->slo);
        rc = CLI_USAGE;
        goto out;
    }
    if (!o->quiet) {
        printf("sweep %s: %d points x %d replications\n\n", title, npts, pts[0].sum.n);
        rpt_capacity_write_table(&cap, pts, stdout);
    }
    bool ok = true;
    for (int p = 0; p < npts; p++) ok &= pts[p].sum.invariants_ok;
    if (!o->no_report) {
        os_diag d;
        os_diag_init(&d);
        rpt_report_in in = { .title = title, .description = description, .command = command, .n = 1,
                             .sums = &pts[npts - 1].sum, .cap = &cap, .points = pts };
        int charts = 0;
        if (rpt_report_write(dir, &in, &charts, &d) != OS_OK) rc = CLI_IO;
        else if (!o->quiet) printf("report: %s/report.html (%d charts; also report.md)\n", dir, charts);
        os_diag_print(&d, stderr);
        os_diag_fini(&d);
    }
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
    swp__param *params = xcalloc((size_t)o->nparams, sizeof *params);
    int npts = 1, rc = CLI_OK;
    for (int i = 0; i < o->nparams; i++) {
        if (!swp__parse(o->params[i], &params[i])) {
            fprintf(stderr, "ordersim sweep: bad --param '%s': expected PATH=FROM:TO:STEP (FROM <= TO, STEP > 0) or PATH=a,b,c\n", o->params[i]);
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
    int shard_k = 1, shard_n = 1;
    if (o->shard) {
        char extra;
        if (sscanf(o->shard, "%d/%d%c", &shard_k, &shard_n, &extra) != 2 || shard_n < 1 || shard_k < 1 || shard_k > shard_n) {
            fprintf(stderr, "ordersim sweep: bad --shard '%s': expected K/N with 1 <= K <= N\n", o->shard);
            free(params);
            return CLI_USAGE;
        }
    }
    if (o->slo) {
        rpt_capacity probe;
        if (!rpt_capacity_analyze(NULL, 0, o->slo, &probe)) {
            fprintf(stderr, "ordersim sweep: bad --slo '%s': expected METRIC<NUMBER, e.g. order_to_pay_p95<600\n", o->slo);
            free(params);
            return CLI_USAGE;
        }
    }
    /* Load the base scenario (for the sweep id) and every point's variant. */
    scn_scenario *base;
    if ((rc = cli_load(o->args[0], o, &base))) { free(params); return rc; }
    uint64_t h = swp__fnv(0xcbf29ce484222325ULL, base->resolved_json);
    char tmp[64];
    for (int i = 0; i < o->nparams; i++) h = swp__fnv(swp__fnv(h, "\x1f"), o->params[i]);
    snprintf(tmp, sizeof tmp, "%llu/%d", (unsigned long long)cli_seed(o, base), o->replications);
    h = swp__fnv(h, tmp);
    char sweep_id[33];
    snprintf(sweep_id, sizeof sweep_id, "sweep-%016llx", (unsigned long long)h);

    scn_scenario **pts = xcalloc((size_t)npts, sizeof *pts);
    char (*ptxt)[256] = xcalloc((size_t)npts, sizeof *ptxt);
    cli_opts po = *o;
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
    int total = npts * o->replications, mine = 0;
    cli_unit *units = xcalloc((size_t)total, sizeof *units);
    rpt_run *runs = xcalloc((size_t)total, sizeof *runs);
    for (int u = 0; u < total && !rc; u++) {
        if (u % shard_n != shard_k - 1) continue;
        int p = u / o->replications, r = u % o->replications;
        units[mine] = (cli_unit){ pts[p], o->strategy, cli_seed(o, base) + (uint64_t)r, r, p, ptxt[p], &runs[mine] };
        mine++;
    }
    cli_rec *rec = NULL;
    if (!rc) rec = cli_rec_open(o, base, "sweep", &rc);
    if (!rc) {
        cli_rec_batch(rec, sweep_id);
        cli_run_units(units, mine, o, rec, sweep_id);
        for (int i = 0; i < mine; i++) {
            runs[i].sweep_point = units[i].point;
            snprintf(runs[i].sweep_params, sizeof runs[i].sweep_params, "%s", units[i].params);
        }
        rc = cli_rec_close(rec, o);
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
            rc = swp__report(o, base->name, base->description, runs, mine, dir, command);
            if (!o->quiet) printf("sweep id: %s\n", sweep_id);
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
    if (rpt_db_open(o->db, &db, &d) != OS_OK || rpt_db_batch_runs(db, sweep_id, &ids, &n, &d) != OS_OK) rc = CLI_IO;
    rpt_run *runs = xcalloc((size_t)(n ? n : 1), sizeof *runs);
    for (int i = 0; i < n && !rc; i++) {
        rpt_run_init(&runs[i]);
        if (rpt_db_load(db, ids[i], &runs[i], NULL, &d) != OS_OK) rc = CLI_IO;
    }
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
        rc = swp__report(o, runs[0].scenario, "Capacity report rebuilt from the results database.", runs, n, dir, command);
    }
    for (int i = 0; i < n; i++) rpt_run_fini(&runs[i]);
    free(runs);
    free(ids);
    rpt_db_close(db);
    return rc;
}

const cli_cmd cmd_sweep_entry = {
    .name = "sweep",
    .usage = "SCENARIO.json --param PATH=FROM:TO:STEP|PATH=a,b,c [--param ...] [--replications R] [--jobs J]\n"
             "       [--slo METRIC<NUMBER] [--shard K/N] [--set PATH=VALUE]... [--db FILE] [--out DIR] [--no-report]",
    .summary = "Capacity report: runs the scenario over a range of parameters, finds the saturation point and the bottleneck.",
    .help = "Several --param make a grid (the last varies fastest). Replication r of every point uses seed + r.\n"
            "  --slo order_to_pay_p95<600   the knee is also where this first fails\n"
            "  --shard K/N                  run only units K-1, K-1+N, ... (unit = point x replication) into --db;\n"
            "                               merge the shard DBs and run `ordersim report --sweep ID` (docs/cluster.md)\n"
            "The report goes to out/<scenario>/sweep/ (or --out).\n"
            "Exit: 0 ok, 2 usage, 65 bad scenario, 70 invariant broken, 74 I/O error.\n",
    .exec = cmd_sweep,
};
