/* gate.c: the socket calls the seccomp filter sends to the sandbox's init
 * (--unix-gate): connect() and bind(). Init performs
 * each call itself, on the sandbox's own socket (pidfd_getfd: the same open
 * socket) with its own copy of the address, and the command's call returns
 * init's result. Nothing is checked and then left to the kernel to read
 * again, so a thread that rewrites the address or swaps the descriptor
 * meanwhile changes nothing.
 *
 * Why init: it lives in the sandbox's mount namespace, so a path resolves
 * for it exactly as for the command (the copy-on-write views, masks and
 * writable binds; its private /proc), and it is bound by the command's own
 * Landlock domain (the command runs in it), so what it does for the command
 * is limited as the command is: a unix socket it binds needs the write
 * rights the command has, a TCP bind is refused alike, and the ABI 6
 * abstract-socket scope applies to its connects.
 *
 * connect(): a pathname unix socket is reachable only when this sandbox
 * bound it (init binds every one, and notes the file with the socket bound
 * to it, as sock_diag tells) and that socket is still open, or when
 * --unix-allow names it; every socket of the host gets EACCES, wherever it
 * is: the container engine's and containerd's, agents, buses, and those in
 * the places the sandbox can write too (a tmux, ssh-agent, X11 or editor
 * socket in the temp dir the agent profile writes through). The path is
 * resolved against the calling thread's cwd and pinned with an O_PATH
 * descriptor; the check reads where that descriptor is, and the connect
 * goes through /proc/self/fd/N to the same inode. Other families (TCP, UDP,
 * netlink) are connected as asked. A blocking connect is made without
 * blocking init: the socket is switched to non-blocking for the call, and
 * the answer is sent when the socket becomes writable (SO_SNDTIMEO kept).
 *
 * Without a pid namespace (no user namespaces on the host) there is no
 * init: the supervisor answers connect() alone, and tells sockets by place
 * (the places the sandbox can write: the writable paths and temp dir bound
 * from the host, the copy-on-write views, its private tmpfs mounts). It
 * shares the command's mount namespace (there is no other), so paths
 * resolve alike; it holds
 * none of the command's Landlock domain but one that scopes abstract unix
 * sockets, entered before the sandbox was forked (so the command's domain
 * is nested in it): its connects reach the command's own abstract sockets
 * and no host one. It binds nothing for the command (the kernel does,
 * under the command's domain), answers no outer-sandbox query, and
 * connects no inet socket under net=disable.
 *
 * Datagram unix sockets are the one other way to address a pathname socket
 * (sendto/sendmsg take an address on them, never on stream or seqpacket
 * sockets); the filter refuses creating them (seccomp.c).
 *
 * bind(): under net=outbound an inet datagram socket cannot be bound to a
 * port, so no host process can send it unsolicited datagrams on a known
 * port; everything else is bound as asked, a unix path from the calling
 * thread's cwd and with its umask. */
#include "shim.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#define MAX_PENDING 1024
#define MAX_BOUND   4096

/* The address argument of the call, copied out of the caller's memory. */
static int read_addr(const struct seccomp_notif *req, struct sockaddr_storage *ss, socklen_t *len)
{
	uint64_t n = req->data.args[2];
	memset(ss, 0, sizeof(*ss));
	if (n > sizeof(*ss))
		return -EINVAL;
	*len = (socklen_t)n;
	if (!n)
		return 0;
	struct iovec local = {ss, (size_t)n};
	struct iovec remote = {(void *)(uintptr_t)req->data.args[1], (size_t)n};
	if (process_vm_readv((pid_t)req->pid, &local, 1, &remote, 1, 0) != (ssize_t)n)
		return -EFAULT;
	return 0;
}

static bool pathname(const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sockaddr_un *un = (const void *)ss;
	return ss->ss_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path) &&
	       un->sun_path[0] != '\0';
}

/* A nested run asking what this sandbox enforces (outer.c)? */
static bool outer_query(const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sockaddr_un *un = (const void *)ss;
	size_t n = strlen(SBX_OUTER_NAME);
	return ss->ss_family == AF_UNIX && len == offsetof(struct sockaddr_un, sun_path) + 1 + n &&
	       un->sun_path[0] == '\0' && memcmp(un->sun_path + 1, SBX_OUTER_NAME, n) == 0;
}

