/*
 * sfw.c — safe output files. See sfw.h.
 */
#include "sfw.h"
#include "pth.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { SFW_PATH_MAX = 4096 };

struct sfw_file {
    FILE     *fp;                   /* the temporary, open for writing */
    char      tmp[SFW_PATH_MAX];    /* its path */
    char      path[SFW_PATH_MAX];   /* the target */
    sfw_file *next;                 /* the list of open temporaries */
};

/* Every temporary not yet committed or aborted, for sfw_abort_all. */
static sfw_file *sfw__open_list;
static pthread_mutex_t sfw__mu = PTHREAD_MUTEX_INITIALIZER;

static void sfw__unlist(sfw_file *f)
{
    pthread_mutex_lock(&sfw__mu);
    for (sfw_file **p = &sfw__open_list; *p; p = &(*p)->next)
        if (*p == f) { *p = f->next; break; }
    pthread_mutex_unlock(&sfw__mu);
}

/* A name for the temporary: ".BASE.XXXXXXXX.tmp" in the target's directory, the X's from
 * the clock, the process id and an attempt counter (O_EXCL makes a clash a retry). */
static bool sfw__temp_name(const char *path, unsigned attempt, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dlen = slash ? (int)(slash - path + 1) : 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^ (attempt * 2654435761u);
    return (size_t)snprintf(buf, n, "%.*s.%s.%08lx.tmp", dlen, path, base, x & 0xffffffffUL) < n;
}

os_status sfw_open(const char *path, sfw_file **out, os_diag *diag)
{
    *out = NULL;
    size_t len = strlen(path);
    if (!len || path[len - 1] == '/' || len + 32 >= SFW_PATH_MAX) {
        os_diag_add(diag, "'%s': not a file name that can be written", path);
        return OS_EIO;
    }
    if (pth_mkdirs(path, true) != 0) {
        os_diag_add(diag, "%s: cannot create its directory: %s", path, strerror(errno));
        return OS_EIO;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        os_diag_add(diag, "%s: exists and is not a regular file; it was left untouched", path);
        return OS_EIO;
    }
    sfw_file *f = xcalloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    int fd = -1;
    for (unsigned k = 0; k < 64 && fd < 0; k++) {
        if (!sfw__temp_name(path, k, f->tmp, sizeof f->tmp)) { errno = ENAMETOOLONG; break; }
        fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        os_diag_add(diag, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
        free(f);
        return OS_EIO;
    }
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
        os_diag_add(diag, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(f->tmp);
        free(f);
        return OS_EIO;
    }
    pthread_mutex_lock(&sfw__mu);
    f->next = sfw__open_list;
    sfw__open_list = f;
    pthread_mutex_unlock(&sfw__mu);
    *out = f;
    return OS_OK;
}

FILE *sfw_stream(sfw_file *f) { return f->fp; }

const char *sfw_temp(const sfw_file *f) { return f->tmp; }

os_status sfw_commit(sfw_file *f, os_diag *diag)
{
    bool ok = fflush(f->fp) == 0 && !ferror(f->fp);
    int e = errno;
    ok = ok && fsync(fileno(f->fp)) == 0;
    if (ok) e = errno;
    if (fclose(f->fp) != 0 && ok) { ok = false; e = errno; }
    f->fp = NULL;
    if (ok && rename(f->tmp, f->path) != 0) { ok = false; e = errno; }
    if (!ok) {
        os_diag_add(diag, "%s: write failed (%s); the file was left as it was", f->path, e ? strerror(e) : "disk full?");
        unlink(f->tmp);
    } else {
        /* the rename itself reaches the disk with the directory */
        char dir[SFW_PATH_MAX];
        const char *slash = strrchr(f->path, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - f->path) + (slash == f->path) : 1, slash ? f->path : ".");
        int dfd = open(dir, O_RDONLY | O_CLOEXEC);
        if (dfd >= 0) { (void)fsync(dfd); close(dfd); }
    }
    sfw__unlist(f);
    free(f);
    return ok ? OS_OK : OS_EIO;
}

void sfw_abort(sfw_file *f)
{
    if (!f) return;
    sfw__unlist(f);
    if (f->fp) fclose(f->fp);
    unlink(f->tmp);
    free(f);
}

void sfw_abort_all(void)
{
    pthread_mutex_lock(&sfw__mu);
    for (sfw_file *f = sfw__open_list; f; f = f->next) unlink(f->tmp);
    sfw__open_list = NULL;
    pthread_mutex_unlock(&sfw__mu);
}

bool sfw_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || stat(a, &sa) != 0 || stat(b, &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
