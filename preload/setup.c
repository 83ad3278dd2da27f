/* setup.c: the library's one-time setup (real symbols, own path, policy
 * from the sealed memfd named by SBX_PRELOAD_FD), the allow/deny decision,
 * and the environment every exec'd child gets so the library stays loaded.
 * A missing, unsealed or malformed policy leaves pr_cfg invalid: every
 * guarded call then fails. */
#include "preload.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#define PR_SEALS (F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK)

struct pr_config pr_cfg;
void *pr_fn[PR_SYM__COUNT];

static const char *const sym_names[PR_SYM__COUNT] = {
#define PR_SYM_NAME(n) [PR_SYM_##n] = #n,
    PR_SYMS(PR_SYM_NAME)
#undef PR_SYM_NAME
};

/* Set once by init and read-only afterwards. */
static int init_state; /* 0 not started, 1 running, 2 done */
static char *cfg_text; /* the policy text as received (mmap'd) */
static size_t cfg_len;
static int cfg_fd = -1; /* the inherited memfd, kept for children */
static dev_t cfg_dev;
static ino_t cfg_ino;
static char lib_path[PATH_MAX];  /* absolute path of this library */
static char lib_given[PATH_MAX]; /* the name ld.so was given */

static __thread int busy __attribute__((tls_model("initial-exec")));

bool pr_busy(void)
{
	return busy != 0;
}
void pr_enter(void)
{
	busy++;
}
void pr_leave(void)
{
	busy--;
}

static void say(const char *a, const char *b)
{
	/* One line on stderr; raw writes, no stdio. */
	static const char pfx[] = "sbx-preload: ";
	if (syscall(SYS_write, 2, pfx, sizeof(pfx) - 1) < 0 ||
	    syscall(SYS_write, 2, a, strlen(a)) < 0 || syscall(SYS_write, 2, b, strlen(b)) < 0)
		return;
	syscall(SYS_write, 2, "\n", 1);
}

static void *map_anon(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Parses a decimal descriptor number; -1 when malformed. */
static int parse_fd(const char *s)
{
	long v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (int)v;
}

static const char *load_config(void)
{
	int fd = parse_fd(getenv(PR_ENV_FD));
	if (fd < 0)
		return "no policy descriptor (" PR_ENV_FD " unset or malformed)";
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return "the policy descriptor is not open or not a memfd";
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & PR_SEALS) != PR_SEALS)
		return "the policy memfd is not sealed";
	if (st.st_size <= 0 || st.st_size > PR_MAX_CONFIG)
		return "the policy has a bad size";
	size_t len = (size_t)st.st_size;
	char *text = map_anon(len * 2 + 1);
	if (!text)
		return "cannot map the policy";
	for (size_t off = 0; off < len;) {
		ssize_t n = pread(fd, text + off, len - off, (off_t)off);
		if (n <= 0)
			return "cannot read the policy";
		off += (size_t)n;
	}
	/* Parse a copy: the original text is what children receive. */
	char *work = text + len;
	memcpy(work, text, len);
	size_t nslots = len / 2 + 1;
	const char **slots = map_anon(nslots * sizeof(*slots));
	if (!slots)
		return "cannot map the policy";
	struct pr_config c;
	if (pr_config_parse(&c, work, len, slots, nslots) < 0)
		return "the policy is malformed";
	int fl = fcntl(fd, F_GETFD);
	if (fl >= 0 && (fl & FD_CLOEXEC))
		fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	cfg_text = text;
	cfg_len = len;
	cfg_fd = fd;
	cfg_dev = st.st_dev;
	cfg_ino = st.st_ino;
	pr_cfg = c;
	return NULL;
}

static void find_self(void)
{
	Dl_info info;
	bool exists;
	if (!dladdr((void *)find_self, &info) || !info.dli_fname ||
	    strlen(info.dli_fname) >= sizeof(lib_given))
		return;
	strcpy(lib_given, info.dli_fname);
	if (pr_resolve(AT_FDCWD, lib_given, PR_FOLLOW, lib_path, &exists) < 0 || !exists ||
	    strpbrk(lib_path, " :"))
		lib_path[0] = '\0';
}

