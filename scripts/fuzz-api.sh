#!/usr/bin/env bash
# Fuzz the JSON API with schemathesis against the live app: `market serve --demo` on a fresh PostgreSQL
# database and a free loopback port, with the embedded search engine. Two runs, anonymous and with a demo
# administrator's token; each fails on a server error (5xx) or a response that contradicts /openapi.json
# (its body, status code or content type), and so does this script.
#
#   scripts/fuzz-api.sh    FUZZ_EXAMPLES=N   cases per operation (default 10: about three minutes)
#                          FUZZ_PG=URL       the PostgreSQL server to create a throwaway database on
#                                            (default postgresql+psycopg://postgres@127.0.0.1:5432)
#                          FUZZ_KEEP=1       keep the logs (server and schemathesis) in the work folder
#                          VENV=.venv        where schemathesis and the app are installed
#
# Not in the document, so not fuzzed: /webhooks/stripe (Stripe's signed events, refused with a 400 when the
# signature is wrong: tests/stripe send it forged, replayed and malformed events; without Stripe configured,
# as here, it is a 404) and /metrics (Prometheus' text format).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${VENV:-.venv}/bin"
examples="${FUZZ_EXAMPLES:-10}"
pg="${FUZZ_PG:-postgresql+psycopg://postgres@127.0.0.1:5432}"
pg_host="$(sed -E 's|.*@([^:/]+).*|\1|' <<<"$pg")"
pg_port="$(sed -E 's|.*:([0-9]+)(/.*)?$|\1|' <<<"$pg")"
db="market_fuzz_$$"
work="$(mktemp -d)"
port="$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
server=""

psql_do() { psql -h "$pg_host" -p "$pg_port" -U postgres -q -c "$1"; }
cleanup() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true  # its status is the signal's: not ours to return
  fi
  psql_do "DROP DATABASE IF EXISTS $db" || true
  if [[ -n "${FUZZ_KEEP:-}" ]]; then echo "logs in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
psql_do "CREATE DATABASE $db"

started=$SECONDS
DATABASE_URL="$pg/$db" MEILI_URL="" SEARCH_DB_PATH="$work/search.db" MEDIA_DIR="$work/media" \
  "$bin/market" serve --demo --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 120); do
  curl -fs "$base/healthz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
curl -fs "$base/healthz" >/dev/null || { echo "the app did not start"; cat "$work/server.log"; exit 1; }
echo "app on $base (PostgreSQL database $db, demo data) in $((SECONDS - started)) s"

token_for() {  # a fresh API token of a demo account, through the API
  curl -fs -X POST "$base/api/v1/auth/tokens" -H 'content-type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"tianguis-demo-2026\", \"name\": \"$2\"}" |
    "$bin/python" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
# Half of the cases name things that exist (the demo's organizations, ids 1-40), so they reach past
# "not found" into the services; the other half are anything the schema allows.
slugs="$(curl -fs "$base/api/v1/organizations?per_page=100" |
  "$bin/python" -c 'import json, sys; print(json.dumps([o["slug"] for o in json.load(sys.stdin)["items"]]))')"
{
  echo "[dictionaries.slugs]"
  echo "values = $slugs"
  echo "[dictionaries.ids]"
  echo "values = [$(seq -s ', ' 1 40)]"
  echo "[parameters]"
  echo '"path.slug" = { dictionary = "slugs", probability = 0.5 }'
  for id in listing_id order_id fulfillment_id buyer_id demand_id quote_id review_id dispute_id change_id; do
    echo "\"path.$id\" = { dictionary = \"ids\", probability = 0.5 }"
  done
} >"$work/schemathesis.toml"

admin_token="$(token_for admin@tianguis.demo fuzz)"
spare_token="$(token_for admin@tianguis.demo fuzz-revoke)"

checks="not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
failed=0 runs_passed=0 runs_failed=0
fuzz() {  # fuzz NAME [schemathesis options...]
  local name="$1" log="$work/$1.log" t0=$SECONDS
  shift
  echo "== schemathesis: $name =="
  if ! timeout 600 "$bin/schemathesis" --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
    --checks "$checks" --max-examples "$examples" --generation-database none --suppress-health-check all \
    --no-color "$@" >"$log" 2>&1; then
    failed=1 runs_failed=$((runs_failed + 1))
    cat "$log"
  else
    runs_passed=$((runs_passed + 1))
  fi
  local operations cases
  operations="$(grep -oE 'Tested: [0-9]+' "$log" | grep -oE '[0-9]+' || echo '?')"
  cases="$(grep -oE '[0-9]+ generated' "$log" | grep -oE '[0-9]+' || echo '?')"
  echo "$name: $operations operations, $cases cases, $((SECONDS - t0)) s"
}

fuzz anonymous
# Revoking the token (itself, by its id, or the administrator signing themself out everywhere) would leave
# the rest of the run without one: those operations get a token of their own.
revoking='^/api/v1/(auth/tokens/(current|\{token_id\})|admin/users/\{user_id\}/sign-out)$'
fuzz token -H "Authorization: Bearer $admin_token" --exclude-path-regex "$revoking"
fuzz token-revocation -H "Authorization: Bearer $spare_token" --include-path-regex "$revoking"

if grep -E '( (ERROR|CRITICAL) |^(ERROR|CRITICAL):)' "$work/server.log"; then
  echo "the server logged errors while fuzzed"
  failed=1 runs_failed=$((runs_failed + 1))
fi
echo "fuzzing took $((SECONDS - started)) s"
echo "fuzzing: $runs_passed passed, $runs_failed failed"
exit "$failed"
