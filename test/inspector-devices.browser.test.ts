// The inspector beside step 5's devices, in a real browser: the runner over
// a copy of steps/step5 as the learner's workspace, and a Redis of the
// test's own. ada logs in from three devices and grace from one (plain
// fetch, each its own cookie and User-Agent, against the workspace app);
// the panel groups the sessions by user, each user's index of them (the
// hash devices:<user>) under the heading, its entries listed. A device
// revoked on ada's account page goes live: its session's row and its index
// entry within a few seconds, nothing else redrawn, the focus kept. A
// session that ends without the app (deleted, expired) leaves its entry
// marked gone until the app reads the index. A hostile User-Agent and key
// name stay text. Screenshots go to /tmp (not committed): 1280×720, 390×844
// (a phone) and dark mode. Step 5 is not in the runner's steps yet: the page
// shows step 4, whose tab has the Redis panel.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { showRedisPanel } from './helpers/redis-panel.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, waitFor, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { runnerFetch } from './helpers/runner-http.ts';
import { repoRoot } from './helpers/repo.ts';
import { textContrasts } from './helpers/contrast.ts';

let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let browser: Browser;
let page: Page;
let app: string;

const evil = '<img src=x onerror="window.__pwned=1">';

beforeAll(async () => {
  redis = await throwawayRedis();
  runner = await startWorkshopRunner({ workspaceFrom: join(repoRoot, 'steps', 'step5'), env: { REDIS_URL: redis.url } });
  browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  app = await waitFor(
    'the workspace app running',
    async () => {
      const state = (await (await runnerFetch(runner.link, 'api/state')).json()) as { apps: { id: string; state: string; url: string }[] };
      return state.apps.find((a) => a.id === 'workspace' && a.state === 'running')?.url;
    },
    30_000,
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await redis?.dispose();
});

/** A device: its own cookie and User-Agent, talking to the app as a browser's forms do. */
interface Device {
  ua: string;
  cookie: string;
  sid: string;
}

async function send(device: { ua: string; cookie?: string }, path: string, form?: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { 'User-Agent': device.ua };
  if (device.cookie) headers.Cookie = device.cookie;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers.Origin = new URL(app).origin;
  }
  return fetch(new URL(path, app), { method: form ? 'POST' : 'GET', headers, body: form && new URLSearchParams(form).toString(), redirect: 'manual' });
}

async function logIn(username: string, password: string, ua: string): Promise<Device> {
  const res = await send({ ua }, '/login', { username, password });
  expect(res.status, await res.clone().text()).toBe(303);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('connect.sid='))!;
  // The cookie holds `s:<session id>.<signature>`.
  const sid = /^s:([^.]+)\./.exec(decodeURIComponent(cookie.slice('connect.sid='.length)))![1]!;
  return { ua, cookie, sid };
}

/** The handle of each other device on `device`'s account page, in the order it lists them. */
async function handles(device: Device): Promise<string[]> {
  const html = await (await send(device, '/account')).text();
  return [...html.matchAll(/action="\/sessions\/([\w-]+)\/revoke"/g)].map((m) => m[1]!);
}

