// dstack's versioned attestation (V0 real, V1 reconstructed) and RA-TLS certificates (forged) as evidence, through
// the one recognition path in the core: from a file via the CLI and as values via the API (tests/vectors/README.md).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { verifyEvidence } from '../../js/index.js';
import { run, tempDir, join, VEC, NOW, check } from './helpers.mjs';

const COLLATERAL_FILE = join(VEC, 'near-mpc_collateral.json');
const COLLATERAL = JSON.parse(readFileSync(COLLATERAL_FILE, 'utf8'));
const V0 = readFileSync(join(VEC, 'dstack-guest-agent_attestation_v0.bin'));
const V1 = readFileSync(join(VEC, 'attestation_v1_reconstructed.bin'));
const V1S = readFileSync(join(VEC, 'attestation_v1_stripped_reconstructed.bin'));
const PEM = readFileSync(join(VEC, 'ratls_forged_cert.pem'), 'utf8');

test('CLI: the real V0 blob (binary file, .hex, {"attestation": hex}) verifies UpToDate with the near-mpc collateral', async (t) => {
  const dir = tempDir(t);
  const files = [join(VEC, 'dstack-guest-agent_attestation_v0.bin')];
  writeFileSync(join(dir, 'v0.hex'), V0.toString('hex'));
  files.push(join(dir, 'v0.hex'));
  writeFileSync(join(dir, 'attest.json'), JSON.stringify({ attestation: V0.toString('hex') }));
  files.push(join(dir, 'attest.json'));
  writeFileSync(join(dir, 'v0.dat'), V0); // no telling extension: recognised by content
  files.push(join(dir, 'v0.dat'));
  for (const f of files) {
    const r = await run([f, '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--json']);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    const rep = JSON.parse(r.stdout);
    // warn, not pass: the attestation's vm_config carries no OS manifest, so os.image warns (docs/os-image.md)
    assert.equal(rep.verdict, 'warn', f);
    assert.equal(check(rep, 'os.image').code, 'OS_IMAGE_UNVERIFIED');
    assert.equal(rep.tcb.status, 'UpToDate');
    assert.equal(rep.event_log.source, 'attestation.event_log');
    assert.equal(check(rep, 'eventlog.replay').status, 'pass');
  }
});

test('API: V0, V1 (full and stripped) as bytes and hex; the stripped log replays RTMR3 only and says so', async () => {
  for (const [blob, container, replay] of [[V0, 'dstack attestation V0', 'pass'], [V1, 'dstack attestation V1', 'pass'], [V1S, 'dstack attestation V1', 'warn']]) {
    for (const ev of [new Uint8Array(blob), blob.toString('hex'), { attestation: blob.toString('hex') }]) {
      const rep = await verifyEvidence(ev, { collateral: COLLATERAL, now: NOW });
      assert.equal(rep.event_log.source, 'attestation.event_log', container);
      assert.equal(rep.quote.rtmr3, rep.event_log.rtmr[3].replayed);
      assert.equal(rep.tcb.status, 'UpToDate');
      const c = check(rep, 'eventlog.replay');
      assert.equal(c.status, replay);
      if (replay === 'warn') {
        assert.equal(c.code, 'EVENT_LOG_STRIPPED');
        assert.match(c.message, /RTMR0\.\.2 .*OS-image check/);
        assert.equal(rep.event_log.stripped, true);
        assert.deepEqual(rep.event_log.rtmr.map((/** @type {any} */ x) => x.match), [null, null, null, true]);
        assert.equal(rep.verdict, 'warn');
      } else {
        assert.equal(rep.verdict, 'warn'); // the OS image is unverified (no manifest)
        assert.equal(check(rep, 'os.image').code, 'OS_IMAGE_UNVERIFIED');
      }
    }
  }
});

test('the forged RA-TLS certificate: PEM text, PEM file, DER file — the quote verifies, the key binding fails', async (t) => {
  const rep = await verifyEvidence(PEM, { collateral: COLLATERAL, now: NOW });
  assert.equal(rep.event_log.source, 'attestation.event_log');
  assert.match(check(rep, 'report_data.binding').message, /RA-TLS certificate/);
  assert.equal(check(rep, 'hardware.signature').status, 'pass');
  const b = check(rep, 'report_data.binding');
  assert.equal(b.status, 'fail');
  assert.equal(b.code, 'REPORT_DATA_MISMATCH');
  assert.ok(b.message.includes(readFileSync(join(VEC, 'ratls_forged_cert.report_data.hex'), 'utf8').trim().slice(0, 32)));
  assert.equal(rep.verdict, 'fail');
  for (const f of ['ratls_forged_cert.pem', 'ratls_forged_cert.der']) {
    const r = await run([join(VEC, f), '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(check(JSON.parse(r.stdout), 'report_data.binding').code, 'REPORT_DATA_MISMATCH');
  }
  const dir = tempDir(t);
  const pemTxt = join(dir, 'cert.txt');
  writeFileSync(pemTxt, PEM);
  const r = await run([pemTxt, '--collateral', COLLATERAL_FILE, '--now', String(NOW), '--json']);
  assert.equal(r.code, 1, r.stderr);
});

test('malformed blobs: exit 2 and a code', async (t) => {
  const dir = tempDir(t);
  const cases = [
    ['trunc.bin', V0.subarray(0, 100), 'EVIDENCE_MALFORMED'],
    ['trunc-v1.bin', V1.subarray(0, 200), 'EVIDENCE_MALFORMED'],
    ['bad.pem', Buffer.from('-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n'), null],
    ['attest.json', Buffer.from(JSON.stringify({ attestation: '04' + '00'.repeat(10) })), 'EVIDENCE_MALFORMED'],
  ];
  for (const [name, bytes, code] of cases) {
    const f = join(dir, String(name));
    writeFileSync(f, /** @type {Buffer} */ (bytes));
    const r = await run([f, '--collateral', COLLATERAL_FILE, '--now', String(NOW)]);
    assert.equal(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, new RegExp(String(code ?? 'EVIDENCE_MALFORMED')));
  }
});
