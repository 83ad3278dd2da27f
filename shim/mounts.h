/* mounts.h: shared by the mount tree's files: mounts.c (the steps in
 * order, binds, masks, protection) and views.c (the copy-on-write views). */
#ifndef SBX_SHIM_MOUNTS_H
#define SBX_SHIM_MOUNTS_H

#include "shim.h"

#define STAGE      "/dev/shm"
#define MAX_DEPTH  2  /* below directories holding mounts, in general */
#define DEEP_DEPTH 32 /* toward the working directory and the masked paths */

struct mctx {
	struct shim_config *c;
	strv mountpoints;  /* the host's mount points, from mountinfo */
	int *keep_fds;     /* O_PATH fds of --bind/--socket sources, by mount index */
	int *trees;        /* their detached copies (open_tree), or -1 */
	bool *hidden;      /* --mask/--hide steps already done by a whiteout */
	bool have_sources; /* the read-only mask sources exist */
	int shm_fd;        /* with an IPC namespace: the private /dev/shm's
	                    * directory of the stage, or -1 */
	unsigned overlays;
	bool grant_writes; /* views made for --cow-root take writes; --cow ones
	                    * only hold read-deny placeholders */
	buf views;         /* with a report: "N<TAB>DIR" per upper layer u/N */
};

/* Is p beneath a --bind path (the host's own, where no view reaches)? */
bool shim_beneath_bind(const struct shim_config *c, const char *p);
/* Whether a --redact path lies strictly beneath dir (a mask of dir then
 * keeps a hole for it). */
bool shim_redacted_beneath(const struct shim_config *c, const char *dir);
/* Makes dir copy-on-write (views.c): one overlay when no mount lies
 * beneath it, else its subdirectories one level down; 0 or -1 with the
 * message. */
int shim_cow_dir(struct mctx *m, const char *dir, int depth);

#endif
