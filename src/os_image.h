/*
 * OS image verification (issue 14; shared/spec/os-image.md): bind MRTD and
 * RTMR0..2 of a dstack TDX quote to an OS image manifest, and judge the image.
 *
 * Why: the compose hash in RTMR3 is written by the guest OS. Until the OS that
 * wrote it is known, "this CVM runs exactly the code it claims" does not hold.
 *
 * Three steps, each plain data in, plain data out:
 *   1. cv_vm_config_parse: the host-supplied vm_config (JSON text) into the
 *      fields the computation binds (and the inline manifest, if any).
 *   2. cv_os_image_compute: pick a manifest (supplied > inline > catalog),
 *      authenticate it by os_image_hash, recompute MRTD and RTMR0..2, compare
 *      with the quote. Or, with no manifest, note registers the caller pinned.
 *   3. cv_os_image_decide: the check's status, code and sentence under the
 *      caller's policy (allow-list, require-verified) and the catalog.
 *
 * What a pass does NOT prove (os-image.md "What the check does NOT prove"):
 * the ACPI tables' contents (their digests are copied from the unauthenticated
 * event log, so acpi_verified is always 0 and vm_config's cpu_count, num_gpus,
 * pci_hole64_size, ... stay unverified); that the image is a good one (policy:
 * catalog and allow-list); anything the DCAP, event-log and compose checks cover.
 */
#ifndef CV_OS_IMAGE_H
#define CV_OS_IMAGE_H

#include "cJSON.h"
#include "cv.h"
#include "eventlog.h"
#include "os_manifest.h"
#include "report.h"

/* ---- vm_config ---- */

/* The fields of vm_config the computation reads; every other field is
 * host-supplied information that nothing verifies. */
#define CV_VM_CONFIG_BOUND_FIELDS \
	{ "os_image_hash", "memory_size", "qemu_version", "qemu_single_pass_add_pages", "ovmf_variant", \
	  "tdx_measurement" }
#define CV_VM_CONFIG_N_BOUND 6
#define CV_VM_CONFIG_MAX_FIELDS 64 /* real ones have ~17 */

typedef struct {
	cJSON *root;                  /* owned parse tree */
	const cJSON *obj;             /* the effective object (a nested "vm_config" string is parsed instead) */
	int has_os_image_hash;        /* os_image_hash present and non-empty */
	uint8_t os_image_hash[32];
	int has_memory_size;
	uint64_t memory_size;
	const char *qemu_version;     /* borrowed from root; NULL: absent or null (QEMU 9.1.0 assumed) */
	int single_pass_add_pages;    /* -1 absent or null, else 0/1 (the flag's name is inverted: 1 = two-pass) */
	int has_ovmf_variant;         /* "pre202505" (the only variant) */
	const char *attestation_variant; /* "legacy", "lite" or NULL (informational: the manifest decides) */
	const char *image;            /* host-supplied image name, e.g. "dstack-0.6.0"; NULL when absent */
	uint8_t *checksum_file;       /* inline tdx_measurement, owned; NULL when absent */
	size_t checksum_len;
	uint8_t *measurement;
	size_t measurement_len;
} cv_vm_config;

/*
 * Parse vm_config JSON text (GetQuote's string, Info's or a bundle's). A
 * field the computation binds with the wrong type fails, and so does a
 * repeated field or more than CV_VM_CONFIG_MAX_FIELDS; unknown fields are
 * kept for display only. Codes: CV_OS_MANIFEST_INVALID (not JSON, a bound
 * field mistyped, tdx_measurement not base64), CV_OUT_OF_MEMORY.
 * Always call cv_vm_config_free (also after a failure).
 */
cv_err cv_vm_config_parse(const char *text, size_t len, cv_vm_config *vm, cv_diag *d);
void cv_vm_config_free(cv_vm_config *vm);

/* 1 when name is one of CV_VM_CONFIG_BOUND_FIELDS. */
int cv_vm_config_field_is_bound(const char *name);

/* ---- catalog ---- */

/*
 * One catalog entry (data/os-images.json, handed to the core by the shim when
 * its key equals an os_image_hash at hand). name/version/dev are the
 * package's curated knowledge; the manifest, when present, is authenticated
 * by the key like any other.
 */
typedef struct {
	uint8_t os_image_hash[32];
	char name[48];                /* "dstack", "dstack-nvidia", ... */
	char version[24];             /* "0.6.0" */
	int dev;                      /* 1 dev image, 0 production, -1 unknown */
	uint8_t *checksum_file;       /* owned; NULL when the entry has no manifest */
	size_t checksum_len;
	uint8_t *measurement;
	size_t measurement_len;
} cv_os_catalog_entry;

/* Parse {"os_image_hash","name","version","dev","manifest":{"checksum_file","measurement"}, ...}
 * (other members, such as "published" and "source", are for people). Codes:
 * CV_REQUEST_MALFORMED, CV_OUT_OF_MEMORY. Always call cv_os_catalog_entry_free. */
cv_err cv_os_catalog_entry_parse(const cJSON *entry, cv_os_catalog_entry *e, cv_diag *d);
void cv_os_catalog_entry_free(cv_os_catalog_entry *e);

/* ---- computation ---- */

