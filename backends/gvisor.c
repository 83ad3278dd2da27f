/* gvisor.c: the gvisor backend's compiler (not written yet: see the open issue). */
#include "internal.h"

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	(void)h;
	a->unavailable = "the gvisor backend is not implemented in this build yet";
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	(void)c;
	(void)p;
	return sbx_err(err, -ENOTSUP, "the gvisor backend is not implemented in this build yet");
}

const struct sbx_backend_impl sbx_backend_gvisor = {
	.id = SBX_BACKEND_GVISOR,
	.probe = probe,
	.compile = compile,
};
