/* views.c: the copy-on-write views (mounts.c's header comment says why
 * they are per directory): an overlay per directory without mounts beneath
 * it, its upper layer prepared first with the whiteouts for the denied
 * paths in it and the directories on the way to what is bound or entered
 * below. */
#include "mounts.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static bool has_mounts_beneath(const struct mctx *m, const char *dir)
{
	for (size_t i = 0; i < m->mountpoints.n; i++) {
		const char *mp = m->mountpoints.v[i];
		if (!streq(mp, dir) && path_is_beneath(mp, dir))
			return true;
	}
	return false;
}

static bool is_mountpoint(const struct mctx *m, const char *dir)
{
	return strv_contains(&m->mountpoints, dir);
}

bool shim_beneath_bind(const struct shim_config *c, const char *p)
{
	for (size_t i = 0; i < c->nmounts; i++)
		if (c->mounts[i].kind == MNT_BIND && path_is_beneath(p, c->mounts[i].path))
			return true;
	return false;
}

bool shim_redacted_beneath(const struct shim_config *c, const char *dir)
{
	for (size_t i = 0; i < c->nmounts; i++)
		if (c->mounts[i].kind == MNT_REDACT && !streq(c->mounts[i].path, dir) &&
		    path_is_beneath(c->mounts[i].path, dir))
			return true;
	return false;
}

/* Prepares, in the upper layer of the view of dir about to be mounted, the
 * directories on the way to path (beneath dir) and, with hide, a whiteout
 * for path: the path then does not exist inside the view, whatever the
 * lower layer holds now or later, at the cost of no mount. The directories
 * get the lower ones' mode and times, so the merged ones look the same.
 *
 * A directory of another owner cannot be made faithfully (the view's user
 * namespace maps no other id), and overlayfs refuses to copy one up for the
 * same reason (EOVERFLOW): without foreign_ok that returns -1 (and a mask
 * mount on the existing path is used instead); with it the directory is
 * made ours, so that what lies beyond it (a home in /var/lib, a project in
 * /var/tmp) can be written or masked in the view at all. A file on the way
 * always returns -1. */
/* The directory upper_path made (or found made) last in an upper layer,
 * and whether one on the way to it is another owner's: the next path
 * through it (ten of the default masks are in ~/.config) does not ask
 * about it again. A sandbox is built once per process. */
static char prepared[4096];
static bool prepared_foreign;

/* The directories made in the upper layer being prepared, with the lower
 * ones' times: given again once everything in them is made (each whiteout
 * made in a directory changes its times). */
struct made_dir {
	char *path;
	struct timespec t[2];
};
static struct made_dir *made;
static size_t nmade;

static void note_made(const char *up, const struct stat *st)
{
	struct made_dir *m = realloc(made, (nmade + 1) * sizeof(*made));
	if (!m)
		return;
	made = m;
	made[nmade] = (struct made_dir){.path = strdup(up), .t = {st->st_atim, st->st_mtim}};
	if (made[nmade].path)
		nmade++;
}

/* Gives the directories made their lower ones' times, deepest first. */
static void times_again(void)
{
	while (nmade) {
		struct made_dir *m = &made[--nmade];
		utimensat(AT_FDCWD, m->path, m->t, AT_SYMLINK_NOFOLLOW);
		free(m->path);
	}
}

/* A whiteout at up: a hard link to one made once on the stage, half the
 * cost of a new device node (no inode to allocate; overlayfs takes any
 * character device 0:0, whatever its link count, as a whiteout). */
static int whiteout(const char *up)
{
	static bool made_one;
	if (!made_one) {
		if (mknod(STAGE "/wh", S_IFCHR, 0) < 0 && errno != EEXIST)
			return mknod(up, S_IFCHR, 0) < 0 && errno != EEXIST ? -1 : 0;
		made_one = true;
	}
	if (link(STAGE "/wh", up) == 0 || errno == EEXIST)
		return 0;
	return mknod(up, S_IFCHR, 0) < 0 && errno != EEXIST ? -1 : 0;
}

/* up is prepared (it or a directory beneath it was made) and may be used
 * as foreign_ok allows */
static bool is_prepared(const char *up, bool foreign_ok)
{
	size_t n = strlen(up);
	return (foreign_ok || !prepared_foreign) && strncmp(prepared, up, n) == 0 &&
	       (prepared[n] == '\0' || prepared[n] == '/');
}

