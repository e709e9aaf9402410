// What a learner notices of the checks panel (issue 23, points 3, 4 and 5,
// and the two "also"s), in real Chromium against the real runner, its
// workspace holding step 3's solution: the step tab says the latest run
// (never an earlier pass over a failure); after a failing verify of step 4
// the first failure sits under the summary, in view and focused, the passes
// and skips folded, and nothing jumps while results arrive; the solution's
// diff is one click away before any pass; a check's link to another step is
// a look that keeps the checks and the runner, with a way back; a crash's
// stderr is shown as printed, caret under its column, as text.
import { readFile, writeFile } from 'node:fs/promises';
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

beforeAll(async () => {
  redis = await throwawayRedis();
  runner = await startWorkshopRunner({ workspaceFrom: steps()[2]!.dir, env: { REDIS_URL: redis.url } });
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await redis?.dispose();
});

// A loaded machine (two cores, other suites running) may take seconds to render: wait up to 10 s, not Vitest's 1.
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000 });
const summary = () => page.locator('#verify-summary');
const counter = () => page.locator('#counter');
const tab = (step: string) => page.locator(`#steps a[href="#/${step}/1"]`);
const runnerStep = async () => ((await (await runnerFetch(runner.link, 'api/state')).json()) as { current: string }).current;

/** The Checks tool in front (the tools under the app are tabs; on a phone, panes). */
async function showChecks(p: Page = page): Promise<void> {
  for (const selector of ['#tab-checks', '#panes [data-pane="checks"]']) {
    const button = p.locator(selector);
    if ((await button.count()) && (await button.isVisible())) await button.click();
  }
}

/** Presses Verify and waits for this run's summary (not a kept one shown before it). */
async function verifyAndWait(step: string, p: Page = page, where = false): Promise<string> {
  await p.evaluate(() => {
    const el = document.getElementById('verify-summary')!;
    const flag = window as unknown as { checking?: boolean };
    flag.checking = false;
    new MutationObserver(() => {
      if (el.textContent?.startsWith('Checking')) flag.checking = true;
    }).observe(el, { childList: true, characterData: true, subtree: true });
  });
  // `where`: pressed where the learner is (the V key does that), the pane not scrolled to the button first.
  if (where) await p.locator('#verify').evaluate((b: HTMLButtonElement) => b.click());
  else await p.locator('#verify').click();
  await expect.poll(() => p.evaluate(() => (window as unknown as { checking?: boolean }).checking), { timeout: 10_000 }).toBe(true);
  await expect.poll(() => p.locator('#verify-summary').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^${step}: \\d+ passed, \\d+ failed`));
  return (await p.locator('#verify-summary').textContent())!;
}

function countsOf(text: string) {
  const [, passed, failed, skipped] = /^step\d: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?\./.exec(text) ?? [];
  return { passed: Number(passed), failed: Number(failed), skipped: Number(skipped ?? 0) };
}

/** Whether the whole of `el` is inside the viewport and inside the box that scrolls it. */
function whollyInView(el: Locator): Promise<boolean> {
  return el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    let top = 0;
    let bottom = innerHeight;
    for (let box = node.parentElement; box; box = box.parentElement) {
      if (!/auto|scroll|hidden/.test(getComputedStyle(box).overflowY) || box === document.body || box === document.documentElement) continue;
      const b = box.getBoundingClientRect();
      top = Math.max(top, b.top);
      bottom = Math.min(bottom, b.bottom);
    }
    return r.height > 0 && r.top >= top - 1 && r.bottom <= bottom + 1;
  });
}

/** The header is one row: every step tab on the same line, the header no taller than one. */
async function headerIsOneRow(): Promise<void> {
  const rows = await page.locator('#steps li').evaluateAll((lis) => new Set(lis.map((li) => Math.round(li.getBoundingClientRect().top))).size);
  expect(rows).toBe(1);
  const [header, oneTab] = await Promise.all([page.locator('header').evaluate((e) => e.getBoundingClientRect().height), tab('step1').evaluate((e) => e.getBoundingClientRect().height)]);
  expect(header).toBeLessThan(oneTab * 2);
}

describe('the step tab says the latest run of its checks', () => {
  it('passed; passed earlier after a save; failing after a failing run although it passed before; passed again', async () => {
    await page.goto(`${runner.link}#/step3/1`);
    await showChecks();
    await poll(() => page.locator('#verify').textContent()).toBe('Verify step3');
    expect(await verifyAndWait('step3')).toMatch(/ 0 failed\. Well done!$/);
    const status = tab('step3').locator('.status');
    await poll(() => status.textContent()).toBe(' ✓ passed');
    expect(await tab('step3').locator('..').getAttribute('class')).toBe('step passed');
    // The learner breaks the counter's view and saves: the pass is from before that.
    const view = join(runner.workspace, 'views', 'index.pug');
    const good = await readFile(view, 'utf8');
    await writeFile(view, good.replace(/^.*visited this page.*$/m, '  p No counter here'));
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe(' ✓ passed earlier');
    expect(await tab('step3').locator('..').getAttribute('class')).toBe('step passed stale');
    // Verified again, failing: the tab never says "passed" any more, and its tooltip says the pass was before.
    const { failed } = countsOf(await verifyAndWait('step3'));
    expect(failed).toBeGreaterThan(0);
    await poll(() => status.textContent()).toBe(` ✗ ${failed} failing`);
    expect(await tab('step3').locator('..').getAttribute('class')).toBe('step failed');
    expect(await tab('step3').getAttribute('title')).toMatch(new RegExp(`^A persistent session store: ${failed} of its checks failed at .+; it passed before\\.$`));
    await headerIsOneRow();
    await writeFile(view, good);
    // (Verified before the runner noticed the save, the pass would be from before it.)
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe(` ✗ ${failed} failed earlier`);
    expect(await verifyAndWait('step3')).toMatch(/ 0 failed\. Well done!$/);
    await poll(() => status.textContent()).toBe(' ✓ passed');
  }, 120_000);
});

