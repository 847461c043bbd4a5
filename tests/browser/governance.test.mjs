// The page's on-chain governance section in headless Chromium: the decision for the dstack 0.6.0 capture's app
// against two agreeing mock endpoints (core via the native runner, js/chain.js against tests/mocks/rpc.mjs),
// rendered by web/governance.js into the real page (its CSS and CSP), then a screenshot in tests/output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startWebServer, openPage, shot, ROOT, OUTPUT_DIR } from './launch.mjs';
import { startMockRpc, BASE_KMS } from '../mocks/rpc.mjs';
import { askChain } from '../../js/chain.js';
import { NOW } from './fixtures.mjs';

const NATIVE = process.env.CVM_VERIFY_NATIVE || join(ROOT, 'build/native/cvm-verify-native');
const core = (/** @type {object} */ req) => JSON.parse(spawnSync(NATIVE, [], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 64 << 20 }).stdout);

/** @type {any} */ let browser;
/** @type {any} */ let server;
/** @type {any[]} */ const mocks = [];

before(async () => {
  browser = await launchBrowser();
  server = await startWebServer();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await Promise.all(mocks.map((m) => m.close()));
});

test('the governance section lists the block, the endpoints and each call', { skip: existsSync(NATIVE) ? false : 'needs make native' }, async () => {
  const { readFileSync } = await import('node:fs');
  const evidence = JSON.parse(readFileSync(join(ROOT, 'tests/vectors/dstack/dstack-lite_getquote.json'), 'utf8'));
  const report = core({ op: 'verify', now: NOW, evidence });
  const input = { report, chain: { chainId: 8453, kmsContract: BASE_KMS } };
  const plan = core({ op: 'governance', input }).needs.chain_calls;
  for (let i = 0; i < 2; i++) mocks.push(await startMockRpc({ requireTcbUpToDate: false, allowAnyDevice: true }));
  const answers = await askChain(plan, { rpcUrls: mocks.map((m) => m.url) });
  const out = core({ op: 'governance', input, chain_answers: answers });
  assert.equal(out.check.status, 'pass', out.check.message);
  const shown = { ...report, checks: [...report.checks, out.check], governance: out.governance };

  const { page, errors, csp } = await openPage(browser);
  await page.goto(`${server.url}/web/`);
  await page.evaluate(async (r) => {
    const { governanceSection } = await import('/web/governance.js');
    const el = governanceSection(r);
    el.open = true;
    document.querySelector('#details-body').append(el);
    document.querySelector('#details').hidden = false;
    el.scrollIntoView();
  }, shown);
  const sec = page.locator('#detail-governance');
  await sec.waitFor();
  const text = await sec.innerText();
  assert.match(text, /Base \(8453\)/);
  assert.match(text, new RegExp(String(out.governance.block_number)));
  for (const m of mocks) assert.ok(text.includes(m.url), m.url);
  assert.equal(await sec.locator('tr[data-purpose]').count(), plan.calls.length);
  assert.equal(await sec.locator('tr[data-purpose="app.allowedComposeHashes"]').getAttribute('data-status'), 'pass');
  assert.match(text, /unverified claim/);
  const path = await shot(page, 'governance-section', { fullPage: false });
  assert.ok(existsSync(path));
  await sec.screenshot({ path: join(OUTPUT_DIR, 'governance-section-whole.png'), animations: 'disabled' });
  assert.deepEqual(errors, []);
  assert.deepEqual(await csp(), []);
});
