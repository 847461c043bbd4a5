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

// ---- app.provenance: the resolver of report.needs.provenance (js/needs.js) ----
//
// Fetching is opt-in, in Node and in the browser alike (docs/provenance.md "Fetching"): asking GitHub for
// the attestations of each pinned digest tells GitHub which images the user is checking (a private app's
// compose included), and unauthenticated calls are limited to 60 an hour. The caller opts in by naming the
// repository (`provenance.repository`, CLI --provenance-repo) or with `provenance.fetch: true` (CLI
// --provenance-fetch; the page's checkbox), which fetches from the repository each image implies
// (ghcr.io/owner/repo) or the expected source names (the core's need carries it). Supplied bundles
// (`provenance.bundles`, CLI --provenance FILE, page upload) are offered for every pinned digest: the core
// keeps those that sign it.

const TRUSTED_ROOT_URL = new URL('../data/sigstore/trusted_root.json', import.meta.url);
const PROVENANCE_KEYS = new Set(['bundles', 'repository', 'fetch', 'trustedRoot', 'apiBase']);
const MAX_BUNDLES = 64;

/**
 * Validates `options.provenance` before any network access.
 * @param {unknown} p
 */
export function checkProvenanceOptions(p) {
  if (p === undefined || p === null) return;
  if (typeof p !== 'object' || Array.isArray(p)) throw codedError('REQUEST_MALFORMED', 'options.provenance must be an object');
  for (const k of Object.keys(p)) {
    if (!PROVENANCE_KEYS.has(k)) throw codedError('REQUEST_MALFORMED', `unknown provenance option "${k}" (known: ${[...PROVENANCE_KEYS].join(', ')})`);
  }
  const o = /** @type {Record<string, any>} */ (p);
  if (o.repository !== undefined && (typeof o.repository !== 'string' || !REPO_RE.test(o.repository))) {
    throw codedError('REQUEST_MALFORMED', `provenance.repository must be a GitHub owner/repo, got ${JSON.stringify(o.repository)}`);
  }
  if (o.fetch !== undefined && typeof o.fetch !== 'boolean') throw codedError('REQUEST_MALFORMED', 'provenance.fetch must be true or false');
  if (o.trustedRoot !== undefined && typeof o.trustedRoot !== 'string') throw codedError('REQUEST_MALFORMED', 'provenance.trustedRoot must be the text of a trusted_root.json');
  if (o.bundles !== undefined) {
    if (!Array.isArray(o.bundles)) throw codedError('REQUEST_MALFORMED', 'provenance.bundles must be a list of bundles (JSON text or objects)');
    bundleTexts(o.bundles);
  }
}

/**
 * The bundle texts in what a user supplies: a Sigstore bundle, a GitHub attestations API response
 * ({attestations: [{bundle}]}), or a list of either; as JSON text or parsed. Shape only: the core judges.
 * @param {unknown[]} items
 * @returns {string[]}
 */
export function bundleTexts(items) {
  /** @type {string[]} */
  const out = [];
  /** @param {unknown} v */
  const add = (v) => {
    let o = v;
    if (typeof v === 'string' || v instanceof Uint8Array) {
      const text = typeof v === 'string' ? v : new TextDecoder('utf-8', { fatal: true }).decode(v);
      try {
        o = JSON.parse(text);
      } catch (e) {
        throw codedError('REQUEST_MALFORMED', 'a provenance bundle is not JSON', e);
      }
    }
    if (Array.isArray(o)) { for (const x of o) add(x); return; }
    if (!o || typeof o !== 'object') throw codedError('REQUEST_MALFORMED', 'a provenance bundle must be a JSON object');
    const a = /** @type {Record<string, any>} */ (o);
    if (Array.isArray(a.attestations)) {
      for (const x of a.attestations) if (x && x.bundle && typeof x.bundle === 'object') out.push(JSON.stringify(x.bundle));
      return;
    }
    out.push(typeof v === 'string' ? v : JSON.stringify(o));
  };
  for (const v of items) add(v);
  if (out.length > MAX_BUNDLES) throw codedError('REQUEST_MALFORMED', `at most ${MAX_BUNDLES} provenance bundles, got ${out.length}`);
  return out;
}

/**
 * Sigstore's production trusted root as shipped (data/sigstore/trusted_root.json): read in Node, fetched next
 * to the module in a browser (6.8 KB, only when provenance is checked, so the page does not carry it).
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, timeoutMs?: number}} [opts]
 * @returns {Promise<string>}
 */
export async function loadTrustedRoot(opts = {}) {
  if (TRUSTED_ROOT_URL.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return readFile(TRUSTED_ROOT_URL, 'utf8');
  }
  const res = await httpGet(TRUSTED_ROOT_URL.href, { what: 'the Sigstore trusted root', maxBytes: 1024 * 1024,
    fetch: opts.fetch, signal: opts.signal, timeoutMs: opts.timeoutMs });
  return new TextDecoder('utf-8', { fatal: true }).decode(res.bytes);
}

/**
 * The resolver of `needs.provenance` ([{image, digest, repository?}]): the request members `provenance`
 * ([{image_digest, bundles}]) and `trusted_root`, or undefined when the caller supplied no bundle and did not
 * opt in to fetching (the core then reports the images as not checked). A failed fetch is no bundle: the core
 * says PROVENANCE_MISSING.
 * @param {Array<{image: string, digest: string, repository?: string}>} need
 * @param {import('./needs.js').NeedContext} ctx
 */
export async function resolveProvenance(need, ctx) {
  const o = /** @type {Record<string, any>} */ (ctx.options.provenance || {});
  const supplied = o.bundles ? bundleTexts(o.bundles) : [];
  const fetching = o.fetch === true || typeof o.repository === 'string';
  if (!Array.isArray(need) || (!supplied.length && !fetching)) return undefined;
  const net = { fetch: ctx.options.fetch, signal: ctx.options.signal, timeoutMs: ctx.options.timeoutMs };
  const provenance = [];
  for (const n of need) {
    const bundles = [...supplied];
    const repo = o.repository || n.repository;
    if (fetching && repo) {
      try {
        bundles.push(...await fetchAttestationBundles(repo, n.digest, { ...net, apiBase: o.apiBase }));
      } catch (e) {
        if (net.signal && net.signal.aborted) throw e; // the caller gave up: not "no bundle"
      }
    }
    provenance.push({ image_digest: n.digest, bundles });
  }
  const trusted_root = typeof o.trustedRoot === 'string' ? o.trustedRoot : await loadTrustedRoot(net);
  return { provenance, trusted_root };
}
