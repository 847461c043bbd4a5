// Types of the cvm-verify JavaScript API (README "JavaScript API"; the report: docs/core-api.md, docs/checks.md).
// Checked by tsc in make test (tests/types/).

/** A check's outcome. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type Verdict = 'pass' | 'warn' | 'fail';

/** Check ids, in report order. */
export type CheckId =
  | 'quote.format' | 'hardware.signature' | 'collateral.validity' | 'tcb.status' | 'td.attributes'
  | 'eventlog.replay' | 'os.image' | 'app.compose_hash' | 'freshness.nonce' | 'report_data.binding'
  | 'app.images_pinned' | 'app.provenance' | 'policy.measurements' | 'governance.onchain';

export type TcbStatus =
  | 'UpToDate' | 'SWHardeningNeeded' | 'ConfigurationNeeded' | 'ConfigurationAndSWHardeningNeeded'
  | 'OutOfDate' | 'OutOfDateConfigurationNeeded' | 'Revoked';

export type TcbPolicyPreset = 'strict' | 'default' | 'permissive';

/** Reason codes of interface.md section 1, plus the core's request errors. */
export type ReasonCode =
  | 'OK' | 'QUOTE_TRUNCATED' | 'QUOTE_UNSUPPORTED_VERSION' | 'QUOTE_UNSUPPORTED_TEE' | 'QUOTE_UNSUPPORTED_KEY_TYPE'
  | 'QUOTE_MALFORMED' | 'CERT_CHAIN_INVALID' | 'CERT_EXPIRED' | 'CERT_REVOKED' | 'ROOT_CA_MISMATCH' | 'CRL_INVALID'
  | 'CRL_EXPIRED' | 'COLLATERAL_MISSING' | 'COLLATERAL_MALFORMED' | 'COLLATERAL_EXPIRED' | 'COLLATERAL_NOT_YET_VALID'
  | 'TCB_INFO_SIGNATURE_INVALID' | 'QE_IDENTITY_SIGNATURE_INVALID' | 'QE_IDENTITY_MISMATCH'
  | 'QE_REPORT_SIGNATURE_INVALID' | 'QE_REPORT_DATA_MISMATCH' | 'QUOTE_SIGNATURE_INVALID' | 'FMSPC_MISMATCH'
  | 'TCB_LEVEL_NOT_FOUND' | 'TDX_MODULE_MISMATCH' | 'TCB_REVOKED' | 'TCB_STATUS_NOT_ALLOWED' | 'TD_DEBUG'
  | 'TD_ATTRIBUTES_INVALID' | 'EVENT_LOG_MALFORMED' | 'RTMR_MISMATCH' | 'COMPOSE_HASH_MISMATCH' | 'COMPOSE_MISSING'
  | 'NONCE_MISMATCH' | 'REPORT_DATA_MISMATCH' | 'IMAGE_NOT_PINNED' | 'MEASUREMENT_MISMATCH' | 'EVIDENCE_MALFORMED'
  | 'FETCH_FAILED' | 'CORS_BLOCKED'
  | 'REQUEST_MALFORMED' | 'INPUT_TOO_LARGE' | 'OUT_OF_MEMORY' | 'INTERNAL'
  | 'PROVENANCE_MISSING' | 'PROVENANCE_MALFORMED' | 'PROVENANCE_INVALID' | 'PROVENANCE_SUBJECT_MISMATCH'
  | 'PROVENANCE_IDENTITY_MISMATCH' | 'PROVENANCE_SOURCE_MISMATCH'
  | 'APP_CONTRACT_MISMATCH' | 'COMPOSE_NOT_ALLOWED_ONCHAIN' | 'DEVICE_NOT_ALLOWED_ONCHAIN' | 'TCB_NOT_ALLOWED_ONCHAIN'
  | 'APP_NOT_REGISTERED' | 'OS_IMAGE_NOT_ALLOWED_ONCHAIN' | 'KMS_MISMATCH' | 'CHAIN_DISAGREEMENT' | 'CHAIN_UNAVAILABLE'
  | 'CHAIN_ID_MISMATCH' | 'CHAIN_INFO_MISSING'
  | 'NONCE_SELF_ASSERTED' | 'NONCE_MISSING' | 'COMPOSE_UNBOUND' | 'QUOTE_MISSING' | 'EVENT_LOG_MISSING'
  | 'OS_IMAGE_MISMATCH' | 'OS_MANIFEST_INVALID' | 'OS_IMAGE_DEV' | 'OS_IMAGE_UNVERIFIED' | 'OS_IMAGE_UNLISTED'
  | (string & {});

