/* fuzz_preload_config.c: the preload library's config parser, which reads
 * the config sbx-exec hands it (as text in a sealed memfd) in the command's
 * own process: it accepts a well-formed config or none at all, and every
 * path it accepts is normalised. */
#include "fuzz.h"
#include "preload.h"

#include <assert.h>

static void check_list(const struct pr_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		assert(pr_path_is_normal(l->v[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	const char *slots[256];
	struct pr_config c;
	int r = pr_config_parse(&c, text, size, slots, 256);
	if (r == 0) {
		assert(c.valid);
		check_list(&c.read_deny);
		check_list(&c.readable);
		check_list(&c.writable);
	} else {
		assert(!c.valid);
	}
	free(text);
	return 0;
}
