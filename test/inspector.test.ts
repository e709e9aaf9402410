// The Redis inspector's view of step 4: whose session is whose (the user's
// name at any depth of the record) and the counters of failed logins with
// their TTLs; and of any workshop's Redis: every other key by type, bounded.
// Pure functions first, then passes over a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cutText,
  elementsEntry,
  firstBytes,
  Inspector,
  isInteger,
  jsonStart,
  keyCli,
  limits,
  partialSession,
  sessionIndexes,
  sessionUser,
  stringEntry,
  toCounter,
  toEntry,
  utf8End,
  type InspectorSnapshot,
  type KeyEntry,
  type Refusal,
  type SessionIndex,
  type ValueChunk,
} from '../runner/server/inspector.ts';
import { randomBytes } from 'node:crypto';
import { redisTraffic, throwawayRedis, trafficSince, type ThrowawayRedis } from './helpers/redis.ts';

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
    await c.set('visits:total', '17'); // a number, no TTL, not named like a counter: not a counter, one of the other keys
    await c.set('greeting', 'hello', { EX: 900 }); // a TTL, not a number: not a counter, one of the other keys
    await c.hSet('login:hash', { n: '1' }); // not a string key: one of the other keys
    const snap: InspectorSnapshot = await read();

    // The shape of before, with `user` and `counters` added, and the other keys.
    expect(Object.keys(snap).sort()).toEqual(['counters', 'countersTruncated', 'keys', 'keysCli', 'keysTotal', 'keysTruncated', 'listCli', 'scanned', 'sessions', 'truncated']);
    expect(snap.keys.map((k) => [k.key, k.type])).toEqual([
      ['greeting', 'string'],
      ['login:hash', 'hash'],
      ['visits:total', 'string'],
    ]);
    expect(snap.scanned).toBe(8);
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
    expect(snap).toMatchObject({ sessions: [], counters: [], truncated: false, countersTruncated: false, scanned: 0, keys: [], keysTotal: 0, keysTruncated: false });
  });
});

describe('other keys: pure parts', () => {
  it('gives the command that reads each type whole, with the TTL', () => {
    const cli = 'redis-cli -p 6380';
    expect(keyCli(cli, 'string', 'k')).toBe('redis-cli -p 6380 GET k  &&  redis-cli -p 6380 TTL k');
    expect(keyCli(cli, 'hash', 'note:1')).toBe('redis-cli -p 6380 HGETALL note:1  &&  redis-cli -p 6380 TTL note:1');
    expect(keyCli(cli, 'list', 'notes')).toBe('redis-cli -p 6380 LRANGE notes 0 -1  &&  redis-cli -p 6380 TTL notes');
    expect(keyCli(cli, 'set', 'tags')).toBe('redis-cli -p 6380 SMEMBERS tags  &&  redis-cli -p 6380 TTL tags');
    expect(keyCli(cli, 'zset', 'top')).toBe('redis-cli -p 6380 ZRANGE top 0 -1 WITHSCORES  &&  redis-cli -p 6380 TTL top');
    expect(keyCli(cli, 'stream', 'log')).toBe('redis-cli -p 6380 XRANGE log - +  &&  redis-cli -p 6380 TTL log');
    expect(keyCli('redis-cli', 'list', "my notes")).toBe("redis-cli LRANGE 'my notes' 0 -1  &&  redis-cli TTL 'my notes'");
  });

  it('cuts long texts, never inside a character', () => {
    expect(cutText('abc', 5)).toBe('abc');
    expect(cutText('abcdef', 3)).toBe('abc…');
    expect(cutText('ab😀', 3)).toBe('ab…'); // the emoji's two halves stay together
    expect(firstBytes('héllo', 2)).toBe('h'); // é is two bytes: not cut in two
    expect(firstBytes('héllo', 3)).toBe('hé');
    expect(firstBytes('hello', 10)).toBe('hello');
  });

  it('shows a string whole, JSON pretty-printed, or its start with its size', () => {
    expect(stringEntry('k', 'hi', 2, -1, 'redis-cli')).toEqual({ key: 'k', type: 'string', ttl: -1, size: 2, value: 'hi', partial: false, cli: 'redis-cli GET k  &&  redis-cli TTL k' });
    expect(stringEntry('k', '{"a":[1]}', 9, 1500, 'redis-cli')).toMatchObject({ ttl: 2, value: '{\n  "a": [\n    1\n  ]\n}' });
    expect(stringEntry('k', '{not json', 9, -1, 'redis-cli').value).toBe('{not json');
    const long = stringEntry('k', 'y'.repeat(limits.valueBytes + 10), 1_000_000, -1, 'redis-cli');
    expect(long).toMatchObject({ size: 1_000_000, partial: true });
    expect(long.value).toHaveLength(limits.valueBytes);
  });

  it('reads the replies of each type, and skips a key whose type changed meanwhile', () => {
    const e = (type: string, replies: unknown[]) => elementsEntry('k', type, -1, replies as never, 'redis-cli');
    expect(e('hash', [2, ['0', ['f', 'v', 'g', 'w']]])).toMatchObject({ size: 2, rows: [['f', 'v'], ['g', 'w']], partial: false });
    expect(e('list', [12, ['a', 'b']])).toMatchObject({ size: 12, rows: [['0', 'a'], ['1', 'b']], partial: true });
    expect(e('set', [3, ['0', ['b', 'c', 'a']]])).toMatchObject({ rows: [['a'], ['b'], ['c']] });
    expect(e('zset', [2, ['bob', '1.5', 'ada', '3']])).toMatchObject({ rows: [['bob', '1.5'], ['ada', '3']] });
    expect(e('stream', [7, [['2-0', ['b', '2']], ['1-0', ['a', '1']]]])).toMatchObject({ size: 7, rows: [['1-0', 'a', '1'], ['2-0', 'b', '2']], partial: true });
    expect(e('list', [new Error('WRONGTYPE'), new Error('WRONGTYPE')])).toBeUndefined();
    expect(e('hash', [1, ['0', ['f', 'x'.repeat(1000)]]])!.rows![0]![1]).toBe(`${'x'.repeat(limits.elementChars)}…`);
  });
});

