/* fuzz.h: what the libFuzzer harnesses share (tests/fuzz/, `make fuzz`). */
#ifndef SBX_FUZZ_H
#define SBX_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_WORDS 64

/* An argument vector from the input: argv0, then the input's words split
 * at NUL bytes (at most FUZZ_MAX_WORDS), NULL-terminated. *buf holds the
 * words; free it and the vector. */
static inline char **fuzz_argv(const uint8_t *data, size_t size, const char *argv0, int *argc,
                               char **buf)
{
	*buf = malloc(size + 1);
	char **argv = calloc(FUZZ_MAX_WORDS + 2, sizeof(*argv));
	if (!*buf || !argv) {
		free(*buf);
		free(argv);
		return NULL;
	}
	memcpy(*buf, data, size);
	(*buf)[size] = '\0';
	int n = 0;
	argv[n++] = (char *)argv0;
	for (char *p = *buf, *end = *buf + size; n <= FUZZ_MAX_WORDS && p <= end;
	     p += strlen(p) + 1)
		argv[n++] = p;
	argv[n] = NULL;
	*argc = n;
	return argv;
}

/* A NUL-terminated copy of the input. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
