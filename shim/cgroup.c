/* cgroup.c: one cgroup per sandbox holding its CPU, memory and process
 * caps, created by the supervisor before the sandbox starts and removed
 * after everything in it is gone.
 *
 * cgroup v2: a child of the supervisor's own cgroup (a delegated subtree
 * when not root), with the controllers enabled in the parent.
 * cgroup v1: a child of the supervisor's cgroup in each controller's
 * hierarchy (memory, pids, cpu). Memory over the cap is handled by the
 * cgroup's own OOM killer, inside the sandbox; swap is capped too where
 * the kernel accounts it.
 *
 * If the supervisor is killed (SIGKILL leaves it no time), a guard removes
 * the cgroup: a small process started outside the sandbox when the cgroup
 * is made, not the supervisor's child (it is never killed with the
 * sandbox), out of the terminal's process group (a ^C does not reach it),
 * which waits on a pidfd of the supervisor, then kills what is left in the
 * cgroup, waits for it to empty and removes it. Only plans with limits pay
 * for it. */
#include "shim.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define CGROUP_ROOT   "/sys/fs/cgroup"
#define CGROUP2_MAGIC 0x63677270

static bool empty(const char *dir);
static bool empty_kill(const char *dir, bool v2);

static bool wants_cgroup(const struct shim_config *c)
{
	return c->memory > 0 || c->pids > 0 || c->cpus > 0;
}

static int write_text(const char *dir, const char *file, const char *text)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -(n < 0 ? e : EIO);
}

/* The supervisor's cgroup path in the hierarchy whose /proc/self/cgroup
 * line matches want ("" for v2's "0::", else a controller name). */
static int own_cgroup(const char *want, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	char line[4200];
	int r = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		bool match = false;
		if (!*want) {
			match = streq(line, "0") && c1[1] == '\0';
		} else {
			for (char *t = strtok(c1 + 1, ","); t; t = strtok(NULL, ","))
				match |= streq(t, want);
		}
		if (match) {
			snprintf(out, size, "%s", c2 + 1);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

static int make_dir(const struct shim_config *c, struct shim_cgroup *cg, const char *hier,
                    const char *ctrl)
{
	char own[4096], dir[4200];
	int r = own_cgroup(ctrl, own, sizeof(own));
	if (r < 0)
		return shim_fail(c, "cgroup: cannot find this process's %s cgroup: %s",
		                 *ctrl ? ctrl : "v2", strerror(-r));
	snprintf(dir, sizeof(dir), "%s%s/sbx-%d-%ld", hier, streq(own, "/") ? "" : own,
	         (int)getpid(), (long)time(NULL));
	if (mkdir(dir, 0755) < 0)
		return shim_fail(c,
		                 "cgroup: cannot create %s: %s (a writable cgroup is needed for "
		                 "--cpus, --memory and --pids: run as root, or under a delegated "
		                 "subtree such as `systemd-run --user --scope -p Delegate=yes`)",
		                 dir, strerror(errno));
	cg->dirs[cg->n] = strdup(dir);
	if (!cg->dirs[cg->n]) {
		rmdir(dir);
		return -1;
	}
	cg->n++;
	return 0;
}

static int limit(const struct shim_config *c, const char *dir, const char *file, const char *val,
                 bool optional)
{
	int r = write_text(dir, file, val);
	if (r == -ENOENT && optional)
		return 0;
	if (r < 0)
		return shim_fail(c, "cgroup: %s/%s = %s: %s", dir, file, val, strerror(-r));
	return 0;
}

static int create_v2(const struct shim_config *c, struct shim_cgroup *cg)
{
	char own[4096], parent[4200], val[64];
	if (own_cgroup("", own, sizeof(own)) < 0)
		return shim_fail(c, "cgroup v2: cannot find this process's cgroup");
	snprintf(parent, sizeof(parent), CGROUP_ROOT "%s", streq(own, "/") ? "" : own);
	const char *need = c->memory > 0 ? "+memory" : NULL;
	if (need && limit(c, parent, "cgroup.subtree_control", need, false) < 0)
		return -1;
	if (c->pids > 0 && limit(c, parent, "cgroup.subtree_control", "+pids", false) < 0)
		return -1;
	if (c->cpus > 0 && limit(c, parent, "cgroup.subtree_control", "+cpu", false) < 0)
		return -1;
	if (make_dir(c, cg, CGROUP_ROOT, "") < 0)
		return -1;
	cg->v2 = true;
	if (c->memory > 0) {
		snprintf(val, sizeof(val), "%lld", (long long)c->memory);
		if (limit(c, cg->dirs[0], "memory.max", val, false) < 0 ||
		    limit(c, cg->dirs[0], "memory.swap.max", "0", true) < 0)
			return -1;
	}
	if (c->pids > 0) {
		snprintf(val, sizeof(val), "%lld", (long long)c->pids);
		if (limit(c, cg->dirs[0], "pids.max", val, false) < 0)
			return -1;
	}
	if (c->cpus > 0) {
		snprintf(val, sizeof(val), "%lld 100000", (long long)(c->cpus * 100000 + 0.5));
		if (limit(c, cg->dirs[0], "cpu.max", val, false) < 0)
			return -1;
	}
	return 0;
}

static int create_v1(const struct shim_config *c, struct shim_cgroup *cg)
{
	char val[64];
	if (c->memory > 0) {
		if (make_dir(c, cg, CGROUP_ROOT "/memory", "memory") < 0)
			return -1;
		const char *d = cg->dirs[cg->n - 1];
		snprintf(val, sizeof(val), "%lld", (long long)c->memory);
		/* memsw must be set after the memory limit it may not undercut */
		if (limit(c, d, "memory.limit_in_bytes", val, false) < 0 ||
		    limit(c, d, "memory.memsw.limit_in_bytes", val, true) < 0)
			return -1;
	}
	if (c->pids > 0) {
		if (make_dir(c, cg, CGROUP_ROOT "/pids", "pids") < 0)
			return -1;
		snprintf(val, sizeof(val), "%lld", (long long)c->pids);
		if (limit(c, cg->dirs[cg->n - 1], "pids.max", val, false) < 0)
			return -1;
	}
	if (c->cpus > 0) {
		if (make_dir(c, cg, CGROUP_ROOT "/cpu", "cpu") < 0)
			return -1;
		const char *d = cg->dirs[cg->n - 1];
		snprintf(val, sizeof(val), "%lld", (long long)(c->cpus * 100000 + 0.5));
		if (limit(c, d, "cpu.cfs_period_us", "100000", false) < 0 ||
		    limit(c, d, "cpu.cfs_quota_us", val, false) < 0)
			return -1;
	}
	return 0;
}

static void guard_main(struct shim_cgroup *cg, int pidfd)
{
	setsid();
	static const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU};
	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		signal(ignored[i], SIG_IGN);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd <= 2 && null >= 0; fd++)
		dup2(null, fd);
	if (chdir("/") < 0)
		_exit(1);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	/* The supervisor is gone: whatever it could not remove, we do. */
	for (size_t i = 0; i < cg->n; i++) {
		if (access(cg->dirs[i], F_OK) < 0)
			continue;
		for (int tries = 0; tries < 5000 && !empty_kill(cg->dirs[i], cg->v2); tries++) {
			struct timespec ts = {0, 2000000};
			nanosleep(&ts, NULL);
		}
		rmdir(cg->dirs[i]);
	}
	_exit(0);
}

