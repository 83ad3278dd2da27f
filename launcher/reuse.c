/* reuse.c: sbx-exec's side of --reuse (the sandbox's side, and the threat
 * model, are in shim/reuse.c). With a plan that may be reused, sbx-exec
 * asks the sandbox its parent's earlier command of the same plan made to
 * run this command; when there is none, it makes one that outlives this
 * command (not the parent), and asks it. Anything that goes wrong before
 * the command started means a fresh start, which says why if it fails too:
 * reuse changes the cost of a start, never what a command may do. */
#include "launcher.h"

int launcher_argc;
char **launcher_argv;

#ifdef __linux__
#include "../shim/entry.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* The start time (clock ticks after boot) of pid, or 0. */
static unsigned long long start_time(pid_t pid)
{
	char text[1024];
	const char *p = sbx_proc_stat(pid, text, sizeof(text));
	/* field 22; p is at field 3 (with its leading space) */
	for (int field = 3; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* The user's own directory for the names, open, or -1 (with a warning when
 * one is there that is not safe to use). */
static int open_dir(char *dir, size_t size)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	if (xdg && xdg[0] == '/' && strlen(xdg) < 40 && stat(xdg, &st) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077))
		snprintf(dir, size, "%s/sbx-reuse", xdg);
	else
		snprintf(dir, size, "/tmp/sbx-reuse-%u", (unsigned)geteuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		errorf(NULL,
		       "warning: --reuse: %s is not a directory of this user's alone; every "
		       "command gets a sandbox of its own",
		       dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* The environment's part in a plan: the variables the compile reads (and
 * every SBX_* one). */
static bool plan_input(const char *entry)
{
	static const char *const names[] = {
	    "HOME",          "TMPDIR",     "PATH", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME",
	    "SSH_AUTH_SOCK", "DOCKER_HOST"};
	if (startswith(entry, "SBX_"))
		return true;
	size_t n = strcspn(entry, "=");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == n && strncmp(entry, names[i], n) == 0)
			return true;
	return false;
}

/* The name's key: what the plan is made of (sbx-exec's options, the
 * working directory, the variables plan_input names; not the command,
 * so a shell's different commands share one sandbox), this program, the
 * parent and its start time, the user: a client finds its server before
 * it compiles its plan. Two hashes of them. The sandbox compares the
 * plans word for word: a collision, a plan that depends on the command,
 * or a host changed in between (a path made, a link swapped) means only a
 * refusal and a fresh start. */
static void make_key(const struct cli *cli, pid_t parent, unsigned long long started, char out[33])
{
	struct stat self = {0};
	stat("/proc/self/exe", &self);
	struct id {
		dev_t dev;
		ino_t ino;
		long mtime, mtime_ns;
		pid_t parent;
		unsigned long long started;
		uid_t uid;
	} id;
	/* field by field after a memset: the padding is hashed too, and two
	 * clients of one sandbox must get the same name */
	memset(&id, 0, sizeof(id));
	id.dev = self.st_dev;
	id.ino = self.st_ino;
	id.mtime = self.st_mtim.tv_sec;
	id.mtime_ns = self.st_mtim.tv_nsec;
	id.parent = parent;
	id.started = started;
	id.uid = geteuid();
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	const char *words[] = {cli->profile ? cli->profile : "", cli->policy ? cli->policy : "",
	                       cwd};
	uint64_t h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
	for (int k = 0; k < 2; k++) {
		h[k] = fnv1a(h[k], &id, sizeof(id));
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			h[k] = fnv1a(h[k], words[i], strlen(words[i]) + 1);
		for (size_t i = 0; i < cli->keys.n; i++) {
			h[k] = fnv1a(h[k], cli->keys.v[i], strlen(cli->keys.v[i]) + 1);
			h[k] = fnv1a(h[k], cli->values.v[i], strlen(cli->values.v[i]) + 1);
		}
		for (char **e = environ; *e; e++)
			if (plan_input(*e))
				h[k] = fnv1a(h[k], *e, strlen(*e) + 1);
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h[0], (unsigned long long)h[1]);
}

static int connect_to(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Forks a process detached from us (a grandchild, its own session, stdio
 * on /dev/null, in /, no signal blocked, nothing of ours open but fds,
 * which it has as 3, 4, ...). In us: the child's pid (reaped; the
 * grandchild is not ours) or -1, *in false. In it: *in true, and 0, or -1
 * if it could not be made so (it must _exit then). */
