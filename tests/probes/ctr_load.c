/* ctr_load: resource probe for the container backends' tests.
 *   ctr_load mem MB     allocate and touch MB MiB, print "allocated MB"
 *   ctr_load spin SECS  busy-loop for SECS seconds of wall time and print
 *                       the number of loop iterations done (CPU obtained)
 *   ctr_load forks N    start up to N children that wait, print "started=K"
 *                       with K the number that could start, end them */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "mem")) {
		long mb = atol(argv[2]);
		for (long i = 0; i < mb; i++) {
			char *p = malloc(1 << 20);
			if (!p) {
				printf("malloc failed after %ld MB\n", i);
				return 3;
			}
			memset(p, 1, 1 << 20);
		}
		printf("allocated %ld\n", mb);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "spin")) {
		double end = now() + atof(argv[2]);
		volatile unsigned long x = 0;
		unsigned long iters = 0;
		while (now() < end) {
			for (int i = 0; i < 10000; i++)
				x += (unsigned long)i;
			iters++;
		}
		printf("%lu\n", iters);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "forks")) {
		int n = atoi(argv[2]), k = 0;
		pid_t kids[4096];
		for (; k < n && k < 4096; k++) {
			kids[k] = fork();
			if (kids[k] < 0)
				break;
			if (kids[k] == 0) {
				pause();
				_exit(0);
			}
		}
		printf("started=%d\n", k);
		for (int i = 0; i < k; i++) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
		return 0;
	}
	fprintf(stderr, "usage: ctr_load mem MB | spin SECS | forks N\n");
	return 2;
}
