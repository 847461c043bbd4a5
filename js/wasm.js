// Loads the verifier core (cvm-verify.wasm, next to this module) once, checks its SHA-256 against the value
// recorded at build time (wasm-sha256.js), and runs JSON requests on it (docs/core-api.md).
// Browser path: fetch + WebAssembly.instantiateStreaming (falls back to bytes when the server sends the wrong
// MIME type). Node path: reads the file with a dynamic import of node:fs. Works under a CSP that allows only
// 'wasm-unsafe-eval' for WebAssembly: no eval, no new Function.
// Each instance keeps one verification cache (cv_cache_new): a collateral already verified, still inside its
// validity window at the request's `now`, is not verified again; answers are byte-identical (src/cache.h).
import { codedError, sha256Hex } from './util.js';

/** @typedef {{memory: WebAssembly.Memory, cv_alloc: (n: number) => number, cv_free: (p: number) => void, cv_run: (p: number, n: number) => number, cv_run_cached: (c: number, p: number, n: number) => number, cv_cache_new: () => number, cv_cache_free: (c: number) => void, _initialize?: () => void}} CoreExports */

// Two builds of the same core (docs/performance.md §5): 'full', and 'badge' (Sigstore compiled out: its
// app.provenance answers PROVENANCE_NOT_BUILT, never a pass). Callers pick one with the option `core`.
/** @typedef {'full' | 'badge'} CoreKind */
const WASM_URLS = {
  full: new URL('./cvm-verify.wasm', import.meta.url),
  badge: new URL('./cvm-verify-badge.wasm', import.meta.url),
};

/** @type {Record<CoreKind, Promise<{exports: CoreExports, sha256: string, cache: number}> | null>} */
const instancePromises = { full: null, badge: null };

/** @param {unknown} kind @returns {CoreKind} */
function coreKind(kind) {
  if (kind === undefined || kind === 'full') return 'full';
  if (kind === 'badge') return 'badge';
  throw codedError('REQUEST_MALFORMED', `unknown verifier core ${JSON.stringify(kind)}: use 'full' or 'badge'`);
}

/** Imports per docs/core-api.md: at most a memory-growth notification, which needs nothing from us. */
const IMPORTS = { env: { emscripten_notify_memory_growth() {} }, wasi_snapshot_preview1: {} };

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node) && typeof window === 'undefined';

/**
 * @param {CoreKind} kind
 * @returns {Promise<string>} the expected SHA-256, written by `make wasm`
 */
async function expectedSha256(kind) {
  const file = kind === 'badge' ? 'js/wasm-badge-sha256.js' : 'js/wasm-sha256.js';
  try {
    const v = kind === 'badge' ? (await import('./wasm-badge-sha256.js')).WASM_BADGE_SHA256 : (await import('./wasm-sha256.js')).WASM_SHA256;
    if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) throw new Error('bad SHA-256 value');
    return v;
  } catch (e) {
    throw codedError('INTERNAL', `the verifier core is not built (${file} is missing or invalid): run \`make wasm\``, e);
  }
}

/**
 * The core's bytes and, in browsers, an unread clone of the Response (for streaming compilation).
 * @param {URL} WASM_URL
 * @returns {Promise<{bytes: Uint8Array, response?: Response}>}
 */
async function loadBytes(WASM_URL) {
  if (isNode && WASM_URL.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    try {
      return { bytes: new Uint8Array(await readFile(WASM_URL)) };
    } catch (e) {
      throw codedError('INTERNAL', `cannot read the verifier core ${WASM_URL.pathname}: run \`make wasm\``, e);
    }
  }
  let res;
  try {
    res = await fetch(WASM_URL, { credentials: 'same-origin' });
  } catch (e) {
    throw codedError('FETCH_FAILED', `cannot load the verifier core from ${WASM_URL.href}: ${e instanceof Error ? e.message : e}`, e);
  }
  if (!res.ok) throw codedError('FETCH_FAILED', `cannot load the verifier core from ${WASM_URL.href}: HTTP ${res.status}`);
  const response = res.clone();
  return { bytes: new Uint8Array(await res.arrayBuffer()), response };
}

/**
 * Instantiates the core. The SHA-256 is checked first, on the bytes read from the response; in browsers the
 * module is then compiled with instantiateStreaming from a clone of that same response (a tee of the same
 * stream, so the same bytes; browsers can cache the compiled code), falling back to instantiate(bytes) when
 * the server sent another MIME type than application/wasm.
 * @param {CoreKind} kind
 * @returns {Promise<{exports: CoreExports, sha256: string, cache: number}>}
 */
