/* wrap_open.c: the calls that open a path: open/openat (and their 64-bit
 * and fortified twins), creat, fopen, freopen, opendir. What an open needs
 * comes from its flags; O_CREAT needs write only when the file is missing,
 * as in the kernel. The mode argument is read only when the flags say it
 * was passed, as libc's own variadic open does. */
#include "preload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define GUARD(ops, miss, dirfd, path, rflags, fail)                                                \
	do {                                                                                       \
		if (!pr_busy()) {                                                                  \
			int e_ = pr_check(ops, miss, dirfd, path, rflags);                         \
			if (e_) {                                                                  \
				errno = e_;                                                        \
				return fail;                                                       \
			}                                                                          \
		}                                                                                  \
	} while (0)

static bool needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* The operations an open with these flags performs, and how it resolves. */
static void open_ops(int flags, unsigned *ops, unsigned *miss, int *rflags)
{
	int acc = flags & O_ACCMODE;
	*ops = *miss = 0;
	*rflags = (flags & O_NOFOLLOW) || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)
	              ? 0
	              : PR_FOLLOW;
	if (flags & O_PATH) {
		*ops = PR_META;
		return;
	}
	if (acc == O_RDONLY || acc == O_RDWR || acc == O_ACCMODE)
		*ops |= PR_READ;
	if (acc != O_RDONLY || (flags & O_TRUNC))
		*ops |= PR_WRITE;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		*ops |= PR_WRITE;
	if (flags & O_CREAT)
		*miss |= PR_WRITE;
}

static int check_open(int dirfd, const char *path, int flags)
{
	unsigned ops, miss;
	int rflags;
	if (pr_busy())
		return 0;
	open_ops(flags, &ops, &miss, &rflags);
	return pr_check(ops, miss, dirfd, path, rflags);
}

#define OPEN_BODY(realname, dirfd, ...)                                                            \
	int e_ = check_open(dirfd, path, flags);                                                   \
	if (e_) {                                                                                  \
		errno = e_;                                                                        \
		return -1;                                                                         \
	}                                                                                          \
	return CALL_REAL(realname, -1, __VA_ARGS__)

#define GET_MODE(mode, flags)                                                                      \
	mode_t mode = 0;                                                                           \
	if (needs_mode(flags)) {                                                                   \
		va_list ap;                                                                        \
		va_start(ap, flags);                                                               \
		mode = (mode_t)va_arg(ap, int);                                                    \
		va_end(ap);                                                                        \
	}

PR_EXPORT int open(const char *path, int flags, ...)
{
	GET_MODE(mode, flags);
	OPEN_BODY(open, AT_FDCWD, path, flags, mode);
}

PR_EXPORT int open64(const char *path, int flags, ...)
{
	GET_MODE(mode, flags);
	OPEN_BODY(open64, AT_FDCWD, path, flags, mode);
}

PR_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	GET_MODE(mode, flags);
	OPEN_BODY(openat, dirfd, dirfd, path, flags, mode);
}

PR_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	GET_MODE(mode, flags);
	OPEN_BODY(openat64, dirfd, dirfd, path, flags, mode);
}

PR_EXPORT int __open_2(const char *path, int flags)
{
	OPEN_BODY(__open_2, AT_FDCWD, path, flags);
}

PR_EXPORT int __open64_2(const char *path, int flags)
{
	OPEN_BODY(__open64_2, AT_FDCWD, path, flags);
}

PR_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	OPEN_BODY(__openat_2, dirfd, dirfd, path, flags);
}

PR_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	OPEN_BODY(__openat64_2, dirfd, dirfd, path, flags);
}

PR_EXPORT int creat(const char *path, mode_t mode)
{
	int flags = O_CREAT | O_WRONLY | O_TRUNC;
	OPEN_BODY(creat, AT_FDCWD, path, mode);
}

PR_EXPORT int creat64(const char *path, mode_t mode)
{
	int flags = O_CREAT | O_WRONLY | O_TRUNC;
	OPEN_BODY(creat64, AT_FDCWD, path, mode);
}

/* The open flags a stdio mode stands for; -1 for a mode libc rejects. */
static int fopen_flags(const char *mode)
{
	int flags;
	switch (mode ? mode[0] : 0) {
	case 'r':
		flags = O_RDONLY;
		break;
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	for (const char *m = mode + 1; *m && *m != ','; m++) {
		if (*m == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*m == 'x')
			flags |= O_EXCL;
	}
	return flags;
}

#define FOPEN_GUARD(path, mode)                                                                    \
	do {                                                                                       \
		int fl_ = fopen_flags(mode);                                                       \
		int e_ = fl_ < 0 ? 0 : check_open(AT_FDCWD, path, fl_);                            \
		if (e_) {                                                                          \
			errno = e_;                                                                \
			return NULL;                                                               \
		}                                                                                  \
	} while (0)

PR_EXPORT FILE *fopen(const char *path, const char *mode)
{
	FOPEN_GUARD(path, mode);
	return CALL_REAL(fopen, NULL, path, mode);
}

PR_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	FOPEN_GUARD(path, mode);
	return CALL_REAL(fopen64, NULL, path, mode);
}

/* freopen with a NULL path only changes the mode of the open stream. */
PR_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	if (path)
		FOPEN_GUARD(path, mode);
	return CALL_REAL(freopen, NULL, path, mode, stream);
}

PR_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	if (path)
		FOPEN_GUARD(path, mode);
	return CALL_REAL(freopen64, NULL, path, mode, stream);
}

PR_EXPORT DIR *opendir(const char *path)
{
	GUARD(PR_READ, 0, AT_FDCWD, path, PR_FOLLOW, NULL);
	return CALL_REAL(opendir, NULL, path);
}
