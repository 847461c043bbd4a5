// cvm-verify web page: the controller. Plain ESM, no framework, no build step, no inline anything
// (the page runs under a strict Content-Security-Policy). It drives the JS API step by step
// (fetchEvidence -> fetchCollateral -> verifyEvidence) to show live progress.
import { h, clear, $, $$, statusIcon } from './dom.js';
import { STEPS, STATUS_TEXT, TCB_POLICIES, CHECK_BY_ID } from './meta.js';
import { loadSettings, saveSettings, normalizePccsUrl, normalizeHash, parseNow, policyFrom, DEFAULTS } from './settings.js';
import { renderCheckRows, renderDetails, fmtTime, breakable } from './render.js';
import { osVerdictNote, osManifestOption, initOsSettings } from './os.js';

const SAMPLE_URL = new URL('./sample-near-mpc.json', import.meta.url).href;
const SAMPLE_NOW = 1788000000; // the recording's time window (tests/vectors/README.md)
const MAX_UPLOAD = 4 * 1024 * 1024;

const state = {
  api: null,
  apiError: null,
  settings: loadSettings(),
  run: null,        // the run in progress or last finished: { id, kind, target, bundle, report, ... }
  runSeq: 0,
  corsNonce: null,  // the nonce in the curl commands shown after a blocked fetch
  uploadBytes: null, // a binary file chosen with "Upload a file"
};

// ---------- the JS API ----------

const apiReady = import('../js/index.js').then((m) => { state.api = m; return m; }, (e) => {
  state.apiError = e;
  return null;
});

async function api() {
  const m = await apiReady;
  if (!m) {
    const err = new Error('The verifier could not be loaded (../js/index.js). Reload the page; if it persists, the site is misconfigured.');
    err.code = 'VERIFIER_UNAVAILABLE';
    throw err;
  }
  return m;
}

function footerInfo() {
  import('../js/wasm-sha256.js').then((m) => { if (m.WASM_SHA256) $('#wasm-sha').textContent = m.WASM_SHA256; }, () => {});
  apiReady.then((m) => {
    const v = m && (m.VERSION || m.version);
    if (typeof v === 'string') $('#version').textContent = v;
  });
}

function setVerifierInfo(report) {
  const v = report?.verifier;
  if (v?.version) $('#version').textContent = v.version;
  if (v?.wasm_sha256) $('#wasm-sha').textContent = v.wasm_sha256;
}

// ---------- progress steps ----------

function renderSteps() {
  const ol = clear($('#steps'));
  STEPS.forEach((s, i) => {
    ol.append(h('li', { class: 'step', data: { step: s.id, state: 'pending' } },
      h('span', { class: 'step-icon' }, h('span', { class: 'step-num' }, String(i + 1))),
      h('span', { class: 'step-text' },
        h('span', { class: 'step-label' }, s.label),
        h('span', { class: 'step-note' }, ''))));
  });
}

function setStep(id, st, note = '') {
  const li = $(`#steps [data-step="${id}"]`);
  if (!li) return;
  li.dataset.state = st;
  const icon = clear(li.querySelector('.step-icon'));
  if (st === 'pending') icon.append(h('span', { class: 'step-num' }, String(STEPS.findIndex((s) => s.id === id) + 1)));
  else icon.append(statusIcon(st === 'done' ? 'pass' : st));
  li.querySelector('.step-note').textContent = note || (st === 'pending' ? '' : STATUS_TEXT[st] || '');
  if (st === 'running') li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
}

function resetSteps() {
  for (const s of STEPS) setStep(s.id, 'pending');
}

// ---------- verdict ----------

const VERDICT_TEXT = {
  pass: { title: 'Verified', kicker: 'Verdict' },
  warn: { title: 'Verified, with warnings', kicker: 'Verdict' },
  fail: { title: 'Verification failed', kicker: 'Verdict' },
  error: { title: 'Could not verify', kicker: 'No verdict' },
  running: { title: 'Verifying…', kicker: 'Working' },
  idle: { title: 'Not verified yet', kicker: 'Result' },
};

function setVerdict(kind, summary) {
  const el = $('#verdict');
  if (kind === 'idle') delete el.dataset.verdict; else el.dataset.verdict = kind;
  const t = VERDICT_TEXT[kind];
  $('#verdict-kicker').textContent = t.kicker;
  $('#verdict-title').textContent = t.title;
  const sum = clear($('#verdict-summary'));
  if (summary instanceof Node) sum.append(summary); else sum.textContent = summary || '';
  const icon = clear($('#verdict-icon'));
  icon.append(kind === 'idle' ? shieldIcon() : statusIcon(kind === 'running' ? 'running' : kind));
  el.setAttribute('aria-busy', kind === 'running' ? 'true' : 'false');
}

