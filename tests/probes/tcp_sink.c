/* tcp_sink: a loopback TCP listener that records, on the host side, every
 * connection it accepts, and the client that connects to it.
 *
 *   tcp_sink serve LOG     listen on 127.0.0.1 (any port), print "PORT PID" and
 *                          return once listening; a background child appends
 *                          one line to LOG per accepted connection, answers
 *                          it with one byte, and exits after 120 s or SIGTERM
 *   tcp_sink poke PORT     connect to 127.0.0.1:PORT and wait for the byte;
 *                          exit 0 if it came, 1 with the error otherwise
 *
 * The byte is written after the log line, so when poke returns 0 the
 * connection is already in LOG: no sleeping needed to check it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int serve(const char *log)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0) {
		perror("tcp_sink: listen");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("tcp_sink: fork");
		return 2;
	}
	if (pid > 0) {
		printf("%d %d\n", ntohs(a.sin_port), (int)pid);
		return 0;
	}
	/* The child must not hold the caller's stdout open (bats waits on it). */
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	setsid();
	time_t end = time(NULL) + 120;
	while (time(NULL) < end) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		if (poll(&p, 1, 1000) <= 0)
			continue;
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		FILE *f = fopen(log, "a");
		if (f) {
			fputs("accepted\n", f);
			fclose(f);
		}
		if (write(c, "k", 1) < 0) {
			/* the client went away: nothing to answer */
		}
		close(c);
	}
	return 0;
}

static int poke(const char *port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		fprintf(stderr, "tcp_sink: socket: %s\n", strerror(errno));
		return 1;
	}
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((unsigned short)atoi(port)),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "tcp_sink: connect: %s\n", strerror(errno));
		return 1;
	}
	char b;
	if (read(s, &b, 1) != 1) {
		fprintf(stderr, "tcp_sink: no answer\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2]);
	if (argc == 3 && strcmp(argv[1], "poke") == 0)
		return poke(argv[2]);
	fprintf(stderr, "usage: tcp_sink serve LOG | tcp_sink poke PORT\n");
	return 2;
}
