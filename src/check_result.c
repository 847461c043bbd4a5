/* One check's result: status names and setters (check_result.h). */
#include <stdarg.h>
#include <string.h>

#include "check_result.h"

const char *cv_status_name(cv_status s)
{
	switch (s) {
	case CV_PASS: return "pass";
	case CV_WARN: return "warn";
	case CV_FAIL: return "fail";
	case CV_SKIP: return "skip";
	default: return "undecided";
	}
}

/* Same format subset as cv_fail. */
void cv_check_set(cv_check *c, cv_status st, cv_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cv_vformat_into(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
	c->status = st;
	c->code = code;
}

void cv_check_from_diag(cv_check *c, cv_status st, const cv_diag *d)
{
	c->status = st;
	c->code = d->code;
	memcpy(c->msg, d->msg, sizeof c->msg);
	c->msg[sizeof c->msg - 1] = '\0';
}
