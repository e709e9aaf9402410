// The page as a learner sees it, in real Chromium against the real runner:
// every slide of every deck fits its box on a laptop, with no scrolling,
// the page itself never scrolls away from the step
// tabs, nothing widens it on a phone or at 200% zoom, dark mode and forced
// colours keep their meaning and contrast, the slide's title is announced,
// and the copy buttons and the slide overview do what they say.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { repoRoot } from './helpers/repo.ts';
import { steps } from '../runner/steps.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { runnerFetch } from './helpers/runner-http.ts';

let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;
const titles = new Map<string, string[]>();

beforeAll(async () => {
  redis = await throwawayRedis();
  runner = await startWorkshopRunner({ env: { REDIS_URL: redis.url } });
  for (const step of steps()) {
    const deck = (await (await runnerFetch(runner.link, `api/decks/${step.name}`)).json()) as { slides: { title: string }[] };
    titles.set(step.name, deck.slides.map((s) => s.title));
  }
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  await page.addInitScript(installPaint);
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(runner.url).origin });
  await page.goto(`${runner.link}#/step1/1`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await redis?.dispose();
});

const decks = () => [...titles].map(([step, list]) => ({ step, total: list.length }));

/** Shows a slide through its deep link, as a learner's link would, once it is laid out and fitted. */
async function showSlide(step: string, n: number) {
  const total = titles.get(step)!.length;
  // One round trip per slide: the page waits for itself. The slide is fitted as it is
  // rendered (a MutationObserver), so once the counter says so, only images may be pending.
  await page.evaluate(
    async ({ hash, text }) => {
      const deadline = Date.now() + 10_000;
      location.hash = hash;
      while (document.getElementById('counter')?.textContent !== text) {
        if (Date.now() > deadline) throw new Error(`the counter never said "${text}"`);
        await new Promise((r) => setTimeout(r, 0));
      }
      const images = [...document.querySelectorAll<HTMLImageElement>('#slide img')];
      if (!images.length) return;
      // Decoded, then loaded: the slide is fitted again on load.
      await Promise.all(images.map((img) => img.decode().catch(() => {})));
      await new Promise((r) => requestAnimationFrame(r));
    },
    { hash: `#/${step}/${n}`, text: `${step}: ${n} / ${total}` },
  );
}

interface SlideLayout {
  /** Elements reaching outside the slide's box, by how many pixels. */
  outside: string[];
  scrolls: boolean;
  tabIndex: number;
  textPx: number;
  /** The smallest font of the slide's prose. */
  minTextPx: number;
  /** The smallest font of its denser parts: code, inline or not, file names, tables, buttons. */
  minCodePx: number;
  /** The smallest font of its code excerpts and transcripts. */
  minPrePx: number;
  /** 2 when the slide flows into two columns. */
  columns: number;
  /** What must stay on one line and does not: a caption's "lines 11–24", a word of a command or of code in a sentence. */
  cut: string[];
}

function slideLayout(): Promise<SlideLayout> {
  return page.evaluate(() => {
    const slide = document.getElementById('slide')!;
    const box = slide.getBoundingClientRect();
    const outside: string[] = [];
    for (const el of slide.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const over = Math.max(box.left - r.left, box.top - r.top, r.right - box.right, r.bottom - box.bottom);
      if (over > 1) outside.push(`${el.tagName.toLowerCase()}.${el.className} by ${Math.round(over)}px`);
    }
    for (const el of [slide, ...slide.querySelectorAll('pre')]) {
      if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) outside.push(`${el.tagName.toLowerCase()} scrolls`);
    }
    const px = (el: Element) => parseFloat(getComputedStyle(el).fontSize);
    // The page's own controls in a slide (checks.js's "Or here: Verify") count with the dense parts.
    const texts = [...slide.querySelectorAll('p, li, h1, h2, h3, h4, blockquote')].filter((el) => !el.closest('.verify-here'));
    const code = [...slide.querySelectorAll('pre, code, figcaption, button, td, th, .verify-here')];
    return {
      outside,
      scrolls: slide.classList.contains('scrolls'),
      tabIndex: slide.tabIndex,
      textPx: px(slide),
      minTextPx: Math.min(...texts.map(px)),
      minCodePx: Math.min(...code.map(px)),
      minPrePx: Math.min(...[...slide.querySelectorAll('pre')].map(px)),
      columns: slide.classList.contains('two-columns') ? 2 : 1,
      cut: [...slide.querySelectorAll('figcaption .range, .cmd .word, :not(pre) > code .word')]
        .filter((el) => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size > 1)
        .map((el) => el.textContent!),
    };
  });
}

