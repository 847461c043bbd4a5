// Sanity of the test PKI forge (tests/pki/forge.mjs): the forged world must look like Intel's real
// data (tests/vectors/dcap/tdx_quote) and be internally consistent, or every negative test built on it
// proves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, createHash, verify as nodeVerify } from 'node:crypto';

import { forgeWorld, dstackEvidence, runtimeDigest, replay, sha256, DEFAULT_NOW, OID, TD_OFFSETS } from '../pki/forge.mjs';
import { keyFromScalar, signRaw, verifyRaw } from '../pki/ecdsa.mjs';
import * as der from '../pki/der.mjs';

const VECTORS = new URL('../vectors/dcap/', import.meta.url);
const hasOpenssl = (() => {
  try { execFileSync('openssl', ['version'], { stdio: 'pipe' }); return true; } catch { return false; }
})();

const W = forgeWorld();

/** The PEM chain inside a v4/v5 quote (cert data 6 -> 5), parsed with the dcap.md offsets. */
function quoteChain(quote) {
  const version = quote.readUInt16LE(0);
  const bodyOff = version === 5 ? 54 : 48;
  const bodySize = version === 5 ? quote.readUInt32LE(50) : 584;
  const sd = bodyOff + bodySize + 4;
  const n = quote.readUInt16LE(sd + 582);
  const m = quote.readUInt32LE(sd + 586 + n);
  const text = quote.subarray(sd + 590 + n, sd + 590 + n + m).toString('latin1');
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)]
    .map((x) => Buffer.from(x[0].replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
}

/** Extension OIDs (with critical flags) of a certificate, in order. */
function extensionList(certDer) {
  const tbs = der.decode(certDer).children[0];
  const extsNode = tbs.children.find((c) => c.tag === 0xa3);
  return extsNode.children[0].children.map((e) => {
    const crit = e.children.length === 3;
    return der.oidText(e.children[0].content) + (crit ? '!' : '');
  });
}
/** The sub-OIDs of the SGX extension (recursively), in order. */
function sgxOids(certDer) {
  const tbs = der.decode(certDer).children[0];
  const exts = tbs.children.find((c) => c.tag === 0xa3).children[0].children;
  const sgx = exts.find((e) => der.oidText(e.children[0].content) === OID.sgx);
  const val = der.decode(Buffer.from(sgx.children.at(-1).content));
  const out = [];
  const walk = (n) => {
    for (const c of n.children || []) {
      if (c.tag === 0x06) out.push(der.oidText(c.content) + ':' + (n.children[1] ? n.children[1].tag : ''));
      if (c.constructed) walk(c);
    }
  };
  walk(val);
  return { out, val };
}

test('ECDSA is RFC 6979 deterministic (RFC 6979 A.2.5, P-256, SHA-256, "sample")', () => {
  const k = keyFromScalar(Buffer.from('C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721', 'hex'));
  assert.equal(k.raw.toString('hex'),
    '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' +
    '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299');
  const sig = signRaw(k, Buffer.from('sample'));
  assert.equal(sig.toString('hex'),
    'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' +
    'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8');
  assert.ok(verifyRaw(k.raw, Buffer.from('sample'), sig));
  assert.ok(nodeVerify('sha256', Buffer.from('sample'), { key: k.publicKeyObject, dsaEncoding: 'ieee-p1363' }, sig));
});

test('a world is a pure function of its options (seed included)', () => {
  const a = forgeWorld({ seed: 'det' });
  const b = forgeWorld({ seed: 'det' });
  assert.ok(a.quote.equals(b.quote));
  assert.ok(a.rootDer.equals(b.rootDer));
  assert.deepEqual(a.collateral, b.collateral);
  const c = forgeWorld({ seed: 'other' });
  assert.ok(!c.rootDer.equals(a.rootDer));
  assert.ok(!c.keys.root.raw.equals(a.keys.root.raw));
  // dstack evidence too
  assert.deepEqual(dstackEvidence({ seed: 'det' }).bundle, dstackEvidence({ seed: 'det' }).bundle);
});

test('certificates chain and verify with node:crypto', () => {
  const root = new X509Certificate(W.certs.root);
  const ca = new X509Certificate(W.certs.pckCa);
  const leaf = new X509Certificate(W.certs.leaf);
  const tcb = new X509Certificate(W.certs.tcbSigning);
  assert.ok(root.verify(root.publicKey), 'root self-signed');
  assert.ok(ca.verify(root.publicKey));
  assert.ok(leaf.verify(ca.publicKey));
  assert.ok(tcb.verify(root.publicKey));
  assert.ok(ca.checkIssued(root) && leaf.checkIssued(ca) && tcb.checkIssued(root));
  assert.equal(root.subject, 'CN=Intel SGX Root CA\nO=Intel Corporation\nL=Santa Clara\nST=CA\nC=US');
  assert.match(ca.subject, /^CN=Intel SGX PCK Platform CA\n/);
  assert.match(leaf.subject, /^CN=Intel SGX PCK Certificate\n/);
  assert.match(tcb.subject, /^CN=Intel SGX TCB Signing\n/);
  assert.ok(root.ca && ca.ca && !leaf.ca && !tcb.ca);
  assert.ok(Math.abs(W.rootDer.length - 659) <= 3, 'about the size of the real Intel SGX Root CA (659 B)');
  // validity windows include now
  for (const c of [root, ca, leaf, tcb]) {
    assert.ok(Date.parse(c.validFrom) / 1000 <= DEFAULT_NOW && DEFAULT_NOW <= Date.parse(c.validTo) / 1000);
  }
  // corrupt hooks break exactly the targeted signature
  const bad = forgeWorld({ leaf: { corrupt: true } });
  assert.ok(!new X509Certificate(bad.certs.leaf).verify(new X509Certificate(bad.certs.pckCa).publicKey));
  assert.ok(new X509Certificate(bad.certs.pckCa).verify(new X509Certificate(bad.certs.root).publicKey));
});

test('certificates copy the shape of the real Intel chain (tests/vectors/dcap/tdx_quote)', () => {
  const real = quoteChain(readFileSync(new URL('tdx_quote', VECTORS)));
  const forged = quoteChain(W.quote);
  assert.equal(real.length, 3);
  assert.equal(forged.length, 3);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(extensionList(forged[i]), extensionList(real[i]), `extensions of cert ${i}`);
    const r = new X509Certificate(real[i]);
    const f = new X509Certificate(forged[i]);
    assert.equal(f.subject, r.subject);
    assert.equal(f.issuer, r.issuer);
  }
  assert.deepEqual(sgxOids(forged[0]).out, sgxOids(real[0]).out, 'SGX extension layout of the PCK leaf');
  assert.equal(sgxOids(forged[0]).val.len, sgxOids(real[0]).val.len, 'same encoded size');
  // sizes agree up to the DER length of serials and signature INTEGERs (a leading 00 each)
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(forged[i].length - real[i].length) <= 3, `size of cert ${i}`);
  // TCB signing certificate vs the real collateral's
  const coll = JSON.parse(readFileSync(new URL('tdx_quote_collateral.json', VECTORS), 'utf8'));
  const realTcb = Buffer.from(coll.tcb_info_issuer_chain.split('-----END CERTIFICATE-----')[0]
    .replace(/-----BEGIN CERTIFICATE-----|\s/g, ''), 'base64');
  assert.deepEqual(extensionList(W.certs.tcbSigning), extensionList(realTcb));
  assert.ok(Math.abs(W.certs.tcbSigning.length - realTcb.length) <= 3);
});

