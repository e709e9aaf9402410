// The inspector's event lines (runner/server/inspector-events.ts): what
// happened to the sessions between two passes, as steps 3, 4 and 5's
// solution apps make it happen. First the pure derivation, pass by pass;
// then the real Inspector polling a real redis-server while keys are
// written, deleted and left to expire, as connect-redis does; then steps 3
// and 5's solution apps, used as a browser does (step 4 in a real browser:
// inspector-events.browser.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog, eventLines, goneCause, maxEvents, type EventPart, type InspectorEvent, type Pass } from '../runner/server/inspector-events.ts';
import { Inspector, type InspectorSnapshot } from '../runner/server/inspector.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startApp, type RunningApp } from './helpers/app.ts';
import { repoRoot } from './helpers/repo.ts';
import { join } from 'node:path';

const day = 86_400;
const text = (parts: EventPart[]) => parts.map((p) => (typeof p === 'string' ? p : p.key)).join('');
const lines = (prev: Pass, next: Pass) => eventLines(prev, next).map((l) => text(l.parts));
const pass = (at: number, sessions: Pass['sessions'], indexes?: Pass['indexes']): Pass => ({ at, sessions, ...(indexes ? { indexes } : {}) });
const anon = (key: string, ttl = day) => ({ key, ttl });
const of = (user: string, key: string, ttl = day) => ({ key, ttl, user });

describe('event lines between two passes', () => {
  it('step 3: the home page makes a session', () => {
    expect(lines(pass(0, []), pass(400, [anon('sess:A')]))).toEqual(['new anonymous session sess:A']);
  });

  it('nothing changed, or only a record rewritten: no line', () => {
    expect(lines(pass(0, [anon('sess:A')]), pass(400, [anon('sess:A', day - 1)]))).toEqual([]);
  });

  it('step 4: login regenerates the id; the new key and the old one deleted make one line', () => {
    const login = eventLines(pass(0, [anon('sess:Old')]), pass(400, [of('ada', 'sess:New')]));
    expect(login).toEqual([
      { kind: 'login', user: 'ada', keys: ['sess:New', 'sess:Old'], parts: ['login (ada): new session id ', { key: 'sess:New' }, ', old record ', { key: 'sess:Old' }, ' deleted'] },
    ]);
  });

  it("logging in again as another user deletes the first one's record", () => {
    expect(lines(pass(0, [of('ada', 'sess:A')]), pass(400, [of('bob', 'sess:B')]))).toEqual(["login (bob): new session id sess:B, old record sess:A (ada's) deleted"]);
  });

  it('a login without regenerate keeps the id, and says so', () => {
    expect(lines(pass(0, [anon('sess:A')]), pass(400, [of('ada', 'sess:A')]))).toEqual(['login (ada): same session id sess:A kept (not regenerated)']);
    expect(lines(pass(0, [of('ada', 'sess:A')]), pass(400, [anon('sess:A')]))).toEqual(['logout (ada): user removed, record sess:A kept']);
  });

  it('step 4: logout deletes the record; the home page then makes a new anonymous session (newest first)', () => {
    expect(lines(pass(0, [of('ada', 'sess:A')]), pass(400, [anon('sess:B')]))).toEqual(['new anonymous session sess:B', 'logout (ada): record sess:A deleted']);
    // A logout the app answers without a new session (a POST from curl).
    expect(lines(pass(0, [of('ada', 'sess:A')]), pass(400, []))).toEqual(['logout (ada): record sess:A deleted']);
  });

  it("step 5: revoking another device deletes its record while this one stays, and its index entry goes", () => {
    const index = (...sessions: string[]) => [{ key: 'devices:ada', sessions }];
    const before = pass(0, [of('ada', 'sess:Laptop'), of('ada', 'sess:Phone'), of('ada', 'sess:Work')], index('sess:Laptop', 'sess:Phone', 'sess:Work'));
    expect(lines(before, pass(400, [of('ada', 'sess:Laptop'), of('ada', 'sess:Work')], index('sess:Laptop', 'sess:Work')))).toEqual([
      "revoked: sess:Phone (ada's other device), removed from devices:ada",
    ]);
    // "Log out everywhere else": one line.
    expect(lines(before, pass(400, [of('ada', 'sess:Laptop')], index('sess:Laptop')))).toEqual(["revoked: sess:Phone, sess:Work (ada's other devices), removed from devices:ada"]);
    // Logging out on one device while another stays: the home page's new session says it was a logout.
    expect(lines(before, pass(400, [of('ada', 'sess:Laptop'), of('ada', 'sess:Work'), anon('sess:Fresh')], index('sess:Laptop', 'sess:Work')))).toEqual([
      'new anonymous session sess:Fresh',
      'logout (ada): record sess:Phone deleted, removed from devices:ada',
    ]);
  });

  it('a key gone once its TTL could have run out expired; one gone earlier was deleted', () => {
    expect(goneCause(anon('k', 5), 0, 3999)).toBe('deleted');
    expect(goneCause(anon('k', 5), 0, 4000)).toBe('expired'); // read with 4.001 s to 5 s left
    expect(goneCause(anon('k', -1), 0, 10 * day * 1000)).toBe('deleted'); // no TTL: only a command removes it
    expect(lines(pass(0, [of('ada', 'sess:A', 1), anon('sess:B', 1)]), pass(400, []))).toEqual(['expired: sess:A (ada)', 'expired: sess:B']);
    expect(lines(pass(0, [anon('sess:B')]), pass(400, []))).toEqual(['deleted: sess:B (no user)']);
  });
});

