/* init.c: pid 1 of the sandbox's pid namespace. It builds the view (mounts,
 * loopback, the working directory by its path inside the view), takes the
 * command's Landlock domain, then forks the command and stays: it answers
 * the command's seccomp notifications (no-exec, unix listeners, the socket
 * gate: notify.c, gate.c), reaps orphans, forwards signals, and reports the
 * command's wait status to the supervisor (sync point 3).
 *
 * Init acts for the command inside the sandbox, so it is confined like it:
 * same namespaces, same mount tree, same Landlock domain (the command is
 * forked into it), and it runs nothing but this loop. It keeps the user
 * namespace's capabilities, which reach nothing outside the namespaces,
 * and Landlock denies it mount changes; the command drops them all before
 * its exec. If init dies, the kernel ends the pid namespace and fails the
 * pending notifications: closed, not open. */
#include "shim.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>

struct init_state {
	pid_t cmd;
	int csync; /* the command's end of (2) */
	struct shim_notify_state ns;
	size_t ngate; /* this turn's descriptors of the gate */
};

/* Init's descriptors for one turn of the loop (lib/supervise.c): the
 * command's end of (2), the seccomp listener, the gate's connects. */
static size_t init_fds(void *arg, struct pollfd *p, size_t max, int *ms)
{
	struct init_state *s = arg;
	p[0] = (struct pollfd){.fd = s->csync, .events = POLLIN};
	p[1] = (struct pollfd){.fd = s->ns.fd, .events = POLLIN};
	s->ngate = shim_gate_pollfds(&s->ns, p + 2, max - 2);
	*ms = shim_gate_wait_ms(&s->ns);
	return 2 + s->ngate;
}

static void init_ready(void *arg, struct pollfd *p, size_t n)
{
	struct init_state *s = arg;
	(void)n;
	if (s->ngate || s->ns.npend)
		shim_gate_poll_done(&s->ns, p + 2, s->ngate);
	if (s->ns.fd >= 0 && p[1].revents && shim_notify_poll(&s->ns, p[1].revents) < 0) {
		close(s->ns.fd);
		s->ns.fd = -1;
	}
	if (p[0].revents & (POLLIN | POLLHUP)) {
		struct shim_msg m;
		int fd = -1;
		if (shim_msg_recv(s->csync, &m, &fd) < 0) {
			close(s->csync);
			s->csync = -1;
		} else if (m.type == SHIM_MSG_NOTIFY_FD && fd >= 0 && s->ns.fd < 0) {
			s->ns.fd = fd; /* (2) */
			shim_notify_sync_wakeup(fd);
		} else if (fd >= 0) {
			close(fd);
		}
	}
}

struct command_arg {
	struct shim_config *c;
	int sigfd, ours, theirs, sync;
	const sigset_t *oldmask;
};

static int command_main(void *arg)
{
	const struct command_arg *a = arg;
	close(a->sigfd);
	close(a->ours);
	close(a->sync);
	sigprocmask(SIG_SETMASK, a->oldmask, NULL);
	_exit(shim_contain_command(a->c, a->theirs));
}

/* The command's process, sharing our memory until its execve
 * (shim_spawn_shared; what it changes before then is its own process's
 * state: credentials, descriptors, filter, domain; the heap it leaves
 * behind is ours). Not with no-exec, where we answer its own execve
 * (notify.c), which we could not while we wait for it, nor for --reuse,
 * where it stays as the forker: a fork then. Nothing else it calls
 * between its filter and its execve is one we answer. */
static pid_t start_command(struct command_arg *a)
{
	if (a->c->no_exec || a->c->serving) {
		pid_t pid = fork();
		if (pid == 0)
			command_main(a);
		return pid;
	}
	return shim_spawn_shared(command_main, a);
}

int shim_init_main(struct shim_config *c, int sync, const sigset_t *oldmask)
{
	if (shim_contain_sandbox(c, sync) < 0)
		return 125;
	/* --report: the views' layers, for the supervisor to read at the end */
	if (c->stage_fd >= 0) {
		int sent = shim_msg_send(sync, SHIM_MSG_STAGE, 0, c->stage_fd);
		close(c->stage_fd);
		c->stage_fd = -1;
		if (sent < 0)
			return shim_fail(c, "report: cannot hand the views to the supervisor"), 125;
	}
	/* net=allowlist: the listeners on the sandbox's loopback, served by
	 * the supervisor from the host's network (proxy.c) */
	for (size_t i = 0; i <= c->nforward && (c->proxy_port || c->nforward); i++) {
		int port = i < c->nforward ? c->forward[i] : c->proxy_port;
		if (!port)
			continue;
		int fd = shim_proxy_listen(c, port);
		if (fd < 0)
			return 125;
		int sent = shim_msg_send(sync, SHIM_MSG_LISTEN, i < c->nforward ? port : 0, fd);
		close(fd);
		if (sent < 0)
			return shim_fail(c, "allowlist: cannot hand a listener to the supervisor"),
			       125;
	}
	if (shim_contain_init(c) < 0)
		return 125;
	struct init_state s = {.csync = -1};
	/* (the create gate's table is read in the view, before the command
	 * runs) */
	shim_notify_init(&s.ns, c, -1);
	if (shim_create_prepare(&s.ns) < 0)
		return 125;
	int cs[2];
	/* pid 1: every orphan is ours to reap; the signals (blocked since
	 * the supervisor's start) are passed on to the command */
	struct sbx_sup loop = {.reap_any = true, .forward = true, .sigfd = -1, .arg = &s};
	int e = sbx_sup_open(&loop);
	if (e < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cs) < 0) {
		shim_fail(c, "init: %s", strerror(e < 0 ? -e : errno));
		return 125;
	}
	shim_take_filter(c, sync); /* (1b), for the command to inherit */
	struct command_arg a = {c, loop.sigfd, cs[0], cs[1], sync, oldmask};
	s.cmd = start_command(&a);
	if (s.cmd < 0) {
		shim_fail(c, "fork: %s", strerror(errno));
		return 125;
	}
	close(cs[1]);
	if (c->serving) /* --reuse: the forker's, not ours */
		close(c->serve_chan);
	s.csync = cs[0];
	loop.child = s.cmd;
	loop.fds = init_fds;
	loop.ready = init_ready;
	int wst = 0;
	sbx_sup_loop(&loop, &wst); /* no deadline: the supervisor has it */
	if (c->report) {
		shim_msg_send(sync, SHIM_MSG_DENIED_CONNECT, (int)s.ns.denied.connect, -1);
		shim_msg_send(sync, SHIM_MSG_DENIED_EXEC, (int)s.ns.denied.exec, -1);
		shim_msg_send(sync, SHIM_MSG_DENIED_CREATE, (int)s.ns.denied.create, -1);
	}
	/* (3) the supervisor turns this into its own exit */
	shim_msg_send(sync, SHIM_MSG_EXIT, wst, -1);
	return WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
}
