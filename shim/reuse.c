/* reuse.c: --reuse, one sandbox for the many commands of one parent
 * process (a make whose recipes run under SHELL := sbx-exec --reuse --
 * /bin/sh), so each command after the first costs a fork, not a sandbox.
 *
 *   client: sbx-exec, a child of the parent P (launcher/reuse.c). It
 *     |  connects to DIR/KEY.sock (DIR the user's own 0700 directory; KEY
 *     |  from what its plan is made of, P's pid and P's start time) before
 *     |  it compiles its plan, so that it is admitted meanwhile, or, when
 *     |  none answers, binds it, starts the server with the listener, and
 *     |  connects
 *   server: the supervisor (supervise.c), detached from the client,
 *     |  outside the sandbox. It parses nothing a client sends: it admits
 *     |  a peer on the kernel's word (shim_reuse_admit) and hands the
 *     |  connection into the sandbox
 *   forker: the process that would have exec'd a fresh start's command,
 *     |  at that very point (contain.c): privileges dropped, Landlock,
 *     |  seccomp with init answering its notifications
 *   keeper: one per connection, forked ahead (the forker keeps one
 *     |  waiting and hands it the next connection: no fork on the
 *     |  client's time), a child subreaper: reads the request,
 *     |  refuses it unless its plan is ours word for word and the host's
 *     |  directory at its --chdir is still the one we hold, forks the
 *     |  command, passes signals on (^Z as SIGSTOP), and when the command
 *     |  ends kills what it left and returns its wait status
 *   command: the client's descriptors (with their numbers), umask,
 *       resource limits and signal state, the plan's working directory
 *       by path, the environment the client computed; then the exec a
 *       fresh start does
 *
 * Threat model. The commands are as untrusted as any sandboxed one; the
 * parent and its other children outside the sandbox are the user's own
 * and hold the user's rights already.
 *  - Another user: DIR is the user's, mode 0700 (the client checks it
 *    before use), and the server admits only a peer of its own uid.
 *  - A sandboxed process (a command of this parent, or of any sandbox)
 *    must not reach a server to run something under another plan: a peer
 *    is admitted only when it is in the server's own user, mount, pid,
 *    network and IPC namespaces (no sandboxed process is) and is a child
 *    of P, checked on a pidfd the kernel took at connect
 *    (SO_PEERPIDFD), so a recycled pid is not taken for it. The default
 *    IPC policy refuses connects to host sockets too (gate.c).
 *  - A client of a different plan: the keeper compares the plan's argv
 *    with its own and refuses; the client then starts afresh. The name
 *    derives from what a plan is made of, so this is a collision, or a
 *    host that changed since the sandbox's plan was made (a path made, a
 *    link swapped: reuse.bats makes one).
 *  - The served command gets the plan's privileges, domain, filter,
 *    namespaces and working directory, exactly what the forker has: the
 *    fork happens after the last restriction step. What it shares with
 *    the parent's other commands, and only with them, is the sandbox's
 *    state: its copy-on-write layers and temp dir, its pid and IPC
 *    namespaces (they can see and signal each other), the unix sockets
 *    bound in it, the create gate's notes. The plan says so.
 *  - Lifetime: the server watches a pidfd of P; when P ends it removes
 *    the name and kills init, which ends the pid namespace and every
 *    command in it; a client killed mid-command makes its keeper kill
 *    the command's whole tree. A command can kill its own keeper (same
 *    uid, same pid namespace): the forker is a subreaper too, so what
 *    the command left is reparented to it, and it kills every child that
 *    is not a live keeper (the client, its connection gone, says so and
 *    exits 137). Nothing outlives its command, nor P. */
#include "shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define REQUEST_TIMEOUT_MS 10000

int shim_reuse_check(const struct shim_config *c)
{
	const char *why = !c->userns || !c->pidns ? "it needs user and pid namespaces"
	                  : c->direct             ? "--direct runs no sandbox of its own"
	                  : c->timeout > 0        ? "a timeout is one command's"
	                  : c->memory || c->pids || c->cpus > 0 ? "limits are one command's cgroup"
	                  : c->no_exec     ? "no-exec lets one command's first execve through"
	                  : c->preload_lib ? "the preload library is set up per command"
	                  : c->report || c->keep_dir     ? "a report is one command's"
	                  : c->proxy_port || c->nforward ? "the allowlist proxy is one command's"
	                                                 : NULL;
	return why ? shim_fail(c, "--reuse: this plan cannot serve many commands: %s", why) : 0;
}

