// cvm-verify web page: the controller. Plain ESM, no framework, no build step, no inline anything
// (the page runs under a strict Content-Security-Policy). It calls the JS API once per verification and
// renders the API's progress (onStep) and the core's report; it decides nothing itself.
import { h, clear, $, $$, statusIcon } from './dom.js';
import { STEPS, STATUS_TEXT, TCB_POLICIES, CHECK_BY_ID } from './meta.js';
import { loadSettings, saveSettings, normalizePccsUrl, normalizeHash, parseNow, policyFrom, DEFAULTS } from './settings.js';
import { renderCheckRows, renderDetails, fmtTime, breakable } from './render.js';
import { chainFrom, governanceSummary, initGovernanceSettings } from './governance-settings.js';
import { provenanceOptions, initProvenanceSettings } from './provenance.js';
import { APP_SCHEMA, renderAppReport, decidingInstance } from './app-report.js'; // issue 16: apps of several CVMs
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
  warn: { title: 'Verified with warnings', kicker: 'Verdict' },
  fail: { title: 'Verification failed', kicker: 'Verdict' },
  error: { title: 'Could not verify', kicker: 'No verdict' },
  running: { title: 'Verifying…', kicker: 'Working' },
  idle: { title: 'Not verified yet', kicker: 'Result' },
};

/**
 * @param {string} kind the core's verdict, or error / running / idle
 * @param {Node | string} summary
 * @param {boolean} [fresh] false: freshness did not pass, and the headline says so (never a plain green pass)
 */
function setVerdict(kind, summary, fresh) {
  const el = $('#verdict');
  if (kind === 'idle') delete el.dataset.verdict; else el.dataset.verdict = kind;
  const stale = fresh === false && (kind === 'pass' || kind === 'warn');
  if (stale) el.dataset.fresh = 'false'; else delete el.dataset.fresh;
  const t = VERDICT_TEXT[kind];
  $('#verdict-kicker').textContent = t.kicker;
  $('#verdict-title').textContent = stale ? `${t.title}, but not fresh` : t.title;
  const sum = clear($('#verdict-summary'));
  if (summary instanceof Node) sum.append(summary); else sum.textContent = summary || '';
  const icon = clear($('#verdict-icon'));
  icon.append(kind === 'idle' ? shieldIcon() : statusIcon(stale ? 'warn' : kind));
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
  const fresh = checks.find((c) => c.id === 'freshness.nonce');
  if (report.verdict !== 'fail' && fresh && fresh.status !== 'pass') {
    frag.append(' Not fresh: nothing shows this quote was made for this verification', fresh.code && fresh.code !== 'OK' ? ` (${fresh.code})` : '', ', so it may be an old one replayed.');
  }
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
  const chain = chainFrom(s); // on-chain governance (web/governance-settings.js)
  if (chain && opts.chain === undefined) opts.chain = chain;
  Object.assign(opts, provenanceOptions(opts.policy)); // issue 20: bundles, opt-in fetch, expected source
  const osm = osManifestOption(); // Settings' OS manifest files (web/os.js)
  if (osm && opts.osManifest === undefined) opts.osManifest = osm;
  return opts;
}

/**
 * The API's progress (onStep) as the page's steps: the API drives the pipeline, the page only shows it.
 * @param {object} run
 * @param {string} [evidenceNote] the evidence step's note when it is done
 */
