/* proxy.c: net=allowlist. The sandbox has a network namespace of its own,
 * with only loopback. Init opens listening sockets on that loopback (the
 * proxy's, --proxy PORT, and one per --forward PORT) before the command
 * starts and hands them to the supervisor, which lives in the host's
 * network: a socket keeps the namespace it was made in, so the supervisor
 * accepts the sandbox's connections on the sandbox's loopback and makes
 * its own to the host's network. Nothing else leaves the namespace.
 *
 * Each accepted connection is served by a child of the supervisor (blocking
 * code, a name lookup included, never stalls the supervisor), which dies
 * with it (PR_SET_PDEATHSIG) and is killed when the command ends. What it
 * speaks and allows is lib/proxy.c's, the seatbelt runner's proxy too.
 *
 * --forward PORT relays the sandbox's 127.0.0.1:PORT to the host's
 * 127.0.0.1:PORT, and nothing else. */
#include "shim.h"
#include "proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>

int shim_proxy_listen(const struct shim_config *c, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0) {
		shim_fail(c, "allowlist: cannot listen on the sandbox's 127.0.0.1:%d: %s", port,
		          strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

pid_t shim_proxy_accept(const struct shim_config *c, int lfd, int forward_port, bool full,
                        int notes)
{
	int client = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (client < 0)
		return -1;
	if (full) {
		close(client);
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0) {
		close(client);
		return pid;
	}
	/* the child: blocking, default signals, gone with the supervisor
	 * (even if it died before PDEATHSIG was set) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	close(lfd);
	struct sbx_proxy px = {.prog = c->prog, .allow_host = &c->allow_host, .note_fd = notes};
	fcntl(client, F_SETFL, fcntl(client, F_GETFL) & ~O_NONBLOCK);
	if (forward_port)
		sbx_proxy_forward(&px, client, forward_port);
	else
		sbx_proxy_serve(&px, client);
	close(client);
	_exit(0);
}
