/* fuzz_cli.c: sbx-exec's command line, as --print takes it: the words of
 * the input (split at NUL bytes) are parsed, the spec is built from the
 * layers (profile, policy, SBX_* variables, options) and compiled for the
 * landlock backend, and the plan is printed as text and JSON. Nothing is
 * run. */
#include "fuzz.h"
#include "launcher.h"

#include <assert.h>
#include <stdio.h>

static sbx_runner *runner;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 14)
		return 0;
	if (!runner) {
		sbx_error *err = NULL;
		if (sbx_runner_new_backend(SBX_BACKEND_LANDLOCK, &runner, &err) < 0)
			abort();
	}
	int argc;
	char *buf;
	char **argv = fuzz_argv(data, size, "sbx-exec", &argc, &buf);
	if (!argv)
		return 0;
	struct cli cli = {0};
	if (cli_parse(&cli, argc, argv) == 0 && cli.command && cli.command[0] && !cli.help &&
	    !cli.version && !cli.caps && !cli.doctor && !cli.install_shims) {
		sbx_spec *spec = NULL;
		if (sbx_spec_new(&spec) == 0 && cli_build_spec(&cli, spec) == 0) {
			sbx_plan *plan = NULL;
			sbx_error *err = NULL;
			if (sbx_runner_compile(runner, spec, &plan, &err) == 0) {
				free(sbx_plan_format(plan, false));
				free(sbx_plan_format(plan, true));
				sbx_plan_free(plan);
			} else {
				assert(err && sbx_error_message(err)[0]);
				sbx_error_free(err);
			}
		}
		sbx_spec_free(spec);
	}
	cli_free(&cli);
	free(argv);
	free(buf);
	return 0;
}
