// Fixtures for the badge tests (tests/browser/badge.test.mjs):
//  - siteRoot(): a temporary copy of the served tree (web/ and js/ as symlinks to the repository's files) in
//    which js/cvm-verify.wasm is build/cvm-verify-test.wasm (the build that honours the test-only trust root)
//    with a matching js/wasm-sha256.js, plus the tests' own host pages. scripts/serve.mjs serves it with the
//    page's strict CSP, so the badge runs exactly as it would on a real page, only with the test core.
//  - startForgedCvm(): a mock dstack app whose /attestation is forged per request (tests/pki/forge.mjs) with
//    the nonce the badge sent, so freshness passes; the forged root travels in the attestation object's
//    unsafe_test_root_der_hex (ignored by the production core).
//  - forgedCollateral(): the collateral of the same forged world, for tests/mocks/pccs.mjs (which serves
//    FMSPC B0C06F000000, platform CA, TDX: the forge's defaults).
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './launch.mjs';
import { dstackEvidence } from '../pki/forge.mjs';

export const TEST_WASM = process.env.CVM_VERIFY_TEST_WASM || join(ROOT, 'build/cvm-verify-test.wasm');

/** The forge's TCB levels with the platform's level (the first) set to `status`. */
export function worldWithTcb(status, advisoryIDs = ['INTEL-SA-00615']) {
  const sgx = [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
  const tdx = [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return {
    tcbInfo: {
      tcbLevels: [
        { sgx, pcesvn: 11, tdx, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: status, ...(status === 'UpToDate' ? {} : { advisoryIDs }) },
        { sgx, pcesvn: 5, tdx, tcbDate: '2018-01-04T00:00:00Z', tcbStatus: 'OutOfDate', advisoryIDs: ['INTEL-SA-00106'] },
      ],
    },
  };
}

/** The collateral of the forged world (same seed, time and knobs as startForgedCvm). */
export function forgedCollateral({ now, world } = {}) {
  return dstackEvidence({ now, world }).world.collateral;
}

/**
 * A temporary site root for scripts/serve.mjs startServer({root}).
 * @param {{testWasm?: boolean}} [opts] testWasm (default true): serve the test core as js/cvm-verify.wasm
 * @returns {{dir: string, page: (name: string, html: string) => string, file: (name: string, text: string) => void, cleanup: () => void}}
 */
export function siteRoot({ testWasm = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-verify-badge-'));
  const web = join(dir, 'web');
  const js = join(dir, 'js');
  mkdirSync(web);
  mkdirSync(js);
  for (const f of readdirSync(join(ROOT, 'web'))) symlinkSync(join(ROOT, 'web', f), join(web, f));
  for (const f of readdirSync(join(ROOT, 'js'))) {
    if (testWasm && ['cvm-verify.wasm', 'wasm-sha256.js', 'cvm-verify-badge.wasm', 'wasm-badge-sha256.js'].includes(f)) continue;
    symlinkSync(join(ROOT, 'js', f), join(js, f));
  }
  if (testWasm) {
    copyFileSync(TEST_WASM, join(js, 'cvm-verify.wasm'));
    const sha = createHash('sha256').update(readFileSync(TEST_WASM)).digest('hex');
    writeFileSync(join(js, 'wasm-sha256.js'), `// The test core (build/cvm-verify-test.wasm), for the badge tests only.\nexport const WASM_SHA256 = "${sha}";\n`);
    // The badge loads the badge core (js/wasm.js option core, docs/performance.md §5): the test core stands in
    // for it too (tests/js/badge-core.test.mjs checks the two production cores answer alike).
    copyFileSync(TEST_WASM, join(js, 'cvm-verify-badge.wasm'));
    writeFileSync(join(js, 'wasm-badge-sha256.js'), `// The test core, standing in for the badge core.\nexport const WASM_BADGE_SHA256 = "${sha}";\n`);
  }
  return {
    dir,
    /** Writes web/<name> and returns its path on the server ("/web/<name>"). */
    page(name, html) { writeFileSync(join(web, name), html); return `/web/${name}`; },
    file(name, text) { writeFileSync(join(web, name), text); },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A host page: no inline script or style (the server's CSP forbids both). */
export function hostPage(body, { title = 'badge host', head = '' } = {}) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="badge-host.css">
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** The host pages' stylesheet: a plain article, like a site that embeds the badge. */
export const HOST_CSS = `
body { margin: 0; padding: 28px 32px; font: 16px/1.5 Georgia, "DejaVu Serif", serif; color: #222; background: #fbfaf7; }
h1 { font-size: 22px; margin: 0 0 12px; }
p { max-width: 60ch; }
.row { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; margin: 12px 0; }
.spacer { height: 2600px; border-left: 3px dashed #ddd; margin: 8px 0; }
.dark { background: #0b1019; color: #e6ebf2; padding: 16px; border-radius: 10px; }
/* what a careless or hostile host stylesheet might try: none of it reaches inside the badge */
cvm-verify-badge { --c: red; --ok: red; color: red; font-family: "Comic Sans MS", cursive; letter-spacing: 3px; text-transform: uppercase; }
`;

/**
 * A mock dstack app serving forged evidence built per request from its reportData (the badge's nonce).
 * @param {{now?: number, world?: object, cors?: boolean}} [opts]
 * @returns {Promise<{url: string, port: number, requests: {path: string, query: Record<string, string>}[], close: () => Promise<void>}>}
 */
export async function startForgedCvm({ now, world, cors = true } = {}) {
  const requests = [];
  const info = JSON.stringify(dstackEvidence({ now, world }).info);
  const server = createServer((req, res) => {
    const u = new URL(req.url || '/', 'http://localhost');
    const query = Object.fromEntries(u.searchParams);
    requests.push({ path: u.pathname, query });
    const h = cors ? { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': '*' } : {};
    if (req.method === 'OPTIONS') { res.writeHead(204, h); res.end(); return; }
    if (u.pathname === '/attestation') {
      const nonce = query.reportData || '';
      if (!/^[0-9a-f]{2,128}$/i.test(nonce) || nonce.length % 2) {
        res.writeHead(400, { ...h, 'content-type': 'application/json' });
        res.end('{"error":"reportData must be hex"}');
        return;
      }
      const ev = dstackEvidence({ now, world, nonce, embedTestRoot: true });
      res.writeHead(200, { ...h, 'content-type': 'application/json' });
      res.end(JSON.stringify(ev.bundle.attestation));
      return;
    }
    if (u.pathname === '/info') {
      res.writeHead(200, { ...h, 'content-type': 'application/json' });
      res.end(info);
      return;
    }
    res.writeHead(404, { ...h, 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', () => ok(undefined)); });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise((ok) => { server.close(() => ok(undefined)); server.closeAllConnections?.(); }),
  };
}

/** A URL nobody listens on: a port that was just bound and released. */
export async function deadUrl() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
  await new Promise((ok) => s.close(ok));
  return `http://127.0.0.1:${port}`;
}
