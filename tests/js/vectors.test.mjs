// Every real vector of tests/vectors/cases.json through the production WASM (the module the package ships) and
// through the native build, asserting the expected results and that both builds write the same report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, CHECK_ORDER } from './helpers.mjs';
import { run as runWasm } from '../../js/wasm.js';

const VECTORS = join(ROOT, 'tests/vectors');
const NATIVE = join(ROOT, 'build/native/cvm-verify-native');
const cases = JSON.parse(readFileSync(join(VECTORS, 'cases.json'), 'utf8')).cases;
const read = (/** @type {string} */ p) => readFileSync(join(VECTORS, p));
const json = (/** @type {string} */ p) => JSON.parse(read(p).toString('utf8'));

/** The evidence of a case in the shape cases.json names. */
function evidenceOf(c) {
  if (c.getquote_response) {
    return { format: 'cvm-evidence/v1', attestation: json(c.getquote_response), info: json(c.info_response) };
  }
  if (c.info_tcb_info) return json(c.info_tcb_info);
  if (c.quote_encoding === 'json-byte-array') return json(c.quote);
  return read(c.quote).toString('hex');
}

function requestOf(c) {
  return { op: 'verify', now: c.now ?? 1788000000, evidence: evidenceOf(c), collateral: c.collateral ? json(c.collateral) : null };
}

/** The native runner's answer to the same request, as parsed JSON. */
function runNative(request, dir) {
  const file = join(dir, 'request.json');
  writeFileSync(file, JSON.stringify(request));
  let out;
  try {
    out = execFileSync(NATIVE, [file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  } catch (e) {
    out = /** @type {any} */ (e).stdout; // exit 1 = an error response, still JSON
  }
  return JSON.parse(out);
}

const check = (r, id) => r.checks.find((/** @type {any} */ x) => x.id === id);

for (const c of cases) {
  test(`vector ${c.id}: expected results, native and WASM identical`, async () => {
    const request = requestOf(c);
    const wasm = await runWasm(request);
    const dir = mkdtempSync(join(tmpdir(), 'cvm-vec-'));
    try {
      assert.deepEqual(runNative(request, dir), wasm, 'native and WASM reports differ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(wasm.schema, 'cvm-verify/report/v1');
    assert.deepEqual(wasm.checks.map((/** @type {any} */ x) => x.id), CHECK_ORDER);
    const e = c.expect;
    if (e.tee) assert.equal(wasm.quote.tee, e.tee);
    if (e.version) assert.equal(wasm.quote.version, e.version);
    if (e.body_type) assert.equal(wasm.quote.body_type, e.body_type);
    if (e.fmspc) assert.equal(wasm.platform.fmspc, e.fmspc);
    if (e.pck_ca) assert.equal(wasm.platform.pck_ca, e.pck_ca);
    if (e.hardware === 'pass') {
      for (const id of ['quote.format', 'hardware.signature', 'collateral.validity', 'td.attributes']) {
        assert.equal(check(wasm, id).status, 'pass', `${id}: ${check(wasm, id).message}`);
      }
      assert.equal(wasm.tcb.status, e.tcb_status);
      assert.deepEqual(wasm.tcb.advisory_ids, e.advisory_ids);
      assert.notEqual(wasm.verdict, 'fail');
    }
    if (e.hardware === 'fail') {
      assert.equal(wasm.verdict, 'fail');
      const failing = wasm.checks.filter((/** @type {any} */ x) => x.status === 'fail').map((/** @type {any} */ x) => x.code);
      assert.ok(failing.includes(e.code), `expected ${e.code} among ${failing}`);
      assert.ok(!wasm.checks.some((/** @type {any} */ x) => x.status === 'pass' && x.id === 'tcb.status'));
    }
    if (e.rtmr_replay) assert.deepEqual(wasm.event_log.rtmr.map((/** @type {any} */ r) => r.match), e.rtmr_replay);
    if (e.rtmr_replay_vs_tcb_info) {
      // No quote: the replay is compared with tcb_info's own (unsigned) rtmr claims, and the report says so.
      assert.deepEqual(wasm.event_log.rtmr.map((/** @type {any} */ r) => r.match), e.rtmr_replay_vs_tcb_info);
      assert.equal(check(wasm, 'hardware.signature').status, 'fail');
      assert.equal(wasm.verdict, 'fail');
    }
    if (e.compose_hash_check) assert.equal(check(wasm, 'app.compose_hash').status, e.compose_hash_check);
    if (e.compose_hash) assert.equal(wasm.app.compose_hash, e.compose_hash);
    if (e.mr_config_id) assert.equal(wasm.quote.mr_config_id, e.mr_config_id);
    if (e.app_id) assert.equal(wasm.app.app_id, e.app_id);
    if ('instance_id' in e) assert.equal(wasm.app.instance_id, e.instance_id);
    if (e.key_provider) assert.deepEqual(wasm.app.key_provider, e.key_provider);
    if (e.report_data) assert.ok(wasm.quote.report_data.startsWith(e.report_data));
    if (e.runtime_events) {
      const names = wasm.event_log.events.filter((/** @type {any} */ x) => x.type === 134217729).map((/** @type {any} */ x) => x.name);
      assert.deepEqual(names, e.runtime_events);
    }
  });
}

test('the near-mpc recording is not fresh for a nonce of ours: NONCE_MISMATCH', async () => {
  const c = cases.find((x) => x.id === 'dstack-near-mpc');
  const r = await runWasm({ ...requestOf(c), nonce: 'aa'.repeat(32) });
  assert.equal(check(r, 'freshness.nonce').code, 'NONCE_MISMATCH');
  assert.equal(r.verdict, 'fail');
});
