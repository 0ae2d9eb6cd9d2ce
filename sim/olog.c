/*
 * olog.c — reading and writing order logs. See olog.h.
 *
 * Reading maps each known column to a header position once, then converts every row into
 * numbers and interned strings; a row with a bad value is dropped whole (never half used),
 * reported with its position, and counted against the --max-bad allowance.
 */
#define _XOPEN_SOURCE 700   /* strptime */
#include "olog.h"

#include "csv.h"
#include "jsn.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OLOG_MAX_NOTES 20   /* bad rows described one by one; the rest are counted */

static const char *const olog__names[] = {
#define OLOG__N(code, name) name,
    OLOG_COLUMNS(OLOG__N)
#undef OLOG__N
};
_Static_assert(OS_COUNT_OF(olog__names) == OLOG_NCOLS, "one name per order-log column");

const char *olog_col_name(olog_col c) { return (unsigned)c < OLOG_NCOLS ? olog__names[c] : "?"; }

/* ---- interning ------------------------------------------------------------------------ */

static uint64_t olog__hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* The index of s in the table, adding it when new. */
static int olog__intern(olog_strings *t, const char *s)
{
    if ((t->n + 1) * 2 > t->hcap) {
        int nc = t->hcap ? t->hcap * 2 : 64;
        int *nh = xcalloc((size_t)nc, sizeof *nh);
        for (int i = 0; i < t->n; i++) {
            size_t k = olog__hash(t->s[i]) & (size_t)(nc - 1);
            while (nh[k]) k = (k + 1) & (size_t)(nc - 1);
            nh[k] = i + 1;
        }
        free(t->hash);
        t->hash = nh;
        t->hcap = nc;
    }
    size_t k = olog__hash(s) & (size_t)(t->hcap - 1);
    while (t->hash[k]) {
        if (strcmp(t->s[t->hash[k] - 1], s) == 0) return t->hash[k] - 1;
        k = (k + 1) & (size_t)(t->hcap - 1);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->s = xrealloc(t->s, (size_t)t->cap * sizeof *t->s);
    }
    t->s[t->n] = xstrdup(s);
    t->hash[k] = t->n + 1;
    return t->n++;
}

static void olog__strings_free(olog_strings *t)
{
    for (int i = 0; i < t->n; i++) free(t->s[i]);
    free(t->s);
    free(t->hash);
}

void olog_free(olog *l)
{
    if (!l) return;
    free(l->rows);
    olog__strings_free(&l->orders);
    olog__strings_free(&l->customers);
    olog__strings_free(&l->skus);
    olog__strings_free(&l->statuses);
    olog__strings_free(&l->extras);
    free(l);
}

/* ---- timestamps ----------------------------------------------------------------------- */

/* Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t olog__days(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads exactly n digits. */
static bool olog__digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool olog__valid_date(int y, int mo, int d)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(mo == 2 && d == 29 && !leap);
}

bool olog_parse_iso(const char *s, double *out)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    double frac = 0;
    if (!olog__digits(&p, 4, &y) || *p++ != '-' || !olog__digits(&p, 2, &mo) || *p++ != '-' || !olog__digits(&p, 2, &d))
        return false;
    if (!olog__valid_date(y, mo, d)) return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!olog__digits(&p, 2, &h) || *p++ != ':' || !olog__digits(&p, 2, &mi)) return false;
        if (*p == ':') {
            p++;
            if (!olog__digits(&p, 2, &sec)) return false;
            if (*p == '.' || *p == ',') {
                p++;
                double scale = 0.1;
                if (!isdigit((unsigned char)*p)) return false;
                for (; isdigit((unsigned char)*p); p++, scale /= 10) frac += (*p - '0') * scale;
            }
        }
        if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec || frac > 0))) return false;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!olog__digits(&p, 2, &oh)) return false;
        if (*p == ':') p++;
        if (isdigit((unsigned char)*p) && !olog__digits(&p, 2, &om)) return false;
        if (oh > 23 || om > 59) return false;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p) return false;
    *out = (double)(olog__days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off) + frac;
    return true;
}

