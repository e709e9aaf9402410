// The Redis inspector: what is in the app's Redis, as the learner clicks
// around their app. SCAN (never KEYS, which blocks Redis), and no fixed
// prefix: the learner picks their own, so a session is any string key whose
// value is JSON with a `cookie` field (what express-session stores), and a
// session naming a user is shown as whose it is. Beside them, counters (a
// login's failures, a rate limit): string keys holding an integer with a
// TTL, or named like one. Every other key is listed by its type (string,
// hash, list, set, zset, stream) with its TTL, its size and the start of its
// value, so a workshop whose app keeps notes in a list shows them too. A
// hash, set, sorted set or list whose elements name the sessions found (by
// id or whole key) is an app's index of them (a user's devices): it is shown
// with those sessions, each entry naming a session gone said so. Bounded, so a big Redis can't flood the UI nor the runner: so many keys a
// pass, a few KB of any value (a string's start by GETRANGE; the elements of
// the rest cut inside Redis by a script, so a 20 MB list item never leaves
// it), so many bytes a pass in all, and each value's full size said. More of
// a value comes on demand (`readValue`, GET /api/inspector/value), a chunk at
// a time.
import { createHash } from 'node:crypto';
import { reasonOf } from '../redis-client.ts';
import { EventLog, type InspectorEvent, type Pass } from './inspector-events.ts';

export interface SessionEntry {
  key: string;
  /** Seconds left; -1 when the key never expires. */
  ttl: number;
  /** The value, pretty-printed JSON. */
  value: string;
  /** What a learner types to see the same. */
  cli: string;
  /**
   * The logged-in user's name, when the record names one (`user.name`, `username`…).
   * Of a partial record, only a name its start gives whole, from an object the cut
   * did not go through (or its `user` field, which nothing further on outranks).
   */
  user?: string;
  /** Bytes of the record; set when only its start is shown. */
  size?: number;
  /** Only the record's start is shown: `value` is its first `shownBytes` bytes as Redis holds them, not pretty-printed. */
  partial?: boolean;
  /** Where "Show more" goes on from: the bytes of the record `value` holds. */
  shownBytes?: number;
}

/** A string key holding an integer: a count of failed logins, a rate limit's hits. */
export interface CounterEntry {
  key: string;
  /** The integer, as Redis holds it (a string: INCR counts past 2^53). */
  value: string;
  /** Seconds left; -1 when the key never expires. */
  ttl: number;
  /** `GET key  &&  TTL key`. */
  cli: string;
}

/** The types the inspector shows the value of, in the order the page lists them. */
export const keyTypes = ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const;

/** A key that is neither a session nor a counter: a learner's notes, a cache, a queue. */
export interface KeyEntry {
  key: string;
  /** What TYPE says: one of `keyTypes`, or a module's type (shown without its value). */
  type: string;
  /** Seconds left; -1 when the key never expires. */
  ttl: number;
  /** Bytes of a string; fields of a hash; items of a list; members of a set or zset; entries of a stream. */
  size?: number;
  /** A string's text: its first `limits.valueBytes` bytes (JSON pretty-printed when whole). */
  value?: string;
  /**
   * The first elements, in Redis's order: hash [field, value], list [index, item],
   * set [member] (sorted), zset [member, score] (lowest score first), stream
   * [id, field, value, field, value…] (its last entries, oldest first). Each text
   * is cut at `limits.elementChars`.
   */
  rows?: string[][];
  /** Only part of the value is shown (the rest is `size`). */
  partial: boolean;
  /** Of a partial string: the bytes of it `value` holds, where "Show more" goes on from. */
  shownBytes?: number;
  /** The texts of `rows` shown cut, with their full length in bytes (none: every text is whole). */
  cut?: CutCell[];
  /** Why no elements are shown (this Redis refuses scripts…): only the type, TTL and size. */
  note?: string;
  /** What a learner types to see the same: `HGETALL key  &&  TTL key`. */
  cli: string;
}

/** A text of `rows` shown cut: its row and column, and its full length in bytes. */
export interface CutCell {
  row: number;
  col: number;
  bytes: number;
}

export interface InspectorSnapshot {
  sessions: SessionEntry[];
  /** Counters found in the same pass, sorted by key; bounded by `limits.maxCounters`. */
  counters?: CounterEntry[];
  /** More counters exist than `counters` holds. */
  countersTruncated?: boolean;
  /** Keys looked at in this pass; more exist when `truncated`. */
  scanned: number;
  truncated: boolean;
  /** The redis-cli line that lists the same keys. */
  listCli: string;
  /**
   * Keys that index the sessions (see `sessionIndexes`), sorted by key: shown
   * with the sessions, not among `keys`. Absent when there are none.
   */
  indexes?: SessionIndex[];
  /** Keys neither a session, a counter nor an index of sessions, sorted by key; the first `limits.maxKeys`. */
  keys: KeyEntry[];
  /** How many such keys this pass found (more than `keys` holds when there are many). */
  keysTotal: number;
  /** More keys exist than `keys` holds (or than this pass could look at). */
  keysTruncated: boolean;
  /** The redis-cli line that lists every key. */
  keysCli: string;
  error?: string;
  /**
   * What happened to the sessions lately, newest first (inspector-events.ts):
   * logins, logouts, revokes, expiries, new sessions. Absent until something did.
   */
  events?: InspectorEvent[];
}

/** What the event lines need of a pass; none when it could not see every session (they would look deleted). */
export function passOf(snap: InspectorSnapshot, at: number): Pass | undefined {
  if (snap.error || snap.truncated) return undefined;
  return {
    at,
    sessions: snap.sessions.map((s) => ({ key: s.key, ttl: s.ttl, ...(s.user !== undefined ? { user: s.user } : {}) })),
    indexes: (snap.indexes ?? []).map((x) => ({ key: x.key, sessions: x.names.map((n) => n.session) })),
  };
}

export const limits = {
  maxScanned: 5000,
  maxSessions: 100,
  maxCounters: 100,
  scanCount: 500,
  /** Other keys shown, besides the sessions and counters. */
  maxKeys: 100,
  /**
   * Bytes read of any value: a string this long or shorter is read whole (a
   * session, a counter), a longer one only its start; the elements of a key of
   * another type in all.
   */
  valueBytes: 4096,
  /** A string up to this long is read whole (the same as `valueBytes`). */
  wholeStringBytes: 4096,
  /** Bytes read in one pass, in all; past them, the strings left are not read, and the page says "the first ones only". */
  passBytes: 1024 * 1024,
  /** Fields, items or members shown of a hash, list, set or zset. */
  maxElements: 10,
  /** A stream's last entries shown. */
  maxEntries: 5,
  /** Bytes Redis sends of one field, item or member; a longer one is cut inside Redis, and its length said. */
  elementBytes: 512,
  /** Characters shown of one field, item, member or value. */
  elementChars: 200,
  /** "Show more" of a string: bytes at a time. */
  chunkBytes: 64 * 1024,
  /** "Show more" of another type: elements at a time (a stream's entries), and bytes of each. */
  moreElements: 100,
  moreElementBytes: 4096,
  /**
   * A key whose first elements hold more than this is read again only every
   * `heavyEveryMs`, or sooner when its size or MEMORY USAGE changes: to cut an
   * element, Redis copies it whole, a few times (a 20 MB one blocks it 0.3 s
   * or more), and a pass comes every 400 ms. The minute is a safety net for an
   * edit that changes neither (a value replaced by one as long).
   */
  heavyBytes: 1024 * 1024,
  heavyEveryMs: 60_000,
} as const;

