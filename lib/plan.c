/* plan.c: the Plan handle, its getters, and its text and JSON forms. */
#include "internal.h"

#include <stdio.h>
#ifndef _WIN32
#include <ftw.h>

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}
#endif

void sbx_remove_tree(const char *dir)
{
#ifndef _WIN32
	if (dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
#else
	(void)dir;
#endif
}

void sbx_plan_free(sbx_plan *p)
{
	if (!p)
		return;
	strv_clear(&p->argv);
	strv_clear(&p->env);
	strv_clear(&p->caveats);
	strv_clear(&p->runtime_paths);
	strv_clear(&p->env_removed);
	strv_clear(&p->cleanup_argv);
	strv_clear(&p->signal_argv);
	strv_clear(&p->probes);
	strv_clear(&p->view);
	strv_clear(&p->proxy_hosts);
	free(p->command);
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].name);
		free(p->files[i].text);
	}
	free(p->files);
	for (int i = 0; i < SBX_CAP__COUNT; i++)
		free(p->mechanism[i]);
	free(p->profile);
	free(p->scratch_dir);
	free(p->unavailable);
	free(p->chdir);
	free(p->prepare_src);
	free(p);
}

int sbx_plan_set_mechanism(struct sbx_plan *p, sbx_cap c, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&m, fmt, ap);
	va_end(ap);
	if (r < 0)
		return p->oom = true, -ENOMEM;
	free(p->mechanism[c]);
	p->mechanism[c] = m;
	p->uses |= SBX_CAPSET_OF(c);
	return 0;
}

int sbx_plan_add_file(struct sbx_plan *p, const char *name, const char *text, unsigned mode)
{
	struct sbx_plan_file *f = realloc(p->files, (p->nfiles + 1) * sizeof(*f));
	if (!f)
		return p->oom = true, -ENOMEM;
	p->files = f;
	f[p->nfiles] = (struct sbx_plan_file){.name = strdup(name),
	                                      .text = text ? strdup(text) : NULL,
	                                      .mode = mode,
	                                      .uid = -1,
	                                      .gid = -1};
	if (!f[p->nfiles].name || (text && !f[p->nfiles].text)) {
		free(f[p->nfiles].name);
		free(f[p->nfiles].text);
		return p->oom = true, -ENOMEM;
	}
	p->nfiles++;
	return 0;
}

int sbx_plan_set_env(struct sbx_plan *p, const char *name, const char *value)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < p->env.n;)
		if (strncmp(p->env.v[i], name, n) == 0 && p->env.v[i][n] == '=')
			strv_remove(&p->env, i);
		else
			i++;
	return strv_pushf(&p->env, "%s=%s", name, value);
}

int sbx_plan_set_proxy_env(struct sbx_plan *p, const char *port)
{
	static const char *const http[] = {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
	                                   "https_proxy"};
	_cleanup_free_ char *h = NULL, *socks = NULL;
	if (asprintf(&h, "http://127.0.0.1:%s", port) < 0 ||
	    asprintf(&socks, "socks5h://127.0.0.1:%s", port) < 0)
		return -ENOMEM;
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(http) && r == 0; i++)
		r = sbx_plan_set_env(p, http[i], h);
	/* the same port speaks SOCKS5, names resolved by the proxy */
	if (r < 0 || sbx_plan_set_env(p, "ALL_PROXY", socks) < 0 ||
	    sbx_plan_set_env(p, "all_proxy", socks) < 0 ||
	    sbx_plan_set_env(p, "NO_PROXY", "localhost,127.0.0.1,::1") < 0 ||
	    sbx_plan_set_env(p, "no_proxy", "localhost,127.0.0.1,::1") < 0)
		return -ENOMEM;
	return 0;
}

int sbx_plan_caveat(struct sbx_plan *p, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&m, fmt, ap);
	va_end(ap);
	if (r < 0)
		return p->oom = true, -ENOMEM;
	if (strv_contains(&p->caveats, m)) {
		free(m);
		return 0;
	}
	if (strv_take(&p->caveats, m) < 0)
		return p->oom = true, -ENOMEM;
	return 0;
}

