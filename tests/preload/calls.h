/* calls.h: one libc call per name, for the preload probes. probe_run(name,
 * args) makes exactly that call (through the PLT, so LD_PRELOAD applies)
 * and prints one line: "OK [detail]" or "ERR <errno name>". The detail is
 * what a differential test compares with and without the library. Shared
 * by the probe program and by the library whose constructor calls it. */
#ifndef SBX_PRELOAD_CALLS_H
#define SBX_PRELOAD_CALLS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

extern char **environ;
/* glibc's fortified entry points (declared only under _FORTIFY_SOURCE). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

static const char *probe_errname(int e)
{
	switch (e) {
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EEXIST:
		return "EEXIST";
	case ENOTDIR:
		return "ENOTDIR";
	case EISDIR:
		return "EISDIR";
	case ELOOP:
		return "ELOOP";
	case EINVAL:
		return "EINVAL";
	case ENOTEMPTY:
		return "ENOTEMPTY";
	case EADDRINUSE:
		return "EADDRINUSE";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ENOSYS:
		return "ENOSYS";
	default:
		return "EOTHER";
	}
}

static int probe_report(int r, const char *detail)
{
	int e = errno;
	if (r < 0) {
		printf("ERR %s\n", probe_errname(e));
		return 1;
	}
	printf("OK%s%s\n", detail ? " " : "", detail ? detail : "");
	return 0;
}

/* A directory descriptor for path's parent and its base name, opened with
 * a raw syscall so that only the call under test goes through libc. */
static int probe_parent(const char *path, const char **base)
{
	static char copy[4096], bcopy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(bcopy, sizeof(bcopy), "%s", path);
	*base = basename(bcopy);
	return (int)syscall(SYS_openat, AT_FDCWD, dirname(copy), O_PATH | O_DIRECTORY);
}

static const char *probe_stat_detail(const struct stat *st)
{
	static char d[128];
	snprintf(d, sizeof(d), "ino=%llu mode=%o size=%lld", (unsigned long long)st->st_ino,
	         (unsigned)st->st_mode, (long long)st->st_size);
	return d;
}

static int probe_read_fd(int fd)
{
	static char d[64];
	if (fd < 0)
		return probe_report(-1, NULL);
	ssize_t n = read(fd, d, sizeof(d) - 1);
	close(fd);
	d[n > 0 ? n : 0] = '\0';
	d[strcspn(d, "\n")] = '\0';
	return probe_report(0, d);
}

static int probe_unix(const char *path, int do_bind)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int r = do_bind ? bind(s, (struct sockaddr *)&sa, sizeof(sa))
	                : connect(s, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	close(s);
	errno = e;
	return probe_report(r, NULL);
}

