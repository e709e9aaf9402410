// The inspector shows every key of the app's Redis, not only sessions: the
// runner on this workshop's step 3, over a Redis of the test's own (found on
// WORKSHOP_REDIS_PORT, so the commands say `redis-cli -p PORT`), a session
// made by the learner's app in the app pane, and keys of each type written
// by a real client, with and without a TTL. What the learner sees in
// Chromium, and what the page's JSON stream (GET /api/events) carries: each
// key under its type, its TTL, its size, its value (the start of a long
// one) and the redis-cli command that reads it; the session still in its
// own list. A key deleted, or expired, goes. Screenshots go to /tmp (not
// committed): 1280×720, 390×844 (a phone) and dark mode.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { steps } from '../runner/steps.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { showRedisPanel } from './helpers/redis-panel.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { openEvents, type EventFrame } from './faults/helpers.ts';
import { textContrasts } from './helpers/contrast.ts';

const step3 = steps().find((s) => s.name === 'step3');
let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;
let events: Awaited<ReturnType<typeof openEvents>>;

beforeAll(async () => {
  if (!step3) return;
  redis = await throwawayRedis();
  // No REDIS_URL: the runner finds the Redis answering on the port, as a learner's own redis-server on 6379.
  runner = await startWorkshopRunner({ workspaceFrom: step3.dir, env: { REDIS_URL: '', WORKSHOP_REDIS_PORT: String(redis.port) } });
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  events = await openEvents(runner.link);
}, 60_000);

afterAll(async () => {
  events?.close();
  await browser?.close();
  await runner?.stop();
  await redis?.dispose();
});

