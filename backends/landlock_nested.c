/* landlock_nested.c: the landlock backend inside another sbx sandbox.
 *
 * Inside a sandbox no user namespace, mount or cgroup can be made, and no
 * second seccomp listener. What can be added is what stacks: a further
 * Landlock layer and further seccomp filters. So a nested run compares its
 * own policy with what the outer sandbox enforces (its init's description,
 * which cannot be forged: shim/outer.c) and adds only what is missing:
 *
 * - a policy the outer one already holds (the same, or weaker) runs the
 *   command directly: one exec, no supervisor (`sbx-shim --direct`);
 * - a stricter network mode adds the seccomp and Landlock network rules;
 * - stricter reads (a read scope, denials the outer does not hide) add a
 *   Landlock layer (denials by rules that never cover them);
 * - stricter writes add a Landlock layer granting the run's own writable
 *   paths and the outer's copy-on-write views (where writes are discarded),
 *   split around the outer's writable paths that this run does not grant:
 *   writes there fail instead of being discarded, and the plan says so;
 * - what cannot stack is refused with 125, naming the outer sandbox: a
 *   --no-exec the outer does not hold (seccomp user notification cannot be
 *   nested), limits lower than the outer's (no cgroup can be made inside).
 *
 * Every layer of the outer sandbox (and of those between) stays on the
 * process whatever the nested run does, so a nested plan is never weaker
 * than the outer one, and never weaker than its own text says. */
#include "landlock_internal.h"

#include <stdio.h>
#include <sys/statvfs.h>

static bool beneath_any(const char *p, const strv *dirs)
{
	for (size_t i = 0; i < dirs->n; i++)
		if (path_is_beneath(p, dirs->v[i]))
			return true;
	return false;
}

/* net modes from the strictest */
static int net_rank(sbx_net n)
{
	return n == SBX_NET_DISABLE ? 0 : n == SBX_NET_OUTBOUND ? 1 : 2;
}

static const char *const outer_why = "the outer sbx sandbox";

/* Limits: held when the outer's is at least as low; else they cannot be
 * added inside it. */
static int check_limits(struct ll_ctx *l)
{
	const struct sbx_spec *s = l->c->spec;
	const struct sbx_outer *o = l->c->host->outer;
	struct sbx_plan *p = l->p;
	if (s->memory && (!o->memory || o->memory > s->memory))
		return sbx_err(l->err, -ENOTSUP,
		               "--memory=%lld cannot be held inside %s (no cgroup can be made "
		               "there; its cap is %lld bytes)",
		               (long long)s->memory, outer_why, (long long)o->memory);
	if (s->pids && (!o->pids || o->pids > s->pids))
		return sbx_err(l->err, -ENOTSUP,
		               "--pids=%lld cannot be held inside %s (no cgroup can be made there; "
		               "its cap is %lld)",
		               (long long)s->pids, outer_why, (long long)o->pids);
	if (s->cpus > 0 && (o->cpus <= 0 || o->cpus > s->cpus))
		return sbx_err(l->err, -ENOTSUP,
		               "--cpus=%g cannot be held inside %s (no cgroup can be made there; "
		               "its cap is %g)",
		               s->cpus, outer_why, o->cpus);
	if (s->memory)
		sbx_plan_set_mechanism(p, SBX_CAP_RES_MEMORY, "held by %s: its cap of %lld bytes",
		                       outer_why, (long long)o->memory);
	if (s->pids)
		sbx_plan_set_mechanism(p, SBX_CAP_RES_PIDS, "held by %s: its cap of %lld",
		                       outer_why, (long long)o->pids);
	if (s->cpus > 0)
		sbx_plan_set_mechanism(p, SBX_CAP_RES_CPU, "held by %s: its cap of %g cores",
		                       outer_why, o->cpus);
	return 0;
}

/* Is denied path d already hidden by the outer sandbox (or outside its
 * read scope)? */
static bool denial_held(const struct sbx_outer *o, const char *d)
{
	if (beneath_any(d, &o->deny))
		return true;
	if (o->read_all)
		return false;
	for (size_t k = 0; k < o->read.n; k++)
		if (path_is_beneath(d, o->read.v[k]) || path_is_beneath(o->read.v[k], d))
			return false;
	return true;
}

