#!/usr/bin/env node
// The GitHub Action's entry point (action.yml; README "CI/CD"). It runs the CLI (js/cli.js) with the
// inputs GitHub passes as INPUT_* variables, retries only when nothing could be judged (exit 3: network,
// collateral unavailable) and never after a verdict (exit 1) or a usage error (exit 2), then writes the outputs
// ($GITHUB_OUTPUT), the checklist as Markdown ($GITHUB_STEP_SUMMARY), the report JSON and the evidence bundle
// (for actions/upload-artifact). It judges nothing itself: the verdict is the CLI's, and so is the exit code.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));
const WASM = fileURLToPath(new URL('./cvm-verify.wasm', import.meta.url));
const MARKS = { pass: '✅', warn: '⚠️', fail: '❌', skip: '➖' };

/**
 * @typedef {object} ActionInputs
 * @property {string} url
 * @property {string} evidence
 * @property {string} expectComposeHash
 * @property {string} tcbPolicy
 * @property {string} governance
 * @property {string} requireOsVerified
 * @property {string} pccs
 * @property {string} now
 * @property {number} retries
 * @property {number} retryDelay seconds
 * @property {string} outputDir
 */

/**
 * An input as GitHub passes it: INPUT_ + the name upper-cased, spaces turned into underscores (hyphens kept).
 * @param {NodeJS.ProcessEnv} env @param {string} name
 */
function input(env, name) {
  return String(env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {ActionInputs}
 */
export function readInputs(env) {
  const int = (/** @type {string} */ name, /** @type {number} */ dflt, /** @type {number} */ max) => {
    const v = input(env, name);
    if (v === '') return dflt;
    if (!/^\d+$/.test(v) || Number(v) > max) throw new Error(`input ${name} must be a whole number from 0 to ${max} (got "${v}")`);
    return Number(v);
  };
  const inputs = {
    url: input(env, 'url'),
    evidence: input(env, 'evidence'),
    expectComposeHash: input(env, 'expect-compose-hash'),
    tcbPolicy: input(env, 'tcb-policy'),
    governance: input(env, 'governance'),
    requireOsVerified: input(env, 'require-os-verified').toLowerCase(),
    pccs: input(env, 'pccs'),
    now: input(env, 'now'),
    retries: int('retries', 3, 20),
    retryDelay: int('retry-delay', 20, 600),
    outputDir: input(env, 'output-dir') || 'cvm-verify',
  };
  if (!inputs.url === !inputs.evidence) throw new Error('give exactly one of the inputs url (a running app) and evidence (a saved evidence file)');
  if (!['', 'true', 'false'].includes(inputs.requireOsVerified)) throw new Error(`input require-os-verified must be true or false (got "${inputs.requireOsVerified}")`);
  return inputs;
}

/**
 * The CLI's arguments for the inputs. The governance and require-os-verified inputs map to the CLI's
 * --governance and --require-os-verified, and are passed only when set, so that the action works with a CLI
 * that predates them as long as they are not used.
 * @param {ActionInputs} inputs
 * @param {{report: string, evidence: string}} files
 * @returns {string[]}
 */
export function cliArgs(inputs, files) {
  const args = [inputs.url || inputs.evidence, '--json', '--save-evidence', files.evidence];
  if (inputs.expectComposeHash) args.push('--expect-compose-hash', inputs.expectComposeHash);
  if (inputs.tcbPolicy) args.push('--tcb-policy', inputs.tcbPolicy);
  if (inputs.governance) args.push('--governance', inputs.governance);
  if (inputs.requireOsVerified === 'true') args.push('--require-os-verified');
  if (inputs.pccs) args.push('--pccs', inputs.pccs);
  if (inputs.now) args.push('--now', inputs.now);
  return args;
}

/**
 * @param {string[]} args
 * @returns {Promise<{code: number, stdout: string, stderr: string}>}
 */
function runCli(args) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; process.stderr.write(d); });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 3, stdout, stderr }));
  });
}