test('SGX extension carries the knobs (FMSPC, PCE-ID, components, PCESVN)', () => {
  const w = forgeWorld({ leaf: { sgx: { fmspc: '00906ED50000', pceId: '0100', compSvn: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6], pcesvn: 300 } } });
  const { val } = sgxOids(w.certs.leaf);
  const byOid = Object.fromEntries(val.children.map((c) => [der.oidText(c.children[0].content), c.children[1]]));
  assert.equal(byOid[`${OID.sgx}.4`].content.toString('hex'), '00906ed50000');
  assert.equal(byOid[`${OID.sgx}.3`].content.toString('hex'), '0100');
  const tcb = byOid[`${OID.sgx}.2`].children;
  assert.deepEqual(tcb.slice(0, 16).map((c) => c.children[1].content[0]), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6]);
  assert.equal(tcb[16].children[1].content.readUInt16BE(0), 300);
  assert.equal(tcb[17].children[1].content.toString('hex'), '09080706050403020100010203040506');
  // TCB info follows the leaf by default
  assert.equal(w.tcbInfo.fmspc, '00906ED50000');
  assert.equal(w.tcbInfo.pceId, '0100');
  // processor-CA leaves carry no platform instance id / configuration (like the real SGX sample)
  const p = forgeWorld({ pckCa: { kind: 'processor' } });
  assert.equal(sgxOids(p.certs.leaf).val.children.length, 5);
  assert.match(new X509Certificate(p.certs.leaf).issuer, /^CN=Intel SGX PCK Processor CA/);
});

