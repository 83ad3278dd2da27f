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
 * with it (PR_SET_PDEATHSIG) and is killed when the command ends.
 *
 * The proxy speaks just enough HTTP: CONNECT host:port (a tunnel, for
 * HTTPS and anything else) and absolute-URI requests ("GET http://host/..."
 * for plain HTTP, sent on in origin form). The host must match an
 * --allow-host pattern: "name" (that name), "*.name" (its subdomains), an
 * IP address, each with an optional ":PORT" (without one: 80 and 443). A
 * name is resolved here, and an address that is loopback, private,
 * link-local, CGNAT, multicast or unspecified is refused unless a pattern
 * names that very address: a name cannot be pointed at the host's own
 * services (DNS rebinding). Refusals get "403 Forbidden" and a line on
 * stderr.
 *
 * --forward PORT relays the sandbox's 127.0.0.1:PORT to the host's
 * 127.0.0.1:PORT, and nothing else. */
#include "shim.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define HEAD_MAX      16384
#define IO_TIMEOUT_MS 30000

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

/* --report: where a connection's child notes each decision, one line
 * "+ host port" or "- host port" (non-blocking: a full pipe drops it). */
static int note_fd = -1;

static void note(char sign, const char *host, int port)
{
	if (note_fd < 0)
		return;
	char line[320];
	int n = snprintf(line, sizeof(line), "%c %s %d\n", sign, host, port);
	if (n > 0 && (size_t)n < sizeof(line) && write(note_fd, line, (size_t)n) < 0) {
		/* dropped: the report says counts may be short */
	}
}

