/*
 * Policy decisions (policy.h; docs/checks.md): every rule that turns a
 * verified fact into pass / warn / fail for the caller's policy. Parsing
 * and signature verification live elsewhere; nothing here parses evidence
 * or checks a signature.
 */
#include <string.h>

#include "check_table.h"
#include "governance.h"
#include "os_facts.h"
#include "policy.h"
#include "util.h"

/* ---- tcb.status ---- */

static const char *preset_name(int p)
{
	return p == CV_TCB_PRESET_DEFAULT ? "default" : p == CV_TCB_PRESET_PERMISSIVE ? "permissive" : "strict";
}

cv_status cv_policy_tcb_judge(cv_tcb_status st, const cv_policy *p, cv_err *code, const char **by)
{
	cv_status out;
	*by = p->has_allow ? "allow-list" : preset_name(p->tcb_preset);
	*code = CV_OK;
	if ((unsigned)st >= CV_TCB_ST_COUNT) {
		*code = CV_TCB_STATUS_NOT_ALLOWED;
		return CV_FAIL;
	}
	if (st == CV_TCB_ST_REVOKED) {
		/* Never accepted, whatever the policy or allow list says. */
		*code = CV_TCB_REVOKED;
		return CV_FAIL;
	}
	if (p->has_allow)
		out = p->allow_mask & (1u << st) ? CV_PASS : CV_FAIL;
	else if (st == CV_TCB_ST_UP_TO_DATE)
		out = CV_PASS;
	else if (p->tcb_preset == CV_TCB_PRESET_PERMISSIVE)
		out = CV_WARN;
	else if (p->tcb_preset == CV_TCB_PRESET_DEFAULT && (st == CV_TCB_ST_SW_HARDENING_NEEDED ||
		st == CV_TCB_ST_CONFIGURATION_NEEDED || st == CV_TCB_ST_CONFIGURATION_AND_SW_HARDENING_NEEDED))
		out = CV_WARN;
	else
		out = CV_FAIL; /* strict, or default with OutOfDate*, or an unknown preset */
	if (out == CV_FAIL)
		*code = CV_TCB_STATUS_NOT_ALLOWED;
	return out;
}

