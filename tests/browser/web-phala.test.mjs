// The page with issue 16's shapes: a Phala Cloud app id typed in the input box (the API answered by a local mock
// replaying the reconstruction, relayed from cloud-api.phala.com), the same response pasted, and dstack's real V0
// attestation pasted as hex. Collateral from the mock PCCS on 127.0.0.1. Screenshots go to tests/output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startWebServer, openPage, shot, waitVerdict, ROOT } from './launch.mjs';
import { startMockPhala, PHALA_APP_ATTESTATIONS, PHALA_APP_ID } from '../mocks/phala.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';

const NOW = 1788000000;
let browser, web, pccs, phala;

before(async () => {
  [browser, web, pccs, phala] = await Promise.all([launchBrowser(), startWebServer(), startMockPccs(), startMockPhala()]);
});

after(async () => {
  await browser?.close();
  await Promise.all([web?.close(), pccs?.close(), phala?.close()]);
});

/** Only 127.0.0.1; Phala Cloud's API is answered by the mock. */
async function route(context) {
  const attempted = [];
  await context.route('**/*', async (r) => {
    const u = new URL(r.request().url());
    if (u.hostname === '127.0.0.1') return r.continue();
    if (u.hostname === 'cloud-api.phala.com' && u.pathname.startsWith('/api/v1/')) {
      // Relay to the mock (http on 127.0.0.1; a route cannot change the scheme, so fetch and fulfil).
      const res = await fetch(phala.url + u.pathname.slice('/api/v1'.length));
      return r.fulfill({ status: res.status, body: Buffer.from(await res.arrayBuffer()),
        headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' } });
    }
    attempted.push(u.href);
    return r.abort('internetdisconnected');
  });
  return attempted;
}

const settings = () => ({ pccsUrl: pccs.url, tcbPolicy: 'default', expectComposeHash: '', now: NOW });

async function openDetails(page) {
  await page.evaluate(() => { for (const d of document.querySelectorAll('#details details.app-cvm')) d.open = false; });
}

test('a Phala Cloud app id in the input box: instances, stopped, KMS binding and the app verdict', async () => {
  const { context, page, csp } = await openPage(browser, { settings: settings() });
  const attempted = await route(context);
  try {
    await page.goto(`${web.url}/web/`);
    await page.fill('#url-input', PHALA_APP_ID);
    await page.click('[data-role="url-verify"]');
    const v = await waitVerdict(page, 60000);
    assert.equal(v, 'fail');
    const summary = await page.textContent('#verdict-summary');
    assert.match(summary, /2 running instance\(s\) verified/);
    assert.match(summary, /KMS not bound/);
    assert.match(summary, /Freshness not checked: recorded quotes/);
    assert.equal(await page.locator('#details .app-cvm').count(), 3); // two instances and the KMS
    assert.match(await page.textContent('#details'), /Stopped.*INSTANCE_NOT_RUNNING/);
    assert.match(await page.textContent('#details'), /KMS_NOT_BOUND/);
    await openDetails(page);
    await shot(page, 'phala-app-id');
    assert.deepEqual(attempted, []);
    assert.deepEqual(await csp(), []);
  } finally {
    await context.close();
  }
});

test('the Phala response pasted, the real V0 attestation pasted as hex, the forged RA-TLS certificate pasted', async () => {
  const { context, page, csp } = await openPage(browser, { settings: settings() });
  await route(context);
  try {
    await page.goto(`${web.url}/web/`);
    await page.click('#tab-evidence');
    await page.fill('[data-role="evidence-input"]', PHALA_APP_ATTESTATIONS);
    await page.click('[data-role="evidence-verify"]');
    assert.equal(await waitVerdict(page, 60000), 'fail');
    assert.match(await page.textContent('#verdict-summary'), /KMS not bound/);

    const v0 = readFileSync(join(ROOT, 'tests/vectors/dstack/dstack-guest-agent_attestation_v0.bin')).toString('hex');
    await page.fill('[data-role="evidence-input"]', v0);
    await page.click('[data-role="evidence-verify"]');
    // warn, not pass: the attestation carries no OS manifest, so the OS image is unverified (os.image)
    assert.equal(await waitVerdict(page, 60000), 'warn');
    assert.equal(await page.locator('[data-check-id="os.image"]').getAttribute('data-status'), 'warn');
    assert.equal(await page.locator('[data-check-id="tcb.status"]').getAttribute('data-status'), 'pass');
    assert.equal(await page.locator('[data-check-id="eventlog.replay"]').getAttribute('data-status'), 'pass');
    await shot(page, 'dstack-v0-paste');

    // The forged RA-TLS certificate (PEM text): the quote verifies, but it names another key.
    await page.fill('[data-role="evidence-input"]', readFileSync(join(ROOT, 'tests/vectors/dstack/ratls_forged_cert.pem'), 'utf8'));
    await page.click('[data-role="evidence-verify"]');
    assert.equal(await waitVerdict(page, 60000), 'fail');
    assert.equal(await page.locator('[data-check-id="hardware.signature"]').getAttribute('data-status'), 'pass');
    assert.equal(await page.locator('[data-check-id="report_data.binding"]').getAttribute('data-status'), 'fail');
    assert.equal(await page.locator('[data-check-id="eventlog.replay"]').getAttribute('data-status'), 'warn');
    assert.deepEqual(await csp(), []);
  } finally {
    await context.close();
  }
});
