// app.provenance end to end through the API and the CLI (docs/provenance.md): a forged, fully bound dstack app
// (tests/pki/forge.mjs) whose compose pins example/image@<the subject digest of a real Sigstore bundle from
// sigstore-conformance>, verified by the test core (which honours the forged Intel root), with bundles
// supplied as options or files, or fetched from a mock of GitHub's attestations API (tests/mocks/github.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_NOW } from '../pki/forge.mjs';
import { startMockGithub, provenanceApp, CASES, DSSE_BUNDLE, SUBJECT, SUBJECT_SOURCE } from '../mocks/github.mjs';
import { ROOT, run, check } from './helpers.mjs';

const TEST_WASM = process.env.CVM_VERIFY_TEST_WASM || join(ROOT, 'build/cvm-verify-test.wasm');
const IMAGE = `example/image@${SUBJECT}`; // provenanceApp's image
const INVALID_BUNDLE = readFileSync(join(CASES, 'dsse-invalid-sig_fail/bundle.sigstore.json'), 'utf8');

/** A copy of js/ whose core is the test build (Node resolves symlinks, so files are copied), with the trusted root. */
function testPackage() {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-verify-prov-'));
  mkdirSync(join(dir, 'js'));
  mkdirSync(join(dir, 'data/sigstore'), { recursive: true });
  for (const f of readdirSync(join(ROOT, 'js'))) if (f.endsWith('.js') && f !== 'wasm-sha256.js') copyFileSync(join(ROOT, 'js', f), join(dir, 'js', f));
  copyFileSync(TEST_WASM, join(dir, 'js/cvm-verify.wasm'));
  const sha = createHash('sha256').update(readFileSync(TEST_WASM)).digest('hex');
  writeFileSync(join(dir, 'js/wasm-sha256.js'), `export const WASM_SHA256 = "${sha}";\n`);
  copyFileSync(join(ROOT, 'data/sigstore/trusted_root.json'), join(dir, 'data/sigstore/trusted_root.json'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return dir;
}

const built = existsSync(TEST_WASM);
const PKG = built ? testPackage() : '';
test.after(() => { if (PKG) rmSync(PKG, { recursive: true, force: true }); });
const api = built ? await import(pathToFileURL(join(PKG, 'js/index.js')).href) : null;
const app = provenanceApp();
const hex = (/** @type {Buffer} */ b) => Buffer.from(b).toString('hex');

/** verifyEvidence over the forged app with these extra options. */
function verify(extra = {}) {
  return api.verifyEvidence(app.bundle, { now: DEFAULT_NOW, nonce: hex(app.nonce), ...extra });
}
/** The forged app carries no OS manifest, so os.image warns and the verdict is warn: assert it is the only
 *  check short of pass or skip (docs/os-image.md). */
function assertOnlyOsWarns(/** @type {any} */ r) {
  assert.equal(r.verdict, 'warn');
  assert.deepEqual(r.checks.filter((/** @type {any} */ x) => x.status !== 'pass' && x.status !== 'skip').map((/** @type {any} */ x) => x.id), ['os.image']);
}
const skipUnbuilt = built ? undefined : 'needs build/cvm-verify-test.wasm (make wasm-test)';

test('without bundles or opt-in: skipped, not warned, and the pinned image is listed', { skip: skipUnbuilt }, async () => {
  const r = await verify();
  const c = check(r, 'app.provenance');
  assert.equal(c.status, 'skip', c.message);
  assert.equal(c.code, 'PROVENANCE_MISSING');
  assertOnlyOsWarns(r);
  assert.deepEqual(r.provenance.map((p) => [p.image, p.digest, p.status]), [[IMAGE, SUBJECT, 'skip']]);
  assert.deepEqual(r.needs.provenance, [{ image: IMAGE, digest: SUBJECT }], 'the need stays unanswered');
});

test('a supplied bundle from the expected source passes, with the certificate facts', { skip: skipUnbuilt }, async () => {
  const r = await verify({ provenance: { bundles: [JSON.stringify(DSSE_BUNDLE)] }, policy: { expect: { source: SUBJECT_SOURCE } } });
  const c = check(r, 'app.provenance');
  assert.equal(c.status, 'pass', c.message);
  assert.equal(c.enforced, true);
  assertOnlyOsWarns(r);
  const [p] = r.provenance;
  assert.equal(p.status, 'pass');
  assert.equal(p.repository, `https://github.com/${SUBJECT_SOURCE}`);
  assert.equal(p.commit, '82a3bfe6dd50fe9c71d6315eae66da15307856cf');
  assert.equal(p.ref, 'refs/heads/main');
  assert.match(p.workflow, /\.github\/workflows\/extremely-dangerous-oidc-beacon\.yml@refs\/heads\/main$/);
  assert.equal(p.runner_environment, 'github-hosted');
  assert.equal(p.issuer, 'https://token.actions.githubusercontent.com');
  assert.equal(p.log_index, 155690850);
  assert.equal(p.integrated_time, 1734374576);
  assert.equal(r.needs?.provenance, undefined, 'answered');
});

test('valid provenance from another source fails the expected source', { skip: skipUnbuilt }, async () => {
  const r = await verify({ provenance: { bundles: [DSSE_BUNDLE] }, policy: { expect: { source: 'dstack-tee/dstack@main' } } });
  const c = check(r, 'app.provenance');
  assert.equal(c.status, 'fail');
  assert.equal(c.code, 'PROVENANCE_SOURCE_MISMATCH');
  assert.equal(r.verdict, 'fail');
  assert.equal(r.provenance[0].repository, `https://github.com/${SUBJECT_SOURCE}`, 'the facts say where it came from');
  const wrongRef = await verify({ provenance: { bundles: [DSSE_BUNDLE] }, policy: { expect: { source: `${SUBJECT_SOURCE}@v1.0.0` } } });
  assert.equal(check(wrongRef, 'app.provenance').code, 'PROVENANCE_SOURCE_MISMATCH');
});

test('an expected source without any bundle fails PROVENANCE_MISSING', { skip: skipUnbuilt }, async () => {
  const r = await verify({ policy: { expect: { source: SUBJECT_SOURCE } } });
  const c = check(r, 'app.provenance');
  assert.equal(c.status, 'fail');
  assert.equal(c.code, 'PROVENANCE_MISSING');
  assert.equal(r.verdict, 'fail');
});

test('a bundle that does not verify fails with PROVENANCE_INVALID, or warns without a policy', { skip: skipUnbuilt }, async () => {
  const enforced = await verify({ provenance: { bundles: [INVALID_BUNDLE] }, policy: { expect: { source: SUBJECT_SOURCE } } });
  assert.equal(check(enforced, 'app.provenance').code, 'PROVENANCE_INVALID');
  assert.equal(enforced.verdict, 'fail');
  const informative = await verify({ provenance: { bundles: [INVALID_BUNDLE] } });
  const c = check(informative, 'app.provenance');
  assert.equal(c.status, 'warn');
  assert.equal(c.code, 'PROVENANCE_INVALID');
  assert.equal(c.enforced, false);
  assert.equal(informative.verdict, 'warn');
  // A valid bundle beside it wins.
  const both = await verify({ provenance: { bundles: [INVALID_BUNDLE, DSSE_BUNDLE] } });
  assert.equal(check(both, 'app.provenance').status, 'pass');
});

test('fetching (opt-in) from a mock GitHub: found passes, none warns without a policy', { skip: skipUnbuilt }, async (t) => {
  const gh = await startMockGithub();
  t.after(() => gh.close());
  const found = await verify({ provenance: { repository: 'owner/repo', apiBase: gh.url } });
  assert.equal(check(found, 'app.provenance').status, 'pass', check(found, 'app.provenance').message);
  assert.deepEqual(gh.requests.map((q) => /** @type {any} */ (q).url), [`/repos/owner/repo/attestations/${SUBJECT}`]);
  const none = await verify({ provenance: { repository: 'owner/empty', apiBase: gh.url } });
  const c = check(none, 'app.provenance');
  assert.equal(c.status, 'warn', c.message);
  assert.equal(c.code, 'PROVENANCE_MISSING');
  assert.equal(none.verdict, 'warn');
  // fetch: true without a repository the image implies or a source names: nothing to ask, nothing asked.
  const before = gh.requests.length;
  const noRepo = await verify({ provenance: { fetch: true, apiBase: gh.url } });
  assert.equal(gh.requests.length, before);
  assert.equal(check(noRepo, 'app.provenance').status, 'warn');
  // ... the expected source names the repository to ask.
  const bySource = await verify({ provenance: { fetch: true, apiBase: gh.url }, policy: { expect: { source: 'owner/repo' } } });
  assert.equal(gh.requests.length, before + 1);
  assert.equal(check(bySource, 'app.provenance').code, 'PROVENANCE_SOURCE_MISMATCH', 'the mock serves another repository\'s bundle');
});

test('an image the compose does not bind is not checked (COMPOSE_UNBOUND)', { skip: skipUnbuilt }, async () => {
  const ev = structuredClone(app.bundle);
  const tcb = JSON.parse(ev.info.tcb_info);
  tcb.app_compose = tcb.app_compose.replace('provenance-app', 'other-app');
  ev.info.tcb_info = JSON.stringify(tcb);
  const r = await api.verifyEvidence(ev, { now: DEFAULT_NOW, nonce: hex(app.nonce), provenance: { bundles: [DSSE_BUNDLE] } });
  assert.notEqual(check(r, 'app.compose_hash').status, 'pass');
  const c = check(r, 'app.provenance');
  assert.equal(c.status, 'skip');
  assert.equal(c.code, 'COMPOSE_UNBOUND');
  assert.equal(r.provenance, null);
});

test('options are validated before any network access', { skip: skipUnbuilt }, async () => {
  await assert.rejects(verify({ provenance: { repo: 'owner/repo' } }), { code: 'REQUEST_MALFORMED' });
  await assert.rejects(verify({ provenance: { repository: 'not a repo' } }), { code: 'REQUEST_MALFORMED' });
  await assert.rejects(verify({ provenance: { bundles: ['{not json'] } }), { code: 'REQUEST_MALFORMED' });
  await assert.rejects(verify({ policy: { expect: { source: 'no-slash' } } }), { code: 'REQUEST_MALFORMED' });
});

test('CLI: --provenance FILE and --expect-source; the provenance lines', { skip: skipUnbuilt }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-verify-prov-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'evidence.json'), JSON.stringify(app.bundle));
  // A GitHub attestations response is accepted as a bundle file too.
  writeFileSync(join(dir, 'attestations.json'), JSON.stringify({ attestations: [{ bundle: DSSE_BUNDLE }] }));
  const cmd = [process.execPath, join(PKG, 'js/cli.js')];
  const base = [join(dir, 'evidence.json'), '--now', String(DEFAULT_NOW), '--nonce', hex(app.nonce)];
  const ok = await run([...base, '--provenance', join(dir, 'attestations.json'), '--expect-source', SUBJECT_SOURCE], { cmd });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /app\.provenance\s+pass/);
  assert.match(ok.stdout, /Provenance:\s+1 of 1 pinned image with verified source provenance/);
  assert.match(ok.stdout, /source github\.com\/sigstore-conformance\/extremely-dangerous-public-oidc-beacon @ 82a3bfe6dd50fe9c71d6315eae66da15307856cf \(refs\/heads\/main\)/);
  assert.match(ok.stdout, /Rekor log index 155690850, integrated 2024-12-16T18:42:56Z/);
  const bad = await run([...base, '--provenance', join(dir, 'attestations.json'), '--expect-source', 'dstack-tee/dstack'], { cmd });
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /PROVENANCE_SOURCE_MISMATCH/);
  const usage = await run([...base, '--expect-source', 'nope'], { cmd });
  assert.equal(usage.code, 2);
  const help = await run(['--help'], { cmd });
  assert.match(help.stdout, /verify-bundle --bundle FILE/);
  assert.match(help.stdout, /--provenance FILE/);
});