/* Reads a timestamp with a strptime format; the fields are taken as UTC. */
static bool olog__parse_fmt(const char *s, const char *fmt, double *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_mday = 1;
    const char *end = strptime(s, fmt, &tm);
    if (!end || *end) return false;
    *out = (double)(olog__days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
                    tm.tm_min * 60 + tm.tm_sec);
    return true;
}

void olog_format_iso(double t, char *buf, size_t n)
{
    double whole = floor(t);
    int ms = (int)llround((t - whole) * 1000);
    if (ms == 1000) { whole += 1; ms = 0; }
    int64_t z = (int64_t)whole, days = z >= 0 ? z / 86400 : (z - 86399) / 86400, rem = z - days * 86400;
    /* civil_from_days */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
    if (ms)
        snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
                 (int)(rem % 60), ms);
    else
        snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
                 (int)(rem % 60));
}

void olog_put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* ---- reading -------------------------------------------------------------------------- */

/* A row's problem, described with its position (the first OLOG_MAX_NOTES only). */
/* A value as an error quotes it: at most 24 bytes, anything but printable ASCII as \xNN,
 * "..." when cut. An error never repeats more of a file than the field that failed. */
static void olog__token(const char *value, char *buf, size_t n)
{
    size_t k = 0, i = 0;
    for (; value[i] && i < 24 && k + 5 < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') buf[k++] = (char)c;
        else k += (size_t)snprintf(buf + k, n - k, "\\x%02X", c);
    }
    if (value[i] && k + 4 < n) { memcpy(buf + k, "...", 3); k += 3; }
    buf[k] = '\0';
}

static void olog__bad(olog *l, os_diag *rows, const csv_reader *r, int field, const char *fmt, const char *what,
                      const char *value)
{
    if (l->bad < OLOG_MAX_NOTES) {
        char v[128];
        olog__token(value, v, sizeof v);
        os_diag_add(rows, "%s:%ld:%ld: %s: found \"%s\", expected %s", csv_path(r), csv_line(r), csv_col(r, field), what, v, fmt);
    }
}

/* The most extreme timestamps read (OLOG__EXTREMES at each end), with where they are, so
 * that a refusal can point at them without keeping a position for every row. */
#define OLOG__EXTREMES 8
typedef struct olog__ext {
    double t;
    long   line, col;
    int    k;             /* which timestamp column (OLOG_T_*) */
} olog__ext;
typedef struct olog__extremes {
    olog__ext lo[OLOG__EXTREMES], hi[OLOG__EXTREMES];   /* ascending / descending */
    int       nlo, nhi;
} olog__extremes;

/* Keeps e among the lowest (dir = -1) or highest (dir = 1) seen, most extreme first. */
static void olog__ext_add(olog__ext *a, int *n, olog__ext e, int dir)
{
    if (*n == OLOG__EXTREMES && dir * (e.t - a[*n - 1].t) <= 0) return;
    int i = *n < OLOG__EXTREMES ? (*n)++ : *n - 1;
    while (i > 0 && dir * (e.t - a[i - 1].t) > 0) { a[i] = a[i - 1]; i--; }
    a[i] = e;
}

static int olog__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Refuses a log holding a timestamp before 1970 or more than OLOG_MAX_SPREAD from the
 * median creation time (see olog.h). Positioned messages from the tracked extremes. */