export interface Check {
  id: CheckId | (string & {});
  status: CheckStatus;
  /** 'OK' or a reason code. */
  code: ReasonCode;
  /** One human sentence. */
  message: string;
  /** False for checks that only inform (e.g. app.images_pinned by default): they never make the verdict fail. */
  enforced: boolean;
}

/** The report (`cvm-verify/report/v1`). Fields may be added in later versions, never removed. */
export interface Report {
  schema: 'cvm-verify/report/v1';
  verdict: Verdict;
  /** Unix seconds the evidence was judged at. */
  verified_at: number;
  verifier: { version: string; wasm_sha256: string };
  checks: Check[];
  /** Set when a required check could not be judged (e.g. --governance require and the chain unreachable): exit 3. */
  could_not_judge?: true;
  /** On-chain governance (docs/governance.md): null when not gathered; `ran: false` when no calls were made. */
  governance?: GovernanceSection | null;
  quote?: {
    version: number; tee: 'TDX' | 'SGX'; body_type?: number; mr_td?: string; rtmr0?: string; rtmr1?: string;
    rtmr2?: string; rtmr3?: string; report_data: string; mr_config_id?: string; mr_owner?: string;
    mr_owner_config?: string; mr_seam?: string; mr_signer_seam?: string; td_attributes?: string; xfam?: string;
    tee_tcb_svn?: string; debug: boolean; [k: string]: unknown;
  };
  platform?: { fmspc: string; pce_id: string; pck_ca: 'platform' | 'processor'; ppid?: string; [k: string]: unknown };
  tcb?: {
    status: TcbStatus | (string & {}); advisory_ids: string[]; platform_status?: string; qe_status?: string;
    module_status?: string; tcb_date?: string; evaluation_data_number?: number; [k: string]: unknown;
  };
  collateral?: {
    tcb_info_issue_date?: string; tcb_info_next_update?: string; qe_identity_next_update?: string;
    pck_crl_next_update?: string; root_crl_next_update?: string; expires_at?: string;
    /** The PCCS base URL the collateral came from, or 'supplied'. */
    source?: string; [k: string]: unknown;
  };
  event_log?: {
    rtmr: { index: number; quoted: string; replayed: string; match: boolean }[];
    events: { imr: number; type: number; name?: string; payload?: string; digest: string; digest_supplied_matches?: boolean }[];
    [k: string]: unknown;
  };
  app?: {
    app_id?: string; instance_id?: string; compose_hash?: string; key_provider?: { name: string; id?: string };
    os_image_hash?: string; runner?: string; images?: { service: string; image: string; pinned: boolean }[];
    /** The app-compose text the core read and hashed, and the compose file inside it: display these. */
    compose_text?: string | null; docker_compose_file?: string | null;
    [k: string]: unknown;
  };
  /** app.provenance (docs/provenance.md): one entry per image the bound compose pins; null when not checked. */
  provenance?: ProvenanceEntry[] | null;
  /** The OS image (os.image check; docs/os-image.md). */
  os?: OsSection | null;
  /** The evidence's host-supplied vm_config, null when it carries none. */
  vm_config?: VmConfigSection | null;
  /** What the core could judge only with more from the network (js/needs.js); the API answers what it may:
   *  provenance, chain_calls, os_catalog, collateral. */
  needs?: { provenance?: { image: string; digest: string; repository?: string }[];
    os_catalog?: { os_image_hash: string }; [k: string]: unknown };
  [k: string]: unknown;
}

/** One of MRTD, RTMR0..2: recomputed from the manifest (or pinned) vs. the quote's. */
export interface OsRegister { name: 'MRTD' | 'RTMR0' | 'RTMR1' | 'RTMR2'; expected: string | null; actual: string | null; match: boolean }

