// Signaling benchmark suites. Each suite starts the systems it compares, runs the load generator
// (pinned to another core) against them, stops them, and prints a table and one JSON line.
// Usage: node run.mjs <suite> [--quick] [--rounds N]
//   headline (fixed rate, CPU per unit of work; headline.mjs): rate | cross-rate | connect | idle | all
//   flood (flood.mjs): others' p99 without / with one socket flooding at 6,000 msgs/s
//   secondary (closed loops, sweeps): relay | rate50 | cross | connect-burst | idle-heap | idle50k |
//     secondary; profiles: profile | profileconnect | connectknob | idlehisto | idleprofile | quickfig; smoke
import { runGen, stopAll, machine, sleep, LOGS, procCpuS } from './lib/procs.mjs';
import { startOurs, startPeerJS, startSio, NODE_JAR } from './lib/systems.mjs';
import { median, ratio, table } from './lib/report.mjs';
import { headlineSuites } from './headline.mjs';
import { floodSuites } from './flood.mjs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const suite = argv[0] || 'relay';
const QUICK = argv.includes('--quick');
const roundsArg = argv.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(argv[roundsArg + 1]) : QUICK ? 1 : 3;
const SUITE_DEADLINE_MS = (suite === 'smoke' ? 300 : QUICK ? 300 : suite === 'all' || suite === 'secondary' ? 3600 : 1200) * 1000;
setTimeout(() => {
  console.error(`suite ${suite} passed its time budget; stopping`);
  stopAll().then(() => process.exit(4));
}, SUITE_DEADLINE_MS).unref();

const started = new Date().toISOString();
function relayRow(system, label, r) {
  return {
    system,
    mode: label,
    msgsPerSec: r.msgsPerSec,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    p999: r.latencyMs.p999,
    serverCpuPct: r.serverCpuPct,
    perCpuS: r.serverCpuS > 0 ? Math.round((r.msgsPerSec * r.windowS) / r.serverCpuS) : null,
    genCpuPct: r.genCpuPct,
    genLagP99: r.genLagP99Ms,
    cpu0: r.coresBusyPct?.cpu0,
    cpu1: r.coresBusyPct?.cpu1,
    errors: r.serverErrors,
  };
}
const RELAY_COLS = [
  { h: 'system', k: 'system' },
  { h: 'mode', k: 'mode' },
  { h: 'round', k: 'round' },
  { h: 'msgs/s', k: 'msgsPerSec' },
  { h: 'msgs/server-cpu-s', k: 'perCpuS' },
  { h: 'p50 ms', k: 'p50', d: 2 },
  { h: 'p99 ms', k: 'p99', d: 2 },
  { h: 'p999 ms', k: 'p999', d: 2 },
  { h: 'server cpu%', k: 'serverCpuPct' },
  { h: 'gen cpu%', k: 'genCpuPct' },
  { h: 'gen lag p99 ms', k: 'genLagP99', d: 1 },
  { h: 'core0%', k: 'cpu0' },
  { h: 'core1%', k: 'cpu1' },
  { h: 'errors', k: 'errors' },
];

