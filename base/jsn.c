/*
 * jsn.c — cJSON with positions, duplicate-key and limit checks, and --set edits.
 *
 * The position map: after cJSON accepts the text, jsn__scan walks the text with a small
 * recursive scanner that visits values in the same order as the cJSON tree (children are
 * kept in document order), recording for each node the offset of its key and its value.
 * The map is sorted by node address and searched with bsearch when an error is reported,
 * so the cost is paid only by files that are loaded, and errors cost O(log n).
 */
#include "jsn.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct jsn__pos {
    const cJSON *node;   /* the node */
    uint32_t key_off;    /* offset of the member name's opening quote, or value offset */
    uint32_t val_off;    /* offset of the value's first character */
} jsn__pos;

typedef struct jsn__set {
    const cJSON *node;   /* a node created by a --set edit */
    char *assignment;    /* the edit that created it (owned) */
} jsn__set;

struct jsn_doc {
    char     *file;      /* file name for messages (owned) */
    char     *text;      /* NUL-terminated copy of the input (owned) */
    size_t    len;       /* length of text */
    cJSON    *root;      /* parsed tree (owned) */
    jsn__pos *pos;       /* position map sorted by node address */
    size_t    npos;      /* entries in pos */
    cJSON   **graveyard; /* nodes replaced by edits, freed in jsn_free */
    size_t    ngrave;    /* entries in graveyard */
    jsn__set *sets;      /* nodes created by edits */
    size_t    nsets;     /* entries in sets */
};

/* ---- scanning ---------------------------------------------------------------------- */

typedef struct jsn__scan {
    const char *t;       /* the text */
    size_t i;            /* cursor */
    size_t n;            /* text length */
    jsn__pos *pos;       /* output map */
    size_t npos, cap;    /* used and allocated entries */
} jsn__scan;

static void jsn__ws(jsn__scan *s)
{
    while (s->i < s->n && (unsigned char)s->t[s->i] <= 32) s->i++;
}

static void jsn__skip_string(jsn__scan *s)
{
    s->i++; /* opening quote */
    while (s->i < s->n && s->t[s->i] != '"') {
        if (s->t[s->i] == '\\') s->i++;
        s->i++;
    }
    s->i++; /* closing quote */
}

static void jsn__record(jsn__scan *s, const cJSON *node, size_t key_off, size_t val_off)
{
    if (s->npos == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->pos = xrealloc(s->pos, s->cap * sizeof *s->pos);
    }
    s->pos[s->npos++] = (jsn__pos){ node, (uint32_t)key_off, (uint32_t)val_off };
}

/* Scans one value at the cursor, which cJSON already accepted as `node`. */
static void jsn__scan_value(jsn__scan *s, const cJSON *node, size_t key_off)
{
    jsn__ws(s);
    size_t start = s->i;
    jsn__record(s, node, key_off == (size_t)-1 ? start : key_off, start);
    if (s->i >= s->n) return;
    char c = s->t[s->i];
    if (c == '{' || c == '[') {
        s->i++;
        for (const cJSON *ch = node->child; ch; ch = ch->next) {
            jsn__ws(s);
            size_t k = (size_t)-1;
            if (c == '{') {
                k = s->i;
                jsn__skip_string(s);
                jsn__ws(s);
                s->i++; /* ':' */
            }
            jsn__scan_value(s, ch, k);
            jsn__ws(s);
            if (s->i < s->n && s->t[s->i] == ',') s->i++;
        }
        jsn__ws(s);
        s->i++; /* closing bracket */
    } else if (c == '"') {
        jsn__skip_string(s);
    } else {
        while (s->i < s->n && strchr("0123456789+-.eEtruefalsn", s->t[s->i]) && s->t[s->i]) s->i++;
    }
}

static int jsn__pos_cmp(const void *a, const void *b)
{
    const cJSON *x = ((const jsn__pos *)a)->node, *y = ((const jsn__pos *)b)->node;
    return (x > y) - (x < y);
}

static void jsn__line_col(const char *t, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && t[i]; i++) {
        if (t[i] == '\n') { l++; c = 1; } else c++;
    }
    *line = l;
    *col = c;
}

