/*
 * governance.onchain: plan the eth_calls, then decide from the endpoints'
 * answers (governance.h; docs/governance.md).
 *
 * Trust: an RPC endpoint is trusted for what the chain says, so every
 * configured endpoint is asked for the same block and all must agree byte
 * for byte. A fault of the chain side (unreachable, malformed, another
 * chain, disagreement, no code) is never a pass. "Allowed now" is not
 * "allowed at boot": the sentence and the section name the block asked.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "governance.h"
#include "util.h"

const char *cv_gov_purpose_name(cv_gov_purpose p)
{
	static const char *const names[CV_GOV_PURPOSE_COUNT] = {
		[CV_GOV_APP_OWNER] = "app.owner",
		[CV_GOV_APP_COMPOSE] = "app.allowedComposeHashes",
		[CV_GOV_APP_ANY_DEVICE] = "app.allowAnyDevice",
		[CV_GOV_APP_DEVICE] = "app.allowedDeviceIds",
		[CV_GOV_APP_TCB] = "app.requireTcbUpToDate",
		[CV_GOV_KMS_OWNER] = "kms.owner",
		[CV_GOV_KMS_REGISTERED] = "kms.registeredApps",
		[CV_GOV_KMS_OS_IMAGE] = "kms.allowedOsImages",
		[CV_GOV_KMS_INFO] = "kms.kmsInfo",
	};
	return (unsigned)p < CV_GOV_PURPOSE_COUNT ? names[p] : "unknown";
}

static void add_call(cv_gov_plan *p, cv_gov_purpose purpose, const uint8_t to[20], uint32_t sel, const uint8_t *arg)
{
	cv_gov_call *c = &p->calls[p->n++];
	c->purpose = purpose;
	memcpy(c->to, to, 20);
	cv_abi_encode_call(sel, arg, &c->data);
}

/* A plan that does not run: skip (auto, off) or, in require mode, fail. */
static void not_run(cv_gov_plan *p, const cv_gov_input *in, cv_err code, const char *why)
{
	p->run = 0;
	if (in->mode == CV_GOV_REQUIRE) {
		cv_check_set(&p->check, CV_FAIL, code, "On-chain governance is required but %s.", why);
		p->check.enforced = 1;
	} else {
		cv_check_set(&p->check, CV_SKIP, code, "On-chain governance was not checked: %s.", why);
		p->check.enforced = 0;
	}
}

