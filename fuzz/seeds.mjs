// Writes the seed corpora of the fuzz harnesses from tests/vectors/ (fuzz/README.md).
//   node fuzz/seeds.mjs <corpus-root>      -> <corpus-root>/<harness>/seed-*
// Seeds are regenerated on every run (cheap, deterministic); what libFuzzer adds next to
// them stays in the corpus directory between runs. Nothing here is committed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VEC = join(ROOT, 'tests/vectors');
const out = process.argv[2] ?? join(ROOT, 'build/fuzz-corpus');

const bin = (/** @type {string} */ p) => readFileSync(join(VEC, p));
const text = (/** @type {string} */ p) => readFileSync(join(VEC, p), 'utf8');
const json = (/** @type {string} */ p) => JSON.parse(text(p));
const hex = (/** @type {Uint8Array} */ b) => Buffer.from(b).toString('hex');

/** @type {Record<string, Map<string, Buffer>>} */
const seeds = {};
/** @param {string} h @param {string} name @param {string | Uint8Array | object} data */
function add(h, name, data) {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8')
    : data instanceof Uint8Array ? Buffer.from(data) : Buffer.from(JSON.stringify(data), 'utf8');
  (seeds[h] ??= new Map()).set(name, buf);
}

/** PEM certificate blocks of a text -> DER buffers. @param {string} pem */
function pemBlocks(pem) {
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  const ders = [];
  for (let m; (m = re.exec(pem));) ders.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return ders;
}

// ---- the real data ----
const quotes = {
  tdx_v4: bin('dcap/tdx_quote'),
  sgx_v3: bin('dcap/sgx_quote'),
  tdx_v5: bin('dcap/tdx_quote_outdated'),
  synth_sgx: bin('intel-synthetic/quote.dat'),
  synth_tdx: bin('intel-synthetic/tdx/quote.dat'),
  near_mpc: Buffer.from(json('dstack/near-mpc_quote.json')),
};
const collaterals = {
  tdx_v4: json('dcap/tdx_quote_collateral.json'),
  sgx_v3: json('dcap/sgx_quote_collateral.json'),
  tdx_v5: json('dcap/tdx_quote_outdated_collateral.json'),
  near_mpc: json('dstack/near-mpc_collateral.json'),
};
const getquote = json('dstack/near-mpc_getquote.json');
const info = json('dstack/near-mpc_info.json');
const tcbInfo = json('dstack/near-mpc_tcb_info.json');
const tcbInfoB = json('dstack/near-mpc_tcb_info_b.json');
const tcbInfoC = json('dstack/near-mpc_tcb_info_c.json');
const appCompose = text('dstack/near-mpc_app_compose.json');
const cases = json('cases.json').cases;

// ---- quote ----
for (const [k, q] of Object.entries(quotes)) {
  add('quote', k, q);
  // The certification data alone matters too: a truncated prefix and no trailing bytes.
  add('quote', `${k}-prefix`, q.subarray(0, Math.min(q.length, 1020)));
}

// ---- x509: DER certificates and CRLs, PEM chains ----
add('x509', 'intel-root.der', bin('dcap/intel_sgx_root_ca.der'));
for (const f of ['intermediateCaCrl.der', 'rootCaCrl.der', 'tdx/intermediateCaCrl.der'])
  add('x509', f.replace('/', '-'), bin(`intel-synthetic/${f}`));
for (const f of ['pckCert.pem', 'pckSignChain.pem', 'tcbSignChain.pem', 'trustedRootCaCert.pem', 'rootCaCrl.pem',
  'intermediateCaCrl.pem', 'tdx/pckCert.pem', 'tdx/pckSignChain.pem']) {
  const pem = text(`intel-synthetic/${f}`);
  add('x509', f.replace('/', '-'), pem);
  pemBlocks(pem).forEach((d, i) => add('x509', `${f.replace('/', '-')}-${i}.der`, d));
}
for (const [k, c] of Object.entries(collaterals)) {
  add('x509', `${k}-root_ca_crl.der`, Buffer.from(c.root_ca_crl, 'hex'));
  add('x509', `${k}-pck_crl.der`, Buffer.from(c.pck_crl, 'hex'));
  for (const f of ['tcb_info_issuer_chain', 'qe_identity_issuer_chain', 'pck_crl_issuer_chain', 'pck_certificate_chain']) {
    if (typeof c[f] !== 'string') continue;
    add('x509', `${k}-${f}.pem`, c[f]);
    pemBlocks(c[f]).forEach((d, i) => add('x509', `${k}-${f}-${i}.der`, d));
  }
}
// PCK leaf certificates (with the Intel SGX extension) from the quotes' certification data.
for (const [k, q] of Object.entries(quotes)) {
  const s = q.toString('latin1');
  const a = s.indexOf('-----BEGIN CERTIFICATE-----');
  const b = s.lastIndexOf('-----END CERTIFICATE-----');
  if (a < 0 || b < 0) continue;
  const pem = s.slice(a, b + 25) + '\n';
  add('x509', `${k}-quote-chain.pem`, pem);
  pemBlocks(pem).forEach((d, i) => add('x509', `${k}-quote-chain-${i}.der`, d));
}