static bool denials_held(const struct ll_ctx *l)
{
	for (size_t i = 0; i < l->c->read_deny.n; i++)
		if (!denial_held(l->c->host->outer, l->c->read_deny.v[i]))
			return false;
	return true;
}

/* The private temp dir of write=none and scope (landlock_fs.c): inside
 * the outer sandbox, its view of the temp dir, when it has one. */
static const char *private_temp(const struct ll_ctx *l)
{
	const struct sbx_cctx *c = l->c;
	sbx_write w = c->spec->write;
	if (c->spec->allow_temp || (w != SBX_WRITE_NONE && w != SBX_WRITE_SCOPE))
		return NULL;
	const strv *views = &c->host->outer->view;
	for (size_t i = 0; i < views->n; i++)
		if (path_is_beneath(c->tmpdir, views->v[i]))
			return c->tmpdir;
	return NULL;
}

/* Does the outer sandbox already keep host writes within this run's? */
static bool writes_held(const struct ll_ctx *l, const strv *hostw)
{
	const struct sbx_outer *o = l->c->host->outer;
	sbx_write w = l->c->spec->write;
	for (size_t i = 0; i < o->write.n; i++)
		if (!beneath_any(o->write.v[i], hostw))
			return false;
	/* write=none and scope also mean: other writes fail, not vanish
	 * (but in the private temp dir) */
	const char *tmp = private_temp(l);
	for (size_t i = 0; (w == SBX_WRITE_NONE || w == SBX_WRITE_SCOPE) && i < o->view.n; i++)
		if (!tmp || !streq(o->view.v[i], tmp))
			return false;
	return true;
}

/* The Landlock layer's write rules; read rules are read_rules'. */
static int write_layer(struct ll_ctx *l, const strv *hostw)
{
	const struct sbx_outer *o = l->c->host->outer;
	struct sbx_plan *p = l->p;
	sbx_write w = l->c->spec->write;
	for (size_t i = 0; i < hostw->n; i++)
		if (ll_opt(p, SHIM_OPT(LL_WRITE), hostw->v[i]) < 0)
			return -ENOMEM;
	const char *tmp = private_temp(l);
	if (tmp && ll_opt(p, SHIM_OPT(LL_WRITE), tmp) < 0)
		return -ENOMEM;
	if (tmp)
		sbx_plan_caveat(p, "nested in %s: the temp dir is its private copy-on-write view",
		                outer_why);
	if (w == SBX_WRITE_EPHEMERAL || w == SBX_WRITE_OVERLAY) {
		/* the outer's discarding views, except where they hold an outer
		 * writable path this run does not grant */
		for (size_t i = 0; i < o->view.n; i++)
			if (ll_opt(p, SHIM_OPT(LL_WRITE), o->view.v[i]) < 0)
				return -ENOMEM;
		bool split = false;
		for (size_t i = 0; i < o->write.n; i++)
			if (!beneath_any(o->write.v[i], hostw)) {
				if (ll_opt(p, SHIM_OPT(LL_WRITE_AROUND), o->write.v[i]) < 0)
					return -ENOMEM;
				split = true;
			}
		if (split)
			sbx_plan_caveat(p,
			                "nested in %s: writes to its writable paths that this run "
			                "does not grant fail instead of being discarded, as do new "
			                "files directly in the directories holding them",
			                outer_why);
		if (!o->view.n)
			sbx_plan_caveat(
			    p,
			    "nested in %s, which has no copy-on-write views: writes "
			    "outside the writable paths fail instead of being discarded",
			    outer_why);
	}
	static const char *const devs[] = {"/dev/null", "/dev/zero", "/dev/full"};
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		if (ll_opt(p, SHIM_OPT(LL_DEV), devs[i]) < 0)
			return -ENOMEM;
	return ll_opt(p, SHIM_OPT(LL_TTY), NULL);
}

