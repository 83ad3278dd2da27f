/* container.h: helpers shared by the container backends (gvisor.c, docker.c):
 * scratch directories, unique names, running a helper for its output, the
 * seccomp rules both express as JSON. Private to backends/. */
#ifndef SBX_BACKENDS_CONTAINER_H
#define SBX_BACKENDS_CONTAINER_H

#include "internal.h"

/* The name of a private directory $TMPDIR/PREFIX.PID-RANDOM (TMPDIR of
 * sbx-exec, the host's, else /tmp) for the plan's scratch_dir, which the
 * runner makes (0700) when the plan runs; *out malloc'd. 0 or -ENOMEM. */
int ctr_scratch_name(const struct sbx_host *h, const char *prefix, char **out, sbx_error **err);

/* Refuses (-EINVAL, naming it) a string of the spec that is not valid
 * UTF-8: runsc's and docker's JSON would replace its bytes, and a mask or
 * bind would then apply elsewhere. */
int ctr_check_utf8(const struct sbx_cctx *c, sbx_error **err);

/* A name no concurrent run shares: "sbx-PID-RANDOM". malloc'd or NULL. */
char *ctr_unique_name(void);

/* Value of NAME in a NAME=value vector, or NULL. */

/* The seccomp rules of a plan: execve/execveat refused (no_exec),
 * listen/accept/accept4 refused (outbound), each with EPERM, everything else
 * allowed. Appends a JSON object in the shape both the OCI runtime spec and
 * docker's --security-opt seccomp= profile read. hardening adds the calls a
 * sandboxed command never needs (ptrace, keyrings, bpf, mount, ...), for
 * docker, whose own default profile a custom one replaces. setid (for a
 * command run by root) refuses setting the setuid and setgid bits
 * (lib/setid_calls.h): 1 with the calls every runtime knows, 2 with
 * fchmodat2 too (runc skips a name its libseccomp lacks; runsc does not). */
void ctr_seccomp_json(buf *b, bool no_exec, bool outbound, bool hardening, int setid);

/* Adds the shell-quoted argv to the text, one line. */
void ctr_add_argv_line(buf *b, const strv *argv);

#endif
