/*
 * rpt_doc.c — the report model and its four writers. See rpt_doc.h.
 *
 * The model is a few growable arrays of copied strings and cells; nothing points into the
 * caller's memory, so a document outlives the summaries it was built from. Each writer walks
 * the same items in the same order; the human writers format every number through
 * rpt_num_format and nothing else.
 */
#include "rpt_doc.h"
#include "jsn.h"

#include "rpt_report.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct rpt__cell {
    rpt_cell_kind kind;
    char         *text;      /* text, verdict label or pass/fail label (owned) */
    double        v, ci;     /* a number and its 95% half-width (NAN: none) */
    char          unit[24];  /* the number's unit */
    rpt_tone      tone;      /* colour of a verdict or pass/fail */
} rpt__cell;

typedef struct rpt__table {
    int        ncols;
    char     **heads;        /* ncols headings (owned) */
    rpt__cell *cells;        /* row-major */
    size_t     ncells, cap;
} rpt__table;

typedef enum rpt__item_kind { RPT__PARA, RPT__TABLE, RPT__CHART } rpt__item_kind;
typedef struct rpt__item {
    rpt__item_kind kind;
    char          *text;     /* paragraph, or chart title (owned) */
    char           name[64]; /* chart file stem */
    rpt__table    *table;    /* owned */
} rpt__item;

typedef struct rpt__section {
    char       id[64];
    char      *title;        /* owned */
    rpt__item *items;
    int        n, cap;
} rpt__section;

typedef struct rpt__strs { char **v; int n, cap; } rpt__strs;

struct rpt_doc {
    char         *title;
    char          currency[16];
    rpt__strs     fkeys, fvals;  /* facts */
    rpt__strs     summary, warnings;
    rpt__section *sec;
    int           nsec, capsec;
};

/* ---- numbers ------------------------------------------------------------------------- */

/* Writes x with `dec` decimals and thousands separators into buf. */
static void rpt__group(double x, int dec, char *buf, size_t n)
{
    char raw[400];
    snprintf(raw, sizeof raw, "%.*f", dec, x);
    if (strcmp(raw, "-0") == 0 || (raw[0] == '-' && strspn(raw + 1, "0.") == strlen(raw + 1))) memmove(raw, raw + 1, strlen(raw));
    const char *p = raw;
    size_t o = 0;
    if (*p == '-' && o + 1 < n) buf[o++] = *p++;
    size_t digits = strcspn(p, ".");
    for (size_t i = 0; i < digits && o + 1 < n; i++) {
        if (i && (digits - i) % 3 == 0 && o + 2 < n) buf[o++] = ',';
        buf[o++] = p[i];
    }
    for (const char *q = p + digits; *q && o + 1 < n; q++) buf[o++] = *q;
    buf[o < n ? o : n - 1] = '\0';
}

/* Removes trailing zeros (and a trailing point) after a decimal point. */
static void rpt__trim(char *s)
{
    if (!strchr(s, '.')) return;
    size_t len = strlen(s);
    while (len && s[len - 1] == '0') s[--len] = '\0';
    if (len && s[len - 1] == '.') s[--len] = '\0';
}

void rpt_num_format(double v, double ci, const char *unit, const char *currency, char *buf, size_t n)
{
    if (!n) return;
    if (!isfinite(v)) { snprintf(buf, n, "-"); return; }
    if (!unit) unit = "";
    bool money = strcmp(unit, "money") == 0;
    const char *shown = money ? (currency ? currency : "") : unit;
    /* an interval below a billionth of the value is rounding noise between equal
     * replications, not uncertainty: it would print as 100.000000000 ± 0.000000000 */
    bool has_ci = isfinite(ci) && ci > 0 && ci > 1e-9 * fabs(v);
    char a[200], b[200] = "";
    if (has_ci) {
        /* two significant digits of the half-width; the value to the same decimal place,
         * never rounding away integer digits of the value */
        int e = (int)floor(log10(ci));
        int dec = 1 - e;
        double cr = ci;
        if (dec < 0) { double p = pow(10, -dec); cr = round(ci / p) * p; dec = 0; }
        if (dec > 9) dec = 9;
        if (money && dec > 2) dec = 2;
        rpt__group(v, dec, a, sizeof a);
        rpt__group(cr, dec, b, sizeof b);
    } else if (money) {
        rpt__group(v, 2, a, sizeof a);
    } else if (v == floor(v) && fabs(v) < 1e15) {
        rpt__group(v, 0, a, sizeof a);
    } else {
        int e = fabs(v) > 0 ? (int)floor(log10(fabs(v))) : 0;
        int dec = 3 - e;
        if (dec < 0) dec = 0;
        if (dec > 9) dec = 9;
        rpt__group(v, dec, a, sizeof a);
        rpt__trim(a);
    }
    const char *sep = *shown && strcmp(shown, "%") != 0 ? " " : "";
    if (has_ci) snprintf(buf, n, "%s \u00b1 %s%s%s", a, b, sep, shown);
    else snprintf(buf, n, "%s%s%s", a, sep, shown);
}

