// WASM robustness: thousands of randomly mutated evidences and collaterals through build/cvm-verify.wasm in
// Node, on ONE instance reused for every request, with its verification cache (cv_cache_new, cv_run_cached), as
// the JS shim does in production (js/wasm.js). Each request also runs uncached (cv_run): the two answers must be
// byte-identical (src/cache.h).
//
// Mutations (seeded PRNG, so every run is the same): byte flips, bit flips, integer overwrites and truncations
// inside the binary fields (the quote, CRLs: hex strings and byte arrays), character flips and truncations of
// strings, JSON structure mutations (dropped keys, swapped types, huge / odd numbers, deep nesting, long strings,
// duplicated and removed array items, lone surrogates), mutations inside the JSON texts carried as strings
// (tcb_info, qe_identity, event_log, app_compose), and byte flips / truncations of the whole request text.
//
// Asserted for every request: no trap, no exception, cv_run returns a block; the response is valid UTF-8 JSON;
// it is a report (cvm-verify/report/v1, the checks in order, known statuses and reason codes, fail closed
// without a hardware proof) or {"error": {code, message}} with a known reason code (for verify, one of the
// request-level codes of docs/core-api.md), never INTERNAL. Linear memory stays below 64 MiB, does not grow
// after warm-up beyond a small margin, and does not grow at all when the same requests are replayed (no leaks).
//
// Environment: CVM_VERIFY_WASM (default build/cvm-verify.wasm), CVM_ROBUSTNESS_ITERATIONS (2000),
// CVM_ROBUSTNESS_SEED (a number).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WASM = process.env.CVM_VERIFY_WASM || join(ROOT, 'build/cvm-verify.wasm');
const ITERATIONS = Number(process.env.CVM_ROBUSTNESS_ITERATIONS || 2000);
const SEED = Number(process.env.CVM_ROBUSTNESS_SEED || 0xc0ffee);
const MEMORY_CAP = 64 << 20;
const GROWTH_MARGIN = 8 << 20; // after warm-up: fragmentation, never a leak's steady growth
const MAX_INPUT = 4 << 20; // CV_MAX_INPUT_LEN
const WORST_CASE_CAP = 32 << 20; // a 4 MiB request of tiny JSON values (second test)

const CHECK_ORDER = ['quote.format', 'hardware.signature', 'collateral.validity', 'tcb.status', 'td.attributes',
  'eventlog.replay', 'os.image', 'app.compose_hash', 'freshness.nonce', 'report_data.binding', 'app.images_pinned',
  'app.provenance', 'policy.measurements', 'governance.onchain'];
// The request-level codes a verify request may fail with (docs/core-api.md, Responses).
const VERIFY_ERRORS = new Set(['REQUEST_MALFORMED', 'EVIDENCE_MALFORMED', 'INPUT_TOO_LARGE', 'OUT_OF_MEMORY']);
// Every reason code of the public contract (docs/reason-codes.md).
const KNOWN_CODES = new Set([...readFileSync(join(ROOT, 'docs/reason-codes.md'), 'utf8')
  .matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));

