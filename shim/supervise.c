/* supervise.c: the supervising parent. It forks the sandboxed child and
 * stays outside the sandbox to forward signals, enforce the timeout, and
 * kill whatever the command leaves behind when it exits (it is the child
 * subreaper, so every orphan of the sandbox is re-parented to it).
 *
 * Signals: INT, TERM, HUP, QUIT, USR1, USR2 and WINCH sent to us by a
 * process (kill, si_code SI_USER/SI_QUEUE/SI_TKILL) are forwarded to the
 * command. Signals the terminal generates (SI_KERNEL) already reach the
 * command, which is in the same foreground process group, and are not
 * forwarded a second time. */
#include "shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

/* Sends SIGKILL to every descendant found through /proc's children lists;
 * returns how many were signalled. */
static int kill_descendants(pid_t root)
{
	int n = 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)root);
	DIR *d = opendir(path);
	if (!d)
		return 0;
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
			n += 1 + kill_descendants(child);
			kill(child, SIGKILL);
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Kills and reaps everything below us until nothing is left. */
static void kill_all_and_reap(void)
{
	for (;;) {
		kill_descendants(getpid());
		pid_t w = waitpid(-1, NULL, 0);
		if (w < 0 && errno == ECHILD)
			return;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Dies of sig the way the command did, so our parent sees the same status. */
static int die_like(int sig)
{
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
	return 128 + sig;
}

int shim_supervise(const struct shim_config *c, int (*child_fn)(const struct shim_config *))
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		shim_fail(c, "cannot become a child subreaper: %s", strerror(errno));
		return 125;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		shim_fail(c, "fork: %s", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		/* The supervisor is single-threaded, so the child may call
		 * anything; it dies with the supervisor even under SIGKILL. */
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
			_exit(125);
		_exit(child_fn(c));
	}
	double deadline = c->timeout > 0 ? now() + c->timeout : 0;
	for (;;) {
		siginfo_t info;
		int sig;
		if (deadline) {
			double left = deadline - now();
			if (left < 0)
				left = 0;
			struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
			sig = sigtimedwait(&set, &info, &ts);
		} else {
			sig = sigwaitinfo(&set, &info);
		}
		if (sig < 0 && errno == EAGAIN) {
			kill(pid, SIGKILL);
			kill_all_and_reap();
			fprintf(stderr, "%s: timed out after %gs; the sandbox was killed\n", c->prog,
				c->timeout);
			return 124;
		}
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			if (info.si_code == SI_USER || info.si_code == SI_QUEUE ||
			    info.si_code == SI_TKILL)
				kill(pid, sig);
			continue;
		}
		int status;
		pid_t w;
		while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
			if (w != pid)
				continue;
			kill_all_and_reap();
			if (WIFSIGNALED(status))
				return die_like(WTERMSIG(status));
			return WEXITSTATUS(status);
		}
	}
}
