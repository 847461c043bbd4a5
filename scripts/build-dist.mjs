#!/usr/bin/env node
// make dist: the shipped, minified single-file builds (issue 17, docs/performance.md "Bytes to a verdict").
//
//   dist/badge.js                 the badge (web/badge.js) with the whole API inlined: one request instead of ten
//   dist/index.js                 the API (js/index.js), what the npm package's `exports` points at
//   dist/cvm-verify.<sha16>.wasm  the core, named by its SHA-256 so a host may cache it for ever (immutable)
//   dist/cvm-verify-badge.<sha16>.wasm  the badge core (Sigstore compiled out; docs/performance.md §5), the same way
//
// The WASM's SHA-256 is embedded in both bundles (js/wasm-sha256.js is inlined), so a verdict needs no
// separate request for it; the loader still checks the bytes it gets against it before running them.
// The unbundled sources in js/ and web/ stay what the page and development use: this only rewrites, in the
// bundles, the two URLs that are relative to the module's own location (each rewrite must match exactly once,
// so a renamed constant fails the build instead of shipping a broken link).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/** @param {string} base 'cvm-verify' or 'cvm-verify-badge' @param {string} shaFile @param {string} constName */
function core(base, shaFile, constName) {
  const sha = createHash('sha256').update(readFileSync(join(ROOT, `js/${base}.wasm`))).digest('hex');
  const recorded = new RegExp(`${constName} = "([0-9a-f]{64})"`).exec(readFileSync(join(ROOT, shaFile), 'utf8'))?.[1];
  if (recorded !== sha) throw new Error(`${shaFile} (${recorded}) does not match js/${base}.wasm (${sha}): run make wasm`);
  return { base, sha, name: `${base}.${sha.slice(0, 16)}.wasm` };
}
const full = core('cvm-verify', 'js/wasm-sha256.js', 'WASM_SHA256');
const badge = core('cvm-verify-badge', 'js/wasm-badge-sha256.js', 'WASM_BADGE_SHA256');
const sha = full.sha;

/** @type {Record<string, [string, string][]>} file (relative to ROOT) -> [exact text, replacement] */
const REWRITES = {
  'js/wasm.js': [
    ["new URL('./cvm-verify.wasm', import.meta.url)", `new URL('./${full.name}', import.meta.url)`],
    ["new URL('./cvm-verify-badge.wasm', import.meta.url)", `new URL('./${badge.name}', import.meta.url)`],
  ],
  'web/badge.js': [["new URL('./index.html', import.meta.url)", "new URL('../web/index.html', import.meta.url)"]],
};

/** @type {import('esbuild').Plugin} */
const rewrite = {
  name: 'cvm-verify-rewrite',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const rel = args.path.slice(ROOT.length + 1).split('\\').join('/');
      const rules = REWRITES[rel];
      if (!rules) return undefined;
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of rules) {
        const n = text.split(from).length - 1;
        if (n !== 1) throw new Error(`${rel}: expected "${from}" exactly once, found it ${n} times (update scripts/build-dist.mjs)`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
for (const c of [full, badge]) copyFileSync(join(ROOT, `js/${c.base}.wasm`), join(DIST, c.name));

const common = {
  bundle: true,
  format: /** @type {const} */ ('esm'),
  minify: true,
  target: 'es2022', // top-level await (js/util.js, Node 18 only)
  // Only reached in Node (the loader reads the file; Node 18 without a global Web Crypto): never bundled.
  external: ['node:*'],
  legalComments: /** @type {const} */ ('none'),
  plugins: [rewrite],
  logLevel: /** @type {const} */ ('warning'),
  metafile: true,
};
const results = await Promise.all([
  build({ ...common, entryPoints: [join(ROOT, 'web/badge.js')], outfile: join(DIST, 'badge.js'), platform: 'browser',
    banner: { js: '// cvm-verify badge (minified build of web/badge.js and js/; sources and license: see the repository)' } }),
  build({ ...common, entryPoints: [join(ROOT, 'js/index.js')], outfile: join(DIST, 'index.js'), platform: 'neutral',
    banner: { js: '// cvm-verify API (minified build of js/index.js; sources and license: see the repository)' } }),
]);

// Every input must be inlined: a bundle that still imports a relative module would cost a request.
for (const r of results) {
  for (const [out, meta] of Object.entries(r.metafile.outputs)) {
    const left = meta.imports.filter((i) => !i.path.startsWith('node:'));
    if (left.length) throw new Error(`${out} still imports ${left.map((i) => i.path).join(', ')}`);
  }
}
const { gzipSync } = await import('node:zlib');
const lines = readdirSync(DIST).sort().map((f) => {
  const b = readFileSync(join(DIST, f));
  return `  dist/${f}: ${b.length} bytes, gzip -9 ${gzipSync(b, { level: 9 }).length} bytes`;
});
writeFileSync(join(DIST, '.stamp'), `${sha}\n${badge.sha}\n`);
console.log(`dist (WASM SHA-256 ${sha}, badge core ${badge.sha}):\n${lines.join('\n')}`);
