// Prometheus metrics of `cvm-verify monitor --metrics-port` (README "Monitoring"): what the monitor saw, in the
// text exposition format (version 0.0.4), for Prometheus, Alertmanager and Grafana. This module judges nothing:
// it restates the core's reports (verdict, TCB status, collateral expiry, OS and governance checks) and the
// errors that kept a round from judging, per watched URL (label `target`).
import { createServer } from 'node:http';
import { UsageError } from './args.js';

const VERDICTS = ['pass', 'warn', 'fail', 'error'];
import { TCB_STATUSES } from './core-tables.js'; // the core's table (make wasm)
const CHECK_STATES = ['pass', 'warn', 'fail', 'skip'];
/** Seconds. A verification is ~10 ms of CPU; the rest is the network (the shim's per-request timeout is 15 s). */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

/**
 * @typedef {object} TargetState
 * @property {string} verdict pass | warn | fail | error (the last round)
 * @property {number} lastRun unix seconds
 * @property {number | undefined} lastSuccess unix seconds of the last pass or warn
 * @property {number | undefined} lastReport unix seconds of the last report (any verdict)
 * @property {number | undefined} collateralExpiry unix seconds, from the last report
 * @property {string | undefined} tcbStatus from the last report
 * @property {boolean | undefined} osVerified report.os.verified of the last report, when it has an OS section
 * @property {string | undefined} governance status of the governance.onchain check of the last report, when present
 * @property {string | undefined} appId
 * @property {string | undefined} composeHash
 * @property {number[]} buckets cumulative counts per DURATION_BUCKETS
 * @property {number} durationSum
 * @property {number} durationCount
 * @property {Map<string, number>} verdictCounts
 * @property {Map<string, number>} errors error code -> count
 */

