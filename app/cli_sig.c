/*
 * cli_sig.c — SIGINT/SIGTERM handling on a dedicated thread. See cli_sig.h.
 */
#include "cli_sig.h"

#include "rpt_report.h"
#include "sfw.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

enum { CLI_SIG_SLOTS = 8 };

static struct {
    cli_sig_fn fn;   /* NULL: free slot */
    void      *arg;
} cli__sig_slots[CLI_SIG_SLOTS];
/* Guards the slots; the signal thread takes it and never gives it back. */
static pthread_mutex_t cli__sig_mu = PTHREAD_MUTEX_INITIALIZER;
static sigset_t cli__sig_set;

/* Waits for SIGINT or SIGTERM, then cleans up and ends the process with 128 + signal. */
static void *cli__sig_thread(void *arg)
{
    (void)arg;
    int sig = 0;
    while (sigwait(&cli__sig_set, &sig) != 0) {}
    const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";
    pthread_mutex_lock(&cli__sig_mu);
    for (int k = CLI_SIG_SLOTS - 1; k >= 0; k--)
        if (cli__sig_slots[k].fn) cli__sig_slots[k].fn(cli__sig_slots[k].arg, name);
    rpt_report_abort();
    sfw_abort_all();
    fprintf(stderr, "ordersim: interrupted by %s; stopped (exit %d)\n", name, 128 + sig);
    _exit(128 + sig);
}

void cli_sig_start(void)
{
    sigemptyset(&cli__sig_set);
    sigaddset(&cli__sig_set, SIGINT);
    sigaddset(&cli__sig_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &cli__sig_set, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, cli__sig_thread, NULL) == 0) pthread_detach(th);
    else pthread_sigmask(SIG_UNBLOCK, &cli__sig_set, NULL);   /* no thread: default action */
}

int cli_sig_push(cli_sig_fn fn, void *arg)
{
    int slot = -1;
    pthread_mutex_lock(&cli__sig_mu);
    for (int k = 0; k < CLI_SIG_SLOTS && slot < 0; k++)
        if (!cli__sig_slots[k].fn) {
            cli__sig_slots[k].fn = fn;
            cli__sig_slots[k].arg = arg;
            slot = k;
        }
    pthread_mutex_unlock(&cli__sig_mu);
    return slot;
}

void cli_sig_pop(int slot)
{
    if (slot < 0 || slot >= CLI_SIG_SLOTS) return;
    pthread_mutex_lock(&cli__sig_mu);
    cli__sig_slots[slot].fn = NULL;
    cli__sig_slots[slot].arg = NULL;
    pthread_mutex_unlock(&cli__sig_mu);
}
