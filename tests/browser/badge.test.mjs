// The embeddable badge (web/badge.js) in Chromium, under the page's strict CSP, every server on 127.0.0.1:
//  - the recorded near/mpc attestation through the mock CVM: failed (NONCE_MISMATCH in the popover), keyboard
//    access, and a host page that tries to set state="verified" is put right;
//  - forged evidence (tests/pki/forge.mjs, made per request for the badge's own nonce) with the test core:
//    verified, periodic re-verification with a fresh nonce, attributes re-run; a SWHardeningNeeded TCB: warning
//    under the default policy, failed under strict;
//  - a dead URL: unavailable; the auto-mount script form; lazy loading until scrolled into view;
//  - the demo page; and the production core, which ignores the test root: the same forged CVM fails.
// Screenshots of every state go to tests/output/badge-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, shot, startWebServer } from './launch.mjs';
import { NOW } from './fixtures.mjs';
import { siteRoot, hostPage, HOST_CSS, startForgedCvm, forgedCollateral, worldWithTcb, deadUrl } from './badge-fixtures.mjs';
import { startMockCvm } from '../mocks/cvm.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';
import { startServer } from '../../scripts/serve.mjs';
import { dstackEvidence } from '../pki/forge.mjs';

const T0 = Math.floor(Date.now() / 1000); // the forged world is valid around the real current time
const WARN_WORLD = worldWithTcb('SWHardeningNeeded');
// The forged CVM ships no OS manifest: a site owner reaches `verified` by pinning MRTD and RTMR0..2 (issue 14).
const PINS = dstackEvidence({ now: T0 }).expect;
const osAttrs = (prefix = '') => `${prefix}expect-mrtd="${PINS.mrtd}" ${prefix}expect-rtmr0="${PINS.rtmr[0]}" ${prefix}expect-rtmr1="${PINS.rtmr[1]}" ${prefix}expect-rtmr2="${PINS.rtmr[2]}"`;

let browser;
let site;
let web;
let nearPccs;
let forged;
let forgedPccs;
let warnPccs;
let dead;

before(async () => {
  site = siteRoot({ testWasm: true });
  site.file('badge-host.css', HOST_CSS);
  [browser, web, nearPccs, forged, forgedPccs, warnPccs, dead] = await Promise.all([
    launchBrowser(),
    startServer({ port: 0, host: '127.0.0.1', root: site.dir }),
    startMockPccs({}),
    startForgedCvm({ now: T0 }),
    startMockPccs({ collateral: forgedCollateral({ now: T0 }) }),
    startMockPccs({ collateral: forgedCollateral({ now: T0, world: WARN_WORLD }) }),
    deadUrl(),
  ]);
});

after(async () => {
  await browser?.close();
  await Promise.all([web, nearPccs, forged, forgedPccs, warnPccs].map((s) => s?.close()));
  site?.cleanup();
});

/**
 * A page that records every cvm-verify event, and keeps a handle on the badges' closed shadow roots (a
 * test-only hook installed before any page script; a hostile host page could do the same, which is why
 * the README does not count the closed root as a security boundary).
 */
async function badgePage(opts = {}) {
  const p = await openPage(browser, opts);
  await p.context.addInitScript(() => {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      const root = attach.call(this, init);
      Object.defineProperty(this, '__testShadow', { value: root });
      return root;
    };
    window.__events = [];
    document.addEventListener('cvm-verify', (e) => {
      const d = e.detail || {};
      window.__events.push({
        id: e.target.id, tag: e.target.tagName.toLowerCase(), state: d.state, url: d.url, bubbles: e.bubbles, composed: e.composed,
        verdict: d.report?.verdict, checks: d.report?.checks?.map((c) => [c.id, c.status, c.code]), error: d.error ? { ...d.error } : undefined,
        hasReport: !!d.report, attr: e.target.getAttribute('state'),
      });
    });
  });
  return p;
}

const finalStates = ['verified', 'warning', 'failed', 'unavailable'];

async function waitState(page, sel, states = finalStates, timeout = 20000) {
  await page.waitForFunction(([s, want]) => want.includes(document.querySelector(s)?.getAttribute('state')), [sel, states], { timeout });
  return page.getAttribute(sel, 'state');
}