// ---- collateral ----
/** @param {string} h */
function hexToArray(h) { return [...Buffer.from(h, 'hex')]; }
for (const [k, c] of Object.entries(collaterals)) {
  add('collateral', `${k}.json`, c);
  add('collateral', `${k}-tcb_info.json`, c.tcb_info);
  add('collateral', `${k}-qe_identity.json`, c.qe_identity);
  // Byte fields as arrays of numbers, and Phala's {quote_collateral: ...} wrapper.
  add('collateral', `${k}-arrays.json`, { ...c, root_ca_crl: hexToArray(c.root_ca_crl), pck_crl: hexToArray(c.pck_crl),
    tcb_info_signature: hexToArray(c.tcb_info_signature), qe_identity_signature: hexToArray(c.qe_identity_signature) });
  add('collateral', `${k}-wrapped.json`, { quote_collateral: c });
}
for (const f of ['tcbInfo.json', 'qeIdentity.json', 'qveIdentity.json', 'tdx/qeIdentity.json'])
  add('collateral', f.replace('/', '-'), text(`intel-synthetic/${f}`));

// ---- eventlog ----
const log = tcbInfo.event_log;
add('eventlog', 'near-mpc-array.json', log);
add('eventlog', 'near-mpc-getquote-string.json', JSON.stringify(getquote.event_log));
add('eventlog', 'b.json', tcbInfoB.event_log);
add('eventlog', 'c.json', tcbInfoC.event_log);
add('eventlog', 'stripped.json', log.map((/** @type {any} */ e) => (e.imr === 3 ? { ...e, digest: '' } : e)));
add('eventlog', 'v2.json', log.map((/** @type {any} */ e) => (e.imr === 3 ? { ...e, version: 2 } : e)));
add('eventlog', 'v2-preimage.json', log.filter((/** @type {any} */ e) => e.imr === 3).map((/** @type {any} */ e) => ({
  ...e, version: 2,
  preimage: Buffer.from(`{"name":${JSON.stringify(e.event)},"payload":"${e.event_payload}","type":134217729}`).toString('hex'),
})));
add('eventlog', 'runtime-only.json', log.filter((/** @type {any} */ e) => e.imr === 3));

// ---- evidence ----
const quoteHex = getquote.quote;
add('evidence', 'getquote.json', getquote);
add('evidence', 'info.json', info);
add('evidence', 'tcb_info.json', tcbInfo);
add('evidence', 'tcb_info_b.json', tcbInfoB);
add('evidence', 'tcb_info_c.json', tcbInfoC);
add('evidence', 'quote-array.json', json('dstack/near-mpc_quote.json'));
add('evidence', 'quote-hex-string.json', JSON.stringify(quoteHex));
add('evidence', 'quote-hex-raw.txt', '0x' + quoteHex.slice(0, 2400));
add('evidence', 'getquote-in-string.json', JSON.stringify(JSON.stringify(getquote)));
add('evidence', 'getquote+info.json', { ...getquote, ...info });
add('evidence', 'quote+tcb_info.json', { quote: quoteHex, tcb_info: tcbInfo });
add('evidence', 'quote+log+compose.json', { quote: quoteHex, event_log: log, app_compose: appCompose });
add('evidence', 'tappd.json', { quote: quoteHex, event_log: getquote.event_log, hash_algorithm: 'sha512', prefix: 'app-data:' });
add('evidence', 'redpill.json', { intel_quote: quoteHex, event_log: getquote.event_log, vm_config: getquote.vm_config,
  info: { ...info } });
const bundle = { format: 'cvm-evidence/v1', source_url: 'https://example.invalid/attestation', fetched_at: '2026-08-29T00:00:00Z',
  nonce: '0001e4faaedae8199148eb0fe1cc9a52', attestation: getquote, info };
add('evidence', 'bundle.json', bundle);
add('evidence', 'attestation-v0.hex', hex(bin('dstack/dstack-guest-agent_attestation_v0.bin'))); // issue 16
add('evidence', 'attestation-v1.json', { attestation: hex(bin('dstack/attestation_v1_reconstructed.bin')) });
add('evidence', 'ratls.pem', text('dstack/ratls_forged_cert.pem'));
add('evidence', 'bundle+collateral.json', { ...bundle, collateral: collaterals.near_mpc });