/* --- the server's admission (outside the sandbox) --- */

static bool same_namespaces(pid_t pid)
{
	static const char *const ns[] = {"user", "mnt", "pid", "net", "ipc"};
	/* the server's own, read once: it never changes namespace */
	static struct stat own[ARRAY_SIZE(ns)];
	static bool own_read;
	for (size_t i = 0; !own_read && i < ARRAY_SIZE(ns); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
		if (stat(path, &own[i]) < 0)
			return false;
		own_read = i + 1 == ARRAY_SIZE(ns);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		char path[64];
		struct stat a;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i]);
		if (stat(path, &a) < 0 || a.st_dev != own[i].st_dev || a.st_ino != own[i].st_ino)
			return false;
	}
	return true;
}

/* The parent's pid from /proc/PID/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
	char text[1024], state;
	const char *p = sbx_proc_stat(pid, text, sizeof(text));
	int ppid;
	return p && sscanf(p, " %c %d", &state, &ppid) == 2 ? (pid_t)ppid : -1;
}

/* The pid a pidfd stands for, from its fdinfo, or -1. */
static pid_t pidfd_pid(int pidfd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char line[128];
	long pid = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return (pid_t)pid;
}

/* PIDFD_GET_INFO's first version (Linux 6.13, include/uapi/linux/pidfd.h) */
struct shim_pidfd_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define SHIM_PIDFD_GET_INFO _IOWR(0xFF, 11, struct shim_pidfd_info)
#define SHIM_PIDFD_INFO_PID 1ULL

/* The pidfd's process and its parent, as the kernel has them now (as
 * this pid namespace numbers them); false before Linux 6.13, or when the
 * process is gone. */
static bool pidfd_ids(int pidfd, pid_t *pid, pid_t *ppid)
{
	struct shim_pidfd_info in = {.mask = SHIM_PIDFD_INFO_PID};
	if (ioctl(pidfd, SHIM_PIDFD_GET_INFO, &in) < 0 || !(in.mask & SHIM_PIDFD_INFO_PID) ||
	    in.tgid == 0)
		return false;
	*pid = (pid_t)in.tgid;
	*ppid = (pid_t)in.ppid;
	return true;
}

bool shim_reuse_admit(const struct shim_config *c, int conn)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.uid != geteuid() ||
	    cr.pid <= 0)
		return false;
	int pidfd = -1;
	len = sizeof(pidfd);
	if (getsockopt(conn, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0 || pidfd < 0)
		return false; /* (before Linux 6.5: every client starts afresh) */
	/* The pid and its parent from the pidfd itself (Linux 6.13), else
	 * from /proc. What /proc says of the pid counts only while the
	 * pidfd's process still lives: then the pid was not recycled in
	 * between. */
	pid_t pid = -1, ppid = -1;
	if (!pidfd_ids(pidfd, &pid, &ppid)) {
		pid = pidfd_pid(pidfd);
		ppid = pid == cr.pid ? parent_of(cr.pid) : -1;
	}
	bool ok = pid == cr.pid && ppid == c->serve_parent && same_namespaces(cr.pid) &&
	          syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
	close(pidfd);
	return ok;
}

/* --- the keeper (inside, one per connection) --- */

struct request {
	struct sbx_reuse_req h;
	int fds[SBX_REUSE_MAX_FDS];
	size_t nfds;
	char *data;
	char **strs; /* the options, then the command, then its environment */
	char **argv, **envp;
};