/** Text of the badge's label and popover, read through the test hook. */
async function badgeView(page, sel) {
  return page.evaluate((s) => {
    const root = document.querySelector(s).__testShadow;
    const pop = root.querySelector('.pop');
    const btn = root.querySelector('button.r');
    return {
      label: btn.textContent, aria: btn.getAttribute('aria-label'), expanded: btn.getAttribute('aria-expanded'),
      open: pop.matches(':popover-open'), popover: pop.textContent, link: pop.querySelector('a')?.href,
      focused: root.activeElement?.className || null,
    };
  }, sel);
}

const events = (page) => page.evaluate(() => window.__events);
const noiseless = (errors) => errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e));

test('near/mpc recording via the mock CVM: failed with NONCE_MISMATCH; keyboard popover; state cannot be spoofed', async () => {
  const cvm = await startMockCvm({});
  const { context, page, csp, errors } = await badgePage();
  try {
    await page.clock.setFixedTime(NOW * 1000); // the recording's time: only freshness can fail
    const path = site.page('t-near.html', hostPage(`<h1>An app that shows its badge</h1>
<p>The badge below verifies the CVM at the mock address in this browser.</p>
<div class="row"><cvm-verify-badge id="b" url="${cvm.url}" pccs="${nearPccs.url}"></cvm-verify-badge></div>
<script type="module" src="badge.js"></script>`));
    await page.goto(web.url + path);
    assert.equal(await waitState(page, '#b'), 'failed');

    // one verification, with a fresh 32-byte nonce, collateral from the given PCCS
    const att = cvm.requests.filter((r) => r.path === '/attestation');
    assert.equal(att.length, 1);
    assert.match(att[0].query.reportData, /^[0-9a-f]{64}$/);

    // the DOM event: bubbling, composed, with the report
    const ev = await events(page);
    assert.equal(ev.length, 1);
    assert.deepEqual([ev[0].id, ev[0].state, ev[0].attr, ev[0].bubbles, ev[0].composed, ev[0].verdict, ev[0].hasReport],
      ['b', 'failed', 'failed', true, true, 'fail', true]);
    const checks = Object.fromEntries(ev[0].checks.map(([id, status, code]) => [id, [status, code]]));
    assert.equal(checks['hardware.signature'][0], 'pass');
    assert.deepEqual(checks['freshness.nonce'], ['fail', 'NONCE_MISMATCH']);

    // keyboard: Tab reaches the badge, Enter opens the popover with the failing check's reason
    let v = await badgeView(page, '#b');
    assert.match(v.label, /TEE verification failed/);
    assert.match(v.aria, /^TEE verification failed( · [^,]+)?, for 127\.0\.0\.1:\d+/);
    // The accessible name contains the visible text (axe label-content-name-mismatch), and the popover does
    // not say "Verified" for a failed check.
    const words = (t) => t.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    assert.ok(words(v.aria).startsWith(words(v.label)), `"${v.aria}" contains "${v.label}"`);
    assert.doesNotMatch(v.popover, /Verified in your browser/);
    assert.match(v.popover, /Checked in your browser/);
    await page.keyboard.press('Tab');
    assert.match((await badgeView(page, '#b')).focused, /^r .*failed/);
    await page.keyboard.press('Enter');
    v = await badgeView(page, '#b');
    assert.equal(v.open, true);
    assert.equal(v.expanded, 'true');
    assert.match(v.popover, /Freshness · NONCE_MISMATCH/);
    assert.match(v.popover, /Do not treat this app as running in a trusted TEE/);
    const link = new URL(v.link);
    assert.equal(link.pathname, '/web/index.html');
    assert.equal(link.searchParams.get('url'), cvm.url);
    await shot(page, 'badge-failed', { fullPage: false });
    await page.keyboard.press('Escape');
    v = await badgeView(page, '#b');
    assert.equal(v.open, false);
    assert.equal(v.expanded, 'false');
    await page.keyboard.press(' '); // focus went back to the badge; Space opens it too
    assert.equal((await badgeView(page, '#b')).open, true);
    await page.keyboard.press('Escape');

    // the host page tries to claim success: every write to `state` is put back at once
    const spoof = await page.evaluate(() => {
      const b = document.querySelector('#b');
      const seen = [];
      b.setAttribute('state', 'verified');
      seen.push(b.getAttribute('state'));
      b.removeAttribute('state');
      seen.push(b.getAttribute('state'));
      b.setAttributeNS(null, 'state', 'verified');
      seen.push(b.getAttribute('state'));
      b.attributes.getNamedItem('state').value = 'verified';
      seen.push(b.getAttribute('state'));
      try { b.state = 'verified'; } catch { /* getter only */ }
      seen.push(b.state);
      seen.push(b.matches('[state="verified"]'));
      return seen;
    });
    assert.deepEqual(spoof, ['failed', 'failed', 'failed', 'failed', 'failed', false]);
    assert.match((await badgeView(page, '#b')).label, /TEE verification failed/);
    assert.equal((await events(page)).length, 1, 'no event, no re-verification from the spoof attempts');

    // "Check again" in the popover verifies again, with a new nonce
    await page.click('#b');
    await page.evaluate(() => document.querySelector('#b').__testShadow.querySelector('.pf button').click());
    await page.waitForFunction(() => window.__events.length === 2);
    assert.equal((await events(page))[1].state, 'failed');
    const again = cvm.requests.filter((r) => r.path === '/attestation');
    assert.equal(again.length, 2);
    assert.notEqual(again[0].query.reportData, again[1].query.reportData);

    assert.deepEqual(await csp(), []);
    assert.deepEqual(noiseless(errors), []);
  } finally {
    await context.close();
    await cvm.close();
  }
});