/* ---- checks after parsing ------------------------------------------------------------ */

static int jsn__depth_ok(const char *t, size_t n, size_t *bad_off)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
        } else if (c == '"') in_str = true;
        else if (c == '{' || c == '[') {
            if (++depth > JSN_MAX_DEPTH) { *bad_off = i; return 0; }
        } else if (c == '}' || c == ']') depth--;
    }
    return 1;
}

/* Reports duplicate member names and non-finite numbers anywhere in the tree. */
static void jsn__check_tree(jsn_doc *d, os_diag *diag, const cJSON *node, const char *path)
{
    char sub[512];
    if (cJSON_IsNumber(node) && !isfinite(node->valuedouble))
        jsn_error(d, diag, node, false, path, "number out of range (not finite)");
    int i = 0;
    for (const cJSON *ch = node->child; ch; ch = ch->next, i++) {
        if (cJSON_IsObject(node)) {
            jsn_path_key(sub, sizeof sub, path, ch->string ? ch->string : "");
            for (const cJSON *prev = node->child; prev != ch; prev = prev->next)
                if (prev->string && ch->string && strcmp(prev->string, ch->string) == 0) {
                    int l, c;
                    const jsn__pos key = { prev, 0, 0 };
                    const jsn__pos *p = bsearch(&key, d->pos, d->npos, sizeof *d->pos, jsn__pos_cmp);
                    jsn__line_col(d->text, p ? p->key_off : 0, &l, &c);
                    jsn_error(d, diag, ch, true, sub, "duplicate key \"%s\" (first defined at line %d:%d)",
                              ch->string, l, c);
                    break;
                }
        } else {
            jsn_path_index(sub, sizeof sub, path, i);
        }
        jsn__check_tree(d, diag, ch, sub);
    }
}

/* Length of the well-formed UTF-8 sequence at t[i] (1-4), or 0 when the bytes there are
 * not one (stray continuation, overlong form, surrogate, above U+10FFFF, cut short). */
static int jsn__utf8_len(const unsigned char *t, size_t i, size_t n)
{
    unsigned char c = t[i];
    int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (!len || i + (size_t)len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4)) return len == 1 ? 1 : 0;
    for (int k = 1; k < len; k++)
        if ((t[i + (size_t)k] & 0xC0) != 0x80) return 0;
    if (len == 3 && ((c == 0xE0 && t[i + 1] < 0xA0) || (c == 0xED && t[i + 1] >= 0xA0))) return 0;
    if (len == 4 && ((c == 0xF0 && t[i + 1] < 0x90) || (c == 0xF4 && t[i + 1] >= 0x90))) return 0;
    return len;
}

bool jsn_utf8_valid(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        int len = jsn__utf8_len((const unsigned char *)s, i, n);
        if (!len) return false;
        i += (size_t)len;
    }
    return true;
}

/* What cJSON accepts but JSON (RFC 8259) does not: bytes that are not UTF-8, a raw control
 * character inside a string, a number with a leading zero. Returns NULL when the text is
 * strict JSON, else what is wrong, with *bad_off where. */
static const char *jsn__strict(const char *text, size_t n, size_t *bad_off, char *buf, size_t bn)
{
    const unsigned char *t = (const unsigned char *)text;
    bool in_str = false;
    for (size_t i = 0; i < n;) {
        int len = jsn__utf8_len(t, i, n);
        if (!len) {
            *bad_off = i;
            snprintf(buf, bn, "invalid UTF-8 (byte 0x%02X)", t[i]);
            return buf;
        }
        unsigned char c = t[i];
        if (in_str) {
            if (c < 0x20) {
                *bad_off = i;
                snprintf(buf, bn, "a raw control character (0x%02X) inside a string: write it escaped, e.g. \\t or \\u%04X", c, c);
                return buf;
            }
            if (c == '\\' && i + 1 < n) i++;
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '0' && i + 1 < n && t[i + 1] >= '0' && t[i + 1] <= '9' &&
                   (i == 0 || !((t[i - 1] >= '0' && t[i - 1] <= '9') || t[i - 1] == '.' || t[i - 1] == 'e' || t[i - 1] == 'E' ||
                                t[i - 1] == '+' || (t[i - 1] == '-' && i >= 2 && (t[i - 2] == 'e' || t[i - 2] == 'E'))))) {
            *bad_off = i;
            snprintf(buf, bn, "a number with a leading zero (JSON numbers have none)");
            return buf;
        }
        i += (size_t)len;
    }
    return NULL;
}

