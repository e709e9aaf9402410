// "Re-verify on save", turned on and off through the page's API (POST
// /api/watch) of a real runner: on, a save in the workspace runs the checks
// on the saved files; off, a save runs nothing. (Refusals of that POST
// without our Origin or token: test/server-security.test.ts.)
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { steps } from '../runner/steps.ts';
import { app, openEvents, post, untilState } from './faults/helpers.ts';
import { startWorkshopRunner, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { runnerFetch } from './helpers/runner-http.ts';

let runner: RunningWorkshop;
let events: Awaited<ReturnType<typeof openEvents>>;

beforeAll(async () => {
  runner = await startWorkshopRunner({ workspaceFrom: steps()[0]!.dir, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  events = await openEvents(runner.link);
  await untilState(runner.link, 'the app running', (s) => app(s, 'workspace')?.state === 'running');
}, 60_000);

afterAll(async () => {
  events?.close();
  await runner?.stop();
});

const view = () => join(runner.workspace, 'views', 'index.pug');
const save = async (from: string, to: string) => writeFile(view(), (await readFile(view(), 'utf8')).replace(from, to));
const watch = async (on: boolean) => (await (await post(runner.link, events.token, 'watch', { on })).json()) as { watch: boolean };

it('on: a save runs the checks on the saved files; off: a save runs nothing', async () => {
  // A first result, so that a later save is announced (that result turns stale) even with watching off.
  expect((await post(runner.link, events.token, 'verify', { step: 'step1' })).status).toBe(202);
  const first = await events.next('the first verify', (f) => f.event === 'verify-end', 60_000);
  expect(first.data.report.failed).toBe(0);

  expect(await watch(true)).toEqual({ watch: true });
  expect(((await (await runnerFetch(runner.link, 'api/state')).json()) as { watch: boolean }).watch).toBe(true);
  let from = events.frames.length;
  await save('h1= title', 'h2= title');
  const start = await events.next('a verify after the save', (f) => f.event === 'verify-start', 30_000, from);
  expect(start.data.step).toBe('step1');
  const end = await events.next('its end', (f) => f.event === 'verify-end', 60_000, from);
  // It checked the saved files: the page lost its <h1>.
  expect(end.data.report.checks.find((c: { id: string }) => c.id === 'step1.home-page').status).toBe('failed');

  expect(await watch(false)).toEqual({ watch: false });
  from = events.frames.length;
  await save('h2= title', 'h1= title');
  // The runner noticed the save: the last result is now stale. A run the save started would have
  // begun in that same moment, so the next run to start is the one asked for after it.
  await events.next('the save noticed', (f) => f.event === 'result' && Boolean(f.data.stale), 30_000, from);
  const asked = Date.now();
  expect((await post(runner.link, events.token, 'verify', { step: 'step1' })).status).toBe(202);
  const next = await events.next('the next verify', (f) => f.event === 'verify-start', 30_000, from);
  expect(next.data.at).toBeGreaterThanOrEqual(asked);
  await events.next('its end', (f) => f.event === 'verify-end', 60_000, from);
}, 120_000);
