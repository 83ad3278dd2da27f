/* reuse.c: a forged --reuse client (shim/reuse.c has the protocol):
 *   reuse SOCKET OPT CMD...  connects to SOCKET and asks it to run CMD with
 *                            the plan "OPT" (one word), passing 0-2; prints
 *                            what came back: "refused", "eof" (the server
 *                            closed the connection), or "started" then
 *                            "exit N"; "connect: ERROR" when it cannot
 *                            connect (status 2). */
#include "../../shim/entry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int next(int s)
{
	struct sbx_reuse_msg m;
	ssize_t n = recv(s, &m, sizeof(m), MSG_WAITALL);
	if (n != (ssize_t)sizeof(m))
		return printf("eof\n"), -1;
	return m.type == SBX_REUSE_EXIT ? 1000 + m.value : m.type;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "usage: reuse SOCKET OPT CMD...\n"), 2;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return printf("connect: %s\n", strerror(errno)), 2;
	char data[4096];
	size_t len = 0, nargv = 0;
	const char *env = "PATH=/usr/bin:/bin";
	for (int i = 2; i < argc; i++, nargv++) {
		size_t n = strlen(argv[i]) + 1;
		if (len + n > sizeof(data) - 64)
			return 2;
		memcpy(data + len, argv[i], n);
		len += n;
	}
	memcpy(data + len, env, strlen(env) + 1);
	len += strlen(env) + 1;
	struct sbx_reuse_req h = {.magic = SBX_REUSE_MAGIC,
	                          .size = (uint32_t)len,
	                          .nopts = 1,
	                          .nargv = (uint32_t)nargv - 1,
	                          .nenv = 1,
	                          .nfds = 3,
	                          .fdnum = {0, 1, 2},
	                          .umask = 022};
	int fds[3] = {0, 1, 2};
	char cbuf[CMSG_SPACE(sizeof(fds))] = {0};
	struct iovec iov = {&h, sizeof(h)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	if (sendmsg(s, &mh, MSG_NOSIGNAL) < 0 || send(s, data, len, MSG_NOSIGNAL) < 0) {
		/* a closed connection is the server's answer too */
		printf("eof\n");
		return 0;
	}
	int t = next(s);
	if (t == SBX_REUSE_REFUSED)
		printf("refused\n");
	else if (t == SBX_REUSE_STARTED) {
		printf("started\n");
		if ((t = next(s)) >= 1000)
			printf("exit %d\n", WEXITSTATUS(t - 1000));
	}
	return 0;
}
