/* sbx.h: the public API of libsbx, the portable sandbox policy library.
 *
 * libsbx turns one portable policy (a Spec) into a Plan for a backend: the
 * exact argv of the process that enforces the policy (sbx-shim for the
 * landlock backend, runsc, docker, sandbox-exec), plus what it enforces, how,
 * and what it cannot. Any backend's plan can be compiled and printed on any
 * host; running a plan needs the backend on this host.
 *
 * Lifecycle of the handles:
 *
 *   sbx_spec    sbx_spec_new -> sbx_spec_set_* / sbx_spec_add / sbx_spec_apply_*
 *               -> sbx_spec_validate (optional) -> sbx_runner_compile/run
 *               -> sbx_spec_free
 *   sbx_runner  sbx_runner_new or sbx_runner_new_backend -> sbx_runner_compile
 *               or sbx_runner_run (any number of times) -> sbx_runner_free
 *   sbx_plan    returned by sbx_runner_compile -> sbx_plan_* getters
 *               -> sbx_plan_free
 *   sbx_error   filled by any function taking `sbx_error **err` when err is
 *               not NULL and *err is NULL -> sbx_error_message -> sbx_error_free
 *
 * Conventions: every function returning int returns 0 on success or a
 * negative errno value (-EINVAL bad input, -ENOMEM, -ENOENT missing file,
 * -ENOTSUP a backend cannot enforce what was asked, -ENODEV backend not
 * available on this host). Strings passed in are copied; strings returned are
 * owned by the handle they come from and live as long as it does, unless the
 * function says otherwise. Handles are not thread-safe; distinct handles may
 * be used from distinct threads.
 */
#ifndef SBX_H
#define SBX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SBX_API
#else
#define SBX_API __attribute__((visibility("default")))
#endif

/* Library version: "MAJOR.MINOR.PATCH". */
#define SBX_VERSION "0.1.0"
SBX_API const char *sbx_version(void);

/* ---------------------------------------------------------------- errors */

/* An error: a one-line human message such as "writable path /x: No such file
 * or directory", and the negative errno the failing call returned. */
typedef struct sbx_error sbx_error;

/* The message; never NULL for a non-NULL error. */
SBX_API const char *sbx_error_message(const sbx_error *err);
/* The negative errno that the failing call returned. */
SBX_API int sbx_error_code(const sbx_error *err);
/* Frees err; NULL is allowed. */
SBX_API void sbx_error_free(sbx_error *err);

/* -------------------------------------------------------------- backends */

typedef enum sbx_backend {
	SBX_BACKEND_AUTO = -1, /* choose per spec on this host (sbx_runner_new) */
	SBX_BACKEND_LANDLOCK = 0,
	SBX_BACKEND_GVISOR,
	SBX_BACKEND_DOCKER_EPHEMERAL,
	SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL,
	SBX_BACKEND_SEATBELT,
	SBX_BACKEND_APPCONTAINER,
	SBX_BACKEND__COUNT
} sbx_backend;

/* All backends, in table order; *n receives SBX_BACKEND__COUNT. */
SBX_API const sbx_backend *sbx_backends(size_t *n);
/* "landlock", "gvisor", ..., "auto" for SBX_BACKEND_AUTO; NULL if out of range. */
SBX_API const char *sbx_backend_name(sbx_backend b);
/* Parses a name (including "auto"); 0 or -EINVAL. */
SBX_API int sbx_backend_from_name(const char *name, sbx_backend *out);

/* ---------------------------------------------------------- capabilities */

/* One named guarantee. The values are part of the ABI (a capset is a bit
 * per value): they never change, and a new capability takes the next one.
 * Listings (sbx_capset_list, _format, plans, --caps) are in name order,
 * which sbx_caps_by_name gives. */