static pid_t detach(const int *fds, int n, bool *in)
{
	*in = false;
	pid_t pid = fork();
	if (pid != 0) {
		while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return pid;
	}
	if (fork() != 0)
		_exit(0);
	*in = true;
	setsid();
	/* (each moved above the ones it goes to first: they may be on 0-4 now) */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), moved[2];
	if (null < 0 || n > 2)
		return -1;
	for (int i = 0; i < n; i++)
		if ((moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + n)) < 0)
			return -1;
	if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (dup2(moved[i], 3 + i) < 0)
			return -1;
	sigset_t none;
	sigemptyset(&none);
	if (syscall(SYS_close_range, 3 + n, ~0U, 0) < 0 ||
	    sigprocmask(SIG_SETMASK, &none, NULL) < 0 || chdir("/") < 0)
		return -1;
	return 0;
}

/* What ps and pgrep -f show for a detached helper: title instead of the
 * command line of the sbx-exec it was forked from, which names the first
 * command (a make's recipe) and would stay in every process listing while
 * the parent lives, as if that command still ran. The kernel shows the
 * memory of the original arguments (argv[0]..the end of the last), so it
 * is overwritten in place, the rest zeroed; nothing of ours points there
 * any more (start_server copies its arguments first). */
static void set_title(const char *title)
{
	if (launcher_argc < 1 || !launcher_argv || !launcher_argv[0])
		return;
	char *start = launcher_argv[0], *end = start;
	for (int i = 0; i < launcher_argc; i++) {
		if (!launcher_argv[i] || launcher_argv[i] != end)
			return; /* not the one contiguous block the kernel gave us */
		end += strlen(launcher_argv[i]) + 1;
	}
	size_t room = (size_t)(end - start);
	memset(start, 0, room);
	snprintf(start, room, "%s", title);
}

/* Notes at off that the parent's server could not be made (its later
 * commands start afresh at once) and leaves a watcher, detached like a
 * server, that takes the note away when the parent ends: nothing of the
 * parent's is left in the directory after it, as after a server. */
static void mark_off(const char *off, pid_t parent, int parent_fd)
{
	int fd = open(off, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return; /* there already, with its watcher */
	close(fd);
	bool in;
	pid_t pid = detach(&parent_fd, 1, &in);
	if (in) {
		char title[96];
		snprintf(title, sizeof(title), "sbx-exec --reuse watcher for pid %d", (int)parent);
		set_title(title);
		/* a pidfd turns readable when its process has ended */
		struct pollfd w = {.fd = 3, .events = POLLIN};
		while (pid == 0 && poll(&w, 1, -1) < 0 && errno == EINTR)
			;
		unlink(off);
		_exit(0);
	}
	if (pid < 0)
		unlink(off); /* no watcher: no note, each command tries again */
}

/* Binds path and starts the sandbox that serves it, detached from us (a
 * grandchild, its own session, nothing of ours open but the listener and
 * the parent's pidfd): 0 or -1. */
static int start_server(int argc, char **argv, char **envp, const char *path, pid_t parent,
                        int parent_fd)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(path); /* a server of this parent that died before its cleanup */
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 64) < 0) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	bool in;
	const int fds[2] = {lfd, parent_fd};
	pid_t pid = detach(fds, 2, &in);
	if (in) {
		/* our own copies of the arguments and the environment, which
		 * may point into the command line set_title overwrites (an
		 * option's value, a --setenv) */
		size_t nenv = 0;
		while (envp[nenv])
			nenv++;
		char **own = calloc((size_t)argc + 1, sizeof(*own));
		char **env = calloc(nenv + 1, sizeof(*env));
		if (!own || !env || pid < 0)
			_exit(125);
		for (int i = 0; i < argc; i++)
			if (!(own[i] = strdup(argv[i])))
				_exit(125);
		for (size_t i = 0; i < nenv; i++)
			if (!(env[i] = strdup(envp[i])))
				_exit(125);
		char title[96];
		snprintf(title, sizeof(title), "sbx-exec --reuse server for pid %d", (int)parent);
		set_title(title);
		_exit(shim_serve("sbx-exec", argc, own, env, 3, path, parent, 4));
	}
	close(lfd);
	return pid < 0 ? -1 : 0;
}

/* The descriptors the command inherits: every one open without
 * FD_CLOEXEC. false when there are more than a request holds. */
static bool collect_fds(struct sbx_reuse_req *h, int *fds)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return false;
	struct dirent *e;
	bool ok = true;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		int fd = atoi(e->d_name), fl = fcntl(fd, F_GETFD);
		if (fd == dirfd(d) || fl < 0 || (fl & FD_CLOEXEC))
			continue;
		if (h->nfds == SBX_REUSE_MAX_FDS) {
			ok = false;
			break;
		}
		fds[h->nfds] = fd;
		h->fdnum[h->nfds++] = fd;
	}
	closedir(d);
	return ok;
}

