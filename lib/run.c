/* run.c: runs a compiled plan as a supervised child (the one loop,
 * lib/supervise.c): stdio, exit status, timeout, signals passed on as the
 * plan says, and the backend's cleanup on every path. Used by
 * sbx_runner_run and by sbx-exec for backends whose enforcing process needs
 * someone to clean up after it (docker, runsc). POSIX only. */
#include "internal.h"

#ifndef _WIN32
#include "proxy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

struct run_state {
	const struct sbx_plan *p;
	pid_t pid;
	int term_sig; /* the last INT, TERM, HUP or QUIT, whoever sent it */
};

/* Passes a signal on to the enforcing process, as the plan says (see
 * signal_argv in internal.h): the command decides what it does (a
 * container's command is not its pid 1: docker runs an init, gVisor has
 * none of pid 1's immunity), so nothing here tears the sandbox down early. */
static void pass_on(void *arg, int sig, bool from_process)
{
	struct run_state *r = arg;
	const struct sbx_plan *p = r->p;
	if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
		r->term_sig = sig;
	if (!p->signal_argv.n) {
		if (from_process)
			kill(r->pid, sig);
		return;
	}
	size_t n = p->signal_argv.n;
	const char *argv[n + 2];
	for (size_t i = 0; i < n; i++)
		argv[i] = p->signal_argv.v[i];
	char name[16];
	snprintf(name, sizeof(name), "%d", sig);
	argv[n] = name;
	argv[n + 1] = NULL;
	sbx_run_quiet((char *const *)argv);
}

int sbx_plan_write_files(const struct sbx_plan *p, sbx_error **err)
{
	if (!p->scratch_dir)
		return 0;
	if (mkdir(p->scratch_dir, 0700) < 0)
		return sbx_err_errno(err, -errno, "cannot create the private directory %s",
		                     p->scratch_dir);
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct sbx_plan_file *f = &p->files[i];
		_cleanup_free_ char *path = path_join_normalize(p->scratch_dir, f->name);
		if (!path)
			return sbx_err(err, -ENOMEM, "out of memory");
		if (!f->text) {
			/* the mode exactly, whatever the umask */
			if (mkdir(path, 0700) < 0 || chmod(path, f->mode) < 0 ||
			    (f->uid >= 0 && geteuid() == 0 &&
			     lchown(path, (uid_t)f->uid, (gid_t)f->gid) < 0))
				return sbx_err_errno(err, -errno, "cannot create %s", path);
			continue;
		}
		_cleanup_close_ int fd =
		    open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		size_t n = strlen(f->text);
		if (fd < 0 || write(fd, f->text, n) != (ssize_t)n || fchmod(fd, f->mode) < 0)
			return sbx_err_errno(err, -errno, "cannot write %s", path);
	}
	return 0;
}

static void cleanup(const struct sbx_plan *p)
{
	if (p->cleanup_argv.n)
		sbx_run_quiet(p->cleanup_argv.v);
	if (p->scratch_dir)
		sbx_remove_tree(p->scratch_dir);
}

/* The guard: a process outside the sandbox, not our child (a double fork,
 * so nothing kills it with the sandbox), out of the terminal's process
 * group, holding the read end of a pipe only we write. When we finish we
 * write one byte and it leaves; if we die first (SIGKILL), it sees EOF
 * and does the cleanup we could not: runsc delete, docker kill, the
 * scratch directory. Returns the write end, or -1 when there is nothing
 * to clean up (or no guard could be started: then as before). */
static int guard_start(const struct sbx_plan *p)
{
	if (!p->cleanup_argv.n && !p->scratch_dir)
		return -1;
	int g[2];
	if (pipe(g) < 0)
		return -1;
	fcntl(g[1], F_SETFD, FD_CLOEXEC);
	pid_t mid = fork();
	if (mid == 0) {
		close(g[1]);
		if (fork() != 0)
			_exit(0);
		setsid();
		if (chdir("/") < 0) {
			/* cleanup uses absolute paths only */
		}
		static const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
		for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
			signal(ignored[i], SIG_IGN);
		int null = open("/dev/null", O_RDWR);
		for (int fd = 0; fd <= 2 && null >= 0; fd++)
			if (fd != g[0])
				dup2(null, fd);
		for (int fd = 3; fd < 1024; fd++)
			if (fd != g[0])
				close(fd);
		char c;
		ssize_t n;
		while ((n = read(g[0], &c, 1)) < 0 && errno == EINTR)
			;
		if (n <= 0)
			cleanup(p);
		_exit(0);
	}
	close(g[0]);
	if (mid < 0) {
		close(g[1]);
		return -1;
	}
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	return g[1];
}