function summarize(rows, keyFn) {
  const groups = new Map();
  for (const r of rows) {
    const k = keyFn(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  const out = [];
  for (const [k, rs] of groups) {
    const m = { ...rs[0], round: `median/${rs.length}` };
    for (const f of ['ok', 'failed', 'msgsPerSec', 'perCpuS', 'p50', 'p99', 'p999', 'serverCpuPct', 'genCpuPct', 'genLagP99', 'cpu0', 'cpu1', 'achieved', 'perSec', 'errors']) {
      if (f in rs[0]) m[f] = median(rs.map((r) => r[f]));
    }
    out.push(m);
  }
  return out;
}

const relayLoad = () => ({
  pairs: QUICK ? 100 : 500,
  window: QUICK ? 2 : 4,
  warmupS: QUICK ? 1 : 3,
  durationS: QUICK ? 2 : 8,
  deadlineS: 120,
});

// ---------- suites ----------
// idle clients whose connect times out try again, up to this many attempts in all
const IDLE_CONNECT_ATTEMPTS = 3;
const WARM_S = Number(process.env.BENCH_WARM_S || (QUICK ? 2 : 20));
/** An unmeasured relay run so the JIT (ours) and V8 (theirs) have compiled the hot path. */
async function warm(sys, urls = [sys.urls[0]]) {
  const l = relayLoad();
  await runGen({ scenario: 'relay', proto: sys.proto, urls, ...l, warmupS: 0.5, durationS: WARM_S, deadlineS: 120 + WARM_S }, sys.procs);
}

async function suiteRelay() {
  const rows = [];
  const load = relayLoad();
  const systems = [await startOurs(1), await startPeerJS()];
  try {
    for (const sys of systems) await warm(sys);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const sys of round % 2 ? systems : [...systems].reverse()) {
        const r = await runGen({ scenario: 'relay', proto: sys.proto, urls: [sys.urls[0]], ...load }, sys.procs);
        rows.push({ ...relayRow(sys.name, 'same server', r), round });
      }
    }
  } finally {
    for (const sys of systems) await sys.stop();
  }
  const med = summarize(rows, (r) => r.system);
  table(`relay: ${load.pairs} pairs, ${load.window} in flight per direction, ${load.durationS}s window, ${ROUNDS} round(s), server pinned to core ${process.env.BENCH_SERVER_CPU ?? 0}`, RELAY_COLS, [...rows, ...med]);
  const ours = med.find((r) => r.system === 'p2p-share');
  const pj = med.find((r) => r.system.startsWith('PeerJS'));
  const ratios = { relayVsPeerJS: ratio(ours?.msgsPerSec, pj?.msgsPerSec), relayPerCpuVsPeerJS: ratio(ours?.perCpuS, pj?.perCpuS) };
  console.log(`\nratio p2p-share/PeerJS msgs/s (median of rounds): ${ratios.relayVsPeerJS}  (per server CPU-second: ${ratios.relayPerCpuVsPeerJS})  target ≥ 2`);
  return { load, rows, medians: med, ratios };
}

async function suiteRate({ oursMax } = {}) {
  // latency at load: our maximum first (closed loop), then an open loop at 50% of it, same run
  const rows = [];
  const load = relayLoad();
  const sys = await startOurs(1);
  let max = oursMax;
  try {
    await warm(sys);
    if (!max) {
      const r = await runGen({ scenario: 'relay', proto: 'ours', urls: [sys.urls[0]], ...load }, sys.procs);
      rows.push({ ...relayRow('p2p-share', 'closed loop (max)', r), round: 1 });
      max = r.msgsPerSec;
    }
    const rate = Math.max(100, Math.round(max / 2));
    const pairs = Math.max(load.pairs, Math.ceil(rate / (2 * 80)));
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await runGen(
        { scenario: 'rate', proto: 'ours', urls: [sys.urls[0]], pairs, rate, warmupS: QUICK ? 1 : 2, durationS: QUICK ? 2 : 8, deadlineS: 120 },
        sys.procs,
      );
      rows.push({ ...relayRow('p2p-share', `open loop ${rate}/s (50% of max)`, { ...r, msgsPerSec: r.achievedPerSec }), round });
    }
  } finally {
    await sys.stop();
  }
  const med = summarize(rows.filter((r) => r.mode.startsWith('open')), (r) => r.mode);
  table('latency at load: p2p-share, one node pinned to one core', RELAY_COLS, [...rows, ...med]);
  console.log(`\np99 at 50% of max: ${med[0]?.p99} ms (target ≤ 5 ms)`);
  return { max, rows, medians: med, p99AtHalfMax: med[0]?.p99 };
}

