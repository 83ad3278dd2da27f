/* main.c: sbx-exec. Command line -> layered Spec -> Plan -> print or run.
 *
 * Layers, lowest first (CONTRACT.md): built-in agent defaults, the profile
 * (--profile / SBX_PROFILE), the policy (--policy / SBX_POLICY), the SBX_*
 * variables, the options. */
#include "launcher.h"
#include "../lib/internal.h"
#include "../shim/shim.h"

#include <signal.h>
#include <stdio.h>
#ifndef _WIN32
#include <sys/resource.h>
#endif

extern char **environ;

void errorf(const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sbx-exec: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (hint)
		fprintf(stderr, "%s\n", hint);
}

static int fail(sbx_error *err, const char *hint)
{
	errorf(hint, "%s", sbx_error_message(err));
	sbx_error_free(err);
	return 125;
}

static const char *env_or(const char *opt, const char *name)
{
	if (opt)
		return opt;
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* Builds the spec from the layers. 0 or 125 after printing why. */
static int build_spec(const struct cli *cli, sbx_spec *spec)
{
	sbx_error *err = NULL;
	const char *profile = env_or(cli->profile, "SBX_PROFILE");
	const char *policy = env_or(cli->policy, "SBX_POLICY");
	if (sbx_spec_apply_profile(spec, profile ? profile : "agent", &err) < 0)
		return fail(err, NULL);
	if (policy && sbx_spec_apply_policy(spec, policy, &err) < 0)
		return fail(err, NULL);
	if (sbx_spec_apply_env(spec, environ, &err) < 0)
		return fail(err, NULL);
	sbx_spec_begin_layer(spec); /* the options */
	for (size_t i = 0; i < cli->keys.n; i++)
		if (sbx_spec_apply_item(spec, cli->keys.v[i], cli->values.v[i], &err) < 0) {
			char *msg = NULL;
			if (asprintf(&msg, "--%s: %s", cli->keys.v[i], sbx_error_message(err)) < 0)
				msg = NULL;
			errorf(NULL, "%s", msg ? msg : sbx_error_message(err));
			free(msg);
			sbx_error_free(err);
			return 125;
		}
	if (sbx_spec_set_args(spec, cli->command) < 0 || sbx_spec_set_env(spec, environ) < 0) {
		errorf(NULL, "out of memory");
		return 125;
	}
	return 0;
}

/* Runs a plan whose enforcing process needs supervision afterwards. */
static int run_supervised(const sbx_plan *plan)
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
	if (res.timed_out)
		errorf(NULL, "timed out; the sandbox was killed");
#ifndef _WIN32
	if (res.signal) {
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		signal(res.signal, SIG_DFL);
		raise(res.signal);
	}
#endif
	return res.status;
}

static int run(const struct cli *cli)
{
	_cleanup_(sbx_spec_freep) sbx_spec *spec = NULL;
	if (sbx_spec_new(&spec) < 0) {
		errorf(NULL, "out of memory");
		return 125;
	}
	int rc = build_spec(cli, spec);
	if (rc)
		return rc;
	if (!cli->command[0]) {
		errorf("Try 'sbx-exec --help' for more information.", "no command given");
		return 125;
	}
	sbx_runner *runner = NULL;
	sbx_plan *plan = NULL;
	sbx_error *err = NULL;
	if (sbx_runner_new(&runner, &err) < 0)
		return fail(err, NULL);
	rc = sbx_runner_compile(runner, spec, &plan, &err);
	sbx_runner_free(runner);
	if (rc < 0)
		return fail(err, rc == -ENOTSUP ? "Use --best-effort to run with these gaps stated "
		                                  "as caveats (with --print to see that plan)."
		                                : NULL);
	if (cli->print) {
		char *text = sbx_plan_format(plan, cli->json);
		fputs(text ? text : "", stdout);
		free(text);
		sbx_plan_free(plan);
		return 0;
	}
	if (plan->unavailable) {
		errorf(NULL, "cannot run: %s", plan->unavailable);
		sbx_plan_free(plan);
		return 125;
	}
	sbx_capset gaps = sbx_capset_sub(plan->requested, plan->uses);
	if (gaps) {
		char names[512];
		sbx_capset_format(gaps, ", ", names, sizeof(names));
		errorf(NULL, "warning: best effort: NOT enforced on %s: %s (see --print)",
		       sbx_backend_name(plan->backend), names);
	}
	if (plan->preload_only & plan->uses) {
		char names[512];
		sbx_capset_format(plan->preload_only & plan->uses, ", ", names, sizeof(names));
		errorf(NULL,
		       "warning: best effort: held only by libsbx-preload.so, inside dynamically "
		       "linked programs: %s (see --print)",
		       names);
	}
	if (!plan->exec_direct) {
		rc = run_supervised(plan);
		sbx_plan_free(plan);
		return rc;
	}
#ifdef __linux__
	/* The landlock plan's argv is sbx-shim's: run the same code in this
	 * process instead of paying for one more exec. */
	_cleanup_strv_ strv args = plan->argv, env = plan->env;
	plan->argv = (strv){0};
	plan->env = (strv){0};
	sbx_plan_free(plan);
	/* shim_main returns when it supervised the command: free what it ran. */
	rc = shim_main("sbx-exec", (int)args.n, args.v, env.v);
	return rc;
#else
	/* Only the Linux shim execs directly, and its plans are unavailable
	 * elsewhere: reaching this is a bug, and nothing runs. */
	errorf(NULL, "internal error: a %s plan cannot be exec'd directly on this OS",
	       sbx_backend_name(plan->backend));
	sbx_plan_free(plan);
	return 125;
#endif
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	const char *shim = shim_name(argc > 0 ? argv[0] : NULL);
	if (shim) {
		/* Run through an exec shim: argv[1...] belong to the real command. */
		char **cmd = NULL;
		int status = shim_command(shim, argv, &cmd);
		if (status == 0) {
			cli.command = cmd;
			status = run(&cli);
			shim_command_free(cmd);
		}
		return status;
	}
	if (cli_parse(&cli, argc, argv) < 0)
		return 125;
	int rc;
	if (cli.help) {
		cli_print_help();
		rc = 0;
	} else if (cli.version) {
		report_version();
		rc = 0;
	} else if (cli.caps) {
		rc = report_caps(cli.json);
	} else if (cli.doctor) {
		rc = report_doctor(cli.json);
	} else if (cli.install_shims) {
		rc = shims_install(&cli);
	} else {
		rc = run(&cli);
	}
	cli_free(&cli);
	return rc;
}
