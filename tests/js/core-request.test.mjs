// The core's own strictness through the WASM entry point (docs/core-api.md), for hosts that call it without
// the JS layer: a request key the core does not know is REQUEST_MALFORMED naming the key, at any level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../js/wasm.js';

const HASH = '00'.repeat(32);
const base = { op: 'verify', now: 1788000000, evidence: '00' };

test('WASM: a misspelt policy.expect key is REQUEST_MALFORMED naming it', async () => {
  const good = await run({ ...base, policy: { expect: { compose_hash: HASH } } });
  assert.equal(good.schema, 'cvm-verify/report/v1', 'the correctly spelt request gives a report');
  const bad = await run({ ...base, policy: { expect: { compose_hsh: HASH } } });
  assert.equal(bad.error?.code, 'REQUEST_MALFORMED');
  assert.match(bad.error.message, /policy\.expect\.compose_hsh/);
});

test('WASM: unknown keys at the top, in policy, in verifier and in inspect are rejected', async () => {
  for (const [req, key] of /** @type {[object, string][]} */ ([
    [{ ...base, polcy: {} }, 'polcy'],
    [{ ...base, policy: { allowDebug: true } }, 'policy.allowDebug'],
    [{ ...base, verifier: { version: '1', sha: '' } }, 'verifier.sha'],
    [{ op: 'inspect', evidence: '00', nonce: HASH }, 'nonce'],
  ])) {
    const res = await run(req);
    assert.equal(res.error?.code, 'REQUEST_MALFORMED', JSON.stringify(req));
    assert.ok(res.error.message.includes(key), `${res.error.message} names ${key}`);
  }
});