/** True for what express-session stores: a JSON object with a `cookie` object. */
export function sessionJson(value: string | null | undefined): Record<string, unknown> | undefined {
  if (!value || value[0] !== '{') return undefined;
  try {
    const data = JSON.parse(value) as unknown;
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      const cookie = (data as Record<string, unknown>).cookie;
      if (cookie && typeof cookie === 'object') return data as Record<string, unknown>;
    }
  } catch {
    // not JSON: not a session
  }
  return undefined;
}

/** Quotes for a POSIX shell, so a key with spaces or quotes pastes safely. */
export function shellQuote(s: string): string {
  return /^[\w:.\-/@%+=]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `redis-cli -p 6380 GET sess:abc` (with `cli` the command that reaches this Redis). */
export function cliCommand(cli: string, ...args: string[]): string {
  return [cli, ...args.map(shellQuote)].join(' ');
}

/** The common prefix of the session keys (`sess:`), for the listing command. */
export function commonPrefix(keys: readonly string[]): string {
  if (!keys.length) return '';
  let prefix = keys[0]!;
  for (const k of keys) while (!k.startsWith(prefix)) prefix = prefix.slice(0, -1);
  // Up to and including the last separator: `sess:` not `sess:a`.
  const cut = Math.max(prefix.lastIndexOf(':'), prefix.lastIndexOf('/'));
  return cut >= 0 ? prefix.slice(0, cut + 1) : '';
}

const userObjectKeys = new Set(['user', 'account']);
const nameKeys = ['user', 'username', 'userName', 'login', 'name'];
const topNameKeys = ['user', 'username'];
const maxUserLength = 200;

function isRecord(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

function nameOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  return v.length > maxUserLength ? `${v.slice(0, maxUserLength)}…` : v;
}

/**
 * The logged-in user's name in a session record, when it names one: a
 * top-level `user`/`username` string (`user: 'ada'`), or a `user`,
 * `username`, `userName`, `login` or `name` string inside a `user` or
 * `account` object at any depth (`user: {name: 'ada'}`,
 * `auth: {account: {login: 'ada'}}`). The shallowest wins; `cookie` is
 * never looked into. Ids (`userId: 42`) are not names.
 *
 * `open`: the objects a record's start ends inside (see `jsonStart`). Of
 * those, only a name under `user` is taken: any other name could be
 * outranked by a field further on, which was not read.
 */
export function sessionUser(data: Record<string, unknown>, maxDepth = 6, open?: ReadonlySet<object>): string | undefined {
  const whole = (obj: object, k: string) => !open?.has(obj) || k === 'user';
  for (const k of topNameKeys) {
    const name = whole(data, k) ? nameOf(data[k]) : undefined;
    if (name) return name;
  }
  // Breadth first: `user.name` before `cart.owner.user.name`.
  let level: { obj: Record<string, unknown>; inUser: boolean }[] = [{ obj: data, inUser: false }];
  for (let depth = 0; depth < maxDepth && level.length; depth++) {
    const next: typeof level = [];
    for (const { obj, inUser } of level) {
      if (inUser) {
        for (const k of nameKeys) {
          const name = whole(obj, k) ? nameOf(obj[k]) : undefined;
          if (name) return name;
        }
      }
      for (const [k, v] of Object.entries(obj)) {
        if (depth === 0 && k === 'cookie') continue;
        if (isRecord(v)) next.push({ obj: v, inUser: userObjectKeys.has(k) || (inUser && nameKeys.includes(k)) });
      }
    }
    level = next;
  }
  return undefined;
}

export function toEntry(key: string, raw: string, pttl: number, cli: string): SessionEntry | undefined {
  const data = sessionJson(raw);
  if (!data) return undefined;
  const entry: SessionEntry = {
    key,
    ttl: ttlSeconds(pttl),
    value: JSON.stringify(data, null, 2),
    cli: `${cliCommand(cli, 'GET', key)}  &&  ${cliCommand(cli, 'TTL', key)}`,
  };
  const user = sessionUser(data);
  if (user) entry.user = user;
  return entry;
}

/**
 * How a session record starts, as connect-redis writes it: JSON.stringify of
 * express-session's Session, whose first own property is always `cookie` (a
 * new session gets it first; a loaded one keeps the stored order), and a
 * Cookie serialises as an object (its toJSON).
 */
export const sessionStart = /^\{"cookie":\{/;

/** The end of text inside a JSON value: what was read of it so far, if it is an object or array. */
class Cut {
  constructor(readonly partial?: object) {}
}

/**
 * What the start of a JSON text says for sure: its complete members. A value
 * the text ends inside is left out (never `"ad` for `"ada"`, nor `12` for
 * `123`), except objects and arrays, which hold their complete members and are
 * listed in `open`. Undefined when the start is not JSON.
 */
export function jsonStart(text: string, maxDepth = 64): { value: unknown; open: Set<object> } | undefined {
  const open = new Set<object>();
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`not JSON at ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    if (i >= text.length) throw new Cut();
  };
  // Own properties, as JSON.parse makes them (`__proto__` too).
  const put = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  const str = (): string => {
    let j = i + 1;
    while (text[j] !== '"') {
      if (j >= text.length) throw new Cut();
      j += text[j] === '\\' ? 2 : 1;
    }
    const s = JSON.parse(text.slice(i, j + 1)) as string;
    i = j + 1;
    return s;
  };
  const container = <T extends object>(o: T, close: string, member: (o: T) => void): T => {
    i++;
    try {
      ws();
      if (text[i] === close) {
        i++;
        return o;
      }
      for (;;) {
        member(o);
        ws();
        if (text[i] === close) {
          i++;
          return o;
        }
        if (text[i] !== ',') fail();
        i++;
      }
    } catch (e) {
      if (!(e instanceof Cut)) throw e;
      open.add(o);
      throw new Cut(o);
    }
  };
  // A member the text ends inside: kept when it is an object or array (its complete part), else left out.
  const settle = (set: (v: unknown) => void, depth: number) => {
    try {
      set(value(depth));
    } catch (e) {
      if (e instanceof Cut && e.partial) set(e.partial);
      throw e;
    }
  };
  const value = (depth: number): unknown => {
    if (depth > maxDepth) fail();
    ws();
    const c = text[i]!;
    if (c === '{') {
      return container({} as Record<string, unknown>, '}', (o) => {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        settle((v) => put(o, k, v), depth + 1);
      });
    }
    if (c === '[') return container([] as unknown[], ']', (a) => settle((v) => (a[a.length] = v), depth + 1));
    if (c === '"') return str();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
      if (word.startsWith(text.slice(i, i + word.length)) && i + word.length > text.length) throw new Cut();
    }
    const token = /[-+.\deE]+/y;
    token.lastIndex = i;
    const m = token.exec(text)?.[0] ?? fail();
    i += m.length;
    if (i >= text.length) throw new Cut(); // `12` at the end may be `123`
    if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(m)) fail();
    return Number(m);
  };
  try {
    const v = value(0);
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    return i === text.length ? { value: v, open } : undefined;
  } catch (e) {
    return e instanceof Cut && e.partial ? { value: e.partial, open } : undefined;
  }
}

/**
 * A session of which only the start was read (`start`, its first `shownBytes`
 * bytes of `size`): recognised by how express-session's records start; its
 * user when the start names one for sure (see `sessionUser`).
 */
export function partialSession(key: string, start: string, shownBytes: number, size: number, pttl: number, cli: string): SessionEntry | undefined {
  if (!sessionStart.test(start)) return undefined;
  const entry: SessionEntry = {
    key,
    ttl: ttlSeconds(pttl),
    value: start,
    cli: `${cliCommand(cli, 'GET', key)}  &&  ${cliCommand(cli, 'TTL', key)}`,
    size,
    partial: true,
    shownBytes,
  };
  const read = jsonStart(start);
  if (read && isRecord(read.value)) {
    const user = sessionUser(read.value, 6, read.open);
    if (user) entry.user = user;
  }
  return entry;
}

function ttlSeconds(pttl: number): number {
  return pttl < 0 ? -1 : Math.ceil(pttl / 1000);
}

/** A value INCR would count on: an integer, as Redis writes one. */
export function isInteger(raw: string | null | undefined): boolean {
  return typeof raw === 'string' && /^(?:0|-?[1-9]\d{0,18})$/.test(raw);
}

/** Key names that say "counter" even without a TTL. */
export const counterName = /fail|attempt|login|limit|rate/i;

/** A counter: an integer value, with a TTL or a name like `login:failures:ada`. */
export function toCounter(key: string, raw: string, pttl: number, cli: string): CounterEntry | undefined {
  if (!isInteger(raw)) return undefined;
  if (pttl < 0 && !counterName.test(key)) return undefined;
  return { key, value: raw, ttl: ttlSeconds(pttl), cli: `${cliCommand(cli, 'GET', key)}  &&  ${cliCommand(cli, 'TTL', key)}` };
}

/** A text cut at `max` characters, never in the middle of a surrogate pair, with `…` when cut. */
export function cutText(s: string, max: number = limits.elementChars): string {
  if (s.length <= max) return s;
  const end = /[\uD800-\uDBFF]/.test(s[max - 1]!) ? max - 1 : max;
  return `${s.slice(0, end)}…`;
}

/** The first `bytes` bytes of a text, as UTF-8: a character cut in two is dropped. */
export function firstBytes(s: string, bytes: number): string {
  const buf = Buffer.from(s);
  if (buf.length <= bytes) return s;
  return buf.subarray(0, bytes).toString('utf8').replace(/\uFFFD+$/, '');
}

/** The command that reads a key of each type whole, as redis-cli takes it. */
export function readArgs(type: string, key: string): string[] {
  switch (type) {
    case 'string': return ['GET', key];
    case 'hash': return ['HGETALL', key];
    case 'list': return ['LRANGE', key, '0', '-1'];
    case 'set': return ['SMEMBERS', key];
    case 'zset': return ['ZRANGE', key, '0', '-1', 'WITHSCORES'];
    case 'stream': return ['XRANGE', key, '-', '+'];
    default: return ['TYPE', key];
  }
}

/** `HGETALL notes  &&  TTL notes`, for any type. */
export function keyCli(cli: string, type: string, key: string): string {
  return `${cliCommand(cli, ...readArgs(type, key))}  &&  ${cliCommand(cli, 'TTL', key)}`;
}

/**
 * Where a text cut at the end of `buf` ends whole: before its last character
 * when the cut went through it (at most 3 bytes back), else at the end.
 */
export function utf8End(buf: Uint8Array): number {
  for (let i = buf.length - 1; i >= 0 && i >= buf.length - 4; i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + length > buf.length ? i : buf.length;
  }
  return buf.length; // no lead byte near the end: not UTF-8 there, nothing to keep whole
}

/** The text of a value's first bytes (`buf`, of `size` in all) up to its last whole character, and how many bytes that is. */
export function startOf(buf: Buffer, size: number): { text: string; bytes: number } {
  const bytes = buf.length >= size ? buf.length : utf8End(buf);
  return { text: buf.subarray(0, bytes).toString('utf8'), bytes };
}

/** A string key: its text (the start of it when long), pretty-printed when it is a whole JSON object or array. */
export function stringEntry(key: string, raw: string | Buffer, size: number, pttl: number, cli: string): KeyEntry {
  const base = { key, type: 'string', ttl: ttlSeconds(pttl), size };
  if (size > limits.valueBytes) {
    const { text, bytes } = startOf(Buffer.from(raw).subarray(0, limits.valueBytes), size);
    return { ...base, value: text, partial: true, shownBytes: bytes, cli: keyCli(cli, 'string', key) };
  }
  let value = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (/^\s*[[{]/.test(value)) {
    try {
      value = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      // not JSON: as it is
    }
  }
  return { ...base, value, partial: false, cli: keyCli(cli, 'string', key) };
}

type Raw = string | number | null | Error | Buffer | Raw[];

const texts = (r: Raw | undefined): string[] => (Array.isArray(r) ? r.map((x) => (typeof x === 'string' ? x : String(x))) : []);
const pairs = <T>(flat: T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};

/** The command that counts a key's elements. */
const sizeCommands: Record<string, string> = { hash: 'HLEN', list: 'LLEN', set: 'SCARD', zset: 'ZCARD', stream: 'XLEN' };

/**
 * Reads a key's elements inside Redis and sends each cut, so a 20 MB list
 * item or hash value never leaves Redis: each text at most `each` bytes, and
 * `total` bytes of them in all (past that, texts come empty, cut). `cuts`
 * lists each text cut: its number in the reply (depth first, from 1) and its
 * full length; `seen`, the bytes Redis copied to cut them; `memory`, MEMORY
 * USAGE (-1 when refused), to tell later whether the key changed. Reads
 * only. False when the key no longer has that type.
 * KEYS[1]: the key. ARGV: its type; where to start (list, zset: an index;
 * hash, set: a SCAN cursor; stream: `+` for the newest, `(id` before an
 * entry); how many elements (a stream's entries); each; total; `1` for at
 * most that many (a pass), else all the SCANs gave; fields kept of a
 * stream entry.
 */
export const elementsScript = `
local key, kind, first = KEYS[1], ARGV[1], ARGV[2]
local count, each, left = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local bounded, fields = ARGV[6] == '1', tonumber(ARGV[7])
if redis.call('TYPE', key).ok ~= kind then return false end
local cuts, n, seen = {}, 0, 0
local mem = redis.pcall('MEMORY', 'USAGE', key, 'SAMPLES', '10')
if type(mem) ~= 'number' then mem = -1 end
local function cut(s)
  n = n + 1
  seen = seen + #s
  local keep = math.min(#s, each, left)
  left = left - keep
  if keep == #s then return s end
  cuts[#cuts + 1] = n
  cuts[#cuts + 1] = #s
  return string.sub(s, 1, keep)
end
local function cutAll(t)
  for i = 1, #t do t[i] = cut(t[i]) end
  return t
end
local out
if kind == 'list' then
  out = cutAll(redis.call('LRANGE', key, first, first + count - 1))
elseif kind == 'zset' then
  out = cutAll(redis.call('ZRANGE', key, first, first + count - 1, 'WITHSCORES'))
elseif kind == 'hash' or kind == 'set' then
  local want = kind == 'hash' and 2 * count or count
  local items, cursor, rounds = {}, first, 0
  repeat
    local r = redis.call(kind == 'hash' and 'HSCAN' or 'SSCAN', key, cursor, 'COUNT', 2 * count)
    cursor = r[1]
    for _, x in ipairs(r[2]) do items[#items + 1] = x end
    rounds = rounds + 1
  until cursor == '0' or #items >= want or rounds >= 20
  if bounded then
    for i = #items, want + 1, -1 do items[i] = nil end
  end
  out = {cursor, cutAll(items)}
else
  out = redis.call('XREVRANGE', key, first, '-', 'COUNT', count)
  for _, e in ipairs(out) do
    e[1] = cut(e[1])
    for i = #e[2], fields + 1, -1 do e[2][i] = nil end
    cutAll(e[2])
  end
end
return {out, cuts, seen, mem}
`;
const elementsScriptSha = createHash('sha1').update(elementsScript).digest('hex');

/** The EVALSHA of `elementsScript` for one key. */
export function elementsCall(type: string, key: string, first: string, count: number, each: number, total: number, bounded: boolean): string[] {
  const args = [type, first, String(count), String(each), String(total), bounded ? '1' : '0', String(2 * limits.maxElements)];
  return ['EVALSHA', elementsScriptSha, '1', key, ...args];
}

/** `MEMORY USAGE key SAMPLES 10`, as the script asks it: a big key's cheap change detector. */
export const memoryCall = (key: string): string[] => ['MEMORY', 'USAGE', key, 'SAMPLES', '10'];
const memoryOf = (r: unknown): number => (typeof r === 'number' ? r : -1);

/** What a pass reads of a key of another type: its first elements (a stream's last entries), a few KB in all. */
export function passCall(type: string, key: string): string[] {
  const stream = type === 'stream';
  return elementsCall(type, key, stream ? '+' : '0', stream ? limits.maxEntries : limits.maxElements, limits.elementBytes, limits.valueBytes, true);
}

/** Redis refuses scripts altogether: an ACL without them, or a managed Redis without EVALSHA. */
export function refusesScripts(reply: unknown): reply is Error {
  return reply instanceof Error && /^(NOPERM\b.*\bcommand\b|ERR unknown command)/i.test(reply.message);
}

/**
 * The rows of `elementsScript`'s reply (`read`, `cuts`), as `KeyEntry.rows`
 * gives them: `from` the index of the first (a list's), at most `max` of a hash
 * or set, each text cut at `chars` characters. `cut` lists the texts shown cut,
 * by Redis or here, with their full length; `cursor` is a SCAN's.
 */
export function elementRows(
  type: string,
  read: Raw | undefined,
  cuts: Raw | undefined,
  { from = 0, max = limits.maxElements as number, chars = limits.elementChars as number } = {},
): { rows: string[][]; cut: CutCell[]; cursor?: string } {
  const full = new Map<number, number>();
  const c = texts(cuts);
  for (let i = 0; i + 1 < c.length; i += 2) full.set(Number(c[i]) - 1, Number(c[i + 1]));
  // Numbered in the order the script cut them.
  let n = 0;
  const cell = (text: string) => ({ text, bytes: full.get(n++) });
  type Cell = ReturnType<typeof cell>;
  const scan = Array.isArray(read) ? read : [];
  let rows: Cell[][];
  let cursor: string | undefined;
  switch (type) {
    case 'hash': // HSCAN: [cursor, [field, value, …]]
      cursor = String(scan[0]);
      rows = pairs(texts(scan[1]).map(cell)).slice(0, max);
      break;
    case 'list':
      rows = texts(read).map((item, i) => [{ text: String(from + i), bytes: undefined }, cell(item)]);
      break;
    case 'set':
      cursor = String(scan[0]);
      rows = texts(scan[1]).map(cell).sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)).slice(0, max).map((m) => [m]);
      break;
    case 'zset': // RESP2: member, score, member, score…
      rows = pairs(texts(read).map(cell));
      break;
    default: // stream, newest first: [[id, [field, value, …]], …]
      rows = scan
        .map((entry) => {
          const [id, fields] = Array.isArray(entry) ? entry : [];
          return [cell(String(id)), ...texts(fields).map(cell)].slice(0, 1 + 2 * limits.maxElements);
        })
        .reverse();
  }
  const cut: CutCell[] = [];
  const shown = rows.map((row, r) =>
    row.map(({ text, bytes }, col) => {
      // A character Redis cut in two decodes as U+FFFD: not shown.
      const whole = bytes === undefined ? text : text.replace(/\uFFFD+$/, '');
      const out = cutText(whole, chars);
      if (bytes === undefined && out === whole) return out;
      cut.push({ row: r, col, bytes: bytes ?? Buffer.byteLength(text) });
      return out === whole ? `${out}…` : out;
    }),
  );
  return cursor === undefined ? { rows: shown, cut } : { rows: shown, cut, cursor };
}

/**
 * A key of another type from the replies of its size and its elements
 * (`elementsScript`'s [read, cuts], or a command's reply, RESP2): undefined
 * when it changed type meanwhile (an error reply, or the script's nil).
 */
export function elementsEntry(key: string, type: string, pttl: number, replies: Raw[], cli: string): KeyEntry | undefined {
  const cliLine = keyCli(cli, type, key);
  const ttl = ttlSeconds(pttl);
  if (!(keyTypes as readonly string[]).includes(type) || type === 'string') return { key, type, ttl, partial: false, cli: cliLine };
  const [sizeReply, read, cuts] = replies;
  if (sizeReply instanceof Error || read instanceof Error || sizeReply == null || read == null) return undefined;
  const size = Number(sizeReply);
  const { rows, cut } = elementRows(type, read, cuts);
  const entry: KeyEntry = { key, type, ttl, size, rows, partial: size > rows.length, cli: cliLine };
  if (cut.length) entry.cut = cut;
  return entry;
}

/** A key whose elements could not be read bounded: its type, TTL and size, and why. */
export function sizeOnlyEntry(key: string, type: string, pttl: number, size: number, note: string, cli: string): KeyEntry {
  return { key, type, ttl: ttlSeconds(pttl), size, partial: size > 0, note, cli: keyCli(cli, type, key) };
}

const heavyNote = (seen: number) =>
  `Its first elements hold ${seen.toLocaleString('en')} bytes, which Redis copies whole to cut them: they are read again every ${limits.heavyEveryMs / 1000} s, or sooner when the key changes size.`;

const refusedNote = (reason: string) =>
  `This Redis refuses scripts (${reason}), and the inspector reads elements only through one that cuts each inside Redis, so it shows none: the command below reads them.`;

/** Bytes of the texts in a reply. */
function bytesOf(r: Raw | undefined): number {
  if (typeof r === 'string') return Buffer.byteLength(r);
  if (Buffer.isBuffer(r)) return r.length;
  return Array.isArray(r) ? r.reduce((sum: number, x) => sum + bytesOf(x), 0) : 0;
}

/** What one element of an index of sessions names. */
export interface IndexName {
  /** The session's key (`sess:<id>`), whether the element holds the id or the whole key. */
  session: string;
  /**
   * live: a session this pass found (shown with the sessions); gone: no such
   * key in Redis (deleted, expired); unread: in Redis, past what this pass
   * reads (a Redis of many keys).
   */
  state: 'live' | 'gone' | 'unread';
  /** The user logged in on it, when live and its record names one. */
  user?: string;
}

/**
 * A hash, set, sorted set or list whose elements name sessions: an app's
 * index of a user's sessions (`devices:ada`, handle → session id), or of
 * every session. Found by what it holds, never by its name.
 */
export interface SessionIndex extends KeyEntry {
  /** What each of `rows` names, in the same order. */
  names: IndexName[];
  /** Whose sessions these are: every live one it names is this user's. */
  user?: string;
  /** The sessions' common prefix, which an element holding a session's id lacks (`sess:`). */
  prefix: string;
}

/**
 * The shortest text taken for a session's id: an id is random, and long
 * (express-session's are 32 characters, a UUID 36); a short word equal to one
 * (`a` of `sess:a`) names it only as the whole key.
 */
export const minIdChars = 16;

/** The column of `KeyEntry.rows` holding what an index names: a hash's value, a list's item, a set's or zset's member. */
export const indexColumn: Record<string, number> = { hash: 1, list: 1, set: 0, zset: 0 };

/**
 * Which of `keys` are indexes of `sessions` (the sessions one pass found, whole
 * or in part), and the keys left. A key is one when every element read of it
 * (its first `limits.maxElements`: nothing more is read for this) names a
 * session, by its id (the part of its key after the sessions' common prefix)
 * or by its whole key, and at least one names a session found. An element
 * naming none found is a gone session's when it has the shape of the ids
 * found (their lengths and characters; at least `minIdChars`), else the key is no index: a key whose
 * values merely look like ids is one only beside a session it names. It is a
 * user's when every live session it names is that user's. `unread`: the keys
 * of sessions in Redis that this pass did not read (it reads so many keys).
 */
export function sessionIndexes(
  keys: readonly KeyEntry[],
  sessions: readonly Pick<SessionEntry, 'key' | 'user'>[],
  unread: ReadonlySet<string> = new Set(),
): { indexes: SessionIndex[]; others: KeyEntry[] } {
  if (!sessions.length) return { indexes: [], others: [...keys] };
  const byKey = new Map(sessions.map((s) => [s.key, s]));
  const prefix = commonPrefix(sessions.map((s) => s.key));
  const ids = sessions.map((s) => s.key.slice(prefix.length));
  const lengths = new Set(ids.filter((id) => id.length >= minIdChars).map((id) => id.length));
  const chars = ids.every((id) => /^[\w-]+$/.test(id)) ? /^[\w-]+$/ : /^\S+$/;
  const idLike = (s: string) => lengths.has(s.length) && chars.test(s);
  const nameOf = (v: string): IndexName | undefined => {
    const found = byKey.get(v) ?? (v.length >= minIdChars ? byKey.get(prefix + v) : undefined);
    if (found) return found.user === undefined ? { session: found.key, state: 'live' } : { session: found.key, state: 'live', user: found.user };
    const key = prefix && v.startsWith(prefix) && idLike(v.slice(prefix.length)) ? v : idLike(v) ? prefix + v : undefined;
    return key === undefined ? undefined : { session: key, state: unread.has(key) ? 'unread' : 'gone' };
  };
  const indexes: SessionIndex[] = [];
  const others: KeyEntry[] = [];
  for (const k of keys) {
    const col = indexColumn[k.type];
    const cutAt = new Set(k.cut?.map((c) => `${c.row}:${c.col}`));
    const names = col !== undefined && k.rows?.length ? k.rows.map((row, r) => (cutAt.has(`${r}:${col}`) ? undefined : nameOf(row[col] ?? ''))) : [];
    if (!names.length || !names.every((n) => n !== undefined) || !names.some((n) => n.state === 'live')) {
      others.push(k);
      continue;
    }
    const live = (names as IndexName[]).filter((n) => n.state === 'live');
    const user = live[0]!.user;
    const index: SessionIndex = { ...k, names: names as IndexName[], prefix };
    if (user !== undefined && live.every((n) => n.user === user)) index.user = user;
    indexes.push(index);
  }
  return { indexes, others };
}

/** "Show more": a chunk of a value, from `offset`. */
export interface ValueChunk {
  key: string;
  type: string;
  /** Bytes of a string; elements of the rest (a stream's entries). */
  size: number;
  /** Where this chunk starts: a string's byte, a list's or zset's index, a hash's or set's SCAN cursor, a stream's entry id (0: the newest). */
  offset: number | string;
  /** The `offset` of the next chunk; null when this one reaches the end. */
  next: number | string | null;
  /** A string's chunk, as text: it ends before a character cut in two, which the next chunk starts with. */
  text?: string;
  /** The elements, as `KeyEntry.rows`; a stream's entries older than `offset`, oldest first. */
  rows?: string[][];
  cut?: CutCell[];
}

/** Why a chunk is not given: the API's status and one sentence. */
export interface Refusal {
  status: number;
  message: string;
}

const maxCursor = 2n ** 64n;
const bigNumber = (s: string) => /^\d{1,20}$/.test(s) && BigInt(s) < maxCursor;

/** `offset` as GETRANGE or the script takes it, for a key of `type` holding `size`; undefined when it is not one. */
export function offsetArg(type: string, offset: string, size: number): string | undefined {
  switch (type) {
    case 'string':
    case 'list':
    case 'zset':
      return /^\d{1,15}$/.test(offset) && Number(offset) <= size ? String(Number(offset)) : undefined;
    case 'hash':
    case 'set':
      return bigNumber(offset) ? offset : undefined;
    case 'stream': {
      if (offset === '0') return '+';
      const [ms = '', seq = ''] = offset.split('-');
      return /^\d+-\d+$/.test(offset) && bigNumber(ms) && bigNumber(seq) ? `(${offset}` : undefined;
    }
    default:
      return undefined;
  }
}

/** What a bad `offset` should have been, in one sentence. */
export function offsetHelp(type: string, size: number): string {
  switch (type) {
    case 'string': return `The offset is a byte of the value: a whole number from 0 to ${size}.`;
    case 'list':
    case 'zset': return `The offset is an element's index: a whole number from 0 to ${size}.`;
    case 'stream': return 'The offset of a stream is 0 (its newest entries) or the id of the oldest entry shown.';
    default: return `The offset of a ${type} is 0, or the cursor the last chunk gave as "next".`;
  }
}

/** A string's chunk from GETRANGE's bytes at `offset`: up to its last whole character, unless it reaches the end. */
export function stringChunk(key: string, size: number, offset: number, buf: Buffer): ValueChunk {
  const end = offset + buf.length >= size || buf.length < 4 ? buf.length : utf8End(buf);
  const next = offset + end < size && end > 0 ? offset + end : null;
  return { key, type: 'string', size, offset, next, text: buf.subarray(0, end).toString('utf8') };
}

/** A chunk of another type's elements from the script's reply, read from `first` (see `offsetArg`). */
export function elementsChunk(key: string, type: string, size: number, offset: string, first: string, reply: Raw): ValueChunk {
  const [read, cuts] = Array.isArray(reply) ? reply : [];
  const indexed = type === 'list' || type === 'zset';
  const from = indexed ? Number(first) : 0;
  const { rows, cut, cursor } = elementRows(type, read, cuts, { from, max: Infinity, chars: Infinity });
  let next: number | string | null;
  if (indexed) next = rows.length && from + rows.length < size ? from + rows.length : null;
  else if (cursor !== undefined) next = cursor !== '0' ? cursor : null;
  else next = rows.length >= limits.moreElements ? rows[0]![0]! : null; // a stream's oldest entry shown
  const chunk: ValueChunk = { key, type, size, offset: indexed ? from : offset, next, rows };
  if (cut.length) chunk.cut = cut;
  return chunk;
}

/** The client, as this file uses it (RESP2: replies are strings, numbers and arrays; Buffers from `buffers`). */
interface Client {
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  destroy(): void;
}

/**
 * Many commands in one round trip (node-redis writes what is queued in one
 * tick together); a command's error is its reply (an Error), not the pass's
 * failure. Not execAsPipeline: it rejects with the first error, and the other
 * replies are lost.
 */
async function pipeline(client: Client, commands: string[][]): Promise<Raw[]> {
  return Promise.all(commands.map((c) => client.sendCommand(c).then((r) => r as Raw, (err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
}

/**
 * `pipeline`, and where Redis answered an EVALSHA with NOSCRIPT (the first
 * time, or after a restart or SCRIPT FLUSH), the script is loaded once and
 * those commands are sent again.
 */
async function pipelineWithScript(client: Client, commands: string[][]): Promise<Raw[]> {
  const replies = await pipeline(client, commands);
  const again = commands.flatMap((c, i) => {
    const r = replies[i];
    return c[0] === 'EVALSHA' && r instanceof Error && r.message.startsWith('NOSCRIPT') ? [i] : [];
  });
  if (!again.length) return replies;
  const [loaded] = await pipeline(client, [['SCRIPT', 'LOAD', elementsScript]]);
  if (loaded instanceof Error) {
    for (const i of again) replies[i] = loaded; // refused too: the caller tells why
    return replies;
  }
  const redo = await pipeline(client, again.map((i) => commands[i]!));
  again.forEach((at, j) => (replies[at] = redo[j]!));
  return replies;
}

const byKey = <T extends { key: string }>(a: T, b: T) => a.key.localeCompare(b.key);
/** The order keys are listed in; one order, so the keys read are the keys shown. */
const collator = new Intl.Collator('en');

/** Polls Redis while someone is looking, and tells `onChange` when what it sees changes. */
export class Inspector {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private running = false;
  private generation = 0;
  snapshot: InspectorSnapshot | undefined;

  constructor(
    private readonly url: string,
    private readonly cli: string,
    private readonly onChange: (snapshot: InspectorSnapshot) => void,
    private readonly intervalMs = 400,
  ) {}

  /**
   * The client, once it is ready. It reconnects by itself; while it can't, a
   * pass fails at once (no offline queue) with the socket's own reason
   * (ECONNREFUSED…), not node-redis's wordless TimeoutError after 5 s.
   */
  private async connect(): Promise<Client> {
    if (!this.client) {
      const { createClient, RESP_TYPES } = await import('redis');
      const client = createClient({
        url: this.url,
        RESP: 2,
        disableOfflineQueue: true,
        socket: { connectTimeout: 2000, reconnectStrategy: (n) => Math.min(n * 200, 2000) },
      });
      client.on('error', (err: unknown) => (this.lastError = err));
      // A Redis met again may be another (restarted, failed over): ask it about scripts again.
      client.on('ready', () => {
        this.lastError = undefined;
        this.scriptsRefused = undefined;
      });
      this.client = client as unknown as Client;
      // The same connection, its strings as bytes: a value's start is cut between characters by byte.
      this.buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) as unknown as Client;
      // connect() only settles once connected: it must not hold a pass while Redis is down.
      this.connecting = client.connect().then(() => {}, () => {});
    }
    const client = this.client;
    if (!client.isReady) await Promise.race([this.connecting, new Promise((r) => setTimeout(r, 1500).unref())]);
    if (!client.isReady) throw this.lastError ?? new Error('Redis is not answering yet');
    return client;
  }

  private lastError: unknown;
  private connecting: Promise<void> = Promise.resolve();
  private buffers: Client | undefined;
  /** Why this Redis refuses scripts, once it did (then a pass shows the other types' sizes only). */
  private scriptsRefused: string | undefined;
  /** Keys whose first elements are big, as last read (see `limits.heavyBytes`). */
  private heavy = new Map<string, { type: string; size: number; memory: number; at: number; entry: KeyEntry }>();

  /** The reason a pass failed: the socket's, when the client lost its connection. */
  private failure(err: unknown): string {
    const offline = !this.client?.isReady && this.lastError !== undefined;
    return `Cannot read Redis: ${reasonOf(offline ? this.lastError : err)}`;
  }

  /**
   * One pass: a SCAN of each type (side by side: a handful of round trips in
   * all), then three pipelines whatever Redis holds. 1: each string's length;
   * the TTL, size and first elements of the other keys that may be shown, cut
   * inside Redis (`elementsScript`). 2: the first `limits.valueBytes` of the
   * strings, as long as the pass's bytes last (sessions, counters, a
   * learner's values). 3: the TTLs of the strings shown. 4, only when the
   * pass could not read every key: whether the sessions the indexes name and
   * the pass did not find exist. A few commands a key, and at most `limits.passBytes` from Redis (plus each key's name and
   * its few numbers): a 20 MB value costs the runner what a small one does.
   */
  async read(): Promise<InspectorSnapshot> {
    const client = await this.connect();
    const buffers = this.buffers!;
    const started = performance.now();
    const typeOf = new Map<string, string>();
    let scanTruncated = false;
    // A module's types (JSON, vector sets…) are not scanned: their values have no reading here.
    await Promise.all(
      keyTypes.map(async (type) => {
        let cursor = '0';
        do {
          const [next, batch] = (await client.sendCommand(['SCAN', cursor, 'COUNT', String(limits.scanCount), 'TYPE', type])) as [string, string[]];
          cursor = String(next);
          for (const k of batch) typeOf.set(k, type); // SCAN may return a key twice
          if (typeOf.size >= limits.maxScanned && cursor !== '0') {
            scanTruncated = true;
            break;
          }
        } while (cursor !== '0');
      }),
    );
    const keys = [...typeOf.keys()].sort(collator.compare);
    const strings = keys.filter((k) => typeOf.get(k) === 'string');
    const elementKeys = keys.filter((k) => typeOf.get(k) !== 'string');
    // Only the first keys of the other types can be shown: only theirs are read.
    const readKeys = elementKeys.slice(0, limits.maxKeys);

    // 1
    const scripts = this.scriptsRefused === undefined;
    const now = Date.now();
    const recent = (key: string) => {
      const h = this.heavy.get(key);
      return h && h.type === typeOf.get(key) && now - h.at < limits.heavyEveryMs ? h : undefined;
    };
    // A big key read lately: whether it changed, instead of its elements.
    const reads = (key: string) => {
      const type = typeOf.get(key)!;
      return [['PTTL', key], [sizeCommands[type]!, key], ...(scripts ? [recent(key) ? memoryCall(key) : passCall(type, key)] : [])];
    };
    const first = await pipelineWithScript(client, [...strings.map((k) => ['STRLEN', k]), ...readKeys.flatMap(reads)]);
    const others: KeyEntry[] = [];
    let at = strings.length;
    let elementsGone = 0;
    let elementBytes = 0;
    const heavy = new Map<string, NonNullable<ReturnType<typeof recent>>>();
    const changed: { key: string; type: string; pttl: number; sizeReply: Raw }[] = [];
    const entryOf = (key: string, type: string, pttl: number, sizeReply: Raw, read: Raw | undefined): KeyEntry | undefined => {
      if (!scripts || read instanceof Error) {
        if (refusesScripts(read)) this.scriptsRefused ??= reasonOf(read);
        const note = this.scriptsRefused !== undefined
          ? refusedNote(this.scriptsRefused)
          : `The inspector could not read its elements (${reasonOf(read)}): the command below reads them.`;
        return sizeOnlyEntry(key, type, pttl, Number(sizeReply), note, this.cli);
      }
      const [out = null, cuts, seen, memory] = Array.isArray(read) ? read : [];
      elementBytes += bytesOf(out);
      const entry = elementsEntry(key, type, pttl, [sizeReply, out, cuts ?? null], this.cli);
      if (entry && Number(seen) > limits.heavyBytes) {
        entry.note = heavyNote(Number(seen));
        heavy.set(key, { type, size: Number(sizeReply), memory: memoryOf(memory), at: now, entry });
      }
      return entry;
    };
    for (const key of readKeys) {
      const type = typeOf.get(key)!;
      const [pttlReply, sizeReply, read] = first.slice(at, at + (scripts ? 3 : 2));
      at += scripts ? 3 : 2;
      const pttl = Number(pttlReply);
      if (pttl === -2 || sizeReply instanceof Error || sizeReply == null) {
        elementsGone++; // gone, or another type now
        continue;
      }
      const last = scripts ? recent(key) : undefined;
      if (!last) {
        const entry = entryOf(key, type, pttl, sizeReply, read);
        if (entry) others.push(entry);
        else elementsGone++;
      } else if (Number(sizeReply) === last.size && memoryOf(read) === last.memory) {
        heavy.set(key, last);
        others.push({ ...last.entry, ttl: ttlSeconds(pttl) });
      } else changed.push({ key, type, pttl, sizeReply });
    }
    // 1b: the big keys that changed since they were read, read again.
    const again = await pipelineWithScript(client, changed.map((k) => passCall(k.type, k.key)));
    changed.forEach((k, i) => {
      const entry = entryOf(k.key, k.type, k.pttl, k.sizeReply, again[i]);
      if (entry) others.push(entry);
      else elementsGone++;
    });
    this.heavy = heavy;

    // 2: the start of each string, while the pass's bytes last.
    let budget = limits.passBytes - elementBytes;
    let unread = 0;
    const toRead: { key: string; size: number }[] = [];
    strings.forEach((key, i) => {
      const size = first[i];
      if (typeof size !== 'number') return; // no longer a string
      const cost = Math.min(size, limits.valueBytes);
      if (cost > budget) unread++;
      else {
        budget -= cost;
        toRead.push({ key, size });
      }
    });
    const second = await pipeline(buffers, toRead.map((k) => ['GETRANGE', k.key, '0', String(limits.valueBytes - 1)]));
    // What each string is: a session (whole, or its start as express-session writes one), a number
    // (a counter when it has a TTL or a counter's name), or text. A long string is never a number.
    type Read = { key: string; size: number; raw: Buffer; text: string; shownBytes: number; kind: 'session' | 'number' | 'text' };
    const read: Read[] = [];
    toRead.forEach((k, i) => {
      const raw = second[i];
      if (!Buffer.isBuffer(raw) || (raw.length === 0 && k.size > 0)) return; // gone since its STRLEN
      const { text, bytes } = startOf(raw, k.size);
      const whole = k.size <= limits.valueBytes;
      const kind = (whole ? sessionJson(text) : sessionStart.test(text)) ? 'session' : whole && isInteger(text) ? 'number' : 'text';
      read.push({ ...k, raw, text, shownBytes: bytes, kind });
    });
    const sessionKeys = read.filter((k) => k.kind === 'session');
    const textKeys = read.filter((k) => k.kind === 'text');

    // 3: TTLs only for what may be shown (one more session than the limit: then more exist).
    const timed: Read[] = [...sessionKeys.slice(0, limits.maxSessions + 1), ...read.filter((k) => k.kind === 'number'), ...textKeys.slice(0, limits.maxKeys)];
    const ttls = await pipeline(client, timed.map((k) => ['PTTL', k.key]));
    const sessions: SessionEntry[] = [];
    const counters: CounterEntry[] = [];
    let moreCounters = false;
    let numbersShown = 0;
    timed.forEach((k, i) => {
      const pttl = Number(ttls[i]);
      if (pttl === -2) return; // gone since it was read
      if (k.kind === 'session') {
        const entry = k.size <= limits.valueBytes ? toEntry(k.key, k.text, pttl, this.cli) : partialSession(k.key, k.text, k.shownBytes, k.size, pttl, this.cli);
        if (entry) sessions.push(entry);
        return;
      }
      if (k.kind === 'number') {
        const counter = toCounter(k.key, k.text, pttl, this.cli);
        if (!counter) numbersShown++;
        else if (counters.length < limits.maxCounters) {
          counters.push(counter);
          return;
        } else {
          moreCounters = true;
          return;
        }
      }
      others.push(stringEntry(k.key, k.raw, k.size, pttl, this.cli));
    });
    const moreSessions = sessions.length > limits.maxSessions;
    if (moreSessions) sessions.length = limits.maxSessions;
    const overBudget = unread > 0;
    sessions.sort(byKey);
    counters.sort(byKey);
    others.sort((a, b) => collator.compare(a.key, b.key));

    // 4: the indexes of sessions among the keys read (their elements, as read in 1). A session an
    // index names that this pass did not find is gone, unless the pass did not read every key:
    // then EXISTS says (a number a key, for at most `limits.maxKeys` × `limits.maxElements` keys).
    let found = sessionIndexes(others, sessions);
    if (scanTruncated || moreSessions || overBudget) {
      const missing = [...new Set(found.indexes.flatMap((i) => i.names.filter((n) => n.state === 'gone').map((n) => n.session)))];
      const exists = await pipeline(client, missing.map((k) => ['EXISTS', k]));
      const there = new Set(missing.filter((_, i) => Number(exists[i]) > 0));
      if (there.size) found = sessionIndexes(others, sessions, there);
    }
    const indexes = found.indexes;
    const keysTotal = elementKeys.length - elementsGone + unread + textKeys.length + numbersShown - indexes.length;
    const prefix = commonPrefix(sessions.map((s) => s.key));
    this.readMs = performance.now() - started;
    return {
      sessions,
      counters,
      scanned: keys.length,
      truncated: scanTruncated || moreSessions || overBudget,
      countersTruncated: scanTruncated || moreCounters || overBudget,
      listCli: cliCommand(this.cli, '--scan', '--pattern', `${prefix}*`),
      // Only when there are any: the snapshot of a Redis without is as it was.
      ...(indexes.length ? { indexes } : {}),
      keys: found.others.slice(0, limits.maxKeys),
      keysTotal,
      keysTruncated: scanTruncated || overBudget || keysTotal > limits.maxKeys,
      keysCli: cliCommand(this.cli, '--scan'),
    };
  }

  /**
   * More of a value than a pass shows ("Show more", GET /api/inspector/value):
   * from `offset`, a string's next `limits.chunkBytes` bytes as text, or the
   * next `limits.moreElements` elements of another type, each cut at
   * `limits.moreElementBytes` (see `offsetArg` for what an offset is, and
   * `next` in the reply for the next one). Only reads Redis. A refusal is
   * the API's status and one sentence.
   */
  async readValue(key: string, offset = '0'): Promise<ValueChunk | Refusal> {
    let client: Client;
    try {
      client = await this.connect();
    } catch (err) {
      return { status: 503, message: this.failure(err) };
    }
    const name = cutText(key, 100);
    try {
      const type = String(await client.sendCommand(['TYPE', key]));
      if (type === 'none') return { status: 404, message: `There is no key ${name} in Redis now: it was deleted, or it expired.` };
      const sizeCommand = type === 'string' ? 'STRLEN' : sizeCommands[type];
      if (!sizeCommand) return { status: 400, message: `${name} is a key of type ${type}, whose value the inspector does not read: redis-cli does.` };
      const size = Number(await client.sendCommand([sizeCommand, key]));
      const first = offsetArg(type, offset, size);
      if (first === undefined) return { status: 400, message: offsetHelp(type, size) };
      if (type === 'string') {
        const buf = (await this.buffers!.sendCommand(['GETRANGE', key, first, String(Number(first) + limits.chunkBytes - 1)])) as Buffer;
        return stringChunk(key, size, Number(first), buf);
      }
      if (this.scriptsRefused !== undefined) return { status: 409, message: refusedNote(this.scriptsRefused) };
      const total = limits.moreElements * limits.moreElementBytes;
      const [reply] = await pipelineWithScript(client, [elementsCall(type, key, first, limits.moreElements, limits.moreElementBytes, total, false)]);
      if (refusesScripts(reply)) {
        this.scriptsRefused = reasonOf(reply);
        return { status: 409, message: refusedNote(this.scriptsRefused) };
      }
      if (reply instanceof Error) return { status: 503, message: `Cannot read ${name}: ${reasonOf(reply)}` };
      if (reply == null) return { status: 409, message: `${name} changed type while it was read: ask again.` };
      return elementsChunk(key, type, size, offset, first, reply);
    } catch (err) {
      return { status: 503, message: this.failure(err) };
    }
  }

  /** Starts polling (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    // A tick still reading when we are stopped and started again belongs to
    // the old loop: it must not schedule itself beside the new one.
    const generation = ++this.generation;
    // What changed while nobody watched is not news: the next pass is compared with nothing.
    this.log.forgetPass();
    const tick = async () => {
      this.readMs = 0;
      const at = Date.now();
      let snap: InspectorSnapshot;
      try {
        snap = await this.read();
      } catch (err) {
        snap = { sessions: [], counters: [], scanned: 0, truncated: false, countersTruncated: false, listCli: '', keys: [], keysTotal: 0, keysTruncated: false, keysCli: '', error: this.failure(err) };
      }
      if (generation !== this.generation) return;
      const events = this.log.observe(passOf(snap, at));
      if (events.length) snap.events = events;
      // TTLs tick down every second: compare without them so we only push
      // real changes, but push anyway every few seconds to refresh TTLs.
      const key = JSON.stringify(snap, (k, v: unknown) => (k === 'ttl' ? undefined : v));
      const stale = !this.snapshot || key !== this.last || Date.now() - this.pushedAt > 2000;
      this.snapshot = snap;
      if (stale) {
        this.last = key;
        this.pushedAt = Date.now();
        this.onChange(snap);
      }
      // A pass that took long (a Redis of thousands of keys, a busy machine) waits longer, up to
      // 2 s: reading takes about a fifth of the runner's time at most. A failed pass (Redis down) or
      // the first (connecting) tries again soon.
      const wait = Math.max(this.intervalMs, Math.min(4 * this.readMs, 2000));
      if (this.running && generation === this.generation) this.timer = setTimeout(() => void tick(), wait);
    };
    void tick();
  }

  private pushedAt = 0;
  /** The event lines, and the pass they were last compared with. */
  private readonly log = new EventLog();
  /** How long the last pass took to read, once connected. */
  private readMs = 0;

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  async close(): Promise<void> {
    this.stop();
    const c = this.client;
    this.client = undefined;
    this.buffers = undefined;
    c?.destroy();
  }
}
