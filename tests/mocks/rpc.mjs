// A loopback Ethereum JSON-RPC mock answering as the chain would for the app of the dstack 0.6.0 capture
// (tests/vectors/dstack/dstack-lite_getquote.json): its DstackApp (at the app id, as since mid-2025) allows the
// capture's compose hash and the given device ids; the DstackKms registers the app, allows the given OS images
// and holds the capture's key-provider id as kmsInfo().caPubkey. Methods: eth_chainId, eth_blockNumber, eth_call
// (params [{to, data}, blockTag]), answered with real ABI encodings. Every request is logged in `requests`.
// Modes (opts.mode), each a fault a real endpoint can show:
//   agree       the state above                      disagree   allowedComposeHashes answers false
//   revert      every eth_call reverts (code 3)      empty      calls to the app contract return 0x (no code)
//   malformed   the body is not JSON                 short      allowAnyDevice answers 31 bytes
//   badbool     allowedComposeHashes answers 2       slow       every answer waits opts.delayMs (default 2000)
//   wrongchain  eth_chainId answers 0x1
// Import: const m = await startMockRpc({ deviceIds: [hex], osImages: [hex] }); ... m.url ... await m.close();
// Run:    node tests/mocks/rpc.mjs [--port N] [--mode M]
import { createServer } from 'node:http';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listenMock } from './listen.mjs';

const CAPTURE = fileURLToPath(new URL('../vectors/dstack/dstack-lite_getquote.json', import.meta.url));
export const BASE_KMS = '0x2f83172a49584c017f2b256f0fb2dca14126ba9c';

/** The capture's RTMR3 values (app-id, compose-hash, os-image-hash, key-provider id), read from its event log. */
export function captureApp() {
  const ev = JSON.parse(readFileSync(CAPTURE, 'utf8'));
  const log = JSON.parse(ev.event_log);
  /** @param {string} name */
  const payload = (name) => log.find((/** @type {any} */ e) => e.imr === 3 && e.event === name).event_payload;
  const kp = JSON.parse(Buffer.from(payload('key-provider'), 'hex').toString('utf8'));
  return { appId: payload('app-id'), composeHash: payload('compose-hash'), osImageHash: payload('os-image-hash'), keyProviderId: kp.id };
}

const SEL = {
  owner: '8da5cb5b', allowedComposeHashes: '2f6622e5', allowAnyDevice: '3440a16a', allowedDeviceIds: 'bf8b211b',
  requireTcbUpToDate: '0aa58c83', registeredApps: 'a6c4cce9', allowedOsImages: '9a4e1d18', kmsInfo: '09177063',
};
const word = (/** @type {bigint | number} */ v) => BigInt(v).toString(16).padStart(64, '0');
const bool = (/** @type {boolean} */ b) => word(b ? 1 : 0);
/** ABI encoding of a tuple of dynamic `bytes` (hex strings). @param {string[]} fields */
function bytesTuple(fields) {
  let head = '', tail = '';
  let off = fields.length * 32;
  for (const f of fields) {
    head += word(off);
    const n = f.length / 2;
    const padded = f + '0'.repeat((Math.ceil(n / 32) * 32 - n) * 2);
    tail += word(n) + padded;
    off += 32 + padded.length / 2;
  }
  return head + tail;
}

/**
 * @param {object} [opts]
 * @param {string} [opts.mode] one of the modes above (default agree)
 * @param {number} [opts.port]
 * @param {number} [opts.chainId] default 8453 (Base)
 * @param {number} [opts.latest] the block eth_blockNumber answers (default 30000000)
 * @param {string} [opts.kms] the DstackKms address (default Phala's on Base)
 * @param {string[]} [opts.deviceIds] allowed device ids, hex (sha256 of PPIDs)
 * @param {string[]} [opts.osImages] allowed OS image hashes, hex (default: the capture's event-log claim)
 * @param {boolean} [opts.requireTcbUpToDate] default true
 * @param {boolean} [opts.allowAnyDevice] default false
 * @param {number} [opts.delayMs] for slow (default 2000)
 * @param {boolean} [opts.registered] registeredApps(app) answers this (default true)
 * @param {string} [opts.caPubkey] kmsInfo().caPubkey, hex (default: the capture's key-provider id)
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>, requests: any[]}>}
 */
