// Requests per second of the step 3 app with its Redis store against the same
// app with express-session's MemoryStore, measured in the same run with
// autocannon. One returning visitor per connection: every request reads its
// session, counts the visit and writes the session back.
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import autocannon from 'autocannon';
import { startChild, untilListening, type Child } from '../runner/process/child.ts';
import { freePort } from '../runner/process/ports.ts';
import { repoRoot } from '../test/helpers/repo.ts';
import { findStep } from '../runner/steps.ts';
import { startRedisServer } from '../runner/redis.ts';
import { summarize, type Summary } from './stats.ts';

export interface StoreBench {
  redis: Summary;
  memory: Summary;
  /** Redis store throughput as a fraction of the MemoryStore's (median over median). */
  ratio: number;
  connections: number;
  seconds: number;
}

async function start(dir: string, env: Record<string, string>): Promise<{ url: string; app: Child }> {
  const port = await freePort();
  const app = startChild(process.execPath, ['app.js'], {
    cwd: dir,
    // Production mode caches compiled views, so we measure the store, not pug.
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'production' },
  });
  if ((await untilListening(app, port, { timeoutMs: 10_000 })).state !== 'listening') {
    await app.stop();
    throw new Error(`${dir} did not start:\n${app.log.join('\n')}`);
  }
  return { url: `http://127.0.0.1:${port}/`, app };
}

async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(url);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('connect.sid='));
  if (!cookie) throw new Error(`${url} set no session cookie`);
  return cookie.split(';')[0]!;
}

async function requestsPerSecond(url: string, connections: number, seconds: number): Promise<number> {
  const cookie = await sessionCookie(url);
  const result = await autocannon({ url, connections, duration: seconds, headers: { cookie } });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

export async function benchStore({ rounds = 3, connections = 10, seconds = 3 } = {}): Promise<StoreBench> {
  const dir = await mkdtemp(join(tmpdir(), 'workshop-bench-redis-'));
  const redis = await startRedisServer({ dir, persist: false });
  const withRedis = await start(findStep('step3')!.dir, { REDIS_URL: redis.url, SESSION_SECRET: 'bench secret' });
  const withMemory = await start(join(repoRoot, 'bench/apps/memory-store'), {});
  try {
    const r: number[] = [];
    const m: number[] = [];
    // Alternate, so a slow moment of the machine hurts both alike.
    for (let i = 0; i < rounds; i++) {
      r.push(await requestsPerSecond(withRedis.url, connections, seconds));
      m.push(await requestsPerSecond(withMemory.url, connections, seconds));
    }
    const redisSummary = summarize(r);
    const memorySummary = summarize(m);
    return { redis: redisSummary, memory: memorySummary, ratio: redisSummary.median / memorySummary.median, connections, seconds };
  } finally {
    await Promise.all([withRedis.app.stop(), withMemory.app.stop()]);
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
