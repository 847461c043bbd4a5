// Tests of the JS layer that need no WASM core: hex, URLs, headers, JSON slicing, CRL bodies, the cache,
// fetching evidence and collateral from the mock servers, option mapping, argument parsing, formatting.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

import { bytesToHex, hexToBytes, normalizeHex, looksLikeHexText, base64ToBytes } from '../../js/util.js';
import { VERSION } from '../../js/version.js';
import { newNonce, fetchEvidence, normalizeAppUrl, parseAttestationBody } from '../../js/evidence.js';
import {
  normalizePccsUrl, collateralUrls, decodeIssuerChain, sliceJsonMember, parseSignedBody, crlBodyToHex,
  CollateralCache, collateralExpiryMs, fetchCollateralFor, INTEL_ROOT_CA_CRL_URL,
} from '../../js/collateral.js';
import { classifyFetchError } from '../../js/http.js';
import { toEvidenceValue, toBundle, normalizeCollateral } from '../../js/input.js';
import { toCorePolicy, exitCodeFor, verifyCvm, CHECK_IDS } from '../../js/index.js';
import { parseArgs, parseTime, UsageError } from '../../js/args.js';
import { formatReport, formatMonitorLine, monitorResult } from '../../js/format.js';
import { startMockCvm, NEAR_MPC_GETQUOTE, NEAR_MPC_INFO } from '../mocks/cvm.mjs';
import { startMockPccs, NEAR_MPC_COLLATERAL } from '../mocks/pccs.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COLL = NEAR_MPC_COLLATERAL;
const HEX_RE = /^[0-9a-f]{64}$/;

/** A port with nothing listening: bind, read the port, close. */
async function deadPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r(undefined)));
  const port = /** @type {any} */ (s.address()).port;
  await new Promise((r) => s.close(() => r(undefined)));
  return port;
}

/** @param {Promise<unknown>} p @param {string} code @param {RegExp} [msg] */
async function rejectsWith(p, code, msg) {
  await assert.rejects(p, (e) => {
    assert.equal(/** @type {any} */ (e).code, code, `code of: ${/** @type {any} */ (e).message}`);
    if (msg) assert.match(/** @type {any} */ (e).message, msg);
    return true;
  });
}

test('version.js matches package.json', () => {
  const pkg = JSON.parse(readFileSync(ROOT + 'package.json', 'utf8'));
  assert.equal(VERSION, pkg.version);
});

