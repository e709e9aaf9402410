// The learner's side of the room on the workshop page, in Chromium against a
// real runner and a real Redis: the "Join a room" form (a bad URL said in one
// sentence), "Reporting to <host> as <name>", a verify from the page
// reported with the slide shown, a room that goes down said once while the
// verify's result stays what it is, and Leave.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, showPane, type Browser } from './helpers/browser.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { repoRoot } from './helpers/repo.ts';
import { roomKey } from '../runner/room/config.ts';

const key = roomKey(repoRoot);
let room: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  room = await throwawayRedis();
  runner = await startWorkshopRunner({ workspaceFrom: join(repoRoot, 'steps/step1') });
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  await page.goto(runner.link);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await room?.dispose();
});

const entries = async () => (await room.client.xRange(key, '-', '+')) as { message: Record<string, string> }[];

describe('the room on the workshop page', () => {
  it('offers to join a room, and says in one sentence what is wrong with a URL', async () => {
    // The room sits with the workspace tools.
    await showPane(page, 'workspace');
    await page.locator('#room summary', { hasText: 'Join a room' }).click();
    await page.locator('#room-url').fill('http://room.example.com');
    await page.locator('#room-name').fill('Ada');
    await page.locator('#room button', { hasText: 'Join' }).click();
    await expect.poll(() => page.locator('#room .room-error').textContent()).toBe("A room is a Redis URL starting with redis:// or rediss://, not http://: ask the instructor for the room's URL.");
  });

  it('joins, and shows that it reports, and to where', async () => {
    await page.locator('#room-url').fill(room.url);
    await page.locator('#room button', { hasText: 'Join' }).click();
    await expect.poll(() => page.locator('#room .room-reporting').textContent()).toBe(`Reporting to ${room.url} as Ada.`);
    expect((await entries()).length).toBe(1);
    // And beside Verify, where a learner looks when it happens.
    await showPane(page, 'checks');
    expect(await page.locator('#room-note').textContent()).toBe(`Each verify is reported to the room at ${room.url} as Ada.`);
  });

  it('reports a verify from the page, with the slide the page shows', async () => {
    await page.goto(`${runner.url}#/step1/3`);
    await page.locator('#room-note').waitFor();
    await page.locator('#verify').click();
    await expect.poll(() => page.locator('#verify-summary').textContent(), { timeout: 30_000 }).toMatch(/passed/);
    const last = await expect.poll(async () => (await entries()).length, { timeout: 10_000 }).toBe(2).then(entries);
    expect(last[1]!.message).toMatchObject({ name: 'Ada', step: 'step1', slide: 'step1/3' });
  });

  it('says once that the room is unreachable, and the result stays what it is', async () => {
    const before = await page.locator('#verify-summary').textContent();
    await room.dispose();
    await page.locator('#verify').click();
    await expect.poll(() => page.locator('#room .room-retrying').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator('#room-note').textContent()).toMatch(/ \(unreachable now: retried in the background\)\.$/);
    expect(await page.locator('#room .room-retrying').textContent()).toMatch(/^The room is unreachable, retrying in the background: Nothing answers at redis:\/\/127\.0\.0\.1:\d+: the room's Redis is down, or the URL's port is wrong\. Your checks are not affected\.$/);
    await expect.poll(() => page.locator('#verify-summary').textContent(), { timeout: 30_000 }).toBe(before);
    // A second verify says nothing more.
    await page.locator('#verify').click();
    await expect.poll(() => page.locator('#verify-summary').textContent(), { timeout: 30_000 }).toBe(before);
    expect(await page.locator('#room .room-retrying').count()).toBe(1);
  });

  it('leaves', async () => {
    await showPane(page, 'workspace');
    await page.locator('#room button', { hasText: 'Leave the room' }).click();
    await expect.poll(() => page.locator('#room summary').textContent()).toBe('Join a room');
  });
});
