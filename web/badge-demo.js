// The badge demo page (badge-demo.html). Defines <cvm-verify-badge-demo demo-state="...">, a DEMO-ONLY element
// that draws the badge's view from sample data so that all five states can be shown offline. It lives in this
// file only, is never shipped as the badge, and has nothing to do with <cvm-verify-badge>: a real badge's
// state comes only from its own verification. The page also shows a live <cvm-verify-badge> for a URL
// (the form, or ?url= [&pccs=] [&policy=] [&theme=] in the address) and the embed snippets.
import { createView, summarize } from './badge.js';

const SAMPLE_URL = 'https://3f1c0a5e9d2b7c4a1e6f8d0b3a5c7e9f1d2b4a6c-8080.dstack-prod5.phala.network';
const HOUR = 3600;

/** Sample reports (shape of cvm-verify/report/v1, only the fields the badge reads). */
function sampleReport(state) {
  const now = Math.floor(Date.now() / 1000) - 120;
  const base = {
    schema: 'cvm-verify/report/v1', verified_at: now, verifier: {},
    tcb: { status: 'UpToDate', advisory_ids: [] },
    app: { compose_hash: '9b5d63a1f3e6a8c2d4b7e0f1a2c3d4e5f60718293a4b5c6d7e8f9011223344ee', app_id: '3f1c0a5e9d2b7c4a1e6f8d0b3a5c7e9f1d2b4a6c' },
    collateral: { expires_at: new Date((now + 21 * 24 * HOUR) * 1000).toISOString() },
    checks: [],
  };
  if (state === 'verified') return { ...base, verdict: 'pass' };
  if (state === 'warning') {
    return {
      ...base, verdict: 'warn',
      tcb: { status: 'SWHardeningNeeded', advisory_ids: ['INTEL-SA-00615'] },
      checks: [{ id: 'tcb.status', status: 'warn', code: 'TCB_NOT_UP_TO_DATE', enforced: true,
        message: 'TCB status SWHardeningNeeded is accepted with a warning by the default TCB policy; advisories INTEL-SA-00615.' }],
    };
  }
  return {
    ...base, verdict: 'fail',
    checks: [{ id: 'freshness.nonce', status: 'fail', code: 'NONCE_MISMATCH', enforced: true,
      message: 'The quote’s report_data does not start with the nonce 5c0f…e21a (it starts 0001…7a03): the quote was not made for this request and may be replayed.' }],
  };
}

class DemoBadge extends HTMLElement {
  static get observedAttributes() { return ['demo-state', 'theme']; }

  #view;

  constructor() {
    super();
    this.#view = createView(this.attachShadow({ mode: 'open' }), null);
  }

  connectedCallback() { this.#draw(); }

  attributeChangedCallback() { if (this.isConnected) this.#draw(); }

  #draw() {
    const state = this.getAttribute('demo-state') || 'verifying';
    const theme = this.getAttribute('theme') || 'auto';
    const view = { state, url: SAMPLE_URL, theme, note: 'Sample rendering — not a verification.' };
    if (state === 'unavailable') {
      view.error = { code: 'CORS_BLOCKED', message: 'The browser blocked or could not complete the request for the attestation: the app does not send Access-Control-Allow-Origin, or it is unreachable.' };
    } else if (state !== 'verifying') {
      view.summary = summarize(sampleReport(state));
    }
    if (state !== 'verifying') view.at = Date.now() - 2 * 60 * 1000;
    this.#view.update(view);
  }
}

if (!customElements.get('cvm-verify-badge-demo')) customElements.define('cvm-verify-badge-demo', DemoBadge);

const $ = (sel) => document.querySelector(sel);

function theme() {
  const checked = document.querySelector('input[name="theme"]:checked');
  return checked ? checked.value : 'auto';
}

function applyTheme() {
  const t = theme();
  for (const b of document.querySelectorAll('cvm-verify-badge-demo, cvm-verify-badge')) b.setAttribute('theme', t);
  $('#demo-states').dataset.theme = t;
}

function showLive(url, { pccs, policy } = {}) {
  const err = $('#live-error');
  let u;
  try {
    u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
  } catch {
    err.textContent = 'Enter the http(s):// address of a CVM app.';
    err.hidden = false;
    return;
  }
  err.hidden = true;
  const b = document.createElement('cvm-verify-badge');
  b.setAttribute('url', u.href);
  if (policy) b.setAttribute('policy', policy);
  if (pccs) b.setAttribute('pccs', pccs);
  b.setAttribute('theme', theme());
  $('#live').replaceChildren(b);
}

function init() {
  const src = new URL('badge.js', location.href).href;
  $('#snippet-element').textContent =
    `<script type="module" src="${src}"></script>\n<cvm-verify-badge url="https://your-app.example.com"></cvm-verify-badge>`;
  $('#snippet-script').textContent =
    `<script type="module" src="${src}" data-url="https://your-app.example.com" async></script>`;

  for (const r of document.querySelectorAll('input[name="theme"]')) r.addEventListener('change', applyTheme);
  const params = new URLSearchParams(location.search);
  const t = params.get('theme');
  if (t === 'light' || t === 'dark' || t === 'auto') {
    const r = document.querySelector(`input[name="theme"][value="${t}"]`);
    if (r) r.checked = true;
  }
  applyTheme();

  $('#live-form').addEventListener('submit', (e) => {
    e.preventDefault();
    showLive($('#live-url').value.trim(), { policy: $('#live-policy').value });
  });
  const url = params.get('url');
  if (url) {
    $('#live-url').value = url;
    const policy = params.get('policy');
    if (policy && [...$('#live-policy').options].some((o) => o.value === policy)) $('#live-policy').value = policy;
    showLive(url, { pccs: params.get('pccs') || undefined, policy: $('#live-policy').value });
    $('#live-title').scrollIntoView({ block: 'start' }); // a badge verifies once it is on screen
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