test('no Math.random, eval or new Function in the shipped JS', () => {
  for (const f of readdirSync(ROOT + 'js').filter((n) => n.endsWith('.js'))) {
    const src = readFileSync(ROOT + 'js/' + f, 'utf8').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(src, /Math\.random|\beval\s*\(|new\s+Function\b/, f);
  }
});

test('newNonce: 32 random bytes as 64 lower-case hex digits, different each call', () => {
  const a = newNonce();
  const b = newNonce();
  assert.match(a, HEX_RE);
  assert.match(b, HEX_RE);
  assert.notEqual(a, b);
});

test('hex helpers', () => {
  assert.equal(bytesToHex(new Uint8Array([0, 1, 0xab, 0xff])), '0001abff');
  assert.deepEqual([...hexToBytes('0x0001ABff')], [0, 1, 0xab, 0xff]);
  assert.throws(() => hexToBytes('abc'));
  assert.throws(() => hexToBytes('zz'));
  assert.equal(normalizeHex(' 0xABcd ', 'x'), 'abcd');
  assert.throws(() => normalizeHex('abc', 'x'), /x must be/);
  assert.throws(() => normalizeHex('00'.repeat(65), 'nonce', 64), /at most 64/);
  assert.equal(looksLikeHexText(new TextEncoder().encode(' 0x3082ab\n')), true);
  assert.equal(looksLikeHexText(new Uint8Array([0x30, 0x82, 0x01])), false);
  assert.deepEqual([...base64ToBytes('AAEC/w==')], [0, 1, 2, 255]);
});

test('normalizePccsUrl strips the certification prefix and trailing slashes', () => {
  assert.equal(normalizePccsUrl('https://pccs.phala.network'), 'https://pccs.phala.network');
  assert.equal(normalizePccsUrl('https://pccs.phala.network/'), 'https://pccs.phala.network');
  assert.equal(normalizePccsUrl('https://pccs.phala.network/tdx/certification/v4'), 'https://pccs.phala.network');
  assert.equal(normalizePccsUrl('https://pccs.phala.network/sgx/certification/v4/'), 'https://pccs.phala.network');
  assert.equal(normalizePccsUrl('https://example.com/pccs/tdx/certification/v4?x=1'), 'https://example.com/pccs');
  assert.throws(() => normalizePccsUrl('ftp://example.com'), (e) => /** @type {any} */ (e).code === 'REQUEST_MALFORMED');
  assert.throws(() => normalizePccsUrl('not a url'), (e) => /** @type {any} */ (e).code === 'REQUEST_MALFORMED');
});

test('collateralUrls: PCCS paths, upper-case FMSPC, PCK CRL always on the sgx path', () => {
  const u = collateralUrls('https://pccs.phala.network', { tee: 'TDX', fmspc: 'b0c06f000000', pckCa: 'Platform' });
  assert.deepEqual(u, {
    pckCrl: 'https://pccs.phala.network/sgx/certification/v4/pckcrl?ca=platform&encoding=der',
    tcbInfo: 'https://pccs.phala.network/tdx/certification/v4/tcb?fmspc=B0C06F000000',
    qeIdentity: 'https://pccs.phala.network/tdx/certification/v4/qe/identity?update=standard',
    rootCaCrl: 'https://pccs.phala.network/sgx/certification/v4/rootcacrl',
    rootCaCrlFallback: INTEL_ROOT_CA_CRL_URL,
  });
  const s = collateralUrls('https://api.trustedservices.intel.com', { tee: 'SGX', fmspc: '00A067110000', pckCa: 'processor' });
  assert.equal(s.tcbInfo, 'https://api.trustedservices.intel.com/sgx/certification/v4/tcb?fmspc=00A067110000');
  assert.equal(s.pckCrl, 'https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=processor&encoding=der');
  assert.equal(s.rootCaCrl, 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der');
  assert.equal(s.rootCaCrlFallback, null);
  assert.throws(() => collateralUrls('https://x', { tee: 'SEV', fmspc: 'B0C06F000000', pckCa: 'platform' }));
  assert.throws(() => collateralUrls('https://x', { tee: 'TDX', fmspc: 'B0C06F', pckCa: 'platform' }));
  assert.throws(() => collateralUrls('https://x', { tee: 'TDX', fmspc: 'B0C06F000000', pckCa: 'root' }));
});

test('decodeIssuerChain percent-decodes, accepts the older header name, and fails closed', () => {
  const pem = COLL.tcb_info_issuer_chain;
  const h = new Headers({ 'SGX-TCB-Info-Issuer-Chain': encodeURIComponent(pem) });
  assert.equal(decodeIssuerChain(h, ['TCB-Info-Issuer-Chain', 'SGX-TCB-Info-Issuer-Chain'], 'u'), pem);
  assert.ok(pem.includes('\n-----END CERTIFICATE-----'));
  assert.throws(() => decodeIssuerChain(new Headers(), ['TCB-Info-Issuer-Chain'], 'https://p/tcb'),
    (e) => /** @type {any} */ (e).code === 'FETCH_FAILED' && /https:\/\/p\/tcb/.test(/** @type {any} */ (e).message) && /Access-Control-Expose-Headers/.test(/** @type {any} */ (e).message));
  assert.throws(() => decodeIssuerChain(new Headers({ x: '%E0%A4%A' }), ['x'], 'u'), (e) => /** @type {any} */ (e).code === 'FETCH_FAILED');
  assert.throws(() => decodeIssuerChain(new Headers({ x: 'hello' }), ['x'], 'u'), /PEM/);
});

test('sliceJsonMember returns the exact value text, honouring strings and escapes', () => {
  const inner = '{"a":"}{\\"",  "b" : [1, {"c":"x"}], "tcbInfo":{"no":"nested"}}';
  const body = `{ "signature" : "ab", "x": "tcbInfo", "tcbInfo" :${inner} , "z":null}`;
  assert.equal(sliceJsonMember(body, 'tcbInfo'), inner);
  assert.equal(sliceJsonMember(body, 'signature'), '"ab"');
  assert.equal(sliceJsonMember(body, 'z'), 'null');
  assert.equal(sliceJsonMember(body, 'missing'), undefined);
  assert.equal(sliceJsonMember('{}', 'a'), undefined);
  assert.equal(sliceJsonMember('{"k\\u0061":1}', 'ka'), '1');
  assert.throws(() => sliceJsonMember('{"tcbInfo":{"a":1}', 'tcbInfo'));
  assert.throws(() => sliceJsonMember('[1]', 'a'));
  assert.throws(() => sliceJsonMember('{"a":{},"a":{}}', 'a'), /duplicate/);
  // The real signed text survives byte for byte, whatever spacing surrounds it.
  const real = `{"tcbInfo":  ${COLL.tcb_info}\n,"signature":"${COLL.tcb_info_signature}"}`;
  const doc = parseSignedBody(new TextEncoder().encode(real), 'tcbInfo', 'u');
  assert.equal(doc.raw, COLL.tcb_info);
  assert.equal(doc.signature, COLL.tcb_info_signature);
  assert.throws(() => parseSignedBody(new TextEncoder().encode('{"tcbInfo":{}}'), 'tcbInfo', 'https://p/x'), /signature/);
  assert.throws(() => parseSignedBody(new TextEncoder().encode('<html>'), 'tcbInfo', 'https://p/x'), (e) => /** @type {any} */ (e).code === 'FETCH_FAILED');
});

test('crlBodyToHex accepts hex text, DER and PEM', () => {
  const der = hexToBytes(COLL.root_ca_crl);
  assert.equal(crlBodyToHex(new TextEncoder().encode(COLL.root_ca_crl + '\n'), 'u'), COLL.root_ca_crl);
  assert.equal(crlBodyToHex(new TextEncoder().encode(COLL.root_ca_crl.toUpperCase()), 'u'), COLL.root_ca_crl);
  assert.equal(crlBodyToHex(der, 'u'), COLL.root_ca_crl);
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  assert.equal(crlBodyToHex(new TextEncoder().encode(`-----BEGIN X509 CRL-----\n${b64}\n-----END X509 CRL-----\n`), 'u'), COLL.root_ca_crl);
  assert.throws(() => crlBodyToHex(new TextEncoder().encode('<html>oops</html>'), 'https://p/crl'), (e) => /** @type {any} */ (e).code === 'FETCH_FAILED' && /https:\/\/p\/crl/.test(/** @type {any} */ (e).message));
  assert.throws(() => crlBodyToHex(new Uint8Array(0), 'u'));
});

test('collateralExpiryMs is the earliest nextUpdate of TCB info and QE identity', () => {
  assert.equal(collateralExpiryMs(COLL), Date.parse('2026-09-11T23:57:43Z'));
  assert.ok(Number.isNaN(collateralExpiryMs({ tcb_info: 'x', qe_identity: COLL.qe_identity })));
});

test('CollateralCache: hit before expiry, evicted at expiry, bounded size', () => {
  let now = 1000;
  const cache = new CollateralCache({ maxEntries: 2, clock: () => now });
  cache.set('a', /** @type {any} */ ({ v: 'a' }), 2000);
  assert.deepEqual(cache.get('a'), { v: 'a' });
  /** @type {any} */ (cache.get('a')).v = 'mutated';
  assert.deepEqual(cache.get('a'), { v: 'a' }, 'callers get copies');
  now = 1999;
  assert.ok(cache.get('a'));
  now = 2000;
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.size, 0);
  cache.set('old', /** @type {any} */ ({ v: 1 }), 1500);
  assert.equal(cache.size, 0, 'expired entries are not stored');
  cache.set('x', /** @type {any} */ ({ v: 1 }), NaN);
  assert.equal(cache.size, 0, 'entries without expiry are not stored');
  cache.set('b', /** @type {any} */ ({ v: 'b' }), 9000);
  cache.set('c', /** @type {any} */ ({ v: 'c' }), 9000);
  cache.set('d', /** @type {any} */ ({ v: 'd' }), 9000);
  assert.equal(cache.size, 2);
  assert.equal(cache.get('b'), undefined, 'oldest evicted');
  assert.ok(cache.get('c') && cache.get('d'));
});

test('fetchCollateralFor: real PCCS paths and wire formats give the recorded collateral; cached until nextUpdate', async (t) => {
  const pccs = await startMockPccs();
  t.after(() => pccs.close());
  let now = Date.parse('2026-08-29T00:00:00Z');
  const cache = new CollateralCache({ clock: () => now });
  const target = { tee: 'TDX', fmspc: 'b0c06f000000', pckCa: 'platform' };
  const c = await fetchCollateralFor(target, { pccsUrl: pccs.url + '/tdx/certification/v4/', cache });
  const { pck_certificate_chain: _omit, ...expected } = COLL;
  assert.deepEqual(c, expected);
  const sorted = pccs.requests.map((r) => `${r.path}?${new URLSearchParams(r.query)}`).sort();
  assert.deepEqual(sorted, [
    '/sgx/certification/v4/pckcrl?ca=platform&encoding=der',
    '/sgx/certification/v4/rootcacrl?',
    '/tdx/certification/v4/qe/identity?update=standard',
    '/tdx/certification/v4/tcb?fmspc=B0C06F000000',
  ]);
  // Cached: no new request.
  assert.deepEqual(await fetchCollateralFor(target, { pccsUrl: pccs.url, cache }), expected);
  assert.equal(pccs.requests.length, 4);
  // At the QE identity's nextUpdate the entry is gone: fetched again.
  now = Date.parse('2026-09-11T23:57:43Z');
  await fetchCollateralFor(target, { pccsUrl: pccs.url, cache });
  assert.equal(pccs.requests.length, 8);
});

test('fetchCollateralFor: older header name, DER or PEM root CRL, distribution-point fallback on 404', async (t) => {
  const a = await startMockPccs({ legacyHeaderNames: true, rootCaCrl: 'der' });
  const b = await startMockPccs({ rootCaCrl: 'pem' });
  const c = await startMockPccs({ rootCaCrl: 'none' });
  t.after(() => Promise.all([a.close(), b.close(), c.close()]));
  const target = { tee: 'TDX', fmspc: 'B0C06F000000', pckCa: 'platform' };
  for (const p of [a, b]) {
    const got = await fetchCollateralFor(target, { pccsUrl: p.url, cache: false });
    assert.equal(got.tcb_info_issuer_chain, COLL.tcb_info_issuer_chain);
    assert.equal(got.root_ca_crl, COLL.root_ca_crl);
  }
  /** @type {string[]} */
  const intercepted = [];
  /** @type {typeof fetch} */
  const fetchFn = async (url, init) => {
    if (String(url) === INTEL_ROOT_CA_CRL_URL) {
      intercepted.push(String(url));
      return new Response(hexToBytes(COLL.root_ca_crl), { status: 200 });
    }
    return fetch(url, init);
  };
  // Off by default: a page must not talk to hosts the user did not choose.
  await rejectsWith(fetchCollateralFor(target, { pccsUrl: c.url, cache: false, fetch: fetchFn }), 'FETCH_FAILED', /rootcacrl.*HTTP 404/);
  assert.deepEqual(intercepted, []);
  const got = await fetchCollateralFor(target, { pccsUrl: c.url, cache: false, fetch: fetchFn, rootCrlFallback: true });
  assert.deepEqual(intercepted, [INTEL_ROOT_CA_CRL_URL]);
  assert.equal(got.root_ca_crl, COLL.root_ca_crl);
});

test('fetchCollateralFor fails closed with FETCH_FAILED naming the URL', async (t) => {
  const pccs = await startMockPccs({ fmspc: '00A067110000' });
  t.after(() => pccs.close());
  await rejectsWith(fetchCollateralFor({ tee: 'TDX', fmspc: 'B0C06F000000', pckCa: 'platform' }, { pccsUrl: pccs.url, cache: false }),
    'FETCH_FAILED', /HTTP 404.*tcb\?fmspc=B0C06F000000|tcb\?fmspc=B0C06F000000.*HTTP 404/);
  const port = await deadPort();
  await rejectsWith(fetchCollateralFor({ tee: 'TDX', fmspc: 'B0C06F000000', pckCa: 'platform' }, { pccsUrl: `http://127.0.0.1:${port}`, cache: false }),
    'FETCH_FAILED', new RegExp(`127\\.0\\.0\\.1:${port}/.*ECONNREFUSED`));
  // A body that is not a signed document.
  /** @type {typeof fetch} */
  const junk = async () => new Response('<html>maintenance</html>', { status: 200, headers: { 'TCB-Info-Issuer-Chain': encodeURIComponent(COLL.tcb_info_issuer_chain) } });
  await rejectsWith(fetchCollateralFor({ tee: 'TDX', fmspc: 'B0C06F000000', pckCa: 'platform' }, { pccsUrl: 'https://pccs.invalid', cache: false, fetch: junk }), 'FETCH_FAILED');
});

test('normalizeAppUrl', () => {
  assert.equal(normalizeAppUrl('https://app.example.com/'), 'https://app.example.com');
  assert.equal(normalizeAppUrl('https://app.example.com/api/attestation?reportData=00#x'), 'https://app.example.com/api');
  assert.equal(normalizeAppUrl('http://127.0.0.1:8080/info'), 'http://127.0.0.1:8080');
  for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'app.example.com', 'https://u:p@app.example.com']) {
    assert.throws(() => normalizeAppUrl(bad), (e) => /** @type {any} */ (e).code === 'REQUEST_MALFORMED', bad);
  }
});

