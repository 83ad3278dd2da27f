/* appcontainer.c: the appcontainer backend's compiler (not written yet: see the open issue). */
#include "internal.h"

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	(void)h;
	a->unavailable = "the appcontainer backend is not implemented in this build yet";
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	(void)c;
	(void)p;
	return sbx_err(err, -ENOTSUP, "the appcontainer backend is not implemented in this build yet");
}

const struct sbx_backend_impl sbx_backend_appcontainer = {
	.id = SBX_BACKEND_APPCONTAINER,
	.probe = probe,
	.compile = compile,
};
