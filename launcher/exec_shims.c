/* exec_shims.c: exec shims (not sbx-shim: see shim/).
 *
 * `sbx-exec --install-shims DIR CMD...` fills DIR with symbolic links named
 * CMD that point at this sbx-exec. Run through such a link, sbx-exec sees a
 * name other than its own in argv[0]; it then runs the real CMD, the first
 * executable of that name on PATH that is not sbx-exec itself, with the
 * arguments untouched, under the policy of its environment (the agent
 * defaults, SBX_PROFILE, SBX_POLICY, SBX_*), as `sbx-exec -- CMD ARG...`
 * would.
 *
 * A shim never finds itself: a candidate that is the running executable
 * (same device and inode, whatever the path or link spelling) is skipped,
 * so two shim directories on PATH, or one listed twice, cannot loop. The
 * real command is passed to the sandbox as an absolute path, so the
 * sandbox does not search PATH again (where the shim comes first) and a
 * policy that only lets the command itself execute still runs it. */
#include "launcher.h"

#include <stdio.h>

#ifdef _WIN32
/* Exec shims are symlinks resolved through PATH: a POSIX feature. On
 * Windows sbx-exec.exe is never a shim, and --install-shims says so. */
const char *execshim_name(const char *argv0)
{
	(void)argv0;
	return NULL;
}

int execshim_command(const char *name, char **argv, char ***out)
{
	(void)name;
	(void)argv;
	*out = NULL;
	return SBX_EXIT_SETUP;
}

void execshim_command_free(char **cmd)
{
	(void)cmd;
}

int execshims_install(const struct cli *cli)
{
	(void)cli;
	errorf(NULL, "--install-shims is not available on Windows (exec shims are symlinks)");
	return SBX_EXIT_SETUP;
}
#else
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

/* Names that are sbx-exec itself rather than a shim: sbx-exec and any other
 * sbx-* name a package or a build may give it. */
const char *execshim_name(const char *argv0)
{
	if (!argv0 || !*argv0)
		return NULL;
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	if (!*base || startswith(base, "sbx-") || streq(base, "sbx"))
		return NULL;
	return base;
}

/* A shim name must be a plain file name that cannot be mistaken for
 * sbx-exec itself. */
static bool valid_name(const char *name)
{
	/* not an option mistaken for a name (--install-shims DIR npm --net=x) */
	return *name && name[0] != '-' && !strchr(name, '/') && !strchr(name, '=') &&
	       !streq(name, ".") && !streq(name, "..") && execshim_name(name) != NULL;
}

