/* supervise.c: the supervising parent and, with a pid namespace, the
 * sandbox's init.
 *
 *   supervisor (outside every namespace; the process sbx-exec was started as)
 *     |  clone(CLONE_NEWUSER|NEWNS|NEWPID|NEWIPC[|NEWNET]) or fork
 *   init: pid 1 of the sandbox (only with a pid namespace; init.c): mounts,
 *     |  chdir, Landlock, then fork; answers the seccomp notifications,
 *     |  reaps orphans and forwards signals to the command
 *   command: privileges dropped, [Landlock,] seccomp, execve
 *     (--reuse, reuse.c: the supervisor also takes connections on the
 *     listener sbx-exec gave it and hands those it admits to the forker
 *     that stands where the command would; it ends with the parent)
 *
 * The supervisor writes the uid/gid maps, places the sandbox in its cgroup,
 * answers the notifications when there is no init, forwards signals,
 * enforces the timeout and, when the command ends, kills what is left
 * (killing init ends the whole pid namespace; without one it walks /proc as
 * the child subreaper), removes the cgroup and only then dies of the
 * command's signal if one killed it. A guard process outside the sandbox
 * removes the cgroup if the supervisor itself is killed (cgroup.c).
 *
 * Sync points on the SOCK_SEQPACKET pair (numbers match the child side):
 *   (1) supervisor -> child  SHIM_MSG_GO once maps and cgroup are in place;
 *       EOF or anything else makes the child exit 125
 *   (1b) supervisor -> child SHIM_MSG_FILTER right after: the seccomp
 *       program (seccomp.c), taken before the command's process is made
 *   (2) command -> init (or the supervisor without init)
 *                             SHIM_MSG_NOTIFY_FD with the seccomp listener
 *   (3) init -> supervisor    SHIM_MSG_EXIT with the command's wait status
 *
 * Signals: INT, TERM, HUP, QUIT, USR1, USR2 and WINCH sent to the
 * supervisor by a process (si_code SI_USER/SI_QUEUE/SI_TKILL) are forwarded.
 * Terminal-generated ones (SI_KERNEL) already reached the command, which is
 * in the same foreground process group, and are not sent twice. */
#include "shim.h"
#include "proxy.h"

#include <cap-ng.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

int shim_msg_send(int sock, int type, int value, int fd)
{
	struct shim_msg m = {type, value};
	struct iovec iov = {&m, sizeof(m)};
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(m) ? 0 : -1;
}

int shim_msg_recv(int sock, struct shim_msg *m, int *fd)
{
	struct iovec iov = {m, sizeof(*m)};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (fd)
		*fd = -1;
	if (n != (ssize_t)sizeof(*m))
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
		int got;
		memcpy(&got, CMSG_DATA(cm), sizeof(int));
		if (fd)
			*fd = got;
		else
			close(got);
	}
	return 0;
}

/* Sends SIGKILL to every descendant of root found through /proc. */
static void kill_descendants(pid_t root)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)root);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char cpath[320];
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%s/children", (int)root, e->d_name);
		FILE *f = fopen(cpath, "re");
		if (!f)
			continue;
		int child;
		while (fscanf(f, "%d", &child) == 1) {
			/* Stop it first so it cannot fork while we walk below it. */
			kill(child, SIGSTOP);
			kill_descendants(child);
			kill(child, SIGKILL);
		}
		fclose(f);
	}
	closedir(d);
}

void shim_kill_tree(pid_t pid)
{
	kill(pid, SIGSTOP);
	kill_descendants(pid);
	kill(pid, SIGKILL);
}

/* Kills and reaps everything below us until nothing is left. */
void shim_kill_all_and_reap(void)
{
	for (;;) {
		/* No child at all, not even one to reap: then nothing is below
		 * us (every descendant is below one of our children), and the
		 * walk through /proc, 0.02 ms, would find nothing. */
		pid_t w = waitpid(-1, NULL, WNOHANG);
		if (w < 0 && errno == ECHILD)
			return;
		if (w > 0)
			continue;
		kill_descendants(getpid());
		if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
			return;
	}
}

/* Maps the caller's uid and gid to themselves inside the new user
 * namespace; for root, every uid and gid to itself, so files of other
 * users keep their owners (and root its access to them, privs.c). */
