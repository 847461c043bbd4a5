#!/bin/sh
# Periodic verification of dstack CVMs, for cron. One round per run; alerts when a CVM fails or cannot be
# judged. Example crontab line (every 15 minutes):
#   */15 * * * * /opt/cvm-verify/cron-monitor.sh https://app-a.example.com https://app-b.example.com
#
# Needs: Node >= 18 and cvm-verify (npm install --global cvm-verify, or until it is on the registry a tarball
# made by npm pack in a clone: npm install --global ./cvm-verify-0.1.0.tgz), and optionally curl for the webhook.
# For Prometheus and Alertmanager instead: cvm-verify monitor ... --metrics-port 9464 (README "CI/CD" and "Monitoring").
# Settings (environment):
#   CVM_VERIFY        the command (default: cvm-verify)
#   CVM_VERIFY_ARGS   extra options, e.g. "--tcb-policy strict --pccs https://pccs.phala.network"
#   LOG               JSON-lines log (default: /var/log/cvm-verify.jsonl)
#   ALERT_WEBHOOK     URL to POST failing lines to (optional; e.g. a Slack incoming webhook)
#
# For a long-running process instead of cron: cvm-verify monitor URL... --interval 900 --json
set -u

CVM_VERIFY=${CVM_VERIFY:-cvm-verify}
LOG=${LOG:-/var/log/cvm-verify.jsonl}

[ "$#" -gt 0 ] || { echo "usage: $0 URL..." >&2; exit 2; }

tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT INT TERM

# One JSON line per URL: {"time","url","verdict":"pass|warn|fail|error","exit_code",...}
# shellcheck disable=SC2086
$CVM_VERIFY monitor "$@" --once --json ${CVM_VERIFY_ARGS:-} >"$tmp"
code=$?
cat "$tmp" >>"$LOG"

# exit 0: all pass/warn; 1: at least one CVM failed verification; 3: one could not be judged (network,
# collateral unavailable); 2: usage error.
if [ "$code" -ne 0 ]; then
  grep -v '"verdict":"pass"' "$tmp" | grep -v '"verdict":"warn"' >&2
  if [ -n "${ALERT_WEBHOOK:-}" ]; then
    text=$(grep -v '"verdict":"pass"' "$tmp" | grep -v '"verdict":"warn"' | sed 's/\\/\\\\/g; s/"/\\"/g' | tr '\n' ' ')
    curl -fsS -m 20 -H 'content-type: application/json' \
      -d "{\"text\":\"cvm-verify (exit $code): $text\"}" "$ALERT_WEBHOOK" >/dev/null || echo "alert webhook failed" >&2
  fi
fi
exit "$code"