static int self_stat(struct stat *st)
{
	return stat("/proc/self/exe", st) < 0 ? -errno : 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The first executable regular file called name on path_env that is not
 * self (the rule of every PATH lookup: lib/sys.c), as an absolute path.
 * 0, -ENOENT, -ENOMEM. */
static int find_real(const char *name, const char *path_env, const struct stat *self, char **out)
{
	char found[PATH_MAX];
	if (strchr(name, '/') || path_search_except(name, path_env, self, found, sizeof(found)) < 0)
		return -ENOENT;
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	return (*out = path_join_normalize(cwd ? cwd : "/", found)) ? 0 : -ENOMEM;
}

int execshim_command(const char *name, char **argv, char ***out)
{
	struct stat self;
	int r = self_stat(&self);
	if (r < 0) {
		errorf(NULL, "%s: cannot stat /proc/self/exe to tell shims apart: %s", name,
		       strerror(-r));
		return SBX_EXIT_SETUP;
	}
	char *real = NULL;
	r = find_real(name, getenv("PATH"), &self, &real);
	if (r == -ENOENT) {
		errorf("The shim runs the first one on PATH that is not sbx-exec itself.",
		       "%s: no '%s' on PATH other than sbx-exec's shims", name, name);
		return SBX_EXIT_NOT_FOUND;
	}
	if (r < 0) {
		errorf(NULL, "out of memory");
		return SBX_EXIT_SETUP;
	}
	size_t argc = 0;
	while (argv[argc])
		argc++;
	char **cmd = calloc(argc + 1, sizeof(*cmd));
	if (!cmd) {
		free(real);
		errorf(NULL, "out of memory");
		return SBX_EXIT_SETUP;
	}
	cmd[0] = real;
	for (size_t i = 1; i < argc; i++)
		cmd[i] = argv[i];
	*out = cmd;
	return 0;
}

void execshim_command_free(char **cmd)
{
	if (cmd)
		free(cmd[0]);
	free(cmd);
}

/* True when the entry dirfd/name may be replaced: absent, or a link to this
 * sbx-exec or to another sbx-exec (left by an older install). */
static bool replaceable(int dirfd, const char *name, const struct stat *self)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT;
	if (!S_ISLNK(st.st_mode))
		return false;
	struct stat target;
	if (fstatat(dirfd, name, &target, 0) == 0 && same_file(&target, self))
		return true;
	char link[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	const char *base = strrchr(link, '/');
	return streq(base ? base + 1 : link, "sbx-exec");
}

/* Creates dirfd/name -> target, atomically replacing what was there. */
static int place_link(int dirfd, const char *name, const char *target)
{
	char tmp[NAME_MAX + 1];
	if (snprintf(tmp, sizeof(tmp), ".%s.sbx-new", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dirfd, tmp, 0);
	if (symlinkat(target, dirfd, tmp) < 0)
		return -errno;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int r = -errno;
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	return 0;
}

static bool policy_given(const struct cli *cli)
{
	return cli->profile || cli->policy || cli->keys.n || cli->print || cli->json;
}

int execshims_install(const struct cli *cli)
{
	const char *dir = cli->install_shims;
	if (policy_given(cli)) {
		errorf(NULL, "--install-shims takes no policy options: shims run under the policy "
		             "of their environment (SBX_POLICY, SBX_*)");
		return SBX_EXIT_SETUP;
	}
	if (!cli->command[0]) {
		errorf(NULL, "--install-shims DIR COMMAND...: no command names given");
		return SBX_EXIT_SETUP;
	}
	for (char **c = cli->command; *c; c++)
		if (!valid_name(*c)) {
			errorf(NULL, "--install-shims: '%s' is not a command name a shim can have",
			       *c);
			return SBX_EXIT_SETUP;
		}
	struct stat self;
	char target[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", target, sizeof(target) - 1);
	if (n < 0 || self_stat(&self) < 0) {
		errorf(NULL, "cannot find this sbx-exec through /proc/self/exe: %s",
		       strerror(errno));
		return SBX_EXIT_SETUP;
	}
	target[n] = '\0';
	int r = sbx_mkdir_p(dir, 0755);
	if (r < 0) {
		errorf(NULL, "--install-shims: cannot create %s: %s", dir, strerror(-r));
		return SBX_EXIT_SETUP;
	}
	_cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		errorf(NULL, "--install-shims: %s: %s", dir, strerror(errno));
		return SBX_EXIT_SETUP;
	}
	/* Check every name before creating any link: all or nothing. */
	for (char **c = cli->command; *c; c++)
		if (!replaceable(dirfd, *c, &self)) {
			errorf("Remove it first if a shim should take its place.",
			       "--install-shims: %s/%s exists and is not an sbx-exec shim", dir,
			       *c);
			return SBX_EXIT_SETUP;
		}
	for (char **c = cli->command; *c; c++) {
		if ((r = place_link(dirfd, *c, target)) < 0) {
			errorf(NULL, "--install-shims: %s/%s: %s", dir, *c, strerror(-r));
			return SBX_EXIT_SETUP;
		}
		_cleanup_free_ char *real = NULL;
		if (find_real(*c, getenv("PATH"), &self, &real) == 0)
			printf("%s/%s -> %s (runs %s)\n", dir, *c, target, real);
		else
			printf("%s/%s -> %s (no %s on PATH yet)\n", dir, *c, target, *c);
	}
	printf("Put %s first on PATH to run these commands sandboxed.\n", dir);
	return 0;
}
#endif
