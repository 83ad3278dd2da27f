/* preload.c: hands libsbx-preload.so to the command (--preload LIB
 * --preload-policy TEXT), for the capabilities a best-effort plan holds
 * with the library alone because the kernel lacks the mechanism.
 *
 * Why the shim makes the memfd, not the launcher: the plan is an argv,
 * compiled and printed before anything runs (and `sbx-shim ...` can be run
 * by hand), so it carries the policy text, never a descriptor. The
 * descriptor is made here, in the command's process, after namespaces,
 * mounts, privileges and Landlock and just before seccomp and execve: it
 * exists only when the plan really runs, in whichever process runs it
 * (sbx-exec's in-process shim_main, or the static sbx-shim), and nothing
 * but the command inherits it. LD_PRELOAD is set only in the environment
 * of that final execve, so neither the launcher nor the supervisor ever
 * loads the library.
 *
 * Fail closed: the library must open as an ELF file from inside the
 * sandbox (through the mounts and Landlock the command will have), since
 * the loader ignores an LD_PRELOAD entry it cannot open and would run the
 * command unprotected. */
#include "shim.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>

/* Checks that the loader will be able to open the library. */
static int check_library(const struct shim_config *c)
{
	const char *lib = c->preload_lib;
	if (lib[0] != '/' || strpbrk(lib, " :"))
		return shim_fail(c, "--preload %s: needs an absolute path without ' ' or ':'", lib);
	int fd = open(lib, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return shim_fail(c, "--preload %s: cannot open it inside the sandbox: %s", lib,
		                 strerror(errno));
	char magic[4];
	ssize_t n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n != (ssize_t)sizeof(magic) || memcmp(magic, "\177ELF", 4) != 0)
		return shim_fail(c, "--preload %s: not an ELF shared object", lib);
	return 0;
}

/* The policy, sealed in a memfd the command inherits (not close-on-exec). */
static int sealed_policy(const struct shim_config *c)
{
	const char *text = c->preload_policy;
	size_t len = strlen(text);
	/* The library parses it strictly; this only catches a plan mix-up. */
	if (!startswith(text, "sbx-preload 1\n") || len < 4 || !streq(text + len - 4, "end\n"))
		return shim_fail(c, "--preload-policy: not a libsbx-preload.so policy");
	int fd = sbx_memfd_sealed("sbx-preload", text, len, false);
	if (fd < 0)
		return shim_fail(c, "sealing the preload policy in a memfd: %s", strerror(-fd));
	return fd;
}

int shim_preload_env(const struct shim_config *c, char ***envp)
{
	*envp = c->envp;
	if (!c->preload_lib)
		return 0;
	if (check_library(c) < 0)
		return -1;
	int fd = sealed_policy(c);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (c->envp && c->envp[n])
		n++;
	char **env = calloc(n + 3, sizeof(*env));
	if (!env) {
		close(fd);
		return shim_fail(c, "out of memory");
	}
	size_t k = 0;
	const char *other = NULL;
	for (size_t i = 0; i < n; i++) {
		if (startswith(c->envp[i], "LD_PRELOAD="))
			other = c->envp[i] + strlen("LD_PRELOAD=");
		else if (!startswith(c->envp[i], "SBX_PRELOAD_FD="))
			env[k++] = c->envp[i];
	}
	/* The library first; the command's own preloads stay after it. */
	char *pre = NULL, *fdvar = NULL;
	if (asprintf(&pre, "LD_PRELOAD=%s%s%s", c->preload_lib, other && *other ? ":" : "",
	             other ? other : "") < 0 ||
	    asprintf(&fdvar, "SBX_PRELOAD_FD=%d", fd) < 0) {
		free(env);
		close(fd);
		return shim_fail(c, "out of memory");
	}
	env[k++] = pre;
	env[k++] = fdvar;
	env[k] = NULL;
	*envp = env;
	return 0;
}

void shim_preload_env_free(const struct shim_config *c, char **envp)
{
	if (envp == c->envp)
		return;
	size_t n = 0;
	while (envp[n])
		n++;
	/* the two entries this file added come last */
	for (size_t i = n >= 2 ? n - 2 : 0; i < n; i++)
		free(envp[i]);
	free(envp);
}
