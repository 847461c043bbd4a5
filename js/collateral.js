// Fetching Intel DCAP collateral (QuoteCollateralV3, dcap.md sections 4-5) from a PCCS or Intel PCS.
import { bytesToHex, codedError, isHex, looksLikeHexText, stripHexPrefix, base64ToBytes } from './util.js';
import { httpGet } from './http.js';
import { run } from './wasm.js';
import { toEvidenceValue } from './input.js';

export const DEFAULT_PCCS_URL = 'https://pccs.phala.network';
export const INTEL_PCS_HOST = 'api.trustedservices.intel.com';
/** The Intel SGX Root CA's CRL distribution point (Intel PCS has no rootcacrl endpoint). */
export const INTEL_ROOT_CA_CRL_URL = 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der';

/**
 * The service's base URL: http(s) only; query and fragment dropped; a trailing /, /sgx/certification/v4 or
 * /tdx/certification/v4 removed (people paste the full prefix).
 * @param {string | URL} url
 * @returns {string}
 */
export function normalizePccsUrl(url) {
  let u;
  try {
    u = new URL(String(url));
  } catch {
    throw codedError('REQUEST_MALFORMED', `"${String(url).slice(0, 200)}" is not a URL; give the PCCS base URL, e.g. ${DEFAULT_PCCS_URL}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw codedError('REQUEST_MALFORMED', `the PCCS URL must be https:// (got ${u.protocol})`);
  let path = u.pathname.replace(/\/+$/, '');
  path = path.replace(/\/(sgx|tdx)\/certification\/v4$/i, '').replace(/\/+$/, '');
  return u.origin + path;
}

/**
 * @typedef {object} CollateralTarget
 * @property {string} tee 'TDX' or 'SGX'
 * @property {string} fmspc 6 bytes, hex
 * @property {string} pckCa 'platform' or 'processor'
 */

/**
 * The four request URLs for a platform (dcap.md section 5).
 * @param {string} base a normalised base URL
 * @param {CollateralTarget} target
 * @returns {{pckCrl: string, tcbInfo: string, qeIdentity: string, rootCaCrl: string, rootCaCrlFallback: string | null}}
 */
export function collateralUrls(base, target) {
  const tee = String(target.tee || '').toLowerCase();
  if (tee !== 'tdx' && tee !== 'sgx') throw codedError('EVIDENCE_MALFORMED', `unsupported TEE type "${target.tee}" (TDX or SGX)`);
  const fmspc = String(target.fmspc || '').toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(fmspc)) throw codedError('EVIDENCE_MALFORMED', `invalid FMSPC "${target.fmspc}" (6 bytes hex)`);
  const ca = String(target.pckCa || '').toLowerCase();
  if (ca !== 'processor' && ca !== 'platform') throw codedError('EVIDENCE_MALFORMED', `invalid PCK CA "${target.pckCa}" (processor or platform)`);
  const intel = new URL(base).hostname.toLowerCase() === INTEL_PCS_HOST;
  return {
    pckCrl: `${base}/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`,
    tcbInfo: `${base}/${tee}/certification/v4/tcb?fmspc=${fmspc}`,
    qeIdentity: `${base}/${tee}/certification/v4/qe/identity?update=standard`,
    rootCaCrl: intel ? INTEL_ROOT_CA_CRL_URL : `${base}/sgx/certification/v4/rootcacrl`,
    rootCaCrlFallback: intel ? null : INTEL_ROOT_CA_CRL_URL,
  };
}

/**
 * Reads and percent-decodes an issuer-chain header (the first of `names` present). Missing or undecodable
 * headers throw FETCH_FAILED naming the URL.
 * @param {Headers} headers
 * @param {string[]} names
 * @param {string} url
 * @returns {string} PEM
 */
export function decodeIssuerChain(headers, names, url) {
  for (const name of names) {
    const v = headers.get(name);
    if (v === null || v === '') continue;
    let pem;
    try {
      pem = decodeURIComponent(v);
    } catch (e) {
      throw codedError('FETCH_FAILED', `the ${name} header of ${url} is not valid percent-encoding`, e);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw codedError('FETCH_FAILED', `the ${name} header of ${url} does not hold a PEM certificate chain`);
    return pem;
  }
  throw codedError('FETCH_FAILED', `the response of ${url} has no ${names.join(' or ')} header. If this runs in a browser, the service must list the header in Access-Control-Expose-Headers; otherwise supply the collateral instead.`);
}

/**
 * The raw text of a top-level member's value in a JSON object text, exactly as it appears (no
 * re-serialisation: these are the bytes Intel signed). Undefined when the key is absent; throws on
 * malformed JSON.
 * @param {string} text
 * @param {string} key
 * @returns {string | undefined}
 */
export function sliceJsonMember(text, key) {
  let i = 0;
  const n = text.length;
  const ws = () => { while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++; };
  const fail = (/** @type {string} */ why) => { throw new SyntaxError(`${why} at offset ${i}`); };
  const skipString = () => {
    if (text[i] !== '"') fail('expected a string');
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '\\') { i += 2; continue; }
      if (c === '"') { i++; return; }
      i++;
    }
    fail('unterminated string');
  };
  const skipValue = () => {
    ws();
    const c = text[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < n) {
        const d = text[i];
        if (d === '"') { skipString(); continue; }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') { depth--; if (depth === 0) { i++; return; } }
        i++;
      }
      fail('unterminated object or array');
    }
    const start = i;
    while (i < n && !',}] \t\r\n'.includes(text[i])) i++;
    if (i === start) fail('expected a value');
  };
  /** @type {string | undefined} */
  let found;
  const end = () => {
    i++;
    ws();
    if (i !== n) fail('trailing characters');
    return found;
  };
  ws();
  if (text[i] !== '{') fail('expected an object');
  i++;
  ws();
  if (text[i] === '}') return end();
  while (i < n) {
    ws();
    const ks = i;
    skipString();
    const k = JSON.parse(text.slice(ks, i));
    ws();
    if (text[i] !== ':') fail('expected ":"');
    i++;
    ws();
    const vs = i;
    skipValue();
    if (k === key) {
      if (found !== undefined) fail(`duplicate "${key}"`);
      found = text.slice(vs, i);
    }
    ws();
    if (text[i] === ',') { i++; continue; }
    if (text[i] === '}') return end();
    fail('expected "," or "}"');
  }
  return fail('unterminated object');
}

