/**
 * A private network namespace with a non-loopback address, for tests of "another device on the
 * LAN": servers inside may bind 0.0.0.0 without being reachable from any real network, and a
 * page opened through the namespace's own address is, for the browser, on a different host than
 * `localhost`. Needs root and iproute2 (`ip netns`); `createNetns()` answers null without them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM } from './browser.js';

const run = promisify(execFile);

export interface Netns {
  name: string;
  /** the namespace's non-loopback IPv4 address */
  address: string;
  /** command prefix that runs a program inside */
  exec: string[];
  /** GET from inside the namespace (curl) */
  get(url: string): Promise<{ status: number; body: string }>;
  /** a Chromium launcher script that runs the browser inside */
  chromium(dir: string): string;
  destroy(): void;
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error}`);
}

/** A namespace with `lo` and an interface on a random 10.x.y.2/24; null if not permitted. */
export function createNetns(): Netns | null {
  const id = randomBytes(3).toString('hex');
  const name = `p2plan-${id}`;
  const address = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]!}.2`;
  try {
    ip('netns', 'add', name);
  } catch {
    return null;
  }
  try {
    ip('-n', name, 'link', 'set', 'lo', 'up');
    // a veth pair with both ends inside (no dummy module here): lan0 carries the address
    ip('-n', name, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan1');
    ip('-n', name, 'link', 'set', 'lan1', 'up');
    ip('-n', name, 'addr', 'add', `${address}/24`, 'dev', 'lan0');
    ip('-n', name, 'link', 'set', 'lan0', 'up');
  } catch (e) {
    spawnSync('ip', ['netns', 'del', name]);
    throw e;
  }
  const exec = ['ip', 'netns', 'exec', name];
  return {
    name,
    address,
    exec,
    async get(url) {
      const [cmd, ...args] = [...exec, 'curl', '-sS', '-m', '5', '-w', '\n%{http_code}', url];
      try {
        const { stdout } = await run(cmd!, args, { encoding: 'utf8' });
        const cut = stdout.lastIndexOf('\n');
        return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
      } catch {
        return { status: 0, body: '' }; // refused / not listening yet
      }
    },
    chromium(dir) {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `chromium-${name}.sh`);
      writeFileSync(path, `#!/bin/sh\nexec ${exec.join(' ')} ${CHROMIUM} "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    },
    destroy() {
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
}
