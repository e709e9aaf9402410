// The Redis session inspector: what is in the runner's Redis, as the
// learner clicks around their app. SCAN (never KEYS, which blocks Redis),
// and no fixed prefix: the learner picks their own, so a session is any
// string key whose value is JSON with a `cookie` field (what
// express-session stores), and a session naming a user is shown as whose it
// is. Beside them, counters (a login's failures, a rate limit): string keys
// holding an integer with a TTL, or named like one. Bounded, so a big Redis
// can't flood the UI.
import type { RedisClientType } from 'redis';
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
  error?: string;
}

export const limits = { maxScanned: 5000, maxSessions: 100, maxCounters: 100, scanCount: 500 } as const;

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

type Client = RedisClientType;

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

  /** One pass: SCAN string keys, fetch values and TTLs in one round trip each. */
  async read(): Promise<InspectorSnapshot> {
    const client = await this.connect();
    const keys: string[] = [];
    let cursor = '0';
    let scanTruncated = false;
    do {
      const reply = await client.scan(cursor, { COUNT: limits.scanCount, TYPE: 'string' });
      cursor = String(reply.cursor);
      keys.push(...reply.keys);
      if (keys.length >= limits.maxScanned && cursor !== '0') {
        scanTruncated = true;
        break;
      }
    } while (cursor !== '0');
    const sessions: SessionEntry[] = [];
    const counters: CounterEntry[] = [];
    // Set once one more than the limit is seen: then we know more exist.
    let moreSessions = false;
    let moreCounters = false;
    for (let i = 0; i < keys.length && !(moreSessions && moreCounters); i += 200) {
      const batch = keys.slice(i, i + 200);
      const values = await client.mGet(batch);
      // TTLs only for what looks like a session or a counter: a learner's
      // Redis may hold thousands of other keys.
      const found = batch
        .map((key, j) => ({ key, raw: values[j] ?? '' }))
        .filter((c) => (!moreSessions && sessionJson(c.raw)) || (!moreCounters && isInteger(c.raw)));
      if (!found.length) continue;
      const multi = client.multi();
      for (const c of found) multi.pTTL(c.key);
      const ttls = (await multi.exec()) as unknown as number[];
      found.forEach((c, j) => {
        const pttl = Number(ttls[j] ?? -1);
        if (pttl === -2) return; // gone since the MGET
        const entry = toEntry(c.key, c.raw, pttl, this.cli);
        if (entry) {
          if (sessions.length < limits.maxSessions) sessions.push(entry);
          else moreSessions = true;
          return;
        }
        const counter = toCounter(c.key, c.raw, pttl, this.cli);
        if (counter) {
          if (counters.length < limits.maxCounters) counters.push(counter);
          else moreCounters = true;
        }
      });
    }
    sessions.sort((a, b) => a.key.localeCompare(b.key));
    counters.sort((a, b) => a.key.localeCompare(b.key));
    const prefix = commonPrefix(sessions.map((s) => s.key));
    return {
      sessions,
      counters,
      scanned: keys.length,
      truncated: scanTruncated || moreSessions,
      countersTruncated: scanTruncated || moreCounters,
      listCli: cliCommand(this.cli, '--scan', '--pattern', `${prefix}*`),
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
      let snap: InspectorSnapshot;
      try {
        snap = await this.read();
      } catch (err) {
        snap = { sessions: [], counters: [], scanned: 0, truncated: false, countersTruncated: false, listCli: '', error: this.failure(err) };
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
      if (this.running && generation === this.generation) this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    void tick();
  }

  private pushedAt = 0;

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
