/* cctx.c: turns a validated spec into what every backend compiler needs:
 * absolute, symlink-resolved paths, the temp dir, the scrubbed environment. */
#include "internal.h"

#include <limits.h>
#include <stdio.h>

extern char **environ;

#ifdef _WIN32
/* Windows has no symlink-resolving realpath(3); an absolute, normalised path
 * is what the AppContainer grants need. */
#define realpath(path, out) _fullpath((out), (path), PATH_MAX)
#endif

char *sbx_spec_resolved_dir(const sbx_spec *s);

/* Absolute path of p against dir, with symlinks resolved as far as the path
 * exists (a missing tail stays lexical). */
static char *resolve(const char *dir, const char *p)
{
	_cleanup_free_ char *abs = path_join_normalize(dir, p);
	if (!abs)
		return NULL;
	char real[PATH_MAX];
	if (realpath(abs, real))
		return strdup(real);
	/* Resolve the longest existing prefix and keep the missing tail. */
	for (size_t cut = strlen(abs); cut > 0;) {
		while (cut > 0 && abs[cut] != '/')
			cut--;
		if (cut == 0)
			break;
		abs[cut] = '\0';
		bool ok = realpath(abs, real) != NULL;
		abs[cut] = '/';
		if (ok)
			return path_join_normalize(real, abs + cut + 1);
		cut--;
	}
	return steal_pointer(&abs);
}

static int resolve_list(strv *out, const strv *in, const char *dir)
{
	for (size_t i = 0; i < in->n; i++) {
		char *r = resolve(dir, in->v[i]);
		if (!r || strv_take(out, r) < 0)
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

int sbx_cctx_init(struct sbx_cctx *c, const struct sbx_spec *s, sbx_error **err)
{
	*c = (struct sbx_cctx){.spec = s, .host = sbx_host_get()};
	c->dir = sbx_spec_resolved_dir(s);
	if (!c->dir)
		return -ENOMEM;
	char *dir = resolve("/", c->dir);
	if (!dir)
		return -ENOMEM;
	free(c->dir);
	c->dir = dir;
	if (resolve_list(&c->writable, &s->lists[SBX_LIST_WRITABLE], c->dir) < 0 ||
	    resolve_list(&c->readable, &s->lists[SBX_LIST_READABLE], c->dir) < 0 ||
	    resolve_list(&c->read_deny, &s->lists[SBX_LIST_READ_DENY], c->dir) < 0 ||
	    resolve_list(&c->allow_socket, &s->lists[SBX_LIST_ALLOW_SOCKET], c->dir) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	char *const *env = s->env_set ? strv_get(&s->env) : environ;
	const char *tmp = env_value(env, "TMPDIR");
	c->tmpdir = resolve("/", tmp && tmp[0] == '/' ? tmp : "/tmp");
	const char *home = env_value(env, "HOME");
	if (home && *home)
		c->home = strdup(home);
	if (!c->tmpdir)
		return -ENOMEM;
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
	c->requested = sbx_spec_capabilities(s);
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
	strv_clear(&c->allow_socket);
	strv_clear(&c->env);
	strv_clear(&c->env_removed);
}
