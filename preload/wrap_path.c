/* wrap_path.c: path-taking calls other than opens: metadata (stat family,
 * statx, access, readlink), namespace changes (mkdir, mknod, mkfifo,
 * unlink, rmdir, rename, link, symlink), attribute changes (chmod, chown,
 * truncate, utime) and unix socket bind/connect. Calls that create a name
 * need write only when the name is missing, so an existing name gets the
 * kernel's EEXIST/EADDRINUSE, not EACCES. */
#include "preload.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <utime.h>

#define GUARD(ops, miss, dirfd, path, rflags)                                                      \
	do {                                                                                       \
		if (!pr_busy()) {                                                                  \
			int e_ = pr_check(ops, miss, dirfd, path, rflags);                         \
			if (e_) {                                                                  \
				errno = e_;                                                        \
				return -1;                                                         \
			}                                                                          \
		}                                                                                  \
	} while (0)

#define F PR_FOLLOW
#define M PR_META
#define W PR_WRITE

/* Resolution flags from AT_* flags. */
static int atf(int at)
{
	return ((at & AT_SYMLINK_NOFOLLOW) ? 0 : PR_FOLLOW) |
	       ((at & AT_EMPTY_PATH) ? PR_EMPTY_PATH : 0);
}

static unsigned access_ops(int mode)
{
	return M | ((mode & R_OK) ? PR_READ : 0) | ((mode & W_OK) ? W : 0);
}

/* ------------------------------------------------------------- metadata */

PR_EXPORT int stat(const char *restrict path, struct stat *restrict st)
{
	GUARD(M, 0, AT_FDCWD, path, F);
	return CALL_REAL(stat, -1, path, st);
}

PR_EXPORT int stat64(const char *restrict path, struct stat64 *restrict st)
{
	GUARD(M, 0, AT_FDCWD, path, F);
	return CALL_REAL(stat64, -1, path, st);
}

PR_EXPORT int lstat(const char *restrict path, struct stat *restrict st)
{
	GUARD(M, 0, AT_FDCWD, path, 0);
	return CALL_REAL(lstat, -1, path, st);
}

PR_EXPORT int lstat64(const char *restrict path, struct stat64 *restrict st)
{
	GUARD(M, 0, AT_FDCWD, path, 0);
	return CALL_REAL(lstat64, -1, path, st);
}

PR_EXPORT int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
{
	GUARD(M, 0, dirfd, path, atf(flags));
	return CALL_REAL(fstatat, -1, dirfd, path, st, flags);
}

PR_EXPORT int fstatat64(int dirfd, const char *restrict path, struct stat64 *restrict st, int flags)
{
	GUARD(M, 0, dirfd, path, atf(flags));
	return CALL_REAL(fstatat64, -1, dirfd, path, st, flags);
}

PR_EXPORT int statx(int dirfd, const char *restrict path, int flags, unsigned mask,
                    struct statx *restrict buf)
{
	GUARD(M, 0, dirfd, path, atf(flags));
	return CALL_REAL(statx, -1, dirfd, path, flags, mask, buf);
}

PR_EXPORT int access(const char *path, int mode)
{
	GUARD(access_ops(mode), 0, AT_FDCWD, path, F);
	return CALL_REAL(access, -1, path, mode);
}

PR_EXPORT int euidaccess(const char *path, int mode)
{
	GUARD(access_ops(mode), 0, AT_FDCWD, path, F);
	return CALL_REAL(euidaccess, -1, path, mode);
}

PR_EXPORT int eaccess(const char *path, int mode)
{
	GUARD(access_ops(mode), 0, AT_FDCWD, path, F);
	return CALL_REAL(eaccess, -1, path, mode);
}

PR_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	GUARD(access_ops(mode), 0, dirfd, path, atf(flags));
	return CALL_REAL(faccessat, -1, dirfd, path, mode, flags);
}

PR_EXPORT ssize_t readlink(const char *restrict path, char *restrict buf, size_t size)
{
	GUARD(M, 0, AT_FDCWD, path, 0);
	return CALL_REAL(readlink, -1, path, buf, size);
}

