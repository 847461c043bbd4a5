/*
 * On-chain governance of a dstack app (check governance.onchain;
 * docs/governance.md): the app's DstackApp contract decides which compose
 * hashes, devices and TCB levels may boot; the DstackKms contract decides
 * which apps it serves and which OS images may boot, and names the KMS root
 * key. The core decides, the shim fetches, in two steps:
 *
 *   1. cv_gov_plan: from the evidence and policy, the eth_calls needed
 *      ({to, data, purpose}); the shim asks every configured endpoint for
 *      eth_chainId, eth_blockNumber and each call at one pinned block.
 *   2. cv_gov_decide: from the endpoints' raw answers, the check and the
 *      report section "governance".
 *
 * Pure: no I/O, no clock, no global state. The inputs are the verifier's
 * own results (replayed event log, verified PCK certificate and TCB
 * status), never the server's claims, except os_image_hash, whose binding
 * is stated (os_image_bound).
 */
#ifndef CV_GOVERNANCE_H
#define CV_GOVERNANCE_H

#include "abi.h"
#include "jsonw.h"
#include "report.h"

typedef enum { CV_GOV_AUTO = 0, CV_GOV_OFF, CV_GOV_REQUIRE } cv_gov_mode;

#define CV_GOV_MAX_KP_ID 512       /* key-provider id bytes (a P-256 SPKI is 91) */
#define CV_GOV_MAX_CALLS 10
#define CV_GOV_MAX_ENDPOINTS 8
#define CV_GOV_MAX_RESULT (256u << 10) /* one eth_call result (kmsInfo carries a quote and a log) */
#define CV_GOV_URL_MAX 256

typedef struct {
	cv_gov_mode mode;
	/* From the replayed event log (RTMR3). */
	int has_app_id;
	uint8_t app_id[20];
	int has_compose_hash;
	uint8_t compose_hash[32];
	/* The key-provider event: name "kms" and id = DER SPKI of the KMS root CA. */
	int key_provider_is_kms;
	uint8_t key_provider_id[CV_GOV_MAX_KP_ID];
	size_t key_provider_id_len;
	/* From the PCK leaf: set only when hardware.signature passed (the
	 * contracts' device id is sha256(PPID)). */
	int has_ppid;
	uint8_t ppid[16];
	/* The verified merged TCB status ("UpToDate", ...); NULL when unverified. */
	const char *tcb_status;
	/* The OS image hash; os_image_bound: the OS check bound it to the
	 * measured registers (else it is the unverified claim of the log). */
	int has_os_image_hash, os_image_bound;
	uint8_t os_image_hash[32];
	/* The caller's chain and contracts (options.chain, or Phala's
	 * attestations response). app_contract defaults to the app id, which
	 * since mid-2025 is the DstackApp proxy address. */
	int has_chain_id;
	uint64_t chain_id;
	int has_app_contract, has_kms_contract;
	uint8_t app_contract[20], kms_contract[20];
} cv_gov_input;

/* What each planned call is for (its report "purpose" name). */
typedef enum {
	CV_GOV_APP_OWNER,
	CV_GOV_APP_COMPOSE,
	CV_GOV_APP_ANY_DEVICE,
	CV_GOV_APP_DEVICE,
	CV_GOV_APP_TCB,
	CV_GOV_KMS_OWNER,
	CV_GOV_KMS_REGISTERED,
	CV_GOV_KMS_OS_IMAGE,
	CV_GOV_KMS_INFO,
	CV_GOV_PURPOSE_COUNT
} cv_gov_purpose;

typedef struct {
	cv_gov_purpose purpose;
	uint8_t to[20];
	cv_abi_calldata data;
} cv_gov_call;

typedef struct {
	int run;                 /* calls are needed; else check says why not */
	cv_check check;          /* when !run: the skip (auto/off) or fail (require) */
	uint64_t chain_id;
	uint8_t app_contract[20], kms_contract[20];
	int app_contract_from_app_id;
	uint8_t device_id[32];   /* sha256(PPID) when has_ppid */
	size_t n;
	cv_gov_call calls[CV_GOV_MAX_CALLS];
} cv_gov_plan;

/* "app.allowedComposeHashes", ... */
const char *cv_gov_purpose_name(cv_gov_purpose p);

/* Step 1. Never fails: a plan that cannot run carries its check. */
void cv_gov_plan_make(const cv_gov_input *in, cv_gov_plan *p);
/* {"run":bool,"chain_id":N,"calls":[{"to","data","purpose"}]} (calls only when run). */
void cv_gov_plan_write(cv_jw *w, const cv_gov_plan *p);

/* One endpoint's raw answers, as the shim saw them. */
typedef enum { CV_GOV_ANS_RESULT, CV_GOV_ANS_REVERT, CV_GOV_ANS_ERROR } cv_gov_ans_kind;
typedef struct {
	cv_gov_ans_kind kind;
	uint8_t *data;           /* owned; the result (or revert data) */
	size_t len;
	char error[96];          /* RPC error message (kind ERROR) */
} cv_gov_answer;

typedef struct {
	char url[CV_GOV_URL_MAX];
	int failed;              /* unreachable, timeout, malformed JSON-RPC, or a parse error here */
	char error[160];
	int has_chain_id, has_block;
	uint64_t chain_id, block;
	size_t n;                /* == the plan's n unless failed */
	cv_gov_answer ans[CV_GOV_MAX_CALLS];
} cv_gov_endpoint;