/* The --set text as messages show it: control characters and bytes that are not UTF-8 as
 * \xNN, and cut after 120 bytes with its full length, so an error never echoes a huge or
 * terminal-controlling value. */
static void jsn__shown(const char *s, char *buf, size_t bn)
{
    const unsigned char *t = (const unsigned char *)s;
    size_t n = strlen(s), k = 0;
    for (size_t i = 0; i < n && k + 5 < bn;) {
        if (i >= 120) {
            snprintf(buf + k, bn - k, "... (%zu bytes)", n);
            return;
        }
        int len = jsn__utf8_len(t, i, n);
        if (!len || t[i] < 0x20 || t[i] == 0x7f) {
            snprintf(buf + k, bn - k, "\\x%02X", t[i]);
            k += 4;
            i++;
        } else {
            memcpy(buf + k, t + i, (size_t)len);
            k += (size_t)len;
            i += (size_t)len;
        }
    }
    buf[k < bn ? k : bn - 1] = '\0';
}

/* The first member name that occurs twice in one object of the tree, or NULL. */
static const char *jsn__dup_key(const cJSON *node)
{
    for (const cJSON *c = node ? node->child : NULL; c; c = c->next) {
        if (cJSON_IsObject(node) && c->string)
            for (const cJSON *e = c->next; e; e = e->next)
                if (e->string && strcmp(e->string, c->string) == 0) return c->string;
        const char *d = jsn__dup_key(c);
        if (d) return d;
    }
    return NULL;
}

os_status jsn_parse(const char *file, const char *text, size_t len, jsn_doc **out, os_diag *diag)
{
    *out = NULL;
    if (len > JSN_MAX_BYTES) {
        os_diag_add(diag, "%s: file too large: %zu bytes, the limit is %u bytes", file, len, JSN_MAX_BYTES);
        return OS_EDATA;
    }
    if (memchr(text, '\0', len)) {
        os_diag_add(diag, "%s:%s: malformed JSON: the file contains a NUL byte", file, "1:1");
        return OS_EDATA;
    }
    jsn_doc *d = xcalloc(1, sizeof *d);
    d->file = xstrdup(file);
    d->text = xmalloc(len + 1);
    memcpy(d->text, text, len);
    d->text[len] = '\0';
    d->len = len;

    size_t bad = 0;
    int line, col;
    if (!jsn__depth_ok(d->text, len, &bad)) {
        jsn__line_col(d->text, bad, &line, &col);
        os_diag_add(diag, "%s:%d:%d: nesting deeper than %d levels", file, line, col, JSN_MAX_DEPTH);
        jsn_free(d);
        return OS_EDATA;
    }
    const char *end = NULL;
    d->root = cJSON_ParseWithLengthOpts(d->text, len + 1, &end, true);
    if (!d->root) {
        size_t off = end ? (size_t)(end - d->text) : 0;
        if (off > len) off = len;
        jsn__line_col(d->text, off, &line, &col);
        /* Name the two common mistakes: a string still open at the end of the file (reported
         * at its opening quote) and single quotes; otherwise, the character cJSON stopped at. */
        size_t open_at = 0;
        bool in_str = false;
        for (size_t i = 0; i < len; i++) {
            if (in_str) {
                if (d->text[i] == '\\') i++;
                else if (d->text[i] == '"') in_str = false;
            } else if (d->text[i] == '"') {
                in_str = true;
                open_at = i;
            }
        }
        if (in_str && open_at <= off) {
            jsn__line_col(d->text, open_at, &line, &col);
            os_diag_add(diag, "%s:%d:%d: malformed JSON: unterminated string", file, line, col);
        } else if (d->text[off] == '\'' || (off > 0 && d->text[off - 1] == '\'')) {
            jsn__line_col(d->text, d->text[off] == '\'' ? off : off - 1, &line, &col);
            os_diag_add(diag, "%s:%d:%d: malformed JSON: strings and keys take double quotes, not single", file, line, col);
        } else if (off >= len)
            os_diag_add(diag, "%s:%d:%d: malformed JSON: unexpected end of file", file, line, col);
        else
            os_diag_add(diag, "%s:%d:%d: malformed JSON: unexpected '%c'", file, line, col,
                        (unsigned char)d->text[off] >= 32 ? d->text[off] : '?');
        jsn_free(d);
        return OS_EDATA;
    }
    /* What cJSON let through but JSON does not allow (checked after the parse, so a broken
     * document gets the parser's more telling message). */
    char why[160];
    if (jsn__strict(d->text, len, &bad, why, sizeof why)) {
        jsn__line_col(d->text, bad, &line, &col);
        os_diag_add(diag, "%s:%d:%d: malformed JSON: %s", file, line, col, why);
        jsn_free(d);
        return OS_EDATA;
    }
    jsn__scan s = { .t = d->text, .n = len };
    jsn__scan_value(&s, d->root, (size_t)-1);
    d->pos = s.pos;
    d->npos = s.npos;
    qsort(d->pos, d->npos, sizeof *d->pos, jsn__pos_cmp);

    int before = diag->count;
    jsn__check_tree(d, diag, d->root, "");
    if (diag->count > before) {
        jsn_free(d);
        return OS_EDATA;
    }
    *out = d;
    return OS_OK;
}

