/*
 * cmd_common.h — pieces several commands share: threshold evaluation and recording a run
 * (DB + report).
 */
#ifndef CMD_COMMON_H
#define CMD_COMMON_H

#include "cli.h"

/* Evaluates the scenario's thresholds; prints a table to `out` (if not NULL); returns how
 * many failed. */
int cmd_print_thresholds(const scn_scenario *s, const rpt_summary *sum, FILE *out);
/* Writes the report of a finished command (the runs were recorded as they ran, see
 * cli_rec), unless --no-report. Returns CLI_OK or CLI_IO. `kind` is "run", "compare"... */
int cmd_record(const cli_opts *o, const scn_scenario *s, const rpt_summary *sum, const char *kind);
/* The report of several summaries (compare), with its conclusion and extra
 * markdown (may be NULL) and the command line shown in the report. */
int cmd_record_many(const cli_opts *o, const scn_scenario *s, const rpt_summary *sums, int n,
                    const char *conclusion, const char *extra_md, const char *command);

#endif
