/* sbpl_check.h: a small SBPL well-formedness checker and rule evaluator for
 * the seatbelt tests. It accepts only what sbx generates: (version 1) first,
 * then (allow|deny OPERATION FILTER...) with known operations and filters,
 * balanced parentheses, string literals with the escapes TinyScheme reads
 * (\\ \" \n \t \r \xHH) and no raw control characters. It records each rule
 * so tests can ask which decision the last matching rule gives (Seatbelt's
 * own order), and every decoded string so tests can check escaping round
 * trips. */
#ifndef SBX_SBPL_CHECK_H
#define SBX_SBPL_CHECK_H

#include "util.h"

#include <ctype.h>
#include <stdio.h>

#define SBPL_MAX_RULES   256
#define SBPL_MAX_FILTERS 64

struct sbpl_filter {
	const char *kind; /* subpath, literal, regex, global-name, unix-socket, ip */
	char *value;
};

struct sbpl_rule {
	bool allow;
	char op[32];
	struct sbpl_filter f[SBPL_MAX_FILTERS];
	size_t nf;
};

struct sbpl {
	char error[256];
	struct sbpl_rule rules[SBPL_MAX_RULES];
	size_t nrules;
	strv strings;  /* every decoded string literal, in order */
	const char *p; /* parse position */
};

static const char *const sbpl_ops[] = {
    "default",          "file-read*",      "file-read-metadata", "file-write*", "network*",
    "network-outbound", "network-inbound", "network-bind",       "mach-lookup",
};

/* Every string the parser made is owned by s->strings, including those of a
 * rule left half-parsed by an error. */
static inline void sbpl_free(struct sbpl *s)
{
	strv_clear(&s->strings);
}

/* s with control characters shown as '?', for one-line TAP messages; the
 * result lives until the 4th next call. */
static inline const char *sbpl_vis(const char *s)
{
	static char out[4][256];
	static int k;
	char *o = out[k++ % 4];
	size_t n = 0;
	for (; *s && n + 1 < sizeof(out[0]); s++)
		o[n++] = (unsigned char)*s < 0x20 ? '?' : *s;
	o[n] = '\0';
	return o;
}

static inline int sbpl_fail(struct sbpl *s, const char *what)
{
	if (!s->error[0])
		snprintf(s->error, sizeof(s->error), "%s at: %.30s", what, sbpl_vis(s->p));
	return -1;
}

static inline void sbpl_skip(struct sbpl *s)
{
	for (;;) {
		while (*s->p == ' ' || *s->p == '\n' || *s->p == '\t')
			s->p++;
		if (*s->p != ';')
			return;
		while (*s->p && *s->p != '\n')
			s->p++;
	}
}

