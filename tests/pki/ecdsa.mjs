// Deterministic P-256 keys and deterministic ECDSA-SHA256 (RFC 6979) with node:crypto only.
//
// - Private keys: d = (HMAC-SHA256(seed, "cvm-verify-forge/key/" + label) mod (n - 1)) + 1.
// - Public keys: node:crypto createECDH('prime256v1').setPrivateKey(d).
// - Signatures: RFC 6979 section 3.2 nonce k (HMAC-SHA256 DRBG), R = k*G computed by the same
//   ECDH trick (the "public key" of k), r = R.x mod n, s = k^-1 (z + r d) mod n. Every signature is
//   therefore a pure function of (key, message); node:crypto.verify checks them in the tests.
//   (Node's crypto.sign has no deterministic-ECDSA switch, hence the small BigInt code here.)

import { createECDH, createHash, createHmac, createPrivateKey, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { int, seq } from './der.mjs';

export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toBig = (b) => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
const to32 = (n) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
const b64u = (b) => Buffer.from(b).toString('base64url');

function modInv(a, m) {
  // a^(m-2) mod m (m is prime)
  let r = 1n;
  let b = ((a % m) + m) % m;
  let e = m - 2n;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** k*G as an uncompressed point (65 bytes), via ECDH. */
function mulG(k32) {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(k32);
  return ecdh.getPublicKey(null, 'uncompressed');
}

/** A key from its 32-byte scalar. Fields: d (Buffer 32), pub (65, 04||x||y), raw (64, x||y), spki (DER), keyObject / publicKeyObject. */
export function keyFromScalar(d32, label = '') {
  const pub = mulG(d32);
  const x = pub.subarray(1, 33);
  const y = pub.subarray(33, 65);
  const jwk = { kty: 'EC', crv: 'P-256', x: b64u(x), y: b64u(y), d: b64u(d32) };
  const keyObject = createPrivateKey({ key: jwk, format: 'jwk' });
  const publicKeyObject = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
  const spki = publicKeyObject.export({ format: 'der', type: 'spki' });
  return { label, d: Buffer.from(d32), pub, raw: Buffer.concat([x, y]), spki, keyObject, publicKeyObject };
}

const keyCache = new Map();
/** The deterministic key for (seed, label). Cached. */
export function deriveKey(seed, label) {
  const id = Buffer.from(String(seed)).toString('hex') + '/' + label;
  let k = keyCache.get(id);
  if (!k) {
    const h = createHmac('sha256', Buffer.from(String(seed))).update('cvm-verify-forge/key/' + label).digest();
    const d = (toBig(h) % (N - 1n)) + 1n;
    k = keyFromScalar(to32(d), label);
    keyCache.set(id, k);
  }
  return k;
}

/** RFC 6979 deterministic ECDSA P-256 / SHA-256 over `msg`; returns raw r||s (64 bytes). */
export function signRaw(key, msg) {
  const h1 = createHash('sha256').update(msg).digest();
  const z = toBig(h1);
  const d = toBig(key.d);
  const x = to32(d);
  const h = to32(z % N);
  const hmac = (k, ...parts) => {
    const m = createHmac('sha256', k);
    for (const p of parts) m.update(p);
    return m.digest();
  };
  let V = Buffer.alloc(32, 1);
  let K = Buffer.alloc(32, 0);
  K = hmac(K, V, Buffer.from([0]), x, h);
  V = hmac(K, V);
  K = hmac(K, V, Buffer.from([1]), x, h);
  V = hmac(K, V);
  for (;;) {
    V = hmac(K, V);
    const k = toBig(V);
    if (k >= 1n && k < N) {
      const R = mulG(to32(k));
      const r = toBig(R.subarray(1, 33)) % N;
      if (r !== 0n) {
        const s = (modInv(k, N) * ((z + r * d) % N)) % N;
        if (s !== 0n) return Buffer.concat([to32(r), to32(s)]);
      }
    }
    K = hmac(K, V, Buffer.from([0]));
    V = hmac(K, V);
  }
}

/** raw r||s -> DER SEQUENCE { INTEGER r, INTEGER s } (X.509 / CRL signature value). */
export function rawToDer(rs) {
  return seq(int(rs.subarray(0, 32)), int(rs.subarray(32, 64)));
}

/** Verify a raw r||s signature with node:crypto. `pub` is 64 raw bytes (x||y), 65 (04||x||y), or a key object. */
export function verifyRaw(pub, msg, rs) {
  let key = pub;
  if (Buffer.isBuffer(pub) || pub instanceof Uint8Array) {
    const p = pub.length === 64 ? Buffer.concat([Buffer.from([4]), pub]) : Buffer.from(pub);
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(p.subarray(1, 33)), y: b64u(p.subarray(33, 65)) }, format: 'jwk' });
  } else if (pub && pub.publicKeyObject) key = pub.publicKeyObject;
  return nodeVerify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, rs);
}

/** Flip one bit of s in a raw signature: still 64 bytes, never verifies. */
export function corruptRaw(rs) {
  const b = Buffer.from(rs);
  b[63] ^= 0x01;
  return b;
}
