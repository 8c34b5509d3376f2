import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

const KiB = 1024;

/** A taker that takes `chunk` whenever the bucket lets it, on a fake clock stepped by 1 ms. */
function drain(bucket: TokenBucket, clock: { t: number }, chunk: number, ms: number): number[] {
  const takes: number[] = [];
  const end = clock.t + ms;
  while (clock.t < end) {
    if (bucket.delayFor(chunk) === 0) {
      bucket.take(chunk);
      takes.push(clock.t);
    } else clock.t += 1;
  }
  return takes;
}

describe('TokenBucket', () => {
  it('keeps the rate within rate·Δ + capacity and reaches it (fake clock)', () => {
    const clock = { t: 0 };
    const rate = 1024 * KiB;
    const bucket = new TokenBucket(() => clock.t, rate, 256 * KiB);
    const chunk = 16 * KiB;
    const takes = drain(bucket, clock, chunk, 10_000);
    const bytes = takes.length * chunk;
    expect(bytes).toBeLessThanOrEqual(rate * 10 + 256 * KiB);
    expect(bytes).toBeGreaterThanOrEqual(rate * 10 - chunk);
    // every window between two takes
    for (let i = 0; i < takes.length; i += 13)
      for (let j = i; j < takes.length; j += 17) {
        const inWindow = (j - i + 1) * chunk;
        expect(inWindow).toBeLessThanOrEqual((rate * (takes[j]! - takes[i]!)) / 1000 + 256 * KiB);
      }
  });

  it('starts full, and refills only up to its capacity', () => {
    const clock = { t: 0 };
    const bucket = new TokenBucket(() => clock.t, 1000, 500);
    expect(bucket.delayFor(500)).toBe(0);
    bucket.take(500);
    expect(bucket.delayFor(100)).toBe(100); // 100 bytes at 1000 B/s
    clock.t += 60_000;
    expect(bucket.delayFor(500)).toBe(0);
    bucket.take(500);
    expect(bucket.delayFor(1)).toBeGreaterThan(0);
  });

  it('a take bigger than the bucket waits for a full bucket only, then leaves it in debt', () => {
    const clock = { t: 0 };
    const bucket = new TokenBucket(() => clock.t, 1000, 500);
    bucket.take(500);
    expect(bucket.delayFor(5000)).toBe(500); // a full bucket, not 5 s
    clock.t += 500;
    bucket.take(5000); // debt of 4,500 bytes
    expect(bucket.delayFor(1)).toBe(4501);
  });

  it('rate 0 is unlimited: nothing waits', () => {
    const clock = { t: 0 };
    const bucket = new TokenBucket(() => clock.t);
    bucket.take(1e12);
    expect(bucket.delayFor(1e12)).toBe(0);
  });

  it('configure: earned tokens count at the old rate; turning a rate on starts full', () => {
    const clock = { t: 0 };
    const bucket = new TokenBucket(() => clock.t, 1000, 1000);
    bucket.take(1000);
    clock.t += 500; // 500 bytes earned at 1000 B/s
    bucket.configure(100, 1000);
    expect(bucket.delayFor(500)).toBe(0);
    expect(bucket.delayFor(600)).toBe(1000); // the next 100 bytes at 100 B/s
    bucket.configure(0, 0);
    bucket.configure(100, 300);
    expect(bucket.delayFor(300)).toBe(0);
    expect(bucket.capacity).toBe(300);
    expect(bucket.rate).toBe(100);
  });
});
