/*
 * cli.c — shared command-line machinery. See cli.h.
 */
#include "cli.h"
#include "pth.h"
#include "sfw.h"

#include "cli_sig.h"
#include "rpt_db.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool cli__num(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < min || v > max) return false;
    *out = v;
    return true;
}

bool cli_color(FILE *f)
{
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(fileno(f)) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
}

const char *cli_paint(FILE *f, const char *text, bool good, char *buf, size_t n)
{
    if (!cli_color(f)) snprintf(buf, n, "%s", text);
    else snprintf(buf, n, "\033[%sm%s\033[0m", good ? "32" : "1;31", text);
    return buf;
}

const cli_cmd *const cli_commands[] = { &cmd_run_entry, &cmd_compare_entry, &cmd_sweep_entry, &cmd_optimize_entry, &cmd_check_entry,
                                        &cmd_validate_entry, &cmd_fsm_entry, &cmd_history_entry, &cmd_report_entry, &cmd_merge_entry,
                                        &cmd_fit_entry, &cmd_strategies_entry, NULL };

bool cli_takes(const cli_cmd *c, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = c->options; p && *p; p += strcspn(p, " "), p += strspn(p, " "))
        if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\0')) return true;
    return false;
}

/* The message for an option command c does not take, listing those it does. */
static int cli__refuse(const cli_cmd *c, const char *option)
{
    fprintf(stderr, "ordersim %s: %s is not an option of %s; it takes", c->name, option, c->name);
    for (const char *p = c->options; p && *p; p += strcspn(p, " "), p += strspn(p, " "))
        fprintf(stderr, " --%.*s", (int)strcspn(p, " "), p);
    fprintf(stderr, " (see ordersim %s --help)\n", c->name);
    return CLI_USAGE;
}

