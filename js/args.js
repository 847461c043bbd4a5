// Command-line parsing for js/cli.js (interface.md section 3). Pure: no Node APIs, so it is unit-testable.
import { normalizeHex } from './util.js';
import { CHAIN_FLAGS, CHAIN_HELP, chainOptions } from './chain-args.js';
import { TCB_STATUSES } from './core-tables.js'; // the core's table (make wasm)

export class UsageError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'UsageError';
    this.code = 'USAGE';
  }
}

/** flag -> [key, kind]; kind: 'value' | 'multi' (repeatable value) | 'bool' */
const FLAGS = /** @type {Record<string, [string, 'value' | 'multi' | 'bool']>} */ ({
  '--collateral': ['collateral', 'value'],
  '--pccs': ['pccs', 'value'],
  '--now': ['now', 'value'],
  '--nonce': ['nonce', 'value'],
  '--report-data': ['reportData', 'value'],
  '--nonce-from-evidence': ['nonceFromEvidence', 'bool'], // trust the nonce a saved bundle records (your own)
  '--expect-compose-hash': ['expectComposeHash', 'value'],
  '--expect-app-id': ['expectAppId', 'value'],
  '--expect-mrtd': ['expectMrtd', 'value'],
  '--expect-rtmr': ['expectRtmr', 'multi'],
  '--expect-os-image-hash': ['expectOsImageHash', 'value'],
  '--tcb-policy': ['tcbPolicy', 'value'],
  '--allow-tcb': ['allowTcb', 'multi'],
  '--allow-debug': ['allowDebug', 'bool'],
  '--require-pinned-images': ['requirePinnedImages', 'bool'],
  '--os-manifest': ['osManifest', 'value'], // os.image: DIR with sha256sum.txt and measurement.tdx.cbor
  '--allow-os-image': ['allowOsImage', 'multi'],
  '--require-os-verified': ['requireOsVerified', 'bool'],
  '--json': ['json', 'bool'],
  '--save-evidence': ['saveEvidence', 'value'],
  '--quiet': ['quiet', 'bool'],
  '-q': ['quiet', 'bool'],
  '--help': ['help', 'bool'],
  '-h': ['help', 'bool'],
  '--version': ['version', 'bool'],
  '-V': ['version', 'bool'],
  '--interval': ['interval', 'value'],
  '--once': ['once', 'bool'],
  '--metrics-port': ['metricsPort', 'value'], // monitor: Prometheus metrics (js/metrics.js)
  ...CHAIN_FLAGS, // on-chain governance (js/chain-args.js)
  // app.provenance (docs/provenance.md): bundle files, opt-in fetching from GitHub, the expected source
  '--provenance': ['provenance', 'multi'],
  '--provenance-repo': ['provenanceRepo', 'value'],
  '--provenance-fetch': ['provenanceFetch', 'bool'],
  '--expect-source': ['expectSource', 'value'],
  '--phala-api': ['phalaApi', 'value'], // issue 16: phala:<app-id> targets (js/app.js)
  '--kms-evidence': ['kmsEvidence', 'value'], // issue 16: the KMS's evidence, verified and bound to the app
});

const MONITOR_ONLY = ['interval', 'once', 'metricsPort'];
const VERIFY_ONLY = ['saveEvidence', 'nonce', 'nonceFromEvidence', 'phalaApi', 'kmsEvidence'];
const FLAG_OF = /** @type {Record<string, string>} */ ({});
for (const [f, [k]] of Object.entries(FLAGS)) if (f.startsWith('--')) FLAG_OF[k] = f;


/**
 * Parses --now: unix seconds, or ISO-8601 (a date, or a date and time; without an offset the time is UTC).
 * @param {string} s
 * @returns {number} unix seconds
 */
export function parseTime(s) {
  const t = String(s).trim();
  if (/^\d{1,12}$/.test(t)) return Number(t);
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(t);
  if (!m) throw new UsageError(`--now: "${s}" is neither unix seconds nor an ISO-8601 time (e.g. 2026-08-29T12:00:00Z)`);
  const iso = m[2] ? `${m[1]}T${m[2]}${m[3] ? m[3].toUpperCase() : 'Z'}` : `${m[1]}T00:00:00Z`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`--now: "${s}" is not a valid time`);
  return Math.floor(ms / 1000);
}

/**
 * @param {string} value
 * @param {string} flag
 * @param {number} [exactBytes]
 * @param {number} [maxBytes]
 */