// The font floors of a slide (slides.js fontFloors, slides.css --code-floor and --dense-floor): a dense
// slide flows into two columns rather than shrink below them. Between neighbouring slides of a deck the
// prose changes by `maxJumpPx` at most, so reading slide after slide the size never leaps: from the
// floor to the most slides.css allows (1em of the page: 17px at 1280×720), never the 12px to 19.6px of before.
const floors = { textPx: 13, codePx: 12, densePx: 12, maxJumpPx: 4.1 };
/**
 * Slides too full for the floors even in two columns at 1024×768 (their commands rewritten for the
 * runner, a little longer): they scroll (Space scrolls them) until their authors split them. At
 * 1280×720 every slide fits. Any other slide that scrolls fails.
 */
const tooFull: Record<string, string[]> = {
  '1280×720': [],
  '1024×768': ['step3/7', 'step4/7', 'step4/8', 'step4/16', 'step4/18', 'step4/29', 'step5/7', 'step5/14', 'step5/15', 'step5/16', 'step5/19'],
};

describe('the page at laptop sizes', () => {
  it(`fits every slide of every deck in its box at 1280×720 and 1024×768 (but the few too full), prose ≥ ${floors.textPx}px, code ≥ ${floors.codePx}px, file names and tables ≥ ${floors.densePx}px, and no leap in size between neighbours`, async () => {
    const report: string[] = [];
    const wrong: string[] = [];
    const check = (ok: boolean, what: string) => void (ok || wrong.push(what));
    for (const size of [{ width: 1280, height: 720 }, { width: 1024, height: 768 }]) {
      await page.setViewportSize(size);
      const scrolling: string[] = [];
      const table: string[] = [];
      for (const { step, total } of decks()) {
        let before: SlideLayout | undefined;
        for (let n = 1; n <= total; n++) {
          await showSlide(step, n);
          const layout = await slideLayout();
          const where = `${step}/${n} at ${size.width}×${size.height}`;
          table.push(`${step}/${n}\t${layout.textPx.toFixed(1)}\t${layout.minTextPx.toFixed(1)}\t${layout.minCodePx.toFixed(1)}\t${layout.minPrePx.toFixed(1)}\t${layout.columns}`);
          check(layout.minTextPx >= floors.textPx - 0.1, `${where}: prose at ${layout.minTextPx}px`);
          check(layout.minPrePx >= floors.codePx - 0.1, `${where}: code at ${layout.minPrePx}px`);
          check(layout.cut.length === 0, `${where}: cut across lines: ${layout.cut.join(', ')}`);
          check(layout.minCodePx >= floors.densePx - 0.1, `${where}: file names, tables or buttons at ${layout.minCodePx}px`);
          if (before) check(Math.abs(layout.textPx - before.textPx) <= floors.maxJumpPx, `${where}: ${before.textPx}px → ${layout.textPx}px from the slide before`);
          before = layout;
          if (!layout.scrolls) {
            check(layout.outside.length === 0, `${where}: outside its box: ${layout.outside.join(', ')}`);
            continue;
          }
          // A slide scrolls only when even the smallest font does not fit it; then it can
          // be focused, and Space scrolls it to its end before turning the page.
          scrolling.push(`${step}/${n}`);
          expect(layout.textPx, where).toBeLessThan(floors.textPx + 0.1);
          expect(layout.tabIndex, where).toBe(0);
          await page.locator('#slide').focus();
          for (let presses = 0; ; presses++) {
            const atEnd = await page.locator('#slide').evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
            if (atEnd) break;
            expect(presses, `${where}: Space reaches the end`).toBeLessThan(10);
            await page.keyboard.press(' ');
            expect(await page.locator('#counter').textContent(), where).toBe(`${step}: ${n} / ${total}`);
          }
          await page.keyboard.press(' ');
          await expect.poll(() => page.locator('#counter').textContent(), { message: where }).toBe(`${step}: ${Math.min(n + 1, total)} / ${total}`);
        }
      }
      // Every slide's sizes, to compare a change of the floors or the decks with the run before.
      console.log(`${size.width}×${size.height}\nslide\ttext\tminText\tminDense\tminCode\tcolumns\n${table.join('\n')}`);
      report.push(`${size.width}×${size.height}: ${scrolling.length} of ${decks().reduce((a, d) => a + d.total, 0)} scroll (${scrolling.join(', ')})`);
      // Scrolling by keyboard is the fallback for an author's slide that cannot fit even at the floors:
      // checked above whenever one scrolls. Only the slides known to be too full may.
      check(scrolling.every((slide) => tooFull[`${size.width}×${size.height}`]!.includes(slide)), report.at(-1)!);
    }
    console.log(report.join('\n'));
    expect(wrong).toEqual([]);
  }, 120_000);

  it('keeps the step tabs in view when the side panel is scrolled to its end, with results listed', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await showSlide('step1', 1);
    await page.locator('#verify').click();
    await expect.poll(() => page.locator('#verify-summary').getAttribute('data-result'), { timeout: 30_000 }).toMatch(/passed|failed/);
    expect(await page.locator('#check-list .check .visually-hidden').count()).toBeGreaterThan(0);
    // The checks' tab scrolls on its own, under the app; the page never does.
    const checks = page.locator('#checks-panel');
    await checks.hover();
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 400);
    await expect.poll(() => checks.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2)).toBe(true);
    const view = await page.evaluate(() => ({
      pageHeight: document.scrollingElement!.scrollHeight,
      scrolled: document.scrollingElement!.scrollTop,
      tabsTop: document.getElementById('steps')!.getBoundingClientRect().top,
    }));
    expect(view.pageHeight).toBeLessThanOrEqual(720);
    expect(view.scrolled).toBe(0);
    expect(view.tabsTop).toBeGreaterThanOrEqual(0);
  }, 60_000);
});

