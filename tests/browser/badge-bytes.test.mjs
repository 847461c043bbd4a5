// Bytes to a verdict (issue 17; docs/performance.md): a page on ANOTHER origin embeds the README's badge snippet
// (dist/badge.js from the verifier), the badge verifies the recorded near/mpc CVM (mock CVM + mock PCCS, each
// on its own origin, as in production) with the production core, and we count what came from the verifier's
// origin until the verdict: requests, bytes on the wire (Chromium's encoded body sizes, with the encoding
// scripts/serve.mjs negotiated) and raw bytes. The numbers are PRINTED, not asserted (a size budget in a test
// would fail on the next feature, not on a regression anyone chose); the structure is asserted: a verdict,
// at most 3 requests from the verifier (the bundle, the WASM, nothing else that blocks), every one compressed.
// Then the page itself (web/, plain ESM) is loaded and run on the same CVM, and its total is printed too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launchBrowser, startWebServer, openPage, waitVerdict } from './launch.mjs';
import { NOW } from './fixtures.mjs';
import { startMockCvm } from '../mocks/cvm.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';

let browser;
let verifier;
let host;
let cvm;
let pccs;

/** The embedding site: one HTML page with the README snippet, on its own origin. */
function startHost(html) {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html(req));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
  })));
}

before(async () => {
  [browser, verifier, cvm, pccs] = await Promise.all([launchBrowser(), startWebServer(), startMockCvm({}), startMockPccs({})]);
  // `/?provenance`: the site owner asks for provenance, so the badge loads the full core (docs/performance.md §5).
  host = await startHost((req) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>an app</title></head><body>
<h1>An app that shows its badge</h1>
<script type="module" src="${verifier.url}/dist/badge.js"></script>
<cvm-verify-badge id="b" url="${cvm.url}" pccs="${pccs.url}"${req.url.includes('provenance') ? ' provenance' : ''}></cvm-verify-badge>
</body></html>`);
});

after(async () => {
  await browser?.close();
  await Promise.all([verifier, host, cvm, pccs].map((s) => s?.close()));
});

/**
 * Records every response from `origin`: url, status, content-encoding, encoded (wire) body bytes, raw bytes.
 * @returns {() => Promise<{url: string, status: number, encoding: string, wire: number, raw: number}[]>}
 */
function recordFrom(page, origin) {
  const seen = [];
  page.on('requestfinished', (req) => { if (req.url().startsWith(origin)) seen.push(req); });
  return () => Promise.all(seen.map(async (req) => {
    const res = await req.response();
    const sizes = await req.sizes();
    const body = await res.body().catch(() => Buffer.alloc(0));
    return { url: req.url().slice(origin.length), status: res.status(), encoding: (await res.allHeaders())['content-encoding'] || 'identity', wire: sizes.responseBodySize, raw: body.length };
  }));
}

function print(title, rows) {
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const lines = rows.map((r) => `  ${String(r.status)} ${r.url.padEnd(48)} ${r.encoding.padEnd(8)} ${kb(r.wire).padStart(9)} on the wire, ${kb(r.raw).padStart(9)} raw`);
  const wire = rows.reduce((s, r) => s + r.wire, 0);
  const raw = rows.reduce((s, r) => s + r.raw, 0);
  console.log(`# ${title}: ${rows.length} requests, ${kb(wire)} on the wire (${wire} bytes), ${kb(raw)} raw\n${lines.join('\n')}`);
  return { wire, raw };
}

// gzip is the target's unit (issue 17; every host has it); brotli is what Chromium asks for when the host has it.
const ENCODINGS = [['gzip', { 'Accept-Encoding': 'gzip' }], ['Chromium\'s own Accept-Encoding (brotli)', null]];

// The badge core by default; the full core when the embedding page asks for provenance.
const CORES = [['badge core', '', /^\/dist\/cvm-verify-badge\.[0-9a-f]{16}\.wasm$/], ['full core: provenance asked', '?provenance', /^\/dist\/cvm-verify\.[0-9a-f]{16}\.wasm$/]];

for (const [core, query, wasmName] of CORES) for (const [label, headers] of ENCODINGS) test(`badge on another origin, ${core}, ${label}: requests and bytes from the verifier until a verdict (printed)`, async () => {
  const { page, context, errors } = await openPage(browser);
  if (headers) await context.setExtraHTTPHeaders(headers);
  try {
    const fromVerifier = recordFrom(page, verifier.url);
    await page.goto(`${host.url}/${query}`);
    const state = await page.locator('#b').getAttribute('state', { timeout: 30000 });
    await page.waitForFunction(() => {
      const s = document.getElementById('b')?.getAttribute('state');
      return s && s !== 'verifying';
    }, null, { timeout: 30000 });
    const final = await page.locator('#b').getAttribute('state');
    assert.ok(state !== null);
    // The recording replays an old nonce: a real verdict (the whole pipeline ran), and it must be "failed".
    assert.equal(final, 'failed');
    await page.waitForLoadState('networkidle');
    const rows = await fromVerifier();
    const { wire } = print(`badge bytes to verdict (dist/badge.js, ${core}, Chromium, ${label})`, rows);
    assert.ok(rows.length >= 2 && rows.length <= 3, `${rows.length} requests from the verifier: ${rows.map((r) => r.url).join(', ')}`);
    assert.ok(rows.some((r) => r.url === '/dist/badge.js'), 'the bundle');
    assert.ok(rows.some((r) => wasmName.test(r.url)), `the content-hashed WASM (${core})`);
    assert.equal(rows.filter((r) => r.url.endsWith('.wasm')).length, 1, 'one core only');
    for (const r of rows) {
      assert.equal(r.status, 200, r.url);
      assert.equal(r.encoding, headers ? 'gzip' : 'br', `${r.url} is compressed as asked`);
      assert.ok(r.wire > 0 && r.wire < r.raw, `${r.url}: ${r.wire} wire bytes < ${r.raw} raw`);
    }
    assert.ok(wire > 0);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
  } finally {
    await context.close();
  }
});

for (const [label, headers] of ENCODINGS) test(`the page (web/, plain ESM), ${label}: its total until a verdict on the same CVM (printed)`, async () => {
  const settings = { pccsUrl: pccs.url, tcbPolicy: 'default', expectComposeHash: '', now: NOW };
  const { page, context } = await openPage(browser, { settings });
  if (headers) await context.setExtraHTTPHeaders(headers);
  try {
    const fromVerifier = recordFrom(page, verifier.url);
    await page.goto(`${verifier.url}/web/`);
    await page.fill('[data-role="url-input"]', cvm.url);
    await page.press('[data-role="url-input"]', 'Enter');
    assert.equal(await waitVerdict(page), 'fail');
    await page.waitForLoadState('networkidle');
    const rows = await fromVerifier();
    print(`page bytes to verdict (web/index.html and its modules, Chromium, ${label})`, rows);
    assert.ok(rows.some((r) => r.url.endsWith('.wasm')), 'the page loaded the core');
  } finally {
    await context.close();
  }
});