async function suiteCross() {
  const rows = [];
  const load = relayLoad();
  const ours = await startOurs(2);
  const sio = await startSio(2);
  const systems = [ours, sio];
  const rate = QUICK ? 1000 : Number(process.env.BENCH_FIXED_RATE || 2000);
  const pairs = Math.max(load.pairs, Math.ceil(rate / (2 * 80)));
  const fixed = [];
  try {
    for (const sys of systems) await warm(sys, [sys.urls[0], sys.urls[1]]);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const sys of round % 2 ? systems : [...systems].reverse()) {
        for (const [label, urls] of [
          ['same node', [sys.urls[0], sys.urls[0]]],
          ['cross node', [sys.urls[0], sys.urls[1]]],
        ]) {
          const r = await runGen({ scenario: 'relay', proto: sys.proto, urls, ...load }, sys.procs);
          rows.push({ ...relayRow(sys.name, label, r), round });
        }
        // fixed cross-node rate: CPU of all the processes of each system, and p99
        const r = await runGen(
          { scenario: 'rate', proto: sys.proto, urls: [sys.urls[0], sys.urls[1]], pairs, rate, warmupS: QUICK ? 1 : 2, durationS: QUICK ? 2 : 8, deadlineS: 120 },
          sys.procs,
        );
        fixed.push({ ...relayRow(sys.name, `cross node, open loop ${rate}/s`, { ...r, msgsPerSec: r.achievedPerSec }), round });
      }
    }
  } finally {
    for (const sys of systems) await sys.stop();
  }
  const med = summarize(rows, (r) => `${r.system}|${r.mode}`);
  table(
    `cross-node relay: ${load.pairs} pairs, W=${load.window}; both nodes of each system (and redis) on core ${process.env.BENCH_SERVER_CPU ?? 0}; server cpu% counts all their processes`,
    RELAY_COLS,
    [...rows, ...med],
  );
  const g = (s, m) => med.find((r) => r.system.startsWith(s) && r.mode === m);
  const ratios = {
    crossVsSameOurs: ratio(g('p2p-share', 'cross node')?.msgsPerSec, g('p2p-share', 'same node')?.msgsPerSec),
    crossOursVsSio: ratio(g('p2p-share', 'cross node')?.msgsPerSec, g('Socket.IO', 'cross node')?.msgsPerSec),
    crossOursVsSioPerCpu: ratio(g('p2p-share', 'cross node')?.perCpuS, g('Socket.IO', 'cross node')?.perCpuS),
  };
  console.log(`\ncross/same (ours): ${ratios.crossVsSameOurs} (target ≥ 0.6); cross ours/Socket.IO: ${ratios.crossOursVsSio} (target ≥ 2; per CPU-second ${ratios.crossOursVsSioPerCpu})`);

  const fmed = summarize(fixed, (r) => r.system);
  table(`cross-node at a fixed rate (${rate} msgs/s, ${pairs} pairs)`, RELAY_COLS, [...fixed, ...fmed]);
  const fo = fmed.find((r) => r.system.startsWith('p2p-share'));
  const fs = fmed.find((r) => r.system.startsWith('Socket.IO'));
  ratios.fixedRateCpuOursVsSio = ratio(fo?.serverCpuPct, fs?.serverCpuPct);
  ratios.fixedRateP99Ours = fo?.p99;
  console.log(`\nat ${rate}/s cross-node: CPU ours/Socket.IO+Redis = ${ratios.fixedRateCpuOursVsSio} (target ≤ 0.5), our p99 ${fo?.p99} ms (target ≤ 5)`);
  return { load, rows, medians: med, fixed, fixedMedians: fmed, ratios };
}

async function suiteConnect() {
  const rows = [];
  const count = QUICK ? 300 : 8000;
  const concurrency = QUICK ? 20 : 64;
  const systems = [await startOurs(1), await startPeerJS({ concurrentLimit: 100000 })];
  try {
    // warm-up: the JIT (ours) and V8 (PeerJS) compile the connect path first
    for (const sys of systems) await runGen({ scenario: 'connect', proto: sys.proto, urls: [sys.urls[0]], count: QUICK ? 50 : 500, concurrency, connectBudgetS: 60, deadlineS: 120 }, sys.procs);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const sys of round % 2 ? systems : [...systems].reverse()) {
        const r = await runGen({ scenario: 'connect', proto: sys.proto, urls: [sys.urls[0]], count, concurrency, connectBudgetS: 60, deadlineS: 120 }, sys.procs);
        rows.push({
          system: sys.name,
          round,
          ok: r.ok,
          failed: r.failed,
          perSec: r.perSec,
          perCpuS: r.serverCpuS > 0 ? Math.round(r.ok / r.serverCpuS) : null,
          p50: r.latencyMs.p50,
          p99: r.latencyMs.p99,
          p999: r.latencyMs.p999,
          serverCpuPct: r.serverCpuPct,
          genCpuPct: r.genCpuPct,
          cpu0: r.coresBusyPct?.cpu0,
          cpu1: r.coresBusyPct?.cpu1,
          firstError: r.firstError,
        });
      }
    }
  } finally {
    for (const sys of systems) await sys.stop();
  }
  const med = summarize(rows, (r) => r.system);
  table(
    `connect: ${count} WebSocket handshakes + join (ours: join→welcome; PeerJS: open→OPEN), ${concurrency} in flight, held open`,
    [
      { h: 'system', k: 'system' },
      { h: 'round', k: 'round' },
      { h: 'ok', k: 'ok' },
      { h: 'failed', k: 'failed' },
      { h: 'connects/s', k: 'perSec' },
      { h: 'connects/server-cpu-s', k: 'perCpuS' },
      { h: 'p50 ms', k: 'p50', d: 2 },
      { h: 'p99 ms', k: 'p99', d: 2 },
      { h: 'p999 ms', k: 'p999', d: 2 },
      { h: 'server cpu%', k: 'serverCpuPct' },
      { h: 'gen cpu%', k: 'genCpuPct' },
      { h: 'core0%', k: 'cpu0' },
      { h: 'core1%', k: 'cpu1' },
    ],
    [...rows, ...med],
  );
  const o = med.find((r) => r.system === 'p2p-share');
  const p = med.find((r) => r.system.startsWith('PeerJS'));
  const ratios = { connectVsPeerJS: ratio(o?.perSec, p?.perSec), connectPerCpuVsPeerJS: ratio(o?.perCpuS, p?.perCpuS) };
  console.log(`\nconnects/s ours/PeerJS: ${ratios.connectVsPeerJS} (target ≥ 2; per server CPU-second ${ratios.connectPerCpuVsPeerJS})`);
  return { count, concurrency, rows, medians: med, ratios };
}