static void say(const struct shim_config *c, const char *fmt, const char *a, int port)
{
	fprintf(stderr, "%s: allowlist: ", c->prog);
	fprintf(stderr, fmt, a, port);
	fputc('\n', stderr);
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static void reply(int fd, const char *status, const char *why)
{
	char b[512];
	int n = snprintf(b, sizeof(b),
	                 "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nConnection: close\r\n"
	                 "Content-Length: %zu\r\n\r\n%s\n",
	                 status, strlen(why) + 1, why);
	if (n > 0 && (size_t)n < sizeof(b))
		send_all(fd, b, (size_t)n);
}

/* One direction of a relay: what arrived on from is moved to to through
 * a pipe by splice(2), never copied through this process (a copy through
 * a buffer costs a third of loopback's throughput). 1 while open, 0 at
 * the end of from (to's writing side is shut), -1 when to is gone. */
struct way {
	int from, to;
	int pipe[2]; /* -1: splice is not available, recv and send then */
	char *chunk;
};

static int way_move(struct way *w)
{
	if (w->pipe[0] >= 0) {
		ssize_t n = splice(w->from, NULL, w->pipe[1], NULL, 1 << 20,
		                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return 1;
		if (n > 0) {
			while (n > 0) {
				ssize_t k =
				    splice(w->pipe[0], NULL, w->to, NULL, (size_t)n, SPLICE_F_MOVE);
				if (k < 0 && errno == EINTR)
					continue;
				if (k <= 0)
					return -1;
				n -= k;
			}
			return 1;
		}
		if (n < 0 && errno != EINVAL)
			return -1;
		if (n < 0) { /* a socket splice does not take: copy from now on */
			close(w->pipe[0]);
			close(w->pipe[1]);
			w->pipe[0] = w->pipe[1] = -1;
			return 1;
		}
	} else {
		ssize_t n = recv(w->from, w->chunk, 65536, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return 1;
		if (n > 0)
			return send_all(w->to, w->chunk, (size_t)n) ? 1 : -1;
		if (n < 0)
			return -1;
	}
	shutdown(w->to, SHUT_WR);
	return 0;
}

/* Both ways until both sides are done. */
static void relay(int a, int b)
{
	static char chunks[2][65536];
	struct way w[2] = {{.from = a, .to = b, .chunk = chunks[0]},
	                   {.from = b, .to = a, .chunk = chunks[1]}};
	for (int i = 0; i < 2; i++)
		if (pipe2(w[i].pipe, O_CLOEXEC) < 0)
			w[i].pipe[0] = w[i].pipe[1] = -1;
		else
			fcntl(w[i].pipe[1], F_SETPIPE_SZ, 1 << 20);
	bool open[2] = {true, true};
	while (open[0] || open[1]) {
		struct pollfd p[2] = {{.fd = open[0] ? a : -1, .events = POLLIN},
		                      {.fd = open[1] ? b : -1, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		int r = 1;
		for (int i = 0; i < 2 && r >= 0; i++)
			if (p[i].revents && (r = way_move(&w[i])) == 0)
				open[i] = false;
		if (r < 0)
			break;
	}
	for (int i = 0; i < 2; i++)
		if (w[i].pipe[0] >= 0) {
			close(w[i].pipe[0]);
			close(w[i].pipe[1]);
		}
}

static bool is_ip(const char *h)
{
	unsigned char b[16];
	return inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1;
}

/* The same address, written either way ("::1" and "0:0::1")? */
static bool same_ip(const char *x, const char *y)
{
	unsigned char a[16], b[16];
	if (inet_pton(AF_INET, x, a) == 1 && inet_pton(AF_INET, y, b) == 1)
		return memcmp(a, b, 4) == 0;
	if (inet_pton(AF_INET6, x, a) == 1 && inet_pton(AF_INET6, y, b) == 1)
		return memcmp(a, b, 16) == 0;
	return false;
}

/* Splits "host:port", "[v6]:port" or "host" into host (brackets off,
 * lowercased, no final dot) and port (0 when absent). */
static bool split_hostport(const char *in, char *host, size_t size, int *port)
{
	const char *end;
	*port = 0;
	if (in[0] == '[') {
		end = strchr(in, ']');
		if (!end)
			return false;
		size_t n = (size_t)(end - in - 1);
		if (n == 0 || n >= size)
			return false;
		memcpy(host, in + 1, n);
		host[n] = '\0';
		end++;
	} else {
		size_t n = strcspn(in, ":");
		if (n == 0 || n >= size)
			return false;
		memcpy(host, in, n);
		host[n] = '\0';
		end = in + n;
	}
	if (*end == ':') {
		char *e = NULL;
		long p = strtol(end + 1, &e, 10);
		if (!end[1] || *e || p < 1 || p > 65535)
			return false;
		*port = (int)p;
	} else if (*end) {
		return false;
	}
	for (char *h = host; *h; h++)
		if (*h >= 'A' && *h <= 'Z')
			*h = (char)(*h + 32);
	size_t n = strlen(host);
	if (n > 1 && host[n - 1] == '.')
		host[n - 1] = '\0';
	return true;
}

/* Does a pattern allow host:port? *by_ip: the pattern named the address. */
static bool allowed(const struct shim_config *c, const char *host, int port, bool *by_ip,
                    bool *exact)
{
	*by_ip = *exact = false;
	for (size_t i = 0; i < c->allow_host.n; i++) {
		char ph[300];
		int pp;
		if (!split_hostport(c->allow_host.v[i], ph, sizeof(ph), &pp))
			continue;
		if (pp ? pp != port : (port != 80 && port != 443))
			continue;
		if (is_ip(ph)) {
			if (same_ip(ph, host)) {
				*by_ip = true;
				return true;
			}
			continue;
		}
		if (ph[0] == '*' && ph[1] == '.') {
			size_t hl = strlen(host), sl = strlen(ph + 1); /* ".name" */
			if (hl > sl && strcmp(host + hl - sl, ph + 1) == 0)
				return true;
			continue;
		}
		if (streq(ph, host)) {
			*exact = true;
			return true;
		}
	}
	return false;
}

/* Loopback, private, link-local, CGNAT, multicast, unspecified: the host's
 * own and its neighbours', never reached through a name. */
static bool internal_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
		return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 24) == 0 ||
		       (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
		       (a >> 16) == (169u << 8 | 254) || (a >> 22) == (100u << 2 | 1) ||
		       (a >> 28) == 14 || a == 0xffffffffu;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a)) {
			struct sockaddr_in v4 = {.sin_family = AF_INET};
			memcpy(&v4.sin_addr, a->s6_addr + 12, 4);
			return internal_addr((const struct sockaddr *)&v4);
		}
		return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
		       IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MULTICAST(a) ||
		       (a->s6_addr[0] & 0xfe) == 0xfc;
	}
	return true;
}

static int connect_timeout(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int err = 0;
	socklen_t el = sizeof(err);
	if (poll(&p, 1, IO_TIMEOUT_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

enum refusal { REF_OK, REF_NOT_ALLOWED, REF_INTERNAL, REF_NO_NAME, REF_NO_CONNECT };

/* Connects to an allowed host:port from the host's network: the socket, or
 * -1 with *why set (and a line on stderr). A name matched by a wildcard
 * pattern must not resolve to an internal address: a name the user wrote
 * out (or an address) is taken as meant. */
static int upstream(const struct shim_config *c, const char *host, int port, enum refusal *why)
{
	bool by_ip, exact;
	if (!allowed(c, host, port, &by_ip, &exact)) {
		say(c, "refused %s:%d (not in the allowlist; --allow-host adds it)", host, port);
		note('-', host, port);
		*why = REF_NOT_ALLOWED;
		return -1;
	}
	char ports[8];
	snprintf(ports, sizeof(ports), "%d", port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_flags = is_ip(host) ? AI_NUMERICHOST : 0};
	struct addrinfo *res = NULL;
	if (getaddrinfo(host, ports, &hints, &res) != 0 || !res) {
		say(c, "cannot resolve %s (port %d)", host, port);
		*why = REF_NO_NAME;
		return -1;
	}
	int fd = -1;
	bool internal_only = true;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		if (!by_ip && !exact && internal_addr(ai->ai_addr))
			continue;
		internal_only = false;
		fd = connect_timeout(ai->ai_addr, ai->ai_addrlen);
	}
	freeaddrinfo(res);
	if (fd < 0 && internal_only) {
		say(c,
		    "refused %s:%d (a wildcard match that resolves to a loopback or private "
		    "address)",
		    host, port);
		note('-', host, port);
		*why = REF_INTERNAL;
		return -1;
	}
	if (fd < 0) {
		say(c, "cannot connect to %s:%d", host, port);
		*why = REF_NO_CONNECT;
		return -1;
	}
	note('+', host, port);
	*why = REF_OK;
	return fd;
}

/* The same for an HTTP client: -1 after answering it. */
static int open_upstream(const struct shim_config *c, int client, const char *host, int port)
{
	enum refusal why;
	int fd = upstream(c, host, port, &why);
	if (fd >= 0)
		return fd;
	switch (why) {
	case REF_NOT_ALLOWED:
		reply(
		    client, "403 Forbidden",
		    "sbx: this host is not in the allowlist (sbx-exec --allow-host=HOST adds it)");
		break;
	case REF_INTERNAL:
		reply(client, "403 Forbidden",
		      "sbx: the name resolves to an internal address; allow it by name or address");
		break;
	case REF_NO_NAME:
		reply(client, "502 Bad Gateway", "sbx: the name does not resolve");
		break;
	default:
		reply(client, "502 Bad Gateway", "sbx: cannot connect");
	}
	return -1;
}

static bool recv_exact(int fd, void *p, size_t n)
{
	char *b = p;
	while (n) {
		ssize_t k = recv(fd, b, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		b += k;
		n -= (size_t)k;
	}
	return true;
}

/* SOCKS5 (RFC 1928): no authentication, CONNECT only, names resolved
 * here ("socks5h"). first: the version byte already read. */
static void serve_socks(const struct shim_config *c, int client)
{
	unsigned char h[2];
	unsigned char methods[255];
	if (!recv_exact(client, h, 1) || !recv_exact(client, methods, h[0]))
		return;
	bool noauth = memchr(methods, 0x00, h[0]) != NULL;
	unsigned char sel[2] = {5, noauth ? 0x00 : 0xff};
	if (!send_all(client, (char *)sel, 2) || !noauth)
		return;
	unsigned char rq[4];
	if (!recv_exact(client, rq, 4) || rq[0] != 5)
		return;
	unsigned char rep[10] = {5, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	char host[300];
	if (rq[3] == 1) {
		unsigned char a[4];
		if (!recv_exact(client, a, 4))
			return;
		inet_ntop(AF_INET, a, host, sizeof(host));
	} else if (rq[3] == 4) {
		unsigned char a[16];
		if (!recv_exact(client, a, 16))
			return;
		inet_ntop(AF_INET6, a, host, sizeof(host));
	} else if (rq[3] == 3) {
		unsigned char len;
		if (!recv_exact(client, &len, 1) || !len || !recv_exact(client, host, len))
			return;
		host[len] = '\0';
		for (char *p = host; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
	} else {
		rep[1] = 8; /* address type not supported */
		send_all(client, (char *)rep, sizeof(rep));
		return;
	}
	unsigned char pb[2];
	if (!recv_exact(client, pb, 2))
		return;
	int port = pb[0] << 8 | pb[1];
	if (rq[1] != 1 || !port) {
		rep[1] = 7; /* command not supported: CONNECT only */
		send_all(client, (char *)rep, sizeof(rep));
		return;
	}
	enum refusal why;
	int up = upstream(c, host, port, &why);
	if (up < 0) {
		rep[1] = why == REF_NOT_ALLOWED || why == REF_INTERNAL ? 2
		         : why == REF_NO_NAME                          ? 4
		                                                       : 5;
		send_all(client, (char *)rep, sizeof(rep));
		return;
	}
	if (send_all(client, (char *)rep, sizeof(rep)))
		relay(client, up);
	close(up);
}

/* One proxied connection, in a child of the supervisor. */
static void serve_proxy(const struct shim_config *c, int client)
{
	struct timeval tv = {.tv_sec = IO_TIMEOUT_MS / 1000};
	setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* SOCKS5 or HTTP, told apart by the first byte */
	unsigned char first;
	ssize_t pk;
	while ((pk = recv(client, &first, 1, MSG_PEEK)) < 0 && errno == EINTR)
		;
	if (pk != 1)
		return;
	if (first == 5) {
		recv(client, &first, 1, 0);
		serve_socks(c, client);
		return;
	}
	static char head[HEAD_MAX + 1];
	size_t n = 0;
	char *end = NULL;
	while (!end && n < HEAD_MAX) {
		ssize_t k = recv(client, head + n, HEAD_MAX - n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		n += (size_t)k;
		head[n] = '\0';
		end = strstr(head, "\r\n\r\n");
	}
	if (!end) {
		reply(client, "431 Request Header Fields Too Large", "sbx: request head too large");
		return;
	}
	size_t head_len = (size_t)(end - head) + 4;
	char method[32], target[2048], version[16];
	if (sscanf(head, "%31s %2047s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/", 5) != 0) {
		reply(client, "400 Bad Request", "sbx: not an HTTP proxy request");
		return;
	}
	char host[300];
	int port;
	if (strcasecmp(method, "CONNECT") == 0) {
		if (!split_hostport(target, host, sizeof(host), &port) || !port) {
			reply(client, "400 Bad Request", "sbx: CONNECT needs host:port");
			return;
		}
		int up = open_upstream(c, client, host, port);
		if (up < 0)
			return;
		static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
		if (send_all(client, ok, sizeof(ok) - 1) &&
		    (n == head_len || send_all(up, head + head_len, n - head_len)))
			relay(client, up);
		close(up);
		return;
	}
	if (strncasecmp(target, "http://", 7) != 0) {
		reply(client, "400 Bad Request",
		      "sbx: only CONNECT and http:// requests go through this proxy");
		return;
	}
	const char *auth = target + 7;
	size_t al = strcspn(auth, "/?#");
	char authority[300];
	if (al == 0 || al >= sizeof(authority)) {
		reply(client, "400 Bad Request", "sbx: bad URL");
		return;
	}
	memcpy(authority, auth, al);
	authority[al] = '\0';
	if (strchr(authority, '@')) {
		reply(client, "400 Bad Request", "sbx: credentials in the URL are not passed on");
		return;
	}
	if (!split_hostport(authority, host, sizeof(host), &port)) {
		reply(client, "400 Bad Request", "sbx: bad host in the URL");
		return;
	}
	if (!port)
		port = 80;
	int up = open_upstream(c, client, host, port);
	if (up < 0)
		return;
	/* the request line in origin form, the headers but the proxy's own */
	buf out = {0};
	const char *path = auth[al] ? auth + al : "/";
	buf_addf(&out, "%s %s%s %s\r\n", method, path[0] == '/' ? "" : "/", path, version);
	const char *line = strstr(head, "\r\n") + 2;
	while (line < head + head_len - 2) {
		const char *eol = strstr(line, "\r\n");
		if (!eol)
			break;
		if (strncasecmp(line, "Proxy-Connection:", 17) != 0 &&
		    strncasecmp(line, "Proxy-Authorization:", 20) != 0)
			buf_addn(&out, line, (size_t)(eol - line) + 2);
		line = eol + 2;
	}
	buf_add(&out, "\r\n");
	if (send_all(up, out.s, out.len) &&
	    (n == head_len || send_all(up, head + head_len, n - head_len)))
		relay(client, up);
	buf_free(&out);
	close(up);
}

static void serve_forward(const struct shim_config *c, int client, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int up = connect_timeout((struct sockaddr *)&a, sizeof(a));
	if (up < 0) {
		say(c, "the host's 127.0.0.1%s:%d does not answer", "", port);
		return;
	}
	relay(client, up);
	close(up);
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
	note_fd = notes;
	fcntl(client, F_SETFL, fcntl(client, F_GETFL) & ~O_NONBLOCK);
	if (forward_port)
		serve_forward(c, client, forward_port);
	else
		serve_proxy(c, client);
	close(client);
	_exit(0);
}
