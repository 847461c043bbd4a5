/*
 * X.509 / CRL / PEM parsing and chain validation, on real Intel data:
 * the PCK chains inside the sample quotes, the issuer chains and CRLs of
 * their collateral, Intel's synthetic test PKI, and a small signed test PKI
 * (below) for the revocation paths no real CRL exercises.
 */
#include <stdint.h>

#include "cJSON.h"
#include "check.h"
#include "crypto.h"
#include "der.h"
#include "util.h"
#include "x509.h"

/*
 * A test PKI shaped like Intel's (root -> PCK Platform CA -> PCK leaf with
 * the real SGX extension of tdx_quote's leaf; root -> TCB signing), with
 * CRLs that list its serials. Generated once with OpenSSL 3.0:
 *   openssl ecparam -name prime256v1 -genkey -noout -out K.key   (root, ca, leaf, tcb)
 *   openssl x509 -req ... -days 7300 -sha256 -extensions {root,ca,leaf,tcb}
 *     -set_serial {0x1001, 0x2002, 0xc3003003, 0x4004}
 *   openssl ca -gencrl (index.txt listing the revoked serials; -crldays 7300)
 * Valid 2026-11-29 .. 2046-11-24. Its root is NOT trusted by the verifier:
 * tests pass it explicitly as trusted_root_der, as test builds may.
 */
#define TEST_ROOT_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBoTCCAUegAwIBAgICEAEwCgYIKoZIzj0EAwIwNjEZMBcGA1UEAwwQVGVzdCBT\n" \
	"R1ggUm9vdCBDQTEZMBcGA1UECgwQY3ZtLXZlcmlmeSB0ZXN0czAeFw0yNjExMjkx\n" \
	"OTE2MjhaFw00NjExMjQxOTE2MjhaMDYxGTAXBgNVBAMMEFRlc3QgU0dYIFJvb3Qg\n" \
	"Q0ExGTAXBgNVBAoMEGN2bS12ZXJpZnkgdGVzdHMwWTATBgcqhkjOPQIBBggqhkjO\n" \
	"PQMBBwNCAAQ23Mndqw3OOGuvjX9g7MQtqU9e2HR2EtM9eXa+JL4fdXO1Na4c4BYU\n" \
	"qyESUofucl7Tesj9nJ1AWJbEqJ7hVW6so0UwQzASBgNVHRMBAf8ECDAGAQH/AgEB\n" \
	"MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUHwftowmfKhn6qgtJxIXBdNPXCdgw\n" \
	"CgYIKoZIzj0EAwIDSAAwRQIhAM07Q4QCKAd32KdR7ls1xM3CSOdnKZKff3SGJQ/z\n" \
	"3PclAiBRHEtFu5URTdXLpeLvxhicNSIf9cgWIQ99OA3kyDtUuQ==\n" \
	"-----END CERTIFICATE-----\n"

#define TEST_CA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIByzCCAXCgAwIBAgICIAIwCgYIKoZIzj0EAwIwNjEZMBcGA1UEAwwQVGVzdCBT\n" \
	"R1ggUm9vdCBDQTEZMBcGA1UECgwQY3ZtLXZlcmlmeSB0ZXN0czAeFw0yNjExMjkx\n" \
	"OTE2MjhaFw00NjExMjQxOTE2MjhaMD4xITAfBgNVBAMMGFRlc3QgU0dYIFBDSyBQ\n" \
	"bGF0Zm9ybSBDQTEZMBcGA1UECgwQY3ZtLXZlcmlmeSB0ZXN0czBZMBMGByqGSM49\n" \
	"AgEGCCqGSM49AwEHA0IABOLJ9CpDWZujm4Ar3BXypO3bvegRqcjNcY67DKvjjYO5\n" \
	"lKJLGVLOqpw72jPEZPTDP2pFaZ0vzB8OnTte1W3pRbejZjBkMBIGA1UdEwEB/wQI\n" \
	"MAYBAf8CAQAwDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBTOfY348ZZ+OPzEp+bS\n" \
	"KarkE2lKhzAfBgNVHSMEGDAWgBQfB+2jCZ8qGfqqC0nEhcF009cJ2DAKBggqhkjO\n" \
	"PQQDAgNJADBGAiEA0BRPqMktUsMtUYCphTvqZn/osMuOHR03o/bJwIbVj3sCIQC/\n" \
	"wOtT9uOqr5J8lS0ePIV39G88hIEGrjbkUjQQDjRK4A==\n" \
	"-----END CERTIFICATE-----\n"

#define TEST_LEAF_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIEDzCCA7agAwIBAgIFAMMAMAMwCgYIKoZIzj0EAwIwPjEhMB8GA1UEAwwYVGVz\n" \
	"dCBTR1ggUENLIFBsYXRmb3JtIENBMRkwFwYDVQQKDBBjdm0tdmVyaWZ5IHRlc3Rz\n" \
	"MB4XDTI2MTEyOTE5MTYyOFoXDTQ2MTEyNDE5MTYyOFowPjEhMB8GA1UEAwwYVGVz\n" \
	"dCBTR1ggUENLIENlcnRpZmljYXRlMRkwFwYDVQQKDBBjdm0tdmVyaWZ5IHRlc3Rz\n" \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEc56iADw0VuZP1QscZuJdYzDKI3sY\n" \
	"bhtVq2qLJcIuJ6kUu9oJIhaqG2xwhhvoYbruedt57vvQxvUYZcujvXcWvKOCAp8w\n" \
	"ggKbMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgbAMB8GA1UdIwQYMBaAFM59\n" \
	"jfjxln44/MSn5tIpquQTaUqHMIICOQYJKoZIhvhNAQ0BBIICKjCCAiYwHgYKKoZI\n" \
	"hvhNAQ0BAQQQgR3KKia5UuhbtkSLCXuk/TCCAWMGCiqGSIb4TQENAQIwggFTMBAG\n" \
	"CyqGSIb4TQENAQIBAgEDMBAGCyqGSIb4TQENAQICAgEDMBAGCyqGSIb4TQENAQID\n" \
	"AgECMBAGCyqGSIb4TQENAQIEAgECMBAGCyqGSIb4TQENAQIFAgEEMBAGCyqGSIb4\n" \
	"TQENAQIGAgEBMBAGCyqGSIb4TQENAQIHAgEAMBAGCyqGSIb4TQENAQIIAgEFMBAG\n" \
	"CyqGSIb4TQENAQIJAgEAMBAGCyqGSIb4TQENAQIKAgEAMBAGCyqGSIb4TQENAQIL\n" \
	"AgEAMBAGCyqGSIb4TQENAQIMAgEAMBAGCyqGSIb4TQENAQINAgEAMBAGCyqGSIb4\n" \
	"TQENAQIOAgEAMBAGCyqGSIb4TQENAQIPAgEAMBAGCyqGSIb4TQENAQIQAgEAMBAG\n" \
	"CyqGSIb4TQENAQIRAgELMB8GCyqGSIb4TQENAQISBBADAwICBAEABQAAAAAAAAAA\n" \
	"MBAGCiqGSIb4TQENAQMEAgAAMBQGCiqGSIb4TQENAQQEBrDAbwAAADAPBgoqhkiG\n" \
	"+E0BDQEFCgEBMB4GCiqGSIb4TQENAQYEEAeChHRgPnAZ3JMHdf/ozdIwRAYKKoZI\n" \
	"hvhNAQ0BBzA2MBAGCyqGSIb4TQENAQcBAQH/MBAGCyqGSIb4TQENAQcCAQH/MBAG\n" \
	"CyqGSIb4TQENAQcDAQH/MB0GA1UdDgQWBBT1zHulB8LbCFVM3c98TOfrBYVT2jAK\n" \
	"BggqhkjOPQQDAgNHADBEAiAEdfr0A4uKAZjk1LIfP4MPyMvRUgFwfsPLqNvDxTNS\n" \
	"RwIgKJpEYgpWJYyhWx3Ei+cJAvB3CYbeiIjuC/M/OJzl/H8=\n" \
	"-----END CERTIFICATE-----\n"

#define TEST_TCB_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBvzCCAWagAwIBAgICQAQwCgYIKoZIzj0EAwIwNjEZMBcGA1UEAwwQVGVzdCBT\n" \
	"R1ggUm9vdCBDQTEZMBcGA1UECgwQY3ZtLXZlcmlmeSB0ZXN0czAeFw0yNjExMjkx\n" \
	"OTE2MjhaFw00NjExMjQxOTE2MjhaMDoxHTAbBgNVBAMMFFRlc3QgU0dYIFRDQiBT\n" \
	"aWduaW5nMRkwFwYDVQQKDBBjdm0tdmVyaWZ5IHRlc3RzMFkwEwYHKoZIzj0CAQYI\n" \
	"KoZIzj0DAQcDQgAEyuwW5DshRy7eNvfRmm2UaOLB9czM6TD4KvZiYGtVWVpcXl3P\n" \
	"gZQHKrA4GuCFf5GqzoV8K0Q9rlXiMZ5tqQwRrqNgMF4wDAYDVR0TAQH/BAIwADAO\n" \
	"BgNVHQ8BAf8EBAMCBsAwHwYDVR0jBBgwFoAUHwftowmfKhn6qgtJxIXBdNPXCdgw\n" \
	"HQYDVR0OBBYEFJslv5EwNIYL8gUR7vl2uzCSuaUaMAoGCCqGSM49BAMCA0cAMEQC\n" \
	"IHxNmFqcz8wUL3G4pZmzbPLi6S8N3icZ6L3iWe1ISL0xAiBxqO74c8Bp1gXacIIj\n" \
	"zUCuswiMFWY4Xdfp1bsxJO2I9A==\n" \
	"-----END CERTIFICATE-----\n"

