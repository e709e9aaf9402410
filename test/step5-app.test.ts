// steps/step5, "your devices", run for real: the app as a child process on a
// throwaway redis-server, visited by several devices, each with its own
// cookie jar and User-Agent. What Redis holds is read from Redis itself.
import { join } from 'node:path';
import { CookieJar } from 'tough-cookie';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/repo.ts';
import { startApp, type RunningApp } from './helpers/app.ts';
import { redisTraffic, throwawayRedis, trafficSince, type ThrowawayRedis } from './helpers/redis.ts';

let redis: ThrowawayRedis;
let app: RunningApp;

beforeAll(async () => {
  redis = await throwawayRedis();
  app = await startApp(join(repoRoot, 'steps', 'step5'), { REDIS_URL: redis.url, SESSION_SECRET: 'step5 test' });
});
afterAll(async () => {
  await app?.stop();
  await redis?.dispose();
});
// Each test starts from an empty Redis: nobody logged in, no index.
beforeEach(async () => void (await redis.client.flushAll()));

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** A browser on one device: its own cookies, its own User-Agent. */
function device(userAgent: string) {
  const jar = new CookieJar();
  async function send(method: string, path: string, form?: string | null, headers: Record<string, string> = {}): Promise<Answer> {
    const url = app.url + path;
    const cookie = await jar.getCookieString(url);
    const res = await fetch(url, {
      method,
      headers: {
        'user-agent': userAgent,
        ...(cookie ? { cookie } : {}),
        ...(typeof form === 'string' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(typeof form === 'string' ? { body: form } : {}),
      redirect: 'manual',
    });
    for (const header of res.headers.getSetCookie()) await jar.setCookie(header, url);
    return { status: res.status, headers: res.headers, body: await res.text() };
  }
  return {
    userAgent,
    get: (path: string) => send('GET', path),
    /** A POST; `form: null` sends no body at all (curl -X POST). */
    post: (path: string, form: string | null = '', headers: Record<string, string> = {}) => send('POST', path, form, headers),
    async login(name: string, password: string) {
      const res = await send('POST', '/login', `username=${name}&password=${password}`);
      expect(res.status, `${name}'s login`).toBe(303);
    },
    /** The session cookie's value as the jar holds it (URL-encoded 's:<id>.<signature>'). */
    async cookie() {
      return (await jar.getCookies(app.url)).find((c) => c.key === 'connect.sid')?.value;
    },
    /** The session id in the cookie. */
    async sid() {
      return /^s:([^.]+)\./.exec(decodeURIComponent((await this.cookie())!))![1]!;
    },
  };
}
type Device = ReturnType<typeof device>;

const ADA_AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Safari/604.1', 'curl/8.5.0 on the work laptop'];

/** Ada on three devices, Grace on one. */
async function loggedIn() {
  const ada = ADA_AGENTS.map(device);
  for (const d of ada) await d.login('ada', 'lovelace');
  const grace = device('Mozilla/5.0 (Macintosh) Grace/1.0');
  await grace.login('grace', 'hopper');
  return { ada, grace };
}

/** Each `<li>` of the account page: its HTML, and its text outside forms (tags dropped). */
function entries(page: string) {
  return [...page.matchAll(/<li>([\s\S]*?)<\/li>/g)].map(([, html]) => ({
    html: html!,
    text: html!.replace(/<form[\s\S]*?<\/form>/g, '').replace(/<[^>]+>/g, ''),
    handle: /action="\/sessions\/([^/"]+)\/revoke"/.exec(html!)?.[1],
  }));
}

/** The handle of `d`'s session on `page` (another device's). */
function handleOn(page: string, d: Device) {
  const handle = entries(page).find((e) => e.text.includes(d.userAgent))?.handle;
  expect(handle, `a revoke form for ${d.userAgent}`).toBeDefined();
  return handle!;
}

const index = (name: string) => `devices:${name}`;

/** Every key of the Redis and its value (times aside: no TTLs), to compare before and after. */
async function snapshot() {
  const all: Record<string, unknown> = {};
  for (const key of (await redis.client.keys('*')).sort()) {
    all[key] = (await redis.client.type(key)) === 'hash' ? await redis.client.hGetAll(key) : await redis.client.get(key);
  }
  return all;
}

async function stillLoggedIn(d: Device, name: string) {
  const res = await d.get('/account');
  return res.status === 200 && res.body.includes(`logged in as ${name}`);
}