static int write_id_maps(const struct shim_config *c, pid_t pid)
{
	char path[64], map[64];
	if (!c->host_root) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		int e = sbx_write_existing(path, "deny");
		if (e < 0 && e != -ENOENT)
			return shim_fail(c, "user namespace: cannot write %s: %s", path,
			                 strerror(-e));
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (c->host_root)
		snprintf(map, sizeof(map), "0 0 4294967295\n");
	else
		snprintf(map, sizeof(map), "%d %d 1\n", (int)geteuid(), (int)geteuid());
	int e = sbx_write_existing(path, map);
	if (e < 0)
		return shim_fail(c, "user namespace: cannot write %s: %s", path, strerror(-e));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	if (c->host_root)
		snprintf(map, sizeof(map), "0 0 4294967295\n");
	else
		snprintf(map, sizeof(map), "%d %d 1\n", (int)getegid(), (int)getegid());
	if ((e = sbx_write_existing(path, map)) < 0)
		return shim_fail(c, "user namespace: cannot write %s: %s", path, strerror(-e));
	return 0;
}

/* Root of the initial user namespace (or of one that maps every id):
 * able to write full id maps. Root inside another sandbox is not. */
static bool is_host_root(void)
{
	uint64_t ids = 1ULL << CAP_SETUID | 1ULL << CAP_SETGID;
	if (geteuid() != 0 || getegid() != 0 || (shim_effective_caps() & ids) != ids)
		return false;
	FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a = 0, b = 0, n = 0;
	bool full =
	    f && fscanf(f, "%lu %lu %lu", &a, &b, &n) == 3 && a == 0 && b == 0 && n == 4294967295UL;
	if (f)
		fclose(f);
	return full;
}

/* The CPUs the caller lets us run on, read before the clone (so the
 * sandbox's copy has them too), or none known. */
static cpu_set_t caller_cpus;
static bool caller_cpus_known;

/* (2) The new process starts on another CPU than ours. The scheduler
 * mostly places a child on its parent's CPU, where it waits until the
 * parent sleeps (measured: 36 starts of 40, 0.28 ms each): the sandbox's
 * mounts would wait for the filter's build (1b) instead of running beside
 * it. The child takes the caller's set back at "go" (shim_wait_for_go),
 * before it runs anything of the command's, so the command's affinity is
 * the caller's. */
static void start_elsewhere(pid_t child)
{
	int cpu = sched_getcpu();
	if (!caller_cpus_known || cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &caller_cpus) ||
	    CPU_COUNT(&caller_cpus) < 2)
		return;
	cpu_set_t others = caller_cpus;
	CPU_CLR(cpu, &others);
	sched_setaffinity(child, sizeof(others), &others); /* (only a hint) */
}

void shim_wait_for_go(const struct shim_config *c, int sync)
{
	struct shim_msg m;
	if (shim_msg_recv(sync, &m, NULL) < 0 || m.type != SHIM_MSG_GO)
		_exit(125);
	/* the caller's CPUs again (start_elsewhere), or nothing runs */
	cpu_set_t now;
	if (caller_cpus_known && sched_getaffinity(0, sizeof(now), &now) == 0 &&
	    !CPU_EQUAL(&now, &caller_cpus) &&
	    sched_setaffinity(0, sizeof(caller_cpus), &caller_cpus) < 0) {
		shim_fail(c, "cannot give the sandbox the caller's CPUs again: %s",
		          strerror(errno));
		_exit(125);
	}
}

/* (1b) The seccomp program, built while the sandbox makes its mounts. */
static void send_filter(const struct shim_config *c, int sync)
{
	if (c->direct)
		return;
	int fd = shim_seccomp_export(c);
	shim_msg_send(sync, SHIM_MSG_FILTER, getuid() == 0, fd);
	if (fd >= 0)
		close(fd);
}

void shim_take_filter(struct shim_config *c, int sync)
{
	struct shim_msg m;
	int fd = -1;
	if (c->direct || shim_msg_recv(sync, &m, &fd) < 0)
		return;
	if (m.type == SHIM_MSG_FILTER)
		shim_seccomp_take(c, fd, m.value != 0);
	if (fd >= 0)
		close(fd);
}

/* The child of the supervisor: init with a pid namespace, else the command. */
static int child_main(struct shim_config *c, int sync, pid_t parent, const sigset_t *oldmask)
{
	/* In a new pid namespace the parent is outside it (getppid() is 0);
	 * if it died before PDEATHSIG was set, (1) sees EOF and we stop. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || (!c->pidns && getppid() != parent))
		return 125;
	if (c->pidns)
		return shim_init_main(c, sync, oldmask);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (shim_contain_sandbox(c, sync) < 0)
		return 125;
	shim_take_filter(c, sync); /* (1b) */
	return shim_contain_command(c, sync);
}

static bool userns_deferred; /* shim_defer_userns */

void shim_defer_userns(void)
{
	userns_deferred = true;
}

