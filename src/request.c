/*
 * The verify request (docs/core-api.md) parsed into one cv_request and its
 * cv_policy. Every field is validated, and an unknown key at any level of
 * the request is an error naming it: a misspelt option must never become a
 * silently weaker policy. (The evidence and collateral values are data, not
 * options: evidence.c and collateral.c judge their shapes.)
 */
#include <string.h>

#include "governance.h"
#include "provenance.h"
#include "request.h"
#include "util.h"

/* A hex option of at most max bytes (exact when exact is set). */
static cv_err opt_hex(const cJSON *obj, const char *key, size_t max, int exact, cv_opt_bytes *out,
	cv_diag *d)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	out->set = 0;
	if (!it || cJSON_IsNull(it))
		return CV_OK;
	if (!cJSON_IsString(it))
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option %s must be a hex string.", key);
	const char *s = it->valuestring;
	size_t n = cv_hex_decode(s, strlen(s), out->v, max);
	if (n == (size_t)-1)
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option %s is not hex of at most %u bytes.", key,
			(unsigned)max);
	if (n == 0)
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option %s is empty.", key);
	if (exact && n != max)
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option %s must be %u bytes, got %u.", key,
			(unsigned)max, (unsigned)n);
	out->len = n;
	out->set = 1;
	return CV_OK;
}

static cv_err opt_bool(const cJSON *obj, const char *key, int *out, cv_diag *d)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = 0;
	if (!it || cJSON_IsNull(it))
		return CV_OK;
	if (!cJSON_IsBool(it))
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option %s must be true or false.", key);
	*out = cJSON_IsTrue(it);
	return CV_OK;
}

static const char *opt_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Every key of obj must be one of known (NULL-terminated); path names obj
 * in the message ("" for the request itself). */
static cv_err known_keys(const cJSON *obj, const char *path, const char *const *known, cv_diag *d)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, obj) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], it->string) != 0)
			i++;
		if (!known[i])
			return cv_fail(d, CV_REQUEST_MALFORMED, "Unknown request key %s%s%s.",
				path, path[0] ? "." : "", it->string);
	}
	return CV_OK;
}

static const char *const request_keys[] = { "op", "now", "evidence", "collateral", "collateral_source", "nonce",
	"report_data", "policy", "verifier", "recorded_sample", "unsafe_test_root_der_hex", "nonce_from_evidence",
	"chain", "chain_answers", "provenance", "trusted_root", "os_manifest", "os_catalog_entry", NULL };
static const char *const policy_keys[] = { "tcb", "allow_tcb", "allow_debug", "require_pinned_images", "expect",
	"governance", "allow_os_images", "require_os_verified", NULL };
static const char *const expect_keys[] = { "mrtd", "rtmr", "app_id", "compose_hash", "os_image_hash", "source",
	NULL };
static const char *const verifier_keys[] = { "version", "wasm_sha256", NULL };

/* policy.expect.source: "owner/repo" or "owner/repo@ref" (app.provenance,
 * docs/provenance.md): GitHub's owner and repository name characters, a ref
 * of printable characters. */
static cv_err opt_source(const cJSON *exp, const char **out, cv_diag *d)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(exp, "source");
	*out = NULL;
	if (!it || cJSON_IsNull(it))
		return CV_OK;
	const char *s = cJSON_IsString(it) ? it->valuestring : "";
	size_t n = strlen(s), slash = strcspn(s, "/"), at = strcspn(s, "@");
	int ok = n > 0 && n <= 200 && slash > 0 && slash < at && at > slash + 1 && (at == n || at + 1 < n);
	for (size_t i = 0; ok && i < n; i++) {
		const char ch = s[i];
		const int word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			ch == '-';
		if (i < slash)
			ok = word;
		else if (i > slash && i < at)
			ok = word || ch == '.' || ch == '_';
		else if (i > at)
			ok = ch > 0x20 && ch < 0x7f;
	}
	if (!ok)
		return cv_fail(d, CV_REQUEST_MALFORMED, "policy.expect.source must be owner/repo or owner/repo@ref.");
	*out = s;
	return CV_OK;
}

/* os.image policy (docs/os-image.md): allow_os_images [hex of 32 bytes],
 * require_os_verified. */
static cv_err parse_os_policy(const cJSON *pol, cv_policy *r, cv_diag *d)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(pol, "allow_os_images"), *it;
	if (list && !cJSON_IsNull(list)) {
		if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > CV_MAX_ALLOW_OS_IMAGES)
			return cv_fail(d, CV_REQUEST_MALFORMED, "policy.allow_os_images must be a list of at most %u hashes.",
				(unsigned)CV_MAX_ALLOW_OS_IMAGES);
		cJSON_ArrayForEach(it, list) {
			const char *s = cJSON_IsString(it) ? it->valuestring : "";
			if (strlen(s) != 64 || cv_hex_decode(s, 64, r->allow_os_images[r->n_allow_os_images], 32) != 32)
				return cv_fail(d, CV_REQUEST_MALFORMED, "policy.allow_os_images holds a value that is not a 64-digit hex hash.");
			r->n_allow_os_images++;
		}
	}
	return opt_bool(pol, "require_os_verified", &r->require_os_verified, d);
}