int cli_parse(const cli_cmd *c, int argc, char **argv, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->replications = 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);   /* results never depend on the number of threads */
    o->jobs = cores < 1 ? 1 : cores > 1024 ? 1024 : (int)cores;
    o->baseline_run = -1;
    o->db = "out/results.db";
    o->db_timeout = RPT_DB_TIMEOUT;
    o->max_bad = o->ks_max = -1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0) { o->help = true; continue; }
        if (strcmp(a, "-o") == 0) {           /* fit's output file ('-' alone is a positional: stdin) */
            if (!cli_takes(c, "output")) return cli__refuse(c, a);
            if (i + 1 >= argc) { fprintf(stderr, "ordersim: -o needs a value\n"); return CLI_USAGE; }
            o->output = argv[++i];
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0) {
            if (o->nargs == CLI_MAX_ARGS) { fprintf(stderr, "ordersim: too many arguments\n"); return CLI_USAGE; }
            o->args[o->nargs++] = a;
            continue;
        }
        char name[64];
        const char *val = NULL, *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        if (len >= sizeof name) { fprintf(stderr, "ordersim: unknown option %s\n", a); return CLI_USAGE; }
        memcpy(name, a, len);
        name[len] = '\0';
        if (strcmp(name, "--help") != 0 && !cli_takes(c, name + 2)) return cli__refuse(c, name);
        static const char *const flags[] = { "--json", "--quiet", "--no-report", "--help", "--force", "--ledger",
                                             "--dot", "--mermaid", "--strict", "--fail-on-change", NULL };
        bool *targets[] = { &o->json, &o->quiet, &o->no_report, &o->help, &o->force, &o->ledger, &o->dot, &o->mermaid,
                            &o->strict, &o->fail_on_change };
        bool is_flag = false;
        for (int k = 0; flags[k]; k++)
            if (strcmp(name, flags[k]) == 0) { *targets[k] = true; is_flag = true; }
        if (is_flag) {
            if (eq) { fprintf(stderr, "ordersim: %s takes no value\n", name); return CLI_USAGE; }
            continue;
        }
        if (eq) val = eq + 1;
        else if (i + 1 < argc) val = argv[++i];
        else { fprintf(stderr, "ordersim: %s needs a value\n", name); return CLI_USAGE; }
        long long n;
        if (strcmp(name, "--seed") == 0) {
            if (!cli__num(val, 0, 9007199254740992LL, &n)) { fprintf(stderr, "ordersim: --seed takes a whole number >= 0, not '%s'\n", val); return CLI_USAGE; }
            o->has_seed = true;
            o->seed = (uint64_t)n;
        } else if (strcmp(name, "--replications") == 0) {
            if (!cli__num(val, 1, RPT_DB_MAX_REPLICATIONS, &n)) { fprintf(stderr, "ordersim: --replications takes 1..%d, not '%s'\n", RPT_DB_MAX_REPLICATIONS, val); return CLI_USAGE; }
            o->replications = (int)n;
            o->has_replications = true;
        } else if (strcmp(name, "--jobs") == 0) {
            if (!cli__num(val, 1, 1024, &n)) { fprintf(stderr, "ordersim: --jobs takes 1..1024, not '%s'\n", val); return CLI_USAGE; }
            o->jobs = (int)n;
        } else if (strcmp(name, "--set") == 0) {
            if (o->nsets == CLI_MAX_SETS) { fprintf(stderr, "ordersim: too many --set\n"); return CLI_USAGE; }
            o->sets[o->nsets++] = val;
        } else if (strcmp(name, "--db") == 0) {
            const char *why;
            if (!rpt_db_path_ok(val, &why)) {
                fprintf(stderr, "ordersim: --db '%s' is %s; give a file name\n", val, why);
                return CLI_USAGE;
            }
            o->db = val;
        } else if (strcmp(name, "--db-timeout") == 0) {
            char *end;
            errno = 0;
            double t = strtod(val, &end);
            if (end == val || *end || errno || !(t >= 0 && t <= 86400)) {
                fprintf(stderr, "ordersim: --db-timeout takes seconds from 0 to 86400, not '%s'\n", val);
                return CLI_USAGE;
            }
            o->db_timeout = t;
        } else if (strcmp(name, "--out") == 0) {
            if (!*val) { fprintf(stderr, "ordersim: --out '' is empty; give a directory\n"); return CLI_USAGE; }
            o->out = val;
        }
        else if (strcmp(name, "--baseline") == 0) o->baseline = val;
        else if (strcmp(name, "--baseline-run") == 0) {
            if (!cli__num(val, 1, 9007199254740992LL, &n)) { fprintf(stderr, "ordersim: --baseline-run takes a run id\n"); return CLI_USAGE; }
            o->baseline_run = n;
        } else if (strcmp(name, "--param") == 0) {
            if (o->nparams == 8) { fprintf(stderr, "ordersim: at most 8 --param\n"); return CLI_USAGE; }
            o->params[o->nparams++] = val;
        } else if (strcmp(name, "--shard") == 0) o->shard = val;
        else if (strcmp(name, "--slo") == 0) o->slo = val;
        else if (strcmp(name, "--metric") == 0) {
            if (o->nmetrics == 16) { fprintf(stderr, "ordersim: at most 16 --metric\n"); return CLI_USAGE; }
            o->metrics[o->nmetrics++] = val;
        }
        else if (strcmp(name, "--tolerance") == 0) o->tolerance = val;
        else if (strcmp(name, "--junit") == 0) o->junit = val;
        else if (strcmp(name, "--sweep") == 0) o->sweep = val;
        else if (strcmp(name, "--objective") == 0) {
            if (o->nobjectives == 2) { fprintf(stderr, "ordersim: at most 2 --objective (a Pareto front)\n"); return CLI_USAGE; }
            o->objectives[o->nobjectives++] = val;
        } else if (strcmp(name, "--subject-to") == 0) {
            if (o->nsubject_to == 8) { fprintf(stderr, "ordersim: at most 8 --subject-to\n"); return CLI_USAGE; }
            o->subject_to[o->nsubject_to++] = val;
        } else if (strcmp(name, "--budget") == 0) o->opt_budget = val;
        else if (strcmp(name, "--delta") == 0) o->delta = val;
        else if (strcmp(name, "--resume") == 0) o->resume = val;
        else if (strcmp(name, "--optimize") == 0) o->optimize = val;
        else if (strcmp(name, "--strategy") == 0 && strcmp(val, "all") == 0) o->strategy_all = true;
        else if (strcmp(name, "--strategy") == 0) {
            if (!inv_strategy_find(val)) {
                fprintf(stderr, "ordersim: unknown strategy '%s' for --strategy (", val);
                for (const inv_strategy *const *k = inv_strategies(); *k; k++) fprintf(stderr, "%s%s", k == inv_strategies() ? "" : ", ", (*k)->name);
                fprintf(stderr, ")\n");
                return CLI_USAGE;
            }
            o->strategy = val;
        }
        else if (strcmp(name, "--orders-csv") == 0) o->orders_csv = val;
        else if (strcmp(name, "--output") == 0) o->output = val;
        else if (strcmp(name, "--map") == 0) {
            if (o->nmaps == 32) { fprintf(stderr, "ordersim: at most 32 --map\n"); return CLI_USAGE; }
            if (!strchr(val, '=')) { fprintf(stderr, "ordersim: --map takes NAME=COLUMN, not '%s'\n", val); return CLI_USAGE; }
            o->maps[o->nmaps++] = val;
        } else if (strcmp(name, "--time-format") == 0) o->time_format = val;
        else if (strcmp(name, "--max-bad") == 0 || strcmp(name, "--ks-max") == 0) {
            char *end;
            double v = strtod(val, &end);
            bool pct = *end == '%';
            if (pct) { v /= 100; end++; }
            if (end == val || *end || !(v >= 0 && v <= 1)) {
                fprintf(stderr, "ordersim: %s takes a fraction from 0 to 1 (or a percentage like 1%%), not '%s'\n", name, val);
                return CLI_USAGE;
            }
            *(strcmp(name, "--max-bad") == 0 ? &o->max_bad : &o->ks_max) = v;
        } else if (strcmp(name, "--period") == 0) {
            if (strcmp(val, "day") != 0 && strcmp(val, "week") != 0) { fprintf(stderr, "ordersim: --period takes 'day' or 'week'\n"); return CLI_USAGE; }
            o->period = val;
        } else if (strcmp(name, "--levels") == 0) {
            if (strcmp(val, "day") != 0 && strcmp(val, "week") != 0 && strcmp(val, "none") != 0) {
                fprintf(stderr, "ordersim: --levels takes 'day', 'week' or 'none'\n");
                return CLI_USAGE;
            }
            o->levels = val;
        } else if (strcmp(name, "--horizon") == 0) o->horizon = val;
        else if (strcmp(name, "--min-time") == 0) o->min_time = val;
        else if (strcmp(name, "--max-time") == 0) o->max_time = val;
        else if (strcmp(name, "--segment-by") == 0) o->segment_by = val;
        else if (strcmp(name, "--view") == 0) {
            if (fsm_actor_parse(val) < 0) {
                fprintf(stderr, "ordersim: unknown role '%s' for --view (buyer, merchant, system)\n", val);
                return CLI_USAGE;
            }
            o->view = val;
        }
        else if (strcmp(name, "--check-invariants") == 0) {
            if (strcmp(val, "every-event") == 0) o->every_event = true;
            else if (strcmp(val, "end") != 0) { fprintf(stderr, "ordersim: --check-invariants takes 'end' or 'every-event'\n"); return CLI_USAGE; }
        } else {
            fprintf(stderr, "ordersim: unknown option %s (see --help)\n", name);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

/* The options several commands take, each described once; cli_print_help prints the line
 * of each one a command takes unless the command's own help describes it. */
static const struct { const char *name, *text; } cli__shared[] = {
    { "seed",             "  --seed N            seed of replication 0 (replication r uses N + r); default: the scenario's\n" },
    { "replications",     "  --replications R    independent replications; metrics are means with 95% intervals\n" },
    { "jobs",             "  --jobs J            replications run on J threads (default: the number of cores; results do not depend on J)\n" },
    { "set",              "  --set PATH=VALUE    override a scenario key, e.g. inventory.order_expiry=5m (repeatable)\n" },
    { "strategy",         "  --strategy NAME     override inventory.strategy\n" },
    { "strict",           "  --strict            exit 65 when the scenario has warnings (always printed to stderr before the runs;\n"
                          "                      see ordersim validate --help)\n" },
    { "force",            "  --force             run past the documented limits of time, memory and results-DB growth\n"
                          "                      (docs/reliability.md)\n" },
    { "json",             "  --json              print the result as JSON instead of the table\n" },
    { "quiet",            "  --quiet             print only the result: no progress, no recorded-run lines\n" },
    { "db",               "  --db FILE           results database (default out/results.db)\n" },
    { "out",              "  --out DIR           report directory (default out/<scenario name>/)\n" },
    { "no-report",        "  --no-report         do not write the report directory\n" },
    { "ledger",           "  --ledger            keep the inventory ledger and replay it in the invariant check\n" },
    { "check-invariants", "  --check-invariants every-event   check every invariant after every event (slow)\n" },
    { "db-timeout",       "  --db-timeout SECONDS  the longest wait for another process's lock on the results DB (default 30),\n"
                          "                        then exit 74 naming the holder\n"
                          "SIGINT/SIGTERM mark this invocation's unfinished runs 'interrupted', remove its work files, stop\n"
                          "gnuplot, and exit 130/143.\n" },
};

/* True when `text` mentions --name as a whole option name. */
static bool cli__mentions(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(text, "--"); p; p = strstr(p + 2, "--")) {
        char after = p[2 + n];
        if (strncmp(p + 2, name, n) == 0 && !(after == '-' || (after >= 'a' && after <= 'z'))) return true;
    }
    return false;
}

