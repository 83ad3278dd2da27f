/* fuzz_shim.c: sbx-shim's options, which it takes from anyone who runs it
 * by hand: every value is parsed strictly, and whatever the words (split at
 * NUL bytes), parsing either fails with a message or yields a config whose
 * numbers are within their documented ranges. Nothing is run. */
#include "fuzz.h"
#include "shim.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 14)
		return 0;
	int argc;
	char *buf;
	char **argv = fuzz_argv(data, size, "sbx-shim", &argc, &buf);
	if (!argv)
		return 0;
	static char *envp[] = {NULL};
	struct shim_config c = {.prog = "sbx-shim", .envp = envp};
	int r = shim_parse(&c, argc, argv);
	if (r > 0) {
		/* the command word, and limits never silently out of range */
		assert(r < argc && c.argv == argv + r);
		assert(c.ll_abi >= 0 && c.ll_abi <= 64);
		assert(c.cpus == 0 || (c.cpus >= 0.01 && c.cpus <= 1024));
		assert(c.timeout >= 0);
	}
	shim_free_config(&c);
	free(argv);
	free(buf);
	return 0;
}
