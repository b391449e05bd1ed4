import { describe, expect, it } from 'vitest';
import { escapeXml } from '../../../scripts/lib/xml';

describe('escapeXml', () => {
  it('escapes what would end or open markup in element content, ampersands first', () => {
    expect(escapeXml('a < b && c > d &amp;')).toBe('a &lt; b &amp;&amp; c &gt; d &amp;amp;');
  });
});
