// The README's ACL line, on a real Redis: a learners' user that can append
// to the room's stream and nothing else. Learners report through it (join,
// then a verify in the terminal); with it, nobody can read the room, delete
// or change what others reported, or touch another key; the room page
// refuses it with one sentence and reads with the instructor's user.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { runWorkshopCommand, startRoom } from './helpers/room.ts';
import { runCli, tempApp } from './helpers/verify-cli.ts';
import { repoRoot } from './helpers/repo.ts';
import { waitFor } from './helpers/workshop-runner.ts';
import { roomKey } from '../runner/room/config.ts';

const key = roomKey(repoRoot);
let redis: ThrowawayRedis;
let state: string;
let app: { dir: string; dispose(): Promise<void> };
const urlAs = (user: string, password: string) => redis.url.replace('redis://', `redis://${user}:${password}@`);

beforeAll(async () => {
  redis = await throwawayRedis();
  // The README's two lines, for this workshop's room.
  await redis.client.sendCommand(['ACL', 'SETUSER', 'learners', 'on', '>learners-pw', 'resetkeys', `%W~${key}`, 'resetchannels', '-@all', '+xadd']);
  await redis.client.sendCommand(['ACL', 'SETUSER', 'instructor', 'on', '>instructor-pw', 'resetkeys', `%R~${key}`, 'resetchannels', '-@all', '+xread']);
  state = await mkdtemp(join(tmpdir(), 'workshop-acl-'));
  app = await tempApp(join(repoRoot, 'steps/step1'));
});

afterAll(async () => {
  await app?.dispose();
  await rm(state, { recursive: true, force: true });
  await redis?.dispose();
});

describe("the learners' user", () => {
  it('joins and reports a verify', async () => {
    const env = { WORKSHOP_STATE: state, WORKSHOP_WORKSPACE: app.dir };
    const joined = await runWorkshopCommand(['join', urlAs('learners', 'learners-pw'), '--name', 'Ada'], env);
    expect(joined.output).toMatch(/Joined the room at redis:\/\/127\.0\.0\.1:\d+ as Ada\./);
    expect(joined.output).not.toContain('learners-pw');
    const run = await runCli(['step1'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    // The verify has handed its report over; it arrives a moment later.
    const entries = await waitFor('the report in the room', async () => {
      const all = (await redis.client.xRange(key, '-', '+')) as { message: Record<string, string> }[];
      return all.length === 2 ? all : undefined;
    });
    expect(entries.map((e) => JSON.parse(e.message.checks!).length)).toEqual([0, expect.any(Number)]);
    expect(entries[1]!.message.name).toBe('Ada');
  });

  it('cannot read the room, change or delete what others reported, or touch anything else', async () => {
    const learner = createClient({ url: urlAs('learners', 'learners-pw'), RESP: 2, disableClientInfo: true });
    learner.on('error', () => {});
    await learner.connect();
    try {
      const refused = async (...args: string[]) => {
        await expect(learner.sendCommand(args), args.join(' ')).rejects.toThrow(/NOPERM/);
      };
      await refused('XRANGE', key, '-', '+');
      await refused('XREVRANGE', key, '+', '-');
      await refused('XREAD', 'STREAMS', key, '0');
      await refused('XLEN', key);
      await refused('XDEL', key, '0-1');
      await refused('XTRIM', key, 'MAXLEN', '0');
      await refused('DEL', key);
      await refused('RENAME', key, 'other');
      await refused('GET', key);
      await refused('KEYS', '*');
      await refused('SCAN', '0');
      await refused('XADD', 'another-key', '*', 'a', 'b');
      await refused('SUBSCRIBE', 'x');
      await refused('MONITOR');
    } finally {
      learner.destroy();
    }
  });

  it("is refused by the room page, in one sentence; the instructor's user reads the room", async () => {
    const refused = await runWorkshopCommand(['room', urlAs('learners', 'learners-pw'), '--port', '0', '--no-open'], { WORKSHOP_STATE: state });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/^The room cannot be read: redis:\/\/127\.0\.0\.1:\d+ does not let this user read the room's stream: use a user with \+xread on it \(the learners' user can only append\)\.$/m);
    const wrong = await runWorkshopCommand(['room', urlAs('instructor', 'nope'), '--port', '0', '--no-open'], { WORKSHOP_STATE: state });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toMatch(/refused the user or password in the URL/);
    const room = await startRoom(urlAs('instructor', 'instructor-pw'));
    try {
      const view = await room.view();
      expect(view.learners.map((l) => [l.name, l.step])).toEqual([['Ada', 'step1']]);
      expect(JSON.stringify(view)).not.toContain('instructor-pw');
    } finally {
      await room.stop();
    }
  });

  it('a wrong password does not join, and says why', async () => {
    const other = await mkdtemp(join(tmpdir(), 'workshop-acl-'));
    try {
      const res = await runWorkshopCommand(['join', urlAs('learners', 'wrong'), '--name', 'Bo'], { WORKSHOP_STATE: other });
      expect(res.code).toBe(1);
      expect(res.output).toMatch(/^Not joined: The room at redis:\/\/127\.0\.0\.1:\d+ refused the user or password in its URL: ask the instructor for the room's URL and join again\.$/m);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
