// Plain-text renderings of reports: the CLI's checklist and monitor lines. No Node APIs (browser-safe).
import { governanceLines } from './governance.js';
import { osSummary } from './os.js';

export const MARKS = Object.freeze({ pass: '✓', warn: '!', fail: '✗', skip: '–' });

const ANSI = { pass: '\x1b[32m', warn: '\x1b[33m', fail: '\x1b[31m', skip: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

/**
 * @param {boolean} on
 * @returns {(style: keyof typeof ANSI, s: string) => string}
 */
function painter(on) {
  return (style, s) => (on ? ANSI[style] + s + ANSI.reset : s);
}

/**
 * Text from evidence (image names, messages quoting server responses) with control characters replaced, so
 * that a hostile app cannot write terminal escape sequences into our output.
 * @param {unknown} s
 */
export function clean(s) {
  // eslint-disable-next-line no-control-regex
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/** @param {number | undefined} t */
function isoOf(t) {
  return typeof t === 'number' && Number.isFinite(t) ? new Date(t * 1000).toISOString().replace('.000Z', 'Z') : '?';
}

/**
 * The readable checklist of a report: one line per check (mark, id, status, reason code, message), then the
 * TCB status, collateral expiry, app identity and images, and the verdict.
 * @param {import('./index.js').Report} report
 * @param {{color?: boolean, target?: string}} [opts]
 * @returns {string}
 */
export function formatReport(report, opts = {}) {
  const paint = painter(!!opts.color);
  const lines = [];
  const checks = Array.isArray(report.checks) ? report.checks : [];
  const idW = Math.max(0, ...checks.map((c) => String(c.id).length));
  const codeW = Math.max(0, ...checks.map((c) => String(c.code).length));
  if (opts.target) lines.push(`${paint('bold', 'cvm-verify')} ${clean(opts.target)}`);
  lines.push(`verified as of ${isoOf(report.verified_at)} (${report.verified_at})`);
  lines.push('');
  for (const c of checks) {
    const st = /** @type {keyof typeof MARKS} */ (c.status in MARKS ? c.status : 'fail');
    const mark = paint(st, MARKS[st]);
    const status = paint(st, st.padEnd(4));
    const note = c.enforced === false && (st === 'fail' || st === 'warn') ? ' (not enforced)' : '';
    lines.push(`  ${mark} ${clean(c.id).padEnd(idW)}  ${status}  ${clean(c.code).padEnd(codeW)}  ${clean(c.message)}${note}`);
  }
  lines.push('');
  const kv = (/** @type {string} */ k, /** @type {string} */ v) => lines.push(`  ${(k + ':').padEnd(15)} ${clean(v)}`);
  const tcb = report.tcb;
  if (tcb && tcb.status) {
    const adv = Array.isArray(tcb.advisory_ids) && tcb.advisory_ids.length ? tcb.advisory_ids.join(', ') : 'none';
    kv('TCB status', `${tcb.status} (advisories: ${adv})${tcb.tcb_date ? `, TCB date ${tcb.tcb_date}` : ''}`);
  }
  const col = report.collateral;
  if (col && (col.expires_at || col.source)) kv('Collateral', `expires ${col.expires_at || '?'}${col.source ? ` (source: ${col.source})` : ''}`);
  const osLine = osSummary(report); // os.image (js/os.js)
  if (osLine) kv('OS', osLine);
  if (report.platform && report.platform.fmspc) kv('Platform', `FMSPC ${report.platform.fmspc}, PCK ${report.platform.pck_ca || '?'} CA`);
  const app = report.app;
  if (app) {
    if (app.app_id) kv('App id', app.app_id);
    if (app.instance_id) kv('Instance id', app.instance_id);
    if (app.compose_hash) kv('Compose hash', app.compose_hash);
    if (app.os_image_hash) kv('OS image hash', app.os_image_hash);
    if (app.key_provider && app.key_provider.name) kv('Key provider', `${app.key_provider.name}${app.key_provider.id ? ' ' + app.key_provider.id : ''}`);
    if (Array.isArray(app.images) && app.images.length) {
      const unpinned = app.images.filter((im) => !im.pinned).length;
      kv('Images', `${app.images.length} (${unpinned ? `${unpinned} not pinned by digest` : 'all pinned by digest'})`);
      for (const im of app.images) lines.push(`    ${im.pinned ? paint('pass', 'pinned  ') : paint('warn', 'unpinned')} ${im.service ? clean(im.service) + ': ' : ''}${clean(im.image)}`);
    }
  }
  // On-chain governance: the block, endpoints and each call's answer (docs/governance.md).
  const gov = governanceLines(/** @type {any} */ (report).governance);
  if (gov.length) {
    kv('Governance', gov[0]);
    for (const l of gov.slice(1)) lines.push(`    ${clean(l)}`);
  }
  provenanceLines(report, kv, lines, paint);
  const failed = checks.filter((c) => c.status === 'fail' && c.enforced !== false).length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  const v = String(report.verdict);
  const st = /** @type {'pass' | 'warn' | 'fail'} */ (v === 'pass' || v === 'warn' ? v : 'fail');
  const detail = failed ? `${failed} check${failed > 1 ? 's' : ''} failed` : warned ? `${warned} warning${warned > 1 ? 's' : ''}` : 'all enforced checks passed';
  kv('Verdict', `${paint(st, paint('bold', v.toUpperCase()))} (${detail})`);
  return lines.join('\n') + '\n';
}

/**
 * The report's provenance section (app.provenance, docs/provenance.md): one line per pinned image with what its
 * verified Sigstore bundle proves (source repository, commit, ref, workflow, Rekor entry), or why not.
 * @param {import('./index.js').Report} report
 * @param {(k: string, v: string) => void} kv
 * @param {string[]} lines
 * @param {(style: any, s: string) => string} paint
 */
function provenanceLines(report, kv, lines, paint) {
  const prov = /** @type {any[] | null | undefined} */ (/** @type {any} */ (report).provenance);
  if (!Array.isArray(prov) || !prov.length) return;
  const proven = prov.filter((p) => p.status === 'pass').length;
  kv('Provenance', `${proven} of ${prov.length} pinned image${prov.length > 1 ? 's' : ''} with verified source provenance`);
  const short = (/** @type {string} */ u) => String(u).replace(/^https:\/\//, '');
  for (const p of prov) {
    const st = p.status in MARKS ? p.status : 'fail';
    lines.push(`    ${paint(st, st.padEnd(4))} ${clean(p.image)}`);
    if (p.repository) {
      lines.push(`         source ${clean(short(p.repository))} @ ${clean(p.commit || '?')}${p.ref ? ` (${clean(p.ref)})` : ''}`);
      if (p.workflow) lines.push(`         workflow ${clean(short(p.workflow))}${p.runner_environment ? `, ${clean(p.runner_environment)} runner` : ''}`);
      lines.push(`         Rekor log index ${clean(p.log_index)}, integrated ${isoOf(p.integrated_time)}${p.issuer ? `, issuer ${clean(short(p.issuer))}` : ''}`);
    }
    if (p.status !== 'pass') lines.push(`         ${clean(p.code)}: ${clean(p.message)}`);
  }
}

/**
 * @typedef {object} MonitorResult
 * @property {string} time ISO-8601
 * @property {string} url
 * @property {'pass' | 'warn' | 'fail' | 'error'} verdict
 * @property {number} exit_code what the one-shot CLI would exit with
 * @property {string} [code] the error's reason code (verdict error)
 * @property {string} [message] the error's message (verdict error)
 * @property {string} [tcb_status]
 * @property {string[]} [advisory_ids]
 * @property {string} [collateral_expires_at]
 * @property {string} [app_id]
 * @property {string} [compose_hash]
 * @property {{id: string, code: string, message: string}[]} [failed]
 * @property {{id: string, code: string, message: string}[]} [warned]
 */

/**
 * One monitor result from a report or an error.
 * @param {string} url
 * @param {import('./index.js').Report | null} report
 * @param {unknown} error
 * @param {number} exitCode
 * @param {Date} [when]
 * @returns {MonitorResult}
 */
export function monitorResult(url, report, error, exitCode, when = new Date()) {
  const time = when.toISOString();
  if (!report) {
    const e = /** @type {any} */ (error);
    return { time, url, verdict: 'error', exit_code: exitCode, code: (e && e.code) || 'INTERNAL', message: (e && e.message) || String(error) };
  }
  const pick = (/** @type {string} */ st) => report.checks.filter((c) => c.status === st).map((c) => ({ id: c.id, code: c.code, message: c.message }));
  /** @type {MonitorResult} */
  const r = { time, url, verdict: report.verdict, exit_code: exitCode };
  if (report.tcb && report.tcb.status) { r.tcb_status = report.tcb.status; r.advisory_ids = report.tcb.advisory_ids || []; }
  if (report.collateral && report.collateral.expires_at) r.collateral_expires_at = report.collateral.expires_at;
  if (report.app && report.app.app_id) r.app_id = report.app.app_id;
  if (report.app && report.app.compose_hash) r.compose_hash = report.app.compose_hash;
  r.failed = pick('fail');
  r.warned = pick('warn');
  return r;
}

/**
 * A monitor result as one human line.
 * @param {MonitorResult} r
 * @param {{color?: boolean}} [opts]
 */
export function formatMonitorLine(r, opts = {}) {
  const paint = painter(!!opts.color);
  const style = r.verdict === 'error' ? 'fail' : r.verdict;
  const head = `${r.time} ${paint(/** @type {any} */ (style), r.verdict.toUpperCase().padEnd(5))} ${clean(r.url)}`;
  if (r.verdict === 'error') return `${head} ${clean(r.code)}: ${clean(r.message)}`;
  const parts = [];
  if (r.tcb_status) parts.push(`tcb=${r.tcb_status}${r.advisory_ids && r.advisory_ids.length ? `(${r.advisory_ids.join(',')})` : ''}`);
  if (r.failed && r.failed.length) parts.push(`failed: ${r.failed.map((c) => `${c.id}(${c.code})`).join(' ')}`);
  if (r.warned && r.warned.length) parts.push(`warned: ${r.warned.map((c) => `${c.id}(${c.code})`).join(' ')}`);
  if (r.collateral_expires_at) parts.push(`collateral-expires=${r.collateral_expires_at}`);
  if (r.compose_hash) parts.push(`compose=${r.compose_hash.slice(0, 16)}…`);
  return `${head} ${clean(parts.join(' '))}`.trimEnd();
}
