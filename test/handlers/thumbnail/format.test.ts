import { describe, expect, it } from 'vitest';
import { IMAGE_FORMAT, sniffFormat } from '../../../handlers/thumbnail/format';
import { NOT_JPEG, type NotJpeg, photoJpeg } from '../../../scripts/lib/samples';

describe('sniffFormat', () => {
  it('recognises a JPEG from its bytes', async () => {
    expect(sniffFormat(await photoJpeg(8, 8))).toBe(IMAGE_FORMAT.jpeg);
  });

  it.each<[NotJpeg, string]>([
    ['png', IMAGE_FORMAT.png],
    ['png16', IMAGE_FORMAT.png],
    ['webp', IMAGE_FORMAT.webp],
    ['gif', IMAGE_FORMAT.gif],
    ['avif', IMAGE_FORMAT.avif],
    ['heic', IMAGE_FORMAT.heic],
    ['tiff', IMAGE_FORMAT.tiff],
    ['text', IMAGE_FORMAT.text],
    ['empty', IMAGE_FORMAT.empty],
  ])('recognises generated %s bytes as %s', async (kind, expected) => {
    expect(sniffFormat(await NOT_JPEG[kind]())).toBe(expected);
  });

  it.each([
    ['SVG', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'), IMAGE_FORMAT.svg],
    ['PDF', Buffer.from('%PDF-1.7\n'), IMAGE_FORMAT.pdf],
    ['BMP', Buffer.from('BM\x00\x00\x00\x00', 'latin1'), IMAGE_FORMAT.bmp],
    ['binary noise', Buffer.from([0x00, 0x01, 0x02, 0xfe, 0x80]), IMAGE_FORMAT.unknown],
    ['two JPEG bytes only', Buffer.from([0xff, 0xd8]), IMAGE_FORMAT.unknown],
  ])('recognises %s', (_, bytes, expected) => {
    expect(sniffFormat(bytes)).toBe(expected);
  });
});
