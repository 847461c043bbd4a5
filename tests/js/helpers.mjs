// Shared helpers of the JS tests (not a test file: node --test runs *.test.mjs only).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'js/cli.js');
export const VEC = join(ROOT, 'tests/vectors/dstack');
export const NOW = 1788000000;
export const vec = (/** @type {string} */ name) => readFileSync(join(VEC, name), 'utf8');
export const vecJson = (/** @type {string} */ name) => JSON.parse(vec(name));

export const CHECK_ORDER = [
  'quote.format', 'hardware.signature', 'collateral.validity', 'tcb.status', 'td.attributes', 'eventlog.replay',
  'os.image', 'app.compose_hash', 'freshness.nonce', 'report_data.binding', 'app.images_pinned', 'app.provenance',
  'policy.measurements', 'governance.onchain',
];

/**
 * Runs the CLI (or another Node script) asynchronously, so that mock servers in this process keep serving.
 * @param {string[]} args
 * @param {{input?: string | Uint8Array, env?: Record<string, string>, cwd?: string, cmd?: string[], onStdout?: (chunk: string, child: import('node:child_process').ChildProcess) => void, onStderr?: (chunk: string, child: import('node:child_process').ChildProcess) => void}} [opts]
 * @returns {Promise<{code: number | null, signal: string | null, stdout: string, stderr: string}>}
 */
export function run(args, opts = {}) {
  return new Promise((resolve, reject) => {
    const cmd = opts.cmd ?? [process.execPath, CLI];
    const child = spawn(cmd[0], [...cmd.slice(1), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; if (opts.onStdout) opts.onStdout(d, child); });
    child.stderr.on('data', (d) => { stderr += d; if (opts.onStderr) opts.onStderr(d, child); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** A port with nothing listening. */
export async function deadPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r(undefined)));
  const port = /** @type {any} */ (s.address()).port;
  await new Promise((r) => s.close(() => r(undefined)));
  return port;
}

/** A temporary directory removed after the test. @param {import('node:test').TestContext} t */
export function tempDir(t) {
  const d = mkdtempSync(join(tmpdir(), 'cvm-verify-test-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** @param {any} report @param {string} id */
export function check(report, id) {
  const c = report.checks.find((/** @type {any} */ x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in the report`);
  return c;
}

/** Asserts the report has the interface.md section 1 schema. @param {any} r @param {typeof import('node:assert/strict')} assert */
export function assertReportSchema(r, assert) {
  assert.equal(r.schema, 'cvm-verify/report/v1');
  assert.ok(['pass', 'warn', 'fail'].includes(r.verdict), r.verdict);
  assert.equal(typeof r.verified_at, 'number');
  assert.equal(typeof r.verifier.version, 'string');
  assert.match(r.verifier.wasm_sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(r.checks.map((/** @type {any} */ c) => c.id), CHECK_ORDER);
  for (const c of r.checks) {
    assert.ok(['pass', 'warn', 'fail', 'skip'].includes(c.status), `${c.id} status ${c.status}`);
    assert.equal(typeof c.code, 'string');
    assert.equal(typeof c.message, 'string');
    assert.ok(c.message.length > 0, `${c.id} has a message`);
    assert.equal(typeof c.enforced, 'boolean');
    if (c.status === 'pass') assert.equal(c.code, 'OK', `${c.id} passes with OK`);
  }
  const enforcedFail = r.checks.some((/** @type {any} */ c) => c.enforced && c.status === 'fail');
  const warn = r.checks.some((/** @type {any} */ c) => c.status === 'warn');
  const unenforcedFail = r.checks.some((/** @type {any} */ c) => !c.enforced && c.status === 'fail');
  if (enforcedFail) assert.equal(r.verdict, 'fail', 'an enforced failure fails the verdict');
  else if (warn) assert.equal(r.verdict, 'warn', 'a warning without failure warns');
  else if (unenforcedFail) assert.ok(r.verdict === 'warn' || r.verdict === 'pass', 'an unenforced failure does not fail the verdict');
  else assert.equal(r.verdict, 'pass');
}

export { join };