/**
 * A signed PCS body {"<key>": {...}, "signature": "<hex>"}: the exact value text and the signature.
 * @param {Uint8Array} bytes
 * @param {'tcbInfo' | 'enclaveIdentity'} key
 * @param {string} url
 * @returns {{raw: string, parsed: any, signature: string}}
 */
export function parseSignedBody(bytes, key, url) {
  const bad = (/** @type {string} */ why, /** @type {unknown} */ cause = undefined) => codedError('FETCH_FAILED', `the response of ${url} is not a signed ${key} document: ${why}`, cause);
  let text, body;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    body = JSON.parse(text);
  } catch (e) {
    throw bad('not JSON', e);
  }
  let raw;
  try {
    raw = sliceJsonMember(text, key);
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e), e);
  }
  if (raw === undefined || !raw.startsWith('{')) throw bad(`no "${key}" object`);
  const parsed = JSON.parse(raw);
  const sig = typeof body.signature === 'string' ? stripHexPrefix(body.signature).toLowerCase() : '';
  if (!sig || !isHex(sig)) throw bad('no hex "signature"');
  return { raw, parsed, signature: sig };
}

/**
 * A CRL response body as hex of DER: PCCS's rootcacrl sends hex text; PCS sends DER; PEM accepted too.
 * @param {Uint8Array} bytes
 * @param {string} url
 * @returns {string}
 */
export function crlBodyToHex(bytes, url) {
  if (bytes.length === 0) throw codedError('FETCH_FAILED', `the CRL from ${url} is empty`);
  if (bytes[0] === 0x30 && !looksLikeHexText(bytes)) return bytesToHex(bytes); // DER SEQUENCE
  const text = new TextDecoder('utf-8').decode(bytes).trim();
  if (looksLikeHexText(bytes)) {
    const h = stripHexPrefix(text).toLowerCase();
    if (h.startsWith('30')) return h;
    throw codedError('FETCH_FAILED', `the hex text from ${url} is not a DER CRL`);
  }
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  if (m) {
    try {
      return bytesToHex(base64ToBytes(m[1]));
    } catch (e) {
      throw codedError('FETCH_FAILED', `the PEM CRL from ${url} is not valid base64`, e);
    }
  }
  throw codedError('FETCH_FAILED', `the response of ${url} is not a CRL (neither DER, hex text nor PEM)`);
}

