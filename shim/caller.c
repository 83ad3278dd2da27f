/* caller.c: what init reads of the process whose system call it answers
 * (the seccomp notification's caller): its status, a string from its
 * memory, its descriptors, its directory for a dirfd, its controlling
 * terminal; and the answer. */
#include "shim.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* A number from /proc/TID/status ("Tgid:", "Umask:"), or -1. */
long shim_status_field(pid_t tid, const char *field, int base)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long v = -1;
	size_t n = strlen(field);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0) {
			v = strtol(line + n, NULL, base);
			break;
		}
	fclose(f);
	return v;
}

int shim_pidfd_of(pid_t tid)
{
	/* A thread's own pidfd (Linux 6.9); else its process's, whose
	 * descriptor table the thread shares. */
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (fd >= 0 || errno != EINVAL)
		return fd;
	fd = (int)syscall(SYS_pidfd_open, tid, 0);
	if (fd >= 0 || errno != EINVAL)
		return fd;
	long tgid = shim_status_field(tid, "Tgid:", 10);
	return tgid > 0 ? (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0) : -1;
}

int shim_notify_getfd(const struct seccomp_notif *req, int nr)
{
	_cleanup_close_ int pidfd = shim_pidfd_of((pid_t)req->pid);
	if (pidfd < 0)
		return -EACCES;
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, nr, 0);
	return fd < 0 ? (errno == EBADF ? -EBADF : -EACCES) : fd;
}

void shim_notify_respond(int nfd, uint64_t id, long val, int err)
{
	struct seccomp_notif_resp resp = {.id = id, .val = val, .error = err};
	/* ENOENT: the caller went away (a signal, or killed) meanwhile */
	ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

void shim_caller_status(pid_t tid, struct shim_caller_status *s)
{
	*s = (struct shim_caller_status){.umask = -1, .depth = -1};
	char path[64], text[8192];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size_t len = 0;
	for (ssize_t n;
	     len < sizeof(text) - 1 && (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0;)
		len += (size_t)n;
	text[len] = '\0';
	const char *v;
	if ((v = strstr(text, "\nUmask:")))
		s->umask = strtol(v + 7, NULL, 8);
	if ((v = strstr(text, "\nCapPrm:"))) {
		s->prm = strtoull(v + 8, NULL, 16);
		s->has_prm = true;
	}
	if ((v = strstr(text, "\nCapEff:"))) {
		s->eff = strtoull(v + 8, NULL, 16);
		s->has_eff = true;
	}
	if ((v = strstr(text, "\nSeccomp_filters:")))
		s->depth = strtol(v + 17, NULL, 10);
}

int shim_caller_string(pid_t pid, uint64_t addr, char *out, size_t size)
{
	if (!addr)
		return -EFAULT;
	for (size_t got = 0; got < size;) {
		uint64_t a = addr + got;
		size_t chunk = 4096 - (size_t)(a & 4095);
		if (chunk > size - got)
			chunk = size - got;
		struct iovec l = {out + got, chunk}, r = {(void *)(uintptr_t)a, chunk};
		ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
		if (n <= 0)
			return -EFAULT;
		if (memchr(out + got, '\0', (size_t)n))
			return 0;
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

int shim_caller_dir(const struct seccomp_notif *req, int dirfd)
{
	if (dirfd == AT_FDCWD) {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/%d/cwd", (int)req->pid);
		int fd = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? -EACCES : fd;
	}
	return shim_notify_getfd(req, dirfd);
}

/* The caller's controlling terminal's device (tty_nr of /proc/TID/stat,
 * after the command's name, which may hold anything), or 0; and its
 * session. */
static dev_t caller_ctty(pid_t tid, pid_t *sid)
{
	char text[1024];
	const char *p = sbx_proc_stat(tid, text, sizeof(text));
	unsigned long nr = 0;
	int session = 0;
	/* state ppid pgrp session tty_nr */
	if (!p || sscanf(p, " %*c %*d %*d %d %lu", &session, &nr) != 2)
		return 0;
	*sid = session;
	return makedev((nr >> 8) & 0xfff, (nr & 0xff) | ((nr >> 12) & 0xfff00));
}

int shim_caller_tty(pid_t tid, int flags)
{
	pid_t sid = 0;
	dev_t tty = caller_ctty(tid, &sid);
	if (!tty)
		return -ENXIO;
	/* In init's session the terminal is init's own (a session has one):
	 * its /dev/tty, whatever the host's terminal is named (the view's
	 * /dev/pts is the sandbox's own devpts, mounts.c). A session made in
	 * the sandbox (script, expect, tmux) has a terminal made there: its
	 * pty slave by number, in the caller's view (the sandbox's devpts,
	 * whoever answers: init, or the supervisor outside without a pid
	 * namespace), the device checked. */
	if (sid == getsid(0)) {
		int fd = open("/dev/tty", flags | O_NOCTTY | O_CLOEXEC);
		return fd >= 0 ? fd : -ENXIO;
	}
	unsigned maj = major(tty), min = minor(tty);
	if (maj < 136 || maj > 143)
		return -ENXIO;
	char pts[64];
	snprintf(pts, sizeof(pts), "/proc/%d/root/dev/pts/%u", (int)tid, (maj - 136) * 256 + min);
	int fd = open(pts, flags | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISCHR(sb.st_mode) && sb.st_rdev == tty)
		return fd;
	if (fd >= 0)
		close(fd);
	return -ENXIO;
}
