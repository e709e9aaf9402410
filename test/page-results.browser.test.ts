// What a learner notices of Verify's results and the tools around them, in
// a real browser at 1280×720 against the real runner (issue 15, points 2, 4,
// 5, 6 and 9): the summary comes into view; results survive another step,
// Back and a reload, and turn stale when the files change or a backup is
// restored; slide links to 127.0.0.1:3000 open in the app pane; a crash
// replaces the app's page and its log shows the error; only real files are
// "open in editor" buttons, and without an editor the path is offered to
// copy; reset a step, skip and undo, backups named by what they hold.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { steps } from '../runner/steps.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { runnerFetch } from './helpers/runner-http.ts';

let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;

const step2 = steps()[1];

beforeAll(async () => {
  redis = await throwawayRedis();
  // No editor anywhere: opening a file must fall back to showing its path.
  runner = await startWorkshopRunner({ workspaceFrom: step2!.dir, env: { REDIS_URL: redis.url, LAUNCH_EDITOR: '', VISUAL: '', EDITOR: '' } });
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: runner.url });
  page = browser.page;
  page.on('dialog', (d) => void d.accept());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await redis?.dispose();
});

// A loaded machine (two cores, other suites running) may take seconds to render a step: wait up to 10 s, not Vitest's 1.
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000 });
const summary = () => page.locator('#verify-summary');
const stale = () => page.locator('#verify-stale');
const counter = () => page.locator('#counter');

async function slideNumber(step: string, title: RegExp): Promise<number> {
  const res = await runnerFetch(runner.link, `api/decks/${step}`);
  const deck = (await res.json()) as { slides: { title: string }[] };
  const i = deck.slides.findIndex((s) => title.test(s.title));
  expect(i, `a slide titled ${title} in ${step}`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

/** Whether the whole of `el` is inside the viewport and inside the boxes that scroll it. */
function whollyInView(el: Locator): Promise<boolean> {
  return el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    let top = 0;
    let bottom = innerHeight;
    for (let box = node.parentElement; box && box !== document.body; box = box.parentElement) {
      if (!/auto|scroll|hidden/.test(getComputedStyle(box).overflowY)) continue;
      const b = box.getBoundingClientRect();
      top = Math.max(top, b.top);
      bottom = Math.min(bottom, b.bottom);
    }
    return r.height > 0 && r.top >= top - 1 && r.bottom <= bottom + 1;
  });
}

/** A tool under the app in front (its tab), as a learner chooses it: 'checks', 'workspace'. */
async function showTool(name: string): Promise<void> {
  const tab = page.locator(`#tab-${name}`);
  if ((await tab.count()) && (await tab.isVisible())) await tab.click();
}

