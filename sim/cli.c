/*
 * cli.c — shared command-line machinery. See cli.h.
 */
#include "cli.h"

#include <errno.h>
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

int cli_parse(int argc, char **argv, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->replications = 1;
    o->jobs = 1;
    o->baseline_run = -1;
    o->db = "out/results.db";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
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
        static const char *const flags[] = { "--json", "--quiet", "--no-report", "--help", "--force", "--ledger",
                                             "--dot", "--mermaid", NULL };
        bool *targets[] = { &o->json, &o->quiet, &o->no_report, &o->help, &o->force, &o->ledger, &o->dot, &o->mermaid };
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
            if (!cli__num(val, 1, 100000, &n)) { fprintf(stderr, "ordersim: --replications takes 1..100000, not '%s'\n", val); return CLI_USAGE; }
            o->replications = (int)n;
        } else if (strcmp(name, "--jobs") == 0) {
            if (!cli__num(val, 1, 1024, &n)) { fprintf(stderr, "ordersim: --jobs takes 1..1024, not '%s'\n", val); return CLI_USAGE; }
            o->jobs = (int)n;
        } else if (strcmp(name, "--set") == 0) {
            if (o->nsets == CLI_MAX_SETS) { fprintf(stderr, "ordersim: too many --set\n"); return CLI_USAGE; }
            o->sets[o->nsets++] = val;
        } else if (strcmp(name, "--db") == 0) o->db = val;
        else if (strcmp(name, "--out") == 0) o->out = val;
        else if (strcmp(name, "--baseline") == 0) o->baseline = val;
        else if (strcmp(name, "--baseline-run") == 0) {
            if (!cli__num(val, 1, 9007199254740992LL, &n)) { fprintf(stderr, "ordersim: --baseline-run takes a run id\n"); return CLI_USAGE; }
            o->baseline_run = n;
        } else if (strcmp(name, "--param") == 0) {
            if (o->nparams == 8) { fprintf(stderr, "ordersim: at most 8 --param\n"); return CLI_USAGE; }
            o->params[o->nparams++] = val;
        } else if (strcmp(name, "--shard") == 0) o->shard = val;
        else if (strcmp(name, "--slo") == 0) o->slo = val;
        else if (strcmp(name, "--tolerance") == 0) o->tolerance = val;
        else if (strcmp(name, "--sweep") == 0) o->sweep = val;
        else if (strcmp(name, "--strategy") == 0) o->strategy = val;
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

void cli_print_help(const cli_cmd *c)
{
    printf("usage: ordersim %s %s\n\n%s\n\n%s", c->name, c->usage, c->summary, c->help);
}

int cli_load(const char *path, const cli_opts *o, scn_scenario **out)
{
    os_diag d;
    os_diag_init(&d);
    os_status st = scn_load(path, o->sets, o->nsets, out, &d);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    switch (st) {
    case OS_OK: return CLI_OK;
    case OS_EIO: return CLI_IO;
    case OS_EINVAL: return CLI_USAGE;
    default: return CLI_DATA;
    }
}

uint64_t cli_seed(const cli_opts *o, const scn_scenario *s) { return o->has_seed ? o->seed : s->seed; }

void cli_out_dir(const cli_opts *o, const scn_scenario *s, char *buf, size_t n)
{
    if (o->out) snprintf(buf, n, "%s", o->out);
    else snprintf(buf, n, "out/%s", s->name);
}

typedef struct cli__work {
    const scn_scenario *s;
    const char *strategy;
    const cli_opts *o;
    rpt_run *runs;
    int next, done, total;
    pthread_mutex_t mu;
    struct timespec t0;
    bool progress;
} cli__work;

static void *cli__worker(void *arg)
{
    cli__work *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        int r = w->next < w->total ? w->next++ : -1;
        pthread_mutex_unlock(&w->mu);
        if (r < 0) return NULL;
        sim_opts so = { .strategy = w->strategy, .seed = cli_seed(w->o, w->s) + (uint64_t)r, .replication = r,
                        .check_every_event = w->o->every_event, .ledger = w->o->ledger || w->o->every_event };
        OS_ASSERT(sim_run(w->s, &so, &w->runs[r]) == OS_OK);
        pthread_mutex_lock(&w->mu);
        w->done++;
        if (w->progress) {
            struct timespec t;
            clock_gettime(CLOCK_MONOTONIC, &t);
            double el = (double)(t.tv_sec - w->t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - w->t0.tv_nsec);
            double eta = el / w->done * (w->total - w->done);
            fprintf(stderr, "\r%s %s: %d/%d replications, %.1f s elapsed, ETA %.1f s   ", w->s->name,
                    w->strategy ? w->strategy : w->s->strategy, w->done, w->total, el, eta);
        }
        pthread_mutex_unlock(&w->mu);
    }
}

void cli_run_replications(const scn_scenario *s, const char *strategy, const cli_opts *o, rpt_run *runs)
{
    for (int r = 0; r < o->replications; r++) rpt_run_init(&runs[r]);
    cli__work w = { .s = s, .strategy = strategy, .o = o, .runs = runs, .total = o->replications,
                    .progress = !o->quiet && isatty(2) };
    pthread_mutex_init(&w.mu, NULL);
    clock_gettime(CLOCK_MONOTONIC, &w.t0);
    int nt = o->jobs < o->replications ? o->jobs : o->replications;
    if (nt <= 1) {
        cli__worker(&w);
    } else {
        pthread_t th[1024];
        for (int i = 0; i < nt; i++) OS_ASSERT(pthread_create(&th[i], NULL, cli__worker, &w) == 0);
        for (int i = 0; i < nt; i++) pthread_join(th[i], NULL);
    }
    if (w.progress) fputs("\n", stderr);
    pthread_mutex_destroy(&w.mu);
}
