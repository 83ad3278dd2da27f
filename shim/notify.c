/* notify.c: the no-exec supervisor's answers to seccomp user notifications.
 *
 * Why this is sound: the filter sends only execve and execveat here. The
 * first notification is the shim's own execve of the command, made right
 * after the filter was loaded by a single-threaded process that runs no
 * other code in between, so nothing the command controls can arrive first
 * or change the arguments; it continues. Every later one is refused with
 * EPERM without reading its arguments, so there is nothing to race
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE is used only for the one call that no
 * untrusted code can influence). fexecve and memfd execution are execveat;
 * the dynamic loader run as a program is an execve; static binaries making
 * the raw syscall are trapped the same way. If the supervisor dies, the
 * kernel fails the pending and all later execs (ENOSYS): closed, not open. */
#include "shim.h"

#include <linux/seccomp.h>
#include <sys/ioctl.h>

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

int shim_notify_handle(int fd, bool *first_done)
{
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return errno == EINTR || errno == ENOENT ? 0 : -1;
	struct seccomp_notif_resp resp = {.id = req.id};
	if (!*first_done) {
		*first_done = true;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		resp.error = -EPERM;
	}
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		return -1;
	return 0;
}
