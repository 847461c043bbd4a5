// cvm-verify badge: an embeddable "TEE verified" badge that verifies a dstack CVM in the visitor's browser.
//
//   <script type="module" src="https://VERIFIER/web/badge.js"></script>
//   <cvm-verify-badge url="https://app.example.com"></cvm-verify-badge>
// or, where custom elements cannot be written (the badge is inserted right after the script):
//   <script type="module" src="https://VERIFIER/web/badge.js" data-url="https://app.example.com" async></script>
//
// Attributes (data-* on the auto-mount script): url, policy (strict|default|permissive), expect-compose-hash,
// theme (light|dark|auto), pccs, interval (seconds between re-verifications; 0 or absent = once, minimum 10),
// on-chain governance: governance (off|auto|require), chain-id, kms-contract, app-contract, chain-rpc (URLs
// separated by spaces; every one is asked and all must agree).
// and what verifies the OS image (issue 14; an unverified OS makes the badge `warning`): expect-mrtd,
// expect-rtmr0, expect-rtmr1, expect-rtmr2 (all four pin the OS), allow-os-image (os_image_hash values,
// space- or comma-separated).
// `state` (verifying|verified|warning|failed|unavailable) is OUTPUT ONLY: it is derived from the badge's own
// verification and any other value written to it is put back at once. Nothing is loaded (no loader, no
// WASM, no request to the CVM) until the badge is about to scroll into view. Every value from the network
// or the attributes is written with textContent; styles live in a constructable stylesheet adopted by a
// closed shadow root (works under `style-src 'self'`). See the README, "The badge".

const TAG = 'cvm-verify-badge';
const STATES = ['verifying', 'verified', 'warning', 'failed', 'unavailable'];
const MIN_INTERVAL = 10;
const PAGE = new URL('./index.html', import.meta.url);
const LABEL = {
  verifying: 'Verifying TEE…', verified: 'TEE verified', warning: 'TEE verified, with warnings',
  failed: 'TEE verification failed', unavailable: 'Couldn’t verify TEE',
};
const SENTENCE = {
  verifying: 'Fetching a fresh attestation and Intel’s collateral, then checking them in your browser.',
  verified: 'Genuine Intel TDX hardware runs this app’s measured code, and every check passed — judged in your browser with a fresh nonce.',
  warning: 'Genuine Intel TDX hardware and every enforced check passed, with these warnings:',
  failed: 'The attestation did not verify. Do not treat this app as running in a trusted TEE.',
  unavailable: 'Nothing could be checked, so nothing is claimed. This is not a verification.',
};
const CHECK_TITLE = {
  'quote.format': 'Quote format', 'hardware.signature': 'Hardware signature', 'collateral.validity': 'Collateral',
  'tcb.status': 'TCB status', 'td.attributes': 'TD attributes', 'eventlog.replay': 'Event log replay',
  'app.compose_hash': 'Compose hash', 'freshness.nonce': 'Freshness', 'report_data.binding': 'Report data',
  'app.images_pinned': 'Pinned images', 'policy.measurements': 'Expected measurements',
  'governance.onchain': 'On-chain governance', 'os.image': 'OS image',
};
/** The OS attributes (issue 14): badge attribute -> how it enters the policy. */
const OS_ATTRS = ['expect-mrtd', 'expect-rtmr0', 'expect-rtmr1', 'expect-rtmr2', 'allow-os-image'];
/** Adds the OS attributes of the badge element b to policy (expectations, allow-list). */
function osPolicy(b, policy) {
  const ex = policy.expect || {};
  const mrtd = b.getAttribute('expect-mrtd');
  if (mrtd) ex.mrtd = mrtd;
  const rtmr = {};
  for (const i of [0, 1, 2]) { const v = b.getAttribute(`expect-rtmr${i}`); if (v) rtmr[i] = v; }
  if (Object.keys(rtmr).length) ex.rtmr = rtmr;
  if (Object.keys(ex).length) policy.expect = ex;
  const allow = (b.getAttribute('allow-os-image') || '').split(/[\s,]+/).filter(Boolean);
  if (allow.length) policy.allowOsImages = allow;
  return policy;
}

