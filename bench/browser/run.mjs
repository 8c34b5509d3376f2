// Browser transfer benchmark: a synthetic transfer between two Chromium contexts, in the same run:
//   raw     — one RTCDataChannel, 64 KiB blocks, bufferedAmount back-pressure (the ceiling)
//   engine  — the p2p-share client (encrypted AES-GCM, SHA-256 hashed, written to OPFS), driven
//             through its UI like the e2e tests: sender page at the balancer, receiver at the link
//   plain   — the same engine with its debug switch ?plain=1 (no crypto, no hashing), to split
//             the engine's cost into protocol and crypto+hashing
//   pairdrop — PairDrop v1.11.2 (../shared/bench-anchors), unpacked, `npm ci`-installed and started
//             by this script, driven through its own UI (--pairdrop <tarball>, default the anchor)
// Each side is its own Chromium with a persistent profile in a fresh temporary directory (two
// devices): an off-the-record context keeps OPFS in the browser process's memory, and Chromium's
// in-memory file system refuses writes past about 1.3 GB, so a 4 GiB receiver needs a disk profile.
// Per run: MiB/s, CPU-seconds of every process of both Chromium trees per 100 MB moved
// (utime+stime from /proc), the receiver renderer's peak RSS growth (its PID: the renderer
// process that appeared when the receiver's page opened), and for the engine the time from
// choosing the file to the share link.
// Usage: node run.mjs [--mib 256] [--rounds 2] [--quick] [--only raw|engine|pairdrop] [--no-pairdrop] [--no-raw] [--plain] [--threads]
//        (--threads: print where the CPU went, by process and by thread, from /proc;
//         --profile <dir>: also the engine pages' JS profiles, saved and summarised by self time)
//        node run.mjs --table [--rounds 3] [--sizes 256,1024,4096]   the issue-15 table in one interleaved run: 256 MiB × rounds
//                                            and 1 GiB × 1 (raw, engine, PairDrop), then 4 GiB (engine)
// (the engine waits up to max(10 min, 1 s per MiB) for a transfer: a 4 GiB run at a few MB/s)
// Prints a table per size (and with --table the issue's summary) and one JSON line. Needs the jars
// (mvn -DskipTests package), a production web/dist (npx vite build) and /usr/bin/chromium.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { createServer as httpServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, writeSync, rmSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const argv = process.argv.slice(2);
const arg = (k, d) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : d;
};
const SMOKE = argv.includes('--smoke');
const QUICK = argv.includes('--quick') || SMOKE;
const TABLE = argv.includes('--table');
const MIB = Number(arg('--mib', SMOKE ? 2 : QUICK ? 8 : 256));
const ROUNDS = Number(arg('--rounds', TABLE ? 3 : QUICK ? 1 : 2));
const ONLY = arg('--only', null);
const THREADS = TABLE || argv.includes('--threads');
/** --profile <dir>: JS CPU profiles (.cpuprofile) of the engine's two pages' main threads */
const PROFILE_DIR = arg('--profile', null);
// ?plain=1 exists only in the test build (vite build --mode test): opt in with --plain
const WITH_PLAIN = argv.includes('--plain') && !SMOKE && !TABLE;
const BUDGET_MS = Number(arg('--budget-s', SMOKE ? 300 : QUICK ? 300 : TABLE ? 3600 : 1500)) * 1000;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// the same launch flags as the e2e tests (see web/README.md, "Headless Chromium")
const ARGS = JSON.parse(readFileSync(join(ROOT, 'web', 'e2e', 'chromium-args.json'), 'utf8'));
// the anchor beside the repository (../shared/bench-anchors), or /work/shared for a worktree
const PAIRDROP_TGZ = arg('--pairdrop', [join(ROOT, '..', 'shared'), '/work/shared'].map((d) => join(d, 'bench-anchors', 'pairdrop-31ec776.tar.gz')).find((f) => existsSync(f)) ?? 'pairdrop-31ec776.tar.gz');
const WITH_RAW = !argv.includes('--no-raw') && (ONLY === null || ONLY === 'raw');
const WITH_ENGINE = ONLY === null || ONLY === 'engine';
const WITH_PAIRDROP = !argv.includes('--no-pairdrop') && (ONLY === null || ONLY === 'pairdrop');
const modes = (...ms) => ms.filter((m) => ({ raw: WITH_RAW, engine: WITH_ENGINE, pairdrop: WITH_PAIRDROP })[m]);
/** What to run: sizes, rounds, modes (interleaved per round). */
// --sizes a,b,c changes the table's sizes (a smoke test of --table: --sizes 2,4,8 --rounds 1)
const [S1, S2, S3] = (arg('--sizes', '256,1024,4096') ?? '').split(',').map(Number);
const PLANS = TABLE
  ? [
      { mib: S1, rounds: ROUNDS, modes: modes('raw', 'engine', 'pairdrop') },
      { mib: S2, rounds: 1, modes: modes('raw', 'engine', 'pairdrop') },
      { mib: S3, rounds: 1, modes: modes('engine') },
    ]
  : [{ mib: MIB, rounds: ROUNDS, modes: modes('raw', 'engine', 'pairdrop') }];
