/* fds.c: what the descriptors COMMAND inherits can reach. A descriptor of a
 * directory, or an O_PATH one, opens paths beneath it (openat, fchdir,
 * /proc/self/fd/N/...) that resolve on the host's mounts, below the
 * sandbox's views and masks: it would read what the policy hides. Such a
 * descriptor above 2 is closed at the exec; on 0-2 the run is refused. Every
 * other inherited descriptor (a file, pipe, socket or terminal the caller
 * opened: a redirection, make's jobserver, bash's <(...)) passes as it is. */
#include "shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

/* true when fd is open and opens paths */
bool shim_fd_opens_paths(int fd, bool *o_path)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return false;
	struct stat st;
	*o_path = (fl & O_PATH) != 0;
	return *o_path || (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
}

int shim_close_path_fds(const struct shim_config *c)
{
	static const char *const stdio[] = {"standard input", "standard output", "standard error"};
	bool o_path;
	for (int fd = 0; fd <= 2; fd++)
		if (shim_fd_opens_paths(fd, &o_path))
			return shim_fail(c,
			                 "%s is %s: paths opened beneath it would bypass the "
			                 "sandbox's view (give a directory with --readable or "
			                 "--writable)",
			                 stdio[fd],
			                 o_path ? "an O_PATH descriptor" : "a directory");
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return shim_fail(c, "cannot list the inherited descriptors in /proc/self/fd: %s",
		                 strerror(errno));
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (fd < 3 || fd == dirfd(d) || !shim_fd_opens_paths(fd, &o_path))
			continue;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			r = shim_fail(c, "cannot close descriptor %d at exec: %s", fd,
			              strerror(errno));
			break;
		}
	}
	closedir(d);
	return r;
}
