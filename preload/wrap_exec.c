/* wrap_exec.c: the exec family, posix_spawn, system and popen. Under
 * no-exec (or a missing policy) every new image is refused with the errno
 * Landlock gives (EACCES, ENOENT when nothing is there). Otherwise each exec
 * gets an environment that keeps this library and its policy descriptor,
 * whatever the caller put in envp, and set-id programs (which would drop
 * LD_PRELOAD) are refused. No malloc here: exec runs after fork. */
#include "preload.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

enum exec_kind { K_EXECVE, K_EXECVEAT, K_FEXECVE };

static int do_exec(enum exec_kind kind, int dirfd, const char *path, char *const argv[],
                   char *const envp[], int at_flags)
{
	pr_init();
	if (!pr_cfg.valid || pr_cfg.no_exec) {
		errno = pr_exec_denied_errno(dirfd, path, at_flags);
		return -1;
	}
	int e = pr_exec_keeps_library(dirfd, path, at_flags);
	if (e) {
		errno = e;
		return -1;
	}
	int fresh;
	char **env = pr_env_for_child(envp, &fresh);
	if (!env)
		return -1;
	int r;
	switch (kind) {
	case K_EXECVEAT:
		r = CALL_REAL(execveat, -1, dirfd, path, argv, env, at_flags);
		break;
	case K_FEXECVE:
		r = CALL_REAL(fexecve, -1, dirfd, argv, env);
		break;
	default:
		r = CALL_REAL(execve, -1, path, argv, env);
		break;
	}
	e = errno;
	if (fresh >= 0)
		pr_sys_close(fresh);
	pr_env_free(env);
	errno = e;
	return r;
}

PR_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	if (pr_busy())
		return CALL_REAL(execve, -1, path, argv, envp);
	return do_exec(K_EXECVE, AT_FDCWD, path, argv, envp, 0);
}

PR_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
                       int flags)
{
	if (pr_busy())
		return CALL_REAL(execveat, -1, dirfd, path, argv, envp, flags);
	return do_exec(K_EXECVEAT, dirfd, path, argv, envp, flags);
}

PR_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	if (pr_busy())
		return CALL_REAL(fexecve, -1, fd, argv, envp);
	return do_exec(K_FEXECVE, fd, "", argv, envp, AT_EMPTY_PATH);
}

PR_EXPORT int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* Like glibc: a file the kernel cannot exec (ENOEXEC) is run by /bin/sh. */
static int exec_or_script(const char *path, char *const argv[], char *const envp[])
{
	do_exec(K_EXECVE, AT_FDCWD, path, argv, envp, 0);
	if (errno != ENOEXEC)
		return -1;
	size_t argc = 0;
	while (argv[argc])
		argc++;
	const char *sh[argc + 3];
	sh[0] = "/bin/sh";
	sh[1] = path;
	sh[2] = NULL;
	for (size_t i = 1; i <= argc; i++)
		sh[i + 1] = argv[i];
	return do_exec(K_EXECVE, AT_FDCWD, "/bin/sh", (char *const *)sh, envp, 0);
}

/* Calls try(candidate) for each PATH entry until one returns 0 (stop) or
 * fails with an errno that ends the search. Returns 0, or -1 with errno as
 * execvp sets it. */
static int path_search(const char *file, int (*try)(const char *full, void *ctx), void *ctx)
{
	if (!*file) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/'))
		return try(file, ctx);
	size_t fl = strlen(file);
	if (fl > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	bool eacces = false;
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		char full[PATH_MAX];
		if (n + 1 + fl < sizeof(full)) {
			memcpy(full, n ? p : ".", n ? n : 1);
			size_t o = n ? n : 1;
			full[o] = '/';
			memcpy(full + o + 1, file, fl + 1);
			if (try(full, ctx) == 0)
				return 0;
			switch (errno) {
			case EACCES:
				eacces = true;
				break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
				break;
			default:
				return -1;
			}
		}
		p += n;
		if (!*p)
			break;
	}
	errno = eacces ? EACCES : ENOENT;
	return -1;
}

struct exec_ctx {
	char *const *argv, *const *envp;
};

static int try_exec(const char *full, void *ctx)
{
	struct exec_ctx *c = ctx;
	exec_or_script(full, c->argv, c->envp);
	return -1;
}

PR_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct exec_ctx c = {argv, envp};
	if (pr_busy())
		return CALL_REAL(execve, -1, file, argv, envp);
	return path_search(file, try_exec, &c);
}

PR_EXPORT int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* The execl* argument lists, collected on the stack. */
#define COLLECT_ARGS(argv, arg0, ap_last)                                                          \
	size_t argc_ = 1;                                                                          \
	va_list ap_;                                                                               \
	va_start(ap_, ap_last);                                                                    \
	while (va_arg(ap_, const char *))                                                          \
		argc_++;                                                                           \
	va_end(ap_);                                                                               \
	const char *argv[argc_ + 1];                                                               \
	argv[0] = arg0;                                                                            \
	va_start(ap_, ap_last);                                                                    \
	for (size_t i_ = 1; i_ <= argc_; i_++)                                                     \
		argv[i_] = va_arg(ap_, const char *);

