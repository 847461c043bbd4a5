// os.image end to end (issue 14; docs/os-image.md): the real dstack 0.6.0 capture and the NEAR sample through
// the production WASM and the native build (identical reports), the vectors README's mutations, the needs loop
// with the shipped catalog, the API options and the CLI flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, NOW, VEC, vecJson, run, tempDir, CHECK_ORDER } from './helpers.mjs';
import { run as runWasm } from '../../js/wasm.js';
import { verifyEvidence } from '../../js/index.js';
import { OS_CATALOG } from '../../js/os-catalog.js';
import { base64ToBytes } from '../../js/util.js';

const NATIVE = join(ROOT, 'build/native/cvm-verify-native');
const HAVE_NATIVE = existsSync(NATIVE);
const IMAGE = 'e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db';
const EVENT_IMAGE = '07a2388c7a6a1b6a646d443f1517990a4ec294471d63146cda9d56972765051d';
const ENTRY = OS_CATALOG.images.find((e) => e.os_image_hash === IMAGE);
const CAPTURE = vecJson('dstack-lite_getquote.json');
const NEAR = vecJson('near-mpc_getquote.json');
const NEAR_COLLATERAL = vecJson('near-mpc_collateral.json');

/** @param {any} req */
function runNative(req) {
  const r = spawnSync(NATIVE, [], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(r.stdout);
}

/** The core's answer through WASM, asserted equal to the native build's. @param {any} req */
async function core(req) {
  const wasm = await runWasm(req);
  if (HAVE_NATIVE) assert.deepEqual(runNative(req), wasm, 'native and WASM reports differ');
  return wasm;
}

const osCheck = (/** @type {any} */ r) => r.checks.find((/** @type {any} */ c) => c.id === 'os.image');

/** The capture with its vm_config edited. @param {(vm: any) => void} edit */
function captureWith(edit) {
  const vm = JSON.parse(CAPTURE.vm_config);
  edit(vm);
  return { ...CAPTURE, vm_config: JSON.stringify(vm) };
}

/** The capture with its event log edited. @param {(log: any[]) => void} edit */
function captureLogWith(edit) {
  const log = JSON.parse(CAPTURE.event_log);
  edit(log);
  return { ...CAPTURE, event_log: JSON.stringify(log) };
}

/** base64 with one byte flipped. @param {string} b64 @param {number} at */
function flipB64(b64, at) {
  const b = base64ToBytes(b64);
  b[at] ^= 1;
  return Buffer.from(b).toString('base64');
}

test('capture: os.image verified from the inline manifest; event image hash shown separately', async () => {
  const r = await core({ op: 'verify', now: NOW, evidence: CAPTURE });
  assert.deepEqual(r.checks.map((/** @type {any} */ c) => c.id), CHECK_ORDER);
  const c = osCheck(r);
  // Verified which image booted, but the catalog does not call it a production release (dev: null).
  assert.equal(c.status, 'warn');
  assert.equal(c.code, 'OS_IMAGE_UNLISTED');
  assert.match(c.message, /verified from the inline manifest/);
  assert.equal(r.os.verified, true);
  assert.equal(r.os.source, 'inline');
  assert.equal(r.os.image_hash, IMAGE);
  assert.equal(r.os.claimed_image_hash, IMAGE);
  assert.equal(r.os.event_image_hash, EVENT_IMAGE);
  assert.equal(r.os.mrtd_candidate, 'two_pass');
  assert.equal(r.os.acpi_verified, false);
  assert.match(r.os.not_proven, /ACPI/);
  assert.deepEqual(r.os.registers.map((/** @type {any} */ g) => g.name), ['MRTD', 'RTMR0', 'RTMR1', 'RTMR2']);
  for (const g of r.os.registers) {
    assert.equal(g.match, true, g.name);
    assert.equal(g.expected, g.actual, g.name);
  }
  assert.equal(r.os.registers[0].actual, r.quote.mr_td);
  assert.equal(r.os.registers[1].actual, r.quote.rtmr0);
  assert.equal(r.vm_config.supplied_by, 'host');
  assert.equal(r.vm_config.fields.os_image_hash, IMAGE);
  assert.ok(r.vm_config.verified.includes('memory_size'));
  assert.ok(!r.vm_config.verified.includes('cpu_count'));
  assert.equal(r.needs, undefined, 'a manifest is at hand: nothing to ask for');
});

test('vm_config from every shape: GetQuote string, SDK object, Info in a bundle', async () => {
  const { vm_config: text, ...noVm } = CAPTURE;
  const shapes = {
    object: { ...CAPTURE, vm_config: JSON.parse(text) },
    bundleInfo: { format: 'cvm-evidence/v1', attestation: noVm, info: { vm_config: text } },
  };
  for (const [name, evidence] of Object.entries(shapes)) {
    const r = await core({ op: 'verify', now: NOW, evidence });
    assert.equal(r.os.verified, true, name);
    assert.equal(r.os.source, 'inline', name);
    assert.equal(r.os.image_hash, IMAGE, name);
    assert.equal(r.vm_config.fields.memory_size, 2147483648, name);
  }
  const none = await core({ op: 'verify', now: NOW, evidence: noVm });
  assert.equal(none.vm_config, null);
  assert.equal(osCheck(none).code, 'OS_IMAGE_UNVERIFIED');
});

test('capture: allowed by the caller passes; require_os_verified does not change a verified image', async () => {
  const r = await core({ op: 'verify', now: NOW, evidence: CAPTURE, policy: { allow_os_images: [IMAGE] } });
  assert.equal(osCheck(r).status, 'pass');
  assert.match(osCheck(r).message, /allowed by the caller/);
  const other = await core({ op: 'verify', now: NOW, evidence: CAPTURE, policy: { allow_os_images: ['00'.repeat(32)], require_os_verified: true } });
  assert.equal(osCheck(other).code, 'OS_IMAGE_UNLISTED');
});

test('capture mutations (tests/vectors/README.md) fail with the right code and sentence', async () => {
  /** @type {[string, any, string, RegExp][]} */
  const cases = [
    ['memory_size 2 GiB + 4 KiB', captureWith((vm) => { vm.memory_size = 2147483648 + 4096; }), 'OS_MANIFEST_INVALID', /memory_size 2147487744 is neither 2 GiB nor/],
    ['memory_size 4 GiB', captureWith((vm) => { vm.memory_size = 4294967296; }), 'OS_IMAGE_MISMATCH', /^RTMR0 differs: expected [0-9a-f]{96} .*actual f8438db3/],
    ['qemu_version 9.2.0', captureWith((vm) => { vm.qemu_version = '9.2.0'; }), 'OS_IMAGE_MISMATCH', /^MRTD differs: expected a6f2ac94/],
    ['one byte of the CBOR', captureWith((vm) => { vm.tdx_measurement.measurement = flipB64(vm.tdx_measurement.measurement, 40); }), 'OS_MANIFEST_INVALID', /measurement\.tdx\.cbor hashes to [0-9a-f]{64}, but its sha256sum\.txt lists/],
    ['one byte of checksum_file', captureWith((vm) => { vm.tdx_measurement.checksum_file = flipB64(vm.tdx_measurement.checksum_file, 3); }), 'OS_MANIFEST_INVALID', /sha256sum\.txt hashes to [0-9a-f]{64}, not to the os_image_hash e6f5cfec/],
    ['one byte of an ACPI digest', captureLogWith((log) => {
      const e = log.find((x) => x.event === 'acpi-rsdp');
      e.digest = (e.digest[0] === '0' ? '1' : '0') + e.digest.slice(1);
    }), 'OS_IMAGE_MISMATCH', /^RTMR0 differs/],
    ['vm_config not JSON', { ...CAPTURE, vm_config: '{"os_image_hash": ' }, 'OS_MANIFEST_INVALID', /vm_config is not a JSON object/],
  ];
  for (const [name, evidence, code, sentence] of cases) {
    const r = await core({ op: 'verify', now: NOW, evidence });
    const c = osCheck(r);
    assert.equal(c.status, 'fail', `${name}: ${c.message}`);
    assert.equal(c.code, code, `${name}: ${c.message}`);
    assert.match(c.message, sentence, name);
    assert.equal(c.enforced, true, name);
    assert.equal(r.os.verified, false, name);
  }
});

test('capture: a dev image fails unless allowed', async () => {
  const ev = captureWith((vm) => { vm.image = 'dstack-dev-0.6.0'; });
  const r = await core({ op: 'verify', now: NOW, evidence: ev });
  assert.equal(osCheck(r).code, 'OS_IMAGE_DEV');
  assert.equal(osCheck(r).status, 'fail');
  const ok = await core({ op: 'verify', now: NOW, evidence: ev, policy: { allow_os_images: [IMAGE] } });
  assert.equal(osCheck(ok).status, 'pass');
});

test('no inline manifest: the core asks for the catalog, and verifies the entry it is given', async () => {
  const ev = captureWith((vm) => { delete vm.tdx_measurement; });
  const first = await core({ op: 'verify', now: NOW, evidence: ev });
  assert.deepEqual(first.needs, { os_catalog: { os_image_hash: IMAGE } });
  assert.equal(osCheck(first).code, 'OS_IMAGE_UNVERIFIED');
  const second = await core({ op: 'verify', now: NOW, evidence: ev, os_catalog_entry: ENTRY });
  assert.equal(second.needs, undefined);
  assert.equal(second.os.source, 'catalog');
  assert.equal(second.os.verified, true);
  assert.equal(second.os.image_hash, IMAGE);
  assert.equal(second.os.name, 'dstack');
  assert.equal(second.os.version, '0.6.0');
  // An entry whose manifest is not the named image's is refused by hash, whatever the shim hands over.
  const wrong = { ...ENTRY, manifest: { ...ENTRY.manifest, checksum_file: flipB64(ENTRY.manifest.checksum_file, 3) } };
  const bad = await core({ op: 'verify', now: NOW, evidence: ev, os_catalog_entry: wrong });
  assert.equal(osCheck(bad).status, 'fail');
  assert.equal(osCheck(bad).code, 'OS_MANIFEST_INVALID');
});

test('API: the needs loop answers from the shipped catalog; osManifest and allowOsImages', async () => {
  const ev = captureWith((vm) => { delete vm.tdx_measurement; });
  const r = await verifyEvidence(ev, { now: NOW, collateral: NEAR_COLLATERAL });
  assert.equal(r.os?.source, 'catalog');
  assert.equal(r.os?.verified, true);
  const m = ENTRY.manifest;
  const s = await verifyEvidence(ev, { now: NOW, collateral: NEAR_COLLATERAL, osManifest: { checksumFile: base64ToBytes(m.checksum_file), measurement: m.measurement }, policy: { allowOsImages: [IMAGE] } });
  assert.equal(s.os?.source, 'supplied');
  assert.equal(osCheck(s).status, 'pass');
  await assert.rejects(verifyEvidence(ev, { now: NOW, collateral: NEAR_COLLATERAL, osManifest: { checksumFile: 'x' } }), { code: 'REQUEST_MALFORMED' });
  await assert.rejects(verifyEvidence(ev, { now: NOW, collateral: NEAR_COLLATERAL, policy: { allowOsImages: ['abc'] } }), { code: 'REQUEST_MALFORMED' });
});

test('core request: os_manifest and allow_os_images are validated', async () => {
  for (const extra of [
    { os_manifest: { checksum_file: ENTRY.manifest.checksum_file } },
    { os_manifest: { checksum_file: '!!', measurement: ENTRY.manifest.measurement } },
    { os_manifest: { checksum_file: ENTRY.manifest.checksum_file, measurement: ENTRY.manifest.measurement, extra: 1 } },
    { policy: { allow_os_images: ['zz'] } },
    { policy: { allow_os_images: 'e6' } },
    { policy: { require_os_verified: 'yes' } },
  ]) {
    const r = await core({ op: 'verify', now: NOW, evidence: CAPTURE, ...extra });
    assert.equal(r.error?.code, 'REQUEST_MALFORMED', JSON.stringify(extra));
  }
});

test('NEAR sample: no manifest warns OS_IMAGE_UNVERIFIED; pinned registers verify by expectation', async () => {
  const base = { op: 'verify', now: NOW, evidence: NEAR, collateral: NEAR_COLLATERAL };
  const r = await core(base);
  const c = osCheck(r);
  assert.equal(c.status, 'warn');
  assert.equal(c.code, 'OS_IMAGE_UNVERIFIED');
  assert.match(c.message, /compose hash is only as trustworthy as this unverified OS/);
  assert.equal(r.os.verified, false);
  assert.equal(r.os.source, 'none');
  assert.equal(r.vm_config, null);
  assert.equal(r.verdict, 'warn');
  const strict = await core({ ...base, policy: { require_os_verified: true } });
  assert.equal(osCheck(strict).status, 'fail');
  assert.equal(strict.verdict, 'fail');
  const q = r.quote;
  const pinned = await core({ ...base, policy: { expect: { mrtd: q.mr_td, rtmr: { 0: q.rtmr0, 1: q.rtmr1, 2: q.rtmr2 } } } });
  assert.equal(osCheck(pinned).status, 'pass');
  assert.match(osCheck(pinned).message, /verified by expectation/);
  assert.equal(pinned.os.source, 'expected');
  assert.equal(pinned.os.verified, true);
  const pm = pinned.checks.find((/** @type {any} */ x) => x.id === 'policy.measurements');
  assert.match(pm.message, /verified by expectation/);
  // Three of four pinned: not enough to name the OS.
  const three = await core({ ...base, policy: { expect: { mrtd: q.mr_td, rtmr: { 0: q.rtmr0, 1: q.rtmr1 } } } });
  assert.equal(osCheck(three).code, 'OS_IMAGE_UNVERIFIED');
  // A wrong pin is a mismatch naming the register.
  const wrong = await core({ ...base, policy: { expect: { mrtd: q.mr_td, rtmr: { 0: q.rtmr0, 1: q.rtmr1, 2: '00'.repeat(48) } } } });
  assert.equal(osCheck(wrong).code, 'OS_IMAGE_MISMATCH');
  assert.match(osCheck(wrong).message, /RTMR2/);
});

test('CLI: --os-manifest, --allow-os-image, --require-os-verified, --expect-*, and the OS line', async (t) => {
  const dir = tempDir(t);
  const mdir = join(dir, 'manifest');
  mkdirSync(mdir);
  writeFileSync(join(mdir, 'sha256sum.txt'), base64ToBytes(ENTRY.manifest.checksum_file));
  writeFileSync(join(mdir, 'measurement.tdx.cbor'), base64ToBytes(ENTRY.manifest.measurement));
  const ev = join(dir, 'capture-no-manifest.json');
  writeFileSync(ev, JSON.stringify(captureWith((vm) => { delete vm.tdx_measurement; })));
  const coll = join(VEC, 'near-mpc_collateral.json');
  const common = ['--now', String(NOW), '--collateral', coll];

  const sup = await run([ev, ...common, '--os-manifest', mdir, '--allow-os-image', IMAGE, '--json']);
  const rep = JSON.parse(sup.stdout);
  assert.equal(rep.os.source, 'supplied');
  assert.equal(osCheck(rep).status, 'pass');

  const text = await run([ev, ...common, '--os-manifest', mdir]);
  assert.match(text.stdout, /OS: +verified \[OS_IMAGE_UNLISTED\], image e6f5cfec20c02e7b…, source: supplied manifest/);

  const missing = await run([ev, ...common, '--os-manifest', join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /sha256sum\.txt/);

  const near = join(VEC, 'near-mpc_getquote.json');
  const unv = await run([near, ...common]);
  assert.equal(unv.code, 0);
  assert.match(unv.stdout, /os\.image +warn +OS_IMAGE_UNVERIFIED/);
  assert.match(unv.stdout, /OS: +unverified \[OS_IMAGE_UNVERIFIED\]/);
  const req = await run([near, ...common, '--require-os-verified']);
  assert.equal(req.code, 1);
  const q = JSON.parse((await run([near, ...common, '--json'])).stdout).quote;
  const pin = await run([near, ...common, '--expect-mrtd', q.mr_td, '--expect-rtmr', `0=${q.rtmr0}`, '--expect-rtmr', `1=${q.rtmr1}`, '--expect-rtmr', `2=${q.rtmr2}`]);
  assert.equal(pin.code, 0);
  assert.match(pin.stdout, /os\.image +pass +OK +MRTD and RTMR0\.\.2 equal the values the caller pinned/);
  assert.match(pin.stdout, /OS: +verified, image unknown, source: registers pinned by the caller/);
  const badHash = await run([near, ...common, '--allow-os-image', 'abcd']);
  assert.equal(badHash.code, 2);
  const help = await run(['--help']);
  for (const flag of ['--os-manifest DIR', '--allow-os-image HASH', '--require-os-verified']) assert.ok(help.stdout.includes(flag), flag);
});
