/* preload_config.c: turns a compile context into libsbx-preload.so's
 * policy (preload/README.md) and seals it in a memfd the command inherits,
 * so the command cannot swap it for another. */
#include "preload_config.h"

#include <fcntl.h>
#include <stdio.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

/* Devices any write scope allows, as the landlock backend does. */
static const char *const write_devs[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/tty", NULL};
/* What a read scope always allows on top of the runtime paths. */
static const char *const read_always[] = {"/dev/null",    "/dev/zero", "/dev/full",  "/dev/random",
                                          "/dev/urandom", "/dev/tty",  "/proc/self", NULL};

/* Adds "key path" lines, each path normalised and listed once per key. */
static int add_list(buf *b, const char *key, char *const *v, strv *seen, sbx_error **err)
{
	for (; v && *v; v++) {
		if ((*v)[0] != '/' || strchr(*v, '\n'))
			return sbx_err(err, -EINVAL, "preload policy: cannot carry path '%s'", *v);
		char *norm = path_join_normalize("/", *v);
		if (!norm)
			return -ENOMEM;
		if (strv_contains(seen, norm)) {
			free(norm);
			continue;
		}
		buf_addf(b, "%s %s\n", key, norm);
		if (strv_take(seen, norm) < 0)
			return -ENOMEM;
	}
	return 0;
}

int sbx_preload_config_text(const struct sbx_cctx *c, sbx_capset enforce,
                            char *const *extra_readable, char **out, sbx_error **err)
{
	const struct sbx_spec *s = c->spec;
	sbx_capset bad = sbx_capset_sub(enforce, SBX_PRELOAD_CAPS);
	if (bad) {
		char names[512];
		sbx_capset_format(bad, ", ", names, sizeof(names));
		return sbx_err(err, -ENOTSUP, "libsbx-preload.so cannot enforce %s", names);
	}
	enforce = sbx_capset_intersect(enforce, c->requested);
	_cleanup_buf_ buf b = {0};
	_cleanup_strv_ strv seen_r = {0}, seen_w = {0}, seen_d = {0}, seen_s = {0};
	int r = 0;
	buf_add(&b, "sbx-preload 1\n");
	if (sbx_capset_has(enforce, SBX_CAP_PROC_NO_EXEC))
		buf_add(&b, "no-exec\n");
	bool rscope = sbx_capset_has(enforce, SBX_CAP_FS_READ_SCOPE);
	bool wscope = enforce & (CAP(FS_WRITE_SCOPE) | CAP(FS_WRITE_DENY));
	if (rscope)
		buf_add(&b, "read-scope\n");
	if (wscope)
		buf_add(&b, "write-scope\n");
	/* Each key's lines are consecutive, as the format requires. */
	if (sbx_capset_has(enforce, SBX_CAP_FS_READ_DENY))
		r = add_list(&b, "read-deny", strv_get(&c->read_deny), &seen_d, err);
	if (r == 0 && rscope) {
		r = add_list(&b, "read", strv_get(&c->readable), &seen_r, err);
		if (r == 0)
			r = add_list(&b, "read", extra_readable, &seen_r, err);
		if (r == 0)
			r = add_list(&b, "read", (char *const *)read_always, &seen_r, err);
	}
	if (r == 0 && wscope) {
		if (sbx_capset_has(enforce, SBX_CAP_FS_WRITE_SCOPE)) {
			r = add_list(&b, "write", strv_get(&c->writable), &seen_w, err);
			if (r == 0 && s->allow_temp && c->tmpdir) {
				char *const tmp[] = {c->tmpdir, NULL};
				r = add_list(&b, "write", tmp, &seen_w, err);
			}
		}
		if (r == 0)
			r = add_list(&b, "write", (char *const *)write_devs, &seen_w, err);
		if (r == 0)
			r = add_list(&b, "socket", strv_get(&c->allow_socket), &seen_s, err);
	}
	if (r < 0)
		return r;
	buf_add(&b, "end\n");
	if (b.oom || !(*out = buf_steal(&b)))
		return -ENOMEM;
	return 0;
}

int sbx_preload_config_build(const struct sbx_cctx *c, sbx_capset enforce,
                             char *const *extra_readable, const char *lib,
                             struct sbx_preload_config *out, sbx_error **err)
{
	*out = (struct sbx_preload_config){.fd = -1};
	if (!lib || lib[0] != '/' || strpbrk(lib, " :\n"))
		return sbx_err(err, -EINVAL,
		               "preload library path '%s' must be absolute, without "
		               "spaces or colons",
		               lib ? lib : "");
	int r = sbx_preload_config_text(c, enforce, extra_readable, &out->text, err);
	if (r < 0)
		return r;
#ifndef __linux__
	return sbx_err(err, -ENOTSUP, "the preload library exists on Linux only");
#else
	/* Deliberately not MFD_CLOEXEC: the command inherits it. */
	_cleanup_close_ int fd =
	    sbx_memfd_sealed("sbx-preload", out->text, strlen(out->text), false);
	if (fd < 0)
		return sbx_err_errno(err, fd, "sealing the preload policy in a memfd");
	if (strv_pushf(&out->env, "LD_PRELOAD=%s", lib) < 0 ||
	    strv_pushf(&out->env, "SBX_PRELOAD_FD=%d", fd) < 0)
		return -ENOMEM;
	out->fd = steal_fd(&fd);
	return 0;
#endif
}

void sbx_preload_config_free(struct sbx_preload_config *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	free(p->text);
	p->text = NULL;
	strv_clear(&p->env);
}

int sbx_preload_plan_note(struct sbx_plan *p, sbx_capset held, const char *how)
{
	for (int i = 0; i < SBX_CAP__COUNT; i++)
		if ((held & SBX_CAPSET_OF(i)) &&
		    sbx_plan_set_mechanism(p, (sbx_cap)i, "%s%s%s", SBX_PRELOAD_MECHANISM,
		                           how ? "; " : "", how ? how : "") < 0)
			return -ENOMEM;
	return held ? sbx_plan_caveat(p, "%s", SBX_PRELOAD_CAVEAT) : 0;
}

char *sbx_preload_lib_path(void)
{
	return sbx_helper_path("SBX_PRELOAD_LIB", "libsbx-preload.so", R_OK);
}

char *sbx_preload_exec_path(void)
{
	return sbx_helper_path("SBX_PRELOAD_EXEC", "sbx-preload-exec", X_OK);
}
