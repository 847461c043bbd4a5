// Evidence fixtures for the browser tests, built from the recorded near/mpc vectors (tests/vectors/dstack/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './launch.mjs';

export const NOW = 1788000000; // the recording's time window (tests/vectors/README.md)

const VEC = join(ROOT, 'tests/vectors');
const read = (p) => JSON.parse(readFileSync(join(VEC, p), 'utf8'));

/** The dstack-near-mpc case of cases.json (its expected values). */
export function nearMpcCase() {
  const c = read('cases.json').cases.find((x) => x.id === 'dstack-near-mpc');
  if (!c) throw new Error('cases.json has no dstack-near-mpc case');
  return c;
}

/** A cvm-evidence/v1 bundle of the recording, with collateral. */
export function nearMpcBundle() {
  return {
    format: 'cvm-evidence/v1',
    source_url: 'test: near/mpc recording',
    fetched_at: new Date(NOW * 1000).toISOString(),
    attestation: read('dstack/near-mpc_getquote.json'),
    info: read('dstack/near-mpc_info.json'),
    collateral: read('dstack/near-mpc_collateral.json'),
  };
}

/**
 * The bundle with one byte of one runtime event's payload changed (in the GetQuote event log and in the Info
 * tcb_info event log alike), leaving its supplied digest as it was.
 */
export function tamperedBundle(eventName = 'mpc-image-digest') {
  const b = nearMpcBundle();
  const flip = (events) => {
    const e = events.find((x) => x.event === eventName);
    if (!e || !e.event_payload) throw new Error(`no ${eventName} event with a payload`);
    const c = e.event_payload[0];
    e.event_payload = (c === '0' ? '1' : '0') + e.event_payload.slice(1);
    return events;
  };
  const att = b.attestation;
  att.event_log = JSON.stringify(flip(JSON.parse(att.event_log)));
  const tcb = JSON.parse(b.info.tcb_info);
  tcb.event_log = flip(tcb.event_log);
  b.info.tcb_info = JSON.stringify(tcb);
  return b;
}

/** The SGX v3 quote of dcap/ (ConfigurationAndSWHardeningNeeded, two advisories) with its collateral. */
export function sgxBundle() {
  return {
    format: 'cvm-evidence/v1',
    attestation: { quote: readFileSync(join(VEC, 'dcap/sgx_quote')).toString('hex') },
    collateral: read('dcap/sgx_quote_collateral.json'),
  };
}
