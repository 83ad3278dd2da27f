/* mounts.c: the sandbox's mount tree, built in place inside a private mount
 * namespace owned by the sandbox's user namespace.
 *
 * Copy-on-write: overlayfs refuses, inside a user namespace, a lower layer
 * with locked mounts beneath it (every mount inherited from the host is
 * locked), and so refuses "/". A directory without mounts beneath it gets
 * its own overlay, in place, with the upper layer on a private tmpfs; a
 * directory holding other mounts is handled one level down (three levels at
 * most), and its own files stay the host's, which Landlock keeps read-only.
 * /proc, /sys and /dev are never overlaid. Overlayfs keeps private clones of
 * its layers, so the staging tmpfs on /dev/shm is then covered by the
 * sandbox's own /dev/shm (with an IPC namespace; detached without one) and
 * nothing in the sandbox can name it: no mount call can uncover it (below);
 * the upper layers vanish with the namespace. Covering, not detaching: an
 * unmount waits for an expedited RCU grace period, 0.06 ms a start.
 *
 * Read-deny: a denied path inside a copy-on-write view is hidden by a
 * whiteout prepared in the view's upper layer before it is mounted (no
 * mount per path; whatever appears there on the host later stays hidden).
 * Elsewhere, and where a whiteout cannot be made faithfully, a mask: an
 * empty read-only directory or file bound over it, after the writable binds
 * so a denied path inside a writable one stays hidden; a missing one gets a
 * placeholder inside a view first (never on the host). Nothing can remove
 * masks:
 * it has no capabilities, seccomp refuses mount calls, Landlock refuses
 * mount topology changes, and busy mount points cannot be renamed or
 * removed.
 *
 * /proc/<pid>/root of host processes would lead around every mask and
 * whiteout; the pid namespace gets its own /proc, which shows only the
 * sandbox, and Landlock refuses following that link out of its domain. */
#include "mounts.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_open_tree
#define SYS_open_tree  428
#define SYS_move_mount 429
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE   1
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
struct shim_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static int set_rdonly(int dirfd, const char *path, unsigned flags, bool on)
{
	struct shim_mount_attr a = {0};
	if (on)
		a.attr_set = MOUNT_ATTR_RDONLY;
	else
		a.attr_clr = MOUNT_ATTR_RDONLY;
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, &a, sizeof(a));
}

/* --ro-root: every mount inherited from the host becomes read-only, so
 * nothing outside the writable paths can be changed by any call, including
 * those Landlock does not govern (chmod, chown, utime, xattrs), even by
 * root. The writable paths are bound again read-write, and every mount made
 * here (views, tmpfs, /proc, /dev/shm) is new and writable; writing to a
 * device file needs no writable mount. */
static int ro_root(struct mctx *m)
{
	if (set_rdonly(AT_FDCWD, "/", AT_RECURSIVE, true) < 0)
		return shim_fail(m->c,
		                 "cannot make the host's mounts read-only: mount_setattr: %s%s",
		                 strerror(errno), errno == ENOSYS ? " (needs Linux 5.12)" : "");
	return 0;
}

/* Decodes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static int read_mountpoints(struct mctx *m)
{
	/* One large read: the kernel regenerates mountinfo for every read. */
	_cleanup_close_ int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return shim_fail(m->c, "cannot read /proc/self/mountinfo: %s", strerror(errno));
	_cleanup_buf_ buf b = {0};
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_addn(&b, chunk, (size_t)n);
	if (n < 0 || b.oom)
		return shim_fail(m->c, "cannot read /proc/self/mountinfo: %s", strerror(errno));
	for (char *line = b.s, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char mp[4096];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		unescape(mp);
		if (strv_push(&m->mountpoints, mp) < 0)
			return -1;
	}
	return 0;
}

static bool needs_mountinfo(const struct shim_config *c)
{
	for (size_t i = 0; i < c->nmounts; i++)
		if (c->mounts[i].kind == MNT_COW_ROOT || c->mounts[i].kind == MNT_COW ||
		    c->mounts[i].kind == MNT_COW_WRITE)
			return true;
	return false;
}

