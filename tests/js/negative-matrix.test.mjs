// Negative (and positive) matrix of the DCAP verifier, on worlds forged by tests/pki/forge.mjs under a
// test root CA. Every negative case asserts its EXACT reason code and the report check it lands on;
// every positive case asserts the verdict and statuses of shared/spec/interface.md section 3.
//
// Runs through the native runner (build/native/cvm-verify-native, a -DCV_TEST_BUILD build honouring
// unsafe_test_root_der_hex) and, when built (make wasm-test), through build/cvm-verify-test.wasm in
// Node; the two reports must be identical.
//
// Where a code is not fixed by the spec, the expectation follows docs/reason-codes.md and the check
// mapping documented in src/dcap.h:
//   quote.format         header gates, layout, lengths (QUOTE_*)
//   collateral.validity  root CA CRL, PCK CRL, TCB info, QE identity: signatures, issuer chains, windows
//   hardware.signature   PCK chain + revocation, QE report signature and binding, quote signature,
//                        QE identity match, FMSPC / PCE-ID
//   tcb.status           TCB level, TDX module identity, QE TCB level, merge, TCB policy
//   td.attributes        debug, reserved bits, SEPT_VE_DISABLE, service TD
// A failure may propagate to the checks that depend on the failed input (fail closed, src/dcap.h): those
// then carry the same code. The checks BEFORE the landing one (in report order) must not fail with any
// other code.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync, copyFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { forgeWorld, dstackEvidence, deriveKey, intelName, CN, DEFAULT_NOW, BODY_SIZE } from '../pki/forge.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NATIVE = process.env.CVM_VERIFY_NATIVE || ROOT + 'build/native/cvm-verify-native';
const WASM_TEST = process.env.CVM_VERIFY_TEST_WASM || ROOT + 'build/cvm-verify-test.wasm';
const CHECK_ORDER = ['quote.format', 'hardware.signature', 'collateral.validity', 'tcb.status', 'td.attributes',
  'eventlog.replay', 'os.image', 'app.compose_hash', 'freshness.nonce', 'report_data.binding', 'app.images_pinned',
  'app.provenance', 'policy.measurements', 'governance.onchain'];
const DCAP_CHECKS = CHECK_ORDER.slice(0, 5);
const now = DEFAULT_NOW;

// ---------------------------------------------------------------------------------------------
// runners

// A private copy of the runner, so that a concurrent `make native` cannot swap it mid-run.
let nativeBin = NATIVE;
function snapshotNative() {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-native-'));
  nativeBin = join(dir, 'cvm-verify-native');
  copyFileSync(NATIVE, nativeBin);
  chmodSync(nativeBin, 0o755);
  return dir;
}

