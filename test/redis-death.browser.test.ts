// The redis-server the workshop started dies (SIGKILL) under a learner's
// open page: the header says so within seconds, on that page and on a page
// loaded afterwards, with a button to start it again; the step 3 apps no
// longer look simply "running"; the inspector's note carries a reason. The
// button brings the same port and data back, the state returns to ready
// and the inspector lists sessions again. When the runner stops, no
// redis-server of its (neither the first nor the second) is left running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createClient } from 'redis';
import { freePort } from '../runner/process/ports.ts';
import { steps } from '../runner/steps.ts';
import { visitor } from './helpers/app.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { isRunning, waitUntilGone } from './helpers/process-table.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { app, expectNoOrphans, newMarker, uiState, untilState } from './faults/helpers.ts';

const step3 = steps().find((s) => s.name === 'step3')!;
const m = newMarker('WORKSHOP_REDIS_DEATH');
let redisPort: number;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;
/** The pid of the redis-server answering on the port now (INFO server). */
async function redisPid(): Promise<number> {
  const client = createClient({ url: `redis://127.0.0.1:${redisPort}` });
  client.on('error', () => {});
  await client.connect();
  try {
    return Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
  } finally {
    client.destroy();
  }
}
const pids: number[] = [];
/** The runner's mark on an app running while Redis is down. */
const redisDown = (a: object) => (a as { redisDown?: boolean }).redisDown === true;

beforeAll(async () => {
  redisPort = await freePort();
  // No REDIS_URL and nothing on the port: the runner starts redis-server itself, as on a learner's machine.
  runner = await startWorkshopRunner({ workspaceFrom: step3.dir, env: { ...m.env, REDIS_URL: '', WORKSHOP_REDIS_PORT: String(redisPort) } });
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  // Both servers, the killed one and the one started again, are gone with the runner.
  for (const pid of pids) await waitUntilGone(pid);
  await expectNoOrphans(m);
});

const status = (p: Page) => p.locator('#redis-status');
const problem = (p: Page) => p.locator('#redis-problem');
/** The header's height: the same whatever Redis does, so the slide never moves. */
const headerHeight = (p: Page) => p.locator('header.top').evaluate((el) => el.getBoundingClientRect().height);
let headerWhileUp = 0;
const refusedNote = () => `Cannot read Redis: connect ECONNREFUSED 127.0.0.1:${redisPort}`;
const downSentence = () => new RegExp(`^Redis stopped answering at 127\\.0\\.0\\.1:${redisPort} \\(.+\\)\\. Your app can't keep sessions until it's back\\.`);