static const char TEST_CRL_ROOT_EMPTY[] =
	"3081ef308196020101300a06082a8648ce3d04030230363119301706035504030c10546573742053475820526f6f7420"
	"434131193017060355040a0c1063766d2d766572696679207465737473170d3236313132393139313633315a170d3436"
	"313132343139313633315aa02f302d301f0603551d230418301680141f07eda3099f2a19faaa0b49c485c174d3d709d8"
	"300a0603551d140403020101300a06082a8648ce3d0403020348003045022020f022990c3d23f9be9ae5d930f6ac1334"
	"ba4ce7f501319343e4053e9c346275022100b0195117aeca0097f9bf821e95f7f85f0f4fcce92f4c410be8538ce6c235"
	"e9ff";

static const char TEST_CRL_ROOT_LISTS_CA_TCB[] =
	"308201373081de020101300a06082a8648ce3d04030230363119301706035504030c10546573742053475820526f6f74"
	"20434131193017060355040a0c1063766d2d766572696679207465737473170d3236313132393139313633315a170d34"
	"36313132343139313633315a3046302102022002170d3236313132393139303030305a300c300a0603551d1504030a01"
	"01302102024004170d3236313132393139303030305a300c300a0603551d1504030a0101a02f302d301f0603551d2304"
	"18301680141f07eda3099f2a19faaa0b49c485c174d3d709d8300a0603551d140403020101300a06082a8648ce3d0403"
	"020348003045022100cf0842d23ba7cdf39d8a99fbaa9e806d7a92aaffaa6d3eb84ead6cb78f3ec6a90220557f9ebc1f"
	"bfb16eaaa4638f5ab5a62f4655519869eac55745ac6c7676bfe166";

static const char TEST_CRL_ROOT_LISTS_ROOT[] =
	"308201143081bb020101300a06082a8648ce3d04030230363119301706035504030c10546573742053475820526f6f74"
	"20434131193017060355040a0c1063766d2d766572696679207465737473170d3236313132393139313633315a170d34"
	"36313132343139313633315a3023302102021001170d3236313132393139303030305a300c300a0603551d1504030a01"
	"01a02f302d301f0603551d230418301680141f07eda3099f2a19faaa0b49c485c174d3d709d8300a0603551d14040302"
	"0101300a06082a8648ce3d0403020348003045022100c0b9c8fb36c997094e58df0dd264e47fdd132069f18f6b3a642c"
	"324f916a5400022040b86aab14a41b1a91665ce42c7aec2dc9c8594ee9227b607077ff95bcbd53fa";

static const char TEST_CRL_PCK_EMPTY[] =
	"3081f830819e020101300a06082a8648ce3d040302303e3121301f06035504030c1854657374205347582050434b2050"
	"6c6174666f726d20434131193017060355040a0c1063766d2d766572696679207465737473170d323631313239313931"
	"3633315a170d3436313132343139313633315aa02f302d301f0603551d23041830168014ce7d8df8f1967e38fcc4a7e6"
	"d229aae413694a87300a0603551d140403020101300a06082a8648ce3d0403020349003046022100e58818e98911fec1"
	"59c36928864b994f4cad8c6d70e101ef2f17769772c1a4d30221008dc2e2ba7a35e12dc141a7e06103577544ae11efe6"
	"38944b3bccae667f92453c";

static const char TEST_CRL_PCK_LISTS_LEAF[] =
	"308201423081ea020101300a06082a8648ce3d040302303e3121301f06035504030c1854657374205347582050434b20"
	"506c6174666f726d20434131193017060355040a0c1063766d2d766572696679207465737473170d3236313132393139"
	"313633315a170d3436313132343139313633315a304a302202030cafe0170d3236313132393139303030305a300c300a"
	"0603551d1504030a01013024020500c3003003170d3236313132393139303030305a300c300a0603551d1504030a0101"
	"a02f302d301f0603551d23041830168014ce7d8df8f1967e38fcc4a7e6d229aae413694a87300a0603551d1404030201"
	"01300a06082a8648ce3d0403020347003044022031b60db71f5adf85386c0270021bdc62a146d963c7565195959b785b"
	"22c7d49002204db472330dc7def4436d8bc673152a22eb348199f2970be8ff8a38f01853de25";

#define TEST_PKI_NOW 1830000000 /* 2027-12-28 */

/* ---- helpers ---- */

typedef struct {
	uint8_t buf[8192];
	cv_bytes der[4];
	size_t n;
} pem_chain;

/* A copy whose der[] point into its own buffer, so it can be modified. */
static void copy_chain(pem_chain *dst, const pem_chain *src)
{
	memcpy(dst->buf, src->buf, sizeof dst->buf);
	dst->n = src->n;
	for (size_t i = 0; i < src->n; i++) {
		dst->der[i].ptr = dst->buf + (src->der[i].ptr - src->buf);
		dst->der[i].len = src->der[i].len;
	}
}

/* Offset of the first occurrence of needle in hay, or (size_t)-1. */
static size_t find_bytes(const uint8_t *hay, size_t hlen, const uint8_t *needle, size_t nlen)
{
	for (size_t i = 0; nlen <= hlen && i <= hlen - nlen; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return i;
	return (size_t)-1;
}

static int decode_pem(const char *text, size_t len, pem_chain *c)
{
	cv_diag d;
	cv_diag_clear(&d);
	if (cv_pem_decode_certs(text, len, c->buf, sizeof c->buf, c->der, 4, &c->n, &d) != CV_OK) {
		fprintf(stderr, "PEM decode failed: %s\n", d.msg);
		return 0;
	}
	return c->n > 0;
}

/* The PEM chain inside a quote's certification data, found as text (this
 * suite does not depend on the quote parser). */
static int quote_chain(const char *path, pem_chain *c)
{
	size_t len;
	unsigned char *q = check_read_file(path, &len);
	if (!q)
		return 0;
	static const uint8_t begin[] = "-----BEGIN CERTIFICATE-----";
	size_t start = find_bytes(q, len, begin, sizeof begin - 1);
	int ok = start != (size_t)-1 && decode_pem((const char *)q + start, len - start, c);
	free(q);
	return ok;
}

static cJSON *load_json(const char *path)
{
	unsigned char *text = check_read_file(path, NULL);
	if (!text)
		return NULL;
	cJSON *j = cJSON_Parse((const char *)text);
	free(text);
	return j;
}

static const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int json_pem(const cJSON *obj, const char *key, pem_chain *c)
{
	const char *s = json_str(obj, key);
	return s && decode_pem(s, strlen(s), c);
}

/* Hex DER from a JSON field into out; returns the length or 0. */
static size_t json_hex(const cJSON *obj, const char *key, uint8_t *out, size_t cap)
{
	const char *s = json_str(obj, key);
	size_t n = s ? cv_hex_decode(s, strlen(s), out, cap) : (size_t)-1;
	return n == (size_t)-1 ? 0 : n;
}

static int64_t case_now(const cJSON *cases, const char *id)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(cases, "cases"), *c;
	cJSON_ArrayForEach(c, list) {
		const char *cid = json_str(c, "id");
		const cJSON *now = cJSON_GetObjectItemCaseSensitive(c, "now");
		if (cid && strcmp(cid, id) == 0 && cJSON_IsNumber(now))
			return (int64_t)now->valuedouble;
	}
	fprintf(stderr, "case %s not found\n", id);
	return 0;
}

static int hex_is(const uint8_t *b, size_t n, const char *hex)
{
	char buf[130];
	if (n * 2 + 1 > sizeof buf)
		return 0;
	cv_hex_encode(b, n, buf);
	return strcmp(buf, hex) == 0;
}

/* The PEM chain inside a quote kept as a JSON array of byte values. */
static int json_quote_chain(const char *path, pem_chain *c)
{
	static uint8_t q[16384];
	cJSON *arr = load_json(path), *v;
	size_t len = 0;
	int ok = cJSON_IsArray(arr);
	cJSON_ArrayForEach(v, arr) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 255 || len == sizeof q) {
			ok = 0;
			break;
		}
		q[len++] = (uint8_t)v->valuedouble;
	}
	cJSON_Delete(arr);
	static const uint8_t begin[] = "-----BEGIN CERTIFICATE-----";
	size_t start = ok ? find_bytes(q, len, begin, sizeof begin - 1) : (size_t)-1;
	return start != (size_t)-1 && decode_pem((const char *)q + start, len - start, c);
}

/* Collateral: its CRLs (parsed) and issuer chains. */
typedef struct {
	cJSON *json;
	uint8_t root_crl_der[1024], pck_crl_der[8192];
	size_t root_crl_len, pck_crl_len;
	cv_crl root_crl, pck_crl;
	pem_chain tcb_chain, qe_chain, pck_crl_chain;
} collateral;

