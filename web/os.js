// The page's OS image parts (issue 14; docs/os-image.md): the details section, the verdict's OS sentence and the
// settings' manifest files. Display only: the core decides (report.os and the os.image check).
import { h, $, statusIcon } from './dom.js';

const SOURCE_TEXT = {
  inline: 'the manifest the evidence carries (vm_config.tdx_measurement), authenticated by the image hash',
  supplied: 'the manifest you supplied in Settings, authenticated by the image hash',
  catalog: "this verifier's OS catalog, authenticated by the image hash",
  expected: 'no manifest: you pinned MRTD and RTMR0..2, and the quote equals your values',
  none: 'no manifest is at hand, and the four registers are not all pinned',
};

const code = (v) => (v ? h('code', { class: 'hex' }, String(v)) : h('span', { class: 'muted' }, '(none)'));
const row = (k, v, note) => h('div', { class: 'kv-row' }, h('dt', null, k), h('dd', null, v, note ? h('span', { class: 'kv-note' }, note) : null));

/** @param {any} report */
function osCheck(report) {
  return (report.checks || []).find((c) => c.id === 'os.image');
}

/**
 * The "OS image" details section, or null when the report has none.
 * @param {any} report
 */
export function osSection(report) {
  const os = report.os;
  if (!os) return null;
  const c = osCheck(report);
  const named = [os.name, os.version].filter(Boolean).join(' ');
  const kv = h('dl', { class: 'kv' },
    row('Verified', os.verified ? 'Yes' : 'No', c ? `${c.status}${c.code && c.code !== 'OK' ? ` (${c.code})` : ''}: ${c.message}` : null),
    row('Image hash', code(os.image_hash), 'sha256 of the manifest\u2019s sha256sum.txt: the image MRTD and RTMR0..2 bind'),
    named ? row('Image', named + (os.dev === true ? ' (development image)' : os.dev === false ? ' (production release)' : ''), 'from the OS catalog') : null,
    row('Manifest source', SOURCE_TEXT[os.source] || os.source),
    os.claimed_image_hash && os.claimed_image_hash !== os.image_hash ? row('Host-claimed image hash', code(os.claimed_image_hash), 'vm_config.os_image_hash: a host claim') : null,
    row('Event image hash', code(os.event_image_hash), 'the RTMR3 os-image-hash event (what the KMS returned): shown separately, it may differ'),
    os.mrtd_candidate ? row('MRTD candidate', os.mrtd_candidate.replace('_', '-'), 'the QEMU page-add order vm_config names') : null);
  const tbody = h('tbody');
  for (const g of os.registers || []) {
    tbody.append(h('tr', { data: { match: String(!!g.match) } },
      h('th', { scope: 'row' }, g.name),
      h('td', { class: 'mono-cell' }, code(g.expected)),
      h('td', { class: 'mono-cell' }, code(g.actual)),
      h('td', null, g.expected ? h('span', { class: `badge badge-${g.match ? 'pass' : 'fail'}` }, statusIcon(g.match ? 'pass' : 'fail'), h('span', null, g.match ? 'Equal' : 'Differs')) : h('span', { class: 'muted' }, '—'))));
  }
  const table = h('div', { class: 'table-scroll' }, h('table', { class: 'data os-registers' },
    h('thead', null, h('tr', null, ['Register', 'Expected', 'Quote', 'Match'].map((t) => h('th', { scope: 'col' }, t)))), tbody));
  const notProven = h('p', { class: 'note' }, h('strong', null, 'Not proven: '), os.not_proven || 'ACPI table contents.');
  const vm = report.vm_config;
  const vmNote = vm ? h('p', { class: 'note' }, `vm_config is supplied by the host. Verified by the computation: ${(vm.verified || []).join(', ') || 'nothing'}; every other field (CPU count, GPUs, ...) is unverified.`) : null;
  const meta = [os.verified ? 'verified' : 'unverified', named ? ` · ${named}` : os.image_hash ? ` · ${os.image_hash.slice(0, 12)}…` : ''];
  return h('details', { class: 'card detail', id: 'detail-os' },
    h('summary', null, h('span', { class: 'detail-title' }, 'OS image'), h('span', { class: 'detail-meta' }, meta)),
    h('div', { class: 'detail-body' }, kv, h('h4', { class: 'sub-title' }, 'MRTD and RTMR0..2'), table, notProven, vmNote));
}

/**
 * The verdict's OS sentence when the OS is not verified and the verdict did not fail, else ''.
 * @param {any} report
 */
export function osVerdictNote(report) {
  const os = report.os;
  const c = osCheck(report);
  if (!os || os.verified || report.verdict === 'fail' || !c) return '';
  return ` Verified \u2014 but the OS image is unverified: ${c.message}`;
}

/** The manifest chosen in Settings (this visit only: files are not persisted). */
let manifest = { checksumFile: undefined, measurement: undefined };

/** options.osManifest for the API, or undefined until both files are chosen. */
export function osManifestOption() {
  return manifest.checksumFile && manifest.measurement ? { ...manifest } : undefined;
}

/** Wires the two file inputs of Settings (web/index.html #set-os-checksum, #set-os-measurement). */
export function initOsSettings(onChange = () => {}) {
  const status = $('#set-os-status');
  const show = () => {
    const n = (manifest.checksumFile ? 1 : 0) + (manifest.measurement ? 1 : 0);
    if (status) status.textContent = n === 2 ? 'Manifest set for this visit: the OS image is verified from it when its hash matches.' : n ? 'Choose both files.' : '';
  };
  for (const [id, key] of [['#set-os-checksum', 'checksumFile'], ['#set-os-measurement', 'measurement']]) {
    const input = $(id);
    if (!input) continue;
    input.addEventListener('change', async () => {
      const f = input.files && input.files[0];
      manifest[key] = f && f.size <= 65536 ? new Uint8Array(await f.arrayBuffer()) : undefined;
      show();
      onChange();
    });
  }
  show();
}
