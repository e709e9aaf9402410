// The Redis inspector: what is in the app's Redis, as the learner clicks
// around their app. SCAN (never KEYS, which blocks Redis), and no fixed
// prefix: the learner picks their own, so a session is any string key whose
// value is JSON with a `cookie` field (what express-session stores), and a
// session naming a user is shown as whose it is. Beside them, counters (a
// login's failures, a rate limit): string keys holding an integer with a
// TTL, or named like one. Every other key is listed by its type (string,
// hash, list, set, zset, stream) with its TTL, its size and the start of its
// value, so a workshop whose app keeps notes in a list shows them too.
// Bounded, so a big Redis can't flood the UI: so many keys a pass, so many
// bytes of a string, so many elements of the rest, and their full size said.
import { reasonOf } from '../redis-client.ts';

export interface SessionEntry {
  key: string;
  /** Seconds left; -1 when the key never expires. */
  ttl: number;
  /** The value, pretty-printed JSON. */
  value: string;
  /** What a learner types to see the same. */
  cli: string;
  /** The logged-in user's name, when the record names one (`user.name`, `username`…). */
  user?: string;
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
  /** What a learner types to see the same: `HGETALL key  &&  TTL key`. */
  cli: string;
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
  /** Keys neither a session nor a counter, sorted by key; the first `limits.maxKeys`. */
  keys: KeyEntry[];
  /** How many such keys this pass found (more than `keys` holds when there are many). */
  keysTotal: number;
  /** More keys exist than `keys` holds (or than this pass could look at). */
  keysTruncated: boolean;
  /** The redis-cli line that lists every key. */
  keysCli: string;
  error?: string;
}

