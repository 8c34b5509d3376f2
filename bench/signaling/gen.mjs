// Load generator for signaling servers. One process, one event loop; meant to be pinned to its own
// core (taskset) apart from the server under test. Speaks three wire protocols over raw `ws`, so the
// client cost is the same for every system: p2p-share (PROTOCOL.md), the PeerJS server 1.0.2, and
// Socket.IO 4 (Engine.IO v4 framing, spoken directly).
//
// Usage: node gen.mjs '<json options>'   — prints progress events and one result as JSON lines.
// Every loop is bounded in count and in time; targets are loopback addresses only.
import WebSocket from 'ws';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import readline from 'node:readline';

const opt = JSON.parse(process.argv[2] || '{}');
const PROTO = opt.proto || 'ours'; // ours | peerjs | sio
const URLS = opt.urls || ['ws://127.0.0.1:8081/ws']; // one per node; pairs span urls[0]/urls[1]
const PAYLOAD = 'x'.repeat(opt.payload ?? 120); // roughly an ICE candidate's size
const SOCK_RATE = opt.sockRate ?? 90; // per-socket msgs/s cap (p2p-share allows 100/s sustained)
const HARD_DEADLINE_MS = (opt.deadlineS ?? 120) * 1000;

for (const u of URLS) {
  const h = new URL(u).hostname;
  if (!(h === 'localhost' || h.startsWith('127.') || h === '[::1]')) {
    throw new Error(`refusing non-loopback target ${u}`);
  }
}
const deadlineTimer = setTimeout(() => {
  emit({ event: 'error', error: 'hard deadline reached' });
  process.exit(3);
}, HARD_DEADLINE_MS);
deadlineTimer.unref();

