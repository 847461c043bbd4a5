// cvm-verify: verify Intel TDX confidential VMs (dstack CVMs) from JavaScript. Browser and Node >= 18.
// The judgement is made by the C core compiled to WebAssembly (docs/core-api.md); this module fetches
// evidence and collateral, maps options to the core's request and returns its report.
import { VERSION } from './version.js';
import { codedError, normalizeHex } from './util.js';
import { run, coreSha256 } from './wasm.js';
import { answerNeeds, MAX_NEED_ROUNDS } from './needs.js';
import { toCoreOsManifest, addOsPolicy } from './os.js';
import { fetchEvidence, newNonce, normalizeAppUrl } from './evidence.js';
import {
  fetchCollateral, fetchCollateralFor, inspectEvidence, normalizePccsUrl, CollateralCache,
  DEFAULT_PCCS_URL,
} from './collateral.js';
import { toEvidenceValue, isBundle, normalizeCollateral, quoteOnly, toBundle, EVIDENCE_FORMAT } from './input.js';

export { VERSION, fetchEvidence, newNonce, fetchCollateral, CollateralCache, DEFAULT_PCCS_URL, EVIDENCE_FORMAT };

/** Check ids in report order (interface.md section 1). */
export const CHECK_IDS = Object.freeze([
  'quote.format', 'hardware.signature', 'collateral.validity', 'tcb.status', 'td.attributes', 'eventlog.replay',
  'os.image', 'app.compose_hash', 'freshness.nonce', 'report_data.binding', 'app.images_pinned', 'policy.measurements',
]);

export const TCB_POLICIES = Object.freeze(['strict', 'default', 'permissive']);
export const TCB_STATUSES = Object.freeze([
  'UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'OutOfDate',
  'OutOfDateConfigurationNeeded', 'Revoked',
]);

const OPTION_KEYS = new Set(['collateral', 'collateralSource', 'pccsUrl', 'now', 'nonce', 'reportData', 'policy', 'fetch', 'signal', 'timeoutMs', 'cache', 'rootCrlFallback', 'osManifest']);
const POLICY_KEYS = new Set(['tcb', 'allowTcb', 'allowDebug', 'requirePinnedImages', 'expect', 'allowOsImages', 'requireOsVerified']);
/** expect key -> [core key, byte length] */
const EXPECT_KEYS = /** @type {Record<string, [string, number]>} */ ({
  mrtd: ['mrtd', 48], appId: ['app_id', 20], composeHash: ['compose_hash', 32], osImageHash: ['os_image_hash', 32],
});

/**
 * The core's `policy` object from the API's (a preset name or an object). Unknown keys are rejected: a
 * misspelt expectation must not be silently ignored.
 * @param {import('./index.js').Policy | undefined} policy
 * @returns {Record<string, any> | undefined}
 */
export function toCorePolicy(policy) {
  if (policy === undefined || policy === null) return undefined;
  const preset = (/** @type {unknown} */ p) => {
    if (typeof p !== 'string' || !TCB_POLICIES.includes(p)) throw codedError('REQUEST_MALFORMED', `unknown TCB policy "${p}" (use ${TCB_POLICIES.join(', ')})`);
    return p;
  };
  if (typeof policy === 'string') return { tcb: preset(policy) };
  if (typeof policy !== 'object' || Array.isArray(policy)) throw codedError('REQUEST_MALFORMED', 'policy must be a preset name or an object');
  for (const k of Object.keys(policy)) if (!POLICY_KEYS.has(k)) throw codedError('REQUEST_MALFORMED', `unknown policy option "${k}" (known: ${[...POLICY_KEYS].join(', ')})`);
  /** @type {Record<string, any>} */
  const out = {};
  if (policy.tcb !== undefined) out.tcb = preset(policy.tcb);
  if (policy.allowTcb !== undefined) {
    /** @type {unknown} */
    const raw = policy.allowTcb;
    const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
    if (!Array.isArray(list) || list.length === 0) throw codedError('REQUEST_MALFORMED', 'policy.allowTcb must be a non-empty list of TCB statuses');
    for (const s of list) if (!TCB_STATUSES.includes(s)) throw codedError('REQUEST_MALFORMED', `unknown TCB status "${s}" (known: ${TCB_STATUSES.join(', ')})`);
    out.allow_tcb = [...list];
  }
  if (policy.allowDebug !== undefined) out.allow_debug = policy.allowDebug === true;
  if (policy.requirePinnedImages !== undefined) out.require_pinned_images = policy.requirePinnedImages === true;
  addOsPolicy(policy, out); // os.image (js/os.js)
  if (policy.expect !== undefined) {
    const ex = policy.expect;
    if (!ex || typeof ex !== 'object' || Array.isArray(ex)) throw codedError('REQUEST_MALFORMED', 'policy.expect must be an object');
    /** @type {Record<string, any>} */
    const e = {};
    for (const [k, v] of Object.entries(ex)) {
      if (v === undefined) continue;
      if (k === 'rtmr') {
        if (!v || typeof v !== 'object') throw codedError('REQUEST_MALFORMED', 'policy.expect.rtmr must map 0..3 to hex values');
        /** @type {Record<string, string>} */
        const r = {};
        for (const [i, h] of Object.entries(v)) {
          if (h === undefined || h === null) continue;
          if (!/^[0-3]$/.test(i)) throw codedError('REQUEST_MALFORMED', `policy.expect.rtmr index "${i}" is not 0..3`);
          r[i] = exactHex(h, `expected RTMR${i}`, 48);
        }
        if (Object.keys(r).length) e.rtmr = r;
      } else if (k in EXPECT_KEYS) {
        const [coreKey, len] = EXPECT_KEYS[k];
        e[coreKey] = exactHex(v, `expected ${k}`, len);
      } else {
        throw codedError('REQUEST_MALFORMED', `unknown policy.expect key "${k}" (known: mrtd, rtmr, appId, composeHash, osImageHash)`);
      }
    }
    if (Object.keys(e).length) out.expect = e;
  }
  return out;
}

