/*
 * The dstack event log: the input is parsed as JSON (cv_json_parse_exact, as
 * the evidence reader does) and read by cv_eventlog_parse (an array of
 * entries, or a string holding one), then replayed (cv_eventlog_replay: V1
 * and V2 runtime digests, RTMR0..3) and searched for the app identity
 * (cv_app_identity_find, which parses the key-provider payload as JSON).
 * Invariants: the replay has one result per event and counts inconsistencies
 * within bounds; identity pointers point into the log.
 */
#include "eventlog.h"
#include "evidence.h"
#include "fuzz_common.h"
#include "json.h"

static int in_log(const cv_eventlog *log, const cv_event *e)
{
	return e == NULL || (e >= log->ev && e < log->ev + log->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	cJSON *j = cv_json_parse_exact(text, size);
	if (!j) {
		free(text);
		return 0;
	}
	cv_eventlog log;
	cv_diag d;
	cv_diag_clear(&d);
	cv_err e = cv_eventlog_parse(j, &log, &d);
	if (e != CV_OK) {
		FUZZ_ASSERT(log.n == 0 && d.code == e && d.msg[0]);
	} else {
		FUZZ_ASSERT(log.n <= CV_MAX_EVENTS);
		for (size_t i = 0; i < log.n; i++) {
			const cv_event *ev = &log.ev[i];
			FUZZ_ASSERT(ev->imr <= 3 && ev->digest_len <= CV_MAX_EVENT_DIGEST);
			FUZZ_ASSERT(ev->name && strlen(ev->name) == ev->name_len);
			FUZZ_ASSERT(ev->payload_len <= CV_MAX_EVENT_PAYLOAD);
		}
		cv_replay rp;
		memset(&rp, 0, sizeof rp);
		if (cv_eventlog_replay(&log, &rp, &d) == CV_OK) {
			FUZZ_ASSERT(rp.n == log.n);
			FUZZ_ASSERT(rp.n_inconsistent <= rp.n);
			FUZZ_ASSERT(rp.n_inconsistent == 0 || rp.first_inconsistent < rp.n);
			cv_app_identity id;
			cv_app_identity_find(&log, &id);
			FUZZ_ASSERT(in_log(&log, id.app_id) && in_log(&log, id.compose_hash) &&
				in_log(&log, id.instance_id) && in_log(&log, id.key_provider) &&
				in_log(&log, id.os_image_hash) && in_log(&log, id.mr_kms) &&
				in_log(&log, id.storage_fs) && in_log(&log, id.rootfs_hash) &&
				in_log(&log, id.boot_mr_done));
			FUZZ_ASSERT(memchr(id.kp_name, 0, sizeof id.kp_name) && memchr(id.kp_id, 0, sizeof id.kp_id));
			for (size_t i = 0; i <= log.n; i++)
				cv_app_identity_is_app_event(&id, &log, i);
		}
		cv_replay_free(&rp);
	}
	cv_eventlog_free(&log);
	cJSON_Delete(j);
	free(text);
	return 0;
}
