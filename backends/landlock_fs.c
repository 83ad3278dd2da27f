/* landlock_fs.c: the landlock backend's filesystem and IPC plan: Landlock
 * read and write rules, copy-on-write views, writable binds, read-deny
 * masks, hidden host sockets.
 *
 * Read-deny, with namespaces: inside a copy-on-write view a whiteout in the
 * upper layer makes the path not exist, and elsewhere an empty read-only
 * directory or file is mounted over it, in the private mount namespace. By
 * every route inside the namespace ("..", symlinks and hardlinks made
 * inside, /proc/self/root) the path resolves to nothing or to the mask; the
 * hidden file itself is only reachable through the host's mount tree, i.e.
 * /proc/<pid>/root of an outside process, which the pid namespace does not
 * show and Landlock refuses anyway (following that link needs ptrace access,
 * and a sandboxed process has none to processes outside its domain). A
 * missing denied path is whited out (or gets a placeholder) inside a view,
 * never on the host, so it stays hidden if it appears on the host later.
 * Without namespaces (no user namespaces here), Landlock alone: no rule may
 * cover a denied path, so every rule above one is split into rules for the
 * siblings on the way down (the shim's --ll-deny); that also covers
 * /proc/<pid>/root and paths that appear later. */
#include "landlock_internal.h"

#include <stdio.h>
#include <sys/stat.h>

static bool exists(const struct ll_ctx *l, const char *p)
{
	struct stat st;
	return l->fs->lstat(p, &st) == 0;
}

/* The nearest existing ancestor of p (p itself when it exists); malloc'd. */
static char *existing_ancestor(const struct ll_ctx *l, const char *p)
{
	char *a = strdup(p);
	while (a && !exists(l, a)) {
		char *slash = strrchr(a, '/');
		if (!slash)
			break;
		if (slash == a) {
			a[1] = '\0';
			break;
		}
		*slash = '\0';
	}
	return a;
}

static bool beneath_any(const char *p, const strv *dirs)
{
	for (size_t i = 0; i < dirs->n; i++)
		if (path_is_beneath(p, dirs->v[i]))
			return true;
	return false;
}

static bool top_level(const char *p)
{
	return p[0] == '/' && p[1] && !strchr(p + 1, '/');
}

static int plan_deny_views(struct ll_ctx *l, const strv *hostw);
static int plan_private_temp(struct ll_ctx *l, const strv *hostw);

/* Copy-on-write views and writable binds. Every mount inherited from the
 * host is made read-only (--ro-root): Landlock does not govern chmod,
 * chown, utime or xattrs, so outside the writable paths only a read-only
 * mount keeps those from the host; each path written through to the host
 * is bound again read-write, once, after the views. */
