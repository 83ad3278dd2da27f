/* fail.c: the shim's one error funnel: "PROG: reason" on stderr, one
 * line, and -1 for the caller to return (the step then ends with 125). */
#include "shim.h"

#include <stdio.h>

int shim_fail(const struct shim_config *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", c->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}