function shieldIcon() {
  const svg = h('svg:svg', { viewBox: '0 0 32 32', width: '28', height: '28', 'aria-hidden': 'true', focusable: 'false', class: 'icon' });
  svg.append(h('svg:path', { d: 'M16 3l10.5 4v7.7c0 6.6-4.4 11.8-10.5 14C9.9 26.5 5.5 21.3 5.5 14.7V7z', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.2', 'stroke-linejoin': 'round' }));
  return svg;
}

const FACTS = [['Target', 'fact-wide'], ['Verified at'], ['TCB'], ['Compose hash', 'fact-wide'], ['App ID'], ['Nonce']];

/** The facts under the verdict. Always the same six slots (a dash when unknown), so nothing jumps. */
function setFacts(values = {}) {
  const dl = clear($('#facts'));
  for (const [k, cls] of FACTS) {
    const v = values[k];
    const empty = v === undefined || v === null || v === '';
    dl.append(h('div', { class: 'fact' + (cls ? ' ' + cls : '') + (empty ? ' fact-empty' : '') },
      h('dt', null, k), h('dd', null, empty ? '—' : v)));
  }
}

function setActions(visible) {
  $('#verdict-actions').classList.toggle('invisible', !visible);
  for (const b of $$('#verdict-actions button')) b.disabled = !visible;
}

function summaryFor(report, run) {
  const checks = report.checks || [];
  const failed = checks.filter((c) => c.status === 'fail' && c.enforced !== false);
  const warned = checks.filter((c) => c.status === 'warn' || (c.status === 'fail' && c.enforced === false));
  const skipped = checks.filter((c) => c.status === 'skip');
  const frag = document.createDocumentFragment();
  const title = (c) => CHECK_BY_ID[c.id]?.title || c.id;
  const list = (items) => items.map((c, i) => [i ? ', ' : '', h('a', { href: `#check-${c.id}`, class: 'check-link', data: { target: c.id } }, title(c)), c.code && c.code !== 'OK' ? ` (${c.code})` : '']);
  if (report.verdict === 'pass') {
    frag.append(run.kind === 'sample'
      ? 'The recorded evidence is genuine: every enforced check passed for the time it was recorded.'
      : 'Genuine Intel TDX hardware, and every enforced check passed.');
  } else if (report.verdict === 'warn') {
    frag.append('No check failed, but some need attention: ', ...list(warned).flat(), '.');
  } else {
    frag.append(`${failed.length} check${failed.length === 1 ? '' : 's'} failed: `, ...list(failed).flat(), '.');
  }
  if (skipped.length) frag.append(' Not checked: ', skipped.map((c) => title(c).toLowerCase()).join(', '), '.');
  frag.append(osVerdictNote(report)); // an unverified OS is named (web/os.js)
  return frag;
}

// ---------- runs ----------

function beginRun(kind, target) {
  if (state.run?.controller) state.run.controller.abort();
  const run = { id: ++state.runSeq, kind, target, controller: new AbortController(), startedAt: Date.now() };
  state.run = run;
  setVerdict('running', kind === 'url' ? `Contacting ${target}` : 'Reading the evidence');
  setFacts({ Target: targetFact(kind, target) });
  $('#sample-label').hidden = true;
  setActions(false);
  $('#copy-status').textContent = '';
  hideGuidance();
  resetSteps();
  renderCheckRows($('#checks-body'), null);
  $('#details').hidden = true;
  clear($('#details-body'));
  setBusy(true);
  return run;
}

function isCurrent(run) {
  return state.run === run && !run.controller.signal.aborted;
}

function setBusy(busy) {
  for (const b of $$('[data-role="url-verify"], [data-role="evidence-verify"], [data-role="sample"]')) {
    b.setAttribute('aria-disabled', busy ? 'true' : 'false');
  }
  document.body.classList.toggle('busy', busy);
}

function verifyOptions(run, extra = {}) {
  const s = state.settings;
  const opts = { pccsUrl: s.pccsUrl, policy: policyFrom(s), signal: run.controller.signal, ...extra };
  if (s.now && opts.now === undefined) opts.now = s.now;
  const osm = osManifestOption(); // Settings' OS manifest files (web/os.js)
  if (osm && opts.osManifest === undefined) opts.osManifest = osm;
  return opts;
}

async function verifyUrl(raw) {
  const url = normalizeTargetUrl(raw);
  const errEl = $('#url-error');
  if (!url) {
    errEl.textContent = 'Enter the https:// address of a CVM app, for example https://<app-id>-8080.dstack-prod5.phala.network';
    errEl.hidden = false;
    $('#url-input').setAttribute('aria-invalid', 'true');
    $('#url-input').focus();
    return;
  }
  errEl.hidden = true;
  $('#url-input').removeAttribute('aria-invalid');
  $('#url-input').value = url;
  const addr = new URL(location.href);
  addr.search = '?url=' + encodeURIComponent(url);
  addr.hash = '';
  history.replaceState(null, '', addr.href);

  const run = beginRun('url', url);
  let step = 'fetch-attestation';
  try {
    const A = await api();
    const nonce = A.newNonce();
    run.nonce = nonce;
    setStep(step, 'running', 'with a fresh nonce');
    const bundle = await A.fetchEvidence(url, { nonce, signal: run.controller.signal });
    if (!isCurrent(run)) return;
    run.bundle = bundle;
    setStep(step, 'done', 'received');

    step = 'fetch-collateral';
    const pccs = state.settings.pccsUrl;
    setStep(step, 'running', `from ${hostOf(pccs)}`);
    const collateral = await A.fetchCollateral(bundle, { pccsUrl: pccs, signal: run.controller.signal });
    if (!isCurrent(run)) return;
    run.collateral = collateral;
    run.collateralSource = pccs;
    setStep(step, 'done', `from ${hostOf(pccs)}`);

    step = 'verify';
    markVerifying();
    const report = await A.verifyEvidence(bundle, verifyOptions(run, { collateral, collateralSource: pccs, nonce }));
    if (!isCurrent(run)) return;
    finishRun(run, report);
  } catch (e) {
    if (!isCurrent(run)) return;
    failRun(run, e, step);
  }
}

async function verifyPasted() {
  const ta = $('#evidence-input');
  const errEl = $('#evidence-error');
  let evidence;
  let name = $('#evidence-file-name').textContent || '';
  if (state.uploadBytes && ta.value === '') {
    evidence = state.uploadBytes;
  } else {
    const text = ta.value.trim();
    if (!text) {
      errEl.textContent = 'Paste evidence or upload a file first.';
      errEl.hidden = false;
      ta.setAttribute('aria-invalid', 'true');
      ta.focus();
      return;
    }
    evidence = text;
    try {
      const v = JSON.parse(text);
      if (v && typeof v === 'object') evidence = v;
    } catch { /* not JSON: the core reads it as a hex quote */ }
  }
  errEl.hidden = true;
  ta.removeAttribute('aria-invalid');

  const run = beginRun('evidence', name || 'Pasted evidence');
  let step = 'fetch-attestation';
  try {
    const A = await api();
    setStep(step, 'done', name ? 'uploaded' : 'pasted');
    run.bundle = toBundle(evidence);

    step = 'fetch-collateral';
    let collateral;
    if (evidence && typeof evidence === 'object' && !Array.isArray(evidence) && !(evidence instanceof Uint8Array) && evidence.collateral) {
      setStep(step, 'done', 'supplied with the evidence');
    } else {
      if (quoteOf(evidence)) {
        const pccs = state.settings.pccsUrl;
        setStep(step, 'running', `from ${hostOf(pccs)}`);
        collateral = await A.fetchCollateral(evidence, { pccsUrl: pccs, signal: run.controller.signal });
        if (!isCurrent(run)) return;
        run.collateral = collateral;
        run.collateralSource = pccs;
        setStep(step, 'done', `from ${hostOf(pccs)}`);
      } else {
        setStep(step, 'skip', 'no quote in the evidence');
      }
    }

    step = 'verify';
    markVerifying();
    const extra = {};
    if (collateral) extra.collateral = collateral;
    if (collateral && run.collateralSource) extra.collateralSource = run.collateralSource;
    // The nonce we put in the curl commands after a blocked fetch is ours: check freshness against it.
    const evNonce = evidence && typeof evidence === 'object' ? String(evidence.nonce || '').toLowerCase() : '';
    if (state.corsNonce && evNonce === state.corsNonce) { extra.nonce = state.corsNonce; run.nonce = state.corsNonce; run.ourNonce = true; } else if (/^[0-9a-f]{2,}$/.test(evNonce)) run.nonce = evNonce;
    const report = await A.verifyEvidence(evidence, verifyOptions(run, extra));
    if (!isCurrent(run)) return;
    finishRun(run, report);
  } catch (e) {
    if (!isCurrent(run)) return;
    failRun(run, e, step);
  }
}

async function verifySample() {
  history.replaceState(null, '', location.pathname);
  const run = beginRun('sample', 'Recorded sample: near/mpc test assets');
  let step = 'fetch-attestation';
  try {
    const A = await api();
    setStep(step, 'running', 'loading the recording');
    const res = await fetch(SAMPLE_URL, { signal: run.controller.signal, cache: 'no-cache' });
    if (!res.ok) throw Object.assign(new Error(`The sample could not be loaded (HTTP ${res.status}).`), { code: 'FETCH_FAILED' });
    const bundle = await res.json();
    if (!isCurrent(run)) return;
    run.bundle = bundle;
    setStep(step, 'done', 'recorded');
    step = 'fetch-collateral';
    setStep(step, 'done', 'in the sample');
    step = 'verify';
    markVerifying();
    // No nonce: the recording's report_data is not ours, so freshness is skipped, never passed.
    const opts = verifyOptions(run, { now: SAMPLE_NOW, policy: policyFrom(state.settings, { withExpectations: false }) });
    const report = await A.verifyEvidence(bundle, opts);
    if (!isCurrent(run)) return;
    finishRun(run, report);
  } catch (e) {
    if (!isCurrent(run)) return;
    failRun(run, e, step);
  }
}

function markVerifying() {
  for (const s of STEPS) if (s.check) setStep(s.id, 'running', 'verifying');
  setVerdict('running', 'Checking signatures, collateral, the event log and the app');
}

function finishRun(run, report) {
  run.report = report;
  run.controller = new AbortController(); // nothing left to cancel
  setBusy(false);
  setVerifierInfo(report);
  const checks = new Map((report.checks || []).map((c) => [c.id, c]));
  for (const s of STEPS) {
    if (!s.check) continue;
    const c = checks.get(s.check);
    let st = c?.status || 'skip';
    // A quote that does not parse stops the hardware step too.
    if (s.id === 'hardware' && checks.get('quote.format')?.status === 'fail') st = 'fail';
    setStep(s.id, st, c?.code && c.code !== 'OK' ? c.code : STATUS_TEXT[st]);
  }
  const verdict = ['pass', 'warn', 'fail'].includes(report.verdict) ? report.verdict : 'fail';
  setVerdict(verdict, summaryFor(report, run));
  renderCheckRows($('#checks-body'), report);
  for (const tr of $$('#checks-body tr')) tr.id = 'check-' + tr.dataset.checkId;

  const sample = run.kind === 'sample';
  const label = $('#sample-label');
  if (sample) {
    label.textContent = `Recorded sample (near/mpc test assets), verified as of its recording time, ${fmtTime(SAMPLE_NOW)}. It is not a live CVM, and its report_data is not a nonce of ours, so freshness is not checked.`;
    label.hidden = false;
  } else if (state.settings.now) {
    label.textContent = `Verified as of ${fmtTime(state.settings.now)} (audit mode), not the current time.`;
    label.hidden = false;
  }
  const app = report.app || {};
  const nonceFact = run.nonce
    ? h('span', null, h('code', { class: 'hex' }, run.nonce.slice(0, 16) + '…'), run.kind === 'url' || run.ourNonce ? ' (made by this page)' : ' (from the evidence, not made by this page)')
    : sample ? 'none (recorded sample)' : 'none given';
  setFacts({
    Target: targetFact(run.kind, run.target),
    'Verified at': fmtTime(report.verified_at),
    TCB: report.tcb?.status ? h('span', null, breakable(report.tcb.status), report.platform?.fmspc ? ` · FMSPC ${report.platform.fmspc}` : '') : undefined,
    'Compose hash': app.compose_hash ? h('code', { class: 'hex' }, app.compose_hash) : undefined,
    'App ID': app.app_id ? h('code', { class: 'hex' }, app.app_id) : undefined,
    Nonce: nonceFact,
  });
  setActions(true);

  const n = renderDetails($('#details-body'), report, { appCompose: appComposeOf(run.bundle), collateralSource: run.collateralSource });
  $('#details').hidden = n === 0;
}

function failRun(run, e, step) {
  setBusy(false);
  run.error = e;
  const code = e?.code || (e?.name === 'AbortError' ? 'ABORTED' : 'INTERNAL');
  const message = e?.message || String(e);
  const stepId = step === 'verify' ? null : step;
  if (stepId) setStep(stepId, 'error', code);
  for (const s of STEPS) {
    const li = $(`#steps [data-step="${s.id}"]`);
    if (li && (li.dataset.state === 'running' || (li.dataset.state === 'pending'))) setStep(s.id, 'pending', 'not run');
  }
  if (step === 'verify') for (const s of STEPS) if (s.check) setStep(s.id, 'error', 'not judged');
  const frag = h('span', null, h('code', { class: 'reason-code' }, code), ' ', friendlyError(code, step, run) || message);
  if (friendlyError(code, step, run)) frag.append(h('span', { class: 'verdict-detail' }, message));
  setVerdict('error', frag);
  setFacts({ Target: targetFact(run.kind, run.target) });
  if (run.kind === 'url' && step === 'fetch-attestation' && (code === 'CORS_BLOCKED' || code === 'FETCH_FAILED')) {
    showCorsGuidance(run.target, run.nonce, code);
  } else if (step === 'fetch-collateral' && (code === 'FETCH_FAILED' || code === 'CORS_BLOCKED')) {
    showGuidance('The collateral service could not be reached',
      [`Intel's collateral for this quote could not be fetched from ${state.settings.pccsUrl}. Check the collateral service in Settings (Intel PCS, https://api.trustedservices.intel.com, works too), or paste an evidence bundle that already includes collateral.`]);
  }
}

function targetFact(kind, target) {
  return kind === 'url' ? h('code', { class: 'target' }, target) : target;
}

/** A plain sentence for the errors people meet most; the API's own message is shown under it. */
function friendlyError(code, step, run) {
  if (run.kind === 'url' && step === 'fetch-attestation') {
    if (code === 'CORS_BLOCKED') return 'The browser did not let this page read the app\u2019s attestation. The app may not allow requests from other websites (CORS), or it may be unreachable. You can still verify it: see below.';
    if (code === 'FETCH_FAILED') return 'The app\u2019s attestation could not be fetched. Check the address, or fetch the evidence yourself: see below.';
    if (code === 'EVIDENCE_MALFORMED') return 'The app answered, but not with dstack attestation evidence.';
  }
  if (step === 'fetch-collateral' && (code === 'FETCH_FAILED' || code === 'CORS_BLOCKED')) return 'Intel\u2019s collateral could not be fetched from the collateral service, so the hardware could not be judged.';
  if (code === 'EVIDENCE_MALFORMED' && run.kind === 'evidence') return 'This is not evidence the verifier can read.';
  if (code === 'VERIFIER_UNAVAILABLE' || code === 'INTERNAL') return 'The verifier itself failed, so nothing was judged.';
  return '';
}

// ---------- CORS guidance ----------

function shellQuote(s) {
  return "'" + String(s).replace(/'/g, "'\\''") + "'";
}

function curlCommands(url, nonce) {
  const base = url.replace(/\/+$/, '');
  const att = `${base}/attestation?reportData=${nonce}`;
  const info = `${base}/info`;
  const head = JSON.stringify({ format: 'cvm-evidence/v1', source_url: url, nonce }).slice(0, -1) + ',"attestation":';
  return {
    attestation: `curl -sS ${shellQuote(att)}`,
    info: `curl -sS ${shellQuote(info)}`,
    combined: `{ printf '%s' ${shellQuote(head)}; curl -sS ${shellQuote(att)}; printf '%s' ',"info":'; curl -sS ${shellQuote(info)}; printf '}'; } > evidence.json`,
  };
}

function showCorsGuidance(url, nonce, code) {
  state.corsNonce = nonce ? nonce.toLowerCase() : null;
  const cmds = curlCommands(url, nonce || '<nonce>');
  const blocked = code === 'CORS_BLOCKED';
  const box = clear($('#guidance'));
  box.hidden = false;
  box.dataset.kind = 'cors';
  box.append(
    h('h3', { class: 'card-title' }, blocked ? 'Your browser blocked the request (CORS)' : 'The app could not be reached from this page'),
    h('p', null, blocked
      ? `${url} most likely does not allow other websites to read its attestation (it sends no CORS headers), so the browser would not let this page see the answer. That is a setting of the app, not a sign of tampering. (A browser cannot tell this apart from the app being unreachable; if the commands below fail too, check the address.)`
      : `The request to ${url} failed. The app may be down, the address may be wrong, or the app may not allow other websites to read it (CORS).`),
    h('p', null, 'Fetch the evidence yourself and paste it into the ', h('strong', null, 'Paste or upload evidence'), ' tab. These commands use a fresh nonce made by this page, so freshness is still checked:'),
    cmdBlock('Attestation', cmds.attestation),
    cmdBlock('App info', cmds.info),
    h('p', null, 'Or fetch both at once into one file to paste or upload (it combines the two answers into an evidence bundle):'),
    cmdBlock('Both, as evidence.json', cmds.combined),
    h('p', { class: 'guidance-actions' }, h('button', { type: 'button', class: 'btn primary small', on: { click: () => { selectTab('evidence', true); } } }, 'Paste the evidence…')),
  );
}

function cmdBlock(label, cmd) {
  const status = h('span', { class: 'copied', 'aria-live': 'polite' });
  return h('div', { class: 'cmd' },
    h('div', { class: 'cmd-head' }, h('span', { class: 'cmd-label' }, label),
      h('button', { type: 'button', class: 'btn small ghost', on: { click: () => copyText(cmd, status) } }, 'Copy'), status),
    h('pre', { class: 'code cmd-text', tabindex: '0' }, h('code', null, cmd)));
}

function showGuidance(title, paragraphs) {
  const box = clear($('#guidance'));
  box.hidden = false;
  box.dataset.kind = 'info';
  box.append(h('h3', { class: 'card-title' }, title), ...paragraphs.map((p) => h('p', null, p)));
}

function hideGuidance() {
  const box = $('#guidance');
  box.hidden = true;
  delete box.dataset.kind;
  clear(box);
}

// ---------- evidence helpers ----------

function normalizeTargetUrl(raw) {
  let s = String(raw || '').trim();
  if (!s) return '';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = 'https://' + s;
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return '';
    if (!u.hostname || u.username || u.password) return '';
    u.hash = '';
    return u.href.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

function hostOf(u) {
  try { return new URL(u).host; } catch { return u; }
}

/** The quote inside any evidence shape, for fetching collateral (hex string, bytes), or null. */
function quoteOf(ev) {
  if (!ev) return null;
  if (ev instanceof Uint8Array) return ev;
  if (typeof ev === 'string') return ev.replace(/\s+/g, '') || null;
  if (Array.isArray(ev)) return ev.length && ev.every((x) => Number.isInteger(x)) ? Uint8Array.from(ev) : null;
  if (typeof ev === 'object') {
    if (ev.quote) return quoteOf(ev.quote);
    if (ev.attestation) return quoteOf(ev.attestation);
  }
  return null;
}

function parseMaybe(v) {
  if (typeof v !== 'string') return v;
  try { return JSON.parse(v); } catch { return null; }
}

/** The app-compose text (exactly as measured) inside the evidence, or null. */
function appComposeOf(ev) {
  if (!ev || typeof ev !== 'object') return null;
  const candidates = [ev.info?.tcb_info, ev.tcb_info, ev.attestation?.info?.tcb_info, ev];
  for (const c of candidates) {
    const t = parseMaybe(c);
    if (t && typeof t === 'object' && typeof t.app_compose === 'string') return t.app_compose;
  }
  return null;
}

function bytesToHex(b) {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A cvm-evidence/v1 bundle for any evidence shape (for the download). */
function toBundle(ev) {
  if (ev && typeof ev === 'object' && !Array.isArray(ev) && !(ev instanceof Uint8Array)) {
    if (ev.format === 'cvm-evidence/v1' || ev.attestation || ev.info) return { ...ev };
    if (ev.quote) return { format: 'cvm-evidence/v1', attestation: ev };
    if (ev.tcb_info || ev.app_id) return { format: 'cvm-evidence/v1', info: ev };
    return { format: 'cvm-evidence/v1', attestation: ev };
  }
  if (ev instanceof Uint8Array) return { format: 'cvm-evidence/v1', attestation: { quote: bytesToHex(ev) } };
  if (Array.isArray(ev)) return { format: 'cvm-evidence/v1', attestation: { quote: bytesToHex(Uint8Array.from(ev)) } };
  return { format: 'cvm-evidence/v1', attestation: { quote: String(ev).replace(/\s+/g, '').replace(/^0x/i, '') } };
}

function bundleForDownload(run) {
  const fromApi = state.api?.evidenceOf?.(run.report);
  if (fromApi && typeof fromApi === 'object') return fromApi;
  const b = { format: 'cvm-evidence/v1', ...(run.bundle || {}) };
  b.format = 'cvm-evidence/v1';
  if (run.kind === 'url') b.source_url = b.source_url || run.target;
  if (!b.fetched_at) b.fetched_at = new Date().toISOString();
  if (run.nonce && !b.nonce) b.nonce = run.nonce;
  if (run.collateral) b.collateral = run.collateral;
  if (run.report) b.report = run.report;
  return b;
}

// ---------- download and copy ----------

function download() {
  const run = state.run;
  if (!run?.report) return;
  const bundle = bundleForDownload(run);
  const blob = new Blob([JSON.stringify(bundle, null, 2) + '\n'], { type: 'application/json' });
  const a = h('a', { href: URL.createObjectURL(blob), download: bundleFileName(run), class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function bundleFileName(run) {
  const when = new Date((run.report?.verified_at || Date.now() / 1000) * 1000).toISOString().slice(0, 10);
  let name = 'evidence';
  if (run.kind === 'url') name = hostOf(run.target).replace(/[^a-z0-9.-]+/gi, '_').slice(0, 80);
  else if (run.kind === 'sample') name = 'sample-near-mpc';
  return `cvm-evidence-${name}-${when}.json`;
}

async function copyText(text, statusEl) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const ta = h('textarea', { class: 'visually-hidden', readonly: true });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
  }
  if (statusEl) {
    statusEl.textContent = ok ? 'Copied' : 'Copy failed: select the text and copy it';
    setTimeout(() => { statusEl.textContent = ''; }, 2500);
  }
  return ok;
}

// ---------- tabs ----------

function selectTab(which, focusPanel = false) {
  const tabs = { url: $('#tab-url'), evidence: $('#tab-evidence') };
  for (const [k, tab] of Object.entries(tabs)) {
    const on = k === which;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $('#' + tab.getAttribute('aria-controls')).hidden = !on;
  }
  if (focusPanel) (which === 'url' ? $('#url-input') : $('#evidence-input')).focus();
}

function initTabs() {
  const list = $$('[role="tab"]');
  for (const tab of list) {
    tab.addEventListener('click', () => selectTab(tab.id === 'tab-url' ? 'url' : 'evidence'));
    tab.addEventListener('keydown', (e) => {
      const i = list.indexOf(tab);
      let j = null;
      if (e.key === 'ArrowRight') j = (i + 1) % list.length;
      else if (e.key === 'ArrowLeft') j = (i - 1 + list.length) % list.length;
      else if (e.key === 'Home') j = 0;
      else if (e.key === 'End') j = list.length - 1;
      if (j === null) return;
      e.preventDefault();
      selectTab(list[j].id === 'tab-url' ? 'url' : 'evidence');
      list[j].focus();
    });
  }
}

// ---------- settings ----------

function initSettings() {
  const s = state.settings;
  const pccs = $('#set-pccs');
  const tcb = $('#set-tcb');
  const compose = $('#set-compose');
  const now = $('#set-now');
  const fill = () => {
    pccs.value = s.pccsUrl;
    pccs.placeholder = DEFAULTS.pccsUrl;
    tcb.value = s.tcbPolicy;
    $('#set-tcb-hint').textContent = TCB_POLICIES[s.tcbPolicy];
    compose.value = s.expectComposeHash || '';
    now.value = s.now ? String(s.now) : '';
    showNowHint();
    updateAsOf();
    updateSettingsSummary();
  };
  const fieldError = (input, errId, msg) => {
    const e = $('#' + errId);
    e.textContent = msg || '';
    e.hidden = !msg;
    if (msg) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  };
  const showNowHint = () => {
    $('#set-now-hint').textContent = s.now
      ? `Set: ${fmtTime(s.now)} (${s.now}). Certificates, CRLs and collateral are judged at this time.`
      : 'Judge certificates, CRLs and collateral at this time instead of now.';
  };
  const saved = () => {
    updateSettingsSummary();
    const ok = saveSettings(s);
    const el = $('#settings-saved');
    el.textContent = ok ? 'Saved' : 'Applied for this visit (storage is disabled)';
    clearTimeout(saved.t);
    saved.t = setTimeout(() => { el.textContent = ''; }, 2000);
  };
  pccs.addEventListener('change', () => {
    const v = pccs.value.trim() ? normalizePccsUrl(pccs.value) : DEFAULTS.pccsUrl;
    if (!v) return fieldError(pccs, 'set-pccs-error', 'Enter an https:// URL, for example https://pccs.phala.network');
    fieldError(pccs, 'set-pccs-error', '');
    s.pccsUrl = v;
    pccs.value = v;
    saved();
  });
  tcb.addEventListener('change', () => {
    s.tcbPolicy = tcb.value;
    $('#set-tcb-hint').textContent = TCB_POLICIES[s.tcbPolicy];
    saved();
  });
  compose.addEventListener('change', () => {
    const v = normalizeHash(compose.value);
    if (v === null) return fieldError(compose, 'set-compose-error', 'A compose hash is 64 hexadecimal characters (sha256).');
    fieldError(compose, 'set-compose-error', '');
    s.expectComposeHash = v;
    compose.value = v;
    saved();
  });
  now.addEventListener('change', () => {
    const v = parseNow(now.value);
    if (v === null) return fieldError(now, 'set-now-error', 'Enter unix seconds (e.g. 1788000000) or an ISO date (e.g. 2026-08-29T10:40:00Z).');
    fieldError(now, 'set-now-error', '');
    if (v) s.now = v; else delete s.now;
    now.value = v ? String(v) : '';
    showNowHint();
    updateAsOf();
    saved();
  });
  $('#settings-reset').addEventListener('click', () => {
    Object.assign(s, DEFAULTS);
    delete s.now;
    for (const [i, e] of [[pccs, 'set-pccs-error'], [compose, 'set-compose-error'], [now, 'set-now-error']]) fieldError(i, e, '');
    fill();
    saved();
  });
  $('#asof-clear').addEventListener('click', () => {
    delete s.now;
    fill();
    saved();
  });
  const toggle = $('#settings-toggle');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    $('#settings-panel').hidden = !open;
    if (open) pccs.focus();
  });
  fill();
}

/** A short summary of the settings that differ from the defaults, shown on the Settings button. */
function updateSettingsSummary() {
  const s = state.settings;
  const bits = [];
  if (s.pccsUrl !== DEFAULTS.pccsUrl) bits.push(`collateral: ${hostOf(s.pccsUrl)}`);
  if (s.tcbPolicy !== DEFAULTS.tcbPolicy) bits.push(`${s.tcbPolicy} TCB policy`);
  if (s.expectComposeHash) bits.push(`expects compose ${s.expectComposeHash.slice(0, 8)}…`);
  if (s.now) bits.push('as of a set time');
  $('#settings-summary').textContent = bits.length ? `(${bits.join(', ')})` : '';
}

function updateAsOf() {
  const s = state.settings;
  const box = $('#asof');
  box.hidden = !s.now;
  const t = $('#asof-time');
  t.textContent = s.now ? `${fmtTime(s.now)} (${s.now})` : '';
  if (s.now) t.setAttribute('datetime', new Date(s.now * 1000).toISOString()); else t.removeAttribute('datetime');
}

// ---------- upload ----------

function initUpload() {
  const file = $('#evidence-file');
  $('#evidence-upload').addEventListener('click', () => file.click());
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    file.value = '';
    if (!f) return;
    const errEl = $('#evidence-error');
    if (f.size > MAX_UPLOAD) {
      errEl.textContent = `That file is ${(f.size / 1048576).toFixed(1)} MB; evidence is a few kilobytes. Choose the evidence JSON or the quote file.`;
      errEl.hidden = false;
      return;
    }
    errEl.hidden = true;
    const bytes = new Uint8Array(await f.arrayBuffer());
    let text = null;
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { text = null; }
    const ta = $('#evidence-input');
    if (text !== null && !/[\0-\x08\x0e-\x1f]/.test(text)) {
      ta.value = text;
      state.uploadBytes = null;
    } else {
      ta.value = '';
      state.uploadBytes = bytes; // a binary quote
      ta.placeholder = `Binary quote loaded from ${f.name} (${bytes.length} bytes). Press Verify evidence.`;
    }
    $('#evidence-file-name').textContent = f.name;
  });
  $('#evidence-input').addEventListener('input', () => {
    if ($('#evidence-input').value !== '') { state.uploadBytes = null; $('#evidence-file-name').textContent = ''; }
  });
}

// ---------- start ----------

function init() {
  renderSteps();
  renderCheckRows($('#checks-body'), null);
  setVerdict('idle', 'Enter a CVM URL, paste evidence, or try the recorded sample.');
  setFacts();
  setActions(false);
  initTabs();
  initSettings();
  initOsSettings();
  initUpload();
  footerInfo();

  // Starting a verification while one runs replaces it (the running one is aborted).
  const start = (fn) => (e) => { e?.preventDefault?.(); fn(); };
  $('#url-form').addEventListener('submit', start(() => verifyUrl($('#url-input').value)));
  $('#evidence-form').addEventListener('submit', start(() => verifyPasted()));
  $('[data-role="sample"]').addEventListener('click', start(() => verifySample()));
  $('#download-bundle').addEventListener('click', download);
  $('#copy-report').addEventListener('click', () => {
    if (state.run?.report) copyText(JSON.stringify(state.run.report, null, 2), $('#copy-status'));
  });
  $('#verdict').addEventListener('click', (e) => {
    const a = e.target.closest?.('a.check-link');
    if (!a) return;
    e.preventDefault();
    const row = document.getElementById('check-' + a.dataset.target);
    if (row) {
      row.tabIndex = -1;
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: 'center', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
      row.classList.add('flash');
      setTimeout(() => row.classList.remove('flash'), 1600);
    }
  });

  const params = new URLSearchParams(location.search);
  const url = params.get('url');
  if (url) {
    $('#url-input').value = url;
    verifyUrl(url);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
