// js/provenance.js against a mock of GitHub's attestations API on loopback, and the bundles it returns verified
// by the core (verify_bundle) against the image-digest-like subject.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockGithub, SUBJECT } from '../mocks/github.mjs';
import { ROOT } from './helpers.mjs';
import { repoFromImage, attestationsUrl, fetchAttestationBundles } from '../../js/provenance.js';
import { run } from '../../js/wasm.js';

const MISSING = `sha256:${'ab'.repeat(32)}`;

test('repoFromImage reads ghcr.io/owner/repo and nothing else', () => {
  assert.equal(repoFromImage('ghcr.io/Dstack-TEE/dstack-gateway:0.5.3@sha256:' + '0'.repeat(64)), 'dstack-tee/dstack-gateway');
  assert.equal(repoFromImage('ghcr.io/owner/repo/sub@sha256:' + '0'.repeat(64)), 'owner/repo');
  assert.equal(repoFromImage('docker.io/library/nginx@sha256:' + '0'.repeat(64)), null);
  assert.equal(repoFromImage('nginx'), null);
});

test('attestationsUrl refuses what is not a repo or a sha256 digest', () => {
  assert.equal(attestationsUrl('owner/repo', SUBJECT), `https://api.github.com/repos/owner/repo/attestations/${SUBJECT}`);
  assert.throws(() => attestationsUrl('owner/repo/../x', SUBJECT), /not a GitHub owner\/repo/);
  assert.throws(() => attestationsUrl('owner/repo', 'sha256:ABC'), /not a sha256/);
});

test('fetches the bundles, which the core verifies against the digest', async () => {
  const gh = await startMockGithub();
  try {
    const bundles = await fetchAttestationBundles('owner/repo', SUBJECT, { apiBase: gh.url });
    assert.equal(bundles.length, 1, 'an attestation without an inline bundle is left out');
    assert.equal(/** @type {any} */ (gh.requests[0]).accept, 'application/vnd.github+json');
    const trustedRoot = readFileSync(join(ROOT, 'data/sigstore/trusted_root.json'), 'utf8');
    const ok = await run({ op: 'verify_bundle', bundle: bundles[0], trusted_root: trustedRoot, artifact_digest: SUBJECT,
      source: 'sigstore-conformance/extremely-dangerous-public-oidc-beacon', now: Math.floor(Date.now() / 1000) });
    assert.equal(ok.ok, true, JSON.stringify(ok.error));
    assert.equal(ok.provenance.source_repository, 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon');
    const wrongSource = await run({ op: 'verify_bundle', bundle: bundles[0], trusted_root: trustedRoot,
      artifact_digest: SUBJECT, source: 'dstack-tee/dstack', now: Math.floor(Date.now() / 1000) });
    assert.equal(wrongSource.error.code, 'PROVENANCE_SOURCE_MISMATCH');
    const otherImage = await run({ op: 'verify_bundle', bundle: bundles[0], trusted_root: trustedRoot,
      artifact_digest: MISSING, now: Math.floor(Date.now() / 1000) });
    assert.equal(otherImage.error.code, 'PROVENANCE_SUBJECT_MISMATCH');
  } finally {
    await gh.close();
  }
});

test('no attestation is an empty list; a broken or failing API is FETCH_FAILED', async () => {
  const gh = await startMockGithub();
  try {
    assert.deepEqual(await fetchAttestationBundles('owner/repo', MISSING, { apiBase: gh.url }), []);
    await assert.rejects(fetchAttestationBundles('owner/broken', SUBJECT, { apiBase: gh.url }), { code: 'FETCH_FAILED' });
    await assert.rejects(fetchAttestationBundles('owner/down', SUBJECT, { apiBase: gh.url }), { code: 'FETCH_FAILED' });
  } finally {
    await gh.close();
  }
});

test('verify_bundle without a bundle is PROVENANCE_MISSING', async () => {
  const r = await run({ op: 'verify_bundle', trusted_root: '{}', artifact_digest: SUBJECT, now: 1 });
  assert.equal(r.error.code, 'PROVENANCE_MISSING');
});