export interface OsSection {
  /** sha256(sha256sum.txt): the image the registers bind; null without a manifest. */
  image_hash: string | null;
  /** vm_config.os_image_hash (host-supplied). */
  claimed_image_hash: string | null;
  /** The RTMR3 os-image-hash event (what the KMS returned); may differ from image_hash, never merged. */
  event_image_hash: string | null;
  source: 'inline' | 'supplied' | 'catalog' | 'expected' | 'none';
  /** MRTD and RTMR0..2 equal an authenticated manifest's values, or all four equal the caller's pins. */
  verified: boolean;
  mrtd_candidate: 'two_pass' | 'single_pass' | null;
  registers: OsRegister[];
  name: string | null; version: string | null; dev: boolean | null; listed: boolean;
  /** Always false: the ACPI tables' contents are not proven (see not_proven). */
  acpi_verified: false;
  not_proven: string;
  [k: string]: unknown;
}

export interface VmConfigSection {
  supplied_by: 'host';
  fields: Record<string, unknown>;
  /** Fields present that the OS computation reads. */
  bound: string[];
  /** Fields whose exact value a verified manifest computation proves. */
  verified: string[];
  [k: string]: unknown;
}

/** What an image's verified Sigstore bundle proves (the Fulcio certificate's facts and the Rekor entry). */
export interface ProvenanceEntry {
  image: string;
  /** 'sha256:<64 hex>' */
  digest: string;
  /** skip: nothing was supplied or fetched and no source is expected. */
  status: CheckStatus;
  code: ReasonCode;
  message: string;
  /** e.g. 'https://github.com/owner/repo'; null unless a bundle verified (or verified from another source). */
  repository: string | null;
  commit: string | null;
  ref: string | null;
  workflow: string | null;
  runner_environment: string | null;
  issuer: string | null;
  log_index: number | null;
  /** Unix seconds (Rekor's integrated time). */
  integrated_time: number | null;
}

/**
 * Where app.provenance's Sigstore bundles come from. Fetching from GitHub is opt-in (it tells GitHub which
 * images are being checked): name `repository`, or set `fetch`.
 */
export interface ProvenanceOptions {
  /** Sigstore bundles or GitHub attestations API responses (JSON text, bytes or objects), offered for every pinned digest. */
  bundles?: (string | Uint8Array | Record<string, unknown> | unknown[])[];
  /** Fetch the attestations of every pinned digest from this GitHub repository ('owner/repo'). */
  repository?: string;
  /** Fetch from the repository each image implies (ghcr.io/owner/repo) or policy.expect.source names. */
  fetch?: boolean;
  /** A Sigstore trusted_root.json text instead of the shipped one (data/sigstore/trusted_root.json). */
  trustedRoot?: string;
  /** GitHub API base URL (default https://api.github.com). */
  apiBase?: string;
}

/**
 * A report returned by verifyCvm / verifyEvidence / verifyQuote. `evidence` is a NON-ENUMERABLE property:
 * it does not appear in JSON.stringify(report), Object.keys or the report schema. It holds the bundle the
 * report was made from (with the collateral used and the report), ready to save: JSON.stringify(report.evidence)
 * re-verifies offline with the same verdict (given the same options and `now`). Also reachable as
 * evidenceOf(report).
 */
export type VerifiedReport = Report & { readonly evidence: EvidenceBundle };

/** Intel DCAP collateral, in the dcap-qvl JSON form; byte fields as hex strings. */
export interface QuoteCollateralV3 {
  /** PEM chain (PCK CA, root). */
  pck_crl_issuer_chain: string;
  /** DER CRL of the Intel SGX Root CA, hex. */
  root_ca_crl: string;
  /** DER CRL of the PCK Processor or Platform CA, hex. */
  pck_crl: string;
  tcb_info_issuer_chain: string;
  /** The `tcbInfo` JSON text exactly as signed. */
  tcb_info: string;
  /** 64-byte ECDSA signature r||s, hex. */
  tcb_info_signature: string;
  qe_identity_issuer_chain: string;
  /** The `enclaveIdentity` JSON text exactly as signed. */
  qe_identity: string;
  qe_identity_signature: string;
  /** PEM leaf + CA + root; only for quotes whose certification data has no chain (types 2/3). */
  pck_certificate_chain?: string;
}

/** dstack GetQuote response (also accepted: legacy tappd TdxQuote {quote, event_log, hash_algorithm, prefix}). */
export interface GetQuoteResponse {
  /** Hex of the raw quote (with or without 0x). */
  quote: string;
  /** A JSON string holding the event log array. */
  event_log?: string;
  report_data?: string;
  vm_config?: string;
  [k: string]: unknown;
}

