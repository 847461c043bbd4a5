// The core decides, the shim fetches: a report may carry `needs`, the core's list of what it could judge only
// with more from the network (chain answers, provenance bundles, an OS manifest...). Each resolver below fetches
// one kind and returns the request members that carry the answers; verifyValue then runs the core again with
// them. Resolvers never judge: whatever they return, the core decides (and a resolver that cannot fetch leaves
// the need unanswered, which the core reports in the check it concerns).
import { chainCallsResolver } from './governance.js';

import { resolveProvenance } from './provenance.js';
import { collateralResolver } from './app-collateral.js';

/**
 * @typedef {object} NeedContext
 * @property {Record<string, any>} options   the caller's verify options (fetch, signal, timeoutMs, chain, ...)
 * @property {Record<string, any>} request   the core request that produced the needs
 */

/**
 * @typedef {object} Resolver
 * @property {string} kind     the key in report.needs this resolver answers
 * @property {(need: any, ctx: NeedContext) => Promise<Record<string, any> | undefined>} resolve
 *   the request members to add (e.g. `{ chain_answers }`), or undefined when there is nothing to add
 */

import { resolveOsCatalog } from './os.js';

/** @type {Resolver[]} */
export const RESOLVERS = [
  collateralResolver, // needs.collateral: one collateral per platform of an app's CVMs (js/app-collateral.js, issue 16)
  // One line per kind, in the order the core should receive answers.
  chainCallsResolver, // needs.chain_calls -> chain_answers (js/governance.js; docs/governance.md)
  { kind: 'provenance', resolve: resolveProvenance }, // issue 20: Sigstore bundles of the pinned images
  { kind: 'os_catalog', resolve: resolveOsCatalog }, // js/os.js: the shipped OS image catalog
];

/** At most this many extra core runs: answers to one need may raise another (e.g. a KMS's own needs). */
export const MAX_NEED_ROUNDS = 3;

/**
 * The request members answering the report's needs, or undefined when none can be answered.
 * @param {Record<string, any> | undefined} needs
 * @param {NeedContext} ctx
 * @param {Resolver[]} [resolvers]
 */
export async function answerNeeds(needs, ctx, resolvers = RESOLVERS) {
  if (!needs || typeof needs !== 'object') return undefined;
  /** @type {Record<string, any>} */
  const extra = {};
  for (const r of resolvers) {
    if (!(r.kind in needs)) continue;
    const members = await r.resolve(needs[r.kind], ctx);
    if (!members) continue;
    for (const [k, v] of Object.entries(members)) if (!(k in ctx.request)) extra[k] = v;
  }
  return Object.keys(extra).length ? extra : undefined;
}
