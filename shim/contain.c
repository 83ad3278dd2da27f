/* contain.c: the order in which sbx-shim restricts the sandbox, as code:
 * each step is one line below, and a failing step ends the sandbox with
 * status 125 before the command starts.
 *
 *   supervisor (supervise.c), before the sandbox exists:
 *     1. cgroup made with its limits (cgroup.c)
 *     2. clone into new user, mount, pid, ipc [, net] namespaces, the
 *        child started on another CPU than ours (it takes the caller's
 *        CPUs back at "go"); the id maps written and the child moved into
 *        the cgroup, then "go"
 *   in the sandbox (shim_contain_sandbox; init with a pid namespace, else
 *   the command's process):
 *     3. wait for "go" (meanwhile, what needs no id: the mount namespace
 *        made private and its mount points read, the bounding set emptied)
 *     4. mounts: copy-on-write views, writable binds, masks, a private
 *        /proc and /dev/shm (mounts.c); loopback up in a new netns
 *     5. the working directory
 *   init only, so that it holds the command's domain (init.c):
 *     6. the unix-socket gate's state, then Landlock (landlock.c)
 *   the command's process (shim_contain_command):
 *     7. capabilities dropped, no_new_privs (privs.c)
 *     8. Landlock: filesystem, TCP, IPC scopes (unless init did 6)
 *        (--preload: the library checked from inside, its policy sealed
 *        in a memfd, LD_PRELOAD set for the command only; preload.c)
 *     9. seccomp, last, immediately before execve (seccomp.c)
 *    10. execve of the command (126: cannot execute, 127: not found);
 *        with --reuse this process is the forker instead (reuse.c): it
 *        forks each served command here, after the last restriction step
 */
#include "shim.h"

#include <sched.h>
#include <stdio.h>

int shim_contain_sandbox(struct shim_config *c, int sync)
{
	if ((c->userns && shim_mounts_prepare(c) < 0) || shim_drop_bounding(c) < 0) /* 4, 7 */
		return -1;
	shim_wait_for_go(c, sync);                 /* 3 */
	if (c->userns && shim_mounts_apply(c) < 0) /* 4 */
		return -1;
	if (!c->userns)
		c->devpts = false; /* no devpts of its own: no rule for the host's */
	if (c->netns && shim_loopback_up(c) < 0)
		return -1;
	if (c->chdir && chdir(c->chdir) < 0) /* 5 */
		return shim_fail(c, "cannot change to directory %s inside the sandbox: %s",
		                 c->chdir, strerror(errno));
	return 0;
}

int shim_contain_init(struct shim_config *c)
{
	if (c->unix_gate && shim_gate_prepare(c) < 0) /* 6 */
		return -1;
	if (shim_landlock_apply(c) < 0)
		return -1;
	c->landlocked = true;
	return 0;
}

/* Resolves argv[0] like execvp (lib/sys.c), without calling execve per
 * candidate (with no-exec only one execve is allowed). Returns 0 with out
 * set, or an errno. */
static int resolve_command(char **argv, char **envp, char *out, size_t size)
{
	return -path_search(argv[0], env_value(envp, "PATH"), out, size);
}

/* execve of path (argv[0] resolved); 126 or 127 after saying why. */
static int exec_resolved(const struct shim_config *c, const char *path, char **argv, char **envp)
{
	execve(path, argv, envp); /* 10 */
	int err = errno;
	if (err == ENOEXEC) {
		/* Like execvp: a file without a recognised format runs under sh. */
		size_t n = 0;
		while (argv[n])
			n++;
		char **sh = calloc(n + 2, sizeof(*sh));
		if (sh) {
			sh[0] = "/bin/sh";
			sh[1] = (char *)path;
			memcpy(sh + 2, argv + 1, n * sizeof(*sh));
			execve("/bin/sh", sh, envp);
			free(sh);
		}
		err = errno;
	}
	fprintf(stderr, "%s: %s: %s\n", c->prog, argv[0], strerror(err));
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

pid_t shim_spawn_shared(int (*fn)(void *), void *arg)
{
	/* one process a caller (init's command, a keeper's): one stack, not
	 * malloc'd (a block this size is a mapping of its own, and its unmap
	 * a TLB flush on every CPU) */
	static char stack[256 * 1024] __attribute__((aligned(16)));
	return clone(fn, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, arg);
}

int shim_exec_command(const struct shim_config *c, char **argv, char **envp)
{
	char path[4096];
	int err = resolve_command(argv, envp, path, sizeof(path));
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, argv[0], strerror(err));
		return err == ENOENT ? 127 : 126;
	}
	return exec_resolved(c, path, argv, envp);
}

int shim_contain_command(struct shim_config *c, int sync)
{
	/* --direct: inside a sandbox that already holds the plan, only the
	 * exec (its privileges, Landlock and seccomp stay as they are) */
	if (!c->direct && shim_drop_privileges(c) < 0) /* 7 */
		return 125;
	if (!c->direct && !c->landlocked && shim_landlock_apply(c) < 0) /* 8 */
		return 125;
	char path[4096];
	int err = c->serving ? 0 : resolve_command(c->argv, c->envp, path, sizeof(path));
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, c->argv[0], strerror(err));
		return err == ENOENT ? 127 : 126;
	}
	/* After Landlock, so the library is checked through the command's
	 * own view; before seccomp, which refuses nothing this needs. */
	char **envp = c->envp;
	if (shim_preload_env(c, &envp) < 0)
		return 125;
	int notify = -1;
	if (!c->direct && shim_seccomp_apply(c, &notify) < 0) { /* 9 */
		shim_preload_env_free(c, envp);
		return 125;
	}
	if (notify >= 0) {
		/* (2) the supervisor answers our own execve below */
		if (shim_msg_send(sync, SHIM_MSG_NOTIFY_FD, 0, notify) < 0) {
			shim_fail(c, "cannot hand the no-exec listener to the supervisor");
			shim_preload_env_free(c, envp);
			return 125;
		}
		close(notify);
	}
	/* --reuse: each command served is forked from here, where it would
	 * have been exec'd: with exactly the privileges, domain and filter
	 * this process has now (reuse.c) */
	if (c->serving)
		shim_reuse_forker(c);
	int status = exec_resolved(c, path, c->argv, envp);
	shim_preload_env_free(c, envp);
	return status;
}
