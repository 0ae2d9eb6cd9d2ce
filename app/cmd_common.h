/*
 * cmd_common.h — pieces several commands share: threshold evaluation and recording a run
 * (DB + report).
 */
#ifndef CMD_COMMON_H
#define CMD_COMMON_H

#include "cli.h"
#include "rpt_report.h"

/* Evaluates the scenario's thresholds into g[0 .. s->n_thresholds) (the caller provides
 * room); returns how many failed. */
int cmd_thresholds(const scn_scenario *s, const rpt_summary *sum, rpt_gate *g);
/* Writes the report of a finished command (the runs were recorded as they ran, see
 * cli_rec), unless --no-report. Returns CLI_OK or CLI_IO. `kind` is "run", "check"...;
 * `gates` (n of them, may be NULL) are the thresholds and baseline comparisons to show;
 * `baseline_note` (may be NULL) says how the baseline was compared. */
int cmd_record(const cli_opts *o, const scn_scenario *s, const rpt_summary *sum, const char *kind, const rpt_gate *gates, int ngates,
               bool has_baseline, const char *baseline_note);
/* Prints the report of a finished command to standard output as text (the same document
 * as report.txt, without charts), unless --quiet or --json. Arguments as cmd_record. */
void cmd_print(const cli_opts *o, const scn_scenario *s, const rpt_summary *sum, const char *kind, const rpt_gate *gates, int ngates,
               bool has_baseline, const char *baseline_note);
/* cmd_print for several summaries (compare); arguments as cmd_record_many. */
void cmd_print_many(const cli_opts *o, const scn_scenario *s, const rpt_summary *sums, int n, rpt_report_in *in, const char *command);
/* The report of several summaries (compare). `in` carries what the command decided
 * (conclusion, gates, reference, verdict metrics); the scenario's parts (title,
 * description, currency) and the summaries are filled in here. */
int cmd_record_many(const cli_opts *o, const scn_scenario *s, const rpt_summary *sums, int n, rpt_report_in *in, const char *command);

/* A swept parameter: PATH=FROM:TO:STEP (numbers) or PATH=a,b,c (any text without commas). */
#define CMD_PARAM_MAX_VALUES 1024
typedef struct cmd_param {
    char path[256];                          /* the scenario key */
    int  n;                                  /* values */
    char values[CMD_PARAM_MAX_VALUES][64];   /* as --set text */
} cmd_param;
/* Parses one --param; false when malformed (FROM > TO, STEP <= 0, too many values, a value
 * too long: never cut short), with the reason in why (wn bytes). Used by sweep and optimize. */
bool cmd_param_parse(const char *spec, cmd_param *p, char *why, size_t wn);
/* False (the reason in why) when n parameters with nsets --set edits pass a fixed limit:
 * more edits than CLI_MAX_SETS, or a point's "PATH=VALUE,..." text longer than 255
 * characters (what a run records). Checked before any run: never dropped silently. */
bool cmd_param_fits(const cmd_param *p, int n, int nsets, char *why, size_t wn);

#endif
