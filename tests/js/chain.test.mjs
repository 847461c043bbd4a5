// On-chain governance end to end on loopback: the core plans the calls for the dstack 0.6.0 capture's app
// (native runner, op "governance"), js/chain.js asks mock JSON-RPC endpoints (tests/mocks/rpc.mjs) in every
// mode, and the core judges the raw answers. Needs build/native/cvm-verify-native (make native).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, NOW, vecJson } from './helpers.mjs';
import { askChain, rpc, DEFAULT_RPC_URLS } from '../../js/chain.js';
import { startMockRpc, captureApp, BASE_KMS } from '../mocks/rpc.mjs';

const NATIVE = process.env.CVM_VERIFY_NATIVE || join(ROOT, 'build/native/cvm-verify-native');
const HAVE_NATIVE = existsSync(NATIVE);

/** @param {object} req */
function core(req) {
  const r = spawnSync(NATIVE, [], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(r.stdout);
}

/** @type {any} */
let input;
/** @type {string} */
let deviceId;
/** @type {{url: string, close: () => Promise<void>, requests: any[]}[]} */
const mocks = [];

before(() => {
  if (!HAVE_NATIVE) return;
  // The governance input from the verifier's own report on the capture: replayed app id, compose hash,
  // key provider and OS image claim, and the PPID of the quote's PCK certificate.
  const report = core({ op: 'verify', now: NOW, evidence: vecJson('dstack-lite_getquote.json') });
  const { app, platform } = report;
  assert.equal(app.key_provider.name, 'kms');
  deviceId = createHash('sha256').update(Buffer.from(platform.ppid, 'hex')).digest('hex');
  input = {
    mode: 'auto', app_id: app.app_id, compose_hash: app.compose_hash, os_image_hash: app.os_image_hash,
    os_image_bound: false, ppid: platform.ppid, key_provider: app.key_provider, tcb_status: 'UpToDate',
    chain: { chainId: 8453, kmsContract: BASE_KMS },
  };
});
after(async () => { await Promise.all(mocks.map((m) => m.close())); });

/** @param {object} opts */
async function mock(opts) {
  // A slow endpoint answers well after the 4 s the client waits (a loaded machine may take a second or two).
  const m = await startMockRpc({ deviceIds: [deviceId], delayMs: 7000, ...opts });
  mocks.push(m);
  return m;
}

/** Plan, ask the endpoints, decide. @param {string[]} urls @param {object} [over] @param {object} [ask] */
async function governance(urls, over = {}, ask = {}) {
  const inp = { ...input, ...over };
  const planned = core({ op: 'governance', input: inp });
  const plan = planned.needs.chain_calls;
  assert.equal(plan.run, true, JSON.stringify(planned));
  const answers = await askChain(plan, { rpcUrls: urls, chainId: 8453, timeoutMs: 4000, ...ask });
  const out = core({ op: 'governance', input: inp, chain_answers: answers });
  return { plan, answers, out };
}

const opt = { skip: HAVE_NATIVE ? false : 'needs build/native/cvm-verify-native (make native)' };

test('the plan: each call the contracts answer, to the app id and the KMS', opt, () => {
  const { needs } = core({ op: 'governance', input });
  const cap = captureApp();
  const calls = needs.chain_calls.calls;
  const by = (/** @type {string} */ p) => calls.find((/** @type {any} */ c) => c.purpose === p);
  assert.equal(by('app.allowedComposeHashes').to, '0x' + cap.appId);
  assert.equal(by('app.allowedComposeHashes').data, '0x2f6622e5' + cap.composeHash);
  assert.equal(by('app.allowedDeviceIds').data, '0xbf8b211b' + deviceId);
  assert.equal(by('kms.registeredApps').data, '0xa6c4cce9' + '0'.repeat(24) + cap.appId);
  assert.equal(by('kms.allowedOsImages').data, '0x9a4e1d18' + cap.osImageHash);
  assert.equal(by('kms.kmsInfo').to, BASE_KMS);
});

test('two agreeing endpoints: governance.onchain passes, with the section', opt, async () => {
  const a = await mock({ requireTcbUpToDate: false }), b = await mock({ requireTcbUpToDate: false });
  const { out, answers } = await governance([a.url, b.url]);
  assert.equal(out.check.status, 'pass', out.check.message);
  assert.equal(out.check.code, 'OK');
  assert.match(out.check.message, /unverified claim/);
  const g = out.governance;
  assert.equal(g.chain_id, 8453);
  assert.equal(g.block_number, 30000000 - 3); // the pinned block: latest minus the confirmation depth
  assert.equal(answers.endpoints[0].block, '0x' + (30000000 - 3).toString(16));
  assert.deepEqual(g.endpoints.map((/** @type {any} */ e) => e.url), [a.url, b.url]);
  assert.equal(g.app.owner, '0x' + '5afe'.repeat(10));
  assert.equal(g.kms.ca_pubkey, captureApp().keyProviderId);
  assert.ok(g.calls.every((/** @type {any} */ c) => c.status === 'pass'), JSON.stringify(g.calls));
  // Every eth_call went out at the pinned block, to both endpoints.
  for (const m of [a, b]) {
    const calls = m.requests.filter((r) => r.method === 'eth_call');
    assert.equal(calls.length, g.calls.length);
    assert.ok(calls.every((r) => r.params[1] === answers.endpoints[0].block));
  }
});

test('requireTcbUpToDate is honoured against the verified TCB', opt, async () => {
  const a = await mock({});
  assert.equal((await governance([a.url])).out.check.code, 'OK');
  const { out } = await governance([a.url], { tcb_status: 'OutOfDate' });
  assert.equal(out.check.code, 'TCB_NOT_ALLOWED_ONCHAIN');
  assert.equal(out.check.status, 'fail');
});

test('each "no" answer gives its code', opt, async () => {
  const noDevice = await mock({ deviceIds: [] });
  assert.equal((await governance([noDevice.url])).out.check.code, 'DEVICE_NOT_ALLOWED_ONCHAIN');
  const noOs = await mock({ osImages: [] });
  const os = (await governance([noOs.url])).out.check;
  assert.equal(os.code, 'OS_IMAGE_NOT_ALLOWED_ONCHAIN');
  assert.match(os.message, /unverified claim/);
  const ok = await mock({});
  const other = '0x' + '77'.repeat(20);
  assert.equal((await governance([ok.url], { chain: { chainId: 8453, kmsContract: BASE_KMS, appContract: other } })).out.check.code,
    'APP_CONTRACT_MISMATCH');
  // Another KMS (no such contract on the mock: no code) and a KMS whose root key is not the app's.
  assert.equal((await governance([ok.url], { chain: { chainId: 8453, kmsContract: other } })).out.check.code, 'CONTRACT_MISSING');
  const kp = { name: 'kms', id: input.key_provider.id.slice(0, -2) + '00' };
  assert.equal((await governance([ok.url], { key_provider: kp })).out.check.code, 'KMS_MISMATCH');
  const disagree = await mock({ mode: 'disagree' });
  assert.equal((await governance([disagree.url])).out.check.code, 'COMPOSE_NOT_ALLOWED_ONCHAIN');
});

test('endpoint faults are never a pass', opt, async () => {
  const good = await mock({});
  /** @type {[string, string, string][]} */
  const cases = [
    ['disagree', 'CHAIN_DISAGREEMENT', 'fail'],
    ['revert', 'CONTRACT_MISSING', 'fail'],
    ['empty', 'CONTRACT_MISSING', 'fail'],
    ['malformed', 'CHAIN_UNAVAILABLE', 'warn'],
    ['short', 'CHAIN_UNAVAILABLE', 'fail'],
    ['badbool', 'CHAIN_UNAVAILABLE', 'fail'],
    ['slow', 'CHAIN_UNAVAILABLE', 'warn'],
    ['wrongchain', 'CHAIN_ID_MISMATCH', 'fail'],
  ];
  for (const [mode, code, status] of cases) {
    const bad = await mock({ mode });
    // Faults common to every endpoint, and one bad endpoint beside a good one.
    const urls = ['revert', 'empty', 'short', 'badbool'].includes(mode) ? [bad.url] : [good.url, bad.url];
    const { out } = await governance(urls);
    assert.equal(out.check.code, code, `${mode}: ${out.check.message}`);
    assert.equal(out.check.status, status, mode);
    assert.notEqual(out.check.status, 'pass');
  }
});

test('require mode: an unreachable chain fails and could not be judged', opt, async () => {
  const slow = await mock({ mode: 'slow' });
  const { out } = await governance([slow.url], { mode: 'require' });
  assert.equal(out.check.status, 'fail');
  assert.equal(out.check.code, 'CHAIN_UNAVAILABLE');
  assert.equal(out.could_not_judge, true);
  const missing = core({ op: 'governance', input: { ...input, mode: 'require', chain: null } });
  assert.equal(missing.needs.chain_calls.run, false);
  assert.equal(missing.check.code, 'CHAIN_INFO_MISSING');
  assert.equal(missing.check.status, 'fail');
  const auto = core({ op: 'governance', input: { ...input, chain: null } });
  assert.equal(auto.check.status, 'skip');
});

test('the client: size bound, JSON-RPC id, defaults', async () => {
  const a = await startMockRpc({});
  mocks.push(a);
  await assert.rejects(rpc(a.url, 'eth_chainId', [], { maxBytes: 10 }), /larger than 10 bytes/);
  assert.deepEqual(await rpc(a.url, 'eth_chainId', []), { result: '0x2105' });
  assert.equal(DEFAULT_RPC_URLS[8453].length, 2);
  assert.equal(DEFAULT_RPC_URLS[1].length, 2);
  assert.notEqual(new URL(DEFAULT_RPC_URLS[8453][0]).host, new URL(DEFAULT_RPC_URLS[8453][1]).host);
  const none = await askChain({ calls: [] }, { rpcUrls: ['http://127.0.0.1:1'], timeoutMs: 500 });
  assert.match(none.endpoints[0].error ?? '', /eth_/);
});

test('the flags: --chain-rpc, --chain-id, --app-contract, --kms-contract, --governance', async () => {
  const { chainOptions, CHAIN_FLAGS } = await import('../../js/chain-args.js');
  const err = (/** @type {string} */ m) => Object.assign(new Error(m), { code: 'USAGE' });
  assert.deepEqual(Object.keys(CHAIN_FLAGS).sort(), ['--app-contract', '--chain-id', '--chain-rpc', '--governance', '--kms-contract']);
  assert.deepEqual(chainOptions({ chainRpc: ['https://a.example', 'https://b.example'], chainId: '8453', kmsContract: BASE_KMS, governance: 'require' }, err),
    { chain: { rpcUrls: ['https://a.example', 'https://b.example'], chainId: 8453, kmsContract: BASE_KMS }, governance: 'require' });
  assert.deepEqual(chainOptions({}, err), {});
  assert.throws(() => chainOptions({ chainRpc: ['ftp://x'] }, err), /--chain-rpc/);
  assert.throws(() => chainOptions({ chainId: '0x2105' }, err), /--chain-id/);
  assert.throws(() => chainOptions({ appContract: '0x1234' }, err), /--app-contract/);
  assert.throws(() => chainOptions({ governance: 'maybe' }, err), /--governance/);
});

test('from a report: only what the verifier proved feeds the governance input', opt, async () => {
  // The capture has no collateral: hardware.signature fails, so its PPID and TCB status are not used. A contract
  // that lists devices then cannot allow it; one that allows any device and sets no TCB rule can.
  const report = core({ op: 'verify', now: NOW, evidence: vecJson('dstack-lite_getquote.json') });
  const inp = { report, chain: { chainId: 8453, kmsContract: BASE_KMS } };
  const plan = core({ op: 'governance', input: inp }).needs.chain_calls;
  assert.equal(plan.run, true);
  assert.ok(!plan.calls.some((/** @type {any} */ c) => c.purpose === 'app.allowedDeviceIds'));
  const listed = await mock({ requireTcbUpToDate: false });
  let out = core({ op: 'governance', input: inp, chain_answers: await askChain(plan, { rpcUrls: [listed.url] }) });
  assert.equal(out.check.code, 'DEVICE_NOT_ALLOWED_ONCHAIN');
  const any = await mock({ requireTcbUpToDate: false, allowAnyDevice: true });
  out = core({ op: 'governance', input: inp, chain_answers: await askChain(plan, { rpcUrls: [any.url] }) });
  assert.equal(out.check.status, 'pass', out.check.message);
  const tcbRule = await mock({ allowAnyDevice: true });
  out = core({ op: 'governance', input: inp, chain_answers: await askChain(plan, { rpcUrls: [tcbRule.url] }) });
  assert.equal(out.check.code, 'TCB_NOT_ALLOWED_ONCHAIN');
  assert.match(out.check.message, /not verified/);
  // Answers made for another plan are refused.
  const other = core({ op: 'governance', input: { ...input, app_id: '11'.repeat(20) } }).needs.chain_calls;
  const wrong = await askChain(other, { rpcUrls: [any.url] });
  assert.equal(core({ op: 'governance', input: inp, chain_answers: wrong }).error.code, 'REQUEST_MALFORMED');
  // A report and explicit fields together are ambiguous.
  assert.equal(core({ op: 'governance', input: { ...inp, app_id: report.app.app_id } }).error.code, 'REQUEST_MALFORMED');
});

test('through the WASM core: governanceFor(report) with the default runner', { skip: existsSync(join(ROOT, 'js/cvm-verify.wasm')) ? false : 'needs make wasm' }, async () => {
  const { governanceFor } = await import('../../js/governance.js');
  const { run } = await import('../../js/wasm.js');
  const report = await run({ op: 'verify', now: NOW, evidence: vecJson('dstack-lite_getquote.json') });
  const a = await startMockRpc({ requireTcbUpToDate: false, allowAnyDevice: true });
  const b = await startMockRpc({ requireTcbUpToDate: false, allowAnyDevice: true });
  mocks.push(a, b);
  const chain = { rpcUrls: [a.url, b.url], chainId: 8453, kmsContract: BASE_KMS };
  const ok = await governanceFor(report, { chain });
  assert.equal(ok.check.status, 'pass', ok.check.message);
  assert.equal(ok.governance.endpoints.length, 2);
  // The same decision as the native core's.
  if (HAVE_NATIVE) {
    const input = { report, mode: 'auto', os_image_bound: false, chain: { chainId: 8453, kmsContract: BASE_KMS } };
    const plan = core({ op: 'governance', input }).needs.chain_calls;
    const answers = await askChain(plan, { rpcUrls: [a.url, b.url] });
    const native = core({ op: 'governance', input, chain_answers: answers });
    assert.deepEqual(native.check, ok.check);
    assert.deepEqual({ ...native.governance, endpoints: null }, { ...ok.governance, endpoints: null });
  }
  const missing = await governanceFor(report, { governance: 'require' });
  assert.equal(missing.check.code, 'CHAIN_INFO_MISSING');
  assert.equal(missing.could_not_judge, true);
  const off = await governanceFor(report, { governance: 'off', chain });
  assert.equal(off.check.status, 'skip');
});
