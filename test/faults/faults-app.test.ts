// The learner's app misbehaving, under both things that run it: `npm run
// verify` (the real CLI) and the runner's app supervisor (the real runner).
// An app that crashes on a request, never answers, floods its output,
// listens on the wrong port, or starts a helper that ignores SIGTERM: each
// gets one clear sentence, nothing it started outlives the case, and the
// learner's files are byte for byte what they were.
// (A syntax error, a 500, never listening, a hard-coded port: test/checks-matrix.test.ts.)
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesWithEnv, isRunning } from '../helpers/process-table.ts';
import { startCli } from '../helpers/verify-cli.ts';
import { failedRequest } from '../../runner/verify/context.ts';
import type { RunningApp } from '../../runner/verify/harness.ts';
import { startChild } from '../../runner/process/child.ts';
import { startWorkshopRunner, waitFor, type RunningWorkshop } from '../helpers/workshop-runner.ts';
import { runnerFetch } from '../helpers/runner-http.ts';
import {
  app,
  expectNoOrphans,
  expectReadable,
  faultFixtures,
  newMarker,
  openEvents,
  picture,
  post,
  rssMb,
  uiState,
  untilState,
  type Marker,
} from './helpers.ts';

const fixture = (name: string) => join(faultFixtures, name);

/** `npm run verify step1 --dir <fixture>`, marked; its exit, output and the fixture's files after. */
async function verifyFixture(name: string, args: string[] = []) {
  const m = newMarker();
  const dir = fixture(name);
  const before = await picture(dir);
  const run = startCli(['step1', '--dir', dir, ...args], m.env);
  // verify's own peak memory, read while it runs.
  let peakMb = 0;
  const sampler = setInterval(() => {
    void rssMb(run.child.pid ?? -1).then((mb) => (peakMb = Math.max(peakMb, mb)), () => {});
  }, 50);
  const { code } = await run.done;
  clearInterval(sampler);
  await expectNoOrphans(m);
  expect(await picture(dir)).toEqual(before);
  return { code, stdout: run.stdout(), stderr: run.stderr(), peakMb };
}

/** The block of a failed check in verify's human output. */
const failure = (stdout: string, id: string) => stdout.split('\n\n').find((b) => b.startsWith(`✖ `) && b.split('\n')[0]!.endsWith(id)) ?? '';

