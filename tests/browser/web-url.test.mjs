// The web page's URL flow against the mock CVM and mock PCCS (tests/mocks/), all on 127.0.0.1: a full
// verification (live nonce, so freshness fails on the recording), the ?url= shareable link, and the CORS
// guidance when the CVM sends no CORS headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchBrowser, startWebServer, openPage, shot, waitVerdict, offline } from './launch.mjs';
import { NOW } from './fixtures.mjs';
import { startMockCvm } from '../mocks/cvm.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';

let browser;
let web;
let pccs;

before(async () => {
  [browser, web, pccs] = await Promise.all([launchBrowser(), startWebServer(), startMockPccs({})]);
});

after(async () => {
  await browser?.close();
  await web?.close();
  await pccs?.close();
});

test('URL flow: mock CVM + mock PCCS; hardware, event log and compose hash pass; the recording fails freshness', async () => {
  const cvm = await startMockCvm({});
  const settings = { pccsUrl: pccs.url, tcbPolicy: 'default', expectComposeHash: '', now: NOW };
  const { context, page, csp, errors, requests } = await openPage(browser, { settings });
  const outside = await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    await page.fill('[data-role="url-input"]', cvm.url);
    await page.press('[data-role="url-input"]', 'Enter'); // Enter submits
    assert.equal(await waitVerdict(page), 'fail');

    const status = async (id) => page.locator(`[data-check-id="${id}"]`).getAttribute('data-status');
    assert.equal(await status('hardware.signature'), 'pass');
    assert.equal(await status('eventlog.replay'), 'pass');
    assert.equal(await status('app.compose_hash'), 'pass');
    assert.equal(await status('freshness.nonce'), 'fail');
    assert.match(await page.locator('[data-check-id="freshness.nonce"]').innerText(), /NONCE_MISMATCH/);
    // Live progress ended with every step decided.
    assert.equal(await page.locator('[data-step="fetch-attestation"]').getAttribute('data-state'), 'done');
    assert.equal(await page.locator('[data-step="fetch-collateral"]').getAttribute('data-state'), 'done');
    assert.equal(await page.locator('[data-step="freshness"]').getAttribute('data-state'), 'fail');

    // The page asked for /attestation with a fresh 32-byte nonce, and collateral from the chosen PCCS.
    const att = requests.filter((u) => u.startsWith(`${cvm.url}/attestation?reportData=`));
    assert.equal(att.length, 1);
    assert.match(new URL(att[0]).searchParams.get('reportData'), /^[0-9a-f]{64}$/);
    assert.ok(requests.some((u) => u.startsWith(`${pccs.url}/`)), 'collateral came from the PCCS in the settings');
    assert.deepEqual(outside, [], 'no request to any host but the CVM and the collateral service');

    // The address is a shareable link, and opening it runs the verification again.
    const addr = new URL(page.url());
    assert.equal(addr.searchParams.get('url'), cvm.url);
    await shot(page, 'url-mock-fail');
    await page.goto(addr.href);
    assert.equal(await page.locator('[data-role="url-input"]').inputValue(), cvm.url);
    assert.equal(await waitVerdict(page), 'fail');
    assert.equal(requests.filter((u) => u.startsWith(`${cvm.url}/attestation?`)).length, 2);

    assert.deepEqual(await csp(), []);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  } finally {
    await context.close();
    await cvm.close();
  }
});

test('a CVM without CORS headers: the page says so and shows the curl commands to paste', async () => {
  const cvm = await startMockCvm({ cors: false });
  const settings = { pccsUrl: pccs.url, tcbPolicy: 'default', expectComposeHash: '', now: NOW };
  const { context, page, csp } = await openPage(browser, { settings });
  await offline(context);
  try {
    await page.goto(`${web.url}/web/?url=${encodeURIComponent(cvm.url)}`);
    assert.equal(await waitVerdict(page), 'error');
    assert.match(await page.locator('[data-verdict]').innerText(), /CORS_BLOCKED/);
    const guidance = page.locator('#guidance');
    assert.ok(await guidance.isVisible());
    const text = await guidance.innerText();
    assert.match(text, /CORS/);
    const nonce = /reportData=([0-9a-f]{64})/.exec(text)?.[1];
    assert.ok(nonce, 'the curl command carries a fresh nonce');
    assert.ok(text.includes(`curl -sS '${cvm.url}/attestation?reportData=${nonce}'; echo; curl -sS '${cvm.url}/info'`), 'one command fetches both answers with the page\'s nonce');
    assert.ok(text.includes(`| cvm-verify - --nonce ${nonce}`), 'the command-line variant is given the same nonce');
    assert.doesNotMatch(text, /evidence\.json/, 'no command whose output is verified without the nonce');
    await shot(page, 'url-cors-blocked');

    // "Paste the evidence" leads to the evidence tab.
    await page.click('#guidance .guidance-actions button');
    assert.equal(await page.locator('#tab-evidence').getAttribute('aria-selected'), 'true');

    // The command, run for real: its output (two JSON answers) is verified against the page's own nonce.
    const both = await page.locator('#guidance .cmd-text').nth(0).innerText();
    const { stdout: pasted } = await promisify(execFile)('bash', ['-c', both], { timeout: 20000 });
    await page.fill('[data-role="evidence-input"]', pasted);
    await page.click('[data-role="evidence-verify"]');
    assert.equal(await waitVerdict(page), 'fail');
    assert.equal(await page.locator('[data-check-id="hardware.signature"]').getAttribute('data-status'), 'pass');
    assert.equal(await page.locator('[data-check-id="app.compose_hash"]').getAttribute('data-status'), 'pass');
    // The mock serves a recording: its report_data is not the page's nonce, and the page checked that.
    assert.equal(await page.locator('[data-check-id="freshness.nonce"]').getAttribute('data-status'), 'fail');
    assert.match(await page.locator('[data-check-id="freshness.nonce"]').innerText(), /NONCE_MISMATCH/);
    assert.match(await page.locator('#facts').innerText(), /made by this page/);
    assert.deepEqual(await csp(), []);
  } finally {
    await context.close();
    await cvm.close();
  }
});

test('a binary quote upload gets its collateral from the PCCS in the settings', async () => {
  const quote = Buffer.from(JSON.parse(readFileSync(join(ROOT, 'tests/vectors/dstack/near-mpc_quote.json'), 'utf8')));
  const settings = { pccsUrl: pccs.url, tcbPolicy: 'default', expectComposeHash: '', now: NOW };
  const { context, page, csp, requests } = await openPage(browser, { settings });
  const outside = await offline(context);
  try {
    await page.goto(`${web.url}/web/`);
    await page.click('#tab-evidence');
    await page.setInputFiles('#evidence-file', { name: 'quote.bin', mimeType: 'application/octet-stream', buffer: quote });
    await page.waitForFunction(() => /Binary quote loaded from quote\.bin/.test(document.querySelector('[data-role="evidence-input"]').placeholder));
    await page.click('[data-role="evidence-verify"]');
    await waitVerdict(page);
    assert.equal(await page.locator('[data-check-id="hardware.signature"]').getAttribute('data-status'), 'pass');
    assert.equal(await page.locator('[data-step="fetch-collateral"]').getAttribute('data-state'), 'done');
    assert.ok(requests.some((u) => u.startsWith(`${pccs.url}/tdx/certification/v4/tcb?fmspc=B0C06F000000`)));
    assert.deepEqual(outside, []);
    assert.deepEqual(await csp(), []);
  } finally {
    await context.close();
  }
});
