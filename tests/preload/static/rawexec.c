/* rawexec.c: a static binary, out of libsbx-preload.so's reach by design.
 *   rawexec exec PATH [ARG]...   raw execve syscall
 *   rawexec cat PATH             raw openat + read, prints the first line
 *   rawexec write PATH           raw openat(O_CREAT) + write of "static\n"
 * Used to prove the documented bypasses are real. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (strcmp(argv[1], "exec") == 0) {
		syscall(SYS_execve, argv[2], argv + 2, environ);
		perror("execve");
		return 1;
	}
	if (strcmp(argv[1], "write") == 0) {
		long fd =
		    syscall(SYS_openat, AT_FDCWD, argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || syscall(SYS_write, fd, "static\n", 7) != 7) {
			perror("write");
			return 1;
		}
		printf("OK\n");
		return 0;
	}
	char buf[256];
	long fd = syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	long n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("OK %s\n", buf);
	return 0;
}
