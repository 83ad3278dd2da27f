/* path.c: allocation-free path resolution for the policy checks. The kernel
 * resolves for us where it can (an O_PATH open, then /proc/self/fd tells the
 * canonical path); a missing final component is appended to its resolved
 * parent, following a dangling final symlink to where a create would land.
 * Without /proc, a component-by-component walk with readlinkat does the
 * same for absolute and cwd-relative paths. All buffers are PATH_MAX on the
 * stack or the caller's; all file operations are raw syscalls. */
#include "preload.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int pr_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	long r = syscall(SYS_openat, dirfd, path, flags, mode);
	return r < 0 ? -errno : (int)r;
}

ssize_t pr_sys_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	long r = syscall(SYS_readlinkat, dirfd, path, buf, size);
	return r < 0 ? -errno : r;
}

int pr_sys_close(int fd)
{
	return syscall(SYS_close, fd) < 0 ? -errno : 0;
}

static int sys_getcwd(char *out)
{
	long r = syscall(SYS_getcwd, out, PATH_MAX);
	if (r < 0)
		return -errno;
	/* "(unreachable)/..." when the cwd lies outside our root. */
	return out[0] == '/' ? 0 : -ENOENT;
}

static void fmt_uint(char *out, unsigned v)
{
	char tmp[16];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(tmp));
	while (n)
		*out++ = tmp[--n];
	*out = '\0';
}

/* 0 and the path, 1 when fd is not a filesystem object (pipe, socket,
 * anon inode), or a negative errno (-ENOENT: no /proc). */
int pr_fd_path(int fd, char *out)
{
	char link[32] = "/proc/self/fd/";
	if (fd < 0)
		return -EBADF;
	fmt_uint(link + strlen(link), (unsigned)fd);
	ssize_t n = pr_sys_readlinkat(AT_FDCWD, link, out, PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	out[n] = '\0';
	if (out[0] != '/')
		return 1;
	/* An unlinked object keeps the location it had: match on that. */
	static const char del[] = " (deleted)";
	size_t dl = sizeof(del) - 1;
	if ((size_t)n > dl && memcmp(out + n - dl, del, dl) == 0)
		out[n - dl] = '\0';
	return 0;
}

/* Appends the components of p to out[0..*o) (no trailing '/'; empty is
 * the root), resolving "." and ".." lexically. */
static int norm_append(char *out, size_t *o, const char *p)
{
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (*o > 0 && out[*o - 1] != '/')
				(*o)--;
			if (*o > 0)
				(*o)--;
		} else {
			if (*o + 1 + n >= PATH_MAX)
				return -ENAMETOOLONG;
			out[(*o)++] = '/';
			memcpy(out + *o, p, n);
			*o += n;
		}
		p = e;
	}
	return 0;
}

