#!/usr/bin/env bash
# End-to-end check of the docker-compose cluster, in one command:
#   scripts/compose-e2e.sh            build, start, smoke + kill checks, tear down
#   scripts/compose-e2e.sh --bases    only make the missing base images, then stop
#   KEEP_UP=1 scripts/compose-e2e.sh  leave the cluster (and a dockerd it started) running
#
# 1. a Docker engine: installs docker.io + docker-compose (Debian) when missing, starts dockerd
#    when none answers (and stops it again at the end);
# 2. base images: uses BUILD_IMAGE / NODE_IMAGE / RUNTIME_IMAGE / COTURN_IMAGE / PROMETHEUS_IMAGE /
#    GRAFANA_IMAGE when set, else the public defaults when present locally, else (no registry
#    needed) makes substitutes: debootstrap of Debian bookworm + `docker import`, then Debian's
#    openjdk-17, maven, coturn and prometheus packages, and the machine's own Node.js. They are
#    cached by tag (p2pshare-local/*). Grafana has no Debian package: without a grafana image the
#    cluster runs without it;
# 3. builds the app image (deploy/Dockerfile) and starts the cluster (docker-compose.yml);
# 4. checks: the balancer lists 3 nodes up; Prometheus scrapes every node and the balancer;
#    coturn accepts a TURN allocation with the credentials a node hands out; two WebSocket clients
#    on different nodes join one room and signal each other; `docker kill` of the room's node ->
#    the surviving peer gets peer-left and GET /api/rooms/{room} moves the room to another node
#    with a higher epoch; `docker stop` of the other peer's node -> `reconnect`, exit 0 in 10 s;
# 5. tears everything down (trap), printing the timings.
# Talks to the cluster only through the ports published on localhost.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${P2P_E2E_CACHE:-/var/cache/p2p-share-e2e}"
PROJECT="${P2P_E2E_PROJECT:-p2pe2e}"
export P2P_IMAGE="${P2P_IMAGE:-p2p-share:e2e}"
# docker-compose.yml refuses to start without these secrets: fresh random ones per run.
export TURN_SECRET="${TURN_SECRET:-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')}"
export OPERATOR_TOKEN="${OPERATOR_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export GRAFANA_ADMIN_PASSWORD="${GRAFANA_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"
BASES_ONLY=0
[ "${1:-}" = "--bases" ] && BASES_ONLY=1

T0=$(date +%s)
log() { printf '[compose-e2e %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
mkdir -p "$CACHE"

STARTED_DOCKERD=""
COMPOSE_STARTED=""
WORK="$(mktemp -d /tmp/p2p-e2e.XXXXXX)"

compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/docker-compose.yml" "$@"; }

cleanup() {
  local rc=$?
  set +e
  if [ -n "$COMPOSE_STARTED" ]; then
    if [ "$rc" -ne 0 ]; then
      compose logs --no-color --tail=200 > "$CACHE/last-failure.log" 2>&1
      log "container logs: $CACHE/last-failure.log"
    fi
    if [ "${KEEP_UP:-0}" = "1" ]; then
      log "KEEP_UP=1: cluster left running (docker-compose -p $PROJECT down -v to stop)"
    else
      compose down -v --remove-orphans -t 15 >/dev/null 2>&1
      log "cluster removed"
    fi
  fi
  if [ -n "$STARTED_DOCKERD" ] && [ "${KEEP_UP:-0}" != "1" ]; then
    kill "$STARTED_DOCKERD" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 1; done
    log "dockerd (pid $STARTED_DOCKERD) stopped"
  fi
  rm -rf "$WORK"
  log "total $(( $(date +%s) - T0 )) s, exit $rc"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. the Docker engine
ensure_engine() {
  if ! command -v dockerd >/dev/null 2>&1 || ! { command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; }; then
    [ "$(id -u)" = 0 ] || die "the Docker engine is missing; run as root to install it"
    log "installing docker.io and docker-compose (Debian packages)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io docker-compose >/dev/null
  fi
  if command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  else
    COMPOSE=(docker compose)
  fi
  if ! docker info >/dev/null 2>&1; then
    log "starting dockerd (log: $CACHE/dockerd.log)"
    dockerd > "$CACHE/dockerd.log" 2>&1 &
    STARTED_DOCKERD=$!
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || die "dockerd did not start, see $CACHE/dockerd.log"
  fi
  log "engine: $(docker version --format 'server {{.Server.Version}}' 2>/dev/null), compose: ${COMPOSE[*]}"
}

# ---------------------------------------------------------------- 2. base images
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  # the mirror this machine's apt is set up with
  local m
  m="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  [ -n "$m" ] || m="$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
  [ -n "$m" ] || die "no Debian mirror found in /etc/apt; set DEBIAN_MIRROR"
  echo "$m"
}

LOCAL_DEBIAN=p2pshare-local/debian:bookworm
make_debian() {
  have_image "$LOCAL_DEBIAN" && return
  command -v debootstrap >/dev/null 2>&1 || {
    log "installing debootstrap"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
  }
  local rootfs="$CACHE/rootfs-bookworm"
  log "debootstrap bookworm into $rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" > "$CACHE/debootstrap.log" 2>&1 \
    || die "debootstrap failed, see $CACHE/debootstrap.log"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "$LOCAL_DEBIAN" >/dev/null
  rm -rf "$rootfs"
}

# make_from_debian TAG "PACKAGES" [DOCKERFILE LINES...]
make_from_debian() {
  local tag="$1" pkgs="$2"; shift 2
  have_image "$tag" && return
  make_debian
  log "making $tag (Debian: $pkgs)"
  {
    echo "FROM $LOCAL_DEBIAN"
    echo "RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs && rm -rf /var/lib/apt/lists/*"
    printf '%s\n' "$@"
  } | docker build -q --force-rm --network host -t "$tag" - >/dev/null || die "building $tag failed"
}

make_node() {
  local tag=p2pshare-local/node:20
  have_image "$tag" && return
  # No Node.js image without a registry, and Debian's nodejs (18) is too old for Vite 7: take the
  # machine's own Node.js (>= 20.19) and npm, laid out like the official node images.
  local node npmdir v
  node="$(command -v node || true)"
  [ -n "$node" ] || die "no node on this machine; set NODE_IMAGE"
  v="$("$node" -p 'process.versions.node')"
  "$node" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' \
    || die "node $v here is older than 20.19; set NODE_IMAGE"
  npmdir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
  log "making $tag from this machine's node $v and npm ($npmdir)"
  local d="$WORK/node-image"
  mkdir -p "$d/usr/local/bin" "$d/usr/local/lib/node_modules"
  cp "$(readlink -f "$node")" "$d/usr/local/bin/node"
  cp -a "$npmdir" "$d/usr/local/lib/node_modules/npm"
  tar -C "$d" -c . | docker import - "$tag" >/dev/null
}

trust_machine_cas() {
  # Where this machine reaches the registries through a TLS proxy with its own CA (local CAs in
  # /usr/local/share/ca-certificates), the build stage must trust it too, for Maven and npm. Add
  # them in a thin layer over BUILD_IMAGE, tagged by their hash so a new CA makes a new layer.
  local dir="${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}"
  compgen -G "$dir/*.crt" >/dev/null || return 0
  local sum tag ctx="$WORK/ca"
  sum="$(cat "$dir"/*.crt | sha256sum | cut -c1-12)"
  tag="p2pshare-local/build-ca:$sum"
  if ! have_image "$tag"; then
    log "adding this machine's CAs ($dir) to $BUILD_IMAGE as $tag"
    mkdir -p "$ctx" && cp "$dir"/*.crt "$ctx/"
    cat > "$ctx/Dockerfile" <<DF
FROM $BUILD_IMAGE
USER root
COPY *.crt /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null \\
 && for f in /usr/local/share/ca-certificates/*.crt; do \\
      keytool -importcert -noprompt -cacerts -storepass changeit -alias "extra-\$(basename "\$f")" -file "\$f" >/dev/null 2>&1 || true; \\
    done
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
DF
    docker build -q --force-rm --network host -t "$tag" "$ctx" >/dev/null || die "building $tag failed"
  fi
  BUILD_IMAGE="$tag"
  log "BUILD_IMAGE=$BUILD_IMAGE (with this machine's CAs)"
}

choose_bases() {
  # A base image set by the caller wins; then the public default if it is here; else a substitute.
  pick() { # VAR default substitute-function substitute-tag
    local var="$1" def="$2" fn="$3" sub="$4"
    if [ -n "${!var:-}" ]; then :
    elif have_image "$def"; then printf -v "$var" '%s' "$def"
    else "$fn"; printf -v "$var" '%s' "$sub"
    fi
    export "${var?}"
    log "$var=${!var}"
  }
  mk_build() { make_from_debian p2pshare-local/build:17 "openjdk-17-jdk-headless maven ca-certificates"; }
  mk_runtime() { make_from_debian p2pshare-local/jre:17 "openjdk-17-jre-headless ca-certificates"; }
  mk_coturn() { make_from_debian p2pshare-local/coturn:bookworm "coturn" 'ENTRYPOINT ["turnserver"]'; }
  mk_prom() { make_from_debian p2pshare-local/prometheus:bookworm "prometheus" 'ENTRYPOINT ["/usr/bin/prometheus"]'; }
  pick BUILD_IMAGE maven:3.9-eclipse-temurin-17 mk_build p2pshare-local/build:17
  trust_machine_cas
  pick NODE_IMAGE node:20-bookworm-slim make_node p2pshare-local/node:20
  pick RUNTIME_IMAGE eclipse-temurin:17-jre mk_runtime p2pshare-local/jre:17
  pick COTURN_IMAGE coturn/coturn:4.6.3 mk_coturn p2pshare-local/coturn:bookworm
  pick PROMETHEUS_IMAGE prom/prometheus:v2.53.2 mk_prom p2pshare-local/prometheus:bookworm
  WITH_GRAFANA=0
  if [ -n "${GRAFANA_IMAGE:-}" ] || have_image grafana/grafana:11.2.0; then
    export GRAFANA_IMAGE="${GRAFANA_IMAGE:-grafana/grafana:11.2.0}"
    WITH_GRAFANA=1
  else
    log "no Grafana image here (and no Debian package to make one): running without grafana"
  fi
}

# ---------------------------------------------------------------- host ports
PORT_VARS=(BALANCER_PORT NODE1_PORT NODE2_PORT NODE3_PORT TURN_PORT PROMETHEUS_PORT GRAFANA_PORT)
PORT_DEFAULTS=(8080 8081 8082 8083 3478 9090 3000)
port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q . || ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; }
choose_ports() {
  # The compose defaults when they are all free (and not set by the caller), else the first
  # offset (+10000, +20000, ...) at which all are free: a developer's own processes may hold 808x.
  local offset i port busy
  for offset in 0 10000 20000 30000 40000; do
    busy=0
    for i in "${!PORT_VARS[@]}"; do
      port="${!PORT_VARS[$i]:-$(( PORT_DEFAULTS[i] + offset ))}"
      if port_busy "$port"; then busy=1; break; fi
    done
    if [ "$busy" = 0 ]; then
      for i in "${!PORT_VARS[@]}"; do
        printf -v "${PORT_VARS[$i]}" '%s' "${!PORT_VARS[$i]:-$(( PORT_DEFAULTS[i] + offset ))}"
        export "${PORT_VARS[$i]?}"
      done
      BALANCER="http://localhost:$BALANCER_PORT"
      log "host ports: balancer $BALANCER_PORT, nodes $NODE1_PORT $NODE2_PORT $NODE3_PORT, turn $TURN_PORT, prometheus $PROMETHEUS_PORT, grafana $GRAFANA_PORT"
      return
    fi
  done
  die "no free set of host ports found"
}

# ---------------------------------------------------------------- helpers
# The balancer's operator paths need OPERATOR_TOKEN; other services get no header.
http() {
  case "$1" in
    "$BALANCER"*) curl -fsS --max-time 5 -H "Authorization: Bearer $OPERATOR_TOKEN" "$@" ;;
    *) curl -fsS --max-time 5 "$@" ;;
  esac
}
wait_for() { # seconds description command...
  local secs="$1" what="$2"; shift 2
  local end=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || die "timed out after ${secs}s waiting for $what"
    sleep 2
  done
}
nodes_up() {
  http "$BALANCER/api/nodes" | node -e '
    let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>{
      const up=JSON.parse(s).nodes.filter(n=>n.state==="up"); process.exit(up.length===3?0:1)})'
}
targets_up() {
  http "http://localhost:$PROMETHEUS_PORT/api/v1/targets?state=active" | node -e '
    let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>{
      const t=JSON.parse(s).data.activeTargets.filter(t=>t.labels.job!=="prometheus");
      process.exit(t.length===4&&t.every(t=>t.health==="up")?0:1)})'
}

write_client() {
cat > "$WORK/client.mjs" <<'JS'
// Two WebSocket peers on two different nodes, a TURN allocation with a node's credentials, then
// `docker kill` of the room's node. Talks only to ports published on localhost.
import WebSocket from "ws";
import dgram from "node:dgram";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";

const BAL = process.env.BALANCER;
const CONTAINERS = JSON.parse(process.env.NODE_CONTAINERS);
const log = (...a) => console.error("[client]", ...a);
const fail = (m) => { console.error("[client] FAIL:", m); process.exit(1); };
setTimeout(() => fail("overall timeout (180 s)"), 180_000).unref();

async function api(method, path) {
  const r = await fetch(BAL + path, {
    method,
    headers: { authorization: `Bearer ${process.env.OPERATOR_TOKEN}` },
  });
  const body = await r.json();
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(body)}`);
  return body;
}
const local = (url) => url.replace(/^ws:\/\/[^/:]+/, "ws://localhost");

class Peer {
  constructor(name, url) {
    this.name = name; this.inbox = []; this.waiters = [];
    this.ws = new WebSocket(url);
    this.ws.on("message", (d) => {
      const m = JSON.parse(d.toString());
      this.inbox.push(m);
      this.waiters = this.waiters.filter((w) => !w(m));
    });
    this.ws.on("error", () => {});
    this.open = new Promise((res, rej) => { this.ws.once("open", res); this.ws.once("error", rej); });
  }
  send(m) { this.ws.send(JSON.stringify(m)); }
  next(pred, what, ms = 20_000) {
    const hit = this.inbox.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${this.name}: no ${what} within ${ms} ms; got ${JSON.stringify(this.inbox)}`)), ms);
      this.waiters.push((m) => { if (pred(m)) { clearTimeout(t); res(m); return true; } return false; });
    });
  }
}

// --- STUN/TURN (RFC 5389 / 5766) just enough for one authenticated Allocate over UDP
const COOKIE = 0x2112a442;
function attr(type, value) {
  const pad = (4 - (value.length % 4)) % 4;
  const b = Buffer.alloc(4 + value.length + pad);
  b.writeUInt16BE(type, 0); b.writeUInt16BE(value.length, 2); value.copy(b, 4);
  return b;
}
function stun(type, attrs, key) {
  const tx = crypto.randomBytes(12);
  let body = Buffer.concat(attrs);
  const header = (len) => { const h = Buffer.alloc(20); h.writeUInt16BE(type, 0); h.writeUInt16BE(len, 2); h.writeUInt32BE(COOKIE, 4); tx.copy(h, 8); return h; };
  if (key) {
    const mac = crypto.createHmac("sha1", key).update(Buffer.concat([header(body.length + 24), body])).digest();
    body = Buffer.concat([body, attr(0x0008, mac)]);
  }
  return Buffer.concat([header(body.length), body]);
}
function parse(buf) {
  const out = { type: buf.readUInt16BE(0), attrs: {} };
  let i = 20;
  while (i + 4 <= buf.length) {
    const t = buf.readUInt16BE(i), l = buf.readUInt16BE(i + 2);
    out.attrs[t] = buf.subarray(i + 4, i + 4 + l);
    i += 4 + l + ((4 - (l % 4)) % 4);
  }
  return out;
}
// One UDP socket (one 5-tuple) for the whole exchange: coturn binds the nonce to it.
function turnSocket(port) {
  const sock = dgram.createSocket("udp4");
  const queue = [], waiting = [];
  sock.on("message", (m) => (waiting.length ? waiting.shift()(m) : queue.push(m)));
  return {
    ask(msg) {
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error("no TURN answer")), 3000);
        const take = (m) => { clearTimeout(t); res(parse(m)); };
        if (queue.length) take(queue.shift()); else waiting.push(take);
        sock.send(msg, port, "127.0.0.1");
      });
    },
    close() { sock.close(); },
  };
}
async function turnAllocate(port, username, password) {
  const s = turnSocket(port);
  try {
    const transport = attr(0x0019, Buffer.from([17, 0, 0, 0]));
    const first = await s.ask(stun(0x0003, [transport]));
    if (first.type !== 0x0113) throw new Error(`expected 401 challenge, got type 0x${first.type.toString(16)}`);
    const realm = first.attrs[0x0014], nonce = first.attrs[0x0015];
    const key = crypto.createHash("md5").update(`${username}:${realm.toString()}:${password}`).digest();
    const second = await s.ask(stun(0x0003, [transport, attr(0x0006, Buffer.from(username)), attr(0x0014, realm), attr(0x0015, nonce)], key));
    if (second.type === 0x0103) {
      // release the allocation again (Refresh with LIFETIME 0)
      const lifetime = Buffer.alloc(4);
      await s.ask(stun(0x0004, [attr(0x000d, lifetime), attr(0x0006, Buffer.from(username)), attr(0x0014, realm), attr(0x0015, nonce)], key)).catch(() => {});
    }
    return second.type; // 0x0103 success, 0x0113 error
  } finally {
    s.close();
  }
}

// --- the run
const nodes = (await api("GET", "/api/nodes")).nodes;
if (nodes.length !== 3) fail(`expected 3 nodes, got ${nodes.length}`);
const created = await api("POST", "/api/rooms");
const room = created.room, nodeX = created.node.id, epoch0 = created.epoch;
const other = nodes.find((n) => n.id !== nodeX);
log(`room on ${nodeX} (epoch ${epoch0}); A -> ${nodeX}, B -> ${other.id}`);
if (!(room.length >= 22)) fail(`room id too short: ${room}`);

const A = new Peer("A", local(created.node.url));
const B = new Peer("B", local(other.url));
await Promise.all([A.open, B.open]);
A.send({ type: "join", v: 1, room });
const wa = await A.next((m) => m.type === "welcome", "welcome");
B.send({ type: "join", v: 1, room });
const wb = await B.next((m) => m.type === "welcome", "welcome");
if (wa.node !== nodeX || wb.node !== other.id) fail(`peers on ${wa.node}/${wb.node}, expected ${nodeX}/${other.id}`);
if (!wb.peers.some((p) => p.id === wa.peerId)) fail("B's welcome does not list A");
await A.next((m) => m.type === "peer-joined" && m.peer.id === wb.peerId, "peer-joined for B");
A.send({ type: "signal", to: wb.peerId, data: { sdp: "offer-from-A" } });
const s1 = await B.next((m) => m.type === "signal", "signal from A");
if (s1.from !== wa.peerId || s1.data.sdp !== "offer-from-A") fail(`bad signal at B: ${JSON.stringify(s1)}`);
B.send({ type: "signal", to: wa.peerId, data: { sdp: "answer-from-B" } });
const s2 = await A.next((m) => m.type === "signal", "signal from B");
if (s2.from !== wb.peerId || s2.data.sdp !== "answer-from-B") fail(`bad signal at A: ${JSON.stringify(s2)}`);
log("A and B on different nodes signalled each other");

const turn = (wb.iceServers || []).find((s) => [].concat(s.urls).some((u) => u.startsWith("turn:")));
if (!turn || !turn.username || !turn.credential) fail(`no TURN credentials in welcome: ${JSON.stringify(wb.iceServers)}`);
const turnPort = Number(process.env.TURN_PORT);
const ok = await turnAllocate(turnPort, turn.username, turn.credential);
if (ok !== 0x0103) fail(`coturn refused the node's credentials (type 0x${ok.toString(16)})`);
const bad = await turnAllocate(turnPort, turn.username, turn.credential + "x");
if (bad === 0x0103) fail("coturn accepted a wrong TURN password");
log("coturn allocates with the node's credentials (shared TURN_SECRET) and refuses a wrong one");

const killedAt = Date.now();
execFileSync("docker", ["kill", CONTAINERS[nodeX]], { stdio: "ignore" });
log(`docker kill ${nodeX}`);
await B.next((m) => m.type === "peer-left" && m.peerId === wa.peerId, "peer-left for A", 40_000);
log(`B got peer-left for A ${Date.now() - killedAt} ms after the kill`);
let moved;
for (const end = Date.now() + 40_000; Date.now() < end; await new Promise((r) => setTimeout(r, 1000))) {
  const r = await api("GET", `/api/rooms/${room}`);
  if (r.node.id !== nodeX && r.epoch > epoch0) { moved = r; break; }
}
if (!moved) fail(`room not reassigned away from ${nodeX}`);
log(`room reassigned to ${moved.node.id} with epoch ${moved.epoch} ${Date.now() - killedAt} ms after the kill`);
const left = (await api("GET", "/api/nodes")).nodes.map((n) => n.id);
if (left.includes(nodeX)) log(`note: /api/nodes still lists ${nodeX}`);
A.ws.terminate();

// SIGTERM drains: `docker stop` of B's node -> B gets `reconnect`, the JVM exits 0 within 10 s.
const stopAt = Date.now();
execFileSync("docker", ["stop", "-t", "20", CONTAINERS[other.id]], { stdio: "ignore" });
const stopMs = Date.now() - stopAt;
const exit = execFileSync("docker", ["inspect", "-f", "{{.State.ExitCode}}", CONTAINERS[other.id]]).toString().trim();
await B.next((m) => m.type === "reconnect", "reconnect on drain", 5_000);
if (exit !== "0") fail(`${other.id} exited ${exit} on SIGTERM, expected 0`);
if (stopMs > 12_000) fail(`${other.id} took ${stopMs} ms to drain (contract: 10 s)`);
log(`docker stop ${other.id}: B got reconnect, exit 0 after ${stopMs} ms`);
B.ws.terminate();
console.log("client checks passed");
process.exit(0);
JS
}

# ---------------------------------------------------------------- run
command -v curl >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q curl >/dev/null; }
command -v node >/dev/null || die "node is needed for the WebSocket clients"
ensure_engine
TB=$(date +%s)
choose_bases
log "base images ready in $(( $(date +%s) - TB )) s"
[ "$BASES_ONLY" = 1 ] && exit 0

TI=$(date +%s)
log "building $P2P_IMAGE (log: $CACHE/image-build.log)"
docker build --force-rm --network host -f "$ROOT/deploy/Dockerfile" \
  --build-arg BUILD_IMAGE="$BUILD_IMAGE" --build-arg NODE_IMAGE="$NODE_IMAGE" \
  --build-arg RUNTIME_IMAGE="$RUNTIME_IMAGE" -t "$P2P_IMAGE" "$ROOT" > "$CACHE/image-build.log" 2>&1 \
  || { tail -40 "$CACHE/image-build.log" >&2; die "image build failed"; }
IMAGE_BUILD_S=$(( $(date +%s) - TI ))
log "image built in ${IMAGE_BUILD_S} s ($(docker image inspect -f '{{.Size}}' "$P2P_IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"

# the WebSocket client's one dependency, in a temp dir
( cd "$WORK" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent ws@8 >/dev/null ) \
  || die "npm install ws failed"

choose_ports
SERVICES=(balancer node1 node2 node3 coturn prometheus)
[ "$WITH_GRAFANA" = 1 ] && SERVICES+=(grafana)
TU=$(date +%s)
compose down -v --remove-orphans >/dev/null 2>&1 || true
COMPOSE_STARTED=1
log "docker-compose up: ${SERVICES[*]}"
compose up -d --no-build "${SERVICES[@]}" > "$CACHE/compose-up.log" 2>&1 \
  || { cat "$CACHE/compose-up.log" >&2; die "docker-compose up failed"; }
wait_for 180 "the balancer to list 3 nodes up" nodes_up
log "balancer lists 3 nodes up, $(( $(date +%s) - TU )) s after up"
all_healthy() {
  local svc
  for svc in balancer node1 node2 node3; do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$(compose ps -q "$svc")")" = healthy ] || return 1
  done
}
wait_for 120 "the image HEALTHCHECK to report the 4 app containers healthy" all_healthy
log "image HEALTHCHECK: balancer and 3 nodes healthy"
wait_for 60 "Prometheus to scrape 3 nodes and the balancer" targets_up
log "Prometheus scrapes 4 targets, all up"
if [ "$WITH_GRAFANA" = 1 ]; then
  wait_for 90 "Grafana" http "http://localhost:$GRAFANA_PORT/api/health"
  curl -fsS --max-time 5 -u "admin:$GRAFANA_ADMIN_PASSWORD" "http://localhost:$GRAFANA_PORT/api/dashboards/uid/p2p-share" >/dev/null || die "Grafana dashboard not provisioned"
  log "Grafana up with the p2p-share dashboard"
fi
http "$BALANCER/" >/dev/null || die "the balancer does not serve the web client at /"

NODE_CONTAINERS="{"
for i in 1 2 3; do
  id="$(compose ps -q "node$i")"
  NODE_CONTAINERS+="\"node-$i\":\"$id\","
done
NODE_CONTAINERS="${NODE_CONTAINERS%,}}"
export NODE_CONTAINERS BALANCER TURN_PORT

TT=$(date +%s)
write_client
( cd "$WORK" && node client.mjs ) || die "WebSocket checks failed"
log "WebSocket, TURN, kill and drain checks passed in $(( $(date +%s) - TT )) s"

# The metric names the Grafana dashboard charts must be what the processes really expose.
names="$(http "http://localhost:$PROMETHEUS_PORT/api/v1/label/__name__/values" | node -e '
  let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data.join(" ")))')"
missing=""
for m in p2p_connections p2p_rooms p2p_peers p2p_messages_in_total p2p_messages_out_total \
         p2p_cross_node_messages_total p2p_event_loop_lag_ms jvm_memory_used_bytes; do
  [[ " $names " == *" $m "* ]] || missing+=" $m"
done
[ -z "$missing" ] || die "Prometheus never saw:$missing (the dashboard charts them)"
log "Prometheus has the dashboard's metrics; p2p series seen: $(tr ' ' '\n' <<<"$names" | grep '^p2p_' | tr '\n' ' ')"
log "PASS: image build ${IMAGE_BUILD_S} s, cluster up + checks $(( $(date +%s) - TU )) s"
