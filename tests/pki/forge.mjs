// Test PKI forge: a complete, self-consistent Intel-DCAP-shaped world under a TEST root CA.
//
//   import { forgeWorld, dstackEvidence } from '../pki/forge.mjs';
//   const w = forgeWorld({ seed: 'x', quote: { tdAttributes: '0100001000000000' } });
//   w.request({ policy: { tcb: 'default' } })  -> a core verify request (docs/core-api.md)
//
// Everything is a pure function of the options (seed included): keys are derived from the seed,
// signatures are RFC 6979 deterministic (tests/pki/ecdsa.mjs), so a world is byte-identical on
// every run. The certificates copy the names, extensions and shapes of Intel's production SGX PKI
// (tests/vectors/dcap/tdx_quote); only the keys, serials, dates and the knobs below differ.
// See tests/pki/README.md for the full list of knobs.

import { createHash, createHmac } from 'node:crypto';
import * as der from './der.mjs';
import { deriveKey, signRaw, rawToDer, corruptRaw } from './ecdsa.mjs';

export { deriveKey, signRaw, verifyRaw, rawToDer } from './ecdsa.mjs';

export const DAY = 86400;
export const DEFAULT_NOW = 1788000000; // 2026-08-29T10:40:00Z
export const INTEL_QE_VENDOR_ID = '939a7233f79c4ca9940a0db3957f0607';
export const OID = {
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  cn: '2.5.4.3', o: '2.5.4.10', l: '2.5.4.7', st: '2.5.4.8', c: '2.5.4.6',
  aki: '2.5.29.35', ski: '2.5.29.14', ku: '2.5.29.15', bc: '2.5.29.19', crldp: '2.5.29.31',
  crlNumber: '2.5.29.20', crlReason: '2.5.29.21',
  sgx: '1.2.840.113741.1.13.1',
};
export const CN = {
  root: 'Intel SGX Root CA',
  platform: 'Intel SGX PCK Platform CA',
  processor: 'Intel SGX PCK Processor CA',
  leaf: 'Intel SGX PCK Certificate',
  tcbSigning: 'Intel SGX TCB Signing',
};
export const URL = {
  rootCrl: 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der',
  pckCrl: (ca) => `https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`,
};
/** TCB statuses of TCB Info levels, in dcap-qvl's severity order. */
export const TCB_STATUSES = ['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked'];

// ---------------------------------------------------------------------------------------------
// small helpers

const isPlain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) &&
  !(v instanceof Uint8Array) && Object.getPrototypeOf(v) === Object.prototype;
