// Page settings, persisted in localStorage under 'cvm-verify:settings' (interface.md section 5):
// { pccsUrl, tcbPolicy, expectComposeHash, now?, governance, chainId, appContract, kmsContract, chainRpcUrls }.
// There is deliberately no trust-root setting.
import { GOV_DEFAULTS, loadGovernance, saveGovernance } from './governance-settings.js';

export const SETTINGS_KEY = 'cvm-verify:settings';
export const DEFAULT_PCCS = 'https://pccs.phala.network';
export const DEFAULTS = Object.freeze({ pccsUrl: DEFAULT_PCCS, tcbPolicy: 'default', expectComposeHash: '', ...GOV_DEFAULTS });

/** Normalises a collateral service URL; returns '' when it is not an http(s) URL. */
export function normalizePccsUrl(v) {
  const s = String(v ?? '').trim();
  if (!s) return '';
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return '';
    if (u.username || u.password) return '';
    return u.href.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** Normalises a 32-byte hex compose hash; '' for empty, null when invalid. */
export function normalizeHash(v) {
  const s = String(v ?? '').trim().toLowerCase().replace(/^0x/, '');
  if (!s) return '';
  return /^[0-9a-f]{64}$/.test(s) ? s : null;
}

/** Parses a verify-as-of time: unix seconds or an ISO-8601 date. undefined for empty, null when invalid. */
export function parseNow(v) {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : null;
  const s = String(v).trim();
  if (!s) return undefined;
  if (/^\d{1,12}$/.test(s)) {
    const n = Number(s);
    return n > 0 ? n : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return null;
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || s.length === 10 ? s : s + 'Z'; // no zone given: UTC
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : null;
}

/** Reads the settings, dropping anything invalid. */
export function loadSettings(storage = globalThis.localStorage) {
  let raw = null;
  try {
    raw = JSON.parse(storage?.getItem(SETTINGS_KEY) ?? 'null');
  } catch {
    raw = null;
  }
  const s = { ...DEFAULTS };
  if (raw && typeof raw === 'object') {
    const p = normalizePccsUrl(raw.pccsUrl);
    if (p) s.pccsUrl = p;
    if (Object.hasOwn(TCB_PRESETS, raw.tcbPolicy)) s.tcbPolicy = raw.tcbPolicy;
    const hsh = normalizeHash(raw.expectComposeHash);
    if (hsh) s.expectComposeHash = hsh;
    const now = parseNow(raw.now);
    if (now) s.now = now;
    Object.assign(s, loadGovernance(raw));
  }
  return s;
}

export function saveSettings(s, storage = globalThis.localStorage) {
  const out = { pccsUrl: s.pccsUrl, tcbPolicy: s.tcbPolicy, expectComposeHash: s.expectComposeHash, ...saveGovernance(s) };
  if (s.now) out.now = s.now;
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(out));
    return true;
  } catch {
    return false; // storage disabled: the settings still apply to this visit
  }
}

const TCB_PRESETS = { strict: 1, default: 1, permissive: 1 };

/** The JS API's policy option for these settings. */
export function policyFrom(s, { withExpectations = true } = {}) {
  const policy = { tcb: s.tcbPolicy };
  if (withExpectations && s.expectComposeHash) policy.expect = { composeHash: s.expectComposeHash };
  if (s.governance && s.governance !== 'auto') policy.governance = s.governance;
  return policy;
}
