// Turning caller input (objects, JSON text, hex text, bytes) into the `evidence` value the core accepts
// (docs/core-api.md), and evidence into a cvm-evidence/v1 bundle for saving.
import { bytesToHex, codedError, isHex, looksLikeHexText, stripHexPrefix } from './util.js';

export const EVIDENCE_FORMAT = 'cvm-evidence/v1';

/**
 * @param {unknown} v
 * @returns {Uint8Array | null} the bytes of a binary input, else null
 */
export function asBytes(v) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return null;
}

/**
 * True when bytes are text evidence rather than a binary quote: JSON (first non-space byte {, [ or ") or hex
 * text. A binary quote starts with its version (03/04/05 00), never with those.
 * @param {Uint8Array} b
 */
function isTextual(b) {
  let i = 0;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  if (i < b.length && (b[i] === 0x7b || b[i] === 0x5b || b[i] === 0x22)) return true;
  return looksLikeHexText(b.subarray(i));
}

/** Deeper JSON is malformed input here (the core itself reads at most 64 levels). */
export const MAX_JSON_DEPTH = 256;

/**
 * True when the JSON text nests arrays/objects deeper than max (an iterative scan: strings skipped).
 * @param {string} text
 * @param {number} max
 */
export function jsonDepthExceeds(text, max) {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // a string: skip to its closing quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * The top-level JSON objects of a text that holds one or more of them back to back (whitespace between);
 * [] when the text is anything else (an iterative scan: strings skipped).
 * @param {string} text
 * @returns {string[]}
 */
export function splitJsonObjects(text) {
  /** @type {string[]} */
  const out = [];
  let depth = 0, start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (depth === 0) {
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (c !== 0x7b) return [];
      start = i;
    }
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) out.push(text.slice(start, i + 1));
      if (depth < 0) return [];
    }
  }
  return depth === 0 ? out : [];
}

/** Common file signatures that are never evidence, so the message can say what was given instead. */
const FILE_KINDS = /** @type {[number[], string][]} */ ([
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'], [[0xff, 0xd8, 0xff], 'a JPEG image'], [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'], [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'], [[0x1f, 0x8b], 'a gzip file'],
]);

/** @param {Uint8Array} b */
function fileKind(b) {
  for (const [sig, name] of FILE_KINDS) if (sig.every((x, i) => b[i] === x)) return name;
  return null;
}

/**
 * True when bytes are printable UTF-8 text (tabs and line breaks allowed): never a binary quote.
 * @param {Uint8Array} b
 */
function isPlainText(b) {
  for (const c of b) if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  try { new TextDecoder('utf-8', { fatal: true }).decode(b); } catch { return false; }
  return true;
}

/**
 * Parses JSON text, turning a syntax error into EVIDENCE_MALFORMED with the parser's message.
 * @param {string} text
 * @param {string} what for the message
 */
export function parseJsonText(text, what) {
  // Depth first, without recursion: JSON.parse (and JSON.stringify of the result, on the way to the core)
  // would overflow the stack on a hostile 100,000-level nesting, which is bad input (exit 2), not "retry".
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw codedError('EVIDENCE_MALFORMED', `${what} is JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw codedError('EVIDENCE_MALFORMED', `${what} is not valid JSON: ${e instanceof Error ? e.message : e}`);
  }
}

/**
 * The value to put in the core's `evidence` field: objects and arrays as they are, JSON text parsed, hex
 * text as a (trimmed) string, binary quotes hex-encoded.
 * @param {unknown} input
 * @returns {Record<string, any> | any[] | string}
 */
export function toEvidenceValue(input) {
  const bytes = asBytes(input);
  if (bytes) {
    if (bytes.length === 0) throw codedError('EVIDENCE_MALFORMED', 'the evidence is empty');
    const kind = fileKind(bytes);
    if (kind) throw codedError('EVIDENCE_MALFORMED', `this is ${kind}, not evidence: give the app's /attestation answer, an evidence bundle or a quote`);
    if (!isTextual(bytes)) {
      // A binary quote starts with its version (03/04/05 00): text that is neither JSON nor hex (a README, an
      // error page, a typo) is malformed evidence, not a few-byte quote.
      // Plain text that is neither JSON nor hex (a PEM certificate, or a README, an error page, a typo) goes to the
      // core as text: it knows the shapes (an RA-TLS certificate) and calls the rest malformed evidence, never a
      // few-byte quote.
      if (isPlainText(bytes)) return new TextDecoder().decode(bytes).replace(/^\uFEFF/, '').trim();
      return bytesToHex(bytes);
    }
    let text;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw codedError('EVIDENCE_MALFORMED', 'the evidence is neither a binary quote nor UTF-8 text');
    }
    return toEvidenceValue(text.replace(/^\uFEFF/, ''));
  }
  if (typeof input === 'string') {
    const t = input.trim();
    if (t === '') throw codedError('EVIDENCE_MALFORMED', 'the evidence is empty');
    if (t[0] === '{') {
      // Two JSON objects one after the other: the answers of GET /attestation and GET /info, as the page's
      // and the README's curl commands print them. The core judges each as the bundle's member.
      const parts = splitJsonObjects(t);
      if (parts.length === 2) {
        return { format: EVIDENCE_FORMAT, attestation: parseJsonText(parts[0], 'the first JSON value (the /attestation answer)'), info: parseJsonText(parts[1], 'the second JSON value (the /info answer)') };
      }
    }
    if (t[0] === '{' || t[0] === '[' || t[0] === '"') {
      const v = parseJsonText(t, 'the evidence');
      return typeof v === 'string' ? toEvidenceValue(v) : v;
    }
    if (isHex(stripHexPrefix(t))) return t;
    // Other text (a PEM RA-TLS certificate, or garbage): the core recognises it or says why not.
    return t;
  }
  if (Array.isArray(input)) return input;
  if (input && typeof input === 'object') return /** @type {Record<string, any>} */ (input);
  throw codedError('EVIDENCE_MALFORMED', `unsupported evidence type: ${input === null ? 'null' : typeof input}`);
}