describe('other keys in a real Redis', () => {
  let redis: ThrowawayRedis;
  let inspector: Inspector;
  const cli = 'redis-cli -p 1234';
  const key = (snap: InspectorSnapshot, k: string): KeyEntry | undefined => snap.keys.find((e) => e.key === k);

  beforeAll(async () => {
    redis = await throwawayRedis();
    inspector = new Inspector(redis.url, cli, () => {});
  });
  afterAll(async () => {
    await inspector?.close();
    await redis?.dispose();
  });

  it('reads each type, with and without a TTL, beside the sessions and counters', async () => {
    const c = redis.client;
    await c.set('sess:a', JSON.stringify({ cookie, user: 'ada' }), { EX: 600 });
    await c.set('login:failures:bob', '2', { EX: 600 });
    await c.set('title', 'My notes');
    await c.hSet('note:1', { title: 'Buy milk', done: 'no' });
    await c.expire('note:1', 120);
    await c.rPush('notes', ['one', 'two']);
    await c.sAdd('tags', ['b', 'a']);
    await c.zAdd('top', [{ score: 2, value: 'x' }, { score: 1, value: 'y' }]);
    await c.pExpire('top', 1500);
    await c.xAdd('log', '1-1', { event: 'start' });
    const snap = await inspector.read();
    expect(snap.sessions.map((s) => s.key)).toEqual(['sess:a']);
    expect(snap.counters!.map((s) => s.key)).toEqual(['login:failures:bob']);
    expect(snap.keys).toEqual([
      { key: 'log', type: 'stream', ttl: -1, size: 1, rows: [['1-1', 'event', 'start']], partial: false, cli: `${cli} XRANGE log - +  &&  ${cli} TTL log` },
      { key: 'note:1', type: 'hash', ttl: 120, size: 2, rows: [['title', 'Buy milk'], ['done', 'no']], partial: false, cli: `${cli} HGETALL note:1  &&  ${cli} TTL note:1` },
      { key: 'notes', type: 'list', ttl: -1, size: 2, rows: [['0', 'one'], ['1', 'two']], partial: false, cli: `${cli} LRANGE notes 0 -1  &&  ${cli} TTL notes` },
      { key: 'tags', type: 'set', ttl: -1, size: 2, rows: [['a'], ['b']], partial: false, cli: `${cli} SMEMBERS tags  &&  ${cli} TTL tags` },
      { key: 'title', type: 'string', ttl: -1, size: 8, value: 'My notes', partial: false, cli: `${cli} GET title  &&  ${cli} TTL title` },
      { key: 'top', type: 'zset', ttl: 2, size: 2, rows: [['y', '1'], ['x', '2']], partial: false, cli: `${cli} ZRANGE top 0 -1 WITHSCORES  &&  ${cli} TTL top` },
    ]);
    expect(snap).toMatchObject({ keysTotal: 6, keysTruncated: false, keysCli: `${cli} --scan`, scanned: 8 });

    // Deleted or expired: gone from the next pass.
    await c.del(['notes', 'tags']);
    await new Promise((r) => setTimeout(r, 1600));
    const after = await inspector.read();
    expect(after.keys.map((k) => k.key)).toEqual(['log', 'note:1', 'title']);
    expect(after.keysTotal).toBe(3);
    await c.flushAll();
  });

  it('reads only the start of big values, and says their size', async () => {
    const c = redis.client;
    await c.set('huge', 'z'.repeat(5_000_000));
    await c.set('mid', 'm'.repeat(limits.wholeStringBytes + 1)); // too long to be read whole: its start
    const items = Array.from({ length: 100_000 }, (_, i) => `item ${i}`);
    for (let i = 0; i < items.length; i += 10_000) await c.rPush('long', items.slice(i, i + 10_000));
    const fields = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, 'v'.repeat(100)]));
    await c.hSet('wide', fields);
    await c.sAdd('many', Array.from({ length: 2000 }, (_, i) => `m${i}`));
    await c.zAdd('ranked', Array.from({ length: 500 }, (_, i) => ({ score: i, value: `r${i}` })));
    for (let i = 1; i <= 50; i++) await c.xAdd('events', `${i}-0`, { n: String(i) });

    const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await c.info('stats'))![1]);
    await inspector.read();
    const before = await sent();
    const snap = await inspector.read();
    const bytes = (await sent()) - before;
    // One pass sends well under 100 KB, though Redis holds over 6 MB of these values.
    console.log(`inspector: one pass over 6 MB of big values, ${bytes} bytes from Redis`);
    expect(bytes).toBeLessThan(100_000);

    expect(key(snap, 'huge')).toMatchObject({ type: 'string', size: 5_000_000, partial: true });
    expect(key(snap, 'huge')!.value).toBe('z'.repeat(limits.valueBytes));
    expect(key(snap, 'mid')).toMatchObject({ size: limits.wholeStringBytes + 1, partial: true });
    expect(key(snap, 'long')).toMatchObject({ type: 'list', size: 100_000, partial: true, rows: items.slice(0, limits.maxElements).map((item, i) => [String(i), item]) });
    expect(key(snap, 'wide')).toMatchObject({ type: 'hash', size: 1000, partial: true });
    expect(key(snap, 'wide')!.rows!.length).toBeGreaterThan(0);
    expect(key(snap, 'wide')!.rows!.length).toBeLessThanOrEqual(limits.maxElements);
    expect(key(snap, 'many')).toMatchObject({ type: 'set', size: 2000, partial: true });
    expect(key(snap, 'many')!.rows!.length).toBeLessThanOrEqual(limits.maxElements);
    expect(key(snap, 'ranked')).toMatchObject({ type: 'zset', size: 500, partial: true, rows: Array.from({ length: limits.maxElements }, (_, i) => [`r${i}`, String(i)]) });
    // A stream's last entries, oldest first.
    expect(key(snap, 'events')).toMatchObject({ type: 'stream', size: 50, partial: true });
    expect(key(snap, 'events')!.rows!.map((r) => r[0])).toEqual(['46-0', '47-0', '48-0', '49-0', '50-0']);
    await c.flushAll();
  });

  it('is bounded: many keys are counted, the first ones shown, and a pass stays cheap', async () => {
    const c = redis.client;
    const n = 1000;
    const multi = c.multi();
    for (let i = 0; i < n; i++) {
      const k = `k:${String(i).padStart(4, '0')}`;
      if (i % 5 === 0) multi.set(`sess:${i}`, JSON.stringify({ cookie, visits: i }), { EX: 600 });
      else if (i % 5 === 1) multi.hSet(k, { title: `note ${i}` });
      else if (i % 5 === 2) multi.rPush(k, ['a', 'b']);
      else if (i % 5 === 3) multi.set(k, `value ${i}`);
      else multi.zAdd(k, { score: i, value: 'm' });
    }
    await multi.exec();
    const snap = await inspector.read();
    expect(snap.scanned).toBe(n);
    expect(snap.sessions).toHaveLength(limits.maxSessions);
    expect(snap.truncated).toBe(true);
    expect(snap.keys).toHaveLength(limits.maxKeys);
    expect(snap.keysTotal).toBe(800);
    expect(snap.keysTruncated).toBe(true);
    expect(snap.keys.map((k) => k.key)).toEqual([...snap.keys.map((k) => k.key)].sort((a, b) => a.localeCompare(b)));
    expect(snap.keys[0]!.key).toBe('k:0001');
    // What one pass costs the runner with 1,000 keys (the runner polls every 400 ms while a page is open).
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await inspector.read();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const median = times[7]!;
    console.log(`inspector: one pass over ${n} keys, median ${median.toFixed(1)} ms`);
    expect(median).toBeLessThan(1000); // room for a loaded machine; a few tens of ms here
    await c.flushAll();
  });

  it('passes over a Redis holding more strings than one pass reads, and says so', async () => {
    const c = redis.client;
    // Each string costs a pass its first 4 KB: 40 more than a pass's bytes hold.
    const n = Math.ceil(limits.passBytes / limits.valueBytes) + 40;
    const multi = c.multi();
    for (let i = 0; i < n; i++) multi.set(`blob:${String(i).padStart(3, '0')}`, 'b'.repeat(6000));
    await multi.exec();
    const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await c.info('stats'))![1]);
    const before = await sent();
    const snap = await inspector.read();
    const bytes = (await sent()) - before;
    expect(bytes).toBeLessThan(limits.passBytes + 100_000); // names and numbers besides
    expect(snap.keys).toHaveLength(limits.maxKeys);
    expect(snap.keys.every((k) => k.value!.length <= limits.valueBytes)).toBe(true);
    expect(snap.keysTotal).toBe(n);
    expect(snap.keysTruncated).toBe(true);
    expect(snap.truncated).toBe(true); // a session among the unread would be missed: the page says "the first ones only"
    await c.flushAll();
  });
});