typedef enum sbx_cap {
	SBX_CAP_ENV_SCRUB = 0,
	SBX_CAP_FS_READ_DENY = 1,
	SBX_CAP_FS_READ_HOST = 2,
	SBX_CAP_FS_READ_SCOPE = 3,
	SBX_CAP_FS_WRITE_DENY = 4,
	SBX_CAP_FS_WRITE_EPHEMERAL = 5,
	SBX_CAP_FS_WRITE_SCOPE = 6,
	SBX_CAP_IPC_RESTRICT = 7,
	SBX_CAP_KERNEL_ISOLATION = 8,
	SBX_CAP_MACH_RESTRICT = 9,
	SBX_CAP_NET_DISABLE = 10,
	SBX_CAP_NET_ENABLE = 11,
	SBX_CAP_NET_OUTBOUND = 12,
	SBX_CAP_PROC_NO_EXEC = 13,
	SBX_CAP_RES_CPU = 14,
	SBX_CAP_RES_MEMORY = 15,
	SBX_CAP_RES_PIDS = 16,
	SBX_CAP_FS_WRITE_PROTECT = 17,
	SBX_CAP_FS_READ_REDACT = 18,
	SBX_CAP_NET_ALLOWLIST = 19,
	SBX_CAP__COUNT
} sbx_cap;

/* A set of capabilities: bit (1u << cap) per member. */
typedef uint32_t sbx_capset;

#define SBX_CAPSET_OF(cap) ((sbx_capset)1u << (cap))
#define SBX_CAPSET_ALL     ((sbx_capset)((1u << SBX_CAP__COUNT) - 1u))

/* "net.disable", ...; NULL if out of range. */
SBX_API const char *sbx_cap_name(sbx_cap c);
/* One sentence saying what the guarantee means; NULL if out of range. */
SBX_API const char *sbx_cap_description(sbx_cap c);
/* Parses a name; 0 or -EINVAL. */
SBX_API int sbx_cap_from_name(const char *name, sbx_cap *out);
/* Every capability, sorted by name; *n (if not NULL) receives
 * SBX_CAP__COUNT. */
SBX_API const sbx_cap *sbx_caps_by_name(size_t *n);

static inline bool sbx_capset_has(sbx_capset s, sbx_cap c)
{
	return c >= 0 && c < SBX_CAP__COUNT && (s & SBX_CAPSET_OF(c)) != 0;
}
static inline sbx_capset sbx_capset_union(sbx_capset a, sbx_capset b)
{
	return (a | b) & SBX_CAPSET_ALL;
}
static inline sbx_capset sbx_capset_intersect(sbx_capset a, sbx_capset b)
{
	return a & b & SBX_CAPSET_ALL;
}
/* Members of a that are not in b. */
static inline sbx_capset sbx_capset_sub(sbx_capset a, sbx_capset b)
{
	return a & ~b & SBX_CAPSET_ALL;
}
/* Number of members. */
SBX_API size_t sbx_capset_len(sbx_capset s);
/* Writes up to max members, sorted by name, into out; returns the number of
 * members (which may exceed max: call with max 0 to size the array). */
SBX_API size_t sbx_capset_list(sbx_capset s, sbx_cap *out, size_t max);
/* Writes the members' names separated by sep into buf (snprintf semantics:
 * returns the length the full text needs, excluding the NUL). */
SBX_API size_t sbx_capset_format(sbx_capset s, const char *sep, char *buf, size_t size);

/* What a backend can enforce on a host where it fully works (the static
 * table, identical on every host). */
SBX_API sbx_capset sbx_caps_of(sbx_backend b);
/* What at least one backend can enforce. */
SBX_API sbx_capset sbx_caps_union(void);
/* What is portable: for each OS (Linux, macOS, Windows) the union of the
 * backends that run there, intersected over the OSes. */
SBX_API sbx_capset sbx_caps_intersection(void);

/* ---------------------------------------------------------- policy modes */

typedef enum sbx_net {
	SBX_NET_DISABLE = 0, /* no network at all */
	SBX_NET_ENABLE,      /* unrestricted network */
	SBX_NET_OUTBOUND,    /* outbound connections only; nothing accepts inbound network
	                      * connections (backends may still let unix sockets listen) */
	SBX_NET_ALLOWLIST,   /* a private network: egress only through sbx's proxy, to the
	                      * hosts of SBX_LIST_ALLOW_HOST; nothing inbound */
} sbx_net;

typedef enum sbx_write {
	SBX_WRITE_NONE = 0,  /* no writes except /dev/null and the terminal */
	SBX_WRITE_SCOPE,     /* writes only beneath the writable paths */
	SBX_WRITE_EPHEMERAL, /* every write succeeds, nothing reaches the host */
	SBX_WRITE_OVERLAY,   /* writable paths persist, other writes are ephemeral */
} sbx_write;

