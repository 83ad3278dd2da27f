/* sbx-preload-exec: starts COMMAND under libsbx-preload.so.
 *
 *   sbx-preload-exec [--unchecked] --lib=PATH --config=FILE [--] COMMAND [ARG]...
 *
 * First it checks that COMMAND's loader will load the library or stop
 * (loadcheck.c): a static program, a musl or foreign-machine loader, or a
 * set-id program would run unprotected, so it refuses them with status 125
 * and the reason. --unchecked skips that (to show the bypasses are real).
 *
 * Reads the policy text (preload/README.md) from FILE before COMMAND
 * exists, seals it in a memfd, and execs COMMAND with LD_PRELOAD=PATH and
 * SBX_PRELOAD_FD naming the memfd. COMMAND never sees FILE's path, so it
 * cannot swap the policy. Built static: the library does not apply to this
 * helper itself, which is the one exec allowed before no-exec starts.
 * Exit status as sbx-exec: 125 setup failed (nothing ran), 126 cannot
 * execute, 127 not found. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loadcheck.h"
#include "sys.h"
#include "util.h"

#define MAX_CONFIG (1 << 20)

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "sbx-preload-exec: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	return 125;
}

static int sealed_copy(const char *file)
{
	static char buf[MAX_CONFIG + 1];
	int in = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		return -1;
	struct stat st;
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(in);
		errno = EINVAL;
		return -1;
	}
	size_t len = 0;
	ssize_t n;
	while ((n = read(in, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(in);
	if (n < 0 || len > MAX_CONFIG) {
		errno = n < 0 ? errno : EFBIG;
		return -1;
	}
	/* Not close-on-exec: the command inherits it. */
	int fd = memfd_create("sbx-preload", MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len; off += (size_t)n)
		if ((n = write(fd, buf + off, len - off)) <= 0)
			return -1;
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) < 0)
		return -1;
	return fd;
}

/* Finds cmd as execvp would (lib/util.c). 0 or an errno. */
static int resolve(const char *cmd, char *out, size_t size)
{
	return -path_search(cmd, getenv("PATH"), out, size);
}

int main(int argc, char **argv)
{
	const char *lib = NULL, *config = NULL;
	int unchecked = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strncmp(argv[i], "--lib=", 6) == 0)
			lib = argv[i] + 6;
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config = argv[i] + 9;
		else if (strcmp(argv[i], "--unchecked") == 0)
			unchecked = 1;
		else
			return fail("unknown option", argv[i]);
	}
	if (!lib || !config || i >= argc)
		return fail("usage: sbx-preload-exec [--unchecked] --lib=PATH --config=FILE [--] "
		            "COMMAND [ARG]...",
		            NULL);
	if (lib[0] != '/' || strpbrk(lib, " :") || access(lib, R_OK) < 0)
		return fail("--lib needs a readable absolute path without ' ' or ':'", lib);
	int fd = sealed_copy(config);
	if (fd < 0)
		return fail(strerror(errno), config);
	char num[16];
	snprintf(num, sizeof(num), "%d", fd);
	if (setenv("LD_PRELOAD", lib, 1) < 0 || setenv("SBX_PRELOAD_FD", num, 1) < 0)
		return fail("setenv", strerror(errno));
	if (unchecked) {
		execvp(argv[i], argv + i);
	} else {
		/* Exactly the file checked is exec'd. */
		char path[4096], why[512];
		int e = resolve(argv[i], path, sizeof(path));
		if (e) {
			fprintf(stderr, "sbx-preload-exec: %s: %s\n", argv[i], strerror(e));
			return e == ENOENT ? 127 : 126;
		}
		if (pl_check_loadable(path, lib, why, sizeof(why)) < 0) {
			fprintf(stderr,
			        "sbx-preload-exec: refusing to run %s: %s, so libsbx-preload.so "
			        "would not be loaded into it and it would run unprotected\n",
			        argv[i], why);
			return 125;
		}
		execv(path, argv + i);
	}
	int e = errno;
	fprintf(stderr, "sbx-preload-exec: %s: %s\n", argv[i], strerror(e));
	return e == ENOENT || e == ENOTDIR ? 127 : 126;
}
