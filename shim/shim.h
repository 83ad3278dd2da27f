/* shim.h: sbx-shim, the trampoline that applies the landlock backend's
 * isolation and then runs the command. Its options are low-level and
 * documented in `sbx-shim --help` and sbx-shim(1); sbx-exec builds them.
 *
 * sbx-exec links this code and runs shim_main() in-process for landlock
 * plans (saving one exec); the static sbx-shim binary runs the same code. */
#ifndef SBX_SHIM_H
#define SBX_SHIM_H

#include "entry.h"
#include "sys.h"
#include "util.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#ifdef __linux__
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#endif

enum shim_net {
	SHIM_NET_ENABLE = 0,
	SHIM_NET_OUTBOUND,
	SHIM_NET_DISABLE,
};

/* One Landlock rule: a path and what it grants. */
enum shim_rule_kind {
	RULE_READ,  /* read, list, execute beneath */
	RULE_WRITE, /* everything beneath */
	RULE_DEV,   /* read, write, ioctl on a device file */
};

struct shim_rule {
	enum shim_rule_kind kind;
	const char *path;
	bool optional; /* skip when the path does not exist */
};

/* One mount step, applied in order inside the private mount namespace. */
enum shim_mount_kind {
	MNT_COW_ROOT,  /* copy-on-write view of / (each top-level dir) */
	MNT_COW,       /* copy-on-write view of one directory, in place (holds whiteouts) */
	MNT_COW_WRITE, /* the same, taking writes (a private temp dir) */
	MNT_BIND,      /* re-expose the host's path read-write at the same place */
	MNT_MASK,      /* hide a path: empty read-only dir or file; create a
	                * placeholder first when it is missing (cow only) */
	MNT_HIDE,      /* like MASK, skipped when the path does not exist */
	MNT_TMPFS,     /* an empty private writable tmpfs over a directory (skipped if missing) */
	MNT_SOCKET,    /* re-expose one host socket file inside an earlier --tmpfs */
	MNT_REDACT,    /* a copy of an INI-style file without its credential entries,
	                * bound read-only over it */
	MNT_PIN,       /* bind a directory onto itself: writable, but a mount point
	                * (rename, rmdir: EBUSY) */
	MNT_PROTECT,   /* bind a path onto itself read-only, recursively (write-deny) */
};

struct shim_mount {
	enum shim_mount_kind kind;
	const char *path;
};

struct shim_config {
	const char *prog; /* name for messages: "sbx-exec" or "sbx-shim" */
	char **argv;      /* the command */
	char **envp;      /* its environment */
	const char *chdir;
	double timeout; /* seconds, 0 none */

	/* Namespaces (all need a user namespace). */
	bool userns, pidns, ipcns, netns;
	struct shim_mount *mounts;
	size_t nmounts;
	const char *cow_keep; /* with MNT_COW_ROOT: a top-level dir to leave as the host's */
	bool ro_root;         /* every inherited mount read-only; binds writable */
	bool devpts;          /* a devpts instance of its own (mounts.c) */
	bool host_root;       /* the supervisor is root of its user namespace: every uid
	                       * is mapped in the sandbox's */
	uint64_t keep_caps;   /* root's file capabilities the command keeps (privs.c) */

	/* Landlock */
	int ll_abi; /* ABI the plan was compiled for; 0 = no Landlock */
	struct shim_rule *rules;
	size_t nrules;
	const char **ll_deny; /* read-deny paths enforced by Landlock rules alone */
	size_t nll_deny;
	const char **write_around; /* write rules never cover these (nested runs) */
	size_t nwrite_around;
	bool ll_tty;           /* allow the terminal(s) on fds 0-2 and /dev/tty */
	bool ll_proc_self;     /* allow reading /proc/self of the command */
	bool views_write_only; /* copy-on-write views: write rights, no read rights */
	bool direct;           /* no supervision: exec the command in this process */

	enum shim_net net;
	bool listen_unix; /* net=outbound: listen() allowed on unix sockets only */
	bool no_exec;
	/* connect() (and bind() under outbound) performed by init: pathname
	 * unix sockets only inside the sandbox's writable places (gate.c) */
	bool unix_gate;
	strv unix_allow; /* sockets the gate lets connect wherever they are */

