#!/usr/bin/env bash
# Smoke run of every benchmark with tiny sizes, so the benches never rot: the signaling load
# generator against p2p-share (2 nodes), the PeerJS server and Socket.IO + Redis (relay, open
# loop, connect, idle), and the browser transfer (raw data channel and the full engine, 2 MiB).
# Exits non-zero on any failure. Needs the jars (mvn -DskipTests package), /usr/bin/chromium;
# installs its npm deps from the lock files, and redis-server and chromium (apt-get) if missing.
set -euo pipefail
cd "$(dirname "$0")"
for d in signaling browser; do
  if [ ! -f "$d/node_modules/.package-lock.json" ] || [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ((${#need[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
log=$(mktemp -d)
t0=$(date +%s)
# the two run side by side: each is mostly JVM and browser start-up
timeout 330 node signaling/run.mjs smoke >"$log/signaling.txt" 2>&1 &
sig=$!
timeout 330 node browser/run.mjs --smoke >"$log/browser.txt" 2>&1 &
br=$!
rc=0
wait $sig || rc=1
wait $br || rc=$((rc | 2))
grep -E '^(ok|FAIL)' "$log/signaling.txt" || true
grep -E '^(raw|engine|median)' "$log/browser.txt" || true
passed=$(grep -c '^ok' "$log/signaling.txt" || true)
failed=$(grep -c '^FAIL' "$log/signaling.txt" || true)
if [ $((rc & 1)) -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ $((rc & 2)) -ne 0 ]; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
if [ $rc -ne 0 ]; then
  echo "--- bench smoke failed (rc=$rc); logs:"
  tail -n 40 "$log/signaling.txt" "$log/browser.txt"
fi
echo "($(( $(date +%s) - t0 )) s)"
echo "bench-smoke: $passed passed, $failed failed"
if [ $rc -eq 0 ]; then rm -rf "$log"; else echo "logs kept in $log"; fi
exit $(( rc != 0 ))
