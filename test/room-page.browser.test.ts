// The instructor's room page in Chromium, against the real `room` command
// and a real Redis: a report shows within a second, with no reload; who is
// stuck, who is silent, what fails most (with its hint and the slide that
// teaches it); a hostile name is text. Learners here are simulated: each
// appends what a learner's runner appends (entryFields), some with IDs in
// the past, which only the stream's first reader can be given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startRoom, type RunningRoom } from './helpers/room.ts';
import { repoRoot } from './helpers/repo.ts';
import { roomKey } from '../runner/room/config.ts';
import { entryFields } from '../runner/room/entry.ts';
import type { CheckResult } from '../runner/verify/check.ts';

const key = roomKey(repoRoot);
let redis: ThrowawayRedis;
let room: RunningRoom;
let browser: Browser;
let page: Page;

const ids = ['step3.listens', 'step3.session', 'step3.counter', 'step3.shared'];
const checks = (failing?: string): CheckResult[] =>
  ids.map((id, i) => ({
    id,
    title: id,
    status: failing === undefined ? 'passed' : id === failing ? 'failed' : i > ids.indexOf(failing) ? 'skipped' : 'passed',
    message: '',
    hint: id === failing ? 'Give `session()` a RedisStore: `store: new RedisStore({ client })`.' : '',
    slide: { deck: 'step3', slide: 4, title: 'The store', file: 'slides/step3.md' },
    ms: 1,
  }));

async function report(learner: string, name: string, failing: string | undefined, at?: number): Promise<void> {
  const fields = entryFields({ step: 'step3', checks: checks(failing) }, { learner, name, slide: 'step3/4' }, at);
  await redis.client.sendCommand(['XADD', key, at ? `${at}-0` : '*', ...Object.entries(fields).flat()]);
}

const hostile = `<img src=x onerror="document.title='pwned'"><script>alert(1)</script>${'A'.repeat(10_240)}`;

beforeAll(async () => {
  redis = await throwawayRedis();
  const now = Date.now();
  const min = 60_000;
  // In the past, in order: a learner stuck on the same check for 15 minutes, and one silent for 6.
  await report('stuck-learner-1', 'Cy Stuck', 'step3.session', now - 15 * min);
  await report('silent-learner-1', 'Di Silent', 'step3.counter', now - 6 * min);
  await report('stuck-learner-1', 'Cy Stuck', 'step3.session', now - 1 * min);
  room = await startRoom(redis.url);
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  await page.goto(room.link);
  await page.locator('#rows tr[data-learner]').first().waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await room?.stop();
  await redis?.dispose();
});

const rowOf = (learner: string) => page.locator(`#rows tr[data-learner="${learner}"]`);

describe('the room page', () => {
  it('drops the token from the address bar', () => {
    expect(page.url()).toBe(room.url);
  });

  it('shows who has been stuck on the same check for more than 10 minutes, and who is silent', async () => {
    await expect.poll(() => page.locator('#stuck li').allTextContents()).toEqual([expect.stringMatching(/^Cy Stuck on step3\.session for 1[45] min \(step3\)$/)]);
    expect(await rowOf('silent-learner-1').getAttribute('class')).toContain('silent');
    expect(await rowOf('stuck-learner-1').getAttribute('class')).not.toContain('silent');
    const cells = rowOf('stuck-learner-1').locator('.cell');
    expect(await cells.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-check')} ${e.className}`))).toEqual([
      'step3.listens cell passed',
      'step3.session cell failed',
      'step3.counter cell skipped',
      'step3.shared cell skipped',
    ]);
  });

  it('a new report shows within a second, without a reload', async () => {
    const started = Date.now();
    await report('fresh-learner-1', 'Ed Fresh', undefined);
    await rowOf('fresh-learner-1').waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await rowOf('fresh-learner-1').locator('.cell.passed').count()).toBe(4);
    // The same learner's next report replaces their row.
    await report('fresh-learner-1', 'Ed Fresh', 'step3.counter');
    await expect.poll(() => rowOf('fresh-learner-1').locator('.cell.failed').count(), { timeout: 1000 }).toBe(1);
    expect(await page.locator('#rows tr[data-learner="fresh-learner-1"]').count()).toBe(1);
  });

  it('lists the checks failing most, with the hint and a link to the slide that teaches each', async () => {
    const first = page.locator('#failing li').first();
    await expect.poll(() => first.locator('.check').textContent()).toMatch(/^step3\.session — 1 learner: Cy Stuck$|^step3\.counter — 2 learners: Di Silent, Ed Fresh$/);
    const counter = page.locator('#failing li', { hasText: 'step3.counter' });
    await expect.poll(() => counter.locator('.check').textContent()).toBe('step3.counter — 2 learners: Di Silent, Ed Fresh');
    expect(await counter.locator('.hint').textContent()).toBe('Give `session()` a RedisStore: `store: new RedisStore({ client })`.');
    const link = counter.locator('.slide-link a');
    expect(await link.getAttribute('href')).toBe('/slide/step3/4');
    const [slide] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
    await slide.waitForLoadState();
    expect(await slide.locator('article.slide').count()).toBe(1);
    await slide.close();
  });

  it('shows a hostile name as text, bounded', async () => {
    await report('hostile-learner', hostile, 'step3.listens');
    const name = rowOf('hostile-learner').locator('th.name');
    await name.waitFor();
    const text = (await name.textContent())!;
    expect(text.startsWith('<img src=x onerror="document.title=')).toBe(true);
    expect([...text].length).toBeLessThanOrEqual(40);
    expect(await page.locator('#rows img, #rows script, #failing img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
  });

  it('keeps reading when its connection to Redis is cut', async () => {
    await redis.client.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    // The reader reconnects by itself; the page says it reads the room.
    await expect.poll(() => page.locator('#source').textContent(), { timeout: 10_000 }).toMatch(/^Reading workshop-room:.* at redis:\/\/127\.0\.0\.1:\d+$/);
    await report('after-kill-1', 'Fi After', undefined);
    await rowOf('after-kill-1').waitFor({ timeout: 10_000 });
  });
});
