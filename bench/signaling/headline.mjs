// The headline suites: CPU per unit of work at a *fixed* offered rate (open loop), one server at a
// time pinned to core 0, the generator on core 1, after a long warm-up. A run with any error
// frame (e.g. rate-limited) is marked invalid. Each suite prints one table.
//   rate        p2p-share (1 node) vs PeerJS: 10,000 and 5,000 msgs/s, and 800 sockets at 200 msgs/s
//   cross-rate  p2p-share (2 nodes) vs Socket.IO + Redis (2 nodes), 5,000 msgs/s across nodes
//   connect     CPU per connect (WebSocket + join + welcome vs WebSocket + OPEN), p2p-share vs PeerJS
//   idle        RSS and CPU of idle sockets held open, p2p-share vs PeerJS
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { runGen, procCpuS, rssBytes, sleep, LOGS, ROOT, HERE } from './lib/procs.mjs';
import { startOurs, startPeerJS, startSio } from './lib/systems.mjs';
import { gcLogFlag, gcWindow } from './lib/gclog.mjs';
import { ratio, table } from './lib/report.mjs';

const QUICK = process.argv.includes('--quick');
const WARM_S = Number(process.env.BENCH_WARM_S || (QUICK ? 5 : 40));
const WINDOW_S = Number(process.env.BENCH_WINDOW_S || (QUICK ? 5 : 15));

