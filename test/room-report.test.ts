// The reporter (what the page's and a watch's reports go through) against a
// real Redis that stops and comes back on the same port, and against a port
// that accepts and never answers: send() never waits, the status says why
// reports do not get through, and they do once the room is back, the
// latest few only.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startRedisServer, type RedisServer } from '../runner/redis.ts';
import { Reporter, type ReporterStatus } from '../runner/room/report.ts';
import { entryFields } from '../runner/room/entry.ts';
import { waitFor } from './helpers/workshop-runner.ts';
import { runCli, tempApp } from './helpers/verify-cli.ts';
import { repoRoot } from './helpers/repo.ts';
import { processesWithEnv } from './helpers/process-table.ts';
import { writeRoom, roomKey } from '../runner/room/config.ts';
import { existsSync } from 'node:fs';

const key = 'workshop-room:report-test';
let dir: string;
let server: RedisServer;
let port: number;

const fields = (n: number) => entryFields({ step: 'step1', checks: [] }, { learner: 'report-learner', name: `Report ${n}` });

async function streamNames(): Promise<string[]> {
  const client = createClient({ url: `redis://127.0.0.1:${port}` });
  client.on('error', () => {});
  await client.connect();
  try {
    return ((await client.xRange(key, '-', '+')) as { message: Record<string, string> }[]).map((e) => e.message.name!);
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'workshop-report-'));
  server = await startRedisServer({ dir, persist: true });
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('Reporter', () => {
  it('reports, retries while the room is down, and sends the latest reports once it is back', async () => {
    const statuses: ReporterStatus[] = [];
    const reporter = new Reporter({ url: `redis://127.0.0.1:${port}`, name: 'Ada', learner: 'report-learner', key }, (s) => statuses.push(s));
    try {
      reporter.send(fields(0));
      await waitFor('the first report', async () => (await streamNames()).length === 1);
      // Redis has it a moment before the reporter hears back.
      await waitFor('the reporter to say it reports', () => reporter.status.state === 'reporting');

      await server.stop(); // saves, then stops: the room's Redis goes down
      const started = performance.now();
      for (let n = 1; n <= 20; n++) reporter.send(fields(n));
      expect(performance.now() - started).toBeLessThan(50); // send() only queues
      await waitFor('the reporter to say it retries', () => reporter.status.state === 'retrying');
      expect(reporter.status).toMatchObject({ message: expect.stringMatching(/^Nothing answers at redis:\/\/127\.0\.0\.1:\d+: the room's Redis is down, or the URL's port is wrong\.$/) });
      // Said once, however many reports wait.
      expect(statuses.filter((s) => s.state === 'retrying')).toHaveLength(1);

      server = await startRedisServer({ dir, port, persist: true }); // back, same port, same data
      await waitFor('the waiting reports', async () => (await streamNames()).length > 1, 40_000);
      await waitFor('the queue to drain', () => reporter.flush(100));
      // The latest five, in order: the room wants the latest state, not the history.
      expect(await streamNames()).toEqual(['Report 0', 'Report 16', 'Report 17', 'Report 18', 'Report 19', 'Report 20']);
      expect(reporter.status.state).toBe('reporting');
    } finally {
      reporter.close();
    }
  }, 60_000);

  it('gives up on a room that accepts and never answers, and says so', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const reporter = new Reporter({ url: `redis://127.0.0.1:${(silent.address() as { port: number }).port}`, name: 'Ada', learner: 'report-learner', key });
    try {
      reporter.send(fields(1));
      await waitFor('the reporter to give up', () => reporter.status.state === 'retrying', 10_000);
      expect(reporter.status).toMatchObject({ message: expect.stringMatching(/did not answer within 3 s/) });
    } finally {
      reporter.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

describe('a verify in the terminal, in a room that never answers', () => {
  it('exits with its result at once; the process that carries its report ends by itself within seconds', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const app = await tempApp(join(repoRoot, 'steps/step1'));
    const state = join(dir, 'silent-state');
    writeRoom(state, { url: `redis://127.0.0.1:${(silent.address() as { port: number }).port}`, name: 'Ada', key: roomKey(repoRoot) });
    const marker = `WORKSHOP_ROOM_TEST=${process.pid}-${Date.now()}`;
    try {
      const run = await runCli(['step1'], { WORKSHOP_STATE: state, WORKSHOP_WORKSPACE: app.dir, WORKSHOP_ROOM_TEST: marker.split('=')[1]! });
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      // The report's carrier outlives the verify, for a moment only.
      await waitFor('the report carrier to end', () => processesWithEnv(marker).length === 0, 10_000);
      expect(existsSync(join(state, 'room-last.json'))).toBe(true);
      const next = await runCli(['step1'], { WORKSHOP_STATE: state, WORKSHOP_WORKSPACE: app.dir, WORKSHOP_ROOM_TEST: marker.split('=')[1]! });
      expect(next.stderr).toMatch(/^Your last report did not reach the room: The room at redis:\/\/127\.0\.0\.1:\d+ did not answer within 3 s\. /);
      await waitFor('the second carrier to end', () => processesWithEnv(marker).length === 0, 10_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      await app.dispose();
    }
  }, 60_000);
});
