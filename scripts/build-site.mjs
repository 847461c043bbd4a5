#!/usr/bin/env node
// Assembles the static site of the verifier page and badge for any static host (docs/hosting.md):
//   node scripts/build-site.mjs [--out build/site]
// Layout (the one scripts/serve.mjs serves): web/ (page, badge), js/ (API, loader, the WASM core), and
//   index.html        a redirect to web/ (no script)
//   _headers          the response headers, for hosts that read this file (Netlify, Cloudflare Pages)
//   .nojekyll         GitHub Pages: serve the files as they are
// Hosts that cannot send headers (GitHub Pages) still get the page's Content-Security-Policy: it is added to
// the copies of the HTML files as a <meta http-equiv> (without frame-ancestors, which only a header can carry).
// Refuses without a built core whose SHA-256 is the one js/wasm-sha256.js records (run make wasm first).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP } from './serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The policy for a <meta http-equiv>: frame-ancestors is ignored there (browsers warn), so it is left out. */
export const META_CSP = CSP.split(';').map((d) => d.trim()).filter((d) => d && !d.startsWith('frame-ancestors')).join('; ');

/** The headers every response should carry (docs/hosting.md explains each). */
export const HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // The badge is embedded on other sites: its module scripts and the WASM are then cross-origin requests.
  'Access-Control-Allow-Origin': '*',
  // Revalidate everything: js/wasm-sha256.js and js/cvm-verify.wasm must always come from the same build.
  'Cache-Control': 'no-cache',
};

/** @param {string} msg */
function die(msg) {
  process.stderr.write(`build-site: ${msg}\n`);
  process.exit(1);
}

/**
 * @param {string} out the site directory (replaced)
 * @returns {string[]} the files written, relative to out
 */
export function buildSite(out) {
  const wasm = join(ROOT, 'js/cvm-verify.wasm');
  const shaFile = join(ROOT, 'js/wasm-sha256.js');
  if (!existsSync(wasm) || !existsSync(shaFile)) die('js/cvm-verify.wasm is not built: run make wasm first');
  const recorded = /WASM_SHA256 = "([0-9a-f]{64})"/.exec(readFileSync(shaFile, 'utf8'));
  const actual = createHash('sha256').update(readFileSync(wasm)).digest('hex');
  if (!recorded || recorded[1] !== actual) die('js/cvm-verify.wasm is not the module js/wasm-sha256.js records: run make wasm again');

  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'js'), { recursive: true });
  cpSync(join(ROOT, 'web'), join(out, 'web'), { recursive: true });
  for (const f of readdirSync(join(ROOT, 'js'))) {
    if (f.endsWith('.js') || f === 'cvm-verify.wasm' || f === 'cvm-verify-badge.wasm' || f === 'index.d.ts') cpSync(join(ROOT, 'js', f), join(out, 'js', f));
  }
  // The Sigstore trusted root, fetched by js/provenance.js only when provenance is checked (../data from js/).
  mkdirSync(join(out, 'data/sigstore'), { recursive: true });
  cpSync(join(ROOT, 'data/sigstore/trusted_root.json'), join(out, 'data/sigstore/trusted_root.json'));
  const meta = `<meta http-equiv="Content-Security-Policy" content="${META_CSP}">`;
  for (const f of readdirSync(join(out, 'web')).filter((n) => n.endsWith('.html'))) {
    const p = join(out, 'web', f);
    const html = readFileSync(p, 'utf8');
    if (!/<meta charset="utf-8">/i.test(html)) die(`web/${f} has no <meta charset="utf-8"> to put the policy after`);
    writeFileSync(p, html.replace(/<meta charset="utf-8">/i, (m) => `${m}\n${meta}`));
  }
  writeFileSync(join(out, 'index.html'), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${meta}
<meta http-equiv="refresh" content="0; url=web/">
<title>cvm-verify</title>
</head>
<body><p><a href="web/">cvm-verify: verify a dstack confidential VM</a></p></body>
</html>
`);
  const lines = ['/*', ...Object.entries(HEADERS).map(([k, v]) => `  ${k}: ${v}`), '', '/js/*.wasm', '  Content-Type: application/wasm', ''];
  writeFileSync(join(out, '_headers'), lines.join('\n'));
  writeFileSync(join(out, '.nojekyll'), '');
  /** @type {string[]} */
  const files = [];
  const walk = (/** @type {string} */ d, /** @type {string} */ rel) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), rel + e.name + '/');
      else files.push(rel + e.name);
    }
  };
  walk(out, '');
  return files.sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  let out = join(ROOT, 'build/site');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && i + 1 < argv.length) out = resolve(argv[++i]);
    else die(`usage: node scripts/build-site.mjs [--out DIR] (unknown argument ${argv[i]})`);
  }
  const files = buildSite(out);
  process.stdout.write(`build-site: ${files.length} files in ${out}\n`);
}