static int read_layer(struct ll_ctx *l)
{
	struct sbx_plan *p = l->p;
	const struct sbx_cctx *c = l->c;
	if (!c->readable.n) {
		if (ll_opt(p, SHIM_OPT(LL_READ), "/") < 0)
			return -ENOMEM;
	} else {
		for (size_t i = 0; i < c->readable.n; i++)
			if (ll_opt(p, SHIM_OPT(LL_READ), c->readable.v[i]) < 0)
				return -ENOMEM;
		int r = ll_runtime_paths(l);
		if (r < 0)
			return r;
		for (size_t i = 0; i < p->runtime_paths.n; i++)
			if (ll_opt(p, SHIM_OPT(LL_READ_TRY), p->runtime_paths.v[i]) < 0)
				return -ENOMEM;
		if (ll_opt(p, SHIM_OPT(LL_PROC_SELF), NULL) < 0)
			return -ENOMEM;
	}
	/* only the denials the outer does not hold already */
	for (size_t i = 0; i < c->read_deny.n; i++)
		if (!denial_held(c->host->outer, c->read_deny.v[i]) &&
		    ll_opt(p, SHIM_OPT(LL_DENY), c->read_deny.v[i]) < 0)
			return -ENOMEM;
	return 0;
}

static bool read_only_here(const char *path)
{
	struct statvfs v;
	return statvfs(path, &v) == 0 && (v.f_flag & ST_RDONLY);
}