static int send_request(int conn, char **argv, size_t nopts, size_t nargv, char **envp)
{
	struct sbx_reuse_req h = {.magic = SBX_REUSE_MAGIC};
	int fds[SBX_REUSE_MAX_FDS];
	if (!collect_fds(&h, fds))
		return -1;
	mode_t um = umask(0);
	umask(um);
	h.umask = um;
	sigset_t blocked;
	sigprocmask(SIG_BLOCK, NULL, &blocked);
	for (int sig = 1; sig <= 64; sig++) {
		struct sigaction sa;
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			h.sig_ignored |= 1ULL << (sig - 1);
		if (sigismember(&blocked, sig) == 1)
			h.sig_blocked |= 1ULL << (sig - 1);
	}
	for (int i = 0; i < SBX_REUSE_NRLIMITS; i++) {
		struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
		getrlimit(i, &rl);
		h.rlim_cur[i] = rl.rlim_cur;
		h.rlim_max[i] = rl.rlim_max;
	}
	/* which directory the plan's --chdir names now (the sandbox refuses
	 * the request if it holds another by that name) */
	for (size_t i = 1; i + 1 < nopts; i++)
		if (streq(argv[i], "--chdir")) {
			struct stat st;
			if (stat(argv[i + 1], &st) < 0)
				return -1;
			h.cwd_dev = st.st_dev;
			h.cwd_ino = st.st_ino;
			break;
		}
	_cleanup_buf_ buf data = {0};
	size_t nenv = 0;
	for (size_t i = 0; i < nopts + 1 + nargv; i++)
		if (i != nopts)
			buf_addn(&data, argv[i], strlen(argv[i]) + 1);
	for (; envp[nenv]; nenv++)
		buf_addn(&data, envp[nenv], strlen(envp[nenv]) + 1);
	if (data.oom || !data.len || data.len > SBX_REUSE_MAX_SIZE)
		return -1;
	h.size = (uint32_t)data.len;
	h.nopts = (uint32_t)nopts;
	h.nargv = (uint32_t)nargv;
	h.nenv = (uint32_t)nenv;
	char cbuf[CMSG_SPACE(SBX_REUSE_MAX_FDS * sizeof(int))] = {0};
	struct iovec iov = {&h, sizeof(h)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (h.nfds) {
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(h.nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(h.nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, h.nfds * sizeof(int));
	}
	if (sendmsg(conn, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(h))
		return -1;
	for (size_t off = 0; off < data.len;) {
		ssize_t n = send(conn, data.s + off, data.len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* The names the plan watches (--watch-created PATH), and which of them
 * exist now. */
static size_t watched(char **argv, size_t nopts, char **names, bool *there, size_t max)
{
	size_t n = 0;
	for (size_t i = 1; i + 1 < nopts && n < max; i++)
		if (streq(argv[i], "--watch-created")) {
			struct stat st;
			names[n] = argv[++i];
			there[n++] = lstat(argv[i], &st) == 0;
		}
	return n;
}

/* Waits for the command's end, passing signals on; the wait status, or
 * -1 when the sandbox went away first. */
static int wait_command(int conn)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < SBX_SUP_NFORWARDED; i++)
		sigaddset(&set, sbx_sup_forwarded[i]);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = {{.fd = conn, .events = POLLIN},
		                      {.fd = sigfd, .events = POLLIN}};
		if (poll(p, sigfd < 0 ? 1 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (sigfd >= 0 && p[1].revents) {
			/* the command is not in the terminal's process group: the
			 * terminal's signals (^C) reach it only through us */
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int sig = (int)si.ssi_signo;
				struct sbx_reuse_msg m = {SBX_REUSE_SIGNAL, sig};
				send(conn, &m, sizeof(m), MSG_NOSIGNAL);
				/* ^Z: the command stops, and so do we, so that the
				 * shell sees its job stopped; SIGCONT (fg) goes on too */
				if (sig == SIGTSTP)
					raise(SIGSTOP);
			}
		}
		if (p[0].revents) {
			struct sbx_reuse_msg m;
			ssize_t n = recv(conn, &m, sizeof(m), MSG_WAITALL);
			if (n != (ssize_t)sizeof(m))
				return -1;
			if (m.type == SBX_REUSE_EXIT)
				return m.value & 0xffff;
		}
	}
}

/* The parent, its pidfd and start time, and the names: found by
 * launcher_reuse_early, before the plan is compiled, with the connection
 * to a server of the parent that answered (its admission then runs
 * beside the compile); used and cleared by launcher_reuse. */
static struct {
	bool ready;
	pid_t parent;
	int parent_fd, dfd, conn;
	char dir[56], path[100], off[108];
} rs = {.parent_fd = -1, .dfd = -1, .conn = -1};

static void reuse_clear(void)
{
	if (rs.conn >= 0)
		close(rs.conn);
	if (rs.dfd >= 0)
		close(rs.dfd);
	if (rs.parent_fd >= 0)
		close(rs.parent_fd);
	rs.conn = rs.dfd = rs.parent_fd = -1;
	rs.ready = false;
}

void launcher_reuse_forget(void)
{
	reuse_clear();
}

void launcher_reuse_early(const struct cli *cli)
{
	reuse_clear();
	if (!cli->command || !cli->command[0])
		return;
	pid_t parent = getppid();
	if (parent <= 1)
		return;
	int parent_fd = (int)syscall(SYS_pidfd_open, parent, 0);
	if (parent_fd < 0)
		return;
	rs.parent_fd = parent_fd;
	/* the pidfd is of our parent only if it still is our parent */
	unsigned long long started = start_time(parent);
	if (getppid() != parent || !started || fcntl(parent_fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    (rs.dfd = open_dir(rs.dir, sizeof(rs.dir))) < 0) {
		reuse_clear();
		return;
	}
	char key[33];
	make_key(cli, parent, started, key);
	snprintf(rs.path, sizeof(rs.path), "%s/%s.sock", rs.dir, key);
	snprintf(rs.off, sizeof(rs.off), "%s/%s.off", rs.dir, key);
	rs.parent = parent;
	rs.ready = true;
	/* its server could not be made: no use trying again */
	if (access(rs.off, F_OK) != 0)
		rs.conn = connect_to(rs.path);
}

int launcher_reuse(int argc, char **argv, char **envp)
{
	size_t nopts = 0;
	while ((int)nopts < argc && !streq(argv[nopts], "--"))
		nopts++;
	/* (the note, asked again only when no server answered early: one
	 * may have failed meanwhile) */
	if (!rs.ready || (int)nopts + 1 >= argc || (rs.conn < 0 && access(rs.off, F_OK) == 0)) {
		reuse_clear();
		return -1;
	}
	size_t nargv = (size_t)argc - nopts - 1;
	pid_t parent = rs.parent;
	int parent_fd = rs.parent_fd, dfd = rs.dfd, conn = rs.conn, rc = -1;
	const char *path = rs.path, *off = rs.off;
	bool ours = false;
	if (conn < 0) {
		/* one of the parent's commands makes the server, the others
		 * wait for it */
		if (flock(dfd, LOCK_EX) < 0)
			goto out;
		if ((conn = connect_to(path)) < 0 &&
		    start_server(argc, argv, envp, path, parent, parent_fd) == 0) {
			ours = true;
			/* refused: the server we made is gone already */
			if ((conn = connect_to(path)) < 0)
				mark_off(off, parent, parent_fd);
		}
		flock(dfd, LOCK_UN);
		if (conn < 0)
			goto out;
	}
	char *names[64];
	bool there[64];
	size_t nw = watched(argv, nopts, names, there, ARRAY_SIZE(names));
	struct sbx_reuse_msg m;
	if (send_request(conn, argv, nopts, nargv, envp) < 0 ||
	    recv(conn, &m, sizeof(m), MSG_WAITALL) != (ssize_t)sizeof(m) ||
	    m.type != SBX_REUSE_STARTED) {
		/* not run: when the sandbox we made is gone it failed to
		 * start, and will for the parent's other commands too (one
		 * that refused this request serves others: left alone) */
		if (ours) {
			int again = connect_to(path);
			if (again >= 0)
				close(again);
			else
				mark_off(off, parent, parent_fd);
		}
		goto out;
	}
	int wst = wait_command(conn);
	if (wst < 0) {
		errorf(NULL, "--reuse: the shared sandbox ended before the command did");
		rc = 137;
		goto out;
	}
	for (size_t i = 0; i < nw; i++) {
		struct stat st;
		if (!there[i] && lstat(names[i], &st) == 0)
			shim_warn_created("sbx-exec", names[i]);
	}
	rc = sbx_sup_die_like(wst, NULL, NULL);
out:
	rs.conn = conn;
	reuse_clear();
	return rc;
}
#endif
