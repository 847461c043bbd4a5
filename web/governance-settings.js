// The page's on-chain governance settings (docs/governance.md): the mode, the chain, the contracts and the
// JSON-RPC endpoints, persisted with the other settings (web/settings.js) and turned into the API's
// options.chain and policy.governance. Nothing is asked of any chain unless a chain and a KMS contract are set
// (auto mode then checks); the endpoints default to js/chain.js's two public ones per chain.

export const GOV_MODES = Object.freeze({
  auto: 'Checked when the chain and the KMS contract are set; an unreachable chain only warns.',
  require: 'Verification fails unless the contracts are read and allow this app (could not judge when the chain is unreachable).',
  off: 'Not checked.',
});

/** @type {{governance: string, chainId: string, appContract: string, kmsContract: string, chainRpcUrls: string[]}} */
export const GOV_DEFAULTS = Object.freeze({ governance: 'auto', chainId: '', appContract: '', kmsContract: '', chainRpcUrls: Object.freeze([]) });

/** '' for empty, a positive integer string, or null when invalid. @param {unknown} v */
export function normalizeChainId(v) {
  const s = String(v ?? '').trim();
  if (!s) return '';
  return /^[1-9]\d{0,15}$/.test(s) && Number.isSafeInteger(Number(s)) ? s : null;
}

/** '' for empty, a lower-case 0x-address, or null when invalid. @param {unknown} v */
export function normalizeAddress(v) {
  const s = String(v ?? '').trim();
  if (!s) return '';
  return /^0x[0-9a-fA-F]{40}$/.test(s) ? s.toLowerCase() : null;
}

/** Endpoint URLs from text (one per line or separated by spaces/commas): a list, or null when one is not http(s). @param {unknown} v */
export function normalizeRpcUrls(v) {
  const parts = (Array.isArray(v) ? v : String(v ?? '').split(/[\s,]+/)).map((x) => String(x).trim()).filter(Boolean);
  /** @type {string[]} */
  const out = [];
  for (const p of parts) {
    try {
      const u = new URL(p);
      if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password) return null;
      if (!out.includes(u.href)) out.push(u.href);
    } catch {
      return null;
    }
  }
  return out.length > 8 ? null : out;
}

/** The governance settings from stored JSON, dropping anything invalid. @param {any} raw */
export function loadGovernance(raw) {
  /** @type {Record<string, any>} */
  const s = {};
  if (!raw || typeof raw !== 'object') return s;
  if (Object.hasOwn(GOV_MODES, raw.governance)) s.governance = raw.governance;
  const id = normalizeChainId(raw.chainId);
  if (id) s.chainId = id;
  for (const k of ['appContract', 'kmsContract']) {
    const a = normalizeAddress(raw[k]);
    if (a) s[k] = a;
  }
  const urls = normalizeRpcUrls(raw.chainRpcUrls);
  if (urls && urls.length) s.chainRpcUrls = urls;
  return s;
}

/** The members saveSettings stores. @param {any} s */
export function saveGovernance(s) {
  return { governance: s.governance, chainId: s.chainId, appContract: s.appContract, kmsContract: s.kmsContract, chainRpcUrls: [...(s.chainRpcUrls || [])] };
}

/** The API's options.chain for these settings, or undefined when nothing is set. @param {any} s */
export function chainFrom(s) {
  /** @type {Record<string, any>} */
  const c = {};
  if (s.chainId) c.chainId = Number(s.chainId);
  if (s.appContract) c.appContract = s.appContract;
  if (s.kmsContract) c.kmsContract = s.kmsContract;
  if (s.chainRpcUrls && s.chainRpcUrls.length) c.rpcUrls = [...s.chainRpcUrls];
  return Object.keys(c).length ? c : undefined;
}

/** Words for the Settings button's summary. @param {any} s */
export function governanceSummary(s) {
  const bits = [];
  if (s.governance && s.governance !== 'auto') bits.push(`governance ${s.governance}`);
  if (s.chainId && s.kmsContract) bits.push(`chain ${s.chainId}`);
  return bits;
}

/**
 * Binds the settings form's governance fields (index.html #set-gov-*). Returns fill(), which shows s in them.
 * @param {{settings: any, saved: () => void, fieldError: (input: HTMLElement, errId: string, msg: string) => void}} ctx
 */
export function initGovernanceSettings({ settings: s, saved, fieldError }) {
  const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
  const mode = $('set-gov-mode'), chainId = $('set-chain-id'), kms = $('set-kms-contract'), app = $('set-app-contract'), rpc = $('set-chain-rpc');
  if (!mode) return () => {};
  const fill = () => {
    mode.value = s.governance || 'auto';
    $('set-gov-mode-hint').textContent = GOV_MODES[mode.value];
    chainId.value = s.chainId || '';
    kms.value = s.kmsContract || '';
    app.value = s.appContract || '';
    rpc.value = (s.chainRpcUrls || []).join('\n');
  };
  mode.addEventListener('change', () => {
    s.governance = Object.hasOwn(GOV_MODES, mode.value) ? mode.value : 'auto';
    $('set-gov-mode-hint').textContent = GOV_MODES[s.governance];
    saved();
  });
  chainId.addEventListener('change', () => {
    const v = normalizeChainId(chainId.value);
    if (v === null) return fieldError(chainId, 'set-chain-id-error', 'A chain id is a positive integer: 8453 (Base) or 1 (Ethereum).');
    fieldError(chainId, 'set-chain-id-error', '');
    s.chainId = v;
    saved();
  });
  for (const [input, key, err] of /** @type {const} */ ([[kms, 'kmsContract', 'set-kms-contract-error'], [app, 'appContract', 'set-app-contract-error']])) {
    input.addEventListener('change', () => {
      const v = normalizeAddress(input.value);
      if (v === null) return fieldError(input, err, 'An address is 0x and 40 hexadecimal characters.');
      fieldError(input, err, '');
      s[key] = v;
      input.value = v;
      saved();
    });
  }
  rpc.addEventListener('change', () => {
    const v = normalizeRpcUrls(rpc.value);
    if (v === null) return fieldError(rpc, 'set-chain-rpc-error', 'Enter up to 8 https:// URLs, one per line.');
    fieldError(rpc, 'set-chain-rpc-error', '');
    s.chainRpcUrls = v;
    rpc.value = v.join('\n');
    saved();
  });
  fill();
  return fill;
}
