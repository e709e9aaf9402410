// The Redis inspector's view of step 4: whose session is whose (the user's
// name at any depth of the record) and the counters of failed logins with
// their TTLs. Pure functions first, then one pass over a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inspector, isInteger, limits, sessionUser, toCounter, toEntry, type InspectorSnapshot } from '../runner/server/inspector.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';

const cookie = { originalMaxAge: 86_400_000, expires: '2030-01-01T00:00:00.000Z', httpOnly: true, path: '/', sameSite: 'lax' };
const evil = '<img src=x onerror=alert(1)>';

describe('whose session it is', () => {
  it('finds the user at various depths', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ cookie, visits: 3, user: { name: 'ada' } }, 'ada'],
      [{ cookie, user: 'ada' }, 'ada'],
      [{ cookie, username: 'ada' }, 'ada'],
      [{ cookie, user: { id: 7, username: 'ada' } }, 'ada'],
      [{ cookie, user: { userName: 'ada' } }, 'ada'],
      [{ cookie, account: { login: 'ada' } }, 'ada'],
      [{ cookie, user: { user: { name: 'ada' } } }, 'ada'],
      [{ cookie, auth: { account: { name: 'ada' } } }, 'ada'],
      [{ cookie, app: { state: { user: { name: 'ada' } } } }, 'ada'],
      // The shallowest wins, and `user` comes before `name` in one object.
      [{ cookie, deep: { user: { name: 'bob' } }, user: { name: 'ada' } }, 'ada'],
      [{ cookie, user: { name: 'Ada Lovelace', login: 'ada' } }, 'ada'],
      [{ cookie, user: { name: evil } }, evil],
    ];
    for (const [data, name] of cases) expect(sessionUser(data), JSON.stringify(data)).toBe(name);
  });

  it('finds nobody in anonymous or cookie-only records', () => {
    const cases: Record<string, unknown>[] = [
      { cookie },
      { cookie: { ...cookie, user: 'ada', name: 'ada', account: { name: 'ada' } } },
      { cookie, visits: 2 },
      { cookie, name: 'ada' }, // a bare `name` is not a user's
      { cookie, userId: 42 }, // an id is not a name
      { cookie, user: { id: 42 } },
      { cookie, user: '' },
      { cookie, user: { name: '  ' } },
      { cookie, cart: { items: [{ name: 'apple' }] } },
      { cookie, lastTry: { username: 'ada' } }, // a failed attempt's name: nobody is logged in
      { cookie, flash: { login: 'ada' } },
    ];
    for (const data of cases) expect(sessionUser(data), JSON.stringify(data)).toBeUndefined();
  });

  it('puts the user in the entry only when there is one', () => {
    const logged = toEntry('sess:a', JSON.stringify({ cookie, user: { name: 'ada' } }), 1000, 'redis-cli');
    expect(logged?.user).toBe('ada');
    const anonymous = toEntry('sess:b', JSON.stringify({ cookie, visits: 1 }), 1000, 'redis-cli');
    expect(anonymous).not.toHaveProperty('user');
  });

  it('cuts a very long name', () => {
    const user = sessionUser({ cookie, user: 'x'.repeat(10_000) });
    expect(user?.length).toBeLessThan(300);
  });
});

describe('counters', () => {
  it('knows an integer as Redis writes one', () => {
    for (const v of ['0', '3', '-1', '9223372036854775807']) expect(isInteger(v), v).toBe(true);
    for (const v of [null, undefined, '', ' 3', '3 ', '03', '1.5', '1e3', '0x10', '-', '+3', '{"n":1}', '99999999999999999999999']) expect(isInteger(v), String(v)).toBe(false);
  });

  it('picks integers with a TTL, or named like a counter', () => {
    expect(toCounter('login:failures:ada', '3', 843_200, 'redis-cli -p 6380')).toEqual({
      key: 'login:failures:ada',
      value: '3',
      ttl: 844,
      cli: 'redis-cli -p 6380 GET login:failures:ada  &&  redis-cli -p 6380 TTL login:failures:ada',
    });
    expect(toCounter('hits:127.0.0.1', '12', 5000, 'redis-cli')?.ttl).toBe(5);
    // Named like a counter: shown even without a TTL (a count never forgotten is worth seeing).
    for (const key of ['failed:ada', 'attempts/ada', 'LOGIN:ada', 'ratelimit:x', 'rl:limit']) expect(toCounter(key, '1', -1, 'redis-cli')?.ttl, key).toBe(-1);
    expect(toCounter("it's <b>", '1', 1000, 'redis-cli')?.cli).toBe(`redis-cli GET 'it'\\''s <b>'  &&  redis-cli TTL 'it'\\''s <b>'`);
  });

  it('ignores what is not a counter', () => {
    expect(toCounter('visits:total', '5', -1, 'redis-cli')).toBeUndefined(); // no TTL, no counter name
    expect(toCounter('login:failures:ada', 'three', 1000, 'redis-cli')).toBeUndefined();
    expect(toCounter('login:session', JSON.stringify({ cookie }), 1000, 'redis-cli')).toBeUndefined();
    expect(toCounter('greeting', 'hello', 1000, 'redis-cli')).toBeUndefined();
  });
});

