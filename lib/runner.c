/* runner.c: backend availability, automatic selection, and compiling a spec
 * into a plan for the chosen backend. */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#ifndef _WIN32
#include <sys/stat.h>
#endif

struct sbx_runner {
	sbx_backend backend;
};

static const sbx_backend linux_candidates[] = {
    SBX_BACKEND_LANDLOCK,
    SBX_BACKEND_GVISOR,
    SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL,
    SBX_BACKEND_DOCKER_EPHEMERAL,
};
static const sbx_backend macos_candidates[] = {
    SBX_BACKEND_SEATBELT,
    SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL,
    SBX_BACKEND_DOCKER_EPHEMERAL,
};
static const sbx_backend windows_candidates[] = {SBX_BACKEND_APPCONTAINER};

static const sbx_backend *host_candidates(size_t *n)
{
	switch (SBX_OS_HOST) {
	case SBX_OS_MACOS:
		*n = ARRAY_SIZE(macos_candidates);
		return macos_candidates;
	case SBX_OS_WINDOWS:
		*n = ARRAY_SIZE(windows_candidates);
		return windows_candidates;
	default:
		*n = ARRAY_SIZE(linux_candidates);
		return linux_candidates;
	}
}

static const char *os_names(unsigned os)
{
	switch (os) {
	case SBX_OS_LINUX:
		return "Linux";
	case SBX_OS_MACOS:
		return "macOS";
	case SBX_OS_WINDOWS:
		return "Windows";
	case SBX_OS_LINUX | SBX_OS_MACOS:
		return "Linux and macOS";
	default:
		return "another OS";
	}
}

void sbx_backend_avail(sbx_backend b, struct sbx_avail *a)
{
	*a = (struct sbx_avail){0};
	if (!(sbx_backend_os(b) & SBX_OS_HOST)) {
		static char why[SBX_BACKEND__COUNT][64];
		snprintf(why[b], sizeof(why[b]), "the %s backend runs on %s only",
		         sbx_backend_name(b), os_names(sbx_backend_os(b)));
		a->unavailable = why[b];
		return;
	}
	sbx_backend_impl(b)->probe(sbx_host_get(), a);
	a->caps &= sbx_caps_of(b);
}

int sbx_runner_new_backend(sbx_backend b, sbx_runner **out, sbx_error **err)
{
	if (b != SBX_BACKEND_AUTO && (b < 0 || b >= SBX_BACKEND__COUNT))
		return sbx_err(err, -EINVAL, "unknown backend %d", (int)b);
	sbx_runner *r = calloc(1, sizeof(*r));
	if (!r)
		return sbx_err(err, -ENOMEM, "out of memory");
	r->backend = b;
	*out = r;
	return 0;
}

int sbx_runner_new(sbx_runner **out, sbx_error **err)
{
	return sbx_runner_new_backend(SBX_BACKEND_AUTO, out, err);
}

void sbx_runner_free(sbx_runner *r)
{
	free(r);
}

sbx_backend sbx_runner_backend(const sbx_runner *r)
{
	return r->backend;
}

sbx_capset sbx_runner_capabilities(const sbx_runner *r)
{
	struct sbx_avail a;
	if (r->backend != SBX_BACKEND_AUTO) {
		sbx_backend_avail(r->backend, &a);
		return a.unavailable ? 0 : a.caps;
	}
	size_t n;
	const sbx_backend *cand = host_candidates(&n);
	sbx_capset u = 0;
	for (size_t i = 0; i < n; i++) {
		sbx_backend_avail(cand[i], &a);
		if (!a.unavailable)
			u |= a.caps;
	}
	return u;
}

/* Appends "cap (why), cap2" for the members of gaps. */
static void describe_gaps(buf *b, sbx_capset gaps, const struct sbx_avail *a)
{
	bool first = true;
	SBX_FOR_EACH_CAP(i)
	if (gaps & SBX_CAPSET_OF(i)) {
		buf_addf(b, "%s%s", first ? "" : ", ", sbx_cap_name((sbx_cap)i));
		bool pre = a->preload & SBX_CAPSET_OF(i);
		if (a->why[i] || pre)
			buf_addf(b, " (%s%s%s)", a->why[i] ? a->why[i] : "",
			         a->why[i] && pre ? "; " : "",
			         pre ? "with --best-effort, libsbx-preload.so holds it "
			               "for dynamically linked programs"
			             : "");
		first = false;
	}
}

/* Picks the first available candidate enforcing everything; under best
 * effort, the available candidate leaving the fewest capabilities
 * unenforced, then the fewest held only by libsbx-preload.so. */
