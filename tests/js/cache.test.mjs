// The verification cache through the production WASM (src/cache.h, docs/core-api.md): for every vector of
// tests/vectors/cases.json, warm answers (cv_run_cached, collateral already verified) are byte-identical to cold
// ones (cv_run); tampered quotes still fail warm; a cached collateral is not used outside its validity window;
// a collateral with one byte changed does not hit; and js/wasm.js's run() (which uses the instance's cache)
// answers as cv_run does; and the forged-PKI negative matrix (150 attacks) run warm, through one cache, gives the
// native (uncached) reports. No timing assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';
import { run as runLoader } from '../../js/wasm.js';

const VECTORS = join(ROOT, 'tests/vectors');
const WASM = process.env.CVM_VERIFY_WASM || join(ROOT, 'build/cvm-verify.wasm');
const cases = JSON.parse(readFileSync(join(VECTORS, 'cases.json'), 'utf8')).cases;
const read = (/** @type {string} */ p) => readFileSync(join(VECTORS, p));
const json = (/** @type {string} */ p) => JSON.parse(read(p).toString('utf8'));

// cv_cache_stat (src/cache.h)
const STAT = { LOOKUPS: 0, HITS: 1, STALE: 2, STORES: 3, SIG_VERIFIED: 4, SIG_REUSED: 5 };

/** @param {any} c a case of cases.json */
function evidenceOf(c) {
  if (c.getquote_response) return { format: 'cvm-evidence/v1', attestation: json(c.getquote_response), info: json(c.info_response) };
  if (c.info_tcb_info) return json(c.info_tcb_info);
  if (c.quote_encoding === 'json-byte-array') return json(c.quote);
  return read(c.quote).toString('hex');
}
/** @param {any} c */
const requestOf = (c) => ({ op: 'verify', now: c.now ?? 1788000000, evidence: evidenceOf(c), collateral: c.collateral ? json(c.collateral) : null });

/** @type {any} */
let ex;
let cache = 0;
async function core() {
  if (ex) return;
  const { instance } = await WebAssembly.instantiate(readFileSync(WASM),
    { env: { emscripten_notify_memory_growth() {} }, wasi_snapshot_preview1: {} });
  ex = instance.exports;
  if (ex._initialize) ex._initialize();
  cache = ex.cv_cache_new();
  assert.ok(cache, 'cv_cache_new returned 0');
}

const encoder = new TextEncoder();
/**
 * Runs a request on the module, cold (cv_run) or with the cache (cv_run_cached); returns the response text.
 * @param {object} request @param {boolean} warm
 */
function runRaw(request, warm) {
  const req = encoder.encode(JSON.stringify(request));
  const p = ex.cv_alloc(Math.max(req.length, 1));
  new Uint8Array(ex.memory.buffer, p, req.length).set(req);
  const r = warm ? ex.cv_run_cached(cache, p, req.length) : ex.cv_run(p, req.length);
  ex.cv_free(p);
  assert.ok(r, 'the core returned 0');
  const len = new DataView(ex.memory.buffer).getUint32(r, true);
  const text = Buffer.from(new Uint8Array(ex.memory.buffer, r + 4, len)).toString('utf8');
  ex.cv_free(r);
  return text;
}
const stat = (/** @type {number} */ i) => ex.cv_cache_get_stat(cache, i);

/** Cold and warm answers to request, asserted byte-identical; returns the parsed answer. @param {object} request @param {string} what */
function both(request, what) {
  const cold = runRaw(request, false);
  const warm = runRaw(request, true);
  assert.equal(warm, cold, `${what}: the cached answer differs from the uncached one`);
  return JSON.parse(cold);
}

const dcapCases = cases.filter((c) => c.collateral && c.quote);
const passing = dcapCases.filter((c) => c.expect.hardware === 'pass');

test('every vector: warm answers are byte-identical to cold ones, and the warm path hits', async () => {
  await core();
  for (let round = 0; round < 3; round++) {
    for (const c of cases) {
      const request = requestOf(c);
      const hits = stat(STAT.HITS), verified = stat(STAT.SIG_VERIFIED);
      const r = both(request, `${c.id} (round ${round})`);
      assert.equal(r.schema, 'cvm-verify/report/v1', c.id);
      if (round > 0 && passing.includes(c)) {
        assert.equal(stat(STAT.HITS), hits + 1, `${c.id}: no cache hit on round ${round}`);
        assert.equal(stat(STAT.SIG_VERIFIED), verified, `${c.id}: a collateral or certificate signature was computed again`);
      }
    }
  }
  assert.ok(stat(STAT.SIG_REUSED) > 0);
});

/** The byte offsets of the quote's signed regions (quote.h): header, body end, signature, key, QE report, its signature. @param {Uint8Array} q */
function spots(q) {
  const dv = new DataView(q.buffer, q.byteOffset, q.byteLength);
  const version = dv.getUint16(0, true);
  let signedLen;
  if (version === 3) signedLen = 48 + 384;
  else if (version === 4) signedLen = 48 + 584;
  else signedLen = 48 + 6 + dv.getUint32(50, true);
  const sig = signedLen + 4;
  const key = sig + 64;
  const qeReport = key + 64 + 6;
  return { header: 8, body: signedLen - 1, sig: sig + 5, key: key + 7, qeReport: qeReport + 100, qeSig: qeReport + 384 + 40 };
}

/** @param {any} c */
function quoteBytes(c) {
  return c.quote_encoding === 'json-byte-array' ? Uint8Array.from(json(c.quote)) : new Uint8Array(read(c.quote));
}
/** @param {any} c @param {Uint8Array} q */
function withQuote(c, q) {
  const request = requestOf(c);
  request.evidence = Buffer.from(q).toString('hex');
  return request;
}

