/*
 * cli.h — what the commands share: option parsing, scenario loading with the documented exit
 * codes, running replications on several threads, and the command table entry.
 *
 * Exit codes: 0 ok, 1 check failed, 2 bad usage, 65 bad scenario, 66 no such results database
 * (read-only commands), 70 internal error (an invariant broke), 74 I/O error, 130/143
 * interrupted by SIGINT/SIGTERM.
 */
#ifndef CLI_H
#define CLI_H

#include "inv.h"
#include "rpt.h"
#include "rpt_db.h"
#include "scn.h"
#include "sim_model.h"

#include <stdio.h>

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2, CLI_DATA = 65, CLI_NOINPUT = 66, CLI_INTERNAL = 70, CLI_IO = 74 };

#define ORDERSIM_VERSION "0.1.0"
#define CLI_MAX_SETS 256
#define CLI_MAX_ARGS 256

/* The estimated cost of a whole invocation, summed over its runs (cli_budget_add). */
typedef struct cli_budget {
    double runs;         /* replications x strategies x points */
    int    points;       /* scenarios added (sweep points) */
    double events;       /* simulated events, all runs */
    double seconds;      /* CPU seconds at a conservative 1.5 M events/s */
    double series_rows;  /* sampled series values stored */
    double ledger_rows;  /* --ledger transitions stored */
    double text_bytes;   /* scenario text stored (once per run) */
    double db_bytes;     /* growth of the results DB */
    double held_bytes;   /* run records held in memory until the command ends */
    double run_bytes;    /* the largest run's memory while it runs: orders in flight, and its
                            ledger twice (its own, one more waiting for the writer) */
} cli_budget;

/* The documented limits (docs/reliability.md); --force runs past them. */
#define CLI_LIMIT_HOURS 4
#define CLI_LIMIT_BYTES 16e9

typedef struct cli_opts {
    const char *args[CLI_MAX_ARGS]; /* positional arguments */
    int         nargs;
    const char *sets[CLI_MAX_SETS]; /* --set PATH=VALUE, in order */
    int         nsets;
    bool        has_seed;           /* --seed given */
    uint64_t    seed;
    int         replications;       /* --replications, default 1 */
    int         jobs;               /* --jobs, default: the number of online cores */
    const char *db;                 /* --db, default out/results.db */
    double      db_timeout;         /* --db-timeout SECONDS: longest wait for a lock, default 30 */
    const char *out;                /* --out, default out/<scenario>/ */
    bool        json, quiet, no_report, help, force, ledger, dot, mermaid, every_event;
    bool        strict;             /* --strict: a scenario warning is an error (exit 65) */
    bool        warn_all_strategies; /* set by compare: warnings assume every strategy runs */
    bool        no_warnings;        /* set by sweep for its points: the base scenario was checked */
    const char *baseline;           /* --baseline FILE */
    long long   baseline_run;       /* --baseline-run ID, -1 = none */
    const char *params[8];          /* --param (sweep) */
    int         nparams;
    const char *shard;              /* --shard K/N */
    const char *slo;                /* --slo */
    const char *metrics[16];        /* --metric (sweep: a parameter study's figures) */
    int         nmetrics;
    const char *tolerance;          /* --tolerance */
    bool        fail_on_change;     /* --fail-on-change (check): a change to review fails */
    const char *junit;              /* --junit FILE (check) */
    const char *sweep;              /* --sweep ID (report) */
    const char *strategy;           /* --strategy NAME (run: override) */
    const char *view;               /* --view ROLE (fsm: buyer, merchant or system) */
    int         runs_per_replication; /* runs each replication means (compare: one per strategy); 0 = 1 */
    cli_budget *budget;             /* when set, cli_load adds each scenario here instead of checking it */
    const char *orders_csv;         /* --orders-csv FILE (run) */
    FILE       *orders_fp;          /* (run) that file, open; replication 0 writes into it */
    const char *output;             /* -o / --output FILE (fit) */
    const char *maps[32];           /* --map NAME=COLUMN (fit), in order */
    int         nmaps;
    const char *time_format;        /* --time-format (fit) */
    double      max_bad;            /* --max-bad fraction (fit), < 0 = default */
    double      ks_max;             /* --ks-max (fit), < 0 = default */
    const char *period;             /* --period day|week (fit) */
    const char *horizon;            /* --horizon all|busiest-week|busiest-day|DURATION (fit) */
    const char *levels;             /* --levels day|week|none (fit) */
    const char *segment_by;         /* --segment-by COLUMN (fit) */
    const char *min_time, *max_time; /* --min-time / --max-time ISO 8601 (fit): rows outside are dropped */
    bool        has_replications;   /* --replications given */
    bool        strategy_all;       /* --strategy all (optimize only) */
    const char *objectives[2];      /* --objective max:FIGURE|min:FIGURE (optimize) */
    int         nobjectives;
    const char *subject_to[8];      /* --subject-to 'FIGURE OP NUMBER' (optimize) */
    int         nsubject_to;
    const char *opt_budget;         /* --budget RUNS|DURATION (optimize) */
    const char *delta;              /* --delta X (optimize) */
    const char *resume;             /* --resume ID (optimize) */
    const char *optimize;           /* --optimize ID (report) */
} cli_opts;

