// The command line, run as a separate process against the mock CVM and PCCS and the recorded vectors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { startMockCvm } from '../mocks/cvm.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';
import { run, deadPort, tempDir, join, VEC, NOW, vecJson, check, assertReportSchema } from './helpers.mjs';

const GETQUOTE_FILE = join(VEC, 'near-mpc_getquote.json');
const COLLATERAL_FILE = join(VEC, 'near-mpc_collateral.json');
const BUNDLE = { format: 'cvm-evidence/v1', attestation: vecJson('near-mpc_getquote.json'), info: vecJson('near-mpc_info.json') };

/** @param {string} dir */
function writeBundle(dir) {
  const f = join(dir, 'evidence.json');
  writeFileSync(f, JSON.stringify(BUNDLE));
  return f;
}

/** The checklist line of a check. @param {string} out @param {string} id */
function line(out, id) {
  const l = out.split('\n').find((x) => x.trim().split(/\s+/)[1] === id);
  assert.ok(l, `no line for ${id} in:\n${out}`);
  return l.trim();
}

test('--help and --version', async () => {
  const h = await run(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage:/);
  for (const flag of ['--collateral', '--pccs', '--now', '--nonce', '--report-data', '--expect-compose-hash', '--expect-app-id',
    '--expect-mrtd', '--expect-rtmr', '--expect-os-image-hash', '--tcb-policy', '--allow-tcb', '--allow-debug',
    '--require-pinned-images', '--json', '--save-evidence', '--quiet', '--interval', '--once']) {
    assert.ok(h.stdout.includes(flag), flag);
  }
  const v = await run(['--version']);
  assert.equal(v.code, 0);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.match(v.stdout, new RegExp(`^cvm-verify ${pkg.version.replace(/\./g, '\\.')}`));
});

test('usage errors exit 2 with a message on stderr', async () => {
  for (const args of [[], ['--bogus'], [GETQUOTE_FILE, '--now', 'tomorrow'], [GETQUOTE_FILE, '--tcb-policy', 'lax'], ['monitor']]) {
    const r = await run(args);
    assert.equal(r.code, 2, JSON.stringify(args));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^cvm-verify: .+\nRun "cvm-verify --help"/);
  }
});

