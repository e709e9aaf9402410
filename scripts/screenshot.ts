// slides/img/session-visits.png: the step 3 app in Chromium after a few
// visits, as a learner sees it. `npm run record` makes it with the
// transcripts; `node --import tsx scripts/screenshot.ts` makes it alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workshop } from '../runner/steps.ts';
import { stopAll } from '../runner/process/child.ts';
import { withBrowser } from '../test/helpers/browser.ts';

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

async function main(): Promise<number> {
  const { startRedis, startStep3 } = await import('./record.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'workshop-shot-redis-'));
  try {
    const redis = await startRedis(dataDir);
    const app = await startStep3(redis.port);
    await screenshotVisits(`http://127.0.0.1:${app.port}/`, join(workshop().slides, 'img', 'session-visits.png'));
    console.log('wrote slides/img/session-visits.png');
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
