// Where provenance bundles come from (docs/provenance.md): GitHub's artifact attestations API. Fetching only:
// the core's verify_bundle op / app.provenance check judges what comes back.
import { httpGet } from './http.js';
import { codedError } from './util.js';

export const GITHUB_API = 'https://api.github.com';
const REPO_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const MAX_RESPONSE = 8 * 1024 * 1024;

/**
 * The GitHub repository an image reference implies: ghcr.io/{owner}/{repo}[/...][:tag][@digest] -> "owner/repo".
 * Other registries imply none (null): the user names the repository.
 * @param {string} image
 * @returns {string | null}
 */
export function repoFromImage(image) {
  const m = /^ghcr\.io\/([^/@:]+)\/([^/@:]+)/i.exec(String(image || ''));
  if (!m) return null;
  const repo = `${m[1].toLowerCase()}/${m[2].toLowerCase()}`;
  return REPO_RE.test(repo) ? repo : null;
}

/**
 * @param {string} repo "owner/repo"
 * @param {string} digest "sha256:<64 hex>"
 * @param {string} [apiBase]
 */
export function attestationsUrl(repo, digest, apiBase = GITHUB_API) {
  if (!REPO_RE.test(repo)) throw codedError('REQUEST_MALFORMED', `"${repo}" is not a GitHub owner/repo`);
  if (!DIGEST_RE.test(digest)) throw codedError('REQUEST_MALFORMED', `"${digest}" is not a sha256:<64 lower-case hex> digest`);
  return `${apiBase.replace(/\/+$/, '')}/repos/${repo}/attestations/${digest}`;
}

/**
 * Fetches the Sigstore bundles GitHub holds for a digest in a repository, as JSON texts for the core.
 * No attestation (HTTP 404, or an empty list) is an empty array, not an error: the core then reports
 * PROVENANCE_MISSING. Network failures and malformed responses throw FETCH_FAILED.
 * @param {string} repo
 * @param {string} digest
 * @param {{apiBase?: string, fetch?: typeof fetch, signal?: AbortSignal, timeoutMs?: number}} [opts]
 * @returns {Promise<string[]>}
 */
export async function fetchAttestationBundles(repo, digest, opts = {}) {
  const url = attestationsUrl(repo, digest, opts.apiBase);
  let res;
  try {
    res = await httpGet(url, { what: `the attestations of ${repo} for ${digest}`, accept: 'application/vnd.github+json',
      maxBytes: MAX_RESPONSE, fetch: opts.fetch, signal: opts.signal, timeoutMs: opts.timeoutMs });
  } catch (e) {
    if (/** @type {any} */ (e).status === 404) return [];
    throw e;
  }
  let body;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.bytes));
  } catch (e) {
    throw codedError('FETCH_FAILED', `the attestations response from ${url} is not JSON`, e);
  }
  if (!body || !Array.isArray(body.attestations)) {
    throw codedError('FETCH_FAILED', `the attestations response from ${url} has no attestations list`);
  }
  /** @type {string[]} */
  const bundles = [];
  for (const a of body.attestations) {
    if (a && a.bundle && typeof a.bundle === 'object') bundles.push(JSON.stringify(a.bundle));
  }
  return bundles;
}
