// Bad input, from the learner's side and the author's: a workspace without
// package.json, a package.json that is not JSON, a malformed deck, a deck or
// a step folder that is missing. The runner says what is wrong in one
// sentence and keeps everything else working; nothing lingers, no file of
// the learner's changes.
// (verify on a folder without package.json, or a missing folder: test/verify-cli.test.ts.)
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { nodeArgsOf } from '../helpers/npm-scripts.ts';
import { startChild } from '../../runner/process/child.ts';
import { steps } from '../../runner/steps.ts';
import { startCli } from '../helpers/verify-cli.ts';
import { workshopCopy } from '../helpers/workshop-copy.ts';
import { startWorkshopRunner, waitFor, workshopSandbox, type RunningWorkshop } from '../helpers/workshop-runner.ts';
import { app, expectNoOrphans, expectReadable, newMarker, openEvents, picture, post, untilState, type Marker } from './helpers.ts';
import { runnerFetch } from '../helpers/runner-http.ts';

const notJson = '{\n  "name": "my-app",\n  "main": "app.js",\n}\n';

async function finish(runner: RunningWorkshop, m: Marker, before: Record<string, string>) {
  const after = await picture(runner.workspace);
  await runner.stop();
  await expectNoOrphans(m);
  expect(after).toEqual(before);
}

/** A learner's workspace to start from: steps/step1 with `change` applied, in a temporary folder. */
async function workspaceLike(change: (dir: string) => Promise<unknown>): Promise<{ dir: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'fault-workspace-'));
  const dir = join(root, 'app');
  await cp(steps()[0]!.dir, dir, { recursive: true });
  await change(dir);
  return { dir, dispose: () => rm(root, { recursive: true, force: true }) };
}

