/* landlock.c: builds and enforces the Landlock ruleset: filesystem rules,
 * TCP bind/connect rules and IPC scopes, negotiated against the kernel's ABI.
 *
 * The uapi is declared here rather than taken from <linux/landlock.h> so the
 * shim knows every ABI up to 7 even when built against older headers; the
 * kernel ignores nothing silently: rights it lacks are dropped here in one
 * switch, and the plan (compiled for the same host) already said so. */
#include "shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule       445
#define SYS_landlock_restrict_self  446
#endif

#define LL_EXECUTE     (1ULL << 0)
#define LL_WRITE_FILE  (1ULL << 1)
#define LL_READ_FILE   (1ULL << 2)
#define LL_READ_DIR    (1ULL << 3)
#define LL_REMOVE_DIR  (1ULL << 4)
#define LL_REMOVE_FILE (1ULL << 5)
#define LL_MAKE_CHAR   (1ULL << 6)
#define LL_MAKE_DIR    (1ULL << 7)
#define LL_MAKE_REG    (1ULL << 8)
#define LL_MAKE_SOCK   (1ULL << 9)
#define LL_MAKE_FIFO   (1ULL << 10)
#define LL_MAKE_BLOCK  (1ULL << 11)
#define LL_MAKE_SYM    (1ULL << 12)
#define LL_REFER       (1ULL << 13) /* ABI 2 */
#define LL_TRUNCATE    (1ULL << 14) /* ABI 3 */
#define LL_IOCTL_DEV   (1ULL << 15) /* ABI 5 */

#define LL_NET_BIND_TCP    (1ULL << 0) /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */

#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL        (1ULL << 1) /* ABI 6 */

#define LL_RULE_PATH_BENEATH 1
#define LL_CREATE_VERSION    (1U << 0)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* Rights that make sense on a file (not a directory). */
#define LL_FILE_RIGHTS (LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)
#define LL_READ_RIGHTS (LL_EXECUTE | LL_READ_FILE | LL_READ_DIR)
#define LL_DEV_RIGHTS  (LL_READ_FILE | LL_WRITE_FILE | LL_TRUNCATE | LL_IOCTL_DEV)

int shim_landlock_abi(void);
int shim_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_VERSION);
	return v > 0 ? (int)v : 0;
}

/* Everything the kernel's ABI can handle; rights it lacks are dropped. */
static struct ll_ruleset_attr handled_for_abi(int abi)
{
	struct ll_ruleset_attr a = {
	    .handled_access_fs = ((LL_MAKE_SYM << 1) - 1) | LL_REFER | LL_TRUNCATE | LL_IOCTL_DEV,
	    .handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP,
	    .scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL,
	};
	switch (abi) {
	case 1:
		a.handled_access_fs &= ~LL_REFER;
		/* fallthrough */
	case 2:
		a.handled_access_fs &= ~LL_TRUNCATE;
		/* fallthrough */
	case 3:
		a.handled_access_net = 0;
		/* fallthrough */
	case 4:
		a.handled_access_fs &= ~LL_IOCTL_DEV;
		/* fallthrough */
	case 5:
		a.scoped = 0;
		/* fallthrough */
	default:
		break;
	}
	return a;
}

static int add_path_rule(const struct shim_config *c, int ruleset, const char *path,
                         uint64_t rights, bool optional)
{
	/* A write grant is the resolved object itself (shim_open_nolinks);
	 * read rules name runtime paths that may be the system's links. */
	bool writes = rights & (LL_WRITE_FILE | LL_MAKE_REG);
	_cleanup_close_ int fd = writes ? shim_open_nolinks(path) : open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (optional && (errno == ENOENT || errno == ENOTDIR || errno == EACCES))
			return 0;
		return shim_fail(c, "landlock rule for %s: %s", path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return shim_fail(c, "landlock rule for %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		rights &= LL_FILE_RIGHTS;
	if (!rights)
		return 0;
	struct ll_path_beneath pb = {.allowed_access = rights, .parent_fd = fd};
	if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0) < 0)
		return shim_fail(c, "landlock rule for %s: %s", path, strerror(errno));
	return 0;
}

/* The paths a rule must not cover: the read-deny paths for every rule,
 * and for write rules also the --ll-write-around ones. */
struct avoid {
	const char *const *a, *const *b;
	size_t na, nb;
};

static bool is_denied(const struct avoid *v, const char *path)
{
	for (size_t i = 0; i < v->na; i++)
		if (path_is_beneath(path, v->a[i]))
			return true;
	for (size_t i = 0; i < v->nb; i++)
		if (path_is_beneath(path, v->b[i]))
			return true;
	return false;
}