const group = (user: string) => page.locator(`#sessions li.session-group[data-group="user:${user}"]`);
const heading = (user: string) => group(user).locator('.group-heading');
const indexRows = (key: string) =>
  page.locator(`#sessions li.session-index[data-key="${key}"]`).evaluate((li) => [...li.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
const sessionRow = (sid: string) => page.locator(`#sessions details[data-key="sess:${sid}"]`);
const focusedKey = () => page.evaluate(() => (document.activeElement?.closest('[data-key]') as HTMLElement | null)?.dataset.key);
const mark = (selector: string) => page.locator(selector).evaluate((el) => void ((el as unknown as { mark: number }).mark = 1));
const marked = (selector: string) => page.locator(selector).evaluate((el) => (el as unknown as { mark?: number }).mark);

const ada: Device[] = [];
let grace: Device;

describe("step 5's devices in the inspector", () => {
  it("groups the sessions by user, each user's index of them under the heading", async () => {
    await page.goto(`${runner.link}#/step4/1`);
    await expect.poll(() => page.locator('#redis-panel').isVisible(), { timeout: 10_000 }).toBe(true);
    ada.push(await logIn('ada', 'lovelace', 'Firefox on the laptop'), await logIn('ada', 'lovelace', 'Safari on the phone'), await logIn('ada', 'lovelace', 'Chromium at work'));
    grace = await logIn('grace', 'hopper', evil);

    await expect.poll(() => heading('ada').textContent(), { timeout: 10_000 }).toBe('ada: 3 sessions, index devices:ada (hash, 3 entries, expires in 25 h)');
    // (A pass that read grace's session before the app wrote her index may still be on its way.)
    await expect.poll(() => heading('grace').textContent(), { timeout: 5000 }).toBe('grace: 1 session, index devices:grace (hash, 1 entry, expires in 25 h)');
    // The users by name; after them, the visitors' sessions (the app pane's own, when it has loaded).
    const headings = await page.locator('#sessions .group-heading').allTextContents();
    expect(headings.slice(0, 2)).toEqual([await heading('ada').textContent(), await heading('grace').textContent()]);
    for (const other of headings.slice(2)) expect(other).toMatch(/^No user logged in: \d+ sessions?$/);
    // The index: each handle, the session id it names, and that session live; then the sessions.
    const index = await redis.client.hGetAll('devices:ada');
    const rows = await indexRows('devices:ada');
    expect(rows.map(([handle, id, state]) => [id, index[handle!], state]).sort()).toEqual(ada.map((d) => [d.sid, d.sid, 'live']).sort());
    expect(await group('ada').locator('.session-index thead th').allTextContents()).toEqual(['field', 'value', 'session']);
    expect(await group('ada').locator('.session-index .cli').textContent()).toMatch(/^redis-cli .*HGETALL devices:ada {2}&& {2}redis-cli .*TTL devices:ada$/);
    expect(await group('ada').locator('li.session .key').allTextContents()).toEqual(ada.map((d) => `sess:${d.sid}`).sort((a, b) => a.localeCompare(b)));
    expect(await group('ada').locator('.not-indexed').count()).toBe(0);
    expect(await page.locator('#inspector-note').textContent()).toMatch(/^\d+ sessions, 4 with a user logged in; 2 keys index them, shown by user\.$/);
    // Not listed again among the other keys.
    expect(await page.locator('#keys li[data-key^="devices:"]').count()).toBe(0);
  }, 60_000);

  it('stays still while nothing changes: no item redrawn, only the TTLs move', async () => {
    const seen = await page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const changed: string[] = [];
          const list = document.getElementById('sessions')!;
          new MutationObserver((records) => {
            for (const r of records) {
              const el = r.target instanceof Element ? r.target : r.target.parentElement;
              if (!el?.closest('.ttl')) changed.push(`${el?.tagName}.${el?.className}`);
            }
          }).observe(list, { childList: true, subtree: true, characterData: true });
          // Refreshes come every 2 s at least, with each TTL.
          setTimeout(() => resolve(changed), 5000);
        }),
    );
    expect(seen).toEqual([]);
  });

  it("takes a revoked device's row and index entry away live, nothing else redrawn, the focus kept", async () => {
    // The keyboard on ada's index; marks on what must stay the same elements.
    await group('ada').locator('.session-index summary').focus();
    await mark('#sessions li.session-group[data-group="user:grace"]');
    await mark(`#sessions li:has(> details[data-key="sess:${grace.sid}"])`);
    await mark(`#sessions li:has(> details[data-key="sess:${ada[0]!.sid}"])`);
    const [, second] = await handles(ada[0]!); // the account page lists the other two: the phone first
    const index = await redis.client.hGetAll('devices:ada');
    expect(index[second!]).toBe(ada[2]!.sid);

    const t0 = Date.now();
    const res = await send(ada[0]!, `/sessions/${second}/revoke`, {});
    expect(res.status).toBe(303);
    await expect.poll(() => sessionRow(ada[2]!.sid).count(), { timeout: 5000 }).toBe(0);
    await expect.poll(async () => (await indexRows('devices:ada')).length, { timeout: 5000 }).toBe(2);
    const took = Date.now() - t0;
    console.log(`a revoked device's row and index entry went in ${took} ms`);
    expect(took).toBeLessThan(4000);
    expect(await heading('ada').textContent()).toBe('ada: 2 sessions, index devices:ada (hash, 2 entries, expires in 25 h)');
    expect((await indexRows('devices:ada')).map((r) => r[1]).sort()).toEqual([ada[0]!.sid, ada[1]!.sid].sort());
    expect(await focusedKey()).toBe('devices:ada');
    expect(await marked('#sessions li.session-group[data-group="user:grace"]')).toBe(1);
    expect(await marked(`#sessions li:has(> details[data-key="sess:${grace.sid}"])`)).toBe(1);
    expect(await marked(`#sessions li:has(> details[data-key="sess:${ada[0]!.sid}"])`)).toBe(1);
    // The revoked device is nobody now.
    expect(await (await send(ada[2]!, '/account')).headers.get('location')).toBe('/login');
    // The keyboard closes the index, and it stays closed through refreshes; Enter opens it again.
    const open = () => group('ada').locator('.session-index details').evaluate((d) => (d as HTMLDetailsElement).open);
    await page.keyboard.press('Enter');
    expect(await open()).toBe(false);
    await page.waitForTimeout(2500);
    expect(await open()).toBe(false);
    expect(await focusedKey()).toBe('devices:ada');
    await page.keyboard.press('Enter');
    expect(await open()).toBe(true);
  });

  it('marks the entry of a session gone without the app, until the app reads the index; the focus goes to a neighbour', async () => {
    // The phone's session ends without the app: it expired, or someone deleted its key.
    const phone = ada[1]!;
    await sessionRow(phone.sid).locator('summary').focus();
    await redis.client.del(`sess:${phone.sid}`);
    await expect.poll(() => sessionRow(phone.sid).count(), { timeout: 5000 }).toBe(0);
    await expect.poll(async () => (await indexRows('devices:ada')).find((r) => r[1] === phone.sid)?.[2], { timeout: 5000 }).toBe(
      'session gone: the app drops it when it next reads the list',
    );
    expect(await heading('ada').textContent()).toBe('ada: 1 session, index devices:ada (hash, 2 entries, expires in 25 h)');
    // Its row went with the focus on it: the focus is on a neighbour of the same user's, not lost.
    const neighbour = await focusedKey();
    expect([`sess:${ada[0]!.sid}`, 'devices:ada']).toContain(neighbour);
    await page.screenshot({ path: '/tmp/inspector-devices-gone-1280x720.png' });
    // The account page reads the index, and drops the entry.
    await send(ada[0]!, '/account');
    await expect.poll(async () => (await indexRows('devices:ada')).length, { timeout: 5000 }).toBe(1);
    expect(await heading('ada').textContent()).toBe('ada: 1 session, index devices:ada (hash, 1 entry, expires in 25 h)');
    // A record of ada's that her index does not name (written back by a request in flight at its revoke): said so.
    const stray = 'strayStrayStrayStrayStrayStray01';
    await redis.client.set(`sess:${stray}`, JSON.stringify({ cookie: { originalMaxAge: 600_000 }, user: { name: 'ada' } }), { EX: 600 });
    await expect.poll(() => sessionRow(stray).locator('.not-indexed').textContent(), { timeout: 5000 }).toBe("not in its user's index");
    expect(await sessionRow(ada[0]!.sid).locator('.not-indexed').count()).toBe(0);
    await redis.client.del(`sess:${stray}`);
    await expect.poll(() => sessionRow(stray).count(), { timeout: 5000 }).toBe(0);
  });

  it('shows a hostile User-Agent and key name as text', async () => {
    // The User-Agent grace logged in with is in her session's record.
    const record = sessionRow(grace.sid);
    await record.locator('summary').click();
    await expect.poll(() => record.locator('pre.value').textContent()).toContain(`"userAgent": ${JSON.stringify(evil)}`);
    // A second index of grace's session, under a hostile name: in her heading, as text.
    await redis.client.hSet(`devices:${evil}`, { x: grace.sid });
    await expect.poll(() => heading('grace').textContent(), { timeout: 5000 }).toBe(
      `grace: 1 session, index devices:${evil} (hash, 1 entry, never expires), index devices:grace (hash, 1 entry, expires in 25 h)`,
    );
    expect(await group('grace').locator(`li.session-index[data-key="devices:${evil.replace(/"/g, '\\"')}"] .key`).textContent()).toBe(`devices:${evil}`);
    expect(await page.locator('#redis-panel img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await redis.client.del(`devices:${evil}`);
    await expect.poll(() => group('grace').locator('.session-index').count(), { timeout: 5000 }).toBe(1);
  });

  it('reads more entries of a long index on demand, each with what it names', async () => {
    // A list of grace's session and eleven ids of sessions gone: its first ten are read in a pass.
    const gone = Array.from({ length: 11 }, () => grace.sid.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')).slice(0, -4) + Math.random().toString(36).slice(2, 6).padEnd(4, '0'));
    await redis.client.rPush('visits:grace', [grace.sid, ...gone]);
    const item = group('grace').locator('li.session-index[data-key="visits:grace"]');
    await expect.poll(() => item.count(), { timeout: 5000 }).toBe(1);
    expect(await item.locator('.partial').textContent()).toBe('Shown: the first 10 of 12 items. The command below reads it all.');
    expect(await heading('grace').textContent()).toBe('grace: 1 session, index devices:grace (hash, 1 entry, expires in 25 h), index visits:grace (list, 12 entries, never expires)');
    await item.locator('button.more').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => item.locator('tbody tr').count(), { timeout: 5000 }).toBe(12);
    const states = await item.locator('td.entry-state').allTextContents();
    expect(states[0]).toBe('live');
    expect(new Set(states.slice(1))).toEqual(new Set(['session gone: the app drops it when it next reads the list']));
    await redis.client.del('visits:grace');
    await expect.poll(() => item.count(), { timeout: 5000 }).toBe(0);
  });

  it('stays readable at 1280×720, on a phone and in dark mode (screenshots in /tmp)', async () => {
    // Three of ada's devices again, and one session of hers gone, as a learner trying the page has them.
    ada.push(await logIn('ada', 'lovelace', 'Firefox on the tablet'), await logIn('ada', 'lovelace', 'Edge at the library'));
    await redis.client.del(`sess:${ada.at(-1)!.sid}`);
    await expect.poll(() => heading('ada').textContent(), { timeout: 5000 }).toBe('ada: 2 sessions, index devices:ada (hash, 3 entries, expires in 25 h)');
    const fits = () =>
      page.evaluate(() => {
        const p = document.getElementById('redis-panel')!;
        const right = p.getBoundingClientRect().right + 1;
        const out = [...p.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > right).map((el) => el.outerHTML.slice(0, 80));
        const clipped = [...p.querySelectorAll('#sessions td, #sessions th, #sessions summary, #sessions .group-heading')]
          .filter((el) => el.scrollWidth > el.clientWidth + 1)
          .map((el) => el.outerHTML.slice(0, 80));
        return { out, clipped };
      });
    await heading('ada').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: '/tmp/inspector-devices-1280x720.png' });
    expect(await fits()).toEqual({ out: [], clipped: [] });

    await page.setViewportSize({ width: 390, height: 844 });
    await showRedisPanel(page);
    await group('ada').scrollIntoViewIfNeeded();
    await page.locator('#sessions').screenshot({ path: '/tmp/inspector-devices-390x844.png' });
    expect(await fits()).toEqual({ out: [], clipped: [] });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.setViewportSize({ width: 1280, height: 720 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await heading('ada').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    await page.screenshot({ path: '/tmp/inspector-devices-dark.png' });
    const dark = (await textContrasts(page, '#sessions')).texts;
    await page.emulateMedia({ colorScheme: 'light' });
    const light = (await textContrasts(page, '#sessions')).texts;
    expect(dark.map((t) => t.name)).toEqual(expect.arrayContaining(['h3.group-heading', 'span.who', 'span.index-tag', 'span.entry-live', 'span.entry-gone', 'th', 'td', 'span.whole'] /* a key's text (inspector.js keyCode) */));
    expect(dark.filter((t) => t.ratio < 4.5), 'dark').toEqual([]);
    expect(light.filter((t) => t.ratio < 4.5), 'light').toEqual([]);
  });
});