describe('the learner\'s package.json', () => {
  it.concurrent('missing: the app pane says there is no app, the slides and the solution work', async () => {
    const m = newMarker();
    const src = await workspaceLike((dir) => unlink(join(dir, 'package.json')));
    const runner = await startWorkshopRunner({ workspaceFrom: src.dir, env: { ...m.env, REDIS_URL: 'redis://127.0.0.1:1' } });
    const before = await picture(src.dir);
    try {
      const s = await untilState(runner.link, 'the verdict', (s) => app(s, 'workspace')?.state === 'missing' && app(s, 'solution')?.state === 'running');
      expect(app(s, 'workspace')!.message).toBe(`There is no app in ${runner.workspace} (no readable package.json).`);
      expect((await runnerFetch(runner.link, 'api/decks/step1/1')).status).toBe(200);
      expectReadable(runner.output());
    } finally {
      // The workspace was not recreated from steps/start over the learner's files.
      await finish(runner, m, before);
      await src.dispose();
    }
  });

  it.concurrent('not JSON: the app pane says so, with the parser\'s reason; fixing it starts the app', async () => {
    const m = newMarker();
    const src = await workspaceLike((dir) => writeFile(join(dir, 'package.json'), notJson));
    const runner = await startWorkshopRunner({ workspaceFrom: src.dir, env: { ...m.env, REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const s = await untilState(runner.link, 'the verdict', (s) => app(s, 'workspace')?.state === 'missing');
      const message = app(s, 'workspace')!.message!;
      expect(message.startsWith(`${join(runner.workspace, 'package.json')} is not valid JSON (`)).toBe(true);
      expect(message).toMatch(/\(Expected double-quoted property name in JSON at position \d+.*\): fix it, and the app starts\.$/);
      expect(await picture(runner.workspace)).toEqual(await picture(src.dir));
      // The learner fixes it: the app starts on its own.
      await cp(join(steps()[0]!.dir, 'package.json'), join(runner.workspace, 'package.json'));
      await untilState(runner.link, 'the app running', (s) => app(s, 'workspace')?.state === 'running');
    } finally {
      await finish(runner, m, await picture(steps()[0]!.dir));
      await src.dispose();
    }
  });

  it.concurrent('not JSON: verify says package.json cannot be read, and why', async () => {
    const m = newMarker();
    const box = await workshopSandbox(steps()[0]!.dir);
    try {
      await writeFile(join(box.workspace, 'package.json'), notJson);
      const before = await picture(box.workspace);
      const run = startCli(['step1', '--dir', box.workspace, '--json'], m.env);
      expect((await run.done).code).toBe(1);
      const report = JSON.parse(run.stdout()) as { checks: { id: string; status: string; message: string; hint: string }[] };
      const deps = report.checks.find((c) => c.id === 'step1.dependencies')!;
      expect(deps.message).toMatch(/^package\.json cannot be read: Expected double-quoted property name in JSON at position \d+.*\.$/);
      expect(deps.hint).toBe('Fix package.json so that it is valid JSON.');
      expectReadable(run.stderr());
      await expectNoOrphans(m);
      expect(await picture(box.workspace)).toEqual(before);
    } finally {
      await rm(box.root, { recursive: true, force: true });
    }
  });
});

/** `npm run workshop` from the copy, with the runner helper's sandbox for the workspace. */
async function runnerIn(copy: string, m: Marker) {
  const box = await workshopSandbox(steps()[0]!.dir);
  const lines: string[] = [];
  const child = startChild(process.execPath, [...nodeArgsOf('workshop', copy), '--port', '0', '--no-open'], {
    cwd: copy,
    env: { ...process.env, NO_COLOR: '1', WORKSHOP_WORKSPACE: box.workspace, WORKSHOP_STATE: box.state, REDIS_URL: 'redis://127.0.0.1:1', ...m.env },
    keepLines: 1000,
    onLine: (l) => lines.push(l),
  });
  const link = (await waitFor('the runner to start', () => /The workshop is at (\S+)/.exec(lines.join('\n'))?.[1]))!;
  return {
    url: link.replace(/\?.*$/, ''),
    link,
    box,
    output: () => lines.join('\n'),
    async stop() {
      await child.stop(8000);
      await rm(box.root, { recursive: true, force: true });
    },
  };
}

describe('the workshop\'s own files broken', () => {
  it('a malformed deck and a missing one: each problem named with file and line, every other slide served', async () => {
    const copy = await workshopCopy();
    const m = newMarker();
    try {
      await writeFile(
        join(copy.root, 'slides', 'step1.md'),
        [
          '# A deck gone wrong', // 1
          '', // 2
          "code src='steps/step1/nope.js'", // 3
          '---', // 4
          '## Out of range', // 5
          "code src='steps/step1/app.js' lines='900-950'", // 6
          '---', // 7
          '## Half a directive', // 8
          "code src='steps/step1/app.js' lines='3-", // 9
          '<div><img src="img/missing.png"', // 10
          '---', // 11
          '## Still fine', // 12
          '\u0000\uFFFD binary junk \u001b[31m', // 13
        ].join('\n'),
      );
      await rm(join(copy.root, 'slides', 'step2.md'));
      const runner = await runnerIn(copy.root, m);
      try {
        const deck = (await (await runnerFetch(runner.link, 'api/decks/step1')).json()) as { slides: unknown[]; problems: { file: string; line: number; message: string }[] };
        expect(deck.slides).toHaveLength(4);
        // Each of the four mistakes, once, at its own line, saying what is wrong there.
        expect(deck.problems.map((p) => `${p.file}:${p.line}`)).toEqual(['slides/step1.md:3', 'slides/step1.md:6', 'slides/step1.md:9', 'slides/step1.md:10']);
        const said = (line: number) => deck.problems.find((p) => p.line === line)!.message;
        expect(said(3)).toMatch(/nope\.js" does not exist/);
        expect(said(6)).toMatch(/900-950" is outside the file/);
        expect(said(9)).toMatch(/does not parse/);
        expect(said(10)).toMatch(/img\/missing\.png" does not exist/);
        for (const p of deck.problems) expectReadable(p.message);
        expect((await runnerFetch(runner.link, 'api/decks/step1/3')).status).toBe(200);

        const missing = (await (await runnerFetch(runner.link, 'api/decks/step2')).json()) as { problems: { message: string }[] };
        expect(missing.problems.map((p) => p.message)).toEqual(['the deck is missing']);
        const slide = await runnerFetch(runner.link, 'api/decks/step2/1');
        expect(slide.status).toBe(404);
        expect(await slide.json()).toEqual({ error: 'step2 has 0 slides; there is no slide 1.' });
        // The other decks and the runner are fine.
        expect((await runnerFetch(runner.link, 'api/decks/step3/1')).status).toBe(200);
        await untilState(runner.link, 'both apps running', (s) => s.apps.length === 2 && s.apps.every((a) => a.state === 'running'));
        expectReadable(runner.output());
      } finally {
        await runner.stop();
      }
      // The author's lint names the same problems, exit 1.
      const lint = await execa(process.execPath, ['runner/launch.js', 'lint'], { cwd: copy.root, reject: false, env: { NO_COLOR: '1', ...m.env } });
      expect(lint.exitCode).toBe(1);
      expect(lint.stdout + lint.stderr).toMatch(/slides\/step1\.md:3: .*nope\.js/);
      expectReadable(lint.stdout + lint.stderr);
      await expectNoOrphans(m);
    } finally {
      await copy.dispose();
    }
  }, 60_000);

  it('a missing step folder: the solution pane says so, switching to it refuses in one sentence, nothing changes', async () => {
    const copy = await workshopCopy();
    const m = newMarker();
    try {
      await rm(join(copy.root, 'steps', 'step2'), { recursive: true });
      const runner = await runnerIn(copy.root, m);
      const before = await picture(runner.box.workspace);
      try {
        const { token } = await openEvents(runner.link).then((e) => (e.close(), e));
        expect((await post(runner.link, token, 'step', { step: 'step2' })).status).toBe(200);
        const s = await untilState(runner.link, 'the solution pane\'s verdict', (s) => app(s, 'solution')?.state === 'missing' && app(s, 'workspace')?.state === 'running');
        expect(app(s, 'solution')!.message).toBe(`There is no app in ${join(copy.root, 'steps', 'step2')} (no readable package.json).`);
        const sw = await post(runner.link, token, 'switch', { step: 'step2' });
        const body = (await sw.json()) as { error?: string };
        expect(sw.status).toBeGreaterThanOrEqual(400);
        expect(body.error?.split('\n')).toHaveLength(1);
        expectReadable(body.error ?? '');
        expect(await picture(runner.box.workspace)).toEqual(before);
        // Back to a step that exists: the pane recovers.
        expect((await post(runner.link, token, 'step', { step: 'step1' })).status).toBe(200);
        await untilState(runner.link, 'the solution running', (s) => app(s, 'solution')?.state === 'running');
      } finally {
        await runner.stop();
      }
      await expectNoOrphans(m);
    } finally {
      await copy.dispose();
    }
  }, 60_000);
});