static int bound_file(struct shim_notify_state *st, ino_t sock_ino, unsigned *maj, unsigned *min,
                      uint32_t *ino)
{
	return sbx_unix_bound_file(&st->diag, (unsigned long)sock_ino, maj, min, ino);
}

/* Does sock_diag answer here (CONFIG_UNIX_DIAG)? Asked once, about a
 * socket of our own that has no file. */
static bool diag_works(struct shim_notify_state *st)
{
	if (st->diag_ok < 0)
		st->diag_ok = sbx_unix_diag_works(&st->diag);
	return st->diag_ok > 0;
}

/* Is the socket file t one this sandbox bound, with its socket still open
 * (so no other file can have taken its inode)? Where sock_diag does not
 * answer, a file noted without a socket is matched by its inode alone. */
static bool bound_here(struct shim_notify_state *st, const struct stat *t)
{
	for (size_t i = 0; i < st->nbound; i++) {
		const struct shim_bound *b = &st->bound[i];
		unsigned maj, min;
		uint32_t ino;
		if (b->dev != t->st_dev || b->ino != t->st_ino)
			continue;
		if (!b->sock_ino || (bound_file(st, b->sock_ino, &maj, &min, &ino) == 0 &&
		                     maj == major(t->st_dev) && min == minor(t->st_dev) &&
		                     ino == (uint32_t)t->st_ino))
			return true;
	}
	return false;
}

/* After init bound sock to path (from the caller's cwd, which is ours
 * now): notes the file, if the kernel's word on where sock is bound and
 * the file at path agree (a path swapped meanwhile is not noted, so
 * nothing of the host can be noted in its place). Where sock_diag does
 * not answer, the file at path is noted as it is found right after the
 * bind (the plan's caveat: a rename racing the bind could put a host
 * socket there). */
static void note_bound(struct shim_notify_state *st, int sock, const char *path)
{
	struct stat ss, fs;
	unsigned maj, min;
	uint32_t ino;
	bool diag = diag_works(st);
	if (fstat(sock, &ss) < 0 || (diag && bound_file(st, ss.st_ino, &maj, &min, &ino) < 0))
		return;
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &fs) < 0 || !S_ISSOCK(fs.st_mode) ||
	    (diag &&
	     (major(fs.st_dev) != maj || minor(fs.st_dev) != min || (uint32_t)fs.st_ino != ino)))
		return;
	if (!diag)
		ss.st_ino = 0;
	if (!st->bound && !(st->bound = calloc(MAX_BOUND, sizeof(*st->bound))))
		return;
	if (st->nbound == MAX_BOUND) {
		/* full: forget the sockets that are closed, else the oldest */
		size_t keep = 0;
		for (size_t i = 0; i < st->nbound; i++) {
			unsigned a, b;
			uint32_t c;
			if (st->bound[i].sock_ino &&
			    bound_file(st, st->bound[i].sock_ino, &a, &b, &c) == 0)
				st->bound[keep++] = st->bound[i];
		}
		st->nbound = keep;
		st->bound_next = keep % MAX_BOUND;
	}
	st->bound[st->bound_next] = (struct shim_bound){fs.st_dev, fs.st_ino, ss.st_ino};
	st->bound_next = (st->bound_next + 1) % MAX_BOUND;
	if (st->nbound < MAX_BOUND)
		st->nbound++;
}

/* May the unix socket file t at real (a path in the sandbox's view) be
 * reached? With init (which binds every socket for the command): only one
 * the sandbox bound, wherever it is, or an --unix-allow one; never one the
 * host made, even in a writable path (a tmux, ssh-agent, X11 or editor
 * socket in /tmp). Without: by place, the places the sandbox can write. */
static bool unix_allowed(struct shim_notify_state *st, const char *real, const struct stat *t)
{
	const struct shim_config *c = st->c;
	if (strv_contains(&c->unix_allow, real))
		return true;
	if (c->pidns)
		return bound_here(st, t);
	for (size_t i = 0; i < c->gate_allow.n; i++)
		if (path_is_beneath(real, c->gate_allow.v[i]))
			return true;
	return false;
}

/* Resolves the caller's pathname address from its cwd and pins it: an
 * O_PATH descriptor of an allowed socket, or -errno. */
