// The page of `make local ARGS=--serve` in a real browser: Debian's Chromium driven by
// playwright-core (its own browser download is not needed). Files given to the page's file input
// are uploaded to the local stack, and their thumbnails appear as images; a refused file shows its
// reason; the failure queue lists it and redrives it. Skipped, saying so, where there is no Chromium.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../lib/paths';
import { photoJpeg, truncatedJpeg } from '../../scripts/lib/samples';
import { type PageServer, startPageServer } from '../../scripts/local/page-server';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';

const CHROMIUM = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (path): path is string => path !== undefined && path !== '' && existsSync(path),
);
if (!CHROMIUM)
  console.warn(
    '[skip] no Chromium here (Debian: apt-get install chromium; or set CHROMIUM_PATH): the browser test of the local page is skipped',
  );

/** Where the test run leaves its screenshot of the page (build/ is not committed). */
export const SCREENSHOT = join(ROOT, 'build', 'test-artifacts', 'local-page.png');

describe.skipIf(!CHROMIUM)('the local page, in Chromium', () => {
  let session: LocalStackSession;
  let server: PageServer;
  let browser: Browser;

  beforeAll(async () => {
    session = await openLocalStack();
    server = await startPageServer({
      pipeline: session.pipeline,
      originals: session.originals,
      thumbnails: session.thumbnails,
      uploadPrefix: '',
      failureQueue: session.pipeline.failureQueues[0],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await session?.close();
  });

  it('uploads what the file input is given, shows each thumbnail as an image, and a refusal with its reason', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(server.url);
    await page.locator('#connection', { hasText: 'live' }).waitFor();

    await page.setInputFiles('#files', [
      { name: 'holiday photo.jpg', mimeType: 'image/jpeg', buffer: await photoJpeg(1200, 900, { seed: 7 }) },
      { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: await truncatedJpeg(800, 600) },
    ]);

    // The thumbnail, loaded from the local S3 server as an image the browser decoded.
    const thumbnail = page.locator('li.event[data-outcome="written"][data-key="uploads/holiday photo.jpg"] figure.output img');
    await thumbnail.waitFor({ timeout: 60_000 });
    // (The project's TypeScript has no DOM types: the page's side is an expression, and images are read structurally.)
    await page.waitForFunction(
      '[...document.querySelectorAll(\'li.event[data-outcome="written"] img\')].every((image) => image.complete && image.naturalWidth > 0)',
      undefined,
      { timeout: 30_000 },
    );
    const sizeOf = (image: unknown) => {
      const { naturalWidth, naturalHeight } = image as { naturalWidth: number; naturalHeight: number };
      return [naturalWidth, naturalHeight];
    };
    expect(await thumbnail.evaluate(sizeOf)).toEqual([100, 75]);
    const original = page.locator('li.event[data-outcome="written"] figure.original img');
    expect(await original.evaluate(sizeOf)).toEqual([1200, 900]);

    // The refusal, with its reason, and the same record in the failure queue.
    const refusal = page.locator('li.event[data-outcome="refused"][data-key="uploads/broken.jpg"] .reason');
    await refusal.waitFor({ timeout: 60_000 });
    expect(await refusal.textContent()).toMatch(/^Refused \(CorruptImageError\): /);
    await page.locator('#failure-list li[data-key="uploads/broken.jpg"]').waitFor();
    expect(await page.locator('#failure-count').textContent()).toBe('1');

    // Redrive replays it through the function: refused again, recorded again.
    await page.click('#redrive');
    await page.locator('#redrive-result', { hasText: 'failed again' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#redrive-result').textContent()).toBe('0 processed, 1 failed again (recorded again)');

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.info(`screenshot of the local page: ${SCREENSHOT}`);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);
});
