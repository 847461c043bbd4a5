// OS image verification, the shim's side (issue 14; docs/os-image.md): the core decides, this module only maps
// options to request members and looks an image up in the shipped catalog. Nothing here judges: a catalog
// entry or a supplied manifest is authenticated by the core against the image hash.
import { codedError, isHex, stripHexPrefix } from './util.js';
import { OS_CATALOG } from './os-catalog.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Standard padded base64 of bytes (no btoa/Buffer: browser and Node alike).
 * @param {Uint8Array} b
 */
export function bytesToBase64(b) {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
  }
  return s;
}

/**
 * One manifest file as base64: bytes, or a base64 string.
 * @param {unknown} v
 * @param {string} name
 */
function part(v, name) {
  if (v instanceof Uint8Array) return bytesToBase64(v);
  if (v instanceof ArrayBuffer) return bytesToBase64(new Uint8Array(v));
  if (typeof v === 'string' && v.length && /^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(v)) return v.replace(/\s/g, '');
  throw codedError('REQUEST_MALFORMED', `options.osManifest.${name} must be bytes or a base64 string`);
}

/**
 * The core's `os_manifest` from options.osManifest {checksumFile, measurement} (both required).
 * @param {unknown} m
 * @returns {{checksum_file: string, measurement: string} | undefined}
 */
export function toCoreOsManifest(m) {
  if (m === undefined || m === null) return undefined;
  if (typeof m !== 'object' || Array.isArray(m)) throw codedError('REQUEST_MALFORMED', 'options.osManifest must be {checksumFile, measurement}');
  for (const k of Object.keys(m)) if (k !== 'checksumFile' && k !== 'measurement') throw codedError('REQUEST_MALFORMED', `unknown osManifest option "${k}" (known: checksumFile, measurement)`);
  const o = /** @type {Record<string, unknown>} */ (m);
  return { checksum_file: part(o.checksumFile, 'checksumFile'), measurement: part(o.measurement, 'measurement') };
}

/**
 * The core policy members for policy.allowOsImages / policy.requireOsVerified (added to `out`).
 * @param {Record<string, any>} policy  the API policy object
 * @param {Record<string, any>} out     the core policy object
 */
export function addOsPolicy(policy, out) {
  if (policy.allowOsImages !== undefined) {
    const list = policy.allowOsImages;
    if (!Array.isArray(list)) throw codedError('REQUEST_MALFORMED', 'policy.allowOsImages must be a list of 32-byte hex hashes');
    out.allow_os_images = list.map((h) => {
      const s = typeof h === 'string' ? stripHexPrefix(h.trim()).toLowerCase() : '';
      if (s.length !== 64 || !isHex(s)) throw codedError('REQUEST_MALFORMED', `policy.allowOsImages: "${String(h)}" is not a 32-byte hex hash`);
      return s;
    });
  }
  if (policy.requireOsVerified !== undefined) out.require_os_verified = policy.requireOsVerified === true;
}

/**
 * The shipped catalog's entry for an os_image_hash, or undefined.
 * @param {string} hash
 */
export function osCatalogEntry(hash) {
  const h = String(hash || '').toLowerCase();
  return OS_CATALOG.images.find((e) => e.os_image_hash === h);
}

/**
 * needs.os_catalog {os_image_hash}: answer with the catalog's entry (js/needs.js RESOLVERS).
 * @param {any} need
 * @returns {Promise<Record<string, any> | undefined>}
 */
export async function resolveOsCatalog(need) {
  const e = need && typeof need === 'object' ? osCatalogEntry(need.os_image_hash) : undefined;
  return e ? { os_catalog_entry: e } : undefined;
}

/**
 * One line naming the OS for text summaries (CLI, page verdict): verified or not, which image, from where.
 * @param {import('./index.js').Report} report
 * @returns {string | undefined} undefined when the report has no os section
 */
export function osSummary(report) {
  const os = /** @type {any} */ (report).os;
  if (!os) return undefined;
  const check = (report.checks || []).find((c) => c.id === 'os.image');
  const img = os.image_hash || os.claimed_image_hash;
  const named = [os.name, os.version].filter(Boolean).join(' ');
  const what = img ? `image ${img.slice(0, 16)}…${named ? ` (${named}${os.dev === true ? ', dev' : ''})` : ''}` : 'image unknown';
  const src = os.source === 'expected' ? 'registers pinned by the caller' : os.source !== 'none' ? `${os.source} manifest` : 'no manifest';
  const state = os.verified ? 'verified' : 'unverified';
  const code = check && check.code !== 'OK' ? ` [${check.code}]` : '';
  return `${state}${code}, ${what}, source: ${src}`;
}