/* "disable"/"enable"/"outbound" and back; parse returns 0 or -EINVAL. */
SBX_API const char *sbx_net_name(sbx_net n);
SBX_API int sbx_net_from_name(const char *name, sbx_net *out);
/* "none"/"scope"/"ephemeral"/"overlay" and back. */
SBX_API const char *sbx_write_name(sbx_write w);
SBX_API int sbx_write_from_name(const char *name, sbx_write *out);

/* ------------------------------------------------------------------ spec */

/* What to run and under which policy. A new spec holds the empty policy:
 * net disable, write none, host reads, no lists, no limits, no command. The
 * built-in profiles ("agent", "tight") are applied with sbx_spec_apply_profile. */
typedef struct sbx_spec sbx_spec;

/* The list-valued fields of a spec. */
typedef enum sbx_list {
	SBX_LIST_WRITABLE = 0,        /* paths that may be written (scope, overlay) */
	SBX_LIST_READABLE,            /* if non-empty, reads are limited to these (+ runtime) */
	SBX_LIST_READ_DENY,           /* paths that must not be readable */
	SBX_LIST_ENV_ALLOW,           /* if non-empty, keep only env names matching these globs */
	SBX_LIST_ENV_DENY,            /* drop env names matching these globs (wins over allow) */
	SBX_LIST_MACH_ALLOW,          /* macOS Mach services that stay reachable */
	SBX_LIST_ALLOW_SOCKET,        /* host unix sockets reachable despite ipc.restrict */
	SBX_LIST_SETENV,              /* NAME=VALUE set for the command after scrubbing (the
	                               * last for a NAME wins) */
	SBX_LIST_WRITE_DENY,          /* paths that must not be created, changed, renamed or
	                               * removed, even inside a writable path */
	SBX_LIST_REDACT,              /* INI-style files shown with their credential entries
	                               * removed */
	SBX_LIST_ALLOW_HOST,          /* net=allowlist: name, *.name or IP, optional :PORT */
	SBX_LIST_ALLOW_LOCALHOST,     /* net=allowlist: host loopback ports forwarded in */
	SBX_LIST_WRITE_DENY_EXISTING, /* like WRITE_DENY where the path exists inside a
	                               * writable path (a relative one: in each); else
	                               * nothing, and the plan says where it cannot be held
	                               * (the agent profile's list) */
	SBX_LIST_REDACT_EXISTING,     /* like REDACT where the file exists and the backend
	                               * can; else it stays as the other lists say (the
	                               * agent profile: hidden) */
	SBX_LIST__COUNT
} sbx_list;

/* 0, -ENOMEM. */
SBX_API int sbx_spec_new(sbx_spec **out);
/* A deep copy; 0, -ENOMEM. */
SBX_API int sbx_spec_dup(const sbx_spec *spec, sbx_spec **out);
/* NULL allowed. */
SBX_API void sbx_spec_free(sbx_spec *spec);

/* The command: argv is NULL-terminated and copied; argv[0] is looked up on
 * PATH when it has no '/'. 0, -ENOMEM. */
SBX_API int sbx_spec_set_args(sbx_spec *spec, char *const argv[]);
/* The working directory (NULL: the caller's). Relative paths in the spec are
 * resolved against it. */
SBX_API int sbx_spec_set_dir(sbx_spec *spec, const char *dir);
/* The environment given to the command before scrubbing (NULL: the caller's
 * environ at compile time). envp is NULL-terminated "NAME=value" strings. */
SBX_API int sbx_spec_set_env(sbx_spec *spec, char *const envp[]);
SBX_API void sbx_spec_set_net(sbx_spec *spec, sbx_net net);
SBX_API void sbx_spec_set_write(sbx_spec *spec, sbx_write write);
/* Appends a copy of value to a list; "~" and "~/..." are expanded with HOME
 * for path lists. 0, -EINVAL (bad list), -ENOMEM. */
SBX_API int sbx_spec_add(sbx_spec *spec, sbx_list list, const char *value);
/* Empties a list. */
SBX_API void sbx_spec_clear(sbx_spec *spec, sbx_list list);
/* The list's entries (owned by the spec, valid until it changes); *n gets the
 * count. The array is NULL-terminated. */
SBX_API const char *const *sbx_spec_list(const sbx_spec *spec, sbx_list list, size_t *n);

