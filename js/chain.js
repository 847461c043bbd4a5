// On-chain governance: the JSON-RPC client. I/O only — the core (src/governance.c) plans the calls and judges
// the answers (docs/governance.md). For every configured endpoint: eth_chainId and eth_blockNumber, then each
// planned eth_call at ONE pinned block shared by all endpoints, so their answers can be compared byte for byte.
// Browser-safe: fetch only, no web3 library.
import { codedError } from './util.js';
import { readCapped } from './http.js';

/**
 * Default endpoints: two public endpoints of independent operators per chain, so that one lying or stale
 * endpoint shows as CHAIN_DISAGREEMENT instead of deciding alone. Replace them with options.chain.rpcUrls
 * (CLI --chain-rpc): your own node is the strongest choice. All of these answer browsers (CORS).
 * @type {Record<number, string[]>}
 */
export const DEFAULT_RPC_URLS = Object.freeze({
  8453: ['https://mainnet.base.org', 'https://base-rpc.publicnode.com'],
  1: ['https://ethereum-rpc.publicnode.com', 'https://eth.llamarpc.com'],
});

/**
 * Blocks behind the lowest "latest" of the endpoints: an endpoint a block or two behind the others can still
 * answer for the pinned block, and a block that deep is unlikely to be reorganised (Base and Ethereum
 * reorganisations are shallow). Governance changes take effect a few seconds later in the report; "allowed now"
 * is anyway not "allowed at boot".
 */
export const CONFIRMATIONS = 3;

const DEFAULT_TIMEOUT_MS = 8000;
// kmsInfo() returns the KMS's quote and event log: tens of KiB hex-encoded; anything far beyond is refused.
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
const MAX_ENDPOINTS = 8;

/**
 * @typedef {object} ChainCall
 * @property {string} to       0x-address
 * @property {string} data     0x-calldata
 * @property {string} purpose  e.g. app.allowedComposeHashes
 */

/**
 * @typedef {object} EndpointAnswers  what the core's chain_answers.endpoints[] holds, raw from the endpoint
 * @property {string} url
 * @property {string} [chain_id]  eth_chainId's result, as sent
 * @property {string} [latest]    eth_blockNumber's result, as sent
 * @property {string} [block]     the pinned block the calls were made at (0x-quantity)
 * @property {unknown[]} [results] per planned call: {result} or {error} as the endpoint sent them
 * @property {string} [error]     why this endpoint gave no usable answer
 */

/**
 * One JSON-RPC request: POST, a timeout, a size cap. Resolves to the response object's `result` or `error`
 * member (raw), or throws a coded Error (FETCH_FAILED) for transport faults and non-JSON-RPC answers.
 * @param {string} url
 * @param {string} method
 * @param {unknown[]} params
 * @param {{fetch?: typeof globalThis.fetch, timeoutMs?: number, maxBytes?: number, signal?: AbortSignal, id?: number}} opts
 * @returns {Promise<{result?: unknown, error?: unknown}>}
 */
export async function rpc(url, method, params, opts = {}) {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const fetchFn = opts.fetch || globalThis.fetch.bind(globalThis);
  const id = opts.id ?? 1;
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; ctl.abort(); }, timeoutMs);
  const onAbort = () => ctl.abort();
  if (opts.signal) opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
      signal: ctl.signal,
      credentials: 'omit',
      redirect: 'error',
    });
    if (!res.ok) throw codedError('FETCH_FAILED', `${method} at ${url}: HTTP ${res.status}`);
    const text = new TextDecoder().decode(await readCapped(res, maxBytes,
      () => codedError('FETCH_FAILED', `the answer of ${url} is larger than ${maxBytes} bytes; refusing it`)));
    let msg;
    try { msg = JSON.parse(text); } catch { throw codedError('FETCH_FAILED', `${method} at ${url}: the answer is not JSON`); }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg) || msg.id !== id || !('result' in msg || 'error' in msg)) {
      throw codedError('FETCH_FAILED', `${method} at ${url}: the answer is not a JSON-RPC response to this request`);
    }
    return 'error' in msg && msg.error !== undefined && msg.error !== null ? { error: msg.error } : { result: msg.result };
  } catch (e) {
    if (timedOut) throw codedError('FETCH_FAILED', `${method} at ${url}: timed out after ${timeoutMs} ms`, e);
    const err = /** @type {any} */ (e);
    if (err && err.code === 'FETCH_FAILED') throw err;
    throw codedError('FETCH_FAILED', `${method} at ${url}: ${err && err.message ? err.message : String(e)}`, e);
  } finally {
    clearTimeout(timer);
    if (opts.signal) opts.signal.removeEventListener('abort', onAbort);
  }
}