const CSS = `
.r,.pop{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans","DejaVu Sans",Arial,sans-serif;
 font-style:normal;font-weight:400;letter-spacing:normal;word-spacing:normal;text-transform:none;text-indent:0;
 text-shadow:none;text-align:left;visibility:visible;box-sizing:border-box;-webkit-font-smoothing:antialiased;
 --tx:#0f1a2a;--mu:#4a5668;--sf:#fff;--s2:#f1f4f8;--bd:#d5dce5;--ac:#1f4fd1;--on:#fff;
 --ok:#0b7145;--okb:#e7f6ee;--okl:#9fd8bb;--wa:#8a4b00;--wab:#fff5e0;--wal:#f0c979;
 --no:#b4232a;--nob:#fdecec;--nol:#f2a9ad;--na:#4a5668;--nab:#eef1f5;--nal:#c3ccd8;--vb:#eef3ff;--vl:#b9c9f3;
 --c:var(--ac);--cb:var(--vb);--cl:var(--vl);color:var(--tx)}
.dark{--tx:#e6ebf2;--mu:#a3adbd;--sf:#121926;--s2:#182131;--bd:#29354a;--ac:#8fb0ff;--on:#0b1019;
 --ok:#5fd49a;--okb:#0f2a1f;--okl:#1f5a3e;--wa:#f5c065;--wab:#2d2210;--wal:#6b4e17;
 --no:#ff9a9f;--nob:#331519;--nol:#73303a;--na:#a3adbd;--nab:#1a2232;--nal:#3a4760;--vb:#1a2740;--vl:#2f4570}
@media (prefers-color-scheme:dark){.auto{--tx:#e6ebf2;--mu:#a3adbd;--sf:#121926;--s2:#182131;--bd:#29354a;--ac:#8fb0ff;--on:#0b1019;
 --ok:#5fd49a;--okb:#0f2a1f;--okl:#1f5a3e;--wa:#f5c065;--wab:#2d2210;--wal:#6b4e17;
 --no:#ff9a9f;--nob:#331519;--nol:#73303a;--na:#a3adbd;--nab:#1a2232;--nal:#3a4760;--vb:#1a2740;--vl:#2f4570}}
.verified{--c:var(--ok);--cb:var(--okb);--cl:var(--okl)}
.warning{--c:var(--wa);--cb:var(--wab);--cl:var(--wal)}
.failed{--c:var(--no);--cb:var(--nob);--cl:var(--nol)}
.unavailable{--c:var(--na);--cb:var(--nab);--cl:var(--nal)}
:host{display:inline-block;vertical-align:middle;max-width:100%}
.r{appearance:none;display:inline-flex;align-items:center;gap:7px;max-width:100%;height:30px;margin:0;
 padding:0 12px 0 6px;border:1px solid var(--cl);border-radius:999px;background:var(--cb);cursor:pointer;
 white-space:nowrap;user-select:none;transition:border-color .15s,box-shadow .15s}
.r:hover{border-color:var(--c);box-shadow:0 1px 4px rgba(15,26,42,.12)}
.r:focus-visible{outline:2px solid var(--ac);outline-offset:2px}
.r[aria-expanded=true]{border-color:var(--c)}
.ic{flex:none;width:20px;height:20px;color:var(--c)}
.pop .ic{width:30px;height:30px}
.ic .g{fill:none;stroke:var(--on);stroke-width:3;stroke-linecap:round;stroke-linejoin:round}
.ic .o{fill:none;stroke:currentColor;stroke-width:2.4;stroke-linejoin:round}
.ic .d{fill:none;stroke:currentColor;stroke-width:3;stroke-linecap:round}
.ic .k{fill:none;stroke:currentColor;stroke-width:3;opacity:.22}
.spin{transform-origin:16px 16px;animation:s .9s linear infinite}
@keyframes s{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.spin{animation-duration:2.4s}}
.lb{font-weight:650;color:var(--c);overflow:hidden;text-overflow:ellipsis}
.tm{color:var(--mu);font-size:12px}
.tm:empty{display:none}
.busy .tm::after{content:" · checking";}
.pop{position:fixed;inset:auto;margin:0;width:min(360px,calc(100vw - 16px));max-height:calc(100vh - 16px);overflow:auto;
 padding:14px 16px 12px;border:1px solid var(--bd);border-top:4px solid var(--c);border-radius:12px;background:var(--sf);
 box-shadow:0 12px 32px rgba(15,26,42,.2),0 2px 6px rgba(15,26,42,.1);white-space:normal;z-index:2147483647}
.pop[hidden]{display:none}
.pop:focus{outline:none}
.ph{display:flex;gap:10px;align-items:center;margin:0 0 8px}
.ph>div{min-width:0}
.pt{margin:0;font-size:15px;font-weight:700;color:var(--c);line-height:1.25}
.ps{margin:1px 0 0;color:var(--mu);font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.msg{margin:0 0 10px;color:var(--tx)}
.kv{display:grid;grid-template-columns:auto minmax(0,1fr);gap:5px 14px;margin:0 0 10px;padding:10px 0 0;border-top:1px solid var(--bd)}
.kv dt{color:var(--mu);white-space:nowrap}
.kv dd{margin:0;overflow-wrap:anywhere;font-weight:550}
code{font:12px/1.4 ui-monospace,"SFMono-Regular","SF Mono",Menlo,Consolas,"DejaVu Sans Mono",monospace;
 background:var(--s2);padding:1px 5px;border-radius:4px;overflow-wrap:anywhere}
.is{list-style:none;margin:0 0 10px;padding:0;display:grid;gap:6px}
.is li{padding:7px 9px;border-radius:8px;background:var(--cb);border:1px solid var(--cl)}
.is b{display:block;color:var(--c);font-weight:650;margin-bottom:2px}
.is span{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:5;overflow:hidden;color:var(--tx);overflow-wrap:anywhere}
.pf{display:flex;align-items:center;justify-content:space-between;gap:10px;padding-top:10px;border-top:1px solid var(--bd)}
.pf a{color:var(--ac);font-weight:650;text-decoration:none}
.pf a:hover{text-decoration:underline}
.pf a:focus-visible,.pf button:focus-visible{outline:2px solid var(--ac);outline-offset:2px;border-radius:4px}
.pf button{appearance:none;font:inherit;font-weight:600;color:var(--tx);background:var(--s2);border:1px solid var(--bd);
 border-radius:8px;padding:5px 11px;cursor:pointer}
.pf button:hover{border-color:var(--mu)}
.pf button[hidden]{display:none}
.by{margin:8px 0 0;color:var(--mu);font-size:11.5px}
`;

