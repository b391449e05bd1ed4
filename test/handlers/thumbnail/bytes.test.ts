import { describe, expect, it } from 'vitest';
import { ascii, fourcc, u16le, u24le, u32be, u32le } from '../../../handlers/thumbnail/bytes';

describe('header fields', () => {
  // A view into a larger buffer, as S3 bodies and subarrays are: offsets are the view's own.
  const bytes = new Uint8Array([0xee, 0x49, 0x48, 0x44, 0x52, 0x01, 0x02, 0x03, 0x84]).subarray(1);

  it('reads ASCII tags and stops at the end of the input', () => {
    expect(fourcc(bytes, 0)).toBe('IHDR');
    expect(ascii(bytes, 1, 3)).toBe('HD');
    expect(ascii(bytes, 6, 100)).toBe('\x03\x84');
  });

  it('reads integers little- and big-endian, unsigned', () => {
    expect(u16le(bytes, 4)).toBe(0x0201);
    expect(u24le(bytes, 4)).toBe(0x030201);
    expect(u32le(bytes, 4)).toBe(0x84030201);
    expect(u32be(bytes, 4)).toBe(0x01020384);
  });
});
