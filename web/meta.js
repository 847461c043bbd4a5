// What the page says about each check, step, event type and TD attribute bit.
// The check titles and texts are display copy; their ids must be the core's (tests/js/input-robustness.test.mjs
// compares them with the core's table; what each check proves: docs/checks.md).

export const CHECKS = [
  { id: 'quote.format', title: 'Quote format',
    proves: 'The quote parses: supported version, TEE type, key type and lengths.',
    attack: 'Malformed or truncated input' },
  { id: 'hardware.signature', title: 'Hardware signature',
    proves: 'The PCK certificate chain leads to the pinned Intel SGX Root CA; CRLs, the QE report signature and binding, the QE identity and the quote signature all verify.',
    attack: 'A fake TEE or a simulated quote' },
  { id: 'collateral.validity', title: 'Collateral validity',
    proves: 'TCB info, QE identity and CRLs are signed by Intel and inside their validity windows at the verification time.',
    attack: 'Stale or forged collateral' },
  { id: 'tcb.status', title: 'TCB status',
    proves: "The platform's TCB level (firmware and microcode patch level), judged by the TCB policy.",
    attack: 'Known-vulnerable platforms' },
  { id: 'td.attributes', title: 'TD attributes',
    proves: 'Not a debug TD; SEPT_VE_DISABLE set; no reserved bits; not a service TD.',
    attack: 'A debuggable (readable) TD' },
  { id: 'eventlog.replay', title: 'Event log replay',
    proves: 'Replaying the event log gives the quoted RTMR0..3; runtime event digests are recomputed from their payloads.',
    attack: 'A forged event log' },
  { id: 'os.image', title: 'OS image',
    proves: 'MRTD and RTMR0..2 equal the values recomputed from the OS image manifest (authenticated by its hash), or the values you pinned: the OS that wrote RTMR3 is known.',
    attack: 'A modified OS that reports the expected compose hash while running other code' },
  { id: 'app.compose_hash', title: 'Compose hash',
    proves: 'sha256 of the app-compose text equals the compose-hash event measured into RTMR3 (and mr_config_id when set).',
    attack: 'Code substitution' },
  { id: 'freshness.nonce', title: 'Freshness',
    proves: "report_data starts with this verifier's fresh nonce, so the quote was made for this request.",
    attack: 'Replay of old quotes' },
  { id: 'report_data.binding', title: 'Report data binding',
    proves: 'report_data equals the value expected (or the value the server claims).',
    attack: 'Data tampering' },
  { id: 'app.images_pinned', title: 'Pinned images',
    proves: 'Every container image in the compose file is pinned by digest (a warning by default).',
    attack: 'Mutable image tags' },
  { id: 'app.provenance', title: 'Source provenance',
    proves: 'Each pinned image was built from a named repository, commit and CI workflow (a verified Sigstore bundle, logged in Rekor).',
    attack: 'Images of unknown origin' },
  { id: 'policy.measurements', title: 'Expected measurements',
    proves: 'MRTD, RTMRs, app id, compose hash and OS image hash equal the values you expect.',
    attack: 'An unexpected OS or app' },
  { id: 'governance.onchain', title: 'On-chain governance',
    proves: "The app's DstackApp contract allows this compose hash, device and TCB, and the DstackKms serves the app, allows its OS image and holds its keys — as of the block asked, with every RPC endpoint agreeing.",
    attack: 'Code the app’s governance never approved' },
];

export const CHECK_BY_ID = Object.fromEntries(CHECKS.map((c) => [c.id, c]));

// The progress steps. `check` maps a step to the report check that decides it.
export const STEPS = [
  { id: 'fetch-attestation', label: 'Fetch attestation' },
  { id: 'fetch-collateral', label: 'Fetch collateral' },
  { id: 'hardware', label: 'Hardware signature', check: 'hardware.signature' },
  { id: 'collateral', label: 'Collateral validity', check: 'collateral.validity' },
  { id: 'tcb', label: 'TCB status', check: 'tcb.status' },
  { id: 'eventlog', label: 'Event log replay', check: 'eventlog.replay' },
  { id: 'compose', label: 'Compose hash', check: 'app.compose_hash' },
  { id: 'freshness', label: 'Freshness', check: 'freshness.nonce' },
];