test('fetchEvidence: GET /attestation?reportData=<fresh nonce> and /info, a cvm-evidence/v1 bundle', async (t) => {
  const cvm = await startMockCvm();
  t.after(() => cvm.close());
  const b = await fetchEvidence(cvm.url + '/');
  assert.equal(b.format, 'cvm-evidence/v1');
  assert.equal(b.source_url, cvm.url);
  assert.match(/** @type {string} */ (b.nonce), HEX_RE);
  assert.ok(!Number.isNaN(Date.parse(/** @type {string} */ (b.fetched_at))));
  assert.deepEqual(b.attestation, JSON.parse(NEAR_MPC_GETQUOTE));
  assert.deepEqual(b.info, JSON.parse(NEAR_MPC_INFO));
  assert.equal(b.info_error, undefined);
  const att = cvm.requests.filter((r) => r.path === '/attestation');
  assert.equal(att.length, 1);
  assert.deepEqual(att[0].query, { reportData: b.nonce });
  assert.equal(cvm.requests.filter((r) => r.path === '/info').length, 1);
  const b2 = await fetchEvidence(cvm.url, { nonce: '0xAB' + '00'.repeat(31) });
  assert.equal(b2.nonce, 'ab' + '00'.repeat(31));
  assert.equal(cvm.requests.filter((r) => r.path === '/attestation')[1].query.reportData, b2.nonce);
  assert.notEqual(b.nonce, (await fetchEvidence(cvm.url)).nonce);
});