static int unix_target(struct shim_notify_state *st, pid_t tid, const struct sockaddr_storage *ss,
                       socklen_t len)
{
	const struct sockaddr_un *un = (const void *)ss;
	char path[sizeof(un->sun_path) + 1];
	size_t n = len - offsetof(struct sockaddr_un, sun_path);
	memcpy(path, un->sun_path, n);
	path[n] = '\0';
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%d/cwd", (int)tid);
	_cleanup_close_ int cwd =
	    path[0] == '/' ? -1 : open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (path[0] != '/' && cwd < 0)
		return -EACCES;
	int fd = openat(path[0] == '/' ? AT_FDCWD : cwd, path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat sb;
	char real[4096];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ssize_t r = readlink(proc, real, sizeof(real) - 1);
	int err = 0;
	if (fstat(fd, &sb) < 0 || !S_ISSOCK(sb.st_mode))
		err = -ECONNREFUSED;
	else if (r <= 0 || (size_t)r >= sizeof(real) - 1 || real[0] != '/')
		err = -EACCES;
	else {
		real[r] = '\0';
		if (!unix_allowed(st, real, &sb))
			err = -EACCES;
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static bool still_valid(int nfd, uint64_t id)
{
	__u64 v = id;
	return ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &v) == 0;
}

/* connect() on sock without blocking; returns 0, -errno, or 1 when the
 * answer must wait (a blocking socket whose connect is under way, or a
 * unix listener whose backlog is full). */
static int connect_now(int sock, const void *addr, socklen_t len, bool unix_sock)
{
	int fl = fcntl(sock, F_GETFL);
	bool blocking = fl >= 0 && !(fl & O_NONBLOCK);
	if (blocking)
		fcntl(sock, F_SETFL, fl | O_NONBLOCK);
	int r = connect(sock, addr, len);
	int e = errno;
	if (blocking)
		fcntl(sock, F_SETFL, fl);
	if (r == 0)
		return 0;
	if (blocking && (unix_sock ? e == EAGAIN : e == EINPROGRESS))
		return 1;
	return -e;
}

/* Keeps a connect whose answer must wait; takes sock and target. */
static int add_pending(struct shim_notify_state *st, uint64_t id, int sock, int target,
                       const struct sockaddr_storage *via, socklen_t vlen, bool unix_sock)
{
	if (st->npend >= MAX_PENDING)
		return -1;
	struct shim_pending *np = realloc(st->pend, (st->npend + 1) * sizeof(*np));
	if (!np)
		return -1;
	st->pend = np;
	struct shim_pending *p = &st->pend[st->npend++];
	*p = (struct shim_pending){
	    .id = id, .sock = sock, .target = target, .via = *via, .vlen = vlen};
	/* A unix connect says nothing when the backlog frees: try again. */
	if (unix_sock)
		p->retry_at = sbx_sup_now() + 0.005;
	struct timeval tv = {0};
	socklen_t tl = sizeof(tv);
	if (getsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, &tl) == 0 && (tv.tv_sec || tv.tv_usec))
		p->deadline = sbx_sup_now() + (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
	return 0;
}

void shim_gate_connect(struct shim_notify_state *st, const struct seccomp_notif *req)
{
	int nfd = st->fd;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int r = read_addr(req, &ss, &len);
	if (r < 0)
		return shim_notify_respond(nfd, req->id, 0, r);
	/* Only an init describes its sandbox: a nested run under a
	 * supervisor-answered gate stacks its whole plan, as if not nested. */
	if (outer_query(&ss, len))
		return st->c->pidns ? shim_outer_answer(st, req)
		                    : shim_notify_respond(nfd, req->id, 0, -ECONNREFUSED);
	int sock = shim_notify_getfd(req, (int)req->data.args[0]);
	if (sock < 0)
		return shim_notify_respond(nfd, req->id, 0, sock);
	if (!still_valid(nfd, req->id)) {
		close(sock);
		return;
	}
	int domain = -1;
	socklen_t dl = sizeof(domain);
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0) {
		r = errno == ENOTSOCK ? -ENOTSOCK : -EACCES;
		close(sock);
		return shim_notify_respond(nfd, req->id, 0, r);
	}
	/* The supervisor holds none of the command's Landlock domain, whose
	 * net=disable refuses TCP connects: an inherited inet socket must
	 * not connect through it. */
	if (!st->c->pidns && st->c->net == SHIM_NET_DISABLE && domain != AF_UNIX &&
	    domain != AF_NETLINK) {
		close(sock);
		return shim_notify_respond(nfd, req->id, 0, -EACCES);
	}
	struct sockaddr_storage via = ss;
	socklen_t vlen = len;
	int target = -1;
	if (domain == AF_UNIX && pathname(&ss, len)) {
		target = unix_target(st, (pid_t)req->pid, &ss, len);
		if (target < 0) {
			if (target == -EACCES)
				st->denied.connect++;
			close(sock);
			return shim_notify_respond(nfd, req->id, 0, target);
		}
		/* the pinned inode, not the path again */
		struct sockaddr_un *un = (void *)&via;
		memset(&via, 0, sizeof(via));
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d", target);
		vlen =
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1);
	}
	r = connect_now(sock, &via, vlen, domain == AF_UNIX);
	if (r == 1 && add_pending(st, req->id, sock, target, &via, vlen, domain == AF_UNIX) == 0)
		return;
	close(sock);
	if (target >= 0)
		close(target);
	shim_notify_respond(nfd, req->id, 0, r == 1 ? -EAGAIN : r);
}