static os_status olog__check_times(const char *path, const olog *l, const olog__extremes *x, const char *const *colname,
                                   const olog_col *tcols, os_diag *diag)
{
    if (!l->n) return OS_OK;
    double *c = xmalloc((size_t)l->n * sizeof *c);
    for (int i = 0; i < l->n; i++) c[i] = l->rows[i].t[OLOG_T_CREATED];
    qsort(c, (size_t)l->n, sizeof *c, olog__cmp_double);
    double med = c[l->n / 2];
    free(c);
    double lo = fmax(0, med - OLOG_MAX_SPREAD), hi = med + OLOG_MAX_SPREAD;
    long out = 0;
    for (int i = 0; i < l->n; i++)
        for (int k = 0; k < OLOG_NT; k++)
            if (!isnan(l->rows[i].t[k]) && (l->rows[i].t[k] < lo || l->rows[i].t[k] > hi)) { out++; break; }
    if (!out) return OS_OK;
    char m[40];
    olog_format_iso(med, m, sizeof m);
    int shown = 0;
    for (int end = 0; end < 2; end++) {
        const olog__ext *a = end ? x->hi : x->lo;
        for (int i = 0; i < (end ? x->nhi : x->nlo); i++) {
            double t = a[i].t;
            if (t >= lo && t <= hi) break;
            char v[40];
            olog_format_iso(t, v, sizeof v);
            if (t < 0)
                os_diag_add(diag, "%s:%ld:%ld: %s: %s is before 1970, expected a time near the log's median (%s)", path, a[i].line,
                            a[i].col, colname[tcols[a[i].k]], v, m);
            else
                os_diag_add(diag, "%s:%ld:%ld: %s: %s is %.0f years %s the log's median creation time (%s), expected at most 10",
                            path, a[i].line, a[i].col, colname[tcols[a[i].k]], v, fabs(t - med) / (365.25 * 86400),
                            t < med ? "before" : "after", m);
            shown++;
        }
    }
    os_diag_add(diag, "%s: %ld row%s with a time before 1970 or more than 10 years from the median (%s)%s: refusing the file; "
                "drop them with --min-time/--max-time (ISO 8601) if the rest of the log is right", path, out, out == 1 ? "" : "s",
                m, out > shown ? " (the most extreme shown)" : "");
    return OS_EDATA;
}

