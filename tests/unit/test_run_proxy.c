/* test_run_proxy.c: the runner's allowlist proxy (sbx_plan.proxy: the
 * seatbelt backend's, served by lib/run.c with lib/proxy.c), run on this
 * host with a command of the test's own where sandbox-exec would be (this
 * binary again, "client"): the port is written into argv and env; an
 * allowed address is reached through the proxy, another is refused (HTTP
 * 403, SOCKS5 "not allowed"), garbage gets 400 and a flood past the bound
 * is closed while the proxy goes on serving. Checked from outside
 * the run: the upstream server (a child of this test) got exactly the
 * allowed connections, the refused listener got none, and when the run
 * ends the proxy stops listening and a tunnel a left-behind process still
 * holds is closed. The kernel's part (sandbox-exec letting the command
 * reach that port only) needs macOS; test_seatbelt.c checks the profile. */
#include "tap.h"
#include "internal.h"
#include "proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

static int listen_local(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_local(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads until the end of an HTTP head (or n bytes), with a bound. */
static ssize_t read_some(int fd, char *b, size_t size, const char *until)
{
	size_t n = 0;
	while (n + 1 < size) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 10000) != 1)
			break;
		ssize_t k = read(fd, b + n, size - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		b[n] = '\0';
		if (strstr(b, until))
			break;
	}
	b[n] = '\0';
	return (ssize_t)n;
}

static bool send_str(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s);
}

/* The upstream server: each connection gets "pong\n" for "ping\n" and
 * "held\n" for "hold\n", then is read to its end; the end of a held one is
 * reported on report ('E'), each connection's start too ('C'). */
static void __attribute__((noreturn)) upstream(int lfd, int report)
{
	for (;;) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			_exit(0);
		send_str(report, "C");
		char b[64];
		read_some(c, b, sizeof(b), "\n");
		bool held = streq(b, "hold\n");
		send_str(c, held ? "held\n" : streq(b, "ping\n") ? "pong\n" : "what\n");
		while (read(c, b, sizeof(b)) > 0)
			;
		if (held)
			send_str(report, "E");
		close(c);
	}
}

/* The command, run where sandbox-exec would be: 0 when every step went
 * as the proxy should make it go, else the number of the step. */
