/*
 * jsn.h — JSON documents that remember where each value stood in the file.
 *
 * cJSON parses but forgets offsets, and ordersim's errors must name file, line:column and
 * the JSON path. A jsn_doc wraps the cJSON tree with a map from each node to the offsets
 * of its key and value, built once after parsing by scanning the text in step with the
 * tree. Nodes added later (by --set edits) have no position; errors about them say which
 * --set they came from instead.
 *
 * The document owns its tree. Nodes that an edit replaces are kept until jsn_free so that
 * a freed pointer can never be reused for a new node and map to an old position.
 */
#ifndef JSN_H
#define JSN_H

#include "os.h"
#include <cjson/cJSON.h>
#include <stdio.h>

typedef struct jsn_doc jsn_doc;

/* Limits applied by jsn_parse; exceeding one is a data error with position. */
#define JSN_MAX_BYTES  (4u << 20)   /* largest scenario or definition file accepted */
#define JSN_MAX_DEPTH  64           /* deepest nesting of objects and arrays */

/* Parses `len` bytes of `text` (need not be NUL-terminated) named `file` in messages.
 * On success *out is a new document the caller frees with jsn_free. On malformed JSON,
 * duplicate keys, non-finite numbers or excess size/depth, adds one message per defect to
 * `diag` and returns OS_EDATA (no document is returned). */
os_status jsn_parse(const char *file, const char *text, size_t len, jsn_doc **out, os_diag *diag);

/* Reads and parses a file; OS_EIO (with a message) when it cannot be read. */
/* path "-" reads standard input (named "<stdin>" in messages; a relative process file is
 * then looked up from the current directory). */
os_status jsn_load_file(const char *path, jsn_doc **out, os_diag *diag);

void jsn_free(jsn_doc *doc);

/* The root value; owned by the document. */
cJSON *jsn_root(const jsn_doc *doc);
const char *jsn_file(const jsn_doc *doc);
/* The original text (NUL-terminated copy owned by the document). */
const char *jsn_text(const jsn_doc *doc);

/* Line and column (1-based) of a node's value (or key when at_key); false when the node has
 * no position (created by an edit). */
bool jsn_where(const jsn_doc *doc, const cJSON *node, bool at_key, int *line, int *col);

/* Adds "FILE:LINE:COL: PATH: MESSAGE" for `node` (its key when at_key and it has one).
 * For a node with no position (from --set) the location reads "FILE (--set PATH)". */
void jsn_error(const jsn_doc *doc, os_diag *diag, const cJSON *node, bool at_key,
               const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Reports each member of object `obj` whose name is not in `allowed` (NULL-terminated) as
 * an unknown key, with "did you mean" when an allowed name is within edit distance 2.
 * Returns the number of unknown keys found. */
int jsn_check_keys(const jsn_doc *doc, os_diag *diag, const cJSON *obj, const char *path,
                   const char *const *allowed);

/* Writes "base.key" (or "key" when base is empty) into buf. */
void jsn_path_key(char *buf, size_t size, const char *base, const char *key);
/* Writes "base[i]" into buf. */
void jsn_path_index(char *buf, size_t size, const char *base, int i);

/* A short description of a node's type for messages: "a string", "a number", "null"... */
const char *jsn_type_name(const cJSON *node);
/* True when s is well-formed UTF-8 (what a JSON string may hold). */
bool jsn_utf8_valid(const char *s);

/* Parses a duration: a number of seconds, or a string of a number and a unit
 * (ms, s, m, h, d). Returns false (and leaves *out) on anything else, including negative
 * or non-finite values. */
bool jsn_duration_str(const char *s, double *out);
bool jsn_duration(const cJSON *node, double *out);

/* Writes a JSON number to `out`: null for NaN and infinities, integers without a fraction, anything else
 * with 17 significant digits so it reads back to the same double. */
void jsn_write_num(FILE *out, double v);
/* Writes `s` as a JSON string literal to `out`: quotes, backslashes and control
 * characters escaped, other bytes as they are. */
void jsn_write_str(FILE *out, const char *s);

/* Applies one edit "PATH=VALUE" (PATH dot-separated with [i] for array items) to the
 * document: VALUE is parsed as JSON when it parses, else taken as a string. Missing
 * object members are created (and missing parents as objects); an array index may be at
 * most the array's length (appending). On a bad path adds a message and returns OS_EINVAL. */
os_status jsn_set(jsn_doc *doc, const char *assignment, os_diag *diag);

#endif
