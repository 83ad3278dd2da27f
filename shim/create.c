/* create.c: the create gate (--deny-create). A protected path that does
 * not exist yet (a project's .envrc, .vscode, .mcp.json) cannot be held by
 * a mount, and Landlock grants a directory's rights to every name in it.
 * So every call that makes a name (open and openat with O_CREAT, creat,
 * mkdir, mknod, symlink, link, rename and their *at forms), and every one
 * that changes a name (an open for writing, truncate, unlink, rmdir, chmod
 * and chown, on a name or on a descriptor) goes to the sandbox's init,
 * which makes it itself and refuses the protected names with EPERM;
 * openat2 gets ENOSYS from the filter (libc falls back).
 *
 * Why it holds: init copies the path out of the caller's memory once,
 * resolves its directory to a descriptor, checks the (directory, name)
 * pair against the table (each protected name by its directory's device
 * and inode, read in the view before the command started; those
 * directories are mount points, so none can be renamed away and replaced),
 * and makes the name on that descriptor. Nothing is checked and then read
 * again by the kernel, so a thread rewriting the path meanwhile changes
 * nothing. A final symlink that open or link would follow is followed
 * here, one hop at a time, each hop checked (a dangling link to .envrc
 * makes nothing). An opened file reaches the caller through
 * SECCOMP_IOCTL_NOTIF_ADDFD, atomically with the answer.
 *
 * Init acts as the command: same mount namespace (so paths resolve alike;
 * /proc/self, /dev/fd and /dev/std* in a path are rewritten to the
 * caller's /proc/TID; no magic link is followed on the way, so init's own
 * /proc/1/fd and cwd are never reached, and a file on procfs is opened by
 * a child of init holding the caller's capability sets, so init's
 * identity counts for nothing there), same Landlock domain (gate.c says why), the caller's
 * cwd, descriptors (pidfd_getfd) and umask, and while it makes the name no
 * effective capability the caller lacks (the user namespace's would
 * override the file modes the command is held to). Run by root, the
 * setuid and setgid modes seccomp.c refuses are refused here too.
 *
 * A caller that added a seccomp filter of its own (a nested sandbox: its
 * Landlock domain is deeper than init's, and init must not make names the
 * inner policy forbids) is only checked: the call continues in the kernel,
 * under the caller's own domain. There a thread that rewrites the path
 * between the check and the kernel's read could still make a protected
 * name; the plan says so. */
#include "shim.h"
#include "setid_calls.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif
#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 SBX_FCHMODAT2_NR
#endif

#define MAX_HOPS 40        /* the kernel's own limit on links followed */
#define ANSWERED (-100000) /* make(): a child answers (a FIFO's wait) */

bool shim_create_call(int nr)
{
	switch (nr) {
#ifdef SYS_open
	case SYS_open:
	case SYS_creat:
	case SYS_mkdir:
	case SYS_mknod:
	case SYS_symlink:
	case SYS_link:
	case SYS_rename:
	case SYS_unlink:
	case SYS_rmdir:
	case SYS_chmod:
	case SYS_chown:
	case SYS_lchown:
#endif
	case SYS_fchmod:
	case SYS_fchmodat:
	case SYS_fchmodat2:
	case SYS_fchown:
	case SYS_fchownat:
	case SYS_openat:
	case SYS_mkdirat:
	case SYS_mknodat:
	case SYS_symlinkat:
	case SYS_linkat:
	case SYS_renameat:
	case SYS_renameat2:
	case SYS_unlinkat:
	case SYS_truncate:
		return true;
	default:
		return false;
	}
}

/* The caller's own names for itself, which in init would mean init:
 * /proc/self, /proc/thread-self, /dev/fd and /dev/std{in,out,err}. */
static int rewrite_self(char *p, size_t size, pid_t tid)
{
	static const struct {
		const char *from, *to;
	} names[] = {
	    {"/proc/self", ""},      {"/proc/thread-self", ""}, {"/dev/fd", "/fd"},
	    {"/dev/stdin", "/fd/0"}, {"/dev/stdout", "/fd/1"},  {"/dev/stderr", "/fd/2"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i].from);
		if (strncmp(p, names[i].from, n) != 0 || (p[n] && p[n] != '/'))
			continue;
		char tmp[PATH_MAX];
		int w = snprintf(tmp, sizeof(tmp), "/proc/%d%s%s", (int)tid, names[i].to, p + n);
		if (w < 0 || (size_t)w >= sizeof(tmp) || (size_t)w >= size)
			return -ENAMETOOLONG;
		memcpy(p, tmp, (size_t)w + 1);
		return 0;
	}
	return 0;
}