function emit(o) {
  process.stdout.write(JSON.stringify(o) + '\n');
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rid = (n = 16) => randomBytes(n).toString('base64url');

// ---------- protocol adapters ----------
// Each client: { ws, id, onData(t) } ; open() resolves once the server accepted (id known).
function connect(url, { room, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let target = url;
    let myId = null;
    if (PROTO === 'peerjs') {
      myId = rid(12);
      target = `${url}?key=peerjs&id=${myId}&token=${rid(6)}`;
    } else if (PROTO === 'sio') {
      target = `${url}?EIO=4&transport=websocket`;
    }
    const ws = new WebSocket(target, { perMessageDeflate: false, skipUTF8Validation: true, localAddress });
    const c = { ws, id: myId, onData: null, onPeer: null, peers: [], openMs: 0, errors: 0 };
    let done = false;
    const to = setTimeout(() => fail(new Error('connect timeout')), opt.connectTimeoutMs ?? 15000);
    function fail(e) {
      if (done) return;
      done = true;
      clearTimeout(to);
      try {
        ws.terminate();
      } catch {}
      reject(e);
    }
    function ok() {
      if (done) return;
      done = true;
      clearTimeout(to);
      c.openMs = performance.now() - t0;
      resolve(c);
    }
    ws.on('error', fail);
    // a refused upgrade: any 429 (MAX_CONNECTIONS_PER_IP, a rate limit) makes the whole run invalid,
    // so it ends the generator with an error instead of turning into a "failed" count in a figure
    ws.on('unexpected-response', (req, res) => {
      if (res.statusCode === 429) refused429(url);
      fail(new Error(`Unexpected server response: ${res.statusCode}`));
    });
    ws.on('close', () => fail(new Error('closed before accept')));
    ws.on('open', () => {
      if (PROTO === 'ours') ws.send(`{"type":"join","v":1,"room":"${room}"}`);
    });
    ws.on('message', (buf) => {
      const s = buf.toString();
      if (PROTO === 'ours') {
        // fast path for the hot message
        if (s.charCodeAt(9) === 115 && s.startsWith('{"type":"signal"')) {
          c.onData && c.onData(stamp(s));
          return;
        }
        const m = JSON.parse(s);
        if (m.type === 'signal') c.onData && c.onData(m.data.t);
        else if (m.type === 'welcome') {
          c.id = m.peerId;
          c.peers = m.peers.map((p) => p.id);
          ok();
        } else if (m.type === 'peer-joined') {
          c.peers.push(m.peer.id);
          c.onPeer && c.onPeer(m.peer.id);
        } else if (m.type === 'error') {
          c.errors++;
          lastError = m.code;
          if (!done) fail(new Error('error ' + m.code));
        }
      } else if (PROTO === 'peerjs') {
        if (s.startsWith('{"type":"CANDIDATE"')) {
          c.onData && c.onData(stamp(s));
          return;
        }
        const m = JSON.parse(s);
        if (m.type === 'CANDIDATE') c.onData && c.onData(m.payload.t);
        else if (m.type === 'OPEN') ok();
        else if (m.type === 'ERROR' || m.type === 'ID-TAKEN') {
          c.errors++;
          lastError = m.payload && m.payload.msg;
          if (!done) fail(new Error('peerjs ' + lastError));
        }
      } else {
        // Engine.IO v4 / Socket.IO v4
        const k = s.charCodeAt(0);
        if (k === 52 /* '4' message */) {
          if (s.charCodeAt(1) === 50 /* '2' event */) {
            if (s.startsWith('42["signal"')) {
              c.onData && c.onData(stamp(s));
              return;
            }
            const [name, arg] = JSON.parse(s.slice(2));
            if (name === 'signal') c.onData && c.onData(arg.data.t);
            else if (name === 'welcome') {
              c.id = arg.peerId;
              c.peers = arg.peers || [];
              ok();
            } else if (name === 'peer-joined') {
              c.peers.push(arg.id);
              c.onPeer && c.onPeer(arg.id);
            }
          } else if (s.charCodeAt(1) === 48 /* '0' connect */) {
            ws.send(`42["join","${room}"]`);
          } else if (s.charCodeAt(1) === 52 /* '4' connect_error */) {
            fail(new Error('sio connect_error ' + s));
          }
        } else if (k === 48 /* '0' open */) {
          ws.send('40');
        } else if (k === 50 /* '2' ping */) {
          ws.send('3');
        }
      }
    });
  });
}
let lastError = null;

/** Exit code of a generator that saw an HTTP 429: the orchestrator reports the run as failed. */
const EXIT_REFUSED_429 = 5;
function refused429(url) {
  emit({ event: 'error', error: `HTTP 429 on a WebSocket upgrade to ${url}: the server refused a bench socket (MAX_CONNECTIONS_PER_IP or a rate limit); the run is invalid` });
  process.exit(EXIT_REFUSED_429);
}

// The generator's own stamp {"t":<ms>,"p":"..."} inside the relayed data: read it without parsing
// the whole message (the generator must stay cheaper than the servers it loads).
function stamp(s) {
  const i = s.indexOf('{"t":');
  if (i < 0) return NaN;
  const j = s.indexOf(',', i + 5);
  return Number(s.slice(i + 5, j));
}

function sendData(c, to, t) {
  if (PROTO === 'ours') {
    c.ws.send(`{"type":"signal","to":"${to}","data":{"t":${t},"p":"${PAYLOAD}"}}`);
  } else if (PROTO === 'peerjs') {
    c.ws.send(`{"type":"CANDIDATE","dst":"${to}","payload":{"t":${t},"p":"${PAYLOAD}"}}`);
  } else {
    c.ws.send(`42["signal",{"to":"${to}","data":{"t":${t},"p":"${PAYLOAD}"}}]`);
  }
}

function heartbeat(clients) {
  // PeerJS drops clients silent for alive_timeout (90 s); its own client sends one every 5 s.
  // Socket.IO and p2p-share clients answer the server's pings instead.
  if (PROTO !== 'peerjs') return null;
  const h = setInterval(() => {
    for (const c of clients) if (c.ws.readyState === 1) c.ws.send('{"type":"HEARTBEAT"}');
  }, opt.heartbeatMs ?? 5000);
  h.unref();
  return h;
}