const char *rpt_ref_unit(const rpt_ref *r)
{
    if (r->metric >= 0) {
        return rpt_metric_unit_label((rpt_metric)r->metric, NULL);
    }
    switch (r->figure) {
    case RPT_ST_UTILIZATION:
    case RPT_ST_UTILIZATION_PEAK: return "";
    case RPT_ST_QUEUE_MAX: return "requests";
    default: return "s";
    }
}

/* ---- building ------------------------------------------------------------------------ */

static char *rpt__vfmt(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int len = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *s = xmalloc((size_t)len + 1);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    return s;
}

static char *rpt__dup(const char *s)
{
    size_t len = strlen(s ? s : "");
    char *c = xmalloc(len + 1);
    memcpy(c, s ? s : "", len + 1);
    return c;
}

static void rpt__push(rpt__strs *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    l->v[l->n++] = s;
}

static void rpt__strs_free(rpt__strs *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
}

rpt_doc *rpt_doc_create(const char *title, const char *currency)
{
    rpt_doc *d = xcalloc(1, sizeof *d);
    d->title = rpt__dup(title);
    snprintf(d->currency, sizeof d->currency, "%s", currency ? currency : "");
    return d;
}

void rpt_doc_destroy(rpt_doc *d)
{
    if (!d) return;
    free(d->title);
    rpt__strs_free(&d->fkeys);
    rpt__strs_free(&d->fvals);
    rpt__strs_free(&d->summary);
    rpt__strs_free(&d->warnings);
    for (int s = 0; s < d->nsec; s++) {
        rpt__section *x = &d->sec[s];
        for (int i = 0; i < x->n; i++) {
            free(x->items[i].text);
            rpt__table *t = x->items[i].table;
            if (!t) continue;
            for (int c = 0; c < t->ncols; c++) free(t->heads[c]);
            free(t->heads);
            for (size_t c = 0; c < t->ncells; c++) free(t->cells[c].text);
            free(t->cells);
            free(t);
        }
        free(x->items);
        free(x->title);
    }
    free(d->sec);
    free(d);
}

void rpt_doc_fact(rpt_doc *d, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rpt__push(&d->fkeys, rpt__dup(key));
    rpt__push(&d->fvals, rpt__vfmt(fmt, ap));
    va_end(ap);
}

void rpt_doc_summary(rpt_doc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rpt__push(&d->summary, rpt__vfmt(fmt, ap));
    va_end(ap);
}

void rpt_doc_warning(rpt_doc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rpt__push(&d->warnings, rpt__vfmt(fmt, ap));
    va_end(ap);
}

void rpt_doc_section(rpt_doc *d, const char *id, const char *title)
{
    if (d->nsec == d->capsec) {
        d->capsec = d->capsec ? 2 * d->capsec : 8;
        d->sec = xrealloc(d->sec, (size_t)d->capsec * sizeof *d->sec);
    }
    rpt__section *s = &d->sec[d->nsec++];
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", id);
    s->title = rpt__dup(title);
}

/* A new item in the current section (a section "details" is opened if none is). */
static rpt__item *rpt__item_new(rpt_doc *d, rpt__item_kind kind)
{
    if (!d->nsec) rpt_doc_section(d, "details", "Details");
    rpt__section *s = &d->sec[d->nsec - 1];
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->items = xrealloc(s->items, (size_t)s->cap * sizeof *s->items);
    }
    rpt__item *it = &s->items[s->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    return it;
}

void rpt_doc_para(rpt_doc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rpt__item_new(d, RPT__PARA)->text = rpt__vfmt(fmt, ap);
    va_end(ap);
}

void rpt_doc_table(rpt_doc *d, int ncols, const char *const *heads)
{
    OS_ASSERT(ncols > 0);
    rpt__table *t = xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->heads = xcalloc((size_t)ncols, sizeof *t->heads);
    for (int c = 0; c < ncols; c++) t->heads[c] = rpt__dup(heads[c]);
    rpt__item_new(d, RPT__TABLE)->table = t;
}

