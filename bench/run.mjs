// make bench: cvm-verify against the peer verifiers, in one Node process, on the real vectors.
//
//   node bench/run.mjs            (make bench builds the WASM and the native driver first)
//   BENCH_ROUNDS=40 BENCH_WARMUP=10 node bench/run.mjs
//
// Timed, per vector, interleaved (each round runs every implementation once, in a rotating order), after a
// warm-up: cvm-verify's WASM through its loader (js/wasm.js) cold (no cache: the collateral verified from
// scratch) and warm (the instance cache has verified this collateral before); @phala/dcap-qvl-web (Rust compiled
// to WASM) and @phala/dcap-qvl (JS) in Node, where it verifies signatures with node:crypto (OpenSSL), and with
// its browser code path (elliptic and hash.js, what a browser runs). The native build (bench/native_bench.c,
// -O2, no sanitizers) runs in a child process, cold and warm alternately. Each timing is one whole verification
// of a JS object request to a JS object answer, as a caller sees it.
//
// "Warm" re-verifies the same quote: cvm-verify never caches the quote signature, so this is exactly the work of
// the next quote of the same CVM (same PCK leaf, same QE report; a fresh nonce only changes the signed body).
//
// Also: load (compile + instantiate) times in fresh child processes, artifact sizes (raw, gzip -9, brotli), and
// the WASM linear memory after verifying (memory only grows, so that is the peak). Prints one table and writes
// bench/results.json. Timings are medians with the 10th-90th percentile range; the machine is shared, so expect
// some noise (the load average is recorded).
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { join, dirname, resolve as resolvePath } from 'node:path';
import { tmpdir, loadavg, cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS || 40);
const WARMUP = Number(process.env.BENCH_WARMUP || 10);
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS || 5);
const require = createRequire(import.meta.url);
const WEB_DIR = join(ROOT, 'node_modules/@phala/dcap-qvl-web');
const JS_DIR = join(ROOT, 'node_modules/@phala/dcap-qvl');
const NATIVE = join(ROOT, 'build/bench/native_bench');
const WASM_FILE = join(ROOT, 'js/cvm-verify.wasm');

// ---- child mode: one load-time sample (a fresh process, so no compiled code is reused) ----
if (process.argv[2] === '--load-sample') {
  const which = process.argv[3];
  const t0 = performance.now();
  if (which === 'cvm-verify') {
    const bytes = readFileSync(WASM_FILE);
    const t1 = performance.now();
    const module = await WebAssembly.compile(bytes);
    const t2 = performance.now();
    const instance = await WebAssembly.instantiate(module, { env: { emscripten_notify_memory_growth() {} }, wasi_snapshot_preview1: {} });
    /** @type {any} */ (instance.exports)._initialize();
    /** @type {any} */ (instance.exports).cv_cache_new();
    const t3 = performance.now();
    const { loadCore } = await import(pathToFileURL(join(ROOT, 'js/wasm.js')).href);
    const t4 = performance.now();
    await loadCore();
    const t5 = performance.now();
    console.log(JSON.stringify({ read: t1 - t0, compile: t2 - t1, instantiate: t3 - t2, loader: t5 - t4 }));
  } else if (which === 'dcap-qvl-web') {
    const bytes = readFileSync(join(WEB_DIR, 'dcap-qvl-web_bg.wasm'));
    const t1 = performance.now();
    const module = await WebAssembly.compile(bytes);
    const t2 = performance.now();
    const web = await import(pathToFileURL(join(WEB_DIR, 'dcap-qvl-web.js')).href);
    const t3 = performance.now();
    web.initSync({ module });
    const t4 = performance.now();
    console.log(JSON.stringify({ read: t1 - t0, compile: t2 - t1, instantiate: t4 - t3, loader: t4 - t0 }));
  } else {
    if (which === 'dcap-qvl-browser') /** @type {any} */ (globalThis).window = {};
    require(JS_DIR);
    console.log(JSON.stringify({ loader: performance.now() - t0 }));
  }
  process.exit(0);
}