// ---------- latency recording ----------
class Lat {
  constructor(max = 2_000_000) {
    this.a = new Float64Array(max);
    this.n = 0;
    this.seen = 0;
  }
  add(ms) {
    this.seen++;
    if (this.n < this.a.length) this.a[this.n++] = ms;
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < this.a.length) this.a[j] = ms;
    }
  }
  summary() {
    const s = this.a.subarray(0, this.n).sort();
    const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : null);
    const r = (x) => (x == null ? null : Math.round(x * 1000) / 1000);
    return { n: this.seen, p50: r(q(0.5)), p99: r(q(0.99)), p999: r(q(0.999)), max: r(s[s.length - 1]) };
  }
}

// ---------- pairs ----------
async function makePairs(P, conc) {
  const pairs = [];
  const urlA = URLS[0];
  const urlB = URLS[1 % URLS.length];
  let next = 0;
  async function worker() {
    while (next < P) {
      const i = next++;
      const room = `bench-${rid(12)}`;
      const a = await connect(urlA, { room });
      let bResolve;
      const aSawB = new Promise((r) => (bResolve = r));
      a.onPeer = (id) => bResolve(id);
      const b = await connect(urlB, { room });
      let bId = b.id;
      if (PROTO === 'ours' || PROTO === 'sio') {
        // a learns b through peer-joined (cross-node too); b learns a from welcome.peers or sio
        const seen = await Promise.race([aSawB, sleep(10000).then(() => null)]);
        if (!seen) throw new Error('peer-joined never arrived');
        bId = seen;
      }
      pairs[i] = { a, b, aId: a.id, bId };
    }
  }
  const ws = [];
  for (let k = 0; k < Math.min(conc, P); k++) ws.push(worker());
  await Promise.all(ws);
  return pairs;
}

// a direction: sender socket → receiver id, with its own bucket and in-flight count
function directions(pairs) {
  const d = [];
  for (const p of pairs) {
    d.push({ from: p.a, to: p.bId, inflight: 0, pending: 0, tokens: Math.min(SOCK_RATE, 50), last: 0 });
    d.push({ from: p.b, to: p.aId, inflight: 0, pending: 0, tokens: Math.min(SOCK_RATE, 50), last: 0 });
  }
  return d;
}

// the generator's own event-loop delay: latency it adds by itself (it is on a shared core too)
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const genLag = () => ({ genLagP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100, genLagMaxMs: Math.round(loopDelay.max / 1e4) / 100 });