static int load_collateral(const char *path, collateral *c)
{
	cv_diag d;
	memset(c, 0, sizeof *c);
	c->json = load_json(path);
	if (!c->json)
		return 0;
	c->root_crl_len = json_hex(c->json, "root_ca_crl", c->root_crl_der, sizeof c->root_crl_der);
	c->pck_crl_len = json_hex(c->json, "pck_crl", c->pck_crl_der, sizeof c->pck_crl_der);
	int ok = c->root_crl_len && c->pck_crl_len;
	ok = ok && cv_crl_parse(c->root_crl_der, c->root_crl_len, &c->root_crl, &d) == CV_OK;
	ok = ok && cv_crl_parse(c->pck_crl_der, c->pck_crl_len, &c->pck_crl, &d) == CV_OK;
	ok = ok && json_pem(c->json, "tcb_info_issuer_chain", &c->tcb_chain);
	ok = ok && json_pem(c->json, "qe_identity_issuer_chain", &c->qe_chain);
	ok = ok && json_pem(c->json, "pck_crl_issuer_chain", &c->pck_crl_chain);
	if (!ok)
		fprintf(stderr, "collateral %s did not load\n", path);
	return ok;
}

static cv_err verify_pck(const pem_chain *ch, const cv_crl *root_crl, const cv_crl *pck_crl, int64_t now,
	cv_cert *out, cv_diag *d)
{
	cv_diag_clear(d);
	return cv_chain_verify(CV_CHAIN_PCK, ch->der, ch->n, cv_intel_root_ca_der, cv_intel_root_ca_der_len,
		root_crl, pck_crl, now, out, d);
}

static cv_err verify_tcb(const pem_chain *ch, const cv_crl *root_crl, int64_t now, cv_diag *d)
{
	cv_diag_clear(d);
	return cv_chain_verify(CV_CHAIN_TCB_SIGNER, ch->der, ch->n, cv_intel_root_ca_der, cv_intel_root_ca_der_len,
		root_crl, NULL, now, NULL, d);
}

#define CHECK_CODE(expr, want) do { \
	cv_err got_ = (expr); \
	if (got_ != (want)) \
		fprintf(stderr, "  got %s, wanted %s: %s\n", cv_err_name(got_), cv_err_name(want), d.msg); \
	CHECK(got_ == (want)); \
} while (0)

/* ---- the pinned root ---- */

static void test_pinned_root(void)
{
	uint8_t h[32];
	cv_cert root;
	cv_diag d;
	cv_sha256(cv_intel_root_ca_der, cv_intel_root_ca_der_len, h);
	CHECK(hex_is(h, 32, "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3"));
	CHECK(cv_intel_root_ca_der_len == 659);

	size_t len;
	unsigned char *file = check_read_file("vectors/dcap/intel_sgx_root_ca.der", &len);
	CHECK(file && cv_bytes_eq(file, len, cv_intel_root_ca_der, cv_intel_root_ca_der_len));
	free(file);

	CHECK_CODE(cv_cert_parse(cv_intel_root_ca_der, cv_intel_root_ca_der_len, &root, &d), CV_OK);
	CHECK_STR(root.subject_cn, "Intel SGX Root CA");
	CHECK_STR(root.issuer_cn, "Intel SGX Root CA");
	CHECK(hex_is(root.serial.ptr, root.serial.len, "22650cd65a9d3489f383b49552bf501b392706ac"));
	CHECK(root.not_before == cv_time_from_civil(2018, 5, 21, 10, 45, 10));
	CHECK(root.not_after == cv_time_from_civil(2049, 12, 31, 23, 59, 59));
	CHECK(root.is_ca && root.path_len == 1);
	CHECK(root.has_key_usage && (root.key_usage & CV_KU_KEY_CERT_SIGN) && (root.key_usage & CV_KU_CRL_SIGN));
	CHECK(!root.sgx.present);
	CHECK(cv_bytes_eq(root.der.ptr, root.der.len, cv_intel_root_ca_der, cv_intel_root_ca_der_len));
	CHECK(cv_ecdsa_p256_verify_der(root.pub_xy, root.tbs.ptr, root.tbs.len, root.sig.ptr, root.sig.len));
}

/* ---- parsing the real PCK chains ---- */

static void test_pck_leaves(void)
{
	pem_chain tdx, sgx, outdated;
	cv_cert leaf, ca;
	cv_diag d;

	CHECK(quote_chain("vectors/dcap/tdx_quote", &tdx));
	CHECK(tdx.n == 3);
	CHECK(cv_bytes_eq(tdx.der[2].ptr, tdx.der[2].len, cv_intel_root_ca_der, cv_intel_root_ca_der_len));
	CHECK_CODE(cv_cert_parse(tdx.der[0].ptr, tdx.der[0].len, &leaf, &d), CV_OK);
	CHECK_STR(leaf.subject_cn, "Intel SGX PCK Certificate");
	CHECK(strstr(leaf.issuer_cn, "Platform") != NULL);
	CHECK(leaf.sgx.present);
	CHECK(hex_is(leaf.sgx.fmspc, 6, "b0c06f000000"));
	CHECK(hex_is(leaf.sgx.pce_id, 2, "0000"));
	static const uint8_t comps[9] = { 3, 3, 2, 2, 4, 1, 0, 5, 0 };
	CHECK(memcmp(leaf.sgx.comp_svn, comps, sizeof comps) == 0);
	CHECK(cv_is_zero(leaf.sgx.comp_svn + 9, 7));
	CHECK(leaf.sgx.pcesvn == 11);
	CHECK(hex_is(leaf.sgx.cpusvn, 16, "03030202040100050000000000000000"));
	CHECK(hex_is(leaf.sgx.ppid, 16, "811dca2a26b952e85bb6448b097ba4fd"));
	CHECK(leaf.sgx.sgx_type == 1);
	CHECK(hex_is(leaf.serial.ptr, leaf.serial.len, "3c16ed54eacbb4ced072be72630c85788cf46e36"));
	CHECK(leaf.not_before == cv_time_from_civil(2025, 2, 6, 23, 25, 51));
	CHECK(leaf.not_after == cv_time_from_civil(2032, 2, 6, 23, 25, 51));
	CHECK(!leaf.is_ca && leaf.has_key_usage && (leaf.key_usage & CV_KU_DIGITAL_SIGNATURE));
	CHECK(!(leaf.key_usage & CV_KU_KEY_CERT_SIGN));

	CHECK_CODE(cv_cert_parse(tdx.der[1].ptr, tdx.der[1].len, &ca, &d), CV_OK);
	CHECK_STR(ca.subject_cn, "Intel SGX PCK Platform CA");
	CHECK(ca.is_ca && ca.path_len == 0 && !ca.sgx.present);
	/* The leaf's issuer is its CA's subject, byte for byte, and the CA signed it. */
	CHECK(cv_bytes_eq(leaf.issuer.ptr, leaf.issuer.len, ca.subject.ptr, ca.subject.len));
	CHECK(cv_ecdsa_p256_verify_der(ca.pub_xy, leaf.tbs.ptr, leaf.tbs.len, leaf.sig.ptr, leaf.sig.len));

	CHECK(quote_chain("vectors/dcap/sgx_quote", &sgx));
	CHECK(sgx.n == 3);
	CHECK_CODE(cv_cert_parse(sgx.der[0].ptr, sgx.der[0].len, &leaf, &d), CV_OK);
	CHECK(hex_is(leaf.sgx.fmspc, 6, "00a067110000"));
	CHECK(strstr(leaf.issuer_cn, "Processor") != NULL);
	CHECK(leaf.sgx.sgx_type == 0);

	CHECK(quote_chain("vectors/dcap/tdx_quote_outdated", &outdated));
	CHECK_CODE(cv_cert_parse(outdated.der[0].ptr, outdated.der[0].len, &leaf, &d), CV_OK);
	CHECK(hex_is(leaf.sgx.fmspc, 6, "90c06f000000"));
	CHECK(leaf.sgx.comp_svn[7] == 3); /* the component no TCB level accepts (cases.json) */
}

/* ---- full chain validation on the real data ---- */

