/*
 * The report module and the request's strictness (issue 12): the verdict
 * fails on an undecided check, the writer never shows one as anything but
 * a failure, and a request key the core does not know is an error naming it.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cJSON.h"
#include "json.h"
#include "report.h"
#include "util.h"
#include "verify.h"

static void all_pass(cv_check c[CK_COUNT])
{
	memset(c, 0, CK_COUNT * sizeof *c);
	for (int i = 0; i < CK_COUNT; i++) {
		cv_check_set(&c[i], CV_PASS, CV_OK, "passed");
		c[i].enforced = 1;
	}
}

static void test_undecided_fails_verdict(void)
{
	cv_check c[CK_COUNT];
	all_pass(c);
	CHECK_STR(cv_report_verdict(c), "pass");
	/* The zero value of a check is undecided, not pass. */
	cv_check zero;
	memset(&zero, 0, sizeof zero);
	CHECK(zero.status == CV_UNDECIDED);
	for (int i = 0; i < CK_COUNT; i++) {
		all_pass(c);
		memset(&c[i], 0, sizeof c[i]);
		CHECK_STR(cv_report_verdict(c), "fail");
		c[i].enforced = 0; /* even an unenforced undecided check fails the verdict */
		CHECK_STR(cv_report_verdict(c), "fail");
	}
	all_pass(c);
	cv_check_set(&c[CK_APP_IMAGES_PINNED], CV_FAIL, CV_IMAGE_NOT_PINNED, "x");
	c[CK_APP_IMAGES_PINNED].enforced = 0;
	CHECK_STR(cv_report_verdict(c), "warn");
}

/* The writer shows an undecided check as an enforced failure. */
static void test_undecided_written_as_fail(void)
{
	cv_check c[CK_COUNT];
	all_pass(c);
	memset(&c[CK_TCB_STATUS], 0, sizeof c[CK_TCB_STATUS]);
	cv_evidence ev;
	memset(&ev, 0, sizeof ev);
	cv_dstack_result ds;
	memset(&ds, 0, sizeof ds);
	cv_policy pol;
	memset(&pol, 0, sizeof pol);
	cv_facts f = { .pol = &pol, .ev = &ev, .ds = &ds };
	cv_report rep = { .facts = &f, .checks = c, .verified_at = 1 };
	cv_jw w;
	jw_init(&w);
	cv_report_write(&w, &rep);
	size_t len;
	char *out = jw_take(&w, &len);
	CHECK(out != NULL);
	cJSON *j = out ? cJSON_Parse(out) : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_STR(cJSON_GetObjectItem(j, "verdict")->valuestring, "fail");
		const cJSON *tcb = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "checks"), CK_TCB_STATUS);
		CHECK_STR(cJSON_GetObjectItem(tcb, "id")->valuestring, "tcb.status");
		CHECK_STR(cJSON_GetObjectItem(tcb, "status")->valuestring, "fail");
		CHECK_STR(cJSON_GetObjectItem(tcb, "code")->valuestring, "INTERNAL");
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(tcb, "enforced")));
	}
	cJSON_Delete(j);
	free(out);
}

/* Runs a request; returns the parsed response (caller frees). */
static cJSON *run(const char *req)
{
	char *out = NULL;
	size_t len = 0;
	cv_run_json(req, strlen(req), &out, &len);
	cJSON *j = out ? cJSON_Parse(out) : NULL;
	free(out);
	return j;
}

/* An error response with this code whose message contains needle. */
static void expect_error(const char *req, const char *code, const char *needle)
{
	cJSON *j = run(req);
	const cJSON *err = cJSON_GetObjectItem(j, "error");
	CHECK(err != NULL);
	if (err) {
		CHECK_STR(cJSON_GetObjectItem(err, "code")->valuestring, code);
		const char *msg = cJSON_GetObjectItem(err, "message")->valuestring;
		if (!strstr(msg, needle))
			fprintf(stderr, "message '%s' lacks '%s'\n", msg, needle);
		CHECK(strstr(msg, needle) != NULL);
	}
	cJSON_Delete(j);
}