/** @param {unknown} v */
export function isBundle(v) {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (/** @type {any} */ (v).format) === 'string' &&
    /** @type {any} */ (v).format.startsWith('cvm-evidence/');
}

/** @param {any} v */
function isInfoShape(v) {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !('quote' in v) && ('tcb_info' in v || 'app_id' in v);
}

/**
 * A byte-valued collateral field as hex: hex strings as they are (lower-cased, no 0x), byte arrays encoded.
 * @param {unknown} v
 */
function byteFieldToHex(v) {
  if (typeof v === 'string') return stripHexPrefix(v).toLowerCase();
  if (Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) return bytesToHex(Uint8Array.from(v));
  const b = asBytes(v);
  if (b) return bytesToHex(b);
  return v;
}

const BYTE_FIELDS = ['root_ca_crl', 'pck_crl', 'tcb_info_signature', 'qe_identity_signature'];

/**
 * A caller-supplied QuoteCollateralV3 (object or JSON text; Phala's `{quote_collateral: ...}` unwrapped) with
 * byte fields as hex strings.
 * @param {unknown} c
 * @returns {Record<string, any>}
 */
export function normalizeCollateral(c) {
  let v = c;
  const bytes = asBytes(v);
  if (bytes) v = new TextDecoder().decode(bytes);
  if (typeof v === 'string') v = parseJsonText(v.replace(/^\uFEFF/, ''), 'the collateral');
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw codedError('EVIDENCE_MALFORMED', 'the collateral must be a QuoteCollateralV3 JSON object');
  /** @type {Record<string, any>} */
  let obj = /** @type {any} */ (v);
  if (obj.quote_collateral && typeof obj.quote_collateral === 'object') obj = obj.quote_collateral;
  const out = { ...obj };
  for (const f of BYTE_FIELDS) if (f in out) out[f] = byteFieldToHex(out[f]);
  return out;
}

/**
 * A cvm-evidence/v1 bundle holding this evidence (for saving and offline re-verification).
 * @param {Record<string, any> | any[] | string} ev the value given to the core
 * @param {{nonce?: string, collateral?: Record<string, any>, report?: object}} extra
 * @returns {import('./index.js').EvidenceBundle}
 */
export function toBundle(ev, extra) {
  /** @type {any} */
  let b;
  if (isBundle(ev)) {
    const { report: _old, ...rest } = /** @type {any} */ (ev);
    b = { ...rest };
  } else if (typeof ev === 'string') {
    b = { format: EVIDENCE_FORMAT, attestation: { quote: stripHexPrefix(ev).toLowerCase() } };
  } else if (Array.isArray(ev)) {
    b = { format: EVIDENCE_FORMAT, attestation: { quote: bytesToHex(Uint8Array.from(ev)) } };
  } else if (isInfoShape(ev)) {
    b = { format: EVIDENCE_FORMAT, info: ev };
  } else {
    /** @type {any} */
    const { info, ...att } = ev;
    b = { format: EVIDENCE_FORMAT, attestation: att };
    if (info && typeof info === 'object') b.info = info;
  }
  if (extra.nonce) b.nonce = extra.nonce;
  if (extra.collateral) b.collateral = extra.collateral;
  if (extra.report) b.report = extra.report;
  return b;
}
