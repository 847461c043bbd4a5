// make wasm-size: what takes space in the WASM module. Reads a build with function names
// (build/cvm-verify-names.wasm: the production flags plus --profiling-funcs, so the same code), prints the
// sections and the largest functions (from wasm-objdump -h and -d, wabt), and fails when libc code the core must
// not need came in: stdio/printf, libc's strtod (cJSON uses src/jsonnum.c), long-double arithmetic, WASI imports.
//
//   node bench/wasm-size.mjs [module-with-names.wasm] [top N]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const file = process.argv[2] || `${ROOT}build/cvm-verify-names.wasm`;
const top = Number(process.argv[3] || 30);
const objdump = (/** @type {string[]} */ args) => execFileSync('wasm-objdump', [...args, file], { encoding: 'utf8', maxBuffer: 1 << 28 });

const bytes = readFileSync(file);
console.log(`${file}: ${bytes.length} bytes, gzip -9 ${gzipSync(bytes, { level: 9 }).length}`);
const sections = [...objdump(['-h']).matchAll(/^\s*(\w+) start=0x([0-9a-f]+) end=0x([0-9a-f]+) \(size=0x([0-9a-f]+)\)(?: count: (\d+))?(?: "(\S+)")?/gm)]
  .map((m) => ({ name: m[6] ? `${m[1]} "${m[6]}"` : m[1], start: parseInt(m[2], 16), end: parseInt(m[3], 16), count: m[5] }));
console.log('\nsection            bytes   gzip -9 alone');
for (const s of sections) {
  const b = bytes.subarray(s.start, s.end);
  console.log(`${s.name.padEnd(16)} ${String(b.length).padStart(7)} ${String(gzipSync(b, { level: 9 }).length).padStart(9)}${s.count ? `   (${s.count})` : ''}`);
}

const code = sections.find((s) => s.name === 'Code');
const funcs = [];
let prev = null;
for (const m of objdump(['-d']).matchAll(/^([0-9a-f]+) func\[\d+\] <([^>]*)>:/gm)) {
  const at = parseInt(m[1], 16);
  if (prev) funcs.push({ name: prev.name, size: at - prev.at });
  prev = { name: m[2], at };
}
if (prev && code) funcs.push({ name: prev.name, size: code.end - prev.at });
funcs.sort((a, b) => b.size - a.size);
console.log(`\n${funcs.length} functions, ${funcs.reduce((s, f) => s + f.size, 0)} bytes of code; the ${top} largest:`);
for (const f of funcs.slice(0, top)) console.log(`${String(f.size).padStart(7)}  ${f.name}`);

const imports = [...objdump(['-x', '-j', 'Import']).matchAll(/<- (\S+)/g)].map((m) => m[1]);
const forbidden = /printf|fd_write|fwrite|stdout|__stdio|strtod|floatscan|__shgetc|scanexp|tf3$|fmodl|scalbnl|__letf2|__getf2/;
const bad = funcs.map((f) => f.name).filter((n) => forbidden.test(n));
const badImports = imports.filter((i) => i !== 'env.emscripten_notify_memory_growth');
console.log(`\nimports: ${imports.join(', ') || 'none'}`);
if (bad.length || badImports.length) {
  console.error(`unexpected code in the module: ${[...bad, ...badImports].join(', ')}`);
  process.exit(1);
}
console.log('no stdio, printf, libc strtod or long-double code; no WASI imports');