test('fetchEvidence: without /info it goes on and records why', async (t) => {
  const cvm = await startMockCvm({ info: null });
  t.after(() => cvm.close());
  const b = await fetchEvidence(cvm.url);
  assert.equal(b.info, undefined);
  assert.match(/** @type {string} */ (b.info_error), /\/info.*HTTP 404/);
  assert.ok(b.attestation);
});

test('fetchEvidence accepts the shapes apps return', async (t) => {
  const q = JSON.parse(NEAR_MPC_GETQUOTE).quote;
  const shapes = [
    [{ quote: '0x' + q }, { quote: '0x' + q }],
    [q, { quote: q }],
    [JSON.stringify(q), { quote: q }],
    [{ data: { quote: q, event_log: '[]' } }, { quote: q, event_log: '[]' }],
    [{ intel_quote: q, event_log: '[]', vm_config: '{}' }, { quote: q, event_log: '[]', vm_config: '{}' }],
  ];
  for (const [served, expected] of shapes) {
    const cvm = await startMockCvm({ attestation: served });
    try {
      assert.deepEqual((await fetchEvidence(cvm.url)).attestation, expected);
    } finally {
      await cvm.close();
    }
  }
  const bad = await startMockCvm({ attestation: '<html>hello</html>' });
  t.after(() => bad.close());
  await rejectsWith(fetchEvidence(bad.url), 'EVIDENCE_MALFORMED', /not attestation evidence/);
  assert.throws(() => parseAttestationBody(new TextEncoder().encode('{"hello":1}'), 'u'), /no "quote"/);
});

