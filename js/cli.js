#!/usr/bin/env node
// cvm-verify command line (interface.md section 3). Exit codes: 0 pass/warn, 1 fail, 2 usage or malformed
// input, 3 nothing could be judged (network, collateral unavailable, internal error).
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs, UsageError, HELP, isHttpUrl } from './args.js';
import { VERSION } from './version.js';
import { formatReport, formatMonitorLine, monitorResult, clean } from './format.js';
import { verifyCvm, verifyEvidence, evidenceOf, exitCodeFor } from './index.js';
import { parseJsonText, normalizeCollateral, toEvidenceValue, splitJsonObjects } from './input.js';
import { codedError } from './util.js';
import { verifyPhalaApp, formatAppReport, APP_SCHEMA } from './app.js';
import { parsePhalaAppTarget, normalizePhalaApi } from './phala.js';

const MAX_FILE = 32 * 1024 * 1024;

/** @param {NodeJS.WriteStream} stream @param {string} text */
function write(stream, text) {
  return new Promise((resolve) => { if (!text) resolve(undefined); else stream.write(text, () => resolve(undefined)); });
}

/** @param {NodeJS.WriteStream} stream */
function useColor(stream) {
  return !!stream.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/**
 * Reads a file (or standard input for "-"); unreadable -> exit 2.
 * @param {string} path
 * @param {string} what
 * @returns {Promise<Uint8Array>}
 */
async function readInput(path, what) {
  try {
    let buf;
    if (path === '-') {
      const chunks = [];
      let n = 0;
      for await (const c of process.stdin) {
        n += c.length;
        if (n > MAX_FILE) throw codedError('INPUT_TOO_LARGE', `${what} on standard input is larger than ${MAX_FILE} bytes`);
        chunks.push(c);
      }
      buf = Buffer.concat(chunks);
    } else {
      buf = await readFile(path);
    }
    if (buf.length > MAX_FILE) throw codedError('INPUT_TOO_LARGE', `${what} ${path} is larger than ${MAX_FILE} bytes`);
    if (buf.length === 0) throw codedError('EVIDENCE_MALFORMED', `${what} ${path} is empty`);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  } catch (e) {
    const err = /** @type {any} */ (e);
    if (err && typeof err.code === 'string' && /^[A-Z_]+$/.test(err.code) && !err.syscall) throw e;
    if (err && err.code === 'ENOENT') {
      // Not malformed evidence: there is none. A host:port without a scheme is a URL the user meant.
      const hint = /^[A-Za-z0-9.-]+:\d{1,5}(\/.*)?$/.test(path) ? ` (for a CVM app, give its URL: http://${path} or https://${path})` : '';
      throw codedError('USAGE', `cannot read ${what} ${path}: no such file${hint}`);
    }
    const why = err && err.code === 'EISDIR' ? 'it is a directory' : err && err.code === 'EACCES' ? 'permission denied' : (err && err.message) || String(e);
    throw codedError('EVIDENCE_MALFORMED', `cannot read ${what} ${path}: ${why}`);
  }
}

/**
 * An evidence file as the API's input: .json must be JSON; .hex hex text; .bin a binary quote; other names
 * are recognised by content.
 * @param {string} path
 */
async function readEvidence(path) {
  const bytes = await readInput(path, 'the evidence file');
  const ext = extname(path).toLowerCase();
  const label = path === '-' ? 'standard input' : path;
  if (ext === '.json') {
    const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '');
    // Two answers back to back (curl /attestation; curl /info): the API reads them as one bundle.
    return splitJsonObjects(text).length === 2 ? toEvidenceValue(text) : parseJsonText(text, label);
  }
  if (ext === '.hex') {
    const t = new TextDecoder().decode(bytes).trim();
    if (!/^(0x)?([0-9a-fA-F]{2})+$/.test(t)) throw codedError('EVIDENCE_MALFORMED', `${label} is not hex text`);
    return t;
  }
  if (ext === '.bin') return bytes;
  try {
    return toEvidenceValue(bytes);
  } catch (e) {
    throw codedError(/** @type {any} */ (e).code || 'EVIDENCE_MALFORMED', `${label}: ${e instanceof Error ? e.message : e}`);
  }
}

/** @param {unknown} e */
function errorLine(e) {
  const err = /** @type {any} */ (e);
  if (err instanceof UsageError) return `cvm-verify: ${err.message}\nRun "cvm-verify --help" for usage.\n`;
  const code = err && err.code ? `${err.code}: ` : '';
  return `cvm-verify: ${clean(code)}${clean(err && err.message ? err.message : String(e))}\n`;
}

/**
 * @param {import('./args.js').ParsedArgs} a
 * @returns {Promise<import('./index.js').VerifyOptions>}
 */
async function apiOptions(a) {
  // A command line may fall back to Intel's CRL distribution point when a PCCS lacks rootcacrl;
  // the browser page never does (it talks only to the CVM and the chosen collateral service).
  const options = { ...a.options, rootCrlFallback: true };
  if (a.collateralFile !== undefined) {
    const bytes = await readInput(a.collateralFile, 'the collateral file');
    options.collateral = normalizeCollateral(parseJsonText(new TextDecoder().decode(bytes).replace(/^\uFEFF/, ''), a.collateralFile));
  }
  // --provenance FILE...: bundle texts for app.provenance (js/provenance.js offers them for every pinned digest)
  if (a.provenanceFiles && a.provenanceFiles.length) {
    const bundles = [];
    for (const f of a.provenanceFiles) bundles.push(new TextDecoder().decode(await readInput(f, 'the provenance file')));
    options.provenance = { ...options.provenance, bundles };
  }
  if (a.osManifestDir !== undefined) {
    // os.image (js/os.js): the two files as dstack publishes them; the core authenticates them by hash.
    const dir = String(a.osManifestDir).replace(/\/+$/, '');
    options.osManifest = {
      checksumFile: await readInput(`${dir}/sha256sum.txt`, 'the OS manifest\'s sha256sum.txt'),
      measurement: await readInput(`${dir}/measurement.tdx.cbor`, 'the OS manifest\'s measurement.tdx.cbor'),
    };
  }
  return options;
}

