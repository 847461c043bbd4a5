// Renders a cvm-verify/report/v1 into the page: check rows, and the details sections.
// Every value from the report or the evidence is written with textContent (via h()).
import { h, clear, statusIcon } from './dom.js';
import { CHECKS, CHECK_BY_ID, STATUS_TEXT, EVENT_TYPES, TD_ATTRIBUTE_BITS } from './meta.js';
import { governanceSection } from './governance.js';
import { provenanceSection } from './provenance.js';
import { osSection } from './os.js';

const ADVISORY_URL = 'https://www.intel.com/content/www/us/en/security-center/advisory/';

// ---------- small formatters ----------

/** "2026-08-29 10:40:00 UTC" from unix seconds or an ISO string; '' when absent. */
export function fmtTime(v) {
  if (v === undefined || v === null || v === '') return '';
  const ms = typeof v === 'number' ? v * 1000 : Date.parse(v);
  if (!Number.isFinite(ms)) return String(v);
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

function toUnix(v) {
  if (typeof v === 'number') return v;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** "in 13 days" / "2 days ago", relative to `at` (unix seconds). */
export function fmtRelative(v, at) {
  const t = toUnix(v);
  if (t === null || !at) return '';
  const d = t - at;
  const abs = Math.abs(d);
  const unit = abs >= 86400 * 2 ? [Math.round(abs / 86400), 'days'] : abs >= 7200 ? [Math.round(abs / 3600), 'hours'] : [Math.max(1, Math.round(abs / 60)), 'minutes'];
  const text = `${unit[0]} ${unit[0] === 1 ? unit[1].slice(0, -1) : unit[1]}`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

/** CamelCase status names with line-break opportunities (<wbr>) between their words. */
export function breakable(text) {
  const frag = document.createDocumentFragment();
  String(text).split(/(?<=[a-z])(?=[A-Z])/).forEach((part, i) => {
    if (i) frag.append(document.createElement('wbr'));
    frag.append(part);
  });
  return frag;
}

export function hexToBytes(hex) {
  const s = String(hex || '').replace(/^0x/i, '');
  if (s.length % 2 || /[^0-9a-f]/i.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

/** The payload as text when it is printable (trailing NULs dropped), else null. */
export function printableText(hex) {
  const b = hexToBytes(hex);
  if (!b || b.length === 0) return null;
  let n = b.length;
  while (n > 0 && b[n - 1] === 0) n--;
  if (n === 0) return null;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (!((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13)) return null;
  }
  return new TextDecoder().decode(b.subarray(0, n));
}

function hexCode(v, cls = '') {
  if (v === undefined || v === null || v === '') return h('span', { class: 'muted' }, '(empty)');
  return h('code', { class: ('hex ' + cls).trim() }, String(v));
}

function short(hex, n = 12) {
  const s = String(hex || '');
  return s.length > n * 2 + 1 ? `${s.slice(0, n)}…${s.slice(-n)}` : s;
}

export function badge(status, text) {
  return h('span', { class: `badge badge-${status}` }, statusIcon(status), h('span', null, text ?? STATUS_TEXT[status] ?? status));
}

function kvTable(rows, cls = '') {
  const dl = h('dl', { class: ('kv ' + cls).trim() });
  for (const row of rows) {
    if (!row) continue;
    const [k, v, note] = row;
    if (v === undefined) continue;
    dl.append(h('div', { class: 'kv-row' }, h('dt', null, k), h('dd', null, v, note ? h('span', { class: 'kv-note' }, note) : null)));
  }
  return dl;
}

function section(title, summaryBits, body, { open = false, id } = {}) {
  return h('details', { class: 'card detail', open, id },
    h('summary', null, h('span', { class: 'detail-title' }, title), h('span', { class: 'detail-meta' }, summaryBits)),
    h('div', { class: 'detail-body' }, body));
}

// ---------- the check table ----------

/** Rows for every known check, before any result (the table explains what will be checked). */
export function renderCheckRows(tbody, report) {
  clear(tbody);
  const byId = new Map((report?.checks || []).map((c) => [c.id, c]));
  const ids = CHECKS.map((c) => c.id);
  for (const c of report?.checks || []) if (!CHECK_BY_ID[c.id]) ids.push(c.id); // ids added after this page
  for (const id of ids) {
    const meta = CHECK_BY_ID[id] || { title: id, proves: '', attack: '' };
    const res = byId.get(id);
    const tr = h('tr', { data: { checkId: id, status: res?.status } });
    tr.append(
      h('th', { scope: 'row', class: 'check-name' },
        h('span', { class: 'check-title' }, meta.title),
        h('code', { class: 'check-id' }, id)),
      h('td', { class: 'check-what' },
        meta.proves ? h('p', { class: 'proves' }, meta.proves) : null,
        meta.attack ? h('p', { class: 'attack' }, h('span', { class: 'attack-label' }, 'Prevents: '), meta.attack) : null),
      h('td', { class: 'check-result' }, res ? resultCell(res) : h('span', { class: 'pending-text' }, 'Not run yet')),
    );
    tbody.append(tr);
  }
}

function resultCell(res) {
  const wrap = h('div', { class: 'result-cell' });
  wrap.append(badge(res.status));
  if (res.code && res.code !== 'OK') wrap.append(h('code', { class: 'reason-code' }, res.code));
  if (res.enforced === false && (res.status === 'fail' || res.status === 'warn')) wrap.append(h('span', { class: 'not-enforced' }, 'not enforced'));
  if (res.message) wrap.append(h('p', { class: 'reason' }, res.message));
  return wrap;
}

// ---------- details ----------

export function renderDetails(container, report, ctx = {}) {
  clear(container);
  const parts = [
    tcbSection(report),
    collateralSection(report, ctx),
    quoteSection(report),
    eventLogSection(report),
    osSection(report), // issue 14: web/os.js
    appSection(report, ctx),
    governanceSection(report), // web/governance.js
    provenanceSection(report), // issue 20: web/provenance.js
  ].filter(Boolean);
  container.append(...parts);
  return parts.length;
}

function checkStatus(report, id) {
  return (report.checks || []).find((c) => c.id === id)?.status;
}

function tcbSection(report) {
  const t = report.tcb;
  const p = report.platform;
  if (!t && !p) return null;
  const st = checkStatus(report, 'tcb.status');
  const adv = [...new Set([t?.advisory_ids, t?.module_advisory_ids, t?.qe_advisory_ids].flatMap((a) => (Array.isArray(a) ? a : [])))];
  const advList = adv.length
    ? h('ul', { class: 'advisories' }, adv.map((id) => {
      const m = /^INTEL-SA-(\d{5})$/i.exec(String(id));
      return h('li', null, m
        ? h('a', { href: `${ADVISORY_URL}intel-sa-${m[1]}.html`, rel: 'noopener noreferrer', target: '_blank' }, String(id).toUpperCase())
        : h('code', null, String(id)));
    }))
    : h('span', null, 'None');
  const body = kvTable([
    t && ['TCB status', t.status ? h('span', { class: 'tcb-status' }, st ? badge(st, t.status) : t.status) : undefined],
    t && ['Advisories', advList],
    t?.platform_status && ['Platform (SGX and TDX components)', t.platform_status],
    t?.qe_status && ['Quoting enclave', t.qe_status],
    t?.module_status && ['TDX module', t.module_status],
    t?.tcb_date && ['TCB date', fmtTime(t.tcb_date)],
    t?.evaluation_data_number !== undefined && ['TCB evaluation data number', String(t.evaluation_data_number)],
    p?.fmspc && ['FMSPC', hexCode(p.fmspc)],
    p?.pce_id && ['PCE ID', hexCode(p.pce_id)],
    p?.pck_ca && ['PCK issuer', `Intel SGX PCK ${p.pck_ca === 'processor' ? 'Processor' : 'Platform'} CA`],
    p?.tcb_components && ['SGX TCB components', hexCode(p.tcb_components)],
    p?.pce_svn !== undefined && ['PCE SVN', String(p.pce_svn)],
    p?.ppid && ['PPID', hexCode(p.ppid)],
  ]);
  return section('TCB status and platform', [t?.status || '', adv.length ? ` · ${adv.length} advisor${adv.length === 1 ? 'y' : 'ies'}` : ''], body, { id: 'detail-tcb' });
}

function collateralSection(report, ctx) {
  const c = report.collateral;
  if (!c) return null;
  const at = report.verified_at;
  const row = (label, v) => v ? [label, h('span', null, h('time', { datetime: String(v) }, fmtTime(v))), fmtRelative(v, at)] : null;
  const source = ctx.collateralSource || c.source;
  const body = kvTable([
    row('TCB info issued', c.tcb_info_issue_date),
    row('TCB info next update', c.tcb_info_next_update),
    row('QE identity issued', c.qe_identity_issue_date),
    row('QE identity next update', c.qe_identity_next_update),
    row('PCK CRL next update', c.pck_crl_next_update),
    row('Root CA CRL next update', c.root_crl_next_update),
    row('Collateral expires', c.expires_at),
    source ? ['Source', source === 'supplied' ? 'Supplied with the evidence' : h('code', null, source)] : null,
    at ? ['Judged at', fmtTime(at)] : null,
  ]);
  return section('Collateral', c.expires_at ? `expires ${fmtTime(c.expires_at)}` : '', [
    body,
    h('p', { class: 'note' }, 'Collateral is Intel-signed data (TCB levels, the quoting enclave identity, revocation lists). Its signatures are checked against the pinned Intel SGX Root CA, so the service that delivered it need not be trusted.'),
  ], { id: 'detail-collateral' });
}

/** The TD attribute bits set in a quote's td_attributes (8 bytes, little-endian as in the quote). */
export function decodeTdAttributes(hex) {
  const b = hexToBytes(hex);
  if (!b || b.length !== 8) return null;
  const bits = [];
  for (let i = 0; i < 64; i++) if (b[i >> 3] & (1 << (i & 7))) bits.push(i);
  return bits;
}

function tdAttributesView(hex) {
  const bits = decodeTdAttributes(hex);
  if (!bits) return hexCode(hex);
  const list = h('ul', { class: 'bits' });
  for (const bit of bits) {
    const known = TD_ATTRIBUTE_BITS[bit];
    const bad = bit === 0 || !known;
    list.append(h('li', { class: bad ? 'bit bit-bad' : bit === 28 ? 'bit bit-good' : 'bit' },
      h('code', null, known ? known[0] : `reserved bit ${bit}`),
      h('span', { class: 'bit-desc' }, ` bit ${bit}${known ? ': ' + known[1] : ': must be zero'}`)));
  }
  if (!bits.includes(0)) list.append(h('li', { class: 'bit bit-good' }, h('code', null, 'DEBUG'), h('span', { class: 'bit-desc' }, ' not set: the host cannot read or change the TD')));
  if (!bits.includes(28)) list.append(h('li', { class: 'bit bit-bad' }, h('code', null, 'SEPT_VE_DISABLE'), h('span', { class: 'bit-desc' }, ' not set')));
  return h('div', null, hexCode(hex), list);
}

function quoteSection(report) {
  const q = report.quote;
  if (!q) return null;
  const mrConfigNote = (() => {
    const ch = report.app?.compose_hash;
    if (ch && q.mr_config_id && q.mr_config_id.toLowerCase().startsWith('01' + ch.toLowerCase())) return '0x01 followed by the compose hash';
    return '';
  })();
  const body = kvTable([
    ['Quote', `${q.tee || '?'} quote v${q.version ?? '?'}${q.body_type !== undefined ? `, body type ${q.body_type}` : ''}`],
    q.mr_td !== undefined && ['MRTD', hexCode(q.mr_td), 'Initial TD memory: the virtual firmware'],
    ...[0, 1, 2, 3].map((i) => q['rtmr' + i] !== undefined && [`RTMR${i}`, hexCode(q['rtmr' + i]), ['Firmware configuration and boot', 'OS kernel, command line and initrd', 'OS kernel and boot loader', 'dstack runtime events: app id, compose hash, key provider…'][i]]),
    q.report_data !== undefined && ['report_data', hexCode(q.report_data), 'Chosen by the app when it asked for the quote; a fresh quote starts with the verifier\u2019s nonce'],
    q.mr_config_id !== undefined && ['mr_config_id', hexCode(q.mr_config_id), mrConfigNote],
    q.td_attributes !== undefined && ['TD attributes', tdAttributesView(q.td_attributes)],
    q.xfam !== undefined && ['XFAM', hexCode(q.xfam)],
    q.mr_owner !== undefined && ['mr_owner', hexCode(q.mr_owner)],
    q.mr_owner_config !== undefined && ['mr_owner_config', hexCode(q.mr_owner_config)],
    q.mr_seam !== undefined && ['MRSEAM', hexCode(q.mr_seam), 'The TDX module'],
    q.mr_signer_seam !== undefined && ['MRSIGNERSEAM', hexCode(q.mr_signer_seam)],
    q.seam_attributes !== undefined && ['SEAM attributes', hexCode(q.seam_attributes)],
    q.tee_tcb_svn !== undefined && ['TEE TCB SVN', hexCode(q.tee_tcb_svn)],
    q.debug !== undefined && ['Debug', q.debug ? 'Yes: not confidential' : 'No'],
  ]);
  return section('Quote fields', `${q.tee || ''} v${q.version ?? '?'}`, body, { id: 'detail-quote' });
}

function eventLogSection(report) {
  const el = report.event_log;
  if (!el || (!el.rtmr?.length && !el.events?.length)) return null;
  const parts = [];
  if (el.rtmr?.length) {
    const list = h('ul', { class: 'replay-list' });
    for (const r of el.rtmr) {
      list.append(h('li', { class: 'replay-item' + (r.match ? '' : ' replay-bad'), data: { rtmr: r.index, match: String(!!r.match) } },
        h('div', { class: 'replay-head' }, h('strong', null, `RTMR${r.index}`), badge(r.match ? 'pass' : 'fail', r.match ? 'Replay matches the quote' : 'Replay differs from the quote')),
        h('dl', { class: 'replay-values' },
          h('dt', null, 'Quoted'), h('dd', null, hexCode(r.quoted)),
          h('dt', null, 'Replayed'), h('dd', null, hexCode(r.replayed)))));
    }
    parts.push(h('h4', { class: 'sub-title' }, 'Replay result per register'), list);
  }
  if (el.events?.length) {
    const tbody = h('tbody');
    el.events.forEach((e, i) => {
      const typeName = EVENT_TYPES[e.type] || (e.type !== undefined ? `type 0x${Number(e.type).toString(16)}` : '');
      const text = printableText(e.payload);
      let payload;
      if (!e.payload) payload = h('span', { class: 'muted' }, '(empty)');
      else if (text !== null) payload = h('span', { class: 'payload-text' }, text.length > 240 ? text.slice(0, 240) + '…' : text);
      else if (e.payload.length > 96) payload = h('details', { class: 'payload-more' }, h('summary', null, h('code', { class: 'hex' }, e.payload.slice(0, 48) + '…'), h('span', { class: 'muted' }, ` ${e.payload.length / 2} bytes`)), hexCode(e.payload));
      else payload = hexCode(e.payload);
      const sup = e.digest_supplied_matches;
      tbody.append(h('tr', { data: { event: i, name: e.name || undefined }, class: sup === false ? 'row-bad' : '' },
        h('td', { class: 'num' }, String(i)),
        h('td', { class: 'imr' }, e.imr !== undefined ? `RTMR${e.imr}` : ''),
        h('td', { class: 'ev' }, e.name ? h('strong', { class: 'event-name' }, e.name) : null, e.name ? h('br') : null, h('span', { class: 'muted small' }, typeName)),
        h('td', { class: 'payload', data: { label: 'Payload' } }, payload),
        h('td', { class: 'digest', data: { label: 'Digest' } }, e.digest ? h('code', { class: 'hex', title: e.digest }, short(e.digest, 8)) : ''),
        h('td', { class: 'agree', data: { label: 'From payload' } }, sup === true ? badge('pass', 'Agrees') : sup === false ? badge('fail', 'Differs') : h('span', { class: 'muted small' }, 'digest as given'))));
    });
    parts.push(h('h4', { class: 'sub-title' }, `Events (${el.events.length})`),
      h('div', { class: 'table-scroll' }, h('table', { class: 'data events' },
        h('thead', null, h('tr', null, ['#', 'RTMR', 'Event', 'Payload', 'Digest (SHA-384)', 'Recomputed from payload'].map((t) => h('th', { scope: 'col' }, t)))),
        tbody)),
      h('p', { class: 'note' }, 'Runtime events (RTMR3) are re-hashed from their payloads (SHA-384 of the event type, name and payload) and must agree with the digest the CVM supplied. Firmware and boot events cannot be re-hashed from what the log carries: their digests are taken as given, and replaying all digests must give the quoted registers.'));
  }
  const ok = el.rtmr?.length ? el.rtmr.every((r) => r.match) : null;
  return section('Event log', [`${el.events?.length ?? 0} events`, ok === null ? '' : ok ? ' · RTMR0–3 replay matches' : ' · replay differs'], parts, { id: 'detail-eventlog' });
}

function present(v) {
  return v !== undefined && v !== null;
}

function sameValue(x, y) {
  if (x && y && typeof x === 'object' && typeof y === 'object') {
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) if (!sameValue(x[k], y[k])) return false;
    return true;
  }
  if (!present(x) || !present(y)) return !present(x) && !present(y);
  return String(x).toLowerCase() === String(y).toLowerCase();
}

function appSection(report, ctx) {
  const a = report.app;
  // The app-compose text the core read and hashed (report.app.compose_text), never one the page picks itself.
  const composeText = typeof a?.compose_text === 'string' ? a.compose_text : null;
  if (!a && !composeText) return null;
  const parts = [];
  if (a) {
    const kp = a.key_provider;
    parts.push(h('p', { class: 'note first' }, 'Measured: these values come from the quote and the replayed event log.'));
    parts.push(kvTable([
      a.name && ['App name', a.name, 'From the measured compose file'],
      present(a.app_id) && ['App ID', hexCode(a.app_id)],
      present(a.instance_id) && ['Instance ID', a.instance_id ? hexCode(a.instance_id) : h('span', { class: 'muted' }, '(none: the app runs without an instance id)')],
      present(a.compose_hash) && ['Compose hash', hexCode(a.compose_hash), 'sha256 of the app-compose text below'],
      kp && ['Key provider', h('span', null, h('strong', null, kp.name || '?'), kp.id ? ' ' : '', kp.id ? hexCode(kp.id) : '')],
      present(a.mr_kms) && ['KMS measurement', hexCode(a.mr_kms)],
      present(a.os_image_hash) && ['OS image hash', hexCode(a.os_image_hash)],
      present(a.storage_fs) && ['Storage file system', a.storage_fs],
      present(a.runner) && ['Runner', a.runner],
    ]));
    if (Array.isArray(a.application_events) && a.application_events.length) {
      parts.push(h('h4', { class: 'sub-title' }, 'Events added by the app'),
        kvTable(a.application_events.map((e) => {
          const text = printableText(e.payload);
          return [e.name || `event ${e.index}`, text !== null ? h('code', null, text) : hexCode(e.payload), e.index !== undefined ? `event #${e.index} in RTMR3` : ''];
        })));
    }
    if (Array.isArray(a.images) && a.images.length) {
      const tbody = h('tbody');
      for (const img of a.images) {
        tbody.append(h('tr', { data: { pinned: String(!!img.pinned) } },
          h('td', null, img.service || ''),
          h('td', { class: 'mono-cell' }, h('code', { class: 'hex' }, img.image || '')),
          h('td', null, img.pinned ? badge('pass', 'Pinned') : badge('warn', 'Not pinned'))));
      }
      parts.push(h('h4', { class: 'sub-title' }, 'Container images'),
        h('div', { class: 'table-scroll' }, h('table', { class: 'data images' },
          h('thead', null, h('tr', null, ['Service', 'Image', 'Digest'].map((t) => h('th', { scope: 'col' }, t)))), tbody)));
    }
    const claims = a.claims && typeof a.claims === 'object' ? a.claims : null;
    if (claims) {
      const rows = [];
      for (const [k, v] of Object.entries(claims)) {
        if (!present(v) || v === '') continue;
        const shown = typeof v === 'object' ? h('code', null, JSON.stringify(v)) : /^[0-9a-f]{16,}$/i.test(String(v)) ? hexCode(v) : String(v);
        const measured = a[k] ?? (k === 'app_name' ? a.name : undefined);
        const note = present(measured)
          ? (sameValue(measured, v) ? 'equals the measured value' : h('strong', { class: 'claim-differs' }, 'differs from the measured value: do not rely on it'))
          : 'not measured: the app says so, nothing proves it';
        rows.push([k, shown, note]);
      }
      if (rows.length) {
        parts.push(h('h4', { class: 'sub-title' }, 'Claimed by the app (its /info answer)'),
          h('p', { class: 'note first' }, 'These are the app\u2019s own statements. Only the values marked as equal to a measured value are backed by the quote.'),
          kvTable(rows, 'claims'));
      }
    }
  }
  if (composeText) parts.push(composeViewer(composeText, a));
  const ch = checkStatus(report, 'app.compose_hash');
  return section('App and compose file', [a?.app_id ? `app ${short(a.app_id, 6)}` : '', ch ? ` · compose hash ${STATUS_TEXT[ch].toLowerCase()}` : ''], parts, { id: 'detail-app' });
}

function composeViewer(text, app) {
  const hash = app?.compose_hash;
  const wrap = h('div', { class: 'compose' });
  wrap.append(h('h4', { class: 'sub-title' }, 'App compose'),
    h('p', { class: 'note' }, 'The fields as the verifier read them. The compose hash is computed over the raw text exactly as the CVM measured it (', h('em', null, 'Raw text'), ' below), not over this view.'));
  // Every field comes from the core's report (its own parse of the text it hashed): no second parse here.
  const fields = ['name', 'runner', 'kms_enabled', 'gateway_enabled', 'local_key_provider_enabled', 'key_provider_kind', 'key_provider_id',
    'public_logs', 'public_sysinfo', 'public_tcbinfo', 'no_instance_id', 'secure_time', 'allowed_envs', 'pre_launch_script', 'init_script', 'bash_script'];
  const rows = [];
  for (const k of fields) {
    const v = app?.[k];
    if (v === undefined || v === null) continue;
    rows.push([k, typeof v === 'string' ? (v === '' ? h('span', { class: 'muted' }, '""') : h('code', null, v)) : h('code', null, JSON.stringify(v))]);
  }
  if (rows.length) wrap.append(kvTable(rows, 'compose-fields'));
  if (typeof app?.docker_compose_file === 'string') {
    wrap.append(h('p', { class: 'field-label compose-file-label' }, 'docker_compose_file'),
      h('pre', { class: 'code', tabindex: '0' }, app.docker_compose_file));
  }
  wrap.append(h('details', { class: 'raw' },
    h('summary', null, 'Raw text', hash ? ` (sha256 ${short(hash, 8)})` : ''),
    h('pre', { class: 'code', tabindex: '0' }, text)));
  return wrap;
}