os_status olog_read(const char *path, const olog_opts *o, olog **out, os_diag *diag, os_diag *notes)
{
    *out = NULL;
    const char *colname[OLOG_NCOLS];
    for (int c = 0; c < OLOG_NCOLS; c++) colname[c] = olog__names[c];
    char mapped[OLOG_NCOLS][256];
    for (int i = 0; i < o->nmap; i++) {
        const char *eq = strchr(o->map[i], '=');
        int c = eq ? -1 : -2;
        if (eq) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(eq - o->map[i] < 63 ? eq - o->map[i] : 63), o->map[i]);
            c = os_name_find(olog__names, OLOG_NCOLS, name);
        }
        if (c < 0 || !eq[1] || strlen(eq + 1) >= sizeof mapped[0]) {
            os_diag_add(diag, "map \"%s\": expected NAME=COLUMN with NAME one of order_id, customer_id, status, created_at, "
                              "paid_at, cancelled_at, shipped_at, delivered_at, returned_at, sku, quantity, price, channel",
                        o->map[i]);
            return OS_EINVAL;
        }
        snprintf(mapped[c], sizeof mapped[c], "%s", eq + 1);
        colname[c] = mapped[c];
    }
    csv_reader *r;
    os_status st = csv_open(path, o->max_record, &r, diag);
    if (st != OS_OK) return st;
    int got = csv_next(r, diag);
    if (got <= 0) {
        if (got == 0) os_diag_add(diag, "%s:1:1: empty file, expected a header row naming the columns (at least created_at)", path);
        csv_close(r);
        return OS_EDATA;
    }
    int pos[OLOG_NCOLS], extra = -1, nh = csv_nfields(r);
    for (int c = 0; c < OLOG_NCOLS; c++) {
        pos[c] = -1;
        for (int i = 0; i < nh; i++)
            if (strcmp(csv_field(r, i), colname[c]) == 0) pos[c] = i;
    }
    if (o->extra)
        for (int i = 0; i < nh; i++)
            if (strcmp(csv_field(r, i), o->extra) == 0) extra = i;
    if (pos[OLOG_CREATED_AT] < 0 || (o->extra && extra < 0)) {
        const char *want = pos[OLOG_CREATED_AT] < 0 ? colname[OLOG_CREATED_AT] : o->extra;
        /* the header's own text is not repeated: the file may not be a log at all (a trace
         * named by a scenario could name any file), and its first line could be a secret */
        os_diag_add(diag, "%s:%ld:1: no column \"%s\" in the header (it has %d column%s, none named so)%s", path, csv_line(r), want,
                    nh, nh == 1 ? "" : "s", pos[OLOG_CREATED_AT] < 0 ? os_hint_text(OS_HINT_LOG_COLUMN) : "");
        csv_close(r);
        return OS_EDATA;
    }
    olog *l = xcalloc(1, sizeof *l);
    for (int c = 0; c < OLOG_NCOLS; c++) l->has[c] = pos[c] >= 0;
    l->has_extra = extra >= 0;
    static const olog_col tcols[OLOG_NT] = { OLOG_CREATED_AT, OLOG_PAID_AT, OLOG_CANCELLED_AT, OLOG_SHIPPED_AT,
                                             OLOG_DELIVERED_AT, OLOG_RETURNED_AT };
    os_diag rows;
    os_diag_init(&rows);
    const char *tdesc = o->time_format ? o->time_format : "an ISO 8601 time such as 2026-01-05T08:30:00Z";
    olog__extremes ext = { .nlo = 0 };
    while ((got = csv_next(r, diag)) == 1) {
        l->total++;
        olog_row row = { .order = -1, .customer = -1, .sku = -1, .status = -1, .extra = -1, .quantity = NAN,
                         .price = NAN, .line = csv_line(r) };
        bool ok = true;
        if (csv_nfields(r) != nh) {
            if (l->bad < OLOG_MAX_NOTES)
                os_diag_add(&rows, "%s:%ld:1: found %d fields, expected %d (one per header column)", path, csv_line(r),
                            csv_nfields(r), nh);
            ok = false;
        }
        for (int k = 0; ok && k < OLOG_NT; k++) {
            row.t[k] = NAN;
            int f = pos[tcols[k]];
            if (f < 0) continue;
            const char *v = csv_field(r, f);
            if (!*v) {
                if (k == OLOG_T_CREATED) { olog__bad(l, &rows, r, f, tdesc, colname[tcols[k]], v); ok = false; }
                continue;
            }
            if (!(o->time_format ? olog__parse_fmt(v, o->time_format, &row.t[k]) : olog_parse_iso(v, &row.t[k]))) {
                olog__bad(l, &rows, r, f, tdesc, colname[tcols[k]], v);
                ok = false;
            }
        }
        bool outside = false;
        for (int k = 0; ok && k < OLOG_NT; k++) {
            if (isnan(row.t[k])) continue;
            outside |= (o->has_min_time && row.t[k] < o->min_time) || (o->has_max_time && row.t[k] > o->max_time);
        }
        if (ok && outside) {   /* outside the window the user gave: dropped, not bad */
            if (l->dropped < OLOG_MAX_NOTES)
                os_diag_add(notes, "note: %s:%ld:1: a time outside --min-time/--max-time: row dropped", path, csv_line(r));
            l->dropped++;
            continue;
        }
        static const olog_col ncols[2] = { OLOG_QUANTITY, OLOG_PRICE };
        static const double olog__num_max[2] = { 1e6, 1e12 };   /* a line's units, a unit price: far past any shop */
        double *nv[2] = { &row.quantity, &row.price };
        for (int k = 0; ok && k < 2; k++) {
            int f = pos[ncols[k]];
            if (f < 0 || !*csv_field(r, f)) continue;
            char *end;
            double v = strtod(csv_field(r, f), &end);
            if (*end || !isfinite(v) || v < 0 || v > olog__num_max[k]) {
                olog__bad(l, &rows, r, f, k ? "a number from 0 to 1e12" : "a number from 0 to 1e6", colname[ncols[k]], csv_field(r, f));
                ok = false;
            } else *nv[k] = v;
        }
        /* names that become scenario text (SKU, segment) must be UTF-8, as JSON is */
        static const olog_col scols[2] = { OLOG_SKU, OLOG_NCOLS };
        for (int k = 0; ok && k < 2; k++) {
            int f = k ? extra : pos[scols[k]];
            if (f < 0 || jsn_utf8_valid(csv_field(r, f))) continue;
            olog__bad(l, &rows, r, f, "UTF-8 text", k ? o->extra : colname[scols[k]], csv_field(r, f));
            ok = false;
        }
        if (!ok) { l->bad++; continue; }
        if (pos[OLOG_ORDER_ID] >= 0) row.order = olog__intern(&l->orders, csv_field(r, pos[OLOG_ORDER_ID]));
        if (pos[OLOG_CUSTOMER_ID] >= 0) row.customer = olog__intern(&l->customers, csv_field(r, pos[OLOG_CUSTOMER_ID]));
        if (pos[OLOG_SKU] >= 0 && *csv_field(r, pos[OLOG_SKU])) row.sku = olog__intern(&l->skus, csv_field(r, pos[OLOG_SKU]));
        if (pos[OLOG_STATUS] >= 0) row.status = olog__intern(&l->statuses, csv_field(r, pos[OLOG_STATUS]));
        if (extra >= 0) row.extra = olog__intern(&l->extras, csv_field(r, extra));
        for (int k = 0; k < OLOG_NT; k++) {
            if (isnan(row.t[k])) continue;
            olog__ext e = { .t = row.t[k], .line = csv_line(r), .col = csv_col(r, pos[tcols[k]]), .k = k };
            olog__ext_add(ext.lo, &ext.nlo, e, -1);
            olog__ext_add(ext.hi, &ext.nhi, e, 1);
        }
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 1024;
            l->rows = xrealloc(l->rows, (size_t)l->cap * sizeof *l->rows);
        }
        l->rows[l->n++] = row;
    }
    csv_close(r);
    if (l->dropped) os_diag_add(notes, "note: %s: dropped %ld row%s outside --min-time/--max-time", path, l->dropped, l->dropped == 1 ? "" : "s");
    double max_bad = o->max_bad >= 0 ? o->max_bad : 0.01;
    if (got < 0) st = OS_EDATA;
    else if (l->total == 0) {
        os_diag_add(diag, "%s:2:1: no data rows after the header, expected at least one order", path);
        st = OS_EDATA;
    } else if ((double)l->bad > max_bad * (double)l->total) {
        for (int i = 0; i < rows.count; i++) os_diag_add(diag, "%s", rows.msgs[i]);
        if (l->bad > OLOG_MAX_NOTES) os_diag_add(diag, "%s: ... and %ld more bad rows", path, l->bad - OLOG_MAX_NOTES);
        os_diag_add(diag, "%s: %ld of %ld rows are bad (%.2f%%), more than the allowed %.2f%% (--max-bad): refusing the file",
                    path, l->bad, l->total, 100.0 * (double)l->bad / (double)l->total, 100.0 * max_bad);
        st = OS_EDATA;
    } else if (l->bad > 0) {
        for (int i = 0; i < rows.count; i++) os_diag_add(notes, "note: skipped %s", rows.msgs[i]);
        if (l->bad > OLOG_MAX_NOTES) os_diag_add(notes, "note: %s: ... and %ld more bad rows skipped", path, l->bad - OLOG_MAX_NOTES);
        os_diag_add(notes, "note: %s: skipped %ld bad rows of %ld", path, l->bad, l->total);
    }
    os_diag_fini(&rows);
    if (st == OS_OK && l->n == 0) {
        os_diag_add(diag, "%s: no row left inside --min-time/--max-time", path);
        st = OS_EDATA;
    }
    if (st == OS_OK) st = olog__check_times(path, l, &ext, colname, tcols, diag);
    if (st != OS_OK) {
        olog_free(l);
        return st;
    }
    *out = l;
    return OS_OK;
}