static bool deny_beneath(const struct avoid *v, const char *dir)
{
	for (size_t i = 0; i < v->na; i++)
		if (path_is_beneath(v->a[i], dir))
			return true;
	for (size_t i = 0; i < v->nb; i++)
		if (path_is_beneath(v->b[i], dir))
			return true;
	return false;
}

/* Is the read-deny path p already out of reach, so that a rule covering
 * it grants nothing? Landlock layers intersect: what an outer layer (an
 * outer sandbox's, which lists no directory holding a denied path) refuses
 * stays refused whatever this layer allows. p is out of reach when it
 * cannot be opened for reading, or when it does not exist and its nearest
 * existing ancestor cannot be listed (no outer rule covers that ancestor,
 * so nothing made beneath it later has one either). */
static bool out_of_reach(const char *p)
{
	struct stat st;
	if (lstat(p, &st) < 0) {
		if (errno == EACCES)
			return true;
		if (errno != ENOENT)
			return false;
		char up[4096];
		if (snprintf(up, sizeof(up), "%s", p) >= (int)sizeof(up))
			return false;
		for (;;) {
			char *slash = strrchr(up, '/');
			if (!slash || slash == up)
				return false;
			*slash = '\0';
			if (lstat(up, &st) == 0) {
				DIR *d = opendir(up);
				if (d) {
					closedir(d);
					return false;
				}
				return errno == EACCES;
			}
			if (errno == EACCES)
				return true;
		}
	}
	int fd = open(p, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EACCES;
}

/* dir holds avoided paths and cannot be listed, so its entries cannot get
 * rules of their own: a nested run whose outer sandbox denies the same
 * paths (the outer lists no ancestor of a denied path), or a directory the
 * user may not read. A rule on dir itself is right only when every
 * read-deny path beneath it is already out of reach; anything else is
 * refused rather than granted or silently left without any rule (which
 * would refuse all of dir, / included). */
static int add_rule_unlistable(const struct shim_config *c, const struct avoid *v, int ruleset,
                               const char *dir, uint64_t rights)
{
	for (size_t i = 0; i < v->nb; i++)
		if (path_is_beneath(v->b[i], dir))
			return shim_fail(
			    c,
			    "landlock: %s cannot be listed, so writes cannot be granted "
			    "around %s",
			    dir, v->b[i]);
	for (size_t i = 0; i < v->na; i++)
		if (path_is_beneath(v->a[i], dir) && !out_of_reach(v->a[i]))
			return shim_fail(
			    c,
			    "landlock: %s cannot be listed (an outer sandbox's layer?) "
			    "and the read-deny path %s beneath it is reachable: it "
			    "cannot be held",
			    dir, v->a[i]);
	return add_path_rule(c, ruleset, dir, rights, true);
}

/* Grants rights beneath dir except beneath the avoided paths. Landlock only
 * allows, and a rule covers everything below it, so a rule on any ancestor
 * of an avoided path would grant it: instead each sibling on the way down
 * gets its own rule, and the ancestors themselves get none (they cannot be
 * listed, and nothing can be created directly in them). An avoided path
 * that does not exist has no rule either, so it stays out of reach if it
 * appears. Symlinks are granted as their targets unless the target is
 * avoided. */
static int add_rule_except(const struct shim_config *c, const struct avoid *v, int ruleset,
                           const char *dir, uint64_t rights, int depth)
{
	if (is_denied(v, dir))
		return 0;
	if (!deny_beneath(v, dir))
		return add_path_rule(c, ruleset, dir, rights, true);
	if (depth > 64)
		return shim_fail(c, "landlock: %s is too deep", dir);
	DIR *d = opendir(dir);
	if (!d && errno == EACCES)
		return add_rule_unlistable(c, v, ruleset, dir, rights);
	if (!d)
		return errno == ENOENT ? 0 : shim_fail(c, "landlock: %s: %s", dir, strerror(errno));
	int r = 0;
	struct dirent *e;
	while (r == 0 && (e = readdir(d))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		char *child = path_join_normalize(dir, e->d_name);
		if (!child) {
			r = -1;
			break;
		}
		char real[4096];
		struct stat st;
		if (lstat(child, &st) == 0 && S_ISLNK(st.st_mode)) {
			if (realpath(child, real) && !is_denied(v, real) && !deny_beneath(v, real))
				r = add_path_rule(c, ruleset, real, rights, true);
		} else {
			r = add_rule_except(c, v, ruleset, child, rights, depth + 1);
		}
		free(child);
	}
	closedir(d);
	return r;
}

/* /dev/tty, and the terminals on fds 0-2 by the descriptor itself, not by
 * name: the sandbox's own devpts (mounts.c) hides the host's names, and a
 * reopen through /proc/self/fd (`echo >/dev/stderr`) reaches that very
 * inode; no name lookup either (ttyname scans /dev when a name is gone). */
static int add_tty_rules(const struct shim_config *c, int ruleset, uint64_t rights)
{
	if (add_path_rule(c, ruleset, "/dev/tty", rights, true) < 0)
		return -1;
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		if (!isatty(fd) || fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
			continue;
		struct ll_path_beneath pb = {.allowed_access = rights & LL_FILE_RIGHTS,
		                             .parent_fd = fd};
		if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0) < 0)
			return shim_fail(c, "landlock rule for the terminal on fd %d: %s", fd,
			                 strerror(errno));
	}
	return 0;
}

