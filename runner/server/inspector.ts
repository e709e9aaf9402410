// The Redis session inspector: what is in the runner's Redis, as the
// learner clicks around their app. SCAN (never KEYS, which blocks Redis),
// and no fixed prefix: the learner picks their own, so a session is any
// string key whose value is JSON with a `cookie` field (what
// express-session stores). Bounded, so a big Redis can't flood the UI.
import type { RedisClientType } from 'redis';

export interface SessionEntry {
  key: string;
  /** Seconds left; -1 when the key never expires. */
  ttl: number;
  /** The value, pretty-printed JSON. */
  value: string;
  /** What a learner types to see the same. */
  cli: string;
}

export interface InspectorSnapshot {
  sessions: SessionEntry[];
  /** Keys looked at in this pass; more exist when `truncated`. */
  scanned: number;
  truncated: boolean;
  /** The redis-cli line that lists the same keys. */
  listCli: string;
  error?: string;
}

export const limits = { maxScanned: 5000, maxSessions: 100, scanCount: 500 } as const;

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

export function toEntry(key: string, raw: string, pttl: number, cli: string): SessionEntry | undefined {
  const data = sessionJson(raw);
  if (!data) return undefined;
  return {
    key,
    ttl: pttl < 0 ? -1 : Math.ceil(pttl / 1000),
    value: JSON.stringify(data, null, 2),
    cli: `${cliCommand(cli, 'GET', key)}  &&  ${cliCommand(cli, 'TTL', key)}`,
  };
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

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const { createClient } = await import('redis');
    const client = createClient({ url: this.url, socket: { connectTimeout: 2000, reconnectStrategy: (n) => Math.min(n * 200, 2000) } });
    client.on('error', () => {}); // reported through the snapshot
    this.client = client as unknown as Client;
    await client.connect();
    return this.client;
  }

  /** One pass: SCAN string keys, fetch values and TTLs in one round trip each. */
  async read(): Promise<InspectorSnapshot> {
    const client = await this.connect();
    const keys: string[] = [];
    let cursor = '0';
    let truncated = false;
    do {
      const reply = await client.scan(cursor, { COUNT: limits.scanCount, TYPE: 'string' });
      cursor = String(reply.cursor);
      keys.push(...reply.keys);
      if (keys.length >= limits.maxScanned && cursor !== '0') {
        truncated = true;
        break;
      }
    } while (cursor !== '0');
    const sessions: SessionEntry[] = [];
    for (let i = 0; i < keys.length && sessions.length < limits.maxSessions; i += 200) {
      const batch = keys.slice(i, i + 200);
      const values = await client.mGet(batch);
      // TTLs only for what looks like a session: a learner's Redis may hold thousands of other keys.
      const found = batch.map((key, j) => ({ key, raw: values[j] ?? '' })).filter((c) => sessionJson(c.raw));
      if (!found.length) continue;
      const multi = client.multi();
      for (const c of found) multi.pTTL(c.key);
      const ttls = (await multi.exec()) as unknown as number[];
      found.forEach((c, j) => {
        const entry = toEntry(c.key, c.raw, Number(ttls[j] ?? -1), this.cli);
        if (entry && sessions.length < limits.maxSessions) sessions.push(entry);
      });
    }
    if (sessions.length >= limits.maxSessions) truncated = true;
    sessions.sort((a, b) => a.key.localeCompare(b.key));
    const prefix = commonPrefix(sessions.map((s) => s.key));
    return {
      sessions,
      scanned: keys.length,
      truncated,
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
        snap = { sessions: [], scanned: 0, truncated: false, listCli: '', error: `Cannot read Redis: ${(err as Error).message}` };
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