/** Presses Verify and waits for this run's summary (not a kept one shown before it). */
async function verifyAndWait(step: string): Promise<string> {
  await showTool('checks');
  await page.evaluate(() => {
    const el = document.getElementById('verify-summary')!;
    const flag = window as unknown as { checking?: boolean };
    flag.checking = false;
    new MutationObserver(() => {
      if (el.textContent?.startsWith('Checking')) flag.checking = true;
    }).observe(el, { childList: true, characterData: true, subtree: true });
  });
  await page.locator('#verify').click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { checking?: boolean }).checking), { timeout: 10_000 }).toBe(true);
  await expect.poll(() => summary().textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^${step}: \\d+ passed`));
  return (await summary().textContent())!;
}

describe('Verify results a learner can see and keep', () => {
  it('brings the summary into view at 1280×720 after Verify, without scrolling the page away', async () => {
    await page.goto(`${runner.link}#/step2/1`);
    await poll(() => page.locator('#verify').textContent()).toBe('Verify step2');
    const text = await verifyAndWait('step2');
    expect(text).toMatch(/^step2: \d+ passed, 0 failed\. Well done!$/);
    expect(await whollyInView(summary())).toBe(true);
    // Pressed Verify: the summary has the focus (and is read out); the step tabs are still on screen.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('verify-summary');
    expect(await page.evaluate(() => scrollY)).toBe(0);
    expect(await whollyInView(page.locator('#verify'))).toBe(true);
  }, 60_000);

  it('counts the skipped checks, names what they needed by title, and shows hints’ code as code', async () => {
    await page.goto(`${runner.link}#/step3/1`);
    await poll(() => page.locator('#verify').textContent()).toBe('Verify step3');
    const text = await verifyAndWait('step3');
    const [, passed, failed, skipped] = /^step3: (\d+) passed, (\d+) failed, (\d+) skipped\.$/.exec(text) ?? [];
    expect(Number(skipped)).toBeGreaterThan(0);
    expect(await page.locator('#check-list .check.ok').count()).toBe(Number(passed));
    expect(await page.locator('#check-list .check.bad').count()).toBe(Number(failed));
    expect(await page.locator('#check-list .check.skipped').count()).toBe(Number(skipped));
    // Skipped reasons name checks as the learner sees them listed, never by internal id.
    const reasons = await page.locator('#check-list .check.skipped .message').allTextContents();
    expect(reasons.join('\n')).toContain('it needs “Each visit to / adds one to a counter shown on the page”');
    expect(reasons.join('\n')).not.toMatch(/\bstep\d\.[a-z]/);
    // `code` in a hint is code, not backticks.
    const hints = page.locator('#check-list .hint');
    expect(await hints.locator('code').count()).toBeGreaterThan(0);
    expect((await hints.allTextContents()).join('\n')).not.toContain('`');
    expect(await hints.locator('code', { hasText: 'createClient({ url: process.env.REDIS_URL })' }).count()).toBe(1);
  }, 60_000);

  it('keeps a step’s results across a look at another step, another step and a reload', async () => {
    const before = await summary().textContent();
    const items = await page.locator('#check-list .check').count();
    // A check taught in step 1's deck, among the passes (folded into one line), says that its link leads to step 1.
    await page.locator('#check-list li.group.passed summary').click();
    const link = page.locator('#check-list .slide-link a', { hasText: /^See step 1, slide \d+: / }).first();
    const href = (await link.getAttribute('href'))!;
    await link.click();
    await poll(() => counter().textContent()).toMatch(new RegExp(`^step1: ${href.split('/')[2]} / `));
    // A look: the checks stay on step 3, results and all (issue 23, point 5).
    expect(await page.locator('#verify').textContent()).toBe('Verify step3');
    expect(await summary().textContent()).toBe(before);
    await page.goBack();
    await poll(() => counter().textContent()).toMatch(/^step3: /);
    await poll(() => summary().textContent()).toBe(before);
    expect(await page.locator('#check-list .check').count()).toBe(items);
    // Step 2's pass is kept too.
    await page.locator('#steps a[href="#/step2/1"]').click();
    await poll(() => summary().textContent()).toMatch(/^step2: \d+ passed, 0 failed\. Well done!$/);
    await page.goto(`${runner.link}#/step3/1`);
    await page.reload();
    await poll(() => summary().textContent()).toBe(before);
    expect(await page.locator('#check-list .check').count()).toBe(items);
    expect(await stale().isVisible()).toBe(false);
  }, 60_000);

  it('marks kept results stale when a file of the app changes', async () => {
    await showTool('checks');
    await appendFile(join(runner.workspace, 'app.js'), '\n// a change of mine\n');
    await expect.poll(() => stale().isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await stale().textContent()).toMatch(/^These results \(checked at .+\) are from before your last change at .+: Verify again\.$/);
    expect(await summary().getAttribute('data-result')).toBe('stale');
    // And after a reload, too.
    await page.reload();
    await showTool('checks');
    await poll(() => stale().isVisible()).toBe(true);
  }, 30_000);

  it('resets the step to where it starts, after a backup named by what it holds', async () => {
    await writeFile(join(runner.workspace, 'notes.txt'), 'my notes\n');
    await showTool('workspace');
    await page.locator('#reset-step').click();
    await expect.poll(() => page.locator('#ws-status').textContent(), { timeout: 15_000 }).toMatch(/back where step 3 starts/);
    expect(await page.locator('#ws-status').textContent()).toContain('“Your files, before resetting step 3”');
    // Step 3 starts from step 2's solution: the learner's extra file is gone from the workspace…
    expect(await readFile(join(runner.workspace, 'app.js'), 'utf8')).toBe(await readFile(join(step2!.dir, 'app.js'), 'utf8'));
    await expect(readFile(join(runner.workspace, 'notes.txt'), 'utf8')).rejects.toThrow();
    // …and kept in the backup, listed by what it holds, its name (what the CLI takes) beside it.
    await page.locator('#list-backups').click();
    const backup = page.locator('#backups li', { hasText: 'Your files, before resetting step 3' });
    await poll(() => backup.count()).toBe(1);
    expect(await backup.locator('.backup-name').textContent()).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-reset-step3$/);
    await poll(() => stale().textContent()).toMatch(/from before the reset of step3 at /);
  }, 30_000);

  it('marks a passing result stale after a restore: no “Well done!” left standing', async () => {
    await page.locator('#steps a[href="#/step2/1"]').click();
    await poll(() => page.locator('#verify').textContent()).toBe('Verify step2');
    expect(await verifyAndWait('step2')).toMatch(/Well done!$/);
    await showTool('workspace');
    await page.locator('#backups li', { hasText: 'Your files, before resetting step 3' }).locator('button', { hasText: 'Restore' }).click();
    await expect.poll(() => page.locator('#ws-status').textContent(), { timeout: 15_000 }).toMatch(/^Restored “Your files, before resetting step 3”/);
    expect(await readFile(join(runner.workspace, 'notes.txt'), 'utf8')).toBe('my notes\n');
    await poll(() => stale().textContent()).toMatch(/from before the restore of a backup at /);
    expect(await summary().textContent()).not.toContain('Well done');
    expect(await page.locator('#after-pass').isVisible()).toBe(false);
  }, 60_000);

  it('skips a step and undoes the skip', async () => {
    type Progress = { steps: Record<string, { status: string }> };
    const progress = () => readFile(join(runner.state, 'progress.json'), 'utf8').then((t) => JSON.parse(t) as Progress, (): Progress => ({ steps: {} }));
    await page.locator('#steps a[href="#/step3/1"]').click();
    await showTool('checks');
    await poll(() => page.locator('#skip').textContent()).toBe('Skip step3');
    await page.locator('#skip').click();
    // Skipping moves the solution pane to step 4's app, which takes a moment.
    await expect.poll(() => counter().textContent(), { timeout: 15_000 }).toMatch(/^step4: 1 \//);
    await poll(() => page.locator('#steps li.skipped').count()).toBe(1);
    expect((await progress()).steps.step3?.status).toBe('skipped');
    await page.locator('#step-note button', { hasText: 'Undo skip of step 3' }).click();
    await expect.poll(() => counter().textContent(), { timeout: 15_000 }).toMatch(/^step3: 1 \//);
    await poll(() => page.locator('#steps li.skipped').count()).toBe(0);
    expect((await progress()).steps.step3).toBeUndefined();
    // On a skipped step, the Skip button itself undoes it.
    await page.locator('#skip').click();
    await expect.poll(() => counter().textContent(), { timeout: 15_000 }).toMatch(/^step4: /);
    await page.locator('#steps a[href="#/step3/1"]').click();
    await poll(() => page.locator('#skip').textContent()).toBe('Undo skip of step 3');
    await page.locator('#skip').click();
    await expect.poll(() => page.locator('#steps li.skipped').count(), { timeout: 15_000 }).toBe(0);
    await poll(() => page.locator('#skip').textContent()).toBe('Skip step3');
  }, 30_000);
});