/** @param {string} s */
function escapeLabel(s) {
  return String(s).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** @param {Record<string, string>} labels */
function labelText(labels) {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** @param {number} v */
function num(v) {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

/** @param {unknown} iso @returns {number | undefined} */
function unixOf(iso) {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

export class MonitorMetrics {
  constructor() {
    /** @type {Map<string, TargetState>} */
    this.targets = new Map();
  }

  /**
   * Records one verification of a target: its report, or the error that kept it from judging.
   * @param {string} target the URL
   * @param {{report?: import('./index.js').Report | null, error?: unknown, seconds: number, at?: Date}} round
   */
  record(target, round) {
    let s = this.targets.get(target);
    if (!s) {
      s = {
        verdict: 'error', lastRun: 0, lastSuccess: undefined, lastReport: undefined, collateralExpiry: undefined,
        tcbStatus: undefined, osVerified: undefined, governance: undefined, appId: undefined, composeHash: undefined,
        buckets: DURATION_BUCKETS.map(() => 0), durationSum: 0, durationCount: 0, verdictCounts: new Map(), errors: new Map(),
      };
      this.targets.set(target, s);
    }
    const now = Math.floor((round.at ?? new Date()).getTime() / 1000);
    const report = round.report;
    s.lastRun = now;
    if (report) {
      s.verdict = VERDICTS.includes(report.verdict) ? report.verdict : 'fail';
      s.lastReport = now;
      if (s.verdict === 'pass' || s.verdict === 'warn') s.lastSuccess = now;
      // Values of the last report replace the previous ones entirely: a field the new report lacks is unknown now.
      s.collateralExpiry = unixOf(report.collateral && report.collateral.expires_at);
      s.tcbStatus = report.tcb && typeof report.tcb.status === 'string' ? report.tcb.status : undefined;
      const os = /** @type {any} */ (report).os;
      s.osVerified = os && typeof os === 'object' ? os.verified === true : undefined;
      const gov = Array.isArray(report.checks) ? report.checks.find((c) => c.id === 'governance.onchain') : undefined;
      s.governance = gov ? gov.status : undefined;
      s.appId = report.app && report.app.app_id ? report.app.app_id : undefined;
      s.composeHash = report.app && report.app.compose_hash ? report.app.compose_hash : undefined;
    } else {
      s.verdict = 'error';
      const e = /** @type {any} */ (round.error);
      const code = e && typeof e.code === 'string' && /^[A-Z_]{1,64}$/.test(e.code) ? e.code : 'INTERNAL';
      s.errors.set(code, (s.errors.get(code) || 0) + 1);
    }
    s.verdictCounts.set(s.verdict, (s.verdictCounts.get(s.verdict) || 0) + 1);
    const sec = Number.isFinite(round.seconds) && round.seconds >= 0 ? round.seconds : 0;
    DURATION_BUCKETS.forEach((b, i) => { if (sec <= b) s.buckets[i]++; });
    s.durationSum += sec;
    s.durationCount++;
  }

  /** @returns {string} the exposition text */
  render() {
    /** @type {string[]} */
    const out = [];
    /**
     * @param {string} name @param {'gauge' | 'counter' | 'histogram'} type @param {string} help
     * @param {(emit: (labels: Record<string, string>, value: number, suffix?: string) => void, target: string, s: TargetState) => void} each
     */
    const family = (name, type, help, each) => {
      /** @type {string[]} */
      const lines = [];
      for (const [target, s] of this.targets) {
        each((labels, value, suffix = '') => lines.push(`${name}${suffix}${labelText({ target, ...labels })} ${num(value)}`), target, s);
      }
      if (!lines.length) return;
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    family('cvm_verify_verdict', 'gauge', 'The verdict of the last verification round (1 for the current verdict; error: nothing could be judged).', (emit, _t, s) => {
      for (const v of VERDICTS) emit({ verdict: v }, s.verdict === v ? 1 : 0);
    });
    family('cvm_verify_up', 'gauge', '1 if the last round got a report (any verdict), 0 if it could not judge (app or collateral service unreachable, malformed answer).', (emit, _t, s) => {
      emit({}, s.verdict === 'error' ? 0 : 1);
    });
    family('cvm_verify_last_run_timestamp_seconds', 'gauge', 'Unix time of the last verification round.', (emit, _t, s) => emit({}, s.lastRun));
    family('cvm_verify_last_success_timestamp_seconds', 'gauge', 'Unix time of the last round whose verdict was pass or warn.', (emit, _t, s) => {
      if (s.lastSuccess !== undefined) emit({}, s.lastSuccess);
    });
    family('cvm_verify_collateral_expiry_timestamp_seconds', 'gauge', 'Unix time at which the collateral used by the last report expires (its earliest nextUpdate).', (emit, _t, s) => {
      if (s.collateralExpiry !== undefined) emit({}, s.collateralExpiry);
    });
    family('cvm_verify_tcb_status', 'gauge', 'TCB status of the platform in the last report (1 for the current status).', (emit, _t, s) => {
      if (s.tcbStatus === undefined) return;
      const all = TCB_STATUSES.includes(s.tcbStatus) ? TCB_STATUSES : [...TCB_STATUSES, s.tcbStatus];
      for (const st of all) emit({ status: st }, s.tcbStatus === st ? 1 : 0);
    });
    family('cvm_verify_os_verified', 'gauge', '1 if the last report verified the OS image (MRTD and RTMR0-2 recomputed or pinned), else 0; absent when the report has no OS section.', (emit, _t, s) => {
      if (s.osVerified !== undefined) emit({}, s.osVerified ? 1 : 0);
    });
    family('cvm_verify_governance', 'gauge', 'Status of the on-chain governance check (governance.onchain) in the last report (1 for the current state); absent when the report has no such check.', (emit, _t, s) => {
      if (s.governance === undefined) return;
      for (const st of CHECK_STATES) emit({ state: st }, s.governance === st ? 1 : 0);
    });
    family('cvm_verify_app_info', 'gauge', 'Identity of the app in the last report (always 1).', (emit, _t, s) => {
      if (s.appId || s.composeHash) emit({ app_id: s.appId || '', compose_hash: s.composeHash || '' }, 1);
    });
    family('cvm_verify_verification_duration_seconds', 'histogram', 'Time of one verification round: fetching the evidence and collateral, and verifying.', (emit, _t, s) => {
      DURATION_BUCKETS.forEach((b, i) => emit({ le: num(b) }, s.buckets[i], '_bucket'));
      emit({ le: '+Inf' }, s.durationCount, '_bucket');
      emit({}, s.durationSum, '_sum');
      emit({}, s.durationCount, '_count');
    });
    family('cvm_verify_verifications_total', 'counter', 'Verification rounds by verdict.', (emit, _t, s) => {
      for (const [v, n] of s.verdictCounts) emit({ verdict: v }, n);
    });
    family('cvm_verify_errors_total', 'counter', 'Rounds that could not judge, by reason code (FETCH_FAILED, EVIDENCE_MALFORMED, ...).', (emit, _t, s) => {
      for (const [code, n] of s.errors) emit({ code }, n);
    });
    return out.join('\n') + '\n';
  }
}

/**
 * Serves GET /metrics (and GET /healthz, for container health checks) until closed.
 * @param {MonitorMetrics} metrics
 * @param {{host?: string, port: number}} listen
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function serveMetrics(metrics, listen) {
  const server = createServer((req, res) => {
    const path = (req.url || '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET, HEAD' }); res.end(); return; }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : metrics.render());
      return;
    }
    if (path === '/healthz') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok\n'); return; }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: the metrics are at /metrics\n');
  });
  await new Promise((resolve, reject) => {
    // A port in use or a host that is not ours is the command's to fix (exit 2), not a verification result.
    server.once('error', (e) => reject(new UsageError(`--metrics-port: cannot listen on ${listen.host ?? 'all interfaces'} port ${listen.port}: ${e.message}`)));
    server.listen(listen.port, listen.host, () => resolve(undefined));
  });
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/metrics`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve(undefined));
      server.closeAllConnections();
    }),
  };
}