static void td_attributes(const cv_quote *q, const cv_policy *pol, cv_check *c)
{
	if (!cv_quote_is_tdx(q)) {
		if (q->sgx.attributes[0] & 0x02) {
			if (!pol->allow_debug) {
				cv_check_set(c, CV_FAIL, CV_TD_DEBUG,
					"The SGX enclave is a debug enclave (attributes DEBUG bit set): the host can read its memory.");
				return;
			}
			{
				cv_check_set(c, CV_WARN, CV_TD_DEBUG,
					"The SGX enclave is a debug enclave (attributes DEBUG bit set), allowed by policy.");
				return;
			}
		}
		{
			cv_check_set(c, CV_PASS, CV_OK, "The SGX enclave is not in debug mode (attributes %H).",
				q->sgx.attributes, (size_t)16);
			return;
		}
	}
	uint64_t a = cv_le64(q->td.td_attributes);
	const uint64_t debug = 1ull, tud = 0xfeull, sept_ve_disable = 1ull << 28;
	/* SEC bits 8-27 and 29 reserved, OTHER bits 32-62 reserved; PKS (30),
	 * KL (31) and PERFMON (63) are allowed. */
	const uint64_t reserved = 0x0fffff00ull | (1ull << 29) | 0x7fffffff00000000ull;
	const uint8_t *ta = q->td.td_attributes;
	if ((a & debug) && !pol->allow_debug) {
		cv_check_set(c, CV_FAIL, CV_TD_DEBUG,
			"The TD runs in debug mode (td_attributes %H, DEBUG bit 0 set): the host can read its memory.", ta,
			(size_t)8);
		return;
	}
	if (a & tud) {
		cv_check_set(c, CV_FAIL, CV_TD_ATTRIBUTES_INVALID,
			"td_attributes %H sets reserved TUD bits 1-7.", ta, (size_t)8);
		return;
	}
	if (a & reserved) {
		cv_check_set(c, CV_FAIL, CV_TD_ATTRIBUTES_INVALID,
			"td_attributes %H sets reserved bits (allowed: DEBUG, SEPT_VE_DISABLE, PKS, KL, PERFMON).", ta, (size_t)8);
		return;
	}
	if (!(a & sept_ve_disable)) {
		cv_check_set(c, CV_FAIL, CV_TD_ATTRIBUTES_INVALID,
			"td_attributes %H has SEPT_VE_DISABLE (bit 28) clear, so the TD can be fed #VE exceptions by the host.",
			ta, (size_t)8);
		return;
	}
	if (q->td.mr_servicetd && !cv_is_zero(q->td.mr_servicetd, CV_MEASUREMENT_LEN) && !pol->allow_service_td) {
		cv_check_set(c, CV_FAIL, CV_TD_ATTRIBUTES_INVALID,
			"The TD is bound to a service TD (mr_servicetd %H), which the policy does not allow.",
			q->td.mr_servicetd, (size_t)CV_MEASUREMENT_LEN);
		return;
	}
	if (a & debug) {
		cv_check_set(c, CV_WARN, CV_TD_DEBUG,
			"The TD runs in debug mode (td_attributes %H), allowed by policy: the host can read its memory.", ta,
			(size_t)8);
		return;
	}
	cv_check_set(c, CV_PASS, CV_OK,
		"td_attributes %H: not debug, SEPT_VE_DISABLE set, no reserved bits%s.", ta, (size_t)8,
		q->td.mr_servicetd ? (cv_is_zero(q->td.mr_servicetd, CV_MEASUREMENT_LEN) ? ", no service TD" : ", service TD allowed by policy") :
		"");
}

cv_check cv_policy_td_attributes(const cv_quote *q, const cv_policy *pol)
{
	cv_check c = { .enforced = 1 };
	td_attributes(q, pol, &c);
	return c;
}

/* ---- app.images_pinned ---- */

cv_check cv_policy_images(const cv_dstack_result *r, int require_pinned)
{
	cv_check out = { .enforced = 1 }, *c = &out;
	const cv_status bad = require_pinned ? CV_FAIL : CV_WARN;
	if (r->images_state == CV_IMAGES_NO_COMPOSE) {
		cv_check_set(c, CV_SKIP, r->images_diag.code, "%s", r->images_diag.msg);
		return out;
	}
	if (r->images_state != CV_IMAGES_LISTED) {
		cv_check_set(c, r->images_diag.code == CV_OUT_OF_MEMORY ? CV_FAIL : bad, r->images_diag.code, "%s",
			r->images_diag.msg);
		return out;
	}
	char list[200];
	size_t ll = 0, nbad = 0;
	list[0] = '\0';
	for (size_t i = 0; i < r->images.n; i++) {
		const cv_image *im = &r->images.v[i];
		if (im->pinned)
			continue;
		if (nbad < 4)
			ll += cv_format(list + ll, sizeof list - ll, "%s%s (%s)", nbad ? ", " : "",
				im->service, im->why ? im->why : "not pinned");
		nbad++;
	}
	const char *script_note = r->ac.pre_launch_script || r->ac.init_script
		? "; the pre_launch/init script is not analysed" : "";
	if (nbad)
		cv_check_set(c, bad, CV_IMAGE_NOT_PINNED,
			"%U of %U service image(s) are not pinned by sha256 digest: %s%s%s.", (uint64_t)nbad,
			(uint64_t)r->images.n, list, nbad > 4 ? ", ..." : "", script_note);
	else if (r->images.n == 0)
		cv_check_set(c, CV_PASS, CV_OK, "The compose file lists no services%s.", script_note);
	else
		cv_check_set(c, CV_PASS, CV_OK, "All %U service image(s) are pinned by sha256 digest%s.",
			(uint64_t)r->images.n, script_note);
	return out;
}