async function instantiate(kind) {
  const [expected, { bytes, response }] = await Promise.all([expectedSha256(kind), loadBytes(WASM_URLS[kind])]);
  const actual = await sha256Hex(bytes);
  if (actual !== expected) {
    throw codedError('INTERNAL', `the verifier core's SHA-256 is ${actual}, expected ${expected}: the file was modified or is from another build; refusing to run it`);
  }
  /** @type {WebAssembly.Instance | null} */
  let instance = null;
  if (response && typeof WebAssembly.instantiateStreaming === 'function') {
    try {
      instance = (await WebAssembly.instantiateStreaming(response, IMPORTS)).instance;
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // a wrong MIME type is a TypeError; anything else is real
    }
  }
  if (!instance) instance = (await WebAssembly.instantiate(/** @type {BufferSource} */ (bytes), IMPORTS)).instance;
  const ex = /** @type {CoreExports} */ (/** @type {unknown} */ (instance.exports));
  for (const name of ['memory', 'cv_alloc', 'cv_free', 'cv_run', 'cv_run_cached', 'cv_cache_new']) {
    if (!(name in ex)) throw codedError('INTERNAL', `the verifier core does not export ${name}`);
  }
  if (typeof ex._initialize === 'function') ex._initialize();
  // The instance's cache (0 when out of memory: then every request runs uncached, with the same answers).
  return { exports: ex, sha256: actual, cache: ex.cv_cache_new() };
}

/**
 * The one instance of each core (memoised; a failed load is retried on the next call).
 * @param {CoreKind} [core] 'full' (default) or 'badge'
 * @returns {Promise<{exports: CoreExports, sha256: string, cache: number}>}
 */
export function loadCore(core) {
  const kind = coreKind(core);
  let p = instancePromises[kind];
  if (!p) {
    p = instantiate(kind).catch((e) => {
      if (e && typeof e === 'object' && 'code' in e) throw e;
      throw codedError('INTERNAL', `cannot instantiate the verifier core: ${e instanceof Error ? e.message : e}`, e);
    });
    instancePromises[kind] = p;
    p.catch(() => { instancePromises[kind] = null; });
  }
  return p;
}

/**
 * @param {CoreKind} [core] 'full' (default) or 'badge'
 * @returns {Promise<string>} the SHA-256 of the loaded core (hex)
 */
export async function coreSha256(core) {
  return (await loadCore(core)).sha256;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Runs one request on the core and returns its parsed JSON response: a report, an inspect result, or
 * {error: {code, message}} (returned, not thrown: callers decide). With `{cache: false}` the instance's
 * cache is neither used nor filled (the answer is the same; it only takes longer).
 * @param {object} request
 * With `{core: 'badge'}` the badge core runs it (docs/performance.md §5).
 * @param {{cache?: boolean, core?: CoreKind}} [options]
 * @returns {Promise<any>}
 */
export async function run(request, options) {
  const { exports: ex, cache } = await loadCore(options && options.core);
  return runOn(ex, request, options && options.cache === false ? 0 : cache);
}

/**
 * @param {CoreExports} ex
 * @param {object} request
 * @param {number} cache the instance's cache, or 0 for none
 */
function runOn(ex, request, cache) {
  let json;
  try {
    json = JSON.stringify(request);
  } catch (e) {
    // A cyclic or hostile deeply nested object given to the API: bad input (exit 2), not an internal error.
    throw codedError('REQUEST_MALFORMED', `the request cannot be encoded as JSON (${e instanceof Error ? e.message : e}): is the evidence cyclic or nested too deeply?`);
  }
  const req = encoder.encode(json);
  const reqPtr = ex.cv_alloc(Math.max(req.length, 1));
  if (!reqPtr) throw codedError('OUT_OF_MEMORY', `the verifier core could not allocate ${req.length} bytes for the request`);
  let resPtr = 0;
  try {
    new Uint8Array(ex.memory.buffer, reqPtr, req.length).set(req);
    resPtr = cache ? ex.cv_run_cached(cache, reqPtr, req.length) : ex.cv_run(reqPtr, req.length);
  } finally {
    ex.cv_free(reqPtr);
  }
  if (!resPtr) throw codedError('OUT_OF_MEMORY', 'the verifier core ran out of memory');
  try {
    // Re-read memory.buffer: the core may have grown (and so replaced) it.
    const buf = ex.memory.buffer;
    if (resPtr + 4 > buf.byteLength) throw codedError('INTERNAL', 'the verifier core returned an invalid pointer');
    const len = new DataView(buf).getUint32(resPtr, true);
    if (resPtr + 4 + len > buf.byteLength) throw codedError('INTERNAL', 'the verifier core returned an invalid length');
    const text = decoder.decode(new Uint8Array(buf, resPtr + 4, len).slice());
    try {
      return JSON.parse(text);
    } catch (e) {
      throw codedError('INTERNAL', `the verifier core returned invalid JSON: ${text.slice(0, 120)}`, e);
    }
  } finally {
    ex.cv_free(resPtr);
  }
}