export const limits = {
  maxScanned: 5000,
  maxSessions: 100,
  maxCounters: 100,
  scanCount: 500,
  /** Other keys shown, besides the sessions and counters. */
  maxKeys: 100,
  /** A string up to this long is read whole, to tell a session or a counter; a longer one only its start. */
  wholeStringBytes: 64 * 1024,
  /** Bytes of whole strings read in one pass; past them, strings are read as long ones. */
  passBytes: 2 * 1024 * 1024,
  /** The start of a string shown. */
  valueBytes: 2048,
  /** Fields, items or members shown of a hash, list, set or zset. */
  maxElements: 10,
  /** A stream's last entries shown. */
  maxEntries: 5,
  /** Characters shown of one field, item, member or value. */
  elementChars: 200,
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
 */
export function sessionUser(data: Record<string, unknown>, maxDepth = 6): string | undefined {
  for (const k of topNameKeys) {
    const name = nameOf(data[k]);
    if (name) return name;
  }
  // Breadth first: `user.name` before `cart.owner.user.name`.
  let level: { obj: Record<string, unknown>; inUser: boolean }[] = [{ obj: data, inUser: false }];
  for (let depth = 0; depth < maxDepth && level.length; depth++) {
    const next: typeof level = [];
    for (const { obj, inUser } of level) {
      if (inUser) {
        for (const k of nameKeys) {
          const name = nameOf(obj[k]);
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

/** A string key: its text (the start of it when long), pretty-printed when it is a whole JSON object or array. */
export function stringEntry(key: string, raw: string, size: number, pttl: number, cli: string): KeyEntry {
  const partial = size > limits.valueBytes;
  let value = partial ? firstBytes(raw, limits.valueBytes) : raw;
  if (!partial && /^\s*[[{]/.test(raw)) {
    try {
      value = JSON.stringify(JSON.parse(raw), null, 2);
    } catch {
      // not JSON: as it is
    }
  }
  return { key, type: 'string', ttl: ttlSeconds(pttl), size, value, partial, cli: keyCli(cli, 'string', key) };
}

type Raw = string | number | null | Error | Raw[];

const texts = (r: Raw | undefined): string[] => (Array.isArray(r) ? r.map((x) => (typeof x === 'string' ? x : String(x))) : []);
const pairs = (flat: string[]): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};

/** What reads a key of another type, bounded: its size, then its first elements (a stream's last entries). */
export function boundedReads(type: string, key: string): string[][] {
  const n = String(2 * limits.maxElements);
  switch (type) {
    case 'hash': return [['HLEN', key], ['HSCAN', key, '0', 'COUNT', n]]; // COUNT is work, not fields: a little more than shown
    case 'list': return [['LLEN', key], ['LRANGE', key, '0', String(limits.maxElements - 1)]];
    case 'set': return [['SCARD', key], ['SSCAN', key, '0', 'COUNT', n]];
    case 'zset': return [['ZCARD', key], ['ZRANGE', key, '0', String(limits.maxElements - 1), 'WITHSCORES']];
    case 'stream': return [['XLEN', key], ['XREVRANGE', key, '+', '-', 'COUNT', String(limits.maxEntries)]];
    default: return [];
  }
}

/**
 * A key of another type from the two replies of `boundedReads` (RESP2: arrays
 * of strings): undefined when it changed type meanwhile (an error reply).
 */
export function elementsEntry(key: string, type: string, pttl: number, replies: Raw[], cli: string): KeyEntry | undefined {
  const cliLine = keyCli(cli, type, key);
  const ttl = ttlSeconds(pttl);
  if (!(keyTypes as readonly string[]).includes(type) || type === 'string') return { key, type, ttl, partial: false, cli: cliLine };
  const [sizeReply, read] = replies;
  if (sizeReply instanceof Error || read instanceof Error || sizeReply === undefined) return undefined;
  const size = Number(sizeReply);
  const cut = (row: string[]) => row.map((t) => cutText(t));
  let rows: string[][];
  switch (type) {
    case 'hash': // HSCAN: [cursor, [field, value, …]]; a small hash comes whole, a big one about COUNT fields
      rows = pairs(texts(Array.isArray(read) ? read[1] : [])).slice(0, limits.maxElements);
      break;
    case 'list':
      rows = texts(read).map((item, i) => [String(i), item]);
      break;
    case 'set':
      rows = texts(Array.isArray(read) ? read[1] : []).sort().slice(0, limits.maxElements).map((m) => [m]);
      break;
    case 'zset': // RESP2: member, score, member, score…
      rows = pairs(texts(read));
      break;
    default: // stream, newest first: [[id, [field, value, …]], …]
      rows = (Array.isArray(read) ? read : [])
        .map((entry) => {
          const [id, fields] = Array.isArray(entry) ? entry : [];
          return [String(id), ...texts(fields).slice(0, 2 * limits.maxElements)];
        })
        .reverse();
  }
  return { key, type, ttl, size, rows: rows.map(cut), partial: size > rows.length, cli: cliLine };
}

/** The client, as this file uses it (RESP2: replies are strings, numbers and arrays). */
interface Client {
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  multi(): { addCommand(args: string[]): unknown; execAsPipeline(): Promise<unknown> };
  destroy(): void;
}

/** Many commands in one round trip; a command's error is its reply (an Error), not the pass's failure. */
async function pipeline(client: Client, commands: string[][]): Promise<Raw[]> {
  if (!commands.length) return [];
  const multi = client.multi();
  for (const c of commands) multi.addCommand(c);
  try {
    return (await multi.execAsPipeline()) as Raw[];
  } catch (err) {
    // node-redis's MultiErrorReply: every reply, the failed ones as ErrorReply.
    const replies = (err as { replies?: unknown }).replies;
    if (Array.isArray(replies)) return replies as Raw[];
    throw err;
  }
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
      const { createClient } = await import('redis');
      const client = createClient({
        url: this.url,
        RESP: 2,
        disableOfflineQueue: true,
        socket: { connectTimeout: 2000, reconnectStrategy: (n) => Math.min(n * 200, 2000) },
      });
      client.on('error', (err: unknown) => (this.lastError = err));
      client.on('ready', () => (this.lastError = undefined));
      this.client = client as unknown as Client;
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

  /** The reason a pass failed: the socket's, when the client lost its connection. */
  private failure(err: unknown): string {
    const offline = !this.client?.isReady && this.lastError !== undefined;
    return `Cannot read Redis: ${reasonOf(offline ? this.lastError : err)}`;
  }

  /**
   * One pass: a SCAN of each type (side by side: a handful of round trips in
   * all), then three pipelines whatever Redis holds. 1: each string's length;
   * the TTL, size and first elements of the other keys that may be shown.
   * 2: the strings short enough to read whole (sessions, counters, a
   * learner's values), by MGET, and the start of the long ones shown. 3: the
   * TTLs of the strings shown. A few commands a key: a Redis of 1,000 keys
   * costs the runner milliseconds a pass.
   */
  async read(): Promise<InspectorSnapshot> {
    const client = await this.connect();
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
    const first = await pipeline(client, [
      ...strings.map((k) => ['STRLEN', k]),
      ...readKeys.flatMap((k) => [['PTTL', k], ...boundedReads(typeOf.get(k)!, k)]),
    ]);
    let budget = limits.passBytes;
    let overBudget = false;
    const whole: { key: string; size: number }[] = [];
    const long: { key: string; size: number }[] = [];
    strings.forEach((key, i) => {
      const size = first[i];
      if (typeof size !== 'number') return; // no longer a string
      if (size <= limits.wholeStringBytes && size <= budget) {
        budget -= size;
        whole.push({ key, size });
      } else {
        if (size <= limits.wholeStringBytes) overBudget = true;
        long.push({ key, size });
      }
    });
    const others: KeyEntry[] = [];
    let at = strings.length;
    let elementsGone = 0;
    for (const key of readKeys) {
      const type = typeOf.get(key)!;
      const n = boundedReads(type, key).length;
      const pttl = Number(first[at]);
      const entry = pttl === -2 ? undefined : elementsEntry(key, type, pttl, first.slice(at + 1, at + 1 + n), this.cli);
      at += 1 + n;
      if (entry) others.push(entry);
      else elementsGone++;
    }

    // 2: a long string is never a session nor a counter; only the first ones can be shown.
    const longShown = long.slice(0, limits.maxKeys);
    const batches: string[][] = [];
    for (let i = 0; i < whole.length; i += 200) batches.push(['MGET', ...whole.slice(i, i + 200).map((k) => k.key)]);
    const second = await pipeline(client, [...batches, ...longShown.map((k) => ['GETRANGE', k.key, '0', String(limits.valueBytes - 1)])]);
    const raws = second.slice(0, batches.length).flatMap((r) => (Array.isArray(r) ? r : []));
    // What each string is: a session, a number (a counter when it has a TTL or a counter's name), or text.
    type Read = { key: string; size: number; raw: string; kind: 'session' | 'number' | 'text' };
    const read: Read[] = [];
    whole.forEach((k, i) => {
      const raw = raws[i];
      if (typeof raw !== 'string') return; // gone since its STRLEN
      read.push({ ...k, raw, kind: sessionJson(raw) ? 'session' : isInteger(raw) ? 'number' : 'text' });
    });
    const sessionKeys = read.filter((k) => k.kind === 'session');
    const textKeys = read.filter((k) => k.kind === 'text');
    const longRead: Read[] = [];
    longShown.forEach((k, i) => {
      const raw = second[batches.length + i];
      if (typeof raw === 'string' && raw !== '') longRead.push({ ...k, raw, kind: 'text' }); // '': gone since its STRLEN
    });

    // 3: TTLs only for what may be shown (one more session than the limit: then more exist).
    const timed: Read[] = [
      ...sessionKeys.slice(0, limits.maxSessions + 1),
      ...read.filter((k) => k.kind === 'number'),
      ...textKeys.slice(0, limits.maxKeys),
      ...longRead,
    ];
    const ttls = await pipeline(client, timed.map((k) => ['PTTL', k.key]));
    const sessions: SessionEntry[] = [];
    const counters: CounterEntry[] = [];
    let moreCounters = false;
    let numbersShown = 0;
    timed.forEach((k, i) => {
      const pttl = Number(ttls[i]);
      if (pttl === -2) return; // gone since it was read
      if (k.kind === 'session') {
        const entry = toEntry(k.key, k.raw, pttl, this.cli);
        if (entry) sessions.push(entry);
        return;
      }
      if (k.kind === 'number') {
        const counter = toCounter(k.key, k.raw, pttl, this.cli);
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
    const keysTotal = elementKeys.length - elementsGone + long.length + textKeys.length + numbersShown;
    sessions.sort(byKey);
    counters.sort(byKey);
    others.sort((a, b) => collator.compare(a.key, b.key));
    const prefix = commonPrefix(sessions.map((s) => s.key));
    this.readMs = performance.now() - started;
    return {
      sessions,
      counters,
      scanned: keys.length,
      truncated: scanTruncated || moreSessions || overBudget,
      countersTruncated: scanTruncated || moreCounters || overBudget,
      listCli: cliCommand(this.cli, '--scan', '--pattern', `${prefix}*`),
      keys: others.slice(0, limits.maxKeys),
      keysTotal,
      keysTruncated: scanTruncated || overBudget || keysTotal > limits.maxKeys,
      keysCli: cliCommand(this.cli, '--scan'),
    };
  }

  /** Starts polling (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    // A tick still reading when we are stopped and started again belongs to
    // the old loop: it must not schedule itself beside the new one.
    const generation = ++this.generation;
    const tick = async () => {
      this.readMs = 0;
      let snap: InspectorSnapshot;
      try {
        snap = await this.read();
      } catch (err) {
        snap = { sessions: [], counters: [], scanned: 0, truncated: false, countersTruncated: false, listCli: '', keys: [], keysTotal: 0, keysTruncated: false, keysCli: '', error: this.failure(err) };
      }
      // TTLs tick down every second: compare without them so we only push
      // real changes, but push anyway every few seconds to refresh TTLs.
      if (generation !== this.generation) return;
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
    c?.destroy();
  }
}