test('forged evidence with the test core: verified; a fresh nonce on every re-verification; attributes re-run', async () => {
  const { context, page, csp, errors, requests } = await badgePage();
  const before = forged.requests.length;
  try {
    await page.clock.install();
    const path = site.page('t-verified.html', hostPage(`<h1>Verified</h1>
<p>A forged but consistent dstack CVM, verified by the test core against the forged root.</p>
<div class="row"><cvm-verify-badge id="b" url="${forged.url}" pccs="${forgedPccs.url}" interval="10" ${osAttrs()}></cvm-verify-badge></div>
<script type="module" src="badge.js"></script>`));
    await page.goto(web.url + path);
    assert.equal(await waitState(page, '#b'), 'verified');
    let ev = await events(page);
    assert.equal(ev.length, 1);
    assert.deepEqual([ev[0].state, ev[0].verdict], ['verified', 'pass']);
    assert.ok(ev[0].checks.every(([, s]) => s === 'pass' || s === 'skip'), JSON.stringify(ev[0].checks));
    assert.ok(requests.some((u) => u.endsWith('/js/cvm-verify-badge.wasm')), 'the shared badge core was loaded');
    assert.ok(!requests.some((u) => u.endsWith('/js/cvm-verify.wasm')), 'and not the full core (no provenance asked)');

    // the popover: TCB status, compose hash, collateral expiry, time of check
    await page.click('#b');
    const v = await badgeView(page, '#b');
    assert.equal(v.open, true);
    const composeHash = dstackEvidence({ now: T0 }).composeHash.toString('hex');
    assert.match(v.popover, /TCB statusUpToDate/);
    assert.ok(v.popover.includes(composeHash.slice(0, 10)), 'compose hash shown');
    assert.match(v.popover, /Collateral expires/);
    assert.match(v.popover, /Checked.*just now/);
    assert.match(v.label, /TEE verified· just now/);
    await shot(page, 'badge-verified', { fullPage: false });
    await page.mouse.click(600, 600); // light dismiss
    assert.equal((await badgeView(page, '#b')).open, false);

    // interval: 10 s later it verifies again, with a new nonce, and stays verified meanwhile
    await page.clock.fastForward(11000);
    await page.waitForFunction(() => window.__events.length === 2, null, { timeout: 20000 });
    ev = await events(page);
    assert.equal(ev[1].state, 'verified');
    const nonces = forged.requests.slice(before).filter((r) => r.path === '/attestation').map((r) => r.query.reportData);
    assert.equal(nonces.length, 2);
    assert.notEqual(nonces[0], nonces[1]);
    assert.match((await badgeView(page, '#b')).label, /TEE verified/);

    // a changed attribute re-runs the verification from scratch
    await page.evaluate(() => document.querySelector('#b').setAttribute('policy', 'strict'));
    await page.waitForFunction(() => window.__events.length === 3, null, { timeout: 20000 });
    assert.equal((await events(page))[2].state, 'verified');
    assert.equal(forged.requests.slice(before).filter((r) => r.path === '/attestation').length, 3);

    // without the OS pins the OS image is unverified: warning, and the popover says why
    await page.evaluate(() => document.querySelector('#b').removeAttribute('expect-rtmr2'));
    await page.waitForFunction(() => window.__events.length >= 4 && window.__events.at(-1).state === 'warning', null, { timeout: 20000 });
    const os = (await events(page)).at(-1).checks.find(([id]) => id === 'os.image');
    assert.deepEqual(os, ['os.image', 'warn', 'OS_IMAGE_UNVERIFIED']);
    await page.click('#b');
    assert.match((await badgeView(page, '#b')).popover, /OS image · OS_IMAGE_UNVERIFIED.*compose hash is only as trustworthy as this unverified OS/);
    await shot(page, 'badge-warning-os', { fullPage: false });

    assert.deepEqual(await csp(), []);
    assert.deepEqual(noiseless(errors), []);
  } finally {
    await context.close();
  }
});