/* The shared description of `name`, or NULL. */
static const char *cli__shared_text(const char *name)
{
    for (size_t k = 0; k < sizeof cli__shared / sizeof cli__shared[0]; k++)
        if (strcmp(cli__shared[k].name, name) == 0) return cli__shared[k].text;
    return NULL;
}

bool cli_documents(const cli_cmd *c, const char *name)
{
    return cli__mentions(c->help, name) || cli__shared_text(name);
}

void cli_print_help(const cli_cmd *c)
{
    printf("usage: ordersim %s %s\n\n%s\n\n%s", c->name, c->usage, c->summary, c->help);
    bool first = true;
    for (const char *p = c->options; p && *p; p += strcspn(p, " "), p += strspn(p, " ")) {
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(p, " "), p);
        const char *text = cli__shared_text(name);
        if (!text || cli__mentions(c->help, name) || strcmp(name, "db-timeout") == 0) continue;
        if (first) printf("Options shared with other commands:\n");
        first = false;
        fputs(text, stdout);
    }
    if (cli_takes(c, "db-timeout")) fputs(cli__shared_text("db-timeout"), stdout);   /* the results DB paragraph, last */
}

/* Rough sizes behind the estimate (measured on the shipped scenarios, rounded up). */
#define CLI__DB_ROW_BYTES      40.0   /* a series or metric row in the DB, with its key */
#define CLI__LEDGER_ROW_BYTES  32.0   /* a transitions row */
#define CLI__RUN_DB_BYTES    4096.0   /* a runs row without its scenario text, stations, latency */
#define CLI__TRANS_PER_ORDER    5.0   /* ledger rows per order (create, pay, ship, ...) */

void cli_budget_add(cli_budget *b, const scn_scenario *s, const cli_opts *o, double runs)
{
    sim_estimate e;
    sim_estimate_run(s, &e);
    double rows = s->sample_every > 0 ? floor(s->horizon / s->sample_every) + 1 : 1;
    double cols = 5.0 + fsm_state_count(s->fsm);
    double series = rows * cols;                          /* values per run */
    double ledger = o->ledger || o->every_event ? e.orders * CLI__TRANS_PER_ORDER : 0;
    double text = s->resolved_json ? (double)strlen(s->resolved_json) : 0;
    b->runs += runs;
    b->points++;
    b->events += runs * e.events;
    b->seconds += runs * e.seconds;
    b->series_rows += runs * series;
    b->ledger_rows += runs * ledger;
    b->text_bytes += runs * text;
    b->db_bytes += runs * (CLI__RUN_DB_BYTES + text + (RPT_METRIC_COUNT + series) * CLI__DB_ROW_BYTES +
                           ledger * CLI__LEDGER_ROW_BYTES);
    /* Every run's record is held until the command ends; its series too when a report reads
     * it; its ledger only until it is written (cli__rec_finish): one run's while it runs and
     * one more waiting for the writer, counted per thread in run_bytes. */
    b->held_bytes += runs * ((double)sizeof(rpt_run) + (o->no_report ? 0 : series * sizeof(double)));
    double in_flight = e.bytes + 2 * ledger * sizeof(rpt_trans);
    if (in_flight > b->run_bytes) b->run_bytes = in_flight;
}