/** @param {unknown} s */
const quantity = (s) => (typeof s === 'string' && /^0x(0|[1-9a-f][0-9a-f]{0,15})$/i.test(s) ? BigInt(s) : null);

/**
 * Ask every endpoint for the planned calls at one pinned block. Never throws for an endpoint's fault: each
 * endpoint's entry carries its raw answers or its error, and the core decides (CHAIN_UNAVAILABLE, ...).
 * @param {{chain_id?: number, calls: ChainCall[]}} plan  the core's needs.chain_calls
 * @param {{rpcUrls?: string[], chainId?: number, fetch?: typeof globalThis.fetch, timeoutMs?: number, maxBytes?: number, confirmations?: number, signal?: AbortSignal}} [opts]
 * @returns {Promise<{calls: {to: string, data: string}[], endpoints: EndpointAnswers[]}>}  the core's chain_answers
 */
export async function askChain(plan, opts = {}) {
  const chainId = opts.chainId ?? plan.chain_id;
  const urls = (opts.rpcUrls && opts.rpcUrls.length ? opts.rpcUrls : (chainId !== undefined && DEFAULT_RPC_URLS[chainId]) || [])
    .slice(0, MAX_ENDPOINTS);
  const depth = BigInt(opts.confirmations ?? CONFIRMATIONS);
  // Echoed so that the core can check the answers are for its plan.
  const calls = plan.calls.map((c) => ({ to: c.to, data: c.data }));
  const base = { fetch: opts.fetch, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes, signal: opts.signal };

  /** @type {EndpointAnswers[]} */
  const eps = await Promise.all(urls.map(async (url) => {
    /** @type {EndpointAnswers} */
    const ep = { url };
    try {
      const [cid, latest] = await Promise.all([
        rpc(url, 'eth_chainId', [], { ...base, id: 1 }),
        rpc(url, 'eth_blockNumber', [], { ...base, id: 2 }),
      ]);
      if (cid.error !== undefined) throw codedError('FETCH_FAILED', `eth_chainId at ${url} failed: ${JSON.stringify(cid.error).slice(0, 120)}`);
      if (latest.error !== undefined) throw codedError('FETCH_FAILED', `eth_blockNumber at ${url} failed: ${JSON.stringify(latest.error).slice(0, 120)}`);
      ep.chain_id = /** @type {string} */ (cid.result);
      ep.latest = /** @type {string} */ (latest.result);
      if (quantity(ep.latest) === null) throw codedError('FETCH_FAILED', `eth_blockNumber at ${url} is not a quantity`);
    } catch (e) {
      ep.error = /** @type {any} */ (e).message;
    }
    return ep;
  }));

  // One block for everyone: the lowest latest of the endpoints that answered, minus the confirmation depth.
  const heads = eps.map((e) => (e.error ? null : quantity(e.latest))).filter((b) => b !== null);
  if (heads.length === 0) return { calls, endpoints: eps };
  let pinned = heads.reduce((a, b) => (/** @type {bigint} */ (b) < /** @type {bigint} */ (a) ? b : a));
  pinned = /** @type {bigint} */ (pinned) > depth ? /** @type {bigint} */ (pinned) - depth : 0n;
  const blockTag = '0x' + pinned.toString(16);

  await Promise.all(eps.map(async (ep) => {
    if (ep.error) return;
    ep.block = blockTag;
    try {
      ep.results = await Promise.all(plan.calls.map((c, i) =>
        rpc(ep.url, 'eth_call', [{ to: c.to, data: c.data }, blockTag], { ...base, id: 10 + i })));
    } catch (e) {
      delete ep.results;
      ep.error = /** @type {any} */ (e).message;
    }
  }));
  return { calls, endpoints: eps };
}