static int client(int argc, char **argv)
{
	if (argc != 6)
		return 90;
	int proxy = atoi(argv[2]), allowed = atoi(argv[3]), refused = atoi(argv[4]);
	int out = atoi(argv[5]);
	char want[64], b[512];
	snprintf(want, sizeof(want), "http://127.0.0.1:%d", proxy);
	const char *env = getenv("HTTPS_PROXY");
	if (proxy <= 0 || !env || !streq(env, want))
		return 1;
	dprintf(out, "%d\n", proxy);
	/* allowed: a tunnel to the upstream server */
	int fd = connect_local(proxy);
	snprintf(b, sizeof(b), "CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: x\r\n\r\n", allowed);
	if (fd < 0 || !send_str(fd, b) || read_some(fd, b, sizeof(b), "\r\n\r\n") <= 0 ||
	    !startswith(b, "HTTP/1.1 200"))
		return 2;
	if (!send_str(fd, "ping\n") || read_some(fd, b, sizeof(b), "\n") <= 0 ||
	    !streq(b, "pong\n"))
		return 3;
	close(fd);
	/* refused: another port of the same address */
	fd = connect_local(proxy);
	snprintf(b, sizeof(b), "CONNECT 127.0.0.1:%d HTTP/1.1\r\n\r\n", refused);
	if (fd < 0 || !send_str(fd, b) || read_some(fd, b, sizeof(b), "\r\n\r\n") <= 0 ||
	    !startswith(b, "HTTP/1.1 403"))
		return 4;
	close(fd);
	/* garbage */
	fd = connect_local(proxy);
	if (fd < 0 || !send_str(fd, "\x01\x02 nonsense\r\n\r\n") ||
	    read_some(fd, b, sizeof(b), "\r\n\r\n") <= 0 || !startswith(b, "HTTP/1.1 400"))
		return 5;
	close(fd);
	/* SOCKS5 CONNECT to the refused port: reply 2, not allowed */
	fd = connect_local(proxy);
	unsigned char hello[3] = {5, 1, 0}, sel[2], rq[10] = {5, 1, 0, 1, 127, 0, 0, 1, 0, 0};
	rq[8] = (unsigned char)(refused >> 8);
	rq[9] = (unsigned char)refused;
	unsigned char rep[10];
	if (fd < 0 || write(fd, hello, 3) != 3 || read(fd, sel, 2) != 2 || sel[1] != 0 ||
	    write(fd, rq, 10) != 10 || read(fd, rep, sizeof(rep)) < 2 || rep[1] != 2)
		return 6;
	close(fd);
	/* a flood: more idle connections than the proxy serves at once; the
	 * ones past the bound are closed unanswered, and once the flood is
	 * gone an allowed tunnel works again */
	enum { FLOOD = SBX_PROXY_MAX_CONNECTIONS + 44 };
	static int flood[FLOOD];
	int shut = 0;
	for (int i = 0; i < FLOOD; i++)
		flood[i] = connect_local(proxy);
	for (int i = 0; i < FLOOD; i++) {
		struct pollfd fp = {.fd = flood[i], .events = POLLIN};
		if (flood[i] >= 0 && poll(&fp, 1, i < SBX_PROXY_MAX_CONNECTIONS ? 0 : 2000) == 1 &&
		    read(flood[i], b, 1) == 0)
			shut++;
	}
	for (int i = 0; i < FLOOD; i++)
		if (flood[i] >= 0)
			close(flood[i]);
	if (shut < FLOOD - SBX_PROXY_MAX_CONNECTIONS - 1)
		return 8;
	bool again = false;
	for (int tries = 0; tries < 50 && !again; tries++) {
		fd = connect_local(proxy);
		snprintf(b, sizeof(b), "CONNECT 127.0.0.1:%d HTTP/1.1\r\n\r\n", allowed);
		again = fd >= 0 && send_str(fd, b) && read_some(fd, b, sizeof(b), "\r\n\r\n") > 0 &&
		        startswith(b, "HTTP/1.1 200") && send_str(fd, "ping\n") &&
		        read_some(fd, b, sizeof(b), "\n") > 0 && streq(b, "pong\n");
		if (fd >= 0)
			close(fd);
		if (!again)
			usleep(100000);
	}
	if (!again)
		return 9;
	/* held: a tunnel left to a process that outlives the command */
	fd = connect_local(proxy);
	snprintf(b, sizeof(b), "CONNECT 127.0.0.1:%d HTTP/1.1\r\n\r\n", allowed);
	if (fd < 0 || !send_str(fd, b) || read_some(fd, b, sizeof(b), "\r\n\r\n") <= 0 ||
	    !startswith(b, "HTTP/1.1 200") || !send_str(fd, "hold\n") ||
	    read_some(fd, b, sizeof(b), "\n") <= 0 || !streq(b, "held\n"))
		return 7;
	pid_t p = fork();
	if (p == 0) {
		if (fork() != 0)
			_exit(0);
		setsid();
		alarm(60);
		dprintf(out, "%d\n", (int)getpid());
		while (read(fd, b, sizeof(b)) > 0)
			;
		dprintf(out, "closed\n"); /* not said if SIGALRM ended the wait */
		_exit(0);
	}
	waitpid(p, NULL, 0);
	return 0;
}

