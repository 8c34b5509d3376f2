// The flood suite (issue 12): does one socket flooding far over its rate limit raise the latency of
// everyone else on its node? One p2p-share node pinned to core 0, the generator on core 1. The same
// fixed-rate same-node traffic (open loop, intended send times) runs in alternating phases without
// and with one extra socket offering BENCH_FLOOD_RATE msgs/s (default 6,000) to a peer of its own;
// the table gives the others' p50/p99 per phase and the ratio of the median p99s (target ≤ 2).
import { runGen } from './lib/procs.mjs';
import { startOurs } from './lib/systems.mjs';
import { median, ratio, table } from './lib/report.mjs';

const QUICK = process.argv.includes('--quick');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(process.argv[roundsArg + 1]) : QUICK ? 1 : 3;
const WARM_S = Number(process.env.BENCH_WARM_S || (QUICK ? 5 : 20));
const PHASE_WARM_S = 3;
const WINDOW_S = Number(process.env.BENCH_WINDOW_S || (QUICK ? 4 : 8));
const FLOOD_RATE = Number(process.env.BENCH_FLOOD_RATE || 6000);
/** What the PROTOCOL.md limit lets one socket send (100 msgs/s sustained): the others stay under it. */
const OTHERS_RATE = QUICK ? 1000 : 2000;
const PAIRS = QUICK ? 50 : 100;

const COLS = [
  { h: 'phase', k: 'phase' },
  { h: 'others offered/s', k: 'offered' },
  { h: 'others delivered/s', k: 'achieved' },
  { h: 'p50 ms', k: 'p50', d: 2 },
  { h: 'p99 ms', k: 'p99', d: 2 },
  { h: 'p999 ms', k: 'p999', d: 2 },
  { h: 'others errors', k: 'errors' },
  { h: 'flood offered/s', k: 'floodOffered' },
  { h: 'flood written/s', k: 'floodWritten' },
  { h: 'flood relayed/s', k: 'floodRelayed' },
  { h: 'flood errors', k: 'floodErrors' },
  { h: 'server cpu%', k: 'serverCpuPct' },
  { h: 'gen lag p99', k: 'genLagP99', d: 1 },
];

export async function suiteFlood() {
  const phases = [];
  for (let round = 1; round <= ROUNDS; round++) {
    phases.push({ label: `baseline ${round}`, rate: OTHERS_RATE, warmupS: PHASE_WARM_S, durationS: WINDOW_S });
    phases.push({ label: `flood ${round}`, rate: OTHERS_RATE, flood: true, warmupS: PHASE_WARM_S, durationS: WINDOW_S });
  }
  const sys = await startOurs(1);
  let r;
  try {
    // unmeasured: the JIT compiles the relay path before the first phase
    await runGen({ scenario: 'rate', proto: sys.proto, urls: [sys.urls[0]], pairs: PAIRS, phases: [{ rate: OTHERS_RATE, warmupS: 0.5, durationS: WARM_S }], deadlineS: 120 + WARM_S }, sys.procs);
    r = await runGen(
      {
        scenario: 'rate',
        proto: sys.proto,
        urls: [sys.urls[0]],
        pairs: PAIRS,
        phases,
        flood: { rate: FLOOD_RATE },
        deadlineS: 180 + phases.reduce((s, p) => s + p.warmupS + p.durationS + 1, 0),
      },
      sys.procs,
    );
  } finally {
    await sys.stop();
  }
  const rows = r.phases.map((ph, i) => ({
    phase: ph.label,
    flooding: ph.flood?.on ?? false,
    offered: ph.rate,
    achieved: ph.achievedPerSec,
    p50: ph.latencyMs.p50,
    p99: ph.latencyMs.p99,
    p999: ph.latencyMs.p999,
    errors: ph.serverErrors,
    floodOffered: ph.flood?.offeredPerSec ?? 0,
    floodWritten: ph.flood?.writtenPerSec ?? 0,
    floodRelayed: ph.flood?.deliveredPerSec ?? 0,
    floodErrors: ph.flood?.errors ?? 0,
    serverCpuPct: r.windows[i]?.serverCpuPct,
    genLagP99: ph.genLagP99Ms,
  }));
  const p99Base = median(rows.filter((x) => !x.flooding).map((x) => x.p99));
  const p99Flood = median(rows.filter((x) => x.flooding).map((x) => x.p99));
  const ratios = { p99FloodVsBaseline: ratio(p99Flood, p99Base) };
  table(
    `flood: one node pinned to core ${process.env.BENCH_SERVER_CPU ?? 0}; ${PAIRS} pairs (${2 * PAIRS} sockets) at ${OTHERS_RATE} msgs/s in all on the same node, ` +
      `alternating ${WINDOW_S} s windows without / with one socket offering ${FLOOD_RATE} msgs/s; ${ROUNDS} round(s)`,
    COLS,
    rows,
  );
  console.log(`\nothers' p99 with one flooding socket / without (medians of rounds): ${p99Flood} / ${p99Base} ms = ${ratios.p99FloodVsBaseline}  (target ≤ 2)`);
  return { pairs: PAIRS, othersRate: OTHERS_RATE, floodRate: FLOOD_RATE, rows, p99Base, p99Flood, ratios };
}

export const floodSuites = { flood: suiteFlood };
