// Whose Redis, and a Redis that stops answering, without a browser:
// - reasonOf never gives an empty reason (node-redis's TimeoutError and
//   Node's AggregateError carry none in `message`);
// - findRedis names the owner of a Redis it finds running: another
//   workshop's (by the note its runner left beside the data, checked
//   against the server's own pid), or nobody it knows;
// - two real runners from two folders: the second says the Redis is the
//   first's; when the first stops (and its Redis with it) the second says
//   Redis is down, what to do, refuses to "start again" a Redis it did not
//   start, and is ready again by itself once a Redis answers on that port.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../runner/process/ports.ts';
import { findRedis, ping, startRedisServer, type RedisServer } from '../runner/redis.ts';
import { reasonOf } from '../runner/redis-client.ts';
import { RedisWatch } from '../runner/redis-watch.ts';
import type { RedisState } from '../runner/state.ts';
import { steps } from '../runner/steps.ts';
import { isRunning, waitUntilGone } from './helpers/process-table.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, waitFor, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { expectNoOrphans, newMarker, post, tokenOf, uiState, untilState } from './faults/helpers.ts';

/** No REDIS_URL: findRedis looks on the port it is given, and starts a redis-server there if nothing answers. */
const noRedisUrl = { ...process.env, REDIS_URL: '' };

describe('reasonOf', () => {
  it('finds a reason where the message is empty', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const refused6 = Object.assign(new Error('connect ECONNREFUSED ::1:6379'), { code: 'ECONNREFUSED' });
    expect(reasonOf(Object.assign(new AggregateError([refused6, refused], ''), { code: 'ECONNREFUSED' }))).toBe(
      'connect ECONNREFUSED ::1:6379; connect ECONNREFUSED 127.0.0.1:6379',
    );
    expect(reasonOf(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    class TimeoutError extends Error {}
    const timeout = new TimeoutError();
    timeout.name = 'TimeoutError';
    expect(reasonOf(timeout)).toBe('Redis did not answer in time');
    expect(reasonOf(new Error('', { cause: refused }))).toBe('connect ECONNREFUSED 127.0.0.1:6379');
    expect(reasonOf(new Error(''))).toBe('no reason given');
    expect(reasonOf(undefined)).toBe('no reason given');
  });
});

describe('the watch on a redis-server the workshop started', () => {
  let dataDir: string;
  beforeAll(async () => void (dataDir = await mkdtemp(join(tmpdir(), 'workshop-watch-'))));
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('says how it died, says why it could not start it again, then starts it on the same port', async () => {
    const port = await freePort();
    const redis = await findRedis({ env: noRedisUrl, port, dataDir });
    const seen: RedisState[] = [];
    const watch = new RedisWatch(redis, { onChange: (r) => seen.push(r), intervalMs: 200 });
    watch.start();
    const last = () => seen.at(-1);
    const first = redis.server!.process.pid;
    try {
      process.kill(first, 'SIGKILL');
      await waitFor('down', () => last()?.state === 'down', 5000);
      expect(last()).toMatchObject({ state: 'down', canStart: true, restarting: false, todo: 'Start it again with "Start Redis again" on the workshop\'s page, or restart the workshop.' });
      expect((last() as { message: string }).message).toBe(
        `Redis stopped answering at 127.0.0.1:${port} (the workshop's redis-server was killed by SIGKILL). Your app can't keep sessions until it's back.`,
      );

      // Something else took the port meanwhile: said in one sentence, and still down.
      const squatter = createServer((c) => c.destroy());
      await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
      try {
        const failed = await watch.startAgain();
        expect(failed?.status).toBe(500);
        expect(failed?.message).toBe(
          `Redis could not be started again: redis-server did not start on port ${port}: the port is in use. Restart the workshop, or start a Redis yourself on 127.0.0.1:${port}.`,
        );
        expect(seen.some((r) => r.state === 'down' && r.restarting)).toBe(true);
        expect(last()).toMatchObject({ state: 'down', restarting: false, message: failed?.message });
      } finally {
        await new Promise((r) => squatter.close(r));
      }

      expect(await watch.startAgain()).toBeUndefined();
      expect(last()).toMatchObject({ state: 'ready', url: `redis://127.0.0.1:${port}` });
      const second = redis.server!.process.pid;
      expect(second).not.toBe(first);
      await ping(redis.url);
      // Asked again while it answers: nothing to do.
      expect(await watch.startAgain()).toBeUndefined();
    } finally {
      watch.stop();
      await redis.stop();
    }
    expect(isRunning(redis.server!.process.pid)).toBe(false);
  }, 30_000);

  it('leaves no server behind when the workshop stops while it starts one again', async () => {
    const port = await freePort();
    const redis = await findRedis({ env: noRedisUrl, port, dataDir });
    const watch = new RedisWatch(redis, { onChange: () => {}, intervalMs: 200 });
    watch.start();
    process.kill(redis.server!.process.pid, 'SIGKILL');
    await waitFor('down', () => watch.isDown, 5000);
    const again = watch.startAgain();
    watch.stop();
    await redis.stop(); // waits for the start under way, then stops what it started
    await again;
    await waitUntilGone(redis.server!.process.pid);
    await expect(ping(redis.url, 500)).rejects.toThrow();
  }, 30_000);
});

describe('whose Redis findRedis found running', () => {
  let root: string;
  let plain: ThrowawayRedis;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'workshop-whose-'));
    plain = await throwawayRedis();
  });
  afterAll(async () => {
    await plain.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('names the other workshop whose runner started it, and this workshop when it is its own', async () => {
    const port = await freePort();
    const first = await findRedis({ env: noRedisUrl, port, dataDir: join(root, 'first/.workshop/redis') });
    try {
      expect(first.source).toBe('started');
      const second = await findRedis({ env: noRedisUrl, port, dataDir: join(root, 'second/.workshop/redis') });
      expect(second.source).toBe('running');
      expect(second.description).toBe(`the Redis on 127.0.0.1:${port}, which belongs to the workshop in ${join(root, 'first')} (its sessions are listed here too)`);
      expect(second.owner?.kind).toBe('other-workshop');
      const same = await findRedis({ env: noRedisUrl, port, dataDir: join(root, 'first/.workshop/redis') });
      expect(same.owner?.kind).toBe('this-workshop');
    } finally {
      await first.stop();
    }
  });

  it('claims nothing for a Redis no workshop started, even beside a note about another server', async () => {
    const found = await findRedis({ env: noRedisUrl, port: plain.port, dataDir: join(root, 'third/.workshop/redis') });
    expect(found.description).toBe(`a Redis already running on 127.0.0.1:${plain.port} (not started by this workshop)`);
    // A note left in its folder by an earlier server (another pid) says nothing about this one.
    await writeFile(join(plain.dir, 'owner.json'), JSON.stringify({ redisPid: 1, runnerPid: process.pid, workshop: '/somewhere/else', state: '/somewhere/else/.workshop' }));
    const again = await findRedis({ env: noRedisUrl, port: plain.port, dataDir: join(root, 'third/.workshop/redis') });
    expect(again.owner).toEqual({ kind: 'unknown' });
    expect(again.description).not.toContain('/somewhere/else');
  });
});

