// runner/redis finds or starts Redis in the README's order, and a server it
// started never outlives its owner.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { findRedis, RedisUnavailableError, startRedisServer } from '../runner/redis.ts';
import { freePort } from '../runner/process/ports.ts';
import { repoRoot } from './helpers/repo.ts';
import { isRunning, waitUntilGone } from './helpers/process-table.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';

let dataDir: string;
beforeAll(async () => void (dataDir = await mkdtemp(join(tmpdir(), 'workshop-redis-test-'))));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function get(url: string, key: string): Promise<string | null> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.get(key);
  } finally {
    client.destroy();
  }
}

describe('findRedis', () => {
  let existing: ThrowawayRedis;
  beforeAll(async () => void (existing = await throwawayRedis()));
  afterAll(() => existing.dispose());

  it('uses REDIS_URL when it is set', async () => {
    const redis = await findRedis({ env: { ...process.env, REDIS_URL: existing.url }, port: await freePort() });
    expect(redis.source).toBe('env');
    expect(redis.url).toBe(existing.url);
    expect(redis.description).toContain('REDIS_URL');
    await redis.stop(); // not ours: stop() must leave it running
    expect(await existing.client.ping()).toBe('PONG');
  });

  it('reuses a Redis already answering on the default port', async () => {
    const env = { ...process.env, REDIS_URL: '' };
    const redis = await findRedis({ env, port: existing.port, dataDir });
    expect(redis.source).toBe('running');
    expect(redis.url).toBe(existing.url);
    expect(redis.server).toBeUndefined();
  });

  it('starts redis-server on the default port when it is free, and its data survives a restart', async () => {
    const port = await freePort();
    const env = { ...process.env, REDIS_URL: '' };
    const redis = await findRedis({ env, port, dataDir });
    expect(redis.source).toBe('started');
    expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
    expect(redis.cli).toBe(`redis-cli -p ${port}`);
    expect(redis.description).toContain(dataDir);
    const pid = redis.server!.process.pid;

    const client = createClient({ url: redis.url });
    await client.connect();
    await client.set('sess:kept', '{"visits":3}');
    client.destroy();
    await redis.stop();
    expect(isRunning(pid)).toBe(false);

    const again = await findRedis({ env, port, dataDir });
    try {
      expect(again.source).toBe('started');
      expect(await get(again.url, 'sess:kept')).toBe('{"visits":3}');
    } finally {
      await again.stop();
    }
  });

  it('starts redis-server on another port when the default one is taken by something else', async () => {
    const squatter = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const taken = (squatter.address() as { port: number }).port;
    try {
      const redis = await findRedis({ env: { ...process.env, REDIS_URL: '' }, port: taken, dataDir });
      try {
        expect(redis.source).toBe('started');
        expect(redis.server!.port).not.toBe(taken);
        expect(redis.cli).toBe(`redis-cli -p ${redis.server!.port}`);
      } finally {
        await redis.stop();
      }
    } finally {
      squatter.close();
    }
  });

  it('says in one sentence, with the install commands, when there is no Redis at all', async () => {
    const error = await findRedis({ env: { PATH: '/nonexistent' }, port: await freePort(), dataDir }).catch((e) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    const [sentence, ...help] = (error as Error).message.split('\n');
    expect(sentence).toMatch(/^No Redis found: .*redis-server is not installed\.$/);
    expect(help.join('\n')).toMatch(/apt-get install -y redis-server[\s\S]*brew install redis[\s\S]*docker run/);
  });

  it('says in one sentence when REDIS_URL does not answer, without printing its password', async () => {
    const port = await freePort();
    const error = await findRedis({ env: { ...process.env, REDIS_URL: `redis://user:hunter2@127.0.0.1:${port}` } }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RedisUnavailableError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(`REDIS_URL is set to redis://user:****@127.0.0.1:${port}, but Redis does not answer there`);
    expect(message).not.toContain('hunter2');
  });
});

describe('startRedisServer', () => {
  it('reports a port it cannot use in one sentence', async () => {
    const existing = await throwawayRedis();
    try {
      const error = await startRedisServer({ port: existing.port, dir: dataDir, persist: false }).catch((e) => e);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toMatch(new RegExp(`^redis-server did not start on port ${existing.port}`));
    } finally {
      await existing.dispose();
    }
  });
});

describe('a redis-server the workshop started', () => {
  // The owner is a real process that finds Redis the way the runner does.
  async function startOwner() {
    const port = await freePort();
    const owner = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/redis-owner.ts'], {
      cwd: repoRoot,
      env: { ...process.env, REDIS_URL: '', OWNER_PORT: String(port), OWNER_DATA: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: owner.stdout! }).once('line', resolve);
      owner.once('exit', (code) => reject(new Error(`owner exited with ${code}`)));
    });
    const { pid, url } = JSON.parse(line) as { pid: number; url: string };
    return { owner, pid, url };
  }

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`stops when its owner gets ${signal}`, async () => {
      const { owner, pid, url } = await startOwner();
      expect(isRunning(pid)).toBe(true);
      const client = createClient({ url });
      await client.connect();
      await client.set(`sess:${signal}`, '{"visits":1}');
      client.destroy();
      owner.kill(signal);
      await waitUntilGone(pid);
      if (signal === 'SIGKILL') return; // no time to save: the watchdog only makes sure it stops
      // Stopped gracefully, so the learner's sessions were saved to disk.
      const again = await startRedisServer({ dir: dataDir, persist: true });
      try {
        expect(await get(again.url, `sess:${signal}`)).toBe('{"visits":1}');
      } finally {
        await again.stop();
      }
    });
  }
});