int cli_budget_check(const cli_budget *b, const cli_opts *o, const char *what)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    double threads = o->jobs < b->runs ? o->jobs : b->runs;
    if (cpus > 0 && threads > (double)cpus) threads = (double)cpus;
    if (threads < 1) threads = 1;
    double hours = b->seconds / threads / 3600;
    double mem = b->held_bytes + threads * b->run_bytes;
    if (o->force || (hours <= CLI_LIMIT_HOURS && mem <= CLI_LIMIT_BYTES && b->db_bytes <= CLI_LIMIT_BYTES)) return CLI_OK;
    fprintf(stderr, "%s: this invocation would make %.0f run%s (replications x strategies, over %d scenario point%s) of "
                    "about %.3g events in all: roughly %.3g hours on %.0f thread%s, %.3g GB of memory and %.3g GB more in the "
                    "results DB (%.3g M series values, %.3g M ledger rows, %.3g MB of scenario text); the limits are "
                    "%d hours, %d GB of memory and %d GB of DB: lower the horizon, customers.max_customers, the "
                    "replications or the points (or raise report.sample_every), or pass --force to run it anyway\n",
            what, b->runs, b->runs == 1 ? "" : "s", b->points, b->points == 1 ? "" : "s", b->events, hours, threads, threads == 1 ? "" : "s", mem / 1e9,
            b->db_bytes / 1e9, b->series_rows / 1e6, b->ledger_rows / 1e6, b->text_bytes / 1e6, CLI_LIMIT_HOURS,
            (int)(CLI_LIMIT_BYTES / 1e9), (int)(CLI_LIMIT_BYTES / 1e9));
    return CLI_DATA;
}

int cli_load(const char *path, const cli_opts *o, scn_scenario **out)
{
    os_diag d, w;
    os_diag_init(&d);
    os_diag_init(&w);
    scn_warn_opts wo = { .strategy = o->strategy, .all_strategies = o->warn_all_strategies };
    os_status st = scn_load_warn(path, o->sets, o->nsets, &wo, out, &d, o->no_warnings ? NULL : &w);
    os_diag_print(&d, stderr);
    os_diag_print(&w, stderr);
    if (st == OS_OK && o->strict && w.count) {
        fprintf(stderr, "%s: %d warning%s, and --strict makes warnings errors\n", path, w.count, w.count == 1 ? "" : "s");
        scn_free(*out);
        *out = NULL;
        st = OS_EDATA;
    }
    os_diag_fini(&d);
    if (st == OS_OK) {           /* the report repeats them in its Warnings section */
        os_diag_fini(&(*out)->warnings);
        (*out)->warnings = w;
    } else {
        os_diag_fini(&w);
    }
    if (st == OS_OK) {
        /* Say up front when the invocation would not finish in reasonable time or not fit:
         * one estimate for all its runs (a sweep adds its points into o->budget and checks
         * the sum itself). */
        int per = o->runs_per_replication > 0 ? o->runs_per_replication : 1;
        cli_budget own = { 0 };
        cli_budget *b = o->budget ? o->budget : &own;
        cli_budget_add(b, *out, o, (double)o->replications * per);
        int rc = o->budget ? CLI_OK : cli_budget_check(b, o, path);
        if (rc) {
            scn_free(*out);
            *out = NULL;
            return rc;
        }
    }
    return os_exit_code(st);
}

int cli_db_open(const cli_opts *o, const char *path, rpt_db_mode mode, rpt_db **db)
{
    os_diag d;
    os_diag_init(&d);
    os_status st = rpt_db_open(path, mode, o->db_timeout, db, &d);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    return os_exit_code(st);
}

uint64_t cli_seed(const cli_opts *o, const scn_scenario *s) { return o->has_seed ? o->seed : s->seed; }

void cli_recorded_currency(const char *scenario_json, char *buf, size_t n)
{
    if (!n) return;
    buf[0] = '\0';
    cJSON *j = scenario_json ? cJSON_Parse(scenario_json) : NULL;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "currency");
    if (cJSON_IsString(c) && c->valuestring) snprintf(buf, n, "%s", c->valuestring);
    cJSON_Delete(j);
}


int cli_recorded_warnings(const char *scenario_json, const char *strategy, os_diag *warn)
{
    if (!scenario_json) return 0;
    int before = warn->count;
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc = NULL;
    scn_scenario *s = NULL;
    os_status st = jsn_parse("recorded scenario", scenario_json, strlen(scenario_json), &doc, &d);
    if (st == OS_OK) st = scn_from_doc(doc, &s, &d);
    if (st == OS_OK) {
        scn_warn_opts wo = { .strategy = strategy };
        scn_warn(s, doc, &wo, warn);
    } else {
        os_diag_add(warn, "recorded scenario: warning: its warnings could not be derived again (%s)",
                    d.count ? d.msgs[0] : "it no longer loads");
    }
    scn_free(s);
    jsn_free(doc);
    os_diag_fini(&d);
    return warn->count - before;
}

void cli_out_dir(const cli_opts *o, const scn_scenario *s, char *buf, size_t n)
{
    if (o->out) {
        snprintf(buf, n, "%s", o->out);
        return;
    }
    char safe[SCN_NAME_MAX];
    pth_safe_name(s->name, safe, sizeof safe);
    snprintf(buf, n, "out/%s", safe);
}