test('fetchEvidence fails closed: HTTP error, CVM down, timeout, abort', async (t) => {
  const err = await startMockCvm({ attestationStatus: 502 });
  t.after(() => err.close());
  await rejectsWith(fetchEvidence(err.url), 'FETCH_FAILED', /attestation.*HTTP 502/);
  const port = await deadPort();
  await rejectsWith(fetchEvidence(`http://127.0.0.1:${port}`), 'FETCH_FAILED', new RegExp(`127\\.0\\.0\\.1:${port}/attestation.*ECONNREFUSED`));
  // A server that accepts and never answers.
  /** @type {import('node:http').ServerResponse[]} */
  const held = [];
  const hang = createServer((_req, res) => { held.push(res); });
  await new Promise((r) => hang.listen(0, '127.0.0.1', () => r(undefined)));
  t.after(() => { for (const r of held) r.destroy(); hang.closeAllConnections(); hang.close(); });
  const hurl = `http://127.0.0.1:${/** @type {any} */ (hang.address()).port}`;
  await rejectsWith(fetchEvidence(hurl, { timeoutMs: 200 }), 'FETCH_FAILED', /timed out after 0\.2 s/);
  const ctl = new AbortController();
  const p = fetchEvidence(hurl, { signal: ctl.signal, timeoutMs: 0 });
  ctl.abort();
  await rejectsWith(p, 'FETCH_FAILED', /aborted/);
});

test('classifyFetchError: a cross-origin TypeError in a browser is CORS_BLOCKED', () => {
  const te = new TypeError('Failed to fetch');
  const browser = { browser: true, origin: 'https://verifier.example' };
  const e1 = classifyFetchError(te, 'https://app.example.com/attestation', { what: 'the attestation' }, browser);
  assert.equal(e1.code, 'CORS_BLOCKED');
  assert.match(e1.message, /Access-Control-Allow-Origin/);
  assert.match(e1.message, /paste the evidence/);
  assert.equal(classifyFetchError(te, 'https://verifier.example/x', {}, browser).code, 'FETCH_FAILED');
  assert.equal(classifyFetchError(te, 'https://app.example.com/x', {}, { browser: false, origin: null }).code, 'FETCH_FAILED');
  assert.equal(classifyFetchError(new Error('x'), 'https://a/x', { timedOut: true, timeoutMs: 15000 }, browser).code, 'FETCH_FAILED');
});