test('a SWHardeningNeeded platform: warning under the default policy, failed under strict', async () => {
  const { context, page, csp, errors } = await badgePage();
  try {
    const path = site.page('t-warning.html', hostPage(`<h1>Warning</h1>
<p>The same forged CVM; its collateral service says the platform needs software hardening.</p>
<div class="row"><cvm-verify-badge id="w" url="${forged.url}" pccs="${warnPccs.url}"></cvm-verify-badge>
<cvm-verify-badge id="s" url="${forged.url}" pccs="${warnPccs.url}" policy="strict"></cvm-verify-badge></div>
<script type="module" src="badge.js"></script>`));
    await page.goto(web.url + path);
    assert.equal(await waitState(page, '#w'), 'warning');
    assert.equal(await waitState(page, '#s'), 'failed');
    const ev = Object.fromEntries((await events(page)).map((e) => [e.id, e]));
    assert.equal(ev.w.verdict, 'warn');
    assert.equal(ev.s.verdict, 'fail');
    assert.deepEqual(ev.w.checks.find(([id]) => id === 'tcb.status').slice(0, 2), ['tcb.status', 'warn']);
    assert.equal(ev.s.checks.find(([id]) => id === 'tcb.status')[1], 'fail');

    await page.click('#w');
    const v = await badgeView(page, '#w');
    assert.match(v.label, /TEE verified, with warnings/);
    assert.match(v.popover, /with these warnings:TCB status.*SWHardeningNeeded.*accepted with a warning/);
    assert.match(v.popover, /SWHardeningNeeded/);
    await shot(page, 'badge-warning', { fullPage: false });
    await page.keyboard.press('Escape');
    await page.click('#s');
    assert.match((await badgeView(page, '#s')).popover, /TCB status · TCB_STATUS_NOT_ALLOWED/);
    await page.keyboard.press('Escape');

    assert.deepEqual(await csp(), []);
    assert.deepEqual(noiseless(errors), []);
  } finally {
    await context.close();
  }
});