describe('the start of a big value: pure parts', () => {
  it('ends a cut text before a character the cut went through', () => {
    const bytes = Buffer.from('a€😀');
    expect([...Array(bytes.length + 1).keys()].map((n) => utf8End(bytes.subarray(0, n)))).toEqual([0, 1, 1, 1, 4, 4, 4, 4, 8]);
    expect(utf8End(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80]))).toBe(5); // not UTF-8: kept, nothing to wait for
  });

  it('reads what a JSON start says for sure, and nothing it cuts', () => {
    const text = JSON.stringify({ cookie, user: { name: 'ada', id: 7 }, visits: 12, tags: ['a', 'b'], note: 'hello' });
    for (let n = 1; n < text.length; n++) {
      const start = jsonStart(text.slice(0, n));
      if (!start) continue; // `{` alone, or cut inside the first key
      // Every member it has is the record's own, whole: a number or string the cut went through is left out.
      const json = JSON.stringify(start.value);
      const whole = JSON.parse(text) as Record<string, unknown>;
      for (const [k, v] of Object.entries(start.value as Record<string, unknown>)) {
        if (typeof v !== 'object') expect(whole[k], `${n}: ${json}`).toEqual(v);
      }
    }
    expect(jsonStart('{"a":12')).toEqual({ value: {}, open: expect.any(Set) }); // 12 may be 123
    expect(jsonStart('{"a":"ad')!.value).toEqual({});
    expect(jsonStart('{"a":tr')!.value).toEqual({});
    expect(jsonStart('{"a":true,')!.value).toEqual({ a: true });
    expect(jsonStart('{"a":{"b":1,"c":[1,')!.value).toEqual({ a: { b: 1, c: [1] } });
    expect(jsonStart('{"a":1}')!.open.size).toBe(0);
    expect(jsonStart('{"a":1} x')).toBeUndefined();
    expect(jsonStart('{"a" 1')).toBeUndefined();
    expect(jsonStart('hello')).toBeUndefined();
    expect(Object.getPrototypeOf(jsonStart('{"__proto__":{"x":1},')!.value)).toBe(Object.prototype);
  });

  it('knows a cut session by its start, and its user only when nothing further on could outrank it', () => {
    const start = (data: Record<string, unknown>, cutAt: string) => {
      const text = JSON.stringify(data);
      return text.slice(0, text.indexOf(cutAt));
    };
    const user = (data: Record<string, unknown>, cutAt: string) => partialSession('sess:x', start(data, cutAt), 10, 3_000_000, 1000, 'redis-cli')?.user;
    const cart = Array.from({ length: 50 }, (_, i) => `item ${i}`);
    expect(user({ cookie, user: { name: 'ada' }, cart }, 'item 9')).toBe('ada');
    expect(user({ cookie, user: 'ada', cart }, 'item 9')).toBe('ada');
    expect(user({ cookie, user: { name: 'ada lovelace' }, cart }, 'lovelace')).toBeUndefined(); // never a name cut in two
    // Cut inside the user object: a `login` further on would outrank `name`.
    expect(user({ cookie, user: { name: 'ada', cart } }, 'item 9')).toBeUndefined();
    expect(user({ cookie, user: { user: 'ada', cart } }, 'item 9')).toBe('ada');
    // Cut at the top: `user` further on would outrank `username`.
    expect(user({ cookie, username: 'ada', cart }, 'item 9')).toBeUndefined();
    expect(user({ cookie, visits: 3, cart }, 'item 9')).toBeUndefined();
    const entry = partialSession('sess:x', start({ cookie, user: { name: 'ada' }, cart }, 'item 9'), 120, 3_000_000, 1500, 'redis-cli');
    expect(entry).toMatchObject({ key: 'sess:x', ttl: 2, partial: true, size: 3_000_000, shownBytes: 120, cli: 'redis-cli GET sess:x  &&  redis-cli TTL sess:x' });
    expect(entry!.value).toMatch(/^\{"cookie":\{/);
    // Not what express-session writes first: not a session.
    expect(partialSession('k', JSON.stringify({ user: 'ada', cookie }), 10, 3_000_000, -1, 'redis-cli')).toBeUndefined();
    expect(partialSession('k', 'x'.repeat(100), 10, 3_000_000, -1, 'redis-cli')).toBeUndefined();
  });
});

