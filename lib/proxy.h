/* proxy.h: net=allowlist's proxy, shared by sbx-shim (the landlock
 * backend's supervisor serves it on the sandbox's own loopback) and by the
 * runner (lib/run.c: the seatbelt backend, served on the host's loopback
 * beside sandbox-exec). POSIX; splice(2) where Linux has it. */
#ifndef SBX_PROXY_H
#define SBX_PROXY_H

#include "util.h"

#include <stdbool.h>
#include <sys/types.h>

/* Connections served at once; one more is closed unanswered. */
#define SBX_PROXY_MAX_CONNECTIONS 256

struct sbx_proxy {
	const char *prog;       /* names the refusal lines on stderr */
	const strv *allow_host; /* the --allow-host patterns */
	int note_fd;            /* "+ host port" / "- host port" lines, or -1 */
};

/* Serves one accepted connection, blocking (HTTP CONNECT, absolute-URI
 * HTTP, SOCKS5 CONNECT), then returns; the caller closes client. */
void sbx_proxy_serve(const struct sbx_proxy *px, int client);

/* Relays client to the host's 127.0.0.1:port, and nothing else. */
void sbx_proxy_forward(const struct sbx_proxy *px, int client, int port);

/* The runner's proxy (lib/run.c): a listening socket on the host's
 * 127.0.0.1 at a port the kernel picks, served by a process of its own
 * (one child a connection, at most SBX_PROXY_MAX_CONNECTIONS) until the
 * caller closes *ctl or dies: every connection ends with it. Returns the
 * port, or a negative errno with nothing left running. */
int sbx_proxy_start(const struct sbx_proxy *px, pid_t *pid, int *ctl);
void sbx_proxy_stop(pid_t pid, int ctl);

#endif
