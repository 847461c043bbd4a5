/* Foundation: hex, time, the diag formatter and the JSON writer. */
#include <stdlib.h>

#include "check.h"
#include "cJSON.h"
#include "json.h"
#include "jsonw.h"
#include "util.h"

static void test_hex(void)
{
	uint8_t b[8];
	CHECK(cv_hex_decode("0xDEADbeef", 10, b, sizeof b) == 4 && b[0] == 0xde && b[3] == 0xef);
	CHECK(cv_hex_decode(" abcd\n", 6, b, sizeof b) == 2);
	CHECK(cv_hex_decode("abc", 3, b, sizeof b) == (size_t)-1);
	CHECK(cv_hex_decode("zz", 2, b, sizeof b) == (size_t)-1);
	CHECK(cv_hex_decode("000000000000000000", 18, b, sizeof b) == (size_t)-1);
	char h[9];
	cv_hex_encode(b, 2, h);
	CHECK_STR(h, "abcd");
}

static void test_time(void)
{
	int64_t t;
	char s[32];
	CHECK(cv_time_parse_rfc3339("2025-07-19T10:00:35Z", 20, &t) == 0 && t == 1752919235);
	CHECK(cv_time_parse_rfc3339("2025-06-19T10:16:03.123Z", 24, &t) == 0 && t == 1750328163);
	CHECK(cv_time_parse_rfc3339("2025-06-19T12:16:03+02:00", 25, &t) == 0 && t == 1750328163);
	CHECK(cv_time_parse_rfc3339("2025-02-30T00:00:00Z", 20, &t) == -1);
	CHECK(cv_time_parse_rfc3339("2025-06-19T10:16:03", 19, &t) == -1);
	CHECK(cv_time_parse_rfc3339("2025-06-19T10:16:03Zjunk", 24, &t) == -1);
	CHECK(cv_time_parse_asn1(0x17, (const uint8_t *)"250719100035Z", 13, &t) == 0 && t == 1752919235);
	CHECK(cv_time_parse_asn1(0x18, (const uint8_t *)"20491231235959Z", 15, &t) == 0 &&
		t == 2524607999);
	CHECK(cv_time_parse_asn1(0x17, (const uint8_t *)"250719100035", 12, &t) == -1);
	cv_time_format(1788000000, s);
	CHECK_STR(s, "2026-08-29T10:40:00Z");
	cv_time_format(0, s);
	CHECK_STR(s, "1970-01-01T00:00:00Z");
}

static void test_json_bounds(void)
{
	const char *a = "[0,0,{\"a,[{\":1}]", *b = "[[[]]]", *c = "[[[[]]]]", *e = "[\"[[[[\"]";
	CHECK(cv_json_value_bound(a, strlen(a)) == 5); /* array, 0, 0, object, 1 */
	CHECK(cv_json_depth_ok(b, strlen(b), 3));
	CHECK(!cv_json_depth_ok(c, strlen(c), 3));
	CHECK(cv_json_depth_ok(e, strlen(e), 1));
}

static void test_format(void)
{
	char s[64];
	uint8_t b[2] = { 0xab, 0x01 };
	cv_format(s, sizeof s, "%s=%d/%u/%U/%I %H %T %%", "x", -5, 7u, (uint64_t)1 << 40, (int64_t)-9,
		b, (size_t)2, (int64_t)1752919235);
	CHECK_STR(s, "x=-5/7/1099511627776/-9 ab01 2025-07-19T10:00:35Z %");
	CHECK(cv_format(s, 4, "abcdef") == 3);
	CHECK_STR(s, "abc");
	cv_diag d;
	CHECK(cv_fail(&d, CV_CRL_EXPIRED, "at %T", (int64_t)0) == CV_CRL_EXPIRED);
	CHECK_STR(d.msg, "at 1970-01-01T00:00:00Z");
	CHECK_STR(cv_err_name(CV_CRL_EXPIRED), "CRL_EXPIRED");
	CHECK_STR(cv_err_name(CV_OK), "OK");
	for (int e = 0; e < CV_ERR_COUNT; e++)
		CHECK(cv_err_name((cv_err)e)[0] != '\0' && cv_err_doc((cv_err)e)[0] != '\0');
}

static void test_jsonw(void)
{
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "a", "q\"\\\n\x01\xc3\xa9\xff");
	jw_key(&w, "arr");
	jw_arr_begin(&w);
	jw_int(&w, -3);
	jw_bool(&w, 1);
	jw_null(&w);
	uint8_t b[3] = { 0, 0x10, 0xff };
	jw_hex(&w, b, 3);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_ktime(&w, "t", 1788000000);
	jw_obj_end(&w);
	size_t len;
	char *out = jw_take(&w, &len);
	CHECK_STR(out, "{\"a\":\"q\\\"\\\\\\n\\u0001\xc3\xa9\\ufffd\",\"arr\":[-3,true,null,\"0010ff\",{}],"
		"\"t\":\"2026-08-29T10:40:00Z\"}");
	cJSON *j = cJSON_Parse(out);
	CHECK(j != NULL);
	cJSON_Delete(j);
	free(out);
}

/* Every reason code is documented in docs/reason-codes.md. */
static void test_codes_documented(void)
{
	size_t len;
	char *doc = (char *)check_read_file("../docs/reason-codes.md", &len);
	CHECK(doc != NULL);
	for (int e = 0; doc && e < CV_ERR_COUNT; e++) {
		char needle[64];
		cv_format(needle, sizeof needle, "| `%s` |", cv_err_name((cv_err)e));
		if (!strstr(doc, needle)) {
			fprintf(stderr, "undocumented reason code %s\n", cv_err_name((cv_err)e));
			CHECK(0);
		}
	}
	free(doc);
}

int main(void)
{
	test_codes_documented();
	test_hex();
	test_time();
	test_json_bounds();
	test_format();
	test_jsonw();
	return check_report("core");
}
