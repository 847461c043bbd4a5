// The published site (scripts/build-site.mjs; docs/hosting.md) on a host that sends no security headers, as
// GitHub Pages does: only a Content-Type per extension. The page must work from the built directory alone,
// under the Content-Security-Policy its HTML now carries, and the root must lead to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { launchBrowser, openPage, waitVerdict, offline } from './launch.mjs';
import { buildSite, META_CSP } from '../../scripts/build-site.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'application/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.ts': 'text/plain' };

let browser;
let dir;
let files;
/** @type {import('node:http').Server} */
let server;
let base;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cvm-verify-site-'));
  files = buildSite(join(dir, 'site'));
  const root = join(dir, 'site');
  server = createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url || '/', 'http://x').pathname);
    if (p.endsWith('/')) p += 'index.html';
    const f = resolve(root, '.' + p);
    try {
      if (!f.startsWith(root + sep) || !statSync(f).isFile()) throw new Error('no');
      res.writeHead(200, { 'content-type': TYPES[/** @type {keyof typeof TYPES} */ (extname(f))] || 'application/octet-stream' });
      res.end(readFileSync(f));
    } catch {
      res.writeHead(404); res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  base = `http://127.0.0.1:${/** @type {any} */ (server.address()).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server.close(() => r(undefined)));
  rmSync(dir, { recursive: true, force: true });
});

test('the site holds the page, the badge, the API and the core, and the headers file', () => {
  for (const f of ['index.html', '_headers', '.nojekyll', 'web/index.html', 'web/badge.js', 'js/index.js', 'js/wasm.js', 'js/cvm-verify.wasm', 'js/wasm-sha256.js']) {
    assert.ok(files.includes(f), `${f} is published`);
  }
  assert.ok(!files.includes('js/cvm-verify-test.wasm'), 'never the test build');
  const headers = readFileSync(join(dir, 'site/_headers'), 'utf8');
  assert.match(headers, /Content-Security-Policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval';.*frame-ancestors 'none'/);
  assert.match(headers, /Access-Control-Allow-Origin: \*/);
  assert.match(headers, /\/js\/\*\.wasm\n {2}Content-Type: application\/wasm/);
  assert.ok(!META_CSP.includes('frame-ancestors'));
});

test('from the root to a verified sample, under the page\'s own CSP, with no header from the host', async () => {
  const { context, page, csp, errors } = await openPage(browser, { settings: { pccsUrl: 'https://pccs.phala.network', tcbPolicy: 'default', expectComposeHash: '' } });
  await offline(context);
  try {
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/web/`);
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.equal(policy, META_CSP);
    await page.click('[data-role="sample"]');
    assert.equal(await waitVerdict(page), 'warn'); // only os.image warns: the recording has no OS manifest
    assert.equal(await page.locator('[data-check-id="hardware.signature"]').getAttribute('data-status'), 'pass');
    assert.deepEqual(await csp(), [], 'no CSP violation');
    assert.deepEqual(errors, []);
    // The policy is enforced: an inline script is refused.
    const inline = await page.evaluate(() => { const s = document.createElement('script'); s.textContent = 'window.__inlineRan = 1'; document.head.append(s); return /** @type {any} */ (window).__inlineRan === 1; });
    assert.equal(inline, false);
  } finally {
    await context.close();
  }
});