/** @param {import('./args.js').ParsedArgs} a */
async function runVerify(a) {
  const target = a.targets[0];
  const options = await apiOptions(a);
  if (target === '-' && options.nonce === undefined && !options.nonceFromEvidence && !a.quiet) {
    // Piped evidence is fresh only if the nonce the app quoted reaches the verifier (README, "Verify from a pipe").
    await write(process.stderr, 'cvm-verify: warning: evidence on standard input without --nonce: freshness is not checked (a replayed quote would pass); use N=$(openssl rand -hex 32) in the request and --nonce $N\n');
  }
  // issue 16: phala:<app-id> (recorded attestations of every instance) and KMS evidence beside the app's.
  if (a.flags.kmsEvidence !== undefined) options.kmsEvidence = await readEvidence(a.flags.kmsEvidence);
  const appId = parsePhalaAppTarget(target);
  if (appId && a.saveEvidence) throw new UsageError('--save-evidence is not available for Phala app targets; save the attestations response and verify the file');
  const report = appId
    ? await verifyPhalaApp(appId, { ...options, phalaApi: a.flags.phalaApi !== undefined ? normalizePhalaApi(a.flags.phalaApi) : undefined })
    : isHttpUrl(target)
    ? await verifyCvm(target, options)
    : await verifyEvidence(await readEvidence(target), options);
  if (a.saveEvidence) {
    try {
      await writeFile(a.saveEvidence, JSON.stringify(evidenceOf(report), null, 2) + '\n');
    } catch (e) {
      throw codedError('REQUEST_MALFORMED', `cannot write ${a.saveEvidence}: ${e instanceof Error ? e.message : e}`);
    }
  }
  if (a.json) await write(process.stdout, JSON.stringify(report, null, 2) + '\n');
  else if (!a.quiet) {
    const fmt = /** @type {any} */ (report).schema === APP_SCHEMA ? formatAppReport : formatReport;
    await write(process.stdout, fmt(/** @type {any} */ (report), { color: useColor(process.stdout), target }));
    if (a.saveEvidence) await write(process.stderr, `evidence saved to ${a.saveEvidence}\n`);
  }
  return exitCodeFor(report);
}

/** @param {import('./args.js').ParsedArgs} a */
async function runMonitor(a) {
  const options = await apiOptions(a);
  const ctl = new AbortController();
  /** @type {string | null} */
  let stopped = null;
  /** @type {(() => void) | null} */
  let wake = null;
  const stop = (/** @type {string} */ sig) => {
    if (stopped) return;
    stopped = sig;
    ctl.abort();
    if (wake) wake();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const color = useColor(process.stdout);
  let worst = 0;
  // --metrics-port: Prometheus metrics of every round (js/metrics.js; README "Monitoring"). Off by default.
  const metrics = a.metricsListen ? await import('./metrics.js') : null;
  const registry = metrics ? new metrics.MonitorMetrics() : null;
  const served = metrics && registry && a.metricsListen ? await metrics.serveMetrics(registry, a.metricsListen) : null;
  if (served) await write(process.stderr, `cvm-verify monitor: metrics at ${served.url}\n`);
  try {
    for (;;) {
      for (const url of a.targets) {
        if (stopped) break;
        /** @type {import('./index.js').Report | null} */
        let report = null;
        /** @type {unknown} */
        let error = null;
        const started = performance.now();
        try {
          report = await verifyCvm(url, { ...options, signal: ctl.signal });
        } catch (e) {
          error = e;
        }
        if (stopped) break; // do not report the aborted request as a failure
        if (registry) registry.record(url, { report, error, seconds: (performance.now() - started) / 1000 });
        const code = exitCodeFor(report, error);
        if (code === 1 || (code !== 0 && worst !== 1)) worst = code;
        const r = monitorResult(url, report, error, code);
        await write(process.stdout, (a.json ? JSON.stringify(r) : formatMonitorLine(r, { color })) + '\n');
      }
      if (stopped || a.once) break;
      await new Promise((resolve) => {
        const t = setTimeout(resolve, a.interval * 1000);
        wake = () => { clearTimeout(t); resolve(undefined); };
      });
      wake = null;
      if (stopped) break;
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (served) await served.close();
  }
  if (stopped) {
    if (!a.json && !a.quiet) await write(process.stderr, `cvm-verify monitor: stopped (${stopped})\n`);
    return stopped === 'SIGINT' ? 130 : 143;
  }
  return worst;
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the exit code
 */
export async function main(argv) {
  /** @type {import('./args.js').ParsedArgs | undefined} */
  let a;
  try {
    if (argv[0] === 'verify-bundle') return (await import('./verify-bundle.js')).main(argv.slice(1)); // issue 20
    a = parseArgs(argv);
    if (a.command === 'help') { await write(process.stdout, HELP); return 0; }
    if (a.command === 'version') {
      let sha = '';
      try { sha = (await import('./wasm-sha256.js')).WASM_SHA256; } catch { sha = ''; }
      await write(process.stdout, `cvm-verify ${VERSION}${sha ? ` (core sha256 ${sha})` : ''}\n`);
      return 0;
    }
    return a.command === 'monitor' ? await runMonitor(a) : await runVerify(a);
  } catch (e) {
    await write(process.stderr, errorLine(e));
    return e instanceof UsageError ? 2 : exitCodeFor(null, e);
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);