/** dstack Info response. */
export interface InfoResponse {
  app_id?: string;
  instance_id?: string;
  app_name?: string;
  /** JSON string or object: {mrtd, rtmr0..3, compose_hash, os_image_hash, event_log: [...], app_compose: "..."}. */
  tcb_info?: string | Record<string, unknown>;
  key_provider_info?: string;
  vm_config?: string;
  [k: string]: unknown;
}

/** The evidence bundle (`cvm-evidence/v1`): what --save-evidence and the page's download write. */
export interface EvidenceBundle {
  format: 'cvm-evidence/v1';
  /** The app's base URL, when fetched from one. */
  source_url?: string;
  /** ISO-8601 time of the fetch. */
  fetched_at?: string;
  /** Hex nonce sent as reportData (32 bytes), which report_data must start with. */
  nonce?: string;
  attestation?: GetQuoteResponse;
  info?: InfoResponse;
  /** Why `info` is absent when GET /info failed (the verification goes on without it). */
  info_error?: string;
  collateral?: QuoteCollateralV3;
  report?: Report;
  [k: string]: unknown;
}

/** Evidence of any shape of interface.md section 2. */
export type EvidenceInput =
  | EvidenceBundle | GetQuoteResponse | InfoResponse | Record<string, unknown>
  | string /* JSON text or hex quote */ | number[] /* quote bytes */ | Uint8Array | ArrayBuffer | ArrayBufferView;

export interface ChainOptions {
  /** JSON-RPC endpoints (at most 8), all asked for one pinned block; default: two public endpoints of the chain. */
  rpcUrls?: string[];
  /** 8453 (Base), 1 (Ethereum), ... */
  chainId?: number;
  /** The DstackApp contract (default: the app id replayed from the event log). */
  appContract?: string;
  /** The DstackKms contract. */
  kmsContract?: string;
}

export interface GovernanceCall {
  purpose: string; to: string; data: string;
  answer?: 'result' | 'revert' | 'error'; result?: string; value?: boolean | null;
  status?: CheckStatus; code?: ReasonCode; message?: string;
}

export interface GovernanceSection {
  mode: 'off' | 'auto' | 'require';
  ran: boolean;
  chain_id?: number;
  block_number?: number | null;
  app_contract?: string;
  app_contract_source?: 'app_id' | 'caller';
  kms_contract?: string;
  device_id?: string;
  os_image_hash?: string;
  os_image_hash_bound?: boolean;
  endpoints?: { url: string; chain_id: number | null; block_number: number | null; error: string | null }[];
  app?: { owner: string | null; upgradeable: boolean | null; upgradeable_note: string };
  kms?: { owner: string | null; upgradeable: boolean | null; upgradeable_note: string; ca_pubkey?: string };
  calls?: GovernanceCall[];
  [k: string]: unknown;
}

export interface PolicyObject {
  /** TCB policy preset (default 'default'). */
  tcb?: TcbPolicyPreset;
  /** Replaces the preset's accepted statuses: these pass (Revoked never does). */
  allowTcb?: TcbStatus[];
  /** Accept a debug TD. Never in production. */
  allowDebug?: boolean;
  /** Make app.images_pinned enforced (fail instead of warn). */
  requirePinnedImages?: boolean;
  /** governance.onchain: 'auto' (default) checks when the chain and contracts are known; 'require' fails (CLI exit 3
   * when the chain cannot be judged) unless checked; 'off' skips. */
  governance?: 'off' | 'auto' | 'require';
  /** OS images (os_image_hash, hex) accepted by os.image: a verified image on this list passes. */
  allowOsImages?: string[];
  /** Make an unverified OS image a failure of os.image (instead of a warning). */
  requireOsVerified?: boolean;
  /** Values the measurements must equal (hex, with or without 0x). */
  expect?: {
    mrtd?: string;
    rtmr?: { 0?: string; 1?: string; 2?: string; 3?: string };
    appId?: string;
    composeHash?: string;
    osImageHash?: string;
    /** 'owner/repo' or 'owner/repo@ref': every pinned image must have valid provenance from it (app.provenance enforced). */
    source?: string;
  };
}

/** A preset name or a policy object. Unknown keys are rejected (REQUEST_MALFORMED), never ignored. */
export type Policy = TcbPolicyPreset | PolicyObject;

