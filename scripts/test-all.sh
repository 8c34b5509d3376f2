#!/usr/bin/env bash
# Installs what the tests need and runs all of them: Java unit tests on real Hazelcast members,
# the real jars as processes, manifest checks, formatting, then the web client's lint, unit
# tests and Playwright end-to-end tests in Debian's Chromium against a real local cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v turnserver >/dev/null 2>&1 || need+=(coturn)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Java: every module's tests + system tests (failsafe) + formatting; also builds web/ (npm ci).
mvn -B -ntp verify

# Benchmarks never rot: a smoke run of each (seconds, tiny sizes) against the jars just built.
bash bench/smoke.sh

# Web: lint (eslint, prettier, tsc), unit tests (Vitest), end-to-end (Playwright + Chromium).
cd web
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run lint
npm test
# Each e2e file runs once: a failure fails the run (no test passes by retrying; a flake is a bug,
# see web/README.md "Flakes: root causes").
npx vite build --mode test   # the e2e suites run on the test build (test hooks compiled in)
npx tsc -p e2e/tsconfig.json
node --test --test-concurrency=1 e2e-dist/