describe('two workshops from two folders, one Redis', () => {
  const m = newMarker('WORKSHOP_WHOSE_REDIS');
  let port: number;
  let first: RunningWorkshop | undefined;
  let second: RunningWorkshop;
  let stranger: RedisServer | undefined;
  let strangerDir: string;

  beforeAll(async () => {
    port = await freePort();
    strangerDir = await mkdtemp(join(tmpdir(), 'workshop-stranger-redis-'));
    const env = { ...m.env, REDIS_URL: '', WORKSHOP_REDIS_PORT: String(port) };
    const step3 = steps().find((s) => s.name === 'step3')!.dir;
    first = await startWorkshopRunner({ workspaceFrom: step3, env });
    await untilState(first.link, 'the first workshop\'s Redis', (s) => s.redis.state === 'ready');
    second = await startWorkshopRunner({ workspaceFrom: step3, env });
  }, 60_000);

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await stranger?.stop();
    await rm(strangerDir, { recursive: true, force: true });
    await expectNoOrphans(m);
  });

  it('the second says the Redis is the first\'s, on the page and in the terminal', async () => {
    const s = await untilState(second.link, 'the second workshop on Redis', (s) => s.redis.state === 'ready');
    const description = `the Redis on 127.0.0.1:${port}, which belongs to the workshop in ${first!.root} (its sessions are listed here too)`;
    expect((s.redis as { description?: string }).description).toBe(description);
    // Said in the terminal just after the state changed; the line reaches us by the runner's stdout, not with the state.
    await expect.poll(() => second.output()).toContain(`Redis: ${description}.`);
    expect(((await uiState(first!.link)).redis as { description?: string }).description).toMatch(/^redis-server started by the workshop on /);
  }, 30_000);

  it('when the first stops, the second says Redis is down and what to do, and comes back by itself', async () => {
    await first!.stop();
    const firstRoot = first!.root;
    first = undefined;
    const s = await untilState(second.link, 'Redis down', (s) => s.redis.state === 'down', 10_000);
    const redis = s.redis as unknown as { message: string; todo: string; canStart: boolean };
    expect(redis.message).toMatch(new RegExp(`^Redis stopped answering at 127\\.0\\.0\\.1:${port} \\(.+\\)\\. Your app can't keep sessions until it's back\\.$`));
    expect(redis.todo).toBe(`It belongs to the workshop in ${firstRoot}: start that workshop again, or restart this one, which then starts a Redis of its own.`);
    expect(redis.canStart).toBe(false);
    await expect.poll(() => second.output()).toContain(`${redis.message} ${redis.todo}`);

    // Not ours to start: refused in one sentence, and nothing is started.
    const token = await tokenOf(second.link);
    const res = await post(second.link, token, 'redis/start');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe(`The workshop did not start this Redis, so it can't start it again: ${redis.todo}`);
    expect((await uiState(second.link)).redis.state).toBe('down');

    // A Redis answers on the port again: ready by itself, no click, no restart.
    stranger = await startRedisServer({ port, dir: strangerDir, persist: false });
    await untilState(second.link, 'Redis ready again', (s) => s.redis.state === 'ready', 10_000);
    await expect.poll(() => second.output()).toContain('Redis answers again: ');
  }, 40_000);
});