int pr_normalize(const char *base, const char *path, char *out)
{
	size_t o = 0;
	int r = 0;
	if (path[0] != '/')
		r = norm_append(out, &o, base);
	if (r == 0)
		r = norm_append(out, &o, path);
	if (r < 0)
		return r;
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

bool pr_beneath(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Splits path into its directory part (copied to dir, "." when none) and
 * its last component (*base points into path). Returns -ENOENT when path
 * has no last component a create could make ("/", ".", ".."). */
static int split_last(const char *path, char *dir, const char **base, size_t *base_len)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	*base = path + b;
	*base_len = n - b;
	if (*base_len == 0 || (*base_len == 1 && path[b] == '.') ||
	    (*base_len == 2 && path[b] == '.' && path[b + 1] == '.'))
		return -ENOENT;
	if (b == 0) {
		strcpy(dir, ".");
	} else {
		if (b >= PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(dir, path, b);
		dir[b] = '\0';
	}
	return 0;
}

/* The final component is missing (or a dangling symlink being followed):
 * resolve its parent and append it, following dangling symlinks. */
static int resolve_missing(int dirfd, const char *path, int flags, char *out)
{
	char cur[PATH_MAX], dir[PATH_MAX];
	int owned = -1, r = 0;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(cur, path);
	for (int links = 0;; links++) {
		const char *base;
		size_t blen;
		if ((r = split_last(cur, dir, &base, &blen)) < 0)
			break;
		int dfd = pr_sys_openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		if (dfd < 0) {
			r = dfd;
			break;
		}
		char name[NAME_MAX + 1];
		if (blen > NAME_MAX) {
			pr_sys_close(dfd);
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, base, blen);
		name[blen] = '\0';
		if (owned >= 0)
			pr_sys_close(owned);
		owned = dirfd = dfd;
		ssize_t n =
		    (flags & PR_FOLLOW) ? pr_sys_readlinkat(dfd, name, cur, PATH_MAX) : -EINVAL;
		if (n >= 0) {
			if (n >= PATH_MAX) {
				r = -ENAMETOOLONG;
				break;
			}
			if (links >= PR_MAX_SYMLINKS) {
				r = -ELOOP;
				break;
			}
			cur[n] = '\0';
			/* Is the target there after all (a race)? Then resolve it. */
			int fd = pr_sys_openat(dfd, cur, O_PATH | O_CLOEXEC, 0);
			if (fd >= 0) {
				r = pr_fd_path(fd, out);
				pr_sys_close(fd);
				if (r == -ENOENT)
					r = -ENOSYS;
				break;
			}
			if (fd != -ENOENT) {
				r = fd;
				break;
			}
			continue;
		}
		if ((r = pr_fd_path(dfd, out)) != 0) {
			if (r == -ENOENT)
				r = -ENOSYS; /* an open descriptor with no link: no /proc */
			break;
		}
		size_t o = strlen(out);
		if (o == 1)
			o = 0;
		if (o + 1 + blen >= PATH_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		out[o] = '/';
		memcpy(out + o + 1, name, blen + 1);
		break;
	}
	if (owned >= 0)
		pr_sys_close(owned);
	return r == 1 ? -ENOTDIR : r;
}

/* Per-thread cache of directory descriptors' paths, each entry checked
 * against the descriptor's device and inode before use (one fstat instead
 * of a /proc lookup). A directory renamed while open keeps its stale path
 * until the descriptor is reused: the same race every path check has. */
#define DIRCACHE_N   4
#define DIRCACHE_LEN 1024
struct dircache {
	int fd;
	dev_t dev;
	ino_t ino;
	char path[DIRCACHE_LEN];
};
static __thread struct dircache dircache[DIRCACHE_N] __attribute__((tls_model("initial-exec")));
static __thread unsigned dircache_next __attribute__((tls_model("initial-exec")));

/* The canonical path of directory descriptor fd into out. */
static int dirfd_path(int fd, char *out)
{
	struct stat st;
	if (syscall(SYS_fstat, fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	for (int i = 0; i < DIRCACHE_N; i++) {
		struct dircache *c = &dircache[i];
		if (c->path[0] && c->fd == fd && c->dev == st.st_dev && c->ino == st.st_ino) {
			strcpy(out, c->path);
			return 0;
		}
	}
	int r = pr_fd_path(fd, out);
	if (r != 0)
		return r == 1 ? -ENOTDIR : r;
	if (strlen(out) < DIRCACHE_LEN) {
		struct dircache *c = &dircache[dircache_next++ % DIRCACHE_N];
		c->fd = fd;
		c->dev = st.st_dev;
		c->ino = st.st_ino;
		strcpy(c->path, out);
	}
	return 0;
}

/* The common cases without /proc: when the lookup provably crosses no
 * symlink, the resolved path is the lexical one. Returns 0 (out, *exists
 * set) or 1 when the full resolution must decide. */
static int resolve_fast(int dirfd, const char *path, int flags, char *out, bool *exists)
{
	char base[PATH_MAX];
	if (path[0] == '/') {
		strcpy(base, "/");
	} else if (dirfd == AT_FDCWD) {
		if (sys_getcwd(base) < 0)
			return 1;
	} else if (dirfd_path(dirfd, base) < 0) {
		return 1;
	}
	size_t n = strlen(path);
	bool single = path[0] != '/' && !memchr(path, '/', n) && strcmp(path, ".") != 0 &&
	              strcmp(path, "..") != 0;
	if (single) {
		/* One name in a known directory: only the name itself can be a
		 * symlink, and only a followed one changes the answer. */
		char link[2];
		ssize_t l = -EINVAL;
		if ((flags & PR_FOLLOW) || !(flags & PR_NO_EXISTS))
			l = pr_sys_readlinkat(dirfd, path, link, sizeof(link));
		if (l >= 0 && (flags & PR_FOLLOW))
			return 1;
		if (l < 0 && l != -EINVAL && l != -ENOENT)
			return 1;
		*exists = l != -ENOENT;
		return pr_normalize(base, path, out) < 0 ? 1 : 0;
	}
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC | ((flags & PR_FOLLOW) ? 0 : O_NOFOLLOW),
	    .resolve = RESOLVE_NO_SYMLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0)
		return 1; /* a symlink on the way (ELOOP), missing, or no openat2 */
	pr_sys_close((int)fd);
	*exists = true;
	return pr_normalize(base, path, out) < 0 ? 1 : 0;
}

int pr_resolve(int dirfd, const char *path, int flags, char *out, bool *exists)
{
	*exists = true;
	if (path[0] != '\0' && resolve_fast(dirfd, path, flags, out, exists) == 0)
		return 0;
	*exists = true;
	if (path[0] == '\0') {
		if (!(flags & PR_EMPTY_PATH))
			return -ENOENT;
		if (dirfd == AT_FDCWD)
			return sys_getcwd(out);
		return pr_fd_path(dirfd, out);
	}
	int oflags = O_PATH | O_CLOEXEC | ((flags & PR_FOLLOW) ? 0 : O_NOFOLLOW);
	int fd = pr_sys_openat(dirfd, path, oflags, 0);
	if (fd >= 0) {
		int r = pr_fd_path(fd, out);
		pr_sys_close(fd);
		if (r == -ENOENT)
			return pr_resolve_walk(dirfd, path, flags, out, exists);
		return r;
	}
	if (fd != -ENOENT)
		return fd;
	*exists = false;
	int r = resolve_missing(dirfd, path, flags, out);
	if (r == -ENOSYS)
		return pr_resolve_walk(dirfd, path, flags, out, exists);
	return r;
}

/* Replaces rest with link + "/" + tail (tail may point into rest). */
static int splice_link(char *rest, const char *link, size_t ln, const char *tail)
{
	char tmp[PATH_MAX];
	size_t tl = strlen(tail);
	if (ln + 1 + tl >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(tmp, link, ln);
	tmp[ln] = '/';
	memcpy(tmp + ln + 1, tail, tl + 1);
	memcpy(rest, tmp, ln + 1 + tl + 1);
	return 0;
}

int pr_resolve_walk(int dirfd, const char *path, int flags, char *out, bool *exists)
{
	char rest[PATH_MAX], link[PATH_MAX];
	size_t o = 0;
	int r, links = 0;
	*exists = true;
	if (path[0] == '\0' && !(flags & PR_EMPTY_PATH))
		return -ENOENT;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] != '/') {
		if (dirfd != AT_FDCWD)
			return -EACCES; /* cannot name a descriptor's directory without /proc */
		if ((r = sys_getcwd(out)) < 0)
			return r;
		o = strlen(out);
		if (o == 1)
			o = 0;
	}
	strcpy(rest, path);
	for (char *p = rest; *p;) {
		while (*p == '/')
			p++;
		char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 0)
			break;
		char *next = e;
		while (*next == '/')
			next++;
		bool last = *next == '\0', slash = *e == '/';
		if (n == 1 && p[0] == '.') {
			p = e;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			p = e;
			continue;
		}
		if (!*exists)
			return -ENOENT; /* a component after a missing one */
		size_t keep = o;
		if (o + 1 + n >= PATH_MAX)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
		out[o] = '\0';
		ssize_t ln = pr_sys_readlinkat(AT_FDCWD, out, link, PATH_MAX);
		if (ln >= 0 && (!last || slash || (flags & PR_FOLLOW))) {
			if (ln >= PATH_MAX)
				return -ENAMETOOLONG;
			if (++links > PR_MAX_SYMLINKS)
				return -ELOOP;
			o = link[0] == '/' ? 0 : keep;
			if ((r = splice_link(rest, link, (size_t)ln, e)) < 0)
				return r;
			p = rest;
			continue;
		}
		if (ln == -ENOENT)
			*exists = false;
		else if (ln < 0 && ln != -EINVAL)
			return (int)ln;
		p = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}
