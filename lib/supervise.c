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
 *     the signal that killed it and no core dump of our own.
 *
 * POSIX only, no sbx types, no allocation: linked into libsbx and sbx-shim. */
#include "util.h"

#ifndef _WIN32
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

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
#endif
