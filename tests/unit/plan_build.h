/* plan_build.h: building a spec from a test case's parts and compiling it
 * for one backend, shared by the golden-plan tests. */
#ifndef SBX_TEST_PLAN_BUILD_H
#define SBX_TEST_PLAN_BUILD_H

#include "sbx.h"

#include <stdio.h>

/* A spec from a built-in profile (or NULL), an inline policy (or NULL),
 * argv, env and dir, then extra(s) when set. Prints a policy error as a
 * TAP comment. 0 or the failing call's negative errno; *out always set. */
static inline int test_spec_build(const char *name, const char *profile, const char *policy,
                                  const char *const *argv, char *const *env, const char *dir,
                                  void (*extra)(sbx_spec *s), sbx_spec **out)
{
	sbx_spec *s = NULL;
	sbx_error *err = NULL;
	int r = sbx_spec_new(&s);
	if (r == 0 && profile)
		r = sbx_spec_apply_profile(s, profile, &err);
	if (r == 0 && policy)
		r = sbx_spec_apply_text(s, policy, "test", &err);
	if (r == 0)
		r = sbx_spec_set_args(s, (char *const *)argv);
	if (r == 0)
		r = sbx_spec_set_env(s, env);
	if (r == 0)
		r = sbx_spec_set_dir(s, dir);
	if (r == 0 && extra)
		extra(s);
	if (err) {
		printf("# %s: %s\n", name, sbx_error_message(err));
		sbx_error_free(err);
	}
	*out = s;
	return r;
}

/* The spec's plan for backend b, or NULL with *rc and *err set. */
static inline sbx_plan *test_compile(sbx_backend b, const sbx_spec *s, int *rc, sbx_error **err)
{
	sbx_runner *r = NULL;
	sbx_plan *p = NULL;
	*rc = sbx_runner_new_backend(b, &r, err);
	if (*rc == 0)
		*rc = sbx_runner_compile(r, s, &p, err);
	sbx_runner_free(r);
	return p;
}

#endif