/* Option groups for the commands' templates (cli_cmd.options): loading a scenario (edits,
 * warnings as errors, past the cost limits), running replications, checking them more
 * closely, the results DB, the report directory. */
#define CLI_OPTS_LOAD   "set strict force "
#define CLI_OPTS_RUN    "seed replications jobs "
#define CLI_OPTS_TRACE  "ledger check-invariants "
#define CLI_OPTS_DB     "db db-timeout "
#define CLI_OPTS_REPORT "out no-report "

typedef struct cli_cmd {
    const char *name;               /* as typed */
    const char *usage;              /* one line of arguments */
    const char *summary;            /* one line of purpose */
    const char *help;               /* the rest of --help */
    const char *options;            /* its argument template: the long options it takes, without "--", separated
                                       by spaces (-o is --output; -h/--help always); any other option is refused */
    int (*exec)(cli_opts *o);       /* returns an exit code */
} cli_cmd;

/* Gives the lower layers' messages their advice in the command line's words (os_hint_set;
 * app/cli_hints.c). Called once by main before anything else runs. */
void cli_hints_install(void);

/* Every command, in the order `ordersim --help` lists them; NULL-terminated. */
extern const cli_cmd *const cli_commands[];

/* True when command c's --help describes option `name`: its own help text mentions --name,
 * or the option is one of those shared by several commands, whose one description
 * cli_print_help adds. */
bool cli_documents(const cli_cmd *c, const char *name);
/* True when command c takes the long option `name` (without "--"). */
bool cli_takes(const cli_cmd *c, const char *name);
/* Parses argv (after the command name) into o, refusing any option that command c does not
 * declare in its template. Returns CLI_OK or CLI_USAGE (with a message on stderr naming the
 * option and the command). */
int cli_parse(const cli_cmd *c, int argc, char **argv, cli_opts *o);
/* True when output to f may be coloured: f is a terminal, NO_COLOR is unset or empty
 * (no-color.org) and TERM is not "dumb". */
bool cli_color(FILE *f);
/* text in green (good) or bold red into buf when cli_color(f), else text as is. */
const char *cli_paint(FILE *f, const char *text, bool good, char *buf, size_t n);
/* Prints a command's --help. */
void cli_print_help(const cli_cmd *c);
/* Loads a scenario with the --set edits; on failure prints every message and returns the
 * exit code (65, 74 or 2); on success returns CLI_OK and *out. Prints the scenario's
 * warnings (scn_warn) to stderr unless o->no_warnings; with --strict a warning fails the
 * load with CLI_DATA (65) and no scenario. The cost of its o->replications x
 * o->runs_per_replication runs is checked (65 above the limits unless --force), or added to
 * o->budget when that is set. */
int cli_load(const char *path, const cli_opts *o, scn_scenario **out);
/* Adds `runs` runs of s to the estimate: events and time, series values, ledger rows,
 * scenario text and run records held in memory. */
void cli_budget_add(cli_budget *b, const scn_scenario *s, const cli_opts *o, double runs);
/* CLI_OK, or CLI_DATA with a message naming `what` when the invocation would pass
 * CLI_LIMIT_HOURS of wall time (on min(jobs, CPUs) threads), CLI_LIMIT_BYTES of memory or
 * CLI_LIMIT_BYTES of DB growth, unless --force. */
int cli_budget_check(const cli_budget *b, const cli_opts *o, const char *what);
/* Records replications in the results DB as they run: each is inserted as 'running' when
 * it starts and completed in one transaction when it ends, so a killed process leaves its
 * unfinished runs visibly not complete. With one thread the worker writes; with --jobs > 1
 * one writer thread does (cli_run_units), in the order the runs were started, so run ids
 * follow the units' order whatever the threads' timing. */
typedef struct cli_rec cli_rec;
/* Opens the DB of o->db for a batch of `kind` runs of s; NULL with *rc = CLI_IO on failure
 * (message printed). */
