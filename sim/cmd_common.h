/*
 * cmd_common.h — pieces several commands share: threshold evaluation, metric lookup by
 * name (metric or stations.NAME.FIGURE), and recording a run (DB + report).
 */
#ifndef CMD_COMMON_H
#define CMD_COMMON_H

#include "cli.h"

/* The value of a named metric in a summary: a metric name, or stations.NAME.FIGURE.
 * Returns false when the name is unknown. */
bool cmd_metric_value(const rpt_summary *sum, const char *name, double *out);
/* Evaluates the scenario's thresholds; prints a table to `out` (if not NULL); returns how
 * many failed. */
int cmd_print_thresholds(const scn_scenario *s, const rpt_summary *sum, FILE *out);
/* Records the runs in the results DB and writes the report, unless disabled. Returns an
 * exit code (CLI_OK or CLI_IO). `kind` is "run", "compare"... */
int cmd_record(const cli_opts *o, const scn_scenario *s, const rpt_summary *sum, const char *kind);

#endif