export async function startMockRpc(opts = {}) {
  const mode = opts.mode ?? 'agree';
  const cap = captureApp();
  const app = '0x' + cap.appId.toLowerCase();
  const kms = (opts.kms ?? BASE_KMS).toLowerCase();
  const devices = new Set((opts.deviceIds ?? []).map((d) => d.toLowerCase()));
  const osImages = new Set((opts.osImages ?? [cap.osImageHash]).map((d) => d.toLowerCase()));
  const owner = '000000000000000000000000' + '5afe'.repeat(10);
  /** @type {any[]} */
  const requests = [];

  /** @param {{to: string, data: string}} tx @returns {{result?: string, error?: object}} */
  function call(tx) {
    if (mode === 'revert') return { error: { code: 3, message: 'execution reverted', data: '0x' } };
    const to = String(tx.to).toLowerCase();
    const data = String(tx.data).toLowerCase().replace(/^0x/, '');
    const sel = data.slice(0, 8), arg = data.slice(8);
    if (to === app) {
      if (mode === 'empty') return { result: '0x' };
      switch (sel) {
        case SEL.owner: return { result: '0x' + owner };
        case SEL.allowedComposeHashes: {
          if (mode === 'badbool') return { result: '0x' + word(2) };
          return { result: '0x' + bool(mode !== 'disagree' && arg === cap.composeHash.toLowerCase()) };
        }
        case SEL.allowAnyDevice: {
          const any = bool(opts.allowAnyDevice ?? false);
          return { result: '0x' + (mode === 'short' ? any.slice(2) : any) };
        }
        case SEL.allowedDeviceIds: return { result: '0x' + bool(devices.has(arg)) };
        case SEL.requireTcbUpToDate: return { result: '0x' + bool(opts.requireTcbUpToDate ?? true) };
        default: return { error: { code: 3, message: 'execution reverted', data: '0x' } };
      }
    }
    if (to === kms) {
      switch (sel) {
        case SEL.owner: return { result: '0x' + owner };
        case SEL.registeredApps: return { result: '0x' + bool((opts.registered ?? true) && arg === word(BigInt(app))) };
        case SEL.allowedOsImages: return { result: '0x' + bool(osImages.has(arg)) };
        case SEL.kmsInfo: return { result: '0x' + bytesTuple(['02' + 'ab'.repeat(32), opts.caPubkey ?? cap.keyProviderId, '', '']) };
        default: return { error: { code: 3, message: 'execution reverted', data: '0x' } };
      }
    }
    return { result: '0x' }; // any other address: no code
  }

  const server = createServer((req, res) => {
    // A browser's CORS preflight (the page posts JSON): allowed, as public endpoints do.
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' });
      res.end();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; if (body.length > 1 << 20) req.destroy(); });
    req.on('end', () => {
      let msg;
      try { msg = JSON.parse(body); } catch { msg = null; }
      requests.push(msg);
      const send = (/** @type {object} */ o) => {
        res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        res.end(mode === 'malformed' ? '{"jsonrpc":"2.0","id":' : JSON.stringify({ jsonrpc: '2.0', id: msg && msg.id, ...o }));
      };
      /** @type {object} */
      let out;
      if (!msg || msg.jsonrpc !== '2.0') out = { error: { code: -32600, message: 'invalid request' } };
      else if (msg.method === 'eth_chainId') out = { result: '0x' + (mode === 'wrongchain' ? 1 : opts.chainId ?? 8453).toString(16) };
      else if (msg.method === 'eth_blockNumber') out = { result: '0x' + (opts.latest ?? 30000000).toString(16) };
      else if (msg.method === 'eth_call') out = call(msg.params[0]);
      else out = { error: { code: -32601, message: 'method not found' } };
      if (mode === 'slow') setTimeout(() => send(out), opts.delayMs ?? 2000);
      else send(out);
    });
  });
  return listenMock(server, opts, requests);
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const arg = (/** @type {string} */ f) => { const i = process.argv.indexOf(f); return i > 0 ? process.argv[i + 1] : undefined; };
  const m = await startMockRpc({ port: Number(arg('--port') ?? 0), mode: arg('--mode') });
  console.log(`mock JSON-RPC (${arg('--mode') ?? 'agree'}) on ${m.url}`);
}