static cv_err parse_policy(const cJSON *pol, cv_policy *r, cv_diag *d)
{
	cv_err e;
	r->tcb_preset = CV_TCB_PRESET_DEFAULT;
	if (!pol || cJSON_IsNull(pol))
		return CV_OK;
	if (!cJSON_IsObject(pol))
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option policy must be an object.");
	if ((e = known_keys(pol, "policy", policy_keys, d)) != CV_OK)
		return e;
	const cJSON *tcb = cJSON_GetObjectItemCaseSensitive(pol, "tcb");
	if (tcb && !cJSON_IsNull(tcb)) {
		const char *s = cJSON_IsString(tcb) ? tcb->valuestring : "";
		if (strcmp(s, "strict") == 0) r->tcb_preset = CV_TCB_PRESET_STRICT;
		else if (strcmp(s, "default") == 0) r->tcb_preset = CV_TCB_PRESET_DEFAULT;
		else if (strcmp(s, "permissive") == 0) r->tcb_preset = CV_TCB_PRESET_PERMISSIVE;
		else return cv_fail(d, CV_REQUEST_MALFORMED, "policy.tcb must be strict, default or permissive.");
	}
	const cJSON *allow = cJSON_GetObjectItemCaseSensitive(pol, "allow_tcb");
	if (allow && !cJSON_IsNull(allow)) {
		if (!cJSON_IsArray(allow))
			return cv_fail(d, CV_REQUEST_MALFORMED, "policy.allow_tcb must be a list of TCB status names.");
		const cJSON *it;
		cJSON_ArrayForEach(it, allow) {
			cv_tcb_status st;
			if (!cJSON_IsString(it) || cv_tcb_status_parse(it->valuestring, &st) != 0)
				return cv_fail(d, CV_REQUEST_MALFORMED, "policy.allow_tcb has an unknown TCB status %s.",
					cJSON_IsString(it) ? it->valuestring : "(not a string)");
			r->allow_mask |= 1u << st;
		}
		r->has_allow = 1;
	}
	if ((e = opt_bool(pol, "allow_debug", &r->allow_debug, d)) != CV_OK ||
		(e = opt_bool(pol, "require_pinned_images", &r->require_pinned_images, d)) != CV_OK)
		return e;
	/* governance.onchain's mode (docs/governance.md "When it runs"). */
	const cJSON *gov = cJSON_GetObjectItemCaseSensitive(pol, "governance");
	if (gov && !cJSON_IsNull(gov)) {
		const char *s = cJSON_IsString(gov) ? gov->valuestring : "";
		if (strcmp(s, "auto") == 0) r->governance = CV_GOV_AUTO;
		else if (strcmp(s, "off") == 0) r->governance = CV_GOV_OFF;
		else if (strcmp(s, "require") == 0) r->governance = CV_GOV_REQUIRE;
		else return cv_fail(d, CV_REQUEST_MALFORMED, "policy.governance must be off, auto or require.");
	}
	if ((e = parse_os_policy(pol, r, d)) != CV_OK)
		return e;
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(pol, "expect");
	if (!exp || cJSON_IsNull(exp))
		return CV_OK;
	if (!cJSON_IsObject(exp))
		return cv_fail(d, CV_REQUEST_MALFORMED, "policy.expect must be an object.");
	if ((e = known_keys(exp, "policy.expect", expect_keys, d)) != CV_OK)
		return e;
	if ((e = opt_hex(exp, "mrtd", 48, 1, &r->expect_mrtd, d)) != CV_OK ||
		(e = opt_hex(exp, "app_id", 20, 1, &r->expect_app_id, d)) != CV_OK ||
		(e = opt_hex(exp, "compose_hash", 32, 1, &r->expect_compose_hash, d)) != CV_OK ||
		(e = opt_hex(exp, "os_image_hash", 32, 1, &r->expect_os_image_hash, d)) != CV_OK ||
		(e = opt_source(exp, &r->expect_source, d)) != CV_OK)
		return e;
	const cJSON *rtmr = cJSON_GetObjectItemCaseSensitive(exp, "rtmr");
	if (rtmr && !cJSON_IsNull(rtmr)) {
		if (!cJSON_IsObject(rtmr))
			return cv_fail(d, CV_REQUEST_MALFORMED, "policy.expect.rtmr must map 0..3 to hex.");
		const cJSON *it;
		cJSON_ArrayForEach(it, rtmr) {
			const char *k = it->string;
			if (!k || k[0] < '0' || k[0] > '3' || k[1])
				return cv_fail(d, CV_REQUEST_MALFORMED, "policy.expect.rtmr keys must be 0, 1, 2 or 3.");
			char key[16];
			cv_format(key, sizeof key, "%s", k);
			if ((e = opt_hex(rtmr, key, 48, 1, &r->expect_rtmr[k[0] - '0'], d)) != CV_OK)
				return e;
		}
	}
	return CV_OK;
}

