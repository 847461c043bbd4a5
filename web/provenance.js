// The page's provenance pieces (issue 20; docs/provenance.md): the report's provenance section (per pinned image:
// status, source repository, commit, workflow, Rekor entry), and the settings that feed app.provenance: bundle
// files, the expected source, and the opt-in GitHub fetch. Display and input only: the core judges.
import { h, $, statusIcon } from './dom.js';

const STATUS_TEXT = { pass: 'Proven', warn: 'Not proven', fail: 'Failed', skip: 'Not checked' };
const MAX_FILE = 4 * 1024 * 1024;
const SOURCE_RE = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+(@[\x21-\x7e]+)?$/;

/** Provenance inputs for this visit (not persisted: bundles are files, and fetching is a per-visit choice). */
export const provenanceState = { bundles: /** @type {string[]} */ ([]), names: /** @type {string[]} */ ([]), source: '', fetch: false };

function badge(status, text) {
  return h('span', { class: `badge badge-${status}` }, statusIcon(status), h('span', null, text ?? STATUS_TEXT[status] ?? status));
}

function link(url, text) {
  return /^https:\/\/github\.com\//.test(String(url)) ? h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text ?? url) : h('span', null, text ?? url);
}

function isoOf(t) {
  return typeof t === 'number' && Number.isFinite(t) ? new Date(t * 1000).toISOString().replace('.000Z', 'Z') : '';
}

/** The API options for app.provenance and the policy's expected source, from the settings. */
export function provenanceOptions(policy) {
  const s = provenanceState;
  const out = {};
  if (s.bundles.length || s.fetch) out.provenance = { ...(s.bundles.length ? { bundles: [...s.bundles] } : {}), ...(s.fetch ? { fetch: true } : {}) };
  if (s.source && policy && typeof policy === 'object') out.policy = { ...policy, expect: { ...(policy.expect || {}), source: s.source } };
  return out;
}

/**
 * The "Source provenance" details section, or null when the report has none.
 * @param {any} report
 */
export function provenanceSection(report) {
  const prov = report && report.provenance;
  if (!Array.isArray(prov) || !prov.length) return null;
  const check = (report.checks || []).find((c) => c.id === 'app.provenance');
  const proven = prov.filter((p) => p.status === 'pass').length;
  const cards = prov.map((p) => {
    const rows = [];
    const row = (k, v, note) => rows.push(h('div', { class: 'kv-row' }, h('dt', null, k), h('dd', null, v, note ? h('span', { class: 'kv-note' }, note) : null)));
    row('Image', h('code', { class: 'hex' }, p.image));
    row('Status', h('span', null, badge(p.status), p.code && p.code !== 'OK' ? h('code', { class: 'reason-code' }, p.code) : null), p.message);
    if (p.repository) {
      row('Source repository', link(p.repository));
      row('Commit', p.commit ? link(`${p.repository}/commit/${p.commit}`, h('code', { class: 'hex' }, p.commit)) : '—', p.ref || undefined);
      if (p.workflow) row('Workflow', h('code', null, String(p.workflow).replace(/^https:\/\/github\.com\//, '')), p.runner_environment ? `${p.runner_environment} runner` : undefined);
      row('Transparency log', `Rekor entry ${p.log_index}`, `integrated ${isoOf(p.integrated_time)}`);
      if (p.issuer) row('Certificate issuer (OIDC)', p.issuer);
    }
    return h('div', { class: 'provenance-entry', data: { status: p.status } }, h('dl', { class: 'kv' }, rows));
  });
  const body = [
    h('p', { class: 'note first' }, 'What a verified Sigstore bundle proves: a CI run of this repository, at this commit, with this workflow, ' +
      'signed a statement naming the image digest, and it was logged publicly. It does not prove the source or the workflow is safe: ' +
      'a compromised workflow still produces valid provenance.'),
    ...cards,
  ];
  const summary = [`${proven} of ${prov.length} pinned image${prov.length > 1 ? 's' : ''} proven`, check && check.status !== 'pass' ? ` · ${STATUS_TEXT[check.status] ?? check.status}` : ''];
  return h('details', { class: 'card detail', id: 'detail-provenance', open: true },
    h('summary', null, h('span', { class: 'detail-title' }, 'Source provenance'), h('span', { class: 'detail-meta' }, summary)),
    h('div', { class: 'detail-body' }, body));
}

/** Wires the settings' provenance field (web/index.html #set-provenance-*). */
export function initProvenanceSettings(onChange = () => {}) {
  const s = provenanceState;
  const file = $('#set-provenance-file');
  const names = $('#set-provenance-names');
  const err = $('#set-provenance-error');
  const source = $('#set-provenance-source');
  const fetchBox = $('#set-provenance-fetch');
  if (!file || !source || !fetchBox) return;
  const showNames = () => { names.textContent = s.names.length ? `${s.names.length} file${s.names.length > 1 ? 's' : ''}: ${s.names.join(', ')}` : ''; };
  const error = (msg) => { err.textContent = msg || ''; err.hidden = !msg; };
  $('#set-provenance-upload').addEventListener('click', () => file.click());
  file.addEventListener('change', async () => {
    error('');
    for (const f of Array.from(file.files || [])) {
      if (f.size > MAX_FILE) { error(`${f.name} is ${(f.size / 1048576).toFixed(1)} MB; a Sigstore bundle is a few kilobytes.`); continue; }
      const text = await f.text();
      try { JSON.parse(text); } catch { error(`${f.name} is not JSON: choose a Sigstore bundle (.sigstore.json) or a GitHub attestations response.`); continue; }
      s.bundles.push(text);
      s.names.push(f.name);
    }
    file.value = '';
    showNames();
    onChange();
  });
  $('#set-provenance-clear').addEventListener('click', () => { s.bundles = []; s.names = []; showNames(); error(''); onChange(); });
  source.addEventListener('change', () => {
    const v = source.value.trim();
    if (v && !SOURCE_RE.test(v)) { error('The expected source is owner/repo or owner/repo@ref, e.g. dstack-tee/dstack@main.'); return; }
    error('');
    s.source = v;
    onChange();
  });
  fetchBox.addEventListener('change', () => { s.fetch = fetchBox.checked; onChange(); });
}