function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function relay() {
  const P = opt.pairs ?? 100;
  const W = opt.window ?? 1;
  const warm = (opt.warmupS ?? 2) * 1000;
  const dur = (opt.durationS ?? 5) * 1000;
  const pairs = await makePairs(P, opt.setupConc ?? 32);
  emit({ event: 'setup-done', pairs: P });
  const dirs = directions(pairs);
  const lat = new Lat();
  let measuring = false;
  let stop = false;
  let delivered = 0;
  const pendingSet = new Set();
  const now = () => performance.now();
  // receiver side: the b of a pair receives from dir 2i, the a from dir 2i+1
  pairs.forEach((p, i) => {
    const dAB = dirs[2 * i];
    const dBA = dirs[2 * i + 1];
    p.b.onData = (t) => onDeliver(dAB, t);
    p.a.onData = (t) => onDeliver(dBA, t);
  });
  function refill(d, tnow) {
    d.tokens = Math.min(SOCK_RATE, d.tokens + ((tnow - d.last) * SOCK_RATE) / 1000);
    d.last = tnow;
  }
  function trySend(d, tnow) {
    refill(d, tnow);
    if (d.tokens >= 1) {
      d.tokens -= 1;
      d.inflight++;
      sendData(d.from, d.to, tnow);
      return true;
    }
    d.pending++;
    pendingSet.add(d);
    return false;
  }
  function onDeliver(d, t) {
    const tnow = now();
    d.inflight--;
    if (measuring) {
      delivered++;
      lat.add(tnow - t);
    }
    if (!stop) trySend(d, tnow);
  }
  const flusher = setInterval(() => {
    const tnow = now();
    for (const d of pendingSet) {
      refill(d, tnow);
      while (d.pending > 0 && d.tokens >= 1 && !stop) {
        d.pending--;
        d.tokens -= 1;
        d.inflight++;
        sendData(d.from, d.to, tnow);
      }
      if (d.pending === 0 || stop) pendingSet.delete(d);
    }
  }, 5);
  const t0 = now();
  for (const d of dirs) {
    d.last = t0;
    for (let k = 0; k < W; k++) trySend(d, t0);
  }
  await sleep(warm);
  measuring = true;
  loopDelay.reset();
  const c0 = cpuNow();
  const m0 = now();
  emit({ event: 'window-start' });
  await sleep(dur);
  measuring = false;
  const m1 = now();
  const c1 = cpuNow();
  emit({ event: 'window-end' });
  stop = true;
  clearInterval(flusher);
  await sleep(300);
  const secs = (m1 - m0) / 1000;
  const errors = pairs.reduce((s, p) => s + p.a.errors + p.b.errors, 0);
  closeAll(pairs.flatMap((p) => [p.a, p.b]));
  return {
    scenario: 'relay',
    proto: PROTO,
    pairs: P,
    window: W,
    sockRateCap: SOCK_RATE,
    msgsPerSec: Math.round(delivered / secs),
    latencyMs: lat.summary(),
    genCpuPct: Math.round(((c1 - c0) / (m1 - m0)) * 100),
    ...genLag(),
    serverErrors: errors,
    lastError,
  };
}

// Open loop at fixed rates: each phase restarts the schedule at its own rate, warms up, then
// measures one window. Every message carries its *intended* send time (no coordinated omission);
// a delivery counts for the window its intended time falls in.
async function openLoop() {
  const P = opt.pairs ?? 100;
  const phases = opt.phases || [{ rate: opt.rate ?? 1000, warmupS: opt.warmupS ?? 1, durationS: opt.durationS ?? 5 }];
  for (const ph of phases) {
    if (ph.rate / (2 * P) > SOCK_RATE) throw new Error(`rate ${ph.rate} needs more pairs than ${P} at ${SOCK_RATE}/s per socket`);
  }
  const pairs = await makePairs(P, opt.setupConc ?? 32);
  const flood = opt.flood ? await floodPair(opt.flood.rate) : null;
  emit({ event: 'setup-done', pairs: P });
  const dirs = directions(pairs);
  const errorsNow = () => pairs.reduce((s, p) => s + p.a.errors + p.b.errors, 0);
  let lat = new Lat();
  let delivered = 0;
  let winStart = Infinity;
  let winEnd = Infinity;
  pairs.forEach((p) => {
    const rec = (t) => {
      if (t >= winStart && t < winEnd) {
        delivered++;
        lat.add(performance.now() - t);
      }
    };
    p.a.onData = rec;
    p.b.onData = rec;
  });
  let R = 0;
  let t0 = performance.now();
  let sent = 0;
  let sentInWindow = 0;
  let rr = 0;
  const ticker = setInterval(() => {
    const tnow = performance.now();
    // a generator starved of CPU must not spin here catching up (its timers would never fire):
    // at most 20 ms of schedule per tick; what it could not send shows as delivered < offered
    const due = Math.min(Math.floor(((tnow - t0) * R) / 1000), sent + Math.ceil(R / 50));
    while (sent < due) {
      const intended = t0 + (sent * 1000) / R;
      const d = dirs[rr++ % dirs.length];
      sendData(d.from, d.to, intended);
      sent++;
      if (intended >= winStart && intended < winEnd) sentInWindow++;
    }
  }, 1);
  const results = [];
  for (const ph of phases) {
    R = ph.rate;
    t0 = performance.now();
    sent = 0;
    if (flood) flood.on(!!ph.flood);
    await sleep((ph.warmupS ?? 1) * 1000);
    lat = new Lat();
    delivered = 0;
    sentInWindow = 0;
    const e0 = errorsNow();
    loopDelay.reset();
    winStart = performance.now();
    winEnd = Infinity;
    const c0 = cpuNow();
    emit({ event: 'window-start', label: ph.label ?? String(R) });
    await sleep((ph.durationS ?? 5) * 1000);
    winEnd = performance.now();
    emit({ event: 'window-end', label: ph.label ?? String(R) });
    const c1 = cpuNow();
    const lag = genLag();
    const floodStats = flood ? flood.window() : null;
    await sleep(500); // the window's last messages land (the next phase already runs)
    results.push({
      rate: R,
      label: ph.label ?? String(R),
      achievedPerSec: Math.round((delivered * 1000) / (winEnd - winStart)),
      sentInWindow,
      delivered,
      latencyMs: lat.summary(),
      genCpuPct: Math.round(((c1 - c0) / (winEnd - winStart)) * 100),
      ...lag,
      serverErrors: errorsNow() - e0,
      ...(floodStats ? { flood: floodStats } : {}),
    });
    winStart = Infinity;
  }
  clearInterval(ticker);
  if (flood) flood.close();
  const errors = errorsNow();
  closeAll(pairs.flatMap((p) => [p.a, p.b]));
  return { scenario: 'rate', proto: PROTO, pairs: P, ...results[0], phases: results, serverErrors: errors, lastError };
}