static int upper_path(const char *dir, const char *upper, const char *path, bool hide,
                      bool foreign_ok)
{
	const char *rel = path + strlen(dir);
	while (*rel == '/')
		rel++;
	if (!*rel)
		return -1;
	char lower[4096], up[4096];
	snprintf(lower, sizeof(lower), "%s", streq(dir, "/") ? "" : dir);
	snprintf(up, sizeof(up), "%s", upper);
	bool foreign = false; /* a directory of another owner on the way */
	for (const char *c = rel; *c;) {
		size_t n = strcspn(c, "/");
		bool last = c[n] == '\0';
		size_t ll = strlen(lower), lu = strlen(up);
		snprintf(lower + ll, sizeof(lower) - ll, "/%.*s", (int)n, c);
		snprintf(up + lu, sizeof(up) - lu, "/%.*s", (int)n, c);
		if (last && !hide)
			return 0; /* the path itself is bound over */
		if (last) {
			/* the path itself, whatever the lower layer has there */
			return whiteout(up);
		}
		c += n;
		while (*c == '/')
			c++;
		if (is_prepared(up, foreign_ok)) {
			foreign = prepared_foreign;
			continue;
		}
		struct stat st;
		if (lstat(lower, &st) < 0) {
			if (!hide)
				return 0;
			/* the top-most missing component */
			return whiteout(up);
		}
		bool theirs = st.st_uid != geteuid() || st.st_gid != getegid();
		if (!S_ISDIR(st.st_mode) || (!foreign_ok && theirs))
			return -1;
		if (mkdir(up, st.st_mode & 07777) == 0) {
			/* new: give it the lower directory's mode (umask), and its
			 * times once what goes in it is made (times_again) */
			if (chmod(up, st.st_mode & 07777) < 0)
				return -1;
			note_made(up, &st);
		} else if (errno != EEXIST) {
			return -1;
		}
		foreign = foreign || theirs;
		snprintf(prepared, sizeof(prepared), "%s", up);
		prepared_foreign = foreign;
	}
	return 0;
}

/* Before the view of dir is mounted: whiteouts for the masked and hidden
 * paths in it, and the directories on the way to the paths bound into it
 * and to the working directory (see upper_path). */
static void prepare_upper(struct mctx *m, const char *dir, const char *upper)
{
	const struct shim_config *c = m->c;
	for (size_t i = 0; i < c->nmounts; i++) {
		const struct shim_mount *s = &c->mounts[i];
		if (streq(s->path, dir) || !path_is_beneath(s->path, dir))
			continue;
		if (s->kind == MNT_BIND) {
			upper_path(dir, upper, s->path, false, true);
			continue;
		}
		/* (a mask with redacted files beneath it is a mount: mounts.c) */
		if ((s->kind != MNT_MASK && s->kind != MNT_HIDE) || m->hidden[i] ||
		    shim_beneath_bind(c, s->path) || shim_redacted_beneath(c, s->path))
			continue;
		struct stat st;
		m->hidden[i] =
		    upper_path(dir, upper, s->path, true, false) == 0 ||
		    (lstat(s->path, &st) < 0 && upper_path(dir, upper, s->path, true, true) == 0);
	}
	if (c->chdir && !streq(c->chdir, dir) && path_is_beneath(c->chdir, dir) &&
	    !shim_beneath_bind(c, c->chdir))
		upper_path(dir, upper, c->chdir, false, true);
	times_again();
}

/* A view of dir is mounted, its upper layer u/n: noted for Landlock (the
 * writable ones) and the report. 0 or -ENOMEM. */
static int view_made(struct mctx *m, const char *dir, unsigned n)
{
	if (strv_push(&m->c->cow_views, dir) < 0)
		return -ENOMEM;
	if (m->c->report || m->c->keep_dir)
		buf_addf(&m->views, "%u\t%s\n", n, dir);
	return m->grant_writes ? strv_push(&m->c->cow_dirs, dir) : 0;
}

