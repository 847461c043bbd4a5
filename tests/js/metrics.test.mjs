// Prometheus metrics of `cvm-verify monitor --metrics-port` (js/metrics.js): the exposition passes Prometheus's
// own linter (promtool check metrics), says what the monitor saw on real data, and the example alert rules
// load and fire as intended (promtool check rules / test rules).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startMockCvm } from '../mocks/cvm.mjs';
import { startMockPccs } from '../mocks/pccs.mjs';
import { run, deadPort, join, ROOT, VEC, NOW, vec, vecJson } from './helpers.mjs';
import { MonitorMetrics, DURATION_BUCKETS } from '../../js/metrics.js';
import { verifyEvidence } from '../../js/index.js';

/** @param {string[]} args @param {string} [input] */
function promtool(args, input) {
  const r = spawnSync('promtool', args, { cwd: ROOT, input, encoding: 'utf8' });
  if (r.error) assert.fail(`promtool could not run (${r.error.message}): install the Debian package prometheus (scripts/deps.sh system)`);
  return r;
}

/** @param {string} text */
function lint(text) {
  const r = promtool(['check', 'metrics'], text);
  assert.equal(r.status, 0, `promtool check metrics: ${r.stdout}${r.stderr}\n--- exposition ---\n${text}`);
}

/**
 * The samples of an exposition: "name{labels}" -> value.
 * @param {string} text
 */
function samples(text) {
  /** @type {Map<string, number>} */
  const m = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

test('a real report and an error: the exposition lints and says what was seen', async () => {
  const report = await verifyEvidence(vec('near-mpc_getquote.json'), { collateral: vecJson('near-mpc_collateral.json'), now: NOW });
  assert.ok(report.verdict === 'pass' || report.verdict === 'warn', report.verdict);
  const m = new MonitorMetrics();
  const ok = 'https://ok.example/"quoted"\\';
  m.record(ok, { report, seconds: 0.3, at: new Date(NOW * 1000) });
  const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'FETCH_FAILED' });
  m.record('https://down.example', { error: err, seconds: 12, at: new Date((NOW + 60) * 1000) });
  m.record('https://down.example', { error: err, seconds: 0.02, at: new Date((NOW + 120) * 1000) });
  const text = m.render();
  lint(text);
  const s = samples(text);
  const okL = 'target="https://ok.example/\\"quoted\\"\\\\"';
  const downL = 'target="https://down.example"';
  assert.equal(s.get(`cvm_verify_verdict{${okL},verdict="${report.verdict}"}`), 1);
  assert.equal(s.get(`cvm_verify_verdict{${okL},verdict="fail"}`), 0);
  assert.equal(s.get(`cvm_verify_verdict{${downL},verdict="error"}`), 1);
  assert.equal(s.get(`cvm_verify_up{${okL}}`), 1);
  assert.equal(s.get(`cvm_verify_up{${downL}}`), 0);
  assert.equal(s.get(`cvm_verify_last_success_timestamp_seconds{${okL}}`), NOW);
  assert.equal(s.has(`cvm_verify_last_success_timestamp_seconds{${downL}}`), false, 'never succeeded: no sample');
  assert.equal(s.get(`cvm_verify_last_run_timestamp_seconds{${downL}}`), NOW + 120);
  assert.equal(s.get(`cvm_verify_collateral_expiry_timestamp_seconds{${okL}}`), Date.parse(report.collateral.expires_at) / 1000);
  assert.equal(s.get(`cvm_verify_tcb_status{${okL},status="${report.tcb.status}"}`), 1);
  assert.equal(s.get(`cvm_verify_tcb_status{${okL},status="Revoked"}`), 0);
  assert.equal(s.get(`cvm_verify_app_info{${okL},app_id="${report.app.app_id}",compose_hash="${report.app.compose_hash}"}`), 1);
  assert.equal(s.get(`cvm_verify_errors_total{${downL},code="FETCH_FAILED"}`), 2);
  assert.equal(s.get(`cvm_verify_verifications_total{${downL},verdict="error"}`), 2);
  // The histogram: 0.02 s falls in every bucket, 12 s only in those from 20 s up.
  assert.equal(s.get(`cvm_verify_verification_duration_seconds_bucket{${downL},le="0.05"}`), 1);
  assert.equal(s.get(`cvm_verify_verification_duration_seconds_bucket{${downL},le="10"}`), 1);
  assert.equal(s.get(`cvm_verify_verification_duration_seconds_bucket{${downL},le="20"}`), 2);
  assert.equal(s.get(`cvm_verify_verification_duration_seconds_bucket{${downL},le="+Inf"}`), 2);
  assert.equal(s.get(`cvm_verify_verification_duration_seconds_count{${downL}}`), 2);
  assert.equal(s.get(`cvm_verify_verification_duration_seconds_sum{${downL}}`), 12.02);
  assert.equal(DURATION_BUCKETS.length + 1, [...s.keys()].filter((k) => k.startsWith(`cvm_verify_verification_duration_seconds_bucket{${okL}`)).length);
});

