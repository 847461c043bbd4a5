// A minimal dstack app that makes itself verifiable (README "Make your app verifiable"): the two endpoints that cvm-verify's
// page, badge and CLI ask for, with CORS so that a browser on another origin may read them.
//
//   GET /attestation?reportData=<hex, at most 64 bytes>
//       -> the guest agent's GetQuote JSON {quote, event_log, report_data, vm_config}, with the verifier's
//          nonce as the quote's report_data: that is what proves the quote is fresh, not a replay.
//   GET /info
//       -> the guest agent's Info JSON (app id, tcb_info with the app-compose file and the event log, ...).
//
// It runs inside a dstack CVM with /var/run/dstack.sock mounted (docker-compose.yml) and talks to the guest
// agent through the dstack SDK (@phala/dstack-sdk). Settings (environment): PORT (default 8080), CORS_ORIGIN
// (default "*": the evidence is public by design; name your page's origin to restrict it),
// DSTACK_SIMULATOR_ENDPOINT (the SDK's: a simulator instead of the socket, for development).
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';

const HEX = /^(?:[0-9a-fA-F]{2}){1,64}$/;

/**
 * @typedef {object} QuoteClient what the server needs of the SDK's DstackClient
 * @property {(reportData: Uint8Array) => Promise<object>} getQuote
 * @property {() => Promise<object>} info
 */

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} headers
 */
function sendJson(res, status, body, headers) {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/**
 * The app's HTTP server (not yet listening).
 * @param {{client: QuoteClient, corsOrigin?: string, log?: (line: string) => void}} opts
 */
export function createAttestationServer({ client, corsOrigin = '*', log = () => {} }) {
  const cors = {
    'access-control-allow-origin': corsOrigin,
    'access-control-allow-methods': 'GET, OPTIONS',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '86400',
    vary: 'origin',
  };
  return createServer(async (req, res) => {
    const url = new URL(req.url || '/', 'http://app.invalid');
    if (req.method === 'OPTIONS') { res.writeHead(204, cors); res.end(); return; }
    if (req.method !== 'GET') { sendJson(res, 405, { error: 'only GET' }, { ...cors, allow: 'GET, OPTIONS' }); return; }
    try {
      if (url.pathname === '/attestation') {
        // The verifier's nonce, as hex (cvm-verify sends 32 random bytes). It goes into the quote as bytes:
        // the SDK would put a *string*'s UTF-8 characters into report_data, not the bytes it spells.
        const hex = url.searchParams.get('reportData') ?? url.searchParams.get('report_data') ?? '';
        if (!HEX.test(hex)) {
          sendJson(res, 400, { error: 'reportData must be 1 to 64 bytes of hex: the verifier\'s nonce, which goes into the quote so that it cannot be a replay' }, cors);
          return;
        }
        const quote = await client.getQuote(Buffer.from(hex, 'hex'));
        sendJson(res, 200, quote, cors);
        return;
      }
      if (url.pathname === '/info') {
        sendJson(res, 200, await client.info(), cors);
        return;
      }
      sendJson(res, 404, { error: 'not found: this app serves GET /attestation?reportData=<hex> and GET /info' }, cors);
    } catch (e) {
      // The guest agent failed or is unreachable: say so, never answer with something that looks like evidence.
      log(`guest agent error on ${url.pathname}: ${e instanceof Error ? e.message : e}`);
      sendJson(res, 502, { error: `the dstack guest agent did not answer: ${e instanceof Error ? e.message : e}` }, cors);
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const { DstackClient } = await import('@phala/dstack-sdk');
  const client = new DstackClient(); // /var/run/dstack.sock (or DSTACK_SIMULATOR_ENDPOINT)
  const port = Number(process.env.PORT || 8080);
  const server = createAttestationServer({ client, corsOrigin: process.env.CORS_ORIGIN || '*', log: (l) => console.error(l) });
  server.listen(port, process.env.HOST || '0.0.0.0', () => {
    const bound = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
    console.log(`attestation app on port ${bound}: GET /attestation?reportData=<hex>, GET /info`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