// ---- vectors ----
const VEC = join(ROOT, 'tests/vectors');
const vectors = [
  { id: 'tdx_quote', quote: readFileSync(join(VEC, 'dcap/tdx_quote')), collateral: 'dcap/tdx_quote_collateral.json', now: 1752919234 },
  { id: 'sgx_quote', quote: readFileSync(join(VEC, 'dcap/sgx_quote')), collateral: 'dcap/sgx_quote_collateral.json', now: 1752919277 },
  { id: 'near-mpc', quote: Buffer.from(JSON.parse(readFileSync(join(VEC, 'dstack/near-mpc_quote.json'), 'utf8'))), collateral: 'dstack/near-mpc_collateral.json', now: 1788000000 },
].map((v) => ({ ...v, collateralText: readFileSync(join(VEC, v.collateral), 'utf8') }));
// The monitoring workload (issue 17): two real quotes from different machines of one FMSPC (Intel's tdx_quote
// and the NEAR MPC CVM's), alternating, checked against one collateral (near-mpc's, valid at 1788000000): every
// call of every implementation gets the other quote than its previous call (5 implementations per round, an odd
// number, in a rotating order), so "warm" is a cache that holds both platforms, never the same quote twice.
// The collateral is the FMSPC's, without near-mpc's recorded pck_certificate_chain (one machine's own chain; the
// quotes carry theirs, and @phala/dcap-qvl would check the other machine's QE report against it).
{
  const quotes = [readFileSync(join(VEC, 'dcap/tdx_quote')), vectors[2].quote];
  const shared = JSON.parse(vectors[2].collateralText);
  delete shared.pck_certificate_chain;
  let calls = 0;
  vectors.push({
    id: 'monitoring', collateral: 'dstack/near-mpc_collateral.json', now: 1788000000, collateralText: JSON.stringify(shared),
    alternating: true,
    get quote() { return quotes[calls++ % 2]; },
    restart() { calls = 0; },
  });
}
/** A fresh collateral object per call, as a caller that fetched it would pass. */
const collateralOf = (/** @type {any} */ v) => JSON.parse(v.collateralText);
const requestOf = (/** @type {any} */ v) => ({ op: 'verify', evidence: v.quote.toString('hex'), collateral: collateralOf(v), now: v.now });

// ---- implementations ----
const { run, loadCore } = await import(pathToFileURL(join(ROOT, 'js/wasm.js')).href);
await loadCore();
const web = await import(pathToFileURL(join(WEB_DIR, 'dcap-qvl-web.js')).href);
const webExports = web.initSync({ module: readFileSync(join(WEB_DIR, 'dcap-qvl-web_bg.wasm')) });
const webMemoryInitial = webExports.memory.buffer.byteLength;
const qvlNode = require(JS_DIR);
// The browser code path of @phala/dcap-qvl: it picks it when `window` exists at load time.
for (const k of Object.keys(require.cache)) if (k.startsWith(JS_DIR)) delete require.cache[k];
/** @type {any} */ (globalThis).window = {};
const qvlBrowser = require(JS_DIR);
delete /** @type {any} */ (globalThis).window;
const webVersion = JSON.parse(readFileSync(join(WEB_DIR, 'package.json'), 'utf8')).version;
const jsVersion = JSON.parse(readFileSync(join(JS_DIR, 'package.json'), 'utf8')).version;
const ourVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

const hw = (/** @type {any} */ r) => r.checks.find((/** @type {any} */ c) => c.id === 'hardware.signature');
/** What an implementation concluded, for the table: the TCB status, or the error. */
const IMPLS = [
  {
    key: 'cold', name: 'cvm-verify WASM, cold (no cache)',
    fn: (/** @type {any} */ v) => run(requestOf(v), { cache: false }),
    outcome: (/** @type {any} */ r) => (hw(r).status === 'pass' ? r.tcb.status : `${hw(r).code}`),
  },
  {
    key: 'warm', name: 'cvm-verify WASM, warm (collateral cached)',
    fn: (/** @type {any} */ v) => run(requestOf(v)),
    outcome: (/** @type {any} */ r) => (hw(r).status === 'pass' ? r.tcb.status : `${hw(r).code}`),
  },
  {
    key: 'web', name: `@phala/dcap-qvl-web ${webVersion} (Rust→WASM)`,
    fn: (/** @type {any} */ v) => web.js_verify(new Uint8Array(v.quote), collateralOf(v), BigInt(v.now)),
    outcome: (/** @type {any} */ r) => r.status,
  },
  {
    key: 'js_node', name: `@phala/dcap-qvl ${jsVersion} (JS; Node: node:crypto)`,
    fn: (/** @type {any} */ v) => qvlNode.verify(Buffer.from(v.quote), collateralOf(v), v.now),
    outcome: (/** @type {any} */ r) => r.status,
  },
  {
    key: 'js_browser', name: `@phala/dcap-qvl ${jsVersion} (JS; browser path: elliptic)`,
    fn: (/** @type {any} */ v) => qvlBrowser.verify(Buffer.from(v.quote), collateralOf(v), v.now),
    outcome: (/** @type {any} */ r) => r.status,
  },
];

