/* host.c: what this host provides, probed once per process without forking.
 * Cheap probes only (a syscall, a few sysctl reads, PATH lookups); the
 * doctor adds the expensive ones. */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#ifndef _WIN32
#include <sys/wait.h>
#endif

#ifdef __linux__
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#define LANDLOCK_CREATE_RULESET_VERSION_FLAG (1U << 0)
#define CGROUP2_SUPER_MAGIC_                 0x63677270
#endif

#ifdef __linux__
#ifdef __linux__
/* Under a seccomp filter that has a user-notification listener (an outer
 * sbx with no-exec or net=outbound), the kernel refuses a second listener:
 * find out in a child, where the trial filter does no harm. */
static bool listener_allowed(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {1, &allow};
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(1);
		long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		                  SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		_exit(fd < 0 ? 1 : 0);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
#endif

/* True when CAP_SYS_ADMIN is in our effective set: uid 0 without it (inside
 * a sandbox, or a container) cannot do what root-only paths assume. */
static bool has_sys_admin(void)
{
#ifdef __linux__
	uint64_t caps;
	return sbx_effective_caps(&caps) == 0 && (caps >> CAP_SYS_ADMIN) & 1;
#else
	return false;
#endif
}

/* Reads a small file into buf; returns its length or -1. */
static ssize_t read_small(const char *path, char *out, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, out, size - 1);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return n;
}

static int read_int(const char *path, int fallback)
{
	char b[32];
	if (read_small(path, b, sizeof(b)) < 0)
		return fallback;
	return atoi(b);
}
#endif

char *sbx_find_program(const char *name, const char *path_env)
{
#ifdef _WIN32
	if (!name || !*name)
		return NULL;
	char found[4096];
	/* The CRT's access() knows no X_OK: a file that is there will do. */
	if (path_search(name, path_env, found, sizeof(found)) < 0 ||
	    (strchr(name, '/') && access(found, 0) < 0))
		return NULL;
	return strdup(found);
#else
	return sbx_fs_find_program(&sbx_fs_real, name, path_env);
#endif
}

char *sbx_fs_find_program(const struct sbx_fs *fs, const char *name, const char *path_env)
{
#ifdef _WIN32
	(void)fs;
	return sbx_find_program(name, path_env);
#else
	if (!name || !*name)
		return NULL;
	char found[4096];
	if (path_search_with(name, path_env, NULL, fs->stat, fs->access, found, sizeof(found)) <
	        0 ||
	    (strchr(name, '/') && fs->access(found, X_OK) < 0))
		return NULL;
	return strdup(found);
#endif
}

#ifdef _WIN32
static ssize_t real_readlink(const char *path, char *dst, size_t size)
{
	(void)path;
	(void)dst;
	(void)size;
	errno = ENOSYS;
	return -1;
}
#else
#define real_readlink readlink
#endif

static int real_access(const char *path, int mode)
{
	return access(path, mode);
}

static int real_empty_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

const struct sbx_fs sbx_fs_real = {
    .lstat = sbx_fs_memo_lstat,
    .stat = sbx_fs_memo_stat,
    .access = real_access,
    .realpath = sbx_fs_memo_realpath,
    .readlink = real_readlink,
    .empty_dir = real_empty_dir,
    .interpreter = sbx_program_interpreter,
};

const struct sbx_fs *sbx_host_fs(const struct sbx_host *h)
{
	return h && h->fs ? h->fs : &sbx_fs_real;
}

#ifdef __linux__
/* Why unprivileged user namespaces are off, or NULL if they look allowed. */
static const char *userns_blocker(bool root)
{
	if (read_int("/proc/sys/user/max_user_namespaces", 1) == 0)
		return "user.max_user_namespaces is 0";
	if (!root && read_int("/proc/sys/kernel/unprivileged_userns_clone", 1) == 0)
		return "kernel.unprivileged_userns_clone is 0";
	if (!root && read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 0) == 1)
		return "AppArmor restricts unprivileged user namespaces "
		       "(kernel.apparmor_restrict_unprivileged_userns=1)";
	return NULL;
}

static int userns_child(void *arg)
{
	(void)arg;
	return 0;
}

/* Creates a user namespace in a child that exits at once: the sysctls do
 * not show a seccomp filter (Docker's, or an outer sbx) refusing it. The
 * child shares our memory (CLONE_VM|CLONE_VFORK), so this costs no copy of
 * the address space. */
static const char *userns_try(void)
{
	static char stack[16384] __attribute__((aligned(16)));
	int pid = clone(userns_child, stack + sizeof(stack),
	                CLONE_VM | CLONE_VFORK | CLONE_NEWUSER | SIGCHLD, NULL);
	if (pid < 0)
		return errno == EPERM
		           ? "creating a user namespace is refused here (EPERM: a seccomp "
		             "filter, e.g. inside a container or another sandbox)"
		           : "creating a user namespace failed";
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return NULL;
}