static pid_t spawn(const struct shim_config *c)
{
	if (!c->userns)
		return fork();
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD;
	if (c->pidns)
		flags |= CLONE_NEWPID;
	if (c->ipcns)
		flags |= CLONE_NEWIPC;
	if (c->netns)
		flags |= CLONE_NEWNET;
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

struct sup {
	const struct shim_config *c;
	struct sbx_sup loop; /* lib/supervise.c */
	pid_t child;
	int sync;
	struct shim_notify_state ns; /* without init: the listener is ours */
	bool have_exit;
	int exit_status;
	bool timed_out;
	int stage;              /* --report: the staging tmpfs from init, or -1 */
	int lfd[17], lport[17]; /* net=allowlist: listeners from init (proxy.c) */
	size_t nl;
	size_t proxy_kids;          /* connections being served (bounded) */
	struct shim_denials denied; /* counted by init (and the proxy's hosts) */
	int notes[2];               /* --report: the proxy children's notes, or -1 */
	buf note_buf;
	size_t gate_at, ngate; /* this turn's descriptors of the gate */
	int chan;              /* --reuse: our end of the forker's pair, or -1 */
	size_t serve_at;       /* this turn's listener and parent pidfd */
};

/* --reuse: stops taking commands (the name goes first, so a new one
 * starts afresh) and ends the sandbox. */
static void serve_stop(struct sup *s, bool end_sandbox)
{
	struct shim_config *c = (struct shim_config *)s->c;
	if (c->serve_lfd < 0)
		return;
	unlink(c->serve_path);
	close(c->serve_lfd);
	c->serve_lfd = -1;
	if (end_sandbox)
		kill(s->child, SIGKILL);
}

/* --reuse: a connection to the listener, handed to the forker when its
 * peer may use this sandbox (reuse.c); else closed. */
static void serve_accept(struct sup *s)
{
	int conn = accept4(s->c->serve_lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0)
		return;
	/* blocking again: the sandbox's side reads it with poll */
	int fl = fcntl(conn, F_GETFL);
	if (fl < 0 || fcntl(conn, F_SETFL, fl & ~O_NONBLOCK) < 0 || !shim_reuse_admit(s->c, conn) ||
	    shim_msg_send(s->chan, SHIM_MSG_CONN, 0, conn) < 0) {
		close(conn);
		return;
	}
	close(conn);
}

/* Takes a message from the sandbox side (2, 3); false at EOF. */
static bool take_message(struct sup *s)
{
	struct shim_msg m;
	int fd = -1;
	if (shim_msg_recv(s->sync, &m, &fd) < 0)
		return false;
	if (m.type == SHIM_MSG_NOTIFY_FD && fd >= 0 && s->ns.fd < 0) {
		s->ns.fd = fd;
		shim_notify_sync_wakeup(fd);
	} else if (m.type == SHIM_MSG_EXIT) {
		s->have_exit = true;
		s->exit_status = m.value;
	} else if (m.type == SHIM_MSG_LISTEN && fd >= 0 && s->nl < ARRAY_SIZE(s->lfd)) {
		s->lfd[s->nl] = fd;
		s->lport[s->nl++] = m.value;
	} else if (m.type == SHIM_MSG_STAGE && fd >= 0 && s->stage < 0) {
		s->stage = fd;
	} else if (m.type == SHIM_MSG_DENIED_CONNECT) {
		s->denied.connect = (unsigned long)m.value;
	} else if (m.type == SHIM_MSG_DENIED_EXEC) {
		s->denied.exec = (unsigned long)m.value;
	} else if (m.type == SHIM_MSG_DENIED_CREATE) {
		s->denied.create = (unsigned long)m.value;
	} else if (fd >= 0) {
		close(fd);
	}
	return true;
}

/* The proxy's notes so far, counted line by line. */
static void take_notes(struct sup *s)
{
	char chunk[4096];
	ssize_t n;
	while ((n = read(s->notes[0], chunk, sizeof(chunk))) > 0)
		buf_addn(&s->note_buf, chunk, (size_t)n);
	size_t used = 0;
	char *nl;
	while (s->note_buf.s && (nl = memchr(s->note_buf.s + used, '\n', s->note_buf.len - used))) {
		*nl = '\0';
		shim_report_note(&s->denied, s->note_buf.s + used);
		used = (size_t)(nl - s->note_buf.s) + 1;
	}
	if (used) {
		memmove(s->note_buf.s, s->note_buf.s + used, s->note_buf.len - used);
		s->note_buf.len -= used;
	}
}

/* The supervisor's descriptors for one turn of the loop (lib/supervise.c):
 * the sandbox side's messages, the seccomp listener when there is no init
 * (and the connects the gate has under way), the allowlist proxy's
 * listeners from init, the proxy's notes. */
static size_t sup_fds(void *arg, struct pollfd *p, size_t max, int *ms)
{
	struct sup *s = arg;
	size_t n = 0;
	p[n++] = (struct pollfd){.fd = s->sync, .events = POLLIN};
	p[n++] = (struct pollfd){.fd = s->ns.fd, .events = POLLIN};
	p[n++] = (struct pollfd){.fd = s->notes[0], .events = POLLIN};
	for (size_t i = 0; i < s->nl && n < max; i++)
		p[n++] = (struct pollfd){.fd = s->lfd[i], .events = POLLIN};
	s->gate_at = n;
	s->ngate = shim_gate_pollfds(&s->ns, p + n, max - n);
	int gms = shim_gate_wait_ms(&s->ns);
	if (gms >= 0 && (*ms < 0 || gms < *ms))
		*ms = gms;
	n += s->ngate;
	s->serve_at = n;
	if (s->c->serving && n + 2 <= max) {
		p[n++] = (struct pollfd){.fd = s->c->serve_lfd, .events = POLLIN};
		p[n++] = (struct pollfd){.fd = s->c->serve_parent_fd, .events = POLLIN};
	}
	return n;
}

static void sup_ready(void *arg, struct pollfd *p, size_t n)
{
	struct sup *s = arg;
	(void)n;
	if (s->ngate || s->ns.npend)
		shim_gate_poll_done(&s->ns, p + s->gate_at, s->ngate);
	if (s->c->serving && s->serve_at + 2 <= n) {
		if (p[s->serve_at + 1].revents) /* the parent is gone */
			serve_stop(s, true);
		else if (p[s->serve_at].revents & POLLIN)
			serve_accept(s);
	}
	for (size_t i = 0; i < s->nl; i++) {
		if (!(p[3 + i].revents & POLLIN))
			continue;
		/* a child per connection, reaped by the loop like any other;
		 * past the bound a connection is accepted and closed at once */
		bool full = s->proxy_kids >= SBX_PROXY_MAX_CONNECTIONS;
		if (shim_proxy_accept(s->c, s->lfd[i], s->lport[i], full, s->notes[1]) > 0)
			s->proxy_kids++;
	}
	if (s->notes[0] >= 0 && (p[2].revents & POLLIN))
		take_notes(s);
	if (s->ns.fd >= 0 && p[1].revents && shim_notify_poll(&s->ns, p[1].revents) < 0) {
		close(s->ns.fd);
		s->ns.fd = -1;
	}
	if ((p[0].revents & (POLLIN | POLLHUP)) && !take_message(s)) {
		/* EOF: the sandbox side is gone; poll skips fd -1 */
		close(s->sync);
		s->sync = -1;
	}
}

static void sup_reaped(void *arg, pid_t pid, int wstatus)
{
	struct sup *s = arg;
	(void)pid, (void)wstatus;
	if (s->proxy_kids)
		s->proxy_kids--; /* a connection served */
}

/* Runs the loop; returns the wait status to report, or -1 after the
 * timeout. */
static int supervise_loop(const struct shim_config *c, struct sup *s)
{
	s->loop.child = s->child;
	s->loop.deadline = c->timeout > 0 ? sbx_sup_now() + c->timeout : 0;
	s->loop.arg = s;
	s->loop.fds = sup_fds;
	s->loop.ready = sup_ready;
	s->loop.reaped = sup_reaped;
	int st = 0;
	if (sbx_sup_loop(&s->loop, &st) == 1) {
		kill(s->child, SIGKILL);
		shim_kill_all_and_reap();
		s->timed_out = true;
		return -1;
	}
	shim_kill_all_and_reap();
	/* With a pid namespace the command's status comes from init (3). */
	while (c->pidns && s->sync >= 0 && !s->have_exit && take_message(s))
		;
	return c->pidns && s->have_exit ? s->exit_status : st;
}

void shim_warn_created(const char *prog, const char *path)
{
	fprintf(stderr,
	        "%s: warning: %s appeared during the run (the command or the host made it); it "
	        "can make code run later outside the sandbox: review it\n",
	        prog, path);
}

int shim_supervise(struct shim_config *c)
{
	/* The signals are blocked from here on, in the sandbox's processes too
	 * until the command is made (child_main, init.c), so none is lost. */
	struct sup s = {.c = c, .sync = -1, .stage = -1, .notes = {-1, -1}, .chan = -1};
	s.loop = (struct sbx_sup){.reap_any = true, .forward = true, .sigfd = -1};
	int e = sbx_sup_open(&s.loop);
	if (e < 0) {
		shim_fail(c, "signals: %s", strerror(-e));
		return 125;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		shim_fail(c, "cannot become a child subreaper: %s", strerror(errno));
		return 125;
	}
	struct shim_cgroup cg = {0};
	if (shim_cgroup_create(c, &cg) < 0)
		return 125;
	int sp[2], ch[2] = {-1, -1};
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0 ||
	    (c->serving && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch) < 0)) {
		shim_fail(c, "socketpair: %s", strerror(errno));
		shim_cgroup_destroy(&cg);
		return 125;
	}
	/* Without init the supervisor answers the socket gate (gate.c): its
	 * allowed places, and the abstract-socket scope it connects under. */
	if (c->unix_gate && !c->pidns &&
	    (shim_gate_prepare(c) < 0 || shim_landlock_scope_abstract(c) < 0)) {
		close(sp[0]);
		close(sp[1]);
		shim_cgroup_destroy(&cg);
		return 125;
	}
	pid_t parent = getpid();
	c->host_root = is_host_root();
	c->keep_caps = shim_root_file_caps(c->userns, c->host_root);
	caller_cpus_known = sched_getaffinity(0, sizeof(caller_cpus), &caller_cpus) == 0;
	pid_t pid = spawn(c);
	if (pid < 0) {
		int clone_err = errno;
		shim_cgroup_destroy(&cg);
		if (userns_deferred && c->userns && !c->serving) {
			/* nothing started: back to sbx-exec as we came (entry.h) */
			userns_deferred = false;
			close(sp[0]);
			close(sp[1]);
			sbx_sup_close(&s.loop);
			return SHIM_RETRY_USERNS;
		}
		shim_fail(c, "cannot create the sandbox's namespaces: %s", strerror(clone_err));
		return 125;
	}
	if (pid == 0) {
		close(sp[0]);
		close(s.loop.sigfd);
		if (c->serving) {
			close(ch[0]);
			close(c->serve_lfd);
			close(c->serve_parent_fd);
			c->serve_chan = ch[1];
		}
		_exit(child_main(c, sp[1], parent, &s.loop.oldmask));
	}
	close(sp[1]);
	if (c->serving) {
		close(ch[1]);
		s.chan = ch[0];
	}
	s.child = pid;
	start_elsewhere(pid);
	s.sync = sp[0];
	if (c->report && c->proxy_port && pipe2(s.notes, O_CLOEXEC | O_NONBLOCK) < 0)
		s.notes[0] = s.notes[1] = -1;
	shim_notify_init(&s.ns, c, -1);
	int wst = -1, rc = 0;
	if ((c->userns && write_id_maps(c, pid) < 0) || shim_cgroup_attach(c, &cg, pid) < 0 ||
	    shim_msg_send(s.sync, SHIM_MSG_GO, 0, -1) < 0) { /* (1) */
		kill(pid, SIGKILL);
		shim_kill_all_and_reap();
		rc = 125;
	} else {
		send_filter(c, s.sync);
		wst = supervise_loop(c, &s);
	}
	if (s.notes[0] >= 0) {
		close(s.notes[1]);
		take_notes(&s);
		close(s.notes[0]);
	}
	buf_free(&s.note_buf);
	if (!rc && (c->report || c->keep_dir))
		shim_report(c, s.stage, c->pidns ? &s.denied : &s.ns.denied);
	if (s.stage >= 0)
		close(s.stage);
	/* (the children serving connections were killed and reaped with
	 * everything else the supervisor started: shim_kill_all_and_reap) */
	for (size_t i = 0; i < s.nl; i++)
		close(s.lfd[i]);
	shim_notify_free(&s.ns);
	if (s.sync >= 0)
		close(s.sync);
	if (c->serving) {
		serve_stop(&s, false); /* (the sandbox was reaped) */
		close(s.chan);
	}
	if (wst != -1 && WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL && shim_cgroup_oom(&cg))
		fprintf(stderr,
		        "%s: the command was killed: it reached the memory cap of %lld bytes\n",
		        c->prog, (long long)c->memory);
	shim_cgroup_destroy(&cg);
	if (rc)
		return rc;
	/* what the profile would protect, made during the run: said plainly */
	for (size_t i = 0; i < c->watch_created.n; i++) {
		struct stat st;
		if (lstat(c->watch_created.v[i], &st) == 0)
			shim_warn_created(c->prog, c->watch_created.v[i]);
	}
	if (s.timed_out) {
		fprintf(stderr, "%s: timed out after %gs; the sandbox was killed\n", c->prog,
		        c->timeout);
		return 124;
	}
	return sbx_sup_die_like(wst, NULL, NULL);
}
