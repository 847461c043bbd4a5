#!/usr/bin/env node
// npm's prepack hook (package.json "scripts.prepack"): a package without the WASM core installs fine and then
// fails at run time, so `npm pack` / `npm publish` must either build the core or refuse.
//
// It runs `make pack-core`, i.e. `make wasm` after fetching the C sources (a no-op when the core is up to
// date; in a fresh clone it installs what is missing and builds), then checks that js/cvm-verify.wasm
// exists and that its SHA-256 is the one js/wasm-sha256.js records, since the loader refuses any other module. Everything is written to stderr: `npm pack --json`
// prints its JSON on stdout. MAKE names the make program (tests set it to `false` to take the refusal path).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WASM = join(ROOT, 'js/cvm-verify.wasm');
const SHA_FILE = join(ROOT, 'js/wasm-sha256.js');

/** @param {string} why */
function refuse(why) {
  process.stderr.write(`\ncvm-verify prepack: refusing to pack: ${why}\n` +
    'The package needs the WebAssembly core (js/cvm-verify.wasm and js/wasm-sha256.js). Build it with\n' +
    '  make pack-core     (or: make deps wasm)\n' +
    'in the repository (on Debian it installs emscripten and the sources it needs; see README "Set up"),\n' +
    'then run npm pack again.\n\n');
  process.exit(1);
}

const make = process.env.MAKE || 'make';
process.stderr.write(`cvm-verify prepack: ${make} pack-core\n`);
const built = spawnSync(make, ['pack-core'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
if (built.error || built.status !== 0) {
  const why = built.error ? `${make} could not run (${built.error.message})` : `"${make} pack-core" failed (exit ${built.status})`;
  refuse(why);
}
if (!existsSync(WASM)) refuse('js/cvm-verify.wasm is missing after the build');
if (!existsSync(SHA_FILE)) refuse('js/wasm-sha256.js is missing after the build');
const recorded = /WASM_SHA256 = "([0-9a-f]{64})"/.exec(readFileSync(SHA_FILE, 'utf8'));
const actual = createHash('sha256').update(readFileSync(WASM)).digest('hex');
if (!recorded) refuse('js/wasm-sha256.js does not record a SHA-256');
else if (recorded[1] !== actual) refuse(`js/cvm-verify.wasm (sha256 ${actual}) is not the module js/wasm-sha256.js records (${recorded[1]})`);
process.stderr.write(`cvm-verify prepack: core ready (sha256 ${actual})\n`);