os_status jsn_load_file(const char *path, jsn_doc **out, os_diag *diag)
{
    *out = NULL;
    /* "-": standard input (a pipe or a file), named "<stdin>" in messages, read to its end
     * within the size limit */
    bool in = strcmp(path, "-") == 0;
    FILE *f = NULL;
    if (in) {
        path = "<stdin>";
        f = stdin;
    } else {
        /* O_NONBLOCK: opening a FIFO nobody writes to must not hang; anything but a regular
         * file is refused before a byte is read. */
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            os_diag_add(diag, "%s: cannot open: %s", path, strerror(errno));
            return OS_EIO;
        }
        struct stat sb;
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            const char *kind = S_ISDIR(sb.st_mode) ? "a directory" : S_ISFIFO(sb.st_mode) ? "a FIFO (named pipe)"
                             : S_ISSOCK(sb.st_mode) ? "a socket" : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device" : "not a regular file";
            os_diag_add(diag, "%s: is %s, expected a regular JSON file", path, kind);
            close(fd);
            return OS_EIO;
        }
        if (sb.st_size > (off_t)JSN_MAX_BYTES) {
            os_diag_add(diag, "%s: file too large: %lld bytes, the limit is %u bytes", path, (long long)sb.st_size, JSN_MAX_BYTES);
            close(fd);
            return OS_EDATA;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        f = fdopen(fd, "rb");
        if (!f) {
            os_diag_add(diag, "%s: cannot open: %s", path, strerror(errno));
            close(fd);
            return OS_EIO;
        }
    }
    size_t cap = 65536, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len > JSN_MAX_BYTES) break;
        if (got == 0) break;
        if (len == cap) { cap *= 2; buf = xrealloc(buf, cap); }
    }
    int err = ferror(f);
    if (!in) fclose(f);
    if (err) {
        os_diag_add(diag, "%s: read error", path);
        free(buf);
        return OS_EIO;
    }
    os_status st = jsn_parse(path, buf, len, out, diag);
    free(buf);
    return st;
}

void jsn_free(jsn_doc *d)
{
    if (!d) return;
    cJSON_Delete(d->root);
    for (size_t i = 0; i < d->ngrave; i++) cJSON_Delete(d->graveyard[i]);
    for (size_t i = 0; i < d->nsets; i++) free(d->sets[i].assignment);
    free(d->graveyard);
    free(d->sets);
    free(d->pos);
    free(d->text);
    free(d->file);
    free(d);
}

