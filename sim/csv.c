/*
 * csv.c — the streaming RFC 4180 reader. See csv.h.
 *
 * A small state machine over bytes read through a 64 KiB buffer; fields are appended to one
 * record buffer (NUL-separated) whose size is capped, so memory never follows the input.
 */
#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct csv_reader {
    FILE  *f;                       /* the file */
    char  *path;                    /* owned copy, for messages */
    unsigned char buf[65536];       /* read buffer */
    size_t pos, len;                /* unread bytes are buf[pos..len) */
    bool   eof;                     /* the file is exhausted */
    bool   failed;                  /* a fatal error was reported */
    char  *rec;                     /* the current record: fields, each NUL-terminated */
    size_t rec_len, rec_cap, max_record;
    int    nf;                      /* fields in the record */
    size_t off[CSV_MAX_FIELDS];     /* start of each field in rec */
    long   fcol[CSV_MAX_FIELDS];    /* 1-based column of each field */
    long   line, col;               /* position of the next byte */
    long   rec_line;                /* line where the current record starts */
};

os_status csv_open(const char *path, size_t max_record, csv_reader **out, os_diag *diag)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        os_diag_add(diag, "%s: cannot open: %s", path, strerror(errno));
        return OS_EIO;
    }
    csv_reader *r = xcalloc(1, sizeof *r);
    r->f = f;
    r->path = xstrdup(path);
    r->max_record = max_record ? max_record : CSV_MAX_RECORD_DEFAULT;
    r->rec_cap = 4096;
    r->rec = xmalloc(r->rec_cap);
    r->line = 1;
    r->col = 1;
    /* A UTF-8 byte-order mark is not data. */
    r->len = fread(r->buf, 1, sizeof r->buf, f);
    if (r->len >= 3 && r->buf[0] == 0xEF && r->buf[1] == 0xBB && r->buf[2] == 0xBF) r->pos = 3;
    *out = r;
    return OS_OK;
}

void csv_close(csv_reader *r)
{
    if (!r) return;
    fclose(r->f);
    free(r->path);
    free(r->rec);
    free(r);
}

/* The next byte, or -1 at the end of the file; advances the position. */
static int csv__get(csv_reader *r)
{
    if (r->pos == r->len) {
        if (r->eof) return -1;
        r->len = fread(r->buf, 1, sizeof r->buf, r->f);
        r->pos = 0;
        if (r->len == 0) { r->eof = true; return -1; }
    }
    int c = r->buf[r->pos++];
    if (c == '\n') { r->line++; r->col = 1; }
    else r->col++;
    return c;
}

/* The next byte without consuming it, or -1. */
static int csv__peek(csv_reader *r)
{
    if (r->pos == r->len) {
        if (r->eof) return -1;
        r->len = fread(r->buf, 1, sizeof r->buf, r->f);
        r->pos = 0;
        if (r->len == 0) { r->eof = true; return -1; }
    }
    return r->buf[r->pos];
}

/* Appends a byte (just read) to the record; false (after a message pointing at that byte)
 * when the record would exceed the limit. */
static bool csv__put(csv_reader *r, char c, os_diag *diag)
{
    if (r->rec_len + 1 > r->max_record) {
        os_diag_add(diag, "%s:%ld:%ld: record longer than %zu bytes (starting at line %ld); an order log's line is far "
                          "shorter: is a quote unbalanced, or is this not a CSV file?",
                    r->path, r->line, r->col > 1 ? r->col - 1 : 1, r->max_record, r->rec_line);
        return false;
    }
    if (r->rec_len + 1 > r->rec_cap) {
        r->rec_cap = r->rec_cap * 2 < r->max_record ? r->rec_cap * 2 : r->max_record;
        r->rec = xrealloc(r->rec, r->rec_cap);
    }
    r->rec[r->rec_len++] = c;
    return true;
}

/* Starts a new field at the current position. */
static bool csv__field(csv_reader *r, os_diag *diag)
{
    if (r->nf == CSV_MAX_FIELDS) {
        os_diag_add(diag, "%s:%ld:%ld: more than %d fields in one record", r->path, r->line, r->col, CSV_MAX_FIELDS);
        return false;
    }
    r->off[r->nf] = r->rec_len;
    r->fcol[r->nf] = r->col;
    r->nf++;
    return true;
}

static int csv__fail(csv_reader *r)
{
    r->failed = true;
    return -1;
}

int csv_next(csv_reader *r, os_diag *diag)
{
    if (r->failed) return -1;
    for (;;) {
        r->rec_len = 0;
        r->nf = 0;
        r->rec_line = r->line;
        int c = csv__peek(r);
        if (c < 0) return 0;
        if (c == '\n') { csv__get(r); continue; }                   /* blank line */
        if (c == '\r') {
            csv__get(r);
            if (csv__peek(r) == '\n') csv__get(r);
            continue;
        }
        break;
    }
    for (;;) {                                  /* one field per iteration */
        if (!csv__field(r, diag)) return csv__fail(r);
        int c = csv__peek(r);
        if (c == '"') {
            long ql = r->line, qc = r->col;
            csv__get(r);
            for (;;) {
                c = csv__get(r);
                if (c < 0) {
                    os_diag_add(diag, "%s:%ld:%ld: unterminated quoted field: the quote opened here is never closed",
                                r->path, ql, qc);
                    return csv__fail(r);
                }
                if (c == '"') {
                    if (csv__peek(r) == '"') { csv__get(r); c = '"'; }
                    else break;
                }
                if (c == 0) goto nul;
                if (!csv__put(r, (char)c, diag)) return csv__fail(r);
            }
            c = csv__peek(r);
            if (c != ',' && c != '\n' && c != '\r' && c >= 0) {
                os_diag_add(diag, "%s:%ld:%ld: found '%c' after a closing quote, expected a comma or the end of the line "
                                  "(a quote inside a quoted field is written twice: \"\")",
                            r->path, r->line, r->col, c >= 32 && c < 127 ? c : '?');
                return csv__fail(r);
            }
        } else {
            while ((c = csv__peek(r)) >= 0 && c != ',' && c != '\n' && c != '\r') {
                if (c == 0) goto nul;
                csv__get(r);
                if (!csv__put(r, (char)c, diag)) return csv__fail(r);
            }
        }
        if (!csv__put(r, '\0', diag)) return csv__fail(r);
        c = csv__get(r);
        if (c == ',') continue;
        if (c == '\r' && csv__peek(r) == '\n') csv__get(r);
        return 1;                               /* end of line or of file */
    }
nul:
    os_diag_add(diag, "%s:%ld:%ld: found a NUL byte, expected text (is this a binary file?)", r->path, r->line, r->col);
    return csv__fail(r);
}

int csv_nfields(const csv_reader *r) { return r->nf; }
const char *csv_field(const csv_reader *r, int i) { return i >= 0 && i < r->nf ? r->rec + r->off[i] : ""; }
long csv_line(const csv_reader *r) { return r->rec_line; }
long csv_col(const csv_reader *r, int i) { return i >= 0 && i < r->nf ? r->fcol[i] : 1; }
const char *csv_path(const csv_reader *r) { return r->path; }
