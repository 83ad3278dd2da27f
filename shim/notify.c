/* notify.c: the answers to seccomp user notifications, given by the
 * sandbox's init (with a pid namespace) or else by the supervisor: no-exec
 * (execve, execveat), net=outbound's unix listeners (listen), and the
 * socket gate's connect and bind (gate.c).
 *
 * Why no-exec is sound: the filter sends execve and execveat here. The
 * first notification is the shim's own execve of the command, made right
 * after the filter was loaded by a single-threaded process that runs no
 * other code in between, so nothing the command controls can arrive first
 * or change the arguments; it continues. Every later one is refused with
 * EPERM without reading its arguments, so there is nothing to race
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE is used only for the one call that no
 * untrusted code can influence). fexecve and memfd execution are execveat;
 * the dynamic loader run as a program is an execve; static binaries making
 * the raw syscall are trapped the same way. If the answering process dies,
 * the kernel fails the pending and all later calls (ENOSYS): closed, not
 * open.
 *
 * listen() under net=outbound: seccomp cannot see a socket's family, and
 * listen() on an unbound TCP socket binds it to a port without any bind()
 * Landlock could refuse. So the answering process takes a copy of the
 * descriptor (pidfd_getfd: the same open socket), checks that it is
 * AF_UNIX, and calls listen() on that socket itself; the command's call
 * then returns what that listen() did. The check and the action are on the same object, so a
 * thread swapping the descriptor number meanwhile changes nothing: only a
 * socket that was checked can be made to listen. Anything else: EACCES. */
#include "shim.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

/* listen(fd, backlog) of the notifying thread, done here on its socket if
 * that is a unix socket. Returns the value or -errno for the response. */
static long listen_for(int nfd, const struct seccomp_notif *req)
{
	_cleanup_close_ int sock = shim_notify_getfd(req, (int)req->data.args[0]);
	if (sock < 0)
		return sock;
	/* the pid could have been reused: the notification must still be live */
	__u64 id = req->id;
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -EACCES;
	int domain = -1;
	socklen_t len = sizeof(domain);
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return errno == ENOTSOCK ? -ENOTSOCK : -EACCES;
	if (domain != AF_UNIX)
		return -EACCES;
	return listen(sock, (int)req->data.args[1]) < 0 ? -errno : 0;
}

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS _IOW('!', 4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

void shim_notify_sync_wakeup(int fd)
{
	/* Linux 6.6: the notifying task hands its CPU to the answering one
	 * (no scheduler round trip per call: the create gate answers every
	 * file a build makes). Older kernels refuse it; nothing changes. */
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
}

void shim_notify_init(struct shim_notify_state *st, const struct shim_config *c, int fd)
{
	*st = (struct shim_notify_state){
	    .c = c, .fd = fd, .own_cwd = -1, .outer_fd = -1, .diag = -1, .diag_ok = -1};
	if (c->unix_gate)
		st->own_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

void shim_notify_free(struct shim_notify_state *st)
{
	shim_gate_free(st);
	shim_create_free(st);
	if (st->own_cwd >= 0)
		close(st->own_cwd);
	if (st->outer_fd >= 0)
		close(st->outer_fd);
	st->outer_fd = -1;
	if (st->fd >= 0)
		close(st->fd);
	st->fd = st->own_cwd = -1;
}

int shim_notify_handle(struct shim_notify_state *st)
{
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(st->fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return errno == EINTR || errno == ENOENT ? 0 : -1;
	st->handled++;
	if (req.data.nr == SYS_connect && st->c->unix_gate) {
		shim_gate_connect(st, &req);
		return 0;
	}
	if (st->ndeny && shim_create_call(req.data.nr)) {
		shim_create_answer(st, &req);
		return 0;
	}
	if (req.data.nr == SYS_bind && st->c->unix_gate && st->c->pidns) {
		shim_gate_bind(st, &req);
		return 0;
	}
	struct seccomp_notif_resp resp = {.id = req.id};
	if (req.data.nr == SYS_listen) {
		long r = listen_for(st->fd, &req);
		if (r < 0)
			resp.error = (int)r;
		else
			resp.val = r;
	} else if (req.data.nr != SYS_execve && req.data.nr != SYS_execveat) {
		resp.error = -ENOSYS; /* nothing else is sent here */
	} else if (!st->first_exec_done) {
		st->first_exec_done = true;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		resp.error = -EPERM;
		st->denied.exec++;
	}
	if (ioctl(st->fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int shim_notify_poll(struct shim_notify_state *st, short revents)
{
	if ((revents & POLLIN) && shim_notify_handle(st) < 0)
		return -1;
	/* POLLHUP: no task uses the filter any more, and none ever will;
	 * keeping the descriptor would make every poll return at once. */
	return revents & (POLLHUP | POLLERR | POLLNVAL) ? -1 : 0;
}
