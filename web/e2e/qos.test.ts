/**
 * QoS end to end (issue 5): one sender offers two files; two receivers each take one of them (the
 * other file paused before "Download all"), so two transfers run at once from one sender page.
 * The sender sets A high, B low and an upload limit of CAP through the UI. Over a window the
 * sender's counters (window.__p2p.stats.bytesSent, window.__p2p.qos.granted(file)) must show:
 *  - the total within CAP·Δ + the bucket's burst (read from the page: computed from the
 *    scheduler's constants), i.e. the cap holds;
 *  - A clearly ahead of B (≥ MIN_RATIO with weights 4:1);
 *  - after flipping the priorities in the UI, B clearly ahead of A.
 * Then the limit is cleared and both transfers complete (whole-file hash checked by the client).
 * Figures are printed as `# qos …` lines.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { useFixture } from './fixture.js';
import { offer, rows, stats, withLinkedPages, writeRandomFile } from './helpers.js';

const MiB = 1024 * 1024;
/** upload limit typed into the sender's field, MiB/s */
const CAP_MIB = 2;
const CAP = CAP_MIB * MiB;
/** big enough that neither file completes before both windows are over */
const SIZE = 40 * MiB;
/** bytes each transfer must have sent before the measurement starts (both are running) */
const WARMUP_BYTES = 1 * MiB;
const WINDOW_MS = 10_000;
const FLIP_WINDOW_MS = 6_000;
/** high (weight 4) vs low (weight 1) share the cap 4:1; require at least this */
const MIN_RATIO = 2;
const FILES = ['A.bin', 'B.bin'] as const;

const e2e = useFixture({
  name: 'qos',
  prepare: (dir) => {
    for (const f of FILES) writeRandomFile(join(dir, f), SIZE);
  },
});

interface Sample {
  t: number;
  sent: number;
  granted: number[];
  cap: number;
  burst: number;
}

interface QosHook {
  cap: number;
  burstBytes: number;
  granted(f: number): number;
}

/** Sender counters, all taken in one task of the page (one clock reading). */
async function sample(sender: Page, idx: number[]): Promise<Sample> {
  return sender.evaluate((idx) => {
    const p = (
      window as unknown as {
        __p2p: { stats: { bytesSent: number }; qos: QosHook };
      }
    ).__p2p;
    return {
      t: performance.now(),
      sent: p.stats.bytesSent,
      granted: idx.map((i) => p.qos.granted(i)),
      cap: p.qos.cap,
      burst: p.qos.burstBytes,
    };
  }, idx);
}

async function verified(page: Page): Promise<{ t: number; bytes: number }> {
  const [t, s] = await Promise.all([page.evaluate(() => performance.now()), stats(page)]);
  return { t, bytes: s.bytesVerified ?? 0 };
}

const mibs = (bytes: number, ms: number) => (bytes / MiB / (ms / 1000)).toFixed(2);

function row(page: Page, name: string) {
  return page.locator(`[data-testid="file-row"][data-name="${name}"]`);
}

async function setPriorities(sender: Page, a: string, b: string): Promise<void> {
  await row(sender, FILES[0]).getByTestId('priority').selectOption(a);
  await row(sender, FILES[1]).getByTestId('priority').selectOption(b);
}

/** Receiver: pause every file but `want` while still waiting, then Download all. */
async function takeOnly(receiver: Page, want: string): Promise<void> {
  await e2e.poll(
    () => rows(receiver),
    (r) => r.length === FILES.length,
    60_000,
    'receiver rows',
  );
  for (const name of FILES)
    if (name !== want) await row(receiver, name).getByTestId('pause').click();
  await e2e.poll(
    () => rows(receiver),
    (r) => r.every((x) => x.name === want || x.state === 'paused'),
    10_000,
    'other file paused',
  );
  await receiver.getByTestId('accept').click();
}

/** Measures [s0, s1]: asserts the cap, returns the two transfers' bytes. */
function check(label: string, s0: Sample, s1: Sample): { a: number; b: number; ms: number } {
  const ms = s1.t - s0.t;
  const total = s1.sent - s0.sent;
  const a = s1.granted[0]! - s0.granted[0]!;
  const b = s1.granted[1]! - s0.granted[1]!;
  const bound = (s1.cap * ms) / 1000 + s1.burst;
  console.log(
    `# qos ${label}: window ${(ms / 1000).toFixed(1)} s, sent ${mibs(total, ms)} MiB/s ` +
      `(cap ${mibs(s1.cap, 1000)} MiB/s, bound ${(bound / MiB).toFixed(2)} MiB = cap·Δ + burst ` +
      `${(s1.burst / MiB).toFixed(2)} MiB, sent ${(total / MiB).toFixed(2)} MiB), ` +
      `A ${mibs(a, ms)} MiB/s, B ${mibs(b, ms)} MiB/s`,
  );
  assert.equal(s1.cap, CAP, 'the cap typed in the UI is in force');
  assert.ok(total <= bound, `${label}: sent ${total} B > cap·Δ + burst = ${bound} B`);
  assert.ok(a + b <= total, 'granted bytes were sent');
  return { a, b, ms };
}

