// Phala Cloud apps (issue 16 item 2), the fetching side only: recognise a Phala Cloud app target and fetch the
// app's recorded attestations. Judging them is the core's job: the shim hands the whole response to the core
// (docs/phala.md), which splits the instances, verifies each running one and rolls them up.
//   GET {base}/apps/{app_id}/attestations   (base default https://cloud-api.phala.com/api/v1)
// Response shape: @phala/cloud's AppAttestationResponseSchema (docs/phala.md; tests/vectors/phala/).
import { codedError } from './util.js';
import { httpGet } from './http.js';

export const DEFAULT_PHALA_API = 'https://cloud-api.phala.com/api/v1';

/** A dstack app id: 20 bytes, 40 hex digits (an optional 0x, as contract addresses print it). */
const APP_ID_RE = /^(?:0x)?([0-9a-fA-F]{40})$/;
/** A dstack gateway host's first label: <app-id>-<port>, optionally with a trailing "s" (TLS passthrough). */
const GATEWAY_LABEL_RE = /^([0-9a-fA-F]{40})-\d{1,5}s?$/;
/** Hosts whose URLs name Phala Cloud apps. */
const PHALA_HOST_RE = /(^|\.)(phala\.com|phala\.network)$/i;

/**
 * The app id of a bare id (40 hex digits, optional 0x), lower-cased; null otherwise.
 * @param {string} s
 * @returns {string | null}
 */
export function asAppId(s) {
  const m = APP_ID_RE.exec(String(s).trim());
  return m ? m[1].toLowerCase() : null;
}

/**
 * Recognises a Phala Cloud app target and returns its app id (lower-case hex), or null when the input is not one
 * (the caller then tries its other input kinds). Accepted:
 *   phala:<app-id>                                   (the CLI target; a malformed id after "phala:" throws)
 *   https://trust.phala.com/app/<app-id>             (Trust Center report URL)
 *   https://cloud.phala.com/.../app[s]/<app-id>      (a dashboard URL naming the app)
 *   https://<app-id>-<port>[s].<gateway domain>      (an app endpoint behind a Phala gateway: *.phala.network/.com)
 * A bare id is not accepted here (a 40-digit hex string is ambiguous on a command line); use asAppId for the page's
 * input box.
 * @param {string} target
 * @returns {string | null}
 */
export function parsePhalaTarget(target) {
  const t = String(target).trim();
  if (/^phala:/i.test(t)) {
    const id = asAppId(t.slice(6));
    if (!id) {
      throw codedError('REQUEST_MALFORMED', `"${t.slice(0, 120)}" is not a Phala Cloud app target: after "phala:" give the app id, 40 hex digits (e.g. phala:2911e1f733466216dedb862d6d669e11256ee7a3)`);
    }
    return id;
  }
  let u;
  try { u = new URL(t); } catch { return null; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (!PHALA_HOST_RE.test(u.hostname)) return null;
  const label = GATEWAY_LABEL_RE.exec(u.hostname.split('.')[0]);
  if (label) return label[1].toLowerCase();
  const parts = u.pathname.split('/').filter(Boolean);
  for (let i = 0; i + 1 < parts.length; i++) {
    if (parts[i] === 'app' || parts[i] === 'apps') {
      const id = asAppId(parts[i + 1]);
      if (id) return id;
    }
  }
  return null;
}

/**
 * The CLI's choice: the app id when the target names a Phala app's recorded attestations (phala:<id>, a Trust
 * Center or dashboard URL), null otherwise. An app's own endpoint (https://<id>-<port>.<gateway>) is not one: it
 * serves fresh evidence for our nonce, which beats recorded quotes, so it stays a URL target.
 * @param {string} target
 * @returns {string | null}
 */
export function parsePhalaAppTarget(target) {
  const t = String(target).trim();
  if (!/^phala:/i.test(t)) {
    let u;
    try { u = new URL(t); } catch { return null; }
    if (GATEWAY_LABEL_RE.test(u.hostname.split('.')[0])) return null;
  }
  return parsePhalaTarget(t);
}

/**
 * The API base: http(s), no credentials, query or fragment; trailing slashes removed.
 * @param {string} base
 * @returns {string}
 */
export function normalizePhalaApi(base) {
  let u;
  try { u = new URL(String(base)); } catch {
    throw codedError('REQUEST_MALFORMED', `--phala-api "${String(base).slice(0, 200)}" is not a URL; give the API base, e.g. ${DEFAULT_PHALA_API}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw codedError('REQUEST_MALFORMED', `--phala-api must be an http(s) URL, not ${u.protocol}`);
  if (u.username || u.password) throw codedError('REQUEST_MALFORMED', '--phala-api must not contain credentials');
  if (u.search || u.hash) throw codedError('REQUEST_MALFORMED', '--phala-api must not have a query or fragment');
  return u.origin + u.pathname.replace(/\/+$/, '');
}

/**
 * The attestations URL of an app.
 * @param {string} appId
 * @param {string} [base]
 * @returns {string}
 */
export function phalaAttestationsUrl(appId, base = DEFAULT_PHALA_API) {
  const id = asAppId(appId);
  if (!id) throw codedError('REQUEST_MALFORMED', `"${String(appId).slice(0, 120)}" is not a dstack app id (40 hex digits)`);
  return `${normalizePhalaApi(base)}/apps/${id}/attestations`;
}

/**
 * @typedef {object} PhalaFetchOptions
 * @property {string} [base] API base (default DEFAULT_PHALA_API)
 * @property {typeof globalThis.fetch} [fetch]
 * @property {AbortSignal} [signal]
 * @property {number} [timeoutMs]
 * @property {number} [maxBytes] default 16 MiB: a response carries every instance's quote and event log
 */

/**
 * Fetches an app's recorded attestations. Returns the response as parsed JSON, untouched (the core decides what
 * it means), with where and when it was fetched. Throws FETCH_FAILED / CORS_BLOCKED (http.js) for transport
 * failures and non-2xx statuses, EVIDENCE_MALFORMED when the body is not a JSON object.
 * @param {string} appId
 * @param {PhalaFetchOptions} [opts]
 * @returns {Promise<{evidence: Record<string, unknown>, sourceUrl: string, fetchedAt: string}>}
 */
export async function fetchPhalaAttestations(appId, opts = {}) {
  const url = phalaAttestationsUrl(appId, opts.base);
  const res = await httpGet(url, {
    fetch: opts.fetch, signal: opts.signal, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes ?? 16 * 1024 * 1024,
    accept: 'application/json', what: 'the Phala Cloud app attestations',
    hint: 'Check the app id, or download the response and give it as a file.',
  });
  const fetchedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.bytes));
  } catch {
    throw codedError('EVIDENCE_MALFORMED', `the response of ${url} is not JSON text, so it is not Phala Cloud's attestations response`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw codedError('EVIDENCE_MALFORMED', `the response of ${url} is not a JSON object, so it is not Phala Cloud's attestations response`);
  }
  return { evidence: value, sourceUrl: url, fetchedAt };
}
