#!/usr/bin/env bash
# Fetch axe-core (the accessibility rules the browser tests run on each page) from the npm registry into
# <repo>/.cache/axe, pinned; npm checks the package's integrity. Prints the path of axe.min.js as the only
# line on stdout. Idempotent: nothing is downloaded when the pinned version is there.
set -euo pipefail
AXE_VERSION="4.14.1"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/axe"
script="$dir/node_modules/axe-core/axe.min.js"
installed="$(node -p "require('$dir/node_modules/axe-core/package.json').version" 2>/dev/null || true)"
if [[ "$installed" != "$AXE_VERSION" ]]; then
  mkdir -p "$dir"
  npm install --no-save --no-audit --no-fund --silent --prefix "$dir" "axe-core@$AXE_VERSION" >&2
fi
[[ -f "$script" ]] || { echo "[fetch-axe] axe-core was not installed" >&2; exit 1; }
printf '%s\n' "$script"