static void test_unknown_keys(void)
{
	const char *base = "{\"op\":\"verify\",\"now\":1788000000,\"evidence\":\"04\"";
	char req[512];
	/* The control: the same request without the bad key is a report. */
	cv_format(req, sizeof req, "%s,\"policy\":{\"expect\":{\"compose_hash\":\"%s\"}}}", base,
		"0000000000000000000000000000000000000000000000000000000000000000");
	cJSON *j = run(req);
	CHECK(j && cJSON_GetObjectItem(j, "verdict") != NULL);
	cJSON_Delete(j);
	cv_format(req, sizeof req, "%s,\"policy\":{\"expect\":{\"compose_hsh\":\"%s\"}}}", base,
		"0000000000000000000000000000000000000000000000000000000000000000");
	expect_error(req, "REQUEST_MALFORMED", "policy.expect.compose_hsh");
	cv_format(req, sizeof req, "%s,\"polcy\":{}}", base);
	expect_error(req, "REQUEST_MALFORMED", "key polcy");
	cv_format(req, sizeof req, "%s,\"policy\":{\"tcbb\":\"strict\"}}", base);
	expect_error(req, "REQUEST_MALFORMED", "policy.tcbb");
	cv_format(req, sizeof req, "%s,\"verifier\":{\"version\":\"1\",\"sha\":\"\"}}", base);
	expect_error(req, "REQUEST_MALFORMED", "verifier.sha");
	expect_error("{\"op\":\"inspect\",\"evidence\":\"00\",\"collateral\":{}}", "REQUEST_MALFORMED", "key collateral");
}

/* Issue 13 item 4: JSON that repeats a key is ambiguous, so malformed. */
static void test_duplicate_keys(void)
{
	expect_error("{\"op\":\"verify\",\"now\":1,\"evidence\":{\"quote\":\"00\",\"quote\":\"01\"}}",
		"EVIDENCE_MALFORMED", "repeats the key quote");
	expect_error("{\"op\":\"verify\",\"now\":1,\"evidence\":{\"info\":{\"tcb_info\":"
		"\"{\\\"mrtd\\\":\\\"00\\\",\\\"mrtd\\\":\\\"01\\\"}\"}}}",
		"EVIDENCE_MALFORMED", "repeats a key");
	expect_error("{\"op\":\"verify\",\"now\":1,\"evidence\":\"00\",\"policy\":{\"tcb\":\"strict\",\"tcb\":\"permissive\"}}",
		"REQUEST_MALFORMED", "repeats the key tcb");
	CHECK(cv_json_parse_exact("{\"a\":1,\"b\":{\"c\":1,\"c\":2}}", 25) == NULL);
	cJSON *ok = cv_json_parse_exact("{\"a\":1,\"b\":{\"c\":1,\"d\":2}}", 25);
	CHECK(ok != NULL);
	cJSON_Delete(ok);
	/* A large object: the sorted path. */
	char big[4096];
	size_t n = cv_format(big, sizeof big, "{");
	for (int i = 0; i < 100; i++)
		n += cv_format(big + n, sizeof big - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	cv_format(big + n, sizeof big - n, "}");
	cJSON *b = cv_json_parse_exact(big, strlen(big));
	CHECK(b != NULL);
	cJSON_Delete(b);
	cv_format(big + n, sizeof big - n, ",\"k57\":0}");
	CHECK(cv_json_parse_exact(big, strlen(big)) == NULL);
}

/* The pipeline decides every check, whatever the evidence holds. */
static void test_every_check_decided(void)
{
	size_t qlen;
	uint8_t *quote = check_read_file("vectors/dcap/tdx_quote", &qlen);
	CHECK(quote != NULL);
	char *hex = quote ? malloc(2 * qlen + 1) : NULL;
	if (hex)
		cv_hex_encode(quote, qlen, hex);
	const char *small[] = {
		"{\"op\":\"verify\",\"now\":1752919234,\"evidence\":{\"app_compose\":\"{}\"}}",
		"{\"op\":\"verify\",\"now\":1752919234,\"evidence\":\"04\"}",
	};
	for (size_t i = 0; i < 3; i++) {
		char *req = NULL;
		if (i < 2) {
			req = malloc(strlen(small[i]) + 1);
			if (req)
				strcpy(req, small[i]);
		} else if (hex) {
			size_t n = strlen(hex) + 128;
			req = malloc(n);
			if (req)
				cv_format(req, n, "{\"op\":\"verify\",\"now\":1752919234,\"evidence\":\"%s\"}", hex);
		}
		if (!req)
			continue;
		cJSON *j = run(req);
		const cJSON *checks = cJSON_GetObjectItem(j, "checks");
		CHECK(cJSON_GetArraySize(checks) == CK_COUNT);
		const cJSON *c;
		cJSON_ArrayForEach(c, checks) {
			CHECK(strcmp(cJSON_GetObjectItem(c, "code")->valuestring, "INTERNAL") != 0);
			CHECK(strcmp(cJSON_GetObjectItem(c, "status")->valuestring, "undecided") != 0);
		}
		cJSON_Delete(j);
		free(req);
	}
	free(hex);
	free(quote);
}

int main(void)
{
	test_every_check_decided();
	test_duplicate_keys();
	test_undecided_fails_verdict();
	test_undecided_written_as_fail();
	test_unknown_keys();
	return check_report("report");
}