/* For a socket file about to be made from the current directory: EPERM
 * when its name is protected, the error of reaching its directory (no
 * magic link on the way, as create.c resolves), or 0. */
static int socket_name_refused(const struct shim_notify_state *st,
                               const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sockaddr_un *un = (const void *)ss;
	char path[sizeof(un->sun_path) + 1];
	size_t n = len - offsetof(struct sockaddr_un, sun_path);
	memcpy(path, un->sun_path, n);
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char dir[sizeof(path) + 1];
	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	                       .resolve = RESOLVE_NO_MAGICLINKS};
	_cleanup_close_ int d = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
	if (d < 0)
		return errno;
	return *name && shim_protected_at(st, d, name) ? EPERM : 0;
}

void shim_gate_bind(struct shim_notify_state *st, const struct seccomp_notif *req)
{
	int nfd = st->fd;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int r = read_addr(req, &ss, &len);
	if (r < 0)
		return shim_notify_respond(nfd, req->id, 0, r);
	_cleanup_close_ int sock = shim_notify_getfd(req, (int)req->data.args[0]);
	if (sock < 0)
		return shim_notify_respond(nfd, req->id, 0, sock);
	if (!still_valid(nfd, req->id))
		return;
	int domain = -1, type = -1;
	socklen_t dl = sizeof(domain), tl = sizeof(type);
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0 ||
	    getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
		return shim_notify_respond(nfd, req->id, 0,
		                           errno == ENOTSOCK ? -ENOTSOCK : -EACCES);
	if ((domain == AF_INET || domain == AF_INET6) && type == SOCK_DGRAM && len >= 4) {
		/* sin_port and sin6_port are at the same offset */
		uint16_t port = ((const struct sockaddr_in *)&ss)->sin_port;
		if (ss.ss_family != AF_UNSPEC && port != 0)
			return shim_notify_respond(nfd, req->id, 0, -EACCES);
	}
	if (!(domain == AF_UNIX && pathname(&ss, len))) {
		r = bind(sock, (const struct sockaddr *)&ss, len);
		return shim_notify_respond(nfd, req->id, 0, r < 0 ? -errno : 0);
	}
	/* A socket file: created from the caller's cwd, with its umask; a
	 * name like any other, so never a protected one (protect.c). */
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%d/cwd", (int)req->pid);
	_cleanup_close_ int cwd = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
	long mask = shim_status_field((pid_t)req->pid, "Umask:", 8);
	if (cwd < 0 || mask < 0 || st->own_cwd < 0 || fchdir(cwd) < 0)
		return shim_notify_respond(nfd, req->id, 0, -EACCES);
	int e = st->ndeny ? socket_name_refused(st, &ss, len) : 0;
	if (e) {
		r = -1;
		st->denied.create += e == EPERM;
	} else {
		mode_t old = umask((mode_t)mask & 0777);
		r = bind(sock, (const struct sockaddr *)&ss, len);
		e = errno;
		umask(old);
	}
	if (r == 0) {
		const struct sockaddr_un *un = (const void *)&ss;
		char path[sizeof(un->sun_path) + 1];
		size_t n = len - offsetof(struct sockaddr_un, sun_path);
		memcpy(path, un->sun_path, n);
		path[n] = '\0';
		note_bound(st, sock, path);
	}
	if (fchdir(st->own_cwd) < 0)
		_exit(125); /* init must never act from the wrong directory */
	shim_notify_respond(nfd, req->id, 0, r < 0 ? -e : 0);
}