// ---- deterministic PRNG (mulberry32) ----
let prng = SEED >>> 0;
function rand() {
  prng = (prng + 0x6d2b79f5) >>> 0;
  let t = prng;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (/** @type {number} */ n) => Math.floor(rand() * n);
const pick = (/** @type {any[]} */ a) => a[int(a.length)];
const chance = (/** @type {number} */ p) => rand() < p;

// ---- the core ----
/** @type {any} */
let ex;
let cache = 0; // the instance's verification cache (0: the module has none)
const decoder = new TextDecoder('utf-8', { fatal: true });
async function load() {
  const { instance } = await WebAssembly.instantiate(readFileSync(WASM),
    { env: { emscripten_notify_memory_growth() {} }, wasi_snapshot_preview1: {} });
  ex = instance.exports;
  if (ex._initialize) ex._initialize();
  cache = typeof ex.cv_cache_new === 'function' ? ex.cv_cache_new() : 0;
  if (typeof ex.cv_cache_new === 'function') assert.ok(cache, 'cv_cache_new failed');
}
const memory = () => ex.memory.buffer.byteLength;

/** Runs request bytes once; returns the response text (throws on a trap or a broken block).
 * @param {Buffer} req @param {boolean} cached */
function runText(req, cached) {
  const p = ex.cv_alloc(Math.max(req.length, 1));
  assert.ok(p, `cv_alloc(${req.length}) failed`);
  new Uint8Array(ex.memory.buffer, p, req.length).set(req);
  const r = cached && cache ? ex.cv_run_cached(cache, p, req.length) : ex.cv_run(p, req.length);
  ex.cv_free(p);
  assert.ok(r, 'cv_run returned 0 (out of memory)');
  const buf = ex.memory.buffer;
  assert.ok(r + 4 <= buf.byteLength, 'cv_run returned a pointer outside memory');
  const len = new DataView(buf).getUint32(r, true);
  assert.ok(r + 4 + len <= buf.byteLength, 'cv_run returned a length outside memory');
  const text = decoder.decode(new Uint8Array(buf, r + 4, len).slice()); // throws on invalid UTF-8
  ex.cv_free(r);
  return text;
}

/** Runs request bytes with the instance's cache and without: the same answer, parsed. @param {Buffer} req */
function runBytes(req) {
  const withCache = runText(req, true);
  if (cache) {
    const without = runText(req, false);
    assert.equal(withCache, without, 'the cached and uncached answers differ');
  }
  return JSON.parse(withCache);
}

/** The oracle. @param {any} res @param {string} op @param {string} what */
function validate(res, op, what) {
  assert.ok(res && typeof res === 'object' && !Array.isArray(res), `${what}: not an object`);
  if (res.error) {
    assert.equal(typeof res.error.code, 'string', `${what}: error without code`);
    assert.ok(KNOWN_CODES.has(res.error.code), `${what}: unknown error code ${res.error.code}`);
    assert.notEqual(res.error.code, 'INTERNAL', `${what}: INTERNAL error: ${res.error.message}`);
    assert.ok(typeof res.error.message === 'string' && res.error.message.length > 0, `${what}: error without message`);
    if (op === 'verify') assert.ok(VERIFY_ERRORS.has(res.error.code), `${what}: verify failed with ${res.error.code}`);
    return res.error.code;
  }
  if (op === 'inspect') {
    assert.equal(typeof res.has_quote, 'boolean', `${what}: inspect result without has_quote`);
    return 'inspect';
  }
  assert.equal(res.schema, 'cvm-verify/report/v1', `${what}: no report schema`);
  assert.ok(['pass', 'warn', 'fail'].includes(res.verdict), `${what}: verdict ${res.verdict}`);
  assert.ok(Array.isArray(res.checks) && res.checks.length === CHECK_ORDER.length, `${what}: not ${CHECK_ORDER.length} checks`);
  assert.deepEqual(res.checks.map((/** @type {any} */ c) => c.id), CHECK_ORDER, `${what}: check ids`);
  for (const c of res.checks) {
    assert.ok(['pass', 'warn', 'fail', 'skip'].includes(c.status), `${what}: ${c.id} status ${c.status}`);
    assert.ok(c.code === 'OK' || KNOWN_CODES.has(c.code), `${what}: ${c.id} unknown code ${c.code}`);
    assert.notEqual(c.code, 'INTERNAL', `${what}: ${c.id} INTERNAL: ${c.message}`);
    assert.equal(typeof c.message, 'string', `${what}: ${c.id} message`);
  }
  const hw = res.checks[1];
  if (hw.status !== 'pass') assert.equal(res.verdict, 'fail', `${what}: ${res.verdict} without a hardware proof`);
  return `report:${res.verdict}`;
}

// ---- the real inputs ----
const V = join(ROOT, 'tests/vectors');
const rd = (/** @type {string} */ p) => readFileSync(join(V, p));
const js = (/** @type {string} */ p) => JSON.parse(rd(p).toString('utf8'));
const getquote = js('dstack/near-mpc_getquote.json');
const info = js('dstack/near-mpc_info.json');
const nearColl = js('dstack/near-mpc_collateral.json');
const NEAR_NOW = 1788000000;
/** Base requests: every evidence shape, with and without matching collateral. */
const TEMPLATES = [
  () => ({ op: 'verify', evidence: getquote, collateral: nearColl, now: NEAR_NOW }),
  () => ({ op: 'verify', evidence: { ...getquote, info }, collateral: nearColl, now: NEAR_NOW, nonce: '0001e4faaedae8199148eb0fe1cc9a52' }),
  () => ({ op: 'verify', evidence: rd('dcap/tdx_quote').toString('hex'), collateral: js('dcap/tdx_quote_collateral.json'), now: 1752919234 }),
  () => ({ op: 'verify', evidence: rd('dcap/sgx_quote').toString('hex'), collateral: js('dcap/sgx_quote_collateral.json'), now: 1752919277 }),
  () => ({ op: 'verify', evidence: rd('dcap/tdx_quote_outdated').toString('hex'), collateral: js('dcap/tdx_quote_outdated_collateral.json'), now: 1774003274 }),
  () => ({ op: 'verify', evidence: js('dstack/near-mpc_quote.json'), collateral: { quote_collateral: nearColl }, now: NEAR_NOW }),
  () => ({ op: 'verify', evidence: js('dstack/near-mpc_tcb_info_b.json'), now: NEAR_NOW }),
  () => ({ op: 'verify', evidence: info, now: NEAR_NOW, policy: { tcb: 'permissive', require_pinned_images: true } }),
  () => ({ op: 'verify', evidence: { quote: getquote.quote, tcb_info: js('dstack/near-mpc_tcb_info.json') }, now: NEAR_NOW }),
  () => ({ op: 'verify', now: NEAR_NOW, collateral_source: 'https://example.invalid/pccs',
    evidence: { format: 'cvm-evidence/v1', source_url: 'https://example.invalid/', fetched_at: '2026-08-29T00:00:00Z',
      nonce: '0001e4faaedae8199148eb0fe1cc9a52', attestation: getquote, info, collateral: nearColl } }),
  () => ({ op: 'verify', evidence: JSON.stringify(getquote), collateral: nearColl, now: NEAR_NOW,
    policy: { tcb: 'strict', allow_tcb: ['UpToDate'], expect: { mrtd: js('dstack/near-mpc_tcb_info.json').mrtd } } }),
  () => ({ op: 'verify', evidence: rd('intel-synthetic/tdx/quote.dat').toString('hex'), now: 1700000000 }),
  () => ({ op: 'inspect', evidence: getquote }),
  () => ({ op: 'inspect', evidence: rd('dcap/sgx_quote').toString('hex') }),
];

// ---- mutations ----
const HEX = '0123456789abcdef';
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0xffffffff];
// Numbers JSON.stringify cannot write: spliced into the request text in place of their placeholder strings.
const RAW_NUMBERS = ['1e308', '-1e308', '1e999', '-1e999', '9007199254740993', '18446744073709551616', '-0', '1.5e-320',
  '4294967296', '-4294967297', '0.5', '123456789012345678901234567890'];
