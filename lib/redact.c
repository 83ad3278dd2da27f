/* redact.c: --redact's filters, for the configuration files the agent
 * profile shows without their secrets: INI-style (.npmrc, pip.conf,
 * .pypirc, .gitconfig) and JSON (~/.docker/config.json). Pure and without
 * allocation: sbx-shim runs them on the file it read. */
#include "util.h"

#include <stdio.h>

static bool secret_key(const char *k, size_t n)
{
	char norm[256];
	size_t m = 0;
	for (size_t i = 0; i < n && m + 1 < sizeof(norm); i++) {
		char c = k[i];
		if (c == '_' || c == '-' || c == '.' || c == ' ' || c == '\t')
			continue;
		norm[m++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	norm[m] = '\0';
	static const char *const words[] = {"pass",       "secret", "token",   "auth",   "key",
	                                    "credential", "cookie", "session", "private"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(norm, words[i]))
			return true;
	return false;
}

/* scheme://user:password@host anywhere in v */
static bool url_with_password(const char *v, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++) {
		if (v[i] != ':' || v[i + 1] != '/' || v[i + 2] != '/')
			continue;
		bool colon = false;
		for (size_t j = i + 3; j < n && v[j] != '/' && v[j] != ' ' && v[j] != '\t'; j++) {
			if (v[j] == ':')
				colon = true;
			if (v[j] == '@' && colon)
				return true;
		}
	}
	return false;
}

/* "name = ..." or "name: ..." with a plain name: an entry of its own, even
 * indented (.gitconfig indents them all), not a continuation line */
static bool simple_entry(const char *l, size_t n)
{
	size_t i = 0;
	while (i < n && ((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') ||
	                 (l[i] >= '0' && l[i] <= '9') || l[i] == '_' || l[i] == '-' || l[i] == '.'))
		i++;
	if (i == 0)
		return false;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return i < n && (l[i] == '=' || l[i] == ':');
}

size_t ini_redact(const char *in, size_t n, char *out, size_t size, size_t *out_len)
{
	/* two passes: count, then write with the header first */
	size_t removed = 0, o = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && removed) {
			int h = snprintf(out, size, "# sbx: %zu credential %s removed\n", removed,
			                 removed == 1 ? "entry" : "entries");
			o = h > 0 && (size_t)h < size ? (size_t)h : 0;
		}
		size_t count = 0;
		bool dropping = false, secret_section = false;
		for (size_t i = 0; i < n;) {
			size_t e = i;
			while (e < n && in[e] != '\n')
				e++;
			size_t end = e < n ? e + 1 : e; /* with its newline */
			size_t t = i;
			while (t < e && (in[t] == ' ' || in[t] == '\t' || in[t] == '\r'))
				t++;
			bool blank = t == e, indented = t > i;
			bool comment = !blank && (in[t] == '#' || in[t] == ';');
			bool drop = false, counted = false;
			if (blank || comment) {
				dropping = false;
			} else if (in[t] == '[') {
				/* [url "https://user:token@host/"]: the header holds
				 * the secret; its entries go with it */
				secret_section = url_with_password(in + t, e - t);
				drop = counted = secret_section;
				dropping = false;
			} else if (secret_section) {
				drop = true;
			} else if (indented && dropping && !simple_entry(in + t, e - t)) {
				drop = true; /* continuation of a removed entry */
			} else {
				size_t k = t;
				while (k < e && in[k] != '=')
					k++;
				if (k == e) {
					k = t;
					while (k < e && in[k] != ':')
						k++;
				}
				drop = counted =
				    k < e && (secret_key(in + t, k - t) ||
				              url_with_password(in + k + 1, e - k - 1));
				dropping = drop;
			}
			if (counted)
				count++;
			if (!drop && pass == 1 && o + (end - i) <= size) {
				memcpy(out + o, in + i, end - i);
				o += end - i;
			}
			i = end;
		}
		removed = count;
	}
	if (out_len)
		*out_len = o;
	return removed;
}

/* JSON: the members whose key is a secret's (as above: auths, Authorization,
 * identitytoken, ...), Docker's credHelpers, and any whose string value is a
 * URL with a password are removed at every depth; the rest is kept, its
 * strings and numbers byte for byte (whitespace between tokens dropped). */
struct jr {
	const char *in;
	size_t n, i;
	char *out;
	size_t size, o;
	size_t removed;
	bool bad;
};

static void jr_put(struct jr *j, const char *s, size_t len)
{
	if (j->o + len > j->size) {
		j->bad = true;
		return;
	}
	memcpy(j->out + j->o, s, len);
	j->o += len;
}

static void jr_ws(struct jr *j)
{
	while (j->i < j->n && (j->in[j->i] == ' ' || j->in[j->i] == '\t' || j->in[j->i] == '\n' ||
	                       j->in[j->i] == '\r'))
		j->i++;
}