/* The next cell of the last table of the current section. */
static rpt__cell *rpt__cell_new(rpt_doc *d, rpt_cell_kind kind)
{
    OS_ASSERT(d->nsec > 0);
    rpt__section *s = &d->sec[d->nsec - 1];
    rpt__table *t = NULL;
    for (int i = s->n - 1; i >= 0 && !t; i--) t = s->items[i].table;
    OS_ASSERT(t);
    if (t->ncells == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->cells = xrealloc(t->cells, t->cap * sizeof *t->cells);
    }
    rpt__cell *c = &t->cells[t->ncells++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->v = c->ci = NAN;
    return c;
}

void rpt_doc_text(rpt_doc *d, const char *text) { rpt__cell_new(d, RPT_CELL_TEXT)->text = rpt__dup(text); }

void rpt_doc_num(rpt_doc *d, double v, double ci, const char *unit)
{
    rpt__cell *c = rpt__cell_new(d, RPT_CELL_NUM);
    c->v = v;
    c->ci = ci;
    snprintf(c->unit, sizeof c->unit, "%s", unit ? unit : "");
}

void rpt_doc_verdict(rpt_doc *d, const char *label, rpt_tone tone)
{
    rpt__cell *c = rpt__cell_new(d, RPT_CELL_VERDICT);
    c->text = rpt__dup(label);
    c->tone = tone;
}

void rpt_doc_pass(rpt_doc *d, bool pass, const char *label)
{
    rpt__cell *c = rpt__cell_new(d, RPT_CELL_PASS);
    c->text = rpt__dup(label ? label : pass ? "pass" : "FAIL");
    c->tone = pass ? RPT_TONE_GOOD : RPT_TONE_BAD;
    c->v = pass;
}

void rpt_doc_chart(rpt_doc *d, const char *name, const char *title)
{
    rpt__item *it = rpt__item_new(d, RPT__CHART);
    snprintf(it->name, sizeof it->name, "%s", name);
    it->text = rpt__dup(title);
}

/* The human text of a cell, into buf. */
static const char *rpt__cell_text(const rpt_doc *d, const rpt__cell *c, char *buf, size_t n)
{
    if (c->kind == RPT_CELL_NUM) rpt_num_format(c->v, c->ci, c->unit, d->currency, buf, n);
    else snprintf(buf, n, "%s", c->text ? c->text : "");
    return buf;
}

/* ---- plain text ---------------------------------------------------------------------- */

/* True for a code point a terminal draws two columns wide (East Asian Wide and Fullwidth:
 * Hangul Jamo, CJK, Hangul syllables, compatibility ideographs, fullwidth forms, the
 * supplementary ideographic planes). */
static bool rpt__wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Display width of UTF-8 text (valid: rpt_printable has escaped the rest) in terminal
 * columns: one per code point, two for a wide one. */
static int rpt__width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
        uint32_t cp = n == 1 ? *p : (uint32_t)(*p & (0x7F >> n));
        for (int k = 1; k < n && (p[k] & 0xC0) == 0x80; k++) cp = cp << 6 | (p[k] & 0x3Fu);
        w += rpt__wide(cp) ? 2 : 1;
        for (int k = 0; k < n && *p; k++) p++;
    }
    return w;
}

/* Text for a terminal: control characters and invalid UTF-8 as \xNN (rpt_printable), so a
 * scenario's name or description cannot move the cursor or rewrite the screen; with
 * `lines`, newlines are kept (a paragraph's list). */
static void rpt__text_put(FILE *out, const char *s, bool lines)
{
    size_t len = strlen(s);
    char *buf = xmalloc(4 * len + 64), *line = xmalloc(len + 1);
    for (const char *p = s;;) {
        size_t k = lines ? strcspn(p, "\n") : strlen(p);
        memcpy(line, p, k);
        line[k] = '\0';
        fputs(rpt_printable(line, buf, 4 * len + 64), out);
        if (!p[k]) break;
        fputc('\n', out);
        p += k + 1;
    }
    free(line);
    free(buf);
}

/* A table cell (or heading) as the terminal shows it, escaped into buf. */
static const char *rpt__text_cell(const rpt_doc *d, const rpt__cell *c, char *buf, size_t n)
{
    char raw[512];
    return rpt_printable(rpt__cell_text(d, c, raw, sizeof raw), buf, n);
}

