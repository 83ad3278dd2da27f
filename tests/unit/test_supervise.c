/* test_supervise.c: the rules every supervisor follows (lib/supervise.c):
 * which signals are passed on (a process's, never the terminal's twice),
 * the deadline's wait, the status reported, and dying like the command
 * only after the teardown ran; and the one loop that applies them, run for
 * real: a signal sent by a process reaches the child once, the terminal's
 * ^C is not sent again, the deadline holds under a flood of signals, other
 * children are reaped, the caller's descriptors are served. */
#include "util.h"
#include "tap.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int teardown_fd = -1;

static void teardown(void *arg)
{
	(void)arg;
	if (write(teardown_fd, "t", 1) != 1) {
		/* the test below sees nothing, and fails */
	}
}

/* Runs die_like for wstatus in a child; returns the child's wait status
 * and whether the teardown had run before it ended. */
static int die_like_in_child(int wstatus, bool *tore_down)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		teardown_fd = p[1];
		int st = sbx_sup_die_like(wstatus, teardown, NULL);
		_exit(st);
	}
	close(p[1]);
	char c = 0;
	*tore_down = read(p[0], &c, 1) == 1 && c == 't';
	close(p[0]);
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

/* ---- the loop, for real ---- */

static pid_t fork_child(void (*body)(int), int arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		body(arg);
		_exit(99);
	}
	return pid;
}

static void sleeper(int secs)
{
	sleep((unsigned)secs);
	_exit(0);
}

static void exit_with(int code)
{
	_exit(code);
}

/* Each case runs in a process of its own (T), so its signals and children
 * are its own; T's exit status says what it saw, a watchdog alarm makes a
 * hang a failure. */
