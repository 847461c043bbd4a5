// js/phala.js against the mock Phala Cloud API (tests/mocks/phala.mjs), which replays a reconstruction of the
// documented response built from real dstack data (tests/vectors/README.md, phala/). The live API was not
// reachable from the test machines.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import {
  DEFAULT_PHALA_API, asAppId, parsePhalaTarget, normalizePhalaApi, phalaAttestationsUrl, fetchPhalaAttestations,
} from '../../js/phala.js';
import { startMockPhala, PHALA_APP_ATTESTATIONS, PHALA_APP_ID } from '../mocks/phala.mjs';

const ID = '2911e1f733466216dedb862d6d669e11256ee7a3';

test('app targets: phala:<id>, Trust Center, dashboard and gateway URLs', () => {
  assert.equal(parsePhalaTarget(`phala:${ID}`), ID);
  assert.equal(parsePhalaTarget(`phala:0x${ID.toUpperCase()}`), ID);
  assert.equal(parsePhalaTarget(`https://trust.phala.com/app/${ID}`), ID);
  assert.equal(parsePhalaTarget(`https://cloud.phala.com/dashboard/apps/${ID}?tab=attestation`), ID);
  assert.equal(parsePhalaTarget(`https://${ID}-8090.dstack-prod5.phala.network/`), ID);
  assert.equal(parsePhalaTarget(`https://${ID}-443s.dstack-base-prod7.phala.com/path`), ID);
  // Not Phala Cloud app targets: the caller tries its other input kinds.
  assert.equal(parsePhalaTarget(`https://${ID}-8090.example.com/`), null);
  assert.equal(parsePhalaTarget('https://cloud.phala.com/dashboard/cvms/bf1b6f57-1470-4531-9ad9-22013366635b'), null);
  assert.equal(parsePhalaTarget(ID), null);
  assert.equal(parsePhalaTarget('evidence.json'), null);
  assert.equal(parsePhalaTarget(`ftp://trust.phala.com/app/${ID}`), null);
  // "phala:" with a bad id is a usage error, not "not a target".
  assert.throws(() => parsePhalaTarget('phala:1234'), (e) => e.code === 'REQUEST_MALFORMED' && /40 hex digits/.test(e.message));
  assert.throws(() => parsePhalaTarget(`phala:${ID}00`), (e) => e.code === 'REQUEST_MALFORMED');
  assert.equal(asAppId(` 0x${ID} `), ID);
  assert.equal(asAppId(`${ID}0`), null);
});

test('the request URL and the --phala-api base', () => {
  assert.equal(phalaAttestationsUrl(ID), `${DEFAULT_PHALA_API}/apps/${ID}/attestations`);
  assert.equal(DEFAULT_PHALA_API, 'https://cloud-api.phala.com/api/v1');
  assert.equal(phalaAttestationsUrl(`0x${ID}`, 'http://127.0.0.1:9/api/v1//'), `http://127.0.0.1:9/api/v1/apps/${ID}/attestations`);
  assert.equal(normalizePhalaApi('https://x.example/'), 'https://x.example');
  assert.throws(() => normalizePhalaApi('file:///etc'), (e) => e.code === 'REQUEST_MALFORMED');
  assert.throws(() => normalizePhalaApi('https://u:p@x.example/api'), (e) => e.code === 'REQUEST_MALFORMED');
  assert.throws(() => normalizePhalaApi('https://x.example/api?x=1'), (e) => e.code === 'REQUEST_MALFORMED');
  assert.throws(() => phalaAttestationsUrl('../../admin'), (e) => e.code === 'REQUEST_MALFORMED');
});

test('fetches the whole response from the mock API, untouched', async () => {
  const api = await startMockPhala();
  try {
    assert.equal(PHALA_APP_ID, ID);
    const r = await fetchPhalaAttestations(ID, { base: api.url });
    assert.deepEqual(r.evidence, JSON.parse(PHALA_APP_ATTESTATIONS));
    assert.equal(r.sourceUrl, `${api.url}/apps/${ID}/attestations`);
    assert.match(r.fetchedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(api.requests, [{ method: 'GET', path: `/api/v1/apps/${ID}/attestations` }]);
    // The documented shape, as the reconstruction carries it: two running instances and a stopped one.
    const inst = /** @type {any[]} */ (r.evidence.instances);
    assert.equal(inst.length, 3);
    assert.match(inst[0].quote, /^0x04000200/);
    assert.equal(inst[2].status, 'stopped');
    assert.equal(inst[2].quote, null);
    assert.equal(/** @type {any} */ (r.evidence.kms_info).chain_id, 8453);
  } finally {
    await api.close();
  }
});

test('failures are coded: unknown app, server error, not JSON, not an object, unreachable', async () => {
  const api = await startMockPhala();
  try {
    await assert.rejects(fetchPhalaAttestations('00'.repeat(20), { base: api.url }),
      (e) => e.code === 'FETCH_FAILED' && /HTTP 404/.test(e.message) && /App not found/.test(e.message));
  } finally {
    await api.close();
  }
  for (const [opts, code, re] of /** @type {const} */ ([
    [{ status: 500 }, 'FETCH_FAILED', /HTTP 500/],
    [{ body: '<html>maintenance</html>' }, 'EVIDENCE_MALFORMED', /not JSON/],
    [{ body: '[1,2,3]' }, 'EVIDENCE_MALFORMED', /not a JSON object/],
    [{ body: new Uint8Array([0x7b, 0xff, 0x7d]) }, 'EVIDENCE_MALFORMED', /not JSON/],
  ])) {
    const m = await startMockPhala(opts);
    try {
      await assert.rejects(fetchPhalaAttestations(ID, { base: m.url }), (e) => e.code === code && re.test(e.message));
    } finally {
      await m.close();
    }
  }
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (s.address()).port;
  await new Promise((r) => s.close(() => r(undefined)));
  await assert.rejects(fetchPhalaAttestations(ID, { base: `http://127.0.0.1:${port}/api/v1`, timeoutMs: 3000 }),
    (e) => e.code === 'FETCH_FAILED');
});
