#!/usr/bin/env node
// Writes web/sample-near-mpc.json, the page's "Try a sample" evidence, from the recorded near/mpc test
// vectors (tests/vectors/dstack/, provenance in tests/vectors/README.md). Run it again only when those change:
//   node scripts/make-sample.mjs
// The bundle has no nonce on purpose: the recording's report_data is not a nonce of ours, so the page must
// report freshness as skipped for it. It is verified as of its recording time (1788000000).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vec = (name) => JSON.parse(readFileSync(join(root, 'tests/vectors/dstack', name), 'utf8'));

const SAMPLE_NOW = 1788000000;

const bundle = {
  format: 'cvm-evidence/v1',
  source_url: 'recorded sample: near/mpc test assets',
  fetched_at: new Date(SAMPLE_NOW * 1000).toISOString(),
  attestation: vec('near-mpc_getquote.json'),
  info: vec('near-mpc_info.json'),
  collateral: vec('near-mpc_collateral.json'),
};

const out = join(root, 'web/sample-near-mpc.json');
writeFileSync(out, JSON.stringify(bundle, null, 2) + '\n');
console.log(`wrote ${out}`);