describe('a Redis holding 20 MB values', () => {
  let redis: ThrowawayRedis;
  let inspector: Inspector;
  const MB = 20 * 1024 * 1024;
  const key = (snap: InspectorSnapshot, k: string): KeyEntry | undefined => snap.keys.find((e) => e.key === k);
  const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await redis.client.info('stats'))![1]);
  const session = { cookie, user: { name: 'ada' }, cart: Array.from({ length: 100_000 }, (_, i) => `item number ${i} of the cart`) };
  const sessionBytes = Buffer.byteLength(JSON.stringify(session));

  beforeAll(async () => {
    redis = await throwawayRedis();
    inspector = new Inspector(redis.url, 'redis-cli', () => {});
    const c = redis.client;
    await c.set('big:string', 's'.repeat(MB));
    await c.rPush('big:list', ['small', 'l'.repeat(MB), ...Array.from({ length: 10 }, (_, i) => `after ${i}`)]);
    await c.hSet('big:hash', { big: 'h'.repeat(MB) });
    await c.sAdd('big:set', ['m'.repeat(MB), 'a', 'b']);
    await c.zAdd('big:zset', [{ score: 1, value: 'z'.repeat(MB) }, { score: 2, value: 'b' }]);
    await c.set('sess:big', JSON.stringify(session), { EX: 3600 });
  }, 60_000);
  afterAll(async () => {
    await inspector?.close();
    await redis?.dispose();
  });

  it('reads a few KB of each in a pass, says their full sizes, and knows the 3 MB session', async () => {
    expect(sessionBytes).toBeGreaterThan(3_000_000);
    const before = await sent();
    const snap = await inspector.read();
    const bytes = (await sent()) - before;
    console.log(`inspector: one pass over five 20 MB values and a 3 MB session, ${bytes} bytes from Redis`);
    expect(bytes).toBeLessThan(64 * 1024);

    expect(key(snap, 'big:string')).toMatchObject({ type: 'string', size: MB, partial: true, value: 's'.repeat(limits.valueBytes), shownBytes: limits.valueBytes });
    const list = key(snap, 'big:list')!;
    expect(list).toMatchObject({ type: 'list', size: 12, partial: true, cut: [{ row: 1, col: 1, bytes: MB }] });
    expect(list.rows!.slice(0, 3)).toEqual([['0', 'small'], ['1', `${'l'.repeat(limits.elementChars)}…`], ['2', 'after 0']]);
    expect(key(snap, 'big:hash')).toMatchObject({ type: 'hash', size: 1, partial: false, rows: [['big', `${'h'.repeat(limits.elementChars)}…`]], cut: [{ row: 0, col: 1, bytes: MB }] });
    expect(key(snap, 'big:set')).toMatchObject({ type: 'set', size: 3, rows: [['a'], ['b'], [`${'m'.repeat(limits.elementChars)}…`]], cut: [{ row: 2, col: 0, bytes: MB }] });
    expect(key(snap, 'big:zset')).toMatchObject({ type: 'zset', size: 2, rows: [[`${'z'.repeat(limits.elementChars)}…`, '1'], ['b', '2']], cut: [{ row: 0, col: 0, bytes: MB }] });
    expect(snap.sessions).toHaveLength(1);
    const big = snap.sessions[0]!;
    expect(big).toMatchObject({ key: 'sess:big', user: 'ada', partial: true, size: sessionBytes });
    expect(big.ttl).toBeGreaterThan(3500);
    expect(big.value).toBe(JSON.stringify(session).slice(0, big.shownBytes));
    expect(big.shownBytes).toBeLessThanOrEqual(limits.valueBytes);
    expect(snap.keys.map((k) => k.key)).not.toContain('sess:big');
  });

  it('reads big elements again only when the key changes (its size or MEMORY USAGE), not every pass', async () => {
    const scripts = async () => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.client.info('commandstats'))?.[1] ?? 0);
    await inspector.read();
    const before = await sent();
    const calls = await scripts();
    const t = performance.now();
    const again = await inspector.read();
    const ms = performance.now() - t;
    const bytes = (await sent()) - before;
    console.log(`inspector: the next pass, ${bytes} bytes from Redis, ${ms.toFixed(1)} ms`);
    expect(await scripts()).toBe(calls); // no element read: each key's size and MEMORY USAGE said it did not change
    expect(bytes).toBeLessThan(20 * 1024); // the strings' starts, the sizes
    expect(key(again, 'big:list')!.rows![1]![1]).toBe(`${'l'.repeat(limits.elementChars)}…`);
    expect(key(again, 'big:list')!.note).toMatch(/^Its first elements hold [\d,]+ bytes, which Redis copies whole to cut them/);
    // A changed item of the same count: MEMORY USAGE moves, and the list is read again.
    await redis.client.lSet('big:list', 1, 'now small');
    const changed = await inspector.read();
    expect(key(changed, 'big:list')!.rows![1]).toEqual(['1', 'now small']);
    expect(key(changed, 'big:list')).not.toHaveProperty('cut');
    expect(key(changed, 'big:list')).not.toHaveProperty('note');
    // Still big, the hash is not read; its TTL is.
    await redis.client.expire('big:hash', 100);
    expect(key(await inspector.read(), 'big:hash')).toMatchObject({ ttl: 100, cut: [{ row: 0, col: 1, bytes: MB }] });
  });

  it('gives a big string in chunks, from a byte offset, with its size and the next offset', async () => {
    const first = (await inspector.readValue('big:string', '0')) as ValueChunk;
    expect(first).toMatchObject({ key: 'big:string', type: 'string', size: MB, offset: 0, next: limits.chunkBytes });
    expect(first.text).toBe('s'.repeat(limits.chunkBytes));
    const last = (await inspector.readValue('big:string', String(MB - 10))) as ValueChunk;
    expect(last).toMatchObject({ offset: MB - 10, next: null, text: 's'.repeat(10) });
    expect(await inspector.readValue('big:string', String(MB))).toMatchObject({ next: null, text: '' });
  });
});