/* Where a path names: its directory (a descriptor) and its last name. */
struct at {
	int dir;
	char name[NAME_MAX + 1]; /* without trailing slashes */
	char arg[NAME_MAX + 2];  /* with one, when the path had any */
	bool slash;
};

static void at_close(struct at *t)
{
	if (t->dir >= 0)
		close(t->dir);
	t->dir = -1;
}

static int split(int base, const char *path, struct at *t)
{
	at_close(t);
	size_t n = strlen(path);
	if (!n)
		return -ENOENT;
	size_t end = n;
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t len = end - start;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (path[start] == '/') { /* "/" itself */
		strcpy(t->name, ".");
		start = 1;
	} else {
		memcpy(t->name, path + start, len);
		t->name[len] = '\0';
	}
	t->slash = end < n;
	snprintf(t->arg, sizeof(t->arg), "%s%s", t->name, t->slash ? "/" : "");
	char dir[PATH_MAX];
	if (start == 0)
		strcpy(dir, ".");
	else {
		memcpy(dir, path, start);
		dir[start] = '\0';
	}
	/* No magic link on the way: /proc/1/fd/N or /proc/1/cwd would be
	 * init's own descriptors and directories, which init may open for
	 * itself and the caller must never reach. */
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	                       .resolve = RESOLVE_NO_MAGICLINKS};
	t->dir = (int)syscall(SYS_openat2, base, dir, &how, sizeof(how));
	return t->dir < 0 ? -errno : 0;
}

static bool on_proc(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* The call's name is protected, or lies in a protected name the host
 * made during the run (protect.c). */
static bool refused(const struct shim_notify_state *st, const struct at *t)
{
	return shim_protected_at(st, t->dir, t->name);
}

/* Resolves path from base to the name a call makes, following a final
 * symlink when follow (each hop's target read here; procfs's own links
 * are left to the kernel, which follows them to the very file). */
static int resolve(const struct shim_notify_state *st, int base, char *path, pid_t tid, bool follow,
                   struct at *t, int *hops)
{
	_cleanup_close_ int hop = -1;
	for (;;) {
		int r = rewrite_self(path, PATH_MAX, tid);
		if (r < 0 || (r = split(base, path, t)) < 0)
			return r;
		struct stat sb;
		if (!follow || on_proc(t->dir) ||
		    fstatat(t->dir, t->name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(sb.st_mode))
			return 0;
		if (++*hops > MAX_HOPS)
			return -ELOOP;
		/* a protected name the host made as a link: not through it
		 * either (what it points to is what reads it) */
		if (refused(st, t))
			return -EPERM;
		char link[PATH_MAX];
		ssize_t n = readlinkat(t->dir, t->name, link, sizeof(link) - 2);
		if (n < 0)
			return 0; /* no longer a link: the call finds out */
		link[n] = '\0';
		if (t->slash)
			strcat(link, "/");
		memcpy(path, link, (size_t)n + 2);
		if (hop >= 0)
			close(hop);
		hop = t->dir; /* the link's directory is where its target starts */
		t->dir = -1;
		base = hop;
	}
}

/* Init's effective capabilities cut to the caller's (the user namespace's
 * would override file modes the command is held to; root run keeps its
 * own), and back. */
struct caps {
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];
	bool saved;
};

static void caps_as(struct caps *c, uint64_t eff)
{
	c->h = (struct __user_cap_header_struct){.version = _LINUX_CAPABILITY_VERSION_3};
	c->saved = syscall(SYS_capget, &c->h, c->d) == 0;
	if (!c->saved)
		return;
	struct __user_cap_data_struct z[2] = {c->d[0], c->d[1]};
	z[0].effective &= (uint32_t)eff;
	z[1].effective &= (uint32_t)(eff >> 32);
	syscall(SYS_capset, &c->h, z);
}

/* For good, in a child of init: the caller's own permitted and effective
 * sets, so that procfs weighs the child as it would the caller (init's
 * larger set would let it reach init itself). */
static int caps_become(uint64_t prm, uint64_t eff)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct z[2] = {
	    {.effective = (uint32_t)(eff & prm), .permitted = (uint32_t)prm},
	    {.effective = (uint32_t)((eff & prm) >> 32), .permitted = (uint32_t)(prm >> 32)}};
	return (int)syscall(SYS_capset, &h, z);
}