static void rpt__text_table(const rpt_doc *d, const rpt__table *t, FILE *out)
{
    int *w = xcalloc((size_t)t->ncols, sizeof *w);
    char buf[2100];
    for (int c = 0; c < t->ncols; c++) w[c] = rpt__width(rpt_printable(t->heads[c], buf, sizeof buf));
    for (size_t i = 0; i < t->ncells; i++) {
        int x = rpt__width(rpt__text_cell(d, &t->cells[i], buf, sizeof buf));
        if (x > w[i % (size_t)t->ncols]) w[i % (size_t)t->ncols] = x;
    }
    for (int c = 0; c < t->ncols; c++) {   /* padded by display width: printf's counts bytes */
        const char *h = rpt_printable(t->heads[c], buf, sizeof buf);
        fprintf(out, "%s%s%*s", c ? "  " : "", h, c + 1 < t->ncols ? w[c] - rpt__width(h) : 0, "");
    }
    fputc('\n', out);
    for (size_t i = 0; i < t->ncells; i++) {
        int c = (int)(i % (size_t)t->ncols);
        const char *s = rpt__text_cell(d, &t->cells[i], buf, sizeof buf);
        int pad = w[c] - rpt__width(s);
        if (c) fputs("  ", out);
        if (t->cells[i].kind == RPT_CELL_NUM) fprintf(out, "%*s%s", pad, "", s);
        else fprintf(out, "%s%*s", s, c + 1 < t->ncols ? pad : 0, "");
        if (c + 1 == t->ncols || i + 1 == t->ncells) fputc('\n', out);
    }
    free(w);
}

void rpt_doc_write_text(const rpt_doc *d, FILE *out)
{
    rpt__text_put(out, d->title, false);
    fputc('\n', out);
    for (int i = 0; i < d->fkeys.n; i++) {
        fprintf(out, "  %s: ", d->fkeys.v[i]);
        rpt__text_put(out, d->fvals.v[i], false);
        fputc('\n', out);
    }
    if (d->summary.n) {
        fprintf(out, "\nSummary\n");
        for (int i = 0; i < d->summary.n; i++) { fputs("  ", out); rpt__text_put(out, d->summary.v[i], false); fputc('\n', out); }
    }
    if (d->warnings.n) {
        fprintf(out, "\nWarnings\n");
        for (int i = 0; i < d->warnings.n; i++) { fputs("  warning: ", out); rpt__text_put(out, d->warnings.v[i], false); fputc('\n', out); }
    }
    for (int s = 0; s < d->nsec; s++) {
        fputc('\n', out);
        rpt__text_put(out, d->sec[s].title, false);
        fputc('\n', out);
        for (int i = 0; i < d->sec[s].n; i++) {
            const rpt__item *it = &d->sec[s].items[i];
            if (it->kind == RPT__TABLE) { rpt__text_table(d, it->table, out); continue; }
            if (it->kind != RPT__PARA) fprintf(out, "chart %s.png: ", it->name);
            rpt__text_put(out, it->text, it->kind == RPT__PARA);
            fputc('\n', out);
        }
    }
}

/* ---- Markdown ------------------------------------------------------------------------ */

/* Markdown-safe text: control characters as spaces (a newline would end a table row), a pipe
 * escaped (it would split a cell), HTML special characters as entities (a name such as
 * "<script>" reaches a renderer as text, not markup); with `user` (the scenario's name, its
 * description, the command with its file name), Markdown punctuation backslash-escaped too
 * (no links, emphasis or headings). */
static void rpt__md_esc(FILE *out, const char *s, bool user)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) fputc(' ', out);
        else if (c == '<') fputs("&lt;", out);
        else if (c == '>') fputs("&gt;", out);
        else if (c == '&') fputs("&amp;", out);
        else if (c == '|' || (user && strchr("\\`*_{}[]()#+-.!~", c))) { fputc('\\', out); fputc(c, out); }
        else fputc(c, out);
    }
}

static void rpt__md(FILE *out, const char *s) { rpt__md_esc(out, s, false); }
static void rpt__md_user(FILE *out, const char *s) { rpt__md_esc(out, s, true); }