let sheet = null;
/** The shared stylesheet: constructable (not subject to CSP style-src), else a <style> element. */
function adoptStyles(root) {
  try {
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(el('style', null, CSS)); // older browsers: works on pages without a strict style-src
  }
}

/** An element with a class and text children; text only, never markup. */
function el(tag, cls, ...kids) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const k of kids) if (k !== null && k !== undefined && k !== '') e.append(k instanceof Node ? k : String(k));
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}
const SHIELD = 'M16 2.5l11 4.2v8.1c0 7-4.6 12.4-11 14.7C9.6 27.2 5 21.8 5 14.8V6.7z';
/** The state icon: a shield (the project's mark) with a glyph; decorative, the state is also written as text. */
function icon(state) {
  const s = svg('svg', { viewBox: '0 0 32 32', class: 'ic', 'aria-hidden': 'true', focusable: 'false' });
  const g = (d) => s.append(svg('path', { d, class: 'g' }));
  if (state === 'verifying') {
    s.append(svg('circle', { cx: 16, cy: 16, r: 11, class: 'k' }));
    s.append(svg('path', { d: 'M16 5a11 11 0 0 1 11 11', class: 'd spin' }));
    return s;
  }
  if (state === 'unavailable') {
    s.append(svg('path', { d: SHIELD, class: 'o' }));
    s.append(svg('path', { d: 'M11.5 15.8h9', class: 'd' }));
    return s;
  }
  s.append(svg('path', { d: SHIELD, fill: 'currentColor' }));
  if (state === 'verified') g('M10.8 16.2l3.6 3.6 7-7.4');
  else if (state === 'warning') { g('M16 9.6v6.6'); g('M16 21.2v.1'); } else { g('M12.2 11.6l7.6 7.6'); g('M19.8 11.6l-7.6 7.6'); }
  return s;
}

