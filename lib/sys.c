/* sys.c: the helpers that touch the system (files, descriptors,
 * processes), beside util.c's pure ones: the PATH lookup, realpath, a
 * sealed memfd, writing an existing file, mkdir -p, running a program
 * quietly. No sbx types and no allocation (sbx-shim calls them after fork,
 * sbx-preload-exec is static): linked by libsbx, sbx-shim and
 * sbx-preload-exec. */
#include "sys.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifndef _WIN32
#include <sys/wait.h>
#endif
#ifdef __linux__
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/syscall.h>

int sbx_effective_caps(uint64_t *caps)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {{0}};
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	*caps = (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
	return 0;
}
#endif

#ifdef _WIN32
/* As CreateProcess and cmd.exe look a program up: a name with a separator
 * or a drive is taken as given, otherwise each ';'-separated PATH entry is
 * tried with the name as written and then with .exe and .com added. */
int path_search(const char *name, const char *path, char *out, size_t size)
{
	if (strchr(name, '/') || strchr(name, '\\') || path_win_drive(name)) {
		if ((size_t)snprintf(out, size, "%s", name) >= size)
			return -ENAMETOOLONG;
		return 0;
	}
	static const char *const exts[] = {"", ".exe", ".com"};
	int r = -ENOENT;
	for (const char *p = path ? path : "";; p++) {
		size_t n = strcspn(p, ";");
		for (size_t e = 0; n && e < sizeof(exts) / sizeof(exts[0]); e++) {
			if ((size_t)snprintf(out, size, "%.*s\\%s%s", (int)n, p, name, exts[e]) >=
			    size)
				continue;
			struct stat st;
			if (stat(out, &st) == 0) {
				if (S_ISREG(st.st_mode))
					return 0;
				r = -EACCES;
			}
		}
		p += n;
		if (!*p)
			break;
	}
	out[0] = '\0';
	return r;
}
#else
int path_search(const char *name, const char *path, char *out, size_t size)
{
	return path_search_except(name, path, NULL, out, size);
}

int path_search_except(const char *name, const char *path, const struct stat *skip, char *out,
                       size_t size)
{
	return path_search_with(name, path, skip, stat, access, out, size);
}

int path_search_with(const char *name, const char *path, const struct stat *skip,
                     int (*stat_fn)(const char *, struct stat *),
                     int (*access_fn)(const char *, int), char *out, size_t size)
{
	if (strchr(name, '/')) {
		if ((size_t)snprintf(out, size, "%s", name) >= size)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int r = -ENOENT;
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		if ((size_t)snprintf(out, size, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", name) <
		    size) {
			struct stat st;
			if (stat_fn(out, &st) < 0) {
				/* not there */
			} else if (skip && st.st_dev == skip->st_dev && st.st_ino == skip->st_ino) {
				/* passed over, as if not there */
			} else {
				if (S_ISREG(st.st_mode) && access_fn(out, X_OK) == 0)
					return 0;
				r = -EACCES; /* there, but not a program we may run */
			}
		}
		p += n;
		if (!*p)
			break;
	}
	out[0] = '\0';
	return r;
}
#endif

char *sbx_realpath(const char *path, char *out)
{
#ifdef _WIN32
	return _fullpath(out, path, PATH_MAX);
#else
#ifdef __linux__
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, out, PATH_MAX - 1);
	close(fd);
	if (n > 0 && n < PATH_MAX - 1 && out[0] == '/') {
		out[n] = '\0';
		return out;
	}
#endif
	return realpath(path, out);
#endif
}

#ifndef _WIN32
const char *sbx_proc_stat(pid_t pid, char *text, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, text, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	text[n] = '\0';
	char *p = strrchr(text, ')');
	return p ? p + 1 : NULL;
}

int sbx_write_existing(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int e = n < 0 ? errno : EIO;
	close(fd);
	return n == (ssize_t)len ? 0 : -e;
}

int sbx_mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	struct stat st;
	if (stat(tmp, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

pid_t sbx_spawn_quiet(char *const argv[], int out)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out >= 0 ? out : null, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int sbx_run_quiet(char *const argv[])
{
	pid_t pid = sbx_spawn_quiet(argv, -1);
	if (pid < 0)
		return -errno;
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return st;
}
#endif

#ifdef __linux__
int sbx_memfd_sealed(const char *name, const char *data, size_t len, bool cloexec)
{
	int fd = memfd_create(name, MFD_ALLOW_SEALING | (cloexec ? MFD_CLOEXEC : 0));
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			return -e;
		}
		off += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}
#endif