void cv_gov_plan_make(const cv_gov_input *in, cv_gov_plan *p)
{
	memset(p, 0, sizeof *p);
	if (in->mode == CV_GOV_OFF) {
		p->run = 0;
		cv_check_set(&p->check, CV_SKIP, CV_OK, "On-chain governance was not checked: policy.governance is off.");
		return;
	}
	if (!in->key_provider_is_kms) {
		not_run(p, in, CV_CHAIN_INFO_MISSING,
			"the replayed event log names no KMS key provider, so no on-chain KMS governs this app");
		return;
	}
	if (!in->has_chain_id || !in->has_kms_contract) {
		not_run(p, in, CV_CHAIN_INFO_MISSING,
			"the chain id and the KMS contract address are not known (give options.chain or --chain-id and --kms-contract)");
		return;
	}
	if (!in->has_app_id && !in->has_app_contract) {
		not_run(p, in, CV_CHAIN_INFO_MISSING, "the replayed event log gives no app id and no app contract was given");
		return;
	}
	if (!in->has_compose_hash) {
		not_run(p, in, CV_CHAIN_INFO_MISSING,
			"the replayed event log gives no compose hash to look up in allowedComposeHashes");
		return;
	}
	if (!in->has_os_image_hash) {
		not_run(p, in, CV_CHAIN_INFO_MISSING, "no OS image hash is known to look up in allowedOsImages");
		return;
	}
	p->run = 1;
	p->chain_id = in->chain_id;
	memcpy(p->kms_contract, in->kms_contract, 20);
	if (in->has_app_contract) {
		memcpy(p->app_contract, in->app_contract, 20);
	} else {
		/* Since mid-2025 the app id is the DstackApp proxy address. */
		memcpy(p->app_contract, in->app_id, 20);
		p->app_contract_from_app_id = 1;
	}
	const uint8_t *app = p->app_contract, *kms = p->kms_contract;
	/* registeredApps is keyed by the app id; the replayed one when known. */
	const uint8_t *app_key = in->has_app_id ? in->app_id : app;
	uint8_t word[CV_ABI_WORD];

	add_call(p, CV_GOV_APP_OWNER, app, CV_SEL_OWNER, NULL);
	add_call(p, CV_GOV_APP_COMPOSE, app, CV_SEL_ALLOWED_COMPOSE_HASHES, in->compose_hash);
	add_call(p, CV_GOV_APP_ANY_DEVICE, app, CV_SEL_ALLOW_ANY_DEVICE, NULL);
	if (in->has_ppid) {
		cv_sha256(in->ppid, sizeof in->ppid, p->device_id);
		add_call(p, CV_GOV_APP_DEVICE, app, CV_SEL_ALLOWED_DEVICE_IDS, p->device_id);
	}
	add_call(p, CV_GOV_APP_TCB, app, CV_SEL_REQUIRE_TCB_UP_TO_DATE, NULL);
	add_call(p, CV_GOV_KMS_OWNER, kms, CV_SEL_OWNER, NULL);
	cv_abi_address_word(app_key, word);
	add_call(p, CV_GOV_KMS_REGISTERED, kms, CV_SEL_REGISTERED_APPS, word);
	add_call(p, CV_GOV_KMS_OS_IMAGE, kms, CV_SEL_ALLOWED_OS_IMAGES, in->os_image_hash);
	add_call(p, CV_GOV_KMS_INFO, kms, CV_SEL_KMS_INFO, NULL);
	cv_check_set(&p->check, CV_SKIP, CV_CHAIN_INFO_MISSING,
		"On-chain governance needs the chain's answers to %u calls.", (unsigned)p->n);
}

static void write_call(cv_jw *w, const cv_gov_call *c)
{
	char hex[2 + 2 * CV_ABI_CALLDATA_MAX + 1];
	jw_kstr(w, "purpose", cv_gov_purpose_name(c->purpose));
	cv_abi_hex0x(c->to, 20, hex);
	jw_kstr(w, "to", hex);
	cv_abi_hex0x(c->data.b, c->data.len, hex);
	jw_kstr(w, "data", hex);
}

