/* docker.c: the docker-ephemeral and docker-runsc-ephemeral compilers (not
 * written yet: see the open issue). */
#include "internal.h"

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	(void)h;
	a->unavailable = "the docker backends are not implemented in this build yet";
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	(void)c;
	(void)p;
	return sbx_err(err, -ENOTSUP, "the docker backends are not implemented in this build yet");
}

const struct sbx_backend_impl sbx_backend_docker_ephemeral = {
	.id = SBX_BACKEND_DOCKER_EPHEMERAL,
	.probe = probe,
	.compile = compile,
};

const struct sbx_backend_impl sbx_backend_docker_runsc_ephemeral = {
	.id = SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL,
	.probe = probe,
	.compile = compile,
};
