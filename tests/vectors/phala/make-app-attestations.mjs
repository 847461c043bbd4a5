// Builds a RECONSTRUCTION of a Phala Cloud `GET /apps/{app_id}/attestations` response
// (tests/vectors/README.md, "phala/") from real dstack data in ../dstack/. The shape follows
// @phala/cloud's published zod schema (Phala-Network/phala-cloud js/src/actions/apps/get_app_attestation.ts:
// AppAttestationResponseSchema {app_id, contract_address, kms_info{contract_address, chain_id (number | null),
// version, url, gateway_app_id, gateway_app_url, kms_type}, instances[AppAttestationInstanceSchema],
// kms_guest_agent_info, gateway_guest_agent_info (passthrough objects or null), qemu_version}) and, for the
// guest-agent infos' inner members (tcb_info, app_certificates[0].quote, vm_config), what Phala's Trust Center
// reads from them. The evidence inside is real; the envelope values (names, uuids, statuses, KMS contract and
// chain) are illustrative, the KMS values copied from @phala/cloud's own test fixture.
//   node tests/vectors/phala/make-app-attestations.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);
const dstack = new URL('../dstack/', here);
const json = (/** @type {string} */ f) => JSON.parse(readFileSync(new URL(f, dstack), 'utf8'));
const hex = (/** @type {Uint8Array} */ b) => Buffer.from(b).toString('hex');

// The TD report's registers, as tcb_info claims them (TDX quote v4: body at 48; mrtd at +136, rtmr0..3 at +328).
function registers(/** @type {Buffer} */ q) {
  const at = (/** @type {number} */ o) => hex(q.subarray(48 + o, 48 + o + 48));
  return { mrtd: at(136), rtmr0: at(328), rtmr1: at(376), rtmr2: at(424), rtmr3: at(472) };
}

// Instance 1: the near/mpc CVM (quote 0x-prefixed, as the cloud API serves quote fields: dstack.md 1.7).
const nearQuote = Buffer.from(json('near-mpc_quote.json'));
const nearTcb = json('near-mpc_tcb_info.json');
const nearInfo = json('near-mpc_info.json');
const appCompose = readFileSync(new URL('near-mpc_app_compose.json', dstack), 'utf8');
if (appCompose !== nearTcb.app_compose) throw new Error('app_compose differs from tcb_info.app_compose');

// Instance 2: the dstack-lite capture (stripped event log; its vm_config beside it).
const lite = json('dstack-lite_getquote.json');
const liteQuote = Buffer.from(lite.quote, 'hex');

// A stand-in for kms_guest_agent_info: dstack's guest-agent V0 fixture (a CVM using a KMS, NOT a KMS itself:
// binding checks against it must fail). Decoded here from SCALE (layout: src/attestation.h).
const v0 = readFileSync(new URL('dstack-guest-agent_attestation_v0.bin', dstack));
let p = 2;
const compact = () => {
  const m = v0[p] & 3;
  if (m === 0) return v0[p++] >> 2;
  if (m === 1) { const v = v0.readUInt16LE(p) >> 2; p += 2; return v; }
  const v = v0.readUInt32LE(p) >>> 2; p += 4; return v;
};
const bytes = () => { const n = compact(); const b = v0.subarray(p, p + n); p += n; return b; };
const v0Quote = Buffer.from(bytes());
const v0Log = [];
for (let n = compact(); n > 0; n--) {
  const imr = v0.readUInt32LE(p), type = v0.readUInt32LE(p + 4); p += 8;
  v0Log.push({ imr, event_type: type, digest: hex(bytes()), event: bytes().toString('utf8'), event_payload: hex(bytes()) });
}
for (let n = compact(); n > 0; n--) { bytes(); bytes(); }
p += 64;
const v0Config = JSON.parse(bytes().toString('utf8'));
const rt = (/** @type {string} */ name) => v0Log.find((e) => e.imr === 3 && e.event === name)?.event_payload ?? '';
const kmsInfoTcb = { ...registers(v0Quote), os_image_hash: rt('os-image-hash'), compose_hash: rt('compose-hash'),
  device_id: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', event_log: v0Log };

const response = {
  app_id: nearInfo.app_id,
  contract_address: `0x${nearInfo.app_id}`,
  kms_info: {
    contract_address: '0x2f83172A49584C017F2B256F0FB2Dca14126Ba9C',
    chain_id: 8453,
    version: 'v0.5.7',
    url: 'https://kms.example.network',
    gateway_app_id: '0x55760b065A3f1EAbdb1a4d7AbB94950f31B91A84',
    gateway_app_url: 'https://gateway.example.network',
    kms_type: 'base',
  },
  instances: [
    {
      vm_uuid: '00000000-0000-4000-8000-000000000001',
      name: nearInfo.app_name,
      instance_id: nearInfo.instance_id,
      status: 'running',
      image_version: 'dstack-0.5.3',
      quote: `0x${hex(nearQuote)}`,
      device_id: nearTcb.device_id,
      fmspc: 'B0C06F000000',
      tcb_info: { ...nearTcb },
      app_certificates: null,
      compose_file: appCompose,
      error: null,
    },
    {
      vm_uuid: '00000000-0000-4000-8000-000000000002',
      name: 'dstack-lite-capture',
      instance_id: null,
      status: 'running',
      image_version: 'dstack-0.6.0',
      quote: lite.quote,
      fmspc: '90C06F000000',
      // The capture has no app_compose, so none is given (a live response always has one).
      tcb_info: { ...registers(liteQuote), event_log: JSON.parse(lite.event_log) },
      vm_config: lite.vm_config,
      app_certificates: null,
      compose_file: null,
      error: null,
    },
    {
      vm_uuid: '00000000-0000-4000-8000-000000000003',
      name: `${nearInfo.app_name}-stopped`,
      instance_id: null,
      status: 'stopped',
      image_version: 'dstack-0.5.3',
      quote: null,
      tcb_info: null,
      app_certificates: null,
      compose_file: null,
      error: null,
    },
  ],
  kms_guest_agent_info: {
    app_id: rt('app-id'),
    instance_id: rt('instance-id'),
    app_name: 'kms-stand-in',
    device_id: kmsInfoTcb.device_id,
    tcb_info: kmsInfoTcb,
    app_certificates: [{ quote: hex(v0Quote) }],
    vm_config: v0Config.vm_config,
  },
  gateway_guest_agent_info: null,
  qemu_version: '8.2.2',
};
writeFileSync(new URL('app_attestations_reconstructed.json', here), `${JSON.stringify(response, null, 2)}\n`);
console.log(`instances: ${response.instances.length}; kms stand-in log: ${v0Log.length} events`);