void cv_gov_plan_write(cv_jw *w, const cv_gov_plan *p)
{
	jw_obj_begin(w);
	jw_kbool(w, "run", p->run);
	if (p->run) {
		jw_kint(w, "chain_id", (int64_t)p->chain_id);
		jw_key(w, "calls");
		jw_arr_begin(w);
		for (size_t i = 0; i < p->n; i++) {
			jw_obj_begin(w);
			write_call(w, &p->calls[i]);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
}

void cv_gov_answers_free(cv_gov_answers *a)
{
	if (!a)
		return;
	for (size_t e = 0; e < a->n && e < CV_GOV_MAX_ENDPOINTS; e++)
		for (size_t i = 0; i < CV_GOV_MAX_CALLS; i++) {
			free(a->ep[e].ans[i].data);
			a->ep[e].ans[i].data = NULL;
		}
	a->n = 0;
}

/* ---- step 2 ---- */

static const char *kind_name(cv_gov_ans_kind k)
{
	return k == CV_GOV_ANS_RESULT ? "result" : k == CV_GOV_ANS_REVERT ? "revert" : "error";
}

/* Endpoint faults. A transport fault (unreachable, RPC error) in auto mode
 * warns: the chain said nothing, so nothing was judged; in require mode it
 * fails and the verification could not be judged. */
static int check_endpoints(const cv_gov_input *in, const cv_gov_plan *p, const cv_gov_answers *a,
	cv_gov_result *r)
{
	cv_check *c = &r->check;
	cv_status transport = in->mode == CV_GOV_REQUIRE ? CV_FAIL : CV_WARN;
	if (!a || a->n == 0) {
		if (in->mode == CV_GOV_REQUIRE) {
			cv_check_set(c, CV_FAIL, CV_CHAIN_UNAVAILABLE,
				"On-chain governance is required but no RPC endpoint answered (none configured for chain %U).",
				p->chain_id);
			r->could_not_judge = 1;
		} else {
			cv_check_set(c, CV_SKIP, CV_CHAIN_INFO_MISSING,
				"On-chain governance was not checked: no RPC endpoint answers for chain %U were supplied.",
				p->chain_id);
			c->enforced = 0;
		}
		return -1;
	}
	for (size_t e = 0; e < a->n; e++) {
		const cv_gov_endpoint *ep = &a->ep[e];
		if (ep->has_chain_id && ep->chain_id != p->chain_id) {
			cv_check_set(c, CV_FAIL, CV_CHAIN_ID_MISMATCH,
				"The RPC endpoint %s serves chain %U, not chain %U where the governance contracts live.", ep->url,
				ep->chain_id, p->chain_id);
			return -1;
		}
	}
	for (size_t e = 0; e < a->n; e++) {
		const cv_gov_endpoint *ep = &a->ep[e];
		const char *why = ep->failed ? ep->error : NULL;
		if (!why && (!ep->has_chain_id || !ep->has_block || ep->n != p->n))
			why = "its answer lacks the chain id, the block number or some call results";
		for (size_t i = 0; !why && i < ep->n; i++)
			if (ep->ans[i].kind == CV_GOV_ANS_ERROR)
				why = ep->ans[i].error[0] ? ep->ans[i].error : "an eth_call failed";
		if (why) {
			cv_check_set(c, transport, CV_CHAIN_UNAVAILABLE,
				"The RPC endpoint %s gave no usable answer (%s), so the on-chain governance could not be cross-checked.",
				ep->url, why);
			r->could_not_judge = in->mode == CV_GOV_REQUIRE;
			return -1;
		}
	}
	for (size_t e = 1; e < a->n; e++) {
		const cv_gov_endpoint *x = &a->ep[0], *y = &a->ep[e];
		if (x->block != y->block) {
			cv_check_set(c, CV_FAIL, CV_CHAIN_DISAGREEMENT,
				"The RPC endpoints %s and %s answered for different blocks (%U and %U).", x->url, y->url, x->block,
				y->block);
			return -1;
		}
		for (size_t i = 0; i < p->n; i++) {
			const cv_gov_answer *u = &x->ans[i], *v = &y->ans[i];
			if (u->kind != v->kind || !cv_bytes_eq(u->data, u->len, v->data, v->len)) {
				cv_check_set(c, CV_FAIL, CV_CHAIN_DISAGREEMENT,
					"The RPC endpoints %s and %s disagree on %s at block %U (%s %u bytes vs %s %u bytes): one of them is wrong.",
					x->url, y->url, cv_gov_purpose_name(p->calls[i].purpose), x->block, kind_name(u->kind),
					(unsigned)u->len, kind_name(v->kind), (unsigned)v->len);
				return -1;
			}
		}
	}
	r->agreed = 1;
	r->block = a->ep[0].block;
	return 0;
}

static const char *tcb_text(const cv_gov_input *in)
{
	return in->tcb_status ? in->tcb_status : "not verified";
}

/* Decode one agreed answer and judge its rule into cr->rule. */
static void judge_call(const cv_gov_input *in, const cv_gov_plan *p, size_t i, const cv_gov_answer *ans,
	cv_gov_result *r)
{
	const cv_gov_call *call = &p->calls[i];
	cv_gov_call_result *cr = &r->calls[i];
	const char *name = cv_gov_purpose_name(call->purpose);
	cv_check *k = &cr->rule;
	cv_diag d;
	cv_diag_clear(&d);
	cr->kind = ans->kind;
	k->enforced = 1;

	if (ans->kind == CV_GOV_ANS_REVERT) {
		if (call->purpose == CV_GOV_APP_TCB) {
			/* Contracts before 2026-02 have no such function: no TCB rule. */
			cr->decided = 1;
			cr->value = 0;
			cv_check_set(k, CV_PASS, CV_OK,
				"The app contract has no requireTcbUpToDate (an older DstackApp): it sets no TCB rule.");
		} else if (call->purpose == CV_GOV_APP_OWNER || call->purpose == CV_GOV_KMS_OWNER) {
			cv_check_set(k, CV_PASS, CV_OK, "owner() reverted: the owner is not known.");
		} else {
			cv_check_set(k, CV_FAIL, CV_CONTRACT_MISSING,
				"The contract at the %s address reverted %s: it is not a dstack governance contract of the expected kind.",
				call->purpose >= CV_GOV_KMS_OWNER ? "KMS" : "app", name);
		}
		return;
	}
	cv_err e = CV_OK;
	switch (call->purpose) {
	case CV_GOV_APP_OWNER:
	case CV_GOV_KMS_OWNER:
		e = cv_abi_decode_address(ans->data, ans->len, name, cr->addr, &d);
		if (!e) {
			int app = call->purpose == CV_GOV_APP_OWNER;
			memcpy(app ? r->app_owner : r->kms_owner, cr->addr, 20);
			*(app ? &r->has_app_owner : &r->has_kms_owner) = 1;
			cv_check_set(k, CV_PASS, CV_OK, "The owner can change the allow-lists and, unless upgrades were disabled, the contract's code.");
		}
		break;
	case CV_GOV_KMS_INFO:
		e = cv_abi_decode_bytes_field(ans->data, ans->len, 4, 1, name, &r->kms_ca_pubkey, &d);
		if (!e) {
			if (cv_bytes_eq(r->kms_ca_pubkey.ptr, r->kms_ca_pubkey.len, in->key_provider_id, in->key_provider_id_len))
				cv_check_set(k, CV_PASS, CV_OK, "The key-provider id equals kmsInfo().caPubkey: the app's keys come from this KMS.");
			else
				cv_check_set(k, CV_FAIL, CV_KMS_MISMATCH,
					"The key-provider id of the event log is not kmsInfo().caPubkey of KMS contract: the app's keys come from another KMS.");
		}
		break;
	default:
		e = cv_abi_decode_bool(ans->data, ans->len, name, &cr->value, &d);
		break;
	}
	if (e) {
		cv_check_from_diag(k, CV_FAIL, &d);
		return;
	}
	cr->decided = 1;
	int v = cr->value;
	switch (call->purpose) {
	case CV_GOV_APP_COMPOSE:
		if (v)
			cv_check_set(k, CV_PASS, CV_OK, "The compose hash is allowed.");
		else
			cv_check_set(k, CV_FAIL, CV_COMPOSE_NOT_ALLOWED_ONCHAIN,
				"The app contract does not allow compose hash %H: this code is not what the app's governance approved.",
				in->compose_hash, (size_t)32);
		break;
	case CV_GOV_APP_ANY_DEVICE:
		cv_check_set(k, CV_PASS, CV_OK, v ? "The app allows any device." : "The app allows only listed devices.");
		break;
	case CV_GOV_APP_DEVICE:
		if (v)
			cv_check_set(k, CV_PASS, CV_OK, "The device id sha256(PPID) is allowed.");
		else
			cv_check_set(k, CV_FAIL, CV_DEVICE_NOT_ALLOWED_ONCHAIN, "The device id sha256(PPID) = %H is not allowed.",
				p->device_id, (size_t)32);
		break;
	case CV_GOV_APP_TCB:
		if (!v)
			cv_check_set(k, CV_PASS, CV_OK, "The app does not require an UpToDate TCB.");
		else if (in->tcb_status && strcmp(in->tcb_status, "UpToDate") == 0)
			cv_check_set(k, CV_PASS, CV_OK, "The app requires an UpToDate TCB and the verified TCB is UpToDate.");
		else
			cv_check_set(k, CV_FAIL, CV_TCB_NOT_ALLOWED_ONCHAIN,
				"The app contract requires an UpToDate TCB but the verified TCB status is %s.", tcb_text(in));
		break;
	case CV_GOV_KMS_REGISTERED:
		if (v)
			cv_check_set(k, CV_PASS, CV_OK, "The app is registered with the KMS.");
		else
			cv_check_set(k, CV_FAIL, CV_APP_NOT_REGISTERED, "The KMS contract has no registered app %H.",
				in->has_app_id ? in->app_id : p->app_contract, (size_t)20);
		break;
	case CV_GOV_KMS_OS_IMAGE:
		if (v)
			cv_check_set(k, CV_PASS, CV_OK, in->os_image_bound ? "The OS image is allowed."
				: "The OS image hash is allowed, but it is the unverified claim of the event log, not a hash the OS check bound.");
		else
			cv_check_set(k, CV_FAIL, CV_OS_IMAGE_NOT_ALLOWED_ONCHAIN,
				"The KMS contract does not allow OS image %H (%s).", in->os_image_hash, (size_t)32,
				in->os_image_bound ? "the hash the OS check bound" : "the unverified claim of the event log");
		break;
	default:
		break;
	}
}

void cv_gov_decide(const cv_gov_input *in, const cv_gov_plan *p, const cv_gov_answers *a, cv_gov_result *r)
{
	memset(r, 0, sizeof *r);
	r->check.enforced = 1;
	if (!p->run) {
		r->check = p->check;
		r->could_not_judge = in->mode == CV_GOV_REQUIRE && p->check.code == CV_CHAIN_INFO_MISSING &&
			in->key_provider_is_kms;
		return;
	}
	if (check_endpoints(in, p, a, r))
		return;

	const cv_gov_endpoint *ep = &a->ep[0];
	for (size_t i = 0; i < p->n; i++)
		judge_call(in, p, i, &ep->ans[i], r);

	/* Device: allowed by allowAnyDevice, else by the device id. */
	int any_device = 0, have_device_call = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->calls[i].purpose == CV_GOV_APP_ANY_DEVICE && r->calls[i].decided)
			any_device = r->calls[i].value;
		if (p->calls[i].purpose == CV_GOV_APP_DEVICE)
			have_device_call = 1;
	}
	for (size_t i = 0; i < p->n && any_device; i++)
		if (p->calls[i].purpose == CV_GOV_APP_DEVICE && r->calls[i].rule.status == CV_FAIL &&
			r->calls[i].rule.code == CV_DEVICE_NOT_ALLOWED_ONCHAIN)
			cv_check_set(&r->calls[i].rule, CV_PASS, CV_OK,
				"The device id is not listed, but the app allows any device.");

	cv_check *c = &r->check;
	/* The first failure, in this order: the contract asked is the app's,
	 * then each call's rule in plan order. */
	if (in->has_app_id && in->has_app_contract && memcmp(in->app_id, in->app_contract, 20) != 0) {
		cv_check_set(c, CV_FAIL, CV_APP_CONTRACT_MISMATCH,
			"The app contract %H is not the app id %H replayed from the event log: its governance says nothing about this app.",
			in->app_contract, (size_t)20, in->app_id, (size_t)20);
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (r->calls[i].rule.status == CV_FAIL) {
			cv_check_set(c, CV_FAIL, r->calls[i].rule.code, "At block %U of chain %U: %s", r->block, p->chain_id,
				r->calls[i].rule.msg);
			return;
		}
	}
	if (!any_device && !have_device_call) {
		cv_check_set(c, CV_FAIL, CV_DEVICE_NOT_ALLOWED_ONCHAIN,
			"The app contract allows only listed devices, and this platform's device id is unknown (no verified PCK certificate).");
		return;
	}
	cv_check_set(c, CV_PASS, CV_OK,
		"At block %U of chain %U (%u endpoint%s agreeing) the app's contract allows this compose hash, device and TCB, and the KMS serves the app, allows its OS image%s and holds its keys.",
		r->block, p->chain_id, (unsigned)a->n, a->n == 1 ? "" : "s", in->os_image_bound ? "" : " (the unverified claim)");
}

