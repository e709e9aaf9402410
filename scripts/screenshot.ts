// slides/img/session-visits.png: the step 3 app in Chromium after a few
// visits, as a learner sees it; and docs/screenshots/page-*.png: the
// workshop page itself, from a real runner. `npm run record` makes them with
// the transcripts; `node --import tsx scripts/screenshot.ts` makes them alone.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { repoRoot } from '../test/helpers/repo.ts';
import { workshop } from '../runner/steps.ts';
import { stopAll } from '../runner/process/child.ts';
import { showPane, withBrowser } from '../test/helpers/browser.ts';
import { startWorkshopRunner } from '../test/helpers/workshop-runner.ts';

/** Opens `url` `visits` times in one browser session and screenshots the last page. */
export async function screenshotVisits(url: string, out: string, visits = 3): Promise<void> {
  await withBrowser(
    async (page) => {
      for (let i = 0; i < visits; i++) {
        const response = await page.goto(url, { waitUntil: 'load' });
        if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
      }
      const text = await page.textContent('body');
      if (!text?.includes(`visited this page ${visits} times`)) throw new Error(`the page does not count ${visits} visits: ${text}`);
      await page.screenshot({ path: out });
    },
    { viewport: { width: 760, height: 300 } },
  );
}

export const pageShotsDir = join(repoRoot, 'docs', 'screenshots');

/**
 * The workshop page mid-step, at 1280×720 (light and dark) and on a phone:
 * step 2's app in the workspace, step 3's slide on the session, Verify's
 * answer saying what is missing (light), the session in Redis beside the app
 * (dark). Returns the files written.
 */
export async function screenshotPage(redisUrl: string, outDir = pageShotsDir): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const runner = await startWorkshopRunner({ workspaceFrom: join(repoRoot, 'steps', 'step2'), env: { REDIS_URL: redisUrl } });
  const written: string[] = [];
  const shot = async (page: Page, name: string) => {
    // Two frames: the last layout (a slide fitted to its box) is painted.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const path = join(outDir, name);
    await page.screenshot({ path });
    written.push(path);
  };
  try {
    await withBrowser(
      async (page) => {
        await page.goto(`${runner.link}#/step3/9`);
        // A link only shows its step: the learner moves the runner there (its solution app) with a click.
        await page.getByRole('button', { name: 'Work on step3' }).click();
        await page.locator('#app-state[data-state="running"]').waitFor({ timeout: 20_000 });
        // V verifies from anywhere on the page; the Checks tab comes forward with the failures first.
        await page.locator('#slide').focus();
        await page.keyboard.press('v');
        await page.locator('#verify-summary[data-result="failed"]').waitFor({ timeout: 60_000 });
        await page.locator('#app-frame').contentFrame().locator('body').waitFor();
        await shot(page, 'page-1280x720.png');
        // In the dark, the other half of the lesson: the app's session, in Redis, beside the app.
        await page.emulateMedia({ colorScheme: 'dark' });
        await showPane(page, 'redis');
        await page.locator('#sessions li').first().waitFor({ timeout: 10_000 });
        await shot(page, 'page-dark.png');
        await page.emulateMedia({ colorScheme: 'light' });
        await page.setViewportSize({ width: 390, height: 844 });
        await showPane(page, 'slides');
        await shot(page, 'page-phone.png');
      },
      { viewport: { width: 1280, height: 720 } },
    );
  } finally {
    await runner.stop();
  }
  return written;
}

async function main(): Promise<number> {
  const { startRedis, startStep3 } = await import('./record.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'workshop-shot-redis-'));
  try {
    const redis = await startRedis(dataDir);
    const app = await startStep3(redis.port);
    await screenshotVisits(`http://127.0.0.1:${app.port}/`, join(workshop().slides, 'img', 'session-visits.png'));
    console.log('wrote slides/img/session-visits.png');
    for (const file of await screenshotPage(`redis://127.0.0.1:${redis.port}`)) console.log(`wrote ${relative(repoRoot, file)}`);
    return 0;
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