test('toEvidenceValue: objects, JSON text, hex text, binary quotes', () => {
  const quoteBytes = hexToBytes(JSON.parse(NEAR_MPC_GETQUOTE).quote);
  assert.equal(toEvidenceValue(quoteBytes), bytesToHex(quoteBytes));
  assert.equal(toEvidenceValue(quoteBytes.buffer.slice(0)), bytesToHex(quoteBytes));
  assert.deepEqual(toEvidenceValue(new TextEncoder().encode('\uFEFF' + NEAR_MPC_INFO)), JSON.parse(NEAR_MPC_INFO));
  assert.deepEqual(toEvidenceValue(NEAR_MPC_GETQUOTE), JSON.parse(NEAR_MPC_GETQUOTE));
  assert.equal(toEvidenceValue(' 0xAB01 \n'), '0xAB01');
  assert.equal(toEvidenceValue(new TextEncoder().encode('abcd\n')), 'abcd');
  assert.deepEqual(toEvidenceValue([4, 0, 2]), [4, 0, 2]);
  // Other text goes to the core as it is (a PEM RA-TLS certificate; the core says why 'hello' is not evidence).
  assert.equal(toEvidenceValue(' hello \n'), 'hello');
  for (const bad of ['{"a":', '', null, 42, new Uint8Array(0)]) {
    assert.throws(() => toEvidenceValue(bad), (e) => /** @type {any} */ (e).code === 'EVIDENCE_MALFORMED', String(bad));
  }
});

test('toBundle, normalizeCollateral', () => {
  const gq = JSON.parse(NEAR_MPC_GETQUOTE);
  const info = JSON.parse(NEAR_MPC_INFO);
  assert.deepEqual(toBundle(gq, { nonce: 'aa' }), { format: 'cvm-evidence/v1', attestation: gq, nonce: 'aa' });
  assert.deepEqual(toBundle(info, {}), { format: 'cvm-evidence/v1', info });
  assert.deepEqual(toBundle('0xABCD', {}), { format: 'cvm-evidence/v1', attestation: { quote: 'abcd' } });
  assert.deepEqual(toBundle([1, 255], {}), { format: 'cvm-evidence/v1', attestation: { quote: '01ff' } });
  const old = { format: 'cvm-evidence/v1', attestation: gq, info, report: { old: true } };
  assert.deepEqual(toBundle(old, { report: /** @type {any} */ ({ new: true }) }).report, { new: true });
  const arr = { ...COLL, root_ca_crl: [...hexToBytes(COLL.root_ca_crl)], tcb_info_signature: '0x' + COLL.tcb_info_signature.toUpperCase() };
  assert.deepEqual(normalizeCollateral({ quote_collateral: arr }), COLL);
  assert.deepEqual(normalizeCollateral(JSON.stringify(COLL)), COLL);
  assert.throws(() => normalizeCollateral('{"x"'), (e) => /** @type {any} */ (e).code === 'EVIDENCE_MALFORMED');
  assert.throws(() => normalizeCollateral([1]), (e) => /** @type {any} */ (e).code === 'EVIDENCE_MALFORMED');
});

test('toCorePolicy maps the API policy to the core request and rejects unknown keys', () => {
  assert.equal(toCorePolicy(undefined), undefined);
  assert.deepEqual(toCorePolicy('strict'), { tcb: 'strict' });
  const h32 = 'ab'.repeat(32), h48 = 'cd'.repeat(48), h20 = 'ef'.repeat(20);
  assert.deepEqual(toCorePolicy({
    tcb: 'permissive', allowTcb: ['UpToDate', 'SWHardeningNeeded'], allowDebug: true, requirePinnedImages: true,
    expect: { mrtd: '0x' + h48.toUpperCase(), rtmr: { 0: h48, 3: h48 }, appId: h20, composeHash: h32, osImageHash: h32 },
  }), {
    tcb: 'permissive', allow_tcb: ['UpToDate', 'SWHardeningNeeded'], allow_debug: true, require_pinned_images: true,
    expect: { mrtd: h48, rtmr: { 0: h48, 3: h48 }, app_id: h20, compose_hash: h32, os_image_hash: h32 },
  });
  const bad = [
    'lenient', { tcb: 'lax' }, { composeHash: h32 }, { expect: { compose_hash: h32 } }, { expect: { composeHash: h20 } },
    { expect: { rtmr: { 4: h48 } } }, { allowTcb: ['Fine'] }, { allowTcb: [] }, { expect: { mrtd: 'xyz' } },
  ];
  for (const p of bad) assert.throws(() => toCorePolicy(/** @type {any} */ (p)), (e) => /** @type {any} */ (e).code === 'REQUEST_MALFORMED', JSON.stringify(p));
});