const q = (/** @type {number[]} */ xs, /** @type {number} */ p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
};
const stats = (/** @type {number[]} */ xs) => ({ median: q(xs, 0.5), p10: q(xs, 0.1), p90: q(xs, 0.9), n: xs.length });

const load0 = loadavg()[0];
const started = new Date().toISOString();
/** @type {Record<string, any>} */
const timings = {};
for (const v of vectors) {
  timings[v.id] = {};
  // What each one concludes (an error is reported, not dropped).
  for (const impl of IMPLS) {
    try {
      v.restart?.(); // the alternating workload: both quotes' outcomes, in the same order for everyone
      const outcome = v.alternating ? `${impl.outcome(await impl.fn(v))} + ${impl.outcome(await impl.fn(v))}` : impl.outcome(await impl.fn(v));
      timings[v.id][impl.key] = { outcome, samples: [], cpu: [] };
    } catch (e) {
      timings[v.id][impl.key] = { outcome: null, error: String(e instanceof Error ? e.message : e).slice(0, 160), samples: [] };
    }
  }
  const live = IMPLS.filter((impl) => !timings[v.id][impl.key].error);
  for (let round = -WARMUP; round < ROUNDS; round++) {
    for (let k = 0; k < live.length; k++) {
      const impl = live[(k + round + WARMUP) % live.length]; // rotate the order: A B C, B C A, ...
      const t0 = performance.now();
      const u0 = process.cpuUsage();
      await impl.fn(v);
      const u = process.cpuUsage(u0);
      const dt = performance.now() - t0;
      if (round >= 0) {
        timings[v.id][impl.key].samples.push(dt);
        // CPU time (user + system) excludes the time this process waited for a CPU: on a shared host it keeps
        // the ratios honest when wall-clock medians are inflated by other jobs.
        timings[v.id][impl.key].cpu.push((u.user + u.system) / 1000);
      }
    }
  }
  for (const impl of live) {
    const t = timings[v.id][impl.key];
    Object.assign(t, stats(t.samples), { cpu_median: stats(t.cpu).median });
  }
}