int cli_check_output(const cli_opts *o, const char *cmd, const char *opt, const char *out)
{
    const char *inputs[CLI_MAX_ARGS + 5];
    const char *what[CLI_MAX_ARGS + 5];
    int n = 0;
    for (int i = 0; i < o->nargs; i++) { inputs[n] = o->args[i]; what[n++] = "an input of this command"; }
    inputs[n] = o->db; what[n++] = "the results database (--db)";
    inputs[n] = o->baseline; what[n++] = "the baseline (--baseline)";
    inputs[n] = o->output; what[n++] = "the output (-o)";
    inputs[n] = o->orders_csv; what[n++] = "the order log (--orders-csv)";
    inputs[n] = o->junit; what[n++] = "the JUnit file (--junit)";
    for (int i = 0; i < n; i++) {
        if (!inputs[i] || inputs[i] == out || !sfw_same_file(out, inputs[i])) continue;
        fprintf(stderr, "ordersim %s: %s %s is the same file as %s (%s); refusing to overwrite it: give another file name\n",
                cmd, opt, out, inputs[i], what[i]);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* A job for the writer thread (--jobs > 1): a unit's 'running' row, or its end. */
typedef enum cli__wkind { CLI__W_BEGIN, CLI__W_FINISH, CLI__W_FAIL } cli__wkind;
typedef struct cli__wjob {
    cli__wkind kind;
    int        k;    /* the unit */
    rpt_run   *head; /* BEGIN: the run's header fields (owned; the unit's record is being filled by its run) */
} cli__wjob;

struct cli_rec {
    rpt_db         *db;        /* the results DB */
    rpt_db_meta     meta;      /* what every run of the batch shares */
    char            batch[33]; /* batch id */
    int64_t         first, last; /* recorded id range */
    bool            failed;    /* a write failed */
    os_diag         diag;      /* messages */
    pthread_mutex_t mu;        /* one writer at a time */
    int             sig_slot;  /* cleanup registered with cli_sig */
    const char     *path;      /* the DB's name, for messages */
    /* The writer queue, while cli_run_units runs with a writer thread (threaded). Guarded
     * by qmu; the writer never holds qmu while it takes mu. */
    bool            threaded;  /* a writer thread owns the DB writes */
    pthread_mutex_t qmu;
    pthread_cond_t  qwork;     /* the writer waits for a job or qstop */
    pthread_cond_t  qroom;     /* workers wait for room for a finished run */
    cli__wjob      *q;         /* ring of qcap jobs */
    int             qcap, qhead, qlen;
    int             qdone;     /* FINISH/FAIL jobs queued: at most qlimit (the records they hold) */
    int             qlimit;
    bool            qstop;     /* no more jobs: the writer ends when the queue is empty */
    bool            qfailed;   /* a write failed: workers start no more units */
    bool            keep;      /* a report reads the series after the runs: do not free them */
    cli_unit       *units;     /* the units being run */
    int64_t        *ids;       /* their run ids (-1 until inserted) */
    bool            inv_done;  /* the invocation row (batches) is written */
    uint64_t        seed;      /* replication 0's seed, for it */
    char            kind[16];
};

/* Seconds a command whose write failed waits for the lock to mark its runs 'failed'. */
#define CLI_MARK_WAIT 10.0

/* The command line, for the invocation row of each batch (cli_set_argv). */
static int cli__argc;
static char **cli__argv;
/* The recorder open now, for cli__rec_atexit; NULL when none. */
static cli_rec *cli__live_rec;

void cli_set_argv(int argc, char **argv)
{
    cli__argc = argc;
    cli__argv = argv;
}

/* The command line as a JSON array of strings (malloc'd). */
static char *cli__argv_json(void)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return NULL;
    fputc('[', f);
    for (int i = 0; i < cli__argc; i++) {
        if (i) fputs(", ", f);
        jsn_write_str(f, cli__argv[i]);
    }
    fputc(']', f);
    fclose(f);
    return buf;
}

/* At exit() (out of memory: 71, a broken assertion: 70) with a recorder still open: its
 * runs still 'running' become 'failed', unless the writer holds the DB right now (then
 * history shows them as abandoned, and the next writer marks them interrupted). */
static void cli__rec_atexit(void)
{
    cli_rec *r = cli__live_rec;
    if (!r || pthread_mutex_trylock(&r->mu) != 0) return;
    os_diag d;
    os_diag_init(&d);
    int n = 0;
    if (rpt_db_mark_unfinished(r->db, r->batch, "failed", &n, &d) == OS_OK && n)
        fprintf(stderr, "ordersim: %d unfinished run%s of batch %s marked 'failed' in %s\n", n, n == 1 ? "" : "s", r->batch, r->path);
    os_diag_fini(&d);
    pthread_mutex_unlock(&r->mu);
}

/* For the signal thread: marks this batch's unfinished runs 'interrupted'. Takes the
 * writer lock and keeps it (the process ends), so no worker writes after this. Runs whose
 * 'running' row still waits in the writer queue are inserted first, so that every run
 * started is marked. */
static void cli__rec_interrupted(void *arg, const char *sig)
{
    cli_rec *r = arg;
    pthread_mutex_lock(&r->mu);
    os_diag d;
    os_diag_init(&d);
    if (r->threaded) {
        pthread_mutex_lock(&r->qmu);
        for (int i = 0; i < r->qlen; i++) {
            cli__wjob *j = &r->q[(r->qhead + i) % r->qcap];
            if (j->kind != CLI__W_BEGIN) continue;
            rpt_db_meta meta = r->meta;
            const cli_unit *u = &r->units[j->k];
            meta.scenario_json = u->s->resolved_json;
            meta.scenario_hash = u->s->hash;
            meta.sweep_point = u->point;
            meta.sweep_params = u->params;
            int64_t id;
            if (!r->failed) rpt_db_begin_run(r->db, &meta, j->head, &id, &d);
        }
    }
    int n = 0;
    if (rpt_db_mark_interrupted(r->db, r->batch, &n, &d) == OS_OK)
        fprintf(stderr, "ordersim: %s: %d unfinished run%s of batch %s marked 'interrupted' in %s\n", sig, n, n == 1 ? "" : "s",
                r->batch, r->path);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
}

cli_rec *cli_rec_open(const cli_opts *o, const scn_scenario *s, const char *kind, int *rc)
{
    cli_rec *r = xcalloc(1, sizeof *r);
    os_diag_init(&r->diag);
    *rc = CLI_OK;
    *rc = cli_db_open(o, o->db, RPT_DB_WRITE, &r->db);
    if (*rc) {
        os_diag_fini(&r->diag);
        free(r);
        return NULL;
    }
    rpt_db_uuid(r->batch);
    r->meta = (rpt_db_meta){ .kind = kind, .batch = r->batch, .scenario_json = s->resolved_json,
                             .scenario_hash = s->hash, .build = ORDERSIM_VERSION, .sweep_point = -1 };
    r->first = r->last = -1;
    r->path = o->db;
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->qmu, NULL);
    pthread_cond_init(&r->qwork, NULL);
    pthread_cond_init(&r->qroom, NULL);
    r->sig_slot = cli_sig_push(cli__rec_interrupted, r);
    r->seed = cli_seed(o, s);
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    static bool registered;
    if (!registered) registered = atexit(cli__rec_atexit) == 0;
    cli__live_rec = r;
    return r;
}

