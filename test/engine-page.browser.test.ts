// The page on another workshop than this repository's, in real Chromium at
// 1280×720 against the real runner: a copy of test/fixtures/workshops/greetings,
// whose steps are called `page` and `api`, with one oversized slide added.
//
// Step tabs and deep links work whatever the steps are called.
//
// A slide too big for its box, as a keyboard user meets it. An author's slide
// that does not fit even at the smallest font and in two columns scrolls
// instead: it can be focused, Space (or PageDown) scrolls it down to its very
// last line, which is then in view, without turning the page or changing the
// deep link, and the next Space turns the page. Shift+Space and PageUp scroll
// it back up before turning back. The slide after it fits, and does not scroll.
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { repoRoot } from './helpers/repo.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { greetingsCopy, type GreetingsCopy } from './helpers/greetings.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { runnerFetch } from './helpers/runner-http.ts';

/** The oversized slide's listing: far more lines than two columns hold at the smallest font. */
const listingLines = 160;
const lastLine = "export const lastLine = 'the end of the listing';";
const listing = [
  ...Array.from({ length: listingLines - 1 }, (_, i) => `const greeting${i + 1} = 'Hello, visitor number ${i + 1}';`),
  lastLine,
].join('\n');

const oversizedSlide = `## \`greetings.js\`
### The whole file, at once

\`\`\`js
${listing}
\`\`\`
`;

// The "page" deck: 1 title, 2 "Say hello", 3 the oversized slide, 4 "Your turn".
const deck = 'page';
const total = 4;
const oversized = 3;
const counter = (n: number) => `${deck}: ${n} / ${total}`;

let copy: GreetingsCopy | undefined;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  copy = await greetingsCopy('greetings-oversized-');
  const deckFile = join(copy.root, 'slides', `${deck}.md`);
  const slides = (await readFile(deckFile, 'utf8')).split('\n---\n');
  expect(slides).toHaveLength(3);
  slides.splice(2, 0, `\n${oversizedSlide}`);
  await writeFile(deckFile, slides.join('\n---\n'));

  // Greetings needs no Redis: the runner starts none.
  runner = await startWorkshopRunner({ args: ['--workshop', copy.root] });
  const served = (await (await runnerFetch(runner.link, `api/decks/${deck}`)).json()) as { slides: { title: string }[]; problems: unknown[] };
  expect(served.problems).toEqual([]);
  expect(served.slides.map((s) => s.title)).toEqual(['A page that says hello', 'app.js: Say hello', 'greetings.js: The whole file, at once', 'Your turn']);

  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  await page.goto(runner.link);
  await page.waitForFunction((text) => document.getElementById('counter')?.textContent === text, counter(1));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await copy?.dispose();
});

interface SlideView {
  counter: string;
  hash: string;
  scrolls: boolean;
  twoColumns: boolean;
  tabIndex: number;
  textPx: number;
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
  /** Less than 2px left to scroll: where slides.js stops scrolling and turns the page. */
  atEnd: boolean;
  /** The listing's last line is inside the slide's visible box, and on top there (not covered, not clipped). */
  lastLineSeen: boolean;
}

function slideView(): Promise<SlideView> {
  return page.evaluate(() => {
    const slide = document.getElementById('slide')!;
    let lastLineSeen = false;
    const last = slide.querySelector('figure.code .line:last-child .lc');
    if (last) {
      const box = slide.getBoundingClientRect();
      const inner = { top: box.top + slide.clientTop, left: box.left + slide.clientLeft };
      const r = last.getBoundingClientRect();
      const inside =
        r.height > 0 &&
        r.top >= inner.top - 1 &&
        r.bottom <= inner.top + slide.clientHeight + 1 &&
        r.left >= inner.left - 1 &&
        r.right <= inner.left + slide.clientWidth + 1;
      const hit = document.elementFromPoint(r.left + 4, r.top + r.height / 2);
      lastLineSeen = inside && hit !== null && last.contains(hit);
    }
    return {
      counter: document.getElementById('counter')!.textContent ?? '',
      hash: location.hash,
      scrolls: slide.classList.contains('scrolls'),
      twoColumns: slide.classList.contains('two-columns'),
      tabIndex: slide.tabIndex,
      textPx: parseFloat(getComputedStyle(slide).fontSize),
      scrollTop: slide.scrollTop,
      scrollHeight: slide.scrollHeight,
      clientHeight: slide.clientHeight,
      atEnd: slide.scrollHeight - slide.clientHeight - slide.scrollTop < 2,
      lastLineSeen,
    };
  });
}

const scrollTop = () => page.locator('#slide').evaluate((el) => el.scrollTop);
const focused = () => page.evaluate(() => document.activeElement?.id);

/** Presses `key` on the oversized slide: it scrolls in `direction`, and stays the slide shown, deep link and all. */
async function pressToScroll(key: string, direction: 1 | -1, where: string) {
  const from = await scrollTop();
  await page.keyboard.press(key);
  const scrolled = expect.poll(scrollTop, { message: `${key} scrolls the slide ${direction > 0 ? 'down' : 'up'} (${where})` });
  await (direction > 0 ? scrolled.toBeGreaterThan(from) : scrolled.toBeLessThan(from));
  const view = await slideView();
  expect(view.counter, `${key} keeps the slide (${where})`).toBe(counter(oversized));
  expect(view.hash, `${key} keeps the deep link (${where})`).toBe(`#/${deck}/${oversized}`);
  return view;
}

