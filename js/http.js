// GET with a timeout, a size cap and fail-closed error classification (FETCH_FAILED / CORS_BLOCKED).
import { codedError } from './util.js';

/** @typedef {typeof globalThis.fetch} FetchFn */

/**
 * @typedef {object} GetOptions
 * @property {FetchFn} [fetch] a fetch implementation (default: the global one)
 * @property {AbortSignal} [signal] aborts the request
 * @property {number} [timeoutMs] whole-request timeout, body included (default 15000)
 * @property {number} [maxBytes] largest body accepted (default 8 MiB)
 * @property {string} [accept] Accept header
 * @property {string} [what] what is being fetched, for messages ("the attestation")
 * @property {string} [hint] what to do about a failure, appended to messages
 */

/**
 * The environment that decides whether a failed fetch is a CORS block: a browser page fetching another origin.
 * @returns {{browser: boolean, origin: string | null}}
 */
export function currentEnv() {
  const g = /** @type {any} */ (globalThis);
  const browser = typeof g.window !== 'undefined' || (typeof g.WorkerGlobalScope !== 'undefined' && typeof g.importScripts === 'function');
  let origin = null;
  try { origin = browser && g.location ? String(g.location.origin) : null; } catch { origin = null; }
  return { browser, origin };
}

/**
 * Turns a failure of fetch (or of reading its body) into a coded Error.
 * In a browser, fetch rejects with a bare TypeError for CORS refusals (and, indistinguishably, for network
 * errors) on cross-origin requests: that is CORS_BLOCKED, with a message saying both.
 * @param {unknown} err
 * @param {string} url
 * @param {{timedOut?: boolean, timeoutMs?: number, aborted?: boolean, what?: string, hint?: string}} ctx
 * @param {{browser: boolean, origin: string | null}} [env]
 * @returns {Error & {code: string}}
 */
export function classifyFetchError(err, url, ctx, env = currentEnv()) {
  const what = ctx.what || 'the resource';
  const hint = ctx.hint ? ` ${ctx.hint}` : '';
  const code = err && typeof err === 'object' ? /** @type {any} */ (err).code : undefined;
  if (code === 'FETCH_FAILED' || code === 'CORS_BLOCKED') return /** @type {any} */ (err);
  if (ctx.timedOut) {
    return codedError('FETCH_FAILED', `fetching ${what} from ${url} timed out after ${Math.round((ctx.timeoutMs || 0) / 100) / 10} s; check that the service is up and reachable.${hint}`, err);
  }
  if (ctx.aborted) return codedError('FETCH_FAILED', `fetching ${what} from ${url} was aborted`, err);
  let crossOrigin = false;
  try { crossOrigin = env.origin !== null && new URL(url).origin !== env.origin; } catch { crossOrigin = false; }
  if (env.browser && crossOrigin && err instanceof TypeError) {
    return codedError('CORS_BLOCKED', `the browser blocked or could not complete the request for ${what} to ${url}: either the server does not send Access-Control-Allow-Origin (it must, for a page on another origin to read it) or it is unreachable. Use the command-line verifier, or paste the evidence instead.`, err);
  }
  const e = /** @type {any} */ (err);
  const cause = e && e.cause ? e.cause : null;
  const detail = [e && e.message, cause && (cause.code || cause.message)].filter(Boolean).join(': ');
  return codedError('FETCH_FAILED', `fetching ${what} from ${url} failed (${detail || String(err)}); check the URL and your network.${hint}`, err);
}

/**
 * A browser's bare TypeError is a CORS refusal or a network failure. A `no-cors` request (an opaque answer
 * the page cannot read) tells them apart: it succeeds when the server answered, so the refusal was CORS;
 * it fails too when the host is unreachable, the name does not resolve or the browser refuses the port.
 * @param {Error & {code: string}} corsErr
 * @param {FetchFn} fetchFn
 * @param {string} url
 * @param {string} what
 * @param {GetOptions} opts
 * @returns {Promise<Error & {code: string}>}
 */
