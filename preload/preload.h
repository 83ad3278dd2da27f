/* preload.h: internals of libsbx-preload.so shared by its files (config
 * parsing, path resolution, the policy decision, the wrappers). Nothing here
 * is exported: the version script exports only the interposed libc names.
 *
 * Rules every file here follows, because wrappers can run in the child of
 * a fork in a multithreaded program and inside other libraries' constructors:
 * no malloc (buffers are on the stack or mmap'd), no locks on the paths of
 * async-signal-safe calls, and internal file operations use raw syscalls so
 * they never re-enter our own wrappers. */
#ifndef SBX_PRELOAD_H
#define SBX_PRELOAD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PR_EXPORT __attribute__((visibility("default")))

/* The config format's first line; see preload/README.md. */
#define PR_MAGIC        "sbx-preload 1"
#define PR_ENV_FD       "SBX_PRELOAD_FD"
#define PR_MAX_CONFIG   (1 << 20)
#define PR_MAX_SYMLINKS 40

struct pr_list {
	const char **v;
	size_t n;
};

/* The parsed policy. valid == false means fail closed: every guarded call
 * fails with EACCES. The strings point into the buffer given to
 * pr_config_parse, which must outlive the config. */
struct pr_config {
	bool valid;
	bool no_exec;
	bool read_scope;  /* reads only beneath read/write entries */
	bool write_scope; /* writes only beneath write entries */
	struct pr_list read_deny, readable, writable, sockets;
};

/* Parses text (len bytes, modified in place: newlines become NULs) into c,
 * using slots (nslots pointers) for the lists. Returns 0, or -EINVAL for a
 * malformed config (c->valid is then false), -E2BIG when slots run out. */
int pr_config_parse(struct pr_config *c, char *text, size_t len, const char **slots, size_t nslots);
/* True when path is absolute and normalised: no "//", "/./", "/../",
 * trailing '/' (except "/" itself), and shorter than PATH_MAX. */
bool pr_path_is_normal(const char *path);

/* What an operation needs. */
enum pr_op {
	PR_META = 1,    /* stat, access F_OK, readlink, O_PATH: only read-deny */
	PR_READ = 2,    /* read content or list a directory */
	PR_WRITE = 4,   /* create, modify, remove, change metadata */
	PR_CONNECT = 8, /* connect to a unix socket */
};

/* Resolution flags. */
enum {
	PR_FOLLOW = 1,     /* follow a final symlink */
	PR_EMPTY_PATH = 2, /* "" names dirfd itself (AT_EMPTY_PATH) */
	PR_NO_EXISTS = 4   /* the caller ignores *exists: skip lookups made only for it */
};

/* Lexically joins base (absolute) and path, normalising ".", ".." and "//",
 * into out (PATH_MAX). Returns 0 or -ENAMETOOLONG. */
int pr_normalize(const char *base, const char *path, char *out);
/* True when path equals root or lies beneath it (both normalised). */
bool pr_beneath(const char *path, const char *root);

/* Resolves path against dirfd (AT_FDCWD or a directory descriptor) to an
 * absolute canonical path in out (PATH_MAX), symlinks resolved the way the
 * kernel would for the given flags. A missing final component is kept
 * lexically (its parent resolved), a dangling final symlink is followed to
 * its target's location when PR_FOLLOW. *exists says whether the final
 * object exists. Returns 0 or the negative errno the kernel's own lookup
 * would fail with (-ENOENT for a missing parent, -ELOOP, -ENOTDIR...). */
int pr_resolve(int dirfd, const char *path, int flags, char *out, bool *exists);
/* The same without /proc: a component-by-component walk with readlinkat.
 * dirfd-relative paths need /proc and fail with -EACCES here. */
int pr_resolve_walk(int dirfd, const char *path, int flags, char *out, bool *exists);

/* Decides an operation on an already resolved path under c: 0 to allow,
 * else the errno to fail with. */
int pr_decide(const struct pr_config *c, unsigned ops, const char *resolved);

/* The process-wide state, set once by pr_init. */
extern struct pr_config pr_cfg;

/* Runs the one-time initialisation (real symbols, own path, config) if it
 * has not run yet; safe to call from any wrapper and from constructors. */