	/* libsbx-preload.so for the command, or NULL (preload.c) */
	const char *preload_lib;
	const char *preload_policy; /* its policy text */

	/* cgroup limits (0: none) */
	int64_t memory;
	int64_t pids;
	double cpus;

	/* net=allowlist (proxy.c): the proxy's port on the sandbox's loopback,
	 * its allowed hosts, and the host loopback ports forwarded in */
	int proxy_port;
	strv allow_host;
	strv watch_created; /* --watch-created: warned about at exit if made */
	strv deny_create;   /* --deny-create: names init refuses to make (create.c) */
	int forward[16];
	size_t nforward;

	/* --report (--report-json) and --keep-discarded DIR (report.c) */
	bool report, report_json;
	const char *keep_dir;

	/* Filled at run time */
	strv cow_dirs;   /* copy-on-write views taking writes (Landlock grants them) */
	strv cow_views;  /* every copy-on-write view */
	strv gate_allow; /* where the gate lets unix sockets be reached */
	bool landlocked; /* init took the Landlock domain the command inherits */
	bool bounded;    /* the bounding set was emptied, but for keep_caps (privs.c) */
	int stage_fd;    /* with a report: the staging tmpfs, kept past its detach */

	/* the seccomp program the supervisor built (seccomp.c), or NULL */
	void *bpf;
	unsigned short bpf_len; /* instructions */
	bool bpf_root;          /* built for root */

	/* --reuse, serving one parent's commands (reuse.c) */
	bool serving;
	int serve_lfd;          /* supervisor: the listening socket */
	const char *serve_path; /* its name */
	pid_t serve_parent;     /* the parent whose commands are served */
	int serve_parent_fd;    /* supervisor: a pidfd of it */
	int serve_chan;         /* the forker's end of the supervisor's pair */
	char **serve_opts;      /* the plan's argv up to "--" */
	size_t serve_nopts;
	/* the host's directory at --chdir when the sandbox was made: a
	 * client whose directory of that name is another (deleted and made
	 * again) is refused, not run in the one the sandbox still holds */
	uint64_t serve_cwd_dev, serve_cwd_ino;
};

/* proxy.c: a listening socket on the sandbox's 127.0.0.1:port (in init,
 * inside the network namespace), or -1 after saying why; and, in the
 * supervisor, one connection accepted from it and served by a child
 * (forward_port: relayed to the host's 127.0.0.1 there; 0: the proxy).
 * Returns the child's pid, or -1. */
int shim_proxy_listen(const struct shim_config *c, int port);
pid_t shim_proxy_accept(const struct shim_config *c, int lfd, int forward_port, bool full,
                        int notes);

/* What the sandbox refused that a report counts. */
struct shim_denials {
	unsigned long connect; /* unix-socket connects the gate refused */
	unsigned long exec;    /* execs no-exec refused */
	unsigned long create;  /* protected names the create gate refused */
	/* net=allowlist: each host and port the proxy was asked for */
	struct shim_hostcount {
		char host[256];
		int port;
		bool allowed;
		unsigned long count;
	} hosts[64];
	size_t nhosts;
	unsigned long hosts_other; /* asked for beyond the table */
};
/* Counts one of the proxy's notes ("+ host port" / "- host port"). */
void shim_report_note(struct shim_denials *dn, const char *line);
/* Prints the report on stderr (and fills --keep-discarded's DIR) from the
 * staging tmpfs stage (-1: none) and the counts. */
void shim_report(const struct shim_config *c, int stage, const struct shim_denials *dn);

/* Parses argv into c (c->prog and c->envp set by the caller), checking
 * every value strictly: the index of the command word (c->argv points
 * there), 0 after --help or --version was printed, or -1 after printing
 * why. Free c with shim_free_config either way. */
int shim_parse(struct shim_config *c, int argc, char **argv);
void shim_free_config(struct shim_config *c);

/* Steps, each returning 0 or -1 after printing why. */
int shim_landlock_apply(const struct shim_config *c);
/* Without a pid namespace the supervisor answers the socket gate: before
 * the sandbox is forked it enters a Landlock domain that scopes only
 * abstract unix sockets, so a connect it makes for the command reaches
 * exactly the abstract sockets the command's own (nested) domain could,
 * and no host one. Nothing else of the supervisor is restricted. */
