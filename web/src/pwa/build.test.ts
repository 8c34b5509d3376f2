import { describe, expect, it } from 'vitest';
import { ICON_SIZES, NETWORK_ONLY, renderIcon } from './build';

describe('PWA build', () => {
  it('keeps room assignment, signaling and operator pages network-only', () => {
    for (const p of [
      '/api/rooms',
      '/api/rooms/abc',
      '/api/analytics',
      '/ws',
      '/metrics',
      '/dashboard',
      '/dashboard/app.js',
    ])
      expect(NETWORK_ONLY.test(p), p).toBe(true);
    for (const p of [
      '/',
      '/r/abcdefghijklmnop',
      '/assets/index-x.js',
      '/icons/icon-192.png',
      '/wsx',
      '/apix',
    ])
      expect(NETWORK_ONLY.test(p), p).toBe(false);
  });

  it('renders the icons as PNGs of 192 and 512 px', () => {
    expect([...ICON_SIZES]).toEqual([192, 512]);
    for (const size of ICON_SIZES) {
      const png = Buffer.from(renderIcon(size));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(size);
      expect(png.readUInt32BE(20)).toBe(size);
    }
  });
});