/**
 * The earliest nextUpdate of a collateral's TCB info and QE identity, in ms since the epoch (NaN if unknown).
 * @param {{tcb_info?: string, qe_identity?: string}} c
 */
export function collateralExpiryMs(c) {
  let min = NaN;
  for (const f of [c.tcb_info, c.qe_identity]) {
    try {
      const t = Date.parse(JSON.parse(String(f)).nextUpdate);
      if (Number.isFinite(t) && !(t >= min)) min = t;
    } catch {
      return NaN;
    }
  }
  return min;
}

/**
 * A small in-memory cache of collateral, keyed by service, TEE, FMSPC and CA; an entry is dropped once the
 * clock reaches its expiry (the earliest nextUpdate), and the oldest entry when full.
 */
export class CollateralCache {
  /** @param {{maxEntries?: number, clock?: () => number}} [opts] clock returns ms since the epoch */
  constructor(opts = {}) {
    this.maxEntries = opts.maxEntries ?? 32;
    this.clock = opts.clock ?? (() => Date.now());
    /** @type {Map<string, {value: Record<string, string>, expiresAt: number}>} */
    this.map = new Map();
  }

  /** @param {string} key */
  get(key) {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (!(this.clock() < e.expiresAt)) {
      this.map.delete(key);
      return undefined;
    }
    return { ...e.value };
  }

