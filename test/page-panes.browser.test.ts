// Where the parts of the page are, as a learner notices it (issue 23, items
// 1, 9, 11, 13, 14 and 15), in real Chromium against the real runner: the app
// and what it did in Redis are on screen together at 1280×720, and one tap
// apart on a phone whose page is one screen tall; the header keeps one row;
// ? lists the keys and the keys bring each part forward; the app's frame shows
// the focus; the first screen says where to start; no request answers 404;
// and when the runner stops, nothing on the page still claims to be running.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { steps } from '../runner/steps.ts';
import { launchBrowser, showPane, type Browser } from './helpers/browser.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';

const step4 = steps().find((s) => s.name === 'step4')!;

let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;
const notFound: string[] = [];

beforeAll(async () => {
  redis = await throwawayRedis();
  runner = await startWorkshopRunner({ workspaceFrom: step4.dir, env: { REDIS_URL: redis.url } });
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  page.on('response', (r) => {
    if (r.status() === 404) notFound.push(r.url());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await redis?.dispose();
});

/** Where an element is on the screen, and whether all of it is inside the window. */
async function onScreen(locator: Locator) {
  const box = await locator.boundingBox();
  const size = page.viewportSize()!;
  if (!box) return { box, whole: false };
  const whole = box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width + 0.5 && box.y + box.height <= size.height + 0.5;
  return { box, whole };
}

const pageScroll = () => page.evaluate(() => ({ height: document.scrollingElement!.scrollHeight, width: document.scrollingElement!.scrollWidth }));

describe('the first screen', () => {
  it('says where to start, and goes on from there', async () => {
    await page.goto(`${runner.link}#/step1/1`);
    const start = page.locator('#start-here');
    await expect.poll(() => start.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await start.textContent()).toMatch(/^Start here\. Turn the slides with → or Space/);
    expect((await onScreen(start)).whole).toBe(true);
    await start.getByRole('button', { name: 'Start →' }).click();
    await expect.poll(() => page.locator('#counter').textContent()).toMatch(/^step1: 2 \/ \d+$/);
    expect(await start.isVisible()).toBe(false);
    // The icon is the page's own: the browser asks for nothing that is not there.
    expect(await page.locator('link[rel=icon]').getAttribute('href')).toBe('/ui/favicon.svg');
    const icon = await page.request.get(new URL('/ui/favicon.svg', runner.url).href);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toContain('image/svg+xml');
  }, 30_000);
});

describe('at 1280×720', () => {
  it('shows the app and Redis together: a login in the frame and the session it made, without scrolling', async () => {
    await page.goto(`${runner.link}#/step4/1`);
    await page.getByRole('button', { name: 'Work on step4' }).click();
    await page.locator('#show-workspace').click();
    const frame = page.frameLocator('#app-frame');
    await expect.poll(() => frame.locator('a[href="/login"]').count(), { timeout: 20_000 }).toBe(1);
    // A step with Redis brings its tab forward.
    await expect.poll(() => page.getByRole('tab', { name: 'Redis' }).getAttribute('aria-selected')).toBe('true');

    await frame.locator('a[href="/login"]').click();
    await frame.locator('input[name=username]').fill('ada');
    await frame.locator('input[name=password]').fill('lovelace');
    await frame.locator('button[type=submit]').click();
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 10_000 }).toContain('Logged in as ada');
    const session = page.locator('#sessions li.has-user').first();
    await expect.poll(() => session.count(), { timeout: 5000 }).toBe(1);

    // Cause and effect on one screen: the frame and the session's row, whole, side by side with the slide.
    const app = await onScreen(page.locator('#app-frame'));
    const row = await onScreen(session.locator('summary, .key').first());
    const slide = await onScreen(page.locator('#slide'));
    expect(app.whole, 'the app frame is whole on screen').toBe(true);
    expect(row.whole, 'the session row is on screen').toBe(true);
    expect(slide.whole).toBe(true);
    expect(app.box!.height).toBeGreaterThanOrEqual(180);
    expect(row.box!.y).toBeGreaterThan(app.box!.y + app.box!.height);
    expect((await pageScroll()).height).toBeLessThanOrEqual(720);
    await page.screenshot({ path: '/tmp/panes-1280x720.png' });
  }, 60_000);

  it('marks the Redis tab "new" when a session changes while another tab is shown, until it is shown', async () => {
    await showPane(page, 'checks');
    const badge = page.getByRole('tab', { name: /^Redis/ }).locator('.badge');
    expect(await badge.textContent()).toBe('');
    const frame = page.frameLocator('#app-frame');
    await frame.getByRole('button', { name: /log out/i }).click();
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('new');
    await showPane(page, 'redis');
    expect(await badge.textContent()).toBe('');
    // What happened is there to read: the logout, then the home page's new anonymous session.
    await expect.poll(() => page.locator('#inspector-events li', { hasText: /logout/ }).count()).toBe(1);
  }, 30_000);

  it('keeps the header on one row on every step, the Redis status included', async () => {
    const heights = new Set<number>();
    for (const s of steps()) {
      await page.evaluate((hash) => (location.hash = hash), `#/${s.name}/1`);
      await expect.poll(() => page.locator('#counter').textContent()).toMatch(new RegExp(`^${s.name}: 1 / `));
      heights.add(Math.round((await page.locator('header.top').boundingBox())!.height));
    }
    expect([...heights]).toHaveLength(1);
    expect([...heights][0]).toBeLessThan(50);
  });

  it('lists the keys on ?, closes with Escape, and the keys bring each part forward', async () => {
    await page.evaluate(() => (location.hash = '#/step4/2'));
    await page.locator('#slide').focus();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('verify this step');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // The same from the header's button, for a mouse or a touch.
    await page.getByRole('button', { name: '?' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.keyboard.press('w');
    await expect.poll(() => page.getByRole('tab', { name: 'Workspace' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reset-step');
    await page.keyboard.press('r');
    await expect.poll(() => page.getByRole('tab', { name: 'Redis' }).getAttribute('aria-selected')).toBe('true');
    // Arrow keys move along the tabs (and do not turn the slide).
    const counter = await page.locator('#counter').textContent();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toMatch(/^Checks/);
    expect(await page.getByRole('tab', { name: /^Checks/ }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#counter').textContent()).toBe(counter);
    // V verifies from anywhere on the page, and the checks come forward with their result on the tab.
    await page.keyboard.press('r');
    await page.keyboard.press('v');
    await expect.poll(() => page.getByRole('tab', { name: /^Checks/ }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.locator('#verify-summary').getAttribute('data-result'), { timeout: 60_000 }).toMatch(/passed|failed/);
    await expect.poll(() => page.locator('#checks-badge').textContent()).toMatch(/^(✓|✗ \d+)$/);
  }, 90_000);

  it('reaches the workspace tools in a few Tabs, and shows the focus on the app frame', async () => {
    await page.evaluate(() => (location.hash = '#/step4/2'));
    await showPane(page, 'redis');
    await page.locator('#slide').focus();
    let presses = 0;
    // From the slide to "Show backups": the tab list is one stop, the arrow keys choose Workspace.
    for (; presses < 60; presses++) {
      const at = await page.evaluate(() => ({ id: document.activeElement?.id ?? '', role: document.activeElement?.getAttribute('role') }));
      if (at.role === 'tab') break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('End');
    for (; presses < 60; presses++) {
      if ((await page.evaluate(() => document.activeElement?.id)) === 'list-backups') break;
      await page.keyboard.press('Tab');
    }
    console.log(`Tab presses from the slide to "Show backups" on step 4: ${presses}`);
    expect(presses).toBeLessThan(30);

    // The frame shows the focus when it is inside the app.
    await page.locator('#app-frame').focus();
    const outline = await page.locator('#app-frame').evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).toBe('solid');
    expect(notFound).toEqual([]);
  }, 30_000);
});

describe('on a phone', () => {
  it('is one screen tall, the slide controls in reach, the app and Redis one tap apart', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.evaluate(() => (location.hash = '#/step4/3'));
      await showPane(page, 'slides');
      expect((await pageScroll()).height).toBeLessThanOrEqual(844);
      expect((await pageScroll()).width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: '/tmp/panes-phone-slides.png' });
      expect((await onScreen(page.locator('#next'))).whole, 'the next-slide button is on screen').toBe(true);
      await page.screenshot({ path: '/tmp/panes-phone-slides.png' });

      await page.locator('#panes button[data-pane="app"]').click();
      expect((await onScreen(page.locator('#app-frame'))).whole).toBe(true);
      expect(await page.locator('#slide').isVisible()).toBe(false);
      await page.screenshot({ path: '/tmp/panes-phone-app.png' });

      await page.locator('#panes button[data-pane="redis"]').click();
      await expect.poll(() => page.locator('#sessions li').first().isVisible()).toBe(true);
      expect(await page.locator('#app-frame').isVisible()).toBe(false);
      expect((await pageScroll()).height).toBeLessThanOrEqual(844);
      expect(await page.locator('#panes button[data-pane="redis"]').getAttribute('aria-current')).toBe('true');
      await page.screenshot({ path: '/tmp/panes-phone-redis.png' });
      // The page's own verify (watch mode, a save) does not pull the pane from under the learner's thumb.
      // (A string: vitest would rewrite an import() in a function.)
      await page.evaluate(`import('/ui/layout.js').then((m) => m.showPane('checks', { byLearner: false }))`);
      expect(await page.locator('#panes button[data-pane="redis"]').getAttribute('aria-current')).toBe('true');
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  }, 30_000);
});

describe('a crash', () => {
  it('keeps the tools their height beside a crashed app, and the page where it is', async () => {
    await page.evaluate(() => (location.hash = '#/step4/2'));
    await page.locator('#show-workspace').click();
    const file = join(runner.workspace, 'app.js');
    const good = await readFile(file, 'utf8');
    try {
      await appendFile(file, '\nconst = ;\n');
      await expect.poll(() => page.locator('#app-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('crashed');
      await expect.poll(() => page.locator('#app-log').isVisible()).toBe(true);
      const tools = (await page.locator('#tools').boundingBox())!;
      expect(tools.height, 'the tools keep their height').toBeGreaterThanOrEqual(200);
      expect(tools.y + tools.height).toBeLessThanOrEqual(720.5);
      expect(await page.evaluate(() => document.scrollingElement!.scrollTop)).toBe(0);
      expect((await page.locator('header.top').boundingBox())!.y).toBe(0);
      await page.screenshot({ path: '/tmp/panes-crash-1280x720.png' });
    } finally {
      await writeFile(file, good);
    }
    await expect.poll(() => page.locator('#app-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('running');
  }, 60_000);
});

describe('when the runner stops', () => {
  it('says Redis and the app are not known, instead of "running"', async () => {
    await page.evaluate(() => (location.hash = '#/step4/2'));
    await expect.poll(() => page.locator('#redis-status').textContent()).toBe('Redis running');
    await runner.stop();
    await expect.poll(() => page.locator('#connection').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.locator('#redis-status').textContent()).toBe('Redis: not known');
    expect(await page.locator('#redis-status').getAttribute('data-state')).toBe('unknown');
    expect(await page.locator('#app-state').textContent()).toMatch(/not known, the workshop runner stopped/);
    expect(await page.locator('#app-state').textContent()).not.toMatch(/: running/);
    await page.screenshot({ path: '/tmp/panes-runner-stopped.png' });
  }, 30_000);
});