/* ---- freshness.nonce ---- */

/* The quote's 64-byte report_data, or NULL when there is no parsed quote. */
static const uint8_t *report_data_of(const cv_quote *q)
{
	return q ? (q->tee_type == CV_TEE_TDX ? q->td.report_data : q->sgx.report_data) : NULL;
}

/* report_data.binding and freshness.nonce cannot be judged without it. */
static int no_report_data(const cv_facts *f, cv_check *c, const char *parse_fail, const char *missing)
{
	if (f->quote)
		return 0;
	if (f->ev->quote)
		cv_check_set(c, CV_SKIP, f->decided[CK_QUOTE_FORMAT].code, "%s", parse_fail);
	else
		cv_check_set(c, CV_SKIP, CV_QUOTE_MISSING, "%s", missing);
	return 1;
}

cv_check cv_policy_nonce(const cv_facts *f)
{
	cv_check out = { .enforced = 1 }, *c = &out;
	if (no_report_data(f, c, "The quote did not parse, so its report_data cannot be compared with a nonce.",
		"No quote was supplied, so there is no report_data to carry a nonce."))
		return out;
	const uint8_t *report_data = report_data_of(f->quote);
	const cv_opt_bytes *nonce = &f->nonce;
	if (!nonce->set) {
		cv_check_set(c, CV_SKIP, CV_NONCE_MISSING,
			"No nonce was given, so nothing proves this quote is fresh: it may be a replay of an old one.");
		return out;
	}
	if (memcmp(report_data, nonce->v, nonce->len) != 0) {
		cv_check_set(c, CV_FAIL, CV_NONCE_MISMATCH,
			"The quote's report_data does not start with the nonce %H (it starts %H): the quote was not made for this request and may be replayed.",
			nonce->v, nonce->len, report_data, nonce->len);
		return out;
	}
	const int from_bundle = strcmp(f->nonce_source, "bundle") == 0;
	if (from_bundle && !f->pol->nonce_from_evidence)
		cv_check_set(c, CV_SKIP, CV_NONCE_SELF_ASSERTED,
			"The only nonce is the bundle's own claim, which proves no freshness: pass a nonce, or nonce_from_evidence for a bundle you fetched.");
	else if (from_bundle && nonce->len < CV_NONCE_MIN_LEN)
		cv_check_set(c, CV_SKIP, CV_NONCE_SELF_ASSERTED,
			"The bundle's %u-byte nonce is too short (under %u bytes) to prove freshness.",
			(unsigned)nonce->len, (unsigned)CV_NONCE_MIN_LEN);
	else if (from_bundle)
		cv_check_set(c, CV_PASS, CV_OK,
			"report_data starts with the %u-byte nonce recorded in the evidence bundle (fresh when the bundle was fetched%s%s).",
			(unsigned)nonce->len, f->ev->fetched_at ? ", at " : "", f->ev->fetched_at ? f->ev->fetched_at : "");
	else
		cv_check_set(c, CV_PASS, CV_OK, "report_data starts with the verifier's %u-byte nonce: the quote is fresh.",
			(unsigned)nonce->len);
	return out;
}

/* ---- report_data.binding: the exact expected value, or the server's claim ---- */

