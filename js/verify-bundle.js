// `cvm-verify verify-bundle`: the sigstore-conformance CLI protocol (docs/provenance.md). The shim only reads
// files and the clock; the C core (op "verify_bundle", through the WASM) decides.
//   verify-bundle [--staging] --bundle FILE --certificate-identity ID --certificate-oidc-issuer URL
//                 [--trusted-root FILE] FILE_OR_DIGEST
//   verify-bundle [--staging] --bundle FILE --key PATH [--trusted-root FILE] FILE_OR_DIGEST
// Exit codes: 0 verified, 1 verification failed (a reason code on stderr), 2 usage error.
import { readFile, stat } from 'node:fs/promises';
import { run } from './wasm.js';

const MAX_FILE = 3 * 1024 * 1024; // the core's request limit is 4 MiB, and the artifact travels as base64

/** The pinned production trusted root (data/sigstore/trusted_root.json; `make update-sigstore-root`). */
export const DEFAULT_TRUSTED_ROOT = new URL('../data/sigstore/trusted_root.json', import.meta.url);

/**
 * @typedef {{bundle: string, identity?: string, issuer?: string, key?: string, trustedRoot?: string,
 *   staging: boolean, target: string}} BundleArgs
 */

/**
 * Parses the protocol's arguments (always given in this order by the suite; any order is accepted here).
 * @param {string[]} argv
 * @returns {BundleArgs}
 */
export function parseBundleArgs(argv) {
  /** @type {any} */
  const a = { staging: false };
  const rest = [];
  const takes = { '--bundle': 'bundle', '--certificate-identity': 'identity', '--certificate-oidc-issuer': 'issuer',
    '--key': 'key', '--trusted-root': 'trustedRoot' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--staging') a.staging = true;
    else if (Object.hasOwn(takes, k)) {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      a[takes[/** @type {keyof typeof takes} */ (k)]] = argv[++i];
    } else if (k.startsWith('--')) throw new Error(`unknown option ${k}`);
    else rest.push(k);
  }
  if (!a.bundle) throw new Error('--bundle FILE is required');
  if (rest.length !== 1) throw new Error('exactly one FILE_OR_DIGEST is required');
  if (a.key && (a.identity || a.issuer)) throw new Error('--key excludes --certificate-identity/--certificate-oidc-issuer');
  if (!a.key && (!a.identity || !a.issuer)) throw new Error('--certificate-identity and --certificate-oidc-issuer are required (or --key)');
  a.target = rest[0];
  return a;
}

/** @param {string|URL} path */
async function readSmall(path) {
  const s = await stat(path);
  if (s.size > MAX_FILE) throw new Error(`${path} is larger than ${MAX_FILE} bytes`);
  return readFile(path);
}

/**
 * The protocol's FILE_OR_DIGEST: a digest is "sha256:" + 64 hex digits that is not a path on disk.
 * @param {string} target
 * @returns {Promise<{artifact_digest: string} | {artifact_base64: string}>}
 */
async function artifactOf(target) {
  if (/^sha256:[0-9a-fA-F]{64}$/.test(target)) {
    let exists = true;
    try { await stat(target); } catch { exists = false; }
    if (!exists) return { artifact_digest: target.toLowerCase() };
  }
  return { artifact_base64: (await readSmall(target)).toString('base64') };
}

/**
 * Builds the core request for a parsed command line.
 * @param {BundleArgs} a
 * @param {number} now unix seconds
 */
export async function bundleRequest(a, now) {
  /** @type {Record<string, unknown>} */
  const req = {
    op: 'verify_bundle',
    bundle: (await readSmall(a.bundle)).toString('utf8'),
    trusted_root: (await readSmall(a.trustedRoot || DEFAULT_TRUSTED_ROOT)).toString('utf8'),
    now,
    ...(await artifactOf(a.target)),
  };
  if (a.key) req.key_pem = (await readSmall(a.key)).toString('utf8');
  else { req.identity = a.identity; req.issuer = a.issuer; }
  return req;
}

/**
 * Verifies a bundle through the core.
 * @param {BundleArgs} a
 * @returns {Promise<{ok: boolean, provenance?: object, error?: {code: string, message: string}}>}
 */
export async function verifyBundle(a) {
  return run(await bundleRequest(a, Math.floor(Date.now() / 1000)));
}

/**
 * @param {string[]} argv the arguments after "verify-bundle"
 * @returns {Promise<number>} the exit code
 */
export async function main(argv) {
  let a;
  try {
    a = parseBundleArgs(argv);
  } catch (e) {
    process.stderr.write(`verify-bundle: ${/** @type {Error} */ (e).message}\n`);
    return 2;
  }
  if (a.staging && !a.trustedRoot) {
    // Only the production trusted root ships with the package (docs/provenance.md).
    process.stderr.write('PROVENANCE_MALFORMED: the Sigstore staging trusted root is not shipped; pass --trusted-root\n');
    return 1;
  }
  let r;
  try {
    r = await verifyBundle(a);
  } catch (e) {
    process.stderr.write(`verify-bundle: ${/** @type {Error} */ (e).message}\n`);
    return 2;
  }
  if (r && r.ok) {
    process.stdout.write(`${JSON.stringify(r.provenance, null, 2)}\n`);
    return 0;
  }
  const err = (r && r.error) || { code: 'INTERNAL', message: 'the core gave no answer' };
  process.stderr.write(`${err.code}: ${err.message}\n`);
  return 1;
}