// ---- native (child process; cold and warm alternate inside it) ----
/** @type {Record<string, any>} */
let native = {};
if (existsSync(NATIVE)) {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-bench-'));
  try {
    const nativeVectors = vectors.filter((v) => !v.alternating); // native_bench times one request per file
    const files = nativeVectors.map((v) => {
      const f = join(dir, `${v.id}.json`);
      writeFileSync(f, JSON.stringify(requestOf(v)));
      return f;
    });
    const r = spawnSync(NATIVE, [String(ROUNDS), String(WARMUP), ...files], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`native_bench failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    nativeVectors.forEach((v, i) => {
      const o = out[files[i]];
      native[v.id] = { cold: stats(o.cold_ms), warm: stats(o.warm_ms), identical: o.identical, hits: o.hits };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  native = { error: `${NATIVE} is not built (make bench builds it)` };
}

// ---- load times (fresh processes) ----
/** @type {Record<string, any>} */
const load = {};
for (const which of ['cvm-verify', 'dcap-qvl-web', 'dcap-qvl-node', 'dcap-qvl-browser']) {
  const samples = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--load-sample', which], { encoding: 'utf8' });
    if (r.status === 0) samples.push(JSON.parse(r.stdout.trim().split('\n').pop() || '{}'));
  }
  /** @type {Record<string, number>} */
  const med = {};
  for (const k of Object.keys(samples[0] || {})) med[k] = q(samples.map((s) => s[k]), 0.5);
  load[which] = med;
}

// ---- memory ----
/** Linear memory of a fresh instance of our module after verifying v cold, then warm. */
async function ourMemory(/** @type {any} */ v) {
  const { instance } = await WebAssembly.instantiate(readFileSync(WASM_FILE), { env: { emscripten_notify_memory_growth() {} }, wasi_snapshot_preview1: {} });
  const ex = /** @type {any} */ (instance.exports);
  ex._initialize();
  const initial = ex.memory.buffer.byteLength;
  const cache = ex.cv_cache_new();
  const req = new TextEncoder().encode(JSON.stringify(requestOf(v)));
  for (const warm of [false, true, true]) {
    const p = ex.cv_alloc(req.length);
    new Uint8Array(ex.memory.buffer, p, req.length).set(req);
    const r = warm ? ex.cv_run_cached(cache, p, req.length) : ex.cv_run(p, req.length);
    ex.cv_free(p);
    ex.cv_free(r);
  }
  return { initial, after: ex.memory.buffer.byteLength, request_bytes: req.length };
}
/** @type {Record<string, any>} */
const memory = { cvm_verify: {}, dcap_qvl_web: { initial: webMemoryInitial, after_all: webExports.memory.buffer.byteLength } };
for (const v of vectors.filter((x) => !x.alternating)) memory.cvm_verify[v.id] = await ourMemory(v);

// ---- sizes ----
const sizeOf = (/** @type {Buffer} */ b) => ({
  raw: b.length,
  gzip: gzipSync(b, { level: 9 }).length,
  brotli: brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: b.length } }).length,
});
const cat = (/** @type {string[]} */ files) => Buffer.concat(files.map((f) => readFileSync(f)));

/**
 * The JS files a browser bundle of a CommonJS package would hold: the static require() graph from its entry,
 * honouring package.json "browser" fields (false = left out), as browserify/webpack do. Unminified.
 * @param {string} entry
 */
function requireGraph(entry) {
  const seen = new Set();
  const stack = [entry];
  /** @param {string} dir */
  const pkgOf = (dir) => {
    for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
    return null;
  };
  /** @param {string} p */
  const asFile = (p) => [p, `${p}.js`, `${p}.json`, join(p, 'index.js')].find((f) => existsSync(f) && statSync(f).isFile());
  while (stack.length) {
    const file = /** @type {string} */ (stack.pop());
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    const src = readFileSync(file, 'utf8');
    const pkgDir = pkgOf(dirname(file));
    const pkg = pkgDir ? JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) : {};
    const map = typeof pkg.browser === 'object' && pkg.browser ? pkg.browser : {};
    for (const m of src.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1];
      if (map[spec] === false) continue;
      let target;
      if (spec.startsWith('.')) {
        target = asFile(resolvePath(dirname(file), spec));
        if (target && pkgDir) {
          const rel = `./${target.slice(pkgDir.length + 1)}`;
          if (map[rel] === false) continue;
          if (typeof map[rel] === 'string') target = asFile(join(pkgDir, map[rel]));
        }
      } else {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        let dir = null;
        for (let d = dirname(file); d !== dirname(d); d = dirname(d)) {
          if (existsSync(join(d, 'node_modules', name, 'package.json'))) { dir = join(d, 'node_modules', name); break; }
        }
        if (!dir) continue; // a Node built-in with no browser package: not bundled
        const sub = spec.slice(name.length + 1);
        const p2 = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        const main = sub || (typeof p2.browser === 'string' ? p2.browser : p2.main || 'index.js');
        target = asFile(join(dir, main));
      }
      if (target) stack.push(target);
    }
  }
  return [...seen].filter((f) => f.endsWith('.js'));
}
const jsPeerFiles = requireGraph(join(JS_DIR, 'src/index.js'));
const sizes = {
  cvm_verify_wasm: { what: 'js/cvm-verify.wasm', ...sizeOf(readFileSync(WASM_FILE)) },
  cvm_verify_loader: { what: 'js/wasm.js + js/wasm-sha256.js', ...sizeOf(cat([join(ROOT, 'js/wasm.js'), join(ROOT, 'js/wasm-sha256.js')])) },
  cvm_verify_total: { what: 'WASM + loader (sum of separately compressed files)', raw: 0, gzip: 0, brotli: 0 },
  ...(existsSync(join(ROOT, 'dist/badge.js')) ? { cvm_verify_badge: { what: 'dist/badge.js (make dist: badge + API + loader, minified; the badge loads it and one core)', ...sizeOf(readFileSync(join(ROOT, 'dist/badge.js'))) } } : {}),
  ...(existsSync(join(ROOT, 'js/cvm-verify-badge.wasm')) ? { cvm_verify_badge_wasm: { what: 'js/cvm-verify-badge.wasm (the badge core: no Sigstore, no governance op; docs/performance.md §5)', ...sizeOf(readFileSync(join(ROOT, 'js/cvm-verify-badge.wasm'))) } } : {}),
  cvm_verify_util: { what: 'js/util.js (shared helpers the loader imports, loaded by the whole API anyway)', ...sizeOf(readFileSync(join(ROOT, 'js/util.js'))) },
  dcap_qvl_web_wasm: { what: 'dcap-qvl-web_bg.wasm', ...sizeOf(readFileSync(join(WEB_DIR, 'dcap-qvl-web_bg.wasm'))) },
  dcap_qvl_web_js: { what: 'dcap-qvl-web.js (wasm-bindgen glue)', ...sizeOf(readFileSync(join(WEB_DIR, 'dcap-qvl-web.js'))) },
  dcap_qvl_web_total: { what: 'WASM + glue', raw: 0, gzip: 0, brotli: 0 },
  dcap_qvl_js: {
    what: `its browser require() graph: ${jsPeerFiles.length} files of ${new Set(jsPeerFiles.map((f) => f.split('node_modules/').pop()?.split('/').slice(0, f.includes('/@') ? 2 : 1).join('/'))).size} packages, unminified, concatenated`,
    ...sizeOf(cat(jsPeerFiles)),
  },
};
for (const [total, parts] of /** @type {const} */ ([['cvm_verify_total', ['cvm_verify_wasm', 'cvm_verify_loader']], ['dcap_qvl_web_total', ['dcap_qvl_web_wasm', 'dcap_qvl_web_js']]])) {
  for (const k of /** @type {const} */ (['raw', 'gzip', 'brotli'])) {
    /** @type {any} */ (sizes)[total][k] = parts.reduce((s, p) => s + /** @type {any} */ (sizes)[p][k], 0);
  }
}

// ---- table ----
const ms = (/** @type {any} */ s) => (s && s.median !== undefined ? `${s.median.toFixed(2)} (${s.p10.toFixed(2)}–${s.p90.toFixed(2)})` : '—');
const kb = (/** @type {number} */ n) => `${(n / 1000).toFixed(1)} KB`;
const lines = [];
lines.push(`cvm-verify ${ourVersion} bench: ${started}, Node ${process.version}, ${cpus()[0]?.model ?? '?'} x${cpus().length}, load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
lines.push(`${ROUNDS} interleaved rounds after ${WARMUP} warm-up rounds; ms per verification: median (p10–p90)`);
lines.push('');
const head = ['implementation', ...vectors.map((v) => v.id)];
const rows = [];
for (const impl of IMPLS) {
  rows.push([impl.name, ...vectors.map((v) => {
    const t = timings[v.id][impl.key];
    if (t.error) return `error: ${t.error.slice(0, 60)}`;
    return ms(t);
  })]);
}
if (!native.error) {
  rows.splice(2, 0, ['cvm-verify native (clang -O2), cold', ...vectors.map((v) => (native[v.id] ? ms(native[v.id].cold) : '—'))],
    ['cvm-verify native (clang -O2), warm', ...vectors.map((v) => (native[v.id] ? ms(native[v.id].warm) : '—'))]);
}
rows.push(['TCB status found (all five runs)', ...vectors.map((v) => {
  const found = IMPLS.map((impl) => timings[v.id][impl.key].outcome ?? 'error');
  return new Set(found).size === 1 ? `${found[0]} (all agree)` : found.join(' / ');
})]);
const ratio = (/** @type {string} */ peer, /** @type {string} */ ours) => vectors.map((v) => {
  const a = timings[v.id][peer], b = timings[v.id][ours];
  return a.median && b.median ? `${(a.median / b.median).toFixed(2)}x` : '—';
});
const cpuRatio = (/** @type {string} */ peer, /** @type {string} */ ours) => vectors.map((v) => {
  const a = timings[v.id][peer], b = timings[v.id][ours];
  return a.cpu_median && b.cpu_median ? `${(a.cpu_median / b.cpu_median).toFixed(2)}x` : '—';
});
for (const [peer, label] of [['web', 'dcap-qvl-web'], ['js_node', 'dcap-qvl (Node)'], ['js_browser', 'dcap-qvl (browser path)']]) {
  rows.push([`ratio ${label} / cvm-verify cold`, ...ratio(peer, 'cold')]);
  rows.push([`ratio ${label} / cvm-verify warm`, ...ratio(peer, 'warm')]);
  rows.push([`  same, CPU time: cold | warm`, ...vectors.map((v, i) => `${cpuRatio(peer, 'cold')[i]} | ${cpuRatio(peer, 'warm')[i]}`)]);
}
const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => String(r[i]).length)));
const fmt = (/** @type {string[]} */ r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
lines.push(fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(fmt));
lines.push('');
lines.push('| artifact | raw | gzip -9 | brotli |', '|---|---|---|---|');
for (const s of Object.values(sizes)) lines.push(`| ${s.what} | ${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.brotli)} |`);
lines.push('');
const l = load;
lines.push('| load (fresh process, median of ' + LOAD_RUNS + ') | compile | instantiate | through the loader |', '|---|---|---|---|');
lines.push(`| cvm-verify | ${l['cvm-verify'].compile?.toFixed(1)} ms | ${l['cvm-verify'].instantiate?.toFixed(1)} ms | ${l['cvm-verify'].loader?.toFixed(1)} ms (js/wasm.js loadCore: import, read, SHA-256, compile, instantiate) |`);
lines.push(`| dcap-qvl-web | ${l['dcap-qvl-web'].compile?.toFixed(1)} ms | ${l['dcap-qvl-web'].instantiate?.toFixed(1)} ms | ${l['dcap-qvl-web'].loader?.toFixed(1)} ms (read, compile, import glue, initSync) |`);
lines.push(`| dcap-qvl (Node / browser path) | — | — | ${l['dcap-qvl-node'].loader?.toFixed(1)} / ${l['dcap-qvl-browser'].loader?.toFixed(1)} ms (require) |`);
lines.push('');
const mib = (/** @type {number} */ n) => `${(n / 1048576).toFixed(2)} MiB`;
lines.push('| WASM linear memory | ' + vectors.map((v) => v.id).join(' | ') + ' |', `|---|${vectors.map(() => '---').join('|')}|`);
lines.push(`| cvm-verify (fresh instance: initial → after cold + 2 warm verifications) | ${vectors.map((v) => (memory.cvm_verify[v.id] ? `${mib(memory.cvm_verify[v.id].initial)} → ${mib(memory.cvm_verify[v.id].after)}` : '—')).join(' | ')} |`);
lines.push(`| dcap-qvl-web (one instance: initial → after all runs) | ${mib(memory.dcap_qvl_web.initial)} → ${mib(memory.dcap_qvl_web.after_all)} |${vectors.slice(1).map(() => ' |').join('')}`);
if (!native.error) lines.push('', `native: cold and warm responses identical: ${vectors.filter((v) => native[v.id]).map((v) => `${v.id} ${native[v.id].identical}`).join(', ')}`);
else lines.push('', `native: ${native.error}`);
const table = lines.join('\n');
console.log(table);

writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify({
  started, node: process.version, cpu: cpus()[0]?.model, cpus: cpus().length, loadavg_start: load0, loadavg_end: loadavg()[0],
  rounds: ROUNDS, warmup: WARMUP,
  timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([ik, iv]) => [ik, { ...iv, samples: undefined, cpu: undefined }]))])),
  native, load, sizes, memory, table,
}, null, 2)}\n`);
console.log('\nwrote bench/results.json');
