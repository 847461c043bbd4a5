// End-to-end tests of the JS API on the real near/mpc recording, through the WASM core and the mock servers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  verifyCvm, verifyEvidence, verifyQuote, fetchCollateral, evidenceOf, CHECK_IDS, VERSION, CollateralCache,
} from '../../js/index.js';
import { startMockCvm } from '../mocks/cvm.mjs';
import { startMockPccs, NEAR_MPC_COLLATERAL } from '../mocks/pccs.mjs';
import { NOW, vecJson, check, assertReportSchema, deadPort, ROOT, CHECK_ORDER, tempDir, join } from './helpers.mjs';

const GETQUOTE = vecJson('near-mpc_getquote.json');
const INFO = vecJson('near-mpc_info.json');
const COLLATERAL = vecJson('near-mpc_collateral.json');
const BUNDLE = { format: 'cvm-evidence/v1', attestation: GETQUOTE, info: INFO };
const COMPOSE_HASH = '2911e1f733466216dedb862d6d669e11256ee7a34ce4dbc66c4b807ba7a9c895';
const APP_ID = '2911e1f733466216dedb862d6d669e11256ee7a3';
/** A fetch that must not be called: proves a verification was offline. */
const noNetwork = /** @type {typeof fetch} */ (async (url) => { throw new Error(`unexpected network access to ${url}`); });

/** @param {Promise<unknown>} p @param {string} code @param {RegExp} [msg] */
async function rejectsWith(p, code, msg) {
  await assert.rejects(p, (e) => {
    assert.equal(/** @type {any} */ (e).code, code, /** @type {any} */ (e).message);
    if (msg) assert.match(/** @type {any} */ (e).message, msg);
    return true;
  });
}

test('CHECK_IDS is the interface order', () => {
  assert.deepEqual([...CHECK_IDS], CHECK_ORDER);
});

