#!/usr/bin/env bash
# bench/browser/run.sh [--mib 256] [--rounds 2] [--quick] [--only raw|engine|pairdrop] [--plain] [--no-pairdrop] [--threads] [--profile <dir>]
# bench/browser/run.sh --table    the issue-15 table: 256 MiB x 3 + 1 GiB (raw, engine, PairDrop) + 4 GiB (engine), one run
# Between two Chromium instances (persistent profiles, one per side): raw data channel vs the p2p-share engine vs PairDrop (its own UI), same run.
# Installs playwright-core from the lock file; needs /usr/bin/chromium and the jars.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
exec node run.mjs "$@"