describe('"Show more": the value route\'s reading, in a real Redis', () => {
  let redis: ThrowawayRedis;
  let inspector: Inspector;
  const read = (key: string, offset?: string) => inspector.readValue(key, offset);
  const chunk = async (key: string, offset?: string) => {
    const r = await read(key, offset);
    if ('status' in r) throw new Error(`${r.status} ${r.message}`);
    return r;
  };
  /** Every chunk from 0 to the end. */
  const all = async (key: string) => {
    const chunks: ValueChunk[] = [];
    let offset: string | undefined = '0';
    while (offset !== undefined) {
      const c = await chunk(key, offset);
      chunks.push(c);
      offset = c.next === null ? undefined : String(c.next);
      expect(chunks.length).toBeLessThan(100);
    }
    return chunks;
  };

  beforeAll(async () => {
    redis = await throwawayRedis();
    inspector = new Inspector(redis.url, 'redis-cli', () => {});
  });
  afterAll(async () => {
    await inspector?.close();
    await redis?.dispose();
  });

  it('gives a string in chunks that join to the exact value, never splitting a character', async () => {
    // 3- and 4-byte characters across every 64 KB edge; "€" lands mid-character at 65,536.
    const value = `a${'€'.repeat(30_000)}${'😀x'.repeat(20_000)}é`;
    await redis.client.set('utf8', value);
    const chunks = await all('utf8');
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.text).join('')).toBe(value);
    let at = 0;
    for (const c of chunks) {
      expect(c).toMatchObject({ type: 'string', size: Buffer.byteLength(value), offset: at });
      expect(c.text).not.toContain('\uFFFD');
      at += Buffer.byteLength(c.text!);
      expect(Buffer.byteLength(c.text!)).toBeLessThanOrEqual(limits.chunkBytes);
      if (c.next !== null) expect(c.next).toBe(at);
    }
    expect(at).toBe(Buffer.byteLength(value));
    // JSON carries it unharmed.
    expect(JSON.parse(JSON.stringify(chunks)).map((c: ValueChunk) => c.text).join('')).toBe(value);
  });

  it('gives more elements of each type, each cut at 4 KB with its size, until all are given', async () => {
    const c = redis.client;
    const n = 250;
    const long = 'L'.repeat(5000);
    await c.rPush('list', Array.from({ length: n }, (_, i) => (i === 120 ? long : `item ${i}`)));
    await c.hSet('hash', Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i === 7 ? long : `v${i}`])));
    await c.sAdd('set', Array.from({ length: n }, (_, i) => `m${i}`));
    await c.zAdd('zset', Array.from({ length: n }, (_, i) => ({ score: i, value: `z${i}` })));
    const ids: string[] = [];
    for (let i = 1; i <= n; i++) ids.push(await c.xAdd('stream', `${i}-0`, { n: String(i) }));

    const list = await all('list');
    expect(list.map((x) => [x.offset, x.next, x.rows!.length])).toEqual([[0, 100, 100], [100, 200, 100], [200, null, 50]]);
    const items = list.flatMap((x) => x.rows!);
    expect(items.map((r) => r[0])).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    expect(items[120]![1]).toBe(`${'L'.repeat(limits.moreElementBytes)}…`);
    expect(list[1]!.cut).toEqual([{ row: 20, col: 1, bytes: 5000 }]);
    expect(list[0]!.size).toBe(n);

    const zset = await all('zset');
    expect(zset.flatMap((x) => x.rows!)).toEqual(Array.from({ length: n }, (_, i) => [`z${i}`, String(i)]));

    // A hash and a set: by SCAN cursor; every field once at least (SCAN may give one twice).
    const hash = await all('hash');
    const fields = new Map(hash.flatMap((x) => x.rows!).map((r) => [r[0], r[1]]));
    expect(fields.size).toBe(n);
    expect(fields.get('f7')).toBe(`${'L'.repeat(limits.moreElementBytes)}…`);
    expect(fields.get('f8')).toBe('v8');
    const set = await all('set');
    expect(new Set(set.flatMap((x) => x.rows!.map((r) => r[0]))).size).toBe(n);

    // A stream: newest first, each chunk its entries oldest first, then older ones from the oldest id given.
    const stream = await all('stream');
    expect(stream.map((x) => [x.offset, x.next])).toEqual([['0', '151-0'], ['151-0', '51-0'], ['51-0', null]]);
    expect(stream.reverse().flatMap((x) => x.rows!.map((r) => r[0]))).toEqual(ids);
    expect(stream[0]!.rows![0]).toEqual(['1-0', 'n', '1']);
  });

  it('only reads Redis', async () => {
    await redis.client.set('s', 'x'.repeat(100_000));
    await redis.client.rPush('l2', ['a', 'b']);
    const before = await redisTraffic(redis.client);
    await all('s');
    await all('l2');
    await read('gone');
    expect(trafficSince(before, await redisTraffic(redis.client)).writes).toEqual({});
  });

  it('refuses a missing key (404) and a bad offset (400), in one sentence', async () => {
    await redis.client.set('text', 'hello');
    await redis.client.rPush('items', ['a']);
    await redis.client.hSet('fields', { a: '1' });
    await redis.client.xAdd('events', '5-0', { a: '1' });
    const refusal = async (key: string, offset: string) => (await read(key, offset)) as Refusal;
    expect(await refusal('nope', '0')).toEqual({ status: 404, message: 'There is no key nope in Redis now: it was deleted, or it expired.' });
    for (const [k, offset] of [['text', '-1'], ['text', '6'], ['text', 'abc'], ['text', '1.5'], ['text', ''], ['items', '2'], ['items', '1e3'], ['fields', 'x'], ['fields', '99999999999999999999999'], ['events', 'abc'], ['events', '5']]) {
      const r = await refusal(k!, offset!);
      expect(r.status, `${k} ${offset}`).toBe(400);
      expect(r.message).toMatch(/^The offset [^.]+\.$/);
    }
    expect(await chunk('text', '5')).toMatchObject({ next: null, text: '' });
    expect(await chunk('text', '2')).toMatchObject({ next: null, text: 'llo' });
  });
});