/* ---- the report section ---- */

static void write_addr(cv_jw *w, const char *key, const uint8_t a[20])
{
	char hex[43];
	cv_abi_hex0x(a, 20, hex);
	jw_kstr(w, key, hex);
}

/*
 * Open the object of one governing contract (key "app" or "kms"): its owner
 * (null when not read) and whether it can be upgraded, left to the caller to
 * add members and close. DstackApp and DstackKms are UUPS proxies whose
 * "upgrades disabled" flag is private: no call tells it.
 */
static void begin_contract(cv_jw *w, const char *key, int has_owner, const uint8_t owner[20])
{
	jw_key(w, key);
	jw_obj_begin(w);
	if (has_owner) {
		write_addr(w, "owner", owner);
	} else {
		jw_key(w, "owner");
		jw_null(w);
	}
	jw_key(w, "upgradeable");
	jw_null(w);
	jw_kstr(w, "upgradeable_note",
		"not readable by a call: a UUPS proxy; the owner may upgrade it unless disableUpgrades() was called");
}

void cv_gov_write(cv_jw *w, const cv_gov_input *in, const cv_gov_plan *p, const cv_gov_answers *a,
	const cv_gov_result *r)
{
	static const char *const modes[] = { "auto", "off", "require" };
	jw_obj_begin(w);
	jw_kstr(w, "mode", modes[in->mode <= CV_GOV_REQUIRE ? in->mode : 0]);
	jw_kbool(w, "ran", p->run);
	if (!p->run) {
		jw_obj_end(w);
		return;
	}
	jw_kint(w, "chain_id", (int64_t)p->chain_id);
	jw_key(w, "block_number");
	if (r->agreed)
		jw_int(w, (int64_t)r->block);
	else
		jw_null(w);
	write_addr(w, "app_contract", p->app_contract);
	jw_kstr(w, "app_contract_source", p->app_contract_from_app_id ? "app_id" : "caller");
	write_addr(w, "kms_contract", p->kms_contract);
	if (in->has_ppid)
		jw_khex(w, "device_id", p->device_id, 32);
	jw_khex(w, "os_image_hash", in->os_image_hash, 32);
	jw_kbool(w, "os_image_hash_bound", in->os_image_bound);

	jw_key(w, "endpoints");
	jw_arr_begin(w);
	for (size_t e = 0; a && e < a->n; e++) {
		const cv_gov_endpoint *ep = &a->ep[e];
		jw_obj_begin(w);
		jw_kstr(w, "url", ep->url);
		jw_key(w, "chain_id");
		ep->has_chain_id ? jw_int(w, (int64_t)ep->chain_id) : jw_null(w);
		jw_key(w, "block_number");
		ep->has_block ? jw_int(w, (int64_t)ep->block) : jw_null(w);
		jw_key(w, "error");
		ep->failed ? jw_str(w, ep->error) : jw_null(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	/* Who can change the allow-lists. */
	begin_contract(w, "app", r->has_app_owner, r->app_owner);
	jw_obj_end(w);
	begin_contract(w, "kms", r->has_kms_owner, r->kms_owner);
	if (r->kms_ca_pubkey.ptr)
		jw_khex(w, "ca_pubkey", r->kms_ca_pubkey.ptr, r->kms_ca_pubkey.len);
	jw_obj_end(w);

	jw_key(w, "calls");
	jw_arr_begin(w);
	for (size_t i = 0; i < p->n; i++) {
		const cv_gov_call_result *cr = &r->calls[i];
		jw_obj_begin(w);
		write_call(w, &p->calls[i]);
		if (r->agreed && a) {
			const cv_gov_answer *ans = &a->ep[0].ans[i];
			jw_kstr(w, "answer", kind_name(ans->kind));
			/* kmsInfo carries a quote and a log: the section keeps the
			 * decoded caPubkey, not the whole answer. */
			if (p->calls[i].purpose != CV_GOV_KMS_INFO && ans->len <= 4 * CV_ABI_WORD) {
				char hex[2 + 8 * CV_ABI_WORD + 1];
				cv_abi_hex0x(ans->data, ans->len, hex);
				jw_kstr(w, "result", hex);
			}
			jw_key(w, "value");
			if (cr->decided && p->calls[i].purpose != CV_GOV_KMS_INFO && p->calls[i].purpose != CV_GOV_APP_OWNER &&
				p->calls[i].purpose != CV_GOV_KMS_OWNER)
				jw_bool(w, cr->value);
			else
				jw_null(w);
			jw_kstr(w, "status", cv_status_name(cr->rule.status));
			jw_kstr(w, "code", cv_err_name(cr->rule.code));
			jw_kstr(w, "message", cr->rule.msg);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}
