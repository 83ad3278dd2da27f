/* docker_fs.c: what the docker backends bind into the container: the
 * readable paths read-only (or, under write=ephemeral and overlay, a
 * readable directory as an overlay the daemon mounts), the writable ones
 * read-write, a private /tmp, the image's VOLUMEs by the write mode. */
#include "docker.h"

#include <stdio.h>
#include <sys/stat.h>

/* --mount's value is CSV: quote a field holding a comma or a quote. */
static void mount_field(buf *b, const char *key, const char *val)
{
	bool quote = strpbrk(val, ",\"") != NULL;
	if (!quote) {
		buf_addf(b, "%s=%s", key, val);
		return;
	}
	buf_addf(b, "\"%s=", key);
	for (const char *s = val; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

static int bind_path(struct sbx_plan *p, const char *path, bool ro)
{
	_cleanup_buf_ buf b = {0};
	buf_add(&b, "type=bind,");
	mount_field(&b, "src", path);
	buf_addc(&b, ',');
	mount_field(&b, "dst", path);
	if (ro)
		buf_add(&b, ",readonly");
	if (b.oom || strv_push(&p->argv, "--mount") < 0 || strv_push(&p->argv, b.s) < 0)
		return -ENOMEM;
	return 0;
}

static int check_exists(const struct dk *d, const char *what, const char *path, sbx_error **err)
{
	struct stat st;
	if (sbx_host_fs(d->c->host)->stat(path, &st) < 0)
		return sbx_err_errno(err, -errno, "%s path %s", what, path);
	return 0;
}

/* A name overlayfs takes in its option string: none of the separators
 * (',' between options, ':' between lower layers, '\\' its escape) nor a
 * quote of --mount's CSV. */
static bool overlay_name_ok(const char *path)
{
	return path && !strpbrk(path, ",:\\\"");
}

/* write=ephemeral and overlay: a readable directory becomes an overlay the
 * daemon mounts (an anonymous volume of the local driver, removed with the
 * container) over the host's directory, its upper and work directories in
 * the plan's scratch directory: writes beneath it succeed and are removed
 * with the scratch directory after the run. 1 when mounted so, 0 when the
 * path cannot be (a file, or a name overlayfs cannot take): *why says
 * why, and the caller binds it read-only. */
static int overlay_path(struct dk *d, const char *path, const struct stat *st, const char **why,
                        sbx_error **err)
{
	struct sbx_plan *p = d->p;
	*why = !S_ISDIR(st->st_mode)    ? "it is not a directory"
	       : !overlay_name_ok(path) ? "overlayfs cannot take a name with ',', ':', '\\' "
	                                  "or '\"'"
	                                : NULL;
	if (*why)
		return 0;
	int r =
	    p->scratch_dir ? 0 : ctr_scratch_name(d->c->host, "sbx-docker", &p->scratch_dir, err);
	if (r < 0)
		return r;
	if (!overlay_name_ok(p->scratch_dir)) {
		*why = "the scratch directory's name (TMPDIR) is one overlayfs cannot take";
		return 0;
	}
	_cleanup_free_ char *ov = NULL, *upn = NULL, *wkn = NULL, *up = NULL, *wk = NULL;
	size_t n = d->overlays++;
	if (asprintf(&ov, "overlay%zu", n) < 0 || asprintf(&upn, "%s/upper", ov) < 0 ||
	    asprintf(&wkn, "%s/work", ov) < 0 || !(up = path_join_normalize(p->scratch_dir, upn)) ||
	    !(wk = path_join_normalize(p->scratch_dir, wkn)))
		return -ENOMEM;
	/* the upper directory is the overlay's root: the host directory's
	 * mode and owner */
	if (sbx_plan_add_file(p, ov, NULL, 0700) < 0 ||
	    sbx_plan_add_file(p, upn, NULL, st->st_mode & 07777) < 0 ||
	    sbx_plan_add_file(p, wkn, NULL, 0700) < 0)
		return -ENOMEM;
	p->files[p->nfiles - 2].uid = (long)st->st_uid;
	p->files[p->nfiles - 2].gid = (long)st->st_gid;
	_cleanup_buf_ buf b = {0};
	buf_add(&b, "type=volume,");
	mount_field(&b, "dst", path);
	buf_addf(&b,
	         ",volume-driver=local,volume-opt=type=overlay,volume-opt=device=overlay,"
	         "\"volume-opt=o=lowerdir=%s,upperdir=%s,workdir=%s\"",
	         path, up, wk);
	if (b.oom || strv_push(&p->argv, "--mount") < 0 || strv_push(&p->argv, b.s) < 0)
		return -ENOMEM;
	return 1;
}

int dk_fs_opts(struct dk *d, sbx_error **err)
{
	const struct sbx_cctx *c = d->c;
	const struct sbx_spec *s = c->spec;
	struct sbx_plan *p = d->p;
	int r;
	bool layer = s->write == SBX_WRITE_EPHEMERAL || s->write == SBX_WRITE_OVERLAY;
	if (!layer && strv_push(&p->argv, "--read-only") < 0)
		return -ENOMEM;
	/* a path both readable and writable is bound once, read-write */
	for (size_t i = 0; i < c->readable.n; i++) {
		const char *path = c->readable.v[i];
		if (strv_contains(&c->writable, path) || (s->allow_temp && streq(path, c->tmpdir)))
			continue;
		struct stat st;
		if (sbx_host_fs(c->host)->stat(path, &st) < 0)
			return sbx_err_errno(err, -errno, "readable path %s", path);
		const char *why = NULL;
		if (layer && (r = overlay_path(d, path, &st, &why, err)) != 0) {
			if (r < 0)
				return r;
			continue;
		}
		if (why &&
		    sbx_plan_caveat(p,
		                    "write=%s: the readable path %s is bound read-only (%s), "
		                    "so writes beneath it fail (EROFS) instead of being "
		                    "discarded",
		                    sbx_write_name(s->write), path, why) < 0)
			return -ENOMEM;
		if ((r = bind_path(p, path, true)) < 0)
			return r;
	}
	for (size_t i = 0; i < c->writable.n; i++)
		if ((r = check_exists(d, "writable", c->writable.v[i], err)) < 0 ||
		    (r = bind_path(p, c->writable.v[i], false)) < 0)
			return r;
	if (s->allow_temp && !strv_contains(&c->writable, c->tmpdir) &&
	    (r = bind_path(p, c->tmpdir, false)) < 0)
		return r;
	/* write=none and scope: a private temp dir, as the landlock backend
	 * gives (an in-memory tmpfs, gone with the container) */
	bool tmp_bound = false;
	for (size_t i = 0; i < c->writable.n; i++)
		tmp_bound |= path_is_beneath(c->writable.v[i], "/tmp");
	for (size_t i = 0; i < c->readable.n; i++)
		tmp_bound |= path_is_beneath(c->readable.v[i], "/tmp");
	if (!layer && !s->allow_temp && !tmp_bound &&
	    dk_opt(p, "--tmpfs=/tmp:rw,nosuid,nodev,mode=1777") < 0)
		return -ENOMEM;
	for (size_t i = 0; i < c->allow_socket.n; i++)
		if ((r = check_exists(d, "allowed socket", c->allow_socket.v[i], err)) < 0 ||
		    (r = bind_path(p, c->allow_socket.v[i], false)) < 0)
			return r;
	/* The image's VOLUMEs would be writable anonymous volumes: under
	 * write=none and scope they are mounted read-only (removed with
	 * --rm either way). */
	for (size_t i = 0; !layer && i < d->volumes.n; i++) {
		/* docker refuses a read-only anonymous volume: an empty
		 * read-only tmpfs instead (the image's content there hidden) */
		if (strchr(d->volumes.v[i], ':') || strchr(d->volumes.v[i], ','))
			return sbx_err(err, -EINVAL,
			               "the image's VOLUME %s cannot be named to docker",
			               d->volumes.v[i]);
		if (dk_opt(p, "--tmpfs=%s:ro,nosuid,nodev", d->volumes.v[i]) < 0)
			return -ENOMEM;
	}
	return dk_opt(p, "--workdir=%s", c->dir);
}

int dk_bind_ro_to(struct sbx_plan *p, const char *src, const char *dst)
{
	_cleanup_buf_ buf b = {0};
	buf_add(&b, "type=bind,");
	mount_field(&b, "src", src);
	buf_addf(&b, ",dst=%s,readonly", dst);
	if (b.oom || strv_push(&p->argv, "--mount") < 0 || strv_push(&p->argv, b.s) < 0)
		return -ENOMEM;
	return 0;
}