test('unreadable or malformed input exits 2 with a clear message', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'broken.json');
  writeFileSync(bad, '{"quote": "0400", ');
  const r = await run([bad, '--collateral', COLLATERAL_FILE, '--now', String(NOW)]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /broken\.json is not valid JSON/);
  const missing = await run([join(dir, 'nope.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read the evidence file .*nope\.json: no such file/);
  const badColl = await run([GETQUOTE_FILE, '--collateral', bad, '--now', String(NOW)]);
  assert.equal(badColl.code, 2);
  assert.match(badColl.stderr, /broken\.json is not valid JSON/);
});

test('URL target: checklist, nonce mismatch on the replayed recording, exit 1', async (t) => {
  const cvm = await startMockCvm();
  const pccs = await startMockPccs();
  t.after(() => Promise.all([cvm.close(), pccs.close()]));
  const r = await run([cvm.url, '--pccs', pccs.url, '--now', String(NOW)]);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colours when not on a terminal');
  for (const id of ['hardware.signature', 'collateral.validity', 'eventlog.replay', 'app.compose_hash']) {
    assert.match(line(r.stdout, id), new RegExp(`^✓ ${id.replace('.', '\\.')} +pass +OK `));
  }
  assert.match(line(r.stdout, 'freshness.nonce'), /^✗ freshness\.nonce +fail +NONCE_MISMATCH /);
  assert.match(r.stdout, /TCB status: +UpToDate \(advisories: none\)/);
  assert.match(r.stdout, /Collateral: +expires 2026-09-1\dT[\d:]+Z/);
  assert.match(r.stdout, /Compose hash: +2911e1f733466216dedb862d6d669e11256ee7a34ce4dbc66c4b807ba7a9c895/);
  assert.match(r.stdout, /Verdict: +FAIL/);
  assert.ok(pccs.requests.some((q) => q.query.fmspc === 'B0C06F000000'));
});

test('--json prints only the report, with the interface schema', async (t) => {
  const cvm = await startMockCvm();
  const pccs = await startMockPccs();
  t.after(() => Promise.all([cvm.close(), pccs.close()]));
  const r = await run([cvm.url, '--pccs', pccs.url, '--now', String(NOW), '--json']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assertReportSchema(report, assert);
  assert.equal(report.verdict, 'fail');
  assert.equal(check(report, 'freshness.nonce').code, 'NONCE_MISMATCH');
  assert.equal(report.verified_at, NOW);
});

test('evidence file without a nonce, with --collateral: exit 0, freshness skipped; --now ISO and unix agree', async (t) => {
  const dir = tempDir(t);
  const f = writeBundle(dir);
  const unix = await run([f, '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--json']);
  assert.equal(unix.code, 0, unix.stderr + unix.stdout.slice(0, 2000));
  const rep = JSON.parse(unix.stdout);
  assert.equal(check(rep, 'freshness.nonce').status, 'skip');
  assert.equal(check(rep, 'app.compose_hash').status, 'pass');
  assert.equal(rep.collateral.source, 'supplied');
  const iso = await run([f, '--collateral', COLLATERAL_FILE, '--now', '2026-08-29T10:40:00Z', '--json']);
  assert.equal(iso.code, 0);
  assert.equal(JSON.parse(iso.stdout).verified_at, NOW);
  assert.deepEqual(JSON.parse(iso.stdout).checks, rep.checks);
  // After the collateral expired, the same evidence fails.
  const late = await run([f, '--collateral', COLLATERAL_FILE, '--now', '2027-01-01', '--json']);
  assert.equal(late.code, 1);
  assert.notEqual(check(JSON.parse(late.stdout), 'collateral.validity').status, 'pass');
});

test('the GetQuote vector alone and GetQuote+Info as a bundle exit 0 with the checklist', async (t) => {
  const dir = tempDir(t);
  const a = await run([GETQUOTE_FILE, '--collateral', COLLATERAL_FILE, '--now', String(NOW)]);
  assert.equal(a.code, 0, a.stderr + a.stdout);
  assert.match(line(a.stdout, 'hardware.signature'), /^✓/);
  assert.match(line(a.stdout, 'freshness.nonce'), /^– freshness\.nonce +skip/);
  const b = await run([writeBundle(dir), '--collateral', COLLATERAL_FILE, '--now', String(NOW)]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.match(line(b.stdout, 'app.compose_hash'), /^✓ app\.compose_hash +pass/);
  const quiet = await run([GETQUOTE_FILE, '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--quiet']);
  assert.equal(quiet.code, 0);
  assert.equal(quiet.stdout, '');
});

test('quote files: .bin, .hex and standard input', async (t) => {
  const dir = tempDir(t);
  const quote = Uint8Array.from(vecJson('near-mpc_quote.json'));
  writeFileSync(join(dir, 'q.bin'), quote);
  writeFileSync(join(dir, 'q.hex'), Buffer.from(quote).toString('hex') + '\n');
  const results = [];
  for (const target of [join(dir, 'q.bin'), join(dir, 'q.hex'), join(VEC, 'near-mpc_quote.json')]) {
    const r = await run([target, '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--json']);
    assert.equal(r.code, 0, `${target}: ${r.stderr}`);
    results.push(JSON.parse(r.stdout));
  }
  const stdin = await run(['-', '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--json'], { input: quote });
  assert.equal(stdin.code, 0, stdin.stderr);
  results.push(JSON.parse(stdin.stdout));
  for (const r of results) {
    assert.equal(check(r, 'hardware.signature').status, 'pass');
    assert.deepEqual(r.checks, results[0].checks);
  }
});

test('--save-evidence writes a bundle that re-verifies offline with the same verdict', async (t) => {
  const dir = tempDir(t);
  const saved = join(dir, 'saved.json');
  const cvm = await startMockCvm();
  const pccs = await startMockPccs();
  const first = await run([cvm.url, '--pccs', pccs.url, '--now', String(NOW), '--json', '--save-evidence', saved]);
  await Promise.all([cvm.close(), pccs.close()]);
  assert.equal(first.code, 1, first.stderr);
  const bundle = JSON.parse(readFileSync(saved, 'utf8'));
  assert.equal(bundle.format, 'cvm-evidence/v1');
  assert.equal(bundle.source_url, cvm.url);
  assert.match(bundle.nonce, /^[0-9a-f]{64}$/);
  assert.ok(bundle.attestation.quote && bundle.info.tcb_info && bundle.collateral.tcb_info);
  assert.deepEqual(bundle.report, JSON.parse(first.stdout));
  // The servers are gone: this runs offline, from the bundle's own collateral and nonce.
  const again = await run([saved, '--now', String(NOW), '--json']);
  assert.equal(again.code, first.code, again.stderr);
  const a = JSON.parse(first.stdout), b = JSON.parse(again.stdout);
  assert.equal(b.verdict, a.verdict);
  assert.deepEqual(b.checks.map((/** @type {any} */ c) => [c.id, c.status, c.code]), a.checks.map((/** @type {any} */ c) => [c.id, c.status, c.code]));
  // A file target saves too.
  const saved2 = join(dir, 'saved2.json');
  const f = await run([GETQUOTE_FILE, '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--save-evidence', saved2, '--quiet']);
  assert.equal(f.code, 0);
  const again2 = await run([saved2, '--now', String(NOW), '--quiet']);
  assert.equal(again2.code, 0, again2.stderr);
});

test('network failures exit 3: PCCS down, CVM down', async () => {
  const port = await deadPort();
  const p = await run([GETQUOTE_FILE, '--pccs', `http://127.0.0.1:${port}`, '--now', String(NOW)]);
  assert.equal(p.code, 3, p.stderr);
  assert.equal(p.stdout, '');
  assert.match(p.stderr, new RegExp(`FETCH_FAILED: .*127\\.0\\.0\\.1:${port}`));
  const c = await run([`http://127.0.0.1:${port}`, '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--json']);
  assert.equal(c.code, 3);
  assert.equal(c.stdout, '');
  assert.match(c.stderr, /FETCH_FAILED: .*attestation/);
});

test('monitor --once: one line per target, survives a dead target, exits non-zero', async (t) => {
  const cvm = await startMockCvm();
  const pccs = await startMockPccs();
  t.after(() => Promise.all([cvm.close(), pccs.close()]));
  const dead = `http://127.0.0.1:${await deadPort()}`;
  const r = await run(['monitor', cvm.url, dead, '--once', '--pccs', pccs.url, '--now', String(NOW)]);
  assert.notEqual(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stdout);
  assert.match(lines[0], new RegExp(`FAIL +${cvm.url.replace(/[.:/]/g, '\\$&')} .*freshness\\.nonce\\(NONCE_MISMATCH\\)`));
  assert.match(lines[1], new RegExp(`ERROR ${dead.replace(/[.:/]/g, '\\$&')} FETCH_FAILED`));
  const j = await run(['monitor', cvm.url, dead, '--once', '--json', '--pccs', pccs.url, '--now', String(NOW)]);
  assert.equal(j.code, 1, 'a failed verdict outranks an error');
  const objs = j.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(objs.length, 2);
  assert.equal(objs[0].url, cvm.url);
  assert.equal(objs[0].verdict, 'fail');
  assert.equal(objs[0].tcb_status, 'UpToDate');
  assert.deepEqual(objs[0].failed.map((/** @type {any} */ c) => c.id), ['freshness.nonce']);
  assert.equal(objs[1].verdict, 'error');
  assert.equal(objs[1].code, 'FETCH_FAILED');
  assert.equal(objs[1].exit_code, 3);
  const only = await run(['monitor', dead, '--once']);
  assert.equal(only.code, 3);
});

test('monitor stops cleanly on SIGINT', async (t) => {
  const cvm = await startMockCvm();
  t.after(() => cvm.close());
  let sent = false;
  const r = await run(['monitor', cvm.url, '--interval', '3600', '--collateral', COLLATERAL_FILE, '--now', String(NOW)], {
    onStdout: (_chunk, child) => { if (!sent) { sent = true; child.kill('SIGINT'); } },
  });
  assert.ok(sent, 'a first result line was printed');
  assert.equal(r.code, 130);
  assert.equal(r.stdout.trimEnd().split('\n').length, 1);
  assert.match(r.stderr, /stopped \(SIGINT\)/);
});
