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

/**
 * One row per measured phase of an open-loop run; GC figures for JVM systems with GC logs (one
 * file per node: `gcLogs[i]` is node i+1's). With several nodes, GCs are summed, the pause is the
 * longest, and alloc B/msg is what all nodes allocated per delivered message (a cross-node message
 * passes through two nodes).
 */
function rateRows(sys, r, gcLogs) {
  const logs = gcLogs == null ? [] : [].concat(gcLogs);
  return r.phases.map((ph, i) => {
    const w = r.windows[i] || {};
    const gcs = logs.map((f, n) => (w.uptimeS?.[n] ? gcWindow(f, w.uptimeS[n][0], w.uptimeS[n][1]) : null));
    const have = gcs.length > 0 && gcs.every(Boolean);
    const allocPerSec = have && gcs.every((g) => g.allocBytesPerSec != null) ? gcs.reduce((s, g) => s + g.allocBytesPerSec, 0) : null;
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
      gcs: have ? gcs.reduce((s, g) => s + g.collections, 0) : null,
      gcMaxMs: have ? Math.max(...gcs.map((g) => g.maxPauseMs)) : null,
      allocBPerMsg: allocPerSec != null && ph.achievedPerSec ? Math.round(allocPerSec / ph.achievedPerSec) : null,
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

/** Our nodes, each with a GC log of its own (two JVMs writing one file overwrite each other's lines). */
function oursWithGcLog(n, tag) {
  const stamp = Date.now();
  const gcLog = Array.from({ length: n }, (_, i) => join(LOGS, `gc-${tag}-${stamp}-node${i + 1}.log`));
  return startOurs(n, { javaOpts: (i) => [gcLogFlag(gcLog[i])] }).then((sys) => ({ sys, gcLog }));
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
      `every process of a system (both nodes; Redis for Socket.IO) on core ${process.env.BENCH_SERVER_CPU ?? 0}; GCs summed over both nodes, alloc B/msg = both nodes' allocation per delivered message (each message passes through both)`,
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
 * BENCH_ALLOC_NODES=2: two nodes, one peer of each pair on each (cross-node), a recording on each;
 * the totals are both nodes' (a cross-node message is read by one node and delivered by the other).
 */
export async function suiteAlloc() {
  const pairs = Number(process.env.BENCH_ALLOC_PAIRS || (QUICK ? 100 : 400));
  // BENCH_ALLOC_RATES=lo,hi: two windows; the difference of their byte rates over the difference
  // of their message rates is what a message costs without the node's fixed background (timers,
  // Hazelcast's own tasks), which a busy machine's low rates otherwise inflate
  const rates = (process.env.BENCH_ALLOC_RATES || process.env.BENCH_ALLOC_RATE || (QUICK ? '2000' : '5000')).split(',').map(Number);
  const nodes = Number(process.env.BENCH_ALLOC_NODES || 1);
  const stamp = Date.now();
  const fileOf = (phase, node) => join(LOGS, `alloc-${nodes}n-${stamp}-p${phase + 1}-node${node + 1}.jfr`);
  const sys = await startOurs(nodes);
  const pids = sys.procs.map((p) => String(p.pid));
  let delivered = rates.map(() => 0);
  let phase = -1;
  try {
    const r = await runGen(
      {
        scenario: 'rate',
        proto: 'ours',
        urls: sys.urls.slice(0, nodes),
        pairs,
        phases: rates.map((rate, i) => ({ rate, warmupS: i === 0 ? WARM_S : 5, durationS: WINDOW_S })),
        deadlineS: 120 + WARM_S + rates.length * (WINDOW_S + 6),
      },
      sys.procs,
      {
        onEvent: (ev) => {
          if (ev.event === 'window-start') {
            phase++;
            pids.forEach((pid, i) => execFileSync('jcmd', [pid, 'JFR.start', `name=alloc${phase}`, `settings=${join(HERE, 'alloc.jfc')}`, `filename=${fileOf(phase, i)}`]));
          } else if (ev.event === 'window-end') {
            pids.forEach((pid, i) => execFileSync('jcmd', [pid, 'JFR.stop', `name=alloc${phase}`, `filename=${fileOf(phase, i)}`]));
          }
        },
      },
    );
    // what the generator saw delivered in each window, not what it offered (a starved run delivers less)
    delivered = rates.map((_, i) => r.phases?.[i]?.achievedPerSec || 0);
  } finally {
    await sys.stop();
  }
  const UNITS = { bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9 };
  /** One recording: bytes per second by thread (JFR's per-thread totals at its start and end). */
  const threadRates = (file) => {
    const text = execFileSync('jfr', ['print', '--events', 'jdk.ThreadAllocationStatistics', file], { maxBuffer: 1 << 30 }).toString();
    const byThread = new Map();
    // the span the totals cover: the recording's own first and last statistics (jcmd takes a while)
    const stamps = [...text.matchAll(/startTime = (\d+):(\d+):([\d.]+)/g)].map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
    const spanS = stamps.length ? Math.max(...stamps) - Math.min(...stamps) : WINDOW_S;
    for (const block of text.split('jdk.ThreadAllocationStatistics {').slice(1)) {
      const m = /allocated = ([\d.]+) (bytes|kB|MB|GB)/.exec(block);
      const name = ((/thread = "([^"]+)"/.exec(block) || [])[1] || '?').replace(/[-.]\w*?\d+$/, '-N');
      const bytes = m ? Number(m[1]) * UNITS[m[2]] : 0;
      const tid = (/javaThreadId = (\d+)/.exec(block) || [])[1] || name;
      const r = byThread.get(tid) || { name, min: Infinity, max: 0 };
      r.min = Math.min(r.min, bytes);
      r.max = Math.max(r.max, bytes);
      byThread.set(tid, r);
    }
    const out = new Map();
    for (const r of byThread.values()) out.set(r.name, (out.get(r.name) || 0) + (r.max - r.min) / spanS);
    return out;
  };
  /** Sampled allocation weights of one recording by class and by first p2p-share (or library) frame. */
  const sampled = (file) => {
    const text = execFileSync('jfr', ['print', '--stack-depth', '30', '--events', 'jdk.ObjectAllocationSample', file], { maxBuffer: 1 << 30 }).toString();
    const cls = new Map();
    const site = new Map();
    let weight = 0;
    for (const block of text.split('jdk.ObjectAllocationSample {').slice(1)) {
      const c = (/objectClass = (\S+)/.exec(block) || [])[1] || '?';
      const wm = /weight = ([\d.]+) (bytes|kB|MB|GB)/.exec(block);
      const w = wm ? Number(wm[1]) * UNITS[wm[2]] : 0;
      const frames = ((/stackTrace = \[([\s\S]*?)\n\s*\]/.exec(block) || [])[1] || '').split('\n').map((l) => l.trim().replace(/\s+line:.*$/, '')).filter(Boolean);
      const f = frames.find((x) => x.startsWith('p2pshare.')) || frames.find((x) => !x.startsWith('java.')) || frames[0] || '?';
      weight += w;
      cls.set(c, (cls.get(c) || 0) + w);
      site.set(f, (site.get(f) || 0) + w);
    }
    return { cls, site, weight };
  };
  // per phase: all nodes' bytes/s by thread name (node-prefixed with several nodes)
  const perPhase = rates.map((_, ph) => {
    const m = new Map();
    for (let n = 0; n < nodes; n++) {
      for (const [name, bps] of threadRates(fileOf(ph, n))) m.set(nodes > 1 ? `node${n + 1} ${name}` : name, bps);
    }
    return m;
  });
  const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  const last = rates.length - 1;
  const rows = [];
  rates.forEach((rate, ph) => {
    rows.push({ k: `window ${ph + 1}: ${delivered[ph]}/s delivered of ${rate}/s offered, all threads${nodes > 1 ? ` of ${nodes} nodes` : ''}`, perMsg: delivered[ph] ? Math.round(sum(perPhase[ph]) / delivered[ph]) : null, share: null });
  });
  let perMsgOf;
  let total;
  if (rates.length > 1 && delivered[last] > delivered[0]) {
    const dm = delivered[last] - delivered[0];
    perMsgOf = (name) => ((perPhase[last].get(name) || 0) - (perPhase[0].get(name) || 0)) / dm;
    total = (sum(perPhase[last]) - sum(perPhase[0])) / dm;
    rows.push({ k: `PER MESSAGE (window ${last + 1} minus window 1, over ${dm} msgs/s more): the node's fixed background taken out`, perMsg: Math.round(total), share: 100 });
  } else {
    perMsgOf = (name) => (delivered[last] ? (perPhase[last].get(name) || 0) / delivered[last] : 0);
    total = delivered[last] ? sum(perPhase[last]) / delivered[last] : 0;
  }
  const share = (b) => (total ? Math.round((b * 1000) / total) / 10 : 0);
  const names = [...new Set(perPhase.flatMap((m) => [...m.keys()]))];
  rows.push(...names.map((n) => ({ k: `thread ${n}`, perMsg: perMsgOf(n) })).sort((a, b) => b.perMsg - a.perMsg).slice(0, 8).map((r) => ({ ...r, perMsg: Math.round(r.perMsg), share: share(r.perMsg) })));
  // classes and sites: the last window's samples, scaled to its bytes per delivered message
  const byClass = new Map();
  const bySite = new Map();
  for (let n = 0; n < nodes; n++) {
    const s = sampled(fileOf(last, n));
    const nodeBps = [...threadRates(fileOf(last, n)).values()].reduce((a, b) => a + b, 0);
    const scale = s.weight && delivered[last] ? nodeBps / delivered[last] / s.weight : 0;
    for (const [k, w] of s.cls) byClass.set(k, (byClass.get(k) || 0) + w * scale);
    for (const [k, w] of s.site) bySite.set(k, (bySite.get(k) || 0) + w * scale);
  }
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, b]) => ({ k, perMsg: Math.round(b), share: null }));
  rows.push(...top(byClass).map((r) => ({ ...r, k: `class ${r.k} (window ${last + 1}, sampled)` })), ...top(bySite).map((r) => ({ ...r, k: `site ${r.k} (window ${last + 1}, sampled)` })));
  table(`alloc${nodes > 1 ? ` (${nodes} nodes, cross-node: both nodes' bytes per delivered message)` : ''}: bytes allocated per relayed message (JFR ThreadAllocationStatistics per window; classes and sites from allocation samples, coarse)`, [
    { h: 'B/msg', k: 'perMsg' },
    { h: 'share %', k: 'share', d: 1 },
    { h: 'what', k: 'k' },
  ], rows);
  return { rates, delivered, nodes, perMsg: Math.round(total), rows };
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

/**
 * Cross-node A/B of two node jars, alternating (BENCH_AB_JARS=before.jar,after.jar; `--rounds N`):
 * two nodes of one jar, one peer of each pair on each, an open loop at BENCH_AB_RATE (3,000/s);
 * CPU of both nodes and what both allocate per delivered message (one GC log per node). For
 * development: the same machine state for both jars, whatever the load.
 */
export async function suiteCrossAB() {
  const jars = (process.env.BENCH_AB_JARS || '').split(',').filter(Boolean);
  if (jars.length !== 2) throw new Error('BENCH_AB_JARS=<before.jar>,<after.jar> is required');
  const ri = process.argv.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(process.argv[ri + 1]) : 2;
  const rate = Number(process.env.BENCH_AB_RATE || 3000);
  const pairs = Number(process.env.BENCH_AB_PAIRS || 400);
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    for (const [i, jar] of jars.entries()) {
      const stamp = Date.now();
      const gcLog = [1, 2].map((n) => join(LOGS, `gc-crossab-${stamp}-node${n}.log`));
      const sys = await startOurs(2, { jar, javaOpts: (n) => [gcLogFlag(gcLog[n])] });
      try {
        const r = await openLoopOn(sys, { pairs, phases: [{ label: `${rate}/s cross-node`, rate, warmupS: WARM_S, durationS: WINDOW_S }], urls: [sys.urls[0], sys.urls[1]] });
        const [row] = rateRows(sys, r, gcLog);
        rows.push({ ...row, system: `${'AB'[i]} ${jar.split('/').slice(-3).join('/')}`, round });
      } finally {
        await sys.stop();
      }
    }
  }
  table(`cross-node jar A/B, alternating: 2 nodes on core ${process.env.BENCH_SERVER_CPU ?? 0}, ${pairs} pairs across them, open loop ${rate}/s, ${WARM_S} s warm-up, ${WINDOW_S} s window; alloc = both nodes per delivered message`, [
    { h: 'jar', k: 'system' },
    { h: 'round', k: 'round' },
    ...RATE_COLS.slice(2),
  ], rows);
  return { rate, rows };
}

export const headlineSuites = {
  'cross-ab': suiteCrossAB,
  rate: suiteRateHeadline,
  'cross-rate': suiteCrossRate,
  connect: suiteConnectCost,
  idle: suiteIdleCost,
  alloc: suiteAlloc,
  gc: suiteGcChoice,
};