int shim_landlock_scope_abstract(const struct shim_config *c);
int shim_landlock_abi(void);
/* Installs the filter; with no_exec or listen_unix, *notify_fd gets the
 * seccomp listener for the supervisor. */
int shim_seccomp_apply(const struct shim_config *c, int *notify_fd);
/* The supervisor's: the program the command's process would build, in a
 * sealed memfd, or -1. */
int shim_seccomp_export(const struct shim_config *c);
/* The sandbox's: the program from that memfd, built for root or not; on
 * any doubt nothing, and the command's process builds its own. */
void shim_seccomp_take(struct shim_config *c, int fd, bool root);
/* The supervisor's SHIM_MSG_FILTER, if any, taken (supervise.c). */
void shim_take_filter(struct shim_config *c, int sync);
/* The bounding set emptied but for keep_caps, early (the sandbox's own
 * process while it waits for "go": only execve reads the set, and it is
 * inherited); nothing without CAP_SETPCAP. 0 or -1. */
int shim_drop_bounding(struct shim_config *c);
int shim_drop_privileges(const struct shim_config *c);
/* The capability mask of root's file capabilities to keep (privs.c). */
uint64_t shim_root_file_caps(bool userns, bool host_root);
/* The process's effective capabilities (capget), or 0 */
uint64_t shim_effective_caps(void);
/* The sandbox's first mount steps, made while the supervisor writes the id
 * maps (no id is needed for them): the mount namespace made private, and
 * the mount points read (for the copy-on-write views). 0 or -1. */
int shim_mounts_prepare(struct shim_config *c);
int shim_mounts_apply(struct shim_config *c);
/* O_PATH of path, refused when any component is a symbolic link (openat2
 * RESOLVE_NO_SYMLINKS); -1 with errno. */
int shim_open_nolinks(const char *path);
int shim_loopback_up(const struct shim_config *c);
/* *envp: the command's environment, with LD_PRELOAD and SBX_PRELOAD_FD
 * naming the library and a freshly sealed policy memfd when --preload was
 * given (else c->envp). */
int shim_preload_env(const struct shim_config *c, char ***envp);
void shim_preload_env_free(const struct shim_config *c, char **envp);

/* cgroups: one per sandbox, created by the supervisor. */
struct shim_cgroup {
	char *dirs[4]; /* created directories (v1: one per controller) */
	size_t n;
	bool v2;
};
int shim_cgroup_create(const struct shim_config *c, struct shim_cgroup *cg);
int shim_cgroup_attach(const struct shim_config *c, const struct shim_cgroup *cg, pid_t pid);
void shim_cgroup_destroy(struct shim_cgroup *cg);
/* True when the memory cap's OOM killer killed something in the cgroup. */
bool shim_cgroup_oom(const struct shim_cgroup *cg);

#ifdef __linux__
/* The answering side of the seccomp listener (notify.c, gate.c). */
struct shim_pending {
	uint64_t id; /* the notification waiting for its answer */
	int sock;    /* the caller's socket (pidfd_getfd) */
	int target;  /* the pinned unix socket it connects to, or -1 */
	struct sockaddr_storage via;
	socklen_t vlen;
	double deadline; /* SO_SNDTIMEO, 0 none */
	double retry_at; /* unix: a full backlog is tried again then */
};
/* A pathname unix socket the sandbox bound (gate.c): its file, and the
 * socket bound to it. */
struct shim_bound {
	dev_t dev;
	ino_t ino;
	ino_t sock_ino;
};
struct shim_notify_state {
	const struct shim_config *c;
	int fd;                   /* the listener */
	int diag;                 /* NETLINK_SOCK_DIAG, opened on first use, or -1 */
	int diag_ok;              /* whether it answers: -1 not asked yet */
	struct shim_bound *bound; /* a ring of the sockets bound, the oldest overwritten */
	size_t nbound, bound_next;
	int own_cwd; /* where to come back to after a bind done from a caller's cwd */
	bool first_exec_done;
	int outer_fd; /* the sealed description for nested runs (outer.c), or -1 */
	unsigned long handled;
	struct shim_denials denied;
	struct shim_pending *pend;
	size_t npend;
	struct shim_denied_name *deny; /* --deny-create, by directory and name */
	size_t ndeny;
	long depth; /* the command's seccomp filter count: a caller with more
	             * added its own (create.c) */
};
void shim_notify_init(struct shim_notify_state *st, const struct shim_config *c, int fd);
/* Asks for synchronous wake-ups on the listener fd (Linux 6.6), if any. */
void shim_notify_sync_wakeup(int fd);
/* Answers one notification: the first execve continues, every later one
 * fails with EPERM; listen() is performed here on unix sockets and refused
 * on the rest; connect and bind go to the gate. Returns -1 when the
 * listener is gone. */