static void caps_on(struct caps *c)
{
	if (c->saved)
		syscall(SYS_capset, &c->h, c->d);
}

struct call {
	/* 'o'pen, 'd'ir, 'n'ode, 's'ymlink, 'l'ink, 'r'ename, 'u'nlink,
	 * 't'runcate, 'm'ode (chmod), 'c'hown */
	int kind;
	int dirfd, olddirfd;
	uint64_t path, oldpath;
	long flags;
	mode_t mode;
	dev_t dev;
	off_t len; /* truncate's */
	uid_t uid; /* chown's */
	gid_t gid;
	bool fd_only; /* fchmod, fchown: dirfd is the file, no path */
};

static bool decode(const struct seccomp_notif *req, struct call *k)
{
	const __u64 *a = req->data.args;
	*k = (struct call){.dirfd = AT_FDCWD, .olddirfd = AT_FDCWD};
	switch (req->data.nr) {
#ifdef SYS_open
	case SYS_open:
		*k = (struct call){'o', AT_FDCWD, AT_FDCWD, a[0], 0, (int)a[1], (mode_t)a[2], 0};
		return true;
	case SYS_creat:
		*k = (struct call){'o',          AT_FDCWD, AT_FDCWD,
		                   a[0],         0,        O_CREAT | O_WRONLY | O_TRUNC,
		                   (mode_t)a[1], 0};
		return true;
	case SYS_mkdir:
		*k = (struct call){'d', AT_FDCWD, AT_FDCWD, a[0], 0, 0, (mode_t)a[1], 0};
		return true;
	case SYS_mknod:
		*k = (struct call){'n', AT_FDCWD, AT_FDCWD, a[0], 0, 0, (mode_t)a[1], (dev_t)a[2]};
		return true;
	case SYS_symlink:
		*k = (struct call){'s', AT_FDCWD, AT_FDCWD, a[1], a[0], 0, 0, 0};
		return true;
	case SYS_link:
		*k = (struct call){'l', AT_FDCWD, AT_FDCWD, a[1], a[0], 0, 0, 0};
		return true;
	case SYS_rename:
		*k = (struct call){'r', AT_FDCWD, AT_FDCWD, a[1], a[0], 0, 0, 0};
		return true;
	case SYS_unlink:
		*k = (struct call){'u', AT_FDCWD, AT_FDCWD, a[0], 0, 0, 0, 0};
		return true;
	case SYS_rmdir:
		*k = (struct call){'u', AT_FDCWD, AT_FDCWD, a[0], 0, AT_REMOVEDIR, 0, 0};
		return true;
	case SYS_chmod:
		k->kind = 'm', k->path = a[0], k->mode = (mode_t)a[1];
		return true;
	case SYS_chown:
	case SYS_lchown:
		k->kind = 'c', k->path = a[0], k->uid = (uid_t)a[1], k->gid = (gid_t)a[2];
		k->flags = req->data.nr == SYS_lchown ? AT_SYMLINK_NOFOLLOW : 0;
		return true;
#endif
	case SYS_fchmod:
		k->kind = 'm', k->dirfd = (int)a[0], k->mode = (mode_t)a[1], k->fd_only = true;
		return true;
	case SYS_fchmodat:
	case SYS_fchmodat2:
		k->kind = 'm', k->dirfd = (int)a[0], k->path = a[1], k->mode = (mode_t)a[2];
		k->flags = req->data.nr == SYS_fchmodat2 ? (int)a[3] : 0;
		return true;
	case SYS_fchown:
		k->kind = 'c', k->dirfd = (int)a[0], k->uid = (uid_t)a[1], k->gid = (gid_t)a[2];
		k->fd_only = true;
		return true;
	case SYS_fchownat:
		k->kind = 'c', k->dirfd = (int)a[0], k->path = a[1], k->uid = (uid_t)a[2];
		k->gid = (gid_t)a[3], k->flags = (int)a[4];
		return true;
	case SYS_unlinkat:
		*k = (struct call){'u', (int)a[0], AT_FDCWD, a[1], 0, (int)a[2], 0, 0};
		return true;
	case SYS_truncate:
		*k = (struct call){'t', AT_FDCWD, AT_FDCWD, a[0], 0, 0, 0, 0, (off_t)a[1]};
		return true;
	case SYS_openat:
		*k = (struct call){'o', (int)a[0], AT_FDCWD, a[1], 0, (int)a[2], (mode_t)a[3], 0};
		return true;
	case SYS_mkdirat:
		*k = (struct call){'d', (int)a[0], AT_FDCWD, a[1], 0, 0, (mode_t)a[2], 0};
		return true;
	case SYS_mknodat:
		*k = (struct call){'n', (int)a[0], AT_FDCWD, a[1], 0, 0, (mode_t)a[2], (dev_t)a[3]};
		return true;
	case SYS_symlinkat:
		*k = (struct call){'s', (int)a[1], AT_FDCWD, a[2], a[0], 0, 0, 0};
		return true;
	case SYS_linkat:
		*k = (struct call){'l', (int)a[2], (int)a[0], a[3], a[1], (int)a[4], 0, 0};
		return true;
	case SYS_renameat:
		*k = (struct call){'r', (int)a[2], (int)a[0], a[3], a[1], 0, 0, 0};
		return true;
	case SYS_renameat2:
		*k = (struct call){'r', (int)a[2], (int)a[0], a[3], a[1], (unsigned)a[4], 0, 0};
		return true;
	default:
		return false;
	}
}

