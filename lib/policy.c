/* policy.c: policy items, policy text and files, and the SBX_* environment
 * twins (the built-in profiles' text: profiles.c). Layering is the caller applying these in order
 * onto one spec: lists append, an empty value clears, scalars overwrite. */
#include "internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

extern char **environ;

#define MAX_DEPTH 8

enum kind {
	K_PROFILE,
	K_BACKEND,
	K_NET,
	K_WRITE,
	K_LIST,
	K_BOOL,
	K_CPUS,
	K_SIZE,
	K_PIDS,
	K_DURATION,
	K_DIR,
	K_KEEP
};

struct key {
	const char *name;
	const char *env;
	enum kind kind;
	int which;    /* list id, or bool field id */
	char env_sep; /* list separator in the environment twin */
};

enum {
	B_NO_EXEC,
	B_ALLOW_TEMP,
	B_STRICT,
	B_BEST_EFFORT,
	B_KERNEL_ISOLATION,
	B_DIE_WITH_PARENT,
	B_REUSE,
	B_REPORT
};

static const struct key keys[] = {
    {"profile", "SBX_PROFILE", K_PROFILE, 0, 0},
    {"backend", "SBX_BACKEND", K_BACKEND, 0, 0},
    {"net", "SBX_NET", K_NET, 0, 0},
    {"write", "SBX_WRITE", K_WRITE, 0, 0},
    {"writable", "SBX_WRITABLE", K_LIST, SBX_LIST_WRITABLE, ':'},
    {"readable", "SBX_READABLE", K_LIST, SBX_LIST_READABLE, ':'},
    {"read-deny", "SBX_READ_DENY", K_LIST, SBX_LIST_READ_DENY, ':'},
    {"no-exec", "SBX_NO_EXEC", K_BOOL, B_NO_EXEC, 0},
    {"allow-temp", "SBX_ALLOW_TEMP", K_BOOL, B_ALLOW_TEMP, 0},
    {"cpus", "SBX_CPUS", K_CPUS, 0, 0},
    {"memory", "SBX_MEMORY", K_SIZE, 0, 0},
    {"pids", "SBX_PIDS", K_PIDS, 0, 0},
    {"env-deny", "SBX_ENV_DENY", K_LIST, SBX_LIST_ENV_DENY, ','},
    {"env-allow", "SBX_ENV_ALLOW", K_LIST, SBX_LIST_ENV_ALLOW, ','},
    {"mach-allow", "SBX_MACH_ALLOW", K_LIST, SBX_LIST_MACH_ALLOW, ','},
    {"dir", "SBX_DIR", K_DIR, 0, 0},
    {"strict", "SBX_STRICT", K_BOOL, B_STRICT, 0},
    {"best-effort", "SBX_BEST_EFFORT", K_BOOL, B_BEST_EFFORT, 0},
    {"kernel-isolation", "SBX_KERNEL_ISOLATION", K_BOOL, B_KERNEL_ISOLATION, 0},
    {"allow-socket", "SBX_ALLOW_SOCKET", K_LIST, SBX_LIST_ALLOW_SOCKET, ':'},
    {"timeout", "SBX_TIMEOUT", K_DURATION, 0, 0},
    {"setenv", "SBX_SETENV", K_LIST, SBX_LIST_SETENV, '\n'},
    {"write-deny", "SBX_WRITE_DENY", K_LIST, SBX_LIST_WRITE_DENY, ':'},
    {"write-deny-existing", "SBX_WRITE_DENY_EXISTING", K_LIST, SBX_LIST_WRITE_DENY_EXISTING, ':'},
    {"redact", "SBX_REDACT", K_LIST, SBX_LIST_REDACT, ':'},
    {"redact-existing", "SBX_REDACT_EXISTING", K_LIST, SBX_LIST_REDACT_EXISTING, ':'},
    {"allow-host", "SBX_ALLOW_HOST", K_LIST, SBX_LIST_ALLOW_HOST, ','},
    {"allow-localhost", "SBX_ALLOW_LOCALHOST", K_LIST, SBX_LIST_ALLOW_LOCALHOST, ','},
    {"die-with-parent", "SBX_DIE_WITH_PARENT", K_BOOL, B_DIE_WITH_PARENT, 0},
    {"reuse", "SBX_REUSE", K_BOOL, B_REUSE, 0},
    {"report", "SBX_REPORT", K_BOOL, B_REPORT, 0},
    {"keep-discarded", "SBX_KEEP_DISCARDED", K_KEEP, 0, 0},
};

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (streq(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static bool is_denial(int list)
{
	return list == SBX_LIST_READ_DENY || list == SBX_LIST_ENV_DENY ||
	       list == SBX_LIST_WRITE_DENY || list == SBX_LIST_REDACT ||
	       list == SBX_LIST_WRITE_DENY_EXISTING || list == SBX_LIST_REDACT_EXISTING;
}

void sbx_spec_begin_layer(sbx_spec *s)
{
	s->layer_writable = s->lists[SBX_LIST_WRITABLE].n;
	s->layer_temp = false;
}

/* keep_denials: a "profile =" item above the base layer resets everything
 * but the denials, which accumulate over every layer. */
static void reset_policy(sbx_spec *s, bool keep_denials)
{
	for (int i = 0; i < SBX_LIST__COUNT; i++)
		if (!keep_denials || !is_denial(i))
			strv_clear(&s->lists[i]);
	s->net = SBX_NET_DISABLE;
	s->write = SBX_WRITE_NONE;
	s->no_exec = s->allow_temp = s->strict = s->best_effort = s->kernel_isolation = false;
	s->die_with_parent = s->report = s->reuse = false;
	free(s->keep_discarded);
	s->keep_discarded = NULL;
	s->cpus = 0;
	s->memory = s->pids = 0;
	s->timeout = 0;
	s->backend = SBX_BACKEND_AUTO;
	s->layer_writable = 0;
	s->layer_temp = false;
}

static int apply_profile(sbx_spec *s, const char *name, int depth, bool keep_denials,
                         sbx_error **err);
static int apply_file(sbx_spec *s, const char *path, int depth, sbx_error **err);

static int bad_value(sbx_error **err, const char *key, const char *value, const char *want)
{
	return sbx_err(err, -EINVAL, "invalid %s '%s': expected %s", key, value, want);
}

/* A write mode starts the write grants afresh: what lower layers made
 * writable (the profile's "." and temp dir) is dropped, this layer's own
 * grants are kept. */
static void drop_lower_grants(sbx_spec *s)
{
	strv *w = &s->lists[SBX_LIST_WRITABLE];
	size_t lower = s->layer_writable < w->n ? s->layer_writable : w->n;
	if (lower) {
		for (size_t i = 0; i < lower; i++)
			free(w->v[i]);
		memmove(w->v, w->v + lower, (w->n - lower + 1) * sizeof(*w->v));
		w->n -= lower;
	}
	s->layer_writable = 0;
	if (!s->layer_temp)
		s->allow_temp = false;
}

static int no_home(sbx_error **err, const char *key, const char *value)
{
#ifdef _WIN32
	return sbx_err(err, -ENOENT,
	               "%s '%s': cannot expand ~: neither HOME nor USERPROFILE is set", key, value);
#else
	return sbx_err(err, -ENOENT,
	               "%s '%s': cannot expand ~: HOME is not set (or not absolute) and uid %u "
	               "has no home directory in /etc/passwd",
	               key, value, (unsigned)getuid());
#endif
}

/* --allow-host: name, *.name, an IPv4 address or a [bracketed] IPv6 one,
 * with an optional :PORT; --allow-localhost: a PORT. */
static int check_net_item(const struct key *k, const char *v, sbx_error **err)
{
	const char *want = "name, *.name, an IP address or [IPv6], with an optional :PORT";
	const char *port = NULL;
	if (k->which == SBX_LIST_ALLOW_LOCALHOST) {
		port = v;
	} else if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (!close || close == v + 1)
			return bad_value(err, k->name, v, want);
		for (const char *c = v + 1; c < close; c++)
			if (!strchr("0123456789abcdefABCDEF:.", *c))
				return bad_value(err, k->name, v, want);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return bad_value(err, k->name, v, want);
	} else {
		const char *h = v;
		if (h[0] == '*' && h[1] == '.')
			h += 2;
		size_t n = strcspn(h, ":");
		if (!n || h[0] == '.' || h[0] == '-' || n > 253)
			return bad_value(err, k->name, v, want);
		for (size_t i = 0; i < n; i++)
			if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
			      (h[i] >= '0' && h[i] <= '9') || h[i] == '.' || h[i] == '-'))
				return bad_value(err, k->name, v, want);
		if (h[n] == ':')
			port = h + n + 1;
	}
	if (port) {
		char *end = NULL;
		long p = strtol(port, &end, 10);
		if (!*port || *end || p < 1 || p > 65535 || port[0] == '+' || port[0] == '-')
			return bad_value(err, k->name, v,
			                 k->which == SBX_LIST_ALLOW_LOCALHOST ? "a port, 1 to 65535"
			                                                      : want);
	}
	return 0;
}