describe('npm run verify, with a misbehaving app', () => {
  it.concurrent('crashes while answering GET /: says the app stopped, quoting its error', async () => {
    const r = await verifyFixture('crash-on-request');
    expect(r.code).toBe(1);
    const block = failure(r.stdout, 'step1.home-page');
    expect(block.split('\n')[1]).toBe('    The app stopped while answering GET / (socket hang up).');
    expect(block).toContain("TypeError: Cannot read properties of undefined (reading 'toUpperCase')");
    // (The stylesheet check passes or fails depending on whether it ran before the crash.)
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^[34] passed, [12] failed$/);
    expectReadable(r.stderr);
  });

  it('crashes while verify itself is stalled (both cores busy): still says the app stopped, not "socket hang up" alone', async () => {
    // The app dies while verify's event loop is busy elsewhere for longer than the moment it waits for
    // an exit, so the expired wait and the exit are both pending when the loop comes back.
    const stderr: string[] = [];
    const child = startChild(process.execPath, ['-e', "console.error('Error: boom'); process.exit(1)"], {
      cwd: faultFixtures,
      onLine: (line, stream) => stream === 'stderr' && stderr.push(line),
    });
    const crashed: RunningApp = { port: 0, base: 'http://127.0.0.1:0', process: child, stderr, readyMs: 0, stop: async () => void (await child.stop()) };
    const wording = failedRequest(crashed, 'GET /', new Error('socket hang up'), () => undefined);
    const stalledFrom = performance.now();
    while (isRunning(child.pid) || performance.now() - stalledFrom < 400); // busy, as under load
    const failure = await wording;
    expect(failure.message.split('\n')[0]).toBe('The app stopped while answering GET / (socket hang up).');
    expect(failure.message).toContain('Error: boom');
  });

  it.concurrent('never answers GET /: fails that check after the timeout, runs the rest', async () => {
    // --timeout bounds the app's start as well: long enough for a slow start on a busy machine.
    const r = await verifyFixture('hang', ['--timeout', '8000']);
    expect(r.code).toBe(1);
    const block = failure(r.stdout, 'step1.home-page');
    expect(block.split('\n')[1]).toBe('    GET / failed: no answer to GET / within 8.0 s.');
    expect(block).toMatch(/Hint: Make sure every route sends an answer/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('4 passed, 1 failed');
  });

  it.concurrent('floods stdout: the verdict is unaffected and verify stays small', async () => {
    const r = await verifyFixture('flood');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('5 passed, 0 failed');
    expect(r.peakMb).toBeGreaterThan(0); // it was measured
    expect(r.peakMb).toBeLessThan(250);
  });

  it.concurrent('listens on PORT + 1: names both ports at once, without waiting out the timeout', async () => {
    // A long wait, so that naming the port early (not the timeout) is what ends the check, however busy the machine.
    const r = await verifyFixture('wrong-port', ['--json', '--timeout', '60000']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string; hint: string; ms: number }[] };
    const listens = report.checks.find((c) => c.id === 'step1.listens')!;
    expect(listens.status).toBe('failed');
    const [, port] = /given in PORT \((\d+)\)/.exec(listens.message) ?? [];
    expect(listens.message).toBe(`The app listens on port ${Number(port) + 1}, not on the port it was given in PORT (${port}).`);
    expect(listens.hint).toMatch(/use the PORT environment variable/);
    expect(listens.ms).toBeLessThan(30_000); // named long before the 60 s wait ran out
  });

  it.concurrent('writes 300 lines, then nothing: a page opened afterwards gets the last 50 of them, in order', async () => {
    const m = newMarker();
    const runner = await runnerWith('chatty', m);
    try {
      await untilState(runner.link, 'the app running', (s) => app(s, 'workspace')?.state === 'running');
      const events = await openEvents(runner.link);
      const logs = await events.next('the log replay', (f) => f.event === 'logs' && f.data.app === 'workspace');
      const numbered = (logs.data.lines as { text: string }[]).map((l) => /^line (\d+)$/.exec(l.text)?.[1]).filter(Boolean).map(Number);
      // The last numbered lines, whatever of the runner's own (started, listening) comes between.
      expect(numbered.at(-1)).toBe(300);
      expect(numbered).toEqual(Array.from({ length: numbered.length }, (_, i) => 301 - numbered.length + i));
      expect(numbered.length).toBeGreaterThanOrEqual(45);
      events.close();
    } finally {
      await finish(runner, m, 'chatty');
    }
  });

  it.concurrent('starts a helper that ignores SIGTERM (and ignores it too): passes, and both are gone after', async () => {
    // expectNoOrphans (in verifyFixture) is the point: the helper carries the marker.
    const r = await verifyFixture('fork-ignores-term');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('5 passed, 0 failed');
  });

  it.concurrent('starts a helper detached from itself (its own session), which ignores SIGTERM: passes, and the helper is gone after', async () => {
    // The helper left the app's process group: only the process table finds it.
    const r = await verifyFixture('detached-helper');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('5 passed, 0 failed');
  });
});

/** A runner whose workspace is a copy of the fixture, no Redis (step 1 apps need none). */
async function runnerWith(name: string, m: Marker): Promise<RunningWorkshop> {
  return startWorkshopRunner({ workspaceFrom: fixture(name), env: { ...m.env, REDIS_URL: 'redis://127.0.0.1:1' } });
}

/** The pid of the one process of the case whose command line holds `text`, once there is exactly one. */
async function onlyHelper(m: Marker, text: string, what: string): Promise<number> {
  const pids = () => processesWithEnv(m.marker).filter((p) => p.args.includes(text)).map((p) => p.pid);
  const [pid] = await waitFor(what, () => (pids().length === 1 ? pids() : undefined));
  return pid!;
}

/** Stops the runner and proves the case clean: nothing of it runs, the learner's files unchanged. */
async function finish(runner: RunningWorkshop, m: Marker, name: string): Promise<void> {
  const after = await picture(runner.workspace);
  await runner.stop();
  await expectNoOrphans(m);
  expect(after).toEqual(await picture(fixture(name)));
}

