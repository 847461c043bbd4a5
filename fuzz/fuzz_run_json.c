/*
 * The whole entry point, cv_run_json (docs/core-api.md), on arbitrary
 * request bytes: request parsing, evidence normalisation, DCAP and dstack
 * checks, freshness, binding, measurement policy and the report writer.
 * Oracle: the response is always valid JSON and either a report
 * (schema cvm-verify/report/v1 with 12 checks, each with a known status and
 * code), an inspect result, or {"error":{"code","message"}} with a known
 * reason code; the return value agrees with it.
 */
#include "fuzz_common.h"
#include "check_result.h"
#include "verify.h"

static const char *const statuses[] = { "pass", "warn", "fail", "skip" };

static int known_status(const cJSON *s)
{
	if (!cJSON_IsString(s))
		return 0;
	for (size_t i = 0; i < 4; i++)
		if (strcmp(s->valuestring, statuses[i]) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A heap copy of exactly size bytes (not NUL-terminated), as the WASM shim passes it. */
	char *req = malloc(size ? size : 1);
	if (!req)
		return 0;
	memcpy(req, data, size);
	char *out = NULL;
	size_t out_len = 0;
	cv_err e = cv_run_json(req, size, &out, &out_len);
	free(req);
	if (!out) {
		FUZZ_ASSERT(e == CV_OUT_OF_MEMORY);
		return 0;
	}
	FUZZ_ASSERT(strlen(out) == out_len);
	FUZZ_ASSERT(fuzz_utf8_ok(out, out_len));
	cJSON *j = cJSON_ParseWithLength(out, out_len);
	FUZZ_ASSERT(cJSON_IsObject(j));
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(j, "schema");
	if (err) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
		FUZZ_ASSERT(cJSON_IsString(code) && fuzz_known_code(code->valuestring));
		FUZZ_ASSERT(cJSON_IsString(msg) && msg->valuestring[0]);
		FUZZ_ASSERT(e != CV_OK && strcmp(cv_err_name(e), code->valuestring) == 0);
	} else if (cJSON_IsString(schema) && strcmp(schema->valuestring, "cvm-verify/app-report/v1") == 0) {
		/* issue 16: an app of several CVMs: its verdict is never better than any running instance's. */
		FUZZ_ASSERT(e == CV_OK);
		const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(j, "verdict");
		FUZZ_ASSERT(cJSON_IsString(verdict));
		const cJSON *insts = cJSON_GetObjectItemCaseSensitive(j, "instances");
		FUZZ_ASSERT(cJSON_IsArray(insts));
		const cJSON *in;
		if (!insts->child)
			FUZZ_ASSERT(strcmp(verdict->valuestring, "fail") == 0);
		cJSON_ArrayForEach(in, insts) {
			const cJSON *iv = cJSON_GetObjectItemCaseSensitive(in, "verdict");
			FUZZ_ASSERT(cJSON_IsString(iv));
			if (strcmp(iv->valuestring, "fail") == 0)
				FUZZ_ASSERT(strcmp(verdict->valuestring, "fail") == 0);
			if (strcmp(iv->valuestring, "warn") == 0)
				FUZZ_ASSERT(strcmp(verdict->valuestring, "pass") != 0);
		}
	} else if (schema) {
		FUZZ_ASSERT(e == CV_OK);
		FUZZ_ASSERT(cJSON_IsString(schema) && strcmp(schema->valuestring, "cvm-verify/report/v1") == 0);
		const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(j, "verdict");
		FUZZ_ASSERT(cJSON_IsString(verdict));
		const cJSON *checks = cJSON_GetObjectItemCaseSensitive(j, "checks");
		FUZZ_ASSERT(cJSON_IsArray(checks) && cJSON_GetArraySize(checks) == CK_COUNT);
		int hw_pass = 0;
		const cJSON *c;
		cJSON_ArrayForEach(c, checks) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
			const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, "status");
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(c, "code");
			FUZZ_ASSERT(cJSON_IsString(id) && known_status(st) && cJSON_IsString(code));
			FUZZ_ASSERT(strcmp(code->valuestring, "OK") == 0 || fuzz_known_code(code->valuestring));
			if (strcmp(id->valuestring, "hardware.signature") == 0)
				hw_pass = strcmp(st->valuestring, "pass") == 0;
		}
		/* Fail closed: no hardware proof, no pass or warn verdict. */
		FUZZ_ASSERT(hw_pass || strcmp(verdict->valuestring, "fail") == 0);
	} else {
		/* inspect */
		FUZZ_ASSERT(e == CV_OK);
		FUZZ_ASSERT(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(j, "has_quote")));
	}
	cJSON_Delete(j);
	free(out);
	return 0;
}
