// A mock of GitHub's artifact attestations API (GET /repos/{owner}/{repo}/attestations/sha256:{digest}) on
// loopback, answering from real Sigstore bundles (tests/vectors/sigstore-conformance/). Used by
// tests/js/provenance.test.mjs (the fetcher) and tests/js/provenance-app.test.mjs (app.provenance end to end).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { listenMock } from './listen.mjs';
import { dstackEvidence } from '../pki/forge.mjs';

export const CASES = fileURLToPath(new URL('../vectors/sigstore-conformance/bundle-verify/', import.meta.url));
/** The happy in-toto/DSSE bundle (GitHub's attestation shape), as parsed JSON. */
export const DSSE_BUNDLE = JSON.parse(readFileSync(CASES + 'happy-path-intoto-in-dsse-v3/bundle.sigstore.json', 'utf8'));
/** Its subject: the SHA-256 of the suite's a.txt, as an image digest. */
export const SUBJECT = `sha256:${createHash('sha256').update(readFileSync(CASES + 'a.txt')).digest('hex')}`;
/** The repository that built it (the bundle's Fulcio source repository). */
export const SUBJECT_SOURCE = 'sigstore-conformance/extremely-dangerous-public-oidc-beacon';

/**
 * Attestations for SUBJECT in owner/repo (the DSSE bundle, plus an entry without an inline bundle); 404
 * otherwise; owner/broken answers truncated JSON, owner/down 503.
 * @param {{attestations?: Record<string, object[]>}} [opts] extra answers: "owner/repo/sha256:..." -> attestations
 */
export async function startMockGithub(opts = {}) {
  /** @type {object[]} */
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url, accept: req.headers.accept });
    const m = /^\/repos\/([^/]+\/[^/]+)\/attestations\/(sha256:[0-9a-f]{64})$/.exec(req.url || '');
    const extra = m && opts.attestations ? opts.attestations[`${m[1]}/${m[2]}`] : undefined;
    if (extra) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ attestations: extra }));
    } else if (req.url === `/repos/owner/repo/attestations/${SUBJECT}`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ attestations: [{ bundle: DSSE_BUNDLE, repository_id: 1 }, { bundle_url: 'https://example.invalid/x' }] }));
    } else if (req.url && req.url.startsWith('/repos/owner/broken/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"attestations": [');
    } else if (req.url && req.url.startsWith('/repos/owner/down/')) {
      res.writeHead(503);
      res.end('unavailable');
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"Not Found"}');
    }
  });
  return listenMock(server, {}, requests);
}

/** A forged dstack app (tests/pki/forge.mjs) whose compose pins `image` (default: SUBJECT), bound by the quote (mr_config_id and the compose-hash event). */
export function provenanceApp(image = `example/image@${SUBJECT}`) {
  const yaml = `services:\n  app:\n    image: ${image}\n    ports:\n      - "8080:80"\n`;
  const appCompose = JSON.stringify({ manifest_version: 2, name: 'provenance-app', runner: 'docker-compose',
    docker_compose_file: yaml, kms_enabled: true, gateway_enabled: true, public_logs: true, public_sysinfo: true,
    public_tcbinfo: true, local_key_provider_enabled: false, key_provider_id: '', allowed_envs: [],
    no_instance_id: false, secure_time: true });
  return dstackEvidence({ appCompose, embedTestRoot: true });
}
