/*
 * os.c — status strings, aborting allocation, diagnostics. See os.h.
 */
#include "os.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const os__messages[] = {
#define OS__MSG(code, msg, exit) msg,
    OS_STATUS_LIST(OS__MSG)
#undef OS__MSG
};
static const unsigned char os__exits[] = {
#define OS__EXIT(code, msg, exit) exit,
    OS_STATUS_LIST(OS__EXIT)
#undef OS__EXIT
};
_Static_assert(OS_COUNT_OF(os__messages) == OS_STATUS_COUNT, "one message per status");
_Static_assert(OS_COUNT_OF(os__exits) == OS_STATUS_COUNT, "one exit code per status");
const char *os_strerror(os_status st)
{
    if ((unsigned)st >= OS_STATUS_COUNT) return "unknown status";
    return os__messages[st];
}

int os_exit_code(os_status st)
{
    return (unsigned)st < OS_STATUS_COUNT ? os__exits[st] : 70;
}

/* ---- hints (os.h) ---------------------------------------------------------------------- */

static const char *os__hints[] = {
#define OS__HD(id, def, what) def,
    OS_HINT_LIST(OS__HD)
#undef OS__HD
};
_Static_assert(OS_COUNT_OF(os__hints) == OS_HINT_COUNT, "one default per hint");

void os_hint_set(os_hint h, const char *text)
{
    if ((unsigned)h < OS_HINT_COUNT) os__hints[h] = text ? text : "";
}

const char *os_hint_text(os_hint h) { return (unsigned)h < OS_HINT_COUNT ? os__hints[h] : ""; }

static _Noreturn void os__oom(size_t n)
{
    fprintf(stderr, "ordersim: out of memory allocating %zu bytes: this run needs more memory than the machine gives it%s\n", n,
            os_hint_text(OS_HINT_MEMORY));
    exit(OS_EXIT_NOMEM);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) os__oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) os__oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) os__oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

_Noreturn void os__assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "ordersim: internal error: invariant '%s' broken at %s:%d\n", cond, file, line);
    exit(70);
}

void os_diag_init(os_diag *d)
{
    d->msgs = NULL;
    d->count = d->cap = 0;
}

void os_diag_fini(os_diag *d)
{
    for (int i = 0; i < d->count; i++) free(d->msgs[i]);
    free(d->msgs);
    os_diag_init(d);
}

void os_diag_add(os_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *m = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(m, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->msgs = xrealloc(d->msgs, (size_t)d->cap * sizeof *d->msgs);
    }
    d->msgs[d->count++] = m;
}

void os_diag_print(const os_diag *d, void *stream)
{
    for (int i = 0; i < d->count; i++) fprintf((FILE *)stream, "%s\n", d->msgs[i]);
}

int os_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32) return 16;
    int prev[33], cur[33];
    for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            int m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
        }
        memcpy(prev, cur, sizeof prev);
    }
    return prev[lb] > 16 ? 16 : prev[lb];
}

int os_name_find(const char *const *names, int count, const char *s)
{
    for (int i = 0; count < 0 ? names[i] != NULL : i < count; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

const char *os_name_closest(const char *const *names, int count, const char *s, int max)
{
    const char *best = NULL;
    int bd = max + 1;
    for (int i = 0; count < 0 ? names[i] != NULL : i < count; i++) {
        int d = os_edit_distance(names[i], s);
        if (d < bd) { bd = d; best = names[i]; }
    }
    return best;
}
