/* Check names and setters. */
#include <stdarg.h>
#include <string.h>

#include "report.h"

const char *cv_check_name(cv_check_id id)
{
	static const char *const names[CK_COUNT] = {
		[CK_QUOTE_FORMAT] = "quote.format",
		[CK_HARDWARE_SIGNATURE] = "hardware.signature",
		[CK_COLLATERAL_VALIDITY] = "collateral.validity",
		[CK_TCB_STATUS] = "tcb.status",
		[CK_TD_ATTRIBUTES] = "td.attributes",
		[CK_EVENTLOG_REPLAY] = "eventlog.replay",
		[CK_APP_COMPOSE_HASH] = "app.compose_hash",
		[CK_FRESHNESS_NONCE] = "freshness.nonce",
		[CK_REPORT_DATA_BINDING] = "report_data.binding",
		[CK_APP_IMAGES_PINNED] = "app.images_pinned",
		[CK_POLICY_MEASUREMENTS] = "policy.measurements",
	};
	return (unsigned)id < CK_COUNT ? names[id] : "unknown";
}

const char *cv_status_name(cv_status s)
{
	switch (s) {
	case CV_PASS: return "pass";
	case CV_WARN: return "warn";
	case CV_FAIL: return "fail";
	default: return "skip";
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
	c->ran = 1;
}

void cv_check_from_diag(cv_check *c, cv_status st, const cv_diag *d)
{
	c->status = st;
	c->code = d->code;
	memcpy(c->msg, d->msg, sizeof c->msg);
	c->msg[sizeof c->msg - 1] = '\0';
	c->ran = 1;
}