test('tampered quotes fail warm, exactly as cold', async () => {
  await core();
  for (const c of passing.filter((x) => x.quote && x.now)) {
    const good = quoteBytes(c);
    const hw = (/** @type {any} */ r) => r.checks.find((/** @type {any} */ x) => x.id === 'hardware.signature').status;
    assert.equal(hw(both(withQuote(c, good), `${c.id}: good quote`)), 'pass'); // fills (or refreshes) the cache
    const pemEnd = Buffer.from(good).indexOf('-----END CERTIFICATE-----');
    const offsets = { ...spots(good), pckLeafSignature: pemEnd - 10, pckLeafBody: pemEnd - 600 };
    for (const [name, off] of Object.entries(offsets)) {
      const q = Uint8Array.from(good);
      q[off] ^= 0x01;
      const hits = stat(STAT.HITS);
      const r = both(withQuote(c, q), `${c.id}: tampered ${name}`);
      assert.equal(r.verdict, 'fail', `${c.id}: a quote with a tampered ${name} passed: ${JSON.stringify(r.checks.slice(0, 3))}`);
      assert.equal(stat(STAT.HITS), hits + 1, `${c.id}: tampered ${name}: the cache was not consulted`);
    }
    assert.equal(hw(both(withQuote(c, good), `${c.id}: good quote again`)), 'pass');
  }
});

test('a cached collateral outside its validity window is not used, and fails', async () => {
  await core();
  const c = cases.find((x) => x.id === 'dcap-tdx-v4');
  both(requestOf(c), 'fill');
  for (const now of [1752919236, 1752920000, 1788000000, 1750320000]) {
    const hits = stat(STAT.HITS), stale = stat(STAT.STALE);
    const r = both({ ...requestOf(c), now }, `now ${now}`);
    assert.equal(r.verdict, 'fail', `now ${now}`);
    assert.ok(['CRL_EXPIRED', 'COLLATERAL_NOT_YET_VALID'].includes(r.checks.find((/** @type {any} */ x) => x.id === 'collateral.validity').code));
    assert.equal(stat(STAT.HITS), hits, `now ${now}: a stale entry was used`);
    assert.equal(stat(STAT.STALE), stale + 1);
  }
});

test('a collateral with one byte changed does not hit the cache', async () => {
  await core();
  for (const c of passing) {
    both(requestOf(c), `${c.id}: fill`);
    for (const key of ['tcb_info', 'qe_identity', 'tcb_info_signature', 'qe_identity_signature', 'pck_crl', 'root_ca_crl', 'tcb_info_issuer_chain']) {
      const request = requestOf(c);
      const coll = /** @type {Record<string, any>} */ (request.collateral);
      const v = String(coll[key]);
      // The first hex digit after a third of the value: hex stays hex, base64 stays base64, JSON stays JSON.
      let i = Math.floor(v.length / 3);
      while (!/[0-9a-f]/.test(v[i])) i++;
      coll[key] = v.slice(0, i) + (v[i] === '0' ? '1' : '0') + v.slice(i + 1);
      const hits = stat(STAT.HITS), lookups = stat(STAT.LOOKUPS);
      const r = both(request, `${c.id}: ${key} changed`);
      assert.equal(stat(STAT.LOOKUPS), lookups + 1);
      assert.equal(stat(STAT.HITS), hits, `${c.id}: ${key} changed, yet the cache hit`);
      assert.equal(r.verdict, 'fail', `${c.id}: ${key} changed, yet the verdict is ${r.verdict}`);
    }
  }
});

test('js/wasm.js run() (the instance cache) answers as cv_run does, first and repeated', async () => {
  await core();
  for (const c of cases) {
    const request = requestOf(c);
    const cold = JSON.parse(runRaw(request, false));
    assert.deepEqual(await runLoader(request), cold, c.id);
    assert.deepEqual(await runLoader(request), cold, `${c.id} (repeated)`);
    assert.deepEqual(await runLoader(request, { cache: false }), cold, `${c.id} (cache: false)`);
  }
});

test('the whole forged-PKI negative matrix, run warm (one cache for all its cases), gives the same reports as native', async (t) => {
  const WASM_TEST = process.env.CVM_VERIFY_TEST_WASM || join(ROOT, 'build/cvm-verify-test.wasm');
  const NATIVE = process.env.CVM_VERIFY_NATIVE || join(ROOT, 'build/native/cvm-verify-native');
  if (!existsSync(WASM_TEST) || !existsSync(NATIVE)) {
    t.skip('needs build/cvm-verify-test.wasm and build/native/cvm-verify-native (make wasm-test native)');
    return;
  }
  // Run as a plain script (TAP on stdout), not as a child of this test runner.
  const childEnv = { ...process.env };
  delete childEnv.NODE_TEST_CONTEXT;
  // negative-matrix.test.mjs compares every report of the WASM test build with the uncached native runner's,
  // and asserts each case's exact code; the preload makes its cv_run go through cv_run_cached.
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'tests/js/cache-matrix-preload.mjs'),
    join(ROOT, 'tests/js/negative-matrix.test.mjs')], { encoding: 'utf8', maxBuffer: 1 << 26, env: childEnv });
  const failed = (r.stdout.match(/^not ok .*$/gm) || []).slice(0, 5).join('\n');
  assert.equal(r.status, 0, `the negative matrix failed warm:\n${failed}\n${r.stderr.slice(-2000)}`);
  const m = r.stderr.match(/CVM_CACHE_STATS (.*)/);
  assert.ok(m, 'the preload did not report');
  const [stats] = JSON.parse(m[1]);
  assert.ok(stats && stats[STAT.HITS] > 50 && stats[STAT.SIG_REUSED] > 500, `the matrix barely used the cache: ${m[1]}`);
});