void rpt_doc_write_md(const rpt_doc *d, FILE *out)
{
    fputs("# ", out);
    rpt__md_user(out, d->title);
    fputs("\n\n", out);
    for (int i = 0; i < d->fkeys.n; i++) {
        fprintf(out, "- **");
        rpt__md(out, d->fkeys.v[i]);
        fprintf(out, ":** ");
        /* the facts that quote the user (description, command line) are escaped strictly */
        bool user = strcmp(d->fkeys.v[i], "question") == 0 || strcmp(d->fkeys.v[i], "command") == 0;
        if (user) rpt__md_user(out, d->fvals.v[i]);
        else rpt__md(out, d->fvals.v[i]);
        fputc('\n', out);
    }
    if (d->summary.n) {
        fprintf(out, "\n## Summary\n\n");
        for (int i = 0; i < d->summary.n; i++) { rpt__md(out, d->summary.v[i]); fputs(i + 1 < d->summary.n ? " " : "\n", out); }
    }
    if (d->warnings.n) {
        fprintf(out, "\n## Warnings\n\n");
        for (int i = 0; i < d->warnings.n; i++) { fputs("- **warning:** ", out); rpt__md(out, d->warnings.v[i]); fputc('\n', out); }
    }
    char buf[512];
    for (int s = 0; s < d->nsec; s++) {
        fprintf(out, "\n## ");
        rpt__md(out, d->sec[s].title);
        fputs("\n", out);
        for (int i = 0; i < d->sec[s].n; i++) {
            const rpt__item *it = &d->sec[s].items[i];
            fputc('\n', out);
            if (it->kind == RPT__PARA) {
                /* a paragraph may hold several lines (a list): keep its newlines */
                for (const char *p = it->text; *p; p++) fputc(*p == '|' ? '/' : *p, out);
                fputc('\n', out);
            } else if (it->kind == RPT__TABLE) {
                const rpt__table *t = it->table;
                fputc('|', out);
                for (int c = 0; c < t->ncols; c++) { fputc(' ', out); rpt__md(out, t->heads[c]); fputs(" |", out); }
                fputs("\n|", out);
                /* numbers are right-aligned: decide per column from its first row */
                for (int c = 0; c < t->ncols; c++)
                    fputs((size_t)c < t->ncells && t->cells[c].kind == RPT_CELL_NUM ? "---:|" : "---|", out);
                fputc('\n', out);
                for (size_t k = 0; k < t->ncells; k++) {
                    int c = (int)(k % (size_t)t->ncols);
                    if (!c) fputc('|', out);
                    fputc(' ', out);
                    const rpt__cell *x = &t->cells[k];
                    bool strong = x->kind == RPT_CELL_PASS && x->tone == RPT_TONE_BAD;
                    if (strong) fputs("**", out);
                    rpt__md(out, rpt__cell_text(d, x, buf, sizeof buf));
                    if (strong) fputs("**", out);
                    fputs(" |", out);
                    if (c + 1 == t->ncols) fputc('\n', out);
                }
            } else {
                fputs("![", out);
                rpt__md(out, it->text);
                fprintf(out, "](%s.png)\n", it->name);
            }
        }
    }
}

/* ---- HTML ---------------------------------------------------------------------------- */

static void rpt__html(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* Inlines dir/NAME.svg without its XML prolog; false when it cannot be read. gnuplot
 * titles its plot elements "gnuplot_plot_N" (the hover text): those become the element
 * titles listed in dir/NAME.titles (one a line, in drawing order) and the whole chart's
 * "Gnuplot" becomes `title`. */
static bool rpt__inline_svg(FILE *out, const char *dir, const char *name, const char *title)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char titles[48][160];
    int nt = 0;
    snprintf(path, sizeof path, "%s/%s.titles", dir, name);
    FILE *t = fopen(path, "r");
    while (t && nt < 48 && fgets(titles[nt], sizeof titles[nt], t)) {
        titles[nt][strcspn(titles[nt], "\n")] = '\0';
        nt++;
    }
    if (t) fclose(t);
    char line[8192];
    bool started = false;
    while (fgets(line, sizeof line, f)) {
        if (!started && !strstr(line, "<svg")) continue;
        started = true;
        char *p = strstr(line, "<title>");
        int k;
        if (p && sscanf(p, "<title>gnuplot_plot_%d</title>", &k) == 1) {
            fwrite(line, 1, (size_t)(p - line), out);
            fputs("<title>", out);
            rpt__html(out, k >= 1 && k <= nt ? titles[k - 1] : "");
            fputs("</title>", out);
            fputs(strstr(p, "</title>") + 8, out);
        } else if (p && strncmp(p, "<title>Gnuplot</title>", 22) == 0) {
            fwrite(line, 1, (size_t)(p - line), out);
            fputs("<title>", out);
            rpt__html(out, title);
            fputs("</title>", out);
            fputs(p + 22, out);
        } else {
            fputs(line, out);
        }
    }
    fclose(f);
    return started;
}

