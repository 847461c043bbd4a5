/*
 * The one Ethereum call shape the verifier makes, and the 32-byte-word ABI
 * it needs (docs/governance.md; shared facts in the project's dstack spec,
 * "On-chain governance"): call data is a 4-byte selector followed by at most
 * one static argument word; answers are one static word (bool, address,
 * bytes32, uint) or a tuple of dynamic `bytes` fields (DstackKms.kmsInfo).
 *
 * Every decoder is strict, because the bytes come from an RPC endpoint, not
 * from the contract: a bool that is not exactly 0 or 1, an address with
 * non-zero upper bytes, a result of the wrong length or a dynamic field that
 * points outside the answer is malformed (CV_CHAIN_UNAVAILABLE: the endpoint
 * gave an answer no contract of this shape can give).
 */
#ifndef CV_ABI_H
#define CV_ABI_H

#include "cv.h"

#define CV_ABI_WORD 32
#define CV_ABI_CALLDATA_MAX (4 + CV_ABI_WORD)

/* Selectors: the first 4 bytes of keccak-256 of the canonical signature
 * (tests/c/test_governance.c recomputes each). */
#define CV_SEL_ALLOWED_COMPOSE_HASHES 0x2f6622e5u /* allowedComposeHashes(bytes32) */
#define CV_SEL_ALLOW_ANY_DEVICE       0x3440a16au /* allowAnyDevice() */
#define CV_SEL_ALLOWED_DEVICE_IDS     0xbf8b211bu /* allowedDeviceIds(bytes32) */
#define CV_SEL_REQUIRE_TCB_UP_TO_DATE 0x0aa58c83u /* requireTcbUpToDate() */
#define CV_SEL_ALLOWED_OS_IMAGES      0x9a4e1d18u /* allowedOsImages(bytes32) */
#define CV_SEL_REGISTERED_APPS        0xa6c4cce9u /* registeredApps(address) */
#define CV_SEL_KMS_INFO               0x09177063u /* kmsInfo() */
#define CV_SEL_OWNER                  0x8da5cb5bu /* owner() (Ownable) */

typedef struct {
	uint8_t b[CV_ABI_CALLDATA_MAX];
	size_t len;
} cv_abi_calldata;

/* selector || arg (one 32-byte word; NULL: no argument). */
void cv_abi_encode_call(uint32_t selector, const uint8_t *arg_word, cv_abi_calldata *out);
/* An address as an argument word: 12 zero bytes, then the 20 bytes. */
void cv_abi_address_word(const uint8_t addr[20], uint8_t word[CV_ABI_WORD]);

/* Decoders of a whole eth_call result (ret, len). what names the call for
 * the sentence ("allowedComposeHashes"). Code: CV_CHAIN_UNAVAILABLE. */
cv_err cv_abi_decode_bool(const uint8_t *ret, size_t len, const char *what, int *out, cv_diag *d);
cv_err cv_abi_decode_address(const uint8_t *ret, size_t len, const char *what, uint8_t out[20], cv_diag *d);
cv_err cv_abi_decode_bytes32(const uint8_t *ret, size_t len, const char *what, uint8_t out[32], cv_diag *d);
/* A uint256 word that must fit in 64 bits. */
cv_err cv_abi_decode_uint64(const uint8_t *ret, size_t len, const char *what, uint64_t *out, cv_diag *d);
/*
 * Field `index` of a returned tuple of `nfields` dynamic `bytes` values:
 * head word index is the field's offset; at the offset a length word, then
 * the data padded with zeros to a word. out points into ret.
 */
cv_err cv_abi_decode_bytes_field(const uint8_t *ret, size_t len, size_t nfields, size_t index,
	const char *what, cv_bytes *out, cv_diag *d);

/*
 * JSON-RPC text forms (Ethereum JSON-RPC "quantity" and "data"):
 * quantity: "0x" then 1..16 hex digits without leading zeros ("0x0" is 0);
 * data: "0x" then an even number of hex digits (into out, at most cap
 * bytes; *out_len the length). Return 0 on success, -1 when malformed.
 */
int cv_abi_parse_quantity(const char *s, uint64_t *out);
int cv_abi_parse_data(const char *s, uint8_t *out, size_t cap, size_t *out_len);
/* "0x" + 40 hex (either case) into 20 bytes; 0 or -1. */
int cv_abi_parse_address(const char *s, uint8_t out[20]);
/* "0x" + lower-case hex of b (out: 2 + 2n + 1 bytes). */
void cv_abi_hex0x(const uint8_t *b, size_t n, char *out);

#endif
