// Step 5's probes, the parts that stand alone: reading an account page's
// list (entries, handles, times), telling an index and its entries by what
// logins add, and watching Redis for the KEYS and SCAN an app sends (a real
// redis-server; the checks' own SCAN is not the app's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { Scope } from '../runner/process/scope.ts';
import { provideRedis, type SessionRedis } from '../runner/verify/harness.ts';
import type { VerifyContext } from '../runner/verify/context.ts';
import { added, entriesShowing, entryOf, findIndex, handleOf, ISO_8601, listing, listItems, removed, watchWalks, type Collection } from '../checks/step5-probes.ts';

describe('an account page, read as a list', () => {
  const page = `<nav><ul><li><a href="/">Home</a></li></ul></nav>
    <ul class="devices">
      <li><strong>Phone/1.0</strong> (this device)<br>Logged in <time datetime="2026-12-06T10:00:00.000Z">today</time>, last seen <time datetime='2026-12-06T10:01:00Z'>now</time></li>
      <li><strong>Laptop/2.0</strong> <time datetime=2026-12-06T09:00:00Z>9:00</time>
        <form method="post" action="/sessions/abc%2Bdef/revoke"><button>Log it out (not this device)</button></form>
      <li>Tablet/3.0<ul><li>a detail</li></ul></li>
    </ul>
    <table><tr><th>Browser</th></tr><tr><td>Desk/4.0</td><td><form method="POST" action="sessions/xyz/revoke"></form></td></tr></table>`;

  it('finds each <li> and <tr>, nested ones and those whose end tag is left out', () => {
    const items = listItems(page);
    expect(items.filter((i) => i.includes('Laptop/2.0'))).toHaveLength(1);
    expect(items.find((i) => i.includes('Laptop/2.0'))).not.toContain('Tablet/3.0');
    expect(items.filter((i) => i.includes('a detail'))).toHaveLength(2); // the detail's own <li>, and the tablet's around it
    expect(items.filter((i) => i.startsWith('<tr'))).toHaveLength(2);
  });

  it('reads an entry: its text outside forms and buttons, its revoke handle, its times', () => {
    const entries = listing(page);
    const [phone] = entriesShowing(entries, 'Phone/1.0');
    const [laptop] = entriesShowing(entries, 'Laptop/2.0');
    const [desk] = entriesShowing(entries, 'Desk/4.0');
    expect(phone!.ownText).toMatch(/this device/);
    expect(phone!.times).toEqual(['2026-12-06T10:00:00.000Z', '2026-12-06T10:01:00Z']);
    expect(laptop!.text).toMatch(/this device/);
    expect(laptop!.ownText).not.toMatch(/this device/);
    expect(laptop!.handle).toBe('abc+def');
    expect(desk!.handle).toBe('xyz');
    expect(entriesShowing(entries, 'a detail')).toHaveLength(1);
    expect(handleOf('<form method="get" action="/sessions/a/revoke"></form>')).toBeUndefined();
  });

  it('takes ISO 8601 date-times, with or without a zone, and nothing else', () => {
    for (const ok of ['2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00+01:00', '2026-12-06T10:00', '2026-12-06 10:00:00']) expect(ok).toMatch(ISO_8601);
    for (const no of ['Sun, 06 Dec 2026 10:00:00 GMT', '1765015200000', '2026-12-06', '06/12/2026 10:00']) expect(no).not.toMatch(ISO_8601);
  });
});

describe('the index, by what logins add', () => {
  const set = (key: string, ...members: string[]): Collection => ({ key, type: 'set', entries: members.map((m) => ({ id: m, text: m })) });
  const hash = (key: string, fields: Record<string, string>): Collection => ({ key, type: 'hash', entries: Object.entries(fields).map(([f, v]) => ({ id: f, text: `${f}\n${v}` })) });

  it('is the key that gained one entry per login, the user\'s own before a log of every login', () => {
    const before = new Map([['log', set('log', 'x')], ['devices:ada', hash('devices:ada', { h0: 's0' })]]);
    const after = new Map([
      ['log', set('log', 'x', 'a', 'b', 'c')],
      ['devices:ada', hash('devices:ada', { h0: 's0', h1: 's1', h2: 's2', h3: 's3' })],
      ['failures', set('failures', 'bob')],
    ]);
    expect(findIndex(before, after, 'ada', 3)).toEqual({ key: 'devices:ada', type: 'hash', added: 3 });
    expect(findIndex(before, after, 'ada', 3, 'devices:ada')?.key).toBe('log');
    expect(findIndex(before, new Map(before), 'ada', 3)).toBeUndefined();
  });

  it('tells a session\'s entry by its id or its handle, and what an index gained or lost', () => {
    const index = hash('devices:ada', { h1: 'sid-one-xxxxxxxx', 'handle-two-xxxx': 'sid-two-xxxxxxxx' });
    expect(entryOf(index.entries, { id: 'sid-one-xxxxxxxx', key: 'sess:sid-one-xxxxxxxx', cookieValue: '' }, undefined)?.id).toBe('h1');
    expect(entryOf(index.entries, undefined, 'handle-two-xxxx')?.id).toBe('handle-two-xxxx');
    expect(entryOf(index.entries, undefined, 'h')).toBeUndefined(); // too short to be found inside another
    const later = hash('devices:ada', { h1: 'sid-one-xxxxxxxx', h3: 'sid-three-xxxxxx' });
    expect(added(index, later).map((e) => e.id)).toEqual(['h3']);
    expect(removed(index, later).map((e) => e.id)).toEqual(['handle-two-xxxx']);
  });
});

describe('watching Redis for KEYS and SCAN', () => {
  const scope = new Scope();
  let redis: SessionRedis;
  let app: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = await provideRedis(process.env, scope, 'this test');
    app = createClient({ url: redis.url });
    app.on('error', () => {});
    await app.connect();
    await app.set('sess:a', '{}');
  });

  afterAll(async () => {
    app?.destroy();
    await scope.close();
  });

  const ctx = () => ({ redis, timeoutMs: 5000 }) as unknown as VerifyContext;

  it("sees the app's KEYS and SCAN, a script's too, and not the checks' own SCAN", async () => {
    const { result, walks } = await watchWalks(ctx(), async () => {
      await redis.keys(); // the checks' own SCAN
      await app.get('sess:a');
      await app.keys('sess:*');
      await app.scan('0', { MATCH: 'sess:*' });
      await app.eval("return redis.call('KEYS', 'sess:*')");
      return 'answered';
    });
    expect(result).toBe('answered');
    expect(walks).toHaveLength(3);
    expect(walks[0]).toMatch(/^KEYS sess:\*/);
    expect(walks[1]).toMatch(/^SCAN 0 MATCH sess:\*/);
    expect(walks[2]).toMatch(/^KEYS sess:\*/); // from a Lua script
  });

  it('sees none when the app reads its keys by name, in a script too', async () => {
    const { walks } = await watchWalks(ctx(), async () => {
      await app.get('sess:a');
      await app.eval("return redis.call('GET', KEYS[1])", { keys: ['sess:a'] });
    });
    expect(walks).toEqual([]);
  });
});