PR_EXPORT int execl(const char *path, const char *arg, ...)
{
	COLLECT_ARGS(argv, arg, arg);
	va_end(ap_);
	return execve(path, (char *const *)argv, environ);
}

PR_EXPORT int execlp(const char *file, const char *arg, ...)
{
	COLLECT_ARGS(argv, arg, arg);
	va_end(ap_);
	return execvpe(file, (char *const *)argv, environ);
}

PR_EXPORT int execle(const char *path, const char *arg, ...)
{
	COLLECT_ARGS(argv, arg, arg);
	char *const *envp = va_arg(ap_, char *const *);
	va_end(ap_);
	return execve(path, (char *const *)argv, envp);
}

/* posix_spawn returns an error number instead of setting errno. */
static int spawn_path(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                      const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	pr_init();
	if (!pr_cfg.valid || pr_cfg.no_exec)
		return pr_exec_denied_errno(AT_FDCWD, path, 0);
	int e = pr_exec_keeps_library(AT_FDCWD, path, 0);
	if (e)
		return e;
	int fresh;
	char **env = pr_env_for_child(envp, &fresh);
	if (!env)
		return errno;
	int r = REAL(posix_spawn) ? REAL(posix_spawn)(pid, path, fa, attr, argv, env) : ENOSYS;
	if (fresh >= 0)
		pr_sys_close(fresh);
	pr_env_free(env);
	return r;
}

PR_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	if (pr_busy())
		return REAL(posix_spawn) ? REAL(posix_spawn)(pid, path, fa, attr, argv, envp)
		                         : ENOSYS;
	return spawn_path(pid, path, fa, attr, argv, envp);
}

static int try_spawnable(const char *full, void *ctx)
{
	/* An executable regular file is where posix_spawnp would exec. */
	struct stat st;
	char *out = ctx;
	if (syscall(SYS_faccessat, AT_FDCWD, full, X_OK) < 0)
		return -1;
	if (pr_sys_fstatat(AT_FDCWD, full, &st, 0) < 0 || !S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	strcpy(out, full);
	return 0;
}

PR_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	char full[PATH_MAX];
	int saved = errno;
	pr_init();
	if (strlen(file) >= sizeof(full))
		return ENAMETOOLONG;
	int r = path_search(file, try_spawnable, full);
	int e = errno;
	errno = saved;
	if (r < 0) {
		/* Under no-exec, a name that exists but cannot run still says
		 * EACCES like the kernel; anything else keeps the search's errno. */
		return e;
	}
	return spawn_path(pid, full, fa, attr, argv, envp);
}

/* system and popen run /bin/sh with environ: make environ carry the
 * library and a valid policy descriptor first. */
static pthread_mutex_t environ_lock = PTHREAD_MUTEX_INITIALIZER;

static int fix_environ(void)
{
	int fresh, r = 0;
	pthread_mutex_lock(&environ_lock);
	char **env = pr_env_for_child(environ, &fresh);
	if (!env) {
		r = -1;
		goto out;
	}
	for (char **e = env; *e; e++) {
		if (strncmp(*e, "LD_PRELOAD=", 11) != 0 && strncmp(*e, PR_ENV_FD "=", 15) != 0)
			continue;
		char name[16];
		size_t n = strcspn(*e, "=");
		memcpy(name, *e, n);
		name[n] = '\0';
		const char *cur = getenv(name);
		if ((!cur || strcmp(cur, *e + n + 1) != 0) && setenv(name, *e + n + 1, 1) < 0)
			r = -1;
	}
	/* A fresh descriptor is now the one environ names: keep it open. */
	if (fresh >= 0)
		pr_adopt_config_fd(fresh);
	pr_env_free(env);
out:
	pthread_mutex_unlock(&environ_lock);
	return r;
}

PR_EXPORT int system(const char *cmd)
{
	if (pr_busy())
		return CALL_REAL(system, -1, cmd);
	pr_init();
	if (!pr_cfg.valid || pr_cfg.no_exec) {
		if (!cmd)
			return 0; /* "no shell available" */
		errno = EACCES;
		return -1;
	}
	if (fix_environ() < 0)
		return -1;
	return CALL_REAL(system, -1, cmd);
}

PR_EXPORT FILE *popen(const char *cmd, const char *mode)
{
	if (pr_busy())
		return CALL_REAL(popen, NULL, cmd, mode);
	pr_init();
	if (!pr_cfg.valid || pr_cfg.no_exec) {
		errno = EACCES;
		return NULL;
	}
	if (fix_environ() < 0)
		return NULL;
	return CALL_REAL(popen, NULL, cmd, mode);
}