static void guard_release(int fd)
{
	if (fd < 0)
		return;
	if (write(fd, "d", 1) < 0) {
		/* the guard is gone already: nothing left to do */
	}
	close(fd);
}

/* What the child reports on the error pipe before _exit: which step failed
 * and its errno. */
enum { CHILD_EXEC = 0, CHILD_CHDIR = 1 };

/* Child side: wire stdio, restore signals, chdir, exec; report the failing
 * step and errno on the pipe. */
static void __attribute__((noreturn))
child(const struct sbx_plan *p, char *const *argv, char *const *envp, const sbx_stdio *io,
      const struct sbx_sup *sup, int errpipe, pid_t parent)
{
	if (io && io->in >= 0 && io->in != 0)
		dup2(io->in, 0);
	if (io && io->out >= 0 && io->out != 1)
		dup2(io->out, 1);
	if (io && io->err >= 0 && io->err != 2)
		dup2(io->err, 2);
	if (p->signal_argv.n) {
		/* every signal reaches the command through signal_argv */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
	}
	sbx_sup_child(sup);
	int msg[2] = {CHILD_CHDIR, 0};
#ifdef __linux__
	/* Dies with sbx-exec, even of SIGKILL; the guard tears down what the
	 * enforcing process started (guard_start). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(SBX_EXIT_SETUP);
#else
	(void)parent;
#endif
	if (!p->chdir || chdir(p->chdir) == 0) {
		msg[0] = CHILD_EXEC;
		execve(argv[0], argv, envp);
	}
	msg[1] = errno;
	if (write(errpipe, msg, sizeof(msg)) < 0) {
		/* the parent sees EOF and reports a generic failure */
	}
	_exit(msg[0] == CHILD_EXEC && msg[1] == ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC);
}

/* s with every SBX_PROXY_PORT_TOKEN replaced by port, into out. */
static int put_port(strv *out, const char *s, int port)
{
	_cleanup_buf_ buf b = {0};
	const char *t;
	while ((t = strstr(s, SBX_PROXY_PORT_TOKEN))) {
		buf_addn(&b, s, (size_t)(t - s));
		buf_addf(&b, "%d", port);
		s = t + strlen(SBX_PROXY_PORT_TOKEN);
	}
	buf_add(&b, s);
	return b.oom ? -ENOMEM : strv_push(out, b.s ? b.s : "");
}

/* The plan's proxy (sbx_plan.proxy): started, and argv (up to "--") and
 * env with its port. Fails closed: no proxy, no run. */
static int proxy_start(const struct sbx_plan *p, strv *argv, strv *env, pid_t *pid, int *ctl,
                       sbx_error **err)
{
	/* the server is forked in sbx_proxy_start and never returns: px
	 * stays valid for it */
	struct sbx_proxy px = {.prog = "sbx", .allow_host = &p->proxy_hosts, .note_fd = -1};
	int port = sbx_proxy_start(&px, pid, ctl);
	if (port < 0)
		return sbx_err_errno(err, port, "allowlist: cannot serve the proxy on 127.0.0.1");
	bool ours = true;
	for (size_t i = 0; i < p->argv.n; i++) {
		int r = ours ? put_port(argv, p->argv.v[i], port) : strv_push(argv, p->argv.v[i]);
		if (r < 0)
			return sbx_err(err, r, "out of memory");
		if (streq(p->argv.v[i], "--"))
			ours = false;
	}
	for (size_t i = 0; i < p->env.n; i++)
		if (put_port(env, p->env.v[i], port) < 0)
			return sbx_err(err, -ENOMEM, "out of memory");
	return 0;
}