function hexFlag(value, flag, exactBytes, maxBytes) {
  let h;
  try {
    h = normalizeHex(value, flag, maxBytes ?? exactBytes);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (exactBytes !== undefined && h.length !== exactBytes * 2) throw new UsageError(`${flag} must be ${exactBytes} bytes (${exactBytes * 2} hex digits), got ${h.length / 2} bytes`);
  return h;
}

/**
 * @typedef {object} ParsedArgs
 * @property {'verify' | 'monitor' | 'help' | 'version'} command
 * @property {string[]} targets
 * @property {Record<string, any>} flags raw flag values by key
 * @property {import('./index.js').VerifyOptions} options API options (without the collateral, which is a file to read)
 * @property {string | undefined} collateralFile
 * @property {string[]} provenanceFiles Sigstore bundles or GitHub attestation responses (--provenance)
 * @property {string | undefined} osManifestDir --os-manifest: the directory holding sha256sum.txt and measurement.tdx.cbor
 * @property {string | undefined} saveEvidence
 * @property {boolean} json
 * @property {boolean} quiet
 * @property {number} interval seconds (monitor)
 * @property {boolean} once (monitor)
 * @property {{host: string | undefined, port: number} | undefined} metricsListen (monitor) where to serve /metrics
 */

/**
 * Parses the arguments after `node cli.js`. Throws UsageError with a message for the user.
 * @param {string[]} argv
 * @returns {ParsedArgs}
 */
export function parseArgs(argv) {
  /** @type {Record<string, any>} */
  const flags = {};
  const positional = [];
  let command = /** @type {ParsedArgs['command']} */ ('verify');
  let i = 0;
  if (argv[0] === 'monitor') { command = 'monitor'; i = 1; }
  else if (argv[0] === 'verify') { i = 1; }
  else if (argv[0] === 'help') { command = 'help'; i = 1; }
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const spec = FLAGS[name];
      if (!spec) throw new UsageError(`unknown option ${name}`);
      const [key, kind] = spec;
      if (kind === 'bool') {
        if (eq > 0) throw new UsageError(`${name} takes no value`);
        flags[key] = true;
        continue;
      }
      let value;
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
        value = argv[++i];
      }
      if (kind === 'multi') (flags[key] ||= []).push(value);
      else {
        if (key in flags) throw new UsageError(`${name} given twice`);
        flags[key] = value;
      }
      continue;
    }
    positional.push(arg);
  }
  if (flags.help || command === 'help') return finish('help', [], flags);
  if (flags.version) return finish('version', [], flags);

  if (command === 'verify') {
    for (const k of MONITOR_ONLY) if (k in flags) throw new UsageError(`${FLAG_OF[k]} is an option of "cvm-verify monitor"`);
    if (positional.length === 0) throw new UsageError('give a target: the URL of a CVM app, or an evidence or quote file');
    if (positional.length > 1) throw new UsageError(`give one target (got ${positional.length}: ${positional.join(' ')}); to watch several URLs use "cvm-verify monitor"`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(positional[0]) && !isHttpUrl(positional[0])) throw new UsageError(`unsupported URL ${positional[0]}: use https:// (or http:// for local development)`);
  } else {
    for (const k of VERIFY_ONLY) if (k in flags) throw new UsageError(`${FLAG_OF[k]} is not an option of "cvm-verify monitor"`);
    if (positional.length === 0) throw new UsageError('monitor needs at least one URL');
    for (const p of positional) if (!isHttpUrl(p)) throw new UsageError(`monitor watches URLs; "${p}" is not an http(s) URL`);
  }
  return finish(command, positional, flags);
}

/**
 * Parses the value of --metrics-port: PORT (all interfaces, as Prometheus exporters do) or HOST:PORT ([v6]:PORT).
 * @param {string} value
 * @returns {{host: string | undefined, port: number} | null} null when malformed
 */
export function parseListen(value) {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(String(value));
  if (!m) return null;
  const port = Number(m[2]);
  if (port > 65535) return null;
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : undefined, port };
}

