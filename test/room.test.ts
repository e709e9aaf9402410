// The room end to end, with real parts: a throwaway Redis as the room, two
// learners' runners (one joins from its page, one from the terminal), verifies
// from the page and from the terminal, and the instructor's `room` command
// read through GET /api/room, as a script would.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { startWorkshopRunner, waitFor, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { runnerFetch, tokenIn } from './helpers/runner-http.ts';
import { rawRequest } from './helpers/raw-http.ts';
import { pagePost, runWorkshopCommand, startRoom, type RunningRoom } from './helpers/room.ts';
import { runCli } from './helpers/verify-cli.ts';
import { repoRoot } from './helpers/repo.ts';
import { roomKey } from '../runner/room/config.ts';

const key = roomKey(repoRoot);
let redis: ThrowawayRedis;
let ada: RunningWorkshop;
let bo: RunningWorkshop;
let room: RunningRoom | undefined;

const learnerEnv = (w: RunningWorkshop) => ({ WORKSHOP_STATE: w.state, WORKSHOP_WORKSPACE: w.workspace });
const row = async (name: string) => (await room!.view()).learners.find((l) => l.name === name);

beforeAll(async () => {
  redis = await throwawayRedis();
  [ada, bo] = await Promise.all([
    startWorkshopRunner({ workspaceFrom: join(repoRoot, 'steps/step1') }),
    startWorkshopRunner({ workspaceFrom: join(repoRoot, 'steps/step1') }),
  ]);
}, 60_000);

afterAll(async () => {
  await room?.stop();
  await Promise.all([ada?.stop(), bo?.stop()]);
  await redis?.dispose();
});

describe('joining', () => {
  it('from the page: the runner says it reports, and to where', async () => {
    const res = await pagePost(ada.link, 'api/room/join', { url: redis.url, name: 'Ada' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ joined: true, host: redis.url, name: 'Ada' });
    const status = await (await runnerFetch(ada.link, 'api/room/status')).json();
    expect(status).toMatchObject({ joined: true, host: redis.url, name: 'Ada' });
  });

  it('from the terminal, in one command; a bad URL or a room that is down is one sentence, and nothing is remembered', async () => {
    const down = await runWorkshopCommand(['join', 'redis://127.0.0.1:1', '--name', 'Bo'], learnerEnv(bo));
    expect(down.code).toBe(1);
    expect(down.output).toMatch(/^Not joined: Nothing answers at redis:\/\/127\.0\.0\.1:1: the room's Redis is down, or the URL's port is wrong\.$/m);
    const bad = await runWorkshopCommand(['join', 'https://room.example.com', '--name', 'Bo'], learnerEnv(bo));
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/A room is a Redis URL starting with redis:\/\/ or rediss:\/\//);
    expect(await (await runnerFetch(bo.link, 'api/room/status')).json()).toEqual({ joined: false });

    const joined = await runWorkshopCommand(['join', redis.url, '--name', 'Bo'], learnerEnv(bo));
    expect(joined.output).toMatch(/Joined the room at redis:\/\/127\.0\.0\.1:\d+ as Bo\./);
    expect(joined.code).toBe(0);
    // The page of Bo's runner follows a join made in the terminal.
    expect(await (await runnerFetch(bo.link, 'api/room/status')).json()).toMatchObject({ joined: true, name: 'Bo' });
  });
});