describe('slide links to the app', () => {
  it('opens 127.0.0.1:3000 links in the app pane; the tab stays on the workshop', async () => {
    const n = await slideNumber('step1', /^Start your app!/);
    await page.goto(`${runner.link}#/step1/${n}`);
    await page.locator('#show-solution').click();
    const link = page.locator('#slide a[href="http://127.0.0.1:3000/"]');
    await link.click();
    expect(page.url().startsWith(runner.url)).toBe(true);
    expect(await page.locator('#show-workspace').getAttribute('aria-pressed')).toBe('true');
    const appUrl = (await page.locator('#app-url').getAttribute('href'))!;
    await poll(() => page.locator('#app-frame').getAttribute('src')).toBe(appUrl);
    await expect.poll(() => page.frameLocator('#app-frame').locator('h1').textContent(), { timeout: 15_000 }).toBeTruthy();
    // A path is kept: step 4's login page.
    const m = await slideNumber('step4', /^Log in as ada/);
    await page.goto(`${runner.link}#/step4/${m}`);
    await page.locator('#slide a[href="http://127.0.0.1:3000/login"]').click();
    expect(page.url().startsWith(runner.url)).toBe(true);
    await poll(() => page.locator('#app-frame').getAttribute('src')).toBe(new URL('/login', appUrl).href);
  });

  it('offers the Verify button beside `npm run verify` on a “Your turn” slide', async () => {
    const n = await slideNumber('step1', /^Your turn/);
    await page.goto(`${runner.link}#/step1/${n}`);
    await poll(() => page.locator('#slide .verify-here button').textContent()).toBe('Verify step1');
  });
});

