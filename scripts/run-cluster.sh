#!/usr/bin/env bash
# Builds p2p-share and runs a local cluster: the balancer on :8080 and two signaling nodes
# (:8081, :8082), each its own JVM and Hazelcast member. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

BALANCER_PORT=${BALANCER_PORT:-8080}
NODE_PORTS=(${NODE_PORTS:-8081 8082})
CLUSTER_NAME=${CLUSTER_NAME:-p2p-share-local-$$}
HZ_BASE=${HZ_BASE:-5701}
LOG_DIR=${LOG_DIR:-run/logs}

echo "building (mvn -DskipTests package) ..."
mvn -q -B -ntp -DskipTests package

mkdir -p "$LOG_DIR"
members=""
for i in $(seq 0 ${#NODE_PORTS[@]}); do
  members+="${members:+,}127.0.0.1:$((HZ_BASE + i))"
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping ..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped."
}
trap stop INT TERM EXIT

start() { # name module port hzport [extra env...] — java @<module>/jvm.options -jar <jar>
  local name=$1 module=$2 port=$3 hz=$4; shift 4
  env NODE_ID="$name" PORT="$port" CLUSTER_NAME="$CLUSTER_NAME" CLUSTER_PORT="$hz" \
      CLUSTER_MEMBERS="$members" "$@" java @"$module/jvm.options" -jar "$module/target/$module.jar" \
      >"$LOG_DIR/$name.log" 2>&1 &
  pids+=($!)
}

start balancer load-balancer "$BALANCER_PORT" "$HZ_BASE"
for i in "${!NODE_PORTS[@]}"; do
  port=${NODE_PORTS[$i]}
  start "node-$((i + 1))" signaling-node "$port" "$((HZ_BASE + i + 1))" \
      PUBLIC_URL="ws://localhost:$port/ws"
done

for port in "$BALANCER_PORT" "${NODE_PORTS[@]}"; do
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "process on :$port did not become ready; see $LOG_DIR"; exit 1; }
done

cat <<MSG

p2p-share is running (cluster "$CLUSTER_NAME", logs in $LOG_DIR):
  open      http://localhost:$BALANCER_PORT/
  dashboard http://localhost:$BALANCER_PORT/dashboard
  metrics   http://localhost:$BALANCER_PORT/metrics
Ctrl-C stops the balancer and the ${#NODE_PORTS[@]} nodes.
MSG
wait
