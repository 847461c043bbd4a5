// The example dstack app (examples/dstack-app/server.mjs) with the real dstack SDK, against a stand-in for the
// guest agent on a UNIX socket (tests/mocks/guest-agent.mjs) answering from the near/mpc vectors: it puts the
// verifier's nonce into the quote request, serves both endpoints with CORS, and the CLI verifies what it serves.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startMockGuestAgent } from '../mocks/guest-agent.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';
import { run, tempDir, join, ROOT, NOW, check } from './helpers.mjs';

const APP = join(ROOT, 'examples/dstack-app');

/** The example's own dependencies (the dstack SDK), from its lock file. */
function ensureSdk() {
  if (existsSync(join(APP, 'node_modules/@phala/dstack-sdk/package.json'))) return;
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: APP, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `npm ci in examples/dstack-app failed (the test needs the dstack SDK from the npm registry): ${r.stderr}`);
}

/**
 * Starts the example server as it runs in the CVM, with the SDK pointed at the stand-in's socket.
 * @param {import('node:test').TestContext} t
 * @param {string} socketPath
 * @returns {Promise<string>} its URL
 */
async function startApp(t, socketPath) {
  const child = spawn(process.execPath, [join(APP, 'server.mjs')], {
    cwd: APP,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DSTACK_SIMULATOR_ENDPOINT: socketPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => { child.kill('SIGTERM'); });
  let out = '', err = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /attestation app on port (\d+)/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    child.on('exit', (code) => reject(new Error(`the example server exited (${code}): ${err}`)));
  });
}

test('the example app asks the guest agent for a quote over the nonce and serves both endpoints with CORS', async (t) => {
  ensureSdk();
  const dir = tempDir(t);
  const agent = await startMockGuestAgent({ socketPath: join(dir, 'dstack.sock') });
  t.after(() => agent.close());
  const url = await startApp(t, agent.socketPath);
  const nonce = 'a5'.repeat(32);

  const att = await fetch(`${url}/attestation?reportData=${nonce}`, { headers: { origin: 'https://verifier.example' } });
  assert.equal(att.status, 200);
  assert.equal(att.headers.get('access-control-allow-origin'), '*');
  const body = await att.json();
  assert.equal(body.quote, JSON.parse(readFileSync(join(ROOT, 'tests/vectors/dstack/near-mpc_getquote.json'), 'utf8')).quote);
  assert.equal(typeof body.event_log, 'string');
  assert.deepEqual(agent.requests.at(-1), { method: 'POST', path: '/GetQuote', reportData: nonce }, 'the nonce went to the guest agent as report_data bytes');

  const info = await fetch(`${url}/info`);
  assert.equal(info.status, 200);
  assert.equal(info.headers.get('access-control-allow-origin'), '*');
  const infoBody = await info.json();
  assert.match(infoBody.app_id, /^[0-9a-f]{40}$/);
  assert.equal(typeof infoBody.tcb_info.app_compose, 'string', 'the SDK parsed tcb_info');

  const pre = await fetch(`${url}/attestation?reportData=${nonce}`, { method: 'OPTIONS', headers: { origin: 'https://verifier.example', 'access-control-request-method': 'GET' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods') || '', /GET/);

  const calls = agent.requests.length;
  for (const bad of ['', 'zz', 'abc', 'ab'.repeat(65)]) {
    const r = await fetch(`${url}/attestation?reportData=${bad}`);
    assert.equal(r.status, 400, bad);
    assert.match((await r.json()).error, /reportData must be 1 to 64 bytes of hex/);
  }
  assert.equal(agent.requests.length, calls, 'bad report data never reaches the guest agent');
  assert.equal((await fetch(`${url}/nope`)).status, 404);
});

test('the CLI verifies what the example app serves (the recording fails only freshness)', async (t) => {
  ensureSdk();
  const dir = tempDir(t);
  const agent = await startMockGuestAgent({ socketPath: join(dir, 'dstack.sock') });
  const pccs = await startMockPccs();
  t.after(() => Promise.all([agent.close(), pccs.close()]));
  const url = await startApp(t, agent.socketPath);
  const saved = join(dir, 'evidence.json');
  const r = await run([url, '--pccs', pccs.url, '--now', String(NOW), '--json', '--save-evidence', saved]);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  for (const id of ['quote.format', 'hardware.signature', 'collateral.validity', 'tcb.status', 'eventlog.replay', 'app.compose_hash']) {
    assert.equal(check(report, id).status, 'pass', `${id}: ${check(report, id).message}`);
  }
  const fresh = check(report, 'freshness.nonce');
  assert.equal(fresh.status, 'fail');
  assert.equal(fresh.code, 'NONCE_MISMATCH');
  // What the app asked the guest agent to quote is exactly the CLI's nonce: on a real CVM this check passes.
  const bundle = JSON.parse(readFileSync(saved, 'utf8'));
  assert.match(bundle.nonce, /^[0-9a-f]{64}$/);
  assert.equal(agent.requests.filter((q) => q.path === '/GetQuote').at(-1)?.reportData, bundle.nonce);
});

test('a guest agent error is a 502, and the CLI could not judge (exit 3), never a pass', async (t) => {
  ensureSdk();
  const dir = tempDir(t);
  const agent = await startMockGuestAgent({ socketPath: join(dir, 'dstack.sock'), fail: true });
  t.after(() => agent.close());
  const url = await startApp(t, agent.socketPath);
  const a = await fetch(`${url}/attestation?reportData=${'00'.repeat(32)}`);
  assert.equal(a.status, 502);
  assert.match((await a.json()).error, /guest agent did not answer: mock guest agent failure/);
  const r = await run([url, '--now', String(NOW)]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /FETCH_FAILED/);
});

test('the example compose file mounts the guest agent socket and pins its image by digest', () => {
  const compose = readFileSync(join(APP, 'docker-compose.yml'), 'utf8');
  assert.match(compose, /- \/var\/run\/dstack\.sock:\/var\/run\/dstack\.sock/);
  const images = [...compose.matchAll(/^\s+image:\s*(\S+)/gm)].map((m) => m[1]);
  assert.ok(images.length >= 1);
  for (const im of images) assert.match(im, /@sha256:/, `${im} is pinned by digest`);
  const docker = readFileSync(join(APP, 'Dockerfile'), 'utf8');
  assert.match(docker, /^USER node$/m);
  assert.match(docker, /npm ci --omit=dev/);
});