void cli_rec_batch(cli_rec *r, const char *batch)
{
    if (r) snprintf(r->batch, sizeof r->batch, "%s", batch);
}

int cli_rec_close(cli_rec *r, const cli_opts *o)
{
    if (!r) return CLI_OK;
    cli_sig_pop(r->sig_slot);
    int rc = r->failed ? CLI_IO : CLI_OK;
    if (r->failed) {
        /* a write failed (disk full, a lock given up): no run of ours stays 'running'. The
         * lock that made the write give up may soon be free: wait for it a little longer. */
        int n = 0;
        rpt_db_set_timeout(r->db, o->db_timeout > CLI_MARK_WAIT ? o->db_timeout : CLI_MARK_WAIT);
        if (rpt_db_mark_unfinished(r->db, r->batch, "failed", &n, &r->diag) == OS_OK) {
            if (n) os_diag_add(&r->diag, "ordersim: %d unfinished run%s of batch %s marked 'failed' in %s", n, n == 1 ? "" : "s",
                               r->batch, r->path);
        } else {
            os_diag_add(&r->diag, "ordersim: the unfinished runs of batch %s could not be marked 'failed' in %s: `ordersim history` "
                        "shows them as abandoned once this process has ended, and the next run recorded there marks them "
                        "'interrupted'", r->batch, r->path);
        }
    }
    cli__live_rec = NULL;
    os_diag_print(&r->diag, stderr);
    if (!rc && !o->quiet && !o->json && r->first >= 0) {
        if (r->first == r->last) printf("\nrecorded run %lld in %s\n", (long long)r->first, o->db);
        else printf("\nrecorded runs %lld-%lld in %s (batch %s)\n", (long long)r->first, (long long)r->last, o->db, r->batch);
    }
    rpt_db_close(r->db);
    os_diag_fini(&r->diag);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->qmu);
    pthread_cond_destroy(&r->qwork);
    pthread_cond_destroy(&r->qroom);
    free(r);
    return rc;
}

/* The fields of a run's 'running' row (rpt_db_begin_run), set before it starts. */
static void cli__run_head(const cli_unit *u, uint64_t seed, rpt_run *run)
{
    snprintf(run->scenario, sizeof run->scenario, "%s", u->s->name);
    snprintf(run->strategy, sizeof run->strategy, "%s", u->strategy ? u->strategy : u->s->strategy);
    scn_process_label(u->s, run->process, sizeof run->process);
    run->seed = seed;
    run->replication = u->replication;
    run->horizon = u->s->horizon;
    run->warmup = u->s->warmup;   /* as run: rates in a rebuilt report divide by horizon - warmup */
}

/* Inserts the run (header fields in `head`) as running; returns its id or -1. */
static int64_t cli__rec_begin(cli_rec *r, const cli_unit *u, const rpt_run *head)
{
    int64_t id = -1;
    pthread_mutex_lock(&r->mu);
    rpt_db_meta meta = r->meta;
    meta.scenario_json = u->s->resolved_json;
    meta.scenario_hash = u->s->hash;
    meta.sweep_point = u->point;
    meta.sweep_params = u->params;
    if (!r->failed && !r->inv_done) {
        char *argv = cli__argv_json();
        rpt_db_invocation inv = { .batch = r->batch, .kind = r->kind, .argv_json = argv, .version = ORDERSIM_VERSION,
                                  .seed = r->seed, .scenario_hash = r->meta.scenario_hash };
        if (rpt_db_batch_put(r->db, &inv, &r->diag) != OS_OK) r->failed = true;
        r->inv_done = true;
        free(argv);
    }
    if (!r->failed && rpt_db_begin_run(r->db, &meta, head, &id, &r->diag) != OS_OK) r->failed = true;
    pthread_mutex_unlock(&r->mu);
    return r->failed ? -1 : id;
}

