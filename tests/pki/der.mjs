// Minimal DER encoder (and a small decoder for tests), enough for X.509 certificates and CRLs
// shaped like Intel's SGX PKI. node: built-ins only.

const u8 = (x) => (Buffer.isBuffer(x) ? x : Buffer.from(x));

function encLen(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Tag-length-value: `tag` is one identifier byte (0x30 SEQUENCE, 0xa0 [0] constructed, ...). */
export function tlv(tag, content) {
  const c = u8(content);
  return Buffer.concat([Buffer.from([tag]), encLen(c.length), c]);
}

export const seq = (...items) => tlv(0x30, Buffer.concat(items.flat().map(u8)));
export const set = (...items) => tlv(0x31, Buffer.concat(items.flat().map(u8)));
export const nul = () => Buffer.from([0x05, 0x00]);
export const bool = (b) => tlv(0x01, Buffer.from([b ? 0xff : 0x00]));
export const octet = (b) => tlv(0x04, u8(b));
export const utf8 = (s) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printable = (s) => tlv(0x13, Buffer.from(s, 'latin1'));
export const ia5 = (s) => tlv(0x16, Buffer.from(s, 'latin1'));
/** BIT STRING with `unused` unused bits in the last byte. */
export const bitString = (b, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), u8(b)]));
/** Context-specific tag [n], constructed (explicit wrapping) by default. */
export const ctx = (n, content, constructed = true) => tlv((constructed ? 0xa0 : 0x80) | n, content);

/** Minimal two's-complement content bytes of a non-negative integer. */
function intContent(v) {
  let b;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
    b = Buffer.from(v);
    let i = 0;
    while (i < b.length - 1 && b[i] === 0 && !(b[i + 1] & 0x80)) i++;
    b = b.subarray(i);
    if (b.length === 0) b = Buffer.from([0]);
  } else {
    let n = BigInt(v);
    if (n < 0n) throw new Error('negative INTEGER not supported');
    let hex = n.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    b = Buffer.from(hex, 'hex');
  }
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return b;
}
/** INTEGER from a number, bigint, or unsigned big-endian Buffer. */
export const int = (v) => tlv(0x02, intContent(v));
export const enumerated = (v) => tlv(0x0a, intContent(v));

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted) {
  const arcs = dotted.split('.').map((x) => BigInt(x));
  const out = [];
  const first = arcs[0] * 40n + arcs[1];
  for (const arc of [first, ...arcs.slice(2)]) {
    const bytes = [];
    let v = arc;
    do {
      bytes.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < bytes.length - 1; i++) bytes[i] |= 0x80;
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}

const pad2 = (n) => String(n).padStart(2, '0');
/**
 * A time (unix seconds or Date) as UTCTime for years 1950..2049 and GeneralizedTime otherwise
 * (RFC 5280 4.1.2.5), "YYMMDDHHMMSSZ" like Intel's certificates.
 */
export function time(t) {
  const d = t instanceof Date ? t : new Date(Number(t) * 1000);
  const y = d.getUTCFullYear();
  const rest = pad2(d.getUTCMonth() + 1) + pad2(d.getUTCDate()) + pad2(d.getUTCHours()) +
    pad2(d.getUTCMinutes()) + pad2(d.getUTCSeconds()) + 'Z';
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(pad2(y % 100) + rest, 'latin1'));
  return tlv(0x18, Buffer.from(String(y).padStart(4, '0') + rest, 'latin1'));
}

// ---- decoder (for tests and for locating fields) ----

/**
 * Decode one TLV at `off`. Returns { tag, constructed, hdr, len, start, end, content, children? }
 * where start is the TLV's first byte and end one past its last byte. Definite lengths only.
 */
export function decode(buf, off = 0, depth = 0) {
  if (depth > 32) throw new Error('DER too deep');
  if (off + 2 > buf.length) throw new Error('DER truncated');
  const tag = buf[off];
  let len = buf[off + 1];
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i];
    hdr += n;
  }
  const start = off;
  const end = off + hdr + len;
  if (end > buf.length) throw new Error('DER overrun');
  const node = { tag, constructed: !!(tag & 0x20), hdr, len, start, end, content: buf.subarray(off + hdr, end) };
  if (node.constructed) {
    node.children = [];
    for (let p = off + hdr; p < end;) {
      const c = decode(buf, p, depth + 1);
      node.children.push(c);
      p = c.end;
    }
  }
  return node;
}

/** Dotted text of an OBJECT IDENTIFIER node's content. */
export function oidText(content) {
  const arcs = [];
  let v = 0n;
  for (const b of content) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift();
  const a = first < 80n ? first / 40n : 2n;
  return [a, first - a * 40n, ...arcs].join('.');
}

/** PEM armour, 64-character lines, trailing newline. */
export function pem(der, label = 'CERTIFICATE') {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