static void do_init(void)
{
	for (int i = 0; i < PR_SYM__COUNT; i++)
		pr_fn[i] = dlsym(RTLD_NEXT, sym_names[i]);
	/* Without the core entry points nothing can be forwarded safely. */
	const char *why = NULL;
	if (!pr_fn[PR_SYM_execve] || !pr_fn[PR_SYM_open] || !pr_fn[PR_SYM_openat])
		why = "cannot find libc's execve/open/openat with RTLD_NEXT";
	if (!why)
		why = load_config();
	find_self();
	if (why) {
		pr_cfg = (struct pr_config){0};
		say(why, "; every guarded call will fail");
	}
}

void pr_init(void)
{
	if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == 2)
		return;
	int expect = 0;
	if (__atomic_compare_exchange_n(&init_state, &expect, 1, false, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE)) {
		pr_enter();
		do_init();
		pr_leave();
		__atomic_store_n(&init_state, 2, __ATOMIC_RELEASE);
		return;
	}
	if (busy)
		return; /* our own init re-entered a wrapper */
	while (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) != 2)
		sched_yield();
}

__attribute__((constructor)) static void pr_constructor(void)
{
	pr_init();
}

/* Whether any rule can concern ops: skip resolving when none does. */
static bool concerns(unsigned ops)
{
	const struct pr_config *c = &pr_cfg;
	return c->read_deny.n || ((ops & PR_READ) && c->read_scope) ||
	       ((ops & (PR_WRITE | PR_CONNECT)) && c->write_scope);
}

int pr_check(unsigned ops, unsigned ops_if_missing, int dirfd, const char *path, int flags)
{
	pr_init();
	if (!pr_cfg.valid)
		return EACCES;
	if (!path || !concerns(ops | ops_if_missing))
		return 0; /* a NULL path fails in libc with EFAULT */
	int saved = errno, r;
	char out[PATH_MAX];
	bool exists;
	pr_enter();
	r = pr_resolve(dirfd, path, flags | (ops_if_missing ? 0 : PR_NO_EXISTS), out, &exists);
	if (r == 1)
		r = 0; /* not a filesystem object: no path rule applies */
	else if (r < 0)
		r = -r;
	else
		r = pr_decide(&pr_cfg, ops | (exists ? 0 : ops_if_missing), out);
	pr_leave();
	errno = saved;
	return r;
}

int pr_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
#ifdef SYS_newfstatat
	return syscall(SYS_newfstatat, dirfd, path, st, flags) < 0 ? -errno : 0;
#else
	return syscall(SYS_fstatat64, dirfd, path, st, flags) < 0 ? -errno : 0;
#endif
}

int pr_exec_denied_errno(int dirfd, const char *path, int at_flags)
{
	struct stat st;
	int saved = errno;
	int r = pr_sys_fstatat(dirfd, path ? path : "", &st, at_flags);
	errno = saved;
	return r == -ENOENT || r == -ENOTDIR ? -r : EACCES;
}

int pr_exec_keeps_library(int dirfd, const char *path, int at_flags)
{
	struct stat st;
	int saved = errno, r = 0;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		goto out;
	if (pr_sys_fstatat(dirfd, path, &st, at_flags) < 0)
		goto out; /* the exec fails by itself */
	if (st.st_mode & (S_ISUID | S_ISGID)) {
		r = EACCES;
		goto out;
	}
	/* File capabilities also set AT_SECURE. Only checkable by name. */
	if (dirfd == AT_FDCWD || (path && path[0] == '/')) {
		long x = syscall(SYS_getxattr, path, "security.capability", NULL, 0);
		if (x >= 0)
			r = EACCES;
	}
out:
	errno = saved;
	return r;
}

/* A descriptor with the policy for a child: ours while it is still the
 * memfd we were given, else a fresh sealed copy (*fresh = true). */
