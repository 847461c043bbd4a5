/*
 * A dstack OS image manifest: sha256sum.txt and measurement.tdx.cbor
 * (shared/spec/os-image.md "Beyond the inline manifest"). It is
 * authenticated by its hash alone: os_image_hash = sha256(sha256sum.txt),
 * whose "measurement.tdx.cbor" line holds sha256 of the CBOR. So where it
 * came from (vm_config, the caller, the catalog) adds availability, not trust.
 */
#ifndef CV_OS_MANIFEST_H
#define CV_OS_MANIFEST_H

#include "cv.h"

#define CV_OS_MANIFEST_MAX_LEN (64u << 10) /* each of the two files; real ones are < 1 KB */

/* The decoded measurement.tdx.cbor (schema version 3). Ranges point into the
 * CBOR bytes; lengths are checked where each value is used. */
typedef struct {
	cv_bytes cmdline_sha384, kernel_authenticode, initrd_sha384;
	cv_bytes mrtd_single_pass, mrtd_two_pass;
	cv_bytes td_hob;           /* TD HOB witness V1 (src/tdhob.h) */
} cv_os_measurement;

/*
 * Authenticate and decode a manifest:
 *   image_hash = sha256(checksum_file); when expected_image_hash is not NULL it must equal it;
 *   checksum_file's "measurement.tdx.cbor" line must hold sha256(cbor);
 *   cbor must decode to the schema above, version 3, tdvf.ovmf "pre202505".
 * image_hash is filled whenever checksum_file was read, even on a later failure.
 * Codes: CV_OS_MANIFEST_INVALID, one sentence per failure.
 */
cv_err cv_os_manifest_open(const uint8_t *checksum_file, size_t checksum_len, const uint8_t *cbor,
	size_t cbor_len, const uint8_t *expected_image_hash, uint8_t image_hash[32], cv_os_measurement *m,
	cv_diag *d);

/*
 * The hash sha256sum.txt lists for path (exactly one line, sha256sum's text
 * mode: "HEX  path"; other lines are ignored but each must have two fields).
 * ASCII only (a narrowing of upstream, which accepts any UTF-8: real files
 * are ASCII). Codes: CV_OS_MANIFEST_INVALID.
 */
cv_err cv_sha256sum_lookup(const uint8_t *text, size_t len, const char *path, uint8_t out[32], cv_diag *d);

/* Decode measurement.tdx.cbor alone. Codes: CV_OS_MANIFEST_INVALID. */
cv_err cv_os_measurement_decode(const uint8_t *cbor, size_t len, cv_os_measurement *m, cv_diag *d);

#endif
