/*
 * olog.h — the order log: a CSV export of a shop's orders (one row per order, or per order
 * line when there is a `sku` column), read into typed columns for `ordersim fit` and for
 * trace replay, and written by `ordersim run --orders-csv`.
 *
 * Known columns (all optional but created_at): order_id, customer_id, status, created_at,
 * paid_at, cancelled_at, shipped_at, delivered_at, returned_at, sku, quantity, price,
 * channel. A map ("created_at=ts") names the log's own header for a known column.
 * Timestamps are ISO 8601 (2026-01-05T08:30:00Z, with or without fraction and zone; without
 * a zone they are read as UTC), or follow a strptime(3) format (read as UTC).
 *
 * A bad row (bad timestamp, number, missing field) is reported with its line and column;
 * when more than `max_bad` of the rows are bad the file is refused (OS_EDATA), otherwise
 * they are skipped and counted. A syntax error of the CSV itself is always fatal.
 */
#ifndef OLOG_H
#define OLOG_H

#include "os.h"

#include <stdio.h>

#define OLOG_COLUMNS(X) X(OLOG_ORDER_ID, "order_id") X(OLOG_CUSTOMER_ID, "customer_id") X(OLOG_STATUS, "status") \
    X(OLOG_CREATED_AT, "created_at") X(OLOG_PAID_AT, "paid_at") X(OLOG_CANCELLED_AT, "cancelled_at")               \
    X(OLOG_SHIPPED_AT, "shipped_at") X(OLOG_DELIVERED_AT, "delivered_at") X(OLOG_RETURNED_AT, "returned_at")      \
    X(OLOG_SKU, "sku") X(OLOG_QUANTITY, "quantity") X(OLOG_PRICE, "price") X(OLOG_CHANNEL, "channel")
typedef enum olog_col {
#define OLOG__E(code, name) code,
    OLOG_COLUMNS(OLOG__E)
#undef OLOG__E
    OLOG_NCOLS
} olog_col;

/* The timestamp columns, in order, as indexes into olog_row.t. */
enum { OLOG_T_CREATED, OLOG_T_PAID, OLOG_T_CANCELLED, OLOG_T_SHIPPED, OLOG_T_DELIVERED, OLOG_T_RETURNED, OLOG_NT };

typedef struct olog_row {
    double t[OLOG_NT];   /* seconds since 1970-01-01T00:00:00Z; NAN when empty */
    int    order;        /* index into olog.orders (an order_id), or -1 without the column */
    int    customer;     /* index into olog.customers, or -1 */
    int    sku;          /* index into olog.skus, or -1 */
    int    status;       /* index into olog.statuses, or -1 */
    int    extra;        /* index into olog.extras (the extra column's value), or -1 */
    double quantity;     /* NAN when absent */
    double price;        /* NAN when absent */
    long   line;         /* where the row starts in the file */
} olog_row;

/* Distinct strings of one column, in order of first appearance. */
typedef struct olog_strings {
    int    n, cap;       /* strings held */
    char **s;            /* owned */
    int   *hash;         /* open addressing: index + 1, 0 = empty; hcap slots */
    int    hcap;
} olog_strings;

typedef struct olog {
    int          n, cap;           /* rows kept */
    olog_row    *rows;             /* owned, in file order */
    long         bad;              /* rows skipped as bad */
    long         total;            /* data rows read (kept + bad + dropped) */
    long         dropped;          /* rows outside the given time window (olog_opts.min_time/max_time) */
    bool         has[OLOG_NCOLS];  /* which known columns the header has */
    bool         has_extra;        /* the extra column was found */
    olog_strings orders, customers, skus, statuses, extras;
} olog;

typedef struct olog_opts {
    const char *const *map;        /* "NAME=COLUMN" entries */
    int         nmap;
    const char *time_format;       /* strptime format, NULL for ISO 8601 */
    double      max_bad;           /* fraction of rows that may be bad (default 0.01 when < 0) */
    const char *extra;             /* another column to keep (fit --segment-by), or NULL */
    size_t      max_record;        /* longest record in bytes, 0 = CSV_MAX_RECORD_DEFAULT */
    bool        has_min_time, has_max_time; /* a window given (fit --min-time/--max-time): */
    double      min_time, max_time;         /* rows with a time outside it are dropped, with a note */
} olog_opts;

/* Timestamps are bounded: one before 1970, or more than OLOG_MAX_SPREAD seconds (10 years)
 * from the median creation time of the log, refuses the file (OS_EDATA) with positioned
 * messages, whatever --max-bad says: a single such row would stretch every calendar figure
 * (span, horizon, arrival hours) by centuries. Rows outside a given window are dropped first. */
#define OLOG_MAX_SPREAD (10 * 365.25 * 86400)

/* Reads a log. On success *out is owned by the caller (olog_free) and notes (skipped rows,
 * with their lines) are in `notes`. Errors: OS_EIO (unreadable), OS_EINVAL (a bad map
 * entry or format), OS_EDATA (empty, no created_at, CSV syntax, too many bad rows), all with
 * positioned messages in diag. */
os_status olog_read(const char *path, const olog_opts *o, olog **out, os_diag *diag, os_diag *notes);
void olog_free(olog *l);
/* The known name of a column. */
const char *olog_col_name(olog_col c);
/* Parses an ISO 8601 date-time into seconds since the epoch; false when malformed. */
bool olog_parse_iso(const char *s, double *out);
/* Writes seconds since the epoch as ISO 8601 UTC with milliseconds when not whole
 * ("2026-01-05T08:30:00.250Z"). */
void olog_format_iso(double t, char *buf, size_t n);
/* Writes s as one CSV field (quoted when it holds a comma, quote or line break). */
void olog_put_field(FILE *f, const char *s);

#endif
