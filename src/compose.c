/*
 * The dstack facts over a normalised evidence: event-log replay, compose
 * hash (and mr_config_id), the images listing (judged by policy.c). The
 * report's "event_log" and "app" sections are written by report.c.
 */
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "crypto.h"
#include "json.h"
#include "policy.h"
#include "util.h"

/* ---- app-compose.json ---- */

static int tri_bool(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

static const char *str_member(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A script member that is present and not empty (string, or a non-empty
 * list for next's init_script). */
static int has_script(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsString(v))
		return v->valuestring && v->valuestring[0];
	if (cJSON_IsArray(v))
		return v->child != NULL;
	return 0;
}

cv_err cv_app_compose_parse(const char *text, size_t len, cv_app_compose *c, cv_diag *d)
{
	memset(c, 0, sizeof *c);
	cJSON *j = cv_json_parse_exact(text, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return cv_fail(d, CV_COMPOSE_MALFORMED, "The app-compose text is not a JSON object.");
	}
	c->json = j;
	c->name = str_member(j, "name");
	c->runner = str_member(j, "runner");
	c->key_provider = str_member(j, "key_provider");
	c->key_provider_id = str_member(j, "key_provider_id");
	c->docker_compose_file = str_member(j, "docker_compose_file");
	c->kms_enabled = tri_bool(j, "kms_enabled");
	c->gateway_enabled = tri_bool(j, "gateway_enabled");
	if (c->gateway_enabled < 0)
		c->gateway_enabled = tri_bool(j, "tproxy_enabled"); /* legacy name */
	c->local_key_provider_enabled = tri_bool(j, "local_key_provider_enabled");
	c->public_logs = tri_bool(j, "public_logs");
	c->public_sysinfo = tri_bool(j, "public_sysinfo");
	c->public_tcbinfo = tri_bool(j, "public_tcbinfo");
	c->no_instance_id = tri_bool(j, "no_instance_id");
	c->secure_time = tri_bool(j, "secure_time");
	const cJSON *envs = cJSON_GetObjectItemCaseSensitive(j, "allowed_envs");
	c->allowed_envs = cJSON_IsArray(envs) ? envs : NULL;
	c->pre_launch_script = has_script(j, "pre_launch_script");
	c->init_script = has_script(j, "init_script");
	c->bash_script = has_script(j, "bash_script");
	return CV_OK;
}

void cv_app_compose_free(cv_app_compose *c)
{
	if (!c)
		return;
	cJSON_Delete(c->json);
	memset(c, 0, sizeof *c);
}

/* ---- eventlog.replay ---- */

static const char *const rtmr_names[4] = { "RTMR0", "RTMR1", "RTMR2", "RTMR3" };

static size_t count_imr3(const cv_eventlog *log)
{
	size_t n = 0;
	for (size_t i = 0; i < log->n; i++)
		n += log->ev[i].imr == 3;
	return n;
}

static void check_replay(const cv_evidence *e, const uint8_t *const quoted_rtmr[4], cv_dstack_result *r)
{
	cv_check *c = &r->eventlog_replay;
	if (!e->has_log) {
		cv_check_set(c, CV_SKIP, CV_EVENT_LOG_MISSING,
			"The evidence carries no event log, so RTMR0..3 cannot be replayed.");
		return;
	}
	if (e->log_diag.code != CV_OK) {
		cv_check_set(c, CV_FAIL, e->log_diag.code, "%s: %s", e->log_source, e->log_diag.msg);
		return;
	}
	cv_diag d;
	cv_diag_clear(&d);
	if (cv_eventlog_replay(&e->log, &r->rp, &d) != CV_OK) {
		cv_check_set(c, CV_FAIL, d.code, "%s", d.msg);
		return;
	}
	r->replayed = 1;
	cv_app_identity_find(&e->log, &r->id);

	/* What to compare with: the quote, else tcb_info's claimed values. */
	if (quoted_rtmr && quoted_rtmr[0] && quoted_rtmr[1] && quoted_rtmr[2] && quoted_rtmr[3]) {
		r->basis = CV_RTMR_BASIS_QUOTE;
		for (int i = 0; i < 4; i++)
			memcpy(r->quoted[i], quoted_rtmr[i], CV_MEASUREMENT_LEN);
	} else if (e->rtmr[0].present && e->rtmr[1].present && e->rtmr[2].present && e->rtmr[3].present) {
		r->basis = CV_RTMR_BASIS_CLAIMS;
		for (int i = 0; i < 4; i++)
			memcpy(r->quoted[i], e->rtmr[i].b, CV_MEASUREMENT_LEN);
	} else {
		r->basis = CV_RTMR_BASIS_NONE;
	}

	if (r->basis == CV_RTMR_BASIS_NONE && !r->rp.n_inconsistent) {
		cv_check_set(c, CV_SKIP, CV_QUOTE_MISSING,
			"The event log was replayed, but there is no quote and no claimed RTMR values to compare it with.");
		return;
	}

	/* An inconsistent log fails even when the replay matches: a supplied
	 * digest (or V2 preimage) says something other than the payload. */
	char incons[CV_DIAG_MSG_MAX];
	incons[0] = '\0';
	if (r->rp.n_inconsistent) {
		size_t i = r->rp.first_inconsistent;
		const cv_event *ev = &e->log.ev[i];
		const cv_event_result *er = &r->rp.ev[i];
		cv_format(incons, sizeof incons,
			"event %U '%s' carries a %s that is not the one its name and payload give (%U inconsistent event(s))",
			(uint64_t)i, ev->name, er->supplied == CV_SUPPLIED_DIFFERS ? "digest" : "V2 preimage",
			(uint64_t)r->rp.n_inconsistent);
	}

	char bad[64];
	size_t bl = 0;
	int nbad = 0, first_bad = -1;
	bad[0] = '\0';
	/* A stripped log (dstack's RA-TLS form: RTMR3 and the three ACPI DATA
	 * events, attestation.h) cannot reproduce RTMR0..2: only RTMR3 is
	 * compared; RTMR0..2 are the OS-image check's (docs/checks.md). */
	r->rtmr3_only = e->log_stripped;
	for (int k = r->rtmr3_only ? 3 : 0; r->basis != CV_RTMR_BASIS_NONE && k < 4; k++) {
		r->match[k] = memcmp(r->rp.rtmr[k], r->quoted[k], CV_MEASUREMENT_LEN) == 0;
		if (!r->match[k]) {
			bl += cv_format(bad + bl, sizeof bad - bl, "%s%s", nbad ? ", " : "", rtmr_names[k]);
			if (first_bad < 0)
				first_bad = k;
			nbad++;
		}
	}
	const char *what = r->basis == CV_RTMR_BASIS_QUOTE ? "the quote's" : "tcb_info's claimed";
	if (nbad == 1 && !incons[0]) {
		cv_check_set(c, CV_FAIL, CV_RTMR_MISMATCH,
			"Replaying %s gives %s %H, but %s value is %H.", e->log_source, rtmr_names[first_bad],
			r->rp.rtmr[first_bad], (size_t)CV_MEASUREMENT_LEN, what, r->quoted[first_bad], (size_t)CV_MEASUREMENT_LEN);
	} else if (nbad) {
		cv_check_set(c, CV_FAIL, CV_RTMR_MISMATCH,
			"Replaying %s does not reproduce %s %s%s%s.", e->log_source, what, bad,
			incons[0] ? "; also " : "", incons);
	} else if (incons[0]) {
		cv_check_set(c, CV_FAIL, CV_EVENT_LOG_MALFORMED, "The event log is inconsistent: %s.", incons);
	} else if (r->rtmr3_only) {
		cv_check_set(c, CV_WARN, CV_EVENT_LOG_STRIPPED,
			"%s is stripped (RTMR3 and %U ACPI table events): replaying it gives %s RTMR3; RTMR0..2 are not in this log and are left to the OS-image check.",
			e->log_source, (uint64_t)(e->log.n - (size_t)count_imr3(&e->log)), what);
	} else if (r->basis == CV_RTMR_BASIS_QUOTE) {
		cv_check_set(c, CV_PASS, CV_OK,
			"Replaying the %U events of %s (runtime digests recomputed) gives the quote's RTMR0..3.",
			(uint64_t)e->log.n, e->log_source);
	} else {
		cv_check_set(c, CV_WARN, CV_QUOTE_MISSING,
			"Replaying the %U events of %s gives the RTMR0..3 claimed in tcb_info, but there is no quote, so these are unsigned claims.",
			(uint64_t)e->log.n, e->log_source);
	}
}

/* ---- app.compose_hash ---- */

/* key-provider name -> mr_config_id V2 kind byte; -1 when unknown. */
static int kp_kind(const char *name)
{
	if (strcmp(name, "none") == 0)
		return 0;
	if (strcmp(name, "local-sgx") == 0 || strcmp(name, "local") == 0)
		return 1;
	if (strcmp(name, "kms") == 0)
		return 2;
	if (strcmp(name, "tpm") == 0)
		return 3;
	return -1;
}

/*
 * mr_config_id (docs/checks.md app.compose_hash). Returns 1 when it binds `hash`
 * (*how describes it), 0 on a mismatch (fails the check), -1 when it cannot
 * be evaluated (*how says why), 2 when it is all zero (unused).
 */
static int check_mr_config(const cv_dstack_result *r, const uint8_t *mr, const uint8_t hash[32],
	uint8_t expect[CV_MEASUREMENT_LEN], const char **how)
{
	if (cv_is_zero(mr, CV_MEASUREMENT_LEN))
		return 2;
	memset(expect, 0, CV_MEASUREMENT_LEN);
	if (mr[0] == 0x01) {
		expect[0] = 0x01;
		memcpy(expect + 1, hash, 32);
		*how = "mr_config_id (V1)";
		return memcmp(expect, mr, CV_MEASUREMENT_LEN) == 0;
	}
	if (mr[0] == 0x02) {
		/* keccak256(compose_hash || app_id || kind || key_provider_id). */
		const cv_app_identity *id = &r->id;
		uint8_t buf[32 + 20 + 1 + 256];
		if (!r->replayed || !id->app_id || id->app_id->payload_len != 20) {
			*how = "mr_config_id is V2 but the log has no 20-byte app-id event to compute it from";
			return -1;
		}
		int kind = 0;
		size_t idlen = 0;
		if (id->key_provider) {
			kind = id->kp_parsed ? kp_kind(id->kp_name) : -1;
			if (kind < 0) {
				*how = "mr_config_id is V2 but the key-provider event is not a known {name, id}";
				return -1;
			}
			size_t hl = strlen(id->kp_id);
			idlen = hl ? cv_hex_decode(id->kp_id, hl, buf + 53, sizeof buf - 53) : 0;
			if (idlen == (size_t)-1) {
				*how = "mr_config_id is V2 but the key-provider id is not hex of at most 256 bytes";
				return -1;
			}
		}
		memcpy(buf, hash, 32);
		memcpy(buf + 32, id->app_id->payload, 20);
		buf[52] = (uint8_t)kind;
		expect[0] = 0x02;
		cv_keccak256(buf, 53 + idlen, expect + 1);
		*how = "mr_config_id (V2)";
		return memcmp(expect, mr, CV_MEASUREMENT_LEN) == 0;
	}
	if (mr[0] == 0x03) {
		*how = "mr_config_id is V3 (a JSON document, not supplied), so it was not checked";
		return -1;
	}
	*how = "mr_config_id has an unknown version byte";
	return 0;
}

static void check_compose_hash(const cv_evidence *e, const uint8_t *mr_config_id, cv_dstack_result *r)
{
	cv_check *c = &r->app_compose_hash;
	if (!e->has_app_compose) {
		cv_check_set(c, CV_SKIP, CV_COMPOSE_MISSING,
			"The evidence has no app_compose text (Info's tcb_info carries it), so the compose hash cannot be checked.");
		return;
	}
	if (e->compose_diag.code != CV_OK) {
		cv_check_set(c, CV_FAIL, e->compose_diag.code, "%s", e->compose_diag.msg);
		return;
	}
	cv_sha256(e->app_compose, e->app_compose_len, r->compose_sha256);
	r->has_compose_sha256 = 1;
	const uint8_t *h = r->compose_sha256;

	const cv_event *ev = r->replayed ? r->id.compose_hash : NULL;
	int ev_ok = 0;
	if (ev) {
		if (ev->payload_len != 32 || memcmp(ev->payload, h, 32) != 0) {
			cv_check_set(c, CV_FAIL, CV_COMPOSE_HASH_MISMATCH,
				"sha256 of %s is %H, but the compose-hash event holds %H.", e->app_compose_source,
				h, (size_t)32, ev->payload, ev->payload_len);
			return;
		}
		ev_ok = 1;
	}

	int mr_res = 2;
	const char *how = "";
	uint8_t expect[CV_MEASUREMENT_LEN];
	if (mr_config_id) {
		mr_res = check_mr_config(r, mr_config_id, h, expect, &how);
		if (mr_res == 0) {
			if (expect[0] == 0x01)
				cv_check_set(c, CV_FAIL, CV_COMPOSE_HASH_MISMATCH,
					"The quote's mr_config_id (V1) binds compose hash %H, but sha256 of %s is %H.",
					mr_config_id + 1, (size_t)32, e->app_compose_source, h, (size_t)32);
			else if (expect[0] == 0x02)
				cv_check_set(c, CV_FAIL, CV_COMPOSE_HASH_MISMATCH,
					"The quote's mr_config_id (V2) holds %H, but compose hash %H with the log's app-id and key provider gives %H.",
					mr_config_id + 1, (size_t)32, h, (size_t)32, expect + 1, (size_t)32);
			else
				cv_check_set(c, CV_FAIL, CV_COMPOSE_HASH_MISMATCH,
					"The quote's mr_config_id %H has an unknown version byte 0x%H.",
					mr_config_id, (size_t)CV_MEASUREMENT_LEN, mr_config_id, (size_t)1);
			return;
		}
	}

	if (!ev_ok && mr_res != 1) {
		const char *why = !e->has_log ? "the evidence has no event log"
			: !r->replayed ? "the event log could not be read"
			: "the event log has no compose-hash event before system-ready";
		if (mr_res == -1)
			cv_check_set(c, CV_SKIP, CV_COMPOSE_MISSING,
				"Nothing binds the app_compose (sha256 %H): %s, and %s.", h, (size_t)32, why, how);
		else
			cv_check_set(c, CV_SKIP, CV_COMPOSE_MISSING,
				"Nothing binds the app_compose (sha256 %H): %s and mr_config_id is %s.", h, (size_t)32,
				why, mr_config_id ? "zero" : "not available");
		return;
	}
	if (mr_res == -1) {
		/* The event binds it; the second binding could not be evaluated. */
		cv_check_set(c, CV_WARN, CV_COMPOSE_HASH_MISMATCH,
			"sha256 of %s equals the compose-hash event (%H), but %s.", e->app_compose_source,
			h, (size_t)32, how);
		return;
	}
	if (ev_ok && mr_res == 1)
		cv_check_set(c, CV_PASS, CV_OK,
			"sha256 of %s equals the compose-hash event and %s: %H.", e->app_compose_source, how,
			h, (size_t)32);
	else if (ev_ok)
		cv_check_set(c, CV_PASS, CV_OK,
			"sha256 of %s equals the compose-hash event: %H (mr_config_id %s).", e->app_compose_source,
			h, (size_t)32, mr_config_id ? "is zero, not used" : "not available");
	else
		cv_check_set(c, CV_PASS, CV_OK,
			"sha256 of %s is bound by the quote's %s: %H (no compose-hash event to compare).",
			e->app_compose_source, how, h, (size_t)32);
}

/* ---- app.images_pinned ---- */

/* The facts app.images_pinned is judged on: the service images, or why
 * they cannot be listed. The judgement is cv_policy_images (policy.c). */
static void list_images(const cv_evidence *e, cv_dstack_result *r)
{
	cv_diag *d = &r->images_diag;
	cv_diag_clear(d);
	r->images_state = CV_IMAGES_UNLISTED;
	if (!e->has_app_compose) {
		r->images_state = CV_IMAGES_NO_COMPOSE;
		cv_fail(d, CV_COMPOSE_MISSING, "The evidence has no app_compose text, so the images cannot be listed.");
		return;
	}
	if (e->compose_diag.code != CV_OK) {
		*d = e->compose_diag;
		return;
	}
	if (cv_app_compose_parse(e->app_compose, e->app_compose_len, &r->ac, d) != CV_OK)
		return;
	r->compose_parsed = 1;
	const char *runner = r->ac.runner ? r->ac.runner : "docker-compose";
	if (strcmp(runner, "bash") == 0) {
		cv_fail(d, CV_IMAGE_NOT_PINNED,
			"The app uses the bash runner; images its script pulls are not analysed, so none is known to be pinned.");
		return;
	}
	if (strcmp(runner, "docker-compose") != 0 && strcmp(runner, "nerdctl-compose") != 0) {
		cv_fail(d, CV_COMPOSE_MALFORMED, "The app-compose runner '%s' is not known, so its images cannot be listed.",
			runner);
		return;
	}
	if (!r->ac.docker_compose_file) {
		cv_fail(d, CV_COMPOSE_MALFORMED, "The app-compose has runner '%s' but no docker_compose_file string.", runner);
		return;
	}
	if (cv_compose_images(r->ac.docker_compose_file, strlen(r->ac.docker_compose_file), &r->images, d) != CV_OK)
		return;
	r->has_images = 1;
	r->images_state = CV_IMAGES_LISTED;
}

/* ---- entry point ---- */

cv_err cv_dstack_check(const cv_evidence *e, const uint8_t *const quoted_rtmr[4],
	const uint8_t *mr_config_id, int require_pinned, cv_dstack_result *r)
{
	memset(r, 0, sizeof *r);
	r->eventlog_replay.enforced = 1;
	r->app_compose_hash.enforced = 1;
	r->app_images_pinned.enforced = 1;
	check_replay(e, quoted_rtmr, r);
	check_compose_hash(e, mr_config_id, r);
	list_images(e, r);
	r->app_images_pinned = cv_policy_images(r, require_pinned);
	if (r->eventlog_replay.code == CV_OUT_OF_MEMORY || r->app_compose_hash.code == CV_OUT_OF_MEMORY ||
		r->app_images_pinned.code == CV_OUT_OF_MEMORY)
		return CV_OUT_OF_MEMORY;
	return CV_OK;
}

void cv_dstack_result_free(cv_dstack_result *r)
{
	if (!r)
		return;
	cv_replay_free(&r->rp);
	cv_app_compose_free(&r->ac);
	cv_image_list_free(&r->images);
	memset(r, 0, sizeof *r);
}