describe('a failing verify of step 4 on step 3’s code', () => {
  it('lists the failures first, the first one in view and focused; the passes and skips fold into a line each', async () => {
    // A step tab chooses the step: the checks and the runner move to it.
    await tab('step4').click();
    await poll(() => page.locator('#verify').textContent()).toBe('Verify step4');
    await poll(runnerStep).toBe('step4');
    await showChecks();
    // Everything the list shows, each time it changes while the run goes on.
    await page.evaluate(() => {
      const list = document.getElementById('check-list')!;
      const seen: { failures: string[]; tops: number[]; rows: number; progress: string }[] = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        const top = list.getBoundingClientRect().top;
        const failures = [...list.querySelectorAll(':scope > li.check.bad')] as HTMLElement[];
        seen.push({
          failures: failures.map((f) => f.querySelector('.title')!.textContent!),
          tops: failures.map((f) => Math.round(f.getBoundingClientRect().top - top)),
          rows: [...list.children].filter((c) => (c as HTMLElement).offsetHeight > 0).length,
          progress: list.querySelector(':scope > li.progress')?.textContent ?? '',
        });
      }).observe(list, { childList: true, subtree: true, characterData: true });
    });
    const { passed, failed, skipped } = countsOf(await verifyAndWait('step4'));
    expect(passed).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(0);

    // Failures first, then one line for the passes and one for the skips.
    const rows = page.locator('#check-list > li:visible');
    await poll(() => rows.count()).toBe(failed + 2);
    expect(await page.locator('#check-list > li.check.bad').count()).toBe(failed);
    expect(await rows.nth(failed).getAttribute('class')).toBe('group passed');
    expect(await rows.nth(failed + 1).getAttribute('class')).toBe('group skipped');
    // In the step's own order (the runner's report of the run).
    const kept = (await (await runnerFetch(runner.link, 'api/results/step4')).json()) as { result: { report: { checks: { status: string; title: string }[] } } };
    const inOrder = kept.result.report.checks.filter((c) => c.status === 'failed').map((c) => c.title);
    expect(await page.locator('#check-list > li.check.bad .title').allTextContents()).toEqual(inOrder);
    const passes = page.locator('#check-list li.group.passed');
    expect(await passes.locator('summary').textContent()).toBe(`✓${passed} passed`);
    expect(await page.locator('#check-list .check.ok').count()).toBe(passed);
    expect(await page.locator('#check-list .check.ok').first().isVisible()).toBe(false);
    const skips = page.locator('#check-list li.group.skipped');
    expect(await skips.locator('summary').textContent()).toMatch(new RegExp(`^–${skipped} skipped: (a check they need failed|see why)$`));

    // The first failure under the summary, both in view, the page not scrolled; it has the focus (Verify was pressed).
    const first = page.locator('#check-list > li.check.bad').first();
    expect(await whollyInView(first.locator('.title'))).toBe(true);
    expect(await whollyInView(summary())).toBe(true);
    expect(await page.evaluate(() => scrollY)).toBe(0);
    expect(await first.evaluate((el) => el === document.activeElement)).toBe(true);
    await poll(() => tab('step4').locator('.status').textContent()).toBe(` ✗ ${failed} failing`);
    await headerIsOneRow();

    // While it ran: results came one by one, a failure once shown never moved or left, the list stayed short.
    const seen = await page.evaluate(() => (window as unknown as { seen: { failures: string[]; tops: number[]; rows: number; progress: string }[] }).seen);
    expect(seen.some((s) => /^\d+ of \d+ checked; now: /.test(s.progress))).toBe(true);
    for (let i = 1; i < seen.length; i++) {
      const [before, after] = [seen[i - 1]!, seen[i]!];
      expect(after.failures.slice(0, before.failures.length)).toEqual(before.failures);
      expect(after.tops.slice(0, before.tops.length)).toEqual(before.tops);
    }
    expect(Math.max(...seen.map((s) => s.rows))).toBeLessThanOrEqual(failed + 3);

    // Each fold opens to its list; a skip says why.
    await passes.locator('summary').click();
    await poll(() => page.locator('#check-list .check.ok').first().isVisible()).toBe(true);
    await skips.locator('summary').click();
    expect(await skips.locator('.check.skipped .message').first().textContent()).toMatch(/^Not checked: /);
  }, 120_000);

  it('compares the workspace with the solution in one click, before any pass', async () => {
    const compare = page.locator('#show-diff');
    expect(await compare.textContent()).toBe('Compare with the solution');
    expect(await compare.isVisible()).toBe(true);
    await compare.click();
    const diff = page.locator('#diff');
    await poll(() => diff.textContent()).toMatch(/^\d+ files? differs? from step4's solution/);
    expect(await diff.locator('.add').count()).toBeGreaterThan(0);
    expect(await compare.getAttribute('aria-expanded')).toBe('true');
    // With the comparison open above them, the learner presses V: the first failure still comes into view.
    const first = page.locator('#check-list > li.check.bad').first();
    expect(await whollyInView(first.locator('.title'))).toBe(false);
    await verifyAndWait('step4', page, true);
    expect(await whollyInView(first.locator('.title'))).toBe(true);
    await compare.click();
    expect(await diff.isVisible()).toBe(false);
    // The solution runs beside the learner's app, as before.
    await page.locator('#see-solution').click();
    await poll(() => page.locator('#show-solution').getAttribute('aria-pressed')).toBe('true');
    await page.locator('#show-workspace').click();
  }, 60_000);

  it('a check’s link to another step shows that slide and keeps the checks, the failures and the runner; Back returns', async () => {
    await page.locator('#next').click();
    await page.locator('#next').click();
    await poll(() => counter().textContent()).toMatch(/^step4: 3 \//);
    const before = await summary().textContent();
    const failures = await page.locator('#check-list > li.check.bad').count();
    const moves: string[] = [];
    page.on('request', (r) => new URL(r.url()).pathname === '/api/step' && moves.push(r.method()));
    // A pass of an earlier step, in the opened fold, links to where its step teaches it.
    const link = page.locator('#check-list .slide-link a', { hasText: /^See step [123], slide \d+/ }).first();
    const [, other, n] = /^#\/(step\d)\/(\d+)$/.exec((await link.getAttribute('href'))!)!;
    await link.click();
    await poll(() => counter().textContent()).toMatch(new RegExp(`^${other}: ${n} /`));
    const back = page.locator('.slide-controls #peek button');
    await poll(() => back.textContent()).toBe('Back to step4, slide 3');
    // The checks stay on step 4, failures and all.
    expect(await page.locator('#verify').textContent()).toBe('Verify step4');
    expect(await summary().textContent()).toBe(before);
    expect(await page.locator('#check-list > li.check.bad').count()).toBe(failures);
    await back.click();
    await poll(() => counter().textContent()).toMatch(/^step4: 3 \//);
    expect(await back.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('slide');
    // Nothing asked the runner to move.
    expect(moves).toEqual([]);
    expect(await runnerStep()).toBe('step4');
  }, 30_000);
});

describe('a crash in the checks', () => {
  it('shows its stderr as printed: the caret under the column it points at, markup as text', async () => {
    const appJs = join(runner.workspace, 'app.js');
    const good = await readFile(appJs, 'utf8');
    const bad = `const page = '<img src=x onerror="window.__pwned=1">' + ;`;
    await writeFile(appJs, `${good}\n${bad}\n`);
    try {
      await verifyAndWait('step4');
      const first = page.locator('#check-list > li.check.bad').first();
      expect(await first.locator('.title').textContent()).toBe('The app starts and listens on PORT');
      const output = first.locator('.message pre.output');
      expect(await output.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('pre');
      const lines = (await output.textContent())!.split('\n');
      const source = lines.findIndex((l) => l.includes(bad));
      expect(source).toBeGreaterThanOrEqual(0);
      // Node's caret points at the `;` that has no operand.
      expect(lines[source + 1]!.indexOf('^')).toBe(lines[source]!.indexOf('+ ;') + 2);
      expect(await page.locator('#check-list img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    } finally {
      await writeFile(appJs, good);
    }
  }, 90_000);
});

describe('on a phone', () => {
  it('brings the first failure into view after Verify', async () => {
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const p = phone.page;
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      await p.goto(`${runner.link}#/step4/1`);
      await showChecks(p);
      await expect
        .poll(() => p.locator('#verify').textContent(), { timeout: 20_000 })
        .toBe('Verify step4')
        .catch((err: Error) => Promise.reject(new Error(`${err.message}\nThe page's errors: ${errors.join('\n') || 'none'}`)));
      await verifyAndWait('step4', p);
      const title = p.locator('#check-list > li.check.bad .title').first();
      await expect.poll(() => title.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight;
      })).toBe(true);
    } finally {
      await phone.close();
    }
  }, 90_000);
});
