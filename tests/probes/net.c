/* net.c: network probe for the enforcement tests.
 *   net listen READY CTL   listen on 127.0.0.1:0, write the port to the fifo READY,
 *                          accept until CTL (a fifo) reaches EOF, then print
 *                          "accepted N"
 *   net connect HOST PORT  connect over TCP; exit 0 if connected, else print errno
 *   net autolisten         socket() + listen() without bind(); exit 0 if it listened
 *   net bind PORT          bind a TCP socket to 127.0.0.1:PORT; exit 0 on success
 *   net socket FAMILY      create a socket of FAMILY (inet, inet6, packet, unix (stream),
 *                          unixdgram, netlink (route), netlink-usersock)
 *   net udp                create and bind a UDP socket; exit 0 on success
 *   net ulisten PATH|@NAME READY CTL  a unix socket listener (pathname or abstract),
 *                          same protocol as listen
 *   net uconnect PATH|@NAME  connect to a unix socket; exit 0 if connected
 *   net udlisten PATH READY CTL  a unix datagram socket at PATH; counts what
 *                          arrives until CTL reaches EOF: "received N"
 *   net udplisten READY CTL  a UDP socket on 127.0.0.1:0 (port to READY), the same
 *   net usend PATH         send one datagram to the unix socket PATH
 *   net udpsend PORT       send one datagram to 127.0.0.1:PORT
 *   net udpbind PORT       bind a UDP socket to 127.0.0.1:PORT
 *   net connectflood       connect() to a missing unix path, forever
 *   net threadlisten PATH  a second thread binds and listens on a unix socket
 *   net uself PATH         bind and listen on PATH, connect to it, pass a byte
 *                          across, remove it; "self ok" */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("%s: %s\n", what, strerror(errno));
	return 1;
}

/* Accepts on s until the fifo ctl reaches EOF, then prints "accepted N". */
static int serve(int s, const char *ctl)
{
	int c = open(ctl, O_RDONLY);
	if (c < 0)
		return fail("ctl fifo");
	int accepted = 0;
	for (;;) {
		struct pollfd p[2] = {{.fd = s, .events = POLLIN}, {.fd = c, .events = POLLIN}};
		if (poll(p, 2, -1) < 0)
			return fail("poll");
		if (p[0].revents & POLLIN) {
			int fd = accept(s, NULL, NULL);
			if (fd >= 0) {
				accepted++;
				close(fd);
			}
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			char b[16];
			if (read(c, b, sizeof(b)) <= 0)
				break;
		}
	}
	printf("accepted %d\n", accepted);
	return 0;
}

static int do_listen(const char *ready, const char *ctl)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		return fail("listen");
	FILE *r = fopen(ready, "w");
	if (!r)
		return fail("ready fifo");
	fprintf(r, "%d\n", ntohs(a.sin_port));
	fclose(r);
	return serve(s, ctl);
}

static socklen_t unix_addr(const char *name, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	size_t n = strlen(name);
	if (n >= sizeof(a->sun_path))
		n = sizeof(a->sun_path) - 1;
	memcpy(a->sun_path, name, n);
	if (name[0] == '@')
		a->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '@' ? 0 : 1));
}

static int do_ulisten(const char *name, const char *ready, const char *ctl)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(name, &a);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, len) < 0 || listen(s, 16) < 0)
		return fail("ulisten");
	FILE *r = fopen(ready, "w");
	if (!r)
		return fail("ready fifo");
	fprintf(r, "ready\n");
	fclose(r);
	return serve(s, ctl);
}

static int do_uconnect(const char *name)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(name, &a);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		return fail("socket");
	if (connect(s, (struct sockaddr *)&a, len) < 0)
		return fail("connect");
	printf("connected\n");
	return 0;
}

static int do_uself(const char *path)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(path, &a);
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || c < 0)
		return fail("socket");
	if (bind(l, (struct sockaddr *)&a, len) < 0)
		return fail("bind");
	if (listen(l, 1) < 0)
		return fail("listen");
	if (connect(c, (struct sockaddr *)&a, len) < 0)
		return fail("connect");
	int s = accept(l, NULL, NULL);
	char b = 0;
	if (s < 0 || write(c, "x", 1) != 1 || read(s, &b, 1) != 1 || b != 'x')
		return fail("accept");
	unlink(path);
	printf("self ok\n");
	return 0;
}

static int do_connect(const char *host, const char *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return fail("socket");
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	inet_pton(AF_INET, host, &a.sin_addr);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("connect");
	printf("connected\n");
	return 0;
}

static int do_autolisten(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return fail("socket");
	if (listen(s, 1) < 0)
		return fail("listen");
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &len);
	printf("listening on port %d\n", ntohs(a.sin_port));
	return 0;
}

static int do_bind(const char *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)atoi(port)),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (s < 0)
		return fail("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("bind");
	printf("bound\n");
	return 0;
}

