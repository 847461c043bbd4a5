// scripts/serve.mjs: the page's static server (no browser needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { ROOT, startWebServer } from './launch.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src *; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
let web;
before(async () => { web = await startWebServer(); });
after(async () => { await web?.close(); });

/** A raw GET (no path normalisation, unlike fetch). */
function get(path, method = 'GET', headers = {}) {
  return new Promise((ok, fail) => {
    const u = new URL(web.url);
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('/ redirects to /web/ and keeps the query (shareable ?url= links)', async () => {
  const r = await get('/?url=https%3A%2F%2Fapp.example.com');
  assert.equal(r.status, 302);
  assert.equal(r.headers.location, '/web/?url=https%3A%2F%2Fapp.example.com');
  assert.equal((await get('/web')).headers.location, '/web/');
});

test('serves web/ and js/ with the right MIME types and the strict CSP', async () => {
  const cases = [
    ['/web/', 'text/html; charset=utf-8'],
    ['/web/app.js', 'text/javascript; charset=utf-8'],
    ['/web/style.css', 'text/css; charset=utf-8'],
    ['/web/sample-near-mpc.json', 'application/json; charset=utf-8'],
    ['/web/favicon.svg', 'image/svg+xml'],
    ['/js/index.js', 'text/javascript; charset=utf-8'],
    ['/js/cvm-verify.wasm', 'application/wasm'],
  ];
  for (const [path, type] of cases) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
    assert.equal(r.headers['content-security-policy'], CSP, path);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
  }
  const head = await get('/web/', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('serves nothing outside web/ and js/', async () => {
  for (const path of ['/package.json', '/scripts/serve.mjs', '/tests/vectors/cases.json', '/web/../package.json',
    '/web/%2e%2e/package.json', '/js/..%2fpackage.json', '/web/nope.html', '/.git/config', '/web/%00']) {
    const r = await get(path);
    assert.ok(r.status === 404 || r.status === 403 || r.status === 400, `${path} -> ${r.status}`);
    assert.ok(!r.body.toString().includes('"name": "cvm-verify"'), `${path} leaked package.json`);
  }
  assert.equal((await get('/web/', 'POST')).status, 405);
});

test('like a production host: br/gzip by Accept-Encoding, application/wasm, caching by name, ETag revalidation', async () => {
  const hashed = readdirSync(join(ROOT, 'dist')).find((f) => /^cvm-verify\.[0-9a-f]{16}\.wasm$/.test(f));
  assert.ok(hashed, 'make dist built the content-hashed WASM');
  const raw = readFileSync(join(ROOT, 'dist', hashed));
  const br = await get(`/dist/${hashed}`, 'GET', { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-type'], 'application/wasm');
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(br.headers['access-control-allow-origin'], '*');
  assert.equal(Number(br.headers['content-length']), br.body.length);
  assert.ok(brotliDecompressSync(br.body).equals(raw), 'brotli body decodes to the file');
  const gz = await get(`/dist/${hashed}`, 'GET', { 'Accept-Encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gunzipSync(gz.body).equals(raw), 'gzip body decodes to the file');
  const plain = await get(`/dist/${hashed}`, 'GET', { 'Accept-Encoding': 'gzip;q=0, br;q=0' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.ok(plain.body.equals(raw));
  assert.equal((await get(`/dist/${hashed}`)).headers['content-encoding'], undefined, 'no Accept-Encoding: identity');

  const badge = await get('/dist/badge.js', 'GET', { 'Accept-Encoding': 'gzip' });
  assert.equal(badge.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(badge.headers['cache-control'], 'public, max-age=300');
  assert.ok(gunzipSync(badge.body).toString().includes(hashed), 'the bundle names its hashed WASM');
  const html = await get('/web/', 'GET', { 'Accept-Encoding': 'br' });
  assert.equal(html.headers['cache-control'], 'no-cache');
  assert.match(html.headers.etag, /^W\/"[0-9a-f]+-[0-9a-f]+-br"$/);
  const again = await get('/web/', 'GET', { 'Accept-Encoding': 'br', 'If-None-Match': html.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal((await get('/web/', 'GET', { 'Accept-Encoding': 'gzip', 'If-None-Match': html.headers.etag })).status, 200,
    'another encoding is another representation');
  assert.equal((await get('/web/favicon.png')).status, 404);
});
