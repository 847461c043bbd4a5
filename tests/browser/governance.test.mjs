// The page's on-chain governance section in headless Chromium: the decision for the dstack 0.6.0 capture's app
// against two agreeing mock endpoints (core via the native runner, js/chain.js against tests/mocks/rpc.mjs),
// rendered by web/governance.js into the real page (its CSS and CSP), then a screenshot in tests/output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dstackEvidence } from '../pki/forge.mjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startWebServer, openPage, shot, ROOT, OUTPUT_DIR } from './launch.mjs';
import { startMockRpc, BASE_KMS } from '../mocks/rpc.mjs';
import { askChain } from '../../js/chain.js';
import { NOW } from './fixtures.mjs';
import { siteRoot, hostPage, HOST_CSS, startForgedCvm, forgedCollateral, TEST_WASM } from './badge-fixtures.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';
import { startServer } from '../../scripts/serve.mjs';

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

test('the page end to end: governance settings, the verify flow asks the mock chain, the details section', async () => {
  const { readFileSync } = await import('node:fs');
  const { toBundle } = await import('../../js/input.js');
  const capture = JSON.parse(readFileSync(join(ROOT, 'tests/vectors/dstack/dstack-lite_getquote.json'), 'utf8'));
  // The near/mpc collateral (another FMSPC) rides in the bundle so that nothing is fetched: hardware.signature
  // then fails, the PPID and TCB stay unverified, and the mock chain allows any device and any TCB.
  const collateral = JSON.parse(readFileSync(join(ROOT, 'tests/vectors/dstack/near-mpc_collateral.json'), 'utf8'));
  const bundle = toBundle(capture, { collateral });
  const eps = [];
  for (let i = 0; i < 2; i++) eps.push(await startMockRpc({ requireTcbUpToDate: false, allowAnyDevice: true }));
  mocks.push(...eps);
  const settings = {
    pccsUrl: 'https://pccs.phala.network', tcbPolicy: 'default', expectComposeHash: '', now: NOW,
    governance: 'auto', chainId: '8453', kmsContract: BASE_KMS, chainRpcUrls: eps.map((m) => m.url + '/'),
  };
  const { page, errors, csp, requests } = await openPage(browser, { settings });
  await page.goto(`${server.url}/web/`);
  // The settings show what was stored.
  await page.click('#settings-toggle');
  assert.equal(await page.inputValue('#set-chain-id'), '8453');
  assert.equal(await page.inputValue('#set-kms-contract'), BASE_KMS.toLowerCase());
  assert.equal(await page.inputValue('#set-gov-mode'), 'auto');
  assert.match(await page.inputValue('#set-chain-rpc'), new RegExp(eps[0].url.replace(/[.:/]/g, '\\$&')));
  await page.locator('.gov-settings').scrollIntoViewIfNeeded();
  await page.locator('.gov-settings').screenshot({ path: join(OUTPUT_DIR, 'governance-settings.png'), animations: 'disabled' });
  await page.click('#settings-toggle');
  await page.click('#tab-evidence');
  await page.fill('[data-role="evidence-input"]', JSON.stringify(bundle));
  await page.click('[data-role="evidence-verify"]');
  const verdictEl = page.locator('[data-verdict]:not([data-verdict="running"])').first();
  await verdictEl.waitFor({ timeout: 30000 });
  const verdict = await verdictEl.getAttribute('data-verdict');
  assert.equal(verdict, 'fail'); // hardware.signature: the collateral is another platform's
  // Both endpoints were asked by the page itself, for one pinned block.
  for (const m of eps) assert.ok(m.requests.some((r) => r && r.method === 'eth_call' && r.params[1] === '0x1c9c37d'));
  assert.ok(requests.some((u) => u.startsWith(eps[0].url)));
  const row = page.locator('tr[data-check-id="governance.onchain"]');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'pass');
  const sec = page.locator('#detail-governance');
  await sec.waitFor({ state: 'attached' });
  await sec.evaluate((el) => { /** @type {any} */ (el).open = true; el.scrollIntoView(); });
  const text = await sec.innerText();
  assert.match(text, /Base \(8453\)/);
  assert.match(text, /29999997/);
  assert.equal(await sec.locator('tr[data-purpose]').count(), 8);
  assert.equal(await sec.locator('tr[data-purpose="kms.allowedOsImages"]').getAttribute('data-status'), 'pass');
  await shot(page, 'governance-page', { fullPage: false });
  await sec.screenshot({ path: join(OUTPUT_DIR, 'governance-page-section.png'), animations: 'disabled' });
  assert.deepEqual(errors, []);
  assert.deepEqual(await csp(), []);
});