function stepRenderer(run, evidenceNote) {
  return (s) => {
    if (!isCurrent(run)) return;
    run.lastStep = s.step;
    const code = s.error?.code || 'error';
    if (s.step === 'evidence') {
      if (s.status === 'running') setStep('fetch-attestation', 'running', 'with a fresh nonce');
      else if (s.status === 'done') setStep('fetch-attestation', 'done', evidenceNote || 'received');
      else if (s.status === 'error') setStep('fetch-attestation', 'error', code);
    } else if (s.step === 'collateral') {
      const from = s.source === 'supplied' ? 'supplied with the evidence' : s.source ? `from ${hostOf(s.source)}` : '';
      if (s.source) run.collateralSource = s.source;
      if (s.status === 'skip') setStep('fetch-collateral', 'skip', 'no quote to fetch it for');
      else if (s.status === 'error') setStep('fetch-collateral', 'error', code);
      else setStep('fetch-collateral', s.status, from);
    } else if (s.step === 'verify' && s.status === 'running') {
      markVerifying();
    }
  };
}

/** The page's step name for where a run stopped (from the API's last reported step). */
function stoppedAt(run, fallback) {
  return { evidence: 'fetch-attestation', collateral: 'fetch-collateral', verify: 'verify' }[run.lastStep] || fallback;
}

async function verifyUrl(raw) {
  // issue 16: a Phala Cloud app id or app URL: its recorded attestations, every instance (web/app-report.js).
  const phalaId = await phalaAppIdOf(raw);
  if (phalaId) return verifyPhalaAppRun(phalaId);
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
  state.corsNonce = null; // a new fetch: the nonce of earlier curl commands no longer applies
  try {
    const A = await api();
    run.nonce = A.newNonce();
    const report = await A.verifyCvm(url, verifyOptions(run, { nonce: run.nonce, onStep: stepRenderer(run) }));
    if (!isCurrent(run)) return;
    finishRun(run, report);
  } catch (e) {
    if (!isCurrent(run)) return;
    failRun(run, e, stoppedAt(run, 'fetch-attestation'));
  }
}

async function verifyPasted() {
  const ta = $('#evidence-input');
  const errEl = $('#evidence-error');
  let evidence;
  const name = $('#evidence-file-name').textContent || '';
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
    evidence = text; // the API reads it (JSON, two JSON answers, hex): the page does not parse it
  }
  errEl.hidden = true;
  ta.removeAttribute('aria-invalid');

  const run = beginRun('evidence', name || 'Pasted evidence');
  try {
    const A = await api();
    // After a blocked fetch, the commands shown carry this page's nonce: the pasted answer is checked
    // against it (freshness), whatever nonce the text itself records.
    const extra = { onStep: stepRenderer(run, name ? 'uploaded' : 'pasted') };
    if (state.corsNonce) { extra.nonce = state.corsNonce; run.nonce = state.corsNonce; run.ourNonce = true; }
    const report = await A.verifyEvidence(evidence, verifyOptions(run, extra));
    if (!isCurrent(run)) return;
    finishRun(run, report);
  } catch (e) {
    if (!isCurrent(run)) return;
    failRun(run, e, stoppedAt(run, 'fetch-attestation'));
  }
}

