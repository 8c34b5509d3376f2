/**
 * Starts a real local cluster for the e2e tests: the balancer and two signaling nodes from the
 * jars built by `mvn -DskipTests package`, on free ports, with a random cluster name. Waits for
 * /readyz; kill(id) simulates a node crash (SIGKILL); stop() ends everything.
 * The balancer serves the CURRENT web/dist (npm run build), laid over the copy bundled in its jar
 * (a `webroot/` directory first on the classpath and in its working directory), so the suite
 * tests this tree's client even when the jar was packaged from an older one.
 * Env: SIGNALING_JAR, BALANCER_JAR override the jar paths; E2E_WEBROOT another built client
 * (`jar` = the one inside the balancer jar); JAVA (default `java`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns.js';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = resolve(here, '..');
const ROOT = resolve(WEB_DIR, '..');
export const SIGNALING_JAR =
  process.env.SIGNALING_JAR ?? join(ROOT, 'signaling-node/target/signaling-node.jar');
/** signaling-node.jar → signaling-node: the module whose jvm.options launch it. */
const moduleOf = (jar: string): string => basename(jar, '.jar');
export const BALANCER_JAR =
  process.env.BALANCER_JAR ?? join(ROOT, 'load-balancer/target/load-balancer.jar');
export const OUT_DIR = join(WEB_DIR, 'e2e', '.out');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Copies a jar once it has not changed for 3 s (a concurrent `mvn package` may be writing it). */
async function stableCopy(from: string, to: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const a = statSync(from);
    if (Date.now() - a.mtimeMs > 3000 || Date.now() - t0 > 120_000) {
      copyFileSync(from, to);
      const b = statSync(from);
      if (b.mtimeMs === a.mtimeMs && b.size === a.size) return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** GET from the test process (or, for a namespace, from inside it). */
export type HttpGet = (url: string) => Promise<{ status: number; body: string }>;

const fetchGet: HttpGet = async (url) => {
  const r = await fetch(url);
  return { status: r.status, body: await r.text() };
};

export interface Proc {
  id: string;
  port: number;
  url: string;
  wsUrl?: string;
  child: ChildProcess;
}

export interface Cluster {
  name: string;
  balancer: Proc;
  nodes: Proc[];
  base: string;
  kill(id: string): void;
  stop(): Promise<void>;
}

async function waitReady(
  url: string,
  proc: ChildProcess,
  get: HttpGet,
  ms = 240_000,
): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (proc.exitCode !== null) throw new Error(`${url}: process exited with ${proc.exitCode}`);
    try {
      const r = await get(url + '/readyz');
      if (r.status === 200) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

export interface ClusterOptions {
  nodes?: number;
  env?: Record<string, string>;
  /** run every process in this network namespace (`ip netns exec <ns>`; e2e/netns.ts) */
  netns?: Netns;
  /** HTTP bind address [127.0.0.1] */
  host?: string;
  /** false: leave PUBLIC_URL at its default (ws://localhost:<port>/ws) [true: set it] */
  advertise?: boolean;
  webroot?: string;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  for (const j of [SIGNALING_JAR, BALANCER_JAR])
    if (!existsSync(j))
      throw new Error(`missing ${j}: run "mvn -q -B -DskipTests package" at the repo root`);
  mkdirSync(OUT_DIR, { recursive: true });
  const name = 'e2e-' + randomBytes(6).toString('hex');
  // run private copies: a rebuild of the jars while the cluster runs must not pull classes away
  const jarDir = join(OUT_DIR, `jars-${name}`);
  mkdirSync(jarDir, { recursive: true });
  const sigJar = join(jarDir, 'signaling-node.jar');
  const balJar = join(jarDir, 'load-balancer.jar');
  await stableCopy(SIGNALING_JAR, sigJar);
  await stableCopy(BALANCER_JAR, balJar);
  const webroot = opts.webroot ?? process.env.E2E_WEBROOT ?? join(WEB_DIR, 'dist');
  const overlay = webroot !== 'jar' && existsSync(join(webroot, 'index.html'));
  if (overlay) cpSync(webroot, join(jarDir, 'webroot'), { recursive: true });
  const n = opts.nodes ?? 2;
  const httpPorts = await Promise.all(Array.from({ length: n + 1 }, freePort));
  const hzPorts = await Promise.all(Array.from({ length: n + 1 }, freePort));
  const members = hzPorts.map((p) => `127.0.0.1:${p}`).join(',');
  const procs: Proc[] = [];

  const launch = (
    jar: string,
    id: string,
    port: number,
    hz: number,
    wsUrl?: string,
    main?: string,
  ): Proc => {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NODE_ID: id,
      PORT: String(port),
      HOST: opts.host ?? '127.0.0.1',
      CLUSTER_NAME: name,
      CLUSTER_HOST: '127.0.0.1',
      CLUSTER_PORT: String(hz),
      CLUSTER_MEMBERS: members,
      ...(wsUrl && opts.advertise !== false ? { PUBLIC_URL: wsUrl } : {}),
      ...opts.env,
    };
    // the module's shipped JVM flags, as every launcher (PROTOCOL.md operating contract)
    const options = `@${join(ROOT, moduleOf(jar), 'jvm.options')}`;
    const args = main ? [options, '-cp', `${jarDir}:${jar}`, main] : [options, '-jar', jar];
    const java = process.env.JAVA ?? 'java';
    const [cmd, ...cmdArgs] = opts.netns ? [...opts.netns.exec, java, ...args] : [java, ...args];
    const child = spawn(cmd!, cmdArgs, {
      env,
      cwd: jarDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(OUT_DIR, `${name}-${id}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const p: Proc = { id, port, url: `http://localhost:${port}`, wsUrl, child };
    procs.push(p);
    return p;
  };

  const nodes: Proc[] = [];
  for (let i = 0; i < n; i++) {
    const port = httpPorts[i + 1]!;
    nodes.push(
      launch(SIGNALING_JAR, `node-${i + 1}`, port, hzPorts[i + 1]!, `ws://localhost:${port}/ws`),
    );
  }
  const balancer = launch(
    balJar,
    'balancer',
    httpPorts[0]!,
    hzPorts[0]!,
    undefined,
    overlay ? (process.env.BALANCER_MAIN ?? 'p2pshare.balancer.BalancerMain') : undefined,
  );
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((res) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return res();
            p.child.once('exit', () => res());
            p.child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(jarDir, { recursive: true, force: true });
  };
  try {
    const get = opts.netns?.get ?? fetchGet;
    await Promise.all(procs.map((p) => waitReady(p.url, p.child, get)));
    // the balancer must see both nodes before it can place rooms on either
    const t0 = Date.now();
    for (;;) {
      const r = JSON.parse((await get(`${balancer.url}/api/nodes`)).body) as {
        nodes: { id: string; state: string }[];
      };
      if (r.nodes.filter((x) => x.state === 'up').length >= n) break;
      if (Date.now() - t0 > 60_000)
        throw new Error('balancer never saw all nodes: ' + JSON.stringify(r));
      await new Promise((res) => setTimeout(res, 250));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    name,
    balancer,
    nodes,
    base: balancer.url,
    kill(id: string) {
      procs.find((p) => p.id === id)?.child.kill('SIGKILL');
    },
    stop,
  };
}
