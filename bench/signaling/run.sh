#!/usr/bin/env bash
# One command per suite: bench/signaling/run.sh <suite> [--quick] [--rounds N]
#   headline (fixed rate, CPU per unit of work): rate | cross-rate | connect | idle | all
#   flood: others' same-node p99 without / with one socket flooding at 6,000 msgs/s (issue 12)
#   secondary: relay | rate50 | cross | connect-burst | idle-heap | idle50k | secondary
#   profiles: profile | profileconnect | connectknob | idlehisto | quickfig; smoke (CI)
# Installs its npm deps from the lock file (ws, bufferutil, peer@1.0.2, socket.io,
# @socket.io/redis-adapter, redis) and redis-server (apt-get) if missing; needs the jars from
# `mvn -q -B -ntp -DskipTests package` at the repository root.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
exec node run.mjs "$@"
