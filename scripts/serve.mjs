#!/usr/bin/env node
// A tiny static server for the web verifier, with no dependencies.
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]
// Serves the repository's web/, js/ (the page imports ../js/index.js) and dist/ (make dist: the badge and API
// bundles), redirects / to /web/, and sends the strict Content-Security-Policy the page is built for.
// connect-src stays open because the page talks to the CVM and the collateral service the user chooses.
// It serves like a production static host (docs/hosting-headers.md), so local numbers are the real ones:
// brotli or gzip by Accept-Encoding (node:zlib, compressed once per file version and kept in memory),
// application/wasm, ETag revalidation, and caching by name: content-hashed files immutable, the rest revalidated.
import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompress, gzip, constants as zc } from 'node:zlib';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVED = ['web', 'js', 'dist', 'data']; // data/: the Sigstore trusted root js/provenance.js fetches

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src *; style-src 'self'; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Types worth compressing (images other than SVG are compressed already). */
const COMPRESSIBLE = /^(text\/|application\/(json|wasm|manifest\+json)|image\/svg)/;
/** A content-hashed name (dist/cvm-verify.<16+ hex>.wasm): its bytes never change, so cache it for ever. */
const HASHED = /\.[0-9a-f]{16,64}\.[a-z0-9]+$/;
/** Bundles that name their hashed dependencies (dist/*.js): self-consistent, so a few minutes of staleness is safe. */
const SHORT = /^\/dist\/[^/]+\.js$/;

/**
 * Cache-Control by name. HTML and the unbundled modules are revalidated on every load (no-cache + ETag: a 304
 * costs a round trip, never a page whose js/wasm-sha256.js and js/cvm-verify.wasm come from two deployments).
 * @param {string} pathname
 */
export function cacheControl(pathname) {
  if (HASHED.test(pathname)) return 'public, max-age=31536000, immutable';
  if (SHORT.test(pathname)) return 'public, max-age=300';
  return 'no-cache';
}

/**
 * The encoding to send: brotli, else gzip, else none, by the client's Accept-Encoding (q=0 refuses).
 * @param {string | undefined} header
 * @returns {'br' | 'gzip' | null}
 */
export function pickEncoding(header) {
  const ok = new Set();
  for (const part of String(header || '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && !(Number(q.slice(2)) > 0)) continue;
    ok.add(name.trim());
  }
  if (ok.has('br')) return 'br';
  if (ok.has('gzip')) return 'gzip';
  return null;
}

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);
/** file -> {key (mtime+size), br, gzip}: each file version is compressed once (max quality, like a build step). */
const compressed = new Map();
async function compressedBody(file, st, encoding) {
  const key = `${st.mtimeMs}:${st.size}`;
  let entry = compressed.get(file);
  if (!entry || entry.key !== key) {
    entry = { key };
    compressed.set(file, entry);
  }
  if (!entry[encoding]) {
    const raw = await fs.readFile(file);
    entry[encoding] = encoding === 'br'
      ? brotli(raw, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: raw.length } })
      : gz(raw, { level: 9 });
  }
  return entry[encoding];
}

function baseHeaders(extra = {}) {
  return {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
    ...extra,
  };
}

function send(res, status, body, extra = {}) {
  res.writeHead(status, baseHeaders({ 'Content-Type': 'text/plain; charset=utf-8', ...extra }));
  res.end(body);
}

async function handle(req, res, root) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return send(res, 400, 'bad request\n');
  }
  if (pathname.includes('\0')) return send(res, 400, 'bad request\n');
  if (pathname === '/' || pathname === '/index.html') return send(res, 302, 'see /web/\n', { Location: '/web/' + (new URL(req.url, 'http://x').search) });
  const top = pathname.split('/')[1];
  if (!SERVED.includes(top)) return send(res, 404, 'not found\n');
  if (pathname === '/' + top) return send(res, 301, '\n', { Location: '/' + top + '/' + new URL(req.url, 'http://x').search });

  const file = resolve(root, '.' + pathname);
  if (!file.startsWith(join(root, top) + sep) && file !== join(root, top)) return send(res, 403, 'forbidden\n');
  let target = file;
  let st;
  try {
    st = await fs.stat(target);
    if (st.isDirectory()) {
      target = join(target, 'index.html');
      st = await fs.stat(target);
    }
  } catch {
    return send(res, 404, 'not found\n');
  }
  if (!st.isFile()) return send(res, 404, 'not found\n');
  const type = MIME[extname(target).toLowerCase()] || 'application/octet-stream';
  const encoding = COMPRESSIBLE.test(type) ? pickEncoding(req.headers['accept-encoding']) : null;
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}${encoding ? `-${encoding}` : ''}"`;
  // Public static files: readable cross-origin, so the badge can be embedded on other sites (its module
  // scripts and the WASM are then CORS requests).
  const headers = {
    'Content-Type': type, 'Access-Control-Allow-Origin': '*', 'Cache-Control': cacheControl(pathname), ETag: etag,
    ...(COMPRESSIBLE.test(type) ? { Vary: 'Accept-Encoding' } : {}),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, baseHeaders(headers));
    return res.end();
  }
  if (encoding) {
    const body = await compressedBody(target, st, encoding);
    res.writeHead(200, baseHeaders({ ...headers, 'Content-Encoding': encoding, 'Content-Length': body.length }));
    return res.end(req.method === 'HEAD' ? undefined : body);
  }
  res.writeHead(200, baseHeaders({ ...headers, 'Content-Length': st.size }));
  if (req.method === 'HEAD') return res.end();
  createReadStream(target).on('error', () => res.destroy()).pipe(res);
}

/** Start the server. Resolves to { url, port, close() }; port 0 picks a free one. */
export function startServer({ port = 8080, host = '127.0.0.1', root = ROOT } = {}) {
  const server = createServer((req, res) => {
    handle(req, res, root).catch(() => { if (!res.headersSent) send(res, 500, 'internal error\n'); else res.destroy(); });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const a = server.address();
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      ok({
        url: `http://${h}:${a.port}`,
        port: a.port,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

function parseArgs(argv) {
  const o = { port: 8080, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--port') o.port = Number(val());
    else if (a.startsWith('--port=')) o.port = Number(a.slice(7));
    else if (a === '--host') o.host = val();
    else if (a.startsWith('--host=')) o.host = a.slice(7);
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument: ${a}`);
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) usage('--port must be 0..65535');
  return o;
}

function usage(err) {
  const text = 'usage: node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]\n';
  if (err) { process.stderr.write(`serve: ${err}\n${text}`); process.exit(2); }
  process.stdout.write(text); process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const o = parseArgs(process.argv.slice(2));
  startServer(o).then(({ url }) => {
    console.log(`cvm-verify web page: ${url}/web/`);
  }, (e) => { console.error(`serve: ${e.message}`); process.exit(1); });
}