static int add_list_item(sbx_spec *s, const struct key *k, const char *v, sbx_error **err)
{
	if (k->which == SBX_LIST_ALLOW_HOST || k->which == SBX_LIST_ALLOW_LOCALHOST) {
		int c = check_net_item(k, v, err);
		if (c < 0)
			return c;
		/* an allowed host implies the allowlist network */
		s->net = SBX_NET_ALLOWLIST;
	}
	int r = sbx_spec_add(s, (sbx_list)k->which, v);
	if (r == -ENOENT)
		return no_home(err, k->name, v);
	return r < 0 ? sbx_err(err, r, "out of memory") : 0;
}

static int apply_key(sbx_spec *s, const struct key *k, const char *v, int depth, sbx_error **err)
{
	bool b;
	int64_t n;
	double d;
	switch (k->kind) {
	case K_PROFILE: {
		if (!*v)
			return bad_value(err, k->name, v, "a profile name");
		int r = apply_profile(s, v, depth + 1, true, err);
		/* what the profile grants counts as a lower layer */
		sbx_spec_begin_layer(s);
		return r;
	}
	case K_BACKEND:
		if (sbx_backend_from_name(v, &s->backend) < 0)
			return bad_value(err, k->name, v,
			                 "auto, landlock, gvisor, docker-ephemeral, "
			                 "docker-runsc-ephemeral, seatbelt or appcontainer");
		return 0;
	case K_NET:
		if (sbx_net_from_name(v, &s->net) < 0)
			return bad_value(err, k->name, v, "disable, enable, outbound or allowlist");
		return 0;
	case K_WRITE:
		if (sbx_write_from_name(v, &s->write) < 0)
			return bad_value(err, k->name, v, "none, scope, ephemeral or overlay");
		drop_lower_grants(s);
		return 0;
	case K_LIST:
		if (!*v) {
			sbx_spec_clear(s, (sbx_list)k->which);
			if (k->which == SBX_LIST_WRITABLE)
				s->layer_writable = 0;
			/* --write-deny= clears the profile's protected paths too */
			if (k->which == SBX_LIST_WRITE_DENY)
				sbx_spec_clear(s, SBX_LIST_WRITE_DENY_EXISTING);
			if (k->which == SBX_LIST_REDACT)
				sbx_spec_clear(s, SBX_LIST_REDACT_EXISTING);
			return 0;
		}
		return add_list_item(s, k, v, err);
	case K_BOOL:
		if (!*v)
			b = true;
		else if (sbx_parse_bool(v, &b) < 0)
			return bad_value(err, k->name, v, "true or false");
		switch (k->which) {
		case B_NO_EXEC:
			s->no_exec = b;
			break;
		case B_ALLOW_TEMP:
			s->allow_temp = b;
			s->layer_temp = true;
			break;
		case B_STRICT:
			s->strict = b;
			break;
		case B_BEST_EFFORT:
			s->best_effort = b;
			break;
		case B_KERNEL_ISOLATION:
			s->kernel_isolation = b;
			break;
		case B_DIE_WITH_PARENT:
			s->die_with_parent = b;
			break;
		case B_REUSE:
			s->reuse = b;
			break;
		case B_REPORT:
			s->report = b;
			break;
		}
		return 0;
	case K_CPUS:
		if (!*v) {
			s->cpus = 0;
			return 0;
		}
		if (sbx_parse_duration(v, &d) < 0 || strpbrk(v, "smhd") || d < SBX_CPUS_MIN ||
		    d > SBX_CPUS_MAX)
			return bad_value(err, k->name, v,
			                 "a number of cores from 0.01 to 1024, such as 1.5 (the "
			                 "empty value removes the cap)");
		s->cpus = d;
		return 0;
	case K_SIZE:
		if (!*v) {
			s->memory = 0;
			return 0;
		}
		if (sbx_parse_size(v, &n) < 0 || n < SBX_MEMORY_MIN || n > SBX_MEMORY_MAX)
			return bad_value(
			    err, k->name, v,
			    "a size from 4m to 1p (bytes, or with k, m, g, t or p), such "
			    "as 512m; below 4 MiB no program starts (the empty value "
			    "removes the cap)");
		s->memory = n;
		return 0;
	case K_PIDS:
		if (!*v) {
			s->pids = 0;
			return 0;
		}
		{
			char *end = NULL;
			errno = 0;
			long long p = strtoll(v, &end, 10);
			if (!isdigit((unsigned char)v[0]) || errno || *end || p < 1 ||
			    p > SBX_PIDS_MAX)
				return bad_value(
				    err, k->name, v,
				    "an integer from 1 to 4194304 (the empty value removes "
				    "the cap)");
			s->pids = p;
		}
		return 0;
	case K_DURATION:
		if (!*v) {
			s->timeout = 0;
			return 0;
		}
		if (sbx_parse_duration(v, &d) < 0 || d < SBX_TIMEOUT_MIN || d > SBX_TIMEOUT_MAX)
			return bad_value(err, k->name, v,
			                 "a duration from 1ms to 365d, such as 30s, 5m or 1h (the "
			                 "empty value removes it)");
		s->timeout = d;
		return 0;
	case K_KEEP: {
		free(s->keep_discarded);
		s->keep_discarded = NULL;
		if (!*v)
			return 0;
		int r = sbx_expand_home(v, &s->keep_discarded);
		return r == -ENOENT ? no_home(err, k->name, v) : r;
	}
	case K_DIR:
		if (!*v)
			return sbx_spec_set_dir(s, NULL);
		{
			_cleanup_free_ char *p = NULL;
			int r = sbx_expand_home(v, &p);
			if (r < 0)
				return r == -ENOENT ? no_home(err, k->name, v) : r;
			return sbx_spec_set_dir(s, p);
		}
	}
	return -EINVAL;
}