PR_EXPORT ssize_t readlinkat(int dirfd, const char *restrict path, char *restrict buf, size_t size)
{
	GUARD(M, 0, dirfd, path, PR_EMPTY_PATH);
	return CALL_REAL(readlinkat, -1, dirfd, path, buf, size);
}

/* ----------------------------------------------------- namespace changes */

PR_EXPORT int mkdir(const char *path, mode_t mode)
{
	GUARD(0, W, AT_FDCWD, path, 0);
	return CALL_REAL(mkdir, -1, path, mode);
}

PR_EXPORT int mkdirat(int dirfd, const char *path, mode_t mode)
{
	GUARD(0, W, dirfd, path, 0);
	return CALL_REAL(mkdirat, -1, dirfd, path, mode);
}

PR_EXPORT int mknod(const char *path, mode_t mode, dev_t dev)
{
	GUARD(0, W, AT_FDCWD, path, 0);
	return CALL_REAL(mknod, -1, path, mode, dev);
}

PR_EXPORT int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	GUARD(0, W, dirfd, path, 0);
	return CALL_REAL(mknodat, -1, dirfd, path, mode, dev);
}

PR_EXPORT int mkfifo(const char *path, mode_t mode)
{
	GUARD(0, W, AT_FDCWD, path, 0);
	return CALL_REAL(mkfifo, -1, path, mode);
}

PR_EXPORT int mkfifoat(int dirfd, const char *path, mode_t mode)
{
	GUARD(0, W, dirfd, path, 0);
	return CALL_REAL(mkfifoat, -1, dirfd, path, mode);
}

PR_EXPORT int unlink(const char *path)
{
	GUARD(W, 0, AT_FDCWD, path, 0);
	return CALL_REAL(unlink, -1, path);
}

PR_EXPORT int unlinkat(int dirfd, const char *path, int flags)
{
	GUARD(W, 0, dirfd, path, 0);
	return CALL_REAL(unlinkat, -1, dirfd, path, flags);
}

PR_EXPORT int rmdir(const char *path)
{
	GUARD(W, 0, AT_FDCWD, path, 0);
	return CALL_REAL(rmdir, -1, path);
}

PR_EXPORT int rename(const char *old, const char *new)
{
	GUARD(W, 0, AT_FDCWD, old, 0);
	GUARD(0, W, AT_FDCWD, new, 0);
	return CALL_REAL(rename, -1, old, new);
}

PR_EXPORT int renameat(int odir, const char *old, int ndir, const char *new)
{
	GUARD(W, 0, odir, old, 0);
	GUARD(0, W, ndir, new, 0);
	return CALL_REAL(renameat, -1, odir, old, ndir, new);
}

PR_EXPORT int renameat2(int odir, const char *old, int ndir, const char *new, unsigned flags)
{
	GUARD(W, 0, odir, old, 0);
	GUARD(0, W, ndir, new, 0);
	return CALL_REAL(renameat2, -1, odir, old, ndir, new, flags);
}

/* A hard link gives a second name to the same inode: the source must be
 * writable too, or a link into a writable dir would open it for writing. */
PR_EXPORT int link(const char *old, const char *new)
{
	GUARD(W, 0, AT_FDCWD, old, 0);
	GUARD(0, W, AT_FDCWD, new, 0);
	return CALL_REAL(link, -1, old, new);
}

PR_EXPORT int linkat(int odir, const char *old, int ndir, const char *new, int flags)
{
	int of = ((flags & AT_SYMLINK_FOLLOW) ? PR_FOLLOW : 0) |
	         ((flags & AT_EMPTY_PATH) ? PR_EMPTY_PATH : 0);
	GUARD(W, 0, odir, old, of);
	GUARD(0, W, ndir, new, 0);
	return CALL_REAL(linkat, -1, odir, old, ndir, new, flags);
}

/* The target is only text; it is checked when something opens through it. */
PR_EXPORT int symlink(const char *target, const char *path)
{
	GUARD(0, W, AT_FDCWD, path, 0);
	return CALL_REAL(symlink, -1, target, path);
}

PR_EXPORT int symlinkat(const char *target, int dirfd, const char *path)
{
	GUARD(0, W, dirfd, path, 0);
	return CALL_REAL(symlinkat, -1, target, dirfd, path);
}