void rpt_html_text(FILE *out, const char *s) { rpt__html(out, s); }

void rpt_inline_svg(FILE *out, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[8192];
    bool started = false;
    while (fgets(line, sizeof line, f)) {
        if (!started && !strstr(line, "<svg")) continue;
        started = true;
        fputs(line, out);
    }
    fclose(f);
}

static const char *rpt__tone_class(rpt_tone t)
{
    switch (t) {
    case RPT_TONE_GOOD: return "good";
    case RPT_TONE_BAD: return "bad";
    case RPT_TONE_SAME: return "same";
    default: return "";
    }
}

/* A paragraph: lines starting "- " become a list, others a paragraph. */
static void rpt__html_para(FILE *out, const char *text)
{
    bool list = false;
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, "\n");
        bool item = len >= 2 && p[0] == '-' && p[1] == ' ';
        if (item && !list) { fputs("<ul>", out); list = true; }
        if (!item && list) { fputs("</ul>\n", out); list = false; }
        fputs(item ? "<li>" : "<p>", out);
        char *line = xmalloc(len + 1);
        memcpy(line, p + (item ? 2 : 0), len - (item ? 2 : 0));
        line[len - (item ? 2 : 0)] = '\0';
        rpt__html(out, line);
        free(line);
        fputs(item ? "</li>" : "</p>\n", out);
        p += len;
        if (*p) p++;
    }
    if (list) fputs("</ul>\n", out);
}

