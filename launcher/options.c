/* options.c: sbx-exec's command line: GNU-style long options up to the first
 * non-option word or "--"; everything after is the command. Also the spec
 * built from it and the policy layers, and the one-line error messages. */
#include "launcher.h"

#include <stdio.h>

enum arg { NONE, REQUIRED, OPTIONAL_BOOL };

struct option_def {
	const char *name;
	enum arg arg;
	const char *meta;
	const char *help;
};

/* The table --help prints and the parser reads. Policy options become
 * items applied with sbx_spec_apply_item under the same name. */
static const struct option_def options[] = {
    {"profile", REQUIRED, "NAME", "starting defaults: agent (default), tight, or a named policy"},
    {"policy", REQUIRED, "VALUE",
     "policy on top of the profile: a name, a file, or inline "
     "'k=v; k=v'"},
    {"backend", REQUIRED, "NAME",
     "auto (default), landlock, gvisor, docker-ephemeral, "
     "docker-runsc-ephemeral, seatbelt, appcontainer"},
    {"net", REQUIRED, "MODE", "network: disable, enable, outbound, allowlist"},
    {"allow-host", REQUIRED, "PATTERN",
     "egress by name through sbx's proxy: name, *.name or IP, "
     "optional :PORT; implies --net=allowlist (repeatable)"},
    {"allow-localhost", REQUIRED, "PORT",
     "forward the host's loopback PORT into an allowlist sandbox "
     "(repeatable)"},
    {"write", REQUIRED, "MODE", "filesystem writes: none, scope, ephemeral, overlay"},
    {"writable", REQUIRED, "PATH", "path that may be written (scope/overlay; repeatable)"},
    {"readable", REQUIRED, "PATH", "restrict reads to these paths plus the runtime (repeatable)"},
    {"read-deny", REQUIRED, "PATH", "path that must not be readable (repeatable)"},
    {"redact", REQUIRED, "PATH",
     "show an INI-style config file with its credential entries "
     "removed (repeatable)"},
    {"write-deny", REQUIRED, "PATH",
     "path that must not be changed, renamed or removed, even "
     "inside a writable path (repeatable)"},
    {"no-exec", OPTIONAL_BOOL, NULL, "no new program image after the command starts"},
    {"allow-temp", OPTIONAL_BOOL, NULL, "also allow writes to the temp dir (scope/overlay)"},
    {"cpus", REQUIRED, "N", "CPU cap in cores, 0.01 to 1024, e.g. 1.5"},
    {"memory", REQUIRED, "SIZE", "memory cap, 4m to 1p: bytes or with k/m/g/t/p"},
    {"pids", REQUIRED, "N", "process and thread cap, 1 to 4194304"},
    {"env-deny", REQUIRED, "PATTERN", "drop environment variables matching (repeatable)"},
    {"env-allow", REQUIRED, "PATTERN", "if any, keep only matching variables (repeatable)"},
    {"mach-allow", REQUIRED, "NAME", "macOS Mach service allowed, Seatbelt only (repeatable)"},
    {"dir", REQUIRED, "PATH", "working directory of the command"},
    {"strict", OPTIONAL_BOOL, NULL, "refuse anything outside the portable capabilities"},
    {"best-effort", OPTIONAL_BOOL, NULL,
     "run even where a requested capability cannot be "
     "enforced; each gap becomes a caveat"},
    {"kernel-isolation", OPTIONAL_BOOL, NULL, "require a user-space kernel (gVisor)"},
    {"allow-socket", REQUIRED, "PATH",
     "host unix socket still reachable while IPC is "
     "restricted (repeatable)"},
    {"setenv", REQUIRED, "NAME=VALUE",
     "set a variable for the command, after scrubbing (repeatable)"},
    {"die-with-parent", OPTIONAL_BOOL, NULL, "the sandbox dies when sbx-exec's parent dies"},
    {"reuse", OPTIONAL_BOOL, NULL,
     "one sandbox runs all commands of sbx-exec's parent (a make) with this plan"},
    {"report", OPTIONAL_BOOL, NULL,
     "at exit, list on stderr what was discarded or refused "
     "(--json: as JSON)"},
    {"keep-discarded", REQUIRED, "DIR", "save the discarded writes under DIR for review"},
    {"timeout", REQUIRED, "DURATION", "kill the sandbox after 30s, 5m, 1h (exit 124)"},
    {"install-shims", REQUIRED, "DIR", "create exec shims in DIR for the COMMAND names given"},
    {"print", NONE, NULL, "compile and print the plan; run nothing"},
    {"json", NONE, NULL, "with --print, --caps, --doctor: JSON output"},
    {"caps", NONE, NULL, "print the capability matrix"},
    {"doctor", NONE, NULL, "report which isolation features this host provides"},
    {"help", NONE, NULL, "show this help"},
    {"version", NONE, NULL, "show the version, backends and library versions"},
};

