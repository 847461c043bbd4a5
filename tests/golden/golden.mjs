// The golden comparison (tests/golden/README.md): every request the test suites send to the core, with the
// response the core gave before the issue-12 refactor. Shared by tests/js/golden.test.mjs and `node
// tests/golden/golden.mjs --update`.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
export const NATIVE = join(ROOT, 'build/native/cvm-verify-native');
export const REQUESTS = join(HERE, 'requests.jsonl.br');
export const RESPONSES = join(HERE, 'responses.jsonl.br');

/** @param {string} p */
const readLines = (p) => brotliDecompressSync(readFileSync(p)).toString('utf8').split('\n').filter((l) => l.length);
/** @param {string} p @param {string[]} lines */
const writeLines = (p, lines) => writeFileSync(p, brotliCompressSync(Buffer.from(lines.join('\n') + '\n'), {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 },
}));

export const requests = () => readLines(REQUESTS);
export const goldenResponses = () => readLines(RESPONSES);

/** Every golden request through the native runner (one process): the responses, one per request. */
export function currentResponses() {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-golden-'));
  try {
    const file = join(dir, 'requests.jsonl');
    writeFileSync(file, requests().join('\n') + '\n');
    return execFileSync(NATIVE, ['--lines', file], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').filter((l) => l.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--update') {
  const out = currentResponses();
  writeLines(RESPONSES, out);
  console.log(`wrote ${out.length} responses to ${RESPONSES}`);
} else if (process.argv[2] === '--import-requests') {
  // One request per line (e.g. captured from a test run); duplicates dropped, order kept.
  const seen = new Set();
  const lines = readFileSync(process.argv[3], 'utf8').split('\n').filter((l) => l.length && !seen.has(l) && seen.add(l));
  writeLines(REQUESTS, lines);
  console.log(`wrote ${lines.length} requests to ${REQUESTS}`);
}
