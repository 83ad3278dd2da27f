/* protect.c: which names the create gate (create.c) holds, and whether a
 * call reaches one. The table is built in the sandbox's view before the
 * command starts: each protected name by its directory (a descriptor;
 * those directories are mount points, so none can be renamed away and
 * replaced) and its last component.
 *
 * A protected name that does not exist is refused to every call that
 * would make it. One that the host makes during the run (a user's editor
 * writes .envrc, an IDE makes .vscode) exists then, and the gate holds it
 * too: a call whose object is it (an open for writing, a truncate, an
 * unlink, a rename or link of it), or that makes or changes a name inside
 * it, is refused. Which inodes those are is read at each call (a
 * statx per protected name, nothing when none exists), and a call's
 * directory is walked up to the root against them, so no other path to
 * it (a bind mount, "..", a descriptor of the caller's) gets past.
 *
 * A protected name that exists is bound onto itself read-only (mounts.c,
 * --protect) and is in the table as well: while the name is still that
 * mount (the same mount id and inode), the mount answers every call and
 * the gate adds nothing. A host process that replaces it (a save by
 * rename, git's config.lock, an rm and a new file) detaches that mount in
 * every namespace; from then on the name is held like one the host made. */
#include "shim.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#ifndef __GLIBC__
/* (musl before 1.2.5 has no statx of its own) */
#include <linux/stat.h>
static int statx(int dir, const char *path, int flags, unsigned mask, struct statx *sx)
{
	return (int)syscall(SYS_statx, dir, path, flags, mask, sx);
}
#endif

struct shim_denied_name {
	int dir; /* O_PATH descriptor of the directory the name is in */
	dev_t dev;
	ino_t ino;
	char *name;
	/* the name was a read-only mount root when the table was built: */
	bool held;
	uint64_t mnt; /* its mount id */
	dev_t hdev;   /* and what it was */
	ino_t hino;
};

/* The name as it is now: 0 when it exists (*sb filled, *mount_held when it
 * is still the read-only mount the table found), -errno otherwise. */
static int name_now(const struct shim_denied_name *e, struct stat *sb, bool *mount_held)
{
	struct statx sx;
	*mount_held = false;
	if (statx(e->dir, e->name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_MNT_ID,
	          &sx) < 0)
		return -errno;
	*sb = (struct stat){.st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor),
	                    .st_ino = sx.stx_ino,
	                    .st_mode = sx.stx_mode};
	*mount_held = e->held && (sx.stx_mask & STATX_MNT_ID) && sx.stx_mnt_id == e->mnt &&
	              (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) && sb->st_dev == e->hdev &&
	              sb->st_ino == e->hino;
	return 0;
}

/* At the start: whether the name is a read-only mount root (one --protect
 * made), and which. Anything else that exists is held by the gate. */
static void note_held(struct shim_denied_name *e)
{
	struct statx sx;
	if (statx(e->dir, e->name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_MNT_ID,
	          &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID) || !(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return;
	_cleanup_close_ int fd = openat(e->dir, e->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct statfs fs;
	if (fd < 0 || fstatfs(fd, &fs) < 0 || !(fs.f_flags & ST_RDONLY))
		return;
	e->held = true;
	e->mnt = sx.stx_mnt_id;
	e->hdev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	e->hino = sx.stx_ino;
}

int shim_create_prepare(struct shim_notify_state *st)
{
	const strv *d = &st->c->deny_create;
	if (!d->n)
		return 0;
	/* The command's filter count: init's own, plus the one filter the
	 * command loads before its exec. A kernel that does not say (before
	 * 5.9) makes every call here. */
	long own = shim_status_field(getpid(), "Seccomp_filters:", 10);
	st->depth = own < 0 ? -1 : own + 1;
	st->deny = calloc(d->n, sizeof(*st->deny));
	if (!st->deny)
		return shim_fail(st->c, "out of memory");
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *dir = strdup(d->v[i]);
		char *slash = dir ? strrchr(dir, '/') : NULL;
		if (!slash || !slash[1])
			return shim_fail(st->c, "--deny-create %s: not a path with a name",
			                 d->v[i]);
		struct shim_denied_name *e = &st->deny[st->ndeny];
		e->dir = -1;
		if (!(e->name = strdup(slash + 1)))
			return shim_fail(st->c, "out of memory");
		st->ndeny++;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		struct stat sb;
		e->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (e->dir < 0 || fstat(e->dir, &sb) < 0)
			return shim_fail(st->c, "--deny-create %s: %s", d->v[i], strerror(errno));
		e->dev = sb.st_dev;
		e->ino = sb.st_ino;
		note_held(e);
	}
	return 0;
}

void shim_create_free(struct shim_notify_state *st)
{
	for (size_t i = 0; i < st->ndeny; i++) {
		free(st->deny[i].name);
		if (st->deny[i].dir >= 0)
			close(st->deny[i].dir);
	}
	free(st->deny);
	st->deny = NULL;
	st->ndeny = 0;
}

/* The protected names that exist now (made by the host during the run),
 * as device and inode. */
struct made {
	size_t n;
	struct {
		dev_t dev;
		ino_t ino;
	} * v;
};

static void made_free(struct made *m)
{
	free(m->v);
}

/* -1 when out of memory or a name cannot be looked at (the caller
 * refuses the call). */
static int made_now(const struct shim_notify_state *st, struct made *m)
{
	*m = (struct made){0};
	for (size_t i = 0; i < st->ndeny; i++) {
		struct stat sb;
		bool mount_held;
		int r = name_now(&st->deny[i], &sb, &mount_held);
		if (r == -ENOENT || (r == 0 && mount_held))
			continue;
		if (r < 0) {
			free(m->v); /* cannot tell: the caller refuses */
			m->v = NULL;
			return -1;
		}
		if (!m->v && !(m->v = calloc(st->ndeny, sizeof(*m->v))))
			return -1;
		m->v[m->n].dev = sb.st_dev;
		m->v[m->n++].ino = sb.st_ino;
	}
	return 0;
}

static bool is_made(const struct made *m, const struct stat *sb)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].dev == sb->st_dev && m->v[i].ino == sb->st_ino)
			return true;
	return false;
}

