/* libctorprobe.c: a library whose constructor makes the call named in
 * $SBX_PROBE_CTOR ("CALL ARG..."), prints the outcome and exits, so the
 * call runs inside another library's constructor, possibly before
 * libsbx-preload.so's own constructor. */
#include "../calls.h"

__attribute__((constructor)) static void ctor_probe(void)
{
	const char *spec = getenv("SBX_PROBE_CTOR");
	static char copy[4096];
	char *args[16] = {0};
	int n = 0;
	if (!spec)
		return;
	snprintf(copy, sizeof(copy), "%s", spec);
	for (char *t = strtok(copy, " "); t && n < 15; t = strtok(NULL, " "))
		args[n++] = t;
	if (n == 0)
		_exit(2);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("CTOR ");
	_exit(probe_run(args[0], args + 1));
}

void ctorprobe_linked(void)
{
}
