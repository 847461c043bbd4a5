// The page's source provenance (issue 20): a forged, bound dstack app whose compose pins the subject digest of
// a real Sigstore bundle (tests/mocks/github.mjs provenanceApp), verified by the test core (which honours the
// forged Intel root), with the bundle uploaded in Settings and an expected source: the check row and the
// "Source provenance" section. Offline: every request stays on 127.0.0.1. Screenshot: tests/output/provenance.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, openPage, shot, waitVerdict, ROOT, OUTPUT_DIR, offline } from './launch.mjs';
import { siteRoot, TEST_WASM } from './badge-fixtures.mjs';
import { provenanceApp, CASES, SUBJECT_SOURCE } from '../mocks/github.mjs';
import { DEFAULT_NOW } from '../pki/forge.mjs';

const built = existsSync(TEST_WASM);
let browser;
let site;
let server;

before(async () => {
  if (!built) return;
  site = siteRoot();
  symlinkSync(join(ROOT, 'data'), join(site.dir, 'data'));
  const { startServer } = await import(join(ROOT, 'scripts/serve.mjs'));
  [browser, server] = await Promise.all([launchBrowser(), startServer({ port: 0, host: '127.0.0.1', root: site.dir })]);
});

after(async () => {
  await browser?.close();
  await server?.close();
  site?.cleanup();
});

const SETTINGS = { pccsUrl: 'https://pccs.phala.network', tcbPolicy: 'default', expectComposeHash: '', now: DEFAULT_NOW };

async function run(page, { source, bundle }) {
  await page.click('#settings-toggle');
  if (bundle) await page.setInputFiles('#set-provenance-file', bundle);
  if (source) {
    await page.fill('#set-provenance-source', source);
    await page.dispatchEvent('#set-provenance-source', 'change');
  }
  await page.click('#tab-evidence');
  await page.fill('[data-role="evidence-input"]', JSON.stringify(provenanceApp().bundle));
  await page.click('[data-role="evidence-verify"]');
  return waitVerdict(page);
}

test('an uploaded bundle proves the pinned image\'s source: check row and section', { skip: built ? undefined : 'needs make wasm-test' }, async () => {
  const { context, page, csp, errors } = await openPage(browser, { settings: SETTINGS, viewport: { width: 1280, height: 900 } });
  const attempted = await offline(context);
  try {
    await page.goto(`${server.url}/web/`);
    const verdict = await run(page, { source: SUBJECT_SOURCE, bundle: join(CASES, 'happy-path-intoto-in-dsse-v3/bundle.sigstore.json') });
    // warn, not pass: the forged app ships no OS manifest, so os.image warns; provenance itself passes
    assert.equal(verdict, 'warn');
    assert.equal(await page.locator('[data-check-id="os.image"]').getAttribute('data-status'), 'warn');
    assert.equal(await page.locator('[data-check-id="app.provenance"]').getAttribute('data-status'), 'pass');
    const section = page.locator('#detail-provenance');
    await section.waitFor();
    const text = await section.innerText();
    assert.match(text, /1 of 1 pinned image proven/);
    assert.match(text, new RegExp(`https://github.com/${SUBJECT_SOURCE}`));
    assert.match(text, /82a3bfe6dd50fe9c71d6315eae66da15307856cf/);
    assert.match(text, /extremely-dangerous-oidc-beacon\.yml/);
    assert.match(text, /Rekor entry 155690850/);
    assert.match(text, /2024-12-16T18:42:56Z/);
    assert.deepEqual(attempted, [], 'no request leaves the machine (GitHub fetching is off)');
    await section.scrollIntoViewIfNeeded();
    await shot(page, 'provenance');
    await section.screenshot({ path: join(OUTPUT_DIR, 'provenance-section.png') });
    await page.locator('[data-check-id="app.provenance"]').scrollIntoViewIfNeeded();
    await shot(page, 'provenance-check', { fullPage: false });
    assert.deepEqual(await csp(), []);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('an expected source with no bundle fails the verdict on the page', { skip: built ? undefined : 'needs make wasm-test' }, async () => {
  const { context, page } = await openPage(browser, { settings: SETTINGS });
  try {
    await page.goto(`${server.url}/web/`);
    const verdict = await run(page, { source: 'dstack-tee/dstack' });
    assert.equal(verdict, 'fail');
    assert.equal(await page.locator('[data-check-id="app.provenance"]').getAttribute('data-status'), 'fail');
    assert.match(await page.locator('[data-check-id="app.provenance"]').innerText(), /PROVENANCE_MISSING/);
  } finally {
    await context.close();
  }
});