/**
 * @param {unknown} v
 * @param {string} name
 * @param {number} len
 */
function exactHex(v, name, len) {
  const h = normalizeHex(v, name, len);
  if (h.length !== len * 2) throw codedError('REQUEST_MALFORMED', `${name} must be ${len} bytes (${len * 2} hex digits), got ${h.length / 2}`);
  return h;
}

/**
 * @param {unknown} now
 * @returns {number}
 */
function toUnixSeconds(now) {
  if (now === undefined || now === null) return Math.floor(Date.now() / 1000);
  if (now instanceof Date) now = Math.floor(now.getTime() / 1000);
  if (typeof now !== 'number' || !Number.isInteger(now) || now < 0) throw codedError('REQUEST_MALFORMED', `options.now must be unix seconds (a non-negative integer), got ${String(now)}`);
  return now;
}

/** @param {Record<string, any>} options */
function checkOptions(options) {
  if (options === null || typeof options !== 'object') throw codedError('REQUEST_MALFORMED', 'options must be an object');
  for (const k of Object.keys(options)) if (!OPTION_KEYS.has(k)) throw codedError('REQUEST_MALFORMED', `unknown option "${k}" (known: ${[...OPTION_KEYS].join(', ')})`);
}

/**
 * Validates the options (before any network access) and converts them to the core's forms.
 * @param {import('./index.js').VerifyOptions} options
 */
function prepare(options) {
  checkOptions(options);
  return {
    now: toUnixSeconds(options.now),
    nonce: options.nonce === undefined || options.nonce === null ? undefined : normalizeHex(options.nonce, 'nonce', 64),
    reportData: options.reportData === undefined || options.reportData === null ? undefined : normalizeHex(options.reportData, 'reportData', 64),
    policy: toCorePolicy(options.policy),
    collateral: options.collateral === undefined || options.collateral === null ? undefined : normalizeCollateral(options.collateral),
    pccsUrl: options.pccsUrl === undefined ? undefined : normalizePccsUrl(options.pccsUrl),
    osManifest: toCoreOsManifest(options.osManifest),
  };
}

/**
 * Core verification of an evidence value (already in the core's input form).
 * @param {Record<string, any> | any[] | string} ev
 * @param {import('./index.js').VerifyOptions} options
 * @returns {Promise<import('./index.js').Report>}
 */