describe('steps/step5: your devices', () => {
  it("lists ada's three sessions, each in its own <li> with its User-Agent and two ISO times, 'this device' in this one only", async () => {
    const { ada } = await loggedIn();
    for (const [i, me] of ada.entries()) {
      const page = await me.get('/account');
      expect(page.status).toBe(200);
      const listed = entries(page.body);
      expect(listed).toHaveLength(3); // grace's session is not ada's
      expect(page.body).not.toContain('Grace/1.0');
      for (const [j, other] of ada.entries()) {
        const entry = listed.find((e) => e.text.includes(other.userAgent))!;
        expect(entry, other.userAgent).toBeDefined();
        const times = [...entry.html.matchAll(/<time datetime="([^"]+)"/g)].map(([, iso]) => iso!);
        expect(times).toHaveLength(2);
        for (const iso of times) expect(new Date(iso).toISOString()).toBe(iso);
        expect(new Date(times[1]!) >= new Date(times[0]!)).toBe(true); // last seen, not before the login
        // "this device" in this request's entry, outside its forms, and in no other.
        expect(entry.text.includes('this device'), `entry ${j} on device ${i}'s page`).toBe(i === j);
        // Every other session can be revoked from here; this one is logged out with POST /logout.
        expect(entry.handle !== undefined).toBe(i !== j);
      }
      expect(page.body).toMatch(/<form method="post" action="\/sessions\/revoke-others">/);
    }
    expect(await redis.client.hLen(index('ada'))).toBe(3);
    expect(await redis.client.hLen(index('grace'))).toBe(1);
  });

  it('shows no session id in any form: not raw, not signed, not the cookie value', async () => {
    const { ada, grace } = await loggedIn();
    const ids = (await redis.client.keys('sess:*')).map((k) => k.slice('sess:'.length));
    expect(ids).toHaveLength(4);
    const cookies = await Promise.all([...ada, grace].map((d) => d.cookie()));
    for (const me of [...ada, grace]) {
      const page = (await me.get('/account')).body;
      for (const id of ids) expect(page).not.toContain(id);
      for (const cookie of cookies) {
        expect(page).not.toContain(cookie);
        expect(page).not.toContain(decodeURIComponent(cookie!));
      }
    }
  });

  it("revokes another of ada's devices: its record and index entry are gone, its next request is logged out", async () => {
    const { ada } = await loggedIn();
    const [me, other] = ada as [Device, Device, Device];
    const sid = await other.sid();
    const handle = handleOn((await me.get('/account')).body, other);

    const res = await me.post(`/sessions/${handle}/revoke`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    expect(await redis.client.exists(`sess:${sid}`)).toBe(0);
    expect(await redis.client.hLen(index('ada'))).toBe(2);
    expect(await redis.client.hVals(index('ada'))).not.toContain(sid);

    expect(await stillLoggedIn(other, 'ada')).toBe(false);
    const page = (await me.get('/account')).body;
    expect(entries(page)).toHaveLength(2);
    expect(page).not.toContain(other.userAgent);
    expect(await stillLoggedIn(me, 'ada')).toBe(true);
  });

  it('keeps a revoked device logged out even when a request it had in flight writes its record back', async () => {
    const { ada } = await loggedIn();
    const [me, other] = ada as [Device, Device, Device];
    const sid = await other.sid();
    const record = (await redis.client.get(`sess:${sid}`))!;
    const handle = handleOn((await me.get('/account')).body, other);
    expect((await me.post(`/sessions/${handle}/revoke`)).status).toBe(303);
    // What express-session does at the end of a request that was running when the revoke came: SET the record again.
    await redis.client.set(`sess:${sid}`, record, { EX: 3600 });
    expect(await stillLoggedIn(other, 'ada')).toBe(false);
    // The record written back is gone again, and the device is not in the index.
    expect(await redis.client.exists(`sess:${sid}`)).toBe(0);
    expect(await redis.client.hVals(index('ada'))).not.toContain(sid);
    expect(entries((await me.get('/account')).body)).toHaveLength(2);
  });

  it("answers 404 to a handle of grace's session from ada, and to an unknown handle; nothing changes", async () => {
    const { ada } = await loggedIn();
    // Grace on a second device: her first device's page shows its handle.
    const grace = [device('Mozilla/5.0 (Macintosh) Grace/1.0'), device('Grace phone/2.0')];
    for (const d of grace) await d.login('grace', 'hopper');
    const graceHandle = handleOn((await grace[0]!.get('/account')).body, grace[1]!);

    const before = await snapshot();
    expect((await ada[0]!.post(`/sessions/${graceHandle}/revoke`)).status).toBe(404);
    expect((await ada[0]!.post('/sessions/no-such-handle/revoke')).status).toBe(404);
    expect((await ada[0]!.post(`/sessions/${'x'.repeat(2000)}/revoke`)).status).toBe(404);
    expect(await stillLoggedIn(grace[1]!, 'grace')).toBe(true);
    expect(await stillLoggedIn(ada[0]!, 'ada')).toBe(true);
    const after = await snapshot();
    // The same keys; the records differ at most in their last-seen times.
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after[index('ada')]).toEqual(before[index('ada')]);
    expect(after[index('grace')]).toEqual(before[index('grace')]);
  });

  it("logs this device out when its own handle is revoked, as POST /logout does", async () => {
    const { ada } = await loggedIn();
    const [me] = ada as [Device];
    const sid = await me.sid();
    const own = Object.entries(await redis.client.hGetAll(index('ada'))).find(([, s]) => s === sid)![0];

    const res = await me.post(`/sessions/${own}/revoke`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('connect.sid='))).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(await redis.client.exists(`sess:${sid}`)).toBe(0);
    expect(Number(await redis.client.hExists(index('ada'), own))).toBe(0);
    expect(await redis.client.hLen(index('ada'))).toBe(2);
    expect(await stillLoggedIn(me, 'ada')).toBe(false);
  });

  it('logs out everywhere else: only this device is left, still logged in', async () => {
    const { ada, grace } = await loggedIn();
    const [me, ...others] = ada as [Device, Device, Device];
    const otherSids = await Promise.all(others.map((d) => d.sid()));

    const res = await me.post('/sessions/revoke-others', null); // no body, as curl sends it
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    for (const sid of otherSids) expect(await redis.client.exists(`sess:${sid}`)).toBe(0);
    expect(await redis.client.hVals(index('ada'))).toEqual([await me.sid()]);
    for (const d of others) expect(await stillLoggedIn(d, 'ada')).toBe(false);
    const listed = entries((await me.get('/account')).body);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.text).toContain('this device');
    expect(await stillLoggedIn(grace, 'grace')).toBe(true);
  });

  it('POST /logout removes this session from the index too', async () => {
    const { ada } = await loggedIn();
    const sid = await ada[0]!.sid();
    const res = await ada[0]!.post('/logout');
    expect(res.status).toBe(303);
    expect(await redis.client.exists(`sess:${sid}`)).toBe(0);
    expect(await redis.client.hVals(index('ada'))).not.toContain(sid);
    expect(await redis.client.hLen(index('ada'))).toBe(2);
  });

  it('never lists a session whose record was deleted in Redis, and drops its index entry when the list is read', async () => {
    const { ada } = await loggedIn();
    const sid = await ada[1]!.sid();
    await redis.client.del(`sess:${sid}`);
    expect(await redis.client.hLen(index('ada'))).toBe(3); // nobody told the app yet

    const page = (await ada[0]!.get('/account')).body;
    expect(entries(page)).toHaveLength(2);
    expect(page).not.toContain(ada[1]!.userAgent);
    expect(await redis.client.hLen(index('ada'))).toBe(2);
    expect(await redis.client.hVals(index('ada'))).not.toContain(sid);
  });

  it("gives the index an expiry no shorter than its sessions'", async () => {
    const { ada } = await loggedIn();
    await ada[0]!.get('/account'); // a request extends that session's expiry
    const indexTtl = await redis.client.ttl(index('ada'));
    expect(indexTtl).toBeGreaterThan(0);
    for (const d of ada) {
      const ttl = await redis.client.ttl(`sess:${await d.sid()}`);
      expect(ttl).toBeGreaterThan(0);
      expect(indexTtl).toBeGreaterThanOrEqual(ttl);
    }
  });

  it("notes 'last seen' when a minute has passed, and renews the index's expiry then", async () => {
    const { ada } = await loggedIn();
    const key = `sess:${await ada[0]!.sid()}`;
    // As if this device was last seen five minutes ago, and its index were about to expire.
    const record = JSON.parse((await redis.client.get(key))!);
    const loggedInAt = record.device.loggedInAt;
    record.device.lastSeen = Date.now() - 5 * 60_000;
    await redis.client.set(key, JSON.stringify(record), { expiration: 'KEEPTTL' });
    await redis.client.expire(index('ada'), 100);

    const before = Date.now();
    const page = (await ada[0]!.get('/account')).body;
    const mine = entries(page).find((e) => e.text.includes('this device'))!;
    const [shownLogin, shownSeen] = [...mine.html.matchAll(/<time datetime="([^"]+)"/g)].map(([, iso]) => Date.parse(iso!));
    expect(shownLogin).toBe(loggedInAt);
    expect(shownSeen).toBeGreaterThanOrEqual(before - 1000);
    expect(JSON.parse((await redis.client.get(key))!).device.lastSeen).toBeGreaterThanOrEqual(before - 1000);
    expect(await redis.client.ttl(index('ada'))).toBeGreaterThanOrEqual(await redis.client.ttl(key));

    // Within the minute, a request writes nothing new: the record's time stays.
    const noted = JSON.parse((await redis.client.get(key))!).device.lastSeen;
    await ada[0]!.get('/account');
    expect(JSON.parse((await redis.client.get(key))!).device.lastSeen).toBe(noted);
  });

  it('shows a User-Agent holding <script> as text', async () => {
    const evil = device('<script>alert(1)</script>');
    await evil.login('ada', 'lovelace');
    const page = (await evil.get('/account')).body;
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
  });

  it('sends no KEYS or SCAN to Redis for GET /account (MONITOR)', async () => {
    const { ada } = await loggedIn();
    await redis.client.del(`sess:${await ada[2]!.sid()}`); // so the list has an entry to drop, too
    const monitor = redis.client.duplicate();
    monitor.on('error', () => {});
    await monitor.connect();
    const seen: string[] = [];
    let marked: () => void;
    const marker = new Promise<void>((resolve) => (marked = resolve));
    await monitor.monitor((line: string) => {
      seen.push(line);
      if (line.includes('"step5-test-end"')) marked();
    });
    try {
      expect((await ada[0]!.get('/account')).status).toBe(200);
      await redis.client.echo('step5-test-end'); // MONITOR shows commands in order: this one comes last
      await marker;
    } finally {
      monitor.destroy();
    }
    const commands = seen.map((line) => /\] "([^"]+)"/.exec(line)?.[1]?.toLowerCase());
    expect(commands).toContain('hgetall'); // the app's commands were seen
    expect(commands).toContain('mget');
    expect(commands).toContain('hdel');
    expect(commands).not.toContain('keys');
    expect(commands).not.toContain('scan');
  });

  describe('cross-site POSTs and bad bodies', () => {
    const crossSite: Record<string, string>[] = [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }];

    it('refuses each new POST sent from another site with 403, and changes nothing', async () => {
      const { ada } = await loggedIn();
      const [me, other] = ada as [Device, Device, Device];
      const handle = handleOn((await me.get('/account')).body, other);
      const sid = await me.sid();
      const own = Object.entries(await redis.client.hGetAll(index('ada'))).find(([, s]) => s === sid)![0];
      for (const headers of crossSite) {
        for (const path of [`/sessions/${handle}/revoke`, `/sessions/${own}/revoke`, '/sessions/revoke-others', '/logout']) {
          const before = await snapshot();
          const traffic = await redisTraffic(redis.client);
          const res = await me.post(path, '', headers);
          expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
          expect(res.headers.getSetCookie()).toEqual([]);
          expect(trafficSince(traffic, await redisTraffic(redis.client)).writes).toEqual({});
          expect(await snapshot()).toEqual(before);
        }
      }
      for (const d of ada) expect(await stillLoggedIn(d, 'ada')).toBe(true);
      expect(await redis.client.hLen(index('ada'))).toBe(3);
    });

    it("keeps step 4's body rules: an empty login 400, a body the parser refuses 4xx, never a stack trace", async () => {
      const { ada } = await loggedIn();
      const [me, other] = ada as [Device, Device, Device];
      const stranger = device('curl/8.5.0');
      expect((await stranger.post('/login', null)).status).toBe(400);
      expect((await stranger.post('/login', '')).status).toBe(400);

      const handle = handleOn((await me.get('/account')).body, other);
      const before = await snapshot();
      for (const path of [`/sessions/${handle}/revoke`, '/sessions/revoke-others']) {
        const charset = await me.post(path, 'x=1', { 'content-type': 'application/x-www-form-urlencoded; charset=klingon' });
        const large = await me.post(path, `x=${'a'.repeat(110_000)}`);
        for (const res of [charset, large]) {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.body).not.toMatch(/\n\s+at |node_modules|steps\/step5/);
        }
      }
      expect(await snapshot()).toEqual(before);
      expect(await stillLoggedIn(other, 'ada')).toBe(true);
    });
  });

  it('sends anyone not logged in to /login from the account page and the revoke routes', async () => {
    const stranger = device('curl/8.5.0');
    for (const res of [await stranger.get('/account'), await stranger.post('/sessions/x/revoke'), await stranger.post('/sessions/revoke-others')]) {
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    expect(await redis.client.keys('*')).toEqual([]);
  });
});