size_t shim_gate_pollfds(const struct shim_notify_state *st, struct pollfd *p, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < st->npend && n < max; i++)
		p[n++] = (struct pollfd){.fd = st->pend[i].retry_at ? -1 : st->pend[i].sock,
		                         .events = POLLOUT};
	return n;
}

int shim_gate_wait_ms(const struct shim_notify_state *st)
{
	double next = 0;
	for (size_t i = 0; i < st->npend; i++) {
		const struct shim_pending *p = &st->pend[i];
		double t = p->retry_at ? p->retry_at : p->deadline;
		if (t && (!next || t < next))
			next = t;
	}
	if (!next)
		return -1;
	double left = next - sbx_sup_now();
	return left <= 0 ? 0 : left > 3600 ? 3600000 : (int)(left * 1000) + 1;
}

/* Moves a pending connect on; true when it has had its answer. */
static bool pending_step(struct shim_notify_state *st, struct shim_pending *p, short revents)
{
	double t = sbx_sup_now();
	if (!still_valid(st->fd, p->id))
		return true;
	bool expired = p->deadline && t >= p->deadline;
	if (p->retry_at) {
		if (t < p->retry_at && !expired)
			return false;
		int r = connect_now(p->sock, &p->via, p->vlen, true);
		if (r == 1 && !expired) {
			p->retry_at = t + 0.005;
			return false;
		}
		shim_notify_respond(st->fd, p->id, 0, r == 1 ? -EAGAIN : r);
		return true;
	}
	if (revents) {
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(p->sock, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		shim_notify_respond(st->fd, p->id, 0, -err);
		return true;
	}
	if (expired) {
		/* as the kernel answers a blocking connect past SO_SNDTIMEO */
		shim_notify_respond(st->fd, p->id, 0, -EINPROGRESS);
		return true;
	}
	return false;
}

static void pending_close(struct shim_pending *p)
{
	close(p->sock);
	if (p->target >= 0)
		close(p->target);
}

void shim_gate_poll_done(struct shim_notify_state *st, const struct pollfd *p, size_t n)
{
	size_t keep = 0;
	for (size_t i = 0; i < st->npend; i++) {
		short rev = i < n ? p[i].revents : 0;
		if (pending_step(st, &st->pend[i], rev))
			pending_close(&st->pend[i]);
		else
			st->pend[keep++] = st->pend[i];
	}
	st->npend = keep;
}

void shim_gate_free(struct shim_notify_state *st)
{
	if (st->diag >= 0)
		close(st->diag);
	st->diag = -1;
	free(st->bound);
	st->bound = NULL;
	st->nbound = st->bound_next = 0;
	for (size_t i = 0; i < st->npend; i++)
		pending_close(&st->pend[i]);
	free(st->pend);
	st->pend = NULL;
	st->npend = 0;
}

int shim_gate_prepare(struct shim_config *c)
{
	/* Exactly where the sandbox can create files, hence sockets: the
	 * writable paths bound from the host, the copy-on-write views, its
	 * private tmpfs mounts and /dev/shm. A host socket seen through a
	 * copy-on-write view cannot be connected anyway (overlayfs shows
	 * another inode), and sockets the sandbox binds there can. */
	int r = 0;
	for (size_t i = 0; i < c->nrules && r == 0; i++)
		if (c->rules[i].kind == RULE_WRITE)
			r = strv_push(&c->gate_allow, c->rules[i].path);
	for (size_t i = 0; i < c->nmounts && r == 0; i++)
		if (c->mounts[i].kind == MNT_BIND || c->mounts[i].kind == MNT_TMPFS)
			r = strv_push(&c->gate_allow, c->mounts[i].path);
	for (size_t i = 0; i < c->cow_dirs.n && r == 0; i++)
		r = strv_push(&c->gate_allow, c->cow_dirs.v[i]);
	if (r == 0 && c->ipcns)
		r = strv_push(&c->gate_allow, "/dev/shm");
	return r < 0 ? shim_fail(c, "out of memory") : 0;
}