const SIG_JAR = process.env.SIGNALING_JAR || join(ROOT, 'signaling-node/target/signaling-node.jar');
const BAL_JAR = process.env.BALANCER_JAR || join(ROOT, 'load-balancer/target/load-balancer.jar');

const procs = [];
let cleanup = [];
async function stopEverything() {
  for (const f of cleanup.reverse()) await f().catch(() => {});
  cleanup = [];
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
}
const guard = setTimeout(async () => {
  console.error(`browser bench passed its ${BUDGET_MS / 1000}s budget`);
  await stopEverything();
  process.exit(4);
}, BUDGET_MS);
guard.unref();
for (const s of ['SIGINT', 'SIGTERM'])
  process.on(s, async () => {
    await stopEverything();
    process.exit(130);
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T0 = Date.now();
const step = (what) => process.stderr.write(`[${((Date.now() - T0) / 1000).toFixed(1)}s] ${what}\n`);

function freePort() {
  return new Promise((res, rej) => {
    const s = netServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

async function waitReady(url, child, ms = 180000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (child.exitCode !== null) throw new Error(`${url}: exited ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {}
    await sleep(250);
  }
  throw new Error(`not ready: ${url}`);
}

// ---------- Chromium process accounting (Linux /proc) ----------
const CLK_TCK = 100; // USER_HZ on Linux
function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK };
  } catch {
    return null;
  }
}
/** pids of `root` and every process below it */
function tree(root) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(Number(d));
    if (!st) continue;
    if (!kids.has(st.ppid)) kids.set(st.ppid, []);
    kids.get(st.ppid).push(Number(d));
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  return out;
}
/** What a Chromium process is, from its command line: browser, renderer, gpu, network, utility, zygote. */
function kindOf(pid) {
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'gone';
  }
  const type = /--type=([a-z-]+)/.exec(cmd)?.[1];
  if (!type) return 'browser';
  if (type === 'utility' && cmd.includes('NetworkService')) return 'network';
  return type.replace('-process', '');
}
/** Threads of a process: [tid, name, CPU seconds]. */
function threadsOf(pid) {
  const out = [];
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out.push([Number(tid), name, (Number(f[11]) + Number(f[12])) / CLK_TCK]);
    } catch {}
  }
  return out;
}
/**
 * CPU seconds used by the process trees of `devs` ({root, side}) from now until stop(), per
 * thread: sampled every second so that threads and processes that exit meanwhile still count
 * (children's cutime is not kept for Chromium's zygote), and per measurement so that a reused id
 * cannot carry an old total. stop() gives the total and the split by process and by thread
 * ("receiver renderer", "receiver renderer: DedicatedWorker thread", ...).
 */
function cpuMeter(devs) {
  const seen = new Map(); // tid -> { label, start, last }
  const sample = (first) => {
    for (const { root, side } of devs)
      for (const p of tree(root)) {
        const kind = `${side} ${kindOf(p)}`;
        for (const [tid, name, cpu] of threadsOf(p)) {
          const t = seen.get(tid);
          if (t && t.kind === kind) t.last = cpu;
          else seen.set(tid, { kind, name, start: first ? cpu : 0, last: cpu });
        }
      }
  };
  sample(true);
  const t = setInterval(() => sample(false), 1000);
  return () => {
    clearInterval(t);
    sample(false);
    let total = 0;
    const byProcess = {};
    const byThread = {};
    for (const x of seen.values()) {
      const d = x.last - x.start;
      if (d <= 0) continue;
      total += d;
      byProcess[x.kind] = (byProcess[x.kind] ?? 0) + d;
      // pool threads are numbered ("ThreadPoolForeg", "WebRTC_W…"): one line per name
      const k = `${x.kind}: ${x.name}`;
      byThread[k] = (byThread[k] ?? 0) + d;
    }
    return { total, byProcess, byThread };
  };
}
function renderers(root) {
  return tree(root).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--type=renderer');
    } catch {
      return false;
    }
  });
}
function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
/** Samples the RSS of the processes `pids()` lists (summed) until stopped; growth = peak - first sample. */
function rssSampler(pids) {
  const sum = () => pids().reduce((a, p) => a + rssBytes(p), 0);
  const base = sum();
  let peak = base;
  const t = setInterval(() => (peak = Math.max(peak, sum())), 200);
  return () => {
    clearInterval(t);
    peak = Math.max(peak, sum());
    return { baseMB: base / 1e6, growthMB: (peak - base) / 1e6 };
  };
}
/**
 * Opens the receiver's page; its renderer: every renderer process of the receiver's own browser,
 * which shows that one page only (listed again at each sample, in case Chromium swaps the process
 * on navigation).
 */
async function newRenderer(dev, open) {
  const v = await open();
  await sleep(300);
  return { v, pids: () => renderers(dev.root) };
}
/** Runs `transfer` of `bytes` with CPU (both browsers) and receiver-RSS accounting. */
async function measured(devs, bytes, receiverPids, transfer) {
  const stopCpu = cpuMeter(devs.map((d, i) => ({ root: d.root, side: i === 0 ? 'sender' : 'receiver' })));
  const stopRss = rssSampler(receiverPids);
  const r = await transfer();
  const rss = stopRss();
  const cpu = stopCpu();
  const per100MB = (o) => Object.fromEntries(Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((v / (bytes / 1e8)) * 100) / 100]));
  return { ...r, cpuPer100MB: cpu.total / (bytes / 1e8), cpuByProcess: per100MB(cpu.byProcess), cpuByThread: per100MB(cpu.byThread), rssGrowthMB: rss.growthMB, rendererPids: receiverPids().length };
}

// ---------- one Chromium per side, each with a persistent profile on disk ----------
const isChromium = (p) => {
  try {
    return readlinkSync(`/proc/${p}/exe`).includes('chromium');
  } catch {
    return false;
  }
};
/** Browser processes started by this script (a chromium child of a non-chromium process of ours). */
const browserRoots = () => tree(process.pid).filter((p) => isChromium(p) && !isChromium(procStat(p)?.ppid));
async function device(base) {
  const dir = mkdtempSync(join(tmpdir(), 'p2p-bench-profile-'));
  const before = new Set(browserRoots());
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1000, height: 800 } });
  const close = async () => {
    await ctx.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  cleanup.push(close);
  const root = browserRoots().find((p) => !before.has(p));
  if (!root) throw new Error('no browser pid');
  // without these, Chromium gathers no ICE candidates on this closed network
  await ctx.grantPermissions(['camera', 'microphone'], { origin: base });
  // the profile's first tab is the device's first page: no idle extra tab in the browser
  let first = ctx.pages()[0] ?? null;
  const page = async () => {
    const p = first ?? (await ctx.newPage());
    first = null;
    return p;
  };
  return { ctx, root, close, page };
}
/** A sender and a receiver device for one run; both closed (and their profiles removed) after it. */
async function withDevices(base, run) {
  const a = await device(base);
  const b = await device(base);
  try {
    return await run(a, b);
  } finally {
    await a.close();
    await b.close();
  }
}

// ---------- raw data channel ----------
const RAW_PAGE = `<!doctype html><meta charset="utf-8"><title>raw</title><script>
window.pc = new RTCPeerConnection();
window.gathered = () => new Promise(r => { if (pc.iceGatheringState === 'complete') r(); else pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()); });
window.offer = async () => {
  window.dc = pc.createDataChannel('bench', { ordered: true });
  dc.binaryType = 'arraybuffer';
  await pc.setLocalDescription(await pc.createOffer());
  await gathered();
  return JSON.stringify(pc.localDescription);
};
window.answer = async (o) => {
  window.got = 0; window.t1 = 0;
  window.dcReady = new Promise(r => pc.ondatachannel = e => { const ch = e.channel; ch.binaryType = 'arraybuffer'; window.rdc = ch; r(); });
  await pc.setRemoteDescription(JSON.parse(o));
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered();
  return JSON.stringify(pc.localDescription);
};
window.expect = async (total) => {
  await dcReady;
  return new Promise(r => { rdc.onmessage = e => { got += e.data.byteLength; if (got >= total) { t1 = Date.now(); r(t1); } }; });
};
window.accept = (a) => pc.setRemoteDescription(JSON.parse(a));
window.send = async (total) => {
  if (dc.readyState !== 'open') await new Promise(r => dc.onopen = r);
  const block = new Uint8Array(65536); crypto.getRandomValues(block);
  const HIGH = 4 * 1024 * 1024;
  dc.bufferedAmountLowThreshold = 1024 * 1024;
  const t0 = Date.now(); let sent = 0;
  while (sent < total) {
    if (dc.bufferedAmount > HIGH) await new Promise(r => dc.onbufferedamountlow = r);
    const n = Math.min(65536, total - sent);
    dc.send(n === 65536 ? block : block.subarray(0, n));
    sent += n;
  }
  return t0;
};
</script>`;

function rawRun(base, bytes) {
  return withDevices(base, async (a, b) => {
    const pa = await a.page();
    await pa.goto(`${base}/raw`);
    const { v: pb, pids } = await newRenderer(b, async () => {
      const p = await b.page();
      await p.goto(`${base}/raw`);
      return p;
    });
    const offer = await pa.evaluate(() => window.offer());
    const answer = await pb.evaluate((o) => window.answer(o), offer);
    await pa.evaluate((x) => window.accept(x), answer);
    return await measured([a, b], bytes, pids, async () => {
      const done = pb.evaluate((n) => window.expect(n), bytes);
      const t0 = await pa.evaluate((n) => window.send(n), bytes);
      const t1 = await done;
      return { secs: (t1 - t0) / 1000 };
    });
  });
}

// ---------- the engine ----------
async function startCluster() {
  for (const j of [SIG_JAR, BAL_JAR]) if (!existsSync(j)) throw new Error(`missing ${j}: run mvn -q -B -ntp -DskipTests package at the root`);
  const dir = mkdtempSync(join(tmpdir(), 'p2p-bench-browser-'));
  // the balancer serves web/dist when present (laid over the copy inside its jar), as the e2e does
  const webroot = join(ROOT, 'web', 'dist');
  const overlay = existsSync(join(webroot, 'index.html'));
  if (overlay) cpSync(webroot, join(dir, 'webroot'), { recursive: true });
  const name = 'bench-br-' + randomBytes(5).toString('hex');
  const [bp, n1, hb, h1] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const members = `127.0.0.1:${hb},127.0.0.1:${h1}`;
  const env = (id, port, hz, extra = {}) => ({ ...process.env, NODE_ID: id, PORT: String(port), HOST: '127.0.0.1', CLUSTER_NAME: name, CLUSTER_HOST: '127.0.0.1', CLUSTER_PORT: String(hz), CLUSTER_MEMBERS: members, ...extra });
  const log = (n) => openSync(join(dir, `${n}.log`), 'w');
  // the shipped JVM flags, as every launcher (PROTOCOL.md operating contract)
  const sigOpts = `@${join(ROOT, 'signaling-node', 'jvm.options')}`;
  const balOpts = `@${join(ROOT, 'load-balancer', 'jvm.options')}`;
  const node = spawn('java', [sigOpts, '-jar', SIG_JAR], { env: env('node-1', n1, h1, { PUBLIC_URL: `ws://localhost:${n1}/ws` }), stdio: ['ignore', log('node'), log('node')] });
  const balArgs = overlay ? [balOpts, '-cp', `${dir}:${BAL_JAR}`, 'p2pshare.balancer.BalancerMain'] : [balOpts, '-jar', BAL_JAR];
  const bal = spawn('java', balArgs, { env: env('balancer', bp, hb), cwd: dir, stdio: ['ignore', log('balancer'), log('balancer')] });
  procs.push(node, bal);
  cleanup.push(async () => {
    for (const p of [node, bal]) if (p.exitCode === null) p.kill('SIGKILL');
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitReady(`http://127.0.0.1:${n1}/readyz`, node);
  await waitReady(`http://127.0.0.1:${bp}/readyz`, bal);
  const base = `http://localhost:${bp}`;
  const t0 = Date.now();
  for (;;) {
    const r = await (await fetch(`${base}/api/nodes`)).json();
    if (r.nodes.filter((x) => x.state === 'up').length >= 1) break;
    if (Date.now() - t0 > 60000) throw new Error('balancer sees no node');
    await sleep(250);
  }
  return { base, dir };
}

function writeRandomFile(path, size) {
  const fd = openSync(path, 'w');
  const chunk = 4 * 1024 * 1024;
  for (let done = 0; done < size; done += chunk) writeSync(fd, randomBytes(Math.min(chunk, size - done)));
  closeSync(fd);
}

async function rowsOf(page) {
  return page.$$eval('[data-testid="file-row"]', (els) => els.map((e) => ({ state: e.getAttribute('data-state'), bytes: Number(e.getAttribute('data-bytes')) })));
}
async function poll(fn, ok, ms, what) {
  const t0 = Date.now();
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(50);
    v = await fn();
  }
  return v;
}

/** The receiver page's error (the app's `error` element), if it shows one. */
async function pageError(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="error"]');
    const code = el?.getAttribute('data-code');
    return code ? `${code}: ${el.textContent}` : null;
  });
}

/** Starts the V8 sampling profiler of a page's main thread; stop() saves it and prints its top functions. */
async function jsProfiler(ctx, page, name) {
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    // self time per function, from the samples
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const dt = (profile.timeDeltas[i] ?? 0) / 1000;
      total += dt;
      const c = byId.get(id).callFrame;
      const k = `${c.functionName || '(anonymous)'} ${c.url ? `${c.url.split('/').pop()}:${c.lineNumber + 1}` : ''}`.trim();
      self.set(k, (self.get(k) ?? 0) + dt);
    });
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.log(`\n  JS profile ${name} (${(total / 1000).toFixed(1)} s sampled; self time):`);
    for (const [k, v] of top) console.log(`    ${(v / 1000).toFixed(2).padStart(7)} s ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
  };
}

function engineRun(base, file, bytes, plain) {
  return withDevices(base, async (a, b) => {
    const sender = await a.page();
    const errors = [];
    sender.on('pageerror', (e) => errors.push(e.message));
    await sender.goto(`${base}/${plain ? '?plain=1' : ''}`);
    const chosen = Date.now();
    await sender.getByTestId('file-input').setInputFiles(file);
    const link = sender.getByTestId('share-link');
    await link.waitFor({ state: 'visible', timeout: 120000 });
    const url = await poll(() => link.inputValue(), (v) => v.includes('/r/') && v.includes('#'), 120000, 'share link');
    const linkSecs = (Date.now() - chosen) / 1000;
    const { v: receiver, pids } = await newRenderer(b, async () => {
      const p = await b.page();
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(url);
      return p;
    });
    await poll(() => rowsOf(receiver), (r) => r.length === 1, 60000, 'offered row');
    const tag = `engine-${bytes / 1048576}MiB-${Date.now()}`;
    const profilers = PROFILE_DIR ? [await jsProfiler(a.ctx, sender, `${tag}-sender`), await jsProfiler(b.ctx, receiver, `${tag}-receiver`)] : [];
    const r = await measured([a, b], bytes, pids, async () => {
      await receiver.getByTestId('accept').click({ timeout: 60000 });
      const t0 = Date.now();
      let said = t0;
      await poll(
        async () => {
          const rows = await rowsOf(receiver);
          // a failed transfer (e.g. storage full) ends the wait with the page's own message;
          // a passing signaling notice (reconnecting) does not
          const shown = rows[0]?.state === 'done' ? null : await pageError(receiver);
          const fatal = shown !== null && /^(no-space|storage|wrong-key):/.test(shown);
          if (fatal || rows[0]?.state === 'failed') throw new Error(`engine transfer failed: ${shown ?? 'row failed'} (${rows[0]?.bytes} bytes)`);
          if (Date.now() - said > 30000) {
            said = Date.now();
            step(`engine: ${((rows[0]?.bytes ?? 0) / 1e6).toFixed(0)} MB of ${(bytes / 1e6).toFixed(0)} verified`);
          }
          return rows;
        },
        (r) => r.length === 1 && r[0].state === 'done',
        Math.max(600000, (bytes / 1048576) * 1000),
        'transfer done',
      );
      return { secs: (Date.now() - t0) / 1000 };
    });
    for (const stop of profilers) await stop();
    if (errors.length) console.error('page errors:', errors.slice(0, 3));
    return { ...r, linkSecs };
  });
}

// ---------- PairDrop (the anchor), through its own UI ----------
async function startPairDrop(dir) {
  execFileSync('tar', ['xzf', PAIRDROP_TGZ, '-C', dir]);
  const home = join(dir, 'pairdrop');
  step('pairdrop: npm ci');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: home, stdio: 'ignore' });
  writeFileSync(join(home, 'rtc.json'), '{"sdpSemantics":"unified-plan","iceServers":[]}');
  const port = await freePort();
  const srv = spawn('node', ['server/index.js', '--localhost-only'], {
    cwd: home,
    env: { ...process.env, PORT: String(port), RTC_CONFIG: join(home, 'rtc.json') },
    stdio: ['ignore', openSync(join(dir, 'pairdrop.log'), 'w'), openSync(join(dir, 'pairdrop.log'), 'a')],
  });
  procs.push(srv);
  cleanup.push(async () => srv.exitCode === null && srv.kill('SIGKILL'));
  await waitReady(`http://localhost:${port}/`, srv);
  return `http://localhost:${port}`;
}

function pairdropRun(base, file, bytes) {
  return withDevices(base, async (a, b) => {
    const sender = await a.page();
    await sender.goto(base);
    const { v: receiver, pids } = await newRenderer(b, async () => {
      const p = await b.page();
      await p.goto(base);
      return p;
    });
    // the receiver's device appears as a peer on the sender's page (same address)
    const peer = sender.locator('x-peer');
    await peer.first().waitFor({ state: 'attached', timeout: 60000 });
    return await measured([a, b], bytes, pids, async () => {
      const chosen = Date.now();
      await peer.first().locator('input[type=file]').setInputFiles(file);
      const accept = receiver.locator('#accept-request');
      await accept.waitFor({ state: 'visible', timeout: 60000 });
      await poll(() => accept.isEnabled(), (x) => x, 60000, 'accept enabled');
      await accept.click();
      const t0 = Date.now();
      // done = the receive dialog with its download button, the file assembled in memory
      await poll(
        () => receiver.evaluate(() => { const d = document.querySelector('#download-btn'); return !!d && !d.disabled && document.querySelector('#receive-file-dialog')?.hasAttribute('show'); }),
        (x) => x,
        Math.max(900000, (bytes / 1048576) * 1000),
        'pairdrop file received',
      );
      return { secs: (Date.now() - t0) / 1000, requestSecs: (t0 - chosen) / 1000 };
    });
  });
}

// ---------- main ----------
function machine() {
  const model = (/model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8')) || [])[1];
  return { nproc: Number(execFileSync('nproc').toString().trim()), cpu: model, loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
}

const median = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (!v.length) return null;
  const h = Math.floor(v.length / 2);
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
};

function printSize(mib, rounds, rows) {
  const mine = rows.filter((r) => r.mib === mib);
  const med = (mode) => median(mine.filter((r) => r.mode.startsWith(mode)).map((r) => r.mibPerSec));
  console.log(`\n${mib} MiB between two Chromium instances (persistent profiles) on loopback, ${rounds} round(s), interleaved`);
  console.log('mode'.padEnd(36) + 'round'.padStart(6) + 'seconds'.padStart(10) + 'MB/s'.padStart(8) + 'CPU-s/100MB'.padStart(13) + 'rcv RSS +MB'.padStart(13) + 'link s'.padStart(8) + '  vs raw (same round)');
  for (const r of mine) {
    const sameRaw = mine.find((x) => x.round === r.round && x.mode.startsWith('raw'));
    const vs = sameRaw ? (r.mibPerSec / sameRaw.mibPerSec).toFixed(2) : '-';
    console.log(r.mode.padEnd(36) + String(r.round).padStart(6) + r.secs.toFixed(2).padStart(10) + r.mbPerSec.toFixed(1).padStart(8) + r.cpuPer100MB.toFixed(1).padStart(13) + r.rssGrowthMB.toFixed(0).padStart(13) + (r.linkSecs === null ? '-' : r.linkSecs.toFixed(2)).padStart(8) + '  ' + vs);
  }
  if (THREADS) {
    // where the CPU went, per 100 MB: by process, then the busiest threads (first round of each mode)
    for (const r of mine.filter((x) => x.round === 1)) {
      console.log(`\n  ${r.mode}, CPU-s per 100 MB by process: ${Object.entries(r.cpuByProcess).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      console.log(`  busiest threads: ${Object.entries(r.cpuByThread).slice(0, 12).map(([k, v]) => `${k} ${v}`).join('; ')}`);
    }
  }
  const raw = med('raw');
  const enc = med('engine (');
  const plain = med('engine ?');
  const perRound = [...new Set(mine.map((r) => r.round))].map((k) => {
    const rr = mine.find((r) => r.round === k && r.mode.startsWith('raw'));
    const eng = mine.find((r) => r.round === k && r.mode.startsWith('engine ('));
    return rr && eng ? Math.round((eng.mibPerSec / rr.mibPerSec) * 100) / 100 : null;
  });
  const ratios = { engineVsRawPerRound: perRound, engineVsRaw: raw && enc ? Math.round((enc / raw) * 100) / 100 : null, plainVsRaw: raw && plain ? Math.round((plain / raw) * 100) / 100 : null };
  console.log(`\nmedian MiB/s: raw ${raw?.toFixed(1)}, engine ${enc?.toFixed(1) ?? '-'}, engine plain ${plain?.toFixed(1) ?? '-'}; engine/raw = ${ratios.engineVsRaw}, per round ${perRound.join(', ')} (target ≥ 0.9)`);
  return { mib, medians: { raw, engine: enc, plain }, ratios };
}

/** The issue-15 table (markdown): medians per size and mode, MB = 10^6 bytes. */
function printIssueTable(rows) {
  const pick = (mib, mode, key) => median(rows.filter((r) => r.mib === mib && r.mode.startsWith(mode)).map((r) => r[key]));
  const f = (x, d = 1) => (x === null ? '–' : x.toFixed(d));
  const modesOf = [['engine (', 'p2p-share'], ['pairdrop', 'PairDrop'], ['raw', 'raw data channel']];
  const line = (label, fn, target) => console.log(`| ${label} | ${modesOf.map(([m]) => fn(m)).join(' | ')} | ${target} |`);
  const sizes = [...new Set(rows.map((r) => r.mib))];
  console.log(`\n| figure | ${modesOf.map(([, n]) => n).join(' | ')} | target |`);
  console.log('|---|---|---|---|---|');
  for (const mib of sizes) {
    const n = rows.filter((r) => r.mib === mib && r.mode.startsWith('raw')).length;
    line(`${mib} MiB, MB/s (median of ${Math.max(1, n)})`, (m) => f(pick(mib, m, 'mbPerSec')), mib === sizes[0] ? '≥ 0.9 × raw and ≥ PairDrop' : '≥ PairDrop');
  }
  line('CPU-s per 100 MB (' + sizes.map((s) => `${s} MiB`).join(' / ') + ')', (m) => sizes.map((s) => f(pick(s, m, 'cpuPer100MB'))).join(' / '), '≤ 1.25 × raw');
  line('receiver renderer growth, MB (' + sizes.map((s) => `${s} MiB`).join(' / ') + ')', (m) => sizes.map((s) => f(pick(s, m, 'rssGrowthMB'), 0)).join(' / '), '≤ 150 at any size');
  line('choosing a file → share link, s (' + sizes.map((s) => `${s} MiB`).join(' / ') + ')', (m) => (m === 'engine (' ? sizes.map((s) => f(pick(s, m, 'linkSecs'), 2)).join(' / ') : '–'), '≤ 1 s');
}

async function main() {
  const started = new Date().toISOString();
  const m = machine();
  console.log(`# browser ${PLANS.map((p) => `${p.mib} MiB × ${p.rounds} (${p.modes.join(', ')})`).join('; ')} ${started} | ${m.nproc} cores, ${m.cpu} | load ${m.loadavg}`);
  // a static origin for the raw page
  const rawPort = await freePort();
  const srv = httpServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(RAW_PAGE);
  });
  await new Promise((r) => srv.listen(rawPort, '127.0.0.1', r));
  cleanup.push(async () => srv.close());
  const rawBase = `http://127.0.0.1:${rawPort}`;
  const need = (mode) => PLANS.some((p) => p.modes.includes(mode));
  let cluster = null;
  if (need('engine')) {
    step('starting balancer + node');
    cluster = await startCluster();
    step('cluster ready');
  }
  let pairdrop = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'p2p-bench-data-'));
  cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  if (need('pairdrop')) {
    const pdDir = mkdtempSync(join(tmpdir(), 'p2p-bench-pairdrop-'));
    cleanup.push(async () => rmSync(pdDir, { recursive: true, force: true }));
    pairdrop = await startPairDrop(pdDir);
    step('pairdrop up');
  }
  const rows = [];
  const summaries = [];
  for (const plan of PLANS) {
    const bytes = plan.mib * 1024 * 1024;
    const file = join(dataDir, `synthetic-${plan.mib}.bin`);
    if (plan.modes.some((x) => x !== 'raw')) writeRandomFile(file, bytes);
    for (let round = 1; round <= plan.rounds; round++) {
      const row = (mode, r) => ({ mode, mib: plan.mib, round, loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), secs: r.secs, mibPerSec: plan.mib / r.secs, mbPerSec: bytes / 1e6 / r.secs, cpuPer100MB: r.cpuPer100MB, rssGrowthMB: r.rssGrowthMB, linkSecs: r.linkSecs ?? null, cpuByProcess: r.cpuByProcess, cpuByThread: r.cpuByThread });
      if (plan.modes.includes('raw')) {
        const r = await rawRun(rawBase, bytes);
        step(`${plan.mib} MiB raw: ${r.secs}s`);
        rows.push(row('raw data channel', r));
      }
      if (plan.modes.includes('engine')) {
        const e = await engineRun(cluster.base, file, bytes, false);
        if (e.secs <= 0) throw new Error('engine transfer took no time');
        step(`${plan.mib} MiB engine: ${e.secs}s`);
        rows.push(row('engine (encrypted, hashed, OPFS)', e));
        if (WITH_PLAIN) {
          const p = await engineRun(cluster.base, file, bytes, true);
          rows.push(row('engine ?plain=1 (no crypto/hash)', p));
        }
      }
      if (plan.modes.includes('pairdrop')) {
        const d = await pairdropRun(pairdrop, file, bytes);
        step(`${plan.mib} MiB pairdrop: ${d.secs}s`);
        rows.push(row('pairdrop v1.11.2', d));
      }
    }
    rmSync(file, { force: true });
    summaries.push(printSize(plan.mib, plan.rounds, rows));
  }
  await stopEverything();
  if (TABLE) printIssueTable(rows);
  const end = machine();
  console.log(`\n# load at the end ${end.loadavg} (${new Date().toISOString()})`);
  const first = summaries[0];
  console.log(JSON.stringify({ bench: 'browser', plans: PLANS, mib: first.mib, rounds: PLANS[0].rounds, started, machine: m, loadEnd: end.loadavg, rows, medians: first.medians, ratios: first.ratios, sizes: summaries }));
}

main().then(
  () => process.exit(0),
  async (e) => {
    console.error(e && e.stack ? e.stack : e);
    await stopEverything();
    process.exit(1);
  },
);