function runNative(req) {
  const r = spawnSync(nativeBin, [], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0 && r.status !== 1) throw new Error(`native runner exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`native runner printed no JSON (exit ${r.status}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 2000)}`);
  }
}

let wasm = null;
let wasmNote = '';
async function loadWasm() {
  if (!existsSync(WASM_TEST)) { wasmNote = `${WASM_TEST} not built (make wasm-test): WASM comparison skipped`; return; }
  const bytes = readFileSync(WASM_TEST);
  const { instance } = await WebAssembly.instantiate(bytes,
    { env: { emscripten_notify_memory_growth() {} }, wasi_snapshot_preview1: {} });
  const ex = instance.exports;
  if (ex._initialize) ex._initialize();
  wasm = (req) => {
    const enc = Buffer.from(JSON.stringify(req), 'utf8');
    const p = ex.cv_alloc(enc.length);
    assert.ok(p, 'cv_alloc failed');
    new Uint8Array(ex.memory.buffer, p, enc.length).set(enc);
    const r = ex.cv_run(p, enc.length);
    ex.cv_free(p);
    assert.ok(r, 'cv_run returned 0 (out of memory)');
    const len = new DataView(ex.memory.buffer).getUint32(r, true);
    const out = Buffer.from(new Uint8Array(ex.memory.buffer, r + 4, len)).toString('utf8');
    ex.cv_free(r);
    return JSON.parse(out);
  };
}

// ---------------------------------------------------------------------------------------------
// assertions

const results = [];
const checkOf = (rep, id) => (rep.checks || []).find((c) => c.id === id);
const summary = (rep) => {
  if (!rep || rep.error) return JSON.stringify(rep && rep.error);
  return `verdict=${rep.verdict} ` + (rep.checks || []).filter((c) => c.status !== 'skip')
    .map((c) => `${c.id}=${c.status}/${c.code}`).join(' ');
};

function verify(req) {
  const n = haveNative ? runNative(req) : null;
  const w = wasm ? wasm(req) : null;
  if (n && w) {
    assert.deepEqual(w, n, 'the WASM test build and the native runner must give identical reports ' +
      '(if the core just changed, rebuild both: make native wasm-test)');
  }
  return n ?? w;
}

/** A negative case: verdict fail, `check` fails with exactly `code`, no earlier check fails with another code. */
function expectFail(id, rep, check, code) {
  const c = checkOf(rep, check);
  const got = c ? `${c.status}/${c.code}` : 'absent';
  results.push({ id, expected: `${check}=fail/${code}`, got: `${check}=${got}`, ok: !!c && c.status === 'fail' && c.code === code,
    summary: summary(rep) });
  assert.ok(!rep.error, `expected a report, got an error: ${JSON.stringify(rep.error)}`);
  assert.equal(rep.schema, 'cvm-verify/report/v1');
  assert.equal(`${check}=${got}`, `${check}=fail/${code}`, `report: ${summary(rep)}`);
  assert.equal(rep.verdict, 'fail');
  // Fail closed: a check that depends on the failed input fails with the same code. A check before the
  // landing one failing with ANOTHER code would mean the failure was judged as something else.
  for (const earlier of CHECK_ORDER.slice(0, CHECK_ORDER.indexOf(check))) {
    const e = checkOf(rep, earlier);
    assert.ok(!e || e.status !== 'fail' || e.code === code, `${earlier} must not fail with another code before ${check}: ${summary(rep)}`);
  }
}

/**
 * A positive case: the verdict, the five DCAP checks' statuses (default: pass, tcb.status as given),
 * and optionally the TCB statuses of the report.
 */
function expectOk(id, rep, { verdict = 'pass', tcb = 'pass', td = 'pass', tcbStatus, fields = {} } = {}) {
  const want = { 'quote.format': 'pass', 'hardware.signature': 'pass', 'collateral.validity': 'pass', 'tcb.status': tcb,
    'td.attributes': td };
  const got = Object.fromEntries(DCAP_CHECKS.map((k) => [k, checkOf(rep, k)?.status]));
  const ok = !rep.error && rep.verdict === verdict && JSON.stringify(got) === JSON.stringify(want) &&
    (!tcbStatus || rep.tcb?.status === tcbStatus);
  results.push({ id, expected: `verdict=${verdict} tcb.status=${tcb}${tcbStatus ? ' (' + tcbStatus + ')' : ''}`,
    got: rep.error ? JSON.stringify(rep.error) : `verdict=${rep.verdict} tcb.status=${got['tcb.status']} (${rep.tcb?.status})`, ok,
    summary: summary(rep) });
  assert.ok(!rep.error, `expected a report, got an error: ${JSON.stringify(rep.error)}`);
  assert.deepEqual(got, want, `report: ${summary(rep)}`);
  assert.equal(rep.verdict, verdict, `report: ${summary(rep)}`);
  if (tcbStatus) assert.equal(rep.tcb?.status, tcbStatus);
  for (const c of rep.checks) {
    if (!DCAP_CHECKS.includes(c.id)) assert.notEqual(c.status, 'fail', `${c.id} must not fail: ${summary(rep)}`);
  }
  for (const [path, v] of Object.entries(fields)) {
    const actual = path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), rep);
    assert.deepEqual(actual, v, `report.${path}`);
  }
}

// ---------------------------------------------------------------------------------------------
// world helpers

const W = (o = {}) => forgeWorld(o);
const rogue = deriveKey('cvm-verify-test', 'rogue');
const attestation = deriveKey('cvm-verify-test', 'attestation');
/** TCB Info levels with the platform's level (index 0) at `status`. */
const levels = (status, adv = status === 'UpToDate' ? [] : ['INTEL-SA-00837', 'INTEL-SA-00960']) => [
  { sgx: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pcesvn: 11, tdx: [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    tcbDate: '2024-03-13T00:00:00Z', tcbStatus: status, advisoryIDs: adv },
  { sgx: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pcesvn: 5, tdx: [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    tcbDate: '2018-01-04T00:00:00Z', tcbStatus: 'OutOfDate', advisoryIDs: ['INTEL-SA-00106'] },
];
/** Patch bytes of the quote after signing (only fields outside the signed region stay consistent). */
const patch = (fn) => ({ mutateQuote: (q, L) => { fn(q, L); return q; } });
const moduleIdentities = (tdx01Levels) => [
  { id: 'TDX_03', mrsigner: Buffer.alloc(48), attributes: Buffer.alloc(8), attributesMask: 'FFFFFFFFFFFFFFFF',
    tcbLevels: [{ isvsvn: 3, tcbStatus: 'UpToDate' }] },
  { id: 'TDX_01', mrsigner: Buffer.alloc(48), attributes: Buffer.alloc(8), attributesMask: 'FFFFFFFFFFFFFFFF', tcbLevels: tdx01Levels },
];

// ---------------------------------------------------------------------------------------------
// negative cases: [id, world options or world, request extras, landing check, code]

const HW = 'hardware.signature';
const COLL = 'collateral.validity';
const TCB = 'tcb.status';
const TD = 'td.attributes';
const FMT = 'quote.format';
const base = W();
const attacker = W({ seed: 'attacker' });
const reissuedRoot = W({ root: { notAfter: 2524607998 } }); // same key and names, different bytes

const NEGATIVE = [
  // --- revocation
  ['revoked PCK leaf', { pckCrl: { revoked: ['leaf'] } }, {}, HW, 'CERT_REVOKED'],
  ['revoked PCK Platform CA (root CA CRL)', { rootCrl: { revoked: ['pckCa'] } }, {}, HW, 'CERT_REVOKED'],
  ['revoked PCK Processor CA (processor world)', { pckCa: { kind: 'processor' }, rootCrl: { revoked: ['pckCa'] } }, {}, HW, 'CERT_REVOKED'],
  ['revoked TCB signing certificate', { rootCrl: { revoked: ['tcbSigning'] } }, {}, COLL, 'CERT_REVOKED'],
  // --- CRLs
  ['PCK CRL signed by the wrong key', { pckCrl: { signKey: 'rogue' } }, {}, COLL, 'CRL_INVALID'],
  ['root CA CRL signed by the wrong key', { rootCrl: { signKey: 'rogue' } }, {}, COLL, 'CRL_INVALID'],
  ['PCK CRL signature corrupted', { pckCrl: { corrupt: true } }, {}, COLL, 'CRL_INVALID'],
  ['PCK CRL of the wrong CA (Processor CRL, Platform leaf)', { collateral: { mutate: (c) => ({ ...c, pck_crl: base.crls.otherPck.toString('hex') }) } },
    {}, COLL, 'CRL_INVALID'],
  ['PCK CRL of the wrong CA (Platform CRL, Processor leaf)', (() => {
    const p = W({ pckCa: { kind: 'processor' } });
    return W({ pckCa: { kind: 'processor' }, collateral: { mutate: (c) => ({ ...c, pck_crl: p.crls.otherPck.toString('hex') }) } });
  })(), {}, COLL, 'CRL_INVALID'],
  ['root CA CRL given as PCK CRL', { collateral: { mutate: (c) => ({ ...c, pck_crl: c.root_ca_crl }) } }, {}, COLL, 'CRL_INVALID'],
  ['PCK CRL given as root CA CRL', { collateral: { mutate: (c) => ({ ...c, root_ca_crl: c.pck_crl }) } }, {}, COLL, 'CRL_INVALID'],
  ['PCK CRL not DER', { collateral: { mutate: (c) => ({ ...c, pck_crl: '30030201' }) } }, {}, COLL, 'CRL_INVALID'],
  ['PCK CRL with the right issuer name, signed by another CA key', { pckCrl: { signKey: 'otherPckCa' } }, {}, COLL, 'CRL_INVALID'],
  ['PCK CRL issuer: same name, other bytes (PrintableString CN)', { pckCrl: { issuerName: intelName(CN.platform, { cnEncoding: 'printable' }) } },
    {}, COLL, 'CRL_INVALID'],
  ['root CA CRL issued under the PCK CA name (root key)', { rootCrl: { issuerCn: CN.platform } }, {}, COLL, 'CRL_INVALID'],
  ['PCK CRL without nextUpdate', { pckCrl: { nextUpdateOmit: true } }, {}, COLL, 'CRL_INVALID'],
  ['root CA CRL without nextUpdate', { rootCrl: { nextUpdateOmit: true } }, {}, COLL, 'CRL_INVALID'],
  ['root CA listed in its own CRL', { rootCrl: { revoked: ['root'] } }, {}, COLL, 'CERT_REVOKED'],
  ['expired PCK CRL', { pckCrl: { nextUpdate: now - 1 } }, {}, COLL, 'CRL_EXPIRED'],
  ['expired root CA CRL', { rootCrl: { nextUpdate: now - 1 } }, {}, COLL, 'CRL_EXPIRED'],
  ['PCK CRL issued in the future', { pckCrl: { thisUpdate: now + 1 } }, {}, COLL, 'COLLATERAL_NOT_YET_VALID'],
  // --- certificates
  ['expired PCK leaf', { leaf: { notAfter: now - 1 } }, {}, HW, 'CERT_EXPIRED'],
  ['PCK leaf not yet valid', { leaf: { notBefore: now + 1 } }, {}, HW, 'CERT_NOT_YET_VALID'],
  ['expired PCK CA', { pckCa: { notAfter: now - 1 } }, {}, HW, 'CERT_EXPIRED'],
  ['PCK CA not yet valid', { pckCa: { notBefore: now + 1 } }, {}, HW, 'CERT_NOT_YET_VALID'],
  ['expired (test) root CA', { root: { notAfter: now - 1 } }, {}, HW, 'CERT_EXPIRED'],
  ['expired TCB signing certificate', { tcbSigning: { notAfter: now - 1 } }, {}, COLL, 'CERT_EXPIRED'],
  ['TCB signing certificate not yet valid', { tcbSigning: { notBefore: now + 1 } }, {}, COLL, 'CERT_NOT_YET_VALID'],
  ['PCK leaf signature bad', { leaf: { corrupt: true } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK CA signature bad', { pckCa: { corrupt: true } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK leaf signed by the root directly (issuer name of the PCK CA)', { leaf: { signKey: 'root' } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK leaf is a CA', { leaf: { isCa: true, pathLen: null } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK leaf CN is not "SGX PCK Certificate"', { leaf: { cn: 'Intel SGX PCK Cert' } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK leaf carries the SGX extension twice', { leaf: { sgxExtensionCount: 2 } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK leaf without the SGX extension', { leaf: { sgxExtensionCount: 0 } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK leaf with 15 SGX TCB components', { leaf: { sgx: { compSvn: [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0] } } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK CA CN without "CA"', { pckCa: { cn: 'Intel SGX PCK Platform' } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK CA is not a CA (basicConstraints)', { pckCa: { isCa: false } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['PCK CA without keyCertSign', { pckCa: { keyUsage: 'leaf' } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['TCB signing certificate is a CA', { tcbSigning: { isCa: true, pathLen: 0, keyUsage: 'ca' } }, {}, COLL, 'CERT_CHAIN_INVALID'],
  ['quote PEM chain is garbage', { quote: { chainText: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' } }, {}, HW, 'CERT_CHAIN_INVALID'],
  ['quote chain without the PCK CA', { quote: { chain: ['leaf', 'root'] } }, {}, HW, 'CERT_CHAIN_INVALID'],
  // --- trust root
  ['forged world without the test root (production behaviour)', base, { testRoot: false }, HW, 'ROOT_CA_MISMATCH'],
  ['chain to another root than the test root', attacker, { testRoot: base.rootDerHex }, HW, 'ROOT_CA_MISMATCH'],
  ['in-chain root not byte-identical to the trusted root (same key)', reissuedRoot, { testRoot: base.rootDerHex }, HW, 'ROOT_CA_MISMATCH'],
  // --- TCB info
  ['TCB info tampered after signing', { tcbInfo: { tamperText: (t) => t.replace('"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":18') } },
    {}, COLL, 'TCB_INFO_SIGNATURE_INVALID'],
  ['TCB info re-serialised (pretty-printed) after signing', { tcbInfo: { tamperText: (t) => JSON.stringify(JSON.parse(t), null, 2) } },
    {}, COLL, 'TCB_INFO_SIGNATURE_INVALID'],
  ['TCB info signed by another key', { tcbInfo: { signKey: 'rogue' } }, {}, COLL, 'TCB_INFO_SIGNATURE_INVALID'],
  ['TCB info signature corrupted', { tcbInfo: { corrupt: true } }, {}, COLL, 'TCB_INFO_SIGNATURE_INVALID'],
  ['TCB info signed by a PCK leaf (valid chain, not a TCB signing cert)', { tcbInfo: { signKey: 'leaf', chain: ['leaf', 'pckCa', 'root'] } },
    {}, COLL, 'CERT_CHAIN_INVALID'],
  ['TCB info with trailing garbage after the JSON', { tcbInfo: { transformText: (t) => t + 'x' } }, {}, COLL, 'COLLATERAL_MALFORMED'],
  ['TCB info version 2 for a TDX quote', { tcbInfo: { version: 2 } }, {}, COLL, 'COLLATERAL_MALFORMED'],
  ['TCB info level with 15 SGX components', { tcbInfo: { tcbLevels: [{ ...levels('UpToDate')[0], sgx: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0] }] } },
    {}, COLL, 'COLLATERAL_MALFORMED'],
  ['TCB info level with 15 TDX components', { tcbInfo: { tcbLevels: [{ ...levels('UpToDate')[0], tdx: [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }] } },
    {}, COLL, 'COLLATERAL_MALFORMED'],
  ['TDX TCB info level without tdxtcbcomponents', { tcbInfo: { tcbLevels: [{ ...levels('UpToDate')[0], tdx: undefined }] } },
    {}, COLL, 'COLLATERAL_MALFORMED'],
  ['TCB info level with an unknown status name', { tcbInfo: { tcbLevels: levels('Unknown') } }, {}, COLL, 'COLLATERAL_MALFORMED'],
  ['TDX TCB info without tdxModule', { tcbInfo: { tdxModule: null } }, {}, COLL, 'COLLATERAL_MALFORMED'],
  ['TCB info id SGX for a TDX quote (Intel: TCB_INFO_MISMATCH)', { tcbInfo: { id: 'SGX' } }, {}, HW, 'FMSPC_MISMATCH'],
  ['TCB info issuer chain empty', { tcbInfo: { chain: [] } }, {}, COLL, 'COLLATERAL_MISSING'],
  ['no collateral at all', {}, { collateral: null }, HW, 'COLLATERAL_MISSING'],
  ['TCB info expired', { tcbInfo: { nextUpdate: now - 1 } }, {}, COLL, 'COLLATERAL_EXPIRED'],
  ['TCB info not yet valid', { tcbInfo: { issueDate: now + 1 } }, {}, COLL, 'COLLATERAL_NOT_YET_VALID'],
  // --- QE identity
  ['QE identity tampered after signing', { qeIdentity: { tamperText: (t) => t.replace('"isvprodid":2', '"isvprodid":3') } },
    {}, COLL, 'QE_IDENTITY_SIGNATURE_INVALID'],
  ['QE identity signed by another key', { qeIdentity: { signKey: 'rogue' } }, {}, COLL, 'QE_IDENTITY_SIGNATURE_INVALID'],
  ['QE identity expired', { qeIdentity: { nextUpdate: now - 1 } }, {}, COLL, 'COLLATERAL_EXPIRED'],
  ['QE identity not yet valid', { qeIdentity: { issueDate: now + 1 } }, {}, COLL, 'COLLATERAL_NOT_YET_VALID'],
  ['QE identity version 1', { qeIdentity: { version: 1 } }, {}, COLL, 'COLLATERAL_MALFORMED'],
  ['QE identity id QE (SGX) for a TDX quote', { qeIdentity: { id: 'QE' } }, {}, HW, 'QE_IDENTITY_MISMATCH'],
  ['QE identity mrsigner mismatch', { qeIdentity: { mrsigner: 'AA'.repeat(32) } }, {}, HW, 'QE_IDENTITY_MISMATCH'],
  ['QE identity isvprodid mismatch', { qeIdentity: { isvprodid: 1 } }, {}, HW, 'QE_IDENTITY_MISMATCH'],
  ['QE miscselect mismatch', { quote: { qeReport: { miscSelect: 1 } } }, {}, HW, 'QE_IDENTITY_MISMATCH'],
  ['QE attributes mismatch (debug QE)', { quote: { qeReport: { attributes: '1700000000000000e700000000000000' } } }, {}, HW, 'QE_IDENTITY_MISMATCH'],
  ['QE ISVSVN below every QE TCB level', { quote: { qeReport: { isvSvn: 3 } } }, {}, TCB, 'TCB_LEVEL_NOT_FOUND'],
  // --- QE report and quote signatures
  ['QE report signature bad', { quote: { corruptQeReport: true } }, {}, HW, 'QE_REPORT_SIGNATURE_INVALID'],
  ['QE report signed by another key', { quote: { qeReportSignKey: 'rogue' } }, {}, HW, 'QE_REPORT_SIGNATURE_INVALID'],
  ['QE report data does not bind the attestation key', { quote: { qeReport: { bindKey: rogue.raw } } }, {}, HW, 'QE_REPORT_DATA_MISMATCH'],
  ['attestation key swapped (quote re-signed by the attacker)', { quote: { attestationKeyRaw: rogue.raw, signKey: 'rogue',
    qeReport: { bindKey: attestation.raw } } }, {}, HW, 'QE_REPORT_DATA_MISMATCH'],
  ['QE auth data changed after the QE report', patch((q, L) => { q[L.qeAuthOff] ^= 1; }), {}, HW, 'QE_REPORT_DATA_MISMATCH'],
  ['QE report signature all zero', patch((q, L) => { q.fill(0, L.qeReportSigOff, L.qeReportSigOff + 64); }), {}, HW, 'QE_REPORT_SIGNATURE_INVALID'],
  ['quote signature bad', { quote: { corrupt: true } }, {}, HW, 'QUOTE_SIGNATURE_INVALID'],
  ['quote signature all zero', patch((q, L) => { q.fill(0, L.quoteSigOff, L.quoteSigOff + 64); }), {}, HW, 'QUOTE_SIGNATURE_INVALID'],
  ['attestation key not on the curve', { quote: { attestationKeyRaw: Buffer.alloc(64, 0x11) } }, {}, HW, 'QUOTE_SIGNATURE_INVALID'],
  ['quote body changed after signing (RTMR3)', patch((q, L) => { q[L.field('rtmr3')] ^= 1; }), {}, HW, 'QUOTE_SIGNATURE_INVALID'],
  ['quote header changed after signing (user data)', patch((q) => { q[40] ^= 1; }), {}, HW, 'QUOTE_SIGNATURE_INVALID'],
  // --- platform identity
  ['wrong FMSPC in TCB info', { tcbInfo: { fmspc: '00906ED50000' } }, {}, HW, 'FMSPC_MISMATCH'],
  ['wrong PCE-ID in TCB info', { tcbInfo: { pceId: '0100' } }, {}, HW, 'FMSPC_MISMATCH'],
  // --- TCB levels
  ['SGX component below every level', { leaf: { sgx: { compSvn: [3, 3, 2, 2, 4, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0] } } }, {}, TCB, 'TCB_LEVEL_NOT_FOUND'],
  ['PCESVN below every level', { leaf: { sgx: { pcesvn: 4 } } }, {}, TCB, 'TCB_LEVEL_NOT_FOUND'],
  ['TDX component (byte 2) below every level', { quote: { body: { teeTcbSvn: '06010100000000000000000000000000' } } }, {}, TCB, 'TCB_LEVEL_NOT_FOUND'],
  ['TDX components 0-1 compared when module version is 0', { quote: { body: { teeTcbSvn: '04000300000000000000000000000000' } } },
    {}, TCB, 'TCB_LEVEL_NOT_FOUND'],
  ['platform level Revoked (strict)', { tcbInfo: { tcbLevels: levels('Revoked') } }, { policy: { tcb: 'strict' } }, TCB, 'TCB_REVOKED'],
  ['platform level Revoked (default)', { tcbInfo: { tcbLevels: levels('Revoked') } }, { policy: { tcb: 'default' } }, TCB, 'TCB_REVOKED'],
  ['platform level Revoked (permissive)', { tcbInfo: { tcbLevels: levels('Revoked') } }, { policy: { tcb: 'permissive' } }, TCB, 'TCB_REVOKED'],
  ['platform level Revoked (allow_tcb lists Revoked)', { tcbInfo: { tcbLevels: levels('Revoked') } },
    { policy: { allow_tcb: ['UpToDate', 'Revoked'] } }, TCB, 'TCB_REVOKED'],
  ['platform OutOfDate (strict)', { tcbInfo: { tcbLevels: levels('OutOfDate') } }, { policy: { tcb: 'strict' } }, TCB, 'TCB_STATUS_NOT_ALLOWED'],
  ['platform OutOfDate (default)', { tcbInfo: { tcbLevels: levels('OutOfDate') } }, { policy: { tcb: 'default' } }, TCB, 'TCB_STATUS_NOT_ALLOWED'],
  ['platform OutOfDateConfigurationNeeded (strict)', { tcbInfo: { tcbLevels: levels('OutOfDateConfigurationNeeded') } }, { policy: { tcb: 'strict' } },
    TCB, 'TCB_STATUS_NOT_ALLOWED'],
  ['platform OutOfDateConfigurationNeeded (default)', { tcbInfo: { tcbLevels: levels('OutOfDateConfigurationNeeded') } }, { policy: { tcb: 'default' } },
    TCB, 'TCB_STATUS_NOT_ALLOWED'],
  ['QE TCB level Revoked', { quote: { qeReport: { isvSvn: 3 } }, qeIdentity: { tcbLevels: [{ isvsvn: 4, tcbStatus: 'UpToDate' },
    { isvsvn: 2, tcbStatus: 'Revoked' }] } }, { policy: { tcb: 'permissive' } }, TCB, 'TCB_REVOKED'],
  // --- TDX module identity
  ['mr_signer_seam not Intel\'s (non-zero)', { quote: { body: { mrSignerSeam: Buffer.alloc(48, 0x01) } } }, {}, TCB, 'TDX_MODULE_MISMATCH'],
  ['seam_attributes non-zero', { quote: { body: { seamAttributes: '0100000000000000' } } }, {}, TCB, 'TDX_MODULE_MISMATCH'],
  ['module identity expects another mrsigner', { tcbInfo: { tdxModuleIdentities: [{ id: 'TDX_01', mrsigner: Buffer.alloc(48, 0xee),
    attributes: Buffer.alloc(8), attributesMask: 'FFFFFFFFFFFFFFFF', tcbLevels: [{ isvsvn: 4, tcbStatus: 'UpToDate' }] }] } }, {}, TCB, 'TDX_MODULE_MISMATCH'],
  ['no module identity for the module version (TDX_02)', { quote: { body: { teeTcbSvn: '06020300000000000000000000000000' } } }, {}, TCB, 'TDX_MODULE_MISMATCH'],
  ['tdxModuleIdentities missing while module version > 0', { tcbInfo: { mutate: (o) => { delete o.tdxModuleIdentities; return o; } } },
    {}, TCB, 'TDX_MODULE_MISMATCH'],
  ['module ISVSVN below every module level', { quote: { body: { teeTcbSvn: '01010300000000000000000000000000' } } }, {}, TCB, 'TCB_LEVEL_NOT_FOUND'],
  ['module TCB level Revoked', { quote: { body: { teeTcbSvn: '03010300000000000000000000000000' } },
    tcbInfo: { tdxModuleIdentities: moduleIdentities([{ isvsvn: 4, tcbStatus: 'UpToDate' }, { isvsvn: 2, tcbStatus: 'Revoked' }]) } },
  { policy: { tcb: 'permissive' } }, TCB, 'TCB_REVOKED'],
  // --- TD attributes
  ['debug TD', { quote: { body: { tdAttributes: '0100001000000000' } } }, {}, TD, 'TD_DEBUG'],
  ['SEPT_VE_DISABLE clear', { quote: { body: { tdAttributes: '0000000000000000' } } }, {}, TD, 'TD_ATTRIBUTES_INVALID'],
  ['TUD bit 1 set', { quote: { body: { tdAttributes: '0200001000000000' } } }, {}, TD, 'TD_ATTRIBUTES_INVALID'],
  ['TUD bit 1 set with allow_debug', { quote: { body: { tdAttributes: '0200001000000000' } } }, { policy: { allow_debug: true } },
    TD, 'TD_ATTRIBUTES_INVALID'],
  ['reserved SEC bit 8 set', { quote: { body: { tdAttributes: '0001001000000000' } } }, {}, TD, 'TD_ATTRIBUTES_INVALID'],
  ['reserved bit 29 set', { quote: { body: { tdAttributes: '0000003000000000' } } }, {}, TD, 'TD_ATTRIBUTES_INVALID'],
  ['reserved OTHER bit 40 set', { quote: { body: { tdAttributes: '0000001000010000' } } }, {}, TD, 'TD_ATTRIBUTES_INVALID'],
  ['non-zero mr_servicetd (v5, TD 1.5)', { quote: { version: 5, bodyType: 3, body: { mrServiceTd: Buffer.alloc(48, 0x01) } } },
    {}, TD, 'TD_ATTRIBUTES_INVALID'],
  // --- header gates
  ['quote version 6', { quote: { version: 6 } }, {}, FMT, 'QUOTE_UNSUPPORTED_VERSION'],
  ['quote version 2', { quote: { version: 2 } }, {}, FMT, 'QUOTE_UNSUPPORTED_VERSION'],
  ['TDX quote with version 3', { quote: { version: 3 } }, {}, FMT, 'QUOTE_UNSUPPORTED_VERSION'],
  ['attestation key type 3 (P-384)', { quote: { keyType: 3 } }, {}, FMT, 'QUOTE_UNSUPPORTED_KEY_TYPE'],
  ['SGX TEE type in a version 4 quote', { quote: { teeType: 0 } }, {}, FMT, 'QUOTE_UNSUPPORTED_VERSION'],
  ['TEE type 0x82', { quote: { teeType: 0x82 } }, {}, FMT, 'QUOTE_UNSUPPORTED_TEE'],
  ['QE vendor ID not Intel', { quote: { vendorId: '00'.repeat(16) } }, {}, FMT, 'QUOTE_UNSUPPORTED_TEE'],
  ['v5 body type 4 (TD 1.5 Ex)', { quote: { version: 5, bodyType: 4, bodyRaw: Buffer.alloc(BODY_SIZE[4]) } }, {}, FMT, 'QUOTE_UNSUPPORTED_BODY_TYPE'],
  ['v5 body type 1 (SGX) with the TDX TEE type', { quote: { version: 5, bodyType: 1, bodyRaw: Buffer.alloc(BODY_SIZE[1]) } }, {}, FMT,
    'QUOTE_UNSUPPORTED_BODY_TYPE'],
  ['v5 body type 9', { quote: { version: 5, bodyType: 9 } }, {}, FMT, 'QUOTE_UNSUPPORTED_BODY_TYPE'],
  ['v5 body size does not match type 2', { quote: { version: 5, bodyType: 2, bodySize: 585 } }, {}, FMT, 'QUOTE_UNSUPPORTED_BODY_TYPE'],
  ['v5 body size does not match type 3', { quote: { version: 5, bodyType: 3, bodySize: 584 } }, {}, FMT, 'QUOTE_UNSUPPORTED_BODY_TYPE'],
  // --- truncation: a valid quote cut short
  ['cut inside the header (47 bytes)', {}, { cut: 47 }, FMT, 'QUOTE_TRUNCATED'],
  ['v5 cut inside the body descriptor (50 bytes)', { quote: { version: 5 } }, { cut: 50 }, FMT, 'QUOTE_TRUNCATED'],
  ['cut inside the body (400 bytes)', {}, { cut: 400 }, FMT, 'QUOTE_TRUNCATED'],
  ['v5 TD 1.5 cut inside the body (690 bytes)', { quote: { version: 5, bodyType: 3 } }, { cut: 690 }, FMT, 'QUOTE_TRUNCATED'],
  ['cut before the signature data length (632 bytes)', {}, { cut: 632 }, FMT, 'QUOTE_TRUNCATED'],
  ['cut inside the signature data length (634 bytes)', {}, { cut: 634 }, FMT, 'QUOTE_TRUNCATED'],
  ['cut inside the QE report', {}, { cut: 900 }, FMT, 'QUOTE_TRUNCATED'],
  ['cut inside the PEM chain', {}, { cut: -500 }, FMT, 'QUOTE_TRUNCATED'],
  ['cut by one byte', {}, { cut: -1 }, FMT, 'QUOTE_TRUNCATED'],
  // --- length fields at every level
  ['signature data length one too large', (() => W({ quote: { sigDataLen: base.layout.sigDataLen + 1 } }))(), {}, FMT, 'QUOTE_TRUNCATED'],
  ['signature data length absurd (0xffffffff)', { quote: { sigDataLen: 0xffffffff } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['signature data length too small for its contents', { quote: { sigDataLen: 600 } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['signature data length too small for signature and key', { quote: { sigDataLen: 100 } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['signature data length covers trailing bytes', { quote: { sigDataLen: base.layout.sigDataLen + 10, trailing: Buffer.alloc(10) } },
    {}, FMT, 'QUOTE_MALFORMED'],
  ['cert data (type 6) size one too large', { quote: { certDataSize: base.layout.sigDataLen - 134 + 1 } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['cert data (type 6) size one too small', { quote: { certDataSize: base.layout.sigDataLen - 134 - 1 } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['cert data (type 6) size absurd', { quote: { certDataSize: 0xffffffff } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['QE auth data size one too large', { quote: { qeAuthSize: 33 } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['QE auth data size 0xffff', { quote: { qeAuthSize: 0xffff } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['inner cert data (type 5) size one too large', { quote: { innerCertSize: base.layout.chainLen + 1 } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['inner cert data (type 5) size one too small', { quote: { innerCertSize: base.layout.chainLen - 1 } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['inner cert data (type 5) size absurd', { quote: { innerCertSize: 0xffffffff } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['outer certification data type 5 instead of 6', { quote: { certDataType: 5 } }, {}, FMT, 'QUOTE_MALFORMED'],
  ['inner certification data type 9', { quote: { innerCertType: 9 } }, {}, FMT, 'QUOTE_MALFORMED'],
];

// ---------------------------------------------------------------------------------------------
// positive cases

const POLICIES = ['strict', 'default', 'permissive'];
/** interface.md section 3: the verdict of each TCB status under each policy. */
const POLICY_VERDICT = {
  strict: { UpToDate: 'pass' },
  default: { UpToDate: 'pass', SWHardeningNeeded: 'warn', ConfigurationNeeded: 'warn', ConfigurationAndSWHardeningNeeded: 'warn' },
  permissive: { UpToDate: 'pass', SWHardeningNeeded: 'warn', ConfigurationNeeded: 'warn', ConfigurationAndSWHardeningNeeded: 'warn',
    OutOfDate: 'warn', OutOfDateConfigurationNeeded: 'warn' },
};
const STATUSES = ['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'OutOfDate',
  'OutOfDateConfigurationNeeded', 'Revoked'];

function requestFor(world, extra = {}) {
  const { cut, ...rest } = extra;
  const w = world && Buffer.isBuffer(world.quote) ? world : W(world);
  const req = w.request(rest);
  if (cut !== undefined) {
    const q = w.quote.subarray(0, cut < 0 ? w.quote.length + cut : cut);
    req.evidence = q.toString('hex');
  }
  return { w, req };
}

// ---------------------------------------------------------------------------------------------

const haveNative = existsSync(NATIVE);
const haveWasm = existsSync(WASM_TEST);

describe('DCAP negative matrix (forged test PKI)',
  { skip: !haveNative && !haveWasm && `neither ${NATIVE} (make native) nor ${WASM_TEST} (make wasm-test) is built` }, () => {
  let snapDir = null;
  before(async () => {
    if (haveNative) snapDir = snapshotNative();
    else console.log(`${NATIVE} not built (make native): WASM test build only`);
    await loadWasm();
    if (wasmNote) console.log(wasmNote);
  });
  after(() => {
    if (snapDir) rmSync(snapDir, { recursive: true, force: true });
    const bad = results.filter((r) => !r.ok);
    const via = haveNative && wasm ? ' (native == wasm)' : haveNative ? ' (native only)' : ' (wasm only)';
    console.log(`matrix: ${results.length - bad.length}/${results.length} cases as specified` + via);
    if (process.env.MATRIX_VERBOSE) for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.id}: ${r.summary}`);
    for (const r of bad) console.log(`  FAIL ${r.id}: expected ${r.expected}, got ${r.got} | ${r.summary}`);
  });

  test('the matrix is large enough', () => {
    assert.ok(NEGATIVE.length >= 40);
  });

  for (const [id, world, extra, check, code] of NEGATIVE) {
    test(`${id} -> ${check} ${code}`, () => {
      const { req } = requestFor(world, extra);
      expectFail(id, verify(req), check, code);
    });
  }

  // ---- positives
  test('baseline forged world passes under the test root', () => {
    const id = 'baseline';
    const rep = verify(base.request());
    expectOk(id, rep, { tcbStatus: 'UpToDate', fields: {
      'quote.version': 4, 'quote.tee': 'TDX', 'platform.fmspc': 'B0C06F000000', 'platform.pck_ca': 'platform',
      'platform.pce_id': '0000', 'tcb.advisory_ids': [], 'quote.debug': false, 'tcb.tcb_date': '2024-03-13T00:00:00Z',
      'tcb.evaluation_data_number': 17, 'collateral.expires_at': '2026-09-18T10:40:00Z' } });
    for (const c of rep.checks) assert.match(c.message, /\[TEST ROOT\]/, `${c.id} message must say [TEST ROOT]`);
  });
  test('without the test root the report carries no [TEST ROOT] mark (production behaviour)', () => {
    const rep = verify(base.request({ testRoot: false }));
    assert.equal(rep.verdict, 'fail');
    for (const c of rep.checks) assert.doesNotMatch(c.message, /TEST ROOT/, `${c.id}`);
    assert.notEqual(rep.test_root, true);
  });
  test('trailing bytes after the signature data are accepted', () => {
    expectOk('trailing bytes', verify(W({ quote: { trailing: Buffer.alloc(70) } }).request()), { tcbStatus: 'UpToDate' });
  });
  test('v5 body type 2 is accepted', () => {
    expectOk('v5 type 2', verify(W({ quote: { version: 5, bodyType: 2 } }).request()),
      { tcbStatus: 'UpToDate', fields: { 'quote.version': 5, 'quote.body_type': 2 } });
  });
  test('v5 body type 3 (TD 1.5) is accepted', () => {
    expectOk('v5 type 3', verify(W({ quote: { version: 5, bodyType: 3 } }).request()),
      { tcbStatus: 'UpToDate', fields: { 'quote.version': 5, 'quote.body_type': 3 } });
  });
  test('v5 body type 3 with trailing bytes is accepted', () => {
    expectOk('v5 type 3 + trailing', verify(W({ quote: { version: 5, bodyType: 3, trailing: Buffer.alloc(5) } }).request()));
  });
  test('QE auth data of any size is accepted (0 and 64 bytes)', () => {
    expectOk('qe auth 0', verify(W({ quote: { qeAuthData: Buffer.alloc(0) } }).request()));
    expectOk('qe auth 64', verify(W({ quote: { qeAuthData: Buffer.alloc(64, 7) } }).request()));
  });
  test('Processor-CA world passes and reports pck_ca processor', () => {
    expectOk('processor CA', verify(W({ pckCa: { kind: 'processor' } }).request()), { fields: { 'platform.pck_ca': 'processor' } });
  });
  test('TCB levels out of order: the highest matching level is still chosen', () => {
    const lv = levels('UpToDate');
    expectOk('levels reversed', verify(W({ tcbInfo: { tcbLevels: [lv[1], lv[0]] } }).request({ policy: { tcb: 'strict' } })),
      { tcbStatus: 'UpToDate' });
  });
  test('TCB levels: SGX and PCESVN tie, the TDX components decide the order', () => {
    const lv = levels('UpToDate');
    const low = { ...lv[0], tdx: [5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], tcbStatus: 'OutOfDate', advisoryIDs: ['INTEL-SA-00001'] };
    expectOk('tdx tie-break', verify(W({ tcbInfo: { tcbLevels: [low, lv[0], lv[1]] } }).request({ policy: { tcb: 'strict' } })),
      { tcbStatus: 'UpToDate' });
  });
  test('SVNs are compared per component, never lexicographically', () => {
    // level 0 is lexicographically below the platform (2 < 3 first) but needs component 8 = 9 > 5: no match
    const lv = levels('OutOfDate', ['INTEL-SA-00002']);
    const trap = { ...lv[0], sgx: [2, 2, 2, 2, 3, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0], tcbStatus: 'UpToDate', advisoryIDs: [] };
    const rep = verify(W({ tcbInfo: { tcbLevels: [trap, lv[0], lv[1]] } }).request({ policy: { tcb: 'permissive' } }));
    expectOk('per-component compare', rep, { verdict: 'warn', tcb: 'warn', tcbStatus: 'OutOfDate', fields: { 'tcb.advisory_ids': ['INTEL-SA-00002'] } });
  });
  test('FMSPC and PCE-ID in the TCB info are compared case-insensitively', () => {
    expectOk('lower-case fmspc', verify(W({ tcbInfo: { mutate: (o) => ({ ...o, fmspc: o.fmspc.toLowerCase() }) } }).request()));
  });
  test('TCB info signed over non-canonical (pretty-printed) text is accepted: the exact bytes are what is signed', () => {
    expectOk('pretty tcb info', verify(W({ tcbInfo: { transformText: (t) => JSON.stringify(JSON.parse(t), null, 2) } }).request()));
    expectOk('pretty qe identity', verify(W({ qeIdentity: { transformText: (t) => JSON.stringify(JSON.parse(t), null, 4) } }).request()));
  });
  test('a PCK chain in the collateral does not override the quote\'s chain', () => {
    const other = W({ seed: 'attacker' });
    expectOk('collateral pck chain ignored', verify(W({ collateral: { pckCertificateChain: other.chainPem(['leaf', 'pckCa', 'root']) } }).request()));
  });
  test('collateral byte fields: upper-case hex and byte arrays are accepted', () => {
    const up = (c) => ({ ...c, root_ca_crl: c.root_ca_crl.toUpperCase(), pck_crl: c.pck_crl.toUpperCase(),
      tcb_info_signature: c.tcb_info_signature.toUpperCase(), qe_identity_signature: c.qe_identity_signature.toUpperCase() });
    expectOk('upper-case hex collateral', verify(W({ collateral: { mutate: up } }).request()));
    const arr = (h) => [...Buffer.from(h, 'hex')];
    const arrays = (c) => ({ ...c, root_ca_crl: arr(c.root_ca_crl), pck_crl: arr(c.pck_crl),
      tcb_info_signature: arr(c.tcb_info_signature), qe_identity_signature: arr(c.qe_identity_signature) });
    expectOk('byte-array collateral', verify(W({ collateral: { mutate: arrays } }).request()));
  });
  test('TCB info: unknown keys are ignored, trailing whitespace is accepted', () => {
    expectOk('unknown keys', verify(W({ tcbInfo: { mutate: (o) => ({ ...o, futureField: { a: [1, 2] } }) } }).request()));
    expectOk('trailing whitespace', verify(W({ tcbInfo: { transformText: (t) => t + ' \n' } }).request()));
  });
  test('QE identity masks are applied (miscselect bit outside the mask)', () => {
    expectOk('miscselect masked', verify(W({ quote: { qeReport: { miscSelect: 1 } }, qeIdentity: { miscselectMask: 'FEFFFFFF' } }).request()));
  });
  test('QE report data bytes 32..63 are not checked', () => {
    const w0 = W();
    const rd = Buffer.concat([w0.qeReport.subarray(320, 352), Buffer.alloc(32, 0xff)]);
    expectOk('qe report data upper half', verify(W({ quote: { qeReport: { reportData: rd } } }).request()));
  });
  test('odd but valid encodings: 1000-byte QE auth data, 2-byte PCESVN, GeneralizedTime after 2049', () => {
    expectOk('qe auth 1000', verify(W({ quote: { qeAuthData: Buffer.alloc(1000, 1) } }).request()));
    expectOk('pcesvn 300', verify(W({ leaf: { sgx: { pcesvn: 300 } } }).request()), { tcbStatus: 'UpToDate' });
    expectOk('notAfter 2050', verify(W({ tcbSigning: { notAfter: 2556143999 } }).request()));
  });
  test('module identity: TDX_03 for module version 3, ids compared case-insensitively', () => {
    expectOk('TDX_03', verify(W({ quote: { body: { teeTcbSvn: '03030300000000000000000000000000' } } }).request()), { tcbStatus: 'UpToDate' });
    expectOk('lower-case ids', verify(W({ tcbInfo: { mutate: (o) => { o.tdxModuleIdentities.forEach((m) => { m.id = m.id.toLowerCase(); }); return o; } } })
      .request()), { tcbStatus: 'UpToDate' });
  });
  test('validity windows are inclusive at every bound', () => {
    expectOk('pck crl nextUpdate == now', verify(W({ pckCrl: { nextUpdate: now } }).request()));
    expectOk('pck crl thisUpdate == now', verify(W({ pckCrl: { thisUpdate: now } }).request()));
    expectOk('root crl nextUpdate == now', verify(W({ rootCrl: { nextUpdate: now } }).request()));
    expectOk('leaf notAfter == now', verify(W({ leaf: { notAfter: now } }).request()));
    expectOk('leaf notBefore == now', verify(W({ leaf: { notBefore: now } }).request()));
    expectOk('tcb info nextUpdate == now', verify(W({ tcbInfo: { nextUpdate: now } }).request()));
    expectOk('tcb info issueDate == now', verify(W({ tcbInfo: { issueDate: now } }).request()));
    expectOk('qe identity nextUpdate == now', verify(W({ qeIdentity: { nextUpdate: now } }).request()));
  });
  test('PKS, KL and PERFMON attribute bits are allowed', () => {
    // bit 30 PKS, bit 31 KL (byte 3: 0x10 | 0x40 | 0x80 = 0xd0), bit 63 PERFMON (byte 7: 0x80)
    expectOk('pks kl perfmon', verify(W({ quote: { body: { tdAttributes: '000000d000000080' } } }).request()));
  });
  test('debug TD with allow_debug does not fail', () => {
    const rep = verify(W({ quote: { body: { tdAttributes: '0100001000000000' } } }).request({ policy: { allow_debug: true } }));
    const td = checkOf(rep, 'td.attributes');
    results.push({ id: 'debug + allow_debug', expected: 'td.attributes pass|warn, verdict != fail', got: `${td?.status} ${rep.verdict}`,
      ok: td && td.status !== 'fail' && rep.verdict !== 'fail', summary: summary(rep) });
    assert.ok(td && td.status !== 'fail', summary(rep));
    assert.notEqual(rep.verdict, 'fail', summary(rep));
    assert.equal(rep.quote?.debug, true);
  });
  test('TDX components 0-1 are skipped when the module version is > 0 (Intel)', () => {
    // the level wants tdx[0] = 9 > tee_tcb_svn[0] = 6: ignored, the module identity covers bytes 0-1
    const lv = levels('UpToDate');
    lv[0].tdx = [9, 9, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expectOk('tdx bytes 0-1 skipped', verify(W({ tcbInfo: { tcbLevels: lv } }).request()), { tcbStatus: 'UpToDate' });
  });
  test('module version 0 needs no module identity', () => {
    expectOk('module version 0', verify(W({ quote: { body: { teeTcbSvn: '06000300000000000000000000000000' } },
      tcbInfo: { mutate: (o) => { delete o.tdxModuleIdentities; return o; } } }).request()), { tcbStatus: 'UpToDate' });
  });

  for (const status of STATUSES) {
    for (const policy of POLICIES) {
      const verdict = POLICY_VERDICT[policy][status] ?? 'fail';
      test(`TCB status ${status} under ${policy} -> ${verdict}`, () => {
        const adv = status === 'UpToDate' ? [] : ['INTEL-SA-00837', 'INTEL-SA-00960'];
        const rep = verify(W({ tcbInfo: { tcbLevels: levels(status, adv) } }).request({ policy: { tcb: policy } }));
        const id = `status ${status} / ${policy}`;
        if (verdict === 'fail') {
          expectFail(id, rep, TCB, status === 'Revoked' ? 'TCB_REVOKED' : 'TCB_STATUS_NOT_ALLOWED');
        } else {
          expectOk(id, rep, { verdict, tcb: verdict, tcbStatus: status });
        }
        assert.equal(rep.tcb?.status, status);
        assert.equal(rep.tcb?.platform_status, status);
        assert.deepEqual(rep.tcb?.advisory_ids, adv, 'advisory ids: the platform level\'s');
      });
    }
  }

  test('allow_tcb replaces the preset', () => {
    const rep = verify(W({ tcbInfo: { tcbLevels: levels('OutOfDate') } }).request({ policy: { tcb: 'strict', allow_tcb: ['UpToDate', 'OutOfDate'] } }));
    expectOk('allow_tcb OutOfDate', rep, { tcbStatus: 'OutOfDate' });
    const rep2 = verify(W().request({ policy: { allow_tcb: ['OutOfDate'] } }));
    expectFail('allow_tcb without UpToDate', rep2, TCB, 'TCB_STATUS_NOT_ALLOWED');
  });

  // Intel's status convergence (dcap.md Step 14)
  const MERGES = [
    ['module OutOfDate + platform UpToDate', 'UpToDate', 'module', 'OutOfDate'],
    ['module OutOfDate + platform SWHardeningNeeded', 'SWHardeningNeeded', 'module', 'OutOfDate'],
    ['module OutOfDate + platform ConfigurationNeeded', 'ConfigurationNeeded', 'module', 'OutOfDateConfigurationNeeded'],
    ['module OutOfDate + platform ConfigurationAndSWHardeningNeeded', 'ConfigurationAndSWHardeningNeeded', 'module', 'OutOfDateConfigurationNeeded'],
    ['QE OutOfDate + platform UpToDate', 'UpToDate', 'qe', 'OutOfDate'],
    ['QE OutOfDate + platform ConfigurationNeeded (dcap-qvl would say OutOfDate)', 'ConfigurationNeeded', 'qe', 'OutOfDateConfigurationNeeded'],
    ['QE OutOfDate + platform OutOfDate', 'OutOfDate', 'qe', 'OutOfDate'],
  ];
  for (const [id, platform, who, merged] of MERGES) {
    test(`merge: ${id} -> ${merged}`, () => {
      const o = { tcbInfo: { tcbLevels: levels(platform) } };
      if (who === 'module') {
        o.quote = { body: { teeTcbSvn: '03010300000000000000000000000000' } }; // TDX_01 isvsvn 3 -> the isvsvn-2 level: OutOfDate
      } else {
        o.quote = { qeReport: { isvSvn: 3 } };
        o.qeIdentity = { tcbLevels: [{ isvsvn: 4, tcbStatus: 'UpToDate' }, { isvsvn: 2, tcbStatus: 'OutOfDate', advisoryIDs: ['INTEL-SA-00615'] }] };
      }
      const rep = verify(W(o).request({ policy: { tcb: 'permissive' } }));
      expectOk(`merge: ${id}`, rep, { verdict: 'warn', tcb: 'warn', tcbStatus: merged });
      assert.equal(rep.tcb.platform_status, platform);
      assert.equal(rep.tcb[who === 'module' ? 'module_status' : 'qe_status'], 'OutOfDate');
    });
  }

  // ---- the dstack evidence the badge tests use: every check passes
  for (const stripped of [false, true]) {
    test(`dstack evidence (${stripped ? 'stripped GetQuote >= 0.5.6' : 'full'} event log): every check passes`, () => {
      const e = dstackEvidence({ stripped });
      const rep = verify(e.request());
      // No chain is given, so on-chain governance is skipped (docs/governance.md), never passed.
      const gov = rep.checks?.find((c) => c.id === 'governance.onchain');
      assert.deepEqual([gov?.status, gov?.code], ['skip', 'CHAIN_INFO_MISSING']);
      // app.provenance: no bundle was supplied or fetched, so it is skipped (tests/js/provenance-app.test.mjs).
      const prov = rep.checks ? rep.checks.find((c) => c.id === 'app.provenance') : undefined;
      const notPass = rep.checks ? rep.checks.filter((c) => c.status !== 'pass' && c !== gov && c !== prov) : [];
      results.push({ id: `dstack evidence${stripped ? ' (stripped)' : ''}`, expected: 'verdict=pass, every check pass',
        got: rep.error ? JSON.stringify(rep.error) : `verdict=${rep.verdict}` + notPass.map((c) => ` ${c.id}=${c.status}/${c.code}`).join(''),
        ok: !rep.error && rep.verdict === 'pass' && notPass.length === 0, summary: summary(rep) });
      assert.ok(!rep.error, JSON.stringify(rep.error));
      assert.deepEqual(notPass.map((c) => `${c.id}=${c.status}/${c.code}: ${c.message}`), []);
      assert.equal(`${prov?.status}/${prov?.code}`, 'skip/PROVENANCE_MISSING');
      assert.equal(rep.verdict, 'pass');
      assert.deepEqual(CHECK_ORDER, rep.checks.map((c) => c.id));
      assert.equal(rep.app?.compose_hash, e.composeHash.toString('hex'));
      assert.equal(rep.quote?.report_data, e.reportData.toString('hex'));
      assert.ok((rep.event_log?.rtmr || []).every((r) => r.match), 'every RTMR replays');
    });
  }
  test('dstack evidence with the test root embedded in the evidence passes without the request field', () => {
    const e = dstackEvidence({ embedTestRoot: true });
    const rep = verify(e.request({ testRoot: false }));
    expectOk('embedded test root (bundle)', rep);
    assert.equal(rep.verdict, 'pass', summary(rep));
    // a bundle-less app response (GetQuote shape, carrying the root itself) inside a minimal bundle
    const { unsafe_test_root_der_hex: _drop, ...bundle } = e.bundle;
    const rep2 = verify(e.request({ testRoot: false, evidence: bundle }));
    expectOk('embedded test root (attestation member)', rep2);
  });
});
