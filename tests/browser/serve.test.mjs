// scripts/serve.mjs: the page's static server (no browser needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startWebServer } from './launch.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src *; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
let web;
before(async () => { web = await startWebServer(); });
after(async () => { await web?.close(); });

/** A raw GET (no path normalisation, unlike fetch). */
function get(path, method = 'GET') {
  return new Promise((ok, fail) => {
    const u = new URL(web.url);
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
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
