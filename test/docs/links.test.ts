// Every local link and image of the README and docs/ resolves: the file exists, and an anchor names
// one of its headings (as GitHub makes them).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../lib/paths';

const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1] as string)));
}

function linksOf(page: string): string[] {
  const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] as string).filter((target) => !/^(https?:|mailto:)/.test(target));
}

describe('links in the README and docs/', () => {
  it.each(pages)('%s: every local link resolves', (page) => {
    const broken: string[] = [];
    for (const target of linksOf(page)) {
      const [file, anchor] = target.split('#');
      const path = file ? join(ROOT, dirname(page), file) : join(ROOT, page);
      if (!existsSync(path)) broken.push(`${target}: no ${relative(ROOT, path)}`);
      else if (anchor && path.endsWith('.md') && !anchorsOf(path).has(anchor)) broken.push(`${target}: no heading #${anchor}`);
    }
    expect(broken).toEqual([]);
  });

  it('the README is one a newcomer can finish: at most about 300 lines, and no change history', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
    for (const page of pages)
      expect(readFileSync(join(ROOT, page), 'utf8'), page).not.toMatch(/previous commit|this commit|before this work/i);
  });

  it('links every docs/ page from the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const page of pages.filter((name) => name.startsWith('docs/'))) expect(readme, page).toContain(`](${page}`);
  });
});