describe('on a phone and at 200% zoom', () => {
  it('never widens the page past the screen, on any slide', async () => {
    // 200% zoom of a 1280×720 window lays the page out in 640×360 CSS pixels.
    for (const size of [{ width: 390, height: 844 }, { width: 640, height: 360 }]) {
      await page.setViewportSize(size);
      for (const { step, total } of decks()) {
        for (let n = 1; n <= total; n++) {
          await showSlide(step, n);
          const where = `${step}/${n} at ${size.width}×${size.height}`;
          expect((await slideLayout()).cut, where).toEqual([]);
          const view = await page.evaluate(() => {
            const slide = document.getElementById('slide')!;
            return {
              width: document.scrollingElement!.scrollWidth,
              pane: document.querySelector('.slides-pane')!.getBoundingClientRect().height,
              // A slide taller than its pane scrolls inside it (the controls stay in reach): it must say so and take the focus.
              cut: slide.scrollHeight > slide.clientHeight + 1 && !(slide.classList.contains('scrolls') && slide.tabIndex === 0 && getComputedStyle(slide).overflowY === 'auto'),
            };
          });
          expect(view.width, where).toBeLessThanOrEqual(size.width);
          // One pane at a time: the slide takes most of the screen, and its content is never cut.
          expect(view.pane, where).toBeGreaterThanOrEqual(size.height * 0.7 - 1);
          expect(view.cut, where).toBe(false);
        }
      }
    }
  }, 90_000);

  it('breaks redis-cli and curl commands at their spaces, never inside a word, hyphens included', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const broken: string[] = [];
    // Step 4's slides with a transcript of curl or redis-cli, the widest commands of the decks.
    const deck = readFileSync(join(repoRoot, 'slides', 'step4.md'), 'utf8').split(/^---\s*$/m);
    const wide = deck.flatMap((text, i) => {
      const transcripts = [...text.matchAll(/^term src='([^']+)'/gm)].map((m) => readFileSync(join(repoRoot, 'slides', m[1]!), 'utf8'));
      return transcripts.some((t) => /^\$ (?:curl|redis-cli)\b/m.test(t)) ? [i + 1] : [];
    });
    expect(wide.length, 'step 4 has curl and redis-cli transcripts to look at').toBeGreaterThanOrEqual(4);
    for (const n of wide) {
      await showSlide('step4', n);
      broken.push(
        ...(await page.evaluate(() => {
          const cut: string[] = [];
          for (const cmd of document.querySelectorAll('#slide .cmd')) {
            const line = cmd.closest('.lc')!;
            // A wrapped line continues after a hanging indent: that much narrower.
            const room = line.clientWidth - parseFloat(getComputedStyle(line).paddingLeft) - parseFloat(getComputedStyle(line).paddingRight);
            const words = document.createTreeWalker(cmd, NodeFilter.SHOW_TEXT);
            for (let text = words.nextNode() as Text | null; text; text = words.nextNode() as Text | null) {
              for (const m of text.data.matchAll(/\S+/g)) {
                const range = document.createRange();
                range.setStart(text, m.index);
                range.setEnd(text, m.index + m[0].length);
                const parts = [...range.getClientRects()];
                const width = parts.reduce((sum, r) => sum + r.width, 0);
                // Only a word longer than a whole line may be cut.
                if (new Set(parts.map((r) => Math.round(r.top))).size > 1 && width < room - 1) cut.push(m[0]);
              }
            }
          }
          return cut;
        })),
      );
    }
    expect(broken).toEqual([]);
  });
});

interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** In the page: the colours the learner sees, backgrounds blended down to the canvas and text dimmed by opacity. */
function installPaint() {
  const rgba = (c: string) => {
    const [r = 0, g = 0, b = 0, a = 1] = (c.match(/[\d.]+/g) ?? []).map(Number);
    return { r, g, b, a: c.startsWith('rgba') ? a : 1 };
  };
  const over = (top: Rgb & { a: number }, under: Rgb): Rgb => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
  });
  const background = (el: Element | null): Rgb => {
    if (!el) return { r: 255, g: 255, b: 255 };
    const own = rgba(getComputedStyle(el).backgroundColor);
    return own.a === 1 ? own : over(own, background(el.parentElement));
  };
  const text = (el: Element): Rgb => {
    // Opacity between the text and the first box that paints a background dims the text against it.
    let opacity = 1;
    let painted: Element | null = el;
    while (painted && rgba(getComputedStyle(painted).backgroundColor).a === 0) {
      opacity *= Number(getComputedStyle(painted).opacity);
      painted = painted.parentElement;
    }
    const fg = rgba(getComputedStyle(el).color);
    return over({ ...fg, a: fg.a * opacity }, background(painted));
  };
  const luminance = ({ r, g, b }: Rgb) => {
    const [R, G, B] = [r, g, b].map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
  };
  const contrast = (el: Element) => {
    const [hi, lo] = [luminance(text(el)), luminance(background(el))].sort((a, b) => b - a);
    return (hi! + 0.05) / (lo! + 0.05);
  };
  const rounded = ({ r, g, b }: Rgb) => [r, g, b].map(Math.round).join(',');
  /** What tells an element from its neighbours: painted background, text, border and outline. */
  const look = (el: Element) => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle === 'none' ? 'none' : s.outlineColor;
    return `bg ${rounded(background(el))} text ${rounded(text(el))} border ${s.borderLeftWidth} ${s.borderLeftColor} outline ${outline}`;
  };
  Object.assign(window, { paint: { contrast, look, luminance, text, background } });
}

/** installPaint's helpers, as the page has them. */
interface Paint {
  paint: {
    contrast(el: Element): number;
    look(el: Element): string;
    luminance(c: Rgb): number;
    text(el: Element): Rgb;
    background(el: Element | null): Rgb;
  };
}

/** WCAG contrast of each element's text on what is painted behind it. */
const contrasts = (selector: string) =>
  page.evaluate((sel) => [...document.querySelectorAll(sel)].map((el) => (window as unknown as Paint).paint.contrast(el)), selector);

const look = (selector: string) => page.locator(selector).first().evaluate((el) => (window as unknown as Paint).paint.look(el));

/** Relative luminance (0 black, 1 white) of an element's painted background, or of its text. */
const luminanceOf = (selector: string, what: 'text' | 'background') =>
  page.locator(selector).first().evaluate((el, w) => {
    const { paint } = window as unknown as Paint;
    return paint.luminance(w === 'text' ? paint.text(el) : paint.background(el));
  }, what);

describe('colours', () => {
  it('follows the system dark mode, page and deck, code included; comments and line numbers reach 4.5:1 in both themes', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    // app.js's imports: comments and line numbers, on plain and highlighted lines.
    await showSlide('step3', 7);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const comments = await contrasts('#slide .hljs-comment');
      const numbers = await contrasts('#slide .ln');
      expect(comments.length).toBeGreaterThan(0);
      expect(numbers.length).toBeGreaterThan(10);
      expect(Math.min(...comments), `comments, ${scheme}`).toBeGreaterThanOrEqual(4.5);
      expect(Math.min(...numbers), `line numbers, ${scheme}`).toBeGreaterThanOrEqual(4.5);
    }
    // Still dark from the loop above.
    expect(await luminanceOf('body', 'background')).toBeLessThan(0.05);
    expect(await luminanceOf('body', 'text')).toBeGreaterThan(0.6);
    expect(await luminanceOf('.panel', 'background')).toBeLessThan(0.05);
    expect(await luminanceOf('#slide figure.code pre', 'background')).toBeLessThan(0.05);
    expect(await luminanceOf('#slide p', 'text')).toBeGreaterThan(0.6);
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await luminanceOf('body', 'background')).toBeGreaterThan(0.9);
  });

  it('keeps the current step, the pressed button and highlighted lines apart in forced colours', async () => {
    await showSlide('step3', 9);
    await page.emulateMedia({ forcedColors: 'active' });
    try {
      expect(await look('#steps a[aria-current]')).not.toBe(await look('#steps a:not([aria-current])'));
      expect(await look('button[aria-pressed="true"]')).not.toBe(await look('button[aria-pressed="false"]'));
      expect(await look('#slide .line.hl')).not.toBe(await look('#slide .line:not(.hl)'));
    } finally {
      await page.emulateMedia({ forcedColors: 'none' });
    }
  });
});

