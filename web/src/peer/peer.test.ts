import { describe, expect, it } from 'vitest';
import { isLoopbackCandidate } from './peer';

describe('loopback candidate filter', () => {
  it('keeps 127/8 and ::1 only', () => {
    const c = (addr: string) => `candidate:1 1 udp 2122260223 ${addr} 5000 typ host generation 0`;
    expect(isLoopbackCandidate(c('127.0.0.1'))).toBe(true);
    expect(isLoopbackCandidate('a=' + c('::1'))).toBe(true);
    expect(isLoopbackCandidate(c('192.0.2.2'))).toBe(false);
    expect(isLoopbackCandidate(c('fd00::2'))).toBe(false);
    expect(isLoopbackCandidate(c('abcd.local'))).toBe(false);
  });
});
