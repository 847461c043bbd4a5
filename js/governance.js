// The shim's half of on-chain governance, for a finished report (docs/governance.md): ask the core which calls
// it needs, ask the chain (js/chain.js), hand the raw answers back to the core. Every judgement is the core's:
// this only moves data. Until the verify request takes `chain_answers` itself, callers can attach the result to
// a report; the intended wiring is the two-phase verify request of docs/governance.md.
import { askChain } from './chain.js';
import { run } from './wasm.js';
import { codedError } from './util.js';

/**
 * @param {any} report a cvm-verify/report/v1
 * @param {{chain?: import('./chain-args.js').ChainOptions, governance?: 'off' | 'auto' | 'require', osImageBound?: boolean,
 *          fetch?: typeof globalThis.fetch, signal?: AbortSignal, timeoutMs?: number,
 *          core?: (request: object) => Promise<any>}} [opts]  core: the core runner (default: the WASM's)
 * @returns {Promise<{check: any, could_not_judge?: boolean, governance?: any}>}
 */
export async function governanceFor(report, opts = {}) {
  const core = opts.core || ((/** @type {object} */ r) => run(r));
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