SBX_API void sbx_spec_set_no_exec(sbx_spec *spec, bool on);
SBX_API void sbx_spec_set_allow_temp(sbx_spec *spec, bool on);
/* Refuse anything outside sbx_caps_intersection() at validation. */
SBX_API void sbx_spec_set_strict(sbx_spec *spec, bool on);
/* Run even where the backend cannot enforce a requested capability: each
 * gap becomes a plan caveat instead of an -ENOTSUP error. */
SBX_API void sbx_spec_set_best_effort(sbx_spec *spec, bool on);
/* Require kernel.isolation (a user-space kernel such as gVisor). */
SBX_API void sbx_spec_set_kernel_isolation(sbx_spec *spec, bool on);
/* The sandbox dies when the process that started the caller dies (checked
 * again once armed, so a parent already gone means nothing runs). */
SBX_API void sbx_spec_set_die_with_parent(sbx_spec *spec, bool on);
/* Let one sandbox of the plan, made by the first, run the later commands
 * of the caller's parent with the same plan (a make's recipes); the
 * landlock backend only, and not with limits, a timeout, no-exec or a
 * report (the plan says why). */
SBX_API void sbx_spec_set_reuse(sbx_spec *spec, bool on);
/* At exit, print on stderr what the sandbox discarded or refused (json: as
 * one line of JSON). The landlock backend only. */
SBX_API void sbx_spec_set_report(sbx_spec *spec, bool on, bool json);
/* CPU cap in logical cores (0: none). Validation rejects < 0 and non-finite. */
SBX_API void sbx_spec_set_cpus(sbx_spec *spec, double cpus);
/* Memory cap in bytes (0: none). */
SBX_API void sbx_spec_set_memory(sbx_spec *spec, int64_t bytes);
/* Process and thread cap (0: none). */
SBX_API void sbx_spec_set_pids(sbx_spec *spec, int64_t pids);
/* Wall-clock limit in seconds (0: none); the run ends with status 124. */
SBX_API void sbx_spec_set_timeout(sbx_spec *spec, double seconds);
/* The backend the spec asks for (SBX_BACKEND_AUTO by default); used by a
 * runner created with SBX_BACKEND_AUTO. */
SBX_API void sbx_spec_set_backend(sbx_spec *spec, sbx_backend b);

SBX_API sbx_net sbx_spec_net(const sbx_spec *spec);
SBX_API sbx_write sbx_spec_write(const sbx_spec *spec);
SBX_API bool sbx_spec_no_exec(const sbx_spec *spec);
SBX_API bool sbx_spec_allow_temp(const sbx_spec *spec);
SBX_API bool sbx_spec_strict(const sbx_spec *spec);
SBX_API bool sbx_spec_best_effort(const sbx_spec *spec);
SBX_API bool sbx_spec_kernel_isolation(const sbx_spec *spec);
SBX_API bool sbx_spec_die_with_parent(const sbx_spec *spec);
SBX_API bool sbx_spec_reuse(const sbx_spec *spec);
SBX_API bool sbx_spec_report(const sbx_spec *spec);
SBX_API double sbx_spec_cpus(const sbx_spec *spec);
SBX_API int64_t sbx_spec_memory(const sbx_spec *spec);
SBX_API int64_t sbx_spec_pids(const sbx_spec *spec);
SBX_API double sbx_spec_timeout(const sbx_spec *spec);
SBX_API sbx_backend sbx_spec_backend(const sbx_spec *spec);
/* NULL when unset. */
SBX_API const char *sbx_spec_dir(const sbx_spec *spec);
SBX_API const char *const *sbx_spec_args(const sbx_spec *spec);

/* The capabilities the spec asks for: its net mode's; fs.write.deny, scope
 * or ephemeral for write none, scope or ephemeral, both scope and ephemeral
 * for overlay; fs.read.scope when READABLE is non-empty, else fs.read.host;
 * fs.read.deny when READ_DENY is non-empty; env.scrub when an env pattern is
 * set; proc.no_exec; mach.restrict when MACH_ALLOW is non-empty;
 * kernel.isolation when asked; res.cpu, res.memory, res.pids when the limit
 * is > 0. ipc.restrict is never requested: backends that can enforce it
 * always do, and list it in the plan's uses. */
SBX_API sbx_capset sbx_spec_capabilities(const sbx_spec *spec);