export const STATUS_TEXT = {
  pass: 'Pass', warn: 'Warning', fail: 'Fail', skip: 'Skipped', error: 'Error',
  running: 'Working', pending: 'Waiting', done: 'Done',
};

export const TCB_POLICIES = {
  strict: 'Strict: only UpToDate passes',
  default: 'Default: UpToDate passes; hardening or configuration needed warns; out of date fails',
  permissive: 'Permissive: everything but Revoked only warns',
};

// TCG PC Client / UEFI event types, plus dstack's runtime event type.
export const EVENT_TYPES = {
  0x0: 'EV_PREBOOT_CERT', 0x1: 'EV_POST_CODE', 0x2: 'EV_UNUSED', 0x3: 'EV_NO_ACTION', 0x4: 'EV_SEPARATOR',
  0x5: 'EV_ACTION', 0x6: 'EV_EVENT_TAG', 0x7: 'EV_S_CRTM_CONTENTS', 0x8: 'EV_S_CRTM_VERSION',
  0x9: 'EV_CPU_MICROCODE', 0xa: 'EV_PLATFORM_CONFIG_FLAGS', 0xb: 'EV_TABLE_OF_DEVICES', 0xc: 'EV_COMPACT_HASH',
  0xd: 'EV_IPL', 0xe: 'EV_IPL_PARTITION_DATA', 0xf: 'EV_NONHOST_CODE', 0x10: 'EV_NONHOST_CONFIG',
  0x11: 'EV_NONHOST_INFO', 0x12: 'EV_OMIT_BOOT_DEVICE_EVENTS',
  0x80000001: 'EV_EFI_VARIABLE_DRIVER_CONFIG', 0x80000002: 'EV_EFI_VARIABLE_BOOT',
  0x80000003: 'EV_EFI_BOOT_SERVICES_APPLICATION', 0x80000004: 'EV_EFI_BOOT_SERVICES_DRIVER',
  0x80000005: 'EV_EFI_RUNTIME_SERVICES_DRIVER', 0x80000006: 'EV_EFI_GPT_EVENT', 0x80000007: 'EV_EFI_ACTION',
  0x80000008: 'EV_EFI_PLATFORM_FIRMWARE_BLOB', 0x80000009: 'EV_EFI_HANDOFF_TABLES',
  0x8000000a: 'EV_EFI_PLATFORM_FIRMWARE_BLOB2', 0x8000000b: 'EV_EFI_HANDOFF_TABLES2',
  0x8000000c: 'EV_EFI_VARIABLE_BOOT2', 0x80000010: 'EV_EFI_HCRTM_EVENT', 0x800000e0: 'EV_EFI_VARIABLE_AUTHORITY',
  0x800000e1: 'EV_EFI_SPDM_FIRMWARE_BLOB', 0x800000e2: 'EV_EFI_SPDM_FIRMWARE_CONFIG',
  0x08000001: 'dstack runtime event',
};

// TDX TD attributes (TDX module ABI): bit number -> [name, what it means].
export const TD_ATTRIBUTE_BITS = {
  0: ['DEBUG', 'Debug TD: the host can read and change its memory and state'],
  1: ['HGS_PLUS_PROF', 'Guest profiling by the host (HGS+)'],
  2: ['PERF_PROF', 'Performance profiling by the host'],
  3: ['PMT_PROF', 'PMT profiling by the host'],
  16: ['ICSSD', 'In-context speculative side-channel defence'],
  27: ['LASS', 'Linear address space separation'],
  28: ['SEPT_VE_DISABLE', 'EPT violations are not turned into #VE in the guest'],
  29: ['MIGRATABLE', 'The TD can be migrated'],
  30: ['PKS', 'Supervisor protection keys'],
  31: ['KL', 'Key Locker'],
  62: ['TPA', 'TD partitioning'],
  63: ['PERFMON', 'Performance monitoring'],
};