static void test_real_chains(const cJSON *cases)
{
	static const struct {
		const char *id, *quote, *collateral;
	} cs[] = {
		{ "dcap-tdx-v4", "vectors/dcap/tdx_quote", "vectors/dcap/tdx_quote_collateral.json" },
		{ "dcap-sgx-v3", "vectors/dcap/sgx_quote", "vectors/dcap/sgx_quote_collateral.json" },
		{ "dcap-tdx-v5-no-matching-level", "vectors/dcap/tdx_quote_outdated",
			"vectors/dcap/tdx_quote_outdated_collateral.json" },
		{ "dstack-near-mpc", NULL, "vectors/dstack/near-mpc_collateral.json" },
	};
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		collateral col;
		pem_chain pck;
		cv_cert out[3];
		cv_diag d;
		int64_t now = case_now(cases, cs[i].id);
		CHECK(now > 0);
		CHECK(load_collateral(cs[i].collateral, &col));
		if (cs[i].quote) {
			CHECK(quote_chain(cs[i].quote, &pck));
		} else {
			/* near-mpc's quote is a JSON byte array; its collateral carries
			 * the same PCK chain as pck_certificate_chain. */
			pem_chain from_collateral;
			CHECK(json_quote_chain("vectors/dstack/near-mpc_quote.json", &pck));
			CHECK(json_pem(col.json, "pck_certificate_chain", &from_collateral));
			CHECK(pck.n == 3 && from_collateral.n == 3);
			for (size_t k = 0; k < 3 && k < pck.n && k < from_collateral.n; k++)
				CHECK(cv_bytes_eq(pck.der[k].ptr, pck.der[k].len, from_collateral.der[k].ptr,
					from_collateral.der[k].len));
		}
		memset(out, 0, sizeof out);
		CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, now, out, &d), CV_OK);
		CHECK(out[0].sgx.present && strstr(out[0].subject_cn, "SGX PCK Certificate"));
		CHECK(strstr(out[1].subject_cn, "CA") != NULL);
		CHECK_STR(out[2].subject_cn, "Intel SGX Root CA");
		CHECK_CODE(verify_tcb(&col.tcb_chain, &col.root_crl, now, &d), CV_OK);
		CHECK_CODE(verify_tcb(&col.qe_chain, &col.root_crl, now, &d), CV_OK);
		/* The PCK CRL's issuer chain is the quote's CA and root. */
		CHECK(col.pck_crl_chain.n == 2 &&
			cv_bytes_eq(col.pck_crl_chain.der[0].ptr, col.pck_crl_chain.der[0].len, pck.der[1].ptr, pck.der[1].len));
		/* Without the root in the chain, the pinned root is appended. */
		pem_chain shorter = pck;
		shorter.n = 2;
		CHECK_CODE(verify_pck(&shorter, &col.root_crl, &col.pck_crl, now, NULL, &d), CV_OK);
		pem_chain tcb_leaf_only = col.tcb_chain;
		tcb_leaf_only.n = 1;
		CHECK_CODE(verify_tcb(&tcb_leaf_only, &col.root_crl, now, &d), CV_OK);
		/* A chain of the wrong kind or shape. */
		CHECK_CODE(verify_tcb(&pck, &col.root_crl, now, &d), CV_CERT_CHAIN_INVALID);
		CHECK_CODE(verify_pck(&col.tcb_chain, &col.root_crl, &col.pck_crl, now, NULL, &d), CV_CERT_CHAIN_INVALID);
		pem_chain leaf_only = pck;
		leaf_only.n = 1;
		CHECK_CODE(verify_pck(&leaf_only, &col.root_crl, &col.pck_crl, now, NULL, &d), CV_CERT_CHAIN_INVALID);
		/* Missing CRLs are never "not revoked". */
		CHECK_CODE(verify_pck(&pck, NULL, &col.pck_crl, now, NULL, &d), CV_COLLATERAL_MISSING);
		CHECK_CODE(verify_pck(&pck, &col.root_crl, NULL, now, NULL, &d), CV_COLLATERAL_MISSING);
		CHECK_CODE(verify_tcb(&col.tcb_chain, NULL, now, &d), CV_COLLATERAL_MISSING);
		/* CRLs in each other's place. */
		CHECK_CODE(verify_pck(&pck, &col.pck_crl, &col.pck_crl, now, NULL, &d), CV_CRL_INVALID);
		CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.root_crl, now, NULL, &d), CV_CRL_INVALID);
		cJSON_Delete(col.json);
	}
}

/* ---- time windows, isolated one at a time ---- */

static void test_windows(const cJSON *cases)
{
	collateral col;
	pem_chain pck;
	cv_cert leaf, tcb_leaf;
	cv_diag d;
	int64_t now = case_now(cases, "dcap-tdx-v4");
	CHECK(now == 1752919234);
	CHECK(load_collateral("vectors/dcap/tdx_quote_collateral.json", &col));
	CHECK(quote_chain("vectors/dcap/tdx_quote", &pck));
	CHECK_CODE(cv_cert_parse(pck.der[0].ptr, pck.der[0].len, &leaf, &d), CV_OK);
	CHECK_CODE(cv_cert_parse(col.tcb_chain.der[0].ptr, col.tcb_chain.der[0].len, &tcb_leaf, &d), CV_OK);

	/* PCK CRL nextUpdate is 2025-07-19T10:00:35Z: inclusive bound (Intel). */
	CHECK(col.pck_crl.next_update == 1752919235);
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, 1752919235, NULL, &d), CV_OK);
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, 1752919236, NULL, &d), CV_CRL_EXPIRED);
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, 1752920000, NULL, &d), CV_CRL_EXPIRED);
	CHECK(strstr(d.msg, "PCK CRL") && strstr(d.msg, "2025-07-19T10:00:35Z"));
	/* The TCB signing chain needs only the root CRL: still fine then. */
	CHECK_CODE(verify_tcb(&col.tcb_chain, &col.root_crl, 1752920000, &d), CV_OK);
	/* Before the PCK CRL's thisUpdate (the root CRL is older). */
	CHECK(col.root_crl.this_update < col.pck_crl.this_update);
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, col.pck_crl.this_update - 1, NULL, &d),
		CV_COLLATERAL_NOT_YET_VALID);
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, col.pck_crl.this_update, NULL, &d), CV_OK);
	/* Root CRL windows, checked before the PCK CRL. */
	CHECK_CODE(verify_tcb(&col.tcb_chain, &col.root_crl, col.root_crl.next_update, &d), CV_OK);
	CHECK_CODE(verify_tcb(&col.tcb_chain, &col.root_crl, col.root_crl.next_update + 1, &d), CV_CRL_EXPIRED);
	CHECK(strstr(d.msg, "root CA CRL") != NULL);
	CHECK(leaf.not_before < col.root_crl.this_update);
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, col.root_crl.this_update - 1, NULL, &d),
		CV_COLLATERAL_NOT_YET_VALID);
	CHECK(strstr(d.msg, "root CA CRL") != NULL);

	/* Certificates: checked before CRLs, so each window is isolated even
	 * though the CRLs have long expired by then. At notAfter itself the
	 * certificate still passes and the (expired) CRL is what fails. */
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, leaf.not_after, NULL, &d), CV_CRL_EXPIRED);
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, leaf.not_after + 1, NULL, &d), CV_CERT_EXPIRED);
	CHECK(strstr(d.msg, "leaf") && strstr(d.msg, "2032-02-06T23:25:51Z"));
	CHECK_CODE(verify_pck(&pck, &col.root_crl, &col.pck_crl, leaf.not_before - 1, NULL, &d), CV_CERT_NOT_YET_VALID);
	CHECK_CODE(verify_tcb(&col.tcb_chain, &col.root_crl, tcb_leaf.not_after + 1, &d), CV_CERT_EXPIRED);
	CHECK_CODE(verify_tcb(&col.tcb_chain, &col.root_crl, tcb_leaf.not_before - 1, &d), CV_CERT_NOT_YET_VALID);
	/* After the root itself expires (2049-12-31T23:59:59Z). */
	CHECK_CODE(verify_tcb(&col.tcb_chain, &col.root_crl, cv_time_from_civil(2050, 1, 1, 0, 0, 0), &d),
		CV_CERT_EXPIRED);
	cJSON_Delete(col.json);
}

/* ---- CRLs that do not belong, and forged signatures ---- */

static void flip(uint8_t *buf, size_t off)
{
	buf[off] ^= 0x01;
}

