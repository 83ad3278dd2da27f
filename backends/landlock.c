/* landlock.c: the landlock backend's compiler. The plan is
 * `sbx-shim [options] -- COMMAND...`; the shim (shim/) applies it. What the
 * backend enforces here depends on the host, probed once: the Landlock
 * ABI, seccomp user notification, user namespaces, a writable cgroup.
 *
 * With user namespaces every plan runs in new user, mount, pid and IPC
 * namespaces (and a network namespace for net=disable): they hide host
 * sockets, processes, SysV IPC and the paths read-deny masks, and carry
 * the copy-on-write views. Without them the plan uses Landlock and seccomp
 * alone and says which capabilities that cannot hold. */
#include "landlock_internal.h"
#include "preload_config.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

/* The newest Landlock ABI the shim knows. */
#define SHIM_MAX_ABI 7

/* Without Landlock the shim still runs (seccomp, privileges dropped,
 * namespaces where the host allows them), but nothing limits file access
 * by path: what needs Landlock is left out of caps, and the library can
 * hold part of it under best effort (the available plan then says so). */
static void probe_no_landlock(const struct sbx_host *h, struct sbx_avail *a)
{
	static const char why[] = "Landlock is not available on this kernel (needs Linux 5.13+ "
	                          "with CONFIG_SECURITY_LANDLOCK and landlock in the lsm= list)";
	/* With user namespaces the write policy is held by mounts alone:
	 * every host mount read-only, the writable paths bound read-write,
	 * copy-on-write views; reads by path and IPC scopes need Landlock. */
	sbx_capset lost = CAP(FS_READ_SCOPE) | CAP(IPC_RESTRICT);
	if (!h->userns)
		lost |= CAP(FS_READ_DENY) | CAP(FS_WRITE_SCOPE) | CAP(FS_WRITE_DENY) |
		        CAP(FS_WRITE_EPHEMERAL);
	for (int cap = 0; cap < SBX_CAP__COUNT; cap++)
		if (lost & SBX_CAPSET_OF(cap)) {
			a->caps &= ~SBX_CAPSET_OF(cap);
			if (!a->why[cap])
				a->why[cap] = why;
		}
}

/* Inside another sbx sandbox: what can be held there (landlock_nested.c
 * decides for each plan what the outer holds and what to add). */
