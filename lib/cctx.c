/* cctx.c: turns a validated spec into what every backend compiler needs:
 * absolute, symlink-resolved paths, the temp dir, the scrubbed environment. */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/stat.h>

extern char **environ;

static int resolve_list(const struct sbx_fs *fs, strv *out, const strv *in, const char *dir)
{
	for (size_t i = 0; i < in->n; i++) {
		char *r = sbx_resolve_path(fs, dir, in->v[i]);
		if (!r || strv_take(out, r) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Granted paths: no symbolic link the user did not name (lib/paths.c). */
static int resolve_grants(const struct sbx_fs *fs, strv *out, const strv *in, const char *dir,
                          const char *what, sbx_error **err)
{
	for (size_t i = 0; i < in->n; i++) {
		char *r = NULL;
		int rc = sbx_resolve_grant(fs, what, dir, in->v[i], &r, err);
		if (rc < 0)
			return rc;
		if (strv_contains(out, r)) {
			free(r);
			continue;
		}
		if (strv_take(out, r) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Keeps a variable when it matches an allow pattern (or none is set) and
 * no deny pattern; deny always wins. */
static bool env_keep(const struct sbx_spec *s, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t n = eq ? (size_t)(eq - entry) : strlen(entry);
	char name[512];
	if (n >= sizeof(name))
		return false;
	memcpy(name, entry, n);
	name[n] = '\0';
	const strv *allow = &s->lists[SBX_LIST_ENV_ALLOW], *deny = &s->lists[SBX_LIST_ENV_DENY];
	for (size_t i = 0; i < deny->n; i++)
		if (glob_match(deny->v[i], name))
			return false;
	if (!allow->n)
		return true;
	for (size_t i = 0; i < allow->n; i++)
		if (glob_match(allow->v[i], name))
			return true;
	return false;
}

static bool related(const char *a, const strv *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (path_is_beneath(a, set->v[i]) || path_is_beneath(set->v[i], a))
			return true;
	return false;
}

/* Under a read scope, a denied path that no readable, writable or runtime
 * path reaches is already unreadable: it needs no mechanism of its own
 * (held "outside the read scope"), so the default profile's credential
 * denials do not make scoped runs refuse on backends without read-deny. */
static int split_denials(struct sbx_cctx *c)
{
	_cleanup_strv_ strv scope = {0};
	if (strv_extend(&scope, strv_get(&c->readable)) < 0 ||
	    strv_extend(&scope, strv_get(&c->writable)) < 0 ||
	    (c->spec->allow_temp && strv_push(&scope, c->tmpdir) < 0) ||
	    sbx_runtime_paths(c, &scope) < 0)
		return -ENOMEM;
	strv keep = {0};
	for (size_t i = 0; i < c->read_deny.n; i++) {
		const char *d = c->read_deny.v[i];
		int r = related(d, &scope) ? strv_push(&keep, d) : strv_push(&c->deny_by_scope, d);
		if (r < 0) {
			strv_clear(&keep);
			return -ENOMEM;
		}
	}
	strv_clear(&c->read_deny);
	c->read_deny = keep;
	if (!c->read_deny.n)
		c->requested &= ~SBX_CAPSET_OF(SBX_CAP_FS_READ_DENY);
	return 0;
}

int sbx_host_writable(const struct sbx_cctx *c, strv *out)
{
	if (strv_extend(out, strv_get(&c->writable)) < 0)
		return -ENOMEM;
	if (c->spec->allow_temp && !strv_contains(out, c->tmpdir) && strv_push(out, c->tmpdir) < 0)
		return -ENOMEM;
	return 0;
}

static int by_depth(const void *a, const void *b)
{
	size_t x = path_depth(*(char *const *)a), y = path_depth(*(char *const *)b);
	return x < y ? -1 : x > y ? 1 : strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directories strictly between the host-writable path w holding path
 * and path, added to pins. */
static int pin_between(const char *path, const strv *hostw, strv *pins)
{
	for (size_t k = 0; k < hostw->n; k++) {
		const char *w = hostw->v[k];
		if (!path_is_beneath(path, w) || streq(path, w))
			continue;
		_cleanup_free_ char *d = strdup(path);
		if (!d)
			return -ENOMEM;
		for (char *s = strrchr(d, '/'); s && s > d; s = strrchr(d, '/')) {
			*s = '\0';
			if (!path_is_beneath(d, w) || streq(d, w))
				break;
			if (!strv_contains(pins, d) && strv_push(pins, d) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

#ifndef _WIN32
/* A missing path the create gate can hold: its directory exists, as
 * itself (no link on the way), inside a path written through to the host. */
static bool gateable(const struct sbx_fs *fs, const char *path, const strv *hostw)
{
	_cleanup_free_ char *d = strdup(path);
	char *s = d ? strrchr(d, '/') : NULL;
	if (!s || s == d)
		return false;
	*s = '\0';
	char real[PATH_MAX];
	struct stat st;
	if (fs->lstat(d, &st) < 0 || !S_ISDIR(st.st_mode) || !fs->realpath(d, real) ||
	    !streq(real, d))
		return false;
	for (size_t k = 0; k < hostw->n; k++)
		if (path_is_beneath(path, hostw->v[k]) && !streq(path, hostw->v[k]))
			return true;
	return false;
}
#endif

int sbx_protect_paths(const struct sbx_cctx *c, struct sbx_plan *p, strv *prot, strv *pins,
                      strv *gated, sbx_error **err)
{
	const strv *wd = &c->write_deny, *we = &c->write_deny_existing;
	const strv *wm = &c->write_deny_missing;
	const struct sbx_fs *fs = sbx_host_fs(c->host);
	_cleanup_strv_ strv hostw = {0};
	if (sbx_host_writable(c, &hostw) < 0)
		return -ENOMEM;
#ifdef _WIN32
	(void)p; /* no backend there protects paths */
	(void)err;
	(void)wm;
	(void)gated;
	(void)fs;
#else
	/* the profile's names missing in a writable path: only a gate can
	 * hold them (the others are watched, landlock_fs.c) */
	for (size_t i = 0; gated && i < wm->n; i++)
		if (gateable(fs, wm->v[i], &hostw) && !strv_contains(gated, wm->v[i]) &&
		    (strv_push(gated, wm->v[i]) < 0 || pin_between(wm->v[i], &hostw, pins) < 0))
			return -ENOMEM;
#endif
	for (size_t i = 0; i < wd->n + we->n; i++) {
		/* the profile's (write-deny-existing) exist: checked above */
		const char *path = i < wd->n ? wd->v[i] : we->v[i - wd->n];
#ifndef _WIN32
		struct stat st;
		if (fs->lstat(path, &st) < 0) {
			if (gated && gateable(fs, path, &hostw)) {
				if (!strv_contains(gated, path) &&
				    (strv_push(gated, path) < 0 ||
				     pin_between(path, &hostw, pins) < 0))
					return -ENOMEM;
				continue;
			}
			if (!c->spec->best_effort)
				return sbx_err(
				    err, -ENOENT,
				    "write-deny %s: does not exist, and nothing here can stop "
				    "it from being created (create it first, or --best-effort)",
				    path);
			if (sbx_plan_caveat(p,
			                    "write-deny %s: does not exist, so it is NOT protected "
			                    "from being created",
			                    path) < 0)
				return -ENOMEM;
			continue;
		}
#endif
		if (!strv_contains(prot, path) && strv_push(prot, path) < 0)
			return -ENOMEM;
		if (pin_between(path, &hostw, pins) < 0)
			return -ENOMEM;
	}
	/* a protected directory on the way is bound read-only, not pinned */
	for (size_t i = 0; i < pins->n;)
		if (strv_contains(prot, pins->v[i]))
			strv_remove(pins, i);
		else
			i++;
	if (pins->n)
		qsort(pins->v, pins->n, sizeof(*pins->v), by_depth);
	if (prot->n)
		qsort(prot->v, prot->n, sizeof(*prot->v), by_depth);
	return 0;
}

/* write-deny-existing: each entry that exists inside a path written through
 * to the host (a relative entry is looked for in each such path), as the
 * kernel resolves it and never through a link of its own. */
static int existing_protections(struct sbx_cctx *c)
{
	const strv *in = &c->spec->lists[SBX_LIST_WRITE_DENY_EXISTING];
	if (!in->n || c->spec->write == SBX_WRITE_NONE || c->spec->write == SBX_WRITE_EPHEMERAL)
		return 0;
#ifndef _WIN32
	const struct sbx_fs *fs = sbx_host_fs(c->host);
#endif
	_cleanup_strv_ strv hostw = {0};
	if (sbx_host_writable(c, &hostw) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < in->n; i++) {
		for (size_t k = 0; k < hostw.n; k++) {
			const char *e = in->v[i];
			_cleanup_free_ char *p = path_join_normalize(hostw.v[k], e);
			if (!p)
				return -ENOMEM;
			if (streq(p, hostw.v[k]) || !path_is_beneath(p, hostw.v[k]))
				continue;
#ifndef _WIN32
			/* there, and no link on the way (the mount step refuses
			 * one, and a default must never fail a run) */
			char real[PATH_MAX];
			struct stat st;
			if (fs->lstat(p, &st) < 0) {
				if (errno == ENOENT && !strv_contains(&c->write_deny_missing, p) &&
				    strv_push(&c->write_deny_missing, p) < 0)
					return -ENOMEM;
				continue;
			}
			if (S_ISLNK(st.st_mode) || !fs->realpath(p, real) || !streq(real, p))
				continue;
#endif
			if (!strv_contains(&c->write_deny_existing, p) &&
			    !strv_contains(&c->write_deny, p) &&
			    strv_push(&c->write_deny_existing, p) < 0)
				return -ENOMEM;
			if (e[0] == '/')
				break; /* an absolute entry is one path */
		}
	}
	return 0;
}

/* A file named by --redact is shown redacted instead of hidden: a
 * read-deny of that very path (the agent profile's ~/.npmrc) gives way to
 * it. One inside a denied directory is shown only where the backend keeps
 * a hole for it in the mask (sbx_redact_in_denied). */
static int redact_over_denials(struct sbx_cctx *c, sbx_error **err)
{
	(void)err;
	for (size_t i = 0; i < c->redact.n; i++)
		for (size_t k = 0; k < c->read_deny.n;) {
			if (streq(c->read_deny.v[k], c->redact.v[i]))
				strv_remove(&c->read_deny, k);
			else
				k++;
		}
	return 0;
}

int sbx_redact_in_denied(const struct sbx_cctx *c, bool holes, sbx_error **err)
{
	for (size_t i = 0; i < c->redact.n && !holes; i++)
		for (size_t k = 0; k < c->read_deny.n; k++)
			if (path_is_beneath(c->redact.v[i], c->read_deny.v[k]))
				return sbx_err(err, -EINVAL,
				               "redact %s lies inside the denied path %s, so it "
				               "cannot be shown here (the landlock backend can); "
				               "narrow the denial (--read-deny= clears the "
				               "profile's, then name the ones to keep)",
				               c->redact.v[i], c->read_deny.v[k]);
	return 0;
}

int sbx_check_dir(const struct sbx_cctx *c, sbx_error **err)
{
#ifndef _WIN32
	struct stat st;
	if (sbx_host_fs(c->host)->stat(c->dir, &st) < 0)
		return sbx_err_errno(err, -errno, "working directory %s", c->dir);
	if (!S_ISDIR(st.st_mode))
		return sbx_err(err, -ENOTDIR, "working directory %s: not a directory", c->dir);
#else
	(void)c;
	(void)err;
#endif
	return 0;
}

int sbx_cctx_init(struct sbx_cctx *c, const struct sbx_spec *s, sbx_error **err)
{
	*c = (struct sbx_cctx){.spec = s, .host = sbx_host_get()};
	_cleanup_free_ char *wd = NULL;
	int r = sbx_working_dir(s, &wd, err);
	if (r < 0)
		return r;
	const struct sbx_fs *fs = sbx_host_fs(c->host);
	c->dir = sbx_resolve_path(fs, "/", wd);
	if (!c->dir)
		return sbx_err(err, -ENOMEM, "out of memory");

	char *const *env = s->env_set ? strv_get(&s->env) : environ;
	const char *tmp = env_value(env, "TMPDIR");
	if ((r = resolve_grants(fs, &c->writable, &s->lists[SBX_LIST_WRITABLE], c->dir,
	                        "writable path", err)) < 0 ||
	    (r = resolve_grants(fs, &c->readable, &s->lists[SBX_LIST_READABLE], c->dir,
	                        "readable path", err)) < 0 ||
	    (r = resolve_grants(fs, &c->allow_socket, &s->lists[SBX_LIST_ALLOW_SOCKET], c->dir,
	                        "allowed socket", err)) < 0)
		return r == -ENOMEM ? sbx_err(err, r, "out of memory") : r;
	if ((r = resolve_grants(fs, &c->write_deny, &s->lists[SBX_LIST_WRITE_DENY], c->dir,
	                        "write-deny path", err)) < 0)
		return r == -ENOMEM ? sbx_err(err, r, "out of memory") : r;
	if ((r = resolve_grants(fs, &c->redact, &s->lists[SBX_LIST_REDACT], c->dir, "redact path",
	                        err)) < 0)
		return r == -ENOMEM ? sbx_err(err, r, "out of memory") : r;
	if (resolve_list(fs, &c->read_deny, &s->lists[SBX_LIST_READ_DENY], c->dir) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	if ((r = redact_over_denials(c, err)) < 0)
		return r;
	tmp = tmp && tmp[0] == '/' ? tmp : "/tmp";
	if (s->allow_temp)
		r = sbx_resolve_grant(fs, "temp dir (TMPDIR)", "/", tmp, &c->tmpdir, err);
	else
		r = (c->tmpdir = sbx_resolve_path(fs, "/", tmp)) ? 0 : -ENOMEM;
	if (r < 0)
		return r == -ENOMEM ? sbx_err(err, r, "out of memory") : r;
	const char *home = env_value(env, "HOME");
	if (!home || home[0] != '/') {
		home = c->host->home;
		c->home_from_passwd = c->host->home_from_passwd && home;
	}
	if (home && !(c->home = strdup(home)))
		return sbx_err(err, -ENOMEM, "out of memory");
	for (; env && *env; env++) {
		if (startswith(*env, "SBX_SANDBOX="))
			continue;
		if (!env_keep(s, *env)) {
			const char *eq = strchr(*env, '=');
			if (strv_pushf(&c->env_removed, "%.*s",
			               (int)(eq ? eq - *env : (long)strlen(*env)), *env) < 0)
				return -ENOMEM;
			continue;
		}
		if (strv_push(&c->env, *env) < 0)
			return -ENOMEM;
	}
	/* --setenv, after scrubbing: replaces a kept variable of the name */
	for (size_t i = 0; i < s->lists[SBX_LIST_SETENV].n; i++) {
		const char *e = s->lists[SBX_LIST_SETENV].v[i];
		size_t n = (size_t)(strchr(e, '=') - e) + 1;
		size_t j = 0;
		while (j < c->env.n && strncmp(c->env.v[j], e, n) != 0)
			j++;
		if (j < c->env.n) {
			char *dup = strdup(e);
			if (!dup)
				return sbx_err(err, -ENOMEM, "out of memory");
			free(c->env.v[j]);
			c->env.v[j] = dup;
		} else if (strv_push(&c->env, e) < 0) {
			return sbx_err(err, -ENOMEM, "out of memory");
		}
	}
	if ((r = existing_protections(c)) < 0)
		return sbx_err(err, r, "out of memory");
	c->requested = sbx_spec_capabilities(s);
	if (!c->read_deny.n)
		c->requested &= ~SBX_CAPSET_OF(SBX_CAP_FS_READ_DENY);
	/* under a read scope, a redacted file is one of the readable paths */
	for (size_t i = 0; c->readable.n && i < c->redact.n; i++)
		if (!strv_contains(&c->readable, c->redact.v[i]) &&
		    strv_push(&c->readable, c->redact.v[i]) < 0)
			return sbx_err(err, -ENOMEM, "out of memory");
	if (c->readable.n && split_denials(c) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	return 0;
}

void sbx_cctx_free(struct sbx_cctx *c)
{
	free(c->dir);
	free(c->tmpdir);
	free(c->home);
	strv_clear(&c->writable);
	strv_clear(&c->readable);
	strv_clear(&c->read_deny);
	strv_clear(&c->write_deny);
	strv_clear(&c->redact);
	strv_clear(&c->write_deny_existing);
	strv_clear(&c->write_deny_missing);
	strv_clear(&c->deny_by_scope);
	strv_clear(&c->allow_socket);
	strv_clear(&c->env);
	strv_clear(&c->env_removed);
}