int shim_landlock_apply(const struct shim_config *c)
{
	if (c->ll_abi <= 0)
		return 0;
	int abi = shim_landlock_abi();
	if (abi <= 0)
		return shim_fail(c,
		                 "Landlock is not available (the plan needs ABI %d); check that "
		                 "the kernel has CONFIG_SECURITY_LANDLOCK and 'landlock' in lsm=",
		                 c->ll_abi);
	if (abi < c->ll_abi)
		return shim_fail(c, "the kernel's Landlock ABI is %d, the plan needs %d", abi,
		                 c->ll_abi);
	/* Handle only what the plan was compiled for, so a newer kernel does
	 * not deny rights the plan meant to leave alone. */
	struct ll_ruleset_attr attr = handled_for_abi(c->ll_abi);
	uint64_t all = attr.handled_access_fs;
	if (c->net == SHIM_NET_ENABLE || (c->net == SHIM_NET_DISABLE && c->netns))
		attr.handled_access_net = 0;
	else if (c->net == SHIM_NET_OUTBOUND)
		attr.handled_access_net &= LL_NET_BIND_TCP;
	size_t size = c->ll_abi >= 6 ? sizeof(attr) : offsetof(struct ll_ruleset_attr, scoped);
	if (c->ll_abi < 4)
		size = sizeof(uint64_t);
	_cleanup_close_ int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0)
		return shim_fail(c, "landlock_create_ruleset: %s", strerror(errno));
	for (size_t i = 0; i < c->nrules; i++) {
		const struct shim_rule *r = &c->rules[i];
		uint64_t rights = r->kind == RULE_READ  ? LL_READ_RIGHTS
		                  : r->kind == RULE_DEV ? LL_DEV_RIGHTS
		                                        : all;
		/* a write rule inside an avoided path is an explicit grant */
		bool around = r->kind == RULE_WRITE;
		for (size_t k = 0; around && k < c->nwrite_around; k++)
			around = !path_is_beneath(r->path, c->write_around[k]);
		struct avoid v = {c->ll_deny, c->write_around, c->nll_deny,
		                  around ? c->nwrite_around : 0};
		int rc = (v.na || v.nb) && r->kind != RULE_DEV
		             ? add_rule_except(c, &v, rs, r->path, rights & all, 0)
		             : add_path_rule(c, rs, r->path, rights & all, r->optional);
		if (rc < 0)
			return -1;
	}
	/* The copy-on-write views made by the mount step take every write;
	 * under a read scope they are not readable (what is written there
	 * cannot be read back: it lies outside the scope). */
	uint64_t view_rights = c->views_write_only ? all & ~LL_READ_RIGHTS : all;
	for (size_t i = 0; i < c->cow_dirs.n; i++)
		if (add_path_rule(c, rs, c->cow_dirs.v[i], view_rights, false) < 0)
			return -1;
	if (c->ll_tty && add_tty_rules(c, rs, LL_DEV_RIGHTS & all) < 0)
		return -1;
	/* the sandbox's own devpts (mounts.c): its ptmx and its terminals */
	if (c->devpts && (add_path_rule(c, rs, "/dev/ptmx", LL_DEV_RIGHTS & all, true) < 0 ||
	                  add_path_rule(c, rs, "/dev/pts", LL_DEV_RIGHTS & all, true) < 0))
		return -1;
	if (c->ll_proc_self && add_path_rule(c, rs, "/proc/self", LL_READ_RIGHTS, false) < 0)
		return -1;
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		return shim_fail(c, "landlock_restrict_self: %s", strerror(errno));
	return 0;
}

int shim_landlock_scope_abstract(const struct shim_config *c)
{
	if (c->ll_abi < 6)
		return 0; /* the command has no such scope either */
	struct ll_ruleset_attr attr = {.scoped = LL_SCOPE_ABSTRACT_UNIX};
	_cleanup_close_ int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0)
		return shim_fail(c, "landlock_create_ruleset (abstract-socket scope): %s",
		                 strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		return shim_fail(c, "landlock_restrict_self (abstract-socket scope): %s",
		                 strerror(errno));
	return 0;
}
