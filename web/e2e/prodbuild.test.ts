/**
 * Issue 14, finding 3: the default build (what the balancer serves) has no test hooks. Builds
 * the client in the default mode into a temporary directory, checks that no hook name is left in
 * any file, then serves that build through a real balancer and shows that `?plain=1`,
 * `?corruptSend`, `?node` do nothing there: every binary frame the sender's data channel sends is
 * ciphertext (a plaintext marker in the file never appears), no `window.__p2p` exists, and the
 * file arrives intact.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { WEB_DIR } from './cluster.js';
import { type Fixture, useFixture } from './fixture.js';
import { offer, saveAndHash, sha256File, waitAllDone, writeText } from './helpers.js';

/** Strings only the test hooks put in a bundle (globals, query parameter names, the reader). */
const HOOK_STRINGS = [
  '__p2p',
  '__P2P_',
  'corruptSend',
  'URLSearchParams',
  '"plain"',
  "'plain'",
  '"node"',
  '"quota"',
];
const MARKER = 'p2p-share-plaintext-probe:';
const FILE_BYTES = 3 * 1024 * 1024;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function hookHits(dir: string): string[] {
  const hits: string[] = [];
  for (const f of filesUnder(dir).filter((x) => /\.(js|html|mjs)$/.test(x))) {
    const text = readFileSync(f, 'utf8');
    for (const s of HOOK_STRINGS) if (text.includes(s)) hits.push(`${s} in ${f}`);
  }
  return hits;
}

let prodDist: string;
/** the suite's fixture (set inside the describe) */
let e2e: Fixture;

async function page(): Promise<Page> {
  const ctx = await e2e.context();
  // count the sender's binary data-channel frames and any that carry the plaintext marker
  await ctx.addInitScript((marker: string) => {
    const seen = { frames: 0, bytes: 0, plaintext: 0 };
    (window as unknown as { __probe: typeof seen }).__probe = seen;
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: unknown) {
      if (typeof data !== 'string') {
        const bytes =
          data instanceof ArrayBuffer
            ? new Uint8Array(data)
            : ArrayBuffer.isView(data)
              ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
              : null;
        if (bytes) {
          seen.frames++;
          seen.bytes += bytes.length;
          if (new TextDecoder('latin1').decode(bytes).includes(marker)) seen.plaintext++;
        }
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return send.call(this, data as any);
    };
  }, MARKER);
  return e2e.open(ctx);
}

describe('issue 14 (3): the default build has no test hooks', { timeout: 600_000 }, () => {
  e2e = useFixture({
    name: 'prodbuild',
    prepare: (dir) => {
      prodDist = join(dir, 'dist');
      execFileSync('npx', ['vite', 'build', '--outDir', prodDist, '--emptyOutDir'], {
        cwd: WEB_DIR,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    },
    cluster: () => ({ webroot: prodDist }),
  });

  test('no hook name is left in the default bundle (and the test build has them)', () => {
    assert.deepEqual(hookHits(prodDist), []);
    // control: the grep finds the hooks where they are compiled in (web/dist is the test build)
    const testDist = join(WEB_DIR, 'dist');
    if (existsSync(join(testDist, 'index.html')))
      assert.ok(hookHits(testDist).length > 0, 'web/dist should be the test build');
  });

  test('served by the balancer, ?plain=1 ?corruptSend ?node still encrypt and verify', async () => {
    const path = join(e2e.dir, 'probe.txt');
    writeText(path, MARKER.repeat(Math.ceil(FILE_BYTES / MARKER.length)).slice(0, FILE_BYTES));
    const sender = await page();
    const link = await offer(
      sender,
      e2e.base,
      [path],
      'file-input',
      '?plain=1&corruptSend=1000&node=ws%3A%2F%2F127.0.0.1%3A9%2Fws',
    );
    assert.equal(
      await sender.evaluate(() => typeof (window as { __p2p?: unknown }).__p2p),
      'undefined',
    );
    const receiver = await page();
    const [a, frag] = link.split('#');
    await receiver.goto(`${a}?plain=1&rate=1#${frag}`);
    await receiver.getByTestId('accept').click({ timeout: 120_000 });
    await waitAllDone(receiver, 1, 240_000);
    const got = await saveAndHash(receiver, 'probe.txt');
    assert.equal(got.sha, await sha256File(path));
    const probe = await e2e.poll(
      () =>
        sender.evaluate(
          () =>
            (window as unknown as { __probe: { frames: number; bytes: number; plaintext: number } })
              .__probe,
        ),
      (p) => p.bytes >= FILE_BYTES,
      30_000,
      'sender data-channel bytes',
    );
    assert.equal(probe.plaintext, 0, `plaintext frames sent: ${JSON.stringify(probe)}`);
  });
});
