// Consumer test: the npm tarball installs into an empty project, and its bin and API work there.
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { run, tempDir, join, ROOT, VEC, NOW } from './helpers.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('npm pack -> npm install in an empty project -> bin and import work', async (t) => {
  const dir = tempDir(t);
  const env = { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const packed = await run(['pack', '--json', '--pack-destination', dir], { cmd: [npm], cwd: ROOT, env });
  assert.equal(packed.code, 0, packed.stderr);
  const info = JSON.parse(packed.stdout)[0];
  const files = info.files.map((/** @type {{path: string}} */ f) => f.path).sort();
  for (const f of ['package.json', 'js/cli.js', 'js/index.js', 'js/index.d.ts', 'js/wasm.js', 'js/cvm-verify.wasm', 'js/wasm-sha256.js', 'js/version.js', 'dist/index.js', 'dist/badge.js']) {
    assert.ok(files.includes(f), `${f} is in the tarball (${files.join(', ')})`);
  }
  assert.ok(!files.some((/** @type {string} */ f) => f.startsWith('tests/') || f.startsWith('src/')), 'no tests or C sources');
  assert.ok(files.some((/** @type {string} */ f) => /^dist\/cvm-verify\.[0-9a-f]{16}\.wasm$/.test(f)), 'the API bundle\'s hashed WASM');
  const tgz = join(dir, info.filename);

  const proj = join(dir, 'consumer');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  let inst = await run(['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tgz], { cmd: [npm], cwd: proj, env });
  if (inst.code !== 0) inst = await run(['install', '--no-audit', '--no-fund', '--loglevel=error', tgz], { cmd: [npm], cwd: proj, env });
  assert.equal(inst.code, 0, inst.stderr);
  const bin = join(proj, 'node_modules/.bin/cvm-verify');
  assert.ok(existsSync(bin));

  const help = await run(['--help'], { cmd: [bin], cwd: proj });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage:/);
  const v = await run([join(VEC, 'near-mpc_getquote.json'), '--collateral', join(VEC, 'near-mpc_collateral.json'), '--now', String(NOW), '--json'], { cmd: [bin], cwd: proj });
  assert.equal(v.code, 0, v.stderr);
  assert.equal(JSON.parse(v.stdout).checks.find((/** @type {any} */ c) => c.id === 'hardware.signature').status, 'pass');

  const script = `
    import { readFileSync } from 'node:fs';
    import { verifyEvidence, newNonce, VERSION } from 'cvm-verify';
    const ev = readFileSync(${JSON.stringify(join(VEC, 'near-mpc_getquote.json'))}, 'utf8');
    const collateral = JSON.parse(readFileSync(${JSON.stringify(join(VEC, 'near-mpc_collateral.json'))}, 'utf8'));
    const r = await verifyEvidence(ev, { collateral, now: ${NOW} });
    console.log(JSON.stringify({ version: VERSION, nonce: newNonce(), verdict: r.verdict, hw: r.checks[1].status, evidence: !!r.evidence }));
  `;
  const api = await run(['--input-type=module', '-e', script], { cmd: [process.execPath], cwd: proj });
  assert.equal(api.code, 0, api.stderr);
  const out = JSON.parse(api.stdout);
  assert.match(out.nonce, /^[0-9a-f]{64}$/);
  assert.notEqual(out.verdict, 'fail');
  assert.equal(out.hw, 'pass');
  assert.equal(out.evidence, true);
});