static void probe_nested(const struct sbx_host *h, struct sbx_avail *a)
{
	const struct sbx_outer *o = h->outer;
	a->caps = sbx_caps_of(SBX_BACKEND_LANDLOCK);
	static const char why_exec[] = "inside an outer sbx sandbox that does not hold it "
	                               "(seccomp user notification cannot be nested)";
	static const char why_ipc[] = "inside an outer sbx sandbox that does not hold it";
	static const char why_res[] = "inside an outer sbx sandbox, where no cgroup can be made, "
	                              "and which holds no such cap";
	if (!o->no_exec) {
		a->caps &= ~CAP(PROC_NO_EXEC);
		a->why[SBX_CAP_PROC_NO_EXEC] = why_exec;
	}
	if (!o->ipc) {
		a->caps &= ~CAP(IPC_RESTRICT);
		a->why[SBX_CAP_IPC_RESTRICT] = why_ipc;
	}
	const bool has[] = {o->cpus > 0, o->memory > 0, o->pids > 0};
	for (int cap = SBX_CAP_RES_CPU, i = 0; cap <= SBX_CAP_RES_PIDS; cap++, i++)
		if (!has[i]) {
			a->caps &= ~SBX_CAPSET_OF(cap);
			a->why[cap] = why_res;
		}
}

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	if (h->outer && !h->userns)
		return probe_nested(h, a);
	if (!h->seccomp) {
		a->unavailable = h->landlock_abi
		                     ? "seccomp filters are not available on this kernel"
		                     : "neither Landlock nor seccomp filters are available on this "
		                       "kernel";
		return;
	}
	a->caps = sbx_caps_of(SBX_BACKEND_LANDLOCK);
	if (!h->userns) {
		static char why[320];
		snprintf(why, sizeof(why), "needs user namespaces, which this host refuses: %s",
		         h->userns_why ? h->userns_why : "unknown reason");
		a->caps &= ~(
		    SBX_CAPSET_OF(SBX_CAP_FS_WRITE_EPHEMERAL) |
		    SBX_CAPSET_OF(SBX_CAP_IPC_RESTRICT) | SBX_CAPSET_OF(SBX_CAP_FS_WRITE_PROTECT) |
		    SBX_CAPSET_OF(SBX_CAP_FS_READ_REDACT) | SBX_CAPSET_OF(SBX_CAP_NET_ALLOWLIST));
		a->why[SBX_CAP_FS_WRITE_EPHEMERAL] = why;
		a->why[SBX_CAP_IPC_RESTRICT] = why;
		a->why[SBX_CAP_FS_WRITE_PROTECT] = why;
		a->why[SBX_CAP_FS_READ_REDACT] = why;
		a->why[SBX_CAP_NET_ALLOWLIST] = why;
	} else if (h->landlock_abi < 6) {
		a->caps &= ~SBX_CAPSET_OF(SBX_CAP_IPC_RESTRICT);
		a->why[SBX_CAP_IPC_RESTRICT] = "abstract unix sockets and signals to the host need "
		                               "Landlock ABI 6 (Linux 6.12)";
	}
	if (!h->seccomp_notify) {
		a->caps &=
		    ~(SBX_CAPSET_OF(SBX_CAP_PROC_NO_EXEC) | SBX_CAPSET_OF(SBX_CAP_IPC_RESTRICT));
		a->why[SBX_CAP_PROC_NO_EXEC] = "needs seccomp user notification (Linux 5.5+)";
		if (!a->why[SBX_CAP_IPC_RESTRICT])
			a->why[SBX_CAP_IPC_RESTRICT] =
			    "host unix sockets are kept out by a seccomp "
			    "user-notification gate (Linux 5.5+)";
	}
	if (!h->cgroup_writable) {
		static const char why[] = "no cgroup this user can create children in (run as "
		                          "root, or in a delegated cgroup v2 subtree, e.g. "
		                          "systemd-run --user --scope -p Delegate=yes)";
		for (int cap = SBX_CAP_RES_CPU; cap <= SBX_CAP_RES_PIDS; cap++) {
			a->caps &= ~SBX_CAPSET_OF(cap);
			a->why[cap] = why;
		}
	}
	if (!h->landlock_abi)
		probe_no_landlock(h, a);
	a->preload = sbx_capset_sub(sbx_caps_of(SBX_BACKEND_LANDLOCK), a->caps) & SBX_PRELOAD_CAPS;
}

int ll_opt(struct sbx_plan *p, const char *opt, const char *val)
{
	if (strv_push(&p->argv, opt) < 0 || (val && strv_push(&p->argv, val) < 0))
		return -ENOMEM;
	return 0;
}

int ll_runtime_paths(struct ll_ctx *l)
{
	struct sbx_plan *p = l->p;
	if (sbx_runtime_paths(l->c, &p->runtime_paths) < 0 ||
	    (!strv_contains(&p->runtime_paths, "/dev/random") &&
	     strv_push(&p->runtime_paths, "/dev/random") < 0) ||
	    (!strv_contains(&p->runtime_paths, "/dev/urandom") &&
	     strv_push(&p->runtime_paths, "/dev/urandom") < 0))
		return -ENOMEM;
	/* the loader opens the library by its path */
	if (l->preload_lib && !strv_contains(&p->runtime_paths, l->preload_lib) &&
	    strv_push(&p->runtime_paths, l->preload_lib) < 0)
		return -ENOMEM;
	return 0;
}

