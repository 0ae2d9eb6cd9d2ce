/*
 * inv_int.h — inventory internals for inv.c and its tests only (never included elsewhere).
 *
 * The checker tests corrupt one ledger row and expect inv_check to catch it; nothing else
 * may reach the rows, because the ledger is append-only by contract.
 */
#ifndef INV_INT_H
#define INV_INT_H

#include "inv.h"

/* Movements kept so far (0 when the ledger is off). */
size_t inv__ledger_len(const inv_store *s);
/* The k-th movement, writable (for tests that corrupt it), or NULL when k is past the end. */
inv_move *inv__ledger_row(inv_store *s, size_t k);

#endif