// One flooding socket (opt.flood): a pair of its own on urls[0]; while on, its a-side sends signals
// to its b-side at `rate` msgs/s, far over the server's per-socket limit, whatever the server
// answers (rate-limited errors). It writes only while its socket buffer is below FLOOD_BUFFER_MAX:
// a server that pushes back at the transport (TCP) sees what the kernel takes, and the generator's
// memory stays bounded. Its latency is not measured; what it offered, wrote and got through is.
const FLOOD_BUFFER_MAX = 1 << 20;
async function floodPair(rate) {
  const [p] = await makePairs(1, 1);
  const c = { offered: 0, written: 0, heldBack: 0, delivered: 0 };
  p.a.onData = () => {};
  p.b.onData = () => c.delivered++;
  let on = false;
  let t0 = 0;
  let due0 = 0;
  let w0 = null;
  const snapshot = () => ({ offered: c.offered, written: c.written, heldBack: c.heldBack, delivered: c.delivered, errors: p.a.errors, t: performance.now() });
  const ticker = setInterval(() => {
    if (!on) return;
    const due = Math.min(Math.floor(((performance.now() - t0) * rate) / 1000), due0 + Math.ceil(rate / 50));
    while (due0 < due) {
      due0++;
      c.offered++;
      if (p.a.ws.readyState !== 1 || p.a.ws.bufferedAmount > FLOOD_BUFFER_MAX) {
        c.heldBack++;
        continue;
      }
      sendData(p.a, p.bId, 0);
      c.written++;
    }
  }, 1);
  return {
    on(flag) {
      on = flag;
      t0 = performance.now();
      due0 = 0;
      w0 = snapshot();
    },
    /** Per-second figures since the phase started (warm-up included). */
    window() {
      const now = snapshot();
      const secs = (now.t - w0.t) / 1000;
      const per = (k) => Math.round((now[k] - w0[k]) / secs);
      return { on, offeredPerSec: per('offered'), writtenPerSec: per('written'), heldBackPerSec: per('heldBack'), deliveredPerSec: per('delivered'), errors: now.errors - w0.errors };
    },
    close() {
      clearInterval(ticker);
      closeAll([p.a, p.b]);
    },
  };
}