void cli_print_help(void)
{
	printf("Usage: sbx-exec [OPTION]... [--] COMMAND [ARG]...\n"
	       "Run COMMAND in a sandbox: the policy's filesystem, network, exec, IPC and\n"
	       "resource limits, on the best backend this host has.\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct option_def *o = &options[i];
		char left[64];
		if (o->arg == REQUIRED)
			snprintf(left, sizeof(left), "--%s=%s", o->name, o->meta);
		else
			snprintf(left, sizeof(left), "--%s", o->name);
		printf("  %-24s %s\n", left, o->help);
	}
	printf("\nEvery policy option has an environment twin (SBX_NET, SBX_WRITABLE, ...;\n"
	       "path lists split on ':', pattern lists on ','). SBX_POLICY holds a policy\n"
	       "name, file or inline text. Precedence, lowest first: the agent defaults,\n"
	       "the profile, the policy, SBX_* variables, options. List options accumulate;\n"
	       "an empty value (--writable=) clears the list so far.\n\n"
	       "Exit status: COMMAND's own; 128+N if killed by signal N; 124 on --timeout;\n"
	       "125 if sbx-exec failed and nothing ran; 126 if COMMAND could not be\n"
	       "executed; 127 if it was not found.\n\n"
	       "See sbx-exec(1) and sbx.policy(5).\n");
}

static const struct option_def *find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

static int set_action(struct cli *cli, const char *name)
{
	if (streq(name, "print"))
		cli->print = true;
	else if (streq(name, "json"))
		cli->json = true;
	else if (streq(name, "caps"))
		cli->caps = true;
	else if (streq(name, "doctor"))
		cli->doctor = true;
	else if (streq(name, "help"))
		cli->help = true;
	else if (streq(name, "version"))
		cli->version = true;
	return 0;
}

int cli_parse(struct cli *cli, int argc, char **argv)
{
	/* usage errors are one line; --help says the rest */
	const char *hint = NULL;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (streq(a, "--")) {
			i++;
			break;
		}
		if (streq(a, "-h")) {
			cli->help = true;
			continue;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] != '-') {
			errorf(hint, "unknown option '%s'", a);
			return -EINVAL;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct option_def *o = find(name, len);
		if (!o) {
			errorf(hint, "unknown option '--%.*s'", (int)len, name);
			return -EINVAL;
		}
		const char *val = eq ? eq + 1 : NULL;
		if (o->arg == NONE && val) {
			errorf(hint, "option '--%s' takes no value", o->name);
			return -EINVAL;
		}
		if (o->arg == REQUIRED && !val) {
			if (i + 1 >= argc) {
				errorf(hint, "option '--%s' needs a value", o->name);
				return -EINVAL;
			}
			val = argv[++i];
		}
		if (o->arg == NONE) {
			set_action(cli, o->name);
		} else if (streq(o->name, "profile")) {
			cli->profile = val;
		} else if (streq(o->name, "policy")) {
			cli->policy = val;
		} else if (streq(o->name, "install-shims")) {
			cli->install_shims = val;
		} else if (strv_push(&cli->keys, o->name) < 0 ||
		           strv_push(&cli->values, val ? val : "true") < 0) {
			errorf(NULL, "out of memory");
			return -ENOMEM;
		}
	}
	cli->command = argv + i;
	return 0;
}

void cli_free(struct cli *cli)
{
	strv_clear(&cli->keys);
	strv_clear(&cli->values);
}

/* Writes s with control characters escaped: a path holding a newline
 * cannot break the one-line message (or forge a second one). */
static void put_escaped(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '\n')
			fputs("\\n", stderr);
		else if (*c == '\t')
			fputs("\\t", stderr);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(stderr, "\\x%02x", *c);
		else
			fputc(*c, stderr);
	}
}

void errorf(const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fputs("sbx-exec: ", stderr);
	put_escaped(n >= 0 && msg ? msg : "(message lost: out of memory)");
	fputc('\n', stderr);
	free(msg);
	if (hint) {
		put_escaped(hint);
		fputc('\n', stderr);
	}
}

static int fail(sbx_error *err, const char *hint)
{
	errorf(hint, "%s", sbx_error_message(err));
	sbx_error_free(err);
	return SBX_EXIT_SETUP;
}

static const char *env_or(const char *opt, const char *name)
{
	if (opt)
		return opt;
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int cli_build_spec(const struct cli *cli, sbx_spec *spec)
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
			return SBX_EXIT_SETUP;
		}
	/* --json: the plan with --print, the report with --report */
	bool report = sbx_spec_report(spec);
	if (cli->json && !cli->print && !report)
		errorf(NULL, "warning: --json applies only with --print, --caps, --doctor or "
		             "--report; ignored");
	sbx_spec_set_report(spec, report, cli->json);
	if (sbx_spec_set_args(spec, cli->command) < 0 || sbx_spec_set_env(spec, environ) < 0) {
		errorf(NULL, "out of memory");
		return SBX_EXIT_SETUP;
	}
	return 0;
}
