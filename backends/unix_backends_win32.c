/* unix_backends_win32.c: the landlock, gvisor and docker backends in the
 * Windows build. Their compilers look at the host they compile on (its
 * files, mounts, engines) and use POSIX calls; none of them runs on
 * Windows, so this build says so instead of compiling their plans. */
#include "internal.h"

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	(void)h;
	a->unavailable = "the landlock, gvisor and docker backends do not run on Windows";
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	(void)c;
	(void)p;
	return sbx_err(err, -ENOTSUP,
	               "the Windows build of sbx cannot compile landlock, gvisor or "
	               "docker plans: they are compiled against the host they run on; "
	               "use a Linux or macOS build");
}

const struct sbx_backend_impl sbx_backend_landlock = {
    .id = SBX_BACKEND_LANDLOCK, .probe = probe, .compile = compile};
const struct sbx_backend_impl sbx_backend_gvisor = {
    .id = SBX_BACKEND_GVISOR, .probe = probe, .compile = compile};
const struct sbx_backend_impl sbx_backend_docker_ephemeral = {
    .id = SBX_BACKEND_DOCKER_EPHEMERAL, .probe = probe, .compile = compile};
const struct sbx_backend_impl sbx_backend_docker_runsc_ephemeral = {
    .id = SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL, .probe = probe, .compile = compile};

long sbx_runsc_version(const char *runsc, char *text, size_t size)
{
	(void)runsc;
	if (text && size)
		text[0] = '\0';
	return -1;
}
