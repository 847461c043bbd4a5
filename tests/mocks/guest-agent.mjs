// A stand-in for the dstack guest agent (dstack.md section 1.1: HTTP over the UNIX socket /var/run/dstack.sock)
// for tests of apps that call it through the dstack SDK, such as examples/dstack-app/server.mjs. It answers
// from the recorded near/mpc vectors:
//   POST /GetQuote {"report_data": "<hex>"} (or GET /GetQuote?report_data=<hex>)
//        -> tests/vectors/dstack/near-mpc_getquote.json. The recording cannot carry the caller's report_data,
//           so a verifier must find freshness.nonce failing; the request log shows what the app asked for.
//   POST /Info -> tests/vectors/dstack/near-mpc_info.json (tcb_info a JSON string, as the raw API sends it)
// Import: const agent = await startMockGuestAgent({ socketPath }); ... await agent.close();
import { createServer } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VECTORS = fileURLToPath(new URL('../vectors/dstack/', import.meta.url));
const GETQUOTE = readFileSync(VECTORS + 'near-mpc_getquote.json', 'utf8');
const INFO = readFileSync(VECTORS + 'near-mpc_info.json', 'utf8');
const MAX_BODY = 64 * 1024;

/**
 * @param {{socketPath: string, fail?: boolean}} opts fail: answer every call with the agent's error shape
 * @returns {Promise<{socketPath: string, requests: {method: string, path: string, reportData?: string}[], close: () => Promise<void>}>}
 */
export async function startMockGuestAgent(opts) {
  /** @type {{method: string, path: string, reportData?: string}[]} */
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://localhost');
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; if (body.length > MAX_BODY) req.destroy(); });
    req.on('end', () => {
      /** @param {number} status @param {string} text */
      const send = (status, text) => {
        // The SDK reads exactly Content-Length bytes of a UNIX-socket answer (no chunked encoding).
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(text);
      };
      /** @type {Record<string, any>} */
      let args = {};
      try { args = body ? JSON.parse(body) : Object.fromEntries(url.searchParams); } catch { send(400, '{"error":"bad JSON"}'); return; }
      const entry = { method: req.method || '', path: url.pathname };
      if (url.pathname === '/GetQuote') Object.assign(entry, { reportData: String(args.report_data ?? '') });
      requests.push(entry);
      if (opts.fail) { send(200, '{"error":"mock guest agent failure"}'); return; }
      if (url.pathname === '/GetQuote') {
        if (!/^(?:[0-9a-f]{2}){0,64}$/.test(entry.reportData || '')) { send(200, '{"error":"report_data must be at most 64 bytes of hex"}'); return; }
        send(200, GETQUOTE);
      } else if (url.pathname === '/Info') {
        send(200, INFO);
      } else {
        send(404, '{"error":"no such method"}');
      }
    });
  });
  rmSync(opts.socketPath, { force: true });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(opts.socketPath, () => resolve(undefined)); });
  return {
    socketPath: opts.socketPath,
    requests,
    close: () => new Promise((resolve) => { server.close(() => resolve(undefined)); server.closeAllConnections(); }),
  };
}
