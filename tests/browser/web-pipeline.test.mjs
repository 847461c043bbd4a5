// The page as one pipeline (issues 12.5, 13.4, 13.5, 18.4-6): it renders the API's steps and the core's report,
// says "not fresh" when freshness did not pass, moves focus to the verdict on a phone, tells an unreachable host
// from a CORS block, reads what the API reads (two pasted answers, files it recognises), and shows the compose
// text the core hashed. Every server on 127.0.0.1; screenshots in tests/output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ROOT, launchBrowser, startWebServer, openPage, shot, waitVerdict, offline } from './launch.mjs';
import { NOW, nearMpcBundle } from './fixtures.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';

let browser;
let web;

before(async () => {
  [browser, web] = await Promise.all([launchBrowser(), startWebServer()]);
});

after(async () => {
  await browser?.close();
  await web?.close();
});

const SETTINGS = { pccsUrl: 'https://pccs.phala.network', tcbPolicy: 'default', expectComposeHash: '', now: NOW };
const vec = (p) => readFileSync(join(ROOT, 'tests/vectors/dstack', p), 'utf8');

async function paste(page, text) {
  await page.click('#tab-evidence');
  await page.fill('[data-role="evidence-input"]', text);
  await page.click('[data-role="evidence-verify"]');
  return waitVerdict(page);
}

/** A port with nothing listening on 127.0.0.1. */
async function deadPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

test('phone (375x800): the verdict gets focus and is in view when it lands', async () => {
  const { context, page } = await openPage(browser, { viewport: { width: 375, height: 800 }, settings: { ...SETTINGS, now: undefined } });
  await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    await page.click('[data-role="sample"]');
    await waitVerdict(page);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'verdict', 'focus is on the verdict');
    // Its accessible name is the verdict line, so a screen reader announces it on focus.
    assert.equal(await page.evaluate(() => document.getElementById('verdict').getAttribute('aria-labelledby')), 'verdict-kicker verdict-title');
    await page.waitForFunction(() => { const r = document.getElementById('verdict').getBoundingClientRect(); return r.top >= -2 && r.top < window.innerHeight - 100; });
    await shot(page, 'phone-sample-verdict', { fullPage: false });
  } finally {
    await context.close();
  }
});

test('pasted evidence without a nonce: "Verified, but not fresh", never a plain green pass', async () => {
  const { context, page, errors } = await openPage(browser, { settings: SETTINGS });
  await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    const verdict = await paste(page, JSON.stringify(nearMpcBundle()));
    assert.ok(verdict === 'pass' || verdict === 'warn', verdict);
    assert.equal(await page.locator('#verdict').getAttribute('data-fresh'), 'false');
    assert.match(await page.locator('#verdict-title').innerText(), /but not fresh/);
    assert.match(await page.locator('#verdict-summary').innerText(), /Not fresh: .*replayed/);
    assert.equal(await page.locator('[data-check-id="freshness.nonce"]').getAttribute('data-status'), 'skip');
    // The title is not drawn in the pass colour.
    const colour = await page.evaluate(() => getComputedStyle(document.getElementById('verdict-title')).color);
    const passColour = await page.evaluate(() => { const p = document.createElement('span'); p.style.color = 'var(--pass)'; document.body.append(p); const c = getComputedStyle(p).color; p.remove(); return c; });
    assert.notEqual(colour, passColour);
    await shot(page, 'pasted-without-nonce');
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('two JSON answers pasted one after the other (the page\'s curl output) are verified', async () => {
  const pccs = await startMockPccs({});
  const { context, page } = await openPage(browser, { settings: { ...SETTINGS, pccsUrl: pccs.url } });
  await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    const text = vec('near-mpc_getquote.json').trim() + '\n' + vec('near-mpc_info.json').trim() + '\n';
    const verdict = await paste(page, text);
    assert.ok(verdict === 'pass' || verdict === 'warn', verdict);
    assert.equal(await page.locator('[data-check-id="hardware.signature"]').getAttribute('data-status'), 'pass');
    assert.equal(await page.locator('[data-check-id="app.compose_hash"]').getAttribute('data-status'), 'pass');
    // The API drove the steps; the page showed them.
    assert.equal(await page.locator('[data-step="fetch-attestation"]').getAttribute('data-state'), 'done');
    assert.equal(await page.locator('[data-step="fetch-collateral"]').getAttribute('data-state'), 'done');
    assert.match(await page.locator('[data-step="fetch-collateral"]').innerText(), /from 127\.0\.0\.1/);
  } finally {
    await context.close();
    await pccs.close();
  }
});

test('an unreachable host is told apart from a CORS block: no curl commands, "could not be reached"', async () => {
  const { context, page } = await openPage(browser, { settings: SETTINGS });
  try {
    const port = await deadPort();
    await page.goto(`${web.url}/web/`);
    await page.fill('[data-role="url-input"]', `http://127.0.0.1:${port}`);
    await page.press('[data-role="url-input"]', 'Enter');
    assert.equal(await waitVerdict(page), 'error');
    const v = await page.locator('#verdict').innerText();
    assert.match(v, /FETCH_FAILED/);
    assert.doesNotMatch(v, /CORS/);
    const guidance = await page.locator('#guidance').innerText();
    assert.match(guidance, /could not be reached/);
    assert.doesNotMatch(guidance, /curl/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'verdict');
  } finally {
    await context.close();
  }
});

test('uploads: a PNG and a collateral file are named for what they are', async () => {
  const { context, page } = await openPage(browser, { settings: SETTINGS });
  await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    await page.click('#tab-evidence');
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await page.setInputFiles('#evidence-file', { name: 'screenshot.png', mimeType: 'image/png', buffer: png });
    await page.locator('#evidence-file-name', { hasText: 'screenshot.png' }).waitFor();
    await page.click('[data-role="evidence-verify"]');
    assert.equal(await waitVerdict(page), 'error');
    assert.match(await page.locator('#verdict').innerText(), /a PNG image, not evidence/);

    await page.setInputFiles('#evidence-file', { name: 'collateral.json', mimeType: 'application/json', buffer: readFileSync(join(ROOT, 'tests/vectors/dstack/near-mpc_collateral.json')) });
    await page.locator('#evidence-file-name', { hasText: 'collateral.json' }).waitFor();
    await page.click('[data-role="evidence-verify"]');
    await page.locator('#verdict-summary', { hasText: 'DCAP collateral' }).waitFor();
    assert.match(await page.locator('#verdict').innerText(), /This is DCAP collateral \(QuoteCollateralV3\), not evidence/);
  } finally {
    await context.close();
  }
});