/** @param {string} s */
export function isHttpUrl(s) {
  if (!/^https?:\/\//i.test(s)) return false;
  try { new URL(s); return true; } catch { return false; }
}

/**
 * @param {ParsedArgs['command']} command
 * @param {string[]} targets
 * @param {Record<string, any>} flags
 * @returns {ParsedArgs}
 */
function finish(command, targets, flags) {
  /** @type {import('./index.js').VerifyOptions} */
  const options = {};
  if (command === 'verify' || command === 'monitor') {
    if (flags.now !== undefined) options.now = parseTime(flags.now);
    if (flags.nonce !== undefined) options.nonce = hexFlag(flags.nonce, '--nonce', undefined, 64);
    if (flags.nonceFromEvidence) options.nonceFromEvidence = true;
    if (flags.reportData !== undefined) options.reportData = hexFlag(flags.reportData, '--report-data', undefined, 64);
    if (flags.pccs !== undefined) {
      if (!isHttpUrl(flags.pccs)) throw new UsageError(`--pccs: "${flags.pccs}" is not an http(s) URL`);
      options.pccsUrl = flags.pccs;
    }
    /** @type {import('./index.js').PolicyObject} */
    const policy = {};
    if (flags.tcbPolicy !== undefined) {
      if (!['strict', 'default', 'permissive'].includes(flags.tcbPolicy)) throw new UsageError(`--tcb-policy must be strict, default or permissive (got "${flags.tcbPolicy}")`);
      policy.tcb = flags.tcbPolicy;
    }
    if (flags.allowTcb) {
      const list = flags.allowTcb.flatMap((/** @type {string} */ s) => s.split(',')).map((/** @type {string} */ s) => s.trim()).filter(Boolean);
      if (!list.length) throw new UsageError('--allow-tcb needs at least one TCB status');
      for (const s of list) if (!TCB_STATUSES.includes(s)) throw new UsageError(`--allow-tcb: unknown TCB status "${s}" (known: ${TCB_STATUSES.join(', ')})`);
      policy.allowTcb = [...new Set(list)];
    }
    if (flags.allowDebug) policy.allowDebug = true;
    if (flags.requirePinnedImages) policy.requirePinnedImages = true;
    if (flags.allowOsImage) policy.allowOsImages = flags.allowOsImage.map((/** @type {string} */ h) => hexFlag(h, '--allow-os-image', 32));
    if (flags.requireOsVerified) policy.requireOsVerified = true;
    /** @type {NonNullable<import('./index.js').PolicyObject['expect']>} */
    const expect = {};
    if (flags.expectComposeHash !== undefined) expect.composeHash = hexFlag(flags.expectComposeHash, '--expect-compose-hash', 32);
    if (flags.expectAppId !== undefined) expect.appId = hexFlag(flags.expectAppId, '--expect-app-id', 20);
    if (flags.expectMrtd !== undefined) expect.mrtd = hexFlag(flags.expectMrtd, '--expect-mrtd', 48);
    if (flags.expectOsImageHash !== undefined) expect.osImageHash = hexFlag(flags.expectOsImageHash, '--expect-os-image-hash', 32);
    if (flags.expectRtmr) {
      /** @type {Record<string, string>} */
      const rtmr = {};
      for (const spec of flags.expectRtmr) {
        const m = /^([0-3])=(.*)$/.exec(spec);
        if (!m) throw new UsageError(`--expect-rtmr takes N=HEX with N in 0..3 (got "${spec}")`);
        if (m[1] in rtmr) throw new UsageError(`--expect-rtmr ${m[1]} given twice`);
        rtmr[m[1]] = hexFlag(m[2], `--expect-rtmr ${m[1]}`, 48);
      }
      expect.rtmr = rtmr;
    }
    if (flags.expectSource !== undefined) {
      if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+(@[\x21-\x7e]+)?$/.test(flags.expectSource)) throw new UsageError(`--expect-source takes owner/repo or owner/repo@ref (got "${flags.expectSource}")`);
      expect.source = flags.expectSource;
    }
    if (flags.provenanceRepo !== undefined) {
      if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(flags.provenanceRepo)) throw new UsageError(`--provenance-repo takes a GitHub owner/repo (got "${flags.provenanceRepo}")`);
      options.provenance = { ...options.provenance, repository: flags.provenanceRepo };
    }
    if (flags.provenanceFetch) options.provenance = { ...options.provenance, fetch: true };
    if (Object.keys(expect).length) policy.expect = expect;
    // On-chain governance: --chain-rpc, --chain-id, --app-contract, --kms-contract, --governance.
    const gov = chainOptions(flags, (m) => new UsageError(m));
    if (gov.chain) options.chain = gov.chain;
    if (gov.governance) policy.governance = gov.governance;
    if (Object.keys(policy).length) options.policy = policy;
  }
  let interval = 300;
  if (flags.interval !== undefined) {
    interval = Number(flags.interval);
    if (!/^\d+(\.\d+)?$/.test(String(flags.interval)) || !(interval >= 1) || interval > 86400 * 7) throw new UsageError(`--interval must be a number of seconds between 1 and 604800 (got "${flags.interval}")`);
  }
  // --metrics-port PORT | HOST:PORT (js/metrics.js): Prometheus metrics of the monitor, off by default.
  let metricsListen;
  if (flags.metricsPort !== undefined) {
    metricsListen = parseListen(flags.metricsPort);
    if (!metricsListen) throw new UsageError(`--metrics-port takes PORT or HOST:PORT with PORT in 0..65535 (got "${flags.metricsPort}")`);
  }
  return {
    command, targets, flags, options, metricsListen,
    collateralFile: flags.collateral,
    provenanceFiles: flags.provenance || [],
    osManifestDir: flags.osManifest,
    saveEvidence: flags.saveEvidence,
    json: !!flags.json,
    quiet: !!flags.quiet,
    interval,
    once: !!flags.once,
  };
}