cv_check cv_policy_binding(const cv_facts *f)
{
	cv_check out = { .enforced = 1 }, *c = &out;
	if (no_report_data(f, c, "The quote did not parse, so its report_data cannot be checked.",
		"No quote was supplied, so there is no report_data to bind."))
		return out;
	const uint8_t *report_data = report_data_of(f->quote);
	const cv_opt_bytes *expected = &f->pol->report_data;
	const cv_claim *claim = &f->ev->report_data;
	/* An RA-TLS certificate (evidence.h): the quote must name this
	 * certificate's key, report_data = SHA-512("ratls-cert:" || SPKI DER)
	 * (docs/checks.md report_data.binding); else the quote belongs to
	 * another key and the certificate proves nothing. */
	if (f->ev->has_ratls && memcmp(f->ev->ratls_report_data, report_data, CV_REPORT_DATA_LEN) != 0) {
		cv_check_set(c, CV_FAIL, CV_REPORT_DATA_MISMATCH,
			"The quote's report_data %H is not SHA-512(\"ratls-cert:\" || public key) of the RA-TLS certificate (%H): the quote was made for another key.",
			report_data, (size_t)CV_REPORT_DATA_LEN, f->ev->ratls_report_data, (size_t)CV_REPORT_DATA_LEN);
		return out;
	}
	if (expected->set) {
		uint8_t want[CV_REPORT_DATA_LEN] = { 0 };
		memcpy(want, expected->v, expected->len);
		if (memcmp(want, report_data, CV_REPORT_DATA_LEN) != 0) {
			cv_check_set(c, CV_FAIL, CV_REPORT_DATA_MISMATCH,
				"The quote's report_data %H differs from the expected %H.", report_data,
				(size_t)CV_REPORT_DATA_LEN, want, (size_t)CV_REPORT_DATA_LEN);
			return out;
		}
	}
	if (claim->present && claim->len > 0) {
		uint8_t claimed[CV_REPORT_DATA_LEN] = { 0 };
		memcpy(claimed, claim->b, claim->len > CV_REPORT_DATA_LEN ? CV_REPORT_DATA_LEN : claim->len);
		if (memcmp(claimed, report_data, CV_REPORT_DATA_LEN) != 0) {
			cv_check_set(c, CV_FAIL, CV_REPORT_DATA_MISMATCH,
				"The server claims report_data %H but the signed quote carries %H: the claim is false.",
				claimed, (size_t)CV_REPORT_DATA_LEN, report_data, (size_t)CV_REPORT_DATA_LEN);
			return out;
		}
	}
	if (f->ev->has_ratls)
		cv_check_set(c, CV_PASS, CV_OK,
			"report_data is SHA-512(\"ratls-cert:\" || public key) of the RA-TLS certificate: the quote names the certificate's key.");
	else if (expected->set)
		cv_check_set(c, CV_PASS, CV_OK, "report_data equals the expected value.");
	else if (claim->present && claim->len > 0)
		cv_check_set(c, CV_PASS, CV_OK, "report_data equals the value the server claims (no exact value was expected).");
	else
		cv_check_set(c, CV_SKIP, CV_OK, "No expected report_data was given and the server claims none.");
	return out;
}

/* ---- policy.measurements ---- */

/* One expectation. Appends to msg; returns 1 on mismatch. */
static int expect_one(char *msg, size_t cap, const char *what, const cv_opt_bytes *want, const uint8_t *got,
	size_t got_len, int *checked)
{
	if (!want->set)
		return 0;
	(*checked)++;
	if (got && cv_bytes_eq(want->v, want->len, got, got_len))
		return 0;
	size_t used = strlen(msg);
	if (got)
		cv_format(msg + used, cap - used, "%s%s is %H, expected %H", used ? "; " : "", what, got, got_len,
			want->v, want->len);
	else
		cv_format(msg + used, cap - used, "%s%s is unknown, expected %H", used ? "; " : "", what, want->v,
			want->len);
	return 1;
}

/* MRTD and RTMR0..2 all pinned: the caller names the OS itself. */
static int pin_os(const cv_policy *p)
{
	return p->expect_mrtd.set && p->expect_rtmr[0].set && p->expect_rtmr[1].set && p->expect_rtmr[2].set;
}