cJSON *jsn_root(const jsn_doc *d) { return d->root; }
const char *jsn_file(const jsn_doc *d) { return d->file; }
const char *jsn_text(const jsn_doc *d) { return d->text; }

/* Finds the --set edit that created `node` or one of its ancestors. */
static const char *jsn__set_origin(const jsn_doc *d, const cJSON *node)
{
    for (size_t i = 0; i < d->nsets; i++) {
        const cJSON *n = d->sets[i].node;
        if (n == node) return d->sets[i].assignment;
        /* search the subtree of n */
        const cJSON *stack[JSN_MAX_DEPTH * 2 + 8];
        int sp = 0;
        if (n->child) stack[sp++] = n->child;
        while (sp) {
            const cJSON *c = stack[--sp];
            if (c == node) return d->sets[i].assignment;
            if (c->next && sp < (int)(sizeof stack / sizeof *stack)) stack[sp++] = c->next;
            if (c->child && sp < (int)(sizeof stack / sizeof *stack)) stack[sp++] = c->child;
        }
    }
    return NULL;
}

bool jsn_where(const jsn_doc *d, const cJSON *node, bool at_key, int *line, int *col)
{
    const jsn__pos key = { node, 0, 0 };
    const jsn__pos *p = bsearch(&key, d->pos, d->npos, sizeof *d->pos, jsn__pos_cmp);
    if (!p) return false;
    jsn__line_col(d->text, at_key ? p->key_off : p->val_off, line, col);
    return true;
}

void jsn_error(const jsn_doc *d, os_diag *diag, const cJSON *node, bool at_key,
               const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *shown = (path && *path) ? path : "(root)";
    const jsn__pos key = { node, 0, 0 };
    const jsn__pos *p = node ? bsearch(&key, d->pos, d->npos, sizeof *d->pos, jsn__pos_cmp) : NULL;
    const char *origin = node ? jsn__set_origin(d, node) : NULL;
    if (origin) {
        os_diag_add(diag, "%s (%s %s): %s: %s", d->file, os_hint_text(OS_HINT_EDIT), origin, shown, msg);
    } else if (p) {
        int line, col;
        jsn__line_col(d->text, at_key ? p->key_off : p->val_off, &line, &col);
        os_diag_add(diag, "%s:%d:%d: %s: %s", d->file, line, col, shown, msg);
    } else {
        os_diag_add(diag, "%s: %s: %s", d->file, shown, msg);
    }
}

int jsn_check_keys(const jsn_doc *d, os_diag *diag, const cJSON *obj, const char *path,
                   const char *const *allowed)
{
    int bad = 0;
    char sub[512];
    for (const cJSON *ch = obj->child; ch; ch = ch->next) {
        if (os_name_find(allowed, -1, ch->string) >= 0) continue;
        const char *best = os_name_closest(allowed, -1, ch->string, 2);
        bad++;
        jsn_path_key(sub, sizeof sub, path, ch->string);
        if (best)
            jsn_error(d, diag, ch, true, sub, "unknown key \"%s\" (did you mean \"%s\"?)", ch->string, best);
        else
            jsn_error(d, diag, ch, true, sub, "unknown key \"%s\"", ch->string);
    }
    return bad;
}

void jsn_path_key(char *buf, size_t size, const char *base, const char *key)
{
    if (base && *base) snprintf(buf, size, "%s.%s", base, key);
    else snprintf(buf, size, "%s", key);
}

void jsn_path_index(char *buf, size_t size, const char *base, int i)
{
    snprintf(buf, size, "%s[%d]", base ? base : "", i);
}

const char *jsn_type_name(const cJSON *n)
{
    if (!n) return "nothing";
    if (cJSON_IsString(n)) return "a string";
    if (cJSON_IsNumber(n)) return "a number";
    if (cJSON_IsBool(n)) return "a boolean";
    if (cJSON_IsNull(n)) return "null";
    if (cJSON_IsArray(n)) return "an array";
    if (cJSON_IsObject(n)) return "an object";
    return "an invalid value";
}