// ---- compose (app-compose JSON and docker-compose YAML) ----
add('compose', 'near-mpc-app-compose.json', appCompose);
const dc = JSON.parse(appCompose).docker_compose_file;
add('compose', 'near-mpc-docker-compose.yaml', dc);
add('compose', 'anchors.yaml', `x-common: &common
  image: "nginx@sha256:${'a'.repeat(64)}"
  restart: always
services:
  web:
    <<: *common
    ports: ["80:80", '443:443']
  worker:
    <<: [*common]
    image: busybox:latest
    command: >
      sh -c 'echo hi'
  base: { image: 'alpine:\${TAG}', environment: { A: 1, B: "two" } }
  child:
    extends: base
    environment:
      - C=3
  literal:
    image: |
      redis@sha256:${'b'.repeat(64)}
# comment
`);
add('compose', 'flow.yaml', `{services: {a: {image: "x/y@sha256:${'c'.repeat(64)}"}, b: {build: .}}}\n`);
add('compose', 'app-compose-anchors.json', { ...JSON.parse(appCompose), docker_compose_file: `services:\n  s: &s\n    image: a@sha256:${'d'.repeat(64)}\n  t: *s\n` });

// Adversarial shapes: alias / merge-key amplification, extends cycles and long chains.
{
  const bomb = ["x0: &x0 {image: 'a:1', environment: [A, B]}"];
  for (let i = 1; i < 10; i++) bomb.push(`x${i}: &x${i}\n  <<: [${Array(8).fill(`*x${i - 1}`).join(', ')}]`);
  add('compose', 'merge-bomb.yaml', `${bomb.join('\n')}\nservices:\n  s: *x9\n  t:\n    <<: *x9\n`);
  add('compose', 'extends-cycle.yaml', 'services:\n  a:\n    extends: b\n  b:\n    extends: {service: c}\n  c:\n    extends:\n      service: a\n');
  let chain = 'services:\n';
  for (let i = 0; i < 40; i++) chain += `  s${i}:\n    extends: s${i + 1}\n`;
  add('compose', 'extends-chain.yaml', `${chain}  s40:\n    image: "z@sha256:${'e'.repeat(64)}"\n`);
}

// ---- yaml: the reader and the Compose rules (multiple documents, tags, volumes, include) ----
for (const [name, buf] of seeds.compose ?? []) if (name.endsWith('.yaml')) add('yaml', name, buf);
{
  const pin = `@sha256:${'f'.repeat(64)}`;
  add('yaml', 'multi-doc.yaml', `%YAML 1.1\n---\nservices:\n  a: &a\n    image: x${pin}\n...\n---\nservices:\n  a:\n    image: !reset null\n    build: .\n  b: !override\n    volumes:\n      - {type: image, source: "$R/y", target: /y}\n---\ninclude: [other.yaml]\nservices: {}\n`);
  add('yaml', 'extends-reset.yaml', `services:\n  base:\n    image: b${pin}\n    pull_policy: build\n  web:\n    extends: base\n    pull_policy: !reset\n    image: !!str 'w${pin}'\n`);
}

// ---- run_json: whole requests ----
/** @param {string} p */
function quoteOf(p) {
  if (p.endsWith('.json')) return hex(Buffer.from(json(p)));
  return hex(bin(p));
}
for (const c of cases) {
  if (!c.quote) continue;
  const evidence = c.getquote_response ? { ...json(c.getquote_response), ...(c.info_response ? { info: json(c.info_response) } : {}) }
    : quoteOf(c.quote);
  add('run_json', `${c.id}.json`, { op: 'verify', evidence, collateral: json(c.collateral), now: c.now,
    collateral_source: 'supplied', verifier: { version: 'fuzz', wasm_sha256: '0'.repeat(64) } });
  add('run_json', `${c.id}-inspect.json`, { op: 'inspect', evidence });
}
add('run_json', 'policy.json', { op: 'verify', evidence: getquote, collateral: collaterals.near_mpc, now: 1788000000,
  nonce: '0001e4fa', report_data: getquote.report_data,
  policy: { tcb: 'strict', allow_tcb: ['UpToDate', 'SWHardeningNeeded'], allow_debug: false, require_pinned_images: true,
    expect: { mrtd: tcbInfo.mrtd, rtmr: { 0: tcbInfo.rtmr0, 3: tcbInfo.rtmr3 }, app_id: info.app_id,
      compose_hash: tcbInfo.compose_hash, os_image_hash: tcbInfo.os_image_hash } }, recorded_sample: true });
