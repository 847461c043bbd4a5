// Issues 12.4, 13.3, 13.5, 13.6 and 18.5 on the JS side: the API's progress steps, the core's tables, the
// self-asserted nonce option, and the CLI's answers to bad input (exit 2 and a reason, never exit 1 or 3).
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { startMockPccs } from '../mocks/pccs.mjs';
import { run, tempDir, join, VEC, NOW, vec, vecJson, check } from './helpers.mjs';
import * as api from '../../js/index.js';
import { run as runCore } from '../../js/wasm.js';

const GETQUOTE_FILE = join(VEC, 'near-mpc_getquote.json');
const COLLATERAL_FILE = join(VEC, 'near-mpc_collateral.json');
const COLL = ['--collateral', COLLATERAL_FILE, '--now', String(NOW)];

test('CLI: a text file of junk is malformed evidence (exit 2), not a 6-byte quote', async (t) => {
  const f = join(tempDir(t), 'notes.txt');
  writeFileSync(f, 'hello\nthis is not evidence\n');
  const r = await run([f, ...COLL]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /EVIDENCE_MALFORMED: .*not hex \(nor JSON/);
  assert.equal(r.stdout, '');
});

test('CLI: a missing file says "no such file" (exit 2, not EVIDENCE_MALFORMED); host:port suggests http://', async (t) => {
  const missing = await run([join(tempDir(t), 'nope.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file/);
  assert.doesNotMatch(missing.stderr, /EVIDENCE_MALFORMED/);
  const hostPort = await run(['localhost:8090']);
  assert.equal(hostPort.code, 2);
  assert.match(hostPort.stderr, /no such file .*http:\/\/localhost:8090/);
});

test('CLI: JSON nested 100,000 levels is malformed input: exit 2 with a reason code, no stack overflow', async (t) => {
  const dir = tempDir(t);
  for (const [name, text] of [['arrays.json', '['.repeat(100000) + ']'.repeat(100000)],
    ['objects.json', '{"a":'.repeat(100000) + '1' + '}'.repeat(100000)]]) {
    const f = join(dir, name);
    writeFileSync(f, text);
    const r = await run([f, ...COLL]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /EVIDENCE_MALFORMED: .*nested deeper than/);
    const s = await run(['-', '--nonce', '00'.repeat(32), ...COLL], { input: text });
    assert.equal(s.code, 2, `${name} on stdin: ${s.stderr}`);
    assert.match(s.stderr, /EVIDENCE_MALFORMED/);
  }
});

test('API: a deeply nested object given directly is REQUEST_MALFORMED (exit 2), not a crash', async () => {
  const o = {};
  let p = /** @type {any} */ (o);
  for (let i = 0; i < 100000; i++) { p.a = {}; p = p.a; }
  await assert.rejects(api.verifyEvidence(o, { collateral: vecJson('near-mpc_collateral.json'), now: NOW }), (e) => {
    assert.equal(/** @type {any} */ (e).code, 'REQUEST_MALFORMED');
    assert.equal(api.exitCodeFor(null, e), 2);
    return true;
  });
});

test('CLI: evidence on standard input without --nonce warns that freshness is not checked', async () => {
  const input = vec('near-mpc_getquote.json');
  const without = await run(['-', ...COLL], { input });
  assert.match(without.stderr, /warning: evidence on standard input without --nonce: freshness is not checked/);
  const withNonce = await run(['-', '--nonce', 'ab'.repeat(32), ...COLL], { input });
  assert.doesNotMatch(withNonce.stderr, /warning/);
  assert.equal(withNonce.code, 1, 'a nonce the quote does not carry fails freshness');
});

test('CLI and API: two JSON answers back to back (curl /attestation; curl /info) are one bundle', async (t) => {
  const text = vec('near-mpc_getquote.json').trim() + '\n' + vec('near-mpc_info.json').trim() + '\n';
  const f = join(tempDir(t), 'both.json');
  writeFileSync(f, text);
  const r = await run([f, '--json', ...COLL]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(check(report, 'app.compose_hash').status, 'pass');
  const viaStdin = await run(['-', '--json', ...COLL], { input: text });
  assert.equal(JSON.parse(viaStdin.stdout).app.compose_hash, report.app.compose_hash);
});

test('nonceFromEvidence / --nonce-from-evidence: a bundle\'s own nonce counts only when asked', async (t) => {
  const collateral = vecJson('near-mpc_collateral.json');
  const first = await api.verifyEvidence(vecJson('near-mpc_getquote.json'), { collateral, now: NOW });
  const nonce = first.quote.report_data.slice(0, 64);
  const bundle = { format: 'cvm-evidence/v1', nonce, attestation: vecJson('near-mpc_getquote.json'), info: vecJson('near-mpc_info.json') };
  const self = await api.verifyEvidence(bundle, { collateral, now: NOW });
  assert.equal(check(self, 'freshness.nonce').status, 'skip');
  assert.equal(check(self, 'freshness.nonce').code, 'NONCE_SELF_ASSERTED');
  const own = await api.verifyEvidence(bundle, { collateral, now: NOW, nonceFromEvidence: true });
  assert.equal(check(own, 'freshness.nonce').status, 'pass');
  const f = join(tempDir(t), 'bundle.json');
  writeFileSync(f, JSON.stringify(bundle));
  const cli = await run([f, '--json', '--nonce-from-evidence', ...COLL]);
  assert.equal(JSON.parse(cli.stdout).checks.find((/** @type {any} */ c) => c.id === 'freshness.nonce').status, 'pass');
  const help = await run(['--help']);
  assert.match(help.stdout, /--nonce-from-evidence/);
});

test('onStep: the API reports evidence, collateral and verify with their status', async (t) => {
  const pccs = await startMockPccs();
  t.after(() => pccs.close());
  /** @type {string[]} */
  const steps = [];
  const report = await api.verifyEvidence(vecJson('near-mpc_getquote.json'), {
    pccsUrl: pccs.url, now: NOW, onStep: (s) => { steps.push(`${s.step}:${s.status}`); },
  });
  assert.equal(report.verdict === 'pass' || report.verdict === 'warn', true);
  assert.deepEqual(steps, ['evidence:done', 'collateral:running', 'collateral:done', 'verify:running', 'verify:done']);
  /** @type {string[]} */
  const supplied = [];
  await api.verifyEvidence(vecJson('near-mpc_getquote.json'), { collateral: vecJson('near-mpc_collateral.json'), now: NOW, onStep: (s) => { supplied.push(`${s.step}:${s.status}:${s.source ?? ''}`); } });
  assert.deepEqual(supplied, ['evidence:done:given', 'collateral:done:supplied', 'verify:running:', 'verify:done:']);
  // A throwing callback changes nothing about the verification.
  const r2 = await api.verifyEvidence(vecJson('near-mpc_getquote.json'), { collateral: vecJson('near-mpc_collateral.json'), now: NOW, onStep: () => { throw new Error('display bug'); } });
  assert.equal(r2.verdict, report.verdict);
});

test('check ids, reason codes and TCB statuses come from the core\'s tables', async () => {
  const t = await runCore({ op: 'tables' });
  assert.deepEqual([...api.CHECK_IDS], t.checks);
  assert.deepEqual([...api.REASON_CODES], t.reason_codes);
  assert.deepEqual([...api.TCB_STATUSES], t.tcb_statuses);
  for (const f of ['js/index.js', 'js/args.js', 'js/metrics.js']) {
    const src = readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');
    assert.doesNotMatch(src, /'OutOfDateConfigurationNeeded'/, `${f} keeps no copy of the TCB statuses`);
    assert.doesNotMatch(src, /'report_data\.binding'/, `${f} keeps no copy of the check ids`);
  }
});

test('the report carries the app-compose text the core hashed (issue 13.4)', async () => {
  const report = await api.verifyEvidence({ format: 'cvm-evidence/v1', attestation: vecJson('near-mpc_getquote.json'), info: vecJson('near-mpc_info.json') },
    { collateral: vecJson('near-mpc_collateral.json'), now: NOW });
  assert.equal(typeof report.app.compose_text, 'string');
  const { createHash } = await import('node:crypto');
  assert.equal(createHash('sha256').update(report.app.compose_text).digest('hex'), report.app.compose_hash);
  assert.equal(typeof report.app.docker_compose_file, 'string');
  assert.match(report.app.docker_compose_file, /services:/);
});

test('README: the stdin example gives the verifier its nonce, and cites only documents in the repository', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const piped = readme.split('\n').filter((l) => /\| *cvm-verify -( |$)/.test(l));
  assert.ok(piped.length > 0, 'a stdin example');
  for (const l of piped) assert.match(l, /reportData=\$N.*\| *cvm-verify - .*--nonce \$N/, l);
  assert.doesNotMatch(readme, /interface\.md/);
});

test('verifyQuote finds the quote in any evidence shape through the core (inspect), not by JS rules', async () => {
  const collateral = vecJson('near-mpc_collateral.json');
  const gq = vecJson('near-mpc_getquote.json');
  const direct = await api.verifyQuote(gq.quote, { collateral, now: NOW });
  for (const shape of [gq, { format: 'cvm-evidence/v1', attestation: gq }, { intel_quote: gq.quote }]) {
    assert.deepEqual((await api.verifyQuote(shape, { collateral, now: NOW })).checks, direct.checks);
  }
  await assert.rejects(api.verifyQuote(vecJson('near-mpc_info.json'), { collateral, now: NOW }), (e) => /** @type {any} */ (e).code === 'EVIDENCE_MALFORMED');
  const src = readFileSync(new URL('../../js/input.js', import.meta.url), 'utf8');
  assert.doesNotMatch(src, /intel_quote/, 'js/input.js has no rule for where a quote sits');
});

test('a truncated quote\'s message names the header and the bytes needed (no "600 bytes ... inside its 584-byte body")', async () => {
  const q = vecJson('near-mpc_getquote.json').quote.slice(0, 1200);
  const r = await api.verifyQuote(q, { collateral: vecJson('near-mpc_collateral.json'), now: NOW });
  const c = check(r, 'quote.format');
  assert.equal(c.code, 'QUOTE_TRUNCATED');
  assert.match(c.message, /600 bytes and ends inside its body: the 48-byte header and 584-byte body need 632 bytes/);
});

test('the page\'s check titles (web/meta.js) cover exactly the core\'s check ids, in its order', async () => {
  const { CHECKS } = await import('../../web/meta.js');
  assert.deepEqual(CHECKS.map((/** @type {any} */ c) => c.id), [...api.CHECK_IDS]);
});
