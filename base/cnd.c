/*
 * cnd.c — comparison operators of the condition grammar. See cnd.h.
 */
#include "cnd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool cnd_op_parse(const char *text, cnd_op *op, double *value)
{
    while (*text == ' ') text++;
    static const char *const ops[] = { "<=", ">=", "==", "!=", "<", ">" };
    static const cnd_op codes[] = { CND_LE, CND_GE, CND_EQ, CND_NE, CND_LT, CND_GT };
    for (int i = 0; i < 6; i++) {
        size_t n = strlen(ops[i]);
        if (strncmp(text, ops[i], n) != 0) continue;
        char *end;
        double v = strtod(text + n, &end);
        if (end == text + n || !isfinite(v)) return false;
        while (*end == ' ') end++;
        if (*end) return false;
        *op = codes[i];
        *value = v;
        return true;
    }
    return false;
}

const char *cnd_op_name(cnd_op op)
{
    static const char *const n[] = { "<", "<=", "==", "!=", ">=", ">" };
    return (unsigned)op < sizeof n / sizeof n[0] ? n[op] : "?";
}

bool cnd_op_holds(cnd_op op, double a, double b)
{
    switch (op) {
    case CND_LT: return a < b;
    case CND_LE: return a <= b;
    case CND_EQ: return a == b;
    case CND_NE: return a != b;
    case CND_GE: return a >= b;
    case CND_GT: return a > b;
    }
    return false;
}

bool cnd_op_upper(cnd_op op) { return op == CND_LT || op == CND_LE; }