/**
 * The same node with and without one JVM flag, interleaved: Hazelcast runs the callbacks of its
 * async operations on ForkJoinPool.commonPool() only when its parallelism is > 1, and otherwise
 * starts a new Thread per callback; a JVM that sees 1 or 2 CPUs gets parallelism 0 or 1.
 */
async function suiteConnectKnob() {
  const count = QUICK ? 300 : 4000;
  const concurrency = QUICK ? 20 : 64;
  const knob = process.env.BENCH_KNOB || '-Djava.util.concurrent.ForkJoinPool.common.parallelism=4';
  const variants = [
    ['default', await startOurs(1)],
    [knob, await startOurs(1, { javaOpts: [knob] })],
  ];
  const rows = [];
  try {
    for (const [, sys] of variants) await runGen({ scenario: 'connect', proto: 'ours', urls: [sys.urls[0]], count: 500, concurrency, connectBudgetS: 60, deadlineS: 120 }, sys.procs);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [label, sys] of round % 2 ? variants : [...variants].reverse()) {
        const r = await runGen({ scenario: 'connect', proto: 'ours', urls: [sys.urls[0]], count, concurrency, connectBudgetS: 60, deadlineS: 120 }, sys.procs);
        rows.push({ system: `p2p-share ${label}`, round, ok: r.ok, failed: r.failed, perSec: r.perSec, p50: r.latencyMs.p50, p99: r.latencyMs.p99, serverCpuPct: r.serverCpuPct,
          perCpuS: r.serverCpuS > 0 ? Math.round(r.ok / r.serverCpuS) : null, cpu0: r.coresBusyPct?.cpu0, cpu1: r.coresBusyPct?.cpu1 });
      }
    }
  } finally {
    for (const [, sys] of variants) await sys.stop();
  }
  const med = summarize(rows, (r) => r.system);
  table(`connect, one node on core 0, with and without ${knob} (${count} connects, ${concurrency} in flight, after a 500-connect warm-up)`, [
    { h: 'variant', k: 'system' }, { h: 'round', k: 'round' }, { h: 'ok', k: 'ok' }, { h: 'connects/s', k: 'perSec' },
    { h: 'connects/server-cpu-s', k: 'perCpuS' }, { h: 'p50 ms', k: 'p50', d: 1 }, { h: 'p99 ms', k: 'p99', d: 1 },
    { h: 'server cpu%', k: 'serverCpuPct' }, { h: 'core0%', k: 'cpu0' }, { h: 'core1%', k: 'cpu1' },
  ], [...rows, ...med]);
  return { knob, rows, medians: med };
}

