/* test_supervise.c: the rules every supervisor follows (lib/supervise.c):
 * which signals are passed on (a process's, never the terminal's twice),
 * the deadline's wait, the status reported, and dying like the command
 * only after the teardown ran. */
#include "util.h"
#include "tap.h"

#include <signal.h>
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
	return tap_done();
}
