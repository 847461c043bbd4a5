/*
 * The TD HOB a dstack VM's firmware measures first into RTMR0, rebuilt from
 * the manifest's compact witness and the VM's memory size
 * (shared/spec/os-image.md "TD HOB"; vectors: tests/vectors/dstack/
 * os-image-intermediates.json).
 *
 * Witness V1: unsigned LEB128 varints base_page, td_hob_page_delta,
 * range_count, then range_count pairs (start_page_delta, page_count), pages of
 * 4 KiB, no bytes left over. The ranges are "accepted" in order out of one
 * unaccepted range [0, memory_size); the result is emitted as a PHIT HOB
 * (56 B) and one resource HOB (48 B) per range. Every u64 step is checked:
 * an overflow fails (upstream wraps silently).
 */
#ifndef CV_TDHOB_H
#define CV_TDHOB_H

#include "cv.h"

/* Ranges a witness may accept: real ones carry 4. Each adds at most two HOBs. */
#define CV_TDHOB_MAX_RANGES 64
#define CV_TDHOB_MAX_HOBS   (2 * CV_TDHOB_MAX_RANGES + 2)
#define CV_TDHOB_MAX_LEN    (56 + 48 * CV_TDHOB_MAX_HOBS)

/* Memory sizes at or above this take QEMU's split layout (low memory up to 2 GiB, the rest above 4 GiB). */
#define CV_TDHOB_HIGH_MEM   0xB0000000ull

/*
 * Build the TD HOB bytes into out (cap >= CV_TDHOB_MAX_LEN is always enough).
 * Codes: CV_OS_MANIFEST_INVALID (malformed witness, an overflow, too many
 * ranges), each with its own sentence.
 */
cv_err cv_td_hob_build(const uint8_t *witness, size_t witness_len, uint64_t memory_size,
	uint8_t *out, size_t cap, size_t *out_len, cv_diag *d);

#endif