test('verifyCvm on the replayed recording: hardware, collateral, event log and compose hash pass; the nonce fails', async (t) => {
  const cvm = await startMockCvm();
  const pccs = await startMockPccs();
  t.after(() => Promise.all([cvm.close(), pccs.close()]));
  const report = await verifyCvm(cvm.url, { pccsUrl: pccs.url, now: NOW, cache: false });
  assertReportSchema(report, assert);
  assert.equal(report.verified_at, NOW);
  assert.equal(report.verifier.version, VERSION);
  assert.equal(report.verifier.wasm_sha256, (await import('../../js/wasm-sha256.js')).WASM_SHA256);
  for (const id of ['quote.format', 'hardware.signature', 'collateral.validity', 'tcb.status', 'td.attributes', 'eventlog.replay', 'app.compose_hash']) {
    assert.equal(check(report, id).status, 'pass', `${id}: ${check(report, id).message}`);
  }
  const fresh = check(report, 'freshness.nonce');
  assert.equal(fresh.status, 'fail');
  assert.equal(fresh.code, 'NONCE_MISMATCH');
  assert.equal(fresh.enforced, true);
  assert.equal(report.verdict, 'fail');
  assert.equal(report.tcb?.status, 'UpToDate');
  assert.equal(report.app?.compose_hash, COMPOSE_HASH);
  assert.equal(report.app?.app_id, APP_ID);
  assert.equal(report.platform?.fmspc, 'B0C06F000000');
  assert.equal(report.collateral?.source, pccs.url);
  // The CVM got our fresh nonce; the PCCS got the quote's FMSPC and CA.
  const att = cvm.requests.find((r) => r.path === '/attestation');
  assert.match(att?.query.reportData ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(pccs.requests.find((r) => r.path.endsWith('/pckcrl'))?.query, { ca: 'platform', encoding: 'der' });
  assert.deepEqual(pccs.requests.find((r) => r.path === '/tdx/certification/v4/tcb')?.query, { fmspc: 'B0C06F000000' });
  // The bundle: non-enumerable, complete, and it re-verifies offline with the same verdict.
  assert.ok(!('evidence' in JSON.parse(JSON.stringify(report))));
  assert.ok(!Object.keys(report).includes('evidence'));
  const bundle = evidenceOf(report);
  assert.equal(bundle, report.evidence);
  assert.equal(bundle?.format, 'cvm-evidence/v1');
  assert.equal(bundle?.source_url, cvm.url);
  assert.equal(bundle?.nonce, att?.query.reportData);
  assert.deepEqual(bundle?.attestation, GETQUOTE);
  assert.deepEqual(bundle?.info, INFO);
  const { pck_certificate_chain: _x, ...fetched } = COLLATERAL;
  assert.deepEqual(bundle?.collateral, fetched);
  assert.deepEqual(bundle?.report, JSON.parse(JSON.stringify(report)));
  const again = await verifyEvidence(JSON.stringify(bundle), { now: NOW, fetch: noNetwork });
  assert.equal(again.verdict, report.verdict);
  assert.deepEqual(again.checks.map((c) => [c.id, c.status, c.code]), report.checks.map((c) => [c.id, c.status, c.code]));
});

test('verifyCvm with the nonce the recording happens to carry: freshness passes', async (t) => {
  const cvm = await startMockCvm();
  t.after(() => cvm.close());
  const nonce = GETQUOTE.report_data.slice(0, 64);
  const report = await verifyCvm(cvm.url, { nonce, collateral: COLLATERAL, now: NOW });
  assert.equal(cvm.requests.find((r) => r.path === '/attestation')?.query.reportData, nonce);
  assert.equal(check(report, 'freshness.nonce').status, 'pass', check(report, 'freshness.nonce').message);
  assert.equal(report.collateral?.source, 'supplied');
  assert.notEqual(report.verdict, 'fail', JSON.stringify(report.checks.filter((c) => c.status === 'fail')));
});

test('verifyCvm accepts a 0x-prefixed top-level quote and an app without /info', async (t) => {
  const cvm = await startMockCvm({ attestation: { quote: '0x' + GETQUOTE.quote.toUpperCase(), event_log: GETQUOTE.event_log }, info: null });
  t.after(() => cvm.close());
  const report = await verifyCvm(cvm.url, { collateral: COLLATERAL, now: NOW });
  assert.equal(check(report, 'hardware.signature').status, 'pass');
  assert.equal(check(report, 'eventlog.replay').status, 'pass');
  assert.notEqual(check(report, 'app.compose_hash').status, 'pass', 'no Info, so no app_compose to check');
  assert.match(String(report.evidence.info_error), /HTTP 404/);
});

test('verifyEvidence on GetQuote + Info with supplied collateral: no nonce, freshness skipped, verdict not fail', async () => {
  const report = await verifyEvidence(BUNDLE, { collateral: COLLATERAL, now: NOW, fetch: noNetwork });
  assertReportSchema(report, assert);
  assert.equal(check(report, 'freshness.nonce').status, 'skip');
  assert.equal(check(report, 'hardware.signature').status, 'pass');
  assert.equal(check(report, 'app.compose_hash').status, 'pass');
  assert.notEqual(report.verdict, 'fail', JSON.stringify(report.checks.filter((c) => c.status === 'fail')));
  assert.equal(report.collateral?.source, 'supplied');
  // Same from JSON text and from UTF-8 bytes.
  const fromText = await verifyEvidence(JSON.stringify(BUNDLE), { collateral: JSON.stringify(COLLATERAL), now: NOW, fetch: noNetwork });
  const fromBytes = await verifyEvidence(new TextEncoder().encode(JSON.stringify(BUNDLE)), { collateral: COLLATERAL, now: NOW, fetch: noNetwork });
  for (const r of [fromText, fromBytes]) assert.deepEqual(r.checks, report.checks);
  const labelled = await verifyEvidence(BUNDLE, { collateral: COLLATERAL, collateralSource: 'https://pccs.example', now: NOW, fetch: noNetwork });
  assert.equal(labelled.collateral?.source, 'https://pccs.example');
});

test('verifyEvidence fetches collateral when none is supplied, and caches it', async (t) => {
  const pccs = await startMockPccs();
  t.after(() => pccs.close());
  const cache = new CollateralCache({ clock: () => NOW * 1000 });
  const r1 = await verifyEvidence(GETQUOTE, { pccsUrl: pccs.url + '/sgx/certification/v4', now: NOW, cache });
  assert.equal(check(r1, 'hardware.signature').status, 'pass');
  assert.equal(r1.collateral?.source, pccs.url);
  assert.equal(pccs.requests.length, 4);
  const r2 = await verifyEvidence(GETQUOTE, { pccsUrl: pccs.url, now: NOW, cache });
  assert.deepEqual(r2.checks, r1.checks);
  assert.equal(pccs.requests.length, 4, 'second verification used the cache');
});

test('fetchCollateral reads FMSPC and CA from the quote through the core', async (t) => {
  const pccs = await startMockPccs();
  t.after(() => pccs.close());
  const quoteBytes = Uint8Array.from(vecJson('near-mpc_quote.json'));
  const c = await fetchCollateral(quoteBytes, { pccsUrl: pccs.url, cache: false });
  assert.equal(c.tcb_info, NEAR_MPC_COLLATERAL.tcb_info);
  assert.equal(c.pck_crl, NEAR_MPC_COLLATERAL.pck_crl);
  assert.ok(pccs.requests.some((r) => r.query.fmspc === 'B0C06F000000'));
  assert.ok(pccs.requests.some((r) => r.query.ca === 'platform'));
  await rejectsWith(fetchCollateral(INFO, { pccsUrl: pccs.url }), 'EVIDENCE_MALFORMED');
});

test('verifyQuote: DCAP only, from bytes, hex and byte arrays', async () => {
  const arr = vecJson('near-mpc_quote.json');
  const bytes = Uint8Array.from(arr);
  const opts = { collateral: COLLATERAL, now: NOW, fetch: noNetwork };
  const r = await verifyQuote(bytes, opts);
  assertReportSchema(r, assert);
  assert.equal(check(r, 'hardware.signature').status, 'pass');
  assert.equal(check(r, 'tcb.status').status, 'pass');
  assert.equal(check(r, 'app.compose_hash').status, 'skip');
  assert.equal(r.quote?.tee, 'TDX');
  assert.equal(r.quote?.version, 4);
  for (const other of [arr, GETQUOTE.quote, '0x' + GETQUOTE.quote.toUpperCase(), GETQUOTE]) {
    assert.deepEqual((await verifyQuote(other, opts)).checks, r.checks);
  }
});

test('policy options reach the core', async () => {
  const base = { collateral: COLLATERAL, now: NOW, fetch: noNetwork };
  const good = await verifyEvidence(BUNDLE, { ...base, policy: { tcb: 'strict', expect: { composeHash: COMPOSE_HASH, appId: APP_ID } } });
  assert.equal(check(good, 'policy.measurements').status, 'pass', check(good, 'policy.measurements').message);
  assert.equal(check(good, 'tcb.status').status, 'pass');
  const bad = await verifyEvidence(BUNDLE, { ...base, policy: { expect: { composeHash: 'ab'.repeat(32) } } });
  assert.equal(check(bad, 'policy.measurements').status, 'fail');
  assert.equal(check(bad, 'policy.measurements').code, 'MEASUREMENT_MISMATCH');
  assert.equal(bad.verdict, 'fail');
  const rd = await verifyEvidence(BUNDLE, { ...base, reportData: GETQUOTE.report_data });
  assert.equal(check(rd, 'report_data.binding').status, 'pass');
  const rdBad = await verifyEvidence(BUNDLE, { ...base, reportData: 'ff'.repeat(64) });
  assert.equal(check(rdBad, 'report_data.binding').status, 'fail');
  assert.equal(check(rdBad, 'report_data.binding').code, 'REPORT_DATA_MISMATCH');
  const nonceBad = await verifyEvidence(BUNDLE, { ...base, nonce: 'ee'.repeat(32) });
  assert.equal(check(nonceBad, 'freshness.nonce').code, 'NONCE_MISMATCH');
});

test('collateral outside its validity window fails the judgement (now matters)', async () => {
  const later = await verifyEvidence(BUNDLE, { collateral: COLLATERAL, now: Date.parse('2027-01-01T00:00:00Z') / 1000, fetch: noNetwork });
  assert.equal(later.verdict, 'fail');
  assert.equal(later.verified_at, Date.parse('2027-01-01T00:00:00Z') / 1000);
  assert.notEqual(check(later, 'collateral.validity').status, 'pass');
});

test('errors that prevent a judgement reject with a code', async (t) => {
  await rejectsWith(verifyEvidence('{"quote": '), 'EVIDENCE_MALFORMED', /not valid JSON/);
  await rejectsWith(verifyEvidence(''), 'EVIDENCE_MALFORMED');
  const port = await deadPort();
  await rejectsWith(verifyEvidence(GETQUOTE, { pccsUrl: `http://127.0.0.1:${port}`, now: NOW, cache: false }), 'FETCH_FAILED', new RegExp(`127\\.0\\.0\\.1:${port}`));
  await rejectsWith(verifyCvm(`http://127.0.0.1:${port}`, { collateral: COLLATERAL, now: NOW }), 'FETCH_FAILED', /attestation/);
  const cvm = await startMockCvm({ attestation: { hello: 'world' } });
  t.after(() => cvm.close());
  await rejectsWith(verifyCvm(cvm.url, { collateral: COLLATERAL, now: NOW }), 'EVIDENCE_MALFORMED');
});

test('the web sample, if present, verifies like the bundle', { skip: !safeRead(ROOT + 'web/sample-near-mpc.json') }, async () => {
  const sample = JSON.parse(safeRead(ROOT + 'web/sample-near-mpc.json') ?? '{}');
  const r = await verifyEvidence(sample, { now: NOW, fetch: noNetwork });
  assert.equal(check(r, 'hardware.signature').status, 'pass');
  assert.equal(check(r, 'freshness.nonce').status, 'skip');
});

/** @param {string} p */
function safeRead(p) {
  try { return readFileSync(p, 'utf8'); } catch { return null; }
}

test('the loader refuses a core whose SHA-256 differs from the recorded one', async (t) => {
  for (const tamper of ['hash', 'bytes']) {
    const dir = tempDir(t);
    for (const f of readdirSync(join(ROOT, 'js'))) if (f.endsWith('.js') || f.endsWith('.wasm')) copyFileSync(join(ROOT, 'js', f), join(dir, f));
    if (tamper === 'hash') {
      writeFileSync(join(dir, 'wasm-sha256.js'), `export const WASM_SHA256 = "${'0'.repeat(64)}";\n`);
    } else {
      const wasm = readFileSync(join(dir, 'cvm-verify.wasm'));
      wasm[wasm.length - 1] ^= 1;
      writeFileSync(join(dir, 'cvm-verify.wasm'), wasm);
    }
    const copy = await import(pathToFileURL(join(dir, 'index.js')).href);
    await rejectsWith(copy.verifyQuote(GETQUOTE.quote, { collateral: COLLATERAL, now: NOW }), 'INTERNAL', /SHA-256 .*refusing to run it/);
  }
});

test('option core: the badge core gives the same report as the full core, with its own SHA-256; an unknown core is refused', async () => {
  const full = await verifyEvidence(BUNDLE, { collateral: COLLATERAL, now: NOW, fetch: noNetwork });
  const badge = await verifyEvidence(BUNDLE, { collateral: COLLATERAL, now: NOW, fetch: noNetwork, core: 'badge' });
  assert.equal(check(badge, 'hardware.signature').status, 'pass');
  const badgeSha = (await import('../../js/wasm-badge-sha256.js')).WASM_BADGE_SHA256;
  assert.equal(badge.verifier.wasm_sha256, badgeSha);
  assert.notEqual(full.verifier.wasm_sha256, badgeSha);
  assert.deepEqual({ ...badge, verifier: null }, { ...full, verifier: null });
  await assert.rejects(verifyEvidence(BUNDLE, { collateral: COLLATERAL, now: NOW, fetch: noNetwork, core: 'tiny' }), { code: 'REQUEST_MALFORMED' });
});
