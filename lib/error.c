/* error.c: the optional error object carrying a one-line message. */
#include "internal.h"

#include <stdio.h>

static int set_error(sbx_error **err, int code, const char *fmt, va_list ap, bool with_errno)
{
	if (!err || *err)
		return code;
	sbx_error *e = calloc(1, sizeof(*e));
	if (!e)
		return code;
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (msg && with_errno) {
		char *full = NULL;
		if (asprintf(&full, "%s: %s", msg, strerror(-code)) >= 0) {
			free(msg);
			msg = full;
		}
	}
	e->code = code;
	e->msg = msg ? msg : strdup("out of memory");
	*err = e;
	return code;
}

int sbx_err(sbx_error **err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(err, code, fmt, ap, false);
	va_end(ap);
	return code;
}

int sbx_err_errno(sbx_error **err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(err, code, fmt, ap, true);
	va_end(ap);
	return code;
}

const char *sbx_error_message(const sbx_error *err)
{
	return err && err->msg ? err->msg : "unknown error";
}

int sbx_error_code(const sbx_error *err)
{
	return err ? err->code : 0;
}

void sbx_error_free(sbx_error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}