test('a dead URL is unavailable, never verified (even with state="verified" in the markup); the auto-mount script form', async () => {
  const { context, page, csp, errors } = await badgePage({ colorScheme: 'light' });
  try {
    const path = site.page('t-unavailable.html', hostPage(`<h1>Unavailable and auto-mounted badges</h1>
<p>Written by the host with state="verified", pointing at a closed port:</p>
<div class="row"><cvm-verify-badge id="d" state="verified" url="${dead}" pccs="${forgedPccs.url}"></cvm-verify-badge>
<cvm-verify-badge id="bad" url="${forged.url}" pccs="${forgedPccs.url}" policy="lax"></cvm-verify-badge></div>
<p>Inserted by script tags (the module runs once; both tags get their badge):</p>
<div class="row" id="auto1"><script type="module" src="badge.js" data-url="${forged.url}" data-pccs="${forgedPccs.url}" data-policy="strict" ${osAttrs('data-')} async></script></div>
<div class="row dark" id="auto2"><script type="module" src="badge.js" data-url="${dead}" data-theme="dark" data-interval="0" async></script></div>`));
    await page.goto(web.url + path);
    // the markup's state="verified" is overwritten as soon as the element is defined
    assert.equal(await page.getAttribute('#d', 'state') === 'verified', false);
    assert.equal(await waitState(page, '#d'), 'unavailable');
    const v = await badgeView(page, '#d');
    assert.match(v.label, /Couldn’t verify TEE/);

    // auto-mount: a badge right after each script, with the data-* attributes
    await page.waitForSelector('#auto1 > script + cvm-verify-badge');
    await page.waitForSelector('#auto2 > script + cvm-verify-badge');
    const a1 = '#auto1 > cvm-verify-badge';
    const a2 = '#auto2 > cvm-verify-badge';
    assert.equal(await page.getAttribute(a1, 'url'), forged.url);
    assert.equal(await page.getAttribute(a1, 'policy'), 'strict');
    assert.equal(await page.getAttribute(a2, 'theme'), 'dark');
    assert.equal(await waitState(page, a1), 'verified');
    assert.equal(await waitState(page, a2), 'unavailable');

    assert.equal(await waitState(page, '#bad'), 'unavailable');
    const ev = await events(page);
    assert.equal(ev.length, 4);
    assert.equal(ev.find((e) => e.id === 'bad').error.code, 'REQUEST_MALFORMED', 'an invalid policy is unavailable, not verified');
    for (const e of ev.filter((x) => x.state === 'unavailable' && x.id !== 'bad')) {
      assert.ok(['FETCH_FAILED', 'CORS_BLOCKED'].includes(e.error?.code), JSON.stringify(e));
      assert.equal(e.hasReport, false);
    }
    assert.ok(!ev.some((e) => e.url === dead && e.state !== 'unavailable'));

    await page.click('#d');
    const pv = await badgeView(page, '#d');
    assert.match(pv.popover, /This is not a verification/);
    assert.match(pv.popover, /FETCH_FAILED|CORS_BLOCKED/);
    await shot(page, 'badge-unavailable', { fullPage: false });
    await page.keyboard.press('Escape');
    await page.click(a1); // the auto-mounted badges: verified (light) and unavailable (dark theme)
    await page.keyboard.press('Escape');
    await page.click(a2);
    assert.equal((await badgeView(page, a2)).open, true);
    await shot(page, 'badge-automount-dark', { fullPage: false });
    await page.keyboard.press('Escape');

    assert.deepEqual(await csp(), []);
    assert.deepEqual(noiseless(errors), []);
  } finally {
    await context.close();
  }
});

test('nothing is loaded or verified until the badge scrolls into view', async () => {
  const { context, page, csp, errors, requests } = await badgePage();
  const start = forged.requests.length;
  try {
    const path = site.page('t-lazy.html', hostPage(`<h1>Below the fold</h1>
<p>The badge is far down this page.</p>
<div class="spacer"></div>
<div class="row"><cvm-verify-badge id="b" url="${forged.url}" pccs="${forgedPccs.url}" ${osAttrs()}></cvm-verify-badge></div>
<script type="module" src="badge.js"></script>`));
    await page.goto(web.url + path);
    await page.waitForFunction(() => customElements.get('cvm-verify-badge'));
    await page.waitForTimeout(700);
    assert.equal(await page.getAttribute('#b', 'state'), 'verifying');
    assert.ok(requests.some((u) => u.endsWith('/web/badge.js')));
    assert.ok(!requests.some((u) => u.includes('/js/')), `no loader or core yet: ${requests.filter((u) => u.includes('/js/'))}`);
    assert.equal(forged.requests.length, start, 'no request to the CVM yet');
    assert.deepEqual(await events(page), []);

    await page.evaluate(() => document.querySelector('#b').scrollIntoView());
    assert.equal(await waitState(page, '#b'), 'verified');
    assert.ok(requests.some((u) => u.endsWith('/js/index.js')));
    assert.ok(requests.some((u) => u.endsWith('/js/cvm-verify-badge.wasm')));
    assert.equal(forged.requests.slice(start).filter((r) => r.path === '/attestation').length, 1);
    assert.deepEqual(await csp(), []);
    assert.deepEqual(noiseless(errors), []);
  } finally {
    await context.close();
  }
});

