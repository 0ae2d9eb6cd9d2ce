/*
 * sfw.h — the one way ordersim writes an output file: into a new temporary file beside
 * the target (created with O_CREAT | O_EXCL | O_NOFOLLOW, so nothing planted at its name
 * is ever followed or reused), checked by the caller, flushed to disk (fsync) and renamed
 * over the target in one step. A reader sees the old file or the new one, never a part;
 * a write that fails or is interrupted leaves the target as it was.
 *
 * Every temporary still open is listed, so sfw_abort_all (called on SIGINT/SIGTERM and at
 * exit) removes them whatever path the process leaves by. Also here: the same-file test
 * (device and inode) commands use to refuse an output that is one of their inputs.
 */
#ifndef SFW_H
#define SFW_H

#include "os.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct sfw_file sfw_file;

/* Opens a temporary file for `path` in the same directory (the directory's parents are
 * created if needed). On success *out is owned by the caller until sfw_commit or
 * sfw_abort. OS_EIO with a message naming `path` on failure. */
os_status sfw_open(const char *path, sfw_file **out, os_diag *diag);
/* The stream to write to (owned by f). */
FILE *sfw_stream(sfw_file *f);
/* The temporary's path, for a check that reads the file back before it is committed. */
const char *sfw_temp(const sfw_file *f);
/* Flushes, fsyncs and closes the temporary and renames it over the target (a symbolic
 * link at the target is replaced, never followed). Frees f whatever happens; on failure
 * the temporary is removed, the target left as it was, OS_EIO with a message. */
os_status sfw_commit(sfw_file *f, os_diag *diag);
/* Closes and removes the temporary, frees f (NULL is ignored). */
void sfw_abort(sfw_file *f);
/* Removes every temporary still open (for a signal thread or atexit; the files are not
 * freed, the process is about to end). */
void sfw_abort_all(void);

/* True when both paths exist and name the same file (same device and inode; symbolic
 * links followed), as a hard link or another spelling would. */
bool sfw_same_file(const char *a, const char *b);

#endif