bool jsn_duration_str(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0) return false;
    double mul;
    if (strcmp(end, "ms") == 0) mul = 0.001;
    else if (strcmp(end, "s") == 0 || *end == '\0') mul = 1;
    else if (strcmp(end, "m") == 0) mul = 60;
    else if (strcmp(end, "h") == 0) mul = 3600;
    else if (strcmp(end, "d") == 0) mul = 86400;
    else return false;
    *out = v * mul;
    return isfinite(*out);
}

bool jsn_duration(const cJSON *n, double *out)
{
    if (cJSON_IsNumber(n)) {
        if (!isfinite(n->valuedouble) || n->valuedouble < 0) return false;
        *out = n->valuedouble;
        return true;
    }
    if (cJSON_IsString(n)) return jsn_duration_str(n->valuestring, out);
    return false;
}

/* ---- --set ------------------------------------------------------------------------- */

static void jsn__bury(jsn_doc *d, cJSON *old)
{
    d->graveyard = xrealloc(d->graveyard, (d->ngrave + 1) * sizeof *d->graveyard);
    d->graveyard[d->ngrave++] = old;
}

/* Replaces or adds `val` as member `key` of object `obj`, keeping any old node. */
static void jsn__put(jsn_doc *d, cJSON *obj, const char *key, cJSON *val)
{
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(obj, key);
    if (old) jsn__bury(d, old);
    OS_ASSERT(cJSON_AddItemToObject(obj, key, val));
}

/* Puts `val` at index idx (<= size) of array `arr`, keeping a replaced node. Built only
 * from detaching the last item and appending, because cJSON 1.7.15's
 * cJSON_InsertItemInArray fails after a middle item was detached (the fuzzer found it:
 * the value was dropped and leaked). Returns false when nothing could be placed. */
static bool jsn__array_put(jsn_doc *d, cJSON *arr, int idx, cJSON *val)
{
    int n = cJSON_GetArraySize(arr);
    if (idx < 0 || idx > n) return false;
    if (idx == n) return cJSON_AddItemToArray(arr, val);
    cJSON **tail = xmalloc((size_t)(n - idx) * sizeof *tail);
    for (int k = n - 1; k >= idx; k--) tail[k - idx] = cJSON_DetachItemFromArray(arr, k);
    jsn__bury(d, tail[0]);
    bool ok = cJSON_AddItemToArray(arr, val);
    for (int k = 1; k < n - idx; k++) ok &= cJSON_AddItemToArray(arr, tail[k]);
    free(tail);
    OS_ASSERT(ok && cJSON_GetArraySize(arr) == n);
    return true;
}