/** N idle joined connections spread over gens; returns memory per connection. */
async function holdIdle(sys, N, gens, budgetS = 240) {
  const before = await sys.memory();
  const per = Math.ceil(N / gens);
  const ready = [];
  const children = [];
  const results = [];
  for (let g = 0; g < gens; g++) {
    const count = Math.min(per, N - g * per);
    let resolveReady;
    ready.push(new Promise((r) => (resolveReady = r)));
    const rr = resolveReady;
    // spread a generator's sockets over all nodes, from its own loopback source address
    results.push(
      runGen(
        {
          scenario: 'idle',
          proto: sys.proto,
          urls: sys.urls,
          count,
          concurrency: 64,
          connectBudgetS: budgetS,
          connectAttempts: IDLE_CONNECT_ATTEMPTS,
          holdMaxS: 300,
          deadlineS: budgetS + 360,
          localAddresses: [`127.0.${10 + g}.1`],
        },
        [],
        {
          onEvent: (ev, child) => {
            if (ev.event === 'ready') {
              children.push(child);
              rr(ev);
            }
          },
          timeoutMs: (budgetS + 380) * 1000,
        },
      ),
    );
  }
  const readies = await Promise.race([Promise.all(ready), Promise.all(results).then(() => null)]);
  if (!readies) throw new Error('idle generators ended before ready');
  const ok = readies.reduce((s, e) => s + e.ok, 0);
  await sleep(3000);
  const after = await sys.memory();
  for (const c of children) c.stdin.write('close\n');
  const res = await Promise.all(results);
  const heapDelta = after.reduce((s, m, i) => s + (m.liveHeap - before[i].liveHeap), 0);
  const rssDelta = after.reduce((s, m, i) => s + (m.rss - before[i].rss), 0);
  return {
    system: sys.name,
    requested: N,
    ok,
    aliveAtEnd: res.reduce((s, r) => s + r.aliveAtEnd, 0),
    failed: readies.reduce((s, e) => s + e.failed, 0),
    retried: readies.reduce((s, e) => s + (e.retried ?? 0), 0),
    firstError: readies.map((e) => e.firstError).find(Boolean) || null,
    heapPerConnB: ok ? Math.round(heapDelta / ok) : null,
    rssPerConnB: ok ? Math.round(rssDelta / ok) : null,
    liveHeapMiB: Math.round(after.reduce((s, m) => s + m.liveHeap, 0) / 1048576),
    rssMiB: Math.round(after.reduce((s, m) => s + m.rss, 0) / 1048576),
  };
}
const IDLE_COLS = [
  { h: 'system', k: 'system' },
  { h: 'round', k: 'round' },
  { h: 'connections', k: 'ok' },
  { h: 'failed', k: 'failed' },
  { h: 'retried', k: 'retried' },
  { h: 'alive at end', k: 'aliveAtEnd' },
  { h: 'live heap/conn B', k: 'heapPerConnB' },
  { h: 'RSS/conn B', k: 'rssPerConnB' },
  { h: 'live heap MiB', k: 'liveHeapMiB' },
  { h: 'RSS MiB', k: 'rssMiB' },
];

async function suiteIdle() {
  const N = QUICK ? 500 : 10000;
  const rows = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const start of [() => startOurs(1), () => startPeerJS({ concurrentLimit: 100000 })]) {
      const sys = await start();
      try {
        rows.push({ ...(await holdIdle(sys, N, 1)), round });
      } finally {
        await sys.stop();
      }
    }
  }
  table(`idle: ${N} joined connections held (ours: rooms of 2); delta of live heap after full GC and of RSS, per connection`, IDLE_COLS, rows);
  const o = median(rows.filter((r) => r.system === 'p2p-share').map((r) => r.heapPerConnB));
  console.log(`\nlive heap per idle connection, ours: ${o} B (target ≤ 8192)`);
  return { N, rows, oursHeapPerConnB: o };
}

async function suiteIdle50k() {
  const N = QUICK ? 1500 : 50000;
  const gens = QUICK ? 2 : 4;
  const sys = await startOurs(3, { cpu: null, javaOpts: ['-Xmx1g'] });
  let row;
  try {
    row = await holdIdle(sys, N, gens, QUICK ? 120 : 600);
  } finally {
    await sys.stop();
  }
  table(`idle: ${N} connections on a three-node cluster (${gens} generator processes, nodes unpinned, -Xmx1g each)`, IDLE_COLS, [row]);
  return row;
}

