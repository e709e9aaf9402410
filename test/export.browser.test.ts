// The export, end to end: `npm run workshop -- export <dir>` for real, then
// Chromium opens step 3 from the file and a learner's keyboard walks it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/repo.ts';
import { steps } from '../runner/steps.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';

const cli = (...args: string[]) =>
  execa('node', [join(repoRoot, 'runner', 'launch.js'), ...args], { cwd: repoRoot, reject: false, env: { NO_COLOR: '1' } });

// Each seed slide's topic, in the seed's order, as step 3 shows it today.
const seedTopics = [
  'Having a persistent session store',
  'What is a session?',
  'Thanks, Wikipedia',
  'Using connect-redis',
  'Redis session store for Connect',
  'Add connect-redis, express-session and redis',
  'Import connect-redis and set it up for express',
  'Keep the cookie parser, and one secret for both',
  'Configure a new session with our Redis SessionStore',
  'routes/index.js',
  'views/index.pug',
  'Add a res.locals helper to give every view the session',
  'Start our redis server',
  'Start your app!',
  '', // the screenshot
  'Use redis-cli to view the session objects',
];

describe('npm run workshop -- export <dir>', () => {
  let dir: string;
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deck-export-'));
    const result = await cli('export', dir);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes an index and one page per deck', () => {
    expect(readdirSync(dir).sort()).toEqual(['index.html', ...steps().map((s) => `${s.name}.html`)].sort());
  });

  it('shows step 3 in Chromium: every seed topic, live code, transcripts and the screenshot, all offline', async () => {
    const { page } = browser;
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(dir, 'step3.html')).href);

    const current = page.locator('.slide.current');
    expect(await page.locator('.slide').count()).toBe(18);
    expect(await page.locator('.slide:visible').count()).toBe(1);

    for (const [i, topic] of seedTopics.entries()) {
      expect(await current.getAttribute('data-number')).toBe(String(i + 1));
      expect(await page.locator('[data-deck-counter]').textContent()).toBe(`${i + 1} / 18`);
      if (topic) expect((await current.innerText()).replace(/\s+/g, ' ')).toContain(topic);
      await page.keyboard.press('ArrowRight');
    }
    expect(await current.innerText()).toContain("When it doesn't work");
    await page.keyboard.press('End');
    expect(await current.innerText()).toContain('npm run verify step3');

    // The session slide: code from steps/step3/app.js, numbered as in the file, its store line highlighted.
    await page.goto(pathToFileURL(join(dir, 'step3.html')).href + '#9');
    const store = current.locator('.code .line.hl', { hasText: 'store,' });
    const storeLine = readFileSync(join(repoRoot, 'steps', 'step3', 'app.js'), 'utf8').split('\n').findIndex((l) => l.includes('store, // Redis')) + 1;
    expect(storeLine).toBeGreaterThan(0);
    expect(await store.getAttribute('data-line')).toBe(String(storeLine));
    expect(await store.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(
      await current.locator('.code .line:not(.hl)').first().evaluate((el) => getComputedStyle(el).backgroundColor),
    );

    // The transcript of redis-cli, styled as a terminal.
    await page.goto(pathToFileURL(join(dir, 'step3.html')).href + '#16');
    const term = current.locator('figure.term');
    expect(await term.locator('.cmd').first().textContent()).toBe("redis-cli --scan --pattern 'sess:*'");
    expect(await term.innerText()).toMatch(/"visits\\":3/);

    // The screenshot, inlined, really decoded by the browser.
    await page.goto(pathToFileURL(join(dir, 'step3.html')).href + '#15');
    const img = current.locator('img');
    expect(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);

    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
  });

  it('prints every slide', async () => {
    const { page } = browser;
    await page.goto(pathToFileURL(join(dir, 'step2.html')).href);
    await page.emulateMedia({ media: 'print' });
    const visible = await page.locator('.slide:visible').count();
    await page.emulateMedia({ media: 'screen' });
    expect(visible).toBe(await page.locator('.slide').count());
  });

  it('refuses to overwrite a file it did not write, and needs a directory', async () => {
    const other = mkdtempSync(join(tmpdir(), 'deck-export-'));
    try {
      writeFileSync(join(other, 'index.html'), '<p>mine</p>');
      const refused = await cli('export', other);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain('exists and was not written by the export');
      const usage = await cli('export');
      expect(usage.exitCode).toBe(2);
      expect(usage.stderr).toMatch(/^Name one directory/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