// connect N sockets with C in flight; each joins its own room (ours/sio) and is held until the end
async function connectMany(N, C, roomsOf2, tag) {
  const clients = [];
  const lat = new Lat();
  let next = 0;
  let failed = 0;
  let firstErr = null;
  const t0 = performance.now();
  const until = t0 + (opt.connectBudgetS ?? 60) * 1000;
  const local = opt.localAddresses || [undefined];
  let room = null;
  let retried = 0;
  // a client whose connect timed out tries again, as a real one would (bounded; 1 = no retry)
  const attempts = Math.max(1, opt.connectAttempts ?? 1);
  async function worker() {
    while (next < N && performance.now() < until) {
      const i = next++;
      if (!roomsOf2 || i % 2 === 0) room = `${tag}-${rid(12)}`;
      const url = URLS[i % URLS.length];
      for (let a = 1; a <= attempts; a++) {
        try {
          const c = await connect(url, { room, localAddress: local[i % local.length] });
          lat.add(c.openMs);
          clients.push(c);
          break;
        } catch (e) {
          firstErr = firstErr || String(e.message || e);
          if (a === attempts || performance.now() >= until) {
            failed++;
            break;
          }
          retried++;
        }
      }
    }
  }
  const ws = [];
  for (let k = 0; k < Math.min(C, N); k++) ws.push(worker());
  await Promise.all(ws);
  const ms = performance.now() - t0;
  return { clients, ms, lat, failed, firstErr, retried };
}

async function connectScenario() {
  const N = opt.count ?? 1000;
  const C = opt.concurrency ?? 50;
  const c0 = cpuNow();
  emit({ event: 'window-start' });
  const r = await connectMany(N, C, false, 'conn');
  emit({ event: 'window-end' });
  const c1 = cpuNow();
  closeAll(r.clients);
  return {
    scenario: 'connect',
    proto: PROTO,
    count: N,
    concurrency: C,
    ok: r.clients.length,
    failed: r.failed,
    firstError: r.firstErr,
    perSec: Math.round((r.clients.length * 1000) / r.ms),
    latencyMs: r.lat.summary(),
    genCpuPct: Math.round(((c1 - c0) / r.ms) * 100),
  };
}

async function idleScenario() {
  const N = opt.count ?? 1000;
  const C = opt.concurrency ?? 50;
  const r = await connectMany(N, C, true, 'idle');
  const hb = heartbeat(r.clients);
  emit({ event: 'ready', ok: r.clients.length, failed: r.failed, retried: r.retried, firstError: r.firstErr, perSec: Math.round((r.clients.length * 1000) / r.ms) });
  // hold until the orchestrator says "close" on stdin, or holdMaxS passes
  await new Promise((resolve) => {
    const t = setTimeout(resolve, (opt.holdMaxS ?? 60) * 1000);
    const rl = readline.createInterface({ input: process.stdin });
    rl.on('line', (l) => {
      if (l.trim() === 'close') {
        clearTimeout(t);
        rl.close();
        resolve();
      }
    });
    rl.on('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
  if (hb) clearInterval(hb);
  const alive = r.clients.filter((c) => c.ws.readyState === 1).length;
  closeAll(r.clients);
  return { scenario: 'idle', proto: PROTO, count: N, ok: r.clients.length, aliveAtEnd: alive, failed: r.failed, firstError: r.firstErr };
}

function closeAll(clients) {
  for (const c of clients) {
    try {
      c.ws.terminate();
    } catch {}
  }
}

const scenarios = { relay, rate: openLoop, connect: connectScenario, idle: idleScenario };
const fn = scenarios[opt.scenario || 'relay'];
if (!fn) throw new Error('unknown scenario ' + opt.scenario);
fn().then(
  (res) => {
    emit({ event: 'result', ...res });
    setTimeout(() => process.exit(0), 200);
  },
  (e) => {
    emit({ event: 'error', error: String((e && e.stack) || e) });
    setTimeout(() => process.exit(2), 200);
  },
);
