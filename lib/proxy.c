/* proxy.c: net=allowlist's proxy: the protocol, the allowlist, the
 * connection to the host's network and the relay (used by sbx-shim's
 * supervisor, shim/proxy.c, on the sandbox's own loopback), and the
 * runner's server of it on the host's loopback (the seatbelt backend,
 * where sandbox-exec lets the command connect to that one port only).
 *
 * The proxy speaks just enough HTTP: CONNECT host:port (a tunnel, for
 * HTTPS and anything else) and absolute-URI requests ("GET http://host/..."
 * for plain HTTP, sent on in origin form), and SOCKS5 CONNECT on the same
 * port (told apart by the first byte), names resolved here. The host must
 * match an --allow-host pattern: "name" (that name), "*.name" (its
 * subdomains), an IP address, each with an optional ":PORT" (without one:
 * 80 and 443). A name is resolved here, and an address that is loopback,
 * private, link-local, CGNAT, multicast or unspecified is refused unless a
 * pattern names that very address or name: a wildcard cannot be pointed at
 * the host's own services (DNS rebinding). Refusals get "403 Forbidden"
 * (SOCKS: "not allowed") and a line on stderr. POSIX only. */
#ifndef _WIN32
#include "proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS before 11: SIGPIPE is ignored where this runs */
#endif

#define HEAD_MAX      16384
#define IO_TIMEOUT_MS 30000

static void note(const struct sbx_proxy *px, char sign, const char *host, int port)
{
	if (px->note_fd < 0)
		return;
	char line[320];
	int n = snprintf(line, sizeof(line), "%c %s %d\n", sign, host, port);
	if (n > 0 && (size_t)n < sizeof(line) && write(px->note_fd, line, (size_t)n) < 0) {
		/* dropped (a full pipe): the report says counts may be short */
	}
}