/** Markdown table cells: no pipes, no newlines, no HTML. @param {unknown} s */
function cell(s) {
  return String(s ?? '').replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The job summary: the verdict and the checklist as Markdown.
 * @param {string} target
 * @param {any} report the report JSON, or null when nothing could be judged
 * @param {{code: number, stderr: string, attempts: number}} run
 * @returns {string}
 */
export function summaryMarkdown(target, report, run) {
  const lines = [`## cvm-verify: ${cell(target)}`, ''];
  if (!report) {
    const why = run.stderr.trim().split('\n').filter(Boolean).pop() || `exit code ${run.code}`;
    const what = run.code === 2 ? 'Usage error or unreadable evidence' : 'Could not verify (nothing was judged)';
    lines.push(`**${what}** after ${run.attempts} attempt${run.attempts > 1 ? 's' : ''}: ${cell(why.replace(/^cvm-verify: /, ''))}`, '');
    return lines.join('\n') + '\n';
  }
  const verdict = String(report.verdict);
  const mark = verdict === 'pass' ? '✅' : verdict === 'warn' ? '⚠️' : '❌';
  lines.push(`${mark} **Verdict: ${cell(verdict.toUpperCase())}**, verified as of ${cell(new Date(report.verified_at * 1000).toISOString())}`, '');
  lines.push('| | check | status | code | message |', '|---|---|---|---|---|');
  for (const c of report.checks || []) {
    const m = MARKS[/** @type {keyof typeof MARKS} */ (c.status)] || '❌';
    lines.push(`| ${m} | \`${cell(c.id)}\` | ${cell(c.status)}${c.enforced === false && (c.status === 'fail' || c.status === 'warn') ? ' (not enforced)' : ''} | \`${cell(c.code)}\` | ${cell(c.message)} |`);
  }
  lines.push('');
  const facts = [];
  if (report.tcb && report.tcb.status) facts.push(['TCB status', `${report.tcb.status}${report.tcb.advisory_ids && report.tcb.advisory_ids.length ? ` (advisories: ${report.tcb.advisory_ids.join(', ')})` : ''}`]);
  if (report.collateral && report.collateral.expires_at) facts.push(['Collateral expires', report.collateral.expires_at]);
  if (report.app && report.app.app_id) facts.push(['App id', `\`${report.app.app_id}\``]);
  if (report.app && report.app.compose_hash) facts.push(['Compose hash', `\`${report.app.compose_hash}\``]);
  if (report.os && typeof report.os.verified === 'boolean') facts.push(['OS verified', String(report.os.verified)]);
  if (facts.length) {
    lines.push('| | |', '|---|---|');
    for (const [k, v] of facts) lines.push(`| ${cell(k)} | ${v.startsWith('`') ? v : cell(v)} |`);
    lines.push('');
  }
  lines.push('The evidence bundle re-verifies offline: `cvm-verify evidence.json --now ' + cell(report.verified_at) + '`.', '');
  return lines.join('\n') + '\n';
}

/**
 * Appends name=value lines to a GitHub file command ($GITHUB_OUTPUT), in the delimiter form that no value can
 * break out of.
 * @param {string | undefined} file @param {Record<string, string>} values
 */
function setOutputs(file, values) {
  if (!file) return;
  let text = '';
  for (const [k, v] of Object.entries(values)) {
    const delim = `cvm_verify_${randomBytes(12).toString('hex')}`;
    text += `${k}<<${delim}\n${v}\n${delim}\n`;
  }
  appendFileSync(file, text);
}

/**
 * Runs the action. Returns the exit code for the step: the CLI's (0 pass or warn, 1 fail, 2 usage, 3 could not
 * judge after every retry).
 * @param {NodeJS.ProcessEnv} env
 * @param {{sleep?: (ms: number) => Promise<void>}} [hooks]
 */
export async function runAction(env, hooks = {}) {
  const sleep = hooks.sleep ?? ((/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms)));
  let inputs;
  try {
    inputs = readInputs(env);
  } catch (e) {
    process.stdout.write(`::error::${e instanceof Error ? e.message : e}\n`);
    return 2;
  }
  if (!existsSync(WASM)) {
    process.stdout.write('::error::this copy of cvm-verify has no built verifier core (js/cvm-verify.wasm): use the action from a release tag, whose tree carries the core, or build it (make wasm) in an earlier step\n');
    return 3;
  }
  const dir = resolve(env.GITHUB_WORKSPACE || process.cwd(), inputs.outputDir);
  mkdirSync(dir, { recursive: true });
  const files = { report: join(dir, 'report.json'), evidence: join(dir, 'evidence.json') };
  const target = inputs.url || inputs.evidence;
  const args = cliArgs(inputs, files);
  rmSync(files.report, { force: true }); // never leave an earlier run's report behind an error
  let attempts = 0;
  /** @type {{code: number, stdout: string, stderr: string}} */
  let result;
  for (;;) {
    attempts++;
    rmSync(files.evidence, { force: true });
    process.stdout.write(`cvm-verify ${target} (attempt ${attempts} of ${inputs.retries + 1})\n`);
    result = await runCli(args);
    // Only "nothing could be judged" may get better by waiting; a verdict or a usage error will not.
    if (result.code !== 3 || attempts > inputs.retries) break;
    const wait = inputs.retryDelay * attempts;
    process.stdout.write(`::warning::could not judge ${target} (exit 3); retrying in ${wait} s\n`);
    await sleep(wait * 1000);
  }
  /** @type {any} */
  let report = null;
  if (result.code === 0 || result.code === 1) {
    try {
      report = JSON.parse(result.stdout);
    } catch {
      report = null;
    }
  }
  if (report) writeFileSync(files.report, JSON.stringify(report, null, 2) + '\n');
  const verdict = report ? String(report.verdict) : 'error';
  setOutputs(env.GITHUB_OUTPUT, {
    verdict,
    report: report ? files.report : '',
    evidence: existsSync(files.evidence) ? files.evidence : '',
    'compose-hash': report && report.app && report.app.compose_hash ? report.app.compose_hash : '',
    'tcb-status': report && report.tcb && report.tcb.status ? report.tcb.status : '',
    'exit-code': String(result.code),
    attempts: String(attempts),
  });
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summaryMarkdown(target, report, { code: result.code, stderr: result.stderr, attempts }));
  if (result.code === 1) {
    const failed = (report && report.checks ? report.checks : []).filter((/** @type {any} */ c) => c.status === 'fail' && c.enforced !== false);
    process.stdout.write(`::error::${target} failed verification: ${failed.map((/** @type {any} */ c) => `${c.id} (${c.code})`).join(', ') || 'see the job summary'}\n`);
  } else if (result.code === 2) {
    process.stdout.write('::error::cvm-verify: usage error or unreadable evidence (see the log above)\n');
  } else if (result.code !== 0) {
    process.stdout.write(`::error::could not judge ${target} after ${attempts} attempt${attempts > 1 ? 's' : ''}: network failure or collateral unavailable\n`);
  } else {
    process.stdout.write(`${target}: verdict ${verdict}\n`);
  }
  return result.code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runAction(process.env);
}
