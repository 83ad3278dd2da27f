/* sys.c: probes for the seccomp filter. Each subcommand attempts one thing and
 * prints "allowed" (exit 0) or "denied: <errno text>" (exit 1). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int result(long r)
{
	if (r < 0) {
		printf("denied: %s\n", strerror(errno));
		return 1;
	}
	printf("allowed\n");
	return 0;
}

/* Raw 64-bit syscall so the high bits of the ioctl request reach the filter. */
static long raw_ioctl(int fd, unsigned long req, void *arg)
{
	return syscall(SYS_ioctl, fd, req, arg);
}

static int tty_fd(void)
{
	int fd = open("/dev/tty", O_RDWR);
	if (fd < 0) {
		int m = posix_openpt(O_RDWR | O_NOCTTY);
		if (m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0)
			fd = open(ptsname(m), O_RDWR | O_NOCTTY);
	}
	return fd;
}

/* An x86 int 0x80 getpid: the 32-bit syscall ABI. */
static long int80_getpid(void)
{
#if defined(__x86_64__)
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
#else
	errno = ENOSYS;
	return -1;
#endif
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *w = argv[1];
	char c = 'x';
	if (strcmp(w, "tiocsti") == 0 || strcmp(w, "tiocsti-hibits") == 0 ||
	    strcmp(w, "tiocgwinsz") == 0) {
		int fd = tty_fd();
		if (fd < 0) {
			printf("no terminal: %s\n", strerror(errno));
			return 2;
		}
		unsigned long req = strcmp(w, "tiocgwinsz") == 0 ? TIOCGWINSZ : TIOCSTI;
		if (strcmp(w, "tiocsti-hibits") == 0)
			req |= 0xdead00000000UL;
		struct winsize ws;
		return result(raw_ioctl(fd, req, req == TIOCGWINSZ ? (void *)&ws : (void *)&c));
	}
	if (strcmp(w, "tioclinux") == 0) {
		int fd = tty_fd();
		char sub = 0;
		return result(raw_ioctl(fd, 0x541C, &sub));
	}
	if (strcmp(w, "ptrace") == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			pause();
			_exit(0);
		}
		long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = e;
		return result(r);
	}
	if (strcmp(w, "io_uring") == 0) {
		char params[120] = {0};
		return result(syscall(425, 4, params));
	}
	if (strcmp(w, "int80") == 0)
		return result(int80_getpid());
	if (strcmp(w, "x32") == 0)
		return result(syscall(39 | 0x40000000));
	if (strcmp(w, "mount") == 0 && argc == 3) /* only ever on a test's own directory */
		return result(mount("none", argv[2], "tmpfs", 0, NULL));
	if (strcmp(w, "userns") == 0)
		return result(unshare(CLONE_NEWUSER));
	if (strcmp(w, "clone-userns") == 0) {
		long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		return result(r);
	}
	if (strcmp(w, "handle") == 0) /* a bad handle: EFAULT where it reaches the kernel */
		return result(syscall(SYS_open_by_handle_at, AT_FDCWD, (void *)8, O_RDONLY));
	if (strcmp(w, "syslog") == 0) /* SYSLOG_ACTION_SIZE_BUFFER */
		return result(syscall(SYS_syslog, 10, NULL, 0));
	if (strcmp(w, "bpf") == 0)
		return result(syscall(SYS_bpf, 0, NULL, 0));
	if (strcmp(w, "keyctl") == 0)
		return result(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
	if (strcmp(w, "perf") == 0)
		return result(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	if (strcmp(w, "userfaultfd") == 0)
		return result(
		    syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY: allowed unprivileged */));
	fprintf(stderr, "unknown probe %s\n", w);
	return 2;
}
