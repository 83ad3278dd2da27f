/* res.c: probes for resource caps.
 *   res alloc MB        allocate and touch MB mebibytes; prints "allocated"
 *   res fork N          start N children that wait; prints how many started
 *   res spin MS         burn CPU for MS milliseconds of wall time */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "alloc") == 0) {
		long mb = atol(argv[2]);
		for (long i = 0; i < mb; i++) {
			char *p = malloc(1 << 20);
			if (!p) {
				printf("malloc failed after %ld MiB\n", i);
				return 1;
			}
			memset(p, 1, 1 << 20);
		}
		printf("allocated\n");
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "fork") == 0) {
		int n = atoi(argv[2]), started = 0;
		int pipefd[2];
		if (pipe(pipefd) < 0)
			return 1;
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				char b;
				close(pipefd[1]);
				(void)!read(pipefd[0], &b, 1);
				_exit(0);
			}
			if (p < 0)
				break;
			started++;
		}
		close(pipefd[1]);
		while (wait(NULL) > 0)
			;
		printf("started %d\n", started);
		return started == n ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "spin") == 0) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		volatile unsigned long x = 0;
		do {
			for (int i = 0; i < 100000; i++)
				x++;
			clock_gettime(CLOCK_MONOTONIC, &b);
		} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 <
		         atol(argv[2]));
		printf("spun\n");
		return 0;
	}
	fprintf(stderr, "usage: res alloc MB | fork N | spin MS\n");
	return 2;
}