describe('one pass over a real Redis', () => {
  let redis: ThrowawayRedis;
  let inspector: Inspector;
  const read = () => inspector.read();

  beforeAll(async () => {
    redis = await throwawayRedis();
    inspector = new Inspector(redis.url, 'redis-cli -p 1234', () => {});
  });
  afterAll(async () => {
    await inspector?.close();
    await redis?.dispose();
  });

  it('shows whose session it is and the failure counters with their TTLs', async () => {
    const c = redis.client;
    await c.set('sess:logged-in', JSON.stringify({ cookie, visits: 4, user: { name: 'ada' } }), { EX: 86_400 });
    await c.set('sess:anonymous', JSON.stringify({ cookie, visits: 1 }), { EX: 86_400 });
    await c.set(`sess:evil`, JSON.stringify({ cookie, user: { name: evil } }), { EX: 86_400 });
    await c.set('login:failures:ada', '3', { EX: 900 });
    await c.set('login:failures:bob', '1'); // named like a counter, no TTL: shown, "never expires"
    await c.set('visits:total', '17'); // a number, no TTL, not named like a counter: not shown
    await c.set('greeting', 'hello', { EX: 900 }); // a TTL, not a number: not shown
    await c.hSet('login:hash', { n: '1' }); // not a string key: not scanned
    const snap: InspectorSnapshot = await read();

    // The shape of before, with `user` and `counters` added.
    expect(Object.keys(snap).sort()).toEqual(['counters', 'countersTruncated', 'listCli', 'scanned', 'sessions', 'truncated']);
    expect(snap.truncated).toBe(false);
    expect(snap.countersTruncated).toBe(false);
    expect(snap.listCli).toBe("redis-cli -p 1234 --scan --pattern 'sess:*'");
    expect(snap.sessions.map((s) => [s.key, s.user])).toEqual([
      ['sess:anonymous', undefined],
      ['sess:evil', evil],
      ['sess:logged-in', 'ada'],
    ]);
    const ada = snap.sessions.find((s) => s.user === 'ada')!;
    expect(ada.ttl).toBeGreaterThan(86_000);
    expect(JSON.parse(ada.value)).toMatchObject({ visits: 4, user: { name: 'ada' } });
    expect(ada.cli).toBe('redis-cli -p 1234 GET sess:logged-in  &&  redis-cli -p 1234 TTL sess:logged-in');

    expect(snap.counters!.map((k) => k.key)).toEqual(['login:failures:ada', 'login:failures:bob']);
    const [failures, noTtl] = snap.counters!;
    expect(failures).toMatchObject({ value: '3', cli: 'redis-cli -p 1234 GET login:failures:ada  &&  redis-cli -p 1234 TTL login:failures:ada' });
    expect(failures!.ttl).toBeGreaterThan(890);
    expect(failures!.ttl).toBeLessThanOrEqual(900);
    expect(noTtl).toMatchObject({ value: '1', ttl: -1 });

    // A successful login clears the failures: the counter goes with the next pass.
    await c.del('login:failures:ada');
    await c.incr('login:failures:bob');
    const after = await read();
    expect(after.counters).toEqual([expect.objectContaining({ key: 'login:failures:bob', value: '2' })]);
    await c.flushAll();
  });

  it('is bounded: a Redis full of counters does not flood the page, and sessions are all still found', async () => {
    const c = redis.client;
    const n = limits.maxCounters + 20;
    const multi = c.multi();
    for (let i = 0; i < n; i++) multi.set(`rate:${String(i).padStart(4, '0')}`, String(i), { EX: 600 });
    for (let i = 0; i < 5; i++) multi.set(`sess:${i}`, JSON.stringify({ cookie, user: `user${i}` }), { EX: 600 });
    await multi.exec();
    const snap = await read();
    expect(snap.counters).toHaveLength(limits.maxCounters);
    expect(snap.countersTruncated).toBe(true);
    expect(snap.sessions.map((s) => s.user)).toEqual(['user0', 'user1', 'user2', 'user3', 'user4']);
    expect(snap.truncated).toBe(false);
    expect(snap.scanned).toBe(n + 5);
    await c.flushAll();
  });

  it('reports an empty Redis with empty lists', async () => {
    const snap = await read();
    expect(snap).toMatchObject({ sessions: [], counters: [], truncated: false, countersTruncated: false, scanned: 0 });
  });
});