cv_err cv_request_parse(const cJSON *root, cv_request *r, cv_diag *d)
{
	cv_err e;
	memset(r, 0, sizeof *r);
	cv_policy *pol = &r->policy;
	pol->tcb_preset = CV_TCB_PRESET_DEFAULT;
	if (!cJSON_IsObject(root))
		return cv_fail(d, CV_REQUEST_MALFORMED, "The request must be a JSON object.");
	if ((e = known_keys(root, "", request_keys, d)) != CV_OK)
		return e;
	r->evidence = cJSON_GetObjectItemCaseSensitive(root, "evidence");
	if (!r->evidence || cJSON_IsNull(r->evidence))
		return cv_fail(d, CV_REQUEST_MALFORMED, "The request has no evidence.");
	const cJSON *now = cJSON_GetObjectItemCaseSensitive(root, "now");
	/* The core never reads a clock: the caller supplies the time. */
	if (!cJSON_IsNumber(now) || now->valuedouble < 0 || now->valuedouble > 253402300799.0)
		return cv_fail(d, CV_REQUEST_MALFORMED, "The request needs now: unix seconds to verify at.");
	r->now = (int64_t)now->valuedouble;
	const cJSON *coll = cJSON_GetObjectItemCaseSensitive(root, "collateral");
	r->collateral = (coll && !cJSON_IsNull(coll)) ? coll : NULL;
	r->os_manifest = cJSON_GetObjectItemCaseSensitive(root, "os_manifest");
	r->os_catalog_entry = cJSON_GetObjectItemCaseSensitive(root, "os_catalog_entry");
	if ((e = opt_hex(root, "nonce", 64, 0, &pol->nonce, d)) != CV_OK ||
		(e = opt_hex(root, "report_data", 64, 0, &pol->report_data, d)) != CV_OK ||
		(e = opt_bool(root, "nonce_from_evidence", &pol->nonce_from_evidence, d)) != CV_OK)
		return e;
	/* A short nonce can be guessed and a quote made for it in advance
	 * (docs/checks.md freshness.nonce). */
	if (pol->nonce.set && pol->nonce.len < CV_NONCE_MIN_LEN)
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option nonce is %u bytes; it must be %u to 64.",
			(unsigned)pol->nonce.len, (unsigned)CV_NONCE_MIN_LEN);
	if ((e = parse_policy(cJSON_GetObjectItemCaseSensitive(root, "policy"), pol, d)) != CV_OK)
		return e;
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "verifier");
	if (cJSON_IsObject(ver)) {
		if ((e = known_keys(ver, "verifier", verifier_keys, d)) != CV_OK)
			return e;
		r->verifier_version = opt_str(ver, "version");
		r->verifier_wasm_sha256 = opt_str(ver, "wasm_sha256");
	}
	r->collateral_source = opt_str(root, "collateral_source");
	/* On-chain governance: the chain is validated here, the answers
	 * against the plan once the evidence is known (governance_verify.c). */
	r->chain = cJSON_GetObjectItemCaseSensitive(root, "chain");
	r->chain_answers = cJSON_GetObjectItemCaseSensitive(root, "chain_answers");
	{
		cv_gov_input scratch;
		memset(&scratch, 0, sizeof scratch);
		if ((e = cv_gov_request_chain_parse(r->chain, &scratch, d)) != CV_OK)
			return e;
	}
	if (r->chain_answers && !cJSON_IsNull(r->chain_answers) && !cJSON_IsObject(r->chain_answers))
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option chain_answers must be an object.");
	/* Source provenance (provenance.h): bundles per image digest, the Sigstore trusted root. */
	r->provenance = cJSON_GetObjectItemCaseSensitive(root, "provenance");
	const cJSON *troot = cJSON_GetObjectItemCaseSensitive(root, "trusted_root");
	if ((e = cv_provenance_request_check(r->provenance, troot, d)) != CV_OK)
		return e;
	r->trusted_root = cJSON_IsString(troot) ? troot->valuestring : NULL;
	if ((e = opt_bool(root, "recorded_sample", &r->recorded_sample, d)) != CV_OK)
		return e;
#ifdef CV_TEST_BUILD
	/* Test builds only: an extra trust anchor (docs/core-api.md). */
	const char *tr = opt_str(root, "unsafe_test_root_der_hex");
	if (!tr && cJSON_IsObject(r->evidence)) {
		tr = opt_str(r->evidence, "unsafe_test_root_der_hex");
		const cJSON *att = cJSON_GetObjectItemCaseSensitive(r->evidence, "attestation");
		if (!tr && cJSON_IsObject(att))
			tr = opt_str(att, "unsafe_test_root_der_hex");
	}
	if (tr) {
		size_t n = cv_hex_decode(tr, strlen(tr), r->test_root_der, sizeof r->test_root_der);
		if (n == (size_t)-1 || n == 0)
			return cv_fail(d, CV_REQUEST_MALFORMED, "unsafe_test_root_der_hex is not hex of a DER certificate.");
		pol->trusted_root_der = r->test_root_der;
		pol->trusted_root_len = n;
		r->test_root = 1;
	}
#endif
	return CV_OK;
}