export interface VerifyOptions {
  /** Collateral to use instead of fetching it (object or JSON text; Phala's {quote_collateral} accepted). */
  collateral?: QuoteCollateralV3 | Record<string, unknown> | string;
  /** Shown as report.collateral.source when `collateral` is given (e.g. the PCCS URL it was fetched from); default 'supplied'. */
  collateralSource?: string;
  /** PCCS / PCS base URL (default https://pccs.phala.network). */
  pccsUrl?: string;
  /** Verify as of this time: unix seconds (or a Date). Default: the current time. */
  now?: number | Date;
  /** Hex nonce the report_data must start with (verifyCvm: the nonce to send; default a fresh one). */
  nonce?: string;
  /** Exact report_data expected (hex, right-padded with zeros to 64 bytes). */
  reportData?: string;
  policy?: Policy;
  /** On-chain governance: the chain, the contracts and the JSON-RPC endpoints to ask (all must agree). */
  chain?: ChainOptions;
  /** fetch implementation (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
  /** Per-request timeout for evidence and collateral (default 15000). */
  timeoutMs?: number;
  /** When the PCCS has no rootcacrl endpoint (404), fetch the root CA CRL from Intel's distribution point. Default false. */
  rootCrlFallback?: boolean;
  /** Collateral cache (default a module-wide one); false disables caching. */
  cache?: CollateralCache | false;
  /** Sigstore bundles for app.provenance, and whether to fetch them from GitHub. */
  provenance?: ProvenanceOptions;
  /** Progress: called as each step starts and ends (evidence, collateral, verify). Display only: what it throws is ignored. */
  onStep?: (step: VerifyStep) => void;
  /**
   * Check freshness against the nonce a cvm-evidence bundle records (re-verifying a bundle you fetched
   * yourself). Without it that nonce leaves freshness.nonce skipped (NONCE_SELF_ASSERTED): anyone can write one.
   */
  nonceFromEvidence?: boolean;
  /** issue 16: the KMS's evidence (any evidence shape); the result is then an AppReport (app → KMS chain). */
  kmsEvidence?: EvidenceInput;
  /** Which build of the core runs it: 'full' (default), or 'badge': the smaller core without Sigstore, whose
   *  app.provenance check answers PROVENANCE_NOT_BUILT (never a pass). docs/performance.md §5. */
  core?: 'full' | 'badge';
  /** An OS image manifest (dstack's sha256sum.txt and measurement.tdx.cbor), as bytes or base64. */
  osManifest?: { checksumFile: Uint8Array | ArrayBuffer | string; measurement: Uint8Array | ArrayBuffer | string };
}

export type StepName = 'evidence' | 'collateral' | 'verify';
export type StepStatus = 'running' | 'done' | 'skip' | 'error';
/** One progress event of onStep. */
export interface VerifyStep {
  step: StepName;
  status: StepStatus;
  /** collateral: the PCCS base URL, or 'supplied'; evidence: 'given' for evidence passed in. */
  source?: string;
  /** evidence of verifyCvm: the app URL, and (done) the nonce sent. */
  url?: string;
  nonce?: string;
  /** verify, done: the verdict. */
  verdict?: Verdict;
  /** status 'error': what the step failed with. */
  error?: unknown;
  [k: string]: unknown;
}

/** issue 16: one CVM of an app (docs/core-api.md, "cvm-verify/app-report/v1"). */
export interface AppCvm {
  name?: string; vm_uuid?: string; instance_id?: string; status?: string; image_version?: string;
  verdict: 'pass' | 'warn' | 'fail';
  /** The CVM's report; absent when its evidence could not be judged (error_response holds the core's error). */
  report?: Report;
  error_response?: { error: { code: ReasonCode; message: string } };
}

/** issue 16: an app of several CVMs: a Phala Cloud app's recorded attestations, or evidence with kmsEvidence. */
export interface AppReport {
  schema: 'cvm-verify/app-report/v1';
  /** The worst running instance's verdict; fail when none runs, or when the KMS fails or is not bound. */
  verdict: 'pass' | 'warn' | 'fail';
  source: 'phala' | 'evidence';
  /** One sentence: what decided the verdict and what was not checked (freshness of recorded quotes, the KMS). */
  summary: string;
  app_id?: string | null;
  contract_address?: string | null;
  /** Handed to the governance check: from kms_info unless the request gave chain. */
  chain: { chain_id?: number; app_contract?: string; kms_contract?: string } | null;
  freshness: { status: string; code?: ReasonCode; message: string };
  instances: AppCvm[];
  stopped: { name?: string; vm_uuid?: string; status?: string; code: 'INSTANCE_NOT_RUNNING'; message: string }[];
  kms: (AppCvm & { source: 'kms_evidence' | 'kms_guest_agent_info'; binding: { status: 'pass' | 'fail'; code: ReasonCode; message: string } }) | null;
  gateway: (AppCvm & { source: 'gateway_guest_agent_info'; informational: true }) | null;
  instances_running: number;
  instances_stopped: number;
}

