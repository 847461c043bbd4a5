/*
 * Apps of several CVMs (src/phala_app.h): the Phala Cloud attestations
 * response (a reconstruction in the documented shape, tests/vectors/README.md)
 * split into instances, the app verdict, the chain members, and the KMS
 * binding, which the reconstruction's KMS stand-in must fail. Run from tests/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "check.h"
#include "verify.h"

static cJSON *load_json(const char *path)
{
	size_t n;
	char *t = (char *)check_read_file(path, &n);
	cJSON *j = t ? cJSON_ParseWithLength(t, n) : NULL;
	free(t);
	return j;
}

static cJSON *run(cJSON *req)
{
	char *s = cJSON_PrintUnformatted(req), *out = NULL;
	size_t n = 0;
	cv_run_json(s, strlen(s), &out, &n);
	cJSON *rep = out ? cJSON_Parse(out) : NULL;
	free(out);
	free(s);
	return rep;
}

static const char *gs(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const cJSON *gi(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *check_status(const cJSON *report, const char *id)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, gi(report, "checks")) {
		if (strcmp(gs(c, "id"), id) == 0)
			return gs(c, "status");
	}
	return "";
}

static cJSON *request(cJSON *evidence, int with_collateral)
{
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", "verify");
	cJSON_AddNumberToObject(req, "now", 1788000000);
	cJSON_AddItemToObject(req, "evidence", evidence);
	if (with_collateral)
		cJSON_AddItemToObject(req, "collateral", load_json("vectors/dstack/near-mpc_collateral.json"));
	return req;
}

static void test_reconstruction(void)
{
	cJSON *app = load_json("vectors/phala/app_attestations_reconstructed.json");
	CHECK(app != NULL);
	cJSON *req = request(cJSON_Duplicate(app, 1), 1);
	cJSON *rep = run(req);
	CHECK(rep != NULL);
	CHECK_STR(gs(rep, "schema"), "cvm-verify/app-report/v1");
	/* Instance 1 (near/mpc) passes; instance 2 has no collateral for its FMSPC here; 3 is stopped. */
	const cJSON *inst = gi(rep, "instances");
	CHECK(cJSON_GetArraySize(inst) == 2);
	/* warn, not pass: near/mpc's OS image is unverified (no manifest, docs/os-image.md). */
	CHECK_STR(gs(cJSON_GetArrayItem(inst, 0), "verdict"), "warn");
	CHECK_STR(check_status(gi(cJSON_GetArrayItem(inst, 0), "report"), "os.image"), "warn");
	CHECK_STR(check_status(gi(cJSON_GetArrayItem(inst, 0), "report"), "eventlog.replay"), "pass");
	CHECK_STR(check_status(gi(cJSON_GetArrayItem(inst, 0), "report"), "freshness.nonce"), "skip");
	CHECK_STR(check_status(gi(cJSON_GetArrayItem(inst, 1), "report"), "hardware.signature"), "fail");
	CHECK(cJSON_GetArraySize(gi(rep, "stopped")) == 1);
	CHECK_STR(gs(cJSON_GetArrayItem(gi(rep, "stopped"), 0), "code"), "INSTANCE_NOT_RUNNING");
	CHECK_STR(gs(gi(rep, "freshness"), "status"), "skip");
	/* The chain members handed to governance, from kms_info. */
	CHECK(cJSON_GetNumberValue(gi(gi(rep, "chain"), "chain_id")) == 8453);
	CHECK_STR(gs(gi(rep, "chain"), "kms_contract"), "0x2f83172A49584C017F2B256F0FB2Dca14126Ba9C");
	CHECK_STR(gs(gi(rep, "chain"), "app_contract"), gs(app, "contract_address"));
	/* The KMS stand-in verifies as a CVM but is not the app's KMS: the binding fails, so does the app. */
	CHECK_STR(gs(gi(rep, "kms"), "verdict"), "warn"); /* its OS image is unverified too */
	CHECK_STR(gs(gi(gi(rep, "kms"), "binding"), "status"), "fail");
	CHECK_STR(gs(gi(gi(rep, "kms"), "binding"), "code"), "KMS_NOT_BOUND");
	CHECK_STR(gs(rep, "verdict"), "fail");
	CHECK(strstr(gs(rep, "summary"), "recorded quotes") != NULL);
	cJSON_Delete(rep);
	cJSON_Delete(req);

	/* Only instance 1, no KMS: the app verdict is that instance's (pass, freshness skipped and said). */
	cJSON *one = cJSON_Duplicate(app, 1);
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(one, "instances");
	cJSON_DeleteItemFromArray(arr, 2);
	cJSON_DeleteItemFromArray(arr, 1);
	cJSON_ReplaceItemInObjectCaseSensitive(one, "kms_guest_agent_info", cJSON_CreateNull());
	req = request(one, 1);
	rep = run(req);
	CHECK_STR(gs(rep, "verdict"), "warn"); /* the instance's: OS image unverified */
	CHECK(cJSON_IsNull(gi(rep, "kms")));
	cJSON_Delete(rep);
	cJSON_Delete(req);

	/* A gateway is verified too, but informational: instance 1 alone with a gateway (the stand-in) still passes. */
	one = cJSON_Duplicate(app, 1);
	arr = cJSON_GetObjectItemCaseSensitive(one, "instances");
	cJSON_DeleteItemFromArray(arr, 2);
	cJSON_DeleteItemFromArray(arr, 1);
	cJSON_ReplaceItemInObjectCaseSensitive(one, "gateway_guest_agent_info",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(one, "kms_guest_agent_info"), 1));
	cJSON_ReplaceItemInObjectCaseSensitive(one, "kms_guest_agent_info", cJSON_CreateNull());
	cJSON *gwq = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(one, "gateway_guest_agent_info"), "app_certificates"), 0), "quote");
	cJSON_SetValuestring(gwq, "04"); /* a broken gateway quote: its report fails */
	req = request(one, 1);
	rep = run(req);
	CHECK(cJSON_IsTrue(gi(gi(rep, "gateway"), "informational")));
	CHECK_STR(gs(gi(rep, "gateway"), "verdict"), "fail");
	CHECK_STR(gs(rep, "verdict"), "warn"); /* the instance's, not the gateway's */
	cJSON_Delete(rep);
	cJSON_Delete(req);

	/* Without collateral: the core asks for it, one entry per FMSPC. */
	req = request(cJSON_Duplicate(app, 1), 0);
	rep = run(req);
	CHECK(cJSON_GetArraySize(gi(gi(rep, "needs"), "collateral")) == 2);
	cJSON_Delete(rep);
	cJSON_Delete(req);

	/* collaterals: each quote takes the one for its FMSPC; the other platform is still asked for. */
	req = request(cJSON_Duplicate(app, 1), 0);
	cJSON *cols = cJSON_CreateArray();
	cJSON_AddItemToArray(cols, load_json("vectors/dstack/near-mpc_collateral.json"));
	cJSON_AddItemToObject(req, "collaterals", cols);
	rep = run(req);
	CHECK_STR(gs(gi(gi(cJSON_GetArrayItem(gi(rep, "instances"), 0), "report"), "tcb"), "status"), "UpToDate");
	CHECK(cJSON_GetArraySize(gi(gi(rep, "needs"), "collateral")) == 1);
	CHECK_STR(gs(cJSON_GetArrayItem(gi(gi(rep, "needs"), "collateral"), 0), "fmspc"), "90C06F000000");
	cJSON_Delete(rep);
	cJSON_Delete(req);

	/* All stopped: fail. */
	cJSON *none = cJSON_Duplicate(app, 1);
	arr = cJSON_GetObjectItemCaseSensitive(none, "instances");
	cJSON_DeleteItemFromArray(arr, 1);
	cJSON_DeleteItemFromArray(arr, 0);
	req = request(none, 1);
	rep = run(req);
	CHECK_STR(gs(rep, "verdict"), "fail");
	CHECK(cJSON_GetArraySize(gi(rep, "instances")) == 0);
	cJSON_Delete(rep);
	cJSON_Delete(req);
	/* Malformed: an instance that is not an object; too many instances. Codes, no report. */
	cJSON *bad = cJSON_Duplicate(app, 1);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(bad, "instances"), cJSON_CreateString("x"));
	req = request(bad, 1);
	rep = run(req);
	CHECK_STR(gs(gi(rep, "error"), "code"), "EVIDENCE_MALFORMED");
	cJSON_Delete(rep);
	cJSON_Delete(req);
	bad = cJSON_Duplicate(app, 1);
	arr = cJSON_GetObjectItemCaseSensitive(bad, "instances");
	for (int i = 0; i < 40; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateObject());
	req = request(bad, 0);
	rep = run(req);
	CHECK_STR(gs(gi(rep, "error"), "code"), "INPUT_TOO_LARGE");
	cJSON_Delete(rep);
	cJSON_Delete(req);
	cJSON_Delete(app);
}

