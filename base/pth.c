/*
 * pth.c — file-system paths. See pth.h.
 */
#include "pth.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int pth_mkdirs(const char *path, bool parents_only)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, parents_only ? "%s" : "%s/", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return 0;
}

void pth_safe_name(const char *name, char *buf, size_t n)
{
    /* Anything but [A-Za-z0-9._-] turns into '_' and a leading dot is replaced, so the
     * result is one path component that cannot climb out of its parent or hide. */
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < n; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        buf[k] = ok && !(k == 0 && c == '.') ? c : '_';
        k++;
    }
    if (!k && n > 1) buf[k++] = '_';
    if (n) buf[k < n ? k : n - 1] = '\0';
}

bool pth_beside(const char *from, const char *name, char *buf, size_t n)
{
    const char *slash = strrchr(from, '/');
    int w = name[0] != '/' && slash ? snprintf(buf, n, "%.*s/%s", (int)(slash - from), from, name)
                                    : snprintf(buf, n, "%s", name);
    return w >= 0 && (size_t)w < n;
}
