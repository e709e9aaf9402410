// A throwaway redis-server for one test file: its own port and data folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { startRedisServer, type RedisServer } from '../../runner/redis.ts';

function newClient(url: string) {
  const client = createClient({ url });
  client.on('error', () => {});
  return client;
}

export interface ThrowawayRedis extends RedisServer {
  dir: string;
  /** A connected client, for the test to look at what the app stored. */
  client: ReturnType<typeof newClient>;
  dispose(): Promise<void>;
}

export async function throwawayRedis(): Promise<ThrowawayRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'workshop-redis-'));
  const server = await startRedisServer({ dir, persist: false });
  const client = newClient(server.url);
  await client.connect();
  return {
    ...server,
    dir,
    client,
    async dispose() {
      client.destroy();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What a Redis has seen so far, from its own counters: connections accepted
 * and write commands run (every command Redis flags `write`, by INFO
 * commandstats). Compare two snapshots to prove a run never touched it,
 * which end states cannot: a run that used it and cleaned up looks the same.
 */
export interface RedisTraffic {
  connections: number;
  /** Write commands by name, e.g. { set: 2 }, for a readable failure. */
  writesBy: Record<string, number>;
}

export async function redisTraffic(client: ThrowawayRedis['client']): Promise<RedisTraffic> {
  const stats = await client.info('stats');
  const connections = Number(/total_connections_received:(\d+)/.exec(stats)?.[1]);
  const writesBy: Record<string, number> = {};
  for (const [, name, calls] of (await client.info('commandstats')).matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
    writesBy[name!] = Number(calls);
  }
  const names = Object.keys(writesBy);
  // COMMAND INFO's flags (the third field of each reply) say which commands write. A subcommand is
  // asked about by its full name (xgroup|create writes; its container xgroup has no such flag).
  const infos = names.length ? ((await client.sendCommand(['COMMAND', 'INFO', ...names])) as unknown[]) : [];
  for (const [i, name] of names.entries()) {
    const flags = (infos[i] as [string, number, string[]] | null)?.[2] ?? [];
    if (!flags.includes('write')) delete writesBy[name];
  }
  return { connections, writesBy };
}

/** What happened between two snapshots. */
export function trafficSince(before: RedisTraffic, after: RedisTraffic): { connections: number; writes: Record<string, number> } {
  const writes: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after.writesBy)) {
    const delta = calls - (before.writesBy[name] ?? 0);
    if (delta) writes[name] = delta;
  }
  return { connections: after.connections - before.connections, writes };
}
