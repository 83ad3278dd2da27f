/* modes.c: string forms of the policy modes, and the value parsers shared by
 * policies, the environment and the command line. */
#include "internal.h"

#include <ctype.h>
#include <strings.h>
#include <math.h>
#include <stdio.h>

static const char *const net_names[] = {"disable", "enable", "outbound", "allowlist"};
static const char *const write_names[] = {"none", "scope", "ephemeral", "overlay"};
static const char *const fsv_names[] = {"none", "overlay", "image", "clone"};

static int lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (streq(names[i], name))
			return (int)i;
	return -EINVAL;
}

const char *sbx_net_name(sbx_net n)
{
	return (n >= 0 && (size_t)n < ARRAY_SIZE(net_names)) ? net_names[n] : NULL;
}

int sbx_net_from_name(const char *name, sbx_net *out)
{
	int i = lookup(net_names, ARRAY_SIZE(net_names), name);
	if (i < 0)
		return i;
	*out = (sbx_net)i;
	return 0;
}

const char *sbx_write_name(sbx_write w)
{
	return (w >= 0 && (size_t)w < ARRAY_SIZE(write_names)) ? write_names[w] : NULL;
}

int sbx_write_from_name(const char *name, sbx_write *out)
{
	int i = lookup(write_names, ARRAY_SIZE(write_names), name);
	if (i < 0)
		return i;
	*out = (sbx_write)i;
	return 0;
}

const char *sbx_fsv_name(sbx_fsv v)
{
	return (v >= 0 && (size_t)v < ARRAY_SIZE(fsv_names)) ? fsv_names[v] : NULL;
}

/* Parses a plain non-negative decimal ("12", "1.5", ".5"; no sign, no
 * exponent, no hexadecimal, no inf or nan) with an optional one-word
 * suffix; *suffix points at what follows the number. */
static int parse_number(const char *text, double *out, const char **suffix)
{
	if (!text)
		return -EINVAL;
	const char *p = text;
	size_t digits = 0;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (!digits || (size_t)(p - text) > 40)
		return -EINVAL;
	char num[48];
	memcpy(num, text, (size_t)(p - text));
	num[p - text] = '\0';
	double v = strtod(num, NULL);
	if (!isfinite(v))
		return -EINVAL;
	*out = v;
	*suffix = p;
	return 0;
}

int sbx_parse_size(const char *text, int64_t *bytes)
{
	double v;
	const char *sfx;
	if (parse_number(text, &v, &sfx) < 0)
		return -EINVAL;
	double mult = 1;
	switch (tolower((unsigned char)*sfx)) {
	case '\0':
		break;
	case 'k':
		mult = 1024.0;
		break;
	case 'm':
		mult = 1024.0 * 1024;
		break;
	case 'g':
		mult = 1024.0 * 1024 * 1024;
		break;
	case 't':
		mult = 1024.0 * 1024 * 1024 * 1024;
		break;
	case 'p':
		mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
		break;
	default:
		return -EINVAL;
	}
	if (*sfx) {
		sfx++;
		if (tolower((unsigned char)*sfx) == 'b')
			sfx++;
		else if (tolower((unsigned char)sfx[0]) == 'i' &&
		         tolower((unsigned char)sfx[1]) == 'b')
			sfx += 2;
	}
	if (*sfx)
		return -EINVAL;
	double b = v * mult;
	if (b != floor(b) || b > 9.0e18)
		return -EINVAL;
	*bytes = (int64_t)b;
	return 0;
}

int sbx_parse_duration(const char *text, double *secs)
{
	double v;
	const char *sfx;
	if (parse_number(text, &v, &sfx) < 0)
		return -EINVAL;
	double mult;
	if (streq(sfx, "") || streq(sfx, "s"))
		mult = 1;
	else if (streq(sfx, "ms"))
		mult = 0.001;
	else if (streq(sfx, "m"))
		mult = 60;
	else if (streq(sfx, "h"))
		mult = 3600;
	else if (streq(sfx, "d"))
		mult = 86400;
	else
		return -EINVAL;
	*secs = v * mult;
	return isfinite(*secs) ? 0 : -EINVAL;
}

int sbx_parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};
	for (size_t i = 0; text && i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}
