// The GitHub Action (action.yml -> js/action.js): run as GitHub runs it, with INPUT_* variables, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and GITHUB_WORKSPACE, against the local mock CVM and collateral service.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { startMockCvm } from '../mocks/cvm.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';
import { run, tempDir, join, ROOT, VEC, NOW } from './helpers.mjs';
import { cliArgs, readInputs } from '../../js/action.js';

const ACTION = [process.execPath, join(ROOT, 'js/action.js')];

/**
 * The outputs a step wrote, parsed from GitHub's delimiter form (name<<DELIM / value / DELIM).
 * @param {string} file
 */
function outputs(file) {
  /** @type {Record<string, string>} */
  const o = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([\w-]+)<<(\S+)$/.exec(lines[i]);
    if (!m) continue;
    const end = lines.indexOf(m[2], i + 1);
    assert.ok(end > i, `the delimiter of ${m[1]} is closed`);
    o[m[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return o;
}

/**
 * Runs the action's entry point in a fresh workspace.
 * @param {import('node:test').TestContext} t
 * @param {Record<string, string>} inputs
 */
async function runAction(t, inputs) {
  const ws = tempDir(t);
  const env = {
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: join(ws, 'github_output'),
    GITHUB_STEP_SUMMARY: join(ws, 'step_summary.md'),
    'INPUT_RETRY-DELAY': '0',
  };
  writeFileSync(env.GITHUB_OUTPUT, '');
  writeFileSync(env.GITHUB_STEP_SUMMARY, '');
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = await run([], { cmd: ACTION, cwd: ws, env });
  return { ...r, ws, out: outputs(env.GITHUB_OUTPUT), summary: readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8') };
}

test('a URL whose quote fails freshness: verdict fail, exit 1, never retried, outputs, summary, report and evidence', async (t) => {
  const cvm = await startMockCvm();
  const pccs = await startMockPccs();
  t.after(() => Promise.all([cvm.close(), pccs.close()]));
  const r = await runAction(t, { url: cvm.url, pccs: pccs.url, now: String(NOW), 'tcb-policy': 'default', retries: '3' });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(cvm.requests.filter((q) => q.path === '/attestation').length, 1, 'a failed verdict is not retried');
  assert.equal(r.out.verdict, 'fail');
  assert.equal(r.out['exit-code'], '1');
  assert.equal(r.out.attempts, '1');
  assert.equal(r.out['tcb-status'], 'UpToDate');
  const report = JSON.parse(readFileSync(r.out.report, 'utf8'));
  assert.equal(r.out.report, join(r.ws, 'cvm-verify/report.json'));
  assert.equal(report.verdict, 'fail');
  assert.equal(r.out['compose-hash'], report.app.compose_hash);
  assert.match(r.out['compose-hash'], /^[0-9a-f]{64}$/);
  const bundle = JSON.parse(readFileSync(r.out.evidence, 'utf8'));
  assert.equal(bundle.format, 'cvm-evidence/v1');
  assert.match(r.stdout, /::error::.* failed verification: freshness\.nonce \(NONCE_MISMATCH\)/);
  assert.match(r.summary, /^## cvm-verify: http:\/\/127\.0\.0\.1:\d+$/m);
  assert.match(r.summary, /❌ \*\*Verdict: FAIL\*\*/);
  assert.match(r.summary, /\| ❌ \| `freshness\.nonce` \| fail \| `NONCE_MISMATCH` \| /);
  assert.match(r.summary, /\| ✅ \| `hardware\.signature` \| pass \| `OK` \| /);
  assert.match(r.summary, /\| TCB status \| UpToDate/);
  // The bundle re-verifies offline with the CLI, to the same verdict.
  const again = await run([r.out.evidence, '--now', String(report.verified_at), '--json']);
  assert.equal(again.code, 1);
  assert.equal(JSON.parse(again.stdout).verdict, 'fail');
});

test('saved evidence with collateral from the collateral service: verdict pass or warn, exit 0', async (t) => {
  const pccs = await startMockPccs();
  t.after(() => pccs.close());
  const r = await runAction(t, { evidence: join(VEC, 'near-mpc_getquote.json'), pccs: pccs.url, now: String(NOW) });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.ok(r.out.verdict === 'pass' || r.out.verdict === 'warn', r.out.verdict);
  assert.equal(r.out['tcb-status'], 'UpToDate');
  assert.match(r.summary, /\*\*Verdict: (PASS|WARN)\*\*/);
});

test('a wrong expected compose hash fails the verdict (policy), exit 1', async (t) => {
  const pccs = await startMockPccs();
  t.after(() => pccs.close());
  const bundle = { format: 'cvm-evidence/v1', attestation: JSON.parse(readFileSync(join(VEC, 'near-mpc_getquote.json'), 'utf8')), info: JSON.parse(readFileSync(join(VEC, 'near-mpc_info.json'), 'utf8')) };
  const ws = tempDir(t);
  writeFileSync(join(ws, 'bundle.json'), JSON.stringify(bundle));
  const r = await runAction(t, { evidence: join(ws, 'bundle.json'), pccs: pccs.url, now: String(NOW), 'expect-compose-hash': '00'.repeat(32) });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.out.verdict, 'fail');
  assert.match(r.summary, /`policy\.measurements` \| fail/);
});

test('nothing could be judged (the app answers 500): retried, then verdict error, exit 3, no report', async (t) => {
  const cvm = await startMockCvm({ attestationStatus: 500 });
  t.after(() => cvm.close());
  const r = await runAction(t, { url: cvm.url, retries: '2', now: String(NOW) });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(cvm.requests.filter((q) => q.path === '/attestation').length, 3, 'one attempt and two retries');
  assert.equal(r.out.verdict, 'error');
  assert.equal(r.out.attempts, '3');
  assert.equal(r.out.report, '');
  assert.equal(existsSync(join(r.ws, 'cvm-verify/report.json')), false);
  assert.match(r.stdout, /::warning::could not judge .*retrying/);
  assert.match(r.summary, /\*\*Could not verify \(nothing was judged\)\*\* after 3 attempts: FETCH_FAILED/);
});

test('a usage error (bad input) is exit 2 and never retried', async (t) => {
  const cvm = await startMockCvm();
  t.after(() => cvm.close());
  const r = await runAction(t, { url: cvm.url, 'tcb-policy': 'lax', retries: '3' });
  assert.equal(r.code, 2);
  assert.equal(r.out.attempts, '1');
  assert.equal(cvm.requests.length, 0);
  assert.match(r.summary, /Usage error/);
  const both = await runAction(t, { url: cvm.url, evidence: 'x.json' });
  assert.equal(both.code, 2);
  assert.match(both.stdout, /::error::give exactly one of the inputs url .* and evidence/);
});

test('governance and require-os-verified reach the CLI only when set', () => {
  const files = { report: 'r.json', evidence: 'e.json' };
  const base = readInputs({ INPUT_URL: 'https://a.example' });
  assert.deepEqual(cliArgs(base, files), ['https://a.example', '--json', '--save-evidence', 'e.json']);
  const set = readInputs({ INPUT_URL: 'https://a.example', INPUT_GOVERNANCE: 'require', 'INPUT_REQUIRE-OS-VERIFIED': 'true' });
  const args = cliArgs(set, files);
  assert.deepEqual(args.slice(args.indexOf('--governance'), args.indexOf('--governance') + 2), ['--governance', 'require']);
  assert.ok(args.includes('--require-os-verified'));
  const off = cliArgs(readInputs({ INPUT_URL: 'https://a.example', 'INPUT_REQUIRE-OS-VERIFIED': 'false' }), files);
  assert.ok(!off.includes('--require-os-verified'));
  assert.throws(() => readInputs({ INPUT_URL: 'https://a.example', 'INPUT_REQUIRE-OS-VERIFIED': 'yes' }), /true or false/);
  assert.throws(() => readInputs({ INPUT_URL: 'https://a.example', INPUT_RETRIES: '-1' }), /whole number/);
});

test('action.yml declares the inputs and outputs js/action.js uses, on node20', () => {
  const yml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  assert.match(yml, /^runs:\n {2}using: node20\n {2}main: js\/action\.js$/m);
  const src = readFileSync(join(ROOT, 'js/action.js'), 'utf8');
  const section = (/** @type {string} */ name) => {
    const body = yml.split(new RegExp(`^${name}:\\n`, 'm'))[1].split(/^\S/m)[0];
    return [...body.matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1]).sort();
  };
  const usedInputs = [...src.matchAll(/(?:input\(env, |int\()'([\w-]+)'/g)].map((m) => m[1]);
  assert.deepEqual(section('inputs'), [...new Set(usedInputs)].sort());
  const setOutputs = src.slice(src.indexOf('setOutputs(env.GITHUB_OUTPUT'));
  const usedOutputs = [...setOutputs.slice(0, setOutputs.indexOf('});')).matchAll(/^ {4}'?([\w-]+)'?[:,]/gm)].map((m) => m[1]);
  assert.deepEqual(section('outputs'), usedOutputs.sort());
});