os_status jsn_set(jsn_doc *d, const char *assignment, os_diag *diag)
{
    char shown[200];
    jsn__shown(assignment, shown, sizeof shown);
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        os_diag_add(diag, "%s %s: expected PATH=VALUE", os_hint_text(OS_HINT_EDIT), shown);
        return OS_EINVAL;
    }
    size_t plen = (size_t)(eq - assignment);
    if (plen > 400) {
        os_diag_add(diag, "%s: path too long", os_hint_text(OS_HINT_EDIT));
        return OS_EINVAL;
    }
    char path[512];
    memcpy(path, shown, plen);
    path[plen] = '\0';
    const char *value = eq + 1;
    /* The value is strict JSON (checked like a file: UTF-8, no raw control characters in
     * strings, no leading zeros, no duplicate keys), or else taken as a plain string, which
     * must be UTF-8 without control characters. */
    size_t bad = 0;
    char why[160];
    cJSON *val = cJSON_ParseWithOpts(value, NULL, true);
    const char *wrong = val ? jsn__strict(value, strlen(value), &bad, why, sizeof why) : NULL;
    const unsigned char *vb = (const unsigned char *)value;
    for (size_t i = 0, n = strlen(value); !val && !wrong && i < n;) {
        int len = jsn__utf8_len(vb, i, n);
        if (!len || vb[i] < 0x20 || vb[i] == 0x7f) {
            snprintf(why, sizeof why, len ? "a control character (0x%02X)" : "invalid UTF-8 (byte 0x%02X)", vb[i]);
            wrong = why;
            bad = i;
        }
        i += len ? (size_t)len : 1;
    }
    const char *dup = val ? jsn__dup_key(val) : NULL;
    if (wrong || dup) {
        if (dup) os_diag_add(diag, "%s %s: duplicate key \"%s\" in the value", os_hint_text(OS_HINT_EDIT), shown, dup);
        else os_diag_add(diag, "%s %s: %s at byte %zu of the value", os_hint_text(OS_HINT_EDIT), shown, wrong, bad + 1);
        cJSON_Delete(val);
        return OS_EINVAL;
    }
    if (!val) val = cJSON_CreateString(value);
    if (!val) {
        os_diag_add(diag, "%s %s: cannot build the value", os_hint_text(OS_HINT_EDIT), shown);
        return OS_EINVAL;
    }
    /* Walk the path: segments "name" or "name[i]" separated by dots. */
    cJSON *cur = d->root;
    char *seg = path;
    for (;;) {
        char *dot = strchr(seg, '.');
        if (dot) *dot = '\0';
        char *br = strchr(seg, '[');
        int idx = -1;
        if (br) {
            char *endp;
            long v = strtol(br + 1, &endp, 10);
            if (endp == br + 1 || *endp != ']' || endp[1] != '\0' || v < 0 || v > 1000000) {
                os_diag_add(diag, "%s %s: bad array index in \"%s\"", os_hint_text(OS_HINT_EDIT), shown, seg);
                cJSON_Delete(val);
                return OS_EINVAL;
            }
            idx = (int)v;
            *br = '\0';
        }
        if (*seg == '\0' || !cJSON_IsObject(cur)) {
            os_diag_add(diag, "%s %s: \"%s\" is not a member of an object", os_hint_text(OS_HINT_EDIT), shown, *seg ? seg : "(empty)");
            cJSON_Delete(val);
            return OS_EINVAL;
        }
        bool last = dot == NULL;
        cJSON *next = cJSON_GetObjectItemCaseSensitive(cur, seg);
        if (idx < 0) {
            if (last) {
                jsn__put(d, cur, seg, val);
                break;
            }
            if (!next) {
                next = cJSON_CreateObject();
                jsn__put(d, cur, seg, next);
            }
        } else {
            if (!next) {
                next = cJSON_CreateArray();
                jsn__put(d, cur, seg, next);
            }
            if (!cJSON_IsArray(next)) {
                os_diag_add(diag, "%s %s: \"%s\" is not an array", os_hint_text(OS_HINT_EDIT), shown, seg);
                cJSON_Delete(val);
                return OS_EINVAL;
            }
            int n = cJSON_GetArraySize(next);
            if (idx > n) {
                os_diag_add(diag, "%s %s: index %d is past the end of \"%s\" (%d items)", os_hint_text(OS_HINT_EDIT), shown, idx, seg, n);
                cJSON_Delete(val);
                return OS_EINVAL;
            }
            if (last) {
                if (!jsn__array_put(d, next, idx, val)) {
                    os_diag_add(diag, "%s %s: cannot place the value", os_hint_text(OS_HINT_EDIT), shown);
                    cJSON_Delete(val);
                    return OS_EINVAL;
                }
                break;
            }
            if (idx == n) OS_ASSERT(cJSON_AddItemToArray(next, cJSON_CreateObject()));
            next = cJSON_GetArrayItem(next, idx);
        }
        cur = next;
        seg = dot + 1;
    }
    d->sets = xrealloc(d->sets, (d->nsets + 1) * sizeof *d->sets);
    d->sets[d->nsets].node = val;
    d->sets[d->nsets].assignment = xstrdup(shown);   /* as messages show it */
    d->nsets++;
    return OS_OK;
}

void jsn_write_num(FILE *out, double v)
{
    if (!isfinite(v)) fputs("null", out);
    else if (v == floor(v) && fabs(v) < 9007199254740992.0) fprintf(out, "%.0f", v);
    else fprintf(out, "%.17g", v);
}

void jsn_write_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p == '\t') fputs("\\t", out);
        else if (*p < 32) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}
