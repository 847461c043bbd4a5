/*
 * DER / X.509 / CRL / PEM: the input is read as one DER certificate
 * (cv_cert_parse), as one DER CRL (cv_crl_parse, cv_crl_lists_serial), as
 * PEM text (cv_pem_decode_certs, then each block as a certificate) and as
 * base64. A parsed certificate is then validated as a one-element PCK and TCB
 * signer chain anchored at the pinned Intel root (links, signatures, names,
 * dates) and a parsed CRL checked against the root (cv_crl_check).
 * Invariant: every cv_bytes of a parsed structure lies inside the input.
 */
#include "der.h"
#include "fuzz_common.h"
#include "x509.h"

static int in_range(const uint8_t *base, size_t len, cv_bytes b)
{
	return b.len == 0 || (b.ptr >= base && b.len <= len && (size_t)(b.ptr - base) <= len - b.len);
}

static cv_cert root;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cv_diag d;
	if (cv_cert_parse(cv_intel_root_ca_der, cv_intel_root_ca_der_len, &root, &d) != CV_OK) {
		fprintf(stderr, "fuzz: the pinned root does not parse: %s\n", d.msg);
		exit(2);
	}
	return 0;
}

static void one_cert(const uint8_t *der, size_t len, int deep)
{
	cv_cert c;
	cv_diag d;
	cv_diag_clear(&d);
	if (cv_cert_parse(der, len, &c, &d) != CV_OK) {
		FUZZ_ASSERT(d.code == CV_CERT_CHAIN_INVALID && d.msg[0]);
		return;
	}
	FUZZ_ASSERT(in_range(der, len, c.der) && in_range(der, len, c.tbs));
	FUZZ_ASSERT(in_range(der, len, c.serial) && in_range(der, len, c.issuer));
	FUZZ_ASSERT(in_range(der, len, c.subject) && in_range(der, len, c.sig));
	FUZZ_ASSERT(memchr(c.issuer_cn, 0, sizeof c.issuer_cn) && memchr(c.subject_cn, 0, sizeof c.subject_cn));
	if (!deep)
		return;
	cv_bytes chain[1] = { { der, len } };
	cv_cert out[1];
	const int64_t now = 1752919234;
	cv_chain_verify(CV_CHAIN_PCK, chain, 1, cv_intel_root_ca_der, cv_intel_root_ca_der_len, NULL, NULL,
		now, out, &d);
	cv_chain_verify(CV_CHAIN_TCB_SIGNER, chain, 1, cv_intel_root_ca_der, cv_intel_root_ca_der_len, NULL,
		NULL, now, NULL, &d);
	/* The certificate as its own trust root (the test-root path). */
	cv_chain_verify(CV_CHAIN_TCB_SIGNER, chain, 1, der, len, NULL, NULL, now, NULL, &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	/* Certificate. */
	one_cert(buf, size, 1);

	/* CRL. */
	cv_crl crl;
	cv_diag d;
	cv_diag_clear(&d);
	if (cv_crl_parse(buf, size, &crl, &d) == CV_OK) {
		FUZZ_ASSERT(in_range(buf, size, crl.der) && in_range(buf, size, crl.tbs));
		FUZZ_ASSERT(in_range(buf, size, crl.issuer) && in_range(buf, size, crl.revoked));
		FUZZ_ASSERT(in_range(buf, size, crl.sig));
		static const uint8_t serial[] = { 0x00, 0x95, 0x6f, 0x5d, 0xcd, 0xbd };
		cv_crl_lists_serial(&crl, serial, sizeof serial);
		cv_crl_lists_serial(&crl, root.serial.ptr, root.serial.len);
		cv_crl_lists_serial(&crl, buf, size > 20 ? 20 : size);
		cv_crl_check(&crl, &root, 1752919234, "root CA CRL", &d);
	} else {
		FUZZ_ASSERT(d.code == CV_CRL_INVALID && d.msg[0]);
	}

	/* PEM text, then each decoded block. */
	uint8_t ders[8192];
	cv_bytes blocks[CV_MAX_CHAIN_CERTS];
	size_t n = 0;
	cv_diag_clear(&d);
	if (cv_pem_decode_certs((const char *)buf, size, ders, sizeof ders, blocks, CV_MAX_CHAIN_CERTS, &n,
		    &d) == CV_OK) {
		FUZZ_ASSERT(n <= CV_MAX_CHAIN_CERTS);
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(in_range(ders, sizeof ders, blocks[i]));
			/* A heap copy of exactly the block, so ASan sees any over-read. */
			uint8_t *b = malloc(blocks[i].len ? blocks[i].len : 1);
			if (!b)
				break;
			memcpy(b, blocks[i].ptr, blocks[i].len);
			one_cert(b, blocks[i].len, 0);
			free(b);
		}
		if (n >= 2) {
			cv_cert out[CV_MAX_CHAIN_CERTS];
			cv_chain_verify(CV_CHAIN_PCK, blocks, n, cv_intel_root_ca_der, cv_intel_root_ca_der_len, NULL,
				NULL, 1752919234, out, &d);
		}
	}

	/* Base64 alone. */
	uint8_t b64[4096];
	size_t m = cv_base64_decode((const char *)buf, size, b64, sizeof b64);
	FUZZ_ASSERT(m == (size_t)-1 || m <= sizeof b64);

	/* A bare DER walk (the tree checker), as the certificate reader's first step. */
	cv_der_cur cur;
	cv_der_init(&cur, buf, size, CV_CERT_CHAIN_INVALID, "fuzz", NULL);
	cv_der_check_tree(&cur);

	free(buf);
	return 0;
}
