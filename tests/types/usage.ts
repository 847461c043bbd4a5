// A typed use of the public API (js/index.d.ts). It is compiled by tsc, never run.
import {
  verifyCvm, verifyEvidence, verifyQuote, fetchEvidence, fetchCollateral, newNonce, evidenceOf, exitCodeFor,
  toCorePolicy, CollateralCache, VERSION, DEFAULT_PCCS_URL, EVIDENCE_FORMAT, CHECK_IDS, TCB_POLICIES, TCB_STATUSES,
  REASON_CODES,
} from '../../js/index.js';
import type { VerifyOptions, VerifyStep, Report, VerifiedReport, EvidenceBundle, CheckId, ReasonCode } from '../../js/index.js';

const steps: VerifyStep[] = [];
const options: VerifyOptions = {
  pccsUrl: DEFAULT_PCCS_URL,
  now: 1788000000,
  nonce: newNonce(),
  nonceFromEvidence: false,
  policy: { tcb: 'strict', requirePinnedImages: true, expect: { composeHash: '00'.repeat(32), rtmr: { 3: '00'.repeat(48) } } },
  onStep: (s) => { steps.push(s); if (s.step === 'collateral' && s.status === 'done') console.log(s.source); },
  cache: new CollateralCache(),
};

async function use(): Promise<number> {
  const r: VerifiedReport = await verifyCvm('https://app.example.com', options);
  const saved: EvidenceBundle = r.evidence;
  const again: Report = await verifyEvidence(JSON.stringify(saved), { ...options, nonceFromEvidence: true });
  const q = await verifyQuote(new Uint8Array(8), { collateral: await fetchCollateral(new Uint8Array(8)) });
  const b = await fetchEvidence('https://app.example.com', { nonce: newNonce() });
  const text: string | null | undefined = again.app?.compose_text;
  const ids: readonly CheckId[] = CHECK_IDS;
  const codes: readonly ReasonCode[] = REASON_CODES;
  const failed = again.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.code}`);
  console.log(VERSION, EVIDENCE_FORMAT, TCB_POLICIES, TCB_STATUSES, ids, codes, failed, text, b.nonce, q.verdict, evidenceOf(r), toCorePolicy('default'));
  return exitCodeFor(again);
}
void use;