static inline int sbpl_hex(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* A "..." literal (escapes decoded) or, when raw, a #"..." one. */
static inline int sbpl_string(struct sbpl *s, bool raw, char **out)
{
	s->p += raw ? 2 : 1;
	buf b = {0};
	for (;;) {
		unsigned char c = (unsigned char)*s->p;
		if (c == '\0') {
			buf_free(&b);
			return sbpl_fail(s, "unterminated string");
		}
		if (c < 0x20 || c == 0x7f) {
			buf_free(&b);
			return sbpl_fail(s, "raw control character in string");
		}
		s->p++;
		if (c == '"')
			break;
		if (c != '\\' || raw) {
			buf_addc(&b, (char)c);
			continue;
		}
		char e = *s->p++;
		int h1, h2;
		switch (e) {
		case '\\':
		case '"':
			buf_addc(&b, e);
			break;
		case 'n':
			buf_addc(&b, '\n');
			break;
		case 't':
			buf_addc(&b, '\t');
			break;
		case 'r':
			buf_addc(&b, '\r');
			break;
		case 'x':
			h1 = sbpl_hex(s->p[0]);
			h2 = h1 < 0 ? -1 : sbpl_hex(s->p[1]);
			if (h2 < 0) {
				buf_free(&b);
				return sbpl_fail(s, "bad \\x escape");
			}
			buf_addc(&b, (char)(h1 * 16 + h2));
			s->p += 2;
			break;
		default:
			buf_free(&b);
			return sbpl_fail(s, "unknown escape");
		}
	}
	*out = buf_steal(&b);
	strv_take(&s->strings, *out); /* the checker owns every string */
	return 0;
}

static inline int sbpl_symbol(struct sbpl *s, char *out, size_t size)
{
	size_t n = 0;
	while (isalnum((unsigned char)*s->p) || strchr("*-_.", *s->p)) {
		if (n + 1 >= size)
			return sbpl_fail(s, "symbol too long");
		out[n++] = *s->p++;
	}
	out[n] = '\0';
	return n ? 0 : sbpl_fail(s, "expected a symbol");
}

static inline int sbpl_expect(struct sbpl *s, char c)
{
	sbpl_skip(s);
	if (*s->p != c)
		return sbpl_fail(s, c == ')' ? "expected ')'" : "expected '('");
	s->p++;
	return 0;
}

/* "localhost:PORT", the port 1-65535 in digits: the only form of Seatbelt's
 * (remote ip ...) that sbx emits (so the checker matches it exactly). */
static inline bool sbpl_ip_ok(const char *v)
{
	if (!startswith(v, "localhost:") || !v[10] || v[10] == '0')
		return false;
	long n = 0;
	for (const char *q = v + 10; *q; q++)
		if (!isdigit((unsigned char)*q) || (n = n * 10 + (*q - '0')) > 65535)
			return false;
	return true;
}

/* One filter: (subpath "/p"), (literal "/p"), (regex #"re"), (global-name
 * "n"), (remote unix-socket (path-literal "/p")) or (remote ip "HOST:PORT"). */
static inline int sbpl_filter(struct sbpl *s, struct sbpl_rule *r)
{
	char head[32];
	if (sbpl_expect(s, '(') < 0 || sbpl_symbol(s, head, sizeof(head)) < 0)
		return -1;
	if (r->nf >= SBPL_MAX_FILTERS)
		return sbpl_fail(s, "too many filters");
	struct sbpl_filter *f = &r->f[r->nf];
	sbpl_skip(s);
	if (streq(head, "remote")) {
		char kind[32], inner[32];
		if (sbpl_symbol(s, kind, sizeof(kind)) < 0)
			return -1;
		sbpl_skip(s);
		if (streq(kind, "ip")) {
			if (*s->p != '"' || sbpl_string(s, false, &f->value) < 0 ||
			    !sbpl_ip_ok(f->value))
				return sbpl_fail(s, "expected (remote ip \"localhost:PORT\")");
			f->kind = "ip";
			r->nf++;
			return sbpl_expect(s, ')');
		}
		if (!streq(kind, "unix-socket") || sbpl_expect(s, '(') < 0 ||
		    sbpl_symbol(s, inner, sizeof(inner)) < 0 || !streq(inner, "path-literal"))
			return sbpl_fail(s, "expected (remote unix-socket (path-literal ...))");
		sbpl_skip(s);
		if (*s->p != '"' || sbpl_string(s, false, &f->value) < 0 || sbpl_expect(s, ')') < 0)
			return sbpl_fail(s, "expected a path string");
		f->kind = "unix-socket";
	} else if (streq(head, "regex")) {
		if (s->p[0] != '#' || s->p[1] != '"' || sbpl_string(s, true, &f->value) < 0)
			return sbpl_fail(s, "regex needs a #\"...\" literal");
		f->kind = "regex";
	} else if (streq(head, "subpath") || streq(head, "literal") || streq(head, "global-name")) {
		if (*s->p != '"' || sbpl_string(s, false, &f->value) < 0)
			return sbpl_fail(s, "expected a string");
		f->kind = streq(head, "subpath")   ? "subpath"
		          : streq(head, "literal") ? "literal"
		                                   : "global-name";
		if (f->kind[0] != 'g' && f->value[0] != '/')
			return sbpl_fail(s, "path is not absolute");
	} else {
		return sbpl_fail(s, "unknown filter");
	}
	r->nf++;
	return sbpl_expect(s, ')');
}

static inline int sbpl_rule(struct sbpl *s)
{
	char head[32];
	if (sbpl_expect(s, '(') < 0 || sbpl_symbol(s, head, sizeof(head)) < 0)
		return -1;
	if (s->nrules >= SBPL_MAX_RULES)
		return sbpl_fail(s, "too many rules");
	struct sbpl_rule *r = &s->rules[s->nrules];
	if (!streq(head, "allow") && !streq(head, "deny"))
		return sbpl_fail(s, "unknown form");
	r->allow = streq(head, "allow");
	sbpl_skip(s);
	if (sbpl_symbol(s, r->op, sizeof(r->op)) < 0)
		return -1;
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(sbpl_ops); i++)
		known |= streq(r->op, sbpl_ops[i]);
	if (!known)
		return sbpl_fail(s, "unknown operation");
	s->nrules++;
	for (sbpl_skip(s); *s->p == '('; sbpl_skip(s))
		if (sbpl_filter(s, r) < 0)
			return -1;
	return sbpl_expect(s, ')');
}

/* 0 when text is a well-formed profile; else -1 with s->error set. */
static inline int sbpl_parse(struct sbpl *s, const char *text)
{
	memset(s, 0, sizeof(*s));
	s->p = text;
	sbpl_skip(s);
	if (strncmp(s->p, "(version 1)", 11) != 0)
		return sbpl_fail(s, "does not start with (version 1)");
	s->p += 11;
	for (sbpl_skip(s); *s->p; sbpl_skip(s))
		if (sbpl_rule(s) < 0)
			return -1;
	return 0;
}

/* Does rule operation `rop` cover the concrete operation `op`? */
static inline bool sbpl_op_covers(const char *rop, const char *op)
{
	if (streq(rop, "default") || streq(rop, op))
		return true;
	size_t n = strlen(rop);
	return n > 1 && rop[n - 1] == '*' && strncmp(rop, op, n - 1) == 0;
}

/* The only regex sbx emits: the terminal devices. */
static inline bool sbpl_regex_match(const char *re, const char *path)
{
	if (!streq(re, "^/dev/ttys[0-9]+$") || strncmp(path, "/dev/ttys", 9) != 0 || !path[9])
		return false;
	for (const char *q = path + 9; *q; q++)
		if (!isdigit((unsigned char)*q))
			return false;
	return true;
}

static inline bool sbpl_filter_matches(const struct sbpl_filter *f, const char *arg)
{
	if (streq(f->kind, "subpath"))
		return path_is_beneath(arg, f->value);
	if (streq(f->kind, "regex"))
		return sbpl_regex_match(f->value, arg);
	return streq(f->value, arg); /* literal, global-name, unix-socket, ip */
}

/* Seatbelt's decision for op on arg (a path or a service name): the last
 * rule whose operation covers op and which has no filter or a matching one;
 * 1 allow, 0 deny, -1 when nothing matched. */
static inline int sbpl_decide(const struct sbpl *s, const char *op, const char *arg)
{
	int d = -1;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct sbpl_rule *r = &s->rules[i];
		if (!sbpl_op_covers(r->op, op))
			continue;
		bool hit = r->nf == 0;
		for (size_t j = 0; !hit && j < r->nf; j++)
			hit = sbpl_filter_matches(&r->f[j], arg);
		if (hit)
			d = r->allow;
	}
	return d;
}

#endif
