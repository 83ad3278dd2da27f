/* ctr_net: network and unix-socket probe for the container backends' tests.
 *   ctr_net listen PORT SECS     listen on 127.0.0.1:PORT, print "listening",
 *                                accept one connection, print "got: LINE"
 *   ctr_net connect PORT MSG     connect to 127.0.0.1:PORT and send MSG
 *   ctr_net serve PORT SECS OUT  (host side) accept one connection within
 *                                SECS and write what it sent to OUT
 *   ctr_net userve PATH SECS OUT / uconnect PATH MSG: the same on a unix socket
 * Exit: 0 done, 3 the socket call failed (errno printed), 4 timed out. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("%s: %s\n", what, strerror(errno));
	return 3;
}

static socklen_t addr(int unix_, const char *where, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (unix_) {
		struct sockaddr_un *u = (struct sockaddr_un *)ss;
		u->sun_family = AF_UNIX;
		snprintf(u->sun_path, sizeof(u->sun_path), "%s", where);
		return sizeof(*u);
	}
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	in->sin_family = AF_INET;
	in->sin_port = htons((unsigned short)atoi(where));
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*in);
}

static int serve(int unix_, const char *where, int secs, const char *out)
{
	struct sockaddr_storage ss;
	socklen_t len = addr(unix_, where, &ss);
	int fd = socket(unix_ ? AF_UNIX : AF_INET, SOCK_STREAM, 0), one = 1;
	if (fd < 0)
		return fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return fail("bind");
	if (listen(fd, 4) < 0)
		return fail("listen");
	printf("listening\n");
	fflush(stdout);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, secs * 1000) <= 0) {
		printf("timed out\n");
		return 4;
	}
	int c = accept(fd, NULL, NULL);
	if (c < 0)
		return fail("accept");
	char buf[256] = {0};
	ssize_t n = read(c, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (out) {
		FILE *f = fopen(out, "w");
		if (f) {
			fputs(buf, f);
			fclose(f);
		}
	}
	printf("got: %s\n", buf);
	return 0;
}

static int connect_to(int unix_, const char *where, const char *msg)
{
	struct sockaddr_storage ss;
	socklen_t len = addr(unix_, where, &ss);
	int fd = socket(unix_ ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		return fail("connect");
	if (write(fd, msg, strlen(msg)) < 0)
		return fail("write");
	printf("connected\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "listen"))
		return serve(0, argv[2], atoi(argv[3]), NULL);
	if (argc >= 5 && !strcmp(argv[1], "serve"))
		return serve(0, argv[2], atoi(argv[3]), argv[4]);
	if (argc >= 5 && !strcmp(argv[1], "userve"))
		return serve(1, argv[2], atoi(argv[3]), argv[4]);
	if (argc >= 4 && !strcmp(argv[1], "connect"))
		return connect_to(0, argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "uconnect"))
		return connect_to(1, argv[2], argv[3]);
	fprintf(stderr, "usage: ctr_net listen|serve|userve|connect|uconnect ...\n");
	return 2;
}