/* KMS evidence given separately, with a ca_pubkey equal to the app's key-provider id (the dstack-lite
 * capture, key provider kms): the id matches, but the stand-in KMS quote (the V0 fixture, report_data
 * zero) does not name that key, so the binding still fails. */
static void test_kms_evidence(void)
{
	cJSON *lite = load_json("vectors/dstack/dstack-lite_getquote.json");
	size_t n;
	unsigned char *v0 = check_read_file("vectors/dstack/dstack-guest-agent_attestation_v0.bin", &n);
	CHECK(lite && v0);
	char *hex = malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", v0[i]);
	cJSON *req = request(cJSON_Duplicate(lite, 1), 1);
	cJSON *kms = cJSON_CreateObject();
	cJSON_AddStringToObject(kms, "attestation", hex);
	cJSON_AddItemToObject(req, "kms_evidence", kms);
	cJSON *rep = run(req);
	CHECK_STR(gs(rep, "schema"), "cvm-verify/app-report/v1");
	CHECK_STR(gs(gi(rep, "kms"), "source"), "kms_evidence");
	CHECK_STR(gs(gi(gi(rep, "kms"), "binding"), "code"), "KMS_NOT_BOUND");
	CHECK(strstr(gs(gi(gi(rep, "kms"), "binding"), "message"), "ca_pubkey") != NULL);
	CHECK_STR(gs(rep, "verdict"), "fail");
	cJSON_Delete(rep);
	cJSON_Delete(req);
	free(hex);
	free(v0);
	cJSON_Delete(lite);
}

int main(void)
{
	test_reconstruction();
	test_kms_evidence();
	return check_report("test_phala_app");
}
