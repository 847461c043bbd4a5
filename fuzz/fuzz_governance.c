/*
 * On-chain governance (src/governance.h, src/abi.h) on hostile RPC answers:
 * the input is the shim's chain_answers JSON for a fixed plan (the dstack
 * 0.6.0 capture's app on Base), and the same bytes go raw to every ABI
 * decoder.
 * Oracle: answers parse or give a coded error; the decision and the report
 * section serialise to valid JSON; a pass needs every endpoint to agree and
 * every call's rule to pass (fail closed); a decoded dynamic field lies inside
 * the answer.
 */
#include "abi.h"
#include "fuzz_common.h"
#include "governance.h"
#include "jsonw.h"

static const char k_input[] =
	"{\"mode\":\"auto\",\"app_id\":\"86b0e55f2fa8e4fb69d890f14f54d5612707646e\","
	"\"compose_hash\":\"86b0e55f2fa8e4fb69d890f14f54d5612707646e2573d54e0d2ddaaade77caa9\","
	"\"os_image_hash\":\"07a2388c7a6a1b6a646d443f1517990a4ec294471d63146cda9d56972765051d\","
	"\"ppid\":\"40deaac75f87cf05e92fbf18224aa576\",\"tcb_status\":\"UpToDate\","
	"\"key_provider\":{\"name\":\"kms\",\"id\":\"3059301306072a8648ce3d020106082a8648ce3d030107034200042f71e2\"},"
	"\"chain\":{\"chainId\":8453,\"kmsContract\":\"0x2f83172A49584C017F2B256F0FB2Dca14126Ba9C\"}}";

static void fuzz_abi(const uint8_t *data, size_t size)
{
	cv_diag d;
	int b;
	uint8_t a[32];
	uint64_t u;
	cv_abi_decode_bool(data, size, "f", &b, &d);
	cv_abi_decode_address(data, size, "f", a, &d);
	cv_abi_decode_uint64(data, size, "f", &u, &d);
	for (size_t n = 1; n <= 4; n++)
		for (size_t i = 0; i < n; i++) {
			cv_bytes f;
			if (cv_abi_decode_bytes_field(data, size, n, i, "f", &f, &d) == CV_OK)
				FUZZ_ASSERT(f.ptr >= data && f.len <= size && (size_t)(f.ptr - data) <= size - f.len);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_abi(data, size);
	if (size > (1u << 20))
		return 0;
	static cv_gov_input in;
	static cv_gov_plan plan;
	static int ready;
	static cJSON *input_json;
	cv_diag d;
	if (!ready) {
		input_json = cJSON_Parse(k_input);
		FUZZ_ASSERT(input_json && cv_gov_input_parse(input_json, &in, &d) == CV_OK);
		cv_gov_plan_make(&in, &plan);
		FUZZ_ASSERT(plan.run);
		ready = 1;
	}
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	if (!j)
		return 0;
	/* Without its own "calls", the input gets the plan's, so the fuzzer
	 * explores the endpoints' answers rather than the plan check. */
	if (cJSON_IsObject(j) && !cJSON_GetObjectItem(j, "calls")) {
		cv_jw pw;
		jw_init(&pw);
		cv_gov_plan_write(&pw, &plan);
		size_t pn;
		char *ps = jw_take(&pw, &pn);
		cJSON *pj = ps ? cJSON_Parse(ps) : NULL;
		free(ps);
		if (pj)
			cJSON_AddItemToObject(j, "calls", cJSON_DetachItemFromObject(pj, "calls"));
		cJSON_Delete(pj);
	}
	static cv_gov_answers a;
	static cv_gov_result r;
	if (cv_gov_answers_parse(j, &plan, &a, &d) == CV_OK) {
		cv_gov_decide(&in, &plan, &a, &r);
		if (r.check.status == CV_PASS) {
			FUZZ_ASSERT(r.agreed && a.n > 0);
			for (size_t i = 0; i < plan.n; i++)
				FUZZ_ASSERT(r.calls[i].rule.status == CV_PASS);
		}
		cv_jw w;
		jw_init(&w);
		cv_gov_write(&w, &in, &plan, &a, &r);
		size_t n;
		char *out = jw_take(&w, &n);
		cJSON *back = out ? cJSON_ParseWithLength(out, n) : NULL;
		FUZZ_ASSERT(back != NULL);
		cJSON_Delete(back);
		free(out);
		cv_gov_answers_free(&a);
	} else {
		FUZZ_ASSERT(d.code == CV_REQUEST_MALFORMED);
	}
	cJSON_Delete(j);
	return 0;
}
