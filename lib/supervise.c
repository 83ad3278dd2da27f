/* supervise.c: the rules every supervisor of a sandboxed command follows,
 * whichever backend it runs (shim/supervise.c and shim/init.c for the
 * landlock backend, lib/run.c for the container backends and seatbelt,
 * and the launcher that reports what they found):
 *
 *   - which signals are passed on to the command, and only those a process
 *     sent: the terminal's own (SI_KERNEL) reached the command already, in
 *     the same foreground process group, and must not arrive twice;
 *   - the deadline: how long a supervisor may wait before it looks again,
 *     so no stream of events keeps it past the timeout;
 *   - the exit status: the command's own, 128+N when signal N killed it,
 *     124 on timeout;
 *   - dying like the command: after the cleanup (the teardown hook), with
 *     the signal that killed it and no core dump of our own;
 *
 * and the one loop that applies them (sbx_sup_loop): the child's end, the
 * deadline, the signals and the caller's descriptors, with hooks for what
 * differs (sbx-shim's seccomp listener, messages and proxy; runsc kill).
 *
 * POSIX only, no sbx types, no allocation: linked into libsbx and sbx-shim. */
#include "util.h"

#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#ifdef __linux__
#include <sys/signalfd.h>
#endif

const int sbx_sup_forwarded[SBX_SUP_NFORWARDED] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
                                                   SIGUSR1, SIGUSR2, SIGWINCH};

sigset_t sbx_sup_signal_set(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (int i = 0; i < SBX_SUP_NFORWARDED; i++)
		sigaddset(&set, sbx_sup_forwarded[i]);
	return set;
}

bool sbx_sup_from_process(int si_code)
{
	/* SI_USER (kill), SI_QUEUE (sigqueue), SI_TKILL (tkill, tgkill) and
	 * the other user-side codes are <= 0; the kernel's own are > 0 */
	return si_code <= 0;
}

double sbx_sup_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sbx_sup_wait_ms(double deadline, double now)
{
	if (!deadline)
		return -1;
	double left = deadline - now;
	if (left <= 0)
		return 0;
	/* a turn at least every hour: no int overflow for long deadlines */
	return left > 3600 ? 3600000 : (int)(left * 1000) + 1;
}

int sbx_sup_status(int wstatus, bool timed_out)
{
	if (timed_out)
		return 124;
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 125;
}

void sbx_sup_reraise(int sig)
{
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
}

int sbx_sup_die_like(int wstatus, void (*teardown)(void *), void *arg)
{
	if (teardown)
		teardown(arg);
	if (WIFSIGNALED(wstatus))
		sbx_sup_reraise(WTERMSIG(wstatus));
	return sbx_sup_status(wstatus, false);
}

/* At most this many descriptors of the caller's per turn. */
#define SUP_MAXFD 128

#ifdef __linux__
int sbx_sup_open(struct sbx_sup *s)
{
	sigset_t set;
	if (s->forward) {
		set = sbx_sup_signal_set();
	} else {
		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
	}
	if (sigprocmask(SIG_BLOCK, &set, &s->oldmask) < 0)
		return -errno;
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sigfd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
		return -e;
	}
	return 0;
}

void sbx_sup_child(const struct sbx_sup *s)
{
	close(s->sigfd);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
}

void sbx_sup_close(struct sbx_sup *s)
{
	if (s->sigfd >= 0)
		close(s->sigfd);
	s->sigfd = -1;
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
}

