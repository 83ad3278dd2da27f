/* probe.c: makes one libc call (tests/preload/calls.h) and prints the
 * outcome. Dynamically linked so that LD_PRELOAD applies.
 *   probe CALL [ARG]...
 *   probe maps     prints LOADED when libsbx-preload.so is mapped */
#include "calls.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "maps") == 0) {
		char line[4096];
		FILE *f = fopen("/proc/self/maps", "r");
		int loaded = 0;
		while (f && fgets(line, sizeof(line), f))
			loaded |= strstr(line, "libsbx-preload.so") != NULL;
		printf("%s\n", loaded ? "LOADED" : "NOT-LOADED");
		return 0;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	return probe_run(argv[1], argv + 2);
}