static int probe_wait(pid_t pid)
{
	int st;
	char d[32];
	if (waitpid(pid, &st, 0) < 0)
		return probe_report(-1, NULL);
	snprintf(d, sizeof(d), "status=%d", WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	return probe_report(0, d);
}

/* Runs call name with args a[0..]; exec calls run a[0] with a as argv. */
static int probe_run(const char *n, char **a)
{
	struct stat st;
	struct stat64 st64;
	struct statx stx;
	char buf[4096];
	const char *base;
	int dfd;
	uid_t u = getuid();
	gid_t g = getgid();
	struct timeval tv[2] = {{1, 0}, {1, 0}};
	struct timespec ts[2] = {{1, 0}, {1, 0}};
	struct utimbuf ub = {1, 1};
	pid_t pid;
#define IS(x) (strcmp(n, x) == 0)
	/* ---- opens */
	if (IS("open_r"))
		return probe_read_fd(open(a[0], O_RDONLY));
	if (IS("open64_r"))
		return probe_read_fd(open64(a[0], O_RDONLY));
	if (IS("open_w"))
		return probe_report(open(a[0], O_WRONLY | O_CREAT, 0644), NULL);
	if (IS("open_trunc"))
		return probe_report(open(a[0], O_RDONLY | O_TRUNC), NULL);
	if (IS("openat_r"))
		return dfd = probe_parent(a[0], &base), probe_read_fd(openat(dfd, base, O_RDONLY));
	if (IS("openat64_w"))
		return dfd = probe_parent(a[0], &base),
		       probe_report(openat64(dfd, base, O_WRONLY | O_CREAT, 0644), NULL);
	if (IS("__open_2"))
		return probe_read_fd(__open_2(a[0], O_RDONLY));
	if (IS("__open64_2"))
		return probe_read_fd(__open64_2(a[0], O_RDONLY));
	if (IS("__openat_2"))
		return dfd = probe_parent(a[0], &base),
		       probe_read_fd(__openat_2(dfd, base, O_RDONLY));
	if (IS("__openat64_2"))
		return dfd = probe_parent(a[0], &base),
		       probe_read_fd(__openat64_2(dfd, base, O_RDONLY));
	if (IS("creat"))
		return probe_report(creat(a[0], 0644), NULL);
	if (IS("creat64"))
		return probe_report(creat64(a[0], 0644), NULL);
	if (IS("fopen_r") || IS("fopen64_r") || IS("freopen_r")) {
		FILE *f = IS("fopen_r")     ? fopen(a[0], "r")
		          : IS("fopen64_r") ? fopen64(a[0], "r")
		                            : freopen(a[0], "r", tmpfile());
		if (!f)
			return probe_report(-1, NULL);
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		buf[strcspn(buf, "\n")] = '\0';
		return probe_report(0, buf);
	}
	if (IS("fopen_bad")) /* a mode libc rejects: forwarded unchecked */
		return probe_report(fopen(a[0], "z") ? 0 : -1, NULL);
	if (IS("fopen_w") || IS("fopen_a")) {
		FILE *f = fopen(a[0], IS("fopen_w") ? "w" : "a");
		return f ? (fclose(f), probe_report(0, NULL)) : probe_report(-1, NULL);
	}
	if (IS("opendir")) {
		DIR *d = opendir(a[0]);
		int cnt = 0;
		if (!d)
			return probe_report(-1, NULL);
		while (readdir(d))
			cnt++;
		closedir(d);
		snprintf(buf, sizeof(buf), "entries=%d", cnt);
		return probe_report(0, buf);
	}
	/* ---- metadata */
	if (IS("stat"))
		return stat(a[0], &st) < 0 ? probe_report(-1, 0)
		                           : probe_report(0, probe_stat_detail(&st));
	if (IS("lstat"))
		return lstat(a[0], &st) < 0 ? probe_report(-1, 0)
		                            : probe_report(0, probe_stat_detail(&st));
	if (IS("stat64") || IS("lstat64")) {
		int r = IS("stat64") ? stat64(a[0], &st64) : lstat64(a[0], &st64);
		snprintf(buf, sizeof(buf), "ino=%llu", (unsigned long long)st64.st_ino);
		return probe_report(r, r < 0 ? NULL : buf);
	}
	if (IS("fstatat") || IS("fstatat64")) {
		dfd = probe_parent(a[0], &base);
		int r = IS("fstatat") ? fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW)
		                      : fstatat64(dfd, base, &st64, AT_SYMLINK_NOFOLLOW);
		snprintf(buf, sizeof(buf), "ino=%llu",
		         IS("fstatat") ? (unsigned long long)st.st_ino
		                       : (unsigned long long)st64.st_ino);
		return probe_report(r, r < 0 ? NULL : buf);
	}
	if (IS("statx")) {
		int r = statx(AT_FDCWD, a[0], 0, STATX_INO, &stx);
		snprintf(buf, sizeof(buf), "ino=%llu", (unsigned long long)stx.stx_ino);
		return probe_report(r, r < 0 ? NULL : buf);
	}
	if (IS("access_r"))
		return probe_report(access(a[0], R_OK), NULL);
	if (IS("access_f"))
		return probe_report(access(a[0], F_OK), NULL);
	if (IS("access_w"))
		return probe_report(access(a[0], W_OK), NULL);
	if (IS("euidaccess"))
		return probe_report(euidaccess(a[0], R_OK), NULL);
	if (IS("eaccess"))
		return probe_report(eaccess(a[0], R_OK), NULL);
	if (IS("faccessat"))
		return dfd = probe_parent(a[0], &base),
		       probe_report(faccessat(dfd, base, R_OK, 0), NULL);
	if (IS("readlink") || IS("readlinkat")) {
		ssize_t r;
		if (IS("readlink"))
			r = readlink(a[0], buf, sizeof(buf) - 1);
		else
			dfd = probe_parent(a[0], &base),
			r = readlinkat(dfd, base, buf, sizeof(buf) - 1);
		buf[r > 0 ? r : 0] = '\0';
		return probe_report(r < 0 ? -1 : 0, buf);
	}
	/* ---- namespace changes */
	if (IS("mkdir"))
		return probe_report(mkdir(a[0], 0755), NULL);
	if (IS("mkdirat"))
		return dfd = probe_parent(a[0], &base),
		       probe_report(mkdirat(dfd, base, 0755), NULL);
	if (IS("mknod"))
		return probe_report(mknod(a[0], S_IFIFO | 0644, 0), NULL);
	if (IS("mknodat"))
		return dfd = probe_parent(a[0], &base),
		       probe_report(mknodat(dfd, base, S_IFIFO | 0644, 0), NULL);
	if (IS("mkfifo"))
		return probe_report(mkfifo(a[0], 0644), NULL);
	if (IS("mkfifoat"))
		return dfd = probe_parent(a[0], &base),
		       probe_report(mkfifoat(dfd, base, 0644), NULL);
	if (IS("unlink"))
		return probe_report(unlink(a[0]), NULL);
	if (IS("unlinkat"))
		return dfd = probe_parent(a[0], &base), probe_report(unlinkat(dfd, base, 0), NULL);
	if (IS("rmdir"))
		return probe_report(rmdir(a[0]), NULL);
	if (IS("rename"))
		return probe_report(rename(a[0], a[1]), NULL);
	if (IS("renameat"))
		return probe_report(renameat(AT_FDCWD, a[0], AT_FDCWD, a[1]), NULL);
	if (IS("renameat2"))
		return probe_report(renameat2(AT_FDCWD, a[0], AT_FDCWD, a[1], 0), NULL);
	if (IS("link"))
		return probe_report(link(a[0], a[1]), NULL);
	if (IS("linkat"))
		return probe_report(linkat(AT_FDCWD, a[0], AT_FDCWD, a[1], 0), NULL);
	if (IS("symlink"))
		return probe_report(symlink(a[0], a[1]), NULL);
	if (IS("symlinkat"))
		return probe_report(symlinkat(a[0], AT_FDCWD, a[1]), NULL);
	/* ---- attributes */
	if (IS("chmod"))
		return probe_report(chmod(a[0], 0600), NULL);
	if (IS("fchmodat"))
		return probe_report(fchmodat(AT_FDCWD, a[0], 0600, 0), NULL);
	if (IS("chown"))
		return probe_report(chown(a[0], u, g), NULL);
	if (IS("lchown"))
		return probe_report(lchown(a[0], u, g), NULL);
	if (IS("fchownat"))
		return probe_report(fchownat(AT_FDCWD, a[0], u, g, 0), NULL);
	if (IS("truncate"))
		return probe_report(truncate(a[0], 0), NULL);
	if (IS("truncate64"))
		return probe_report(truncate64(a[0], 0), NULL);
	if (IS("utime"))
		return probe_report(utime(a[0], &ub), NULL);
	if (IS("utimes"))
		return probe_report(utimes(a[0], tv), NULL);
	if (IS("lutimes"))
		return probe_report(lutimes(a[0], tv), NULL);
	if (IS("utimensat"))
		return probe_report(utimensat(AT_FDCWD, a[0], ts, 0), NULL);
	if (IS("futimesat"))
		return probe_report(futimesat(AT_FDCWD, a[0], tv), NULL);
	if (IS("bind"))
		return probe_unix(a[0], 1);
	if (IS("connect"))
		return probe_unix(a[0], 0);
	/* ---- exec family: success replaces the probe with a[0] */
	if (IS("execve"))
		return probe_report(execve(a[0], a, environ), NULL);
	if (IS("execve_noenv")) {
		char *none[] = {NULL};
		return probe_report(execve(a[0], a, none), NULL);
	}
	if (IS("execveat"))
		return probe_report(execveat(AT_FDCWD, a[0], a, environ, 0), NULL);
	if (IS("fexecve")) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, a[0], O_RDONLY | O_CLOEXEC);
		return probe_report(fexecve(fd, a, environ), NULL);
	}
	if (IS("execv"))
		return probe_report(execv(a[0], a), NULL);
	if (IS("execvp"))
		return probe_report(execvp(a[0], a), NULL);
	if (IS("execvpe"))
		return probe_report(execvpe(a[0], a, environ), NULL);
	if (IS("execl"))
		return probe_report(execl(a[0], a[0], a[1], (char *)NULL), NULL);
	if (IS("execlp"))
		return probe_report(execlp(a[0], a[0], a[1], (char *)NULL), NULL);
	if (IS("execle"))
		return probe_report(execle(a[0], a[0], a[1], (char *)NULL, environ), NULL);
	if (IS("posix_spawn") || IS("posix_spawnp")) {
		int r = IS("posix_spawn") ? posix_spawn(&pid, a[0], NULL, NULL, a, environ)
		                          : posix_spawnp(&pid, a[0], NULL, NULL, a, environ);
		if (r) {
			errno = r;
			return probe_report(-1, NULL);
		}
		return probe_wait(pid);
	}
	if (IS("system")) {
		int r = system(a[0]);
		snprintf(buf, sizeof(buf), "status=%d", r < 0 ? -1 : WEXITSTATUS(r));
		return probe_report(r, buf);
	}
	if (IS("popen")) {
		FILE *f = popen(a[0], "r");
		if (!f)
			return probe_report(-1, NULL);
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		pclose(f);
		buf[strcspn(buf, "\n")] = '\0';
		return probe_report(0, buf);
	}
	if (IS("raw_execve"))
		return probe_report((int)syscall(SYS_execve, a[0], a, environ), NULL);
	if (IS("raw_open_r"))
		return probe_read_fd((int)syscall(SYS_openat, AT_FDCWD, a[0], O_RDONLY));
#undef IS
	printf("unknown call %s\n", n);
	return 2;
}

#endif