sbx_backend sbx_plan_backend(const sbx_plan *p)
{
	return p->backend;
}
const char *const *sbx_plan_argv(const sbx_plan *p)
{
	return (const char *const *)strv_get(&p->argv);
}
const char *const *sbx_plan_env(const sbx_plan *p)
{
	return (const char *const *)strv_get(&p->env);
}
const char *sbx_plan_profile(const sbx_plan *p)
{
	return p->profile;
}
sbx_capset sbx_plan_uses(const sbx_plan *p)
{
	return p->uses;
}
sbx_capset sbx_plan_preload_only(const sbx_plan *p)
{
	return p->preload_only;
}
const char *sbx_plan_unavailable(const sbx_plan *p)
{
	return p->unavailable;
}
bool sbx_plan_self_supervised(const sbx_plan *p)
{
	return p->exec_direct;
}
bool sbx_plan_dies_with_parent(const sbx_plan *p)
{
	return p->die_with_parent;
}
bool sbx_plan_reuse(const sbx_plan *p)
{
	return p->reuse;
}
sbx_capset sbx_plan_requested(const sbx_plan *p)
{
	return p->requested;
}
const char *sbx_plan_mechanism(const sbx_plan *p, sbx_cap c)
{
	return (c >= 0 && c < SBX_CAP__COUNT) ? p->mechanism[c] : NULL;
}
const char *const *sbx_plan_caveats(const sbx_plan *p, size_t *n)
{
	if (n)
		*n = p->caveats.n;
	return (const char *const *)strv_get(&p->caveats);
}
const char *const *sbx_plan_runtime_paths(const sbx_plan *p, size_t *n)
{
	if (n)
		*n = p->runtime_paths.n;
	return (const char *const *)strv_get(&p->runtime_paths);
}
sbx_fsv sbx_plan_filesystem_virtualization(const sbx_plan *p)
{
	return p->fsv;
}

void sbx_json_capset(buf *b, sbx_capset s)
{
	buf_addc(b, '[');
	bool first = true;
	SBX_FOR_EACH_CAP(i)
	if (s & SBX_CAPSET_OF(i)) {
		if (!first)
			buf_addc(b, ',');
		buf_add_json_string(b, sbx_cap_name((sbx_cap)i));
		first = false;
	}
	buf_addc(b, ']');
}

static void json_strv(buf *b, const strv *v)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			buf_addc(b, ',');
		buf_add_json_string(b, v->v[i]);
	}
	buf_addc(b, ']');
}