static int plan_cow(struct ll_ctx *l, const strv *hostw)
{
	struct sbx_plan *p = l->p;
	sbx_write w = l->c->spec->write;
	if (ll_opt(p, SHIM_OPT(RO_ROOT), NULL) < 0 || ll_opt(p, SHIM_OPT(DEVPTS), NULL) < 0)
		return -ENOMEM;
	if (w == SBX_WRITE_EPHEMERAL || w == SBX_WRITE_OVERLAY) {
		if (ll_opt(p, SHIM_OPT(COW_ROOT), NULL) < 0)
			return -ENOMEM;
		strv_push(&l->cow, "/");
		/* A top-level writable path stays the host's instead of being
		 * overlaid and bound back over. */
		const char *keep = NULL;
		for (size_t i = 0; i < hostw->n && !keep; i++)
			if (top_level(hostw->v[i]))
				keep = hostw->v[i];
		if (keep && ll_opt(p, SHIM_OPT(COW_KEEP), keep) < 0)
			return -ENOMEM;
	} else {
		int r = plan_deny_views(l, hostw);
		if (r < 0 || (r = plan_private_temp(l, hostw)) < 0)
			return r;
	}
	for (size_t i = 0; i < hostw->n; i++)
		if (ll_opt(p, SHIM_OPT(BIND), hostw->v[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* write=none, or scope without allow-temp: the temp dir becomes private,
 * so compilers and test runners have one (writes succeed and vanish with
 * the sandbox; host sockets there stay unreachable), while nothing reaches
 * the host's: a copy-on-write view of it, or under a read scope an empty
 * tmpfs (the host's temp files lie outside the scope). */
static int plan_private_temp(struct ll_ctx *l, const strv *hostw)
{
	const struct sbx_cctx *c = l->c;
	const char *t = c->tmpdir;
	if (c->spec->allow_temp || beneath_any(t, hostw) || streq(t, "/") || !exists(l, t))
		return 0;
	/* A project in the temp dir keeps it the host's: writes beside the
	 * writable paths must fail there, not vanish. */
	bool inside = path_is_beneath(c->dir, t);
	for (size_t i = 0; i < c->readable.n; i++)
		inside |= path_is_beneath(c->readable.v[i], t);
	for (size_t i = 0; i < hostw->n; i++)
		inside |= path_is_beneath(hostw->v[i], t);
	if (inside) {
		sbx_plan_caveat(l->p,
		                "the working directory or a granted path is in the temp dir %s, "
		                "which therefore stays the host's (read-only): no private temp dir",
		                t);
		return 0;
	}
	if (c->readable.n) {
		if (ll_opt(l->p, SHIM_OPT(TMPFS), t) < 0 ||
		    (l->abi && ll_opt(l->p, SHIM_OPT(LL_WRITE), t) < 0))
			return -ENOMEM;
		sbx_plan_caveat(
		    l->p,
		    "the temp dir %s is a private empty tmpfs: writes there succeed and "
		    "vanish when the sandbox ends (--allow-temp writes the host's)",
		    t);
		return 0;
	}
	if (strv_push(&l->cow, t) < 0 || ll_opt(l->p, SHIM_OPT(COW_WRITE), t) < 0)
		return -ENOMEM;
	sbx_plan_caveat(l->p,
	                "the temp dir %s is a private copy-on-write view: writes there succeed "
	                "and vanish when the sandbox ends (--allow-temp writes the host's)",
	                t);
	return 0;
}

/* Where the denied paths' views go, with write none or scope. */
struct view {
	char *dir;
	unsigned paths;
	bool missing;
};

/* none/scope: read-deny is best held by whiteouts in a copy-on-write view
 * (no mount per path, and a missing path stays hidden if it appears): one
 * view over the top-most existing parent the denied paths share, usually
 * $HOME. Never a mask alone where a view can be had: a mount over a file
 * or directory vanishes (in every namespace) when a host process replaces
 * or removes it during the run, as editors and git do, while a whiteout
 * hides the name whatever the host puts there. Views never lie
 * over or inside a writable path; writable paths inside one are bound back
 * over it. The views take no writes: Landlock grants none there. */
static int plan_deny_views(struct ll_ctx *l, const strv *hostw)
{
	struct view v[256];
	size_t nv = 0;
	int r = 0;
	for (size_t i = 0; i < l->c->read_deny.n; i++) {
		const char *d = l->c->read_deny.v[i];
		if (beneath_any(d, hostw))
			continue;
		bool missing = !exists(l, d);
		_cleanup_free_ char *parent = strdup(d);
		char *slash = parent ? strrchr(parent, '/') : NULL;
		if (!slash)
			return -ENOMEM;
		slash[slash == parent] = '\0';
		char *a = existing_ancestor(l, parent);
		if (!a)
			return -ENOMEM;
		bool over_writable = false;
		for (size_t k = 0; k < hostw->n; k++)
			over_writable |= path_is_beneath(a, hostw->v[k]);
		if (streq(a, "/") || over_writable || nv == ARRAY_SIZE(v)) {
			free(a);
			continue;
		}
		size_t k;
		for (k = 0; k < nv && !path_is_beneath(a, v[k].dir); k++)
			;
		if (k < nv) {
			free(a);
		} else {
			/* a new top-most view absorbs the ones beneath it */
			struct view nw = {.dir = a};
			size_t keep = 0;
			for (size_t j = 0; j < nv; j++) {
				if (path_is_beneath(v[j].dir, a)) {
					nw.paths += v[j].paths;
					nw.missing |= v[j].missing;
					free(v[j].dir);
				} else {
					v[keep++] = v[j];
				}
			}
			nv = keep;
			k = nv;
			v[nv++] = nw;
		}
		v[k].paths++;
		v[k].missing |= missing;
	}
	for (size_t k = 0; k < nv && r == 0; k++)
		if (strv_push(&l->cow, v[k].dir) < 0 || ll_opt(l->p, SHIM_OPT(COW), v[k].dir) < 0)
			r = -ENOMEM;
	for (size_t k = 0; k < nv; k++)
		free(v[k].dir);
	return r;
}

static bool is_allowed_socket(const struct ll_ctx *l, const char *p)
{
	return strv_contains(&l->c->allow_socket, p);
}

/* Hides one host IPC location: a directory becomes an empty private tmpfs
 * (writable: runtime dirs such as /run/user/UID keep working, and an
 * allowed socket inside can be bound back), a socket file an empty
 * read-only file. An allowed socket itself is simply left alone. */
static int hide(struct ll_ctx *l, const char *path)
{
	char real[4096];
	struct stat st;
	if (!l->fs->realpath(path, real) || strv_contains(&l->hidden, real) ||
	    is_allowed_socket(l, real) || l->fs->lstat(real, &st) < 0)
		return 0;
	if (strv_push(&l->hidden, real) < 0)
		return -ENOMEM;
	return ll_opt(l->p, S_ISDIR(st.st_mode) ? SHIM_OPT(TMPFS) : SHIM_OPT(HIDE), real);
}

/* --allow-socket: each must be a unix socket; the gate lets it connect,
 * and one in a hidden directory or a copy-on-write view (which shows
 * another inode, never the host's listener) is bound back. */
static int plan_allowed_sockets(struct ll_ctx *l, bool gate)
{
	for (size_t i = 0; i < l->c->allow_socket.n; i++) {
		const char *s = l->c->allow_socket.v[i];
		struct stat st;
		if (l->fs->stat(s, &st) < 0 || !S_ISSOCK(st.st_mode))
			return sbx_err(l->err, -EINVAL, "allow-socket %s: not a unix socket", s);
		if ((beneath_any(s, &l->hidden) || beneath_any(s, &l->cow)) &&
		    ll_opt(l->p, SHIM_OPT(SOCKET), s) < 0)
			return -ENOMEM;
		if (gate && ll_opt(l->p, SHIM_OPT(UNIX_ALLOW), s) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Known host IPC endpoints a mount namespace can hide. */
static int plan_ipc_hides(struct ll_ctx *l)
{
	static const char *const known[] = {
	    "/run/dbus",
	    "/var/run/dbus",
	    "/run/docker.sock",
	    "/var/run/docker.sock",
	    "/run/containerd",
	    "/run/podman",
	    "/run/snapd.socket",
	    "/run/snapd-snap.socket",
	    "/run/systemd/private",
	    "/run/systemd/userdb",
	    "/tmp/.X11-unix",
	    "/tmp/.ICE-unix",
	};
	char runtime[64];
	snprintf(runtime, sizeof(runtime), "/run/user/%u", l->c->host->uid);
	if (hide(l, runtime) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (hide(l, known[i]) < 0)
			return -ENOMEM;
	/* The ssh agent's socket, even when the scrub removed the variable. */
	const char *agent = l->c->host->ssh_auth_sock;
	for (char *const *e = strv_get(&l->c->spec->env); l->c->spec->env_set && *e; e++)
		if (startswith(*e, "SSH_AUTH_SOCK="))
			agent = *e + strlen("SSH_AUTH_SOCK=");
	if (agent && *agent && hide(l, agent) < 0)
		return -ENOMEM;
	bool gate = l->c->host->seccomp_notify;
	if (gate && ll_opt(l->p, SHIM_OPT(UNIX_GATE), NULL) < 0)
		return -ENOMEM;
	return plan_allowed_sockets(l, gate);
}

/* Without namespaces nothing can be hidden by a mount: host unix sockets
 * are kept out by the socket gate alone, answered by the supervisor (which
 * connects under an abstract-socket Landlock scope, so abstract sockets
 * stay as the command's own domain allows). */
static int plan_socket_gate_alone(struct ll_ctx *l)
{
	if (!l->c->host->seccomp_notify) {
		sbx_plan_caveat(l->p, "without user namespaces or seccomp user notification, "
		                      "host unix sockets (a container engine's, agents', buses) "
		                      "stay reachable by path");
		return 0;
	}
	if (ll_opt(l->p, SHIM_OPT(UNIX_GATE), NULL) < 0)
		return -ENOMEM;
	int r = plan_allowed_sockets(l, true);
	if (r < 0)
		return r;
	sbx_plan_caveat(l->p,
	                "without user namespaces: every connect() on a unix socket is made by "
	                "the supervisor, to a path pinned by descriptor, only inside the "
	                "writable paths (and with allow-temp the temp dir) or an "
	                "--allow-socket, so other host sockets are refused, but a host socket "
	                "in those places (a tmux or ssh-agent socket in the temp dir) stays "
	                "reachable; datagram unix sockets cannot be created");
	return 0;
}

/* Read-deny with masks; returns the paths that cannot be masked. */
static int plan_masks(struct ll_ctx *l, const strv *hostw)
{
	for (size_t i = 0; i < l->c->read_deny.n; i++) {
		const char *d = l->c->read_deny.v[i];
		if (exists(l, d)) {
			if (ll_opt(l->p, SHIM_OPT(MASK), d) < 0)
				return -ENOMEM;
			/* A view's whiteout holds it; a mount alone does not. */
			if (!beneath_any(d, &l->cow) || beneath_any(d, hostw))
				sbx_plan_caveat(
				    l->p,
				    "read-deny %s lies in a path written through to the "
				    "host, so it is hidden by a mount over it: a host "
				    "process that replaces or removes it during the run "
				    "(a save by rename, git checkout) takes the mount away "
				    "and the new file is readable",
				    d);
			continue;
		}
		if (beneath_any(d, &l->cow) && !beneath_any(d, hostw)) {
			if (ll_opt(l->p, SHIM_OPT(MASK), d) < 0)
				return -ENOMEM;
			continue;
		}
		if (ll_opt(l->p, SHIM_OPT(HIDE), d) < 0)
			return -ENOMEM;
		sbx_plan_caveat(l->p,
		                "read-deny %s does not exist and lies in a path written through "
		                "to the host; if it is created during the run it is readable",
		                d);
	}
	return 0;
}

static int read_rules(struct ll_ctx *l)
{
	const struct sbx_cctx *c = l->c;
	struct sbx_plan *p = l->p;
	int r;
	if (!c->readable.n) {
		if (!l->abi)
			return sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_HOST,
			                              "no Landlock here: the host's files, as the "
			                              "user's permissions allow");
		if (ll_opt(p, SHIM_OPT(LL_READ), "/") < 0)
			return -ENOMEM;
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_HOST,
		                       "landlock ABI %d: read and execute beneath /", l->abi);
		return 0;
	}
	for (size_t i = 0; i < c->readable.n; i++) {
		if (!exists(l, c->readable.v[i]))
			return sbx_err_errno(l->err, -ENOENT, "readable path %s", c->readable.v[i]);
		if (l->abi && ll_opt(p, SHIM_OPT(LL_READ), c->readable.v[i]) < 0)
			return -ENOMEM;
	}
	/* Also what libsbx-preload.so's read scope allows, without Landlock. */
	if ((r = ll_runtime_paths(l)) < 0)
		return r;
	for (size_t i = 0; l->abi && i < p->runtime_paths.n; i++)
		if (ll_opt(p, SHIM_OPT(LL_READ_TRY), p->runtime_paths.v[i]) < 0)
			return -ENOMEM;
	if (l->ns) {
		/* the sandbox's own /proc shows only the sandbox */
		if ((l->abi && ll_opt(p, SHIM_OPT(LL_READ), "/proc") < 0) ||
		    strv_push(&p->runtime_paths, "/proc") < 0)
			return -ENOMEM;
	} else if ((l->abi && ll_opt(p, SHIM_OPT(LL_PROC_SELF), NULL) < 0) ||
	           strv_push(&p->runtime_paths, "/proc/self") < 0) {
		return -ENOMEM;
	}
	if (!l->abi)
		return 0;
	sbx_write w = c->spec->write;
	bool views = l->ns && (w == SBX_WRITE_EPHEMERAL || w == SBX_WRITE_OVERLAY);
	if (views && ll_opt(p, SHIM_OPT(LL_VIEWS_WRITE_ONLY), NULL) < 0)
		return -ENOMEM;
	sbx_plan_set_mechanism(
	    p, SBX_CAP_FS_READ_SCOPE,
	    "landlock ABI %d: read and execute only beneath the readable, writable and "
	    "runtime paths%s",
	    l->abi,
	    views ? ", in every write mode (copy-on-write views take writes but "
	            "are not readable)"
	          : "");
	return 0;
}

static int write_rules(struct ll_ctx *l, const strv *hostw)
{
	struct sbx_plan *p = l->p;
	for (size_t i = 0; i < l->c->writable.n; i++)
		if (!exists(l, l->c->writable.v[i]))
			return sbx_err(l->err, -ENOENT,
			               "writable path %s does not exist (create it first)",
			               l->c->writable.v[i]);
	if (!l->abi) {
		/* Without Landlock: with namespaces the read-only host mounts
		 * hold the write policy (plan_cow); without them only the
		 * library, if the plan uses it. */
		if (l->c->spec->write == SBX_WRITE_EPHEMERAL ||
		    l->c->spec->write == SBX_WRITE_OVERLAY)
			p->fsv = SBX_FSV_OVERLAY;
		if (!l->ns || (l->c->preload & (CAP(FS_WRITE_SCOPE) | CAP(FS_WRITE_DENY))))
			return 0;
		static const char ro[] = "every host mount read-only in a private mount namespace";
		switch (l->c->spec->write) {
		case SBX_WRITE_NONE:
			sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_DENY, "%s (no Landlock here)",
			                       ro);
			break;
		case SBX_WRITE_SCOPE:
			sbx_plan_set_mechanism(
			    p, SBX_CAP_FS_WRITE_SCOPE,
			    "%s, the writable paths bound read-write (no Landlock "
			    "here)",
			    ro);
			break;
		case SBX_WRITE_OVERLAY:
			sbx_plan_set_mechanism(
			    p, SBX_CAP_FS_WRITE_SCOPE,
			    "%s, the writable paths bound read-write (no Landlock "
			    "here)",
			    ro);
			/* fallthrough */
		case SBX_WRITE_EPHEMERAL:
			sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_EPHEMERAL,
			                       "overlayfs in a user namespace over %s", ro);
			break;
		}
		return 0;
	}
	for (size_t i = 0; i < hostw->n; i++)
		if (ll_opt(p, SHIM_OPT(LL_WRITE), hostw->v[i]) < 0)
			return -ENOMEM;
	static const char *const devs[] = {"/dev/null", "/dev/zero", "/dev/full"};
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		if (ll_opt(p, SHIM_OPT(LL_DEV), devs[i]) < 0)
			return -ENOMEM;
	if (ll_opt(p, SHIM_OPT(LL_TTY), NULL) < 0)
		return -ENOMEM;
	switch (l->c->spec->write) {
	case SBX_WRITE_NONE:
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_WRITE_DENY,
		    "landlock ABI %d: no write rights except /dev/null, /dev/zero, "
		    "/dev/full and the terminal",
		    l->abi);
		break;
	case SBX_WRITE_SCOPE:
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_WRITE_SCOPE,
		    "landlock ABI %d: write rights only beneath the writable paths%s", l->abi,
		    l->c->spec->allow_temp ? " and the temp dir" : "");
		break;
	case SBX_WRITE_OVERLAY:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
		                       "writable paths bound from the host; landlock ABI %d: write "
		                       "rights only there and in the copy-on-write views",
		                       l->abi);
		/* fallthrough */
	case SBX_WRITE_EPHEMERAL:
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_WRITE_EPHEMERAL,
		    "overlayfs in a user namespace: every top-level directory gets a "
		    "private upper layer on tmpfs, gone when the sandbox ends");
		sbx_plan_caveat(p, "copy-on-write: /proc, /sys, /dev and /run stay the host's and "
		                   "read-only, as do files directly in directories that hold other "
		                   "mounts; directories below such mounts get their own layer");
		sbx_plan_caveat(p, "copy-on-write: the view of a directory that is empty when the "
		                   "sandbox starts (an empty /srv) is a private empty directory: "
		                   "what the host puts there during the run is not seen");
		sbx_plan_caveat(p,
		                "copy-on-write, run by a user other than root: the root of each "
		                "view, and directories of other owners on the way to the working "
		                "directory, the writable paths and the masked ones, look like the "
		                "user's own inside the view (its user namespace maps no other id), "
		                "so entries can be made there that the host would refuse; none "
		                "reach the host");
		p->fsv = SBX_FSV_OVERLAY;
		break;
	}
	return 0;
}

/* --write-deny: each protected path that exists is bound onto itself
 * read-only (everything beneath included), after every other mount; the
 * directories between a path written through to the host and it are bound
 * onto themselves too (writable), so no rename of one can move the
 * protected path away and put a new one in its place. A missing path whose
 * directory exists is held by the create gate (shim --deny-create: init
 * makes every name the command creates, and refuses that one), its
 * directories pinned alike; any other missing path is refused, or for the
 * profile's names watched (plan_watch). */
static int plan_protect(struct ll_ctx *l, strv *gated)
{
	const struct sbx_cctx *c = l->c;
	bool gate = c->host->seccomp_notify;
	if (!c->write_deny.n && !c->write_deny_existing.n && !(gate && c->write_deny_missing.n))
		return 0;
	_cleanup_strv_ strv pins = {0};
	_cleanup_strv_ strv prot = {0};
	int r = sbx_protect_paths(c, l->p, &prot, &pins, gate ? gated : NULL, l->err);
	if (r < 0 || (!prot.n && !gated->n))
		return r;
	for (size_t i = 0; i < pins.n; i++)
		if (ll_opt(l->p, SHIM_OPT(PIN), pins.v[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < prot.n; i++)
		if (ll_opt(l->p, SHIM_OPT(PROTECT), prot.v[i]) < 0)
			return -ENOMEM;
	/* Each one that exists is in the gate's table too: the mount answers
	 * while it stands, the gate once a host process replaces the path
	 * (which takes the mount away in every namespace). */
	size_t held = 0;
	for (size_t i = 0; gate && i < prot.n; i++) {
		const char *slash = strrchr(prot.v[i], '/');
		if (!slash || slash == prot.v[i] || !slash[1])
			continue;
		if (ll_opt(l->p, SHIM_OPT(DENY_CREATE), prot.v[i]) < 0)
			return -ENOMEM;
		held++;
	}
	/* (watched too: one made by the race the caveat names, or by the
	 * host, is said at exit) */
	for (size_t i = 0; i < gated->n; i++)
		if (ll_opt(l->p, SHIM_OPT(DENY_CREATE), gated->v[i]) < 0 ||
		    ll_opt(l->p, SHIM_OPT(WATCH_CREATED), gated->v[i]) < 0)
			return -ENOMEM;
	char missing[64] = "";
	if (gated->n)
		snprintf(missing, sizeof(missing), "%lu protected names do not exist yet; ",
		         (unsigned long)gated->n);
	if (gated->n || held)
		sbx_plan_caveat(
		    l->p,
		    "write-deny: %sthe sandbox's "
		    "init makes every file, directory, link and rename the command "
		    "asks for, and every open for writing, truncate, removal and "
		    "mode or owner change, "
		    "and refuses those names (EPERM); one the host makes or "
		    "replaces during the run cannot be written, truncated, removed, renamed, "
		    "linked, chmod-ed or chown-ed, nor anything inside it made or changed "
		    "(its times can be, and a file the command held open before "
		    "the host renamed it there stays writable through that "
		    "descriptor). A process that "
		    "adds a seccomp filter of its own (a nested sandbox) has its "
		    "calls checked and then made by the kernel under its own "
		    "Landlock domain, so a thread rewriting the path in between "
		    "could still make or change one",
		    missing);
	sbx_plan_set_mechanism(l->p, SBX_CAP_FS_WRITE_PROTECT,
	                       "a private mount namespace: each path bound onto itself "
	                       "read-only, everything beneath included; the directories "
	                       "between a writable path and it are mount points, so none "
	                       "can be renamed or removed%s%s",
	                       gated->n ? "; a missing one cannot be made, nor changed once "
	                                  "the host makes it: init makes and changes every "
	                                  "name the command asks for (seccomp user "
	                                  "notification) and refuses it"
	                                : "",
	                       held ? "; one a host process replaces during the run (a save "
	                              "by rename) is held by init alike"
	                            : "");
	sbx_plan_caveat(l->p,
	                "write-deny: a hard link to a protected file made before the run "
	                "elsewhere in a writable path stays writable;%s links and "
	                "renames across the protected directories "
	                "fail with EXDEV (mv copies instead)",
	                held || !prot.n ? ""
	                                : " if a host process replaces a protected path that "
	                                  "existed at the start during the run (a save by "
	                                  "rename), the new one is not protected (no seccomp "
	                                  "user notification here);");
	return 0;
}

/* --redact: the shim reads each file (as the sandbox's user, before the
 * command starts), removes its credential entries (lib/redact.c sbx_redact)
 * and binds the result read-only over it. */
static int plan_redact(struct ll_ctx *l)
{
	const strv *rd = &l->c->redact;
	for (size_t i = 0; i < rd->n; i++) {
		struct stat st;
		if (l->fs->stat(rd->v[i], &st) < 0)
			return sbx_err_errno(l->err, -errno, "redact %s", rd->v[i]);
		if (!S_ISREG(st.st_mode))
			return sbx_err(l->err, -EINVAL, "redact %s: not a regular file", rd->v[i]);
		if (st.st_size > SBX_REDACT_MAX)
			return sbx_err(l->err, -EFBIG, "redact %s: larger than 1 MiB", rd->v[i]);
		if (ll_opt(l->p, SHIM_OPT(REDACT), rd->v[i]) < 0)
			return -ENOMEM;
	}
	if (!rd->n)
		return 0;
	sbx_plan_set_mechanism(l->p, SBX_CAP_FS_READ_REDACT,
	                       "a private mount namespace: a copy without the credential "
	                       "entries (keys with pass, secret, token, auth, key, credential, "
	                       "cookie, session or private; URLs with a password), bound "
	                       "read-only over each file");
	sbx_plan_caveat(l->p, "redact: entries are recognised by their key names; a secret "
	                      "under another name stays visible, and a host process that "
	                      "replaces the file during the run takes the copy away");
	return 0;
}

/* The profile's protected names missing in a writable path that the create
 * gate does not hold (no namespaces, or their directory is missing too: a
 * new repository's .git/hooks): no mount can hold a name before it exists,
 * so the supervisor looks at exit and says which were made. */
static int plan_watch(struct ll_ctx *l, const strv *gated)
{
	const strv *m = &l->c->write_deny_missing;
	unsigned long n = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (strv_contains(gated, m->v[i]))
			continue;
		if (ll_opt(l->p, SHIM_OPT(WATCH_CREATED), m->v[i]) < 0)
			return -ENOMEM;
		n++;
	}
	if (n)
		sbx_plan_caveat(l->p,
		                "write-deny-existing: %lu of the profile's protected names do not "
		                "exist in the writable paths and nothing here can keep them from "
		                "being made (%s); sbx-exec warns at exit about each one that "
		                "appeared during the run",
		                n,
		                l->ns ? "their directory is missing too: a new repository's "
		                        ".git/hooks"
		                      : "without namespaces: a new .envrc, .vscode, .mcp.json");
	return 0;
}

/* With namespaces the sandbox's /dev/shm is its own: the staging tmpfs of
 * the views sits there while the mounts are made, then the IPC namespace's
 * tmpfs. A host path there that must be reached inside (a writable path,
 * the working or temp directory the profile writes through, a working or
 * temp directory below it) cannot be, nor can a writable /dev be bound:
 * the bind would cover the staging tmpfs, and what the shim stages next
 * would land in the host's /dev/shm (the next run then fails with "File
 * exists"), or the shim's step fails with "No such file or directory".
 * Refused here, saying what to do. /dev/shm itself as a working or temp
 * directory that is not written through (tight) is the sandbox's own,
 * empty, and works; a readable path there under read=host is a rule, not
 * a mount, and is left alone. */
static int refuse_in_shm(struct ll_ctx *l, const char *path)
{
	const struct sbx_cctx *c = l->c;
	bool cwd = c->dir && streq(path, c->dir), tmp = !cwd && c->tmpdir && streq(path, c->tmpdir);
	return sbx_err(l->err, -ENOTSUP,
	               "%s %s%s is in the host's /dev/shm, which the sandbox replaces with its "
	               "own (its IPC namespace's), so it cannot be reached inside: %s",
	               cwd   ? "the working directory"
	               : tmp ? "the temp dir"
	                     : "writable path",
	               path, tmp ? " (TMPDIR)" : "",
	               cwd   ? "run from a directory elsewhere, or give one with --dir"
	               : tmp ? "set TMPDIR to a directory elsewhere (/tmp, or under "
	                       "$XDG_RUNTIME_DIR)"
	                     : "use a directory elsewhere");
}

static int refuse_host_shm(struct ll_ctx *l, const strv *hostw)
{
	const struct sbx_cctx *c = l->c;
	for (size_t i = 0; i < hostw->n; i++) {
		const char *w = hostw->v[i];
		if (!streq(w, "/") && path_is_beneath("/dev/shm", w) && !streq(w, "/dev/shm"))
			return sbx_err(
			    l->err, -ENOTSUP,
			    "writable path %s holds /dev/shm, which the sandbox replaces "
			    "with its own (its IPC namespace's): grant the directories in "
			    "it that are needed instead",
			    w);
		if (path_is_beneath(w, "/dev/shm"))
			return refuse_in_shm(l, w);
	}
	/* not written through, but below /dev/shm: gone inside all the same */
	const char *const below[] = {c->dir, c->tmpdir};
	for (size_t i = 0; i < ARRAY_SIZE(below); i++)
		if (below[i] && !streq(below[i], "/dev/shm") &&
		    path_is_beneath(below[i], "/dev/shm"))
			return refuse_in_shm(l, below[i]);
	return 0;
}

int ll_plan_fs(struct ll_ctx *l)
{
	_cleanup_strv_ strv gated = {0};
	_cleanup_strv_ strv hostw = {0};
	int r = sbx_host_writable(l->c, &hostw);
	if (r < 0)
		return r;
	if ((r = read_rules(l)) < 0 || (r = write_rules(l, &hostw)) < 0)
		return r;
	if (!l->ns && !l->abi)
		return plan_watch(l, &gated); /* read-deny: libsbx-preload.so's, or none */
	if (!l->ns) {
		if ((r = plan_watch(l, &gated)) < 0 || (r = plan_socket_gate_alone(l)) < 0)
			return r;
		sbx_plan_caveat(l->p, "without user namespaces the host's mounts stay writable: "
		                      "Landlock does not govern chmod, chown, utime or extended "
		                      "attributes, so those of files the user owns (root: every "
		                      "file) can still be changed outside the writable paths");
		for (size_t i = 0; i < l->c->read_deny.n; i++)
			if (ll_opt(l->p, SHIM_OPT(LL_DENY), l->c->read_deny.v[i]) < 0)
				return -ENOMEM;
		if (l->c->read_deny.n) {
			sbx_plan_set_mechanism(
			    l->p, SBX_CAP_FS_READ_DENY,
			    "landlock ABI %d alone (no user namespaces): no rule covers a "
			    "denied path",
			    l->abi);
			sbx_plan_caveat(l->p,
			                "read-deny without namespaces: directories that contain a "
			                "denied path cannot be listed, and nothing can be created "
			                "directly in them");
		}
		return 0;
	}
	if ((r = refuse_host_shm(l, &hostw)) < 0)
		return r;
	if ((r = plan_cow(l, &hostw)) < 0 || (r = plan_ipc_hides(l)) < 0 ||
	    (r = plan_masks(l, &hostw)) < 0 || (r = plan_redact(l)) < 0 ||
	    (r = plan_protect(l, &gated)) < 0 || (r = plan_watch(l, &gated)) < 0)
		return r;
	if (l->c->read_deny.n) {
		sbx_plan_set_mechanism(
		    l->p, SBX_CAP_FS_READ_DENY,
		    "a private mount namespace: whiteouts in copy-on-write views, or "
		    "empty read-only masks; a pid namespace with its own /proc%s",
		    l->abi ? "; Landlock refuses /proc/PID/root of outside processes" : "");
		sbx_plan_caveat(l->p, "read-deny is by path: a hard link to a denied file, or a "
		                      "bind mount of it, elsewhere on the host stays readable");
	}
	return 0;
}