/* Marks a run that stopped (the loop guard) as failed, so it is never left 'running'. */
static void cli__rec_fail(cli_rec *r, int64_t id, const rpt_run *run)
{
    pthread_mutex_lock(&r->mu);
    if (id >= 0 && !r->failed && rpt_db_fail_run(r->db, id, run, &r->diag) != OS_OK) r->failed = true;
    pthread_mutex_unlock(&r->mu);
}

/* Writes a finished run's results. Then, unless a report needs them (`keep`), frees what
 * only the results DB needed: the time series and the ledger, so that a finished
 * replication holds its metrics, not its series, until the command ends. */
static void cli__rec_finish(cli_rec *r, int64_t id, rpt_run *run, bool keep)
{
    pthread_mutex_lock(&r->mu);
    if (id >= 0 && !r->failed) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (rpt_db_finish_run(r->db, id, run, &r->diag) != OS_OK) r->failed = true;
        clock_gettime(CLOCK_MONOTONIC, &b);
        /* For benchmarks: how long the results DB took (never part of results). */
        if (getenv("ORDERSIM_TIMING"))
            fprintf(stderr, "timing: run %lld recorded in %.3f s (%zu ledger rows, %zu series rows)\n", (long long)id,
                    (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec), run->ntrans, run->series.nrows);
        if (r->first < 0 || id < r->first) r->first = id;
        if (id > r->last) r->last = id;
    }
    pthread_mutex_unlock(&r->mu);
    free(run->trans);
    run->trans = NULL;
    run->ntrans = run->cap_trans = 0;
    if (!keep) {
        free(run->series.v);
        run->series.v = NULL;
        run->series.nrows = run->series.cap = 0;
    }
}

/* Queues a job for the writer thread. A finished run waits while qlimit finished runs are
 * queued already (the records they hold are the queue's memory). */
static void cli__rec_put(cli_rec *r, cli__wjob job)
{
    pthread_mutex_lock(&r->qmu);
    bool done = job.kind != CLI__W_BEGIN;
    while (done && r->qdone >= r->qlimit) pthread_cond_wait(&r->qroom, &r->qmu);
    OS_ASSERT(r->qlen < r->qcap);
    r->q[(r->qhead + r->qlen++) % r->qcap] = job;
    r->qdone += done;
    pthread_cond_signal(&r->qwork);
    pthread_mutex_unlock(&r->qmu);
}

/* Has a write failed? (Workers then start no more units.) */
static bool cli__rec_failed(cli_rec *r)
{
    pthread_mutex_lock(&r->qmu);
    bool f = r->qfailed;
    pthread_mutex_unlock(&r->qmu);
    return f;
}

/* The writer thread: takes the jobs in the order they were queued (a unit's BEGIN always
 * before its end) and writes each in its own transaction, so simulation workers never wait
 * for the DB. Ends when qstop is set and the queue is empty. */
static void *cli__writer(void *arg)
{
    cli_rec *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->qmu);
        while (!r->qlen && !r->qstop) pthread_cond_wait(&r->qwork, &r->qmu);
        if (!r->qlen) {
            pthread_mutex_unlock(&r->qmu);
            return NULL;
        }
        cli__wjob j = r->q[r->qhead];
        r->qhead = (r->qhead + 1) % r->qcap;
        r->qlen--;
        pthread_mutex_unlock(&r->qmu);
        cli_unit *u = &r->units[j.k];
        if (j.kind == CLI__W_BEGIN) {
            r->ids[j.k] = cli__rec_begin(r, u, j.head);
            free(j.head);
        } else if (j.kind == CLI__W_FINISH) {
            cli__rec_finish(r, r->ids[j.k], u->out, r->keep);
        } else {
            cli__rec_fail(r, r->ids[j.k], u->out);
        }
        pthread_mutex_lock(&r->qmu);
        if (j.kind != CLI__W_BEGIN) {
            r->qdone--;
            pthread_cond_broadcast(&r->qroom);
        }
        if (r->failed) r->qfailed = true;
        pthread_mutex_unlock(&r->qmu);
    }
}

typedef struct cli__work {
    cli_rec *rec;            /* recorder or NULL */
    cli_unit *units;         /* the work */
    const cli_opts *o;
    const char *label;       /* for progress */
    int next, done, total;
    pthread_mutex_t mu;
    struct timespec t0;
    bool progress;
    bool keep;               /* a report reads the runs' series after the runs */
} cli__work;