static int in_process(int (*body)(void))
{
	pid_t t = fork();
	if (t == 0) {
		alarm(30);
		_exit(body());
	}
	int st = -1;
	waitpid(t, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* A SIGUSR1 sent by a process reaches the child (it dies of it), once. */
static int case_forward(void)
{
	struct sbx_sup s = {.forward = true, .sigfd = -1};
	if (sbx_sup_open(&s) < 0)
		return 1;
	s.child = fork();
	if (s.child == 0) {
		sbx_sup_child(&s);
		pause();
		_exit(0);
	}
	pid_t self = getpid();
	pid_t sender = fork();
	if (sender == 0) {
		usleep(100000);
		kill(self, SIGUSR1);
		_exit(0);
	}
	int st = 0;
	int r = sbx_sup_loop(&s, &st);
	waitpid(sender, NULL, 0);
	return r == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1 ? 0 : 2;
}

/* A flood of signals does not keep the loop past its deadline. */
static unsigned long flood_seen;
static void count_signal(void *arg, int sig, bool from_process)
{
	(void)arg, (void)sig, (void)from_process;
	flood_seen++;
}

static int case_deadline_under_load(void)
{
	struct sbx_sup s = {.forward = true, .sigfd = -1, .signal = count_signal};
	if (sbx_sup_open(&s) < 0)
		return 1;
	s.child = fork_child(sleeper, 60);
	pid_t self = getpid();
	pid_t flooder = fork();
	if (flooder == 0) {
		/* at T only, and not past T's end (the watchdog's kill) */
		while (getppid() == self)
			kill(self, SIGUSR2);
		_exit(0);
	}
	s.deadline = sbx_sup_now() + 0.5;
	int st = 0;
	int r = sbx_sup_loop(&s, &st);
	kill(flooder, SIGKILL);
	kill(s.child, SIGKILL);
	waitpid(flooder, NULL, 0);
	waitpid(s.child, NULL, 0);
	if (r != 1)
		return 2; /* the child cannot have ended: it sleeps 60 s */
	return flood_seen > 0 ? 0 : 3;
}

/* reap_any: another child's end goes to the hook; the loop ends with the
 * child's own status. The caller's descriptor is polled and served. */
static int reaped_status = -1, served;
static int feed[2];
static void on_reaped(void *arg, pid_t pid, int wstatus)
{
	(void)arg, (void)pid;
	reaped_status = wstatus;
}
static size_t feed_fds(void *arg, struct pollfd *p, size_t max, int *ms)
{
	(void)arg, (void)max, (void)ms;
	p[0] = (struct pollfd){.fd = feed[0], .events = POLLIN};
	return 1;
}
static void feed_ready(void *arg, struct pollfd *p, size_t n)
{
	(void)arg;
	char c;
	if (n == 1 && (p[0].revents & POLLIN) && read(feed[0], &c, 1) == 1)
		served++;
}

static int case_reap_and_fds(void)
{
	if (pipe(feed) < 0)
		return 1;
	struct sbx_sup s = {.reap_any = true,
	                    .forward = true,
	                    .sigfd = -1,
	                    .reaped = on_reaped,
	                    .fds = feed_fds,
	                    .ready = feed_ready};
	if (sbx_sup_open(&s) < 0)
		return 1;
	fork_child(exit_with, 3);
	if (write(feed[1], "x", 1) != 1)
		return 1;
	s.child = fork_child(sleeper, 1);
	int st = 0;
	int r = sbx_sup_loop(&s, &st);
	if (r != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 2;
	if (!WIFEXITED(reaped_status) || WEXITSTATUS(reaped_status) != 3)
		return 3;
	return served == 1 ? 0 : 4;
}

/* The terminal's ^C reaches the foreground group, the child included, by
 * itself: the loop sees it (not from a process) and does not send it
 * again; a process's SIGTERM afterwards is passed on. T is a session
 * leader on a pseudo-terminal of its own; the child counts its SIGINTs. */
static int ints_pipe[2];
static unsigned kernel_ints, process_ints;
static void note_signal(void *arg, int sig, bool from_process)
{
	struct sbx_sup *s = arg;
	if (sig == SIGINT)
		from_process ? process_ints++ : kernel_ints++;
	if (from_process)
		kill(s->child, sig);
}
static void on_int(int sig)
{
	(void)sig;
	if (write(ints_pipe[1], "i", 1) != 1) {
		/* the count is short, and the test fails */
	}
}

static int case_terminal(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || pipe(ints_pipe) < 0)
		return 1;
	const char *name = ptsname(m);
	int ready[2];
	if (!name || pipe(ready) < 0)
		return 1;
	pid_t t = fork();
	if (t == 0) {
		close(ready[0]);
		if (setsid() < 0)
			_exit(10);
		int tty = open(name, O_RDWR); /* the session's controlling terminal */
		if (tty < 0)
			_exit(11);
		struct sbx_sup s = {.forward = true, .sigfd = -1, .signal = note_signal};
		s.arg = &s;
		if (sbx_sup_open(&s) < 0)
			_exit(12);
		s.child = fork();
		if (s.child == 0) {
			sbx_sup_child(&s);
			signal(SIGINT, on_int);
			if (write(ready[1], "r", 1) != 1)
				_exit(13);
			for (;;)
				pause();
		}
		int st = 0;
		int r = sbx_sup_loop(&s, &st);
		bool died_of_term = r == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
		_exit((died_of_term ? 0 : 1) | (kernel_ints == 1 ? 0 : 2) |
		      (process_ints == 0 ? 0 : 4));
	}
	close(ready[1]);
	close(ints_pipe[1]);
	char c;
	if (read(ready[0], &c, 1) != 1)
		return 20;
	if (write(m, "\003", 1) != 1) /* ^C */
		return 21;
	if (read(ints_pipe[0], &c, 1) != 1) /* the child got it */
		return 22;
	usleep(100000); /* a second one, if the loop sent it again, lands here */
	kill(t, SIGTERM);
	int st = -1;
	waitpid(t, &st, 0);
	int extra = 0;
	fcntl(ints_pipe[0], F_SETFL, O_NONBLOCK);
	while (read(ints_pipe[0], &c, 1) == 1)
		extra++;
	if (!WIFEXITED(st))
		return 23;
	return WEXITSTATUS(st) | (extra ? 8 : 0);
}

int main(void)
{
	/* signals: a process's are passed on, the kernel's are not */
	ok(sbx_sup_from_process(SI_USER), "kill(2): passed on");
	ok(sbx_sup_from_process(SI_QUEUE), "sigqueue(3): passed on");
	ok(sbx_sup_from_process(SI_TKILL), "tgkill(2): passed on");
	ok(!sbx_sup_from_process(SI_KERNEL), "the terminal's ^C (SI_KERNEL): not again");
	ok(!sbx_sup_from_process(CLD_EXITED), "a child's SIGCHLD code: not passed on");
	sigset_t set = sbx_sup_signal_set();
	ok(sigismember(&set, SIGCHLD) && sigismember(&set, SIGINT) && sigismember(&set, SIGTERM) &&
	       sigismember(&set, SIGWINCH) && !sigismember(&set, SIGKILL) &&
	       !sigismember(&set, SIGSTOP),
	   "the set: SIGCHLD and the forwarded ones, never KILL or STOP");
	/* the deadline */
	is_int(sbx_sup_wait_ms(0, 100), -1, "no deadline: wait for events only");
	is_int(sbx_sup_wait_ms(100, 100), 0, "at the deadline: act now");
	is_int(sbx_sup_wait_ms(100, 250), 0, "past it, however far: act now");
	is_int(sbx_sup_wait_ms(101.5, 100), 1501, "1.5 s left: a little over, never early");
	is_int(sbx_sup_wait_ms(100 + 10 * 3600, 100), 3600000, "ten hours left: look every hour");
	double t = sbx_sup_now();
	ok(t > 0 && sbx_sup_now() >= t, "a monotonic clock");
	/* the status */
	is_int(sbx_sup_status(3 << 8, false), 3, "the command's exit status");
	is_int(sbx_sup_status(SIGKILL, false), 137, "killed by SIGKILL: 137");
	is_int(sbx_sup_status(0, true), 124, "timed out: 124, whatever it exited with");
	/* dying like the command, after the teardown */
	bool tore = false;
	int st = die_like_in_child(SIGTERM, &tore);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "killed by SIGTERM: dies of SIGTERM");
	ok(tore, "the teardown ran first");
	st = die_like_in_child(SIGSEGV, &tore);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !WCOREDUMP(st),
	   "killed by SIGSEGV: dies of it, without a core of its own");
	ok(tore, "the teardown ran first");
	st = die_like_in_child(7 << 8, &tore);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 7, "an exit status is returned as it is");
	ok(tore, "the teardown ran then too");

	/* the loop */
	is_int(in_process(case_forward), 0, "loop: a process's SIGUSR1 reaches the child");
	is_int(in_process(case_deadline_under_load), 0,
	       "loop: the deadline holds under a flood of signals");
	is_int(in_process(case_reap_and_fds), 0,
	       "loop: other children reaped, the caller's descriptor served, the child's "
	       "status returned");
	is_int(in_process(case_terminal), 0,
	       "loop: the terminal's ^C reaches the child once (not sent again); a "
	       "process's SIGTERM is passed on");
	return tap_done();
}
