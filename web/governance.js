// The page's "On-chain governance" details section: the chain, the pinned block, the endpoints asked, the
// contracts and their owners, and each eth_call with its answer and verdict (docs/governance.md). Display only:
// the statuses and sentences come from the core. Wiring: one line in render.js's renderDetails,
// `governanceSection(report)`, among the parts.
import { h } from './dom.js';
import { badge } from './render.js';

/** @param {unknown} v */
const code = (v) => h('code', { class: 'hex' }, String(v));

/** Block explorers for the chains whose governance contracts are known (links are for the user; never fetched). */
const EXPLORERS = /** @type {Record<number, string>} */ ({ 8453: 'https://basescan.org', 1: 'https://etherscan.io' });

/** @param {number} chainId @param {string} addr */
function addressLink(chainId, addr) {
  const base = EXPLORERS[chainId];
  if (!base || !/^0x[0-9a-fA-F]{40}$/.test(addr)) return code(addr);
  return h('a', { href: `${base}/address/${addr}`, rel: 'noopener noreferrer', target: '_blank' }, code(addr));
}

const CHAIN_NAMES = /** @type {Record<number, string>} */ ({ 8453: 'Base', 1: 'Ethereum' });

/** @param {[string, any, any?][]} rows */
function kv(rows) {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v, note] of rows) {
    if (v === undefined || v === null) continue;
    dl.append(h('div', { class: 'kv-row' }, h('dt', null, k), h('dd', null, v, note ? h('span', { class: 'kv-note' }, note) : null)));
  }
  return dl;
}

/** What a call answered, as a user reads it. @param {any} c */
function answerText(c) {
  if (c.answer === 'revert') return 'reverted';
  if (c.value === true || c.value === false) return String(c.value);
  // owner(): an address word; kmsInfo: the decoded caPubkey is shown above.
  if (/^(app|kms)\.owner$/.test(c.purpose) && typeof c.result === 'string' && c.result.length === 66) return code('0x' + c.result.slice(26));
  if (c.purpose === 'kms.kmsInfo') return h('span', { class: 'muted' }, 'see KMS root key');
  return c.result ? code(c.result) : h('span', { class: 'muted' }, '—');
}

/**
 * @param {any} report a cvm-verify report with a `governance` section and a `governance.onchain` check
 * @returns {HTMLElement | null}
 */
export function governanceSection(report) {
  const g = report && report.governance;
  if (!g || !g.ran) return null;
  const check = (report.checks || []).find((/** @type {any} */ c) => c.id === 'governance.onchain');
  const chain = `${CHAIN_NAMES[g.chain_id] || 'chain'} (${g.chain_id})`;
  const owner = (/** @type {any} */ side) => (side && side.owner ? addressLink(g.chain_id, side.owner) : h('span', { class: 'muted' }, 'unknown'));
  const body = [
    kv([
      ['Result', check ? h('span', null, badge(check.status), check.code !== 'OK' ? h('code', { class: 'reason-code' }, ` ${check.code}`) : null) : undefined],
      ['Chain', chain],
      ['Block', g.block_number !== null && g.block_number !== undefined ? String(g.block_number) : h('span', { class: 'muted' }, 'no agreed block'),
        'the allow-lists as of this block; "allowed now" is not "allowed at boot"'],
      ['App contract (DstackApp)', addressLink(g.chain_id, g.app_contract), g.app_contract_source === 'app_id' ? 'the app id' : 'given by the caller'],
      ['App contract owner', owner(g.app), 'can change the allow-lists and, unless upgrades were disabled, the code'],
      ['KMS contract (DstackKms)', addressLink(g.chain_id, g.kms_contract)],
      ['KMS contract owner', owner(g.kms)],
      ['KMS root key (caPubkey)', g.kms && g.kms.ca_pubkey ? code(g.kms.ca_pubkey) : undefined],
      ['Device id', g.device_id ? code(g.device_id) : undefined, 'sha256 of the PPID in the PCK certificate'],
      ['OS image hash', code(g.os_image_hash), g.os_image_hash_bound ? 'bound by the OS check' : 'the unverified claim of the event log'],
    ]),
    h('h4', null, 'RPC endpoints asked'),
    h('ul', { class: 'gov-endpoints' }, (g.endpoints || []).map((/** @type {any} */ e) => h('li', null,
      code(e.url), e.error ? h('span', { class: 'reason' }, ` — ${e.error}`) : h('span', { class: 'muted' }, ` — chain ${e.chain_id}, block ${e.block_number}`)))),
    h('h4', null, 'Calls'),
    // The check table's class: its styles (left-aligned, row borders, fail rows tinted) fit the calls too.
    h('table', { class: 'checks gov-calls' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Call'), h('th', { scope: 'col' }, 'Answer'), h('th', { scope: 'col' }, 'Verdict'))),
      h('tbody', null, (g.calls || []).map((/** @type {any} */ c) => h('tr', { data: { purpose: c.purpose, status: c.status } },
        h('td', null, h('code', null, c.purpose), h('br'), h('span', { class: 'muted' }, 'to '), code(c.to)),
        h('td', null, answerText(c)),
        h('td', null, c.status ? badge(c.status) : null, c.code && c.code !== 'OK' ? h('code', { class: 'reason-code' }, ` ${c.code}`) : null,
          c.message ? h('p', { class: 'reason' }, c.message) : null))))),
    h('p', { class: 'note' }, 'Every configured RPC endpoint is asked for the same block and must give identical answers: an endpoint is trusted for what the chain says, so use endpoints of independent operators, or your own node.'),
  ];
  const meta = check ? `${check.status} · block ${g.block_number ?? '—'}` : '';
  return h('details', { class: 'card detail', id: 'detail-governance' },
    h('summary', null, h('span', { class: 'detail-title' }, 'On-chain governance'), h('span', { class: 'detail-meta' }, meta)),
    h('div', { class: 'detail-body' }, body));
}