function ago(ms) {
  if (!ms) return '';
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 45) return 'just now';
  if (s < 3570) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400 * 1.5) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}
function when(v, opts) {
  const t = typeof v === 'number' ? v * 1000 : Date.parse(v);
  return Number.isFinite(t) ? new Date(t).toLocaleString(undefined, opts) : '';
}
/** "7:41 PM · just now" today, else "Aug 29, 10:40 AM · 3 days ago". */
function checked(ms) {
  const d = new Date(ms);
  const today = d.toDateString() === new Date().toDateString();
  return `${d.toLocaleString(undefined, today ? { timeStyle: 'short' } : { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' })} · ${ago(ms)}`;
}
function hostOf(url) {
  try { return new URL(url).host || String(url); } catch { return String(url || ''); }
}
function short(hex) {
  const s = String(hex || '');
  return s.length > 20 ? `${s.slice(0, 10)}…${s.slice(-8)}` : s;
}
/** Long hex runs (nonces, hashes) shortened for the popover; the full text is in the title. */
const brief = (m) => m.replace(/[0-9a-fA-F]{24,}/g, (h) => `${h.slice(0, 8)}…${h.slice(-6)}`);
const str = (v) => (v === undefined || v === null ? '' : String(v));

/**
 * What the badge shows from a report, copied into plain frozen data before anyone else sees the report (so a
 * listener of the cvm-verify event that mutates report cannot change what the badge displays).
 * verdict pass -> verified, warn -> warning, anything else -> failed (fails closed).
 */
export function summarize(report) {
  const r = report && typeof report === 'object' ? report : {};
  const ok = r.schema === 'cvm-verify/report/v1';
  const state = ok && r.verdict === 'pass' ? 'verified' : ok && r.verdict === 'warn' ? 'warning' : 'failed';
  const checks = Array.isArray(r.checks) ? r.checks : [];
  const want = state === 'failed' ? 'fail' : 'warn';
  const issues = checks.filter((c) => c && c.status === want).map((c) => Object.freeze({
    id: str(c.id), code: str(c.code), message: str(c.message),
  }));
  if (!ok) issues.push({ id: '', code: 'INTERNAL', message: 'The verifier returned no report.' });
  const tcb = r.tcb || {}; const app = r.app || {}; const col = r.collateral || {};
  return Object.freeze({
    state, issues: Object.freeze(issues), tcb: str(tcb.status),
    advisories: Array.isArray(tcb.advisory_ids) ? tcb.advisory_ids.map(str).join(', ') : '',
    compose: str(app.compose_hash), appId: str(app.app_id), expires: str(col.expires_at),
    at: typeof r.verified_at === 'number' ? r.verified_at : 0,
    version: str(r.verifier && r.verifier.version),
    governance: governanceText(r),
  });
}

/** On-chain governance in one line for the popover ('' when it was not asked for). */
function governanceText(r) {
  const c = (Array.isArray(r.checks) ? r.checks : []).find((x) => x && x.id === 'governance.onchain');
  const g = r.governance && typeof r.governance === 'object' ? r.governance : null;
  if (!c || (c.status === 'skip' && !(g && g.ran) && (!g || g.mode !== 'require'))) return '';
  const word = r.could_not_judge === true ? 'could not be judged'
    : { pass: 'allowed', warn: 'not cross-checked', fail: 'not allowed', skip: 'not checked' }[c.status] || str(c.status);
  const block = g && typeof g.block_number === 'number' ? ` at block ${g.block_number}` : '';
  return `${word}${c.code && c.code !== 'OK' ? ` (${str(c.code)})` : ''}${block}`;
}

