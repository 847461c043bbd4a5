// Apps of several CVMs (issue 16; docs/phala.md): a Phala Cloud app's recorded attestations, and KMS evidence beside
// an app's. The core splits, verifies and rolls up (src/phala_app.c); this module only fetches (the attestations,
// the collateral the core asks for in needs.collateral) and renders the app report as text.
import { formatReport, clean } from './format.js';
import { fetchPhalaAttestations } from './phala.js';
export { collateralResolver } from './app-collateral.js';

export const APP_SCHEMA = 'cvm-verify/app-report/v1';

/**
 * Fetches a Phala Cloud app's recorded attestations (GET {phalaApi}/apps/{appId}/attestations) and verifies them:
 * one report per running instance, the KMS and gateway, and the app verdict (an app report, APP_SCHEMA).
 * @param {string} appId 40 hex digits
 * @param {import('./index.js').VerifyOptions & {phalaApi?: string, timeoutMs?: number}} [options]
 * @returns {Promise<any>} the app report
 */
export async function verifyPhalaApp(appId, options = {}) {
  const { verifyEvidence } = await import('./index.js');
  const { phalaApi, ...rest } = options;
  const got = await fetchPhalaAttestations(appId, { base: phalaApi, fetch: options.fetch, signal: options.signal, timeoutMs: options.timeoutMs });
  const report = await verifyEvidence(got.evidence, rest);
  Object.defineProperty(report, 'source', { value: { url: got.sourceUrl, fetchedAt: got.fetchedAt }, enumerable: false, configurable: true });
  return report;
}

/** @param {any} r */
function runVerdict(r) {
  return r && typeof r.verdict === 'string' ? r.verdict : 'fail';
}

/**
 * The readable form of an app report: the app verdict line (with what was not checked), each instance's checklist,
 * the stopped instances, the KMS and its binding, the gateway.
 * @param {any} app
 * @param {{color?: boolean, target?: string}} [opts]
 */
export function formatAppReport(app, opts = {}) {
  const lines = [];
  if (opts.target) lines.push(`cvm-verify ${clean(opts.target)}`);
  if (app.app_id) lines.push(`Phala Cloud app ${clean(app.app_id)}${app.chain && app.chain.chain_id ? ` (chain ${clean(app.chain.chain_id)}, KMS contract ${clean(app.chain.kms_contract || '?')})` : ''}`);
  lines.push('');
  (app.instances || []).forEach((/** @type {any} */ inst, /** @type {number} */ i) => {
    lines.push(`== instance ${i + 1}: ${clean(inst.name || inst.vm_uuid || '')}${inst.image_version ? ` (${clean(inst.image_version)})` : ''} — ${runVerdict(inst)}`);
    if (inst.report) lines.push(formatReport(inst.report, { color: opts.color }).trimEnd());
    else if (inst.error_response) lines.push(`  ${clean(inst.error_response.error?.code)}: ${clean(inst.error_response.error?.message)}`);
    lines.push('');
  });
  for (const s of app.stopped || []) lines.push(`== stopped: ${clean(s.name || s.vm_uuid || '')} — not verified (${clean(s.code)})`);
  if ((app.stopped || []).length) lines.push('');
  for (const [label, part] of [['KMS', app.kms], ['gateway (informational)', app.gateway]]) {
    if (!part) continue;
    lines.push(`== ${label} (${clean(part.source)}) — ${runVerdict(part)}`);
    if (part.report) lines.push(formatReport(part.report, { color: opts.color }).trimEnd());
    if (part.binding) lines.push(`  binding app → KMS: ${clean(part.binding.status)} ${clean(part.binding.code)}  ${clean(part.binding.message)}`);
    lines.push('');
  }
  lines.push(`App verdict: ${String(app.verdict).toUpperCase()} — ${clean(app.summary || '')}`);
  return lines.join('\n') + '\n';
}