async function corsOrNetwork(corsErr, fetchFn, url, what, opts) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), Math.min(opts.timeoutMs ?? 15000, 8000));
  try {
    await fetchFn(url, { method: 'GET', mode: 'no-cors', credentials: 'omit', redirect: 'follow', signal: ctl.signal });
    /** @type {any} */ (corsErr).probe = 'answered';
    corsErr.message = `the server at ${url} answered, but does not allow other websites to read ${what}: it sends no Access-Control-Allow-Origin header (a setting of the app, not a sign of tampering). Use the command-line verifier, or paste the evidence instead.`;
    return corsErr;
  } catch (e) {
    let host = url;
    try { host = new URL(url).host; } catch { /* keep the URL */ }
    const err = codedError('FETCH_FAILED', `${host} could not be reached for ${what}: the address may be wrong (the name does not resolve), the host may be down, or the browser refuses that port. Check the address.`, e);
    /** @type {any} */ (err).probe = 'unreachable';
    return err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET a URL and read the whole body. Any failure, non-2xx status or oversized body throws a coded Error
 * (FETCH_FAILED, or CORS_BLOCKED in a browser).
 * @param {string} url
 * @param {GetOptions} [opts]
 * @returns {Promise<{status: number, headers: Headers, bytes: Uint8Array, url: string}>}
 */
export async function httpGet(url, opts = {}) {
  const timeoutMs = opts.timeoutMs ?? 15000;
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const what = opts.what || 'the resource';
  const fetchFn = opts.fetch || globalThis.fetch.bind(globalThis);
  const ctl = new AbortController();
  const ctx = { timedOut: false, timeoutMs, aborted: false, what, hint: opts.hint };
  const onAbort = () => { ctx.aborted = true; ctl.abort(opts.signal && opts.signal.reason); };
  if (opts.signal) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  const timer = timeoutMs > 0 ? setTimeout(() => { ctx.timedOut = true; ctl.abort(); }, timeoutMs) : null;
  try {
    /** @type {RequestInit} */
    const init = { method: 'GET', signal: ctl.signal, redirect: 'follow', credentials: 'omit' };
    if (opts.accept) init.headers = { accept: opts.accept };
    const res = await fetchFn(url, init);
    if (!res.ok) {
      let body = '';
      try { body = (await res.text()).slice(0, 200).replace(/\s+/g, ' ').trim(); } catch { body = ''; }
      const err = codedError('FETCH_FAILED', `fetching ${what} from ${url} failed: HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}${body ? ` ("${body}")` : ''}.${opts.hint ? ' ' + opts.hint : ''}`);
      /** @type {any} */ (err).status = res.status;
      throw err;
    }
    const bytes = await readCapped(res, maxBytes,
      () => codedError('FETCH_FAILED', `the response for ${what} from ${url} is larger than ${maxBytes} bytes; refusing it`));
    return { status: res.status, headers: res.headers, bytes, url };
  } catch (e) {
    const err = classifyFetchError(e, url, ctx);
    if (err.code === 'CORS_BLOCKED' && !/** @type {any} */ (e).code) throw await corsOrNetwork(err, fetchFn, url, what, opts);
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    if (opts.signal) opts.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Read a response body, refusing it (without buffering the rest) once it passes max bytes: the declared
 * Content-Length is checked first, then the running total of the stream. Shared by httpGet and js/chain.js.
 * @param {Response} res
 * @param {number} max
 * @param {() => Error} tooBig  builds the error thrown when the body passes max
 * @returns {Promise<Uint8Array>}
 */
export async function readCapped(res, max, tooBig) {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw tooBig();
  if (!res.body || typeof res.body.getReader !== 'function') {
    const b = new Uint8Array(await res.arrayBuffer());
    if (b.length > max) throw tooBig();
    return b;
  }
  const reader = res.body.getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      try { await reader.cancel(); } catch { /* ignore */ }
      throw tooBig();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}