export const APP_SCHEMA: 'cvm-verify/app-report/v1';
/** issue 16: fetch GET {phalaApi}/apps/{appId}/attestations (default https://cloud-api.phala.com/api/v1) and verify it. */
export function verifyPhalaApp(appId: string, options?: VerifyOptions & { phalaApi?: string }): Promise<AppReport>;
export function formatAppReport(app: AppReport, opts?: { color?: boolean; target?: string }): string;
/** The app id a target names when it is a Phala app's recorded attestations (phala:<id>, a Trust Center or dashboard
 *  URL), else null; an app's own endpoint stays a URL target (fresh evidence beats recorded quotes). */
export function parsePhalaAppTarget(target: string): string | null;
/** The app id of a bare id (40 hex digits, optional 0x), lower-cased; null otherwise. */
export function asAppId(s: string): string | null;

/** Rejections carry a reason code: FETCH_FAILED, CORS_BLOCKED, EVIDENCE_MALFORMED, REQUEST_MALFORMED, ... */
export interface VerifyError extends Error {
  code: ReasonCode;
}

/** Fetch a CVM app's evidence (fresh nonce), fetch collateral, verify. */
export function verifyCvm(url: string | URL, options?: VerifyOptions): Promise<VerifiedReport>;
/** Verify evidence of any shape; fetches collateral when there is a quote and none was supplied. */
export function verifyEvidence(evidence: EvidenceInput, options?: VerifyOptions): Promise<VerifiedReport>;
/** Verify a DCAP quote alone (the app checks are skipped). */
export function verifyQuote(quote: EvidenceInput, options?: VerifyOptions): Promise<VerifiedReport>;
/** GET {url}/attestation?reportData=<nonce> and GET {url}/info. */
export function fetchEvidence(
  url: string | URL,
  options?: { nonce?: string; fetch?: typeof globalThis.fetch; signal?: AbortSignal; timeoutMs?: number },
): Promise<EvidenceBundle>;
/** Fetch the collateral for the quote in `quote` (any evidence shape holding one). */
export function fetchCollateral(
  quote: EvidenceInput,
  options?: { pccsUrl?: string; fetch?: typeof globalThis.fetch; signal?: AbortSignal; timeoutMs?: number; cache?: CollateralCache | false; rootCrlFallback?: boolean },
): Promise<QuoteCollateralV3>;
/** 32 random bytes from crypto.getRandomValues, as 64 hex digits. */
export function newNonce(): string;
/** The bundle a report of this API was made from (same as report.evidence). */
export function evidenceOf(report: Report): EvidenceBundle | undefined;
/** The CLI's exit code for a report (0 pass/warn, 1 fail) or for an error (2 malformed input, 3 otherwise). */
export function exitCodeFor(report: Report | null, error?: unknown): 0 | 1 | 2 | 3;
/** The core's policy object for a Policy (throws REQUEST_MALFORMED on unknown keys or bad values). */
export function toCorePolicy(policy: Policy | undefined): Record<string, unknown> | undefined;

/** In-memory collateral cache keyed by service, TEE, FMSPC and PCK CA; entries expire at the earliest nextUpdate. */
export class CollateralCache {
  constructor(opts?: { maxEntries?: number; clock?: () => number });
  get(key: string): QuoteCollateralV3 | undefined;
  set(key: string, value: QuoteCollateralV3, expiresAtMs: number): void;
  clear(): void;
  readonly size: number;
}

export const VERSION: string;
export const DEFAULT_PCCS_URL: string;
export const EVIDENCE_FORMAT: 'cvm-evidence/v1';
export const CHECK_IDS: readonly CheckId[];
export const TCB_POLICIES: readonly TcbPolicyPreset[];
export const TCB_STATUSES: readonly TcbStatus[];
/** Every reason code the core can give (from the core's own table). */
export const REASON_CODES: readonly ReasonCode[];
