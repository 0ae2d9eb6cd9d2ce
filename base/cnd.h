/*
 * cnd.h — the comparison half of the condition grammar "NAME OP NUMBER" used by scenario
 * thresholds, --slo, --subject-to, --metric and --tolerance: the operators, their one
 * numbering, their spelling and their truth. What NAME may be (metric and station figure
 * names) is the reports' business (rpt_cond_parse); nothing here knows a figure.
 */
#ifndef CND_H
#define CND_H

#include <stdbool.h>

typedef enum cnd_op { CND_LT, CND_LE, CND_EQ, CND_NE, CND_GE, CND_GT } cnd_op;

/* Parses "OP NUMBER" (spaces allowed around; NUMBER finite); false when malformed, leaving
 * *op and *value as they were. */
bool cnd_op_parse(const char *text, cnd_op *op, double *value);
/* The operator as written ("<", "<=", "==", "!=", ">=", ">"); "?" for a bad code. */
const char *cnd_op_name(cnd_op op);
/* Whether `lhs OP rhs` holds (false for a bad code, and for NaN on either side except !=). */
bool cnd_op_holds(cnd_op op, double lhs, double rhs);
/* True for < and <=: the condition is an upper bound. */
bool cnd_op_upper(cnd_op op);

#endif
