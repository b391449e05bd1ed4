/**
 * The report of `make bench`, kept per section so that a run of some sections (`--only latency`)
 * replaces only their results: each section's Markdown and data live in .bench/sections/, and
 * results.md and results.json are put together from every section measured so far, each saying
 * when it was measured.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Target {
  readonly name: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

interface StoredSection<T> {
  readonly measuredAt: string;
  readonly data: T;
  readonly targets: readonly Target[];
  readonly markdown: readonly string[];
}

/** Write through a temporary file, so an interrupted run never leaves half a file. */
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export class BenchReport {
  private lines: string[] = [];
  private readonly header: string[] = [];
  private readonly sectionsDir: string;

  constructor(
    private readonly outDir: string,
    private readonly order: readonly string[],
    private readonly now = new Date(),
  ) {
    this.sectionsDir = join(outDir, 'sections');
    mkdirSync(this.sectionsDir, { recursive: true });
    this.lines = this.header;
  }

  /** Print a line and keep it in the current section's Markdown (the header before any section begins). */
  say(line = ''): void {
    console.log(line);
    this.lines.push(line);
  }

  /** From now on, lines belong to `section`. */
  begin(): void {
    this.lines = [];
  }

  /** Store the section just printed, replacing what an earlier run measured for it. */
  end<T extends object>(section: string, data: T, targets: readonly Target[] = []): void {
    const stored: StoredSection<T> = { measuredAt: this.now.toISOString(), data, targets, markdown: this.lines };
    writeAtomically(join(this.sectionsDir, `${section}.json`), `${JSON.stringify(stored, null, 2)}\n`);
    this.lines = this.header;
  }

  /** What the last run of `section` measured, this run's or an earlier one's. */
  stored<T>(section: string): { readonly data: T; readonly measuredAt: string } | undefined {
    const path = join(this.sectionsDir, `${section}.json`);
    if (!existsSync(path)) return undefined;
    const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredSection<T>;
    return { data: stored.data, measuredAt: stored.measuredAt };
  }

  /** results.md and results.json from this run's header and every stored section, with every target. */
  write(headerTargets: readonly Target[]): void {
    const sections = this.order.flatMap((name) => {
      const path = join(this.sectionsDir, `${name}.json`);
      return existsSync(path) ? [{ name, ...(JSON.parse(readFileSync(path, 'utf8')) as StoredSection<unknown>) }] : [];
    });
    const markdown = [...this.header];
    for (const section of sections) {
      markdown.push('', `## ${section.name} (measured ${section.measuredAt.slice(0, 16).replace('T', ' ')} UTC)`);
      markdown.push(...section.markdown);
    }
    const targets = [...sections.flatMap((section) => section.targets), ...headerTargets];
    markdown.push('', '## targets', '', '| target | measured | met |', '| --- | --- | --- |');
    for (const target of targets)
      markdown.push(`| ${target.name} | ${target.measured} | ${target.met === undefined ? 'n/a' : target.met ? 'yes' : '**no**'} |`);
    for (const line of markdown.slice(markdown.indexOf('## targets'))) console.log(line);
    writeAtomically(join(this.outDir, 'results.md'), `${markdown.join('\n')}\n`);
    // One key per section (scripts/backfill.ts reads packaged.measured), each with when it was measured.
    const json = Object.fromEntries(
      sections.map((section) => [section.name, { measuredAt: section.measuredAt, ...(section.data as object) }]),
    );
    writeAtomically(join(this.outDir, 'results.json'), `${JSON.stringify({ ...json, targets }, null, 2)}\n`);
  }
}