static void continue_call(int nfd, uint64_t id)
{
	struct seccomp_notif_resp resp = {.id = id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
	ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* Hands fd to the caller as its call's result. */
static void send_fd(int nfd, uint64_t id, int fd, bool cloexec)
{
	struct seccomp_notif_addfd a = {.id = id,
	                                .flags = SECCOMP_ADDFD_FLAG_SEND,
	                                .srcfd = (__u32)fd,
	                                .newfd_flags = cloexec ? O_CLOEXEC : 0};
	int r = ioctl(nfd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	if (r < 0 && errno == EINVAL) { /* before Linux 5.14: no SEND */
		a.flags = 0;
		r = ioctl(nfd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
		if (r >= 0) {
			shim_notify_respond(nfd, id, r, 0);
			return;
		}
	}
	if (r < 0 && errno != ENOENT && errno != EINPROGRESS)
		shim_notify_respond(nfd, id, 0, -errno);
}

/* A mode or owner change on the file open as fd (O_PATH or not), as the
 * kernel would make it on that file itself. */
static long meta(const struct call *k, int fd)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return -errno;
	if (k->kind == 'c')
		return fchownat(fd, "", k->uid, k->gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
	if (S_ISLNK(sb.st_mode))
		return -EOPNOTSUPP; /* a link has no mode of its own */
	if (syscall(SYS_fchmodat2, fd, "", k->mode, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return chmod(proc, k->mode) < 0 ? -errno : 0;
}

/* The call made by a child of init, which answers the notification
 * itself: an open that may wait (an existing FIFO), so init never does,
 * and anything through procfs (/dev/stdout and /dev/fd/N are the caller's
 * /proc/TID/fd/N), where init's own identity would count: its /proc/1/mem
 * and descriptors, and its capabilities over every other process. The
 * child takes the caller's capability sets first (become), so procfs
 * weighs it as the caller. What a link through procfs leads to is only
 * known once opened: a protected file there is refused then. */
static long in_child(const struct shim_notify_state *st, const struct seccomp_notif *req,
                     const struct call *k, const struct at *t, const struct at *o,
                     const uint64_t *become)
{
	pid_t w = fork();
	if (w != 0)
		return w < 0 ? -EAGAIN : ANSWERED;
	long r;
	int nofollow = become ? 0 : O_NOFOLLOW;
	if (become && caps_become(become[0], become[1]) < 0) {
		r = -EACCES;
	} else if (o) {
		_cleanup_close_ int src =
		    openat(o->dir, o->arg,
		           O_PATH | O_CLOEXEC | ((k->flags & AT_SYMLINK_FOLLOW) ? 0 : O_NOFOLLOW));
		if (src >= 0 && shim_protected_fd(st, src))
			r = -EPERM;
		else
			r = linkat(o->dir, o->arg, t->dir, t->arg,
			           (int)(k->flags & AT_SYMLINK_FOLLOW)) < 0
			        ? -errno
			        : 0;
	} else if (k->kind == 'm' || k->kind == 'c') {
		_cleanup_close_ int fd = openat(t->dir, t->arg, O_PATH | O_CLOEXEC | nofollow);
		r = fd < 0 ? -errno : shim_protected_fd(st, fd) ? -EPERM : meta(k, fd);
	} else if (k->kind == 't') {
		int fd =
		    openat(t->dir, t->arg, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | nofollow);
		r = fd < 0                      ? (errno == ENXIO ? -EINVAL : -errno)
		    : shim_protected_fd(st, fd) ? -EPERM
		    : ftruncate(fd, k->len) < 0 ? -errno
		                                : 0;
		if (fd >= 0)
			close(fd);
	} else {
		r = openat(t->dir, t->arg, (int)k->flags | O_CLOEXEC | O_NOCTTY | nofollow,
		           k->mode);
		if (r < 0) {
			r = -errno;
		} else if (shim_protected_fd(st, (int)r)) {
			close((int)r);
			r = -EPERM;
		}
	}
	if (o || k->kind == 't' || k->kind == 'm' || k->kind == 'c' || r < 0)
		shim_notify_respond(st->fd, req->id, 0, r < 0 ? (int)r : 0);
	else
		send_fd(st->fd, req->id, (int)r, (k->flags & O_CLOEXEC) != 0);
	_exit(0);
}

/* Whether the call is on a descriptor of the caller's rather than a name:
 * fchmod and fchown, or an empty path with AT_EMPTY_PATH. */
static bool on_file(const struct call *k, const char *path)
{
	return k->fd_only ||
	       ((k->kind == 'm' || k->kind == 'c') && !path[0] && (k->flags & AT_EMPTY_PATH));
}

/* Whether the call follows a final symlink, as the kernel would. */
static bool follows(const struct call *k)
{
	if (k->kind == 't')
		return true;
	if (k->kind == 'm' || k->kind == 'c')
		return !(k->flags & AT_SYMLINK_NOFOLLOW);
	return k->kind == 'o' && !(k->flags & O_NOFOLLOW) &&
	       !((k->flags & O_EXCL) && (k->flags & O_CREAT));
}

/* The call, made here on the resolved names. Returns the result (an
 * open's descriptor) or -errno. */
static long make(const struct shim_notify_state *st, const struct seccomp_notif *req,
                 const struct call *k, char *path, char *old, int base, int oldbase, uint64_t prm,
                 uint64_t eff)
{
	const uint64_t become[2] = {prm, eff};
	pid_t tid = (pid_t)req->pid;
	int hops = 0;
	struct at t = {.dir = -1}, o = {.dir = -1};
	long r;
	bool follow = follows(k);
	struct caps caps = {0};
	if (on_file(k, path)) {
		/* the caller's own descriptor (fchmod, or AT_EMPTY_PATH) */
		if (shim_protected_fd(st, base))
			return -EPERM;
		caps_as(&caps, eff);
		if (k->fd_only && k->kind == 'm')
			r = fchmod(base, k->mode) < 0 ? -errno : 0;
		else if (k->fd_only)
			r = fchown(base, k->uid, k->gid) < 0 ? -errno : 0;
		else
			r = meta(k, base);
		caps_on(&caps);
		return r;
	}
	if ((r = resolve(st, base, path, tid, follow, &t, &hops)) < 0)
		goto out;
	if (refused(st, &t)) {
		r = -EPERM;
		goto out;
	}
	/* init's capabilities cut to the caller's for the call itself */
	caps_as(&caps, eff);
	switch (k->kind) {
	case 'o': {
		/* An existing FIFO opened for writing waits for a reader: a
		 * child of init waits, and answers, so init never does; */
		struct stat fs;
		bool there = fstatat(t.dir, t.name, &fs, AT_SYMLINK_NOFOLLOW) == 0;
		/* so may a device other than the memory ones and terminals (a
		 * serial line waits for its carrier) */
		unsigned maj = there ? major(fs.st_rdev) : 0;
		bool quick_dev = maj == 1 || maj == 5 || (maj >= 136 && maj <= 143);
		bool wait = !(k->flags & O_NONBLOCK) && there &&
		            ((S_ISFIFO(fs.st_mode) && (k->flags & O_ACCMODE) == O_WRONLY) ||
		             (S_ISCHR(fs.st_mode) && !quick_dev));
		/* /dev/tty means the opener's terminal: the caller's, not init's */
		if (there && S_ISCHR(fs.st_mode) && fs.st_rdev == makedev(5, 0)) {
			r = shim_caller_tty(tid, (int)(k->flags & ~(O_CREAT | O_EXCL | O_TRUNC)));
			break;
		}
		for (;;) {
			/* procfs (/dev/stdout, /dev/fd/N: the caller's own
			 * descriptors) is opened by a child that holds nothing */
			if (wait || on_proc(t.dir)) {
				r = in_child(st, req, k, &t, NULL, wait ? NULL : become);
				break;
			}
			r = openat(t.dir, t.arg, (int)k->flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
			           k->mode);
			if (r >= 0 || errno != ELOOP || !follow) {
				r = r < 0 ? -errno : r;
				break;
			}
			/* made a link meanwhile: follow it, checked again */
			char link[PATH_MAX];
			ssize_t n = readlinkat(t.dir, t.name, link, sizeof(link) - 2);
			if (n < 0) {
				r = -ELOOP;
				break;
			}
			link[n] = '\0';
			_cleanup_close_ int from = t.dir;
			t.dir = -1;
			if ((r = resolve(st, from, link, tid, true, &t, &hops)) < 0)
				break;
			if (refused(st, &t)) {
				r = -EPERM;
				break;
			}
			if (++hops > MAX_HOPS) {
				r = -ELOOP;
				break;
			}
		}
		break;
	}
	case 'd':
		r = mkdirat(t.dir, t.arg, k->mode) < 0 ? -errno : 0;
		break;
	case 'm':
	case 'c': {
		/* on the name as resolved, a link only where the call would not
		 * follow it; checked again as opened (the name may have changed) */
		if (on_proc(t.dir)) {
			r = in_child(st, req, k, &t, NULL, become);
			break;
		}
		_cleanup_close_ int fd = openat(t.dir, t.arg, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		r = fd < 0 ? -errno : shim_protected_fd(st, fd) ? -EPERM : meta(k, fd);
		break;
	}
	case 'n':
		r = mknodat(t.dir, t.arg, k->mode, k->dev) < 0 ? -errno : 0;
		break;
	case 's':
		r = symlinkat(old, t.dir, t.arg) < 0 ? -errno : 0;
		break;
	case 'u':
		r = unlinkat(t.dir, t.arg, (int)(k->flags & AT_REMOVEDIR)) < 0 ? -errno : 0;
		break;
	case 't': {
		if (on_proc(t.dir)) {
			r = in_child(st, req, k, &t, NULL, become);
			break;
		}
		int fd =
		    openat(t.dir, t.arg, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
		r = fd < 0                      ? (errno == ENXIO ? -EINVAL : -errno)
		    : ftruncate(fd, k->len) < 0 ? -errno
		                                : 0;
		if (fd >= 0)
			close(fd);
		break;
	}
	case 'l':
		/* a new name for a protected file would write it */
		if ((k->flags & AT_EMPTY_PATH) && !old[0]) {
			r = shim_protected_fd(st, oldbase)                         ? -EPERM
			    : linkat(oldbase, "", t.dir, t.arg, AT_EMPTY_PATH) < 0 ? -errno
			                                                           : 0;
			break;
		}
		if ((r = resolve(st, oldbase, old, tid, (k->flags & AT_SYMLINK_FOLLOW) != 0, &o,
		                 &hops)) < 0)
			break;
		if (refused(st, &o)) {
			r = -EPERM;
			break;
		}
		if (on_proc(o.dir)) { /* an O_TMPFILE's /proc/self/fd/N */
			r = in_child(st, req, k, &t, &o, become);
			break;
		}
		r = linkat(o.dir, o.arg, t.dir, t.arg, (int)(k->flags & AT_SYMLINK_FOLLOW)) < 0
		        ? -errno
		        : 0;
		break;
	case 'r':
		if ((r = resolve(st, oldbase, old, tid, false, &o, &hops)) < 0)
			break;
		/* moving a protected name away is removing it (and an
		 * exchange puts a file at the old name too) */
		if (refused(st, &o)) {
			r = -EPERM;
			break;
		}
		r = syscall(SYS_renameat2, o.dir, o.arg, t.dir, t.arg, (unsigned)k->flags) < 0
		        ? -errno
		        : 0;
		break;
	default:
		r = -ENOSYS;
	}
	caps_on(&caps);
out:
	at_close(&t);
	at_close(&o);
	return r;
}

/* Only the check, for a caller with a filter of its own (see the top). */
static long check(const struct shim_notify_state *st, const struct seccomp_notif *req,
                  const struct call *k, char *path, char *old, int base, int oldbase)
{
	int hops = 0;
	struct at t = {.dir = -1};
	bool follow = follows(k);
	if (on_file(k, path))
		return shim_protected_fd(st, base) ? -EPERM : 0;
	long r = resolve(st, base, path, (pid_t)req->pid, follow, &t, &hops);
	if (r == 0 && refused(st, &t))
		r = -EPERM;
	if (r == 0 && (k->kind == 'r' || k->kind == 'l') && old[0]) {
		at_close(&t);
		bool f = k->kind == 'l' && (k->flags & AT_SYMLINK_FOLLOW);
		if (resolve(st, oldbase, old, (pid_t)req->pid, f, &t, &hops) == 0 &&
		    refused(st, &t))
			r = -EPERM;
	}
	at_close(&t);
	/* a path that does not resolve here fails in the kernel alike */
	return r == -EPERM ? r : 0;
}

void shim_create_answer(struct shim_notify_state *st, const struct seccomp_notif *req)
{
	int nfd = st->fd;
	struct call k;
	if (!decode(req, &k))
		return shim_notify_respond(nfd, req->id, 0, -ENOSYS);
	/* O_PATH ignores O_CREAT: such an open makes no name */
	if (k.kind == 'o' && (k.flags & O_PATH))
		return continue_call(nfd, req->id);
	/* (an open's mode counts only when it makes a file) */
	bool makes = k.kind == 'n' ||
	             (k.kind == 'o' && ((k.flags & O_CREAT) || (k.flags & O_TMPFILE) == O_TMPFILE));
	if (getuid() == 0 && (makes || k.kind == 'm') && (k.mode & (S_ISUID | S_ISGID)))
		return shim_notify_respond(nfd, req->id, 0, -EPERM);
	static char path[PATH_MAX], old[PATH_MAX];
	old[0] = path[0] = '\0';
	int r = k.fd_only ? 0 : shim_caller_string((pid_t)req->pid, k.path, path, sizeof(path));
	if (r == 0 && (k.kind == 's' || k.kind == 'l' || k.kind == 'r'))
		r = shim_caller_string((pid_t)req->pid, k.oldpath, old, sizeof(old));
	if (r < 0)
		return shim_notify_respond(nfd, req->id, 0, r);
	_cleanup_close_ int base = path[0] == '/' ? -1 : shim_caller_dir(req, k.dirfd);
	_cleanup_close_ int oldbase = -1;
	if (k.kind == 'l' || k.kind == 'r')
		oldbase = old[0] == '/' ? -1 : shim_caller_dir(req, k.olddirfd);
	if (path[0] != '/' && base < 0)
		return shim_notify_respond(nfd, req->id, 0, base);
	if ((k.kind == 'l' || k.kind == 'r') && old[0] != '/' && oldbase < 0)
		return shim_notify_respond(nfd, req->id, 0, oldbase);
	__u64 id = req->id;
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return; /* gone, and its pid may be another's now */
	struct shim_caller_status cs;
	shim_caller_status((pid_t)req->pid, &cs);
	long depth = st->depth > 0 ? cs.depth : 0;
	if (cs.umask < 0 || !cs.has_eff || !cs.has_prm)
		return shim_notify_respond(nfd, req->id, 0, -EACCES);
	uint64_t eff = cs.eff;
	mode_t saved = umask((mode_t)cs.umask & 0777);
	long res;
	if (depth > st->depth)
		res = check(st, req, &k, path, old, base, oldbase);
	else
		res = make(st, req, &k, path, old, base, oldbase, cs.prm, eff);
	umask(saved);
	if (res == ANSWERED)
		return;
	if (res == -EPERM)
		st->denied.create++;
	if (depth > st->depth && res == 0)
		return continue_call(nfd, req->id);
	if (k.kind == 'o' && res >= 0) {
		send_fd(nfd, req->id, (int)res, (k.flags & O_CLOEXEC) != 0);
		close((int)res);
		return;
	}
	shim_notify_respond(nfd, req->id, 0, res < 0 ? (int)res : 0);
}