typedef enum {
	CV_OS_SOURCE_NONE = 0,        /* nothing to verify from */
	CV_OS_SOURCE_INLINE,          /* vm_config.tdx_measurement */
	CV_OS_SOURCE_SUPPLIED,        /* the caller's manifest (--os-manifest) */
	CV_OS_SOURCE_CATALOG,         /* the package's catalog */
	CV_OS_SOURCE_EXPECTED         /* no manifest; the caller pinned MRTD and RTMR0..2 */
} cv_os_source;

typedef enum { CV_OS_MRTD_NONE = 0, CV_OS_MRTD_SINGLE_PASS, CV_OS_MRTD_TWO_PASS } cv_os_mrtd_candidate;

enum { CV_OS_REG_MRTD = 0, CV_OS_REG_RTMR0, CV_OS_REG_RTMR1, CV_OS_REG_RTMR2, CV_OS_REG_COUNT };

typedef struct {
	int has_expected, has_actual;
	uint8_t expected[48];         /* recomputed from the manifest, or pinned by the caller */
	uint8_t actual[48];           /* the quote's */
	int match;                    /* has_expected && has_actual && equal */
} cv_os_register;

typedef struct {
	const cv_vm_config *vm;            /* NULL when the evidence carries none (or it did not parse) */
	const cv_diag *vm_error;           /* cv_vm_config_parse's diag when vm_config was present but did not
	                                    * parse: the check fails with it; NULL otherwise */
	cv_bytes supplied_checksum_file;   /* the caller's manifest; ptr NULL when none */
	cv_bytes supplied_measurement;
	const cv_os_catalog_entry *catalog; /* the entry for this image, NULL when none */
	const cv_eventlog *log;            /* for the three ACPI digests; NULL when none */
	const uint8_t *quote_mrtd;         /* 48 bytes each, from the quote; NULL when no quote */
	const uint8_t *quote_rtmr[3];
	const uint8_t *expect_mrtd;        /* the caller's pins; NULL when not pinned */
	const uint8_t *expect_rtmr[3];
} cv_os_inputs;

typedef struct {
	cv_os_source source;
	int verified;                 /* the four registers equal an authenticated manifest's, or the caller's pins */
	int has_image_hash;           /* the image the registers bind (sha256 of the manifest's sha256sum.txt) */
	uint8_t image_hash[32];
	int has_claimed_image_hash;   /* vm_config.os_image_hash (host-supplied) */
	uint8_t claimed_image_hash[32];
	int has_event_image_hash;     /* the RTMR3 os-image-hash event (what the KMS returned); may differ */
	uint8_t event_image_hash[64];
	size_t event_image_hash_len;
	cv_os_mrtd_candidate mrtd_candidate;
	uint8_t td_hob_hash[48];      /* RTMR0's first entry, when computed */
	int has_td_hob_hash;
	cv_os_register reg[CV_OS_REG_COUNT];
	int listed;                   /* the catalog knows image_hash */
	char name[48], version[24];   /* from the catalog; "" when unknown */
	int dev;                      /* 1 dev, 0 production, -1 unknown */
	int dev_claimed_by_host;      /* vm_config.image names a dev image (host claim: only ever used to fail) */
	int acpi_verified;            /* always 0: see the header comment */
	cv_diag diag;                 /* CV_OK, or why it is not verified (code and sentence) */
} cv_os_result;

/* "MRTD", "RTMR0", ... */
const char *cv_os_reg_name(int reg);
/* "inline", "supplied", "catalog", "expected", "none" */
const char *cv_os_source_name(cv_os_source s);
/* "two_pass", "single_pass", NULL */
const char *cv_os_mrtd_candidate_name(cv_os_mrtd_candidate c);

/*
 * Compute r from in. Returns r->diag.code:
 *   CV_OK                    verified (source names how)
 *   CV_OS_IMAGE_MISMATCH     a register differs (the first of MRTD, RTMR0..2; all four are filled)
 *   CV_OS_MANIFEST_INVALID   the manifest or vm_config cannot be used (one sentence per cause)
 *   CV_OS_IMAGE_UNVERIFIED   nothing to verify from (no manifest and not all four registers pinned,
 *                            no quote, no vm_config, no event log): the sentence says what is missing
 * d, when not NULL, receives a copy of r->diag.
 */
cv_err cv_os_image_compute(const cv_os_inputs *in, cv_os_result *r, cv_diag *d);

/* ---- decision ---- */

typedef struct {
	const uint8_t (*allow)[32];   /* allowed os_image_hash values (allowOsImages / --allow-os-image) */
	size_t n_allow;
	int require_verified;         /* requireOsVerified / --require-os-verified */
} cv_os_policy;

typedef struct {
	cv_status status;
	cv_err code;
	char msg[CV_DIAG_MSG_MAX];
} cv_os_decision;

/*
 * The os.image check:
 *   fail OS_IMAGE_MISMATCH / OS_MANIFEST_INVALID  as computed
 *   warn OS_IMAGE_UNVERIFIED (fail when require_verified)
 *   fail OS_IMAGE_DEV        a dev image (catalog, or the host's own claim), unless allowed
 *   pass                     verified and allowed, catalogued as production, or pinned by the caller
 *   warn OS_IMAGE_UNLISTED   verified, but neither catalogued as production nor allowed
 */
void cv_os_image_decide(const cv_os_result *r, const cv_os_policy *p, cv_os_decision *out);

#endif