/** The node's JVM flags from signaling-node/jvm.options, for the table's caption. */
function shippedFlags() {
  try {
    const f = join(ROOT, 'signaling-node', 'jvm.options');
    return readFileSync(f, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .join(' ');
  } catch {
    return '(none)';
  }
}

const cpuPerUnitUs = (cpuS, units) => (units > 0 ? Math.round((cpuS * 1e6) / units) : null);

/** One row per measured phase of an open-loop run; GC figures for JVM systems with a GC log. */
function rateRows(sys, r, gcLog) {
  return r.phases.map((ph, i) => {
    const w = r.windows[i] || {};
    const up = w.uptimeS?.[0];
    const gc = gcLog && up ? gcWindow(gcLog, up[0], up[1]) : null;
    const msgs = ph.delivered;
    return {
      system: sys.name,
      phase: ph.label,
      offered: ph.rate,
      achieved: ph.achievedPerSec,
      serverCpuPct: w.serverCpuPct,
      cpuUsPerMsg: cpuPerUnitUs(w.serverCpuS, msgs),
      p50: ph.latencyMs.p50,
      p99: ph.latencyMs.p99,
      p999: ph.latencyMs.p999,
      genLagP99: ph.genLagP99Ms,
      gcs: gc?.collections ?? null,
      gcMaxMs: gc?.maxPauseMs ?? null,
      allocBPerMsg: gc?.allocBytesPerSec != null && ph.achievedPerSec ? Math.round(gc.allocBytesPerSec / ph.achievedPerSec) : null,
      core0: w.coresBusyPct?.cpu0,
      core1: w.coresBusyPct?.cpu1,
      errors: ph.serverErrors,
      valid: ph.serverErrors === 0 && ph.achievedPerSec >= ph.rate * 0.97 ? 'yes' : 'NO',
    };
  });
}

const RATE_COLS = [
  { h: 'system', k: 'system' },
  { h: 'phase', k: 'phase' },
  { h: 'offered/s', k: 'offered' },
  { h: 'delivered/s', k: 'achieved' },
  { h: 'server cpu%', k: 'serverCpuPct' },
  { h: 'cpu µs/msg', k: 'cpuUsPerMsg' },
  { h: 'p50 ms', k: 'p50', d: 2 },
  { h: 'p99 ms', k: 'p99', d: 2 },
  { h: 'p999 ms', k: 'p999', d: 2 },
  { h: 'gen lag p99', k: 'genLagP99', d: 1 },
  { h: 'GCs', k: 'gcs' },
  { h: 'GC max ms', k: 'gcMaxMs', d: 1 },
  { h: 'alloc B/msg', k: 'allocBPerMsg' },
  { h: 'core0%', k: 'core0' },
  { h: 'core1%', k: 'core1' },
  { h: 'errors', k: 'errors' },
  { h: 'valid', k: 'valid' },
];

async function openLoopOn(sys, { pairs, phases, urls }) {
  return runGen({ scenario: 'rate', proto: sys.proto, urls, pairs, phases, setupConc: 32, deadlineS: 240 + phases.reduce((s, p) => s + p.warmupS + p.durationS + 1, 0) }, sys.procs);
}

function oursWithGcLog(n, tag) {
  const gcLog = join(LOGS, `gc-${tag}-${Date.now()}.log`);
  return startOurs(n, { javaOpts: [gcLogFlag(gcLog)] }).then((sys) => ({ sys, gcLog }));
}

export async function suiteRateHeadline() {
  const pairs = QUICK ? 100 : 400;
  const [hi, mid, low] = QUICK ? [2000, 1000, 200] : [10000, 5000, 200];
  const phases = [
    { label: `${hi}/s`, rate: hi, warmupS: WARM_S, durationS: WINDOW_S },
    { label: `${mid}/s`, rate: mid, warmupS: 5, durationS: WINDOW_S },
    { label: `${2 * pairs} sockets, ${low}/s`, rate: low, warmupS: 5, durationS: WINDOW_S },
  ];
  const rows = [];
  for (const start of [() => oursWithGcLog(1, 'rate'), async () => ({ sys: await startPeerJS({ concurrentLimit: 100000 }) })]) {
    const { sys, gcLog } = await start();
    try {
      const r = await openLoopOn(sys, { pairs, phases, urls: [sys.urls[0]] });
      rows.push(...rateRows(sys, r, gcLog));
    } finally {
      await sys.stop();
    }
  }
  table(
    `rate: open loop, ${pairs} pairs (${2 * pairs} sockets, each under the 100 msgs/s limit), ${WARM_S} s warm-up then ${WINDOW_S} s windows; ` +
      `server on core ${process.env.BENCH_SERVER_CPU ?? 0}, generator on core ${process.env.BENCH_GEN_CPU ?? 1}; node flags: ${shippedFlags()}`,
    RATE_COLS,
    rows,
  );
  const at = (sys, rate) => rows.find((r) => r.system.startsWith(sys) && r.offered === rate);
  const ratios = {
    cpuOursVsPeerJSHi: ratio(at('p2p-share', hi)?.serverCpuPct, at('PeerJS', hi)?.serverCpuPct),
    cpuOursVsPeerJSMid: ratio(at('p2p-share', mid)?.serverCpuPct, at('PeerJS', mid)?.serverCpuPct),
  };
  console.log(
    `\nserver CPU ours/PeerJS: ${ratios.cpuOursVsPeerJSHi} at ${hi}/s, ${ratios.cpuOursVsPeerJSMid} at ${mid}/s (target ≤ 0.5); ` +
      `our p99 ${at('p2p-share', hi)?.p99} ms at ${hi}/s (target ≤ 5), ${at('p2p-share', mid)?.p99} ms at ${mid}/s (target ≤ 3); ` +
      `our CPU at ${low}/s: ${at('p2p-share', low)?.serverCpuPct} % (target ≤ 2)`,
  );
  return { pairs, phases, rows, ratios };
}

export async function suiteCrossRate() {
  const pairs = QUICK ? 100 : 400;
  const rate = QUICK ? 1000 : 5000;
  const phases = [{ label: `${rate}/s cross-node`, rate, warmupS: WARM_S, durationS: WINDOW_S }];
  const rows = [];
  for (const start of [() => oursWithGcLog(2, 'cross'), async () => ({ sys: await startSio(2) })]) {
    const { sys, gcLog } = await start();
    try {
      const r = await openLoopOn(sys, { pairs, phases, urls: [sys.urls[0], sys.urls[1]] });
      rows.push(...rateRows(sys, r, gcLog));
    } finally {
      await sys.stop();
    }
  }
  table(
    `cross-rate: open loop across 2 nodes, ${pairs} pairs (one peer on each node), ${WARM_S} s warm-up, ${WINDOW_S} s window; ` +
      `every process of a system (both nodes; Redis for Socket.IO) on core ${process.env.BENCH_SERVER_CPU ?? 0}; GC and alloc columns are node 1's`,
    RATE_COLS,
    rows,
  );
  const o = rows.find((r) => r.system.startsWith('p2p-share'));
  const s = rows.find((r) => r.system.startsWith('Socket.IO'));
  const ratios = { cpuOursVsSio: ratio(o?.serverCpuPct, s?.serverCpuPct) };
  console.log(`\nserver CPU ours/Socket.IO+Redis at ${rate}/s cross-node: ${ratios.cpuOursVsSio} (target ≤ 0.33); our p99 ${o?.p99} ms (target ≤ 5)`);
  return { pairs, rate, rows, ratios };
}

export async function suiteConnectCost() {
  const count = QUICK ? 300 : 5000;
  const concurrency = QUICK ? 20 : 100;
  const rows = [];
  for (const start of [() => startOurs(1), () => startPeerJS({ concurrentLimit: 100000 })]) {
    const sys = await start();
    try {
      // the JIT (ours) and V8 (PeerJS) compile the connect path first
      await runGen({ scenario: 'connect', proto: sys.proto, urls: [sys.urls[0]], count: QUICK ? 100 : 2000, concurrency, connectBudgetS: 90, deadlineS: 150 }, sys.procs);
      const r = await runGen({ scenario: 'connect', proto: sys.proto, urls: [sys.urls[0]], count, concurrency, connectBudgetS: 90, deadlineS: 150 }, sys.procs);
      rows.push({
        system: sys.name,
        ok: r.ok,
        failed: r.failed,
        perSec: r.perSec,
        cpuMsPerConnect: r.ok ? Math.round((r.serverCpuS * 1e5) / r.ok) / 100 : null,
        p50: r.latencyMs.p50,
        p99: r.latencyMs.p99,
        serverCpuPct: r.serverCpuPct,
        core0: r.coresBusyPct?.cpu0,
        core1: r.coresBusyPct?.cpu1,
        valid: r.failed === 0 ? 'yes' : 'NO',
      });
    } finally {
      await sys.stop();
    }
  }
  table(
    `connect: ${count} sockets, ${concurrency} in flight, held open (ours: WebSocket + join + welcome; PeerJS: WebSocket + OPEN), after a warm-up; server CPU per connect`,
    [
      { h: 'system', k: 'system' },
      { h: 'ok', k: 'ok' },
      { h: 'failed', k: 'failed' },
      { h: 'connects/s', k: 'perSec' },
      { h: 'cpu ms/connect', k: 'cpuMsPerConnect', d: 2 },
      { h: 'p50 ms', k: 'p50', d: 1 },
      { h: 'p99 ms', k: 'p99', d: 1 },
      { h: 'server cpu%', k: 'serverCpuPct' },
      { h: 'core0%', k: 'core0' },
      { h: 'core1%', k: 'core1' },
      { h: 'valid', k: 'valid' },
    ],
    rows,
  );
  const o = rows.find((r) => r.system === 'p2p-share');
  const p = rows.find((r) => r.system.startsWith('PeerJS'));
  const ratios = { cpuPerConnectOursVsPeerJS: ratio(o?.cpuMsPerConnect, p?.cpuMsPerConnect) };
  console.log(`\nCPU per connect ours/PeerJS: ${ratios.cpuPerConnectOursVsPeerJS} (target ≤ 0.5)`);
  return { count, concurrency, rows, ratios };
}

/** Holds N idle joined sockets; RSS growth per socket and the server's CPU over a quiet window. */
async function idleCost(sys, N, holdS) {
  const pid = sys.procs[0].pid;
  await sleep(2000);
  const rss0 = rssBytes(pid);
  let child = null;
  let ready = null;
  const res = runGen(
    { scenario: 'idle', proto: sys.proto, urls: [sys.urls[0]], count: N, concurrency: 64, connectBudgetS: 240, connectAttempts: 3, holdMaxS: holdS + 120, deadlineS: holdS + 400, localAddresses: ['127.0.30.1'] },
    [],
    { onEvent: (ev, c) => ev.event === 'ready' && ((child = c), (ready = ev)), timeoutMs: (holdS + 420) * 1000 },
  );
  const until = Date.now() + 300000;
  while (!child && Date.now() < until) await sleep(200);
  if (!child) throw new Error('idle generator never became ready');
  await sleep(5000); // connect-time garbage and JIT settle
  const rss1 = rssBytes(pid);
  const c0 = sys.procs.map((p) => procCpuS(p.pid));
  const t0 = Date.now();
  await sleep(holdS * 1000);
  const cpuS = sys.procs.reduce((s, p, i) => s + procCpuS(p.pid) - c0[i], 0);
  const secs = (Date.now() - t0) / 1000;
  child.stdin.write('close\n');
  const r = await res;
  return {
    system: sys.name,
    sockets: ready.ok,
    failed: ready.failed,
    aliveAtEnd: r.aliveAtEnd,
    rssPerSocketKB: ready.ok ? Math.round((rss1 - rss0) / ready.ok / 102.4) / 10 : null,
    rssMiB: Math.round(rss1 / 1048576),
    idleCpuPct: Math.round((cpuS / secs) * 1000) / 10,
    valid: ready.failed === 0 && r.aliveAtEnd === ready.ok ? 'yes' : 'NO',
  };
}

export async function suiteIdleCost() {
  const N = QUICK ? 500 : 10000;
  const holdS = QUICK ? 5 : 45;
  const rows = [];
  for (const start of [() => startOurs(1), () => startPeerJS({ concurrentLimit: 100000 })]) {
    const sys = await start();
    try {
      rows.push(await idleCost(sys, N, holdS));
    } finally {
      await sys.stop();
    }
  }
  table(
    `idle: ${N} joined sockets held (ours: rooms of 2, answering the node's pings; PeerJS: a HEARTBEAT every 5 s as its client does); ` +
      `RSS growth per socket and server CPU over ${holdS} s`,
    [
      { h: 'system', k: 'system' },
      { h: 'sockets', k: 'sockets' },
      { h: 'failed', k: 'failed' },
      { h: 'alive at end', k: 'aliveAtEnd' },
      { h: 'RSS KB/socket', k: 'rssPerSocketKB', d: 1 },
      { h: 'RSS MiB', k: 'rssMiB' },
      { h: 'idle cpu%', k: 'idleCpuPct', d: 1 },
      { h: 'valid', k: 'valid' },
    ],
    rows,
  );
  const o = rows.find((r) => r.system === 'p2p-share');
  const p = rows.find((r) => r.system.startsWith('PeerJS'));
  console.log(`\nRSS per idle socket ours ${o?.rssPerSocketKB} KB vs PeerJS ${p?.rssPerSocketKB} KB (target ≤ 8 and ≤ 2×); idle CPU ours ${o?.idleCpuPct} % vs PeerJS ${p?.idleCpuPct} % (target ≤)`);
  return { N, holdS, rows };
}


/**
 * Bytes allocated per relayed message: one node under an open loop; a JFR recording with only
 * allocation events covers a window; per-thread allocation totals at its start and end, and the
 * sampled allocations by class and by the first p2p-share (or else library) frame.
 */
export async function suiteAlloc() {
  const pairs = QUICK ? 100 : 400;
  const rate = Number(process.env.BENCH_ALLOC_RATE || (QUICK ? 2000 : 5000));
  const file = join(LOGS, `alloc-${Date.now()}.jfr`);
  const { sys } = { sys: await startOurs(1) };
  const pid = String(sys.procs[0].pid);
  let t0;
  let t1;
  try {
    await runGen(
      { scenario: 'rate', proto: 'ours', urls: [sys.urls[0]], pairs, phases: [{ rate, warmupS: WARM_S, durationS: WINDOW_S }], deadlineS: 120 + WARM_S + WINDOW_S },
      sys.procs,
      {
        onEvent: (ev) => {
          if (ev.event === 'window-start') {
            t0 = Date.now();
            execFileSync('jcmd', [pid, 'JFR.start', 'name=alloc', `settings=${join(HERE, 'alloc.jfc')}`, `filename=${file}`]);
          } else if (ev.event === 'window-end') {
            execFileSync('jcmd', [pid, 'JFR.stop', 'name=alloc', `filename=${file}`]);
            t1 = Date.now();
          }
        },
      },
    );
  } finally {
    await sys.stop();
  }
  const text = execFileSync('jfr', ['print', '--events', 'jdk.ThreadAllocationStatistics', file], { maxBuffer: 1 << 30 }).toString();
  const byThread = new Map();
  // the span the totals cover: the recording's own first and last statistics (jcmd takes a while)
  const stamps = [...text.matchAll(/startTime = (\d+):(\d+):([\d.]+)/g)].map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
  const spanS = stamps.length ? Math.max(...stamps) - Math.min(...stamps) : (t1 - t0) / 1000;
  for (const block of text.split('jdk.ThreadAllocationStatistics {').slice(1)) {
    const a = Number((/allocated = ([\d.]+) (bytes|kB|MB|GB)/.exec(block) || []).slice(1, 2)[0]);
    const unit = (/allocated = [\d.]+ (bytes|kB|MB|GB)/.exec(block) || [])[1];
    const name = (/thread = "([^"]+)"/.exec(block) || [])[1] || '?';
    const bytes = a * ({ bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[unit] || 1);
    const r = byThread.get(name) || { min: Infinity, max: 0 };
    r.min = Math.min(r.min, bytes);
    r.max = Math.max(r.max, bytes);
    byThread.set(name, r);
  }
  const threads = [...byThread].map(([name, r]) => ({ name, bytes: r.max - r.min })).sort((a, b) => b.bytes - a.bytes);
  const total = threads.reduce((s, t) => s + t.bytes, 0);
  const msgs = rate * spanS;
  const samples = execFileSync('jfr', ['print', '--stack-depth', '30', '--events', 'jdk.ObjectAllocationSample', file], { maxBuffer: 1 << 30 }).toString();
  const byClass = new Map();
  const bySite = new Map();
  let weightTotal = 0;
  for (const block of samples.split('jdk.ObjectAllocationSample {').slice(1)) {
    const cls = (/objectClass = (\S+)/.exec(block) || [])[1] || '?';
    const wm = /weight = ([\d.]+) (bytes|kB|MB|GB)/.exec(block);
    const w = wm ? Number(wm[1]) * ({ bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[wm[2]] || 1) : 0;
    const frames = ((/stackTrace = \[([\s\S]*?)\n\s*\]/.exec(block) || [])[1] || '').split('\n').map((l) => l.trim().replace(/\s+line:.*$/, '')).filter(Boolean);
    const site = frames.find((f) => f.startsWith('p2pshare.')) || frames.find((f) => !f.startsWith('java.')) || frames[0] || '?';
    weightTotal += w;
    byClass.set(cls, (byClass.get(cls) || 0) + w);
    bySite.set(site, (bySite.get(site) || 0) + w);
  }
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, w]) => ({ k, perMsg: Math.round((w / weightTotal) * (total / msgs)), share: Math.round((w * 1000) / weightTotal) / 10 }));
  const rows = [
    { k: `TOTAL (all threads), ${Math.round(msgs)} msgs at ${rate}/s`, perMsg: Math.round(total / msgs), share: 100 },
    ...threads.slice(0, 5).map((t) => ({ k: `thread ${t.name}`, perMsg: Math.round(t.bytes / msgs), share: Math.round((t.bytes * 1000) / total) / 10 })),
    ...top(byClass).map((r) => ({ ...r, k: `class ${r.k}` })),
    ...top(bySite).map((r) => ({ ...r, k: `site ${r.k}` })),
  ];
  table(`alloc: bytes allocated per relayed message (JFR ThreadAllocationStatistics over ${spanS.toFixed(1)} s; classes and sites from allocation samples, scaled to the total)`, [
    { h: 'B/msg', k: 'perMsg' },
    { h: 'share %', k: 'share', d: 1 },
    { h: 'what', k: 'k' },
  ], rows);
  return { rate, file, perMsg: Math.round(total / msgs), rows };
}