static int apply_item_depth(sbx_spec *s, const char *key, const char *value, int depth,
                            sbx_error **err)
{
	if (depth > MAX_DEPTH)
		return sbx_err(err, -ELOOP, "policies nest more than %d deep (a loop?)", MAX_DEPTH);
	const struct key *k = find_key(key);
	if (!k)
		return sbx_err(err, -EINVAL, "unknown policy key '%s'", key);
	return apply_key(s, k, value, depth, err);
}

int sbx_spec_apply_item(sbx_spec *s, const char *key, const char *value, sbx_error **err)
{
	return apply_item_depth(s, key, value ? value : "", 0, err);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Applies text whose items are separated by newlines (and by ';' when
 * semicolons is true). */
static int apply_text_depth(sbx_spec *s, const char *text, const char *origin, bool semicolons,
                            int depth, sbx_error **err)
{
	_cleanup_free_ char *copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	int line = 1;
	char *p = copy;
	while (p && *p) {
		char *end = p + strcspn(p, semicolons ? ";\n" : "\n");
		bool newline = *end == '\n';
		char *next = *end ? end + 1 : NULL;
		*end = '\0';
		char *item = trim(p);
		/* '#' starts a comment at the start of an item or after a blank. */
		for (char *h = item; (h = strchr(h, '#')); h++)
			if (h == item || isspace((unsigned char)h[-1])) {
				*h = '\0';
				item = trim(item);
				break;
			}
		if (*item) {
			char *eq = strchr(item, '=');
			if (!eq)
				return sbx_err(err, -EINVAL,
				               "%s:%d: expected key = value, got '%s'", origin,
				               line, item);
			*eq = '\0';
			char *key = trim(item), *val = trim(eq + 1);
			sbx_error *inner = NULL;
			int r = apply_item_depth(s, key, val, depth, &inner);
			if (r < 0) {
				sbx_err(err, r, "%s:%d: %s", origin, line,
				        sbx_error_message(inner));
				sbx_error_free(inner);
				return r;
			}
		}
		if (newline)
			line++;
		p = next;
	}
	return 0;
}

int sbx_spec_apply_text(sbx_spec *s, const char *text, const char *origin, sbx_error **err)
{
	sbx_spec_begin_layer(s);
	return apply_text_depth(s, text, origin ? origin : "policy", true, 0, err);
}

#define POLICY_MAX (1 << 20)

static int read_file(const char *path, char **out, sbx_error **err)
{
	/* Non-blocking: a FIFO (or a device) must not hang the open. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return sbx_err_errno(err, -errno, "policy file %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return sbx_err_errno(err, -errno, "policy file %s", path);
	if (!S_ISREG(st.st_mode))
		return sbx_err(err, -EINVAL, "policy file %s: not a regular file", path);
	if (st.st_size > POLICY_MAX)
		return sbx_err(err, -EFBIG, "policy file %s: larger than 1 MiB", path);
	/* The bytes actually read are capped too: /proc files say size 0. */
	_cleanup_buf_ buf b = {0};
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sbx_err_errno(err, -errno, "policy file %s", path);
		if (n == 0)
			break;
		if (b.len + (size_t)n > POLICY_MAX)
			return sbx_err(err, -EFBIG, "policy file %s: larger than 1 MiB", path);
		buf_addn(&b, chunk, (size_t)n);
	}
	if (memchr(b.s ? b.s : "", '\0', b.len))
		return sbx_err(err, -EINVAL, "policy file %s: contains a NUL byte", path);
	*out = buf_steal(&b);
	return *out ? 0 : -ENOMEM;
}