describe('a killed redis-server, said on the page', () => {
  let starts: number[] = [];

  it('starts with the workshop\'s own redis-server, and sessions in the inspector', async () => {
    await page.goto(`${runner.link}#/step3/1`);
    // A link only shows step 3; the learner takes the runner there: its solution runs beside the learner's app.
    await page.getByRole('button', { name: 'Work on step3' }).click();
    const s = await untilState(runner.link, 'Redis and both apps on step 3', (s) => s.current === 'step3' && s.redis.state === 'ready' && s.apps.length === 2 && s.apps.every((a) => a.state === 'running') && (app(s, 'solution') as { dir?: string }).dir === step3.dir, 30_000);
    starts = s.apps.map((a) => a.starts);
    // The header says it in two words, on its one row; the whole sentence is its tooltip.
    await expect.poll(() => status(page).textContent(), { timeout: 10_000 }).toBe('Redis running');
    expect(await status(page).getAttribute('title')).toBe(`Redis: redis-server started by the workshop on 127.0.0.1:${redisPort} (data in ${runner.state}/redis)`);
    // The same on top of the Redis tab, for a touch screen.
    expect(await page.locator('#redis-which').textContent()).toBe(`Redis: redis-server started by the workshop on 127.0.0.1:${redisPort} (data in ${runner.state}/redis)`);
    headerWhileUp = await headerHeight(page);
    pids.push(await redisPid());
    const body = (await visitor().get(app(s, 'solution')!.url)).body;
    expect(body).toMatch(/visited this page 1 time/);
    await expect.poll(() => page.locator('#sessions li').count(), { timeout: 10_000 }).toBeGreaterThan(0);
  }, 60_000);

  it('says it on the open page within seconds, with the button, the apps and the inspector\'s reason', async () => {
    process.kill(pids[0]!, 'SIGKILL');
    const killedAt = Date.now();
    await expect.poll(() => status(page).locator('span').textContent(), { timeout: 5000, interval: 50 }).toBe('Redis stopped');
    const saidAfter = Date.now() - killedAt;
    console.log(`killed to said on the open page: ${saidAfter} ms`);
    // The whole sentence and the button sit on top of the Redis tab, beside the app: the header keeps its one row.
    await expect.poll(() => problem(page).locator('p').textContent()).toMatch(downSentence());
    expect(await problem(page).textContent()).toContain('was killed by SIGKILL');
    expect(await problem(page).getByRole('button', { name: 'Start Redis again' }).isVisible()).toBe(true);
    expect(await status(page).getAttribute('data-state')).toBe('down');
    expect(await headerHeight(page)).toBe(headerWhileUp);
    expect(await page.locator('#redis-start').textContent()).toBe('Start Redis again');
    expect(await page.locator('#redis-start').isEnabled()).toBe(true);

    // The solution app still runs, but is not shown as simply "running".
    await page.locator('#show-solution').click();
    await expect.poll(() => page.locator('#app-state').textContent(), { timeout: 5000 }).toMatch(/running.*Redis is down, so its sessions fail until Redis is back\./);
    const s = await untilState(runner.link, 'the apps marked', (s) => s.apps.length === 2 && s.apps.every((a) => redisDown(a)));
    expect(s.redis).toMatchObject({ state: 'down', canStart: true, restarting: false });

    // The inspector's note names the reason (nothing listens on the port any more), not
    // "Cannot read Redis: " and nothing, which node-redis's TimeoutError gave after 5 s.
    await expect.poll(() => page.locator('#inspector-note').textContent(), { timeout: 8000 }).toBe(refusedNote());
    await page.screenshot({ path: '/tmp/redis-down-1280x720.png' });
  }, 30_000);

  it('says it on a page loaded afterwards', async () => {
    const fresh = await browser.context.newPage();
    try {
      await fresh.goto(`${runner.link}#/step3/1`);
      await expect.poll(() => problem(fresh).locator('p').textContent(), { timeout: 5000 }).toMatch(downSentence());
      expect(await fresh.locator('#redis-start').isVisible()).toBe(true);
      await expect.poll(() => fresh.locator('#inspector-note').textContent(), { timeout: 8000 }).toBe(refusedNote());
    } finally {
      await fresh.close();
    }
  }, 30_000);

  it('starts it again on the same port from the button: ready, and sessions listed again', async () => {
    await page.locator('#redis-start').click();
    // Back, and said so: the header for a moment, then its usual words.
    await expect.poll(() => status(page).textContent(), { timeout: 10_000, interval: 50 }).toBe('Redis is back');
    expect(await problem(page).isVisible()).toBe(false);
    await expect.poll(() => status(page).textContent(), { timeout: 15_000 }).toBe('Redis running');
    expect(await status(page).getAttribute('title')).toBe(`Redis: redis-server started by the workshop on 127.0.0.1:${redisPort} (data in ${runner.state}/redis)`);
    const s = await untilState(runner.link, 'ready, apps plainly running', (s) => s.redis.state === 'ready' && s.apps.length === 2 && s.apps.every((a) => a.state === 'running' && !redisDown(a)));
    const again = await redisPid();
    expect(again).not.toBe(pids[0]);
    expect(isRunning(again)).toBe(true);
    pids.push(again);
    expect(await page.locator('#redis-start').count()).toBe(0);
    // The apps were not restarted (checked below): their Redis client reconnects by itself and stores sessions again.
    const browserOfApp = visitor();
    const url = app(s, 'solution')!.url;
    await expect.poll(async () => (await browserOfApp.get(url)).body, { timeout: 10_000 }).toMatch(/visited this page 1 time/);
    expect((await browserOfApp.get(url)).body).toMatch(/visited this page 2 times/);
    await expect.poll(() => page.locator('#inspector-note').textContent(), { timeout: 10_000 }).toMatch(/^\d+ sessions?/);
    await expect.poll(() => page.locator('#sessions li').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // The app's own log says it reconnected: the last word is not an ECONNREFUSED.
    await page.locator('#show-solution').click();
    await expect.poll(() => page.locator('#app-log').textContent(), { timeout: 10_000 }).toContain('Redis: connected again');
    // Read now, after the visits: a restart at any time since Redis came back counts.
    expect((await uiState(runner.link)).apps.map((a) => a.starts)).toEqual(starts);
  }, 30_000);
});
