import { describe, expect, it } from 'vitest';
import { caseVariants, keyConditions, uploadEventPattern } from '../../infra/event-pattern';

describe('caseVariants', () => {
  it('spells a text in every case of its letters, leaving the rest', () => {
    expect(caseVariants('.jpg')).toHaveLength(8);
    expect(new Set(caseVariants('.jpg').map((variant) => variant.toLowerCase()))).toEqual(new Set(['.jpg']));
    expect(caseVariants('.7z')).toEqual(['.7z', '.7Z']);
  });
});

describe('keyConditions', () => {
  it('matches suffixes ignoring case when there is no prefix', () => {
    expect(keyConditions(undefined, ['.jpg', '.png'])).toEqual([
      { suffix: { 'equals-ignore-case': '.jpg' } },
      { suffix: { 'equals-ignore-case': '.png' } },
    ]);
  });

  it('writes the prefix as S3 encodes keys into events, and escapes a star in it', () => {
    const conditions = keyConditions('photos 2024/*/', ['.gif']);
    expect(conditions).toHaveLength(8);
    expect(conditions[0]).toEqual({ wildcard: 'photos+2024/\\*/*.gif' });
  });
});

describe('uploadEventPattern', () => {
  it('asks for deletes only when thumbnails follow them', () => {
    expect(uploadEventPattern({ bucketName: 'b', suffixes: ['.jpg'], onDelete: false })['detail-type']).toEqual(['Object Created']);
  });
});