static char *format_json(const sbx_plan *p)
{
	_cleanup_buf_ buf b = {0};
	buf_add(&b, "{\"backend\":");
	buf_add_json_string(&b, sbx_backend_name(p->backend));
	buf_addf(&b,
	         ",\"available\":%s,\"unavailable_reason\":", p->unavailable ? "false" : "true");
	if (p->unavailable)
		buf_add_json_string(&b, p->unavailable);
	else
		buf_add(&b, "null");
	buf_add(&b, ",\"requested\":");
	sbx_json_capset(&b, p->requested);
	buf_add(&b, ",\"uses\":");
	sbx_json_capset(&b, p->uses);
	buf_add(&b, ",\"not_enforced\":");
	sbx_json_capset(&b, sbx_capset_sub(p->requested, p->uses));
	buf_add(&b, ",\"preload_only\":");
	sbx_json_capset(&b, p->preload_only & p->uses);
	buf_add(&b, ",\"mechanisms\":{");
	bool first = true;
	SBX_FOR_EACH_CAP(i)
	if (p->mechanism[i]) {
		if (!first)
			buf_addc(&b, ',');
		buf_add_json_string(&b, sbx_cap_name((sbx_cap)i));
		buf_addc(&b, ':');
		buf_add_json_string(&b, p->mechanism[i]);
		first = false;
	}
	buf_add(&b, "},\"filesystem_virtualization\":");
	buf_add_json_string(&b, sbx_fsv_name(p->fsv));
	buf_add(&b, ",\"caveats\":");
	json_strv(&b, &p->caveats);
	buf_add(&b, ",\"runtime_paths\":");
	json_strv(&b, &p->runtime_paths);
	buf_add(&b, ",\"env_removed\":");
	json_strv(&b, &p->env_removed);
	buf_add(&b, ",\"profile\":");
	if (p->profile)
		buf_add_json_string(&b, p->profile);
	else
		buf_add(&b, "null");
	if (p->chdir) {
		buf_add(&b, ",\"chdir\":");
		buf_add_json_string(&b, p->chdir);
	}
	buf_add(&b, ",\"argv\":");
	json_strv(&b, &p->argv);
	buf_add(&b, ",\"probes\":");
	json_strv(&b, &p->probes);
	buf_add(&b, ",\"files\":[");
	for (size_t i = 0; i < p->nfiles; i++) {
		buf_add(&b, i ? ",{\"path\":" : "{\"path\":");
		_cleanup_free_ char *path = path_join_normalize(p->scratch_dir, p->files[i].name);
		buf_add_json_string(&b, path ? path : "");
		buf_addf(&b, ",\"mode\":\"%04o\",\"directory\":%s}", p->files[i].mode,
		         p->files[i].text ? "false" : "true");
	}
	buf_add(&b, "],\"before_run\":");
	if (p->prepare_what)
		buf_add_json_string(&b, p->prepare_what);
	else
		buf_add(&b, "null");
	buf_add(&b, ",\"proxy\":");
	if (p->proxy) {
		buf_add(&b, "{\"port_token\":");
		buf_add_json_string(&b, SBX_PROXY_PORT_TOKEN);
		buf_add(&b, ",\"hosts\":");
		json_strv(&b, &p->proxy_hosts);
		buf_addc(&b, '}');
	} else {
		buf_add(&b, "null");
	}
	buf_addf(&b, ",\"runner_timeout\":%g", p->runner_timeout);
	buf_add(&b, ",\"cleanup\":");
	json_strv(&b, &p->cleanup_argv);
	buf_addf(&b, ",\"die_with_parent\":%s", p->die_with_parent ? "true" : "false");
	buf_addf(&b, ",\"reuse\":%s", p->reuse ? "true" : "false");
	buf_add(&b, ",\"signals\":");
	json_strv(&b, &p->signal_argv);
	buf_add(&b, "}\n");
	return buf_steal(&b);
}

static void text_caps(buf *b, const char *label, sbx_capset s)
{
	char names[1024];
	sbx_capset_format(s, " ", names, sizeof(names));
	buf_addf(b, "%-21s %s\n", label, *names ? names : "(none)");
}