cv_check cv_policy_measurements(const cv_facts *f)
{
	cv_check out = { .enforced = 1 }, *c = &out;
	const cv_policy *p = f->pol;
	const cv_quote *q = f->quote;
	const cv_dstack_result *ds = f->ds;
	char msg[CV_DIAG_MSG_MAX] = "";
	int checked = 0, bad = 0;
	const int tdx = q && q->tee_type == CV_TEE_TDX;
	bad += expect_one(msg, sizeof msg, "MRTD", &p->expect_mrtd, tdx ? q->td.mr_td : NULL, CV_MEASUREMENT_LEN,
		&checked);
	static const char *const names[4] = { "RTMR0", "RTMR1", "RTMR2", "RTMR3" };
	for (int i = 0; i < 4; i++)
		bad += expect_one(msg, sizeof msg, names[i], &p->expect_rtmr[i], tdx ? q->td.rtmr[i] : NULL,
			CV_MEASUREMENT_LEN, &checked);
	/* App identity comes from the replayed log: only trusted when the
	 * replay matched the quote. */
	const int log_ok = ds && ds->replayed && ds->basis == CV_RTMR_BASIS_QUOTE &&
		ds->eventlog_replay.status == CV_PASS;
	const cv_event *e;
	e = log_ok ? ds->id.app_id : NULL;
	bad += expect_one(msg, sizeof msg, "app id", &p->expect_app_id, e ? e->payload : NULL, e ? e->payload_len : 0,
		&checked);
	e = log_ok ? ds->id.compose_hash : NULL;
	bad += expect_one(msg, sizeof msg, "compose hash", &p->expect_compose_hash, e ? e->payload : NULL,
		e ? e->payload_len : 0, &checked);
	e = log_ok ? ds->id.os_image_hash : NULL;
	bad += expect_one(msg, sizeof msg, "OS image hash", &p->expect_os_image_hash, e ? e->payload : NULL,
		e ? e->payload_len : 0, &checked);
	if (!checked)
		cv_check_set(c, CV_SKIP, CV_OK, "No expected measurements were given.");
	else if (bad)
		cv_check_set(c, CV_FAIL, CV_MEASUREMENT_MISMATCH, "%s.", msg);
	else if (pin_os(p))
		cv_check_set(c, CV_PASS, CV_OK,
			"All %d expected measurements match; MRTD and RTMR0..2 are all pinned, so the OS image is verified by expectation.",
			checked);
	else
		cv_check_set(c, CV_PASS, CV_OK, "All %d expected measurements match.", checked);
	return out;
}

/* ---- governance.onchain (docs/governance.md) ---- */

cv_check cv_policy_governance(const cv_facts *f)
{
	cv_check c = { .enforced = 1 };
	cv_gov_state *g = f->gov;
	if (!g) {
		cv_check_set(&c, CV_FAIL, CV_INTERNAL, "On-chain governance was not gathered (an internal error).");
		return c;
	}
	/* The OS image hash is the log's; whether the OS check bound it to the
	 * measured registers is that check's fact, known only now. */
	g->in.os_image_bound = cv_facts_os_image_bound(f);
	cv_gov_decide(&g->in, &g->plan, g->has_answers ? &g->answers : NULL, &g->result);
	return g->result.check;
}

/* ---- app.provenance (issue 20; docs/provenance.md) ---- */

