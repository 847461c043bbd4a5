// Small shared helpers: errors with reason codes, hex <-> bytes, Web Crypto. Browser-safe.

/**
 * An Error carrying a reason code (interface.md section 1), e.g. FETCH_FAILED.
 * @param {string} code
 * @param {string} message
 * @param {unknown} [cause]
 * @returns {Error & {code: string}}
 */
export function codedError(code, message, cause) {
  const err = /** @type {Error & {code: string}} */ (cause === undefined ? new Error(message) : new Error(message, { cause }));
  err.code = code;
  return err;
}

/**
 * Web Crypto: the global one (browsers, Node >= 19), else node:crypto's (Node 18 without the flag).
 * The dynamic import runs only when there is no global Web Crypto, i.e. never in a browser.
 * @type {Crypto}
 */
export const webcrypto = globalThis.crypto && globalThis.crypto.subtle && typeof globalThis.crypto.getRandomValues === 'function'
  ? globalThis.crypto
  : /** @type {Crypto} */ ((await import('node:crypto')).webcrypto);

const HEX = '0123456789abcdef';

/**
 * Lower-case hex of bytes.
 * @param {Uint8Array | ArrayBuffer} bytes
 * @returns {string}
 */
export function bytesToHex(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

/**
 * Strict hex text to bytes (an optional 0x prefix; no whitespace). Throws on anything else.
 * @param {string} hex
 * @returns {Uint8Array}
 */
export function hexToBytes(hex) {
  const h = stripHexPrefix(hex);
  if (!isHex(h)) throw new TypeError('not a hex string');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

/** @param {string} s */
export function stripHexPrefix(s) {
  return s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : s;
}

/**
 * True for an even-length string of hex digits (no prefix).
 * @param {string} s
 */
export function isHex(s) {
  return typeof s === 'string' && s.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(s);
}

/**
 * Normalises a caller-supplied hex value: strips 0x, lower-cases, checks it is hex and not too long.
 * Throws a coded Error (REQUEST_MALFORMED) naming the field otherwise.
 * @param {unknown} value
 * @param {string} name the option's name, for the message
 * @param {number} [maxBytes]
 * @returns {string}
 */
export function normalizeHex(value, name, maxBytes) {
  if (typeof value !== 'string') throw codedError('REQUEST_MALFORMED', `${name} must be a hex string`);
  const h = stripHexPrefix(value.trim()).toLowerCase();
  if (h.length === 0 || !isHex(h)) throw codedError('REQUEST_MALFORMED', `${name} must be an even number of hex digits (optionally with 0x), got "${value.slice(0, 80)}"`);
  if (maxBytes !== undefined && h.length / 2 > maxBytes) throw codedError('REQUEST_MALFORMED', `${name} is ${h.length / 2} bytes; at most ${maxBytes} are allowed`);
  return h;
}

/**
 * True when the bytes are text that is hex digits (optionally 0x-prefixed), with surrounding whitespace.
 * @param {Uint8Array} b
 */
export function looksLikeHexText(b) {
  let i = 0, j = b.length;
  while (i < j && isSpace(b[i])) i++;
  while (j > i && isSpace(b[j - 1])) j--;
  if (j - i >= 2 && b[i] === 0x30 && (b[i + 1] === 0x78 || b[i + 1] === 0x58)) i += 2;
  if (j === i || (j - i) % 2) return false;
  for (let k = i; k < j; k++) {
    const c = b[k];
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** @param {number} c */
function isSpace(c) { return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; }

/**
 * Base64 (standard alphabet, whitespace ignored) to bytes, without atob/Buffer assumptions.
 * @param {string} s
 * @returns {Uint8Array}
 */
export function base64ToBytes(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = s.replace(/[\s=]/g, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) throw new TypeError('not base64');
  const out = new Uint8Array(Math.floor(clean.length * 3 / 4));
  let bits = 0, acc = 0, o = 0;
  for (const ch of clean) {
    acc = (acc << 6) | alphabet.indexOf(ch);
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 0xff; }
  }
  return out.subarray(0, o);
}

/**
 * SHA-256 of bytes, hex, via Web Crypto.
 * @param {Uint8Array | ArrayBuffer} bytes
 * @returns {Promise<string>}
 */
export async function sha256Hex(bytes) {
  return bytesToHex(await webcrypto.subtle.digest('SHA-256', /** @type {BufferSource} */ (bytes)));
}