/* dir, or a directory above it, is one of them. */
static bool inside_made(const struct made *m, int dir)
{
	if (!m->n)
		return false;
	_cleanup_close_ int cur = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	struct stat sb;
	if (cur < 0 || fstat(cur, &sb) < 0)
		return true;
	for (int depth = 0; depth < 256; depth++) {
		if (is_made(m, &sb))
			return true;
		int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct stat ub;
		if (up < 0 || fstat(up, &ub) < 0) {
			if (up >= 0)
				close(up);
			return true;
		}
		close(cur);
		cur = up;
		if (ub.st_dev == sb.st_dev && ub.st_ino == sb.st_ino)
			return false; /* the root */
		sb = ub;
	}
	return true;
}

bool shim_protected_at(const struct shim_notify_state *st, int dir, const char *name)
{
	struct stat sb;
	if (fstat(dir, &sb) < 0)
		return true;
	bool self = streq(name, ".") || streq(name, "..");
	for (size_t i = 0; !self && i < st->ndeny; i++) {
		const struct shim_denied_name *e = &st->deny[i];
		if (e->dev != sb.st_dev || e->ino != sb.st_ino || !streq(e->name, name))
			continue;
		/* still the read-only mount: the kernel refuses what it must */
		struct stat nb;
		bool mount_held;
		if (!e->held || name_now(e, &nb, &mount_held) < 0 || !mount_held)
			return true;
	}
	struct made m;
	if (made_now(st, &m) < 0)
		return true;
	struct stat ob;
	bool r =
	    m.n &&
	    ((!self && fstatat(dir, name, &ob, AT_SYMLINK_NOFOLLOW) == 0 && is_made(&m, &ob)) ||
	     inside_made(&m, dir));
	made_free(&m);
	return r;
}

/* Where the file open as fd is now, by the name the kernel keeps for it:
 * its directory (O_PATH), or -1 when it is in none (a pipe, a socket, an
 * anonymous or deleted file). */
static int dir_of(int fd)
{
	char proc[64], path[PATH_MAX];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, path, sizeof(path) - 1);
	if (n <= 0 || path[0] != '/')
		return -1;
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	if (slash == path)
		slash[1] = '\0';
	else
		*slash = '\0';
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	                       .resolve = RESOLVE_NO_MAGICLINKS};
	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

bool shim_protected_fd(const struct shim_notify_state *st, int fd)
{
	struct made m;
	if (made_now(st, &m) < 0)
		return true;
	bool r = false;
	struct stat sb;
	if (!m.n) {
		/* none exists */
	} else if (fstat(fd, &sb) < 0 || is_made(&m, &sb)) {
		r = true;
	} else if (S_ISDIR(sb.st_mode)) {
		r = inside_made(&m, fd);
	} else {
		_cleanup_close_ int dir = dir_of(fd);
		r = dir >= 0 && inside_made(&m, dir);
	}
	made_free(&m);
	return r;
}
