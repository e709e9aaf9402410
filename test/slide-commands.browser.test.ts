// The slides' commands, as a learner copies them from this runner, in real
// Chromium: the runner on this workshop's step 3 over a Redis of the test's
// own (found on WORKSHOP_REDIS_PORT, so redis-cli needs `-p PORT`), the
// learner's app on a port of the runner's, and a session the app itself made
// (its page in the app pane). What the copy button puts on the clipboard
// reaches that app and that Redis; what the slide shows is marked and says
// what changed; code excerpts and what the transcripts printed stay as
// recorded. Screenshots go to /tmp (not committed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { steps } from '../runner/steps.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { repoRoot } from './helpers/repo.ts';
import { runnerFetch } from './helpers/runner-http.ts';
import { startWorkshopRunner, waitFor, type RunningWorkshop } from './helpers/workshop-runner.ts';

const step3 = steps().find((s) => s.name === 'step3')!;
let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;
/** The learner's app, where the runner runs it: `http://127.0.0.1:41234`. */
let appUrl: URL;

beforeAll(async () => {
  redis = await throwawayRedis();
  runner = await startWorkshopRunner({ workspaceFrom: step3.dir, env: { REDIS_URL: '', WORKSHOP_REDIS_PORT: String(redis.port) } });
  // The apps start after the page is served.
  const app = await waitFor('the learner\'s app', async () => {
    const state = (await (await runnerFetch(runner.link, 'api/state')).json()) as { apps: { id: string; url: string }[] };
    return state.apps.find((a) => a.id === 'workspace');
  });
  appUrl = new URL(app.url);
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(runner.url).origin });
  await page.goto(`${runner.link}#/step3/1`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await redis?.dispose();
});

