/* main.c: sbx-exec. Command line -> layered Spec -> Plan -> print or run.
 *
 * Layers, lowest first (CONTRACT.md): built-in agent defaults, the profile
 * (--profile / SBX_PROFILE), the policy (--policy / SBX_POLICY), the SBX_*
 * variables, the options. */
#include "launcher.h"
#include "../shim/entry.h"
#include "internal.h"

#include <signal.h>
#include <stdio.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifndef _WIN32
#include <sys/resource.h>
#endif

extern char **environ;

/* What printing commands exit with: rc, or 125 when stdout could not
 * take the output (--print > /dev/full). */
static int output_status(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		errorf(NULL, "cannot write the output: %s", strerror(errno ? errno : EIO));
		return SBX_EXIT_SETUP;
	}
	return rc;
}

static int fail(sbx_error *err, const char *hint)
{
	errorf(hint, "%s", sbx_error_message(err));
	sbx_error_free(err);
	return SBX_EXIT_SETUP;
}

/* Whether --best-effort would compile what was refused (compiling runs
 * and writes nothing: trying is how to know; some refusals it does not
 * relax, an option only another backend has). */
static bool best_effort_would(sbx_spec *spec)
{
	if (sbx_spec_best_effort(spec))
		return false;
	sbx_runner *r = NULL;
	sbx_plan *p = NULL;
	sbx_spec_set_best_effort(spec, true);
	bool ok = sbx_runner_new(&r, NULL) == 0 && sbx_runner_compile(r, spec, &p, NULL) == 0;
	sbx_spec_set_best_effort(spec, false);
	sbx_plan_free(p);
	sbx_runner_free(r);
	return ok;
}

/* Runs a plan whose enforcing process needs supervision afterwards. */
static int run_supervised(const sbx_plan *plan, double timeout)
{
	struct sbx_run_result res;
	sbx_error *err = NULL;
	if (sbx_plan_run(plan, NULL, true, &res, &err) < 0)
		return fail(err, NULL);
	if (res.not_started) {
		errorf(NULL, "%s", err ? sbx_error_message(err) : "the command cannot be run");
		sbx_error_free(err);
		return res.status;
	}
	if (res.timed_out) /* as sbx-shim's supervisor says it */
		errorf(NULL, "timed out after %gs; the sandbox was killed", timeout);
#ifndef _WIN32
	if (res.signal)
		sbx_sup_reraise(res.signal); /* lib/supervise.c: after the cleanup */
#endif
	return res.status;
}

#ifdef __linux__
/* --die-with-parent: SIGKILL to sbx-exec when the process that started it
 * dies (the sandbox then dies with sbx-exec, and the guard cleans up).
 * Armed, then checked: a parent gone before that means nothing runs. */
static pid_t parent_at_start;
static int die_with_parent(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		errorf(NULL, "--die-with-parent: prctl: %s", strerror(errno));
		return -1;
	}
	if (getppid() != parent_at_start) {
		errorf(NULL, "--die-with-parent: the process that started sbx-exec is gone");
		return -1;
	}
	return 0;
}
#endif

static int compile_and_run(const struct cli *cli, sbx_spec *spec);

static int run(const struct cli *cli)
{
	_cleanup_(sbx_spec_freep) sbx_spec *spec = NULL;
	if (sbx_spec_new(&spec) < 0) {
		errorf(NULL, "out of memory");
		return SBX_EXIT_SETUP;
	}
	int rc = cli_build_spec(cli, spec);
	if (rc)
		return rc;
	if (!cli->command[0]) {
		errorf(NULL, "no command given (sbx-exec [OPTION]... -- COMMAND [ARG]...)");
		return SBX_EXIT_SETUP;
	}
	/* A run (not --print) leaves the user namespace probe to the clone
	 * that makes the sandbox, and compiles again if that clone is refused
	 * (lib/host.c, shim/entry.h); it makes no probe that only words a
	 * caveat, which a run does not print. */
	if (!cli->print) {
		sbx_host_defer_userns();
		sbx_host_defer_caveats();
#ifdef __linux__
		if (sbx_spec_reuse(spec))
			launcher_reuse_early(cli);
#endif
	}
	rc = compile_and_run(cli, spec);
	if (rc == SHIM_RETRY_USERNS && sbx_host_userns_retry())
		rc = compile_and_run(cli, spec);
	return rc == SHIM_RETRY_USERNS ? SBX_EXIT_SETUP : rc;
}