static int do_socket(const char *fam)
{
	int f = strcmp(fam, "inet") == 0               ? AF_INET
	        : strcmp(fam, "inet6") == 0            ? AF_INET6
	        : strcmp(fam, "packet") == 0           ? AF_PACKET
	        : strcmp(fam, "unix") == 0             ? AF_UNIX
	        : strcmp(fam, "unixdgram") == 0        ? AF_UNIX
	        : strcmp(fam, "netlink") == 0          ? AF_NETLINK
	        : strcmp(fam, "netlink-usersock") == 0 ? AF_NETLINK
	                                               : -1;
	int type = f == AF_PACKET || f == AF_NETLINK ? SOCK_RAW
	           : strcmp(fam, "unix") == 0        ? SOCK_STREAM
	                                             : SOCK_DGRAM;
	int proto = strcmp(fam, "netlink-usersock") == 0 ? 2 /* NETLINK_USERSOCK */ : 0;
	int s = socket(f, type, proto);
	if (s < 0)
		return fail("socket");
	printf("created\n");
	return 0;
}

static int do_udp(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (s < 0)
		return fail("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("bind");
	printf("bound\n");
	return 0;
}

/* Counts datagrams on s until the fifo ctl reaches EOF. */
static int count_datagrams(int s, const char *ready, const char *first_line, const char *ctl)
{
	FILE *r = fopen(ready, "w");
	if (!r)
		return fail("ready fifo");
	fprintf(r, "%s\n", first_line);
	fclose(r);
	int c = open(ctl, O_RDONLY);
	if (c < 0)
		return fail("ctl fifo");
	int got = 0;
	for (;;) {
		struct pollfd p[2] = {{.fd = s, .events = POLLIN}, {.fd = c, .events = POLLIN}};
		if (poll(p, 2, -1) < 0)
			return fail("poll");
		if (p[0].revents & POLLIN) {
			char b[256];
			if (recv(s, b, sizeof(b), 0) >= 0)
				got++;
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			char b[16];
			if (read(c, b, sizeof(b)) <= 0)
				break;
		}
	}
	printf("received %d\n", got);
	return 0;
}

static int do_udlisten(const char *path, const char *ready, const char *ctl)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(path, &a);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, len) < 0)
		return fail("udlisten");
	return count_datagrams(s, ready, "ready", ctl);
}

static int do_udplisten(const char *ready, const char *ctl)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		return fail("udplisten");
	char port[16];
	snprintf(port, sizeof(port), "%d", ntohs(a.sin_port));
	return count_datagrams(s, ready, port, ctl);
}

static int do_usend(const char *path)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(path, &a);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0)
		return fail("socket");
	if (sendto(s, "x", 1, 0, (struct sockaddr *)&a, len) < 0)
		return fail("sendto");
	printf("sent\n");
	return 0;
}

static int do_udpsend(const char *port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)atoi(port)),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (s < 0)
		return fail("socket");
	if (sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("sendto");
	printf("sent\n");
	return 0;
}

static int do_udpbind(const char *port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)atoi(port)),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (s < 0)
		return fail("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("bind");
	printf("bound\n");
	return 0;
}

static int do_connectflood(void)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr("/nonexistent/sbx-flood.sock", &a);
	for (;;) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (s < 0)
			return fail("socket");
		connect(s, (struct sockaddr *)&a, len);
		close(s);
	}
}

static void *listen_thread(void *path)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(path, &a);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, len) < 0 || listen(s, 4) < 0)
		return (void *)(intptr_t)errno;
	return NULL;
}

static int do_threadlisten(const char *path)
{
	pthread_t t;
	void *err = NULL;
	if (pthread_create(&t, NULL, listen_thread, (void *)path) != 0 || pthread_join(t, &err))
		return fail("pthread");
	if (err) {
		errno = (int)(intptr_t)err;
		return fail("listen in a thread");
	}
	printf("listening\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "udlisten") == 0)
		return do_udlisten(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "udplisten") == 0)
		return do_udplisten(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "usend") == 0)
		return do_usend(argv[2]);
	if (argc == 3 && strcmp(argv[1], "udpsend") == 0)
		return do_udpsend(argv[2]);
	if (argc == 3 && strcmp(argv[1], "udpbind") == 0)
		return do_udpbind(argv[2]);
	if (argc == 2 && strcmp(argv[1], "connectflood") == 0)
		return do_connectflood();
	if (argc == 3 && strcmp(argv[1], "threadlisten") == 0)
		return do_threadlisten(argv[2]);
	if (argc == 4 && strcmp(argv[1], "listen") == 0)
		return do_listen(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "connect") == 0)
		return do_connect(argv[2], argv[3]);
	if (argc == 2 && strcmp(argv[1], "autolisten") == 0)
		return do_autolisten();
	if (argc == 3 && strcmp(argv[1], "bind") == 0)
		return do_bind(argv[2]);
	if (argc == 3 && strcmp(argv[1], "socket") == 0)
		return do_socket(argv[2]);
	if (argc == 2 && strcmp(argv[1], "udp") == 0)
		return do_udp();
	if (argc == 5 && strcmp(argv[1], "ulisten") == 0)
		return do_ulisten(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "uself") == 0)
		return do_uself(argv[2]);
	if (argc == 3 && strcmp(argv[1], "uconnect") == 0)
		return do_uconnect(argv[2]);
	fprintf(stderr,
	        "usage: net listen READY CTL | connect HOST PORT | autolisten | bind PORT | "
	        "socket FAMILY | udp | ulisten | uconnect | udlisten | udplisten | usend | "
	        "udpsend | udpbind | connectflood | threadlisten (see the source)\n");
	return 2;
}
