/* tty.c: runs a command on a new pseudo-terminal, as a shell would run it
 * in the foreground, and types one ^C when asked:
 *   tty READY CMD...   once the file READY exists, writes the terminal's
 *                      interrupt character (so the kernel, not a process,
 *                      sends SIGINT to the foreground process group);
 *                      relays the terminal's output to stdout and exits
 *                      with the command's status (128+N for signal N).
 * Gives up (status 99) after 60 seconds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: tty READY CMD...\n");
		return 2;
	}
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	if (pid < 0) {
		perror("forkpty");
		return 99;
	}
	if (pid == 0) {
		/* forkpty made a session with the terminal as its controlling
		 * one: this process group is the foreground. A terminal's
		 * foreground job starts with INT and QUIT at their defaults;
		 * run from a background job (CI) they would be ignored, and a
		 * shell cannot trap a signal ignored on entry. */
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	time_t start = time(NULL);
	int typed = 0, status = 0;
	for (;;) {
		if (!typed && access(argv[1], F_OK) == 0) {
			char intr = '\003';
			if (write(master, &intr, 1) != 1)
				perror("write");
			typed = 1;
		}
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, 50) > 0) {
			char buf[4096];
			ssize_t n = read(master, buf, sizeof(buf));
			if (n > 0 && write(1, buf, (size_t)n) < 0)
				return 99;
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (time(NULL) - start > 60) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return 99;
		}
	}
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
