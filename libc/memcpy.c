/* SPDX-License-Identifier: MIT */
/* memcpy.c: memcpy for the musl build (mk/musl.mk). musl's x86-64 memcpy
 * is rep movsq with byte moves around it, whose start-up cost dominates
 * the small copies these programs make (a path, a string vector's
 * growth); plain 8-byte moves are several times faster there. musl's
 * memmove calls __memcpy_fwd for a copy that may run forwards: this one
 * may (every 16 bytes are read before any of them is written). */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n >= 16) {
		uint64_t a, b;
		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(&b, s + 8, 8);
		__builtin_memcpy(d, &a, 8);
		__builtin_memcpy(d + 8, &b, 8);
		d += 16, s += 16, n -= 16;
	}
	if (n >= 8) {
		uint64_t a;
		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(d, &a, 8);
		d += 8, s += 8, n -= 8;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *__memcpy_fwd(void *restrict dst, const void *restrict src, size_t n)
    __attribute__((alias("memcpy")));