/* The next signal: 1 and (sig, from a process), or 0 when none is left. */
static int next_signal(struct sbx_sup *s, int *sig, bool *from_process)
{
	struct signalfd_siginfo si;
	if (read(s->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	*sig = (int)si.ssi_signo;
	*from_process = sbx_sup_from_process(si.ssi_code);
	return 1;
}
#else
/* Without signalfd: a handler writes two bytes per signal, at once (atomic
 * on a pipe): the signal and whether a process sent it. One loop at a time
 * per process. */
static int sup_pipe_w = -1;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	int saved = errno;
	unsigned char c[2] = {(unsigned char)sig, si && sbx_sup_from_process(si->si_code)};
	if (sup_pipe_w >= 0 && write(sup_pipe_w, c, sizeof(c)) < 0) {
		/* full: a wake-up is pending, and the loop reaps on every one */
	}
	errno = saved;
}

static int sup_signal(const struct sbx_sup *s, int i)
{
	return i == SBX_SUP_NFORWARDED ? SIGCHLD : s->forward ? sbx_sup_forwarded[i] : 0;
}

int sbx_sup_open(struct sbx_sup *s)
{
	int p[2];
	if (pipe(p) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		fcntl(p[i], F_SETFD, FD_CLOEXEC);
		fcntl(p[i], F_SETFL, O_NONBLOCK);
	}
	s->sigfd = p[0];
	s->sigw = sup_pipe_w = p[1];
	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigprocmask(SIG_SETMASK, NULL, &s->oldmask);
	for (int i = 0; i <= SBX_SUP_NFORWARDED; i++)
		if (sup_signal(s, i))
			sigaction(sup_signal(s, i), &sa, &s->old[i]);
	return 0;
}

void sbx_sup_child(const struct sbx_sup *s)
{
	for (int i = 0; i <= SBX_SUP_NFORWARDED; i++)
		if (sup_signal(s, i))
			sigaction(sup_signal(s, i), &s->old[i], NULL);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	close(s->sigfd);
	close(s->sigw);
}

void sbx_sup_close(struct sbx_sup *s)
{
	for (int i = 0; i <= SBX_SUP_NFORWARDED; i++)
		if (sup_signal(s, i))
			sigaction(sup_signal(s, i), &s->old[i], NULL);
	sup_pipe_w = -1;
	if (s->sigfd >= 0) {
		close(s->sigfd);
		close(s->sigw);
	}
	s->sigfd = -1;
}

static int next_signal(struct sbx_sup *s, int *sig, bool *from_process)
{
	unsigned char c[2];
	if (read(s->sigfd, c, sizeof(c)) != (ssize_t)sizeof(c))
		return 0;
	*sig = c[0];
	*from_process = c[1];
	return 1;
}
#endif

/* Reaps what ended; true when the child did (its status in *wstatus). */
static bool reap(struct sbx_sup *s, int *wstatus)
{
	int st;
	pid_t w;
	bool ended = false;
	while ((w = waitpid(s->reap_any ? -1 : s->child, &st, WNOHANG)) > 0) {
		if (w == s->child) {
			*wstatus = st;
			ended = true;
		} else if (s->reaped) {
			s->reaped(s->arg, w, st);
		}
		if (!s->reap_any)
			break;
	}
	return ended;
}

int sbx_sup_loop(struct sbx_sup *s, int *wstatus)
{
	for (;;) {
		/* first, on every turn: no stream of events keeps us past it */
		int ms = sbx_sup_wait_ms(s->deadline, sbx_sup_now());
		if (ms == 0)
			return 1;
		struct pollfd p[1 + SUP_MAXFD];
		p[0] = (struct pollfd){.fd = s->sigfd, .events = POLLIN};
		size_t n = s->fds ? s->fds(s->arg, p + 1, SUP_MAXFD, &ms) : 0;
		int r = poll(p, 1 + n, ms);
		if (r < 0)
			for (size_t i = 0; i <= n; i++)
				p[i].revents = 0;
		if (s->ready)
			s->ready(s->arg, p + 1, n);
		if (r <= 0 || !p[0].revents)
			continue;
		int sig;
		bool from_process;
		for (int i = 0; i < 64 && next_signal(s, &sig, &from_process); i++) {
			if (sig == SIGCHLD)
				continue;
			if (s->signal)
				s->signal(s->arg, sig, from_process);
			else if (from_process)
				kill(s->child, sig);
		}
		/* on every wake-up by a signal, not only SIGCHLD's: a SIGCHLD
		 * the self-pipe could not hold is not lost */
		if (reap(s, wstatus))
			return 0;
	}
}
#endif