function crlParts(crlDer) {
  const n = der.decode(crlDer);
  const tbs = crlDer.subarray(n.children[0].start, n.children[0].end);
  const sig = Buffer.from(n.children[2].content.subarray(1));
  return { tbs, sig, node: n };
}

test('CRLs are signed by their issuer (ecdsa-with-SHA256) and list the revoked serials', () => {
  const w = forgeWorld({ pckCrl: { revoked: ['leaf'] }, rootCrl: { revoked: ['pckCa', 'tcbSigning'] } });
  const rootKey = new X509Certificate(w.certs.root).publicKey;
  const caKey = new X509Certificate(w.certs.pckCa).publicKey;
  for (const [crl, key] of [[w.crls.root, rootKey], [w.crls.pck, caKey],
    [w.crls.otherPck, new X509Certificate(w.certs.otherPckCa).publicKey]]) {
    const { tbs, sig } = crlParts(crl);
    assert.ok(nodeVerify('sha256', tbs, { key, dsaEncoding: 'der' }, sig));
  }
  const revokedSerials = (crl) => {
    const tbs = der.decode(crl).children[0];
    const list = tbs.children.find((c) => c.tag === 0x30 && c.children.length && c.children[0].tag === 0x30 && c.children[0].children[0].tag === 0x02);
    return list ? list.children.map((e) => Buffer.from(e.children[0].content).toString('hex').replace(/^00/, '')) : [];
  };
  assert.deepEqual(revokedSerials(w.crls.pck), [w.serials.leaf.toString('hex')]);
  assert.deepEqual(revokedSerials(w.crls.root), [w.serials.pckCa.toString('hex'), w.serials.tcbSigning.toString('hex')]);
  assert.deepEqual(revokedSerials(W.crls.root), []);
  const bad = forgeWorld({ pckCrl: { signKey: 'rogue' } });
  const { tbs, sig } = crlParts(bad.crls.pck);
  assert.ok(!nodeVerify('sha256', tbs, { key: new X509Certificate(bad.certs.pckCa).publicKey, dsaEncoding: 'der' }, sig));
});

