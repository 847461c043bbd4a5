/*
 * dstack versioned attestations and RA-TLS certificates: every input goes
 * through cv_attestation_decode (binary: V0 SCALE / V1 MessagePack),
 * cv_attestation_decode_text (hex, JSON string, {"attestation": hex}) and
 * cv_ratls_parse (PEM or DER). A decoded attestation is turned into the
 * GetQuote shape and read back by cv_evidence_parse, as the lead's wiring
 * will do.
 * Invariants: a failure carries its code and a sentence and leaves nothing
 * owned; a decoded attestation has a quote of 1..CV_MAX_QUOTE_LEN bytes, at
 * most CV_MAX_EVENTS events with NUL-terminated names of their stated
 * length; a parsed certificate's SPKI lies inside its DER; the GetQuote
 * shape always normalises, with the same quote and event count.
 */
#include "attestation.h"
#include "evidence.h"
#include "fuzz_common.h"
#include "ratls.h"

static void check_events(const cv_att_event *ev, size_t n)
{
	FUZZ_ASSERT(n <= CV_MAX_EVENTS);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(ev[i].name && strlen(ev[i].name) <= ev[i].name_len);
		FUZZ_ASSERT(ev[i].name_len <= CV_MAX_EVENT_NAME && ev[i].payload_len <= CV_MAX_EVENT_PAYLOAD);
		FUZZ_ASSERT(ev[i].digest_len <= sizeof ev[i].digest && ev[i].imr <= 3);
		FUZZ_ASSERT(ev[i].version == 1 || ev[i].version == 2);
	}
}

static void check_result(cv_err err, const cv_diag *d, cv_attestation *a)
{
	if (err != CV_OK) {
		FUZZ_ASSERT(d->code == err && d->msg[0]);
		FUZZ_ASSERT(a->quote == NULL && a->events == NULL && a->config == NULL);
		return;
	}
	FUZZ_ASSERT(a->quote && a->quote_len > 0 && a->quote_len <= CV_MAX_QUOTE_LEN);
	FUZZ_ASSERT(a->config && strlen(a->config) <= a->config_len);
	check_events(a->events, a->n_events);
	check_events(a->runtime, a->n_runtime);

	cJSON *gq = NULL;
	cv_diag dd;
	if (cv_attestation_to_getquote(a, &gq, &dd) != CV_OK)
		return; /* out of memory only */
	cv_evidence e;
	memset(&e, 0, sizeof e);
	cv_err pe = cv_evidence_parse(gq, &e, &dd);
	FUZZ_ASSERT(pe == CV_OK || pe == CV_OUT_OF_MEMORY);
	if (pe == CV_OK)
		FUZZ_ASSERT(e.quote_len == a->quote_len && e.has_log &&
			(e.log_diag.code != CV_OK || e.log.n == a->n_events));
	cv_evidence_free(&e);
	cJSON_Delete(gq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cv_attestation a;
	cv_diag d;
	cv_diag_clear(&d);
	check_result(cv_attestation_decode(data, size, &a, &d), &d, &a);
	cv_attestation_free(&a);

	cv_diag_clear(&d);
	check_result(cv_attestation_decode_text((const char *)data, size, &a, &d), &d, &a);
	cv_attestation_free(&a);

	cv_ratls r;
	cv_diag_clear(&d);
	cv_err err = cv_ratls_parse(data, size, &r, &d);
	if (err != CV_OK) {
		FUZZ_ASSERT(d.code == err && d.msg[0] && r.der == NULL);
	} else {
		FUZZ_ASSERT(r.spki.ptr >= r.der && r.spki.ptr + r.spki.len <= r.der + r.der_len);
		check_result(CV_OK, &d, &r.att);
	}
	cv_ratls_free(&r);
	return 0;
}