static void request_free(struct request *r)
{
	for (size_t i = 0; i < r->nfds; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	r->nfds = 0;
	free(r->data);
	free(r->strs);
}

static int wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n;
	do
		n = poll(&p, 1, REQUEST_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

static int read_full(int fd, void *to, size_t size)
{
	char *p = to;
	while (size) {
		if (wait_readable(fd) < 0)
			return -1;
		ssize_t n = read(fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

static int send_msg(int conn, int type, int value)
{
	struct sbx_reuse_msg m = {type, value};
	return send(conn, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ? 0 : -1;
}

/* Reads and checks the request: 0, or -1 to refuse it. */
static int read_request(const struct shim_config *c, int conn, struct request *r)
{
	char cbuf[CMSG_SPACE(SBX_REUSE_MAX_FDS * sizeof(int))];
	struct iovec iov = {&r->h, sizeof(r->h)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	if (wait_readable(conn) < 0)
		return -1;
	ssize_t n;
	do
		n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); n > 0 && cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && r->nfds < SBX_REUSE_MAX_FDS; i++)
			memcpy(&r->fds[r->nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
	}
	if (n <= 0 || (mh.msg_flags & MSG_CTRUNC) ||
	    ((size_t)n < sizeof(r->h) &&
	     read_full(conn, (char *)&r->h + n, sizeof(r->h) - (size_t)n) < 0))
		return -1;
	const struct sbx_reuse_req *h = &r->h;
	size_t nstr = (size_t)h->nopts + h->nargv + h->nenv;
	if (h->magic != SBX_REUSE_MAGIC || h->nfds != r->nfds || h->size > SBX_REUSE_MAX_SIZE ||
	    !h->size || !h->nargv || nstr > h->size || h->nopts != c->serve_nopts)
		return -1;
	if (!(r->data = malloc(h->size)) || !(r->strs = calloc(nstr + 2, sizeof(char *))) ||
	    read_full(conn, r->data, h->size) < 0 || r->data[h->size - 1] != '\0')
		return -1;
	/* the strings, each ending in NUL, exactly nstr of them */
	size_t k = 0;
	for (char *p = r->data; p < r->data + h->size; p += strlen(p) + 1) {
		if (k == nstr)
			return -1;
		r->strs[k++] = p;
	}
	if (k != nstr)
		return -1;
	/* the plan, word for word (the environment is the client's own), and
	 * its directory the one the sandbox was made with */
	for (size_t i = 0; i < h->nopts; i++)
		if (!streq(r->strs[i], c->serve_opts[i]))
			return -1;
	if (h->cwd_dev != c->serve_cwd_dev || h->cwd_ino != c->serve_cwd_ino)
		return -1;
	/* argv and envp, each NULL-terminated in strs (two spare slots) */
	memmove(r->strs + h->nopts + h->nargv + 1, r->strs + h->nopts + h->nargv,
	        h->nenv * sizeof(char *));
	r->strs[h->nopts + h->nargv] = NULL;
	r->argv = r->strs + h->nopts;
	r->envp = r->argv + h->nargv + 1;
	r->envp[h->nenv] = NULL;
	/* A fresh start's rule for what the command inherits (fds.c): on 0-2
	 * a descriptor that opens paths is refused (the client's fresh start
	 * says why), above 2 it is closed. */
	for (size_t i = 0; i < r->nfds; i++) {
		bool o_path;
		if (h->fdnum[i] < 0 || h->fdnum[i] > (1 << 20))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (h->fdnum[j] == h->fdnum[i])
				return -1;
		if (shim_fd_opens_paths(r->fds[i], &o_path)) {
			if (h->fdnum[i] <= 2)
				return -1;
			close(r->fds[i]);
			r->fds[i] = -1;
		}
	}
	return 0;
}

/* The forker's signal dispositions and resource limits, read once when it
 * starts (its keepers inherit them, and keep them but for SIGCHLD): a
 * command then changes only what differs from the client's, not all 62
 * dispositions and 16 limits (0.03 ms a command). */
static uint64_t forker_ignored, forker_caught; /* bit n-1: signal n */
static struct rlimit forker_rl[SBX_REUSE_NRLIMITS];

static void note_forker_state(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct sigaction sa;
		if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa) < 0)
			continue;
		if (sa.sa_handler == SIG_IGN)
			forker_ignored |= 1ULL << (sig - 1);
		else if (sa.sa_handler != SIG_DFL)
			forker_caught |= 1ULL << (sig - 1);
	}
	for (int i = 0; i < SBX_REUSE_NRLIMITS; i++)
		if (getrlimit(i, &forker_rl[i]) < 0)
			forker_rl[i].rlim_cur = forker_rl[i].rlim_max = RLIM_INFINITY;
}

/* The command's process: the client's state, then the exec. */
static _Noreturn void run_command(const struct shim_config *c, struct request *r)
{
	const struct sbx_reuse_req *h = &r->h;
	sigset_t blocked;
	sigemptyset(&blocked);
	/* the keeper's dispositions: the forker's, SIGCHLD back to default
	 * (keeper()); a caught one is made default here too, so no handler
	 * of ours runs in this process before its exec */
	uint64_t chld = 1ULL << (SIGCHLD - 1);
	uint64_t change = (h->sig_ignored ^ (forker_ignored & ~chld)) | (forker_caught & ~chld);
	for (int sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if ((change >> (sig - 1)) & 1)
			signal(sig, (h->sig_ignored >> (sig - 1)) & 1 ? SIG_IGN : SIG_DFL);
		if ((h->sig_blocked >> (sig - 1)) & 1)
			sigaddset(&blocked, sig);
	}
	umask(h->umask & 0777);
	/* each descriptor to its number: first all above the highest, then
	 * every other one closed at the exec, then each in its place */
	int top = 2;
	for (size_t i = 0; i < r->nfds; i++)
		if (h->fdnum[i] > top)
			top = h->fdnum[i];
	for (size_t i = 0; i < r->nfds; i++)
		if (r->fds[i] >= 0 && (r->fds[i] = fcntl(r->fds[i], F_DUPFD_CLOEXEC, top + 1)) < 0)
			_exit(125);
	if (syscall(SYS_close_range, 0, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		_exit(125);
	for (size_t i = 0; i < r->nfds; i++)
		if (r->fds[i] >= 0 && dup2(r->fds[i], h->fdnum[i]) < 0)
			_exit(125);
	sigprocmask(SIG_SETMASK, &blocked, NULL);
	/* step 5 of a fresh start, by path in the view, as it is now */
	if (c->chdir && chdir(c->chdir) < 0) {
		shim_fail(c, "cannot change to directory %s inside the sandbox: %s", c->chdir,
		          strerror(errno));
		_exit(125);
	}
	/* the client's resource limits: lowering always works; one above
	 * what the sandbox has stays at the sandbox's */
	for (int i = 0; i < SBX_REUSE_NRLIMITS; i++) {
		struct rlimit rl = {h->rlim_cur[i], h->rlim_max[i]}, now = forker_rl[i];
		if (rl.rlim_max > now.rlim_max)
			rl.rlim_max = now.rlim_max;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_cur != now.rlim_cur || rl.rlim_max != now.rlim_max)
			setrlimit(i, &rl);
	}
	_exit(shim_exec_command(c, r->argv, r->envp));
}

struct command_arg {
	const struct shim_config *c;
	const struct request *r;
	const cpu_set_t *cpus; /* the keeper's CPUs, when it pinned itself */
};

static int command_main(void *arg)
{
	const struct command_arg *a = arg;
	/* the keeper's CPUs again before anything of the command's: they
	 * are the sandbox's, the caller's (or nothing runs) */
	if (a->cpus && sched_setaffinity(0, sizeof(*a->cpus), a->cpus) < 0)
		_exit(125);
	/* our own copy of the request: the keeper's, in the memory we share
	 * until our exec, keeps its descriptor numbers for request_free */
	struct request r = *a->r;
	run_command(a->c, &r);
	return 125; /* (run_command does not return) */
}

/* The command's process, made without copying the keeper's memory (its
 * page tables and the faults after a fork are a good part of what a
 * served command costs): it shares that memory, and the keeper waits,
 * until the exec or the _exit (CLONE_VFORK, as posix_spawn does). What it
 * changes before then is the kernel's state of its own process (signal
 * dispositions, descriptors, umask, directory, limits), not the keeper's;
 * the seccomp listener that answers its execve is init's. */
static pid_t spawn_command(const struct shim_config *c, const struct request *r)
{
	/* The new process on our CPU, which our wait frees at once: the
	 * scheduler mostly places it on another, idle one here, and it first
	 * runs 0.04 ms later (traced, served recipes), the wake of an idle
	 * CPU. So we pin ourselves for the clone (the child takes our set
	 * back first thing, command_main) and take it back after. */
	cpu_set_t own, one;
	int cpu = sched_getcpu();
	bool pinned = cpu >= 0 && cpu < CPU_SETSIZE &&
	              sched_getaffinity(0, sizeof(own), &own) == 0 && CPU_ISSET(cpu, &own) &&
	              CPU_COUNT(&own) > 1;
	if (pinned) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	struct command_arg a = {c, r, pinned ? &own : NULL};
	pid_t pid = shim_spawn_shared(command_main, &a);
	if (pinned)
		sched_setaffinity(0, sizeof(own), &own);
	return pid;
}

/* The signals a client may pass on: a fresh start's, and job control's
 * (the command is not in the terminal's process group). */
static bool passed_on(int sig)
{
	if (sig == SIGTSTP || sig == SIGCONT)
		return true;
	for (size_t i = 0; i < SBX_SUP_NFORWARDED; i++)
		if (sbx_sup_forwarded[i] == sig)
			return true;
	return false;
}

static int keeper(const struct shim_config *c, int conn)
{
	signal(SIGCHLD, SIG_DFL);
	struct request r = {0};
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 || read_request(c, conn, &r) < 0) {
		request_free(&r);
		send_msg(conn, SBX_REUSE_REFUSED, 0);
		return 0;
	}
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	pid_t pid = sigfd < 0 ? -1 : spawn_command(c, &r);
	request_free(&r);
	if (pid < 0) {
		send_msg(conn, SBX_REUSE_REFUSED, 0);
		return 0;
	}
	int wst = 0;
	bool ended = false, client_gone = send_msg(conn, SBX_REUSE_STARTED, 0) < 0;
	while (!ended && !client_gone) {
		struct pollfd p[2] = {{.fd = conn, .events = POLLIN},
		                      {.fd = sigfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			int st;
			pid_t w;
			while ((w = waitpid(-1, &st, WNOHANG)) > 0)
				if (w == pid) {
					ended = true;
					wst = st;
				}
		}
		if (!ended && p[0].revents) {
			struct sbx_reuse_msg m;
			if (recv(conn, &m, sizeof(m), MSG_WAITALL) != (ssize_t)sizeof(m))
				client_gone = true; /* sbx-exec was killed: so is the command */
			else if (m.type == SBX_REUSE_SIGNAL && passed_on(m.value))
				/* (our process group is orphaned: the kernel drops a
				 * SIGTSTP sent into it, so ^Z stops with SIGSTOP) */
				kill(pid, m.value == SIGTSTP ? SIGSTOP : m.value);
		}
	}
	if (!ended)
		kill(pid, SIGKILL);
	/* like a fresh start: what the command left behind dies with it */
	shim_kill_all_and_reap();
	if (ended)
		send_msg(conn, SBX_REUSE_EXIT, wst);
	return 0;
}

/* The forker's live keepers, by pid. */
struct keepers {
	pid_t *v;
	size_t n, cap;
};

static bool keepers_add(struct keepers *k)
{
	if (k->n < k->cap)
		return true;
	size_t cap = k->cap ? k->cap * 2 : 16;
	pid_t *v = realloc(k->v, cap * sizeof(*v));
	if (!v)
		return false;
	k->v = v;
	k->cap = cap;
	return true;
}

static bool keepers_drop(struct keepers *k, pid_t pid)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i] == pid) {
			k->v[i] = k->v[--k->n];
			return true;
		}
	return false;
}

/* The keeper forked ahead of its connection: the next connection is
 * handed to it (a message) instead of a fork on the client's time. It is
 * a keeper from its fork on (the reaper spares it) and waits for nothing
 * but its pair: at EOF, the forker gone, it ends. */
struct spare {
	pid_t pid; /* or -1 */
	int fd;    /* the forker's end of its pair */
};

static void spare_drop(struct spare *s)
{
	if (s->fd >= 0)
		close(s->fd);
	*s = (struct spare){.pid = -1, .fd = -1};
}

static void spare_start(const struct shim_config *c, struct keepers *k, struct spare *s, int sigfd)
{
	int sp[2];
	if (s->pid > 0 || !keepers_add(k) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(sp[0]);
		close(c->serve_chan);
		close(sigfd);
		struct shim_msg m;
		int conn = -1;
		if (shim_msg_recv(sp[1], &m, &conn) < 0 || m.type != SHIM_MSG_CONN || conn < 0)
			_exit(0);
		close(sp[1]);
		_exit(keeper(c, conn));
	}
	close(sp[1]);
	if (pid < 0) {
		close(sp[0]);
		return;
	}
	k->v[k->n++] = pid;
	*s = (struct spare){.pid = pid, .fd = sp[0]};
}

/* Reaps the forker's children; a child that is not a keeper was left by
 * a command whose keeper died (killed by that command): it is killed
 * with everything below it, and what it leaves comes here in turn. */
static void reap(struct keepers *k, struct spare *spare, int sigfd)
{
	struct signalfd_siginfo si;
	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	pid_t w;
	while ((w = waitpid(-1, NULL, WNOHANG)) > 0) {
		keepers_drop(k, w);
		if (w == spare->pid) /* (killed by a command: the next is forked) */
			spare_drop(spare);
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
	FILE *f = fopen(path, "re");
	int child;
	while (f && fscanf(f, "%d", &child) == 1) {
		bool keeper = false;
		for (size_t i = 0; i < k->n && !keeper; i++)
			keeper = k->v[i] == child;
		if (!keeper)
			shim_kill_tree(child);
	}
	if (f)
		fclose(f);
}

_Noreturn void shim_reuse_forker(struct shim_config *c)
{
	/* the keepers find what a command leaves through /proc */
	DIR *d = opendir("/proc/self/task");
	if (!d) {
		shim_fail(c, "--reuse: cannot list this process's threads in /proc: %s",
		          strerror(errno));
		_exit(125);
	}
	closedir(d);
	/* What the fresh start's exec would have closed: the descriptors of
	 * the setup (some open host paths beneath the views) and the filter's
	 * listener; only the pair stays. And the commands, of our uid and
	 * in our pid namespace, must not open our /proc/PID/fd or mem: a
	 * keeper is no more theirs to look into than init is (the exec of
	 * each command makes it dumpable again). */
	if (dup2(c->serve_chan, 3) < 0 || syscall(SYS_close_range, 4, ~0U, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		shim_fail(c, "--reuse: cannot close the setup's descriptors: %s", strerror(errno));
		_exit(125);
	}
	c->serve_chan = 3;
	note_forker_state();
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		shim_fail(c, "--reuse: cannot become the commands' subreaper: %s", strerror(errno));
		_exit(125);
	}
	struct keepers k = {0};
	struct spare spare = {.pid = -1, .fd = -1};
	spare_start(c, &k, &spare, sigfd);
	for (;;) {
		struct pollfd p[2] = {{.fd = c->serve_chan, .events = POLLIN},
		                      {.fd = sigfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(125);
		}
		if (p[1].revents)
			reap(&k, &spare, sigfd);
		if (!p[0].revents)
			continue;
		struct shim_msg m;
		int fd = -1;
		if (shim_msg_recv(c->serve_chan, &m, &fd) < 0)
			_exit(0); /* the supervisor is gone: so is the sandbox */
		if (m.type != SHIM_MSG_CONN || fd < 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		/* the spare, else (it died, or none could be made) a fork now */
		bool handed = spare.pid > 0 && shim_msg_send(spare.fd, SHIM_MSG_CONN, 0, fd) == 0;
		spare_drop(&spare); /* (handed on, or dead: either way not one now) */
		if (!handed) {
			pid_t pid = keepers_add(&k) ? fork() : -1;
			if (pid == 0) {
				close(c->serve_chan);
				close(sigfd);
				_exit(keeper(c, fd));
			}
			if (pid > 0)
				k.v[k.n++] = pid;
			else
				send_msg(fd, SBX_REUSE_REFUSED, 0);
		}
		close(fd);
		spare_start(c, &k, &spare, sigfd); /* for the next one */
	}
}

int shim_serve(const char *prog, int argc, char **argv, char **envp, int lfd, const char *path,
               pid_t parent, int parent_fd)
{
	struct shim_config c = {.prog = prog, .envp = envp, .stage_fd = -1, .serve_chan = -1};
	int r = shim_parse(&c, argc, argv);
	if (r <= 0 || shim_reuse_check(&c) < 0) {
		unlink(path); /* no server behind the name: the clients see none */
		shim_free_config(&c);
		return 125;
	}
	c.serving = true;
	c.serve_lfd = lfd;
	c.serve_path = path;
	c.serve_parent = parent;
	c.serve_parent_fd = parent_fd;
	c.serve_opts = argv;
	c.serve_nopts = streq(argv[r - 1], "--") ? (size_t)r - 1 : (size_t)r;
	struct stat st;
	if (c.chdir) {
		if (stat(c.chdir, &st) < 0) {
			unlink(path);
			shim_free_config(&c);
			return 125; /* the clients start afresh, which says why */
		}
		c.serve_cwd_dev = st.st_dev;
		c.serve_cwd_ino = st.st_ino;
	}
	int status = shim_supervise(&c);
	/* (serve_stop took the name away unless the sandbox never started:
	 * then so must we, or the name stays behind the parent) */
	if (c.serve_lfd >= 0)
		unlink(path);
	shim_free_config(&c);
	return status;
}