describe('announcements and focus', () => {
  it("announces the slide's title, not only its number", async () => {
    await showSlide('step3', 13);
    const total = titles.get('step3')!.length;
    expect(await page.locator('#slide-announce').textContent()).toBe(`Slide 13 of ${total}: ${titles.get('step3')![12]}`);
    expect(await page.locator('#slide-announce').getAttribute('aria-live')).toBe('polite');
  });

  it('skips to the slide by focusing it, keeping the deep link', async () => {
    await showSlide('step3', 13);
    await page.locator('.skip-link').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('slide');
    expect(new URL(page.url()).hash).toBe('#/step3/13');
  });

  it('keeps the focus on the step tab the learner chose', async () => {
    await showSlide('step3', 2);
    await page.locator('#steps a[href="#/step2/1"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#counter').textContent()).toMatch(/^step2: 1 \//);
    await expect.poll(() => page.locator('#steps a[aria-current]').getAttribute('href')).toBe('#/step2/1');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#/step2/1');
  });
});

describe('copy buttons and the overview', () => {
  it('copies a code excerpt as the file has it', async () => {
    await showSlide('step3', 9);
    const figure = page.locator('#slide figure.code').first();
    const [from, to] = [Number(await figure.getAttribute('data-from')), Number(await figure.getAttribute('data-to'))];
    await figure.getByRole('button', { name: 'Copy the code' }).click();
    await expect.poll(() => figure.locator('.copy').textContent()).toBe('Copied');
    const file = readFileSync(join(repoRoot, 'steps', 'step3', 'app.js'), 'utf8').split('\n');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(file.slice(from - 1, to).join('\n'));
  });

  it("copies a transcript's commands, without the prompt or the output, for this runner's Redis", async () => {
    await showSlide('step3', 16);
    await page.locator('#slide figure.term').getByRole('button', { name: 'Copy the commands' }).click();
    const transcript = readFileSync(join(repoRoot, 'slides', 'term', 'redis-keys-sessions.txt'), 'utf8');
    const commands = transcript.split('\n').filter((l) => l.startsWith('$ ')).map((l) => l.slice(2));
    expect(commands.length).toBe(3);
    // The test's Redis is on a port of its own; the session is one in it, or the recording's while it has none.
    const sessions: string[] = [];
    for await (const batch of redis.client.scanIterator({ MATCH: 'sess:*' })) sessions.push(...batch);
    const copied = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
    const id = /sess:[\w-]+$/.exec(copied[1] ?? '')?.[0] ?? '';
    expect(sessions.length ? sessions : ['sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6']).toContain(id);
    const cli = `redis-cli -p ${redis.port}`;
    expect(copied).toEqual(commands.map((c) => c.replace(/^redis-cli/, cli).replace(/sess:[\w-]{16,}/, id)));
  });

  it("lists the deck's slides in an overview (key O), and goes to the one chosen", async () => {
    await showSlide('step3', 4);
    await page.locator('#counter').click();
    await page.keyboard.press('o');
    const overview = page.locator('#overview');
    await expect.poll(() => overview.isVisible()).toBe(true);
    expect(await page.locator('#overview-toggle').getAttribute('aria-expanded')).toBe('true');
    expect(await overview.locator('a').allTextContents()).toEqual(titles.get('step3'));
    expect(await overview.locator('a[aria-current]').getAttribute('href')).toBe('#/step3/4');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#/step3/4');
    await overview.locator('a').nth(12).click();
    await expect.poll(() => page.locator('#counter').textContent()).toBe(`step3: 13 / ${titles.get('step3')!.length}`);
    expect(new URL(page.url()).hash).toBe('#/step3/13');
    expect(await overview.isVisible()).toBe(false);
    // The button opens it too; Escape closes it and gives the focus back.
    await page.locator('#overview-toggle').click();
    await expect.poll(() => overview.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => overview.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('overview-toggle');
  });
});