/* The port sbx's proxy listens on, on the sandbox's own loopback. */
#define PROXY_PORT "3128"

/* net=allowlist: a network namespace with only loopback, where init opens
 * the proxy's listening socket (and one per --allow-localhost port) for the
 * supervisor, which serves them from the host's network (shim/proxy.c). */
static int plan_allowlist(struct ll_ctx *l)
{
	struct sbx_plan *p = l->p;
	const struct sbx_spec *s = l->c->spec;
	if (!l->ns) {
		/* --best-effort without namespaces: no network at all */
		sbx_plan_caveat(p, "net=allowlist without user namespaces: no private network "
		                   "or proxy, so no network at all (as net=disable)");
		return ll_opt(p, SHIM_OPT(NET), "disable");
	}
	const strv *fw = &s->lists[SBX_LIST_ALLOW_LOCALHOST];
	for (size_t i = 0; i < fw->n; i++)
		if (streq(fw->v[i], PROXY_PORT))
			return sbx_err(l->err, -EINVAL,
			               "allow-localhost %s: the sandbox's proxy listens there",
			               fw->v[i]);
	if (ll_opt(p, SHIM_OPT(UNSHARE_NET), NULL) < 0 || ll_opt(p, SHIM_OPT(NET), "enable") < 0 ||
	    ll_opt(p, SHIM_OPT(PROXY), PROXY_PORT) < 0)
		return -ENOMEM;
	const strv *hosts = &s->lists[SBX_LIST_ALLOW_HOST];
	for (size_t i = 0; i < hosts->n; i++)
		if (ll_opt(p, SHIM_OPT(ALLOW_HOST), hosts->v[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < fw->n; i++)
		if (ll_opt(p, SHIM_OPT(FORWARD), fw->v[i]) < 0)
			return -ENOMEM;
	if (sbx_plan_set_proxy_env(p, PROXY_PORT) < 0)
		return -ENOMEM;
	_cleanup_buf_ buf list = {0};
	for (size_t i = 0; i < hosts->n; i++)
		buf_addf(&list, "%s%s", i ? ", " : "", hosts->v[i]);
	sbx_plan_set_mechanism(
	    p, SBX_CAP_NET_ALLOWLIST,
	    "a network namespace with only loopback; sbx's HTTP and SOCKS5 proxy on "
	    "127.0.0.1:" PROXY_PORT " (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY) connects from the "
	    "host only to %s%s",
	    list.s ? list.s : "no host",
	    fw->n ? "; the --allow-localhost ports are forwarded from the host's loopback" : "");
	sbx_plan_caveat(p, "net=allowlist: only programs that use the proxy variables get out "
	                   "(HTTP CONNECT, absolute-URI requests, SOCKS5 CONNECT); a name "
	                   "without :PORT allows ports 80 and 443; a name matched by a "
	                   "wildcard that resolves to a loopback, private or link-local address "
	                   "is refused; DNS and UDP are not available inside");
	return 0;
}

static int plan_net(struct ll_ctx *l)
{
	struct sbx_plan *p = l->p;
	switch (l->c->spec->net) {
	case SBX_NET_ENABLE:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_ENABLE, "the host's network, unfiltered");
		return ll_opt(p, SHIM_OPT(NET), "enable");
	case SBX_NET_OUTBOUND: {
		/* With user notification the supervisor lets unix sockets
		 * listen (shim/notify.c); without it every listen() is refused. */
		bool unix_ok = l->c->host->seccomp_notify;
		/* The socket gate (with namespaces) does bind() for the command. */
		bool gate = unix_ok && l->ns;
		sbx_plan_set_mechanism(
		    p, SBX_CAP_NET_OUTBOUND, "seccomp: listen() refused%s; %s%s",
		    unix_ok ? " except on unix sockets, which the sandbox checks and listens on"
		            : "",
		    l->abi >= 4 ? "landlock: TCP bind refused"
		    : l->abi    ? "no Landlock TCP rules before ABI 4"
		                : "no Landlock here",
		    gate ? "; bind() done by the sandbox's init: no UDP socket binds a port" : "");
		if (gate)
			sbx_plan_caveat(p,
			                "net=outbound: a UDP socket cannot bind a port, but it "
			                "receives datagrams on the ephemeral port it gets by "
			                "sending (replies, or anything else sent there); host "
			                "loopback services stay reachable, and outbound is not an "
			                "egress filter (--allow-host is one)");
		else if (unix_ok)
			sbx_plan_caveat(p,
			                "net=outbound: UDP sockets can still bind and receive "
			                "datagrams; host loopback services stay reachable, and "
			                "outbound is not an egress filter (--allow-host is one)");
		else
			sbx_plan_caveat(p,
			                "net=outbound: listen() is refused for every socket, unix "
			                "sockets included (no seccomp user notification), and UDP "
			                "sockets can still bind and receive datagrams");
		if (unix_ok && ll_opt(p, SHIM_OPT(LISTEN_UNIX), NULL) < 0)
			return -ENOMEM;
		return ll_opt(p, SHIM_OPT(NET), "outbound");
	}
	case SBX_NET_ALLOWLIST:
		return plan_allowlist(l);
	case SBX_NET_DISABLE:
		/* Not a network namespace: creating one costs more than a
		 * millisecond, paid before every recipe of a Makefile; the
		 * seccomp filter holds the same line without loopback. */
		sbx_plan_set_mechanism(
		    p, SBX_CAP_NET_DISABLE,
		    "seccomp: only AF_UNIX and AF_NETLINK sockets can be created%s",
		    l->abi >= 4 ? "; landlock: TCP bind and connect refused" : "");
		sbx_plan_caveat(p,
		                "net=disable: loopback is blocked too, so the command cannot reach "
		                "services on 127.0.0.1, including its own");
		return ll_opt(p, SHIM_OPT(NET), "disable");
	}
	return 0;
}

/* --keep-discarded=DIR: missing (its parent there) or an empty directory,
 * so what is kept there is only what the run discarded. */
static int keep_dir_ok(struct ll_ctx *l, const char *dir)
{
	struct stat st;
	if (l->fs->lstat(dir, &st) < 0) {
		_cleanup_free_ char *parent = path_join_normalize(dir, "..");
		if (!parent || errno != ENOENT || l->fs->stat(parent, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			return sbx_err(l->err, -ENOENT,
			               "--keep-discarded %s: neither it nor its parent directory "
			               "exists",
			               dir);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return sbx_err(l->err, -ENOTDIR, "--keep-discarded %s: not a directory", dir);
	int empty = l->fs->empty_dir(dir);
	if (empty < 0)
		return sbx_err_errno(l->err, -errno, "--keep-discarded %s", dir);
	return empty ? 0
	             : sbx_err(l->err, -EEXIST,
	                       "--keep-discarded %s: not empty (name a new or "
	                       "empty directory)",
	                       dir);
}

static int plan_process(struct ll_ctx *l)
{
	const struct sbx_spec *s = l->c->spec;
	struct sbx_plan *p = l->p;
	char v[64];
	if (s->no_exec &&
	    !((l->c->missing | l->c->preload) & SBX_CAPSET_OF(SBX_CAP_PROC_NO_EXEC))) {
		if (ll_opt(p, SHIM_OPT(NO_EXEC), NULL) < 0)
			return -ENOMEM;
		sbx_plan_set_mechanism(
		    p, SBX_CAP_PROC_NO_EXEC,
		    "seccomp user notification: the supervisor lets the first execve "
		    "through and refuses every later execve and execveat");
	}
	/* Each limit only when it is not a stated gap (best effort without a
	 * writable cgroup): the shim would otherwise fail to create one. */
	sbx_capset miss = l->c->missing;
	const char *ver = l->c->host->cgroup_version == 2 ? "cgroup v2" : "cgroup v1";
	if (s->cpus > 0 && !(miss & CAP(RES_CPU))) {
		snprintf(v, sizeof(v), "%g", s->cpus);
		if (ll_opt(p, SHIM_OPT(CPUS), v) < 0)
			return -ENOMEM;
		sbx_plan_set_mechanism(p, SBX_CAP_RES_CPU, "%s CPU quota of %g cores", ver,
		                       s->cpus);
	}
	if (s->memory > 0 && !(miss & CAP(RES_MEMORY))) {
		snprintf(v, sizeof(v), "%lld", (long long)s->memory);
		if (ll_opt(p, SHIM_OPT(MEMORY), v) < 0)
			return -ENOMEM;
		sbx_plan_set_mechanism(p, SBX_CAP_RES_MEMORY,
		                       "%s memory cap of %lld bytes, swap included", ver,
		                       (long long)s->memory);
	}
	if (s->pids > 0 && !(miss & CAP(RES_PIDS))) {
		snprintf(v, sizeof(v), "%lld", (long long)s->pids);
		if (ll_opt(p, SHIM_OPT(PIDS), v) < 0)
			return -ENOMEM;
		sbx_plan_set_mechanism(p, SBX_CAP_RES_PIDS, "%s pids.max %lld", ver,
		                       (long long)s->pids);
	}
	if (s->timeout > 0) {
		snprintf(v, sizeof(v), "%.3f", s->timeout);
		if (ll_opt(p, SHIM_OPT(TIMEOUT), v) < 0)
			return -ENOMEM;
	}
	if (s->report &&
	    ll_opt(p, s->report_json ? SHIM_OPT(REPORT_JSON) : SHIM_OPT(REPORT), NULL) < 0)
		return -ENOMEM;
	if (s->keep_discarded) {
		_cleanup_free_ char *k = path_join_normalize(l->c->dir, s->keep_discarded);
		if (!k)
			return -ENOMEM;
		int r = keep_dir_ok(l, k);
		if (r < 0)
			return r;
		if (ll_opt(p, SHIM_OPT(KEEP_DISCARDED), k) < 0)
			return -ENOMEM;
	}
	/* Always: after the mounts the command must resolve relative paths in
	 * the new view, never through a directory inherited from before it. */
	if (ll_opt(p, SHIM_OPT(CHDIR), l->c->dir) < 0)
		return -ENOMEM;
	return 0;
}

static void plan_caveats(struct ll_ctx *l)
{
	struct sbx_plan *p = l->p;
	if (l->abi && l->abi < 2)
		sbx_plan_caveat(p,
		                "Landlock ABI %d: files cannot be renamed or linked between "
		                "directories (EXDEV)",
		                l->abi);
	if (l->abi && l->abi < 3)
		sbx_plan_caveat(p,
		                "Landlock ABI %d: truncate() is not controlled, so existing files "
		                "outside the writable paths can be truncated",
		                l->abi);
	if (l->abi && l->abi < 5)
		sbx_plan_caveat(p, "Landlock ABI %d: ioctl on device files is not controlled",
		                l->abi);
	/* Abstract sockets and signals need Landlock ABI 6 scopes (probe). */
	if (l->ns && l->abi >= 6 && !(l->c->missing & SBX_CAPSET_OF(SBX_CAP_IPC_RESTRICT))) {
		sbx_plan_set_mechanism(
		    p, SBX_CAP_IPC_RESTRICT,
		    "IPC and pid namespaces, a private /dev/shm; pathname unix sockets: every "
		    "connect() is made by the sandbox's init on the caller's socket, to a path "
		    "pinned by descriptor, only to a socket the sandbox bound itself (init "
		    "binds each one and notes it) or an --allow-socket (seccomp user "
		    "notification); no datagram unix sockets; "
		    "netlink: the route family only; landlock ABI %d scopes for abstract "
		    "sockets and signals",
		    l->abi);
		if (!sbx_host_caveats_deferred() && !sbx_host_unix_diag())
			sbx_plan_caveat(
			    p, "ipc: sock_diag does not answer on this host, so the socket "
			       "gate notes each socket the sandbox binds as the file found "
			       "right after the bind: a host socket renamed into place in "
			       "that moment would be taken for the sandbox's own");
		sbx_plan_caveat(p,
		                "ipc: no host unix socket is reachable, in the writable paths and "
		                "the temp dir neither (a tmux, ssh-agent, X11 or editor socket); "
		                "use --allow-socket to reach one on purpose (the ssh agent: "
		                "--allow-socket=\"$SSH_AUTH_SOCK\"); datagram unix sockets "
		                "(syslog's /dev/log) cannot be created");
	}
	if (!l->ns)
		sbx_plan_caveat(p, "no pid namespace: if sbx-exec itself is killed with SIGKILL, "
		                   "background processes the command started can survive");
	sbx_plan_caveat(p, "seccomp: ptrace, process_vm_*, keyrings, bpf, perf_event_open, "
	                   "open_by_handle_at, syslog, "
	                   "userfaultfd, io_uring, mount calls and new user namespaces are "
	                   "refused inside the sandbox, and run by root, setting a setuid or "
	                   "setgid bit (chmod, a create mode) too, with openat2 (ENOSYS)");
}

/* The capabilities only libsbx-preload.so holds (best effort: Landlock or
 * seccomp user notification missing here) go to the shim as --preload
 * LIB --preload-policy TEXT. The text is in the argv, not a descriptor:
 * the plan is printed before it runs, and the shim seals the text into a
 * memfd in the command's process right before exec (shim/preload.c), so
 * the descriptor exists only when the plan runs and only the command
 * inherits it, whether sbx-exec runs the shim in-process or sbx-shim is
 * exec'd. */
static int plan_preload(struct ll_ctx *l)
{
	struct sbx_plan *p = l->p;
	if (!l->c->preload)
		return 0;
	_cleanup_strv_ strv readable = {0};
	if (strv_extend(&readable, strv_get(&p->runtime_paths)) < 0 ||
	    (!strv_contains(&readable, l->preload_lib) && strv_push(&readable, l->preload_lib) < 0))
		return -ENOMEM;
	_cleanup_free_ char *text = NULL;
	int r = sbx_preload_config_text(l->c, l->c->preload, strv_get(&readable), &text, l->err);
	if (r < 0)
		return r;
	if (ll_opt(p, SHIM_OPT(PRELOAD), l->preload_lib) < 0 ||
	    ll_opt(p, SHIM_OPT(PRELOAD_POLICY), text) < 0 ||
	    sbx_preload_plan_note(p, l->c->preload, NULL) < 0)
		return -ENOMEM;
	return 0;
}

/* The library's path, checked at compile time so a plan that needs it
 * fails with the reason (the shim checks again from inside). */
static int find_preload_lib(struct ll_ctx *l)
{
	if (!l->c->preload)
		return 0;
	l->preload_lib = sbx_preload_lib_path();
	if (!l->preload_lib)
		return -ENOMEM;
	if (l->preload_lib[0] != '/' || l->fs->access(l->preload_lib, R_OK) < 0) {
		char names[256];
		sbx_capset_format(l->c->preload, ", ", names, sizeof(names));
		return sbx_err(l->err, -ENOENT,
		               "%s: libsbx-preload.so, which would hold it here, is not at %s (set "
		               "SBX_PRELOAD_LIB)",
		               names, l->preload_lib);
	}
	return 0;
}

/* --reuse: one sandbox for the parent's commands, unless something of
 * the plan holds for one command only (sbx-shim checks the same:
 * shim/reuse.c). */
static int plan_reuse(struct ll_ctx *l, bool nested)
{
	const struct sbx_spec *s = l->c->spec;
	const char *why = nested || !l->ns ? "it needs user and pid namespaces"
	                  : s->timeout > 0 ? "a timeout is one command's"
	                  : s->cpus > 0 || s->memory > 0 || s->pids > 0
	                      ? "limits are one command's cgroup"
	                  : s->no_exec     ? "no-exec lets one command's first execve through"
	                  : l->preload_lib ? "the preload library is set up per command"
	                  : s->report || s->keep_discarded ? "a report is one command's"
	                  : s->net == SBX_NET_ALLOWLIST    ? "the allowlist proxy is one command's"
	                                                   : NULL;
	if (why)
		return sbx_plan_caveat(l->p,
		                       "reuse: not used, every command gets a sandbox of its "
		                       "own: %s",
		                       why) < 0
		           ? -ENOMEM
		           : 0;
	l->p->reuse = true;
	return 0;
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	struct ll_ctx l = {.c = c, .fs = sbx_host_fs(c->host), .p = p, .err = err};
	int rd = c->host->seccomp ? sbx_check_dir(c, err) : 0;
	if (rd < 0)
		return rd;
	/* A host without seccomp cannot run the plan, which is then compiled
	 * for a full host (to be printed); one without Landlock runs it
	 * without (abi 0). */
	l.abi = c->host->landlock_abi ? c->host->landlock_abi : c->host->seccomp ? 0 : SHIM_MAX_ABI;
	if (l.abi > SHIM_MAX_ABI)
		l.abi = SHIM_MAX_ABI;
	l.ns = c->host->userns || (!c->host->landlock_abi && !c->host->seccomp);
	_cleanup_free_ char *shim = sbx_shim_path();
	char abibuf[16];
	snprintf(abibuf, sizeof(abibuf), "%d", l.abi);
	int r = find_preload_lib(&l);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	if (!shim || strv_push(&p->argv, shim) < 0 ||
	    (l.abi && ll_opt(p, SHIM_OPT(LL_ABI), abibuf) < 0))
		goto out;
	bool nested = c->host->outer && !c->host->userns;
	if (nested) {
		/* the ABI goes with the layer, if any (landlock_nested.c) */
		strv_clear(&p->argv);
		if (strv_push(&p->argv, shim) < 0)
			goto out;
		if ((r = ll_plan_nested(&l)) < 0)
			goto out;
		r = -ENOMEM;
		goto command;
	}
	if (l.ns && (ll_opt(p, SHIM_OPT(UNSHARE_USER), NULL) < 0 ||
	             ll_opt(p, SHIM_OPT(UNSHARE_PID), NULL) < 0 ||
	             ll_opt(p, SHIM_OPT(UNSHARE_IPC), NULL) < 0))
		goto out;
	if ((r = plan_process(&l)) < 0 || (r = plan_net(&l)) < 0 || (r = ll_plan_fs(&l)) < 0)
		goto out;
	if ((r = plan_preload(&l)) < 0)
		goto out;
	r = -ENOMEM;
command:
	if (strv_push(&p->argv, "--") < 0 || strv_extend(&p->argv, c->spec->args.v) < 0)
		goto out;
	if (c->requested & SBX_CAPSET_OF(SBX_CAP_ENV_SCRUB))
		sbx_plan_set_mechanism(p, SBX_CAP_ENV_SCRUB,
		                       "sbx: matching variables removed before exec");
	if (!nested)
		plan_caveats(&l);
	if (c->spec->reuse && plan_reuse(&l, nested) < 0)
		goto out;
	p->exec_direct = true;
	r = 0;
out:
	strv_clear(&l.cow);
	strv_clear(&l.hidden);
	free(l.preload_lib);
	if (r == -ENOMEM)
		return sbx_err(err, r, "out of memory");
	return r;
}

const struct sbx_backend_impl sbx_backend_landlock = {
    .id = SBX_BACKEND_LANDLOCK,
    .probe = probe,
    .compile = compile,
};