describe('a Redis that refuses scripts', () => {
  let redis: ThrowawayRedis;
  let inspector: Inspector;

  beforeAll(async () => {
    redis = await throwawayRedis();
    // What some managed Redis do: every command but scripts.
    await redis.client.sendCommand(['ACL', 'SETUSER', 'viewer', 'on', 'nopass', '~*', '&*', '+@all', '-@scripting']);
    inspector = new Inspector(redis.url.replace('redis://', 'redis://viewer:any@'), 'redis-cli', () => {});
  });
  afterAll(async () => {
    await inspector?.close();
    await redis?.dispose();
  });

  it('shows the other types by type, TTL and size with a note, never reading their elements', async () => {
    const c = redis.client;
    await c.rPush('big:list', ['l'.repeat(5_000_000), 'b']);
    await c.hSet('note', { title: 'x' });
    await c.set('title', 'hello');
    const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await c.info('stats'))![1]);
    const before = await sent();
    const snap = await inspector.read();
    expect((await sent()) - before).toBeLessThan(10_000);
    const list = snap.keys.find((k) => k.key === 'big:list')!;
    expect(list).toMatchObject({ type: 'list', ttl: -1, size: 2, partial: true });
    expect(list).not.toHaveProperty('rows');
    expect(list.note).toMatch(/^This Redis refuses scripts \(NOPERM .*\), and the inspector reads elements only through one that cuts each inside Redis, so it shows none: the command below reads them\.$/);
    expect(snap.keys.find((k) => k.key === 'note')).toMatchObject({ size: 1, note: list.note });
    expect(snap.keys.find((k) => k.key === 'title')).toMatchObject({ value: 'hello', partial: false });
    // "Show more" says why too; a string's needs no script.
    expect(await inspector.readValue('big:list', '0')).toEqual({ status: 409, message: list.note });
    expect(await inspector.readValue('title', '0')).toMatchObject({ text: 'hello', next: null });
  });
});

