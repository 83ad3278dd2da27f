/* launcher.h: sbx-exec's internal interfaces. */
#ifndef SBX_LAUNCHER_H
#define SBX_LAUNCHER_H

#include "sbx.h"
#include "sys.h"
#include "util.h"

static inline void sbx_spec_freep(sbx_spec **s)
{
	sbx_spec_free(*s);
}

/* What the command line asked for, in order. */
struct cli {
	bool print, json, caps, doctor, help, version;
	const char *profile; /* last --profile */
	const char *policy;  /* last --policy */
	/* --install-shims DIR: the command words are the shims to create */
	const char *install_shims;
	strv keys, values; /* policy items from options, in order */
	char **command;    /* the command and its arguments (points into argv) */
};

/* Parses argv into cli; 0, or -EINVAL after printing the error. */
int cli_parse(struct cli *cli, int argc, char **argv);
void cli_free(struct cli *cli);
/* Builds spec from the layers, lowest first: the profile (--profile or
 * SBX_PROFILE, else agent), the policy (--policy or SBX_POLICY), the other
 * SBX_* variables, the options; then the command and the environment.
 * 0, or 125 after printing why. */
int cli_build_spec(const struct cli *cli, sbx_spec *spec);
void cli_print_help(void);

/* Exec shims (exec_shims.c). The shim name argv0 stands for, or NULL when argv0
 * names sbx-exec itself. */
const char *execshim_name(const char *argv0);
/* The command a shim runs: the real name found on PATH (not sbx-exec), then
 * argv[1...]. 0 with *out set (free with execshim_command_free), or the exit
 * status after printing why (127: not found). */
int execshim_command(const char *name, char **argv, char ***out);
void execshim_command_free(char **cmd);
/* --install-shims DIR CMD...; returns the exit status. */
int execshims_install(const struct cli *cli);

/* --reuse (reuse.c): runs the plan's command (argc/argv: its sbx-shim
 * command line, envp: its environment) in the sandbox the parent's earlier
 * command of the same plan made, making it if none; the exit status, or -1
 * when nothing ran (then the caller starts afresh). */
int launcher_reuse(int argc, char **argv, char **envp);
/* Before the plan is compiled (a run with --reuse): finds the parent and
 * the names from what the plan is made of, and connects to the parent's
 * server if one answers, so that its admission runs beside the compile.
 * launcher_reuse uses what it found; without it, no reuse. */
void launcher_reuse_early(const struct cli *cli);
/* Closes what launcher_reuse_early found, for a plan that is not reused. */
void launcher_reuse_forget(void);
/* main's argc and argv: the memory of the process's command line, which a
 * detached helper of --reuse rewrites (reuse.c) */
extern int launcher_argc;
extern char **launcher_argv;

/* Prints the capability matrix (--caps); returns the exit status. */
int report_caps(bool json);
/* Prints what the host provides (--doctor); returns the exit status. */
int report_doctor(bool json);
/* Prints the version, backends and library versions (--version). */
void report_version(void);

/* "sbx-exec: msg" on stderr; then, if hint, "hint" on its own line. */
void errorf(const char *hint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
