// Reconstructs dstack V1 attestations (MessagePack) from the real V0 fixture
// dstack-guest-agent_attestation_v0.bin, following the V1 schema of dstack's
// dstack-attest crate as serialised by rmp_serde's named-field maps:
// structs and the {kind, data} enums are maps with string keys; plain
// Vec<u8> (quote, report_data) is an array of integers; serde_human_bytes
// fields (digest, event_payload, payload) are binary; an event's "version"
// appears only for V2 events. Written from the format definition, not from
// dstack output: see tests/vectors/README.md.
//   node tests/vectors/dstack/make-attestation-v1.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('.', import.meta.url);
const v0 = readFileSync(new URL('dstack-guest-agent_attestation_v0.bin', dir));

// ---- SCALE reader for the V0 layout (attestation.h) ----
let p = 0;
const u8 = () => v0[p++];
const u32 = () => { const v = v0.readUInt32LE(p); p += 4; return v; };
function compact() {
	const m = v0[p] & 3;
	if (m === 0) return v0[p++] >> 2;
	if (m === 1) { const v = v0.readUInt16LE(p) >> 2; p += 2; return v; }
	if (m === 2) { const v = v0.readUInt32LE(p) >>> 2; p += 4; return v; }
	throw new Error('big compact not expected');
}
const bytes = () => { const n = compact(); const b = v0.subarray(p, p + n); p += n; return b; };
if (u8() !== 0 || u8() !== 0) throw new Error('not a V0 TDX attestation');
const quote = bytes();
const events = [];
for (let n = compact(); n > 0; n--)
	events.push({ imr: u32(), event_type: u32(), digest: bytes(), event: bytes().toString('utf8'), event_payload: bytes() });
const runtime = [];
for (let n = compact(); n > 0; n--) runtime.push({ event: bytes().toString('utf8'), payload: bytes() });
const reportData = v0.subarray(p, p + 64); p += 64;
const config = bytes().toString('utf8');
if (p !== v0.length) throw new Error('trailing bytes');

// ---- MessagePack writer (the subset rmp_serde emits) ----
function enc(v) {
	if (typeof v === 'number') {
		if (v < 0x80) return Buffer.from([v]);
		if (v < 0x100) return Buffer.from([0xcc, v]);
		if (v < 0x10000) { const b = Buffer.alloc(3); b[0] = 0xcd; b.writeUInt16BE(v, 1); return b; }
		const b = Buffer.alloc(5); b[0] = 0xce; b.writeUInt32BE(v, 1); return b;
	}
	if (typeof v === 'string') {
		const s = Buffer.from(v, 'utf8');
		let h;
		if (s.length < 32) h = Buffer.from([0xa0 | s.length]);
		else if (s.length < 0x100) h = Buffer.from([0xd9, s.length]);
		else if (s.length < 0x10000) { h = Buffer.alloc(3); h[0] = 0xda; h.writeUInt16BE(s.length, 1); }
		else { h = Buffer.alloc(5); h[0] = 0xdb; h.writeUInt32BE(s.length, 1); }
		return Buffer.concat([h, s]);
	}
	if (v instanceof Bin) {
		const b = v.b;
		let h;
		if (b.length < 0x100) h = Buffer.from([0xc4, b.length]);
		else if (b.length < 0x10000) { h = Buffer.alloc(3); h[0] = 0xc5; h.writeUInt16BE(b.length, 1); }
		else { h = Buffer.alloc(5); h[0] = 0xc6; h.writeUInt32BE(b.length, 1); }
		return Buffer.concat([h, b]);
	}
	if (Array.isArray(v) || v instanceof Uint8Array) {
		const a = [...v];
		let h;
		if (a.length < 16) h = Buffer.from([0x90 | a.length]);
		else if (a.length < 0x10000) { h = Buffer.alloc(3); h[0] = 0xdc; h.writeUInt16BE(a.length, 1); }
		else { h = Buffer.alloc(5); h[0] = 0xdd; h.writeUInt32BE(a.length, 1); }
		return Buffer.concat([h, ...a.map(enc)]);
	}
	const keys = Object.keys(v);
	if (keys.length >= 16) throw new Error('map too large for this writer');
	return Buffer.concat([Buffer.from([0x80 | keys.length]), ...keys.flatMap((k) => [enc(k), enc(v[k])])]);
}
class Bin { constructor(b) { this.b = Buffer.from(b); } }

const tdxEvent = (e) => ({ imr: e.imr, event_type: e.event_type, digest: new Bin(e.digest), event: e.event,
	event_payload: new Bin(e.event_payload) });
const ACPI = Buffer.from('ACPI DATA');
const isAcpi = (e) => e.imr === 0 && e.event_type === 10 && ACPI.equals(e.event_payload);
// dstack's certificate stripping: RTMR3 events keep payloads with an empty
// digest; the ACPI DATA events keep their digest and marker payload.
const stripped = events.filter((e) => e.imr === 3 || isAcpi(e))
	.map((e) => (e.imr === 3 ? { ...e, digest: Buffer.alloc(0) } : e));

function v1(log) {
	return enc({
		version: 1,
		platform: { kind: 'tdx', data: { quote: [...quote], event_log: log.map(tdxEvent) } },
		stack: { kind: 'dstack', data: { report_data: [...reportData],
			runtime_events: runtime.map((r) => ({ event: r.event, payload: new Bin(r.payload) })), config } },
	});
}
writeFileSync(new URL('attestation_v1_reconstructed.bin', dir), v1(events));
writeFileSync(new URL('attestation_v1_stripped_reconstructed.bin', dir), v1(stripped));
console.log(`quote ${quote.length} B, ${events.length} events (${stripped.length} after stripping), config ${config.length} B`);