/* ---------------------------------------------------- attribute changes */

PR_EXPORT int chmod(const char *path, mode_t mode)
{
	GUARD(W, 0, AT_FDCWD, path, F);
	return CALL_REAL(chmod, -1, path, mode);
}

PR_EXPORT int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	GUARD(W, 0, dirfd, path, atf(flags));
	return CALL_REAL(fchmodat, -1, dirfd, path, mode, flags);
}

PR_EXPORT int chown(const char *path, uid_t uid, gid_t gid)
{
	GUARD(W, 0, AT_FDCWD, path, F);
	return CALL_REAL(chown, -1, path, uid, gid);
}

PR_EXPORT int lchown(const char *path, uid_t uid, gid_t gid)
{
	GUARD(W, 0, AT_FDCWD, path, 0);
	return CALL_REAL(lchown, -1, path, uid, gid);
}

PR_EXPORT int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	GUARD(W, 0, dirfd, path, atf(flags));
	return CALL_REAL(fchownat, -1, dirfd, path, uid, gid, flags);
}

PR_EXPORT int truncate(const char *path, off_t len)
{
	GUARD(W, 0, AT_FDCWD, path, F);
	return CALL_REAL(truncate, -1, path, len);
}

PR_EXPORT int truncate64(const char *path, off64_t len)
{
	GUARD(W, 0, AT_FDCWD, path, F);
	return CALL_REAL(truncate64, -1, path, len);
}

PR_EXPORT int utime(const char *path, const struct utimbuf *times)
{
	GUARD(W, 0, AT_FDCWD, path, F);
	return CALL_REAL(utime, -1, path, times);
}

PR_EXPORT int utimes(const char *path, const struct timeval times[2])
{
	GUARD(W, 0, AT_FDCWD, path, F);
	return CALL_REAL(utimes, -1, path, times);
}

PR_EXPORT int lutimes(const char *path, const struct timeval times[2])
{
	GUARD(W, 0, AT_FDCWD, path, 0);
	return CALL_REAL(lutimes, -1, path, times);
}

/* The headers declare path nonnull, but the kernel takes NULL as "the
 * descriptor itself" (futimens): hide the value from the optimiser. */
static const char *opaque(const char *p)
{
	__asm__("" : "+r"(p));
	return p;
}

/* A NULL path means the descriptor itself (futimens): no path to check. */
PR_EXPORT int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
	if (opaque(path))
		GUARD(W, 0, dirfd, path, atf(flags));
	return CALL_REAL(utimensat, -1, dirfd, path, times, flags);
}

PR_EXPORT int futimesat(int dirfd, const char *path, const struct timeval times[2])
{
	if (opaque(path))
		GUARD(W, 0, dirfd, path, F);
	return CALL_REAL(futimesat, -1, dirfd, path, times);
}

/* ------------------------------------------------------- unix sockets */

/* The filesystem path of a unix socket address, or NULL (abstract,
 * unnamed or another family). buf holds the NUL-terminated copy. */
static const char *sun_path_of(const struct sockaddr *sa, socklen_t len, char *buf)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	if (!sa || len <= off || sa->sa_family != AF_UNIX)
		return NULL;
	const char *p = ((const struct sockaddr_un *)sa)->sun_path;
	size_t n = len - off;
	if (n > sizeof(((struct sockaddr_un *)0)->sun_path))
		n = sizeof(((struct sockaddr_un *)0)->sun_path);
	if (p[0] == '\0')
		return NULL;
	size_t l = strnlen(p, n);
	memcpy(buf, p, l);
	buf[l] = '\0';
	return buf;
}

PR_EXPORT int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	const char *path = sun_path_of(sa, len, buf);
	if (path)
		GUARD(0, W, AT_FDCWD, path, 0);
	return CALL_REAL(bind, -1, fd, sa, len);
}

PR_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	const char *path = sun_path_of(sa, len, buf);
	if (path)
		GUARD(PR_CONNECT, 0, AT_FDCWD, path, F);
	return CALL_REAL(connect, -1, fd, sa, len);
}