test('verifyCvm rejects bad options before any request', async (t) => {
  const cvm = await startMockCvm();
  t.after(() => cvm.close());
  await rejectsWith(verifyCvm(cvm.url, /** @type {any} */ ({ expectComposeHash: 'ab'.repeat(32) })), 'REQUEST_MALFORMED', /unknown option "expectComposeHash"/);
  await rejectsWith(verifyCvm(cvm.url, { policy: { expect: { composeHash: 'abc' } } }), 'REQUEST_MALFORMED');
  await rejectsWith(verifyCvm(cvm.url, { now: -5 }), 'REQUEST_MALFORMED');
  await rejectsWith(verifyCvm(cvm.url, { pccsUrl: 'ftp://x' }), 'REQUEST_MALFORMED');
  assert.equal(cvm.requests.length, 0);
});

test('exitCodeFor', () => {
  const r = (/** @type {string} */ verdict) => /** @type {any} */ ({ verdict });
  assert.equal(exitCodeFor(r('pass')), 0);
  assert.equal(exitCodeFor(r('warn')), 0);
  assert.equal(exitCodeFor(r('fail')), 1);
  assert.equal(exitCodeFor(r('unknown')), 1, 'an unknown verdict fails closed');
  for (const code of ['EVIDENCE_MALFORMED', 'REQUEST_MALFORMED', 'INPUT_TOO_LARGE']) assert.equal(exitCodeFor(null, { code }), 2);
  for (const code of ['FETCH_FAILED', 'CORS_BLOCKED', 'INTERNAL', undefined]) assert.equal(exitCodeFor(null, { code }), 3);
});

test('parseTime: unix seconds and ISO-8601', () => {
  assert.equal(parseTime('1788000000'), 1788000000);
  assert.equal(parseTime('2026-08-29T10:40:00Z'), 1788000000);
  assert.equal(parseTime('2026-08-29T10:40:00'), 1788000000, 'no offset = UTC');
  assert.equal(parseTime('2026-08-29T12:40:00+02:00'), 1788000000);
  assert.equal(parseTime('2026-08-29T10:40:00.999Z'), 1788000000);
  assert.equal(parseTime('2026-08-29'), Date.parse('2026-08-29T00:00:00Z') / 1000);
  for (const bad of ['yesterday', '2026-13-45', '1788000000.5', '-1', '']) assert.throws(() => parseTime(bad), UsageError, bad);
});

test('parseArgs: every flag of interface.md section 3', () => {
  const h32 = 'ab'.repeat(32), h48 = 'cd'.repeat(48), h20 = 'ef'.repeat(20);
  const a = parseArgs([
    'https://app.example.com', '--collateral', 'c.json', '--pccs', 'https://api.trustedservices.intel.com', '--now', '2026-08-29T10:40:00Z',
    '--nonce', '0xAA', '--report-data', 'bb', '--expect-compose-hash', h32, '--expect-app-id', h20, '--expect-mrtd', h48,
    '--expect-rtmr', `0=${h48}`, '--expect-rtmr=3=' + h48, '--expect-os-image-hash', h32, '--tcb-policy', 'strict',
    '--allow-tcb', 'UpToDate,SWHardeningNeeded', '--allow-tcb', 'ConfigurationNeeded', '--allow-debug',
    '--require-pinned-images', '--json', '--save-evidence', 'out.json', '--quiet',
  ]);
  assert.equal(a.command, 'verify');
  assert.deepEqual(a.targets, ['https://app.example.com']);
  assert.equal(a.collateralFile, 'c.json');
  assert.equal(a.saveEvidence, 'out.json');
  assert.equal(a.json, true);
  assert.equal(a.quiet, true);
  assert.deepEqual(a.options, {
    now: 1788000000, nonce: 'aa', reportData: 'bb', pccsUrl: 'https://api.trustedservices.intel.com',
    policy: {
      tcb: 'strict', allowTcb: ['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded'], allowDebug: true, requirePinnedImages: true,
      expect: { composeHash: h32, appId: h20, mrtd: h48, osImageHash: h32, rtmr: { 0: h48, 3: h48 } },
    },
  });
  assert.equal(parseArgs(['--help']).command, 'help');
  assert.equal(parseArgs(['x', '-V']).command, 'version');
  const m = parseArgs(['monitor', 'https://a.example', 'http://127.0.0.1:1', '--interval', '60', '--once', '--json', '--now', '1788000000']);
  assert.equal(m.command, 'monitor');
  assert.deepEqual(m.targets, ['https://a.example', 'http://127.0.0.1:1']);
  assert.equal(m.interval, 60);
  assert.equal(m.once, true);
  assert.equal(parseArgs(['monitor', 'https://a.example']).interval, 300);
  assert.deepEqual(parseArgs(['--', '-']).targets, ['-']);
});