static int write_str(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* In a child: a user and mount namespace, then an overlay of /usr with its
 * upper layer on a tmpfs, as the landlock backend's copy-on-write views
 * are made. Exits with 0 or the errno of the failing step. */
static int overlay_child(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return errno;
	snprintf(map, sizeof(map), "%d %d 1", (int)uid, (int)uid);
	if (write_str("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return errno;
	if (write_str("/proc/self/uid_map", map) < 0)
		return errno;
	snprintf(map, sizeof(map), "%d %d 1", (int)gid, (int)gid);
	if (write_str("/proc/self/gid_map", map) < 0)
		return errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/dev/shm", "tmpfs", 0, "mode=0700") < 0 ||
	    mkdir("/dev/shm/u", 0700) < 0 || mkdir("/dev/shm/w", 0700) < 0)
		return errno;
	if (mount("overlay", "/usr", "overlay", 0,
	          "lowerdir=/usr,upperdir=/dev/shm/u,workdir=/dev/shm/w,userxattr") < 0)
		return errno;
	return 0;
}

const char *sbx_host_overlay_userns(void)
{
	static char why[128];
	pid_t pid = fork();
	if (pid == 0)
		_exit(overlay_child());
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return "could not be tried";
	if (WEXITSTATUS(st) == 0)
		return NULL;
	snprintf(why, sizeof(why), "refused: %s", strerror(WEXITSTATUS(st)));
	return why;
}

static void probe_cgroups(struct sbx_host *h)
{
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf) == 0 &&
	    (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC_) {
		h->cgroup_version = 2;
		char self[512];
		if (read_small("/proc/self/cgroup", self, sizeof(self)) > 0 &&
		    startswith(self, "0::")) {
			char *nl = strchr(self, '\n');
			if (nl)
				*nl = '\0';
			char path[600];
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s", self + 3);
			h->cgroup_writable = access(path, W_OK) == 0;
		}
		return;
	}
	if (access("/sys/fs/cgroup/memory", F_OK) == 0 ||
	    access("/sys/fs/cgroup/pids", F_OK) == 0) {
		h->cgroup_version = 1;
		h->cgroup_writable = access("/sys/fs/cgroup/memory", W_OK) == 0 &&
		                     access("/sys/fs/cgroup/pids", W_OK) == 0 &&
		                     access("/sys/fs/cgroup/cpu", W_OK) == 0;
	}
}
#endif

#ifndef __linux__
const char *sbx_host_overlay_userns(void)
{
	return "not Linux";
}
#endif

/* A setting from the environment: a copy, or NULL when unset or empty. */
static const char *env_setting(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? strdup(v) : NULL;
}

#ifdef __linux__
static bool userns_deferred; /* sbx_host_defer_userns */
#endif

static bool tools_pending; /* the host's runsc and docker: not looked up yet */

static void probe(struct sbx_host *h)
{
#ifndef _WIN32
	h->euid_root = geteuid() == 0 && has_sys_admin();
	h->uid_root = getuid() == 0;
#endif
#ifdef __linux__
	long abi =
	    syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION_FLAG);
	h->landlock_abi = abi > 0 ? (int)abi : 0;
	/* 0: no filter on us, 2: one (Docker's, an outer sbx's, a test's) */
	int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	h->seccomp = mode >= 0;
	h->outer = mode == 2 ? sbx_outer_query() : NULL;
	if (h->outer) {
		/* The outer filter refuses both; no need to try in a child. */
		h->userns_why = "inside an outer sbx sandbox, which allows no new user namespaces";
		probe_cgroups(h);
		h->cgroup_writable = false; /* its host mounts are read-only */
		goto tools;
	}
	/* The action asked of the kernel (what actions_avail in /proc/sys
	 * lists, without a file to read). The sizes call is what libseccomp's
	 * notification API starts with: asking it too catches a filter that
	 * refuses it (tests/probes/deny). */
	uint32_t notif = SECCOMP_RET_USER_NOTIF;
	struct seccomp_notif_sizes sizes;
	h->seccomp_notify = h->seccomp &&
	                    syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &notif) == 0 &&
	                    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 &&
	                    (mode != 2 || listener_allowed());
	h->unix_diag = -1; /* sbx_host_unix_diag */
	h->userns_why = userns_blocker(h->euid_root);
	/* (a filter on us, Docker's or a test's, is what the sysctls do not
	 * show: then it is tried at once) */
	h->userns_untried = !h->userns_why && userns_deferred && mode == 0;
	if (!h->userns_why && !h->userns_untried)
		h->userns_why = userns_try();
	h->userns = h->userns_why == NULL;
	probe_cgroups(h);