void rpt_doc_write_html(const rpt_doc *d, FILE *out, const char *svg_dir)
{
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    rpt__html(out, d->title);
    fprintf(out, "</title>\n<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
                 "table{border-collapse:collapse;margin:1em 0;font-size:14px;display:block;overflow-x:auto;max-width:100%%}td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top}"
                 "td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}th{background:#f3f3f3;text-align:left}"
                 "td.good{background:#e3f4e3;color:#1b5e20}td.bad{background:#fde2e2;color:#b71c1c;font-weight:bold}td.same{background:#f2f2f2;color:#555}"
                 "dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dl.facts dt{font-weight:bold}dl.facts dd{margin:0}"
                 ".summary{font-size:1.1em;background:#f4f8fd;border-left:4px solid #1f77b4;padding:.5em 1em}"
                 ".warnings li{color:#8a4b00}small.why{display:block;font-size:12px;color:#555;font-weight:normal}figure{margin:1em 0}figcaption{color:#555;font-size:14px}"
                 "svg{max-width:100%%;height:auto}</style></head><body>\n<h1>");
    rpt__html(out, d->title);
    fputs("</h1>\n<dl class=\"facts\">", out);
    for (int i = 0; i < d->fkeys.n; i++) {
        fputs("<dt>", out);
        rpt__html(out, d->fkeys.v[i]);
        fputs(":</dt><dd>", out);
        rpt__html(out, d->fvals.v[i]);
        fputs("</dd>", out);
    }
    fputs("</dl>\n", out);
    if (d->summary.n) {
        fputs("<h2 id=\"summary\">Summary</h2>\n<p class=\"summary\">", out);
        for (int i = 0; i < d->summary.n; i++) { rpt__html(out, d->summary.v[i]); fputs(i + 1 < d->summary.n ? " " : "", out); }
        fputs("</p>\n", out);
    }
    if (d->warnings.n) {
        fputs("<h2 id=\"warnings\">Warnings</h2>\n<ul class=\"warnings\">", out);
        for (int i = 0; i < d->warnings.n; i++) { fputs("<li><strong>warning:</strong> ", out); rpt__html(out, d->warnings.v[i]); fputs("</li>", out); }
        fputs("</ul>\n", out);
    }
    char buf[512];
    for (int s = 0; s < d->nsec; s++) {
        fprintf(out, "<h2 id=\"%s\">", d->sec[s].id);
        rpt__html(out, d->sec[s].title);
        fputs("</h2>\n", out);
        for (int i = 0; i < d->sec[s].n; i++) {
            const rpt__item *it = &d->sec[s].items[i];
            if (it->kind == RPT__PARA) {
                rpt__html_para(out, it->text);
            } else if (it->kind == RPT__TABLE) {
                const rpt__table *t = it->table;
                fputs("<table><tr>", out);
                for (int c = 0; c < t->ncols; c++) { fputs("<th>", out); rpt__html(out, t->heads[c]); fputs("</th>", out); }
                fputs("</tr>\n", out);
                for (size_t k = 0; k < t->ncells; k++) {
                    int c = (int)(k % (size_t)t->ncols);
                    const rpt__cell *x = &t->cells[k];
                    if (!c) fputs("<tr>", out);
                    const char *cls = x->kind == RPT_CELL_NUM ? "n" : rpt__tone_class(x->tone);
                    if (*cls) fprintf(out, "<td class=\"%s\">", cls);
                    else fputs("<td>", out);
                    const char *text = rpt__cell_text(d, x, buf, sizeof buf), *colon = strstr(text, ": ");
                    if (x->kind == RPT_CELL_VERDICT && colon) {   /* "word: why": the reason in small print */
                        char word[64];
                        snprintf(word, sizeof word, "%.*s", (int)(colon - text) < 63 ? (int)(colon - text) : 63, text);
                        rpt__html(out, word);
                        fputs(": <small class=\"why\">", out);
                        rpt__html(out, colon + 2);
                        fputs("</small>", out);
                    } else {
                        rpt__html(out, text);
                    }
                    fputs("</td>", out);
                    if (c + 1 == t->ncols) fputs("</tr>\n", out);
                }
                fputs("</table>\n", out);
            } else {
                fputs("<figure>\n", out);
                if (!svg_dir || !rpt__inline_svg(out, svg_dir, it->name, it->text)) {
                    fprintf(out, "<img src=\"%s.png\" alt=\"", it->name);
                    rpt__html(out, it->text);
                    fputs("\">", out);
                }
                fputs("<figcaption>", out);
                rpt__html(out, it->text);
                fputs("</figcaption></figure>\n", out);
            }
        }
    }
    fputs("</body></html>\n", out);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void rpt__json_strs(FILE *out, const rpt__strs *l)
{
    fputc('[', out);
    for (int i = 0; i < l->n; i++) { fputs(i ? ", " : "", out); jsn_write_str(out, l->v[i]); }
    fputc(']', out);
}

void rpt_doc_write_json(const rpt_doc *d, FILE *out)
{
    char buf[512];
    fputs("{\n  \"title\": ", out);
    jsn_write_str(out, d->title);
    fputs(",\n  \"currency\": ", out);
    if (*d->currency) jsn_write_str(out, d->currency);
    else fputs("null", out);
    fputs(",\n  \"facts\": {", out);
    for (int i = 0; i < d->fkeys.n; i++) {
        fputs(i ? ", " : "", out);
        jsn_write_str(out, d->fkeys.v[i]);
        fputs(": ", out);
        jsn_write_str(out, d->fvals.v[i]);
    }
    fputs("},\n  \"summary\": ", out);
    rpt__json_strs(out, &d->summary);
    fputs(",\n  \"warnings\": ", out);
    rpt__json_strs(out, &d->warnings);
    fputs(",\n  \"sections\": [", out);
    for (int s = 0; s < d->nsec; s++) {
        fprintf(out, "%s\n    {\"id\": ", s ? "," : "");
        jsn_write_str(out, d->sec[s].id);
        fputs(", \"title\": ", out);
        jsn_write_str(out, d->sec[s].title);
        fputs(", \"content\": [", out);
        for (int i = 0; i < d->sec[s].n; i++) {
            const rpt__item *it = &d->sec[s].items[i];
            fputs(i ? ",\n      " : "\n      ", out);
            if (it->kind == RPT__PARA) {
                fputs("{\"paragraph\": ", out);
                jsn_write_str(out, it->text);
                fputc('}', out);
            } else if (it->kind == RPT__CHART) {
                fputs("{\"chart\": {\"name\": ", out);
                jsn_write_str(out, it->name);
                fputs(", \"title\": ", out);
                jsn_write_str(out, it->text);
                fputs("}}", out);
            } else {
                const rpt__table *t = it->table;
                fputs("{\"table\": {\"columns\": [", out);
                for (int c = 0; c < t->ncols; c++) { fputs(c ? ", " : "", out); jsn_write_str(out, t->heads[c]); }
                fputs("], \"rows\": [", out);
                for (size_t k = 0; k < t->ncells; k++) {
                    int c = (int)(k % (size_t)t->ncols);
                    const rpt__cell *x = &t->cells[k];
                    fputs(c ? ", " : k ? ",\n        [" : "\n        [", out);
                    switch (x->kind) {
                    case RPT_CELL_TEXT: jsn_write_str(out, x->text); break;
                    case RPT_CELL_NUM:
                        fputs("{\"value\": ", out);
                        jsn_write_num(out, x->v);
                        fputs(", \"ci95\": ", out);
                        jsn_write_num(out, x->ci);
                        fputs(", \"unit\": ", out);
                        jsn_write_str(out, strcmp(x->unit, "money") == 0 ? (*d->currency ? d->currency : "money") : x->unit);
                        fputs(", \"text\": ", out);
                        jsn_write_str(out, rpt__cell_text(d, x, buf, sizeof buf));
                        fputc('}', out);
                        break;
                    case RPT_CELL_VERDICT:
                        fputs("{\"verdict\": ", out);
                        jsn_write_str(out, x->text);
                        fprintf(out, ", \"tone\": \"%s\"}", *rpt__tone_class(x->tone) ? rpt__tone_class(x->tone) : "none");
                        break;
                    case RPT_CELL_PASS:
                        fprintf(out, "{\"pass\": %s, \"text\": ", x->tone == RPT_TONE_GOOD ? "true" : "false");
                        jsn_write_str(out, x->text);
                        fputc('}', out);
                        break;
                    }
                    if (c + 1 == t->ncols) fputc(']', out);
                }
                if (t->ncells % (size_t)t->ncols) fputc(']', out);   /* a short last row still closes */
                fputs("]}}", out);
            }
        }
        fputs("]}", out);
    }
    fputs("\n  ]\n}\n", out);
}

/* ---- gates: JSON and JUnit ----------------------------------------------------------- */

void rpt_gate_write_json(const rpt_gate *g, int n, FILE *out)
{
    fputc('[', out);
    for (int i = 0; i < n; i++) {
        fprintf(out, "%s\n    {\"kind\": \"%s\", \"name\": ", i ? "," : "", g[i].baseline ? "baseline" : "threshold");
        jsn_write_str(out, g[i].name);
        fputs(", \"rule\": ", out);
        jsn_write_str(out, g[i].rule);
        fputs(", \"value\": ", out);
        jsn_write_num(out, g[i].value);
        fputs(", \"baseline\": ", out);
        jsn_write_num(out, g[i].base);
        fprintf(out, ", \"pass\": %s, \"status\": ", g[i].pass ? "true" : "false");
        jsn_write_str(out, g[i].status);
        fputc('}', out);
    }
    fputs(n ? "\n  ]" : "]", out);
}

/* XML text: the five predefined entities; control characters (not allowed in XML 1.0)
 * become spaces. */
static void rpt__xml(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fputc(*p < 32 && *p != '\t' && *p != '\n' ? ' ' : *p, out);
        }
    }
}

