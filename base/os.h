/*
 * os.h — what every ordersim module shares: the one status type, its string table,
 * out-of-memory-aborting allocation, the always-on invariant assert, and a diagnostics
 * list that collects every error found in one input so all are reported at once.
 *
 * Status codes come from one X-macro so the enum and os_strerror() cannot drift apart.
 * Functions return os_status and hand results back through out-parameters.
 */
#ifndef OS_H
#define OS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* The exit code when an allocation fails (sysexits' EX_OSERR): the machine ran out of memory,
 * which is neither bad input nor a broken invariant. */
#define OS_EXIT_NOMEM 71

/* Each status: its code, its message, and the exit code a command returns for it (the one
 * status-to-exit map: 2 bad usage, 65 bad input data, 66 no such input, 70 internal error,
 * 74 I/O error; see os_exit_code). */
#define OS_STATUS_LIST(X)                                                       \
    X(OS_OK,         "ok",                                                0)    \
    X(OS_EINVAL,     "invalid argument",                                  2)    \
    X(OS_EDATA,      "bad input data",                                    65)   \
    X(OS_EFORBIDDEN, "action not allowed in this state for this actor",   65)   \
    X(OS_ESTOCK,     "not enough stock",                                  65)   \
    X(OS_ERISK,      "blocked by risk control",                           65)   \
    X(OS_ELIMIT,     "purchase limit exceeded",                           65)   \
    X(OS_ENOTFOUND,  "not found",                                         66)   \
    X(OS_EIO,        "input/output error",                                74)   \
    X(OS_EINTERNAL,  "internal error",                                    70)

typedef enum {
#define OS__ENUM(code, msg, exit) code,
    OS_STATUS_LIST(OS__ENUM)
#undef OS__ENUM
    OS_STATUS_COUNT
} os_status;

/* The number of elements of an array (not a pointer); for _Static_asserts that tie a
 * table's size to the enum count it is indexed by. */
#define OS_COUNT_OF(a) (sizeof (a) / sizeof (a)[0])

/* Returns the static message of a status; never NULL, "unknown status" for bad codes. */
const char *os_strerror(os_status st);
/* The process exit code for a status, from the same table: 0, 2, 65, 66, 70 or 74 (70 for
 * codes outside the table). Every command maps statuses to exit codes through this. */
int os_exit_code(os_status st);

/* Allocation that never returns NULL: on exhaustion it prints and exits 70. Callers free
 * with free(). Out of memory is therefore never a status to propagate. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* OS_ASSERT is always on: a breach means a run's numbers would be wrong, so it prints the
 * condition and where, and exits 70 (internal error). Bad input never reaches it. */
#define OS_ASSERT(cond) \
    ((cond) ? (void)0 : os__assert_fail(#cond, __FILE__, __LINE__))
_Noreturn void os__assert_fail(const char *cond, const char *file, int line);

/* A list of human-readable diagnostics ("file:3:14: customers.rate: expected ..."). The list
 * owns its strings; init with os_diag_init (or zero it), release with os_diag_fini. */
typedef struct os_diag {
    char **msgs;      /* owned messages, in the order found */
    int    count;     /* number of messages */
    int    cap;       /* allocated slots */
} os_diag;

void os_diag_init(os_diag *d);
void os_diag_fini(os_diag *d);
/* Appends a printf-formatted message. */
void os_diag_add(os_diag *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prints every message, one per line, to the stream (a FILE *; void * keeps stdio out). */
void os_diag_print(const os_diag *d, void *stream);

/* Edit distance between two short strings, capped at 16; used for "did you mean". */
int os_edit_distance(const char *a, const char *b);
/* Index of `s` in names[0..count) (a NULL-terminated list when count < 0), or -1. */
int os_name_find(const char *const *names, int count, const char *s);
/* The name closest to `s` within edit distance `max` (for "did you mean"), or NULL. */
const char *os_name_closest(const char *const *names, int count, const char *s, int max);

/* ---- hints ----------------------------------------------------------------------------- */

/* The layers below app/ state facts; what a user can do about one names the command line's
 * options (and the scenario keys), which only app/ knows. A message that ends in such advice
 * takes its words from this table: app/ fills it once at start-up, before any thread starts
 * (cli_hints_install); unset, each hint is its neutral default, so a library user or a unit
 * test gets the facts alone. X(ID, default, what it completes). */
#define OS_HINT_LIST(X)                                                                            \
    X(EDIT,        "edit", "the name of an edit of a loaded document, before its PATH=VALUE")          \
    X(MEMORY,      "",     "what lowers a run's memory, after \"... than the machine gives it\"")       \
    X(LOG_COLUMN,  "",     "how to name a log's creation-time column, after \"no column ... (found ...)\"") \
    X(DB_WAIT,     "",     "how to wait longer for a locked results database, after \"gave up after waiting N s\"") \
    X(DB_FOREIGN,  "",     "what to do with a file that is not a results database, after \"left untouched\"") \
    X(DB_NEWER,    "",     "what else to do with a newer results database, after \"use a newer ordersim\"") \
    X(DB_MISSING,  "",     "where the results database was named, after \"no such results database\"")

typedef enum os_hint {
#define OS__HE(id, def, what) OS_HINT_##id,
    OS_HINT_LIST(OS__HE)
#undef OS__HE
    OS_HINT_COUNT
} os_hint;

/* Sets hint h's words (a static string; not copied). Only at start-up, before threads. */
void os_hint_set(os_hint h, const char *text);
/* Hint h's words: what os_hint_set gave, else the default. */
const char *os_hint_text(os_hint h);

/* Money is integer minor units (cents). Never floating point in the core. One order's
 * amounts fit in 64 bits (the scenario limits cap an order below 2^63 cents). */
typedef int64_t os_money;
/* Running totals of money over a run (captured, refunded, kept): 128-bit, so no sum of
 * orders can overflow (it would take 2^64 orders of the largest size). */
__extension__ typedef __int128 os_money_total;

#endif
