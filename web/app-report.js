// The page's view of an app report (cvm-verify/app-report/v1, issue 16): a Phala Cloud app's instances, the stopped
// ones, the KMS with its binding to the app, the gateway. Display only: every judgement is the core's.
import { h, clear } from './dom.js';
import { badge, renderDetails } from './render.js';

export const APP_SCHEMA = 'cvm-verify/app-report/v1';

/** @param {any} r */
function verdictOf(r) {
  return ['pass', 'warn', 'fail'].includes(r?.verdict) ? r.verdict : 'fail';
}

/** The checks that did not pass in one CVM's report, as "id (CODE)" text. */
function notPassed(report) {
  return (report?.checks || []).filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}${c.code && c.code !== 'OK' ? ` (${c.code})` : ''}`);
}

function kv(rows) {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of rows) if (v !== undefined && v !== null && v !== '') dl.append(h('div', { class: 'kv-row' }, h('dt', null, k), h('dd', null, v)));
  return dl;
}

/** One CVM (instance, KMS or gateway) as a collapsible card with its own report's details inside. */
function cvmCard(title, part, extra = [], summaryExtra = null) {
  const v = verdictOf(part);
  const r = part.report;
  const body = h('div', null,
    kv([
      ['Status', part.status],
      ['Image', part.image_version],
      ['VM', part.vm_uuid],
      ['TCB', r?.tcb?.status ? `${r.tcb.status}${r.platform?.fmspc ? ` · FMSPC ${r.platform.fmspc}` : ''}` : undefined],
      ['App ID', r?.app?.app_id ? h('code', { class: 'hex' }, r.app.app_id) : undefined],
      ['Key provider', r?.app?.key_provider?.name],
      ['Not passed', r ? (notPassed(r).join('; ') || 'none') : part.error_response?.error?.message],
      ...extra,
    ]));
  if (r) {
    const inner = h('div', { class: 'app-cvm-details' });
    renderDetails(inner, r, {});
    body.append(inner);
  }
  return h('details', { class: 'card detail app-cvm', open: false, data: { verdict: v } },
    h('summary', null, h('span', { class: 'detail-title' }, title), ' ', badge(v, v), summaryExtra ? [' ', summaryExtra] : null),
    h('div', { class: 'detail-body' }, body));
}

/**
 * Renders an app report into the details container. Returns the number of parts.
 * @param {HTMLElement} container
 * @param {any} app
 */
export function renderAppReport(container, app) {
  clear(container);
  const parts = [];
  parts.push(h('div', { class: 'card detail app-summary' }, h('div', { class: 'detail-body' }, kv([
    ['App', app.app_id ? h('code', { class: 'hex' }, app.app_id) : 'evidence with KMS evidence'],
    ['Instances', `${app.instances_running} running, ${app.instances_stopped} stopped`],
    ['Chain', app.chain ? `chain ${app.chain.chain_id ?? '?'} · KMS contract ${app.chain.kms_contract ?? '?'}` : undefined],
    ['Freshness', app.freshness?.message],
  ]))));
  (app.instances || []).forEach((inst, i) => parts.push(cvmCard(`Instance ${i + 1}: ${inst.name || inst.vm_uuid || ''}`, inst)));
  for (const s of app.stopped || []) {
    parts.push(h('div', { class: 'card detail app-stopped' }, h('div', { class: 'detail-body' },
      kv([['Stopped', `${s.name || s.vm_uuid || ''} — not verified (${s.code})`]]))));
  }
  if (app.kms) {
    const b = app.kms.binding;
    const bs = b.status === 'pass' ? 'pass' : 'fail';
    parts.push(cvmCard(`KMS (${app.kms.source})`, app.kms, [['Binding app → KMS', h('span', null, badge(bs, b.code), ' ', b.message)]],
      badge(bs, b.status === 'pass' ? 'bound to the app' : 'not bound to the app')));
  }
  if (app.gateway) parts.push(cvmCard('Gateway (informational)', app.gateway));
  container.append(...parts);
  return parts.length;
}

/** The worst instance (the one that decided the verdict), for the check table; null when none. */
export function decidingInstance(app) {
  const rank = { pass: 0, warn: 1, fail: 2 };
  let best = null;
  let at = 0;
  (app.instances || []).forEach((i, k) => { if (i.report && (!best || rank[verdictOf(i)] > rank[verdictOf(best)])) { best = i; at = k; } });
  return best ? { report: best.report, label: `instance ${at + 1}${best.name ? ` (${best.name})` : ''}` } : null;
}