add('run_json', 'bundle.json', { op: 'verify', evidence: { ...bundle, collateral: collaterals.near_mpc }, now: 1788000000 });
add('run_json', 'no-quote.json', { op: 'verify', evidence: tcbInfoB, now: 1788000000 });
// app.provenance (issue 20): a forged bound app pinning a real bundle's subject, with bundles, root and source.
{
  const { provenanceApp, DSSE_BUNDLE, SUBJECT } = await import('../tests/mocks/github.mjs');
  const app = provenanceApp();
  add('run_json', 'provenance.json', app.request({ provenance: [{ image_digest: SUBJECT, bundles: [JSON.stringify(DSSE_BUNDLE)] }],
    trusted_root: readFileSync(join(ROOT, 'data/sigstore/trusted_root.json'), 'utf8'),
    policy: { expect: { source: 'sigstore-conformance/extremely-dangerous-public-oidc-beacon@main' } } }));
}
// issue 16: dstack attestations, RA-TLS certificates, a Phala Cloud app response and KMS evidence.
add('run_json', 'attestation-v0.json', { op: 'verify', evidence: hex(bin('dstack/dstack-guest-agent_attestation_v0.bin')), collateral: collaterals.near_mpc, now: 1788000000 });
add('run_json', 'attestation-v1-stripped.json', { op: 'verify', evidence: { attestation: hex(bin('dstack/attestation_v1_stripped_reconstructed.bin')) }, now: 1788000000 });
add('run_json', 'ratls-pem.json', { op: 'verify', evidence: text('dstack/ratls_forged_cert.pem'), now: 1788000000 });
add('run_json', 'phala-app.json', { op: 'verify', evidence: json('phala/app_attestations_reconstructed.json'), collateral: collaterals.near_mpc, now: 1788000000 });
add('run_json', 'kms-evidence.json', { op: 'verify', evidence: json('dstack/dstack-lite_getquote.json'), kms_evidence: { attestation: hex(bin('dstack/dstack-guest-agent_attestation_v0.bin')) }, now: 1788000000 });
add('run_json', 'synthetic-test-root.json', { op: 'verify', evidence: hex(quotes.synth_tdx), now: 1700000000,
  unsafe_test_root_der_hex: hex(pemBlocks(text('intel-synthetic/trustedRootCaCert.pem'))[0]) });

// ---- jsonnum: numbers as cJSON hands them to strtod ----
for (const [i, n] of ['0', '-0', '1', '255', '1752919234', '134217729', '4294967295', '9007199254740993', '1e22', '1e23',
  '123456789012345678901234567890', '0.1', '3.14159', '1.7976931348623157e308', '1.8e308', '4.9e-324', '2.4e-324',
  '2.2250738585072014e-308', '1e-400', '1e999', '-1e-5', '0.000000000000000000000000000001234', '1e', '1e+', '-', '.5',
  '5.', '00012', '1.5e-320', '123e-22', '9999999999999999999e-22'].entries())
  add('jsonnum', `n${i}`, n);

// ---- sigstore (issue 20): the conformance suite's bundles and trusted roots, and the pinned root ----
{
  const dir = 'sigstore-conformance/bundle-verify';
  for (const c of ['happy-path-v0.1', 'happy-path-v0.3', 'happy-path-intoto-in-dsse-v3', 'intoto-with-custom-trust-root',
    'managed-key-happy-path', 'checkpoint-wrong-roothash_fail']) {
    add('sigstore', `${c}.json`, text(`${dir}/${c}/bundle.sigstore.json`));
  }
  add('sigstore', 'custom-root.json', text(`${dir}/intoto-with-custom-trust-root/trusted_root.json`));
  add('sigstore', 'production-root.json', readFileSync(join(ROOT, 'data/sigstore/trusted_root.json'), 'utf8'));
}

// ---- cache: the same whole requests (the cache harness runs each cached and uncached) ----
seeds.cache = new Map(seeds.run_json);

// ---- attestation: dstack versioned attestations (binary, hex, {"attestation": hex}) and RA-TLS certificates ----
for (const f of ['dstack-guest-agent_attestation_v0.bin', 'attestation_v1_reconstructed.bin',
  'attestation_v1_stripped_reconstructed.bin', 'ratls_forged_cert.der', 'ratls_forged_cert.pem']) {
  const b = bin(`dstack/${f}`);
  add('attestation', f, b);
  if (f.endsWith('.bin')) add('attestation', `${f}.json`, { attestation: hex(b) });
}

// ---- write ----
let total = 0;
for (const [h, m] of Object.entries(seeds)) {
  const dir = join(out, h);
  mkdirSync(dir, { recursive: true });
  for (const [name, buf] of m) {
    writeFileSync(join(dir, `seed-${name.replace(/[^A-Za-z0-9._+-]/g, '_')}`), buf);
    total++;
  }
}
console.log(`fuzz seeds: ${total} files in ${out} (${Object.entries(seeds).map(([h, m]) => `${h} ${m.size}`).join(', ')})`);
