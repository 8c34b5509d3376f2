#!/usr/bin/env bash
# One command per suite: bench/signaling/run.sh <relay|rate|cross|connect|idle|idle50k|profile|quickfig|smoke|all> [--quick] [--rounds N]
# Installs its npm deps from the lock file (ws, peer@1.0.2, socket.io, @socket.io/redis-adapter, redis),
# redis-server with apt-get if missing; needs the jars from `mvn -q -B -ntp -DskipTests package`.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/ws ] && [ -d node_modules/peer ] || npm ci --no-audit --no-fund >/dev/null
exec node run.mjs "$@"
