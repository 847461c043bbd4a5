// The shim's half of on-chain governance (docs/governance.md): the verify flow's resolver for the core's
// needs.chain_calls (js/needs.js) asks the chain (js/chain.js) and hands the raw answers back to the core as
// chain_answers; governanceFor does the same for a finished report (the standalone "governance" op). Every
// judgement is the core's: this only moves data.
import { askChain } from './chain.js';
import { codedError } from './util.js';

/**
 * @param {any} report a cvm-verify/report/v1
 * @param {{chain?: import('./chain-args.js').ChainOptions, governance?: 'off' | 'auto' | 'require', osImageBound?: boolean,
 *          fetch?: typeof globalThis.fetch, signal?: AbortSignal, timeoutMs?: number,
 *          core?: (request: object) => Promise<any>}} [opts]  core: the core runner (default: the WASM's)
 * @returns {Promise<{check: any, could_not_judge?: boolean, governance?: any}>}
 */
export async function governanceFor(report, opts = {}) {
  // The WASM runner is loaded only here, so that display code (js/format.js) can import this module cheaply.
  const core = opts.core || (async (/** @type {object} */ r) => (await import('./wasm.js')).run(r));
  const chain = opts.chain || {};
  const input = {
    report,
    mode: opts.governance || 'auto',
    os_image_bound: opts.osImageBound === true,
    chain: { chainId: chain.chainId, appContract: chain.appContract, kmsContract: chain.kmsContract },
  };
  const first = await core({ op: 'governance', input });
  if (first.error) throw codedError(first.error.code, first.error.message);
  const plan = first.needs.chain_calls;
  if (!plan.run) return { check: first.check, could_not_judge: first.could_not_judge };
  const answers = await askChain(plan, { rpcUrls: chain.rpcUrls, chainId: chain.chainId, fetch: opts.fetch, signal: opts.signal, timeoutMs: opts.timeoutMs });
  const second = await core({ op: 'governance', input, chain_answers: answers });
  if (second.error) throw codedError(second.error.code, second.error.message);
  return second;
}

/**
 * The resolver of needs.chain_calls (registered in js/needs.js): ask every endpoint (options.chain.rpcUrls, else
 * the chain's defaults in js/chain.js) for the planned calls at one pinned block. An endpoint's fault is in its
 * answers (the core decides CHAIN_UNAVAILABLE ...); nothing here judges.
 * @type {import('./needs.js').Resolver}
 */
export const chainCallsResolver = {
  kind: 'chain_calls',
  async resolve(need, ctx) {
    if (!need || need.run !== true || !Array.isArray(need.calls)) return undefined;
    const o = ctx.options || {};
    const chain = o.chain || {};
    const chain_answers = await askChain(need, { rpcUrls: chain.rpcUrls, chainId: need.chain_id, fetch: o.fetch, signal: o.signal, timeoutMs: o.timeoutMs });
    return { chain_answers };
  },
};

/**
 * options.chain of the API as the core's request member `chain` ({chain_id, app_contract, kms_contract}; rpcUrls
 * stays in the shim). The core validates the values; this checks the shape and the endpoint URLs.
 * @param {unknown} chain
 * @returns {{chain_id?: number, app_contract?: string, kms_contract?: string} | undefined}
 */
export function toCoreChain(chain) {
  if (chain === undefined || chain === null) return undefined;
  if (typeof chain !== 'object' || Array.isArray(chain)) throw codedError('REQUEST_MALFORMED', 'options.chain must be an object {rpcUrls, chainId, appContract, kmsContract}');
  const c = /** @type {Record<string, any>} */ (chain);
  for (const k of Object.keys(c)) if (!['rpcUrls', 'chainId', 'appContract', 'kmsContract'].includes(k)) throw codedError('REQUEST_MALFORMED', `unknown options.chain member "${k}" (known: rpcUrls, chainId, appContract, kmsContract)`);
  if (c.rpcUrls !== undefined) {
    if (!Array.isArray(c.rpcUrls) || c.rpcUrls.length > 8) throw codedError('REQUEST_MALFORMED', 'options.chain.rpcUrls must be a list of at most 8 http(s) URLs');
    for (const u of c.rpcUrls) {
      let ok = false;
      try { ok = ['https:', 'http:'].includes(new URL(String(u)).protocol); } catch { ok = false; }
      if (!ok) throw codedError('REQUEST_MALFORMED', `options.chain.rpcUrls: "${u}" is not an http(s) URL`);
    }
  }
  /** @type {{chain_id?: number, app_contract?: string, kms_contract?: string}} */
  const out = {};
  if (c.chainId !== undefined) out.chain_id = c.chainId;
  if (c.appContract !== undefined) out.app_contract = c.appContract;
  if (c.kmsContract !== undefined) out.kms_contract = c.kmsContract;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The CLI's short text of a report's governance section: the block, the endpoints and each call's answer.
 * @param {any} g report.governance
 * @returns {string[]} lines (without indentation)
 */
export function governanceLines(g) {
  if (!g || !g.ran) return [];
  const lines = [`chain ${g.chain_id}, block ${g.block_number ?? 'none agreed'} ("allowed now" is not "allowed at boot")`];
  for (const e of g.endpoints || []) lines.push(`endpoint ${e.url}${e.error ? `: ${e.error}` : ''}`);
  for (const c of g.calls || []) {
    const ans = c.answer === undefined ? 'not answered' : c.answer === 'revert' ? 'reverted'
      : c.value === true || c.value === false ? String(c.value)
        : /owner$/.test(c.purpose) && typeof c.result === 'string' && c.result.length === 66 ? '0x' + c.result.slice(26) : c.answer;
    lines.push(`${c.purpose} -> ${ans}${c.status ? ` (${c.status}${c.code && c.code !== 'OK' ? ' ' + c.code : ''})` : ''}`);
  }
  return lines;
}
