// The Redis inspector on step 4, in a real browser: the learner logs in as
// ada in the app pane after a wrong password for bob; the sessions panel
// says which session is ada's and lists bob's failure counter with its TTL.
// A hostile user name stays text. Screenshots go to /tmp (not committed):
// 1280×720, 390×844 (a phone) and dark mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { steps } from '../runner/steps.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { showRedisPanel } from './helpers/redis-panel.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { textContrasts } from './helpers/contrast.ts';

let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;

const step4 = steps().find((s) => s.name === 'step4');
const evil = '<img src=x onerror="window.__pwned=1">';

beforeAll(async () => {
  if (!step4) return;
  redis = await throwawayRedis();
  runner = await startWorkshopRunner({ workspaceFrom: step4.dir, env: { REDIS_URL: redis.url } });
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await redis?.dispose();
});

/** The inspector's colours as a learner sees them (the panel's background, each text's contrast). */
const colours = async () => {
  const { luminance, texts } = await textContrasts(page, '#redis-panel');
  return { panelLuminance: luminance, texts };
};

describe.runIf(step4)('the inspector on step 4', () => {
  it('shows whose session it is and the failure counters with their TTLs', async () => {
    await page.goto(`${runner.link}#/step4/1`);
    await expect.poll(() => page.locator('#redis-panel').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.locator('#show-workspace').click();
    const frame = page.frameLocator('#app-frame');
    await expect.poll(() => frame.locator('a[href="/login"]').count(), { timeout: 20_000 }).toBe(1);
    // An anonymous session first: no user on it.
    await expect.poll(() => page.locator('#sessions li').count(), { timeout: 5000 }).toBe(1);
    expect(await page.locator('#sessions .user').count()).toBe(0);
    expect(await page.locator('#counters-box').isVisible()).toBe(false);

    await frame.locator('a[href="/login"]').click();
    await frame.locator('input[name=username]').fill('bob');
    await frame.locator('input[name=password]').fill('wrong');
    await frame.locator('button[type=submit]').click();
    await expect.poll(() => frame.locator('[role=alert]').textContent(), { timeout: 10_000 }).toContain('Wrong name or password');
    await frame.locator('input[name=username]').fill('ada');
    await frame.locator('input[name=password]').fill('lovelace');
    await frame.locator('button[type=submit]').click();
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 10_000 }).toContain('Logged in as ada');

    const ada = page.locator('#sessions li.has-user');
    await expect.poll(() => ada.count(), { timeout: 5000 }).toBe(1);
    expect(await ada.locator('.user').textContent()).toBe('logged in: ada');
    expect(await page.locator('#sessions li').count()).toBe(1); // regenerate() deleted the anonymous record
    expect(await page.locator('#inspector-note').textContent()).toBe('1 session, 1 with a user logged in.');

    const bob = page.locator('#counters li', { hasText: 'login:failures:bob' });
    await expect.poll(() => bob.count(), { timeout: 5000 }).toBe(1);
    expect(await page.locator('#counters-box').isVisible()).toBe(true);
    expect(await page.locator('#counters-heading').textContent()).toBe('Other keys: counters');
    expect(await bob.locator('.key').textContent()).toBe('login:failures:bob');
    expect(await bob.locator('.count').textContent()).toBe('1');
    expect(await bob.locator('.ttl').textContent()).toMatch(/^expires in 1[45] min \d+ s \(TTL \d+\)$/);
    expect(await bob.locator('.cli').textContent()).toMatch(/redis-cli .*GET login:failures:bob {2}&& {2}redis-cli .*TTL login:failures:bob$/);
    // ada's failures were cleared by her login: no counter for her.
    expect(await page.locator('#counters li', { hasText: 'login:failures:ada' }).count()).toBe(0);
  }, 60_000);

  it('leaves its live note alone while nothing changes: refreshes are not announced again', async () => {
    await page.goto(`${runner.link}#/step4/1`);
    await expect.poll(() => page.locator('#inspector-note').textContent(), { timeout: 10_000 }).toMatch(/session/);
    // Every refresh redraws the sessions list (each TTL moves); the note's sentence stays the same.
    // Refreshes come every 2 s: three are given 20 s, then the count says how many came.
    const seen = await page.evaluate(
      () =>
        new Promise<{ refreshes: number; noteWrites: number }>((resolve) => {
          let refreshes = 0;
          let noteWrites = 0;
          new MutationObserver(() => void noteWrites++).observe(document.getElementById('inspector-note')!, { childList: true, characterData: true, subtree: true });
          new MutationObserver(() => {
            if (++refreshes === 3) resolve({ refreshes, noteWrites });
          }).observe(document.getElementById('sessions')!, { childList: true });
          setTimeout(() => resolve({ refreshes, noteWrites }), 20_000);
        }),
    );
    expect(seen).toEqual({ refreshes: 3, noteWrites: 0 });
  });

  it('shows a hostile user name as text', async () => {
    await redis.client.set('sess:zz-hostile', JSON.stringify({ cookie: { originalMaxAge: 1000 }, user: { name: evil } }), { EX: 600 });
    await redis.client.set(`login:failures:${evil}`, '4', { EX: 600 });
    const row = page.locator('#sessions li', { hasText: 'window.__pwned' });
    await expect.poll(() => row.count(), { timeout: 5000 }).toBe(1);
    expect(await row.locator('.user').textContent()).toBe(`logged in: ${evil}`);
    const counter = page.locator('#counters li', { hasText: 'window.__pwned' });
    await expect.poll(() => counter.count(), { timeout: 5000 }).toBe(1);
    expect(await counter.locator('.key').textContent()).toBe(`login:failures:${evil}`);
    expect(await page.locator('#redis-panel img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('stays readable at 1280×720, on a phone and in dark mode (screenshots in /tmp)', async () => {
    const panel = page.locator('#redis-panel');
    const fits = () =>
      page.evaluate(() => {
        const p = document.getElementById('redis-panel')!;
        // Nothing inside sticks out of the panel sideways.
        return [...p.querySelectorAll('*')].every((el) => el.getBoundingClientRect().right <= p.getBoundingClientRect().right + 1);
      });
    // The side pane scrolls on a wide screen: one shot with ada's session, one with the counters.
    await page.locator('#sessions li.has-user').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/inspector-1280x720-sessions.png' });
    await page.locator('#counters-box').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/inspector-1280x720-counters.png' });
    expect(await fits()).toBe(true);

    // A phone: one column, the page itself scrolls.
    await page.setViewportSize({ width: 390, height: 844 });
    await showRedisPanel(page);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: '/tmp/inspector-390x844-panel.png' });
    expect(await fits()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.setViewportSize({ width: 1280, height: 720 });
    const light = await colours();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('#counters-box').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/inspector-1280x720-dark.png' });
    const dark = await colours();
    // The page's CSS promises "strong contrast … in the system's light or dark scheme": in dark mode the
    // inspector turns dark, and every text in it (sessions, the user, TTLs, keys, counts) keeps 4.5:1 to its background.
    expect(light.panelLuminance, 'the inspector is light in light mode').toBeGreaterThan(0.5);
    expect(dark.panelLuminance, 'the inspector stays light in dark mode').toBeLessThan(0.05);
    expect(dark.texts.map((t) => t.what.split(' ')[0]), 'what the contrast was measured on').toEqual(
      expect.arrayContaining(['h2', 'p.note', 'span.user', 'strong', 'span.ttl', 'span.whole', 'span.count', 'code']),
    );
    for (const { scheme, texts } of [{ scheme: 'dark', texts: dark.texts }, { scheme: 'light', texts: light.texts }]) {
      expect(texts.filter((t) => t.ratio < 4.5), `texts under 4.5:1 contrast in ${scheme} mode`).toEqual([]);
    }
  });
});
