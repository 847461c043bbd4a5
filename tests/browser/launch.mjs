// Shared helpers for the browser tests: Debian's Chromium through playwright-core (a downloaded browser
// cannot work here; `make deps` installs chromium), the page's static server, CSP-violation tracking and
// screenshots into the git-ignored tests/output/.
//
//   import { launchBrowser, startWebServer, openPage, shot } from './launch.mjs';
import { chromium } from 'playwright-core';
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OUTPUT_DIR = join(ROOT, 'tests/output');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

/** Launches headless Chromium. Throws a clear message when it is not installed. */
export async function launchBrowser(options = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run \`make deps\` (installs Debian's chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ...options });
}

/** Starts scripts/serve.mjs (web/ and js/, with the page's CSP) on 127.0.0.1 and an ephemeral port. */
export async function startWebServer() {
  const { startServer } = await import(join(ROOT, 'scripts/serve.mjs'));
  return startServer({ port: 0, host: '127.0.0.1' });
}

/**
 * A new page in its own context that records CSP violations, console errors and uncaught page errors.
 * `settings` (an object) is written to localStorage 'cvm-verify:settings' before any page script runs.
 * @returns {Promise<{context, page, csp: () => Promise<string[]>, errors: string[], requests: string[]}>}
 */
export async function openPage(browser, { viewport = { width: 1280, height: 900 }, colorScheme = 'light', settings, reducedMotion = 'reduce' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, reducedMotion, deviceScaleFactor: 1 });
  await context.addInitScript((s) => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || ''}:${e.lineNumber || ''}`);
    });
    if (s) {
      try { localStorage.setItem('cvm-verify:settings', JSON.stringify(s)); } catch { /* about:blank */ }
    }
  }, settings ?? null);
  const page = await context.newPage();
  const errors = [];
  const cspConsole = [];
  const requests = [];
  page.on('console', (m) => {
    const t = m.text();
    if (/Content.Security.Policy/i.test(t)) cspConsole.push(t);
    if (m.type() === 'error') errors.push(t);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const csp = async () => {
    let fromPage = [];
    try { fromPage = await page.evaluate(() => window.__cspViolations || []); } catch { fromPage = []; }
    return [...cspConsole, ...fromPage];
  };
  return { context, page, csp, errors, requests };
}

/**
 * Keeps a page's context on 127.0.0.1: every request elsewhere is aborted as a disconnected network and its URL
 * recorded, so a test can both run offline and assert that nothing tried to leave.
 * @returns {Promise<string[]>} the URLs that were refused (filled as the page runs)
 */
export async function offline(context) {
  const attempted = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    attempted.push(u.href);
    return route.abort('internetdisconnected');
  });
  return attempted;
}

/** Saves a full-page screenshot to tests/output/<name>.png and returns its path. */
export async function shot(page, name, { fullPage = true } = {}) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage, animations: 'disabled' });
  return path;
}

/** Waits until the verdict element has a final verdict (pass|warn|fail|error) and returns it. */
export async function waitVerdict(page, timeout = 30000) {
  const el = page.locator('[data-verdict]:not([data-verdict="running"])');
  await el.first().waitFor({ timeout });
  return el.first().getAttribute('data-verdict');
}
