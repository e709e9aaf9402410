// Redis failing under the workshop: killed in the middle of a verify, and
// stopped and started again while the runner runs (the learner's app and
// the inspector come back by themselves, the runner is not restarted).
// Every case also proves the learner's own keys are still in their Redis.
// (Redis missing at start: test/workshop-cli.test.ts, test/verify-redis.test.ts.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../runner/process/ports.ts';
import { startRedisServer, type RedisServer } from '../../runner/redis.ts';
import { steps } from '../../runner/steps.ts';
import { visitor } from '../helpers/app.ts';
import { isRunning, processesWithEnv, redisChildren } from '../helpers/process-table.ts';
import { redisTraffic, throwawayRedis, trafficSince } from '../helpers/redis.ts';
import { repo, startCli } from '../helpers/verify-cli.ts';
import { startWorkshopRunner, waitFor } from '../helpers/workshop-runner.ts';
import { app, expectNoOrphans, expectReadable, newMarker, openEvents, picture, untilState, uiState } from './helpers.ts';

/** The learner's own data, which nothing of ours may touch. */
const learnerKeys = { 'learner:note': 'my own key', 'sess:learner-session': JSON.stringify({ cookie: { originalMaxAge: null }, visits: 41 }) };

describe('Redis killed during a verify', () => {
  it('verify finishes with the failures named, leaves nothing running and the learner\'s Redis as it was', async () => {
    const learner = await throwawayRedis();
    const m = newMarker();
    try {
      for (const [k, v] of Object.entries(learnerKeys)) await learner.client.set(k, v);
      const traffic = await redisTraffic(learner.client);
      const dir = join(repo, 'steps/step3');
      const before = await picture(dir);
      const run = startCli(['step3', '--dir', dir, '--json', '--timeout', '3000'], { ...m.env, REDIS_URL: learner.url });
      // The middle of the run: the checks' own Redis is up, and the apps are starting against it.
      await waitFor('verify\'s apps starting', () => processesWithEnv(m.marker).filter((p) => p.args.includes('app.js')).length >= 2, 20_000);
      const [redis] = redisChildren(run.child.pid ?? -1);
      expect(redis).toBeDefined();
      process.kill(redis!, 'SIGKILL');
      const started = Date.now();
      const { code } = await run.done;
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(code).toBe(1);
      const report = JSON.parse(run.stdout()) as { failed: number; checks: { id: string; status: string; message: string; hint: string }[] };
      expect(report.failed).toBeGreaterThan(0);
      // Each failure says what happened: the checks' Redis went away, not the learner's code.
      for (const c of report.checks.filter((c) => c.status === 'failed')) {
        expect(c.message.length).toBeGreaterThan(0);
        expectReadable(c.message);
        expect(c.hint).toMatch(/^The checks' own Redis \(a throwaway redis-server on port \d+\) stopped answering during the run, so this failure may not be your app's doing\. Run the checks again\.$/);
      }
      expectReadable(run.stderr());
      await expectNoOrphans(m);
      expect(isRunning(redis!)).toBe(false);
      expect(await picture(dir)).toEqual(before);
      // Verify had a redis-server of its own: the learner's Redis never saw it.
      expect(trafficSince(traffic, await redisTraffic(learner.client))).toEqual({ connections: 0, writes: {} });
      for (const [k, v] of Object.entries(learnerKeys)) expect(await learner.client.get(k)).toBe(v);
    } finally {
      await learner.dispose();
    }
  }, 40_000);
});

describe('Redis restarted while the runner runs', () => {
  it('the learner\'s app and the inspector recover without restarting the runner; no key is lost', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'workshop-fault-redis-'));
    const port = await freePort();
    // A learner's Redis that saves its data, on a port that stays the same.
    const start = () => startRedisServer({ port, dir: dataDir, persist: true });
    let redis: RedisServer | undefined = await start();
    const m = newMarker();
    const runner = await startWorkshopRunner({ workspaceFrom: steps()[2]!.dir, env: { ...m.env, REDIS_URL: redis.url } });
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: 100 } });
    client.on('error', () => {});
    const before = await picture(runner.workspace);
    try {
      await client.connect();
      for (const [k, v] of Object.entries(learnerKeys)) await client.set(k, v);
      const events = await openEvents(runner.link);
      const s = await untilState(runner.link, 'the apps on Redis', (s) => s.redis.state === 'ready' && s.apps.every((a) => a.state === 'running') && s.apps.length === 2);
      const base = app(s, 'workspace')!.url;
      const browser = visitor();
      const visits = async () => /visited this page (\d+) time/.exec((await browser.get(base)).body)?.[1];
      expect(await visits()).toBe('1');
      expect(await visits()).toBe('2');
      await events.next('the session in the inspector', (f) => f.event === 'inspector' && !f.data.error && f.data.sessions.some((x: { value: string }) => /"visits": 2/.test(x.value)));

      // Redis goes away (SIGTERM: it saves first, as `redis-cli shutdown` does) ...
      await redis.stop();
      redis = undefined;
      const down = events.frames.length;
      // ... the page hears about it from the inspector, and the runner keeps answering meanwhile.
      const said = await events.next('the inspector saying Redis cannot be read', (f) => f.event === 'inspector' && Boolean(f.data.error), 20_000, down);
      expect(said.data.error).toMatch(/^Cannot read Redis: \S/);
      // ... and the header: Redis is down, and what to do about a Redis from REDIS_URL.
      const saidDown = await untilState(runner.link, 'Redis said to be down', (s) => s.redis.state === 'down', 10_000);
      expect(saidDown.redis.message).toMatch(/^Redis stopped answering at redis:\/\/127\.0\.0\.1:\d+ \(.+\)\. Your app can't keep sessions until it's back\.$/);
      expect((saidDown.redis as { todo?: string }).todo).toMatch(/^Start the Redis at REDIS_URL \(redis:\/\/127\.0\.0\.1:\d+\) again, or unset REDIS_URL/);
      const page = await browser.get(base).catch(() => undefined);
      expect(page?.status ?? 0).not.toBe(200);

      // Back on the same port with the same data.
      redis = await start();
      await waitFor('the app counting again', async () => (await visits()) === '3', 20_000);
      // The count of 3 exists only in the Redis that came back: the inspector reads it.
      await events.next('the inspector showing the session again', (f) => f.event === 'inspector' && !f.data.error && f.data.sessions.some((x: { value: string }) => /"visits": 3/.test(x.value)), 20_000, down);
      await untilState(runner.link, 'Redis ready again by itself', (s) => s.redis.state === 'ready', 10_000);
      expect((await uiState(runner.link)).apps.every((a) => a.state === 'running' && a.starts === 1)).toBe(true);
      for (const [k, v] of Object.entries(learnerKeys)) expect(await client.get(k)).toBe(v);
      events.close();
    } finally {
      client.destroy();
      const after = await picture(runner.workspace);
      await runner.stop();
      await redis?.stop();
      await rm(dataDir, { recursive: true, force: true });
      await expectNoOrphans(m);
      expect(after).toEqual(before);
    }
  }, 60_000);
});