test('the badge honours governance and its chain attributes, and shows the state in its popover', { skip: existsSync(TEST_WASM) ? false : 'needs make wasm-test' }, async () => {
  const T0 = Math.floor(Date.now() / 1000);
  const site = siteRoot({ testWasm: true });
  // The forged CVM ships no OS manifest: pin its four registers so that `off` can reach verified (os.image).
  const pins = dstackEvidence({ now: T0 }).expect;
  const osPins = `expect-mrtd="${pins.mrtd}" expect-rtmr0="${pins.rtmr[0]}" expect-rtmr1="${pins.rtmr[1]}" expect-rtmr2="${pins.rtmr[2]}"`;
  site.file('badge-host.css', HOST_CSS);
  const [web, forged, pccs, rpc] = await Promise.all([
    startServer({ port: 0, host: '127.0.0.1', root: site.dir }),
    startForgedCvm({ now: T0 }),
    startMockPccs({ collateral: forgedCollateral({ now: T0 }) }),
    startMockRpc({}),
  ]);
  mocks.push(rpc);
  const { context, page, errors, csp } = await openPage(browser);
  await context.addInitScript(() => {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      const root = attach.call(this, init);
      Object.defineProperty(this, '__testShadow', { value: root });
      return root;
    };
  });
  const popover = (/** @type {string} */ sel) => page.evaluate((s) => /** @type {any} */ (document.querySelector(s)).__testShadow.querySelector('.pop').textContent, sel);
  const state = async (/** @type {string} */ sel) => {
    await page.waitForFunction((s) => ['verified', 'warning', 'failed', 'unavailable'].includes(document.querySelector(s)?.getAttribute('state') ?? ''), sel, { timeout: 30000 });
    return page.getAttribute(sel, 'state');
  };
  try {
    // The forged app's key provider is a KMS. require without a chain: failed (could not be judged); off: verified;
    // a chain whose endpoint has no contract at the forged app id: failed with CONTRACT_MISSING at the block.
    const path = site.page('t-governance.html', hostPage(`<h1>Governance</h1>
<div class="row"><cvm-verify-badge id="req" url="${forged.url}" pccs="${pccs.url}" governance="require"></cvm-verify-badge></div>
<div class="row"><cvm-verify-badge id="off" url="${forged.url}" pccs="${pccs.url}" governance="off" ${osPins}></cvm-verify-badge></div>
<div class="row"><cvm-verify-badge id="chain" url="${forged.url}" pccs="${pccs.url}" chain-id="8453" kms-contract="${BASE_KMS}" chain-rpc="${rpc.url}"></cvm-verify-badge></div>
<script type="module" src="badge.js"></script>`));
    await page.goto(web.url + path);
    assert.equal(await state('#req'), 'failed');
    assert.equal(await state('#off'), 'verified');
    assert.equal(await state('#chain'), 'failed');
    await page.click('#req');
    const req = await popover('#req');
    assert.match(req, /On-chain governance · CHAIN_INFO_MISSING/);
    assert.match(req, /On-chain governancecould not be judged \(CHAIN_INFO_MISSING\)/);
    await shot(page, 'governance-badge-require', { fullPage: false });
    await page.mouse.click(600, 600);
    assert.doesNotMatch(await popover('#off'), /On-chain governance/);
    assert.match(await popover('#chain'), /On-chain governancenot allowed \(CONTRACT_MISSING\) at block 29999997/);
    assert.ok(rpc.requests.some((r) => r && r.method === 'eth_call'), 'the badge asked the chain endpoint');
    assert.deepEqual(await csp(), []);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
  } finally {
    await context.close();
    await Promise.all([web, forged, pccs].map((s) => s.close()));
    site.cleanup();
  }
});
