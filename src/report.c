/*
 * The report writer (report.h; docs/checks.md): every byte of the
 * report JSON is written here, from the checks' plain results (check_result.h)
 * and the facts of the pipeline (check_table.h). No other module writes
 * report JSON or decides the verdict.
 *
 * Adding a check: see check_table.h (a row and a function); the writer
 * lists every row, so nothing changes here.
 *
 * Adding a report section (e.g. "os", "governance", "provenance",
 * "vm_config"):
 *   1. put the facts it shows in cv_facts (check_table.h), filled by the
 *      stage of verify.c that gathers them (keep borrowed buffers alive
 *      until cv_report_write returns: verify.c frees after writing);
 *   2. write one function here, static void write_x(cv_jw *w, const
 *      cv_facts *f), that writes the key and its value (null when the
 *      facts are absent: a section is always present in the report);
 *   3. call it from cv_report_write at its place in the report,
 *      and document the section in docs/checks.md and docs/core-api.md.
 */
#include <string.h>

#include "governance.h"
#include "os_facts.h"
#include "os_report.h"
#include "report.h"
#include "util.h"

#define CV_SCHEMA "cvm-verify/report/v1"

/* ---- verdict ---- */

const char *cv_report_verdict(const cv_check checks[CK_COUNT])
{
	int failed = 0, warned = 0;
	for (int i = 0; i < CK_COUNT; i++) {
		const cv_check *c = &checks[i];
		if (c->status == CV_UNDECIDED || (c->status == CV_FAIL && c->enforced))
			failed = 1;
		if (c->status == CV_WARN || (c->status == CV_FAIL && !c->enforced))
			warned = 1;
	}
	if (failed || checks[CK_HARDWARE_SIGNATURE].status != CV_PASS)
		return "fail";
	return warned ? "warn" : "pass";
}

/* ---- sections: quote, platform, tcb, collateral (DCAP facts) ---- */


static void kopt_time(cv_jw *w, const char *k, int64_t t)
{
	if (t == CV_TIME_UNKNOWN) {
		jw_key(w, k);
		jw_null(w);
	} else {
		jw_ktime(w, k, t);
	}
}

static void write_advisories(cv_jw *w, const char *k, const cv_advisory_list *a, int known)
{
	jw_key(w, k);
	if (!known) {
		jw_null(w);
		return;
	}
	jw_arr_begin(w);
	for (size_t i = 0; i < a->n; i++)
		jw_str(w, a->id[i]);
	jw_arr_end(w);
}

static void write_quote(cv_jw *w, const cv_dcap_result *r)
{
	const cv_quote *q = &r->quote;
	jw_key(w, "quote");
	if (!r->has_quote) {
		jw_null(w);
		return;
	}
	jw_obj_begin(w);
	jw_kint(w, "version", q->version);
	jw_kstr(w, "tee", cv_quote_tee_name(q));
	jw_kint(w, "body_type", q->body_type);
	if (cv_quote_is_tdx(q)) {
		const cv_td_report *t = &q->td;
		jw_khex(w, "mr_td", t->mr_td, CV_MEASUREMENT_LEN);
		for (int i = 0; i < 4; i++) {
			char k[8];
			cv_format(k, sizeof k, "rtmr%d", i);
			jw_khex(w, k, t->rtmr[i], CV_MEASUREMENT_LEN);
		}
		jw_khex(w, "report_data", t->report_data, 64);
		jw_khex(w, "mr_config_id", t->mr_config_id, CV_MEASUREMENT_LEN);
		jw_khex(w, "mr_owner", t->mr_owner, CV_MEASUREMENT_LEN);
		jw_khex(w, "mr_owner_config", t->mr_owner_config, CV_MEASUREMENT_LEN);
		jw_khex(w, "mr_seam", t->mr_seam, CV_MEASUREMENT_LEN);
		jw_khex(w, "mr_signer_seam", t->mr_signer_seam, CV_MEASUREMENT_LEN);
		jw_khex(w, "seam_attributes", t->seam_attributes, 8);
		jw_khex(w, "td_attributes", t->td_attributes, 8);
		jw_khex(w, "xfam", t->xfam, 8);
		jw_khex(w, "tee_tcb_svn", t->tee_tcb_svn, 16);
		if (t->tee_tcb_svn2) {
			jw_khex(w, "tee_tcb_svn2", t->tee_tcb_svn2, 16);
			jw_khex(w, "mr_servicetd", t->mr_servicetd, CV_MEASUREMENT_LEN);
		}
		jw_kbool(w, "debug", t->td_attributes[0] & 1);
	} else {
		const cv_enclave_report *e = &q->sgx;
		jw_khex(w, "mr_enclave", e->mr_enclave, 32);
		jw_khex(w, "mr_signer", e->mr_signer, 32);
		jw_kint(w, "isv_prod_id", e->isv_prod_id);
		jw_kint(w, "isv_svn", e->isv_svn);
		jw_khex(w, "attributes", e->attributes, 16);
		jw_khex(w, "misc_select", e->misc_select_raw, 4);
		jw_khex(w, "cpu_svn", e->cpu_svn, 16);
		jw_khex(w, "report_data", e->report_data, 64);
		jw_kbool(w, "debug", (e->attributes[0] & 0x02) != 0);
	}
	jw_obj_end(w);
}

