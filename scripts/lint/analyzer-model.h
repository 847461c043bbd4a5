/*
 * Lint only (scripts/lint.sh force-includes this into every src/*.c except
 * diag.c for clang-tidy; never compiled into the product).
 *
 * The clang static analyzer looks at one translation unit at a time, so it
 * cannot see that cv_fail(d, code, ...) (src/diag.c) returns its code, which
 * is never CV_OK. Without that it explores "cv_fail returned 0" paths, where
 * every out-parameter of a failed helper is uninitialized, and reports dozens
 * of false uninitialized-value findings. This models the documented contract
 * of cv.h ("Record a failure and return its code") so that the
 * uninitialized-value checks can stay on for real findings.
 */
#include "cv.h"

static inline cv_err cv_lint_failure(cv_err code)
{
	if (code == CV_OK)
		__builtin_unreachable(); /* a failure is never CV_OK */
	return code;
}
#define cv_fail(d, code, ...) ((void)cv_fail((d), (code), __VA_ARGS__), cv_lint_failure(code))