typedef struct {
	size_t n;
	cv_gov_endpoint ep[CV_GOV_MAX_ENDPOINTS];
} cv_gov_answers;

void cv_gov_answers_free(cv_gov_answers *a);

/* A decided call, for the report. */
typedef struct {
	int decided;             /* the agreed answer decoded */
	cv_gov_ans_kind kind;
	int value;               /* bool answers */
	uint8_t addr[20];        /* owner() */
	cv_check rule;           /* this call's own verdict (pass/fail/skip, or info as pass) */
} cv_gov_call_result;

typedef struct {
	cv_check check;          /* governance.onchain */
	int could_not_judge;     /* require mode and the chain or inputs were missing: CLI exit 3 */
	int agreed;              /* every endpoint answered alike for one block */
	uint64_t block;
	cv_gov_call_result calls[CV_GOV_MAX_CALLS];
	int has_app_owner, has_kms_owner;
	uint8_t app_owner[20], kms_owner[20];
	cv_bytes kms_ca_pubkey;  /* points into the answers */
} cv_gov_result;

/* Step 2. a may be NULL (no answers given). The result may point into a. */
void cv_gov_decide(const cv_gov_input *in, const cv_gov_plan *p, const cv_gov_answers *a, cv_gov_result *r);

/* The report section's value (an object): chain id, block, endpoints,
 * contracts, each call with its answer and rule, owners, upgradeability. */
void cv_gov_write(cv_jw *w, const cv_gov_input *in, const cv_gov_plan *p, const cv_gov_answers *a,
	const cv_gov_result *r);

/* JSON glue (governance_json.c). */
typedef struct cJSON cJSON;
/*
 * The answers object the shim sends ("chain_answers"):
 *   {"calls":[{"to","data"}...] (the planned calls, echoed: checked against the plan),
 *    "endpoints":[{"url", "chain_id":"0x..", "block":"0x..",
 *                  "results":[{"result":"0x.."} | {"error":{"code","message","data"}}],
 *                  "error":"text"}]}
 * Fails (CV_REQUEST_MALFORMED) only on a shape no shim writes; an endpoint's
 * bad answers are recorded as that endpoint failing (decided later).
 */
cv_err cv_gov_answers_parse(const cJSON *j, const cv_gov_plan *p, cv_gov_answers *a, cv_diag *d);
/*
 * The input from JSON (the "governance" op, and what the lead's request
 * parser can reuse):
 *   {"mode":"auto|require|off","app_id":"hex","compose_hash":"hex","ppid":"hex",
 *    "tcb_status":"UpToDate","os_image_hash":"hex","os_image_bound":bool,
 *    "key_provider":{"name":"kms","id":"hex"},
 *    "chain":{"chainId":8453,"appContract":"0x..","kmsContract":"0x.."}}
 * tcb_status must stay alive as long as in (it points into j).
 */
cv_err cv_gov_input_parse(const cJSON *j, cv_gov_input *in, cv_diag *d);
/*
 * The evidence half of the input from a cvm-verify report (the public
 * report/v1 schema): app id, compose hash, OS image hash and key provider
 * when eventlog.replay passed; PPID and TCB status when hardware.signature
 * passed. os_image_bound, mode and the chain are left to the caller. The
 * input's tcb_status points into report. Also reached from the JSON input
 * as {"report": {...}, "os_image_bound", "mode", "chain"}.
 */
cv_err cv_gov_input_from_report(const cJSON *report, cv_gov_input *in, cv_diag *d);
/* Parse just options.chain ({chainId, appContract, kmsContract}) into in. */
cv_err cv_gov_chain_parse(const cJSON *chain, cv_gov_input *in, cv_diag *d);
/*
 * The whole op: {"op":"governance","input":{...},"chain_answers":{...}?}.
 * Without answers: {"needs":{"chain_calls":[...]},"check":{...}}; with:
 * {"check":{...},"could_not_judge":bool,"governance":{...}}.
 */
cv_err cv_gov_run_json(const cJSON *root, char **out, size_t *out_len);

/*
 * Wiring into the verify request (governance_verify.c; docs/governance.md):
 * the state of one verification's governance.onchain, gathered by verify.c
 * from the core's own facts (never from a report), decided by the check's
 * row (policy.c cv_policy_governance), written by report.c (the
 * "governance" section, needs.chain_calls, could_not_judge).
 */
struct cv_gov_state {
	cv_gov_input in;
	cv_gov_plan plan;
	int has_answers;         /* the request carried chain_answers */
	cv_gov_answers answers;
	cv_gov_result result;    /* filled by the governance.onchain row */
};
typedef struct cv_gov_state cv_gov_state;

/* The request's "chain" member {chain_id, app_contract, kms_contract} into
 * in (unknown members rejected); NULL or null leaves in unchanged. */
cv_err cv_gov_request_chain_parse(const cJSON *chain, cv_gov_input *in, cv_diag *d);
/*
 * Fill g from the facts: app id, compose hash, OS image hash and key
 * provider from the replayed log when eventlog.replay passed against the
 * quote; PPID and TCB status only when hardware.signature passed; the mode
 * and chain from the request. Plans the calls and parses chain_answers
 * (NULL: none) against the plan: answers made for another plan are
 * CV_REQUEST_MALFORMED. mode is a cv_gov_mode.
 */
cv_err cv_gov_gather(cv_gov_state *g, const cv_facts *f, int mode, const cJSON *chain, const cJSON *chain_answers,
	cv_diag *d);
void cv_gov_state_free(cv_gov_state *g);

#endif