/* Compiles spec for this host and runs the plan (or prints it). */
static int compile_and_run(const struct cli *cli, sbx_spec *spec)
{
	int rc;
	sbx_runner *runner = NULL;
	sbx_plan *plan = NULL;
	sbx_error *err = NULL;
	if (sbx_runner_new(&runner, &err) < 0)
		return fail(err, NULL);
	rc = sbx_runner_compile(runner, spec, &plan, &err);
	sbx_runner_free(runner);
	if (rc < 0)
		return fail(err, rc == -ENOTSUP && best_effort_would(spec)
		                     ? "Use --best-effort to run with these gaps stated "
		                       "as caveats (with --print to see that plan)."
		                     : NULL);
	if (cli->print) {
		char *text = sbx_plan_format(plan, cli->json);
		fputs(text ? text : "", stdout);
		free(text);
		sbx_plan_free(plan);
		return output_status(0);
	}
	if (sbx_plan_unavailable(plan)) {
		errorf(NULL, "cannot run: %s", sbx_plan_unavailable(plan));
		sbx_plan_free(plan);
		return SBX_EXIT_SETUP;
	}
	sbx_capset uses = sbx_plan_uses(plan), held_by_preload = sbx_plan_preload_only(plan);
	sbx_capset gaps = sbx_capset_sub(sbx_plan_requested(plan), uses);
	/* (a plan compiled again, run()'s retry, says only what changed) */
	static sbx_capset said_gaps, said_preload;
	if (gaps == said_gaps)
		gaps = 0;
	else
		said_gaps = gaps;
	if ((held_by_preload & uses) == said_preload)
		held_by_preload = 0;
	else
		said_preload = held_by_preload & uses;
	if (gaps) {
		char names[512];
		sbx_capset_format(gaps, ", ", names, sizeof(names));
		errorf(NULL, "warning: best effort: NOT enforced on %s: %s (see --print)",
		       sbx_backend_name(sbx_plan_backend(plan)), names);
	}
	if (held_by_preload & uses) {
		char names[512];
		sbx_capset_format(held_by_preload & uses, ", ", names, sizeof(names));
		errorf(NULL,
		       "warning: best effort: held only by libsbx-preload.so, inside dynamically "
		       "linked programs: %s (see --print)",
		       names);
	}
#ifdef __linux__
	if (sbx_plan_dies_with_parent(plan) && die_with_parent() < 0) {
		sbx_plan_free(plan);
		return SBX_EXIT_SETUP;
	}
#endif
#ifdef __linux__
	if (!sbx_plan_reuse(plan))
		launcher_reuse_forget(); /* (a connection made early, unused) */
#endif
	if (!sbx_plan_self_supervised(plan)) {
		rc = run_supervised(plan, sbx_spec_timeout(spec));
		sbx_plan_free(plan);
		return rc;
	}
#ifdef __linux__
	/* The landlock plan's argv is sbx-shim's: run the same code in this
	 * process instead of paying for one more exec. */
	_cleanup_strv_ strv args = {0}, env = {0};
	if (strv_extend(&args, (char *const *)sbx_plan_argv(plan)) < 0 ||
	    strv_extend(&env, (char *const *)sbx_plan_env(plan)) < 0) {
		sbx_plan_free(plan);
		errorf(NULL, "out of memory");
		return SBX_EXIT_SETUP;
	}
	bool reuse = sbx_plan_reuse(plan);
	sbx_plan_free(plan);
	if (reuse && (rc = launcher_reuse((int)args.n, args.v, env.v)) >= 0)
		return rc;
	if (sbx_host_get()->userns_untried)
		shim_defer_userns(); /* (sbx_host_defer_userns, above) */
	/* shim_main returns when it supervised the command: free what it ran. */
	rc = shim_main("sbx-exec", (int)args.n, args.v, env.v);
	return rc;
#else
	/* Only the Linux shim execs directly, and its plans are unavailable
	 * elsewhere: reaching this is a bug, and nothing runs. */
	errorf(NULL, "internal error: a %s plan cannot be exec'd directly on this OS",
	       sbx_backend_name(sbx_plan_backend(plan)));
	sbx_plan_free(plan);
	return SBX_EXIT_SETUP;
#endif
}