void pr_init(void);

/* Checks ops on path (relative to dirfd, resolved with flags), adding
 * ops_if_missing when the final object does not exist (O_CREAT). Returns 0
 * to allow, else the errno to fail with; errno itself is left unchanged. */
int pr_check(unsigned ops, unsigned ops_if_missing, int dirfd, const char *path, int flags);

/* The errno an exec of path must fail with under no-exec or a failed
 * config: ENOENT when nothing is there, else EACCES (as Landlock does). */
int pr_exec_denied_errno(int dirfd, const char *path, int at_flags);
/* 0 when exec'ing path keeps this library in the new image, else EACCES:
 * a set-id or file-capability program would drop LD_PRELOAD (AT_SECURE)
 * unless no_new_privs is set. */
int pr_exec_keeps_library(int dirfd, const char *path, int at_flags);

/* Recursion guard: true while this thread runs our own code; wrappers then
 * pass straight to libc. */
bool pr_busy(void);
void pr_enter(void);
void pr_leave(void);

/* glibc's fortified open entry points (declared by its headers only under
 * _FORTIFY_SOURCE). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* Every libc symbol we forward to, resolved once with RTLD_NEXT in pr_init. */
/* clang-format off */
#define PR_SYMS(X)                                                                                 \
	X(execve) X(execveat) X(fexecve) X(posix_spawn) X(system) X(popen)                         \
	X(open) X(open64) X(openat) X(openat64)                                                    \
	X(__open_2) X(__open64_2) X(__openat_2) X(__openat64_2)                                    \
	X(creat) X(creat64) X(fopen) X(fopen64) X(freopen) X(freopen64) X(opendir)                 \
	X(stat) X(stat64) X(lstat) X(lstat64) X(fstatat) X(fstatat64) X(statx)                     \
	X(access) X(faccessat) X(euidaccess) X(eaccess) X(readlink) X(readlinkat)                  \
	X(mkdir) X(mkdirat) X(mknod) X(mknodat) X(mkfifo) X(mkfifoat)                              \
	X(unlink) X(unlinkat) X(rmdir) X(rename) X(renameat) X(renameat2)                          \
	X(link) X(linkat) X(symlink) X(symlinkat)                                                  \
	X(chmod) X(fchmodat) X(chown) X(lchown) X(fchownat) X(truncate) X(truncate64)              \
	X(utime) X(utimes) X(lutimes) X(utimensat) X(futimesat) X(bind) X(connect)
/* clang-format on */

enum {
#define PR_SYM_ENUM(n) PR_SYM_##n,
	PR_SYMS(PR_SYM_ENUM)
#undef PR_SYM_ENUM
	    PR_SYM__COUNT
};
extern void *pr_fn[PR_SYM__COUNT];

/* The real libc function, typed; NULL when libc lacks it. */
#define REAL(n) ((__typeof__(&n))pr_fn[PR_SYM_##n])

/* Calls the real n(args) or fails with ENOSYS (ret_fail) when libc lacks
 * it. Initialises first: a wrapper may forward before our constructor ran
 * (from another library's constructor) without having checked anything. */
#define CALL_REAL(n, ret_fail, ...)                                                                \
	(pr_init(), REAL(n) ? REAL(n)(__VA_ARGS__) : (errno = ENOSYS, ret_fail))

/* Child environment for an exec: envp with LD_PRELOAD keeping this library
 * and PR_ENV_FD naming a valid config descriptor. Returns a vector in an
 * mmap'd block (free with pr_env_free) or NULL with errno set. *fresh_fd is
 * a descriptor created for the child (close it if the exec fails) or -1. */
char **pr_env_for_child(char *const envp[], int *fresh_fd);
void pr_env_free(char **env);

/* Raw-syscall helpers used internally. */
int pr_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
ssize_t pr_sys_readlinkat(int dirfd, const char *path, char *buf, size_t size);
int pr_sys_close(int fd);
struct stat;
int pr_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags);
/* Makes fd (a fresh policy memfd environ now names) the one children get. */
void pr_adopt_config_fd(int fd);
/* Path of an open descriptor via /proc/self/fd into out (PATH_MAX). */
int pr_fd_path(int fd, char *out);

#endif