describe('the runner, with a misbehaving app in the workspace', () => {
  it.concurrent('crashes on a request: the app pane says it crashed, the log holds the error, the terminal too', async () => {
    const m = newMarker();
    const runner = await runnerWith('crash-on-request', m);
    try {
      const events = await openEvents(runner.link);
      const up = await untilState(runner.link, 'the app running', (s) => app(s, 'workspace')?.state === 'running');
      await fetch(app(up, 'workspace')!.url).catch(() => undefined); // what the app pane's iframe does
      const s = await untilState(runner.link, 'the crash', (s) => app(s, 'workspace')?.state === 'crashed' && app(s, 'solution')?.state === 'running');
      expect(app(s, 'workspace')!.message).toBe('The app exited with code 1: see its last log lines. Save a file or press Reload to restart it.');
      await events.next('the error in the app log', (f) => f.event === 'log' && /TypeError: Cannot read properties of undefined/.test(f.data.text));
      await events.next('the runner saying so in the log', (f) => f.event === 'log' && f.data.stream === 'runner' && f.data.text === 'The app exited with code 1.');
      await waitFor('the terminal to say so', () => /Your app: The app exited with code 1/.test(runner.output()));
      expect(runner.output()).toContain("TypeError: Cannot read properties of undefined (reading 'toUpperCase')");
      // The solution pane (running, above) and the slides are unaffected.
      expect((await runnerFetch(runner.link, 'api/decks/step1/1')).status).toBe(200);
      events.close();
    } finally {
      await finish(runner, m, 'crash-on-request');
    }
  });

  it.concurrent('floods stdout: the runner stays responsive and bounded, even for a page that reads nothing; a new page gets the last lines', async () => {
    const m = newMarker();
    const runner = await runnerWith('flood', m);
    try {
      const events = await openEvents(runner.link);
      await untilState(runner.link, 'the app running', (s) => app(s, 'workspace')?.state === 'running');
      // A second page that reads nothing at all (a frozen tab): the runner must not queue for it forever.
      const frozen = connect({ port: runner.port, host: '127.0.0.1' });
      frozen.on('error', () => {});
      frozen.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${runner.port}\r\nX-Workshop-Token: ${events.token}\r\n\r\n`);
      frozen.pause();
      // Let it flood until at least 256 MB of output went through the runner
      // (the app counts its bursts of 64 KB or more in "flood N" lines), measuring the runner's
      // memory and how long the UI takes to answer. Counting bytes, not
      // seconds, makes the verdict the same on a fast and a loaded machine.
      let seen = 0;
      let burst = 0;
      const bursts = () => {
        for (; seen < events.frames.length; seen++) {
          const f = events.frames[seen]!;
          const n = f.event === 'log' ? /^flood (\d+)$/.exec(f.data.text)?.[1] : undefined;
          if (n) burst = Math.max(burst, Number(n));
        }
        return burst;
      };
      const from = bursts();
      const rss: number[] = [await rssMb(runner.process.pid)];
      let slowest = 0;
      const giveUp = Date.now() + 30_000;
      while (bursts() - from < 4096) {
        expect(Date.now(), 'the app flooding 256 MB within 30 s').toBeLessThan(giveUp);
        const t = performance.now();
        expect((await runnerFetch(runner.link, 'api/state')).status).toBe(200);
        slowest = Math.max(slowest, performance.now() - t);
        rss.push(await rssMb(runner.process.pid));
        await new Promise((r) => setTimeout(r, 100));
      }
      // Bounded: without the limit on what a page may have queued, the frozen
      // page grew the runner by about 480 MB here; with it, the runner only
      // swings with garbage collection (0 to 55 MB, idle or loaded).
      expect(Math.max(...rss) - rss[0]!).toBeLessThan(128);
      expect(slowest).toBeLessThan(5000); // answering, not stuck behind the flood; room for a loaded machine
      // A page opened now gets 50 lines (the app has written thousands), each of bounded length.
      // (That they are the last ones: the 'chatty' case below, whose output stops.)
      const late = await openEvents(runner.link);
      const logs = await late.next('the log replay', (f) => f.event === 'logs' && f.data.app === 'workspace');
      const lines = logs.data.lines as { text: string }[];
      expect(lines).toHaveLength(50);
      for (const line of lines) expect(line.text.length).toBeLessThanOrEqual(70 * 1024);
      late.close();
      events.close();
      frozen.destroy();
    } finally {
      await finish(runner, m, 'flood');
    }
  }, 60_000);

  it.concurrent('starts a helper that ignores SIGTERM: a restart and the runner stopping take it down with the app', async () => {
    const m = newMarker();
    const runner = await runnerWith('fork-ignores-term', m);
    try {
      const { token } = await openEvents(runner.link).then((e) => (e.close(), e));
      await untilState(runner.link, 'the app running', (s) => app(s, 'workspace')?.state === 'running');
      // The helper of the workspace's app (the solution's app has none: it is steps/step1).
      const first = await onlyHelper(m, 'SIGTERM ignored', 'the helper running');
      // Reload the app pane: the app and its helper go, a new pair comes.
      expect((await post(runner.link, token, 'apps/workspace/restart')).status).toBe(202);
      await untilState(runner.link, 'the restarted app', (s) => app(s, 'workspace')?.state === 'running' && app(s, 'workspace')!.starts === 2);
      expect(isRunning(first)).toBe(false);
      const second = await onlyHelper(m, 'SIGTERM ignored', 'the new helper');
      expect(second).not.toBe(first);
    } finally {
      await finish(runner, m, 'fork-ignores-term');
    }
  });

  it.concurrent('starts a detached helper: a restart takes it down, and so does the app exiting on its own', async () => {
    const m = newMarker();
    const runner = await runnerWith('detached-helper', m);
    try {
      const { token } = await openEvents(runner.link).then((e) => (e.close(), e));
      // The solution's app (steps/step1) starts none: every helper is the workspace app's.
      const first = await onlyHelper(m, 'detached helper', 'the helper running');
      // Reload: the app is stopped while the helper's parent link is whole.
      expect((await post(runner.link, token, 'apps/workspace/restart')).status).toBe(202);
      await untilState(runner.link, 'the restarted app', (s) => app(s, 'workspace')?.state === 'running' && app(s, 'workspace')!.starts === 2);
      await waitFor('the first helper gone', () => !isRunning(first));
      const second = await onlyHelper(m, 'detached helper', 'the new helper');
      expect(second).not.toBe(first);
      // The app exits by itself: its helper, now an orphan, is found by the tag in its environment.
      expect(await (await fetch(new URL('quit', app(await uiState(runner.link), 'workspace')!.url))).text()).toBe('Bye');
      await untilState(runner.link, 'the app stopped', (s) => app(s, 'workspace')?.state !== 'running');
      await waitFor('the second helper gone', () => !isRunning(second));
    } finally {
      await finish(runner, m, 'detached-helper');
    }
  });

  it.concurrent('never answers a request: while the page\'s Verify waits on it, the runner keeps answering; then it stops cleanly', async () => {
    const m = newMarker();
    const runner = await runnerWith('hang', m);
    try {
      const events = await openEvents(runner.link);
      await untilState(runner.link, 'the app running', (s) => app(s, 'workspace')?.state === 'running');
      // The runner's own work on the app: Verify from the page, whose GET / hangs for its 8 s timeout.
      expect((await post(runner.link, events.token, 'verify', { step: 'step1' })).status).toBe(202);
      await events.next('the verify starting', (f) => f.event === 'verify-start');
      // Ask the runner for its state and its page all through the verify; every answer must come.
      let slowestMs = 0;
      let rounds = 0;
      let ended = false;
      const ending = events.next('the verify ending', (f) => f.event === 'verify-end', 60_000).finally(() => (ended = true));
      ending.catch(() => {}); // awaited below; not an unhandled rejection should the loop fail first
      while (!ended) {
        const t = performance.now();
        const answers = await Promise.all(['api/state', ''].map((path) => runnerFetch(runner.link, path, { signal: AbortSignal.timeout(20_000) })));
        expect(answers.map((r) => r.status)).toEqual([200, 200]);
        slowestMs = Math.max(slowestMs, performance.now() - t);
        rounds++;
        await new Promise((r) => setTimeout(r, 200));
      }
      const end = await ending;
      // The verify did hang on the app (so the answers above came while it waited): its GET / ran out of time.
      const home = end.data.report.checks.find((c: { id: string }) => c.id === 'step1.home-page');
      expect(home).toMatchObject({ status: 'failed', message: expect.stringMatching(/no answer to GET \/ within 8\.0 s/) });
      // Answers came while it hung (8 s, asked every ~200 ms plus each answer's time): a few even with both cores busy.
      expect(rounds).toBeGreaterThanOrEqual(3);
      // A runner that waited on the app would not answer until the verify ended; 5 s leaves room for a loaded machine.
      expect(slowestMs).toBeLessThan(5000);
      events.close();
    } finally {
      await finish(runner, m, 'hang');
    }
  }, 60_000);

  it.concurrent('listens on PORT + 1: the app pane names the port it listens on, without waiting for the timeout', async () => {
    const m = newMarker();
    const runner = await runnerWith('wrong-port', m);
    try {
      // The message proves it came from the port lookup, not from the 15 s listen timeout.
      const s = await untilState(runner.link, 'the verdict on the app', (s) => app(s, 'workspace')?.state === 'not-listening');
      const a = app(s, 'workspace')!;
      expect(a.message).toBe(`The app listens on port ${a.port + 1}, not on PORT (${a.port}): call app.listen(process.env.PORT).`);
      expectReadable(runner.output());
    } finally {
      await finish(runner, m, 'wrong-port');
    }
  }, 30_000);
});
