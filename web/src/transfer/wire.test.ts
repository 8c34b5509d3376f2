import { describe, expect, it } from 'vitest';
import { Bitfield } from './pieces';
import { type ControlMessage, decodeBits, encodeBits, encodeControl, parseControl } from './wire';

describe('wire encoder', () => {
  const one: ControlMessage[] = [
    { t: 'manifest', id: 3, i: 1, n: 2, chunk: 'abc' },
    { t: 'req', r: 7, f: 0, p: 3, o: 65536, n: 16384 },
    { t: 'reject', r: 7 },
    { t: 'bitfield', f: 2, bits: 'Aw' },
    { t: 'have', f: 2, p: 9 },
    { t: 'cancel', f: 1 },
    { t: 'progress', f: 1, bytes: 1048576, done: false },
  ];

  it('every message kind decodes to what was encoded', () => {
    for (const m of one) expect(parseControl(encodeControl(m))).toEqual(m);
  });

  it('bitfield bits round-trip through a bitfield frame, LSB first', () => {
    const b = new Bitfield(11);
    for (const i of [0, 1, 8, 10]) b.set(i);
    const frame = parseControl(encodeControl({ t: 'bitfield', f: 0, bits: encodeBits(b) }));
    expect(frame?.t).toBe('bitfield');
    const bits = decodeBits((frame as { bits: string }).bits)!;
    expect([...bits]).toEqual([0b0000_0011, 0b0000_0101]);
    expect(decodeBits('not base64url!')).toBeNull();
  });
});