describe("the instructor's room", () => {
  it('serves the room behind the token, and shows who joined', async () => {
    room = await startRoom(redis.url);
    expect((await fetch(new URL('api/room', room.url))).status).toBe(403);
    const view = await room.view();
    expect(view.room).toMatchObject({ connected: true, key });
    expect(view.learners.map((l) => l.name).sort()).toEqual(['Ada', 'Bo']);
  });

  it('answers only our Host, and streams only to our own page', async () => {
    const port = Number(new URL(room!.url).port);
    const token = tokenIn(room!.link);
    const rebound = await rawRequest(port, { path: '/api/room', headers: [['Host', `evil.example:${port}`], ['X-Workshop-Token', token]] });
    expect(rebound.status).toBe(403);
    const fromElsewhere = await rawRequest(port, { path: '/api/room/events', headers: [['Host', `127.0.0.1:${port}`], ['Origin', 'http://evil.example'], ['Cookie', `workshop-${port}=${token}`]], headOnly: true });
    expect(fromElsewhere.status).toBe(403);
    const door = await rawRequest(port, { path: '/', headers: [['Host', `127.0.0.1:${port}`]] });
    expect(door.status).toBe(403);
    expect(door.body).toMatch(/Open the room from its link/);
  });

  it("a verify from the page shows within a second, with each check's id and outcome and the slide", async () => {
    expect((await pagePost(ada.link, 'api/room/slide', { slide: 'step1/3' })).status).toBe(204);
    const res = await pagePost(ada.link, 'api/verify', { step: 'step1' });
    expect(res.status).toBe(202);
    const got = await waitFor('Ada on step1 in the room', async () => {
      const r = await row('Ada');
      return r && Object.keys(r.checks).length ? r : undefined;
    }, 30_000);
    expect(got).toMatchObject({ step: 'step1', slide: 'step1/3', silent: false });
    expect(Object.values(got.checks).every((o) => o === 'passed')).toBe(true);
    expect(Object.keys(got.checks)).toContain('step1.listens');
  });

  it('a verify from the terminal shows too, and the failing check comes with its hint and slide', async () => {
    const run = await runCli(['step2'], learnerEnv(bo));
    expect(run.code).toBe(1); // step 1's app fails step 2: the room changes nothing of that
    const got = await waitFor('Bo on step2', async () => ((await row('Bo'))?.step === 'step2' ? row('Bo') : undefined));
    expect(got!.checks['step2.signed-cookie']).toBe('failed');
    expect(got!.checks['step1.listens']).toBe('passed');
    const view = await room!.view();
    const failing = view.failing.find((f) => f.id === 'step2.signed-cookie');
    expect(failing).toMatchObject({ count: 1, names: ['Bo'] });
    expect(failing!.hint).toMatch(/signed: true/);
    expect(failing!.slide).toMatchObject({ deck: 'step2' });
    // The link to the slide that teaches it opens that slide.
    const slide = await runnerFetch(room!.link, `slide/step2/${failing!.slide!.n}`);
    expect(slide.status).toBe(200);
    expect(await slide.text()).toContain(failing!.slide!.title.split(':')[0]);
  });

  it('sends nothing of the code, files, paths or host: only the fields of a report', async () => {
    const entries = (await redis.client.xRange(key, '-', '+')) as { message: Record<string, string> }[];
    expect(entries.length).toBeGreaterThanOrEqual(4);
    for (const { message } of entries) expect(Object.keys(message).sort()).toEqual(['at', 'checks', 'learner', 'name', 'slide', 'step', 'v']);
    // The learner id and the entry ids are random: a short host name ('vm') can be in one by chance.
    const all = JSON.stringify(entries.map(({ message: { learner: _random, ...said } }) => said));
    for (const secret of [ada.root, bo.root, ada.workspace, '/tmp/', 'express()', 'app.listen']) expect(all).not.toContain(secret);
    const words = new Set(all.split(/[^\w.-]+/));
    expect(words.has(hostname())).toBe(false);
  });

  it('a restarted room page rebuilds the room from the stream', async () => {
    await room!.stop();
    room = await startRoom(redis.url);
    const view = await room.view();
    expect(view.learners.find((l) => l.name === 'Bo')?.checks['step2.signed-cookie']).toBe('failed');
    expect(view.learners.find((l) => l.name === 'Ada')?.step).toBe('step1');
  });

  it('leave: nothing more is reported', async () => {
    const left = await runWorkshopCommand(['leave'], learnerEnv(bo));
    expect(left.output).toMatch(/Left the room at redis:\/\/127\.0\.0\.1:\d+/);
    const before = await redis.client.xLen(key);
    expect((await runCli(['step1'], learnerEnv(bo))).code).toBe(0);
    expect(await redis.client.xLen(key)).toBe(before);
    expect(await (await runnerFetch(bo.link, 'api/room/status')).json()).toEqual({ joined: false });
  });
});

describe('a room that is down', () => {
  it("changes neither a verify's result nor its output; the page is told once that it retries", async () => {
    const down = await throwawayRedis();
    const url = down.url;
    expect((await pagePost(bo.link, 'api/room/join', { url, name: 'Bo' })).status).toBe(200);
    await down.dispose(); // the room's Redis stops
    const terminal = await runCli(['step1'], learnerEnv(bo));
    expect(terminal.code).toBe(0);
    expect(terminal.stdout).toMatch(/passed, 0 failed/);
    expect(terminal.stderr).toBe(''); // the report was handed over; it fails later, in the background
    // The next verify says, once, that the last report did not reach the room.
    await waitFor('the failed report recorded', () => existsSync(join(bo.state, 'room-last.json')));
    const next = await runCli(['step1'], learnerEnv(bo));
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(/^Your last report did not reach the room: Nothing answers at redis:\/\/127\.0\.0\.1:\d+: the room's Redis is down, or the URL's port is wrong\. Reports go on being sent; your checks are not affected\.$/m);
    const third = await runCli(['step1'], learnerEnv(bo));
    expect(third.stderr).toBe('');
    // From the page: the result is the result; the status says why it is not reported.
    expect((await pagePost(bo.link, 'api/verify', { step: 'step1' })).status).toBe(202);
    const status = await waitFor('the page told the room is unreachable', async () => {
      const s = (await (await runnerFetch(bo.link, 'api/room/status')).json()) as { state: string; message?: string };
      return s.state === 'retrying' ? s : undefined;
    }, 30_000);
    expect(status.message).toMatch(/Nothing answers at/);
    const result = await waitFor('the verify result', async () => {
      const r = (await (await runnerFetch(bo.link, 'api/results/step1')).json()) as { result: { report?: { failed: number; passed: number } } | null };
      return r.result?.report;
    }, 30_000);
    expect(result.failed).toBe(0);
    expect((await pagePost(bo.link, 'api/room/leave', {})).status).toBe(200);
  });
});
