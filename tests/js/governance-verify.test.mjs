// governance.onchain through the whole verify flow (docs/governance.md): the API's verifyEvidence and the CLI on
// the dstack 0.6.0 capture (tests/vectors/dstack/dstack-lite_getquote.json), the core's needs.chain_calls answered
// by js/governance.js's resolver from mock JSON-RPC endpoints on loopback (tests/mocks/rpc.mjs). The capture has
// no collateral for its FMSPC here: the near/mpc collateral is supplied so that nothing is fetched, and
// hardware.signature fails (FMSPC_MISMATCH), so the PPID and the TCB status stay unverified and the mock
// endpoints allow any device and do not require an UpToDate TCB for a pass. Needs make wasm.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, NOW, VEC, vecJson, run } from './helpers.mjs';
import { verifyEvidence, exitCodeFor } from '../../js/index.js';
import { startMockRpc, BASE_KMS } from '../mocks/rpc.mjs';

const opt = { skip: existsSync(join(ROOT, 'js/cvm-verify.wasm')) ? false : 'needs make wasm' };
const EVIDENCE = join(VEC, 'dstack-lite_getquote.json');
const COLLATERAL = join(VEC, 'near-mpc_collateral.json');
/** @type {{url: string, close: () => Promise<void>, requests: any[]}[]} */
const mocks = [];
after(async () => { await Promise.all(mocks.map((m) => m.close())); });

/** A mock that allows what an unverified platform can be allowed (any device, any TCB). @param {object} [o] */
async function mock(o = {}) {
  const m = await startMockRpc({ allowAnyDevice: true, requireTcbUpToDate: false, ...o });
  mocks.push(m);
  return m;
}

/** @param {string[]} rpcUrls @param {object} [policy] @param {object} [chain] */
async function verify(rpcUrls, policy = {}, chain = {}) {
  const report = await verifyEvidence(vecJson('dstack-lite_getquote.json'), {
    now: NOW, collateral: vecJson('near-mpc_collateral.json'), timeoutMs: 4000, // a slow endpoint answers after 7 s
    chain: { rpcUrls, chainId: 8453, kmsContract: BASE_KMS, ...chain }, policy,
  });
  const check = report.checks.find((c) => c.id === 'governance.onchain');
  assert.ok(check, 'the report lists governance.onchain');
  return { report, check };
}

test('the API: mock endpoints answering as the chain would give governance.onchain pass', opt, async () => {
  const a = await mock(), b = await mock();
  const { report, check } = await verify([a.url, b.url]);
  assert.equal(check.status, 'pass', check.message);
  assert.equal(check.code, 'OK');
  assert.match(check.message, /block 29999997 of chain 8453/);
  assert.match(check.message, /unverified claim/); // the OS image hash is not bound until the OS check binds it
  assert.equal(report.checks.at(-1).id, 'governance.onchain'); // after the app checks
  assert.equal(report.needs, undefined, 'answered: nothing more is needed');
  assert.equal(report.could_not_judge, undefined);
  const g = /** @type {any} */ (report).governance;
  assert.equal(g.ran, true);
  assert.equal(g.block_number, 29999997);
  assert.equal(g.app_contract, '0x' + report.app.app_id);
  assert.equal(g.app_contract_source, 'app_id');
  assert.deepEqual(g.endpoints.map((/** @type {any} */ e) => e.url), [a.url, b.url]);
  assert.equal(g.calls.length, 8); // no device-id call: the PPID is not verified (hardware.signature failed)
  assert.ok(g.calls.every((/** @type {any} */ c) => c.status === 'pass'), JSON.stringify(g.calls));
  assert.equal(g.kms.ca_pubkey, String(report.app.key_provider.id).toLowerCase()); // the KMS holds the app's keys
  // Each endpoint was asked eth_chainId, eth_blockNumber and the 8 calls at the one pinned block.
  for (const m of [a, b]) {
    const calls = m.requests.filter((r) => r && r.method === 'eth_call');
    assert.equal(calls.length, 8);
    assert.ok(calls.every((r) => r.params[1] === '0x1c9c37d'));
  }
});