async function verifySample() {
  history.replaceState(null, '', location.pathname);
  const run = beginRun('sample', 'Recorded sample: near/mpc test assets');
  try {
    const A = await api();
    setStep('fetch-attestation', 'running', 'loading the recording');
    const res = await fetch(SAMPLE_URL, { signal: run.controller.signal, cache: 'no-cache' });
    if (!res.ok) throw Object.assign(new Error(`The sample could not be loaded (HTTP ${res.status}).`), { code: 'FETCH_FAILED' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (!isCurrent(run)) return;
    // No nonce: the recording's report_data is not ours, so freshness is skipped, never passed. The
    // expectations set in Settings apply (an expected compose hash is checked against the sample too).
    const opts = verifyOptions(run, { now: SAMPLE_NOW, onStep: stepRenderer(run, 'recorded') });
    const report = await A.verifyEvidence(bytes, opts);
    if (!isCurrent(run)) return;
    finishRun(run, report);
  } catch (e) {
    if (!isCurrent(run)) return;
    failRun(run, e, stoppedAt(run, 'fetch-attestation'));
  }
}

function markVerifying() {
  for (const s of STEPS) if (s.check) setStep(s.id, 'running', 'verifying');
  setVerdict('running', 'Checking signatures, collateral, the event log and the app');
}

// ---------- issue 16: Phala Cloud apps (the core splits and decides; web/app-report.js renders) ----------

async function phalaAppIdOf(raw) {
  const A = await api().catch(() => null);
  if (!A || !A.parsePhalaAppTarget) return null;
  const s = String(raw || '').trim();
  try { return A.parsePhalaAppTarget(s) ?? A.asAppId(s); } catch { return null; }
}

async function verifyPhalaAppRun(appId) {
  $('#url-error').hidden = true;
  $('#url-input').removeAttribute('aria-invalid');
  const run = beginRun('phala', `Phala Cloud app ${appId}`);
  const step = 'fetch-attestation';
  try {
    const A = await api();
    setStep(step, 'running', 'recorded attestations from Phala Cloud');
    const report = await A.verifyPhalaApp(appId, verifyOptions(run));
    if (!isCurrent(run)) return;
    setStep(step, 'done', 'recorded by Phala Cloud');
    finishRun(run, report);
  } catch (e) {
    if (!isCurrent(run)) return;
    failRun(run, e, step);
  }
}

function finishAppRun(run, app) {
  run.report = app;
  run.controller = new AbortController();
  setBusy(false);
  const worst = decidingInstance(app);
  const deciding = worst?.report ?? null;
  const checks = new Map((deciding?.checks || []).map((c) => [c.id, c]));
  for (const s of STEPS) {
    if (!s.check) { setStep(s.id, 'done', s.id === 'fetch-attestation' ? 'recorded attestations' : 'per instance'); continue; }
    const c = checks.get(s.check);
    const st = c?.status || 'skip';
    setStep(s.id, st, c?.code && c.code !== 'OK' ? c.code : STATUS_TEXT[st]);
  }
  const verdict = ['pass', 'warn', 'fail'].includes(app.verdict) ? app.verdict : 'fail';
  setVerdict(verdict, app.summary || '');
  renderCheckRows($('#checks-body'), deciding);
  setFacts({
    Target: h('span', null, targetFact(run.kind, run.target), worst ? h('span', { class: 'verdict-detail' }, `Steps and checks below: ${worst.label}, the worst instance; every instance is under Details.`) : null),
    'Verified at': deciding ? fmtTime(deciding.verified_at) : undefined,
    TCB: deciding?.tcb?.status,
    'App ID': app.app_id ? h('code', { class: 'hex' }, app.app_id) : undefined,
    Nonce: app.source === 'phala' ? 'none (recorded quotes)' : undefined,
  });
  setActions(false);
  const n = renderAppReport($('#details-body'), app);
  $('#details').hidden = n === 0;
}

function finishRun(run, report) {
  if (report && report.schema === APP_SCHEMA) return finishAppRun(run, report); // issue 16
  run.report = report;
  run.controller = new AbortController(); // nothing left to cancel
  setBusy(false);
  setVerifierInfo(report);
  // Each step shows its check's result, as the core decided it: the page marks nothing itself.
  const checks = new Map((report.checks || []).map((c) => [c.id, c]));
  for (const s of STEPS) {
    if (!s.check) continue;
    const c = checks.get(s.check);
    const st = c?.status || 'skip';
    setStep(s.id, st, c?.code && c.code !== 'OK' ? c.code : STATUS_TEXT[st]);
  }
  const verdict = ['pass', 'warn', 'fail'].includes(report.verdict) ? report.verdict : 'fail';
  // A pass without a passed freshness check is never a plain "Verified": the headline says it is not fresh.
  setVerdict(verdict, summaryFor(report, run), checks.get('freshness.nonce')?.status === 'pass');
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
  const ev = report.evidence || {};
  const nonceFact = ev.nonce
    ? h('span', null, h('code', { class: 'hex' }, ev.nonce.slice(0, 16) + '…'),
      ev.nonce_source === 'request' && (run.kind === 'url' || run.ourNonce) ? ' (made by this page)' : ' (recorded in the evidence, not made by this page)')
    : sample ? 'none (recorded sample)' : 'none: not fresh';
  setFacts({
    Target: targetFact(run.kind, run.target),
    'Verified at': fmtTime(report.verified_at),
    TCB: report.tcb?.status ? h('span', null, breakable(report.tcb.status), report.platform?.fmspc ? ` · FMSPC ${report.platform.fmspc}` : '') : undefined,
    'Compose hash': app.compose_hash ? h('code', { class: 'hex' }, app.compose_hash) : undefined,
    'App ID': app.app_id ? h('code', { class: 'hex' }, app.app_id) : undefined,
    Nonce: nonceFact,
  });
  setActions(true);

  const n = renderDetails($('#details-body'), report, { collateralSource: run.collateralSource });
  $('#details').hidden = n === 0;
  focusVerdict();
}

/**
 * The result has landed: move focus to the verdict (screen readers announce it) and bring it into view,
 * since on a phone it starts below the fold.
 */
function focusVerdict() {
  const el = $('#verdict');
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'start', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
}

function failRun(run, e, step) {
  setBusy(false);
  run.error = e;
  const code = e?.code || (e?.name === 'AbortError' ? 'ABORTED' : 'INTERNAL');
  const message = e?.message || String(e);
  for (const s of STEPS) {
    const li = $(`#steps [data-step="${s.id}"]`);
    if (li && li.dataset.state === 'running' && s.id !== step) setStep(s.id, 'pending', 'not run');
    else if (li && li.dataset.state === 'pending') setStep(s.id, 'pending', 'not run');
  }
  if (step !== 'verify' && $(`#steps [data-step="${step}"]`)?.dataset.state !== 'error') setStep(step, 'error', code);
  if (step === 'verify') for (const s of STEPS) if (s.check) setStep(s.id, 'error', 'not judged');
  const friendly = friendlyError(code, step, run, e);
  const frag = h('span', null, h('code', { class: 'reason-code' }, code), ' ', friendly || message);
  if (friendly) frag.append(h('span', { class: 'verdict-detail' }, message));
  setVerdict('error', frag);
  setFacts({ Target: targetFact(run.kind, run.target) });
  if (run.kind === 'url' && step === 'fetch-attestation' && (code === 'CORS_BLOCKED' || code === 'FETCH_FAILED')) {
    showCorsGuidance(run.target, run.nonce, code, e?.probe);
  } else if (step === 'fetch-collateral' && (code === 'FETCH_FAILED' || code === 'CORS_BLOCKED')) {
    showGuidance('The collateral service could not be reached',
      [`Intel's collateral for this quote could not be fetched from ${state.settings.pccsUrl}. Check the collateral service in Settings (Intel PCS, https://api.trustedservices.intel.com, works too), or paste an evidence bundle that already includes collateral.`]);
  }
  focusVerdict();
}

function targetFact(kind, target) {
  return kind === 'url' ? h('code', { class: 'target' }, target) : target;
}

/** A plain sentence for the errors people meet most; the API's own message is shown under it. */
function friendlyError(code, step, run, e) {
  // issue 16: Phala Cloud's API may not allow reads from other websites (not known: it was not reachable in tests).
  if (run.kind === 'phala' && (code === 'CORS_BLOCKED' || code === 'FETCH_FAILED')) return 'Phala Cloud\u2019s attestations for this app could not be read from this page. Use the command line (cvm-verify phala:<app-id>), or download the response and paste it under \u201cPaste or upload evidence\u201d.';
  if (run.kind === 'url' && step === 'fetch-attestation') {
    if (code === 'CORS_BLOCKED') return 'The app answered, but does not let other websites read its attestation (CORS). You can still verify it: see below.';
    if (code === 'FETCH_FAILED' && e?.probe === 'unreachable') return 'The app could not be reached: the address may be wrong, the host may be down, or the browser refuses its port.';
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

/**
 * The commands offered after a blocked fetch. Each one ends in a freshness check against this page's nonce:
 * the paste is verified with it, and the command-line verifier is given it.
 */
function curlCommands(url, nonce) {
  const base = url.replace(/\/+$/, '');
  const att = `${base}/attestation?reportData=${nonce}`;
  const info = `${base}/info`;
  return {
    paste: `curl -sS ${shellQuote(att)}; echo; curl -sS ${shellQuote(info)}`,
    cli: `curl -sS ${shellQuote(att)} | cvm-verify - --nonce ${nonce}`,
  };
}

function showCorsGuidance(url, nonce, code, probe) {
  const box = clear($('#guidance'));
  box.hidden = false;
  if (code === 'FETCH_FAILED' && probe === 'unreachable') {
    state.corsNonce = null;
    box.dataset.kind = 'unreachable';
    box.append(
      h('h3', { class: 'card-title' }, 'The app could not be reached'),
      h('p', null, `Nothing answered at ${url}: the name may not resolve, the host may be down or not listening, or the browser refuses that port. Check the address (including http:// or https:// and the port). This is not a CORS setting: the browser got no answer at all.`));
    return;
  }
  state.corsNonce = nonce ? nonce.toLowerCase() : null;
  const cmds = curlCommands(url, nonce || '<nonce>');
  const blocked = code === 'CORS_BLOCKED';
  box.dataset.kind = 'cors';
  box.append(
    h('h3', { class: 'card-title' }, blocked ? 'Your browser blocked the request (CORS)' : 'The app could not be read from this page'),
    h('p', null, blocked
      ? `${url} answered, but does not allow other websites to read its attestation (it sends no CORS headers), so the browser would not let this page see the answer. That is a setting of the app, not a sign of tampering.`
      : `The request to ${url} failed. The app may be down, the address may be wrong, or the app may not allow other websites to read it (CORS).`),
    h('p', null, 'Fetch the evidence yourself with this page\u2019s fresh nonce, then paste the whole output into the ', h('strong', null, 'Paste or upload evidence'), ' tab. The pasted answer is checked against this nonce, so freshness is still checked:'),
    cmdBlock('Fetch both answers (paste the output)', cmds.paste),
    h('p', null, 'Or verify on your machine with the command-line verifier, which is given the same nonce:'),
    cmdBlock('Verify with cvm-verify', cmds.cli),
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

// ---------- helpers ----------

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

// ---------- download and copy ----------

function download() {
  const run = state.run;
  const bundle = run?.report && state.api?.evidenceOf?.(run.report);
  if (!bundle) return;
  const blob = new Blob([JSON.stringify(bundle, null, 2) + '\n'], { type: 'application/json' });
  const a = h('a', { href: URL.createObjectURL(blob), download: bundleFileName(run), class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

/** cvm-evidence-<host>-<time>.json: the app's host (or what the evidence was), and the verification time. */
function bundleFileName(run) {
  const when = new Date((run.report?.verified_at || Date.now() / 1000) * 1000).toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
  const src = run.report?.evidence?.source_url || (run.kind === 'url' ? run.target : '');
  const host = /^https?:\/\//i.test(src) ? hostOf(src) : '';
  const name = host || (run.kind === 'sample' ? 'sample-near-mpc' : 'pasted');
  return `cvm-evidence-${name.replace(/[^a-z0-9.-]+/gi, '_').slice(0, 80)}-${when}.json`;
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
    fillGovernance();
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
  const fillGovernance = initGovernanceSettings({ settings: s, saved, fieldError });
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
  bits.push(...governanceSummary(s));
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
  initProvenanceSettings(updateSettingsSummary); // issue 20: web/provenance.js
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
