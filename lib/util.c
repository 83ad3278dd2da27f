/* util.c: string vectors, buffers, lexical paths and name globs. */
#include "util.h"

#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

static char *const empty_strv[] = {NULL};

static int strv_grow(strv *s)
{
	if (s->n + 1 < s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 8;
	char **v = realloc(s->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

void strv_remove(strv *s, size_t i)
{
	free(s->v[i]);
	memmove(s->v + i, s->v + i + 1, (s->n - i) * sizeof(*s->v));
	s->n--;
}

int strv_take(strv *s, char *str)
{
	if (!str)
		return -ENOMEM;
	if (strv_grow(s) < 0) {
		free(str);
		return -ENOMEM;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

int strv_push(strv *s, const char *str)
{
	return strv_take(s, strdup(str));
}

int strv_pushf(strv *s, const char *fmt, ...)
{
	va_list ap;
	char *str = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return strv_take(s, str);
}

int strv_extend(strv *s, char *const *v)
{
	for (; v && *v; v++)
		if (strv_push(s, *v) < 0)
			return -ENOMEM;
	return 0;
}

void strv_clear(strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

bool strv_contains(const strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i], str))
			return true;
	return false;
}

char *const *strv_get(const strv *s)
{
	return s->v ? s->v : empty_strv;
}

static bool buf_reserve(buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void buf_addn(buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void buf_add(buf *b, const char *s)
{
	buf_addn(b, s, strlen(s));
}

void buf_addc(buf *b, char c)
{
	buf_addn(b, &c, 1);
}

void buf_vaddf(buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !buf_reserve(b, (size_t)n))
		return;
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_addf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_add_shell_quoted(buf *b, const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		               "@%+=:,./-_",
		               *p) != NULL;
	if (plain) {
		buf_add(b, s);
		return;
	}
	bool control = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		control |= *p < 0x20 || *p == 0x7f;
	if (control) {
		/* $'...': a newline cannot end the line the plan prints */
		buf_add(b, "$'");
		for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
			if (*p == '\'' || *p == '\\')
				buf_addf(b, "\\%c", *p);
			else if (*p < 0x20 || *p == 0x7f)
				buf_addf(b, "\\x%02x", *p);
			else
				buf_addc(b, (char)*p);
		}
		buf_addc(b, '\'');
		return;
	}
	buf_addc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_add(b, "'\\''");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

void buf_add_escaped(buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			buf_add(b, "\\n");
		else if (*p == '\t')
			buf_add(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_addf(b, "\\x%02x", *p);
		else
			buf_addc(b, (char)*p);
	}
}

void buf_add_json_string(buf *b, const char *s)
{
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			buf_add(b, "\\\"");
			break;
		case '\\':
			buf_add(b, "\\\\");
			break;
		case '\n':
			buf_add(b, "\\n");
			break;
		case '\t':
			buf_add(b, "\\t");
			break;
		case '\r':
			buf_add(b, "\\r");
			break;
		default:
			if (*p < 0x20)
				buf_addf(b, "\\u%04x", *p);
			else
				buf_addc(b, (char)*p);
		}
	}
	buf_addc(b, '"');
}

char *buf_steal(buf *b)
{
	if (b->oom) {
		buf_free(b);
		return NULL;
	}
	if (!b->s && !buf_reserve(b, 0))
		return NULL;
	if (b->len == 0)
		b->s[0] = '\0';
	char *s = b->s;
	*b = (buf){0};
	return s;
}

void buf_free(buf *b)
{
	free(b->s);
	*b = (buf){0};
}

bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	while (*s) {
		unsigned c = *s++;
		if (c < 0x80)
			continue;
		int n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : -1;
		if (n < 0 || c > 0xf4)
			return false;
		unsigned v = c & (0x3fu >> n);
		for (int i = 0; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			v = (v << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && v < 0x800) || (n == 3 && (v < 0x10000 || v > 0x10ffff)) ||
		    (v >= 0xd800 && v <= 0xdfff))
			return false;
		s += n;
	}
	return true;
}

const char *env_value(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (; env && *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

#ifdef _WIN32
/* Windows paths: '/' and '\\' both separate, a root is a drive ("C:\\") or,
 * for a path without a drive, the drive of a; the result uses '\\'. UNC
 * paths are kept as given, without normalisation. */
static bool win_sep(char c)
{
	return c == '/' || c == '\\';
}

bool path_win_drive(const char *p)
{
	return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':';
}

char *path_join_normalize(const char *a, const char *b)
{
	if (win_sep(b[0]) && win_sep(b[1]))
		return strdup(b);
	char drive[3] = "C:";
	const char *rel = b;
	buf in = {0};
	if (path_win_drive(b)) {
		memcpy(drive, b, 2);
		rel = b + 2;
		if (!win_sep(*rel) && a && path_win_drive(a) && (a[0] | 32) == (b[0] | 32))
			buf_add(&in, a + 2);
	} else if (a && path_win_drive(a)) {
		memcpy(drive, a, 2);
		if (!win_sep(*rel))
			buf_add(&in, a + 2);
	}
	buf_addc(&in, '\\');
	buf_add(&in, rel);
	char *src = buf_steal(&in);
	char *out = src ? malloc(strlen(src) + 4) : NULL;
	if (!out) {
		free(src);
		return NULL;
	}
	memcpy(out, drive, 2);
	size_t o = 2;
	for (const char *p = src; *p;) {
		while (win_sep(*p))
			p++;
		const char *e = p;
		while (*e && !win_sep(*e))
			e++;
		size_t n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 2 && out[o - 1] != '\\')
				o--;
			if (o > 2)
				o--;
		} else {
			out[o++] = '\\';
			memcpy(out + o, p, n);
			o += n;
		}
		p = e;
	}
	if (o == 2)
		out[o++] = '\\';
	out[o] = '\0';
	free(src);
	return out;
}

bool path_is_beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n && win_sep(dir[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++) {
		char x = path[i], y = dir[i];
		if (win_sep(x) && win_sep(y))
			continue;
		if (!x || ((x | 32) != (y | 32)))
			return false;
	}
	return path[n] == '\0' || win_sep(path[n]);
}

#else
char *path_join_normalize(const char *a, const char *b)
{
	size_t la = (b[0] == '/' || !a) ? 0 : strlen(a);
	size_t lb = strlen(b);
	char *in = malloc(la + lb + 3);
	char *out = malloc(la + lb + 3);
	if (!in || !out) {
		free(in);
		free(out);
		return NULL;
	}
	snprintf(in, la + lb + 3, "%.*s/%s", (int)la, la ? a : "", b);
	size_t o = 0;
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(in);
	return out;
}

bool path_is_beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

#endif

size_t path_depth(const char *path)
{
	size_t n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* Matches one bracket expression at *pp against c; advances *pp past it. */
static bool glob_bracket(const char **pp, char c)
{
	const char *p = *pp + 1;
	bool neg = false, hit = false;
	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	bool first = true;
	while (*p && (*p != ']' || first)) {
		char lo = *p, hi = *p;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2];
			p += 3;
		} else {
			p++;
		}
		if (c >= lo && c <= hi)
			hit = true;
		first = false;
	}
	*pp = *p ? p + 1 : p;
	return hit != neg;
}

bool glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;
	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '?') {
			p++;
			s++;
			continue;
		}
		if (*p == '[') {
			const char *q = p;
			if (glob_bracket(&q, *s)) {
				p = q;
				s++;
				continue;
			}
		} else if (*p == '\\' && p[1] && p[1] == *s) {
			p += 2;
			s++;
			continue;
		} else if (*p && *p == *s) {
			p++;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool glob_valid(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++) {
		if (*p == '=' || *p == ' ' || *p == '\t' || *p == '\n')
			return false;
		if (*p == '\\') {
			if (!p[1])
				return false;
			p++;
		} else if (*p == '[') {
			const char *q = p + 1;
			if (*q == '!' || *q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']')
				q++;
			if (!*q)
				return false;
			p = q;
		} else if (*p == ']') {
			return false;
		}
	}
	return true;
}