static int select_backend(sbx_capset want, bool best_effort, sbx_backend *out, sbx_error **err)
{
	size_t n;
	const sbx_backend *cand = host_candidates(&n);
	_cleanup_buf_ buf why = {0};
	int best = -1;
	size_t best_gaps = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		struct sbx_avail a;
		sbx_backend_avail(cand[i], &a);
		buf_addf(&why, "%s%s: ", i ? "; " : "", sbx_backend_name(cand[i]));
		if (a.unavailable) {
			buf_addf(&why, "not available (%s)", a.unavailable);
			continue;
		}
		sbx_capset gaps = sbx_capset_sub(want, a.caps);
		if (!gaps) {
			*out = cand[i];
			return 0;
		}
		buf_add(&why, "lacks ");
		describe_gaps(&why, gaps, &a);
		/* A gap the library holds counts less than one nothing holds. */
		size_t score = 2 * sbx_capset_len(sbx_capset_sub(gaps, a.preload)) +
		               sbx_capset_len(gaps & a.preload);
		if (score < best_gaps) {
			best_gaps = score;
			best = (int)cand[i];
		}
	}
	if (best_effort && best >= 0) {
		*out = (sbx_backend)best;
		return 0;
	}
	return sbx_err(err, -ENOTSUP, "no backend on this host enforces everything asked: %s",
	               why.s ? why.s : "no candidates");
}

void sbx_cctx_set_gaps(struct sbx_cctx *c, sbx_capset can, sbx_capset preload)
{
	c->missing = sbx_capset_sub(c->requested, can);
	c->preload = c->spec->best_effort ? c->missing & preload : 0;
	c->missing = sbx_capset_sub(c->missing, c->preload);
}

static void drop_denial(struct sbx_cctx *c, const char *p)
{
	for (size_t k = 0; k < c->read_deny.n; k++)
		if (streq(c->read_deny.v[k], p)) {
			strv_remove(&c->read_deny, k);
			return;
		}
}

/* redact-existing: where the backend can redact, each such file that exists
 * is shown redacted instead of hidden; elsewhere the lists stay as they are
 * (the agent profile hides them). Inside a hidden directory only where the
 * backend can keep a hole in its mask (landlock: ~/.docker/config.json in a
 * hidden ~/.docker); elsewhere such a file stays hidden with it. Never a
 * reason to refuse. */
