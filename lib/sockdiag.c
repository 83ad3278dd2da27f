/* sockdiag.c: where a unix socket is bound, as the kernel says (sock_diag,
 * CONFIG_UNIX_DIAG). Used by sbx-shim's socket gate (shim/gate.c) to tell
 * the sockets a sandbox bound from the host's, and by the host probe to
 * know beforehand whether it can. No sbx types, no allocation. */
#include "util.h"

#ifdef __linux__
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int sbx_unix_bound_file(int *diag, unsigned long sock_ino, unsigned *maj, unsigned *min,
                        uint32_t *ino)
{
	if (*diag < 0)
		*diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (*diag < 0)
		return -errno;
	static uint32_t seq;
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} msg = {.nlh = {.nlmsg_len = sizeof(msg),
	                 .nlmsg_type = SOCK_DIAG_BY_FAMILY,
	                 .nlmsg_flags = NLM_F_REQUEST,
	                 .nlmsg_seq = ++seq},
	         .req = {.sdiag_family = AF_UNIX,
	                 .udiag_ino = (uint32_t)sock_ino,
	                 .udiag_show = UDIAG_SHOW_VFS,
	                 .udiag_cookie = {INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}}};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	if (sendto(*diag, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		uint32_t reply[2048];
		ssize_t n = recv(*diag, reply, sizeof(reply), 0);
		if (n < 0)
			return errno == EINTR ? -EAGAIN : -errno;
		for (struct nlmsghdr *h = (void *)reply; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue; /* an answer to an earlier question */
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				return -ENOENT; /* NLMSG_ERROR: no such socket */
			const struct unix_diag_msg *m = NLMSG_DATA(h);
			if (m->udiag_ino != (uint32_t)sock_ino)
				return -ENOENT;
			int left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			for (struct rtattr *a = (void *)(m + 1); RTA_OK(a, left);
			     a = RTA_NEXT(a, left))
				if (a->rta_type == UNIX_DIAG_VFS &&
				    RTA_PAYLOAD(a) >= sizeof(struct unix_diag_vfs)) {
					const struct unix_diag_vfs *v = RTA_DATA(a);
					/* the kernel's dev_t: 12 bits of major, 20 of minor */
					*maj = v->udiag_vfs_dev >> 20;
					*min = v->udiag_vfs_dev & 0xfffff;
					*ino = v->udiag_vfs_ino;
					return 0;
				}
			return -ENODATA;
		}
	}
}

bool sbx_unix_diag_works(int *diag)
{
	int sp[2];
	struct stat s;
	unsigned maj, min;
	uint32_t ino;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return false;
	bool ok = fstat(sp[0], &s) == 0 &&
	          sbx_unix_bound_file(diag, (unsigned long)s.st_ino, &maj, &min, &ino) == -ENODATA;
	close(sp[0]);
	close(sp[1]);
	return ok;
}
#endif