int shim_notify_handle(struct shim_notify_state *st);
/* Handles what poll reported on the listener: -1 when it is gone (the
 * caller closes it), else 0. */
int shim_notify_poll(struct shim_notify_state *st, short revents);
void shim_notify_free(struct shim_notify_state *st);
/* A pidfd for a thread id (its own, or its process's); a copy of the
 * caller's descriptor nr, or -errno. */
struct seccomp_notif;
int shim_pidfd_of(pid_t tid);
int shim_notify_getfd(const struct seccomp_notif *req, int nr);
/* A number from /proc/TID/status ("Tgid:", "Umask:"), or -1. */
long shim_status_field(pid_t tid, const char *field, int base);
/* caller.c: the caller's umask, capability sets and seccomp filter count,
 * from one read of /proc/TID/status (-1 each when missing). */
struct shim_caller_status {
	long umask, depth;
	uint64_t eff, prm;
	bool has_eff, has_prm;
};
void shim_caller_status(pid_t tid, struct shim_caller_status *s);
/* A NUL-terminated string from the caller's memory, a page at a time (the
 * next page may be unmapped): 0 or -errno. */
int shim_caller_string(pid_t pid, uint64_t addr, char *out, size_t size);
/* The caller's directory for dirfd: its cwd for AT_FDCWD, else a copy of
 * its descriptor; -errno. */
int shim_caller_dir(const struct seccomp_notif *req, int dirfd);
/* Opens the caller's controlling terminal (what its open of /dev/tty
 * would), with flags: a descriptor, or -ENXIO when it has none here. */
int shim_caller_tty(pid_t tid, int flags);
/* Answers notification id with val, or with err (-errno) when nonzero. */
void shim_notify_respond(int nfd, uint64_t id, long val, int err);
/* The create gate (create.c, --deny-create): init's table of the names
 * it refuses, built in the sandbox's view before the command starts
 * (protect.c), and the answer to a call that makes or changes a name. */
int shim_create_prepare(struct shim_notify_state *st);
void shim_create_free(struct shim_notify_state *st);
bool shim_create_call(int nr);
void shim_create_answer(struct shim_notify_state *st, const struct seccomp_notif *req);
/* protect.c: whether dir/name is a protected name, is one the host made
 * during the run, or lies inside one (a directory above dir is one). */
bool shim_protected_at(const struct shim_notify_state *st, int dir, const char *name);
/* The same for the file open as fd. */
bool shim_protected_fd(const struct shim_notify_state *st, int fd);
void shim_gate_connect(struct shim_notify_state *st, const struct seccomp_notif *req);
void shim_gate_bind(struct shim_notify_state *st, const struct seccomp_notif *req);
/* The pending connects: poll entries (one per pending, in order), the
 * time to wake for retries and deadlines (-1 none), and the step after
 * poll. */
size_t shim_gate_pollfds(const struct shim_notify_state *st, struct pollfd *p, size_t max);
int shim_gate_wait_ms(const struct shim_notify_state *st);
void shim_gate_poll_done(struct shim_notify_state *st, const struct pollfd *p, size_t n);
void shim_gate_free(struct shim_notify_state *st);
/* The description of this sandbox for nested runs (outer.c). */
int shim_outer_memfd(const struct shim_config *c);
void shim_outer_answer(struct shim_notify_state *st, const struct seccomp_notif *req);
/* The gate's allowed places, after the mounts (gate_allow). */
int shim_gate_prepare(struct shim_config *c);

/* Forks the sandbox (in new namespaces when asked), supervises it, and
 * returns the exit status to use (after cleanup; a command killed by a
 * signal makes the caller die of it). */
