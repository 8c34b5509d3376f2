import { describe, expect, it } from 'vitest';
import { capFromInput } from './qos';

describe('upload limit field', () => {
  it('reads MiB/s, empty or non-positive = no limit', () => {
    expect(capFromInput('2')).toBe(2 * 1024 * 1024);
    expect(capFromInput(' 0,5 ')).toBe(512 * 1024);
    expect(capFromInput('')).toBe(0);
    expect(capFromInput('0')).toBe(0);
    expect(capFromInput('-3')).toBe(0);
    expect(capFromInput('abc')).toBe(0);
  });
});
