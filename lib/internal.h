/* internal.h: libsbx's private structures, shared by lib/ and backends/.
 * Nothing here is exported; users see only include/sbx.h. */
#ifndef SBX_INTERNAL_H
#define SBX_INTERNAL_H

#include "sbx.h"
#include "sys.h"
#include "util.h"

#include <stdarg.h>
#include <sys/stat.h>

#ifdef _WIN32
/* The CRT's open(): a descriptor not inherited by child processes. */
#define O_CLOEXEC _O_NOINHERIT
/* No FIFOs or terminals to guard against there. */
#define O_NONBLOCK 0
#define O_NOCTTY   0
#endif

struct sbx_error {
	int code;
	char *msg;
};

/* Sets *err (when err and not already set) to a formatted message and
 * returns code (a negative errno), so callers write
 * `return sbx_err(err, -EINVAL, "bad %s", x);`. */
int sbx_err(sbx_error **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, appending ": strerror(-code)". */
int sbx_err_errno(sbx_error **err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct sbx_spec {
	strv args;
	char *dir;
	strv env;
	bool env_set;
	sbx_net net;
	sbx_write write;
	strv lists[SBX_LIST__COUNT];
	bool no_exec, allow_temp, strict, best_effort, kernel_isolation, die_with_parent;
	bool reuse;               /* --reuse: one sandbox for the parent's commands of this plan */
	bool report, report_json; /* --report (--json): at exit, on stderr */
	char *keep_discarded;     /* --keep-discarded=DIR, or NULL */
	double cpus;
	int64_t memory;
	int64_t pids;
	double timeout;
	sbx_backend backend;
	/* Layering (policy.c): the writable entries before this index, and
	 * allow-temp unless layer_temp, came from lower layers; a write= in
	 * this layer drops them. */
	size_t layer_writable;
	bool layer_temp;
};

/* for each capability (an int named c), in name order; c##_k counts */
#define SBX_FOR_EACH_CAP(c)                                                                        \
	for (int c##_k = 0, c;                                                                     \
	     c##_k < SBX_CAP__COUNT && ((c = (int)sbx_caps_by_name(NULL)[c##_k]), 1); c##_k++)

/* The OSes a backend runs on. */
enum {
	SBX_OS_LINUX = 1,
	SBX_OS_MACOS = 2,
	SBX_OS_WINDOWS = 4,
};

#if defined(__APPLE__)
#define SBX_OS_HOST SBX_OS_MACOS
#elif defined(_WIN32)
#define SBX_OS_HOST SBX_OS_WINDOWS
#else
#define SBX_OS_HOST SBX_OS_LINUX
#endif

/* What the sandbox this process runs in enforces, as its init describes
 * it (shim/outer.c): only ever from the kernel-routed query, never from
 * the environment or a file. */
struct sbx_outer {
	sbx_net net;
	bool no_exec, ipc, read_all;
	strv read;   /* read grants, when !read_all */
	strv write;  /* paths written through to the host */
	strv view;   /* places whose writes are discarded */
	strv deny;   /* paths hidden from reads */
	strv redact; /* files shown without their credential entries */
	int64_t memory, pids;
	double cpus;
};
/* Asks; NULL when not inside an sbx sandbox that answers (lib/outer.c). */
struct sbx_outer *sbx_outer_query(void);
void sbx_outer_free(struct sbx_outer *o);

/* What this host provides, probed lazily and cheaply by sbx_host_get()
 * (one fork, into a new user namespace, which a run leaves to the
 * sandbox's own clone: sbx_host_defer_userns); --doctor adds the
 * expensive checks. */
struct sbx_host {
	struct sbx_outer *outer; /* inside an sbx sandbox: what it holds, else NULL */
	int landlock_abi;        /* 0 when Landlock is unavailable */
	bool seccomp;            /* seccomp filters */
	bool seccomp_notify;     /* SECCOMP_RET_USER_NOTIF */
	int unix_diag;           /* sock_diag says where a unix socket is bound: 1, 0, or -1 not
	                          * asked yet (sbx_host_unix_diag asks when a plan needs it) */
	bool userns;             /* unprivileged user namespaces look allowed */
	const char *userns_why;  /* why not, when !userns */
	bool userns_untried;     /* allowed by every setting, not tried (sbx_host_defer_userns) */
	bool cgroup_writable;    /* a cgroup subtree this user can create children in */
	int cgroup_version;      /* 1 or 2, 0 if none */
	/* path of runsc and of the docker client, or NULL: read them with
	 * sbx_host_runsc and sbx_host_docker (this host's are looked up on
	 * PATH when first asked: a landlock plan never needs them) */
	char *runsc;
	char *docker;
	bool euid_root;    /* uid 0 with CAP_SYS_ADMIN (not uid 0 inside a sandbox) */
	bool uid_root;     /* uid 0, with or without capabilities (a container's
	                    * command run as this uid is root's) */
	unsigned uid, gid; /* the caller's (a container's command runs as them) */
	/* The container backends' settings, from sbx-exec's environment when
	 * probed (NULL when unset or empty): SBX_DOCKER_IMAGE, DOCKER_HOST,
	 * SBX_DOCKER_RUNTIME, SBX_DOCKER_RUNSC_RUNTIME and _HOST_RUNTIME. */
	const char *docker_image, *docker_host, *docker_runtime, *runsc_runtime,
	    *runsc_host_runtime;
	/* sbx-exec's own SSH_AUTH_SOCK (the agent's socket is hidden even when
	 * the scrub removes the variable) and TMPDIR (where the container
	 * backends' scratch bundles go), NULL when unset or empty. */
	const char *ssh_auth_sock, *tmpdir;
	const char *sandbox_exec; /* SBX_SANDBOX_EXEC (seatbelt), NULL when unset or empty */
	/* sbx-exec's home (sbx_home), for a spec whose HOME is unset or
	 * relative: NULL when none; from_passwd when HOME did not say it */
	const char *home;
	bool home_from_passwd;
	/* How a compiler asks the engine what only it knows (docker image
	 * inspect, docker info): the program's exit status, its output in *out
	 * (malloc'd, trailing newlines cut), or -errno. NULL: sbx_capture,
	 * for real; the unit tests answer for the engine. Compilers ask
	 * through sbx_host_ask only, and name each question in the plan. */
	int (*ask)(char *const argv[], char **out);
	/* How a compiler sees the host's files (the paths a spec names, the
	 * command on PATH, the binaries' interpreters): compilers and the
	 * compile context read no file and stat no path but through it, so
	 * their plans are a function of the spec and these answers. NULL: the
	 * real filesystem (sbx_fs_real); the unit tests answer from a table. */
	const struct sbx_fs *fs;
};

/* The questions a compile asks of the filesystem. Each answers as the
 * call of its name does (-1 with errno set on failure). */
struct sbx_fs {
	int (*lstat)(const char *path, struct stat *st);
	int (*stat)(const char *path, struct stat *st);
	int (*access)(const char *path, int mode);
	/* realpath(3) into out (PATH_MAX bytes): out, or NULL */
	char *(*realpath)(const char *path, char *out);
	ssize_t (*readlink)(const char *path, char *buf, size_t size);
	/* 1 when the directory has no entries, 0 when it has, -1 */
	int (*empty_dir)(const char *path);
	/* sbx_program_interpreter's answer for path */
	char *(*interpreter)(const char *path);
};
/* The real filesystem's answers. */
extern const struct sbx_fs sbx_fs_real;
/* sbx_fs_real's lstat, stat and realpath remember their answers from
 * begin to end (fsmemo.c: one compile); nested pairs are one. */
void sbx_fs_memo_begin(void);
void sbx_fs_memo_end(void);
int sbx_fs_memo_lstat(const char *path, struct stat *st);
int sbx_fs_memo_stat(const char *path, struct stat *st);
char *sbx_fs_memo_realpath(const char *path, char *out);
/* h's filesystem (sbx_fs_real when it has none). Never NULL. */
const struct sbx_fs *sbx_host_fs(const struct sbx_host *h);

/* The probed host (cached for the process). Never NULL. */
const struct sbx_host *sbx_host_get(void);
/* h->runsc and h->docker, looked up first for the probed host */
const char *sbx_host_runsc(const struct sbx_host *h);
const char *sbx_host_docker(const struct sbx_host *h);
/* Compiles from now on against these facts instead of this host's (the
 * unit tests: every backend's plans on any host). Copies h. */
void sbx_host_set(const struct sbx_host *h);
/* For sbx-exec running a plan in its own process, before the host is
 * probed: user namespaces that every setting allows (sysctls, AppArmor, no
 * seccomp filter on us) are not tried in a child first (0.2 ms a start);
 * the clone that makes the sandbox tries them. Where that clone fails (a
 * chroot, SELinux, a namespace limit), sbx_host_userns_retry tries as the
 * probe would have, and sbx-exec compiles the plan again. */
void sbx_host_defer_userns(void);
/* True when the user namespaces were not tried: now they are, and the
 * host says what was found (compile again); false when they were. */
bool sbx_host_userns_retry(void);
/* Whether sock_diag answers here: asked on first use only (a socket pair
 * and a netlink query, 0.02 ms), not on every start. */
bool sbx_host_unix_diag(void);
/* For sbx-exec running a plan (not printing it): a probe whose answer
 * only chooses a caveat's words is not made, since a run prints no
 * caveat (the socket gate asks sock_diag itself, when a bind needs it);
 * --print makes every probe. sbx_host_caveats_deferred says which. */
void sbx_host_defer_caveats(void);
bool sbx_host_caveats_deferred(void);
/* Tries an overlay mount in a new user namespace (forks; for --doctor):
 * NULL when it works, else why not. */
const char *sbx_host_overlay_userns(void);
/* Looks name up on PATH (or uses it when it has a '/'); malloc'd or NULL. */
char *sbx_find_program(const char *name, const char *path_env);
/* The same through fs's answers. */
char *sbx_fs_find_program(const struct sbx_fs *fs, const char *name, const char *path_env);
/* Runs argv (stdin and stderr on /dev/null) and collects its output:
 * its exit status (128+N for signal N) with *out malloc'd, trailing
 * newlines cut; -errno when it could not be run. */
int sbx_capture(char *const argv[], char **out);
/* h->ask, or sbx_capture where the host has none. */
int sbx_host_ask(const struct sbx_host *h, char *const argv[], char **out);

/* Everything a backend compiler gets: the validated spec with resolved
 * paths and the derived facts. */
struct sbx_cctx {
	const struct sbx_spec *spec;
	const struct sbx_host *host;
	char *dir;                /* absolute working directory */
	strv writable;            /* absolute, normalised */
	strv readable;            /* absolute, normalised */
	strv read_deny;           /* absolute, normalised */
	strv write_deny;          /* absolute, resolved as grants are (no planted links) */
	strv redact;              /* likewise; read-deny entries equal to one are dropped */
	strv write_deny_missing;  /* the profile's protected paths inside a path written
	                           * through to the host that do not exist (yet): none
	                           * can be kept from being made, so sbx-exec warns at
	                           * exit when one was */
	strv write_deny_existing; /* the profile's protected paths that exist inside a
	                           * path written through to the host (not requested:
	                           * held where the backend can, else a caveat) */
	strv deny_by_scope;       /* denied paths outside every readable, writable and runtime
	                           * path: held by the read scope itself */
	strv allow_socket;        /* absolute, normalised */
	char *tmpdir;             /* absolute temp dir ($TMPDIR or /tmp) */
	char *home;            /* $HOME of the spec's env (absolute), else /etc/passwd's, or NULL */
	bool home_from_passwd; /* HOME was unset or relative: home is the passwd entry's */
	strv env;              /* the scrubbed environment for the command */
	strv env_removed;      /* names of the variables the scrub removed */
	sbx_capset requested;
	sbx_capset missing; /* requested but not enforceable here (best effort) */
	/* Requested, beyond what the kernel mechanisms hold here, and held by
	 * libsbx-preload.so alone (best effort only; see preload_config.h).
	 * Disjoint from missing. */
	sbx_capset preload;
};

/* Where a plan's argv or env names the port of the runner's proxy
 * (sbx_plan.proxy), replaced at run time: a plan run as printed, token
 * and all, is refused by sandbox-exec (not a port), never run open. */
#define SBX_PROXY_PORT_TOKEN "@SBX_PROXY_PORT@"

struct sbx_plan {
	sbx_backend backend;
	strv argv;
	strv env;
	char *profile;
	sbx_capset uses;
	sbx_capset requested;
	/* The subset of uses held only by libsbx-preload.so (best effort). */
	sbx_capset preload_only;
	char *mechanism[SBX_CAP__COUNT];
	strv caveats;
	strv runtime_paths;
	strv env_removed;
	sbx_fsv fsv;
	/* Why the plan cannot run on this host (backend missing or for another
	 * OS), or NULL. The plan can still be printed. */
	char *unavailable;
	/* The directory for the files below (an OCI bundle, a seccomp
	 * profile), made by the runner (0700; refused if it exists) just before
	 * the run and removed recursively after it: compiling writes nothing. */
	char *scratch_dir;
	struct sbx_plan_file {
		char *name; /* relative to scratch_dir */
		char *text; /* NULL: a directory */
		unsigned mode;
		long uid, gid; /* the owner to give it when run as root, or -1 */
	} * files;
	size_t nfiles;
	/* The read-only host queries the compiler made (docker image inspect),
	 * as shell lines, listed in the plan. */
	strv probes;
	/* Backend-specific cleanup after a supervised run (docker kill, runsc
	 * delete), as an argv run once when the command ends or is killed. */
	strv cleanup_argv;
	/* How the runner passes on a signal: empty, kill() on the enforcing
	 * process, and only signals another process sent (the terminal's own
	 * reached it already, in the same foreground process group); else this
	 * argv with the signal's name appended (runsc kill ID), for every
	 * forwarded signal, and the enforcing process ignores the terminal's
	 * SIGINT and SIGQUIT (runsc run dies of them without passing them on). */
	strv signal_argv;
	/* true when the launcher may exec argv directly (the enforcing process
	 * supervises itself); false when something must run after it. */
	bool exec_direct;
	/* The timeout the runner enforces (backends whose enforcing process
	 * has no timeout of its own), 0 for none. */
	double runner_timeout;
	/* The directory the runner starts argv in (backends whose enforcing
	 * process cannot change directory itself), or NULL: the caller's. */
	char *chdir;
	/* A step the runner takes just before starting argv, after the files
	 * are written (seatbelt on macOS: clone prepare_src into chdir; gvisor:
	 * find the command in the bundle's view), or NULL. Returns 0, a
	 * negative errno (nothing runs: 125), or an exit status to report
	 * without running (126, 127) with its message in *err; cleanup
	 * (scratch_dir removal) still happens. */
	int (*prepare)(const struct sbx_plan *p, sbx_error **err);
	/* What prepare does, in words, for the printed plan (set with it). */
	const char *prepare_what;
	/* For gvisor's prepare: the command, and the paths its view shows when
	 * reads are scoped (empty: the host's root). */
	char *command;
	strv view;
	char *prepare_src;
	/* The enforcing process's own exit status for "failed before the
	 * command started" (runsc: 128), reported as 125; 0 for none. */
	int failure_status;
	/* --die-with-parent: sbx-exec arms PR_SET_PDEATHSIG on itself before
	 * it starts anything (the sandbox dies with sbx-exec already). */
	bool die_with_parent;
	/* --reuse: the launcher may run the command in a sandbox of this plan
	 * that serves the parent's commands (launcher/reuse.c) */
	bool reuse;
	/* net=allowlist served by the runner (seatbelt): the runner listens on
	 * the host's 127.0.0.1 at a port of the kernel's choosing, serves the
	 * proxy (lib/proxy.c) to proxy_hosts from a process of its own while
	 * the command runs, and writes the port where argv (before "--") and
	 * env say SBX_PROXY_PORT_TOKEN. */
	bool proxy;
	strv proxy_hosts;
	/* Sticky: a mechanism, caveat or file could not be recorded (out of
	 * memory). sbx_runner_compile refuses such a plan, so no caveat is
	 * ever lost silently; the builders' callers need not check each. */
	bool oom;
};

/* What the commands sharing a --reuse sandbox share, for the plan. */
#define SBX_REUSE_TEXT                                                                             \
	"the first command of sbx-exec's parent (a make) with this plan makes the sandbox; "       \
	"the parent's later commands with the same plan run in it, each forked after the last "    \
	"restriction step, in its own process tree, killed when it ends; they share its "          \
	"copy-on-write layers and temp dir, its pid and IPC namespaces (they can see and signal "  \
	"each other), and the unix sockets bound in it; a command has no controlling terminal, "   \
	"and no resource limit (ulimit) above the first one's; it ends when the parent does"

int sbx_plan_set_mechanism(struct sbx_plan *p, sbx_cap c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a file (text) or directory (text NULL) for the runner to make in
 * scratch_dir; copies. 0 or -ENOMEM. */
int sbx_plan_add_file(struct sbx_plan *p, const char *name, const char *text, unsigned mode);
/* Makes scratch_dir and the files (lib/run.c); 0 or -errno with a message. */
int sbx_plan_write_files(const struct sbx_plan *p, sbx_error **err);
/* Sets NAME=VALUE in the command's environment, replacing NAME. */
int sbx_plan_set_env(struct sbx_plan *p, const char *name, const char *value);
/* The proxy variables (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY as SOCKS5,
 * NO_PROXY for loopback, and their lower-case forms) for a proxy on
 * 127.0.0.1:port. */
int sbx_plan_set_proxy_env(struct sbx_plan *p, const char *port);
int sbx_plan_caveat(struct sbx_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON array of capability names (lib/plan.c). */
void sbx_json_capset(buf *b, sbx_capset s);

/* for each capability (an int named c), in name order; c##_k counts */
#define SBX_FOR_EACH_CAP(c)                                                                        \
	for (int c##_k = 0, c;                                                                     \
	     c##_k < SBX_CAP__COUNT && ((c = (int)sbx_caps_by_name(NULL)[c##_k]), 1); c##_k++)

/* The OSes a backend runs on (from the table in caps.c). */
unsigned sbx_backend_os(sbx_backend b);

/* A backend's compiler. Its name, OSes and capability row are the table's
 * in caps.c (sbx_caps_of), so the table stays the single source. */
/* What a backend enforces on this host. */
struct sbx_avail {
	sbx_capset caps;                 /* the table row narrowed by the host */
	const char *unavailable;         /* why it cannot run here at all, or NULL */
	const char *why[SBX_CAP__COUNT]; /* why a table capability was narrowed away */
	/* Table capabilities missing from caps that libsbx-preload.so can hold
	 * for this backend under best effort (a subset of SBX_PRELOAD_CAPS). */
	sbx_capset preload;
};

struct sbx_backend_impl {
	sbx_backend id;
	/* Fills a (zeroed by the caller) for this host. Called only on an OS the
	 * backend runs on. */
	void (*probe)(const struct sbx_host *h, struct sbx_avail *a);
	/* Fills plan (argv, profile, uses, mechanisms, caveats). Called with
	 * cctx->missing already turned into caveats under best effort. */
	int (*compile)(const struct sbx_cctx *c, struct sbx_plan *plan, sbx_error **err);
};

const struct sbx_backend_impl *sbx_backend_impl(sbx_backend b);

/* runsc's --version line into text and its release date as YYYYMMDD
 * (0 when it names none), or -1 when it cannot be run (backends/gvisor.c;
 * forks). Plans need SBX_RUNSC_MIN_DATE or later. */
long sbx_runsc_version(const char *runsc, char *text, size_t size);
#define SBX_RUNSC_MIN_DATE 20221001

/* Backends (backends/<name>.c). */
extern const struct sbx_backend_impl sbx_backend_landlock;
extern const struct sbx_backend_impl sbx_backend_gvisor;
extern const struct sbx_backend_impl sbx_backend_docker_ephemeral;
extern const struct sbx_backend_impl sbx_backend_docker_runsc_ephemeral;
extern const struct sbx_backend_impl sbx_backend_seatbelt;
extern const struct sbx_backend_impl sbx_backend_appcontainer;

/* Paths (lib/paths.c). The home directory "~" means: $HOME when it is
 * absolute, else the user's /etc/passwd entry (*from_passwd then true), or
 * NULL when neither exists. */
const char *sbx_home(bool *from_passwd);
/* "~" or "~/..." in value expanded with sbx_home(); *out malloc'd. 0,
 * -ENOENT (no home directory), -ENOMEM. */
int sbx_expand_home(const char *value, char **out);
/* The spec's working directory, absolute (its dir against the process's
 * cwd); fails (-errno, with a message) when the cwd cannot be resolved. */
int sbx_working_dir(const sbx_spec *s, char **out, sbx_error **err);
/* p against dir, resolved as the kernel resolves it (links then ".."); a
 * missing tail is kept lexically. malloc'd or NULL. */
char *sbx_resolve_path(const struct sbx_fs *fs, const char *dir, const char *p);
/* The same for a granted path, refused (-ELOOP, with a message naming
 * what, the link and its target) when it goes through a symbolic link that
 * is not part of the system's layout. */
int sbx_resolve_grant(const struct sbx_fs *fs, const char *what, const char *dir, const char *p,
                      char **out, sbx_error **err);

/* Context building (lib/cctx.c). */
int sbx_cctx_init(struct sbx_cctx *c, const struct sbx_spec *spec, sbx_error **err);
/* The working directory exists on this host (for backends whose plans
 * run here; cross-OS plans name the other host's paths). */
int sbx_check_dir(const struct sbx_cctx *c, sbx_error **err);
/* Refuses a --redact file inside a denied directory unless the backend
 * keeps a hole for it in the mask (holes: landlock). 0 or -EINVAL. */
int sbx_redact_in_denied(const struct sbx_cctx *c, bool holes, sbx_error **err);
void sbx_cctx_free(struct sbx_cctx *c);
/* The paths written through to the host: the writable paths, and the temp
 * dir with allow-temp. */
int sbx_host_writable(const struct sbx_cctx *c, strv *out);
/* What a backend binds for --write-deny and the profile's
 * write-deny-existing: prot, the paths that exist, and pins, the
 * directories strictly between a path written through to the host and
 * one of them, each shallow first. With gated (a backend that can keep a
 * name from being made: landlock's create gate), a missing path whose
 * directory exists inside a path written through to the host goes there
 * (the profile's missing names too), and the directories on its way are
 * pinned like an existing one's. Any other --write-deny path that does not
 * exist is an error, or with --best-effort a caveat on p. */
int sbx_protect_paths(const struct sbx_cctx *c, struct sbx_plan *p, strv *prot, strv *pins,
                      strv *gated, sbx_error **err);
/* What backend b enforces here (any OS: a backend for another OS is
 * unavailable with its table row). */
void sbx_backend_avail(sbx_backend b, struct sbx_avail *a);
/* Sets c->missing (requested beyond can) and, under best effort, moves
 * into c->preload the part of it libsbx-preload.so can hold (preload). */
void sbx_cctx_set_gaps(struct sbx_cctx *c, sbx_capset can, sbx_capset preload);

/* The interpreter the kernel would load for path (ELF PT_INTERP or the
 * "#!" line's program), malloc'd, or NULL (lib/elf.c). */
char *sbx_program_interpreter(const char *path);
/* The command's resolved path (PATH of the scrubbed env), or NULL. */
char *sbx_resolve_command(const struct sbx_cctx *c);
/* Appends to out, without duplicates, what a read-scoped command needs to
 * start: its binary and interpreter chain, then the standard runtime paths
 * (loader, libraries, /etc files libc reads, locale, zones, CA data). */
int sbx_runtime_paths(const struct sbx_cctx *c, strv *out);

/* Removes dir and everything below it, without crossing into other
 * filesystems or following links; best effort (lib/plan.c). */
void sbx_remove_tree(const char *dir);

/* A helper program or library: $env_name, else file beside
 * /proc/self/exe (the build tree) when accessible with mode, else the
 * installed libexec path. malloc'd, or NULL. */
char *sbx_helper_path(const char *env_name, const char *file, int mode);
/* sbx-shim's path ($SBX_SHIM, beside sbx-exec, or in libexec). */
char *sbx_shim_path(void);

#endif