/**
 * Builds the badge's view in a shadow root the caller owns and returns {update(view), tick()}. It only draws:
 * what a real <cvm-verify-badge> shows comes from its own verification (its shadow root is closed and the
 * view private). view: {state, url, summary?, error?: {code, message}, at (ms), busy?, note?}.
 * @param {ShadowRoot} root
 * @param {(() => void) | null} onRecheck the "Check again" action (hidden when null)
 */
export function createView(root, onRecheck) {
  adoptStyles(root);
  const btn = el('button', 'r');
  btn.type = 'button';
  btn.setAttribute('aria-haspopup', 'dialog');
  btn.setAttribute('aria-expanded', 'false');
  const lb = el('span', 'lb');
  const tm = el('span', 'tm');
  const pop = el('div', 'pop');
  pop.id = 'p';
  pop.tabIndex = -1;
  pop.setAttribute('role', 'dialog');
  btn.setAttribute('aria-controls', 'p');
  root.append(btn, pop);

  const native = typeof pop.togglePopover === 'function' && 'popoverTargetElement' in btn;
  let open = false;
  let cur = { state: 'verifying' };
  /** Below the badge (above when there is no room), inside the viewport. Before the popover is shown its
   *  height is unknown: it is placed below, then corrected once shown. */
  const place = () => {
    const r = btn.getBoundingClientRect();
    const vw = document.documentElement.clientWidth || innerWidth; const vh = innerHeight;
    const w = pop.offsetWidth || Math.min(360, vw - 16);
    pop.style.maxHeight = '';
    const h = pop.offsetHeight;
    const below = vh - r.bottom - 16; const above = r.top - 16;
    let top = r.bottom + 8;
    if (h > below && (h <= above || above > below)) {
      if (h > above) pop.style.maxHeight = `${above}px`;
      top = r.top - 8 - Math.min(h, above);
    } else if (h > below) pop.style.maxHeight = `${Math.max(120, below)}px`;
    pop.style.top = `${Math.max(8, top)}px`;
    pop.style.left = `${Math.max(8, Math.min(r.left, vw - w - 8))}px`;
  };
  const onKey = (e) => { if (e.key === 'Escape') { setOpen(false); btn.focus(); } };
  const onDown = (e) => { if (!e.composedPath().includes(root.host)) setOpen(false); };
  const opening = (o) => { // synchronous, before the popover is shown or hidden
    open = o;
    btn.setAttribute('aria-expanded', String(o));
    const m = o ? 'addEventListener' : 'removeEventListener';
    for (const t of ['scroll', 'resize']) window[m](t, place, { capture: true, passive: true });
    if (!native) for (const [t, f] of [['keydown', onKey], ['pointerdown', onDown]]) document[m](t, f, true);
    if (o) place();
  };
  const shown = () => { place(); pop.focus({ preventScroll: true }); };
  const setOpen = (o) => {
    if (o === open) return;
    if (native) pop.togglePopover(o);
    else { opening(o); pop.hidden = !o; if (o) shown(); }
  };
  pop.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !open) return;
    e.preventDefault();
    e.stopPropagation();
    setOpen(false);
    btn.focus();
  });
  if (native) {
    pop.popover = 'auto';
    btn.popoverTargetElement = pop;
    pop.addEventListener('beforetoggle', (e) => opening(e.newState === 'open'));
    pop.addEventListener('toggle', (e) => { if (e.newState === 'open' && open) shown(); });
  } else {
    pop.hidden = true;
    btn.addEventListener('click', () => setOpen(!open));
  }

  const label = () => {
    const a = cur.state === 'verifying' ? '' : ago(cur.at);
    const host = hostOf(cur.url);
    tm.textContent = a ? `· ${a}` : '';
    // The name starts with the visible text (label and age), so speech input can say what it sees (WCAG 2.5.3).
    btn.setAttribute('aria-label', `${LABEL[cur.state]}${a ? ` · ${a}` : ''}${host ? `, for ${host}` : ''}. Show details.`);
  };

  const row = (dl, k, v, mono, title) => {
    if (!v) return;
    const dd = el('dd', null, mono ? el('code', null, v) : v);
    if (title) dd.title = title;
    dl.append(el('dt', null, k), dd);
  };

  const render = () => {
    const { state, summary: s, error } = cur;
    const cls = `${cur.theme || 'auto'} ${state}`;
    btn.className = `r ${cls}${cur.busy ? ' busy' : ''}`;
    pop.className = `pop ${cls}`;
    btn.replaceChildren(icon(state), lb, tm);
    lb.textContent = LABEL[state];
    label();

    const title = el('p', 'pt', LABEL[state]);
    title.id = 'pt';
    pop.setAttribute('aria-labelledby', 'pt');
    const where = el('p', 'ps', hostOf(cur.url));
    where.title = str(cur.url);
    const head = el('div', 'ph', icon(state), el('div', null, title, where));
    const kids = [head];
    if (cur.note) kids.push(el('p', 'msg', el('b', null, cur.note)));
    kids.push(el('p', 'msg', SENTENCE[state]));
    if (s) {
      const list = el('ul', 'is');
      for (const i of s.issues.slice(0, 4)) {
        const t = CHECK_TITLE[i.id] || i.id || 'Verifier';
        const m = el('span', null, brief(i.message));
        m.title = i.message;
        list.append(el('li', null, el('b', null, i.code && i.code !== 'OK' ? `${t} · ${i.code}` : t), m));
      }
      if (s.issues.length > 4) list.append(el('li', null, el('span', null, `${s.issues.length - 4} more in the full report.`)));
      if (s.issues.length) kids.push(list);
      const dl = el('dl', 'kv');
      row(dl, 'TCB status', s.tcb + (s.advisories ? ` (${s.advisories})` : ''));
      row(dl, 'Compose hash', short(s.compose), true, s.compose);
      row(dl, 'On-chain governance', s.governance);
      row(dl, 'Collateral expires', when(s.expires, { dateStyle: 'medium' }), false, s.expires);
      row(dl, 'Checked', checked(cur.at));
      kids.push(dl);
    } else if (error) {
      const list = el('ul', 'is');
      const m = el('span', null, brief(error.message));
      m.title = error.message;
      list.append(el('li', null, el('b', null, error.code), m));
      kids.push(list);
      if (cur.at) { const dl = el('dl', 'kv'); row(dl, 'Checked', checked(cur.at)); kids.push(dl); }
    }
    const link = el('a', null, 'Full report ↗');
    const page = new URL(PAGE);
    page.searchParams.set('url', str(cur.url));
    link.href = page.href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    const again = el('button', null, 'Check again');
    again.type = 'button';
    again.hidden = !onRecheck || state === 'verifying' || !!cur.busy;
    if (onRecheck) again.addEventListener('click', () => onRecheck());
    // "Verified" only when it was: a failed or unavailable check is not a verification.
    const v = s && s.version ? ` ${s.version}` : '';
    const by = el('p', 'by', `${state === 'verified' || state === 'warning' ? 'Verified in your browser' : state === 'failed' ? 'Checked in your browser' : state === 'verifying' ? 'Checking in your browser' : 'Nothing was verified'} by cvm-verify${v}. The full report checks again on the verifier’s own page.`);
    kids.push(el('div', 'pf', link, again), by);
    const focused = open && pop.contains(root.activeElement);
    pop.replaceChildren(...kids);
    if (open) place();
    if (focused) pop.focus({ preventScroll: true }); // keep focus in the open popover across updates
  };
  render();
  return {
    update(view) { cur = { ...view }; render(); },
    tick: label,
    get open() { return open; },
    setOpen,
  };
}

