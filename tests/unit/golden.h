/* golden.h: byte-for-byte comparison of generated text with a file under
 * tests/golden/ (found from $SBX_SRCDIR, default the current directory, which
 * is the source tree when make runs the tests). A mismatch fails the test and
 * prints a unified diff. SBX_UPDATE_GOLDEN=1 rewrites the file instead: a
 * deliberate step, never taken by default. */
#ifndef SBX_GOLDEN_H
#define SBX_GOLDEN_H

#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static inline char *golden_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_addn(&b, chunk, n);
	fclose(f);
	return buf_steal(&b);
}

static inline int golden_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int r = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) < 0 ? -1 : r;
}

/* Compares text with tests/golden/<rel>: one TAP assertion. */
static inline void golden_check(const char *rel, const char *text)
{
	const char *src = getenv("SBX_SRCDIR");
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/golden/%s", src && *src ? src : ".", rel);
	const char *upd = getenv("SBX_UPDATE_GOLDEN");
	if (upd && streq(upd, "1")) {
		ok(golden_write(path, text ? text : "") == 0,
		   "golden %s rewritten (SBX_UPDATE_GOLDEN=1)", rel);
		return;
	}
	char *want = golden_read(path);
	bool same = want && text && streq(want, text);
	ok(same, "golden %s", rel);
	if (!same && !want)
		printf("#   cannot read %s (run from the source tree, or set SBX_SRCDIR; "
		       "SBX_UPDATE_GOLDEN=1 creates it)\n",
		       path);
	if (!same && want && text) {
		char got[] = "/tmp/sbx-golden.XXXXXX";
		int fd = mkstemp(got);
		if (fd >= 0) {
			close(fd);
			golden_write(got, text);
			char cmd[2300];
			snprintf(cmd, sizeof(cmd), "diff -u '%s' '%s' | sed 's/^/#   /'", path,
			         got);
			fflush(stdout);
			if (system(cmd) < 0)
				printf("#   (diff could not run)\n");
			unlink(got);
		}
	}
	free(want);
}

#endif
