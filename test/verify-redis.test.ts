// Isolation: verify reads, changes and deletes nobody's Redis data. With a
// redis-server on PATH it starts its own; without one it claims an empty
// database on REDIS_URL and empties it afterwards, leaving the others alone.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisUnavailableError } from '../runner/redis.ts';
import { freePort } from '../runner/process/ports.ts';
import { verify } from '../runner/verify/verify.ts';
import { redisTraffic, throwawayRedis, trafficSince, type ThrowawayRedis } from './helpers/redis.ts';
import { repo } from './helpers/verify-cli.ts';

const step3 = join(repo, 'steps/step3');
let learners: ThrowawayRedis;

beforeAll(async () => {
  learners = await throwawayRedis();
});
afterAll(async () => {
  await learners?.dispose();
});

/** The environment of a machine without redis-server, whose Redis is in REDIS_URL. */
const withoutBinary = (url: string) => ({ ...process.env, PATH: '/nonexistent-bin', REDIS_URL: url });

describe('verify and Redis', () => {
  it('without redis-server, uses an empty database of REDIS_URL and leaves the others as they were', async () => {
    const c = learners.client;
    await c.select(0);
    await c.set('sess:learners-own', '{"visits":41}');
    await c.select(15);
    await c.set('something-else', 'keep me'); // database 15 is not empty: verify must pass it by
    const report = await verify('step3', step3, { env: withoutBinary(learners.url), recordProgress: false });
    expect(report.checks.filter((r) => r.status !== 'passed')).toEqual([]);
    const store = report.checks.find((r) => r.id === 'step3.redis-store');
    expect(store?.message).toMatch(/sess:/);
    await c.select(0);
    expect(await c.get('sess:learners-own')).toBe('{"visits":41}');
    expect(await c.dbSize()).toBe(1);
    await c.select(15);
    expect(await c.get('something-else')).toBe('keep me');
    expect(await c.dbSize()).toBe(1);
    // The database it used (14, the first empty one from the top) is empty again.
    await c.select(14);
    expect(await c.dbSize()).toBe(0);
  });

  it('with redis-server on PATH, leaves REDIS_URL alone entirely: not one connection', async () => {
    const before = await redisTraffic(learners.client);
    const report = await verify('step3', step3, { env: { ...process.env, REDIS_URL: learners.url }, recordProgress: false });
    expect(report.failed).toBe(0);
    // What the learner's Redis saw: a verify that used it and cleaned up would leave the same keys, not the same counters.
    expect(trafficSince(before, await redisTraffic(learners.client))).toEqual({ connections: 0, writes: {} });
  });

  it('without any Redis, step 3 cannot be checked, and says why', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    await expect(verify('step3', step3, { env: withoutBinary(closed), recordProgress: false })).rejects.toThrow(RedisUnavailableError);
  });

  it('steps 1 and 2 need no Redis at all', async () => {
    const report = await verify('step2', join(repo, 'steps/step2'), { env: withoutBinary('redis://127.0.0.1:1'), recordProgress: false });
    expect(report.failed).toBe(0);
  });
});
