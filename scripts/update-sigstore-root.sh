#!/usr/bin/env bash
# Refresh data/sigstore/trusted_root.json from the npm package @sigstore/tuf (data/sigstore/README.md).
#   scripts/update-sigstore-root.sh [VERSION]   (default: latest)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-latest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@sigstore/tuf@$version" >/dev/null && tar xzf sigstore-tuf-*.tgz)
node -e '
const seeds = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const b64 = seeds["https://tuf-repo-cdn.sigstore.dev"].targets["trusted_root.json"];
const root = JSON.parse(Buffer.from(b64, "base64").toString("utf8"));
if (!/^application\/vnd\.dev\.sigstore\.trustedroot/.test(root.mediaType)) throw new Error("not a trusted root");
process.stdout.write(JSON.stringify(root, null, 2) + "\n");
' "$tmp/package/seeds.json" > "$tmp/trusted_root.json"
mv "$tmp/trusted_root.json" data/sigstore/trusted_root.json
echo "data/sigstore/trusted_root.json updated from @sigstore/tuf@$(node -p 'require(process.argv[1]).version' "$tmp/package/package.json"): review git diff"