const cli = () => `redis-cli -p ${redis.port}`;
const item = (key: string) => page.locator(`#keys li[data-key="${key}"]`);
const cells = (key: string) =>
  item(key).evaluate((li) => [...li.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
const heads = (key: string) => item(key).evaluate((li) => [...li.querySelectorAll('thead th')].map((th) => th.textContent));
/** The latest inspector frame on the page's stream that satisfies `ok`. */
const frame = (what: string, ok: (data: any) => boolean, from = 0) =>
  events.next(what, (f: EventFrame) => f.event === 'inspector' && !f.data.error && ok(f.data), 15_000, from);
type Key = { key: string; type: string; ttl: number; size?: number; value?: string; rows?: string[][]; partial: boolean; cli: string };
const keyIn = (data: { keys: Key[] }, key: string) => data.keys.find((k) => k.key === key);
const fullStream: string[] = [];

describe.runIf(step3)('every key of the app\'s Redis, by type', () => {
  it('keeps the app\'s session in its own list, decoded as before, and not again below', async () => {
    await page.goto(`${runner.link}#/step3/1`);
    await expect.poll(() => page.locator('#redis-panel').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.locator('#show-workspace').click();
    const app = page.frameLocator('#app-frame');
    await expect.poll(() => app.locator('body').textContent(), { timeout: 20_000 }).toContain('visited this page 1 time');
    const session = page.locator('#sessions li');
    await expect.poll(() => session.count(), { timeout: 5000 }).toBe(1);
    expect(await session.locator('.key').textContent()).toMatch(/^sess:/);
    expect(await session.locator('.ttl').textContent()).toMatch(/^expires in /);
    expect(await session.locator('.value').textContent()).toContain('"visits": 1');
    expect(await session.locator('.cli').textContent()).toMatch(new RegExp(`^${cli()} GET sess:\\S+ {2}&& {2}${cli()} TTL sess:\\S+$`));
    expect(await page.locator('#inspector-note').textContent()).toBe('1 session.');
    expect(await page.locator('#inspector-cli').textContent()).toBe(`${cli()} --scan --pattern 'sess:*'`);
    // Nothing else in Redis yet: no list of other keys.
    expect(await page.locator('#keys-box').isVisible()).toBe(false);
    expect(await page.locator('#redis-heading').textContent()).toBe('What is in Redis');
  }, 60_000);

  it('lists each key under its type, with its TTL, size, value and the command that reads it', async () => {
    const c = redis.client;
    await c.set('greeting', 'hello');
    await c.set('cache:home', JSON.stringify({ title: 'Home', items: [1, 2] }), { EX: 600 });
    await c.hSet('note:1', { title: 'Buy milk', done: 'no' });
    await c.expire('note:1', 300);
    await c.rPush('notes', ['first note', 'second note', 'third note']);
    await c.sAdd('tags', ['redis', 'express', 'node']);
    await c.zAdd('scores', [{ score: 3, value: 'ada' }, { score: 1.5, value: 'bob' }]);
    await c.expire('scores', 1000);
    fullStream.push(await c.xAdd('events', '*', { type: 'login', user: 'ada' }), await c.xAdd('events', '*', { type: 'logout', user: 'ada' }));
    await c.rPush('big:list', Array.from({ length: 50 }, (_, i) => `item ${i}`));
    await c.set('big:text', 'x'.repeat(10_000));

    await expect.poll(() => page.locator('#keys li').count(), { timeout: 10_000 }).toBe(9);
    expect(await page.locator('#keys-heading').textContent()).toBe('Other keys, by type');
    expect(await page.locator('#keys-note').textContent()).toBe('9 keys: 3 strings, 1 hash, 2 lists, 1 set, 1 sorted set, 1 stream.');
    expect(await page.locator('#keys-cli').textContent()).toBe(`${cli()} --scan`);
    expect(await page.locator('#keys .key-group h4').allTextContents()).toEqual(['Strings (3)', 'Hashes (1)', 'Lists (2)', 'Sets (1)', 'Sorted sets (1)', 'Streams (1)']);
    // In each group, by key.
    expect(await page.locator('#keys .key-group[data-type=string] li .key').allTextContents()).toEqual(['big:text', 'cache:home', 'greeting']);
    // The session is not among them; the inspector's note now says where the rest is.
    expect(await page.locator('#keys li[data-key^="sess:"]').count()).toBe(0);
    expect(await page.locator('#sessions li').count()).toBe(1);

    const summary = async (key: string) => ({
      type: await item(key).locator('.key-type').textContent(),
      size: await item(key).locator('.key-size').textContent(),
      ttl: await item(key).locator('.ttl').textContent(),
      cli: await item(key).locator('.cli').textContent(),
    });
    expect(await summary('greeting')).toEqual({ type: 'string', size: '5 bytes', ttl: 'never expires', cli: `${cli()} GET greeting  &&  ${cli()} TTL greeting` });
    expect(await item('greeting').locator('pre.value').textContent()).toBe('hello');

    const home = await summary('cache:home');
    expect(home).toMatchObject({ type: 'string', size: `${JSON.stringify({ title: 'Home', items: [1, 2] }).length} bytes`, cli: `${cli()} GET cache:home  &&  ${cli()} TTL cache:home` });
    expect(home.ttl).toMatch(/^expires in (10 min 0 s|9 min \d+ s) \(TTL (600|5\d\d)\)$/);
    // JSON, pretty-printed as a session is.
    expect(await item('cache:home').locator('pre.value').textContent()).toBe(JSON.stringify({ title: 'Home', items: [1, 2] }, null, 2));

    const note = await summary('note:1');
    expect(note).toMatchObject({ type: 'hash', size: '2 fields', cli: `${cli()} HGETALL note:1  &&  ${cli()} TTL note:1` });
    expect(note.ttl).toMatch(/^expires in (5 min 0 s|4 min \d+ s) \(TTL \d+\)$/);
    expect(await heads('note:1')).toEqual(['field', 'value']);
    expect(await cells('note:1')).toEqual([['title', 'Buy milk'], ['done', 'no']]);

    expect(await summary('notes')).toEqual({ type: 'list', size: '3 items', ttl: 'never expires', cli: `${cli()} LRANGE notes 0 -1  &&  ${cli()} TTL notes` });
    expect(await heads('notes')).toEqual(['index', 'item']);
    expect(await cells('notes')).toEqual([['0', 'first note'], ['1', 'second note'], ['2', 'third note']]);

    expect(await summary('tags')).toEqual({ type: 'set', size: '3 members', ttl: 'never expires', cli: `${cli()} SMEMBERS tags  &&  ${cli()} TTL tags` });
    expect(await cells('tags')).toEqual([['express'], ['node'], ['redis']]);

    const scores = await summary('scores');
    expect(scores).toMatchObject({ type: 'zset', size: '2 members', cli: `${cli()} ZRANGE scores 0 -1 WITHSCORES  &&  ${cli()} TTL scores` });
    expect(scores.ttl).toMatch(/^expires in (16 min \d+ s|16 min 40 s) \(TTL \d+\)$/);
    expect(await heads('scores')).toEqual(['member', 'score']);
    expect(await cells('scores')).toEqual([['bob', '1.5'], ['ada', '3']]);

    expect(await summary('events')).toEqual({ type: 'stream', size: '2 entries', ttl: 'never expires', cli: `${cli()} XRANGE events - +  &&  ${cli()} TTL events` });
    expect(await heads('events')).toEqual(['id', 'fields']);
    expect(await cells('events')).toEqual([[fullStream[0], 'type: login\nuser: ada'], [fullStream[1], 'type: logout\nuser: ada']]);

    // Long values: the start, and their full size said.
    expect(await summary('big:list')).toMatchObject({ type: 'list', size: '50 items' });
    expect(await cells('big:list')).toEqual(Array.from({ length: 10 }, (_, i) => [String(i), `item ${i}`]));
    expect(await item('big:list').locator('.partial').textContent()).toBe('Shown: the first 10 of 50 items. The command below reads it all.');
    expect(await summary('big:text')).toMatchObject({ type: 'string', size: '10,000 bytes' });
    expect(await item('big:text').locator('pre.value').textContent()).toBe('x'.repeat(4096));
    expect(await item('big:text').locator('.partial').textContent()).toBe('Shown: the first 4,096 of 10,000 bytes. The command below reads it all.');
    expect(await item('greeting').locator('.partial').count()).toBe(0);
  });

  it('carries the same in its JSON stream (GET /api/events, event "inspector")', async () => {
    const { data } = await frame('every key', (d) => d.keys.length === 9);
    // (And `events`, what happened to the sessions, once something did: inspector-events.test.ts.)
    expect(Object.keys(data).filter((k) => k !== 'events').sort()).toEqual(['counters', 'countersTruncated', 'keys', 'keysCli', 'keysTotal', 'keysTruncated', 'listCli', 'scanned', 'sessions', 'truncated']);
    expect(data).toMatchObject({ keysTotal: 9, keysTruncated: false, keysCli: `${cli()} --scan`, scanned: 10 });
    expect(data.keys.map((k: Key) => k.key)).toEqual(['big:list', 'big:text', 'cache:home', 'events', 'greeting', 'note:1', 'notes', 'scores', 'tags']);
    const ttl = expect.any(Number);
    expect(keyIn(data, 'greeting')).toEqual({ key: 'greeting', type: 'string', ttl: -1, size: 5, value: 'hello', partial: false, cli: `${cli()} GET greeting  &&  ${cli()} TTL greeting` });
    expect(keyIn(data, 'note:1')).toEqual({ key: 'note:1', type: 'hash', ttl, size: 2, rows: [['title', 'Buy milk'], ['done', 'no']], partial: false, cli: `${cli()} HGETALL note:1  &&  ${cli()} TTL note:1` });
    expect(keyIn(data, 'note:1')!.ttl).toBeGreaterThan(250);
    expect(keyIn(data, 'note:1')!.ttl).toBeLessThanOrEqual(300);
    expect(keyIn(data, 'notes')).toEqual({ key: 'notes', type: 'list', ttl: -1, size: 3, rows: [['0', 'first note'], ['1', 'second note'], ['2', 'third note']], partial: false, cli: `${cli()} LRANGE notes 0 -1  &&  ${cli()} TTL notes` });
    expect(keyIn(data, 'tags')).toMatchObject({ type: 'set', size: 3, rows: [['express'], ['node'], ['redis']], partial: false });
    expect(keyIn(data, 'scores')).toMatchObject({ type: 'zset', size: 2, rows: [['bob', '1.5'], ['ada', '3']], partial: false, cli: `${cli()} ZRANGE scores 0 -1 WITHSCORES  &&  ${cli()} TTL scores` });
    expect(keyIn(data, 'events')).toMatchObject({ type: 'stream', ttl: -1, size: 2, rows: [[fullStream[0], 'type', 'login', 'user', 'ada'], [fullStream[1], 'type', 'logout', 'user', 'ada']], cli: `${cli()} XRANGE events - +  &&  ${cli()} TTL events` });
    expect(keyIn(data, 'big:list')).toMatchObject({ size: 50, partial: true });
    expect(keyIn(data, 'big:list')!.rows).toHaveLength(10);
    expect(keyIn(data, 'big:text')).toMatchObject({ size: 10_000, value: 'x'.repeat(4096), partial: true, shownBytes: 4096 });
    // The session, as before.
    expect(data.sessions).toHaveLength(1);
    expect(data.sessions[0]).toMatchObject({ key: expect.stringMatching(/^sess:/), value: expect.stringContaining('"visits": 1') });
    expect(data.sessions[0].user).toBeUndefined();
  });

  it('ticks the TTLs down, and drops a key deleted or expired, on the page and in the stream', async () => {
    const before = await frame('cache:home with its TTL', (d) => keyIn(d, 'cache:home') !== undefined);
    const ttlShown = await item('cache:home').locator('.ttl').textContent();
    // The page is refreshed at least every 2 s, with TTLs a second or more lower.
    const later = await frame('a later TTL', (d) => (keyIn(d, 'cache:home')?.ttl ?? 1e9) < keyIn(before.data, 'cache:home')!.ttl, events.frames.length);
    expect(keyIn(later.data, 'cache:home')!.ttl).toBeLessThan(600);
    await expect.poll(() => item('cache:home').locator('.ttl').textContent(), { timeout: 5000 }).not.toBe(ttlShown);

    const from = events.frames.length;
    await redis.client.del(['tags', 'events']);
    await redis.client.set('flash', 'saved!', { PX: 1500 });
    await expect.poll(() => item('tags').count(), { timeout: 5000 }).toBe(0);
    expect(await item('events').count()).toBe(0);
    // Its group goes with its last key.
    expect(await page.locator('#keys .key-group h4').allTextContents()).not.toContain('Sets (1)');
    const gone = await frame('tags and events gone', (d) => !keyIn(d, 'tags') && !keyIn(d, 'events'), from);
    expect(gone.data.keys.map((k: Key) => k.key)).not.toContain('tags');
    // A key with a TTL comes, then goes by itself.
    await expect.poll(() => item('flash').count(), { timeout: 5000 }).toBe(1);
    await expect.poll(() => item('flash').count(), { timeout: 8000 }).toBe(0);
    await frame('flash expired', (d) => !keyIn(d, 'flash') && keyIn(d, 'greeting') !== undefined, events.frames.length);
    expect(await page.locator('#keys-note').textContent()).toBe('7 keys: 3 strings, 1 hash, 2 lists, 1 sorted set.');
  });

  it('keeps a key open or closed, focused and in place across refreshes; the keyboard opens and closes it', async () => {
    // Seven keys: each a line, closed (six or fewer start open); Enter on one opens it.
    const open = () => item('notes').locator('details').evaluate((d) => (d as HTMLDetailsElement).open);
    const focusedKey = () => page.evaluate(() => (document.activeElement?.closest('[data-key]') as HTMLElement | null)?.dataset.key);
    expect(await open()).toBe(false);
    await item('notes').locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await open()).toBe(true);
    // Mark the elements, then let three refreshes come (every 2 s, TTLs move).
    const y = await item('scores').evaluate((li) => {
      (li as unknown as { mark: number }).mark = 1;
      return li.getBoundingClientRect().top;
    });
    const ttl = await item('scores').locator('.ttl').textContent();
    await events.next('three refreshes', (f) => f.event === 'inspector', 10_000, events.frames.length + 2);
    await page.waitForTimeout(200);
    expect(await item('scores').locator('.ttl').textContent()).not.toBe(ttl);
    expect(await item('scores').evaluate((li) => (li as unknown as { mark?: number }).mark), 'the same element').toBe(1);
    expect(await item('scores').evaluate((li) => li.getBoundingClientRect().top), 'in the same place').toBe(y);
    expect(await open()).toBe(true);
    expect(await focusedKey()).toBe('notes');
    // A changed key is drawn again, open as it was, and keeps the focus; its neighbour in the group is not touched.
    await item('big:list').evaluate((li) => void ((li as unknown as { mark: number }).mark = 1));
    await redis.client.rPush('notes', 'fourth note');
    await expect.poll(() => item('notes').locator('.key-size').textContent(), { timeout: 5000 }).toBe('4 items');
    expect(await cells('notes')).toHaveLength(4);
    expect(await item('big:list').evaluate((li) => (li as unknown as { mark?: number }).mark)).toBe(1);
    expect(await item('scores').evaluate((li) => (li as unknown as { mark?: number }).mark)).toBe(1);
    expect(await open()).toBe(true);
    expect(await focusedKey()).toBe('notes');
    await page.keyboard.press('Enter');
    expect(await open()).toBe(false);
    // Tab goes on to the next key (the sorted set, the lists' last key being this one).
    await page.keyboard.press('Tab');
    expect(await focusedKey()).toBe('scores');
  });

  it('shows a hostile key and value as text', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    await redis.client.hSet(`h:${evil}`, { [evil]: evil });
    await redis.client.rPush('l:evil', evil);
    const row = page.locator('#keys li', { hasText: 'window.__pwned' }); // the hash first, then the list
    await expect.poll(() => row.count(), { timeout: 5000 }).toBe(2);
    expect(await row.first().locator('td').allTextContents()).toEqual([evil, evil]);
    expect(await row.first().locator('.cli').textContent()).toBe(`${cli()} HGETALL 'h:<img src=x onerror="window.__pwned=1">'  &&  ${cli()} TTL 'h:<img src=x onerror="window.__pwned=1">'`);
    expect(await page.locator('#redis-panel img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await redis.client.del([`h:${evil}`, 'l:evil']);
    await expect.poll(() => row.count(), { timeout: 5000 }).toBe(0);
  });

  it('stays readable at 1280×720, on a phone and in dark mode (screenshots in /tmp)', async () => {
    const fits = () =>
      page.evaluate(() => {
        const p = document.getElementById('redis-panel')!;
        const right = p.getBoundingClientRect().right + 1;
        // Nothing inside sticks out of the panel sideways, and no text is cut off in its box.
        const out = [...p.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > right).map((el) => el.outerHTML.slice(0, 80));
        const clipped = [...p.querySelectorAll('#keys td, #keys th, #keys summary, #keys .key, #keys-note')]
          .filter((el) => el.scrollWidth > el.clientWidth + 1)
          .map((el) => el.outerHTML.slice(0, 80));
        return { out, clipped };
      });
    // Values open, as a learner reading them has them.
    for (const key of ['note:1', 'big:list', 'scores', 'cache:home']) await item(key).locator('summary').click();
    await item('note:1').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/inspector-keys-1280x720.png' });
    expect(await fits()).toEqual({ out: [], clipped: [] });

    await page.setViewportSize({ width: 390, height: 844 });
    await showRedisPanel(page);
    await page.locator('#keys-box').scrollIntoViewIfNeeded();
    await page.locator('#keys-box').screenshot({ path: '/tmp/inspector-keys-390x844.png' });
    expect(await fits()).toEqual({ out: [], clipped: [] });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.setViewportSize({ width: 1280, height: 720 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await item('scores').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/inspector-keys-dark.png' });
    // Every text of the list keeps 4.5:1 contrast to what is behind it, light and dark.
    const ratios = async () => (await textContrasts(page, '#keys-box')).texts;
    const dark = await ratios();
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await ratios();
    expect(dark.map((t) => t.name)).toEqual(expect.arrayContaining(['th', 'td', 'span.key-type', 'span.key-size', 'span.ttl', 'span.whole', 'p.partial', 'pre.value', 'h4']));
    expect(dark.filter((t) => t.ratio < 4.5), 'dark').toEqual([]);
    expect(light.filter((t) => t.ratio < 4.5), 'light').toEqual([]);
  });

  it('shows a 20 MB string and a 300 KB session in part, with their sizes, and more on demand from the keyboard; the runner stays small', async () => {
    const rss = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${runner.process.pid}/status`, 'utf8'))![1]) * 1024;
    const rssBefore = rss();
    const c = redis.client;
    const huge = '0123456789'.repeat(2 * 1024 * 1024);
    const record = JSON.stringify({ cookie: { originalMaxAge: 600_000, httpOnly: true, path: '/' }, user: { name: 'ada' }, cart: Array.from({ length: 13_000 }, (_, i) => `item ${i} of the cart`) });
    expect(record.length).toBeGreaterThan(300_000);
    await c.set('huge:text', huge);
    await c.set('sess:big-cart', record, { EX: 600 });

    const session = page.locator('#sessions li', { has: page.locator('code.key', { hasText: 'sess:big-cart' }) });
    await expect.poll(() => session.count(), { timeout: 10_000 }).toBe(1);
    expect(await session.locator('.user').textContent()).toBe('logged in: ada');
    const start = (await session.locator('pre.value').textContent())!;
    expect(start.length).toBeLessThanOrEqual(4096);
    expect(record.startsWith(start)).toBe(true);
    expect(await session.locator('.partial').textContent()).toBe(`Shown: the first ${start.length.toLocaleString('en')} of ${record.length.toLocaleString('en')} bytes. The command below reads it all.`);
    await expect.poll(() => item('huge:text').count(), { timeout: 10_000 }).toBe(1);
    expect(await item('huge:text').locator('.key-size').textContent()).toBe('20,971,520 bytes');
    expect(await item('huge:text').locator('.partial').textContent()).toBe('Shown: the first 4,096 of 20,971,520 bytes. The command below reads it all.');

    // Enter on the key opens it; Enter on "Show more" reads the next 64 KB, and says so.
    await item('huge:text').locator('summary').focus();
    await page.keyboard.press('Enter');
    const more = item('huge:text').locator('button.more');
    await more.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => item('huge:text').locator('.partial').textContent(), { timeout: 5000 }).toBe('Shown: the first 69,632 of 20,971,520 bytes. The command below reads it all.');
    expect(await item('huge:text').locator('pre.value').textContent()).toBe(huge.slice(0, 69_632));
    // What was read on demand stays through refreshes, and so does the focus.
    await events.next('two refreshes', (f) => f.event === 'inspector', 10_000, events.frames.length + 1);
    await page.waitForTimeout(300);
    expect(await item('huge:text').locator('pre.value').textContent()).toBe(huge.slice(0, 69_632));
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('more');
    expect(await page.evaluate(() => (document.activeElement?.closest('[data-key]') as HTMLElement | null)?.dataset.key)).toBe('huge:text');

    // The session, to its end: the button goes, and the focus goes to the note saying all is shown.
    const sessionMore = session.locator('button.more');
    await sessionMore.focus();
    for (let i = 0; i < 10 && (await sessionMore.count()); i++) {
      const shown = await session.locator('.partial').textContent();
      await page.keyboard.press('Enter');
      await expect.poll(() => session.locator('.partial').textContent(), { timeout: 5000 }).not.toBe(shown);
    }
    expect(await sessionMore.count()).toBe(0);
    expect(await session.locator('.partial').textContent()).toBe(`Shown: all ${record.length.toLocaleString('en')} bytes.`);
    expect(await session.locator('pre.value').textContent()).toBe(record);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('partial');
    // The sessions list is drawn again at each refresh: the whole record stays, as long as it is the same.
    const frames = events.frames.length;
    await events.next('a refresh', (f) => f.event === 'inspector', 10_000, frames + 1);
    await page.waitForTimeout(300);
    expect(await session.locator('pre.value').textContent()).toBe(record);

    // Five seconds of refreshes over both: what the page is sent stays small, and so does the runner.
    const from = events.frames.length;
    await page.waitForTimeout(5000);
    const sent = events.frames.slice(from).filter((f) => f.event === 'inspector').reduce((n, f) => n + JSON.stringify(f.data).length, 0);
    expect(sent).toBeLessThan(200_000);
    const grown = rss() - rssBefore;
    console.log(`runner RSS grew ${(grown / 1024 / 1024).toFixed(1)} MB; the page was sent ${sent} bytes of inspector frames in 5 s`);
    expect(grown).toBeLessThan(20 * 1024 * 1024);

    // The route behind the button refuses in one sentence: a missing key, a bad offset.
    const ask = async (query: string) => {
      const res = await fetch(new URL(`api/inspector/value?${query}`, runner.url), { headers: { 'X-Workshop-Token': events.token } });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    expect(await ask('key=nope&offset=0')).toMatchObject({ status: 404, body: { error: 'There is no key nope in Redis now: it was deleted, or it expired.' } });
    expect(await ask('key=huge:text&offset=-1')).toMatchObject({ status: 400, body: { error: 'The offset is a byte of the value: a whole number from 0 to 20971520.' } });
    expect(await ask('offset=0')).toMatchObject({ status: 400, body: { error: 'Name the key to read, as ?key=<key>.' } });

    // A changed record: what was read on demand goes with the old one.
    await c.set('sess:big-cart', record.replace('"item 0 of the cart"', '"item zero"'), { EX: 600 });
    await expect.poll(async () => (await session.locator('pre.value').textContent())!.length, { timeout: 5000 }).toBeLessThanOrEqual(4096);
    expect(await session.locator('button.more').count()).toBe(1);
    await c.del(['huge:text', 'sess:big-cart']);
  }, 60_000);

  it('reads more elements on demand: a list\'s next items, a set\'s other members, a stream\'s older entries', async () => {
    const c = redis.client;
    await c.sAdd('many:tags', Array.from({ length: 30 }, (_, i) => `tag${String(i).padStart(2, '0')}`));
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) ids.push(await c.xAdd('long:log', `${i}-0`, { n: String(i) }));
    await expect.poll(() => item('long:log').count(), { timeout: 10_000 }).toBe(1);
    const pressMore = async (key: string) => {
      if (!(await item(key).locator('details').evaluate((d) => (d as HTMLDetailsElement).open))) await item(key).locator('summary').click();
      await item(key).locator('button.more').focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => item(key).locator('button.more').count(), { timeout: 5000 }).toBe(0);
    };

    expect(await item('big:list').locator('.partial').textContent()).toBe('Shown: the first 10 of 50 items. The command below reads it all.');
    await pressMore('big:list');
    expect(await cells('big:list')).toEqual(Array.from({ length: 50 }, (_, i) => [String(i), `item ${i}`]));
    expect(await item('big:list').locator('.partial').textContent()).toBe('Shown: all 50 items.');

    expect(await item('many:tags').locator('.partial').textContent()).toBe('Shown: 10 of 30 members. The command below reads it all.');
    await pressMore('many:tags');
    const tags = (await cells('many:tags')).map((r) => r[0]);
    expect([...tags].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `tag${String(i).padStart(2, '0')}`)); // each once
    expect(await item('many:tags').locator('.partial').textContent()).toBe('Shown: all 30 members.');

    expect(await item('long:log').locator('.partial').textContent()).toBe('Shown: the last 5 of 12 entries. The command below reads it all.');
    await pressMore('long:log');
    expect((await cells('long:log')).map((r) => r[0])).toEqual(ids); // the older ones above, oldest first
    expect(await item('long:log').locator('.partial').textContent()).toBe('Shown: all 12 entries.');
    // Kept through a refresh.
    await events.next('a refresh', (f) => f.event === 'inspector', 10_000, events.frames.length + 1);
    expect(await cells('long:log')).toHaveLength(12);
    await c.del(['many:tags', 'long:log']);
  });
});