describe('the event log, pass after pass', () => {
  const texts = (events: InspectorEvent[]) => events.map((e) => text(e.parts));

  it('compares nothing with the first pass, nor across a pass that could not see every session', () => {
    const log = new EventLog();
    expect(log.observe(pass(0, [anon('sess:A')]))).toEqual([]);
    log.observe(undefined); // Redis down
    expect(log.observe(pass(800, []))).toEqual([]);
    expect(texts(log.observe(pass(1200, [anon('sess:C')])))).toEqual(['new anonymous session sess:C']);
  });

  it("joins a login whose DEL and SET fell either side of a pass", () => {
    const log = new EventLog();
    log.observe(pass(0, [anon('sess:Old')]));
    expect(texts(log.observe(pass(400, [])))).toEqual(['deleted: sess:Old (no user)']);
    const joined = log.observe(pass(800, [of('ada', 'sess:New')]));
    expect(texts(joined)).toEqual(['login (ada): new session id sess:New, old record sess:Old deleted']);
    expect(joined[0]).toMatchObject({ kind: 'login', user: 'ada', at: 800, keys: ['sess:New', 'sess:Old'] });
    // A deletion two passes back is another story.
    log.observe(pass(1200, [of('ada', 'sess:New'), anon('sess:X')]));
    log.observe(pass(1600, [of('ada', 'sess:New')]));
    log.observe(pass(2000, [of('ada', 'sess:New')]));
    expect(texts(log.observe(pass(2400, [of('ada', 'sess:New'), of('bob', 'sess:Bob')])))[0]).toBe('login (bob): new session sess:Bob');
  });

  it("reads a logout again when the home page's new session came a pass after the DEL", () => {
    const log = new EventLog();
    log.observe(pass(0, [of('ada', 'sess:Laptop'), of('ada', 'sess:Phone')], [{ key: 'devices:ada', sessions: ['sess:Laptop', 'sess:Phone'] }]));
    expect(texts(log.observe(pass(400, [of('ada', 'sess:Laptop')], [{ key: 'devices:ada', sessions: ['sess:Laptop'] }])))).toEqual([
      "revoked: sess:Phone (ada's other device), removed from devices:ada",
    ]);
    expect(texts(log.observe(pass(800, [of('ada', 'sess:Laptop'), anon('sess:Fresh')], [{ key: 'devices:ada', sessions: ['sess:Laptop'] }])))).toEqual([
      'new anonymous session sess:Fresh',
      'logout (ada): record sess:Phone deleted, removed from devices:ada',
    ]);
  });

  it(`keeps the last ${maxEvents} lines, newest first, each id new`, () => {
    const log = new EventLog();
    log.observe(pass(0, []));
    let events: InspectorEvent[] = [];
    for (let i = 1; i <= 12; i++) events = log.observe(pass(i * 400, [anon(`sess:${i}`)]));
    expect(events).toHaveLength(maxEvents);
    expect(events[0]!.keys).toEqual(['sess:12']);
    const ids = events.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the inspector telling what Redis did', () => {
  let redis: ThrowawayRedis;
  let inspector: Inspector;
  const snaps: InspectorSnapshot[] = [];
  const latest = () => snaps.at(-1)?.events ?? [];

  beforeAll(async () => {
    redis = await throwawayRedis();
    inspector = new Inspector(redis.url, 'redis-cli', (snap) => snaps.push(snap), 100);
  });
  afterAll(async () => {
    await inspector?.close();
    await redis?.dispose();
  });

  const record = (user?: string) => JSON.stringify({ cookie: { originalMaxAge: day * 1000 }, ...(user ? { user: { name: user } } : {}) });
  const lineFor = async (what: RegExp) => {
    await expect.poll(() => latest().map((e) => text(e.parts)).find((l) => what.test(l)), { timeout: 5000 }).toBeDefined();
    return latest().find((e) => what.test(text(e.parts)))!;
  };

  it('tells a regenerate (DEL then SET) as a login, a DEL as a logout, a TTL run out as an expiry', async () => {
    await redis.client.set('sess:before', record(), { EX: day });
    inspector.start();
    await expect.poll(() => snaps.at(-1)?.sessions.length, { timeout: 5000 }).toBe(1);
    expect(snaps.at(-1)).not.toHaveProperty('events'); // what was there already is not news

    // What express-session's regenerate() and the save after it send, through connect-redis.
    await redis.client.del('sess:before');
    await redis.client.set('sess:after', record('ada'), { EX: day });
    expect(text((await lineFor(/^login/)).parts)).toBe('login (ada): new session id sess:after, old record sess:before deleted');

    await redis.client.set('sess:short', record('grace'), { PX: 1500 });
    await lineFor(/^login \(grace\)/);
    await redis.client.del('sess:after');
    expect(text((await lineFor(/^logout/)).parts)).toBe('logout (ada): record sess:after deleted');
    expect(text((await lineFor(/^expired/)).parts)).toBe('expired: sess:short (grace)');
    expect(latest().map((e) => e.kind)).toEqual(['expired', 'logout', 'login', 'login']);
  });
});

/** A browser's cookie for one app: its session cookie, kept from answer to answer, and its forms' Origin. */
function device(app: RunningApp, ua = 'test') {
  let cookie = '';
  const send = async (path: string, form?: Record<string, string>) => {
    const headers: Record<string, string> = { 'User-Agent': ua, ...(cookie ? { Cookie: cookie } : {}) };
    if (form) Object.assign(headers, { 'Content-Type': 'application/x-www-form-urlencoded', Origin: app.url });
    const res = await fetch(new URL(path, app.url), { method: form ? 'POST' : 'GET', headers, body: form && new URLSearchParams(form).toString(), redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      if (!pair!.startsWith('connect.sid=')) continue;
      cookie = /Expires=Thu, 01 Jan 1970/i.test(c) ? '' : pair!;
    }
    const body = await res.text();
    // Where a browser goes next: the redirect after a form.
    if (res.status === 303) await send(res.headers.get('location')!);
    return { status: res.status, body };
  };
  return {
    send,
    /** The session's key in Redis: `sess:` and the id the signed cookie holds. */
    key: () => `sess:${/^s:([^.]+)\./.exec(decodeURIComponent(cookie.slice('connect.sid='.length)))![1]}`,
  };
}

describe("the solution apps' sessions, told as they happen", () => {
  let redis: ThrowawayRedis;
  let inspector: Inspector;
  let app: RunningApp | undefined;
  let snaps: InspectorSnapshot[] = [];
  const said = () => (snaps.at(-1)?.events ?? []).map((e) => text(e.parts));

  beforeAll(async () => {
    redis = await throwawayRedis();
  });
  afterAll(async () => {
    await app?.stop();
    await inspector?.close();
    await redis?.dispose();
  });

  /** A fresh start: no keys, the app of `step`, a new inspector's first pass done (what is there is not news). */
  async function begin(step: string) {
    await app?.stop();
    await inspector?.close();
    await redis.client.flushAll();
    app = await startApp(join(repoRoot, 'steps', step), { REDIS_URL: redis.url });
    snaps = [];
    inspector = new Inspector(redis.url, 'redis-cli', (snap) => snaps.push(snap));
    inspector.start();
    await expect.poll(() => snaps.length, { timeout: 5000 }).toBeGreaterThan(0);
    return app;
  }

  it('step 3: visiting the home page makes a session', async () => {
    const visitor = device(await begin('step3'));
    await visitor.send('/');
    await expect.poll(said, { timeout: 5000 }).toEqual([`new anonymous session ${visitor.key()}`]);
    // Visiting again rewrites the record (visits: 2): nothing new happened to the session.
    await visitor.send('/');
    await expect.poll(async () => (await redis.client.get(visitor.key()))?.includes('"visits":2'), { timeout: 5000 }).toBe(true);
    const seen = snaps.length;
    await expect.poll(() => snaps.length, { timeout: 5000 }).toBeGreaterThan(seen);
    expect(said()).toEqual([`new anonymous session ${visitor.key()}`]);
  }, 30_000);

  it("step 5: a login regenerates, a revoke of another device deletes its record and index entry, a logout deletes this one's", async () => {
    const running = await begin('step5');
    const laptop = device(running, 'Firefox on the laptop');
    await laptop.send('/');
    const visitorKey = laptop.key();
    await expect.poll(said, { timeout: 5000 }).toEqual([`new anonymous session ${visitorKey}`]);

    await laptop.send('/login', { username: 'ada', password: 'lovelace' });
    const ada = laptop.key();
    expect(ada).not.toBe(visitorKey);
    await expect.poll(() => said()[0], { timeout: 5000 }).toBe(`login (ada): new session id ${ada}, old record ${visitorKey} deleted`);

    const phone = device(running, 'Safari on the phone');
    await phone.send('/login', { username: 'ada', password: 'lovelace' });
    await expect.poll(() => said()[0], { timeout: 5000 }).toBe(`login (ada): new session ${phone.key()}`);

    // From the laptop's account page, the phone's "Log out".
    const account = await laptop.send('/account');
    const handles = [...account.body.matchAll(/action="\/sessions\/([\w-]+)\/revoke"/g)].map((m) => m[1]!);
    expect(handles).toHaveLength(1);
    await laptop.send(`/sessions/${handles[0]}/revoke`, {});
    await expect.poll(() => said()[0], { timeout: 5000 }).toBe(`revoked: ${phone.key()} (ada's other device), removed from devices:ada`);

    // The laptop logs out; the home page it lands on makes a new anonymous session.
    await laptop.send('/logout', {});
    await expect.poll(() => said().slice(0, 2), { timeout: 5000 }).toEqual([`new anonymous session ${laptop.key()}`, `logout (ada): record ${ada} deleted, removed from devices:ada`]);
    expect(snaps.at(-1)!.events!.map((e) => e.kind)).toEqual(['new', 'logout', 'revoked', 'login', 'login', 'new']);
  }, 30_000);
});