static void *cli__worker(void *arg)
{
    cli__work *w = arg;
    cli_rec *rec = w->rec;
    bool threaded = rec && rec->threaded;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        int k = w->next < w->total && !(threaded && cli__rec_failed(rec)) ? w->next++ : -1;
        cli_unit *u = k >= 0 ? &w->units[k] : NULL;
        sim_opts so = { 0 };
        if (u)
            so = (sim_opts){ .strategy = u->strategy, .seed = u->seed, .replication = u->replication,
                             .check_every_event = w->o->every_event, .ledger = w->o->ledger || w->o->every_event,
                             .orders_csv = u->replication == 0 && u->point < 0 ? w->o->orders_fp : NULL };
        if (u && threaded) {
            /* Queued under w->mu, so the writer inserts the runs in unit order: their ids
             * do not depend on the threads' timing. */
            rpt_run *head = xmalloc(sizeof *head);
            cli__run_head(u, so.seed, head);
            cli__rec_put(rec, (cli__wjob){ CLI__W_BEGIN, k, head });
        }
        pthread_mutex_unlock(&w->mu);
        if (k < 0) return NULL;
        int64_t id = -1;
        if (rec && !threaded) {
            cli__run_head(u, so.seed, u->out);   /* what the 'running' row needs, before the run fills the rest */
            id = cli__rec_begin(rec, u, u->out);
        }
        /* Once the DB refused a write (locked too long, disk full) the invocation fails:
         * the remaining units are not run. A run the loop guard stops is recorded as
         * 'failed' (never left 'running'). */
        u->status = OS_OK;
        if (!rec || threaded || id >= 0) {
            u->status = sim_run(u->s, &so, u->out);
            OS_ASSERT(u->status == OS_OK || u->status == OS_EDATA);
        }
        if (threaded) cli__rec_put(rec, (cli__wjob){ u->status == OS_OK ? CLI__W_FINISH : CLI__W_FAIL, k, NULL });
        else if (rec && u->status == OS_OK) cli__rec_finish(rec, id, u->out, w->keep);
        else if (rec) cli__rec_fail(rec, id, u->out);
        pthread_mutex_lock(&w->mu);
        w->done++;
        if (w->progress) {
            struct timespec t;
            clock_gettime(CLOCK_MONOTONIC, &t);
            double el = (double)(t.tv_sec - w->t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - w->t0.tv_nsec);
            double eta = el / w->done * (w->total - w->done);
            fprintf(stderr, "\r%s: %d/%d runs, %.1f s elapsed, ETA %.1f s   ", w->label, w->done, w->total, el, eta);
        }
        pthread_mutex_unlock(&w->mu);
    }
}

int cli_run_units(cli_unit *units, int n, const cli_opts *o, cli_rec *rec, const char *label)
{
    for (int k = 0; k < n; k++) rpt_run_init(units[k].out);
    /* Only a report reads the series after the runs; the ledger is read by the DB only. */
    cli__work w = { .rec = rec, .units = units, .o = o, .label = label, .total = n, .progress = !o->quiet && isatty(2),
                    .keep = !o->no_report };
    pthread_mutex_init(&w.mu, NULL);
    clock_gettime(CLOCK_MONOTONIC, &w.t0);
    int nt = o->jobs < n ? o->jobs : n;
    if (nt <= 1) {
        cli__worker(&w);
    } else {
        pthread_t th[1024], writer;
        if (rec) {
            /* One writer thread: workers hand it their runs through a bounded queue (at most
             * nt finished runs waiting, and the 'running' rows queued before them). */
            pthread_mutex_lock(&rec->mu);   /* the signal thread reads these under both locks */
            pthread_mutex_lock(&rec->qmu);
            rec->threaded = true;
            rec->keep = w.keep;
            rec->units = units;
            rec->ids = xmalloc((size_t)n * sizeof *rec->ids);
            for (int k = 0; k < n; k++) rec->ids[k] = -1;
            rec->qcap = 3 * nt + 1;   /* nt finished runs, a BEGIN before each, one more BEGIN per worker */
            rec->q = xcalloc((size_t)rec->qcap, sizeof *rec->q);
            rec->qhead = rec->qlen = rec->qdone = 0;
            rec->qlimit = nt;
            rec->qstop = rec->qfailed = false;
            pthread_mutex_unlock(&rec->qmu);
            pthread_mutex_unlock(&rec->mu);
            OS_ASSERT(pthread_create(&writer, NULL, cli__writer, rec) == 0);
        }
        for (int i = 0; i < nt; i++) OS_ASSERT(pthread_create(&th[i], NULL, cli__worker, &w) == 0);
        for (int i = 0; i < nt; i++) pthread_join(th[i], NULL);
        if (rec) {
            pthread_mutex_lock(&rec->qmu);
            rec->qstop = true;
            pthread_cond_signal(&rec->qwork);
            pthread_mutex_unlock(&rec->qmu);
            pthread_join(writer, NULL);
            pthread_mutex_lock(&rec->mu);   /* the signal thread reads these under both locks */
            pthread_mutex_lock(&rec->qmu);
            rec->threaded = false;
            free(rec->q);
            free(rec->ids);
            rec->q = NULL;
            rec->ids = NULL;
            rec->units = NULL;
            pthread_mutex_unlock(&rec->qmu);
            pthread_mutex_unlock(&rec->mu);
        }
    }
    if (w.progress) fputs("\n", stderr);
    pthread_mutex_destroy(&w.mu);
    if (rec && rec->failed) {
        /* The results could not be recorded: say why and stop here rather than print a
         * summary of runs that were skipped. */
        for (int k = 0; k < n; k++) rpt_run_fini(units[k].out);
        exit(cli_rec_close(rec, o));
    }
    int rc = CLI_OK;
    for (int k = 0; k < n; k++) {
        if (units[k].status == OS_OK) continue;
        for (int i = 0; i < units[k].out->violations.count; i++)
            fprintf(stderr, "ordersim: run stopped (%s, seed %llu): %s\n", units[k].out->strategy,
                    (unsigned long long)units[k].seed, units[k].out->violations.msgs[i]);
        rc = CLI_DATA;
    }
    return rc;
}

int cli_run_replications(const scn_scenario *s, const char *strategy, const cli_opts *o, rpt_run *runs, cli_rec *rec)
{
    cli_unit *u = xcalloc((size_t)o->replications, sizeof *u);
    for (int r = 0; r < o->replications; r++)
        u[r] = (cli_unit){ s, strategy, cli_seed(o, s) + (uint64_t)r, r, -1, NULL, &runs[r], OS_OK };
    char label[160];
    snprintf(label, sizeof label, "%s %s", s->name, strategy ? strategy : s->strategy);
    int rc = cli_run_units(u, o->replications, o, rec, label);
    free(u);
    return rc;
}
