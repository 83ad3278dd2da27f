/* SPDX-License-Identifier: MIT */
/* alloc.c: malloc for the musl build of sbx-exec and sbx-shim (mk/musl.mk).
 *
 * musl's own allocator returns freed memory to the kernel eagerly: one
 * start of the tight profile made 54 mmap and 44 munmap calls, each unmap
 * a TLB flush that the hypervisor turns into interprocessor interrupts,
 * and cost 0.7 ms of a 3.7 ms start. These processes are small and
 * short-lived, or (the supervisor, init, a --reuse server) keep a small
 * steady working set, so blocks here come in power-of-two classes from 16
 * bytes to 64 KiB, carved from 256 KiB chunks that are never unmapped; a
 * freed block waits on its class's list for the next allocation of that
 * class. Anything larger is its own mapping, unmapped when freed.
 *
 * Every block has a 16-byte header before it: the class, or for a large
 * block its mapping. The processes are single-threaded where they
 * allocate; a lock keeps that from mattering if it ever changes. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HDR       16
#define MIN_SHIFT 4  /* 16 bytes, header included */
#define MAX_SHIFT 16 /* 64 KiB */
#define NCLASS    (MAX_SHIFT - MIN_SHIFT + 1)
#define CHUNK     (256 * 1024)
#define LARGE     UINT64_C(0x8000000000000000)

struct hdr {
	uint64_t info; /* the class, or LARGE | the mapping's length */
	void *base;    /* a large block's mapping */
};

struct free_block {
	struct free_block *next;
};

static struct free_block *lists[NCLASS];
static char *cur, *end;
static volatile int lock;

static void take_lock(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void drop_lock(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static int class_of(size_t total)
{
	int c = 0;
	while (((size_t)1 << (c + MIN_SHIFT)) < total)
		c++;
	return c;
}

static void *large(size_t n, size_t align)
{
	size_t len = n + HDR + align;
	if (len < n) {
		errno = ENOMEM;
		return NULL;
	}
	len = (len + 4095) & ~(size_t)4095;
	char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	uintptr_t p = (uintptr_t)base + HDR;
	if (align > HDR)
		p = (p + align - 1) & ~(uintptr_t)(align - 1);
	struct hdr *h = (struct hdr *)(p - HDR);
	h->info = LARGE | len;
	h->base = base;
	return (void *)p;
}

void *malloc(size_t n)
{
	if (n > ((size_t)1 << MAX_SHIFT) - HDR)
		return large(n, 0);
	int c = class_of(n + HDR);
	size_t size = (size_t)1 << (c + MIN_SHIFT);
	take_lock();
	struct hdr *h = (struct hdr *)lists[c];
	if (h) {
		lists[c] = lists[c]->next;
	} else {
		if ((size_t)(end - cur) < size) {
			char *chunk = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (chunk == MAP_FAILED) {
				drop_lock();
				errno = ENOMEM;
				return NULL;
			}
			/* (what was left of the last chunk stays unused) */
			cur = chunk;
			end = chunk + CHUNK;
		}
		h = (struct hdr *)cur;
		cur += size;
	}
	drop_lock();
	h->info = (uint64_t)c;
	h->base = NULL;
	return (char *)h + HDR;
}

static struct hdr *hdr_of(void *p)
{
	return (struct hdr *)((char *)p - HDR);
}

static size_t usable(const struct hdr *h, const void *p)
{
	if (h->info & LARGE)
		return (size_t)((const char *)h->base + (h->info & ~LARGE) - (const char *)p);
	return ((size_t)1 << (h->info + MIN_SHIFT)) - HDR;
}

void free(void *p)
{
	if (!p)
		return;
	struct hdr *h = hdr_of(p);
	if (h->info & LARGE) {
		munmap(h->base, (size_t)(h->info & ~LARGE));
		return;
	}
	int c = (int)h->info;
	struct free_block *b = (struct free_block *)h;
	take_lock();
	b->next = lists[c];
	lists[c] = b;
	drop_lock();
}

void *calloc(size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = malloc(n * m);
	if (p)
		memset(p, 0, n * m);
	return p;
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	size_t have = usable(hdr_of(p), p);
	if (n <= have && (n > have / 2 || have <= 64))
		return p;
	void *q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	free(p);
	return q;
}

void *aligned_alloc(size_t align, size_t n)
{
	if (align & (align - 1)) {
		errno = EINVAL;
		return NULL;
	}
	return align <= HDR ? malloc(n) : large(n, align);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = aligned_alloc(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

size_t malloc_usable_size(void *p)
{
	return p ? usable(hdr_of(p), p) : 0;
}