/* Checks the spec on its own (no host access): a command with a non-empty
 * argv[0]; no blank list entries; env globs well formed; allow-temp or
 * writable paths only with write scope or overlay; write scope with at least
 * one writable path (or allow-temp); each limit 0 (none) or within the
 * SBX_*_MIN/MAX range; with READABLE set, a dir inside some readable or writable path;
 * under strict, no capability outside sbx_caps_intersection() (named in the
 * message). 0 or -EINVAL with the first problem in *err. */
SBX_API int sbx_spec_validate(const sbx_spec *spec, sbx_error **err);

/* ---------------------------------------------------------------- policies */

/* Policy text is "key = value" items separated by newlines or ';', '#'
 * comments, keys being sbx-exec's long option names without dashes
 * ("read-deny = ~/.ssh"). List keys append; an empty value clears the list.
 * "profile = NAME" resets the spec's policy (not its command, dir or env,
 * nor the denials, which accumulate) and applies the named profile. See
 * sbx.policy(5). */

/* Layers. Each of sbx_spec_apply_text, _policy, _env and _profile is one
 * layer over what the spec holds; items applied one by one with
 * sbx_spec_apply_item belong to the layer begun by sbx_spec_begin_layer.
 * Within a layer: lists append and an empty value clears the list; denials
 * (read-deny, write-deny, env-deny) accumulate over every layer, even over
 * a "profile =" item; a "write =" item starts the write grants afresh: the
 * writable paths and allow-temp of lower layers are dropped (those of its
 * own layer are kept, in any order). */
SBX_API void sbx_spec_begin_layer(sbx_spec *spec);
/* Applies one item; key is a long option name without dashes. Keys that are
 * not policy (print, help, ...) are -EINVAL. */
SBX_API int sbx_spec_apply_item(sbx_spec *spec, const char *key, const char *value,
                                sbx_error **err);
/* Applies policy text (inline form). origin names it in error messages. */
SBX_API int sbx_spec_apply_text(sbx_spec *spec, const char *text, const char *origin,
                                sbx_error **err);
/* Resets the policy and applies a named profile: a built-in ("agent",
 * "tight"), else $XDG_CONFIG_HOME/sbx/policies/NAME.policy (default
 * ~/.config/sbx/policies), else /etc/sbx/policies/NAME.policy. -ENOENT if
 * none exists. */
SBX_API int sbx_spec_apply_profile(sbx_spec *spec, const char *name, sbx_error **err);
/* Applies an SBX_POLICY value: inline text when it contains '=', a policy
 * file path when it contains '/', else a profile name looked up as above
 * (but applied on top, without the reset, unless the policy itself says
 * "profile ="). */
SBX_API int sbx_spec_apply_policy(sbx_spec *spec, const char *value, sbx_error **err);
/* Applies the SBX_* variables of envp (NULL: environ) other than
 * SBX_PROFILE and SBX_POLICY, which the caller layers itself. */
SBX_API int sbx_spec_apply_env(sbx_spec *spec, char *const envp[], sbx_error **err);
/* The built-in profile names, NULL-terminated. */
SBX_API const char *const *sbx_builtin_profiles(void);
/* The built-in profile's policy text, NULL if not built in. */
SBX_API const char *sbx_builtin_profile_text(const char *name);

/* Parsers shared with the command line; 0 or -EINVAL. Numbers are plain
 * decimals (no sign, exponent, hexadecimal, inf or nan). */
SBX_API int sbx_parse_size(const char *text, int64_t *bytes);   /* 512, 64k, 2g, 1.5t, 1p */
SBX_API int sbx_parse_duration(const char *text, double *secs); /* 30, 30s, 500ms, 5m, 1h, 2d */

/* The ranges policies accept (values outside are refused when parsed;
 * sbx_spec_set_* callers get them checked by sbx_spec_validate). The
 * memory floor is where no program can start any more; the CPU floor is
 * the smallest cgroup quota (1 ms per 100 ms period). */
#define SBX_CPUS_MIN    0.01
#define SBX_CPUS_MAX    1024.0
#define SBX_MEMORY_MIN  ((int64_t)4 << 20)
#define SBX_MEMORY_MAX  ((int64_t)1 << 50)
#define SBX_PIDS_MAX    4194304
#define SBX_TIMEOUT_MIN 0.001
#define SBX_TIMEOUT_MAX (365.0 * 86400)
SBX_API int sbx_parse_bool(const char *text, bool *out); /* 1/true/yes, 0/false/no */

