/* preload_config.h: what a backend needs to run a command under
 * libsbx-preload.so (preload/): the policy text, sealed in a memfd the
 * command inherits, and the environment naming the library and that fd.
 * The format is documented in preload/README.md. */
#ifndef SBX_PRELOAD_CONFIG_H
#define SBX_PRELOAD_CONFIG_H

#include "internal.h"

/* The capabilities the library can hold for a dynamically linked command. */
#define SBX_PRELOAD_CAPS                                                                           \
	(SBX_CAPSET_OF(SBX_CAP_FS_READ_DENY) | SBX_CAPSET_OF(SBX_CAP_FS_READ_SCOPE) |              \
	 SBX_CAPSET_OF(SBX_CAP_FS_WRITE_SCOPE) | SBX_CAPSET_OF(SBX_CAP_FS_WRITE_DENY) |            \
	 SBX_CAPSET_OF(SBX_CAP_PROC_NO_EXEC))

/* The caveat every plan using the library must show. */
#define SBX_PRELOAD_CAVEAT                                                                         \
	"held only by libsbx-preload.so inside dynamically linked programs: static binaries, raw " \
	"syscalls, io_uring, set-id programs and programs that clear their environment before "    \
	"exec are not covered"

/* How a plan names the mechanism of a capability only the library holds. */
#define SBX_PRELOAD_MECHANISM "libsbx-preload.so (LD_PRELOAD, policy in a sealed memfd) only"

struct sbx_preload_config {
	int fd;     /* sealed memfd holding text, NOT close-on-exec; -1 when unset */
	char *text; /* the policy text */
	strv env;   /* "LD_PRELOAD=<lib>", "SBX_PRELOAD_FD=<fd>" for the command */
};

/* The policy text for the capabilities in enforce (a subset of
 * SBX_PRELOAD_CAPS; only those c->requested counts), built from c's
 * resolved lists. extra_readable (NULL-terminated, may be NULL) adds
 * read-scope entries such as the plan's runtime paths. *out is malloc'd.
 * Returns 0, -ENOTSUP (a capability the library cannot hold), -EINVAL (a
 * path the format cannot carry: relative or with a newline) or -ENOMEM. */
int sbx_preload_config_text(const struct sbx_cctx *c, sbx_capset enforce,
                            char *const *extra_readable, char **out, sbx_error **err);

/* Builds the text, seals it into a memfd (write, grow, shrink and seal
 * seals) and fills out->env with lib (an absolute path without ' ' or ':').
 * The caller keeps out->fd open across the exec of the plan and frees out
 * with sbx_preload_config_free. Returns 0 or a negative errno (as above, or
 * the memfd_create/fcntl failure). */
int sbx_preload_config_build(const struct sbx_cctx *c, sbx_capset enforce,
                             char *const *extra_readable, const char *lib,
                             struct sbx_preload_config *out, sbx_error **err);
void sbx_preload_config_free(struct sbx_preload_config *p);

/* Records in p that the library alone holds the capabilities in held:
 * SBX_PRELOAD_MECHANISM (plus "; how" when how is not NULL) as their
 * mechanism, and SBX_PRELOAD_CAVEAT. 0 or -ENOMEM. */
int sbx_preload_plan_note(struct sbx_plan *p, sbx_capset held, const char *how);

/* Where the library is: $SBX_PRELOAD_LIB, else beside /proc/self/exe (the
 * build tree), else the installed libexec path. malloc'd, or NULL. */
char *sbx_preload_lib_path(void);
/* Where the static sbx-preload-exec helper is, the same way
 * ($SBX_PRELOAD_EXEC first). malloc'd, or NULL. */
char *sbx_preload_exec_path(void);

#endif
