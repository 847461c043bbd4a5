// Preload (node --import) for tests/js/cache.test.mjs: makes every cvm-verify module instantiated in this
// process answer cv_run with cv_run_cached on one cache shared by all requests, so that a whole test file (the
// forged-PKI negative matrix) runs warm, unchanged. Prints the cache counters to stderr at exit.
const instantiate = WebAssembly.instantiate;
/** @type {Array<() => number[]>} */
const caches = [];
WebAssembly.instantiate = /** @type {any} */ (async function (/** @type {any[]} */ ...args) {
  const res = await /** @type {any} */ (instantiate).apply(WebAssembly, args);
  const instance = res.instance ?? res;
  const ex = instance.exports;
  if (typeof ex.cv_run_cached !== 'function') return res;
  const cache = ex.cv_cache_new();
  caches.push(() => [0, 1, 2, 3, 4, 5].map((i) => ex.cv_cache_get_stat(cache, i)));
  // A copy (instance exports are frozen) whose cv_run is cv_run_cached on the shared cache.
  const exports = { ...ex, cv_run: (/** @type {number} */ p, /** @type {number} */ n) => ex.cv_run_cached(cache, p, n) };
  return res.instance ? { module: res.module, instance: { exports } } : { exports };
});
process.on('exit', () => process.stderr.write(`CVM_CACHE_STATS ${JSON.stringify(caches.map((f) => f()))}\n`));
