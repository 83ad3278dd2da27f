/* exec.c: probes for no-exec. Each prints "ran" from the new image or the
 * errno of the refused call.
 *   exec execve PATH     execve(PATH)
 *   exec memfd           copy /proc/self/exe into a memfd, fexecve it ("ran")
 *   exec raw PATH        execve through the raw syscall instruction
 *   exec ldso LOADER PATH  run PATH through the dynamic loader
 *   exec fork            fork, the child writes "forked", no exec
 *   exec ran             just print "ran" */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int refused(const char *what)
{
	printf("%s refused: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "ran") == 0) {
		printf("ran\n");
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "execve") == 0) {
		char *args[] = {argv[2], NULL};
		execve(argv[2], args, environ);
		return refused("execve");
	}
	if (argc == 3 && strcmp(argv[1], "raw") == 0) {
		char *args[] = {argv[2], "ran", NULL};
		long r;
#if defined(__x86_64__)
		__asm__ volatile("syscall"
		                 : "=a"(r)
		                 : "a"(SYS_execve), "D"(argv[2]), "S"(args), "d"(environ)
		                 : "rcx", "r11", "memory");
#else
		r = syscall(SYS_execve, argv[2], args, environ);
#endif
		errno = (int)-r;
		return refused("raw execve");
	}
	if (argc == 4 && strcmp(argv[1], "ldso") == 0) {
		char *args[] = {argv[2], argv[3], NULL};
		execve(argv[2], args, environ);
		return refused("ld.so execve");
	}
	if (argc == 2 && strcmp(argv[1], "memfd") == 0) {
		int src = open("/proc/self/exe", O_RDONLY);
		int fd = memfd_create("probe", MFD_CLOEXEC);
		struct stat st;
		if (src < 0 || fd < 0 || fstat(src, &st) < 0 ||
		    sendfile(fd, src, NULL, (size_t)st.st_size) != st.st_size)
			return refused("memfd setup");
		char *args[] = {"probe", "ran", NULL};
		fexecve(fd, args, environ);
		return refused("fexecve");
	}
	if (argc == 2 && strcmp(argv[1], "fork") == 0) {
		pid_t p = fork();
		if (p == 0) {
			printf("forked\n");
			fflush(stdout);
			_exit(0);
		}
		int st;
		waitpid(p, &st, 0);
		return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
	}
	fprintf(stderr,
	        "usage: exec execve PATH | raw PATH | ldso LOADER PATH | memfd | fork | ran\n");
	return 2;
}