test('the API: each "no" answer and endpoint fault gives its code, never a pass', opt, async () => {
  const good = await mock();
  /** @type {[string, object, string, string, boolean?][]} [name, mock options, code, status, alone] */
  const cases = [
    ['compose not allowed', { mode: 'disagree' }, 'COMPOSE_NOT_ALLOWED_ONCHAIN', 'fail', true],
    ['device not allowed', { allowAnyDevice: false }, 'DEVICE_NOT_ALLOWED_ONCHAIN', 'fail', true],
    ['TCB required', { requireTcbUpToDate: true }, 'TCB_NOT_ALLOWED_ONCHAIN', 'fail', true],
    ['app not registered', { registered: false }, 'APP_NOT_REGISTERED', 'fail', true],
    ['OS image not allowed', { osImages: [] }, 'OS_IMAGE_NOT_ALLOWED_ONCHAIN', 'fail', true],
    ['another KMS root key', { caPubkey: '3059' + '00'.repeat(89) }, 'KMS_MISMATCH', 'fail', true],
    ['disagree', { mode: 'disagree' }, 'CHAIN_DISAGREEMENT', 'fail'],
    ['revert', { mode: 'revert' }, 'CONTRACT_MISSING', 'fail', true],
    ['0x', { mode: 'empty' }, 'CONTRACT_MISSING', 'fail', true],
    ['malformed JSON', { mode: 'malformed' }, 'CHAIN_UNAVAILABLE', 'warn'],
    ['wrong length', { mode: 'short' }, 'CHAIN_UNAVAILABLE', 'fail', true],
    ['non-0/1 bool', { mode: 'badbool' }, 'CHAIN_UNAVAILABLE', 'fail', true],
    ['slow', { mode: 'slow', delayMs: 7000 }, 'CHAIN_UNAVAILABLE', 'warn'],
    ['wrong chain', { mode: 'wrongchain' }, 'CHAIN_ID_MISMATCH', 'fail'],
  ];
  for (const [name, o, code, status, alone] of cases) {
    const bad = await mock(o);
    const { report, check } = await verify(alone ? [bad.url] : [good.url, bad.url]);
    assert.equal(check.code, code, `${name}: ${check.message}`);
    assert.equal(check.status, status, name);
    assert.equal(report.could_not_judge, undefined, `${name}: auto mode judged (or warned)`);
  }
  const other = '0x' + '77'.repeat(20);
  const { check } = await verify([good.url], {}, { appContract: other });
  assert.equal(check.code, 'APP_CONTRACT_MISMATCH', check.message);
});

test('the API: require without a chain, or with no endpoint, could not be judged; off skips', opt, async () => {
  const base = { now: NOW, collateral: vecJson('near-mpc_collateral.json') };
  const r1 = await verifyEvidence(vecJson('dstack-lite_getquote.json'), { ...base, policy: { governance: 'require' } });
  const c1 = r1.checks.find((c) => c.id === 'governance.onchain');
  assert.equal(c1?.status, 'fail');
  assert.equal(c1?.code, 'CHAIN_INFO_MISSING');
  assert.equal(r1.could_not_judge, true);
  assert.equal(exitCodeFor(r1), 3);
  // A chain with no default endpoints and none given: nothing answered.
  const r2 = await verifyEvidence(vecJson('dstack-lite_getquote.json'), { ...base, policy: { governance: 'require' }, chain: { chainId: 31337, kmsContract: BASE_KMS } });
  assert.equal(r2.checks.find((c) => c.id === 'governance.onchain')?.code, 'CHAIN_UNAVAILABLE');
  assert.equal(exitCodeFor(r2), 3);
  const slow = await mock({ mode: 'slow', delayMs: 7000 });
  const r3 = (await verify([slow.url], { governance: 'require' })).report;
  assert.equal(r3.checks.find((c) => c.id === 'governance.onchain')?.code, 'CHAIN_UNAVAILABLE');
  assert.equal(exitCodeFor(r3), 3);
  const good = await mock();
  const before = good.requests.length;
  const r4 = await verify([good.url], { governance: 'off' });
  assert.equal(r4.check.status, 'skip');
  assert.equal(good.requests.length, before, 'off asks no endpoint');
  await assert.rejects(verifyEvidence(vecJson('dstack-lite_getquote.json'), { ...base, policy: { governance: 'maybe' } }), { code: 'REQUEST_MALFORMED' });
  await assert.rejects(verifyEvidence(vecJson('dstack-lite_getquote.json'), { ...base, chain: { kmsContract: '0x12' } }), { code: 'REQUEST_MALFORMED' });
  await assert.rejects(verifyEvidence(vecJson('dstack-lite_getquote.json'), { ...base, chain: { rpcUrls: ['file:///etc/passwd'] } }), { code: 'REQUEST_MALFORMED' });
});

test('the CLI: flags, text output of the calls, exit codes', opt, async () => {
  const a = await mock(), b = await mock();
  const common = [EVIDENCE, '--collateral', COLLATERAL, '--now', String(NOW)];
  const chain = ['--chain-id', '8453', '--kms-contract', BASE_KMS, '--chain-rpc', a.url, '--chain-rpc', b.url];
  const json = await run([...common, ...chain, '--json']);
  assert.equal(json.code, 1, json.stderr); // hardware.signature fails: the collateral is another platform's
  const report = JSON.parse(json.stdout);
  assert.equal(report.checks.find((/** @type {any} */ c) => c.id === 'governance.onchain').status, 'pass');
  const text = await run([...common, ...chain]);
  assert.match(text.stdout, /governance\.onchain\s+pass/);
  assert.match(text.stdout, /Governance:\s+chain 8453, block 29999997/);
  assert.match(text.stdout, /app\.allowedComposeHashes -> true \(pass\)/);
  assert.match(text.stdout, /kms\.owner -> 0x5afe5afe/);
  const req = await run([...common, '--governance', 'require']);
  assert.equal(req.code, 3, req.stdout + req.stderr);
  assert.match(req.stdout, /CHAIN_INFO_MISSING/);
  const off = await run([...common, ...chain, '--governance', 'off', '--json']);
  assert.equal(JSON.parse(off.stdout).checks.find((/** @type {any} */ c) => c.id === 'governance.onchain').status, 'skip');
  const bad = await run([...common, '--governance', 'maybe']);
  assert.equal(bad.code, 2);
});
