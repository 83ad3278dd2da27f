/* fuzz_policy.c: the policy parser and its layering. The input is up to
 * four layers separated by 0x01 bytes; each layer's first byte says how it
 * is applied: 'p' as an SBX_POLICY value (inline when it holds '=', else a
 * file or a name), 'r' as a profile reset, 'i' as one KEY=VALUE item in a
 * layer of its own, anything else as policy-file text. The spec is then
 * checked against what the layering promises, and compiled for the
 * backends whose plans are made without running anything. */
#include "fuzz.h"
#include "sbx.h"

#include <assert.h>
#include <stdio.h>

static sbx_runner *runners[3];

static void compile_all(const sbx_spec *spec)
{
	static const sbx_backend bs[] = {SBX_BACKEND_LANDLOCK, SBX_BACKEND_SEATBELT,
	                                 SBX_BACKEND_APPCONTAINER};
	for (size_t i = 0; i < sizeof(bs) / sizeof(bs[0]); i++) {
		sbx_error *err = NULL;
		if (!runners[i] && sbx_runner_new_backend(bs[i], &runners[i], &err) < 0) {
			sbx_error_free(err);
			continue;
		}
		sbx_plan *plan = NULL;
		if (sbx_runner_compile(runners[i], spec, &plan, &err) < 0) {
			/* a refusal always says why */
			assert(err && sbx_error_message(err)[0]);
			sbx_error_free(err);
			continue;
		}
		for (int json = 0; json <= 1; json++)
			free(sbx_plan_format(plan, json));
		sbx_plan_free(plan);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char *text = fuzz_text(data, size);
	sbx_spec *spec = NULL;
	if (!text || sbx_spec_new(&spec) < 0) {
		free(text);
		return 0;
	}
	size_t denials_before = 0;
	bool failed = false;
	char *save = NULL;
	int layers = 0;
	for (char *layer = strtok_r(text, "\x01", &save); layer && layers < 4 && !failed;
	     layer = strtok_r(NULL, "\x01", &save), layers++) {
		sbx_error *err = NULL;
		int r;
		sbx_spec_list(spec, SBX_LIST_READ_DENY, &denials_before);
		switch (layer[0]) {
		case 'p':
			r = sbx_spec_apply_policy(spec, layer + 1, &err);
			break;
		case 'r':
			r = sbx_spec_apply_profile(spec, layer + 1, &err);
			break;
		case 'i': {
			char *eq = strchr(layer + 1, '=');
			if (!eq) {
				r = 0;
				break;
			}
			*eq = '\0';
			sbx_spec_begin_layer(spec);
			r = sbx_spec_apply_item(spec, layer + 1, eq + 1, &err);
			break;
		}
		default:
			r = sbx_spec_apply_text(spec, layer, "fuzz", &err);
			break;
		}
		if (r < 0) {
			assert(err && sbx_error_message(err)[0]);
			sbx_error_free(err);
			failed = true;
			break;
		}
		assert(!err);
		/* denials accumulate: a layer that applied cleanly and holds
		 * no empty "read-deny =" never drops one */
		size_t after = 0;
		sbx_spec_list(spec, SBX_LIST_READ_DENY, &after);
		if (!strstr(layer, "read-deny") && !strstr(layer, "READ_DENY") && layer[0] != 'p')
			assert(after >= denials_before);
	}
	if (!failed) {
		static char *const argv[] = {"true", NULL};
		sbx_spec_set_args(spec, argv);
		sbx_spec_set_best_effort(spec, true);
		sbx_spec *copy = NULL;
		if (sbx_spec_dup(spec, &copy) == 0) {
			compile_all(copy);
			sbx_spec_free(copy);
		}
	}
	sbx_spec_free(spec);
	free(text);
	return 0;
}