/** @type {string[]} */
let raws = [];
const raw = (/** @type {string} */ text) => { raws.push(text); return `\u0001RAW${raws.length - 1}\u0001`; };

/** Binary mutation of bytes (the quote, a CRL). @param {Buffer} b */
function mutateBytes(b) {
  b = Buffer.from(b);
  switch (int(6)) {
    case 0: for (let k = 1 + int(4); k-- > 0 && b.length;) b[int(b.length)] ^= 1 << int(8); break;
    case 1: for (let k = 1 + int(8); k-- > 0 && b.length;) b[int(b.length)] = int(256); break;
    case 2: if (b.length >= 4) { // an integer field: a header, a length, a certification data type
      const at = chance(0.7) ? int(Math.min(b.length - 4, 64)) : int(b.length - 3);
      const v = pick(INTERESTING);
      if (chance(0.5)) b.writeUInt16LE(v & 0xffff, at); else b.writeUInt32LE(v >>> 0, at);
    } break;
    case 3: b = b.subarray(0, int(b.length + 1)); break;
    case 4: b = Buffer.concat([b, Buffer.alloc(int(64), int(256))]); break;
    default: { // DER: a length byte turned long-form / indefinite
      if (b.length > 2) b[1 + int(Math.min(b.length - 1, 40))] = pick([0x80, 0x81, 0x82, 0x84, 0xff, 0x00]);
    }
  }
  return b;
}