static void say(const struct sbx_proxy *px, const char *fmt, const char *a, int port)
{
	fprintf(stderr, "%s: allowlist: ", px->prog);
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

/* One direction of a relay: on Linux what arrived on from is moved to to
 * through a pipe by splice(2), never copied through this process (a copy
 * through a buffer costs a third of loopback's throughput); elsewhere, and
 * where a socket does not take splice, recv and send. 1 while open, 0 at
 * the end of from (to's writing side is shut), -1 when to is gone. */
struct way {
	int from, to;
	int pipe[2]; /* -1: splice is not available, recv and send then */
	char *chunk;
};

static int way_move(struct way *w)
{
#ifdef __linux__
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
	} else
#endif
	{
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
	for (int i = 0; i < 2; i++) {
		w[i].pipe[0] = w[i].pipe[1] = -1;
#ifdef __linux__
		if (pipe2(w[i].pipe, O_CLOEXEC) == 0)
			fcntl(w[i].pipe[1], F_SETPIPE_SZ, 1 << 20);
		else
			w[i].pipe[0] = w[i].pipe[1] = -1;
#endif
	}
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
static bool allowed(const struct sbx_proxy *px, const char *host, int port, bool *by_ip,
                    bool *exact)
{
	*by_ip = *exact = false;
	for (size_t i = 0; i < px->allow_host->n; i++) {
		char ph[300];
		int pp;
		if (!split_hostport(px->allow_host->v[i], ph, sizeof(ph), &pp))
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
	int fd = socket(sa->sa_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
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
static int upstream(const struct sbx_proxy *px, const char *host, int port, enum refusal *why)
{
	bool by_ip, exact;
	if (!allowed(px, host, port, &by_ip, &exact)) {
		say(px, "refused %s:%d (not in the allowlist; --allow-host adds it)", host, port);
		note(px, '-', host, port);
		*why = REF_NOT_ALLOWED;
		return -1;
	}
	char ports[8];
	snprintf(ports, sizeof(ports), "%d", port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_flags = is_ip(host) ? AI_NUMERICHOST : 0};
	struct addrinfo *res = NULL;
	if (getaddrinfo(host, ports, &hints, &res) != 0 || !res) {
		say(px, "cannot resolve %s (port %d)", host, port);
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
		say(px,
		    "refused %s:%d (a wildcard match that resolves to a loopback or private "
		    "address)",
		    host, port);
		note(px, '-', host, port);
		*why = REF_INTERNAL;
		return -1;
	}
	if (fd < 0) {
		say(px, "cannot connect to %s:%d", host, port);
		*why = REF_NO_CONNECT;
		return -1;
	}
	note(px, '+', host, port);
	*why = REF_OK;
	return fd;
}

/* The same for an HTTP client: -1 after answering it. */
static int open_upstream(const struct sbx_proxy *px, int client, const char *host, int port)
{
	enum refusal why;
	int fd = upstream(px, host, port, &why);
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
static void serve_socks(const struct sbx_proxy *px, int client)
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
	int up = upstream(px, host, port, &why);
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

void sbx_proxy_serve(const struct sbx_proxy *px, int client)
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
		serve_socks(px, client);
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
		int up = open_upstream(px, client, host, port);
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
	int up = open_upstream(px, client, host, port);
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

void sbx_proxy_forward(const struct sbx_proxy *px, int client, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int up = connect_timeout((struct sockaddr *)&a, sizeof(a));
	if (up < 0) {
		say(px, "the host's 127.0.0.1%s:%d does not answer", "", port);
		return;
	}
	relay(client, up);
	close(up);
}

/* The runner's server: the terminal's signals are not its (sbx-exec
 * passes on what the command should get; a ^Z must not stop the proxy
 * under a running command), and it ends when ctl reads EOF: sbx-exec
 * closed it or died. */
static void __attribute__((noreturn)) serve_loop(const struct sbx_proxy *px, int lfd, int ctl)
{
	static const int ignored[] = {SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE};
	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		signal(ignored[i], SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		close(null);
	}
	pid_t kids[SBX_PROXY_MAX_CONNECTIONS];
	size_t nkids = 0;
	for (;;) {
		struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = ctl, .events = POLLIN}};
		/* a connection's end is seen by the next wake-up, or within a
		 * second when every place is taken */
		int r = poll(p, 2, nkids ? 1000 : -1);
		pid_t done;
		while (nkids && (done = waitpid(-1, NULL, WNOHANG)) > 0)
			for (size_t i = 0; i < nkids; i++)
				if (kids[i] == done) {
					kids[i] = kids[--nkids];
					break;
				}
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (p[1].revents)
			break; /* EOF (or a byte): the run is over */
		if (!(p[0].revents & POLLIN))
			continue;
		int client = accept(lfd, NULL, NULL);
		if (client < 0)
			continue;
		if (nkids == SBX_PROXY_MAX_CONNECTIONS) {
			close(client);
			continue;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			close(ctl);
#ifdef __linux__
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
#endif
			sbx_proxy_serve(px, client);
			close(client);
			_exit(0);
		}
		close(client);
		if (pid > 0)
			kids[nkids++] = pid;
	}
	/* every proxied connection ends with the run */
	for (size_t i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	_exit(0);
}

int sbx_proxy_start(const struct sbx_proxy *px, pid_t *pid, int *ctl)
{
	*pid = -1;
	*ctl = -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	_cleanup_close_ int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int c[2];
	if (lfd < 0 || fcntl(lfd, F_SETFD, FD_CLOEXEC) < 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, SBX_PROXY_MAX_CONNECTIONS) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) < 0 || pipe(c) < 0)
		return -errno;
	fcntl(c[0], F_SETFD, FD_CLOEXEC);
	fcntl(c[1], F_SETFD, FD_CLOEXEC);
	pid_t parent = getpid();
	pid_t p = fork();
	if (p == 0) {
		close(c[1]);
#ifdef __linux__
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
			_exit(0);
#else
		(void)parent; /* ctl's EOF says the same */
#endif
		serve_loop(px, lfd, c[0]);
	}
	int e = errno;
	close(c[0]);
	if (p < 0) {
		close(c[1]);
		return -e;
	}
	*pid = p;
	*ctl = c[1];
	return ntohs(a.sin_port);
}

void sbx_proxy_stop(pid_t pid, int ctl)
{
	if (ctl >= 0)
		close(ctl);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

#endif
