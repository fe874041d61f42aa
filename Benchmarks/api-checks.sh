#!/usr/bin/env bash
# Throughput of POST /api/v1/verifications/{id}/check against GET /api/v1/ping (the baseline), in the same run, on the
# published Release build with SQLite. Usage: Benchmarks/api-checks.sh [connections] [seconds] [verifications]
# Needs: dotnet, wrk (apt-get install -y wrk), curl, jq.
set -euo pipefail
CONNECTIONS=${1:-64}
DURATION=${2:-20}
VERIFICATIONS=${3:-500}
THREADS=${THREADS:-$(( CONNECTIONS < 2 ? 1 : 2 ))}
PORT=${PORT:-5099}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/tessera-bench.XXXXXX)
# APP_DIR=<folder> reuses a build published there earlier (it is published when missing).
APP=${APP_DIR:-"$WORK/app"}
# Development: the only environment where codes may go to the database outboxes instead of a real SMS provider.
export ASPNETCORE_ENVIRONMENT=Development
export Tessera__DataDirectory="$WORK/data"
export Urls="http://127.0.0.1:$PORT"
export Logging__LogLevel__Default=Warning

[[ -f "$APP/Tessera.Portal.dll" ]] || { echo "== publishing Release to $APP"; dotnet publish "$ROOT/Portal/Portal.csproj" -c Release -o "$APP" --nologo -v quiet >/dev/null; }
cleanup() { [[ -n "${PID:-}" ]] && kill "$PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

KEY=$(dotnet "$APP/Tessera.Portal.dll" create-api-client --name "Benchmark" | grep -E '^tsk_' | head -1)
dotnet "$APP/Tessera.Portal.dll" >"$WORK/app.log" 2>&1 &
PID=$!
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/api/v1/ping" -H "Authorization: Bearer $KEY" >/dev/null 2>&1 && break; sleep 1; done

echo "== seeding $VERIFICATIONS verifications"
IDS="$WORK/ids.txt"
for i in $(seq 1 "$VERIFICATIONS"); do
  printf -v number '+4477009%05d' "$i"
  curl -fsS "http://127.0.0.1:$PORT/api/v1/verifications" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"to\":\"$number\",\"channel\":\"sms\"}" | jq -r .id >>"$IDS"
done
export API_KEY="$KEY" IDS_FILE="$IDS"

echo "== warm-up"
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$ROOT/Benchmarks/ping.lua" "http://127.0.0.1:$PORT/api/v1/ping" >/dev/null
echo "== GET /api/v1/ping (baseline), $CONNECTIONS connections, ${DURATION}s"
PING=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$ROOT/Benchmarks/ping.lua" "http://127.0.0.1:$PORT/api/v1/ping" | grep '^RESULT')
echo "$PING"
echo "== POST /api/v1/verifications/{id}/check (wrong codes over $VERIFICATIONS ids), $CONNECTIONS connections, ${DURATION}s"
CHECK=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$ROOT/Benchmarks/api-checks.lua" "http://127.0.0.1:$PORT" | grep '^RESULT')
echo "$CHECK"
rate() { sed -E 's/.*requests\/s=([0-9]+).*/\1/' <<<"$1"; }
echo "== checks/s as a share of ping/s: $(( 100 * $(rate "$CHECK") / $(rate "$PING") ))%"
