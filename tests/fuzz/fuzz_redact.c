/* fuzz_redact.c: --redact's filters (lib/redact.c), which sbx-shim runs on
 * a file that may come from a writable project. The output stays inside
 * its buffer (the input plus 64 bytes, as the shim gives it), and a JSON
 * result is itself valid JSON with nothing left to remove. */
#include "fuzz.h"
#include "util.h"

#include <assert.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	size_t cap = size + 64;
	char *out = malloc(cap), *again = malloc(cap);
	if (!out || !again)
		abort();
	size_t len = 0;
	long r = sbx_redact((const char *)data, size, out, cap, &len);
	assert(len <= cap);
	if (r >= 0 && len && out[0] == '{') {
		/* a JSON result: valid, and redacted already */
		size_t len2 = 0;
		assert(json_redact(out, len, again, cap, &len2) == 0);
		assert(len2 == len && memcmp(out, again, len) == 0);
	}
	free(out);
	free(again);
	return 0;
}
