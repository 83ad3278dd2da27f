/* spec.c: the Spec handle, the capabilities it asks for, and validation. */
#include "internal.h"

#include <math.h>
#include <stdio.h>

int sbx_spec_new(sbx_spec **out)
{
	sbx_spec *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->net = SBX_NET_DISABLE;
	s->write = SBX_WRITE_NONE;
	s->backend = SBX_BACKEND_AUTO;
	*out = s;
	return 0;
}

void sbx_spec_free(sbx_spec *s)
{
	if (!s)
		return;
	strv_clear(&s->args);
	strv_clear(&s->env);
	for (int i = 0; i < SBX_LIST__COUNT; i++)
		strv_clear(&s->lists[i]);
	free(s->dir);
	free(s->keep_discarded);
	free(s);
}

int sbx_spec_dup(const sbx_spec *src, sbx_spec **out)
{
	sbx_spec *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = *src;
	s->args = (strv){0};
	s->env = (strv){0};
	s->dir = NULL;
	s->keep_discarded = NULL;
	for (int i = 0; i < SBX_LIST__COUNT; i++)
		s->lists[i] = (strv){0};
	int r = strv_extend(&s->args, src->args.v);
	if (r == 0 && src->env_set)
		r = strv_extend(&s->env, strv_get(&src->env));
	for (int i = 0; r == 0 && i < SBX_LIST__COUNT; i++)
		r = strv_extend(&s->lists[i], src->lists[i].v);
	if (r == 0 && src->dir && !(s->dir = strdup(src->dir)))
		r = -ENOMEM;
	if (r == 0 && src->keep_discarded && !(s->keep_discarded = strdup(src->keep_discarded)))
		r = -ENOMEM;
	if (r < 0) {
		sbx_spec_free(s);
		return r;
	}
	*out = s;
	return 0;
}

int sbx_spec_set_args(sbx_spec *s, char *const argv[])
{
	strv_clear(&s->args);
	return strv_extend(&s->args, argv);
}

int sbx_spec_set_dir(sbx_spec *s, const char *dir)
{
	char *d = NULL;
	if (dir && !(d = strdup(dir)))
		return -ENOMEM;
	free(s->dir);
	s->dir = d;
	return 0;
}

int sbx_spec_set_env(sbx_spec *s, char *const envp[])
{
	strv_clear(&s->env);
	s->env_set = envp != NULL;
	return strv_extend(&s->env, envp);
}

void sbx_spec_set_net(sbx_spec *s, sbx_net net)
{
	s->net = net;
}

void sbx_spec_set_write(sbx_spec *s, sbx_write w)
{
	s->write = w;
}

static bool is_path_list(sbx_list l)
{
	return l == SBX_LIST_WRITABLE || l == SBX_LIST_READABLE || l == SBX_LIST_READ_DENY ||
	       l == SBX_LIST_ALLOW_SOCKET || l == SBX_LIST_WRITE_DENY || l == SBX_LIST_REDACT ||
	       l == SBX_LIST_WRITE_DENY_EXISTING || l == SBX_LIST_REDACT_EXISTING;
}

int sbx_spec_add(sbx_spec *s, sbx_list list, const char *value)
{
	if (list < 0 || list >= SBX_LIST__COUNT || !value)
		return -EINVAL;
	if (!is_path_list(list))
		return strv_push(&s->lists[list], value);
	char *v = NULL;
	int r = sbx_expand_home(value, &v);
	if (r < 0)
		return r;
	return strv_take(&s->lists[list], v);
}

void sbx_spec_clear(sbx_spec *s, sbx_list list)
{
	if (list >= 0 && list < SBX_LIST__COUNT)
		strv_clear(&s->lists[list]);
}

const char *const *sbx_spec_list(const sbx_spec *s, sbx_list list, size_t *n)
{
	if (list < 0 || list >= SBX_LIST__COUNT) {
		if (n)
			*n = 0;
		return (const char *const *)strv_get(&(strv){0});
	}
	if (n)
		*n = s->lists[list].n;
	return (const char *const *)strv_get(&s->lists[list]);
}