let apiPromise = null;
/** The shared loader and core, imported only when the first badge becomes visible. */
function api() {
  if (!apiPromise) {
    apiPromise = import('../js/index.js');
    apiPromise.catch(() => { apiPromise = null; });
  }
  return apiPromise;
}

const CONFIG_ATTRS = ['url', 'policy', 'expect-compose-hash', 'pccs', 'governance', 'chain-id', 'kms-contract', 'app-contract', 'chain-rpc', 'provenance', ...OS_ATTRS];

class CvmVerifyBadge extends HTMLElement {
  static get observedAttributes() { return ['state', 'theme', 'interval', ...CONFIG_ATTRS]; }

  #view;
  #state = 'verifying';
  #cur = null; // the last view data
  #key = null; // the configuration the current result is for
  #run = 0;
  #ctl = null;
  #io = null;
  #visible = false;
  #due = false;
  #timer = 0;
  #clock = 0;
  #onVis = () => { if (!document.hidden && this.#due && this.#visible) this.#verify(false); };

  constructor() {
    super();
    this.#view = createView(this.attachShadow({ mode: 'closed' }), () => this.#verify(false));
  }

  /** The verification state (read-only; the `state` attribute mirrors it and cannot be set from outside). */
  get state() { return this.#state; }

  connectedCallback() {
    this.#reflect();
    this.#paint();
    if (typeof IntersectionObserver === 'function') {
      this.#io = new IntersectionObserver((entries) => {
        this.#visible = entries.some((e) => e.isIntersecting);
        if (this.#visible && (this.#key !== this.#config() || this.#due)) this.#verify(this.#key !== this.#config());
      }, { rootMargin: '100px' });
      this.#io.observe(this);
    } else {
      this.#visible = true;
      queueMicrotask(() => this.#verify(true));
    }
    document.addEventListener('visibilitychange', this.#onVis);
    this.#clock = setInterval(() => this.#view.tick(), 20000);
    if (this.#cur) this.#schedule();
  }

  disconnectedCallback() {
    this.#io?.disconnect();
    this.#io = null;
    this.#visible = false;
    this.#ctl?.abort();
    this.#run++;
    if (this.#state === 'verifying') this.#key = null; // an interrupted run restarts when reconnected
    clearTimeout(this.#timer);
    clearInterval(this.#clock);
    document.removeEventListener('visibilitychange', this.#onVis);
  }

  attributeChangedCallback(name, _old, value) {
    if (name === 'state') {
      if (value !== this.#state) this.setAttribute('state', this.#state); // output only: put it back
      return;
    }
    if (name === 'theme') { this.#paint(); return; }
    if (name === 'interval') { this.#schedule(); return; }
    // url, policy, expect-compose-hash, pccs: a new target or policy; the old result no longer applies
    if (this.isConnected && this.#key !== null && this.#key !== this.#config()) {
      queueMicrotask(() => {
        if (this.#key === this.#config() || !this.isConnected) return;
        this.#ctl?.abort();
        this.#run++;
        this.#key = null;
        this.#cur = null;
        this.#set('verifying');
        this.#paint();
        if (this.#visible) this.#verify(true);
      });
    }
  }

  #config() { return JSON.stringify(CONFIG_ATTRS.map((a) => this.getAttribute(a))); }

  #interval() {
    const n = Number(this.getAttribute('interval') || 0);
    return Number.isFinite(n) && n > 0 ? Math.max(MIN_INTERVAL, n) : 0;
  }

  #theme() {
    const t = this.getAttribute('theme');
    return t === 'light' || t === 'dark' ? t : 'auto';
  }

  #set(state) {
    this.#state = STATES.includes(state) ? state : 'failed';
    this.#reflect();
  }

  #reflect() { if (this.getAttribute('state') !== this.#state) this.setAttribute('state', this.#state); }

  #paint(extra) {
    const url = this.getAttribute('url');
    this.#view.update({ ...(this.#cur || { state: this.#state, url }), theme: this.#theme(), ...extra });
  }

  async #verify(fresh) {
    if (!this.isConnected) return;
    clearTimeout(this.#timer);
    this.#due = false;
    this.#ctl?.abort();
    const ctl = new AbortController();
    this.#ctl = ctl;
    const id = ++this.#run;
    const key = this.#config();
    this.#key = key;
    const url = this.getAttribute('url') || '';
    if (fresh || !this.#cur) {
      this.#cur = null;
      this.#set('verifying');
      this.#paint();
    } else {
      this.#paint({ busy: true }); // a periodic re-check keeps showing the last result until it ends
    }
    let out;
    try {
      if (!url) throw Object.assign(new Error('The badge has no url attribute: set it to the CVM app’s https:// address.'), { code: 'REQUEST_MALFORMED' });
      const A = await api();
      const ech = this.getAttribute('expect-compose-hash');
      const policy = { tcb: this.getAttribute('policy') || 'default' };
      if (ech) policy.expect = { composeHash: ech };
      osPolicy(this, policy);
      // The smaller badge core (no Sigstore; app.provenance is never a pass there) unless the site owner asks
      // for provenance with the `provenance` attribute: then the full core (docs/performance.md §5).
      const opts = { policy, signal: ctl.signal, core: this.hasAttribute('provenance') ? 'full' : 'badge' };
      const pccs = this.getAttribute('pccs');
      if (pccs) opts.pccsUrl = pccs;
      // On-chain governance: the API validates these (a bad value is unavailable, never verified).
      const gov = this.getAttribute('governance');
      if (gov) policy.governance = gov;
      const chain = {};
      const chainId = this.getAttribute('chain-id');
      if (chainId) chain.chainId = /^\d+$/.test(chainId) ? Number(chainId) : chainId;
      for (const [k, a] of [['kmsContract', 'kms-contract'], ['appContract', 'app-contract']]) if (this.getAttribute(a)) chain[k] = this.getAttribute(a);
      const rpc = this.getAttribute('chain-rpc');
      if (rpc) chain.rpcUrls = rpc.split(/\s+/).filter(Boolean);
      if (Object.keys(chain).length) opts.chain = chain;
      const report = await A.verifyCvm(url, opts);
      const summary = summarize(report);
      out = { view: { state: summary.state, url, summary }, detail: { state: summary.state, url, report } };
    } catch (e) {
      const error = Object.freeze({ code: str((e && e.code) || 'INTERNAL'), message: str((e && e.message) || e) });
      out = { view: { state: 'unavailable', url, error }, detail: { state: 'unavailable', url, error } };
    }
    if (id !== this.#run || !this.isConnected) return; // superseded
    this.#cur = { ...out.view, at: Date.now() };
    this.#set(out.view.state);
    this.#paint();
    this.dispatchEvent(new CustomEvent('cvm-verify', { bubbles: true, composed: true, detail: Object.freeze(out.detail) }));
    this.#schedule();
  }

  #schedule() {
    clearTimeout(this.#timer);
    const every = this.#interval();
    if (!every || !this.isConnected || !this.#cur) return;
    this.#timer = setTimeout(() => {
      if (this.#visible && !document.hidden) this.#verify(false);
      else this.#due = true; // re-check as soon as the badge is visible again
    }, every * 1000);
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, CvmVerifyBadge);

// ---- auto-mount: <script type="module" src=".../badge.js" data-url="..."> inserts a badge after itself.
// A module runs once however many script elements load it, so every matching script is mounted here.
const mounted = new WeakSet();
function mount() {
  for (const s of document.querySelectorAll('script[src][data-url]')) {
    if (mounted.has(s) || s.src !== import.meta.url) continue;
    const inHead = !s.parentNode || s.parentNode === document.head;
    if (inHead && !document.body) continue; // mounted at DOMContentLoaded
    mounted.add(s);
    const b = document.createElement(TAG);
    const d = s.dataset;
    for (const [k, a] of [['url', 'url'], ['policy', 'policy'], ['expectComposeHash', 'expect-compose-hash'],
      ['theme', 'theme'], ['pccs', 'pccs'], ['interval', 'interval'], ['governance', 'governance'], ['chainId', 'chain-id'],
      ['kmsContract', 'kms-contract'], ['appContract', 'app-contract'], ['chainRpc', 'chain-rpc'],
      ['expectMrtd', 'expect-mrtd'], ['expectRtmr0', 'expect-rtmr0'], ['expectRtmr1', 'expect-rtmr1'],
      ['expectRtmr2', 'expect-rtmr2'], ['allowOsImage', 'allow-os-image']]) if (d[k] !== undefined) b.setAttribute(a, d[k]);
    if (inHead) document.body.prepend(b);
    else s.after(b);
  }
}
if (typeof document !== 'undefined') {
  mount();
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
}
