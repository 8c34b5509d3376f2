#!/usr/bin/env bash
# Builds p2p-share and runs a local cluster: the balancer on :8080 and two signaling nodes
# (:8081, :8082), each its own JVM and Hazelcast member, listening on every interface so that
# other devices of the same network can use it. Prints the LAN address (and a QR code of it).
# Ctrl-C stops everything.
# Env: BALANCER_PORT, NODE_PORTS ("8081 8082"), CLUSTER_NAME, HZ_BASE, LOG_DIR, SKIP_BUILD=1 (use
# the jars already built), PUBLIC_HOST (the name or address other devices use for this machine;
# default: the address of the default route — also advertised as the nodes' PUBLIC_URL host when
# set explicitly, see docs/OPERATIONS.md "Local network").
set -euo pipefail
cd "$(dirname "$0")/.."

BALANCER_PORT=${BALANCER_PORT:-8080}
NODE_PORTS=(${NODE_PORTS:-8081 8082})
CLUSTER_NAME=${CLUSTER_NAME:-p2p-share-local-$$}
HZ_BASE=${HZ_BASE:-5701}
LOG_DIR=${LOG_DIR:-run/logs}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "building (mvn -DskipTests package) ..."
  mvn -q -B -ntp -DskipTests package
fi

# The address other devices of this network reach us at: PUBLIC_HOST, else the source address of
# the default route, else the first address `hostname -I` lists.
lan_host() {
  if [ -n "${PUBLIC_HOST:-}" ]; then echo "$PUBLIC_HOST"; return; fi
  local a
  a=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n1)
  [ -n "$a" ] || a=$(hostname -I 2>/dev/null | awk '{print $1}')
  echo "$a"
}

# A QR code of $1 in the terminal, with the qrcode package the web client already depends on
# (web/node_modules exists after the build); nothing if node or the package is missing.
print_qr() {
  command -v node >/dev/null 2>&1 || return 0
  [ -d web/node_modules/qrcode ] || return 0
  (cd web && node -e 'require("qrcode").toString(process.argv[1], { type: "terminal", small: true }, (e, s) => { if (!e) process.stdout.write(s); })' "$1") || true
}

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

# The supervisor a node needs (docs/OPERATIONS.md, "A frozen node"): a node that stood still for
# 7 s or more (a laptop's sleep, a long pause) exits 75 rather than merge stale state back, and is
# started again here as a new member. Any other exit ends it; SIGTERM is passed on (drain).
supervise() { # name command...
  local name=$1 child rc; shift
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM INT
  while :; do
    "$@" & child=$!
    wait "$child" && rc=0 || rc=$? # not a failure under set -e
    [ "$rc" -eq 75 ] || exit "$rc"
    echo "[run-cluster] $name stood still and exited 75; starting it again" >&2
  done
}

start() { # name module port hzport [extra env...] — java @<module>/jvm.options -jar <jar>
  local name=$1 module=$2 port=$3 hz=$4; shift 4
  : >"$LOG_DIR/$name.log"
  supervise "$name" env NODE_ID="$name" PORT="$port" CLUSTER_NAME="$CLUSTER_NAME" \
      CLUSTER_PORT="$hz" CLUSTER_MEMBERS="$members" "$@" \
      java @"$module/jvm.options" -jar "$module/target/$module.jar" >>"$LOG_DIR/$name.log" 2>&1 &
  pids+=($!)
}

# Nodes advertise localhost unless PUBLIC_HOST says otherwise: the balancer hands a browser that
# came by another address (a phone on the LAN) the node under that same address.
advertised=${PUBLIC_HOST:-localhost}
start balancer load-balancer "$BALANCER_PORT" "$HZ_BASE"
for i in "${!NODE_PORTS[@]}"; do
  port=${NODE_PORTS[$i]}
  start "node-$((i + 1))" signaling-node "$port" "$((HZ_BASE + i + 1))" \
      PUBLIC_URL="ws://$advertised:$port/ws"
done

for port in "$BALANCER_PORT" "${NODE_PORTS[@]}"; do
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "process on :$port did not become ready; see $LOG_DIR"; exit 1; }
done

lan=$(lan_host)
cat <<MSG

p2p-share is running (cluster "$CLUSTER_NAME", logs in $LOG_DIR):
  open      http://localhost:$BALANCER_PORT/   (this machine)
MSG
if [ -n "$lan" ]; then
  lan_url="http://$lan:$BALANCER_PORT/"
  [[ $lan == *:* && $lan != \[* ]] && lan_url="http://[$lan]:$BALANCER_PORT/"
  echo "  LAN URL   $lan_url   (phones and laptops on this network; allow ports $BALANCER_PORT ${NODE_PORTS[*]} in a firewall)"
  print_qr "$lan_url"
fi
cat <<MSG
  dashboard http://localhost:$BALANCER_PORT/dashboard
  metrics   http://localhost:$BALANCER_PORT/metrics
Send from the LAN URL so that the share link works on other devices too.
Ctrl-C stops the balancer and the ${#NODE_PORTS[@]} nodes.
MSG
wait