int ll_plan_nested(struct ll_ctx *l)
{
	const struct sbx_cctx *c = l->c;
	const struct sbx_spec *s = c->spec;
	const struct sbx_outer *o = c->host->outer;
	struct sbx_plan *p = l->p;
	if (s->no_exec && !o->no_exec)
		return sbx_err(l->err, -ENOTSUP,
		               "--no-exec cannot be held inside %s, which does not hold it "
		               "(seccomp user notification cannot be nested)",
		               outer_why);
	if (s->net == SBX_NET_ALLOWLIST)
		return sbx_err(l->err, -ENOTSUP,
		               "--net=allowlist cannot be made inside %s: it needs a network "
		               "namespace of its own (give it to the outer sbx-exec)",
		               outer_why);
	if (s->report || s->keep_discarded)
		return sbx_err(l->err, -ENOTSUP,
		               "--report and --keep-discarded cannot be made inside %s, whose "
		               "views hold the writes (give them to the outer sbx-exec)",
		               outer_why);
	if (c->redact.n)
		return sbx_err(l->err, -ENOTSUP,
		               "--%s cannot be held inside %s: it needs a mount namespace of its "
		               "own (give it to the outer sbx-exec)",
		               "redact", outer_why);
	/* a protected path is held when the outer made it read-only (its
	 * --write-deny mounts are ours too); the profile's, else a caveat */
	for (size_t i = 0; i < c->write_deny.n; i++)
		if (!read_only_here(c->write_deny.v[i]))
			return sbx_err(
			    l->err, -ENOTSUP,
			    "--write-deny %s cannot be held inside %s, where it is "
			    "writable: it needs a mount namespace of its own (give it to "
			    "the outer sbx-exec)",
			    c->write_deny.v[i], outer_why);
	_cleanup_buf_ buf open_here = {0};
	size_t held = c->write_deny.n;
	for (size_t i = 0; i < c->write_deny_existing.n; i++) {
		const char *w = c->write_deny_existing.v[i];
		if (read_only_here(w))
			held++;
		else
			buf_addf(&open_here, "%s%s", open_here.len ? ", " : "", w);
	}
	if (held)
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_PROTECT,
		                       "held by the outer sbx sandbox: read-only there");
	if (open_here.len)
		sbx_plan_caveat(p,
		                "write-deny-existing: %s can be changed here (a run inside another "
		                "sbx sandbox adds no mounts)",
		                open_here.s);
	int r = check_limits(l);
	if (r < 0)
		return r;
	_cleanup_strv_ strv hostw = {0};
	if (sbx_host_writable(l->c, &hostw) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < c->writable.n; i++)
		if (l->fs->access(c->writable.v[i], F_OK) < 0)
			return sbx_err(l->err, -ENOENT,
			               "writable path %s does not exist (create it first)",
			               c->writable.v[i]);
	bool add_net = net_rank(s->net) < net_rank(o->net);
	/* a read scope of its own is always added: cheaper than comparing */
	bool add_reads = c->readable.n || !denials_held(l);
	bool add_writes = !writes_held(l, &hostw);
	bool add_fs = (add_reads || add_writes) && l->abi;
	if ((add_reads || add_writes) && !l->abi)
		return sbx_err(l->err, -ENOTSUP,
		               "this run is stricter than %s about files, and without Landlock "
		               "nothing can be added inside it",
		               outer_why);
	bool direct = !add_net && !add_fs && s->timeout <= 0;
	if (direct && ll_opt(p, SHIM_OPT(DIRECT), NULL) < 0)
		return -ENOMEM;
	if (add_fs) {
		char abi[16];
		snprintf(abi, sizeof(abi), "%d", l->abi);
		if (ll_opt(p, SHIM_OPT(LL_ABI), abi) < 0 || (r = read_layer(l)) < 0 ||
		    (r = write_layer(l, &hostw)) < 0)
			return r < 0 ? r : -ENOMEM;
	}
	if (!direct && ll_opt(p, SHIM_OPT(NET), add_net ? sbx_net_name(s->net) : "enable") < 0)
		return -ENOMEM;
	if (s->timeout > 0) {
		char v[32];
		snprintf(v, sizeof(v), "%.3f", s->timeout);
		if (ll_opt(p, SHIM_OPT(TIMEOUT), v) < 0)
			return -ENOMEM;
	}
	if (ll_opt(p, SHIM_OPT(CHDIR), c->dir) < 0)
		return -ENOMEM;

	/* What holds each requested capability. */
	const char *mine = "an added Landlock layer";
	switch (s->net) {
	case SBX_NET_ALLOWLIST: /* never compiled here: refused above */
	case SBX_NET_DISABLE:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_DISABLE, "%s",
		                       add_net ? "added seccomp and Landlock network rules"
		                               : "held by the outer sbx sandbox");
		break;
	case SBX_NET_OUTBOUND:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_OUTBOUND, "%s",
		                       add_net ? "added seccomp (listen refused, unix sockets "
		                                 "included) and Landlock rules"
		                               : "held by the outer sbx sandbox");
		break;
	case SBX_NET_ENABLE:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_ENABLE, "the outer sandbox's network");
		break;
	}
	const char *rd = add_fs ? mine : "held by the outer sbx sandbox";
	sbx_plan_set_mechanism(p, c->readable.n ? SBX_CAP_FS_READ_SCOPE : SBX_CAP_FS_READ_HOST,
	                       "%s", c->readable.n ? rd : "as the outer sbx sandbox allows");
	if (c->read_deny.n)
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_DENY, "%s", add_fs ? mine : rd);
	const char *wr = add_writes ? mine : "held by the outer sbx sandbox";
	switch (s->write) {
	case SBX_WRITE_NONE:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_DENY, "%s", wr);
		break;
	case SBX_WRITE_OVERLAY:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE, "%s", wr);
		/* fallthrough */
	case SBX_WRITE_EPHEMERAL:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_EPHEMERAL,
		                       "the outer sbx sandbox's copy-on-write views%s",
		                       add_writes ? ", with an added Landlock layer" : "");
		break;
	case SBX_WRITE_SCOPE:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE, "%s", wr);
		break;
	}
	if (o->no_exec && s->no_exec)
		sbx_plan_set_mechanism(p, SBX_CAP_PROC_NO_EXEC, "held by the outer sbx sandbox");
	if (o->ipc)
		sbx_plan_set_mechanism(p, SBX_CAP_IPC_RESTRICT, "held by the outer sbx sandbox");
	sbx_plan_caveat(p,
	                "nested in %s: every restriction of the outer sandbox applies too; "
	                "%s",
	                outer_why,
	                direct ? "this run adds nothing to it and runs the command directly"
	                       : "this run adds the layers named above");
	return 0;
}