export const HELP = `Usage:
  cvm-verify <target> [options]
  cvm-verify monitor <url>... [--interval SECONDS] [--once] [--json] [options]
  cvm-verify verify-bundle --bundle FILE (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM)
                           [--trusted-root FILE] FILE_OR_DIGEST   (one Sigstore bundle; sigstore-conformance)

Verify an Intel TDX confidential VM (a dstack CVM, e.g. on Phala Cloud): the DCAP quote up to Intel's root,
the collateral, the TCB level, the TD attributes, the event log, the app's compose hash and the freshness.

<target>                      URL of a CVM app (https; http for local development): fetches
                              GET <url>/attestation?reportData=<fresh nonce> and GET <url>/info;
                              or a file: evidence JSON (GetQuote, Info, a cvm-evidence/v1 bundle, ...),
                              or a quote (.bin, .hex, .json byte array); "-" reads standard input;
                              or a dstack attestation (V0/V1 .bin/.hex, {"attestation": hex}) or an
                              RA-TLS certificate (.pem/.der); or phala:<app-id> (or a Phala Cloud app
                              URL): the app's recorded attestations, every running instance and its KMS
Options:
  --collateral FILE           use this QuoteCollateralV3 JSON; no collateral fetch
  --pccs URL                  collateral service (default https://pccs.phala.network;
                              https://api.trustedservices.intel.com works too)
  --now TIME                  verify as of TIME: unix seconds or ISO-8601 (default: now)
  --nonce HEX                 the nonce the evidence must carry (a URL target makes its own)
  --nonce-from-evidence       check freshness against the nonce a saved bundle records (only for a
                              bundle you fetched yourself: anyone can write a nonce into a file)
  --report-data HEX           the exact report_data expected (right-padded with zeros to 64 bytes)
  --expect-compose-hash HEX   --expect-app-id HEX   --expect-mrtd HEX
  --expect-rtmr N=HEX (repeatable, N = 0..3)      --expect-os-image-hash HEX
  --tcb-policy strict|default|permissive          (default: default)
  --allow-tcb STATUS[,STATUS...]                  accept exactly these TCB statuses (Revoked never passes)
  --allow-debug               accept a debug TD (never do this in production)
  --require-pinned-images     fail (not warn) when a compose image is not pinned by digest
  --provenance FILE           Sigstore bundle(s) or GitHub attestations responses for the pinned images
                              (repeatable); checked in app.provenance
  --provenance-repo OWNER/REPO  fetch the pinned images' attestations from this GitHub repository
  --provenance-fetch          fetch them from the repository each image implies (ghcr.io/owner/repo) or
                              --expect-source names (off by default: it tells GitHub which images you check)
  --expect-source OWNER/REPO[@REF]  fail unless every pinned image has valid provenance from this source
  --os-manifest DIR           the OS image manifest: DIR/sha256sum.txt and DIR/measurement.tdx.cbor
  --allow-os-image HASH       accept this OS image (os_image_hash, repeatable)
  --require-os-verified       fail (not warn) when the OS image cannot be verified
  --json                      print the report JSON on stdout (nothing else on stdout)
  --save-evidence FILE        write the evidence bundle (with collateral and report); it re-verifies offline
  --phala-api BASE            Phala Cloud API for phala:<app-id> (default https://cloud-api.phala.com/api/v1)
  --kms-evidence FILE         the KMS's evidence: verified as a CVM and bound to the app's key provider
  --quiet, -q                 print nothing on success or failure; use the exit code
  --help, -h                  --version, -V
Monitor:
  --interval SECONDS          time between rounds (default 300)
  --once                      one round, then exit (non-zero if any target failed)
  --json                      one JSON object per line
  --metrics-port [HOST:]PORT  serve Prometheus metrics at http://HOST:PORT/metrics (default: off;
                              PORT alone listens on all interfaces)

${CHAIN_HELP}

Exit codes: 0 pass or warn; 1 fail (evidence invalid or policy violated); 2 usage error or unreadable or
malformed input; 3 network failure, collateral unavailable or internal error (nothing could be judged), or
--governance require and the chain could not be asked.
Colours only on a terminal, and not when NO_COLOR is set.
`;