/* ------------------------------------------------------------------ plan */

/* How the plan presents the filesystem to the command. */
typedef enum sbx_fsv {
	SBX_FSV_NONE = 0, /* the host's filesystem itself, access-controlled */
	SBX_FSV_OVERLAY,  /* the host's files behind a copy-on-write layer */
	SBX_FSV_IMAGE,    /* a container image's files, with binds of host paths */
	SBX_FSV_CLONE,    /* a throw-away clone of the working directory */
} sbx_fsv;

SBX_API const char *sbx_fsv_name(sbx_fsv v);

/* A compiled plan: the argv that enforces the policy and what it does. */
typedef struct sbx_plan sbx_plan;

/* Frees the plan and removes the files it created (an OCI bundle, a seccomp
 * profile): its argv can be run by hand only while the plan lives. */
SBX_API void sbx_plan_free(sbx_plan *plan);
SBX_API sbx_backend sbx_plan_backend(const sbx_plan *plan);
/* The enforcing process's argv, NULL-terminated. For appcontainer the argv is
 * the command itself, run in-process by the library. */
SBX_API const char *const *sbx_plan_argv(const sbx_plan *plan);
/* The environment the enforcing process is started with (scrubbed, with
 * SBX_SANDBOX=<backend>), NULL-terminated. */
SBX_API const char *const *sbx_plan_env(const sbx_plan *plan);
/* The backend's profile text (SBPL, OCI config.json, ...), or NULL. */
SBX_API const char *sbx_plan_profile(const sbx_plan *plan);
/* The capabilities the plan enforces. */
SBX_API sbx_capset sbx_plan_uses(const sbx_plan *plan);
/* The capabilities the spec asked for. */
SBX_API sbx_capset sbx_plan_requested(const sbx_plan *plan);
/* The part of sbx_plan_uses held only by libsbx-preload.so, inside
 * dynamically linked programs (best effort). */
SBX_API sbx_capset sbx_plan_preload_only(const sbx_plan *plan);
/* Why the plan cannot run on this host (backend missing, another OS), or
 * NULL; such a plan can still be printed. */
SBX_API const char *sbx_plan_unavailable(const sbx_plan *plan);
/* true when the plan's argv supervises itself (the landlock backend's
 * sbx-shim): it may be exec'd directly instead of run with
 * sbx_runner_run, which is still correct. */
SBX_API bool sbx_plan_self_supervised(const sbx_plan *plan);
/* The spec's die-with-parent: the caller arms PR_SET_PDEATHSIG on itself
 * before it starts the plan (sbx_runner_run's child has it already). */
SBX_API bool sbx_plan_dies_with_parent(const sbx_plan *plan);
/* Whether the caller may run the plan in a sandbox it shares with the
 * other commands of its parent of the same plan (sbx_spec_set_reuse). */
SBX_API bool sbx_plan_reuse(const sbx_plan *plan);
/* How a used capability is enforced ("landlock (ABI 7)", ...), or NULL. */
SBX_API const char *sbx_plan_mechanism(const sbx_plan *plan, sbx_cap c);
/* Caveats: each a sentence saying where the plan is weaker than asked or
 * than one might assume. NULL-terminated; *n gets the count. */
SBX_API const char *const *sbx_plan_caveats(const sbx_plan *plan, size_t *n);
/* Paths granted beyond the spec's lists so the command can run at all (the
 * runtime under a read scope); NULL-terminated. */
SBX_API const char *const *sbx_plan_runtime_paths(const sbx_plan *plan, size_t *n);
SBX_API sbx_fsv sbx_plan_filesystem_virtualization(const sbx_plan *plan);
/* The plan as text (json false) or JSON (json true), as `sbx-exec --print`
 * shows it. Returns a malloc'd string the caller frees, or NULL (ENOMEM). */
SBX_API char *sbx_plan_format(const sbx_plan *plan, bool json);

/* The capability matrix (every backend's row, the portable column and this
 * host's), as sbx-exec --caps prints it; JSON when json. malloc'd, NULL on
 * ENOMEM. */
