// A mock dstack app for tests (Node and browser tests): serves the recorded near/mpc attestation.
//   GET /attestation?reportData=<hex>  -> tests/vectors/dstack/near-mpc_getquote.json, whatever reportData was
//                                        asked for (like a replaying attacker: the recording cannot carry a
//                                        fresh nonce)
//   GET /info                          -> tests/vectors/dstack/near-mpc_info.json
// With CORS headers by default (cors: false omits them, to test CORS_BLOCKED in a browser).
// Import: const cvm = await startMockCvm(); ... cvm.url ... await cvm.close();
// Run:    node tests/mocks/cvm.mjs [--port N] [--no-cors]
import { createServer } from 'node:http';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listenMock } from './listen.mjs';

const VECTORS = fileURLToPath(new URL('../vectors/dstack/', import.meta.url));
export const NEAR_MPC_GETQUOTE = readFileSync(VECTORS + 'near-mpc_getquote.json', 'utf8');
export const NEAR_MPC_INFO = readFileSync(VECTORS + 'near-mpc_info.json', 'utf8');

/** @param {unknown} v */
function body(v) {
  if (typeof v === 'string' || v instanceof Uint8Array) return v;
  return JSON.stringify(v);
}

/**
 * @param {object} [opts]
 * @param {number} [opts.port] default: an ephemeral port
 * @param {string} [opts.host] default 127.0.0.1
 * @param {boolean} [opts.cors] send Access-Control-Allow-Origin (default true)
 * @param {unknown} [opts.attestation] the /attestation body (object, text or bytes); default the near/mpc GetQuote
 * @param {unknown} [opts.info] the /info body; default the near/mpc Info; null -> 404
 * @param {number} [opts.attestationStatus] HTTP status of /attestation (default 200)
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>, requests: {method: string, path: string, query: Record<string, string>}[]}>}
 */
export async function startMockCvm(opts = {}) {
  const cors = opts.cors !== false;
  const attestation = opts.attestation === undefined ? NEAR_MPC_GETQUOTE : body(opts.attestation);
  const info = opts.info === undefined ? NEAR_MPC_INFO : opts.info === null ? null : body(opts.info);
  const status = opts.attestationStatus ?? 200;
  /** @type {{method: string, path: string, query: Record<string, string>}[]} */
  const requests = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url || '/', 'http://localhost');
    requests.push({ method: req.method || '', path: u.pathname, query: Object.fromEntries(u.searchParams) });
    /** @type {Record<string, string>} */
    const h = {};
    if (cors) {
      h['access-control-allow-origin'] = '*';
      h['access-control-allow-methods'] = 'GET, OPTIONS';
      h['access-control-allow-headers'] = '*';
    }
    if (req.method === 'OPTIONS') { res.writeHead(204, h); res.end(); return; }
    if (req.method !== 'GET') { res.writeHead(405, h); res.end(); return; }
    if (u.pathname === '/attestation') {
      res.writeHead(status, { ...h, 'content-type': 'application/json' });
      res.end(status === 200 ? attestation : '{"error":"mock failure"}');
      return;
    }
    if (u.pathname === '/info' && info !== null) {
      res.writeHead(200, { ...h, 'content-type': 'application/json' });
      res.end(info);
      return;
    }
    res.writeHead(404, { ...h, 'content-type': 'text/plain' });
    res.end('not found');
  });
  return listenMock(server, opts, requests);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const i = process.argv.indexOf('--port');
  const m = await startMockCvm({ port: i > 0 ? Number(process.argv[i + 1]) : 0, cors: !process.argv.includes('--no-cors') });
  console.log(m.url);
}