static char *format_text(const sbx_plan *p)
{
	_cleanup_buf_ buf b = {0};
	buf_addf(&b, "%-21s %s\n", "backend:", sbx_backend_name(p->backend));
	if (p->unavailable)
		buf_addf(&b, "%-21s %s\n", "not runnable here:", p->unavailable);
	text_caps(&b, "requested:", p->requested);
	text_caps(&b, "enforced:", p->uses);
	sbx_capset gaps = sbx_capset_sub(p->requested, p->uses);
	if (gaps)
		text_caps(&b, "NOT ENFORCED:", gaps);
	if (p->preload_only & p->uses)
		text_caps(&b, "preload only:", p->preload_only & p->uses);
	buf_add(&b, "mechanisms:\n");
	SBX_FOR_EACH_CAP(i)
	if (p->mechanism[i]) {
		buf_addf(&b, "  %-19s ", sbx_cap_name((sbx_cap)i));
		buf_add_escaped(&b, p->mechanism[i]);
		buf_addc(&b, '\n');
	}
	buf_addf(&b, "%-21s %s\n", "filesystem view:", sbx_fsv_name(p->fsv));
	if (p->runtime_paths.n) {
		buf_add(&b, "runtime paths:\n");
		for (size_t i = 0; i < p->runtime_paths.n; i++) {
			buf_add(&b, "  ");
			buf_add_escaped(&b, p->runtime_paths.v[i]);
			buf_addc(&b, '\n');
		}
	}
	if (p->env_removed.n) {
		buf_add(&b, "environment removed:");
		for (size_t i = 0; i < p->env_removed.n; i++) {
			buf_addc(&b, ' ');
			buf_add_escaped(&b, p->env_removed.v[i]);
		}
		buf_addc(&b, '\n');
	}
	buf_add(&b, "caveats:");
	if (!p->caveats.n)
		buf_add(&b, " none");
	buf_addc(&b, '\n');
	for (size_t i = 0; i < p->caveats.n; i++) {
		buf_add(&b, "  - ");
		buf_add_escaped(&b, p->caveats.v[i]);
		buf_addc(&b, '\n');
	}
	if (p->profile) {
		buf_add(&b, "profile:\n");
		buf_add(&b, p->profile);
		if (b.len && b.s[b.len - 1] != '\n')
			buf_addc(&b, '\n');
	}
	if (p->chdir) {
		buf_addf(&b, "%-21s ", "working directory:");
		buf_add_escaped(&b, p->chdir);
		buf_addc(&b, '\n');
	}
	if (p->probes.n) {
		buf_add(&b, "host queries made (read-only):\n");
		for (size_t i = 0; i < p->probes.n; i++)
			buf_addf(&b, "  %s\n", p->probes.v[i]);
	}
	if (p->nfiles) {
		buf_add(&b, "files written when it runs, removed after it:\n");
		for (size_t i = 0; i < p->nfiles; i++) {
			_cleanup_free_ char *path =
			    path_join_normalize(p->scratch_dir, p->files[i].name);
			buf_add(&b, "  ");
			buf_add_escaped(&b, path ? path : "?");
			buf_addf(&b, "%s (%04o)\n", p->files[i].text ? "" : "/", p->files[i].mode);
		}
	}
	if (p->prepare_what)
		buf_addf(&b, "%-21s %s\n", "before it runs:", p->prepare_what);
	if (p->proxy)
		buf_addf(&b,
		         "%-21s sbx-exec serves the allowlist proxy on 127.0.0.1 at a free port "
		         "while the command runs; " SBX_PROXY_PORT_TOKEN
		         " in the argv and the environment is that port\n",
		         "proxy:");
	if (p->runner_timeout > 0)
		buf_addf(&b,
		         "%-21s %g s, then the runner kills the sandbox and sbx-exec exits "
		         "124\n",
		         "timeout:", p->runner_timeout);
	if (p->cleanup_argv.n) {
		buf_add(&b, "cleanup after the run:\n ");
		for (size_t i = 0; i < p->cleanup_argv.n; i++) {
			buf_addc(&b, ' ');
			buf_add_shell_quoted(&b, p->cleanup_argv.v[i]);
		}
		buf_addc(&b, '\n');
	}
	if (p->die_with_parent)
		buf_add(&b, "lifetime:             the sandbox dies when sbx-exec's parent does\n");
	if (p->reuse)
		buf_add(&b, "reuse:                " SBX_REUSE_TEXT "\n");
	if (p->signal_argv.n) {
		buf_add(&b, "signals passed on with (plus the signal's name):\n ");
		for (size_t i = 0; i < p->signal_argv.n; i++) {
			buf_addc(&b, ' ');
			buf_add_shell_quoted(&b, p->signal_argv.v[i]);
		}
		buf_addc(&b, '\n');
	}
	buf_add(&b, "argv:\n ");
	for (size_t i = 0; i < p->argv.n; i++) {
		buf_addc(&b, ' ');
		buf_add_shell_quoted(&b, p->argv.v[i]);
	}
	buf_addc(&b, '\n');
	return buf_steal(&b);
}

char *sbx_plan_format(const sbx_plan *p, bool json)
{
	return json ? format_json(p) : format_text(p);
}
