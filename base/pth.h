/*
 * pth.h — file-system paths: creating directories, turning a name into one safe path
 * component, and resolving a file named inside another file relative to that file.
 *
 * Plain string work plus mkdir(2); no module of the project is imported.
 */
#ifndef PTH_H
#define PTH_H

#include <stdbool.h>
#include <stddef.h>

/* Creates a directory and its parents (mkdir -p); with `parents_only`, only the parents of
 * the last path component (for a file path). Returns 0, or -1 with errno set
 * (ENAMETOOLONG beyond 1023 bytes). */
int pth_mkdirs(const char *path, bool parents_only);

/* The name reduced to one safe path component ([A-Za-z0-9._-], no leading dot, never
 * empty) into buf of n bytes, for default report directories. */
void pth_safe_name(const char *name, char *buf, size_t n);

/* The path of `name` as written inside the file `from`: an absolute name as it is, a
 * relative one relative to the directory of `from` (as it is when `from` has no
 * directory part). Written into buf of n bytes; returns false when it was cut short. */
bool pth_beside(const char *from, const char *name, char *buf, size_t n);

#endif