/* A string's extent (quotes included) at j->i; false when malformed. */
static bool jr_string(struct jr *j, size_t *start, size_t *len)
{
	if (j->i >= j->n || j->in[j->i] != '"')
		return false;
	*start = j->i++;
	while (j->i < j->n && j->in[j->i] != '"') {
		if ((unsigned char)j->in[j->i] < 0x20)
			return false;
		j->i += j->in[j->i] == '\\' ? 2 : 1;
	}
	if (j->i >= j->n)
		return false;
	j->i++;
	*len = j->i - *start;
	return true;
}

static bool jr_value(struct jr *j, int depth, bool emit);

static bool jr_object(struct jr *j, int depth, bool emit)
{
	j->i++; /* { */
	if (emit)
		jr_put(j, "{", 1);
	jr_ws(j);
	bool first = true;
	if (j->i < j->n && j->in[j->i] == '}') {
		j->i++;
		if (emit)
			jr_put(j, "}", 1);
		return true;
	}
	for (;;) {
		jr_ws(j);
		size_t ks, kl;
		if (!jr_string(j, &ks, &kl))
			return false;
		jr_ws(j);
		if (j->i >= j->n || j->in[j->i] != ':')
			return false;
		j->i++;
		jr_ws(j);
		bool drop = secret_key(j->in + ks + 1, kl - 2) ||
		            (kl - 2 == 11 && memcmp(j->in + ks + 1, "credHelpers", 11) == 0) ||
		            (kl - 2 == 12 && memcmp(j->in + ks + 1, "credsHelpers", 12) == 0);
		if (!drop && j->i < j->n && j->in[j->i] == '"') {
			/* a string value: look at it before deciding */
			size_t save = j->i, vs, vl;
			if (!jr_string(j, &vs, &vl))
				return false;
			drop = url_with_password(j->in + vs, vl);
			j->i = save;
		}
		if (drop && emit) /* those inside a removed one are not counted */
			j->removed++;
		bool keep = emit && !drop;
		if (keep) {
			if (!first)
				jr_put(j, ",", 1);
			jr_put(j, j->in + ks, kl);
			jr_put(j, ":", 1);
			first = false;
		}
		if (!jr_value(j, depth + 1, keep))
			return false;
		jr_ws(j);
		if (j->i < j->n && j->in[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->in[j->i] == '}') {
			j->i++;
			if (emit)
				jr_put(j, "}", 1);
			return true;
		}
		return false;
	}
}

static bool jr_array(struct jr *j, int depth, bool emit)
{
	j->i++; /* [ */
	if (emit)
		jr_put(j, "[", 1);
	jr_ws(j);
	if (j->i < j->n && j->in[j->i] == ']') {
		j->i++;
		if (emit)
			jr_put(j, "]", 1);
		return true;
	}
	for (bool first = true;; first = false) {
		if (emit && !first)
			jr_put(j, ",", 1);
		if (!jr_value(j, depth + 1, emit))
			return false;
		jr_ws(j);
		if (j->i < j->n && j->in[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->in[j->i] == ']') {
			j->i++;
			if (emit)
				jr_put(j, "]", 1);
			return true;
		}
		return false;
	}
}

static bool jr_value(struct jr *j, int depth, bool emit)
{
	if (depth > 64)
		return false;
	jr_ws(j);
	if (j->i >= j->n)
		return false;
	char c = j->in[j->i];
	if (c == '{')
		return jr_object(j, depth, emit);
	if (c == '[')
		return jr_array(j, depth, emit);
	size_t s = j->i, len;
	if (c == '"') {
		if (!jr_string(j, &s, &len))
			return false;
	} else {
		/* a number, true, false or null: the characters they are made of */
		while (j->i < j->n && strchr("0123456789+-.eEtrufalsn", j->in[j->i]) && j->in[j->i])
			j->i++;
		len = j->i - s;
		if (!len)
			return false;
	}
	if (emit)
		jr_put(j, j->in + s, len);
	return true;
}

long json_redact(const char *in, size_t n, char *out, size_t size, size_t *out_len)
{
	struct jr j = {.in = in, .n = n, .out = out, .size = size};
	jr_ws(&j);
	bool ok = j.i < n && in[j.i] == '{' && jr_object(&j, 0, true);
	jr_ws(&j);
	ok = ok && j.i == n && !j.bad;
	if (ok)
		jr_put(&j, "\n", 1);
	if (!ok || j.bad) {
		*out_len = 0;
		return -1;
	}
	*out_len = j.o;
	return (long)j.removed;
}

long sbx_redact(const char *in, size_t n, char *out, size_t size, size_t *out_len)
{
	size_t t = 0;
	while (t < n && (in[t] == ' ' || in[t] == '\t' || in[t] == '\n' || in[t] == '\r'))
		t++;
	if (t < n && in[t] == '{')
		return json_redact(in, n, out, size, out_len);
	return (long)ini_redact(in, n, out, size, out_len);
}
