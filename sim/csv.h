/*
 * csv.h — a streaming RFC 4180 reader: quoted fields (with doubled quotes, commas and line
 * breaks inside), an optional UTF-8 byte-order mark, LF or CRLF line ends.
 *
 * One record is held in memory at a time, never more than `max_record` bytes: a file with an
 * enormous line (or an unbalanced quote that swallows the rest of the file) stops with a
 * positioned message after reading at most that much of it, whatever the file's size.
 * Every error is "FILE:LINE:COL: what was found, what was expected", with LINE and COL
 * (1-based, COL in bytes) pointing at the offending character.
 */
#ifndef CSV_H
#define CSV_H

#include "os.h"

#define CSV_MAX_RECORD_DEFAULT (1u << 20)  /* 1 MiB: far above any order-log line */
#define CSV_MAX_FIELDS 256

typedef struct csv_reader csv_reader;

/* Opens `path` for reading. Returns OS_EIO (message in diag) when it cannot be opened.
 * On success *out is owned by the caller (csv_close). */
os_status csv_open(const char *path, size_t max_record, csv_reader **out, os_diag *diag);
void csv_close(csv_reader *r);
/* Reads the next record: 1 when one was read, 0 at the end of the file, -1 on a syntax
 * error (unterminated quote, text after a closing quote, a record over the limit, a NUL
 * byte, too many fields), which is fatal: the message is in diag and later calls return -1.
 * A blank line is skipped. */
int csv_next(csv_reader *r, os_diag *diag);
/* The current record's fields (valid until the next csv_next). */
int csv_nfields(const csv_reader *r);
const char *csv_field(const csv_reader *r, int i);
/* Where the current record starts (1-based line) and where field i starts (1-based column). */
long csv_line(const csv_reader *r);
long csv_col(const csv_reader *r, int i);
/* The path given to csv_open. */
const char *csv_path(const csv_reader *r);

#endif