test('OS and governance states come from the report when it has them, and are absent otherwise', async () => {
  const report = await verifyEvidence(vec('near-mpc_getquote.json'), { collateral: vecJson('near-mpc_collateral.json'), now: NOW });
  const m = new MonitorMetrics();
  m.record('https://a.example', { report, seconds: 1 });
  const plain = samples(m.render());
  const hasOs = 'os' in report;
  const hasGov = report.checks.some((c) => c.id === 'governance.onchain');
  assert.equal([...plain.keys()].some((k) => k.startsWith('cvm_verify_os_verified')), hasOs);
  assert.equal([...plain.keys()].some((k) => k.startsWith('cvm_verify_governance')), hasGov);
  // A report of the shape issue 14 and 15 add (os.verified, a governance.onchain check).
  const extended = JSON.parse(JSON.stringify(report));
  extended.os = { ...(extended.os || {}), verified: false };
  extended.checks = [...extended.checks.filter((/** @type {any} */ c) => c.id !== 'governance.onchain'), { id: 'governance.onchain', status: 'fail', code: 'COMPOSE_NOT_ALLOWED_ONCHAIN', message: 'x', enforced: true }];
  m.record('https://b.example', { report: extended, seconds: 1 });
  const text = m.render();
  lint(text);
  const s = samples(text);
  assert.equal(s.get('cvm_verify_os_verified{target="https://b.example"}'), 0);
  assert.equal(s.get('cvm_verify_governance{target="https://b.example",state="fail"}'), 1);
  assert.equal(s.get('cvm_verify_governance{target="https://b.example",state="pass"}'), 0);
});

test('an empty registry renders an empty, valid exposition', () => {
  const text = new MonitorMetrics().render();
  assert.equal(text.trim(), '');
  lint(text);
});

test('monitor --metrics-port serves /metrics (and /healthz) for every round, and stops with the monitor', async (t) => {
  const cvm = await startMockCvm();
  const pccs = await startMockPccs();
  t.after(() => Promise.all([cvm.close(), pccs.close()]));
  const dead = `http://127.0.0.1:${await deadPort()}`;
  /** @type {string | null} */
  let scraped = null;
  /** @type {string | null} */
  let health = null;
  let lines = 0;
  let metricsUrl = '';
  let stderr = '';
  const r = await run(['monitor', cvm.url, dead, '--interval', '3600', '--pccs', pccs.url, '--now', String(NOW), '--metrics-port', '127.0.0.1:0'], {
    onStdout: (chunk, child) => {
      lines += chunk.split('\n').filter(Boolean).length;
      if (lines < 2 || scraped !== null) return;
      scraped = '';
      (async () => {
        for (let i = 0; i < 50 && !metricsUrl; i++) await new Promise((res) => setTimeout(res, 20));
        try {
          scraped = await (await fetch(metricsUrl)).text();
          health = await (await fetch(metricsUrl.replace('/metrics', '/healthz'))).text();
        } finally {
          child.kill('SIGTERM');
        }
      })();
    },
    onStderr: (chunk) => {
      stderr += chunk;
      const m = /metrics at (http:\S+)/.exec(stderr);
      if (m) metricsUrl = m[1];
    },
  });
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
  assert.ok(scraped, 'the metrics were scraped');
  assert.equal(health, 'ok\n');
  const text = /** @type {string} */ (scraped);
  lint(text);
  const s = samples(text);
  assert.equal(s.get(`cvm_verify_verdict{target="${cvm.url}",verdict="fail"}`), 1, 'the replaying mock fails freshness');
  assert.equal(s.get(`cvm_verify_tcb_status{target="${cvm.url}",status="UpToDate"}`), 1);
  assert.equal(s.get(`cvm_verify_verdict{target="${dead}",verdict="error"}`), 1);
  assert.equal(s.get(`cvm_verify_errors_total{target="${dead}",code="FETCH_FAILED"}`), 1);
  assert.equal(s.get(`cvm_verify_up{target="${dead}"}`), 0);
});

test('--metrics-port is a monitor option with a PORT or HOST:PORT value', async () => {
  const f = join(VEC, 'near-mpc_getquote.json');
  const v = await run([f, '--metrics-port', '9464']);
  assert.equal(v.code, 2);
  assert.match(v.stderr, /--metrics-port is an option of "cvm-verify monitor"/);
  for (const bad of ['http://x:1', '70000', 'host:', ':9464']) {
    const b = await run(['monitor', 'http://127.0.0.1:1', '--once', '--metrics-port', bad]);
    assert.equal(b.code, 2, bad);
    assert.match(b.stderr, /--metrics-port takes PORT or HOST:PORT/, bad);
  }
});

test('a metrics port already in use is a usage error (exit 2) before any round', async (t) => {
  const cvm = await startMockCvm();
  t.after(() => cvm.close());
  const r = await run(['monitor', cvm.url, '--once', '--metrics-port', `127.0.0.1:${cvm.port}`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`--metrics-port: cannot listen on 127\\.0\\.0\\.1 port ${cvm.port}: .*EADDRINUSE`));
  assert.equal(r.stdout, '');
  assert.equal(cvm.requests.length, 0);
});

test('the example alert rules load (promtool check rules) and fire as intended (promtool test rules)', () => {
  const c = promtool(['check', 'rules', 'examples/prometheus/alerts.yml']);
  assert.equal(c.status, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /SUCCESS: 5 rules found/);
  const u = promtool(['test', 'rules', 'tests/prometheus/alerts_test.yml']);
  assert.equal(u.status, 0, u.stdout + u.stderr);
  assert.match(readFileSync(join(ROOT, 'examples/prometheus/alerts.yml'), 'utf8'), /7 \* 86400/);
});
