// js/os-catalog.js (issue 14): every entry is well-formed, names its source, and every shipped
// manifest authenticates itself by its key (sha256 of sha256sum.txt) and lists its CBOR's hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { OS_CATALOG } from '../../js/os-catalog.js';

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

test('the OS catalog: well-formed entries with sources', () => {
  assert.equal(OS_CATALOG.format, 'cvm-verify/os-catalog/v1');
  assert.ok(OS_CATALOG.images.length >= 1);
  const seen = new Set();
  for (const e of OS_CATALOG.images) {
    assert.match(e.os_image_hash, /^[0-9a-f]{64}$/);
    assert.ok(!seen.has(e.os_image_hash), `duplicate ${e.os_image_hash}`);
    seen.add(e.os_image_hash);
    assert.ok([true, false, null].includes(e.dev), 'dev is true, false or null');
    assert.equal(typeof e.name, 'string');
    assert.equal(typeof e.version, 'string');
    assert.ok(typeof e.source === 'string' && e.source.length > 20, 'every entry names its source');
  }
});

test('the OS catalog: every manifest authenticates by its key', () => {
  for (const e of OS_CATALOG.images.filter((x) => x.manifest)) {
    const sums = Buffer.from(e.manifest.checksum_file, 'base64');
    const cbor = Buffer.from(e.manifest.measurement, 'base64');
    assert.equal(sha256(sums), e.os_image_hash);
    const line = sums.toString('ascii').split('\n').map((l) => l.trim().split(/\s+/))
      .find((t) => t[1] === 'measurement.tdx.cbor');
    assert.ok(line, 'sha256sum.txt lists measurement.tdx.cbor');
    assert.equal(line[0].toLowerCase(), sha256(cbor));
  }
});