tools:;
#endif
	tools_pending = true; /* sbx_host_runsc, sbx_host_docker */
#ifndef _WIN32
	h->uid = (unsigned)getuid();
	h->gid = (unsigned)getgid();
#endif
	h->docker_image = env_setting("SBX_DOCKER_IMAGE");
	h->docker_host = env_setting("DOCKER_HOST");
	h->docker_runtime = env_setting("SBX_DOCKER_RUNTIME");
	h->runsc_runtime = env_setting("SBX_DOCKER_RUNSC_RUNTIME");
	h->runsc_host_runtime = env_setting("SBX_DOCKER_RUNSC_HOST_RUNTIME");
	h->ssh_auth_sock = env_setting("SSH_AUTH_SOCK");
	h->tmpdir = env_setting("TMPDIR");
	h->sandbox_exec = env_setting("SBX_SANDBOX_EXEC");
	h->home = sbx_home(&h->home_from_passwd);
}

int sbx_capture(char *const argv[], char **out)
{
	*out = NULL;
#ifdef _WIN32
	(void)argv;
	return -ENOSYS;
#else
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = sbx_spawn_quiet(argv, fds[1]);
	int e = errno;
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -e;
	}
	_cleanup_buf_ buf b = {0};
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_addn(&b, chunk, (size_t)n);
	}
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	while (b.len && (b.s[b.len - 1] == '\n' || b.s[b.len - 1] == '\r'))
		b.s[--b.len] = '\0';
	if (b.oom)
		return -ENOMEM;
	*out = b.s ? buf_steal(&b) : strdup("");
	if (!*out)
		return -ENOMEM;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
#endif
}

int sbx_host_ask(const struct sbx_host *h, char *const argv[], char **out)
{
	return h->ask ? h->ask(argv, out) : sbx_capture(argv, out);
}

static struct sbx_host host;
static bool probed;

/* runsc and docker on PATH (0.02 ms of stats): looked up when a plan or a
 * report first asks, never for a landlock plan */
static void look_up_tools(struct sbx_host *h)
{
	const char *path = getenv("PATH");
	const char *runsc = getenv("SBX_RUNSC");
	h->runsc = sbx_find_program(runsc && *runsc ? runsc : "runsc", path);
	const char *docker = getenv("SBX_DOCKER");
	h->docker = sbx_find_program(docker && *docker ? docker : "docker", path);
}

const char *sbx_host_runsc(const struct sbx_host *h)
{
	if (h == &host && tools_pending) {
		tools_pending = false;
		look_up_tools(&host);
	}
	return h->runsc;
}

const char *sbx_host_docker(const struct sbx_host *h)
{
	sbx_host_runsc(h);
	return h->docker;
}

const struct sbx_host *sbx_host_get(void)
{
	if (!probed) {
		probe(&host);
		probed = true;
	}
	return &host;
}

void sbx_host_defer_userns(void)
{
#ifdef __linux__
	userns_deferred = true;
#endif
}

bool sbx_host_userns_retry(void)
{
	sbx_host_get();
	if (!host.userns_untried)
		return false;
	host.userns_untried = false;
#ifdef __linux__
	host.userns_why = userns_try();
	host.userns = host.userns_why == NULL;
#endif
	return true;
}

static bool caveats_deferred;

void sbx_host_defer_caveats(void)
{
	caveats_deferred = true;
}

bool sbx_host_caveats_deferred(void)
{
	return caveats_deferred;
}

bool sbx_host_unix_diag(void)
{
	sbx_host_get();
#ifdef __linux__
	if (host.unix_diag < 0) {
		int diag = -1;
		host.unix_diag = sbx_unix_diag_works(&diag);
		if (diag >= 0)
			close(diag);
	}
#endif
	return host.unix_diag > 0;
}

void sbx_host_set(const struct sbx_host *h)
{
	host = *h;
	probed = true;
	tools_pending = false;
}

char *sbx_helper_path(const char *env_name, const char *file, int mode)
{
	const char *env = getenv(env_name);
	if (env && *env)
		return strdup(env);
#ifdef __linux__
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
	char *cand = NULL;
	if (slash && asprintf(&cand, "%.*s/%s", (int)(slash - self), self, file) >= 0) {
		if (access(cand, mode) == 0)
			return cand;
		free(cand);
	}
#else
	(void)mode;
#endif
#ifdef SBX_LIBEXECDIR
	char *installed = NULL;
	return asprintf(&installed, "%s/%s", SBX_LIBEXECDIR, file) < 0 ? NULL : installed;
#else
	return strdup(file);
#endif
}

char *sbx_shim_path(void)
{
	return sbx_helper_path("SBX_SHIM", "sbx-shim", X_OK);
}
