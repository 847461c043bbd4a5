// The needs resolver for an app's collateral (issue 16): the core lists, in needs.collateral, each platform of an
// app's CVMs it has no collateral for; this fetches them. Kept apart from js/app.js so that the badge bundle, which
// loads js/needs.js, does not carry the app report's text rendering.
import { fetchCollateralFor, DEFAULT_PCCS_URL } from './collateral.js';

/**
 * The needs resolver for `needs.collateral` ([{tee, fmspc, pck_ca}], one per platform the core has no collateral
 * for): fetches each from the PCCS and answers `{collaterals: [...]}`. A platform whose collateral cannot be fetched
 * is left out: the core then judges that CVM without collateral (a failing check naming it).
 * @type {import('./needs.js').Resolver}
 */
export const collateralResolver = {
  kind: 'collateral',
  async resolve(list, ctx) {
    if (!Array.isArray(list)) return undefined;
    const o = ctx.options || {};
    const out = [];
    for (const n of list.slice(0, 16)) {
      try {
        out.push(await fetchCollateralFor({ tee: n.tee, fmspc: n.fmspc, pckCa: n.pck_ca }, {
          pccsUrl: o.pccsUrl ?? DEFAULT_PCCS_URL, fetch: o.fetch, signal: o.signal, timeoutMs: o.timeoutMs,
          cache: o.cache, rootCrlFallback: o.rootCrlFallback === true,
        }));
      } catch (e) {
        if (o.signal && o.signal.aborted) throw e;
      }
    }
    return out.length ? { collaterals: out } : undefined;
  },
};

