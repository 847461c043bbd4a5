/*
 * The table of checks (check_table.h; docs/checks.md): each row's function
 * turns the facts into one check's plain result.
 */
#include <string.h>

#include "check_table.h"

/* The five DCAP checks: dcap.c's result, or the absence of a quote. */
static cv_check dcap_or_missing(const cv_facts *f, const cv_check *from_dcap)
{
	cv_check c = { .enforced = 1 };
	if (f->dcap)
		return *from_dcap;
	/* Nothing to parse or judge, so these are skipped; hardware.signature
	 * turns the absence of a hardware proof into a failure. */
	cv_check_set(&c, CV_SKIP, CV_QUOTE_MISSING, "The evidence carries no quote to check.");
	return c;
}

static cv_check decide_quote_format(const cv_facts *f)
{
	return dcap_or_missing(f, f->dcap ? &f->dcap->quote_format : NULL);
}

static cv_check decide_hardware_signature(const cv_facts *f)
{
	cv_check c = dcap_or_missing(f, f->dcap ? &f->dcap->hardware_signature : NULL);
	if (!f->dcap)
		cv_check_set(&c, CV_FAIL, CV_QUOTE_MISSING,
			"The evidence carries no quote, so nothing proves it comes from TEE hardware.");
	return c;
}

static cv_check decide_collateral_validity(const cv_facts *f)
{
	return dcap_or_missing(f, f->dcap ? &f->dcap->collateral_validity : NULL);
}

static cv_check decide_tcb_status(const cv_facts *f)
{
	return dcap_or_missing(f, f->dcap ? &f->dcap->tcb_status : NULL);
}

static cv_check decide_td_attributes(const cv_facts *f)
{
	return dcap_or_missing(f, f->dcap ? &f->dcap->td_attributes : NULL);
}

static cv_check decide_eventlog_replay(const cv_facts *f)
{
	return f->ds->eventlog_replay;
}

static cv_check decide_compose_hash(const cv_facts *f)
{
	return f->ds->app_compose_hash;
}

static cv_check decide_images_pinned(const cv_facts *f)
{
	cv_check c = { 0 };
	/* Images read from an app-compose the quote does not bind prove
	 * nothing (docs/checks.md app.images_pinned). */
	if (f->ds->images_state != CV_IMAGES_NO_COMPOSE && f->decided[CK_APP_COMPOSE_HASH].status != CV_PASS) {
		cv_check_set(&c, f->pol->require_pinned_images ? CV_FAIL : CV_SKIP, CV_COMPOSE_UNBOUND,
			"app.compose_hash did not pass, so these images are not proven to be the ones the CVM runs.");
		c.enforced = f->pol->require_pinned_images;
		return c;
	}
	c = cv_policy_images(f->ds, f->pol->require_pinned_images);
	c.enforced = f->pol->require_pinned_images;
	return c;
}

static const cv_check_row table[CK_COUNT] = {
	{ CK_QUOTE_FORMAT, "quote.format", decide_quote_format },
	{ CK_HARDWARE_SIGNATURE, "hardware.signature", decide_hardware_signature },
	{ CK_COLLATERAL_VALIDITY, "collateral.validity", decide_collateral_validity },
	{ CK_TCB_STATUS, "tcb.status", decide_tcb_status },
	{ CK_TD_ATTRIBUTES, "td.attributes", decide_td_attributes },
	{ CK_EVENTLOG_REPLAY, "eventlog.replay", decide_eventlog_replay },
	{ CK_OS_IMAGE, "os.image", cv_policy_os_image },
	{ CK_APP_COMPOSE_HASH, "app.compose_hash", decide_compose_hash },
	{ CK_FRESHNESS_NONCE, "freshness.nonce", cv_policy_nonce },
	{ CK_REPORT_DATA_BINDING, "report_data.binding", cv_policy_binding },
	{ CK_APP_IMAGES_PINNED, "app.images_pinned", decide_images_pinned },
	{ CK_APP_PROVENANCE, "app.provenance", cv_policy_provenance },
	{ CK_POLICY_MEASUREMENTS, "policy.measurements", cv_policy_measurements },
	{ CK_GOVERNANCE_ONCHAIN, "governance.onchain", cv_policy_governance },
};

int cv_facts_os_image_bound(const cv_facts *f)
{
	return f->os_image_bound != 0;
}

const char *cv_check_name(cv_check_id id)
{
	return (unsigned)id < CK_COUNT ? table[id].name : "unknown";
}

void cv_checks_decide(const cv_facts *f, cv_check out[CK_COUNT])
{
	cv_facts at = *f;
	at.decided = out;
	memset(out, 0, CK_COUNT * sizeof *out);
	for (size_t i = 0; i < CK_COUNT; i++) {
		/* Rows are in CK_ order, so a row reads only decided checks. */
		if (table[i].id == (cv_check_id)i && table[i].decide)
			out[i] = table[i].decide(&at);
	}
}
