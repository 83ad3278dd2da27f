/* landlock_internal.h: shared by the landlock backend's compiler files. */
#ifndef SBX_LANDLOCK_INTERNAL_H
#define SBX_LANDLOCK_INTERNAL_H

#include "internal.h"
#include "options.h" /* the shim options the plans write: SHIM_OPT(ID) */

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

struct ll_ctx {
	const struct sbx_cctx *c;
	const struct sbx_fs *fs; /* the host's files, as the compile sees them */
	struct sbx_plan *p;
	sbx_error **err;
	int abi;           /* Landlock ABI the plan handles; 0: no Landlock on this host */
	bool ns;           /* user, mount, pid and IPC namespaces */
	char *preload_lib; /* libsbx-preload.so, when the plan uses it */
	strv cow;          /* copy-on-write roots planned */
	strv hidden;       /* host IPC locations hidden */
};

/* Appends "opt" or "opt val" to the plan's argv; 0 or -ENOMEM. */
int ll_opt(struct sbx_plan *p, const char *opt, const char *val);
/* Fills p->runtime_paths for a read-scoped command. */
int ll_runtime_paths(struct ll_ctx *l);
/* Filesystem and IPC options (landlock_fs.c). */
int ll_plan_fs(struct ll_ctx *l);
/* The whole plan inside another sbx sandbox (landlock_nested.c). */
int ll_plan_nested(struct ll_ctx *l);

#endif