/** Deep merge of plain objects; arrays, Buffers and functions replace. `undefined` keeps the default. */
export function merge(base, over) {
  if (over === undefined) return base;
  if (!isPlain(base) || !isPlain(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** Bytes from hex text (optionally 0x-prefixed), a Buffer, or an array; padded/checked to `len` when given. */
export function bytes(v, len) {
  let b;
  if (v === undefined || v === null) b = Buffer.alloc(len ?? 0);
  else if (Buffer.isBuffer(v)) b = Buffer.from(v);
  else if (v instanceof Uint8Array || Array.isArray(v)) b = Buffer.from(v);
  else if (typeof v === 'string') b = Buffer.from(v.replace(/^0x/i, ''), 'hex');
  else throw new Error('bytes: unsupported value ' + typeof v);
  if (len !== undefined && b.length !== len) {
    if (b.length > len) throw new Error(`bytes: ${b.length} > ${len}`);
    b = Buffer.concat([b, Buffer.alloc(len - b.length)]);
  }
  return b;
}
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16LE(n >>> 0 & 0xffff); return b; };
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
export const sha256 = (...parts) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest(); };
export const sha384 = (...parts) => { const h = createHash('sha384'); for (const p of parts) h.update(p); return h.digest(); };
/** Deterministic bytes for (seed, label). */
export function detBytes(seed, label, len) {
  const out = [];
  for (let i = 0; Buffer.concat(out).length < len; i++) {
    out.push(createHmac('sha256', Buffer.from(String(seed))).update(`cvm-verify-forge/bytes/${label}/${i}`).digest());
  }
  return Buffer.concat(out).subarray(0, len);
}
/** RFC 3339 without fractions, like Intel's collateral: 2025-06-19T10:16:03Z. */
export const iso = (t) => new Date(Number(t) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hexU = (b) => Buffer.from(b).toString('hex').toUpperCase();

// ---------------------------------------------------------------------------------------------
// X.509 pieces

/**
 * An Intel-style DN: CN, O=Intel Corporation, L=Santa Clara, ST=CA, C=US (UTF8String except C).
 * extra: { o, l, st, c, cnEncoding: 'printable' (same name, different bytes) }.
 */
export function intelName(cn, extra = {}) {
  const rdn = (o, v, enc) => der.set(der.seq(der.oid(o), enc === 'printable' ? der.printable(v) : der.utf8(v)));
  return der.seq(
    rdn(OID.cn, cn, extra.cnEncoding), rdn(OID.o, extra.o ?? 'Intel Corporation'), rdn(OID.l, extra.l ?? 'Santa Clara'),
    rdn(OID.st, extra.st ?? 'CA'), rdn(OID.c, extra.c ?? 'US', 'printable'));
}
const ext = (id, value, critical = false) =>
  der.seq(der.oid(id), critical ? der.bool(true) : Buffer.alloc(0), der.octet(value));
const sigAlg = () => der.seq(der.oid(OID.ecdsaWithSHA256));
const crldp = (uri) => der.seq(der.seq(der.ctx(0, der.ctx(0, der.tlv(0x86, Buffer.from(uri, 'latin1'))))));

/**
 * The Intel SGX extension (OID 1.2.840.113741.1.13.1), encoded like a real PCK leaf:
 * PPID, TCB (16 component INTEGERs, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX type, and for Platform-CA
 * leaves Platform Instance ID and Configuration.
 */
export function sgxExtension(s) {
  const sub = (n) => `${OID.sgx}.${n}`;
  const entries = [];
  const add = (name, e) => { if (!(s.omit || []).includes(name)) entries.push(e); };
  add('ppid', der.seq(der.oid(sub(1)), der.octet(bytes(s.ppid, 16))));
  const comps = s.compSvn.map((v, i) => der.seq(der.oid(sub(`2.${i + 1}`)), der.int(v)));
  const tcb = [...comps, der.seq(der.oid(sub('2.17')), der.int(s.pcesvn))];
  if (!(s.omit || []).includes('cpusvn')) {
    tcb.push(der.seq(der.oid(sub('2.18')), der.octet(bytes(s.cpusvn ?? Buffer.from(s.compSvn.slice(0, 16)), 16))));
  }
  add('tcb', der.seq(der.oid(sub(2)), der.seq(...tcb)));
  add('pceId', der.seq(der.oid(sub(3)), der.octet(bytes(s.pceId, 2))));
  add('fmspc', der.seq(der.oid(sub(4)), der.octet(bytes(s.fmspc, 6))));
  add('sgxType', der.seq(der.oid(sub(5)), der.enumerated(s.sgxType)));
  if (s.platformInstanceId) add('platformInstanceId', der.seq(der.oid(sub(6)), der.octet(bytes(s.platformInstanceId, 16))));
  if (s.configuration) {
    const c = s.configuration;
    add('configuration', der.seq(der.oid(sub(7)), der.seq(
      der.seq(der.oid(sub('7.1')), der.bool(c.dynamicPlatform)),
      der.seq(der.oid(sub('7.2')), der.bool(c.cachedKeys)),
      der.seq(der.oid(sub('7.3')), der.bool(c.smtEnabled)))));
  }
  for (const e of s.extraEntries || []) entries.push(e);
  return der.seq(...entries);
}

/**
 * Build and sign a certificate.
 * spec: { serial, issuerName (DER), subjectName (DER), notBefore, notAfter, subjectKey, signKey,
 *         ski, aki, crlUri, isCa, pathLen, keyUsage ('ca'|'leaf'|Buffer of the BIT STRING DER),
 *         sgx (extension spec) | sgxExtensionDer, sgxExtensionCount, extraExtensions [], corrupt }
 */
export function buildCert(spec) {
  const exts = [];
  if (spec.aki) exts.push(ext(OID.aki, der.seq(der.ctx(0, spec.aki, false))));
  if (spec.crlUri) exts.push(ext(OID.crldp, crldp(spec.crlUri)));
  if (spec.ski) exts.push(ext(OID.ski, der.octet(spec.ski)));
  const ku = spec.keyUsage === 'ca' ? der.bitString(Buffer.from([0x06]), 1)
    : spec.keyUsage === 'leaf' ? der.bitString(Buffer.from([0xc0]), 6) : spec.keyUsage;
  if (ku) exts.push(ext(OID.ku, ku, true));
  if (spec.isCa !== null) {
    exts.push(ext(OID.bc, spec.isCa ? der.seq(der.bool(true), spec.pathLen === undefined || spec.pathLen === null ? Buffer.alloc(0) : der.int(spec.pathLen)) : der.seq(), true));
  }
  const sgxDer = spec.sgxExtensionDer ?? (spec.sgx ? sgxExtension(spec.sgx) : null);
  if (sgxDer) for (let i = 0; i < (spec.sgxExtensionCount ?? 1); i++) exts.push(ext(OID.sgx, sgxDer));
  for (const e of spec.extraExtensions || []) exts.push(e);
  const tbs = der.seq(
    der.ctx(0, der.int(2)),
    der.int(spec.serial),
    sigAlg(),
    spec.issuerName,
    der.seq(der.time(spec.notBefore), der.time(spec.notAfter)),
    spec.subjectName,
    spec.subjectKey.spki,
    exts.length ? der.ctx(3, der.seq(...exts)) : Buffer.alloc(0));
  let sig = signRaw(spec.signKey, tbs);
  if (spec.corrupt) sig = corruptRaw(sig);
  return der.seq(tbs, sigAlg(), der.bitString(rawToDer(sig)));
}

/**
 * Build and sign a v2 CRL like Intel's: CRL Number and AKI extensions, revoked entries with a
 * keyCompromise reason code.
 * spec: { issuerName, thisUpdate, nextUpdate, revoked: [{ serial (Buffer|bigint), date }], signKey,
 *         aki, crlNumber, corrupt, nextUpdateOmit }
 */
export function buildCrl(spec) {
  const entries = (spec.revoked || []).map((r) => der.seq(
    der.int(r.serial), der.time(r.date ?? spec.thisUpdate),
    der.seq(ext(OID.crlReason, der.enumerated(r.reason ?? 1)))));
  const exts = [ext(OID.crlNumber, der.int(spec.crlNumber ?? 1))];
  if (spec.aki) exts.push(ext(OID.aki, der.seq(der.ctx(0, spec.aki, false))));
  const tbs = der.seq(
    der.int(1),
    sigAlg(),
    spec.issuerName,
    der.time(spec.thisUpdate),
    spec.nextUpdateOmit ? Buffer.alloc(0) : der.time(spec.nextUpdate),
    entries.length ? der.seq(...entries) : Buffer.alloc(0),
    der.ctx(0, der.seq(...exts)));
  let sig = signRaw(spec.signKey, tbs);
  if (spec.corrupt) sig = corruptRaw(sig);
  return der.seq(tbs, sigAlg(), der.bitString(rawToDer(sig)));
}

// ---------------------------------------------------------------------------------------------
// TCB info and QE identity JSON

const SGX_COMP_META = [
  { category: 'BIOS', type: 'Early Microcode Update' }, { category: 'OS/VMM', type: 'SGX Late Microcode Update' },
  { category: 'OS/VMM', type: 'TXT SINIT' }, { category: 'BIOS' }, { category: 'BIOS' }, { category: 'BIOS' }, {},
  { category: 'OS/VMM', type: 'SEAMLDR ACM' },
];
const TDX_COMP_META = [
  { category: 'OS/VMM', type: 'TDX Module' }, { category: 'OS/VMM', type: 'TDX Module' },
  { category: 'OS/VMM', type: 'TDX Late Microcode Update' },
];
const comps = (svns, meta) => svns.map((svn, i) => ({ svn, ...(meta[i] || {}) }));

/**
 * A TCB Info level from a short spec { sgx: [16], pcesvn, tdx: [16], tcbDate, tcbStatus, advisoryIDs }
 * (a full Intel-shaped level, i.e. one with a `tcb` member, passes through unchanged).
 */
export function tcbLevel(l) {
  if (l.tcb) return l;
  const tcb = { sgxtcbcomponents: comps(l.sgx, SGX_COMP_META), pcesvn: l.pcesvn };
  if (l.tdx) tcb.tdxtcbcomponents = comps(l.tdx, TDX_COMP_META);
  const out = { tcb, tcbDate: l.tcbDate ?? '2024-03-13T00:00:00Z', tcbStatus: l.tcbStatus ?? 'UpToDate' };
  if (l.advisoryIDs && l.advisoryIDs.length) out.advisoryIDs = l.advisoryIDs;
  return out;
}
/** A module-identity or QE-identity level from { isvsvn, tcbDate, tcbStatus, advisoryIDs }. */
export function isvLevel(l) {
  if (l.tcb) return l;
  const out = { tcb: { isvsvn: l.isvsvn }, tcbDate: l.tcbDate ?? '2024-03-13T00:00:00Z', tcbStatus: l.tcbStatus ?? 'UpToDate' };
  if (l.advisoryIDs && l.advisoryIDs.length) out.advisoryIDs = l.advisoryIDs;
  return out;
}

/** The TCB Info object (key order as Intel serves it). `t` is the tcbInfo option block. */
function buildTcbInfo(t) {
  const o = {
    id: t.id, version: t.version, issueDate: iso(t.issueDate), nextUpdate: iso(t.nextUpdate),
    fmspc: hexU(bytes(t.fmspc)), pceId: hexU(bytes(t.pceId)), tcbType: t.tcbType,
    tcbEvaluationDataNumber: t.tcbEvaluationDataNumber,
  };
  if (t.tdxModule) {
    o.tdxModule = { mrsigner: hexU(bytes(t.tdxModule.mrsigner, 48)), attributes: hexU(bytes(t.tdxModule.attributes, 8)),
      attributesMask: hexU(bytes(t.tdxModule.attributesMask, 8)) };
  }
  if (t.tdxModuleIdentities) {
    o.tdxModuleIdentities = t.tdxModuleIdentities.map((m) => ({
      id: m.id, mrsigner: hexU(bytes(m.mrsigner, 48)), attributes: hexU(bytes(m.attributes, 8)),
      attributesMask: hexU(bytes(m.attributesMask, 8)), tcbLevels: m.tcbLevels.map(isvLevel) }));
  }
  o.tcbLevels = t.tcbLevels.map(tcbLevel);
  return o;
}

function buildQeIdentity(q) {
  return {
    id: q.id, version: q.version, issueDate: iso(q.issueDate), nextUpdate: iso(q.nextUpdate),
    tcbEvaluationDataNumber: q.tcbEvaluationDataNumber,
    miscselect: hexU(bytes(q.miscselect, 4)), miscselectMask: hexU(bytes(q.miscselectMask, 4)),
    attributes: hexU(bytes(q.attributes, 16)), attributesMask: hexU(bytes(q.attributesMask, 16)),
    mrsigner: hexU(bytes(q.mrsigner, 32)), isvprodid: q.isvprodid, tcbLevels: q.tcbLevels.map(isvLevel),
  };
}

// ---------------------------------------------------------------------------------------------
// quote pieces

/** TD report field layout (dcap.md 1.3): [name, size]. TD 1.5 appends tee_tcb_svn2 and mr_servicetd. */
export const TD_FIELDS = [
  ['teeTcbSvn', 16], ['mrSeam', 48], ['mrSignerSeam', 48], ['seamAttributes', 8], ['tdAttributes', 8],
  ['xfam', 8], ['mrTd', 48], ['mrConfigId', 48], ['mrOwner', 48], ['mrOwnerConfig', 48],
  ['rtmr0', 48], ['rtmr1', 48], ['rtmr2', 48], ['rtmr3', 48], ['reportData', 64],
];
export const TD15_FIELDS = [['teeTcbSvn2', 16], ['mrServiceTd', 48]];
export const BODY_SIZE = { 1: 384, 2: 584, 3: 648, 4: 885 };

/** Relative offsets of TD report fields. */
export const TD_OFFSETS = (() => {
  const o = {};
  let p = 0;
  for (const [n, s] of [...TD_FIELDS, ...TD15_FIELDS]) { o[n] = p; p += s; }
  return o;
})();

function buildTdReport(b, bodyType) {
  const fields = bodyType === 3 ? [...TD_FIELDS, ...TD15_FIELDS] : TD_FIELDS;
  return Buffer.concat(fields.map(([n, s]) => bytes(b[n], s)));
}

/** SGX enclave report (384 B), used for the QE report. */
export function buildEnclaveReport(r) {
  const out = Buffer.alloc(384);
  bytes(r.cpuSvn, 16).copy(out, 0);
  out.writeUInt32LE(r.miscSelect >>> 0, 16);
  bytes(r.isvExtProdId, 16).copy(out, 32);
  bytes(r.attributes, 16).copy(out, 48);
  bytes(r.mrEnclave, 32).copy(out, 64);
  bytes(r.mrSigner, 32).copy(out, 128);
  bytes(r.configId, 64).copy(out, 192);
  out.writeUInt16LE(r.isvProdId & 0xffff, 256);
  out.writeUInt16LE(r.isvSvn & 0xffff, 258);
  out.writeUInt16LE((r.configSvn ?? 0) & 0xffff, 260);
  bytes(r.isvFamilyId, 16).copy(out, 304);
  bytes(r.reportData, 64).copy(out, 320);
  return out;
}

// ---------------------------------------------------------------------------------------------
// defaults

const REAL_SGX_ADVISORIES = ['INTEL-SA-00106', 'INTEL-SA-00115', 'INTEL-SA-00135', 'INTEL-SA-00203',
  'INTEL-SA-00220', 'INTEL-SA-00233', 'INTEL-SA-00270', 'INTEL-SA-00293', 'INTEL-SA-00320', 'INTEL-SA-00329',
  'INTEL-SA-00381', 'INTEL-SA-00389', 'INTEL-SA-00477', 'INTEL-SA-00837'];

/** The default option tree (a function of seed and now). Every leaf is a knob. */
export function defaults(seed = 'cvm-verify-test', now = DEFAULT_NOW) {
  const db = (label, n) => detBytes(seed, label, n);
  const serial = (label) => db('serial/' + label, 20);
  const pckCompSvn = [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
  return {
    seed,
    now,
    // ---- certificates (dates in unix seconds; keys are labels for deriveKey(seed, label) or key objects)
    root: { cn: CN.root, key: 'root', signKey: null /* self */, serial: serial('root'),
      notBefore: 1526899510 /* 2018-05-21T10:45:10Z */, notAfter: 2524607999 /* 2049-12-31T23:59:59Z */,
      isCa: true, pathLen: 1, keyUsage: 'ca', crlUri: URL.rootCrl, corrupt: false },
    pckCa: { kind: 'platform', cn: null /* from kind */, key: null /* 'pck-<kind>-ca' */, signKey: 'root', serial: null,
      notBefore: 1526899810 /* 2018-05-21T10:50:10Z */, notAfter: 2000285410 /* 2033-05-21T10:50:10Z */,
      isCa: true, pathLen: 0, keyUsage: 'ca', crlUri: URL.rootCrl, corrupt: false },
    otherPckCa: { notBefore: 1526899810, notAfter: 2000285410 }, // the CA of the other kind (for "CRL of the wrong CA")
    leaf: { cn: CN.leaf, key: 'pck-leaf', signKey: null /* the PCK CA */, serial: serial('leaf'),
      notBefore: now - 200 * DAY, notAfter: now + 7 * 365 * DAY, isCa: false, keyUsage: 'leaf', crlUri: null /* from kind */,
      corrupt: false, sgxExtensionCount: 1, sgxExtensionDer: null,
      sgx: { ppid: db('ppid', 16), compSvn: pckCompSvn, pcesvn: 11, cpusvn: null /* = compSvn bytes */, pceId: '0000',
        fmspc: 'B0C06F000000', sgxType: 1, platformInstanceId: null /* platform kind: derived */,
        configuration: null /* platform kind: all true */, omit: [], extraEntries: [] } },
    tcbSigning: { cn: CN.tcbSigning, key: 'tcb-signing', signKey: 'root', serial: serial('tcb-signing'),
      notBefore: now - 100 * DAY, notAfter: now + 7 * 365 * DAY, isCa: false, keyUsage: 'leaf', crlUri: URL.rootCrl, corrupt: false },
    // ---- CRLs. revoked: cert names ('leaf', 'pckCa', 'tcbSigning', 'root', 'otherPckCa') or serial Buffers/bigints
    rootCrl: { thisUpdate: now - 150 * DAY, nextUpdate: now + 240 * DAY, revoked: [], signKey: 'root', issuerCn: null, issuerName: null /* DER */,
      crlNumber: 1, corrupt: false, nextUpdateOmit: false },
    pckCrl: { thisUpdate: now - 10 * DAY, nextUpdate: now + 20 * DAY, revoked: [], signKey: null /* the PCK CA */,
      issuerCn: null, issuerName: null /* DER */, crlNumber: 1, corrupt: false, nextUpdateOmit: false },
    // ---- TCB info (v3, TDX)
    tcbInfo: { id: 'TDX', version: 3, issueDate: now - 10 * DAY, nextUpdate: now + 20 * DAY, fmspc: null /* = leaf FMSPC */,
      pceId: null /* = leaf PCE-ID */, tcbType: 0, tcbEvaluationDataNumber: 17,
      tdxModule: { mrsigner: Buffer.alloc(48), attributes: Buffer.alloc(8), attributesMask: 'FFFFFFFFFFFFFFFF' },
      tdxModuleIdentities: [
        { id: 'TDX_03', mrsigner: Buffer.alloc(48), attributes: Buffer.alloc(8), attributesMask: 'FFFFFFFFFFFFFFFF',
          tcbLevels: [{ isvsvn: 3, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' }] },
        { id: 'TDX_01', mrsigner: Buffer.alloc(48), attributes: Buffer.alloc(8), attributesMask: 'FFFFFFFFFFFFFFFF',
          tcbLevels: [{ isvsvn: 4, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' },
            { isvsvn: 2, tcbDate: '2023-08-09T00:00:00Z', tcbStatus: 'OutOfDate' }] },
      ],
      tcbLevels: [
        { sgx: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pcesvn: 11, tdx: [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
          tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' },
        { sgx: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pcesvn: 5, tdx: [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
          tcbDate: '2018-01-04T00:00:00Z', tcbStatus: 'OutOfDate', advisoryIDs: REAL_SGX_ADVISORIES },
      ],
      signKey: 'tcbSigning', chain: ['tcbSigning', 'root'], corrupt: false,
      mutate: null /* (obj) => obj, before serialising */, text: null /* exact signed text override */,
      transformText: null /* (text) => text, before signing */, tamperText: null /* (text) => text, after signing */ },
    // ---- QE identity (v2, TD_QE)
    qeIdentity: { id: 'TD_QE', version: 2, issueDate: now - 10 * DAY + 984, nextUpdate: now + 20 * DAY + 984,
      tcbEvaluationDataNumber: 17, miscselect: '00000000', miscselectMask: 'FFFFFFFF',
      attributes: '11000000000000000000000000000000', attributesMask: 'FBFFFFFFFFFFFFFF0000000000000000',
      mrsigner: 'DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5', isvprodid: 2,
      tcbLevels: [{ isvsvn: 4, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' }],
      signKey: 'tcbSigning', chain: ['tcbSigning', 'root'], corrupt: false,
      mutate: null, text: null, transformText: null, tamperText: null },
    // ---- the quote
    quote: {
      version: 4, keyType: 2, teeType: 0x81, qeSvn: 0, pceSvn: 0, vendorId: INTEL_QE_VENDOR_ID,
      userData: Buffer.concat([db('qe-id', 16), Buffer.alloc(4)]),
      bodyType: null /* v5: 2 or 3 (default 2); v4: the body is TD 1.0 */, bodySize: null /* v5 descriptor value */,
      body: {
        teeTcbSvn: '06010300000000000000000000000000', mrSeam: db('mr-seam', 48), mrSignerSeam: Buffer.alloc(48),
        seamAttributes: Buffer.alloc(8), tdAttributes: '0000001000000000', xfam: 'e702060000000000',
        mrTd: db('mr-td', 48), mrConfigId: Buffer.alloc(48), mrOwner: Buffer.alloc(48), mrOwnerConfig: Buffer.alloc(48),
        rtmr0: db('rtmr0', 48), rtmr1: db('rtmr1', 48), rtmr2: db('rtmr2', 48), rtmr3: db('rtmr3', 48),
        reportData: Buffer.alloc(64), teeTcbSvn2: '06010300000000000000000000000000', mrServiceTd: Buffer.alloc(48),
      },
      bodyRaw: null /* Buffer: replaces the whole body */,
      qeReport: { cpuSvn: '0303191b04ff00060000000000000000', miscSelect: 0, isvExtProdId: Buffer.alloc(16),
        attributes: '1500000000000000e700000000000000',
        mrEnclave: 'e5a3a7b5d830c2953b98534c6c59a3a34fdc34e933f7f5898f0a85cf08846bca',
        mrSigner: 'dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5', configId: Buffer.alloc(64),
        isvProdId: 2, isvSvn: 6, configSvn: 0, isvFamilyId: Buffer.alloc(16),
        reportData: null /* default: sha256(attestation key || QE auth data) || 32 zero bytes */,
        bindKey: null /* raw 64-byte key to hash instead of the real attestation key */ },
      qeAuthData: Buffer.from([...Array(32).keys()]), // 00 01 .. 1f, like the real quote
      attestationKey: 'attestation', attestationKeyRaw: null /* 64 bytes written instead of the signing key */,
      signKey: null /* default = attestationKey */, qeReportSignKey: null /* default = the PCK leaf key */,
      chain: ['leaf', 'pckCa', 'root'] /* cert names or DER Buffers */, chainText: null /* exact bytes override */,
      chainTrailingNul: true /* real quotes end the PEM with a NUL byte */,
      certDataType: 6, innerCertType: 5,
      // length fields: null = the true value; a number is written as is (contents unchanged)
      sigDataLen: null, certDataSize: null, qeAuthSize: null, innerCertSize: null,
      trailing: Buffer.alloc(0), corrupt: false /* quote signature */, corruptQeReport: false,
    },
    collateral: { pckCertificateChain: null /* string: adds pck_certificate_chain */, mutate: null },
    mutateQuote: null, // (buf, layout) => buf, the very last step
  };
}

// ---------------------------------------------------------------------------------------------
// the world

function keyOf(seed, k, fallbackLabel) {
  if (!k) return deriveKey(seed, fallbackLabel);
  if (typeof k === 'string') return deriveKey(seed, k);
  return k; // a key object from deriveKey / keyFromScalar
}

/**
 * Forge a complete world. Returns
 * { opts, seed, now, keys, certs, crls, rootDer, rootDerHex, chainPem, tcbInfo, tcbInfoText, qeIdentity,
 *   qeIdentityText, quote (Buffer), quoteHex, layout, collateral (QuoteCollateralV3, hex byte fields),
 *   request(extra) }.
 */
export function forgeWorld(options = {}) {
  const o = merge(defaults(options.seed ?? 'cvm-verify-test', options.now ?? DEFAULT_NOW), options);
  const { seed, now } = o;
  const kind = o.pckCa.kind;
  const otherKind = kind === 'platform' ? 'processor' : 'platform';

  // keys
  const keys = {
    root: keyOf(seed, o.root.key, 'root'),
    pckCa: keyOf(seed, o.pckCa.key, `pck-${kind}-ca`),
    otherPckCa: deriveKey(seed, `pck-${otherKind}-ca`),
    leaf: keyOf(seed, o.leaf.key, 'pck-leaf'),
    tcbSigning: keyOf(seed, o.tcbSigning.key, 'tcb-signing'),
    attestation: keyOf(seed, o.quote.attestationKey, 'attestation'),
    rogue: deriveKey(seed, 'rogue'),
  };
  const named = (k, dflt) => {
    if (k === null || k === undefined) return dflt;
    if (typeof k === 'string') return keys[k] ?? deriveKey(seed, k);
    return k;
  };

  // names and identifiers
  const rootName = intelName(o.root.cn);
  const pckCaCn = o.pckCa.cn ?? CN[kind];
  const pckCaName = intelName(pckCaCn);
  const otherPckCaName = intelName(CN[otherKind]);
  const serials = {
    root: bytes(o.root.serial), tcbSigning: bytes(o.tcbSigning.serial), leaf: bytes(o.leaf.serial),
    pckCa: bytes(o.pckCa.serial ?? detBytes(seed, `serial/pck-${kind}-ca`, 20)),
    otherPckCa: detBytes(seed, `serial/pck-${otherKind}-ca`, 20),
  };
  const ski = {
    root: serials.root, pckCa: serials.pckCa, otherPckCa: serials.otherPckCa, tcbSigning: serials.tcbSigning,
    leaf: createHash('sha1').update(keys.leaf.raw).digest(),
  };

  // certificates
  const certs = {};
  const certSpec = (c, subjectName, issuerName, subjectKey, signKey, skiV, akiV, extra = {}) => ({
    serial: c.serial, issuerName, subjectName, notBefore: c.notBefore, notAfter: c.notAfter, subjectKey, signKey,
    ski: skiV, aki: akiV, crlUri: c.crlUri, isCa: c.isCa, pathLen: c.pathLen, keyUsage: c.keyUsage, corrupt: c.corrupt, ...extra });
  certs.root = buildCert(certSpec({ ...o.root, serial: serials.root }, rootName, rootName, keys.root,
    named(o.root.signKey, keys.root), ski.root, ski.root));
  certs.pckCa = buildCert(certSpec({ ...o.pckCa, serial: serials.pckCa }, pckCaName, rootName, keys.pckCa,
    named(o.pckCa.signKey, keys.root), ski.pckCa, ski.root));
  certs.otherPckCa = buildCert(certSpec({ ...o.pckCa, ...o.otherPckCa, serial: serials.otherPckCa, corrupt: false },
    otherPckCaName, rootName, keys.otherPckCa, keys.root, ski.otherPckCa, ski.root));
  const sgx = { ...o.leaf.sgx };
  if (kind === 'platform') {
    if (sgx.platformInstanceId === null) sgx.platformInstanceId = detBytes(seed, 'platform-instance-id', 16);
    if (sgx.configuration === null) sgx.configuration = { dynamicPlatform: true, cachedKeys: true, smtEnabled: true };
  }
  certs.leaf = buildCert(certSpec({ ...o.leaf, serial: serials.leaf, crlUri: o.leaf.crlUri ?? URL.pckCrl(kind) },
    intelName(o.leaf.cn), pckCaName, keys.leaf, named(o.leaf.signKey, keys.pckCa), ski.leaf, ski.pckCa,
    { sgx, sgxExtensionDer: o.leaf.sgxExtensionDer, sgxExtensionCount: o.leaf.sgxExtensionCount }));
  certs.tcbSigning = buildCert(certSpec({ ...o.tcbSigning, serial: serials.tcbSigning }, intelName(o.tcbSigning.cn),
    rootName, keys.tcbSigning, named(o.tcbSigning.signKey, keys.root), ski.tcbSigning, ski.root));

  // CRLs
  const revokedList = (list, date) => (list || []).map((r) => {
    if (typeof r === 'string') return { serial: serials[r] ?? (() => { throw new Error('unknown cert ' + r); })(), date };
    if (Buffer.isBuffer(r) || typeof r === 'bigint') return { serial: r, date };
    return r;
  });
  const crls = {};
  crls.root = buildCrl({ issuerName: o.rootCrl.issuerName ? bytes(o.rootCrl.issuerName) : o.rootCrl.issuerCn ? intelName(o.rootCrl.issuerCn) : rootName,
    thisUpdate: o.rootCrl.thisUpdate, nextUpdate: o.rootCrl.nextUpdate, revoked: revokedList(o.rootCrl.revoked, o.rootCrl.thisUpdate),
    signKey: named(o.rootCrl.signKey, keys.root), aki: ski.root, crlNumber: o.rootCrl.crlNumber, corrupt: o.rootCrl.corrupt,
    nextUpdateOmit: o.rootCrl.nextUpdateOmit });
  crls.pck = buildCrl({ issuerName: o.pckCrl.issuerName ? bytes(o.pckCrl.issuerName) : o.pckCrl.issuerCn ? intelName(o.pckCrl.issuerCn) : pckCaName,
    thisUpdate: o.pckCrl.thisUpdate, nextUpdate: o.pckCrl.nextUpdate, revoked: revokedList(o.pckCrl.revoked, o.pckCrl.thisUpdate),
    signKey: named(o.pckCrl.signKey, keys.pckCa), aki: ski.pckCa, crlNumber: o.pckCrl.crlNumber, corrupt: o.pckCrl.corrupt,
    nextUpdateOmit: o.pckCrl.nextUpdateOmit });
  // A correct CRL of the other PCK CA (same dates and revoked list), for "CRL of the wrong CA".
  crls.otherPck = buildCrl({ issuerName: otherPckCaName, thisUpdate: o.pckCrl.thisUpdate, nextUpdate: o.pckCrl.nextUpdate,
    revoked: revokedList(o.pckCrl.revoked, o.pckCrl.thisUpdate), signKey: keys.otherPckCa, aki: ski.otherPckCa });

  const chainPem = (list) => list.map((c) => der.pem(Buffer.isBuffer(c) ? c : certs[c])).join('');

  // TCB info
  const signJson = (t, text) => {
    const msg = Buffer.from(text, 'utf8');
    let sig = signRaw(named(t.signKey, keys.tcbSigning), msg);
    if (t.corrupt) sig = corruptRaw(sig);
    return sig;
  };
  const ti = { ...o.tcbInfo, fmspc: o.tcbInfo.fmspc ?? sgx.fmspc, pceId: o.tcbInfo.pceId ?? sgx.pceId };
  let tcbInfo = buildTcbInfo(ti);
  if (ti.mutate) tcbInfo = ti.mutate(tcbInfo) ?? tcbInfo;
  let tcbInfoText = ti.text ?? JSON.stringify(tcbInfo);
  if (ti.transformText) tcbInfoText = ti.transformText(tcbInfoText);
  const tcbInfoSig = signJson(ti, tcbInfoText);
  if (ti.tamperText) tcbInfoText = ti.tamperText(tcbInfoText);

  // QE identity
  const qi = o.qeIdentity;
  let qeIdentity = buildQeIdentity(qi);
  if (qi.mutate) qeIdentity = qi.mutate(qeIdentity) ?? qeIdentity;
  let qeIdentityText = qi.text ?? JSON.stringify(qeIdentity);
  if (qi.transformText) qeIdentityText = qi.transformText(qeIdentityText);
  const qeIdentitySig = signJson(qi, qeIdentityText);
  if (qi.tamperText) qeIdentityText = qi.tamperText(qeIdentityText);

  // the quote
  const q = o.quote;
  const version = q.version;
  const bodyType = q.bodyType ?? 2;
  const header = Buffer.concat([u16(version), u16(q.keyType), u32(q.teeType), u16(q.qeSvn), u16(q.pceSvn),
    bytes(q.vendorId, 16), bytes(q.userData, 20)]);
  const body = q.bodyRaw ? bytes(q.bodyRaw) : buildTdReport(q.body, version === 5 ? bodyType : 2);
  const desc = version === 5 ? Buffer.concat([u16(bodyType), u32(q.bodySize ?? body.length)]) : Buffer.alloc(0);
  const signed = Buffer.concat([header, desc, body]);
  const attKey = keys.attestation;
  const attRaw = q.attestationKeyRaw ? bytes(q.attestationKeyRaw, 64) : attKey.raw;
  let quoteSig = signRaw(named(q.signKey, attKey), signed);
  if (q.corrupt) quoteSig = corruptRaw(quoteSig);
  const qeAuth = bytes(q.qeAuthData);
  const qr = { ...q.qeReport };
  if (!qr.reportData) {
    qr.reportData = Buffer.concat([sha256(q.qeReport.bindKey ? bytes(q.qeReport.bindKey, 64) : attRaw, qeAuth), Buffer.alloc(32)]);
  }
  const qeReport = buildEnclaveReport(qr);
  let qeReportSig = signRaw(named(q.qeReportSignKey, keys.leaf), qeReport);
  if (q.corruptQeReport) qeReportSig = corruptRaw(qeReportSig);
  let chainBytes = q.chainText !== null && q.chainText !== undefined ? bytes(Buffer.from(q.chainText))
    : Buffer.from(chainPem(q.chain), 'latin1');
  if (q.chainText === null && q.chainTrailingNul) chainBytes = Buffer.concat([chainBytes, Buffer.from([0])]);
  const inner = Buffer.concat([u16(q.innerCertType), u32(q.innerCertSize ?? chainBytes.length), chainBytes]);
  const certData = Buffer.concat([qeReport, qeReportSig, u16(q.qeAuthSize ?? qeAuth.length), qeAuth, inner]);
  const sigData = Buffer.concat([quoteSig, attRaw, u16(q.certDataType), u32(q.certDataSize ?? certData.length), certData]);
  let quote = Buffer.concat([signed, u32(q.sigDataLen ?? sigData.length), sigData, bytes(q.trailing)]);

  const sigDataStart = signed.length + 4;
  const layout = {
    version, bodyType: version === 5 ? bodyType : 2,
    headerLen: 48, descOff: version === 5 ? 48 : null, bodyOff: header.length + desc.length, bodySize: body.length,
    signedLength: signed.length, sigDataLenOff: signed.length, sigDataStart, sigDataLen: sigData.length,
    quoteSigOff: sigDataStart, attKeyOff: sigDataStart + 64, certTypeOff: sigDataStart + 128,
    certSizeOff: sigDataStart + 130, qeReportOff: sigDataStart + 134, qeReportSigOff: sigDataStart + 518,
    qeAuthSizeOff: sigDataStart + 582, qeAuthOff: sigDataStart + 584, qeAuthLen: qeAuth.length,
    innerTypeOff: sigDataStart + 584 + qeAuth.length, innerSizeOff: sigDataStart + 586 + qeAuth.length,
    chainOff: sigDataStart + 590 + qeAuth.length, chainLen: chainBytes.length,
    end: sigDataStart + sigData.length, trailingLen: bytes(q.trailing).length,
  };
  layout.field = (name) => layout.bodyOff + TD_OFFSETS[name];
  if (o.mutateQuote) quote = o.mutateQuote(Buffer.from(quote), layout) ?? quote;

  // collateral (QuoteCollateralV3, hex byte fields)
  let collateral = {
    pck_crl_issuer_chain: chainPem(['pckCa', 'root']),
    root_ca_crl: crls.root.toString('hex'),
    pck_crl: crls.pck.toString('hex'),
    tcb_info_issuer_chain: chainPem(ti.chain),
    tcb_info: tcbInfoText,
    tcb_info_signature: tcbInfoSig.toString('hex'),
    qe_identity_issuer_chain: chainPem(qi.chain),
    qe_identity: qeIdentityText,
    qe_identity_signature: qeIdentitySig.toString('hex'),
  };
  if (o.collateral.pckCertificateChain) collateral.pck_certificate_chain = o.collateral.pckCertificateChain;
  if (o.collateral.mutate) collateral = o.collateral.mutate(collateral) ?? collateral;

  const world = {
    opts: o, seed, now, keys, certs, crls, serials,
    rootDer: certs.root, rootDerHex: certs.root.toString('hex'),
    chainPem, tcbInfo, tcbInfoText, tcbInfoSig, qeIdentity, qeIdentityText, qeIdentitySig,
    quote, quoteHex: quote.toString('hex'), layout, qeReport, collateral,
  };
  /** A verify request for the core (docs/core-api.md). extra.testRoot === false leaves out the test root. */
  world.request = (extra = {}) => {
    const { testRoot = true, evidence, ...rest } = extra;
    const req = { op: 'verify', evidence: evidence ?? world.quoteHex, collateral: world.collateral,
      collateral_source: 'supplied', now: world.now, ...rest };
    if (testRoot) req.unsafe_test_root_der_hex = typeof testRoot === 'string' ? testRoot : world.rootDerHex;
    return req;
  };
  return world;
}

// ---------------------------------------------------------------------------------------------
// dstack evidence

export const RUNTIME_EVENT_TYPE = 0x08000001;
/** V1 runtime-event digest: SHA-384(le32(0x08000001) || ":" || name || ":" || payload). */
export function runtimeDigest(name, payload) {
  return sha384(u32(RUNTIME_EVENT_TYPE), Buffer.from(':' + name + ':', 'utf8'), bytes(payload));
}
/** RTMR replay: start at 48 zero bytes, RTMR = SHA-384(RTMR || digest). */
export function replay(digests) {
  let m = Buffer.alloc(48);
  for (const d of digests) m = sha384(m, bytes(d));
  return m;
}

/** A default app-compose text (compact JSON, one service pinned by digest). */
export function defaultAppCompose(seed = 'cvm-verify-test') {
  const digest = detBytes(seed, 'image-digest', 32).toString('hex');
  const yaml = `services:\n  web:\n    image: nginx@sha256:${digest}\n    ports:\n      - "8080:80"\n`;
  return JSON.stringify({
    manifest_version: 2, name: 'forge-app', runner: 'docker-compose', docker_compose_file: yaml,
    kms_enabled: true, gateway_enabled: true, public_logs: true, public_sysinfo: true, public_tcbinfo: true,
    local_key_provider_enabled: false, key_provider_id: '', allowed_envs: [], no_instance_id: false, secure_time: true,
  });
}

/**
 * A consistent dstack 0.5.x evidence under a forged world: boot events replaying into RTMR0..2,
 * runtime events (V1 digests) replaying into RTMR3, an app-compose whose sha256 is the compose-hash
 * event, mr_config_id = 01 || compose hash || zeros, report_data = the nonce right-padded to 64 bytes.
 *
 * opts: { seed, now, nonce (hex or Buffer, <= 64 B), appCompose (text), appId (hex 20 B; default
 *   compose_hash[:20]), instanceId (hex 20 B or '' ), keyProvider ({name,id} object or exact text),
 *   osImageHash (hex 32 B), extraEvents ([{event, payload}] after system-ready), stripped (bool:
 *   GetQuote >= 0.5.6 shape), mrConfigId (override), embedTestRoot (bool: put unsafe_test_root_der_hex
 *   into the bundle and its attestation member), world: forgeWorld options merged in }
 * Returns { world, nonce, reportData, appCompose, composeHash, appId, instanceId, osImageHash, keyProvider,
 *   eventLog (array), rtmrs [4 Buffers], mrConfigId, getQuote, info, bundle, expect, request(extra) }.
 */
export function dstackEvidence(opts = {}) {
  const seed = opts.seed ?? 'cvm-verify-test';
  const now = opts.now ?? DEFAULT_NOW;
  const db = (label, n) => detBytes(seed, 'dstack/' + label, n);
  const nonce = opts.nonce === undefined ? db('nonce', 32) : bytes(opts.nonce);
  if (nonce.length > 64) throw new Error('nonce longer than 64 bytes');
  const reportData = bytes(nonce, 64);
  const appCompose = opts.appCompose ?? defaultAppCompose(seed);
  const composeHash = sha256(Buffer.from(appCompose, 'utf8'));
  const appId = opts.appId !== undefined ? bytes(opts.appId) : composeHash.subarray(0, 20);
  const instanceId = opts.instanceId !== undefined ? bytes(opts.instanceId)
    : sha256(db('instance-seed', 20), appId).subarray(0, 20);
  const osImageHash = opts.osImageHash !== undefined ? bytes(opts.osImageHash, 32) : db('os-image-hash', 32);
  const keyProviderText = typeof opts.keyProvider === 'string' ? opts.keyProvider
    : JSON.stringify(opts.keyProvider ?? { name: 'kms', id: deriveKey(seed, 'kms-root-ca').spki.toString('hex') });

  // boot events (RTMR0..2): Intel-shaped event types, payload-derived SHA-384 digests
  const bootSpec = [
    [0, 0x8000000b, 'TdxTable-hob'], [0, 0x8000000a, 'cfv'], [0, 0x80000001, 'SecureBoot'], [0, 0x80000001, 'PK'],
    [0, 0x80000001, 'KEK'], [0, 0x80000001, 'db'], [0, 0x80000001, 'dbx'], [0, 0x00000004, 'separator'],
    [0, 0x0000000a, 'acpi-loader'], [0, 0x0000000a, 'acpi-rsdp'], [0, 0x0000000a, 'acpi-tables'],
    [0, 0x80000002, 'BootOrder'], [0, 0x80000002, 'Boot0000'],
    [1, 0x80000003, 'kernel'], [1, 0x80000007, 'Calling EFI Application from Boot Option'],
    [1, 0x00000004, 'separator'], [1, 0x80000007, 'Exit Boot Services Invocation'],
    [1, 0x80000007, 'Exit Boot Services Returned with Success'],
    [2, 0x00000006, 'cmdline'], [2, 0x00000006, 'initrd'],
  ];
  const eventLog = [];
  for (const [imr, type, what] of bootSpec) {
    const payload = Buffer.concat([Buffer.from(what, 'utf8'), db(`boot/${imr}/${what}`, 8)]);
    eventLog.push({ imr, event_type: type, digest: sha384(payload).toString('hex'), event: '',
      event_payload: payload.toString('hex') });
  }
  const runtime = [
    ['system-preparing', Buffer.alloc(0)], ['app-id', appId], ['compose-hash', composeHash], ['instance-id', instanceId],
    ['boot-mr-done', Buffer.alloc(0)], ['os-image-hash', osImageHash], ['key-provider', Buffer.from(keyProviderText, 'utf8')],
    ['storage-fs', Buffer.from('ext4')], ['system-ready', Buffer.alloc(0)],
    ...(opts.extraEvents || []).map((e) => [e.event, bytes(e.payload)]),
  ];
  for (const [name, payload] of runtime) {
    eventLog.push({ imr: 3, event_type: RUNTIME_EVENT_TYPE, digest: runtimeDigest(name, payload).toString('hex'),
      event: name, event_payload: payload.toString('hex') });
  }
  const rtmrs = [0, 1, 2, 3].map((i) => replay(eventLog.filter((e) => e.imr === i).map((e) => e.digest)));
  const mrConfigId = opts.mrConfigId !== undefined ? bytes(opts.mrConfigId, 48)
    : Buffer.concat([Buffer.from([1]), composeHash, Buffer.alloc(15)]);

  const worldOpts = merge({ seed, now, quote: { body: { rtmr0: rtmrs[0], rtmr1: rtmrs[1], rtmr2: rtmrs[2], rtmr3: rtmrs[3],
    mrConfigId, reportData } } }, opts.world ?? {});
  const world = forgeWorld(worldOpts);
  const mrTd = bytes(world.opts.quote.body.mrTd, 48);

  const quotedLog = opts.stripped
    ? eventLog.map((e) => (e.event_type === RUNTIME_EVENT_TYPE ? { ...e, digest: '' } : { ...e, event_payload: '' }))
    : eventLog;
  const vmConfig = JSON.stringify({ spec_version: 1, os_image_hash: osImageHash.toString('hex'), cpu_count: 2,
    memory_size: 2147483648, qemu_version: '9.2.1', image: 'dstack-0.5.4' });
  const getQuote = { quote: world.quoteHex, event_log: JSON.stringify(quotedLog), report_data: reportData.toString('hex'),
    vm_config: vmConfig };
  // For mock CVMs in browser tests: test builds read the test root from the evidence (core-api.md).
  if (opts.embedTestRoot) getQuote.unsafe_test_root_der_hex = world.rootDerHex;
  const hex = (b) => Buffer.from(b).toString('hex');
  const keyProvider = (() => { try { return JSON.parse(keyProviderText); } catch { return null; } })();
  const tcbInfo = {
    mrtd: hex(mrTd), rtmr0: hex(rtmrs[0]), rtmr1: hex(rtmrs[1]), rtmr2: hex(rtmrs[2]), rtmr3: hex(rtmrs[3]),
    mr_aggregated: hex(sha256(mrTd, ...rtmrs, mrConfigId, Buffer.alloc(96))),
    os_image_hash: hex(osImageHash), compose_hash: hex(composeHash),
    device_id: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    event_log: eventLog, app_compose: appCompose,
  };
  const info = {
    app_id: hex(appId), instance_id: hex(instanceId), app_name: (() => { try { return JSON.parse(appCompose).name ?? ''; } catch { return ''; } })(),
    device_id: tcbInfo.device_id, mr_aggregated: tcbInfo.mr_aggregated, os_image_hash: hex(osImageHash),
    compose_hash: hex(composeHash), key_provider_info: keyProviderText, tcb_info: JSON.stringify(tcbInfo, null, 2),
    vm_config: vmConfig,
  };
  const bundle = { format: 'cvm-evidence/v1', source_url: 'https://forge.test.invalid', fetched_at: iso(now),
    nonce: hex(nonce), attestation: getQuote, info, collateral: world.collateral };
  if (opts.embedTestRoot) bundle.unsafe_test_root_der_hex = world.rootDerHex;
  const expect = { mrtd: hex(mrTd), rtmr: { 0: hex(rtmrs[0]), 1: hex(rtmrs[1]), 2: hex(rtmrs[2]), 3: hex(rtmrs[3]) },
    app_id: hex(appId), compose_hash: hex(composeHash), os_image_hash: hex(osImageHash) };
  const out = { world, nonce, reportData, appCompose, composeHash, appId, instanceId, osImageHash, keyProvider,
    keyProviderText, eventLog, quotedLog, rtmrs, mrTd, mrConfigId, getQuote, info, bundle, expect };
  /** A verify request over the whole bundle, with the nonce, report_data and measurement expectations. */
  out.request = (extra = {}) => {
    const { policy, ...rest } = extra;
    return world.request({ evidence: bundle, nonce: hex(nonce), report_data: hex(reportData),
      policy: merge({ tcb: 'strict', expect }, policy ?? {}), ...rest });
  };
  return out;
}