void cv_report_write_dcap_sections(cv_jw *w, const cv_dcap_result *r, const char *collateral_source)
{
	write_quote(w, r);

	jw_key(w, "platform");
	if (!r->has_platform) {
		jw_null(w);
	} else {
		jw_obj_begin(w);
		jw_kstr(w, "fmspc", r->fmspc_hex);
		jw_khex(w, "pce_id", r->pce_id, 2);
		jw_kstr(w, "pck_ca", r->pck_ca);
		jw_khex(w, "ppid", r->ppid, 16);
		jw_khex(w, "tcb_components", r->pck_comp, 16);
		jw_kint(w, "pce_svn", r->pck_pcesvn);
		jw_obj_end(w);
	}

	jw_key(w, "tcb");
	if (!r->platform_status && r->eval_data_number < 0) {
		jw_null(w);
	} else {
		jw_obj_begin(w);
		jw_kstr(w, "status", r->merged_status);
		write_advisories(w, "advisory_ids", &r->advisory_ids, r->platform_status != NULL);
		jw_kstr(w, "platform_status", r->platform_status);
		jw_kstr(w, "qe_status", r->qe_status);
		jw_kstr(w, "module_status", r->module_status);
		kopt_time(w, "tcb_date", r->tcb_date);
		jw_key(w, "evaluation_data_number");
		if (r->eval_data_number < 0)
			jw_null(w);
		else
			jw_int(w, r->eval_data_number);
		write_advisories(w, "module_advisory_ids", &r->module_advisory_ids, r->module_status != NULL);
		write_advisories(w, "qe_advisory_ids", &r->qe_advisory_ids, r->qe_status != NULL);
		jw_obj_end(w);
	}

	jw_key(w, "collateral");
	jw_obj_begin(w);
	kopt_time(w, "tcb_info_issue_date", r->tcb_info_issue_date);
	kopt_time(w, "tcb_info_next_update", r->tcb_info_next_update);
	kopt_time(w, "qe_identity_issue_date", r->qe_identity_issue_date);
	kopt_time(w, "qe_identity_next_update", r->qe_identity_next_update);
	kopt_time(w, "pck_crl_next_update", r->pck_crl_next_update);
	kopt_time(w, "root_crl_next_update", r->root_crl_next_update);
	kopt_time(w, "expires_at", r->expires_at);
	jw_kstr(w, "source", collateral_source);
	jw_obj_end(w);
}

/* ---- sections: event_log, app (dstack facts) ---- */


static void jw_kclaim(cv_jw *w, const char *k, const cv_claim *c)
{
	jw_key(w, k);
	if (c->present)
		jw_hex(w, c->b, c->len);
	else
		jw_null(w);
}

/* An event payload as hex, or null when there is no such event. */
static void jw_kpayload(cv_jw *w, const char *k, const cv_event *e)
{
	jw_key(w, k);
	if (e)
		jw_hex(w, e->payload, e->payload_len);
	else
		jw_null(w);
}

static int printable(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] < 0x20 || b[i] > 0x7e)
			return 0;
	return 1;
}

static void jw_ktri(cv_jw *w, const char *k, int v)
{
	jw_key(w, k);
	if (v < 0)
		jw_null(w);
	else
		jw_bool(w, v);
}

