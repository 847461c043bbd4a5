// The page's OS image parts (issue 14) with evidence that needs no network: the dstack 0.6.0 capture verified
// from its inline manifest (details section, per-register table, event hash shown apart), and the same capture
// without it, verified from the two manifest files given in Settings. Screenshots go to tests/output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startWebServer, openPage, shot, waitVerdict, ROOT, offline } from './launch.mjs';
import { OS_CATALOG } from '../../js/os-catalog.js';

const VEC = join(ROOT, 'tests/vectors/dstack');
const NOW = 1788000000;
const IMAGE = 'e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db';
const CAPTURE = JSON.parse(readFileSync(join(VEC, 'dstack-lite_getquote.json'), 'utf8'));
// The NEAR collateral is for another FMSPC: the hardware checks fail, the OS check is judged all the same.
const COLLATERAL = JSON.parse(readFileSync(join(VEC, 'near-mpc_collateral.json'), 'utf8'));
const SETTINGS = { pccsUrl: 'https://pccs.phala.network', tcbPolicy: 'default', expectComposeHash: '', now: NOW };

let browser;
let web;
before(async () => { [browser, web] = await Promise.all([launchBrowser(), startWebServer()]); });
after(async () => { await browser?.close(); await web?.close(); });

/** @param {any} attestation */
const bundle = (attestation) => JSON.stringify({ format: 'cvm-evidence/v1', attestation, collateral: COLLATERAL });

async function paste(page, text) {
  await page.click('#tab-evidence');
  await page.fill('[data-role="evidence-input"]', text);
  await page.click('[data-role="evidence-verify"]');
  return waitVerdict(page);
}

test('the capture: os.image row and the OS image details (registers equal, event hash apart)', async () => {
  const { context, page, errors } = await openPage(browser, { settings: SETTINGS });
  await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    await paste(page, bundle(CAPTURE));
    assert.equal(await page.locator('[data-check-id="os.image"]').getAttribute('data-status'), 'warn');
    assert.match(await page.locator('[data-check-id="os.image"]').innerText(), /OS_IMAGE_UNLISTED/);
    await page.evaluate(() => { document.querySelector('#detail-os').open = true; });
    const text = await page.locator('#detail-os').innerText();
    assert.match(text, new RegExp(IMAGE));
    assert.match(text, /07a2388c7a6a1b6a646d443f1517990a4ec294471d63146cda9d56972765051d/);
    assert.match(text, /Not proven: ACPI/);
    assert.match(text, /evidence carries \(vm_config\.tdx_measurement\)/);
    assert.deepEqual(await page.locator('#detail-os [data-match]').evaluateAll((els) => els.map((e) => e.dataset.match)), ['true', 'true', 'true', 'true']);
    await page.locator('#detail-os').screenshot({ path: join(ROOT, 'tests/output/os-image-details.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the two manifest files in Settings verify a capture that carries none', async () => {
  const { context, page, errors } = await openPage(browser, { settings: SETTINGS });
  await offline(context);
  const vm = JSON.parse(CAPTURE.vm_config);
  delete vm.tdx_measurement;
  vm.os_image_hash = IMAGE;
  const m = OS_CATALOG.images[0].manifest;
  try {
    await page.goto(`${web.url}/web/`);
    await page.click('#settings-toggle');
    await page.setInputFiles('#set-os-checksum', { name: 'sha256sum.txt', mimeType: 'text/plain', buffer: Buffer.from(m.checksum_file, 'base64') });
    await page.setInputFiles('#set-os-measurement', { name: 'measurement.tdx.cbor', mimeType: 'application/cbor', buffer: Buffer.from(m.measurement, 'base64') });
    await page.waitForFunction(() => /Manifest set/.test(document.querySelector('#set-os-status')?.textContent || ''));
    await shot(page, 'os-image-settings', { fullPage: false });
    await paste(page, bundle({ ...CAPTURE, vm_config: JSON.stringify(vm) }));
    await page.evaluate(() => { document.querySelector('#detail-os').open = true; });
    const text = await page.locator('#detail-os').innerText();
    assert.match(text, /the manifest you supplied in Settings/);
    assert.match(await page.locator('[data-check-id="os.image"]').innerText(), /verified from the supplied manifest/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