static void test_forgeries(const cJSON *cases)
{
	collateral tdx, sgx;
	pem_chain pck, sgx_pck;
	cv_diag d;
	int64_t now = case_now(cases, "dcap-tdx-v4"), sgx_now = case_now(cases, "dcap-sgx-v3");
	CHECK(load_collateral("vectors/dcap/tdx_quote_collateral.json", &tdx));
	CHECK(load_collateral("vectors/dcap/sgx_quote_collateral.json", &sgx));
	CHECK(quote_chain("vectors/dcap/tdx_quote", &pck));
	CHECK(quote_chain("vectors/dcap/sgx_quote", &sgx_pck));

	/* The Processor-CA CRL says nothing about a Platform-CA leaf, and back. */
	CHECK(strstr(sgx.pck_crl.issuer_cn, "Processor") && strstr(tdx.pck_crl.issuer_cn, "Platform"));
	CHECK_CODE(verify_pck(&pck, &tdx.root_crl, &sgx.pck_crl, now, NULL, &d), CV_CRL_INVALID);
	CHECK(strstr(d.msg, "Processor") && strstr(d.msg, "Platform"));
	CHECK_CODE(verify_pck(&sgx_pck, &sgx.root_crl, &tdx.pck_crl, sgx_now, NULL, &d), CV_CRL_INVALID);
	CHECK_CODE(verify_pck(&sgx_pck, &sgx.root_crl, &sgx.pck_crl, sgx_now, NULL, &d), CV_OK);

	/* One flipped byte in each certificate's signature (inside r), then
	 * in each one's signed public key. */
	for (size_t i = 0; i < pck.n; i++) {
		static pem_chain bad;
		cv_cert c;
		CHECK_CODE(cv_cert_parse(pck.der[i].ptr, pck.der[i].len, &c, &d), CV_OK);
		/* A changed root is no longer the pinned one. */
		cv_err want = i == pck.n - 1 ? CV_ROOT_CA_MISMATCH : CV_CERT_CHAIN_INVALID;
		copy_chain(&bad, &pck);
		flip(bad.buf, (size_t)(c.sig.ptr - pck.buf) + 10);
		CHECK_CODE(verify_pck(&bad, &tdx.root_crl, &tdx.pck_crl, now, NULL, &d), want);
		if (i < pck.n - 1)
			CHECK(strstr(d.msg, "signature") != NULL);
		copy_chain(&bad, &pck);
		size_t key = find_bytes(pck.der[i].ptr, pck.der[i].len, c.pub_xy, 64);
		CHECK(key != (size_t)-1);
		flip(bad.buf, (size_t)(pck.der[i].ptr - pck.buf) + key + 5);
		CHECK_CODE(verify_pck(&bad, &tdx.root_crl, &tdx.pck_crl, now, NULL, &d), want);
	}
	{
		static pem_chain bad;
		cv_cert c;
		CHECK_CODE(cv_cert_parse(tdx.tcb_chain.der[0].ptr, tdx.tcb_chain.der[0].len, &c, &d), CV_OK);
		copy_chain(&bad, &tdx.tcb_chain);
		flip(bad.buf, (size_t)(c.sig.ptr - tdx.tcb_chain.buf) + 12);
		CHECK_CODE(verify_tcb(&bad, &tdx.root_crl, now, &d), CV_CERT_CHAIN_INVALID);
	}
	/* A trusted root whose own self-signature is broken. */
	{
		uint8_t root[659];
		cv_cert c;
		memcpy(root, cv_intel_root_ca_der, sizeof root);
		CHECK_CODE(cv_cert_parse(root, sizeof root, &c, &d), CV_OK);
		flip(root, (size_t)(c.sig.ptr - root) + 10);
		pem_chain two = pck;
		two.n = 2;
		cv_diag_clear(&d);
		CHECK_CODE(cv_chain_verify(CV_CHAIN_PCK, two.der, two.n, root, sizeof root, &tdx.root_crl, &tdx.pck_crl,
			now, NULL, &d), CV_CERT_CHAIN_INVALID);
		CHECK(strstr(d.msg, "self-sign") != NULL);
	}

	/* One flipped byte in a CRL signature. */
	uint8_t buf[8192];
	cv_crl crl;
	memcpy(buf, tdx.pck_crl_der, tdx.pck_crl_len);
	flip(buf, (size_t)(tdx.pck_crl.sig.ptr - tdx.pck_crl_der) + 10);
	CHECK_CODE(cv_crl_parse(buf, tdx.pck_crl_len, &crl, &d), CV_OK);
	CHECK_CODE(verify_pck(&pck, &tdx.root_crl, &crl, now, NULL, &d), CV_CRL_INVALID);
	CHECK(strstr(d.msg, "signature") != NULL);
	memcpy(buf, tdx.root_crl_der, tdx.root_crl_len);
	flip(buf, (size_t)(tdx.root_crl.sig.ptr - tdx.root_crl_der) + 10);
	CHECK_CODE(cv_crl_parse(buf, tdx.root_crl_len, &crl, &d), CV_OK);
	CHECK_CODE(verify_pck(&pck, &crl, &tdx.pck_crl, now, NULL, &d), CV_CRL_INVALID);
	CHECK_CODE(verify_tcb(&tdx.tcb_chain, &crl, now, &d), CV_CRL_INVALID);
	/* A CRL whose nextUpdate was pushed back a year (2025 -> 2026): it
	 * parses, but its signature no longer holds. */
	static const uint8_t next_update[] = "250719100035Z";
	memcpy(buf, tdx.pck_crl_der, tdx.pck_crl_len);
	size_t at = find_bytes(buf, tdx.pck_crl_len, next_update, sizeof next_update - 1);
	CHECK(at != (size_t)-1);
	if (at != (size_t)-1)
		buf[at + 1] = '6';
	CHECK_CODE(cv_crl_parse(buf, tdx.pck_crl_len, &crl, &d), CV_OK);
	CHECK(crl.next_update == tdx.pck_crl.next_update + 365 * 86400);
	CHECK_CODE(verify_pck(&pck, &tdx.root_crl, &crl, now + 86400, NULL, &d), CV_CRL_INVALID);
	CHECK(strstr(d.msg, "signature") != NULL);

	/* cv_crl_check directly: the wrong issuer. */
	cv_cert ca;
	CHECK_CODE(cv_cert_parse(pck.der[1].ptr, pck.der[1].len, &ca, &d), CV_OK);
	cv_diag_clear(&d);
	CHECK_CODE(cv_crl_check(&tdx.root_crl, &ca, now, "root CA CRL", &d), CV_CRL_INVALID);
	cv_diag_clear(&d);
	CHECK_CODE(cv_crl_check(&tdx.pck_crl, &ca, now, "PCK CRL", &d), CV_OK);

	cJSON_Delete(tdx.json);
	cJSON_Delete(sgx.json);
}

/* ---- other roots ---- */

static void test_other_roots(void)
{
	collateral tdx;
	pem_chain pck, synth_root, synth_chain, synth_leaf;
	cv_diag d;
	CHECK(load_collateral("vectors/dcap/tdx_quote_collateral.json", &tdx));
	CHECK(quote_chain("vectors/dcap/tdx_quote", &pck));

	/* Intel's synthetic test root: same DN as the real one, another key. */
	size_t len;
	char *text = (char *)check_read_file("vectors/intel-synthetic/trustedRootCaCert.pem", &len);
	CHECK(text && decode_pem(text, len, &synth_root) && synth_root.n == 1);
	free(text);
	pem_chain mixed = pck;
	mixed.der[2] = synth_root.der[0];
	CHECK_CODE(verify_pck(&mixed, &tdx.root_crl, &tdx.pck_crl, 1752919234, NULL, &d), CV_ROOT_CA_MISMATCH);
	CHECK(strstr(d.msg, "pinned") != NULL);

	/* Intel's whole synthetic PCK chain is rejected under the pinned root
	 * and accepted only when its root is passed as the trust anchor (the
	 * test-build option), with its own CRLs. */
	text = (char *)check_read_file("vectors/intel-synthetic/pckSignChain.pem", &len);
	CHECK(text && decode_pem(text, len, &synth_chain) && synth_chain.n == 2);
	free(text);
	text = (char *)check_read_file("vectors/intel-synthetic/pckCert.pem", &len);
	CHECK(text && decode_pem(text, len, &synth_leaf) && synth_leaf.n == 1);
	free(text);
	/* pckSignChain.pem is CA then root; the leaf goes first. */
	cv_bytes chain[3] = { synth_leaf.der[0], synth_chain.der[0], synth_chain.der[1] };
	uint8_t *root_crl_der = check_read_file("vectors/intel-synthetic/rootCaCrl.der", &len);
	cv_crl synth_root_crl, synth_pck_crl;
	size_t root_crl_len = len;
	CHECK(root_crl_der && cv_crl_parse(root_crl_der, root_crl_len, &synth_root_crl, &d) == CV_OK);
	uint8_t *pck_crl_der = check_read_file("vectors/intel-synthetic/intermediateCaCrl.der", &len);
	CHECK(pck_crl_der && cv_crl_parse(pck_crl_der, len, &synth_pck_crl, &d) == CV_OK);
	int64_t t = cv_time_from_civil(2020, 9, 13, 0, 0, 0);
	cv_diag_clear(&d);
	CHECK_CODE(cv_chain_verify(CV_CHAIN_PCK, chain, 3, cv_intel_root_ca_der, cv_intel_root_ca_der_len,
		&synth_root_crl, &synth_pck_crl, t, NULL, &d), CV_ROOT_CA_MISMATCH);
	cv_diag_clear(&d);
	CHECK_CODE(cv_chain_verify(CV_CHAIN_PCK, chain, 2, cv_intel_root_ca_der, cv_intel_root_ca_der_len,
		&synth_root_crl, &synth_pck_crl, t, NULL, &d), CV_CERT_CHAIN_INVALID);
	cv_diag_clear(&d);
	CHECK_CODE(cv_chain_verify(CV_CHAIN_PCK, chain, 3, synth_root.der[0].ptr, synth_root.der[0].len,
		&synth_root_crl, &synth_pck_crl, t, NULL, &d), CV_OK);
	/* The real collateral's CRLs are not the synthetic CA's. */
	cv_diag_clear(&d);
	CHECK_CODE(cv_chain_verify(CV_CHAIN_PCK, chain, 3, synth_root.der[0].ptr, synth_root.der[0].len,
		&tdx.root_crl, &synth_pck_crl, t, NULL, &d), CV_CRL_INVALID);
	/* Its CA CRL lists one serial, which is not this leaf's. */
	static const uint8_t listed[] = { 0x1D, 0x21, 0x0D, 0x4E, 0x73, 0xD7, 0x81, 0x4F, 0x34, 0xC0,
		0x97, 0xEF, 0x49, 0x6D, 0x3C, 0x4F, 0xA9, 0x82, 0x68, 0x4C };
	CHECK(cv_crl_lists_serial(&synth_pck_crl, listed, sizeof listed) == 1);
	free(root_crl_der);
	free(pck_crl_der);

	/* A garbage trust anchor. */
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	cv_diag_clear(&d);
	CHECK_CODE(cv_chain_verify(CV_CHAIN_PCK, pck.der, 3, junk, sizeof junk, &tdx.root_crl, &tdx.pck_crl,
		1752919234, NULL, &d), CV_ROOT_CA_MISMATCH);
	cJSON_Delete(tdx.json);
}

/* ---- revocation, with the signed test PKI ---- */

static int load_test_crl(const char *hex, uint8_t *buf, size_t cap, cv_crl *crl)
{
	cv_diag d;
	size_t n = cv_hex_decode(hex, strlen(hex), buf, cap);
	return n != (size_t)-1 && cv_crl_parse(buf, n, crl, &d) == CV_OK;
}

