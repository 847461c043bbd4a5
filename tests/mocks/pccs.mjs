// A mock PCCS for tests (Node and browser tests), serving the recorded near/mpc collateral
// (tests/vectors/dstack/near-mpc_collateral.json) at the real PCCS v4 paths, in the real wire formats:
//   GET /sgx/certification/v4/pckcrl?ca=platform&encoding=der   body: DER; SGX-PCK-CRL-Issuer-Chain (URL-encoded PEM)
//   GET /tdx/certification/v4/tcb?fmspc=B0C06F000000            body: {"tcbInfo":<exact signed text>,"signature":hex};
//                                                               TCB-Info-Issuer-Chain (URL-encoded PEM)
//   GET /tdx/certification/v4/qe/identity?update=standard       body: {"enclaveIdentity":...,"signature":hex};
//                                                               SGX-Enclave-Identity-Issuer-Chain
//   GET /sgx/certification/v4/rootcacrl                         body: the DER CRL as HEX TEXT (Intel PCCS quirk)
// Other ca / fmspc / tee values get 404, so tests catch wrong parameters. Every request is logged in
// `requests`. CORS (Allow-Origin and Expose-Headers, OPTIONS) on by default.
// Import: const pccs = await startMockPccs(); ... pccs.url ... await pccs.close();
// Run:    node tests/mocks/pccs.mjs [--port N] [--no-cors]
import { createServer } from 'node:http';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listenMock } from './listen.mjs';

const VECTORS = fileURLToPath(new URL('../vectors/dstack/', import.meta.url));
export const NEAR_MPC_COLLATERAL = JSON.parse(readFileSync(VECTORS + 'near-mpc_collateral.json', 'utf8'));

export const EXPOSED_HEADERS = 'SGX-PCK-CRL-Issuer-Chain, PCK-CRL-Issuer-Chain, SGX-TCB-Info-Issuer-Chain, TCB-Info-Issuer-Chain, SGX-Enclave-Identity-Issuer-Chain, Enclave-Identity-Issuer-Chain';

/**
 * @param {object} [opts]
 * @param {number} [opts.port] default: an ephemeral port
 * @param {string} [opts.host] default 127.0.0.1
 * @param {Record<string, any>} [opts.collateral] QuoteCollateralV3 to serve (default near/mpc's)
 * @param {string} [opts.fmspc] the only FMSPC served (default B0C06F000000)
 * @param {string} [opts.pckCa] the only PCK CA served (default platform)
 * @param {string} [opts.tee] the only TEE path served for tcb and qe/identity (default tdx)
 * @param {boolean} [opts.cors] send Access-Control-Allow-Origin (default true)
 * @param {boolean} [opts.exposeHeaders] send Access-Control-Expose-Headers (default true)
 * @param {boolean} [opts.legacyHeaderNames] use SGX-TCB-Info-Issuer-Chain instead of TCB-Info-Issuer-Chain
 * @param {'hex' | 'der' | 'pem' | 'none'} [opts.rootCaCrl] how rootcacrl is served (default hex text; none -> 404)
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>, requests: {method: string, path: string, query: Record<string, string>}[]}>}
 */
export async function startMockPccs(opts = {}) {
  const c = opts.collateral ?? NEAR_MPC_COLLATERAL;
  const fmspc = opts.fmspc ?? 'B0C06F000000';
  const pckCa = opts.pckCa ?? 'platform';
  const tee = opts.tee ?? 'tdx';
  const cors = opts.cors !== false;
  const expose = opts.exposeHeaders !== false;
  const rootMode = opts.rootCaCrl ?? 'hex';
  /** @type {{method: string, path: string, query: Record<string, string>}[]} */
  const requests = [];
  const rootDer = Buffer.from(c.root_ca_crl, 'hex');
  const rootPem = `-----BEGIN X509 CRL-----\n${rootDer.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END X509 CRL-----\n`;

  const server = createServer((req, res) => {
    const u = new URL(req.url || '/', 'http://localhost');
    const q = Object.fromEntries(u.searchParams);
    requests.push({ method: req.method || '', path: u.pathname, query: q });
    /** @type {Record<string, string>} */
    const h = {};
    if (cors) {
      h['access-control-allow-origin'] = '*';
      h['access-control-allow-methods'] = 'GET, OPTIONS';
      h['access-control-allow-headers'] = '*';
      if (expose) h['access-control-expose-headers'] = EXPOSED_HEADERS;
    }
    if (req.method === 'OPTIONS') { res.writeHead(204, h); res.end(); return; }
    const send = (/** @type {number} */ status, /** @type {string | Buffer} */ b, /** @type {Record<string, string>} */ extra = {}) => {
      res.writeHead(status, { ...h, ...extra });
      res.end(b);
    };
    const notFound = () => send(404, 'Not Found', { 'content-type': 'text/plain' });
    if (req.method !== 'GET') { send(405, ''); return; }
    const p = u.pathname;
    if (p === '/sgx/certification/v4/pckcrl') {
      if (q.ca !== pckCa || q.encoding !== 'der') return notFound();
      return send(200, Buffer.from(c.pck_crl, 'hex'), {
        'content-type': 'application/pkix-crl',
        'SGX-PCK-CRL-Issuer-Chain': encodeURIComponent(c.pck_crl_issuer_chain),
      });
    }
    if (p === `/${tee}/certification/v4/tcb`) {
      if (q.fmspc !== fmspc) return notFound();
      return send(200, `{"tcbInfo":${c.tcb_info},"signature":"${c.tcb_info_signature}"}`, {
        'content-type': 'application/json',
        [opts.legacyHeaderNames ? 'SGX-TCB-Info-Issuer-Chain' : 'TCB-Info-Issuer-Chain']: encodeURIComponent(c.tcb_info_issuer_chain),
      });
    }
    if (p === `/${tee}/certification/v4/qe/identity`) {
      if (q.update !== 'standard') return notFound();
      return send(200, `{"enclaveIdentity":${c.qe_identity},"signature":"${c.qe_identity_signature}"}`, {
        'content-type': 'application/json',
        'SGX-Enclave-Identity-Issuer-Chain': encodeURIComponent(c.qe_identity_issuer_chain),
      });
    }
    if (p === '/sgx/certification/v4/rootcacrl') {
      if (rootMode === 'none') return notFound();
      if (rootMode === 'der') return send(200, rootDer, { 'content-type': 'application/pkix-crl' });
      if (rootMode === 'pem') return send(200, rootPem, { 'content-type': 'application/x-pem-file' });
      return send(200, c.root_ca_crl, { 'content-type': 'text/plain' });
    }
    return notFound();
  });
  return listenMock(server, opts, requests);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const i = process.argv.indexOf('--port');
  const m = await startMockPccs({ port: i > 0 ? Number(process.argv[i + 1]) : 0, cors: !process.argv.includes('--no-cors') });
  console.log(m.url);
}