/** The number of the first slide of a deck that shows a transcript. */
function slideWith(step: string, transcript: string): number {
  const slides = readFileSync(join(repoRoot, 'slides', `${step}.md`), 'utf8').split(/^---\s*$/m);
  const i = slides.findIndex((text) => text.includes(`term src='term/${transcript}'`));
  expect(i, `${step} shows ${transcript}`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

async function showSlide(step: string, n: number) {
  await page.evaluate((hash) => (location.hash = hash), `#/${step}/${n}`);
  await expect.poll(() => page.locator('#counter').textContent()).toMatch(new RegExp(`^${step}: ${n} /`));
}

/** Copies the slide's first transcript with its button, as a learner does: the clipboard's text. */
async function copyCommands(): Promise<string> {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.locator('#slide figure.term').first().getByRole('button', { name: 'Copy the commands' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).not.toBe('');
  return page.evaluate(() => navigator.clipboard.readText());
}

const sessionKeys = async () => {
  const keys: string[] = [];
  for await (const batch of redis.client.scanIterator({ MATCH: 'sess:*' })) keys.push(...batch);
  return keys;
};

describe('commands on the slides, rewritten for this runner', () => {
  it("copies redis-cli commands that reach the runner's Redis and name a session the learner's app made", async () => {
    // The app pane opened the learner's app: its first visit made a session.
    await expect.poll(sessionKeys, { timeout: 15_000 }).toHaveLength(1);
    const [key] = await sessionKeys();
    const n = slideWith('step3', 'redis-keys-sessions.txt');
    await showSlide('step3', n);
    const cli = `redis-cli -p ${redis.port}`;
    await expect.poll(copyCommands).toBe([`${cli} --scan --pattern 'sess:*'`, `${cli} GET ${key}`, `${cli} TTL ${key}`].join('\n'));
    expect(await redis.client.exists(key!)).toBe(1);
    // What changed is marked, and says so; what redis-cli printed at the recording is not touched.
    const marks = await page.locator('#slide mark.rewritten').evaluateAll((els) => els.map((el) => el.getAttribute('title')));
    expect(marks).toContain(`Rewritten for your runner: Redis: redis-cli → ${cli}`);
    // One mark for each part rewritten: three redis-cli, two session ids.
    expect(marks).toHaveLength(5);
    expect(marks.some((t) => /^Rewritten for your runner: session sess:6csEnP7… → sess:.*, the newest in your Redis$/.test(t ?? ''))).toBe(true);
    expect(await page.locator('#commands-note').textContent()).toBe('Commands rewritten for your runner; output as recorded');
    expect(await page.locator('#commands-note').getAttribute('title')).toMatch(/What they printed is from the recording/);
    const printed = await page.locator('#slide figure.term .line:not(:has(.cmd))').allTextContents();
    expect(printed[0]).toBe('sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6');
    await page.screenshot({ path: '/tmp/slide-commands-1280.png' });
  });

  it("keeps the recording's session id, and says why, while Redis has no session; and follows the next one", async () => {
    const n = slideWith('step3', 'redis-keys-sessions.txt');
    await showSlide('step3', n);
    await redis.client.flushAll();
    await expect.poll(() => page.locator('#slide mark.kept').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.locator('#slide mark.kept').first().getAttribute('title')).toMatch(/no session in your Redis yet: this id is from the recording/);
    expect(await page.locator('#commands-note').textContent()).toMatch(/session id as recorded$/);
    expect(await page.locator('#commands-note').getAttribute('title')).toMatch(/your Redis has no session yet/);
    expect(await copyCommands()).toContain(`GET sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6`);
    // The learner visits their app: the slide names that session at once.
    await fetch(appUrl);
    await expect.poll(sessionKeys).toHaveLength(1);
    const [key] = await sessionKeys();
    await expect.poll(() => page.locator('#slide mark.kept').count(), { timeout: 10_000 }).toBe(0);
    expect(await copyCommands()).toContain(`GET ${key}\n`);
  });

  it("copies curl commands that reach the learner's app on the runner's port, and leaves code and output as they are", async () => {
    const n = slideWith('step2', 'step2-curl.txt');
    await showSlide('step2', n);
    const copied = await copyCommands();
    expect(copied).toBe(
      [`curl -si -c cookies.txt http://127.0.0.1:${appUrl.port}/`, `curl -s -b cookies.txt http://127.0.0.1:${appUrl.port}/`].join('\n'),
    );
    // The command is right for this runner: the learner's app answers it.
    expect((await fetch(copied.split('\n')[0]!.split(' ').at(-1)!)).status).toBe(200);
    expect(await page.locator('#slide mark.rewritten').first().getAttribute('title')).toBe(`Rewritten for your runner: port 3000 → ${appUrl.port}`);
    // The note beside the controls keeps to one row: the slide is as tall with it as without.
    const height = () => page.locator('#slide').evaluate((el) => el.getBoundingClientRect().height);
    const withNote = await height();
    // app.js's own `|| 3000` is source, not a command.
    await showSlide('step3', 7);
    expect(await height()).toBe(withNote);
    expect(await page.locator('#slide figure.code').first().textContent()).toContain('|| 3000');
    expect(await page.locator('#slide mark').count()).toBe(0);
    expect(await page.locator('#commands-note').isVisible()).toBe(false);
    await page.emulateMedia({ colorScheme: 'dark' });
    await showSlide('step2', n);
    await page.screenshot({ path: '/tmp/slide-commands-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('breaks a rewritten command between its arguments only, and a range of lines never, on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const cut: string[] = [];
      for (const [step, n] of [['step3', slideWith('step3', 'redis-keys-sessions.txt')], ['step4', slideWith('step4', 'step4-one-sentence.txt')], ['step3', 7]] as const) {
        await showSlide(step, n);
        cut.push(
          ...(await page.evaluate(() => {
            const broken: string[] = [];
            const lines = (el: Element) => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size;
            // A word of a command (the runner's parts too: `-p`, its port), and a caption's range.
            for (const word of document.querySelectorAll('#slide .cmd .word, #slide figcaption .range, #slide :not(pre) > code .word')) {
              if (lines(word) > 1) broken.push(word.textContent!);
            }
            return broken;
          })),
        );
      }
      expect(cut).toEqual([]);
      await showSlide('step3', slideWith('step3', 'redis-keys-sessions.txt'));
      await page.screenshot({ path: '/tmp/slide-commands-390.png' });
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
});
