import { describe, expect, it } from 'vitest';
import { onRise } from './device';

describe('onRise', () => {
  it('fires once per false → true edge (one notification per finished transfer)', () => {
    let fired = 0;
    const track = onRise(() => fired++);
    for (const v of [false, false, true, true, true]) track(v);
    expect(fired).toBe(1);
    track(false); // a new file offered / accepted: not done any more
    track(true);
    expect(fired).toBe(2);
  });

  it('fires when already true at the first call (a transfer that finished before the first render)', () => {
    let fired = 0;
    onRise(() => fired++)(true);
    expect(fired).toBe(1);
  });
});