describe('QoS', () => {
  test('two concurrent transfers: upload cap and priority', { timeout: 240_000 }, async () => {
    const { sender, high, low } = await withLinkedPages(
      async () => {
        const sender = await e2e.page();
        const link = await offer(
          sender,
          e2e.base,
          FILES.map((f) => join(e2e.dir, f)),
        );
        const high = await e2e.page();
        const low = await e2e.page();
        await high.goto(link);
        await low.goto(link);
        return { sender, high, low };
      },
      (t) => [t.high, t.low],
    );
    const idx = await sender.evaluate(
      (names) =>
        names.map((n) =>
          (
            window as unknown as {
              __p2p: { session: { manifest: { files: { name: string }[] } } };
            }
          ).__p2p.session.manifest.files.findIndex((f) => f.name === n),
        ),
      [...FILES],
    );
    assert.ok(
      idx.every((i) => i >= 0),
      'both files offered',
    );

    // the limit and priorities, set in the sender's UI before anything flows
    await sender.getByTestId('upload-cap').fill(String(CAP_MIB));
    await e2e.poll(
      () => sender.getByTestId('upload-cap').getAttribute('data-bytes-per-sec'),
      (v) => v === String(CAP),
      10_000,
      'cap applied',
    );
    await setPriorities(sender, 'high', 'low');

    await takeOnly(high, FILES[0]);
    await takeOnly(low, FILES[1]);
    await e2e.poll(
      () => sample(sender, idx),
      (s) => s.granted.every((g) => g >= WARMUP_BYTES),
      90_000,
      'both transfers running',
    );

    // window 1: A high, B low
    const s0 = await sample(sender, idx);
    const v0 = await Promise.all([verified(high), verified(low)]);
    await new Promise((r) => setTimeout(r, WINDOW_MS)); // a rate is measured over a fixed time
    const s1 = await sample(sender, idx);
    const v1 = await Promise.all([verified(high), verified(low)]);
    const w1 = check('A high, B low', s0, s1);
    console.log(
      `# qos receivers (bytes verified): A ${mibs(v1[0].bytes - v0[0].bytes, v1[0].t - v0[0].t)} ` +
        `MiB/s, B ${mibs(v1[1].bytes - v0[1].bytes, v1[1].t - v0[1].t)} MiB/s`,
    );
    assert.ok(
      s1.granted.every((g) => g < SIZE),
      'both still backlogged at the end of the window',
    );
    console.log(
      `# qos ratio A/B = ${(w1.a / w1.b).toFixed(2)} (weights 4:1, required ≥ ${MIN_RATIO})`,
    );
    assert.ok(w1.a >= MIN_RATIO * w1.b, `high ${w1.a} B should be ≥ ${MIN_RATIO}× low ${w1.b} B`);

    // window 2: priorities flipped in the UI, at runtime
    await setPriorities(sender, 'low', 'high');
    const s2 = await sample(sender, idx);
    await new Promise((r) => setTimeout(r, FLIP_WINDOW_MS));
    const s3 = await sample(sender, idx);
    const w2 = check('flipped: A low, B high', s2, s3);
    assert.ok(
      s3.granted.every((g) => g < SIZE),
      'both still backlogged after the flip',
    );
    console.log(`# qos ratio B/A after the flip = ${(w2.b / w2.a).toFixed(2)}`);
    assert.ok(w2.b >= MIN_RATIO * w2.a, `after the flip B ${w2.b} B should be ≥ ${MIN_RATIO}× A`);

    // no limit: both complete
    const t0 = Date.now();
    await sender.getByTestId('upload-cap').fill('');
    await e2e.poll(
      () => sender.getByTestId('upload-cap').getAttribute('data-bytes-per-sec'),
      (v) => v === '0',
      10_000,
      'cap cleared',
    );
    for (const [page, name] of [
      [high, FILES[0]],
      [low, FILES[1]],
    ] as const)
      await e2e.poll(
        () => rows(page),
        (r) => r.find((x) => x.name === name)?.state === 'done',
        120_000,
        `${name} done`,
      );
    console.log(
      `# qos both complete ${((Date.now() - t0) / 1000).toFixed(1)} s after the limit was cleared`,
    );
    const others = await Promise.all([rows(high), rows(low)]);
    assert.equal(others[0].find((x) => x.name === FILES[1])?.state, 'paused');
    assert.equal(others[1].find((x) => x.name === FILES[0])?.state, 'paused');
  });
});