static int apply_file(sbx_spec *s, const char *path, int depth, sbx_error **err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file(path, &text, err);
	if (r < 0)
		return r;
	return apply_text_depth(s, text, path, false, depth, err);
}

static bool valid_profile_name(const char *name)
{
	if (!*name || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return true;
}

/* Finds NAME.policy in the user's then the system's policy directory. */
static char *find_named_policy(const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = sbx_home(NULL);
	char *path = NULL;
	if (xdg && *xdg) {
		if (asprintf(&path, "%s/sbx/policies/%s.policy", xdg, name) < 0)
			return NULL;
	} else if (home && *home) {
		if (asprintf(&path, "%s/.config/sbx/policies/%s.policy", home, name) < 0)
			return NULL;
	}
	if (path && access(path, F_OK) == 0)
		return path;
	free(path);
	if (asprintf(&path, "/etc/sbx/policies/%s.policy", name) < 0)
		return NULL;
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* Applies a named policy (built-in or file) without resetting first. */
static int apply_named(sbx_spec *s, const char *name, int depth, sbx_error **err)
{
	const char *text = sbx_builtin_profile_text(name);
	if (text) {
		char origin[64];
		snprintf(origin, sizeof(origin), "built-in profile %s", name);
		return apply_text_depth(s, text, origin, false, depth, err);
	}
	if (!valid_profile_name(name))
		return sbx_err(err, -EINVAL, "invalid profile name '%s'", name);
	_cleanup_free_ char *path = find_named_policy(name);
	if (!path)
		return sbx_err(err, -ENOENT,
		               "no profile or policy named '%s' (built-ins: agent, tight; files: "
		               "$XDG_CONFIG_HOME/sbx/policies/%s.policy, "
		               "/etc/sbx/policies/%s.policy)",
		               name, name, name);
	return apply_file(s, path, depth, err);
}

static int apply_profile(sbx_spec *s, const char *name, int depth, bool keep_denials,
                         sbx_error **err)
{
	if (depth > MAX_DEPTH)
		return sbx_err(err, -ELOOP, "profiles nest more than %d deep (a loop?)", MAX_DEPTH);
	reset_policy(s, keep_denials);
	return apply_named(s, name, depth, err);
}

int sbx_spec_apply_profile(sbx_spec *s, const char *name, sbx_error **err)
{
	if (!name)
		return sbx_err(err, -EINVAL, "no profile name");
	return apply_profile(s, name, 0, false, err);
}

int sbx_spec_apply_policy(sbx_spec *s, const char *value, sbx_error **err)
{
	if (!value || !*value)
		return 0;
	sbx_spec_begin_layer(s);
	if (strchr(value, '='))
		return apply_text_depth(s, value, "policy", true, 0, err);
	if (strchr(value, '/'))
		return apply_file(s, value, 0, err);
	return apply_named(s, value, 0, err);
}

int sbx_spec_apply_env(sbx_spec *s, char *const envp[], sbx_error **err)
{
	if (!envp)
		envp = environ;
	sbx_spec_begin_layer(s);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];
		if (k->kind == K_PROFILE)
			continue;
		size_t n = strlen(k->env);
		const char *v = NULL;
		for (char *const *e = envp; *e; e++)
			if (strncmp(*e, k->env, n) == 0 && (*e)[n] == '=')
				v = *e + n + 1;
		if (!v)
			continue;
		int r;
		if (k->kind == K_LIST && *v) {
			_cleanup_free_ char *copy = strdup(v);
			if (!copy)
				return -ENOMEM;
			char sep[2] = {k->env_sep, 0};
			char *save = NULL;
			/* An empty element is a blank entry, not a reset. */
			if (copy[0] == k->env_sep || copy[strlen(copy) - 1] == k->env_sep ||
			    strstr(copy, (char[]){k->env_sep, k->env_sep, 0}))
				return sbx_err(err, -EINVAL, "%s: blank entry in '%s'", k->env, v);
			for (char *t = strtok_r(copy, sep, &save); t;
			     t = strtok_r(NULL, sep, &save)) {
				sbx_error *inner = NULL;
				if ((r = add_list_item(s, k, t, &inner)) < 0) {
					sbx_err(err, r, "%s: %s", k->env, sbx_error_message(inner));
					sbx_error_free(inner);
					return r;
				}
			}
			continue;
		}
		sbx_error *inner = NULL;
		r = apply_key(s, k, v, 0, &inner);
		if (r < 0) {
			sbx_err(err, r, "%s: %s", k->env, sbx_error_message(inner));
			sbx_error_free(inner);
			return r;
		}
	}
	return 0;
}