static void test_revocation(void)
{
	static const char pck_pem[] = TEST_LEAF_PEM TEST_CA_PEM TEST_ROOT_PEM;
	static const char tcb_pem[] = TEST_TCB_PEM TEST_ROOT_PEM;
	pem_chain pck, tcb;
	uint8_t b1[512], b2[512], b3[512], b4[512], b5[512];
	cv_crl root_empty, root_lists_ca_tcb, root_lists_root, pck_empty, pck_lists_leaf;
	cv_cert out[3];
	cv_diag d;
	CHECK(decode_pem(pck_pem, sizeof pck_pem - 1, &pck) && pck.n == 3);
	CHECK(decode_pem(tcb_pem, sizeof tcb_pem - 1, &tcb) && tcb.n == 2);
	CHECK(load_test_crl(TEST_CRL_ROOT_EMPTY, b1, sizeof b1, &root_empty));
	CHECK(load_test_crl(TEST_CRL_ROOT_LISTS_CA_TCB, b2, sizeof b2, &root_lists_ca_tcb));
	CHECK(load_test_crl(TEST_CRL_ROOT_LISTS_ROOT, b3, sizeof b3, &root_lists_root));
	CHECK(load_test_crl(TEST_CRL_PCK_EMPTY, b4, sizeof b4, &pck_empty));
	CHECK(load_test_crl(TEST_CRL_PCK_LISTS_LEAF, b5, sizeof b5, &pck_lists_leaf));
	const uint8_t *root = pck.der[2].ptr;
	size_t root_len = pck.der[2].len;
	const int64_t now = TEST_PKI_NOW;

#define PCK(rc, pc) (cv_diag_clear(&d), cv_chain_verify(CV_CHAIN_PCK, pck.der, 3, root, root_len, (rc), (pc), now, out, &d))
#define TCB(rc) (cv_diag_clear(&d), cv_chain_verify(CV_CHAIN_TCB_SIGNER, tcb.der, 2, root, root_len, (rc), NULL, now, NULL, &d))
	CHECK_CODE(PCK(&root_empty, &pck_empty), CV_OK);
	CHECK(out[0].sgx.present && hex_is(out[0].sgx.fmspc, 6, "b0c06f000000"));
	CHECK_CODE(TCB(&root_empty), CV_OK);
	/* The leaf's serial (00 c3 00 30 03) listed by its CA. */
	CHECK_CODE(PCK(&root_empty, &pck_lists_leaf), CV_CERT_REVOKED);
	CHECK(strstr(d.msg, "leaf") && strstr(d.msg, "00c3003003"));
	/* The PCK CA and the TCB signer listed by the root. */
	CHECK_CODE(PCK(&root_lists_ca_tcb, &pck_empty), CV_CERT_REVOKED);
	CHECK(strstr(d.msg, "Test SGX PCK Platform CA") != NULL);
	CHECK_CODE(TCB(&root_lists_ca_tcb), CV_CERT_REVOKED);
	CHECK(strstr(d.msg, "Test SGX TCB Signing") != NULL);
	/* The root listed in its own CRL. */
	CHECK_CODE(PCK(&root_lists_root, &pck_empty), CV_CERT_REVOKED);
	CHECK(strstr(d.msg, "root CA") != NULL);
	CHECK_CODE(TCB(&root_lists_root), CV_CERT_REVOKED);
	/* The PCK CRL as root CRL and back: wrong issuer. */
	CHECK_CODE(PCK(&pck_empty, &pck_empty), CV_CRL_INVALID);
	CHECK_CODE(PCK(&root_empty, &root_empty), CV_CRL_INVALID);
#undef PCK
#undef TCB
	/* Under the pinned root this PKI is foreign. */
	cv_diag_clear(&d);
	CHECK_CODE(cv_chain_verify(CV_CHAIN_PCK, pck.der, 3, cv_intel_root_ca_der, cv_intel_root_ca_der_len,
		&root_empty, &pck_empty, now, NULL, &d), CV_ROOT_CA_MISMATCH);

	/* cv_crl_lists_serial compares values: a missing or extra 0x00 sign byte
	 * does not hide a serial. */
	static const uint8_t leaf_serial[] = { 0xC3, 0x00, 0x30, 0x03 };
	static const uint8_t leaf_serial_signed[] = { 0x00, 0xC3, 0x00, 0x30, 0x03 };
	static const uint8_t other[] = { 0x00, 0xC3, 0x00, 0x30, 0x04 };
	CHECK(cv_crl_lists_serial(&pck_lists_leaf, leaf_serial, sizeof leaf_serial) == 1);
	CHECK(cv_crl_lists_serial(&pck_lists_leaf, leaf_serial_signed, sizeof leaf_serial_signed) == 1);
	CHECK(cv_crl_lists_serial(&pck_lists_leaf, other, sizeof other) == 0);
	CHECK(cv_crl_lists_serial(&pck_empty, leaf_serial, sizeof leaf_serial) == 0);
}

/* cv_crl_lists_serial against the serials really listed in Intel's CRLs. */
static void test_real_revoked_lists(void)
{
	collateral tdx, sgx;
	pem_chain pck;
	CHECK(load_collateral("vectors/dcap/tdx_quote_collateral.json", &tdx));
	CHECK(load_collateral("vectors/dcap/sgx_quote_collateral.json", &sgx));
	CHECK(quote_chain("vectors/dcap/tdx_quote", &pck));
	/* Listed as 00 ef ae ... (sign byte); compared with and without it. */
	uint8_t s[21];
	CHECK(cv_hex_decode("efae6e9715fca13b87e333e8261ed6d990a926ad", 40, s, sizeof s) == 20);
	CHECK(cv_crl_lists_serial(&tdx.pck_crl, s, 20) == 1);
	CHECK(cv_hex_decode("00efae6e9715fca13b87e333e8261ed6d990a926ad", 42, s, sizeof s) == 21);
	CHECK(cv_crl_lists_serial(&tdx.pck_crl, s, 21) == 1);
	CHECK(cv_hex_decode("6fc34e5023e728923435d61aa4b83c618166ad35", 40, s, sizeof s) == 20);
	CHECK(cv_crl_lists_serial(&tdx.pck_crl, s, 20) == 1);
	s[19] ^= 1;
	CHECK(cv_crl_lists_serial(&tdx.pck_crl, s, 20) == 0);
	/* Not listed: the quote's own leaf, and anything in an empty list. */
	cv_cert leaf;
	cv_diag d;
	CHECK_CODE(cv_cert_parse(pck.der[0].ptr, pck.der[0].len, &leaf, &d), CV_OK);
	CHECK(cv_crl_lists_serial(&tdx.pck_crl, leaf.serial.ptr, leaf.serial.len) == 0);
	CHECK(sgx.pck_crl.revoked.len == 0 && tdx.root_crl.revoked.len == 0);
	CHECK(cv_crl_lists_serial(&tdx.root_crl, leaf.serial.ptr, leaf.serial.len) == 0);
	/* The CRL fields themselves. */
	CHECK(strstr(tdx.pck_crl.issuer_cn, "Intel SGX PCK Platform CA") != NULL);
	CHECK_STR(tdx.root_crl.issuer_cn, "Intel SGX Root CA");
	CHECK(tdx.pck_crl.this_update == 1752919235 - 30 * 86400);
	cJSON_Delete(tdx.json);
	cJSON_Delete(sgx.json);
}

/* ---- hostile input ---- */