/** A string mutation. @param {string} s */
function mutateString(s) {
  if (/^(0x)?[0-9a-fA-F]*$/.test(s) && s.length >= 16 && chance(0.7)) {
    const pre = s.startsWith('0x') ? '0x' : '';
    const body = pre ? s.slice(2) : s;
    const bytes = mutateBytes(Buffer.from(body.length % 2 ? body.slice(0, -1) : body, 'hex'));
    let h = bytes.toString('hex');
    if (chance(0.1)) h = h.slice(0, -1); // odd length
    if (chance(0.1)) h = h.toUpperCase();
    return pre + h;
  }
  if (s.length > 2 && chance(0.4) && /^[\[{]/.test(s)) { // a JSON text inside a string
    try { return JSON.stringify(mutateTree(JSON.parse(s), 1 + int(2))); } catch { /* not JSON */ }
  }
  switch (int(7)) {
    case 0: { const i = int(s.length + 1); return s.slice(0, i) + pick(['g', 'Z', '"', '\\', '\u0000', '\ud800', '\uffff', 'é', ' ']) + s.slice(i + 1); }
    case 1: return s.slice(0, int(s.length + 1));
    case 2: return s + s;
    case 3: return '';
    case 4: return pick(['-----BEGIN CERTIFICATE-----\n', '-----END CERTIFICATE-----', '{}', '[]', 'null', '0x', 'ZZ',
      'UpToDate', 'Revoked', '2025-13-40T99:99:99Z', 'system-ready', '${VAR}', 'image: x@sha256:' + '0'.repeat(64)]);
    case 5: { const i = int(s.length); return s.slice(0, i) + HEX[int(16)] + s.slice(i); }
    default: return s.split('').reverse().join('');
  }
}

/** A replacement value of another type. @param {any} v */
function swapType(v) {
  const options = [
    () => null, () => true, () => false, () => 0, () => -1, () => 255, () => 256, () => 3.5, () => '', () => 'x',
    () => [], () => ({}), () => [v], () => ({ v }), () => raw(pick(RAW_NUMBERS)),
    () => (typeof v === 'string' ? [...Buffer.from(v.slice(0, 4096), 'utf8')] : String(v)),
    () => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? Buffer.from(v).toString('hex') : 'ff'),
  ];
  return pick(options)();
}

/** Deep nesting (arrays or objects), spliced raw. */
function deep() {
  const d = pick([8, 40, 63, 64, 65, 100, 1000, 50000]);
  return chance(0.5) ? raw('['.repeat(d) + ']'.repeat(d)) : raw('{"a":'.repeat(d) + '1' + '}'.repeat(d));
}

/** A long string. */
function longString() {
  const n = pick([300, 4096, 65537, 1 << 20]);
  return pick([() => 'A'.repeat(n), () => 'ab'.repeat(n >> 1), () => '\u00e9'.repeat(n >> 1), () => '\\'.repeat(n)])();
}

/** Collect the paths of every node. @param {any} v @param {(string|number)[]} path @param {any[]} out */
function paths(v, path, out) {
  out.push(path);
  if (out.length > 4000) return out;
  if (Array.isArray(v)) {
    // Long byte arrays are mutated as a whole (mutateNode), not element by element.
    if (!(v.length > 64 && v.every((x) => typeof x === 'number'))) v.forEach((x, i) => paths(x, [...path, i], out));
  } else if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) paths(v[k], [...path, k], out);
  }
  return out;
}