void sbx_spec_set_no_exec(sbx_spec *s, bool on)
{
	s->no_exec = on;
}
void sbx_spec_set_allow_temp(sbx_spec *s, bool on)
{
	s->allow_temp = on;
}
void sbx_spec_set_strict(sbx_spec *s, bool on)
{
	s->strict = on;
}
void sbx_spec_set_best_effort(sbx_spec *s, bool on)
{
	s->best_effort = on;
}
void sbx_spec_set_kernel_isolation(sbx_spec *s, bool on)
{
	s->kernel_isolation = on;
}
void sbx_spec_set_cpus(sbx_spec *s, double cpus)
{
	s->cpus = cpus;
}
void sbx_spec_set_memory(sbx_spec *s, int64_t bytes)
{
	s->memory = bytes;
}
void sbx_spec_set_pids(sbx_spec *s, int64_t pids)
{
	s->pids = pids;
}
void sbx_spec_set_timeout(sbx_spec *s, double seconds)
{
	s->timeout = seconds;
}
void sbx_spec_set_backend(sbx_spec *s, sbx_backend b)
{
	s->backend = b;
}

sbx_net sbx_spec_net(const sbx_spec *s)
{
	return s->net;
}
sbx_write sbx_spec_write(const sbx_spec *s)
{
	return s->write;
}
bool sbx_spec_no_exec(const sbx_spec *s)
{
	return s->no_exec;
}
bool sbx_spec_allow_temp(const sbx_spec *s)
{
	return s->allow_temp;
}
bool sbx_spec_strict(const sbx_spec *s)
{
	return s->strict;
}
bool sbx_spec_best_effort(const sbx_spec *s)
{
	return s->best_effort;
}
void sbx_spec_set_die_with_parent(sbx_spec *s, bool on)
{
	s->die_with_parent = on;
}

void sbx_spec_set_report(sbx_spec *s, bool on, bool json)
{
	s->report = on;
	s->report_json = on && json;
}

bool sbx_spec_report(const sbx_spec *s)
{
	return s->report;
}

bool sbx_spec_die_with_parent(const sbx_spec *s)
{
	return s->die_with_parent;
}

void sbx_spec_set_reuse(sbx_spec *s, bool on)
{
	s->reuse = on;
}

bool sbx_spec_reuse(const sbx_spec *s)
{
	return s->reuse;
}

bool sbx_spec_kernel_isolation(const sbx_spec *s)
{
	return s->kernel_isolation;
}
double sbx_spec_cpus(const sbx_spec *s)
{
	return s->cpus;
}
int64_t sbx_spec_memory(const sbx_spec *s)
{
	return s->memory;
}
int64_t sbx_spec_pids(const sbx_spec *s)
{
	return s->pids;
}
double sbx_spec_timeout(const sbx_spec *s)
{
	return s->timeout;
}
sbx_backend sbx_spec_backend(const sbx_spec *s)
{
	return s->backend;
}
const char *sbx_spec_dir(const sbx_spec *s)
{
	return s->dir;
}
const char *const *sbx_spec_args(const sbx_spec *s)
{
	return (const char *const *)strv_get(&s->args);
}

sbx_capset sbx_spec_capabilities(const sbx_spec *s)
{
	sbx_capset c = 0;
	static const sbx_cap net_caps[] = {
	    [SBX_NET_DISABLE] = SBX_CAP_NET_DISABLE,
	    [SBX_NET_ENABLE] = SBX_CAP_NET_ENABLE,
	    [SBX_NET_OUTBOUND] = SBX_CAP_NET_OUTBOUND,
	    [SBX_NET_ALLOWLIST] = SBX_CAP_NET_ALLOWLIST,
	};
	if (s->net >= 0 && s->net <= SBX_NET_ALLOWLIST)
		c |= SBX_CAPSET_OF(net_caps[s->net]);
	switch (s->write) {
	case SBX_WRITE_NONE:
		c |= SBX_CAPSET_OF(SBX_CAP_FS_WRITE_DENY);
		break;
	case SBX_WRITE_SCOPE:
		c |= SBX_CAPSET_OF(SBX_CAP_FS_WRITE_SCOPE);
		break;
	case SBX_WRITE_EPHEMERAL:
		c |= SBX_CAPSET_OF(SBX_CAP_FS_WRITE_EPHEMERAL);
		break;
	case SBX_WRITE_OVERLAY:
		c |= SBX_CAPSET_OF(SBX_CAP_FS_WRITE_SCOPE) |
		     SBX_CAPSET_OF(SBX_CAP_FS_WRITE_EPHEMERAL);
		break;
	}
	c |= SBX_CAPSET_OF(s->lists[SBX_LIST_READABLE].n ? SBX_CAP_FS_READ_SCOPE
	                                                 : SBX_CAP_FS_READ_HOST);
	if (s->lists[SBX_LIST_READ_DENY].n)
		c |= SBX_CAPSET_OF(SBX_CAP_FS_READ_DENY);
	if (s->lists[SBX_LIST_WRITE_DENY].n)
		c |= SBX_CAPSET_OF(SBX_CAP_FS_WRITE_PROTECT);
	if (s->lists[SBX_LIST_REDACT].n)
		c |= SBX_CAPSET_OF(SBX_CAP_FS_READ_REDACT);
	if (s->lists[SBX_LIST_ENV_ALLOW].n || s->lists[SBX_LIST_ENV_DENY].n)
		c |= SBX_CAPSET_OF(SBX_CAP_ENV_SCRUB);
	if (s->no_exec)
		c |= SBX_CAPSET_OF(SBX_CAP_PROC_NO_EXEC);
	if (s->lists[SBX_LIST_MACH_ALLOW].n)
		c |= SBX_CAPSET_OF(SBX_CAP_MACH_RESTRICT);
	if (s->kernel_isolation)
		c |= SBX_CAPSET_OF(SBX_CAP_KERNEL_ISOLATION);
	if (s->cpus > 0)
		c |= SBX_CAPSET_OF(SBX_CAP_RES_CPU);
	if (s->memory > 0)
		c |= SBX_CAPSET_OF(SBX_CAP_RES_MEMORY);
	if (s->pids > 0)
		c |= SBX_CAPSET_OF(SBX_CAP_RES_PIDS);
	return c;
}