async function suiteProfile() {
  // JFR of one node under relay load, started after a warm-up so the JIT is out of the picture
  const file = join(LOGS, 'relay.jfr');
  const sys = await startOurs(1);
  let r;
  try {
    await warm(sys);
    const pid = String(sys.procs[0].pid);
    execFileSync('jcmd', [pid, 'JFR.start', 'name=bench', 'settings=profile', `filename=${file}`]);
    r = await runGen({ scenario: 'relay', proto: 'ours', urls: [sys.urls[0]], ...relayLoad(), durationS: QUICK ? 3 : 30 }, sys.procs);
    execFileSync('jcmd', [pid, 'JFR.stop', 'name=bench', `filename=${file}`]);
  } finally {
    await sys.stop();
  }
  console.log(`relay under JFR: ${r.msgsPerSec} msgs/s, ${Math.round((r.msgsPerSec * r.windowS) / r.serverCpuS)} msgs per server CPU-s; recording ${file}`);
  console.log(`hot spots: jfr print --events jdk.ExecutionSample ${file} (or: node bench/signaling/jfr-top.mjs ${file})`);
  return { file, relay: relayRow('p2p-share', 'under JFR', r) };
}

async function suiteProfileConnect() {
  // JFR of one node while it accepts connects (each joins a fresh room), after a warm-up
  const file = join(LOGS, 'connect.jfr');
  const sys = await startOurs(1);
  let r;
  try {
    await runGen({ scenario: 'connect', proto: 'ours', urls: [sys.urls[0]], count: QUICK ? 50 : 1000, concurrency: 64, connectBudgetS: 60, deadlineS: 120 }, sys.procs);
    const pid = String(sys.procs[0].pid);
    execFileSync('jcmd', [pid, 'JFR.start', 'name=bench', 'settings=profile', `filename=${file}`]);
    r = await runGen({ scenario: 'connect', proto: 'ours', urls: [sys.urls[0]], count: QUICK ? 100 : 4000, concurrency: 64, connectBudgetS: 90, deadlineS: 150 }, sys.procs);
    execFileSync('jcmd', [pid, 'JFR.stop', 'name=bench', `filename=${file}`]);
  } finally {
    await sys.stop();
  }
  console.log(`connect under JFR: ${r.perSec}/s, ${Math.round(r.ok / r.serverCpuS)} connects per server CPU-s; node bench/signaling/jfr-top.mjs ${file}`);
  return { file, perSec: r.perSec };
}

function histogram(pid) {
  const out = execFileSync('jcmd', [String(pid), 'GC.class_histogram'], { maxBuffer: 64 << 20 }).toString();
  const m = new Map();
  for (const line of out.split('\n')) {
    const r = /^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/.exec(line);
    if (r) m.set(r[3], { n: Number(r[1]), b: Number(r[2]) });
  }
  return m;
}

async function suiteIdleHisto() {
  // what an idle connection costs on the heap, by class (live objects after a full GC)
  const N = QUICK ? 500 : 5000;
  const sys = await startOurs(1);
  let rows = [];
  try {
    const pid = sys.procs[0].pid;
    const before = histogram(pid);
    let child;
    const res = runGen(
      { scenario: 'idle', proto: 'ours', urls: sys.urls, count: N, concurrency: 64, connectBudgetS: 240, holdMaxS: 120, deadlineS: 400, localAddresses: ['127.0.20.1'] },
      [],
      { onEvent: (ev, c) => ev.event === 'ready' && (child = c), timeoutMs: 420000 },
    );
    while (!child) await sleep(200);
    await sleep(2000);
    const after = histogram(pid);
    child.stdin.write('close\n');
    await res;
    for (const [k, a] of after) {
      const b = before.get(k) || { n: 0, b: 0 };
      rows.push({ cls: k, perConnB: (a.b - b.b) / N, perConnN: (a.n - b.n) / N });
    }
    rows.sort((x, y) => y.perConnB - x.perConnB);
    const total = rows.reduce((s, r) => s + r.perConnB, 0);
    rows = rows.slice(0, 25);
    table(`live heap per idle connection by class (${N} joined connections, after full GC): total ${Math.round(total)} B`, [
      { h: 'B/conn', k: 'perConnB', d: 0 }, { h: 'objects/conn', k: 'perConnN', d: 2 }, { h: 'class', k: 'cls' },
    ], rows);
    return { N, totalPerConnB: Math.round(total), top: rows };
  } finally {
    await sys.stop();
  }
}

