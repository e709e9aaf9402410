// Issue 10: a run's clean-up and a start still under way. Once a scope is
// closing nothing new starts in it, and close() waits for the starts under
// way and stops what they started; so verify ends as soon as its checks do,
// and leaves nothing running, even when a copy of the app is mid-start.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApp } from '../runner/verify/harness.ts';
import { Scope, ScopeClosedError } from '../runner/process/scope.ts';
import { isRunning, processesWithEnv } from './helpers/process-table.ts';
import { repo, startCli, tempApp } from './helpers/verify-cli.ts';
import { waitFor } from './helpers/workshop-runner.ts';

const fixture = join(repo, 'test/fixtures/faults/slow-restart');

/** `node -e` arguments for a server that listens on PORT after `ms`. */
const sleeper = (ms: number) => [
  '-e',
  `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '127.0.0.1'), ${ms})`,
];

describe('a scope that is closing', () => {
  it('refuses a start', async () => {
    const scope = new Scope();
    const closed = scope.close();
    expect(() => scope.startChild(process.execPath, sleeper(0), { cwd: repo })).toThrow(ScopeClosedError);
    await closed;
  });

  it('waits for the work under way, and refuses the start that work asks for', async () => {
    const scope = new Scope();
    const events: string[] = [];
    // Work that asks for a child only after close() has begun: the restart
    // probe between its visit and the fresh copy of the app.
    const work = scope.track(
      (async () => {
        await new Promise((r) => setTimeout(r, 100));
        try {
          scope.startChild(process.execPath, sleeper(0), { cwd: repo });
          events.push('started');
        } catch (err) {
          events.push(err instanceof ScopeClosedError ? 'refused' : 'failed');
        }
      })(),
    );
    await scope.close();
    events.push('closed');
    await work;
    expect(events).toEqual(['refused', 'closed']);
  });

  it('ends the wait of an app that is still starting, and stops it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'workshop-race-'));
    const marker = `VERIFY_RACE_TEST=${randomUUID()}`;
    const [name, value] = marker.split('=') as [string, string];
    try {
      await writeFile(join(dir, 'slow.cjs'), sleeper(10_000)[1]!);
      const scope = new Scope();
      const starting = startApp({ dir, entry: 'slow.cjs', env: { ...process.env, [name]: value }, timeoutMs: 20_000 }, scope);
      starting.catch(() => {});
      // Once the app is spawned, close() must end its wait rather than sit out the 10 s.
      const app = await waitFor('the app spawned', () => processesWithEnv(marker).find((p) => p.args.includes('slow.cjs')));
      const started = Date.now();
      await scope.close();
      expect(Date.now() - started).toBeLessThan(8000);
      await expect(starting).rejects.toThrow(/ended/);
      expect(isRunning(app.pid)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('verify whose checks end while a copy of the app is starting', () => {
  it('exits at once with its verdict and leaves no copy of the app running', async () => {
    const app = await tempApp(fixture);
    try {
      // A wait of 20 s for an app to listen: a clean-up that sat out the fresh
      // copy's start would see it listen (after 8 s), not give up on it.
      const run = startCli(['step3', '--dir', app.dir, '--timeout', '20000']);
      await run.waitFor(/\d+ passed, \d+ failed/, 60_000);
      const verdictAt = Date.now();
      const { code } = await run.done;
      const exitMs = Date.now() - verdictAt;
      expect(code, run.stdout() + run.stderr()).toBe(1);
      expect(run.stdout()).toMatch(/✖.*step1\.home-page/);
      // The fresh copy waits 8 s before it listens: a clean-up that waited for
      // its start would see it listen before stopping it, and exit late.
      const started = (await readdir(join(app.dir, 'pids'))).map(Number);
      const listened = (await readdir(join(app.dir, 'listening'))).map(Number);
      expect(started.length, 'the fresh copy of the app was started').toBe(2);
      expect(listened, 'only the first copy ever listened').toEqual([started.find((pid) => listened.includes(pid))]);
      expect(exitMs).toBeLessThan(5000);
      expect(started.filter(isRunning), 'copies of the app still running after verify exited').toEqual([]);
    } finally {
      await app.dispose();
    }
  });

  it('refuses the fresh copy a probe asks for once the run is ending', async () => {
    // WORKSHOP_PAUSE_AT=restart holds the restart probe until the clean-up has
    // begun, then lets it start the fresh copy: the exact order that hung.
    const marker = `VERIFY_RACE_TEST=${process.pid}-${Date.now()}`;
    const [name, value] = marker.split('=') as [string, string];
    // Every child verify spawns, written down at the spawn: a fresh copy stopped at once would leave no other trace.
    const logDir = await mkdtemp(join(tmpdir(), 'workshop-race-spawns-'));
    const spawnLog = join(logDir, 'spawns.jsonl');
    try {
      // A wait of 20 s for the app to listen: on a busy machine it may take more than the default 5 s, and the probe would never run.
      const run = startCli(['step3', '--dir', join(repo, 'test/fixtures/faults/second-visit-fails'), '--timeout', '20000'], {
        WORKSHOP_PAUSE_AT: 'restart',
        WORKSHOP_TRACE: '1',
        WORKSHOP_TEST_SPAWN_COMMANDS: spawnLog,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(join(repo, 'test/helpers/spawn-commands.cjs'))}`.trim(),
        [name]: value,
      });
      await run.waitFor(/\d+ passed, \d+ failed/, 60_000);
      const verdictAt = Date.now();
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 10_000);
      const { code } = await run.done;
      clearTimeout(timer);
      expect(code, run.stdout() + run.stderr()).toBe(1);
      expect(Date.now() - verdictAt).toBeLessThan(8000);
      // The probe was held until the clean-up began, and then asked for the fresh copy…
      const trace = run.stderr();
      expect(trace).toContain('paused at restart until the run ends');
      const asked = trace.indexOf('second instance: starting');
      expect(asked, `the restart probe never asked for the fresh copy:\n${trace}`).toBeGreaterThan(trace.indexOf('paused at restart until the run ends'));
      // …which was refused: only the main copy of the app was ever spawned.
      const spawned = (await readFile(spawnLog, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);
      const copies = spawned.filter((args) => args[1] === 'app.js');
      expect(copies, 'the fresh copy asked for once the run was ending was started, not refused').toHaveLength(1);
      const apps = processesWithEnv(marker).filter((p) => p.args.includes('app.js'));
      expect(apps.map((p) => `${p.pid} ${p.args}`)).toEqual([]);
    } finally {
      await rm(logDir, { recursive: true, force: true });
    }
  }, 90_000); // up to 60 s for the verdict on a busy machine, and 10 s for the exit
});