/* Mounts an overlay on dir with a fresh upper layer; 0 or -errno, quiet. */
static int overlay(struct mctx *m, const char *dir)
{
	unsigned n = m->overlays++;
	char upper[64], work[64];
	snprintf(upper, sizeof(upper), STAGE "/u/%u", n);
	snprintf(work, sizeof(work), STAGE "/w/%u", n);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0)
		return -errno;
	/* The view's root takes its attributes from the upper layer's root. */
	prepare_upper(m, dir, upper);
	struct stat st;
	if (stat(dir, &st) == 0) {
		struct timespec t[2] = {st.st_atim, st.st_mtim};
		chmod(upper, st.st_mode & 07777);
		utimensat(AT_FDCWD, upper, t, 0);
	}
	_cleanup_close_ int lower = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (lower < 0)
		return -errno;
	char opts[256];
	snprintf(opts, sizeof(opts), "lowerdir=/proc/self/fd/%d,upperdir=%s,workdir=%s,userxattr",
	         lower, upper, work);
	if (mount("overlay", dir, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
		return -errno;
	return view_made(m, dir, n);
}

/* An empty directory (st: its lstat): its view needs no overlay. A
 * directory of the stage with its mode and times, bound over it, shows
 * what the overlay would (nothing, and the root of a view is the upper
 * layer's own: its mode and times copied, its owner ours) and takes what
 * it would take, in the place its upper layer would have (u/N, so a
 * report lists it): at a bind's cost, where an overlay costs 0.04 ms to
 * mount and one RCU grace period to tear down (nine of the twenty views
 * of a Debian root's agent profile). Only what the host puts there during
 * the run stays unseen, as nothing of the host's reaches the view (a file
 * the host makes in an empty /srv meanwhile; said in the plan). st_nlink
 * above 2 means subdirectories, so most directories are told without
 * reading them. */
static bool empty_dir(const char *dir, const struct stat *st)
{
	if (!S_ISDIR(st->st_mode) || st->st_nlink > 2)
		return false;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	union {
		struct dirent64 e;
		char b[1024];
	} u;
	long n = fd < 0 ? -1 : syscall(SYS_getdents64, fd, u.b, sizeof(u.b));
	if (n <= 0)
		return false;
	for (long at = 0; at < n;) {
		const struct dirent64 *e = (const struct dirent64 *)(u.b + at);
		if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
			return false;
		at += e->d_reclen;
	}
	/* (only "." and ".." so far: the next call says whether that is all) */
	return syscall(SYS_getdents64, fd, u.b, sizeof(u.b)) == 0;
}

static int empty_view(struct mctx *m, const char *dir, const struct stat *st)
{
	unsigned n = m->overlays++;
	char upper[64];
	snprintf(upper, sizeof(upper), STAGE "/u/%u", n);
	struct timespec t[2] = {st->st_atim, st->st_mtim};
	mode_t mode = st->st_mode & 07777;
	if (mkdir(upper, mode) < 0 || chmod(upper, mode) < 0 ||
	    utimensat(AT_FDCWD, upper, t, 0) < 0)
		return -errno;
	/* A denied path beneath it is not there, and nothing the host makes
	 * will be: hidden as a whiteout would hide it (no placeholder, which
	 * would show an empty directory by that name). */
	const struct shim_config *c = m->c;
	for (size_t i = 0; i < c->nmounts; i++)
		if ((c->mounts[i].kind == MNT_MASK || c->mounts[i].kind == MNT_HIDE) &&
		    !streq(c->mounts[i].path, dir) && path_is_beneath(c->mounts[i].path, dir))
			m->hidden[i] = true;
	_cleanup_close_ int target = shim_open_nolinks(dir);
	if (target < 0)
		return -errno;
	char at[64];
	snprintf(at, sizeof(at), "/proc/self/fd/%d", target);
	if (mount(upper, at, NULL, MS_BIND, NULL) < 0)
		return -errno;
	return view_made(m, dir, n);
}

static bool skip_top(const struct mctx *m, const char *name)
{
	const char *keep = m->c->cow_keep;
	return streq(name, "proc") || streq(name, "sys") || streq(name, "dev") ||
	       streq(name, "run") || (keep && streq(name, keep + (keep[0] == '/')));
}

/* Does dir hold the working directory or a path the plan binds, masks or
 * hides? Those get views however deep the mounts above them lie; other
 * directories only MAX_DEPTH levels down (a docker host's image layers
 * would otherwise cost an overlay each). */
static bool leads_somewhere(const struct mctx *m, const char *dir)
{
	const struct shim_config *c = m->c;
	if (c->chdir && path_is_beneath(c->chdir, dir))
		return true;
	for (size_t i = 0; i < c->nmounts; i++)
		if (c->mounts[i].kind != MNT_COW_ROOT && path_is_beneath(c->mounts[i].path, dir))
			return true;
	return false;
}

/* Makes dir copy-on-write: one overlay when no mount lies beneath it, else
 * its subdirectories one level down. A mount point that overlayfs cannot
 * stack on (a pseudo filesystem) stays as it is: read-only under Landlock. */
static int cow_dir(struct mctx *m, const char *dir, int depth, const struct stat *st)
{
	if (!streq(dir, "/") && !has_mounts_beneath(m, dir)) {
		int r = st && !is_mountpoint(m, dir) && empty_dir(dir, st) ? empty_view(m, dir, st)
		                                                           : overlay(m, dir);
		if (r < 0 && !is_mountpoint(m, dir))
			return shim_fail(m->c, "copy-on-write %s: %s", dir, strerror(-r));
		return 0;
	}
	if (depth >= DEEP_DEPTH || (depth >= MAX_DEPTH && !leads_somewhere(m, dir)))
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == EACCES
		           ? 0
		           : shim_fail(m->c, "copy-on-write %s: %s", dir, strerror(errno));
	int r = 0;
	struct dirent *e;
	while (r == 0 && (e = readdir(d))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		if (depth == 0 && skip_top(m, e->d_name))
			continue;
		char *child = path_join_normalize(dir, e->d_name);
		if (!child) {
			r = -1;
			break;
		}
		struct stat cst;
		if (lstat(child, &cst) == 0 && S_ISDIR(cst.st_mode))
			r = cow_dir(m, child, depth + 1, &cst);
		free(child);
	}
	closedir(d);
	return r;
}

int shim_cow_dir(struct mctx *m, const char *dir, int depth)
{
	return cow_dir(m, dir, depth, NULL);
}