test('openssl parses every certificate and CRL and verifies the chains with CRLs', { skip: !hasOpenssl && 'openssl not found' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'forge-'));
  try {
    const w = forgeWorld();
    const f = (name, buf) => { const p = join(dir, name); writeFileSync(p, buf); return p; };
    for (const [name, c] of Object.entries(w.certs)) {
      const text = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text', '-in', f(name + '.der', c)], { encoding: 'utf8' });
      assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
      assert.match(text, /ASN1 OID: prime256v1/);
    }
    for (const [name, c] of Object.entries(w.crls)) {
      const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-noout', '-text', '-in', f('crl-' + name + '.der', c)], { encoding: 'utf8' });
      assert.match(text, /Version 2/);
    }
    const leafText = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text', '-in', join(dir, 'leaf.der')], { encoding: 'utf8' });
    assert.match(leafText, /1\.2\.840\.113741\.1\.13\.1:/);
    assert.match(leafText, /CA:FALSE/);
    const pemOf = (name, der_) => f(name + '.pem', Buffer.from(der.pem(der_)));
    const crls = f('crls.pem', Buffer.from(der.pem(w.crls.root, 'X509 CRL') + der.pem(w.crls.pck, 'X509 CRL')));
    const verifyArgs = (leaf, untrusted) => ['verify', '-CAfile', pemOf('root', w.certs.root),
      ...(untrusted ? ['-untrusted', pemOf('ca', untrusted)] : []), '-attime', String(w.now), '-crl_check_all', '-CRLfile', crls, leaf];
    const out = execFileSync('openssl', verifyArgs(pemOf('leafp', w.certs.leaf), w.certs.pckCa), { encoding: 'utf8' });
    assert.match(out, /OK/);
    assert.match(execFileSync('openssl', verifyArgs(pemOf('tcbp', w.certs.tcbSigning)), { encoding: 'utf8' }), /OK/);
    // a revoked leaf is revoked for openssl too
    const r = forgeWorld({ pckCrl: { revoked: ['leaf'] } });
    const crls2 = f('crls2.pem', Buffer.from(der.pem(r.crls.root, 'X509 CRL') + der.pem(r.crls.pck, 'X509 CRL')));
    assert.throws(() => execFileSync('openssl', ['verify', '-CAfile', pemOf('root2', r.certs.root), '-untrusted', pemOf('ca2', r.certs.pckCa),
      '-attime', String(r.now), '-crl_check_all', '-CRLfile', crls2, pemOf('leaf2', r.certs.leaf)], { stdio: 'pipe' }), /revoked/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TCB info and QE identity are signed over their exact text (raw r||s, 64 bytes)', () => {
  const tcbKey = new X509Certificate(W.certs.tcbSigning).publicKey;
  const c = W.collateral;
  assert.equal(c.tcb_info_signature.length, 128);
  assert.equal(c.qe_identity_signature.length, 128);
  assert.ok(nodeVerify('sha256', Buffer.from(c.tcb_info), { key: tcbKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(c.tcb_info_signature, 'hex')));
  assert.ok(nodeVerify('sha256', Buffer.from(c.qe_identity), { key: tcbKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(c.qe_identity_signature, 'hex')));
  const ti = JSON.parse(c.tcb_info);
  assert.equal(ti.id, 'TDX');
  assert.equal(ti.version, 3);
  assert.equal(ti.tcbLevels[0].tcb.sgxtcbcomponents.length, 16);
  assert.equal(ti.tcbLevels[0].tcb.tdxtcbcomponents.length, 16);
  assert.ok(Array.isArray(ti.tdxModuleIdentities));
  const qi = JSON.parse(c.qe_identity);
  assert.equal(qi.id, 'TD_QE');
  assert.equal(qi.version, 2);
  // same key order as the real collateral
  const real = JSON.parse(readFileSync(new URL('tdx_quote_collateral.json', VECTORS), 'utf8'));
  assert.deepEqual(Object.keys(ti), Object.keys(JSON.parse(real.tcb_info)));
  assert.deepEqual(Object.keys(qi), Object.keys(JSON.parse(real.qe_identity)));
  assert.deepEqual(Object.keys(W.collateral).sort(), Object.keys(real).sort());
  // the issuer chain is (TCB signing, root)
  assert.equal(c.tcb_info_issuer_chain, W.chainPem(['tcbSigning', 'root']));
  // tamperText changes the text after signing
  const t = forgeWorld({ tcbInfo: { tamperText: (s) => s.replace('"UpToDate"', '"OutOfDate"') } });
  assert.ok(!nodeVerify('sha256', Buffer.from(t.collateral.tcb_info), { key: tcbKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(t.collateral.tcb_info_signature, 'hex')));
  // dates: now inside [issueDate, nextUpdate]
  assert.ok(Date.parse(ti.issueDate) / 1000 <= W.now && W.now <= Date.parse(ti.nextUpdate) / 1000);
});

test('quote v4 layout matches dcap.md section 1 offsets', () => {
  const w = forgeWorld({ quote: { body: { reportData: Buffer.alloc(64, 0xaa), rtmr3: Buffer.alloc(48, 0x33), mrTd: Buffer.alloc(48, 0x11),
    mrConfigId: Buffer.alloc(48, 0x22), tdAttributes: '0000001000000000' } } });
  const q = w.quote;
  assert.equal(q.readUInt16LE(0), 4);
  assert.equal(q.readUInt16LE(2), 2);
  assert.equal(q.readUInt32LE(4), 0x81);
  assert.equal(q.subarray(12, 28).toString('hex'), '939a7233f79c4ca9940a0db3957f0607');
  assert.equal(q.subarray(48, 64).toString('hex'), '06010300000000000000000000000000', 'tee_tcb_svn @48');
  assert.equal(q.subarray(168, 176).toString('hex'), '0000001000000000', 'td_attributes @168');
  assert.equal(q.subarray(176, 184).toString('hex'), 'e702060000000000', 'xfam @176');
  assert.ok(q.subarray(184, 232).equals(Buffer.alloc(48, 0x11)), 'mr_td @184');
  assert.ok(q.subarray(232, 280).equals(Buffer.alloc(48, 0x22)), 'mr_config_id @232');
  assert.ok(q.subarray(520, 568).equals(Buffer.alloc(48, 0x33)), 'rtmr3 @520');
  assert.ok(q.subarray(568, 632).equals(Buffer.alloc(64, 0xaa)), 'report_data @568');
  assert.equal(w.layout.signedLength, 632);
  const sl = q.readUInt32LE(632);
  assert.equal(636 + sl, q.length, 'no trailing bytes by default');
  const sd = 636;
  // quote signature over [0, 632) with the attestation key
  assert.ok(verifyRaw(q.subarray(sd + 64, sd + 128), q.subarray(0, 632), q.subarray(sd, sd + 64)));
  assert.equal(q.readUInt16LE(sd + 128), 6, 'cert data type 6');
  assert.equal(q.readUInt32LE(sd + 130), sl - 134, 'cert data size fills the signature data');
  const qeReport = q.subarray(sd + 134, sd + 518);
  const leafKey = new X509Certificate(W.certs.leaf).publicKey;
  assert.ok(nodeVerify('sha256', qeReport, { key: new X509Certificate(w.certs.leaf).publicKey, dsaEncoding: 'ieee-p1363' }, q.subarray(sd + 518, sd + 582)));
  assert.ok(leafKey);
  const n = q.readUInt16LE(sd + 582);
  assert.equal(n, 32);
  const auth = q.subarray(sd + 584, sd + 584 + n);
  assert.ok(qeReport.subarray(320, 352).equals(sha256(q.subarray(sd + 64, sd + 128), auth)), 'QE report data binds the attestation key');
  assert.ok(qeReport.subarray(352, 384).equals(Buffer.alloc(32)));
  assert.equal(q.readUInt16LE(sd + 584 + n), 5, 'inner type 5');
  const m = q.readUInt32LE(sd + 586 + n);
  assert.equal(sd + 590 + n + m, q.length);
  assert.equal(q[q.length - 1], 0, 'the PEM chain ends with a NUL byte like real quotes');
  assert.equal(quoteChain(q).length, 3);
  assert.ok(quoteChain(q)[2].equals(w.rootDer));
  // QE report fields of the real TD QE
  assert.equal(qeReport.readUInt16LE(256), 2, 'isv_prod_id');
  assert.equal(qeReport.readUInt16LE(258), 6, 'isv_svn');
  // layout object agrees
  assert.equal(w.layout.field('rtmr3'), 520);
  assert.equal(w.layout.field('reportData'), 568);
  assert.equal(w.layout.chainOff, sd + 590 + n);
});

test('quote v5 layouts: body type 2 (signed 638) and 3 (signed 702, mr_servicetd @654)', () => {
  const v52 = forgeWorld({ quote: { version: 5, bodyType: 2, body: { reportData: Buffer.alloc(64, 0xab) } } });
  assert.equal(v52.quote.readUInt16LE(0), 5);
  assert.equal(v52.quote.readUInt16LE(48), 2);
  assert.equal(v52.quote.readUInt32LE(50), 584);
  assert.ok(v52.quote.subarray(574, 638).equals(Buffer.alloc(64, 0xab)), 'report_data @574');
  assert.equal(v52.layout.signedLength, 638);
  assert.ok(verifyRaw(v52.quote.subarray(642 + 64, 642 + 128), v52.quote.subarray(0, 638), v52.quote.subarray(642, 642 + 64)));

  const v53 = forgeWorld({ quote: { version: 5, bodyType: 3, body: { mrServiceTd: Buffer.alloc(48, 0x5e), teeTcbSvn2: Buffer.alloc(16, 0x07) } } });
  assert.equal(v53.quote.readUInt16LE(48), 3);
  assert.equal(v53.quote.readUInt32LE(50), 648);
  assert.equal(v53.layout.signedLength, 702);
  assert.ok(v53.quote.subarray(638, 654).equals(Buffer.alloc(16, 0x07)), 'tee_tcb_svn2 @638');
  assert.ok(v53.quote.subarray(654, 702).equals(Buffer.alloc(48, 0x5e)), 'mr_servicetd @654');
  assert.equal(v53.layout.field('rtmr3'), 526);
  assert.equal(TD_OFFSETS.mrServiceTd, 600);
  assert.ok(verifyRaw(v53.quote.subarray(706 + 64, 706 + 128), v53.quote.subarray(0, 702), v53.quote.subarray(706, 706 + 64)));
  assert.equal(quoteChain(v53.quote).length, 3);
});

test('length and signature knobs change only what they name', () => {
  const t = forgeWorld({ quote: { trailing: Buffer.alloc(70) } });
  assert.equal(t.quote.length, W.quote.length + 70);
  assert.ok(t.quote.subarray(0, W.quote.length).equals(W.quote));
  const s = forgeWorld({ quote: { sigDataLen: 0xffffffff } });
  assert.equal(s.quote.readUInt32LE(632), 0xffffffff);
  assert.ok(s.quote.subarray(636).equals(W.quote.subarray(636)));
  const c = forgeWorld({ quote: { corrupt: true } });
  assert.ok(!verifyRaw(c.quote.subarray(700, 764), c.quote.subarray(0, 632), c.quote.subarray(636, 700)));
  assert.ok(c.quote.subarray(700).equals(W.quote.subarray(700)));
  const e = forgeWorld({ quote: { qeAuthData: Buffer.alloc(0) } });
  assert.equal(e.quote.readUInt16LE(636 + 582), 0);
});

test('dstack evidence is consistent: RTMR replay, compose hash, mr_config_id, report_data', () => {
  // dstack.md 3.3 vectors
  assert.equal(runtimeDigest('system-preparing', '').toString('hex'),
    'f9974020ef507068183313d0ca808e0d1ca9b2d1ad0c61f5784e7157c362c06536f5ddacdad4451693f48fcc72fff624');
  assert.equal(runtimeDigest('boot-mr-done', '').toString('hex'),
    '98bd7e6bd3952720b65027fd494834045d06b4a714bf737a06b874638b3ea00ff402f7f583e3e3b05e921c8570433ac6');
  assert.equal(runtimeDigest('system-ready', '').toString('hex'),
    '1a76b2a80a0be71eae59f80945d876351a7a3fb8e9fd1ff1cede5734aa84ea11fd72b4edfbb6f04e5a85edd114c751bd');
  const nonce = Buffer.alloc(32, 0x42);
  const e = dstackEvidence({ nonce });
  const q = e.world.quote;
  const log = JSON.parse(e.getQuote.event_log);
  for (let i = 0; i < 4; i++) {
    const digests = log.filter((x) => x.imr === i).map((x) => (x.event_type === 0x08000001
      ? runtimeDigest(x.event, x.event_payload) : Buffer.from(x.digest, 'hex')));
    assert.ok(replay(digests).equals(q.subarray(376 + 48 * i, 424 + 48 * i)), `RTMR${i}`);
  }
  const composeEvent = log.find((x) => x.event === 'compose-hash');
  assert.equal(composeEvent.event_payload, createHash('sha256').update(e.appCompose).digest('hex'));
  const info = e.info;
  const tcbInfo = JSON.parse(info.tcb_info);
  assert.equal(tcbInfo.app_compose, e.appCompose);
  assert.equal(tcbInfo.compose_hash, composeEvent.event_payload);
  assert.equal(info.app_id, log.find((x) => x.event === 'app-id').event_payload);
  assert.equal(q.subarray(232, 280).toString('hex'), '01' + composeEvent.event_payload + '00'.repeat(15), 'mr_config_id');
  assert.ok(q.subarray(568, 632).equals(Buffer.concat([nonce, Buffer.alloc(32)])), 'report_data = nonce, padded');
  assert.equal(e.getQuote.report_data, q.subarray(568, 632).toString('hex'));
  assert.match(JSON.parse(e.appCompose).docker_compose_file, /image: nginx@sha256:[0-9a-f]{64}\n/);
  // the stripped (GetQuote >= 0.5.6) shape keeps what each kind needs
  const s = dstackEvidence({ nonce, stripped: true });
  const sl = JSON.parse(s.getQuote.event_log);
  assert.ok(sl.every((x) => (x.event_type === 0x08000001 ? x.digest === '' && x.event !== '' : x.event_payload === '' && x.digest.length === 96)));
  assert.ok(s.world.quote.equals(e.world.quote));
  // the request carries everything a pass needs
  const req = e.request();
  assert.equal(req.nonce, nonce.toString('hex'));
  assert.equal(req.unsafe_test_root_der_hex, e.world.rootDerHex);
  assert.equal(req.evidence.format, 'cvm-evidence/v1');
});
