// The badge core (build/cvm-verify-badge.wasm, docs/performance.md §5) is the full core with Sigstore compiled
// out. Asserted here on real requests: every golden request (tests/golden/: every request the suites send; most
// use the test trust root, which these production builds refuse, so the golden responses themselves are the
// native test build's, checked by golden.test.mjs) gets byte-identical responses from both WASM cores; and the
// badge core answers provenance with PROVENANCE_NOT_BUILT, never a pass, where the full core really verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requests } from '../golden/golden.mjs';
import { bundleRequest, parseBundleArgs } from '../../js/verify-bundle.js';

const FULL = fileURLToPath(new URL('../../js/cvm-verify.wasm', import.meta.url));
const BADGE = fileURLToPath(new URL('../../js/cvm-verify-badge.wasm', import.meta.url));

/** A raw runner: request text in, response text out (no parsing, so the comparison is byte for byte). */
async function core(file) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { emscripten_notify_memory_growth() {} }, wasi_snapshot_preview1: {} });
  const ex = /** @type {any} */ (instance.exports);
  if (ex._initialize) ex._initialize();
  return (/** @type {string} */ text) => {
    const req = new TextEncoder().encode(text);
    const p = ex.cv_alloc(req.length || 1);
    new Uint8Array(ex.memory.buffer, p, req.length).set(req);
    const r = ex.cv_run(p, req.length);
    ex.cv_free(p);
    const len = new DataView(ex.memory.buffer).getUint32(r, true);
    const out = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, r + 4, len).slice());
    ex.cv_free(r);
    return out;
  };
}

const built = existsSync(FULL) && existsSync(BADGE);

test('both WASM cores answer every golden request byte-identically', { skip: !built && 'needs make wasm' }, async () => {
  const reqs = requests();
  assert.ok(reqs.length > 200);
  const [full, badge] = await Promise.all([core(FULL), core(BADGE)]);
  const differ = [];
  let verdicts = 0;
  let gov = 0;
  for (let i = 0; i < reqs.length; i++) {
    const f = full(reqs[i]);
    const b = badge(reqs[i]);
    // The standalone governance op is left out of the badge core (OP_NOT_BUILT); every other answer is the same.
    if (JSON.parse(reqs[i]).op === 'governance') {
      gov++;
      assert.equal(JSON.parse(b).error.code, 'OP_NOT_BUILT');
      assert.ok(!f.includes('OP_NOT_BUILT'));
      continue;
    }
    if (f !== b) differ.push(i);
    if (f.includes('"verdict":"pass"')) verdicts++;
  }
  assert.deepEqual(differ, [], 'requests whose responses differ between the cores');
  assert.ok(verdicts > 0, 'some requests pass in the production cores: the comparison covers full reports');
  console.log(`# ${reqs.length} golden requests: ${reqs.length - gov} answered alike by both cores, ${gov} governance ops`);
});

test('the badge core does not run the standalone governance op (OP_NOT_BUILT); the full core does', { skip: !built && 'needs make wasm' }, async () => {
  const [full, badge] = await Promise.all([core(FULL), core(BADGE)]);
  const req = JSON.stringify({ op: 'governance', input: {} });
  const f = JSON.parse(full(req));
  assert.equal(f.check.id, 'governance.onchain', JSON.stringify(f)); // the full core judges it
  assert.deepEqual(JSON.parse(badge(req)), { error: { code: 'OP_NOT_BUILT', message: 'This verifier core (the badge core) does not run the governance op; the full core (cvm-verify.wasm) does.' } });
});

test('the badge core answers provenance with PROVENANCE_NOT_BUILT; the full core verifies the same bundle', { skip: !built && 'needs make wasm' }, async () => {
  // sigstore-conformance's happy path (tests/js/sigstore-conformance.test.mjs), as `cvm-verify verify-bundle` sends it.
  const dir = fileURLToPath(new URL('../vectors/sigstore-conformance/bundle-verify/', import.meta.url));
  const req = JSON.stringify(await bundleRequest(parseBundleArgs([
    '--bundle', `${dir}happy-path-v0.3/bundle.sigstore.json`,
    '--certificate-identity', 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
    '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com',
    `${dir}a.txt`]), Math.floor(Date.now() / 1000)));
  const [full, badge] = await Promise.all([core(FULL), core(BADGE)]);
  const f = JSON.parse(full(req));
  assert.equal(f.ok, true, JSON.stringify(f.error));
  assert.equal(f.provenance.log_index, 79571823);
  const b = JSON.parse(badge(req));
  assert.deepEqual(Object.keys(b), ['ok', 'error']);
  assert.equal(b.ok, false);
  assert.equal(b.error.code, 'PROVENANCE_NOT_BUILT');
  assert.match(b.error.message, /built without Sigstore: it does not check provenance/);
});