test('"Try a sample" honours the expected compose hash in the settings', async () => {
  const { context, page } = await openPage(browser, { settings: { ...SETTINGS, now: undefined, expectComposeHash: 'ab'.repeat(32) } });
  await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    await page.click('[data-role="sample"]');
    assert.equal(await waitVerdict(page), 'fail');
    assert.equal(await page.locator('[data-check-id="policy.measurements"]').getAttribute('data-status'), 'fail');
  } finally {
    await context.close();
  }
});

test('the compose viewer shows the text the core hashed, and the download is cvm-evidence-<host>-<time>.json', async () => {
  // A decoy app_compose next to the real one: whichever the core reads, the page shows that one.
  const b = nearMpcBundle();
  b.attestation.app_compose = JSON.stringify({ name: 'decoy', docker_compose_file: 'services: {}' });
  const { verifyEvidence } = await import('../../js/index.js');
  const report = await verifyEvidence(structuredClone(b), { now: NOW });
  const { context, page } = await openPage(browser, { settings: SETTINGS });
  await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    assert.equal(await paste(page, JSON.stringify(b)), report.verdict);
    await page.evaluate(() => { for (const d of document.querySelectorAll('#details details')) d.open = true; });
    const raw = await page.locator('.compose .raw pre').textContent();
    assert.equal(raw, report.app.compose_text, 'the page shows the report\'s compose text');
    assert.equal(createHash('sha256').update(raw).digest('hex'), report.app.compose_sha256);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-bundle')]);
    assert.match(download.suggestedFilename(), /^cvm-evidence-pasted-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
    // The focus ring of a details summary is drawn inside its card (which clips overflow), not cut off.
    await page.evaluate(() => document.querySelector('#details details.detail > summary').focus());
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab'); // by keyboard, so :focus-visible applies
    const offset = await page.evaluate(() => {
      const s = document.querySelector('#details details.detail > summary');
      if (document.activeElement !== s || !s.matches(':focus-visible')) return NaN;
      return parseFloat(getComputedStyle(s).outlineOffset);
    });
    assert.ok(offset < 0, `outline-offset ${offset}`);
  } finally {
    await context.close();
  }
});

test('the page re-parses nothing and decides nothing: no JSON.parse or shape rules in web/app.js', () => {
  const src = readFileSync(join(ROOT, 'web/app.js'), 'utf8');
  assert.doesNotMatch(src, /JSON\.parse/);
  assert.doesNotMatch(src, /quoteOf|appComposeOf|function toBundle/);
  assert.doesNotMatch(src, /fetchCollateral|fetchEvidence/, 'the API drives the pipeline (onStep)');
  assert.doesNotMatch(src, /'quote\.format'/, 'no step is failed by the page itself');
  const render = readFileSync(join(ROOT, 'web/render.js'), 'utf8');
  assert.doesNotMatch(render, /JSON\.parse/);
});

test('axe: every badge state\'s accessible name contains its visible text (label-content-name-mismatch)', async () => {
  // The demo page renders the five states with the badge's own view, in open shadow roots axe can read.
  // bypassCSP only so that axe itself can be injected; the badge's markup is what is judged.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`${web.url}/web/badge-demo.html`);
    for (const s of ['verifying', 'verified', 'warning', 'failed', 'unavailable']) {
      await page.locator(`cvm-verify-badge-demo[demo-state="${s}"] button.r.${s}`).waitFor();
    }
    await page.addScriptTag({ path: join(ROOT, 'node_modules/axe-core/axe.min.js') });
    const res = await page.evaluate(() => /** @type {any} */ (window).axe.run(document, {
      runOnly: { type: 'rule', values: ['label-content-name-mismatch', 'button-name', 'aria-valid-attr-value'] },
    }));
    assert.ok(res.passes.some((/** @type {any} */ r) => r.id === 'label-content-name-mismatch' && r.nodes.length >= 5), 'axe judged the badges');
    assert.deepEqual(res.violations.map((/** @type {any} */ v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  } finally {
    await context.close();
  }
});
