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