static const char *const list_names[SBX_LIST__COUNT] = {
    [SBX_LIST_WRITABLE] = "writable",
    [SBX_LIST_READABLE] = "readable",
    [SBX_LIST_READ_DENY] = "read-deny",
    [SBX_LIST_ENV_ALLOW] = "env-allow",
    [SBX_LIST_ENV_DENY] = "env-deny",
    [SBX_LIST_MACH_ALLOW] = "mach-allow",
    [SBX_LIST_ALLOW_SOCKET] = "allow-socket",
    [SBX_LIST_SETENV] = "setenv",
    [SBX_LIST_WRITE_DENY] = "write-deny",
    [SBX_LIST_REDACT] = "redact",
    [SBX_LIST_ALLOW_HOST] = "allow-host",
    [SBX_LIST_ALLOW_LOCALHOST] = "allow-localhost",
    [SBX_LIST_WRITE_DENY_EXISTING] = "write-deny-existing",
    [SBX_LIST_REDACT_EXISTING] = "redact-existing",
};

const char *sbx_list_name(sbx_list l);
const char *sbx_list_name(sbx_list l)
{
	return (l >= 0 && l < SBX_LIST__COUNT) ? list_names[l] : "?";
}

static bool blank(const char *v)
{
	for (; *v; v++)
		if (*v != ' ' && *v != '\t' && *v != '\n')
			return false;
	return true;
}

static int check_dir_in_scope(const sbx_spec *s, sbx_error **err)
{
	_cleanup_free_ char *dir = NULL;
	int r = sbx_working_dir(s, &dir, err);
	if (r < 0)
		return r;
	for (int l = SBX_LIST_WRITABLE; l <= SBX_LIST_READABLE; l++)
		for (size_t i = 0; i < s->lists[l].n; i++) {
			_cleanup_free_ char *p = path_join_normalize(dir, s->lists[l].v[i]);
			if (!p)
				return -ENOMEM;
			if (path_is_beneath(dir, p))
				return 0;
		}
	return sbx_err(err, -EINVAL,
	               "working directory %s is outside every readable and writable path", dir);
}

