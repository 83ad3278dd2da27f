/* docker.h: shared by the docker compiler's files (docker.c, docker_fs.c). */
#ifndef SBX_DOCKER_H
#define SBX_DOCKER_H

#include "container.h"

struct dk {
	const struct sbx_cctx *c;
	struct sbx_plan *p;
	sbx_capset want;
	bool runsc, host_net, can_run;
	bool runtime_seccomp; /* the runsc runtime passes --oci-seccomp */
	const char *docker;
	char *runtime;
	char *image;     /* the pinned id, or the name when the daemon is not reachable */
	strv volumes;    /* the image's VOLUMEs */
	size_t overlays; /* readable directories mounted as overlays */
};

static inline bool want(const struct dk *d, sbx_cap cap)
{
	return (d->want & SBX_CAPSET_OF(cap)) != 0;
}

/* Appends one formatted argument to the plan's argv; 0 or -ENOMEM. */
int dk_opt(struct sbx_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The filesystem options (docker_fs.c): binds, overlays, /tmp, VOLUMEs,
 * --workdir; 0 or -errno (with a message unless -ENOMEM). */
int dk_fs_opts(struct dk *d, sbx_error **err);
/* --mount of src at dst, read-only; 0 or -ENOMEM. */
int dk_bind_ro_to(struct sbx_plan *p, const char *src, const char *dst);

#endif