static void write_event_log(cv_jw *w, const cv_dstack_result *r, const cv_evidence *e)
{
	jw_key(w, "event_log");
	if (!e || !e->has_log) {
		jw_null(w);
		return;
	}
	jw_obj_begin(w);
	jw_kstr(w, "source", e->log_source);
	jw_kstr(w, "compared_with", r->basis == CV_RTMR_BASIS_QUOTE ? "quote"
		: r->basis == CV_RTMR_BASIS_CLAIMS ? "tcb_info" : NULL);
	if (!r->replayed)
		jw_kstr(w, "error", e->log_diag.code != CV_OK ? e->log_diag.msg : r->eventlog_replay.msg);
	if (r->rtmr3_only)
		jw_kbool(w, "stripped", 1); /* RTMR3 + ACPI events: match is null for RTMR0..2 */
	jw_key(w, "rtmr");
	jw_arr_begin(w);
	for (int i = 0; r->replayed && i < 4; i++) {
		jw_obj_begin(w);
		jw_kint(w, "index", i);
		jw_key(w, "quoted");
		if (r->basis != CV_RTMR_BASIS_NONE)
			jw_hex(w, r->quoted[i], CV_MEASUREMENT_LEN);
		else
			jw_null(w);
		jw_khex(w, "replayed", r->rp.rtmr[i], CV_MEASUREMENT_LEN);
		jw_key(w, "match");
		if (r->basis != CV_RTMR_BASIS_NONE && !(r->rtmr3_only && i < 3)) /* stripped log: not compared */
			jw_bool(w, r->match[i]);
		else
			jw_null(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "events");
	jw_arr_begin(w);
	for (size_t i = 0; r->replayed && i < e->log.n; i++) {
		const cv_event *ev = &e->log.ev[i];
		const cv_event_result *er = &r->rp.ev[i];
		jw_obj_begin(w);
		jw_kint(w, "imr", ev->imr);
		jw_kint(w, "type", ev->type);
		jw_key(w, "name");
		jw_strn(w, ev->name, ev->name_len);
		jw_khex(w, "payload", ev->payload, ev->payload_len);
		jw_key(w, "digest");
		if (er->extended)
			jw_hex(w, er->digest, 48);
		else
			jw_hex(w, ev->digest, ev->digest_len);
		/* true/false: a supplied runtime digest was compared with the
		 * recomputed one; null: nothing to compare (boot event, or "" in a
		 * stripped log). */
		jw_key(w, "digest_supplied_matches");
		if (er->supplied == CV_SUPPLIED_MATCH || er->supplied == CV_SUPPLIED_DIFFERS)
			jw_bool(w, er->supplied == CV_SUPPLIED_MATCH);
		else
			jw_null(w);
		if (er->supplied == CV_SUPPLIED_DIFFERS)
			jw_khex(w, "digest_supplied", ev->digest, ev->digest_len);
		if (ev->version == 2) {
			jw_kint(w, "version", 2);
			if (er->preimage_differs)
				jw_kbool(w, "preimage_matches", 0);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void write_app(cv_jw *w, const cv_dstack_result *r, const cv_evidence *e)
{
	const cv_app_identity *id = &r->id;
	jw_key(w, "app");
	if (!e || (!r->replayed && !e->has_app_compose && !e->app_id.present && !e->compose_hash.present)) {
		jw_null(w);
		return;
	}
	const int rp = r->replayed;
	jw_obj_begin(w);
	/* Identity from the replayed log (first occurrence before system-ready). */
	jw_kpayload(w, "app_id", rp ? id->app_id : NULL);
	jw_kpayload(w, "instance_id", rp ? id->instance_id : NULL);
	jw_kpayload(w, "compose_hash", rp ? id->compose_hash : NULL);
	jw_key(w, "key_provider");
	if (rp && id->kp_parsed) {
		jw_obj_begin(w);
		jw_kstr(w, "name", id->kp_name);
		jw_kstr(w, "id", id->kp_id);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	if (rp && id->key_provider && !id->kp_parsed)
		jw_khex(w, "key_provider_payload", id->key_provider->payload, id->key_provider->payload_len);
	jw_kpayload(w, "os_image_hash", rp ? id->os_image_hash : NULL);
	jw_kpayload(w, "mr_kms", rp ? id->mr_kms : NULL);
	jw_key(w, "storage_fs");
	if (rp && id->storage_fs)
		jw_strn(w, (const char *)id->storage_fs->payload, id->storage_fs->payload_len);
	else
		jw_null(w);
	if (rp && id->rootfs_hash)
		jw_khex(w, "rootfs_hash", id->rootfs_hash->payload, id->rootfs_hash->payload_len);
	jw_key(w, "compose_sha256");
	if (r->has_compose_sha256)
		jw_hex(w, r->compose_sha256, 32);
	else
		jw_null(w);

	/* app-compose content. */
	const cv_app_compose *ac = r->compose_parsed ? &r->ac : NULL;
	/* The app-compose text exactly as the core read (and hashed) it, so a page or CLI shows this text and
	 * never re-picks one from the evidence itself (docs/checks.md, app.compose_hash). */
	jw_key(w, "compose_text");
	if (e->has_app_compose && e->app_compose)
		jw_strn(w, e->app_compose, e->app_compose_len);
	else
		jw_null(w);
	jw_kstr(w, "docker_compose_file", ac ? ac->docker_compose_file : NULL);
	jw_kstr(w, "name", ac ? ac->name : NULL);
	jw_kstr(w, "runner", ac ? ac->runner : NULL);
	if (ac) {
		jw_ktri(w, "kms_enabled", ac->kms_enabled);
		jw_ktri(w, "gateway_enabled", ac->gateway_enabled);
		jw_ktri(w, "local_key_provider_enabled", ac->local_key_provider_enabled);
		jw_kstr(w, "key_provider_kind", ac->key_provider);
		jw_kstr(w, "key_provider_id", ac->key_provider_id);
		jw_ktri(w, "public_logs", ac->public_logs);
		jw_ktri(w, "public_sysinfo", ac->public_sysinfo);
		jw_ktri(w, "public_tcbinfo", ac->public_tcbinfo);
		jw_ktri(w, "no_instance_id", ac->no_instance_id);
		jw_ktri(w, "secure_time", ac->secure_time);
		jw_key(w, "allowed_envs");
		if (ac->allowed_envs) {
			jw_arr_begin(w);
			for (const cJSON *v = ac->allowed_envs->child; v; v = v->next)
				if (cJSON_IsString(v))
					jw_str(w, v->valuestring);
			jw_arr_end(w);
		} else {
			jw_null(w);
		}
		jw_kbool(w, "pre_launch_script", ac->pre_launch_script);
		jw_kbool(w, "init_script", ac->init_script);
		jw_kbool(w, "bash_script", ac->bash_script);
	}
	jw_key(w, "images");
	if (r->has_images) {
		jw_arr_begin(w);
		for (size_t i = 0; i < r->images.n; i++) {
			const cv_image *im = &r->images.v[i];
			jw_obj_begin(w);
			jw_kstr(w, "service", im->service);
			jw_kstr(w, "image", im->image);
			jw_kbool(w, "pinned", im->pinned);
			if (!im->pinned)
				jw_kstr(w, "reason", im->why);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	} else {
		jw_null(w);
	}

	/* Runtime events after system-ready: app-controlled, never identity. */
	jw_key(w, "application_events");
	jw_arr_begin(w);
	for (size_t i = 0; rp && i < e->log.n; i++) {
		if (!cv_app_identity_is_app_event(id, &e->log, i))
			continue;
		const cv_event *ev = &e->log.ev[i];
		jw_obj_begin(w);
		jw_kint(w, "index", (int64_t)i);
		jw_key(w, "name");
		jw_strn(w, ev->name, ev->name_len);
		jw_khex(w, "payload", ev->payload, ev->payload_len);
		if (ev->payload_len && printable(ev->payload, ev->payload_len)) {
			jw_key(w, "payload_text");
			jw_strn(w, (const char *)ev->payload, ev->payload_len);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);

	/* What the server claims (Info / tcb_info): unverified. */
	jw_key(w, "claims");
	jw_obj_begin(w);
	jw_kclaim(w, "app_id", &e->app_id);
	jw_kclaim(w, "instance_id", &e->instance_id);
	jw_kclaim(w, "compose_hash", &e->compose_hash);
	jw_kclaim(w, "os_image_hash", &e->os_image_hash);
	jw_kclaim(w, "device_id", &e->device_id);
	jw_kclaim(w, "mr_aggregated", &e->mr_aggregated);
	jw_key(w, "key_provider");
	if (e->has_key_provider_info) {
		jw_obj_begin(w);
		jw_kstr(w, "name", e->kp_name);
		jw_kstr(w, "id", e->kp_id);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_kstr(w, "app_name", e->app_name);
	jw_obj_end(w);

	jw_obj_end(w);
}

void cv_report_write_dstack_sections(cv_jw *w, const cv_dstack_result *r, const cv_evidence *e)
{
	write_event_log(w, r, e);
	write_app(w, r, e);
}

/* ---- sections: os, vm_config (issue 14; docs/os-image.md) ---- */

static void write_os(cv_jw *w, const cv_facts *f)
{
	const cv_os_facts *o = f->os;
	jw_key(w, "os");
	if (o)
		cv_os_write_json(w, &o->r);
	else
		jw_null(w);
	jw_key(w, "vm_config");
	if (o)
		cv_vm_config_write_json(w, o->vm_ok ? &o->vm : NULL, &o->r);
	else
		jw_null(w);
}

/* needs.os_catalog (js/needs.js): the image hash whose manifest the shim's
 * catalog may hold, asked when no manifest was at hand. */
static int needs_os_catalog(const cv_facts *f)
{
	return f->os && f->os->need_catalog;
}

/* ---- the report ---- */

static void write_checks(cv_jw *w, const cv_report *r)
{
	jw_key(w, "checks");
	jw_arr_begin(w);
	for (int i = 0; i < CK_COUNT; i++) {
		cv_check c = r->checks[i];
		if (c.status == CV_UNDECIDED) {
			/* Fail closed: never shown as anything a reader could trust. */
			cv_check_set(&c, CV_FAIL, CV_INTERNAL,
				"This check was not decided (an internal error), so it fails.");
			c.enforced = 1;
		}
		char msg[CV_DIAG_MSG_MAX + 16];
		cv_format(msg, sizeof msg, "%s%s", r->test_root ? "[TEST ROOT] " : "", c.msg);
		jw_obj_begin(w);
		jw_kstr(w, "id", cv_check_name((cv_check_id)i));
		jw_kstr(w, "status", cv_status_name(c.status));
		jw_kstr(w, "code", cv_err_name(c.code));
		jw_kstr(w, "message", msg);
		jw_kbool(w, "enforced", c.enforced);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void write_evidence(cv_jw *w, const cv_facts *f)
{
	const cv_evidence *ev = f->ev;
	jw_key(w, "evidence");
	jw_obj_begin(w);
	jw_kstr(w, "source_url", ev->source_url);
	jw_kstr(w, "fetched_at", ev->fetched_at);
	if (f->nonce.set) {
		jw_khex(w, "nonce", f->nonce.v, f->nonce.len);
		jw_kstr(w, "nonce_source", f->nonce_source);
	}
	jw_kstr(w, "quote_source", ev->quote ? ev->quote_source : NULL);
	jw_kstr(w, "event_log_source", ev->has_log ? ev->log_source : NULL);
	jw_kstr(w, "app_compose_source", ev->has_app_compose ? ev->app_compose_source : NULL);
	if (ev->container[0]) /* dstack attestation / RA-TLS certificate (evidence.h) */
		jw_kstr(w, "container", ev->container);
	jw_obj_end(w);
}

/* ---- section: provenance (issue 20; provenance.h, docs/provenance.md) ---- */

static void kfact(cv_jw *w, const char *k, const cv_prov_entry *e, const char *v)
{
	jw_kstr(w, k, e->has_facts && v[0] ? v : NULL);
}

static void write_provenance(cv_jw *w, const cv_facts *f)
{
	const cv_provenance *p = f->prov;
	jw_key(w, "provenance");
	if (!p || p->state != CV_PROV_LISTED) {
		jw_null(w);
		return;
	}
	jw_arr_begin(w);
	for (size_t i = 0; i < p->n; i++) {
		const cv_prov_entry *e = &p->v[i];
		jw_obj_begin(w);
		jw_kstr(w, "image", e->image);
		jw_kstr(w, "digest", e->digest);
		/* As cv_policy_provenance judges it: unchecked images are skipped. */
		jw_kstr(w, "status", e->code == CV_OK ? "pass" : f->pol->expect_source ? "fail" : p->answered ? "warn" : "skip");
		jw_kstr(w, "code", cv_err_name(e->code));
		jw_kstr(w, "message", e->msg);
		kfact(w, "repository", e, e->repository);
		kfact(w, "commit", e, e->commit);
		kfact(w, "ref", e, e->ref);
		kfact(w, "workflow", e, e->workflow);
		kfact(w, "runner_environment", e, e->runner_environment);
		kfact(w, "issuer", e, e->issuer);
		jw_key(w, "log_index");
		if (e->has_facts)
			jw_int(w, e->log_index);
		else
			jw_null(w);
		jw_key(w, "integrated_time");
		if (e->has_facts)
			jw_int(w, e->integrated_time);
		else
			jw_null(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* needs.provenance (js/needs.js): the pinned images, asked for once, when
 * the request carried no "provenance" answer. */
static int needs_provenance(const cv_facts *f)
{
	const cv_provenance *p = f->prov;
	return p && p->state == CV_PROV_LISTED && p->n > 0 && !p->answered;
}

static void write_needs_provenance(cv_jw *w, const cv_facts *f)
{
	const cv_provenance *p = f->prov;
	jw_key(w, "provenance");
	jw_arr_begin(w);
	for (size_t i = 0; i < p->n; i++) {
		jw_obj_begin(w);
		jw_kstr(w, "image", p->v[i].image);
		jw_kstr(w, "digest", p->v[i].digest);
		if (p->v[i].repository_hint[0])
			jw_kstr(w, "repository", p->v[i].repository_hint);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* ---- section: governance (docs/governance.md) ---- */

static void write_governance(cv_jw *w, const cv_facts *f)
{
	const cv_gov_state *g = f->gov;
	jw_key(w, "governance");
	if (!g) {
		jw_null(w);
		return;
	}
	cv_gov_write(w, &g->in, &g->plan, g->has_answers ? &g->answers : NULL, &g->result);
}

/* ---- needs: what the core could judge only with more from the network
 * (js/needs.js fetches it and runs the core again). Absent when nothing is
 * needed. Each kind adds its member here. ---- */

static int gov_needs_calls(const cv_facts *f)
{
	return f->gov && f->gov->plan.run && !f->gov->has_answers;
}

static void write_needs(cv_jw *w, const cv_facts *f)
{
	if (!gov_needs_calls(f) && !needs_provenance(f) && !needs_os_catalog(f))
		return;
	jw_key(w, "needs");
	jw_obj_begin(w);
	if (needs_os_catalog(f)) {
		jw_key(w, "os_catalog");
		jw_obj_begin(w);
		jw_khex(w, "os_image_hash", f->os->r.claimed_image_hash, 32);
		jw_obj_end(w);
	}
	if (gov_needs_calls(f)) {
		jw_key(w, "chain_calls");
		cv_gov_plan_write(w, &f->gov->plan);
	}
	if (needs_provenance(f))
		write_needs_provenance(w, f);
	jw_obj_end(w);
}

void cv_report_write(cv_jw *w, const cv_report *r)
{
	const cv_facts *f = r->facts;
	jw_obj_begin(w);
	jw_kstr(w, "schema", CV_SCHEMA);
	jw_kstr(w, "verdict", cv_report_verdict(r->checks));
	jw_kint(w, "verified_at", r->verified_at);
	jw_key(w, "verifier");
	jw_obj_begin(w);
	jw_kstr(w, "version", r->verifier_version ? r->verifier_version : "unknown");
	jw_kstr(w, "wasm_sha256", r->verifier_wasm_sha256 ? r->verifier_wasm_sha256 : "");
	jw_obj_end(w);
	if (r->test_root)
		jw_kbool(w, "test_root", 1);
	if (r->recorded_sample)
		jw_kbool(w, "recorded_sample", 1);
	/* A required check could not be judged (the chain unreachable, its
	 * information missing): the CLI exits 3, not 1 (docs/governance.md). */
	if (f->gov && f->gov->result.could_not_judge)
		jw_kbool(w, "could_not_judge", 1);
	write_checks(w, r);
	if (f->dcap) {
		cv_report_write_dcap_sections(w, f->dcap, r->collateral_source);
	} else {
		jw_key(w, "quote"); jw_null(w);
		jw_key(w, "platform"); jw_null(w);
		jw_key(w, "tcb"); jw_null(w);
		jw_key(w, "collateral"); jw_null(w);
	}
	cv_report_write_dstack_sections(w, f->ds, f->ev);
	write_provenance(w, f);
	write_os(w, f);
	write_evidence(w, f);
	write_governance(w, f);
	write_needs(w, f);
	jw_obj_end(w);
}