test('parseArgs: usage errors', () => {
  const bad = [
    [], ['a', 'b'], ['x', '--bogus'], ['x', '--now'], ['x', '--now', 'soon'], ['x', '--json=1'],
    ['x', '--expect-compose-hash', 'abcd'], ['x', '--expect-rtmr', '4=' + 'cd'.repeat(48)], ['x', '--expect-rtmr', 'cd'],
    ['x', '--expect-rtmr', '1=' + 'cd'.repeat(48), '--expect-rtmr', '1=' + 'cd'.repeat(48)],
    ['x', '--tcb-policy', 'lax'], ['x', '--allow-tcb', 'Fine'], ['x', '--nonce', 'xyz'], ['x', '--pccs', 'pccs.example'],
    ['x', '--interval', '5'], ['x', '--once'], ['x', '--nonce', 'aa', '--nonce', 'bb'], ['ftp://x'],
    ['monitor'], ['monitor', 'file.json'], ['monitor', 'https://a', '--save-evidence', 'f'], ['monitor', 'https://a', '--interval', '0'],
  ];
  for (const args of bad) assert.throws(() => parseArgs(args), UsageError, JSON.stringify(args));
});

test('formatReport and monitor lines', () => {
  /** @type {any} */
  const report = {
    schema: 'cvm-verify/report/v1', verdict: 'fail', verified_at: 1788000000, verifier: { version: '0.1.0', wasm_sha256: '00' },
    checks: CHECK_IDS.map((id, i) => ({
      id, status: ['pass', 'warn', 'fail', 'skip'][i % 4], code: i % 4 === 0 ? 'OK' : 'NONCE_MISMATCH',
      message: `message ${i}\u001b[31m`, enforced: id !== 'app.images_pinned',
    })),
    tcb: { status: 'UpToDate', advisory_ids: [] }, collateral: { expires_at: '2026-09-11T23:57:43Z', source: 'supplied' },
    app: { compose_hash: 'ab'.repeat(32), images: [{ service: 'web', image: 'nginx:latest', pinned: false }] },
  };
  const text = formatReport(report, { color: false });
  const lines = text.split('\n');
  for (const [i, id] of CHECK_IDS.entries()) {
    const line = lines.find((l) => l.includes(` ${id} `));
    assert.ok(line, id);
    assert.ok(line.trimStart().startsWith(['✓', '!', '✗', '–'][i % 4]), line);
    assert.ok(line.includes(['pass', 'warn', 'fail', 'skip'][i % 4]));
  }
  assert.doesNotMatch(text, /\u001b/, 'no escape sequences without colour, not even from messages');
  assert.match(text, /TCB status: +UpToDate \(advisories: none\)/);
  assert.match(text, /Collateral: +expires 2026-09-11T23:57:43Z \(source: supplied\)/);
  assert.match(text, /Compose hash: +abab/);
  assert.match(text, /unpinned web: nginx:latest/);
  assert.match(text, /Verdict: +FAIL/);
  assert.match(formatReport(report, { color: true }), /\u001b\[31m✗/);
  const r1 = monitorResult('https://a', report, null, 1, new Date(0));
  assert.equal(r1.verdict, 'fail');
  assert.deepEqual(r1.failed?.map((c) => c.id), CHECK_IDS.filter((_, i) => i % 4 === 2));
  assert.match(formatMonitorLine(r1), /^1970-01-01T00:00:00.000Z FAIL +https:\/\/a tcb=UpToDate failed: collateral\.validity\(NONCE_MISMATCH\) os\.image\(NONCE_MISMATCH\) app\.images_pinned/);
  const r2 = monitorResult('https://b', null, Object.assign(new Error('down\nhard'), { code: 'FETCH_FAILED' }), 3);
  assert.equal(r2.verdict, 'error');
  assert.equal(formatMonitorLine(r2).split('\n').length, 1);
  assert.match(formatMonitorLine(r2), /ERROR https:\/\/b FETCH_FAILED: down hard/);
});