/**
 * The collector and sizes for signaling-node/jvm.options, side by side: the same node and open
 * loop with each variant's flags instead of the shipped ones, GC logs read over the window.
 */
export async function suiteGcChoice() {
  const pairs = QUICK ? 100 : 400;
  const rate = Number(process.env.BENCH_GC_RATE || (QUICK ? 2000 : 5000));
  const variants = (process.env.BENCH_GC_VARIANTS || '')
    .split('|')
    .filter(Boolean);
  const list = variants.length
    ? variants
    : ['(JVM default)', '-XX:+UseSerialGC -Xmn32m', '-XX:+UseSerialGC -Xmn128m', '-XX:+UseParallelGC -Xmn32m', '-XX:+UseG1GC -XX:MaxGCPauseMillis=5'];
  const rows = [];
  for (const v of list) {
    const flags = v.startsWith('(') ? [] : v.split(' ');
    const gcLog = join(LOGS, `gc-choice-${Date.now()}.log`);
    const sys = await startOurs(1, { shippedOptions: false, javaOpts: ['-XX:+ExitOnOutOfMemoryError', ...flags, gcLogFlag(gcLog)] });
    try {
      const r = await openLoopOn(sys, { pairs, phases: [{ label: v, rate, warmupS: WARM_S, durationS: WINDOW_S }], urls: [sys.urls[0]] });
      const [row] = rateRows(sys, r, gcLog);
      const w = r.windows[0];
      const gc = gcWindow(gcLog, w.uptimeS[0][0], w.uptimeS[0][1]);
      rows.push({ ...row, system: v, gcPausePct: gc.pausePct, rssMiB: Math.round(rssBytes(sys.procs[0].pid) / 1048576) });
    } finally {
      await sys.stop();
    }
  }
  table(`gc: one node, open loop ${rate}/s, ${pairs} pairs, ${WARM_S} s warm-up, ${WINDOW_S} s window, each variant's flags instead of jvm.options`, [
    { h: 'flags', k: 'system' },
    { h: 'server cpu%', k: 'serverCpuPct' },
    { h: 'cpu µs/msg', k: 'cpuUsPerMsg' },
    { h: 'p50 ms', k: 'p50', d: 2 },
    { h: 'p99 ms', k: 'p99', d: 2 },
    { h: 'p999 ms', k: 'p999', d: 2 },
    { h: 'GCs', k: 'gcs' },
    { h: 'GC max ms', k: 'gcMaxMs', d: 1 },
    { h: 'GC pause %', k: 'gcPausePct', d: 1 },
    { h: 'alloc B/msg', k: 'allocBPerMsg' },
    { h: 'RSS MiB', k: 'rssMiB' },
    { h: 'gen lag p99', k: 'genLagP99', d: 1 },
    { h: 'valid', k: 'valid' },
  ], rows);
  return { rate, pairs, rows };
}

export const headlineSuites = {
  rate: suiteRateHeadline,
  'cross-rate': suiteCrossRate,
  connect: suiteConnectCost,
  idle: suiteIdleCost,
  alloc: suiteAlloc,
  gc: suiteGcChoice,
};