static int take_redactions(struct sbx_cctx *c, sbx_capset can, bool holes)
{
	const strv *in = &c->spec->lists[SBX_LIST_REDACT_EXISTING];
	/* Inside another sbx sandbox nothing can be bound: a file the outer
	 * shows redacted is as the profile wants it (its denial of the same
	 * path is dropped, as outside); anything else stays as it is. */
	if (c->host->outer) {
		for (size_t i = 0; i < in->n; i++)
			if (strv_contains(&c->host->outer->redact, in->v[i]))
				drop_denial(c, in->v[i]);
		return 0;
	}
	if (!(can & SBX_CAPSET_OF(SBX_CAP_FS_READ_REDACT)))
		return 0;
	for (size_t i = 0; i < in->n; i++) {
		const char *p = in->v[i];
#ifndef _WIN32
		const struct sbx_fs *fs = sbx_host_fs(c->host);
		char real[PATH_MAX];
		struct stat st;
		if (p[0] != '/' || fs->lstat(p, &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_size > SBX_REDACT_MAX || !fs->realpath(p, real) || !streq(real, p))
			continue;
#endif
		bool inside_denied = false;
		for (size_t k = 0; k < c->read_deny.n; k++)
			if (!streq(c->read_deny.v[k], p) && path_is_beneath(p, c->read_deny.v[k]))
				inside_denied = true;
		if ((inside_denied && !holes) || strv_contains(&c->redact, p))
			continue;
		if (strv_push(&c->redact, p) < 0)
			return -ENOMEM;
		drop_denial(c, p);
	}
	return 0;
}

static int init_plan(struct sbx_plan *p, const struct sbx_cctx *c, sbx_backend b,
                     const struct sbx_avail *a)
{
	p->backend = b;
	p->requested = c->requested;
	p->die_with_parent = c->spec->die_with_parent;
	if (a->unavailable && !(p->unavailable = strdup(a->unavailable)))
		return -ENOMEM;
	if (strv_extend(&p->env, strv_get(&c->env)) < 0 ||
	    strv_pushf(&p->env, "SBX_SANDBOX=%s", sbx_backend_name(b)) < 0 ||
	    strv_extend(&p->env_removed, strv_get(&c->env_removed)) < 0)
		return -ENOMEM;
	if (c->home_from_passwd &&
	    sbx_plan_caveat(p,
	                    "HOME is not set (or not absolute): ~ in the policy is %s, the "
	                    "home directory in /etc/passwd",
	                    c->home) < 0)
		return -ENOMEM;
	for (int i = 0; i < SBX_CAP__COUNT; i++)
		if (c->missing & SBX_CAPSET_OF(i)) {
			int r =
			    a->why[i]
			        ? sbx_plan_caveat(p, "%s was requested but is NOT enforced: %s",
			                          sbx_cap_name((sbx_cap)i), a->why[i])
			        : sbx_plan_caveat(p,
			                          "%s was requested but is NOT enforced: the "
			                          "%s backend cannot enforce it",
			                          sbx_cap_name((sbx_cap)i), sbx_backend_name(b));
			if (r < 0)
				return r;
		}
	return 0;
}

static int compile_plan(sbx_runner *r, const sbx_spec *spec, sbx_plan **out, sbx_error **err);

int sbx_runner_compile(sbx_runner *r, const sbx_spec *spec, sbx_plan **out, sbx_error **err)
{
	/* one snapshot of the host's paths for the whole compile (fsmemo.c) */
	sbx_fs_memo_begin();
	int rc = compile_plan(r, spec, out, err);
	sbx_fs_memo_end();
	return rc;
}

static int compile_plan(sbx_runner *r, const sbx_spec *spec, sbx_plan **out, sbx_error **err)
{
	int rc = sbx_spec_validate(spec, err);
	if (rc < 0)
		return rc;
	struct sbx_cctx c;
	rc = sbx_cctx_init(&c, spec, err);
	if (rc < 0) {
		sbx_cctx_free(&c);
		return rc < 0 ? sbx_err(err, rc, "out of memory") : rc;
	}
	sbx_backend b = r->backend != SBX_BACKEND_AUTO ? r->backend : spec->backend;
	if (b == SBX_BACKEND_AUTO &&
	    (rc = select_backend(c.requested, spec->best_effort, &b, err)) < 0) {
		sbx_cctx_free(&c);
		return rc;
	}
	if ((rc = sbx_redact_in_denied(&c, b == SBX_BACKEND_LANDLOCK, err)) < 0) {
		sbx_cctx_free(&c);
		return rc;
	}
	if (spec->net == SBX_NET_ALLOWLIST && b != SBX_BACKEND_LANDLOCK &&
	    b != SBX_BACKEND_SEATBELT) {
		/* not even under --best-effort: nothing else would be held */
		static const char *const why[SBX_BACKEND__COUNT] = {
		    [SBX_BACKEND_GVISOR] = "runsc's own network stack needs a configured network "
		                           "namespace, and runsc refuses a socket file as a bind "
		                           "source, so the proxy cannot be reached from inside",
		    [SBX_BACKEND_DOCKER_EPHEMERAL] = "a container without a network reaches the "
		                                     "proxy only through a bound unix socket, and "
		                                     "the image has no program to relay it inside",
		    [SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL] = "a container without a network reaches "
		                                           "the proxy only through a bound unix "
		                                           "socket, which runsc does not bind",
		    [SBX_BACKEND_APPCONTAINER] = "an AppContainer's network capability is all "
		                                 "outbound or none, never one local port",
		};
		rc = sbx_err(err, -ENOTSUP,
		             "--net=allowlist is the landlock backend's private network and "
		             "proxy (and seatbelt's proxy); on the %s backend %s (use "
		             "--backend=landlock, or --net=outbound, which is not an egress "
		             "filter)",
		             sbx_backend_name(b), why[b] ? why[b] : "neither is there");
		sbx_cctx_free(&c);
		return rc;
	}
	if ((spec->report || spec->keep_discarded) && b != SBX_BACKEND_LANDLOCK) {
		rc = sbx_err(err, -ENOTSUP,
		             "--report and --keep-discarded are made by the landlock backend's "
		             "supervisor; the %s backend has none",
		             sbx_backend_name(b));
		sbx_cctx_free(&c);
		return rc;
	}
	struct sbx_avail a;
	sbx_backend_avail(b, &a);
	/* A plan for a backend that cannot run here is compiled against its
	 * table row, so any backend's plan can be printed on any host. */
	sbx_capset can = a.unavailable ? sbx_caps_of(b) : a.caps;
	sbx_cctx_set_gaps(&c, can, a.preload);
	if (take_redactions(&c, can, b == SBX_BACKEND_LANDLOCK) < 0) {
		sbx_cctx_free(&c);
		return sbx_err(err, -ENOMEM, "out of memory");
	}
	if (c.missing && !spec->best_effort) {
		_cleanup_buf_ buf why = {0};
		describe_gaps(&why, c.missing, &a);
		rc = sbx_err(err, -ENOTSUP, "the %s backend cannot enforce %s%s",
		             sbx_backend_name(b), why.s ? why.s : "?",
		             a.unavailable ? "" : " on this host");
		sbx_cctx_free(&c);
		return rc;
	}
	struct sbx_plan *p = calloc(1, sizeof(*p));
	if (!p || (rc = init_plan(p, &c, b, &a)) < 0) {
		sbx_plan_free(p);
		sbx_cctx_free(&c);
		return sbx_err(err, -ENOMEM, "out of memory");
	}
	rc = sbx_backend_impl(b)->compile(&c, p, err);
	p->uses &= ~c.missing;
	if (rc == 0 && spec->reuse && b != SBX_BACKEND_LANDLOCK)
		rc = sbx_plan_caveat(p, "reuse: not used, every command gets a sandbox of its own: "
		                        "only the landlock backend serves many commands from one");
	if (rc == 0 && c.write_deny_existing.n &&
	    !(p->uses & SBX_CAPSET_OF(SBX_CAP_FS_WRITE_PROTECT))) {
		_cleanup_buf_ buf l = {0};
		for (size_t i = 0; i < c.write_deny_existing.n; i++)
			buf_addf(&l, "%s%s", i ? ", " : "", c.write_deny_existing.v[i]);
		rc = sbx_plan_caveat(p,
		                     "write-deny-existing: %s can be changed here (the profile "
		                     "protects them where %s)",
		                     l.s, "the landlock backend has user namespaces");
	}
	if (rc == 0 && c.deny_by_scope.n && !c.read_deny.n) {
		p->requested |= SBX_CAPSET_OF(SBX_CAP_FS_READ_DENY);
		rc = sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_DENY,
		                            "outside the read scope: no readable, writable or "
		                            "runtime path reaches a denied path");
	} else if (rc == 0 && c.deny_by_scope.n && p->mechanism[SBX_CAP_FS_READ_DENY]) {
		/* some inside the scope (held as the backend says), the rest not */
		_cleanup_free_ char *inside = strdup(p->mechanism[SBX_CAP_FS_READ_DENY]);
		rc = inside ? sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_DENY,
		                                     "%s; the %lu others are outside the read "
		                                     "scope: no readable, writable or runtime "
		                                     "path reaches them",
		                                     inside, (unsigned long)c.deny_by_scope.n)
		            : -ENOMEM;
	}
	p->preload_only = c.preload;
	if (rc == 0 && p->oom)
		rc = sbx_err(err, -ENOMEM, "out of memory while compiling the plan");
	/* A backend given c.preload must wire the library for all of it. */
	if (rc == 0 && sbx_capset_sub(c.preload, p->uses))
		rc = sbx_err(err, -ENOTSUP,
		             "internal error: the %s backend did not put "
		             "libsbx-preload.so in place",
		             sbx_backend_name(b));
	/* Every requested capability the backend said it can enforce here
	 * must be in the plan's uses: a compiler that leaves one out would
	 * otherwise run the command weaker than --print and the checks say. */
	sbx_capset dropped = sbx_capset_sub(sbx_capset_sub(c.requested, c.missing), p->uses);
	if (rc == 0 && dropped) {
		char names[512];
		sbx_capset_format(dropped, ", ", names, sizeof(names));
		rc = sbx_err(err, -ENOTSUP,
		             "internal error: the %s backend's plan does not enforce %s",
		             sbx_backend_name(b), names);
	}
	sbx_cctx_free(&c);
	if (rc < 0) {
		sbx_plan_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int sbx_runner_run(sbx_runner *r, const sbx_spec *spec, const sbx_stdio *stdio, int *status,
                   sbx_error **err)
{
	sbx_plan *p = NULL;
	int rc = sbx_runner_compile(r, spec, &p, err);
	if (rc < 0)
		return rc;
	if (p->unavailable) {
		rc = sbx_err(err, -ENODEV, "%s", p->unavailable);
		sbx_plan_free(p);
		return rc;
	}
	struct sbx_run_result res = {0};
	rc = sbx_plan_run(p, stdio, false, &res, err);
	sbx_plan_free(p);
	if (rc == 0)
		*status = res.status;
	return rc;
}