int sbx_plan_run(const struct sbx_plan *p, const sbx_stdio *io, bool forward_signals,
                 struct sbx_run_result *res, sbx_error **err)
{
	*res = (struct sbx_run_result){0};
	if (!p->argv.n)
		return sbx_err(err, -EINVAL, "empty plan");
	int r = sbx_plan_write_files(p, err);
	if (r < 0) {
		/* only what we made: a directory that was there is not ours */
		if (r != -EEXIST)
			cleanup(p);
		return r;
	}
	if (p->prepare && (r = p->prepare(p, err)) != 0) {
		cleanup(p);
		if (r < 0)
			return r;
		res->status = r; /* 126, 127: the command is not there */
		res->not_started = true;
		return 0;
	}
	_cleanup_strv_ strv argv = {0}, env = {0};
	pid_t proxy = -1;
	int proxy_ctl = -1;
	if (p->proxy && (r = proxy_start(p, &argv, &env, &proxy, &proxy_ctl, err)) < 0) {
		sbx_proxy_stop(proxy, proxy_ctl);
		cleanup(p);
		return r;
	}
	char *const *run_argv = p->proxy ? argv.v : p->argv.v;
	char *const *run_env = p->proxy ? env.v : p->env.v;
	int ep[2];
	if (pipe(ep) < 0) {
		r = sbx_err_errno(err, -errno, "pipe");
		sbx_proxy_stop(proxy, proxy_ctl);
		cleanup(p);
		return r;
	}
	fcntl(ep[0], F_SETFD, FD_CLOEXEC);
	fcntl(ep[1], F_SETFD, FD_CLOEXEC);
	struct run_state rs = {.p = p};
	struct sbx_sup sup = {
	    .forward = forward_signals,
	    .deadline = p->runner_timeout > 0 ? sbx_sup_now() + p->runner_timeout : 0,
	    .arg = &rs,
	    .signal = pass_on,
	};
	if ((r = sbx_sup_open(&sup)) < 0) {
		close(ep[0]);
		close(ep[1]);
		sbx_proxy_stop(proxy, proxy_ctl);
		cleanup(p);
		return sbx_err_errno(err, r, "signals");
	}
	int guard = guard_start(p);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(ep[0]);
		if (guard >= 0)
			close(guard);
		child(p, run_argv, run_env, io, &sup, ep[1], parent);
	}
	int rc = 0;
	close(ep[1]);
	if (pid < 0) {
		rc = sbx_err_errno(err, -errno, "fork");
		goto out;
	}
	int msg[2] = {0, 0};
	ssize_t got;
	while ((got = read(ep[0], msg, sizeof(msg))) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof(msg)) {
		waitpid(pid, NULL, 0);
		const char *what = msg[0] == CHILD_CHDIR ? "change to" : "execute";
		const char *arg = msg[0] == CHILD_CHDIR ? p->chdir : run_argv[0];
		rc = sbx_err(err, -msg[1], "cannot %s %s: %s", what, arg, strerror(msg[1]));
		goto out;
	}
	sup.child = rs.pid = pid;
	int wstatus = 0;
	if (sbx_sup_loop(&sup, &wstatus) == 1) {
		res->timed_out = true;
		/* the enforcing process first: runsc run holds the container's
		 * lock, and runsc delete would wait for it to let go */
		kill(pid, SIGKILL);
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		if (p->cleanup_argv.n)
			sbx_run_quiet(p->cleanup_argv.v);
	}
	int term_sig = rs.term_sig;
	res->status = sbx_sup_status(wstatus, res->timed_out);
	if (!res->timed_out && WIFSIGNALED(wstatus)) {
		res->signal = WTERMSIG(wstatus);
	} else if (!res->timed_out && term_sig && p->signal_argv.n && p->failure_status &&
	           (res->status == 255 || res->status == p->failure_status)) {
		/* runsc --rootless ends with 255 when the signal passed on killed
		 * the sandbox */
		res->signal = term_sig;
		res->status = 128 + term_sig;
	} else if (!res->timed_out && p->failure_status && res->status == p->failure_status) {
		res->status = SBX_EXIT_SETUP;
	}
out:
	sbx_proxy_stop(proxy, proxy_ctl);
	cleanup(p);
	guard_release(guard);
	sbx_sup_close(&sup);
	close(ep[0]);
	return rc;
}
#endif