/* The SBX_* variables sbx reads (sbx_spec_apply_env's twins and the rest),
 * for telling a misspelt one. */
static const char *const known_env[] = {
    "SBX_POLICY",
    "SBX_PROFILE",
    "SBX_BACKEND",
    "SBX_NET",
    "SBX_WRITE",
    "SBX_WRITABLE",
    "SBX_READABLE",
    "SBX_READ_DENY",
    "SBX_NO_EXEC",
    "SBX_ALLOW_TEMP",
    "SBX_CPUS",
    "SBX_MEMORY",
    "SBX_PIDS",
    "SBX_ENV_DENY",
    "SBX_ENV_ALLOW",
    "SBX_MACH_ALLOW",
    "SBX_DIR",
    "SBX_STRICT",
    "SBX_BEST_EFFORT",
    "SBX_KERNEL_ISOLATION",
    "SBX_ALLOW_SOCKET",
    "SBX_TIMEOUT",
    "SBX_SETENV",
    "SBX_WRITE_DENY",
    "SBX_WRITE_DENY_EXISTING",
    "SBX_REDACT_EXISTING",
    "SBX_REDACT",
    "SBX_REPORT",
    "SBX_ALLOW_HOST",
    "SBX_ALLOW_LOCALHOST",
    "SBX_KEEP_DISCARDED",
    "SBX_DIE_WITH_PARENT",
    "SBX_REUSE",
    "SBX_SANDBOX",
    "SBX_RUNSC",
    "SBX_DOCKER",
    "SBX_DOCKER_IMAGE",
    "SBX_DOCKER_RUNTIME",
    "SBX_SANDBOX_EXEC",
    "SBX_SHIM",
    "SBX_PRELOAD_LIB",
    "SBX_PRELOAD_EXEC",
    "SBX_DOCKER_RUNSC_RUNTIME",
    "SBX_DOCKER_RUNSC_HOST_RUNTIME",
};

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t d[41][41];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	return d[la][lb];
}

/* One warning line for an SBX_* variable sbx does not read but that is
 * close to one it does (SBX_POLCY): it would be silently ignored. */
static void warn_unknown_env(void)
{
	for (char **e = environ; e && *e; e++) {
		if (!startswith(*e, "SBX_"))
			continue;
		char name[64];
		size_t n = strcspn(*e, "=");
		if (n >= sizeof(name))
			continue;
		memcpy(name, *e, n);
		name[n] = '\0';
		const char *best = NULL;
		size_t bestd = 3;
		for (size_t i = 0; i < ARRAY_SIZE(known_env); i++) {
			size_t dist = edit_distance(name, known_env[i]);
			if (dist < bestd) {
				bestd = dist;
				best = known_env[i];
			}
		}
		if (best && bestd > 0)
			errorf(NULL, "warning: %s is not a variable sbx reads (did you mean %s?)",
			       name, best);
	}
}

int main(int argc, char **argv)
{
	launcher_argc = argc;
	launcher_argv = argv;
#ifdef __linux__
	parent_at_start = getppid();
#endif
	struct cli cli = {0};
	const char *shim = execshim_name(argc > 0 ? argv[0] : NULL);
	if (shim) {
		/* Run through an exec shim: argv[1...] belong to the real command. */
		char **cmd = NULL;
		int status = execshim_command(shim, argv, &cmd);
		if (status == 0) {
			cli.command = cmd;
			status = run(&cli);
			execshim_command_free(cmd);
		}
		return status;
	}
	if (cli_parse(&cli, argc, argv) < 0) {
		cli_free(&cli);
		return SBX_EXIT_SETUP;
	}
	warn_unknown_env();
	int rc;
	if (cli.help) {
		cli_print_help();
		rc = output_status(0);
	} else if (cli.version) {
		report_version();
		rc = output_status(0);
	} else if (cli.caps) {
		rc = output_status(report_caps(cli.json));
	} else if (cli.doctor) {
		rc = output_status(report_doctor(cli.json));
	} else if (cli.install_shims) {
		rc = execshims_install(&cli);
	} else {
		rc = run(&cli);
	}
	cli_free(&cli);
	return rc;
}