static void test_truncation_and_garbage(void)
{
	collateral tdx;
	pem_chain pck;
	cv_cert c;
	cv_crl crl;
	cv_diag d;
	CHECK(load_collateral("vectors/dcap/tdx_quote_collateral.json", &tdx));
	CHECK(quote_chain("vectors/dcap/tdx_quote", &pck));
	const cv_bytes leaf = pck.der[0];

	/* Every truncation, in a buffer of exactly that size (ASan checks reads). */
	int all_fail = 1;
	for (size_t n = 0; n < leaf.len; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, leaf.ptr, n);
		if (cv_cert_parse(b, n, &c, &d) != CV_CERT_CHAIN_INVALID)
			all_fail = 0;
		free(b);
	}
	CHECK(all_fail);
	all_fail = 1;
	for (size_t n = 0; n < tdx.pck_crl_len; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, tdx.pck_crl_der, n);
		if (cv_crl_parse(b, n, &crl, &d) != CV_CRL_INVALID)
			all_fail = 0;
		free(b);
	}
	CHECK(all_fail);
	/* Trailing bytes. */
	uint8_t buf[8192];
	memcpy(buf, leaf.ptr, leaf.len);
	buf[leaf.len] = 0;
	CHECK_CODE(cv_cert_parse(buf, leaf.len + 1, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK_CODE(cv_cert_parse(NULL, 0, &c, &d), CV_CERT_CHAIN_INVALID);
	/* A CRL is not a certificate, and back. */
	CHECK_CODE(cv_cert_parse(tdx.pck_crl_der, tdx.pck_crl_len, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK_CODE(cv_crl_parse(leaf.ptr, leaf.len, &crl, &d), CV_CRL_INVALID);

	/* Another curve (P-256 OID 1.2.840.10045.3.1.7 -> .3.1.8) and another
	 * signature algorithm (ecdsa-with-SHA256 -> SHA384, outer only). */
	static const uint8_t p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
	memcpy(buf, leaf.ptr, leaf.len);
	for (size_t i = 0; i + sizeof p256 <= leaf.len; i++)
		if (memcmp(buf + i, p256, sizeof p256) == 0)
			buf[i + sizeof p256 - 1] = 0x08;
	CHECK_CODE(cv_cert_parse(buf, leaf.len, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK(strstr(d.msg, "P-256") != NULL);
	CHECK_CODE(cv_cert_parse(leaf.ptr, leaf.len, &c, &d), CV_OK);
	memcpy(buf, leaf.ptr, leaf.len);
	size_t outer_alg = (size_t)(c.tbs.ptr - leaf.ptr) + c.tbs.len; /* 30 0a 06 08 ... 02 */
	CHECK(buf[outer_alg] == 0x30 && buf[outer_alg + 11] == 0x02);
	buf[outer_alg + 11] = 0x03;
	CHECK_CODE(cv_cert_parse(buf, leaf.len, &c, &d), CV_CERT_CHAIN_INVALID);

	/* A malformed SGX extension: FMSPC length 6 -> 5. */
	static const uint8_t fmspc_tag[] = { 0x04, 0x06, 0xB0, 0xC0, 0x6F };
	memcpy(buf, leaf.ptr, leaf.len);
	size_t at = find_bytes(buf, leaf.len, fmspc_tag, sizeof fmspc_tag);
	CHECK(at != (size_t)-1);
	if (at != (size_t)-1)
		buf[at + 1] = 0x05;
	CHECK_CODE(cv_cert_parse(buf, leaf.len, &c, &d), CV_CERT_CHAIN_INVALID);

	/* Depth bombs: 1000 nested SEQUENCEs, built from the inside out. */
	static uint8_t bomb[8192];
	size_t pos = sizeof bomb;
	bomb[--pos] = 0x00;
	bomb[--pos] = 0x05; /* NULL */
	for (int i = 0; i < 1000; i++) {
		size_t inner = sizeof bomb - pos;
		if (inner < 0x80) {
			bomb[--pos] = (uint8_t)inner;
		} else {
			bomb[--pos] = (uint8_t)inner;
			bomb[--pos] = (uint8_t)(inner >> 8);
			bomb[--pos] = 0x82;
		}
		bomb[--pos] = 0x30;
	}
	CHECK_CODE(cv_cert_parse(bomb + pos, sizeof bomb - pos, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK(strstr(d.msg, "deeper") != NULL);
	CHECK_CODE(cv_crl_parse(bomb + pos, sizeof bomb - pos, &crl, &d), CV_CRL_INVALID);
	CHECK(strstr(d.msg, "deeper") != NULL);
	/* The limit itself: 10 nested levels walk, 11 do not. */
	for (int depth = 10; depth <= 11; depth++) {
		uint8_t nest[64];
		cv_der_cur cur;
		size_t p = sizeof nest;
		nest[--p] = 0x00;
		nest[--p] = 0x05;
		for (int i = 0; i < depth; i++) {
			uint8_t l = (uint8_t)(sizeof nest - p);
			nest[--p] = l;
			nest[--p] = 0x30;
		}
		cv_der_init(&cur, nest + p, sizeof nest - p, CV_CERT_CHAIN_INVALID, "test", &d);
		CHECK((cv_der_check_tree(&cur) == CV_OK) == (depth == 10));
	}
	/* Non-DER lengths. */
	static const uint8_t indefinite[] = { 0x30, 0x80, 0x05, 0x00, 0x00, 0x00 };
	static const uint8_t long_short[] = { 0x30, 0x81, 0x02, 0x05, 0x00 };
	static const uint8_t huge[] = { 0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x05, 0x00 };
	static const uint8_t five_bytes[] = { 0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x02 };
	CHECK_CODE(cv_cert_parse(indefinite, sizeof indefinite, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK_CODE(cv_cert_parse(long_short, sizeof long_short, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK_CODE(cv_cert_parse(huge, sizeof huge, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK(strstr(d.msg, "truncated") != NULL);
	CHECK_CODE(cv_cert_parse(five_bytes, sizeof five_bytes, &c, &d), CV_CERT_CHAIN_INVALID);
	cJSON_Delete(tdx.json);
}

/* ---- extension rules, on re-encoded copies of the real leaf ---- */

static size_t put_tlv(uint8_t *out, uint8_t tag, const uint8_t *val, size_t len)
{
	size_t h = 0;
	out[h++] = tag;
	if (len < 0x80) {
		out[h++] = (uint8_t)len;
	} else if (len < 0x100) {
		out[h++] = 0x81;
		out[h++] = (uint8_t)len;
	} else {
		out[h++] = 0x82;
		out[h++] = (uint8_t)(len >> 8);
		out[h++] = (uint8_t)len;
	}
	memmove(out + h, val, len);
	return h + len;
}

/*
 * The leaf with its extension list replaced by exts (concatenated Extension
 * TLVs). The signature no longer matches: these are parser tests.
 */
static size_t with_extensions(const cv_bytes *cert, const uint8_t *exts, size_t exts_len, uint8_t *out)
{
	static uint8_t tbs[4096], tmp[4096], body[4096];
	cv_der_cur top, c, t;
	cv_der el, tbs_el, alg, sig;
	size_t tn = 0, n;
	cv_der_init(&top, cert->ptr, cert->len, CV_CERT_CHAIN_INVALID, "test", NULL);
	if (cv_der_expect_enter(&top, 0x30, &c, NULL, "cert") || cv_der_expect_enter(&c, 0x30, &t, &tbs_el, "tbs") ||
		cv_der_next(&c, &alg, "alg") || cv_der_next(&c, &sig, "sig"))
		return 0;
	while (!cv_der_at_end(&t)) {
		if (cv_der_next(&t, &el, "field"))
			return 0;
		if (el.tag == 0xA3)
			continue;
		memcpy(tbs + tn, el.tlv.ptr, el.tlv.len);
		tn += el.tlv.len;
	}
	n = put_tlv(tmp, 0x30, exts, exts_len);
	tn += put_tlv(tbs + tn, 0xA3, tmp, n);
	n = put_tlv(body, 0x30, tbs, tn);
	memcpy(body + n, alg.tlv.ptr, alg.tlv.len);
	n += alg.tlv.len;
	memcpy(body + n, sig.tlv.ptr, sig.tlv.len);
	n += sig.tlv.len;
	return put_tlv(out, 0x30, body, n);
}

/* A CRL without nextUpdate (RFC 5280 allows it; a verifier cannot judge
 * its freshness), re-encoded from the real root CA CRL. */
static void test_crl_without_next_update(void)
{
	collateral tdx;
	static uint8_t tbs[2048], body[2048], out[2048];
	cv_der_cur top, list, t;
	cv_der el, alg, sig;
	cv_crl crl;
	cv_diag d;
	size_t tn = 0, n, times = 0;
	CHECK(load_collateral("vectors/dcap/tdx_quote_collateral.json", &tdx));
	cv_der_init(&top, tdx.root_crl_der, tdx.root_crl_len, CV_CRL_INVALID, "test", NULL);
	CHECK(cv_der_expect_enter(&top, 0x30, &list, NULL, "crl") == CV_OK);
	CHECK(cv_der_expect_enter(&list, 0x30, &t, NULL, "tbs") == CV_OK);
	CHECK(cv_der_next(&list, &alg, "alg") == CV_OK && cv_der_next(&list, &sig, "sig") == CV_OK);
	while (!cv_der_at_end(&t) && cv_der_next(&t, &el, "field") == CV_OK) {
		if (el.tag == CV_DER_UTC_TIME && times++ == 1)
			continue; /* drop nextUpdate */
		memcpy(tbs + tn, el.tlv.ptr, el.tlv.len);
		tn += el.tlv.len;
	}
	CHECK(times == 2);
	n = put_tlv(body, 0x30, tbs, tn);
	memcpy(body + n, alg.tlv.ptr, alg.tlv.len);
	n += alg.tlv.len;
	memcpy(body + n, sig.tlv.ptr, sig.tlv.len);
	n += sig.tlv.len;
	n = put_tlv(out, 0x30, body, n);
	CHECK(n == tdx.root_crl_len - 15);
	CHECK_CODE(cv_crl_parse(out, n, &crl, &d), CV_CRL_INVALID);
	CHECK(strstr(d.msg, "nextUpdate") != NULL);
	cJSON_Delete(tdx.json);
}

static void test_extension_rules(void)
{
	pem_chain pck;
	cv_cert c;
	cv_diag d;
	static uint8_t exts[4096], out[4096];
	CHECK(quote_chain("vectors/dcap/tdx_quote", &pck));
	const cv_bytes leaf = pck.der[0];
	CHECK_CODE(cv_cert_parse(leaf.ptr, leaf.len, &c, &d), CV_OK);

	/* Collect the original Extension TLVs. */
	static const uint8_t sgx_oid[] = { 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01 };
	cv_bytes list[16], sgx = { NULL, 0 };
	size_t count = 0, len = 0, n;
	{
		cv_der_cur top, cert, tbs, wrap, seq;
		cv_der el;
		cv_der_init(&top, leaf.ptr, leaf.len, CV_CERT_CHAIN_INVALID, "test", NULL);
		cv_der_expect_enter(&top, 0x30, &cert, NULL, "c");
		cv_der_expect_enter(&cert, 0x30, &tbs, NULL, "t");
		while (!cv_der_at_end(&tbs) && !cv_der_next(&tbs, &el, "f"))
			if (el.tag == 0xA3) {
				cv_der_enter(&tbs, &el, &wrap, "w");
				cv_der_expect_enter(&wrap, 0x30, &seq, NULL, "s");
				while (!cv_der_at_end(&seq) && count < 16 && !cv_der_next(&seq, &el, "e")) {
					list[count++] = el.tlv;
					if (find_bytes(el.tlv.ptr, el.tlv.len, sgx_oid, sizeof sgx_oid) < 8)
						sgx = el.tlv;
				}
			}
	}
	CHECK(count == 6 && sgx.ptr != NULL);
	for (size_t i = 0; i < count; i++) {
		memcpy(exts + len, list[i].ptr, list[i].len);
		len += list[i].len;
	}
	/* Re-encoding unchanged gives the same bytes (the helper is faithful). */
	n = with_extensions(&leaf, exts, len, out);
	CHECK(cv_bytes_eq(out, n, leaf.ptr, leaf.len));

	/* The SGX extension twice: a second FMSPC must not be smuggled in. */
	memcpy(exts + len, sgx.ptr, sgx.len);
	n = with_extensions(&leaf, exts, len + sgx.len, out);
	CHECK_CODE(cv_cert_parse(out, n, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK(strstr(d.msg, "more than one Intel SGX") != NULL);

	/* An unknown critical extension fails; the same one non-critical is ignored. */
	static const uint8_t crit[] = { 0x30, 0x0B, 0x06, 0x03, 0x2A, 0x03, 0x04, 0x01, 0x01, 0xFF, 0x04, 0x01, 0x00 };
	static const uint8_t noncrit[] = { 0x30, 0x08, 0x06, 0x03, 0x2A, 0x03, 0x04, 0x04, 0x01, 0x00 };
	memcpy(exts + len, crit, sizeof crit);
	n = with_extensions(&leaf, exts, len + sizeof crit, out);
	CHECK_CODE(cv_cert_parse(out, n, &c, &d), CV_CERT_CHAIN_INVALID);
	CHECK(strstr(d.msg, "critical") != NULL);
	memcpy(exts + len, noncrit, sizeof noncrit);
	n = with_extensions(&leaf, exts, len + sizeof noncrit, out);
	CHECK_CODE(cv_cert_parse(out, n, &c, &d), CV_OK);
	CHECK(c.sgx.present && !c.has_ext_key_usage);

	/* An extended key usage is recorded (and refused by the chain rules). */
	static const uint8_t eku[] = { 0x30, 0x13, 0x06, 0x03, 0x55, 0x1D, 0x25, 0x04, 0x0C, 0x30, 0x0A,
		0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
	memcpy(exts + len, eku, sizeof eku);
	n = with_extensions(&leaf, exts, len + sizeof eku, out);
	CHECK_CODE(cv_cert_parse(out, n, &c, &d), CV_OK);
	CHECK(c.has_ext_key_usage);

	/* Without the SGX extension the leaf parses, but is no PCK leaf. */
	len = 0;
	for (size_t i = 0; i < count; i++)
		if (list[i].ptr != sgx.ptr) {
			memcpy(exts + len, list[i].ptr, list[i].len);
			len += list[i].len;
		}
	n = with_extensions(&leaf, exts, len, out);
	CHECK_CODE(cv_cert_parse(out, n, &c, &d), CV_OK);
	CHECK(!c.sgx.present);
	/* An empty extension list is not DER for Extensions (SIZE 1..MAX). */
	n = with_extensions(&leaf, exts, 0, out);
	CHECK_CODE(cv_cert_parse(out, n, &c, &d), CV_CERT_CHAIN_INVALID);
}

/* Flip bytes of a real certificate and CRL: never a crash, and never a
 * chain or CRL that still verifies. */
static void test_flips(void)
{
	collateral tdx;
	pem_chain pck;
	cv_cert c;
	cv_crl crl;
	cv_diag d;
	CHECK(load_collateral("vectors/dcap/tdx_quote_collateral.json", &tdx));
	CHECK(quote_chain("vectors/dcap/tdx_quote", &pck));
	static const uint8_t masks[] = { 0x01, 0x80, 0xFF };
	size_t parsed = 0, accepted = 0;
	const cv_bytes leaf = pck.der[0];
	for (size_t m = 0; m < sizeof masks; m++) {
		for (size_t i = 0; i < leaf.len; i++) {
			uint8_t *b = malloc(leaf.len);
			memcpy(b, leaf.ptr, leaf.len);
			b[i] ^= masks[m];
			if (cv_cert_parse(b, leaf.len, &c, &d) == CV_OK) {
				parsed++;
				/* Full verification only for one mask: it costs signatures. */
				if (m == 0) {
					cv_bytes chain[3] = { { b, leaf.len }, pck.der[1], pck.der[2] };
					cv_diag_clear(&d);
					if (cv_chain_verify(CV_CHAIN_PCK, chain, 3, cv_intel_root_ca_der, cv_intel_root_ca_der_len,
						&tdx.root_crl, &tdx.pck_crl, 1752919234, NULL, &d) == CV_OK)
						accepted++;
				}
			}
			free(b);
		}
	}
	CHECK(parsed > 0); /* most flips land in values, which parse */
	CHECK(accepted == 0);
	size_t crl_accepted = 0;
	cv_cert ca;
	CHECK_CODE(cv_cert_parse(pck.der[1].ptr, pck.der[1].len, &ca, &d), CV_OK);
	for (size_t i = 0; i < tdx.root_crl_len; i++) {
		uint8_t *b = malloc(tdx.root_crl_len);
		memcpy(b, tdx.root_crl_der, tdx.root_crl_len);
		b[i] ^= 0x01;
		cv_cert root;
		CHECK(cv_cert_parse(cv_intel_root_ca_der, cv_intel_root_ca_der_len, &root, &d) == CV_OK);
		if (cv_crl_parse(b, tdx.root_crl_len, &crl, &d) == CV_OK && cv_crl_check(&crl, &root, 1752919234,
			"root CA CRL", &d) == CV_OK)
			crl_accepted++;
		free(b);
	}
	CHECK(crl_accepted == 0);
	cJSON_Delete(tdx.json);
}

/* ---- PEM and base64 ---- */

static void test_pem_base64(void)
{
	uint8_t out[16];
	CHECK(cv_base64_decode("TWFu", 4, out, sizeof out) == 3 && memcmp(out, "Man", 3) == 0);
	CHECK(cv_base64_decode("TWE=", 4, out, sizeof out) == 2 && memcmp(out, "Ma", 2) == 0);
	CHECK(cv_base64_decode("TQ==", 4, out, sizeof out) == 1 && out[0] == 'M');
	CHECK(cv_base64_decode(" T W\r\nF u\n", 10, out, sizeof out) == 3 && memcmp(out, "Man", 3) == 0);
	CHECK(cv_base64_decode("", 0, out, sizeof out) == 0);
	CHECK(cv_base64_decode("TWE", 3, out, sizeof out) == (size_t)-1);      /* unpadded */
	CHECK(cv_base64_decode("T===", 4, out, sizeof out) == (size_t)-1);
	CHECK(cv_base64_decode("TWF=", 4, out, sizeof out) == (size_t)-1);     /* non-zero unused bits */
	CHECK(cv_base64_decode("TQ==TQ==", 8, out, sizeof out) == (size_t)-1); /* data after padding */
	CHECK(cv_base64_decode("TW=u", 4, out, sizeof out) == (size_t)-1);
	CHECK(cv_base64_decode("TW*u", 4, out, sizeof out) == (size_t)-1);
	CHECK(cv_base64_decode("TWFuTWFu", 8, out, 5) == (size_t)-1);          /* does not fit */

	size_t len, n;
	char *text = (char *)check_read_file("vectors/intel-synthetic/pckSignChain.pem", &len);
	static uint8_t der[4096];
	cv_bytes ders[4];
	cv_diag d;
	CHECK(text != NULL);
	CHECK_CODE(cv_pem_decode_certs(text, len, der, sizeof der, ders, 4, &n, &d), CV_OK);
	CHECK(n == 2);
	CHECK_CODE(cv_pem_decode_certs(text, len, der, sizeof der, ders, 1, &n, &d), CV_CERT_CHAIN_INVALID);
	CHECK_CODE(cv_pem_decode_certs(text, len, der, 600, ders, 4, &n, &d), CV_CERT_CHAIN_INVALID);
	CHECK_CODE(cv_pem_decode_certs(text, len - 30, der, sizeof der, ders, 4, &n, &d), CV_CERT_CHAIN_INVALID);
	CHECK(strstr(d.msg, "END") != NULL);
	CHECK_CODE(cv_pem_decode_certs("no certificates here", 20, der, sizeof der, ders, 4, &n, &d), CV_OK);
	CHECK(n == 0);
	static const char bad[] = "-----BEGIN CERTIFICATE-----\nMII!\n-----END CERTIFICATE-----\n";
	CHECK_CODE(cv_pem_decode_certs(bad, sizeof bad - 1, der, sizeof der, ders, 4, &n, &d), CV_CERT_CHAIN_INVALID);
	free(text);
}

int main(void)
{
	cJSON *cases = load_json("vectors/cases.json");
	CHECK(cases != NULL);
	test_pinned_root();
	test_pck_leaves();
	test_real_chains(cases);
	test_windows(cases);
	test_forgeries(cases);
	test_other_roots();
	test_revocation();
	test_real_revoked_lists();
	test_truncation_and_garbage();
	test_extension_rules();
	test_crl_without_next_update();
	test_flips();
	test_pem_base64();
	cJSON_Delete(cases);
	return check_report("x509");
}
