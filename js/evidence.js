// Fetching evidence from a dstack app that follows the common convention (dstack.md 1.5):
//   GET {url}/attestation?reportData=<nonce hex>  -> dstack GetQuote JSON {quote, event_log, report_data, vm_config}
//   GET {url}/info                                -> dstack Info JSON (optional)
import { webcrypto, bytesToHex, codedError, isHex, stripHexPrefix, normalizeHex } from './util.js';
import { httpGet } from './http.js';

export const EVIDENCE_FORMAT = 'cvm-evidence/v1';

/**
 * A fresh nonce: 32 random bytes from crypto.getRandomValues, as 64 lower-case hex digits.
 * @returns {string}
 */
export function newNonce() {
  const b = new Uint8Array(32);
  webcrypto.getRandomValues(b);
  return bytesToHex(b);
}

/**
 * The app's base URL: http(s) only; query and fragment dropped; trailing slashes and a trailing
 * /attestation or /info (people paste those) removed.
 * @param {string | URL} url
 * @returns {string}
 */
export function normalizeAppUrl(url) {
  let u;
  try {
    u = new URL(String(url));
  } catch {
    throw codedError('REQUEST_MALFORMED', `"${String(url).slice(0, 200)}" is not a URL; give the app's base URL, e.g. https://app.example.com`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw codedError('REQUEST_MALFORMED', `${u.protocol} URLs are not supported; give the app's https:// URL`);
  }
  if (u.username || u.password) throw codedError('REQUEST_MALFORMED', 'the app URL must not contain credentials');
  u.search = '';
  u.hash = '';
  let path = u.pathname.replace(/\/+$/, '');
  path = path.replace(/\/(attestation|info)$/, '');
  return u.origin + path;
}

/**
 * Finds the GetQuote-shaped object in an /attestation response body.
 * Accepts: GetQuote JSON (quote hex with or without 0x), {intel_quote, ...} (Phala confidential-AI reports),
 * the same wrapped in {attestation|data|result: ...}, a bare hex quote (text or JSON string), or a JSON array of
 * byte values.
 * @param {Uint8Array} bytes
 * @param {string} url for messages
 * @returns {{attestation: Record<string, unknown>, info?: Record<string, unknown>}}
 */
export function parseAttestationBody(bytes, url) {
  const bad = (/** @type {string} */ why) => codedError('EVIDENCE_MALFORMED', `the response of ${url} is not attestation evidence: ${why}. The app must answer GET /attestation?reportData=<hex> with dstack's GetQuote JSON ({"quote": "<hex>", "event_log": "...", ...}).`);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim();
  } catch {
    throw bad('it is not UTF-8 text');
  }
  if (text === '') throw bad('it is empty');
  /** @type {unknown} */
  let value;
  if (text[0] === '{' || text[0] === '[' || text[0] === '"') {
    try { value = JSON.parse(text); } catch (e) { throw bad(`invalid JSON (${e instanceof Error ? e.message : e})`); }
  } else {
    value = text;
  }
  if (typeof value === 'string') {
    const h = stripHexPrefix(value.trim());
    if (h.length > 0 && isHex(h)) return { attestation: { quote: value.trim() } };
    throw bad('it is neither JSON nor a hex quote');
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) return { attestation: { quote: bytesToHex(Uint8Array.from(/** @type {number[]} */ (value))) } };
    throw bad('a JSON array that is not a list of byte values');
  }
  if (!value || typeof value !== 'object') throw bad('not a JSON object');
  /** @type {Record<string, any>} */
  const obj = /** @type {any} */ (value);
  const candidates = [obj, obj.attestation, obj.data, obj.result, obj.quote_response];
  for (const c of candidates) {
    if (!c || typeof c !== 'object' || Array.isArray(c)) continue;
    if (typeof c.quote === 'string' || Array.isArray(c.quote)) {
      const info = c.info && typeof c.info === 'object' ? c.info : undefined;
      return info ? { attestation: c, info } : { attestation: c };
    }
    if (typeof c.intel_quote === 'string') {
      const { intel_quote, info, ...rest } = c;
      const attestation = { quote: intel_quote, ...rest };
      return info && typeof info === 'object' ? { attestation, info } : { attestation };
    }
  }
  throw bad('no "quote" field');
}

/**
 * Finds the Info-shaped object in an /info response body; null (with a reason) when it is not one.
 * @param {Uint8Array} bytes
 * @returns {{info: Record<string, unknown>} | {error: string}}
 */
export function parseInfoBody(bytes) {
  /** @type {any} */
  let v;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    return { error: `not JSON (${e instanceof Error ? e.message : e})` };
  }
  const isInfo = (/** @type {any} */ o) => o && typeof o === 'object' && !Array.isArray(o) && ('tcb_info' in o || 'app_id' in o);
  if (isInfo(v)) return { info: v };
  for (const k of ['info', 'data', 'result']) if (v && isInfo(v[k])) return { info: v[k] };
  return { error: 'not a dstack Info response (no app_id or tcb_info)' };
}

/**
 * Fetches the evidence of a dstack app with a fresh nonce (or the one given).
 * Fails closed: any failure of the attestation request rejects with .code FETCH_FAILED / CORS_BLOCKED
 * (or EVIDENCE_MALFORMED when the app answered something that is not evidence). The Info request is
 * optional: when it fails, the bundle has no `info` and says why in `info_error`.
 * @param {string | URL} url the app's base URL
 * @param {{nonce?: string, fetch?: typeof globalThis.fetch, signal?: AbortSignal, timeoutMs?: number}} [options]
 * @returns {Promise<import('./index.js').EvidenceBundle>}
 */
export async function fetchEvidence(url, options = {}) {
  const base = normalizeAppUrl(url);
  const nonce = options.nonce === undefined || options.nonce === null ? newNonce() : normalizeHex(options.nonce, 'nonce', 64);
  const common = { fetch: options.fetch, signal: options.signal, timeoutMs: options.timeoutMs ?? 15000 };
  const attUrl = `${base}/attestation?reportData=${nonce}`;
  const infoUrl = `${base}/info`;
  const [att, info] = await Promise.allSettled([
    httpGet(attUrl, { ...common, what: 'the attestation', accept: 'application/json', hint: 'The app must serve GET /attestation?reportData=<hex> (dstack GetQuote JSON); or save its evidence and verify the file.' }),
    httpGet(infoUrl, { ...common, what: 'the app info', accept: 'application/json' }),
  ]);
  if (att.status === 'rejected') throw att.reason;
  const parsed = parseAttestationBody(att.value.bytes, attUrl);
  /** @type {import('./index.js').EvidenceBundle} */
  const bundle = {
    format: EVIDENCE_FORMAT,
    source_url: base,
    fetched_at: new Date().toISOString(),
    nonce,
    attestation: /** @type {import('./index.js').GetQuoteResponse} */ (parsed.attestation),
  };
  if (info.status === 'fulfilled') {
    const pi = parseInfoBody(info.value.bytes);
    if ('info' in pi) bundle.info = pi.info;
    else if (parsed.info) bundle.info = parsed.info;
    else bundle.info_error = `GET ${infoUrl}: ${pi.error}`;
  } else if (parsed.info) {
    bundle.info = parsed.info;
  } else {
    bundle.info_error = info.reason instanceof Error ? info.reason.message : String(info.reason);
  }
  return bundle;
}