void rpt_gate_write_junit(const rpt_gate *g, int n, const char *suite, FILE *out)
{
    int failures = 0;
    for (int i = 0; i < n; i++) failures += !g[i].pass;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ordersim\" tests=\"", out);
    fprintf(out, "%d\" failures=\"%d\">\n  <testsuite name=\"", n, failures);
    rpt__xml(out, suite);
    fprintf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\">\n", n, failures);
    for (int i = 0; i < n; i++) {
        char v[128], b[128];
        rpt_num_format(g[i].value, NAN, g[i].unit, NULL, v, sizeof v);
        rpt_num_format(g[i].base, NAN, g[i].unit, NULL, b, sizeof b);
        fprintf(out, "    <testcase classname=\"%s\" name=\"", g[i].baseline ? "baseline" : "thresholds");
        rpt__xml(out, g[i].name);
        if (g[i].baseline) {
            fputs(" (tolerance ", out);
            rpt__xml(out, g[i].rule);
            fputs(")", out);
        } else {
            fputc(' ', out);
            rpt__xml(out, g[i].rule);
        }
        fputs("\"", out);
        if (g[i].pass) { fputs(">\n      <system-out>", out); }
        else {
            fputs(">\n      <failure message=\"", out);
            rpt__xml(out, g[i].status);
            fputs("\" type=\"", out);
            fputs(g[i].baseline ? "regression" : "threshold", out);
            fputs("\">", out);
        }
        fputs("value ", out);
        rpt__xml(out, v);
        if (g[i].baseline) { fputs(", baseline ", out); rpt__xml(out, b); }
        fputs(": ", out);
        rpt__xml(out, g[i].status);
        fputs(g[i].pass ? "</system-out>\n    </testcase>\n" : "</failure>\n    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
}
