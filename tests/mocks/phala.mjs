// A mock Phala Cloud API for tests: serves the reconstructed app-attestations response
// (tests/vectors/phala/app_attestations_reconstructed.json) at GET /api/v1/apps/{app_id}/attestations.
//   - the known app id -> 200 with the response; any other 40-hex id -> 404 {"detail": "App not found"}
// With CORS headers by default (cors: false omits them). Import: const api = await startMockPhala(); api.url
// is the base to pass as --phala-api (".../api/v1"). Run: node tests/mocks/phala.mjs [--port N] [--no-cors]
import { createServer } from 'node:http';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listenMock } from './listen.mjs';

export const PHALA_APP_ATTESTATIONS = readFileSync(
  fileURLToPath(new URL('../vectors/phala/app_attestations_reconstructed.json', import.meta.url)), 'utf8');
export const PHALA_APP_ID = JSON.parse(PHALA_APP_ATTESTATIONS).app_id;

/**
 * @param {object} [opts]
 * @param {number} [opts.port]
 * @param {string} [opts.host]
 * @param {boolean} [opts.cors] default true
 * @param {string | Uint8Array} [opts.body] the response body for the known app (default the reconstruction)
 * @param {number} [opts.status] its HTTP status (default 200)
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>, requests: {method: string, path: string}[]}>}
 */
export async function startMockPhala(opts = {}) {
  const cors = opts.cors !== false;
  const body = opts.body ?? PHALA_APP_ATTESTATIONS;
  const status = opts.status ?? 200;
  /** @type {{method: string, path: string}[]} */
  const requests = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url || '/', 'http://localhost');
    requests.push({ method: req.method || '', path: u.pathname });
    /** @type {Record<string, string>} */
    const h = cors ? { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': '*' } : {};
    if (req.method === 'OPTIONS') { res.writeHead(204, h); res.end(); return; }
    if (req.method !== 'GET') { res.writeHead(405, h); res.end(); return; }
    const m = /^\/api\/v1\/apps\/([0-9a-f]{40})\/attestations$/.exec(u.pathname);
    if (m && m[1] === PHALA_APP_ID) {
      res.writeHead(status, { ...h, 'content-type': 'application/json' });
      res.end(status === 200 ? body : '{"detail":"mock failure"}');
      return;
    }
    res.writeHead(404, { ...h, 'content-type': 'application/json' });
    res.end('{"detail":"App not found"}');
  });
  const m = await listenMock(server, opts, requests);
  return { ...m, url: `${m.url}/api/v1` };
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const i = process.argv.indexOf('--port');
  const api = await startMockPhala({ port: i > 0 ? Number(process.argv[i + 1]) : 0, cors: !process.argv.includes('--no-cors') });
  console.log(`mock Phala Cloud API: ${api.url} (app ${PHALA_APP_ID})`);
}
