// sigstore-conformance's bundle-verify cases (tests/vectors/sigstore-conformance/, provenance in
// tests/vectors/README.md) through the core's verify_bundle op, as `cvm-verify verify-bundle` runs them:
// a `_fail` case must fail with a PROVENANCE_* code, every other applicable case must verify. The cases that do not
// apply are listed below with the reason (docs/provenance.md), and must still be rejected: fail closed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ROOT, run } from './helpers.mjs';
import { parseBundleArgs, verifyBundle } from '../../js/verify-bundle.js';

const DIR = join(ROOT, 'tests/vectors/sigstore-conformance/bundle-verify');
const DEFAULT_IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/** Rekor v2 (log2025-1): entries without an integrated time (hashedrekord 0.0.2), Ed25519 log keys, RFC 3161
 * timestamps as the only time source. Not supported: such bundles are rejected (PROVENANCE_MALFORMED). */
const REKOR_V2 = 'a Rekor v2 entry (hashedrekord 0.0.2, RFC 3161 time only): Rekor v2 is not supported yet';
/** @type {Record<string, string>} */
const NOT_APPLICABLE = {
  'bundle-with-sct-with-extensions': REKOR_V2,
  'trust-root-tsa-validity-end-inclusive': REKOR_V2,
};
/** Gaps: checks this verifier does not make yet, so these `_fail` cases would wrongly verify (none today). */
/** @type {Record<string, string>} */
const GAPS = {
};

const cases = readdirSync(DIR).filter((c) => statSync(join(DIR, c)).isDirectory()).sort();

/** @param {string} c */
function argsOf(c) {
  const p = (/** @type {string} */ f) => join(DIR, c, f);
  const argv = ['--bundle', p('bundle.sigstore.json')];
  if (existsSync(p('key.pub'))) argv.push('--key', p('key.pub'));
  else {
    argv.push('--certificate-identity', existsSync(p('identity')) ? readFileSync(p('identity'), 'utf8').trim() : DEFAULT_IDENTITY);
    argv.push('--certificate-oidc-issuer', existsSync(p('issuer')) ? readFileSync(p('issuer'), 'utf8').trim() : DEFAULT_ISSUER);
  }
  if (existsSync(p('trusted_root.json'))) argv.push('--trusted-root', p('trusted_root.json'));
  argv.push(existsSync(p('artifact')) ? p('artifact') : join(DIR, 'a.txt'));
  return argv;
}

test('the copied suite is whole: 70 cases, 49 of them _fail', () => {
  assert.equal(cases.length, 70);
  assert.equal(cases.filter((c) => c.endsWith('_fail')).length, 49);
});

for (const c of cases) {
  const rekorV2 = c.startsWith('rekor2-');
  const why = GAPS[c] || NOT_APPLICABLE[c] || (rekorV2 ? REKOR_V2 : '');
  const expectPass = !c.endsWith('_fail') && !why;
  test(`${c}${why ? ` (not applicable: ${why})` : ''}`, { skip: GAPS[c] ? `gap: ${GAPS[c]}` : false }, async () => {
    const r = await verifyBundle(parseBundleArgs(argsOf(c)));
    if (expectPass) {
      assert.equal(r.ok, true, `${c}: ${r.error && `${r.error.code}: ${r.error.message}`}`);
      assert.match(/** @type {any} */ (r.provenance).artifact_sha256, /^[0-9a-f]{64}$/);
    } else {
      assert.equal(r.ok, false, `${c} must not verify`);
      assert.match(/** @type {any} */ (r.error).code, /^PROVENANCE_/);
      assert.ok(/** @type {any} */ (r.error).message.length > 10);
      if (why) assert.equal(/** @type {any} */ (r.error).code, 'PROVENANCE_MALFORMED', `${c}: unsupported input is named as such`);
    }
  });
}

test('a happy path proves the facts of its certificate', async () => {
  const r = await verifyBundle(parseBundleArgs(argsOf('happy-path-v0.3')));
  assert.equal(r.ok, true);
  const p = /** @type {any} */ (r.provenance);
  assert.equal(p.identity, DEFAULT_IDENTITY);
  assert.equal(p.issuer, DEFAULT_ISSUER);
  assert.equal(p.source_repository, 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon');
  assert.match(p.source_commit, /^[0-9a-f]{40}$/);
  assert.equal(p.source_ref, 'refs/heads/main');
  assert.equal(p.log_index, 79571823);
  assert.equal(p.artifact_sha256, createHash('sha256').update(readFileSync(join(DIR, 'a.txt'))).digest('hex'));
});

test('a digest instead of the artifact file verifies the same', async () => {
  const argv = argsOf('happy-path-v0.2');
  const digest = `sha256:${createHash('sha256').update(readFileSync(argv[argv.length - 1])).digest('hex')}`;
  argv[argv.length - 1] = digest;
  assert.equal((await verifyBundle(parseBundleArgs(argv))).ok, true);
  argv[argv.length - 1] = `sha256:${'0'.repeat(64)}`;
  const bad = await verifyBundle(parseBundleArgs(argv));
  assert.equal(bad.ok, false);
});

test('a wrong identity or issuer fails with PROVENANCE_IDENTITY_MISMATCH', async () => {
  for (const [flag, value] of [['--certificate-identity', 'https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main'], ['--certificate-oidc-issuer', 'https://accounts.google.com']]) {
    const argv = argsOf('happy-path-v0.1');
    argv[argv.indexOf(flag) + 1] = value;
    const r = await verifyBundle(parseBundleArgs(argv));
    assert.equal(r.ok, false);
    assert.equal(/** @type {any} */ (r.error).code, 'PROVENANCE_IDENTITY_MISMATCH');
  }
});

test('the CLI speaks the protocol: exit 0 on a happy path, 1 with a code on a _fail case, 2 on bad usage', async () => {
  const ok = await run(['verify-bundle', ...argsOf('happy-path-intoto-in-dsse-v3')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).content, 'dsse');
  const bad = await run(['verify-bundle', ...argsOf('checkpoint-wrong-roothash_fail')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^PROVENANCE_INVALID: /);
  const usage = await run(['verify-bundle', '--bundle', 'x.json']);
  assert.equal(usage.code, 2);
});