describe('a crash', () => {
  it('replaces the app’s page, shows the SyntaxError line in the log, and links only real files', async () => {
    await page.goto(`${runner.link}#/step2/1`);
    await page.locator('#show-workspace').click();
    // A check's message names the stylesheet's URL: text, not a file to open.
    await poll(() => page.locator('#check-list .message', { hasText: 'GET /stylesheets/style.css answered 200' }).count()).toBe(1);
    const appJs = join(runner.workspace, 'app.js');
    const good = await readFile(appJs, 'utf8');
    await writeFile(appJs, `${good}\nconst broken = ;\n`);
    await expect.poll(() => page.locator('#app-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('crashed');
    // The frame no longer shows the last good page: the crash and its first line do.
    await poll(() => page.locator('#app-down').textContent()).toContain('SyntaxError: Unexpected token');
    expect(await page.locator('#app-frame').isVisible()).toBe(false);
    // The log pane shows the SyntaxError line, not only the Node internals after it.
    const errorLine = page.locator('#app-log .log-error');
    await poll(() => errorLine.textContent()).toMatch(/^SyntaxError: /);
    await poll(() => errorLineInView()).toBe(true);
    // The workspace file is a button; "Node.js" (Node's last line) and the stylesheet's URL stay text.
    await poll(() => page.locator('#app-log').textContent()).toContain('Node.js');
    await poll(() => page.locator('#app-log span.file-ref[data-ref]').count()).toBe(0);
    const fileButton = page.locator('#app-log button.file-link', { hasText: /workspace\/app\.js:\d+/ }).first();
    expect(await fileButton.count()).toBe(1);
    expect(await page.locator('#app-log button.file-link', { hasText: 'Node.js' }).count()).toBe(0);
    expect(await page.locator('button.file-link', { hasText: '/stylesheets/style.css' }).count()).toBe(0);
    // No editor: the path is said beside the log, with a way to copy it; the summary is untouched.
    const before = await summary().textContent();
    await fileButton.click();
    const note = page.locator('.open-note');
    // (Which sentence depends on what launch-editor finds running; each says how to set one.)
    await poll(() => note.textContent()).toMatch(/set LAUNCH_EDITOR to your editor's command/);
    expect(await note.locator('code').textContent()).toMatch(new RegExp(`^${appJs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+$`));
    await note.locator('button', { hasText: 'Copy the path' }).click();
    await poll(() => note.locator('.copied').textContent()).toMatch(/Copied|Selected/);
    expect(await summary().textContent()).toBe(before);
    // Fixed: the app's page is back.
    await writeFile(appJs, good);
    await expect.poll(() => page.locator('#app-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('running');
    await poll(() => page.locator('#app-frame').isVisible()).toBe(true);
    expect(await page.locator('#app-down').isVisible()).toBe(false);
  }, 60_000);
});

/**
 * Whether the highlighted error line is wholly inside the visible part of
 * the log pane; read in one go, as each new log line renders the pane anew.
 */
function errorLineInView(): Promise<boolean> {
  return page.locator('#app-log').evaluate((pane) => {
    const line = pane.querySelector('.log-error');
    if (!line) return false;
    const box = pane.getBoundingClientRect();
    const r = line.getBoundingClientRect();
    return r.height > 0 && r.top >= box.top && r.bottom <= box.bottom;
  });
}