/** One mutation of a node. @param {any} v */
function mutateNode(v) {
  const r = int(100);
  if (r < 4) return deep();
  if (r < 8) return longString();
  if (r < 20) return swapType(v);
  if (typeof v === 'string') return mutateString(v);
  if (typeof v === 'number') return pick([v + 1, v - 1, -v, v * 256, v + 0.5, 0, 2 ** 31, 2 ** 32, 2 ** 53, raw(pick(RAW_NUMBERS))]);
  if (Array.isArray(v)) {
    const a = [...v];
    if (a.length > 64 && a.every((x) => typeof x === 'number')) return [...mutateBytes(Buffer.from(a))];
    switch (int(5)) {
      case 0: a.splice(int(a.length), 1); break;
      case 1: if (a.length) a.splice(int(a.length), 0, a[int(a.length)]); break;
      case 2: if (a.length > 1) { const i = int(a.length), j = int(a.length); [a[i], a[j]] = [a[j], a[i]]; } break;
      case 3: a.push(swapType(a[0])); break;
      default: a.length = int(a.length + 1);
    }
    return a;
  }
  if (v && typeof v === 'object') {
    const o = { ...v };
    const keys = Object.keys(o);
    switch (int(4)) {
      case 0: case 1: if (keys.length) delete o[pick(keys)]; break;
      case 2: o[pick(['quote', 'event_log', 'tcb_info', 'collateral', 'app_compose', 'info', 'attestation', 'imr',
        'digest', 'tcbLevels', 'version', 'format', 'nonce', 'pck_crl', 'root_ca_crl', 'x'])] = swapType(null); break;
      default: if (keys.length) { const k = pick(keys); o[k + (chance(0.5) ? '' : ' ')] = o[k]; } // duplicate-ish key
    }
    return o;
  }
  return swapType(v);
}

/** Apply n mutations at random nodes of a tree (returns a new tree). @param {any} tree @param {number} n */
function mutateTree(tree, n) {
  let t = structuredClone(tree);
  for (let k = 0; k < n; k++) {
    const all = paths(t, [], []);
    const path = pick(all);
    if (path.length === 0) { t = mutateNode(t); continue; }
    let parent = t;
    for (const p of path.slice(0, -1)) parent = parent[p];
    parent[path[path.length - 1]] = mutateNode(parent[path[path.length - 1]]);
  }
  return t;
}

/** Serialize, splicing raw tokens (numbers JSON cannot write, deep nesting) in place of their placeholders. @param {any} req */
function serialize(req) {
  const s = JSON.stringify(req);
  return s.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_, i) => raws[Number(i)]);
}

/** One mutated request under the core's 4 MiB input limit (the limit itself is tested in the warm-up; a larger
 * request would only grow memory for the caller's own copy of it): its bytes and op. */
function mutatedRequest() {
  for (;;) {
    const r = mutatedRequestAnySize();
    if (r.bytes.length <= MAX_INPUT) return r;
  }
}

function mutatedRequestAnySize() {
  raws = [];
  const req = pick(TEMPLATES)();
  const n = 1 + int(3);
  const where = int(10);
  if (where < 4 && req.evidence !== undefined) req.evidence = mutateTree(req.evidence, n);
  else if (where < 7 && req.collateral) req.collateral = mutateTree(req.collateral, n);
  else if (where < 8) {
    if (req.evidence !== undefined) req.evidence = mutateTree(req.evidence, 1);
    if (req.collateral) req.collateral = mutateTree(req.collateral, 1);
  } else if (where < 9) Object.assign(req, mutateTree(req, n));
  let bytes = Buffer.from(serialize(req), 'utf8');
  if (where >= 9) { // the request text itself
    bytes = Buffer.from(bytes);
    if (chance(0.5)) for (let k = 1 + int(8); k-- > 0;) bytes[int(bytes.length)] = int(256);
    else bytes = bytes.subarray(0, int(bytes.length));
  }
  return { bytes, op: typeof req.op === 'string' ? req.op : 'verify' };
}