async function suiteIdleProfile() {
  // where an idle node's CPU goes: its CPU with no socket, then with N idle joined sockets held
  // (answering pings) under a JFR CPU profile; BENCH_NODE_JAR picks the jar
  const N = Number(process.env.BENCH_IDLE_N || (QUICK ? 500 : 5000));
  const holdS = QUICK ? 10 : 30;
  const file = join(LOGS, `idle-${Date.now()}.jfr`);
  const sys = await startOurs(1);
  try {
    const pid = sys.procs[0].pid;
    await sleep(10000); // start-up work done
    let c0 = procCpuS(pid);
    await sleep(holdS * 1000);
    const emptyPct = Math.round(((procCpuS(pid) - c0) / holdS) * 1000) / 10;
    let child;
    const res = runGen(
      { scenario: 'idle', proto: 'ours', urls: sys.urls, count: N, concurrency: 64, connectBudgetS: 240, holdMaxS: holdS + 120, deadlineS: holdS + 400, localAddresses: ['127.0.21.1'] },
      [],
      { onEvent: (ev, c) => ev.event === 'ready' && (child = c), timeoutMs: (holdS + 420) * 1000 },
    );
    while (!child) await sleep(200);
    await sleep(5000);
    execFileSync('jcmd', [String(pid), 'JFR.start', 'name=idle', 'settings=profile', `filename=${file}`]);
    c0 = procCpuS(pid);
    await sleep(holdS * 1000);
    const idlePct = Math.round(((procCpuS(pid) - c0) / holdS) * 1000) / 10;
    execFileSync('jcmd', [String(pid), 'JFR.stop', 'name=idle', `filename=${file}`]);
    child.stdin.write('close\n');
    await res;
    const row = { jar: NODE_JAR.split('/').slice(-3).join('/'), sockets: N, emptyCpuPct: emptyPct, idleCpuPct: idlePct, file };
    table(`idle profile: node CPU with no socket and with ${N} idle joined sockets (pings every IDLE_TIMEOUT_S/3), ${holdS} s each; JFR of the second: node bench/signaling/jfr-top.mjs ${file}`, [
      { h: 'jar', k: 'jar' }, { h: 'sockets', k: 'sockets' }, { h: 'cpu% no socket', k: 'emptyCpuPct', d: 1 }, { h: 'cpu% idle sockets', k: 'idleCpuPct', d: 1 },
    ], [row]);
    return row;
  } finally {
    await sys.stop();
  }
}

async function suiteQuickFig() {
  // the first figure: relay msgs/s same-node and cross-node on a 2-node cluster, and on a cluster of one
  const rows = [];
  const load = relayLoad();
  for (let round = 1; round <= ROUNDS; round++) {
    const one = await startOurs(1);
    try {
      await warm(one);
      const r = await runGen({ scenario: 'relay', proto: 'ours', urls: [one.urls[0]], ...load }, one.procs);
      rows.push({ ...relayRow('p2p-share ×1', 'one node', r), round });
    } finally {
      await one.stop();
    }
    const two = await startOurs(2);
    try {
      await warm(two, [two.urls[0], two.urls[1]]);
      for (const [label, urls] of [
        ['same node', [two.urls[0], two.urls[0]]],
        ['cross node', [two.urls[0], two.urls[1]]],
      ]) {
        const r = await runGen({ scenario: 'relay', proto: 'ours', urls, ...load }, two.procs);
        rows.push({ ...relayRow('p2p-share ×2', label, r), round });
      }
    } finally {
      await two.stop();
    }
  }
  const med = summarize(rows, (r) => `${r.system}|${r.mode}`);
  table(`quick figure: relay, ${load.pairs} pairs, W=${load.window}, nodes on core 0, generator on core 1`, RELAY_COLS, [...rows, ...med]);
  return { load, rows, medians: med };
}

