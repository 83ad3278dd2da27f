/* SPDX-License-Identifier: MIT */
/* glibc_compat.c: the musl build (mk/musl.mk) links the distribution's
 * static libseccomp and libcap-ng, which were compiled against glibc's
 * headers: with _FORTIFY_SOURCE their printf calls became glibc's checked
 * variants, and sscanf glibc's C99 name. Each is the plain call here (the
 * checks are the compiler's, for buffers these libraries size themselves). */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __printf_chk(int flag, const char *fmt, ...);
int __sprintf_chk(char *s, int flag, size_t n, const char *fmt, ...);
int __snprintf_chk(char *s, size_t max, int flag, size_t n, const char *fmt, ...);
int __asprintf_chk(char **s, int flag, const char *fmt, ...);
void __syslog_chk(int pri, int flag, const char *fmt, ...);
int __isoc99_sscanf(const char *s, const char *fmt, ...);

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list a;
	va_start(a, fmt);
	int r = vfprintf(f, fmt, a);
	va_end(a);
	return r;
}

int __printf_chk(int flag, const char *fmt, ...)
{
	(void)flag;
	va_list a;
	va_start(a, fmt);
	int r = vprintf(fmt, a);
	va_end(a);
	return r;
}

int __sprintf_chk(char *s, int flag, size_t n, const char *fmt, ...)
{
	(void)flag;
	va_list a;
	va_start(a, fmt);
	int r = vsnprintf(s, n, fmt, a);
	va_end(a);
	return r;
}

int __snprintf_chk(char *s, size_t max, int flag, size_t n, const char *fmt, ...)
{
	(void)flag;
	(void)n;
	va_list a;
	va_start(a, fmt);
	int r = vsnprintf(s, max, fmt, a);
	va_end(a);
	return r;
}

int __asprintf_chk(char **s, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list a;
	va_start(a, fmt);
	int r = vasprintf(s, fmt, a);
	va_end(a);
	return r;
}

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list a;
	va_start(a, fmt);
	vsyslog(pri, fmt, a);
	va_end(a);
}

int __isoc99_sscanf(const char *s, const char *fmt, ...)
{
	va_list a;
	va_start(a, fmt);
	int r = vsscanf(s, fmt, a);
	va_end(a);
	return r;
}