  /**
   * @param {string} key
   * @param {Record<string, string>} value
   * @param {number} expiresAt ms since the epoch; values already expired (or without expiry) are not stored
   */
  set(key, value, expiresAt) {
    if (!Number.isFinite(expiresAt) || !(this.clock() < expiresAt)) return;
    this.map.delete(key);
    while (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
    this.map.set(key, { value: { ...value }, expiresAt });
  }

  clear() { this.map.clear(); }

  get size() { return this.map.size; }
}

/** The cache used when the caller gives none. */
export const defaultCollateralCache = new CollateralCache();

/**
 * @typedef {object} FetchCollateralOptions
 * @property {string} [pccsUrl] default https://pccs.phala.network
 * @property {typeof globalThis.fetch} [fetch]
 * @property {AbortSignal} [signal]
 * @property {number} [timeoutMs] per request (default 15000)
 * @property {CollateralCache | false} [cache] default: a module-wide cache; false: always fetch
 * @property {boolean} [rootCrlFallback] when a PCCS has no rootcacrl endpoint (404), fetch the root CA CRL from
 *   Intel's distribution point (certificates.trustedservices.intel.com). Off by default, so that a browser page
 *   talks only to the CVM and the collateral service the user chose; the CLI turns it on.
 */

/**
 * Fetches the collateral of a platform given its TEE type, FMSPC and PCK CA.
 * @param {CollateralTarget} target
 * @param {FetchCollateralOptions} [options]
 * @returns {Promise<import('./index.js').QuoteCollateralV3>}
 */
export async function fetchCollateralFor(target, options = {}) {
  const base = normalizePccsUrl(options.pccsUrl ?? DEFAULT_PCCS_URL);
  const urls = collateralUrls(base, target);
  const cache = options.cache === false ? null : (options.cache ?? defaultCollateralCache);
  const key = `${base}|${String(target.tee).toUpperCase()}|${String(target.fmspc).toUpperCase()}|${String(target.pckCa).toLowerCase()}`;
  const hit = cache && cache.get(key);
  if (hit) return /** @type {any} */ (hit);

  const common = { fetch: options.fetch, signal: options.signal, timeoutMs: options.timeoutMs ?? 15000, hint: 'Check the --pccs URL, or supply the collateral (--collateral FILE).' };
  const rootCrl = async () => {
    try {
      return await httpGet(urls.rootCaCrl, { ...common, what: 'the Intel SGX Root CA CRL' });
    } catch (e) {
      // A PCCS without the rootcacrl endpoint: use the root's CRL distribution point (as dcap-qvl does).
      if (options.rootCrlFallback && urls.rootCaCrlFallback && /** @type {any} */ (e).status === 404) {
        return httpGet(urls.rootCaCrlFallback, { ...common, what: 'the Intel SGX Root CA CRL' });
      }
      throw e;
    }
  };
  const [pck, tcb, qe, root] = await Promise.all([
    httpGet(urls.pckCrl, { ...common, what: 'the PCK CRL' }),
    httpGet(urls.tcbInfo, { ...common, what: 'the TCB info', accept: 'application/json' }),
    httpGet(urls.qeIdentity, { ...common, what: 'the QE identity', accept: 'application/json' }),
    rootCrl(),
  ]);
  const tcbDoc = parseSignedBody(tcb.bytes, 'tcbInfo', urls.tcbInfo);
  const qeDoc = parseSignedBody(qe.bytes, 'enclaveIdentity', urls.qeIdentity);
  /** @type {import('./index.js').QuoteCollateralV3} */
  const collateral = {
    pck_crl_issuer_chain: decodeIssuerChain(pck.headers, ['SGX-PCK-CRL-Issuer-Chain', 'PCK-CRL-Issuer-Chain'], urls.pckCrl),
    root_ca_crl: crlBodyToHex(root.bytes, root.url),
    pck_crl: crlBodyToHex(pck.bytes, urls.pckCrl),
    tcb_info_issuer_chain: decodeIssuerChain(tcb.headers, ['TCB-Info-Issuer-Chain', 'SGX-TCB-Info-Issuer-Chain'], urls.tcbInfo),
    tcb_info: tcbDoc.raw,
    tcb_info_signature: tcbDoc.signature,
    qe_identity_issuer_chain: decodeIssuerChain(qe.headers, ['SGX-Enclave-Identity-Issuer-Chain', 'Enclave-Identity-Issuer-Chain'], urls.qeIdentity),
    qe_identity: qeDoc.raw,
    qe_identity_signature: qeDoc.signature,
  };
  if (cache) cache.set(key, /** @type {Record<string, string>} */ (/** @type {unknown} */ (collateral)), collateralExpiryMs(collateral));
  return collateral;
}

/**
 * What the core reads from the evidence (docs/core-api.md, op inspect): the quote's TEE type, FMSPC and PCK CA,
 * the quote itself, what is present and what to fetch. Rejects with the core's error code when it cannot read it.
 * @param {unknown} evidence any evidence shape
 * @param {{core?: 'full' | 'badge'}} [options] which core reads it (js/wasm.js): the caller's, so that one page loads one core
 * @returns {Promise<{tee: string, version: number, fmspc?: string, pck_ca?: string, has_quote: boolean, quote_hex?: string,
 *   present?: Record<string, boolean>, fetch?: {kind: string, [k: string]: unknown}[]}>}
 */
export async function inspectEvidence(evidence, options) {
  const res = await run({ op: 'inspect', evidence: toEvidenceValue(evidence) }, { core: options && options.core });
  if (res && res.error) throw codedError(res.error.code || 'INTERNAL', res.error.message || 'the core could not read the evidence');
  return res;
}

/**
 * Fetches the collateral for a quote (any evidence shape holding one; bytes, hex or a byte array).
 * @param {unknown} quote
 * @param {FetchCollateralOptions} [options]
 * @returns {Promise<import('./index.js').QuoteCollateralV3>}
 */
export async function fetchCollateral(quote, options = {}) {
  const info = await inspectEvidence(quote);
  if (!info.has_quote) throw codedError('EVIDENCE_MALFORMED', 'the evidence holds no quote, so there is no collateral to fetch');
  if (!info.fmspc || !info.pck_ca) throw codedError('EVIDENCE_MALFORMED', 'the quote carries no PCK certificate chain (FMSPC and PCK CA unknown); supply the collateral instead');
  return fetchCollateralFor({ tee: info.tee, fmspc: info.fmspc, pckCa: info.pck_ca }, options);
}