/* Waits for want on the upstream's report, counting the 'C's before it. */
static bool wait_byte(int fd, char want, int ms, int *conns)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char c;
		if (poll(&p, 1, ms) != 1 || read(fd, &c, 1) != 1)
			return false;
		*conns += c == 'C';
		if (c == want)
			return true;
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && streq(argv[1], "client"))
		return client(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return 1;
	self[sl] = '\0';
	int allowed_port = 0, refused_port = 0;
	int up = listen_local(&allowed_port), refused = listen_local(&refused_port);
	int rep[2], portp[2];
	if (up < 0 || refused < 0 || pipe2(rep, O_CLOEXEC) < 0)
		return 1;
	pid_t server = fork();
	if (server == 0)
		upstream(up, rep[1]);
	close(up);
	close(rep[1]);
	/* the command's reports: its proxy port, and the pid of what it left */
	if (pipe(portp) < 0)
		return 1;
	fcntl(portp[0], F_SETFD, FD_CLOEXEC);

	sbx_plan *p = calloc(1, sizeof(*p));
	char a[16], r[16], o[16];
	snprintf(a, sizeof(a), "%d", allowed_port);
	snprintf(r, sizeof(r), "%d", refused_port);
	snprintf(o, sizeof(o), "%d", portp[1]);
	char *const args[] = {self, "client", SBX_PROXY_PORT_TOKEN, a, r, o, NULL};
	char allow[32];
	snprintf(allow, sizeof(allow), "127.0.0.1:%d", allowed_port);
	ok(p && strv_extend(&p->argv, args) == 0 && strv_push(&p->env, "PATH=/usr/bin:/bin") == 0 &&
	       sbx_plan_set_proxy_env(p, SBX_PROXY_PORT_TOKEN) == 0 &&
	       strv_push(&p->proxy_hosts, allow) == 0,
	   "a plan with the runner's proxy");
	p->proxy = true;
	struct sbx_run_result res;
	sbx_error *err = NULL;
	int rc = sbx_plan_run(p, NULL, false, &res, &err);
	close(portp[1]);
	is_int(rc, 0, "the plan runs%s%s", err ? ": " : "", err ? sbx_error_message(err) : "");
	is_int(res.status, 0, "every step through the proxy went as it should (else: the step)");
	sbx_error_free(err);

	char pb[64] = "";
	size_t pn = 0;
	ssize_t k;
	while (pn + 1 < sizeof(pb) && (k = read(portp[0], pb + pn, sizeof(pb) - 1 - pn)) > 0)
		pn += (size_t)k; /* to the end: every writer is gone or closed it */
	pb[pn] = '\0';
	int proxy_port = 0, holder = 0;
	char how[16] = "";
	if (sscanf(pb, "%d %d %15s", &proxy_port, &holder, how) < 2)
		holder = 0;
	ok(proxy_port > 0 && proxy_port != allowed_port && proxy_port != refused_port,
	   "the command got the proxy's port in its argv");
	int after = proxy_port > 0 ? connect_local(proxy_port) : 0;
	ok(after < 0 && errno == ECONNREFUSED, "after the run nothing listens on the proxy's port");
	if (after >= 0)
		close(after);
	int conns = 0;
	ok(holder > 0 && streq(how, "closed"),
	   "a tunnel a process left behind holds (60 s) was closed when the run ended");
	ok(wait_byte(rep[0], 'E', 10000, &conns), "the upstream saw that tunnel end");
	fcntl(refused, F_SETFL, O_NONBLOCK);
	int stray = accept(refused, NULL, NULL);
	ok(stray < 0 && errno == EAGAIN, "the refused port never got a connection");

	/* the upstream saw the allowed tunnels (ping, after the flood, held)
	 * and no other */
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	char c;
	while (read(rep[0], &c, 1) == 1)
		conns += c == 'C';
	is_int(conns, 3, "the upstream got exactly the three allowed tunnels");

	/* no proxy can be served (no descriptor left for its socket): the
	 * run fails and the command never starts */
	char mark[] = "/tmp/sbx-test-run-proxy-XXXXXX";
	int mfd = mkstemp(mark);
	if (mfd >= 0)
		close(mfd);
	unlink(mark);
	pid_t t = fork();
	if (t == 0) {
		sbx_plan *q = calloc(1, sizeof(*q));
		char script[128];
		snprintf(script, sizeof(script), "touch %s", mark);
		char *const touch[] = {"/bin/sh", "-c", script, NULL};
		if (!q || strv_extend(&q->argv, touch) < 0)
			_exit(2);
		q->proxy = true;
		int next = dup(0);
		close(next);
		struct rlimit lim = {(rlim_t)next, (rlim_t)next};
		if (setrlimit(RLIMIT_NOFILE, &lim) < 0)
			_exit(2);
		sbx_error *qerr = NULL;
		struct sbx_run_result qres;
		int qrc = sbx_plan_run(q, NULL, false, &qres, &qerr);
		_exit(qrc < 0 && qerr && strstr(sbx_error_message(qerr), "allowlist") ? 0 : 1);
	}
	int ts = -1;
	waitpid(t, &ts, 0);
	ok(WIFEXITED(ts) && WEXITSTATUS(ts) == 0,
	   "without a socket for the proxy the run fails and says why");
	ok(access(mark, F_OK) < 0, "and the command never ran");
	unlink(mark);
	sbx_plan_free(p);
	close(rep[0]);
	close(refused);
	return tap_done();
}