describe('a slide too big to fit, by keyboard', () => {
  it('scrolls, once focused, with Space to its last line before the page turns; the slide after it fits', async () => {
    // Arrow keys on the page, as a learner starts: on to the oversized slide.
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#counter').textContent()).toBe(counter(oversized - 1));
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#counter').textContent()).toBe(counter(oversized));

    const arrived = await slideView();
    expect(arrived.hash).toBe(`#/${deck}/${oversized}`);
    expect(arrived.scrolls, 'the oversized slide scrolls').toBe(true);
    expect(arrived.twoColumns, 'one column that scrolls, not two that overflow').toBe(false);
    // Shrunk to the floor (13px for prose) first; and its end is out of sight.
    expect(arrived.textPx).toBeLessThan(13.1);
    expect(arrived.textPx).toBeGreaterThanOrEqual(12.9);
    // More than twice its box: two columns of it would not fit either.
    expect(arrived.scrollHeight).toBeGreaterThan(2 * arrived.clientHeight);
    expect(arrived.scrollTop).toBe(0);
    expect(arrived.atEnd).toBe(false);
    expect(arrived.lastLineSeen, 'the last line is out of sight before scrolling').toBe(false);

    // In the tab order: Tab from the header's last control (the shortcuts' ?), just before it, lands on it.
    expect(arrived.tabIndex, 'the oversized slide is in the tab order').toBe(0);
    await page.locator('#help').focus();
    await page.keyboard.press('Tab');
    expect(await focused(), 'Tab reaches the oversized slide').toBe('slide');

    // Space scrolls it down, press after press, keeping the slide and its deep link, to its end.
    let view = await pressToScroll('Space', 1, 'first Space');
    for (let presses = 1; !view.atEnd; presses++) {
      expect(presses, 'Space reaches the end of the slide').toBeLessThan(20);
      view = await pressToScroll('Space', 1, `Space ${presses + 1}`);
    }
    // Nothing is clipped for good: the listing's last line is in view.
    expect(view.lastLineSeen, 'the last line is in view at the end').toBe(true);

    // At its end, Space turns the page; the next slide fits, and does not scroll.
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('#counter').textContent()).toBe(counter(oversized + 1));
    const next = await slideView();
    expect(next.hash).toBe(`#/${deck}/${oversized + 1}`);
    expect(next.scrolls, 'the slide after it does not scroll').toBe(false);
    expect(next.tabIndex).toBe(-1);
    expect(next.atEnd).toBe(true);
  });

  it('scrolls back up with Shift+Space and PageUp before turning back', async () => {
    // From the slide after it (End: the last slide), Shift+Space turns back to it, at its top.
    await page.locator('#slide').focus();
    await page.keyboard.press('End');
    await expect.poll(() => page.locator('#counter').textContent()).toBe(counter(oversized + 1));
    await page.keyboard.press('Shift+Space');
    await expect.poll(() => page.locator('#counter').textContent()).toBe(counter(oversized));
    const back = await slideView();
    expect(back.scrolls).toBe(true);
    expect(back.scrollTop, 'turning back shows the slide from its top').toBe(0);
    expect(await focused()).toBe('slide');

    // PageDown scrolls down as Space does; Shift+Space and PageUp scroll back up, to the top.
    await pressToScroll('PageDown', 1, 'PageDown');
    await pressToScroll('PageDown', 1, 'second PageDown');
    let view = await pressToScroll('Shift+Space', -1, 'Shift+Space');
    for (let presses = 0; view.scrollTop >= 2; presses++) {
      expect(presses, 'PageUp reaches the top of the slide').toBeLessThan(20);
      view = await pressToScroll('PageUp', -1, `PageUp ${presses + 1}`);
    }

    // At its top, PageUp turns back.
    await page.keyboard.press('PageUp');
    await expect.poll(() => page.locator('#counter').textContent()).toBe(counter(oversized - 1));
    expect((await slideView()).hash).toBe(`#/${deck}/${oversized - 1}`);
  });
});

describe('steps that are not called stepN', () => {
  it('the step tabs, a deep link and a reload show the slide they name', async () => {
    const api = (await (await runnerFetch(runner.link, `api/decks/api`)).json()) as { slides: unknown[] };
    await page.locator('#steps a[href="#/api/1"]').click();
    await expect.poll(() => page.locator('#counter').textContent()).toBe(`api: 1 / ${api.slides.length}`);
    expect(await page.evaluate(() => location.hash)).toBe('#/api/1');

    await page.goto(`${runner.link}#/${deck}/${oversized}`);
    await expect.poll(() => page.locator('#counter').textContent()).toBe(counter(oversized));
    await page.reload();
    await expect.poll(() => page.locator('#counter').textContent()).toBe(counter(oversized));
    expect(await page.evaluate(() => location.hash)).toBe(`#/${deck}/${oversized}`);
  });
});
