// The learner's home in a real browser: the runner started as `npm run
// workshop` would, a throwaway Redis, the real step apps, Debian's Chromium.
// One learner's session, in order: slides by keyboard, a deep link that
// survives a reload, the visits counter in the app pane, that session in
// the inspector, Verify on step 2's code (step 3 fails, clause by clause),
// a switch to step 3's solution, and every check passing.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { steps } from '../runner/steps.ts';
import { launchBrowser, showPane, type Browser } from './helpers/browser.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, waitFor, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { isRunning } from './helpers/process-table.ts';
import { runnerFetch } from './helpers/runner-http.ts';

let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;
let editorDir: string;
const editorLog = () => join(editorDir, 'opened.log');

const step2 = steps()[1]!;

beforeAll(async () => {
  redis = await throwawayRedis();
  // A stand-in for the learner's editor: it writes down what it was asked to open.
  editorDir = await mkdtemp(join(tmpdir(), 'workshop-editor-'));
  const editor = join(editorDir, 'editor.sh');
  await writeFile(editor, `#!/bin/sh\necho "$@" >> '${editorLog()}'\n`);
  await chmod(editor, 0o755);
  runner = await startWorkshopRunner({ workspaceFrom: step2.dir, env: { REDIS_URL: redis.url, LAUNCH_EDITOR: editor } });
  browser = await launchBrowser({ viewport: { width: 1440, height: 900 } });
  page = browser.page;
  page.on('dialog', (d) => void d.accept());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  const pid = runner?.process.pid;
  await runner?.stop();
  if (pid) expect(isRunning(pid)).toBe(false);
  await redis?.dispose();
  await rm(editorDir, { recursive: true, force: true });
});

const counter = () => page.locator('#counter');

async function deckTitles(step: string): Promise<string[]> {
  const res = await runnerFetch(runner.link, `api/decks/${step}`);
  const deck = (await res.json()) as { slides: { title: string }[] };
  return deck.slides.map((s) => s.title);
}