int sbx_spec_validate(const sbx_spec *s, sbx_error **err)
{
	if (s->args.n == 0)
		return sbx_err(err, -EINVAL, "no command given");
	if (s->args.v[0][0] == '\0')
		return sbx_err(err, -EINVAL, "the command name is empty");
	for (int l = 0; l < SBX_LIST__COUNT; l++)
		for (size_t i = 0; i < s->lists[l].n; i++)
			if (blank(s->lists[l].v[i]))
				return sbx_err(err, -EINVAL, "blank entry in the %s list",
				               list_names[l]);
	for (int l = SBX_LIST_ENV_ALLOW; l <= SBX_LIST_ENV_DENY; l++)
		for (size_t i = 0; i < s->lists[l].n; i++)
			if (!glob_valid(s->lists[l].v[i]))
				return sbx_err(err, -EINVAL, "malformed %s pattern '%s'",
				               list_names[l], s->lists[l].v[i]);
	for (size_t i = 0; i < s->lists[SBX_LIST_SETENV].n; i++) {
		const char *e = s->lists[SBX_LIST_SETENV].v[i];
		size_t n = 0;
		while ((e[n] >= 'A' && e[n] <= 'Z') || (e[n] >= 'a' && e[n] <= 'z') ||
		       e[n] == '_' || (n && e[n] >= '0' && e[n] <= '9'))
			n++;
		if (!n || e[n] != '=')
			return sbx_err(err, -EINVAL,
			               "setenv '%s': expected NAME=VALUE, NAME letters, digits and "
			               "'_' not starting with a digit",
			               e);
		if (n == 11 && strncmp(e, "SBX_SANDBOX", 11) == 0)
			return sbx_err(
			    err, -EINVAL,
			    "setenv '%s': SBX_SANDBOX is sbx's own (it names the backend)", e);
	}
	if (s->dir && s->dir[0] == '\0')
		return sbx_err(err, -EINVAL, "the working directory is empty");
	bool scoped = s->write == SBX_WRITE_SCOPE || s->write == SBX_WRITE_OVERLAY;
	if (!scoped && s->lists[SBX_LIST_WRITABLE].n)
		return sbx_err(err, -EINVAL,
		               "writable paths need write=scope or write=overlay "
		               "(write is %s)",
		               sbx_write_name(s->write));
	if (!scoped && s->allow_temp)
		return sbx_err(err, -EINVAL,
		               "allow-temp needs write=scope or write=overlay "
		               "(write is %s)",
		               sbx_write_name(s->write));
	if (s->write == SBX_WRITE_SCOPE && !s->lists[SBX_LIST_WRITABLE].n && !s->allow_temp)
		return sbx_err(
		    err, -EINVAL,
		    "write=scope with nothing writable: add writable paths or allow-temp");
	/* 0 means "no limit"; anything else within what every backend can
	 * express (sbx.h). */
	if (!isfinite(s->cpus) ||
	    (s->cpus != 0 && (s->cpus < SBX_CPUS_MIN || s->cpus > SBX_CPUS_MAX)))
		return sbx_err(err, -EINVAL, "cpus must be from %g to %g cores", SBX_CPUS_MIN,
		               SBX_CPUS_MAX);
	if (s->memory != 0 && (s->memory < SBX_MEMORY_MIN || s->memory > SBX_MEMORY_MAX))
		return sbx_err(err, -EINVAL, "memory must be from 4 MiB to 1 PiB");
	if (s->pids < 0 || s->pids > SBX_PIDS_MAX)
		return sbx_err(err, -EINVAL, "pids must be from 1 to %d", SBX_PIDS_MAX);
	if (!isfinite(s->timeout) ||
	    (s->timeout != 0 && (s->timeout < SBX_TIMEOUT_MIN || s->timeout > SBX_TIMEOUT_MAX)))
		return sbx_err(err, -EINVAL, "timeout must be from 1ms to 365 days");
	if (s->lists[SBX_LIST_READABLE].n) {
		int r = check_dir_in_scope(s, err);
		if (r < 0)
			return r;
	}
	if (s->strict) {
		sbx_capset out = sbx_capset_sub(sbx_spec_capabilities(s), sbx_caps_intersection());
		if (out) {
			char names[512];
			sbx_capset_format(out, ", ", names, sizeof(names));
			_cleanup_buf_ buf how = {0};
			static const struct {
				sbx_cap cap;
				const char *fix;
			} fixes[] = {
			    {SBX_CAP_FS_READ_DENY,
			     "clear the read-deny list, which the built-in "
			     "profiles fill with credentials, with --read-deny="},
			    {SBX_CAP_FS_READ_HOST, "limit reads with --readable=PATH"},
			    {SBX_CAP_PROC_NO_EXEC, "drop --no-exec"},
			    {SBX_CAP_MACH_RESTRICT, "drop --mach-allow"},
			    {SBX_CAP_KERNEL_ISOLATION, "drop --kernel-isolation"},
			};
			for (size_t i = 0; i < ARRAY_SIZE(fixes); i++)
				if (out & SBX_CAPSET_OF(fixes[i].cap))
					buf_addf(&how, "%s%s", how.len ? ", " : "", fixes[i].fix);
			return sbx_err(err, -EINVAL, "strict: not portable to every OS: %s%s%s%s",
			               names, how.len ? " (" : "", how.s ? how.s : "",
			               how.len ? ")" : "");
		}
	}
	return 0;
}