/* The sources of every mask: an empty directory and an empty file in a
 * directory of the stage bound onto itself read-only (binds keep their
 * source's read-only flag); made when the first mask needs them (whiteouts
 * need none). A bind, not a tmpfs of its own: a new superblock costs 25 us
 * to mount and as much again to tear down, a bind a few. Nothing can write
 * them: the stage's own mount is covered before the command starts, and a
 * mask's root leads only to the mask (".." at a mount's root is the mount
 * point's parent). */
static int mask_sources(struct mctx *m)
{
	if (m->have_sources)
		return 0;
	m->have_sources = true;
	if (mkdir(STAGE "/ro", 0700) < 0 || mkdir(STAGE "/ro/dir", 0) < 0)
		return shim_fail(m->c, "staging: %s", strerror(errno));
	int f = open(STAGE "/ro/file", O_CREAT | O_WRONLY | O_CLOEXEC, 0);
	if (f < 0)
		return shim_fail(m->c, "staging: %s", strerror(errno));
	close(f);
	if (mount(STAGE "/ro", STAGE "/ro", NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, STAGE "/ro", NULL,
	          MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return shim_fail(m->c, "staging: read-only: %s", strerror(errno));
	return 0;
}

/* A new empty directory of the stage, with mode, to stand for a private
 * tmpfs: a bind of it costs a few us, a tmpfs of its own a superblock (see
 * mask_sources). Its space is the stage's: what the command writes there,
 * in the private /dev/shm and in the views' upper layers comes from one
 * tmpfs, sized as each was. An O_PATH descriptor, so that a bind from it
 * is of the stage's own writable mount whatever is mounted on the way. */
static int stage_dir(struct mctx *m, const char *name, mode_t mode)
{
	char dir[64];
	snprintf(dir, sizeof(dir), STAGE "/%s", name);
	if (mkdir(dir, mode) < 0 || chmod(dir, mode) < 0)
		return shim_fail(m->c, "staging: %s: %s", dir, strerror(errno));
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return shim_fail(m->c, "staging: %s: %s", dir, strerror(errno));
	return fd;
}

static int bind_dir_fd(int fd, const char *path)
{
	char src[64];
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	return mount(src, path, NULL, MS_BIND, NULL);
}

int shim_open_nolinks(const char *path)
{
	/* The plan's granted and denied paths are resolved when it is made
	 * (lib/paths.c): a link on the way now means something was swapped
	 * since, and the path is refused rather than followed. */
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	/* before Linux 5.6: the last component at least */
	return open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

static bool beneath_any(const char *p, const strv *dirs)
{
	for (size_t i = 0; i < dirs->n; i++)
		if (path_is_beneath(p, dirs->v[i]))
			return true;
	return false;
}

/* A hidden directory with redacted files beneath it (~/.docker with its
 * config.json): an empty directory of the staging tmpfs with a placeholder
 * for each (and the directories on the way: mode 0711, so nothing can be
 * listed), bound read-only over it; the redacted copies are bound onto the
 * placeholders later (redact). Nothing else of the directory shows. */
static int mask_with_holes(struct mctx *m, const char *path, size_t idx, const char *at)
{
	struct shim_config *c = m->c;
	char dir[64];
	snprintf(dir, sizeof(dir), STAGE "/mask.%zu", idx);
	if (mkdir(dir, 0711) < 0)
		return shim_fail(c, "read-deny %s: %s", path, strerror(errno));
	size_t n = strlen(path);
	for (size_t i = 0; i < c->nmounts; i++) {
		const struct shim_mount *s = &c->mounts[i];
		if (s->kind != MNT_REDACT || streq(s->path, path) ||
		    !path_is_beneath(s->path, path))
			continue;
		char hole[PATH_MAX];
		if ((size_t)snprintf(hole, sizeof(hole), "%s%s", dir, s->path + n) >= sizeof(hole))
			return shim_fail(c, "redact %s: %s", s->path, strerror(ENAMETOOLONG));
		char *slash = strrchr(hole, '/');
		*slash = '\0';
		int e = sbx_mkdir_p(hole, 0711);
		*slash = '/';
		int f = e < 0 ? e : open(hole, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (f < 0)
			return shim_fail(c, "redact %s: a placeholder: %s", s->path,
			                 strerror(e < 0 ? -e : errno));
		close(f);
	}
	if (mount(dir, at, NULL, MS_BIND, NULL) < 0)
		return shim_fail(c, "read-deny %s: %s", path, strerror(errno));
	_cleanup_close_ int bound = shim_open_nolinks(path);
	int r = bound < 0 ? -1 : set_rdonly(bound, "", AT_EMPTY_PATH, true);
	if (r < 0 && errno == ENOSYS) {
		char b[64];
		snprintf(b, sizeof(b), "/proc/self/fd/%d", bound);
		r = mount(NULL, b, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	}
	if (r < 0)
		return shim_fail(c, "read-deny %s: cannot make it read-only: %s", path,
		                 strerror(errno));
	return 0;
}

static int mask(struct mctx *m, const char *path, size_t idx, bool create)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (!create)
			return 0;
		/* Never create anything on the host: only inside a view. */
		if (!beneath_any(path, &m->c->cow_views) || shim_beneath_bind(m->c, path))
			return shim_fail(m->c,
			                 "read-deny %s: missing, and not inside a copy-on-write "
			                 "view where it could be masked",
			                 path);
		int e = sbx_mkdir_p(path, 0700);
		if (e < 0)
			return shim_fail(m->c,
			                 "read-deny %s: cannot create a placeholder to mask: %s",
			                 path, strerror(-e));
		st.st_mode = S_IFDIR;
	}
	if (mask_sources(m) < 0)
		return -1;
	/* On the object itself, never through a link swapped in meanwhile. */
	_cleanup_close_ int target = shim_open_nolinks(path);
	if (target < 0 || fstat(target, &st) < 0)
		return shim_fail(m->c, "read-deny %s: %s", path, strerror(errno));
	char at[64];
	snprintf(at, sizeof(at), "/proc/self/fd/%d", target);
	if (S_ISDIR(st.st_mode) && shim_redacted_beneath(m->c, path))
		return mask_with_holes(m, path, idx, at);
	/* Bind mounts inherit the read-only flag of their source. */
	const char *src = S_ISDIR(st.st_mode) ? STAGE "/ro/dir" : STAGE "/ro/file";
	if (mount(src, at, NULL, MS_BIND, NULL) < 0)
		return shim_fail(m->c, "read-deny %s: %s", path, strerror(errno));
	return 0;
}

/* --redact: the file read through its own descriptor (never a link
 * swapped in), its credential entries removed, the copy written to the
 * staging tmpfs with the file's mode and bound read-only over it. */
static int redact(struct mctx *m, const char *path, size_t idx)
{
	struct stat st;
	int source = m->keep_fds[idx]; /* the host's file: open_sources */
	if (fstat(source, &st) < 0)
		return shim_fail(m->c, "redact %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size > SBX_REDACT_MAX)
		return shim_fail(m->c, "redact %s: not a regular file of at most 1 MiB", path);
	char at[64];
	snprintf(at, sizeof(at), "/proc/self/fd/%d", source);
	_cleanup_close_ int in = open(at, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return shim_fail(m->c, "redact %s: %s", path, strerror(errno));
	size_t cap = (size_t)st.st_size + 1, n = 0;
	_cleanup_free_ char *text = malloc(cap);
	_cleanup_free_ char *out = malloc(cap + 64);
	if (!text || !out)
		return shim_fail(m->c, "out of memory");
	for (;;) {
		ssize_t k = read(in, text + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return shim_fail(m->c, "redact %s: %s", path, strerror(errno));
		if (k == 0)
			break;
		n += (size_t)k;
		if (n == cap) /* grew since the stat: refuse rather than cut */
			return shim_fail(m->c, "redact %s: changed while being read", path);
	}
	size_t len = 0;
	if (sbx_redact(text, n, out, cap + 64, &len) < 0) {
		/* not the JSON object it began as: nothing of it is shown */
		len = (size_t)snprintf(out, cap + 64, "{}\n");
	}
	char copy[64];
	snprintf(copy, sizeof(copy), STAGE "/redact.%zu", idx);
	_cleanup_close_ int w =
	    open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777);
	if (w < 0 || write(w, out, len) != (ssize_t)len || fchmod(w, st.st_mode & 0777) < 0)
		return shim_fail(m->c, "redact %s: cannot write the copy: %s", path,
		                 strerror(errno));
	/* onto the path in the view: the file, or the placeholder a mask with
	 * holes made for it (mask_with_holes) */
	_cleanup_close_ int target = shim_open_nolinks(path);
	if (target < 0)
		return shim_fail(m->c, "redact %s: %s", path, strerror(errno));
	snprintf(at, sizeof(at), "/proc/self/fd/%d", target);
	if (mount(copy, at, NULL, MS_BIND, NULL) < 0)
		return shim_fail(m->c, "redact %s: %s", path, strerror(errno));
	_cleanup_close_ int bound = shim_open_nolinks(path);
	int r = bound < 0 ? -1 : set_rdonly(bound, "", AT_EMPTY_PATH, true);
	if (r < 0 && errno == ENOSYS) {
		snprintf(at, sizeof(at), "/proc/self/fd/%d", bound);
		r = mount(NULL, at, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	}
	if (r < 0)
		return shim_fail(m->c, "redact %s: cannot make the copy read-only: %s", path,
		                 strerror(errno));
	return 0;
}

/* Binds the host object held by fd (an O_PATH fd taken before any copy-on-
 * write view covered it) at path. */
/* Moves the detached copy tree (open_tree, taken before any view or the
 * read-only remount touched the host's mounts) onto path: the host's
 * object with its own submounts and flags, and nothing of ours. */
static int move_tree(struct mctx *m, int tree, const char *path, const char *what)
{
	_cleanup_close_ int target = shim_open_nolinks(path);
	if (target < 0)
		return shim_fail(m->c, "%s %s: %s", what, path, strerror(errno));
	if (syscall(SYS_move_mount, tree, "", target, "",
	            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return shim_fail(m->c, "%s %s: %s", what, path, strerror(errno));
	return 0;
}

static int bind_fd(struct mctx *m, int fd, int tree, const char *path, const char *what,
                   bool writable)
{
	char src[64];
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	struct stat st;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode) && access(path, F_OK) < 0) {
		int f = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (f >= 0)
			close(f);
	}
	if (tree >= 0)
		return move_tree(m, tree, path, what);
	/* Without open_tree (before Linux 5.2): a recursive bind, made
	 * writable again after --ro-root. */
	_cleanup_close_ int target = shim_open_nolinks(path);
	if (target < 0)
		return shim_fail(m->c, "%s %s: %s", what, path, strerror(errno));
	char at[64];
	snprintf(at, sizeof(at), "/proc/self/fd/%d", target);
	if (mount(src, at, NULL, MS_BIND | MS_REC, NULL) < 0)
		return shim_fail(m->c, "%s %s: %s", what, path, strerror(errno));
	if (!m->c->ro_root || !writable)
		return 0;
	/* The new bind copied the read-only flag: clear it, below too unless
	 * a mount there was read-only on the host (then locked so). */
	_cleanup_close_ int bound = shim_open_nolinks(path);
	if (bound < 0 || (set_rdonly(bound, "", AT_EMPTY_PATH | AT_RECURSIVE, false) < 0 &&
	                  set_rdonly(bound, "", AT_EMPTY_PATH, false) < 0))
		return shim_fail(m->c, "%s %s: cannot make it writable: %s", what, path,
		                 strerror(errno));
	return 0;
}

static int stage_setup(struct mctx *m)
{
	if (mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
		return shim_fail(m->c, "cannot mount the staging tmpfs on " STAGE ": %s",
		                 strerror(errno));
	if (mkdir(STAGE "/u", 0700) < 0 || mkdir(STAGE "/w", 0700) < 0)
		return shim_fail(m->c, "staging: %s", strerror(errno));
	if (m->c->ipcns && (m->shm_fd = stage_dir(m, "shm", 01777)) < 0)
		return -1;
	return 0;
}

static int open_sources(struct mctx *m)
{
	struct shim_config *c = m->c;
	m->keep_fds = calloc(c->nmounts ? c->nmounts : 1, sizeof(int));
	m->trees = calloc(c->nmounts ? c->nmounts : 1, sizeof(int));
	m->hidden = calloc(c->nmounts ? c->nmounts : 1, sizeof(bool));
	if (!m->keep_fds || !m->trees || !m->hidden)
		return shim_fail(c, "out of memory");
	for (size_t i = 0; i < c->nmounts; i++) {
		m->keep_fds[i] = m->trees[i] = -1;
		if (c->mounts[i].kind == MNT_REDACT) {
			/* the host's file, read later even when a mask covers its
			 * directory (~/.docker/config.json in a hidden ~/.docker) */
			m->keep_fds[i] = shim_open_nolinks(c->mounts[i].path);
			if (m->keep_fds[i] < 0)
				return shim_fail(c, "redact %s: %s", c->mounts[i].path,
				                 strerror(errno));
			continue;
		}
		if (c->mounts[i].kind != MNT_BIND && c->mounts[i].kind != MNT_SOCKET)
			continue;
		m->keep_fds[i] = shim_open_nolinks(c->mounts[i].path);
		if (m->keep_fds[i] < 0)
			return shim_fail(c, "%s %s: %s",
			                 c->mounts[i].kind == MNT_BIND ? "writable path"
			                                               : "allowed socket",
			                 c->mounts[i].path, strerror(errno));
		/* A detached copy of the host's tree there, now: a later bind
		 * would also copy the views mounted meanwhile at that path. */
		m->trees[i] = (int)syscall(SYS_open_tree, m->keep_fds[i], "",
		                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
		                               AT_EMPTY_PATH);
		if (m->trees[i] < 0 && errno != ENOSYS)
			return shim_fail(c, "%s %s: open_tree: %s",
			                 c->mounts[i].kind == MNT_BIND ? "writable path"
			                                               : "allowed socket",
			                 c->mounts[i].path, strerror(errno));
	}
	return 0;
}

/* Would this step's mount cover the staging tmpfs, or land in it? What is
 * staged after it (a redacted copy, the masks' empty source) would then be
 * written where the mount leads: a bind of the host's /dev or /dev/shm
 * puts it in the host's /dev/shm. The compile refuses such plans with a
 * message (landlock_fs.c); a shim line made by hand is refused here. A
 * mask or hide beneath the stage is an empty mount inside our own tmpfs,
 * and a copy-on-write view writes into its upper layer, in the stage,
 * never to the host (the tight profile's private temp dir when TMPDIR is
 * /dev/shm): both harmless, and allowed. */
static bool covers_stage(const struct shim_mount *s)
{
	/* (views write only their upper layers; --pin and --protect bind a
	 * path onto itself after every other step, when nothing more is
	 * staged) */
	if (s->kind == MNT_COW_ROOT || s->kind == MNT_COW || s->kind == MNT_COW_WRITE ||
	    s->kind == MNT_PIN || s->kind == MNT_PROTECT || streq(s->path, "/"))
		return false;
	if (path_is_beneath(STAGE, s->path))
		return true; /* the stage itself, or a directory holding it */
	return s->kind != MNT_MASK && s->kind != MNT_HIDE && path_is_beneath(s->path, STAGE);
}

static int apply_steps(struct mctx *m)
{
	struct shim_config *c = m->c;
	for (size_t i = 0; i < c->nmounts; i++) {
		const struct shim_mount *s = &c->mounts[i];
		int r = 0;
		if (covers_stage(s))
			return shim_fail(
			    c,
			    "%s: a mount there would cover the sandbox's staging tmpfs "
			    "on " STAGE " (which the sandbox replaces with its own)",
			    s->path);
		switch (s->kind) {
		case MNT_COW_ROOT:
			m->grant_writes = true;
			r = shim_cow_dir(m, "/", 0);
			break;
		case MNT_COW:
		case MNT_COW_WRITE:
			m->grant_writes = s->kind == MNT_COW_WRITE;
			r = shim_cow_dir(m, s->path, 1);
			break;
		case MNT_BIND:
			r = bind_fd(m, m->keep_fds[i], m->trees[i], s->path, "writable path", true);
			m->trees[i] = r == 0 ? -1 : m->trees[i]; /* moved: no longer ours */
			break;
		case MNT_MASK:
			r = m->hidden[i] ? 0 : mask(m, s->path, i, true);
			break;
		case MNT_HIDE:
			r = m->hidden[i] ? 0 : mask(m, s->path, i, false);
			break;
		case MNT_TMPFS: {
			if (access(s->path, F_OK) < 0)
				break;
			char name[32];
			snprintf(name, sizeof(name), "tmpfs.%zu", i);
			_cleanup_close_ int fd = stage_dir(m, name, 0700);
			if (fd < 0)
				r = -1;
			else if (bind_dir_fd(fd, s->path) < 0)
				r = shim_fail(c, "private tmpfs on %s: %s", s->path,
				              strerror(errno));
			break;
		}
		case MNT_SOCKET:
			r = bind_fd(m, m->keep_fds[i], m->trees[i], s->path, "allowed socket",
			            false);
			m->trees[i] = r == 0 ? -1 : m->trees[i];
			break;
		case MNT_REDACT:
			r = redact(m, s->path, i);
			break;
		case MNT_PIN:
		case MNT_PROTECT:
			break; /* after every other step: protect_all() */
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/* --pin and --protect, after every other step so that what they bind is
 * the sandbox's finished view of the path (its masks and binds beneath
 * included: MS_REC). A mount point cannot be renamed over, renamed away,
 * unlinked or hard-linked from another mount (EBUSY, EXDEV), whoever asks;
 * the protected one is also read-only, everything beneath included. The
 * command holds no capability over this namespace and seccomp refuses it
 * mount and umount, so it cannot take them away. */
static int protect_all(struct mctx *m)
{
	struct shim_config *c = m->c;
	for (size_t i = 0; i < c->nmounts; i++) {
		const struct shim_mount *s = &c->mounts[i];
		if (s->kind != MNT_PIN && s->kind != MNT_PROTECT)
			continue;
		const char *what =
		    s->kind == MNT_PIN ? "write-deny (directory on the way)" : "write-deny";
		_cleanup_close_ int target = shim_open_nolinks(s->path);
		if (target < 0)
			return shim_fail(c, "%s %s: %s", what, s->path, strerror(errno));
		char at[64];
		snprintf(at, sizeof(at), "/proc/self/fd/%d", target);
		if (mount(at, at, NULL, MS_BIND | MS_REC, NULL) < 0)
			return shim_fail(c, "%s %s: %s", what, s->path, strerror(errno));
		if (s->kind == MNT_PIN)
			continue;
		_cleanup_close_ int bound = shim_open_nolinks(s->path);
		int r = bound < 0 ? -1 : set_rdonly(bound, "", AT_EMPTY_PATH | AT_RECURSIVE, true);
		if (r < 0 && errno == ENOSYS) {
			/* before mount_setattr (Linux 5.12): the top mount only */
			snprintf(at, sizeof(at), "/proc/self/fd/%d", bound);
			r = mount(NULL, at, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
		}
		if (r < 0)
			return shim_fail(c, "%s %s: cannot make it read-only: %s", what, s->path,
			                 strerror(errno));
	}
	return 0;
}

/* With a report: the map of the upper layers written beside them, and a
 * descriptor of the staging tmpfs kept for the supervisor (report.c). */
static int keep_stage(struct mctx *m)
{
	struct shim_config *c = m->c;
	if (!c->report && !c->keep_dir)
		return 0;
	_cleanup_close_ int f = open(STAGE "/views", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t len = m->views.len;
	if (f < 0 || (len && write(f, m->views.s, len) != (ssize_t)len))
		return shim_fail(c, "report: cannot write the map of the views: %s",
		                 strerror(errno));
	c->stage_fd = open(STAGE, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->stage_fd < 0)
		return shim_fail(c, "report: %s: %s", STAGE, strerror(errno));
	return 0;
}

/* Pseudo-terminals of the sandbox's own (script, expect, a test suite's
 * pty): a new devpts instance over /dev/pts, its ptmx bound on /dev/ptmx.
 * The host's terminals are then not reachable by name (the command keeps
 * the descriptors it was given, and /dev/tty); Landlock grants the two
 * (landlock.c). A convenience, not a restriction: where the kernel
 * refuses it (or there is no /dev/pts) there are no ptys inside, as
 * without it, and c->devpts is cleared so that Landlock never grants the
 * host's /dev/pts or /dev/ptmx instead. */
static void private_devpts(struct shim_config *c)
{
	struct stat st;
	c->devpts = false;
	if (stat("/dev/pts", &st) < 0 || !S_ISDIR(st.st_mode) ||
	    mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	          "newinstance,ptmxmode=0666,mode=0620") < 0)
		return;
	if ((lstat("/dev/ptmx", &st) < 0 || !S_ISLNK(st.st_mode)) &&
	    mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) < 0) {
		umount2("/dev/pts", MNT_DETACH);
		return;
	}
	c->devpts = true; /* a symlink /dev/ptmx is pts/ptmx: the new one */
}

/* The host's mount points in this namespace, read by shim_mounts_prepare
 * (a sandbox's mounts are made once per process). */
static strv prepared_mountpoints;
static bool mounts_prepared;

/* Before "go": in the user namespace it made, the process holds every
 * capability over its mount namespace before any id is mapped. Private
 * first, so that nothing the host mounts from now on propagates in, and
 * the list read after it is the namespace's (reading mountinfo costs
 * 0.03 to 0.09 ms here: the kernel prints every mount's options). */
int shim_mounts_prepare(struct shim_config *c)
{
	struct mctx m = {.c = c};
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return shim_fail(c, "cannot make the mount namespace private: %s", strerror(errno));
	if (needs_mountinfo(c) && read_mountpoints(&m) < 0) {
		strv_clear(&m.mountpoints);
		return -1;
	}
	prepared_mountpoints = m.mountpoints;
	mounts_prepared = true;
	return 0;
}

int shim_mounts_apply(struct shim_config *c)
{
	struct mctx m = {.c = c, .shm_fd = -1};
	int r = -1;
	if (!mounts_prepared && shim_mounts_prepare(c) < 0)
		goto out;
	m.mountpoints = prepared_mountpoints;
	prepared_mountpoints = (strv){0};
	mounts_prepared = false;
	if (open_sources(&m) < 0 || (c->ro_root && ro_root(&m) < 0) || stage_setup(&m) < 0)
		goto out;
	if (apply_steps(&m) < 0 || keep_stage(&m) < 0)
		goto out;
	/* (with an IPC namespace, the private /dev/shm below covers it) */
	if (!c->ipcns && umount2(STAGE, MNT_DETACH) < 0) {
		shim_fail(c, "cannot detach the staging tmpfs: %s", strerror(errno));
		goto out;
	}
	if (protect_all(&m) < 0)
		goto out;
	/* (a directory of the stage made before --protect could make the way
	 * to it read-only: mounted over the stage, it covers it) */
	if (c->ipcns && bind_dir_fd(m.shm_fd, "/dev/shm") < 0) {
		shim_fail(c, "cannot mount a private /dev/shm: %s", strerror(errno));
		goto out;
	}
	if (c->devpts)
		private_devpts(c);
	if (c->pidns &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		shim_fail(c,
		          "cannot mount a private /proc for the pid namespace: %s (a host /proc "
		          "with masked paths, as in containers, forbids it)",
		          strerror(errno));
		goto out;
	}
	r = 0;
out:
	for (size_t i = 0; m.keep_fds && i < c->nmounts; i++) {
		if (m.keep_fds[i] >= 0)
			close(m.keep_fds[i]);
		if (m.trees && m.trees[i] >= 0)
			close(m.trees[i]);
	}
	if (m.shm_fd >= 0)
		close(m.shm_fd);
	free(m.keep_fds);
	free(m.trees);
	free(m.hidden);
	strv_clear(&m.mountpoints);
	buf_free(&m.views);
	return r;
}

int shim_loopback_up(const struct shim_config *c)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return shim_fail(c, "loopback: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return shim_fail(c, "loopback: %s", strerror(errno));
	return 0;
}
