// Process plumbing for the benchmark: free ports, servers started and stopped by the bench itself,
// CPU accounting from /proc (per process and per core), and the load generator as a child.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, mkdirSync, openSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(HERE, '..', '..');
export const LOGS = process.env.BENCH_LOG_DIR || join(ROOT, 'bench', 'signaling', 'logs');
mkdirSync(LOGS, { recursive: true });
export const SERVER_CPU = process.env.BENCH_SERVER_CPU ?? '0';
export const GEN_CPU = process.env.BENCH_GEN_CPU ?? '1';
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

const live = new Set();
export function startProc(name, cmd, args, env = {}, cpu = SERVER_CPU) {
  const log = openSync(join(LOGS, `${name}.log`), 'w');
  const full = cpu == null ? [cmd, ...args] : ['taskset', '-c', String(cpu), cmd, ...args];
  const child = spawn(full[0], full.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
    detached: false,
  });
  child.benchName = name;
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

export async function stopProc(child, timeoutMs = 8000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = await Promise.race([done.then(() => 'exited'), sleep(timeoutMs).then(() => 'timeout')]);
  if (t === 'timeout') {
    child.kill('SIGKILL');
    await Promise.race([done, sleep(2000)]);
  }
}

export async function stopAll() {
  await Promise.all([...live].map((c) => stopProc(c)));
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await stopAll();
    process.exit(130);
  });
}
process.on('exit', () => {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
});

export async function waitHttp(url, timeoutMs = 90000, child = null) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`${child.benchName} exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.status === 200) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`not ready: ${url}`);
}

/** user+system CPU seconds of a process (its threads included). */
export function procCpuS(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return 0;
  }
}
/** Seconds since the process started (from /proc: its start time in clock ticks since boot). */
export function procUptimeS(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const bootUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return bootUptime - Number(f[19]) / TICK;
  } catch {
    return null;
  }
}
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
/** per-core busy/total jiffies from /proc/stat */
export function coreTimes() {
  const out = {};
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].split(' ').map(Number);
    const idle = v[3] + (v[4] || 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out[m[1]] = { busy: total - idle, total };
  }
  return out;
}
export function coreBusyPct(a, b) {
  const out = {};
  for (const k of Object.keys(b)) {
    const dt = b[k].total - a[k].total;
    out[`cpu${k}`] = dt > 0 ? Math.round(((b[k].busy - a[k].busy) / dt) * 100) : null;
  }
  return out;
}

export const randomName = (p) => `${p}-${randomBytes(6).toString('hex')}`;

/**
 * Runs the load generator pinned to GEN_CPU. `servers` are child processes whose CPU is counted
 * within the generator's measurement window (between its window-start and window-end events).
 */
export function runGen(opts, servers = [], { onEvent, cpu = GEN_CPU, timeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const args = [join(HERE, 'gen.mjs'), JSON.stringify(opts)];
    const full = cpu == null ? ['node', ...args] : ['taskset', '-c', String(cpu), 'node', ...args];
    const child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    child.on('exit', () => live.delete(child));
    let buf = '';
    let err = '';
    let w0 = null;
    const windows = [];
    let result = null;
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs ?? ((opts.deadlineS ?? 120) + 10) * 1000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let ev;
        try {
          ev = JSON.parse(line);
        } catch {
          continue;
        }
        if (ev.event === 'window-start') {
          w0 = { t: performance.now(), cores: coreTimes(), cpu: servers.map((s) => procCpuS(s.pid)), uptime: servers.map((s) => procUptimeS(s.pid)) };
        } else if (ev.event === 'window-end' && w0) {
          const t = performance.now();
          const cpuS = servers.map((s, k) => procCpuS(s.pid) - w0.cpu[k]);
          const secs = (t - w0.t) / 1000;
          windows.push({
            label: ev.label,
            windowS: Math.round(secs * 100) / 100,
            serverCpuPct: Math.round((cpuS.reduce((a, b) => a + b, 0) / secs) * 100),
            serverCpuPctEach: cpuS.map((c) => Math.round((c / secs) * 100)),
            serverCpuS: cpuS.reduce((a, b) => a + b, 0),
            coresBusyPct: coreBusyPct(w0.cores, coreTimes()),
            // JVM uptime at the window's ends (for GC logs decorated with uptime)
            uptimeS: servers.map((s) => [w0.uptime[servers.indexOf(s)], procUptimeS(s.pid)]),
          });
        } else if (ev.event === 'result') {
          result = ev;
        } else if (ev.event === 'error') {
          err += ev.error;
        }
        onEvent && onEvent(ev, child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (result) resolve({ ...result, ...(windows[0] || {}), windows });
      else reject(new Error(`generator failed (${code}): ${err.slice(0, 2000)}`));
    });
    child.genProc = true;
    if (opts.scenario === 'idle') child.closeNow = () => child.stdin.write('close\n');
  });
}

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = (/model name\s*:\s*(.*)/.exec(cpuinfo) || [])[1] || 'unknown';
  let nproc = 0;
  try {
    nproc = Number(execFileSync('nproc').toString().trim());
  } catch {}
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  let psi = null;
  try {
    psi = (/avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8')) || [])[1];
  } catch {}
  return { nproc, cpu: model, loadavg: load, cpuPressureSomeAvg60: psi ? Number(psi) : null, node: process.version };
}

export function exists(p) {
  return existsSync(p);
}