/** A session id as express-session makes one: 24 random bytes, base64url (32 characters). */
const sid = () => randomBytes(24).toString('base64url');

describe('indexes of sessions: pure parts', () => {
  const a = sid();
  const b = sid();
  const sessions = [{ key: `sess:${a}`, user: 'ada' }, { key: `sess:${b}`, user: 'grace' }];
  const hash = (key: string, rows: string[][], extra: Partial<KeyEntry> = {}): KeyEntry => ({ key, type: 'hash', ttl: -1, size: rows.length, rows, partial: false, cli: '', ...extra });

  it('knows an index by what its elements name, by id or whole key, never by its name', () => {
    const gone = sid();
    const { indexes, others } = sessionIndexes(
      [
        hash('anything', [['h1', a], ['h2', gone]]),
        { key: 'z', type: 'zset', ttl: -1, size: 2, rows: [[`sess:${a}`, '1'], [`sess:${b}`, '2']], partial: false, cli: '' },
        { key: 'l', type: 'list', ttl: -1, size: 1, rows: [['0', b]], partial: false, cli: '' },
      ],
      sessions,
    );
    expect(others).toEqual([]);
    expect(indexes.map((i) => [i.key, i.user, i.prefix, i.names])).toEqual([
      ['anything', 'ada', 'sess:', [{ session: `sess:${a}`, state: 'live', user: 'ada' }, { session: `sess:${gone}`, state: 'gone' }]],
      ['z', undefined, 'sess:', [{ session: `sess:${a}`, state: 'live', user: 'ada' }, { session: `sess:${b}`, state: 'live', user: 'grace' }]],
      ['l', 'grace', 'sess:', [{ session: `sess:${b}`, state: 'live', user: 'grace' }]],
    ]);
  });

  it('leaves alone what only looks like an index', () => {
    const keys = [
      hash('ids of nothing', [['h1', sid()], ['h2', sid()]]), // shaped like ids, naming no session found
      hash('profile', [['name', 'ada'], ['last', a]]), // one session, beside what is no session
      hash('cut', [['h', a]], { cut: [{ row: 0, col: 1, bytes: 9000 }] }), // a cut value names nothing for sure
      hash('by field', [[a, 'x']]), // a hash's fields are its handles, not what it names
      { key: 'sizes only', type: 'set', ttl: -1, size: 2, partial: true, note: 'refused', cli: '' },
      { key: 's', type: 'stream', ttl: -1, size: 1, rows: [['1-0', 'sid', a]], partial: false, cli: '' },
    ];
    expect(sessionIndexes(keys, sessions)).toEqual({ indexes: [], others: keys });
    expect(sessionIndexes(keys, [])).toEqual({ indexes: [], others: keys });
    // Short ids (`sess:a`) are words: a set {a, b} is a learner's tags, not an index. The whole key still names one.
    const tags = { key: 'tags', type: 'set', ttl: -1, size: 2, rows: [['a'], ['b']], partial: false, cli: '' };
    const short = [{ key: 'sess:a', user: 'ada' }, { key: 'sess:c' }];
    expect(sessionIndexes([tags], short).indexes).toEqual([]);
    expect(sessionIndexes([{ ...tags, rows: [['sess:a']] }], short).indexes.map((i) => i.names)).toEqual([[{ session: 'sess:a', state: 'live', user: 'ada' }]]);
  });

  it('says a session the pass did not read is unread, not gone', () => {
    const far = sid();
    const [index] = sessionIndexes([hash('i', [['1', a], ['2', far]])], sessions, new Set([`sess:${far}`])).indexes;
    expect(index!.names[1]).toEqual({ session: `sess:${far}`, state: 'unread' });
  });
});