async function suiteSmoke() {
  // every scenario, tiny sizes, every system: must finish in seconds and deliver something
  const fails = [];
  const check = (name, cond) => {
    if (!cond) fails.push(name);
    console.log(`${cond ? 'ok  ' : 'FAIL'} ${name}`);
  };
  const tiny = { pairs: 4, window: 1, warmupS: 0.3, durationS: 0.7, deadlineS: 30 };
  // all systems start at once (the JVMs' start dominates a smoke run)
  const [ours, pj, sio] = await Promise.all([startOurs(2), startPeerJS({ concurrentLimit: 100000 }), startSio(2)]);
  try {
    const r = await runGen({ scenario: 'relay', proto: 'ours', urls: [ours.urls[0], ours.urls[1]], ...tiny }, ours.procs);
    check(`ours relay cross-node (${r.msgsPerSec} msgs/s)`, r.msgsPerSec > 0 && r.serverErrors === 0);
    const q = await runGen({ scenario: 'rate', proto: 'ours', urls: [ours.urls[0]], ...tiny, rate: 200 }, ours.procs);
    check(`ours open loop (${q.achievedPerSec}/s)`, q.delivered > 0);
    const c = await runGen({ scenario: 'connect', proto: 'ours', urls: [ours.urls[0]], count: 20, concurrency: 5, deadlineS: 30 }, ours.procs);
    check(`ours connect (${c.perSec}/s)`, c.ok === 20);
    const i = await holdIdle(ours, 20, 1);
    check(`ours idle (${i.heapPerConnB} B/conn)`, i.ok === 20 && i.heapPerConnB != null);
    const pr = await runGen({ scenario: 'relay', proto: 'peerjs', urls: [pj.urls[0]], ...tiny }, pj.procs);
    check(`peerjs relay (${pr.msgsPerSec} msgs/s)`, pr.msgsPerSec > 0);
    const pc = await runGen({ scenario: 'connect', proto: 'peerjs', urls: [pj.urls[0]], count: 20, concurrency: 5, deadlineS: 30 }, pj.procs);
    check(`peerjs connect (${pc.perSec}/s)`, pc.ok === 20);
    const pi = await holdIdle(pj, 20, 1);
    check(`peerjs idle`, pi.ok === 20);
    const sr = await runGen({ scenario: 'relay', proto: 'sio', urls: [sio.urls[0], sio.urls[1]], ...tiny }, sio.procs);
    check(`socket.io+redis relay cross-node (${sr.msgsPerSec} msgs/s)`, sr.msgsPerSec > 0);
  } finally {
    await Promise.all([ours.stop(), pj.stop(), sio.stop()]);
  }
  if (fails.length) throw new Error(`smoke failed: ${fails.join(', ')}`);
  return { ok: true };
}

const suites = {
  // headline: fixed offered rate, CPU per unit of work, one server at a time (headline.mjs)
  ...headlineSuites,
  // issue 12: others' latency while one socket floods its node
  ...floodSuites,
  // secondary: closed loops at saturation and the older sweeps
  relay: suiteRelay,
  rate50: suiteRate,
  cross: suiteCross,
  'connect-burst': suiteConnect,
  connectknob: suiteConnectKnob,
  'idle-heap': suiteIdle,
  idle50k: suiteIdle50k,
  profile: suiteProfile,
  idlehisto: suiteIdleHisto,
  idleprofile: suiteIdleProfile,
  profileconnect: suiteProfileConnect,
  quickfig: suiteQuickFig,
  smoke: suiteSmoke,
};

async function main() {
  const m = machine();
  console.log(`# ${suite}${QUICK ? ' --quick' : ''} ${started} | ${m.nproc} cores, ${m.cpu} | load ${m.loadavg} | cpu pressure avg60 ${m.cpuPressureSomeAvg60}% | ${m.node}`);
  const names = suite === 'all' ? ['rate', 'cross-rate', 'connect', 'idle'] : suite === 'secondary' ? ['relay', 'rate50', 'cross', 'connect-burst', 'idle-heap', 'idle50k'] : [suite];
  const out = {};
  for (const n of names) {
    if (!suites[n]) throw new Error(`unknown suite ${n}; one of ${Object.keys(suites).join(', ')}, all`);
    if (names.length === 1) {
      out[n] = await suites[n]();
      continue;
    }
    try {
      out[n] = await suites[n]();
    } catch (e) {
      // one failed suite of several: report it and go on with the next
      console.log(`\n${n}: FAILED ${String(e.message || e).split('\n')[0]}`);
      out[n] = { failed: String(e.message || e) };
      await stopAll();
    }
  }
  console.log(JSON.stringify({ bench: 'signaling', suite, quick: QUICK, rounds: ROUNDS, started, machine: m, ...out }));
  const failed = names.filter((n) => out[n]?.failed);
  if (failed.length) console.error(`\nFAILED suites (no figure from them): ${failed.join(', ')}`);
  return failed.length;
}

main().then(
  async (failed) => {
    await stopAll();
    process.exit(failed ? 1 : 0);
  },
  async (e) => {
    console.error(e && e.stack ? e.stack : e);
    await stopAll();
    process.exit(1);
  },
);
