// Consumer test: the npm tarball installs into an empty project, and its bin and API work there.
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync, mkdirSync, cpSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { run, tempDir, join, ROOT, VEC, NOW } from './helpers.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('npm pack -> npm install in an empty project -> bin and import work', async (t) => {
  const dir = tempDir(t);
  const env = { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const packed = await run(['pack', '--json', '--pack-destination', dir], { cmd: [npm], cwd: ROOT, env });
  assert.equal(packed.code, 0, packed.stderr);
  const info = JSON.parse(packed.stdout)[0];
  const files = info.files.map((/** @type {{path: string}} */ f) => f.path).sort();
  for (const f of ['package.json', 'js/cli.js', 'js/index.js', 'js/index.d.ts', 'js/wasm.js', 'js/cvm-verify.wasm', 'js/wasm-sha256.js', 'js/cvm-verify-badge.wasm', 'js/wasm-badge-sha256.js', 'js/version.js', 'dist/index.js', 'dist/badge.js']) {
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

  // The README's install from a clone or a release tarball: a global install (into a private prefix here).
  const prefix = join(dir, 'global');
  const g = await run(['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel=error', tgz], { cmd: [npm], cwd: dir, env });
  assert.equal(g.code, 0, g.stderr);
  const gv = await run([join(VEC, 'near-mpc_getquote.json'), '--collateral', join(VEC, 'near-mpc_collateral.json'), '--now', String(NOW)], { cmd: [join(prefix, 'bin/cvm-verify')], cwd: dir });
  assert.equal(gv.code, 0, gv.stderr);
  assert.match(gv.stdout, /✓ hardware\.signature +pass/);
  assert.match(gv.stdout, /Verdict: +(PASS|WARN)/);

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

/**
 * A copy of the repository's tracked files (an unbuilt clone: no js/cvm-verify.wasm, no js/wasm-sha256.js).
 * @param {string} dir
 */
function unbuiltClone(dir) {
  const tree = join(dir, 'clone');
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(ROOT, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(tree, f)), { recursive: true });
    cpSync(join(ROOT, f), join(tree, f));
  }
  return tree;
}

const tarballs = (/** @type {string} */ d) => readdirSync(d).filter((f) => f.endsWith('.tgz'));

test('npm pack in an unbuilt clone that cannot build the core refuses, and packs nothing', async (t) => {
  const dir = tempDir(t);
  const tree = unbuiltClone(dir);
  assert.ok(!existsSync(join(tree, 'js/cvm-verify.wasm')), 'the clone has no WASM');
  const env = { npm_config_update_notifier: 'false', MAKE: 'false' };
  const packed = await run(['pack', '--pack-destination', dir], { cmd: [npm], cwd: tree, env });
  assert.notEqual(packed.code, 0, 'npm pack must fail');
  assert.match(packed.stderr, /refusing to pack: "false pack-core" failed/);
  assert.match(packed.stderr, /make pack-core/);
  assert.deepEqual(tarballs(dir), [], 'no tarball was written');
});

test('npm pack refuses a WASM that is not the one js/wasm-sha256.js records (a stale build)', async (t) => {
  const dir = tempDir(t);
  const tree = unbuiltClone(dir);
  cpSync(join(ROOT, 'js/cvm-verify.wasm'), join(tree, 'js/cvm-verify.wasm'));
  const sha = readFileSync(join(ROOT, 'js/wasm-sha256.js'), 'utf8');
  writeFileSync(join(tree, 'js/wasm-sha256.js'), sha.replace(/"([0-9a-f])/, (_, c) => `"${c === '0' ? '1' : '0'}`));
  // `true` stands for a make that has nothing to do: the check after it must still catch the mismatch.
  const packed = await run(['pack', '--pack-destination', dir], { cmd: [npm], cwd: tree, env: { npm_config_update_notifier: 'false', MAKE: 'true' } });
  assert.notEqual(packed.code, 0, 'npm pack must fail');
  assert.match(packed.stderr, /refusing to pack: js\/cvm-verify\.wasm \(sha256 [0-9a-f]{64}\) is not the module js\/wasm-sha256\.js records/);
  assert.deepEqual(tarballs(dir), []);
});

test('npm pack with a matching prebuilt core packs it (the build step found nothing to do)', async (t) => {
  const dir = tempDir(t);
  const tree = unbuiltClone(dir);
  cpSync(join(ROOT, 'js/cvm-verify.wasm'), join(tree, 'js/cvm-verify.wasm'));
  cpSync(join(ROOT, 'js/wasm-sha256.js'), join(tree, 'js/wasm-sha256.js'));
  const packed = await run(['pack', '--json', '--pack-destination', dir], { cmd: [npm], cwd: tree, env: { npm_config_update_notifier: 'false', MAKE: 'true' } });
  assert.equal(packed.code, 0, packed.stderr);
  assert.match(packed.stderr, /core ready \(sha256 [0-9a-f]{64}\)/);
  const files = JSON.parse(packed.stdout)[0].files.map((/** @type {{path: string}} */ f) => f.path);
  assert.ok(files.includes('js/cvm-verify.wasm') && files.includes('js/wasm-sha256.js'), files.join(', '));
});
