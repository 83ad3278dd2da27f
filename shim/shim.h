/* shim.h: sbx-shim, the trampoline that applies the landlock backend's
 * isolation and then runs the command. Its options are low-level and
 * documented in `sbx-shim --help` and sbx-shim(1); sbx-exec builds them.
 *
 * sbx-exec links this code and runs shim_main() in-process for landlock
 * plans (saving one exec); the static sbx-shim binary runs the same code. */
#ifndef SBX_SHIM_H
#define SBX_SHIM_H

#include "util.h"

#include <stdbool.h>
#include <stdint.h>

enum shim_net {
	SHIM_NET_ENABLE = 0,
	SHIM_NET_OUTBOUND,
	SHIM_NET_DISABLE,
};

/* One Landlock rule: a path and what it grants. */
enum shim_rule_kind {
	RULE_READ,     /* read, list, execute beneath */
	RULE_WRITE,    /* everything beneath */
	RULE_DEV,      /* read, write, ioctl on a device file */
};

struct shim_rule {
	enum shim_rule_kind kind;
	const char *path;
	bool optional; /* skip when the path does not exist */
};

struct shim_config {
	const char *prog;     /* name for messages: "sbx-exec" or "sbx-shim" */
	char **argv;          /* the command */
	char **envp;          /* its environment */
	const char *chdir;
	double timeout;       /* seconds, 0 none */

	/* Landlock */
	int ll_abi;           /* ABI the plan was compiled for; 0 = no Landlock */
	struct shim_rule *rules;
	size_t nrules;
	bool ll_tty;          /* allow the terminal(s) on fds 0-2 and /dev/tty */
	bool ll_proc_self;    /* allow reading /proc/self of the command */

	enum shim_net net;
};

/* Runs the shim: parses argv (argv[0] is the shim's own name) and never
 * returns on success; returns an exit status on failure (125 for setup
 * failures, after printing "PROG: reason"). */
int shim_main(const char *prog, int argc, char **argv, char **envp);

/* Steps, each returning 0 or -1 after printing why. */
int shim_landlock_apply(const struct shim_config *c);
int shim_seccomp_apply(const struct shim_config *c);
int shim_drop_privileges(const struct shim_config *c);
/* Forks the sandboxed child, runs child_fn in it, supervises it (signals,
 * timeout, left-behind processes) and returns the exit status to use. */
int shim_supervise(const struct shim_config *c, int (*child_fn)(const struct shim_config *));

void shim_die_msg(const struct shim_config *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int shim_fail(const struct shim_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
