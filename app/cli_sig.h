/*
 * cli_sig.h — SIGINT and SIGTERM for the whole CLI: a dedicated thread waits for them
 * (they are blocked everywhere else), runs the cleanups commands registered, stops the
 * report writer (gnuplot, work directory), prints a message and exits 130 or 143.
 *
 * Because the cleanups run on an ordinary thread, not in a signal handler, they may take
 * locks, write to the results DB and print.
 */
#ifndef CLI_SIG_H
#define CLI_SIG_H

/* A cleanup: `arg` as registered, `sig` "SIGINT" or "SIGTERM". It runs on the signal
 * thread; the process ends after it returns, so it may keep any lock it takes. */
typedef void (*cli_sig_fn)(void *arg, const char *sig);

/* Blocks SIGINT and SIGTERM and starts the thread that waits for them. Call once, from
 * main, before any other thread or child is started (they inherit the blocked mask;
 * children unblock it). */
void cli_sig_start(void);
/* Registers a cleanup (run newest first); returns a slot for cli_sig_pop, or -1 when the
 * table is full (then the cleanup will not run). Must not be called while holding a lock
 * a registered cleanup takes. */
int cli_sig_push(cli_sig_fn fn, void *arg);
/* Unregisters a slot (-1 is ignored). Waits while an interrupt is being handled. */
void cli_sig_pop(int slot);

#endif
