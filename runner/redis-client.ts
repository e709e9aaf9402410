// A short-lived Redis connection for looking, not for an app: the runner's
// PING and the checks' view of the Redis they gave the app. The `redis`
// package is loaded on first use (~90 ms: verify loads it while the apps
// boot), and speaks RESP2 so replies are plain strings, numbers and arrays.
import type { createClient } from 'redis';

export type Reply = string | number | null | Reply[];

let loading: Promise<typeof import('redis')> | undefined;

/** Starts loading the client library; call early, await later. */
export function preloadRedisClient(): Promise<typeof import('redis')> {
  return (loading ??= import('redis'));
}

export interface ChecksRedis {
  /** Any command, e.g. `command('TYPE', key)`. */
  command(...args: (string | number)[]): Promise<Reply>;
  /** Every key of the selected database, by SCAN (never KEYS). */
  keys(): Promise<string[]>;
  /**
   * MONITOR on a connection of its own: `onLine` gets each command the
   * server runs, as Redis prints it (`1733… [0 127.0.0.1:5120] "keys" "*"`),
   * until the returned function is called. Rejects when MONITOR is refused.
   */
  monitor(onLine: (line: string) => void): Promise<() => void>;
  close(): void;
}

/** Connects (authenticates and selects the URL's database), or rejects with the reason. */
export async function openRedis(url: string, timeoutMs = 2000): Promise<ChecksRedis> {
  const { createClient: create } = await preloadRedisClient();
  const client: ReturnType<typeof createClient<{}, {}, {}, 2>> = create({
    url,
    RESP: 2,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
  });
  client.on('error', () => {}); // failures reach us through the rejected promises
  await client.connect();
  return {
    command: (...args) => client.sendCommand(args.map(String)) as Promise<Reply>,
    async keys() {
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ COUNT: 1000 })) keys.push(...batch);
      return keys;
    },
    async monitor(onLine) {
      const watcher = client.duplicate();
      watcher.on('error', () => {}); // a lost watcher shows as lines that never come
      try {
        await watcher.connect();
        await watcher.monitor((line) => onLine(String(line)));
      } catch (err) {
        watcher.destroy();
        throw err;
      }
      return () => watcher.destroy();
    },
    close: () => client.destroy(),
  };
}

/** The URL's port (6379 when it names none). */
export function redisPort(url: string): number {
  return Number(new URL(url).port || 6379);
}

/** The URL with its database replaced by `db`. */
export function withDatabase(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Why a Redis call failed, never empty: node-redis's TimeoutError has no
 * message, and Node's AggregateError (both addresses of `localhost`
 * refused) keeps its reasons in `errors` and its `code` beside them.
 */
export function reasonOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err ?? '') || 'no reason given';
  const e = err as { message?: unknown; code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  const message = typeof e.message === 'string' ? e.message.trim() : '';
  if (message) return message;
  if (Array.isArray(e.errors) && e.errors.length) return [...new Set(e.errors.map(reasonOf))].join('; ');
  if (typeof e.code === 'string' && e.code) return e.code;
  if (e.cause) return reasonOf(e.cause);
  if (e.name === 'TimeoutError') return 'Redis did not answer in time';
  return typeof e.name === 'string' && e.name && e.name !== 'Error' ? e.name : 'no reason given';
}
