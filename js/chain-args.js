// Command-line flags and API options of on-chain governance (docs/governance.md). Kept apart from js/args.js so
// that wiring it in is three lines there: spread CHAIN_FLAGS into FLAGS, merge chainOptions(flags) into the
// options in finish(), append CHAIN_HELP to HELP. Pure: no Node APIs.

/** flag -> [key, kind], the shape of js/args.js's FLAGS table. */
export const CHAIN_FLAGS = Object.freeze(/** @type {Record<string, [string, 'value' | 'multi' | 'bool']>} */ ({
  '--chain-rpc': ['chainRpc', 'multi'],
  '--chain-id': ['chainId', 'value'],
  '--app-contract': ['appContract', 'value'],
  '--kms-contract': ['kmsContract', 'value'],
  '--governance': ['governance', 'value'],
}));

export const CHAIN_HELP = `On-chain governance (dstack apps whose key provider is an on-chain KMS):
  --governance off|auto|require   auto (default): check when the chain and contracts are known;
                              require: fail (exit 3 when the chain cannot be reached) unless checked
  --chain-id N                8453 (Base) or 1 (Ethereum), or another EVM chain
  --kms-contract ADDR         the DstackKms contract     --app-contract ADDR   (default: the app id)
  --chain-rpc URL             a JSON-RPC endpoint (repeatable; every one must give the same answers;
                              default: two public endpoints of the chain)`;

/**
 * @typedef {object} ChainOptions  options.chain of the API
 * @property {string[]} [rpcUrls]   JSON-RPC endpoints; all are asked and must agree
 * @property {number} [chainId]
 * @property {string} [appContract] the DstackApp's address, 0x and 40 hex digits (default: the app id)
 * @property {string} [kmsContract] the DstackKms's address, 0x and 40 hex digits
 */

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * options.chain and policy.governance from parsed flag values. Throws `makeError(message)` on bad values.
 * @param {Record<string, any>} flags  keys of CHAIN_FLAGS
 * @param {(message: string) => Error} makeError  e.g. (m) => new UsageError(m)
 * @returns {{chain?: ChainOptions, governance?: 'off' | 'auto' | 'require'}}
 */
export function chainOptions(flags, makeError) {
  /** @type {ChainOptions} */
  const chain = {};
  if (flags.chainRpc) {
    for (const u of flags.chainRpc) {
      let ok = false;
      try { ok = ['https:', 'http:'].includes(new URL(u).protocol); } catch { ok = false; }
      if (!ok) throw makeError(`--chain-rpc: "${u}" is not an http(s) URL`);
    }
    if (flags.chainRpc.length > 8) throw makeError('--chain-rpc: at most 8 endpoints');
    chain.rpcUrls = [...new Set(/** @type {string[]} */ (flags.chainRpc))];
  }
  if (flags.chainId !== undefined) {
    const n = Number(flags.chainId);
    if (!/^[1-9]\d{0,15}$/.test(String(flags.chainId)) || !Number.isSafeInteger(n)) throw makeError(`--chain-id must be a positive integer (got "${flags.chainId}")`);
    chain.chainId = n;
  }
  for (const [key, flag] of /** @type {const} */ ([['appContract', '--app-contract'], ['kmsContract', '--kms-contract']])) {
    if (flags[key] === undefined) continue;
    if (!ADDRESS.test(flags[key])) throw makeError(`${flag} must be an address: 0x and 40 hex digits (got "${flags[key]}")`);
    chain[key] = flags[key];
  }
  /** @type {{chain?: ChainOptions, governance?: 'off' | 'auto' | 'require'}} */
  const out = {};
  if (Object.keys(chain).length) out.chain = chain;
  if (flags.governance !== undefined) {
    if (!['off', 'auto', 'require'].includes(flags.governance)) throw makeError(`--governance must be off, auto or require (got "${flags.governance}")`);
    out.governance = flags.governance;
  }
  return out;
}