cli_rec *cli_rec_open(const cli_opts *o, const scn_scenario *s, const char *kind, int *rc);
/* Uses `batch` (at most 32 characters) as the batch id instead of a random one. */
void cli_rec_batch(cli_rec *r, const char *batch);
/* Closes; returns CLI_IO if any write failed (messages printed), else CLI_OK. Prints the
 * recorded id range unless quiet. NULL is allowed. */
int cli_rec_close(cli_rec *r, const cli_opts *o);

/* One independent piece of work: a scenario (possibly a sweep point's variant) under a
 * strategy and seed, filling `out`. */
typedef struct cli_unit {
    const scn_scenario *s;        /* the scenario of this point */
    const char         *strategy; /* NULL: the scenario's */
    uint64_t            seed;     /* this unit's seed */
    int                 replication;
    int                 point;    /* sweep point, -1 when not a sweep */
    const char         *params;   /* sweep point's "PATH=VALUE,..." or NULL */
    rpt_run            *out;      /* initialised by cli_run_units */
    os_status           status;   /* set by cli_run_units: OS_OK, or OS_EDATA when the run stopped */
} cli_unit;

/* Runs units on o->jobs threads (results do not depend on the number of threads), recording
 * each with `rec` when not NULL: with more than one thread, workers hand finished runs to
 * one writer thread through a bounded queue (at most as many waiting as threads) and never
 * wait for the DB otherwise. Once a run is recorded its ledger is freed, and its time series
 * too when o->no_report (only a report reads it), so a finished run holds its metrics only.
 * Shows progress on stderr when it is a terminal. Returns
 * CLI_OK, or CLI_DATA when a run stopped without results (the engine's loop guard: the
 * process definition let an order cycle at one instant); the message is printed on stderr
 * and the run recorded as failed. The caller must then not report the runs. */
int cli_run_units(cli_unit *units, int n, const cli_opts *o, cli_rec *rec, const char *label);

/* Runs o->replications replications of s under `strategy` (NULL: the scenario's) on
 * o->jobs threads; replication r uses seed + r. runs[] must hold o->replications records;
 * they are initialised here. With `rec` each is recorded as it runs. Shows progress on stderr when it is a terminal.
 * Returns as cli_run_units. */
int cli_run_replications(const scn_scenario *s, const char *strategy, const cli_opts *o, rpt_run *runs, cli_rec *rec);
/* Opens o->db (see rpt_db_open) and returns the exit code: 0, 2 for a name that is not a
 * plain file, 66 when a READ open finds no database, else 74; messages printed. */
int cli_db_open(const cli_opts *o, const char *path, rpt_db_mode mode, rpt_db **db);
/* The seed in force: --seed, else the scenario's. */
uint64_t cli_seed(const cli_opts *o, const scn_scenario *s);
/* The currency of a recorded run (the "currency" of the scenario JSON the results DB keeps)
 * into buf; "" when the scenario set none or the JSON cannot be read. */
void cli_recorded_currency(const char *scenario_json, char *buf, size_t n);
/* The warnings of a recorded scenario (the resolved JSON a results DB keeps), derived anew by
 * this build under `strategy` (NULL: the scenario's own), added to `warn` as
 * "recorded scenario:L:C: warning: ..." (positions in the compact recorded JSON). When the
 * JSON no longer loads (e.g. a process file that moved), adds one note saying so instead.
 * Returns the number of messages added. */
int cli_recorded_warnings(const char *scenario_json, const char *strategy, os_diag *warn);
/* Keeps the command line (argv[0] on), recorded with each batch of runs (schema 5). */
void cli_set_argv(int argc, char **argv);
/* CLI_OK, or CLI_USAGE (2) with a message when the output file `out` (given with option
 * `opt`) is the same file (device and inode) as anything else this invocation names: a
 * positional argument (scenario, log, baseline), --db, --baseline, -o, --orders-csv or
 * --junit. An output that does not exist yet passes. */
int cli_check_output(const cli_opts *o, const char *cmd, const char *opt, const char *out);
/* The output directory in force for a scenario (--out or out/<name>/), into buf. */
void cli_out_dir(const cli_opts *o, const scn_scenario *s, char *buf, size_t n);

extern const cli_cmd cmd_run_entry, cmd_validate_entry, cmd_fsm_entry, cmd_compare_entry, cmd_check_entry,
    cmd_history_entry, cmd_report_entry, cmd_merge_entry, cmd_sweep_entry, cmd_fit_entry, cmd_optimize_entry,
    cmd_strategies_entry;
/* `report --sweep ID` lives with the sweep command. */
int cmd_sweep_report(cli_opts *o, const char *sweep_id);
/* `report --optimize ID` lives with the optimize command: it replays the recorded runs with
 * the arguments the optimize stored in the DB, running nothing. */
int cmd_optimize_report(cli_opts *o, const char *id);

#endif