describe('the workshop page', () => {
  it('shows the first slide and moves through the deck by keyboard', async () => {
    await page.goto(runner.link);
    const total = (await deckTitles('step1')).length;
    await expect.poll(() => counter().textContent()).toBe(`step1: 1 / ${total}`);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => counter().textContent()).toBe(`step1: 2 / ${total}`);
    await page.keyboard.press('End');
    await expect.poll(() => counter().textContent()).toBe(`step1: ${total} / ${total}`);
    await page.keyboard.press('ArrowRight'); // past the end stays at the end
    await expect.poll(() => counter().textContent()).toBe(`step1: ${total} / ${total}`);
    await page.keyboard.press('Home');
    await expect.poll(() => counter().textContent()).toBe(`step1: 1 / ${total}`);
    await page.locator('#slide').click();
    await page.keyboard.press(' ');
    await expect.poll(() => counter().textContent()).toBe(`step1: 2 / ${total}`);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => counter().textContent()).toBe(`step1: 1 / ${total}`);
    expect(new URL(page.url()).hash).toBe('#/step1/1');
  });

  it('shows Redis and its inspector only on a step whose app has Redis (workshop.json)', async () => {
    // step1 declares no services: neither Redis's status nor the sessions panel is shown.
    expect(await page.locator('#redis-panel').isVisible()).toBe(false);
    expect(await page.locator('#redis-status').isVisible()).toBe(false);
    expect(await page.getByRole('tab', { name: 'Redis' }).isVisible()).toBe(false);
    await page.goto(`${runner.link}#/step3/1`);
    // A step with Redis brings its tab forward, beside the app.
    await expect.poll(() => page.getByRole('tab', { name: 'Redis' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.locator('#redis-panel').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#redis-status').isVisible()).toBe(true);
    await page.goto(`${runner.link}#/step2/1`);
    await expect.poll(() => page.locator('#redis-panel').isVisible()).toBe(false);
  });

  it('follows a deep link, and the link survives a reload; the runner moves to its step only when the learner says so', async () => {
    const titles = await deckTitles('step3');
    const heading = (n: number) => titles[n - 1]!.split(':')[0]!;
    const runnerStep = async () => ((await (await runnerFetch(runner.link, 'api/state')).json()) as { current: string }).current;
    const before = await runnerStep();
    expect(before).not.toBe('step3');
    await page.goto(`${runner.link}#/step3/7`);
    // The link's token went into the cookie and out of the address bar.
    expect(page.url()).toBe(`${runner.url}#/step3/7`);
    await expect.poll(() => counter().textContent()).toBe(`step3: 7 / ${titles.length}`);
    await expect.poll(() => page.locator('#slide').textContent()).toContain(heading(7));
    await page.reload();
    await expect.poll(() => counter().textContent()).toBe(`step3: 7 / ${titles.length}`);
    await expect.poll(() => page.locator('#slide').textContent()).toContain(heading(7));
    // The step picker shows what is on screen: step 3.
    await expect.poll(() => page.locator('#steps a[aria-current]').textContent()).toContain('A persistent session store');
    // A link (from anywhere) only shows the step: the runner stays, and the page says so with the way to move it.
    expect(await runnerStep()).toBe(before);
    const away = page.locator('#step-away');
    await expect.poll(() => away.textContent()).toBe(`You are reading step3; the step solution app still runs ${before}. Work on step3`);
    await away.getByRole('button', { name: 'Work on step3' }).click();
    await expect.poll(runnerStep).toBe('step3');
    await expect.poll(() => away.isVisible()).toBe(false);
  });

  it('shows the step solution in the app pane, and its visits counter goes from 1 to 2 on reload', async () => {
    await page.locator('#show-solution').click();
    const frame = page.frameLocator('#app-frame');
    await expect.poll(() => page.locator('#app-state').textContent(), { timeout: 15_000 }).toMatch(/step3.*running/);
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 15_000 }).toContain('visited this page 1 time');
    await page.locator('#reload-app').click();
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 15_000 }).toContain('visited this page 2 times');
    // The app's own log lines are beside it.
    await expect.poll(() => page.locator('#app-log').textContent()).toContain('Listening on');
  });

  it('shows that session in the Redis inspector, with the redis-cli command', async () => {
    const session = page.locator('#sessions li', { hasText: '"visits": 2' });
    await expect.poll(() => session.count(), { timeout: 5000 }).toBe(1);
    expect(await session.locator('.key').textContent()).toMatch(/^sess:/);
    expect(await session.locator('.ttl').textContent()).toMatch(/expires in/);
    expect(await session.locator('.cli').textContent()).toMatch(/redis-cli .*GET sess:/);
    expect(await page.locator('#inspector-cli').textContent()).toMatch(/redis-cli .*--scan --pattern 'sess:\*'/);
  });

  it('escapes what it shows from Redis', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    await redis.client.set(`sess:${evil}`, JSON.stringify({ cookie: { originalMaxAge: 1000 }, note: evil }));
    const row = page.locator('#sessions li', { hasText: 'window.__pwned' });
    await expect.poll(() => row.count(), { timeout: 5000 }).toBe(1);
    expect(await row.locator('.key').textContent()).toBe(`sess:${evil}`);
    expect(await page.locator('#sessions img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await redis.client.del(`sess:${evil}`);
  });

  it('runs Verify on step 2 code: step 3 fails, naming the clauses', async () => {
    await showPane(page, 'checks');
    await page.locator('#verify').click();
    const summary = page.locator('#verify-summary');
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/^step3: \d+ passed, [1-9]\d* failed/);
    const failed = page.locator('#check-list .check.bad');
    expect(await failed.count()).toBeGreaterThan(0);
    // The clauses step 2's code misses are named, each with its own result.
    const failedTitles = await failed.locator('.title').allTextContents();
    expect(failedTitles).toContain('Each visit to / adds one to a counter shown on the page');
    expect(failedTitles).toContain('Sessions are stored in the Redis at REDIS_URL');
    // Step 1 and 2 clauses still hold.
    expect(await page.locator('#check-list .check.ok').count()).toBeGreaterThan(0);
    // A failing clause links to the slide that teaches it.
    const link = failed.first().locator('.slide-link a');
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/^#\/step\d\/\d+$/);
    await link.click();
    const [, step, n] = /^#\/(step\d)\/(\d+)$/.exec(href)!;
    await expect.poll(() => counter().textContent()).toMatch(new RegExp(`^${step}: ${n} / `));
  }, 60_000);

  it('switches the workspace to step 3 solution, and then every check passes', async () => {
    await page.goto(`${runner.link}#/step3/1`);
    await expect.poll(() => page.locator('#switch').textContent()).toContain('step3');
    await showPane(page, 'workspace');
    await page.locator('#switch').click();
    await expect.poll(() => page.locator('#ws-status').textContent(), { timeout: 15_000 }).toContain("now holds step3's solution");
    await showPane(page, 'checks');
    await page.locator('#verify').click();
    const summary = page.locator('#verify-summary');
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/^step3: [1-9]\d* passed, 0 failed/);
    expect(await page.locator('#check-list .check.bad').count()).toBe(0);
    expect(await page.locator('#after-pass').isVisible()).toBe(true);
    // The pass is recorded: the step picker says so.
    await expect.poll(() => page.locator('#steps li.passed').textContent()).toContain('A persistent session store');
    // And the learner's own app now counts visits too.
    await page.locator('#show-workspace').click();
    await expect.poll(() => page.frameLocator('#app-frame').locator('body').textContent(), { timeout: 15_000 }).toMatch(/visited this page \d+ time/);
  }, 60_000);

  it('re-verifies on save when watching', async () => {
    await page.locator('#watch').check();
    const view = join(runner.workspace, 'views', 'index.pug');
    const good = await readFile(view, 'utf8');
    const summary = page.locator('#verify-summary');
    // The learner breaks the counter's view and saves: the checks run by themselves.
    await writeFile(view, good.replace(/^.*visited this page.*$/m, '  p No counter here'));
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/^step3: \d+ passed, [1-9]\d* failed/);
    await writeFile(view, good);
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/^step3: [1-9]\d* passed, 0 failed/);
    await page.locator('#watch').uncheck();
  }, 90_000);

  it('shows a crash at once, and opens the file of the error in the editor', async () => {
    const appJs = join(runner.workspace, 'app.js');
    const good = await readFile(appJs, 'utf8');
    await page.locator('#show-workspace').click();
    await writeFile(appJs, `${good}\nthrow new Error('the learner broke it');\n`);
    await expect.poll(() => page.locator('#app-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('crashed');
    expect(await page.locator('#app-state').textContent()).toMatch(/crashed.*exited with code 1/);
    await expect.poll(() => page.locator('#app-log').textContent()).toContain('the learner broke it');
    // The stack trace names the file: one click opens it at that line.
    const link = page.locator('#app-log .file-link', { hasText: /workspace\/app\.js:\d+/ }).first();
    await link.click();
    const opened = await waitFor('the editor', async () => (await readFile(editorLog(), 'utf8').catch(() => '')).trim());
    // launch-editor hands $LAUNCH_EDITOR the file, the line and the column.
    expect(opened.startsWith(`${appJs} `)).toBe(true);
    expect(opened).toMatch(/ \d+ \d+$/);
    await writeFile(appJs, good);
    await expect.poll(() => page.locator('#app-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('running');
  }, 60_000);
});
