// The golden comparison (tests/golden/README.md): every request the test suites sent to the core before the
// issue-12 refactor gets, byte for byte, the response it got then, except for the documented intended changes
// (already folded into tests/golden/responses.jsonl.br by the commit that made them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { NATIVE, requests, goldenResponses, currentResponses } from '../golden/golden.mjs';

test('every golden request gets its golden response, byte-identical', (t) => {
  if (!existsSync(NATIVE)) return t.skip('needs build/native/cvm-verify-native (make native)');
  const reqs = requests();
  const want = goldenResponses();
  assert.equal(want.length, reqs.length);
  assert.ok(reqs.length > 200, 'the golden set holds every suite\'s requests');
  const got = currentResponses();
  assert.equal(got.length, want.length);
  const differ = [];
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differ.push(i);
  if (differ.length) {
    const i = differ[0];
    let at = 0;
    while (got[i][at] === want[i][at]) at++;
    assert.fail(`${differ.length} responses differ (first: request ${i}, at byte ${at}):\n` +
      `golden:  ...${want[i].slice(Math.max(0, at - 80), at + 120)}\ncurrent: ...${got[i].slice(Math.max(0, at - 80), at + 120)}`);
  }
});
