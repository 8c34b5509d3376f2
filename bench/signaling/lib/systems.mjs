// The three systems under test, each started by the bench itself on loopback, pinned to SERVER_CPU.
import { execFileSync, execSync } from 'node:child_process';
import { join } from 'node:path';
import {
  HERE,
  ROOT,
  LOGS,
  freePort,
  startProc,
  stopProc,
  waitHttp,
  randomName,
  rssBytes,
  sleep,
  exists,
} from './procs.mjs';

export const NODE_JAR = process.env.BENCH_NODE_JAR || join(ROOT, 'signaling-node', 'target', 'signaling-node.jar');
/** The node's shipped JVM flags: what is measured is what ships (PROTOCOL.md operating contract). */
export const NODE_JVM_OPTIONS = `@${join(ROOT, 'signaling-node', 'jvm.options')}`;
/**
 * MAX_CONNECTIONS_PER_IP for bench nodes: every bench socket comes from one loopback address, so the
 * shipped cap (256) would refuse them with HTTP 429. High rather than 0 (no limit), so the per-address
 * count is still kept on every connect and close, as in production.
 */
export const BENCH_MAX_CONNECTIONS_PER_IP = 1_000_000;

/** p2p-share: n signaling nodes forming one Hazelcast cluster; javaOpts: a list, or (i) => list for node i. */
export async function startOurs(n = 1, { jfr = null, javaOpts = [], cpu, shippedOptions = true, jar = NODE_JAR } = {}) {
  if (!exists(jar)) {
    throw new Error(`${jar} is missing: run 'mvn -q -B -ntp -DskipTests package' at the root first`);
  }
  const cluster = randomName('bench');
  const ports = [];
  const hz = [];
  for (let i = 0; i < n; i++) {
    ports.push(await freePort());
    hz.push(await freePort());
  }
  const members = hz.map((p) => `127.0.0.1:${p}`).join(',');
  const extra = (process.env.BENCH_JAVA_OPTS || '').split(' ').filter(Boolean);
  const procs = [];
  for (let i = 0; i < n; i++) {
    // shippedOptions=false only for A/B runs of JVM flags themselves (run.sh gc)
    const opts = [...(shippedOptions ? [NODE_JVM_OPTIONS] : []), ...extra, ...(typeof javaOpts === 'function' ? javaOpts(i) : javaOpts)];
    if (jfr && i === 0) opts.push(`-XX:StartFlightRecording=${jfr}`);
    procs.push(
      startProc(
        `ours-node-${i + 1}`,
        'java',
        [...opts, '-jar', jar],
        {
          NODE_ID: `bench-node-${i + 1}`,
          HOST: '127.0.0.1',
          PORT: String(ports[i]),
          PUBLIC_URL: `ws://127.0.0.1:${ports[i]}/ws`,
          CLUSTER_NAME: cluster,
          CLUSTER_HOST: '127.0.0.1',
          CLUSTER_PORT: String(hz[i]),
          CLUSTER_MEMBERS: members,
          MAX_CONNECTIONS_PER_IP: String(BENCH_MAX_CONNECTIONS_PER_IP),
        },
        cpu,
      ),
    );
  }
  await Promise.all(ports.map((p, i) => waitHttp(`http://127.0.0.1:${p}/readyz`, 120000, procs[i])));
  return {
    name: n > 1 ? `p2p-share ×${n}` : 'p2p-share',
    proto: 'ours',
    urls: ports.map((p) => `ws://127.0.0.1:${p}/ws`),
    procs,
    /** live heap after a full GC (class histogram total) and RSS, per process */
    async memory() {
      return procs.map((p) => ({ liveHeap: javaLiveHeap(p.pid), rss: rssBytes(p.pid) }));
    },
    async stop() {
      await Promise.all(procs.map((p) => stopProc(p, 15000)));
    },
  };
}

export function javaLiveHeap(pid) {
  // GC.class_histogram forces a full GC first, so its total is the live heap.
  const out = execFileSync('jcmd', [String(pid), 'GC.class_histogram'], { maxBuffer: 64 << 20 }).toString();
  const m = /Total\s+(\d+)\s+(\d+)/.exec(out);
  return m ? Number(m[2]) : null;
}

async function nodeMem(adminPort, pid) {
  const r = await (await fetch(`http://127.0.0.1:${adminPort}/mem`)).json();
  return { liveHeap: r.heapUsed, rss: rssBytes(pid) };
}

/** The PeerJS server, npm `peer` 1.0.2, one process. */
export async function startPeerJS({ concurrentLimit = 5000, cpu } = {}) {
  const port = await freePort();
  const admin = await freePort();
  const p = startProc(
    'peerjs',
    'node',
    ['--expose-gc', join(HERE, 'servers', 'peerjs-server.mjs')],
    { PORT: String(port), ADMIN_PORT: String(admin), CONCURRENT_LIMIT: String(concurrentLimit) },
    cpu,
  );
  await waitHttp(`http://127.0.0.1:${admin}/`, 30000, p);
  await waitHttp(`http://127.0.0.1:${port}/`, 30000, p);
  return {
    name: 'PeerJS server 1.0.2',
    proto: 'peerjs',
    urls: [`ws://127.0.0.1:${port}/peerjs`],
    procs: [p],
    async memory() {
      return [await nodeMem(admin, p.pid)];
    },
    async stop() {
      await stopProc(p);
    },
  };
}

export function ensureRedis() {
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
  } catch {
    console.error('installing redis-server (apt-get) ...');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null', {
      stdio: 'inherit',
    });
  }
}

/** Socket.IO 4 + @socket.io/redis-adapter: n nodes and one redis-server. */
export async function startSio(n = 2, { cpu } = {}) {
  ensureRedis();
  const rport = await freePort();
  const redis = startProc(
    'redis',
    'redis-server',
    ['--port', String(rport), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    {},
    cpu,
  );
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(rport), 'ping'], { stdio: 'ignore' });
      break;
    } catch {
      await sleep(100);
    }
  }
  const procs = [];
  const ports = [];
  const admins = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    ports.push(port);
    procs.push(
      startProc(
        `sio-node-${i + 1}`,
        'node',
        ['--expose-gc', join(HERE, 'servers', 'sio-node.mjs')],
        { PORT: String(port), REDIS_URL: `redis://127.0.0.1:${rport}` },
        cpu,
      ),
    );
  }
  await Promise.all(ports.map((p, i) => waitHttp(`http://127.0.0.1:${p}/readyz`, 30000, procs[i])));
  return {
    name: n > 1 ? `Socket.IO+Redis ×${n}` : 'Socket.IO+Redis',
    proto: 'sio',
    urls: ports.map((p) => `ws://127.0.0.1:${p}/socket.io/`),
    procs: [...procs, redis],
    async memory() {
      return Promise.all(ports.map((p, i) => nodeMem(p, procs[i].pid)));
    },
    async stop() {
      await Promise.all(procs.map((p) => stopProc(p)));
      await stopProc(redis);
    },
  };
}

export { LOGS };