cv_check cv_policy_provenance(const cv_facts *f)
{
	cv_check out = { 0 }, *c = &out;
	const char *src = f->pol->expect_source;
	const cv_provenance *p = f->prov;
	/* With an expected source the policy demands provenance, so whatever
	 * keeps it from being checked fails; without one the check informs. */
	const cv_status bad = src ? CV_FAIL : CV_WARN, unknown = src ? CV_FAIL : CV_SKIP;
	out.enforced = src != NULL;
	if (!p || p->state == CV_PROV_NO_COMPOSE) {
		cv_check_set(c, unknown, src ? CV_PROVENANCE_MISSING : CV_OK,
			"The evidence carries no app-compose, so no image's provenance can be checked.");
		return out;
	}
	if (p->state == CV_PROV_UNBOUND) {
		cv_check_set(c, unknown, CV_COMPOSE_UNBOUND,
			"app.compose_hash did not pass, so the images whose provenance would be checked are not proven to run.");
		return out;
	}
	if (p->state == CV_PROV_UNLISTED) {
		cv_check_set(c, unknown, f->ds->images_diag.code != CV_OK ? f->ds->images_diag.code : CV_COMPOSE_MALFORMED,
			"The app-compose's images cannot be listed, so their provenance cannot be checked.");
		return out;
	}
	if (p->n == 0) {
		if (src && p->n_unpinned)
			cv_check_set(c, CV_FAIL, CV_PROVENANCE_MISSING,
				"No image is pinned by digest, so no provenance can name the %U image(s) the compose runs.",
				(uint64_t)p->n_unpinned);
		else
			cv_check_set(c, CV_SKIP, CV_OK, "The compose pins no image by digest: no provenance to check.");
		return out;
	}
	/* Nobody looked (the request answered no provenance need): not
	 * checked, said as a skip rather than a warning on every pinned app;
	 * with an expected source, a failure. */
	if (!p->answered && !src) {
		cv_check_set(c, CV_SKIP, CV_PROVENANCE_MISSING,
			"No provenance was supplied or fetched for the %U pinned image(s), so their source is not checked.",
			(uint64_t)p->n);
		return out;
	}
	size_t nbad = 0;
	const cv_prov_entry *first = NULL;
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].code == CV_OK)
			continue;
		if (!first)
			first = &p->v[i];
		nbad++;
	}
	if (first) {
		cv_check_set(c, bad, first->code, "%U of %U pinned image(s) lack verified provenance%s%s; %s: %s",
			(uint64_t)nbad, (uint64_t)p->n, src ? " from " : "", src ? src : "", first->image, first->msg);
		return out;
	}
	if (src && p->n_unpinned) {
		cv_check_set(c, CV_FAIL, CV_PROVENANCE_MISSING,
			"%U image(s) are not pinned by digest, so no provenance can prove they come from %s.",
			(uint64_t)p->n_unpinned, src);
		return out;
	}
	if (p->n == 1)
		cv_check_set(c, CV_PASS, CV_OK, "The pinned image has verified provenance%s%s: %s%s", src ? " from " : "",
			src ? src : "", p->v[0].msg, p->n_unpinned ? " Unpinned images are not covered." : "");
	else
		cv_check_set(c, CV_PASS, CV_OK, "All %U pinned images have verified provenance%s%s%s.", (uint64_t)p->n,
			src ? " from " : "", src ? src : "", p->n_unpinned ? "; unpinned images are not covered" : "");
	return out;
}

/* os.image (docs/os-image.md, docs/checks.md): the recomputation's result
 * judged under the caller's allow-list and require_os_verified. */
cv_check cv_policy_os_image(const cv_facts *f)
{
	cv_check c = { .enforced = 1 };
	if (!f->os)
		return c; /* undecided: fails the verdict */
	const cv_policy *p = f->pol;
	cv_os_policy op = { (const uint8_t (*)[32])p->allow_os_images, p->n_allow_os_images, p->require_os_verified };
	cv_os_decision dec;
	cv_os_image_decide(&f->os->r, &op, &dec);
	/* A bare quote (no event log, no vm_config) claims no app or OS to
	 * vouch for: like the app checks, the OS check is then skipped, unless
	 * the caller requires a verified OS. */
	if (dec.code == CV_OS_IMAGE_UNVERIFIED && dec.status == CV_WARN && !f->ev->has_log && !f->os->vm_present) {
		cv_check_set(&c, CV_SKIP, dec.code,
			"The evidence carries no event log or vm_config, so it makes no OS or app claim to verify; the OS image is unverified.");
		return c;
	}
	cv_check_set(&c, dec.status, dec.code, "%s", dec.msg);
	return c;
}