int shim_supervise(struct shim_config *c);
/* reuse.c: whether c can serve many commands (0), else -1 after saying
 * why; whether the peer on conn (accepted by the supervisor) is a process
 * of ours started by the parent served; the forker, in place of the
 * command's exec: runs each connection's command until the supervisor
 * closes the pair. */
int shim_reuse_check(const struct shim_config *c);
bool shim_reuse_admit(const struct shim_config *c, int conn);
_Noreturn void shim_reuse_forker(struct shim_config *c);
/* contain.c: execve of argv[0] found on envp's PATH, like the command's
 * (ENOEXEC: under /bin/sh); returns 126 or 127 after saying why. */
int shim_exec_command(const struct shim_config *c, char **argv, char **envp);
/* supervise.c: SIGKILL to every descendant, reaped until none is left. */
void shim_kill_all_and_reap(void);
/* Stops pid, kills everything below it (/proc), then pid itself. */
void shim_kill_tree(pid_t pid);

/* fds.c: refuses (-1, with the message) a directory or O_PATH descriptor
 * on 0-2, and closes at exec every inherited one above 2. */
int shim_close_path_fds(const struct shim_config *c);
/* Whether fd is open and opens paths (a directory; *o_path: O_PATH). */
bool shim_fd_opens_paths(int fd, bool *o_path);
/* pid 1 of the sandbox (init.c); returns its exit status. */
int shim_init_main(struct shim_config *c, int sync, const sigset_t *oldmask);
/* Shared by the supervisor and init (supervise.c; the rules they follow
 * with every other supervisor: lib/supervise.c). */
void shim_wait_for_go(const struct shim_config *c, int sync); /* (1); _exit(125) on anything else */
/* The restriction steps, in their order (contain.c). In the sandbox: the
 * supervisor's go, mounts, loopback, working directory; 0 or -1. */
int shim_contain_sandbox(struct shim_config *c, int sync);
/* Init's own: the unix-socket gate's state, Landlock; 0 or -1. */
int shim_contain_init(struct shim_config *c);
/* The command's process: privileges, Landlock, seccomp, exec. Never
 * returns on success; sync is the socket to the supervisor (for the notify
 * fd). */
/* The command's process, sharing the caller's memory until its execve or
 * _exit, while the caller waits (CLONE_VM|CLONE_VFORK, as posix_spawn):
 * no copy of the caller's page tables, no fault for each page the child
 * writes, no teardown of a copy at the execve. The child may change its
 * own process's kernel state only, and must make no call the caller
 * answers (the caller waits). */
pid_t shim_spawn_shared(int (*fn)(void *), void *arg);
int shim_contain_command(struct shim_config *c, int sync);

#endif

/* Typed messages on the supervisor's socketpair (SOCK_SEQPACKET). */
enum shim_msg_type {
	SHIM_MSG_GO = 1,             /* supervisor -> child: maps written, cgroup joined */
	SHIM_MSG_NOTIFY_FD = 2,      /* command -> supervisor: seccomp listener (SCM_RIGHTS) */
	SHIM_MSG_EXIT = 3,           /* init -> supervisor: the command's wait status */
	SHIM_MSG_STAGE = 4,          /* init -> supervisor: the staging tmpfs (--report) */
	SHIM_MSG_DENIED_CONNECT = 5, /* init -> supervisor, before EXIT: counts */
	SHIM_MSG_DENIED_EXEC = 6,
	SHIM_MSG_LISTEN = 7, /* init -> supervisor: a listener (value: forwarded port, 0: proxy) */
	SHIM_MSG_DENIED_CREATE = 8, /* init -> supervisor, before EXIT: a count */
	SHIM_MSG_CONN = 9,          /* supervisor -> forker: a client's connection (--reuse) */
	SHIM_MSG_FILTER = 10, /* supervisor -> child, after GO: the seccomp program (value: root) */
};
struct shim_msg {
	int32_t type;
	int32_t value;
};
int shim_msg_send(int sock, int type, int value, int fd);
/* Receives one message; *fd gets a passed descriptor or -1. 0 on success,
 * -1 on EOF, a short read or an error. */
int shim_msg_recv(int sock, struct shim_msg *m, int *fd);

int shim_fail(const struct shim_config *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
