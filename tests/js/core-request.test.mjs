// The core's own strictness through the WASM entry point (docs/core-api.md), for hosts that call it without
// the JS layer: a request key the core does not know is REQUEST_MALFORMED naming the key, at any level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../js/wasm.js';

const HASH = '00'.repeat(32);
const base = { op: 'verify', now: 1788000000, evidence: '04' };

test('WASM: a misspelt policy.expect key is REQUEST_MALFORMED naming it', async () => {
  const good = await run({ ...base, policy: { expect: { compose_hash: HASH } } });
  assert.equal(good.schema, 'cvm-verify/report/v1', 'the correctly spelt request gives a report');
  const bad = await run({ ...base, policy: { expect: { compose_hsh: HASH } } });
  assert.equal(bad.error?.code, 'REQUEST_MALFORMED');
  assert.match(bad.error.message, /policy\.expect\.compose_hsh/);
});

test('WASM: unknown keys at the top, in policy, in verifier and in inspect are rejected', async () => {
  for (const [req, key] of /** @type {[object, string][]} */ ([
    [{ ...base, polcy: {} }, 'polcy'],
    [{ ...base, policy: { allowDebug: true } }, 'policy.allowDebug'],
    [{ ...base, verifier: { version: '1', sha: '' } }, 'verifier.sha'],
    [{ op: 'inspect', evidence: '04', nonce: HASH }, 'nonce'],
  ])) {
    const res = await run(req);
    assert.equal(res.error?.code, 'REQUEST_MALFORMED', JSON.stringify(req));
    assert.ok(res.error.message.includes(key), `${res.error.message} names ${key}`);
  }
});

// ---- issue 13 items 2 and 3, through the same entry point, on the real near-mpc recording ----
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';

const V = join(ROOT, 'tests/vectors/dstack');
const json = (/** @type {string} */ f) => JSON.parse(readFileSync(join(V, f), 'utf8'));
const GETQUOTE = json('near-mpc_getquote.json');
const INFO = json('near-mpc_info.json');
const COLLATERAL = json('near-mpc_collateral.json');
const NOW = 1788000000;
/** The recording as a bundle that records the nonce its quote was made for. */
const bundle = () => ({ format: 'cvm-evidence/v1', nonce: GETQUOTE.report_data.slice(0, 64), attestation: GETQUOTE, info: INFO });
const check = (/** @type {any} */ r, /** @type {string} */ id) => r.checks.find((/** @type {any} */ c) => c.id === id);

test('a bundle\'s own nonce leaves freshness.nonce skipped (NONCE_SELF_ASSERTED) unless nonce_from_evidence', async () => {
  const own = await run({ op: 'verify', now: NOW, evidence: bundle(), collateral: COLLATERAL });
  assert.equal(check(own, 'freshness.nonce').status, 'skip');
  assert.equal(check(own, 'freshness.nonce').code, 'NONCE_SELF_ASSERTED');
  assert.equal(own.evidence.nonce_source, 'bundle');
  const re = await run({ op: 'verify', now: NOW, evidence: bundle(), collateral: COLLATERAL, nonce_from_evidence: true });
  assert.equal(check(re, 'freshness.nonce').status, 'pass', check(re, 'freshness.nonce').message);
  const wrong = { ...bundle(), nonce: 'ab'.repeat(32) };
  const bad = await run({ op: 'verify', now: NOW, evidence: wrong, collateral: COLLATERAL });
  assert.equal(check(bad, 'freshness.nonce').code, 'NONCE_MISMATCH', 'a bundle inconsistent with its own quote still fails');
});

test('a nonce shorter than 16 bytes is REQUEST_MALFORMED', async () => {
  const short = await run({ op: 'verify', now: NOW, evidence: '04', nonce: 'ab'.repeat(15) });
  assert.equal(short.error?.code, 'REQUEST_MALFORMED');
  const ok = await run({ op: 'verify', now: NOW, evidence: '04', nonce: 'ab'.repeat(16) });
  assert.equal(ok.schema, 'cvm-verify/report/v1');
});

test('app.images_pinned on an app-compose the quote does not bind: COMPOSE_UNBOUND', async () => {
  const tcb = JSON.parse(INFO.tcb_info);
  const compose = JSON.parse(tcb.app_compose);
  compose.docker_compose_file = 'services:\n  app:\n    image: evil@sha256:' + '0'.repeat(64) + '\n';
  const forged = { ...INFO, tcb_info: JSON.stringify({ ...tcb, app_compose: JSON.stringify(compose) }) };
  const req = { op: 'verify', now: NOW, evidence: { ...GETQUOTE, info: forged }, collateral: COLLATERAL };
  const r = await run(req);
  assert.equal(check(r, 'app.compose_hash').status, 'fail');
  assert.deepEqual([check(r, 'app.images_pinned').status, check(r, 'app.images_pinned').code], ['skip', 'COMPOSE_UNBOUND']);
  const strict = await run({ ...req, policy: { require_pinned_images: true } });
  assert.deepEqual([check(strict, 'app.images_pinned').status, check(strict, 'app.images_pinned').code], ['fail', 'COMPOSE_UNBOUND']);
  const genuine = await run({ ...req, evidence: { ...GETQUOTE, info: INFO } });
  assert.equal(check(genuine, 'app.compose_hash').status, 'pass');
  assert.notEqual(check(genuine, 'app.images_pinned').code, 'COMPOSE_UNBOUND');
});

test('op tables: the check ids, statuses, reason codes and TCB statuses, from the core', async () => {
  const t = await run({ op: 'tables' });
  const { CHECK_ORDER } = await import('./helpers.mjs');
  assert.deepEqual(t.checks, CHECK_ORDER);
  assert.deepEqual(t.statuses, ['pass', 'warn', 'fail', 'skip']);
  const doc = readFileSync(join(ROOT, 'docs/reason-codes.md'), 'utf8');
  for (const code of t.reason_codes) assert.ok(doc.includes(`| \`${code}\` |`), `${code} is documented`);
  assert.ok(t.reason_codes.includes('NONCE_SELF_ASSERTED') && t.reason_codes.includes('COMPOSE_UNBOUND'));
  assert.ok(t.tcb_statuses.includes('UpToDate') && t.tcb_statuses.includes('Revoked'));
});

test('op inspect: what is present and what to fetch', async () => {
  const withQuote = await run({ op: 'inspect', evidence: { ...GETQUOTE, info: INFO } });
  assert.deepEqual(withQuote.present, { quote: true, collateral: false, event_log: true, app_compose: true, nonce: false });
  assert.deepEqual(withQuote.fetch, [{ kind: 'collateral', tee: 'TDX', fmspc: withQuote.fmspc, pck_ca: withQuote.pck_ca }]);
  const withColl = await run({ op: 'inspect', evidence: { ...bundle(), collateral: COLLATERAL } });
  assert.equal(withColl.present.collateral, true);
  assert.equal(withColl.present.nonce, true);
  assert.deepEqual(withColl.fetch, []);
});