/* Starts the guard, reparented away from the supervisor (double fork). */
static int start_guard(const struct shim_config *c, struct shim_cgroup *cg)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return shim_fail(c,
		                 "cgroup: pidfd_open: %s (Linux 5.3+ is needed to remove the "
		                 "cgroup if sbx-exec is killed)",
		                 strerror(errno));
	pid_t mid = fork();
	if (mid == 0) {
		if (fork() == 0)
			guard_main(cg, pidfd);
		_exit(0);
	}
	close(pidfd);
	if (mid < 0)
		return shim_fail(c, "cgroup: fork: %s", strerror(errno));
	int st;
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int shim_cgroup_create(const struct shim_config *c, struct shim_cgroup *cg)
{
	*cg = (struct shim_cgroup){0};
	if (!wants_cgroup(c))
		return 0;
	struct statfs sf;
	bool v2 = statfs(CGROUP_ROOT, &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_MAGIC;
	int r = v2 ? create_v2(c, cg) : create_v1(c, cg);
	if (r == 0)
		r = start_guard(c, cg);
	if (r < 0)
		shim_cgroup_destroy(cg);
	return r;
}

bool shim_cgroup_oom(const struct shim_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		char path[4200], line[256];
		snprintf(path, sizeof(path), "%s/%s", cg->dirs[i],
		         cg->v2 ? "memory.events" : "memory.oom_control");
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		long n = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "oom_kill %ld", &n) == 1 && n > 0)
				break;
		fclose(f);
		if (n > 0)
			return true;
	}
	return false;
}

int shim_cgroup_attach(const struct shim_config *c, const struct shim_cgroup *cg, pid_t pid)
{
	char val[32];
	snprintf(val, sizeof(val), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++)
		if (limit(c, cg->dirs[i], "cgroup.procs", val, false) < 0)
			return -1;
	return 0;
}

/* True when no process is left in dir; else kills what is there. */
static bool empty_kill(const char *dir, bool v2)
{
	char path[4200];
	if (v2) {
		write_text(dir, "cgroup.kill", "1");
	} else {
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		FILE *f = fopen(path, "re");
		int pid;
		while (f && fscanf(f, "%d", &pid) == 1)
			kill(pid, SIGKILL);
		if (f)
			fclose(f);
	}
	return empty(dir);
}

/* True when no process is left in dir. */
static bool empty(const char *dir)
{
	char path[4200], b[16];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, b, sizeof(b));
	close(fd);
	return n <= 0;
}

void shim_cgroup_destroy(struct shim_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->v2)
			write_text(cg->dirs[i], "cgroup.kill", "1");
		/* Processes of a dying pid namespace leave asynchronously. */
		for (int tries = 0; tries < 2000 && !empty(cg->dirs[i]); tries++) {
			struct timespec ts = {0, 1000000};
			nanosleep(&ts, NULL);
		}
		rmdir(cg->dirs[i]);
		free(cg->dirs[i]);
	}
	cg->n = 0;
}
