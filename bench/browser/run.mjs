// Browser transfer benchmark: a synthetic transfer between two Chromium contexts, in the same run:
//   raw     — one RTCDataChannel, 64 KiB blocks, bufferedAmount back-pressure (the ceiling)
//   engine  — the p2p-share client (encrypted AES-GCM, SHA-256 hashed, written to OPFS), driven
//             through its UI like the e2e tests: sender page at the balancer, receiver at the link
//   plain   — the same engine with its debug switch ?plain=1 (no crypto, no hashing), to split
//             the engine's cost into protocol and crypto+hashing
//   pairdrop — PairDrop v1.11.2 (../shared/bench-anchors), unpacked, `npm ci`-installed and started
//             by this script, driven through its own UI (--pairdrop <tarball>, default the anchor)
// Per run: MiB/s, CPU-seconds of every Chromium process per 100 MB moved (utime+stime from /proc
// over the browser's process tree), the receiver renderer's peak RSS growth (its PID: the
// renderer process that appeared when the receiver's page opened), and for the engine the time
// from choosing the file to the share link.
// Usage: node run.mjs [--mib 256] [--rounds 2] [--quick] [--only raw|engine|pairdrop] [--no-pairdrop] [--no-raw]
// (the engine waits up to max(10 min, 1 s per MiB) for a transfer: a 4 GiB run at a few MB/s)
// Prints a table and one JSON line. Needs the jars (mvn -DskipTests package) and /usr/bin/chromium.
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
const MIB = Number(arg('--mib', SMOKE ? 2 : QUICK ? 8 : 256));
const ROUNDS = Number(arg('--rounds', QUICK ? 1 : 2));
const ONLY = arg('--only', null);
const BYTES = MIB * 1024 * 1024;
const BUDGET_MS = Number(arg('--budget-s', SMOKE ? 300 : QUICK ? 300 : 1500)) * 1000;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// the same launch flags as the e2e tests (see web/README.md, "Headless Chromium")
const ARGS = JSON.parse(readFileSync(join(ROOT, 'web', 'e2e', 'chromium-args.json'), 'utf8'));
// the anchor beside the repository (../shared/bench-anchors), or /work/shared for a worktree
const PAIRDROP_TGZ = arg('--pairdrop', [join(ROOT, '..', 'shared'), '/work/shared'].map((d) => join(d, 'bench-anchors', 'pairdrop-31ec776.tar.gz')).find((f) => existsSync(f)) ?? 'pairdrop-31ec776.tar.gz');
const WITH_PAIRDROP = !argv.includes('--no-pairdrop') && (ONLY === null || ONLY === 'pairdrop');
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
/** CPU seconds used so far by live processes of the tree, plus those that exited (children's cutime is not kept for Chromium's zygote) */
const cpuSeen = new Map();
function treeCpu(root) {
  for (const p of tree(root)) {
    const st = procStat(p);
    if (st) cpuSeen.set(p, st.cpu);
  }
  let t = 0;
  for (const v of cpuSeen.values()) t += v;
  return t;
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
/** Samples the RSS of `pids` (summed) until stopped; growth = peak - first sample. */
function rssSampler(pids) {
  const sum = () => pids.reduce((a, p) => a + rssBytes(p), 0);
  const base = sum();
  let peak = base;
  const t = setInterval(() => (peak = Math.max(peak, sum())), 200);
  return () => {
    clearInterval(t);
    peak = Math.max(peak, sum());
    return { baseMB: base / 1e6, growthMB: (peak - base) / 1e6 };
  };
}
/** The renderer(s) that appear while `open()` runs: the new page's own process. */
async function newRenderer(root, open) {
  const before = new Set(renderers(root));
  const v = await open();
  await sleep(300);
  const fresh = renderers(root).filter((p) => !before.has(p));
  return { v, pids: fresh };
}
/** Runs `transfer` with CPU and receiver-RSS accounting. */
async function measured(root, receiverPids, transfer) {
  const cpu0 = treeCpu(root);
  const stopRss = rssSampler(receiverPids);
  const r = await transfer();
  const rss = stopRss();
  const cpu = treeCpu(root) - cpu0;
  return { ...r, cpuPer100MB: cpu / (BYTES / 1e8), rssGrowthMB: rss.growthMB, rendererPids: receiverPids.length };
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

async function rawRun(browser, base, root) {
  const a = await newCtx(browser, base);
  const b = await newCtx(browser, base);
  try {
    const pa = await a.newPage();
    await pa.goto(`${base}/raw`);
    const { v: pb, pids } = await newRenderer(root, async () => {
      const p = await b.newPage();
      await p.goto(`${base}/raw`);
      return p;
    });
    const offer = await pa.evaluate(() => window.offer());
    const answer = await pb.evaluate((o) => window.answer(o), offer);
    await pa.evaluate((x) => window.accept(x), answer);
    return await measured(root, pids, async () => {
      const done = pb.evaluate((n) => window.expect(n), BYTES);
      const t0 = await pa.evaluate((n) => window.send(n), BYTES);
      const t1 = await done;
      return { secs: (t1 - t0) / 1000 };
    });
  } finally {
    await a.close();
    await b.close();
  }
}

async function newCtx(browser, base) {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  // without these, Chromium gathers no ICE candidates on this closed network
  await ctx.grantPermissions(['camera', 'microphone'], { origin: base });
  return ctx;
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

async function engineRun(browser, base, file, plain, root) {
  const a = await newCtx(browser, base);
  const b = await newCtx(browser, base);
  try {
    const sender = await a.newPage();
    const errors = [];
    sender.on('pageerror', (e) => errors.push(e.message));
    await sender.goto(`${base}/${plain ? '?plain=1' : ''}`);
    const chosen = Date.now();
    await sender.getByTestId('file-input').setInputFiles(file);
    const link = sender.getByTestId('share-link');
    await link.waitFor({ state: 'visible', timeout: 120000 });
    const url = await poll(() => link.inputValue(), (v) => v.includes('/r/') && v.includes('#'), 120000, 'share link');
    const linkSecs = (Date.now() - chosen) / 1000;
    const { v: receiver, pids } = await newRenderer(root, async () => {
      const p = await b.newPage();
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(url);
      return p;
    });
    await poll(() => rowsOf(receiver), (r) => r.length === 1, 60000, 'offered row');
    const r = await measured(root, pids, async () => {
      await receiver.getByTestId('accept').click({ timeout: 60000 });
      const t0 = Date.now();
      await poll(() => rowsOf(receiver), (r) => r.length === 1 && r[0].state === 'done', Math.max(600000, MIB * 1000), 'transfer done');
      return { secs: (Date.now() - t0) / 1000 };
    });
    if (errors.length) console.error('page errors:', errors.slice(0, 3));
    return { ...r, linkSecs };
  } finally {
    await a.close();
    await b.close();
  }
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

async function pairdropRun(browser, base, file, root) {
  const a = await newCtx(browser, base);
  const b = await newCtx(browser, base);
  try {
    const sender = await a.newPage();
    await sender.goto(base);
    const { v: receiver, pids } = await newRenderer(root, async () => {
      const p = await b.newPage();
      await p.goto(base);
      return p;
    });
    // the receiver's device appears as a peer on the sender's page (same address)
    const peer = sender.locator('x-peer');
    await peer.first().waitFor({ state: 'attached', timeout: 60000 });
    return await measured(root, pids, async () => {
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
        900000,
        'pairdrop file received',
      );
      return { secs: (Date.now() - t0) / 1000, requestSecs: (t0 - chosen) / 1000 };
    });
  } finally {
    await a.close();
    await b.close();
  }
}

// ---------- main ----------
function machine() {
  const model = (/model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8')) || [])[1];
  return { nproc: Number(execFileSync('nproc').toString().trim()), cpu: model, loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
}

async function main() {
  const started = new Date().toISOString();
  const m = machine();
  console.log(`# browser ${MIB} MiB ${started} | ${m.nproc} cores, ${m.cpu} | load ${m.loadavg}`);
  // a static origin for the raw page
  const rawPort = await freePort();
  const srv = httpServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(RAW_PAGE);
  });
  await new Promise((r) => srv.listen(rawPort, '127.0.0.1', r));
  cleanup.push(async () => srv.close());
  const rawBase = `http://127.0.0.1:${rawPort}`;
  let cluster = null;
  let file = null;
  if (ONLY !== 'raw') {
    step('starting balancer + node');
    cluster = await startCluster();
    step('cluster ready');
    file = join(cluster.dir, 'synthetic.bin');
    writeRandomFile(file, BYTES);
  }
  let pairdrop = null;
  if (WITH_PAIRDROP) {
    const pdDir = mkdtempSync(join(tmpdir(), 'p2p-bench-pairdrop-'));
    cleanup.push(async () => rmSync(pdDir, { recursive: true, force: true }));
    pairdrop = await startPairDrop(pdDir);
    if (!file) {
      file = join(pdDir, 'synthetic.bin');
      writeRandomFile(file, BYTES);
    }
    step('pairdrop up');
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  cleanup.push(() => browser.close());
  // the browser process: the chromium child of this script (the cluster's java processes are too)
  const isChromium = (p) => {
    try {
      return readlinkSync(`/proc/${p}/exe`).includes('chromium');
    } catch {
      return false;
    }
  };
  const root = tree(process.pid).find((p) => isChromium(p) && !isChromium(procStat(p)?.ppid));
  if (!root) throw new Error('no browser pid');
  step('chromium up');
  const rows = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const row = (mode, r) => ({ mode, round, secs: r.secs, mibPerSec: MIB / r.secs, mbPerSec: BYTES / 1e6 / r.secs, cpuPer100MB: r.cpuPer100MB, rssGrowthMB: r.rssGrowthMB, linkSecs: r.linkSecs ?? null });
    if ((ONLY === null || ONLY === 'raw') && !argv.includes('--no-raw')) {
      const r = await rawRun(browser, rawBase, root);
      step(`raw: ${r.secs}s`);
      rows.push(row('raw data channel', r));
    }
    if (cluster) {
      const e = await engineRun(browser, cluster.base, file, false, root);
      if (e.secs <= 0) throw new Error('engine transfer took no time');
      step(`engine: ${e.secs}s`);
      rows.push(row('engine (encrypted, hashed, OPFS)', e));
      if (!SMOKE && !argv.includes('--no-plain')) {
        const p = await engineRun(browser, cluster.base, file, true, root);
        rows.push(row('engine ?plain=1 (no crypto/hash)', p));
      }
    }
    if (pairdrop) {
      const d = await pairdropRun(browser, pairdrop, file, root);
      step(`pairdrop: ${d.secs}s`);
      rows.push(row('pairdrop v1.11.2', d));
    }
  }
  await stopEverything();
  const med = (mode) => {
    const xs = rows.filter((r) => r.mode.startsWith(mode)).map((r) => r.mibPerSec).sort((a, b) => a - b);
    if (!xs.length) return null;
    const h = Math.floor(xs.length / 2);
    return xs.length % 2 ? xs[h] : (xs[h - 1] + xs[h]) / 2;
  };
  const raw = med('raw');
  const enc = med('engine (');
  const plain = med('engine ?');
  console.log(`\n${MIB} MiB between two Chromium contexts on loopback, ${ROUNDS} round(s), interleaved`);
  console.log('mode'.padEnd(36) + 'round'.padStart(6) + 'seconds'.padStart(10) + 'MB/s'.padStart(8) + 'CPU-s/100MB'.padStart(13) + 'rcv RSS +MB'.padStart(13) + 'link s'.padStart(8) + '  vs raw (same round)');
  for (const r of rows) {
    const sameRaw = rows.find((x) => x.round === r.round && x.mode.startsWith('raw'));
    const vs = sameRaw ? (r.mibPerSec / sameRaw.mibPerSec).toFixed(2) : '-';
    console.log(r.mode.padEnd(36) + String(r.round).padStart(6) + r.secs.toFixed(2).padStart(10) + r.mbPerSec.toFixed(1).padStart(8) + r.cpuPer100MB.toFixed(1).padStart(13) + r.rssGrowthMB.toFixed(0).padStart(13) + (r.linkSecs === null ? '-' : r.linkSecs.toFixed(2)).padStart(8) + '  ' + vs);
  }
  const perRound = [...new Set(rows.map((r) => r.round))].map((k) => {
    const raw = rows.find((r) => r.round === k && r.mode.startsWith('raw'));
    const eng = rows.find((r) => r.round === k && r.mode.startsWith('engine ('));
    return raw && eng ? Math.round((eng.mibPerSec / raw.mibPerSec) * 100) / 100 : null;
  });
  const ratios = { engineVsRawPerRound: perRound, engineVsRaw: raw && enc ? Math.round((enc / raw) * 100) / 100 : null, plainVsRaw: raw && plain ? Math.round((plain / raw) * 100) / 100 : null };
  console.log(`\nmedian MiB/s: raw ${raw?.toFixed(1)}, engine ${enc?.toFixed(1) ?? '-'}, engine plain ${plain?.toFixed(1) ?? '-'}; engine/raw = ${ratios.engineVsRaw}, per round ${perRound.join(', ')} (target ≥ 0.9)`);
  console.log(JSON.stringify({ bench: 'browser', mib: MIB, rounds: ROUNDS, started, machine: m, rows, medians: { raw, engine: enc, plain }, ratios }));
}

main().then(
  () => process.exit(0),
  async (e) => {
    console.error(e && e.stack ? e.stack : e);
    await stopEverything();
    process.exit(1);
  },
);
