/*
 * fsm_int.h — what the files of the fsm module share and nothing else includes: the body of
 * a definition and the helpers that build one. fsm.c builds (built-ins) and answers queries,
 * fsm_load.c reads a definition file, fsm_lint.c checks one, fsm_draw.c draws and diffs.
 */
#ifndef FSM_INT_H
#define FSM_INT_H

#include "fsm.h"

struct fsm_def {
    char           name[FSM_NAME_MAX];                   /* process name */
    char           file[256];                            /* source file, "" for built-ins */
    int            n_states;                             /* states defined */
    char           states[FSM_MAX_STATES][FSM_NAME_MAX]; /* state names */
    int            state_line[FSM_MAX_STATES];           /* where each was named (0 built-in) */
    int            state_col[FSM_MAX_STATES];            /* and the column */
    uint32_t       terminal;                             /* bit s set when state s is terminal */
    int            initial;                              /* index of the initial state */
    int            n_trans;                              /* rows defined */
    fsm_transition trans[FSM_MAX_TRANS];                 /* the rows */
    uint8_t        next[FSM_MAX_STATES][FSM_ACTION_COUNT]; /* row index per (state, action) */
    int            timer[FSM_MAX_STATES];                /* index of the timed row, or -1 */
    fsm_stock_hook stock_hook;                           /* where stock is committed */
    bool           builtin;                              /* static storage, never freed */
    fsm_stance     stance[FSM_MAX_STATES];               /* what each state means */
    bool           declared[FSM_MAX_STATES];             /* stance written in the file */
    char           labels[FSM_MAX_STATES][FSM_ACTOR_COUNT][FSM_NAME_MAX]; /* "" = the name */
    char           inherits[FSM_NAME_MAX];               /* built-in stances come from */
};

/* Names in the order of their enums (fsm.c); fsm__actor_names_z ends with NULL. */
extern const char *const fsm__action_names[FSM_ACTION_COUNT];
extern const char *const fsm__actor_names[FSM_ACTOR_COUNT];
extern const char *const fsm__actor_names_z[FSM_ACTOR_COUNT + 1];
extern const char *const fsm__after_names[FSM_AFTER_COUNT];
extern const char *const fsm__stock_names[FSM_STOCK_COUNT];
extern const char *const fsm__money_names[FSM_MONEY_COUNT];

/* Empties d (no states, rows or timers; initial -1) and names it. */
void fsm__init(fsm_def *d, const char *name);
/* Adds a state named `name` (named at `line`, 0 for built-ins); returns its index, or -1
 * when the table is full or the name is a duplicate, empty or too long (the caller reports
 * which). */
int fsm__add_state(fsm_def *d, const char *name, int line);
/* Adds a row; OS_EINVAL when (from, action) already has one or the table is full. */
os_status fsm__add_row(fsm_def *d, const fsm_transition *t);
/* Gives the states of d that share a name with a state of the built-in d->inherits that
 * built-in's labels where d has none, and its stance where d declared none. */
void fsm__inherit(fsm_def *d);
/* Parses an "after" value: the name of a scenario timer (returns its fsm_after kind), or a
 * duration (returns FSM_AFTER_FIXED, seconds in *secs); -1 for anything else. */
int fsm__after_parse(const char *s, double *secs);

#endif