static int child_config_fd(bool *fresh)
{
	struct stat st;
	*fresh = false;
	if (cfg_fd >= 0 && fstat(cfg_fd, &st) == 0 && st.st_dev == cfg_dev &&
	    st.st_ino == cfg_ino) {
		int fl = fcntl(cfg_fd, F_GETFD);
		if (fl >= 0 && (fl & FD_CLOEXEC))
			fcntl(cfg_fd, F_SETFD, fl & ~FD_CLOEXEC);
		return cfg_fd;
	}
	int fd = (int)syscall(SYS_memfd_create, "sbx-preload", MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < cfg_len;) {
		ssize_t n = write(fd, cfg_text + off, cfg_len - off);
		if (n <= 0) {
			pr_sys_close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, PR_SEALS) < 0) {
		pr_sys_close(fd);
		return -1;
	}
	*fresh = true;
	return fd;
}

void pr_adopt_config_fd(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return;
	cfg_dev = st.st_dev;
	cfg_ino = st.st_ino;
	cfg_fd = fd;
}

static bool is_our_token(const char *t, size_t n)
{
	return (n == strlen(lib_path) && memcmp(t, lib_path, n) == 0) ||
	       (n == strlen(lib_given) && memcmp(t, lib_given, n) == 0);
}

/* Block layout: [header: size][vector][strings]. */
char **pr_env_for_child(char *const envp[], int *fresh_fd)
{
	static const char ldp[] = "LD_PRELOAD=", fdv[] = PR_ENV_FD "=";
	*fresh_fd = -1;
	if (!lib_path[0] || !cfg_text) {
		errno = EACCES; /* cannot keep ourselves in the child: refuse */
		return NULL;
	}
	size_t n = 0, theirs = 0;
	const char *old = NULL;
	for (; envp && envp[n]; n++)
		if (strncmp(envp[n], ldp, sizeof(ldp) - 1) == 0)
			old = envp[n] + sizeof(ldp) - 1;
	if (old)
		theirs = strlen(old);
	size_t strings = sizeof(ldp) + strlen(lib_path) + 1 + theirs + sizeof(fdv) + 16;
	size_t size = sizeof(size_t) + (n + 3) * sizeof(char *) + strings;
	char *blk = map_anon(size);
	if (!blk)
		return NULL;
	memcpy(blk, &size, sizeof(size));
	char **v = (char **)(blk + sizeof(size_t));
	char *s = (char *)(v + n + 3);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], ldp, sizeof(ldp) - 1) != 0 &&
		    strncmp(envp[i], fdv, sizeof(fdv) - 1) != 0)
			v[k++] = envp[i];
	/* LD_PRELOAD: this library first, then whatever else they preload. */
	v[k++] = s;
	s = stpcpy(stpcpy(s, ldp), lib_path);
	for (const char *t = old; t && *t;) {
		size_t tl = strcspn(t, " :");
		if (tl && !is_our_token(t, tl)) {
			*s++ = ':';
			memcpy(s, t, tl);
			s += tl;
		}
		t += tl;
		t += strspn(t, " :");
	}
	*s++ = '\0';
	bool fresh;
	int fd = child_config_fd(&fresh);
	if (fd < 0) {
		int e = errno;
		pr_env_free(v);
		errno = e;
		return NULL;
	}
	if (fresh)
		*fresh_fd = fd;
	v[k++] = s;
	s = stpcpy(s, fdv);
	char num[16], *q = num + sizeof(num);
	*--q = '\0';
	unsigned u = (unsigned)fd;
	do
		*--q = (char)('0' + u % 10);
	while (u /= 10);
	strcpy(s, q);
	v[k] = NULL;
	return v;
}

void pr_env_free(char **env)
{
	if (!env)
		return;
	int e = errno;
	char *blk = (char *)env - sizeof(size_t);
	size_t size;
	memcpy(&size, blk, sizeof(size));
	munmap(blk, size);
	errno = e;
}