describe('indexes of sessions in a real Redis', () => {
  let redis: ThrowawayRedis;
  let inspector: Inspector;
  const cli = 'redis-cli -p 1234';
  const index = (snap: InspectorSnapshot, k: string): SessionIndex | undefined => snap.indexes?.find((e) => e.key === k);
  const session = (user?: string) => JSON.stringify(user ? { cookie, user: { name: user }, device: { userAgent: 'test' } } : { cookie, visits: 1 });

  beforeAll(async () => {
    redis = await throwawayRedis();
    inspector = new Inspector(redis.url, cli, () => {});
  });
  afterAll(async () => {
    await inspector?.close();
    await redis?.dispose();
  });

  it('finds a hash of handle → id, a set of ids, a sorted set of keys and a list, each with its user', async () => {
    const c = redis.client;
    const ada = [sid(), sid(), sid()];
    const grace = sid();
    const anon = sid();
    for (const id of ada) await c.set(`sess:${id}`, session('ada'), { EX: 86_400 });
    await c.set(`sess:${grace}`, session('grace'), { EX: 86_400 });
    await c.set(`sess:${anon}`, session(), { EX: 86_400 });
    // Two users' indexes, as step 5's app writes them.
    await c.hSet('devices:ada', { h1: ada[0]!, h2: ada[1]!, h3: ada[2]! });
    await c.expire('devices:ada', 90_000);
    await c.hSet('devices:grace', { g1: grace });
    // Other apps' shapes, under other names.
    await c.sAdd('who:ada', ada);
    await c.zAdd('logins/grace', [{ score: 1_700_000_000, value: `sess:${grace}` }]);
    await c.rPush('recent', [ada[0]!, grace, anon]); // several users' and an anonymous one: an index of no one user
    await c.sAdd('visitors', anon); // an anonymous session's: no user
    await c.hSet('note', { title: 'not an index' });
    const snap = await inspector.read();

    expect(snap.indexes!.map((i) => [i.key, i.type, i.user, i.size])).toEqual([
      ['devices:ada', 'hash', 'ada', 3],
      ['devices:grace', 'hash', 'grace', 1],
      ['logins/grace', 'zset', 'grace', 1],
      ['recent', 'list', undefined, 3],
      ['visitors', 'set', undefined, 1],
      ['who:ada', 'set', 'ada', 3],
    ]);
    const devices = index(snap, 'devices:ada')!;
    expect(devices.rows).toEqual([['h1', ada[0]], ['h2', ada[1]], ['h3', ada[2]]]);
    expect(devices.names).toEqual(ada.map((id) => ({ session: `sess:${id}`, state: 'live', user: 'ada' })));
    expect(devices).toMatchObject({ prefix: 'sess:', partial: false, cli: `${cli} HGETALL devices:ada  &&  ${cli} TTL devices:ada` });
    expect(devices.ttl).toBeGreaterThan(89_000);
    expect(index(snap, 'logins/grace')!.names).toEqual([{ session: `sess:${grace}`, state: 'live', user: 'grace' }]);
    expect(index(snap, 'recent')!.names.map((n) => n.user)).toEqual(['ada', 'grace', undefined]);
    // Shown as indexes, not again among the other keys, nor counted there.
    expect(snap.keys.map((k) => k.key)).toEqual(['note']);
    expect(snap.keysTotal).toBe(1);
    expect(snap.sessions).toHaveLength(5);
    await c.flushAll();
  });

  it('says which entry names a session that is gone, and drops it when the app does', async () => {
    const c = redis.client;
    const [one, two] = [sid(), sid()];
    await c.set(`sess:${one}`, session('ada'), { EX: 600 });
    await c.set(`sess:${two}`, session('ada'), { EX: 600 });
    await c.hSet('devices:ada', { a: one, b: two });
    expect(index(await inspector.read(), 'devices:ada')!.names.map((n) => n.state)).toEqual(['live', 'live']);
    // Revoked, or expired: the record goes first, the entry stays until the app reads the index.
    await c.del(`sess:${two}`);
    let snap = await inspector.read();
    expect(index(snap, 'devices:ada')!.names).toEqual([
      { session: `sess:${one}`, state: 'live', user: 'ada' },
      { session: `sess:${two}`, state: 'gone' },
    ]);
    expect(index(snap, 'devices:ada')!.user).toBe('ada');
    await c.hDel('devices:ada', 'b');
    snap = await inspector.read();
    expect(index(snap, 'devices:ada')!.rows).toEqual([['a', one]]);
    // Every session it names gone: nothing says it indexes sessions any more, it is one of the other keys.
    await c.del(`sess:${one}`);
    snap = await inspector.read();
    expect(snap).not.toHaveProperty('indexes'); // none: the snapshot is as it was before indexes
    expect(snap.keys.map((k) => k.key)).toEqual(['devices:ada']);
    await c.flushAll();
  });

  it('does not take a key whose values merely look like ids for an index', async () => {
    const c = redis.client;
    await c.set(`sess:${sid()}`, session('ada'), { EX: 600 });
    await c.hSet('tokens', { reset: sid(), api: sid() }); // the shape of session ids, naming none
    await c.sAdd('ids', [sid(), sid()]);
    await c.rPush('mixed', [sid(), 'hello']);
    const snap = await inspector.read();
    expect(snap).not.toHaveProperty('indexes'); // none: the snapshot is as it was before indexes
    expect(snap.keys.map((k) => k.key)).toEqual(['ids', 'mixed', 'tokens']);
    await c.flushAll();
  });

  it('keeps its bounds: an index is read as any key (its first elements), and a session past the sessions read is unread, not gone', async () => {
    const c = redis.client;
    const ids = Array.from({ length: limits.maxSessions + 5 }, (_, i) => `${String(i).padStart(4, '0')}${sid().slice(4)}`);
    const multi = c.multi();
    for (const id of ids) multi.set(`sess:${id}`, session('ada'), { EX: 600 });
    await multi.exec();
    // 30 entries: the first ten read; the last names a session past the hundred read.
    const entries = Object.fromEntries(ids.slice(0, 29).map((id, i) => [`h${String(i).padStart(2, '0')}`, id]));
    entries.last = ids.at(-1)!;
    await c.hSet('devices:ada', entries);
    await c.rPush('all', [ids[0]!, ids.at(-1)!]);
    const snap = await inspector.read();
    expect(snap.truncated).toBe(true);
    const devices = index(snap, 'devices:ada')!;
    expect(devices).toMatchObject({ size: 30, partial: true, user: 'ada' });
    expect(devices.rows!.length).toBeLessThanOrEqual(limits.maxElements);
    expect(index(snap, 'all')!.names).toEqual([
      { session: `sess:${ids[0]}`, state: 'live', user: 'ada' },
      { session: `sess:${ids.at(-1)}`, state: 'unread' },
    ]);
    await c.flushAll();
  });
});