async function verifyValue(ev, options) {
  const { now, nonce, reportData, policy, collateral: given, pccsUrl, osManifest } = prepare(options);
  /** @type {Record<string, any> | undefined} */
  let collateral = given;
  /** @type {string | undefined} */
  let source = given ? (typeof options.collateralSource === 'string' && options.collateralSource ? options.collateralSource : 'supplied') : undefined;
  if (collateral) {
    // supplied by the caller: no fetch
  } else if (isBundle(ev) && /** @type {any} */ (ev).collateral) {
    collateral = normalizeCollateral(/** @type {any} */ (ev).collateral);
    source = 'supplied';
  } else {
    // No collateral given: fetch it when there is a quote whose platform the core can read. When it cannot
    // (malformed quote, no quote), the core's verify request below gives the judgement or the error.
    /** @type {any} */
    let ins = null;
    try {
      ins = await inspectEvidence(ev);
    } catch (e) {
      const code = /** @type {any} */ (e).code;
      if (code === 'INTERNAL' || code === 'OUT_OF_MEMORY') throw e;
      ins = null;
    }
    if (ins && ins.has_quote && ins.fmspc && ins.pck_ca) {
      const base = pccsUrl ?? DEFAULT_PCCS_URL;
      collateral = await fetchCollateralFor({ tee: ins.tee, fmspc: ins.fmspc, pckCa: ins.pck_ca }, {
        pccsUrl: base, fetch: options.fetch, signal: options.signal, timeoutMs: options.timeoutMs,
        cache: /** @type {CollateralCache | false | undefined} */ (options.cache),
        rootCrlFallback: options.rootCrlFallback === true,
      });
      source = base;
    }
  }

  // The saved report travels in bundles; the core does not need it back.
  let evForCore = ev;
  if (isBundle(ev) && 'report' in /** @type {any} */ (ev)) {
    const { report: _r, ...rest } = /** @type {any} */ (ev);
    evForCore = rest;
  }
  /** @type {Record<string, any>} */
  const req = { op: 'verify', evidence: evForCore, now, verifier: { version: VERSION, wasm_sha256: await coreSha256() } };
  if (collateral) req.collateral = collateral;
  if (source) req.collateral_source = source;
  if (nonce) req.nonce = nonce;
  if (reportData) req.report_data = reportData;
  if (policy) req.policy = policy;
  if (osManifest) req.os_manifest = osManifest;

  let res = await run(req);
  // The core's needs (js/needs.js): fetch what it asks for and run it again with the answers.
  for (let round = 0; round < MAX_NEED_ROUNDS && res && res.needs; round++) {
    const extra = await answerNeeds(res.needs, { options, request: req });
    if (!extra) break;
    Object.assign(req, extra);
    res = await run(req);
  }
  if (res && res.error) throw codedError(res.error.code || 'INTERNAL', res.error.message || 'the verifier core could not judge the evidence');
  if (!res || res.schema !== 'cvm-verify/report/v1') throw codedError('INTERNAL', 'the verifier core returned neither a report nor an error');

  const usedNonce = nonce ?? (isBundle(ev) ? /** @type {any} */ (ev).nonce : undefined);
  const bundle = toBundle(ev, { nonce: usedNonce, collateral, report: res });
  Object.defineProperty(res, 'evidence', { value: bundle, enumerable: false, writable: false, configurable: true });
  return res;
}

/**
 * Verifies evidence of any shape (interface.md section 2): an object, JSON text, a hex quote, or bytes.
 * Fetches collateral when the evidence has a quote and no collateral was supplied (options.collateral or the
 * bundle's). Resolves with the report (even a failing one); rejects with an Error carrying .code when nothing
 * could be judged.
 * @param {unknown} evidence
 * @param {import('./index.js').VerifyOptions} [options]
 */
export async function verifyEvidence(evidence, options = {}) {
  return verifyValue(toEvidenceValue(evidence), options);
}

/**
 * Verifies a DCAP quote alone (bytes, hex, byte array, or evidence holding one): hardware, collateral, TCB
 * and TD attributes; the app checks are skipped.
 * @param {unknown} quote
 * @param {import('./index.js').VerifyOptions} [options]
 */
export async function verifyQuote(quote, options = {}) {
  return verifyValue(quoteOnly(quote), options);
}

/**
 * Fetches a dstack app's evidence with a fresh nonce (or options.nonce), fetches collateral, and verifies.
 * The fetched bundle (with collateral and report) is on the report's non-enumerable `evidence` property.
 * @param {string | URL} url
 * @param {import('./index.js').VerifyOptions & {timeoutMs?: number}} [options]
 */
export async function verifyCvm(url, options = {}) {
  prepare(options);
  normalizeAppUrl(url);
  const bundle = await fetchEvidence(url, { nonce: options.nonce, fetch: options.fetch, signal: options.signal, timeoutMs: options.timeoutMs });
  return verifyValue(bundle, { ...options, nonce: bundle.nonce });
}

/**
 * The bundle a report was made from (cvm-evidence/v1, with collateral and the report), for saving: JSON of it
 * re-verifies offline. Undefined for objects that did not come from this API.
 * @param {import('./index.js').Report} report
 */
export function evidenceOf(report) {
  return report && /** @type {any} */ (report).evidence;
}

/**
 * The exit code the CLI uses for a report or an error (interface.md section 3).
 * @param {import('./index.js').Report | null} report
 * @param {unknown} [error]
 * @returns {0 | 1 | 2 | 3}
 */
export function exitCodeFor(report, error) {
  if (report) return report.verdict === 'pass' || report.verdict === 'warn' ? 0 : 1; // anything else fails closed
  const code = error && typeof error === 'object' ? /** @type {any} */ (error).code : undefined;
  if (code === 'REQUEST_MALFORMED' || code === 'EVIDENCE_MALFORMED' || code === 'INPUT_TOO_LARGE' || code === 'USAGE') return 2;
  return 3;
}