test('the demo page shows all five states (a demo-only element), light and dark, under the CSP', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { context, page, csp, errors } = await openPage(browser, { colorScheme, viewport: { width: 1200, height: 900 } });
    try {
      await page.goto(`${web.url}/web/badge-demo.html`);
      const demo = page.locator('cvm-verify-badge-demo');
      assert.equal(await demo.count(), 5);
      for (const s of ['verifying', 'verified', 'warning', 'failed', 'unavailable']) {
        await page.locator(`cvm-verify-badge-demo[demo-state="${s}"] button.r.${s}`).waitFor();
      }
      // no real badge on the page, and the demo element never answers to `state`
      assert.equal(await page.locator('cvm-verify-badge').count(), 0);
      assert.match(await page.locator('#snippet-script').innerText(), /<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/web\/badge\.js" data-url=/);
      if (colorScheme === 'light') {
        await page.locator('cvm-verify-badge-demo[demo-state="failed"] button.r').click();
        const pop = page.locator('cvm-verify-badge-demo[demo-state="failed"] .pop');
        await pop.waitFor();
        assert.match(await pop.innerText(), /Sample rendering — not a verification/);
        await shot(page, 'badge-demo-popover', { fullPage: false });
        await page.keyboard.press('Escape');
        await page.evaluate(() => document.activeElement?.blur());
        await shot(page, 'badge-demo');
        await page.check('input[name="theme"][value="dark"]');
        await page.locator('cvm-verify-badge-demo[theme="dark"]').first().waitFor();
        await shot(page, 'badge-demo-forced-dark', { fullPage: false });
      } else {
        await shot(page, 'badge-demo-dark');
      }
      assert.deepEqual(await csp(), []);
      assert.deepEqual(noiseless(errors), []);
    } finally {
      await context.close();
    }
  }
  // a phone: no horizontal overflow, the popover fits the viewport
  const { context, page } = await openPage(browser, { viewport: { width: 360, height: 740 } });
  try {
    await page.goto(`${web.url}/web/badge-demo.html`);
    await page.locator('cvm-verify-badge-demo[demo-state="warning"] button.r').click();
    const pop = page.locator('cvm-verify-badge-demo[demo-state="warning"] .pop');
    await pop.waitFor();
    const box = await pop.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 360 && box.y >= 0 && box.y + box.height <= 740, JSON.stringify(box));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360));
    await shot(page, 'badge-demo-mobile', { fullPage: false });
  } finally {
    await context.close();
  }
});

test('the production core ignores the test root: the same forged CVM fails (ROOT_CA_MISMATCH)', async () => {
  const prod = await startWebServer(); // the repository's own js/: the production WASM and its hash
  const { context, page, csp, errors } = await badgePage();
  try {
    await page.goto(`${prod.url}/web/badge-demo.html?url=${encodeURIComponent(forged.url)}&pccs=${encodeURIComponent(forgedPccs.url)}`);
    assert.equal(await waitState(page, '#live cvm-verify-badge'), 'failed');
    const [ev] = await events(page);
    const hw = ev.checks.find(([id]) => id === 'hardware.signature');
    assert.deepEqual(hw, ['hardware.signature', 'fail', 'ROOT_CA_MISMATCH']);
    await shot(page, 'badge-demo-live-prod-core', { fullPage: false });
    assert.deepEqual(await csp(), []);
    assert.deepEqual(noiseless(errors), []);
  } finally {
    await context.close();
    await prod.close();
  }
});