SBX_API char *sbx_caps_format(bool json);
/* What this host provides (Landlock ABI, seccomp, user namespaces, cgroups,
 * runsc, docker) and what each backend enforces here, as sbx-exec --doctor
 * prints it; JSON when json. Tries an overlay mount in a child to say
 * whether one works in a user namespace. malloc'd, NULL on ENOMEM. */
SBX_API char *sbx_doctor_format(bool json);

/* ---------------------------------------------------------------- runner */

typedef struct sbx_runner sbx_runner;

/* A runner for this host's default choice: SBX_BACKEND_AUTO, which picks per
 * spec the first backend that is available here and enforces everything the
 * spec asks (Linux: landlock, gvisor, docker-runsc-ephemeral,
 * docker-ephemeral; macOS: seatbelt, then the Docker ones; Windows:
 * appcontainer). A spec's own backend (sbx_spec_set_backend) wins. */
SBX_API int sbx_runner_new(sbx_runner **out, sbx_error **err);
/* A runner for one backend, on any host (compiling works everywhere;
 * running needs the backend here). */
SBX_API int sbx_runner_new_backend(sbx_backend b, sbx_runner **out, sbx_error **err);
SBX_API void sbx_runner_free(sbx_runner *r);
SBX_API sbx_backend sbx_runner_backend(const sbx_runner *r);
/* What the runner's backend enforces on this host: its table row narrowed
 * by what the host provides (Landlock ABI, user namespaces, seccomp user
 * notification, cgroups, runsc/docker present). Probed once per runner. For
 * AUTO, the union over the host's candidates. */
SBX_API sbx_capset sbx_runner_capabilities(const sbx_runner *r);
/* Validates spec and compiles it. The backend is the runner's, or for AUTO
 * the spec's, or the first candidate that enforces everything. Missing
 * capabilities are -ENOTSUP naming them, unless the spec is best-effort.
 * On success *out is a new plan the caller frees. */
SBX_API int sbx_runner_compile(sbx_runner *r, const sbx_spec *spec, sbx_plan **out,
                               sbx_error **err);

/* The exit statuses CONTRACT.md gives besides the command's own (and
 * 128+N for death by signal N). */
#define SBX_EXIT_TIMEOUT     124 /* --timeout: the sandbox was killed */
#define SBX_EXIT_SETUP       125 /* sbx failed; the command never started */
#define SBX_EXIT_CANNOT_EXEC 126 /* the command was found but cannot run */
#define SBX_EXIT_NOT_FOUND   127 /* the command was not found */

/* Descriptors for the command's stdin, stdout, stderr; -1 inherits. */
typedef struct sbx_stdio {
	int in, out, err;
} sbx_stdio;

/* Compiles and runs the spec, waits, and stores in *status the command's
 * exit status as CONTRACT.md defines it (its own status, 128+N for signal N,
 * 124 on timeout, 125 if the sandbox could not be set up, 126/127 when the
 * command could not be executed / found). Returns 0 when the command's
 * status was obtained, or a negative errno when nothing was run. */
SBX_API int sbx_runner_run(sbx_runner *r, const sbx_spec *spec, const sbx_stdio *stdio, int *status,
                           sbx_error **err);

/* The outcome of sbx_plan_run. */
typedef struct sbx_run_result {
	int status;       /* the command's own, 128+N, 124, 125, 126, 127 */
	int signal;       /* the signal that killed the command, or 0 */
	bool timed_out;   /* the spec's timeout ended it (status 124) */
	bool not_started; /* 126/127 found before starting: the reason is in *err */
} sbx_run_result;

/* Runs a compiled plan as a child and waits (on Windows in the AppContainer
 * runner): stdio wired (NULL: the caller's), the timeout enforced, with
 * forward_signals the signals a process sends to the caller passed on to
 * the command (INT, TERM, HUP, QUIT, USR1, USR2, WINCH; the terminal's own
 * reach it directly), and the backend's cleanup (container removal,
 * scratch files) done on every path, by a guard process if the caller is
 * killed. Returns 0 when *res holds the outcome, else a negative errno
 * (nothing ran). A caller that reports as the command did dies of
 * res->signal after this returns. */
SBX_API int sbx_plan_run(const sbx_plan *plan, const sbx_stdio *stdio, bool forward_signals,
                         sbx_run_result *res, sbx_error **err);

#ifdef __cplusplus
}
#endif
#endif /* SBX_H */