test('WASM core: mutated evidences and collaterals never trap, leak or give an uncoded answer', { timeout: 240_000 }, async (t) => {
  if (!existsSync(WASM)) {
    t.skip(`${WASM} is not built (make wasm)`);
    return;
  }
  await load();
  const start = performance.now();
  /** @type {Record<string, number>} */
  const outcomes = {};
  const note = (/** @type {string} */ k) => { outcomes[k] = (outcomes[k] || 0) + 1; };
  const runOne = (/** @type {Buffer} */ bytes, /** @type {string} */ op, /** @type {string} */ what) => {
    let res;
    try {
      res = runBytes(bytes);
    } catch (e) {
      const head = bytes.subarray(0, 300).toString('utf8');
      throw new Error(`${what}: ${e instanceof Error ? e.message : e} (request of ${bytes.length} bytes starting ${head})`);
    }
    const kind = validate(res, op, what);
    assert.ok(memory() < MEMORY_CAP, `${what}: linear memory ${memory()} bytes`);
    return kind;
  };

  // Warm-up: every template unmutated (they must succeed), the largest inputs, an over-limit request.
  for (const [i, mk] of TEMPLATES.entries()) {
    const req = mk();
    const kind = runOne(Buffer.from(JSON.stringify(req)), req.op, `template ${i}`);
    assert.ok(kind.startsWith('report') || kind === 'inspect', `template ${i} gave ${kind}`);
  }
  // Requests just under the 4 MiB limit, with the long value where the core copies it.
  const fill = MAX_INPUT - 200 * 1024;
  for (const [what, req] of /** @type {[string, any][]} */ ([
    ['app_compose', { op: 'verify', evidence: { ...getquote, app_compose: 'A'.repeat(fill) }, collateral: nearColl, now: NEAR_NOW }],
    ['hex quote', { op: 'verify', evidence: 'ab'.repeat(fill >> 1), collateral: nearColl, now: NEAR_NOW }],
    ['collateral', { op: 'verify', evidence: getquote, collateral: { ...nearColl, tcb_info: 'A'.repeat(fill) }, now: NEAR_NOW }],
    ['event_log', { op: 'verify', evidence: { ...getquote, event_log: 'A'.repeat(fill) }, collateral: nearColl, now: NEAR_NOW }],
  ])) {
    const bytes = Buffer.from(JSON.stringify(req));
    assert.ok(bytes.length <= MAX_INPUT);
    runOne(bytes, 'verify', `a ${bytes.length >> 10} KiB ${what}`);
  }
  const tooBig = Buffer.from(JSON.stringify({ op: 'verify', evidence: 'ab'.repeat(2 << 20) + 'ab', now: NEAR_NOW }));
  assert.equal(runOne(tooBig, 'verify', 'an over-limit request'), 'INPUT_TOO_LARGE');
  for (const d of [64, 65, 100000]) runOne(Buffer.from(`{"op":"verify","now":1,"evidence":${'['.repeat(d)}${']'.repeat(d)}}`), 'verify', `nesting ${d}`);
  const warm = memory();

  // The mutated requests; a sample is kept for the replay below.
  const sample = [];
  let peak = warm;
  for (let i = 0; i < ITERATIONS; i++) {
    const { bytes, op } = mutatedRequest();
    const before = memory();
    note(runOne(bytes, op, `iteration ${i} (seed ${SEED})`));
    if (memory() > before) t.diagnostic(`iteration ${i}: a ${bytes.length}-byte request grew memory ${before >> 10} -> ${memory() >> 10} KiB`);
    peak = Math.max(peak, memory());
    if (i % 80 === 0) sample.push({ bytes, op });
  }
  const after = memory();

  // Leak check: the same requests again and again must not grow memory at all.
  for (const s of sample) runOne(s.bytes, s.op, 'replay');
  const replay1 = memory();
  for (let round = 0; round < 4; round++) for (const s of sample) runOne(s.bytes, s.op, `replay round ${round + 2}`);
  const replayN = memory();

  const secs = ((performance.now() - start) / 1000).toFixed(1);
  t.diagnostic(`${ITERATIONS} mutated requests in ${secs} s (seed ${SEED}); memory: warm-up ${warm >> 10} KiB, peak ${peak >> 10} KiB, ` +
    `end ${after >> 10} KiB, replay ${replay1 >> 10} -> ${replayN >> 10} KiB`);
  if (cache && typeof ex.cv_cache_get_stat === 'function')
    t.diagnostic(`cache: ${['lookups', 'hits', 'stale', 'stores', 'signatures verified', 'signatures reused']
      .map((k, i) => `${k} ${ex.cv_cache_get_stat(cache, i)}`).join(', ')}`);
  t.diagnostic(`outcomes: ${Object.entries(outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  assert.ok(after <= warm + GROWTH_MARGIN, `memory grew from ${warm} to ${after} bytes after warm-up`);
  assert.equal(replayN, replay1, `memory grew from ${replay1} to ${replayN} bytes replaying the same ${sample.length} requests (a leak)`);
  // The mutations must reach past the request parser: most answers are reports.
  const reports = Object.entries(outcomes).filter(([k]) => k.startsWith('report')).reduce((n, [, v]) => n + v, 0);
  assert.ok(reports > ITERATIONS / 3, `only ${reports} of ${ITERATIONS} mutated requests got as far as a report`);
});

// The worst case of the 4 MiB input limit: the core's JSON tree costs ~50 bytes per value, so a request made of
// nothing but tiny values ("0,") would grow linear memory ~28-fold; the core counts values before parsing and
// refuses more than 262144 (INPUT_TOO_LARGE). Measured on a fresh instance, which must keep working afterwards.
test('WASM core: the worst-case 4 MiB requests stay bounded and leave the instance usable', { timeout: 120_000 }, async (t) => {
  if (!existsSync(WASM)) {
    t.skip(`${WASM} is not built (make wasm)`);
    return;
  }
  await load();
  const fill = MAX_INPUT - 64 * 1024;
  const cases = /** @type {[string, string][]} */ ([
    ['a quote as a byte array of 255s', JSON.stringify({ op: 'verify', evidence: Array(fill >> 2).fill(255), now: NEAR_NOW })],
    ['an array of 0s', `{"op":"verify","now":1,"evidence":{"x":[${'0,'.repeat(fill >> 1)}0]}}`],
    ['an array of empty arrays', `{"op":"verify","now":1,"evidence":{"x":[${'[],'.repeat(fill / 3 | 0)}0]}}`],
    ['an object of short keys', `{"op":"verify","now":1,"evidence":{${Array.from({ length: fill / 10 | 0 }, (_, i) => `"${i.toString(36)}":0`).join(',')}}}`],
  ]);
  for (const [what, text] of cases) {
    const bytes = Buffer.from(text);
    assert.ok(bytes.length <= MAX_INPUT, what);
    const res = runBytes(bytes);
    validate(res, 'verify', what);
    assert.equal(res.error && res.error.code, 'INPUT_TOO_LARGE', what);
    t.diagnostic(`${what}: ${bytes.length >> 10} KiB -> memory ${memory() >> 20} MiB (${res.error ? res.error.code : res.verdict})`);
    assert.ok(memory() <= WORST_CASE_CAP, `${what}: linear memory ${memory() >> 20} MiB`);
  }
  // Still a working verifier.
  const res = runBytes(Buffer.from(JSON.stringify(TEMPLATES[0]())));
  // The NEAR sample warns only os.image OS_IMAGE_UNVERIFIED (it carries no vm_config or manifest).
  assert.equal(validate(res, 'verify', 'after the worst cases'), 'report:warn');
});
